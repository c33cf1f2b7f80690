/*
 * test_classic_lab.c - the classic console checks (grafana, couchdb,
 * portainer, influxdb, minio) through the whole engine against the lab's
 * replay servers (tests/lab/lab.d/classic.sh): each product open and its
 * refusing twin, a decoy that names them without being them, hostile
 * HTTP servers on the credential ports; one login attempt per account
 * and host, none under --no-login; SQL Server through tdsfake (open,
 * the refusing twin, locked out, TLS demanded). EXPO_LAB_DIR names the
 * running lab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

extern const struct check check_grafana, check_couchdb, check_portainer,
	check_influxdb, check_minio, check_mssql;

static const struct check *classic_checks[] = {
	&check_grafana,	 &check_couchdb, &check_portainer,
	&check_influxdb, &check_minio,	 &check_mssql,
};

#define NET "127.0.83."
#define TIMEOUT_MS 1500u

static void suite_init(void)
{
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

TestSuite(classic_lab, .init = suite_init, .fini = curl_global_cleanup);

static void require_lab(void)
{
	char v[8];

	lab_env_opt("EXPO_LAB_CLASSIC", v, sizeof(v));
	cr_assert_str_eq(v, "1",
			 "the lab runs no classic servers "
			 "(tests/lab/lab.d/classic.sh)");
}

/* the LOGIN7 tdsfake on addr logged ("LOGIN7 USER empty|password") */
static unsigned tds_count(const char *addr, const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/classic/tds_%s.log", lab_dir(), addr);
	return lab_count_lines(path, needle);
}

/* the requests a replay server logged ("METHOD PATH -> FILE") */
static unsigned replay_count(const char *addr, unsigned port,
			     const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/classic/replay_%s_%u.log", lab_dir(),
		 addr, port);
	return lab_count_lines(path, needle);
}

static void classic_config(struct scan_config *cfg)
{
	lab_scan_config(cfg, classic_checks,
			sizeof(classic_checks) / sizeof(classic_checks[0]),
			20000);
	cfg->timeout_ms = TIMEOUT_MS;
}

static const struct {
	const char *addr;
	const char *rules; /* exact "port:rule" set */
} lab_expect[] = {
	{ NET "1", "3000:grafana.default_credentials" },
	{ NET "2", "" }, /* Grafana, password changed */
	{ NET "3", "5984:couchdb.no_auth" },
	{ NET "4", "" }, /* CouchDB 3 with its admin */
	{ NET "5", "9000:portainer.no_admin" },
	{ NET "6", "" }, /* Portainer with its admin */
	{ NET "7", "8086:influxdb.no_auth" },
	{ NET "8", "" }, /* InfluxDB 2 set up */
	{ NET "9", "9000:minio.default_credentials" },
	{ NET "10", "" }, /* MinIO with its own keys */
	{ NET "11", "" }, /* decoy */
	{ NET "20", "1433:mssql.default_credentials" },
	{ NET "21", "" }, /* SQL Server refusing every login */
	{ NET "22", "" }, /* sa locked out */
	{ NET "23", "1433:mssql.default_credentials" }, /* TLS forced */
	{ NET "24", "1433:mssql.default_credentials" }, /* TLS for login */
	{ NET "25", "" }, /* TLS forced, every login refused */
};

#define NEXPECT (sizeof(lab_expect) / sizeof(lab_expect[0]))

/* the login requests the servers heard */
struct logins {
	unsigned gf_open, gf_twin, gf_decoy, mn_open, mn_twin, mn_decoy,
		mn_portainer, ms_open, ms_twin, ms_locked, ms_tls, ms_tlslogin,
		ms_tlstwin, ms_garbage;
};

static void count_logins(struct logins *c)
{
	c->gf_open = replay_count(NET "1", 3000, "POST /login ->");
	c->gf_twin = replay_count(NET "2", 3000, "POST /login ->");
	c->gf_decoy = replay_count(NET "11", 3000, "POST /login ->");
	c->mn_open = replay_count(NET "9", 9000, "GET / ->");
	c->mn_twin = replay_count(NET "10", 9000, "GET / ->");
	c->mn_decoy = replay_count(NET "11", 9000, "GET / ->");
	c->mn_portainer = replay_count(NET "5", 9000, "GET / ->");
	c->ms_open = tds_count(NET "20", "LOGIN7");
	c->ms_twin = tds_count(NET "21", "LOGIN7");
	c->ms_locked = tds_count(NET "22", "LOGIN7");
	c->ms_tls = tds_count(NET "23", "LOGIN7 sa empty tls");
	c->ms_tlslogin = tds_count(NET "24", "LOGIN7 sa empty tls");
	c->ms_tlstwin = tds_count(NET "25", " tls");
	c->ms_garbage = tds_count(NET "26", "LOGIN7");
}

