/*
 * test_inventory.c - targets, plain lists and inventory_load() itself.
 * Fixtures: tests/fixtures/inventory/ (RFC 5737 public, RFC 1918 private).
 * Each test runs in the fixture directory, so messages name bare files.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expo.h"
#include "inventory.h"
#include "target.h"
#include "test_inventory.h"
#include "../../inventory/loaders.h"

void inv_test_chdir(void)
{
	char dir[4096];
	const char *slash = strrchr(__FILE__, '/');
	int n;

	n = snprintf(dir, sizeof(dir), "%.*s/../fixtures/inventory",
		     slash ? (int)(slash - __FILE__) : 1,
		     slash ? __FILE__ : ".");
	cr_assert(n > 0 && (size_t)n < sizeof(dir));
	cr_assert_eq(chdir(dir), 0, "cannot chdir to %s", dir);
}

int inv_test_load(const char *const *files, size_t n, const char *format,
		  struct target_list *l, char **err)
{
	struct inventory_opts o = { .format = format, .max_cidr_addrs = 0 };

	*err = NULL;
	return inventory_load(files, n, &o, l, err);
}

const struct target *inv_test_find(const struct target_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id))
			return &l->v[i];
	cr_assert_fail("no target %s", id);
	return NULL;
}

void inv_test_addr(const struct target *t, uint32_t i, const char *text,
		   bool pub)
{
	char buf[INET6_ADDRSTRLEN];

	cr_assert_lt(i, t->naddrs, "%s has %u addresses", t->id, t->naddrs);
	cr_assert_str_eq(target_addr_text(&t->addrs[i], buf), text);
	cr_assert_eq(t->addrs[i].is_public, pub, "%s is_public", text);
}

void inv_test_port(const struct target *t, uint32_t i, const char *check,
		   uint16_t port)
{
	cr_assert_lt(i, t->nports, "%s has %u ports", t->id, t->nports);
	cr_assert_str_eq(t->ports[i].check, check);
	cr_assert_eq(t->ports[i].port, port);
}

/* loads one file that must fail; checks the exact message */
void inv_test_fails(const char *file, const char *format, const char *msg)
{
	struct target_list l;
	char *err = NULL;
	int rc;

	target_list_init(&l);
	rc = inv_test_load(&file, 1, format, &l, &err);
	cr_assert_lt(rc, 0, "%s loaded", file);
	cr_assert_not_null(err);
	cr_assert_str_eq(err, msg);
	cr_assert_eq(l.n, 0);
	free(err);
	target_list_release(&l);
}

/* ---- target.h ---- */

TestSuite(inventory_target);

Test(inventory_target, addr_parse)
{
	struct target_addr a;
	char buf[INET6_ADDRSTRLEN];

	cr_assert_eq(target_addr_parse(&a, "192.0.2.7"), 0);
	cr_assert_eq(a.u.sa.sa_family, AF_INET);
	cr_assert_eq(a.salen, sizeof(struct sockaddr_in));
	cr_assert_eq(a.u.sin.sin_port, 0);
	cr_assert(a.is_public);
	cr_assert_str_eq(target_addr_text(&a, buf), "192.0.2.7");

	cr_assert_eq(target_addr_parse(&a, "2001:DB8::0001"), 0);
	cr_assert_eq(a.u.sa.sa_family, AF_INET6);
	cr_assert_eq(a.salen, sizeof(struct sockaddr_in6));
	cr_assert_str_eq(target_addr_text(&a, buf), "2001:db8::1");

	cr_assert_eq(target_addr_parse(&a, "[fe80::1]"), 0);
	cr_assert_not(a.is_public);
	cr_assert_str_eq(target_addr_text(&a, buf), "fe80::1");

	cr_assert_eq(target_addr_parse(&a, "1.2.3"), EXPO_EINVAL);
	cr_assert_eq(target_addr_parse(&a, ""), EXPO_EINVAL);
	cr_assert_eq(target_addr_parse(&a, "[192.0.2.1]"), EXPO_EINVAL);
	cr_assert_eq(target_addr_parse(&a, "localhost"), EXPO_EINVAL);
	cr_assert_eq(target_addr_parse(&a, "[::1"), EXPO_EINVAL);
	cr_assert_eq(target_addr_parse(&a, "192.0.2.1 "), EXPO_EINVAL);
}

