/*
 * test_store_lab.c - the PostgreSQL store (--store) against the real
 * PostgreSQL 15 of the lab (tests/lab/lab.d/store.sh, 127.0.60.1:5432).
 * Each test makes a database of its own, so runs never see each other.
 *
 * Two runs with a finding fixed in between; a run with a shard missing
 * (interrupted) that must mark nothing fixed until its last shard lands;
 * a timed-out target whose findings stay open; hostile text bound as
 * parameters, stored verbatim; the history the CLI prints.
 */
#include <criterion/criterion.h>
#include "lab_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <cjson/cJSON.h>
#include "finding.h"
#include "lab_util.h"
#include "gate/gate.h"
#include "report/report_doc.h"
#include "gate/store.h"

static char env_url[1024];

/* the lab's store (plugin store.sh) */
static void read_env(void)
{
	lab_env("EXPO_LAB_STORE_URL", env_url, sizeof(env_url));
}

static PGconn *connect_url(const char *url)
{
	PGconn *c = PQconnectdb(url);

	cr_assert(PQstatus(c) == CONNECTION_OK, "%s: %s", url,
		  PQerrorMessage(c));
	return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK ||
			  PQresultStatus(r) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* a database of this test's own; its URL in url */
static char dbname[64];

static void fresh_db(char *url, size_t size)
{
	PGconn *c;
	char sql[128], *slash;

	read_env();
	snprintf(dbname, sizeof(dbname), "exposure_t%ld", (long)getpid());
	c = connect_url(env_url);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbname);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	exec_ok(c, sql);
	PQfinish(c);
	slash = strrchr(env_url, '/');
	cr_assert_not_null(slash);
	snprintf(url, size, "%.*s/%s", (int)(slash - env_url), env_url, dbname);
}

static void drop_db(void)
{
	PGconn *c = connect_url(env_url);
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbname);
	exec_ok(c, sql);
	PQfinish(c);
}

/* one value of a one-row query with one text parameter */
static char *query1(const char *url, const char *sql, const char *param)
{
	PGconn *c = connect_url(url);
	const char *v[1] = { param };
	PGresult *r =
		PQexecParams(c, sql, param ? 1 : 0, NULL, v, NULL, NULL, 0);
	char *out = NULL;

	cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		  PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 1, "%s (%s): %d rows", sql,
		     param ? param : "", PQntuples(r));
	out = PQgetisnull(r, 0, 0) ? NULL : strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return out;
}

/* ---- reports as a scan writes them ---- */

enum st { S_OPEN, S_TIMEOUT, S_CLOSED };

struct tspec {
	const char *addr;
	enum st state;
	const char *rules; /* comma-separated rule ids found, or "" */
};

