/*
 * rdp_wire.c - pure builders and parsers for X.224 / RDP_NEG, the MCS
 * Connect Initial / Response and the CredSSP TSRequest with NTLM
 * NEGOTIATE / CHALLENGE (MS-RDPBCGR 2.2.1.1-2.2.1.4, T.123, T.125, T.124,
 * MS-CSSP 2.2.1, MS-NLMP 2.2.1). See rdp_wire.h.
 *
 * Every length read from the wire is checked against what is left in the
 * buffer before it is used; nothing is allocated.
 */
#include <string.h>
#include "expo.h"
#include "rdp_wire.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- a bounded writer ---- */

struct wbuf {
	uint8_t *p;
	size_t size, len;
	bool overflow;
};

static void w_bytes(struct wbuf *w, const void *data, size_t n)
{
	if (w->overflow || n > w->size - w->len) {
		w->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_be16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	w_bytes(w, b, 2);
}

static void w_le16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	w_bytes(w, b, 2);
}

static void w_le32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	w_bytes(w, b, 4);
}

static void w_zero(struct wbuf *w, size_t n)
{
	static const uint8_t z[64];

	while (n > 0 && !w->overflow) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		w_bytes(w, z, k);
		n -= k;
	}
}

/* ---- X.224 Connection Request / Confirm ---- */

int rdp_wire_build_cr(uint8_t *buf, size_t size, const char *cookie,
		      uint32_t protocols, size_t *len)
{
	static const char pre[] = "Cookie: mstshash=";
	struct wbuf w = { .p = buf, .size = size };
	size_t clen = cookie != NULL ? strlen(cookie) : 0, i, total;
	int err = EXPO_EINVAL;

	if (clen > 64)
		goto out;
	for (i = 0; i < clen; i++) {
		if (cookie[i] < 0x21 || cookie[i] > 0x7e || cookie[i] == ';')
			goto out;
	}
	/* TPKT + LI + 6 bytes of CR TPDU + cookie line + RDP_NEG_REQ */
	total = 4 + 1 + 6 + (clen ? sizeof(pre) - 1 + clen + 2 : 0) + 8;
	w_u8(&w, 3);
	w_u8(&w, 0);
	w_be16(&w, (uint16_t)total);
	w_u8(&w, (uint8_t)(total - 5)); /* LI: the TPDU after this byte */
	w_u8(&w, 0xe0);			/* CR, CDT 0 */
	w_be16(&w, 0);			/* DST-REF */
	w_be16(&w, 0);			/* SRC-REF */
	w_u8(&w, 0);			/* class 0 */
	if (clen) {
		w_bytes(&w, pre, sizeof(pre) - 1);
		w_bytes(&w, cookie, clen);
		w_bytes(&w, "\r\n", 2);
	}
	w_u8(&w, 0x01); /* TYPE_RDP_NEG_REQ */
	w_u8(&w, 0);	/* flags */
	w_le16(&w, 8);
	w_le32(&w, protocols);
	if (w.overflow) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	*len = w.len;
	err = 0;
out:
	return err;
}

int rdp_wire_tpkt(const void *buf, size_t len, size_t max, size_t *pdulen)
{
	const uint8_t *p = buf;
	size_t n;
	int err = RDP_WIRE_MORE;

	if (len < 4)
		goto out;
	if (p[0] != 3) {
		err = EXPO_EPARSE;
		goto out;
	}
	n = (size_t)p[2] << 8 | p[3];
	if (n < 7) {
		err = EXPO_EPARSE;
		goto out;
	}
	if (n > max) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	*pdulen = n;
	err = 0;
out:
	return err;
}

