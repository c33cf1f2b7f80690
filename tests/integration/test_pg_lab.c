/*
 * test_pg_lab.c - the pg check against the lab's real PostgreSQL 15
 * servers and hostile servers (tests/lab/lab.d/pg.sh), through the whole
 * engine. EXPO_LAB_DIR names the running lab; `make check` sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_pg;

/* lines of a lab server's log containing needle */
static unsigned log_count(const char *server, const char *needle)
{
	char dir[1024], path[1200];

	lab_env("EXPO_LAB_PG_DIR", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s/server.log", dir, server);
	return lab_count_lines(path, needle);
}

static const struct check *pg_only[] = { &check_pg };

enum {
	T_TRUST,
	T_MD5,
	T_SUSER,
	T_SSUPER,
	T_HARD,
	T_REJECT,
	T_GARBAGE,
	T_SILENT,
	T_N
};

static const char *const env_keys[T_N] = {
	"EXPO_LAB_PG_TRUST",	 "EXPO_LAB_PG_MD5",
	"EXPO_LAB_PG_SCRAMUSER", "EXPO_LAB_PG_SCRAMSUPER",
	"EXPO_LAB_PG_HARDENED",	 "EXPO_LAB_PG_REJECT",
	"EXPO_LAB_PG_GARBAGE",	 "EXPO_LAB_PG_SILENT",
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
	cr_assert_str_eq(hostile, "1",
			 "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	target_list_init(l);
	for (i = 0; i < T_N; i++) {
		lab_env(env_keys[i], addrs[i], 64);
		lab_add_target(l, addrs[i]);
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

	lab_scan_config(&cfg, pg_only, 1, 30000);
	lab_targets(&l, addrs);
	hard_fail = log_count("hardened", "password authentication failed");
	lab_scan(&cfg, &l, &res, &secs, 0);

	for (i = 0; i < T_N; i++) {
		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, want[i], "%s: %s", env_keys[i], ids);
	}
	f = lab_finding_for(&res, addrs[T_TRUST], "pg.trust_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "postgres") != NULL, "%s", f->evidence);
	cr_expect_null(f->secret);
	f = lab_finding_for(&res, addrs[T_MD5], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "postgres") != NULL, "%s", f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	f = lab_finding_for(&res, addrs[T_SUSER], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "admin") != NULL, "%s", f->evidence);
	f = lab_finding_for(&res, addrs[T_SSUPER], "pg.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "root") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "TLSv1.") != NULL,
		  "the TLS version is evidence: %s", f->evidence);
	f = lab_finding_for(&res, addrs[T_SSUPER], "pg.superuser_access");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "root") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "15.") != NULL, "%s", f->evidence);

	for (i = 0; i < T_N; i++) {
		const char *why = NULL;
		int st = lab_check_status(&res, i, 5432, NULL, &why);

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
					  strstr(why, "may not log in") !=
						  NULL &&
					  strstr(why, "pg_hba.conf") != NULL,
				  "reject: %s", why ? why : "");
	}
	/* the hardened server: the canary and 4 attempts per default user
	 * (the empty password sends nothing), each failing once: sslmode
	 * require, never a cleartext retry */
	hard_fail_after =
		log_count("hardened", "password authentication failed");
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

	lab_scan_config(&cfg, pg_only, 1, 30000);
	cfg.no_login = true;
	lab_targets(&l, addrs);
	before = log_count("md5", "password authentication failed") +
		 log_count("scramuser", "password authentication failed");
	lab_scan(&cfg, &l, &res, &secs, 0);
	after = log_count("md5", "password authentication failed") +
		log_count("scramuser", "password authentication failed");
	cr_expect_eq(after, before, "a password was tried under --no-login");
	for (i = 0; i < T_N; i++) {
		const char *w = (i == T_TRUST || i == T_MD5 || i == T_SUSER ||
				 i == T_REJECT)
					? "pg.no_tls"
					: "";

		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
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

	lab_scan_config(&cfg, pg_only, 1, 30000);
	cfg.max_attempts = 1;
	lab_targets(&l, addrs);
	before = log_count("md5", "password authentication failed");
	lab_scan(&cfg, &l, &res, &secs, 0);
	after = log_count("md5", "password authentication failed");
	/* one attempt per user: the empty password, which sends nothing;
	 * only the canary reaches the server as a failure */
	cr_expect_eq(after - before, 1, "%u failures", after - before);
	lab_rules_for(&res, addrs[T_MD5], ids, sizeof(ids));
	cr_expect_str_eq(ids, "pg.no_tls", "md5: %s", ids);
	lab_rules_for(&res, addrs[T_TRUST], ids, sizeof(ids));
	cr_expect_str_eq(ids, "pg.no_tls,pg.superuser_access,pg.trust_auth",
			 "trust: %s", ids);
	scan_result_release(&res);
	target_list_release(&l);
}
