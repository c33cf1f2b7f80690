/*
 * test_inventory_hosts.c - ansible-inventory and nmap -oX loaders.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "target.h"
#include "test_inventory.h"

/* ---- Ansible ---- */

TestSuite(inventory_ansible, .init = inv_test_chdir);

static const char *groups(const struct target *t)
{
	return cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(t->meta->tags, "groups"));
}

Test(inventory_ansible, list)
{
	const char *f = "ansible.json";
	struct target_list l;
	const struct target *t;
	char *err = NULL;
	char buf[INET6_ADDRSTRLEN];

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 6);
	cr_assert_str_eq(l.v[0].id, "ansible:web1");
	cr_assert_str_eq(l.v[1].id, "ansible:localhost");
	cr_assert_str_eq(l.v[2].id, "ansible:db1");

	/* in two groups: one target; hostvars port beats group vars */
	t = inv_test_find(&l, "ansible:web1");
	cr_assert_str_eq(t->provider, "ansible");
	cr_assert_str_eq(t->name, "web1");
	cr_assert_eq(t->naddrs, 1);
	inv_test_addr(t, 0, "192.0.2.80", true);
	cr_assert_eq(t->nports, 1);
	inv_test_port(t, 0, "ssh", 2222);
	cr_assert_not(t->only_listed_ports);
	cr_assert_str_eq(groups(t), "web,db");

	t = inv_test_find(&l, "ansible:localhost");
	cr_assert_null(t->skip_reason);
	cr_assert_geq(t->naddrs, 1);
	cr_assert_not(t->addrs[0].is_public);
	cr_assert(!strcmp(target_addr_text(&t->addrs[0], buf), "127.0.0.1") ||
		  !strcmp(buf, "::1"));

	t = inv_test_find(&l, "ansible:db1");
	inv_test_addr(t, 0, "10.5.0.9", false);
	inv_test_port(t, 0, "ssh", 2200); /* group vars, as a string */
	cr_assert_str_eq(groups(t), "db");

	/* aws_ec2 plugin hostvars */
	t = inv_test_find(&l, "ansible:ec2a");
	cr_assert_eq(t->naddrs, 2);
	inv_test_addr(t, 0, "203.0.113.90", true);
	inv_test_addr(t, 1, "10.6.0.9", false);
	cr_assert_str_eq(t->meta->zone, "us-west-2a");
	cr_assert_str_eq(t->meta->region, "us-west-2");
	cr_assert_str_eq(t->meta->state, "running");
	cr_assert_null(t->skip_reason);

	t = inv_test_find(&l, "ansible:ec2b");
	cr_assert_str_eq(t->skip_reason, "ansible aws state stopped: not "
					 "scanned");
	inv_test_addr(t, 0, "10.6.0.10", false);

	t = inv_test_find(&l, "ansible:2001:db8::99");
	inv_test_addr(t, 0, "2001:db8::99", true);
	cr_assert_str_eq(groups(t), "");
	target_list_release(&l);
}

Test(inventory_ansible, empty_and_errors)
{
	const char *f = "ansible_empty.json";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
	inv_test_fails("ansible_badport.json", NULL,
		       "ansible_badport.json: "
		       "$._meta.hostvars.h1.ansible_port: expected an integer "
		       "from 1 to 65535");
}

/* ---- nmap ---- */

TestSuite(inventory_nmap, .init = inv_test_chdir);

