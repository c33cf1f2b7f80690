/*
 * test_snmp_lab.c - snmp.default_community, the first UDP check, through
 * the whole engine against the lab (tests/lab/lab.d/snmp.sh): Debian's
 * snmpd with public, with private only, and the twin with a long random
 * community; hostile agents (silent, garbage, an answer larger than
 * asked, answers from another port and address, a stale request id). The
 * communities sent are counted by the hardened twin itself
 * (snmpInBadCommunityNames, read with its own community). EXPO_LAB_DIR
 * names the running lab.
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

extern const struct check check_snmp;

static const struct check *snmp_checks[] = { &check_snmp };

#define NET "127.0.93."
#define TIMEOUT_MS 600u /* silence: 3 datagrams of 200 ms per community */

static void require_lab(void)
{
	char v[8];

	lab_env_opt("EXPO_LAB_SNMP", v, sizeof(v));
	cr_assert_str_eq(
		v, "1",
		"the lab runs no SNMP agents (tests/lab/lab.d/snmp.sh)");
}

static void snmp_config(struct scan_config *cfg)
{
	lab_scan_config(cfg, snmp_checks, 1, 20000);
	cfg->timeout_ms = TIMEOUT_MS;
}

/* the record of target ti, port 161: the port's own (check NULL) or the
 * check's; its status, its reason in *reason, -1 if none */
static int udp_status(const struct scan_result *res, size_t ti, bool check,
		      const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++) {
		const struct port_record *r = &res->records[i];

		if (r->target == ti && r->port == 161 &&
		    (r->check != CHECK_NONE) == check) {
			cr_expect_eq(r->proto, PROTO_UDP);
			*reason = r->reason ? res->reasons[r->reason] : "";
			return r->status;
		}
	}
	*reason = "";
	return -1;
}

/* wrong communities the hardened twin counted (its own MIB, read with its
 * own community through net-snmp's snmpget) */
static long bad_communities(void)
{
	char strong[64], cmd[256], line[64] = "";
	FILE *p;

	lab_env("EXPO_LAB_SNMP_STRONG", strong, sizeof(strong));
	snprintf(cmd, sizeof(cmd),
		 "snmpget -v2c -c %s -Oqv -t 2 -r 1 " NET
		 "3 1.3.6.1.2.1.11.4.0 2>/dev/null",
		 strong);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	pclose(p);
	cr_assert(line[0] >= '0' && line[0] <= '9', "snmpget: '%s'", line);
	return strtol(line, NULL, 10);
}

