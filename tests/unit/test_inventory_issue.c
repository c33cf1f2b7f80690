/*
 * test_inventory_issue.c - regressions for the inventory defects: nmap
 * hosts with many addresses, ports no check claims, labels, strict JSON,
 * firewall data that cannot be right, addresses that are no host, FIFOs,
 * duplicate cloud ids, --scope/--exclude and the `targets` listing.
 * Inputs are written to temporary files by each test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "dynbuf.h"
#include "engine/engine.h"
#include "expo.h"
#include "inventory.h"
#include "report/report_doc.h"
#include "target.h"
#include "term_escape.h"
#include "test_inventory.h"
#include "../../inventory/loaders.h"

/* ---- helpers ---- */

/* a temporary file holding text[0..len); the caller unlinks it */
static char *tmp_file(const char *suffix, const char *text, size_t len)
{
	char *path = NULL;
	int fd;

	cr_assert(asprintf(&path, "/tmp/inv_issue_XXXXXX%s", suffix) > 0);
	fd = mkstemps(path, (int)strlen(suffix));
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* loads text (as a file) and returns rc; *err set on failure */
static int load_text(const char *suffix, const char *text, size_t len,
		     struct target_list *l, char **err)
{
	char *path = tmp_file(suffix, text, len);
	const char *f = path;
	int rc;

	target_list_init(l);
	rc = inv_test_load(&f, 1, NULL, l, err);
	unlink(path);
	free(path);
	return rc;
}

/* text must fail to load with a message containing want */
static void load_fails(const char *text, size_t len, const char *want)
{
	struct target_list l;
	char *err = NULL;

	cr_assert_lt(load_text(".inv", text, len, &l, &err), 0, "loaded: %s",
		     text);
	cr_assert_not_null(err);
	cr_assert(strstr(err, want), "'%s' has no '%s'", err, want);
	cr_assert_eq(l.n, 0);
	free(err);
	target_list_release(&l);
}

#define LOAD_FAILS(lit, want) load_fails(lit, sizeof(lit) - 1, want)

static const char *label(const struct target *t, const char *key)
{
	cr_assert_not_null(t->meta, "%s has no meta", t->id);
	return cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(t->meta->tags, key));
}

/* ---- nmap ---- */

TestSuite(inventory_issue_nmap);

/* 40 addresses on one host: a fixed array of 16 was overrun (ASan:
 * stack-buffer-overflow) and the extra addresses lost */
Test(inventory_issue_nmap, host_with_many_addresses)
{
	struct dynbuf b;
	struct target_list l;
	char *err = NULL, buf[INET6_ADDRSTRLEN];
	int i;

	dynbuf_init(&b, 1 << 20);
	dynbuf_addstr(&b, "<?xml version=\"1.0\"?>\n<nmaprun>\n<host>"
			  "<status state=\"up\"/>\n");
	for (i = 0; i < 40; i++)
		dynbuf_addf(&b,
			    "<address addr=\"2001:db8::%x\" "
			    "addrtype=\"ipv6\"/>\n",
			    i + 1);
	dynbuf_addstr(&b, "</host>\n</nmaprun>\n");
	cr_assert_eq(load_text(".xml", b.buf, b.len, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].id, "nmap:2001:db8::1");
	cr_assert_eq(l.v[0].naddrs, 40);
	cr_assert_str_eq(target_addr_text(&l.v[0].addrs[39], buf),
			 "2001:db8::28");
	target_list_release(&l);
	dynbuf_release(&b);
}

static void claims_cb(void *ud, uint16_t port, uint64_t claims)
{
	uint64_t *v = ud;

	v[port] = claims | 1ull << 63; /* bit 63: the port is planned */
}

static size_t check_bit(const struct scan_config *cfg, const char *name)
{
	size_t k;

	for (k = 0; k < cfg->nchecks; k++)
		if (!strcmp(cfg->checks[k]->name, name))
			return k;
	cr_assert_fail("no check %s", name);
	return 0;
}

/* an nmap scan always has ports no check claims (8080): the whole
 * inventory used to fail; and ssh on 2222 went to no check */
