/*
 * couchdb.c - couchdb.no_auth: CouchDB lists its databases without
 * credentials (5984), and says whether anyone is server admin ("admin
 * party", the default of CouchDB before 3.0).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET / (the
 * welcome object {"couchdb":"Welcome","version":...}; the Server header
 * "CouchDB/x (Erlang OTP/y)" is recorded), and only if that is CouchDB's:
 * GET /_all_dbs and GET /_session. Proof: /_all_dbs answers 2xx with a
 * JSON array (its count is the evidence, never the names). /_session's
 * userCtx.roles holding "_admin" for a request without credentials is
 * the admin party: the anonymous user is server admin. A secured CouchDB
 * 3 answers /_all_dbs with 401 {"error":"unauthorized"}. A page that
 * merely says "CouchDB" is no finding.
 *
 * References: CouchDB docs "API Reference: /", "/_all_dbs", "/_session",
 * "Security: the admin party" and the 3.0 release notes (admin required,
 * [chttpd] admin_only_all_dbs); nuclei couchdb-adminparty; CWE-306;
 * ATT&CK T1190, T1530.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

/* GET / is CouchDB's welcome object; its version in *ver */
static bool cdb_welcome(const cJSON *facts, const char **ver)
{
	const cJSON *w = http_json_ok(facts, "root");
	const char *c = http_str(w, "couchdb");

	*ver = http_str(w, "version");
	return c != NULL && strcmp(c, "Welcome") == 0 && *ver != NULL;
}

static bool cdb_after_welcome(const cJSON *facts, const char *path, char *buf,
			      size_t size)
{
	const char *v;

	if (!cdb_welcome(facts, &v))
		return false;
	snprintf(buf, size, "%s", path);
	return true;
}

static bool cdb_dbs_path(const cJSON *facts, char *buf, size_t size)
{
	return cdb_after_welcome(facts, "/_all_dbs", buf, size);
}

static bool cdb_session_path(const cJSON *facts, char *buf, size_t size)
{
	return cdb_after_welcome(facts, "/_session", buf, size);
}

static const struct http_req cdb_reqs[] = {
	{ .name = "root", .path = "/" },
	{ .name = "all_dbs", .path_fn = cdb_dbs_path },
	{ .name = "session", .path_fn = cdb_session_path },
};

static const char *const cdb_headers[] = { "server", NULL };

static const struct http_module cdb_http = {
	.reqs = cdb_reqs,
	.nreqs = ARRAY_SIZE(cdb_reqs),
	.headers = cdb_headers,
};

static int cdb_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &cdb_http);
}

/* the anonymous request's roles include _admin */
static bool cdb_admin_party(const cJSON *facts)
{
	const cJSON *s = http_json_ok(facts, "session");
	const cJSON *uc = cJSON_GetObjectItemCaseSensitive(s, "userCtx");
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(uc, "roles");
	const cJSON *r;

	if (uc == NULL ||
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(uc, "name")))
		return false;
	cJSON_ArrayForEach(r, roles)
	{
		if (cJSON_IsString(r) && strcmp(r->valuestring, "_admin") == 0)
			return true;
	}
	return false;
}

static int cdb_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *v, *srv = http_header(facts, "root", "server");
	int n = http_count(http_json_ok(facts, "all_dbs"));
	bool party;

	if (!cdb_welcome(facts, &v) || n < 0)
		return 0;
	party = cdb_admin_party(facts);
	return ctx_report(ctx, "couchdb.no_auth", NULL,
			  "CouchDB %s lists %d database%s without credentials "
			  "(/_all_dbs)%s%s%s%s",
			  v, n, n == 1 ? "" : "s",
			  party ? "; admin party: /_session gives the "
				  "anonymous user the _admin role"
				: "",
			  srv ? " (Server: " : "", srv ? srv : "",
			  srv ? ")" : "");
}

static const struct rule cdb_rules[] = {
	{
		.id = "couchdb.no_auth",
		.title = "CouchDB serves databases without authentication",
		.description =
			"Anyone who reaches the port lists the databases; "
			"in the admin party (no admin defined, CouchDB "
			"before 3.0) the anonymous user is server admin: "
			"reads and writes every document and the "
			"configuration.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1530",
		.remediation = "Create a server admin ([admins] in local.ini; "
			       "CouchDB 3 refuses to start without one), set "
			       "[chttpd] require_valid_user = true and "
			       "admin_only_all_dbs = true, and firewall "
			       "port 5984.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const cdb_services[] = { "couchdb", HTTP_SERVICES, NULL };
static const uint16_t cdb_ports[] = { 5984 };

const struct check check_couchdb = {
	.global_init = http_global_init,
	.name = "couchdb",
	.summary = "CouchDB: databases listed without credentials, admin "
		   "party (5984)",
	.services = cdb_services,
	.ports = cdb_ports,
	.nports = ARRAY_SIZE(cdb_ports),
	.rules = cdb_rules,
	.nrules = ARRAY_SIZE(cdb_rules),
	.state_size = sizeof(struct http_probe),
	.start = cdb_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = cdb_assess,
};
