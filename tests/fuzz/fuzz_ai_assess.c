/*
 * fuzz_ai_assess.c - libFuzzer harness for the judging of the AI and
 * automation control-plane checks (ollama, openai_api, open_webui,
 * comfyui, langflow, jenkins, nomad, ray): the first byte picks a check and
 * the status class, the second how the body is recorded; the rest is the
 * body every request of the check "answered", recorded as checks/http/
 * http.c does (parsed JSON, or a short text body), with the recorded
 * headers (X-Jenkins, X-Nomad-Index) set to a slice of the same bytes.
 * assess() runs on those facts, then the findings are ranked. Catches
 * crashes on hostile JSON shapes (wrong types, huge numbers, deep
 * nesting, odd strings) and on long names copied into evidence.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "rank/rank.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_ollama, check_openai_api, check_open_webui,
	check_comfyui, check_langflow, check_jenkins, check_nomad, check_ray;

static const struct {
	const struct check *c;
	const char *names[4];
} all[] = {
	{ &check_ollama, { "version", "tags", "ps" } },
	{ &check_openai_api, { "models", "tags" } },
	{ &check_open_webui, { "config" } },
	{ &check_comfyui, { "stats", "manager" } },
	{ &check_langflow, { "version", "auto_login", "flows" } },
	{ &check_jenkins, { "api", "script" } },
	{ &check_nomad, { "jobs", "self", "job0", "job1" } },
	{ &check_ray, { "authmode", "version", "jobs", "nodes" } },
};

static const int statuses[] = { 200, 204, 401, 403 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_config cfg;
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	struct check_ctx *ctx = NULL;
	cJSON *facts = NULL, *r;
	char *text = NULL, hdr[97];
	size_t k, which, blen, hlen;

	if (size < 2)
		return 0;
	if (!ready) {
		scan_config_defaults(&cfg);
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	which = data[0] % (sizeof(all) / sizeof(all[0]));
	blen = size - 2;
	text = malloc(blen + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 2, blen);
	text[blen] = '\0';
	hlen = blen < sizeof(hdr) - 1 ? blen : sizeof(hdr) - 1;
	memcpy(hdr, text, hlen);
	hdr[hlen] = '\0';
	facts = cJSON_CreateObject();
	cJSON_AddBoolToObject(facts, "tls_unverified", data[1] & 0x80);
	r = cJSON_AddObjectToObject(facts, "responses");
	for (k = 0; k < 4 && all[which].names[k] != NULL; k++) {
		cJSON *o = cJSON_AddObjectToObject(r, all[which].names[k]);
		cJSON *h = cJSON_AddObjectToObject(o, "headers");
		cJSON *j =
			cJSON_ParseWithLength((const char *)data + 2, size - 2);
		/* a member named like the response stands for it alone, so
		 * that one input can answer a list and an item differently
		 * ({"jobs": [...], "job0": {...}}) */
		cJSON *sub = cJSON_DetachItemFromObjectCaseSensitive(
			j, all[which].names[k]);

		if (sub != NULL) {
			cJSON_Delete(j);
			j = sub;
		}

		cJSON_AddNumberToObject(
			o, "status",
			statuses[((data[0] >> 4) + k) % 4 * !(data[1] & 1)]);
		if (j != NULL)
			cJSON_AddItemToObject(o, "json", j);
		else if (blen <= 256 && strlen(text) == blen)
			cJSON_AddStringToObject(o, "text", text);
		if (data[1] & 2)
			cJSON_AddStringToObject(h, "x-jenkins", hdr);
		if (data[1] & 4)
			cJSON_AddStringToObject(h, "x-nomad-index", hdr);
	}
	ctx = ctx_new(all[which].c, &cfg, &t, &addr, all[which].c->ports[0],
		      NULL);
	if (ctx != NULL) {
		all[which].c->assess(facts, ctx);
		rank_findings(ctx_findings(ctx));
	}
	ctx_free(ctx);
	cJSON_Delete(facts);
	free(text);
	return 0;
}
