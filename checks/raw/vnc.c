/*
 * vnc.c - vnc.no_auth and vnc.weak_password: does a VNC server let anyone
 * in without a password, or with a password from a short default list?
 * (5900-5902)
 *
 * What it sends (RFC 6143; RFB 3.3, 3.7 and 3.8): it reads the server's
 * version and answers the highest of 3.3/3.7/3.8 it speaks, then reads the
 * security types (3.3: the one the server chose).
 *  - None offered: on 3.8 it picks None and reads SecurityResult (OK is
 *    the proof), on 3.7 it picks None; then ClientInit with the shared
 *    flag (other viewers stay connected) and ServerInit: the desktop name
 *    and size are the evidence. No input or framebuffer request is sent.
 *  - VNC authentication (type 2) and no None: one connection per
 *    password the credential guard hands out (--creds, then the list
 *    below; VNC has no user name, so the guard counts them against the
 *    empty user of this host and port: --max-attempts caps them, default
 *    3, --no-login skips them). The 16-byte challenge is encrypted with
 *    DES under the password (vnc_wire.c, OpenSSL's DES) and SecurityResult
 *    OK proves the password; then ClientInit/ServerInit as above.
 *  - VNC servers blacklist a client after failures (TigerVNC: 5 by
 *    default, RealVNC and others alike): a refusal that says so ("Too many
 *    security failures", or SecurityResult 2) stops every login on the
 *    host (CRED_LOCKED) and is noted in the facts.
 *  - Only other types (VeNCrypt, TLS, SASL, RA2, Apple ARD): nothing is
 *    tried; the types are recorded.
 * References: RFC 6143; nmap vnc-info, realvnc-auth-bypass, vnc-brute;
 * CWE-306, CWE-521; ATT&CK T1021.005 (VNC), T1110.001.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "rawio.h"
#include "vnc_wire.h"

#define VNC_IN_MAX (VNC_NAME_MAX + 64)

enum vnc_phase {
	VNC_P_VERSION = 0,
	VNC_P_SECURITY,
	VNC_P_NONE_RESULT,
	VNC_P_CHALLENGE,
	VNC_P_AUTH_RESULT,
	VNC_P_SERVER_INIT,
	VNC_P_DONE,
};

struct vnc_probe {
	struct rawio io;
	enum vnc_phase phase;
	unsigned minor;		       /* the RFB minor version in use */
	unsigned srv_major, srv_minor; /* as the server wrote them */
	bool recorded;	/* version and types of the first connection */
	bool have_cred; /* a password taken for the next connection */
	const char *user, *pass;
	unsigned attempts;
};

static const char *const phase_names[] = {
	"version",   "security types",	"security result (None)",
	"challenge", "security result", "server init",
	"done",
};

static int vnc_end(struct check_ctx *ctx, struct vnc_probe *st,
		   enum probe_status status, const char *why)
{
	if (why != NULL)
		ctx_status(ctx, status, "%s: %s", phase_names[st->phase], why);
	st->phase = VNC_P_DONE;
	rawio_close(&st->io);
	return PROBE_DONE;
}

/* a new connection; step() pumps it (and waits for the connect) */
static int vnc_open(struct check_ctx *ctx, struct vnc_probe *st)
{
	st->phase = VNC_P_VERSION;
	if (st->have_cred)
		ctx_phasef(ctx, "VNC authentication %u", st->attempts + 1);
	else
		ctx_phase(ctx, "version");
	return rawio_open(ctx, &st->io);
}

static int vnc_start(struct check_ctx *ctx, void *state)
{
	struct vnc_probe *st = state;
	int err;

	rawio_init(&st->io, VNC_IN_MAX, 64);
	err = vnc_open(ctx, st);
	if (err < 0) {
		rawio_close(&st->io);
		return err;
	}
	return 0;
}