int rdp_wire_cc(const void *buf, size_t len, struct rdp_cc *out, size_t *used)
{
	const uint8_t *p = buf;
	struct rdp_cc cc;
	size_t n = 0;
	uint8_t li;
	int err;

	memset(&cc, 0, sizeof(cc));
	err = rdp_wire_tpkt(buf, len, RDP_CC_MAX, &n);
	if (err)
		goto out;
	if (len < n) {
		err = RDP_WIRE_MORE;
		goto out;
	}
	err = EXPO_EPARSE;
	li = p[4];
	if ((size_t)li + 5 != n || n < 11)
		goto out; /* the two lengths disagree: a lying TPKT */
	if ((p[5] & 0xf0) != 0xd0) {
		err = EXPO_EPROTO; /* DR (0x80), DT (0xf0), ... */
		goto out;
	}
	if (li == 6) {
		cc.kind = RDP_NEG_NONE;
	} else if (li < 14) {
		goto out; /* a negotiation block cut short */
	} else {
		const uint8_t *neg = p + 11;

		if (get_le16(neg + 2) != 8)
			goto out;
		if (neg[0] == 0x02) {
			cc.kind = RDP_NEG_RSP;
			cc.flags = neg[1];
			cc.selected = get_le32(neg + 4);
		} else if (neg[0] == 0x03) {
			cc.kind = RDP_NEG_FAILURE;
			cc.failure = get_le32(neg + 4);
		} else {
			goto out;
		}
	}
	*out = cc;
	*used = n;
	err = 0;
out:
	return err;
}

/* ---- MCS Connect Initial ---- */

#define CS_CORE_LEN 216
#define CS_SECURITY_LEN 12
#define CS_NET_LEN 8
#define CS_USERDATA_LEN (CS_CORE_LEN + CS_SECURITY_LEN + CS_NET_LEN)

static void w_cs_core(struct wbuf *w, uint32_t selected)
{
	static const char name[] = "exposure";
	size_t i;

	w_le16(w, 0xc001);
	w_le16(w, CS_CORE_LEN);
	w_le32(w, 0x00080004);	 /* RDP 5.0 and later */
	w_le16(w, 1024);	 /* desktopWidth */
	w_le16(w, 768);		 /* desktopHeight */
	w_le16(w, 0xca01);	 /* colorDepth: RNS_UD_COLOR_8BPP */
	w_le16(w, 0xaa03);	 /* SASSequence */
	w_le32(w, 0x409);	 /* keyboardLayout: en-US */
	w_le32(w, 2600);	 /* clientBuild */
	for (i = 0; i < 16; i++) /* clientName: 32 bytes UTF-16LE */
		w_le16(w, i < sizeof(name) - 1 ? (uint16_t)name[i] : 0);
	w_le32(w, 4);	     /* keyboardType: IBM enhanced */
	w_le32(w, 0);	     /* keyboardSubType */
	w_le32(w, 12);	     /* keyboardFunctionKey */
	w_zero(w, 64);	     /* imeFileName */
	w_le16(w, 0xca01);   /* postBeta2ColorDepth */
	w_le16(w, 1);	     /* clientProductId */
	w_le32(w, 0);	     /* serialNumber */
	w_le16(w, 16);	     /* highColorDepth */
	w_le16(w, 0x0007);   /* supportedColorDepths: 24, 16, 15 bpp */
	w_le16(w, 0x0001);   /* earlyCapabilityFlags: ERRINFO PDU */
	w_zero(w, 64);	     /* clientDigProductId */
	w_u8(w, 0);	     /* connectionType */
	w_u8(w, 0);	     /* pad1octet */
	w_le32(w, selected); /* serverSelectedProtocol */
}

/* a DomainParameters SEQUENCE; v[6] (maxMCSPDUsize) is 2 bytes, others
 * as given by their size */
static void w_domain_params(struct wbuf *w, const uint16_t v[8])
{
	size_t i, len = 0;

	for (i = 0; i < 8; i++)
		len += v[i] > 0xff || i == 6 ? 4 : 3;
	w_u8(w, 0x30);
	w_u8(w, (uint8_t)len);
	for (i = 0; i < 8; i++) {
		w_u8(w, 0x02);
		if (v[i] > 0xff || i == 6) {
			w_u8(w, 2);
			w_be16(w, v[i]);
		} else {
			w_u8(w, 1);
			w_u8(w, (uint8_t)v[i]);
		}
	}
}

