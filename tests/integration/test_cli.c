/*
 * The command line end to end, as a user or a CI job runs it: exit codes,
 * error messages that name the file and the flag, the gate, the JSON
 * report, against the lab started by `make check` (EXPO_LAB_DIR).
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "finding.h"
#include "report/report.h"
#include "lab_util.h"

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

/* runs `exposure ARGS` with stderr folded into stdout; returns the exit
 * code and the output (caller frees) */
static int run(char **out, const char *args)
{
	char cmd[4096], buf[4096];
	size_t len = 0, cap = 1 << 20;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin(), args);
	p = popen(cmd, "r");
	cr_assert(p != NULL);
	*out = calloc(1, cap + 1);
	for (;;) {
		size_t n = fread(buf, 1, sizeof(buf), p);

		if (n == 0)
			break;
		if (len + n > cap)
			n = cap - len;
		memcpy(*out + len, buf, n);
		len += n;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *tmpfile_with(const char *content)
{
	char *path = strdup("/tmp/expo-cli-XXXXXX");
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, strlen(content)),
		     (ssize_t)strlen(content));
	close(fd);
	return path;
}

/* inventory strings in `exposure targets` are escaped: a Name tag cannot
 * start a line (a workflow command in a CI log) or move the cursor */
Test(cli, targets_escapes_inventory_strings)
{
	char *inv = tmpfile_with(
		"{\"Reservations\": [{\"Instances\": [{\"InstanceId\": "
		"\"i-0bad\", \"State\": {\"Name\": \"running\"}, "
		"\"PrivateIpAddress\": \"10.0.0.9\", \"Tags\": [{\"Key\": "
		"\"Name\", \"Value\": \"web\\n::error::pwned\"}, {\"Key\": "
		"\"team\", \"Value\": \"x\\r\\n  ::add-mask::y\\u001b[2J\"}]}]}]}");
	char args[256], *out, *line;

	snprintf(args, sizeof(args), "targets %s", inv);
	cr_assert_eq(run(&out, args), 0, "%s", out);
	cr_expect(strstr(out, "aws:i-0bad  web\\x0a::error::pwned  (aws, ") !=
			  NULL,
		  "%s", out);
	cr_expect(strstr(out,
			 "    labels: Name=web\\x0a::error::pwned, "
			 "team=x\\x0d\\x0a  ::add-mask::y\\x1b[2J\n") != NULL,
		  "%s", out);
	cr_expect(strchr(out, '\033') == NULL && strchr(out, '\r') == NULL);
	for (line = out; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		line += strspn(line, " \t");
		cr_expect(strncmp(line, "::", 2) != 0, "%s", out);
	}
	free(out);
	unlink(inv);
	free(inv);
}

Test(cli, unreadable_inventory_exits_2_naming_the_file)
{
	char *out;

	cr_assert_eq(run(&out, "scan /nonexistent/inv.txt"), 2);
	cr_assert(strstr(out, "/nonexistent/inv.txt") != NULL, "%s", out);
	free(out);
}

Test(cli, malformed_line_exits_2_naming_file_and_line)
{
	char *path = tmpfile_with("127.0.0.1\n# fine\nnot a host!!\n");
	char args[256], want[300], *out;

	snprintf(args, sizeof(args), "scan %s", path);
	cr_assert_eq(run(&out, args), 2);
	snprintf(want, sizeof(want), "%s:3:", path);
	cr_assert(strstr(out, want) != NULL, "%s", out);
	free(out);
	unlink(path);
	free(path);
}

Test(cli, bad_flag_values_exit_2_naming_the_flag)
{
	char *out;

	cr_assert_eq(run(&out, "scan --timeout soon x"), 2);
	cr_assert(strstr(out, "--timeout: 'soon'") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "scan --fail-on severe x"), 2);
	cr_assert(strstr(out, "--fail-on: 'severe'") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "scan --checks gopher x"), 2);
	cr_assert(strstr(out, "no check named 'gopher'") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "frobnicate"), 2);
	free(out);
}

/* --host-rate: a whole number from 1 (0 would be no limit: leave the
 * flag out); the message names the flag, the value and the range */
