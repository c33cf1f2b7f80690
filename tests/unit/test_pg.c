/*
 * test_pg.c - the PostgreSQL check without a network: the SSLRequest
 * answer, the classification of recorded server answers (libpq's verbose
 * messages, captured from PostgreSQL 15 in the lab) into outcomes and
 * credential verdicts, and assess() on fixture facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "pg/pg_proto.h"

extern const struct check check_pg;

/* ---- SSLRequest ---- */

Test(pg_proto, sslrequest_bytes)
{
	uint32_t len, code;

	len = (uint32_t)pg_sslrequest[0] << 24 |
	      (uint32_t)pg_sslrequest[1] << 16 |
	      (uint32_t)pg_sslrequest[2] << 8 | pg_sslrequest[3];
	code = (uint32_t)pg_sslrequest[4] << 24 |
	       (uint32_t)pg_sslrequest[5] << 16 |
	       (uint32_t)pg_sslrequest[6] << 8 | pg_sslrequest[7];
	cr_assert_eq(len, 8);
	cr_assert_eq(code, 80877103u);
	cr_assert_eq(code, (1234u << 16) | 5679u);
}

Test(pg_proto, ssl_answer_every_byte)
{
	unsigned b;

	for (b = 0; b < 256; b++) {
		enum pg_ssl_answer want = PG_SSL_OTHER;

		if (b == 'S')
			want = PG_SSL_YES;
		else if (b == 'N')
			want = PG_SSL_NO;
		else if (b == 'E')
			want = PG_SSL_ERROR;
		cr_assert_eq(pg_ssl_answer((uint8_t)b), want, "byte 0x%02x", b);
	}
}

/* ---- recorded answers -> outcome -> credential verdict ---- */

struct recorded {
	const char *what;
	bool ok, need_password;
	const char *msg;
	enum pg_outcome want;
	const char *sqlstate; /* NULL: none in the message */
};

static const struct recorded recorded[] = {
	{ "md5 wrong password", false, false,
	  "connection to server at \"127.0.20.2\", port 5432 failed: FATAL:  "
	  "28P01: password authentication failed for user \"postgres\"\n"
	  "LOCATION:  auth_failed, auth.c:334\n",
	  PG_BAD_PASSWORD, "28P01" },
	{ "right password, no database", false, false,
	  "connection to server at \"127.0.20.2\", port 5432 failed: FATAL:  "
	  "3D000: database \"nodb\" does not exist\n"
	  "LOCATION:  InitPostgres, postinit.c:948\n",
	  PG_NO_DATABASE, "3D000" },
	{ "trust, unknown role", false, false,
	  "connection to server at \"127.0.20.1\", port 5432 failed: FATAL:  "
	  "28000: role \"nobody\" does not exist\n"
	  "LOCATION:  InitializeSessionUserId, miscinit.c:768\n",
	  PG_NO_ROLE, "28000" },
	{ "no pg_hba.conf entry", false, false,
	  "connection to server at \"127.0.20.6\", port 5432 failed: FATAL:  "
	  "28000: no pg_hba.conf entry for host \"127.0.0.1\", user "
	  "\"postgres\", database \"postgres\", no encryption\n"
	  "LOCATION:  ClientAuthentication, auth.c:544\n",
	  PG_FORBIDDEN, "28000" },
	{ "pg_hba.conf reject line", false, false,
	  "connection to server at \"127.0.20.5\", port 5432 failed: FATAL:  "
	  "28000: pg_hba.conf rejects connection for host \"127.0.0.1\", "
	  "user \"postgres\", database \"postgres\", no encryption\n",
	  PG_FORBIDDEN, "28000" },
	{ "SCRAM over TLS, wrong password", false, false,
	  "connection to server at \"127.0.20.5\", port 5432 failed: FATAL:  "
	  "28P01: password authentication failed for user \"postgres\"\n",
	  PG_BAD_PASSWORD, "28P01" },
	{ "password asked, none given", false, true,
	  "connection to server at \"127.0.20.3\", port 5432 failed: "
	  "fe_sendauth: no password supplied\n",
	  PG_NEED_PASSWORD, NULL },
	{ "too many connections", false, false,
	  "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  "
	  "53300: sorry, too many clients already\n",
	  PG_BUSY, "53300" },
	{ "starting up", false, false,
	  "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  "
	  "57P03: the database system is starting up\n",
	  PG_BUSY, "57P03" },
	{ "nologin role", false, false,
	  "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  "
	  "28000: role \"app\" is not permitted to log in\n",
	  PG_NO_ROLE, "28000" },
	{ "translated server message", false, false,
	  "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  "
	  "28P01: Passwort-Authentifizierung f\xc3\xbcr Benutzer \xc2\xbbx\xc2\xab "
	  "fehlgeschlagen\n",
	  PG_BAD_PASSWORD, "28P01" },
	{ "other server error", false, false,
	  "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  "
	  "0A000: unsupported frontend protocol 3.0\n",
	  PG_SERVER_ERROR, "0A000" },
	{ "garbage", false, false,
	  "connection to server at \"127.0.20.21\", port 5432 failed: "
	  "received invalid response to SSL negotiation: x\n",
	  PG_FAILED, NULL },
	{ "closed", false, false,
	  "connection to server at \"127.0.20.21\", port 5432 failed: server "
	  "closed the connection unexpectedly\n",
	  PG_FAILED, NULL },
	{ "non-verbose message has no code", false, false,
	  "FATAL:  password authentication failed for user \"postgres\"\n",
	  PG_FAILED, NULL },
	{ "login", true, false, "", PG_OK, NULL },
	{ "empty message", false, false, "", PG_FAILED, NULL },
};

