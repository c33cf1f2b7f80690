/*
 * test_aiapi.c - assess() of the AI and automation control-plane checks
 * (ollama, openai_api, open_webui, comfyui, langflow, jenkins, nomad, and
 * ray's token authentication) on facts built from the recorded responses
 * under tests/fixtures/replay (the files the lab's replay servers serve):
 * the open product, its refusing twin, the decoys, truncated answers and
 * hand-made near misses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "http/http.h"
#include "engine/engine.h"
#include "inventory.h"
#include "rank/rank.h"
#include "report/report.h"
#include "report/report_doc.h"
#include <unistd.h>
#include "http_fixture.h"

extern const struct check check_ollama, check_openai_api, check_open_webui,
	check_comfyui, check_langflow, check_jenkins, check_nomad, check_ray,
	check_kubelet, check_consul, check_jupyter, check_yarn,
	check_kubernetes, check_nodered;

#define FIX "tests/fixtures/replay/"

/* runs assess; rule ids (comma-joined), first evidence and its GPU fact */
static void judge_gpu(const struct check *c, const cJSON *facts, char *ids,
		      size_t isize, char *ev, size_t esize, char *gpu,
		      size_t gsize)
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
	ids[0] = ev[0] = gpu[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(ids + strlen(ids), isize - strlen(ids), "%s%s",
			 i ? "," : "", l->v[i].rule_id);
	if (l->n > 0) {
		snprintf(ev, esize, "%s", l->v[0].evidence);
		snprintf(gpu, gsize, "%s", l->v[0].gpu ? l->v[0].gpu : "");
	}
	ctx_free(ctx);
}

/* the AI checks' tests look at a finding's GPU fact, not its secret */
#undef JUDGE
#undef VARS
#define JUDGE(c, facts) \
	judge_gpu(c, facts, ids, sizeof(ids), ev, sizeof(ev), gpu, sizeof(gpu))
#define VARS                               \
	char ids[256], ev[1024], gpu[256]; \
	cJSON *f

