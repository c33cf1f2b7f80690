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

/* ---- docker.compromise_indicator against the lab's real dockerd ---- */

#define DOCKER_URL "http://" NET "4:2375/v1.41"
#define LAB_WALLET                                                            \
	"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb" \
	"98uNbr2VBBEt7f2wfn3RVGQBEP3A"

static size_t sink(void *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

/* one request to the lab's dockerd; the HTTP status, 0 on failure */
static long docker_api(const char *method, const char *path, const char *ctype,
		       const void *body, size_t len)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[512], hdr[128];
	long code = 0;

	cr_assert_not_null(c);
	snprintf(url, sizeof(url), "%s%s", DOCKER_URL, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (body != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		h = curl_slist_append(h, hdr);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

/* a ustar archive of one executable file `name` holding a shell script:
 * the tiny root file system `docker import` makes an image of (no
 * registry is asked for anything) */
static size_t tiny_tar(unsigned char *out, size_t size, const char *name)
{
	static const char body[] = "#!/bin/sh\nexit 0\n";
	unsigned char *h = out;
	unsigned sum = 0;
	size_t i;

	cr_assert(size >= 512 * 4);
	memset(out, 0, 512 * 4);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000755", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)(sizeof(body) - 1));
	memcpy(h + 136, "14000000000", 12);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	memcpy(out + 512, body, sizeof(body) - 1);
	return 512 * 4;
}

static void docker_import(const char *repo, const char *tag, const char *file)
{
	static unsigned char tar[4096];
	char path[256];
	size_t n = tiny_tar(tar, sizeof(tar), file);

	snprintf(path, sizeof(path), "/images/create?fromSrc=-&repo=%s&tag=%s",
		 repo, tag);
	cr_assert_eq(docker_api("POST", path, "application/x-tar", tar, n), 200,
		     "docker import %s:%s", repo, tag);
}

static void docker_create(const char *name, const char *json)
{
	char path[128];

	snprintf(path, sizeof(path), "/containers/create?name=%s", name);
	cr_assert_eq(docker_api("POST", path, "application/json", json,
				strlen(json)),
		     201, "docker create %s", name);
}

/* removes what the test made, also after an earlier failed run */
static void docker_clean(void)
{
	static const char *const gone[] = {
		"/containers/expo-lab-miner?force=1",
		"/containers/expo-lab-twin?force=1",
		"/containers/expo-lab-decoy?force=1",
		"/images/lab/xmrig:6.21?force=1",
		"/images/lab/app:1?force=1",
	};
	size_t i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		docker_api("DELETE", gone[i], NULL, NULL, 0);
}

static void docker_scan(char *ids, size_t isize, char *ev, size_t esize)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	double secs;

	http_config(&cfg, false);
	target_list_init(&l);
	lab_add_target(&l, NET "4");
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, NET "4", ids, isize);
	f = lab_finding_for(&res, NET "4", "docker.compromise_indicator");
	snprintf(ev, esize, "%s", f != NULL ? f->evidence : "");
	if (f != NULL)
		cr_expect_eq(f->severity, SEV_CRITICAL);
	scan_result_release(&res);
	target_list_release(&l);
}

/* A real dockerd (the issue: where it cannot start, this FAILS rather
 * than passing by being skipped): a clean twin and a decoy (indicator
 * words in labels) report only the open door; a stopped container of an
 * image tagged like a miner, with miner arguments, is a sign. */
Test(httpapi_lab, docker_compromise_indicator, .timeout = 120)
{
	char docker[8], ids[512], ev[2048];

	require_lab();
	lab_env_opt("EXPO_LAB_DOCKER", docker, sizeof(docker));
	cr_assert_str_eq(
		docker, "1",
		"dockerd could not start in this lab (see "
		"httpapi/docker/dockerd.log under the lab dir): the "
		"compromise-indicator test needs a real Docker daemon");
	docker_clean();
	docker_import("lab/app", "1", "app");
	docker_create("expo-lab-twin",
		      "{\"Image\":\"lab/app:1\",\"Entrypoint\":[\"/app\"],"
		      "\"Cmd\":[\"--serve\",\"8080\"]}");
	docker_create("expo-lab-decoy",
		      "{\"Image\":\"lab/app:1\",\"Entrypoint\":[\"/app\"],"
		      "\"Cmd\":[\"--quiet\"],\"Labels\":{\"description\":"
		      "\"blocks xmrig, kinsing and pool.supportxmr.com\","
		      "\"xmrig\":\"cryptonight\"}}");
	docker_scan(ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "2375:docker.api_no_auth",
			 "clean twin and decoy: {%s} %s", ids, ev);

	docker_import("lab/xmrig", "6.21", "xmrig");
	docker_create(
		"expo-lab-miner",
		"{\"Image\":\"lab/xmrig:6.21\",\"Entrypoint\":[\"/xmrig\"],"
		"\"Cmd\":[\"-o\",\"stratum+tcp://pool.supportxmr.com:443\","
		"\"-u\",\"" LAB_WALLET "\",\"--donate-level\",\"1\"]}");
	docker_scan(ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids,
			 "2375:docker.api_no_auth,"
			 "2375:docker.compromise_indicator",
			 "miner: {%s}", ids);
	cr_expect(strstr(ev, "miner binary \"xmrig\" in container "
			     "/expo-lab-miner (image lab/xmrig:6.21") &&
			  strstr(ev, "local image list") &&
			  strstr(ev, "expo-lab-twin") == NULL &&
			  strstr(ev, "expo-lab-decoy") == NULL,
		  "%s", ev);
	docker_clean();
}

/* a replayed kubelet whose pod args run a miner: a sign; its decoy pod
 * (words in an annotation and an env value) and the clean kubelet
 * (.10) say nothing more than the open door */
Test(httpapi_lab, kubelet_compromise_indicator, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	char ids[512];
	double secs;

	require_lab();
	http_config(&cfg, false);
	target_list_init(&l);
	lab_add_target(&l, NET "33");
	lab_add_target(&l, NET "10");
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, NET "33", ids, sizeof(ids));
	cr_expect_str_eq(ids,
			 "10255:kubelet.api_no_auth,"
			 "10255:kubelet.compromise_indicator",
			 "miner: {%s}", ids);
	f = lab_finding_for(&res, NET "33", "kubelet.compromise_indicator");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, SEV_CRITICAL);
	cr_expect(strstr(f->evidence, "kube-system/kube-proxy-x7") != NULL &&
			  strstr(f->evidence, "web-1") == NULL,
		  "%s", f->evidence);
	lab_port_rules_for(&res, NET "10", ids, sizeof(ids));
	cr_expect_str_eq(ids,
			 "10250:kubelet.api_no_auth,10255:kubelet.api_no_auth",
			 "clean twin: {%s}", ids);
	scan_result_release(&res);
	target_list_release(&l);
}