Test(inventory_target, addr_is_public)
{
	static const struct {
		const char *a;
		bool pub;
	} cases[] = {
		{ "10.1.2.3", false },
		{ "172.16.0.1", false },
		{ "172.31.255.255", false },
		{ "172.32.0.1", true },
		{ "192.168.1.1", false },
		{ "127.0.0.1", false },
		{ "127.255.0.9", false },
		{ "169.254.169.254", false },
		{ "100.64.0.1", false },
		{ "100.127.255.255", false },
		{ "100.128.0.1", true },
		{ "0.0.0.0", false },
		{ "0.1.2.3", false },
		{ "224.0.0.1", false },
		{ "239.255.255.250", false },
		{ "255.255.255.255", false },
		{ "8.8.8.8", true },
		{ "192.0.2.1", true },
		{ "198.51.100.1", true },
		{ "203.0.113.255", true },
		{ "::1", false },
		{ "::", false },
		{ "fe80::1", false },
		{ "febf::1", false },
		{ "fc00::1", false },
		{ "fd12:3456::1", false },
		{ "ff02::1", false },
		{ "::ffff:10.0.0.1", false },
		{ "::ffff:192.168.0.1", false },
		{ "::ffff:192.0.2.1", true },
		{ "2001:db8::1", true },
		{ "2600::1", true },
	};
	struct target_addr a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(target_addr_parse(&a, cases[i].a), 0, "%s",
			     cases[i].a);
		cr_assert_eq(addr_is_public(&a.u.sa), cases[i].pub, "%s",
			     cases[i].a);
		cr_assert_eq(a.is_public, cases[i].pub, "%s", cases[i].a);
	}
}

Test(inventory_target, list_and_display)
{
	struct target_list l;
	struct target *t;
	const char *s1, *s2;
	char buf[INET6_ADDRSTRLEN];

	target_list_init(&l);
	s1 = target_list_intern_source(&l, "a.txt");
	s2 = target_list_intern_source(&l, "a.txt");
	cr_assert_eq(s1, s2);
	cr_assert_str_eq(s1, "a.txt");
	cr_assert_neq(target_list_intern_source(&l, "b.txt"), s1);
	cr_assert_eq(l.nsources, 2);

	t = target_list_add(&l);
	cr_assert_not_null(t);
	cr_assert_null(t->id);
	t->id = strdup("list:x");
	cr_assert_str_eq(target_display_name(t, buf), "list:x");
	cr_assert_eq(inv_addr_add_text(t, "198.51.100.9", -1), 0);
	cr_assert_eq(inv_addr_add_text(t, "198.51.100.9", 0), 0);
	cr_assert_eq(t->naddrs, 1);
	cr_assert_eq(inv_addr_add_text(t, "nope", -1), EXPO_EINVAL);
	cr_assert_str_eq(target_display_name(t, buf), "198.51.100.9");
	t->name = strdup("web");
	cr_assert_str_eq(target_display_name(t, buf), "web");
	cr_assert_eq(inv_port_add(t, "ssh", 22), 0);
	cr_assert_eq(inv_port_add(t, "ssh", 22), 0);
	cr_assert_eq(t->nports, 1);
	cr_assert_eq(inv_port_add(t, "0123456789abcdef", 1), EXPO_EINVAL);
	for (int i = 0; i < 100; i++)
		cr_assert_not_null(target_list_add(&l));
	cr_assert_eq(l.n, 101);
	cr_assert_str_eq(l.v[0].name, "web");
	target_list_release(&l);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
	target_release(NULL);
}

Test(inventory_target, port_exposure)
{
	struct target t;
	const struct world_rule *w;

	memset(&t, 0, sizeof(t));
	cr_assert_eq(target_port_exposure(&t, 22), EXPOSURE_UNKNOWN);
	cr_assert_not_null(inv_meta(&t));
	cr_assert_eq(inv_world_rule_add(&t, 20, 23,
					"sg-1 ingress tcp %d-%d "
					"from 0.0.0.0/0",
					20, 23),
		     0);
	/* rules alone do not make the firewall known */
	cr_assert_eq(target_port_exposure(&t, 22), EXPOSURE_UNKNOWN);
	cr_assert_null(target_port_rule(&t, 22));
	t.meta->firewall_known = true;
	cr_assert_eq(target_port_exposure(&t, 22), EXPOSURE_WORLD);
	cr_assert_eq(target_port_exposure(&t, 20), EXPOSURE_WORLD);
	cr_assert_eq(target_port_exposure(&t, 23), EXPOSURE_WORLD);
	cr_assert_eq(target_port_exposure(&t, 24), EXPOSURE_RESTRICTED);
	cr_assert_eq(target_port_exposure(&t, 5432), EXPOSURE_RESTRICTED);
	w = target_port_rule(&t, 22);
	cr_assert_not_null(w);
	cr_assert_str_eq(w->ref, "sg-1 ingress tcp 20-23 from 0.0.0.0/0");
	target_release(&t);
	cr_assert_null(t.meta);
}