Test(aiapi_assess, ollama)
{
	VARS = new_facts();

	add_file(f, "version", FIX "ollama/open/version.http");
	add_file(f, "tags", FIX "ollama/open/tags.http");
	add_file(f, "ps", FIX "ollama/open/ps.http");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "ollama.no_auth");
	cr_expect(strstr(ev, "Ollama 0.5.7 lists 2 models") &&
			  strstr(ev, "llama3.1:8b, qwen2.5:7b") &&
			  strstr(ev, "1 loaded (llama3.1:8b, in VRAM)"),
		  "%s", ev);
	cr_expect_str_eq(gpu, "Ollama holds 6.2 GiB of models in VRAM");
	cJSON_Delete(f);

	/* no model loaded: no GPU fact, still the finding */
	f = new_facts();
	add_file(f, "version", FIX "ollama/open/version.http");
	add_file(f, "tags", FIX "ollama/open/tags.http");
	add_resp(f, "ps", 200, "{\"models\":[]}");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "ollama.no_auth");
	cr_expect_str_eq(gpu, "");
	cJSON_Delete(f);

	/* an empty model list proves it only with /api/version */
	f = new_facts();
	add_resp(f, "tags", 200, "{\"models\":[]}");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "");
	add_file(f, "version", FIX "ollama/open/version.http");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "ollama.no_auth");
	cr_expect(strstr(ev, "lists 0 models"), "%s", ev);
	cJSON_Delete(f);

	/* the refusing twin: a proxy's 401 everywhere */
	f = new_facts();
	add_file(f, "version", FIX "ollama/proxy/unauthorized.http");
	add_file(f, "tags", FIX "ollama/proxy/unauthorized.http");
	add_file(f, "ps", FIX "ollama/proxy/unauthorized.http");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* models without digests, or in a 403: not Ollama's list */
	f = new_facts();
	add_file(f, "version", FIX "ollama/open/version.http");
	add_resp(f, "tags", 200, "{\"models\":[{\"name\":\"x\"}]}");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "version", FIX "ollama/open/version.http");
	add_resp(f, "tags", 403, "{\"models\":[]}");
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* truncated tags: no JSON, no finding */
	f = new_facts();
	add_file(f, "version", FIX "ollama/open/version.http");
	add_resp_cut(f, "tags", FIX "ollama/open/tags.http", 100,
		     HTTP_TEXT_MAX);
	JUDGE(&check_ollama, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(aiapi_assess, openai_api)
{
	VARS = new_facts();

	add_file(f, "models", FIX "openai/vllm/models.http");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "openai_api.no_auth");
	cr_expect(strstr(ev, "owned by vllm") &&
			  strstr(ev, "1 model (meta-llama/Meta-Llama-3.1-8B"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "models", FIX "openai/llamacpp/models.http");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "openai_api.no_auth");
	cr_expect(strstr(ev, "owned by llamacpp"), "%s", ev);
	cJSON_Delete(f);

	/* the same list with spaces and newlines: judged as JSON */
	f = new_facts();
	add_resp(f, "models", 200,
		 "{ \"object\" : \"list\",\n \"data\" : [ { \"id\" : \"m\" "
		 ", \"object\" : \"model\" } ] }");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "openai_api.no_auth");
	cJSON_Delete(f);

	/* refusing twins: vLLM and LiteLLM with a key */
	f = new_facts();
	add_file(f, "models", FIX "openai/vllm_key/unauthorized.http");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "models", FIX "openai/litellm_key/unauthorized.http");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* Ollama's /v1/models: that is ollama.no_auth, not this */
	f = new_facts();
	add_file(f, "models", FIX "ollama/open/v1models.http");
	add_file(f, "tags", FIX "ollama/open/tags.http");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* near misses: not a list, items without id, other objects */
	f = new_facts();
	add_resp(f, "models", 200, "{\"object\":\"lists\",\"data\":[]}");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp(f, "models", 200,
		 "{\"object\":\"list\",\"data\":[{\"name\":\"m\"}]}");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp(f, "models", 200,
		 "{\"object\":\"list\",\"data\":[{\"id\":\"f\","
		 "\"object\":\"file\"}]}");
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp_cut(f, "models", FIX "openai/vllm/models.http", 60,
		     HTTP_TEXT_MAX);
	JUDGE(&check_openai_api, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(aiapi_assess, open_webui)
{
	VARS = new_facts();

	add_file(f, "config", FIX "open_webui/noauth/config.http");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "open_webui.no_auth");
	cr_expect(strstr(ev, "0.6.5") && strstr(ev, "every visitor"), "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "config", FIX "open_webui/onboarding/config.http");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "open_webui.open_signup");
	cr_expect(strstr(ev, "no user yet") && strstr(ev, "becomes its admin"),
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "config", FIX "open_webui/signup/config.http");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "open_webui.open_signup");
	cr_expect(strstr(ev, "lets anyone sign up"), "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "config", FIX "open_webui/closed/config.http");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a 401 config, string booleans, no features: nothing */
	f = new_facts();
	add_resp(f, "config", 401,
		 "{\"status\":true,\"version\":\"1\",\"features\":"
		 "{\"auth\":false,\"enable_signup\":true}}");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp(f, "config", 200,
		 "{\"status\":true,\"version\":\"1\",\"features\":"
		 "{\"auth\":\"false\",\"enable_signup\":\"true\"},"
		 "\"onboarding\":true}");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp(f, "config", 200,
		 "{\"status\":true,\"version\":\"1\",\"onboarding\":true}");
	JUDGE(&check_open_webui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(aiapi_assess, comfyui)
{
	VARS = new_facts();

	add_file(f, "stats", FIX "comfyui/open/stats.http");
	add_file(f, "manager", FIX "comfyui/open/manager.http");
	JUDGE(&check_comfyui, f);
	cr_expect_str_eq(ids, "comfyui.no_auth");
	cr_expect(strstr(ev, "ComfyUI 0.3.10") &&
			  strstr(ev, "NVIDIA GeForce RTX 4090") &&
			  strstr(ev, "ComfyUI-Manager V3.30.4"),
		  "%s", ev);
	cr_expect_str_eq(gpu,
			 "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync");
	cr_expect(strchr(ev, '\n') == NULL, "a line break: %s", ev);
	cJSON_Delete(f);

	/* a manager "version" that is a page: no manager */
	f = new_facts();
	add_file(f, "stats", FIX "comfyui/open/stats.http");
	add_file(f, "manager", FIX "ollama/open/root.http");
	JUDGE(&check_comfyui, f);
	cr_expect(strstr(ev, "no node manager answered"), "%s", ev);
	cJSON_Delete(f);

	/* CPU only, no manager: a finding without a GPU */
	f = new_facts();
	add_resp(f, "stats", 200,
		 "{\"system\":{\"comfyui_version\":\"0.3.10\"},\"devices\":"
		 "[{\"name\":\"cpu\",\"type\":\"cpu\",\"index\":null}]}");
	add_resp(f, "manager", 404, "{\"message\":\"not found\"}");
	JUDGE(&check_comfyui, f);
	cr_expect_str_eq(ids, "comfyui.no_auth");
	cr_expect(strstr(ev, "no node manager answered"), "%s", ev);
	cr_expect_str_eq(gpu, "");
	cJSON_Delete(f);

	/* the proxy twin; devices that are not ComfyUI's */
	f = new_facts();
	add_file(f, "stats",
		 FIX "comfyui/proxy/../../ollama/proxy/"
		     "unauthorized.http");
	JUDGE(&check_comfyui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp(f, "stats", 200,
		 "{\"system\":{},\"devices\":[{\"name\":\"gpu\"}]}");
	JUDGE(&check_comfyui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_resp_cut(f, "stats", FIX "comfyui/open/stats.http", 200,
		     HTTP_TEXT_MAX);
	JUDGE(&check_comfyui, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(aiapi_assess, langflow)
{
	VARS = new_facts();

	add_file(f, "version", FIX "langflow/autologin/version.http");
	add_file(f, "auto_login", FIX "langflow/autologin/autologin.http");
	add_file(f, "flows", FIX "langflow/autologin/flows.http");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "langflow.no_auth");
	cr_expect(strstr(ev, "Langflow 1.1.1") &&
			  strstr(ev, "auto_login hands out a superuser"),
		  "%s", ev);
	cr_expect(strstr(ev, "eyJ") == NULL, "token leaked: %s", ev);
	cJSON_Delete(f);
	/* flows open without a token (older Langflow) */
	f = new_facts();
	add_file(f, "version", FIX "langflow/autologin/version.http");
	add_resp(f, "flows", 200, "[{\"id\":\"3f1c\",\"name\":\"x\"}]");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "langflow.no_auth");
	cr_expect(strstr(ev, "/api/v1/flows/ lists 1 flow") &&
			  strstr(ev, "1 flows") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	/* the locked twin */
	f = new_facts();
	add_file(f, "version", FIX "langflow/autologin/version.http");
	add_file(f, "auto_login", FIX "langflow/locked/disabled.http");
	add_file(f, "flows", FIX "langflow/locked/unauthorized.http");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* a token without Langflow's version, a non-bearer token */
	f = new_facts();
	add_file(f, "auto_login", FIX "langflow/autologin/autologin.http");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "");
	add_file(f, "version", FIX "langflow/autologin/version.http");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "langflow.no_auth");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "version", FIX "langflow/autologin/version.http");
	add_resp(f, "auto_login", 200,
		 "{\"access_token\":\"x\",\"token_type\":\"mac\"}");
	add_resp(f, "flows", 200, "[\"a\"]");
	JUDGE(&check_langflow, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(aiapi_assess, jenkins)
{
	VARS = new_facts();

	add_file(f, "api", FIX "jenkins/open/api.http");
	add_file(f, "script", FIX "jenkins/open/script.http");
	JUDGE(&check_jenkins, f);
	cr_expect_str_eq(ids, "jenkins.anonymous_admin");
	cr_expect(strstr(ev, "Jenkins 2.426.3") && strstr(ev, "3 jobs") &&
			  strstr(ev, "useSecurity false") &&
			  strstr(ev, "deploy-prod") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "api", FIX "jenkins/read/api.http");
	add_file(f, "script", FIX "jenkins/read/forbidden.http");
	JUDGE(&check_jenkins, f);
	cr_expect_str_eq(ids, "jenkins.anonymous_read");
	cr_expect(strstr(ev, "3 jobs") && strstr(ev, "useSecurity") == NULL,
		  "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "api", FIX "jenkins/secured/forbidden.http");
	JUDGE(&check_jenkins, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* Jenkins' JSON without the X-Jenkins header: not Jenkins */
	f = new_facts();
	add_resp(f, "api", 200,
		 "{\"_class\":\"hudson.model.Hudson\",\"jobs\":[]}");
	add_resp(f, "script", 200, NULL);
	JUDGE(&check_jenkins, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* /script 200 from something else than Jenkins (no header) */
	f = new_facts();
	add_file(f, "api", FIX "jenkins/read/api.http");
	add_file(f, "script", FIX "decoy/ai/page.http");
	JUDGE(&check_jenkins, f);
	cr_expect_str_eq(ids, "jenkins.anonymous_read");
	cJSON_Delete(f);
}

Test(aiapi_assess, nomad)
{
	VARS = new_facts();

	add_file(f, "jobs", FIX "nomad/open/jobs.http");
	add_file(f, "self", FIX "nomad/open/self.http");
	JUDGE(&check_nomad, f);
	cr_expect_str_eq(ids, "nomad.no_auth");
	cr_expect(strstr(ev, "Nomad 1.7.2 lists 2 jobs (1 running)") &&
			  strstr(ev, "ACLs disabled"),
		  "%s", ev);
	cJSON_Delete(f);
	/* ACLs on with an anonymous read policy: said so */
	f = new_facts();
	add_file(f, "jobs", FIX "nomad/open/jobs.http");
	add_resp(f, "self", 200,
		 "{\"config\":{\"ACL\":{\"Enabled\":true},\"Version\":"
		 "{\"Version\":\"1.7.2\"}}}");
	JUDGE(&check_nomad, f);
	cr_expect_str_eq(ids, "nomad.no_auth");
	cr_expect(strstr(ev, "job submission not proven"), "%s", ev);
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "jobs", FIX "nomad/acl/denied.http");
	add_file(f, "self", FIX "nomad/acl/denied.http");
	JUDGE(&check_nomad, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* an empty array is Nomad's only with its index header */
	f = new_facts();
	add_resp(f, "jobs", 200, "[]");
	JUDGE(&check_nomad, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "jobs", FIX "nomad/open/jobs.http");
	cJSON_ReplaceItemInObject(
		cJSON_GetObjectItem(cJSON_GetObjectItem(f, "responses"),
				    "jobs"),
		"json", cJSON_Parse("[]"));
	JUDGE(&check_nomad, f);
	cr_expect_str_eq(ids, "nomad.no_auth");
	cr_expect(strstr(ev, "(version unknown) lists 0 jobs"), "%s", ev);
	cJSON_Delete(f);
}

Test(aiapi_assess, ray_token)
{
	VARS = new_facts();

	/* Ray 2.52 with token authentication: 401 is the refusing answer */
	add_file(f, "authmode", FIX "ray/token/mode.http");
	add_file(f, "version", FIX "ray/token/unauthorized.http");
	add_file(f, "jobs", FIX "ray/token/unauthorized.http");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
	/* 2.52 with it disabled: the finding names the mode and version */
	f = new_facts();
	add_file(f, "authmode", FIX "ray/disabled/mode.http");
	add_file(f, "version", FIX "ray/disabled/version.http");
	add_file(f, "jobs", FIX "ray/open/jobs.http");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "ray.no_auth");
	cr_expect(strstr(ev, "Ray 2.52.0") &&
			  strstr(ev, "authentication_mode \"disabled\""),
		  "%s", ev);
	cr_expect_str_eq(gpu, "");
	/* the nodes' resources: 8 A100 on one worker */
	add_file(f, "nodes", FIX "ray/disabled/nodes.http");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "ray.no_auth");
	cr_expect_str_eq(gpu, "Ray cluster with 8 GPUs A100 on 1 node");
	cJSON_Delete(f);
	/* GPU counts of the wrong type or absurd size are no GPU */
	f = new_facts();
	add_file(f, "version", FIX "ray/disabled/version.http");
	add_file(f, "jobs", FIX "ray/open/jobs.http");
	add_resp(f, "nodes", 200,
		 "{\"data\":{\"result\":{\"result\":[{\"resources_total\":"
		 "{\"GPU\":\"8\"}},{\"resources_total\":{\"GPU\":1e300}},"
		 "{\"resources_total\":{\"GPU\":-1}}]}}}");
	JUDGE(&check_ray, f);
	cr_expect_str_eq(ids, "ray.no_auth");
	cr_expect_str_eq(gpu, "");
	cJSON_Delete(f);
}

/* the decoys on every request of every check: never a finding */
Test(aiapi_assess, decoys_everywhere)
{
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
		{ &check_nomad, { "jobs", "self" } },
		{ &check_ray, { "authmode", "version", "jobs", "nodes" } },
	};
	static const char *const decoys[] = {
		FIX "decoy/ai/page.http",
		FIX "decoy/aijson/page.http",
		FIX "decoy/words/page.http",
	};
	size_t i, k, d;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		for (d = 0; d < sizeof(decoys) / sizeof(decoys[0]); d++) {
			VARS = new_facts();

			for (k = 0; k < 4 && all[i].names[k] != NULL; k++)
				add_file(f, all[i].names[k], decoys[d]);
			JUDGE(all[i].c, f);
			cr_expect_str_eq(ids, "", "%s on %s: %s",
					 all[i].c->name, decoys[d], ids);
			cJSON_Delete(f);
		}
		{
			VARS = new_facts(); /* no answer at all */

			JUDGE(all[i].c, f);
			cr_expect_str_eq(ids, "", "%s: %s", all[i].c->name,
					 ids);
			cJSON_Delete(f);
		}
	}
}

/* names fit struct port_override, rules are well formed, ports declared */
Test(aiapi_assess, rules)
{
	const struct check *all[] = {
		&check_ollama,	&check_openai_api, &check_open_webui,
		&check_comfyui, &check_langflow,   &check_jenkins,
		&check_nomad,
	};
	size_t i, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		cr_expect(strlen(all[i]->name) < 16, "%s", all[i]->name);
		cr_expect(all[i]->nrules >= 1 && all[i]->nports >= 1);
		for (k = 0; k < all[i]->nrules; k++) {
			const struct rule *r = &all[i]->rules[k];

			cr_expect(strncmp(r->cvss_vector, "CVSS:3.1/", 9) == 0,
				  "%s", r->id);
			cr_expect(strncmp(r->id, all[i]->name,
					  strlen(all[i]->name)) == 0,
				  "%s", r->id);
			cr_expect(r->flags == 0, "%s: reads only", r->id);
		}
		cr_expect(check_find(all[i]->name) == all[i], "%s registered",
			  all[i]->name);
	}
}

/* a GPU ranks a finding above the same one without, within its tier, and
 * the reason says so; it never jumps confidence or impact */
Test(aiapi_rank, gpu_within_tier)
{
	struct finding_list l;
	struct finding *f;
	static const struct {
		const char *rule;
		enum impact impact;
		const char *gpu;
		double score;
	} in[] = {
		{ "a.nogpu", IMPACT_EXEC, NULL, 10.0 },
		{ "b.gpu", IMPACT_EXEC, "NVIDIA A100", 8.0 },
		{ "c.data_gpu", IMPACT_DATA, "NVIDIA L4", 9.0 },
	};
	size_t i;

	finding_list_init(&l);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		f = finding_list_add(&l);
		cr_assert_not_null(f);
		f->rule_id = strdup(in[i].rule);
		f->target_id = strdup("list:127.0.0.1");
		f->impact = in[i].impact;
		f->cvss_score = in[i].score;
		f->gpu = in[i].gpu ? strdup(in[i].gpu) : NULL;
	}
	rank_findings(&l);
	cr_expect_str_eq(l.v[0].rule_id, "b.gpu");
	cr_expect_str_eq(l.v[1].rule_id, "a.nogpu");
	cr_expect_str_eq(l.v[2].rule_id, "c.data_gpu");
	cr_expect(strstr(l.v[0].rank_reason,
			 "code execution with a GPU behind the door "
			 "(NVIDIA A100)") != NULL,
		  "%s", l.v[0].rank_reason);
	cr_expect(strstr(l.v[1].rank_reason, "GPU") == NULL, "%s",
		  l.v[1].rank_reason);
	finding_list_release(&l);
}

struct claim_log {
	uint16_t port[32];
	uint64_t claims[32];
	size_t n;
};

static void log_claim(void *ud, uint16_t port, uint64_t claims)
{
	struct claim_log *l = ud;

	if (l->n < 32) {
		l->port[l->n] = port;
		l->claims[l->n++] = claims;
	}
}

static uint64_t claims_of(const struct claim_log *l, uint16_t port)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->port[i] == port)
			return l->claims[i];
	return UINT64_MAX; /* not planned */
}

