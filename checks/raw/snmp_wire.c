/*
 * snmp_wire.c - SNMPv2c messages (RFC 3416 PDUs in the RFC 1901 message),
 * BER as X.690 defines it, only what one GetRequest and its answer need:
 * definite lengths (short form, or long form of 1-2 bytes), single-byte
 * tags, INTEGER of at most 4 significant bytes. Every length is checked
 * against what encloses it; nothing is read past len.
 */
#include <string.h>
#include "expo.h"
#include "snmp_wire.h"

/* 1.3.6.1.2.1.1.1.0 in BER: 1.3 is 0x2b */
static const uint8_t sysdescr_oid[] = { 0x2b, 6, 1, 2, 1, 1, 1, 0 };

/* ---- encoder ---- */

struct enc {
	uint8_t *p;
	size_t cap, len;
	int err;
};

static void put(struct enc *e, const void *b, size_t n)
{
	if (e->err || n > e->cap - e->len) {
		e->err = EXPO_ETOOBIG;
		return;
	}
	memcpy(e->p + e->len, b, n);
	e->len += n;
}

/* tag and length of n content bytes (n < 65536) */
static void put_head(struct enc *e, uint8_t tag, size_t n)
{
	uint8_t h[4] = { tag };
	size_t k = 2;

	if (n < 0x80) {
		h[1] = (uint8_t)n;
	} else if (n < 0x100) {
		h[1] = 0x81;
		h[2] = (uint8_t)n;
		k = 3;
	} else {
		h[1] = 0x82;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		k = 4;
	}
	put(e, h, k);
}

static size_t head_len(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : 4;
}

/* INTEGER in its shortest two's-complement form */
static size_t int_body(int32_t v, uint8_t out[4])
{
	uint32_t u = (uint32_t)v;
	size_t n = 4, i;

	while (n > 1) {
		uint8_t top = (uint8_t)(u >> (8 * (n - 1)));
		uint8_t next = (uint8_t)(u >> (8 * (n - 2)));

		if ((top == 0 && !(next & 0x80)) ||
		    (top == 0xff && (next & 0x80)))
			n--;
		else
			break;
	}
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(u >> (8 * (n - 1 - i)));
	return n;
}

int snmp_get_sysdescr(uint8_t *out, size_t cap, const char *community,
		      int32_t request_id, size_t *len)
{
	struct enc e = { .p = out, .cap = cap };
	uint8_t rid[4];
	size_t clen, nrid, vb, vbl, pdu, msg;

	if (community == NULL ||
	    (clen = strlen(community)) > SNMP_COMMUNITY_MAX)
		return EXPO_EINVAL;
	nrid = int_body(request_id, rid);
	vb = 2 + sizeof(sysdescr_oid) + 2; /* OID, NULL */
	vbl = head_len(vb) + vb;	   /* one varbind */
	pdu = 2 + nrid + 3 + 3 + head_len(vbl) + vbl;
	msg = 3 + head_len(clen) + clen + head_len(pdu) + pdu;
	put_head(&e, 0x30, msg);
	put(&e, "\x02\x01\x01", 3); /* version: 1 = v2c */
	put_head(&e, SNMP_TAG_OCTETS, clen);
	put(&e, community, clen);
	put_head(&e, SNMP_PDU_GET, pdu);
	put_head(&e, 0x02, nrid);
	put(&e, rid, nrid);
	put(&e, "\x02\x01\x00\x02\x01\x00", 6); /* error status, index */
	put_head(&e, 0x30, vbl);
	put_head(&e, 0x30, vb);
	put_head(&e, 0x06, sizeof(sysdescr_oid));
	put(&e, sysdescr_oid, sizeof(sysdescr_oid));
	put(&e, "\x05\x00", 2);
	if (e.err)
		return e.err;
	*len = e.len;
	return 0;
}

/* ---- parser ---- */

struct tlv {
	unsigned tag;
	const uint8_t *v;
	size_t len;
};

/* the next TLV of [*p, end); moves *p past it */
static int next_tlv(const uint8_t **p, const uint8_t *end, struct tlv *t)
{
	const uint8_t *q = *p;
	size_t n, k;

	if (end - q < 2)
		return EXPO_EPARSE;
	t->tag = *q++;
	if ((t->tag & 0x1f) == 0x1f)
		return EXPO_EPARSE; /* multi-byte tags: none in SNMP */
	n = *q++;
	if (n & 0x80) {
		k = n & 0x7f;
		/* 0x80 is the indefinite form, which SNMP forbids */
		if (k == 0 || k > 2 || (size_t)(end - q) < k)
			return EXPO_EPARSE;
		for (n = 0; k > 0; k--)
			n = (n << 8) | *q++;
	}
	if (n > (size_t)(end - q))
		return EXPO_EPARSE;
	t->v = q;
	t->len = n;
	*p = q + n;
	return 0;
}

