/*
 * smb_wire.c - builders and parsers for the SMB1 and SMB2 NEGOTIATE
 * exchange (see smb_wire.h). Every length the server sends is checked
 * against the bytes actually received before it is used.
 *
 * References: MS-CIFS 2.2.3.1 (SMB1 header), 2.2.4.52 (NEGOTIATE);
 * MS-SMB2 2.1 (Direct TCP transport), 2.2.1 (SMB2 header), 2.2.3 and
 * 2.2.4 (NEGOTIATE request and response), 2.2.3.1 (negotiate contexts).
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "smb_wire.h"

#define SMB1_HDR 32
#define SMB2_HDR 64
#define SMB2_NEG_RSP_FIXED 64 /* StructureSize 65: 64 + 1-byte buffer */

#define CTX_PREAUTH 0x0001
#define CTX_ENCRYPTION 0x0002
#define CTX_SIGNING 0x0008

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

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

int smb_wire_frame(const void *buf, size_t len, const uint8_t **pdu,
		   size_t *pdulen, size_t *used)
{
	const uint8_t *p = buf;
	size_t off = 0;
	int rc = SMB_WIRE_MORE;

	for (;;) {
		size_t n;

		if (len - off < 4)
			goto out;
		n = (size_t)p[off + 1] << 16 | (size_t)p[off + 2] << 8 |
		    p[off + 3];
		if (p[off] == 0x85 && n == 0) { /* session keepalive */
			off += 4;
			continue;
		}
		if (p[off] != 0x00) {
			rc = EXPO_EPARSE;
			goto out;
		}
		if (n > SMB_PDU_MAX) {
			rc = EXPO_ETOOBIG;
			goto out;
		}
		if (len - off - 4 < n)
			goto out;
		*pdu = p + off + 4;
		*pdulen = n;
		*used = off + 4 + n;
		rc = 0;
		break;
	}
out:
	return rc;
}

static void frame_len(uint8_t *out, size_t n)
{
	out[0] = 0;
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
}

size_t smb_wire_smb1_negotiate_req(uint8_t *out, size_t size)
{
	static const char dialect[] = "NT LM 0.12";
	size_t n = 4 + SMB1_HDR + 1 + 2 + 1 + sizeof(dialect);
	uint8_t *h = out + 4;

	if (size < n)
		return 0;
	memset(out, 0, n);
	frame_len(out, n - 4);
	memcpy(h, "\xffSMB", 4);
	h[4] = 0x72; /* SMB_COM_NEGOTIATE */
	h[9] = 0x18; /* case-insensitive, canonical paths */
	/* unicode, NT status codes, extended security, long names */
	put16(h + 10, 0xC801);
	put16(h + 26, 0xFEFF); /* PIDLow */
	h[SMB1_HDR] = 0;       /* WordCount */
	put16(h + SMB1_HDR + 1, (uint16_t)(1 + sizeof(dialect)));
	h[SMB1_HDR + 3] = 0x02; /* dialect buffer format */
	memcpy(h + SMB1_HDR + 4, dialect, sizeof(dialect));
	return n;
}

/* appends one negotiate context at *off (8-aligned first); its size */
static size_t put_ctx(uint8_t *h, size_t *off, uint16_t type,
		      const uint8_t *data, uint16_t dlen)
{
	while (*off % 8)
		h[(*off)++] = 0;
	put16(h + *off, type);
	put16(h + *off + 2, dlen);
	put32(h + *off + 4, 0);
	memcpy(h + *off + 8, data, dlen);
	*off += 8u + dlen;
	return 8u + dlen;
}