Test(inventory_target, fw_decide_first_match)
{
	struct fw_set s;
	struct fw_rule *r;
	const struct fw_rule *v[3];
	struct target t;

	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	/* allow all at 200; deny 100-199 at 100; allow 150 at 100 */
	r = fw_rule_add(&s);
	r->priority = 200;
	r->allow = true;
	r->ref = strdup("a");
	r->src = "*";
	fw_rule_add_range(r, 0, 65535);
	r = fw_rule_add(&s);
	r->priority = 100;
	r->ref = strdup("d");
	r->src = "*";
	fw_rule_add_range(r, 100, 199);
	r = fw_rule_add(&s);
	r->priority = 100;
	r->allow = true;
	r->ref = strdup("b");
	r->src = "*";
	fw_rule_add_range(r, 150, 150);
	v[0] = &s.v[0];
	v[1] = &s.v[1];
	v[2] = &s.v[2];
	cr_assert_eq(fw_decide(&t, v, 3), 0);
	cr_assert_eq(t.meta->nworld_rules, 2);
	cr_assert_str_eq(t.meta->world_rules[0].ref, "a 0-99 from *");
	cr_assert_str_eq(t.meta->world_rules[1].ref, "a 200-65535 from *");
	t.meta->firewall_known = true;
	cr_assert_eq(target_port_exposure(&t, 150), EXPOSURE_RESTRICTED);
	cr_assert_eq(target_port_exposure(&t, 65535), EXPOSURE_WORLD);
	target_release(&t);
	fw_set_release(&s);
}

Test(inventory_target, parse_ports)
{
	unsigned lo, hi;

	cr_assert(fw_parse_ports("22", &lo, &hi));
	cr_assert(lo == 22 && hi == 22);
	cr_assert(fw_parse_ports("8000-8080", &lo, &hi));
	cr_assert(lo == 8000 && hi == 8080);
	cr_assert(fw_parse_ports("*", &lo, &hi));
	cr_assert(lo == 0 && hi == 65535);
	cr_assert_not(fw_parse_ports("http", &lo, &hi));
	cr_assert_not(fw_parse_ports("90-80", &lo, &hi));
	cr_assert_not(fw_parse_ports("70000", &lo, &hi));
	cr_assert_not(fw_parse_ports("1-", &lo, &hi));
}

/* ---- plain lists ---- */

TestSuite(inventory_list, .init = inv_test_chdir);

