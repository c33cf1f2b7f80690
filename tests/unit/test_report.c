/*
 * test_report.c - the report writers (text, JSON, ports), the atomic file
 * write, and finding.c.
 *
 * Golden files live in tests/fixtures/report/ (the tests run from the top
 * of the tree). The input is fully deterministic, so the output is compared
 * byte for byte. After an intended change of format, regenerate them with
 * EXPO_UPDATE_GOLDEN=1 and review the diff.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "expo.h"
#include "finding.h"
#include "gate/gate.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "rank/rank.h"
#include "report/report_priv.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures/report"
#endif

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static void spew(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/expo-report-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

/* number of entries in dir (without . and ..) */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void remove_tmpdir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' &&
			    (e->d_name[1] == '\0' ||
			     (e->d_name[1] == '.' && e->d_name[2] == '\0')))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

/* the text report of r, as a string */
static char *text_of(const struct scan_report *r, bool color, int verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(report_text_write(f, r, color, verbose), 0);
	fclose(f);
	if (getenv("EXPO_DUMP_REPORT") != NULL)
		fputs(buf, stderr);
	return buf;
}

static void check_golden(const char *name, const char *got, size_t len)
{
	char path[256];
	char *want;
	size_t wlen;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	if (getenv("EXPO_UPDATE_GOLDEN") != NULL)
		spew(path, got, len);
	want = slurp(path, &wlen);
	cr_expect_eq(len, wlen, "%s: %zu bytes, golden %zu", name, len, wlen);
	cr_expect(memcmp(got, want, len < wlen ? len : wlen) == 0,
		  "%s differs from the golden file; got:\n%s", name, got);
	free(want);
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	unsigned cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			k = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			k = 3;
		else if ((s[i] & 0xf8) == 0xf0)
			k = 4;
		else
			return false;
		if (i + k > n)
			return false;
		cp = s[i] & (0x7f >> k);
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k;
	}
	return true;
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* by hand: ASan's strstr measures the whole haystack on every call */
static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void set_addr(struct target_addr *a, const char *text, bool pub)
{
	memset(a, 0, sizeof(*a));
	if (strchr(text, ':') != NULL) {
		a->u.sin6.sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, &a->u.sin6.sin6_addr),
			     1);
		a->salen = sizeof(a->u.sin6);
	} else {
		a->u.sin.sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, text, &a->u.sin.sin_addr), 1);
		a->salen = sizeof(a->u.sin);
	}
	a->is_public = pub;
}

/* ---- a fixed scan: 5 targets (one skipped, one clean), 4 findings ---- */

static struct target_addr addrs0[2], addrs1[1], addrs2[1], addrs3[1], addrs4[1];
static struct target_meta meta0 = {
	.account = "123456789012",
	.region = "eu-west-1",
	.zone = "eu-west-1a",
	.state = "running",
	.firewall_known = true,
};
/* gcp:4242 has labels, hostile ones among them */
static struct target_meta meta2;
static struct target targets[5];
static struct target_list tlist;
static struct finding fv[4];
static struct finding_list flist;
static struct port_record recs[14];
static uint32_t durs[14];
static uint8_t ssh;
static const char *const reasons[] = {
	NULL,
	"no reply within 3000 ms",
	"phase kexinit: no reply within 5000 ms",
	"connect: Network is unreachable",
};
static struct scan_report rep;

/* the registry's index of "ssh", whatever else is compiled in */
static uint8_t ssh_index(void)
{
	size_t i;

	for (i = 0; i < check_registry_len; i++)
		if (strcmp(check_registry[i]->name, "ssh") == 0)
			break;
	cr_assert_lt(i, check_registry_len, "no ssh check in the registry");
	return (uint8_t)i;
}

static void rec(size_t i, uint32_t t, uint16_t a, uint16_t port,
		enum probe_status st, uint8_t check, uint32_t reason)
{
	recs[i] = (struct port_record){ .target = t,
					.addr = a,
					.port = port,
					.status = (uint8_t)st,
					.check = check,
					.reason = reason };
}

static void fill(struct finding *f, const char *rule, const char *check,
		 const char *title, const char *service, struct target *t,
		 const char *addr, bool pub, uint16_t port, const char *vector,
		 double score, enum severity sev, enum confidence conf,
		 enum impact imp, enum exposure expo)
{
	memset(f, 0, sizeof(*f));
	f->rule_id = (char *)rule;
	f->check = (char *)check;
	f->title = (char *)title;
	f->service = (char *)service;
	f->target_id = t->id;
	f->target_name = t->name;
	f->address = (char *)addr;
	f->port = port;
	f->cvss_vector = (char *)vector;
	f->cvss_score = score;
	f->severity = sev;
	f->confidence = conf;
	f->impact = imp;
	f->is_public = pub;
	f->exposure = expo;
	finding_fingerprint(f->fingerprint, rule, t->id, port);
}

/* labels of meta0 (plain) and meta2 (hostile: markup, a newline and a
 * workflow command, a bidi override, invalid UTF-8 in key and value) */
static void build_labels(void)
{
	cJSON_Delete(meta0.tags);
	cJSON_Delete(meta2.tags);
	meta0.tags = cJSON_CreateObject();
	meta2.tags = cJSON_CreateObject();
	cr_assert_not_null(meta0.tags);
	cr_assert_not_null(meta2.tags);
	cJSON_AddStringToObject(meta0.tags, "team", "payments");
	cJSON_AddStringToObject(meta0.tags, "env", "prod");
	cJSON_AddStringToObject(meta2.tags, "owner",
				"<script>alert(1)</script>");
	cJSON_AddStringToObject(meta2.tags, "note", "a\n::error::x");
	cJSON_AddStringToObject(meta2.tags, "::add-mask::k", "v, w\"q");
	cJSON_AddStringToObject(meta2.tags, "bad\xff", "\xfe\xe2\x80\xaertl");
}

