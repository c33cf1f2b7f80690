/*
 * mongodb_wire.c - BSON and OP_MSG (see mongodb_wire.h). The reader
 * validates every length against its enclosing one before use, so a
 * lying length is an error, never a read past the buffer.
 */
#include <string.h>
#include "expo.h"
#include "mongodb_wire.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int validate(const uint8_t *buf, size_t len, unsigned depth);

/* a BSON string value (int32 length incl. NUL, bytes, NUL) at p, avail
 * bytes: its total size, or 0 if malformed */
static size_t string_size(const uint8_t *p, size_t avail)
{
	uint32_t n;

	if (avail < 5)
		return 0;
	n = le32(p);
	if (n < 1 || n > avail - 4 || p[4 + n - 1] != '\0')
		return 0;
	return 4 + (size_t)n;
}

/* the size of a cstring's bytes and NUL at p, or 0 */
static size_t cstring_size(const uint8_t *p, size_t avail)
{
	const uint8_t *z = memchr(p, '\0', avail);

	return z ? (size_t)(z - p) + 1 : 0;
}

/* the size of a value of type t at p (avail bytes), validating nested
 * documents; 0 if malformed (no value has size 0 except the ones below,
 * reported through *zero) */
static int value_size(uint8_t t, const uint8_t *p, size_t avail, unsigned depth,
		      size_t *size)
{
	size_t n = 0, a, b;
	int err = EXPO_EPARSE;

	switch (t) {
	case 0x01:
	case 0x09:
	case 0x11:
	case 0x12:
		n = 8;
		break;
	case 0x10:
		n = 4;
		break;
	case 0x13:
		n = 16;
		break;
	case 0x07:
		n = 12;
		break;
	case 0x08:
		n = 1;
		if (avail >= 1 && p[0] > 1)
			goto out;
		break;
	case 0x06:
	case 0x0A:
	case 0xFF:
	case 0x7F:
		n = 0;
		break;
	case 0x02:
	case 0x0D:
	case 0x0E:
		n = string_size(p, avail);
		if (n == 0)
			goto out;
		break;
	case 0x03:
	case 0x04:
		if (avail < 5)
			goto out;
		n = le32(p);
		if (n < 5 || n > avail)
			goto out;
		err = validate(p, n, depth + 1);
		if (err < 0)
			goto out;
		err = EXPO_EPARSE;
		break;
	case 0x05:
		if (avail < 5 || le32(p) > avail - 5)
			goto out;
		n = 5 + (size_t)le32(p);
		break;
	case 0x0B:
		a = cstring_size(p, avail);
		if (a == 0)
			goto out;
		b = cstring_size(p + a, avail - a);
		if (b == 0)
			goto out;
		n = a + b;
		break;
	case 0x0C:
		n = string_size(p, avail);
		if (n == 0)
			goto out;
		n += 12;
		break;
	case 0x0F:
		/* int32 total, string, document */
		if (avail < 4)
			goto out;
		n = le32(p);
		if (n < 14 || n > avail)
			goto out;
		a = string_size(p + 4, n - 4);
		if (a == 0 || 4 + a + 5 > n || le32(p + 4 + a) != n - 4 - a)
			goto out;
		err = validate(p + 4 + a, n - 4 - a, depth + 1);
		if (err < 0)
			goto out;
		err = EXPO_EPARSE;
		break;
	default:
		goto out;
	}
	if (n > avail)
		goto out;
	*size = n;
	err = 0;
out:
	return err;
}

static int validate(const uint8_t *buf, size_t len, unsigned depth)
{
	size_t pos = 4;
	int err = EXPO_EPARSE;

	if (depth > MONGO_BSON_DEPTH) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	if (len < 5 || le32(buf) != len || buf[len - 1] != '\0')
		goto out;
	while (pos < len - 1) {
		uint8_t t = buf[pos++];
		size_t k, v = 0;

		k = cstring_size(buf + pos, len - 1 - pos);
		if (k == 0)
			goto out;
		pos += k;
		err = value_size(t, buf + pos, len - 1 - pos, depth, &v);
		if (err < 0)
			goto out;
		err = EXPO_EPARSE;
		pos += v;
	}
	err = pos == len - 1 ? 0 : EXPO_EPARSE;
out:
	return err;
}

int bson_doc(const uint8_t *buf, size_t len, struct bson_iter *it)
{
	int err = validate(buf, len, 0);

	if (err == 0) {
		it->p = buf;
		it->len = len;
		it->pos = 4;
	}
	return err;
}

int bson_next(struct bson_iter *it, struct bson_elem *e)
{
	size_t k, v = 0;
	int rc = 0;

	if (it->p == NULL || it->pos + 1 >= it->len)
		goto out;
	e->type = it->p[it->pos++];
	k = cstring_size(it->p + it->pos, it->len - 1 - it->pos);
	if (k == 0)
		goto out;
	e->key = (const char *)it->p + it->pos;
	it->pos += k;
	/* validated already: depth 0 only re-walks the sizes */
	if (value_size(e->type, it->p + it->pos, it->len - 1 - it->pos, 0, &v) <
	    0)
		goto out;
	e->val = it->p + it->pos;
	e->vlen = v;
	it->pos += v;
	rc = 1;
out:
	if (rc == 0)
		it->pos = it->len;
	return rc;
}

bool bson_find(const struct bson_iter *doc, const char *key,
	       struct bson_elem *e)
{
	struct bson_iter it = *doc;
	bool found = false;

