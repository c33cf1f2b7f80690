/*
 * test_ssh_lab.c - the SSH check against the lab's real OpenSSH servers
 * and hostile servers (tests/lab/lab.sh), through the whole engine.
 * EXPO_LAB_DIR names the running lab; `make check` always sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_ssh;

#define WEAK "127.0.10.1"
#define HARDENED "127.0.10.2"
#define STRONG "127.0.10.3"
#define SILENT "127.0.10.11"
#define GARBAGE "127.0.10.12"
#define RESET "127.0.10.13"
#define DRIP "127.0.10.14"

static const char *lab_dir(void)
{
	const char *d = getenv("EXPO_LAB_DIR");

	cr_assert(d != NULL && d[0] != '\0',
		  "EXPO_LAB_DIR is not set: start the lab with "
		  "tests/lab/lab.sh start DIR and export EXPO_LAB_DIR=DIR");
	return d;
}

/* a value from DIR/lab.env, into buf ("" if missing) */
static void lab_env(const char *key, char *buf, size_t size)
{
	char path[1024], line[1024];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/lab.env", lab_dir());
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s: is the lab running?", path);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			snprintf(buf, size, "%s", line + klen + 1);
			buf[strcspn(buf, "\r\n")] = '\0';
		}
	}
	fclose(f);
}

/* lines of the weak sshd's log containing needle */
static unsigned log_count(const char *needle)
{
	char path[1024], line[2048];
	unsigned n = 0;
	FILE *f;

	lab_env("EXPO_LAB_SSH_WEAK_LOG", path, sizeof(path));
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open the weak sshd log %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void add_target(struct target_list *l, const char *addr)
{
	struct target *t = target_list_add(l);
	char id[64];

	cr_assert_not_null(t);
	snprintf(id, sizeof(id), "list:%s", addr);
	t->id = strdup(id);
	t->provider = "list";
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert(t->id != NULL && t->addrs != NULL);
	cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0);
	t->naddrs = 1;
}

static const struct check *ssh_only[] = { &check_ssh };

static void lab_config(struct scan_config *cfg)
{
	scan_config_defaults(cfg);
	cfg->checks = ssh_only;
	cfg->nchecks = 1;
	cfg->timeout_ms = 2000;
	cfg->check_timeout_ms = 30000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* runs one scan; the wall time in *secs */
static void scan(const struct scan_config *cfg, struct target_list *l,
		 struct scan_result *res, double *secs)
{
	char *err = NULL;
	double t0 = now_s();
	int rc;

	memset(res, 0, sizeof(*res));
	rc = scan_run(cfg, l, res, &err);
	*secs = now_s() - t0;
	cr_assert_eq(rc, 0, "scan_run: %d %s", rc, err ? err : "");
	free(err);
	/* the sshd children write their log lines as they answer; give
	 * the last ones a moment to land before logs are counted */
	usleep(300 * 1000);
}

/* the sorted, comma-joined rule ids reported for addr */
static void rules_for(const struct scan_result *res, const char *addr,
		      char *out, size_t size)
{
	const char *ids[32];
	size_t i, j, n = 0;

	for (i = 0; i < res->findings.n && n < 32; i++)
		if (strcmp(res->findings.v[i].address, addr) == 0)
			ids[n++] = res->findings.v[i].rule_id;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? "," : "", ids[i]);
}

static const struct finding *finding_for(const struct scan_result *res,
					 const char *addr, const char *rule)
{
	size_t i;

	for (i = 0; i < res->findings.n; i++)
		if (strcmp(res->findings.v[i].address, addr) == 0 &&
		    strcmp(res->findings.v[i].rule_id, rule) == 0)
			return &res->findings.v[i];
	return NULL;
}

/* the status of the ssh check's record for target index ti, port 22 */
static int check_status(const struct scan_result *res, size_t ti,
			const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++) {
		const struct port_record *r = &res->records[i];

		if (r->target == ti && r->port == 22 && r->check != CHECK_NONE) {
			*reason = r->reason ? res->reasons[r->reason] : "";
			return r->status;
		}
	}
	return -1;
}