static void build_scan(void)
{
	build_labels();
	set_addr(&addrs0[0], "192.0.2.10", true);
	set_addr(&addrs0[1], "10.0.0.5", false);
	set_addr(&addrs1[0], "198.51.100.7", true);
	set_addr(&addrs2[0], "2001:db8::5", true);
	set_addr(&addrs3[0], "203.0.113.9", true);
	set_addr(&addrs4[0], "192.0.2.50", true);

	memset(targets, 0, sizeof(targets));
	targets[0] = (struct target){ .id = "aws:i-0abc",
				      .name = "web-1",
				      .provider = "aws",
				      .source = "inventory/ec2.json",
				      .meta = &meta0,
				      .addrs = addrs0,
				      .naddrs = 2 };
	targets[1] = (struct target){ .id = "list:198.51.100.7",
				      .provider = "list",
				      .source = "hosts.txt",
				      .addrs = addrs1,
				      .naddrs = 1 };
	targets[2] = (struct target){ .id = "gcp:4242",
				      .name = "db-1",
				      .provider = "gcp",
				      .source = "inventory/gcp.json",
				      .meta = &meta2,
				      .addrs = addrs2,
				      .naddrs = 1 };
	targets[3] =
		(struct target){ .id = "list:203.0.113.9",
				 .provider = "list",
				 .source = "hosts.txt",
				 .skip_reason = "instance state is stopped",
				 .addrs = addrs3,
				 .naddrs = 1 };
	targets[4] = (struct target){ .id = "list:192.0.2.50",
				      .provider = "list",
				      .source = "hosts.txt",
				      .addrs = addrs4,
				      .naddrs = 1 };
	tlist = (struct target_list){ .v = targets, .n = 5, .alloc = 5 };

	fill(&fv[0], "docker.api_no_auth", "docker",
	     "Docker Engine API answers without authentication", "docker",
	     &targets[0], "192.0.2.10", true, 2375,
	     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, SEV_CRITICAL,
	     CONFIDENCE_CONFIRMED, IMPACT_EXEC, EXPOSURE_WORLD);
	fv[0].evidence = "GET /version returned {\"ApiVersion\":\"1.43\"}";
	fv[0].remediation = "Bind the API to a unix socket or require TLS "
			    "client certificates.";
	fv[0].references = "CWE-306; ATT&CK T1610";
	fv[0].rank_reason = "confirmed code execution on a public address "
			    "open to the world, CVSS 9.8";

	fill(&fv[1], "pg.default_credentials", "pg",
	     "PostgreSQL login with a default password", "postgresql",
	     &targets[2], "2001:db8::5", true, 5432,
	     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, SEV_CRITICAL,
	     CONFIDENCE_CONFIRMED, IMPACT_EXEC, EXPOSURE_UNKNOWN);
	fv[1].evidence = "login as postgres succeeded (server 15.4)";
	fv[1].secret = "postgres:p******s";
	fv[1].remediation = "Set a strong password and restrict pg_hba.conf.";
	fv[1].references = "CWE-1392; ATT&CK T1078.001";
	fv[1].rank_reason = "confirmed code execution on a public address, "
			    "CVSS 9.8";

	fill(&fv[2], "ssh.password_auth", "ssh",
	     "SSH offers password authentication", "ssh", &targets[0],
	     "192.0.2.10", true, 22,
	     "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L", 5.6, SEV_MEDIUM,
	     CONFIDENCE_INFERRED, IMPACT_WEAKENED, EXPOSURE_WORLD);
	fv[2].evidence = "auth methods: publickey,password";
	fv[2].remediation = "Set PasswordAuthentication no.";
	fv[2].references = "CWE-307; ATT&CK T1110.001";
	fv[2].rank_reason = "inferred weakened defences on a public address "
			    "open to the world, CVSS 5.6";

	fill(&fv[3], "ssh.weak_kex", "ssh",
	     "SSH offers weak key exchange algorithms", "ssh", &targets[1],
	     "198.51.100.7", true, 22,
	     "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, SEV_LOW,
	     CONFIDENCE_INFERRED, IMPACT_WEAKENED, EXPOSURE_UNKNOWN);
	fv[3].evidence = "kex: diffie-hellman-group1-sha1";
	fv[3].remediation = "Remove SHA-1 key exchange from KexAlgorithms.";
	fv[3].references = "CWE-327";
	fv[3].rank_reason = "inferred weakened defences on a public address, "
			    "CVSS 3.7";
	flist = (struct finding_list){ .v = fv, .n = 4, .alloc = 4 };

	ssh = ssh_index();
	rec(0, 0, 0, 22, STATUS_OPEN, CHECK_NONE, 0);
	rec(1, 0, 0, 2375, STATUS_OPEN, CHECK_NONE, 0);
	rec(2, 0, 0, 5432, STATUS_CLOSED, CHECK_NONE, 0);
	rec(3, 0, 1, 22, STATUS_FILTERED, CHECK_NONE, 1);
	rec(4, 0, 1, 2375, STATUS_FILTERED, CHECK_NONE, 1);
	rec(5, 0, 1, 5432, STATUS_FILTERED, CHECK_NONE, 1);
	rec(6, 1, 0, 22, STATUS_OPEN, CHECK_NONE, 0);
	rec(7, 1, 0, 5432, STATUS_OPEN, CHECK_NONE, 0);
	rec(8, 2, 0, 22, STATUS_ERROR, CHECK_NONE, 3);
	rec(9, 2, 0, 5432, STATUS_OPEN, CHECK_NONE, 0);
	rec(10, 4, 0, 22, STATUS_CLOSED, CHECK_NONE, 0);
	rec(11, 0, 0, 22, STATUS_OPEN, ssh, 0);
	rec(12, 1, 0, 22, STATUS_TIMEOUT, ssh, 2);
	rec(13, 4, 0, 5432, STATUS_CLOSED, CHECK_NONE, 0);
	memset(durs, 0, sizeof(durs));
	durs[11] = 1234; /* the ssh probe of web-1 */
	durs[12] = 5001; /* the ssh probe that timed out */

	rep = (struct scan_report){
		.targets = &tlist,
		.findings = &flist,
		.records = recs,
		.nrecords = 14,
		.durations_ms = durs,
		.reasons = reasons,
		.nreasons = 4,
		.started_at = "2024-05-01T10:00:00Z",
		.duration_s = 12.5,
		.fail_on = SEV_HIGH,
		.exit_code = 1,
	};
}

/* ---- golden output ---- */

Test(report, json_golden)
{
	char *dir, path[256], *got;
	size_t len;

	build_scan();
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cr_assert_eq(report_json_write(path, &rep), 0);
	got = slurp(path, &len);
	check_golden("golden.json", got, len);
	cr_expect_eq(count_entries(dir), 1, "a temporary file was left");
	free(got);
	remove_tmpdir(dir);
}

Test(report, json_parses_back)
{
	char *dir, path[256], *got;
	cJSON *root, *f, *t;

	build_scan();
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cr_assert_eq(report_json_write(path, &rep), 0);
	got = slurp(path, NULL);
	root = cJSON_Parse(got);
	cr_assert_not_null(root);
	cr_expect_str_eq(cJSON_GetStringValue(
				 cJSON_GetObjectItem(root, "schema_version")),
			 REPORT_SCHEMA_VERSION);
	cr_expect_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "gate"), "result")
			->valuestring,
		"failed");
	f = cJSON_GetObjectItem(root, "findings");
	cr_assert_eq(cJSON_GetArraySize(f), 4);
	cr_expect_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(f, 2), "rank")->valueint,
		3);
	cr_expect_str_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(f, 2), "fingerprint")
			->valuestring,
		"7385345837673768c913beca48357eda");
	t = cJSON_GetObjectItem(root, "targets");
	cr_assert_eq(cJSON_GetArraySize(t), 5);
	/* every record has its target's row, check records included; a
	 * plain closed port is in the compact list (schema 1.6) */
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(
			     cJSON_GetArrayItem(t, 0), "ports")),
		     6);
	cr_expect_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(
				cJSON_GetObjectItem(cJSON_GetArrayItem(t, 0),
						    "closed"),
				0),
			"ports")),
		"5432");
	cJSON_Delete(root);
	free(got);
	remove_tmpdir(dir);
}

Test(report, text_golden)
{
	char *got;

	build_scan();
	got = text_of(&rep, false, 0);
	check_golden("golden.txt", got, strlen(got));
	free(got);
	got = text_of(&rep, false, 1);
	check_golden("golden-verbose.txt", got, strlen(got));
	free(got);
	got = text_of(&rep, false, -1);
	check_golden("golden-quiet.txt", got, strlen(got));
	free(got);
}

