/*
 * docker_registry.c - docker_registry.no_auth: a Docker Registry (the
 * CNCF distribution, registry:2, Debian's docker-registry) lists its
 * repositories without credentials (5000).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET /v2/
 * (the API version check every registry answers: 200 when anonymous
 * access is allowed, 401 with WWW-Authenticate when not), and only if
 * that answered 2xx: GET /v2/_catalog?n=100. Proof: the catalog answers
 * 2xx with {"repositories":[...]} and the registry's own header
 * Docker-Distribution-Api-Version: registry/2.0. An open registry also
 * takes pushes (images replaced by anyone's); nothing is pushed.
 * Evidence: the number of repositories (at most the page asked), never
 * their names.
 *
 * The check is named docker_registry, not registry: checks.def's
 * X-macro makes a check_NAME symbol, and check_registry is the array of
 * all checks.
 *
 * References: distribution "HTTP API V2" (GET /v2/, GET /v2/_catalog,
 * pagination with n), "Token / htpasswd authentication"; nmap
 * http-title/-sV "Docker Registry (API: 2.0)"; nuclei
 * docker-registry-browser-detect/exposed-docker-registry; CWE-306;
 * ATT&CK T1190, T1525, T1530.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

#define DR_PAGE 100 /* the catalog page asked: ?n=100 below */

static const struct http_req dr_reqs[] = {
	{ .name = "base", .path = "/v2/" },
	{ .name = "catalog",
	  .path = "/v2/_catalog?n=100",
	  .flags = HTTP_IF_OK },
};

static const char *const dr_headers[] = { "docker-distribution-api-version",
					  NULL };

static const struct http_module dr_http = {
	.reqs = dr_reqs,
	.nreqs = ARRAY_SIZE(dr_reqs),
	.headers = dr_headers,
};

static int dr_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &dr_http);
}

/* the registry names its API version on every answer */
static bool dr_is_registry(const cJSON *facts, const char *name)
{
	const char *h =
		http_header(facts, name, "docker-distribution-api-version");

	return h != NULL && strncmp(h, "registry/2.", 11) == 0;
}

static int dr_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *repos = cJSON_GetObjectItemCaseSensitive(
		http_json_ok(facts, "catalog"), "repositories");
	int n = http_count(repos);

	if (n < 0 || !dr_is_registry(facts, "catalog"))
		return 0;
	return ctx_report(ctx, "docker_registry.no_auth", NULL,
			  "Docker Registry (%s) lists its repositories "
			  "without credentials: GET /v2/_catalog answered "
			  "%s%d repositor%s%s",
			  http_header(facts, "catalog",
				      "docker-distribution-api-version"),
			  n >= DR_PAGE ? "at least " : "", n,
			  n == 1 ? "y" : "ies", http_transport(facts));
}

static const struct rule dr_rules[] = {
	{
		.id = "docker_registry.no_auth",
		.title = "a Docker Registry lists repositories without "
			 "authentication",
		.description =
			"Anyone who reaches the port pulls every image (and "
			"the secrets baked into them) and, since the same "
			"registry takes anonymous pushes, replaces images "
			"that hosts and clusters then run.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1525; "
			      "ATT&CK T1530",
		.remediation = "Configure auth (htpasswd or token) in the "
			       "registry's config.yml, serve it over TLS, "
			       "and firewall port 5000.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const dr_services[] = { HTTP_SERVICES, "docker-registry",
					   NULL };
static const uint16_t dr_ports[] = { 5000 };

const struct check check_docker_registry = {
	.global_init = http_global_init,
	.name = "docker_registry",
	.summary = "Docker Registry: repositories listed without credentials "
		   "(5000)",
	.services = dr_services,
	.ports = dr_ports,
	.nports = ARRAY_SIZE(dr_ports),
	.rules = dr_rules,
	.nrules = ARRAY_SIZE(dr_rules),
	.state_size = sizeof(struct http_probe),
	.start = dr_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = dr_assess,
};
