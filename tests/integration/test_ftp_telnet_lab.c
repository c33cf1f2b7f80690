/*
 * test_ftp_telnet_lab.c - the ftp and telnet checks through the whole
 * engine against Debian's real servers in the lab (tests/lab/lab.d/ftp.sh,
 * telnet.sh): vsftpd with anonymous read, anonymous write and refusing;
 * inetutils telnetd with a weak account and its twin; hostile servers on
 * 21 and 23 (silent, garbage, drip, a telnet server that negotiates for
 * ever). Exact findings both ways; no write without --intrusive and the
 * written file gone after it; --no-login and --max-attempts obeyed. Each
 * test stands alone (they may run in parallel). EXPO_LAB_DIR names the
 * running lab.
 */
#include <dirent.h>
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

extern const struct check check_ftp, check_telnet;

#define FTP "127.0.84."
#define TEL "127.0.85."
#define TIMEOUT_MS 1500u

static void require_lab(const char *key)
{
	char v[8];

	lab_env_opt(key, v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no %s servers (tests/lab/lab.d/)", key);
}

/* FTP commands a vsftpd of the lab logged ("FTP command: ... STOR") */
static unsigned ftp_count(const char *name, const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/ftp/%s.log", lab_dir(), name);
	return lab_count_lines(path, needle);
}

/* cfg keeps a pointer to the list: it outlives the call */
static const struct check *ftp_checks[] = { &check_ftp };
static const struct check *telnet_checks[] = { &check_telnet };

static void config(struct scan_config *cfg, const struct check *c)
{
	lab_scan_config(cfg, c == &check_ftp ? ftp_checks : telnet_checks, 1,
			60000);
	cfg->timeout_ms = TIMEOUT_MS;
}

/* hostile servers: a status, never a finding */
static void expect_hostile(const struct scan_result *res, size_t ti,
			   const char *addr, uint16_t port,
			   const struct check *c, int want,
			   const char *reason_part)
{
	const char *reason = "";
	char ids[256];
	int st;

	lab_port_rules_for(res, addr, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "%s: {%s}", addr, ids);
	st = lab_check_status(res, ti, port, c, &reason);
	cr_expect_eq(st, want, "%s:%u: status %d (%s)", addr, port, st, reason);
	if (reason_part != NULL)
		cr_expect(strstr(reason, reason_part) != NULL, "%s: %s", addr,
			  reason);
}

Test(ftp_telnet_lab, ftp_without_intrusive_never_writes, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	unsigned stor_w;
	char ids[256];
	double secs;

	require_lab("EXPO_LAB_FTP");
	stor_w = ftp_count("write2", "STOR");
	config(&cfg, &check_ftp);
	target_list_init(&l);
	lab_add_target(&l, FTP "1");
	lab_add_target(&l, FTP "4"); /* anonymous write, this test's own */
	lab_add_target(&l, FTP "3");
	lab_add_target(&l, FTP "30");
	lab_add_target(&l, FTP "31");
	lab_add_target(&l, FTP "32");
	lab_scan(&cfg, &l, &res, &secs, 200);

	lab_port_rules_for(&res, FTP "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "21:ftp.anonymous_login", "{%s}", ids);
	lab_port_rules_for(&res, FTP "4", ids, sizeof(ids));
	cr_expect_str_eq(ids, "21:ftp.anonymous_login", "{%s}", ids);
	lab_port_rules_for(&res, FTP "3", ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "the refusing twin: {%s}", ids);
	/* the twin answered 530 (late: vsftpd and PAM delay it) */
	cr_expect_eq(lab_check_status(&res, 2, 21, &check_ftp, &reason),
		     STATUS_OPEN, "%s", reason);
	f = lab_finding_for(&res, FTP "4", "ftp.anonymous_login");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "vsFTPd 3.0.3") &&
			  strstr(f->evidence, "2 entries: pub, upload"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, FTP "1", "ftp.anonymous_login");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "1 entry: pub") != NULL, "%s",
		  f->evidence);
	/* never a STOR without --intrusive */
	cr_expect_eq(ftp_count("write2", "STOR"), stor_w);
	expect_hostile(&res, 3, FTP "30", 21, &check_ftp, STATUS_TIMEOUT,
		       "greeting");
	expect_hostile(&res, 4, FTP "31", 21, &check_ftp, STATUS_ERROR, NULL);
	expect_hostile(&res, 5, FTP "32", 21, &check_ftp, STATUS_TIMEOUT, NULL);
	cr_expect(secs < 15.0, "the scan took %.2f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/* the upload folder of the write server holds nothing of ours */
static unsigned leftovers(void)
{
	char path[1024];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/ftp/root_write/upload", lab_dir());
	d = opendir(path);
	cr_assert_not_null(d, "%s", path);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "exposure-write-test-", 20) == 0)
			n++;
	closedir(d);
	return n;
}

