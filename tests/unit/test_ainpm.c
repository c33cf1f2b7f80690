/*
 * test_ainpm.c - assess() of the n8n, Node-RED and MCP checks on facts
 * built from answers recorded from the real servers of the lab
 * (tests/fixtures/ainpm: Node-RED 4.1.8, n8n 1.123.81, the MCP everything
 * server 2026.8.31 through tests/lab/lab.d/ainpm.sh), their refusing
 * twins, truncated copies, decoys; and the SSE parser, the JSON-RPC
 * answer finder, the HTTP+SSE endpoint check and the tool classifier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "http/mcp.h"
#include "http/sse.h"

extern const struct check check_n8n, check_nodered, check_mcp;

#define FIX "tests/fixtures/ainpm/"

/* a recorded answer: status, and the body after the empty line */
struct answer {
	int status;
	char *body;
	size_t len;
	char buf[512 * 1024];
};

static void load(struct answer *a, const char *file)
{
	FILE *f = fopen(file, "rb");
	size_t n;
	char *b;

	cr_assert_not_null(f, "fixture %s (run from the top directory)", file);
	n = fread(a->buf, 1, sizeof(a->buf) - 1, f);
	fclose(f);
	a->buf[n] = '\0';
	cr_assert(strncmp(a->buf, "HTTP/1.1 ", 9) == 0, "%s", file);
	a->status = (int)strtol(a->buf + 9, NULL, 10);
	b = strstr(a->buf, "\n\n");
	cr_assert_not_null(b, "%s: no empty line", file);
	a->body = b + 2;
	a->len = n - (size_t)(a->body - a->buf);
}

static cJSON *new_facts(void)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "scheme", "http");
	cJSON_AddBoolToObject(f, "tls_unverified", false);
	cJSON_AddObjectToObject(f, "responses");
	return f;
}

static void add_json(cJSON *facts, const char *name, int status,
		     const char *body, size_t len, const char *path)
{
	cJSON *o = cJSON_AddObjectToObject(
		cJSON_GetObjectItem(facts, "responses"), name);
	cJSON *j = cJSON_ParseWithLength(body, len ? len : strlen(body));

	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "path", path ? path : "/");
	if (j != NULL)
		cJSON_AddItemToObject(o, "json", j);
}

static void add_file(cJSON *facts, const char *name, const char *file)
{
	static struct answer a;

	load(&a, file);
	add_json(facts, name, a.status, a.body, a.len, NULL);
}

/* the SSE events of a body: the JSON-RPC answer with id, as mcp.c takes
 * it */
struct collect {
	int id;
	cJSON *answer;
	char endpoint[512];
	unsigned events;
};

static int collect_cb(void *ud, const char *event, const char *data, size_t len)
{
	struct collect *c = ud;
	cJSON *j, *a;

	c->events++;
	if (strcmp(event, "endpoint") == 0) {
		snprintf(c->endpoint, sizeof(c->endpoint), "%.*s", (int)len,
			 data);
		return 0;
	}
	j = cJSON_ParseWithLength(data, len);
	a = mcp_find_answer(j, c->id);
	if (a != NULL && c->answer == NULL)
		c->answer = cJSON_Duplicate(a, true);
	cJSON_Delete(j);
	return 0;
}

static cJSON *sse_answer(const char *body, size_t len, int id, size_t piece)
{
	struct collect c = { .id = id };
	struct sse s;
	size_t off = 0;

	sse_init(&s, 1024 * 1024);
	while (off < len) {
		size_t n = len - off < piece ? len - off : piece;

		cr_assert_geq(sse_feed(&s, body + off, n, collect_cb, &c), 0);
		off += n;
	}
	sse_release(&s);
	return c.answer;
}

