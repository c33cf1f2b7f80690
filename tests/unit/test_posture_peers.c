/*
 * What the peers' own test suites teach about `terraform show -json`
 * plans: Checkov (bridgecrewio/checkov tests/terraform/...), Trivy
 * (aquasecurity/trivy pkg/iac/scanners/terraformplan/tfjson/testdata),
 * Regula (fugue/regula pkg/loader/test_inputs, rego/tests/rules/tf) and
 * terraform-compliance (terraform-compliance/cli tests/functional). Their
 * plans were read, not copied: each fixture of tests/fixtures/plan/peers/
 * is ours (other names, other values) and reproduces one shape or trap of
 * theirs, with the exact findings asserted, violating and compliant
 * resources side by side. Above each test: the peer file that taught it,
 * and the peer's verdict for the matching rule where ours differs, and
 * why.
 *
 * The one difference that runs through all of them: the peers judge the
 * firewall resource (a security group open to 0.0.0.0/0 fails
 * CKV_AWS_24 whether or not anything uses it); we judge the instance the
 * rule reaches, so a group attached to nothing gives nothing, and an
 * instance gives one finding per door its groups open.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "config.h"
#include "inventory.h"
#include "posture.h"

#define PEERS "tests/fixtures/plan/peers/"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the findings of the config stage on files, as sorted
 * "target port rule[ assumes]" lines joined by "\n" (the helper of
 * test_posture.c); secret: a string no finding may hold, or NULL */
static char *judge(const char *const *files, size_t n, const char *secret)
{
	static const struct check *checks[64];
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	struct scan_config cfg;
	struct target_list l;
	struct finding_list fl;
	size_t i, nchecks = 0, judged, len = 1;
	char *err = NULL, **lines, *out;
	int r;

	for (i = 0; i < check_registry_len; i++)
		if (check_registry[i]->flags & CHECK_CONFIG)
			checks[nchecks++] = check_registry[i];
	target_list_init(&l);
	r = inventory_load(files, n, &o, &l, &err);
	cr_assert_eq(r, 0, "%s", err ? err : "?");
	scan_config_defaults(&cfg);
	cfg.checks = checks;
	cfg.nchecks = nchecks;
	finding_list_init(&fl);
	cr_assert_eq(posture_run(&cfg, &l, &fl, &judged), 0);
	lines = calloc(fl.n + 1, sizeof(*lines));
	for (i = 0; i < fl.n; i++) {
		const struct finding *f = &fl.v[i];

		cr_assert(asprintf(&lines[i], "%s %u %s%s", f->target_id,
				   f->port, f->rule_id,
				   f->assumption ? " assumes" : "") > 0);
		cr_assert_eq(f->confidence, CONFIDENCE_CONFIGURED);
		cr_assert_not_null(f->resource);
		if (secret != NULL) {
			cr_assert_null(
				strstr(f->evidence ? f->evidence : "", secret),
				"%s", f->evidence);
			cr_assert_null(strstr(f->resource, secret));
		}
		len += strlen(lines[i]) + 1;
	}
	qsort(lines, fl.n, sizeof(*lines), cmp);
	out = calloc(1, len);
	for (i = 0; i < fl.n; i++) {
		strncat(out, lines[i], len - strlen(out) - 1);
		strncat(out, "\n", len - strlen(out) - 1);
		free(lines[i]);
	}
	free(lines);
	finding_list_release(&fl);
	cfg.checks = NULL;
	cfg.nchecks = 0;
	scan_config_release(&cfg);
	target_list_release(&l);
	return out;
}

static void expect(const char *file, const char *want)
{
	const char *f[] = { file };
	char *got = judge(f, 1, NULL);

	cr_assert_str_eq(got, want, "%s got:\n%s\nwant:\n%s", file, got, want);
	free(got);
}

/* a copy of file with its first "format_version": "1.2"-like value
 * replaced by ver, in a temporary file whose path is returned */