/* a shared port is probed by every check claiming it; a named check only
 * by that one (the nmap test below covers service names) */
Test(aiapi_plan, shared_ports)
{
	const struct check *checks[] = { &check_ollama, &check_openai_api,
					 &check_open_webui, &check_jenkins,
					 &check_nomad };
	struct port_override ports[] = {
		{ .check = "", .port = 8080 },
		{ .check = "jenkins", .port = 3000 },
	};
	struct target_addr a;
	struct target t = { .id = "nmap:127.0.0.1",
			    .ports = ports,
			    .nports = 2,
			    .only_listed_ports = true };
	struct scan_config cfg;
	struct claim_log log = { .n = 0 };
	char *err = NULL;

	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	scan_config_defaults(&cfg);
	cfg.checks = checks;
	cfg.nchecks = 5;
	cr_assert_eq(scan_target_ports(&cfg, &t, log_claim, &log, &err), 0,
		     "%s", err ? err : "");
	/* 8080: openai_api, open_webui and jenkins each probe it */
	cr_expect_eq(claims_of(&log, 8080), 0x0e);
	/* a named check: only that one, even on another's port */
	cr_expect_eq(claims_of(&log, 3000), 0x08);
	free(err);
}

/* an nmap file with an open port of a service no check knows was a fatal
 * "not a default port of any enabled check" (exit 2): now that port is
 * probed and listed without a check, "http"/"https" ports go to the HTTP
 * family and a default port to its claimers */