Test(report, text_gate_lines)
{
	char *got;

	build_scan();
	got = text_of(&rep, false, 0);
	cr_expect(strstr(got, "gate: failed (2 findings >= high)\n") != NULL);
	free(got);
	rep.fail_on = SEV_CRITICAL;
	got = text_of(&rep, false, 0);
	cr_expect(strstr(got, "gate: failed (2 findings >= critical)\n"));
	free(got);
	flist.n = 0;
	got = text_of(&rep, false, 0);
	cr_expect(strstr(got, "gate: passed\n") != NULL);
	cr_expect(strstr(got, "no findings\n") != NULL);
	free(got);
	rep.fail_on = -1;
	got = text_of(&rep, false, 0);
	cr_expect(strstr(got, "gate: off\n") != NULL);
	free(got);
}

Test(report, text_color_only_when_asked)
{
	char *plain, *color;

	build_scan();
	plain = text_of(&rep, false, 1);
	color = text_of(&rep, true, 1);
	cr_expect(strchr(plain, '\033') == NULL);
	cr_expect(strstr(color, "\033[1;31mCRITICAL\033[0m") != NULL);
	cr_expect(strstr(color, "\033[33mMEDIUM\033[0m") != NULL);
	free(plain);
	free(color);
}

Test(report, ports_file)
{
	char *dir, path[256], *got;

	build_scan();
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/ports.tsv", dir);
	cr_assert_eq(report_ports_write(path, &rep), 0);
	got = slurp(path, NULL);
	check_golden("golden-ports.tsv", got, strlen(got));
	/* discovery records only: 12 of the 14 */
	cr_expect_eq(count_lines(got), 12);
	cr_expect(strstr(got, "10.0.0.5\t22\tfiltered\tno reply within "
			      "3000 ms\n") != NULL);
	cr_expect(strstr(got, "192.0.2.10\t22\topen\t-\n") != NULL);
	free(got);
	remove_tmpdir(dir);
}

/* 262,144 discovery records (a /14 on one port) in well under a second */
Test(report, ports_file_large, .timeout = 30)
{
	const size_t nt = 4096, np = 64;
	struct target_addr *a;
	struct target *tv;
	struct port_record *rv;
	struct target_list tl;
	struct scan_report r = { 0 };
	char *dir, path[256], *got, ip[32];
	struct timespec t0, t1;
	size_t i, j, k = 0, len;
	double secs;

	a = calloc(nt, sizeof(*a));
	tv = calloc(nt, sizeof(*tv));
	rv = calloc(nt * np + nt, sizeof(*rv));
	cr_assert(a && tv && rv);
	for (i = 0; i < nt; i++) {
		snprintf(ip, sizeof(ip), "10.%zu.%zu.1", i / 256, i % 256);
		set_addr(&a[i], ip, false);
		tv[i].id = "x";
		tv[i].addrs = &a[i];
		tv[i].naddrs = 1;
		for (j = 0; j < np; j++)
			rv[k++] = (struct port_record){
				.target = (uint32_t)i,
				.port = (uint16_t)(1000 + j),
				.status = STATUS_CLOSED,
				.check = CHECK_NONE
			};
		/* a check record, to be left out */
		rv[k++] = (struct port_record){ .target = (uint32_t)i,
						.port = 1000,
						.status = STATUS_OPEN,
						.check = 0 };
	}
	tl = (struct target_list){ .v = tv, .n = nt };
	r.targets = &tl;
	r.records = rv;
	r.nrecords = k;
	r.fail_on = -1;
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/ports.tsv", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(report_ports_write(path, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_log_info("262144 port records written in %.3f s", secs);
	cr_expect_lt(secs, 5.0, "took %.3f s", secs);
	got = slurp(path, &len);
	cr_expect_eq(count_lines(got), nt * np);
	cr_expect(strncmp(got, "10.0.0.1\t1000\tclosed\t-\n", 23) == 0);
	cr_expect(strstr(got, "10.15.255.1\t1063\tclosed\t-\n") != NULL);
	free(got);
	remove_tmpdir(dir);
	free(a);
	free(tv);
	free(rv);
}

/* ---- hostile text ---- */

#define HOSTILE                                                             \
	"q\"uote <script>alert(1)</script> \x1b[31mred\x1b[0m "             \
	"bad\xff\xfe utf8 line1\nline2\r\x07 '); DROP TABLE x;-- \xc3\xa9 " \
	"\xe2\x80\xae rlo \xc2\x9b csi \x7f"
/* the same with each invalid byte replaced by U+FFFD */
#define HOSTILE_FIXED                                                      \
	"q\"uote <script>alert(1)</script> \x1b[31mred"                    \
	"\x1b[0m bad\xef\xbf\xbd\xef\xbf\xbd utf8 line1\nline2\r\x07 '); " \
	"DROP TABLE x;-- \xc3\xa9 \xe2\x80\xae rlo \xc2\x9b csi \x7f"

static const char *const hostile_reasons[] = { NULL, "banner: " HOSTILE };

static void build_hostile(void)
{
	build_scan();
	fv[0].evidence = "banner: " HOSTILE;
	fv[0].title = "title " HOSTILE;
	fv[0].service = "svc\x1b]0;pwned\x07";
	fv[1].secret = "s3cr\x1b[2Jet\xff";
	fv[2].rank_reason = HOSTILE;
	targets[0].name = "web\x1b[1;1H-1\xfe";
	fv[0].target_name = targets[0].name;
	fv[2].target_name = targets[0].name;
	targets[3].skip_reason = "skip " HOSTILE;
	rec(12, 1, 0, 22, STATUS_TIMEOUT, ssh, 1);
	rep.reasons = hostile_reasons;
	rep.nreasons = 2;
}

/* no byte a terminal acts on, except the newlines of the report itself */
static void expect_terminal_safe(const char *s, bool color)
{
	const unsigned char *p;
	char *copy = strdup(s), *q;
	static const char *const ours[] = {
		"\033[1;31m", "\033[31m", "\033[33m", "\033[36m",
		"\033[2m",    "\033[32m", "\033[0m",
	};
	size_t i;

	cr_assert_not_null(copy);
	/* blank out the colour codes the writer itself emits */
	for (i = 0; color && i < sizeof(ours) / sizeof(ours[0]); i++)
		while ((q = strstr(copy, ours[i])) != NULL)
			memset(q, ' ', strlen(ours[i]));
	for (p = (const unsigned char *)copy; *p; p++)
		cr_assert(*p == '\n' || (*p >= 0x20 && *p != 0x7f),
			  "raw byte 0x%02x at offset %zu", *p,
			  (size_t)((const char *)p - copy));
	cr_expect(valid_utf8((const unsigned char *)copy, strlen(copy)));
	/* C1 CSI and the bidi override are escaped too */
	cr_expect(strstr(copy, "\xc2\x9b") == NULL);
	cr_expect(strstr(copy, "\xe2\x80\xae") == NULL);
	free(copy);
}

Test(report, text_hostile_strings)
{
	char *got;
	int v;

	build_hostile();
	for (v = -1; v <= 1; v++) {
		got = text_of(&rep, false, v);
		expect_terminal_safe(got, false);
		free(got);
		got = text_of(&rep, true, v);
		expect_terminal_safe(got, true);
		free(got);
	}
	got = text_of(&rep, false, 1);
	cr_expect(strstr(got, "\\x1b[31mred\\x1b[0m") != NULL);
	cr_expect(strstr(got, "bad\\xff\\xfe utf8 line1\\x0aline2\\x0d\\x07") !=
		  NULL);
	cr_expect(strstr(got, "'); DROP TABLE x;-- \xc3\xa9 \\xe2\\x80\\xae "
			      "rlo \\xc2\\x9b csi \\x7f") != NULL);
	cr_expect(strstr(got, "<script>alert(1)</script>") != NULL);
	cr_expect(strstr(got, "web\\x1b[1;1H-1\\xfe (aws:i-0abc)") != NULL);
	cr_expect(strstr(got, "secret: s3cr\\x1b[2Jet\\xff\n") != NULL);
	cr_expect(strstr(got, "skip q\"uote") != NULL);
	free(got);
}