static int expect(const uint8_t **p, const uint8_t *end, unsigned tag,
		  struct tlv *t)
{
	int r = next_tlv(p, end, t);

	return r != 0 ? r : t->tag == tag ? 0 : EXPO_EPARSE;
}

/* INTEGER of 1..4 bytes (5 with a leading 0x00), sign-extended */
static int get_int(const struct tlv *t, long *out)
{
	const uint8_t *v = t->v;
	size_t n = t->len, i;
	int64_t x;

	if (t->tag != 0x02 || n == 0)
		return EXPO_EPARSE;
	if (n == 5 && v[0] == 0) {
		v++;
		n--;
	}
	if (n > 4)
		return EXPO_ETOOBIG;
	x = (v[0] & 0x80) ? -1 : 0;
	for (i = 0; i < n; i++)
		x = (int64_t)((uint64_t)x << 8) | v[i];
	*out = (long)x;
	return 0;
}

int snmp_parse_reply(const uint8_t *buf, size_t len, struct snmp_reply *out)
{
	const uint8_t *p = buf, *end = buf + len, *q, *qe, *vb, *vbe;
	struct tlv msg, t, pdu, list, bind, oid, val;
	long v;
	int r;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len > SNMP_REPLY_MAX)
		return EXPO_ETOOBIG;
	if ((r = expect(&p, end, 0x30, &msg)) != 0)
		return r;
	q = msg.v;
	qe = msg.v + msg.len;
	if ((r = expect(&q, qe, 0x02, &t)) != 0 || (r = get_int(&t, &v)) != 0)
		return r;
	out->version = v;
	if ((r = expect(&q, qe, SNMP_TAG_OCTETS, &t)) != 0)
		return r;
	if (t.len > SNMP_COMMUNITY_MAX)
		return EXPO_ETOOBIG;
	memcpy(out->community, t.v, t.len);
	out->community_len = t.len;
	if ((r = next_tlv(&q, qe, &pdu)) != 0)
		return r;
	/* context-specific, constructed: 0xa0 (Get) .. 0xa8 (Report) */
	if (pdu.tag < 0xa0 || pdu.tag > 0xa8)
		return EXPO_EPARSE;
	out->pdu_type = pdu.tag;
	q = pdu.v;
	qe = pdu.v + pdu.len;
	if ((r = expect(&q, qe, 0x02, &t)) != 0 || (r = get_int(&t, &v)) != 0)
		return r;
	out->request_id = (int32_t)v;
	if ((r = expect(&q, qe, 0x02, &t)) != 0 || (r = get_int(&t, &v)) != 0)
		return r;
	out->error_status = v;
	if ((r = expect(&q, qe, 0x02, &t)) != 0 || (r = get_int(&t, &v)) != 0)
		return r;
	out->error_index = v;
	if ((r = expect(&q, qe, 0x30, &list)) != 0)
		return r;
	vb = list.v;
	vbe = list.v + list.len;
	while (vb < vbe) {
		const uint8_t *b, *be;

		if ((r = expect(&vb, vbe, 0x30, &bind)) != 0)
			return r;
		/* a bound on what one answer may list; sysDescr is one */
		if (++out->nvarbinds > 64)
			return EXPO_ETOOBIG;
		if (out->nvarbinds > 1)
			continue;
		b = bind.v;
		be = bind.v + bind.len;
		if ((r = expect(&b, be, 0x06, &oid)) != 0 ||
		    (r = next_tlv(&b, be, &val)) != 0)
			return r;
		out->first_is_sysdescr = oid.len == sizeof(sysdescr_oid) &&
					 memcmp(oid.v, sysdescr_oid, oid.len) ==
						 0;
		out->value_tag = val.tag;
		out->value_len = val.len;
		if (val.tag == SNMP_TAG_OCTETS) {
			size_t n = val.len > SNMP_VALUE_MAX ? SNMP_VALUE_MAX
							    : val.len;

			memcpy(out->value, val.v, n);
			out->value[n] = '\0';
		}
	}
	return 0;
}