/* adds facts.responses[name] from a recorded SSE answer */
static void add_sse(cJSON *facts, const char *name, const char *file, int id,
		    size_t cut)
{
	static struct answer a;
	cJSON *o, *j;

	load(&a, file);
	j = sse_answer(a.body, cut ? cut : a.len, id, 7);
	o = cJSON_AddObjectToObject(cJSON_GetObjectItem(facts, "responses"),
				    name);
	cJSON_AddNumberToObject(o, "status", a.status);
	cJSON_AddStringToObject(o, "path", "/mcp");
	if (j != NULL)
		cJSON_AddItemToObject(o, "json", j);
}

static void judge(const struct check *c, const cJSON *facts, char *ids,
		  size_t isize, char *ev, size_t esize)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;
	size_t i;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, &cfg, &t, &a, c->ports[0], NULL);
	cr_assert_not_null(ctx);
	cr_assert_geq(c->assess(facts, ctx), 0);
	l = ctx_findings(ctx);
	ids[0] = ev[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(ids + strlen(ids), isize - strlen(ids), "%s%s",
			 i ? "," : "", l->v[i].rule_id);
	if (l->n > 0)
		snprintf(ev, esize, "%s", l->v[0].evidence);
	ctx_free(ctx);
}

#define JUDGE(c, facts) judge(c, facts, ids, sizeof(ids), ev, sizeof(ev))

