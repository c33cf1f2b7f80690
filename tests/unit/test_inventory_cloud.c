/*
 * test_inventory_cloud.c - AWS, GCP, Azure and Terraform loaders, with
 * their firewall joins.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "target.h"
#include "test_inventory.h"

static void expect_rule(const struct target *t, uint16_t port, const char *ref)
{
	const struct world_rule *w = target_port_rule(t, port);

	cr_assert_eq(target_port_exposure(t, port), EXPOSURE_WORLD,
		     "%s port %u", t->id, port);
	cr_assert_not_null(w);
	cr_assert_str_eq(w->ref, ref);
}

static void expect_exp(const struct target *t, uint16_t port, enum exposure e)
{
	cr_assert_eq(target_port_exposure(t, port), e, "%s port %u", t->id,
		     port);
}

static const char *tag(const struct target *t, const char *key)
{
	return cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(t->meta->tags, key));
}

/* ---- AWS ---- */

TestSuite(inventory_aws, .init = inv_test_chdir);

Test(inventory_aws, instances_and_security_groups)
{
	const char *f[] = { "aws_sgs.json", "aws_instances.json" };
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 5);

	t = inv_test_find(&l, "aws:i-0aaa");
	cr_assert_str_eq(t->provider, "aws");
	cr_assert_str_eq(t->source, "aws_instances.json");
	cr_assert_str_eq(t->name, "web");
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 4);
	inv_test_addr(t, 0, "203.0.113.10", true);
	inv_test_addr(t, 1, "2001:db8:1::10", true);
	inv_test_addr(t, 2, "10.0.1.10", false);
	inv_test_addr(t, 3, "10.0.1.11", false);
	cr_assert_str_eq(t->meta->account, "111122223333");
	cr_assert_str_eq(t->meta->region, "us-east-1");
	cr_assert_str_eq(t->meta->zone, "us-east-1a");
	cr_assert_str_eq(t->meta->state, "running");
	cr_assert_str_eq(t->meta->os, "linux");
	cr_assert_str_eq(tag(t, "Name"), "web");
	cr_assert_str_eq(tag(t, "env"), "prod");
	cr_assert(t->meta->firewall_known);
	cr_assert_eq(t->meta->nworld_rules, 2);
	expect_rule(t, 22, "sg-0web ingress tcp 22-22 from 0.0.0.0/0");
	expect_rule(t, 443, "sg-0web ingress tcp 443-443 from ::/0");
	expect_exp(t, 5432, EXPOSURE_RESTRICTED);
	expect_exp(t, 21, EXPOSURE_RESTRICTED);

	t = inv_test_find(&l, "aws:i-0bbb");
	cr_assert_str_eq(t->skip_reason, "aws state stopped: not scanned");
	cr_assert_str_eq(t->meta->os, "windows");
	cr_assert_str_eq(t->meta->region, "us-east-1");
	inv_test_addr(t, 0, "10.0.1.20", false);
	expect_exp(t, 22, EXPOSURE_RESTRICTED);
	expect_exp(t, 53, EXPOSURE_RESTRICTED); /* udp only */
	expect_exp(t, 5432, EXPOSURE_RESTRICTED);

	t = inv_test_find(&l, "aws:i-0ccc");
	cr_assert_str_eq(t->skip_reason, "aws state pending: not scanned");
	cr_assert_eq(t->naddrs, 0);

	t = inv_test_find(&l, "aws:i-0ddd");
	cr_assert_str_eq(t->skip_reason, "no address");

	/* sg-0missing is not in the file: nothing can be said */
	t = inv_test_find(&l, "aws:i-0eee");
	cr_assert_null(t->skip_reason);
	cr_assert_str_eq(t->meta->region, "us-east-1");
	expect_exp(t, 22, EXPOSURE_UNKNOWN);
	target_list_release(&l);
}

Test(inventory_aws, without_security_groups_and_region_option)
{
	const char *f = "aws_instances.json";
	struct inventory_opts o = { .region = "eu-central-1" };
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inventory_load(&f, 1, &o, &l, &err), 0, "%s", err);
	t = inv_test_find(&l, "aws:i-0aaa");
	cr_assert_str_eq(t->meta->region, "eu-central-1");
	cr_assert_not(t->meta->firewall_known);
	expect_exp(t, 22, EXPOSURE_UNKNOWN);
	target_list_release(&l);
}

