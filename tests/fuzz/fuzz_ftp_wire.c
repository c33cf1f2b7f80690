/*
 * fuzz_ftp_wire.c - libFuzzer harness for the FTP reply, passive-port and
 * listing parsers (checks/raw/ftp_wire.c): replies are parsed one after
 * the other as the check does, and every listing line of a multi-line
 * reply goes through ftp_wire_entry().
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/ftp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct ftp_reply r;
	struct ftp_entry e;
	size_t off = 0, used = 0, l;
	uint16_t port;
	char text[300];

	while (off < size &&
	       ftp_wire_reply(buf + off, size - off, &r, &used) == 0) {
		if (used == 0 || used > size - off || r.code < 100 ||
		    r.code > 599 || strlen(r.text) >= sizeof(r.text) ||
		    r.body_off + r.body_len > used)
			__builtin_trap();
		(void)ftp_wire_pasv_port(r.text, &port);
		(void)ftp_wire_epsv_port(r.text, &port);
		for (l = 0; l < r.body_len;) {
			const char *p = buf + off + r.body_off + l;
			const char *lf = memchr(p, '\n', r.body_len - l);
			size_t n = lf ? (size_t)(lf - p) : r.body_len - l;

			if (ftp_wire_entry(p, n, &e) == 0 &&
			    (e.name[0] == '\0' ||
			     strlen(e.name) >= sizeof(e.name)))
				__builtin_trap();
			l += n + 1;
		}
		off += used;
	}
	/* the port parsers on raw text too (NUL-terminated copy) */
	l = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, l);
	text[l] = '\0';
	if (ftp_wire_pasv_port(text, &port) == 0 && port == 0)
		__builtin_trap();
	if (ftp_wire_epsv_port(text, &port) == 0 && port == 0)
		__builtin_trap();
	(void)ftp_wire_entry(buf, size, &e);
	return 0;
}