static char *with_version(const char *file, const char *ver)
{
	static char path[64];
	FILE *in = fopen(file, "r"), *out;
	char buf[65536], *p, *q;
	size_t n;
	int fd;

	cr_assert_not_null(in, "%s", file);
	n = fread(buf, 1, sizeof(buf) - 1, in);
	fclose(in);
	buf[n] = '\0';
	p = strstr(buf, "\"format_version\": \"");
	cr_assert_not_null(p);
	p += strlen("\"format_version\": \"");
	q = strchr(p, '"');
	snprintf(path, sizeof(path), "/tmp/expo-peers-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	out = fdopen(fd, "w");
	fprintf(out, "%.*s%s%s", (int)(p - buf), buf, ver, q);
	fclose(out);
	return path;
}

/*
 * Format versions. Taught by Checkov tests/terraform/runner/resources/plan/
 * tfplan.json (format 0.1, Terraform 0.12.23: references without ".id",
 * metadata_options computed by the provider), its 0.2 plans from
 * Terraform 1.0.x (plan_module_with_connected_resources), Regula
 * pkg/loader/test_inputs/data/tfplan.0.12.json to tfplan.0.15.json, and
 * terraform-compliance, whose functional plans are mostly 0.1. Terraform
 * wrote 0.1 and 0.2 until 1.0.x, 1.0 from 1.1, 1.1 from 1.2, 1.2 from
 * 1.6; the shapes we read are the same in all (HashiCorp's terraform-json
 * reads >= 0.1, < 2.0). Before: a 0.x plan was refused ("unsupported
 * format_version", exit 2), so a Terraform 1.0 pipeline could not gate.
 * Peers: Checkov fails CKV_AWS_24 on the group and CKV_AWS_79 on the
 * instance; we report both on the instance (2222 is no door).
 */
Test(posture_peers, format_versions_0_1_to_1_2_read_alike)
{
	static const char *const versions[] = { "0.1", "0.2", "1.0", "1.1",
						"1.2" };
	const char *want = "tf:aws_db_instance.ledger 0 cloud.public_database\n"
			   "tf:aws_instance.ledger 0 aws.imdsv1_allowed "
			   "assumes\n"
			   "tf:aws_instance.ledger 22 "
			   "cloud.port_open_to_world\n";
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	struct target_list l;
	const char *f[1];
	char *err = NULL;
	size_t i;

	expect(PEERS "tf012-v01.json", want);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		f[0] = with_version(PEERS "tf012-v01.json", versions[i]);
		expect(f[0], want);
		unlink(f[0]);
	}
	/* a major version we do not know is still refused */
	f[0] = with_version(PEERS "tf012-v01.json", "2.0");
	target_list_init(&l);
	cr_assert_neq(inventory_load(f, 1, &o, &l, &err), 0);
	cr_assert_not_null(strstr(err, "unsupported format_version 2.0"), "%s",
			   err);
	free(err);
	target_list_release(&l);
	unlink(f[0]);
}

/*
 * Encodings. Taught by Checkov tests/terraform/parser/resources/
 * plan_encodings/tfplan_win_utf16.json and runner/resources/
 * plan_with_utf_16_encoding/tfplan.json: Windows PowerShell 5's
 * `terraform show -json plan > plan.json` writes UTF-16 with a byte order
 * mark. Checkov decodes it; we ask for UTF-8 by name (before: "NUL byte:
 * this is not a text target list", which did not say what to do). A UTF-8
 * byte order mark (Out-File -Encoding utf8) is read as before.
 */
Test(posture_peers, utf16_plan_is_named_and_utf8_bom_is_read)
{
	static const char plan[] =
		"{\"format_version\": \"1.2\", \"resource_changes\": [{"
		"\"address\": \"aws_db_instance.x\", \"mode\": \"managed\", "
		"\"type\": \"aws_db_instance\", \"name\": \"x\", \"change\": "
		"{\"actions\": [\"create\"], \"after\": {\"port\": 5432, "
		"\"publicly_accessible\": true}}}]}";
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	char path[] = "/tmp/expo-peers-XXXXXX";
	const char *f[] = { path };
	struct target_list l;
	char *err = NULL, *got;
	FILE *out;
	size_t i;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	out = fdopen(fd, "w");
	fputs("\xff\xfe", out);
	for (i = 0; plan[i]; i++) {
		fputc(plan[i], out);
		fputc(0, out);
	}
	fclose(out);
	target_list_init(&l);
	cr_assert_neq(inventory_load(f, 1, &o, &l, &err), 0);
	cr_assert_not_null(strstr(err, "UTF-16"), "%s", err);
	cr_assert_not_null(strstr(err, "UTF-8"), "%s", err);
	free(err);
	target_list_release(&l);

	out = fopen(path, "w");
	fprintf(out, "\xef\xbb\xbf%s", plan);
	fclose(out);
	got = judge(f, 1, NULL);
	cr_assert_str_eq(got,
			 "tf:aws_db_instance.x 5432 cloud.public_database\n");
	free(got);
	unlink(path);
}

