/*
 * test_ainpm_lab.c - the n8n, Node-RED and MCP checks against the real
 * servers the lab installs from the npm registry (tests/lab/lab.d/ainpm.sh:
 * Node-RED 4.1.8, n8n 1.123.81, the MCP everything server 2026.8.31 over
 * Streamable HTTP and HTTP+SSE), their refusing twins (adminAuth, an
 * owner, a bearer token), a decoy and hostile servers on the same ports,
 * through the whole engine. EXPO_LAB_DIR names the running lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_n8n, check_nodered, check_mcp;

static const struct check *ai_checks[] = { &check_n8n, &check_nodered,
					   &check_mcp };

#define NET "127.0.70."
#define TIMEOUT_MS 2000u

static void suite_init(void)
{
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(ainpm_lab, .init = suite_init, .fini = curl_global_cleanup);

static void require_lab(void)
{
	char v[8];

	lab_env_opt("EXPO_LAB_AINPM", v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no npm servers (tests/lab/lab.d/"
			 "ainpm.sh; make lab-npm installs them)");
}

/* lines of a lab server's log containing needle */
static unsigned log_count(const char *sub, const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/ainpm/%s", lab_dir(), sub);
	return lab_count_lines(path, needle);
}

/* a target probed on one port only, for one check (an inventory line
 * "ADDR:PORT check=NAME") */
static void add_port_target(struct target_list *l, const char *addr,
			    const char *check, uint16_t port)
{
	struct target *t;

	lab_add_target(l, addr);
	t = &l->v[l->n - 1];
	t->ports = calloc(1, sizeof(*t->ports));
	cr_assert_not_null(t->ports);
	snprintf(t->ports[0].check, sizeof(t->ports[0].check), "%s", check);
	t->ports[0].port = port;
	t->nports = 1;
	t->only_listed_ports = true;
}

struct expect {
	const char *addr;
	const char *rules; /* exact "port:rule" set */
};