Test(inventory_list, valid)
{
	const char *f = "list_valid.txt";
	struct target_list l;
	const struct target *t;
	char *err = NULL;
	size_t i;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_null(err);
	/* 192.0.2.7:8080 merged into the first 192.0.2.7 */
	cr_assert_eq(l.n, 11);
	cr_assert_str_eq(l.v[0].id, "list:192.0.2.7");
	cr_assert_str_eq(l.v[1].id, "list:10.0.0.5");
	cr_assert_str_eq(l.v[2].id, "list:198.51.100.4");
	cr_assert_str_eq(l.v[3].id, "list:2001:db8::5");
	cr_assert_str_eq(l.v[4].id, "list:2001:db8::6");
	cr_assert_str_eq(l.v[5].id, "list:203.0.113.0");
	cr_assert_str_eq(l.v[8].id, "list:203.0.113.3");
	cr_assert_str_eq(l.v[9].id, "list:localhost");
	cr_assert_str_eq(l.v[10].id, "list:172.16.9.9");
	for (i = 0; i < l.n; i++) {
		cr_assert_str_eq(l.v[i].provider, "list");
		cr_assert_str_eq(l.v[i].source, "list_valid.txt");
		cr_assert_null(l.v[i].meta);
		cr_assert_eq(target_port_exposure(&l.v[i], 22),
			     EXPOSURE_UNKNOWN);
	}
	cr_assert_eq(l.nsources, 1);
	cr_assert_eq(l.v[0].source, l.sources[0]);

	t = &l.v[0];
	cr_assert_null(t->name);
	cr_assert_eq(t->naddrs, 1);
	inv_test_addr(t, 0, "192.0.2.7", true);
	cr_assert_not(t->only_listed_ports); /* the first line: all */
	cr_assert_eq(t->nports, 1);
	inv_test_port(t, 0, "", 8080);

	inv_test_addr(&l.v[1], 0, "10.0.0.5", false);
	cr_assert_eq(l.v[1].nports, 0);

	t = &l.v[2];
	cr_assert_str_eq(t->name, "bastion");
	inv_test_addr(t, 0, "198.51.100.4", true);
	cr_assert(t->only_listed_ports);
	cr_assert_eq(t->nports, 1);
	inv_test_port(t, 0, "ssh", 2222);

	inv_test_addr(&l.v[3], 0, "2001:db8::5", true);
	cr_assert_eq(l.v[3].addrs[0].u.sa.sa_family, AF_INET6);

	t = &l.v[4];
	inv_test_addr(t, 0, "2001:db8::6", true);
	cr_assert(t->only_listed_ports);
	inv_test_port(t, 0, "pg", 5432);

	for (i = 5; i <= 8; i++) {
		char want[32];

		snprintf(want, sizeof(want), "203.0.113.%zu", i - 5);
		cr_assert_eq(l.v[i].naddrs, 1);
		inv_test_addr(&l.v[i], 0, want, true);
		cr_assert_null(l.v[i].name);
	}

	t = &l.v[9];
	cr_assert_str_eq(t->name, "localhost");
	cr_assert_null(t->skip_reason);
	cr_assert_geq(t->naddrs, 1);
	for (i = 0; i < t->naddrs; i++) {
		char buf[INET6_ADDRSTRLEN];
		const char *a = target_addr_text(&t->addrs[i], buf);

		cr_assert(!strcmp(a, "127.0.0.1") || !strcmp(a, "::1"), "%s",
			  a);
		cr_assert_not(t->addrs[i].is_public);
	}

	/* public=yes overrides the private range */
	inv_test_addr(&l.v[10], 0, "172.16.9.9", true);
	target_list_release(&l);
}

Test(inventory_list, empty_and_comments)
{
	const char *f[] = { "list_empty.txt", "list_comments.txt" };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert_null(err);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}

Test(inventory_list, crlf_and_dedupe_across_files)
{
	const char *f[] = { "list_crlf.txt", "list_crlf.txt" };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.v[0].id, "list:192.0.2.1");
	cr_assert_str_eq(l.v[1].id, "list:192.0.2.2");
	target_list_release(&l);
}

Test(inventory_list, bad_line)
{
	inv_test_fails("list_bad.txt", NULL,
		       "list_bad.txt:3: cannot read "
		       "'999.1.1.1' as a host, address, CIDR or host:port");
}

Test(inventory_list, bad_options)
{
	/* a key one edit away from an option is a typo, not a label */
	inv_test_fails("list_typo.txt", NULL,
		       "list_typo.txt:2: unknown option 'chek=': did you "
		       "mean 'check='? (options are check=, name=, public=; "
		       "other key=value words are labels)");
	inv_test_fails("list_badcheck.txt", NULL,
		       "list_badcheck.txt:1: "
		       "check=SSH: a check name is 1-15 lowercase letters or "
		       "digits");
}

Test(inventory_list, cidr_over_cap)
{
	inv_test_fails("list_bigcidr.txt", NULL,
		       "list_bigcidr.txt:2: "
		       "10.0.0.0/8 has 16777216 addresses, more than the cap "
		       "of 65536: raise --max-cidr or split the range");
	inv_test_fails("list_hugev6.txt", NULL,
		       "list_hugev6.txt:1: "
		       "2001:db8::/64 has 2^64 addresses, more than the cap "
		       "of 65536: raise --max-cidr or split the range");
}

Test(inventory_list, cidr_cap_from_opts)
{
	const char *f = "list_v6cidr.txt";
	struct inventory_opts o = { .max_cidr_addrs = 2 };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_lt(inventory_load(&f, 1, &o, &l, &err), 0);
	cr_assert_str_eq(err, "list_v6cidr.txt:1: 2001:db8:10::/126 has 4 "
			      "addresses, more than the cap of 2: raise "
			      "--max-cidr or split the range");
	free(err);
	err = NULL;
	o.max_cidr_addrs = 4;
	cr_assert_eq(inventory_load(&f, 1, &o, &l, &err), 0);
	cr_assert_eq(l.n, 6);
	target_list_release(&l);
}

