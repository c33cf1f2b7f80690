/*
 * test_mongodb.c - the BSON reader/writer and OP_MSG framing on the
 * MongoDB 7.0 reply bodies under tests/fixtures/mongodb/7.0 (the ones the
 * lab's mongoreplay serves) and on constructed hostile input (truncated,
 * lying lengths, deep nesting, other opcodes), and mongodb assess() on
 * fixture facts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "expo.h"
#include "raw/mongodb_wire.h"
#include "rawapi_fixture.h"

extern const struct check check_mongodb;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* a .hex fixture's bytes */
static size_t load_hex(const char *name, uint8_t *out, size_t size)
{
	char path[512], line[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/fixtures/mongodb/7.0/%s", name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (run from the top directory)",
			   path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		if (line[0] == '#')
			continue;
		while (*p) {
			if (hexval(p[0]) < 0) {
				p++;
				continue;
			}
			cr_assert(hexval(p[1]) >= 0 && n < size);
			out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
			p += 2;
		}
	}
	fclose(f);
	return n;
}

/* the fixture body wrapped as an OP_MSG reply to request 1 */
static size_t wrap(const uint8_t *doc, size_t dlen, uint8_t *msg, size_t size)
{
	int n = mongo_wire_op_msg(msg, size, 77, doc, dlen);

	cr_assert_gt(n, 0);
	msg[8] = 1; /* responseTo */
	return (size_t)n;
}

Test(mongodb_wire, hello_fixture)
{
	uint8_t doc[1024], msg[1100];
	struct mongo_msg m;
	struct bson_elem e;
	size_t dlen = load_hex("hello.hex", doc, sizeof(doc)), mlen, used = 0;
	double v = 0;

	mlen = wrap(doc, dlen, msg, sizeof(msg));
	cr_assert_eq(mongo_wire_reply(msg, mlen, &m, &used), 0);
	cr_expect_eq(used, mlen);
	cr_expect_eq(m.response_to, 1);
	cr_assert(bson_find(&m.body, "maxWireVersion", &e));
	cr_assert(bson_number(&e, &v));
	cr_expect_eq(v, 21);
	cr_assert(bson_find(&m.body, "ok", &e));
	cr_assert(bson_number(&e, &v));
	cr_expect_eq(v, 1.0);
	cr_assert(bson_find(&m.body, "isWritablePrimary", &e));
	cr_expect_eq(e.type, 0x08);
}

Test(mongodb_wire, list_and_unauthorized_fixtures)
{
	uint8_t doc[1024], msg[1100];
	struct mongo_msg m;
	struct bson_elem e, db;
	struct bson_iter arr;
	const char *s = NULL;
	size_t dlen, mlen, used = 0, n = 0;
	double v = 0;
	unsigned count = 0;

	dlen = load_hex("listDatabases.hex", doc, sizeof(doc));
	mlen = wrap(doc, dlen, msg, sizeof(msg));
	cr_assert_eq(mongo_wire_reply(msg, mlen, &m, &used), 0);
	cr_assert(bson_find(&m.body, "databases", &e));
	cr_assert(bson_subdoc(&e, &arr));
	while (bson_next(&arr, &db) == 1)
		count++;
	cr_expect_eq(count, 4);

	dlen = load_hex("unauthorized.hex", doc, sizeof(doc));
	mlen = wrap(doc, dlen, msg, sizeof(msg));
	cr_assert_eq(mongo_wire_reply(msg, mlen, &m, &used), 0);
	cr_assert(bson_find(&m.body, "code", &e));
	cr_assert(bson_number(&e, &v));
	cr_expect_eq(v, 13);
	cr_assert(bson_find(&m.body, "codeName", &e));
	cr_assert(bson_string(&e, &s, &n));
	cr_expect_str_eq(s, "Unauthorized");
	cr_expect(!bson_find(&m.body, "databases", &e));
}

Test(mongodb_wire, truncated_every_prefix)
{
	uint8_t doc[1024], msg[1100];
	struct mongo_msg m;
	size_t dlen = load_hex("hello.hex", doc, sizeof(doc)), mlen, used, i;

	mlen = wrap(doc, dlen, msg, sizeof(msg));
	for (i = 0; i < mlen; i++)
		cr_assert_eq(mongo_wire_reply(msg, i, &m, &used),
			     MONGO_WIRE_MORE, "prefix %zu", i);
}

