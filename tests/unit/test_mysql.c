/*
 * test_mysql.c - the MySQL/MariaDB protocol parsers on packets recorded
 * from the lab's MariaDB 10.11.19 (tests/fixtures/mysql/: handshake, OK
 * after root with no password, ERR 1045) and constructed ones (truncated,
 * lying lengths, other protocols), the scrambles against independently
 * computed vectors, the RSA path round trip, and mysql assess().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "expo.h"
#include "raw/mysql_wire.h"
#include "rawapi_fixture.h"

extern const struct check check_mysql;

static size_t load(const char *name, uint8_t *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "tests/fixtures/mysql/%s", name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run from the top directory)",
			   path);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

Test(mysql_wire, recorded_handshake)
{
	uint8_t buf[512];
	const uint8_t *p = NULL;
	size_t len = load("10.11.19-handshake.bin", buf, sizeof(buf));
	size_t plen = 0, used = 0;
	struct mysql_handshake h;
	uint8_t seq = 9;

	cr_assert_eq(mysql_wire_packet(buf, len, &p, &plen, &seq, &used), 0);
	cr_expect_eq(seq, 0);
	cr_expect_eq(used, len);
	cr_assert_eq(mysql_wire_handshake(p, plen, &h), 0);
	cr_expect(!h.is_error);
	cr_expect_eq(h.protocol, 10);
	cr_expect_str_eq(h.version, "5.5.5-10.11.19-MariaDB-0+deb12u1");
	cr_expect_str_eq(h.plugin, "mysql_native_password");
	cr_expect(h.caps & MYSQL_CLIENT_PLUGIN_AUTH);
	cr_expect(h.caps & MYSQL_CLIENT_SECURE_CONNECTION);
}

Test(mysql_wire, recorded_replies)
{
	uint8_t buf[512];
	const uint8_t *p = NULL;
	size_t len, plen = 0, used = 0;
	struct mysql_reply r;
	uint8_t seq = 0;

	len = load("10.11.19-ok.bin", buf, sizeof(buf));
	cr_assert_eq(mysql_wire_packet(buf, len, &p, &plen, &seq, &used), 0);
	cr_expect_eq(seq, 2);
	cr_assert_eq(mysql_wire_reply(p, plen, &r), 0);
	cr_expect_eq(r.kind, MYSQL_R_OK);

	len = load("10.11.19-err1045.bin", buf, sizeof(buf));
	cr_assert_eq(mysql_wire_packet(buf, len, &p, &plen, &seq, &used), 0);
	cr_assert_eq(mysql_wire_reply(p, plen, &r), 0);
	cr_expect_eq(r.kind, MYSQL_R_ERR);
	cr_expect_eq(r.err.code, 1045);
	cr_expect(strncmp(r.err.message, "Access denied", 13) == 0, "%s",
		  r.err.message);
}

Test(mysql_wire, truncated_and_lying)
{
	uint8_t buf[512], bad[512];
	const uint8_t *p = NULL;
	size_t len = load("10.11.19-handshake.bin", buf, sizeof(buf));
	size_t plen = 0, used = 0, i;
	struct mysql_handshake h;
	uint8_t seq = 0;

	for (i = 0; i < len; i++)
		cr_assert_eq(mysql_wire_packet(buf, i, &p, &plen, &seq, &used),
			     MYSQL_WIRE_MORE, "prefix %zu", i);
	/* every shorter payload is malformed, never an overread */
	for (i = 0; i < len - 4; i++) {
		int rc = mysql_wire_handshake(buf + 4, i, &h);

		cr_assert(rc == EXPO_EPARSE || rc == EXPO_EPROTO ||
				  (rc == 0 && i > 60),
			  "payload %zu: %d", i, rc);
	}
	/* a length over our cap */
	memcpy(bad, buf, len);
	bad[2] = 0x10;
	cr_expect_eq(mysql_wire_packet(bad, len, &p, &plen, &seq, &used),
		     EXPO_ETOOBIG);
	/* no NUL after the version */
	memset(bad, 'x', sizeof(bad));
	bad[0] = 10;
	cr_expect_eq(mysql_wire_handshake(bad, 100, &h), EXPO_EPARSE);
	/* another protocol */
	cr_expect_eq(mysql_wire_handshake((const uint8_t *)"SSH-2.0-x", 9, &h),
		     EXPO_EPROTO);
	/* an ERR packet as greeting: host not allowed */
	{
		static const uint8_t e[] =
			"\xff\x6a\x04Host '1.2.3.4' is not "
			"allowed to connect to this MariaDB server";

		cr_assert_eq(mysql_wire_handshake(e, sizeof(e) - 1, &h), 0);
		cr_expect(h.is_error);
		cr_expect_eq(h.err.code, 1130);
	}
}