Test(ainpm_assess, n8n)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts();

	add_file(f, "settings", FIX "n8n/fresh/settings.http");
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "n8n.no_owner");
	cr_expect(strstr(ev, "version not disclosed") &&
			  strstr(ev, "first visitor"),
		  "%s", ev);
	cJSON_Delete(f);
	/* the owner set up */
	f = new_facts();
	add_file(f, "settings", FIX "n8n/owner/settings.http");
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* older 1.x: the whole settings object, with the version */
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"data\":{\"versionCli\":\"1.50.2\",\"userManagement\":"
		 "{\"showSetupOnFirstLoad\":true,\"quota\":-1}}}",
		 0, NULL);
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "n8n.no_owner");
	cr_expect(strstr(ev, "n8n 1.50.2 has no owner"), "%s", ev);
	cJSON_Delete(f);
	/* decoys: the flag alone, a string "true", the start-up page */
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"data\":{\"userManagement\":{\"showSetupOnFirstLoad\":"
		 "true}}}",
		 0, NULL);
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"data\":{\"settingsMode\":\"public\",\"userManagement\":"
		 "{\"showSetupOnFirstLoad\":\"true\"}}}",
		 0, NULL);
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_json(f, "settings", 200, "<html>n8n is starting up</html>", 30,
		 NULL);
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(ainpm_assess, n8n_truncated)
{
	static struct answer a;
	char ids[256], ev[1024];
	cJSON *f = new_facts();

	load(&a, FIX "n8n/fresh/settings.http");
	add_json(f, "settings", 200, a.body, a.len / 2, NULL);
	JUDGE(&check_n8n, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(ainpm_assess, nodered)
{
	char ids[256], ev[1024];
	cJSON *f = new_facts();

	add_file(f, "settings", FIX "nodered/open/settings.http");
	add_file(f, "flows", FIX "nodered/open/flows.http");
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "nodered.no_auth");
	cr_expect(strstr(ev, "Node-RED 4.1.8") &&
			  strstr(ev, "(1 flow, 3 nodes, 1 of them function or "
				     "exec nodes)"),
		  "%s", ev);
	/* the function's code is not evidence */
	cr_expect(strstr(ev, "return msg") == NULL, "%s", ev);
	cJSON_Delete(f);
	/* adminAuth: 401 on /settings, /flows not asked */
	f = new_facts();
	add_file(f, "settings", FIX "nodered/adminauth/settings.http");
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* an anonymous read-only user: flows visible, no deploy */
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"httpNodeRoot\":\"/\",\"version\":\"4.1.8\",\"user\":"
		 "{\"anonymous\":true,\"permissions\":\"read\"}}",
		 0, NULL);
	add_file(f, "flows", FIX "nodered/open/flows.http");
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* the anonymous user with "*", and API v2's flows object */
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"httpNodeRoot\":\"/\",\"version\":\"3.1.0\",\"user\":"
		 "{\"anonymous\":true,\"permissions\":[\"*\"]}}",
		 0, NULL);
	add_json(f, "flows", 200,
		 "{\"rev\":\"abc\",\"flows\":[{\"id\":\"1\",\"type\":\"tab\"},"
		 "{\"id\":\"2\",\"type\":\"exec\",\"z\":\"1\"}]}",
		 0, NULL);
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "nodered.no_auth");
	cr_expect(strstr(ev, "3.1.0") && strstr(ev, "1 of them"), "%s", ev);
	cJSON_Delete(f);
	/* decoy: settings-like words, flows not a node list */
	f = new_facts();
	add_json(f, "settings", 200,
		 "{\"httpNodeRoot\":\"/\",\"version\":\"4.1.8\"}", 0, NULL);
	add_json(f, "flows", 200, "[{\"name\":\"x\"}]", 14, NULL);
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(ainpm_assess, nodered_truncated)
{
	static struct answer a;
	char ids[256], ev[1024];
	cJSON *f = new_facts();

	add_file(f, "settings", FIX "nodered/open/settings.http");
	load(&a, FIX "nodered/open/flows.http");
	add_json(f, "flows", 200, a.body, a.len - 3, NULL);
	JUDGE(&check_nodered, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(ainpm_assess, mcp_streamable)
{
	char ids[256], ev[2048];
	cJSON *f = new_facts();

	cJSON_AddStringToObject(f, "transport", "streamable http");
	add_sse(f, "init", FIX "mcp/streamable/init.http", 1, 0);
	add_sse(f, "tools", FIX "mcp/streamable/tools.http", 2, 0);
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "mcp.no_auth");
	cr_expect(strstr(ev, "mcp-servers/everything 2.0.0") &&
			  strstr(ev, "protocol 2025-06-18") &&
			  strstr(ev, "streamable http at /mcp") &&
			  strstr(ev, "lists 13 tools") &&
			  strstr(ev, "get-env") &&
			  strstr(ev, "(code execution): "
				     "gzip-file-as-resource") &&
			  strstr(ev, "long-running-operation, ...;"),
		  "%s", ev);
	/* the server's instructions and descriptions are not evidence */
	cr_expect(strstr(ev, "Easter") == NULL, "%s", ev);
	cJSON_Delete(f);
}

Test(ainpm_assess, mcp_negative_and_truncated)
{
	static struct answer a;
	char ids[256], ev[2048];
	cJSON *f;

	/* the bearer twin: 401 on initialize */
	f = new_facts();
	add_file(f, "init", FIX "mcp/bearer/init.http");
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* initialize without tools/list */
	f = new_facts();
	add_sse(f, "init", FIX "mcp/streamable/init.http", 1, 0);
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* tools/list cut before its event ended */
	load(&a, FIX "mcp/streamable/tools.http");
	f = new_facts();
	add_sse(f, "init", FIX "mcp/streamable/init.http", 1, 0);
	add_sse(f, "tools", FIX "mcp/streamable/tools.http", 2, a.len - 4);
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* the answers swapped: ids do not match */
	f = new_facts();
	add_sse(f, "init", FIX "mcp/streamable/tools.http", 1, 0);
	add_sse(f, "tools", FIX "mcp/streamable/init.http", 2, 0);
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a JSON-RPC error to tools/list */
	f = new_facts();
	add_sse(f, "init", FIX "mcp/streamable/init.http", 1, 0);
	add_json(f, "tools", 200,
		 "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,"
		 "\"message\":\"Method not found\"}}",
		 0, "/mcp");
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* decoy: a page with the words */
	f = new_facts();
	add_file(f, "init", "tests/fixtures/replay/decoy/words/page.http");
	add_file(f, "tools", "tests/fixtures/replay/decoy/words/page.http");
	JUDGE(&check_mcp, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* the HTTP+SSE stream as the SDK's SSEServerTransport sent it */
Test(ainpm_assess, mcp_legacy_stream)
{
	static struct answer a;
	struct collect c = { .id = 2 };
	struct sse s;
	char path[512];

	load(&a, FIX "mcp/sse/stream.http");
	cr_expect_eq(a.status, 200);
	sse_init(&s, 1024 * 1024);
	cr_assert_eq(sse_feed(&s, a.body, a.len, collect_cb, &c), 0);
	sse_release(&s);
	cr_expect(strncmp(c.endpoint, "/message?sessionId=", 19) == 0, "%s",
		  c.endpoint);
	cr_assert_eq(mcp_endpoint_path(c.endpoint, strlen(c.endpoint),
				       "http://127.0.70.6:3001", path,
				       sizeof(path)),
		     0);
	cr_expect_str_eq(path, c.endpoint);
	cr_assert_not_null(c.answer);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(
			     cJSON_GetObjectItem(c.answer, "result"), "tools")),
		     13);
	cJSON_Delete(c.answer);
}

Test(ainpm_sse, line_endings_and_fields)
{
	static const char in[] = "\xEF\xBB\xBF: comment\r\n"
				 "event: endpoint\r"
				 "data: /a\r\n"
				 "\r\n"
				 "id: 7\n"
				 "retry: 10\n"
				 "data:{\"id\":1,\n"
				 "data: \"result\":{}}\n"
				 "\n"
				 "event: ignored-empty\n"
				 "\n";
	size_t piece;

	/* every split of the input gives the same events */
	for (piece = 1; piece <= sizeof(in); piece++) {
		struct collect c = { .id = 1 };
		struct sse s;
		size_t off = 0;

		sse_init(&s, 4096);
		while (off < sizeof(in) - 1) {
			size_t n = sizeof(in) - 1 - off < piece
					   ? sizeof(in) - 1 - off
					   : piece;

			cr_assert_eq(sse_feed(&s, in + off, n, collect_cb, &c),
				     0);
			off += n;
		}
		cr_expect_str_eq(c.endpoint, "/a", "piece %zu", piece);
		cr_expect_not_null(c.answer, "piece %zu", piece);
		cr_expect_eq(c.events, 2, "piece %zu", piece);
		cJSON_Delete(c.answer);
		sse_release(&s);
	}
}

static int count_cb(void *ud, const char *event, const char *data, size_t len)
{
	(void)event;
	(void)data;
	(void)len;
	return ++*(unsigned *)ud >= 2; /* stop at the second */
}

Test(ainpm_sse, bounds_and_stop)
{
	struct sse s;
	char big[300];
	unsigned n = 0;

	/* a line over the cap fails the feed */
	memset(big, 'a', sizeof(big));
	sse_init(&s, 256);
	cr_expect_eq(sse_feed(&s, "data: ", 6, count_cb, &n), 0);
	cr_expect_eq(sse_feed(&s, big, sizeof(big), count_cb, &n),
		     EXPO_ETOOBIG);
	sse_release(&s);
	/* so does an event's data over it, spread over short lines */
	sse_init(&s, 256);
	{
		int r = 0, i;

		for (i = 0; i < 100 && r == 0; i++)
			r = sse_feed(&s, "data: 0123456789\n", 17, count_cb,
				     &n);
		cr_expect_eq(r, EXPO_ETOOBIG);
	}
	sse_release(&s);
	/* the callback stops the feed */
	n = 0;
	sse_init(&s, 256);
	cr_expect_eq(sse_feed(&s, "data: a\n\ndata: b\n\ndata: c\n\n", 27,
			      count_cb, &n),
		     1);
	cr_expect_eq(n, 2);
	sse_release(&s);
}

Test(ainpm_mcp, find_answer)
{
	cJSON *j =
		cJSON_Parse("[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
			    "message\"},{\"id\":\"2\",\"result\":{}},{\"id\":"
			    "2,\"result\":{\"ok\":true}}]");

	cr_assert_not_null(j);
	cr_expect_null(mcp_find_answer(j, 1));
	cr_assert_not_null(mcp_find_answer(j, 2));
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(mcp_find_answer(j, 2), "result"), "ok")));
	cJSON_Delete(j);
	/* a request from the server with our id is no answer */
	j = cJSON_Parse("{\"id\":1,\"method\":\"sampling/createMessage\"}");
	cr_expect_null(mcp_find_answer(j, 1));
	cJSON_Delete(j);
	cr_expect_null(mcp_find_answer(NULL, 1));
}

