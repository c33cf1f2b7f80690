/*
 * test_smb_lab.c - the SMB check against the lab's real Samba servers
 * and hostile servers (tests/lab/lab.d/smb.sh), through the whole engine.
 * EXPO_LAB_DIR names the running lab; `make check` always sets it.
 * The attempt cap and the lockout stop are proven from Samba's own
 * authentication log (auth_audit:3: one "Auth: ... user [WG]\[name] ...
 * status [...]" line per session setup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_smb;

#define OPEN "127.0.40.1"
#define HARDENED "127.0.40.2"
#define WEAK "127.0.40.3"
#define LOCKOUT "127.0.40.4"
#define SILENT "127.0.40.11"
#define RESET "127.0.40.12"

/* the auth log of server name ("hardened", "lockout", ...) */
static void log_path(const char *name, char *buf, size_t size)
{
	char dir[900];

	lab_env("EXPO_LAB_SMB_LOG_DIR", dir, sizeof(dir));
	snprintf(buf, size, "%s/smb_%s/log.smbd", dir, name);
}

static long log_size(const char *name)
{
	char path[1024];
	long n;
	FILE *f;

	log_path(name, path, sizeof(path));
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

struct auth_log {
	unsigned user[8];      /* per user in users[] */
	unsigned locked;       /* NT_STATUS_ACCOUNT_LOCKED_OUT lines */
	unsigned after_locked; /* auth lines after the first of those */
	unsigned total;
};

static const char *const users[] = { "administrator", "admin", "user", "backup",
				     "test" };

/* the "Auth:" lines of server name's log from byte offset from */
static void auth_lines(const char *name, long from, struct auth_log *a)
{
	char path[1024], line[4096];
	FILE *f;
	size_t i;

	memset(a, 0, sizeof(*a));
	log_path(name, path, sizeof(path));
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, from, SEEK_SET);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "Auth: [") == NULL ||
		    strstr(line, " status [") == NULL)
			continue;
		a->total++;
		if (a->locked)
			a->after_locked++;
		if (strstr(line, "NT_STATUS_ACCOUNT_LOCKED_OUT") != NULL)
			a->locked++;
		for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
			char needle[64];

			snprintf(needle, sizeof(needle), "]\\[%s] at",
				 users[i]);
			if (strstr(line, needle) != NULL)
				a->user[i]++;
		}
	}
	fclose(f);
}

static const struct check *smb_only[] = { &check_smb };

static const char open_rules[] =
	"smb.anonymous_share_read,smb.guest_access,smb.null_session,"
	"smb.signing_not_required,smb.smbv1";

