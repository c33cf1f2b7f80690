/*
 * mqtt_wire.h - the few MQTT 3.1.1 packets the mqtt check sends (CONNECT
 * without credentials, SUBSCRIBE at QoS 0, DISCONNECT) and a bounded
 * parser of what a broker sends back (CONNACK, SUBACK, PUBLISH). Pure:
 * bytes in, struct or error out; no I/O. Never a PUBLISH is built.
 */
#ifndef MQTT_WIRE_H
#define MQTT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQTT_WIRE_MORE 1
#define MQTT_PACKET_MAX 16384 /* a $SYS value is a few bytes */
#define MQTT_OUT_MAX 256
#define MQTT_TEXT_KEEP 128

enum mqtt_type {
	MQTT_CONNECT = 1,
	MQTT_CONNACK = 2,
	MQTT_PUBLISH = 3,
	MQTT_SUBSCRIBE = 8,
	MQTT_SUBACK = 9,
	MQTT_DISCONNECT = 14,
};

struct mqtt_packet {
	unsigned type, flags;
	const uint8_t *body; /* into the caller's buffer */
	size_t len;
};

/* builders: the length written, or EXPO_ETOOBIG */
int mqtt_wire_connect(uint8_t *out, size_t size, const char *client_id,
		      unsigned keepalive);
int mqtt_wire_subscribe(uint8_t *out, size_t size, unsigned packet_id,
			const char *topic);
int mqtt_wire_disconnect(uint8_t *out, size_t size);

/* one packet at the start of buf: 0 and *used, MQTT_WIRE_MORE, or
 * EXPO_EPROTO (a packet type a broker never sends, a bad length) /
 * EXPO_ETOOBIG (over MQTT_PACKET_MAX) */
int mqtt_wire_packet(const uint8_t *buf, size_t len, struct mqtt_packet *p,
		     size_t *used);

/* CONNACK: the return code (0 accepted, 1 protocol version, 2 client id,
 * 3 unavailable, 4 bad user name or password, 5 not authorized; MQTT 5
 * reason codes >= 0x80); 0 or EXPO_EPROTO */
int mqtt_wire_connack(const struct mqtt_packet *p, unsigned *rc);
/* SUBACK of one topic: the packet id and the granted QoS (0x80 failure) */
int mqtt_wire_suback(const struct mqtt_packet *p, unsigned *packet_id,
		     unsigned *granted);
/* PUBLISH: topic and payload as printable ASCII (cut to MQTT_TEXT_KEEP) */
int mqtt_wire_publish(const struct mqtt_packet *p, char *topic,
		      size_t topic_size, char *payload, size_t payload_size);

/* what a CONNACK return code means, for the facts */
const char *mqtt_wire_rc_text(unsigned rc);

#endif
