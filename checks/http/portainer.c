/*
 * portainer.c - portainer.no_admin: Portainer has no administrator yet,
 * so the first visitor creates one (9000, 9443).
 *
 * What it sends (checks/http/http.c), reads only, no login: GET
 * /api/status (public: {"Version":...,"InstanceID":...}), and only if
 * that is Portainer's: GET /api/users/admin/check, the endpoint
 * Portainer's own first-run page asks. Proof: it answers 404 with the
 * JSON message "No administrator account found inside the database";
 * once an administrator exists it answers 204. The admin is never
 * created (POST /api/users/admin/init would take the instance).
 * Evidence: version.
 *
 * References: Portainer API docs (users: GET /users/admin/check, 204 /
 * 404), portainer/portainer api/http/handler/users/admin_check.go,
 * "Initial setup" docs (the instance stops waiting after 5 minutes
 * without an administrator); nuclei portainer-init-deploy; CWE-1188;
 * ATT&CK T1190, T1610.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http.h"

static bool pt_status(const cJSON *facts, const char **ver)
{
	const cJSON *s = http_json_ok(facts, "status");

	*ver = http_str(s, "Version");
	return *ver != NULL && http_str(s, "InstanceID") != NULL;
}

static bool pt_check_path(const cJSON *facts, char *buf, size_t size)
{
	const char *v;

	if (!pt_status(facts, &v))
		return false;
	snprintf(buf, size, "/api/users/admin/check");
	return true;
}

static const struct http_req pt_reqs[] = {
	{ .name = "status", .path = "/api/status" },
	{ .name = "admin_check", .path_fn = pt_check_path },
};

static const uint16_t pt_tls_ports[] = { 9443 };

static const struct http_module pt_http = {
	.reqs = pt_reqs,
	.nreqs = ARRAY_SIZE(pt_reqs),
	.tls_ports = pt_tls_ports,
	.ntls_ports = ARRAY_SIZE(pt_tls_ports),
};

static int pt_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &pt_http);
}

static int pt_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *r = http_resp(facts, "admin_check");
	const char *v,
		*m = http_str(cJSON_GetObjectItemCaseSensitive(r, "json"),
			      "message");

	if (!pt_status(facts, &v) || http_status(facts, "admin_check") != 404 ||
	    m == NULL || strstr(m, "No administrator account") == NULL)
		return 0;
	return ctx_report(
		ctx, "portainer.no_admin", NULL,
		"Portainer %s has no administrator: "
		"/api/users/admin/check answers 404 \"%s\"; the first "
		"visitor creates the admin and controls the Docker "
		"host%s",
		v, m, http_transport(facts));
}

static const struct rule pt_rules[] = {
	{
		.id = "portainer.no_admin",
		.title = "Portainer has no administrator yet: the first "
			 "visitor becomes admin",
		.description =
			"Portainer was started without an administrator: "
			"whoever reaches the port first creates one and "
			"manages the Docker or Kubernetes environments "
			"behind it (containers with the host's root).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-1188; CWE-306; ATT&CK T1190; ATT&CK T1610",
		.remediation = "Create the administrator at once (or start "
			       "Portainer with --admin-password-file), and "
			       "firewall ports 9000 and 9443.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const pt_services[] = { HTTP_SERVICES, "cslistener", NULL };
static const uint16_t pt_ports[] = { 9000, 9443 };

const struct check check_portainer = {
	.global_init = http_global_init,
	.name = "portainer",
	.summary = "Portainer without an administrator yet (9000, 9443)",
	.services = pt_services,
	.ports = pt_ports,
	.nports = ARRAY_SIZE(pt_ports),
	.rules = pt_rules,
	.nrules = ARRAY_SIZE(pt_rules),
	.state_size = sizeof(struct http_probe),
	.start = pt_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = pt_assess,
};