Test(cli, bad_host_rate_exits_2)
{
	static const char *const bad[] = { "0",	  "-5", "fast",
					   "1.5", "",	"1000001" };
	char cmd[64], *out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "scan --host-rate '%s' x", bad[i]);
		cr_assert_eq(run(&out, cmd), 2, "--host-rate '%s'", bad[i]);
		cr_expect(strstr(out, "--host-rate: '") != NULL &&
				  strstr(out, "from 1 to 1000000") != NULL,
			  "%s", out);
		free(out);
	}
	cr_assert_eq(run(&out, "--help"), 0);
	cr_expect(strstr(out, "--host-rate N") != NULL, "%s", out);
	free(out);
}

Test(cli, empty_inventory_exits_3)
{
	char *path = tmpfile_with("# nothing here\n\n");
	char args[256], *out;

	snprintf(args, sizeof(args), "scan %s", path);
	cr_assert_eq(run(&out, args), 3);
	cr_assert(strstr(out, "nothing to scan") != NULL, "%s", out);
	free(out);
	unlink(path);
	free(path);
}

Test(cli, checks_lists_every_rule_with_its_score)
{
	char *out;

	cr_assert_eq(run(&out, "checks"), 0);
	cr_assert(strstr(out, "ssh.default_credentials") != NULL);
	cr_assert(strstr(out, "critical  9.8") != NULL, "%s", out);
	cr_assert(strstr(out, "ssh.terrapin") != NULL);
	cr_assert(strstr(out, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") !=
		  NULL);
	free(out);
}

Test(cli, targets_shows_the_plan_and_sends_nothing)
{
	char *path = tmpfile_with("192.0.2.10\n10.1.2.3:2222 check=ssh\n");
	char args[256], *out;

	snprintf(args, sizeof(args), "targets %s", path);
	cr_assert_eq(run(&out, args), 0);
	cr_assert(strstr(out, "address 192.0.2.10 (public)") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "address 10.1.2.3 (private)") != NULL, "%s", out);
	cr_assert(strstr(out, "port 2222  checks: ssh") != NULL, "%s", out);
	cr_assert(strstr(out, "port 22    checks: ssh") != NULL, "%s", out);
	free(out);
	unlink(path);
	free(path);
}

Test(cli, gate_fails_on_the_weak_lab_server_and_json_is_written)
{
	char *path = tmpfile_with("127.0.10.1\n127.0.10.2\n");
	char args[512], json[64] = "/tmp/expo-cli-json-XXXXXX", *out;
	cJSON *doc, *findings, *f;
	FILE *fp;
	long n;
	char *text;
	int fd;

	(void)lab_dir();
	fd = mkstemp(json);
	close(fd);
	snprintf(args, sizeof(args),
		 "scan %s --checks ssh --timeout 2000 "
		 "--json %s",
		 path, json);
	cr_assert_eq(run(&out, args), 1, "%s", out);
	cr_assert(strstr(out, "ssh.default_credentials") != NULL, "%s", out);
	cr_assert(strstr(out, "<redacted>") != NULL, "%s", out);
	free(out);
	fp = fopen(json, "r");
	cr_assert(fp != NULL);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	doc = cJSON_Parse(text);
	cr_assert(doc != NULL);
	cr_assert_str_eq(cJSON_GetStringValue(
				 cJSON_GetObjectItem(doc, "schema_version")),
			 REPORT_SCHEMA_VERSION);
	findings = cJSON_GetObjectItem(doc, "findings");
	cr_assert(cJSON_GetArraySize(findings) > 0);
	f = cJSON_GetArrayItem(findings, 0);
	/* the login ranks first: confirmed code execution */
	cr_assert_str_eq(cJSON_GetObjectItem(f, "rule")->valuestring,
			 "ssh.default_credentials");
	cr_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(f, "target"), "address")
			->valuestring,
		"127.0.10.1");
	cr_assert(strstr(text, "\"toor\"") == NULL, "a secret leaked");
	cJSON_Delete(doc);
	free(text);
	/* --fail-on none: the same findings do not fail the gate */
	snprintf(args, sizeof(args),
		 "scan %s --checks ssh --timeout 2000 "
		 "--no-login --fail-on none -q",
		 path);
	cr_assert_eq(run(&out, args), 0, "%s", out);
	cr_assert_str_eq(out, "");
	free(out);
	unlink(json);
	unlink(path);
	free(path);
}