Test(aiapi_plan, nmap_services)
{
	const char *path = "tests/fixtures/inventory/nmap-http-family.xml";
	const struct check *checks[] = { &check_ollama, &check_openai_api,
					 &check_jenkins };
	struct inventory_opts o = { .format = NULL };
	struct target_list l;
	struct scan_config cfg;
	struct claim_log log = { .n = 0 };
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inventory_load(&path, 1, &o, &l, &err), 0, "%s",
		     err ? err : "");
	cr_assert_eq(l.n, 1);
	scan_config_defaults(&cfg);
	cfg.checks = checks;
	cfg.nchecks = 3;
	cr_assert_eq(scan_target_ports(&cfg, &l.v[0], log_claim, &log, &err), 0,
		     "%s", err ? err : "");
	cr_expect_eq(claims_of(&log, 12345), 0);
	cr_expect_eq(claims_of(&log, 18080), 0x7);
	cr_expect_eq(claims_of(&log, 19443), 0x7);
	cr_expect_eq(claims_of(&log, 11434), 0x1);
	cr_expect_eq(claims_of(&log, 8080), 0x7); /* "http-proxy" */
	free(err);
	target_list_release(&l);
}

/* the GPU of an instance from each cloud's inventory (and Terraform) */
/* the GPU of target id of an inventory: as the loader saw it (meta), or
 * as its config facts name it (the plan reader, the cloud facts) */