Test(inventory_issue_nmap, unclaimed_ports_and_services, .init = inv_test_chdir)
{
	const char *f = "nmap.xml";
	struct target_list l;
	struct scan_config cfg;
	static uint64_t claims[65536];
	char *err = NULL;
	size_t ssh;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&f, 1, NULL, &l, &err), 0, "%s", err);
	scan_config_defaults(&cfg);
	cfg.checks = (const struct check **)check_registry;
	cfg.nchecks = check_registry_len;
	ssh = check_bit(&cfg, "ssh");
	memset(claims, 0, sizeof(claims));
	cr_assert_eq(scan_target_ports(&cfg,
				       inv_test_find(&l, "nmap:192.0.2.1"),
				       claims_cb, claims, &err),
		     0, "%s", err);
	/* 9100 (jetdirect): no enabled check knows it; 8080 (http-proxy)
	 * goes to the HTTP family by nmap's service name */
	cr_assert_eq(claims[9100], 1ull << 63, "9100: planned, unclaimed");
	cr_assert(claims[8080] & (1ull << check_bit(&cfg, "jenkins")),
		  "8080: the HTTP checks");
	cr_assert(claims[445] & (1ull << check_bit(&cfg, "smb")));
	memset(claims, 0, sizeof(claims));
	cr_assert_eq(scan_target_ports(&cfg,
				       inv_test_find(&l, "nmap:2001:db8::7"),
				       claims_cb, claims, &err),
		     0, "%s", err);
	cr_assert_eq(claims[2222], 1ull << 63 | 1ull << ssh);
	scan_config_release(&cfg);
	target_list_release(&l);
}

/* ---- plain lists: labels ---- */

TestSuite(inventory_issue_list);

Test(inventory_issue_list, key_value_words_are_labels)
{
	static const char text[] =
		"192.0.2.5:5432 env=prod team=payments service=postgres\n"
		"192.0.2.6 name=web env=dev\n";
	struct target_list l;
	char *err = NULL;

	cr_assert_eq(load_text(".txt", text, sizeof(text) - 1, &l, &err), 0,
		     "%s", err);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(label(&l.v[0], "env"), "prod");
	cr_assert_str_eq(label(&l.v[0], "team"), "payments");
	cr_assert_str_eq(label(&l.v[0], "service"), "postgres");
	/* an unclaimed host:port is no error either */
	inv_test_port(&l.v[0], 0, "", 5432);
	cr_assert_str_eq(l.v[1].name, "web");
	cr_assert_str_eq(label(&l.v[1], "env"), "dev");
	target_list_release(&l);
}

Test(inventory_issue_list, typo_of_an_option_is_an_error)
{
	LOAD_FAILS("192.0.2.1 nmae=x\n", ":1: unknown option 'nmae=': did "
					 "you mean 'name='?");
	LOAD_FAILS("192.0.2.1 publik=yes\n", "did you mean 'public='?");
	LOAD_FAILS("192.0.2.1 chekc=ssh\n", "did you mean 'check='?");
	LOAD_FAILS("192.0.2.1 env=a env=b\n", ":1: label 'env=' given twice");
	/* an unknown check used to leave the port silently unprobed */
	LOAD_FAILS("192.0.2.1:22 check=shh\n",
		   ":1: check=shh: no check of that name; did you mean "
		   "check=ssh? (see 'exposure checks')");
	LOAD_FAILS("192.0.2.1:22 check=gopher\n",
		   ":1: check=gopher: no check of that name (see 'exposure "
		   "checks')");
}

/* a /16 with labels: one shared meta, not 65536 cJSON objects */
Test(inventory_issue_list, cidr_labels_are_shared)
{
	static const char text[] = "10.1.0.0/16 env=prod team=payments\n"
				   "10.1.0.7 extra=yes\n";
	struct target_list l;
	const struct target *seven = NULL;
	char *err = NULL;
	size_t i;

	cr_assert_eq(load_text(".txt", text, sizeof(text) - 1, &l, &err), 0,
		     "%s", err);
	cr_assert_eq(l.n, 65536);
	for (i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].id, "list:10.1.0.7")) {
			seven = &l.v[i];
			continue;
		}
		cr_assert(l.v[i].meta_shared);
		cr_assert_eq(l.v[i].meta, l.v[0].meta);
	}
	cr_assert_str_eq(label(&l.v[65535], "env"), "prod");
	/* the second line merged into the first: its own copy, both labels */
	cr_assert_not_null(seven);
	cr_assert_not(seven->meta_shared);
	cr_assert_str_eq(label(seven, "env"), "prod");
	cr_assert_str_eq(label(seven, "extra"), "yes");
	cr_assert_null(
		cJSON_GetObjectItemCaseSensitive(l.v[0].meta->tags, "extra"));
	target_list_release(&l);
}

