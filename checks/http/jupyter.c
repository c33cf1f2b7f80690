/*
 * jupyter.c - jupyter.no_auth: the Jupyter server API answers without a
 * token or password (8888).
 *
 * What it sends (checks/http/http.c), reads only, no token: GET /api (the
 * version; anonymous by design, no proof), GET /api/kernels and GET
 * /api/sessions. Proof: either list answers 2xx with a JSON array; with
 * a token or password configured Jupyter answers 403 {"message":
 * "Forbidden"} (or redirects to /login, which is not followed): no
 * finding. Nothing is started: a kernel is not needed to prove that one
 * could be (POST /api/kernels would run code). Evidence: version and the
 * numbers of kernels and sessions.
 *
 * jupyter.compromise_indicator (issue 14): once a list answered, GET
 * /api/terminals (a read: the running terminals); the names of the
 * running kernels (their kernel spec) and terminals go through the
 * indicator matcher as names (a terminal made as /terminals/new/xmrig).
 * Session paths (notebook file names) never do. At most
 * JUPYTER_SIGN_ITEMS of each list; bytes read per target stay at most 4
 * bodies of HTTP_BODY_MAX.
 *
 * References: Jupyter Server REST API; Jupyter "Security in the Jupyter
 * notebook server"; Qubitstrike (Cado); CWE-306; ATT&CK T1059.006.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define JUPYTER_SIGN_ITEMS 256

/* the running terminals, only once a list answered without a token */
static bool jupyter_terminals_path(const cJSON *facts, char *buf, size_t size)
{
	if ((!cJSON_IsArray(http_json_ok(facts, "kernels")) &&
	     !cJSON_IsArray(http_json_ok(facts, "sessions"))) ||
	    size < sizeof("/api/terminals"))
		return false;
	memcpy(buf, "/api/terminals", sizeof("/api/terminals"));
	return true;
}

static const struct http_req jupyter_reqs[] = {
	{ .name = "api", .path = "/api" },
	{ .name = "kernels", .path = "/api/kernels" },
	{ .name = "sessions", .path = "/api/sessions" },
	{ .name = "terminals", .path_fn = jupyter_terminals_path },
};

static const struct http_module jupyter_http = {
	.reqs = jupyter_reqs,
	.nreqs = ARRAY_SIZE(jupyter_reqs),
};

static int jupyter_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &jupyter_http);
}

/* a JSON array whose items are objects with a string "id" */
static int id_list(const cJSON *arr)
{
	const cJSON *it = NULL;
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;

	cJSON_ArrayForEach(it, arr) if (http_str(it, "id") == NULL) n = -1;
	return n;
}

/* the names of one list's items (kernels or terminals) */
static void name_signs(struct sign_set *s, const cJSON *list, const char *what)
{
	const cJSON *it = NULL;
	const char *id, *name;
	char where[160];
	int k = 0;

	cJSON_ArrayForEach(it, list)
	{
		if (++k > JUPYTER_SIGN_ITEMS)
			break;
		id = http_str(it, "id");
		name = http_str(it, "name");
		if (id != NULL)
			snprintf(where, sizeof(where), "%s %.40s name", what,
				 id);
		else
			snprintf(where, sizeof(where), "%s name", what);
		sign_check(s, IND_F_NAME, name, where);
	}
}

/* jupyter.compromise_indicator over the kernels and terminals read */
static int jupyter_signs(const cJSON *facts, struct check_ctx *ctx)
{
	struct sign_set s = { 0 };

	name_signs(&s, http_json_ok(facts, "kernels"), "running kernel");
	name_signs(&s, http_json_ok(facts, "terminals"), "running terminal");
	return sign_report(ctx, "jupyter.compromise_indicator", &s);
}

static int jupyter_assess(const cJSON *facts, struct check_ctx *ctx)
{
	int k = id_list(http_json_ok(facts, "kernels"));
	int s = id_list(http_json_ok(facts, "sessions"));
	const char *v = http_str(http_json_ok(facts, "api"), "version");
	int err = 0;

	if (k >= 0 || s >= 0)
		err = ctx_report(
			ctx, "jupyter.no_auth", NULL,
			"Jupyter server %s answers %s%s%s without a token "
			"or password (%d kernel%s, %d session%s running)%s",
			v ? v : "(version unknown)",
			k >= 0 ? "/api/kernels" : "",
			k >= 0 && s >= 0 ? " and " : "",
			s >= 0 ? "/api/sessions" : "", k < 0 ? 0 : k,
			k == 1 ? "" : "s", s < 0 ? 0 : s, s == 1 ? "" : "s",
			http_transport(facts));
	if (err == 0 && (k >= 0 || s >= 0))
		err = jupyter_signs(facts, ctx);
	return err;
}

static const struct rule jupyter_rules[] = {
	{
		.id = "jupyter.no_auth",
		.title = "Jupyter server API answers without a token or "
			 "password",
		.description =
			"Anyone who reaches the port can start a kernel "
			"or a terminal and run code as the notebook's user.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1059.006; ATT&CK T1496; "
			      "ATT&CK T1190",
		.remediation =
			"Never set an empty token and password "
			"(c.ServerApp.token / c.NotebookApp.token = '' with no "
			"password); keep the default token or set a hashed "
			"password, bind to 127.0.0.1 and reach it through an "
			"SSH tunnel or an authenticating proxy.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("jupyter.compromise_indicator",
		  "the running kernels and terminals (their names)"),
};

static const char *const jupyter_services[] = { "jupyter", HTTP_SERVICES,
						NULL };
static const uint16_t jupyter_ports[] = { 8888 };

const struct check check_jupyter = {
	.global_init = http_global_init,
	.name = "jupyter",
	.summary = "Jupyter server API without token or password (8888)",
	.services = jupyter_services,
	.ports = jupyter_ports,
	.nports = ARRAY_SIZE(jupyter_ports),
	.rules = jupyter_rules,
	.nrules = ARRAY_SIZE(jupyter_rules),
	.state_size = sizeof(struct http_probe),
	.start = jupyter_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = jupyter_assess,
};
