/*
 * test_rdp_lab.c - the RDP check against the lab's real servers (xrdp
 * from Debian, FreeRDP's shadow server with NLA) and its hostile and
 * fake ones (tests/lab/lab.d/rdp.sh), through the whole engine.
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

extern const struct check check_rdp;

/* lines of the shadow server's log containing needle */
static unsigned shadow_count(const char *needle)
{
	char path[1024];

	lab_env("EXPO_LAB_RDP_NLA_LOG", path, sizeof(path));
	return lab_count_lines(path, needle);
}

static const struct check *rdp_only[] = { &check_rdp };

/* --creds: pairs are copied; scan_config_release() frees them */
static void set_creds(struct scan_config *cfg, const char *const *pairs,
		      size_t n)
{
	size_t i;

	cfg->creds = calloc(n, sizeof(*cfg->creds));
	cr_assert_not_null(cfg->creds);
	for (i = 0; i < n; i++) {
		cfg->creds[i].user = strdup(pairs[2 * i]);
		cfg->creds[i].password = strdup(pairs[2 * i + 1]);
	}
	cfg->ncreds = n;
}

Test(rdp_lab, whole_lab, .timeout = 120)
{
	static const char *const keys[] = {
		"EXPO_LAB_RDP_LEGACY",	     "EXPO_LAB_RDP_TLS",
		"EXPO_LAB_RDP_NLA",	     "EXPO_LAB_RDP_XP",
		"EXPO_LAB_RDP_SILENT",	     "EXPO_LAB_RDP_RESET",
		"EXPO_LAB_RDP_LIE_LONG",     "EXPO_LAB_RDP_LIE_SHORT",
		"EXPO_LAB_RDP_LIE_MISMATCH",
	};
	/* the exact rule set of each server, in keys[] order; hostile and
	 * lying servers: none, and a timeout or error status */
	static const char *const want[] = {
		"rdp.nla_not_required,rdp.standard_security",
		"rdp.nla_not_required",
		"rdp.weak_credentials",
		"rdp.nla_not_required,rdp.standard_security",
		"",
		"",
		"",
		"",
		"",
	};
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	char addrs[N][64], ids[1024];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	double secs;
	size_t i;

	lab_scan_config(&cfg, rdp_only, 1, 60000);
	target_list_init(&l);
	for (i = 0; i < N; i++) {
		lab_env(keys[i], addrs[i], sizeof(addrs[i]));
		lab_add_target(&l, addrs[i]);
	}
	lab_scan(&cfg, &l, &res, &secs, 300);
	for (i = 0; i < N; i++) {
		const char *why = NULL;
		int st = lab_check_status(&res, i, 3389, NULL, &why);

		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, want[i], "%s: %s", keys[i], ids);
		if (i < 4)
			cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", keys[i],
				     st >= 0 ? status_name(st) : "none", why);
		else
			cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
				  "%s: %s %s", keys[i],
				  st >= 0 ? status_name(st) : "none", why);
	}
	/* xrdp crypt_level=low: 40-bit RC4 at level Low, in the evidence */
	f = lab_finding_for(&res, addrs[0], "rdp.standard_security");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "40-bit RC4") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "level Low") != NULL, "%s", f->evidence);
	f = lab_finding_for(&res, addrs[1], "rdp.nla_not_required");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "selected SSL") != NULL, "%s",
		  f->evidence);
	f = lab_finding_for(&res, addrs[3], "rdp.nla_not_required");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "no negotiation data") != NULL, "%s",
		  f->evidence);
	/* the weak account is found, its password never shown; the host
	 * names come from the NTLM challenge before authentication */
	f = lab_finding_for(&res, addrs[2], "rdp.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "as admin") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "labstrong") == NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "NetBIOS name") != NULL, "%s",
		  f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	cr_expect_eq(f->confidence, CONFIDENCE_CONFIRMED);
	{
		const char *why = NULL;

		cr_expect_eq(lab_check_status(&res, 4, 3389, NULL, &why),
			     STATUS_TIMEOUT, "silent: %s", why);
		cr_expect_eq(lab_check_status(&res, 7, 3389, NULL, &why),
			     STATUS_TIMEOUT, "lie-short: %s", why);
		cr_expect_eq(lab_check_status(&res, 6, 3389, NULL, &why),
			     STATUS_ERROR, "lie-long: %s", why);
		cr_expect_eq(lab_check_status(&res, 8, 3389, NULL, &why),
			     STATUS_ERROR, "lie-mismatch: %s", why);
	}
	/* the hostile ones cost one --timeout each, in parallel; the 20-odd
	 * NLA logins a few seconds */
	cr_expect_lt(secs, 2 * cfg.timeout_ms / 1000.0 + 20.0,
		     "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
	scan_config_release(&cfg);
}

/*
 * The attempt cap: --creds holds four wrong passwords for labstrong and
 * then its real one; with the default of 3 attempts per account the real
 * one is never tried, so labstrong is not reported, and the server saw
 * exactly 3 refusals for it. With a cap of 5 the same list finds it,
 * which shows the test can fail.
 */
Test(rdp_lab, attempt_cap_and_strong_account, .timeout = 120)
{
	char nla[64], pwfile[1024], strong[256], ids[1024];
	const char *pairs[10];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	unsigned before;
	double secs;
	FILE *fp;

	lab_env("EXPO_LAB_RDP_NLA", nla, sizeof(nla));
	snprintf(pwfile, sizeof(pwfile), "%s/rdp/strong_password", lab_dir());
	fp = fopen(pwfile, "r");
	cr_assert_not_null(fp, "cannot read %s", pwfile);
	cr_assert_not_null(fgets(strong, sizeof(strong), fp));
	fclose(fp);
	strong[strcspn(strong, "\r\n")] = '\0';
	pairs[0] = "labstrong";
	pairs[1] = "Password1";
	pairs[2] = "labstrong";
	pairs[3] = "Winter2024!";
	pairs[4] = "labstrong";
	pairs[5] = "letmein";
	pairs[6] = "labstrong";
	pairs[7] = "qwerty";
	pairs[8] = "labstrong";
	pairs[9] = strong;

	lab_scan_config(&cfg, rdp_only, 1, 60000);
	cfg.checks = rdp_only;
	set_creds(&cfg, pairs, 5);
	target_list_init(&l);
	lab_add_target(&l, nla);
	/* WinPR logs one "client authentication failure" per refused
	 * CredSSP exchange (our NTLM probe is one too) */
	before = shadow_count("client authentication failure");
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, nla, ids, sizeof(ids));
	cr_expect_str_eq(ids, "rdp.weak_credentials");
	f = lab_finding_for(&res, nla, "rdp.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "labstrong") == NULL,
		  "the 4th attempt was made: %s", f->evidence);
	/* the NTLM probe, the canary, 3 for labstrong, admin's empty
	 * password (admin/admin is next and succeeds), 3 for each of the
	 * 7 other built-in users */
	cr_expect_eq(shadow_count("client authentication failure") - before,
		     1 + 1 + 3 + 1 + 7 * 3);
	scan_result_release(&res);
	target_list_release(&l);

	cfg.max_attempts = 5;
	target_list_init(&l);
	lab_add_target(&l, nla);
	lab_scan(&cfg, &l, &res, &secs, 300);
	f = lab_finding_for(&res, nla, "rdp.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "labstrong") != NULL,
		  "a cap of 5 should reach the real password: %s", f->evidence);
	scan_result_release(&res);
	target_list_release(&l);
	scan_config_release(&cfg);
}