Test(pg_proto, recorded_answers)
{
	size_t i;

	for (i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		const struct recorded *r = &recorded[i];
		char code[6] = "";
		bool has = pg_sqlstate(r->msg, code);

		cr_expect_eq(pg_classify(r->ok, r->need_password, r->msg),
			     r->want, "%s: %s", r->what,
			     pg_outcome_name(pg_classify(
				     r->ok, r->need_password, r->msg)));
		cr_expect_eq(has, r->sqlstate != NULL, "%s", r->what);
		if (has && r->sqlstate != NULL)
			cr_expect_str_eq(code, r->sqlstate, "%s", r->what);
	}
	cr_expect_not(pg_sqlstate(NULL, (char[6]){ 0 }));
}

Test(pg_proto, sqlstate_edges)
{
	char code[6] = "";

	cr_expect_not(pg_sqlstate("  28P0:", code));  /* four chars */
	cr_expect_not(pg_sqlstate("  28p01:", code)); /* lower case */
	cr_expect_not(pg_sqlstate(" 28P01:", code));  /* one space */
	cr_expect_not(pg_sqlstate("  28P01", code));  /* no colon */
	cr_assert(pg_sqlstate("  28P01:", code));
	cr_expect_str_eq(code, "28P01");
	/* the first code wins */
	cr_assert(pg_sqlstate("x:  3D000: a  28P01: b", code));
	cr_expect_str_eq(code, "3D000");
}

Test(pg_proto, verdicts)
{
	static const struct {
		enum pg_outcome o;
		bool verdict;
		enum cred_result r;
	} t[] = {
		{ PG_OK, true, CRED_ACCEPTED },
		{ PG_NO_DATABASE, true, CRED_ACCEPTED },
		{ PG_NEED_PASSWORD, true, CRED_FAILED },
		{ PG_BAD_PASSWORD, true, CRED_FAILED },
		{ PG_NO_ROLE, true, CRED_NO_ACCOUNT },
		{ PG_SERVER_ERROR, true, CRED_FAILED },
		{ PG_FORBIDDEN, true, CRED_FORBIDDEN },
		{ PG_BUSY, false, CRED_FAILED },
		{ PG_FAILED, false, CRED_FAILED },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum cred_result r = CRED_FAILED;

		cr_expect_eq(pg_cred_verdict(t[i].o, &r), t[i].verdict, "%s",
			     pg_outcome_name(t[i].o));
		if (t[i].verdict)
			cr_expect_eq(r, t[i].r, "%s", pg_outcome_name(t[i].o));
	}
	cr_expect_not(pg_outcome_is_postgres(PG_FAILED));
	cr_expect(pg_outcome_is_postgres(PG_FORBIDDEN));
	cr_expect(pg_outcome_is_postgres(PG_NEED_PASSWORD));
}

