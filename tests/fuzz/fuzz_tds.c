/*
 * fuzz_tds.c - libFuzzer harness for the mssql check's TDS parsers
 * (checks/raw/mssql_wire.c): the input is what a hostile server sends,
 * reassembled as packets into a message, then read both as a PRELOGIN
 * reply and as the token stream answering LOGIN7; and once more
 * unframed, straight into both parsers.
 */
#include <stddef.h>
#include <stdint.h>
#include "raw/mssql_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[TDS_MSG_MAX];
	struct tds_prelogin_reply pr;
	struct tds_login_reply lr;
	size_t mlen = 0, used = 0;
	uint8_t type = 0;

	if (tds_message(data, size, msg, sizeof(msg), &mlen, &type, &used) ==
	    0) {
		tds_parse_prelogin(msg, mlen, &pr);
		tds_parse_login_reply(msg, mlen, &lr);
	}
	tds_parse_prelogin(data, size, &pr);
	tds_parse_login_reply(data, size, &lr);
	return 0;
}
