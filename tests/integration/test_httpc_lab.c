/*
 * test_httpc_lab.c - docker_registry, rabbitmq, tomcat and influxdb
 * through the whole engine against Debian's real servers in the lab
 * (tests/lab/lab.d/registry.sh, rabbitmq.sh, tomcat.sh, influxdb.sh):
 * each weak server found, each twin not, hostile servers on the new
 * ports ending as timeout or error; the Tomcat logins counted in its
 * access log (the per-account cap, none under --no-login); and the
 * lockout guard on purpose against a Tomcat whose LockOutRealm locks.
 * EXPO_LAB_DIR names the running lab.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_docker_registry, check_rabbitmq, check_tomcat,
	check_influxdb;

static const struct check *httpc_checks[] = {
	&check_docker_registry,
	&check_rabbitmq,
	&check_tomcat,
	&check_influxdb,
};

#define REG "127.0.89."
#define RMQ "127.0.90."
#define TC "127.0.91."
#define IFX "127.0.92."
#define TIMEOUT_MS 1500u
/* base64("tomcat") - every Authorization header of user tomcat starts so */
#define TC_USER_B64 "Basic dG9tY2F0"

static void suite_init(void)
{
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(httpc_lab, .init = suite_init, .fini = curl_global_cleanup);

static void require_lab(void)
{
	static const char *const keys[] = { "EXPO_LAB_REGISTRY",
					    "EXPO_LAB_RABBITMQ",
					    "EXPO_LAB_TOMCAT",
					    "EXPO_LAB_INFLUXDB" };
	char v[8];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		lab_env_opt(keys[i], v, sizeof(v));
		cr_assert_str_eq(v, "1",
				 "the lab runs no %s servers "
				 "(tests/lab/lab.d/)",
				 keys[i]);
	}
}

static void httpc_config(struct scan_config *cfg)
{
	lab_scan_config(cfg, httpc_checks,
			sizeof(httpc_checks) / sizeof(httpc_checks[0]), 20000);
	cfg->timeout_ms = TIMEOUT_MS;
}

/* lines with needle in Tomcat's access logs of service name (one file a
 * day: access_NAME.YYYY-MM-DD.log) */
static unsigned tc_count(const char *name, const char *needle)
{
	char pat[1024];
	glob_t g;
	unsigned n = 0;
	size_t i;

	snprintf(pat, sizeof(pat), "%s/tomcat/logs/access_%s.*log", lab_dir(),
		 name);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			n += lab_count_lines(g.gl_pathv[i], needle);
		globfree(&g);
	}
	return n;
}

static size_t discard(char *d, size_t size, size_t n, void *ud)
{
	(void)d;
	(void)ud;
	return size * n;
}

/* GET url as user:password; the HTTP status, 0 if none */
static long http_get(const char *url, const char *user, const char *pw)
{
	CURL *c = curl_easy_init();
	long st = 0;

	cr_assert_not_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERNAME, user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, pw);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(c);
	return st;
}

