/*
 * test_classic.c - assess() of the classic consoles replayed in the lab
 * (grafana, couchdb, portainer, influxdb, minio) on facts built from the
 * recorded responses under tests/fixtures/replay (the files the lab's
 * replay servers serve): the open product, its refusing twin, the decoy,
 * truncated answers and near misses; the SigV4 signer against an
 * independent computation; the one-attempt credential budget.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "http/http.h"
#include "http/sigv4.h"
#include "engine/engine.h"
#include "http_fixture.h"

extern const struct check check_grafana, check_couchdb, check_portainer,
	check_influxdb, check_minio;

#define FIX "tests/fixtures/replay/"

Test(classic_assess, grafana)
{
	VARS = new_facts();

	add_file(f, "health", FIX "grafana/default/health.http");
	add_login(f, "login", FIX "grafana/default/login.http", 0, "admin",
		  "admin");
	JUDGE(&check_grafana, f);
	cr_expect_str_eq(ids, "grafana.default_credentials");
	cr_expect(strstr(ev, "Grafana 10.4.1") && strstr(ev, "as admin") &&
			  strstr(ev, "\"Logged in\"") &&
			  strstr(ev, "admin with admin") == NULL,
		  "%s", ev);
	cr_expect_str_eq(sec, "<redacted>");
	cJSON_Delete(f);
	/* the refusing twin */
	f = new_facts();
	add_file(f, "health", FIX "grafana/changed/health.http");
	add_login(f, "login", FIX "grafana/changed/login.http", 0, "admin",
		  "admin");
	JUDGE(&check_grafana, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* no login sent (--no-login, or the budget spent): nothing */
	f = new_facts();
	add_file(f, "health", FIX "grafana/default/health.http");
	JUDGE(&check_grafana, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* "Logged in" from something without Grafana's health object */
	f = new_facts();
	add_file(f, "health", FIX "decoy/classic/page.http");
	add_login(f, "login", FIX "decoy/classic/page.http", 0, "admin",
		  "admin");
	JUDGE(&check_grafana, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a truncated login answer is no proof */
	f = new_facts();
	add_file(f, "health", FIX "grafana/default/health.http");
	add_login(f, "login", FIX "grafana/default/login.http", 20, "admin",
		  "admin");
	JUDGE(&check_grafana, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(classic_assess, couchdb)
{
	VARS = new_facts();

	add_file(f, "root", FIX "couchdb/party/root.http");
	add_file(f, "all_dbs", FIX "couchdb/party/all_dbs.http");
	add_file(f, "session", FIX "couchdb/party/session.http");
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "couchdb.no_auth");
	cr_expect(strstr(ev, "CouchDB 2.3.1 lists 4 databases") &&
			  strstr(ev, "admin party") &&
			  strstr(ev, "Erlang OTP/19") &&
			  strstr(ev, "customers") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	/* databases listed, an admin exists: the finding without the party */
	f = new_facts();
	add_file(f, "root", FIX "couchdb/party/root.http");
	add_file(f, "all_dbs", FIX "couchdb/party/all_dbs.http");
	add_file(f, "session", FIX "couchdb/secured/session.http");
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "couchdb.no_auth");
	cr_expect(strstr(ev, "admin party") == NULL, "%s", ev);
	cJSON_Delete(f);
	/* the refusing twin */
	f = new_facts();
	add_file(f, "root", FIX "couchdb/secured/root.http");
	add_file(f, "all_dbs", FIX "couchdb/secured/unauthorized.http");
	add_file(f, "session", FIX "couchdb/secured/session.http");
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a list without CouchDB's welcome, the decoy, a truncated list */
	f = new_facts();
	add_file(f, "all_dbs", FIX "couchdb/party/all_dbs.http");
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "root", FIX "decoy/classic/page.http");
	add_file(f, "all_dbs", FIX "decoy/classic/page.http");
	add_file(f, "session", FIX "decoy/classic/page.http");
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "root", FIX "couchdb/party/root.http");
	add_resp_cut(f, "all_dbs", FIX "couchdb/party/all_dbs.http", 17,
		     HTTP_TEXT_MAX);
	JUDGE(&check_couchdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(classic_assess, portainer)
{
	VARS = new_facts();

	add_file(f, "status", FIX "portainer/fresh/status.http");
	add_file(f, "admin_check", FIX "portainer/fresh/admin_check.http");
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "portainer.no_admin");
	cr_expect(strstr(ev, "Portainer 2.19.4 has no administrator") &&
			  strstr(ev, "404"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "status", FIX "portainer/claimed/status.http");
	add_file(f, "admin_check", FIX "portainer/claimed/admin_check.http");
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* any 404 is not the proof; nor is the message without the status */
	f = new_facts();
	add_file(f, "status", FIX "portainer/fresh/status.http");
	add_file(f, "admin_check", FIX "couchdb/secured/unauthorized.http");
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "admin_check", FIX "portainer/fresh/admin_check.http");
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "", "no Portainer /api/status");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "status", FIX "decoy/classic/page.http");
	add_file(f, "admin_check", FIX "decoy/classic/page.http");
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "status", FIX "portainer/fresh/status.http");
	add_resp_cut(f, "admin_check", FIX "portainer/fresh/admin_check.http",
		     30, HTTP_TEXT_MAX);
	JUDGE(&check_portainer, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(classic_assess, influxdb)
{
	VARS = new_facts();

	add_file(f, "ping", FIX "influxdb/v2fresh/ping.http");
	add_file(f, "setup", FIX "influxdb/v2fresh/setup.http");
	add_file(f, "query", FIX "influxdb/v2fresh/query.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "influxdb.no_auth");
	cr_expect(strstr(ev, "InfluxDB v2.7.4 OSS has not been set up") &&
			  strstr(ev, "allowed: true"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "ping", FIX "influxdb/v2done/ping.http");
	add_file(f, "setup", FIX "influxdb/v2done/setup.http");
	add_file(f, "query", FIX "influxdb/v2done/query.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* 1.x without auth-enabled */
	f = new_facts();
	add_file(f, "ping", FIX "influxdb/v1open/ping.http");
	add_file(f, "query", FIX "influxdb/v1open/query.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "influxdb.no_auth");
	cr_expect(strstr(ev, "InfluxDB 1.8.10 answers SHOW DATABASES") &&
			  strstr(ev, "2 databases") &&
			  strstr(ev, "telegraf") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	/* the answers without InfluxDB's version header: not InfluxDB */
	f = new_facts();
	add_file(f, "setup", FIX "influxdb/v2fresh/setup.http");
	add_file(f, "query", FIX "influxdb/v1open/query.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "ping", FIX "decoy/classic/page.http");
	add_file(f, "setup", FIX "decoy/classic/page.http");
	add_file(f, "query", FIX "decoy/classic/page.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* truncated setup and query answers */
	f = new_facts();
	add_file(f, "ping", FIX "influxdb/v2fresh/ping.http");
	add_resp_cut(f, "setup", FIX "influxdb/v2fresh/setup.http", 10,
		     HTTP_TEXT_MAX);
	add_resp_cut(f, "query", FIX "influxdb/v1open/query.http", 40,
		     HTTP_TEXT_MAX);
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a query error is no listing */
	f = new_facts();
	add_file(f, "ping", FIX "influxdb/v1open/ping.http");
	add_resp_cut(f, "query", FIX "influxdb/v1open/query.http", 0,
		     HTTP_TEXT_MAX);
	cJSON_ReplaceItemInObject(
		cJSON_GetObjectItem(cJSON_GetObjectItem(f, "responses"),
				    "query"),
		"json",
		cJSON_Parse("{\"results\":[{\"statement_id\":0,\"error\":"
			    "\"database not found\"}]}"));
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(classic_assess, minio)
{
	VARS = new_facts();

	add_file(f, "live", FIX "minio/default/live.http");
	add_login(f, "buckets", FIX "minio/default/buckets.http", 0,
		  "minioadmin", "minioadmin");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "minio.default_credentials");
	cr_expect(strstr(ev, "access key minioadmin and the default secret "
			     "key") &&
			  strstr(ev, "2 buckets") &&
			  strstr(ev, "backups") == NULL,
		  "%s", ev);
	cr_expect_str_eq(sec, "<redacted>");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "live", FIX "minio/changed/live.http");
	add_login(f, "buckets", FIX "minio/changed/buckets.http", 0,
		  "minioadmin", "minioadmin");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* no credential sent */
	f = new_facts();
	add_file(f, "live", FIX "minio/default/live.http");
	add_file(f, "buckets", FIX "minio/default/buckets.http");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* truncated result; the decoy; the result without Server: MinIO */
	f = new_facts();
	add_file(f, "live", FIX "minio/default/live.http");
	add_login(f, "buckets", FIX "minio/default/buckets.http", 200,
		  "minioadmin", "minioadmin");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "live", FIX "decoy/classic/page.http");
	add_login(f, "buckets", FIX "decoy/classic/page.http", 0, "minioadmin",
		  "minioadmin");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "live", FIX "decoy/classic/page.http");
	add_login(f, "buckets", FIX "minio/default/buckets.http", 0,
		  "minioadmin", "minioadmin");
	JUDGE(&check_minio, f);
	cr_expect_str_eq(ids, "", "liveness not MinIO's");
	cJSON_Delete(f);
}

/* no answer at all: never a finding */
Test(classic_assess, nothing)
{
	const struct check *all[] = { &check_grafana, &check_couchdb,
				      &check_portainer, &check_influxdb,
				      &check_minio };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		VARS = new_facts();

		JUDGE(all[i], f);
		cr_expect_str_eq(ids, "", "%s: %s", all[i]->name, ids);
		cJSON_Delete(f);
	}
}

/* the signature of ListBuckets for minioadmin at a fixed time, computed
 * independently (Python's hmac and hashlib, SigV4 as AWS documents it) */
Test(classic_sigv4, matches_independent_computation)
{
	char out[512];

	cr_assert_eq(sigv4_authorization("minioadmin", "minioadmin",
					 "us-east-1", "GET", "/",
					 "127.0.83.5:9000", "20261206T082500Z",
					 out, sizeof(out)),
		     0);
	cr_expect_str_eq(
		out,
		"AWS4-HMAC-SHA256 Credential=minioadmin/20261206/us-east-1/s3/"
		"aws4_request, SignedHeaders=host;x-amz-content-sha256;"
		"x-amz-date, Signature=e24541b5f6b2e0feb0e46a66c7eb8e299c653aad"
		"413f565bd168faa2b7384f3c");
	/* too small a buffer, a malformed date: refused */
	cr_expect_lt(sigv4_authorization("minioadmin", "minioadmin",
					 "us-east-1", "GET", "/", "h",
					 "20261206T082500Z", out, 40),
		     0);
	cr_expect_lt(sigv4_authorization("minioadmin", "minioadmin",
					 "us-east-1", "GET", "/", "h", "2026",
					 out, sizeof(out)),
		     0);
}

/* one attempt: the built-in pair only (no empty password first), --creds
 * before it within the same cap, nothing under --no-login */
static void creds_of(const struct check *c, struct scan_config *cfg, char *got,
		     size_t size)
{
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	const char *u, *p;

	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, cfg, &t, &a, c->ports[0], NULL);
	cr_assert_not_null(ctx);
	got[0] = '\0';
	while (ctx_next_cred(ctx, &u, &p) == 1)
		snprintf(got + strlen(got), size - strlen(got), "%s:%s ", u, p);
	ctx_free(ctx);
}

Test(classic_creds, one_attempt_of_the_documented_pair)
{
	struct credential_pair file[] = { { "admin", "s3cret" } };
	struct scan_config cfg;
	char got[256];

	scan_config_defaults(&cfg);
	creds_of(&check_grafana, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "admin:admin ");
	creds_of(&check_minio, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "minioadmin:minioadmin ");
	cfg.max_attempts = 5; /* a higher cap tries no other password */
	creds_of(&check_grafana, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "admin:admin ");
	cfg.max_attempts = 0;
	cfg.creds = file;
	cfg.ncreds = 1;
	creds_of(&check_grafana, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "admin:s3cret ");
	cfg.creds = NULL;
	cfg.ncreds = 0;
	cfg.no_login = true;
	creds_of(&check_grafana, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "");
	creds_of(&check_minio, &cfg, got, sizeof(got));
	cr_expect_str_eq(got, "");
}

/* rules well formed, names registered, credential rules flagged */
Test(classic_assess, rules)
{
	const struct check *all[] = { &check_grafana, &check_couchdb,
				      &check_portainer, &check_influxdb,
				      &check_minio };
	size_t i, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bool login = (all[i]->flags & CHECK_LOGIN) != 0;

		cr_expect(strlen(all[i]->name) < 16, "%s", all[i]->name);
		cr_expect(all[i]->nrules == 1 && all[i]->nports >= 1);
		for (k = 0; k < all[i]->nrules; k++) {
			const struct rule *r = &all[i]->rules[k];

			cr_expect(strncmp(r->cvss_vector, "CVSS:3.1/", 9) == 0,
				  "%s", r->id);
			cr_expect(strncmp(r->id, all[i]->name,
					  strlen(all[i]->name)) == 0,
				  "%s", r->id);
			cr_expect(r->flags == (login ? CHECK_LOGIN : 0u), "%s",
				  r->id);
		}
		if (login)
			cr_expect_eq(all[i]->default_max_attempts, 1u, "%s",
				     all[i]->name);
		cr_expect(check_find(all[i]->name) == all[i], "%s registered",
			  all[i]->name);
	}
}