/*
 * Groups made in one module, instances in another. Taught by Checkov
 * tests/common/runner_registry/plan_with_for_each_for_enrichment/
 * tf_plan.json (module.sg["bad_example"].aws_security_group.bad) and
 * runner/resources/plan_nested_child_modules/tfplan.json
 * (module.child_0.module.child_1_a...), terraform-compliance
 * tests/functional/test_issue_796 (module.outer[0].module.inner), Trivy
 * tfjson/testdata/module_call.json. The instance names the group as
 * module.bastion_sg.security_group_id (the terraform-aws-modules
 * shape) or receives it as var.sg_ids, three module levels deep. Before:
 * references through module.* and var.* were not followed, and these
 * world-open doors were missed. Peers: Checkov CKV_AWS_24 and Trivy
 * AVD-AWS-0107 fail module.bastion_sg.aws_security_group.this[0] itself
 * and say nothing of the instance; web_sg's 443 fails Regula's
 * ingress_anywhere rule (any world ingress but exactly 80/443 fails
 * there, 443 passes) and none of ours (443 is no door).
 */
Test(posture_peers, groups_cross_modules_by_output_and_variable)
{
	expect(PEERS "modules-crossing.json",
	       "tf:aws_instance.bastion 22 cloud.port_open_to_world\n"
	       "tf:module.lab[\"gpu.a100\"].aws_instance.node 8888 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:module.lab[\"gpu.a100\"].aws_instance.node 8888 "
	       "cloud.port_open_to_world\n"
	       "tf:module.platform.module.compute[0].module.node.aws_"
	       "instance.worker[1] 8265 cloud.port_open_to_world\n");
}

/*
 * for_each keys with dots, brackets, quotes and backslashes. Taught by
 * terraform-compliance tests/functional/actions_for_each_and_modules
 * (module.ecr_repository["repository_1"].aws_instance...) and Checkov's
 * plan_with_for_each_for_enrichment. Each tenant instance joins its own
 * tenant's group only. Before: module.tenant["globex"]'s instance was
 * joined to every tenant's group (references were resolved without the
 * module's instance key: a false 5432 from acme's group), and the key
 * o"hare\ (written "o\"hare\\") was misread, so its own world-open
 * 6379 was missed. Peers flag each tenant's group by itself.
 */
Test(posture_peers, for_each_keys_keep_module_instances_apart)
{
	expect(PEERS "foreach-keys.json",
	       "tf:module.tenant[\"acme.eu\"].aws_instance.app[\"blue]\"] "
	       "5432 cloud.port_open_to_world\n"
	       "tf:module.tenant[\"o\\\"hare\\\\\"].aws_instance.app[\"blue]"
	       "\"] 6379 cloud.port_open_to_world\n");
}

/*
 * Actions and data sources. Taught by Checkov runner/resources/
 * plan_with_deleted_resources/tfplan.json (["create","delete"]),
 * terraform-compliance tests/functional/test_issue_522 (delete, no-op
 * and update side by side), Checkov plan_root_module_resources_no_values
 * and plan_with_iam_data_block (mode "data", actions ["read"]), Trivy
 * tfjson/testdata/plan.json (prior_state). Replaced (["delete","create"])
 * and create-before-destroy (["create","delete"]) instances are judged as
 * they will be; the no-op group is judged as it stands (id known, named
 * by id); deleted and forgotten (["forget"], Terraform 1.7 removed
 * blocks) instances, the data source and prior_state are not judged, and
 * "before" is never read (steady closes its IMDSv1 and leaves the
 * group). Checkov reads planned_values, which holds neither deleted
 * resources nor data sources: the same verdicts.
 */