int rdp_wire_build_mcs_ci(uint8_t *buf, size_t size, uint32_t selected,
			  size_t *len)
{
	static const uint8_t gcc_oid[] = { 0x00, 0x05, 0x00, 0x14,
					   0x7c, 0x00, 0x01 };
	/* ConferenceCreateRequest: no password, name "1", h221 key "Duca" */
	static const uint8_t gcc_ccr[] = { 0x00, 0x08, 0x00, 0x10, 0x00, 0x01,
					   0xc0, 0x00, 'D',  'u',  'c',	 'a' };
	static const uint16_t target[8] = { 34, 2, 0, 1, 0, 1, 0xffff, 2 };
	static const uint16_t minimum[8] = { 1, 1, 1, 1, 0, 1, 0x420, 2 };
	static const uint16_t maximum[8] = { 0xffff, 0xfc17, 0xffff, 1,
					     0,	     1,	     0xffff, 2 };
	struct wbuf w = { .p = buf, .size = size };
	size_t connect_pdu = sizeof(gcc_ccr) + 2 + CS_USERDATA_LEN;
	size_t gcc = sizeof(gcc_oid) + 2 + connect_pdu;
	size_t params = (2 + 25) * 2 + (2 + 28);
	size_t ci = 9 + params + 4 + gcc; /* 9: two selectors, flag */
	size_t total = 4 + 3 + 5 + ci;
	int err = 0;

	w_u8(&w, 3); /* TPKT */
	w_u8(&w, 0);
	w_be16(&w, (uint16_t)total);
	w_u8(&w, 2); /* X.224 DT, EOT */
	w_u8(&w, 0xf0);
	w_u8(&w, 0x80);
	w_u8(&w, 0x7f); /* [APPLICATION 101] Connect-Initial */
	w_u8(&w, 0x65);
	w_u8(&w, 0x82);
	w_be16(&w, (uint16_t)ci);
	w_bytes(&w, "\x04\x01\x01\x04\x01\x01\x01\x01\xff", 9);
	w_domain_params(&w, target);
	w_domain_params(&w, minimum);
	w_domain_params(&w, maximum);
	w_u8(&w, 0x04); /* userData OCTET STRING */
	w_u8(&w, 0x82);
	w_be16(&w, (uint16_t)gcc);
	w_bytes(&w, gcc_oid, sizeof(gcc_oid));
	w_be16(&w, (uint16_t)(0x8000 | connect_pdu)); /* PER length */
	w_bytes(&w, gcc_ccr, sizeof(gcc_ccr));
	w_be16(&w, (uint16_t)(0x8000 | CS_USERDATA_LEN));
	w_cs_core(&w, selected);
	w_le16(&w, 0xc002); /* CS_SECURITY */
	w_le16(&w, CS_SECURITY_LEN);
	w_le32(&w,
	       RDP_ENC_40BIT | RDP_ENC_56BIT | RDP_ENC_128BIT | RDP_ENC_FIPS);
	w_le32(&w, 0);	    /* extEncryptionMethods */
	w_le16(&w, 0xc003); /* CS_NET */
	w_le16(&w, CS_NET_LEN);
	w_le32(&w, 0); /* channelCount */
	if (w.overflow || w.len != total) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	*len = w.len;
out:
	return err;
}

/* ---- BER/DER ---- */

/*
 * One BER/DER element with a one-byte tag and a definite length at the
 * start of p: 0, *tag, *val and *vlen (inside p) and *used; RDP_WIRE_MORE if
 * the header or the value runs past len; EXPO_EPARSE for a high tag
 * number or an indefinite or over-long length.
 */
