/*
 * test_vnc.c - the RFB parsers (versions 3.3, 3.7, 3.8 and others,
 * security lists, results, ServerInit, bounds), the VNC authentication
 * response against vectors computed with `openssl enc -des-ecb`, vnc
 * assess() on fixture facts, and the check through the whole engine
 * against scripted servers: RFB 3.3 with None, 3.7 with VNC
 * authentication (the second password of the list), 3.8 that blacklists
 * after one failure, --no-login, and a server that is not RFB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "expo.h"
#include "raw/vnc_wire.h"
#include "rawapi_fixture.h"
#include "script_server.h"

extern const struct check check_vnc;

#define U8(s) ((const uint8_t *)(s))

Test(vnc_wire, versions)
{
	static const struct {
		const char *text;
		unsigned use;
	} ok[] = {
		{ "RFB 003.003\n", 3 }, { "RFB 003.005\n", 3 },
		{ "RFB 003.007\n", 7 }, { "RFB 003.008\n", 8 },
		{ "RFB 003.889\n", 8 }, { "RFB 004.001\n", 8 },
		{ "RFB 005.000\n", 8 },
	};
	static const char *const bad[] = {
		"RFB 002.000\n", "RFB 003.00x\n",  "RFB 003-008\n",
		"RFB 003.008\r", "HTTP/1.1 200\n", "SSH-2.0-Open\n",
	};
	struct vnc_version v;
	char out[VNC_VERSION_LEN + 1];
	size_t i, used = 0;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(vnc_wire_version(U8(ok[i].text), 12, &v, &used), 0,
			     "%s", ok[i].text);
		cr_expect_eq(v.use_minor, ok[i].use, "%s", ok[i].text);
		cr_expect_eq(used, 12u);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(vnc_wire_version(U8(bad[i]), 12, &v, &used),
			     EXPO_EPROTO, "%s", bad[i]);
	/* every prefix of a good version asks for more; a bad start does
	 * not wait for twelve bytes */
	for (i = 0; i < 12; i++)
		cr_expect_eq(
			vnc_wire_version(U8("RFB 003.008\n"), i, &v, &used),
			VNC_WIRE_MORE);
	cr_expect_eq(vnc_wire_version(U8("HT"), 2, &v, &used), EXPO_EPROTO);
	vnc_wire_client_version(7, out);
	cr_expect_str_eq(out, "RFB 003.007\n");
	vnc_wire_client_version(8, out);
	cr_expect_str_eq(out, "RFB 003.008\n");
	vnc_wire_client_version(3, out);
	cr_expect_str_eq(out, "RFB 003.003\n");
}

Test(vnc_wire, security_lists)
{
	static const uint8_t v33_none[] = { 0, 0, 0, 1 };
	static const uint8_t v33_fail[] = { 0, 0, 0,   0,   0,	0,
					    0, 3, 'b', 'a', 'd' };
	static const uint8_t v38[] = { 3, 2, 16, 1 };
	static const uint8_t v38_fail[] = { 0,	 0,   0,     0,	  26,  'T', 'o',
					    'o', ' ', 'm',   'a', 'n', 'y', ' ',
					    's', 'e', 'c',   'u', 'r', 'i', 't',
					    'y', ' ', 'f',   'a', 'i', 'l', 'u',
					    'r', 'e', '\x1b' };
	static const uint8_t zero_type[] = { 2, 2, 0 };
	static const uint8_t big_reason[] = { 0, 0, 0, 0x10, 0 };
	struct vnc_security s;
	size_t used = 0, i;

	cr_assert_eq(vnc_wire_security(v33_none, 4, 3, &s, &used), 0);
	cr_expect(s.ntypes == 1 && vnc_wire_offers(&s, VNC_SEC_NONE));
	cr_assert_eq(
		vnc_wire_security(v33_fail, sizeof(v33_fail), 3, &s, &used), 0);
	cr_expect_eq(s.ntypes, 0u);
	cr_expect_str_eq(s.reason, "bad");
	cr_expect_eq(used, sizeof(v33_fail));
	cr_assert_eq(vnc_wire_security(v38, 4, 8, &s, &used), 0);
	cr_expect_eq(s.ntypes, 3u);
	cr_expect(vnc_wire_offers(&s, VNC_SEC_NONE) &&
		  vnc_wire_offers(&s, VNC_SEC_VNCAUTH) &&
		  !vnc_wire_offers(&s, 18));
	cr_assert_eq(
		vnc_wire_security(v38_fail, sizeof(v38_fail), 8, &s, &used), 0);
	cr_expect_eq(s.ntypes, 0u);
	/* printable only: the escape byte is replaced */
	cr_expect_str_eq(s.reason, "Too many security failure?");
	cr_expect(vnc_wire_locked_text(s.reason));
	cr_expect(!vnc_wire_locked_text("Authentication failure"));
	for (i = 0; i < sizeof(v38_fail); i++)
		cr_expect_eq(vnc_wire_security(v38_fail, i, 8, &s, &used),
			     VNC_WIRE_MORE, "prefix %zu", i);
	cr_expect_eq(vnc_wire_security(zero_type, 3, 7, &s, &used),
		     EXPO_EPROTO);
	cr_expect_eq(vnc_wire_security(big_reason, 5, 8, &s, &used),
		     EXPO_ETOOBIG);
	/* 3.3: a type over 255 is not RFB */
	cr_expect_eq(vnc_wire_security(U8("\0\0\1\0"), 4, 3, &s, &used),
		     EXPO_EPROTO);
}

