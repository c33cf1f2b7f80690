/*
 * Engine tests with a fake check module against loopback sockets made by
 * the test: deadlines, statuses, the worker pool, credentials, ranking.
 */
#include <stdio.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "context.h"
#include "engine/ctx_internal.h"
#include "engine/engine.h"
#include "rank/rank.h"
#include "expo.h"
#include "fault.h"
#include "fake_server.h"

/* ---- a fake module: connects, waits for "OK", reports fake.ok ---- */

struct fake_state {
	int fd;
	int stage;
};

static const struct rule fake_rules[] = {
	{ .id = "fake.ok",
	  .title = "server said OK",
	  .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	  .impact = IMPACT_EXEC,
	  .confidence = CONFIDENCE_CONFIRMED },
	{ .id = "fake.weak",
	  .title = "weak",
	  .cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
	  .impact = IMPACT_WEAKENED,
	  .confidence = CONFIDENCE_INFERRED },
};
static const uint16_t fake_ports[] = { 1 };
static const char *const fake_users[] = { "a", "b", NULL };
static const char *const fake_passwords[] = { "p1", NULL };

static int fake_module_start(struct check_ctx *ctx, void *state)
{
	struct fake_state *s = state;

	s->fd = -1;
	ctx_phase(ctx, "connect");
	return ctx_connect(ctx, &s->fd);
}

static int fake_step(struct check_ctx *ctx, void *state)
{
	struct fake_state *s = state;
	char buf[8];
	ssize_t n;

	if (s->stage == 0) {
		s->stage = 1;
		ctx_set_fd(ctx, s->fd);
		return PROBE_WANT_WRITE;
	}
	if (s->stage == 1) {
		s->stage = 2;
		ctx_phase(ctx, "greeting");
		return PROBE_WANT_READ;
	}
	n = read(s->fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		cJSON_AddStringToObject(ctx_facts(ctx), "said", buf);
	}
	return PROBE_DONE;
}

static void fake_cleanup(struct check_ctx *ctx, void *state)
{
	struct fake_state *s = state;

	(void)ctx;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int fake_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *said = cJSON_GetObjectItemCaseSensitive(facts, "said");

	if (cJSON_IsString(said) && strncmp(said->valuestring, "OK", 2) == 0)
		return ctx_report(ctx, "fake.ok", NULL, "server said %s", "OK");
	return 0;
}

static const struct check check_fake = {
	.name = "fake",
	.summary = "test module",
	.ports = fake_ports,
	.nports = 1,
	.flags = CHECK_LOGIN,
	.rules = fake_rules,
	.nrules = 2,
	.default_users = fake_users,
	.default_passwords = fake_passwords,
	.default_max_attempts = 2,
	.state_size = sizeof(struct fake_state),
	.start = fake_module_start,
	.step = fake_step,
	.cleanup = fake_cleanup,
	.assess = fake_assess,
};

/* ---- loopback servers made by the test ---- */

/* a listener that never accepts: the kernel completes the handshake, then
 * nothing is ever said (a silent server) */
static int listen_on(const char *addr, uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	cr_assert(s >= 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, addr, &sin.sin_addr);
	cr_assert(bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cr_assert(listen(s, 256) == 0);
	getsockname(s, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return s;
}

static void *ok_server(void *arg)
{
	int ls = *(int *)arg, c, i;

	for (i = 0; i < 8; i++) {
		c = accept(ls, NULL, NULL);
		if (c < 0)
			break;
		/* discovery's connection arrives first and is reset at once:
		 * a failed send is expected, serve the next one */
		send(c, "OK\n", 3, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void one_target(struct target_list *tl, const char *addr, uint16_t port,
		       const char *check)
{
	target_list_init(tl);
	fake_target_add(tl, addr, addr, port, check);
}

static const struct check *fake_list[] = { &check_fake };

static void fake_config(struct scan_config *cfg)
{
	scan_config_defaults(cfg);
	cfg->checks = fake_list;
	cfg->nchecks = 1;
	cfg->timeout_ms = 300;
	cfg->check_timeout_ms = 5000;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* discovery records come first, in pair order; then one per probe (the
 * fake check is not in the registry, so its record says CHECK_NONE too) */
static const struct port_record *check_record(const struct scan_result *r)
{
	cr_assert_eq(r->nrecords, 2);
	return &r->records[1];
}

Test(engine, silent_server_times_out_within_the_phase_timeout)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	const struct port_record *rec;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);
	double t0;

	one_target(&tl, "127.0.0.1", port, "fake");
	fake_config(&cfg);
	t0 = now_s();
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	cr_assert_lt(now_s() - t0, 0.3 + 0.4, "took %.2f s", now_s() - t0);
	cr_assert_eq(res.nrecords, 2);
	cr_assert_eq(res.records[0].status, STATUS_OPEN);
	rec = check_record(&res);
	cr_assert_eq(rec->status, STATUS_TIMEOUT);
	cr_assert_str_eq(res.reasons[rec->reason],
			 "greeting: no progress within 300 ms (--timeout)");
	cr_assert_eq(res.findings.n, 0);
	scan_result_release(&res);
	target_list_release(&tl);
	close(ls);
}

/* what each probe took sits beside its record (JUnit time=, JSON
 * duration_ms); a discovery record has none */
Test(engine, probe_duration_is_recorded_beside_its_record)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);

	one_target(&tl, "127.0.0.1", port, "fake");
	fake_config(&cfg);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	cr_assert_eq(res.nrecords, 2);
	cr_assert_not_null(res.durations_ms);
	cr_expect_eq(res.durations_ms[0], 0);
	/* the fake check waits out the 300 ms phase timeout */
	cr_expect(res.durations_ms[1] >= 290 && res.durations_ms[1] < 1000,
		  "probe took %u ms", res.durations_ms[1]);
	scan_result_release(&res);
	target_list_release(&tl);
	close(ls);
}

Test(engine, a_server_that_answers_gives_a_ranked_finding)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);
	pthread_t th;

	pthread_create(&th, NULL, ok_server, &ls);
	one_target(&tl, "127.0.0.1", port, "fake");
	fake_config(&cfg);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	cr_assert_eq(res.findings.n, 1);
	cr_assert_str_eq(res.findings.v[0].rule_id, "fake.ok");
	cr_assert_str_eq(res.findings.v[0].address, "127.0.0.1");
	cr_assert_eq(res.findings.v[0].port, port);
	cr_assert_eq(res.findings.v[0].severity, SEV_CRITICAL);
	cr_assert_float_eq(res.findings.v[0].cvss_score, 9.8, 1e-9);
	cr_assert_str_eq(res.findings.v[0].rank_reason,
			 "confirmed code execution, on a private address, "
			 "CVSS 9.8");
	cr_assert_eq(check_record(&res)->status, STATUS_OPEN);
	scan_result_release(&res);
	target_list_release(&tl);
	shutdown(ls, SHUT_RDWR);
	close(ls);
	pthread_join(th, NULL);
}