Test(inventory_list, ipv6_cidr)
{
	const char *f = "list_v6cidr.txt";
	static const char *const want[] = {
		"2001:db8:10::",  "2001:db8:10::1", "2001:db8:10::2",
		"2001:db8:10::3", "2001:db8:20::",  "2001:db8:20::1",
	};
	struct target_list l;
	char *err = NULL, id[64];
	size_t i;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 6);
	for (i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "list:%s", want[i]);
		cr_assert_str_eq(l.v[i].id, id);
		cr_assert_eq(l.v[i].naddrs, 1);
		inv_test_addr(&l.v[i], 0, want[i], true);
		cr_assert_eq(l.v[i].only_listed_ports, i >= 4);
		cr_assert_eq(l.v[i].nports, i >= 4 ? 1u : 0u);
	}
	inv_test_port(&l.v[5], 0, "", 22);
	target_list_release(&l);
}

Test(inventory_list, slash16_is_fast_and_small)
{
	const char *f = "list_slash16.txt";
	struct target_list l;
	struct timespec a, b;
	char *err = NULL;
	double ms;

	target_list_init(&l);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_log_info("/16 loaded in %.1f ms", ms);
	cr_assert_eq(l.n, 65536);
	cr_assert_str_eq(l.v[0].id, "list:10.1.0.0");
	cr_assert_str_eq(l.v[256].id, "list:10.1.1.0");
	cr_assert_str_eq(l.v[65535].id, "list:10.1.255.255");
	inv_test_addr(&l.v[65535], 0, "10.1.255.255", false);
	cr_assert_null(l.v[1234].meta);
	cr_assert_null(l.v[1234].name);
	cr_assert_null(l.v[1234].ports);
	/* generous: sanitizers slow it down several times */
	cr_assert_lt(ms, 2000.0);
	target_list_release(&l);
}

Test(inventory_list, more_syntax)
{
	static const char *const bad[] = {
		"1.2.3.4:0",
		"1.2.3.4:65536",
		"1.2.3.4:ssh",
		"[1.2.3.4]:22",
		"[2001:db8::1",
		"-bad-.example",
		"a..b",
		"10.0.0.0/33",
		"10.0.0.0/",
		"2001:db8::/129",
		"host name=",
		"1.2.3.4 x",
		"1.2.3.4 public=maybe",
		"1.2.3.4 check=ssh",
		"10.0.0.0/30 name=x",
	};
	char path[] = "/tmp/inv_more_XXXXXX";
	struct target_list l;
	char *err = NULL;
	const char *f = path;
	size_t i;
	int fd;

	target_list_init(&l);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = mkstemp(path);
		cr_assert_geq(fd, 0);
		cr_assert(write(fd, bad[i], strlen(bad[i])) > 0);
		close(fd);
		cr_assert_lt(inv_test_load(&f, 1, NULL, &l, &err), 0,
			     "'%s' loaded", bad[i]);
		cr_assert_not_null(err);
		cr_assert(!strncmp(err, path, strlen(path)), "%s", err);
		cr_assert(strstr(err, ":1: "), "%s", err);
		free(err);
		err = NULL;
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}

Test(inventory_list, from_stdin)
{
	const char *f = "-";
	struct target_list l;
	char *err = NULL;
	int fd = open("list_bad.txt", O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	target_list_init(&l);
	cr_assert_lt(inv_test_load(&f, 1, NULL, &l, &err), 0);
	cr_assert_str_eq(err, "<stdin>:3: cannot read '999.1.1.1' as a "
			      "host, address, CIDR or host:port");
	free(err);
	target_list_release(&l);
}

Test(inventory_list, stdin_source_is_dash)
{
	const char *f = "-";
	struct target_list l;
	char *err = NULL;
	int fd = open("list_crlf.txt", O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.v[0].source, "-");
	target_list_release(&l);
}

/* ---- inventory_load() as a whole ---- */

TestSuite(inventory_load, .init = inv_test_chdir);

Test(inventory_load, failure_appends_nothing)
{
	const char *ok = "list_crlf.txt";
	const char *f[] = { "list_valid.txt", "aws_instances.json",
			    "list_bad.txt" };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&ok, 1, NULL, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.nsources, 1);
	cr_assert_lt(inv_test_load(f, 3, NULL, &l, &err), 0);
	cr_assert_str_eq(err, "list_bad.txt:3: cannot read '999.1.1.1' as a "
			      "host, address, CIDR or host:port");
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.nsources, 1);
	cr_assert_str_eq(l.v[1].id, "list:192.0.2.2");
	free(err);
	/* and a good load after it appends, sharing interned sources */
	cr_assert_eq(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert_eq(l.n, 2 + 11 + 5);
	cr_assert_eq(l.nsources, 3);
	cr_assert_str_eq(l.v[2].source, "list_valid.txt");
	cr_assert_str_eq(l.v[17].source, "aws_instances.json");
	target_list_release(&l);
}

