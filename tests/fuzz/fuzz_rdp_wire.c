/*
 * fuzz_rdp_wire.c - libFuzzer harness for the RDP wire parsers: the input
 * is fed as a Connection Confirm, an MCS Connect Response, a TSRequest
 * (after its DER length is checked, as checks/rdp/rdp.c does) and a bare NTLM
 * CHALLENGE, each in a heap copy of exactly the input's size so that ASan
 * sees any read past it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rdp/rdp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s, size_t max)
{
	/* every string must be terminated inside its array */
	return strnlen(s, max) < max ? (size_t)(unsigned char)s[0] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct rdp_cc cc;
	struct rdp_mcs_rsp mcs;
	struct rdp_ntlm_info info;
	size_t used = 0, total = 0, sum = 0;
	uint32_t code = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (rdp_wire_cc(copy, size, &cc, &used) == 0 &&
	    (used > size || used > RDP_CC_MAX))
		abort();
	if (rdp_wire_mcs_rsp(copy, size, &mcs, &used) == 0 && used > size)
		abort();
	if (rdp_wire_der_total(copy, size, RDP_TSREQ_MAX, &total) == 0 &&
	    total <= size &&
	    rdp_wire_tsreq_challenge(copy, total, &info, &code) == 0) {
		sum += touch(info.target_name, sizeof(info.target_name));
		sum += touch(info.dns_computer, sizeof(info.dns_computer));
	}
	if (rdp_wire_ntlm_challenge(copy, size, &info) == 0) {
		sum += touch(info.nb_computer, sizeof(info.nb_computer));
		sum += touch(info.nb_domain, sizeof(info.nb_domain));
		sum += touch(info.dns_domain, sizeof(info.dns_domain));
		sum += touch(info.dns_tree, sizeof(info.dns_tree));
	}
	(void)sum;
	free(copy);
	return 0;
}
