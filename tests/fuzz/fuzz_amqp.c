/*
 * fuzz_amqp.c - libFuzzer harness for the AMQP 0-9-1 handshake parsers
 * (checks/raw/amqp_wire.c), fed as checks/raw/rabbitmq.c feeds them: a
 * stream of frames from the start of the input, each a method whose
 * arguments go to the Connection.Start and Connection.Close parsers; and
 * the Start-Ok builder with names cut from the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/amqp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amqp_frame f;
	struct amqp_method m;
	struct amqp_start s;
	struct amqp_close c;
	uint8_t out[1024];
	char user[300], pass[300];
	size_t off = 0, used = 0, k, ul, pl;
	int n;

	for (k = 0; k < 64 && off < size; k++) {
		if (amqp_wire_frame(data + off, size - off, &f, &used) != 0)
			break;
		if (used == 0 || used > size - off || f.payload < data + off ||
		    f.payload + f.len > data + off + used)
			__builtin_trap();
		if (amqp_wire_method(&f, &m) == 0) {
			if (m.args + m.len > f.payload + f.len)
				__builtin_trap();
			if (amqp_wire_start(&m, &s) == 0 &&
			    (strlen(s.product) >= AMQP_PROP_MAX ||
			     strlen(s.version) >= AMQP_PROP_MAX))
				__builtin_trap();
			/* the same arguments as any method, too */
			m.class_id = AMQP_CONNECTION;
			m.method_id = AMQP_START;
			(void)amqp_wire_start(&m, &s);
			m.method_id = AMQP_CLOSE;
			if (amqp_wire_close(&m, &c) == 0 &&
			    strlen(c.text) >= sizeof(c.text))
				__builtin_trap();
		}
		off += used;
	}
	/* names from the input: any bytes but NUL, up to 299 */
	ul = size < 299 ? size : 299;
	memcpy(user, data, ul);
	user[ul] = '\0';
	pl = size - ul < 299 ? size - ul : 299;
	memcpy(pass, data + ul, pl);
	pass[pl] = '\0';
	n = amqp_wire_start_ok(out, sizeof(out), user, pass);
	if (n > (int)sizeof(out))
		__builtin_trap();
	if (n > 0) {
		/* what we send parses as one frame of its own */
		if (amqp_wire_frame(out, (size_t)n, &f, &used) != 0 ||
		    used != (size_t)n)
			__builtin_trap();
	}
	return 0;
}