Test(cli, discover_only_writes_every_pair)
{
	char *path = tmpfile_with("127.0.10.1\n127.0.10.250\n");
	char args[512], ports[64] = "/tmp/expo-cli-ports-XXXXXX", *out;
	char text[4096] = "";
	FILE *fp;
	size_t n;
	int fd;

	(void)lab_dir();
	fd = mkstemp(ports);
	close(fd);
	snprintf(args, sizeof(args),
		 "scan %s --discover-only --ports 22,23 "
		 "--timeout 1000 --ports-out %s -q",
		 path, ports);
	cr_assert_eq(run(&out, args), 0, "%s", out);
	free(out);
	fp = fopen(ports, "r");
	cr_assert(fp != NULL);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	cr_assert_str_eq(text, "127.0.10.1\t22\topen\t-\n"
			       "127.0.10.1\t23\tclosed\t-\n"
			       "127.0.10.250\t22\tclosed\t-\n"
			       "127.0.10.250\t23\tclosed\t-\n");
	unlink(ports);
	unlink(path);
	free(path);
}

/* ==== the CI gate and the audit (issue 7): writers validated by their
 * consumers, shards, merge, baseline, suppressions, history, examples ==== */

/* runs a shell command line as is (stderr folded in); the exit code */
static int sh(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sh(char **out, const char *fmt, ...)
{
	char *cmd = NULL, *full = NULL, buf[4096];
	size_t len = 0, cap = 4 << 20;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	cr_assert(asprintf(&full, "( %s ) 2>&1", cmd) > 0);
	p = popen(full, "r");
	cr_assert(p != NULL);
	*out = calloc(1, cap + 1);
	for (;;) {
		size_t n = fread(buf, 1, sizeof(buf), p);

		if (n == 0)
			break;
		if (len + n > cap)
			n = cap - len;
		memcpy(*out + len, buf, n);
		len += n;
	}
	st = pclose(p);
	free(cmd);
	free(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *mkdtemp_dup(void)
{
	char *d = strdup("/tmp/expo-cli-dir-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static cJSON *read_json(const char *path)
{
	FILE *fp = fopen(path, "r");
	long n;
	char *text;
	cJSON *doc;

	cr_assert(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	doc = cJSON_Parse(text);
	cr_assert(doc != NULL, "%s is not JSON", path);
	free(text);
	return doc;
}

/* "fp1 fp2 ..." of a report's findings, in rank order */
static char *fingerprints(const char *path)
{
	cJSON *doc = read_json(path), *f;
	size_t cap = 1 << 16, len = 0;
	char *s = calloc(1, cap);

	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		len += (size_t)snprintf(
			s + len, cap - len, "%s ",
			cJSON_GetObjectItem(f, "fingerprint")->valuestring);
	}
	cJSON_Delete(doc);
	return s;
}

/* sorted "id id ..." of a report's targets */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *target_ids(const char *path)
{
	cJSON *doc = read_json(path), *t;
	char *ids[256], *s = calloc(1, 1 << 16);
	size_t n = 0, i, len = 0;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(doc, "targets"))
	{
		cr_assert_lt(n, 256);
		ids[n++] = strdup(cJSON_GetObjectItem(t, "id")->valuestring);
	}
	qsort(ids, n, sizeof(*ids), cmp_str);
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(s + len, (1 << 16) - len, "%s ",
					ids[i]);
		free(ids[i]);
	}
	cJSON_Delete(doc);
	return s;
}

static const char *multitool(void)
{
	const char *m = getenv("EXPO_SARIF_MULTITOOL");

	if (m == NULL)
		m = "build/sarif-multitool/node_modules/.bin/sarif-multitool";
	cr_assert(access(m, X_OK) == 0,
		  "%s missing: run "
		  "tests/tools/install-sarif-multitool (or set "
		  "EXPO_SARIF_MULTITOOL)",
		  m);
	return m;
}

/* Microsoft's SARIF multitool, GitHub rules included, offline (its own
 * network namespace; the URL-fetching rule off): no error, no warning */
static void sarif_validate(const char *dir, const char *sarif)
{
	char *out, path[512];
	cJSON *doc, *res, *r;
	int rc;

	snprintf(path, sizeof(path), "%s/validation.sarif", dir);
	unlink(path);
	rc = sh(&out,
		"timeout 300 unshare --net -- %s validate %s -o %s "
		"--config tests/fixtures/sarif/multitool.xml "
		"--rule-kind Sarif Gh --level Error Warning",
		multitool(), sarif, path);
	cr_assert_eq(rc, 0, "multitool: %s", out);
	free(out);
	doc = read_json(path);
	res = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0),
		"results");
	cJSON_ArrayForEach(r, res)
	{
		char *text = cJSON_Print(r);

		cr_expect(0, "%s: the multitool objects: %s", sarif, text);
		free(text);
	}
	cJSON_Delete(doc);
}

Test(cli, sarif_passes_microsofts_sarif_multitool, .timeout = 600)
{
	char *inv = tmpfile_with("127.0.10.1\n127.0.10.2\n127.0.10.11\n");
	char *dir = mkdtemp_dup(), *out;
	char sarif[600], fix[600];
	cJSON *doc;

	(void)lab_dir();
	snprintf(sarif, sizeof(sarif), "%s/lab.sarif", dir);
	snprintf(fix, sizeof(fix), "%s/fixture.sarif", dir);
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--shard 1/1 --sarif %s -q",
			bin(), inv, sarif),
		     1, "%s", out);
	free(out);
	sarif_validate(dir, sarif);
	/* hostile server text, baseline states, a suppression, a shard */
	cr_assert_eq(sh(&out,
			"%s report tests/fixtures/gate/input.json "
			"--sarif %s -q",
			bin(), fix),
		     1, "%s", out);
	free(out);
	sarif_validate(dir, fix);
	doc = read_json(fix);
	cr_expect_str_eq(
		cJSON_GetObjectItem(
			cJSON_GetObjectItem(
				cJSON_GetArrayItem(
					cJSON_GetObjectItem(doc, "runs"), 0),
				"automationDetails"),
			"id")
			->valuestring,
		"exposure/shard-2-of-3/");
	cJSON_Delete(doc);
	cr_assert_eq(sh(&out, "rm -rf %s %s", dir, inv), 0);
	free(out);
	free(dir);
	free(inv);
}