/* n targets t0.. on 127.0.0.1, each with port for check */
static void n_targets(struct target_list *tl, int n, uint16_t port,
		      const char *check)
{
	int i;

	target_list_init(tl);
	for (i = 0; i < n; i++) {
		char id[16];

		snprintf(id, sizeof(id), "t%d", i);
		fake_target_add(tl, id, "127.0.0.1", port, check);
	}
}

/* serves "OK" to every connection until the listener is shut down */
static void *ok_server_many(void *arg)
{
	int ls = *(int *)arg, c;

	while ((c = accept(ls, NULL, NULL)) >= 0) {
		send(c, "OK\n", 3, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void scan_many(struct scan_result *res, int ntargets, size_t spill_after,
		      uint16_t port)
{
	struct target_list tl;
	struct scan_config cfg;
	char *err = NULL;

	n_targets(&tl, ntargets, port, "fake");
	fake_config(&cfg);
	cfg.workers = 2;
	cfg.spill_after = spill_after;
	cr_assert_eq(scan_run(&cfg, &tl, res, &err), 0);
	target_list_release(&tl);
}

/* past spill_after the findings and the port records move to a
 * file-backed spill; they read exactly as the ones a scan keeps in
 * memory, ranked the same */
Test(engine, spilled_findings_equal_the_ones_in_memory)
{
	struct scan_result mem, sp;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);
	pthread_t th;
	size_t i;

	pthread_create(&th, NULL, ok_server_many, &ls);
	scan_many(&mem, 24, SIZE_MAX, port);
	scan_many(&sp, 24, 5, port);
	shutdown(ls, SHUT_RDWR);
	close(ls);
	pthread_join(th, NULL);
	cr_assert_null(mem.findings.spill);
	cr_assert_not_null(sp.findings.spill);
	cr_assert_eq(mem.findings.n, 24);
	cr_assert_eq(sp.findings.n, 24);
	for (i = 0; i < 24; i++) {
		const struct finding *a = &mem.findings.v[i],
				     *b = &sp.findings.v[i];

		cr_assert_str_eq(a->target_id, b->target_id);
		cr_assert_str_eq(a->target_name, b->target_name);
		cr_assert_str_eq(a->address, b->address);
		cr_assert_str_eq(a->evidence, b->evidence);
		cr_assert_str_eq(a->fingerprint, b->fingerprint);
		cr_assert_str_eq(a->rank_reason, b->rank_reason);
		cr_assert(b->shares & FINDING_SPILLS_TEXT);
	}
	/* the port records spill too (24 pairs past 5): the same discovery
	 * records in pair order, then one check record per target in the
	 * order the probes ended (the fake check is in no registry: its
	 * records say CHECK_NONE too) */
	cr_assert_null(mem.records_spill);
	cr_assert_not_null(sp.records_spill);
	cr_assert_eq(mem.nrecords, 48);
	cr_assert_eq(sp.nrecords, 48);
	cr_assert_not_null(sp.durations_ms);
	for (i = 0; i < sp.nrecords; i++) {
		const struct port_record *a = &mem.records[i],
					 *b = &sp.records[i];

		cr_assert_eq(b->status, STATUS_OPEN);
		cr_assert_eq(b->port, port);
		if (i >= 24)
			continue;
		cr_assert_eq(a->target, b->target);
		cr_assert_eq(b->target, i);
		cr_assert_eq(sp.durations_ms[i], 0);
	}
	scan_result_release(&mem);
	scan_result_release(&sp);
}

Test(engine, closed_port_runs_no_check)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);

	close(ls); /* nothing listens there now: refused */
	one_target(&tl, "127.0.0.1", port, "fake");
	fake_config(&cfg);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	cr_assert_eq(res.nrecords, 1);
	cr_assert_eq(res.records[0].status, STATUS_CLOSED);
	cr_assert_eq(res.findings.n, 0);
	scan_result_release(&res);
	target_list_release(&tl);
}

