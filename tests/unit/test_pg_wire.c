/*
 * test_pg_wire.c - the PostgreSQL check's own login without a network
 * (checks/pg/pg_wire.c): RFC 7677's SCRAM-SHA-256 example end to end,
 * PBKDF2-HMAC-SHA-256 against RFC 7914's vectors and OpenSSL's own
 * PKCS5_PBKDF2_HMAC, the md5 answer, and the parsers of the server's
 * messages (framing, Authentication*, ErrorResponse) on recorded and
 * malformed bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include "pg/pg_wire.h"

static void unhex(const char *h, uint8_t *out)
{
	size_t i;

	for (i = 0; h[2 * i] != '\0'; i++) {
		unsigned v;
		char b[3] = { h[2 * i], h[2 * i + 1], 0 };

		v = (unsigned)strtoul(b, NULL, 16);
		out[i] = (uint8_t)v;
	}
}

/* ---- SCRAM-SHA-256: RFC 7677 section 3 ---- */

#define RFC_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_FIRST                                               \
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22Za" \
	"J0SNY7soEsUEjb6gQ==,i=4096"

Test(pg_scram, rfc7677_example)
{
	static const char sf[] = RFC_SERVER_FIRST;
	static const char sfin[] =
		"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
	struct pg_scram s;
	char out[512];
	size_t n;
	bool costly = true;

	n = pg_scram_first(&s, "user", RFC_NONCE, out, sizeof(out));
	cr_assert_str_eq(out, "n,,n=user,r=" RFC_NONCE);
	cr_assert_eq(n, strlen(out));
	n = pg_scram_final(&s, "pencil", (const uint8_t *)sf, strlen(sf), out,
			   sizeof(out), &costly);
	cr_expect_not(costly);
	cr_assert_str_eq(out,
			 "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)"
			 "hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7And"
			 "VQ=");
	cr_assert_eq(n, strlen(out));
	cr_expect(pg_scram_verify(&s, (const uint8_t *)sfin, strlen(sfin)));
	/* a wrong signature, a bad encoding, a server error */
	cr_expect_not(pg_scram_verify(
		&s,
		(const uint8_t
			 *)"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		46));
	cr_expect_not(pg_scram_verify(&s, (const uint8_t *)"v=AAAA", 6));
	cr_expect_not(
		pg_scram_verify(&s, (const uint8_t *)"e=invalid-proof", 15));
	/* another password: another proof */
	n = pg_scram_final(&s, "pencil2", (const uint8_t *)sf, strlen(sf), out,
			   sizeof(out), &costly);
	cr_assert(n > 0);
	cr_expect(strstr(out, "p=dHzbZapWIk4jUhN") == NULL);
}

Test(pg_scram, postgres_client_first_has_no_user)
{
	struct pg_scram s;
	char out[128];

	cr_assert(pg_scram_first(&s, "", "abcDEF012+/xyzXYZ0123456", out,
				 sizeof(out)) > 0);
	cr_expect_str_eq(out, "n,,n=,r=abcDEF012+/xyzXYZ0123456");
	/* a comma in the nonce, or too long */
	cr_expect_eq(pg_scram_first(&s, "", "ab,c", out, sizeof(out)), 0);
	cr_expect_eq(pg_scram_first(&s, "", "abcDEF012+/xyzXYZ01234567", out,
				    sizeof(out)),
		     0);
}

/* server-first messages libpq refuses: we hand them to libpq too */
Test(pg_scram, malformed_server_first)
{
	static const char *const bad[] = {
		"",
		"r=",
		"r=rOprNGfwEbeRWgbNEkqO", /* no s, i */
		"r=xOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		"r=rOprNGfwEbeRWgbNE,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22Za!0SNY7soEsUEjb6gQ==,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,m=x",
		"r=rOprNGfwEbeRWgbNEkqOab,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==",
		"s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOab,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOa b,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOab,s=,i=4096",
		"r=rOprNGfwEbeRWgbNEkqOab,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
	};
	struct pg_scram s;
	char out[512];
	size_t i;
	bool costly;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(pg_scram_first(&s, "", RFC_NONCE, out, sizeof(out)));
		cr_expect_eq(pg_scram_final(
				     &s, "pencil", (const uint8_t *)bad[i],
				     strlen(bad[i]), out, sizeof(out), &costly),
			     0, "accepted: %s", bad[i]);
		cr_expect_not(costly, "%s", bad[i]);
		/* no keys: no server signature can pass */
		cr_expect_not(pg_scram_verify(
			&s,
			(const uint8_t
				 *)"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
			46));
	}
}

/* an iteration count that would cost seconds is left to libpq */
Test(pg_scram, iteration_cap)
{
	static const char sf[] = "r=" RFC_NONCE
				 "xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100001";
	static const char ok[] = "r=" RFC_NONCE
				 "xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100000";
	struct pg_scram s;
	char out[512];
	bool costly = false;

	cr_assert(pg_scram_first(&s, "", RFC_NONCE, out, sizeof(out)));
	cr_expect_eq(pg_scram_final(&s, "x", (const uint8_t *)sf, strlen(sf),
				    out, sizeof(out), &costly),
		     0);
	cr_expect(costly);
	cr_expect(pg_scram_final(&s, "x", (const uint8_t *)ok, strlen(ok), out,
				 sizeof(out), &costly) > 0);
	cr_expect_not(costly);
}

/* ---- PBKDF2-HMAC-SHA-256 ---- */

Test(pg_scram, pbkdf2_rfc7914_vectors)
{
	uint8_t got[32], want[32];

	/* RFC 7914 section 11, the first 32 bytes of each dkLen = 64 */
	pg_scram_salted("passwd", 6, (const uint8_t *)"salt", 4, 1, got);
	unhex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc",
	      want);
	cr_expect_arr_eq(got, want, 32);
	pg_scram_salted("Password", 8, (const uint8_t *)"NaCl", 4, 80000, got);
	unhex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56",
	      want);
	cr_expect_arr_eq(got, want, 32);
}

