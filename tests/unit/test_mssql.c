/*
 * test_mssql.c - the TDS wire code of the mssql check (framing, PRELOGIN,
 * LOGIN7, the login reply tokens) on hand-built bytes laid out as
 * [MS-TDS] describes them, and its assess() on facts.
 */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "expo.h"
#include "context.h"
#include "raw/mssql_wire.h"

extern const struct check check_mssql;

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

Test(mssql_wire, prelogin_offers_tls)
{
	uint8_t b[64];
	struct tds_prelogin_reply r;
	int n = tds_prelogin(b, sizeof(b));

	cr_assert_gt(n, TDS_HDR);
	cr_expect_eq(b[0], TDS_PKT_PRELOGIN);
	cr_expect_eq(b[1], 0x01, "one packet: EOM");
	cr_expect_eq((size_t)(b[2] << 8 | b[3]), (size_t)n);
	/* our own options parse back: ENCRYPTION OFF (TLS available) */
	cr_assert_eq(tds_parse_prelogin(b + TDS_HDR, (size_t)n - TDS_HDR, &r),
		     0);
	cr_expect_eq(r.encryption, TDS_ENCRYPT_OFF);
	cr_expect_lt(tds_prelogin(b, 20), 0);
}

Test(mssql_wire, login7_layout_and_obfuscation)
{
	uint8_t b[TDS_OUT_MAX];
	const uint8_t *p = b + TDS_HDR;
	char big[TDS_NAME_MAX + 2];
	int n = tds_login7(b, sizeof(b), "sa", "a");
	unsigned uoff, ulen, poff, plen;

	cr_assert_gt(n, TDS_HDR + 94);
	cr_expect_eq(b[0], TDS_PKT_LOGIN7);
	cr_expect_eq(le16(p), (unsigned)n - TDS_HDR, "Length");
	cr_expect_eq(p[7], 0x74, "TDS 7.4");
	uoff = le16(p + 40);
	ulen = le16(p + 42);
	poff = le16(p + 44);
	plen = le16(p + 46);
	cr_assert_eq(ulen, 2u);
	cr_expect(p[uoff] == 's' && p[uoff + 1] == 0 && p[uoff + 2] == 'a');
	cr_assert_eq(plen, 1u);
	/* 'a' 0x61: nibbles swapped 0x16, XOR 0xA5 = 0xB3; 0x00 -> 0xA5 */
	cr_expect_eq(p[poff], 0xb3);
	cr_expect_eq(p[poff + 1], 0xa5);
	/* the empty password: length 0 */
	n = tds_login7(b, sizeof(b), "sa", "");
	cr_assert_gt(n, 0);
	cr_expect_eq(le16(p + 46), 0u);
	/* too long, not ASCII: refused, nothing sent */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_lt(tds_login7(b, sizeof(b), "sa", big), 0);
	cr_expect_lt(tds_login7(b, sizeof(b), "s\xc3\xa4", ""), 0);
	cr_expect_lt(tds_login7(b, 50, "sa", ""), 0);
}

/* SQL Server 2022's PRELOGIN reply: VERSION 16.0.4135, ENCRYPTION */
static size_t prelogin_reply(uint8_t *p, uint8_t enc)
{
	static const uint8_t r[] = { 0, 0,    11, 0, 6,	   1,	 0, 17, 0,
				     1, 0xff, 16, 0, 0x10, 0x27, 0, 0,	0 };

	memcpy(p, r, sizeof(r));
	p[17] = enc;
	return sizeof(r);
}

Test(mssql_wire, prelogin_reply)
{
	uint8_t p[32];
	struct tds_prelogin_reply r;
	size_t n = prelogin_reply(p, TDS_ENCRYPT_REQ);

	cr_assert_eq(tds_parse_prelogin(p, n, &r), 0);
	cr_expect(r.has_version && r.major == 16 && r.minor == 0 &&
		  r.build == 4135);
	cr_expect_eq(r.encryption, TDS_ENCRYPT_REQ);
	/* an option pointing past the end; no terminator; truncated */
	p[2] = 40;
	cr_expect_lt(tds_parse_prelogin(p, n, &r), 0);
	p[2] = 11;
	cr_expect_lt(tds_parse_prelogin(p, 10, &r), 0);
	cr_expect_lt(tds_parse_prelogin(p, 3, &r), 0);
}

static size_t put_ucs2(uint8_t *p, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		p[2 * i] = (uint8_t)s[i];
		p[2 * i + 1] = 0;
	}
	return 2 * i;
}

static size_t loginack(uint8_t *p)
{
	size_t n = 0;

	p[n++] = 0xad;
	p[n++] = 1 + 4 + 1 + 40 + 4;
	p[n++] = 0;
	p[n++] = 1;
	p[n++] = 0x74;
	p[n++] = 0;
	p[n++] = 0;
	p[n++] = 4;
	p[n++] = 20;
	n += put_ucs2(p + n, "Microsoft SQL Server");
	p[n++] = 16;
	p[n++] = 0;
	p[n++] = 0x10;
	p[n++] = 0x27;
	return n;
}