/* ---- strict JSON ---- */

TestSuite(inventory_issue_json);

Test(inventory_issue_json, control_nul_utf8_and_duplicate_keys)
{
	LOAD_FAILS("[{\"InstanceId\": \"i-1\x01\"}]",
		   ":1:21: not valid JSON: raw control character in a string");
	LOAD_FAILS("[{\"InstanceId\": \"i-1\\u0000x\"}]",
		   ":1:21: not valid JSON: \\u0000 (NUL) in a string");
	LOAD_FAILS("[{\"InstanceId\":\n \"i-\xff\"}]",
		   ":2:5: not valid JSON: invalid UTF-8 in a string");
	LOAD_FAILS("[{\"InstanceId\": \"i-\xc0\xaf\"}]",
		   "invalid UTF-8 in a string");
	LOAD_FAILS("[{\"InstanceId\": \"i-1\"}]\n\0", ":2:1: not valid JSON: "
						      "NUL byte");
	LOAD_FAILS("[{\"InstanceId\": \"i-1\", \"Tags\": [], \"InstanceId\": "
		   "\"i-2\"}]",
		   ": $[0]: key \"InstanceId\" appears twice (JSON keys must "
		   "be unique)");
	LOAD_FAILS("{\"Reservations\": [{\"Instances\": [{\"InstanceId\": "
		   "\"i-1\", \"Tags\": [{\"Key\": \"a\", \"Key\": \"b\"}]}]}]}",
		   ": $.Reservations[0].Instances[0].Tags[0]: key \"Key\" "
		   "appears twice");
}

Test(inventory_issue_json, valid_utf8_and_escapes_still_load)
{
	static const char text[] =
		"[{\"InstanceId\": \"i-1\", \"PublicIpAddress\": "
		"\"192.0.2.1\", \"Tags\": [{\"Key\": \"Name\", \"Value\": "
		"\"caf\xc3\xa9 \\\"q\\\" \\u00e9 \xf0\x9f\x99\x82\"}]}]";
	struct target_list l;
	char *err = NULL;

	cr_assert_eq(load_text(".json", text, sizeof(text) - 1, &l, &err), 0,
		     "%s", err);
	cr_assert_str_eq(l.v[0].name,
			 "caf\xc3\xa9 \"q\" \xc3\xa9 \xf0\x9f\x99\x82");
	target_list_release(&l);
}

/* ---- firewall data that cannot be right ---- */

TestSuite(inventory_issue_fw);