/* --no-login: the NLA verdict only, no CredSSP login reaches the server */
Test(rdp_lab, no_login, .timeout = 60)
{
	char nla[64], legacy[64], ids[1024];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	unsigned before;
	double secs;

	lab_env("EXPO_LAB_RDP_NLA", nla, sizeof(nla));
	lab_env("EXPO_LAB_RDP_LEGACY", legacy, sizeof(legacy));
	lab_scan_config(&cfg, rdp_only, 1, 60000);
	cfg.no_login = true;
	target_list_init(&l);
	lab_add_target(&l, nla);
	lab_add_target(&l, legacy);
	before = shadow_count("client authentication failure");
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, nla, ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, legacy, ids, sizeof(ids));
	cr_expect_str_eq(ids, "rdp.nla_not_required,rdp.standard_security");
	/* only the NTLM host-info probe */
	cr_expect_eq(shadow_count("client authentication failure") - before, 1);
	cr_expect_lt(secs, 2.0, "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/*
 * A server that negotiates NLA and then never answers FreeRDP's TLS
 * ClientHello (rdpfake nla-stall): FreeRDP 2 would wait for ever; the
 * login's watchdog ends it at the deadline, and the verdict is a timeout,
 * never a refused (let alone accepted) password. A second, well-behaved
 * target in the same scan still gets its verdict.
 */
Test(rdp_lab, stalled_credssp_ends_at_the_deadline, .timeout = 60)
{
	char stall[64], legacy[64], ids[256];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const char *why = NULL;
	double secs;
	int st;

	lab_env("EXPO_LAB_RDP_NLA_STALL", stall, sizeof(stall));
	lab_env("EXPO_LAB_RDP_LEGACY", legacy, sizeof(legacy));
	lab_scan_config(&cfg, rdp_only, 1, 8000);
	target_list_init(&l);
	lab_add_target(&l, stall);
	lab_add_target(&l, legacy);
	lab_scan(&cfg, &l, &res, &secs, 0);
	st = lab_check_status(&res, 0, 3389, NULL, &why);
	cr_expect_eq(st, STATUS_TIMEOUT, "nla-stall: %s %s",
		     st >= 0 ? status_name(st) : "none", why);
	cr_expect(why != NULL && strstr(why, "canary login") != NULL, "%s",
		  why);
	lab_rules_for(&res, stall, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "nla-stall: %s", ids);
	lab_rules_for(&res, legacy, ids, sizeof(ids));
	cr_expect_str_eq(ids, "rdp.nla_not_required,rdp.standard_security");
	/* one login's share of the 8 s probe deadline, not for ever */
	cr_expect_lt(secs, 8.0 + 3.0, "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
	scan_config_release(&cfg);
}
