/*
 * test_signs_lab.c - the compromise signs read through the doors already
 * open (issue 14: ray, nomad, consul, yarn, kubernetes DaemonSets,
 * jupyter, nodered .compromise_indicator) against the lab's twins
 * (tests/lab/lab.d/signs.sh): for each product a compromised twin that
 * must show its sign, a clean twin and a decoy (indicator words where they
 * are no sign) that must show nothing beyond the open door. Real
 * jupyter-notebook and Node-RED, replays for the rest; one
 * parameterized test over a table, one run per product, so that they run
 * in parallel. The replay logs live as long as the lab: a run compares
 * request counts before and after its own scan.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_ray, check_nomad, check_consul, check_yarn,
	check_kubernetes, check_jupyter, check_nodered;

#define NET "127.0.94."

static void suite_init(void)
{
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(signs_lab, .init = suite_init, .fini = curl_global_cleanup);

struct twin {
	const char *addr;
	const char *rules; /* the exact "port:rule" set */
};

/* a request the scan must make: lines of a replay log, counted before
 * and after it */
struct asked {
	const char *addr;
	unsigned port;
	const char *line;
	unsigned times;
};

struct product {
	const struct check *c;
	struct twin t[3];  /* compromised, decoy, clean */
	const char *want;  /* in the sign's evidence */
	const char *avoid; /* never in it (NULL: no such word) */
	struct asked q[3];
	const char *env; /* a lab.env key that must be 1 (NULL: none) */
};

static const struct product products[] = {
	{ .c = &check_ray,
	  .t = { { NET "10", "8265:ray.compromise_indicator,8265:ray.no_auth" },
		 { NET "11", "8265:ray.no_auth" },
		 { NET "12", "8265:ray.no_auth" } },
	  .want = "1 sign of compromise: miner binary \"xmrig\" in job "
		  "raysubmit_lab0000000000002 (RUNNING) entrypoint",
	  .avoid = "train.py" },
	/* the jobs read one by one, once each; the clean twin's running job
	 * and its dead one */
	{ .c = &check_nomad,
	  .t = { { NET "13",
		   "4646:nomad.compromise_indicator,4646:nomad.no_auth" },
		 { NET "14", "4646:nomad.no_auth" },
		 { NET "15", "4646:nomad.no_auth" } },
	  .want = "miner binary \"kdevtmpfsi\" in job sys-update (running) "
		  "task update (driver raw_exec) args",
	  .q = { { NET "13", 4646, "GET /v1/job/sys-update ", 1 },
		 { NET "13", 4646, "GET /v1/job/web ", 1 },
		 { NET "15", 4646, "GET /v1/job/", 2 } } },
	{ .c = &check_consul,
	  .t = { { NET "16",
		   "8500:consul.compromise_indicator,8500:consul.no_auth" },
		 { NET "17", "8500:consul.no_auth" },
		 { NET "18", "8500:consul.no_auth" } },
	  .want = "miner binary \"xmrig\" in check sys (type script) script "
		  "args",
	  .avoid = "web HTTP",
	  .q = { { NET "16", 8500, "GET /v1/agent/checks ", 1 } } },
	{ .c = &check_yarn,
	  .t = { { NET "19",
		   "8088:yarn.api_no_auth,8088:yarn.compromise_indicator" },
		 { NET "20", "8088:yarn.api_no_auth" },
		 { NET "21", "8088:yarn.api_no_auth" } },
	  .want = "miner binary \"xmrig\" in application "
		  "application_1700000000000_0002",
	  .avoid = "lab-job" },
	{ .c = &check_kubernetes,
	  .t = { { NET "22", "6443:kubernetes.anonymous_api,"
			     "6443:kubernetes.compromise_indicator" },
		 { NET "23", "6443:kubernetes.anonymous_api" },
		 { NET "24", "6443:kubernetes.anonymous_api" } },
	  .want = "daemonset kube-system/node-cache (created "
		  "2026-12-01T03:14:15Z) container cache",
	  .avoid = "kube-proxy",
	  .q = { { NET "22", 6443, "GET /apis/apps/v1/daemonsets", 1 } } },
	/* real jupyter-notebook: the terminal "xmrig" the lab opened; the
	 * decoy replay and the clean notebook server (httpapi.sh) */
	{ .c = &check_jupyter,
	  .t = { { NET "1", "8888:jupyter.compromise_indicator,"
			    "8888:jupyter.no_auth" },
		 { NET "2", "8888:jupyter.no_auth" },
		 { "127.0.30.1", "8888:jupyter.no_auth" } },
	  .want = "1 sign of compromise: miner binary \"xmrig\" in running "
		  "terminal name" },
	/* real Node-RED: an exec node's miner command; the decoy's words are
	 * in a comment, a tab's info, a node name and function code; the
	 * clean twin is ainpm.sh's */
	{ .c = &check_nodered,
	  .t = { { NET "3", "1880:nodered.compromise_indicator,"
			    "1880:nodered.no_auth" },
		 { NET "4", "1880:nodered.no_auth" },
		 { "127.0.70.1", "1880:nodered.no_auth" } },
	  .want = "1 sign of compromise: miner binary \"xmrig\" in exec node "
		  "c0ffee0000000003 (unnamed) command",
	  .env = "EXPO_LAB_SIGNS_NODERED" },
};

