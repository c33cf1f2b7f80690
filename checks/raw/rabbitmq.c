/*
 * rabbitmq.c - rabbitmq.default_credentials: RabbitMQ accepts guest/guest
 * or another default login, on its management API (15672) or on AMQP
 * 0-9-1 itself (5672).
 *
 * Management API (checks/http/http.c): GET /api/overview without
 * credentials, which the management plugin answers 401 with
 * WWW-Authenticate: Basic realm="RabbitMQ Management"; only then GET
 * /api/whoami with HTTP Basic, one credential of the guard at a time
 * (again while the answer is a plain 401). Proof: 200 with
 * {"name":USER,"tags":...}. A 401 whose reason says the user "can only
 * log in via localhost" (guest under loopback_users) settles that user.
 *
 * AMQP (amqp_wire.c): the protocol header, Connection.Start (the server
 * properties: product and version; PLAIN must be offered), then
 * Connection.Start-Ok with PLAIN and the capability
 * authentication_failure_close. Proof: Connection.Tune, which RabbitMQ
 * sends only once the login is accepted; a refusal is Connection.Close
 * 403 ACCESS_REFUSED (or, from older servers, a closed socket). Each
 * attempt is its own connection (the server closes it after a refusal);
 * after Tune the socket is closed: no vhost is opened, no channel, no
 * queue is touched.
 *
 * The built-in list is paired (guest/guest, admin/admin, ...: one
 * password per user) and the cap per account and host is 2, one attempt
 * for each of the two ports; RabbitMQ has no lockout of its own.
 * Evidence: version (AMQP) or the user's tags (API), the user; the
 * password is the finding's secret.
 *
 * References: RabbitMQ "Access Control" (the guest user, loopback_users),
 * "Management Plugin" (HTTP API, /api/whoami), "Authentication Failure
 * Notifications"; AMQP 0-9-1 specification (connection class); nmap
 * amqp-info; nuclei rabbitmq-default-login; CWE-1392, CWE-521; ATT&CK
 * T1078.001.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "check.h"
#include "http/http.h"
#include "amqp_wire.h"
#include "rawio.h"

#define RMQ_AMQP_PORT 5672
#define RMQ_REALM "realm=\"RabbitMQ Management\""
#define RMQ_ATTEMPTS_MAX 16 /* connections of one AMQP probe, at most */

/* ---- management API ---- */

static bool rmq_is_management(const cJSON *facts)
{
	const char *wa =
		http_str(http_resp(facts, "overview"), "www_authenticate");

	return http_status(facts, "overview") == 401 && wa != NULL &&
	       strncmp(wa, "Basic ", 6) == 0 && strstr(wa, RMQ_REALM) != NULL;
}

static enum cred_result rmq_verdict(const cJSON *resp)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(resp, "json");
	const char *name = http_str(j, "name"), *u = http_str(resp, "user");
	const char *reason = http_str(j, "reason");

	if (!cJSON_IsNumber(st))
		return CRED_FAILED;
	if (st->valueint == 200 && name != NULL && u != NULL &&
	    strcmp(name, u) == 0)
		return CRED_ACCEPTED;
	if (st->valueint == 401 && reason != NULL &&
	    strstr(reason, "can only log in via localhost") != NULL)
		return CRED_NO_ACCOUNT; /* loopback_users: no password helps */
	return CRED_FAILED;
}

static const struct http_login rmq_login = {
	.sign = http_sign_basic,
	.verdict = rmq_verdict,
};

static bool rmq_whoami_path(const cJSON *facts, char *buf, size_t size)
{
	if (!rmq_is_management(facts))
		return false;
	snprintf(buf, size, "/api/whoami");
	return true;
}

static const struct http_req rmq_reqs[] = {
	{ .name = "overview", .path = "/api/overview" },
	{ .name = "whoami",
	  .path_fn = rmq_whoami_path,
	  .flags = HTTP_LOGIN_RETRY,
	  .login = &rmq_login },
};

static const struct http_module rmq_http = {
	.reqs = rmq_reqs,
	.nreqs = ARRAY_SIZE(rmq_reqs),
	.tls_ports = (const uint16_t[]){ 15671 },
	.ntls_ports = 1,
};

/* ---- AMQP ---- */

enum amqp_phase { AM_START, AM_LOGIN, AM_DONE };

struct amqp_probe {
	struct rawio io;
	enum amqp_phase phase;
	const char *user, *pass; /* the attempt's credential, or NULL */
	unsigned attempts;
	bool have_server;
};

struct rmq_probe {
	bool amqp;
	union {
		struct http_probe http;
		struct amqp_probe a;
	} u;
};

