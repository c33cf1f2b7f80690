/*
 * redis_wire.c - RESP2 reply and INFO text parsers (see redis_wire.h).
 * Reference: https://redis.io/docs/latest/develop/reference/protocol-spec/
 * and the INFO command's field list (https://redis.io/commands/info/).
 */
#include <string.h>
#include "expo.h"
#include "redis_wire.h"

#define REDIS_KEYS_SAT 1000000000000000000LL

/* the offset of the first CRLF in buf[0..len), or -1 */
static long find_crlf(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n')
			return (long)i;
	return -1;
}

/* a decimal integer filling buf[0..len) exactly (optional '-'), bounded */
static int parse_ll(const char *buf, size_t len, long long *out)
{
	long long v = 0;
	size_t i = 0;
	bool neg = false;
	int err = EXPO_EPARSE;

	if (len > 0 && buf[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 15)
		goto out;
	for (; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			goto out;
		v = v * 10 + (buf[i] - '0');
	}
	*out = neg ? -v : v;
	err = 0;
out:
	return err;
}

int redis_wire_reply(const char *buf, size_t len, struct redis_reply *r,
		     size_t *used)
{
	long eol;
	long long n = 0;
	size_t scan = len < REDIS_LINE_MAX + 2 ? len : REDIS_LINE_MAX + 2;
	int err = REDIS_WIRE_MORE;

	if (len == 0)
		goto out;
	if (buf[0] != '+' && buf[0] != '-' && buf[0] != '$') {
		err = EXPO_EPROTO;
		goto out;
	}
	eol = find_crlf(buf, scan);
	if (eol < 0) {
		err = len >= REDIS_LINE_MAX + 2 ? EXPO_ETOOBIG
						: REDIS_WIRE_MORE;
		goto out;
	}
	if (buf[0] != '$') {
		r->type = buf[0] == '+' ? REDIS_R_STATUS : REDIS_R_ERROR;
		r->data = buf + 1;
		r->len = (size_t)eol - 1;
		*used = (size_t)eol + 2;
		err = 0;
		goto out;
	}
	if (parse_ll(buf + 1, (size_t)eol - 1, &n) < 0 || n < -1) {
		err = EXPO_EPARSE;
		goto out;
	}
	if (n == -1) {
		r->type = REDIS_R_NIL;
		r->data = NULL;
		r->len = 0;
		*used = (size_t)eol + 2;
		err = 0;
		goto out;
	}
	if (n > REDIS_BULK_MAX) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	if (len - (size_t)eol - 2 < (size_t)n + 2) {
		err = REDIS_WIRE_MORE;
		goto out;
	}
	if (buf[eol + 2 + n] != '\r' || buf[eol + 3 + n] != '\n') {
		/* the length lied */
		err = EXPO_EPARSE;
		goto out;
	}
	r->type = REDIS_R_BULK;
	r->data = buf + eol + 2;
	r->len = (size_t)n;
	*used = (size_t)eol + 4 + (size_t)n;
	err = 0;
out:
	return err;
}

int redis_wire_next(const char *buf, size_t len, struct redis_reply *r,
		    size_t *used)
{
	size_t scan = len < REDIS_LINE_MAX + 2 ? len : REDIS_LINE_MAX + 2;
	long eol;

	if (len == 0 || (buf[0] != ':' && buf[0] != '*'))
		return redis_wire_reply(buf, len, r, used);
	eol = find_crlf(buf, scan);
	if (eol < 0)
		return len >= REDIS_LINE_MAX + 2 ? EXPO_ETOOBIG
						 : REDIS_WIRE_MORE;
	if (parse_ll(buf + 1, (size_t)eol - 1, &r->num) < 0 ||
	    (buf[0] == '*' && r->num < -1))
		return EXPO_EPARSE;
	r->type = buf[0] == ':' ? REDIS_R_INT : REDIS_R_ARRAY;
	r->data = buf + 1;
	r->len = (size_t)eol - 1;
	*used = (size_t)eol + 2;
	return 0;
}

/* copies a value, printable ASCII only, cut to size - 1 */
static void copy_val(char *out, size_t size, const char *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < size; i++)
		if (v[i] >= 0x20 && v[i] < 0x7f)
			out[k++] = v[i];
	out[k] = '\0';
}

static bool key_is(const char *line, size_t klen, const char *key)
{
	return strlen(key) == klen && memcmp(line, key, klen) == 0;
}

/* "keys=12,expires=0,avg_ttl=0": the keys count, or -1 */
static long long db_keys(const char *v, size_t n)
{
	long long k = -1;
	size_t end;

	if (n < 6 || memcmp(v, "keys=", 5) != 0)
		goto out;
	for (end = 5; end < n && v[end] != ','; end++)
		;
	if (parse_ll(v + 5, end - 5, &k) < 0 || k < 0)
		k = -1;
out:
	return k;
}

static bool is_db_key(const char *line, size_t klen)
{
	size_t i;

	if (klen < 3 || klen > 8 || memcmp(line, "db", 2) != 0)
		return false;
	for (i = 2; i < klen; i++)
		if (line[i] < '0' || line[i] > '9')
			return false;
	return true;
}

int redis_wire_info(const char *text, size_t len, struct redis_info *out)
{
	size_t pos = 0;
	bool seen = false;

	memset(out, 0, sizeof(*out));
	out->clients = -1;
	while (pos < len) {
		const char *line = text + pos, *colon;
		size_t n = 0, klen, vlen;

		while (pos + n < len && text[pos + n] != '\n')
			n++;
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		colon = memchr(line, ':', n);
		if (colon == NULL)
			continue;
		klen = (size_t)(colon - line);
		vlen = n - klen - 1;
		if (key_is(line, klen, "redis_version")) {
			copy_val(out->version, sizeof(out->version), colon + 1,
				 vlen);
			seen = true;
		} else if (key_is(line, klen, "redis_mode")) {
			copy_val(out->mode, sizeof(out->mode), colon + 1, vlen);
		} else if (key_is(line, klen, "role")) {
			copy_val(out->role, sizeof(out->role), colon + 1, vlen);
		} else if (key_is(line, klen, "connected_clients")) {
			long long c;

			if (parse_ll(colon + 1, vlen, &c) == 0 && c >= 0)
				out->clients = c;
		} else if (is_db_key(line, klen)) {
			long long k = db_keys(colon + 1, vlen);

			if (k >= 0) {
				/* saturate: a lying server may list many */
				out->keys = out->keys > REDIS_KEYS_SAT - k
						    ? REDIS_KEYS_SAT
						    : out->keys + k;
				out->ndbs++;
			}
		}
	}
	return seen && out->version[0] != '\0' ? 0 : EXPO_EPARSE;
}

void redis_wire_errcode(const struct redis_reply *r, char *out, size_t size)
{
	size_t n = 0;

	while (n < r->len && r->data[n] != ' ')
		n++;
	copy_val(out, size, r->data, n);
}