/* a report of targets list:<addr>, port 22, the ssh check */
static void make_doc(struct report_doc *d, const char *started, const char *run,
		     unsigned shard, unsigned count, const struct tspec *ts,
		     size_t n, const char *evidence)
{
	cJSON *root = cJSON_CreateObject(), *tv, *fv, *t, *a, *ps, *p, *f, *o;
	char id[96], *text, *err = NULL, rules[256], *save = NULL, *rule;
	size_t i;
	int k;

	cJSON_AddNumberToObject(root, "schema_version", 1);
	cJSON_AddStringToObject(root, "started_at", started);
	cJSON_AddNumberToObject(root, "duration_s", 2);
	cJSON_AddBoolToObject(root, "show_secrets", false);
	o = cJSON_AddObjectToObject(root, "gate");
	cJSON_AddStringToObject(o, "fail_on", "high");
	cJSON_AddNumberToObject(o, "exit_code", 0);
	cJSON_AddStringToObject(root, "run_id", run);
	if (count > 1) {
		o = cJSON_AddObjectToObject(root, "shard");
		cJSON_AddNumberToObject(o, "index", shard);
		cJSON_AddNumberToObject(o, "count", count);
	}
	tv = cJSON_AddArrayToObject(root, "targets");
	fv = cJSON_AddArrayToObject(root, "findings");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "list:%s", ts[i].addr);
		if (count > 1 && shard_of(id, count) != shard)
			continue;
		t = cJSON_CreateObject();
		cJSON_AddItemToArray(tv, t);
		cJSON_AddStringToObject(t, "id", id);
		cJSON_AddStringToObject(t, "name",
					evidence ? evidence : "host");
		cJSON_AddStringToObject(t, "provider", "list");
		cJSON_AddStringToObject(t, "source", "hosts.txt");
		cJSON_AddNullToObject(t, "account");
		cJSON_AddNullToObject(t, "region");
		cJSON_AddNullToObject(t, "zone");
		cJSON_AddNullToObject(t, "state");
		cJSON_AddNullToObject(t, "skip_reason");
		a = cJSON_AddArrayToObject(t, "addresses");
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "address", ts[i].addr);
		cJSON_AddBoolToObject(o, "public", false);
		ps = cJSON_AddArrayToObject(t, "ports");
		for (k = 0; k < (ts[i].state == S_CLOSED ? 1 : 2); k++) {
			p = cJSON_CreateObject();
			cJSON_AddItemToArray(ps, p);
			cJSON_AddStringToObject(p, "address", ts[i].addr);
			cJSON_AddNumberToObject(p, "port", 22);
			if (k == 0)
				cJSON_AddNullToObject(p, "check");
			else
				cJSON_AddStringToObject(p, "check", "ssh");
			cJSON_AddStringToObject(
				p, "status",
				ts[i].state == S_CLOSED		     ? "closed"
				: k == 1 && ts[i].state == S_TIMEOUT ? "timeout"
								     : "open");
			cJSON_AddNullToObject(p, "reason");
			cJSON_AddStringToObject(p, "exposure", "unknown");
		}
		snprintf(rules, sizeof(rules), "%s", ts[i].rules);
		for (rule = strtok_r(rules, ",", &save); rule != NULL;
		     rule = strtok_r(NULL, ",", &save)) {
			char fp[33];

			finding_fingerprint(fp, rule, id, 22);
			f = cJSON_CreateObject();
			cJSON_AddItemToArray(fv, f);
			cJSON_AddStringToObject(f, "fingerprint", fp);
			cJSON_AddStringToObject(f, "rule", rule);
			cJSON_AddStringToObject(f, "check", "ssh");
			cJSON_AddStringToObject(f, "title", rule);
			cJSON_AddStringToObject(f, "severity", "medium");
			o = cJSON_AddObjectToObject(f, "cvss");
			cJSON_AddStringToObject(o, "vector",
						"CVSS:3.1/AV:N/AC:H/"
						"PR:N/UI:N/S:U/C:L/I:L/A:N");
			cJSON_AddNumberToObject(o, "score", 4.8);
			cJSON_AddStringToObject(f, "confidence", "inferred");
			cJSON_AddStringToObject(f, "impact", "weakened");
			o = cJSON_AddObjectToObject(f, "target");
			cJSON_AddStringToObject(o, "id", id);
			cJSON_AddNullToObject(o, "name");
			cJSON_AddStringToObject(o, "address", ts[i].addr);
			cJSON_AddBoolToObject(o, "public", false);
			cJSON_AddNumberToObject(f, "port", 22);
			cJSON_AddStringToObject(f, "service", "ssh");
			cJSON_AddStringToObject(f, "exposure", "unknown");
			cJSON_AddStringToObject(f, "evidence",
						evidence ? evidence : "seen");
			cJSON_AddNullToObject(f, "remediation");
			cJSON_AddNullToObject(f, "references");
			cJSON_AddNullToObject(f, "rank_reason");
		}
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	report_doc_init(d);
	cr_assert_eq(report_json_parse(text, strlen(text), "doc", d, &err), 0,
		     "%s", err);
	cJSON_free(text);
}

static void save(const char *url, struct report_doc *d)
{
	char *err = NULL;

	cr_assert_eq(store_pg_save(url, d, &err), 0, "%s", err ? err : "?");
	report_doc_release(d);
}

static char *fp_of(const char *rule, const char *addr)
{
	char id[64], *fp = malloc(33);

	snprintf(id, sizeof(id), "list:%s", addr);
	finding_fingerprint(fp, rule, id, 22);
	return fp;
}

static const char *FIXED_AT =
	"SELECT to_char(fixed_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM exposure_findings"
	" WHERE fingerprint = $1";

