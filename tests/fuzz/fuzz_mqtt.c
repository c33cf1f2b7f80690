/*
 * fuzz_mqtt.c - libFuzzer harness for the mqtt check's packet parser
 * (checks/raw/mqtt_wire.c): the input is what a hostile broker sends;
 * every packet in it is split off and read as CONNACK, SUBACK and
 * PUBLISH, as the check would.
 */
#include <stddef.h>
#include <stdint.h>
#include "raw/mqtt_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mqtt_packet p;
	char topic[MQTT_TEXT_KEEP], payload[MQTT_TEXT_KEEP];
	unsigned rc, pid, granted;
	size_t off = 0, used = 0;

	while (off < size &&
	       mqtt_wire_packet(data + off, size - off, &p, &used) == 0) {
		off += used;
		if (mqtt_wire_connack(&p, &rc) == 0)
			(void)mqtt_wire_rc_text(rc);
		mqtt_wire_suback(&p, &pid, &granted);
		mqtt_wire_publish(&p, topic, sizeof(topic), payload,
				  sizeof(payload));
	}
	return 0;
}
