/*
 * test_smb.c - the SMB check without a network: the negotiate builders
 * and parsers on responses recorded from the lab's Samba 4.17 servers
 * (tests/lab/lab.d/smb.sh), truncated and lying variants of them, and
 * assess() on fixture facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "smb/smb_wire.h"

extern const struct check check_smb;

/* Recorded with a plain socket from Samba 4.17.12 (Debian 12):
 * "open" = server min protocol NT1, signing disabled; "hardened" =
 * SMB2_10 minimum, server signing mandatory. */
static const uint8_t rec_smb1_open[] = {
	0xff, 0x53, 0x4d, 0x42, 0x72, 0x00, 0x00, 0x00, 0x00, 0x88, 0x01, 0xc8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x03,
	0x32, 0x00, 0x01, 0x00, 0x04, 0x41, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x25, 0x52, 0x00, 0x00, 0xfd, 0xf3, 0x80, 0x80, 0x74, 0xd9, 0x31, 0xb6,
	0x48, 0x79, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x5a, 0x00, 0x65, 0x78, 0x70,
	0x6f, 0x6c, 0x61, 0x62, 0x6f, 0x70, 0x65, 0x6e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0,
	0x3e, 0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0,
	0x26, 0x1b, 0x24, 0x6e, 0x6f, 0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e,
	0x65, 0x64, 0x5f, 0x69, 0x6e, 0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37,
	0x38, 0x40, 0x70, 0x6c, 0x65, 0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e,
	0x6f, 0x72, 0x65,
};
static const uint8_t rec_smb2_311_open[] = {
	0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x01, 0x00, 0x11, 0x03, 0x02, 0x00,
	0x65, 0x78, 0x70, 0x6f, 0x6c, 0x61, 0x62, 0x6f, 0x70, 0x65, 0x6e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
	0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x50, 0x80, 0x32, 0xb6,
	0x48, 0x79, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x4a, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x60, 0x48, 0x06, 0x06,
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02,
	0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26, 0x1b, 0x24, 0x6e, 0x6f,
	0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e, 0x65, 0x64, 0x5f, 0x69, 0x6e,
	0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37, 0x38, 0x40, 0x70, 0x6c, 0x65,
	0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e, 0x6f, 0x72, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0x18, 0x2a, 0x24, 0x13, 0x36, 0x1a,
	0x7d, 0xd1, 0xad, 0xdd, 0xd3, 0x7a, 0x02, 0xc5, 0x59, 0x97, 0xdc, 0x32,
	0x6f, 0xdf, 0x73, 0x64, 0xf1, 0x55, 0xf8, 0x20, 0x04, 0xaa, 0x75, 0x36,
	0x18, 0xae, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x02, 0x00,
};
static const uint8_t rec_smb2_202_open[] = {
	0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x01, 0x00, 0x02, 0x02, 0x00, 0x00,
	0x65, 0x78, 0x70, 0x6f, 0x6c, 0x61, 0x62, 0x6f, 0x70, 0x65, 0x6e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x2c, 0xee, 0x33, 0xb6,
	0x48, 0x79, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x48, 0x06, 0x06,
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02,
	0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26, 0x1b, 0x24, 0x6e, 0x6f,
	0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e, 0x65, 0x64, 0x5f, 0x69, 0x6e,
	0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37, 0x38, 0x40, 0x70, 0x6c, 0x65,
	0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e, 0x6f, 0x72, 0x65,
};
static const uint8_t rec_smb2_311_hardened[] = {
	0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x03, 0x00, 0x11, 0x03, 0x02, 0x00,
	0x65, 0x78, 0x70, 0x6f, 0x6c, 0x61, 0x62, 0x68, 0x61, 0x72, 0x64, 0x65,
	0x6e, 0x65, 0x64, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
	0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x76, 0xa1, 0x36, 0xb6,
	0x48, 0x79, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x4a, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x60, 0x48, 0x06, 0x06,
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02,
	0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26, 0x1b, 0x24, 0x6e, 0x6f,
	0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e, 0x65, 0x64, 0x5f, 0x69, 0x6e,
	0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37, 0x38, 0x40, 0x70, 0x6c, 0x65,
	0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e, 0x6f, 0x72, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0x23, 0x3d, 0x50, 0xf4, 0xa8, 0x24,
	0xf6, 0x65, 0xa7, 0xce, 0xfd, 0xd5, 0x15, 0xee, 0x1a, 0x15, 0x7a, 0xc6,
	0xad, 0x8a, 0xe7, 0xe2, 0xaa, 0x29, 0xb6, 0xab, 0x27, 0x18, 0x4c, 0x7c,
	0xc9, 0xb9, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x02, 0x00,
};
/* SMB1 to the hardened server: 37 bytes */
static const uint8_t rec_smb1_hardened[] = {
	0xff, 0x53, 0x4d, 0x42, 0x72, 0x00, 0x00, 0x00, 0x00, 0x88,
	0x03, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00,
	0x00, 0x00, 0x01, 0xff, 0xff, 0x00, 0x00,
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* ---- framing and builders ---- */

Test(smb_wire, frame_keepalive_partial_and_bounds)
{
	uint8_t b[16] = { 0x85, 0, 0, 0, 0x00, 0, 0, 3, 'a', 'b', 'c', 'x' };
	const uint8_t *pdu = NULL;
	size_t n = 0, used = 0, i;

	cr_assert_eq(smb_wire_frame(b, 12, &pdu, &n, &used), 0);
	cr_expect_eq(n, 3);
	cr_expect_eq(pdu, b + 8);
	cr_expect_eq(used, 11);
	for (i = 0; i < 11; i++)
		cr_expect_eq(smb_wire_frame(b, i, &pdu, &n, &used),
			     SMB_WIRE_MORE, "prefix %zu", i);
	/* 16 MiB - 1 announced: over the cap, refused before reading */
	b[4] = 0;
	b[5] = 0xff;
	b[6] = 0xff;
	b[7] = 0xff;
	cr_expect_eq(smb_wire_frame(b, 8, &pdu, &n, &used), EXPO_ETOOBIG);
	/* a NetBIOS session request/other type is not SMB */
	b[4] = 0x81;
	cr_expect_eq(smb_wire_frame(b, 12, &pdu, &n, &used), EXPO_EPARSE);
}

Test(smb_wire, smb1_request)
{
	uint8_t out[SMB_REQ_MAX];
	size_t n = smb_wire_smb1_negotiate_req(out, sizeof(out));

	cr_assert_eq(n, 4 + 32 + 3 + 12);
	cr_expect_eq(out[3], n - 4);
	cr_expect(memcmp(out + 4, "\xffSMB\x72", 5) == 0);
	/* the only dialect offered */
	cr_expect(memcmp(out + 4 + 35, "\x02NT LM 0.12", 12) == 0);
	cr_expect_eq(smb_wire_smb1_negotiate_req(out, 10), 0);
}

Test(smb_wire, smb2_request_offers_all_dialects_and_contexts)
{
	uint8_t out[SMB_REQ_MAX], guid[16], salt[32];
	const uint8_t *h = out + 4;
	size_t n, off;

	memset(guid, 0x11, sizeof(guid));
	memset(salt, 0x22, sizeof(salt));
	n = smb_wire_smb2_negotiate_req(out, sizeof(out), guid, salt);
	cr_assert_gt(n, 4 + 64 + 36);
	cr_expect_eq((size_t)(out[1] << 16 | out[2] << 8 | out[3]), n - 4);
	cr_expect(memcmp(h, "\xfeSMB", 4) == 0);
	cr_expect_eq(h[64], 36);
	cr_expect_eq(h[66], 5); /* DialectCount */
	cr_expect_eq(h[68], 1); /* SIGNING_ENABLED only */
	cr_expect(memcmp(h + 100, "\x02\x02\x10\x02\x00\x03\x02\x03\x11\x03",
			 10) == 0);
	off = h[92] | h[93] << 8;
	cr_expect_eq(off % 8, 0);
	cr_expect_eq(h[96], 3);	 /* contexts */
	cr_expect_eq(h[off], 1); /* PREAUTH first */
	cr_expect(memcmp(h + off + 8 + 6, salt, 32) == 0);
	cr_expect_eq(smb_wire_smb2_negotiate_req(out, 100, guid, salt), 0);
}

/* ---- recorded responses ---- */

Test(smb_wire, smb1_open_server_accepts_nt_lm)
{
	struct smb1_negotiate n;
	char g[40];

	cr_assert_eq(smb_wire_smb1_negotiate(rec_smb1_open,
					     sizeof(rec_smb1_open), &n),
		     0);
	cr_expect_eq(n.dialect_index, 0);
	cr_expect_eq(n.security_mode, 0x03); /* user, challenge; no sign */
	cr_expect_eq(n.security_mode & SMB1_SEC_SIGN_REQUIRED, 0);
	cr_expect(n.capabilities & SMB1_CAP_EXTENDED_SECURITY);
	cr_expect(n.have_guid);
	smb_wire_guid_text(n.server_guid, g, sizeof(g));
	cr_expect_eq(strlen(g), 36);
}

Test(smb_wire, smb1_refused_by_smb2_only_server)
{
	struct smb1_negotiate n;

	/* Samba without SMB1 answers "no dialect" (DialectIndex 0xFFFF) */
	cr_assert_eq(smb_wire_smb1_negotiate(rec_smb1_hardened,
					     sizeof(rec_smb1_hardened), &n),
		     0);
	cr_expect_eq(n.dialect_index, 0xFFFF);
	/* an SMB2 answer to the SMB1 request means "no SMB1" */
	cr_expect_eq(smb_wire_smb1_negotiate(rec_smb2_311_open,
					     sizeof(rec_smb2_311_open), &n),
		     SMB_WIRE_SMB2);
}

Test(smb_wire, smb2_311_signing_not_required)
{
	struct smb2_negotiate n;

	cr_assert_eq(smb_wire_smb2_negotiate(rec_smb2_311_open,
					     sizeof(rec_smb2_311_open), &n),
		     0);
	cr_expect_eq(n.dialect, 0x0311);
	cr_expect_str_eq(smb_wire_dialect_name(n.dialect), "3.1.1");
	/* the raw bits: 3.1.1 does NOT imply signing required */
	cr_expect_eq(n.security_mode, SMB2_SIGN_ENABLED);
	cr_expect_eq(n.ncontexts, 2);
	cr_expect_eq(n.preauth_hash, 1);
	cr_expect_neq(n.cipher, 0);
	cr_expect_eq(n.sec_blob_len, 74);
}

Test(smb_wire, smb2_311_signing_required)
{
	struct smb2_negotiate n;

	cr_assert_eq(smb_wire_smb2_negotiate(rec_smb2_311_hardened,
					     sizeof(rec_smb2_311_hardened), &n),
		     0);
	cr_expect_eq(n.dialect, 0x0311);
	cr_expect_eq(n.security_mode, SMB2_SIGN_ENABLED | SMB2_SIGN_REQUIRED);
}

Test(smb_wire, smb2_202)
{
	struct smb2_negotiate n;
	char caps[128];

	cr_assert_eq(smb_wire_smb2_negotiate(rec_smb2_202_open,
					     sizeof(rec_smb2_202_open), &n),
		     0);
	cr_expect_eq(n.dialect, 0x0202);
	cr_expect_str_eq(smb_wire_dialect_name(n.dialect), "2.0.2");
	cr_expect_eq(n.ncontexts, 0);
	cr_expect_eq(n.security_mode & SMB2_SIGN_REQUIRED, 0);
	smb_wire_caps_text(n.capabilities, caps, sizeof(caps));
	cr_expect_neq(caps[0], '\0');
}

/* every strict prefix of a recorded response is an error, never a
 * success that reads past the end (ASan watches the copies) */
static void all_prefixes_fail(const uint8_t *rec, size_t len, bool smb2)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t *copy = malloc(i ? i : 1);
		struct smb1_negotiate n1;
		struct smb2_negotiate n2;
		int rc;

		cr_assert_not_null(copy);
		memcpy(copy, rec, i);
		rc = smb2 ? smb_wire_smb2_negotiate(copy, i, &n2)
			  : smb_wire_smb1_negotiate(copy, i, &n1);
		cr_expect_lt(rc, 0, "prefix %zu of %zu parsed (%d)", i, len,
			     rc);
		free(copy);
	}
}