Test(report, json_hostile_strings)
{
	char *dir, path[256], *got;
	size_t len;
	cJSON *root, *f, *t, *p;

	build_hostile();
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cr_assert_eq(report_json_write(path, &rep), 0);
	got = slurp(path, &len);
	cr_expect(valid_utf8((const unsigned char *)got, len));
	cr_expect(memchr(got, '\033', len) == NULL, "raw ESC in the JSON");
	root = cJSON_Parse(got);
	cr_assert_not_null(root, "the JSON does not parse");
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 0);
	cr_expect_str_eq(cJSON_GetObjectItem(f, "evidence")->valuestring,
			 "banner: " HOSTILE_FIXED);
	cr_expect_str_eq(cJSON_GetObjectItem(f, "title")->valuestring,
			 "title " HOSTILE_FIXED);
	cr_expect_str_eq(cJSON_GetObjectItem(f, "service")->valuestring,
			 "svc\x1b]0;pwned\x07");
	cr_expect_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(f, "target"), "name")
			->valuestring,
		"web\x1b[1;1H-1\xef\xbf\xbd");
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "findings"), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(f, "secret")->valuestring,
			 "s3cr\x1b[2Jet\xef\xbf\xbd");
	t = cJSON_GetObjectItem(root, "targets");
	cr_expect_str_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(t, 3), "skip_reason")
			->valuestring,
		"skip " HOSTILE_FIXED);
	/* the timeout record of target 1 carries the hostile reason */
	p = cJSON_GetObjectItem(cJSON_GetArrayItem(t, 1), "ports");
	p = cJSON_GetArrayItem(p, 2);
	cr_expect_str_eq(cJSON_GetObjectItem(p, "status")->valuestring,
			 "timeout");
	cr_expect_str_eq(cJSON_GetObjectItem(p, "reason")->valuestring,
			 "banner: " HOSTILE_FIXED);
	cJSON_Delete(root);
	free(got);
	remove_tmpdir(dir);
}

Test(report, ports_hostile_reason)
{
	char *dir, path[256], *got;

	build_hostile();
	rec(7, 1, 0, 5432, STATUS_ERROR, CHECK_NONE, 1);
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/ports.tsv", dir);
	cr_assert_eq(report_ports_write(path, &rep), 0);
	got = slurp(path, NULL);
	/* still one line per record: the reason's newline is escaped */
	cr_expect_eq(count_lines(got), 12);
	cr_expect(strchr(got, '\033') == NULL);
	cr_expect(strstr(got, "198.51.100.7\t5432\terror\tbanner: q\"uote") !=
		  NULL);
	free(got);
	remove_tmpdir(dir);
}

/* ---- secrets ---- */

Test(report, secrets_only_as_given)
{
	char *dir, path[256], *got, *text;
	cJSON *root, *f;

	build_scan();
	text = text_of(&rep, false, 1);
	cr_expect_eq(count_str(text, "postgres:p******s"), 1);
	cr_expect_eq(count_str(text, "secret: "), 1);
	free(text);
	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cr_assert_eq(report_json_write(path, &rep), 0);
	got = slurp(path, NULL);
	cr_expect_eq(count_str(got, "postgres:p******s"), 1);
	root = cJSON_Parse(got);
	cr_assert_not_null(root);
	f = cJSON_GetObjectItem(root, "findings");
	cr_expect_null(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 0), "secret"),
		       "a finding without a secret has no secret key");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 1), "secret")
				 ->valuestring,
			 "postgres:p******s");
	cJSON_Delete(root);
	free(got);
	remove_tmpdir(dir);
}

/* ---- atomic write ---- */

Test(report, atomic_write_new_and_replace)
{
	char *dir, path[256], *got;
	struct stat st;
	size_t len;

	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	cr_assert_eq(write_file_atomic(path, "first\n", 6), 0);
	got = slurp(path, &len);
	cr_expect_eq(len, 6);
	cr_expect_str_eq(got, "first\n");
	free(got);
	cr_expect_eq(count_entries(dir), 1);

	/* an existing file is replaced whole and keeps its mode */
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(write_file_atomic(path, "second, longer\n", 15), 0);
	got = slurp(path, &len);
	cr_expect_str_eq(got, "second, longer\n");
	free(got);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	cr_expect_eq(count_entries(dir), 1, "a temporary file was left");

	/* shorter content leaves no tail of the old one */
	cr_assert_eq(write_file_atomic(path, "3", 1), 0);
	got = slurp(path, &len);
	cr_expect_eq(len, 1);
	free(got);
	cr_assert_eq(write_file_atomic(path, "", 0), 0);
	got = slurp(path, &len);
	cr_expect_eq(len, 0);
	free(got);
	cr_expect_eq(count_entries(dir), 1);
	remove_tmpdir(dir);
}

Test(report, atomic_write_relative_path)
{
	char *dir, *cwd, *got;

	dir = make_tmpdir();
	cwd = getcwd(NULL, 0);
	cr_assert_eq(chdir(dir), 0);
	cr_expect_eq(write_file_atomic("plain.txt", "x", 1), 0);
	got = slurp("plain.txt", NULL);
	cr_expect_str_eq(got, "x");
	free(got);
	cr_assert_eq(chdir(cwd), 0);
	free(cwd);
	cr_expect_eq(count_entries(dir), 1);
	remove_tmpdir(dir);
}

Test(report, atomic_write_failure_leaves_nothing)
{
	char *dir, path[256], adir[256];

	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/missing/out.txt", dir);
	cr_expect_lt(write_file_atomic(path, "x", 1), 0);
	cr_expect_eq(count_entries(dir), 0);
	/* a folder in the way: rename fails, the temporary file goes */
	snprintf(adir, sizeof(adir), "%s/adir", dir);
	cr_assert_eq(mkdir(adir, 0700), 0);
	cr_expect_lt(write_file_atomic(adir, "x", 1), 0);
	cr_expect_eq(count_entries(dir), 1);
	cr_expect_eq(count_entries(adir), 0);
	cr_expect_lt(write_file_atomic("", "x", 1), 0);
	/* a path naming a folder, not a file */
	snprintf(path, sizeof(path), "%s/", dir);
	cr_expect_lt(write_file_atomic(path, "x", 1), 0);
	cr_expect_eq(count_entries(dir), 1);
	rmdir(adir);
	remove_tmpdir(dir);
}

/* what a signal handler does: the temporary file of a report being
 * written goes; a committed report stays */
