/*
 * nomad.c - nomad.no_auth: Nomad's HTTP API lists jobs without an ACL
 * token (4646); a job is code execution on the clients.
 *
 * What it sends (checks/http/http.c), reads only, no X-Nomad-Token: GET
 * /v1/jobs, and GET /v1/agent/self for the version. Proof: /v1/jobs
 * answers 2xx with a JSON array whose items are objects with string ID
 * and Type, and the answer carries Nomad's X-Nomad-Index header (so an
 * empty list counts, from Nomad only). With ACLs on and no token Nomad
 * answers 403 "Permission denied": no finding. No job is registered or
 * dispatched. Evidence: version and whether ACLs are on (when the agent
 * endpoint answers: with ACLs on, a listable job list means an anonymous
 * policy that grants read, and submission is not proven), number of jobs
 * and of running ones.
 *
 * References: Nomad HTTP API "Jobs" (GET /v1/jobs), "Agent"
 * (/v1/agent/self), "ACL" (X-Nomad-Token, 403); Wiz JINX-0132 (2025,
 * miners through Nomad); CWE-306; ATT&CK T1190, T1496, T1610.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req nomad_reqs[] = {
	{ .name = "jobs", .path = "/v1/jobs" },
	{ .name = "self", .path = "/v1/agent/self" },
};

static const char *const nomad_headers[] = { "x-nomad-index", NULL };

static const struct http_module nomad_http = {
	.reqs = nomad_reqs,
	.nreqs = ARRAY_SIZE(nomad_reqs),
	.headers = nomad_headers,
};

static int nomad_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &nomad_http);
}

static int nomad_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *jobs = http_json_ok(facts, "jobs");
	const cJSON *self = http_json_ok(facts, "self");
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(self, "config");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(cfg, "Version");
	const cJSON *it = NULL, *acl;
	const char *v = http_str(ver, "Version");
	int n = http_count(jobs), running = 0, err = 0;

	if (n < 0 || http_header(facts, "jobs", "x-nomad-index") == NULL)
		goto out;
	cJSON_ArrayForEach(it, jobs)
	{
		const char *st = http_str(it, "Status");

		if (!cJSON_IsObject(it) || http_str(it, "ID") == NULL ||
		    http_str(it, "Type") == NULL)
			goto out; /* not a job list */
		if (st != NULL && strcmp(st, "running") == 0)
			running++;
	}
	acl = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "ACL"), "Enabled");
	err = ctx_report(
		ctx, "nomad.no_auth", NULL,
		"Nomad %s lists %d job%s (%d running) on /v1/jobs "
		"without an ACL token%s%s",
		v ? v : "(version unknown)", n, n == 1 ? "" : "s", running,
		cJSON_IsFalse(acl)  ? " (ACLs disabled: anyone may "
				      "register jobs)"
		: cJSON_IsTrue(acl) ? " (ACLs enabled: the anonymous policy "
				      "grants read; job submission not proven)"
				    : "",
		http_transport(facts));
out:
	return err;
}

static const struct rule nomad_rules[] = {
	{
		.id = "nomad.no_auth",
		.title = "Nomad API lists jobs without an ACL token",
		.description = "With ACLs off anyone who reaches the port can "
			       "register a job, which runs their command or "
			       "container on the cluster's clients (JINX-0132: "
			       "miners through Nomad).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1610; "
			      "ATT&CK T1496",
		.remediation =
			"Bootstrap ACLs (acl { enabled = true }, nomad acl "
			"bootstrap) with a deny-by-default anonymous policy, "
			"enable mTLS, and firewall 4646.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const nomad_services[] = { HTTP_SERVICES, NULL };
static const uint16_t nomad_ports[] = { 4646 };

const struct check check_nomad = {
	.global_init = http_global_init,
	.name = "nomad",
	.summary = "Nomad job API without an ACL token (4646)",
	.services = nomad_services,
	.ports = nomad_ports,
	.nports = ARRAY_SIZE(nomad_ports),
	.rules = nomad_rules,
	.nrules = ARRAY_SIZE(nomad_rules),
	.state_size = sizeof(struct http_probe),
	.start = nomad_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = nomad_assess,
};