Test(cli, junit_passes_xmllint_against_the_schema, .timeout = 120)
{
	char *inv = tmpfile_with("127.0.10.1\n127.0.10.2\n127.0.10.11\n");
	char *dir = mkdtemp_dup(), *out, path[512];
	const char *p;
	cJSON *doc;
	int nf;

	(void)lab_dir();
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--junit %s/lab.xml --json %s/lab.json -q",
			bin(), inv, dir, dir),
		     1, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"xmllint --noout --schema "
			"tests/fixtures/junit/junit.xsd %s/lab.xml",
			dir),
		     0, "%s", out);
	free(out);
	/* every finding of the weak server is a failure, those below the
	 * gate too; the silent one is an error (timeout) */
	snprintf(path, sizeof(path), "%s/lab.json", dir);
	doc = read_json(path);
	nf = cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings"));
	cJSON_Delete(doc);
	cr_assert_eq(sh(&out, "grep -c '<failure' %s/lab.xml", dir), 0);
	cr_expect(nf > 1 && strtol(out, NULL, 10) == nf,
		  "failures: %s, findings: %d", out, nf);
	free(out);
	cr_assert_eq(sh(&out,
			"grep -A1 'classname=\"127.0.10.11:22\"' "
			"%s/lab.xml",
			dir),
		     0);
	cr_expect(strstr(out, "<error message=\"timeout") != NULL, "%s", out);
	/* its time is what the probe took: the 1.5 s --timeout */
	p = strstr(out, "time=\"");
	cr_expect(p != NULL && strtod(p + 6, NULL) >= 1.4 &&
			  strtod(p + 6, NULL) < 10,
		  "%s", out);
	free(out);
	cr_assert_eq(
		sh(&out,
		   "%s report tests/fixtures/gate/input.json "
		   "--junit %s/fix.xml -q --fail-on none && xmllint --noout --schema "
		   "tests/fixtures/junit/junit.xsd %s/fix.xml",
		   bin(), dir, dir),
		0, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s %s", dir, inv), 0);
	free(out);
	free(dir);
	free(inv);
}