/* the next password the guard allows; false if none */
static bool take_cred(struct check_ctx *ctx, struct vnc_probe *st)
{
	const char *u = NULL, *p = NULL;

	if (!ctx_login_allowed(ctx) || ctx_next_cred(ctx, &u, &p) <= 0)
		return false;
	st->user = u ? u : "";
	st->pass = p ? p : "";
	st->have_cred = true;
	return true;
}

static int record_security(struct check_ctx *ctx, struct vnc_probe *st,
			   const struct vnc_security *s,
			   const struct vnc_version *v)
{
	cJSON *facts = ctx_facts(ctx), *arr;
	char ver[24];
	unsigned i;

	if (st->recorded)
		return 0;
	st->recorded = true;
	snprintf(ver, sizeof(ver), "%u.%u", v->major, v->minor);
	if (fact_set_str(facts, "rfb_version", ver) < 0 ||
	    fact_set_num(facts, "rfb_used", 3 + v->use_minor / 10.0) < 0)
		return EXPO_ENOMEM;
	arr = cJSON_AddArrayToObject(facts, "security_types");
	if (arr == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < s->ntypes; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateNumber(s->types[i])))
			return EXPO_ENOMEM;
	if (s->ntypes == 0 && fact_set_str(facts, "refused", s->reason) < 0)
		return EXPO_ENOMEM;
	return 0;
}

static int send_byte(struct vnc_probe *st, uint8_t b)
{
	return rawio_queue(&st->io, &b, 1);
}

/* the failure of an attempt under way: the guard is told */
static void attempt_failed(struct check_ctx *ctx, struct vnc_probe *st,
			   enum cred_result r)
{
	if (st->have_cred) {
		ctx_cred_result(ctx, st->user, r);
		st->have_cred = false;
		st->attempts++;
	}
}

static int on_version(struct vnc_probe *st, const struct vnc_version *v)
{
	char out[VNC_VERSION_LEN + 1];

	st->minor = v->use_minor;
	vnc_wire_client_version(st->minor, out);
	st->phase = VNC_P_SECURITY;
	return rawio_queue(&st->io, out, VNC_VERSION_LEN);
}

static int on_security(struct check_ctx *ctx, struct vnc_probe *st,
		       const struct vnc_security *s,
		       const struct vnc_version *v)
{
	cJSON *facts = ctx_facts(ctx);
	int err = record_security(ctx, st, s, v);

	if (err < 0)
		return err;
	if (s->ntypes == 0) {
		bool locked = vnc_wire_locked_text(s->reason);

		if (locked) {
			/* blacklisted: our failures, or someone else's */
			ctx_cred_result(ctx, st->have_cred ? st->user : "",
					CRED_LOCKED);
			if (fact_set_bool(facts, "locked_out", true) < 0 ||
			    fact_set_str(facts, "locked_reason", s->reason) < 0)
				return EXPO_ENOMEM;
		}
		st->have_cred = false;
		return vnc_end(ctx, st, STATUS_OPEN,
			       locked ? "the server blacklisted this client: "
					"no more logins on this host"
				      : "the server refused the connection");
	}
	if (vnc_wire_offers(s, VNC_SEC_NONE)) {
		if (fact_set_bool(facts, "no_auth", true) < 0)
			return EXPO_ENOMEM;
		/* a password taken for this connection was not needed */
		st->have_cred = false;
		if (st->minor >= 8) {
			st->phase = VNC_P_NONE_RESULT;
			return send_byte(st, VNC_SEC_NONE);
		}
		if (st->minor == 7 && (err = send_byte(st, VNC_SEC_NONE)) < 0)
			return err;
		st->phase = VNC_P_SERVER_INIT;
		return send_byte(st, 1); /* ClientInit: shared */
	}
	if (!vnc_wire_offers(s, VNC_SEC_VNCAUTH))
		return vnc_end(ctx, st, STATUS_OPEN, NULL);
	if (fact_set_bool(facts, "vnc_auth", true) < 0)
		return EXPO_ENOMEM;
	if (!st->have_cred && !take_cred(ctx, st))
		return vnc_end(ctx, st, STATUS_OPEN, NULL);
	ctx_phasef(ctx, "VNC authentication %u", st->attempts + 1);
	st->phase = VNC_P_CHALLENGE;
	return st->minor >= 7 ? send_byte(st, VNC_SEC_VNCAUTH) : 0;
}