Test(inventory_aws, flat_instances)
{
	const char *f = "aws_flat.json";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].id, "aws:i-0fff");
	cr_assert_str_eq(l.v[0].meta->region, "ap-south-1");
	cr_assert_null(l.v[0].meta->account);
	target_list_release(&l);
}

Test(inventory_aws, errors)
{
	inv_test_fails("aws_badtype.json", NULL,
		       "aws_badtype.json: "
		       "$.Reservations[0].Instances[2].State.Name: expected "
		       "a string");
	inv_test_fails("aws_syntax.json", NULL,
		       "aws_syntax.json:3:46: not "
		       "valid JSON near ' \"State\": {}}]}'");
	inv_test_fails("aws_badaddr.json", NULL,
		       "aws_badaddr.json: "
		       "$.Reservations[0].Instances[0].PublicIpAddress: "
		       "expected an IP address, got '203.0.113.300'");
	inv_test_fails("aws_sgs.json", NULL,
		       "aws_sgs.json: AWS security "
		       "groups need the instances too: give aws ec2 "
		       "describe-instances output in the same call");
}

/* ---- GCP ---- */

TestSuite(inventory_gcp, .init = inv_test_chdir);

Test(inventory_gcp, instances_and_firewall)
{
	const char *f[] = { "gcp_instances.json", "gcp_firewall.json" };
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 3);

	t = inv_test_find(&l, "gcp:1234567890123456789");
	cr_assert_str_eq(t->provider, "gcp");
	cr_assert_str_eq(t->name, "gcp-web");
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 3);
	inv_test_addr(t, 0, "198.51.100.20", true);
	inv_test_addr(t, 1, "2001:db8:2::20", true);
	inv_test_addr(t, 2, "10.128.0.2", false);
	cr_assert_str_eq(t->meta->account, "demo-proj");
	cr_assert_str_eq(t->meta->region, "us-central1");
	cr_assert_str_eq(t->meta->zone, "us-central1-a");
	cr_assert_str_eq(t->meta->state, "RUNNING");
	cr_assert_str_eq(t->meta->os, "linux");
	cr_assert_str_eq(tag(t, "env"), "prod");
	cr_assert(t->meta->firewall_known);
	expect_rule(t, 22,
		    "firewall allow-ssh allow tcp 22-22 from "
		    "0.0.0.0/0");
	expect_exp(t, 5432, EXPOSURE_RESTRICTED); /* internal only */
	expect_exp(t, 3389, EXPOSURE_RESTRICTED); /* other network */
	expect_exp(t, 443, EXPOSURE_RESTRICTED);  /* disabled rule */
	/* 8080 denied at a higher priority, for this service account */
	expect_rule(t, 8000,
		    "firewall allow-web-range allow tcp 8000-8079 "
		    "from 0.0.0.0/0");
	expect_exp(t, 8080, EXPOSURE_RESTRICTED);
	expect_rule(t, 8081,
		    "firewall allow-web-range allow tcp 8081-8100 "
		    "from 0.0.0.0/0");

	t = inv_test_find(&l, "gcp:222");
	cr_assert_str_eq(t->skip_reason, "gcp status TERMINATED: not "
					 "scanned");
	cr_assert_str_eq(t->meta->region, "us-central1");
	expect_exp(t, 22, EXPOSURE_RESTRICTED); /* tag db */

	/* deny beats allow at equal priority */
	t = inv_test_find(&l, "gcp:333");
	cr_assert_str_eq(t->meta->os, "windows");
	inv_test_addr(t, 0, "198.51.100.30", true);
	expect_exp(t, 22, EXPOSURE_RESTRICTED);
	expect_rule(t, 8080,
		    "firewall allow-web-range allow tcp 8000-8100 "
		    "from 0.0.0.0/0");
	target_list_release(&l);
}

Test(inventory_gcp, errors)
{
	inv_test_fails("gcp_badport.json", "gcp",
		       "gcp_badport.json: "
		       "$[0].allowed[0].ports[1]: expected a port or a port "
		       "range like 8000-8080");
	inv_test_fails("gcp_firewall.json", NULL,
		       "gcp_firewall.json: GCP "
		       "firewall rules need the instances too: give gcloud "
		       "compute instances list output in the same call");
}

/* ---- Azure ---- */

TestSuite(inventory_azure, .init = inv_test_chdir);