Test(report, atomic_temps_removed_for_a_signal)
{
	struct atomic_file af, af2;
	char *dir, path[256], path2[256];

	dir = make_tmpdir();
	snprintf(path, sizeof(path), "%s/a.json", dir);
	snprintf(path2, sizeof(path2), "%s/b.json", dir);
	cr_assert_eq(write_file_atomic(path2, "done", 4), 0);
	cr_assert_eq(atomic_file_open(&af, path), 0);
	cr_assert_eq(atomic_file_write(&af, "half", 4), 0);
	cr_assert_eq(atomic_file_open(&af2, path), 0);
	cr_expect_eq(count_entries(dir), 3);
	atomic_file_remove_temps();
	cr_expect_eq(count_entries(dir), 1, "a temporary file was left");
	atomic_file_abort(&af);
	atomic_file_abort(&af2);
	/* slots are given back: many more files come and go */
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(atomic_file_open(&af, path), 0);
		atomic_file_remove_temps();
		cr_expect_eq(count_entries(dir), 1, "round %d", i);
		atomic_file_abort(&af);
	}
	atomic_file_remove_temps();
	cr_expect_eq(count_entries(dir), 1);
	remove_tmpdir(dir);
}

/* an interrupted run: every writer says so */
Test(report, incomplete_run_is_marked_in_every_writer)
{
	static const char *const want[][2] = {
		{ "r.json",
		  "\"incomplete_reason\":\t\"interrupted by SIGTERM\"" },
		{ "r.sarif", "\"executionSuccessful\":\tfalse" },
		{ "r.xml", "type=\"incomplete\"" },
		{ "r.md", "**Incomplete run**" },
		{ "r.ports", "\n# incomplete: interrupted by SIGTERM\n" },
		{ "r.dojo", "\"complete\":\tfalse" },
	};
	char *dir, path[256], *got, *buf = NULL;
	struct report_doc d;
	size_t i, len = 0;
	FILE *mem;

	build_scan();
	rep.incomplete = "interrupted by SIGTERM";
	dir = make_tmpdir();
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, want[i][0]);
		r = i == 0   ? report_json_write(path, &rep)
		    : i == 1 ? report_sarif_write(path, &rep)
		    : i == 2 ? report_junit_write(path, &rep)
		    : i == 3 ? report_markdown_write(path, &rep)
		    : i == 4 ? report_ports_write(path, &rep)
			     : report_defectdojo_write(path, &rep);
		cr_assert_eq(r, 0, "%s", want[i][0]);
		got = slurp(path, NULL);
		cr_expect(strstr(got, want[i][1]) != NULL, "%s: %s", want[i][0],
			  got);
		free(got);
	}
	/* and reads back */
	snprintf(path, sizeof(path), "%s/r.json", dir);
	report_doc_init(&d);
	got = NULL;
	cr_assert_eq(report_json_read(path, &d, &got), 0, "%s", got);
	cr_expect_str_eq(d.incomplete_reason, "interrupted by SIGTERM");
	report_doc_release(&d);
	mem = open_memstream(&buf, &len);
	cr_assert_eq(report_text_write(mem, &rep, false, 0), 0);
	fclose(mem);
	cr_expect(strstr(buf, "INCOMPLETE: interrupted by SIGTERM") != NULL,
		  "%s", buf);
	free(buf);
	buf = NULL;
	mem = open_memstream(&buf, &len);
	cr_assert_eq(report_annotations_write(mem, &rep), 0);
	fclose(mem);
	cr_expect(strstr(buf, "::error title=exposure::incomplete run: "
			      "interrupted by SIGTERM\n") != NULL,
		  "%s", buf);
	free(buf);
	rep.incomplete = NULL;
	remove_tmpdir(dir);
}

Test(report, json_write_failure)
{
	build_scan();
	cr_expect_lt(report_json_write("/nonexistent-dir/x/r.json", &rep), 0);
	cr_expect_lt(report_ports_write("/nonexistent-dir/x/p.tsv", &rep), 0);
}

/* ---- finding.c ---- */

Test(finding, fingerprint)
{
	char fp[33];

	finding_fingerprint(fp, "ssh.password_auth", "aws:i-0abc", 22);
	/* sha256("ssh.password_auth|aws:i-0abc|22"), first 32 hex digits */
	cr_expect_str_eq(fp, "7385345837673768c913beca48357eda");
	finding_fingerprint(fp, NULL, NULL, 0);
	cr_expect_str_eq(fp, "5506577971d4b47a479e67ca4cc66e35");
}

Test(finding, list_add_take_release)
{
	struct finding_list a, b;
	struct finding *f;
	int i;

	finding_list_init(&a);
	finding_list_init(&b);
	for (i = 0; i < 40; i++) {
		f = finding_list_add(&a);
		cr_assert_not_null(f);
		cr_expect_null(f->rule_id);
		cr_expect_eq(f->port, 0);
		f->rule_id = strdup("redis.no_auth");
		f->evidence = strdup("PONG");
		f->port = (uint16_t)i;
	}
	f = finding_list_add(&b);
	f->title = strdup("first of b");
	cr_assert_eq(finding_list_take(&b, &a), 0);
	cr_expect_eq(a.n, 0);
	cr_expect_null(a.v);
	cr_expect_eq(b.n, 41);
	cr_expect_str_eq(b.v[0].title, "first of b");
	cr_expect_eq(b.v[40].port, 39);
	cr_expect_str_eq(b.v[40].rule_id, "redis.no_auth");
	cr_assert_eq(finding_list_take(&b, &a), 0);
	cr_expect_eq(b.n, 41);
	finding_list_release(&a);
	finding_list_release(&b);
	cr_expect_eq(b.n, 0);
	finding_list_release(NULL);
	finding_release(NULL);
}

Test(finding, names_and_parse)
{
	int s = 99;

	cr_expect_str_eq(severity_name(SEV_CRITICAL), "critical");
	cr_expect_str_eq(severity_name(SEV_INFO), "info");
	cr_expect_eq(severity_parse("high", &s), 0);
	cr_expect_eq(s, SEV_HIGH);
	cr_expect_eq(severity_parse("Critical", &s), 0);
	cr_expect_eq(s, SEV_CRITICAL);
	cr_expect_eq(severity_parse("info", &s), 0);
	cr_expect_eq(s, SEV_INFO);
	cr_expect_eq(severity_parse("none", &s), 0);
	cr_expect_eq(s, -1);
	s = 7;
	cr_expect_eq(severity_parse("severe", &s), EXPO_EINVAL);
	cr_expect_eq(severity_parse("", &s), EXPO_EINVAL);
	cr_expect_eq(severity_parse(NULL, &s), EXPO_EINVAL);
	cr_expect_eq(s, 7);
	cr_expect_str_eq(status_name(STATUS_OPEN), "open");
	cr_expect_str_eq(status_name(STATUS_CLOSED), "closed");
	cr_expect_str_eq(status_name(STATUS_FILTERED), "filtered");
	cr_expect_str_eq(status_name(STATUS_TIMEOUT), "timeout");
	cr_expect_str_eq(status_name(STATUS_ERROR), "error");
	cr_expect_str_eq(confidence_name(CONFIDENCE_CONFIRMED), "confirmed");
	cr_expect_str_eq(confidence_name(CONFIDENCE_INFERRED), "inferred");
	cr_expect_str_eq(impact_name(IMPACT_EXEC), "exec");
	cr_expect_str_eq(impact_name(IMPACT_WEAKENED), "weakened");
}

/* ---- labels, durations, unknown checks, workflow commands ---- */

typedef int (*file_writer)(const char *path, const struct scan_report *r);

/* what writer w writes for r, as a string */
static char *written(file_writer w, const struct scan_report *r)
{
	char *dir = make_tmpdir(), path[256], *got;

	snprintf(path, sizeof(path), "%s/out", dir);
	cr_assert_eq(w(path, r), 0);
	got = slurp(path, NULL);
	remove_tmpdir(dir);
	return got;
}