Test(inventory_nmap, xml)
{
	const char *f = "nmap.xml";
	struct target_list l;
	const struct target *t;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	/* the hosthint is not a host */
	cr_assert_eq(l.n, 4);
	cr_assert_str_eq(l.v[0].id, "nmap:192.0.2.1");

	t = &l.v[0];
	cr_assert_str_eq(t->provider, "nmap");
	cr_assert_str_eq(t->source, "nmap.xml");
	cr_assert_str_eq(t->name, "gw.example.test");
	cr_assert_null(t->meta);
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 1); /* the MAC is not an address */
	inv_test_addr(t, 0, "192.0.2.1", true);
	cr_assert_not(t->only_listed_ports);
	/* open TCP, and open (or open|filtered) UDP with its protocol */
	cr_assert_eq(t->nports, 8);
	/* the service name goes to the engine, which picks the check */
	inv_test_port(t, 0, "", 22);
	cr_assert_str_eq(t->ports[0].service, "ssh");
	inv_test_port(t, 1, "", 5432);
	cr_assert_str_eq(t->ports[1].service, "postgresql");
	inv_test_port(t, 2, "", 445);
	cr_assert_str_eq(t->ports[2].service, "microsoft-ds");
	inv_test_port(t, 3, "", 139);
	inv_test_port(t, 4, "", 3389);
	cr_assert_str_eq(t->ports[4].service, "ms-wbt-server");
	inv_test_port(t, 5, "", 8080);
	cr_assert_str_eq(t->ports[5].service, "http-proxy");
	inv_test_port(t, 6, "", 9100);
	cr_assert_str_eq(t->ports[6].service, "jetdirect");
	cr_assert_eq(t->ports[6].proto, PROTO_TCP);
	inv_test_port(t, 7, "", 53);
	cr_assert_str_eq(t->ports[7].service, "domain");
	cr_assert_eq(t->ports[7].proto, PROTO_UDP);

	t = inv_test_find(&l, "nmap:192.0.2.2");
	cr_assert_str_eq(t->skip_reason, "nmap: host down");

	t = inv_test_find(&l, "nmap:2001:db8::7");
	inv_test_addr(t, 0, "2001:db8::7", true);
	inv_test_port(t, 0, "", 2222);
	cr_assert_str_eq(t->ports[0].service, "ssh");

	t = inv_test_find(&l, "nmap:10.9.0.1");
	inv_test_addr(t, 0, "10.9.0.1", false);
	cr_assert_eq(t->nports, 0);
	target_list_release(&l);
}

/* a host with more addresses than a target keeps: the first 16 are kept
 * (each one still checked), nothing is written past the array (ASan) */
Test(inventory_nmap, many_addresses)
{
	const char *f = "nmap_manyaddrs.xml";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].id, "nmap:192.0.2.1");
	/* every address is kept (no fixed-size array to overflow) */
	cr_assert_eq(l.v[0].naddrs, 20);
	inv_test_addr(&l.v[0], 15, "192.0.2.16", true);
	inv_test_addr(&l.v[0], 19, "192.0.2.20", true);
	target_list_release(&l);
}

Test(inventory_nmap, xxe_is_refused)
{
	inv_test_fails("nmap_xxe.xml", NULL,
		       "nmap_xxe.xml:2: entity "
		       "declarations are refused (nmap never writes them; "
		       "they could read local files)");
	inv_test_fails("nmap_xxe_param.xml", "nmap",
		       "nmap_xxe_param.xml:3: "
		       "entity declarations are refused (nmap never writes "
		       "them; they could read local files)");
}

Test(inventory_nmap, errors)
{
	inv_test_fails("nmap_bad.xml", NULL,
		       "nmap_bad.xml:4: not valid XML: "
		       "Opening and ending tag mismatch: host line 3 and "
		       "nmaprun");
	inv_test_fails("nmap_badaddr.xml", NULL,
		       "nmap_badaddr.xml:4: "
		       "<address addr='192.0.2.999'> is not an IP address");
	inv_test_fails("nmap_wrongroot.xml", NULL,
		       "nmap_wrongroot.xml:1: "
		       "root element is <html>, expected <nmaprun> (nmap -oX "
		       "output)");
}

Test(inventory_nmap, empty)
{
	const char *f = "nmap_empty.xml";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}

/* an external DTD is neither fetched nor read, and the load works */
Test(inventory_nmap, external_dtd_not_loaded)
{
	const char *f = "nmap_extdtd.xml";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].id, "nmap:192.0.2.9");
	cr_assert_str_eq(l.v[0].name, "a&b");
	target_list_release(&l);
}
