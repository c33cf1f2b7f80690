/*
 * nodered.c - nodered.no_auth: Node-RED's admin API answers without a
 * token (1880), and a deployed flow runs code.
 *
 * What it sends (checks/http/http.c), reads only, no login: GET /settings
 * and GET /flows (the editor's admin API, httpAdminRoot "/" by default).
 * Proof: /settings is 2xx JSON with Node-RED's "version" and
 * "httpNodeRoot", /flows is 2xx JSON with the flow configuration (an
 * array of nodes with "id" and "type", or API v2's {"flows": [...]}), and
 * the anonymous visitor may write: /settings names no "user" (adminAuth
 * off), or its anonymous user has "*" permissions. With adminAuth on
 * both answer 401; an anonymous read-only user ("read") can see flows
 * but not deploy: no finding. No flow is deployed. Evidence: version, the
 * numbers of flows and nodes, and how many nodes already run code
 * (function, exec).
 *
 * nodered.compromise_indicator (issue 14): no request beyond /flows; each
 * exec node's command line (command, then append) goes through the
 * indicator matcher as a command line. Node names, comments, info texts
 * and function code never do: they are free text a user writes (a
 * "block xmrig" label is no sign). At most NODERED_SIGN_NODES
 * nodes looked at.
 *
 * References: Node-RED "Securing Node-RED" (adminAuth); Node-RED Admin
 * HTTP API; CWE-306; ATT&CK T1190; ATT&CK T1059.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define NODERED_SIGN_NODES 4096

static const struct http_req nodered_reqs[] = {
	{ .name = "settings", .path = "/settings" },
	{ .name = "flows", .path = "/flows", .flags = HTTP_IF_OK },
};

static const struct http_module nodered_http = {
	.reqs = nodered_reqs,
	.nreqs = ARRAY_SIZE(nodered_reqs),
};

static int nodered_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &nodered_http);
}

/* the anonymous user may deploy: no adminAuth, or default "*" */
static bool anonymous_writes(const cJSON *settings)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(settings, "user");
	const cJSON *perm =
		cJSON_GetObjectItemCaseSensitive(user, "permissions");
	const cJSON *arr = cJSON_IsArray(perm) ? perm : NULL, *it = NULL;
	bool w = false;

	if (user == NULL)
		w = true;
	else if (cJSON_IsString(perm))
		w = strcmp(perm->valuestring, "*") == 0;
	else
		cJSON_ArrayForEach(it, arr)
		{
			if (cJSON_IsString(it) &&
			    (strcmp(it->valuestring, "*") == 0 ||
			     strcmp(it->valuestring, "flows.write") == 0))
				w = true;
		}
	return w;
}

struct flow_counts {
	int tabs, nodes, code;
};

/* false if this is not a flow configuration */
static bool count_flows(const cJSON *flows, struct flow_counts *c)
{
	const cJSON *arr = flows, *it = NULL;
	bool ok = true;

	if (cJSON_IsObject(flows))
		arr = cJSON_GetObjectItemCaseSensitive(flows, "flows");
	if (!cJSON_IsArray(arr))
		return false;
	cJSON_ArrayForEach(it, arr)
	{
		const char *type = http_str(it, "type");

		if (type == NULL || http_str(it, "id") == NULL) {
			ok = false;
			break;
		}
		if (strcmp(type, "tab") == 0) {
			c->tabs++;
		} else if (strcmp(type, "subflow") != 0) {
			c->nodes++;
			if (strcmp(type, "function") == 0 ||
			    strcmp(type, "exec") == 0)
				c->code++;
		}
	}
	return ok;
}

/* nodered.compromise_indicator over the exec nodes of the flows read */
static int nodered_signs(const cJSON *flows, struct check_ctx *ctx)
{
	const cJSON *arr = flows, *it = NULL;
	struct sign_set s = { 0 };
	char where[200], line[IND_TEXT_MAX + 1];
	const char *cmd, *app, *id, *name;
	int k = 0;

	if (cJSON_IsObject(flows))
		arr = cJSON_GetObjectItemCaseSensitive(flows, "flows");
	cJSON_ArrayForEach(it, arr)
	{
		const char *type = http_str(it, "type");

		if (++k > NODERED_SIGN_NODES)
			break;
		if (type == NULL || strcmp(type, "exec") != 0)
			continue;
		cmd = http_str(it, "command");
		app = http_str(it, "append");
		id = http_str(it, "id");
		name = http_str(it, "name");
		snprintf(where, sizeof(where), "exec node %.32s (%.64s)",
			 id ? id : "?", name && name[0] ? name : "unnamed");
		if (cmd != NULL)
			snprintf(line, sizeof(line), "%s%s%s", cmd,
				 app && app[0] ? " " : "", app ? app : "");
		sign_at(&s, IND_F_CMD, cmd ? line : NULL, where, "command");
	}
	return sign_report(ctx, "nodered.compromise_indicator", &s);
}

static int nodered_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *settings = http_json_ok(facts, "settings");
	const char *v = http_str(settings, "version");
	struct flow_counts c = { 0, 0, 0 };
	int err = 0;

	if (!cJSON_IsObject(settings) || v == NULL ||
	    http_str(settings, "httpNodeRoot") == NULL ||
	    !anonymous_writes(settings) ||
	    !count_flows(http_json_ok(facts, "flows"), &c))
		goto out;
	err = ctx_report(ctx, "nodered.no_auth", NULL,
			 "Node-RED %s admin API answers /settings and /flows "
			 "without a token (%d flow%s, %d node%s, %d of them "
			 "function or exec nodes); anyone can deploy a flow "
			 "that runs code%s",
			 v, c.tabs, c.tabs == 1 ? "" : "s", c.nodes,
			 c.nodes == 1 ? "" : "s", c.code,
			 http_transport(facts));
	if (err == 0)
		err = nodered_signs(http_json_ok(facts, "flows"), ctx);
out:
	return err;
}

static const struct rule nodered_rules[] = {
	{
		.id = "nodered.no_auth",
		.title = "Node-RED admin API answers without a token",
		.description =
			"Anyone who reaches the editor port can read and "
			"deploy flows; a function or exec node runs code "
			"on the host as the Node-RED user.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1059",
		.remediation =
			"Enable adminAuth in settings.js (users with hashed "
			"passwords, no default \"*\" user), bind uiHost to "
			"127.0.0.1 or put the editor behind an "
			"authenticating proxy, and firewall 1880.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("nodered.compromise_indicator",
		  "the deployed flows (each exec node's command line)"),
};

static const char *const nodered_services[] = { "node-red", "nodered",
						HTTP_SERVICES, NULL };
static const uint16_t nodered_ports[] = { 1880 };

const struct check check_nodered = {
	.global_init = http_global_init,
	.name = "nodered",
	.summary = "Node-RED admin API without a token (1880)",
	.services = nodered_services,
	.ports = nodered_ports,
	.nports = ARRAY_SIZE(nodered_ports),
	.rules = nodered_rules,
	.nrules = ARRAY_SIZE(nodered_rules),
	.state_size = sizeof(struct http_probe),
	.start = nodered_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = nodered_assess,
};
