/*
 * The command line end to end, as a user or a CI job runs it: exit codes,
 * error messages that name the file and the flag, the gate, the JSON
 * report, against the lab started by `make check` (EXPO_LAB_DIR).
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

/* runs `exposure ARGS` with stderr folded into stdout; returns the exit
 * code and the output (caller frees) */
static int
run(char **out, const char *args)
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

static char *
tmpfile_with(const char *content)
{
	char *path = strdup("/tmp/expo-cli-XXXXXX");
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, strlen(content)),
		     (ssize_t)strlen(content));
	close(fd);
	return path;
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
	cr_assert_eq(run(&out, "scan --checks telnet x"), 2);
	cr_assert(strstr(out, "no check named 'telnet'") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "frobnicate"), 2);
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
	cr_assert(strstr(out, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
		  != NULL);
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
	cr_assert(strstr(out, "address 10.1.2.3 (private)") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "port 2222  checks: ssh") != NULL, "%s", out);
	cr_assert(strstr(out, "port 22    checks: ssh") != NULL, "%s", out);
	free(out);
	unlink(path);
	free(path);
}

static const char *
lab(void)
{
	const char *d = getenv("EXPO_LAB_DIR");

	cr_assert(d != NULL, "EXPO_LAB_DIR is not set (run through make check)");
	return d;
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

	(void)lab();
	fd = mkstemp(json);
	close(fd);
	snprintf(args, sizeof(args), "scan %s --checks ssh --timeout 2000 "
		 "--json %s", path, json);
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
	cr_assert_eq(cJSON_GetObjectItem(doc, "schema_version")->valueint, 1);
	findings = cJSON_GetObjectItem(doc, "findings");
	cr_assert(cJSON_GetArraySize(findings) > 0);
	f = cJSON_GetArrayItem(findings, 0);
	/* the login ranks first: confirmed code execution */
	cr_assert_str_eq(cJSON_GetObjectItem(f, "rule")->valuestring,
			 "ssh.default_credentials");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "target"),
					     "address")->valuestring,
			 "127.0.10.1");
	cr_assert(strstr(text, "\"toor\"") == NULL, "a secret leaked");
	cJSON_Delete(doc);
	free(text);
	/* --fail-on none: the same findings do not fail the gate */
	snprintf(args, sizeof(args), "scan %s --checks ssh --timeout 2000 "
		 "--no-login --fail-on none -q", path);
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

	(void)lab();
	fd = mkstemp(ports);
	close(fd);
	snprintf(args, sizeof(args), "scan %s --discover-only --ports 22,23 "
		 "--timeout 1000 --ports-out %s -q", path, ports);
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