Test(smb_wire, truncated_responses)
{
	all_prefixes_fail(rec_smb1_open, sizeof(rec_smb1_open), false);
	all_prefixes_fail(rec_smb2_311_open, sizeof(rec_smb2_311_open), true);
	all_prefixes_fail(rec_smb2_202_open, sizeof(rec_smb2_202_open), true);
}

Test(smb_wire, lying_lengths)
{
	uint8_t b[512];
	struct smb2_negotiate n2;
	struct smb1_negotiate n1;

	/* security buffer longer than the message */
	memcpy(b, rec_smb2_202_open, sizeof(rec_smb2_202_open));
	put16(b + 64 + 58, 0xFFFF);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_202_open), &n2),
		     EXPO_EPARSE);
	/* security buffer inside the fixed part */
	memcpy(b, rec_smb2_202_open, sizeof(rec_smb2_202_open));
	put16(b + 64 + 56, 64);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_202_open), &n2),
		     EXPO_EPARSE);
	/* more contexts than bytes */
	memcpy(b, rec_smb2_311_open, sizeof(rec_smb2_311_open));
	put16(b + 64 + 6, 500);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
	/* context offset past the end, and not 8-aligned */
	memcpy(b, rec_smb2_311_open, sizeof(rec_smb2_311_open));
	put32(b + 64 + 60, 0x7FFFFFF8);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
	put32(b + 64 + 60, 209);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
	/* a context DataLength running past the message */
	memcpy(b, rec_smb2_311_open, sizeof(rec_smb2_311_open));
	put16(b + 208 + 2, 0x4000);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
	/* a preauth context whose counts exceed its own length */
	memcpy(b, rec_smb2_311_open, sizeof(rec_smb2_311_open));
	put16(b + 208 + 8, 0x100);
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
	/* SMB1 ByteCount over the bytes present */
	memcpy(b, rec_smb1_open, sizeof(rec_smb1_open));
	put16(b + 32 + 1 + 34, 0xFFFF);
	cr_expect_eq(smb_wire_smb1_negotiate(b, sizeof(rec_smb1_open), &n1),
		     EXPO_EPARSE);
	/* SMB1 WordCount that does not fit */
	memcpy(b, rec_smb1_open, sizeof(rec_smb1_open));
	b[32] = 200;
	cr_expect_eq(smb_wire_smb1_negotiate(b, sizeof(rec_smb1_open), &n1),
		     EXPO_EPARSE);
	/* a request (no reply flag) is not a response */
	memcpy(b, rec_smb2_311_open, sizeof(rec_smb2_311_open));
	b[16] = 0;
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(rec_smb2_311_open), &n2),
		     EXPO_EPARSE);
}