Test(vnc_wire, results_and_server_init)
{
	static const uint8_t fail38[] = { 0, 0, 0,   1,	  0,   0,
					  0, 4, 'n', 'o', 'p', 'e' };
	static const uint8_t init[] = {
		2,  128, 1, 224, 16, 16, 0, 1, 0, 31, 0,   63,	0,  31,
		11, 5,	 0, 0,	 0,  0,	 0, 0, 0, 3,  'x', '1', '1'
	};
	uint8_t big[24] = { 0 };
	struct vnc_result r;
	struct vnc_server_init si;
	size_t used = 0;

	cr_assert_eq(vnc_wire_result(U8("\0\0\0\0"), 4, 8, false, &r, &used),
		     0);
	cr_expect_eq(r.status, 0u);
	cr_assert_eq(
		vnc_wire_result(fail38, sizeof(fail38), 8, false, &r, &used),
		0);
	cr_expect_eq(r.status, 1u);
	cr_expect_str_eq(r.reason, "nope");
	/* 3.8 failure without its reason: more, unless the server closed */
	cr_expect_eq(vnc_wire_result(fail38, 4, 8, false, &r, &used),
		     VNC_WIRE_MORE);
	cr_expect_eq(vnc_wire_result(fail38, 4, 8, true, &r, &used), 0);
	/* 3.7 has no reason */
	cr_expect_eq(vnc_wire_result(fail38, 4, 7, false, &r, &used), 0);
	cr_expect_eq(used, 4u);
	cr_assert_eq(vnc_wire_server_init(init, sizeof(init), &si, &used), 0);
	cr_expect_eq(si.width, 640u);
	cr_expect_eq(si.height, 480u);
	cr_expect_str_eq(si.name, "x11");
	cr_expect_eq(vnc_wire_server_init(init, sizeof(init) - 1, &si, &used),
		     VNC_WIRE_MORE);
	big[20] = 0x7f; /* a name of 2 GiB */
	cr_expect_eq(vnc_wire_server_init(big, sizeof(big), &si, &used),
		     EXPO_ETOOBIG);
}

/* vectors: openssl enc -des-ecb -nopad -K <the password's bytes, bits
 * reversed> over the challenge 00 01 .. 0f */
