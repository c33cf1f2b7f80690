/*
 * consul.c - consul.no_auth: the Consul agent API answers without an ACL
 * token (8500).
 *
 * What it sends (checks/http/http.c), reads only, no token: GET /v1/agent/self
 * and GET /v1/catalog/services. Proof: agent/self is 2xx JSON with a
 * Config object holding Datacenter and NodeName (with ACLs in default
 * deny the anonymous token gets 403 "Permission denied": no finding).
 * The evidence says whether script checks are enabled
 * (DebugConfig.EnableScriptChecks / EnableRemoteScriptChecks), which turn
 * the open API into command execution through service registration; the
 * registration itself is never tried.
 *
 * References: Consul HTTP API (agent, catalog), "ACL system",
 * "Protecting against script checks" (enable_script_checks); nuclei
 * hashicorp-consul-unauth; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req consul_reqs[] = {
	{ .name = "self", .path = "/v1/agent/self" },
	{ .name = "services",
	  .path = "/v1/catalog/services",
	  .flags = HTTP_IF_OK },
};

static const struct http_module consul_http = {
	.reqs = consul_reqs,
	.nreqs = ARRAY_SIZE(consul_reqs),
};

static int consul_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &consul_http);
}

/* "enabled", "disabled" or "unknown" for DebugConfig[key] */
static const char *flag_word(const cJSON *dbg, const char *key)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(dbg, key);

	return cJSON_IsTrue(b)	 ? "enabled"
	       : cJSON_IsBool(b) ? "disabled"
				 : "unknown";
}

static int consul_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *self = http_json_ok(facts, "self");
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(self, "Config");
	const cJSON *dbg =
		cJSON_GetObjectItemCaseSensitive(self, "DebugConfig");
	const cJSON *svcs = http_json_ok(facts, "services");
	const char *dc = http_str(cfg, "Datacenter");
	const char *node = http_str(cfg, "NodeName");
	const char *v = http_str(cfg, "Version");
	int n = cJSON_IsObject(svcs) ? cJSON_GetArraySize(svcs) : -1;
	char services[48] = "";
	int err = 0;

	if (dc == NULL || node == NULL)
		goto out;
	if (n >= 0)
		snprintf(services, sizeof(services),
			 "; %d service%s in the "
			 "catalog",
			 n, n == 1 ? "" : "s");
	err = ctx_report(ctx, "consul.no_auth", NULL,
			 "Consul %s (datacenter %s, node %s) answers "
			 "/v1/agent/self without an ACL token%s; script "
			 "checks %s, remote script checks %s%s",
			 v ? v : "?", dc, node, services,
			 flag_word(dbg, "EnableScriptChecks"),
			 flag_word(dbg, "EnableRemoteScriptChecks"),
			 http_transport(facts));
out:
	return err;
}

static const struct rule consul_rules[] = {
	{
		.id = "consul.no_auth",
		.title = "Consul agent API answers without an ACL token",
		.description =
			"Anyone who reaches the port can read and "
			"change the service catalog and key/value store; with "
			"script checks enabled, registering a service runs "
			"commands on the agent's host.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1059",
		.remediation =
			"Enable ACLs with default_policy = \"deny\" "
			"and give the anonymous token no rights; set "
			"enable_script_checks = false (or "
			"enable_local_script_checks only); serve the HTTP API "
			"on a private address with TLS.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const consul_services[] = { "consul", HTTP_SERVICES, NULL };
static const uint16_t consul_ports[] = { 8500 };

const struct check check_consul = {
	.global_init = http_global_init,
	.name = "consul",
	.summary = "Consul agent API without an ACL token (8500)",
	.services = consul_services,
	.ports = consul_ports,
	.nports = ARRAY_SIZE(consul_ports),
	.rules = consul_rules,
	.nrules = ARRAY_SIZE(consul_rules),
	.state_size = sizeof(struct http_probe),
	.start = consul_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = consul_assess,
};