Test(smb_wire, smb2_error_response)
{
	uint8_t b[64 + 9] = { 0xfe, 'S', 'M', 'B', 64 };
	struct smb2_negotiate n;

	b[16] = 1; /* from the server */
	put32(b + 8, SMB_STATUS_NOT_SUPPORTED);
	put16(b + 64, 9); /* ERROR response */
	cr_expect_eq(smb_wire_smb2_negotiate(b, sizeof(b), &n), EXPO_EPROTO);
	cr_expect_eq(n.status, SMB_STATUS_NOT_SUPPORTED);
}

/* ---- assess() on fixture facts ---- */

struct fixture {
	struct scan_config cfg;
	struct target target;
	struct target_addr addr;
	struct check_ctx *ctx;
};

static void fixture_init(struct fixture *f, bool show)
{
	memset(f, 0, sizeof(*f));
	scan_config_defaults(&f->cfg);
	f->cfg.show_secrets = show;
	f->target.id = "test:smb";
	f->target.provider = "test";
	cr_assert_eq(target_addr_parse(&f->addr, "192.0.2.7"), 0);
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx = ctx_new(&check_smb, &f->cfg, &f->target, &f->addr, 445, NULL);
	cr_assert_not_null(f->ctx);
}

static void rules_of(struct fixture *f, const char *json, char *out,
		     size_t size)
{
	cJSON *facts = cJSON_Parse(json);
	struct finding_list *l;
	size_t i;

	cr_assert_not_null(facts, "bad fixture JSON");
	cr_assert_eq(check_smb.assess(facts, f->ctx), 0);
	cJSON_Delete(facts);
	l = ctx_findings(f->ctx);
	out[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? "," : "", l->v[i].rule_id);
}