static const char weak_rules[] =
	"ssh.default_credentials,ssh.password_auth,ssh.weak_cipher,"
	"ssh.weak_hostkey,ssh.weak_kex,ssh.weak_mac";

Test(ssh_lab, whole_lab, .timeout = 120)
{
	static const char *const addrs[] = { WEAK, HARDENED, STRONG, SILENT,
					     GARBAGE, RESET, DRIP };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *cred;
	char ids[1024], hostile[8];
	double secs;
	size_t i;

	lab_env("EXPO_LAB_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1", "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	lab_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		add_target(&l, addrs[i]);
	scan(&cfg, &l, &res, &secs);

	rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, weak_rules);
	cred = finding_for(&res, WEAK, "ssh.default_credentials");
	cr_assert_not_null(cred);
	cr_expect(strstr(cred->evidence, "test") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "root") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "toor") == NULL, "%s", cred->evidence);
	cr_expect_str_eq(cred->secret, "<redacted>");
	cr_expect_eq(cred->confidence, CONFIDENCE_CONFIRMED);

	rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "hardened: %s", ids);
	rules_for(&res, STRONG, ids, sizeof(ids));
	cr_expect_str_eq(ids, "ssh.password_auth", "strong: %s", ids);

	for (i = 0; i < 3; i++) {
		const char *why = NULL;
		int st = check_status(&res, i, &why);

		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", addrs[i],
			     st >= 0 ? status_name(st) : "no record", why);
	}
	for (i = 3; i < 7; i++) {
		const char *why = NULL;
		int st = check_status(&res, i, &why);

		cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
			  "%s: %s %s", addrs[i],
			  st >= 0 ? status_name(st) : "no record", why);
		rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: %s", addrs[i], ids);
	}
	{
		const char *why = NULL;

		cr_expect_eq(check_status(&res, 6, &why), STATUS_TIMEOUT,
			     "drip: %s", why);
	}
	/* hostile servers cost one --timeout each, in parallel; the logins
	 * on the weak server take a few seconds at most */
	cr_expect_lt(secs, 3 * cfg.timeout_ms / 1000.0 + 10.0,
		     "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(ssh_lab, no_login, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	unsigned failed0, accepted0;
	char ids[1024];
	double secs;

	lab_config(&cfg);
	cfg.no_login = true;
	target_list_init(&l);
	add_target(&l, WEAK);
	failed0 = log_count("Failed password");
	accepted0 = log_count("Accepted password");
	scan(&cfg, &l, &res, &secs);
	rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, "ssh.password_auth,ssh.weak_cipher,"
			 "ssh.weak_hostkey,ssh.weak_kex,ssh.weak_mac");
	cr_expect_eq(log_count("Failed password"), failed0,
		     "--no-login tried passwords");
	cr_expect_eq(log_count("Accepted password"), accepted0,
		     "--no-login logged in");
	scan_result_release(&res);
	target_list_release(&l);
}

Test(ssh_lab, max_attempts, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *cred;
	unsigned root0, admin0;
	char ids[1024];
	double secs;

	lab_config(&cfg);
	cfg.max_attempts = 2;
	target_list_init(&l);
	add_target(&l, WEAK);
	root0 = log_count("Failed password for root ");
	admin0 = log_count("Failed password for invalid user admin ");
	scan(&cfg, &l, &res, &secs);
	/* two attempts each: the empty password and password = user */
	cr_expect_leq(log_count("Failed password for root ") - root0, 2);
	cr_expect_leq(log_count("Failed password for invalid user admin ") -
		      admin0, 2);
	cr_expect_gt(log_count("Failed password for invalid user admin ") -
		     admin0, 0, "no attempt reached the server");
	/* test/test is the second attempt; toor for root is not reached */
	rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, weak_rules);
	cred = finding_for(&res, WEAK, "ssh.default_credentials");
	cr_assert_not_null(cred);
	cr_expect(strstr(cred->evidence, "test") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "root") == NULL, "%s", cred->evidence);
	scan_result_release(&res);
	target_list_release(&l);
}
