/*
 * kubernetes.c - kubernetes.anonymous_api: kube-apiserver grants the
 * anonymous user more than health and version (6443 HTTPS).
 *
 * What it sends (checks/http/http.c), all reads without credentials:
 * GET /version (for the evidence only: /version, /healthz and /livez stay
 * anonymous by default, KEP-789, and prove nothing), GET
 * /api/v1/pods?limit=500 and GET /api/v1/secrets?limit=1 (one item is
 * enough: metadata.remainingItemCount gives the rest of the count, so
 * little secret material is ever fetched, and none leaves the process).
 * Proof: 2xx and a JSON object with kind "PodList" or "SecretList" and an
 * items array. The 401/403 "Status" objects (system:anonymous forbidden)
 * are no finding. Evidence: version, the numbers of pods and secrets.
 *
 * kubernetes.compromise_indicator (issue 14): the pod specs already read,
 * and, once pods or secrets were listed, GET
 * /apis/apps/v1/daemonsets?limit=500 (a read; a DaemonSet is the usual
 * way a miner lands on every node): each pod template's containers'
 * images, commands, args, names and env names (never env values) go
 * through the indicator matcher. Bytes read per target stay at most 4
 * bodies of HTTP_BODY_MAX.
 *
 * References: Kubernetes "Authenticating: anonymous requests", KEP-789;
 * Tsunami KubernetesApiExposedDetector; nuclei kube-api-pods,
 * kube-api-secrets; CWE-306; ATT&CK T1613, T1552.007.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

/* the DaemonSets, only once the anonymous user listed pods or secrets */
static bool kube_ds_path(const cJSON *facts, char *buf, size_t size)
{
	static const char p[] = "/apis/apps/v1/daemonsets?limit=500";

	if ((http_json_ok(facts, "pods") == NULL &&
	     http_json_ok(facts, "secrets") == NULL) ||
	    size < sizeof(p))
		return false;
	memcpy(buf, p, sizeof(p));
	return true;
}

static const struct http_req kube_reqs[] = {
	{ .name = "version", .path = "/version" },
	{ .name = "pods", .path = "/api/v1/pods?limit=500" },
	{ .name = "secrets", .path = "/api/v1/secrets?limit=1" },
	{ .name = "daemonsets", .path_fn = kube_ds_path },
};

static const uint16_t kube_tls_ports[] = { 6443, 443, 8443 };

static const struct http_module kube_http = {
	.reqs = kube_reqs,
	.nreqs = ARRAY_SIZE(kube_reqs),
	.tls_ports = kube_tls_ports,
	.ntls_ports = ARRAY_SIZE(kube_tls_ports),
};

static int kube_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &kube_http);
}

/* the items of a list of `kind` plus metadata.remainingItemCount, or -1 */
static double kube_list_count(const cJSON *facts, const char *name,
			      const char *kind)
{
	const cJSON *list = http_json_ok(facts, name);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
	const cJSON *rem = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(list, "metadata"),
		"remainingItemCount");
	const char *k = http_str(list, "kind");
	double n = -1;

	if (k != NULL && strcmp(k, kind) == 0 && cJSON_IsArray(items)) {
		n = cJSON_GetArraySize(items);
		if (cJSON_IsNumber(rem) && rem->valuedouble > 0 &&
		    rem->valuedouble < 1e12)
			n += rem->valuedouble;
	}
	return n;
}

/* each DaemonSet's pod template (a DaemonSetList's items) */
static void kube_ds_signs(struct sign_set *s, const cJSON *facts)
{
	const cJSON *list = http_json_ok(facts, "daemonsets"), *ds = NULL;
	const char *k = http_str(list, "kind");
	char where[256];
	int n = 0;

	if (k == NULL || strcmp(k, "DaemonSetList") != 0)
		return;
	cJSON_ArrayForEach(ds, cJSON_GetObjectItemCaseSensitive(list, "items"))
	{
		const cJSON *md =
			cJSON_GetObjectItemCaseSensitive(ds, "metadata");
		const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(ds, "spec"),
			"template");
		const char *ns = http_str(md, "namespace");
		const char *nm = http_str(md, "name");
		const char *cr = http_str(md, "creationTimestamp");

		if (++n > SIGN_PODS_MAX)
			break;
		snprintf(where, sizeof(where),
			 "daemonset %.64s/%.64s (created %.32s)", ns ? ns : "?",
			 nm ? nm : "?", cr ? cr : "?");
		sign_pod_spec(s, cJSON_GetObjectItemCaseSensitive(tpl, "spec"),
			      where);
	}
}

static int kube_assess(const cJSON *facts, struct check_ctx *ctx)
{
	double pods = kube_list_count(facts, "pods", "PodList");
	double secrets = kube_list_count(facts, "secrets", "SecretList");
	const char *v = http_str(http_json_ok(facts, "version"), "gitVersion");
	char what[160] = "";
	int err = 0;

	if (pods < 0 && secrets < 0)
		goto out;
	if (pods >= 0)
		snprintf(what, sizeof(what), "lists %.0f pod%s cluster-wide",
			 pods, pods == 1 ? "" : "s");
	if (secrets >= 0)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 "%slists Secrets cluster-wide (%.0f)",
			 pods >= 0 ? " and " : "", secrets);
	err = ctx_report(ctx, "kubernetes.anonymous_api", NULL,
			 "kube-apiserver %s: the anonymous user %s%s",
			 v ? v : "(version hidden)", what,
			 http_transport(facts));
	if (err == 0) {
		struct sign_set s = { 0 };

		if (pods >= 0)
			sign_pods(&s, cJSON_GetObjectItemCaseSensitive(
					      http_json_ok(facts, "pods"),
					      "items"));
		kube_ds_signs(&s, facts);
		err = sign_report(ctx, "kubernetes.compromise_indicator", &s);
	}
out:
	return err;
}

static const struct rule kube_rules[] = {
	{
		.id = "kubernetes.anonymous_api",
		.title = "Kubernetes API grants anonymous access",
		.description =
			"kube-apiserver answers the anonymous user with "
			"pods or secrets (not just /version or /healthz, which "
			"are anonymous by default): cluster data, and often "
			"service account tokens that lead further.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		.references = "CWE-306; CWE-284; ATT&CK T1613; "
			      "ATT&CK T1552.007",
		.remediation =
			"Remove RBAC bindings that grant rights to "
			"system:anonymous or system:unauthenticated (kubectl "
			"get clusterrolebindings -o wide), run kube-apiserver "
			"with --anonymous-auth=false where possible, and keep "
			"the API off the internet.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("kubernetes.compromise_indicator",
		  "the pod specs and DaemonSet pod templates anonymous access "
		  "lists cluster-wide (images, commands, args, container "
		  "names, env names; never env values)"),
};

static const char *const kube_services[] = { "kubernetes", HTTP_SERVICES,
					     NULL };
static const uint16_t kube_ports[] = { 6443 };

const struct check check_kubernetes = {
	.global_init = http_global_init,
	.name = "kubernetes",
	.summary = "Kubernetes API anonymous access to pods/secrets (6443)",
	.services = kube_services,
	.ports = kube_ports,
	.nports = ARRAY_SIZE(kube_ports),
	.rules = kube_rules,
	.nrules = ARRAY_SIZE(kube_rules),
	.state_size = sizeof(struct http_probe),
	.start = kube_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = kube_assess,
};
