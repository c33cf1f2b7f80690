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
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_smb;

#define OPEN "127.0.40.1"
#define HARDENED "127.0.40.2"
#define WEAK "127.0.40.3"
#define LOCKOUT "127.0.40.4"
#define SILENT "127.0.40.11"
#define RESET "127.0.40.12"

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
	cr_assert_neq(buf[0], '\0', "%s is not in lab.env: the smb lab "
		      "plugin did not run", key);
}

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
	unsigned user[8];	/* per user in users[] */
	unsigned locked;	/* NT_STATUS_ACCOUNT_LOCKED_OUT lines */
	unsigned after_locked;	/* auth lines after the first of those */
	unsigned total;
};

static const char *const users[] = { "administrator", "admin", "user",
				     "backup", "test" };

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

static const struct check *smb_only[] = { &check_smb };

static void lab_config(struct scan_config *cfg)
{
	scan_config_defaults(cfg);
	cfg->checks = smb_only;
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
	/* smbd children write their auth lines as they answer */
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

/* the status of the smb check's record for target index ti */
static int check_status(const struct scan_result *res, size_t ti,
			const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++) {
		const struct port_record *r = &res->records[i];

		if (r->target == ti && r->port == 445 &&
		    r->check != CHECK_NONE) {
			*reason = r->reason ? res->reasons[r->reason] : "";
			return r->status;
		}
	}
	return -1;
}

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
	cr_assert_str_eq(hostile, "1", "the lab runs no hostile servers "
			 "(build build/lab/hostile first)");
	lab_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		add_target(&l, addrs[i]);
	hardened0 = log_size("hardened");
	scan(&cfg, &l, &res, &secs);

	rules_for(&res, OPEN, ids, sizeof(ids));
	cr_expect_str_eq(ids, open_rules, "open: %s", ids);
	f = finding_for(&res, OPEN, "smb.anonymous_share_read");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "\"public\"") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, "readme.txt") != NULL, "%s",
		  f->evidence);
	f = finding_for(&res, OPEN, "smb.signing_not_required");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "dialect 3.1.1") != NULL, "%s",
		  f->evidence);
	f = finding_for(&res, OPEN, "smb.guest_access");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->secret, "<redacted>");

	rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "hardened: %s", ids);
	rules_for(&res, WEAK, ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.weak_credentials", "weak: %s", ids);
	f = finding_for(&res, WEAK, "smb.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "admin") != NULL, "%s", f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	cr_expect_eq(f->confidence, CONFIDENCE_CONFIRMED);

	for (i = 0; i < 3; i++) {
		const char *why = NULL;
		int st = check_status(&res, i, &why);

		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", addrs[i],
			     st >= 0 ? status_name(st) : "no record", why);
	}
	{
		const char *why = NULL;

		cr_expect_eq(check_status(&res, 3, &why), STATUS_TIMEOUT,
			     "silent: %s", why);
		cr_expect_eq(check_status(&res, 4, &why), STATUS_ERROR,
			     "reset: %s", why);
		rules_for(&res, SILENT, ids, sizeof(ids));
		cr_expect_str_eq(ids, "");
		rules_for(&res, RESET, ids, sizeof(ids));
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

	lab_config(&cfg);
	target_list_init(&l);
	add_target(&l, LOCKOUT);
	from = log_size("lockout");
	scan(&cfg, &l, &res, &secs);
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
	cr_expect_eq(check_status(&res, 0, &why), STATUS_OPEN);
	cr_expect(strstr(why, "backup is locked out") != NULL, "reason: %s",
		  why);
	rules_for(&res, LOCKOUT, ids, sizeof(ids));
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
	lab_config(&cfg);
	cfg.creds = &pair;
	cfg.ncreds = 1;
	target_list_init(&l);
	add_target(&l, HARDENED);
	scan(&cfg, &l, &res, &secs);
	rules_for(&res, HARDENED, ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.weak_credentials", "hardened: %s", ids);
	f = finding_for(&res, HARDENED, "smb.weak_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "labadmin") != NULL, "%s", f->evidence);
	cr_expect(strstr(f->evidence, pw) == NULL, "password in evidence");
	scan_result_release(&res);
	target_list_release(&l);

	/* --no-login: no guest, no password tried */
	lab_config(&cfg);
	cfg.no_login = true;
	target_list_init(&l);
	add_target(&l, OPEN);
	add_target(&l, WEAK);
	weak0 = log_size("weak");
	scan(&cfg, &l, &res, &secs);
	rules_for(&res, OPEN, ids, sizeof(ids));
	cr_expect_str_eq(ids, "smb.anonymous_share_read,smb.null_session,"
			 "smb.signing_not_required,smb.smbv1", "open: %s",
			 ids);
	rules_for(&res, WEAK, ids, sizeof(ids));
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