Test(mysql_wire, switch_and_more)
{
	static const uint8_t sw[] = "\xfe"
				    "caching_sha2_password\0"
				    "abcdefghijklmnopqrst\0";
	static const uint8_t more[] = "\x01\x04";
	struct mysql_reply r;

	cr_assert_eq(mysql_wire_reply(sw, sizeof(sw) - 1, &r), 0);
	cr_expect_eq(r.kind, MYSQL_R_SWITCH);
	cr_expect_str_eq(r.plugin, "caching_sha2_password");
	cr_expect_eq(r.dlen, 21);
	cr_assert_eq(mysql_wire_reply(more, 2, &r), 0);
	cr_expect_eq(r.kind, MYSQL_R_MORE);
	cr_expect_eq(r.data[0], 4);
	/* switch without the plugin's NUL; OK too short; unknown byte */
	cr_expect_eq(mysql_wire_reply((const uint8_t *)"\xfe"
						       "abc",
				      4, &r),
		     EXPO_EPARSE);
	cr_expect_eq(mysql_wire_reply((const uint8_t *)"\x00\x00", 2, &r),
		     EXPO_EPARSE);
	cr_expect_eq(mysql_wire_reply((const uint8_t *)"\x42", 1, &r),
		     EXPO_EPROTO);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

Test(mysql_wire, scrambles)
{
	uint8_t s[20], out[32];
	char h[65];
	size_t len = 99, i;

	for (i = 0; i < 20; i++)
		s[i] = (uint8_t)(i + 1);
	/* vectors computed independently (Python hashlib) */
	mysql_scramble_native("secret", s, out, &len);
	cr_assert_eq(len, 20);
	hex(out, 20, h);
	cr_expect_str_eq(h, "b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
	mysql_scramble_sha2("secret", s, out, &len);
	cr_assert_eq(len, 32);
	hex(out, 32, h);
	cr_expect_str_eq(h, "746ebe205d56a0707acb3e796e834e0dd7b1d617"
			    "43b26bd5202c7a623230c7c9");
	mysql_scramble_native("", s, out, &len);
	cr_expect_eq(len, 0);
	mysql_scramble_sha2("", s, out, &len);
	cr_expect_eq(len, 0);
}

Test(mysql_wire, login_packet)
{
	uint8_t pkt[600], auth[20] = { 1, 2, 3 };
	int n = mysql_wire_login(pkt, sizeof(pkt), 1, "root", auth, 20,
				 "mysql_native_password");

	cr_assert_gt(n, 0);
	cr_expect_eq(pkt[3], 1);
	cr_expect_eq((size_t)(pkt[0] | pkt[1] << 8), (size_t)n - 4);
	cr_expect_str_eq((const char *)pkt + 4 + 32, "root");
	cr_expect_eq(pkt[4 + 32 + 5], 20);
	cr_expect_str_eq((const char *)pkt + 4 + 32 + 5 + 1 + 20,
			 "mysql_native_password");
	cr_expect_eq(mysql_wire_login(pkt, 40, 1, "root", auth, 20,
				      "mysql_native_password"),
		     EXPO_ETOOBIG);
}

Test(mysql_wire, rsa_round_trip)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	EVP_PKEY_CTX *dctx = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	uint8_t s[20], enc[512], dec[512];
	char *pem = NULL;
	long pemlen;
	size_t elen = 0, dlen = sizeof(dec), i;

	cr_assert(key != NULL && bio != NULL);
	cr_assert_eq(PEM_write_bio_PUBKEY(bio, key), 1);
	pemlen = BIO_get_mem_data(bio, &pem);
	for (i = 0; i < 20; i++)
		s[i] = (uint8_t)(0x30 + i);
	cr_assert_eq(mysql_rsa_password("secret", s, (const uint8_t *)pem,
					(size_t)pemlen, enc, sizeof(enc),
					&elen),
		     0);
	cr_expect_eq(elen, 256);
	dctx = EVP_PKEY_CTX_new(key, NULL);
	cr_assert(dctx != NULL && EVP_PKEY_decrypt_init(dctx) > 0);
	cr_assert(EVP_PKEY_CTX_set_rsa_padding(dctx, RSA_PKCS1_OAEP_PADDING) >
		  0);
	cr_assert(EVP_PKEY_decrypt(dctx, dec, &dlen, enc, elen) > 0);
	cr_assert_eq(dlen, 7);
	for (i = 0; i < 7; i++)
		dec[i] ^= s[i];
	cr_expect_eq(memcmp(dec, "secret", 7), 0);
	/* not a key */
	cr_expect_eq(mysql_rsa_password("secret", s, (const uint8_t *)"junk", 4,
					enc, sizeof(enc), &elen),
		     EXPO_EPARSE);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
}

/* ---- assess ---- */

Test(mysql_assess, root_without_password)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_mysql, 3306,
		   "{\"server_version\":"
		   "\"10.11.19-MariaDB-0+deb12u1\",\"auth_plugin\":"
		   "\"mysql_native_password\",\"logins\":[{\"user\":\"root\","
		   "\"password\":\"\",\"plugin\":\"mysql_native_password\"}]}",
		   false);
	x = rawfix_one(&f, "mysql.default_credentials");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "root (no password") != NULL, "%s",
		  x->evidence);
	cr_expect(strstr(x->evidence, "10.11.19-MariaDB") != NULL);
	cr_expect_str_eq(x->secret, "<redacted>");
	rawfix_release(&f);
}