Test(inventory_azure, vms_and_nsgs)
{
	const char *f[] = { "azure_vms.json", "azure_nsgs.json" };
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 3);

	t = inv_test_find(&l, "azure:aaaaaaaa-0000-0000-0000-000000000001");
	cr_assert_str_eq(t->provider, "azure");
	cr_assert_str_eq(t->name, "az-web");
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 3);
	inv_test_addr(t, 0, "192.0.2.40", true);
	inv_test_addr(t, 1, "10.1.0.4", false);
	inv_test_addr(t, 2, "10.1.0.5", false);
	cr_assert_str_eq(t->meta->account,
			 "00000000-1111-2222-3333-444444444444");
	cr_assert_str_eq(t->meta->region, "westeurope");
	cr_assert_str_eq(t->meta->zone, "1");
	cr_assert_str_eq(t->meta->state, "VM running");
	cr_assert_str_eq(t->meta->os, "linux");
	cr_assert_str_eq(tag(t, "role"), "web");
	cr_assert(t->meta->firewall_known);
	expect_rule(t, 22,
		    "nsg web-nsg rule AllowSSH allow tcp 22-22 from "
		    "Internet");
	expect_exp(t, 5432, EXPOSURE_RESTRICTED); /* VirtualNetwork */
	expect_exp(t, 3389, EXPOSURE_RESTRICTED); /* denied first */
	expect_rule(t, 8001,
		    "nsg web-nsg rule AllowRdpLater allow tcp "
		    "8000-8001 from *");
	expect_exp(t, 80, EXPOSURE_RESTRICTED); /* DenyAllInBound */

	/* ARM-shaped NSG with "properties" */
	t = inv_test_find(&l, "azure:aaaaaaaa-0000-0000-0000-000000000002");
	cr_assert_str_eq(t->skip_reason, "azure power state VM deallocated: "
					 "not scanned");
	cr_assert_str_eq(t->meta->os, "windows");
	cr_assert_null(t->meta->zone);
	cr_assert_null(t->meta->tags);
	inv_test_addr(t, 0, "10.1.0.6", false);
	expect_rule(t, 5432,
		    "nsg win-nsg rule AllowAllWorld allow any "
		    "0-65535 from 0.0.0.0/0");

	/* ARM-shaped VM without -d: no address, no NSG on its NIC */
	t = inv_test_find(&l, "azure:aaaaaaaa-0000-0000-0000-000000000003");
	cr_assert_str_eq(t->skip_reason, "no address: run az vm list -d "
					 "(--show-details)");
	cr_assert_str_eq(t->meta->os, "linux");
	cr_assert_str_eq(t->meta->region, "eastus");
	expect_exp(t, 22, EXPOSURE_UNKNOWN);
	target_list_release(&l);
}

Test(inventory_azure, errors)
{
	inv_test_fails("azure_badips.json", NULL,
		       "azure_badips.json: "
		       "$[0].publicIps: expected an IP address, got "
		       "'not-an-ip'");
	inv_test_fails("azure_nsgs.json", NULL,
		       "azure_nsgs.json: Azure NSGs "
		       "need the VMs too: give az vm list -d output in the "
		       "same call");
}

Test(inventory_azure, empty)
{
	const char *f = "azure_empty.json";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, "azure", &l, &err), 0);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}

/* ---- Terraform ---- */

TestSuite(inventory_terraform, .init = inv_test_chdir);

