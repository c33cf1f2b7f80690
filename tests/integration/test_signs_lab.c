/*
 * test_signs_lab.c - the compromise signs read through the doors already
 * open (issue 14: ray, nomad, consul, yarn, kubernetes DaemonSets,
 * jupyter, nodered .compromise_indicator) against the lab's twins
 * (tests/lab/lab.d/signs.sh): for each product a compromised twin that
 * must show its sign, a clean twin and a decoy (indicator words where they
 * are no sign) that must show nothing beyond the open door. Real
 * jupyter-notebook and Node-RED, replays for the rest; one test per
 * product, so that they run in parallel.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
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

/* lines of one of signs.sh's replay logs containing needle (the logs
 * live as long as the lab: a test compares the counts before and after
 * its own scan) */
static unsigned replay_count(const char *addr, unsigned port,
			     const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/signs/replay_%s_%u.log", lab_dir(),
		 addr, port);
	return lab_count_lines(path, needle);
}

/* scans the three twins (compromised first) with check c alone: exact
 * findings each; the sign's evidence holds want and never avoid */
static void twins(const struct check *c, const struct twin t[3],
		  const char *want, const char *avoid)
{
	const struct check *only[] = { c };
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
	lab_scan_config(&cfg, only, 1, 30000);
	cfg.timeout_ms = 3000;
	target_list_init(&l);
	for (i = 0; i < 3; i++)
		lab_add_target(&l, t[i].addr);
	lab_scan(&cfg, &l, &res, &secs, 0);
	for (i = 0; i < 3; i++) {
		lab_port_rules_for(&res, t[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, t[i].rules, "%s: {%s}", t[i].addr, ids);
	}
	snprintf(rule, sizeof(rule), "%s.compromise_indicator", c->name);
	f = lab_finding_for(&res, t[0].addr, rule);
	cr_assert_not_null(f, "%s: no %s", t[0].addr, rule);
	cr_expect_eq(f->severity, SEV_CRITICAL);
	cr_expect(strstr(f->evidence, want) != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "indicator data ") != NULL, "%s",
		  f->evidence);
	if (avoid != NULL)
		cr_expect(strstr(f->evidence, avoid) == NULL, "%s",
			  f->evidence);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(signs_lab, ray, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "10", "8265:ray.compromise_indicator,8265:ray.no_auth" },
		{ NET "11", "8265:ray.no_auth" }, /* decoy */
		{ NET "12", "8265:ray.no_auth" }, /* clean */
	};

	twins(&check_ray, t,
	      "1 sign of compromise: miner binary \"xmrig\" in job "
	      "raysubmit_lab0000000000002 (RUNNING) entrypoint",
	      "train.py");
}

Test(signs_lab, nomad, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "13",
		  "4646:nomad.compromise_indicator,4646:nomad.no_auth" },
		{ NET "14", "4646:nomad.no_auth" },
		{ NET "15", "4646:nomad.no_auth" },
	};

	unsigned upd = replay_count(NET "13", 4646, "GET /v1/job/sys-update ");
	unsigned web = replay_count(NET "13", 4646, "GET /v1/job/web ");
	unsigned clean = replay_count(NET "15", 4646, "GET /v1/job/");

	twins(&check_nomad, t,
	      "miner binary \"kdevtmpfsi\" in job sys-update (running) task "
	      "update (driver raw_exec) args",
	      NULL);
	/* the jobs were read one by one, once each */
	cr_expect_eq(replay_count(NET "13", 4646, "GET /v1/job/sys-update ") -
			     upd,
		     1);
	cr_expect_eq(replay_count(NET "13", 4646, "GET /v1/job/web ") - web, 1);
	/* the clean twin's running job and its dead one */
	cr_expect_eq(replay_count(NET "15", 4646, "GET /v1/job/") - clean, 2);
}

Test(signs_lab, consul, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "16",
		  "8500:consul.compromise_indicator,8500:consul.no_auth" },
		{ NET "17", "8500:consul.no_auth" },
		{ NET "18", "8500:consul.no_auth" },
	};

	unsigned n = replay_count(NET "16", 8500, "GET /v1/agent/checks ");

	twins(&check_consul, t,
	      "miner binary \"xmrig\" in check sys (type script) script args",
	      "web HTTP");
	cr_expect_eq(replay_count(NET "16", 8500, "GET /v1/agent/checks ") - n,
		     1);
}

Test(signs_lab, yarn, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "19",
		  "8088:yarn.api_no_auth,8088:yarn.compromise_indicator" },
		{ NET "20", "8088:yarn.api_no_auth" },
		{ NET "21", "8088:yarn.api_no_auth" },
	};

	twins(&check_yarn, t,
	      "miner binary \"xmrig\" in application "
	      "application_1700000000000_0002",
	      "lab-job");
}

Test(signs_lab, kubernetes_daemonsets, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "22", "6443:kubernetes.anonymous_api,"
			    "6443:kubernetes.compromise_indicator" },
		{ NET "23", "6443:kubernetes.anonymous_api" },
		{ NET "24", "6443:kubernetes.anonymous_api" },
	};

	unsigned n =
		replay_count(NET "22", 6443, "GET /apis/apps/v1/daemonsets");

	twins(&check_kubernetes, t,
	      "daemonset kube-system/node-cache (created "
	      "2026-12-01T03:14:15Z) container cache",
	      "kube-proxy");
	cr_expect_eq(
		replay_count(NET "22", 6443, "GET /apis/apps/v1/daemonsets") -
			n,
		1);
}

/* real jupyter-notebook: the terminal "xmrig" the lab opened; the decoy
 * replay and the clean notebook server (httpapi.sh) say nothing more */
Test(signs_lab, jupyter, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "1",
		  "8888:jupyter.compromise_indicator,8888:jupyter.no_auth" },
		{ NET "2", "8888:jupyter.no_auth" },
		{ "127.0.30.1", "8888:jupyter.no_auth" },
	};

	twins(&check_jupyter, t,
	      "1 sign of compromise: miner binary \"xmrig\" in running "
	      "terminal name",
	      NULL);
}

/* real Node-RED: an exec node's miner command; the decoy's words are in
 * a comment, a tab's info, a node name and function code; the clean twin
 * is ainpm.sh's */
Test(signs_lab, nodered, .timeout = 60)
{
	const struct twin t[3] = {
		{ NET "3",
		  "1880:nodered.compromise_indicator,1880:nodered.no_auth" },
		{ NET "4", "1880:nodered.no_auth" },
		{ "127.0.70.1", "1880:nodered.no_auth" },
	};
	char v[8];

	lab_env_opt("EXPO_LAB_SIGNS_NODERED", v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the signs lab runs no Node-RED (build/lab-npm: make "
			 "lab-npm)");
	twins(&check_nodered, t,
	      "1 sign of compromise: miner binary \"xmrig\" in exec node "
	      "c0ffee0000000003 (unnamed) command",
	      NULL);
}
