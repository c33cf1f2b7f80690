/*
 * fuzz_classic.c - libFuzzer harness for the classic console checks'
 * judging (grafana, couchdb, portainer, influxdb, minio) and the SigV4
 * signer. Byte 0 picks the check, byte 1 the status every request
 * answered (200, 204, 401, 403, 404); the rest is the body, given as
 * JSON when it parses and as text (up to HTTP_TEXT_BIG) otherwise, and
 * its first line is also every recorded header (Server, the InfluxDB
 * version) and the login's user and password, as checks/http/http.c
 * records them. Then the body is signed with its halves as keys and host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "http/http.h"
#include "http/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_grafana, check_couchdb, check_portainer,
	check_influxdb, check_minio;

static const struct {
	const struct check *c;
	const char *names[4];
} all[] = {
	{ &check_grafana, { "health", "login" } },
	{ &check_couchdb, { "root", "all_dbs", "session" } },
	{ &check_portainer, { "status", "admin_check" } },
	{ &check_influxdb, { "ping", "setup", "query" } },
	{ &check_minio, { "live", "buckets" } },
};

static const int statuses[] = { 200, 204, 401, 403, 404 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_config cfg;
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	struct check_ctx *ctx = NULL;
	cJSON *facts = NULL, *r;
	char *body, *line, *nl, out[512];
	size_t k, which, n;

	if (size < 2)
		return 0;
	if (!ready) {
		scan_config_defaults(&cfg);
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	n = size - 2;
	body = malloc(n + 1);
	if (body == NULL)
		return 0;
	memcpy(body, data + 2, n);
	body[n] = '\0';
	line = strdup(body);
	if (line == NULL) {
		free(body);
		return 0;
	}
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	which = data[0] % (sizeof(all) / sizeof(all[0]));
	facts = cJSON_CreateObject();
	cJSON_AddBoolToObject(facts, "tls_unverified", data[0] & 0x80);
	r = cJSON_AddObjectToObject(facts, "responses");
	for (k = 0; k < 4 && all[which].names[k] != NULL; k++) {
		cJSON *o = cJSON_AddObjectToObject(r, all[which].names[k]);
		cJSON *h = cJSON_AddObjectToObject(o, "headers");
		cJSON *j = cJSON_ParseWithLength(body, n);

		cJSON_AddNumberToObject(
			o, "status",
			statuses[data[1] %
				 (sizeof(statuses) / sizeof(statuses[0]))]);
		if (j != NULL)
			cJSON_AddItemToObject(o, "json", j);
		else if (strlen(body) == n && n <= HTTP_TEXT_BIG)
			cJSON_AddStringToObject(o, "text", body);
		cJSON_AddStringToObject(h, "server", line);
		cJSON_AddStringToObject(h, "x-influxdb-version", line);
		cJSON_AddStringToObject(h, "x-influxdb-build", line);
		cJSON_AddStringToObject(o, "user", line);
		cJSON_AddStringToObject(o, "password", line);
	}
	ctx = ctx_new(all[which].c, &cfg, &t, &addr, all[which].c->ports[0],
		      NULL);
	if (ctx != NULL)
		all[which].c->assess(facts, ctx);
	ctx_free(ctx);
	cJSON_Delete(facts);
	/* the signer on hostile names: never past its buffers */
	sigv4_authorization(line, body, line, "GET", line, body,
			    strlen(line) == 16 ? line : "20261206T082500Z", out,
			    (size_t)data[1] % sizeof(out));
	free(line);
	free(body);
	return 0;
}
