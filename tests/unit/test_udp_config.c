/*
 * Firewall rules are matched by protocol: a UDP rule opens UDP ports
 * only, a TCP rule TCP ports only, an all-protocol rule both (one world
 * rule, not two); the config stage's doors have a protocol (SNMP's
 * 161/udp is a door only UDP opens). AWS JSON, GCP JSON.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "config.h"
#include "inventory.h"
#include "posture.h"
#include "target.h"
#include "test_inventory.h"

TestSuite(udp_config, .init = inv_test_chdir);

static void load(const char *const *f, size_t n, struct target_list *l)
{
	char *err = NULL;

	target_list_init(l);
	cr_assert_eq(inv_test_load(f, n, NULL, l, &err), 0, "%s", err);
}

Test(udp_config, aws_rules_open_their_own_protocol)
{
	const char *f[] = { "aws_udp_sgs.json", "aws_udp_instances.json" };
	const struct world_rule *w;
	const struct target *t;
	struct target_list l;

	load(f, 2, &l);
	t = inv_test_find(&l, "aws:i-0snmp");
	cr_assert_eq(t->meta->nworld_rules, 1);
	cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_UDP),
		     EXPOSURE_WORLD);
	/* the TCP rule of 161 is 10/8 only; 162/udp (protocol 17) too */
	cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_TCP),
		     EXPOSURE_RESTRICTED);
	cr_assert_eq(target_port_exposure(t, 161), EXPOSURE_RESTRICTED);
	cr_assert_eq(target_port_exposure_proto(t, 162, PROTO_UDP),
		     EXPOSURE_RESTRICTED);
	w = target_port_rule_proto(t, 161, PROTO_UDP);
	cr_assert_not_null(w);
	cr_assert_eq(w->protos, PROTO_BIT(PROTO_UDP));
	cr_assert_str_eq(w->ref, "sg-0snmp ingress udp 161-161 from 0.0.0.0/0");

	/* all protocols: one rule for both */
	t = inv_test_find(&l, "aws:i-0all");
	cr_assert_eq(t->meta->nworld_rules, 1);
	cr_assert_eq(t->meta->world_rules[0].protos,
		     PROTO_BIT(PROTO_TCP) | PROTO_BIT(PROTO_UDP));
	cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_UDP),
		     EXPOSURE_WORLD);
	cr_assert_eq(target_port_exposure_proto(t, 22, PROTO_TCP),
		     EXPOSURE_WORLD);

	/* ICMP opens no port */
	t = inv_test_find(&l, "aws:i-0icmp");
	cr_assert_eq(t->meta->nworld_rules, 0);
	cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_UDP),
		     EXPOSURE_RESTRICTED);
	target_list_release(&l);
}

Test(udp_config, gcp_udp_rule_opens_udp_only)
{
	const char *f[] = { "gcp_firewall.json", "gcp_instances.json" };
	struct target_list l;
	size_t i, n = 0;

	load(f, 2, &l);
	/* "allow-web-range": tcp 8000-8100 and udp (every port) */
	for (i = 0; i < l.n; i++) {
		const struct target *t = &l.v[i];

		if (t->meta == NULL || !t->meta->firewall_known ||
		    target_port_exposure_proto(t, 8000, PROTO_TCP) !=
			    EXPOSURE_WORLD)
			continue;
		n++;
		cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_UDP),
			     EXPOSURE_WORLD, "%s", t->id);
		cr_assert_eq(target_port_exposure_proto(t, 161, PROTO_TCP),
			     EXPOSURE_RESTRICTED, "%s", t->id);
	}
	cr_assert_gt(n, 0);
	target_list_release(&l);
}

/* exactly one finding "target port/proto rule" whose evidence has
 * evidence, or none when evidence is NULL */
static void judge_has(const char *const *files, size_t n, const char *line,
		      const char *evidence)
{
	static const struct check *checks[64];
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	struct scan_config cfg;
	struct target_list l;
	struct finding_list fl;
	size_t i, nchecks = 0, judged, hits = 0;
	char *err = NULL, buf[256];

	for (i = 0; i < check_registry_len; i++)
		if (check_registry[i]->flags & CHECK_CONFIG)
			checks[nchecks++] = check_registry[i];
	target_list_init(&l);
	cr_assert_eq(inventory_load(files, n, &o, &l, &err), 0, "%s", err);
	scan_config_defaults(&cfg);
	cfg.checks = checks;
	cfg.nchecks = nchecks;
	finding_list_init(&fl);
	cr_assert_eq(posture_run(&cfg, &l, &fl, &judged), 0);
	for (i = 0; i < fl.n; i++) {
		snprintf(buf, sizeof(buf), "%s %u/%s %s", fl.v[i].target_id,
			 fl.v[i].port, proto_name(fl.v[i].proto),
			 fl.v[i].rule_id);
		if (strcmp(buf, line) == 0) {
			hits++;
			cr_assert(evidence != NULL && strstr(fl.v[i].evidence,
							     evidence) != NULL,
				  "%s: %s", line, fl.v[i].evidence);
		}
	}
	/* evidence NULL: no such finding */
	cr_assert_eq(hits, evidence != NULL, "%s: %zu findings", line, hits);
	finding_list_release(&fl);
	cfg.checks = NULL;
	cfg.nchecks = 0;
	scan_config_release(&cfg);
	target_list_release(&l);
}

Test(udp_config, snmp_open_to_the_world_is_a_udp_door)
{
	const char *f[] = { "aws_udp_sgs.json", "aws_udp_instances.json" };

	judge_has(f, 2, "aws:i-0snmp 161/udp cloud.port_open_to_world",
		  "snmp (port 161/udp) is open to the internet");
	/* all ports of all protocols: one finding, naming the UDP door */
	judge_has(f, 2, "aws:i-0all 0/tcp cloud.port_open_to_world",
		  "161/udp snmp");
}

Test(udp_config, terraform_plan_udp_ingress)
{
	/* tests/fixtures/plan/aws.json with two UDP ingress entries to
	 * 0.0.0.0/0 added to ssh_world: 161/udp (a UDP door) and 5432/udp
	 * (PostgreSQL's door is TCP: no finding) */
	static const char *const f[] = { "../plan/aws_udp.json" };

	judge_has(f, 1,
		  "tf:aws_instance.gpu[0] 161/udp cloud.port_open_to_world",
		  "snmp (port 161/udp) is open to the internet");
	judge_has(f, 1,
		  "tf:aws_instance.gpu[0] 22/tcp cloud.port_open_to_world",
		  "ssh (port 22)");
	judge_has(f, 1,
		  "tf:aws_instance.gpu[0] 5432/udp cloud.port_open_to_world",
		  NULL);
}
