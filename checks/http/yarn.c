/*
 * yarn.c - Hadoop YARN ResourceManager REST API without authentication
 * (8088): yarn.api_no_auth (read access, inferred submission) and, with
 * --intrusive only, yarn.no_auth (a new application id was granted).
 *
 * What it sends (checks/http/http.c), no credentials (the "simple" auth of an
 * unsecured cluster maps every request to dr.who): GET
 * /ws/v1/cluster/info, GET /ws/v1/cluster/apps?limit=100, and only under
 * --intrusive POST /ws/v1/cluster/apps/new-application, which allocates
 * an application id on the target (state change: the rule says so) but
 * submits nothing. Proof: 2xx JSON with clusterInfo.resourceManagerVersion
 * and an "apps" member; for the POST, 2xx JSON with "application-id". The
 * 401 of Kerberos/SPNEGO (WWW-Authenticate: Negotiate) or a 403 is no
 * finding. Evidence: version, state, number of applications.
 *
 * yarn.compromise_indicator (issue 14): no request beyond the application
 * list; each application's name goes through the indicator matcher as a
 * name (the list carries no command line: its launch context is not read,
 * and diagnostics, a log text, never are). At most the 100 listed.
 *
 * References: Hadoop "ResourceManager REST APIs" (Cluster Information,
 * Applications, New Application); Tsunami YarnExposedManagerApiDetector;
 * nuclei hadoop-unauth-rce; XBash/DemonBot reports; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

static const struct http_req yarn_reqs[] = {
	{ .name = "info", .path = "/ws/v1/cluster/info" },
	{ .name = "apps",
	  .path = "/ws/v1/cluster/apps?limit=100",
	  .flags = HTTP_IF_OK },
	{ .name = "newapp",
	  .method = "POST",
	  .path = "/ws/v1/cluster/apps/new-application",
	  .flags = HTTP_INTRUSIVE | HTTP_IF_OK },
};

static const struct http_module yarn_http = {
	.reqs = yarn_reqs,
	.nreqs = ARRAY_SIZE(yarn_reqs),
};

static int yarn_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &yarn_http);
}

/* yarn.compromise_indicator over the application list already read */
static int yarn_signs(const cJSON *list, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	struct sign_set s = { 0 };
	char where[200];
	int k = 0;

	cJSON_ArrayForEach(it, list)
	{
		const char *id = http_str(it, "id"), *u = http_str(it, "user");
		const char *st = http_str(it, "state");

		if (++k > 100)
			break;
		snprintf(where, sizeof(where),
			 "application %.48s (user %.32s, %.16s) name",
			 id ? id : "?", u ? u : "?", st ? st : "?");
		sign_check(&s, IND_F_NAME, http_str(it, "name"), where);
	}
	return sign_report(ctx, "yarn.compromise_indicator", &s);
}

static int yarn_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "info"), "clusterInfo");
	const cJSON *apps = http_json_ok(facts, "apps");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(apps, "apps"), "app");
	const char *v = http_str(info, "resourceManagerVersion");
	const char *state = http_str(info, "state");
	const char *appid =
		http_str(http_json_ok(facts, "newapp"), "application-id");
	int n = http_count(list), err = 0;

	if (v == NULL || !cJSON_IsObject(apps) ||
	    !cJSON_HasObjectItem(apps, "apps"))
		goto out;
	if (n < 0)
		n = 0; /* "apps": null when there is none */
	if (appid != NULL)
		err = ctx_report(ctx, "yarn.no_auth", NULL,
				 "YARN ResourceManager %s (%s) granted a new "
				 "application id without authentication "
				 "(%d application%s listed)%s",
				 v, state ? state : "?", n, n == 1 ? "" : "s",
				 http_transport(facts));
	else
		err = ctx_report(
			ctx, "yarn.api_no_auth", NULL,
			"YARN ResourceManager %s (%s) REST API answers "
			"without authentication: cluster info and %d "
			"application%s listed (submission not tried: needs "
			"--intrusive)%s",
			v, state ? state : "?", n, n == 1 ? "" : "s",
			http_transport(facts));
	if (err == 0)
		err = yarn_signs(list, ctx);
out:
	return err;
}

static const struct rule yarn_rules[] = {
	{
		.id = "yarn.no_auth",
		.title = "Hadoop YARN ResourceManager accepts new applications "
			 "without authentication",
		.description =
			"The REST API granted a new application id to "
			"an anonymous client, so anyone can submit an "
			"application that runs a shell command on the cluster "
			"(the XBash / DemonBot mining entry point).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Enable Kerberos (hadoop.security."
			"authentication=kerberos) and service-level "
			"authorization, set yarn.webapp.enable-rest-app-"
			"submissions=false if REST submission is not needed, "
			"and firewall 8088.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_INTRUSIVE,
	},
	{
		.id = "yarn.api_no_auth",
		.title = "Hadoop YARN ResourceManager REST API answers without "
			 "authentication",
		.description =
			"Cluster information and the application list "
			"are served to an anonymous client; on such clusters "
			"REST application submission (code execution) is "
			"usually open too (confirm with --intrusive).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Enable Kerberos (hadoop.security."
			"authentication=kerberos) and service-level "
			"authorization, set yarn.webapp.enable-rest-app-"
			"submissions=false if REST submission is not needed, "
			"and firewall 8088.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_INFERRED,
	},
	SIGN_RULE("yarn.compromise_indicator",
		  "the application list (each application's name)"),
};

static const char *const yarn_services[] = { "yarn", HTTP_SERVICES, NULL };
static const uint16_t yarn_ports[] = { 8088 };

const struct check check_yarn = {
	.global_init = http_global_init,
	.name = "yarn",
	.summary = "Hadoop YARN ResourceManager REST API without "
		   "authentication (8088)",
	.services = yarn_services,
	.ports = yarn_ports,
	.nports = ARRAY_SIZE(yarn_ports),
	.rules = yarn_rules,
	.nrules = ARRAY_SIZE(yarn_rules),
	.state_size = sizeof(struct http_probe),
	.start = yarn_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = yarn_assess,
};
