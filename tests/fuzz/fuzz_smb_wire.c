/*
 * fuzz_smb_wire.c - libFuzzer harness for the SMB negotiate parsers: the
 * input is what a server sends back, framed or not. It is fed the way
 * checks/smb/smb.c feeds it (Direct TCP frame, then the SMB1 and the SMB2
 * parser on the PDU), and both parsers also see the raw input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smb/smb_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const uint8_t *pdu, size_t len)
{
	struct smb1_negotiate n1;
	struct smb2_negotiate n2;
	char buf[128];

	/* an exact-size copy: ASan sees any read past the message */
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return;
	memcpy(copy, pdu, len);
	if (smb_wire_smb1_negotiate(copy, len, &n1) == 0 && n1.have_guid)
		smb_wire_guid_text(n1.server_guid, buf, sizeof(buf));
	if (smb_wire_smb2_negotiate(copy, len, &n2) == 0) {
		smb_wire_guid_text(n2.server_guid, buf, sizeof(buf));
		smb_wire_caps_text(n2.capabilities, buf, sizeof(buf));
		(void)smb_wire_dialect_name(n2.dialect);
		if (n2.sec_blob_len > len)
			abort(); /* the parser vouched for it */
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *pdu = NULL;
	size_t pdulen = 0, used = 0;

	parse(data, size);
	if (smb_wire_frame(data, size, &pdu, &pdulen, &used) == 0) {
		if (used > size || pdu < data || pdu + pdulen > data + size ||
		    pdulen > SMB_PDU_MAX)
			abort();
		parse(pdu, pdulen);
	}
	return 0;
}
