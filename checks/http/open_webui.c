/*
 * open_webui.c - open_webui.no_auth and open_webui.open_signup: Open WebUI
 * runs without authentication, has no user yet, or lets anyone sign up
 * (3000 in its Docker examples, 8080 in the image).
 *
 * What it sends (checks/http/http.c): GET /api/config, which Open WebUI
 * serves to anonymous visitors by design (the login page reads it). Proof,
 * from its JSON only: an object with "status": true, a string version and
 * a "features" object holding the booleans "auth" and "enable_signup"
 * (any other page, whatever words it holds, is no finding). Then:
 *   features.auth false        -> open_webui.no_auth (WEBUI_AUTH=False:
 *                                 every visitor is the admin);
 *   "onboarding": true         -> open_webui.open_signup (zero users: the
 *                                 first sign-up becomes admin);
 *   features.enable_signup true-> open_webui.open_signup (anyone may
 *                                 register; new accounts get
 *                                 DEFAULT_USER_ROLE, "pending" unless
 *                                 changed).
 * Nothing is created: proving a sign-up would make an account.
 *
 * References: open-webui backend/open_webui/main.py (GET /api/config:
 * onboarding, features.auth, features.enable_signup); Open WebUI docs
 * (WEBUI_AUTH, ENABLE_SIGNUP, DEFAULT_USER_ROLE); Sysdig 2025 report of
 * miners through exposed Open WebUI; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req owui_reqs[] = {
	{ .name = "config", .path = "/api/config" },
};

static const struct http_module owui_http = {
	.reqs = owui_reqs,
	.nreqs = ARRAY_SIZE(owui_reqs),
};

static int owui_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &owui_http);
}

static int owui_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *cfg = http_json_ok(facts, "config");
	const cJSON *feat = cJSON_GetObjectItemCaseSensitive(cfg, "features");
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(feat, "auth");
	const cJSON *signup =
		cJSON_GetObjectItemCaseSensitive(feat, "enable_signup");
	const char *v = http_str(cfg, "version");
	const char *name = http_str(cfg, "name");
	int err = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "status")) ||
	    v == NULL || !cJSON_IsObject(feat) || !cJSON_IsBool(auth) ||
	    !cJSON_IsBool(signup))
		goto out;
	if (cJSON_IsFalse(auth)) {
		err = ctx_report(ctx, "open_webui.no_auth", NULL,
				 "Open WebUI %s (\"%s\") runs with "
				 "authentication disabled (features.auth "
				 "false in /api/config): every visitor is "
				 "its admin%s",
				 v, name ? name : "?", http_transport(facts));
		goto out;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "onboarding")))
		err = ctx_report(ctx, "open_webui.open_signup", NULL,
				 "Open WebUI %s has no user yet (onboarding "
				 "true in /api/config): the first visitor to "
				 "sign up becomes its admin%s",
				 v, http_transport(facts));
	else if (cJSON_IsTrue(signup))
		err = ctx_report(ctx, "open_webui.open_signup", NULL,
				 "Open WebUI %s lets anyone sign up "
				 "(features.enable_signup true in "
				 "/api/config; new accounts get "
				 "DEFAULT_USER_ROLE, \"pending\" unless "
				 "changed)%s",
				 v, http_transport(facts));
out:
	return err;
}

static const struct rule owui_rules[] = {
	{
		.id = "open_webui.no_auth",
		.title = "Open WebUI runs with authentication disabled",
		.description =
			"With WEBUI_AUTH=False every visitor is the admin: "
			"they can use every connected model and key, read "
			"all chats and add Functions and Tools, which are "
			"Python code run on the server.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Never expose an instance started with "
			"WEBUI_AUTH=False; turn authentication on (it cannot "
			"be turned off once users exist) or keep it on "
			"127.0.0.1 behind an authenticating proxy.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "open_webui.open_signup",
		.title = "Open WebUI has no user yet or lets anyone sign up",
		.description = "With no user yet the first sign-up becomes the "
			       "admin (Functions and Tools run Python on the "
			       "server); with sign-up open anyone can make an "
			       "account and, once its role allows, spend the "
			       "owner's models and keys.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CWE-1188; ATT&CK T1190; ATT&CK T1136",
		.remediation =
			"Create the admin account before the port is "
			"reachable, then turn off new sign-ups "
			"(ENABLE_SIGNUP=False, or Admin Settings > General) "
			"and keep DEFAULT_USER_ROLE=pending.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const owui_services[] = { HTTP_SERVICES, NULL };
static const uint16_t owui_ports[] = { 3000, 8080 };

const struct check check_open_webui = {
	.global_init = http_global_init,
	.name = "open_webui",
	.summary = "Open WebUI without authentication, or open sign-up "
		   "(3000, 8080)",
	.services = owui_services,
	.ports = owui_ports,
	.nports = ARRAY_SIZE(owui_ports),
	.rules = owui_rules,
	.nrules = ARRAY_SIZE(owui_rules),
	.state_size = sizeof(struct http_probe),
	.start = owui_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = owui_assess,
};
