/*
 * openai_api.c - openai_api.no_auth: an OpenAI-compatible server (vLLM,
 * llama.cpp's server, LiteLLM, LocalAI, TGI, ...) answers /v1/models
 * without an API key (8000, 8080, 4000, 3000, and any port the inventory
 * or nmap names).
 *
 * What it sends (checks/http/http.c), reads only, no Authorization
 * header: GET /v1/models, and GET /api/tags to recognise Ollama, which
 * also answers /v1/models (there the finding is ollama.no_auth, not
 * both). Proof: /v1/models is 2xx JSON, judged as JSON (compact or not),
 * an object with "object": "list" and a "data" array whose items are
 * objects with a string id and, where present, "object": "model". With
 * --api-key vLLM answers 401, llama.cpp 401 "Invalid API Key", LiteLLM
 * 401 auth_error: no finding. /health, /metrics and /version prove
 * nothing (vLLM's key check skips them) and are not asked. No
 * completion is requested. Evidence: the owner named by the server
 * (owned_by: vllm, llamacpp, ...), the number of models and the first ids.
 *
 * References: OpenAI API "List models"; vLLM OpenAI-compatible server
 * (--api-key); llama.cpp server README (--api-key); LiteLLM proxy
 * (master_key); nuclei vllm-openai-api-exposure (misses compact JSON);
 * CWE-306; ATT&CK T1496.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req oai_reqs[] = {
	{ .name = "models", .path = "/v1/models" },
	{ .name = "tags", .path = "/api/tags" },
};

static const struct http_module oai_http = {
	.reqs = oai_reqs,
	.nreqs = ARRAY_SIZE(oai_reqs),
};

static int oai_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &oai_http);
}

/* Ollama's own model list: {"models": [{"name"/"model", "digest"}...]} */
static bool is_ollama(const cJSON *facts)
{
	const cJSON *tags = http_json_ok(facts, "tags");
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(tags, "models");
	const cJSON *it = NULL;
	bool r = cJSON_IsArray(arr);

	cJSON_ArrayForEach(it, arr) if (http_str(it, "digest") == NULL)
		r = false;
	return r;
}

static int oai_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *list = http_json_ok(facts, "models");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(list, "data");
	const cJSON *it = NULL;
	const char *obj = http_str(list, "object"), *owner = NULL;
	char ids[256] = "";
	size_t len = 0;
	int n = http_count(data), i = 0, err = 0;

	if (!cJSON_IsObject(list) || obj == NULL || strcmp(obj, "list") != 0 ||
	    n < 0 || is_ollama(facts))
		goto out;
	cJSON_ArrayForEach(it, data)
	{
		const char *id = http_str(it, "id");
		const char *o = http_str(it, "object");

		if (!cJSON_IsObject(it) || id == NULL ||
		    (cJSON_GetObjectItemCaseSensitive(it, "object") != NULL &&
		     (o == NULL || strcmp(o, "model") != 0)))
			goto out; /* not a model list */
		if (owner == NULL)
			owner = http_str(it, "owned_by");
		if (i < 3 && len < sizeof(ids))
			len += (size_t)snprintf(ids + len, sizeof(ids) - len,
						"%s%s", i ? ", " : "", id);
		i++;
	}
	if (n > 3 && len < sizeof(ids))
		snprintf(ids + len, sizeof(ids) - len, " (+%d more)", n - 3);
	err = ctx_report(ctx, "openai_api.no_auth", NULL,
			 "OpenAI-compatible server%s%s%s answers /v1/models "
			 "without an API key: %d model%s%s%s%s%s",
			 owner ? " (models owned by " : "", owner ? owner : "",
			 owner ? ")" : "", n, n == 1 ? "" : "s",
			 n > 0 ? " (" : "", ids, n > 0 ? ")" : "",
			 http_transport(facts));
out:
	return err;
}

static const struct rule oai_rules[] = {
	{
		.id = "openai_api.no_auth",
		.title = "OpenAI-compatible API answers without an API key",
		.description =
			"Anyone who reaches the port can run the served "
			"models at the owner's expense (LLMjacking: resold "
			"access, GPU time) and read what the models were "
			"configured with.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H",
		.references = "CWE-306; ATT&CK T1496; ATT&CK T1190",
		.remediation =
			"Start the server with an API key (vLLM and "
			"llama.cpp --api-key, LiteLLM master_key, LocalAI "
			"API_KEY), bind it to 127.0.0.1 behind an "
			"authenticating proxy, and firewall the port.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const oai_services[] = { HTTP_SERVICES, NULL };
/* vLLM/TGI-in-docs 8000, llama.cpp/LocalAI 8080, LiteLLM 4000, TGI 3000 */
static const uint16_t oai_ports[] = { 8000, 8080, 4000, 3000 };

const struct check check_openai_api = {
	.global_init = http_global_init,
	.name = "openai_api",
	.summary = "OpenAI-compatible /v1/models without an API key (8000, "
		   "8080, 4000, 3000)",
	.services = oai_services,
	.ports = oai_ports,
	.nports = ARRAY_SIZE(oai_ports),
	.rules = oai_rules,
	.nrules = ARRAY_SIZE(oai_rules),
	.state_size = sizeof(struct http_probe),
	.start = oai_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = oai_assess,
};
