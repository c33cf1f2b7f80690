/*
 * test_vnc_lab.c - the vnc, mqtt and zookeeper checks through the whole
 * engine against Debian's real servers (tests/lab/lab.d/vnc.sh, mqtt.sh,
 * zookeeper.sh): TigerVNC's Xvnc with None, a weak and a strong VNC
 * password and one that blacklists after a failure; mosquitto anonymous,
 * refusing and without $SYS; ZooKeeper open and enforcing authentication;
 * hostile servers on 5900, 1883 and 2181. Exact findings both ways, the
 * attempts each Xvnc logged (the credential guard: the default cap of 3,
 * --max-attempts, --no-login, the blacklist stopping the host). Each test
 * scans its own servers so that they run in parallel. EXPO_LAB_DIR names
 * the running lab.
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

extern const struct check check_vnc, check_mqtt, check_zookeeper;

#define VNC "127.0.86."
#define MQ "127.0.87."
#define ZK "127.0.88."

static void require(const char *key, const char *plugin)
{
	char v[8];

	lab_env_opt(key, v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no %s servers (tests/lab/lab.d/%s)",
			 plugin, plugin);
}

/* the VNC authentication failures an Xvnc logged */
static unsigned vnc_failures(const char *addr)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/vnc/xvnc_%s.log", lab_dir(), addr);
	return lab_count_lines(path, "AuthFailureException");
}

static void scan(const char *const *addrs, size_t n, struct scan_config *cfg,
		 struct scan_result *res, struct target_list *l)
{
	double secs;
	size_t i;

	target_list_init(l);
	for (i = 0; i < n; i++)
		lab_add_target(l, addrs[i]);
	lab_scan(cfg, l, res, &secs, 200);
	cr_expect_lt(secs, 20.0, "the scan took %.1f s", secs);
}

static void config(struct scan_config *cfg, const struct check **c)
{
	lab_scan_config(cfg, c, 1, 20000);
	cfg->timeout_ms = 1500;
}

static void expect_rules(const struct scan_result *res, const char *addr,
			 const char *rules)
{
	char ids[512];

	lab_port_rules_for(res, addr, ids, sizeof(ids));
	cr_expect_str_eq(ids, rules, "%s: got {%s}", addr, ids);
}

/* a hostile server: timeout or error, never a finding */
static void expect_hostile(const struct scan_result *res, size_t ti,
			   const char *addr, uint16_t port,
			   const struct check *c)
{
	const char *reason;
	int st = lab_check_status(res, ti, port, c, &reason);

	expect_rules(res, addr, "");
	cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
		  "%s:%u: status %d (%s)", addr, port, st, reason);
}

/* after the first scan, on the same servers: run by the test that uses
 * them, so that parallel tests do not share their attempt counts */
