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
 * consul.compromise_indicator (issue 14): once agent/self answered, GET
 * /v1/agent/checks (a read: the checks registered with this agent): each
 * check's Definition.ScriptArgs (the command a script or Docker check
 * runs) and Shell go through the indicator matcher as a command line, its
 * name as a name; Notes and Output (free text, the script's own output)
 * never do. At most CONSUL_SIGN_CHECKS checks; bytes read per target stay
 * at most 3 bodies of HTTP_BODY_MAX.
 *
 * References: Consul HTTP API (agent, catalog), "ACL system",
 * "Protecting against script checks" (enable_script_checks); nuclei
 * hashicorp-consul-unauth; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define CONSUL_SIGN_CHECKS 512

/* the agent's checks, only once agent/self answered without a token */
static bool consul_checks_path(const cJSON *facts, char *buf, size_t size)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "self"), "Config");

	if (http_str(cfg, "Datacenter") == NULL ||
	    size < sizeof("/v1/agent/checks"))
		return false;
	memcpy(buf, "/v1/agent/checks", sizeof("/v1/agent/checks"));
	return true;
}

static const struct http_req consul_reqs[] = {
	{ .name = "self", .path = "/v1/agent/self" },
	{ .name = "services",
	  .path = "/v1/catalog/services",
	  .flags = HTTP_IF_OK },
	{ .name = "checks", .path_fn = consul_checks_path },
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

/* consul.compromise_indicator over the registered checks */
static int consul_signs(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *c = NULL;
	struct sign_set s = { 0 };
	char where[200], buf[IND_TEXT_MAX + 1];
	int k = 0;

	cJSON_ArrayForEach(c, http_json_ok(facts, "checks"))
	{
		const cJSON *def =
			cJSON_GetObjectItemCaseSensitive(c, "Definition");
		const char *id = http_str(c, "CheckID");
		const char *type = http_str(c, "Type");

		if (++k > CONSUL_SIGN_CHECKS)
			break;
		if (!cJSON_IsObject(c))
			continue;
		snprintf(where, sizeof(where), "check %.64s (type %.16s)",
			 id ? id : (c->string ? c->string : "?"),
			 type && type[0] ? type : "?");
		sign_at(&s, IND_F_CMD,
			sign_join(cJSON_GetObjectItemCaseSensitive(
					  def, "ScriptArgs"),
				  buf, sizeof(buf)),
			where, "script args");
		sign_at(&s, IND_F_CMD, http_str(def, "Shell"), where, "shell");
		sign_at(&s, IND_F_NAME, http_str(c, "Name"), where, "name");
	}
	return sign_report(ctx, "consul.compromise_indicator", &s);
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
	if (err == 0)
		err = consul_signs(facts, ctx);
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
	SIGN_RULE("consul.compromise_indicator",
		  "the checks registered with the agent (the script arguments "
		  "and shell of script and Docker checks, check names)"),
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