/* o.a(.b): there, or the test fails (not crashes) */
static const cJSON *jpath(const cJSON *o, const char *a, const char *b)
{
	o = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b != NULL)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	cr_assert_not_null(o, "no %s%s%s", a, b ? "." : "", b ? b : "");
	return o;
}

Test(report, labels_in_every_writer)
{
	char *got;
	cJSON *root, *res, *labels;

	build_scan();
	/* JSON: an object per target, invalid UTF-8 repaired, all else kept */
	got = written(report_json_write, &rep);
	cr_assert_not_null(root = cJSON_Parse(got));
	labels = (cJSON *)jpath(
		cJSON_GetArrayItem(jpath(root, "targets", NULL), 2), "labels",
		NULL);
	cr_assert(cJSON_IsObject(labels));
	cr_expect_str_eq(jpath(labels, "note", NULL)->valuestring,
			 "a\n::error::x");
	cr_expect_str_eq(jpath(labels, "bad\xef\xbf\xbd", NULL)->valuestring,
			 "\xef\xbf\xbd\xe2\x80\xaertl");
	cr_expect_str_eq(
		jpath(cJSON_GetArrayItem(jpath(root, "targets", NULL), 0),
		      "labels", "team")
			->valuestring,
		"payments");
	cJSON_Delete(root);
	free(got);
	/* SARIF: result properties, escaped like every inventory string */
	got = written(report_sarif_write, &rep);
	cr_assert_not_null(root = cJSON_Parse(got));
	res = cJSON_GetArrayItem(
		jpath(cJSON_GetArrayItem(jpath(root, "runs", NULL), 0),
		      "results", NULL),
		1); /* rank 2: pg.default_credentials on gcp:4242 */
	labels = (cJSON *)jpath(jpath(res, "properties", NULL), "labels", NULL);
	cr_assert(cJSON_IsObject(labels), "%s", got);
	cr_expect_str_eq(jpath(labels, "note", NULL)->valuestring,
			 "a\\x0a::error::x");
	cr_expect_str_eq(jpath(labels, "bad\\xff", NULL)->valuestring,
			 "\\xfe\\xe2\\x80\\xaertl");
	cJSON_Delete(root);
	free(got);
	/* JUnit: <properties> of the target's suite, XML-escaped */
	got = written(report_junit_write, &rep);
	cr_expect(strstr(got, "<property name=\"label.team\" "
			      "value=\"payments\"/>") != NULL,
		  "%s", got);
	cr_expect(strstr(got, "<property name=\"label.owner\" value=\"&lt;"
			      "script&gt;alert(1)&lt;/script&gt;\"/>") != NULL,
		  "%s", got);
	cr_expect(strstr(got, "value=\"a\\x0a::error::x\"") != NULL);
	cr_expect(strstr(got, "<script>") == NULL);
	free(got);
	/* Markdown: a column, with Markdown's and HTML's specials escaped */
	got = written(report_markdown_write, &rep);
	cr_expect(strstr(got, "| labels |") != NULL, "%s", got);
	cr_expect(strstr(got, "team=payments, env=prod") != NULL, "%s", got);
	cr_expect(strstr(got, "owner=&lt;script&gt;") != NULL, "%s", got);
	cr_expect(strstr(got, "<script>") == NULL);
	free(got);
	/* DefectDojo: a "key:value" tag each, no blank or comma inside */
	got = written(report_defectdojo_write, &rep);
	cr_assert_not_null(root = cJSON_Parse(got));
	res = (cJSON *)jpath(
		cJSON_GetArrayItem(jpath(root, "findings", NULL), 0), "tags",
		NULL);
	cr_expect_str_eq(cJSON_GetArrayItem(res, 2)->valuestring,
			 "team:payments");
	res = (cJSON *)jpath(
		cJSON_GetArrayItem(jpath(root, "findings", NULL), 1), "tags",
		NULL);
	cr_expect_str_eq(cJSON_GetArrayItem(res, 4)->valuestring,
			 "::add-mask::k:v__w_q");
	cJSON_Delete(root);
	free(got);
	/* text: beside the target, escaped */
	got = text_of(&rep, false, 0);
	cr_expect(strstr(got, "web-1 (aws:i-0abc)  [team=payments, "
			      "env=prod]\n") != NULL,
		  "%s", got);
	cr_expect(strstr(got, "note=a\\x0a::error::x") != NULL, "%s", got);
	free(got);
}

/* the index of the check record of (target ti, port) in d */
static size_t check_rec(const struct report_doc *d, uint32_t ti, uint16_t port)
{
	size_t i;

	for (i = 0; i < d->nrecords; i++)
		if (d->records[i].target == ti && d->records[i].port == port &&
		    d->records[i].check != CHECK_NONE)
			return i;
	cr_assert_fail("no check record of target %u port %u", ti, port);
	return 0;
}

/* the report of r written and read back */
static void round_trip(const struct scan_report *r, struct report_doc *d)
{
	char *dir = make_tmpdir(), path[256], *err = NULL;

	snprintf(path, sizeof(path), "%s/r.json", dir);
	cr_assert_eq(report_json_write(path, r), 0);
	report_doc_init(d);
	cr_assert_eq(report_json_read(path, d, &err), 0, "%s", err);
	remove_tmpdir(dir);
}

Test(report, labels_and_durations_are_read_back)
{
	struct report_doc d;
	struct scan_report v;
	const cJSON *tags;
	char *a, *b;

	build_scan();
	round_trip(&rep, &d);
	cr_assert_eq(d.targets.n, 5);
	cr_assert_not_null(d.targets.v[0].meta);
	tags = d.targets.v[0].meta->tags;
	cr_expect_str_eq(jpath(tags, "env", NULL)->valuestring, "prod");
	cr_assert_not_null(d.targets.v[2].meta);
	tags = d.targets.v[2].meta->tags;
	cr_expect_str_eq(jpath(tags, "::add-mask::k", NULL)->valuestring,
			 "v, w\"q");
	cr_expect(d.targets.v[1].meta == NULL ||
		  d.targets.v[1].meta->tags == NULL);
	cr_assert_eq(d.nrecords, 14);
	cr_assert_not_null(d.durations_ms);
	cr_expect_eq(d.durations_ms[check_rec(&d, 0, 22)], 1234);
	cr_expect_eq(d.durations_ms[check_rec(&d, 1, 22)], 5001);
	cr_expect_eq(d.durations_ms[0], 0);
	/* `exposure report` writes the same JSON again */
	report_doc_view(&d, &v);
	a = written(report_json_write, &rep);
	b = written(report_json_write, &v);
	cr_expect_str_eq(a, b);
	free(a);
	free(b);
	report_doc_release(&d);
}

/* GitLab shows a test report's failures: a finding must never be a
 * passing case because the gate is off or set above it */