size_t smb_wire_smb2_negotiate_req(uint8_t *out, size_t size,
				   const uint8_t guid[16],
				   const uint8_t salt[32])
{
	static const uint16_t dialects[] = { 0x0202, 0x0210, 0x0300, 0x0302,
					     0x0311 };
	uint8_t preauth[2 + 2 + 2 + 32], enc[2 + 4 * 2], sign[2 + 3 * 2];
	uint8_t *h = out + 4;
	size_t off, i, ctxoff;

	/* header + body + dialects + contexts (with padding): < 300 */
	if (size < 320)
		return 0;
	memset(out, 0, 320);
	memcpy(h, "\xfeSMB", 4);
	put16(h + 4, SMB2_HDR); /* StructureSize */
	put16(h + 14, 1);	/* CreditRequest */
	/* NEGOTIATE body */
	put16(h + 64, 36);
	put16(h + 66, (uint16_t)(ARRAY_SIZE(dialects)));
	put16(h + 68, SMB2_SIGN_ENABLED);
	/* DFS, leasing, large MTU, multi-channel, persistent handles,
	 * directory leasing, encryption: what a current client offers */
	put32(h + 72, 0x7F);
	memcpy(h + 76, guid, 16);
	off = 64 + 36;
	for (i = 0; i < ARRAY_SIZE(dialects); i++, off += 2)
		put16(h + off, dialects[i]);
	while (off % 8)
		h[off++] = 0;
	ctxoff = off;
	put32(h + 92, (uint32_t)ctxoff); /* NegotiateContextOffset */
	put16(h + 96, 3);		 /* NegotiateContextCount */

	put16(preauth, 1);	/* HashAlgorithmCount */
	put16(preauth + 2, 32); /* SaltLength */
	put16(preauth + 4, 1);	/* SHA-512 */
	memcpy(preauth + 6, salt, 32);
	put_ctx(h, &off, CTX_PREAUTH, preauth, sizeof(preauth));

	put16(enc, 4);	   /* CipherCount */
	put16(enc + 2, 2); /* AES-128-GCM */
	put16(enc + 4, 1); /* AES-128-CCM */
	put16(enc + 6, 4); /* AES-256-GCM */
	put16(enc + 8, 3); /* AES-256-CCM */
	put_ctx(h, &off, CTX_ENCRYPTION, enc, sizeof(enc));

	put16(sign, 3);	    /* SigningAlgorithmCount */
	put16(sign + 2, 2); /* AES-GMAC */
	put16(sign + 4, 1); /* AES-CMAC */
	put16(sign + 6, 0); /* HMAC-SHA256 */
	put_ctx(h, &off, CTX_SIGNING, sign, sizeof(sign));

	frame_len(out, off);
	return off + 4;
}

int smb_wire_smb1_negotiate(const uint8_t *pdu, size_t len,
			    struct smb1_negotiate *out)
{
	const uint8_t *w;
	size_t words, bytes, bcount;
	int rc = EXPO_EPARSE;

	memset(out, 0, sizeof(*out));
	if (len >= 4 && memcmp(pdu, "\xfeSMB", 4) == 0) {
		rc = SMB_WIRE_SMB2;
		goto out;
	}
	if (len < SMB1_HDR + 1 || memcmp(pdu, "\xffSMB", 4) != 0 ||
	    pdu[4] != 0x72 || !(pdu[9] & 0x80)) /* a reply */
		goto out;
	out->status = get32(pdu + 5);
	words = pdu[SMB1_HDR];
	w = pdu + SMB1_HDR + 1;
	if (len < SMB1_HDR + 1 + words * 2 + 2)
		goto out;
	bcount = get16(w + words * 2);
	bytes = len - (SMB1_HDR + 1 + words * 2 + 2);
	if (bcount > bytes)
		goto out;
	if (out->status != SMB_STATUS_SUCCESS && words == 0) {
		rc = EXPO_EPROTO;
		goto out;
	}
	if (words < 1)
		goto out;
	out->dialect_index = get16(w);
	if (out->dialect_index == 0xFFFF) { /* no dialect accepted */
		rc = 0;
		goto out;
	}
	/* NT LM 0.12 answers with 17 words */
	if (words != 17)
		goto out;
	out->security_mode = w[2];
	out->max_mpx = get16(w + 3);
	out->max_buffer = get32(w + 7);
	out->capabilities = get32(w + 19);
	if (out->capabilities & SMB1_CAP_EXTENDED_SECURITY) {
		if (bcount < 16)
			goto out;
		memcpy(out->server_guid, w + words * 2 + 2, 16);
		out->have_guid = true;
	}
	rc = 0;
out:
	return rc;
}