Test(classic_lab, whole_lab, .timeout = 120)
{
	static const char *const hostile[] = { NET "30", NET "31", NET "26" };
	static const unsigned hports[] = { 3000, 9000, 1433 };
	static const unsigned ports[] = { 3000, 5984, 9000, 8086, 1433 };
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	struct logins b, a;
	const struct finding *f;
	const char *reason;
	char ids[1024];
	size_t i, k, h0;
	double secs;
	int st;

	require_lab();
	count_logins(&b);
	classic_config(&cfg);
	target_list_init(&l);
	for (i = 0; i < NEXPECT; i++)
		lab_add_target(&l, lab_expect[i].addr);
	h0 = l.n;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		lab_add_target(&l, hostile[i]);
	lab_scan(&cfg, &l, &res, &secs, 200);
	count_logins(&a);

	for (i = 0; i < NEXPECT; i++) {
		lab_port_rules_for(&res, lab_expect[i].addr, ids, sizeof(ids));
		cr_expect_str_eq(ids, lab_expect[i].rules, "%s: got {%s}",
				 lab_expect[i].addr, ids);
	}
	/* the twins and the decoy answered: judged answers, not errors */
	for (i = 0; i < NEXPECT; i++)
		for (k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
			st = lab_check_status(&res, i, (uint16_t)ports[k], NULL,
					      &reason);
			cr_expect(st == -1 || st == STATUS_OPEN,
				  "%s:%u: status %d (%s)", lab_expect[i].addr,
				  ports[k], st, reason);
		}
	/* one attempt per account and host; none where the product is not
	 * proven first (the decoy, Portainer on MinIO's port) */
	cr_expect_eq(a.gf_open - b.gf_open, 1u);
	cr_expect_eq(a.gf_twin - b.gf_twin, 1u);
	cr_expect_eq(a.gf_decoy - b.gf_decoy, 0u);
	cr_expect_eq(a.mn_open - b.mn_open, 1u);
	cr_expect_eq(a.mn_twin - b.mn_twin, 1u);
	cr_expect_eq(a.mn_decoy - b.mn_decoy, 0u);
	cr_expect_eq(a.mn_portainer - b.mn_portainer, 0u);
	/* SQL Server: sa with the empty password first, found at once; the
	 * twin gets the default cap (3); locked out stops after one; under
	 * TLS the same, each LOGIN7 inside TLS; junk for a handshake: none */
	cr_expect_eq(a.ms_open - b.ms_open, 1u);
	cr_expect_eq(a.ms_twin - b.ms_twin, 3u);
	cr_expect_eq(a.ms_locked - b.ms_locked, 1u);
	cr_expect_eq(a.ms_tls - b.ms_tls, 1u);
	cr_expect_eq(a.ms_tlslogin - b.ms_tlslogin, 1u);
	cr_expect_eq(a.ms_tlstwin - b.ms_tlstwin, 3u);
	cr_expect_eq(a.ms_garbage - b.ms_garbage, 0u);
	st = lab_check_status(&res, 13, 1433, &check_mssql, &reason); /* .22 */
	cr_expect(strstr(reason, "locked out") != NULL, "%s", reason);
	f = lab_finding_for(&res, NET "23", "mssql.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "over TLS") != NULL, "%s", f->evidence);
	f = lab_finding_for(&res, NET "20", "mssql.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "SQL Server 16.0.4135") &&
			  strstr(f->evidence, "sa (empty password)"),
		  "%s", f->evidence);

	/* evidence: versions and counts, never names or passwords */
	f = lab_finding_for(&res, NET "1", "grafana.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Grafana 10.4.1") != NULL &&
			  strstr(f->evidence, "as admin") != NULL,
		  "%s", f->evidence);
	cr_expect(f->secret != NULL && strcmp(f->secret, "<redacted>") == 0);
	f = lab_finding_for(&res, NET "3", "couchdb.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "CouchDB 2.3.1 lists 4 databases") &&
			  strstr(f->evidence, "admin party") &&
			  !strstr(f->evidence, "customers"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "5", "portainer.no_admin");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "Portainer 2.19.4") != NULL, "%s",
		  f->evidence);
	f = lab_finding_for(&res, NET "7", "influxdb.no_auth");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "v2.7.4") &&
			  strstr(f->evidence, "allowed: true"),
		  "%s", f->evidence);
	f = lab_finding_for(&res, NET "9", "minio.default_credentials");
	cr_assert_not_null(f);
	cr_expect(strstr(f->evidence, "2 buckets") &&
			  !strstr(f->evidence, "backups"),
		  "%s", f->evidence);
	cr_expect(f->secret != NULL && strcmp(f->secret, "<redacted>") == 0);

	/* hostile: a status within the timeout, never a finding */
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		lab_port_rules_for(&res, hostile[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: {%s}", hostile[i], ids);
		for (k = 0; k < 3; k++) {
			if (strcmp(hostile[i], NET "26") == 0 &&
			    hports[k] != 1433)
				continue; /* the TLS junk server: SQL Server only */
			st = lab_check_status(&res, h0 + i, (uint16_t)hports[k],
					      hports[k] == 3000 ? &check_grafana
					      : hports[k] == 9000
						      ? &check_minio
						      : &check_mssql,
					      &reason);
			cr_expect_eq(st, i == 0 ? STATUS_TIMEOUT : STATUS_ERROR,
				     "%s:%u %d (%s)", hostile[i], hports[k], st,
				     reason);
		}
	}
	cr_expect(secs < TIMEOUT_MS / 1000.0 * 3 + 3.0, "the scan took %.2f s",
		  secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/* FreeTDS's tsql (Debian's TDS client, GnuTLS) logs into the stand-in as
 * into SQL Server: the TLS-in-PRELOGIN wrapping and the login-only mode are
 * what a real client speaks, not only what our own code expects; 1 when
 * its prompt came (logged in), 0 when refused */
static int tsql_login(const char *addr)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "printf 'quit\\n' | TDSVER=7.4 timeout 15 tsql -H %s -p 1433 "
		 "-U sa -P '' 2>&1 | grep -q '^1> '",
		 addr);
	return system(cmd) == 0;
}