static void load_with_instance(const char *fw, size_t len, const char *want)
{
	static const char inst[] =
		"[{\"InstanceId\": \"i-1\", \"PublicIpAddress\": "
		"\"192.0.2.1\", \"SecurityGroups\": [{\"GroupId\": \"sg-1\"}]}]";
	char *p1 = tmp_file(".json", inst, sizeof(inst) - 1);
	char *p2 = tmp_file(".json", fw, len);
	const char *f[] = { p1, p2 };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_lt(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert(err && strstr(err, want), "'%s' has no '%s'", err, want);
	free(err);
	target_list_release(&l);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}

#define SG(perm)                                                            \
	"{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"IpPermissions\": " \
	"[" perm "]}]}"

/* a reversed range or a /99 used to open nothing, so the port read as
 * "firewall restricts" */
Test(inventory_issue_fw, aws_reversed_range_and_bad_cidr)
{
	static const char rev[] = SG(
		"{\"IpProtocol\": \"tcp\", \"FromPort\": 30, \"ToPort\": 20, "
		"\"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}");
	static const char cidr[] = SG(
		"{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22, "
		"\"IpRanges\": [{\"CidrIp\": \"0.0.0.0/99\"}]}");
	static const char cidr6[] = SG(
		"{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22, "
		"\"Ipv6Ranges\": [{\"CidrIpv6\": \"::/129\"}]}");

	load_with_instance(rev, sizeof(rev) - 1,
			   ": $.SecurityGroups[0].IpPermissions[0]: FromPort "
			   "30 is above ToPort 20");
	load_with_instance(cidr, sizeof(cidr) - 1,
			   ": $.SecurityGroups[0].IpPermissions[0].IpRanges[0]"
			   ".CidrIp: '0.0.0.0/99' is not a CIDR");
	load_with_instance(cidr6, sizeof(cidr6) - 1,
			   "CidrIpv6: '::/129' is not a CIDR");
}

Test(inventory_issue_fw, gcp_bad_cidr)
{
	static const char inst[] =
		"[{\"id\": \"1\", \"name\": \"a\", \"networkInterfaces\": "
		"[{\"networkIP\": \"10.0.0.2\"}]}]";
	static const char fw[] =
		"[{\"name\": \"r\", \"direction\": \"INGRESS\", "
		"\"sourceRanges\": [\"0.0.0.0/99\"], \"allowed\": "
		"[{\"IPProtocol\": \"tcp\", \"ports\": [\"22\"]}]}]";
	char *p1 = tmp_file(".json", inst, sizeof(inst) - 1);
	char *p2 = tmp_file(".json", fw, sizeof(fw) - 1);
	const char *f[] = { p1, p2 };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_lt(inv_test_load(f, 2, NULL, &l, &err), 0);
	cr_assert(err && strstr(err, ": $[0].sourceRanges[0]: '0.0.0.0/99' "
				     "is not a CIDR"),
		  "%s", err);
	free(err);
	target_list_release(&l);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}

Test(inventory_issue_fw, terraform_reversed_range)
{
	LOAD_FAILS("{\"format_version\": \"1.0\", \"values\": {\"root_module\":"
		   " {\"resources\": [{\"address\": \"aws_security_group.a\", "
		   "\"mode\": \"managed\", \"type\": \"aws_security_group\", "
		   "\"values\": {\"id\": \"sg-1\", \"ingress\": [{\"protocol\":"
		   " \"tcp\", \"from_port\": 30, \"to_port\": 20, "
		   "\"cidr_blocks\": [\"0.0.0.0/0\"]}]}}]}}}",
		   "ingress[0]: from_port 30 is above to_port 20");
	LOAD_FAILS("{\"format_version\": \"1.0\", \"values\": {\"root_module\":"
		   " {\"resources\": [{\"address\": \"aws_security_group.a\", "
		   "\"mode\": \"managed\", \"type\": \"aws_security_group\", "
		   "\"values\": {\"id\": \"sg-1\", \"ingress\": [{\"protocol\":"
		   " \"tcp\", \"from_port\": 22, \"to_port\": 22, "
		   "\"cidr_blocks\": [\"10.0.0.0/40\"]}]}}]}}}",
		   "cidr_blocks[0]: '10.0.0.0/40' is not a CIDR");
}

/* ---- addresses that are no host ---- */

TestSuite(inventory_issue_addr);

Test(inventory_issue_addr, unusable_addresses_are_refused)
{
	LOAD_FAILS("0.0.0.0\n",
		   ":1: 0.0.0.0 is a unspecified address, not a host");
	LOAD_FAILS("192.0.2.1\n::\n", ":2: :: is a unspecified address");
	LOAD_FAILS("224.0.0.1\n", "is a multicast address");
	LOAD_FAILS("[ff02::1]:22\n", "is a multicast address");
	LOAD_FAILS("255.255.255.255\n", "is a broadcast address");
	LOAD_FAILS("::ffff:0.0.0.0\n", "is a unspecified address");
	LOAD_FAILS("224.0.0.0/30\n", ":1: 224.0.0.0/30 holds multicast "
				     "addresses, not hosts");
	LOAD_FAILS("255.255.255.252/30\n", "holds broadcast addresses");
	LOAD_FAILS("[{\"InstanceId\": \"i-1\", \"PublicIpAddress\": "
		   "\"0.0.0.0\"}]",
		   ": $[0].PublicIpAddress: '0.0.0.0' is a unspecified "
		   "address, not a host");
	LOAD_FAILS("<nmaprun><host><address addr=\"239.1.1.1\" "
		   "addrtype=\"ipv4\"/></host></nmaprun>",
		   ":1: <address addr='239.1.1.1'> is a multicast address");
}

Test(inventory_issue_addr, ipv4_compatible_is_its_ipv4)
{
	struct target_addr a;

	cr_assert_eq(target_addr_parse(&a, "::127.0.0.1"), 0);
	cr_assert_not(a.is_public);
	cr_assert_eq(target_addr_parse(&a, "::10.0.0.1"), 0);
	cr_assert_not(a.is_public);
	cr_assert_eq(target_addr_parse(&a, "::192.0.2.1"), 0);
	cr_assert(a.is_public);
	cr_assert_eq(target_addr_parse(&a, "::1"), 0);
	cr_assert_null(target_addr_unusable(&a)); /* loopback is a host */
	cr_assert_eq(target_addr_parse(&a, "::224.0.0.1"), 0);
	cr_assert_str_eq(target_addr_unusable(&a), "multicast");
	cr_assert_eq(target_addr_parse(&a, "10.0.0.0"), 0);
	cr_assert_null(target_addr_unusable(&a));
}

/* ---- FIFOs ---- */

TestSuite(inventory_issue_fifo);

/* open() of a FIFO with no writer blocked for ever */
Test(inventory_issue_fifo, no_writer_times_out, .timeout = 10)
{
	char path[] = "/tmp/inv_fifo_XXXXXX";
	struct inventory_opts o = { .fifo_wait_ms = 300 };
	const char *f = path;
	struct target_list l;
	struct timespec a, b;
	char *err = NULL;
	double s;

	cr_assert_neq(mkdtemp(path), NULL);
	cr_assert_lt(strlen(path) + 6, sizeof(path) + 6);
	{
		static char fifo[64];

		snprintf(fifo, sizeof(fifo), "%s/fifo", path);
		cr_assert_eq(mkfifo(fifo, 0600), 0);
		f = fifo;
	}
	target_list_init(&l);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_lt(inventory_load(&f, 1, &o, &l, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_assert_lt(s, 3.0, "took %.1f s", s);
	cr_assert(strstr(err, "/fifo: a FIFO that nothing wrote to within 1 s"),
		  "%s", err);
	free(err);
	unlink(f);
	rmdir(path);
}

/* a FIFO with a writer is read as usual */
Test(inventory_issue_fifo, with_writer_is_read, .timeout = 10)
{
	char dir[] = "/tmp/inv_fifo_XXXXXX", fifo[64];
	struct inventory_opts o = { .fifo_wait_ms = 5000 };
	const char *f = fifo;
	struct target_list l;
	char *err = NULL;
	pid_t pid;
	int st;

	cr_assert_neq(mkdtemp(dir), NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd;

		usleep(200 * 1000); /* the reader is there first */
		fd = open(fifo, O_WRONLY);
		if (fd < 0 || write(fd, "192.0.2.9\n", 10) != 10)
			_exit(1);
		close(fd);
		_exit(0);
	}
	target_list_init(&l);
	cr_assert_eq(inventory_load(&f, 1, &o, &l, &err), 0, "%s", err);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].id, "list:192.0.2.9");
	waitpid(pid, &st, 0);
	target_list_release(&l);
	unlink(fifo);
	rmdir(dir);
}

/* ---- duplicate cloud ids ---- */

TestSuite(inventory_issue_dup);

/* a stale and a fresh export of one instance: the second was dropped
 * silently, with its addresses */
Test(inventory_issue_dup, same_id_different_addresses_kept)
{
	static const char a[] = "[{\"InstanceId\": \"i-1\", "
				"\"PublicIpAddress\": \"192.0.2.1\"}]";
	static const char b[] = "[{\"InstanceId\": \"i-1\", "
				"\"PublicIpAddress\": \"192.0.2.2\"}]";
	char *p1 = tmp_file(".json", a, sizeof(a) - 1);
	char *p2 = tmp_file(".json", b, sizeof(b) - 1);
	const char *f[] = { p1, p2, p1 };
	struct target_list l;
	char *err = NULL;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(f, 3, NULL, &l, &err), 0, "%s", err);
	/* p1 twice is one thing said twice: merged */
	cr_assert_eq(l.n, 2);
	inv_test_addr(inv_test_find(&l, "aws:i-1"), 0, "192.0.2.1", true);
	inv_test_addr(inv_test_find(&l, "aws:i-1#2"), 0, "192.0.2.2", true);
	target_list_release(&l);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}