static int ber_read(const uint8_t *p, size_t len, uint8_t *tag,
		    const uint8_t **val, size_t *vlen, size_t *used)
{
	size_t hdr = 2, n, i;
	int err = RDP_WIRE_MORE;

	if (len < 2)
		goto out;
	if ((p[0] & 0x1f) == 0x1f) {
		err = EXPO_EPARSE;
		goto out;
	}
	if (p[1] < 0x80) {
		n = p[1];
	} else {
		size_t k = p[1] & 0x7f;

		if (k == 0 || k > 3) {
			err = EXPO_EPARSE;
			goto out;
		}
		if (len < 2 + k)
			goto out;
		n = 0;
		for (i = 0; i < k; i++)
			n = n << 8 | p[2 + i];
		hdr += k;
	}
	if (n > len - hdr)
		goto out;
	*tag = p[0];
	*val = p + hdr;
	*vlen = n;
	*used = hdr + n;
	err = 0;
out:
	return err;
}

/* like ber_read(), but inside a complete value: running past is malformed */
static int ber_in(const uint8_t *p, size_t len, uint8_t *tag,
		  const uint8_t **val, size_t *vlen, size_t *used)
{
	int err = ber_read(p, len, tag, val, vlen, used);

	return err == RDP_WIRE_MORE ? EXPO_EPARSE : err;
}

static uint32_t ber_uint(const uint8_t *v, size_t n)
{
	uint32_t x = 0;
	size_t i;

	/* the low 32 bits: DER adds a leading 0 to 0x80000000 and above */
	for (i = n > 4 ? n - 4 : 0; i < n; i++)
		x = x << 8 | v[i];
	return x;
}

/* ---- MCS Connect Response ---- */

/* the server data blocks after the GCC header (2.2.1.4) */
static int parse_sc_blocks(const uint8_t *p, size_t len,
			   struct rdp_mcs_rsp *out)
{
	size_t pos = 0;
	int err = EXPO_EPARSE;

	while (pos + 4 <= len) {
		uint16_t type = get_le16(p + pos);
		uint16_t blen = get_le16(p + pos + 2);
		const uint8_t *b = p + pos;

		if (blen < 4 || blen > len - pos)
			goto out;
		if (type == 0x0c01 && blen >= 8) {
			out->have_core = true;
			out->version = get_le32(b + 4);
		} else if (type == 0x0c02 && blen >= 12) {
			out->have_security = true;
			out->enc_method = get_le32(b + 4);
			out->enc_level = get_le32(b + 8);
		}
		pos += blen;
	}
	err = 0;
out:
	return err;
}

/* GCC Conference Create Response (T.124 PER): find the "McDn" h221 key,
 * then the PER length of the user data that follows it */
static int parse_gcc_rsp(const uint8_t *p, size_t len, struct rdp_mcs_rsp *out)
{
	size_t i, n, pos;
	int err = EXPO_EPARSE;

	for (i = 0; i + 4 <= len && i < 48; i++) {
		if (memcmp(p + i, "McDn", 4) == 0)
			break;
	}
	if (i + 4 > len || i >= 48)
		goto out;
	pos = i + 4;
	if (pos >= len)
		goto out;
	if (p[pos] & 0x80) {
		if (pos + 2 > len)
			goto out;
		n = (size_t)(p[pos] & 0x3f) << 8 | p[pos + 1];
		pos += 2;
	} else {
		n = p[pos];
		pos += 1;
	}
	if (n > len - pos)
		goto out;
	err = parse_sc_blocks(p + pos, n, out);
out:
	return err;
}