static const struct {
	const char *addr;
	const char *rules;  /* exact "port:rule" set */
	int port_status;    /* the port's own record */
	int check_status;   /* the check's record */
	const char *reason; /* in the check's reason */
} lab_expect[] = {
	{ NET "1", "161:snmp.default_community", STATUS_OPEN, STATUS_OPEN, "" },
	{ NET "2", "161:snmp.default_community", STATUS_OPEN, STATUS_OPEN, "" },
	/* the twin: silence to public and private is "no answer" */
	{ NET "3", "", STATUS_NO_ANSWER, STATUS_NO_ANSWER,
	  "no answer to 2 communities" },
	{ NET "10", "", STATUS_NO_ANSWER, STATUS_NO_ANSWER,
	  "no answer to 2 communities" },
	{ NET "11", "", STATUS_OPEN, STATUS_ERROR, "6 malformed" },
	{ NET "12", "", STATUS_OPEN, STATUS_ERROR, "6 oversized" },
	/* answers from another port and address never reach us */
	{ NET "13", "", STATUS_NO_ANSWER, STATUS_NO_ANSWER,
	  "no answer to 2 communities" },
	/* answers with another request id are heard, and not taken */
	{ NET "14", "", STATUS_OPEN, STATUS_NO_ANSWER,
	  "no answer to 2 communities" },
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

Test(snmp_lab, whole_lab, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	char ids[256];
	long bad0, bad1;
	size_t i;
	double secs;
	int st;

	require_lab();
	bad0 = bad_communities();
	snmp_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	lab_scan(&cfg, &l, &res, &secs, 100);
	bad1 = bad_communities();

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
		st = udp_status(&res, i, false, &reason);
		cr_expect_eq(st, lab_expect[i].port_status,
			     "%s: port status %d (%s)", lab_expect[i].addr, st,
			     reason);
		st = udp_status(&res, i, true, &reason);
		cr_expect_eq(st, lab_expect[i].check_status,
			     "%s: check status %d (%s)", lab_expect[i].addr, st,
			     reason);
		cr_expect(strstr(reason, lab_expect[i].reason) != NULL,
			  "%s: reason '%s'", lab_expect[i].addr, reason);
	}
	/* the twin heard public and private, each sent 3 times */
	cr_expect_eq(bad1 - bad0, 6, "%ld wrong communities", bad1 - bad0);
	/* the silent ones: two communities of three 200 ms datagrams, all
	 * probes at once */
	cr_expect_lt(secs, 4.0, "%.2f s", secs);

	f = lab_finding_for(&res, NET "1", "snmp.default_community");
	cr_assert_not_null(f);
	cr_expect_eq(f->proto, PROTO_UDP);
	cr_expect(strstr(f->evidence, "sysDescr \"Linux ") != NULL, "%s",
		  f->evidence);
	cr_expect(strstr(f->evidence, "public") == NULL, "%s", f->evidence);
	cr_expect_str_eq(f->secret, "<redacted>");
	scan_result_release(&res);
	target_list_release(&l);
}

Test(snmp_lab, max_attempts_and_no_login_cap_the_communities, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const char *reason;
	char ids[256];
	long b0, b1, b2;
	double secs;
	int st;

	require_lab();
	snmp_config(&cfg);
	cfg.max_attempts = 1;
	target_list_init(&l);
	lab_add_target(&l, NET "2");
	lab_add_target(&l, NET "3");
	b0 = bad_communities();
	lab_scan(&cfg, &l, &res, &secs, 100);
	b1 = bad_communities();
	/* one community: public, which .2 (private only) does not know */
	cr_expect_eq(b1 - b0, 3, "%ld wrong communities", b1 - b0);
	lab_port_rules_for(&res, NET "2", ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "got {%s}", ids);
	st = udp_status(&res, 1, true, &reason);
	cr_expect(st == STATUS_NO_ANSWER &&
			  strstr(reason, "no answer to 1 community") != NULL,
		  "%d %s", st, reason);
	scan_result_release(&res);

	cfg.max_attempts = 0;
	cfg.no_login = true;
	lab_scan(&cfg, &l, &res, &secs, 100);
	b2 = bad_communities();
	cr_expect_eq(b2 - b1, 0, "%ld wrong communities", b2 - b1);
	st = udp_status(&res, 1, true, &reason);
	cr_expect(st == STATUS_NO_ANSWER &&
			  strstr(reason, "not probed") != NULL &&
			  strstr(reason, "--no-login") != NULL,
		  "%d %s", st, reason);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(snmp_lab, the_twin_answers_its_own_community, .timeout = 30)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	struct credential_pair pair;
	char strong[64], ids[256];
	double secs;

	require_lab();
	lab_env("EXPO_LAB_SNMP_STRONG", strong, sizeof(strong));
	snmp_config(&cfg);
	pair.user = "";
	pair.password = strong;
	cfg.creds = &pair;
	cfg.ncreds = 1;
	target_list_init(&l);
	lab_add_target(&l, NET "3");
	lab_scan(&cfg, &l, &res, &secs, 0);
	/* --creds first: the strong community is found, so the agent works
	 * and the silence above was the community's */
	lab_port_rules_for(&res, NET "3", ids, sizeof(ids));
	cr_expect_str_eq(ids, "161:snmp.default_community", "got {%s}", ids);
	scan_result_release(&res);
	target_list_release(&l);
}
