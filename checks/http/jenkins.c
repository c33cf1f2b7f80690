/*
 * jenkins.c - jenkins.anonymous_admin and jenkins.anonymous_read: Jenkins
 * gives the anonymous user the script console, or lets it read jobs
 * (8080).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET /api/json
 * (the root object: jobs and views) and, if that answered 2xx, GET
 * /script (the Groovy script console page; a GET shows the form, it runs
 * nothing). Jenkins marks every page it serves with an X-Jenkins header
 * (its version), which is recorded. Proof of read: /api/json answers 2xx
 * with X-Jenkins and a JSON object whose _class names Jenkins' root
 * (hudson.model.Hudson) and a jobs array. Proof of admin: that, and
 * /script answers 2xx with X-Jenkins: without Overall/Administer Jenkins
 * answers 403 (or redirects to the login page). A page that merely says
 * "Jenkins" or "Script Console" is no finding. Evidence: version, number
 * of jobs, useSecurity.
 *
 * References: Jenkins "Remote Access API" (/api/json), "Script Console"
 * and "Access Control" (Overall/Administer, anonymous); nuclei
 * jenkins-script, unauthenticated-jenkins; CVE-2024-23897 (45k exposed);
 * CWE-306, CWE-862; ATT&CK T1190, T1059.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req jk_reqs[] = {
	{ .name = "api", .path = "/api/json" },
	{ .name = "script", .path = "/script", .flags = HTTP_IF_OK },
};

static const char *const jk_headers[] = { "x-jenkins", NULL };

static const struct http_module jk_http = {
	.reqs = jk_reqs,
	.nreqs = ARRAY_SIZE(jk_reqs),
	.headers = jk_headers,
};

static int jk_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &jk_http);
}

static int jk_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *root = http_json_ok(facts, "api");
	const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(root, "jobs");
	const cJSON *sec =
		cJSON_GetObjectItemCaseSensitive(root, "useSecurity");
	const char *v = http_header(facts, "api", "x-jenkins");
	const char *cls = http_str(root, "_class");
	int st = http_status(facts, "script"), n = http_count(jobs), err = 0;
	bool admin;

	if (v == NULL || cls == NULL || strcmp(cls, "hudson.model.Hudson") ||
	    n < 0)
		goto out;
	admin = st >= 200 && st <= 299 &&
		http_header(facts, "script", "x-jenkins") != NULL;
	/* admin implies read: one finding, the worse */
	err = ctx_report(ctx,
			 admin ? "jenkins.anonymous_admin"
			       : "jenkins.anonymous_read",
			 NULL,
			 "Jenkins %s %s anonymously: %d job%s listed by "
			 "/api/json%s%s",
			 v,
			 admin ? "opens the script console (/script) "
				 "and its jobs"
			       : "shows its jobs",
			 n, n == 1 ? "" : "s",
			 cJSON_IsFalse(sec) ? " (security disabled: "
					      "useSecurity false)"
					    : "",
			 http_transport(facts));
out:
	return err;
}

static const struct rule jk_rules[] = {
	{
		.id = "jenkins.anonymous_admin",
		.title = "Jenkins gives the anonymous user the script console",
		.description =
			"Anyone who reaches the port can run Groovy in the "
			"controller's JVM from /script: commands on the "
			"host, every stored credential decrypted.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-306; CWE-862; ATT&CK T1190; ATT&CK T1059",
		.remediation =
			"Enable security (Manage Jenkins > Security): a "
			"security realm and an authorization strategy that "
			"grants the anonymous user nothing (Matrix or "
			"Logged-in users can do anything, without anonymous "
			"read); firewall 8080.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "jenkins.anonymous_read",
		.title = "Jenkins lets the anonymous user read jobs and builds",
		.description =
			"Anyone who reaches the port can read job "
			"configurations, build logs and artifacts, which "
			"often hold secrets and the way into the build "
			"agents.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		.references = "CWE-862; ATT&CK T1190; ATT&CK T1552",
		.remediation = "Take Overall/Read and Job/Read away from the "
			       "anonymous user (untick \"Allow anonymous read "
			       "access\") and firewall 8080.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const jk_services[] = { HTTP_SERVICES, NULL };
static const uint16_t jk_ports[] = { 8080 };

const struct check check_jenkins = {
	.global_init = http_global_init,
	.name = "jenkins",
	.summary = "Jenkins anonymous script console or read (8080)",
	.services = jk_services,
	.ports = jk_ports,
	.nports = ARRAY_SIZE(jk_ports),
	.rules = jk_rules,
	.nrules = ARRAY_SIZE(jk_rules),
	.state_size = sizeof(struct http_probe),
	.start = jk_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = jk_assess,
};
