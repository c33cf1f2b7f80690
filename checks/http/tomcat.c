/*
 * tomcat.c - tomcat.default_credentials: Apache Tomcat's manager
 * application accepts a default login (8080, 8443).
 *
 * What it sends (checks/http/http.c): GET /manager/html without
 * credentials, which the manager answers 401 with WWW-Authenticate:
 * Basic realm="Tomcat Manager Application" (its web.xml login-config);
 * only then GET /manager/html with HTTP Basic, one credential of the
 * guard at a time, again while the answer is 401 (HTTP_LOGIN_RETRY): the
 * guard's cap ends it. Proof: 200 with the manager's page (its title
 * "Tomcat Web Application Manager"); 403 after the login means the
 * password is right but the user lacks the manager-gui role (settled, no
 * other password tried, no finding); 401 is a wrong password or, alike
 * on the wire, a user locked by LockOutRealm. Nothing is deployed.
 * Evidence: the user; the password is the finding's secret.
 *
 * Lockout: Tomcat's default server.xml wraps the user database in a
 * LockOutRealm (5 failures lock a user for 5 minutes; a success clears
 * them), so the cap per account and host is 4 by default: one scan never
 * locks an account by itself. The built-in list is the logins of
 * tomcat-users.xml's examples and of nmap's http-default-accounts.
 *
 * References: Tomcat 10.1 "Manager App How-To" (roles manager-gui,
 * manager-script; the 401 realm), "Realm Configuration How-To"
 * (LockOutRealm: failureCount 5, lockOutTime 300); nmap
 * http-default-accounts (Apache Tomcat); CVE-2009-3548 (tomcat/tomcat
 * shipped by the Windows installer); CWE-1392, CWE-521; ATT&CK
 * T1078.001, T1505.003 (a WAR upload is a web shell).
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

#define TC_REALM "realm=\"Tomcat Manager Application\""
#define TC_TITLE "Tomcat Web Application Manager"

static enum cred_result tc_verdict(const cJSON *resp)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(resp, "marks");
	const cJSON *m;
	bool title = false;

	cJSON_ArrayForEach(m, ms)
	{
		title = title || (cJSON_IsString(m) &&
				  strcmp(m->valuestring, TC_TITLE) == 0);
	}
	if (!cJSON_IsNumber(st))
		return CRED_FAILED;
	if (st->valueint == 200 && title)
		return CRED_ACCEPTED;
	if (st->valueint == 403)
		return CRED_NO_ACCOUNT; /* the right password, not the role */
	return CRED_FAILED;
}

static const struct http_login tc_login = {
	.sign = http_sign_basic,
	.verdict = tc_verdict,
};

/* the manager asked for its own Basic realm */
static bool tc_is_manager(const cJSON *facts)
{
	const char *wa =
		http_str(http_resp(facts, "probe"), "www_authenticate");

	return http_status(facts, "probe") == 401 && wa != NULL &&
	       strncmp(wa, "Basic ", 6) == 0 && strstr(wa, TC_REALM) != NULL;
}

static bool tc_login_path(const cJSON *facts, char *buf, size_t size)
{
	if (!tc_is_manager(facts))
		return false;
	snprintf(buf, size, "/manager/html");
	return true;
}

static const struct http_req tc_reqs[] = {
	{ .name = "probe", .path = "/manager/html" },
	{ .name = "login",
	  .path_fn = tc_login_path,
	  .flags = HTTP_LOGIN_RETRY,
	  .login = &tc_login },
};

static const char *const tc_marks[] = { TC_TITLE, NULL };

static const struct http_module tc_http = {
	.reqs = tc_reqs,
	.nreqs = ARRAY_SIZE(tc_reqs),
	.tls_ports = (const uint16_t[]){ 8443 },
	.ntls_ports = 1,
	.marks = tc_marks,
};

static int tc_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &tc_http);
}

static int tc_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *r = http_resp(facts, "login");
	const char *u = http_str(r, "user"), *pw = http_str(r, "password");

	if (!tc_is_manager(facts) || u == NULL || pw == NULL ||
	    tc_verdict(r) != CRED_ACCEPTED)
		return 0;
	return ctx_report(ctx, "tomcat.default_credentials", pw,
			  "Tomcat manager: GET /manager/html as %s with %s "
			  "answered 200 with the Tomcat Web Application "
			  "Manager (deploying a WAR runs code)%s",
			  u,
			  pw[0] == '\0'	       ? "an empty password"
			  : strcmp(pw, u) == 0 ? "the user name as password"
					       : "a default password",
			  http_transport(facts));
}

static const struct rule tc_rules[] = {
	{
		.id = "tomcat.default_credentials",
		.title = "Tomcat's manager accepts a default login",
		.description =
			"Anyone who reaches the port logs in to the Tomcat "
			"manager with a default password and deploys a WAR "
			"file: code execution as the Tomcat user.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; CVE-2009-3548; "
			      "ATT&CK T1078.001; ATT&CK T1505.003",
		.remediation = "Give the manager users of tomcat-users.xml "
			       "long random passwords (or remove the manager "
			       "webapp), keep the RemoteAddrValve of the "
			       "manager's context.xml to admin addresses, and "
			       "firewall ports 8080/8443.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const tc_services[] = { HTTP_SERVICES, NULL };
static const uint16_t tc_ports[] = { 8080, 8443 };
/* tomcat-users.xml's example users and the logins of nmap's
 * http-default-accounts for Tomcat; the guard also tries the empty
 * password and the user name first */
static const char *const tc_users[] = { "tomcat", "admin", "manager",
					"role1",  "both",  NULL };
static const char *const tc_passwords[] = { "s3cret",	"tomcat",     "admin",
					    "password", "changethis", NULL };

const struct check check_tomcat = {
	.global_init = http_global_init,
	.name = "tomcat",
	.summary = "Tomcat: the manager application with a default login "
		   "(8080, 8443)",
	.services = tc_services,
	.ports = tc_ports,
	.nports = ARRAY_SIZE(tc_ports),
	.flags = CHECK_LOGIN,
	.rules = tc_rules,
	.nrules = ARRAY_SIZE(tc_rules),
	.default_users = tc_users,
	.default_passwords = tc_passwords,
	.default_max_attempts = 4,
	.state_size = sizeof(struct http_probe),
	.start = tc_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = tc_assess,
};