Test(posture_peers, actions_data_sources_and_prior_state)
{
	expect(PEERS "lifecycle.json",
	       "tf:aws_instance.blue_green 3389 cloud.port_open_to_world\n"
	       "tf:aws_instance.replaced 0 aws.imdsv1_allowed\n"
	       "tf:aws_instance.replaced 3389 cloud.port_open_to_world\n");
}

/*
 * after_unknown in nested blocks. Taught by Regula rego/tests/rules/tf/
 * aws/security_group/inputs/ingress_anywhere_infra.json (ingress
 * [{"cidr_blocks": [false], ...}]), terraform-compliance
 * tests/functional/test_issue-234-ingress (ingress: true when the rules
 * are separate resources) and Checkov tests/terraform/parser/resources/
 * plan_after_unknown. A known world CIDR beside an unknown one is world
 * (d, through half_known); a computed CIDR list or rule set is not
 * judged (b); an unknown IPv6 list leaves the known IPv4 one judged (c).
 * IMDS: b's http_tokens comes from a variable and a's planned block has
 * it unknown (a has no configuration, as in a hand-made plan): neither
 * is reported; c omits the block: IMDSv1 assumed. Before: a was
 * reported as the default. Peers: Checkov reads planned_values, where an
 * unknown is simply absent, so CKV_AWS_79 fails a and b (unless
 * EVAL_TF_PLAN_AFTER_UNKNOWN is set).
 */
Test(posture_peers, unknowns_in_nested_blocks)
{
	expect(PEERS "unknowns.json",
	       "tf:aws_instance.c 0 aws.imdsv1_allowed assumes\n"
	       "tf:aws_instance.c 11434 cloud.port_open_to_world\n"
	       "tf:aws_instance.d 22 cloud.port_open_to_world\n");
}

/*
 * Sensitive values. Taught by Trivy tfjson/testdata/plan.json (format
 * 0.2: after_sensitive beside after_unknown). Terraform prints sensitive
 * values in clear in "after" and marks them in after_sensitive: they are
 * judged as any value (the winrm CIDR is one), and none is printed.
 * Before: a tag value marked sensitive became a target label, printed
 * in every report. Peers judge the same values and print no labels.
 */
Test(posture_peers, sensitive_values_judged_never_printed)
{
	static const char *const f[] = { PEERS "sensitive.json" };
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	struct target_list l;
	char *err = NULL, *got = judge(f, 1, "s3cr3t");
	const cJSON *owner = NULL;
	size_t i;

	cr_assert_str_eq(got,
			 "tf:aws_db_instance.vault 3306 cloud.public_database\n"
			 "tf:aws_instance.jump 0 aws.imdsv1_allowed\n"
			 "tf:aws_instance.jump 5985 cloud.port_open_to_world\n"
			 "tf:aws_instance.jump 5986 "
			 "cloud.port_open_to_world\n",
			 "%s", got);
	free(got);
	target_list_init(&l);
	cr_assert_eq(inventory_load(f, 1, &o, &l, &err), 0, "%s", err);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].id, "tf:aws_instance.jump") == 0 &&
		    l.v[i].meta != NULL)
			owner = cJSON_GetObjectItemCaseSensitive(
				l.v[i].meta->tags, "owner");
	cr_assert_str_eq(cJSON_GetStringValue(owner), "(sensitive)");
	target_list_release(&l);
}

/*
 * Hand-edited plans. Taught by Trivy tfjson/testdata/
 * plan_no_resource_changes.json (a resource in planned_values with no
 * resource change: Trivy once crashed on it, now skips it), Checkov
 * runner/resources/plan/corrupted-tfplan.json and parser/resources/
 * plan_vpc_endpoint/tfplan.json. Here planned_values and resource_changes
 * disagree: we read resource_changes (what Terraform applies), so edge's
 * 22 is world-open and core's 3389 is not; ghost, only in
 * planned_values, is not judged; malformed entries (no change, a string
 * change, no address, no type, odd actions, an id of the wrong type, a
 * port out of range, a block given as an object) are skipped or read
 * for what they hold, without a crash. Peers: Checkov reads
 * planned_values, so it fails CKV_AWS_25 on core and passes edge; Trivy
 * takes values from resource_changes, like us.
 */