Test(engine, many_silent_probes_all_end_in_one_timeout)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);
	size_t timeouts = 0, k;
	double t0;

	/* 127.0.0.1 only: the listener is bound there; 40 targets with
	 * distinct ids and the same address */
	n_targets(&tl, 40, port, "fake");
	fake_config(&cfg);
	cfg.workers = 2;
	t0 = now_s();
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	/* in parallel, not one after another: 40 x 0.3 s would be 12 s */
	cr_assert_lt(now_s() - t0, 1.5, "took %.2f s", now_s() - t0);
	for (k = 0; k < res.nrecords; k++)
		if (res.records[k].status == STATUS_TIMEOUT)
			timeouts++;
	cr_assert_eq(timeouts, 40);
	scan_result_release(&res);
	target_list_release(&tl);
	close(ls);
}

/* an inventory port no enabled check claims (8080 in any nmap scan) is
 * probed by discovery and listed as not checked; the scan does not fail */
Test(engine, unclaimed_listed_port_is_not_checked)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);

	one_target(&tl, "127.0.0.1", port, "");
	tl.v[0].source = "inv.txt";
	fake_config(&cfg);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0, "%s", err);
	cr_assert_null(err);
	cr_assert_eq(res.nrecords, 1); /* discovery only: no probe ran */
	cr_assert_eq(res.records[0].status, STATUS_OPEN);
	cr_assert_eq(res.records[0].check, CHECK_NONE);
	cr_assert_neq(res.records[0].reason, 0);
	cr_assert_str_eq(res.reasons[res.records[0].reason],
			 "not checked: no enabled check claims this port");
	cr_assert_eq(res.findings.n, 0);
	scan_result_release(&res);
	target_list_release(&tl);
	close(ls);
}

/* nmap's service name routes the port: ssh on 2222 goes to ssh, not to
 * the check whose default port 2222 might be */
static const char *const svc_fake[] = { "fakesvc", NULL };

static void plan_cb(void *ud, uint16_t port, uint64_t claims)
{
	uint64_t *out = ud;

	(void)port;
	*out = claims;
}

Test(engine, service_name_picks_the_check)
{
	struct check other = check_fake, named = check_fake;
	const struct check *list[2] = { &other, &named };
	struct target_list tl;
	struct scan_config cfg;
	uint64_t claims = 99;
	char *err = NULL;

	other.name = "other"; /* claims port 1 by default */
	named.name = "named";
	named.ports = NULL;
	named.nports = 0;
	named.services = svc_fake;
	one_target(&tl, "127.0.0.1", 1, "");
	fake_config(&cfg);
	cfg.checks = list;
	cfg.nchecks = 2;
	snprintf(tl.v[0].ports[0].service, sizeof(tl.v[0].ports[0].service),
		 "fakesvc");
	cr_assert_eq(scan_target_ports(&cfg, &tl.v[0], plan_cb, &claims, &err),
		     0);
	cr_assert_eq(claims, 2u); /* named only */
	/* a service no enabled check lists: by default port */
	snprintf(tl.v[0].ports[0].service, sizeof(tl.v[0].ports[0].service),
		 "http");
	cr_assert_eq(scan_target_ports(&cfg, &tl.v[0], plan_cb, &claims, &err),
		     0);
	cr_assert_eq(claims, 1u);
	/* neither: planned with no claim (not checked), no error */
	tl.v[0].ports[0].port = 8080;
	cr_assert_eq(scan_target_ports(&cfg, &tl.v[0], plan_cb, &claims, &err),
		     0);
	cr_assert_eq(claims, 0u);
	target_list_release(&tl);
}

/* --ports is typed by the user: an unclaimed port there is still an error */
Test(engine, unclaimed_ports_flag_is_a_clear_error)
{
	struct port_override o = { .check = "", .port = 2222 };
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;

	one_target(&tl, "127.0.0.1", 1, "fake");
	fake_config(&cfg);
	cfg.extra_ports = &o;
	cfg.nextra_ports = 1;
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), EXPO_EINVAL);
	cr_assert_str_eq(err,
			 "--ports: port 2222 is not a default port of any "
			 "enabled check; name one (e.g. ssh=2222) or enable "
			 "it with --checks");
	free(err);
	cfg.extra_ports = NULL;
	cfg.nextra_ports = 0;
	target_list_release(&tl);
}