Test(ainpm_mcp, endpoint_path)
{
	static const char base[] = "http://127.0.0.1:3001";
	static const char *const bad[] = {
		"http://127.0.0.2:3001/message",
		"http://127.0.0.1:30011/message",
		"//evil.example/message",
		"http://127.0.0.1:3001//evil/x",
		"message?x=1",
		"/message?x=1 2",
		"/message\r\nX-Injected: 1",
		"",
	};
	char out[64];
	size_t i;

	cr_expect_eq(mcp_endpoint_path("/message?sessionId=ab", 21, base, out,
				       sizeof(out)),
		     0);
	cr_expect_str_eq(out, "/message?sessionId=ab");
	cr_expect_eq(mcp_endpoint_path("HTTP://127.0.0.1:3001/m?s=1", 27, base,
				       out, sizeof(out)),
		     0);
	cr_expect_str_eq(out, "/m?s=1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_neq(mcp_endpoint_path(bad[i], strlen(bad[i]), base,
						out, sizeof(out)),
			      0, "%s", bad[i]);
	{
		static const char longp[] = "/0123456789012345678901234567890"
					    "12345678901234567890123456789012"
					    "3456789";

		cr_expect_eq(mcp_endpoint_path(longp, strlen(longp), base, out,
					       sizeof(out)),
			     EXPO_ETOOBIG);
	}
}

