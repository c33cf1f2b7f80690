/*
 * selenium.c - Selenium Grid without authentication (4444):
 * selenium.api_no_auth (the Grid answers /status "ready") and, with
 * --intrusive only, selenium.no_auth (a browser session was created).
 *
 * What it sends (checks/http/http.c), no credentials: GET /status (Grid 4),
 * GET /wd/hub/status only if that did not answer 2xx (Grid 3); then
 * only under --intrusive and only when the Grid is ready: POST /session
 * with {"capabilities":{"alwaysMatch":{}}} (starts a browser on a node:
 * a state change) and at once DELETE /session/<id> to end it. Proof:
 * 2xx JSON value.ready == true; for the session, 2xx JSON with
 * value.sessionId (or the legacy top-level sessionId). A Grid behind
 * basic auth (401, WWW-Authenticate: Basic) is no finding. Evidence:
 * version when given, number of nodes, the browser of the session.
 *
 * References: W3C WebDriver "New Session"/"Status"; Selenium Grid 4
 * "Endpoints"; nuclei selenium-exposure; Wiz "SeleniumGreed"; CWE-306.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

/* the status answer that counted: Grid 4's, else Grid 3's */
static const cJSON *sel_status(const cJSON *facts, bool *legacy)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "status"), "value");

	*legacy = !cJSON_IsObject(v);
	if (*legacy)
		v = cJSON_GetObjectItemCaseSensitive(
			http_json_ok(facts, "status3"), "value");
	return v;
}

static bool sel_ready(const cJSON *facts, bool *legacy)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		sel_status(facts, legacy), "ready"));
}

static bool sel_status3_path(const cJSON *facts, char *buf, size_t size)
{
	bool want = http_json_ok(facts, "status") == NULL;

	if (want)
		snprintf(buf, size, "/wd/hub/status");
	return want;
}

static bool sel_session_path(const cJSON *facts, char *buf, size_t size)
{
	bool legacy = false, want = sel_ready(facts, &legacy);

	if (want)
		snprintf(buf, size, "%s/session", legacy ? "/wd/hub" : "");
	return want;
}

/* the new session's id: W3C value.sessionId, or the legacy one */
static const char *sel_session_id(const cJSON *facts)
{
	const cJSON *j = http_json_ok(facts, "session");
	const char *id = http_str(cJSON_GetObjectItemCaseSensitive(j, "value"),
				  "sessionId");

	return id ? id : http_str(j, "sessionId");
}

static bool sel_delete_path(const cJSON *facts, char *buf, size_t size)
{
	const char *id = sel_session_id(facts);
	bool legacy = false;
	bool ok = id != NULL && id[0] != '\0' && strlen(id) <= 128;
	size_t i;
	int n;

	for (i = 0; ok && id[i] != '\0'; i++) /* never a path */
		ok = (id[i] >= '0' && id[i] <= '9') ||
		     (id[i] >= 'a' && id[i] <= 'z') ||
		     (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-';
	if (ok) {
		sel_status(facts, &legacy);
		n = snprintf(buf, size, "%s/session/%s",
			     legacy ? "/wd/hub" : "", id);
		ok = n > 0 && (size_t)n < size;
	}
	return ok;
}

static const struct http_req sel_reqs[] = {
	{ .name = "status", .path = "/status" },
	{ .name = "status3", .path_fn = sel_status3_path },
	{ .name = "session",
	  .method = "POST",
	  .body = "{\"capabilities\":{\"alwaysMatch\":{}},"
		  "\"desiredCapabilities\":{}}",
	  .flags = HTTP_INTRUSIVE | HTTP_JSON_BODY,
	  .path_fn = sel_session_path },
	{ .name = "delete",
	  .method = "DELETE",
	  .flags = HTTP_INTRUSIVE,
	  .path_fn = sel_delete_path },
};

static const struct http_module sel_http = {
	.reqs = sel_reqs,
	.nreqs = ARRAY_SIZE(sel_reqs),
};

static int sel_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &sel_http);
}

static int sel_assess(const cJSON *facts, struct check_ctx *ctx)
{
	bool legacy = false;
	const cJSON *st = sel_status(facts, &legacy);
	const char *ver = http_str(
		cJSON_GetObjectItemCaseSensitive(st, "build"), "version");
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(http_json_ok(facts, "session"),
						 "value"),
		"capabilities");
	const char *browser = http_str(caps, "browserName");
	int nodes = http_count(cJSON_GetObjectItemCaseSensitive(st, "nodes"));
	char what[64] = "";
	int err = 0;

	if (!sel_ready(facts, &legacy))
		goto out;
	if (nodes >= 0)
		snprintf(what, sizeof(what), ", %d node%s", nodes,
			 nodes == 1 ? "" : "s");
	if (sel_session_id(facts) != NULL)
		err = ctx_report(ctx, "selenium.no_auth", NULL,
				 "Selenium Grid %s%s created a %s session "
				 "without authentication (deleted at once)%s",
				 ver ? ver : (legacy ? "3" : "4"), what,
				 browser ? browser : "browser",
				 http_transport(facts));
	else
		err = ctx_report(
			ctx, "selenium.api_no_auth", NULL,
			"Selenium Grid %s%s answers %s ready without "
			"authentication (session creation not tried: needs "
			"--intrusive)%s",
			ver ? ver : (legacy ? "3" : "4"), what,
			legacy ? "/wd/hub/status" : "/status",
			http_transport(facts));
out:
	return err;
}

static const struct rule sel_rules[] = {
	{
		.id = "selenium.no_auth",
		.title = "Selenium Grid accepts sessions without "
			 "authentication",
		.description =
			"An anonymous client started a browser session: "
			"anyone can drive browsers inside the network (SSRF, "
			"local file reads) and, through browser options, run "
			"programs on the nodes (SeleniumGreed mining).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Keep the Grid on a private network, enable the "
			"router's basic authentication (--username/--password) "
			"or an authenticating proxy, and firewall 4444.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_INTRUSIVE,
	},
	{
		.id = "selenium.api_no_auth",
		.title = "Selenium Grid answers without authentication",
		.description =
			"The Grid reports itself ready to an anonymous "
			"client, which then can usually start browser sessions "
			"(confirm with --intrusive).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Keep the Grid on a private network, enable the "
			"router's basic authentication (--username/--password) "
			"or an authenticating proxy, and firewall 4444.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_INFERRED,
	},
};

static const char *const sel_services[] = { "selenium", HTTP_SERVICES, NULL };
static const uint16_t sel_ports[] = { 4444 };

const struct check check_selenium = {
	.global_init = http_global_init,
	.name = "selenium",
	.summary = "Selenium Grid without authentication (4444)",
	.services = sel_services,
	.ports = sel_ports,
	.nports = ARRAY_SIZE(sel_ports),
	.rules = sel_rules,
	.nrules = ARRAY_SIZE(sel_rules),
	.state_size = sizeof(struct http_probe),
	.start = sel_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = sel_assess,
};
