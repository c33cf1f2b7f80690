/*
 * ollama.c - ollama.no_auth: Ollama's API lists and serves models without
 * authentication (11434).
 *
 * What it sends (checks/http/http.c), reads only: GET /api/version, GET
 * /api/tags (the models on disk) and GET /api/ps (the models loaded, with
 * the bytes held in VRAM). Never /api/pull, /api/chat or /api/generate:
 * they cost the owner disk, compute and money. Proof: /api/tags is 2xx
 * JSON {"models": [...]} whose items are objects with a string name (or
 * model) and digest; an empty list counts only when /api/version also
 * answers {"version": "..."} (Ollama has no authentication of its own, so
 * an open port is an open API). An authenticating proxy's 401/403 or an
 * HTML login page is no finding. Evidence: version, number and first
 * names of the models, and the running ones with their VRAM; VRAM in use
 * is the GPU fact of the finding.
 *
 * References: Ollama API (docs.ollama.com/api: /api/tags, /api/ps,
 * /api/version); SentinelLABS/Censys 2026 exposure study; CVE-2024-37032
 * (Probllama); CWE-306; ATT&CK T1496.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req ollama_reqs[] = {
	{ .name = "version", .path = "/api/version" },
	{ .name = "tags", .path = "/api/tags" },
	{ .name = "ps", .path = "/api/ps" },
};

static const struct http_module ollama_http = {
	.reqs = ollama_reqs,
	.nreqs = ARRAY_SIZE(ollama_reqs),
};

static int ollama_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &ollama_http);
}

/* a model's name: "name" (tags) or "model" (both) */
static const char *model_name(const cJSON *m)
{
	const char *n = http_str(m, "name");

	return n != NULL ? n : http_str(m, "model");
}

/* the items of {"models": [...]}: -1 unless every one is a model */
static int model_list(const cJSON *obj, const cJSON **arr)
{
	const cJSON *it = NULL, *a;
	int n;

	*arr = a = cJSON_GetObjectItemCaseSensitive(obj, "models");
	n = cJSON_IsObject(obj) ? http_count(a) : -1;
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsObject(it) || model_name(it) == NULL ||
		    http_str(it, "digest") == NULL)
			n = -1;
	}
	return n;
}

/* "a, b, c (+2 more)" from the first names of a model list */
static void name_list(const cJSON *arr, char *buf, size_t size)
{
	const cJSON *it = NULL;
	size_t len = 0;
	int i = 0, n = http_count(arr);

	buf[0] = '\0';
	cJSON_ArrayForEach(it, arr)
	{
		if (i == 3)
			break;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? ", " : "", model_name(it));
		if (len >= size)
			return;
		i++;
	}
	if (n > i)
		snprintf(buf + len, size - len, " (+%d more)", n - i);
}

static int ollama_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *v = http_str(http_json_ok(facts, "version"), "version");
	const cJSON *tags = NULL, *ps = NULL, *it = NULL;
	int n = model_list(http_json_ok(facts, "tags"), &tags);
	int nps = model_list(http_json_ok(facts, "ps"), &ps);
	char names[256], running[256] = "";
	double vram = 0;
	int err = 0;

	if (n < 0 || (n == 0 && v == NULL))
		goto out;
	name_list(tags, names, sizeof(names));
	cJSON_ArrayForEach(it, ps)
	{
		const cJSON *sv =
			cJSON_GetObjectItemCaseSensitive(it, "size_vram");

		if (cJSON_IsNumber(sv) && sv->valuedouble > 0)
			vram += sv->valuedouble;
	}
	if (nps > 0) {
		name_list(ps, running, sizeof(running));
		if (vram > 0)
			ctx_gpu(ctx, "Ollama holds %.1f GiB of models in VRAM",
				vram / (1024.0 * 1024 * 1024));
	}
	err = ctx_report(ctx, "ollama.no_auth", NULL,
			 "Ollama %s lists %d model%s without authentication%s"
			 "%s%s; %d loaded%s%s%s%s%s",
			 v ? v : "(version unknown)", n, n == 1 ? "" : "s",
			 n > 0 ? " (" : "", names, n > 0 ? ")" : "",
			 nps > 0 ? nps : 0, nps > 0 ? " (" : "", running,
			 vram > 0 ? ", in VRAM" : "", nps > 0 ? ")" : "",
			 http_transport(facts));
out:
	return err;
}

static const struct rule ollama_rules[] = {
	{
		.id = "ollama.no_auth",
		.title = "Ollama API answers without authentication",
		.description =
			"Ollama has no authentication of its own: anyone "
			"who reaches the port can run the models at the "
			"owner's expense (LLMjacking), pull or delete models "
			"and fill the disk.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H",
		.references = "CWE-306; CVE-2024-37032; ATT&CK T1496; "
			      "ATT&CK T1190",
		.remediation =
			"Keep OLLAMA_HOST on 127.0.0.1 (the default) and "
			"put an authenticating reverse proxy in front of it "
			"if others need it; firewall 11434.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const ollama_services[] = { "ollama", HTTP_SERVICES, NULL };
static const uint16_t ollama_ports[] = { 11434 };

const struct check check_ollama = {
	.global_init = http_global_init,
	.name = "ollama",
	.summary = "Ollama API without authentication (11434)",
	.services = ollama_services,
	.ports = ollama_ports,
	.nports = ARRAY_SIZE(ollama_ports),
	.rules = ollama_rules,
	.nrules = ARRAY_SIZE(ollama_rules),
	.state_size = sizeof(struct http_probe),
	.start = ollama_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = ollama_assess,
};