Test(vnc_wire, des_response_vectors)
{
	static const uint8_t v123456[16] = { 0x4e, 0x77, 0xe4, 0x97, 0x9a, 0xf4,
					     0x52, 0x88, 0x59, 0x7c, 0x59, 0x58,
					     0x41, 0x4f, 0xe9, 0xc7 };
	static const uint8_t vpassword[16] = { 0xb8, 0x66, 0x92, 0x41,
					       0x25, 0xc8, 0xee, 0xbb,
					       0x9d, 0xeb, 0xc1, 0xdb,
					       0x61, 0xc5, 0x38, 0xe2 };
	uint8_t ch[16], out[16];
	size_t i;

	for (i = 0; i < 16; i++)
		ch[i] = (uint8_t)i;
	cr_assert_eq(vnc_wire_des_response(ch, "123456", out), 0);
	cr_expect_arr_eq(out, v123456, 16);
	cr_assert_eq(vnc_wire_des_response(ch, "password", out), 0);
	cr_expect_arr_eq(out, vpassword, 16);
	/* VNC uses the first 8 bytes only */
	cr_assert_eq(vnc_wire_des_response(ch, "password123", out), 0);
	cr_expect_arr_eq(out, vpassword, 16);
}

Test(vnc_assess, findings_from_facts)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_vnc, 5900,
		   "{\"rfb_version\":\"3.8\",\"security_types\":[1,2],"
		   "\"no_auth\":true,\"none_ok\":true,"
		   "\"desktop_name\":\"lab\",\"geometry\":\"640x480\"}",
		   false);
	x = rawfix_one(&f, "vnc.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "offered: None, VNC Authentication") &&
			  strstr(x->evidence, "desktop \"lab\" (640x480)"),
		  "%s", x->evidence);
	rawfix_release(&f);

	rawfix_run(&f, &check_vnc, 5900,
		   "{\"rfb_version\":\"3.7\",\"security_types\":[2],"
		   "\"vnc_auth\":true,\"password\":\"s3cr3tpw\"}",
		   false);
	x = rawfix_one(&f, "vnc.weak_password");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "s3cr3tpw") == NULL, "%s", x->evidence);
	cr_expect_str_eq(x->secret, "<redacted>");
	rawfix_release(&f);
}