Test(ftp_telnet_lab, ftp_intrusive_writes_and_deletes, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	unsigned up, del, stor_r;
	char ids[256];
	double secs;

	require_lab("EXPO_LAB_FTP");
	up = ftp_count("write", "OK UPLOAD");
	del = ftp_count("write", "OK DELETE");
	stor_r = ftp_count("read", "OK UPLOAD");
	config(&cfg, &check_ftp);
	cfg.intrusive = true;
	target_list_init(&l);
	lab_add_target(&l, FTP "1");
	lab_add_target(&l, FTP "2");
	lab_add_target(&l, FTP "3");
	lab_scan(&cfg, &l, &res, &secs, 300);

	lab_port_rules_for(&res, FTP "2", ids, sizeof(ids));
	cr_expect_str_eq(ids, "21:ftp.anonymous_login,21:ftp.anonymous_write",
			 "{%s}", ids);
	lab_port_rules_for(&res, FTP "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "21:ftp.anonymous_login", "read only: {%s}", ids);
	lab_port_rules_for(&res, FTP "3", ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "{%s}", ids);
	f = lab_finding_for(&res, FTP "2", "ftp.anonymous_write");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "upload/exposure-write-test-") &&
			  strstr(f->evidence, "deleted it again"),
		  "%s", f->evidence);
	/* one upload, deleted; nothing stored on the read-only server */
	cr_expect_eq(ftp_count("write", "OK UPLOAD"), up + 1);
	cr_expect_eq(ftp_count("write", "OK DELETE"), del + 1);
	cr_expect_eq(ftp_count("read", "OK UPLOAD"), stor_r);
	cr_expect_eq(leftovers(), 0u);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(ftp_telnet_lab, telnet_weak_twin_and_hostile, .timeout = 120)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason = "";
	char ids[256];
	double secs;

	require_lab("EXPO_LAB_TELNET");
	config(&cfg, &check_telnet);
	target_list_init(&l);
	lab_add_target(&l, TEL "1");
	lab_add_target(&l, TEL "2");
	lab_add_target(&l, TEL "30");
	lab_add_target(&l, TEL "31");
	lab_add_target(&l, TEL "32");
	lab_add_target(&l, TEL "33");
	lab_scan(&cfg, &l, &res, &secs, 100);

	lab_port_rules_for(&res, TEL "1", ids, sizeof(ids));
	cr_expect_str_eq(ids,
			 "23:telnet.cleartext_login,"
			 "23:telnet.default_credentials",
			 "{%s}", ids);
	lab_port_rules_for(&res, TEL "2", ids, sizeof(ids));
	cr_expect_str_eq(ids, "23:telnet.cleartext_login", "twin: {%s}", ids);
	f = lab_finding_for(&res, TEL "1", "telnet.default_credentials");
	cr_assert_not_null(f);
	/* proven by the shell prompt or login's last-login banner */
	cr_expect(
		strstr(f->evidence, "logged in as admin (default password; ") &&
			(strstr(f->evidence, "shell prompt \"$\"") ||
			 strstr(f->evidence, "last-login banner")),
		"%s", f->evidence);
	cr_expect(f->secret != NULL && strcmp(f->secret, "<redacted>") == 0);
	f = lab_finding_for(&res, TEL "2", "telnet.cleartext_login");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "login:\"") != NULL, "%s", f->evidence);
	cr_expect_eq(lab_check_status(&res, 1, 23, &check_telnet, &reason),
		     STATUS_OPEN, "%s", reason);
	expect_hostile(&res, 2, TEL "30", 23, &check_telnet, STATUS_TIMEOUT,
		       "negotiation");
	expect_hostile(&res, 3, TEL "31", 23, &check_telnet, STATUS_ERROR,
		       NULL);
	expect_hostile(&res, 4, TEL "32", 23, &check_telnet, STATUS_TIMEOUT,
		       NULL);
	expect_hostile(&res, 5, TEL "33", 23, &check_telnet, STATUS_ERROR,
		       "did not stop negotiating");
	/* the twin: canary and 3 attempts on each of 2 users, 4 at once,
	 * login(1) answering each failure after 3 s */
	cr_expect(secs < 15.0, "the scan took %.2f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/* the weak telnetd alone under cfg: its rules, the wall time */
static double telnet_weak_alone(struct scan_config *cfg)
{
	struct target_list l;
	struct scan_result res;
	char ids[256];
	double secs;

	target_list_init(&l);
	lab_add_target(&l, TEL "1");
	lab_scan(cfg, &l, &res, &secs, 0);
	lab_port_rules_for(&res, TEL "1", ids, sizeof(ids));
	/* the prompt is found, no login */
	cr_expect_str_eq(ids, "23:telnet.cleartext_login", "{%s}", ids);
	scan_result_release(&res);
	target_list_release(&l);
	return secs;
}

/* --no-login: no password is sent (fast) */
Test(ftp_telnet_lab, telnet_no_login, .timeout = 60)
{
	struct scan_config cfg;
	double secs;

	require_lab("EXPO_LAB_TELNET");
	config(&cfg, &check_telnet);
	cfg.no_login = true;
	secs = telnet_weak_alone(&cfg);
	/* one failed login alone would take 3 s */
	cr_expect(secs < 2.5, "the scan took %.2f s", secs);
}

/* --max-attempts 1: root and admin with the empty password only, so
 * admin/admin is never tried */
Test(ftp_telnet_lab, telnet_max_attempts, .timeout = 60)
{
	struct scan_config cfg;
	double secs;

	require_lab("EXPO_LAB_TELNET");
	config(&cfg, &check_telnet);
	cfg.max_attempts = 1;
	secs = telnet_weak_alone(&cfg);
	/* canary, root, admin at once: one round of failures, each delayed
	 * by PAM around 3 s, at random (1.84 s seen for the slowest) */
	cr_expect(secs > 1.0 && secs < 7.0, "the scan took %.2f s", secs);
}
