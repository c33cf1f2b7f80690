/*
 * test_ssh_lab.c - the SSH check against the lab's real OpenSSH servers
 * and hostile servers (tests/lab/lab.sh), through the whole engine.
 * EXPO_LAB_DIR names the running lab; `make check` always sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
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

/* lines of the weak sshd's log containing needle */
static unsigned log_count(const char *needle)
{
	char path[1024];

	lab_env_opt("EXPO_LAB_SSH_WEAK_LOG", path, sizeof(path));
	return lab_count_lines(path, needle);
}

static const struct check *ssh_only[] = { &check_ssh };

static const char weak_rules[] =
	"ssh.default_credentials,ssh.password_auth,ssh.weak_cipher,"
	"ssh.weak_hostkey,ssh.weak_kex,ssh.weak_mac";

Test(ssh_lab, whole_lab, .timeout = 120)
{
	static const char *const addrs[] = { WEAK,    HARDENED, STRONG, SILENT,
					     GARBAGE, RESET,	DRIP };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *cred;
	char ids[1024], hostile[8];
	double secs;
	size_t i;

	lab_env_opt("EXPO_LAB_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1",
			 "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	lab_scan_config(&cfg, ssh_only, 1, 30000);
	target_list_init(&l);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		lab_add_target(&l, addrs[i]);
	lab_scan(&cfg, &l, &res, &secs, 300);

	lab_rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, weak_rules);
	cred = lab_finding_for(&res, WEAK, "ssh.default_credentials");
	cr_assert_not_null(cred);
	cr_expect(strstr(cred->evidence, "test") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "root") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "toor") == NULL, "%s", cred->evidence);
	cr_expect_str_eq(cred->secret, "<redacted>");
	cr_expect_eq(cred->confidence, CONFIDENCE_CONFIRMED);

	lab_rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "hardened: %s", ids);
	lab_rules_for(&res, STRONG, ids, sizeof(ids));
	cr_expect_str_eq(ids, "ssh.password_auth", "strong: %s", ids);

	for (i = 0; i < 3; i++) {
		const char *why = NULL;
		int st = lab_check_status(&res, i, 22, NULL, &why);

		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", addrs[i],
			     st >= 0 ? status_name(st) : "no record", why);
	}
	for (i = 3; i < 7; i++) {
		const char *why = NULL;
		int st = lab_check_status(&res, i, 22, NULL, &why);

		cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
			  "%s: %s %s", addrs[i],
			  st >= 0 ? status_name(st) : "no record", why);
		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: %s", addrs[i], ids);
	}
	{
		const char *why = NULL;

		cr_expect_eq(lab_check_status(&res, 6, 22, NULL, &why),
			     STATUS_TIMEOUT, "drip: %s", why);
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

	lab_scan_config(&cfg, ssh_only, 1, 30000);
	cfg.no_login = true;
	target_list_init(&l);
	lab_add_target(&l, WEAK);
	failed0 = log_count("Failed password");
	accepted0 = log_count("Accepted password");
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, WEAK, ids, sizeof(ids));
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

	lab_scan_config(&cfg, ssh_only, 1, 30000);
	cfg.max_attempts = 2;
	target_list_init(&l);
	lab_add_target(&l, WEAK);
	root0 = log_count("Failed password for root ");
	admin0 = log_count("Failed password for invalid user admin ");
	lab_scan(&cfg, &l, &res, &secs, 300);
	/* two attempts each: the empty password and password = user */
	cr_expect_leq(log_count("Failed password for root ") - root0, 2);
	cr_expect_leq(log_count("Failed password for invalid user admin ") -
			      admin0,
		      2);
	cr_expect_gt(log_count("Failed password for invalid user admin ") -
			     admin0,
		     0, "no attempt reached the server");
	/* test/test is the second attempt; toor for root is not reached */
	lab_rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, weak_rules);
	cred = lab_finding_for(&res, WEAK, "ssh.default_credentials");
	cr_assert_not_null(cred);
	cr_expect(strstr(cred->evidence, "test") != NULL, "%s", cred->evidence);
	cr_expect(strstr(cred->evidence, "root") == NULL, "%s", cred->evidence);
	scan_result_release(&res);
	target_list_release(&l);
}

/* OpenSSH's MaxAuthTries (6 in the lab) hangs up after the sixth failure
 * of one session, under libssh's pending call: the next password goes on
 * a new session (the check once ended with "login 6: the check gave no
 * socket to wait on" and never reached the right password) */
Test(ssh_lab, past_max_auth_tries, .timeout = 60)
{
	static struct credential_pair wrong[13];
	static char names[12][16];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *cred;
	const char *reason = NULL;
	double secs;
	size_t i;

	lab_scan_config(&cfg, ssh_only, 1, 30000);
	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "wrong%zu", i);
		wrong[i].user = (char *)"test";
		wrong[i].password = names[i];
	}
	wrong[12].user = (char *)"test";
	wrong[12].password = (char *)"test";
	cfg.creds = wrong;
	cfg.ncreds = 13;
	cfg.max_attempts = 20;
	target_list_init(&l);
	lab_add_target(&l, WEAK);
	lab_scan(&cfg, &l, &res, &secs, 300);
	cred = lab_finding_for(&res, WEAK, "ssh.default_credentials");
	cr_expect_not_null(cred, "the 13th password was never tried");
	cr_expect_eq(lab_check_status(&res, 0, 22, &check_ssh, &reason),
		     STATUS_OPEN, "%s", reason ? reason : "");
	cfg.creds = NULL; /* static: not the config's to free */
	cfg.ncreds = 0;
	scan_result_release(&res);
	target_list_release(&l);
}
