/*
 * etcd.c - etcd.no_auth: etcd serves keys without authentication (2379).
 *
 * What it sends (checks/http/http.c), all reads, no login: GET /version, then
 * POST /v3/kv/range {"key":"AA==","range_end":"AA==","count_only":true}
 * (the v3 gRPC gateway: every key from "\0" on, counted, no value
 * fetched), then GET /v2/keys/ for servers that still serve the v2 API.
 * Proof: the range answer is 2xx JSON with header.cluster_id (proto3 JSON
 * leaves "count" out when it is 0), or the v2 answer is 2xx JSON with
 * action "get" and a node object. With auth enabled etcd answers
 * "user name is empty" or "permission denied" (a gRPC error object):
 * no finding. HTTPS is tried when plain HTTP fails (client-url TLS).
 * Evidence: server version and the number of keys.
 *
 * References: etcd "gRPC gateway" and "Role-based access control" docs;
 * nuclei unauth-etcd-server; CWE-306; ATT&CK T1552.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req etcd_reqs[] = {
	{ .name = "version", .path = "/version" },
	{ .name = "range",
	  .method = "POST",
	  .path = "/v3/kv/range",
	  .body = "{\"key\":\"AA==\",\"range_end\":\"AA==\","
		  "\"count_only\":true}",
	  .flags = HTTP_JSON_BODY },
	{ .name = "v2keys", .path = "/v2/keys/" },
};

static const struct http_module etcd_http = {
	.reqs = etcd_reqs,
	.nreqs = ARRAY_SIZE(etcd_reqs),
};

static int etcd_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &etcd_http);
}

static int etcd_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *range = http_json_ok(facts, "range");
	const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(range, "header");
	const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(range, "count");
	const cJSON *v2 = http_json_ok(facts, "v2keys");
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(v2, "node");
	const char *ver =
		http_str(http_json_ok(facts, "version"), "etcdserver");
	const char *action = http_str(v2, "action");
	char *end = NULL;
	unsigned long long keys = 0;
	int err = 0;

	if (cJSON_IsObject(hdr) && http_str(hdr, "cluster_id") != NULL &&
	    cJSON_GetObjectItemCaseSensitive(range, "error") == NULL) {
		/* int64 counts are strings in proto3 JSON */
		if (cJSON_IsString(cnt))
			keys = strtoull(cnt->valuestring, &end, 10);
		else if (cJSON_IsNumber(cnt) && cnt->valuedouble > 0 &&
			 cnt->valuedouble < 1e18)
			keys = (unsigned long long)cnt->valuedouble;
		err = ctx_report(ctx, "etcd.no_auth", NULL,
				 "etcd %s: the v3 API ranges over all keys "
				 "without authentication (%llu key%s)%s",
				 ver ? ver : "(version unknown)", keys,
				 keys == 1 ? "" : "s", http_transport(facts));
	} else if (action != NULL && strcmp(action, "get") == 0 &&
		   cJSON_IsObject(node)) {
		int n = http_count(
			cJSON_GetObjectItemCaseSensitive(node, "nodes"));

		err = ctx_report(ctx, "etcd.no_auth", NULL,
				 "etcd %s: the v2 API lists the key space "
				 "without authentication (%d top-level "
				 "node%s)%s",
				 ver ? ver : "(version unknown)", n < 0 ? 0 : n,
				 n == 1 ? "" : "s", http_transport(facts));
	}
	return err;
}

static const struct rule etcd_rules[] = {
	{
		.id = "etcd.no_auth",
		.title = "etcd serves keys without authentication",
		.description =
			"Anyone who reaches the client port can read "
			"and write every key: for Kubernetes that is every "
			"Secret and the whole cluster state.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1552; ATT&CK T1565.001",
		.remediation =
			"Enable client certificate authentication "
			"(--client-cert-auth --trusted-ca-file) and/or "
			"etcdctl auth enable with RBAC users, listen on "
			"private addresses only, and firewall 2379/2380.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const etcd_services[] = { "etcd-client", "etcd",
					     HTTP_SERVICES, NULL };
static const uint16_t etcd_ports[] = { 2379 };

const struct check check_etcd = {
	.global_init = http_global_init,
	.name = "etcd",
	.summary = "etcd key space without authentication (2379)",
	.services = etcd_services,
	.ports = etcd_ports,
	.nports = ARRAY_SIZE(etcd_ports),
	.rules = etcd_rules,
	.nrules = ARRAY_SIZE(etcd_rules),
	.state_size = sizeof(struct http_probe),
	.start = etcd_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = etcd_assess,
};
