/*
 * fuzz_vnc.c - libFuzzer harness for the vnc check's RFB parsers
 * (checks/raw/vnc_wire.c): the input is what a hostile server sends on
 * one connection, read in order as the check reads it (version, security
 * list for the minor the version gives, SecurityResult, ServerInit), and
 * each parser once more on the raw bytes for every minor.
 */
#include <stddef.h>
#include <stdint.h>
#include "raw/vnc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned minors[] = { 3, 7, 8 };
	struct vnc_version v;
	struct vnc_security s;
	struct vnc_result r;
	struct vnc_server_init si;
	size_t off = 0, used = 0, i;

	if (vnc_wire_version(data, size, &v, &used) == 0) {
		off = used;
		if (vnc_wire_security(data + off, size - off, v.use_minor, &s,
				      &used) == 0) {
			off += used;
			(void)vnc_wire_offers(&s, VNC_SEC_NONE);
			(void)vnc_wire_locked_text(s.reason);
			if (vnc_wire_result(data + off, size - off, v.use_minor,
					    true, &r, &used) == 0) {
				off += used;
				(void)vnc_wire_locked_text(r.reason);
				vnc_wire_server_init(data + off, size - off,
						     &si, &used);
			}
		}
	}
	for (i = 0; i < 3; i++) {
		vnc_wire_security(data, size, minors[i], &s, &used);
		vnc_wire_result(data, size, minors[i], false, &r, &used);
	}
	vnc_wire_server_init(data, size, &si, &used);
	if (size >= VNC_CHALLENGE_LEN) {
		uint8_t out[VNC_CHALLENGE_LEN];

		vnc_wire_des_response(data, "password", out);
	}
	return 0;
}
