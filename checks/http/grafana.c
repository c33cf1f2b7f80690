/*
 * grafana.c - grafana.default_credentials: Grafana accepts its default
 * login admin/admin (3000).
 *
 * What it sends (checks/http/http.c): GET /api/health (public: version
 * and database state; Grafana's "Health API"), and only if that answered
 * 2xx with Grafana's shape, one POST /login with the JSON body
 * {"user":"admin","password":"admin"} (Grafana's login API, what its
 * sign-in page posts). One attempt (the built-in pair only, through the
 * credential guard: --no-login skips it, --max-attempts caps it): Grafana
 * locks an account after a few failed logins. Proof: the login answers
 * 2xx with {"message":"Logged in"}; a wrong password answers 401 "Invalid
 * username or password". The session cookie Grafana sets is never used,
 * and nothing else is requested. Evidence: version, the user.
 *
 * References: Grafana docs "Sign in to Grafana" (admin/admin, change it),
 * "HTTP API: Health"; grafana/grafana pkg/api/login.go (LoginPost);
 * nuclei grafana-default-login; CWE-1392, CWE-521; ATT&CK T1078.001.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

/* the login body; false if a name does not fit or needs escaping (the
 * built-in pair never does; a --creds pair with '"' or '\' is skipped) */
static bool gf_sign(struct http_probe *p, const char *user,
		    const char *password, struct curl_slist **hdrs)
{
	int n;

	(void)hdrs;
	if (strpbrk(user, "\"\\") != NULL || strpbrk(password, "\"\\") != NULL)
		return false;
	n = snprintf(p->login_body, sizeof(p->login_body),
		     "{\"user\":\"%s\",\"password\":\"%s\"}", user, password);
	return n > 0 && (size_t)n < sizeof(p->login_body);
}

static enum cred_result gf_verdict(const cJSON *resp)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(resp, "json");
	const char *m = http_str(j, "message");

	if (cJSON_IsNumber(st) && st->valueint >= 200 && st->valueint <= 299 &&
	    m != NULL && strcmp(m, "Logged in") == 0)
		return CRED_ACCEPTED;
	return CRED_FAILED;
}

static const struct http_login gf_login = {
	.sign = gf_sign,
	.verdict = gf_verdict,
};

/* /api/health is Grafana's when it names a version and a database state */
static bool gf_health_ok(const cJSON *facts, const char **ver)
{
	const cJSON *h = http_json_ok(facts, "health");

	*ver = http_str(h, "version");
	return *ver != NULL && http_str(h, "database") != NULL;
}

static bool gf_login_path(const cJSON *facts, char *buf, size_t size)
{
	const char *v;

	if (!gf_health_ok(facts, &v))
		return false;
	snprintf(buf, size, "/login");
	return true;
}

static const struct http_req gf_reqs[] = {
	{ .name = "health", .path = "/api/health" },
	{ .name = "login",
	  .method = "POST",
	  .flags = HTTP_JSON_BODY,
	  .path_fn = gf_login_path,
	  .login = &gf_login },
};

static const struct http_module gf_http = {
	.reqs = gf_reqs,
	.nreqs = ARRAY_SIZE(gf_reqs),
};

static int gf_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &gf_http);
}

static int gf_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *r = http_resp(facts, "login");
	const char *v, *u = http_str(r, "user"), *pw = http_str(r, "password");

	if (!gf_health_ok(facts, &v) || u == NULL || pw == NULL ||
	    gf_verdict(r) != CRED_ACCEPTED)
		return 0;
	return ctx_report(ctx, "grafana.default_credentials", pw,
			  "Grafana %s: POST /login as %s with %s answered "
			  "\"Logged in\"%s",
			  v, u,
			  pw[0] ? "the default password" : "an empty password",
			  http_transport(facts));
}

static const struct rule gf_rules[] = {
	{
		.id = "grafana.default_credentials",
		.title = "Grafana accepts admin/admin",
		.description =
			"The administrator account still has Grafana's "
			"default password: anyone who reaches the port "
			"administers Grafana, reads every data source's "
			"queries and stored credentials, and adds users.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L",
		.references = "CWE-1392; CWE-521; ATT&CK T1078.001",
		.remediation = "Change the admin password (grafana-cli admin "
			       "reset-admin-password, or admin_password in "
			       "grafana.ini before the first start), put "
			       "Grafana behind SSO, and firewall port 3000.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const gf_services[] = { HTTP_SERVICES, NULL };
static const uint16_t gf_ports[] = { 3000 };
static const char *const gf_users[] = { "admin", NULL };
static const char *const gf_passwords[] = { "admin", NULL };

const struct check check_grafana = {
	.global_init = http_global_init,
	.name = "grafana",
	.summary = "Grafana: the default login admin/admin (3000)",
	.services = gf_services,
	.ports = gf_ports,
	.nports = ARRAY_SIZE(gf_ports),
	.flags = CHECK_LOGIN | CHECK_CREDS_PAIRED,
	.rules = gf_rules,
	.nrules = ARRAY_SIZE(gf_rules),
	.default_users = gf_users,
	.default_passwords = gf_passwords,
	.default_max_attempts = 1,
	.state_size = sizeof(struct http_probe),
	.start = gf_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = gf_assess,
};