static const char *gpu_from(const char *path, const char *id, bool fact)
{
	static char out[160];
	struct inventory_opts o = { .format = NULL };
	struct target_list l;
	const char *g;
	char *err = NULL;
	size_t i;

	out[0] = '\0';
	target_list_init(&l);
	cr_assert_eq(inventory_load(&path, 1, &o, &l, &err), 0, "%s: %s", path,
		     err ? err : "");
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].id, id) != 0 || l.v[i].meta == NULL)
			continue;
		g = fact ? cJSON_GetStringValue(cJSON_GetObjectItem(
				   l.v[i].meta->config, "gpu"))
			 : l.v[i].meta->gpu;
		if (g != NULL)
			snprintf(out, sizeof(out), "%s", g);
	}
	free(err);
	target_list_release(&l);
	return out;
}

static const char *gpu_of(const char *path, const char *id)
{
	return gpu_from(path, id, false);
}

static const char *gpu_fact(const char *path, const char *id)
{
	return gpu_from(path, id, true);
}

Test(aiapi_inventory, gpu_instances)
{
#define INV "tests/fixtures/inventory/"
	cr_expect_str_eq(gpu_of(INV "gpu_aws.json", "aws:i-0gpu"),
			 "instance type g5.xlarge");
	cr_expect_str_eq(gpu_of(INV "gpu_aws.json", "aws:i-0p4d"),
			 "instance type p4d.24xlarge");
	cr_expect_str_eq(gpu_of(INV "gpu_aws.json", "aws:i-0cpu"), "");
	cr_expect_str_eq(gpu_of(INV "gpu_aws.json", "aws:i-0grv"), "");
	cr_expect_str_eq(gpu_of(INV "gpu_gcp.json", "gcp:101"),
			 "accelerator nvidia-tesla-t4 x2");
	cr_expect_str_eq(gpu_of(INV "gpu_gcp.json", "gcp:102"),
			 "machine type a2-highgpu-1g");
	cr_expect_str_eq(gpu_of(INV "gpu_gcp.json", "gcp:103"), "");
	cr_expect_str_eq(gpu_of(INV "gpu_azure.json",
				"azure:bbbbbbbb-0000-0000-0000-000000000001"),
			 "VM size Standard_NC6s_v3");
	cr_expect_str_eq(gpu_of(INV "gpu_azure.json",
				"azure:bbbbbbbb-0000-0000-0000-000000000002"),
			 "");
	cr_expect_str_eq(
		gpu_of(INV "gpu_terraform.json", "tf:aws_instance.train"),
		"instance type g6.2xlarge");
	cr_expect_str_eq(gpu_of(INV "gpu_terraform.json",
				"tf:google_compute_instance.infer"),
			 "accelerator nvidia-l4 x1");
	cr_expect_str_eq(gpu_of(INV "gpu_terraform.json",
				"tf:azurerm_linux_virtual_machine.gpu"),
			 "VM size Standard_ND96asr_v4");
	cr_expect_str_eq(
		gpu_of(INV "gpu_terraform.json", "tf:aws_instance.web"), "");
#undef INV
}

