/*
 * test_httpapi_lab.c - the HTTP API checks (docker, kubelet, kubernetes,
 * etcd, jupyter, elasticsearch, consul, yarn, ray, selenium) against the
 * lab's servers (tests/lab/lab.d/httpapi.sh): real jupyter-notebook, etcd
 * and dockerd from Debian, the replay server for the rest, their
 * protected twins, a word-matching decoy and hostile HTTP servers,
 * through the whole engine. EXPO_LAB_DIR names the running lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "report/report.h"
#include "target.h"

extern const struct check check_docker, check_kubelet, check_kubernetes,
	check_etcd, check_jupyter, check_elasticsearch, check_consul,
	check_yarn, check_ray, check_selenium;

static const struct check *http_checks[] = {
	&check_docker,	&check_kubelet,	      &check_kubernetes, &check_etcd,
	&check_jupyter, &check_elasticsearch, &check_consul,	 &check_yarn,
	&check_ray,	&check_selenium,
};

#define NET "127.0.30."
#define TIMEOUT_MS 2000u

static void suite_init(void)
{
	/* the engine's threads need it done once first (main.c does it too) */
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(httpapi_lab, .init = suite_init, .fini = curl_global_cleanup);

static void require_lab(void)
{
	char v[8];

	lab_env_opt("EXPO_LAB_HTTPAPI", v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no httpapi servers "
			 "(tests/lab/lab.d/httpapi.sh)");
}

/* lines of a replay server's request log containing needle */
static unsigned replay_count(const char *addr, unsigned port,
			     const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/httpapi/replay_%s_%u.log", lab_dir(),
		 addr, port);
	return lab_count_lines(path, needle);
}

static void http_config(struct scan_config *cfg, bool intrusive)
{
	lab_scan_config(cfg, http_checks,
			sizeof(http_checks) / sizeof(http_checks[0]), 30000);
	cfg->timeout_ms = TIMEOUT_MS;
	cfg->intrusive = intrusive;
}

struct expect {
	const char *addr;
	const char *rules; /* exact "port:rule" set */
};