static void no_login_and_max_attempts(void)
{
	static const char *const addrs[] = { VNC "1", VNC "2", VNC "3" };
	static const struct check *c[] = { &check_vnc };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	unsigned weak0, strong0;

	/* --no-login: None still found, no password sent anywhere */
	weak0 = vnc_failures(VNC "2");
	strong0 = vnc_failures(VNC "3");
	config(&cfg, c);
	cfg.no_login = true;
	scan(addrs, 3, &cfg, &res, &l);
	expect_rules(&res, VNC "1", "5900:vnc.no_auth");
	expect_rules(&res, VNC "2", "");
	expect_rules(&res, VNC "3", "");
	cr_expect_eq(vnc_failures(VNC "2"), weak0);
	cr_expect_eq(vnc_failures(VNC "3"), strong0);
	scan_result_release(&res);
	target_list_release(&l);

	/* --max-attempts 1: only "password", which is wrong on both */
	config(&cfg, c);
	cfg.max_attempts = 1;
	scan(addrs, 3, &cfg, &res, &l);
	expect_rules(&res, VNC "1", "5900:vnc.no_auth");
	expect_rules(&res, VNC "2", "");
	expect_rules(&res, VNC "3", "");
	cr_expect_eq(vnc_failures(VNC "2") - weak0, 1u);
	cr_expect_eq(vnc_failures(VNC "3") - strong0, 1u);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(vnc_lab, none_weak_strong_and_hostile, .timeout = 90)
{
	static const char *const addrs[] = { VNC "1",  VNC "2",	 VNC "3",
					     VNC "30", VNC "31", VNC "32" };
	static const struct check *c[] = { &check_vnc };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	unsigned weak0, strong0;
	size_t i;
	int st;

	require("EXPO_LAB_VNC", "vnc.sh");
	weak0 = vnc_failures(VNC "2");
	strong0 = vnc_failures(VNC "3");
	config(&cfg, c);
	scan(addrs, 6, &cfg, &res, &l);
	expect_rules(&res, VNC "1", "5900:vnc.no_auth");
	expect_rules(&res, VNC "2", "5900:vnc.weak_password");
	expect_rules(&res, VNC "3", "");
	f = lab_finding_for(&res, VNC "1", "vnc.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "RFB 3.8") &&
			  strstr(f->evidence, "desktop \"lab-open\" (640x480)"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, VNC "2", "vnc.weak_password");
	cr_assert_not_null(f);
	/* the password is the secret, redacted, never in the evidence */
	cr_expect(strstr(f->evidence, "123456") == NULL, "%s", f->evidence);
	cr_expect(f->secret && strcmp(f->secret, "<redacted>") == 0);
	cr_expect(strstr(f->evidence, "lab-weak") != NULL, "%s", f->evidence);
	/* "password" failed, "123456" passed; the strong twin: the default
	 * cap, 3 attempts, all failed */
	cr_expect_eq(vnc_failures(VNC "2") - weak0, 1u);
	cr_expect_eq(vnc_failures(VNC "3") - strong0, 3u);
	for (i = 0; i < 3; i++) {
		st = lab_check_status(&res, i, 5900, &check_vnc, &reason);
		cr_expect_eq(st, STATUS_OPEN, "%s: %d (%s)", addrs[i], st,
			     reason);
	}
	for (i = 3; i < 6; i++)
		expect_hostile(&res, i, addrs[i], 5900, &check_vnc);
	scan_result_release(&res);
	target_list_release(&l);
	no_login_and_max_attempts();
}

Test(vnc_lab, blacklist_stops_the_host, .timeout = 60)
{
	static const char *const addrs[] = { VNC "4" };
	static const struct check *c[] = { &check_vnc };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const char *reason;
	unsigned before;
	int st;

	require("EXPO_LAB_VNC", "vnc.sh");
	before = vnc_failures(VNC "4");
	config(&cfg, c);
	cfg.max_attempts = 10;
	scan(addrs, 1, &cfg, &res, &l);
	expect_rules(&res, VNC "4", "");
	/* one failure at most (none when an earlier run left the blacklist
	 * in place), then the refusal stops every attempt */
	cr_expect_leq(vnc_failures(VNC "4") - before, 1u);
	st = lab_check_status(&res, 0, 5900, &check_vnc, &reason);
	cr_expect_eq(st, STATUS_OPEN, "%d (%s)", st, reason);
	cr_expect(strstr(reason, "blacklisted") != NULL, "%s", reason);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(mqtt_lab, anonymous_refused_nosys_and_hostile, .timeout = 60)
{
	static const char *const addrs[] = { MQ "1",  MQ "2",  MQ "3",
					     MQ "30", MQ "31", MQ "32" };
	static const struct check *c[] = { &check_mqtt };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	size_t i;
	int st;

	require("EXPO_LAB_MQTT", "mqtt.sh");
	config(&cfg, c);
	scan(addrs, 6, &cfg, &res, &l);
	expect_rules(&res, MQ "1", "1883:mqtt.no_auth");
	expect_rules(&res, MQ "2", "");
	expect_rules(&res, MQ "3", "1883:mqtt.no_auth");
	f = lab_finding_for(&res, MQ "1", "mqtt.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "CONNACK 0") &&
			  strstr(f->evidence, "mosquitto version 2."),
		  "%s", f->evidence);
	f = lab_finding_for(&res, MQ "3", "mqtt.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "no $SYS version given") != NULL, "%s",
		  f->evidence);
	for (i = 0; i < 3; i++) {
		st = lab_check_status(&res, i, 1883, &check_mqtt, &reason);
		cr_expect_eq(st, STATUS_OPEN, "%s: %d (%s)", addrs[i], st,
			     reason);
	}
	for (i = 3; i < 6; i++)
		expect_hostile(&res, i, addrs[i], 1883, &check_mqtt);
	scan_result_release(&res);
	target_list_release(&l);
}

Test(zookeeper_lab, open_enforced_and_hostile, .timeout = 60)
{
	static const char *const addrs[] = { ZK "1", ZK "2", ZK "30", ZK "31",
					     ZK "32" };
	static const struct check *c[] = { &check_zookeeper };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *reason;
	size_t i;
	int st;

	require("EXPO_LAB_ZOOKEEPER", "zookeeper.sh");
	config(&cfg, c);
	scan(addrs, 5, &cfg, &res, &l);
	expect_rules(&res, ZK "1", "2181:zookeeper.no_auth");
	expect_rules(&res, ZK "2", "");
	f = lab_finding_for(&res, ZK "1", "zookeeper.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "(zookeeper)") &&
			  strstr(f->evidence, "ZooKeeper 3.8.") &&
			  strstr(f->evidence, "mode standalone"),
		  "%s", f->evidence);
	for (i = 0; i < 2; i++) {
		st = lab_check_status(&res, i, 2181, &check_zookeeper, &reason);
		cr_expect_eq(st, STATUS_OPEN, "%s: %d (%s)", addrs[i], st,
			     reason);
	}
	for (i = 2; i < 5; i++)
		expect_hostile(&res, i, addrs[i], 2181, &check_zookeeper);
	scan_result_release(&res);
	target_list_release(&l);
}
