/*
 * amqp_wire.c - bounded AMQP 0-9-1 handshake frames (see amqp_wire.h).
 * Every length is checked against what is left of its buffer; nested
 * tables and arrays are skipped by their length prefix, at most
 * AMQP_TABLE_DEPTH deep.
 */
#include <string.h>
#include "expo.h"
#include "amqp_wire.h"

const uint8_t amqp_protocol_header[8] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };

#define FRAME_END 0xCE

struct rd {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static const uint8_t *take(struct rd *r, size_t len)
{
	const uint8_t *p = NULL;

	if (!r->bad && len <= r->n) {
		p = r->p;
		r->p += len;
		r->n -= len;
	} else {
		r->bad = true;
	}
	return p;
}

static unsigned u8(struct rd *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static unsigned u16(struct rd *r)
{
	const uint8_t *p = take(r, 2);

	return p ? (unsigned)p[0] << 8 | p[1] : 0;
}

static uint32_t u32(struct rd *r)
{
	const uint8_t *p = take(r, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			       (uint32_t)p[2] << 8 | p[3]
		 : 0;
}

/* a copy of len bytes for the facts: NUL-ended, NULs and controls as '?' */
static void copy_prop(char *dst, size_t size, const uint8_t *src, size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = src[i] < 0x20 || src[i] == 0x7f ? '?' : (char)src[i];
	dst[len] = '\0';
}

int amqp_wire_frame(const uint8_t *buf, size_t n, struct amqp_frame *f,
		    size_t *used)
{
	uint32_t size;

	if (n >= 1 && buf[0] == 'A')
		return n >= 4 && memcmp(buf, "AMQP", 4) == 0
			       ? AMQP_WIRE_HEADER
			       : (n < 4 && memcmp(buf, "AMQP", n) == 0
					  ? AMQP_WIRE_MORE
					  : EXPO_EPROTO);
	if (n < 7)
		return AMQP_WIRE_MORE;
	if (buf[0] != AMQP_FRAME_METHOD && buf[0] != 2 && buf[0] != 3 &&
	    buf[0] != AMQP_FRAME_HEARTBEAT)
		return EXPO_EPROTO;
	size = (uint32_t)buf[3] << 24 | (uint32_t)buf[4] << 16 |
	       (uint32_t)buf[5] << 8 | buf[6];
	if (size > AMQP_FRAME_MAX)
		return EXPO_ETOOBIG;
	if (n < 7 + (size_t)size + 1)
		return AMQP_WIRE_MORE;
	if (buf[7 + size] != FRAME_END)
		return EXPO_EPROTO;
	f->type = buf[0];
	f->channel = (uint16_t)(buf[1] << 8 | buf[2]);
	f->payload = buf + 7;
	f->len = size;
	*used = 7 + (size_t)size + 1;
	return 0;
}

int amqp_wire_method(const struct amqp_frame *f, struct amqp_method *m)
{
	struct rd r = { f->payload, f->len, false };

	if (f->type != AMQP_FRAME_METHOD)
		return EXPO_EPROTO;
	m->class_id = u16(&r);
	m->method_id = u16(&r);
	m->args = r.p;
	m->len = r.n;
	return r.bad ? EXPO_EPROTO : 0;
}

static void skip_value(struct rd *r, unsigned type, unsigned depth);

/* the entries of a table (len bytes at r); the server properties we keep
 * go to s (NULL inside nested tables) */
static void walk_table(struct rd *r, size_t len, unsigned depth,
		       struct amqp_start *s)
{
	const uint8_t *body = take(r, len);
	struct rd t = { body, body ? len : 0, body == NULL };

	if (depth > AMQP_TABLE_DEPTH) {
		r->bad = r->bad || body == NULL;
		return; /* skipped whole by its length */
	}
	while (!t.bad && t.n > 0) {
		size_t klen = u8(&t);
		const uint8_t *key = take(&t, klen);
		unsigned type = u8(&t);
		char *dst = NULL;

		if (t.bad)
			break;
		if (s != NULL && type == 'S') {
			if (klen == 7 && memcmp(key, "product", 7) == 0)
				dst = s->product;
			else if (klen == 7 && memcmp(key, "version", 7) == 0)
				dst = s->version;
			else if (klen == 8 && memcmp(key, "platform", 8) == 0)
				dst = s->platform;
			else if (klen == 12 &&
				 memcmp(key, "cluster_name", 12) == 0)
				dst = s->cluster_name;
		}
		if (dst != NULL) {
			uint32_t vlen = u32(&t);
			const uint8_t *v = take(&t, vlen);

			if (v != NULL)
				copy_prop(dst, AMQP_PROP_MAX, v, vlen);
		} else {
			skip_value(&t, type, depth);
		}
	}
	if (t.bad)
		r->bad = true;
}

static void skip_value(struct rd *r, unsigned type, unsigned depth)
{
	switch (type) {
	case 't':
	case 'b':
	case 'B':
		take(r, 1);
		break;
	case 's':
	case 'u':
	case 'U':
		take(r, 2);
		break;
	case 'I':
	case 'i':
	case 'f':
		take(r, 4);
		break;
	case 'D':
		take(r, 5);
		break;
	case 'l':
	case 'L':
	case 'd':
	case 'T':
		take(r, 8);
		break;
	case 'V':
		break;
	case 'S':
	case 'x':
		take(r, u32(r));
		break;
	case 'F':
		walk_table(r, u32(r), depth + 1, NULL);
		break;
	case 'A': {
		/* an array: type-tagged values, no keys */
		uint32_t len = u32(r);
		const uint8_t *body = take(r, len);
		struct rd a = { body, body ? len : 0, body == NULL };

		while (depth < AMQP_TABLE_DEPTH && !a.bad && a.n > 0)
			skip_value(&a, u8(&a), depth + 1);
		if (a.bad)
			r->bad = true;
		break;
	}
	default:
		r->bad = true; /* unknown type: its size is unknown */
		break;
	}
}

/* "PLAIN" as a whole word of a space-separated list */
static bool has_word(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w), i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != ' ')
			j++;
		if (j - i == wl && memcmp(p + i, w, wl) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

int amqp_wire_start(const struct amqp_method *m, struct amqp_start *s)
{
	struct rd r = { m->args, m->len, false };
	const uint8_t *mech;
	uint32_t mlen;

	memset(s, 0, sizeof(*s));
	if (m->class_id != AMQP_CONNECTION || m->method_id != AMQP_START)
		return EXPO_EPROTO;
	s->major = u8(&r);
	s->minor = u8(&r);
	walk_table(&r, u32(&r), 0, s);
	mlen = u32(&r);
	mech = take(&r, mlen);
	if (r.bad || mech == NULL)
		return EXPO_EPROTO;
	s->plain = has_word(mech, mlen, "PLAIN");
	/* the locales follow; not needed */
	return 0;
}

int amqp_wire_close(const struct amqp_method *m, struct amqp_close *c)
{
	struct rd r = { m->args, m->len, false };
	const uint8_t *t;
	size_t tlen;

	memset(c, 0, sizeof(*c));
	if (m->class_id != AMQP_CONNECTION || m->method_id != AMQP_CLOSE)
		return EXPO_EPROTO;
	c->code = u16(&r);
	tlen = u8(&r);
	t = take(&r, tlen);
	if (r.bad || t == NULL)
		return EXPO_EPROTO;
	copy_prop(c->text, sizeof(c->text), t, tlen);
	return 0;
}

/* ---- the client's frame ---- */

struct wr {
	uint8_t *p;
	size_t n, off;
	bool bad;
};

static void put(struct wr *w, const void *src, size_t len)
{
	if (w->bad || len > w->n - w->off) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->off, src, len);
	w->off += len;
}

static void put8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void put16(struct wr *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v);
}

static void put32(struct wr *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}

static void putshort(struct wr *w, const char *s)
{
	put8(w, (unsigned)strlen(s));
	put(w, s, strlen(s));
}

int amqp_wire_start_ok(uint8_t *out, size_t size, const char *user,
		       const char *password)
{
	/* client-properties: product, and the capability that turns a
	 * refused login into Connection.Close 403 */
	static const char cap[] = "authentication_failure_close";
	static const char product[] = "exposure";
	size_t ul = strlen(user), pl = strlen(password);
	size_t caps_len = 1 + (sizeof(cap) - 1) + 1 + 1;
	size_t props_len = 1 + 7 + 1 + 4 + (sizeof(product) - 1) + 1 + 12 + 1 +
			   4 + caps_len;
	struct wr w = { out, size, 0, false };

	if (ul > 255 || pl > 255)
		return EXPO_EINVAL;
	put8(&w, AMQP_FRAME_METHOD);
	put16(&w, 0);
	put32(&w, 0); /* the size, filled in below */
	put16(&w, AMQP_CONNECTION);
	put16(&w, AMQP_START_OK);
	put32(&w, (uint32_t)props_len);
	putshort(&w, "product");
	put8(&w, 'S');
	put32(&w, sizeof(product) - 1);
	put(&w, product, sizeof(product) - 1);
	putshort(&w, "capabilities");
	put8(&w, 'F');
	put32(&w, (uint32_t)caps_len);
	putshort(&w, cap);
	put8(&w, 't');
	put8(&w, 1);
	putshort(&w, "PLAIN");
	/* PLAIN (RFC 4616): authzid NUL authcid NUL password */
	put32(&w, (uint32_t)(2 + ul + pl));
	put8(&w, 0);
	put(&w, user, ul);
	put8(&w, 0);
	put(&w, password, pl);
	putshort(&w, "en_US");
	put8(&w, FRAME_END);
	if (w.bad)
		return EXPO_ETOOBIG;
	/* payload = everything between the 7-byte header and the end byte */
	out[3] = (uint8_t)((w.off - 8) >> 24);
	out[4] = (uint8_t)((w.off - 8) >> 16);
	out[5] = (uint8_t)((w.off - 8) >> 8);
	out[6] = (uint8_t)(w.off - 8);
	return (int)w.off;
}