#define NPRODUCTS (sizeof(products) / sizeof(products[0]))

/* the index into products: plain data, as the parameter crosses into
 * the test's own process (a pointer into the table may not) */
ParameterizedTestParameters(signs_lab, twins)
{
	static size_t idx[NPRODUCTS];
	size_t i;

	for (i = 0; i < NPRODUCTS; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, NPRODUCTS);
}

/* scans the product's three twins with its check alone: exact findings
 * each, the sign's evidence, the requests made */
ParameterizedTest(size_t *pi, signs_lab, twins, .timeout = 60)
{
	const struct product *p = &products[*pi];
	const struct check *only[] = { p->c };
	unsigned before[3] = { 0 };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	char ids[512], rule[64], v[8];
	double secs;
	size_t i;

	lab_env_opt("EXPO_LAB_SIGNS", v, sizeof(v));
	cr_assert_str_eq(
		v, "1",
		"the lab runs no signs twins (tests/lab/lab.d/signs.sh)");
	if (p->env != NULL) {
		lab_env_opt(p->env, v, sizeof(v));
		cr_assert_str_eq(v, "1", "%s: %s is not 1 (build/lab-npm?)",
				 p->c->name, p->env);
	}
	lab_scan_config(&cfg, only, 1, 30000);
	cfg.timeout_ms = 3000;
	target_list_init(&l);
	for (i = 0; i < 3; i++)
		lab_add_target(&l, p->t[i].addr);
	for (i = 0; i < 3 && p->q[i].addr != NULL; i++)
		before[i] = lab_replay_count(p->q[i].addr, p->q[i].port,
					     p->q[i].line);
	lab_scan(&cfg, &l, &res, &secs, 0);
	for (i = 0; i < 3 && p->q[i].addr != NULL; i++)
		cr_expect_eq(lab_replay_count(p->q[i].addr, p->q[i].port,
					      p->q[i].line) -
				     before[i],
			     p->q[i].times, "%s:%u \"%s\"", p->q[i].addr,
			     p->q[i].port, p->q[i].line);
	for (i = 0; i < 3; i++) {
		lab_port_rules_for(&res, p->t[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, p->t[i].rules, "%s: {%s}", p->t[i].addr,
				 ids);
	}
	snprintf(rule, sizeof(rule), "%s.compromise_indicator", p->c->name);
	f = lab_finding_for(&res, p->t[0].addr, rule);
	cr_assert_not_null(f, "%s: no %s", p->t[0].addr, rule);
	cr_expect_eq(f->severity, SEV_CRITICAL);
	cr_expect(strstr(f->evidence, p->want) != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "indicator data ") != NULL, "%s",
		  f->evidence);
	if (p->avoid != NULL)
		cr_expect(strstr(f->evidence, p->avoid) == NULL, "%s",
			  f->evidence);
	scan_result_release(&res);
	target_list_release(&l);
}