int rdp_wire_mcs_rsp(const void *buf, size_t len, struct rdp_mcs_rsp *out,
		     size_t *used)
{
	const uint8_t *p = buf, *val = NULL, *body;
	struct rdp_mcs_rsp r;
	size_t n = 0, vlen = 0, u = 0, pos, blen;
	uint8_t tag = 0;
	bool have_result = false, have_userdata = false;
	int err;

	memset(&r, 0, sizeof(r));
	err = rdp_wire_tpkt(buf, len, RDP_TPKT_MAX, &n);
	if (err)
		goto out;
	if (len < n) {
		err = RDP_WIRE_MORE;
		goto out;
	}
	err = EXPO_EPARSE;
	if (p[4] != 2 || n < 9)
		goto out;
	if (p[5] != 0xf0) {
		err = EXPO_EPROTO; /* a disconnect request */
		goto out;
	}
	body = p + 7;
	blen = n - 7;
	if (body[0] != 0x7f || body[1] != 0x66) {
		err = EXPO_EPROTO; /* not a Connect-Response */
		goto out;
	}
	/* [APPLICATION 102]: the two-byte tag, then a BER length; read it
	 * as a one-byte-tag element starting one byte later */
	err = ber_in(body + 1, blen - 1, &tag, &val, &vlen, &u);
	if (err)
		goto out;
	pos = 0;
	while (pos < vlen) {
		const uint8_t *v = NULL;
		size_t l = 0, k = 0;

		err = ber_in(val + pos, vlen - pos, &tag, &v, &l, &k);
		if (err)
			goto out;
		if (tag == 0x0a && !have_result) { /* Result */
			r.result = ber_uint(v, l);
			have_result = true;
		} else if (tag == 0x04 && !have_userdata) { /* userData */
			have_userdata = true;
			if (r.result == 0) {
				err = parse_gcc_rsp(v, l, &r);
				if (err)
					goto out;
			}
		}
		pos += k;
	}
	err = EXPO_EPARSE;
	if (!have_result || (r.result == 0 && !have_userdata))
		goto out;
	*out = r;
	*used = n;
	err = 0;
out:
	return err;
}

/* ---- names ---- */

const char *rdp_enc_method_name(uint32_t m)
{
	switch (m) {
	case RDP_ENC_NONE:
		return "none";
	case RDP_ENC_40BIT:
		return "40-bit RC4";
	case RDP_ENC_56BIT:
		return "56-bit RC4";
	case RDP_ENC_128BIT:
		return "128-bit RC4";
	case RDP_ENC_FIPS:
		return "FIPS 3DES";
	default:
		return "unknown";
	}
}

const char *rdp_enc_level_name(uint32_t l)
{
	static const char *const names[] = {
		"None", "Low", "Client Compatible", "High", "FIPS",
	};

	return l < ARRAY_SIZE(names) ? names[l] : "unknown";
}

const char *rdp_failure_name(uint32_t code)
{
	static const char *const names[] = {
		"unknown",
		"SSL_REQUIRED_BY_SERVER",
		"SSL_NOT_ALLOWED_BY_SERVER",
		"SSL_CERT_NOT_ON_SERVER",
		"INCONSISTENT_FLAGS",
		"HYBRID_REQUIRED_BY_SERVER",
		"SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
	};

	return code < ARRAY_SIZE(names) ? names[code] : "unknown";
}

const char *rdp_protocol_name(uint32_t p)
{
	switch (p) {
	case RDP_PROTO_RDP:
		return "RDP";
	case RDP_PROTO_SSL:
		return "SSL";
	case RDP_PROTO_HYBRID:
		return "HYBRID";
	case RDP_PROTO_RDSTLS:
		return "RDSTLS";
	case RDP_PROTO_HYBRID_EX:
		return "HYBRID_EX";
	case RDP_PROTO_RDSAAD:
		return "RDSAAD";
	default:
		return NULL;
	}
}

/* ---- CredSSP / NTLM ---- */

#define NTLM_NEGOTIATE_UNICODE 0x00000001u
#define NTLM_REQUEST_TARGET 0x00000004u
#define NTLM_NEGOTIATE_NTLM 0x00000200u
#define NTLM_ALWAYS_SIGN 0x00008000u
#define NTLM_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLM_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLM_NEGOTIATE_VERSION 0x02000000u
#define NTLM_NEGOTIATE_128 0x20000000u
#define NTLM_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLM_NEGOTIATE_56 0x80000000u
#define NTLM_NEGOTIATE_LEN 40