Test(posture_peers, hand_edited_plan_trusts_resource_changes)
{
	expect(PEERS "hand-edited.json",
	       "tf:aws_db_instance.odd 0 cloud.public_database\n"
	       "tf:aws_instance.edge 22 cloud.port_open_to_world\n"
	       "tf:aws_instance.odd_actions 0 aws.imdsv1_allowed\n");
}

/*
 * Security group shapes. Taught by Regula rego/tests/rules/tf/aws/
 * security_group/inputs/ingress_anywhere_infra.json and
 * ingress_anywhere_ssh_infra.json, terraform-compliance
 * tests/functional/test_issue-sgr (tcp 0-65535 from 0.0.0.0/0),
 * test_issue-234-ingress (self rules) and Checkov runner/resources/
 * plan_change_keys/tfplan.json (a rule updated on a group named by its
 * known id). by_name: a group given by name in security_groups (the
 * default VPC), with no reference (before: missed). by_id: an existing
 * group by its id, protocol "6". all_open, any_proto, wide: all traffic
 * (-1, 0-0), a new-style rule with ip_protocol -1, tcp 0-65535: one
 * finding at port 0 each. v6: ::/0 only. quiet: udp, icmp, self,
 * another group, a prefix list, egress and 442-444 give nothing; Regula's
 * ingress_anywhere rule fails 442-444 (any world ingress but exactly 80
 * or 443); we report doors only. closing: an update whose "before" was
 * world-open is judged by "after".
 */
Test(posture_peers, aws_security_group_shapes)
{
	expect(PEERS "aws-sg-shapes.json",
	       "tf:aws_instance.all_open 0 cloud.port_open_to_world\n"
	       "tf:aws_instance.any_proto 0 cloud.port_open_to_world\n"
	       "tf:aws_instance.by_id 6379 cloud.port_open_to_world\n"
	       "tf:aws_instance.by_name 22 cloud.port_open_to_world\n"
	       "tf:aws_instance.v6 3389 cloud.port_open_to_world\n"
	       "tf:aws_instance.wide 0 cloud.port_open_to_world\n");
}

/*
 * IMDS. Taught by Checkov tests/terraform/parser/resources/
 * plan_provisioners/tfplan.json and runner/resources/plan/tfplan.json
 * (aws_instance with metadata_options computed by the provider and not
 * in the configuration) and by CKV_AWS_79's rule (http_endpoint
 * "disabled" passes). endpoint_off: no endpoint, no token needed;
 * tokens_optional: IMDSv1 stated; no_block: the provider's default is
 * assumed and the finding says so; required: nothing. Peers: Checkov
 * CKV_AWS_79 fails no_block without naming the assumption (the AMI's
 * ImdsSupport or the account default may require tokens), and fails the
 * launch template (Trivy AVD-AWS-0130 likewise for launch
 * configurations); we judge instances only, and the instances an
 * autoscaling group launches are not in the plan.
 */
Test(posture_peers, imds_endpoint_tokens_and_the_default)
{
	expect(PEERS "aws-imds.json",
	       "tf:aws_instance.no_block 0 aws.imdsv1_allowed assumes\n"
	       "tf:aws_instance.tokens_optional 0 aws.imdsv1_allowed\n");
}

/*
 * Network interfaces. Taught by Checkov tests/terraform/runner/resources/
 * plan/tfplan.json, whose aws_network_interface carries groups of its
 * own. An instance's groups also come from the interface its
 * network_interface block names (desk), from an
 * aws_network_interface_attachment (render, an existing interface by
 * id) and from an aws_network_interface_sg_attachment on its primary
 * interface (build). Before: all three were missed. alone shares none.
 * Peers judge the groups alone, so they see the same doors, on the group.
 */
Test(posture_peers, groups_through_network_interfaces)
{
	expect(PEERS "aws-eni.json",
	       "tf:aws_instance.build 2375 cloud.port_open_to_world\n"
	       "tf:aws_instance.build 2376 cloud.port_open_to_world\n"
	       "tf:aws_instance.desk 5900 cloud.port_open_to_world\n"
	       "tf:aws_instance.render 5901 cloud.gpu_instance_exposed\n"
	       "tf:aws_instance.render 5901 cloud.port_open_to_world\n");
}