Test(inventory_terraform, state)
{
	const char *f = "terraform.json";
	struct target_list l;
	const struct target *t;
	char *err = NULL;
	size_t i;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 5);
	for (i = 0; i < l.n; i++)
		cr_assert_str_eq(l.v[i].provider, "terraform");

	t = inv_test_find(&l, "tf:aws_instance.web");
	cr_assert_str_eq(t->name, "tf-web");
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 3);
	inv_test_addr(t, 0, "203.0.113.50", true);
	inv_test_addr(t, 1, "2001:db8:3::5", true);
	inv_test_addr(t, 2, "10.2.0.5", false);
	cr_assert_str_eq(t->meta->account, "111122223333");
	cr_assert_str_eq(t->meta->region, "eu-west-1");
	cr_assert_str_eq(t->meta->zone, "eu-west-1b");
	cr_assert_str_eq(tag(t, "env"), "prod");
	cr_assert(t->meta->firewall_known);
	expect_rule(t, 22, "sg-0tf ingress tcp 22-22 from 0.0.0.0/0");
	expect_rule(t, 8080, "sg-0tf ingress tcp 8080-8080 from 0.0.0.0/0");
	expect_exp(t, 5432, EXPOSURE_RESTRICTED);

	t = inv_test_find(&l, "tf:module.db.aws_instance.db[0]");
	cr_assert_str_eq(t->skip_reason, "terraform instance_state stopped: "
					 "not scanned");
	cr_assert_eq(t->naddrs, 1);
	inv_test_addr(t, 0, "10.2.0.9", false);
	cr_assert_str_eq(t->meta->region, "eu-west-1");
	expect_exp(t, 5432, EXPOSURE_RESTRICTED);

	t = inv_test_find(&l,
			  "tf:module.db.module.gcp.google_compute_instance.vm");
	cr_assert_str_eq(t->name, "tf-gcp");
	inv_test_addr(t, 0, "198.51.100.60", true);
	inv_test_addr(t, 1, "10.3.0.2", false);
	cr_assert_str_eq(t->meta->account, "demo-proj");
	cr_assert_str_eq(t->meta->region, "us-central1");
	cr_assert_str_eq(tag(t, "team"), "data");
	expect_exp(t, 22, EXPOSURE_UNKNOWN);

	t = inv_test_find(&l, "tf:azurerm_linux_virtual_machine.az");
	cr_assert_str_eq(t->name, "tf-az");
	cr_assert_eq(t->naddrs, 2);
	inv_test_addr(t, 0, "192.0.2.70", true);
	inv_test_addr(t, 1, "10.4.0.4", false);
	cr_assert_str_eq(t->meta->os, "linux");
	cr_assert_str_eq(t->meta->zone, "2");

	t = inv_test_find(&l, "tf:azurerm_virtual_machine.old");
	cr_assert_str_eq(t->skip_reason, "no address");
	cr_assert_str_eq(t->meta->zone, "1");
	target_list_release(&l);
}

static const char *fact(const struct target *t, const char *key)
{
	return t->meta && t->meta->config
		       ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				 t->meta->config, key))
		       : NULL;
}

/* a state is judged as a plan is: the same config facts, on the state
 * loader's own targets (their addresses and firewall untouched) */
Test(inventory_terraform, state_has_the_plan_readers_config_facts)
{
	const char *f = "terraform.json", *g = "gpu_terraform.json";
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 5, "no target twice");
	t = inv_test_find(&l, "tf:aws_instance.web");
	cr_assert_str_eq(fact(t, "resource"), "aws_instance.web");
	cr_assert_str_eq(fact(t, "public_address"), "known");
	cr_assert_str_eq(fact(t, "imds_tokens"), "unknown-default");
	expect_rule(t, 22, "sg-0tf ingress tcp 22-22 from 0.0.0.0/0");
	t = inv_test_find(&l,
			  "tf:module.db.module.gcp.google_compute_instance.vm");
	cr_assert_str_eq(fact(t, "kind"), "instance");
	target_list_release(&l);

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&g, 1, NULL, &l, &err), 0, "%s", err);
	t = inv_test_find(&l, "tf:google_compute_instance.infer");
	cr_assert_str_eq(fact(t, "gpu"), t->meta->gpu);
	t = inv_test_find(&l, "tf:aws_instance.web");
	cr_assert_null(fact(t, "gpu"));
	target_list_release(&l);
}

Test(inventory_terraform, errors_and_empty)
{
	const char *f = "terraform_empty.json";
	struct target_list l;
	char *err = NULL;

	inv_test_fails("terraform_v2.json", NULL,
		       "terraform_v2.json: "
		       "$.format_version: unsupported format_version 2.0 "
		       "(this reads 0.x and 1.x: the output of terraform "
		       "show -json)");
	inv_test_fails("terraform_badtype.json", NULL,
		       "terraform_badtype.json: $.values.root_module."
		       "child_modules[0].resources[0].values.public_ip: "
		       "expected a string");
	/* a plan is read too (inventory/tfplan.c): an empty one has no
	 * target */
	{
		const char *pf = "terraform_plan.json";

		target_list_init(&l);
		cr_assert_eq(inv_test_load(&pf, 1, NULL, &l, &err), 0, "%s",
			     err);
		cr_assert_eq(l.n, 0);
		target_list_release(&l);
	}
	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}