/* ---- assess() on fixture facts ---- */

struct fixture {
	struct scan_config cfg;
	struct target target;
	struct target_addr addr;
	struct check_ctx *ctx;
	cJSON *facts;
};

static void fixture_init(struct fixture *f, const char *json, bool show)
{
	memset(f, 0, sizeof(*f));
	scan_config_defaults(&f->cfg);
	f->cfg.show_secrets = show;
	cr_assert_eq(target_addr_parse(&f->addr, "127.0.20.1"), 0);
	f->target.id = strdup("list:127.0.20.1");
	f->target.provider = "list";
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx = ctx_new(&check_pg, &f->cfg, &f->target, &f->addr, 5432, NULL);
	cr_assert_not_null(f->ctx);
	f->facts = cJSON_Parse(json);
	cr_assert_not_null(f->facts, "bad fixture JSON");
	cr_assert_eq(check_pg.assess(f->facts, f->ctx), 0);
}

static void fixture_release(struct fixture *f)
{
	ctx_free(f->ctx);
	cJSON_Delete(f->facts);
	free(f->target.id);
}

static void expect_rules(struct check_ctx *ctx, const char *want)
{
	struct finding_list *l = ctx_findings(ctx);
	const char *ids[32];
	char out[512];
	size_t i, j, n = l->n < 32 ? l->n : 32;

	for (i = 0; i < n; i++)
		ids[i] = l->v[i].rule_id;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
			 i ? "," : "", ids[i]);
	cr_assert_str_eq(out, want);
}

static const struct finding *find_rule(struct check_ctx *ctx, const char *id)
{
	struct finding_list *l = ctx_findings(ctx);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].rule_id, id) == 0)
			return &l->v[i];
	return NULL;
}

#define V15 "15.18 (Debian 15.18-0+deb12u1)"

/* the facts pg.c recorded against the lab's trust server */
static const char trust_facts[] =
	"{\"ssl_answer\":\"N\",\"hello\":\"role refused\",\"is_postgres\":true,"
	"\"password_required\":false,\"logins\":[{\"user\":\"postgres\","
	"\"password\":\"\",\"trust\":true,\"db_missing\":false,"
	"\"server_version\":\"" V15 "\",\"superuser_param\":true,"
	"\"superuser\":true}]}";

Test(pg_assess, trust)
{
	struct fixture f;
	const struct finding *t, *su;

	fixture_init(&f, trust_facts, false);
	expect_rules(f.ctx, "pg.no_tls,pg.superuser_access,pg.trust_auth");
	t = find_rule(f.ctx, "pg.trust_auth");
	cr_assert_not_null(t);
	cr_expect(strstr(t->evidence, "postgres") != NULL, "%s", t->evidence);
	cr_expect_null(t->secret);
	cr_expect_eq(t->confidence, CONFIDENCE_CONFIRMED);
	su = find_rule(f.ctx, "pg.superuser_access");
	cr_assert_not_null(su);
	cr_expect_eq(su->impact, IMPACT_EXEC);
	cr_expect(strstr(su->evidence, "15.18") != NULL, "%s", su->evidence);
	fixture_release(&f);
}