Test(engine, all_targets_skipped_is_nothing_to_scan)
{
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;

	one_target(&tl, "127.0.0.1", 1, "fake");
	tl.v[0].skip_reason = strdup("aws state stopped: not scanned");
	fake_config(&cfg);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), EXPO_ENOTFOUND);
	scan_result_release(&res);
	target_list_release(&tl);
}

/* ---- credentials: the one place that counts them ---- */

static struct check_ctx *cred_ctx(struct scan_config *cfg,
				  struct target_list *tl)
{
	one_target(tl, "127.0.0.1", 1, "fake");
	return ctx_new(&check_fake, cfg, &tl->v[0], &tl->v[0].addrs[0], 1,
		       NULL);
}

Test(engine_creds, sequence_is_file_pairs_then_spray_with_a_cap)
{
	struct credential_pair file[] = { { "x", "y" }, { "a", "zz" } };
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	const char *u, *p;
	char got[256] = "";

	fake_config(&cfg);
	cfg.creds = file;
	cfg.ncreds = 2;
	ctx = cred_ctx(&cfg, &tl);
	while (ctx_next_cred(ctx, &u, &p) == 1) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s:%s ", u, p);
	}
	/* cap 2 per account: "a" had one from the file */
	cr_assert_str_eq(got, "x:y a:zz a: b: b:b ");
	ctx_free(ctx);
	target_list_release(&tl);
}

Test(engine_creds, found_user_is_not_tried_again)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	const char *u, *p;
	char got[256] = "";

	fake_config(&cfg);
	cfg.max_attempts = 10;
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_next_cred(ctx, &u, &p), 1);
	cr_assert_str_eq(u, "a");
	ctx_cred_result(ctx, u, CRED_ACCEPTED);
	while (ctx_next_cred(ctx, &u, &p) == 1) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s:%s ", u, p);
	}
	cr_assert_str_eq(got, "b: b:b b:p1 ");
	ctx_free(ctx);
	target_list_release(&tl);
}

Test(engine_creds, missing_account_is_not_tried_again)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	const char *u, *p;
	char got[256] = "";

	fake_config(&cfg);
	cfg.max_attempts = 10;
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_next_cred(ctx, &u, &p), 1);
	cr_assert_str_eq(u, "a");
	ctx_cred_result(ctx, u, CRED_NO_ACCOUNT);
	while (ctx_next_cred(ctx, &u, &p) == 1) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s:%s ", u, p);
	}
	/* "b" keeps its attempts; the host is not stopped */
	cr_assert_str_eq(got, "b: b:b b:p1 ");
	ctx_free(ctx);
	target_list_release(&tl);
}

/* a listed password equal to the user name was tried already as
 * password = user: not again (it would spend one of the capped attempts,
 * e.g. Tomcat's tomcat/tomcat before tomcat/s3cret) */
Test(engine_creds, listed_password_equal_to_user_is_not_tried_twice)
{
	static const char *const pws[] = { "b", "p1", NULL };
	struct check c = check_fake;
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	const char *u, *p;
	char got[256] = "";

	c.default_passwords = pws;
	fake_config(&cfg);
	cfg.max_attempts = 10;
	one_target(&tl, "127.0.0.1", 1, "fake");
	ctx = ctx_new(&c, &cfg, &tl.v[0], &tl.v[0].addrs[0], 1, NULL);
	while (ctx_next_cred(ctx, &u, &p) == 1) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s:%s ", u, p);
	}
	cr_assert_str_eq(got, "a: b: a:a b:b a:b a:p1 b:p1 ");
	ctx_free(ctx);
	target_list_release(&tl);
}

Test(engine_creds, lockout_stops_the_host_and_no_login_tries_nothing)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	const char *u, *p;

	fake_config(&cfg);
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_next_cred(ctx, &u, &p), 1);
	ctx_cred_result(ctx, u, CRED_LOCKED);
	cr_assert_eq(ctx_next_cred(ctx, &u, &p), 0);
	cr_assert_eq(ctx_canary(ctx, &u, &p), 0);
	ctx_free(ctx);
	target_list_release(&tl);

	fake_config(&cfg);
	cfg.no_login = true;
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_login_allowed(ctx), false);
	cr_assert_eq(ctx_next_cred(ctx, &u, &p), 0);
	cr_assert_eq(ctx_canary(ctx, &u, &p), 0);
	ctx_free(ctx);
	target_list_release(&tl);
}

/* VNC and SNMP have a password and no user: the guard counts them against
 * the empty user of host and port; taking one must not read as the host's
 * stop mark (which is keyed on the empty user name too) */