Test(cli, shards_merged_equal_the_unsharded_scan, .timeout = 300)
{
	char *inv = tmpfile_with("127.0.10.1\n127.0.10.2\n127.0.10.3\n"
				 "127.0.10.250\n127.0.10.251\n");
	char *dir = mkdtemp_dup(), *out, path[600];
	char *want_fp, *want_ids, *got_fp, *got_ids, *a, *b;
	unsigned k;

	(void)lab_dir();
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 2000 "
			"--json %s/all.json -q",
			bin(), inv, dir),
		     1, "%s", out);
	free(out);
	for (k = 1; k <= 3; k++) {
		sh(&out,
		   "%s scan %s --checks ssh --timeout 2000 --shard %u/3 "
		   "--json %s/s%u.json -q",
		   bin(), inv, k, dir, k);
		free(out);
	}
	cr_assert_eq(sh(&out,
			"%s merge %s/s1.json %s/s2.json %s/s3.json "
			"--json %s/merged.json -q",
			bin(), dir, dir, dir, dir),
		     1, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/all.json", dir);
	want_fp = fingerprints(path);
	want_ids = target_ids(path);
	snprintf(path, sizeof(path), "%s/merged.json", dir);
	got_fp = fingerprints(path);
	got_ids = target_ids(path);
	cr_expect(strlen(want_fp) > 32);
	cr_expect_str_eq(got_fp, want_fp);
	cr_expect_str_eq(got_ids, want_ids);
	/* the CI variables pick the same shards as --shard */
	cr_assert_eq(
		sh(&out,
		   "JOB_COMPLETION_INDEX=1 %s scan %s --checks ssh "
		   "--shard-count 3 --discover-only --json %s/k8s.json -q "
		   "&& CI_NODE_INDEX=2 CI_NODE_TOTAL=3 %s scan %s --checks "
		   "ssh --discover-only --json %s/gitlab.json -q",
		   bin(), inv, dir, bin(), inv, dir),
		0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/s2.json", dir);
	a = target_ids(path);
	snprintf(path, sizeof(path), "%s/k8s.json", dir);
	b = target_ids(path);
	cr_expect_str_eq(b, a);
	free(b);
	snprintf(path, sizeof(path), "%s/gitlab.json", dir);
	b = target_ids(path);
	cr_expect_str_eq(b, a);
	free(a);
	free(b);
	free(want_fp);
	free(want_ids);
	free(got_fp);
	free(got_ids);
	cr_assert_eq(sh(&out, "rm -rf %s %s", dir, inv), 0);
	free(out);
	free(dir);
	free(inv);
}

/* adds to a report a finding of rule on target list:addr port 22 */
static void add_baseline_finding(const char *path, const char *rule,
				 const char *addr)
{
	cJSON *doc = read_json(path), *f, *t;
	char id[64], fp[33], *text;
	FILE *fp_out;

	snprintf(id, sizeof(id), "list:%s", addr);
	finding_fingerprint(fp, rule, id, 22);
	f = cJSON_Duplicate(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0), 1);
	cJSON_ReplaceItemInObject(f, "fingerprint", cJSON_CreateString(fp));
	cJSON_ReplaceItemInObject(f, "rule", cJSON_CreateString(rule));
	t = cJSON_GetObjectItem(f, "target");
	cJSON_ReplaceItemInObject(t, "id", cJSON_CreateString(id));
	cJSON_ReplaceItemInObject(t, "address", cJSON_CreateString(addr));
	cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "findings"), f);
	text = cJSON_Print(doc);
	fp_out = fopen(path, "w");
	cr_assert_not_null(fp_out);
	fputs(text, fp_out);
	fclose(fp_out);
	cJSON_free(text);
	cJSON_Delete(doc);
}

Test(cli, baseline_marks_new_unchanged_and_fixed_and_gates_new, .timeout = 300)
{
	char *inv = tmpfile_with("127.0.10.1\n127.0.10.2\n127.0.10.11\n");
	char *hard = tmpfile_with("127.0.10.2\n");
	char *dir = mkdtemp_dup(), *out, path[600];
	cJSON *doc, *f, *fixed;
	size_t n = 0;

	(void)lab_dir();
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--json %s/base.json -q",
			bin(), inv, dir),
		     1, "%s", out);
	free(out);
	/* nothing new: --fail-on-new passes although a critical is there */
	cr_assert_eq(
		sh(&out,
		   "%s scan %s --checks ssh --timeout 1500 "
		   "--baseline %s/base.json --fail-on-new --json %s/r1.json "
		   "-q",
		   bin(), inv, dir, dir),
		0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/r1.json", dir);
	doc = read_json(path);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		cr_expect_str_eq(
			cJSON_GetObjectItem(f, "baseline")->valuestring,
			"unchanged");
		n++;
	}
	cr_expect(n > 3);
	cJSON_Delete(doc);
	/* against a baseline of the hardened host alone, all is new */
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--json %s/hard.json -q --fail-on none",
			bin(), hard, dir),
		     0, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--baseline %s/hard.json --fail-on-new -q",
			bin(), inv, dir),
		     1, "%s", out);
	free(out);
	/* fixed: proved on the hardened host (its check ran to the end),
	 * never on the silent one (timed out) */
	snprintf(path, sizeof(path), "%s/base.json", dir);
	add_baseline_finding(path, "ssh.password_auth", "127.0.10.2");
	add_baseline_finding(path, "ssh.password_auth", "127.0.10.11");
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--baseline %s/base.json --json %s/r2.json --markdown "
			"%s/sum.md -q",
			bin(), inv, dir, dir, dir),
		     1, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/r2.json", dir);
	doc = read_json(path);
	fixed = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "baseline"),
				    "fixed");
	cr_assert_eq(cJSON_GetArraySize(fixed), 1, "fixed: %s",
		     cJSON_Print(fixed));
	cr_expect_str_eq(
		cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetArrayItem(fixed, 0),
					    "target"),
			"id")
			->valuestring,
		"list:127.0.10.2");
	cJSON_Delete(doc);
	cr_assert_eq(
		sh(&out, "grep -c 'Fixed since the baseline' %s/sum.md", dir),
		0, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s %s %s", dir, inv, hard), 0);
	free(out);
	free(dir);
	free(inv);
	free(hard);
}

