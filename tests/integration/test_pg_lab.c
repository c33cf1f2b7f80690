/*
 * test_pg_lab.c - the pg check against the lab's real PostgreSQL 15
 * servers and hostile servers (tests/lab/lab.d/pg.sh), through the whole
 * engine. EXPO_LAB_DIR names the running lab; `make check` sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_pg;

static const char *lab_dir(void)
{
	const char *d = getenv("EXPO_LAB_DIR");

	cr_assert(d != NULL && d[0] != '\0',
		  "EXPO_LAB_DIR is not set: start the lab with "
		  "tests/lab/lab.sh start DIR and export EXPO_LAB_DIR=DIR");
	return d;
}

/* a value from DIR/lab.env into buf; fails the test if missing */
static void lab_env(const char *key, char *buf, size_t size)
{
	char path[1024], line[1024];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/lab.env", lab_dir());
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s: is the lab running?", path);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			snprintf(buf, size, "%s", line + klen + 1);
			buf[strcspn(buf, "\r\n")] = '\0';
		}
	}
	fclose(f);
	cr_assert(buf[0] != '\0', "%s is not in %s: the pg lab plugin did "
		  "not run (LAB_ONLY=pg?)", key, path);
}

/* lines of a lab server's log containing needle */
static unsigned log_count(const char *server, const char *needle)
{
	char dir[1024], path[1200], line[2048];
	unsigned n = 0;
	FILE *f;

	lab_env("EXPO_LAB_PG_DIR", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s/server.log", dir, server);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void add_target(struct target_list *l, const char *addr)
{
	struct target *t = target_list_add(l);
	char id[64];

	cr_assert_not_null(t);
	snprintf(id, sizeof(id), "list:%s", addr);
	t->id = strdup(id);
	t->provider = "list";
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert(t->id != NULL && t->addrs != NULL);
	cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0);
	t->naddrs = 1;
}

static const struct check *pg_only[] = { &check_pg };

static void lab_config(struct scan_config *cfg)
{
	scan_config_defaults(cfg);
	cfg->checks = pg_only;
	cfg->nchecks = 1;
	cfg->timeout_ms = 2000;
	cfg->check_timeout_ms = 30000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void scan(const struct scan_config *cfg, struct target_list *l,
		 struct scan_result *res, double *secs)
{
	char *err = NULL;
	double t0 = now_s();
	int rc;

	memset(res, 0, sizeof(*res));
	rc = scan_run(cfg, l, res, &err);
	*secs = now_s() - t0;
	cr_assert_eq(rc, 0, "scan_run: %d %s", rc, err ? err : "");
	free(err);
}

static void rules_for(const struct scan_result *res, const char *addr,
		      char *out, size_t size)
{
	const char *ids[32];
	size_t i, j, n = 0;

	for (i = 0; i < res->findings.n && n < 32; i++)
		if (strcmp(res->findings.v[i].address, addr) == 0)
			ids[n++] = res->findings.v[i].rule_id;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? "," : "", ids[i]);
}

static const struct finding *finding_for(const struct scan_result *res,
					 const char *addr, const char *rule)
{
	size_t i;

	for (i = 0; i < res->findings.n; i++)
		if (strcmp(res->findings.v[i].address, addr) == 0 &&
		    strcmp(res->findings.v[i].rule_id, rule) == 0)
			return &res->findings.v[i];
	return NULL;
}

/* the status of the pg check's record for target index ti */
static int check_status(const struct scan_result *res, size_t ti,
			const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++) {
		const struct port_record *r = &res->records[i];

		if (r->target == ti && r->port == 5432 &&
		    r->check != CHECK_NONE) {
			*reason = r->reason ? res->reasons[r->reason] : "";
			return r->status;
		}
	}
	return -1;
}

enum { T_TRUST, T_MD5, T_SUSER, T_SSUPER, T_HARD, T_REJECT, T_GARBAGE,
       T_SILENT, T_N };

static const char *const env_keys[T_N] = {
	"EXPO_LAB_PG_TRUST", "EXPO_LAB_PG_MD5", "EXPO_LAB_PG_SCRAMUSER",
	"EXPO_LAB_PG_SCRAMSUPER", "EXPO_LAB_PG_HARDENED", "EXPO_LAB_PG_REJECT",
	"EXPO_LAB_PG_GARBAGE", "EXPO_LAB_PG_SILENT",
};

static const char *const want[T_N] = {
	[T_TRUST] = "pg.no_tls,pg.superuser_access,pg.trust_auth",
	[T_MD5] = "pg.default_credentials,pg.no_tls,pg.superuser_access",
	[T_SUSER] = "pg.default_credentials,pg.no_tls",
	[T_SSUPER] = "pg.default_credentials,pg.superuser_access",
	[T_HARD] = "",
	[T_REJECT] = "pg.no_tls",
	[T_GARBAGE] = "",
	[T_SILENT] = "",
};