Test(engine_creds, empty_user_counts_per_port_and_never_stops_the_host)
{
	static const char *const users[] = { "", "", "", NULL };
	static const char *const pws[] = { "p1", "p2", "p3", NULL };
	struct check pwonly = check_fake;
	struct cred_guard *g = cred_guard_new();
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *a, *b, *c;
	const char *u, *p;

	cr_assert_not_null(g);
	pwonly.flags = CHECK_LOGIN | CHECK_CREDS_PAIRED;
	pwonly.default_users = users;
	pwonly.default_passwords = pws;
	fake_config(&cfg);
	one_target(&tl, "127.0.0.1", 1, "fake");
	a = ctx_new(&pwonly, &cfg, &tl.v[0], &tl.v[0].addrs[0], 5900, g);
	b = ctx_new(&pwonly, &cfg, &tl.v[0], &tl.v[0].addrs[0], 5901, g);
	c = ctx_new(&check_fake, &cfg, &tl.v[0], &tl.v[0].addrs[0], 22, g);
	cr_assert(a && b && c);
	/* the cap (2, the fake's default) per port */
	cr_assert_eq(ctx_next_cred(a, &u, &p), 1);
	cr_assert_str_eq(u, "");
	cr_assert_str_eq(p, "p1");
	cr_assert_eq(ctx_next_cred(a, &u, &p), 1);
	cr_assert_str_eq(p, "p2");
	cr_assert_eq(ctx_next_cred(a, &u, &p), 0);
	cr_assert_eq(ctx_next_cred(b, &u, &p), 1);
	cr_assert_str_eq(p, "p1");
	/* the host is not stopped: other accounts still get attempts */
	cr_assert_eq(ctx_next_cred(c, &u, &p), 1);
	cr_assert_str_eq(u, "a");
	/* a lockout on one port stops the host, every port */
	ctx_cred_result(b, "", CRED_LOCKED);
	cr_assert_eq(ctx_next_cred(b, &u, &p), 0);
	cr_assert_eq(ctx_next_cred(c, &u, &p), 0);
	ctx_free(a);
	ctx_free(b);
	ctx_free(c);
	cred_guard_free(g);
	target_list_release(&tl);
}

Test(engine_creds, canary_is_random_and_not_a_listed_user)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *a, *b;
	const char *u1, *p1, *u2, *p2;

	fake_config(&cfg);
	a = cred_ctx(&cfg, &tl);
	b = ctx_new(&check_fake, &cfg, &tl.v[0], &tl.v[0].addrs[0], 1, NULL);
	cr_assert_eq(ctx_canary(a, &u1, &p1), 1);
	cr_assert_eq(ctx_canary(b, &u2, &p2), 1);
	cr_assert_str_neq(u1, u2);
	cr_assert_str_neq(p1, p2);
	cr_assert_geq(strlen(u1), 10);
	cr_assert_geq(strlen(p1), 16);
	ctx_free(a);
	ctx_free(b);
	target_list_release(&tl);
}

/* ---- reporting through the ctx ---- */

Test(engine_report, undeclared_rule_is_refused_and_secrets_redacted)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	struct finding_list *f;
	char fp[33];

	fake_config(&cfg);
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_report(ctx, "fake.nope", NULL, "x"), EXPO_ERULE);
	cr_assert_eq(ctx_report(ctx, "fake.ok", "hunter2", "login %s", "a"), 0);
	cr_assert_eq(ctx_report(ctx, "fake.ok", "", "login %s", "b"), 0);
	f = ctx_findings(ctx);
	cr_assert_eq(f->n, 2);
	cr_assert_str_eq(f->v[0].secret, "<redacted>");
	cr_assert_str_eq(f->v[0].evidence, "login a");
	cr_assert_str_eq(f->v[1].secret, "(empty)");
	finding_fingerprint(fp, "fake.ok", "127.0.0.1", 1);
	cr_assert_str_eq(f->v[0].fingerprint, fp);
	cr_assert_eq(strlen(fp), 32);
	ctx_free(ctx);
	target_list_release(&tl);

	fake_config(&cfg);
	cfg.show_secrets = true;
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_report(ctx, "fake.ok", "hunter2", "login"), 0);
	cr_assert_str_eq(ctx_findings(ctx)->v[0].secret, "hunter2");
	ctx_free(ctx);
	target_list_release(&tl);
}

/* a fleet's findings stay small: the rule's text is the check's own, the
 * target's strings one allocation, the evidence exactly its length; a copy
 * owns all of it, and a list moved into an empty one is not copied */
