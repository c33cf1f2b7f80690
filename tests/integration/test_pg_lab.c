/*
 * test_pg_lab.c - the pg check against the lab's real PostgreSQL 15
 * servers and hostile servers (tests/lab/lab.d/pg.sh), through the whole
 * engine. EXPO_LAB_DIR names the running lab; `make check` sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* every finding as "address rule evidence secret", sorted, one per line */
static void findings_text(const struct scan_result *res, char *out, size_t size)
{
	char *lines[256];
	size_t i, n = 0, off = 0, j;

	for (i = 0; i < res->findings.n && n < 256; i++) {
		const struct finding *f = &res->findings.v[i];

		cr_assert(asprintf(&lines[n++], "%s %s %s %s\n", f->address,
				   f->rule_id, f->evidence,
				   f->secret ? f->secret : "-") > 0);
	}
	for (i = 1; i < n; i++) /* insertion sort: a few dozen lines */
		for (j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];

			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int k = snprintf(out + off, size - off, "%s", lines[i]);

		cr_assert(k > 0 && (size_t)k < size - off, "findings too long");
		off += (size_t)k;
		free(lines[i]);
	}
}

/*
 * The own login (pg_wire.c) finds exactly what libpq finds: the bench's
 * credential list (8 users x 20 passwords, --creds, --show-secrets) on
 * every lab server, once over the own login and once with
 * EXPOSURE_PG_LIBPQ=1 (libpq for every guess): the same findings, with
 * the same evidence and secrets, the same failures in the servers' logs
 * (one per guess, never a second one from a handover), and guesses did
 * go over the own login.
 */
Test(pg_lab, own_login_finds_what_libpq_finds, .timeout = 180)
{
	static const char *const users[] = { "postgres", "admin", "root",
					     "user",	 "pgsql", "postgresql",
					     "dbadmin",	 "test" };
	static const char *const pws[] = {
		"qwerty",   "letmein", "changeme", "secret",   "12345678",
		"abc123",   "welcome", "dbpass",   "master",   "111111",
		"iloveyou", "monkey",  "dragon",   "trustno1", "postgres",
		"password", "123456",  "admin",	   "root",     "test",
	};
	static char own[16384], lib[16384];
	const char *servers[] = { "md5", "scramuser", "scramsuper",
				  "hardened" };
	unsigned fails[2][4];
	struct rusage ru0, ru1;
	double cpu[2];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char addrs[T_N][64];
	double secs;
	size_t i, j, k, m;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		lab_scan_config(&cfg, pg_only, 1, 30000);
		cfg.show_secrets = true;
		cfg.max_attempts = 20;
		cfg.ncreds = 8 * 20;
		cfg.creds = calloc(cfg.ncreds, sizeof(*cfg.creds));
		cr_assert_not_null(cfg.creds);
		for (i = 0, k = 0; i < 8; i++)
			for (j = 0; j < 20; j++, k++) {
				cfg.creds[k].user = strdup(users[i]);
				cfg.creds[k].password = strdup(pws[j]);
			}
		if (pass == 1)
			setenv("EXPOSURE_PG_LIBPQ", "1", 1);
		else
			unsetenv("EXPOSURE_PG_LIBPQ");
		lab_targets(&l, addrs);
		for (m = 0; m < 4; m++)
			fails[pass][m] = log_count(servers[m], "password "
							       "authentication "
							       "failed");
		getrusage(RUSAGE_SELF, &ru0);
		lab_scan(&cfg, &l, &res, &secs, 0);
		getrusage(RUSAGE_SELF, &ru1);
		cpu[pass] =
			(double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
			(double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) /
				1e6;
		for (m = 0; m < 4; m++)
			fails[pass][m] = log_count(servers[m], "password "
							       "authentication "
							       "failed") -
					 fails[pass][m];
		findings_text(&res, pass == 0 ? own : lib, sizeof(own));
		scan_result_release(&res);
		target_list_release(&l);
		scan_config_release(&cfg);
	}
	unsetenv("EXPOSURE_PG_LIBPQ");
	cr_expect(strstr(own, "pg.default_credentials") != NULL, "%s", own);
	cr_expect_str_eq(own, lib, "own login:\n%s\nlibpq:\n%s", own, lib);
	for (m = 0; m < 4; m++)
		cr_expect_eq(fails[0][m], fails[1][m],
			     "%s: %u failures logged over the own login, %u "
			     "with libpq",
			     servers[m], fails[0][m], fails[1][m]);
	cr_expect_lt(cpu[0], cpu[1] / 2, "CPU: own login %.2f s, libpq %.2f s",
		     cpu[0], cpu[1]);
}
