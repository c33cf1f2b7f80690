/*
 * influxdb.c - influxdb.no_auth: InfluxDB answers without credentials
 * (8086): InfluxDB 1.x runs SHOW DATABASES for anyone (auth-enabled =
 * false, its default), InfluxDB 2 has not been set up yet (the first
 * visitor creates the operator, its token and organisation).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET /ping
 * (both versions answer 204 with X-Influxdb-Version and, on 2.x,
 * X-Influxdb-Build), then GET /api/v2/setup (2.x: {"allowed":true} while
 * no user exists, false after) and GET /query?q=SHOW%20DATABASES (1.x:
 * {"results":[{"series":[{"name":"databases","values":[...]}]}]}; with
 * auth-enabled it answers 401 {"error":"unable to parse authentication
 * credentials"}). Proof needs the version header of /ping and one of the
 * two answers. The setup is never posted. Evidence: version and the
 * number of databases, never their names.
 *
 * References: InfluxDB 2 API docs (GET /api/v2/setup "Check if setup is
 * allowed"; GET /ping), InfluxDB 1.8 docs "Authentication and
 * authorization" (auth-enabled) and "/query"; nuclei influxdb-unauth;
 * CWE-306; ATT&CK T1190, T1530.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req ifx_reqs[] = {
	{ .name = "ping", .path = "/ping" },
	{ .name = "setup", .path = "/api/v2/setup", .flags = HTTP_IF_OK },
	{ .name = "query", .path = "/query?q=SHOW%20DATABASES" },
};

static const char *const ifx_headers[] = { "x-influxdb-version",
					   "x-influxdb-build", NULL };

static const struct http_module ifx_http = {
	.reqs = ifx_reqs,
	.nreqs = ARRAY_SIZE(ifx_reqs),
	.headers = ifx_headers,
};

static int ifx_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &ifx_http);
}

/* the databases SHOW DATABASES listed (1.x), or -1 */
static int ifx_databases(const cJSON *facts)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "query"), "results");
	const cJSON *r0 = cJSON_IsArray(res) ? cJSON_GetArrayItem(res, 0)
					     : NULL;
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(r0, "series");
	const cJSON *s0, *vals;
	const char *name;

	if (r0 == NULL || cJSON_GetObjectItemCaseSensitive(r0, "error"))
		return -1;
	if (series == NULL)
		return 0; /* no database at all: the statement still ran */
	s0 = cJSON_IsArray(series) ? cJSON_GetArrayItem(series, 0) : NULL;
	name = http_str(s0, "name");
	vals = cJSON_GetObjectItemCaseSensitive(s0, "values");
	if (name == NULL || strcmp(name, "databases") != 0)
		return -1;
	return vals == NULL ? 0 : http_count(vals);
}

static int ifx_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *v = http_header(facts, "ping", "x-influxdb-version");
	const char *b = http_header(facts, "ping", "x-influxdb-build");
	const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "setup"), "allowed");
	int n = ifx_databases(facts);
	int st = http_status(facts, "ping");

	if (v == NULL || st < 200 || st > 299)
		return 0;
	if (cJSON_IsTrue(allowed))
		return ctx_report(ctx, "influxdb.no_auth", NULL,
				  "InfluxDB %s%s%s has not been set up: "
				  "/api/v2/setup answers allowed: true, the "
				  "first visitor creates the operator and its "
				  "all-access token%s",
				  v, b ? " " : "", b ? b : "",
				  http_transport(facts));
	if (n >= 0)
		return ctx_report(ctx, "influxdb.no_auth", NULL,
				  "InfluxDB %s answers SHOW DATABASES without "
				  "credentials: %d database%s listed%s",
				  v, n, n == 1 ? "" : "s",
				  http_transport(facts));
	return 0;
}

static const struct rule ifx_rules[] = {
	{
		.id = "influxdb.no_auth",
		.title = "InfluxDB answers queries without authentication",
		.description =
			"Anyone who reaches the port reads and writes the "
			"time series (InfluxDB 1.x without auth-enabled), or "
			"sets up an unconfigured InfluxDB 2 and owns it "
			"with an all-access token.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1530",
		.remediation = "InfluxDB 1.x: create an admin user and set "
			       "[http] auth-enabled = true; InfluxDB 2: run "
			       "influx setup at once; firewall port 8086.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const ifx_services[] = { HTTP_SERVICES, NULL };
static const uint16_t ifx_ports[] = { 8086 };

const struct check check_influxdb = {
	.global_init = http_global_init,
	.name = "influxdb",
	.summary = "InfluxDB: queries without credentials (1.x), not set "
		   "up (2.x) (8086)",
	.services = ifx_services,
	.ports = ifx_ports,
	.nports = ARRAY_SIZE(ifx_ports),
	.rules = ifx_rules,
	.nrules = ARRAY_SIZE(ifx_rules),
	.state_size = sizeof(struct http_probe),
	.start = ifx_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = ifx_assess,
};