Test(engine_report, findings_borrow_rule_text_and_copies_own_theirs)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	struct finding_list *f, moved;
	struct finding copy;
	const struct finding *first;

	fake_config(&cfg);
	ctx = cred_ctx(&cfg, &tl);
	cr_assert_eq(ctx_report(ctx, "fake.ok", "pw", "login %s", "a"), 0);
	f = ctx_findings(ctx);
	cr_assert_eq(f->v[0].title, check_fake.rules[0].title);
	cr_assert_eq(f->v[0].check, check_fake.name);
	cr_assert_eq(f->v[0].shares,
		     FINDING_SHARES_RULE | FINDING_PACKS_TARGET);
	cr_assert_str_eq(f->v[0].target_id, "127.0.0.1");
	cr_assert_str_eq(f->v[0].address, "127.0.0.1");
	cr_assert_eq(f->v[0].target_name,
		     f->v[0].target_id + strlen(f->v[0].target_id) + 1);
	/* a copy shares the static rule text and owns the rest */
	cr_assert_eq(finding_copy(&copy, &f->v[0]), 0);
	cr_assert_eq(copy.shares, FINDING_SHARES_RULE);
	cr_assert_eq(copy.title, check_fake.rules[0].title);
	cr_assert_eq(copy.check, check_fake.name);
	cr_assert_neq(copy.target_id, f->v[0].target_id);
	cr_assert_neq(copy.address, f->v[0].address);
	cr_assert_str_eq(copy.address, "127.0.0.1");
	cr_assert_str_eq(copy.target_name, "127.0.0.1");
	finding_release(&copy);
	/* a configured finding's own strings too (a baseline's fixed list
	 * once shared them with the baseline: freed twice) */
	{
		struct finding conf = { .rule_id = strdup("x.y"),
					.resource = strdup("aws_instance.a"),
					.related = strdup("ssh.z (ab)") };

		cr_assert_eq(finding_copy(&copy, &conf), 0);
		cr_assert_neq(copy.resource, conf.resource);
		cr_assert_str_eq(copy.resource, "aws_instance.a");
		cr_assert_str_eq(copy.related, "ssh.z (ab)");
		finding_release(&conf);
		finding_release(&copy);
	}
	finding_list_init(&moved);
	first = f->v;
	cr_assert_eq(finding_list_take(&moved, f), 0);
	cr_assert_eq(moved.v, first);
	cr_assert_eq(f->n, 0);
	finding_list_release(&moved);
	ctx_free(ctx);
	target_list_release(&tl);
}

/* no memory for one field: no finding at all, not a half-filled one. A
 * finding allocates three times: the packed target strings, the evidence,
 * the secret (the rule's text is borrowed) */
Test(engine_report, allocation_failure_leaves_no_half_filled_finding)
{
	struct scan_config cfg;
	struct target_list tl;
	struct check_ctx *ctx;
	struct finding_list *f;
	unsigned nth;

	for (nth = 1; nth <= 3; nth++) {
		fake_config(&cfg);
		ctx = cred_ctx(&cfg, &tl);
		fault_arm("ctx_report", nth);
		cr_assert_eq(ctx_report(ctx, "fake.ok", "pw", "login a"),
			     EXPO_ENOMEM, "field %u", nth);
		cr_assert_eq(ctx_findings(ctx)->n, 0, "field %u", nth);
		/* the next one, with memory, is whole */
		cr_assert_eq(ctx_report(ctx, "fake.ok", "pw", "login b"), 0);
		f = ctx_findings(ctx);
		cr_assert_eq(f->n, 1);
		cr_assert(f->v[0].rule_id && f->v[0].check && f->v[0].title &&
			  f->v[0].service && f->v[0].target_id &&
			  f->v[0].target_name && f->v[0].address &&
			  f->v[0].cvss_vector && f->v[0].evidence &&
			  f->v[0].secret);
		cr_assert_str_eq(f->v[0].evidence, "login b");
		ctx_free(ctx);
		target_list_release(&tl);
	}
}

/* ---- ranking ---- */

static void add_finding(struct finding_list *l, const char *rule,
			const char *target, enum confidence c, enum impact i,
			bool pub, enum exposure e, double score)
{
	struct finding *f = finding_list_add(l);

	f->rule_id = strdup(rule);
	f->target_id = strdup(target);
	f->confidence = c;
	f->impact = i;
	f->is_public = pub;
	f->exposure = e;
	f->cvss_score = score;
	f->port = 22;
}

Test(rank, order_follows_the_design_and_is_deterministic)
{
	struct finding_list l;
	const char *want[] = { "confirmed-exec-world",	"confirmed-exec-pub",
			       "confirmed-exec-priv-a", "confirmed-exec-priv-b",
			       "confirmed-data",	"inferred-high",
			       "inferred-low" };
	size_t i;

	finding_list_init(&l);
	add_finding(&l, "inferred-low", "t1", CONFIDENCE_INFERRED,
		    IMPACT_WEAKENED, true, EXPOSURE_WORLD, 3.1);
	add_finding(&l, "confirmed-data", "t1", CONFIDENCE_CONFIRMED,
		    IMPACT_DATA, true, EXPOSURE_WORLD, 9.9);
	add_finding(&l, "confirmed-exec-priv-b", "t9", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, false, EXPOSURE_WORLD, 9.8);
	add_finding(&l, "confirmed-exec-pub", "t1", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, true, EXPOSURE_UNKNOWN, 5.0);
	add_finding(&l, "inferred-high", "t1", CONFIDENCE_INFERRED,
		    IMPACT_WEAKENED, true, EXPOSURE_WORLD, 7.5);
	add_finding(&l, "confirmed-exec-priv-a", "t2", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, false, EXPOSURE_UNKNOWN, 9.8);
	add_finding(&l, "confirmed-exec-world", "t1", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, true, EXPOSURE_WORLD, 5.0);
	rank_findings(&l);
	for (i = 0; i < l.n; i++)
		cr_assert_str_eq(l.v[i].rule_id, want[i], "rank %zu", i + 1);
	cr_assert_str_eq(l.v[0].rank_reason,
			 "confirmed code execution, on a "
			 "public address that the firewall opens to the "
			 "internet, CVSS 5.0");
	finding_list_release(&l);
}

