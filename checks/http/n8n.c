/*
 * n8n.c - n8n.no_owner: n8n's owner account is not set up, so the first
 * visitor who opens the editor becomes the owner (5678).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET
 * /rest/settings, which n8n serves to anonymous visitors because its
 * editor needs it before the login page. Proof: 2xx JSON whose
 * data.userManagement.showSetupOnFirstLoad is true, and which is n8n's
 * settings (data.versionCli, as n8n 1.x answers everyone, or
 * data.settingsMode "public", as n8n 2.x answers a visitor without a
 * session: packages/cli/src/services/frontend.service.ts
 * getPublicSettings()). n8n computes the flag as "no instance owner and
 * not preview mode". An owner set up: false, no finding; the "n8n is
 * starting up" page (HTML) is no answer. Nothing is posted: the owner
 * setup form (POST /rest/owner/setup) is what an attacker would send.
 * Evidence: the n8n version where it is given.
 *
 * References: n8n docs "Set up user management" (the owner account);
 * CWE-306; CWE-1188 (insecure default initialization); ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req n8n_reqs[] = {
	{ .name = "settings", .path = "/rest/settings" },
};

static const struct http_module n8n_http = {
	.reqs = n8n_reqs,
	.nreqs = ARRAY_SIZE(n8n_reqs),
};

static int n8n_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &n8n_http);
}

static int n8n_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "settings"), "data");
	const cJSON *um =
		cJSON_GetObjectItemCaseSensitive(data, "userManagement");
	const char *v = http_str(data, "versionCli");
	const char *mode = http_str(data, "settingsMode");
	int err = 0;

	if (!cJSON_IsObject(um) ||
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		    um, "showSetupOnFirstLoad")))
		goto out;
	if (v == NULL && (mode == NULL || strcmp(mode, "public") != 0))
		goto out; /* not n8n's settings */
	err = ctx_report(ctx, "n8n.no_owner", NULL,
			 "n8n %s has no owner account: /rest/settings says "
			 "showSetupOnFirstLoad, so the first visitor who "
			 "opens the editor becomes its owner%s",
			 v ? v : "(version not disclosed: public settings)",
			 http_transport(facts));
out:
	return err;
}

static const struct rule n8n_rules[] = {
	{
		.id = "n8n.no_owner",
		.title = "n8n has no owner account: the first visitor "
			 "becomes owner",
		.description =
			"Anyone who reaches the port can set up the owner "
			"account, then build and run workflows: Code and "
			"Execute Command nodes run on the host, and stored "
			"credentials become theirs.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CWE-1188; ATT&CK T1190; ATT&CK T1059",
		.remediation =
			"Set up the owner account right after installing "
			"(open the editor once from a trusted network), bind "
			"n8n to 127.0.0.1 or put it behind an authenticating "
			"proxy, and firewall 5678.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const n8n_services[] = { "n8n", HTTP_SERVICES, NULL };
static const uint16_t n8n_ports[] = { 5678 };

const struct check check_n8n = {
	.global_init = http_global_init,
	.name = "n8n",
	.summary = "n8n without an owner account (5678)",
	.services = n8n_services,
	.ports = n8n_ports,
	.nports = ARRAY_SIZE(n8n_ports),
	.rules = n8n_rules,
	.nrules = ARRAY_SIZE(n8n_rules),
	.state_size = sizeof(struct http_probe),
	.start = n8n_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = n8n_assess,
};