/* AMQP on the usual port, or where the inventory says amqp */
static bool port_is_amqp(struct check_ctx *ctx)
{
	const struct target *t = ctx_target(ctx);
	uint16_t port = ctx_port(ctx);
	uint32_t i;

	if (port == RMQ_AMQP_PORT)
		return true;
	for (i = 0; t != NULL && i < t->nports; i++)
		if (t->ports[i].port == port &&
		    strcmp(t->ports[i].service, "amqp") == 0)
			return true;
	return false;
}

static cJSON *amqp_facts(struct check_ctx *ctx)
{
	cJSON *f = ctx_facts(ctx);
	cJSON *a = cJSON_GetObjectItemCaseSensitive(f, "amqp");

	return a != NULL ? a : cJSON_AddObjectToObject(f, "amqp");
}

static int am_finish(struct amqp_probe *a)
{
	a->phase = AM_DONE;
	rawio_close(&a->io);
	return PROBE_DONE;
}

static int am_fail(struct check_ctx *ctx, struct amqp_probe *a,
		   const char *what, const char *why)
{
	ctx_status(ctx, STATUS_ERROR, "%s: %s", what, why);
	return am_finish(a);
}

/* a new connection: the protocol header, then Connection.Start (a->io
 * was initialised: rawio_init) */
static int am_connect(struct check_ctx *ctx, struct amqp_probe *a)
{
	int err;

	rawio_close(&a->io);
	rawio_init(&a->io, AMQP_FRAME_MAX + 8, 1024);
	a->attempts++;
	a->phase = AM_START;
	ctx_phase(ctx, "Connection.Start");
	err = rawio_open(ctx, &a->io);
	if (err == 0)
		err = rawio_queue(&a->io, amqp_protocol_header,
				  sizeof(amqp_protocol_header));
	return err;
}

static int record_server(struct check_ctx *ctx, const struct amqp_start *s)
{
	cJSON *a = amqp_facts(ctx);
	char proto[16];

	snprintf(proto, sizeof(proto), "0-%u-%u", s->major, s->minor);
	if (a == NULL || !cJSON_AddStringToObject(a, "protocol", proto) ||
	    !cJSON_AddStringToObject(a, "product", s->product) ||
	    !cJSON_AddStringToObject(a, "version", s->version) ||
	    !cJSON_AddStringToObject(a, "platform", s->platform) ||
	    !cJSON_AddBoolToObject(a, "plain", s->plain))
		return EXPO_ENOMEM;
	return 0;
}

/* Connection.Start came: log in with the next credential, or end */
static int am_on_start(struct check_ctx *ctx, struct amqp_probe *a,
		       const struct amqp_method *m)
{
	struct amqp_start s;
	uint8_t out[1024];
	int n, err;

	if (amqp_wire_start(m, &s) < 0)
		return am_fail(ctx, a, "Connection.Start",
			       "not AMQP 0-9-1 (malformed Connection.Start)");
	if (!a->have_server) {
		a->have_server = true;
		err = record_server(ctx, &s);
		if (err < 0)
			return err;
	}
	if (!s.plain)
		return am_finish(a); /* no PLAIN: nothing to try */
	while (a->user == NULL) {
		if (ctx_next_cred(ctx, &a->user, &a->pass) <= 0 ||
		    a->user == NULL || a->pass == NULL) {
			a->user = NULL;
			return am_finish(a);
		}
		if (strlen(a->user) > 255 || strlen(a->pass) > 255) {
			ctx_cred_result(ctx, a->user, CRED_FAILED);
			a->user = NULL;
		}
	}
	n = amqp_wire_start_ok(out, sizeof(out), a->user, a->pass);
	if (n < 0)
		return n;
	err = rawio_queue(&a->io, out, (size_t)n);
	if (err < 0)
		return err;
	a->phase = AM_LOGIN;
	ctx_phasef(ctx, "login %u", a->attempts);
	return rawio_wait(ctx, &a->io);
}

/* the attempt is judged: the next one, or the end */
static int am_result(struct check_ctx *ctx, struct amqp_probe *a,
		     enum cred_result r, const char *close_text)
{
	cJSON *f = amqp_facts(ctx), *o;

