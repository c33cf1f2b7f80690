/*
 * docker.c - docker.api_no_auth: the Docker Engine API answers without
 * authentication (2375 plain, 2376 TLS).
 *
 * What it sends (checks/http/http.c runs the table): GET /version, then, if
 * that answered 2xx, GET /v<ApiVersion>/containers/json?all=1 (the
 * versioned path, as unversioned ones are deprecated). Both are reads;
 * it never logs in and never creates anything. Proof: /version is a JSON
 * object with ApiVersion and Version, and the container list is a JSON
 * array; a 401/403 (an authorization plugin, a TLS client certificate
 * requirement) or any other shape is no finding. Evidence: engine
 * version, API version, OS/arch and the number of containers.
 *
 * References: Docker Engine API reference (/version, /containers/json);
 * nuclei docker-daemon-exposed; CWE-306; ATT&CK T1610, T1496.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

/* /v1.43/containers/json?all=1 from /version's ApiVersion */
static bool docker_containers_path(const cJSON *facts, char *buf, size_t size)
{
	const char *v = http_str(http_json_ok(facts, "version"), "ApiVersion");
	bool ok = v != NULL && v[0] != '\0' && strlen(v) <= 16;
	size_t i;
	int n;

	for (i = 0; ok && v[i] != '\0'; i++) /* digits and dots only */
		ok = (v[i] >= '0' && v[i] <= '9') || v[i] == '.';
	if (ok) {
		n = snprintf(buf, size, "/v%s/containers/json?all=1", v);
		ok = n > 0 && (size_t)n < size;
	}
	return ok;
}

static const struct http_req docker_reqs[] = {
	{ .name = "version", .path = "/version" },
	{ .name = "containers",
	  .flags = HTTP_IF_OK,
	  .path_fn = docker_containers_path },
};

static const uint16_t docker_tls_ports[] = { 2376 };

static const struct http_module docker_http = {
	.reqs = docker_reqs,
	.nreqs = ARRAY_SIZE(docker_reqs),
	.tls_ports = docker_tls_ports,
	.ntls_ports = ARRAY_SIZE(docker_tls_ports),
};

static int docker_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &docker_http);
}

static int docker_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *ver = http_json_ok(facts, "version");
	const cJSON *list = http_json_ok(facts, "containers");
	const cJSON *c = NULL;
	const char *api = http_str(ver, "ApiVersion");
	const char *v = http_str(ver, "Version");
	const char *os = http_str(ver, "Os"), *arch = http_str(ver, "Arch");
	int n = http_count(list), running = 0, err = 0;

	if (!cJSON_IsObject(ver) || api == NULL || v == NULL || n < 0)
		goto out;
	cJSON_ArrayForEach(c, list)
	{
		const char *st = http_str(c, "State");

		if (!cJSON_IsObject(c) || http_str(c, "Id") == NULL)
			goto out; /* not a container list */
		if (st != NULL && strcmp(st, "running") == 0)
			running++;
	}
	err = ctx_report(ctx, "docker.api_no_auth", NULL,
			 "Docker Engine %s (API %s, %s/%s) answers /version "
			 "and lists %d container%s (%d running) without "
			 "authentication%s",
			 v, api, os ? os : "?", arch ? arch : "?", n,
			 n == 1 ? "" : "s", running, http_transport(facts));
out:
	return err;
}

static const struct rule docker_rules[] = {
	{
		.id = "docker.api_no_auth",
		.title = "Docker Engine API answers without authentication",
		.description =
			"Anyone who reaches the port controls the Docker "
			"daemon: they can start a privileged container that "
			"mounts the host's root file system, which is root on "
			"the host (the usual cryptojacking entry point).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1610; ATT&CK T1496; "
			      "ATT&CK T1190",
		.remediation =
			"Do not expose the daemon on TCP (remove -H "
			"tcp://... / \"hosts\" from daemon.json) and use the "
			"local socket or SSH (DOCKER_HOST=ssh://); if TCP is "
			"needed, use 2376 with --tlsverify and client "
			"certificates, and firewall the port.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const docker_services[] = { "docker", HTTP_SERVICES, NULL };
static const uint16_t docker_ports[] = { 2375, 2376 };

const struct check check_docker = {
	.global_init = http_global_init,
	.name = "docker",
	.summary = "Docker Engine API without authentication (2375/2376)",
	.services = docker_services,
	.ports = docker_ports,
	.nports = ARRAY_SIZE(docker_ports),
	.rules = docker_rules,
	.nrules = ARRAY_SIZE(docker_rules),
	.state_size = sizeof(struct http_probe),
	.start = docker_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = docker_assess,
};