static size_t error_token(uint8_t *p, unsigned num, const char *msg)
{
	size_t n = 0, ml = strlen(msg), start;

	p[n++] = 0xaa;
	start = n;
	n += 2;
	p[n++] = (uint8_t)num;
	p[n++] = (uint8_t)(num >> 8);
	p[n++] = (uint8_t)(num >> 16);
	p[n++] = 0;
	p[n++] = 1;
	p[n++] = 14;
	p[n++] = (uint8_t)ml;
	p[n++] = 0;
	n += put_ucs2(p + n, msg);
	p[n++] = 0;
	p[n++] = 0;
	memset(p + n, 0, 4);
	n += 4;
	p[start] = (uint8_t)(n - start - 2);
	p[start + 1] = 0;
	return n;
}

static size_t done(uint8_t *p)
{
	memset(p, 0, 13);
	p[0] = 0xfd;
	return 13;
}

Test(mssql_wire, login_reply_tokens)
{
	uint8_t p[1024];
	struct tds_login_reply r;
	size_t n;

	n = loginack(p);
	n += done(p + n);
	cr_assert_eq(tds_parse_login_reply(p, n, &r), 0);
	cr_expect(r.loginack && r.major == 16 && r.build == 4135);
	cr_expect_str_eq(r.prog, "Microsoft SQL Server");
	cr_expect_eq(r.error, 0u);

	n = error_token(p, 18456, "Login failed for user 'sa'.");
	n += done(p + n);
	cr_assert_eq(tds_parse_login_reply(p, n, &r), 0);
	cr_expect(!r.loginack);
	cr_expect_eq(r.error, 18456u);
	cr_expect_eq(r.err_class, 14u);
	cr_expect_str_eq(r.message, "Login failed for user 'sa'.");

	/* truncated: a token longer than the message; a cut DONE */
	n = loginack(p);
	cr_expect_lt(tds_parse_login_reply(p, n - 3, &r), 0);
	n += done(p + n);
	cr_expect_lt(tds_parse_login_reply(p, n - 1, &r), 0);
	/* a LOGINACK too short for its name: no proof */
	p[1] = 8;
	cr_assert_eq(tds_parse_login_reply(p, 11, &r), 0);
	cr_expect(!r.loginack);
	/* an unknown token ends the walk: nothing after it counts */
	p[0] = 0x81;
	n = 1 + loginack(p + 1);
	cr_assert_eq(tds_parse_login_reply(p, n, &r), 0);
	cr_expect(!r.loginack);
}

Test(mssql_wire, message_reassembly)
{
	uint8_t buf[64], msg[64];
	size_t mlen = 0, used = 0;
	uint8_t type = 0;

	/* two packets: "ab" (no EOM) then "cd" (EOM) */
	memcpy(buf,
	       "\x04\x00\x00\x0a\x00\x00\x01\x00"
	       "ab",
	       10);
	memcpy(buf + 10,
	       "\x04\x01\x00\x0a\x00\x00\x02\x00"
	       "cd",
	       10);
	cr_expect_eq(
		tds_message(buf, 10, msg, sizeof(msg), &mlen, &type, &used),
		TDS_MORE);
	cr_expect_eq(
		tds_message(buf, 15, msg, sizeof(msg), &mlen, &type, &used),
		TDS_MORE);
	cr_assert_eq(
		tds_message(buf, 20, msg, sizeof(msg), &mlen, &type, &used), 0);
	cr_expect_eq(type, 0x04);
	cr_expect_eq(mlen, 4u);
	cr_expect_eq(used, 20u);
	cr_expect(memcmp(msg, "abcd", 4) == 0);
	/* over the caller's room; a length under the header; type change */
	cr_expect_eq(tds_message(buf, 20, msg, 3, &mlen, &type, &used),
		     EXPO_ETOOBIG);
	buf[3] = 4;
	cr_expect_eq(
		tds_message(buf, 20, msg, sizeof(msg), &mlen, &type, &used),
		EXPO_EPROTO);
	buf[3] = 10;
	buf[10] = 0x12;
	cr_expect_eq(
		tds_message(buf, 20, msg, sizeof(msg), &mlen, &type, &used),
		EXPO_EPROTO);
}

static void judge(const cJSON *facts, char *ids, size_t isize, char *ev,
		  size_t esize)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(&check_mssql, &cfg, &t, &a, 1433, NULL);
	cr_assert_not_null(ctx);
	cr_assert_geq(check_mssql.assess(facts, ctx), 0);
	l = ctx_findings(ctx);
	snprintf(ids, isize, "%s", l->n ? l->v[0].rule_id : "");
	snprintf(ev, esize, "%s", l->n ? l->v[0].evidence : "");
	if (l->n)
		cr_expect_str_eq(l->v[0].secret, "<redacted>");
	ctx_free(ctx);
}

Test(mssql_assess, loginack_is_the_proof)
{
	char ids[128], ev[512];
	cJSON *f = cJSON_Parse(
		"{\"server_version\":\"16.0.4135\",\"encryption\":2,"
		"\"logins\":[{\"user\":\"sa\",\"password\":\"\","
		"\"program\":\"Microsoft SQL Server\","
		"\"version\":\"16.0.4135\"}]}");

	judge(f, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "mssql.default_credentials");
	cr_expect_str_eq(ev, "SQL Server 16.0.4135 answered LOGIN7 with "
			     "LOGINACK for sa (empty password)");
	cJSON_Delete(f);
	/* refused, locked out, TLS demanded: no login, no finding */
	f = cJSON_Parse("{\"server_version\":\"16.0.4135\",\"encryption\":2,"
			"\"locked_out\":\"sa\"}");
	judge(f, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"logins\":[{\"user\":\"sa\"}]}");
	judge(f, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}