static const struct {
	const char *addr;
	const char *rules; /* exact "port:rule" set */
} lab_expect[] = {
	{ REG "1", "5000:docker_registry.no_auth" },
	{ REG "2", "" }, /* htpasswd */
	{ RMQ "1", "15672:rabbitmq.default_credentials,"
		   "5672:rabbitmq.default_credentials" },
	{ RMQ "2", "" }, /* no guest */
	{ TC "1", "8080:tomcat.default_credentials" },
	{ TC "2", "" }, /* a strong password */
	{ IFX "1", "8086:influxdb.no_auth" },
	{ IFX "2", "" }, /* auth-enabled */
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

static const struct {
	const char *addr;
	uint16_t port;
	const struct check *c;
	int status;
} hostile[] = {
	{ REG "30", 5000, &check_docker_registry, STATUS_TIMEOUT },
	{ REG "31", 5000, &check_docker_registry, STATUS_ERROR },
	{ REG "32", 5000, &check_docker_registry, STATUS_TIMEOUT },
	{ RMQ "30", 5672, &check_rabbitmq, STATUS_TIMEOUT },
	{ RMQ "31", 5672, &check_rabbitmq, STATUS_ERROR },
	{ RMQ "30", 15672, &check_rabbitmq, STATUS_TIMEOUT },
	{ RMQ "31", 15672, &check_rabbitmq, STATUS_ERROR },
	{ TC "30", 8080, &check_tomcat, STATUS_TIMEOUT },
	{ TC "31", 8080, &check_tomcat, STATUS_ERROR },
	{ IFX "30", 8086, &check_influxdb, STATUS_TIMEOUT },
	{ IFX "31", 8086, &check_influxdb, STATUS_ERROR },
};

#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static void no_login_sends_no_credential(void);

Test(httpc_lab, whole_lab, .timeout = 120)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason, *haddr[NHOSTILE];
	char ids[1024];
	unsigned tc_weak0, tc_strong0;
	size_t i, k, h0, nh = 0;
	double secs;
	int st;

	require_lab();
	tc_weak0 = tc_count("weak", TC_USER_B64);
	tc_strong0 = tc_count("strong", TC_USER_B64);
	httpc_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	h0 = l.n;
	for (i = 0; i < NHOSTILE; i++) {
		/* one target per hostile address */
		for (k = 0; k < nh; k++)
			if (strcmp(haddr[k], hostile[i].addr) == 0)
				break;
		if (k == nh) {
			haddr[nh++] = hostile[i].addr;
			lab_add_target(&l, hostile[i].addr);
		}
	}
	lab_scan(&cfg, &l, &res, &secs, 300);

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
	}
	/* the twins answered: judged, not errors */
	st = lab_check_status(&res, 3, 5672, &check_rabbitmq, &reason);
	cr_expect_eq(st, STATUS_OPEN, "hardened AMQP: %d (%s)", st, reason);
	st = lab_check_status(&res, 5, 8080, &check_tomcat, &reason);
	cr_expect_eq(st, STATUS_OPEN, "strong Tomcat: %d (%s)", st, reason);

	/* evidence: versions and counts, never names or passwords */
	f = lab_finding_for(&res, REG "1", "docker_registry.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "2 repositories") &&
			  !strstr(f->evidence, "busybox"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, IFX "1", "influxdb.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "InfluxDB 1.6.7") &&
			  strstr(f->evidence, "2 databases") &&
			  !strstr(f->evidence, "lab_metrics"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, TC "1", "tomcat.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "as tomcat") != NULL, "%s", f->evidence);
	cr_expect(f->secret != NULL && strcmp(f->secret, "<redacted>") == 0);
	for (i = 0; i < res.findings.n; i++) {
		f = &res.findings.v[i];
		if (strcmp(f->rule_id, "rabbitmq.default_credentials") != 0)
			continue;
		cr_expect(strstr(f->evidence, "as guest") != NULL, "%s",
			  f->evidence);
		cr_expect(f->port == 15672
				  ? strstr(f->evidence, "administrator") != NULL
				  : strstr(f->evidence, "RabbitMQ 3.10") !=
					    NULL,
			  "%u: %s", f->port, f->evidence);
	}

	/* Tomcat: user tomcat on the weak one found with its second try
	 * (the empty password first); the strong one: at the cap, 4 */
	cr_expect_eq(tc_count("weak", TC_USER_B64) - tc_weak0, 2u);
	cr_expect_eq(tc_count("strong", TC_USER_B64) - tc_strong0, 4u);

	/* hostile: a status within the timeout, never a finding */
	for (i = 0; i < NHOSTILE; i++) {
		size_t ti = h0;

		for (k = 0; k < nh; k++)
			if (strcmp(haddr[k], hostile[i].addr) == 0)
				ti = h0 + k;
		lab_port_rules_for(&res, hostile[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: {%s}", hostile[i].addr, ids);
		st = lab_check_status(&res, ti, hostile[i].port, hostile[i].c,
				      &reason);
		cr_expect_eq(st, hostile[i].status, "%s:%u %d (%s)",
			     hostile[i].addr, hostile[i].port, st, reason);
	}
	cr_expect(secs < TIMEOUT_MS / 1000.0 * 3 + 5.0, "the scan took %.2f s",
		  secs);
	scan_result_release(&res);
	target_list_release(&l);
	no_login_sends_no_credential();
}

/* --no-login: no credential reaches Tomcat or RabbitMQ; the checks that
 * need none still find their doors. Called by whole_lab after its scan:
 * run beside it, the counts of Tomcat's log would mix */
static void no_login_sends_no_credential(void)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	unsigned tc0;
	char ids[256];
	double secs;

	tc0 = tc_count("weak", "Basic ");
	httpc_config(&cfg);
	cfg.no_login = true;
	target_list_init(&l);
	lab_add_target(&l, REG "1");
	lab_add_target(&l, RMQ "1");
	lab_add_target(&l, TC "1");
	lab_add_target(&l, IFX "1");
	lab_scan(&cfg, &l, &res, &secs, 300);
	cr_expect_eq(tc_count("weak", "Basic "), tc0);
	lab_rules_for(&res, RMQ "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, TC "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, REG "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "docker_registry.no_auth");
	lab_rules_for(&res, IFX "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "influxdb.no_auth");
	scan_result_release(&res);
	target_list_release(&l);
}

/* The lockout guard, on purpose: Tomcat's LockOutRealm locks a user after
 * 5 failures (its default; the lab's .3 lets the lock expire after 5 s).
 * The default cap (4) leaves the real user able to log in; a cap of 5 -
 * what the guard prevents - locks it. Only this test uses .3. */
Test(httpc_lab, tomcat_lockout_guard, .timeout = 90)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char pw[128], url[128], ids[256];
	unsigned n0;
	double secs;
	long st;

	require_lab();
	lab_env("EXPO_LAB_TOMCAT_STRONG_PASSWORD", pw, sizeof(pw));
	snprintf(url, sizeof(url), "http://%s:8080/manager/html", TC "3");
	/* a previous run's lock expires; a success clears the failures */
	sleep(6);
	st = http_get(url, "tomcat", pw);
	cr_assert_eq(st, 200, "the lab's own login: HTTP %ld", st);

	/* the default cap: 4 attempts for tomcat, still not locked (Tomcat
	 * logs a request after answering it: let the lab's own login land
	 * in the access log before counting) */
	usleep(500 * 1000);
	n0 = tc_count("lockout", TC_USER_B64);
	httpc_config(&cfg);
	target_list_init(&l);
	lab_add_target(&l, TC "3");
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, TC "3", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	scan_result_release(&res);
	target_list_release(&l);
	cr_expect_eq(tc_count("lockout", TC_USER_B64) - n0, 4u);
	cr_expect_eq(http_get(url, "tomcat", pw), 200,
		     "the default cap locked the real user");

	/* --max-attempts 5: the fifth failure locks the real user out */
	usleep(500 * 1000);
	n0 = tc_count("lockout", TC_USER_B64);
	httpc_config(&cfg);
	cfg.max_attempts = 5;
	target_list_init(&l);
	lab_add_target(&l, TC "3");
	lab_scan(&cfg, &l, &res, &secs, 300);
	scan_result_release(&res);
	target_list_release(&l);
	cr_expect_eq(tc_count("lockout", TC_USER_B64) - n0, 5u);
	cr_expect_eq(http_get(url, "tomcat", pw), 401,
		     "LockOutRealm did not lock: the lab is not testing "
		     "the guard");
	/* leave it unlocked for the next run */
	sleep(6);
	cr_expect_eq(http_get(url, "tomcat", pw), 200);
}
