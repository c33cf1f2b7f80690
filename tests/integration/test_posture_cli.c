/*
 * The pre-release gate end to end: `exposure scan PLAN --offline` judges
 * a Terraform plan with no packet sent and fails the gate; the SARIF
 * locates each config finding at the plan with the resource as logical
 * location; a plan of planned instances only is not "nothing to scan";
 * and a config finding and a wire finding on the same instance and port
 * (the lab's weak SSH server, named as the instance's public address)
 * stay two findings that name each other.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lab_util.h"

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set");
	return b;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	cJSON *j;

	cr_assert(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	j = cJSON_Parse(buf);
	free(buf);
	cr_assert(j != NULL, "%s is not JSON", path);
	return j;
}

/* a plan whose one instance has public_ip addr and an SG that opens
 * port to the world */
static void write_plan(const char *path, const char *addr, unsigned port)
{
	FILE *f = fopen(path, "w");

	cr_assert(f != NULL);
	fprintf(f,
		"{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		" {\"address\": \"aws_security_group.open\", \"mode\": "
		"\"managed\", \"type\": \"aws_security_group\", \"name\": "
		"\"open\", \"change\": {\"actions\": [\"no-op\"], \"after\": "
		"{\"id\": \"sg-1\", \"ingress\": [{\"from_port\": %u, "
		"\"to_port\": %u, \"protocol\": \"tcp\", \"cidr_blocks\": "
		"[\"0.0.0.0/0\"]}]}, \"after_unknown\": {}}},\n"
		" {\"address\": \"aws_instance.web\", \"mode\": \"managed\", "
		"\"type\": \"aws_instance\", \"name\": \"web\", \"change\": "
		"{\"actions\": [\"no-op\"], \"after\": {\"instance_type\": "
		"\"t3.small\", \"public_ip\": \"%s\", "
		"\"vpc_security_group_ids\": [\"sg-1\"], \"metadata_options\": "
		"[{\"http_tokens\": \"required\"}]}, \"after_unknown\": {}}}\n"
		"]}\n",
		port, port, addr);
	fclose(f);
}

static int listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(s, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s, 16), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return s;
}

Test(posture_cli, offline_sends_nothing_and_the_gate_fails)
{
	char dir[] = "/tmp/expo-posture-XXXXXX", plan[128], js[128];
	unsigned port;
	int s = listener(&port), c;
	cJSON *j, *f;

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(plan, sizeof(plan), "%s/plan.json", dir);
	snprintf(js, sizeof(js), "%s/out.json", dir);
	/* the group opens SSH; the listener stands in for the instance on
	 * the port a scan would probe */
	write_plan(plan, "127.0.0.1", 22);
	cr_assert_eq(sh("%s scan %s --offline --ports ssh=%u -q --json %s",
			bin(), plan, port, js),
		     1, "the gate fails on the world-open door");
	c = accept(s, NULL, NULL);
	cr_assert_lt(c, 0, "--offline connected to the instance");
	j = read_json(js);
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
	cr_assert_not_null(f);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule")),
			 "cloud.port_open_to_world");
	cr_assert_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "confidence")),
		"configured");
	cr_assert_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "resource")),
		"aws_instance.web");
	cJSON_Delete(j);
	/* the control: without --offline the same scan connects */
	sh("%s scan %s --ports ssh=%u --checks ssh,cloud -q --timeout 500 "
	   "--check-timeout 1000 >/dev/null 2>&1",
	   bin(), plan, port);
	c = accept(s, NULL, NULL);
	cr_assert_geq(c, 0, "the scan without --offline did not connect");
	close(c);
	close(s);
	sh("rm -rf %s", dir);
}

Test(posture_cli, sarif_locates_config_findings_at_the_plan)
{
	char js[] = "/tmp/expo-posture-sarif-XXXXXX";
	cJSON *j, *r, *loc;
	const char *uri;
	int fd = mkstemp(js);

	cr_assert_geq(fd, 0);
	close(fd);
	sh("%s scan tests/fixtures/plan/aws.json --offline -q --sarif %s",
	   bin(), js);
	j = read_json(js);
	r = cJSON_GetArrayItem(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0),
			"results"),
		0);
	cr_assert_not_null(r);
	loc = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "locations"), 0);
	uri = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(
			cJSON_GetObjectItem(loc, "physicalLocation"),
			"artifactLocation"),
		"uri"));
	cr_assert_str_eq(uri, "tests/fixtures/plan/aws.json");
	cr_assert(strstr(uri, ":") == NULL, "a scheme or absolute path");
	cr_assert_not_null(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(loc, "logicalLocations"),
				   0),
		"fullyQualifiedName")));
	cJSON_Delete(j);
	unlink(js);
}

Test(posture_cli, planned_instances_are_not_nothing_to_scan)
{
	/* no address anywhere, and no --offline: the config rules judged
	 * them, so the exit code is the gate's, not 3 */
	cr_assert_eq(sh("%s scan tests/fixtures/plan/azure.json -q "
			"--fail-on none",
			bin()),
		     0);
	cr_assert_eq(sh("%s scan tests/fixtures/plan/azure.json -q", bin()), 1);
}

Test(posture_cli, config_and_wire_findings_name_each_other)
{
	char dir[] = "/tmp/expo-posture-XXXXXX", plan[128], js[128];
	char weak[64];
	cJSON *j, *f;
	bool wire = false, conf = false;

	lab_env("EXPO_LAB_SSH_WEAK", weak, sizeof(weak));
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(plan, sizeof(plan), "%s/plan.json", dir);
	snprintf(js, sizeof(js), "%s/out.json", dir);
	write_plan(plan, weak, 22);
	sh("%s scan %s --checks ssh,cloud --no-login -q --json %s", bin(), plan,
	   js);
	j = read_json(js);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "findings"))
	{
		const char *rule =
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
		const char *rel =
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "related"));

		if (strcmp(rule, "cloud.port_open_to_world") == 0) {
			conf = true;
			cr_assert(rel != NULL && strstr(rel, "ssh.") != NULL,
				  "config finding names no wire finding");
		} else if (strncmp(rule, "ssh.", 4) == 0) {
			wire = true;
			cr_assert(rel != NULL &&
					  strstr(rel, "cloud.port_open_to_"
						      "world") != NULL,
				  "%s names no config finding", rule);
			/* the wire finding's rank uses the configured
			 * exposure */
			cr_assert_str_eq(
				cJSON_GetStringValue(
					cJSON_GetObjectItem(f, "exposure")),
				"world");
		}
	}
	cr_assert(wire && conf, "wire %d config %d", wire, conf);
	cJSON_Delete(j);
	sh("rm -rf %s", dir);
}
