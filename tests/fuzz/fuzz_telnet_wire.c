/*
 * fuzz_telnet_wire.c - libFuzzer harness for the Telnet negotiation and
 * login-text reader (checks/raw/telnet_wire.c): the input is fed in
 * pieces (its first byte sets the piece size) as reads would bring it,
 * the verdicts are asked as the text grows, and the bounds are checked: the text never
 * passes its buffer, answers never pass theirs, each option is answered
 * at most once per direction.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/telnet_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct telnet_state t;
	static char text[256];
	uint8_t reply[TELNET_REPLY_MAX];
	size_t tlen = 0, rlen = 0, total = 0, off = 1, piece, n;
	char line[64];
	unsigned pieces = 0;
	int err = 0, s;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	telnet_wire_init(&t);
	while (off < size && err == 0) {
		n = size - off < piece ? size - off : piece;
		rlen = 0;
		err = telnet_wire_feed(&t, data + off, n, text, &tlen,
				       sizeof(text), reply, &rlen,
				       sizeof(reply));
		if (tlen > sizeof(text) || rlen > sizeof(reply) || rlen % 3)
			__builtin_trap();
		total += rlen;
		off += n;
		/* the check asks once per read: here once per 64 pieces */
		if (++pieces % 64 == 0 || off >= size)
			for (s = TELNET_BEFORE_USER; s <= TELNET_AFTER_PASSWORD;
			     s++)
				(void)telnet_wire_verdict(text, tlen,
							  (enum telnet_stage)s);
	}
	/* one answer per option and direction, at most */
	if (total > 2 * 3 * 256 || (err != 0 && err != TELNET_WIRE_ENDLESS))
		__builtin_trap();
	telnet_wire_last_line(text, tlen, line, sizeof(line));
	if (strlen(line) >= sizeof(line))
		__builtin_trap();
	return 0;
}