/* ---- labels from every loader ---- */

TestSuite(inventory_issue_labels);

Test(inventory_issue_labels, cloud_loaders, .init = inv_test_chdir)
{
	const char *gcp = "gcp_instances.json", *az = "azure_vms.json";
	const char *tf = "terraform.json", *aws = "aws_instances.json";
	struct target_list l;
	const struct target *t;
	char *err = NULL;
	size_t i, with = 0;

	target_list_init(&l);
	cr_assert_eq(inv_test_load(&aws, 1, NULL, &l, &err), 0, "%s", err);
	cr_assert_str_eq(label(inv_test_find(&l, "aws:i-0aaa"), "Name"), "web");
	target_list_release(&l);

	cr_assert_eq(inv_test_load(&gcp, 1, NULL, &l, &err), 0, "%s", err);
	for (i = 0; i < l.n; i++) {
		t = &l.v[i];
		if (t->meta && t->meta->tags &&
		    cJSON_GetObjectItemCaseSensitive(t->meta->tags,
						     "network_tags"))
			with++;
	}
	cr_assert_gt(with, 0, "no GCP target has network_tags");
	target_list_release(&l);

	cr_assert_eq(inv_test_load(&az, 1, NULL, &l, &err), 0, "%s", err);
	for (i = 0, with = 0; i < l.n; i++)
		if (l.v[i].meta && l.v[i].meta->tags &&
		    l.v[i].meta->tags->child)
			with++;
	cr_assert_gt(with, 0, "no Azure target has labels");
	target_list_release(&l);

	cr_assert_eq(inv_test_load(&tf, 1, NULL, &l, &err), 0, "%s", err);
	for (i = 0, with = 0; i < l.n; i++)
		if (l.v[i].meta && l.v[i].meta->tags &&
		    l.v[i].meta->tags->child)
			with++;
	cr_assert_gt(with, 0, "no terraform target has labels");
	target_list_release(&l);
}