/* one classifier: the plan reader once missed gr6 and a4- and worded each
 * cloud its own way */
Test(aiapi_inventory, plan_and_cloud_facts_name_the_gpu_alike)
{
#define PLAN "tests/fixtures/plan/gpu.json"
#define INV "tests/fixtures/inventory/"
	cr_expect_str_eq(gpu_fact(PLAN, "tf:aws_instance.train"),
			 "instance type gr6.4xlarge");
	cr_expect_str_eq(gpu_fact(PLAN, "tf:aws_instance.web"), "");
	cr_expect_str_eq(gpu_fact(PLAN, "tf:google_compute_instance.infer"),
			 "machine type a4-highgpu-8g");
	cr_expect_str_eq(gpu_fact(PLAN, "tf:google_compute_instance.t4"),
			 "accelerator nvidia-tesla-t4 x2");
	cr_expect_str_eq(gpu_fact(PLAN, "tf:azurerm_linux_virtual_machine.gpu"),
			 "VM size Standard_NV36ads_A10_v5");
	/* the cloud facts and the loader agree, instance by instance */
	cr_expect_str_eq(gpu_fact(INV "gpu_aws.json", "aws:i-0p4d"),
			 "instance type p4d.24xlarge");
	cr_expect_str_eq(gpu_fact(INV "gpu_gcp.json", "gcp:101"),
			 "accelerator nvidia-tesla-t4 x2");
	cr_expect_str_eq(gpu_fact(INV "gpu_azure.json",
				  "azure:bbbbbbbb-0000-0000-0000-000000000001"),
			 "VM size Standard_NC6s_v3");
#undef INV
#undef PLAN
}

/* a finding on a GPU instance of the inventory carries the GPU, unless
 * the probe saw one itself */
Test(aiapi_inventory, gpu_on_findings)
{
	struct scan_config cfg;
	struct target_meta meta = { .gpu = (char *)"instance type g5.xlarge" };
	struct target t = { .id = "aws:i-0gpu", .meta = &meta };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;
	cJSON *f = new_facts();

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	add_file(f, "jobs", FIX "nomad/open/jobs.http");
	ctx = ctx_new(&check_nomad, &cfg, &t, &a, 4646, NULL);
	cr_assert_not_null(ctx);
	cr_assert_eq(check_nomad.assess(f, ctx), 0);
	l = ctx_findings(ctx);
	cr_assert_eq(l->n, 1);
	cr_expect_str_eq(l->v[0].gpu, "instance type g5.xlarge");
	ctx_free(ctx);
	cJSON_Delete(f);
	/* ComfyUI's own device wins over the inventory's */
	f = new_facts();
	add_file(f, "stats", FIX "comfyui/open/stats.http");
	ctx = ctx_new(&check_comfyui, &cfg, &t, &a, 8188, NULL);
	cr_assert_not_null(ctx);
	cr_assert_eq(check_comfyui.assess(f, ctx), 0);
	l = ctx_findings(ctx);
	cr_assert_eq(l->n, 1);
	cr_expect(strstr(l->v[0].gpu, "RTX 4090") != NULL, "%s", l->v[0].gpu);
	ctx_free(ctx);
	cJSON_Delete(f);
}

/* kubelet: GPUs the pods ask for are the GPU fact; the recorded lab
 * answer (no GPU) stays without one */
