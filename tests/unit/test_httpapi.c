/*
 * test_httpapi.c - the HTTP API checks' assess() on facts built from the
 * recorded responses under tests/fixtures/replay (the same files the lab's
 * replay server serves), their negatives, and hand-made near misses that
 * a word match would take for a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "http_fixture.h"
#include "config.h"
#include "context.h"
#include "http/http.h"

extern const struct check check_docker, check_kubelet, check_kubernetes,
	check_etcd, check_jupyter, check_elasticsearch, check_consul,
	check_yarn, check_ray, check_selenium;

#define FIX "tests/fixtures/replay/"

static cJSON *new_facts_tls(bool tls)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "scheme", tls ? "https" : "http");
	cJSON_AddBoolToObject(f, "tls_unverified", tls);
	return f;
}

/* runs assess; the rule ids found, comma-joined, and the first evidence */
static void judge_ev(const struct check *c, const cJSON *facts, char *ids,
		     size_t isize, char *ev, size_t esize)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;
	size_t i;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, &cfg, &t, &a, c->ports[0], NULL);
	cr_assert_not_null(ctx);
	cr_assert_geq(c->assess(facts, ctx), 0);
	l = ctx_findings(ctx);
	ids[0] = ev[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(ids + strlen(ids), isize - strlen(ids), "%s%s",
			 i ? "," : "", l->v[i].rule_id);
	if (l->n > 0)
		snprintf(ev, esize, "%s", l->v[0].evidence);
	ctx_free(ctx);
}

#undef JUDGE
#define JUDGE(c, facts) judge_ev(c, facts, ids, sizeof(ids), ev, sizeof(ev))

Test(httpapi_assess, docker)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_resp(f, "version", 200,
		 "{\"Version\":\"24.0.7\",\"ApiVersion\":"
		 "\"1.43\",\"Os\":\"linux\",\"Arch\":\"amd64\"}");
	add_resp(
		f, "containers", 200,
		"[{\"Id\":\"a1\",\"State\":\"running\","
		"\"Names\":[\"/miner\"]},{\"Id\":\"b2\",\"State\":\"exited\"}]");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "docker.api_no_auth");
	cr_expect(strstr(ev, "24.0.7") && strstr(ev, "API 1.43") &&
			  strstr(ev, "2 containers (1 running)"),
		  "%s", ev);
	cr_expect(strstr(ev, "miner") == NULL, "names leaked: %s", ev);
	cJSON_Delete(f);

	/* /version alone (an authz plugin denies the list): not proof */
	f = new_facts_tls(false);
	add_resp(f, "version", 200,
		 "{\"Version\":\"24.0.7\",\"ApiVersion\":"
		 "\"1.43\"}");
	add_resp(f, "containers", 403,
		 "{\"message\":\"authorization "
		 "denied by plugin\"}");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* a JSON array of something else is not a container list */
	f = new_facts_tls(false);
	add_resp(f, "version", 200, "{\"Version\":\"1\",\"ApiVersion\":\"1\"}");
	add_resp(f, "containers", 200, "[{\"name\":\"x\"}]");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

#define DOCKER_VERSION                                                      \
	"{\"Version\":\"24.0.7\",\"ApiVersion\":\"1.43\",\"Os\":\"linux\"," \
	"\"Arch\":\"amd64\"}"

/* the evidence of the finding with this rule id, and its score */
static bool finding_of(const struct check *c, const cJSON *facts,
		       const char *rule, char *ev, size_t esize, double *score)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;
	bool found = false;
	size_t i;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, &cfg, &t, &a, c->ports[0], NULL);
	cr_assert_geq(c->assess(facts, ctx), 0);
	l = ctx_findings(ctx);
	for (i = 0; i < l->n && !found; i++)
		if (strcmp(l->v[i].rule_id, rule) == 0) {
			snprintf(ev, esize, "%s", l->v[i].evidence);
			*score = l->v[i].cvss_score;
			found = true;
		}
	ctx_free(ctx);
	return found;
}

/* docker.compromise_indicator: a miner container, its clean twin, a decoy
 * with indicator words in labels only */