Test(inventory_issue_labels, non_string_label_is_an_error)
{
	LOAD_FAILS("[{\"vmId\": \"v1\", \"name\": \"x\", \"tags\": {\"env\": "
		   "3}, \"privateIps\": \"10.0.0.1\"}]",
		   ": $[0].tags.env: expected a string");
}

/* ---- --scope / --exclude ---- */

TestSuite(inventory_issue_scope);

static void three_targets(struct target_list *l)
{
	static const char text[] = "192.0.2.7\n198.51.100.1\n10.0.0.5\n";
	char *err = NULL;

	cr_assert_eq(load_text(".txt", text, sizeof(text) - 1, l, &err), 0,
		     "%s", err);
	cr_assert_eq(l->n, 3);
}

Test(inventory_issue_scope, exclude_and_scope)
{
	struct inv_scope scope = { 0 }, ex = { 0 };
	struct target_list l;
	char *err = NULL;

	three_targets(&l);
	cr_assert_eq(inv_scope_add(&ex, "--exclude", "192.0.2.7", false, &err),
		     0);
	cr_assert_eq(inv_scope_add(&scope, "--scope",
				   "192.0.2.0/24, 10.0.0.0/8", false, &err),
		     0);
	cr_assert_eq(inventory_apply_scope(&l, &scope, &ex), 0);
	cr_assert_str_eq(l.v[0].skip_reason, "excluded by --exclude 192.0.2.7");
	cr_assert_eq(l.v[0].naddrs, 0);
	cr_assert_str_eq(l.v[1].skip_reason,
			 "outside --scope 192.0.2.0/24, 10.0.0.0/8");
	cr_assert_null(l.v[2].skip_reason);
	cr_assert_eq(l.v[2].naddrs, 1);
	target_list_release(&l);
	inv_scope_release(&scope);
	inv_scope_release(&ex);
}

/* a target with several addresses loses only the excluded ones */
Test(inventory_issue_scope, partial_and_mapped)
{
	struct inv_scope ex = { 0 };
	struct target_list l;
	struct target *t;
	char *err = NULL;

	target_list_init(&l);
	t = target_list_add(&l);
	t->id = strdup("aws:i-1");
	cr_assert_eq(inv_addr_add_text(t, "203.0.113.5", -1), 0);
	cr_assert_eq(inv_addr_add_text(t, "::ffff:192.0.2.9", -1), 0);
	cr_assert_eq(inv_addr_add_text(t, "10.0.0.9", -1), 0);
	cr_assert_eq(inv_scope_add(&ex, "--exclude", "192.0.2.0/24 203.0.113.5",
				   false, &err),
		     0);
	cr_assert_eq(inventory_apply_scope(&l, NULL, &ex), 0);
	cr_assert_null(t->skip_reason);
	cr_assert_eq(t->naddrs, 1);
	inv_test_addr(t, 0, "10.0.0.9", false);
	target_list_release(&l);
	inv_scope_release(&ex);
}