Test(cli, ignore_file_suppresses_and_warns, .timeout = 120)
{
	char *inv = tmpfile_with("127.0.10.1\n");
	char *ign = tmpfile_with(
		"{\"suppressions\": [\n"
		" {\"rule\": \"ssh.default_credentials\", \"target\": "
		"\"127.0.10.1\", \"port\": 22, \"reason\": \"lab box, "
		"rebuilt nightly\", \"expires\": \"2099-12-31\"},\n"
		" {\"rule\": \"ssh.weak_*\", \"target\": \"list:10.*\", "
		"\"reason\": \"old fleet\", \"expires\": \"2099-12-31\"},\n"
		" {\"rule\": \"ssh.password_auth\", \"reason\": \"was ok\", "
		"\"expires\": \"2020-01-01\"}\n]}\n");
	char *bad = tmpfile_with("{\"suppressions\": [{\"rule\": \"x\", "
				 "\"expires\": \"2099-01-01\"}]}");
	char json[] = "/tmp/expo-cli-ign-XXXXXX", *out;
	cJSON *doc, *f;
	bool seen = false;
	int fd;

	(void)lab_dir();
	fd = mkstemp(json);
	close(fd);
	cr_assert_eq(sh(&out,
			"%s scan %s --checks ssh --timeout 1500 "
			"--ignore %s --fail-on critical --json %s -q",
			bin(), inv, ign, json),
		     0, "the accepted critical failed: %s", out);
	cr_expect(strstr(out, "suppression 2 (ssh.weak_* on list:10.*) "
			      "matches no finding") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "suppression 3 (ssh.password_auth on *) "
			      "expired on 2020-01-01") != NULL,
		  "%s", out);
	free(out);
	doc = read_json(json);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		cJSON *s = cJSON_GetObjectItem(f, "suppressed");
		bool crit = strcmp(cJSON_GetObjectItem(f, "rule")->valuestring,
				   "ssh.default_credentials") == 0;

		cr_expect_eq(s != NULL, crit);
		if (crit) {
			seen = true;
			cr_expect_str_eq(
				cJSON_GetObjectItem(s, "reason")->valuestring,
				"lab box, rebuilt nightly");
		}
	}
	cr_expect(seen);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "warnings")),
		     2);
	cJSON_Delete(doc);
	/* a bad file stops everything before a packet is sent */
	cr_assert_eq(sh(&out, "%s scan %s --ignore %s", bin(), inv, bad), 2);
	cr_expect(strstr(out, bad) != NULL &&
			  strstr(out, "$.suppressions[0]:"
				      " \"reason\" is required") != NULL,
		  "%s", out);
	free(out);
	unlink(json);
	unlink(inv);
	unlink(ign);
	unlink(bad);
	free(inv);
	free(ign);
	free(bad);
}

