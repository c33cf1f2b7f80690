/*
 * fuzz_snmp.c - libFuzzer harness for the SNMP answer parser
 * (checks/raw/snmp_wire.c): one datagram in, a struct or an error out;
 * what it fills stays inside its bounds, and a request it encodes from
 * the parsed community parses back to the same community and id.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/snmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snmp_reply r, back;
	uint8_t req[SNMP_REQUEST_MAX];
	size_t len = 0;

	if (snmp_parse_reply(data, size, &r) != 0)
		return 0;
	if (r.community_len > SNMP_COMMUNITY_MAX ||
	    strlen(r.value) > SNMP_VALUE_MAX || r.nvarbinds > 64)
		__builtin_trap();
	/* a community with a NUL inside is cut there by the encoder */
	if (memchr(r.community, '\0', r.community_len) != NULL)
		return 0;
	if (snmp_get_sysdescr(req, sizeof(req), r.community, r.request_id,
			      &len) != 0 ||
	    snmp_parse_reply(req, len, &back) != 0 ||
	    back.request_id != r.request_id ||
	    back.community_len != r.community_len ||
	    memcmp(back.community, r.community, r.community_len) != 0)
		__builtin_trap();
	return 0;
}
