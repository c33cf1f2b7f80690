/*
 * test_httpc.c - the Docker Registry, RabbitMQ, Tomcat and InfluxDB 1.x
 * checks on facts built from answers recorded on Debian's real servers
 * (tests/fixtures/httpc/README): each open server and its twin, near
 * misses; the AMQP 0-9-1 handshake parsers and the Start-Ok builder; HTTP
 * Basic signing; the credential lists and caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "expo.h"
#include "context.h"
#include "http/http.h"
#include "raw/amqp_wire.h"
#include "engine/engine.h"
#include "http_fixture.h"

extern const struct check check_docker_registry, check_rabbitmq, check_tomcat,
	check_influxdb;

#define FIX "tests/fixtures/httpc/"

static cJSON *resp_of(cJSON *facts, const char *name)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "responses"),
				   name);
}

/* ---- docker_registry ---- */

Test(httpc_assess, docker_registry)
{
	VARS;

	f = new_facts();
	add_file(f, "base", FIX "registry-catalog-200.http"); /* any 200 */
	add_file(f, "catalog", FIX "registry-catalog-200.http");
	JUDGE(&check_docker_registry, f);
	cr_expect_str_eq(ids, "docker_registry.no_auth");
	cr_expect(strstr(ev, "registry/2.0") && strstr(ev, "2 repositories"),
		  "%s", ev);
	cr_expect(strstr(ev, "lab/busybox") == NULL, "names leaked: %s", ev);
	cJSON_Delete(f);

	/* the htpasswd twin: 401 */
	f = new_facts();
	add_file(f, "base", FIX "registry-catalog-401.http");
	add_file(f, "catalog", FIX "registry-catalog-401.http");
	JUDGE(&check_docker_registry, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* a repositories list without the registry's header: not proof */
	f = new_facts();
	cJSON_DeleteItemFromObject(
		add_file(f, "catalog", FIX "registry-catalog-200.http"),
		"headers");
	JUDGE(&check_docker_registry, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* ---- tomcat ---- */

static const char *const tc_marks[] = { "Tomcat Web Application Manager",
					NULL };

static cJSON *tomcat_facts(const char *login_file, const char *user,
			   const char *pw)
{
	cJSON *f = new_facts();

	add_file(f, "probe", FIX "tomcat-manager-401.http");
	if (login_file != NULL) {
		add_login(f, "login", login_file, 0, user, pw);
		add_marks(resp_of(f, "login"), login_file, tc_marks);
	}
	return f;
}

Test(httpc_assess, tomcat)
{
	VARS;

	f = tomcat_facts(FIX "tomcat-manager-200.http", "tomcat", "tomcat");
	JUDGE(&check_tomcat, f);
	cr_expect_str_eq(ids, "tomcat.default_credentials");
	cr_expect(strstr(ev, "as tomcat with the user name as password"), "%s",
		  ev);
	cr_expect_str_eq(sec, "<redacted>");
	cJSON_Delete(f);

	/* refused: 401 again */
	f = tomcat_facts(FIX "tomcat-manager-401.http", "tomcat", "s3cret");
	JUDGE(&check_tomcat, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* a 200 without the manager's page (a catch-all front): no */
	f = tomcat_facts(FIX "rabbitmq-whoami-200.http", "tomcat", "tomcat");
	JUDGE(&check_tomcat, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* the manager's page, but the first answer was not its realm */
	f = tomcat_facts(FIX "tomcat-manager-200.http", "tomcat", "tomcat");
	cJSON_DeleteItemFromObject(resp_of(f, "probe"), "www_authenticate");
	cJSON_AddStringToObject(resp_of(f, "probe"), "www_authenticate",
				"Basic realm=\"RabbitMQ Management\"");
	JUDGE(&check_tomcat, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpc_verdict, tomcat_403_settles_the_user)
{
	cJSON *f = tomcat_facts(FIX "tomcat-manager-401.http", "both", "x");
	cJSON *st = cJSON_GetObjectItem(resp_of(f, "login"), "status");
	char ids[256], ev[1024], sec[256];

	cJSON_SetNumberValue(st, 403);
	/* through assess: no finding for a user without the role */
	JUDGE(&check_tomcat, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* ---- rabbitmq (management API and AMQP) ---- */

Test(httpc_assess, rabbitmq_management)
{
	VARS;

	f = new_facts();
	add_file(f, "overview", FIX "rabbitmq-overview-401.http");
	add_login(f, "whoami", FIX "rabbitmq-whoami-200.http", 0, "guest",
		  "guest");
	JUDGE(&check_rabbitmq, f);
	cr_expect_str_eq(ids, "rabbitmq.default_credentials");
	cr_expect(strstr(ev, "as guest") && strstr(ev, "tags: administrator"),
		  "%s", ev);
	cJSON_Delete(f);

	/* the hardened twin: no guest */
	f = new_facts();
	add_file(f, "overview", FIX "rabbitmq-overview-401.http");
	add_login(f, "whoami", FIX "rabbitmq-whoami-401.http", 0, "guest",
		  "guest");
	JUDGE(&check_rabbitmq, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);

	/* whoami naming another user than the one sent: not ours */
	f = new_facts();
	add_file(f, "overview", FIX "rabbitmq-overview-401.http");
	add_login(f, "whoami", FIX "rabbitmq-whoami-200.http", 0, "admin",
		  "admin");
	JUDGE(&check_rabbitmq, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

Test(httpc_assess, rabbitmq_amqp)
{
	VARS;
	cJSON *a, *ok;

	f = cJSON_CreateObject();
	a = cJSON_AddObjectToObject(f, "amqp");
	cJSON_AddStringToObject(a, "protocol", "0-9-1");
	cJSON_AddStringToObject(a, "product", "RabbitMQ");
	cJSON_AddStringToObject(a, "version", "3.10.8");
	JUDGE(&check_rabbitmq, f); /* refused everywhere */
	cr_expect_str_eq(ids, "");
	ok = cJSON_AddObjectToObject(a, "accepted");
	cJSON_AddStringToObject(ok, "user", "guest");
	cJSON_AddStringToObject(ok, "password", "guest");
	JUDGE(&check_rabbitmq, f);
	cr_expect_str_eq(ids, "rabbitmq.default_credentials");
	cr_expect(strstr(ev, "RabbitMQ 3.10.8 (AMQP 0-9-1)") &&
			  strstr(ev, "as guest") &&
			  strstr(ev, "Connection.Tune"),
		  "%s", ev);
	cr_expect_str_eq(sec, "<redacted>");
	cJSON_Delete(f);
}

/* ---- influxdb 1.6 (the existing check, on Debian's real server) ---- */

Test(httpc_assess, influxdb_16)
{
	VARS;

	f = new_facts();
	add_file(f, "ping", FIX "influxdb16-ping.http");
	add_file(f, "query", FIX "influxdb16-query-200.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "influxdb.no_auth");
	cr_expect(strstr(ev, "InfluxDB 1.6.7~rc0") &&
			  strstr(ev, "2 databases listed"),
		  "%s", ev);
	cr_expect(strstr(ev, "lab_metrics") == NULL, "%s", ev);
	cJSON_Delete(f);

	f = new_facts();
	add_file(f, "ping", FIX "influxdb16-ping.http");
	add_file(f, "query", FIX "influxdb16-query-401.http");
	JUDGE(&check_influxdb, f);
	cr_expect_str_eq(ids, "");
	cJSON_Delete(f);
}

/* ---- HTTP Basic ---- */

static void basic_init(void)
{
	char err[256];

	/* libcurl is opened at first use (curl_lib.h) */
	cr_assert_eq(http_global_init(err, sizeof(err)), 0, "%s", err);
}

TestSuite(httpc_basic, .init = basic_init);

Test(httpc_basic, rfc7617_example_and_bounds)
{
	struct http_probe p;
	struct curl_slist *h = NULL;
	char big[400];

	memset(&p, 0, sizeof(p));
	/* RFC 7617 section 2 */
	cr_assert(http_sign_basic(&p, "Aladdin", "open sesame", &h));
	cr_assert_not_null(h);
	cr_expect_str_eq(h->data,
			 "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	cr_assert(http_sign_basic(&p, "a", "", &h)); /* "a:" */
	cr_expect_str_eq(h->next->data, "Authorization: Basic YTo=");
	cr_assert(http_sign_basic(&p, "ab", "", &h)); /* "ab:" */
	cr_expect_str_eq(h->next->next->data, "Authorization: Basic YWI6");
	curl_slist_free_all(h);
	h = NULL;
	/* a ':' in the user cannot be sent; an oversized pair is refused */
	cr_expect_not(http_sign_basic(&p, "a:b", "c", &h));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_not(http_sign_basic(&p, "u", big, &h));
	cr_expect_null(h);
}

/* ---- AMQP 0-9-1 wire ---- */

static size_t read_fix(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

Test(amqp_wire, rabbitmq_connection_start)
{
	static uint8_t buf[4096];
	size_t n = read_fix("tests/fuzz/corpus/fuzz_amqp/rabbitmq-3.10-start",
			    buf, sizeof(buf)),
	       used = 0, i;
	struct amqp_frame f;
	struct amqp_method m;
	struct amqp_start s;

	cr_assert_eq(amqp_wire_frame(buf, n, &f, &used), 0);
	cr_expect_eq(used, n);
	cr_expect_eq(f.type, AMQP_FRAME_METHOD);
	cr_assert_eq(amqp_wire_method(&f, &m), 0);
	cr_assert_eq(amqp_wire_start(&m, &s), 0);
	cr_expect_eq(s.major, 0u);
	cr_expect_eq(s.minor, 9u);
	cr_expect_str_eq(s.product, "RabbitMQ");
	cr_expect_str_eq(s.version, "3.10.8");
	cr_expect(strncmp(s.platform, "Erlang/OTP", 10) == 0, "%s", s.platform);
	cr_expect(s.plain);
	/* every shorter prefix asks for more, never a frame */
	for (i = 0; i < n; i++)
		cr_expect_eq(amqp_wire_frame(buf, i, &f, &used), AMQP_WIRE_MORE,
			     "prefix %zu", i);
}

Test(amqp_wire, bad_frames)
{
	static const uint8_t hdr[] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };
	uint8_t big[8] = { 1, 0, 0, 0, 1, 0, 1, 0xCE }; /* 65537 bytes */
	uint8_t noend[9] = { 1, 0, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t badtype[8] = { 9, 0, 0, 0, 0, 0, 0, 0xCE };
	struct amqp_frame f;
	size_t used;

	cr_expect_eq(amqp_wire_frame(hdr, sizeof(hdr), &f, &used),
		     AMQP_WIRE_HEADER);
	cr_expect_eq(amqp_wire_frame(hdr, 2, &f, &used), AMQP_WIRE_MORE);
	cr_expect_eq(amqp_wire_frame(big, sizeof(big), &f, &used),
		     EXPO_ETOOBIG);
	cr_expect_eq(amqp_wire_frame(noend, sizeof(noend), &f, &used),
		     EXPO_EPROTO);
	cr_expect_eq(amqp_wire_frame(badtype, sizeof(badtype), &f, &used),
		     EXPO_EPROTO);
	cr_expect_eq(amqp_wire_frame((const uint8_t *)"HTTP/1.1", 8, &f, &used),
		     EXPO_EPROTO);
}

/* a Start whose table lies about its length, nests too deep, or holds an
 * unknown type: an error, never a read past the frame */
Test(amqp_wire, hostile_tables)
{
	/* class 10 method 10, 0-9, table of length 100 (only 3 there) */
	static const uint8_t lie[] = { 0, 10, 0,   10, 0,   9,	0,
				       0, 0,  100, 1,  'a', 't' };
	/* a key with an unknown type 'Z' */
	static const uint8_t unknown[] = { 0, 10,  0,	10,  0,	  9,  0, 0,
					   0, 3,   1,	'a', 'Z', 0,  0, 0,
					   5, 'P', 'L', 'A', 'I', 'N' };
	uint8_t deep[200];
	struct amqp_method m = { .class_id = 10, .method_id = 10 };
	struct amqp_start s;
	size_t o = 0;

	m.args = lie + 4;
	m.len = sizeof(lie) - 4;
	cr_expect_eq(amqp_wire_start(&m, &s), EXPO_EPROTO);
	m.args = unknown + 4;
	m.len = sizeof(unknown) - 4;
	cr_expect_eq(amqp_wire_start(&m, &s), EXPO_EPROTO);
	/* 10 nested tables "a" -> F -> ..., lengths consistent, then the
	 * mechanisms: deeper than AMQP_TABLE_DEPTH is skipped whole */
	deep[o++] = 0;
	deep[o++] = 9;
	/* built from the inside out */
	{
		uint8_t inner[160];
		size_t il = 0, k;

		for (k = 0; k < 10; k++) {
			uint8_t tmp[160];
			size_t tl = 0;

			tmp[tl++] = 1;
			tmp[tl++] = 'a';
			tmp[tl++] = 'F';
			tmp[tl++] = 0;
			tmp[tl++] = 0;
			tmp[tl++] = 0;
			tmp[tl++] = (uint8_t)il;
			memcpy(tmp + tl, inner, il);
			tl += il;
			memcpy(inner, tmp, tl);
			il = tl;
		}
		deep[o++] = 0;
		deep[o++] = 0;
		deep[o++] = 0;
		deep[o++] = (uint8_t)il;
		memcpy(deep + o, inner, il);
		o += il;
	}
	memcpy(deep + o, "\0\0\0\5PLAIN\0\0\0\5en_US", 18);
	o += 18;
	m.args = deep;
	m.len = o;
	cr_expect_eq(amqp_wire_start(&m, &s), 0);
	cr_expect(s.plain);
}

Test(amqp_wire, close_and_start_ok_round_trip)
{
	/* Connection.Close 403 "ACCESS_REFUSED - Login was refused" 0 0 */
	static const char text[] = "ACCESS_REFUSED - Login was refused";
	uint8_t args[64], out[1024];
	struct amqp_method m = { .class_id = 10, .method_id = 50 };
	struct amqp_close c;
	struct amqp_frame f;
	struct amqp_method sm;
	size_t o = 0, used = 0;
	int n;

	args[o++] = 403 >> 8;
	args[o++] = 403 & 0xff;
	args[o++] = sizeof(text) - 1;
	memcpy(args + o, text, sizeof(text) - 1);
	o += sizeof(text) - 1;
	memset(args + o, 0, 4);
	o += 4;
	m.args = args;
	m.len = o;
	cr_assert_eq(amqp_wire_close(&m, &c), 0);
	cr_expect_eq(c.code, 403u);
	cr_expect_str_eq(c.text, text);
	m.len = 5; /* cut inside the text */
	cr_expect_eq(amqp_wire_close(&m, &c), EXPO_EPROTO);

	n = amqp_wire_start_ok(out, sizeof(out), "guest", "guest");
	cr_assert_gt(n, 0);
	cr_assert_eq(amqp_wire_frame(out, (size_t)n, &f, &used), 0);
	cr_expect_eq(used, (size_t)n);
	cr_assert_eq(amqp_wire_method(&f, &sm), 0);
	cr_expect_eq(sm.class_id, 10u);
	cr_expect_eq(sm.method_id, 11u);
	/* PLAIN's response: NUL guest NUL guest */
	cr_expect(memmem(f.payload, f.len, "\0guest\0guest", 12) != NULL);
	cr_expect(memmem(f.payload, f.len, "authentication_failure_close",
			 28) != NULL);
	cr_expect_eq(amqp_wire_start_ok(out, 16, "guest", "guest"),
		     EXPO_ETOOBIG);
}

/* ---- the credential lists and caps ---- */

static void creds_of(const struct check *c, unsigned max_attempts, char *got,
		     size_t size)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	const char *u, *p;

	scan_config_defaults(&cfg);
	cfg.max_attempts = max_attempts;
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, &cfg, &t, &a, c->ports[0], NULL);
	got[0] = '\0';
	while (ctx_next_cred(ctx, &u, &p) == 1)
		snprintf(got + strlen(got), size - strlen(got), "%s:%s ", u, p);
	ctx_free(ctx);
}

Test(httpc_creds, lists_and_caps)
{
	char got[1024];

	/* RabbitMQ: paired, guest/guest first; 2 per account (a port each) */
	creds_of(&check_rabbitmq, 0, got, sizeof(got));
	cr_expect_str_eq(got, "guest:guest admin:admin rabbitmq:rabbitmq "
			      "test:test ");
	/* Tomcat: 4 per account, below LockOutRealm's 5; tomcat/tomcat and
	 * tomcat/s3cret both within it, tomcat/tomcat never twice */
	creds_of(&check_tomcat, 0, got, sizeof(got));
	cr_expect(strstr(got, "tomcat:tomcat ") &&
			  strstr(got, "tomcat:s3cret ") &&
			  strstr(got, "admin:admin "),
		  "%s", got);
	cr_expect(strstr(strstr(got, "tomcat:tomcat ") + 1, "tomcat:tomcat ") ==
			  NULL,
		  "%s", got);
	{
		unsigned k = 0;
		const char *s;

		for (s = got; (s = strstr(s, "tomcat:")) != NULL; s++)
			if (s == got || s[-1] == ' ')
				k++;
		cr_expect_eq(k, 4u, "%s", got);
	}
	cr_expect_eq(check_tomcat.default_max_attempts, 4u);
	cr_expect(check_rabbitmq.flags & CHECK_CREDS_PAIRED);
}

Test(httpc_assess, rules)
{
	const struct check *cs[] = { &check_docker_registry, &check_rabbitmq,
				     &check_tomcat };
	size_t i;

	for (i = 0; i < 3; i++) {
		cr_expect_eq(cs[i]->nrules, 1u);
		cr_expect_not_null(check_find(cs[i]->name));
	}
	cr_expect(check_rabbitmq.rules[0].flags & CHECK_LOGIN);
	cr_expect(check_tomcat.rules[0].flags & CHECK_LOGIN);
}
