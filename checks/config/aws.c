/*
 * aws.c - aws.imdsv1_allowed: the instance metadata service answers
 * without a session token (IMDSv1), so one SSRF in any web app on the
 * instance hands out the role's credentials (Capital One, 2019).
 *
 * Facts: "imds_tokens" ("optional", "required", or "unknown-default" when
 * a plan or state omits metadata_options: the effective value then comes
 * from the AMI's ImdsSupport and the account default, and the provider's
 * default is optional) and "imds_endpoint" ("disabled" needs no token).
 * An omitted block is reported with that assumption named; a value the
 * plan computes (unknown until apply) is not reported.
 *
 * References: Checkov CKV_AWS_79; Trivy AVD-AWS-0028; Prowler
 * ec2_instance_imdsv2_enabled.
 */
#include <string.h>
#include "expo.h"
#include "posture.h"

static int aws_judge(const struct target *t, const cJSON *config,
		     struct conf_ctx *c)
{
	const char *tokens = cJSON_GetStringValue(
		cJSON_GetObjectItem(config, "imds_tokens"));
	const char *endpoint = cJSON_GetStringValue(
		cJSON_GetObjectItem(config, "imds_endpoint"));

	(void)t;
	if (tokens == NULL ||
	    (endpoint != NULL && strcmp(endpoint, "disabled") == 0))
		return 0;
	if (strcmp(tokens, "optional") == 0)
		return conf_report(c, "aws.imdsv1_allowed", 0, NULL,
				   "metadata_options.http_tokens = "
				   "\"optional\": IMDSv1 answers without a "
				   "session token");
	if (strcmp(tokens, "unknown-default") == 0)
		return conf_report(
			c, "aws.imdsv1_allowed", 0,
			"metadata_options is not set: IMDSv1 is allowed "
			"unless the AMI (ImdsSupport v2.0) or the account's "
			"default requires tokens",
			"no metadata_options: http_tokens defaults to "
			"\"optional\" (IMDSv1 allowed)");
	return 0;
}

static const struct rule aws_rules[] = {
	{
		.id = "aws.imdsv1_allowed",
		.title = "The instance metadata service accepts IMDSv1",
		.description = "Without a session token requirement, an SSRF "
			       "in anything on the instance reads the role's "
			       "credentials from 169.254.169.254.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N",
		.references = "CWE-918; ATT&CK T1552.005; Checkov CKV_AWS_79; "
			      "Trivy AVD-AWS-0028",
		.remediation = "Set metadata_options { http_tokens = "
			       "\"required\" } (aws ec2 "
			       "modify-instance-metadata-options "
			       "--http-tokens required), and make it the "
			       "account default.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
};

const struct check check_aws = {
	.name = "aws",
	.summary = "config: IMDSv1 allowed on EC2 instances (no network)",
	.flags = CHECK_CONFIG,
	.rules = aws_rules,
	.nrules = ARRAY_SIZE(aws_rules),
	.judge = aws_judge,
};
