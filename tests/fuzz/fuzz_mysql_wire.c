/*
 * fuzz_mysql_wire.c - libFuzzer harness for the MySQL/MariaDB wire
 * parsers (checks/raw/mysql_wire.c), fed as checks/raw/mysql.c feeds
 * them: packets framed from the start of the input, the first one as the
 * server's handshake, every later one as a reply during authentication
 * (OK, ERR, AuthSwitchRequest, AuthMoreData with an RSA key in PEM), and
 * the login packet built from what the server sent. The server's strings
 * must come out NUL-terminated printable ASCII, pointers inside the input.
 * Seeds: tests/fuzz/corpus/fuzz_mysql_wire (tests/fixtures/mysql).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/mysql_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the packets of one exchange: as many as mysql.c allows rounds, more */
#define FUZZ_MAX_PACKETS 16

static void check_text(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n >= size)
		__builtin_trap();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			__builtin_trap();
}

static void check_inside(const uint8_t *p, size_t n, const uint8_t *buf,
			 size_t len)
{
	if (n > 0 && (p == NULL || p < buf || p + n > buf + len))
		__builtin_trap();
}

static bool known_plugin(const char *p)
{
	return strcmp(p, "mysql_native_password") == 0 ||
	       strcmp(p, "caching_sha2_password") == 0;
}

static void scramble(const char *plugin, const uint8_t *scr)
{
	uint8_t auth[32];
	size_t alen = 0;

	if (strcmp(plugin, "caching_sha2_password") == 0)
		mysql_scramble_sha2("fuzz", scr, auth, &alen);
	else
		mysql_scramble_native("fuzz", scr, auth, &alen);
	if (alen > sizeof(auth))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mysql_handshake h;
	struct mysql_reply r;
	const uint8_t *payload = NULL;
	uint8_t scr[MYSQL_SCRAMBLE_LEN] = { 0 }, pkt[600], out[512];
	char plugin[64] = "mysql_native_password";
	size_t off = 0, plen = 0, used = 0, olen = 0;
	uint8_t seq = 0;
	int k, len;

	for (k = 0; k < FUZZ_MAX_PACKETS && off < size; k++) {
		if (mysql_wire_packet(data + off, size - off, &payload, &plen,
				      &seq, &used) != 0)
			break;
		if (used != 4 + plen || used > size - off)
			__builtin_trap();
		check_inside(payload, plen, data, size);
		off += used;
		if (k == 0) {
			if (mysql_wire_handshake(payload, plen, &h) != 0)
				break;
			check_text(h.err.message, sizeof(h.err.message));
			if (h.is_error)
				break;
			check_text(h.version, sizeof(h.version));
			check_text(h.plugin, sizeof(h.plugin));
			memcpy(scr, h.scramble, sizeof(scr));
			if (known_plugin(h.plugin))
				memcpy(plugin, h.plugin, sizeof(h.plugin));
			scramble(plugin, scr);
			len = mysql_wire_login(pkt, sizeof(pkt),
					       (uint8_t)(seq + 1), "root", scr,
					       sizeof(scr), plugin);
			if (len > (int)sizeof(pkt))
				__builtin_trap();
			continue;
		}
		if (mysql_wire_reply(payload, plen, &r) != 0)
			break;
		check_text(r.err.message, sizeof(r.err.message));
		check_text(r.plugin, sizeof(r.plugin));
		check_inside(r.data, r.dlen, data, size);
		if (r.kind == MYSQL_R_SWITCH && known_plugin(r.plugin) &&
		    r.dlen >= MYSQL_SCRAMBLE_LEN) {
			memcpy(plugin, r.plugin, sizeof(r.plugin));
			memcpy(scr, r.data, sizeof(scr));
			scramble(plugin, scr);
		} else if (r.kind == MYSQL_R_MORE && r.dlen > 1 &&
			   mysql_rsa_password("fuzz", scr, r.data, r.dlen, out,
					      sizeof(out), &olen) == 0 &&
			   olen > sizeof(out)) {
			__builtin_trap();
		}
		len = mysql_wire_frame(pkt, sizeof(pkt), (uint8_t)(seq + 1),
				       out, (size_t)(data[off - 1] % 64));
		if (len > (int)sizeof(pkt))
			__builtin_trap();
	}
	return 0;
}