Test(httpapi_assess, docker_compromise_indicator)
{
	char ids[256], ev[2048];
	double score = 0;
	cJSON *f = new_facts_tls(false);

	add_resp(f, "version", 200, DOCKER_VERSION);
	add_resp(f, "containers", 200,
		 "[{\"Id\":\"a1\",\"State\":\"exited\",\"Names\":[\"/web\"],"
		 "\"Image\":\"nginx:1.25\",\"Command\":\"nginx -g daemon\","
		 "\"Created\":1700000000},"
		 "{\"Id\":\"b2\",\"State\":\"running\",\"Names\":[\"/sys\"],"
		 "\"Image\":\"lab/xmrig:6.21\",\"Created\":1700000000,"
		 "\"Command\":\"/bin/sh -c ./x -o stratum+tcp://"
		 "pool.supportxmr.com:443 --donate-level 1\"}]");
	add_resp(f, "images", 200,
		 "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"lab/xmrig:6.21\"]}]");
	cr_assert(finding_of(&check_docker, f, "docker.compromise_indicator",
			     ev, sizeof(ev), &score));
	cr_expect_float_eq(score, 10.0, 1e-9);
	cr_expect(
		strstr(ev, "3 signs of compromise") &&
			strstr(ev, "miner binary \"xmrig\" in container "
				   "/sys (image lab/xmrig:6.21, created "
				   "2023-11-14T22:13:20Z, running) image") &&
			strstr(ev,
			       "miner option \"--donate-level\" in container /sys") &&
			strstr(ev, "local image list") &&
			strstr(ev, "indicator data "),
		"%s", ev);
	cr_expect(strstr(ev, "nginx") == NULL, "%s", ev);
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "docker.api_no_auth,docker.compromise_indicator");
	cJSON_Delete(f);

	/* the clean twin: nothing but the open door */
	f = new_facts_tls(false);
	add_resp(f, "version", 200, DOCKER_VERSION);
	add_resp(f, "containers", 200,
		 "[{\"Id\":\"b2\",\"State\":\"running\",\"Names\":[\"/sys\"],"
		 "\"Image\":\"lab/busybox:1\",\"Command\":\"sleep 3600\"}]");
	add_resp(f, "images", 200,
		 "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"lab/busybox:1\"]}]");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "docker.api_no_auth");
	cJSON_Delete(f);

	/* the decoy: indicator words in labels, a description, a log path */
	f = new_facts_tls(false);
	add_resp(f, "version", 200, DOCKER_VERSION);
	add_resp(f, "containers", 200,
		 "[{\"Id\":\"b2\",\"State\":\"running\",\"Names\":[\"/guard\"],"
		 "\"Image\":\"lab/busybox:1\",\"Command\":\"sleep 3600\","
		 "\"Labels\":{\"description\":\"blocks xmrig, kinsing and "
		 "pool.supportxmr.com\",\"xmrig\":\"no\"},"
		 "\"Status\":\"xmrig kdevtmpfsi\"}]");
	add_resp(f, "images", 200,
		 "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"lab/busybox:1\"],"
		 "\"Labels\":{\"org.opencontainers.image.description\":"
		 "\"detects cryptonight miners\"}}]");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "docker.api_no_auth");
	cJSON_Delete(f);

	/* no open door (the list was refused): no sign is read either */
	f = new_facts_tls(false);
	add_resp(f, "version", 200, DOCKER_VERSION);
	add_resp(f, "containers", 403, NULL);
	add_resp(f, "images", 200, "[{\"RepoTags\":[\"lab/xmrig:1\"]}]");
	JUDGE(&check_docker, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* kubelet and Kubernetes pod specs (replay fixtures): the clean twin
 * (kubelet/open) says nothing; a miner in a pod's args is a sign; the
 * decoy pod's annotation and env value are never read */
Test(httpapi_assess, pods_compromise_indicator)
{
	char ids[256], ev[2048];
	double score = 0;
	cJSON *f = new_facts_tls(true);

	add_file(f, "pods", FIX "kubelet/open/pods.http");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "kubelet.api_no_auth");
	cJSON_Delete(f);

	f = new_facts_tls(true);
	add_file(f, "pods", FIX "kubelet/miner/pods.http");
	cr_assert(finding_of(&check_kubelet, f, "kubelet.compromise_indicator",
			     ev, sizeof(ev), &score));
	cr_expect_float_eq(score, 10.0, 1e-9);
	cr_expect(strstr(ev, "1 sign of compromise: miner binary "
			     "\"kdevtmpfsi\" in pod kube-system/kube-proxy-x7 "
			     "(created 2026-12-01T03:14:15Z) container proxy "
			     "args") &&
			  strstr(ev, "web-1") == NULL,
		  "%s", ev);
	cJSON_Delete(f);

	f = new_facts_tls(true);
	add_file(f, "version", FIX "kubernetes/anonymous/version.http");
	add_file(f, "pods", FIX "kubelet/miner/pods.http");
	JUDGE(&check_kubernetes, f);
	cr_expect_str_eq(
		ids,
		"kubernetes.anonymous_api,kubernetes.compromise_indicator");
	cJSON_Delete(f);

	f = new_facts_tls(true);
	add_file(f, "version", FIX "kubernetes/anonymous/version.http");
	add_file(f, "pods", FIX "kubernetes/anonymous/pods.http");
	JUDGE(&check_kubernetes, f);
	cr_expect_str_eq(ids, "kubernetes.anonymous_api");
	cJSON_Delete(f);
}