int rdp_wire_build_tsreq_ntlm(uint8_t *buf, size_t size, size_t *len)
{
	struct wbuf w = { .p = buf, .size = size };
	size_t tok = NTLM_NEGOTIATE_LEN;
	int err = 0;

	/* TSRequest { version [0] 6, negoTokens [1] { { [0] token } } };
	 * every length is under 128: short-form DER lengths */
	w_u8(&w, 0x30);
	w_u8(&w, (uint8_t)(tok + 15));
	w_bytes(&w, "\xa0\x03\x02\x01\x06", 5);
	w_u8(&w, 0xa1);
	w_u8(&w, (uint8_t)(tok + 8));
	w_u8(&w, 0x30);
	w_u8(&w, (uint8_t)(tok + 6));
	w_u8(&w, 0x30);
	w_u8(&w, (uint8_t)(tok + 4));
	w_u8(&w, 0xa0);
	w_u8(&w, (uint8_t)(tok + 2));
	w_u8(&w, 0x04);
	w_u8(&w, (uint8_t)tok);
	/* NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) */
	w_bytes(&w, "NTLMSSP", 8); /* with its NUL */
	w_le32(&w, 1);
	w_le32(&w, NTLM_NEGOTIATE_UNICODE | NTLM_REQUEST_TARGET |
			   NTLM_NEGOTIATE_NTLM | NTLM_ALWAYS_SIGN |
			   NTLM_EXTENDED_SESSIONSECURITY |
			   NTLM_NEGOTIATE_TARGET_INFO | NTLM_NEGOTIATE_VERSION |
			   NTLM_NEGOTIATE_128 | NTLM_NEGOTIATE_KEY_EXCH |
			   NTLM_NEGOTIATE_56);
	w_zero(&w, 16); /* DomainNameFields, WorkstationFields */
	/* Version 0.0.0, NTLMSSP_REVISION_W2K3: WinPR servers echo the
	 * client's version, so a made-up one would pass for the server's */
	w_bytes(&w, "\x00\x00\x00\x00\x00\x00\x00\x0f", 8);
	if (w.overflow) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	*len = w.len;
out:
	return err;
}

int rdp_wire_der_total(const void *buf, size_t len, size_t max, size_t *total)
{
	const uint8_t *p = buf;
	size_t n = 0, hdr = 2, i, k;
	int err = RDP_WIRE_MORE;

	if (len < 2)
		goto out;
	err = EXPO_EPARSE;
	if (p[0] != 0x30)
		goto out;
	if (p[1] < 0x80) {
		n = p[1];
	} else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 3)
			goto out;
		err = RDP_WIRE_MORE;
		if (len < 2 + k)
			goto out;
		for (i = 0; i < k; i++)
			n = n << 8 | p[2 + i];
		hdr += k;
	}
	if (n > max || hdr + n > max) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	*total = hdr + n;
	err = 0;
out:
	return err;
}

/* UTF-16LE (or OEM bytes) to printable ASCII, '?' for anything else */
static void to_ascii(char *dst, size_t size, const uint8_t *src, size_t n,
		     bool unicode)
{
	size_t i, o = 0, step = unicode ? 2 : 1;

	for (i = 0; i + step <= n && o + 1 < size; i += step) {
		unsigned c = unicode ? get_le16(src + i) : src[i];

		dst[o++] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
	}
	dst[o] = '\0';
}

/* a security buffer (len, maxlen, offset) at p[at] inside msg: false if
 * it points outside the message */
static bool ntlm_field(const uint8_t *msg, size_t mlen, size_t at,
		       const uint8_t **v, size_t *vlen)
{
	size_t l = get_le16(msg + at);
	size_t off = get_le32(msg + at + 4);
	bool ok = false;

	if (l == 0) {
		off = 0; /* an empty field may point anywhere */
	} else if (off > mlen || l > mlen - off) {
		goto out;
	}
	*v = msg + off;
	*vlen = l;
	ok = true;
out:
	return ok;
}

int rdp_wire_ntlm_challenge(const void *buf, size_t len,
			    struct rdp_ntlm_info *out)
{
	const uint8_t *m = buf, *tn = NULL, *ti = NULL;
	struct rdp_ntlm_info info;
	size_t tnlen = 0, tilen = 0, pos = 0;
	bool uni;
	int err = EXPO_EPARSE;