/* tier 0: a compromise indicator on a private address with a lower score
 * ranks above a confirmed code execution open to the world with a GPU */
Test(rank, compromise_indicator_ranks_above_everything)
{
	struct finding_list l;

	finding_list_init(&l);
	add_finding(&l, "docker.api_no_auth", "t1", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, true, EXPOSURE_WORLD, 10.0);
	l.v[0].gpu = strdup("NVIDIA A100");
	add_finding(&l, "redis.compromise_indicator", "t9", CONFIDENCE_INFERRED,
		    IMPACT_INFO, false, EXPOSURE_UNKNOWN, 9.0);
	add_finding(&l, "ssh.password_auth", "t0", CONFIDENCE_CONFIRMED,
		    IMPACT_EXEC, true, EXPOSURE_WORLD, 10.0);
	add_finding(&l, "docker.compromise_indicator", "t8",
		    CONFIDENCE_CONFIRMED, IMPACT_EXEC, false, EXPOSURE_UNKNOWN,
		    10.0);
	/* a rule id that only contains the words is not tier 0 */
	add_finding(&l, "x.compromise_indicator_not", "t0",
		    CONFIDENCE_CONFIRMED, IMPACT_EXEC, true, EXPOSURE_WORLD,
		    10.0);
	rank_findings(&l);
	cr_assert_str_eq(l.v[0].rule_id, "docker.compromise_indicator");
	cr_assert_str_eq(l.v[1].rule_id, "redis.compromise_indicator");
	cr_assert_str_eq(l.v[2].rule_id, "docker.api_no_auth");
	cr_assert(strstr(l.v[0].rank_reason, "already there") != NULL);
	cr_assert(strstr(l.v[2].rank_reason, "already there") == NULL);
	finding_list_release(&l);
}

/* ---- the timer and the blocking lane ---- */

static int timer_step(struct check_ctx *ctx, void *state)
{
	int *n = state;

	if ((*n)++ < 2) {
		ctx_wake_after(ctx, 60);
		return PROBE_WANT_TIMER;
	}
	cJSON_AddStringToObject(ctx_facts(ctx), "said", "OK");
	return PROBE_DONE;
}

static int blocking_run(struct check_ctx *ctx, void *state)
{
	struct timespec ts = { 0, 150 * 1000 * 1000 };

	(void)state;
	nanosleep(&ts, NULL);
	cJSON_AddStringToObject(ctx_facts(ctx), "said", "OK");
	return 0;
}

static int nothing_start(struct check_ctx *ctx, void *state)
{
	(void)ctx;
	(void)state;
	return 0;
}

static void nothing_cleanup(struct check_ctx *ctx, void *state)
{
	(void)ctx;
	(void)state;
}

static double scan_fake(const struct check *c, int ntargets,
			unsigned check_timeout, struct scan_result *res)
{
	const struct check *list[] = { c };
	struct target_list tl;
	struct scan_config cfg;
	char *err = NULL;
	uint16_t port;
	int ls = listen_on("127.0.0.1", &port);
	double t0;

	n_targets(&tl, ntargets, port, c->name);
	scan_config_defaults(&cfg);
	cfg.checks = list;
	cfg.nchecks = 1;
	cfg.timeout_ms = 1000;
	cfg.check_timeout_ms = check_timeout;
	t0 = now_s();
	cr_assert_eq(scan_run(&cfg, &tl, res, &err), 0);
	t0 = now_s() - t0;
	target_list_release(&tl);
	close(ls);
	return t0;
}

Test(engine_lane, timer_only_waits_call_step_again)
{
	struct check c = check_fake;
	struct scan_result res;
	double took;

	c.name = "timer";
	c.state_size = sizeof(int);
	c.start = nothing_start;
	c.step = timer_step;
	c.cleanup = nothing_cleanup;
	took = scan_fake(&c, 1, 5000, &res);
	cr_assert_geq(took, 0.12, "took %.3f s", took);
	cr_assert_lt(took, 1.0, "took %.3f s", took);
	cr_assert_eq(res.findings.n, 1);
	scan_result_release(&res);
}

Test(engine_lane, blocking_run_is_capped_per_check)
{
	struct check c = check_fake;
	struct scan_result res;
	double took;

	c.name = "blocking";
	c.start = nothing_start;
	c.step = NULL;
	c.run = blocking_run;
	c.cleanup = nothing_cleanup;
	c.max_parallel = 1;
	took = scan_fake(&c, 4, 5000, &res);
	/* one at a time: 4 x 150 ms */
	cr_assert_geq(took, 0.6, "took %.3f s", took);
	cr_assert_eq(res.findings.n, 4);
	scan_result_release(&res);

	c.max_parallel = 0; /* the whole lane: 4 threads */
	took = scan_fake(&c, 4, 5000, &res);
	cr_assert_lt(took, 0.45, "took %.3f s", took);
	cr_assert_eq(res.findings.n, 4);
	scan_result_release(&res);
}