Test(store_lab, two_runs_with_a_finding_fixed_in_between, .timeout = 60)
{
	char url[1200], *fa = fp_of("ssh.weak_kex", "10.9.0.1"),
			*fb = fp_of("ssh.password_auth", "10.9.0.1"),
			*fc = fp_of("ssh.weak_kex", "10.9.0.2"), *v;
	const struct tspec run1[] = {
		{ "10.9.0.1", S_OPEN, "ssh.weak_kex,ssh.password_auth" },
		{ "10.9.0.2", S_OPEN, "ssh.weak_kex" },
	};
	/* 10.9.0.1: password auth gone (the check ran to its end);
	 * 10.9.0.2: the check timed out, its finding is not "fixed" */
	const struct tspec run2[] = {
		{ "10.9.0.1", S_OPEN, "ssh.weak_kex" },
		{ "10.9.0.2", S_TIMEOUT, "" },
	};
	struct report_doc d;
	FILE *out;
	char *hist = NULL;
	size_t hlen = 0;

	fresh_db(url, sizeof(url));
	make_doc(&d, "2026-01-01T02:00:00Z", "nightly-1", 1, 1, run1, 2, NULL);
	save(url, &d);
	v = query1(url,
		   "SELECT count(*) FROM exposure_findings WHERE"
		   " fixed_at IS NULL",
		   NULL);
	cr_expect_str_eq(v, "3");
	free(v);
	make_doc(&d, "2026-01-02T02:00:00Z", "nightly-2", 1, 1, run2, 2, NULL);
	save(url, &d);
	v = query1(url, FIXED_AT, fb);
	cr_expect(v != NULL && strcmp(v, "2026-01-02T02:00:00Z") == 0,
		  "password_auth fixed_at %s", v ? v : "NULL");
	free(v);
	v = query1(url,
		   "SELECT fixed_run FROM exposure_findings WHERE"
		   " fingerprint = $1",
		   fb);
	cr_expect_str_eq(v, "nightly-2");
	free(v);
	v = query1(url, FIXED_AT, fc);
	cr_expect_null(v, "a timed-out target's finding was marked fixed");
	free(v);
	v = query1(url,
		   "SELECT to_char(first_seen AT TIME ZONE 'UTC', "
		   "'MM-DD') || ' ' || to_char(last_seen AT TIME ZONE 'UTC',"
		   " 'MM-DD') || ' ' || (fixed_at IS NULL) FROM"
		   " exposure_findings WHERE fingerprint = $1",
		   fa);
	cr_expect_str_eq(v, "01-01 01-02 true");
	free(v);
	/* the finding comes back in run 3: open again, new again */
	make_doc(&d, "2026-01-03T02:00:00Z", "nightly-3", 1, 1, run1, 2, NULL);
	save(url, &d);
	v = query1(url, FIXED_AT, fb);
	cr_expect_null(v);
	free(v);
	v = query1(url,
		   "SELECT is_new::text FROM exposure_run_findings WHERE"
		   " run_id = 'nightly-3' AND fingerprint = $1",
		   fb);
	cr_expect_str_eq(v, "true");
	free(v);
	/* the same shard again (a retried job) changes nothing */
	make_doc(&d, "2026-01-03T02:00:00Z", "nightly-3", 1, 1, run2, 2, NULL);
	save(url, &d);
	v = query1(url, FIXED_AT, fb);
	cr_expect_null(v);
	free(v);
	out = open_memstream(&hist, &hlen);
	cr_assert_eq(store_pg_history(url, out, NULL), 0);
	fclose(out);
	cr_expect(strstr(hist, "nightly-1") != NULL, "%s", hist);
	/* nightly-2: 1 medium, 0 new, 1 fixed */
	cr_expect(strstr(hist,
			 "nightly-2                    "
			 "2026-01-02T02:00:00Z 1/1           0     0      1"
			 "    0    0    0     1") != NULL,
		  "%s", hist);
	free(hist);
	free(fa);
	free(fb);
	free(fc);
	drop_db();
}