/* against OpenSSL's PBKDF2 on passwords of every length around the
 * HMAC block (64: key used as is; 65: hashed first) and odd salts */
Test(pg_scram, pbkdf2_matches_openssl)
{
	char pw[200];
	uint8_t salt[40], got[32], want[32];
	size_t plen, i;
	unsigned iters[] = { 1, 2, 3, 4096 };
	unsigned k;

	for (i = 0; i < sizeof(pw); i++)
		pw[i] = (char)(' ' + (i * 7) % 90);
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(i * 37 + 1);
	for (plen = 0; plen < 140; plen += (plen < 70 ? 1 : 13)) {
		k = (unsigned)(plen % 4);
		pg_scram_salted(pw, plen, salt, 1 + plen % 40, iters[k], got);
		cr_assert_eq(PKCS5_PBKDF2_HMAC(
				     pw, (int)plen, salt, (int)(1 + plen % 40),
				     (int)iters[k], EVP_sha256(), 32, want),
			     1);
		cr_expect_arr_eq(got, want, 32, "password length %zu", plen);
	}
}

Test(pg_scram, plain_password)
{
	cr_expect(pg_scram_plain_password("password"));
	cr_expect(pg_scram_plain_password(""));
	cr_expect(pg_scram_plain_password("a\tb"));
	cr_expect_not(pg_scram_plain_password("p\xc3\xa4ss"));
}

/* ---- md5 ---- */

Test(pg_wire, md5_answer)
{
	static const uint8_t salt[4] = { 1, 2, 3, 4 };
	char out[36];

	/* md5(md5("postgres" "postgres") hex || salt) in hex */
	pg_wire_md5("postgres", "postgres", salt, out);
	cr_expect_str_eq(out, "md568be9ed08db75f318087ab337aaea044");
}

/* ---- messages ---- */

Test(pg_wire, startup_message)
{
	static const uint8_t want[] =
		"\0\0\0\x40\0\x03\0\0user\0admin\0database\0postgres\0"
		"application_name\0exposure\0";
	uint8_t buf[256];
	size_t n = pg_wire_startup(buf, sizeof(buf), "admin");

	cr_assert_eq(n, 0x40);
	cr_expect_arr_eq(buf, want, n - 1);
	cr_expect_eq(buf[n - 1], 0);
	cr_expect_eq(pg_wire_startup(buf, 40, "admin"), 0);
}

Test(pg_wire, framing)
{
	static const uint8_t two[] = "R\0\0\0\x08\0\0\0\0Z\0\0\0\x05I";
	uint8_t type, big[8] = { 'E', 0, 0, 0x20, 0x05 };
	const uint8_t *body;
	size_t n, used;

	cr_expect_eq(pg_wire_next(two, 4, &type, &body, &n, &used), 0);
	cr_expect_eq(pg_wire_next(two, 8, &type, &body, &n, &used), 0);
	cr_assert_eq(pg_wire_next(two, 15, &type, &body, &n, &used), 1);
	cr_expect_eq(type, 'R');
	cr_expect_eq(n, 4);
	cr_expect_eq(used, 9);
	cr_assert_eq(pg_wire_next(two + 9, 6, &type, &body, &n, &used), 1);
	cr_expect_eq(type, 'Z');
	cr_expect_eq(n, 1);
	cr_expect_eq(body[0], 'I');
	/* a length below 4, and one above the bound */
	cr_expect_eq(pg_wire_next((const uint8_t *)"R\0\0\0\x03xx", 7, &type,
				  &body, &n, &used),
		     -1);
	cr_expect_eq(pg_wire_next(big, sizeof(big), &type, &body, &n, &used),
		     -1);
}

