/*
 * fuzz_httpapi_assess.c - libFuzzer harness for the HTTP API checks'
 * judging: the first byte picks a check, the rest is the body every one
 * of its requests "answered" (status 200, parsed as checks/http/http.c does),
 * and assess() runs on those facts. Catches crashes on hostile JSON
 * shapes (wrong types, huge numbers, deep nesting, odd strings).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_docker, check_kubelet, check_kubernetes,
	check_etcd, check_jupyter, check_elasticsearch, check_consul,
	check_yarn, check_ray, check_selenium;

static const struct {
	const struct check *c;
	const char *names[4];
} all[] = {
	{ &check_docker, { "version", "containers", "images" } },
	{ &check_kubelet, { "pods" } },
	{ &check_kubernetes, { "version", "pods", "secrets", "daemonsets" } },
	{ &check_etcd, { "version", "range", "v2keys" } },
	{ &check_jupyter, { "api", "kernels", "sessions", "terminals" } },
	{ &check_elasticsearch, { "root", "indices" } },
	{ &check_consul, { "self", "services", "checks" } },
	{ &check_yarn, { "info", "apps", "newapp" } },
	{ &check_ray, { "version", "jobs" } },
	{ &check_selenium, { "status", "status3", "session", "delete" } },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_config cfg;
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	struct check_ctx *ctx = NULL;
	cJSON *facts = NULL, *r;
	size_t k, which;

	if (size < 1)
		return 0;
	if (!ready) {
		scan_config_defaults(&cfg);
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	which = data[0] % (sizeof(all) / sizeof(all[0]));
	facts = cJSON_CreateObject();
	cJSON_AddBoolToObject(facts, "tls_unverified", data[0] & 0x80);
	r = cJSON_AddObjectToObject(facts, "responses");
	for (k = 0; k < 4 && all[which].names[k] != NULL; k++) {
		cJSON *o = cJSON_AddObjectToObject(r, all[which].names[k]);
		cJSON *j =
			cJSON_ParseWithLength((const char *)data + 1, size - 1);
		/* a member named like the response stands for it alone, so
		 * that one input can answer a list and an item differently
		 * ({"jobs": [...], "job0": {...}}) */
		cJSON *sub = cJSON_DetachItemFromObjectCaseSensitive(
			j, all[which].names[k]);

		if (sub != NULL) {
			cJSON_Delete(j);
			j = sub;
		}

		cJSON_AddNumberToObject(o, "status", 200);
		if (j != NULL)
			cJSON_AddItemToObject(o, "json", j);
	}
	ctx = ctx_new(all[which].c, &cfg, &t, &addr, all[which].c->ports[0],
		      NULL);
	if (ctx != NULL)
		all[which].c->assess(facts, ctx);
	ctx_free(ctx);
	cJSON_Delete(facts);
	return 0;
}
