/*
 * elasticsearch.c - elasticsearch.no_auth: Elasticsearch (or OpenSearch)
 * lists its indices without authentication (9200).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET / (the
 * cluster banner) and GET /_cat/indices?format=json&h=index,docs.count.
 * Proof: / is 2xx JSON with version.number, and the index list is 2xx
 * with a JSON array of objects that have "index"; the 401
 * security_exception of a secured cluster is no finding, nor is a page
 * mentioning "elasticsearch". HTTPS is tried when plain HTTP fails (the
 * 8.x default). Evidence: version, cluster name, number of indices.
 *
 * References: Elasticsearch REST APIs (cat indices), "Security settings";
 * nuclei elasticsearch (misconfiguration); CWE-306; ATT&CK T1530.
 */
#include <stdio.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req es_reqs[] = {
	{ .name = "root", .path = "/" },
	{ .name = "indices",
	  .path = "/_cat/indices?format=json&"
		  "h=index,docs.count" },
};

static const struct http_module es_http = {
	.reqs = es_reqs,
	.nreqs = ARRAY_SIZE(es_reqs),
};

static int es_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &es_http);
}

static int es_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *root = http_json_ok(facts, "root");
	const cJSON *list = http_json_ok(facts, "indices");
	const cJSON *it = NULL;
	const char *v = http_str(
		cJSON_GetObjectItemCaseSensitive(root, "version"), "number");
	const char *cluster = http_str(root, "cluster_name");
	int n = http_count(list), err = 0;
	bool ok = v != NULL && n >= 0;

	cJSON_ArrayForEach(it, list) if (http_str(it, "index") == NULL)
		ok = false; /* not an index list */
	if (ok)
		err = ctx_report(ctx, "elasticsearch.no_auth", NULL,
				 "Elasticsearch %s (cluster \"%s\") lists %d "
				 "ind%s without authentication%s",
				 v, cluster ? cluster : "?", n,
				 n == 1 ? "ex" : "ices", http_transport(facts));
	return err;
}

static const struct rule es_rules[] = {
	{
		.id = "elasticsearch.no_auth",
		.title = "Elasticsearch lists indices without authentication",
		.description = "Anyone who reaches the port can read, change "
			       "and delete every index (the data-wiping ransom "
			       "campaigns of exposed clusters).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1530; ATT&CK T1485",
		.remediation =
			"Enable security (xpack.security.enabled: true, "
			"the 8.x default) with passwords or API keys and TLS, "
			"bind network.host to a private address, and firewall "
			"9200/9300.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const es_services[] = { "elasticsearch", HTTP_SERVICES,
					   NULL };
static const uint16_t es_ports[] = { 9200 };

const struct check check_elasticsearch = {
	.global_init = http_global_init,
	.name = "elasticsearch",
	.summary = "Elasticsearch indices without authentication (9200)",
	.services = es_services,
	.ports = es_ports,
	.nports = ARRAY_SIZE(es_ports),
	.rules = es_rules,
	.nrules = ARRAY_SIZE(es_rules),
	.state_size = sizeof(struct http_probe),
	.start = es_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = es_assess,
};
