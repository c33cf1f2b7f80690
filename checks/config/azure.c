/*
 * azure.c - azure.password_ssh_enabled: a Linux VM accepts SSH password
 * logins (disable_password_authentication = false), the door that SSH
 * brute force walks through.
 *
 * References: Checkov CKV_AZURE_1; Trivy AVD-AZU-0039; Prowler
 * vm_linux_enforce_ssh_authentication.
 */
#include "expo.h"
#include "posture.h"

static int azure_judge(const struct target *t, const cJSON *config,
		       struct conf_ctx *c)
{
	(void)t;
	if (!cJSON_IsTrue(cJSON_GetObjectItem(config, "password_ssh")))
		return 0;
	return conf_report(c, "azure.password_ssh_enabled", 22, NULL,
			   "disable_password_authentication = false: SSH "
			   "accepts passwords");
}

static const struct rule azure_rules[] = {
	{
		.id = "azure.password_ssh_enabled",
		.title = "A Linux VM allows SSH password authentication",
		.description = "Password logins over SSH are what brute "
			       "force and default-credential attacks need.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L",
		.references = "CWE-309; ATT&CK T1110; Checkov CKV_AZURE_1; "
			      "Trivy AVD-AZU-0039",
		.remediation = "Set disable_password_authentication = true "
			       "and give an admin_ssh_key.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
};

const struct check check_azure = {
	.name = "azure",
	.summary = "config: SSH password logins on Linux VMs (no network)",
	.flags = CHECK_CONFIG,
	.rules = azure_rules,
	.nrules = ARRAY_SIZE(azure_rules),
	.judge = azure_judge,
};