Test(ainpm_mcp, tool_classifier)
{
	static const char *const code[] = {
		"execute_command", "run_shell",	     "bash",	  "readFile",
		"write_file",	   "list-directory", "shellExec", "python",
		"sql_query",	   "kubectl",	     "edit_file", "move_file",
	};
	static const char *const other[] = {
		"echo",	   "get-sum",	"trigger-long-running-operation",
		"get_env", "search",	"fetch",
		"profile", "shellfish", "get-tiny-image",
	};
	size_t i;

	for (i = 0; i < sizeof(code) / sizeof(code[0]); i++)
		cr_expect(mcp_tool_runs_code(code[i]), "%s", code[i]);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_expect(!mcp_tool_runs_code(other[i]), "%s", other[i]);
}

Test(ainpm_assess, rules)
{
	const struct check *all[] = { &check_n8n, &check_nodered, &check_mcp };
	size_t i, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		/* nodered also reads compromise signs (issue 14) */
		cr_expect(all[i]->nrules ==
				  (all[i] == &check_nodered ? 2u : 1u) &&
			  all[i]->nports >= 1);
		cr_expect(strlen(all[i]->name) < 16);
		for (k = 0; k < all[i]->nrules; k++) {
			const struct rule *r = &all[i]->rules[k];

			cr_expect(strncmp(r->cvss_vector, "CVSS:3.1/", 9) == 0,
				  "%s", r->id);
			cr_expect(strncmp(r->id, all[i]->name,
					  strlen(all[i]->name)) == 0,
				  "%s", r->id);
			cr_expect(!(r->flags & CHECK_INTRUSIVE), "%s", r->id);
		}
	}
	cr_expect_eq(check_mcp.nports, 3);
}