Test(report, junit_every_finding_fails_whatever_the_gate)
{
	struct finding_note notes[4];
	char *got;

	build_scan();
	rep.fail_on = -1; /* --fail-on none */
	rep.exit_code = 0;
	got = written(report_junit_write, &rep);
	cr_expect(strstr(got, "<testsuites name=\"exposure\" tests=\"") !=
				  NULL &&
			  strstr(got,
				 "failures=\"4\" errors=\"2\" skipped=\"1\"") !=
				  NULL,
		  "%s", got);
	cr_expect(strstr(got, "<failure message=\"SSH offers password "
			      "authentication\" type=\"medium\">") != NULL,
		  "%s", got);
	cr_expect(strstr(got, "<system-out>") == NULL, "%s", got);
	/* times: the ssh probe of web-1 took 1.234 s, the timed-out one
	 * 5.001 s; a skipped target none */
	cr_expect(strstr(got, "skipped=\"0\" time=\"1.234\">") != NULL, "%s",
		  got);
	cr_expect(strstr(got, "classname=\"198.51.100.7:22\" "
			      "time=\"5.001\">") != NULL,
		  "%s", got);
	free(got);
	/* a suppressed finding is skipped, not failed */
	memset(notes, 0, sizeof(notes));
	notes[2].sup_reason = "accepted risk";
	notes[2].sup_expires = "2099-01-01";
	rep.notes = notes;
	got = written(report_junit_write, &rep);
	cr_expect(strstr(got, "failures=\"3\" errors=\"2\" skipped=\"2\"") !=
			  NULL,
		  "%s", got);
	free(got);
}

/* GitHub's runner takes a line that starts with "::" after blanks (any
 * Unicode blank) as a workflow command */
static void expect_no_command_line(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p != '\0') {
		for (;;) {
			if (*p == ' ' || *p == '\t')
				p++;
			else if (p[0] == 0xc2 && p[1] == 0xa0)
				p += 2;
			else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
				p += 3;
			else
				break;
		}
		cr_expect(strncmp((const char *)p, "::", 2) != 0,
			  "a line starts a workflow command: %.60s", p);
		p = (const unsigned char *)strchr((const char *)p, '\n');
		if (p == NULL)
			break;
		p++;
	}
}

Test(report, text_never_starts_a_line_with_a_workflow_command)
{
	char *got;
	int v;

	build_scan();
	targets[0].name = "::error::x";
	fv[0].target_name = fv[2].target_name = targets[0].name;
	targets[1].name = "\xc2\xa0::add-mask::y";
	targets[3].name = "\xe3\x80\x80::warning::z";
	targets[3].skip_reason = ":: stopped";
	fv[3].target_name = targets[1].name;
	for (v = -1; v <= 1; v++) {
		got = text_of(&rep, false, v);
		expect_no_command_line(got);
		free(got);
		got = text_of(&rep, true, v);
		expect_no_command_line(got);
		free(got);
	}
	got = text_of(&rep, false, 1);
	cr_expect(strstr(got, "\\x3a:error::x (aws:i-0abc)") != NULL, "%s",
		  got);
	cr_expect(strstr(got, "  \xe3\x80\x80\\x3a:warning::z (list:") != NULL,
		  "%s", got);
	/* only the start of a line: elsewhere the text is as it was */
	cr_expect(strstr(got, "): :: stopped\n") != NULL, "%s", got);
	free(got);
}

/* a saved report from a newer build names a check this one lacks: the
 * record stays that check's, so baselines and `report` read it right */
Test(report, unknown_check_keeps_its_name)
{
	struct report_doc d, m;
	struct scan_report v;
	struct absence_index *aix;
	struct finding f;
	char *dir = make_tmpdir(), path[256], *text, *pos, *err = NULL, *got;
	size_t len, n = 0;
	FILE *out;

	build_scan();
	snprintf(path, sizeof(path), "%s/r.json", dir);
	cr_assert_eq(report_json_write(path, &rep), 0);
	text = slurp(path, &len);
	/* every ssh check record (web-1's open one, the timed-out one)
	 * becomes one of "zz_future" */
	while ((pos = strstr(text,
			     "\"check\":\t\"ssh\",\n\t\t\t\t\t\"status"))) {
		memcpy(pos + 10, "zzz", 3);
		n++;
	}
	cr_assert_eq(n, 2, "%s", text);
	report_doc_init(&d);
	cr_assert_eq(report_json_parse(text, len, "new.json", &d, &err), 0,
		     "%s", err);
	cr_assert_eq(d.nrecords, 14);
	cr_expect_str_eq(
		report_doc_check_name(&d, &d.records[check_rec(&d, 0, 22)]),
		"zzz");
	cr_expect_str_eq(
		report_doc_check_name(&d, &d.records[check_rec(&d, 1, 22)]),
		"zzz");
	cr_expect_null(report_doc_check_name(&d, &d.records[0]));
	cr_expect_eq(d.durations_ms[check_rec(&d, 0, 22)], 1234);
	/* written again: still a check record of "zzz", not discovery */
	report_doc_view(&d, &v);
	got = written(report_json_write, &v);
	cr_expect_eq(count_str(got, "\"check\":\t\"zzz\""), 2, "%s", got);
	free(got);
	got = NULL;
	out = open_memstream(&got, &len);
	cr_assert_eq(report_text_write(out, &v, false, 0), 0);
	fclose(out);
	cr_expect(strstr(got, "198.51.100.7:22 zzz: phase kexinit") != NULL,
		  "%s", got);
	free(got);
	/* a baseline finding of that check: proved absent where it ran to
	 * its end, not where it timed out; a discovery record would say
	 * neither */
	memset(&f, 0, sizeof(f));
	f.rule_id = "zzz.rule";
	f.check = "zzz";
	f.target_id = "aws:i-0abc";
	f.address = "192.0.2.10";
	f.port = 22;
	cr_assert_eq(absence_index_new(&aix, &d), 0);
	cr_expect(absence_proved(aix, &f));
	f.check = "ssh";
	cr_expect(!absence_proved(aix, &f));
	f.check = "zzz";
	f.target_id = "list:198.51.100.7";
	f.address = "198.51.100.7";
	cr_expect(!absence_proved(aix, &f));
	absence_index_free(aix);
	/* `merge` keeps the name too */
	report_doc_init(&m);
	cr_assert_eq(report_doc_merge(&m, &d, &err), 0, "%s", err);
	cr_expect_str_eq(
		report_doc_check_name(&m, &m.records[check_rec(&m, 0, 22)]),
		"zzz");
	cr_expect_eq(m.durations_ms[check_rec(&m, 1, 22)], 5001);
	report_doc_release(&m);
	report_doc_release(&d);
	free(text);
	remove_tmpdir(dir);
}

/* a finding read back in this build's own rule text borrows it (a fleet's
 * report holds tens of thousands); one in other words keeps its own */
Test(report, read_back_findings_share_this_builds_rule_text)
{
	const struct check *c = check_find("ssh");
	const struct rule *rule = c ? check_rule(c, "ssh.weak_kex") : NULL;
	struct report_doc d;
	size_t i, shared = 0, own = 0;

	cr_assert_not_null(rule);
	build_scan();
	fv[3].title = (char *)rule->title;
	fv[3].cvss_vector = (char *)rule->cvss_vector;
	fv[3].remediation = (char *)rule->remediation;
	fv[3].references = (char *)rule->references;
	round_trip(&rep, &d);
	for (i = 0; i < d.findings.n; i++) {
		const struct finding *f = &d.findings.v[i];

		if (strcmp(f->rule_id, "ssh.weak_kex") == 0) {
			cr_assert_str_eq(f->title, rule->title);
			cr_assert_str_eq(f->service, "ssh");
			cr_assert_str_eq(f->cvss_vector, rule->cvss_vector);
			cr_assert_str_eq(f->remediation, rule->remediation);
			cr_assert_str_eq(f->references, rule->references);
			cr_assert(f->shares & FINDING_SHARES_RULE);
			cr_assert_eq(f->title, rule->title);
			shared++;
		} else if (strcmp(f->rule_id, "ssh.password_auth") == 0) {
			cr_assert_eq(f->shares & FINDING_SHARES_RULE, 0);
			cr_assert_str_eq(f->title,
					 "SSH offers password authentication");
			own++;
		}
	}
	cr_assert_eq(shared, 1);
	cr_assert_eq(own, 1);
	report_doc_release(&d);
}