static int record_login(struct check_ctx *ctx, const struct vnc_probe *st)
{
	cJSON *facts = ctx_facts(ctx);

	if (fact_set_str(facts, "password", st->pass) < 0)
		return EXPO_ENOMEM;
	return 0;
}

/* SecurityResult after VNC authentication */
static int on_auth_result(struct check_ctx *ctx, struct vnc_probe *st,
			  const struct vnc_result *r)
{
	cJSON *facts = ctx_facts(ctx);
	int err;

	if (r->status == 0) {
		ctx_cred_result(ctx, st->user, CRED_ACCEPTED);
		st->have_cred = false;
		st->attempts++;
		err = record_login(ctx, st);
		if (err < 0)
			return err;
		st->phase = VNC_P_SERVER_INIT;
		return send_byte(st, 1); /* ClientInit: shared */
	}
	if (r->status == 2 || vnc_wire_locked_text(r->reason)) {
		attempt_failed(ctx, st, CRED_LOCKED);
		if (fact_set_bool(facts, "locked_out", true) < 0 ||
		    fact_set_str(facts, "locked_reason",
				 r->reason[0] ? r->reason
					      : "too many attempts") < 0)
			return EXPO_ENOMEM;
		return vnc_end(ctx, st, STATUS_OPEN,
			       "the server blacklisted this client: no more "
			       "logins on this host");
	}
	attempt_failed(ctx, st, CRED_FAILED);
	if (fact_set_num(facts, "failed_logins", st->attempts) < 0)
		return EXPO_ENOMEM;
	/* the next password on a new connection */
	if (!take_cred(ctx, st))
		return vnc_end(ctx, st, STATUS_OPEN, NULL);
	return vnc_open(ctx, st);
}

static int on_server_init(struct check_ctx *ctx, struct vnc_probe *st,
			  const struct vnc_server_init *si)
{
	cJSON *facts = ctx_facts(ctx);
	char geo[32];

	snprintf(geo, sizeof(geo), "%ux%u", si->width, si->height);
	if (fact_set_str(facts, "desktop_name", si->name) < 0 ||
	    fact_set_str(facts, "geometry", geo) < 0)
		return EXPO_ENOMEM;
	/* the session is open: close it without a single request */
	return vnc_end(ctx, st, STATUS_OPEN, NULL);
}

/* one message of the phase at the start of in: 0 when it was handled
 * (consumed), VNC_WIRE_MORE, or < 0 */