Test(httpapi_assess, kubelet)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(true);

	add_file(f, "pods", FIX "kubelet/open/pods.http");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "kubelet.api_no_auth");
	cr_expect(strstr(ev, "2 pods in 2 namespaces") &&
			  strstr(ev, "certificate not verified"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts_tls(true);
	add_file(f, "pods", FIX "kubelet/unauthorized/unauthorized.http");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts_tls(true);
	add_file(f, "pods", FIX "kubelet/forbidden/forbidden.http");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* PodList in a non-2xx answer, or without items: no */
	f = new_facts_tls(false);
	add_resp(f, "pods", 403, "{\"kind\":\"PodList\",\"items\":[]}");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_resp(f, "pods", 200, "{\"kind\":\"PodList\"}");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, kubernetes)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(true);

	add_file(f, "version", FIX "kubernetes/anonymous/version.http");
	add_file(f, "pods", FIX "kubernetes/anonymous/pods.http");
	add_file(f, "secrets", FIX "kubernetes/anonymous/secrets.http");
	JUDGE(&check_kubernetes, f);
	cr_expect_str_eq(ids, "kubernetes.anonymous_api");
	cr_expect(strstr(ev, "v1.28.4") && strstr(ev, "3 pods") &&
			  strstr(ev, "Secrets cluster-wide (7)"),
		  "%s", ev);
	cr_expect(strstr(ev, "bm90") == NULL && strstr(ev, "lab-token") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	/* the default: /version answers, the rest is 403 */
	f = new_facts_tls(true);
	add_file(f, "version", FIX "kubernetes/protected/version.http");
	add_file(f, "pods", FIX "kubernetes/protected/forbidden.http");
	add_file(f, "secrets", FIX "kubernetes/protected/forbidden.http");
	JUDGE(&check_kubernetes, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, etcd)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_resp(f, "version", 200,
		 "{\"etcdserver\":\"3.4.23\","
		 "\"etcdcluster\":\"3.4.0\"}");
	add_resp(f, "range", 200,
		 "{\"header\":{\"cluster_id\":\"1\","
		 "\"member_id\":\"2\",\"revision\":\"4\",\"raft_term\":\"2\"},"
		 "\"count\":\"3\"}");
	JUDGE(&check_etcd, f);
	cr_expect_str_eq(ids, "etcd.no_auth");
	cr_expect(strstr(ev, "3.4.23") && strstr(ev, "(3 keys)"), "%s", ev);
	cJSON_Delete(f);
	/* an empty store: proto3 JSON leaves count out */
	f = new_facts_tls(false);
	add_resp(f, "range", 200, "{\"header\":{\"cluster_id\":\"1\"}}");
	JUDGE(&check_etcd, f);
	cr_expect_str_eq(ids, "etcd.no_auth");
	cr_expect(strstr(ev, "(0 keys)"), "%s", ev);
	cJSON_Delete(f);
	/* auth enabled: the gateway's error object */
	f = new_facts_tls(false);
	add_resp(f, "range", 400,
		 "{\"error\":\"etcdserver: user name is "
		 "empty\",\"code\":3,\"message\":\"etcdserver: user name is "
		 "empty\"}");
	add_resp(f, "v2keys", 404, NULL);
	JUDGE(&check_etcd, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* v2 */
	f = new_facts_tls(false);
	add_resp(f, "range", 404, NULL);
	add_resp(f, "v2keys", 200,
		 "{\"action\":\"get\",\"node\":{\"dir\":"
		 "true,\"nodes\":[{\"key\":\"/a\",\"value\":\"s3cret\"}]}}");
	JUDGE(&check_etcd, f);
	cr_expect_str_eq(ids, "etcd.no_auth");
	cr_expect(strstr(ev, "v2") && strstr(ev, "s3cret") == NULL, "%s", ev);
	cJSON_Delete(f);
}

Test(httpapi_assess, jupyter)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_resp(f, "api", 200, "{\"version\":\"6.4.12\"}");
	add_resp(f, "kernels", 200, "[{\"id\":\"k1\",\"name\":\"python3\"}]");
	add_resp(f, "sessions", 200, "[]");
	JUDGE(&check_jupyter, f);
	cr_expect_str_eq(ids, "jupyter.no_auth");
	cr_expect(strstr(ev, "6.4.12") && strstr(ev, "1 kernel,"), "%s", ev);
	cJSON_Delete(f);
	/* with a token: 403 JSON, and /api still answers */
	f = new_facts_tls(false);
	add_resp(f, "api", 200, "{\"version\":\"6.4.12\"}");
	add_resp(f, "kernels", 403,
		 "{\"message\":\"Forbidden\","
		 "\"reason\":null}");
	add_resp(f, "sessions", 403,
		 "{\"message\":\"Forbidden\","
		 "\"reason\":null}");
	JUDGE(&check_jupyter, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* the decoy page: HTML with the words */
	f = new_facts_tls(false);
	add_file(f, "kernels", FIX "decoy/words/page.http");
	add_file(f, "sessions", FIX "decoy/words/page.http");
	JUDGE(&check_jupyter, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, elasticsearch)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_file(f, "root", FIX "elasticsearch/open/root.http");
	add_file(f, "indices", FIX "elasticsearch/open/indices.http");
	JUDGE(&check_elasticsearch, f);
	cr_expect_str_eq(ids, "elasticsearch.no_auth");
	cr_expect(strstr(ev, "7.17.15") && strstr(ev, "3 indices") &&
			  strstr(ev, "orders") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_file(f, "root", FIX "elasticsearch/secured/unauthorized.http");
	add_file(f, "indices", FIX "elasticsearch/secured/unauthorized.http");
	JUDGE(&check_elasticsearch, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, consul)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_file(f, "self", FIX "consul/open/self.http");
	add_file(f, "services", FIX "consul/open/services.http");
	JUDGE(&check_consul, f);
	cr_expect_str_eq(ids, "consul.no_auth");
	cr_expect(strstr(ev, "1.16.1") && strstr(ev, "3 services") &&
			  strstr(ev, "script checks enabled"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_resp(f, "self", 200,
		 "{\"Config\":{\"Datacenter\":\"dc1\","
		 "\"NodeName\":\"n\"},\"DebugConfig\":{\"EnableScriptChecks\":"
		 "false,\"EnableRemoteScriptChecks\":false}}");
	JUDGE(&check_consul, f);
	cr_expect_str_eq(ids, "consul.no_auth");
	cr_expect(strstr(ev, "script checks disabled, remote script checks "
			     "disabled"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_file(f, "self", FIX "consul/acl/denied.http");
	JUDGE(&check_consul, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, yarn)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_file(f, "info", FIX "yarn/open/info.http");
	add_file(f, "apps", FIX "yarn/open/apps.http");
	JUDGE(&check_yarn, f);
	cr_expect_str_eq(ids, "yarn.api_no_auth");
	cr_expect(strstr(ev, "3.3.6") && strstr(ev, "1 application"), "%s", ev);
	add_file(f, "newapp", FIX "yarn/open/newapp.http");
	JUDGE(&check_yarn, f);
	cr_expect_str_eq(ids, "yarn.no_auth");
	cJSON_Delete(f);
	/* no apps: "apps": null */
	f = new_facts_tls(false);
	add_file(f, "info", FIX "yarn/open/info.http");
	add_resp(f, "apps", 200, "{\"apps\":null}");
	JUDGE(&check_yarn, f);
	cr_expect_str_eq(ids, "yarn.api_no_auth");
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_file(f, "info", FIX "yarn/kerberos/negotiate.http");
	JUDGE(&check_yarn, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, ray)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_file(f, "version", FIX "ray/open/version.http");
	add_file(f, "jobs", FIX "ray/open/jobs.http");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "ray.no_auth");
	cr_expect(strstr(ev, "2.9.0") &&
			  strstr(ev, "2 jobs listed (1 "
				     "running)") &&
			  strstr(ev, "train.py") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_file(f, "version", FIX "ray/proxy/unauthorized.http");
	add_file(f, "jobs", FIX "ray/proxy/unauthorized.http");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpapi_assess, selenium)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts_tls(false);

	add_file(f, "status", FIX "selenium/open/status.http");
	JUDGE(&check_selenium, f);
	cr_expect_str_eq(ids, "selenium.api_no_auth");
	cr_expect(strstr(ev, "1 node"), "%s", ev);
	add_file(f, "session", FIX "selenium/open/session.http");
	JUDGE(&check_selenium, f);
	cr_expect_str_eq(ids, "selenium.no_auth");
	cr_expect(strstr(ev, "chrome session"), "%s", ev);
	cJSON_Delete(f);
	/* Grid 3 */
	f = new_facts_tls(false);
	add_resp(f, "status", 404, NULL);
	add_resp(f, "status3", 200,
		 "{\"status\":0,\"value\":{\"ready\":true,"
		 "\"message\":\"Hub has capacity\",\"build\":{\"version\":"
		 "\"3.141.59\"}}}");
	JUDGE(&check_selenium, f);
	cr_expect_str_eq(ids, "selenium.api_no_auth");
	cr_expect(strstr(ev, "3.141.59") && strstr(ev, "/wd/hub/status"), "%s",
		  ev);
	cJSON_Delete(f);
	/* not ready, and basic auth */
	f = new_facts_tls(false);
	add_resp(f, "status", 200,
		 "{\"value\":{\"ready\":false,"
		 "\"message\":\"Selenium Grid not ready.\"}}");
	JUDGE(&check_selenium, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts_tls(false);
	add_file(f, "status", FIX "selenium/basicauth/unauthorized.http");
	JUDGE(&check_selenium, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* the decoy page on every request of every check: never a finding */
Test(httpapi_assess, decoy_everywhere)
{
	static const struct {
		const struct check *c;
		const char *names[4];
	} all[] = {
		{ &check_docker, { "version", "containers", "images" } },
		{ &check_kubelet, { "pods" } },
		{ &check_kubernetes, { "version", "pods", "secrets" } },
		{ &check_etcd, { "version", "range", "v2keys" } },
		{ &check_jupyter, { "api", "kernels", "sessions" } },
		{ &check_elasticsearch, { "root", "indices" } },
		{ &check_consul, { "self", "services" } },
		{ &check_yarn, { "info", "apps", "newapp" } },
		{ &check_ray, { "version", "jobs" } },
		{ &check_selenium, { "status", "status3", "session" } },
	};
	char ids[256], ev[1024];
	size_t i, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		cJSON *f = new_facts_tls(false);

		for (k = 0; k < 4 && all[i].names[k] != NULL; k++)
			add_file(f, all[i].names[k],
				 FIX "decoy/words/page.http");
		JUDGE(all[i].c, f);
		cr_expect_str_eq(ids, "", "%s: %s", all[i].c->name, ids);
		cJSON_Delete(f);
		/* and no facts at all (a timeout before any answer) */
		f = new_facts_tls(false);
		JUDGE(all[i].c, f);
		cr_expect_str_eq(ids, "", "%s: %s", all[i].c->name, ids);
		cJSON_Delete(f);
	}
}

/* every rule is well formed and the intrusive ones say so */
Test(httpapi_assess, rules)
{
	const struct check *all[] = {
		&check_docker,	 &check_kubelet, &check_kubernetes,
		&check_etcd,	 &check_jupyter, &check_elasticsearch,
		&check_consul,	 &check_yarn,	 &check_ray,
		&check_selenium,
	};
	size_t i, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		cr_expect(all[i]->nrules >= 1 && all[i]->nports >= 1);
		for (k = 0; k < all[i]->nrules; k++) {
			const struct rule *r = &all[i]->rules[k];

			cr_expect(strncmp(r->cvss_vector, "CVSS:3.1/", 9) == 0,
				  "%s", r->id);
			cr_expect(strncmp(r->id, all[i]->name,
					  strlen(all[i]->name)) == 0,
				  "%s", r->id);
		}
	}
	cr_expect(check_rule(&check_yarn, "yarn.no_auth")->flags &
		  CHECK_INTRUSIVE);
	cr_expect(check_rule(&check_selenium, "selenium.no_auth")->flags &
		  CHECK_INTRUSIVE);
}