Test(smb_lab, whole_lab, .timeout = 120)
{
	static const char *const addrs[] = { OPEN, HARDENED, WEAK, SILENT,
					     RESET };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	struct auth_log a;
	char ids[1024], hostile[8];
	long hardened0;
	double secs;
	size_t i;

	lab_env("EXPO_LAB_SMB_HOSTILE", hostile, sizeof(hostile));
	cr_assert_str_eq(hostile, "1",
			 "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	lab_scan_config(&cfg, smb_only, 1, 30000);
	target_list_init(&l);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		lab_add_target(&l, addrs[i]);
	hardened0 = log_size("hardened");
	lab_scan(&cfg, &l, &res, &secs, 300);

	lab_rules_for(&res, OPEN, ids, sizeof(ids));
	cr_expect_str_eq(ids, open_rules, "open: %s", ids);
	f = lab_finding_for(&res, OPEN, "smb.anonymous_share_read");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "\"public\"") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "readme.txt") != NULL, "%s", f->evidence);
	f = lab_finding_for(&res, OPEN, "smb.signing_not_required");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "dialect 3.1.1") != NULL, "%s",
		  f->evidence);
	f = lab_finding_for(&res, OPEN, "smb.guest_access");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->secret, "<redacted>");

	lab_rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "hardened: %s", ids);
	lab_rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.weak_credentials", "weak: %s", ids);
	f = lab_finding_for(&res, WEAK, "smb.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "admin") != NULL, "%s", f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	cr_expect_eq(f->confidence, CONFIDENCE_CONFIRMED);

	for (i = 0; i < 3; i++) {
		const char *why = NULL;
		int st = lab_check_status(&res, i, 445, NULL, &why);

		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", addrs[i],
			     st >= 0 ? status_name(st) : "no record", why);
	}
	{
		const char *why = NULL;

		cr_expect_eq(lab_check_status(&res, 3, 445, NULL, &why),
			     STATUS_TIMEOUT, "silent: %s", why);
		cr_expect_eq(lab_check_status(&res, 4, 445, NULL, &why),
			     STATUS_ERROR, "reset: %s", why);
		lab_rules_for(&res, SILENT, ids, sizeof(ids));
		cr_expect_str_eq(ids, "");
		lab_rules_for(&res, RESET, ids, sizeof(ids));
		cr_expect_str_eq(ids, "");
	}
	/* the attempt cap, from Samba's log: exactly 3 per account (the
	 * hardened server has none of these accounts and no lockout) */
	auth_lines("hardened", hardened0, &a);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		cr_expect_eq(a.user[i], 3, "hardened: %u attempts for %s",
			     a.user[i], users[i]);
	/* the silent server costs one --timeout; the rest is quick */
	cr_expect_lt(secs, cfg.timeout_ms / 1000.0 + 8.0,
		     "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(smb_lab, lockout_stops_the_host, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	struct auth_log a;
	const char *why = NULL;
	char ids[256];
	long from;
	double secs;
	size_t i;

	lab_scan_config(&cfg, smb_only, 1, 30000);
	target_list_init(&l);
	lab_add_target(&l, LOCKOUT);
	from = log_size("lockout");
	lab_scan(&cfg, &l, &res, &secs, 300);
	auth_lines("lockout", from, &a);
	/* "backup" locks after 2 bad passwords: the 3rd (or, when an
	 * earlier run locked it, the 1st) answer is LOCKED_OUT, and not
	 * one attempt follows it, for any user */
	cr_expect_eq(a.locked, 1, "LOCKED_OUT answers: %u", a.locked);
	cr_expect_eq(a.after_locked, 0, "%u attempts after the lockout",
		     a.after_locked);
	cr_expect_leq(a.user[3], 3, "backup: %u attempts", a.user[3]);
	cr_expect_geq(a.user[3], 1, "backup was never tried");
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		cr_expect_leq(a.user[i], 3, "%s: %u attempts", users[i],
			      a.user[i]);
	/* "test" comes after "backup" in each round: never a 3rd try */
	cr_expect_leq(a.user[4], 2, "test: %u attempts", a.user[4]);
	cr_expect_eq(lab_check_status(&res, 0, 445, NULL, &why), STATUS_OPEN);
	cr_expect(strstr(why, "backup is locked out") != NULL, "reason: %s",
		  why);
	lab_rules_for(&res, LOCKOUT, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "lockout: %s", ids);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(smb_lab, creds_file_and_no_login, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	struct credential_pair pair;
	const struct finding *f;
	char ids[1024], pwfile[900], pw[256] = "";
	long weak0;
	double secs;
	FILE *fp;

	/* --creds: the hardened server's real (strong) password */
	lab_env("EXPO_LAB_SMB_STRONG_PASSWORD_FILE", pwfile, sizeof(pwfile));
	fp = fopen(pwfile, "r");
	cr_assert_not_null(fp);
	cr_assert_not_null(fgets(pw, sizeof(pw), fp));
	fclose(fp);
	pw[strcspn(pw, "\r\n")] = '\0';
	pair.user = "labadmin";
	pair.password = pw;
	lab_scan_config(&cfg, smb_only, 1, 30000);
	cfg.creds = &pair;
	cfg.ncreds = 1;
	target_list_init(&l);
	lab_add_target(&l, HARDENED);
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.weak_credentials", "hardened: %s", ids);
	f = lab_finding_for(&res, HARDENED, "smb.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "labadmin") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, pw) == NULL, "password in evidence");
	scan_result_release(&res);
	target_list_release(&l);

	/* --no-login: no guest, no password tried */
	lab_scan_config(&cfg, smb_only, 1, 30000);
	cfg.no_login = true;
	target_list_init(&l);
	lab_add_target(&l, OPEN);
	lab_add_target(&l, WEAK);
	weak0 = log_size("weak");
	lab_scan(&cfg, &l, &res, &secs, 300);
	lab_rules_for(&res, OPEN, ids, sizeof(ids));
	cr_expect_str_eq(ids,
			 "smb.anonymous_share_read,smb.null_session,"
			 "smb.signing_not_required,smb.smbv1",
			 "open: %s", ids);
	lab_rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "weak: %s", ids);
	{
		struct auth_log a;

		auth_lines("weak", weak0, &a);
		cr_expect_eq(a.user[1], 0, "--no-login tried admin %u times",
			     a.user[1]);
	}
	scan_result_release(&res);
	target_list_release(&l);
}

/* a file's contents (at most 1 MiB), malloc'ed */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, (1 << 20) + 1);
	size_t n;

	cr_assert(f != NULL && buf != NULL, "%s", path);
	n = fread(buf, 1, 1 << 20, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * libsmbclient's first context reads ~/.smb/smb.conf and prints its
 * complaints, at debug level 0, on stdout (the report) unless a log
 * callback was set before: nothing of it may come out raw, with or
 * without -v; under -v it is in our log, escaped.
 */
Test(smb_lab, library_messages_never_reach_stdout_raw, .timeout = 120)
{
	const char *bin = getenv("EXPO_BIN");
	char home[] = "/tmp/expo-smbhome-XXXXXX", path[256], cmd[1024];
	char inv[300], ofile[300], efile[300], *out, *err;
	FILE *f;
	int v;

	cr_assert(bin != NULL, "EXPO_BIN is not set");
	cr_assert(mkdtemp(home) != NULL);
	snprintf(path, sizeof(path), "%s/.smb", home);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.smb/smb.conf", home);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("[global]\n\tbogus \x1b[31m = 1\n", f);
	fclose(f);
	snprintf(inv, sizeof(inv), "%s/inv.txt", home);
	f = fopen(inv, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s:445 check=smb\n", OPEN);
	fclose(f);
	snprintf(ofile, sizeof(ofile), "%s/out", home);
	snprintf(efile, sizeof(efile), "%s/err", home);
	for (v = 0; v < 2; v++) {
		snprintf(cmd, sizeof(cmd),
			 "HOME=%s %s scan %s --checks smb --no-login "
			 "--fail-on none%s >%s 2>%s",
			 home, bin, inv, v ? " -v" : "", ofile, efile);
		cr_assert_neq(system(cmd), -1);
		out = slurp(ofile);
		err = slurp(efile);
		cr_expect(strchr(out, '\x1b') == NULL, "stdout:\n%s", out);
		cr_expect(strchr(err, '\x1b') == NULL, "stderr:\n%s", err);
		cr_expect(strstr(out, "Unknown parameter") == NULL,
			  "stdout:\n%s", out);
		if (v)
			cr_expect(strstr(err, "exposure: smb: libsmbclient: "
					      "Unknown parameter "
					      "encountered: \"bogus "
					      "\\x1b[31m\"") != NULL,
				  "stderr:\n%s", err);
		else
			cr_expect(strstr(err, "Unknown parameter") == NULL,
				  "stderr:\n%s", err);
		free(out);
		free(err);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
	cr_expect_eq(system(cmd), 0);
}