static int vnc_message(struct check_ctx *ctx, struct vnc_probe *st)
{
	const uint8_t *in = (const uint8_t *)dynbuf_ptr(&st->io.in);
	size_t len = dynbuf_len(&st->io.in), used = 0;
	struct vnc_version v;
	struct vnc_security s;
	struct vnc_result r;
	struct vnc_server_init si;
	uint8_t resp[VNC_CHALLENGE_LEN];
	int err;

	switch (st->phase) {
	case VNC_P_VERSION:
		err = vnc_wire_version(in, len, &v, &used);
		if (err != 0)
			return err;
		dynbuf_consume(&st->io.in, used);
		st->srv_major = v.major;
		st->srv_minor = v.minor;
		return on_version(st, &v);
	case VNC_P_SECURITY:
		err = vnc_wire_security(in, len, st->minor, &s, &used);
		if (err != 0)
			return err;
		dynbuf_consume(&st->io.in, used);
		v.major = st->srv_major;
		v.minor = st->srv_minor;
		v.use_minor = st->minor;
		return on_security(ctx, st, &s, &v);
	case VNC_P_NONE_RESULT:
		err = vnc_wire_result(in, len, st->minor, st->io.eof, &r,
				      &used);
		if (err != 0)
			return err;
		dynbuf_consume(&st->io.in, used);
		if (r.status != 0) {
			if (fact_set_str(ctx_facts(ctx), "none_refused",
					 r.reason) < 0)
				return EXPO_ENOMEM;
			return vnc_end(ctx, st, STATUS_OPEN,
				       "security type None offered, then "
				       "refused");
		}
		if (fact_set_bool(ctx_facts(ctx), "none_ok", true) < 0)
			return EXPO_ENOMEM;
		st->phase = VNC_P_SERVER_INIT;
		return send_byte(st, 1); /* ClientInit: shared */
	case VNC_P_CHALLENGE:
		if (len < VNC_CHALLENGE_LEN)
			return VNC_WIRE_MORE;
		err = vnc_wire_des_response(in, st->pass, resp);
		dynbuf_consume(&st->io.in, VNC_CHALLENGE_LEN);
		if (err < 0)
			return err;
		st->phase = VNC_P_AUTH_RESULT;
		return rawio_queue(&st->io, resp, sizeof(resp));
	case VNC_P_AUTH_RESULT:
		err = vnc_wire_result(in, len, st->minor, st->io.eof, &r,
				      &used);
		if (err != 0)
			return err;
		dynbuf_consume(&st->io.in, used);
		return on_auth_result(ctx, st, &r);
	case VNC_P_SERVER_INIT:
		err = vnc_wire_server_init(in, len, &si, &used);
		if (err != 0)
			return err;
		dynbuf_consume(&st->io.in, used);
		return on_server_init(ctx, st, &si);
	case VNC_P_DONE:
		break;
	}
	return 0;
}

/* a failure that ends the probe: the attempt under way failed */
static int vnc_fail(struct check_ctx *ctx, struct vnc_probe *st, int err)
{
	attempt_failed(ctx, st, CRED_FAILED);
	if (err == 0)
		return vnc_end(ctx, st, STATUS_ERROR, NULL);
	return vnc_end(ctx, st, STATUS_ERROR,
		       err == VNC_WIRE_MORE  ? "connection closed"
		       : err == EXPO_EPROTO  ? "not an RFB (VNC) server"
		       : err == EXPO_ETOOBIG ? "a length over its bound"
					     : expo_strerror(err));
}

static int vnc_step(struct check_ctx *ctx, void *state)
{
	struct vnc_probe *st = state;
	unsigned round;
	bool moved;
	int rc, err;

	/* pump, then handle every message the bytes hold (a server may send
	 * several at once); again while the pump moved bytes, since what it
	 * read must be parsed before we wait. Each round moves bytes: the
	 * bound only guards against a bug. */
	for (round = 0; round < 64; round++) {
		if (st->phase == VNC_P_DONE)
			return PROBE_DONE;
		rc = rawio_pump_moved(ctx, &st->io, phase_names[st->phase],
				      &moved);
		if (rc < 0)
			return vnc_fail(ctx, st, 0);
		if (rc > 0)
			return rc;
		do
			err = vnc_message(ctx, st);
		while (err == 0 && st->phase != VNC_P_DONE);
		if (st->phase == VNC_P_DONE)
			return err < 0 ? err : PROBE_DONE;
		if (err < 0)
			return vnc_fail(ctx, st, err);
		if (st->io.fd >= 0 && st->io.connecting)
			continue; /* a new connection: pump waits for it */
		if (st->io.eof)
			return vnc_fail(ctx, st, VNC_WIRE_MORE);
		if (!moved)
			break;
	}
	return rawio_wait(ctx, &st->io);
}