/*
 * GCP. Taught by Checkov tests/terraform/runner/extra_tf_plan_checks/
 * modules.json (EGRESS rules, allow with no ports) and tests/terraform/
 * parser/resources/plan_booleans/tfplan.json (metadata "True"/"False";
 * an instance running as a google_service_account the plan creates).
 * A rule reaches the instances of its own network only: open_ssh_default
 * (no target) reaches on_default, not on_data, whose network (a self
 * link) pg_by_number names; jupyter_ml, by reference to
 * google_compute_network.ml, reaches in_ml, not in_ops (before: both
 * rules reached every instance of the plan). "6" is TCP (before:
 * skipped); "all" with no ports opens everything (debug_data, by tag).
 * Disabled, EGRESS and udp rules give nothing. Service accounts: "default"
 * is the default account (the provider itself sends "default" for an
 * empty email; before: missed), so is an email from
 * data.google_compute_default_service_account read at apply (before:
 * taken for a created account); sa_created's is created by the plan.
 * Peers: Checkov CKV_GCP_30/31 fail sa_created (planned_values drops the
 * unknown email) and pass sa_alias (their regex wants digits-compute@);
 * Checkov's firewall checks (CKV_GCP_2/3) ignore network, direction,
 * disabled and ::/0: they fail off (disabled, 3389) and pass jupyter_ml
 * (::/0) and all_data (no ports).
 */
Test(posture_peers, gcp_firewall_networks_and_service_accounts)
{
	expect(PEERS "gcp-shapes.json",
	       "tf:google_compute_instance.debug_data 0 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.debug_data 5432 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.in_ml 8888 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.meta_case 0 "
	       "gcp.serial_port_enabled\n"
	       "tf:google_compute_instance.meta_case 22 "
	       "gcp.oslogin_disabled\n"
	       "tf:google_compute_instance.on_data 5432 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.on_default 22 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.sa_alias 0 "
	       "gcp.default_sa_full_access\n"
	       "tf:google_compute_instance.sa_data 0 "
	       "gcp.default_sa_full_access\n");
}

/*
 * Azure NSGs. Taught by Regula rego/tests/rules/tf/azurerm/network/
 * inputs/security_group_no_inbound_22_infra.json (destination_port_range
 * "" beside destination_port_ranges, source_address_prefixes lists,
 * "Any") and Checkov runner/resources/plan_with_resource_reference/
 * tfplan_extra_ref.json (security_rule unknown, rules as separate
 * resources joined by name). edge: * to * (one finding at port 0).
 * mixed: Internet, a list with one *, a range 8000-8100 (its doors), a
 * lowercase "any" (before: missed); Udp, Deny, Outbound and an office
 * prefix give nothing. split: separate rules, one joined by a constant
 * name, one by reference. Peers: Regula's azurerm inbound_port library
 * checks no protocol (it fails ssh-udp) and compares prefixes to a
 * lower-case set without lowering them, so "Internet" as the provider
 * writes it does not fail there; we report it.
 */
Test(posture_peers, azure_nsg_shapes)
{
	expect(PEERS "azure-shapes.json",
	       "tf:azurerm_linux_virtual_machine.edge 0 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.edge 22 "
	       "azure.password_ssh_enabled\n"
	       "tf:azurerm_linux_virtual_machine.mixed 22 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 3389 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 6443 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8000 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8080 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8081 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8082 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8086 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.mixed 8088 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.split 11434 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:azurerm_linux_virtual_machine.split 11434 "
	       "cloud.port_open_to_world\n");
}

/* resources that exist already join by id, not by reference: the NIC,
 * its association, the subnet's association and a rule naming its group
 * (each was missed when only references joined) */
Test(posture_peers, azure_joins_by_id_and_name)
{
	expect(PEERS "azure-ids.json",
	       "tf:azurerm_linux_virtual_machine.app 22 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.app 3389 "
	       "cloud.port_open_to_world\n");
}

/*
 * A hand-made plan whose module output and module input refer to each
 * other, eight times at each step (no peer fixture: the trap of
 * following references through modules, as the test above does). The
 * walk is bounded in steps, not only in depth, so it ends at once and
 * still finds the group named directly.
 */
Test(posture_peers, module_reference_loops_end, .timeout = 10)
{
	expect(PEERS "module-loop.json",
	       "tf:module.a.aws_instance.spin 22 cloud.port_open_to_world\n");
}