Test(store_lab, an_interrupted_run_marks_nothing_fixed, .timeout = 60)
{
	char url[1200], *fb = fp_of("ssh.password_auth", "10.9.1.1"), *v;
	const struct tspec before[] = {
		{ "10.9.1.1", S_OPEN, "ssh.password_auth" },
		{ "10.9.1.2", S_OPEN, "" },
		{ "10.9.1.3", S_OPEN, "" },
		{ "10.9.1.4", S_OPEN, "" },
	};
	const struct tspec after[] = {
		{ "10.9.1.1", S_CLOSED, "" },
		{ "10.9.1.2", S_OPEN, "" },
		{ "10.9.1.3", S_OPEN, "" },
		{ "10.9.1.4", S_OPEN, "" },
	};
	unsigned mine = shard_of("list:10.9.1.1", 2), other = 3 - mine;
	struct report_doc d;

	fresh_db(url, sizeof(url));
	make_doc(&d, "2026-02-01T02:00:00Z", "r1", 1, 1, before, 4, NULL);
	save(url, &d);
	/* run r2: the shard that proves the port closed is stored, the
	 * other shard never arrives */
	make_doc(&d, "2026-02-02T02:00:00Z", "r2", mine, 2, after, 4, NULL);
	save(url, &d);
	v = query1(url, FIXED_AT, fb);
	cr_expect_null(v, "fixed by a run that did not complete");
	free(v);
	v = query1(url,
		   "SELECT (completed_at IS NULL)::text FROM"
		   " exposure_runs WHERE run_id = $1",
		   "r2");
	cr_expect_str_eq(v, "true");
	free(v);
	/* a shard count that disagrees with the run is refused */
	{
		char *err = NULL;

		make_doc(&d, "2026-02-02T02:00:00Z", "r2", 1, 3, after, 4,
			 NULL);
		cr_expect_neq(store_pg_save(url, &d, &err), 0);
		cr_expect(err != NULL && strstr(err, "2 shards") != NULL, "%s",
			  err);
		free(err);
		report_doc_release(&d);
	}
	/* the last shard lands: now the run proves it */
	make_doc(&d, "2026-02-02T02:10:00Z", "r2", other, 2, after, 4, NULL);
	save(url, &d);
	v = query1(url, FIXED_AT, fb);
	cr_expect(v != NULL && strcmp(v, "2026-02-02T02:00:00Z") == 0,
		  "fixed_at %s", v ? v : "NULL");
	free(v);
	free(fb);
	drop_db();
}

Test(store_lab, hostile_text_is_bound_and_stored_verbatim, .timeout = 60)
{
	static const char evil[] = "x'); DROP TABLE exposure_findings; -- "
				   "\"<script>\" \\ $1 %s \xe2\x80\xae";
	const struct tspec ts[] = { { "10.9.2.1", S_OPEN, "ssh.weak_mac" } };
	char url[1200], *fp = fp_of("ssh.weak_mac", "10.9.2.1"), *v;
	struct report_doc d;

	fresh_db(url, sizeof(url));
	make_doc(&d, "2026-03-01T02:00:00Z", "run'; DROP TABLE x; --", 1, 1, ts,
		 1, evil);
	save(url, &d);
	v = query1(url,
		   "SELECT evidence FROM exposure_findings WHERE"
		   " fingerprint = $1",
		   fp);
	cr_expect_str_eq(v, evil);
	free(v);
	v = query1(url,
		   "SELECT name FROM exposure_targets WHERE target_id"
		   " = $1",
		   "list:10.9.2.1");
	cr_expect_str_eq(v, evil);
	free(v);
	v = query1(url, "SELECT count(*) FROM exposure_runs WHERE run_id = $1",
		   "run'; DROP TABLE x; --");
	cr_expect_str_eq(v, "1");
	free(v);
	free(fp);
	drop_db();
}

Test(store_lab, an_unreachable_store_is_an_error_not_a_hang, .timeout = 30)
{
	struct report_doc d;
	const struct tspec ts[] = { { "10.9.3.1", S_OPEN, "" } };
	char *err = NULL;

	read_env();
	make_doc(&d, "2026-03-01T02:00:00Z", "r", 1, 1, ts, 1, NULL);
	/* nothing listens on 127.0.60.9 */
	cr_expect_neq(store_pg_save("postgresql://exposure@127.0.60.9:5432/"
				    "exposure",
				    &d, &err),
		      0);
	cr_expect(err != NULL &&
			  strstr(err,
				 "--store postgresql://exposure@127.0.60.9:"
				 "5432/exposure: cannot connect") != NULL,
		  "%s", err);
	free(err);
	report_doc_release(&d);
}