Test(pg_wire, authentication_requests)
{
	struct pg_auth a;
	static const uint8_t sasl[] = "\0\0\0\x0a"
				      "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0";
	static const uint8_t plus_only[] = "\0\0\0\x0aSCRAM-SHA-256-PLUS\0";
	static const uint8_t cont[] = "\0\0\0\x0br=abc";

	pg_wire_auth((const uint8_t *)"\0\0\0\0", 4, &a);
	cr_expect_eq(a.kind, PG_AUTH_OK);
	pg_wire_auth((const uint8_t *)"\0\0\0\x03", 4, &a);
	cr_expect_eq(a.kind, PG_AUTH_CLEARTEXT);
	pg_wire_auth((const uint8_t *)"\0\0\0\x05\x0a\x0b\x0c\x0d", 8, &a);
	cr_expect_eq(a.kind, PG_AUTH_MD5);
	cr_expect_eq(a.salt[3], 0x0d);
	pg_wire_auth((const uint8_t *)"\0\0\0\x05\x0a", 5, &a);
	cr_expect_eq(a.kind, PG_AUTH_BAD);
	pg_wire_auth(sasl, sizeof(sasl), &a); /* with the final NUL */
	cr_expect_eq(a.kind, PG_AUTH_SASL);
	cr_expect(a.has_scram);
	pg_wire_auth(plus_only, sizeof(plus_only), &a);
	cr_expect_eq(a.kind, PG_AUTH_SASL);
	cr_expect_not(a.has_scram);
	/* the list without its terminating empty name */
	pg_wire_auth(sasl, sizeof(sasl) - 1, &a);
	cr_expect_eq(a.kind, PG_AUTH_BAD);
	cr_expect_not(a.has_scram);
	pg_wire_auth(cont, sizeof(cont) - 1, &a);
	cr_expect_eq(a.kind, PG_AUTH_SASL_CONTINUE);
	cr_expect_eq(a.ndata, 5);
	pg_wire_auth((const uint8_t *)"\0\0\0\x07", 4, &a); /* GSS */
	cr_expect_eq(a.kind, PG_AUTH_OTHER);
	pg_wire_auth((const uint8_t *)"\0\0", 2, &a);
	cr_expect_eq(a.kind, PG_AUTH_BAD);
}

/* an ErrorResponse of PostgreSQL 15 (lab, scramuser, wrong password) */
Test(pg_wire, error_response)
{
	static const uint8_t bad_pw[] =
		"SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for "
		"user \"admin\"\0Fauth.c\0L330\0Rauth_failed\0";
	static const uint8_t hba[] =
		"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host "
		"\"127.0.0.1\", user \"x\", database \"postgres\", no "
		"encryption\0";
	static const uint8_t role[] =
		"SFATAL\0VFATAL\0C28000\0Mrole \"x\" is not permitted to log "
		"in\0";
	static const uint8_t nodb[] =
		"SFATAL\0VFATAL\0C3D000\0Mdatabase \"postgres\" does not "
		"exist\0";
	static const uint8_t busy[] =
		"SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0";
	struct pg_error e;

	cr_assert(pg_wire_error(bad_pw, sizeof(bad_pw), &e));
	cr_expect_str_eq(e.code, "28P01");
	cr_expect_str_eq(e.severity, "FATAL");
	cr_expect_eq(pg_wire_outcome(&e), PG_BAD_PASSWORD);
	cr_assert(pg_wire_error(hba, sizeof(hba), &e));
	cr_expect_eq(pg_wire_outcome(&e), PG_FORBIDDEN);
	cr_assert(pg_wire_error(role, sizeof(role), &e));
	cr_expect_eq(pg_wire_outcome(&e), PG_NO_ROLE);
	cr_assert(pg_wire_error(nodb, sizeof(nodb), &e));
	cr_expect_eq(pg_wire_outcome(&e), PG_NO_DATABASE);
	cr_assert(pg_wire_error(busy, sizeof(busy), &e));
	cr_expect_eq(pg_wire_outcome(&e), PG_BUSY);
	/* without the final NUL, without a code, a code not of 5 */
	cr_expect_not(pg_wire_error(bad_pw, sizeof(bad_pw) - 1, &e));
	cr_expect_not(pg_wire_error((const uint8_t *)"SFATAL\0Mx\0", 11, &e));
	cr_expect_not(
		pg_wire_error((const uint8_t *)"SFATAL\0C28P0\0Mx\0", 17, &e));
	cr_expect_not(pg_wire_error((const uint8_t *)"", 0, &e));
	/* a code of odd characters: no outcome but "failed" */
	cr_assert(pg_wire_error((const uint8_t *)"C28p01\0", 8, &e));
	cr_expect_eq(pg_wire_outcome(&e), PG_FAILED);
}