/* A walk seeks any target's records, back or forth: a scan's records are
 * its discovery records in target order, then its check records in the
 * order the probes ended (the tail). Each seek must give exactly the
 * target's records, in record order. */
Test(report, record_walk_seeks_any_target)
{
	enum { NT = 40, PER = 5, NTAIL = 90 };
	struct port_record rec[NT * PER + NTAIL];
	struct scan_report r = { .records = rec };
	struct record_walk w;
	uint32_t order[NT * 2], t;
	size_t n = 0, i, k, got, want;
	unsigned seed = 7;

	memset(rec, 0, sizeof(rec));
	for (t = 0; t < NT; t++)
		for (k = 0; k < PER; k++, n++) {
			rec[n].target = t;
			rec[n].port = (uint16_t)(k + 1);
			rec[n].check = CHECK_NONE;
		}
	/* the tail: targets in a scrambled order, some twice, some never */
	for (k = 0; k < NTAIL; k++, n++) {
		rec[n].target = (uint32_t)((k * 17 + 3) % (NT - 4));
		rec[n].port = 22;
		rec[n].check = 0;
	}
	r.nrecords = n;
	cr_assert_eq(record_walk_init(&w, &r), 0);
	cr_assert_eq(w.sorted, (size_t)NT * PER);
	/* every target twice, in a scrambled order, then one past the end */
	for (i = 0; i < NT * 2; i++) {
		seed = seed * 1103515245u + 12345u;
		order[i] = (seed >> 16) % NT;
	}
	for (i = 0; i <= NT * 2; i++) {
		t = i < NT * 2 ? order[i] : NT + 3;
		record_walk_seek(&w, t);
		want = 0;
		for (k = 0; k < n; k++) {
			if (rec[k].target != t)
				continue;
			got = record_walk_next(&w, t);
			cr_assert_eq(got, k, "target %u: record %zu, not %zu",
				     t, got, k);
			want++;
		}
		cr_assert_eq(record_walk_next(&w, t), SIZE_MAX,
			     "target %u has only %zu records", t, want);
	}
	record_walk_release(&w);
}

/* A skeleton with a hole streams to exactly what printing the whole tree
 * gives, for an empty array and a nested one; an error leaves no file. */
Test(report, streamed_json_matches_the_whole_tree)
{
	char *dir = make_tmpdir(), path[256], *rest, *whole, *got;
	size_t len, n, i;
	int depth;

	snprintf(path, sizeof(path), "%s/s.json", dir);

	for (n = 0; n <= 3; n += 3) {
		cJSON *tree = cJSON_CreateObject(),
		      *skel = cJSON_CreateObject();
		cJSON *runs[2], *list[2], *el;
		struct json_out o;

		for (i = 0; i < 2; i++) {
			cJSON *root = i ? skel : tree;

			cJSON_AddNumberToObject(root, "a", 1);
			runs[i] = cJSON_AddArrayToObject(root, "runs");
			el = cJSON_CreateObject();
			cJSON_AddItemToArray(runs[i], el);
			cJSON_AddStringToObject(el, "name", "x\ny");
			list[i] = cJSON_AddArrayToObject(el, "results");
			cJSON_AddStringToObject(el, "after", "z");
		}
		cJSON_AddItemToArray(list[1], json_hole());
		for (i = 0; i < n; i++) {
			el = cJSON_CreateObject();
			cJSON_AddNumberToObject(el, "i", (double)i);
			cJSON_AddItemToArray(cJSON_AddArrayToObject(el, "v"),
					     cJSON_CreateString("w"));
			cJSON_AddItemToArray(list[0], el);
		}
		whole = cJSON_Print(tree);
		cr_assert_eq(json_out_open(&o, path, 0), 0);
		cr_assert_eq(json_out_until_hole(&o, skel, &rest, &depth), 0);
		for (i = 0; i < n; i++) {
			if (i > 0)
				json_out_put(&o, ", ", 2);
			json_out_item(&o,
				      cJSON_Duplicate(cJSON_GetArrayItem(
							      list[0], (int)i),
						      true),
				      depth);
		}
		json_out_rest(&o, rest);
		cr_assert_eq(json_out_close(&o, 0), 0);
		got = slurp(path, &len);
		cr_expect_str_eq(got, whole, "%zu elements", n);
		free(got);
		cJSON_free(whole);
		cJSON_Delete(tree);
	}
	/* an error met on the way: the file goes, the error comes back */
	{
		struct json_out o;

		unlink(path);
		cr_assert_eq(json_out_open(&o, path, 0), 0);
		json_out_put(&o, "{", 1);
		cr_expect_eq(json_out_close(&o, EXPO_ENOMEM), EXPO_ENOMEM);
		cr_expect(access(path, F_OK) != 0);
	}
	cr_expect_eq(count_entries(dir), 0, "no temporary file is left");
	rmdir(dir);
	free(dir);
}

/* of two targets with one id (two shards' reports merged), the first in
 * the list is found, as a pass over the list would */
Test(report, target_index_finds_the_first_of_one_id)
{
	struct target t[4] = { { .id = (char *)"b" },
			       { .id = (char *)"a" },
			       { .id = (char *)"c" },
			       { .id = (char *)"a" } };
	struct target_list l = { .v = t, .n = 4 };
	struct target_index ix;

	cr_assert_eq(target_index_build(&ix, &l), 0);
	cr_expect_eq(target_index_find(&ix, "a"), &t[1]);
	cr_expect_eq(target_index_find(&ix, "b"), &t[0]);
	cr_expect_eq(target_index_find(&ix, "c"), &t[2]);
	cr_expect_null(target_index_find(&ix, "d"));
	cr_expect_null(target_index_find(&ix, NULL));
	target_index_release(&ix);
}

/* A report read back shares its findings' ranking sentences from the
 * pool, as a scan's findings do, and a copy of one shares it too: a
 * fleet's 75,000 findings say a few dozen sentences */
Test(report, read_back_findings_share_their_ranking_sentence)
{
	struct report_doc d;
	struct finding copy;
	size_t i, shared = 0;

	build_scan();
	round_trip(&rep, &d);
	cr_assert_gt(d.findings.n, 0);
	for (i = 0; i < d.findings.n; i++) {
		const struct finding *f = &d.findings.v[i];

		if (f->rank_reason == NULL)
			continue;
		cr_assert(f->shares & FINDING_SHARES_REASON, "finding %zu", i);
		cr_assert_eq(f->rank_reason,
			     rank_reason_intern(f->rank_reason));
		shared++;
	}
	cr_assert_gt(shared, 0);
	cr_assert_eq(finding_copy(&copy, &d.findings.v[0]), 0);
	cr_expect_eq(copy.rank_reason, d.findings.v[0].rank_reason);
	cr_expect_neq(copy.target_id, d.findings.v[0].target_id);
	finding_release(&copy);
	report_doc_release(&d);
}
