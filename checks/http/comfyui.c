/*
 * comfyui.c - comfyui.no_auth: ComfyUI's API answers without
 * authentication (8188).
 *
 * What it sends (checks/http/http.c), reads only: GET /api/system_stats
 * and GET /api/manager/version (ComfyUI-Manager, which installs custom
 * nodes, i.e. remote code, from its UI). Nothing is queued: a prompt
 * would run a workflow. Proof: system_stats is 2xx JSON with a "system"
 * object (comfyui_version, python/pytorch versions) and a "devices" array
 * of objects with a string name and type; a proxy's 401/403 or a page
 * that merely says "ComfyUI" is no finding. Evidence: version, the device
 * names (a CUDA/ROCm/XPU device is the GPU fact of the finding) and
 * whether the Manager answered (a short "V<digit>..." text).
 *
 * References: ComfyUI server.py (/system_stats), ComfyUI-Manager
 * (/manager/version); Tsunami comfyui_exposed_ui_detector; 2026 botnet
 * that installed malicious nodes through ComfyUI-Manager; CWE-306;
 * ATT&CK T1190, T1496.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static const struct http_req comfy_reqs[] = {
	{ .name = "stats", .path = "/api/system_stats" },
	{ .name = "manager", .path = "/api/manager/version" },
};

static const struct http_module comfy_http = {
	.reqs = comfy_reqs,
	.nreqs = ARRAY_SIZE(comfy_reqs),
};

static int comfy_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &comfy_http);
}

/* ComfyUI-Manager answers its version as text ("V3.30.4"): copied into
 * buf without trailing white space, or NULL if the answer is not that */
static const char *manager_version(const cJSON *facts, char *buf, size_t size)
{
	int st = http_status(facts, "manager");
	const char *t = http_text(facts, "manager");
	size_t n, i;

	if (st < 200 || st > 299 || t == NULL)
		return NULL;
	n = strlen(t);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' ||
			 t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n < 2 || n >= size || n > 32 || t[0] != 'V' || t[1] < '0' ||
	    t[1] > '9')
		return NULL;
	for (i = 1; i < n; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || t[i] == '.' ||
		      t[i] == '-' || (t[i] >= 'a' && t[i] <= 'z')))
			return NULL;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return buf;
}

static int comfy_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *st = http_json_ok(facts, "stats");
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(st, "system");
	const cJSON *devs = cJSON_GetObjectItemCaseSensitive(st, "devices");
	const cJSON *d = NULL;
	const char *v = http_str(sys, "comfyui_version");
	char names[256] = "", gpus[160] = "", mbuf[40];
	const char *mgr = manager_version(facts, mbuf, sizeof(mbuf));
	size_t len = 0, glen = 0;
	int n = http_count(devs), err = 0;

	if (!cJSON_IsObject(sys) || n < 0)
		goto out;
	cJSON_ArrayForEach(d, devs)
	{
		const char *name = http_str(d, "name");
		const char *type = http_str(d, "type");

		if (!cJSON_IsObject(d) || name == NULL || type == NULL)
			goto out; /* not ComfyUI's device list */
		if (len < sizeof(names))
			len += (size_t)snprintf(names + len,
						sizeof(names) - len, "%s%s",
						len ? "; " : "", name);
		if (strcmp(type, "cpu") != 0 && glen < sizeof(gpus))
			glen += (size_t)snprintf(gpus + glen,
						 sizeof(gpus) - glen, "%s%s",
						 glen ? "; " : "", name);
	}
	if (gpus[0] != '\0')
		ctx_gpu(ctx, "%s", gpus);
	err = ctx_report(ctx, "comfyui.no_auth", NULL,
			 "ComfyUI %s answers /api/system_stats without "
			 "authentication%s: %d device%s%s%s%s; %s%s%s",
			 v ? v : "(version unknown)", http_transport(facts), n,
			 n == 1 ? "" : "s", n > 0 ? " (" : "", names,
			 n > 0 ? ")" : "",
			 mgr ? "ComfyUI-Manager " : "no node manager answered",
			 mgr ? mgr : "",
			 mgr ? " answers (custom nodes, i.e. code, can be "
			       "installed remotely)"
			     : "");
out:
	return err;
}

static const struct rule comfy_rules[] = {
	{
		.id = "comfyui.no_auth",
		.title = "ComfyUI API answers without authentication",
		.description =
			"ComfyUI has no authentication: anyone who reaches "
			"the port can queue workflows on its GPU and, with "
			"ComfyUI-Manager, install custom nodes, which are "
			"Python code run on the server.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Do not start ComfyUI with --listen on a reachable "
			"address; keep it on 127.0.0.1 behind an "
			"authenticating proxy or SSH tunnel, set the "
			"Manager's security_level to strong, and firewall "
			"8188.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const comfy_services[] = { HTTP_SERVICES, NULL };
static const uint16_t comfy_ports[] = { 8188 };

const struct check check_comfyui = {
	.global_init = http_global_init,
	.name = "comfyui",
	.summary = "ComfyUI API without authentication (8188)",
	.services = comfy_services,
	.ports = comfy_ports,
	.nports = ARRAY_SIZE(comfy_ports),
	.rules = comfy_rules,
	.nrules = ARRAY_SIZE(comfy_rules),
	.state_size = sizeof(struct http_probe),
	.start = comfy_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = comfy_assess,
};