static const struct expect lab_expect[] = {
	{ NET "1", "1880:nodered.no_auth" },
	{ NET "2", "" }, /* adminAuth */
	{ NET "3", "5678:n8n.no_owner" },
	{ NET "4", "" }, /* owner set up */
	{ NET "5", "3001:mcp.no_auth" },
	{ NET "6", "3001:mcp.no_auth" }, /* HTTP+SSE */
	{ NET "7", "" },		 /* bearer token */
	{ NET "9", "8000:mcp.no_auth" }, /* JSON response mode */
	{ NET "26", "" },		 /* the word-matching decoy */
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

Test(ainpm_lab, whole_lab, .timeout = 120)
{
	static const uint16_t ports[] = { 1880, 5678, 3001 };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	char ids[1024], hostile[8];
	size_t i, k, ti_port, ti_host;
	unsigned closed5, closed6;
	double secs;
	int st;

	require_lab();
	lab_env_opt("EXPO_LAB_AINPM_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1",
			 "no hostile servers: build "
			 "build/lab/hostile first");
	closed5 = log_count("mcp_127.0.70.5_3001/mcp.log", "Transport closed");
	closed6 =
		log_count("mcp_127.0.70.6_3001/mcp.log", "Client Disconnected");
	lab_scan_config(&cfg, ai_checks, 3, 30000);
	cfg.timeout_ms = TIMEOUT_MS;
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	ti_port = l.n;
	add_port_target(&l, NET "8", "mcp", 9400);
	ti_host = l.n;
	for (i = 20; i <= 25; i++) {
		char a[32];

		snprintf(a, sizeof(a), NET "%zu", i);
		lab_add_target(&l, a);
	}
	lab_scan(&cfg, &l, &res, &secs, 300);

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
		/* the twins and the decoy are judged answers, not errors */
		for (k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
			st = lab_check_status(&res, i, ports[k], NULL, &reason);
			cr_expect(st == -1 || st == STATUS_OPEN ||
					  st == STATUS_CLOSED,
				  "%s:%u: status %d (%s)", lab_expect[i].addr,
				  ports[k], st, reason);
		}
	}
	/* a port only the inventory names */
	lab_port_rules_for(&res, NET "8", ids, sizeof(ids));
	cr_expect_str_eq(ids, "9400:mcp.no_auth");
	(void)ti_port;

	/* evidence: versions, names and counts */
	f = lab_finding_for(&res, NET "1", "nodered.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Node-RED 4.1.8") &&
			  strstr(f->evidence, "1 flow, 3 nodes, 1 of them"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "3", "n8n.no_owner");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "showSetupOnFirstLoad") != NULL, "%s",
		  f->evidence);
	f = lab_finding_for(&res, NET "5", "mcp.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "mcp-servers/everything 2.0.0") &&
			  strstr(f->evidence, "streamable http at /mcp") &&
			  strstr(f->evidence, "13 tools") &&
			  strstr(f->evidence, "get-env"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "9", "mcp.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "lab-files 1.9.4") &&
			  strstr(f->evidence, "3 tools") &&
			  strstr(f->evidence, "(code execution): read_file, "
					      "run_command"),
		  "%s", f->evidence);
	/* stateless: no session, so nothing to end */
	cr_expect_geq(log_count("replay_jsonmode.log", "POST /mcp"), 3);
	cr_expect_eq(log_count("replay_jsonmode.log", "DELETE"), 0);
	f = lab_finding_for(&res, NET "6", "mcp.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "http+sse at /sse") &&
			  strstr(f->evidence, "13 tools"),
		  "%s", f->evidence);
	/* the sessions the probe opened were ended */
	cr_expect_eq(
		log_count("mcp_127.0.70.5_3001/mcp.log", "Transport closed"),
		closed5 + 1);
	cr_expect_eq(
		log_count("mcp_127.0.70.6_3001/mcp.log", "Client Disconnected"),
		closed6 + 1);

	/* hostile servers: a status within the timeout, never a finding */
	for (k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
		const struct check *c = k == 0	 ? &check_nodered
					: k == 1 ? &check_n8n
						 : &check_mcp;

		st = lab_check_status(&res, ti_host + 0, ports[k], c, &reason);
		cr_expect_eq(st, STATUS_TIMEOUT, "silent:%u: %d (%s)", ports[k],
			     st, reason);
		st = lab_check_status(&res, ti_host + 1, ports[k], c, &reason);
		cr_expect_eq(st, STATUS_ERROR, "garbage:%u: %d (%s)", ports[k],
			     st, reason);
		st = lab_check_status(&res, ti_host + 2, ports[k], c, &reason);
		cr_expect_eq(st, STATUS_TIMEOUT, "drip:%u: %d (%s)", ports[k],
			     st, reason);
		st = lab_check_status(&res, ti_host + 3, ports[k], c, &reason);
		cr_expect_eq(st, STATUS_ERROR, "1 GB body:%u: %d (%s)",
			     ports[k], st, reason);
		cr_expect(strstr(reason, "over") != NULL, "%s", reason);
	}
	/* a redirect to another address is never followed: MCP says so */
	st = lab_check_status(&res, ti_host + 4, 3001, &check_mcp, &reason);
	cr_expect_eq(st, STATUS_ERROR, "redirect: %d (%s)", st, reason);
	cr_expect(strstr(reason, "redirect to another address") != NULL, "%s",
		  reason);
	st = lab_check_status(&res, ti_host + 5, 3001, &check_mcp, &reason);
	cr_expect_eq(st, STATUS_ERROR, "sse elsewhere: %d (%s)", st, reason);
	cr_expect(strstr(reason, "another address") != NULL, "%s", reason);
	for (i = 20; i <= 25; i++) {
		char a[32];

		snprintf(a, sizeof(a), NET "%zu", i);
		lab_port_rules_for(&res, a, ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: {%s}", a, ids);
	}
	/* everything at once: the slow servers bound the scan */
	cr_expect(secs < TIMEOUT_MS / 1000.0 + 2.5,
		  "the scan took %.2f s (timeout %.1f s)", secs,
		  TIMEOUT_MS / 1000.0);
	scan_result_release(&res);
	target_list_release(&l);
}

/* the bearer twin answers when the token is given: the 401 is the token's
 * doing, not a broken server (and the scanner never sends one) */
Test(ainpm_lab, bearer_twin_is_real, .timeout = 30)
{
	char path[1024], tok[128] = "", hdr[200];
	struct curl_slist *h = NULL;
	long code = 0;
	FILE *fp;
	CURL *c;

	require_lab();
	snprintf(path, sizeof(path), "%s/ainpm/secret/bearer", lab_dir());
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "%s", path);
	cr_assert_not_null(fgets(tok, sizeof(tok), fp));
	fclose(fp);
	tok[strcspn(tok, "\r\n")] = '\0';
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json, text/event-stream");
	c = curl_easy_init();
	cr_assert_not_null(c);
	curl_easy_setopt(c, CURLOPT_URL, "http://" NET "7:3001/mcp");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			 "\"initialize\",\"params\":{\"protocolVersion\":"
			 "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":"
			 "{\"name\":\"lab\",\"version\":\"1\"}}}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwrite);
	fp = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, fp);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	cr_expect_eq(code, 200);
	fclose(fp);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
}

/* an MCP server under a reverse-proxy prefix: a list line's path= label
 * is tried before /mcp and /sse; without it nothing is found there */
Test(ainpm_lab, path_label_finds_mcp_under_a_prefix, .timeout = 60)
{
	const char *bin = getenv("EXPO_BIN");
	char dir[] = "/tmp/expo-mcp-path-XXXXXX", cmd[1024], out[256];
	const char *lines[2] = { "127.0.70.10:8000 check=mcp path=/tools/mcp\n",
				 "127.0.70.10:8000 check=mcp\n" };
	int k;

	require_lab();
	cr_assert_not_null(bin, "EXPO_BIN is not set");
	cr_assert_not_null(mkdtemp(dir));
	for (k = 0; k < 2; k++) {
		FILE *f, *p;
		char list[128];
		int found = 0;

		snprintf(list, sizeof(list), "%s/list%d.txt", dir, k);
		f = fopen(list, "w");
		cr_assert_not_null(f);
		fputs(lines[k], f);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "%s scan %s --checks mcp -q --fail-on none --json - "
			 "| jq -r '.findings[].rule'",
			 bin, list);
		p = popen(cmd, "r");
		cr_assert_not_null(p);
		while (fgets(out, sizeof(out), p) != NULL)
			found += strncmp(out, "mcp.no_auth", 11) == 0;
		pclose(p);
		cr_expect_eq(found, k == 0 ? 1 : 0, "line %d: %d findings", k,
			     found);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