static const char md5_facts[] =
	"{\"ssl_answer\":\"N\",\"hello\":\"password required\","
	"\"is_postgres\":true,\"password_required\":true,\"logins\":[{"
	"\"user\":\"postgres\",\"password\":\"postgres\",\"trust\":false,"
	"\"db_missing\":false,\"server_version\":\"" V15 "\","
	"\"superuser\":true}]}";

Test(pg_assess, md5_redacted)
{
	struct fixture f;
	const struct finding *c;

	fixture_init(&f, md5_facts, false);
	expect_rules(f.ctx, "pg.default_credentials,pg.no_tls,"
			    "pg.superuser_access");
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->secret, "<redacted>");
	cr_expect(strstr(c->evidence, "postgres") != NULL);
	cr_expect(strstr(c->evidence, "postgres:postgres") == NULL);
	fixture_release(&f);
}

Test(pg_assess, md5_show_secrets)
{
	struct fixture f;
	const struct finding *c;

	fixture_init(&f, md5_facts, true);
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->secret, "postgres:postgres");
	fixture_release(&f);
}

Test(pg_assess, scram_non_superuser_over_tls)
{
	struct fixture f;
	const struct finding *c;

	fixture_init(
		&f,
		"{\"ssl_answer\":\"S\",\"tls_version\":\"TLSv1.3\","
		"\"is_postgres\":true,\"password_required\":true,"
		"\"logins\":[{\"user\":\"admin\",\"password\":\"password\","
		"\"trust\":false,\"db_missing\":false,\"tls\":\"TLSv1.3\","
		"\"superuser_param\":false,\"superuser\":false}]}",
		false);
	expect_rules(f.ctx, "pg.default_credentials");
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert_not_null(c);
	cr_expect(strstr(c->evidence, "TLSv1.3") != NULL, "%s", c->evidence);
	fixture_release(&f);
}

