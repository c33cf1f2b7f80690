/*
 * The config stage from files, both ways: each fixture holds violating
 * and compliant resources, and the exact findings are asserted (a
 * compliant resource must give nothing). Plans: tests/fixtures/plan/
 * (modules, count and for_each addresses, unknowns, IPv6, an NSG rule
 * with several prefixes, a GCP firewall by tag and by service account,
 * a deleted resource); the clouds' CLI JSON: tests/fixtures/config/.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "config.h"
#include "inventory.h"
#include "posture.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the findings of the config stage on files, as sorted
 * "target port rule[ assumes]" lines joined by "\n" */
static char *judge(const char *const *files, size_t n, const char *fmt)
{
	static const struct check *checks[64];
	struct inventory_opts o = { .max_cidr_addrs = 256,
				    .format = fmt,
				    .offline = true };
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
		cr_assert(asprintf(&lines[i], "%s %u %s%s", fl.v[i].target_id,
				   fl.v[i].port, fl.v[i].rule_id,
				   fl.v[i].assumption ? " assumes" : "") > 0);
		cr_assert_eq(fl.v[i].confidence, CONFIDENCE_CONFIGURED);
		cr_assert_not_null(fl.v[i].resource);
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

static void expect(const char *const *files, size_t n, const char *want)
{
	char *got = judge(files, n, NULL);

	cr_assert_str_eq(got, want, "got:\n%s\nwant:\n%s", got, want);
	free(got);
}

Test(posture_plan, aws)
{
	static const char *const f[] = { "tests/fixtures/plan/aws.json" };

	/* gpu[0]: SSH to 0.0.0.0/0 and Ollama to ::/0 through a rule that
	 * refers to its group; 443 is no door; no metadata_options: IMDSv1
	 * with the assumption named. web["a.b"] in a module: tokens
	 * required, no public address. old: deleted, not judged. The
	 * private database gives nothing. */
	expect(f, 1,
	       "tf:aws_db_instance.reports 5432 cloud.public_database\n"
	       "tf:aws_instance.gpu[0] 0 aws.imdsv1_allowed assumes\n"
	       "tf:aws_instance.gpu[0] 11434 cloud.gpu_instance_exposed\n"
	       "tf:aws_instance.gpu[0] 11434 cloud.port_open_to_world\n"
	       "tf:aws_instance.gpu[0] 22 cloud.gpu_instance_exposed\n"
	       "tf:aws_instance.gpu[0] 22 cloud.port_open_to_world\n");
}

Test(posture_plan, gcp)
{
	static const char *const f[] = { "tests/fixtures/plan/gcp.json" };

	/* gpu[0]: tagged firewall, accelerator, serial port, the default
	 * SA with cloud-platform, OS Login off by the project item. The
	 * notebook (g2, no-op) is reached by the firewall of its service
	 * account; its own metadata turns OS Login on. app["blue"] runs as
	 * a service account the plan creates (its email is unknown): not
	 * the default one. The firewall with a computed source range and
	 * the private Cloud SQL give nothing. */
	expect(f, 1,
	       "tf:google_compute_instance.gpu[0] 0 gcp.default_sa_full_access\n"
	       "tf:google_compute_instance.gpu[0] 0 gcp.serial_port_enabled\n"
	       "tf:google_compute_instance.gpu[0] 22 cloud.gpu_instance_exposed\n"
	       "tf:google_compute_instance.gpu[0] 22 cloud.port_open_to_world\n"
	       "tf:google_compute_instance.gpu[0] 22 gcp.oslogin_disabled\n"
	       "tf:google_compute_instance.gpu[0] 22 "
	       "gcp.project_ssh_keys_allowed\n"
	       "tf:google_compute_instance.notebook 8188 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:google_compute_instance.notebook 8188 "
	       "cloud.port_open_to_world\n"
	       "tf:google_compute_instance.notebook 8888 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:google_compute_instance.notebook 8888 "
	       "cloud.port_open_to_world\n"
	       "tf:google_sql_database_instance.pub 3306 "
	       "cloud.public_database\n"
	       "tf:module.svc.google_compute_instance.app[\"blue\"] 22 "
	       "gcp.oslogin_disabled\n"
	       "tf:module.svc.google_compute_instance.app[\"blue\"] 22 "
	       "gcp.project_ssh_keys_allowed\n");
}

Test(posture_plan, azure)
{
	static const char *const f[] = { "tests/fixtures/plan/azure.json" };

	/* the NSG reaches the GPU VM through its NIC's association; one
	 * prefix of several is Internet; the Deny rule and the 7861 of a
	 * range give nothing; the VM with keys only gives nothing */
	expect(f, 1,
	       "tf:azurerm_linux_virtual_machine.gpu 11434 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:azurerm_linux_virtual_machine.gpu 11434 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.gpu 22 "
	       "azure.password_ssh_enabled\n"
	       "tf:azurerm_linux_virtual_machine.gpu 22 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:azurerm_linux_virtual_machine.gpu 22 "
	       "cloud.port_open_to_world\n"
	       "tf:azurerm_linux_virtual_machine.gpu 7860 "
	       "cloud.gpu_instance_exposed\n"
	       "tf:azurerm_linux_virtual_machine.gpu 7860 "
	       "cloud.port_open_to_world\n");
}

Test(posture_cli, aws_instances_and_security_groups)
{
	static const char *const f[] = { "tests/fixtures/config/ec2.json",
					 "tests/fixtures/config/ec2-sg.json" };

	/* i-0safe: tokens required, office-only SSH; i-0off: the endpoint
	 * is off, so no token is needed */
	expect(f, 2,
	       "aws:i-0gpu 0 aws.imdsv1_allowed\n"
	       "aws:i-0gpu 22 cloud.gpu_instance_exposed\n"
	       "aws:i-0gpu 22 cloud.port_open_to_world\n"
	       "aws:i-0gpu 8265 cloud.gpu_instance_exposed\n"
	       "aws:i-0gpu 8265 cloud.port_open_to_world\n");
}

Test(posture_cli, gcp_instances_with_and_without_project_metadata)
{
	static const char *const alone[] = { "tests/fixtures/config/gce.json" };
	static const char *const with[] = {
		"tests/fixtures/config/gce-project.json",
		"tests/fixtures/config/gce.json"
	};
	const char *want = "gcp:1001 0 gcp.default_sa_full_access\n"
			   "gcp:1001 0 gcp.serial_port_enabled\n"
			   "gcp:1001 22 gcp.oslogin_disabled\n"
			   "gcp:1001 22 gcp.project_ssh_keys_allowed\n";

	/* the instance's own FALSE overrides the project's TRUE; "tidy"
	 * blocks project keys and runs as its own service account */
	expect(alone, 1, want);
	expect(with, 2, want);
}

Test(posture_cli, azure_vms)
{
	static const char *const f[] = {
		"tests/fixtures/config/azure-vms.json"
	};

	expect(f, 1, "azure:v1 22 azure.password_ssh_enabled\n");
}

Test(posture_cli, managed_databases)
{
	static const char *const rds[] = { "tests/fixtures/config/rds.json" };
	static const char *const sql[] = {
		"tests/fixtures/config/cloudsql.json"
	};

	expect(rds, 1, "aws:reports 5432 cloud.public_database\n");
	expect(sql, 1, "gcp:analytics 5432 cloud.public_database\n");
}

Test(posture, doors_are_the_checks_ports_and_the_control_planes)
{
	cr_assert_str_eq(door_service(22), "ssh");
	cr_assert_str_eq(door_service(8265), "ray");
	cr_assert_not_null(door_service(11434));
	cr_assert_not_null(door_service(5678));
	cr_assert_not_null(door_service(1880));
	cr_assert_not_null(door_service(4646));
	cr_assert_not_null(door_service(7860));
	cr_assert_not_null(door_service(8188));
	cr_assert_not_null(door_service(8080));
	cr_assert_null(door_service(80));
	cr_assert_null(door_service(443));
	cr_assert_null(door_service(12345));
}

/* an open-all rule is one finding at port 0 that names the doors */
Test(posture, all_ports_open_is_one_finding)
{
	static const char *const f[] = {
		"tests/fixtures/config/all-open.json"
	};
	char *got = judge(f, 1, NULL);

	cr_assert_str_eq(got,
			 "tf:aws_instance.any 0 aws.imdsv1_allowed "
			 "assumes\n"
			 "tf:aws_instance.any 0 cloud.port_open_to_world\n",
			 "%s", got);
	free(got);
}

/* --offline looks no name up: a host name stays without address */
Test(posture, offline_resolves_nothing)
{
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	static const char *const f[] = { "tests/fixtures/config/names.txt" };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inventory_load(f, 1, &o, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.v[0].naddrs, 0);
	cr_assert_not_null(l.v[0].skip_reason);
	cr_assert(strstr(l.v[0].skip_reason, "--offline") != NULL);
	target_list_release(&l);
}

/* a state's sensitive tags never reach a label or a target name */
Test(posture, state_sensitive_tags_are_not_shown)
{
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	static const char *const f[] = {
		"tests/fixtures/inventory/terraform_sensitive.json"
	};
	struct target_list l;
	char *err = NULL, *s;
	size_t i;

	target_list_init(&l);
	cr_assert_eq(inventory_load(f, 1, &o, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 2);
	for (i = 0; i < l.n; i++) {
		s = cJSON_PrintUnformatted(l.v[i].meta->tags);
		cr_assert(strstr(s, "hunter2") == NULL, "%s", s);
		cr_assert(strstr(s, "secret-name") == NULL, "%s", s);
		cr_assert(l.v[i].name == NULL ||
				  strstr(l.v[i].name, "secret-name") == NULL,
			  "%s", l.v[i].name);
		free(s);
	}
	target_list_release(&l);
}