static const struct finding *find(struct fixture *f, const char *rule)
{
	struct finding_list *l = ctx_findings(f->ctx);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].rule_id, rule) == 0)
			return &l->v[i];
	return NULL;
}

Test(smb_assess, open_server_rule_set)
{
	struct fixture f;
	const struct finding *g;
	char ids[512];

	fixture_init(&f, false);
	rules_of(&f,
		 "{\"smb1\":true,\"smb1_security_mode\":3,"
		 "\"smb1_signing_required\":false,"
		 "\"smb1_capabilities\":\"0x8080f3fd\",\"dialect\":\"3.1.1\","
		 "\"security_mode\":1,\"signing_enabled\":true,"
		 "\"signing_required\":false,\"server_guid\":\"g\","
		 "\"capability_names\":\"DFS\",\"null_session\":true,"
		 "\"null_share_list\":true,\"shares\":[{\"name\":\"public\","
		 "\"type\":\"disk\"},{\"name\":\"IPC$\",\"type\":\"ipc\"}],"
		 "\"readable_shares\":[{\"name\":\"public\",\"as\":"
		 "\"anonymous\",\"entries\":1,\"sample\":[\"readme.txt\"]}],"
		 "\"guest\":true,\"canary_user\":\"xqabc\","
		 "\"canary_password\":\"Czsecret\","
		 "\"logins\":[{\"user\":\"admin\",\"password\":\"x\"}]}",
		 ids, sizeof(ids));
	/* the guest mapping hides any login: no weak_credentials */
	cr_expect_str_eq(ids, "smb.smbv1,smb.signing_not_required,"
			      "smb.null_session,smb.guest_access,"
			      "smb.anonymous_share_read");
	g = find(&f, "smb.guest_access");
	cr_assert_not_null(g);
	cr_expect_str_eq(g->secret, "<redacted>");
	cr_expect(strstr(g->evidence, "Czsecret") == NULL);
	cr_expect(strstr(find(&f, "smb.anonymous_share_read")->evidence,
			 "readme.txt") != NULL);
	cr_expect(strstr(find(&f, "smb.signing_not_required")->evidence,
			 "0x0001") != NULL);
	ctx_free(f.ctx);
}

