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
 * docker.compromise_indicator (issue 14): then GET /v<ApiVersion>/images/json
 * (a read); each container's image, command (entrypoint and arguments,
 * as the list gives them), names and label values, and each image's tags
 * and label values, go through the indicator matcher (include/
 * indicators.h) with the field they come from: a word in a label is no
 * sign, a miner image or a stratum URL in the command line is. At most
 * DOCKER_SIGN_ITEMS of each list are looked at, IND_TEXT_MAX bytes of a
 * field; bytes read per target stay at most 3 bodies of HTTP_BODY_MAX.
 *
 * References: Docker Engine API reference (/version, /containers/json);
 * nuclei docker-daemon-exposed; CWE-306; ATT&CK T1610, T1496.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define DOCKER_SIGN_ITEMS 512

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

/* /v1.43/images/json: the tags of every local image */
static bool docker_images_path(const cJSON *facts, char *buf, size_t size)
{
	char *q;

	if (!docker_containers_path(facts, buf, size) ||
	    (q = strstr(buf, "/containers/json?all=1")) == NULL ||
	    (size_t)(q - buf) + sizeof("/images/json") > size)
		return false;
	memcpy(q, "/images/json", sizeof("/images/json"));
	return true;
}

static const struct http_req docker_reqs[] = {
	{ .name = "version", .path = "/version" },
	{ .name = "containers",
	  .flags = HTTP_IF_OK,
	  .path_fn = docker_containers_path },
	{ .name = "images",
	  .flags = HTTP_IF_OK,
	  .path_fn = docker_images_path },
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

/* every string value of a Labels object, as a label field */
static void label_signs(struct sign_set *s, const cJSON *labels,
			const char *where)
{
	const cJSON *l = NULL;
	char w[320];
	int k = 0;

	cJSON_ArrayForEach(l, labels)
	{
		if (++k > 64)
			break;
		if (!cJSON_IsString(l))
			continue;
		snprintf(w, sizeof(w), "%s label %.64s", where,
			 l->string ? l->string : "?");
		sign_check(s, IND_F_LABEL, l->valuestring, w);
	}
}

/* the first string of an array (container names, image tags) */
static const char *first_str(const cJSON *arr)
{
	const cJSON *x = cJSON_IsArray(arr) ? arr->child : NULL;

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static void container_signs(struct sign_set *s, const cJSON *c)
{
	const char *name =
		first_str(cJSON_GetObjectItemCaseSensitive(c, "Names"));
	const char *image = http_str(c, "Image");
	const char *st = http_str(c, "State");
	const cJSON *cr = cJSON_GetObjectItemCaseSensitive(c, "Created");
	const cJSON *n = NULL;
	char where[256], created[32] = "?", w[300];
	time_t t;
	struct tm tm;
	int k = 0;

	if (cJSON_IsNumber(cr) && cr->valuedouble >= 0 &&
	    cr->valuedouble < 253402300800.0) {
		t = (time_t)cr->valuedouble;
		if (gmtime_r(&t, &tm) != NULL)
			strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ",
				 &tm);
	}
	snprintf(where, sizeof(where),
		 "container %.64s (image %.96s, created %s, %.16s)",
		 name ? name : "?", image ? image : "?", created,
		 st ? st : "state unknown");
	snprintf(w, sizeof(w), "%s image", where);
	sign_check(s, IND_F_IMAGE, image, w);
	snprintf(w, sizeof(w), "%s command", where);
	sign_check(s, IND_F_CMD, http_str(c, "Command"), w);
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(c, "Names"))
	{
		if (++k > 8 || !cJSON_IsString(n))
			continue;
		snprintf(w, sizeof(w), "%s name", where);
		/* "/xmrig": the API puts a slash before the name */
		sign_check(s, IND_F_NAME, n->valuestring, w);
	}
	label_signs(s, cJSON_GetObjectItemCaseSensitive(c, "Labels"), where);
}

static void image_signs(struct sign_set *s, const cJSON *img)
{
	const cJSON *tag = NULL;
	char where[200];
	int k = 0;

	cJSON_ArrayForEach(tag,
			   cJSON_GetObjectItemCaseSensitive(img, "RepoTags"))
	{
		if (++k > 16 || !cJSON_IsString(tag))
			continue;
		snprintf(where, sizeof(where), "image %.96s (local image list)",
			 tag->valuestring);
		sign_check(s, IND_F_IMAGE, tag->valuestring, where);
	}
	tag = cJSON_GetObjectItemCaseSensitive(img, "RepoTags");
	snprintf(where, sizeof(where), "image %.96s",
		 first_str(tag) != NULL ? first_str(tag) : "(untagged)");
	label_signs(s, cJSON_GetObjectItemCaseSensitive(img, "Labels"), where);
}

/* docker.compromise_indicator over the lists already read */
static int docker_signs(const cJSON *facts, const cJSON *list,
			struct check_ctx *ctx)
{
	const cJSON *x = NULL;
	struct sign_set s = { 0 };
	int k = 0;

	cJSON_ArrayForEach(x, list)
	{
		if (++k > DOCKER_SIGN_ITEMS)
			break;
		container_signs(&s, x);
	}
	k = 0;
	x = http_json_ok(facts, "images");
	if (cJSON_IsArray(x)) {
		const cJSON *img = NULL;

		cJSON_ArrayForEach(img, x)
		{
			if (++k > DOCKER_SIGN_ITEMS)
				break;
			if (cJSON_IsObject(img))
				image_signs(&s, img);
		}
	}
	return sign_report(ctx, "docker.compromise_indicator", &s);
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
	if (err == 0)
		err = docker_signs(facts, list, ctx);
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
	SIGN_RULE("docker.compromise_indicator",
		  "the containers (running and stopped: image, command, names, "
		  "labels, created) and the local images"),
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