Test(cli, report_merge_and_flags_reject_bad_input)
{
	char *bad = tmpfile_with("{\"schema_version\": 1, \"started_at\": 5}");
	char *out;

	cr_assert_eq(sh(&out, "%s report %s --sarif /dev/null", bin(), bad), 2);
	cr_expect(strstr(out, bad) != NULL &&
			  strstr(out, "$: \"started_at\": expected a string") !=
				  NULL,
		  "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "%s report /nonexistent/r.json", bin()), 2);
	cr_expect(strstr(out, "/nonexistent/r.json") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"%s merge tests/fixtures/gate/input.json "
			"tests/fixtures/gate/input.json -q",
			bin()),
		     2);
	cr_expect(strstr(out, "in two of the reports") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "%s report", bin()), 2);
	free(out);
	cr_assert_eq(sh(&out, "%s scan x --fail-on-new", bin()), 2);
	cr_expect(strstr(out, "--fail-on-new needs --baseline") != NULL, "%s",
		  out);
	free(out);
	cr_assert_eq(sh(&out, "%s scan x --shard 4/3", bin()), 2);
	cr_expect(strstr(out, "--shard: '4/3'") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "JOB_COMPLETION_INDEX=2 %s scan x", bin()), 2);
	cr_expect(strstr(out, "EXPOSURE_SHARD_COUNT") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"%s scan x --shard 1/2 --store "
			"postgresql://127.0.0.1/x",
			bin()),
		     2);
	cr_expect(strstr(out, "--run-id") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "%s history", bin()), 2);
	free(out);
	/* a saved report re-renders with its own gate: exit 1 */
	cr_assert_eq(
		sh(&out, "%s report tests/fixtures/gate/input.json -q", bin()),
		1, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"%s report tests/fixtures/gate/input.json -q "
			"--fail-on none",
			bin()),
		     0, "%s", out);
	free(out);
	unlink(bad);
	free(bad);
}

Test(cli, history_dir_lists_runs, .timeout = 120)
{
	char *inv = tmpfile_with("127.0.10.1\n127.0.10.2\n");
	char *dir = mkdtemp_dup(), *out;

	(void)lab_dir();
	cr_assert_eq(
		sh(&out,
		   "%s scan %s --checks ssh --timeout 1500 "
		   "--history %s/h --run-id first -q; sleep 1; %s scan "
		   "%s --checks ssh --timeout 1500 --history %s/h --run-id "
		   "second -q",
		   bin(), inv, dir, bin(), inv, dir),
		1, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "%s history --history %s/h", bin(), dir), 0, "%s",
		     out);
	/* the first run: everything new; the second: nothing new or fixed */
	cr_expect(strstr(out, "first ") != NULL, "%s", out);
	cr_expect(strstr(out, "second ") != NULL, "%s", out);
	cr_expect(strstr(out, "1/1           1     0      ") != NULL, "%s",
		  out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s %s", dir, inv), 0);
	free(out);
	free(dir);
	free(inv);
}

/* the lab's store URL (tests/lab/lab.d/store.sh) */
static char *store_url(void)
{
	char url[1024];

	lab_env("EXPO_LAB_STORE_URL", url, sizeof(url));
	return strdup(url);
}

/* runs each `exposure` line of an example in dir, with env before it;
 * how many exited with want_rc (0 or want_rc expected of each) */