Test(inventory_issue_scope, files_and_errors)
{
	static const char text[] = "# stale\n192.0.2.0/28, 2001:db8::/32\n"
				   "198.51.100.1 nope\n";
	char *path = tmp_file(".txt", text, sizeof(text) - 1);
	struct inv_scope s = { 0 };
	char *err = NULL, *want = NULL;

	cr_assert_lt(inv_scope_add(&s, "--exclude", path, false, &err), 0);
	cr_assert(asprintf(&want,
			   "--exclude %s:3: 'nope' is not an address or a CIDR",
			   path) > 0);
	cr_assert_str_eq(err, want);
	cr_assert_eq(s.n, 0);
	free(err);
	err = NULL;
	cr_assert_lt(inv_scope_add(&s, "--scope", "10.0.0.0/99", false, &err),
		     0);
	cr_assert_str_eq(err, "--scope: '10.0.0.0/99' is not an address, a "
			      "CIDR or a file of them");
	free(err);
	err = NULL;
	cr_assert_lt(inv_scope_add(&s, "--excludefile", "/nonexistent/x", true,
				   &err),
		     0);
	cr_assert_str_eq(err, "/nonexistent/x: cannot open: No such file or "
			      "directory");
	free(err);
	inv_scope_release(&s);
	unlink(path);
	free(path);
	free(want);
}

/* ---- the `targets` command ---- */

TestSuite(inventory_issue_cli);

/* runs the binary; stdout into out (NUL-terminated), returns the exit
 * code */