	ctx_cred_result(ctx, a->user, r);
	if (f == NULL)
		return EXPO_ENOMEM;
	if (r == CRED_ACCEPTED) {
		o = cJSON_AddObjectToObject(f, "accepted");
		if (o == NULL || !cJSON_AddStringToObject(o, "user", a->user) ||
		    !cJSON_AddStringToObject(o, "password", a->pass))
			return EXPO_ENOMEM;
		return am_finish(a); /* one login is proof enough */
	}
	if (close_text != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(f, "refusal");
		if (!cJSON_AddStringToObject(f, "refusal", close_text))
			return EXPO_ENOMEM;
	}
	a->user = NULL;
	a->pass = NULL;
	if (a->attempts >= RMQ_ATTEMPTS_MAX)
		return am_finish(a);
	/* a credential is taken once Connection.Start offers PLAIN again */
	if (ctx_next_cred(ctx, &a->user, &a->pass) <= 0 || a->user == NULL ||
	    a->pass == NULL) {
		a->user = NULL;
		return am_finish(a);
	}
	return am_connect(ctx, a) < 0 ? am_fail(ctx, a, "connect", "failed")
				      : 0;
}

static int am_on_login(struct check_ctx *ctx, struct amqp_probe *a,
		       const struct amqp_method *m)
{
	struct amqp_close c;

	if (m->class_id == AMQP_CONNECTION && m->method_id == AMQP_TUNE)
		return am_result(ctx, a, CRED_ACCEPTED, NULL);
	if (m->class_id == AMQP_CONNECTION && m->method_id == AMQP_CLOSE &&
	    amqp_wire_close(m, &c) == 0)
		return am_result(ctx, a, CRED_FAILED, c.text);
	ctx_cred_result(ctx, a->user, CRED_FAILED);
	return am_fail(ctx, a, "login",
		       m->class_id == AMQP_CONNECTION &&
				       m->method_id == AMQP_SECURE
			       ? "the server asks a SASL challenge "
				 "(Connection.Secure): not PLAIN"
			       : "unexpected method after Start-Ok");
}

static int amqp_step(struct check_ctx *ctx, struct amqp_probe *a)
{
	struct amqp_frame f;
	struct amqp_method m;
	size_t used = 0;
	unsigned rounds, att;
	int rc = 0, err;

	/* bounded: each round consumes a frame or waits */
	for (rounds = 0; rounds < 64 && a->phase != AM_DONE; rounds++) {
		const char *what = a->phase == AM_START ? "Connection.Start"
							: "login";

		rc = rawio_pump(ctx, &a->io, what);
		if (rc != 0)
			return rc < 0 ? am_finish(a) : rc;
		err = amqp_wire_frame((const uint8_t *)dynbuf_ptr(&a->io.in),
				      dynbuf_len(&a->io.in), &f, &used);
		if (err == AMQP_WIRE_MORE && !a->io.eof)
			return rawio_wait(ctx, &a->io);
		if (err == AMQP_WIRE_MORE && a->phase == AM_LOGIN) {
			/* a server without authentication_failure_close
			 * drops the socket on a refused login */
			rc = am_result(ctx, a, CRED_FAILED, NULL);
			if (rc != 0)
				return rc;
			continue;
		}
		if (err != 0) {
			if (a->phase == AM_LOGIN)
				ctx_cred_result(ctx, a->user, CRED_FAILED);
			return am_fail(
				ctx, a, what,
				err == AMQP_WIRE_MORE ? "connection closed"
				: err == AMQP_WIRE_HEADER
					? "not AMQP 0-9-1 (the server "
					  "answered with its protocol header)"
				: err == EXPO_ETOOBIG
					? "frame over 64 KiB"
					: "not AMQP 0-9-1 (malformed frame)");
		}
		if (f.type == AMQP_FRAME_HEARTBEAT) {
			dynbuf_consume(&a->io.in, used);
			continue;
		}
		if (amqp_wire_method(&f, &m) < 0) {
			if (a->phase == AM_LOGIN)
				ctx_cred_result(ctx, a->user, CRED_FAILED);
			return am_fail(ctx, a, what, "not a method frame");
		}
		att = a->attempts;
		if (a->phase == AM_START)
			rc = am_on_start(ctx, a, &m);
		else
			rc = am_on_login(ctx, a, &m);
		/* the frame is read (the handler is done with m); a new
		 * connection started with empty buffers */
		if (a->phase != AM_DONE && a->attempts == att)
			dynbuf_consume(&a->io.in, used);
		if (rc != 0)
			return rc;
	}
	if (a->phase == AM_DONE)
		return PROBE_DONE;
	return rawio_wait(ctx, &a->io);
}

/* ---- the check ---- */

static int rmq_start(struct check_ctx *ctx, void *state)
{
	struct rmq_probe *st = state;
	int err;

	st->amqp = port_is_amqp(ctx);
	if (!st->amqp)
		return http_start(ctx, &st->u.http, &rmq_http);
	/* fd = -1 first: the zeroed state's fd 0 is not ours to close */
	rawio_init(&st->u.a.io, AMQP_FRAME_MAX + 8, 1024);
	err = am_connect(ctx, &st->u.a);
	if (err < 0)
		rawio_close(&st->u.a.io);
	return err;
}