static const struct expect lab_expect[] = {
	{ NET "1", "8888:jupyter.no_auth" },
	{ NET "2", "" }, /* Jupyter with a token */
	{ NET "3", "2379:etcd.no_auth" },
	{ NET "10", "10250:kubelet.api_no_auth,10255:kubelet.api_no_auth" },
	{ NET "11", "" }, /* 401 */
	{ NET "12", "" }, /* 403 */
	{ NET "13", "6443:kubernetes.anonymous_api" },
	{ NET "14", "" }, /* /version only */
	{ NET "15", "9200:elasticsearch.no_auth" },
	{ NET "16", "" },
	{ NET "17", "8500:consul.no_auth" },
	{ NET "18", "" },
	{ NET "19", "8088:yarn.api_no_auth" },
	{ NET "20", "" },
	{ NET "21", "8265:ray.no_auth" },
	{ NET "22", "" },
	{ NET "23", "4444:selenium.api_no_auth" },
	{ NET "24", "" },
	{ NET "25", "" }, /* the word-matching decoy */
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

Test(httpapi_lab, whole_lab, .timeout = 120)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	char ids[1024], docker[8], hostile[8];
	size_t i, ti_docker, ti_slow, ti_garbage, ti_big;
	unsigned posts;
	double secs;
	int st;

	require_lab();
	lab_env_opt("EXPO_LAB_DOCKER", docker, sizeof(docker));
	lab_env_opt("EXPO_LAB_HTTPAPI_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1",
			 "no hostile servers: build "
			 "build/lab/hostile first");
	posts = replay_count(NET "19", 8088, "POST /ws/v1/cluster/apps/new");
	http_config(&cfg, false);
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	ti_docker = l.n;
	lab_add_target(&l, NET "4");
	ti_slow = l.n;
	lab_add_target(&l, NET "30");
	ti_garbage = l.n;
	lab_add_target(&l, NET "31");
	ti_big = l.n;
	lab_add_target(&l, NET "32");
	lab_scan(&cfg, &l, &res, &secs, 0);

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
	}
	/* the protected servers and the decoy answered cleanly: the
	 * negatives are judged answers, not errors */
	for (i = 0; i < NEXPECT; i++) {
		static const unsigned ports[] = { 2375, 2379,  4444, 6443,
						  8088, 8265,  8500, 8888,
						  9200, 10250, 10255 };
		size_t k;

		for (k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
			st = lab_check_status(&res, i, ports[k], NULL, &reason);
			cr_expect(st == -1 || st == STATUS_OPEN,
				  "%s:%u: status %d (%s)", lab_expect[i].addr,
				  ports[k], st, reason);
		}
	}
	/* Docker: dockerd from docker.io, when it could start here */
	lab_port_rules_for(&res, NET "4", ids, sizeof(ids));
	if (strcmp(docker, "1") == 0)
		cr_expect_str_eq(ids, "2375:docker.api_no_auth", "docker: {%s}",
				 ids);
	else
		cr_log_warn("dockerd could not start in this lab: Docker "
			    "API not tested against a real daemon");
	(void)ti_docker;

	/* evidence names counts and versions, never data */
	f = lab_finding_for(&res, NET "3", "etcd.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "etcd 3.") != NULL &&
			  strstr(f->evidence, "(3 keys)") != NULL,
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "13", "kubernetes.anonymous_api");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "v1.28.4") != NULL &&
			  strstr(f->evidence, "3 pods") != NULL &&
			  strstr(f->evidence, "(7)") != NULL &&
			  strstr(f->evidence, "certificate not verified") !=
				  NULL,
		  "%s", f->evidence);
	cr_expect(strstr(f->evidence, "bm90LWEtcmVhbC1zZWNyZXQ") == NULL &&
			  strstr(f->evidence, "lab-token") == NULL,
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "1", "jupyter.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "6.4.") != NULL, "%s", f->evidence);
	f = lab_finding_for(&res, NET "17", "consul.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "script checks enabled") != NULL, "%s",
		  f->evidence);
	f = lab_finding_for(&res, NET "15", "elasticsearch.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "3 indices") != NULL &&
			  strstr(f->evidence, "orders") == NULL,
		  "%s", f->evidence);

	/* no state-changing request without --intrusive */
	cr_expect_eq(
		replay_count(NET "19", 8088, "POST /ws/v1/cluster/apps/new"),
		posts);

	/* hostile: a status within the timeout, never a hang */
	st = lab_check_status(&res, ti_slow, 2375, NULL, &reason);
	cr_expect_eq(st, STATUS_TIMEOUT, "slowloris: %d (%s)", st, reason);
	st = lab_check_status(&res, ti_garbage, 2375, NULL, &reason);
	cr_expect_eq(st, STATUS_ERROR, "garbage: %d (%s)", st, reason);
	st = lab_check_status(&res, ti_big, 9200, NULL, &reason);
	cr_expect_eq(st, STATUS_ERROR, "10 MB body: %d (%s)", st, reason);
	cr_expect(strstr(reason, "body over") != NULL, "%s", reason);
	lab_port_rules_for(&res, NET "30", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_port_rules_for(&res, NET "31", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_port_rules_for(&res, NET "32", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	/* everything runs at once: the slow-drip server bounds the scan */
	cr_expect(secs < TIMEOUT_MS / 1000.0 + 2.5,
		  "the scan took %.2f s (timeout %.1f s)", secs,
		  TIMEOUT_MS / 1000.0);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(httpapi_lab, intrusive, .timeout = 60)
{
	static const char *const addrs[] = { NET "19", NET "20", NET "23",
					     NET "24" };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char ids[512];
	unsigned posts, sessions, deletes;
	double secs;
	size_t i;

	require_lab();
	posts = replay_count(NET "19", 8088, "POST /ws/v1/cluster/apps/new");
	sessions = replay_count(NET "23", 4444, "POST /session ");
	deletes = replay_count(NET "23", 4444, "DELETE /session/0123456789");
	http_config(&cfg, true);
	target_list_init(&l);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		lab_add_target(&l, addrs[i]);
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, NET "19", ids, sizeof(ids));
	cr_expect_str_eq(ids, "8088:yarn.no_auth");
	lab_port_rules_for(&res, NET "20", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_port_rules_for(&res, NET "23", ids, sizeof(ids));
	cr_expect_str_eq(ids, "4444:selenium.no_auth");
	lab_port_rules_for(&res, NET "24", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	/* one allocation, one session, and that session ended */
	cr_expect_eq(
		replay_count(NET "19", 8088, "POST /ws/v1/cluster/apps/new"),
		posts + 1);
	cr_expect_eq(replay_count(NET "23", 4444, "POST /session "),
		     sessions + 1);
	cr_expect_eq(replay_count(NET "23", 4444, "DELETE /session/0123456789"),
		     deletes + 1);
	scan_result_release(&res);
	target_list_release(&l);
}

/* proxies named in the environment are never used: the probe goes to
 * the target itself */
Test(httpapi_lab, ignores_proxy_env, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char ids[512];
	double secs;

	require_lab();
	setenv("http_proxy", "http://127.0.30.250:3128", 1);
	setenv("HTTPS_PROXY", "http://127.0.30.250:3128", 1);
	setenv("ALL_PROXY", "http://127.0.30.250:3128", 1);
	http_config(&cfg, false);
	target_list_init(&l);
	lab_add_target(&l, NET "10");
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, NET "10", ids, sizeof(ids));
	cr_expect_str_eq(ids, "10250:kubelet.api_no_auth,"
			      "10255:kubelet.api_no_auth");
	scan_result_release(&res);
	target_list_release(&l);
}