static unsigned run_example(const char *example, const char *dir,
			    const char *env, int want_rc)
{
	char *out, *lines, *line, *save = NULL, bindir[512];
	const char *b = bin(), *slash = strrchr(b, '/');
	size_t n = 0;
	unsigned hits = 0;
	int rc;

	snprintf(bindir, sizeof(bindir), "%.*s", slash ? (int)(slash - b) : 1,
		 slash ? b : ".");
	cr_assert_eq(
		sh(&lines, "tests/tools/example-commands examples/%s", example),
		0, "%s", lines);
	for (line = strtok_r(lines, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *top = getcwd(NULL, 0);

		/* the example's inventory becomes the lab's */
		rc = sh(&out,
			"cd %s && env PATH=%s:\"$PATH\" "
			"INVENTORY=%s/examples/lab-inventory.txt "
			"GITHUB_STEP_SUMMARY=%s/summary.md %s sh -c '%s'",
			dir, bindir[0] == '/' ? bindir : top, top, dir, env,
			line);
		cr_expect(rc == 0 || rc == want_rc, "%s: %s (exit %d): %s",
			  example, line, rc, out);
		hits += rc == want_rc;
		free(out);
		free(top);
		n++;
	}
	cr_expect(n > 0, "no exposure command in %s", example);
	free(lines);
	return hits;
}

/* runs one job of a workflow example in dir with tests/tools/run-action
 * (args: --job, --matrix), the lab's inventory and exposure on PATH */
static void run_workflow_job(const char *example, const char *dir,
			     const char *args, int want_rc)
{
	char *out, *top = getcwd(NULL, 0), bindir[512];
	const char *b = bin(), *slash = strrchr(b, '/');
	int rc;

	snprintf(bindir, sizeof(bindir), "%.*s", slash ? (int)(slash - b) : 1,
		 slash ? b : ".");
	rc = sh(&out,
		"cd %s && env PATH=%s:\"$PATH\" %s/tests/tools/run-action %s "
		"--workflow %s/examples/%s %s "
		"--env INVENTORY=%s/examples/lab-inventory.txt "
		"--env GITHUB_STEP_SUMMARY=%s/summary.md",
		dir, bindir[0] == '/' ? bindir : top, top, top, top, example,
		args, top, dir);
	cr_expect_eq(rc, want_rc, "%s %s (exit %d): %s", example, args, rc,
		     out);
	/* the action's SARIF upload ran where the workflow asks for it */
	if (strstr(args, "gate") != NULL)
		cr_expect(strstr(out, "uses: github/codeql-action/"
				      "upload-sarif@v3 category=exposure "
				      "sarif_file=exposure.sarif") != NULL,
			  "%s", out);
	free(out);
	free(top);
}

Test(cli, examples_pass_yamllint_and_run_against_the_lab, .timeout = 900)
{
	char *dir = mkdtemp_dup(), *out, *url = store_url(), env[1024];
	char path[600];
	unsigned k, gated;
	cJSON *doc;

	(void)lab_dir();
	cr_assert_eq(sh(&out, "yamllint -s -c tests/fixtures/examples/"
			      "yamllint.yml examples/*.yml action.yml"),
		     0, "%s", out);
	free(out);
	/* what the GitHub workflow expects in the repository */
	cr_assert_eq(sh(&out,
			"mkdir -p %s/.exposure && printf '%%s' "
			"'{\"suppressions\": [{\"rule\": \"ssh.weak_mac\", "
			"\"reason\": \"lab\", \"expires\": \"2099-01-01\"}]}' "
			">%s/.exposure/ignore.json && %s scan "
			"examples/lab-inventory.txt --fail-on none --json "
			"%s/.exposure/baseline.json -q",
			dir, dir, bin(), dir),
		     0, "%s", out);
	free(out);
	/* the workflow's jobs, through the action (uses: ./) */
	for (k = 1; k <= 3; k++) {
		snprintf(env, sizeof(env), "--job scan --matrix shard=%u", k);
		run_workflow_job("github-actions.yml", dir, env, 0);
	}
	run_workflow_job("github-actions.yml", dir, "--job gate", 0);
	/* every shard's report is there, the merged SARIF was uploaded,
	 * the summary written; the merge saw all 7 targets */
	cr_assert_eq(sh(&out,
			"ls %s/exposure-1.json %s/exposure-2.json "
			"%s/exposure-3.json %s/exposure.sarif && "
			"test -s %s/summary.md && ! ls %s/exposure-*.sarif",
			dir, dir, dir, dir, dir, dir),
		     0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/exposure.json", dir);
	doc = read_json(path);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "targets")),
		     7);
	/* the lab did not change since the baseline: the gate passes */
	cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "gate"),
					 "exit_code")
			     ->valueint,
		     0);
	cJSON_Delete(doc);
	for (k = 1; k <= 2; k++) {
		snprintf(env, sizeof(env), "CI_NODE_INDEX=%u CI_NODE_TOTAL=2",
			 k);
		run_example("gitlab-ci.yml", dir, env, 1);
	}
	cr_assert_eq(sh(&out,
			"xmllint --noout --schema "
			"tests/fixtures/junit/junit.xsd %s/exposure-1.xml "
			"%s/exposure-2.xml",
			dir, dir),
		     0, "%s", out);
	free(out);
	for (k = 0, gated = 0; k < 4; k++) {
		snprintf(env, sizeof(env),
			 "JOB_COMPLETION_INDEX=%u "
			 "EXPOSURE_RUN_ID=example-%ld EXPOSURE_STORE_URL=%s",
			 k, (long)getpid(), url);
		gated += run_example("kubernetes-cronjob.yml", dir, env, 1);
	}
	/* the Job gates: the shard with the weak sshd exits 1 (and stores) */
	cr_expect(gated >= 1, "no Kubernetes shard failed the gate");
	cr_assert_eq(sh(&out, "%s history --store %s", bin(), url), 0, "%s",
		     out);
	snprintf(env, sizeof(env), "example-%ld", (long)getpid());
	cr_expect(strstr(out, env) != NULL, "%s", out);
	cr_expect(strstr(strstr(out, env) ? strstr(out, env) : out, " 4/4 ") !=
			  NULL,
		  "the run did not complete: %s", out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s", dir), 0);
	free(out);
	free(dir);
	free(url);
}
