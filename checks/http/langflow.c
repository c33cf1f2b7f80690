/*
 * langflow.c - langflow.no_auth: Langflow's API is usable without
 * credentials (7860).
 *
 * What it sends (checks/http/http.c), reads only: GET /api/v1/version
 * (public: identifies Langflow), GET /api/v1/auto_login (with
 * LANGFLOW_AUTO_LOGIN=True it hands any visitor a superuser's access
 * token; with it off, 400 {"detail": {"auto_login": false, ...}}) and GET
 * /api/v1/flows/ without a token. Proof: the version answers 2xx JSON
 * with a string version, and either auto_login answers 2xx JSON with a
 * string access_token and token_type "bearer", or the flows list answers
 * 2xx with a JSON array (items with a string id). The token is never
 * used, stored or shown. Nothing is run: /api/v1/validate/code (CVE-2025-
 * 3248) would execute code. Evidence: version and which door is open.
 *
 * References: Langflow docs "API keys and authentication"
 * (LANGFLOW_AUTO_LOGIN, LANGFLOW_SKIP_AUTH_AUTO_LOGIN), langflow
 * src/backend/base/langflow/api/v1/login.py (/auto_login); CVE-2025-3248,
 * CVE-2025-34291 (KEV); CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req lf_reqs[] = {
	{ .name = "version", .path = "/api/v1/version" },
	{ .name = "auto_login", .path = "/api/v1/auto_login" },
	{ .name = "flows", .path = "/api/v1/flows/" },
};

static const struct http_module lf_http = {
	.reqs = lf_reqs,
	.nreqs = ARRAY_SIZE(lf_reqs),
};

static int lf_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &lf_http);
}

static int lf_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *v = http_str(http_json_ok(facts, "version"), "version");
	const cJSON *al = http_json_ok(facts, "auto_login");
	const cJSON *flows = http_json_ok(facts, "flows");
	const cJSON *it = NULL;
	const char *tt = http_str(al, "token_type");
	bool token = http_str(al, "access_token") != NULL && tt != NULL &&
		     strcasecmp(tt, "bearer") == 0;
	int n = http_count(flows), err = 0;
	char flows_txt[64];

	cJSON_ArrayForEach(it, flows)
	{
		if (!cJSON_IsObject(it) || http_str(it, "id") == NULL)
			n = -1; /* not a flow list */
	}
	if (v == NULL || (!token && n < 0))
		goto out;
	snprintf(flows_txt, sizeof(flows_txt), "/api/v1/flows/ lists %d flow%s",
		 n, n == 1 ? "" : "s");
	err = ctx_report(ctx, "langflow.no_auth", NULL,
			 "Langflow %s is usable without credentials: %s%s%s%s",
			 v,
			 token ? "/api/v1/auto_login hands out a superuser "
				 "access token"
			       : "",
			 token && n >= 0 ? "; " : "", n >= 0 ? flows_txt : "",
			 http_transport(facts));
out:
	return err;
}

static const struct rule lf_rules[] = {
	{
		.id = "langflow.no_auth",
		.title = "Langflow API is usable without credentials",
		.description =
			"Auto-login hands every visitor a superuser token "
			"(or the API answers without one): flows and custom "
			"components are Python code run on the server, and "
			"the stored API keys are readable.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CVE-2025-3248; CVE-2025-34291; "
			      "ATT&CK T1190; ATT&CK T1059.006",
		.remediation =
			"Set LANGFLOW_AUTO_LOGIN=False with a superuser "
			"password and a secret LANGFLOW_SECRET_KEY, never "
			"LANGFLOW_SKIP_AUTH_AUTO_LOGIN, upgrade past the "
			"KEV-listed CVEs, and keep 7860 behind an "
			"authenticating proxy.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const lf_services[] = { HTTP_SERVICES, NULL };
static const uint16_t lf_ports[] = { 7860 };

const struct check check_langflow = {
	.global_init = http_global_init,
	.name = "langflow",
	.summary = "Langflow API without credentials (7860)",
	.services = lf_services,
	.ports = lf_ports,
	.nports = ARRAY_SIZE(lf_ports),
	.rules = lf_rules,
	.nrules = ARRAY_SIZE(lf_rules),
	.state_size = sizeof(struct http_probe),
	.start = lf_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = lf_assess,
};