/* the 3.1.1 negotiate contexts: count at off (from the header) */
static int parse_contexts(const uint8_t *pdu, size_t len, size_t off,
			  unsigned count, struct smb2_negotiate *out)
{
	unsigned i;
	int rc = EXPO_EPARSE;

	/* MS-SMB2 2.2.4: the first context is 8-byte aligned */
	if (off % 8 || off < SMB2_HDR + SMB2_NEG_RSP_FIXED || off > len)
		goto out;
	for (i = 0; i < count; i++) {
		uint16_t type, dlen;
		const uint8_t *d;

		while (off % 8 && off < len)
			off++;
		if (len - off < 8)
			goto out;
		type = get16(pdu + off);
		dlen = get16(pdu + off + 2);
		if (len - off - 8 < dlen)
			goto out;
		d = pdu + off + 8;
		switch (type) {
		case CTX_PREAUTH:
			/* HashAlgorithmCount, SaltLength, algorithms */
			if (dlen < 6 || get16(d) < 1 ||
			    (size_t)4 + 2u * get16(d) + get16(d + 2) > dlen)
				goto out;
			out->preauth_hash = get16(d + 4);
			break;
		case CTX_ENCRYPTION:
			if (dlen < 4 || get16(d) < 1 ||
			    (size_t)2 + 2u * get16(d) > dlen)
				goto out;
			out->cipher = get16(d + 2);
			break;
		case CTX_SIGNING:
			if (dlen < 4 || get16(d) < 1 ||
			    (size_t)2 + 2u * get16(d) > dlen)
				goto out;
			out->signing_alg = get16(d + 2);
			break;
		default: /* compression, transport, RDMA: not needed */
			break;
		}
		off += 8u + dlen;
	}
	rc = 0;
out:
	return rc;
}

int smb_wire_smb2_negotiate(const uint8_t *pdu, size_t len,
			    struct smb2_negotiate *out)
{
	const uint8_t *b = pdu + SMB2_HDR;
	size_t secoff, seclen;
	int rc = EXPO_EPARSE;

	memset(out, 0, sizeof(*out));
	if (len < SMB2_HDR + 8 || memcmp(pdu, "\xfeSMB", 4) != 0 ||
	    get16(pdu + 4) != SMB2_HDR || get16(pdu + 12) != 0 ||
	    !(get32(pdu + 16) & 0x1)) /* SMB2_FLAGS_SERVER_TO_REDIR */
		goto out;
	out->status = get32(pdu + 8);
	if (out->status != SMB_STATUS_SUCCESS) {
		rc = get16(b) == 9 ? EXPO_EPROTO : EXPO_EPARSE;
		goto out;
	}
	if (len < SMB2_HDR + SMB2_NEG_RSP_FIXED || get16(b) != 65)
		goto out;
	out->security_mode = get16(b + 2);
	out->dialect = get16(b + 4);
	memcpy(out->server_guid, b + 8, 16);
	out->capabilities = get32(b + 24);
	out->max_transact = get32(b + 28);
	out->max_read = get32(b + 32);
	out->max_write = get32(b + 36);
	secoff = get16(b + 56);
	seclen = get16(b + 58);
	if (seclen > 0 && (secoff < SMB2_HDR + SMB2_NEG_RSP_FIXED ||
			   secoff > len || len - secoff < seclen))
		goto out;
	out->sec_blob_len = (uint16_t)seclen;
	if (out->dialect == 0x0311) {
		out->ncontexts = get16(b + 6);
		if (out->ncontexts > 0 &&
		    parse_contexts(pdu, len, get32(b + 60), out->ncontexts,
				   out) < 0)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

const char *smb_wire_dialect_name(uint16_t dialect)
{
	switch (dialect) {
	case 0x0202:
		return "2.0.2";
	case 0x0210:
		return "2.1";
	case 0x0300:
		return "3.0";
	case 0x0302:
		return "3.0.2";
	case 0x0311:
		return "3.1.1";
	case 0x02FF:
		return "2.???";
	default:
		return NULL;
	}
}

void smb_wire_caps_text(uint32_t caps, char *buf, size_t size)
{
	static const char *const names[] = {
		"DFS",
		"LEASING",
		"LARGE_MTU",
		"MULTI_CHANNEL",
		"PERSISTENT_HANDLES",
		"DIRECTORY_LEASING",
		"ENCRYPTION",
		"NOTIFICATIONS",
	};
	size_t i, n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(caps & (1u << i)))
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			 n++ ? ", " : "", names[i]);
	}
	if (n == 0)
		snprintf(buf, size, "none");
}

void smb_wire_guid_text(const uint8_t g[16], char *buf, size_t size)
{
	snprintf(buf, size,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}