Test(aiapi_assess, kubelet_gpu)
{
	VARS = new_facts();

	add_resp(
		f, "pods", 200,
		"{\"kind\":\"PodList\",\"items\":[{\"metadata\":"
		"{\"namespace\":\"ml\"},\"spec\":{\"containers\":[{\"name\":"
		"\"train\",\"resources\":{\"limits\":{\"nvidia.com/gpu\":"
		"\"2\",\"cpu\":\"8\"}}},{\"name\":\"side\",\"resources\":"
		"{\"requests\":{\"amd.com/gpu\":1}}}]}},{\"spec\":"
		"{\"containers\":[{\"resources\":{\"limits\":"
		"{\"nvidia.com/gpu\":\"-5\",\"example.com/gpu\":\"9\"}}}]}}]}");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "kubelet.api_no_auth");
	cr_expect_str_eq(gpu, "3 GPUs requested by the node's pods");
	cJSON_Delete(f);
	f = new_facts();
	add_file(f, "pods", FIX "kubelet/open/pods.http");
	JUDGE(&check_kubelet, f);
	cr_expect_str_eq(ids, "kubelet.api_no_auth");
	cr_expect_str_eq(gpu, "");
	cJSON_Delete(f);
}

/* the gpu field survives --json and a re-read (report, merge, baseline) */
Test(aiapi_report, gpu_round_trip)
{
	static char buf[256 * 1024];
	struct report_doc d, back;
	struct scan_report view;
	char *err = NULL, path[] = "/tmp/expo-gpu-XXXXXX";
	cJSON *doc, *f0;
	char *text;
	size_t n;
	FILE *fp = fopen("tests/fixtures/report/golden.json", "rb");
	int fd;

	cr_assert_not_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	doc = cJSON_Parse(buf);
	cr_assert_not_null(doc);
	f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	cr_assert_not_null(f0, "golden.json has no finding");
	cJSON_AddStringToObject(f0, "gpu", "NVIDIA A100 \x1b[31m");
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	report_doc_init(&d);
	cr_assert_eq(report_json_parse(text, strlen(text), "in.json", &d, &err),
		     0, "%s", err ? err : "");
	free(text);
	cr_assert_str_eq(d.findings.v[0].gpu, "NVIDIA A100 \x1b[31m");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	report_doc_view(&d, &view);
	cr_assert_eq(report_json_write(path, &view), 0);
	report_doc_init(&back);
	cr_assert_eq(report_json_read(path, &back, &err), 0, "%s",
		     err ? err : "");
	cr_expect_str_eq(back.findings.v[0].gpu, "NVIDIA A100 \x1b[31m");
	cr_expect_null(back.findings.v[1].gpu);
	/* a wrong type is a clear error naming the path */
	fp = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	doc = cJSON_Parse(buf);
	f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	cJSON_ReplaceItemInObject(f0, "gpu", cJSON_CreateNumber(1));
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	report_doc_release(&back);
	report_doc_init(&back);
	free(err);
	err = NULL;
	cr_expect_neq(
		report_json_parse(text, strlen(text), "bad.json", &back, &err),
		0);
	cr_expect(err != NULL && strstr(err, "gpu") != NULL, "%s",
		  err ? err : "");
	free(text);
	free(err);
	unlink(path);
	report_doc_release(&back);
	report_doc_release(&d);
}

/* ---- issue 14: the compromise signs read through the doors already
 * open, on the replay fixtures the lab serves (tests/lab/lab.d/signs.sh):
 * each product's miner fixture, its clean twin and its decoy ---- */

struct sign_case {
	const struct check *c;
	const char *resp[6][2]; /* response name, fixture file */
	const char *ids;	/* the rule ids found, in order */
	const char *ev[3];	/* in the compromise evidence */
};