Test(inventory_load, errors)
{
	inv_test_fails("unknown.json", NULL,
		       "unknown.json: JSON of an "
		       "unknown kind; expected the output of aws ec2 "
		       "describe-instances or describe-security-groups, "
		       "gcloud compute instances list or firewall-rules list "
		       "(--format=json), az vm list -d or az network nsg "
		       "list, terraform show -json (state or plan), "
		       "ansible-inventory --list, aws rds "
		       "describe-db-instances, gcloud sql instances list, "
		       "gcloud compute project-info describe (or name the "
		       "format with --format)");
	inv_test_fails("nofile.txt", NULL,
		       "nofile.txt: cannot open: No such "
		       "file or directory");
	inv_test_fails("list_crlf.txt", "yaml",
		       "unknown inventory format "
		       "'yaml' (known: list, aws, gcp, azure, terraform, "
		       "ansible, nmap)");
	inv_test_fails("aws_instances.json", "list",
		       "aws_instances.json:1: "
		       "cannot read '{' as a host, address, CIDR or "
		       "host:port");
	inv_test_fails("gcp_instances.json", "aws",
		       "gcp_instances.json: "
		       "$[0].InstanceId: missing");
	inv_test_fails("list_crlf.txt", "aws",
		       "list_crlf.txt:1:6: "
		       "unexpected data after the JSON value");
	inv_test_fails("list_empty.txt", "gcp",
		       "list_empty.txt:1:1: not "
		       "valid JSON: unexpected end of file");
	inv_test_fails("aws_trailing.json", NULL,
		       "aws_trailing.json:1:30: "
		       "unexpected data after the JSON value");
}

Test(inventory_load, stdin_twice)
{
	const char *f[] = { "-", "-" };
	struct target_list l;
	char *err = NULL;
	int fd = open("list_empty.txt", O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	target_list_init(&l);
	cr_assert_lt(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert_str_eq(err, "'-' (standard input) given more than once");
	free(err);
	target_list_release(&l);
}

Test(inventory_load, explicit_format_empty_array)
{
	const char *f = "gcp_empty.json";
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, "gcp", &l, &err), 0);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0);
	cr_assert_eq(inv_test_load(&f, 1, "azure", &l, &err), 0);
	cr_assert_eq(l.n, 0);
	target_list_release(&l);
}

Test(inventory_load, read_cap)
{
	char *data = NULL, *err = NULL;
	size_t len = 0;

	cr_assert_eq(inv_read_file("list_valid.txt", 64, &data, &len, &err),
		     EXPO_ETOOBIG);
	cr_assert_null(data);
	cr_assert_str_eq(err, "list_valid.txt: larger than 0 MiB: split the "
			      "inventory into several files");
	free(err);
	err = NULL;
	cr_assert_eq(inv_read_file("list_crlf.txt", 22, &data, &len, &err), 0);
	cr_assert_eq(len, 22);
	cr_assert_eq(data[len], 0);
	free(data);
}

Test(inventory_load, list_detected_despite_bracket)
{
	char path[] = "/tmp/inv_br_XXXXXX";
	const char *f = path;
	const char *text = "[2001:db8::6]:5432\n192.0.2.3\n";
	struct target_list l;
	char *err = NULL;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert(write(fd, text, strlen(text)) > 0);
	close(fd);
	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	unlink(path);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.v[0].id, "list:2001:db8::6");
	cr_assert_str_eq(l.v[0].provider, "list");
	target_list_release(&l);
}