Test(classic_lab, freetds_agrees_with_the_stand_in, .timeout = 60)
{
	require_lab();
	cr_assert_eq(system("command -v tsql >/dev/null"), 0,
		     "tsql (Debian freetds-bin) is missing");
	cr_expect_eq(tsql_login(NET "20"), 1, "plain, sa empty");
	cr_expect_eq(tsql_login(NET "21"), 0, "plain, refused");
	cr_expect_eq(tsql_login(NET "23"), 1, "TLS throughout");
	cr_expect_eq(tsql_login(NET "24"), 1, "TLS for the login packet");
	cr_expect_eq(tsql_login(NET "25"), 0, "TLS throughout, refused");
}

/* --no-login: no credential reaches Grafana or MinIO; the checks that
 * need none still find their doors */
Test(classic_lab, no_login_sends_no_credential, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	struct logins b, a;
	char ids[256];
	double secs;

	require_lab();
	count_logins(&b);
	classic_config(&cfg);
	cfg.no_login = true;
	target_list_init(&l);
	lab_add_target(&l, NET "1");
	lab_add_target(&l, NET "3");
	lab_add_target(&l, NET "9");
	lab_add_target(&l, NET "20");
	lab_scan(&cfg, &l, &res, &secs, 200);
	count_logins(&a);
	cr_expect_eq(a.gf_open, b.gf_open);
	cr_expect_eq(a.mn_open, b.mn_open);
	cr_expect_eq(a.ms_open, b.ms_open);
	lab_rules_for(&res, NET "20", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, NET "1", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, NET "9", ids, sizeof(ids));
	cr_expect_str_eq(ids, "");
	lab_rules_for(&res, NET "3", ids, sizeof(ids));
	cr_expect_str_eq(ids, "couchdb.no_auth");
	scan_result_release(&res);
	target_list_release(&l);
}