static void vnc_cleanup(struct check_ctx *ctx, void *state)
{
	struct vnc_probe *st = state;

	/* a deadline in the middle of an attempt: it counted, it failed */
	attempt_failed(ctx, st, CRED_FAILED);
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static void types_text(const cJSON *facts, char *out, size_t size)
{
	const cJSON *it = NULL;
	size_t k = 0;
	int n;

	out[0] = '\0';
	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(facts, "security_types"))
	{
		const char *name;

		if (!cJSON_IsNumber(it))
			continue;
		name = vnc_wire_sec_name((uint8_t)it->valuedouble);
		if (name != NULL)
			n = snprintf(out + k, size - k, "%s%s", k ? ", " : "",
				     name);
		else
			n = snprintf(out + k, size - k, "%stype %d",
				     k ? ", " : "", (int)it->valuedouble);
		if (n < 0 || (size_t)n >= size - k)
			break;
		k += (size_t)n;
	}
}

static int vnc_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *ver = fact_get_str(facts, "rfb_version");
	const char *name = fact_get_str(facts, "desktop_name");
	const char *geo = fact_get_str(facts, "geometry");
	const char *pw = fact_get_str(facts, "password");
	char types[160], desk[VNC_TEXT_KEEP + 64] = "";
	int err = 0;

	types_text(facts, types, sizeof(types));
	if (name != NULL)
		snprintf(desk, sizeof(desk), "; desktop \"%s\" (%s) opened",
			 name, geo ? geo : "size unknown");
	if (fact_is_true(facts, "no_auth") &&
	    fact_get_str(facts, "none_refused") == NULL)
		err = ctx_report(ctx, "vnc.no_auth", NULL,
				 "RFB %s server offers security type None "
				 "(offered: %s)%s",
				 ver ? ver : "(version unknown)",
				 types[0] ? types : "None", desk);
	if (err == 0 && pw != NULL)
		err = ctx_report(ctx, "vnc.weak_password", pw,
				 "RFB %s server accepted VNC authentication "
				 "with a listed password (--creds or the "
				 "built-in list)%s",
				 ver ? ver : "(version unknown)", desk);
	return err;
}

static const struct rule vnc_rules[] = {
	{
		.id = "vnc.no_auth",
		.title = "VNC server without authentication",
		.description =
			"The VNC server offers security type None: anyone "
			"who reaches the port sees the desktop and types on "
			"it, as the logged-in user.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1021.005; RFC 6143",
		.remediation = "Require a password or better (SecurityTypes "
			       "VncAuth, or VeNCrypt/TLS with a real login), "
			       "bind VNC to localhost and reach it through an "
			       "SSH tunnel, and firewall ports 5900-5902.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "vnc.weak_password",
		.title = "VNC password from a default list",
		.description =
			"VNC authentication succeeded with a common "
			"password: VNC passwords are at most 8 characters and "
			"have no user name, so they fall to short lists.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-521; CWE-1392; ATT&CK T1110.001; "
			      "ATT&CK T1021.005",
		.remediation = "Set a long random VNC password or, better, "
			       "use VeNCrypt with system accounts; bind VNC "
			       "to localhost behind an SSH tunnel and "
			       "firewall ports 5900-5902.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const vnc_services[] = { "vnc", NULL };
static const uint16_t vnc_ports[] = { 5900, 5901, 5902 };
/* VNC has no user: the empty user, paired with each password (the guard
 * then tries neither the empty password nor password = user) */
static const char *const vnc_users[] = { "", "", "", "", "", "", NULL };
static const char *const vnc_passwords[] = {
	"password", "123456", "vnc", "12345678", "admin", "1234", NULL,
};

const struct check check_vnc = {
	.name = "vnc",
	.summary = "VNC: no authentication, or a password from a short list "
		   "(5900-5902)",
	.services = vnc_services,
	.ports = vnc_ports,
	.nports = ARRAY_SIZE(vnc_ports),
	.flags = CHECK_LOGIN | CHECK_CREDS_PAIRED,
	.rules = vnc_rules,
	.nrules = ARRAY_SIZE(vnc_rules),
	.default_users = vnc_users,
	.default_passwords = vnc_passwords,
	.default_max_attempts = 3,
	.state_size = sizeof(struct vnc_probe),
	.start = vnc_start,
	.step = vnc_step,
	.cleanup = vnc_cleanup,
	.assess = vnc_assess,
};
