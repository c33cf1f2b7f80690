/*
 * ray.c - ray.no_auth: the Ray dashboard's job API answers without
 * authentication (8265; CVE-2023-48022, "ShadowRay").
 *
 * What it sends (checks/http/http.c), reads only, no login: GET
 * /api/authentication_mode (Ray 2.52+, public by design: "disabled" or
 * "token"), GET /api/version and GET /api/jobs/. Proof: /api/version is
 * 2xx JSON with ray_version, and the job list is 2xx with a JSON array
 * (whose items, if any, are objects with a type or job_id /
 * submission_id). Ray's token authentication (RAY_AUTH_MODE=token, 2.52+)
 * answers 401 "Unauthorized: Missing authentication token" without
 * Authorization: Bearer (or X-Ray-Authorization): that is the refusing
 * answer, no finding, as is an authenticating proxy's 401/403 or the
 * dashboard's HTML page. No job is submitted. Evidence: Ray version, the
 * authentication mode when the dashboard reports one (2.52+ with token
 * authentication available but "disabled"), and the number of jobs.
 * GET /api/v0/nodes (the state API behind "ray list nodes") gives each
 * node's resources_total: GPUs there, and their accelerator_type, are
 * the GPU fact of the finding.
 *
 * ray.compromise_indicator (issue 14): each listed job's entrypoint (the
 * shell command the job runs) goes through the indicator matcher as a
 * command line, and its submission id as a name; metadata values only
 * for shapes (a wallet, a stratum URL). No request beyond the job list
 * (at most HTTP_BODY_MAX), at most RAY_SIGN_JOBS jobs looked at.
 *
 * References: Ray "Ray Jobs REST API"; Ray "Token authentication" (2.52,
 * docs.ray.io ray-security/token-auth); ray-project/ray#58819
 * (X-Ray-Authorization); CVE-2023-48022; nuclei
 * ray-cluster-unauth-api; Oligo ShadowRay report; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define RAY_SIGN_JOBS 512

static const struct http_req ray_reqs[] = {
	{ .name = "authmode", .path = "/api/authentication_mode" },
	{ .name = "version", .path = "/api/version" },
	{ .name = "jobs", .path = "/api/jobs/" },
	{ .name = "nodes", .path = "/api/v0/nodes", .flags = HTTP_IF_OK },
};

static const struct http_module ray_http = {
	.reqs = ray_reqs,
	.nreqs = ARRAY_SIZE(ray_reqs),
};

static int ray_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &ray_http);
}

/* GPUs in the nodes' resources_total ({"data": {"result": {"result":
 * [node...]}}}), and the first accelerator_type:NAME resource seen */
static double ray_gpus(const cJSON *facts, const char **accel, int *nodes)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "nodes"), "data");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "result");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(r, "result");
	const cJSON *n = NULL, *res, *it = NULL;
	double gpus = 0;

	*accel = NULL;
	*nodes = 0;
	if (!cJSON_IsArray(list))
		list = NULL;
	cJSON_ArrayForEach(n, list)
	{
		const cJSON *g;

		res = cJSON_GetObjectItemCaseSensitive(n, "resources_total");
		g = cJSON_GetObjectItemCaseSensitive(res, "GPU");
		if (!cJSON_IsNumber(g) || !(g->valuedouble > 0) ||
		    g->valuedouble > 1e6)
			continue;
		gpus += g->valuedouble;
		(*nodes)++;
		cJSON_ArrayForEach(it, res)
		{
			if (*accel == NULL && it->string != NULL &&
			    strncmp(it->string, "accelerator_type:", 17) == 0)
				*accel = it->string + 17;
		}
	}
	return gpus;
}

