/*
 * fuzz_mcp.c - libFuzzer harness for what the MCP, n8n and Node-RED
 * checks read from the network: the Server-Sent Events parser
 * (checks/http/sse.c) fed in pieces of fuzzer-chosen sizes, the JSON-RPC
 * answer finder and the HTTP+SSE endpoint check (checks/http/mcp.c) on
 * every event it dispatches, the tool-name classifier, and the three
 * checks' assess() on facts whose bodies are the input.
 *
 * The first byte picks the mode (and, for SSE, the size of the pieces).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "http/mcp.h"
#include "http/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_mcp, check_n8n, check_nodered;

static int on_event(void *ud, const char *event, const char *d, size_t len)
{
	char out[512];
	cJSON *j;

	(void)ud;
	if (d[len] != '\0')
		__builtin_trap(); /* data must be NUL-terminated at len */
	if (strcmp(event, "endpoint") == 0) {
		if (mcp_endpoint_path(d, len, "http://127.0.0.1:3001", out,
				      sizeof(out)) == 0 &&
		    (out[0] != '/' || out[1] == '/'))
			__builtin_trap(); /* only a path of this server */
	} else {
		j = cJSON_ParseWithLength(d, len);
		(void)mcp_find_answer(j, 1);
		(void)mcp_find_answer(j, 2);
		cJSON_Delete(j);
	}
	return len > 0 && d[0] == 'S'; /* sometimes stop early */
}

static void fuzz_sse(const uint8_t *data, size_t size, size_t piece)
{
	struct sse s;
	size_t off = 0;
	int r = 0;

	sse_init(&s, 4096);
	while (off < size && r == 0) {
		size_t n = size - off < piece ? size - off : piece;

		r = sse_feed(&s, (const char *)data + off, n, on_event, NULL);
		off += n;
	}
	sse_release(&s);
}

static void fuzz_assess(const uint8_t *data, size_t size, unsigned which)
{
	static const struct {
		const struct check *c;
		const char *names[3];
	} all[] = {
		{ &check_mcp, { "init", "tools" } },
		{ &check_n8n, { "settings" } },
		{ &check_nodered, { "settings", "flows" } },
	};
	static struct scan_config cfg;
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	struct check_ctx *ctx;
	cJSON *facts, *r;
	size_t k, w = which % ARRAY_SIZE(all);

	if (!ready) {
		scan_config_defaults(&cfg);
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	facts = cJSON_CreateObject();
	cJSON_AddStringToObject(facts, "transport", "streamable http");
	r = cJSON_AddObjectToObject(facts, "responses");
	for (k = 0; k < 3 && all[w].names[k] != NULL; k++) {
		cJSON *o = cJSON_AddObjectToObject(r, all[w].names[k]);
		cJSON *j = cJSON_ParseWithLength((const char *)data, size);

		cJSON_AddNumberToObject(o, "status", 200);
		cJSON_AddStringToObject(o, "path", "/mcp");
		if (j != NULL)
			cJSON_AddItemToObject(o, "json", j);
	}
	ctx = ctx_new(all[w].c, &cfg, &t, &addr, all[w].c->ports[0], NULL);
	if (ctx != NULL)
		all[w].c->assess(facts, ctx);
	ctx_free(ctx);
	cJSON_Delete(facts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	unsigned mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode < 0x80) {
		fuzz_sse(data, size, (size_t)(mode & 0x3f) + 1);
	} else if (mode < 0xc0) {
		fuzz_assess(data, size, mode);
	} else {
		size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

		memcpy(name, data, n);
		name[n] = '\0';
		(void)mcp_tool_runs_code(name);
	}
	return 0;
}