#define SIGN_EV(c) "1 sign of compromise: " c
static const struct sign_case sign_cases[] = {
	{ &check_ray,
	  { { "version", "ray/disabled/version.http" },
	    { "jobs", "ray/miner/jobs.http" } },
	  "ray.no_auth,ray.compromise_indicator",
	  { SIGN_EV("miner binary \"xmrig\" in job "
		    "raysubmit_lab0000000000002 (RUNNING) entrypoint") } },
	{ &check_ray,
	  { { "version", "ray/disabled/version.http" },
	    { "jobs", "ray/open/jobs.http" } },
	  "ray.no_auth",
	  { NULL } },
	{ &check_ray,
	  { { "version", "ray/disabled/version.http" },
	    { "jobs", "ray/decoy/jobs.http" } },
	  "ray.no_auth",
	  { NULL } },
	{ &check_nomad,
	  { { "jobs", "nomad/miner/jobs.http" },
	    { "self", "nomad/open/self.http" },
	    { "job0", "nomad/decoy/web.http" },
	    { "job1", "nomad/miner/sys-update.http" } },
	  "nomad.no_auth,nomad.compromise_indicator",
	  { SIGN_EV("miner binary \"kdevtmpfsi\" in job sys-update "
		    "(running) task update (driver raw_exec) args") } },
	{ &check_nomad,
	  { { "jobs", "nomad/open/jobs.http" },
	    { "self", "nomad/open/self.http" },
	    { "job0", "nomad/decoy/web.http" } },
	  "nomad.no_auth",
	  { NULL } },
	{ &check_consul,
	  { { "self", "consul/open/self.http" },
	    { "services", "consul/open/services.http" },
	    { "checks", "consul/miner/checks.http" } },
	  "consul.no_auth,consul.compromise_indicator",
	  { "1 sign of compromise: ",
	    "miner binary \"xmrig\" in check sys (type script) script args" } },
	{ &check_consul,
	  { { "self", "consul/open/self.http" },
	    { "services", "consul/open/services.http" } },
	  "consul.no_auth",
	  { NULL } },
	{ &check_consul,
	  { { "self", "consul/open/self.http" },
	    { "checks", "consul/decoy/checks.http" } },
	  "consul.no_auth",
	  { NULL } },
	{ &check_yarn,
	  { { "info", "yarn/open/info.http" },
	    { "apps", "yarn/miner/apps.http" } },
	  "yarn.api_no_auth,yarn.compromise_indicator",
	  { SIGN_EV("miner binary \"xmrig\" in application "
		    "application_1700000000000_0002 (user dr.who, RUNNING) "
		    "name") } },
	{ &check_yarn,
	  { { "info", "yarn/open/info.http" },
	    { "apps", "yarn/open/apps.http" } },
	  "yarn.api_no_auth",
	  { NULL } },
	{ &check_yarn,
	  { { "info", "yarn/open/info.http" },
	    { "apps", "yarn/decoy/apps.http" } },
	  "yarn.api_no_auth",
	  { NULL } },
	{ &check_kubernetes,
	  { { "version", "kubernetes/anonymous/version.http" },
	    { "pods", "kubernetes/anonymous/pods.http" },
	    { "secrets", "kubernetes/anonymous/secrets.http" },
	    { "daemonsets", "kubernetes/miner/daemonsets.http" } },
	  "kubernetes.anonymous_api,kubernetes.compromise_indicator",
	  { "2 signs of compromise: campaign image \"gakeaws/\" in daemonset "
	    "kube-system/node-cache (created 2026-12-01T03:14:15Z) container "
	    "cache image",
	    "miner binary \"kdevtmpfsi\" in daemonset kube-system/node-cache" } },
	{ &check_kubernetes,
	  { { "version", "kubernetes/anonymous/version.http" },
	    { "pods", "kubernetes/anonymous/pods.http" },
	    { "secrets", "kubernetes/anonymous/secrets.http" },
	    { "daemonsets", "kubernetes/decoy/daemonsets.http" } },
	  "kubernetes.anonymous_api",
	  { NULL } },
	{ &check_jupyter,
	  { { "api", "jupyter/decoy/api.http" },
	    { "kernels", "jupyter/decoy/kernels.http" },
	    { "sessions", "jupyter/decoy/sessions.http" },
	    { "terminals", "jupyter/decoy/terminals.http" } },
	  "jupyter.no_auth",
	  { NULL } },
	{ &check_nodered,
	  { { "settings", "../ainpm/nodered/open/settings.http" },
	    { "flows", "../ainpm/nodered/miner/flows.http" } },
	  "nodered.no_auth,nodered.compromise_indicator",
	  { "miner binary \"xmrig\" in exec node", "command" } },
	{ &check_nodered,
	  { { "settings", "../ainpm/nodered/open/settings.http" },
	    { "flows", "../ainpm/nodered/open/flows.http" } },
	  "nodered.no_auth",
	  { NULL } },
	{ &check_nodered,
	  { { "settings", "../ainpm/nodered/open/settings.http" },
	    { "flows", "../ainpm/nodered/decoy/flows.http" } },
	  "nodered.no_auth",
	  { NULL } },
};

Test(aiapi_assess, compromise_signs)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	char ids[256], path[256];
	size_t i, j, k;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	for (i = 0; i < sizeof(sign_cases) / sizeof(sign_cases[0]); i++) {
		const struct sign_case *sc = &sign_cases[i];
		cJSON *f = new_facts();
		struct check_ctx *ctx;
		struct finding_list *l;
		const char *ev = "";

		for (j = 0; j < 6 && sc->resp[j][0] != NULL; j++) {
			snprintf(path, sizeof(path), FIX "%s", sc->resp[j][1]);
			add_file(f, sc->resp[j][0], path);
		}
		ctx = ctx_new(sc->c, &cfg, &t, &a, sc->c->ports[0], NULL);
		cr_assert_not_null(ctx);
		cr_assert_geq(sc->c->assess(f, ctx), 0);
		l = ctx_findings(ctx);
		ids[0] = '\0';
		for (k = 0; k < l->n; k++) {
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 "%s%s", k ? "," : "", l->v[k].rule_id);
			if (strstr(l->v[k].rule_id, ".compromise_indicator")) {
				ev = l->v[k].evidence;
				cr_expect_float_eq(l->v[k].cvss_score, 10.0,
						   1e-9);
			}
		}
		cr_expect_str_eq(ids, sc->ids, "case %zu (%s, %s)", i,
				 sc->c->name, sc->resp[1][1]);
		for (j = 0; j < 3 && sc->ev[j] != NULL; j++)
			cr_expect(strstr(ev, sc->ev[j]) != NULL,
				  "case %zu: \"%s\" not in %s", i, sc->ev[j],
				  ev);
		ctx_free(ctx);
		cJSON_Delete(f);
	}
}