	it.pos = 4;
	while (!found && bson_next(&it, e) == 1)
		found = strcmp(e->key, key) == 0;
	return found;
}

bool bson_number(const struct bson_elem *e, double *out)
{
	uint64_t u;
	bool ok = true;

	switch (e->type) {
	case 0x01:
		u = (uint64_t)le32(e->val) | (uint64_t)le32(e->val + 4) << 32;
		memcpy(out, &u, sizeof(*out));
		break;
	case 0x10:
		*out = (double)(int32_t)le32(e->val);
		break;
	case 0x12:
		u = (uint64_t)le32(e->val) | (uint64_t)le32(e->val + 4) << 32;
		*out = (double)(int64_t)u;
		break;
	default:
		ok = false;
	}
	return ok;
}

bool bson_string(const struct bson_elem *e, const char **s, size_t *n)
{
	if (e->type != 0x02)
		return false;
	*s = (const char *)e->val + 4;
	*n = e->vlen - 5;
	return true;
}

bool bson_subdoc(const struct bson_elem *e, struct bson_iter *it)
{
	if (e->type != 0x03 && e->type != 0x04)
		return false;
	it->p = e->val;
	it->len = e->vlen;
	it->pos = 4;
	return true;
}

/* ---- writer ---- */

void bson_out_init(struct bson_out *o, uint8_t *buf, size_t size)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->size = size;
}

static void put(struct bson_out *o, const void *p, size_t n)
{
	if (o->err || n > o->size - o->len) {
		o->err = EXPO_ETOOBIG;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_key(struct bson_out *o, uint8_t type, const char *key)
{
	put(o, &type, 1);
	put(o, key, strlen(key) + 1);
}

void bson_begin(struct bson_out *o)
{
	static const uint8_t zero4[4];

	if (o->depth >= sizeof(o->start) / sizeof(o->start[0])) {
		o->err = EXPO_ETOOBIG;
		return;
	}
	o->start[o->depth++] = o->len;
	put(o, zero4, 4);
}

void bson_end(struct bson_out *o)
{
	static const uint8_t nul;
	size_t s;

	put(o, &nul, 1);
	if (o->err || o->depth == 0) {
		o->err = o->err ? o->err : EXPO_EINVAL;
		return;
	}
	s = o->start[--o->depth];
	put32(o->buf + s, (uint32_t)(o->len - s));
}

void bson_add_int32(struct bson_out *o, const char *key, int32_t v)
{
	uint8_t b[4];

	put32(b, (uint32_t)v);
	put_key(o, 0x10, key);
	put(o, b, 4);
}

void bson_add_bool(struct bson_out *o, const char *key, bool v)
{
	uint8_t b = v ? 1 : 0;

	put_key(o, 0x08, key);
	put(o, &b, 1);
}

void bson_add_string(struct bson_out *o, const char *key, const char *v)
{
	uint8_t b[4];
	size_t n = strlen(v) + 1;

	put32(b, (uint32_t)n);
	put_key(o, 0x02, key);
	put(o, b, 4);
	put(o, v, n);
}

/* ---- OP_MSG ---- */

int mongo_wire_op_msg(uint8_t *out, size_t size, int32_t request_id,
		      const uint8_t *doc, size_t doclen)
{
	size_t total = 16 + 4 + 1 + doclen;
	int rc = EXPO_ETOOBIG;

	if (size < total || total > MONGO_MSG_MAX)
		goto out;
	put32(out, (uint32_t)total);
	put32(out + 4, (uint32_t)request_id);
	put32(out + 8, 0);
	put32(out + 12, MONGO_OP_MSG);
	put32(out + 16, 0);
	out[20] = 0;
	memcpy(out + 21, doc, doclen);
	rc = (int)total;
out:
	return rc;
}

int mongo_wire_reply(const uint8_t *buf, size_t len, struct mongo_msg *m,
		     size_t *used)
{
	size_t pos, end;
	bool body = false;
	int err = MONGO_WIRE_MORE;

	memset(m, 0, sizeof(*m));
	if (len < 16)
		goto out;
	m->length = (int32_t)le32(buf);
	m->request_id = (int32_t)le32(buf + 4);
	m->response_to = (int32_t)le32(buf + 8);
	m->opcode = (int32_t)le32(buf + 12);
	if (m->length < 16) {
		err = EXPO_EPARSE;
		goto out;
	}
	if ((uint32_t)m->length > MONGO_MSG_MAX) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	if (m->opcode != MONGO_OP_MSG) {
		err = EXPO_EPROTO;
		goto out;
	}
	if (len < (size_t)m->length)
		goto out;
	err = EXPO_EPARSE;
	end = (size_t)m->length;
	if (end < 21)
		goto out;
	m->flags = le32(buf + 16);
	if (m->flags & 1) {
		/* checksumPresent: a CRC-32C trails the sections */
		if (end < 25)
			goto out;
		end -= 4;
	}
	pos = 20;
	while (pos < end) {
		uint8_t kind = buf[pos++];
		uint32_t n;

		if (end - pos < 4)
			goto out;
		n = le32(buf + pos);
		if (n < 5 || n > end - pos)
			goto out;
		if (kind == 0) {
			if (body || bson_doc(buf + pos, n, &m->body) < 0)
				goto out;
			body = true;
		} else if (kind != 1) {
			goto out;
		}
		/* kind 1 (document sequence): skipped as a whole */
		pos += n;
	}
	if (!body)
		goto out;
	*used = (size_t)m->length;
	err = 0;
out:
	return err;
}