	memset(&info, 0, sizeof(info));
	if (len < 48 || memcmp(m, "NTLMSSP", 8) != 0 || get_le32(m + 8) != 2)
		goto out;
	info.flags = get_le32(m + 20);
	uni = info.flags & NTLM_NEGOTIATE_UNICODE;
	if (!ntlm_field(m, len, 12, &tn, &tnlen) ||
	    !ntlm_field(m, len, 40, &ti, &tilen))
		goto out;
	to_ascii(info.target_name, sizeof(info.target_name), tn, tnlen, uni);
	if ((info.flags & NTLM_NEGOTIATE_VERSION) && len >= 56) {
		info.have_version = true;
		info.major = m[48];
		info.minor = m[49];
		info.build = get_le16(m + 50);
	}
	/* AV_PAIRs (2.2.2.1) up to MsvAvEOL */
	while (pos + 4 <= tilen) {
		uint16_t id = get_le16(ti + pos);
		size_t alen = get_le16(ti + pos + 2);
		const uint8_t *v = ti + pos + 4;
		char *dst = NULL;
		size_t dsize = 0;

		if (id == 0)
			break;
		if (alen > tilen - pos - 4)
			goto out;
		switch (id) {
		case 1:
			dst = info.nb_computer;
			dsize = sizeof(info.nb_computer);
			break;
		case 2:
			dst = info.nb_domain;
			dsize = sizeof(info.nb_domain);
			break;
		case 3:
			dst = info.dns_computer;
			dsize = sizeof(info.dns_computer);
			break;
		case 4:
			dst = info.dns_domain;
			dsize = sizeof(info.dns_domain);
			break;
		case 5:
			dst = info.dns_tree;
			dsize = sizeof(info.dns_tree);
			break;
		default:
			break;
		}
		if (dst != NULL)
			to_ascii(dst, dsize, v, alen, true);
		pos += 4 + alen;
	}
	*out = info;
	err = 0;
out:
	return err;
}

int rdp_wire_tsreq_challenge(const void *buf, size_t len,
			     struct rdp_ntlm_info *out, uint32_t *errcode)
{
	static const uint8_t path[4] = { 0x30, 0x30, 0xa0, 0x04 };
	const uint8_t *val = NULL, *tok = NULL;
	size_t vlen = 0, used = 0, pos = 0, toklen = 0;
	uint8_t tag = 0;
	bool have_err = false;
	uint32_t code = 0;
	int err;

	err = ber_in(buf, len, &tag, &val, &vlen, &used);
	if (err)
		goto out;
	err = EXPO_EPARSE;
	if (tag != 0x30)
		goto out;
	while (pos < vlen && tok == NULL) {
		const uint8_t *v = NULL, *v2 = NULL;
		size_t l = 0, k = 0, l2 = 0, k2 = 0;
		int depth;

		err = ber_in(val + pos, vlen - pos, &tag, &v, &l, &k);
		if (err)
			goto out;
		pos += k;
		if (tag == 0xa4) { /* errorCode [4] INTEGER */
			err = ber_in(v, l, &tag, &v2, &l2, &k2);
			if (err)
				goto out;
			code = ber_uint(v2, l2);
			have_err = true;
			continue;
		}
		if (tag != 0xa1)
			continue;
		/* negoTokens [1] SEQUENCE OF SEQUENCE { [0] OCTET STRING } */
		for (depth = 0; depth < 4; depth++) {
			err = ber_in(v, l, &tag, &v2, &l2, &k2);
			if (err)
				goto out;
			err = EXPO_EPARSE;
			if (tag != path[depth])
				goto out;
			v = v2;
			l = l2;
		}
		tok = v;
		toklen = l;
	}
	err = EXPO_EPARSE;
	if (tok == NULL) {
		if (have_err) {
			*errcode = code;
			err = EXPO_EPROTO;
		}
		goto out;
	}
	err = rdp_wire_ntlm_challenge(tok, toklen, out);
out:
	return err;
}
