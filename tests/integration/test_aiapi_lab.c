/*
 * test_aiapi_lab.c - the AI and automation control-plane checks (ollama,
 * openai_api, open_webui, comfyui, langflow, jenkins, nomad, ray) through
 * the whole engine against the lab's replay servers
 * (tests/lab/lab.d/aiapi.sh): each product open and its refusing twin,
 * two decoys that name the products without being them, hostile HTTP
 * servers on the same ports, and an nmap inventory that names "http" on
 * an unusual port. EXPO_LAB_DIR names the running lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "inventory.h"
#include "target.h"

extern const struct check check_ollama, check_openai_api, check_open_webui,
	check_comfyui, check_langflow, check_jenkins, check_nomad, check_ray;

static const struct check *ai_checks[] = {
	&check_ollama,	 &check_openai_api, &check_open_webui, &check_comfyui,
	&check_langflow, &check_jenkins,    &check_nomad,      &check_ray,
};

#define NET "127.0.46."
#define TIMEOUT_MS 1500u

static void suite_init(void)
{
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(aiapi_lab, .init = suite_init, .fini = curl_global_cleanup);

static void require_lab(void)
{
	char v[8];

	lab_env_opt("EXPO_LAB_AIAPI", v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no aiapi servers "
			 "(tests/lab/lab.d/aiapi.sh)");
}

static unsigned replay_count(const char *addr, unsigned port,
			     const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/aiapi/replay_%s_%u.log", lab_dir(),
		 addr, port);
	return lab_count_lines(path, needle);
}

static void ai_config(struct scan_config *cfg)
{
	lab_scan_config(cfg, ai_checks,
			sizeof(ai_checks) / sizeof(ai_checks[0]), 20000);
	cfg->timeout_ms = TIMEOUT_MS;
}

static const struct {
	const char *addr;
	const char *rules; /* exact "port:rule" set */
} lab_expect[] = {
	{ NET "1", "11434:ollama.no_auth" },
	{ NET "2", "" }, /* Ollama behind a 401 proxy */
	{ NET "3", "8000:openai_api.no_auth" },
	{ NET "4", "" }, /* vLLM --api-key */
	/* 8080 is also probed by open_webui and jenkins: only one finding */
	{ NET "5", "8080:openai_api.no_auth" },
	{ NET "6", "" }, /* LiteLLM master_key */
	{ NET "7", "3000:open_webui.no_auth" },
	{ NET "8", "8080:open_webui.open_signup" },
	{ NET "9", "3000:open_webui.open_signup" },
	{ NET "10", "" }, /* Open WebUI hardened */
	{ NET "11", "8188:comfyui.no_auth" },
	{ NET "12", "" },
	{ NET "13", "7860:langflow.no_auth" },
	{ NET "14", "" },
	{ NET "15", "8080:jenkins.anonymous_admin" },
	{ NET "16", "8080:jenkins.anonymous_read" },
	{ NET "17", "" },
	{ NET "18", "4646:nomad.no_auth" },
	{ NET "19", "" }, /* Nomad ACLs */
	{ NET "20", "8265:ray.no_auth" },
	{ NET "21", "" }, /* Ray token authentication */
	{ NET "22", "" }, /* decoy page */
	{ NET "23", "" }, /* decoy JSON */
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

Test(aiapi_lab, whole_lab, .timeout = 120)
{
	static const char *const hostile[] = { NET "30", NET "31", NET "32",
					       NET "33", NET "34" };
	static const unsigned hports[] = { 11434, 8080 };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	char ids[1024];
	size_t i, k, h0;
	unsigned before_99, bad;
	double secs;
	int st;

	require_lab();
	before_99 = replay_count(NET "99", 11434, "GET");
	bad = replay_count(NET "1", 11434, "/api/pull") +
	      replay_count(NET "1", 11434, "/api/generate") +
	      replay_count(NET "1", 11434, "/api/chat") +
	      replay_count(NET "13", 7860, "/api/v1/validate") +
	      replay_count(NET "15", 8080, "POST");
	ai_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	h0 = l.n;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		lab_add_target(&l, hostile[i]);
	lab_scan(&cfg, &l, &res, &secs, 200);

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
	}
	/* the twins and decoys answered: judged answers, not errors */
	for (i = 0; i < NEXPECT; i++) {
		static const unsigned ports[] = { 11434, 8000, 8080, 4000, 3000,
						  8188,	 7860, 4646, 8265 };

		for (k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
			st = lab_check_status(&res, i, (uint16_t)ports[k], NULL,
					      &reason);
			cr_expect(st == -1 || st == STATUS_OPEN,
				  "%s:%u: status %d (%s)", lab_expect[i].addr,
				  ports[k], st, reason);
		}
	}
	/* evidence: versions, counts, GPU; never tokens or job names */
	f = lab_finding_for(&res, NET "1", "ollama.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Ollama 0.5.7 lists 2 models") != NULL,
		  "%s", f->evidence);
	cr_expect(f->gpu != NULL && strstr(f->gpu, "6.2 GiB") != NULL);
	f = lab_finding_for(&res, NET "11", "comfyui.no_auth");
	cr_assert_not_null(f);
	cr_expect(f->gpu != NULL && strstr(f->gpu, "RTX 4090") != NULL);
	cr_expect(strstr(f->evidence, "ComfyUI-Manager V3.30.4") != NULL, "%s",
		  f->evidence);
	cr_expect(strstr(f->rank_reason, "GPU behind the door") != NULL, "%s",
		  f->rank_reason);
	f = lab_finding_for(&res, NET "13", "langflow.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "eyJ") == NULL, "%s", f->evidence);
	f = lab_finding_for(&res, NET "15", "jenkins.anonymous_admin");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Jenkins 2.426.3") != NULL &&
			  strstr(f->evidence, "deploy-prod") == NULL,
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "20", "ray.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Ray 2.52.0") != NULL &&
			  strstr(f->evidence, "\"disabled\"") != NULL,
		  "%s", f->evidence);
	cr_expect(f->gpu != NULL && strstr(f->gpu, "8 GPUs A100") != NULL);
	/* the token-mode twin was asked and answered 401 */
	cr_expect(replay_count(NET "21", 8265, "GET /api/version") > 0);

	/* hostile: a status within the timeout, never a finding */
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		lab_port_rules_for(&res, hostile[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: {%s}", hostile[i], ids);
		for (k = 0; k < 2; k++) {
			st = lab_check_status(&res, h0 + i, (uint16_t)hports[k],
					      &check_ollama, &reason);
			if (hports[k] == 8080)
				st = lab_check_status(&res, h0 + i, 8080,
						      &check_jenkins, &reason);
			switch (i) {
			case 0: /* silent */
			case 2: /* slow drip */
				cr_expect_eq(st, STATUS_TIMEOUT,
					     "%s:%u %d (%s)", hostile[i],
					     hports[k], st, reason);
				break;
			case 1: /* garbage */
			case 3: /* 1 GB body */
				cr_expect_eq(st, STATUS_ERROR, "%s:%u %d (%s)",
					     hostile[i], hports[k], st, reason);
				break;
			default: /* a redirect elsewhere: not followed */
				cr_expect_eq(st, STATUS_ERROR, "%s:%u %d (%s)",
					     hostile[i], hports[k], st, reason);
				cr_expect(strstr(reason, "redirect to another "
							 "address") != NULL,
					  "%s", reason);
			}
		}
	}
	st = lab_check_status(&res, h0 + 3, 11434, &check_ollama, &reason);
	cr_expect(strstr(reason, "body over") != NULL, "%s", reason);
	/* the redirect's target never heard from us */
	cr_expect_eq(replay_count(NET "99", 11434, "GET"), before_99);
	/* nothing that costs the owner or runs code was asked */
	cr_expect_eq(replay_count(NET "1", 11434, "/api/pull") +
			     replay_count(NET "1", 11434, "/api/generate") +
			     replay_count(NET "1", 11434, "/api/chat") +
			     replay_count(NET "13", 7860, "/api/v1/validate") +
			     replay_count(NET "15", 8080, "POST"),
		     bad);
	/* all at once: the slow servers bound the scan, not their sum */
	cr_expect(secs < TIMEOUT_MS / 1000.0 * 3 + 3.0, "the scan took %.2f s",
		  secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/* an nmap inventory: "http" on 18080 is offered to every HTTP check, and
 * the vLLM there is found; an unknown service is no error; "http" on
 * Ollama's port brings openai_api there too, which leaves it to ollama */
Test(aiapi_lab, nmap_http_family, .timeout = 60)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n"
		"<nmaprun scanner=\"nmap\" args=\"nmap -sV\" start=\"1\" "
		"version=\"7.93\" xmloutputversion=\"1.05\">\n"
		"<host><status state=\"up\"/><address addr=\"" NET "24\" "
		"addrtype=\"ipv4\"/><ports>\n"
		"<port protocol=\"tcp\" portid=\"18080\"><state "
		"state=\"open\"/><service name=\"http\"/></port>\n"
		"<port protocol=\"tcp\" portid=\"18081\"><state "
		"state=\"open\"/><service name=\"unknown\"/></port>\n"
		"</ports></host>\n"
		"<host><status state=\"up\"/><address addr=\"" NET "1\" "
		"addrtype=\"ipv4\"/><ports>\n"
		"<port protocol=\"tcp\" portid=\"11434\"><state "
		"state=\"open\"/><service name=\"http\"/></port>\n"
		"</ports></host></nmaprun>\n";
	char path[1100], ids[256];
	const char *p = path;
	struct inventory_opts o = { .format = NULL };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char *err = NULL;
	unsigned models;
	double secs;
	FILE *fp;

	require_lab();
	snprintf(path, sizeof(path), "%s/aiapi/nmap-%d.xml", lab_dir(),
		 (int)getpid());
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(xml, fp);
	fclose(fp);
	target_list_init(&l);
	cr_assert_eq(inventory_load(&p, 1, &o, &l, &err), 0, "%s",
		     err ? err : "");
	ai_config(&cfg);
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, NET "24", ids, sizeof(ids));
	cr_expect_str_eq(ids, "18080:openai_api.no_auth");
	/* Ollama answers /v1/models too: there it is ollama.no_auth only */
	models = replay_count(NET "1", 11434, "GET /v1/models");
	lab_port_rules_for(&res, NET "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "11434:ollama.no_auth");
	/* every check of the family asked, each its own paths */
	cr_expect(replay_count(NET "24", 18080, "GET /v1/models") >= 1);
	cr_expect(replay_count(NET "24", 18080, "GET /api/config") >= 1);
	cr_expect(replay_count(NET "24", 18080, "GET /api/json") >= 1);
	cr_expect(replay_count(NET "24", 18080, "GET /v1/jobs") >= 1);
	cr_expect_gt(models, 0, "openai_api did not probe Ollama's port");
	unlink(path);
	free(err);
	scan_result_release(&res);
	target_list_release(&l);
}