static int run_bin(char *const argv[], char *out, size_t outsz)
{
	int pfd[2], st = 0;
	size_t n = 0;
	ssize_t k;
	pid_t pid;

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pfd[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(pfd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (n + 1 < outsz && (k = read(pfd[0], out + n, outsz - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	if (!b)
		cr_skip_test("EXPO_BIN is not set");
	return b;
}

Test(inventory_issue_cli, names_are_escaped)
{
	static const char text[] =
		"{\"Reservations\": [{\"Instances\": [{\"InstanceId\": "
		"\"i-1\", \"PublicIpAddress\": \"192.0.2.1\", \"Tags\": "
		"[{\"Key\": \"Name\", \"Value\": \"::error::x\\u001b[31m\\nfake\"}, "
		"{\"Key\": \"team\", \"Value\": \"\\u202eevil\"}]}]}]}";
	char *path = tmp_file(".json", text, sizeof(text) - 1);
	char out[65536];
	char *argv[] = { (char *)bin(), "targets", path, NULL };
	const char *p;

	cr_assert_eq(run_bin(argv, out, sizeof(out)), 0);
	cr_assert_null(strchr(out, 0x1b), "raw ESC: %s", out);
	cr_assert_null(strstr(out, "\xe2\x80\xae"), "raw RLO");
	for (p = out; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		cr_assert(strncmp(p, "::", 2), "a line starts with ::");
		cr_assert(strncmp(p, "fake", 4), "a forged line");
	}
	cr_assert(strstr(out, "  ::error::x\\x1b[31m\\x0afake  (aws, "), "%s",
		  out);
	cr_assert(strstr(out, "labels: Name=::error::x\\x1b"), "%s", out);
	cr_assert(strstr(out, "team=\\xe2\\x80\\xaeevil"), "%s", out);
	unlink(path);
	free(path);
}

/* a bad --ports used to fail after part of the listing was printed */
Test(inventory_issue_cli, failure_prints_no_half_listing)
{
	static const char text[] = "192.0.2.1\n192.0.2.2\n";
	char *path = tmp_file(".txt", text, sizeof(text) - 1);
	char out[65536];
	char *argv[] = { (char *)bin(), "targets", "--ports", "9", path, NULL };

	cr_assert_eq(run_bin(argv, out, sizeof(out)), 2);
	cr_assert_str_eq(out, "");
	unlink(path);
	free(path);
}

Test(inventory_issue_cli, exclude_lists_skipped)
{
	static const char text[] = "192.0.2.1\n192.0.2.2:9999\n";
	char *path = tmp_file(".txt", text, sizeof(text) - 1);
	char out[65536];
	char *argv[] = { (char *)bin(), "targets", "--exclude",
			 "192.0.2.1",	path,	   NULL };
	char *bad[] = { (char *)bin(),	"targets", "--scope",
			"192.0.2.0/33", path,	   NULL };

	cr_assert_eq(run_bin(argv, out, sizeof(out)), 0);
	cr_assert(strstr(out, "list:192.0.2.1  list:192.0.2.1  (list, "), "%s",
		  out);
	cr_assert(strstr(out, "    skipped: excluded by --exclude 192.0.2.1\n"),
		  "%s", out);
	cr_assert(strstr(out, "port 9999  checks: none: not checked"), "%s",
		  out);
	cr_assert(strstr(out, "2 targets, 1 to scan, 1 skipped"), "%s", out);
	cr_assert_eq(run_bin(bad, out, sizeof(out)), 2);
	unlink(path);
	free(path);
}

/* ---- the escaper ---- */

TestSuite(inventory_issue_escape);

Test(inventory_issue_escape, term_escape)
{
	char *s;

	s = term_escaped("::error::x", true);
	cr_assert_str_eq(s, "\\x3a:error::x");
	free(s);
	s = term_escaped("::1", false); /* mid-line: an address */
	cr_assert_str_eq(s, "::1");
	free(s);
	s = term_escaped("a\nb\x1b\xff\xe2\x80\xae caf\xc3\xa9", false);
	cr_assert_str_eq(s, "a\\x0ab\\x1b\\xff\\xe2\\x80\\xae caf\xc3\xa9");
	free(s);
	s = term_escaped(NULL, true);
	cr_assert_str_eq(s, "-");
	free(s);
	s = term_escaped("", true);
	cr_assert_str_eq(s, "");
	free(s);
}

/* ---- the JSON report: an unclaimed open port ---- */

TestSuite(inventory_issue_report);

Test(inventory_issue_report, unclaimed_record_round_trips)
{
	static const char text[] = "192.0.2.1:8080 env=prod\n";
	struct report_doc d, back;
	struct port_record rec = { 0 };
	struct scan_report view;
	char *err = NULL, path[] = "/tmp/inv_issue_rep_XXXXXX";
	char *json = NULL;
	struct dynbuf b;
	int fd;

	report_doc_init(&d);
	report_doc_init(&back);
	cr_assert_eq(
		load_text(".txt", text, sizeof(text) - 1, &d.targets, &err), 0,
		"%s", err);
	rec.target = 0;
	rec.addr = 0;
	rec.port = 8080;
	rec.status = STATUS_OPEN;
	rec.check = CHECK_NONE;
	cr_assert_eq(report_doc_reason(&d, UNCLAIMED_REASON, &rec.reason), 0);
	cr_assert_eq(report_doc_record(&d, &rec), 0);
	snprintf(d.started_at, sizeof(d.started_at), "2026-01-01T00:00:00Z");
	d.fail_on = SEV_HIGH;
	report_doc_view(&d, &view);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(report_json_write(path, &view), 0);
	dynbuf_init(&b, 1 << 20);
	{
		FILE *f = fopen(path, "r");
		char chunk[4096];
		size_t n;

		cr_assert_not_null(f);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			dynbuf_add(&b, chunk, n);
		fclose(f);
	}
	json = b.buf;
	cr_assert(strstr(json, "\"check\":\tnull") ||
			  strstr(json, "\"check\": null") ||
			  strstr(json, "\"check\":null"),
		  "%s", json);
	cr_assert(strstr(json, UNCLAIMED_REASON), "%s", json);
	cr_assert_eq(report_json_read(path, &back, &err), 0, "%s", err);
	cr_assert_eq(back.nrecords, 1);
	cr_assert_eq(back.records[0].check, CHECK_NONE);
	cr_assert_eq(back.records[0].status, STATUS_OPEN);
	cr_assert_str_eq(back.reasons[back.records[0].reason],
			 UNCLAIMED_REASON);
	dynbuf_release(&b);
	unlink(path);
	report_doc_release(&d);
	report_doc_release(&back);
}