Test(mysql_assess, default_password_redacted)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_mysql, 3306,
		   "{\"server_version\":\"8.0.36\","
		   "\"logins\":[{\"user\":\"root\",\"password\":\"toor\","
		   "\"plugin\":\"caching_sha2_password\"}]}",
		   false);
	x = rawfix_one(&f, "mysql.default_credentials");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "toor") == NULL, "%s", x->evidence);
	cr_expect(strstr(x->evidence, "default password") != NULL);
	cr_expect_str_eq(x->secret, "<redacted>");
	rawfix_release(&f);
	rawfix_run(&f, &check_mysql, 3306,
		   "{\"server_version\":\"8.0.36\","
		   "\"logins\":[{\"user\":\"root\",\"password\":\"toor\","
		   "\"plugin\":\"caching_sha2_password\"}]}",
		   true);
	x = rawfix_one(&f, "mysql.default_credentials");
	cr_assert_not_null(x);
	cr_expect_str_eq(x->secret, "root:toor");
	rawfix_release(&f);
}

Test(mysql_assess, accepts_any)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_mysql, 3306,
		   "{\"server_version\":\"8.0.36\","
		   "\"accepts_any\":true,\"canary_user\":\"xqabc\","
		   "\"canary_password\":\"Czdef\"}",
		   false);
	x = rawfix_one(&f, "mysql.default_credentials");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "accepts any") != NULL);
	cr_expect(strstr(x->evidence, "Czdef") == NULL);
	rawfix_release(&f);
}

Test(mysql_assess, negatives)
{
	static const char *const cases[] = {
		"{\"server_version\":\"10.11.19-MariaDB\","
		"\"auth_plugin\":\"mysql_native_password\"}",
		"{\"refused\":\"Host '127.0.0.1' is not allowed to connect\"}",
		"{\"server_version\":\"8.0\",\"logins\":[{\"user\":\"root\"}]}",
		"{}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_mysql, 3306, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}
