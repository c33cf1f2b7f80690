/*
 * gcp.c - GCP instance posture from metadata and the service account:
 * interactive serial port, OS Login off, project-wide SSH keys accepted,
 * the default compute service account with the cloud-platform scope.
 *
 * Instance metadata overrides project metadata (the loaders resolve that
 * into the facts "serial_port", "oslogin", "block_project_ssh_keys").
 * Project-wide keys only matter while OS Login is off (with OS Login on,
 * metadata keys are ignored), so gcp.project_ssh_keys_allowed is reported
 * only then; Checkov's CKV_GCP_32 reports it either way.
 *
 * References: Checkov CKV_GCP_30/31/32/33/34/35; Trivy AVD-GCP-0032,
 * AVD-GCP-0036, AVD-GCP-0042, AVD-GCP-0044.
 */
#include "expo.h"
#include "posture.h"

static int gcp_judge(const struct target *t, const cJSON *config,
		     struct conf_ctx *c)
{
	const cJSON *oslogin = cJSON_GetObjectItem(config, "oslogin");
	const char *sa = cJSON_GetStringValue(
		cJSON_GetObjectItem(config, "default_sa_scope"));
	int r = 0;

	(void)t;
	if (cJSON_IsTrue(cJSON_GetObjectItem(config, "serial_port")))
		r = conf_report(c, "gcp.serial_port_enabled", 0, NULL,
				"metadata serial-port-enable = true");
	if (r == 0 && cJSON_IsFalse(oslogin))
		r = conf_report(c, "gcp.oslogin_disabled", 22, NULL,
				"metadata enable-oslogin = false");
	if (r == 0 && !cJSON_IsTrue(oslogin) &&
	    cJSON_IsFalse(
		    cJSON_GetObjectItem(config, "block_project_ssh_keys")))
		r = conf_report(c, "gcp.project_ssh_keys_allowed", 22, NULL,
				"block-project-ssh-keys is not true and OS "
				"Login is off: every project-wide SSH key "
				"logs in");
	if (r == 0 && sa != NULL)
		r = conf_report(c, "gcp.default_sa_full_access", 0, NULL,
				"runs as the default compute service account "
				"%s with the cloud-platform scope",
				sa);
	return r;
}

static const struct rule gcp_rules[] = {
	{
		.id = "gcp.serial_port_enabled",
		.title = "Interactive serial port access is enabled",
		.description = "The serial console accepts logins from any "
			       "address that holds a project SSH key, past "
			       "every firewall rule.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:N",
		.references = "CWE-284; Checkov CKV_GCP_35; Trivy "
			      "AVD-GCP-0032",
		.remediation = "Remove serial-port-enable from the instance "
			       "and project metadata (or set it to false).",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
	{
		.id = "gcp.oslogin_disabled",
		.title = "OS Login is disabled for the instance",
		.description = "Without OS Login, SSH access is managed by "
			       "metadata keys that nobody revokes, not by "
			       "IAM.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-284; Checkov CKV_GCP_33, CKV_GCP_34; Trivy "
			      "AVD-GCP-0036, AVD-GCP-0042",
		.remediation = "Set enable-oslogin = TRUE in project metadata "
			       "and remove instance overrides.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
	{
		.id = "gcp.project_ssh_keys_allowed",
		.title = "Project-wide SSH keys are not blocked",
		.description = "Every SSH key in the project's metadata logs "
			       "in to this instance: one leaked key opens "
			       "them all.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-284; Checkov CKV_GCP_32",
		.remediation = "Set block-project-ssh-keys = true in the "
			       "instance metadata, or enable OS Login.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
	{
		.id = "gcp.default_sa_full_access",
		.title = "The default compute service account runs with the "
			 "cloud-platform scope",
		.description = "The default service account holds Editor on "
			       "the project; with the cloud-platform scope, "
			       "anything on the instance can act as it.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:N",
		.references = "CWE-250; ATT&CK T1078.004; Checkov CKV_GCP_30, "
			      "CKV_GCP_31; Trivy AVD-GCP-0044",
		.remediation = "Run the instance as a dedicated service "
			       "account with the roles it needs, or narrow "
			       "its scopes.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
};

const struct check check_gcp = {
	.name = "gcp",
	.summary = "config: serial port, OS Login, project SSH keys, default "
		   "service account (no network)",
	.flags = CHECK_CONFIG,
	.rules = gcp_rules,
	.nrules = ARRAY_SIZE(gcp_rules),
	.judge = gcp_judge,
};