Test(pg_assess, hardened_nothing)
{
	struct fixture f;

	fixture_init(&f,
		     "{\"ssl_answer\":\"S\",\"tls_version\":\"TLSv1.3\","
		     "\"hello\":\"password required\",\"is_postgres\":true,"
		     "\"password_required\":true}",
		     false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
}

Test(pg_assess, forbidden_is_not_a_finding)
{
	struct fixture f;

	fixture_init(&f,
		     "{\"ssl_answer\":\"N\",\"hello\":\"no pg_hba.conf "
		     "entry\",\"is_postgres\":true,\"login_forbidden\":\"FATAL:"
		     "  28000: no pg_hba.conf entry for host\"}",
		     false);
	expect_rules(f.ctx, "pg.no_tls");
	fixture_release(&f);
}

/* a garbage server whose first byte happened to be 'N' */
Test(pg_assess, garbage_n_is_not_no_tls)
{
	struct fixture f;

	fixture_init(&f,
		     "{\"ssl_answer\":\"N\",\"hello\":\"failed\","
		     "\"hello_error\":\"server closed the connection\"}",
		     false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
}

Test(pg_assess, canary_accepted)
{
	struct fixture f;
	const struct finding *c;

	fixture_init(&f,
		     "{\"ssl_answer\":\"S\",\"is_postgres\":true,"
		     "\"password_required\":true,\"accepts_any_credential\":"
		     "true,\"canary_user\":\"xqabc\",\"canary_password\":"
		     "\"Czdef\"}",
		     true);
	expect_rules(f.ctx, "pg.default_credentials");
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert_not_null(c);
	cr_expect(strstr(c->evidence, "any user") != NULL, "%s", c->evidence);
	cr_expect_str_eq(c->secret, "Czdef");
	fixture_release(&f);
}

Test(pg_assess, any_user_without_password)
{
	struct fixture f;

	fixture_init(
		&f,
		"{\"ssl_answer\":\"N\",\"is_postgres\":true,"
		"\"hello\":\"ok\",\"accepts_any_user\":true,"
		"\"accepts_any_user_name\":\"xqabc\",\"logins\":[{\"user\":"
		"\"xqabc\",\"password\":\"\",\"trust\":true,\"db_missing\":"
		"false,\"superuser\":false}]}",
		false);
	expect_rules(f.ctx, "pg.no_tls,pg.trust_auth");
	fixture_release(&f);
}

/* 3D000 proves the password; no query was possible, so no superuser */
Test(pg_assess, database_missing_proves_password)
{
	struct fixture f;
	const struct finding *c;

	fixture_init(&f,
		     "{\"ssl_answer\":\"S\",\"is_postgres\":true,"
		     "\"logins\":[{\"user\":\"root\",\"password\":\"123456\","
		     "\"trust\":false,\"db_missing\":true}]}",
		     false);
	expect_rules(f.ctx, "pg.default_credentials");
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert_not_null(c);
	cr_expect(strstr(c->evidence, "does not exist") != NULL, "%s",
		  c->evidence);
	fixture_release(&f);
}

/* the query failed: the startup parameter is_superuser decides */
Test(pg_assess, superuser_from_parameter)
{
	struct fixture f;

	fixture_init(&f,
		     "{\"ssl_answer\":\"S\",\"is_postgres\":true,"
		     "\"logins\":[{\"user\":\"root\",\"password\":\"123456\","
		     "\"trust\":false,\"db_missing\":false,\"superuser_param\":"
		     "true,\"query_error\":\"ERROR:  57014: canceling\"}]}",
		     false);
	expect_rules(f.ctx, "pg.default_credentials,pg.superuser_access");
	fixture_release(&f);
}

/* the query's answer wins over the parameter */
Test(pg_assess, query_overrides_parameter)
{
	struct fixture f;

	fixture_init(&f,
		     "{\"ssl_answer\":\"S\",\"is_postgres\":true,"
		     "\"logins\":[{\"user\":\"app\",\"password\":\"app\","
		     "\"trust\":false,\"db_missing\":false,\"superuser_param\":"
		     "true,\"superuser\":false}]}",
		     false);
	expect_rules(f.ctx, "pg.default_credentials");
	fixture_release(&f);
}

Test(pg_assess, mixed_trust_and_password)
{
	struct fixture f;
	const struct finding *t, *c;

	fixture_init(
		&f,
		"{\"ssl_answer\":\"N\",\"is_postgres\":true,"
		"\"logins\":[{\"user\":\"postgres\",\"password\":\"\","
		"\"trust\":true,\"db_missing\":false,\"superuser\":true},"
		"{\"user\":\"admin\",\"password\":\"admin\",\"trust\":false,"
		"\"db_missing\":false,\"superuser\":false}]}",
		true);
	expect_rules(f.ctx, "pg.default_credentials,pg.no_tls,"
			    "pg.superuser_access,pg.trust_auth");
	t = find_rule(f.ctx, "pg.trust_auth");
	c = find_rule(f.ctx, "pg.default_credentials");
	cr_assert(t != NULL && c != NULL);
	cr_expect(strstr(t->evidence, "admin") == NULL, "%s", t->evidence);
	cr_expect_str_eq(c->secret, "admin:admin");
	fixture_release(&f);
}

Test(pg_assess, empty_and_odd_facts)
{
	struct fixture f;

	fixture_init(&f, "{}", false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
	fixture_init(&f,
		     "{\"ssl_answer\":7,\"logins\":{\"user\":1},"
		     "\"is_postgres\":\"yes\"}",
		     false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
	fixture_init(&f, "{\"logins\":[1,\"x\",{\"trust\":true}]}", false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
}

Test(pg_assess, rules_declared)
{
	size_t i;

	cr_assert_eq(check_pg.nrules, 4);
	for (i = 0; i < check_pg.nrules; i++) {
		cr_expect_not_null(check_pg.rules[i].cvss_vector);
		cr_expect(strncmp(check_pg.rules[i].id, "pg.", 3) == 0);
	}
	cr_expect_eq(check_pg.default_max_attempts, 5);
	cr_expect_eq(check_pg.ports[0], 5432);
}
