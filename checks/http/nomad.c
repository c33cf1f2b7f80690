/*
 * nomad.c - nomad.no_auth: Nomad's HTTP API lists jobs without an ACL
 * token (4646); a job is code execution on the clients.
 *
 * What it sends (checks/http/http.c), reads only, no X-Nomad-Token: GET
 * /v1/jobs, and GET /v1/agent/self for the version. Proof: /v1/jobs
 * answers 2xx with a JSON array whose items are objects with string ID
 * and Type, and the answer carries Nomad's X-Nomad-Index header (so an
 * empty list counts, from Nomad only). With ACLs on and no token Nomad
 * answers 403 "Permission denied": no finding. No job is registered or
 * dispatched. Evidence: version and whether ACLs are on (when the agent
 * endpoint answers: with ACLs on, a listable job list means an anonymous
 * policy that grants read, and submission is not proven), number of jobs
 * and of running ones.
 *
 * References: Nomad HTTP API "Jobs" (GET /v1/jobs), "Agent"
 * (/v1/agent/self), "ACL" (X-Nomad-Token, 403); Wiz JINX-0132 (2025,
 * miners through Nomad); CWE-306; ATT&CK T1190, T1496, T1610.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "compromise/sign.h"

#define NOMAD_SIGN_JOBS 8

/* the i-th job of the proven list, the ones not dead first */
static const cJSON *nomad_pick(const cJSON *facts, int i)
{
	const cJSON *jobs = http_json_ok(facts, "jobs"), *it = NULL;
	int pass, k = 0;

	if (http_header(facts, "jobs", "x-nomad-index") == NULL ||
	    !cJSON_IsArray(jobs))
		return NULL;
	for (pass = 0; pass < 2; pass++)
		cJSON_ArrayForEach(it, jobs)
		{
			const char *st = http_str(it, "Status");
			bool dead = st != NULL && strcmp(st, "dead") == 0;

			if (dead != (pass == 1) || http_str(it, "ID") == NULL)
				continue;
			if (k++ == i)
				return it;
		}
	return NULL;
}

/* s percent-encoded (all but RFC 3986 unreserved) onto buf at *len */
static bool put_escaped(char *buf, size_t size, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (*len + 4 > size)
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf[(*len)++] = (char)c;
		} else {
			buf[(*len)++] = '%';
			buf[(*len)++] = hex[c >> 4];
			buf[(*len)++] = hex[c & 15];
		}
	}
	buf[*len] = '\0';
	return true;
}

/* /v1/job/<ID>?namespace=<NS> of the i-th picked job */
static bool nomad_job_path(const cJSON *facts, int i, char *buf, size_t size)
{
	const cJSON *job = nomad_pick(facts, i);
	const char *ns = http_str(job, "Namespace");
	size_t len = 0;

	if (job == NULL || size < sizeof("/v1/job/?namespace="))
		return false;
	memcpy(buf, "/v1/job/", sizeof("/v1/job/"));
	len = strlen(buf);
	if (!put_escaped(buf, size, &len, http_str(job, "ID")))
		return false;
	if (ns != NULL && ns[0] != '\0') {
		if (len + sizeof("?namespace=") > size)
			return false;
		memcpy(buf + len, "?namespace=", sizeof("?namespace="));
		len += sizeof("?namespace=") - 1;
		if (!put_escaped(buf, size, &len, ns))
			return false;
	}
	return true;
}

#define NOMAD_JOB_REQ(i)                                                     \
	static bool nomad_job##i(const cJSON *facts, char *buf, size_t size) \
	{                                                                    \
		return nomad_job_path(facts, i, buf, size);                  \
	}
NOMAD_JOB_REQ(0)
NOMAD_JOB_REQ(1)
NOMAD_JOB_REQ(2)
NOMAD_JOB_REQ(3)
NOMAD_JOB_REQ(4)
NOMAD_JOB_REQ(5)
NOMAD_JOB_REQ(6)
NOMAD_JOB_REQ(7)

static const char *const nomad_job_names[NOMAD_SIGN_JOBS] = {
	"job0", "job1", "job2", "job3", "job4", "job5", "job6", "job7",
};

static const struct http_req nomad_reqs[] = {
	{ .name = "jobs", .path = "/v1/jobs" },
	{ .name = "self", .path = "/v1/agent/self" },
	{ .name = "job0", .path_fn = nomad_job0 },
	{ .name = "job1", .path_fn = nomad_job1 },
	{ .name = "job2", .path_fn = nomad_job2 },
	{ .name = "job3", .path_fn = nomad_job3 },
	{ .name = "job4", .path_fn = nomad_job4 },
	{ .name = "job5", .path_fn = nomad_job5 },
	{ .name = "job6", .path_fn = nomad_job6 },
	{ .name = "job7", .path_fn = nomad_job7 },
};

static const char *const nomad_headers[] = { "x-nomad-index", NULL };

static const struct http_module nomad_http = {
	.reqs = nomad_reqs,
	.nreqs = ARRAY_SIZE(nomad_reqs),
	.headers = nomad_headers,
};

static int nomad_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &nomad_http);
}