Test(smb_assess, hardened_server_nothing)
{
	struct fixture f;
	char ids[512];

	fixture_init(&f, false);
	rules_of(&f,
		 "{\"smb1\":false,\"smb1_refused\":\"no dialect "
		 "accepted\",\"dialect\":\"3.1.1\",\"security_mode\":3,"
		 "\"signing_enabled\":true,\"signing_required\":true,"
		 "\"null_session\":false,\"null_refused\":\"IPC$ tree "
		 "connect refused\",\"guest\":false,\"login_attempts\":15}",
		 ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	ctx_free(f.ctx);
}

Test(smb_assess, weak_credentials_and_lockout)
{
	struct fixture f;
	const struct finding *w;
	char ids[512];

	fixture_init(&f, true);
	rules_of(&f,
		 "{\"smb1\":false,\"dialect\":\"3.1.1\","
		 "\"security_mode\":3,\"signing_required\":true,"
		 "\"guest\":false,\"logins\":[{\"user\":\"admin\","
		 "\"password\":\"admin\"}],\"lockout_user\":\"backup\","
		 "\"lockout_status\":\"STATUS_ACCOUNT_LOCKED_OUT\"}",
		 ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.weak_credentials");
	w = find(&f, "smb.weak_credentials");
	cr_expect_str_eq(w->secret, "admin:admin");
	cr_expect(strstr(w->evidence, "admin") != NULL);
	cr_expect(strstr(w->evidence, "STATUS_ACCOUNT_LOCKED_OUT") != NULL);
	cr_expect(strstr(w->evidence, ":admin") == NULL);
	ctx_free(f.ctx);
}

Test(smb_assess, signing_smb1_only_and_smb2_silent)
{
	struct fixture f;
	char ids[512];

	/* an SMB1-only server: its SecurityMode decides */
	fixture_init(&f, false);
	rules_of(&f,
		 "{\"smb1\":true,\"smb1_security_mode\":15,"
		 "\"smb1_signing_required\":true,\"smb2_error\":\"reset\"}",
		 ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.smbv1");
	ctx_free(f.ctx);
	fixture_init(&f, false);
	rules_of(&f,
		 "{\"smb1\":true,\"smb1_security_mode\":7,"
		 "\"smb1_signing_required\":false}",
		 ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.smbv1,smb.signing_not_required");
	ctx_free(f.ctx);
}

Test(smb_assess, null_ipc_without_share_list_and_empty_facts)
{
	struct fixture f;
	char ids[512];

	fixture_init(&f, false);
	rules_of(&f, "{\"null_session\":true,\"null_share_list\":false}", ids,
		 sizeof(ids));
	cr_expect_str_eq(ids, "smb.null_session");
	cr_expect(strstr(find(&f, "smb.null_session")->evidence,
			 "none listed") != NULL);
	ctx_free(f.ctx);
	fixture_init(&f, false);
	rules_of(&f, "{}", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	ctx_free(f.ctx);
}

Test(smb_check, declares_its_rules)
{
	static const char *const ids[] = {
		"smb.smbv1",
		"smb.signing_not_required",
		"smb.null_session",
		"smb.guest_access",
		"smb.anonymous_share_read",
		"smb.weak_credentials",
	};
	size_t i;

	cr_expect_eq(check_smb.nrules, LEN(ids));
	for (i = 0; i < LEN(ids); i++)
		cr_expect_not_null(check_rule(&check_smb, ids[i]), "%s",
				   ids[i]);
	cr_expect_eq(check_smb.default_max_attempts, 3);
	cr_expect_eq(check_smb.max_parallel, 1);
	cr_expect_not_null(check_smb.run);
	cr_expect_not_null(check_smb.step);
}
