/*
 * kubelet.c - kubelet.api_no_auth: the kubelet API lists the node's pods
 * without authentication (10250 HTTPS, 10255 the read-only port).
 *
 * What it sends (checks/http/http.c): GET /pods, a read; it never logs in and
 * never calls /run or /exec. Proof: 2xx and a JSON object with
 * kind == "PodList" and an items array; the 401 "Unauthorized" of
 * --anonymous-auth=false and the 403 "Forbidden (user=system:anonymous"
 * of webhook authorization are no finding, nor is /healthz. Evidence:
 * the numbers of pods and namespaces, and the port's kind. GPUs that the
 * pods' containers request or limit (nvidia.com/gpu, amd.com/gpu,
 * gpu.intel.com/...) are the GPU fact of the finding.
 *
 * References: Kubernetes "Kubelet authentication/authorization"; nuclei
 * kubelet-pods; Tsunami KubeReadOnlyPortDetector; CWE-306; ATT&CK T1609.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define KUBELET_NS_MAX 64

static const struct http_req kubelet_reqs[] = {
	{ .name = "pods", .path = "/pods" },
};

static const uint16_t kubelet_tls_ports[] = { 10250 };

static const struct http_module kubelet_http = {
	.reqs = kubelet_reqs,
	.nreqs = ARRAY_SIZE(kubelet_reqs),
	.tls_ports = kubelet_tls_ports,
	.ntls_ports = ARRAY_SIZE(kubelet_tls_ports),
};

static int kubelet_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &kubelet_http);
}

/* distinct metadata.namespace values of a PodList's items (capped) */
static int count_namespaces(const cJSON *items)
{
	const char *seen[KUBELET_NS_MAX];
	const cJSON *it = NULL;
	int n = 0, i;

	cJSON_ArrayForEach(it, items)
	{
		const char *ns = http_str(
			cJSON_GetObjectItemCaseSensitive(it, "metadata"),
			"namespace");

		if (ns == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], ns) == 0)
				break;
		if (i == n && n < KUBELET_NS_MAX)
			seen[n++] = ns;
	}
	return n;
}

/* a GPU resource name of the device plugins */
static bool gpu_resource(const char *name)
{
	return name != NULL && (strcmp(name, "nvidia.com/gpu") == 0 ||
				strcmp(name, "amd.com/gpu") == 0 ||
				strncmp(name, "gpu.intel.com/", 14) == 0);
}

/* GPUs the containers of a PodList ask for (limits, else requests) */
static long count_gpus(const cJSON *items)
{
	const cJSON *pod = NULL, *c = NULL, *r = NULL;
	long n = 0;

	cJSON_ArrayForEach(pod, items)
	{
		const cJSON *spec =
			cJSON_GetObjectItemCaseSensitive(pod, "spec");

		cJSON_ArrayForEach(
			c, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
		{
			const cJSON *res = cJSON_GetObjectItemCaseSensitive(
				c, "resources");
			const cJSON *set =
				cJSON_GetObjectItemCaseSensitive(res, "limits");

			if (!cJSON_IsObject(set))
				set = cJSON_GetObjectItemCaseSensitive(
					res, "requests");
			if (!cJSON_IsObject(set))
				set = NULL;
			cJSON_ArrayForEach(r, set)
			{
				const char *v = cJSON_GetStringValue(r);
				long k = v ? strtol(v, NULL, 10) : 0;

				if (cJSON_IsNumber(r))
					k = (long)r->valuedouble;
				if (gpu_resource(r->string) && k > 0 &&
				    k < 1024 && n < 1000000)
					n += k;
			}
		}
	}
	return n;
}

static int kubelet_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *list = http_json_ok(facts, "pods");
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
	const char *kind = http_str(list, "kind");
	int n = http_count(items), ns = count_namespaces(items), err = 0;

	long gpus = count_gpus(items);

	if (kind != NULL && strcmp(kind, "PodList") == 0 && n >= 0 && gpus > 0)
		ctx_gpu(ctx, "%ld GPU%s requested by the node's pods", gpus,
			gpus == 1 ? "" : "s");
	if (kind != NULL && strcmp(kind, "PodList") == 0 && n >= 0)
		err = ctx_report(
			ctx, "kubelet.api_no_auth", NULL,
			"kubelet %slists %d pod%s in %d namespace%s "
			"(GET /pods: PodList) without authentication%s",
			cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				facts, "tls_unverified"))
				? ""
				: "read-only port ",
			n, n == 1 ? "" : "s", ns, ns == 1 ? "" : "s",
			http_transport(facts));
	if (err == 0 && kind != NULL && strcmp(kind, "PodList") == 0 &&
	    n >= 0) {
		struct sign_set s = { 0 };

		sign_pods(&s, items);
		err = sign_report(ctx, "kubelet.compromise_indicator", &s);
	}
	return err;
}

static const struct rule kubelet_rules[] = {
	{
		.id = "kubelet.api_no_auth",
		.title = "kubelet API lists pods without authentication",
		.description =
			"The kubelet answers anonymous requests: on "
			"10250 that usually also allows /run and /exec in "
			"every pod of the node (code execution); the read-only "
			"port 10255 discloses pod specs, images and "
			"environment variables.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1609; ATT&CK T1613; "
			      "ATT&CK T1496",
		.remediation =
			"Run the kubelet with --anonymous-auth=false "
			"and --authorization-mode=Webhook (authentication."
			"anonymous.enabled: false in KubeletConfiguration), "
			"set --read-only-port=0, and firewall 10250/10255 "
			"from everything but the control plane.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("kubelet.compromise_indicator",
		  "the pod specs the kubelet lists (images, commands, args, "
		  "container names; never env values)"),
};

static const char *const kubelet_services[] = { "kubelet", HTTP_SERVICES,
						NULL };
static const uint16_t kubelet_ports[] = { 10250, 10255 };

const struct check check_kubelet = {
	.global_init = http_global_init,
	.name = "kubelet",
	.summary = "kubelet API without authentication (10250/10255)",
	.services = kubelet_services,
	.ports = kubelet_ports,
	.nports = ARRAY_SIZE(kubelet_ports),
	.rules = kubelet_rules,
	.nrules = ARRAY_SIZE(kubelet_rules),
	.state_size = sizeof(struct http_probe),
	.start = kubelet_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = kubelet_assess,
};