Test(mongodb_wire, lying_lengths)
{
	uint8_t doc[1024], msg[1100], bad[1100];
	struct mongo_msg m;
	struct bson_iter it;
	size_t dlen = load_hex("unauthorized.hex", doc, sizeof(doc)), mlen;
	size_t used = 0;

	mlen = wrap(doc, dlen, msg, sizeof(msg));
	/* the BSON length says one byte more than the section holds */
	memcpy(bad, msg, mlen);
	bad[21] = (uint8_t)(dlen + 1);
	cr_expect_eq(mongo_wire_reply(bad, mlen, &m, &used), EXPO_EPARSE);
	/* the errmsg string length lies (offset 24 in the body: "ok"
	 * double is 1+3+8 = 12 bytes after the 4-byte header, then type,
	 * "errmsg\0", then the int32) */
	memcpy(bad, msg, mlen);
	bad[21 + 4 + 12 + 1 + 7] = 0x7f;
	cr_expect_eq(mongo_wire_reply(bad, mlen, &m, &used), EXPO_EPARSE);
	/* no trailing NUL */
	memcpy(bad, doc, dlen);
	bad[dlen - 1] = 1;
	cr_expect_eq(bson_doc(bad, dlen, &it), EXPO_EPARSE);
	/* message length under the header */
	memcpy(bad, msg, mlen);
	bad[0] = 8;
	bad[1] = bad[2] = bad[3] = 0;
	cr_expect_eq(mongo_wire_reply(bad, mlen, &m, &used), EXPO_EPARSE);
	/* message length over our cap */
	memcpy(bad, msg, mlen);
	bad[3] = 0x7f;
	cr_expect_eq(mongo_wire_reply(bad, mlen, &m, &used), EXPO_ETOOBIG);
	/* an unknown element type */
	memcpy(bad, doc, dlen);
	bad[4] = 0x42;
	cr_expect_eq(bson_doc(bad, dlen, &it), EXPO_EPARSE);
}

Test(mongodb_wire, other_opcodes)
{
	uint8_t msg[64];
	struct mongo_msg m;
	size_t used = 0;

	memset(msg, 0, sizeof(msg));
	msg[0] = 64;
	msg[12] = 1; /* OP_REPLY */
	cr_expect_eq(mongo_wire_reply(msg, sizeof(msg), &m, &used),
		     EXPO_EPROTO);
	cr_expect_eq(m.opcode, MONGO_OP_REPLY);
	cr_expect_eq(mongo_wire_reply((const uint8_t *)"HTTP/1.1 400 Bad Req",
				      20, &m, &used),
		     EXPO_ETOOBIG);
}

Test(mongodb_wire, deep_nesting)
{
	uint8_t tmp[1024], out[1024];
	struct bson_iter it;
	size_t n = 5, i;

	/* {"a": {"a": ... {} }} forty levels deep, built inside out */
	memset(tmp, 0, sizeof(tmp));
	tmp[0] = 5;
	for (i = 0; i < 40; i++) {
		out[4] = 0x03;
		out[5] = 'a';
		out[6] = 0;
		memcpy(out + 7, tmp, n);
		out[7 + n] = 0;
		n += 8;
		out[0] = (uint8_t)n;
		out[1] = (uint8_t)(n >> 8);
		out[2] = out[3] = 0;
		memcpy(tmp, out, n);
		if (i == 10)
			cr_expect_eq(bson_doc(tmp, n, &it), 0);
	}
	cr_expect_eq(bson_doc(tmp, n, &it), EXPO_ETOOBIG);
}

Test(mongodb_wire, writer_round_trip)
{
	uint8_t doc[128], small[10];
	struct bson_out o;
	struct bson_iter it;
	struct bson_elem e;
	const char *s = NULL;
	size_t n = 0;
	double v = 0;

	bson_out_init(&o, doc, sizeof(doc));
	bson_begin(&o);
	bson_add_int32(&o, "listDatabases", 1);
	bson_add_bool(&o, "nameOnly", true);
	bson_add_string(&o, "$db", "admin");
	bson_end(&o);
	cr_assert_eq(o.err, 0);
	cr_assert_eq(bson_doc(doc, o.len, &it), 0);
	cr_assert(bson_next(&it, &e) == 1);
	cr_expect_str_eq(e.key, "listDatabases");
	cr_assert(bson_number(&e, &v));
	cr_expect_eq(v, 1);
	cr_assert(bson_find(&it, "$db", &e));
	cr_assert(bson_string(&e, &s, &n));
	cr_expect_str_eq(s, "admin");
	/* overflow is an error, never a write past the buffer */
	bson_out_init(&o, small, sizeof(small));
	bson_begin(&o);
	bson_add_string(&o, "$db", "admin");
	bson_end(&o);
	cr_expect_eq(o.err, EXPO_ETOOBIG);
}

/* ---- assess ---- */

Test(mongodb_assess, listed_is_no_auth)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_mongodb, 27017,
		   "{\"hello_ok\":true,"
		   "\"max_wire_version\":21,\"role\":\"standalone\","
		   "\"list_ok\":true,\"databases\":4}",
		   false);
	x = rawfix_one(&f, "mongodb.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "4 databases") != NULL, "%s",
		  x->evidence);
	cr_expect(strstr(x->evidence, "MongoDB 7.0") != NULL, "%s",
		  x->evidence);
	rawfix_release(&f);
}

Test(mongodb_assess, negatives)
{
	static const char *const cases[] = {
		"{\"hello_ok\":true,\"max_wire_version\":21,\"list_ok\":false,"
		"\"list_code\":13,\"list_code_name\":\"Unauthorized\"}",
		"{\"hello_ok\":true,\"max_wire_version\":21}",
		"{}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_mongodb, 27017, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}