Test(vnc_assess, negatives)
{
	static const char *const cases[] = {
		"{}",
		"{\"security_types\":[2],\"vnc_auth\":true}",
		"{\"security_types\":[2],\"vnc_auth\":true,"
		"\"locked_out\":true}",
		/* None offered, then refused on 3.8: not proven */
		"{\"security_types\":[1],\"no_auth\":true,"
		"\"none_refused\":\"no\"}",
		"{\"security_types\":[],\"refused\":\"Too many\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_vnc, 5900, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}

/* ---- the check against scripted servers ---- */

static void init_and_name(int fd, const char *name)
{
	uint8_t si[24 + 32] = { 2, 128, 1, 224 };
	uint8_t c;
	size_t n = strlen(name);

	if (!script_read(fd, &c, 1) || c != 1) /* ClientInit: shared */
		return;
	si[23] = (uint8_t)n;
	memcpy(si + 24, name, n);
	script_write(fd, si, 24 + n);
}

static void rfb33_none(struct script_server *s, int fd, unsigned conn)
{
	char v[12];

	(void)conn;
	script_write(fd, "RFB 003.003\n", 12);
	if (!script_read(fd, v, 12) || memcmp(v, "RFB 003.003\n", 12))
		return;
	script_count(s, &s->sessions);
	script_write(fd, "\0\0\0\1", 4);
	script_count(s, &s->counter);
	init_and_name(fd, "three-three");
}

Test(vnc_check, rfb33_none_through_the_engine, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;

	script_once(&s, rfb33_none, &check_vnc, 0, false, &res);
	cr_assert_eq(res.findings.n, 1);
	cr_expect_str_eq(res.findings.v[0].rule_id, "vnc.no_auth");
	cr_expect(strstr(res.findings.v[0].evidence, "RFB 3.3") &&
			  strstr(res.findings.v[0].evidence, "three-three"),
		  "%s", res.findings.v[0].evidence);
	cr_expect_eq(s.counter, 1u);
	scan_result_release(&res);
}

/* 3.7, VNC authentication: accepts "123456" only */
static void rfb37_auth(struct script_server *s, int fd, unsigned conn)
{
	uint8_t ch[16], resp[16], want[16], t;
	char v[12];
	size_t i;

	(void)conn;
	script_write(fd, "RFB 003.007\n", 12);
	if (!script_read(fd, v, 12) || memcmp(v, "RFB 003.007\n", 12))
		return;
	script_count(s, &s->sessions);
	script_write(fd, "\1\2", 2);
	if (!script_read(fd, &t, 1) || t != 2)
		return;
	for (i = 0; i < 16; i++)
		ch[i] = (uint8_t)(conn * 16 + i);
	script_write(fd, ch, 16);
	if (!script_read(fd, resp, 16))
		return;
	script_count(s, &s->counter);
	vnc_wire_des_response(ch, "123456", want);
	if (memcmp(resp, want, 16) != 0) {
		script_write(fd, "\0\0\0\1", 4); /* 3.7: no reason */
		return;
	}
	script_write(fd, "\0\0\0\0", 4);
	init_and_name(fd, "three-seven");
}

Test(vnc_check, rfb37_password_through_the_engine, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;

	script_once(&s, rfb37_auth, &check_vnc, 0, false, &res);
	cr_assert_eq(res.findings.n, 1);
	cr_expect_str_eq(res.findings.v[0].rule_id, "vnc.weak_password");
	cr_expect(strstr(res.findings.v[0].evidence, "three-seven"), "%s",
		  res.findings.v[0].evidence);
	/* "password" then "123456": two responses, two connections */
	cr_expect_eq(s.counter, 2u);
	cr_expect_eq(s.sessions, 2u);
	scan_result_release(&res);

	/* --no-login: the list is seen, no response is sent */
	script_once(&s, rfb37_auth, &check_vnc, 0, true, &res);
	cr_expect_eq(res.findings.n, 0);
	cr_expect_eq(s.counter, 0u);
	cr_expect_eq(s.sessions, 1u);
	scan_result_release(&res);

	/* --max-attempts 1: "password" only */
	script_once(&s, rfb37_auth, &check_vnc, 1, false, &res);
	cr_expect_eq(res.findings.n, 0);
	cr_expect_eq(s.counter, 1u);
	scan_result_release(&res);
}

/* 3.8: the first attempt fails, then the client is blacklisted */
static void rfb38_blacklist(struct script_server *s, int fd, unsigned conn)
{
	(void)conn;
	static const char why[] = "\0\0\0\x1aToo many security failures";
	uint8_t ch[16] = { 0 }, resp[16], t;
	char v[12];

	script_write(fd, "RFB 003.008\n", 12);
	if (!script_read(fd, v, 12))
		return;
	if (script_count(s, &s->sessions) > 1) {
		script_write(fd, "\0", 1);
		script_write(fd, why, sizeof(why) - 1);
		return;
	}
	script_write(fd, "\1\2", 2);
	if (!script_read(fd, &t, 1) || t != 2)
		return;
	script_write(fd, ch, 16);
	if (!script_read(fd, resp, 16))
		return;
	script_count(s, &s->counter);
	script_write(fd,
		     "\0\0\0\1\0\0\0\x16"
		     "Authentication failure",
		     30);
}

Test(vnc_check, blacklist_stops_the_host, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;
	const char *reason;
	int st;

	script_once(&s, rfb38_blacklist, &check_vnc, 10, false, &res);
	cr_expect_eq(res.findings.n, 0);
	cr_expect_eq(s.counter, 1u);  /* one response sent */
	cr_expect_eq(s.sessions, 2u); /* and one more connection: refused */
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_OPEN, "%d %s", st, reason);
	cr_expect(strstr(reason, "blacklisted") != NULL, "%s", reason);
	scan_result_release(&res);
}

static void not_rfb(struct script_server *s, int fd, unsigned conn)
{
	(void)s;
	(void)conn;
	script_write(fd, "SSH-2.0-OpenSSH_9.2\r\n", 21);
}

Test(vnc_check, another_protocol_is_an_error, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;
	const char *reason;
	int st;

	script_once(&s, not_rfb, &check_vnc, 0, false, &res);
	cr_expect_eq(res.findings.n, 0);
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_ERROR, "%d %s", st, reason);
	cr_expect(strstr(reason, "not an RFB") != NULL, "%s", reason);
	scan_result_release(&res);
}