Test(engine_lane, blocking_run_past_the_deadline_is_a_timeout)
{
	struct check c = check_fake;
	struct scan_result res;
	size_t i, timeouts = 0;

	c.name = "slow";
	c.start = nothing_start;
	c.step = NULL;
	c.run = blocking_run;
	c.cleanup = nothing_cleanup;
	scan_fake(&c, 2, 50, &res);
	for (i = 0; i < res.nrecords; i++)
		if (res.records[i].status == STATUS_TIMEOUT) {
			timeouts++;
			cr_assert_str_eq(
				res.reasons[res.records[i].reason],
				"session: the library returned after "
				"the 50 ms deadline (--check-timeout)");
		}
	cr_assert_eq(timeouts, 2);
	scan_result_release(&res);
}

/* no memory for a probe's ctx: the port still gets a status, and lane
 * threads waiting for work are told that every job is done */
Test(engine_lane, probe_that_cannot_begin_has_an_error_status, .timeout = 20)
{
	struct check c = check_fake;
	struct scan_result res;
	size_t i, errors = 0;

	c.name = "blocking";
	c.start = nothing_start;
	c.step = NULL;
	c.run = blocking_run;
	c.cleanup = nothing_cleanup;
	fault_arm("probe_begin", 1);
	scan_fake(&c, 1, 5000, &res);
	cr_assert_eq(res.findings.n, 0);
	for (i = 0; i < res.nrecords; i++)
		if (res.records[i].status == STATUS_ERROR) {
			errors++;
			cr_assert_str_eq(res.reasons[res.records[i].reason],
					 "out of memory");
		}
	cr_assert_eq(errors, 1);
	scan_result_release(&res);
}

/* ---- the order probes start in ---- */

static char start_order[64];
static atomic_size_t start_count;

/* notes the first letter of its check's name: "login" or "quick" */
static int note_start(struct check_ctx *ctx, void *state)
{
	size_t i = atomic_fetch_add(&start_count, 1);

	(void)state;
	if (i < sizeof(start_order) - 1)
		start_order[i] = ctx->check->name[0];
	return 0;
}

static int done_step(struct check_ctx *ctx, void *state)
{
	(void)ctx;
	(void)state;
	return PROBE_DONE;
}

/* targets t0..t(n-1) on 127.0.0.1, each with port pq for "quick", pl for
 * "login" and pb for "blocking", in that order */
static void three_port_targets(struct target_list *tl, int n, uint16_t pq,
			       uint16_t pl, uint16_t pb)
{
	int i;

	n_targets(tl, n, pq, "quick");
	for (i = 0; i < n; i++) {
		struct target *t = &tl->v[i];
		struct port_override *p = realloc(t->ports, 3 * sizeof(*p));

		cr_assert_not_null(p);
		t->ports = p;
		memset(&p[1], 0, 2 * sizeof(p[1]));
		p[1].port = pl;
		snprintf(p[1].check, sizeof(p[1].check), "login");
		p[2].port = pb;
		snprintf(p[2].check, sizeof(p[2].check), "blocking");
		t->nports = 3;
	}
}

static int done_run(struct check_ctx *ctx, void *state)
{
	(void)ctx;
	(void)state;
	return 0;
}

static void scan_order(bool no_login, char *order)
{
	struct check login = check_fake, quick = check_fake,
		     blocking = check_fake;
	const struct check *list[] = { &quick, &login, &blocking };
	struct target_list tl;
	struct scan_config cfg;
	struct scan_result res;
	char *err = NULL;
	uint16_t pq, pl, pb;
	int lq = listen_on("127.0.0.1", &pq), ll = listen_on("127.0.0.1", &pl),
	    lb = listen_on("127.0.0.1", &pb);

	login.name = "login";
	quick.name = "quick";
	quick.flags = 0;
	/* a login check of the blocking lane (SMB, RDP) */
	blocking.name = "blocking";
	blocking.step = NULL;
	blocking.run = done_run;
	login.start = quick.start = blocking.start = note_start;
	login.step = quick.step = done_step;
	login.cleanup = quick.cleanup = blocking.cleanup = nothing_cleanup;
	three_port_targets(&tl, 6, pq, pl, pb);
	scan_config_defaults(&cfg);
	cfg.checks = list;
	cfg.nchecks = 3;
	cfg.workers = 1; /* one loop takes the jobs in their order */
	cfg.timeout_ms = 1000;
	cfg.no_login = no_login;
	memset(start_order, 0, sizeof(start_order));
	atomic_store(&start_count, 0);
	cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0);
	cr_assert_eq(atomic_load(&start_count), 18);
	memcpy(order, start_order, 19);
	scan_result_release(&res);
	target_list_release(&tl);
	close(lq);
	close(ll);
	close(lb);
}

/* checks that may log in are the long probes: they start before the
 * quick ones, whatever the port order, but the blocking lane's keep their
 * place; without logins, target order */
Test(engine, probes_that_may_log_in_start_first)
{
	char order[19];

	scan_order(false, order);
	cr_assert_str_eq(order, "llllllqbqbqbqbqbqb");
	scan_order(true, order);
	cr_assert_str_eq(order, "qlbqlbqlbqlbqlbqlb");
}