/* ray.compromise_indicator over the job list already read */
static int ray_signs(const cJSON *jobs, struct check_ctx *ctx)
{
	const cJSON *it = NULL, *m = NULL;
	struct sign_set s = { 0 };
	char where[200], w[260];
	int k = 0, j;

	cJSON_ArrayForEach(it, jobs)
	{
		const char *id = http_str(it, "submission_id");
		const char *st = http_str(it, "status");

		if (++k > RAY_SIGN_JOBS)
			break;
		if (id == NULL)
			id = http_str(it, "job_id");
		snprintf(where, sizeof(where), "job %.64s (%.16s)",
			 id ? id : "?", st ? st : "status unknown");
		sign_at(&s, IND_F_CMD, http_str(it, "entrypoint"), where,
			"entrypoint");
		sign_at(&s, IND_F_NAME, id, where, "id");
		j = 0;
		cJSON_ArrayForEach(
			m, cJSON_GetObjectItemCaseSensitive(it, "metadata"))
		{
			if (++j > 32 || !cJSON_IsString(m))
				continue;
			snprintf(w, sizeof(w), "%s metadata %.32s", where,
				 m->string ? m->string : "?");
			sign_check(&s, IND_F_LABEL, m->valuestring, w);
		}
	}
	return sign_report(ctx, "ray.compromise_indicator", &s);
}

static int ray_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *v = http_str(http_json_ok(facts, "version"), "ray_version");
	const char *mode = http_str(http_json_ok(facts, "authmode"),
				    "authentication_mode");
	const cJSON *jobs = http_json_ok(facts, "jobs");
	const cJSON *it = NULL;
	int n = http_count(jobs), running = 0, err = 0, gnodes;
	const char *accel;
	double gpus;

	if (v == NULL || n < 0)
		goto out;
	cJSON_ArrayForEach(it, jobs)
	{
		const char *st = http_str(it, "status");

		if (!cJSON_IsObject(it) ||
		    (http_str(it, "job_id") == NULL &&
		     http_str(it, "submission_id") == NULL &&
		     http_str(it, "type") == NULL))
			goto out; /* not a job list */
		if (st != NULL && strcmp(st, "RUNNING") == 0)
			running++;
	}
	gpus = ray_gpus(facts, &accel, &gnodes);
	if (gpus > 0)
		ctx_gpu(ctx, "Ray cluster with %.0f GPU%s%s%s on %d node%s",
			gpus, gpus == 1 ? "" : "s", accel ? " " : "",
			accel ? accel : "", gnodes, gnodes == 1 ? "" : "s");
	err = ctx_report(ctx, "ray.no_auth", NULL,
			 "Ray %s dashboard answers the job API without "
			 "authentication%s%s%s: %d job%s listed (%d "
			 "running)%s",
			 v, mode ? " (authentication_mode \"" : "",
			 mode ? mode : "", mode ? "\")" : "", n,
			 n == 1 ? "" : "s", running, http_transport(facts));
	if (err == 0)
		err = ray_signs(jobs, ctx);
out:
	return err;
}

static const struct rule ray_rules[] = {
	{
		.id = "ray.no_auth",
		.title = "Ray dashboard job API answers without authentication",
		.description = "Anyone who reaches the dashboard port can "
			       "submit a job, which is a shell command on the "
			       "cluster (ShadowRay: hijacked compute, stolen "
			       "credentials and models).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CVE-2023-48022; ATT&CK T1190; "
			      "ATT&CK T1496",
		.remediation =
			"Enable token authentication (Ray 2.52+: "
			"RAY_AUTH_MODE=token on every node), bind the "
			"dashboard to 127.0.0.1 (--dashboard-host=127.0.0.1, "
			"the default) and reach it through an SSH tunnel or "
			"an authenticating proxy; firewall 8265.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("ray.compromise_indicator",
		  "the job list (each job's entrypoint command, submission id "
		  "and metadata)"),
};

static const char *const ray_services[] = { "ray", HTTP_SERVICES, NULL };
static const uint16_t ray_ports[] = { 8265 };

const struct check check_ray = {
	.global_init = http_global_init,
	.name = "ray",
	.summary = "Ray dashboard job API without authentication (8265)",
	.services = ray_services,
	.ports = ray_ports,
	.nports = ARRAY_SIZE(ray_ports),
	.rules = ray_rules,
	.nrules = ARRAY_SIZE(ray_rules),
	.state_size = sizeof(struct http_probe),
	.start = ray_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = ray_assess,
};