static void task_signs(struct sign_set *s, const cJSON *t, const char *job)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(t, "Config");
	const cJSON *x = NULL;
	const char *name = http_str(t, "Name");
	const char *drv = http_str(t, "Driver");
	char where[256], buf[IND_TEXT_MAX + 1];
	int k = 0;

	snprintf(where, sizeof(where), "%s task %.64s (driver %.16s)", job,
		 name ? name : "?", drv ? drv : "?");
	sign_at(s, IND_F_IMAGE, http_str(cfg, "image"), where, "image");
	sign_at(s, IND_F_CMD, http_str(cfg, "command"), where, "command");
	sign_at(s, IND_F_CMD,
		sign_join(cJSON_GetObjectItemCaseSensitive(cfg, "args"), buf,
			  sizeof(buf)),
		where, "args");
	sign_at(s, IND_F_CMD,
		sign_join(cJSON_GetObjectItemCaseSensitive(cfg, "entrypoint"),
			  buf, sizeof(buf)),
		where, "entrypoint");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(t, "Artifacts"))
	{
		if (++k > 16)
			break;
		sign_at(s, IND_F_CMD, http_str(x, "GetterSource"), where,
			"artifact");
	}
	sign_at(s, IND_F_NAME, name, where, "name");
	k = 0;
	/* env names only: a value may be a secret, and is never read */
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(t, "Env"))
	{
		if (++k > 64)
			break;
		sign_at(s, IND_F_NAME, x->string, where, "env name");
	}
}

/* nomad.compromise_indicator over the jobs read one by one */
static int nomad_signs(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *job, *g = NULL, *t = NULL;
	struct sign_set s = { 0 };
	char where[120];
	int i, gi, ti;

	for (i = 0; i < NOMAD_SIGN_JOBS; i++) {
		const char *id, *st;

		job = http_json_ok(facts, nomad_job_names[i]);
		id = http_str(job, "ID");
		if (!cJSON_IsObject(job) || id == NULL)
			continue;
		st = http_str(job, "Status");
		snprintf(where, sizeof(where), "job %.64s (%.16s)", id,
			 st ? st : "status unknown");
		sign_check(&s, IND_F_NAME, id, where);
		gi = 0;
		cJSON_ArrayForEach(
			g, cJSON_GetObjectItemCaseSensitive(job, "TaskGroups"))
		{
			if (++gi > 32)
				break;
			ti = 0;
			cJSON_ArrayForEach(
				t, cJSON_GetObjectItemCaseSensitive(g, "Tasks"))
			{
				if (++ti > 32)
					break;
				if (cJSON_IsObject(t))
					task_signs(&s, t, where);
			}
		}
	}
	return sign_report(ctx, "nomad.compromise_indicator", &s);
}

static int nomad_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *jobs = http_json_ok(facts, "jobs");
	const cJSON *self = http_json_ok(facts, "self");
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(self, "config");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(cfg, "Version");
	const cJSON *it = NULL, *acl;
	const char *v = http_str(ver, "Version");
	int n = http_count(jobs), running = 0, err = 0;

	if (n < 0 || http_header(facts, "jobs", "x-nomad-index") == NULL)
		goto out;
	cJSON_ArrayForEach(it, jobs)
	{
		const char *st = http_str(it, "Status");

		if (!cJSON_IsObject(it) || http_str(it, "ID") == NULL ||
		    http_str(it, "Type") == NULL)
			goto out; /* not a job list */
		if (st != NULL && strcmp(st, "running") == 0)
			running++;
	}
	acl = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "ACL"), "Enabled");
	err = ctx_report(
		ctx, "nomad.no_auth", NULL,
		"Nomad %s lists %d job%s (%d running) on /v1/jobs "
		"without an ACL token%s%s",
		v ? v : "(version unknown)", n, n == 1 ? "" : "s", running,
		cJSON_IsFalse(acl)  ? " (ACLs disabled: anyone may "
				      "register jobs)"
		: cJSON_IsTrue(acl) ? " (ACLs enabled: the anonymous policy "
				      "grants read; job submission not proven)"
				    : "",
		http_transport(facts));
	if (err == 0)
		err = nomad_signs(facts, ctx);
out:
	return err;
}

static const struct rule nomad_rules[] = {
	{
		.id = "nomad.no_auth",
		.title = "Nomad API lists jobs without an ACL token",
		.description = "With ACLs off anyone who reaches the port can "
			       "register a job, which runs their command or "
			       "container on the cluster's clients (JINX-0132: "
			       "miners through Nomad).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1610; "
			      "ATT&CK T1496",
		.remediation =
			"Bootstrap ACLs (acl { enabled = true }, nomad acl "
			"bootstrap) with a deny-by-default anonymous policy, "
			"enable mTLS, and firewall 4646.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("nomad.compromise_indicator",
		  "the jobs (each task's image, command, args, entrypoint, "
		  "artifact sources, task name and env names; never env "
		  "values)"),
};

static const char *const nomad_services[] = { HTTP_SERVICES, NULL };
static const uint16_t nomad_ports[] = { 4646 };

const struct check check_nomad = {
	.global_init = http_global_init,
	.name = "nomad",
	.summary = "Nomad job API without an ACL token (4646)",
	.services = nomad_services,
	.ports = nomad_ports,
	.nports = ARRAY_SIZE(nomad_ports),
	.rules = nomad_rules,
	.nrules = ARRAY_SIZE(nomad_rules),
	.state_size = sizeof(struct http_probe),
	.start = nomad_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = nomad_assess,
};