static void lab_targets(struct target_list *l, char addrs[T_N][64])
{
	char hostile[8];
	size_t i;

	lab_env("EXPO_LAB_PG_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1", "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	target_list_init(l);
	for (i = 0; i < T_N; i++) {
		lab_env(env_keys[i], addrs[i], 64);
		add_target(l, addrs[i]);
	}
}

Test(pg_lab, whole_lab, .timeout = 120)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	char addrs[T_N][64], ids[1024];
	unsigned hard_fail, hard_fail_after;
	double secs;
	size_t i;

	lab_config(&cfg);
	lab_targets(&l, addrs);
	hard_fail = log_count("hardened", "password authentication failed");
	scan(&cfg, &l, &res, &secs);

	for (i = 0; i < T_N; i++) {
		rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, want[i], "%s: %s", env_keys[i], ids);
	}
	f = finding_for(&res, addrs[T_TRUST], "pg.trust_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "postgres") != NULL, "%s", f->evidence);
	cr_expect_null(f->secret);
	f = finding_for(&res, addrs[T_MD5], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "postgres") != NULL, "%s", f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	f = finding_for(&res, addrs[T_SUSER], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "admin") != NULL, "%s", f->evidence);
	f = finding_for(&res, addrs[T_SSUPER], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "root") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "TLSv1.") != NULL,
		  "the TLS version is evidence: %s", f->evidence);
	f = finding_for(&res, addrs[T_SSUPER], "pg.superuser_access");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "root") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "15.") != NULL, "%s", f->evidence);

	for (i = 0; i < T_N; i++) {
		const char *why = NULL;
		int st = check_status(&res, i, &why);

		if (i == T_GARBAGE || i == T_SILENT) {
			cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
				  "%s: %s %s", env_keys[i],
				  st >= 0 ? status_name(st) : "no record", why);
			continue;
		}
		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", env_keys[i],
			     st >= 0 ? status_name(st) : "no record", why);
		if (i == T_REJECT)
			cr_expect(why != NULL &&
				  strstr(why, "may not log in") != NULL &&
				  strstr(why, "pg_hba.conf") != NULL,
				  "reject: %s", why ? why : "");
	}
	/* the hardened server: the canary and 4 attempts per default user
	 * (the empty password sends nothing), each failing once: sslmode
	 * require, never a cleartext retry */
	hard_fail_after = log_count("hardened",
				    "password authentication failed");
	cr_expect_eq(hard_fail_after - hard_fail, 1 + 8 * 4,
		     "%u failures logged", hard_fail_after - hard_fail);
	/* the silent server costs one --timeout */
	cr_expect_lt(secs, cfg.timeout_ms / 1000.0 + 8.0,
		     "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(pg_lab, no_login, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char addrs[T_N][64], ids[1024];
	unsigned before, after;
	double secs;
	size_t i;

	lab_config(&cfg);
	cfg.no_login = true;
	lab_targets(&l, addrs);
	before = log_count("md5", "password authentication failed") +
		 log_count("scramuser", "password authentication failed");
	scan(&cfg, &l, &res, &secs);
	after = log_count("md5", "password authentication failed") +
		log_count("scramuser", "password authentication failed");
	cr_expect_eq(after, before, "a password was tried under --no-login");
	for (i = 0; i < T_N; i++) {
		const char *w = (i == T_TRUST || i == T_MD5 || i == T_SUSER ||
				 i == T_REJECT) ? "pg.no_tls" : "";

		rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, w, "%s: %s", env_keys[i], ids);
	}
	scan_result_release(&res);
	target_list_release(&l);
}

/* --creds: a password with quotes and spaces travels intact (arrays, no
 * conninfo string), and --max-attempts bounds the attempts */
Test(pg_lab, max_attempts_one, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char addrs[T_N][64], ids[1024];
	unsigned before, after;
	double secs;

	lab_config(&cfg);
	cfg.max_attempts = 1;
	lab_targets(&l, addrs);
	before = log_count("md5", "password authentication failed");
	scan(&cfg, &l, &res, &secs);
	after = log_count("md5", "password authentication failed");
	/* one attempt per user: the empty password, which sends nothing;
	 * only the canary reaches the server as a failure */
	cr_expect_eq(after - before, 1, "%u failures", after - before);
	rules_for(&res, addrs[T_MD5], ids, sizeof(ids));
	cr_expect_str_eq(ids, "pg.no_tls", "md5: %s", ids);
	rules_for(&res, addrs[T_TRUST], ids, sizeof(ids));
	cr_expect_str_eq(ids, "pg.no_tls,pg.superuser_access,pg.trust_auth",
			 "trust: %s", ids);
	scan_result_release(&res);
	target_list_release(&l);
}