static int rmq_step(struct check_ctx *ctx, void *state)
{
	struct rmq_probe *st = state;

	if (!st->amqp)
		return http_step(ctx, &st->u.http);
	return amqp_step(ctx, &st->u.a);
}

static void rmq_cleanup(struct check_ctx *ctx, void *state)
{
	struct rmq_probe *st = state;

	if (!st->amqp)
		http_cleanup(ctx, &st->u.http);
	else
		rawio_close(&st->u.a.io);
}

static const char *pw_kind(const char *u, const char *pw)
{
	return pw[0] == '\0'	    ? "an empty password"
	       : strcmp(pw, u) == 0 ? "the user name as password"
				    : "a default password";
}

static int rmq_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(facts, "amqp");
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(a, "accepted");
	const cJSON *r = http_resp(facts, "whoami"), *tags, *t;
	const char *u, *pw, *prod, *ver;
	char tl[128] = "";
	size_t len;

	if (ok != NULL) {
		u = http_str(ok, "user");
		pw = http_str(ok, "password");
		prod = http_str(a, "product");
		ver = http_str(a, "version");
		if (u == NULL || pw == NULL)
			return 0;
		return ctx_report(ctx, "rabbitmq.default_credentials", pw,
				  "%s%s%s (AMQP %s): a PLAIN login as %s with "
				  "%s was accepted (Connection.Tune)",
				  prod && prod[0] ? prod : "AMQP server",
				  ver && ver[0] ? " " : "", ver ? ver : "",
				  http_str(a, "protocol"), u, pw_kind(u, pw));
	}
	u = http_str(r, "user");
	pw = http_str(r, "password");
	if (!rmq_is_management(facts) || u == NULL || pw == NULL ||
	    rmq_verdict(r) != CRED_ACCEPTED)
		return 0;
	tags = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r, "json"), "tags");
	if (cJSON_IsString(tags)) {
		snprintf(tl, sizeof(tl), "%s", tags->valuestring);
	} else {
		cJSON_ArrayForEach(t, tags)
		{
			len = strlen(tl);
			if (cJSON_IsString(t))
				snprintf(tl + len, sizeof(tl) - len, "%s%s",
					 len ? "," : "", t->valuestring);
		}
	}
	return ctx_report(ctx, "rabbitmq.default_credentials", pw,
			  "RabbitMQ management API: GET /api/whoami as %s "
			  "with %s answered 200 (tags: %s)%s",
			  u, pw_kind(u, pw), tl[0] ? tl : "none",
			  http_transport(facts));
}

static const struct rule rmq_rules[] = {
	{
		.id = "rabbitmq.default_credentials",
		.title = "RabbitMQ accepts guest/guest or another default "
			 "login",
		.description =
			"Anyone who reaches the port logs in to the broker "
			"with a default password: reads and publishes "
			"messages, and through the management API as an "
			"administrator adds users and changes permissions.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1078.001",
		.remediation = "Delete the guest user (rabbitmqctl "
			       "delete_user guest) or keep loopback_users "
			       "on it, give every user a long random "
			       "password, and firewall ports 5672/15672.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const rmq_services[] = { "amqp", HTTP_SERVICES, NULL };
static const uint16_t rmq_ports[] = { 5672, 15672 };
/* paired: guest/guest (the broker's own default), then the logins of
 * the images and guides that replace it */
static const char *const rmq_users[] = { "guest", "admin", "rabbitmq", "test",
					 NULL };
static const char *const rmq_passwords[] = { "guest", "admin", "rabbitmq",
					     "test", NULL };

const struct check check_rabbitmq = {
	.global_init = http_global_init,
	.name = "rabbitmq",
	.summary = "RabbitMQ: guest/guest and default logins on AMQP and the "
		   "management API (5672, 15672)",
	.services = rmq_services,
	.ports = rmq_ports,
	.nports = ARRAY_SIZE(rmq_ports),
	.flags = CHECK_LOGIN | CHECK_CREDS_PAIRED,
	.rules = rmq_rules,
	.nrules = ARRAY_SIZE(rmq_rules),
	.default_users = rmq_users,
	.default_passwords = rmq_passwords,
	.default_max_attempts = 2,
	.state_size = sizeof(struct rmq_probe),
	.start = rmq_start,
	.step = rmq_step,
	.cleanup = rmq_cleanup,
	.assess = rmq_assess,
};
