/*
 * telnet.c - telnet.cleartext_login: does a Telnet service offer a login
 * prompt (credentials would cross in cleartext)? telnet.default_credentials:
 * does a login with a default or listed weak password succeed?
 *
 * What it sends: one TCP connection; it answers the server's option
 * negotiation (telnet_wire.c: each option once, nothing of ours enabled,
 * NEW-ENVIRON refused, so CVE-2026-24061's USER=-f never crosses; a
 * server that negotiates for ever ends as an error) and reads up to the
 * login prompt: that prompt is telnet.cleartext_login. Then it logs in
 * (CHECK_LOGIN): first the ctx's random canary user (a server or honeypot
 * that lets anyone in), then the pairs ctx_next_cred() hands out, each a
 * user name line and a password line. Success is only what a login shows:
 * a shell prompt ($ # > %) or login(1)'s "Last login" banner; never the
 * mere absence of an error. It then hangs up at once: no command is run.
 * A failure ("Login incorrect", a new prompt) is followed by the next
 * pair on the same connection while the server asks again, else on a new
 * connection. login(1) answers a wrong password only after a delay (3 s
 * in Debian's PAM), so the wait for a verdict may span several --timeout
 * periods, up to TN_VERDICT_MS; "account locked" stops the host.
 * It stops at the first successful login (the proof is made; fewer
 * attempts on a server that may lock accounts).
 * References: RFC 854, RFC 855, RFC 1143; nmap telnet-brute; CWE-319,
 * CWE-1392, CWE-521.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "dynbuf.h"
#include "expo.h"
#include "rawio.h"
#include "telnet_wire.h"

#define TN_IN_MAX 4096		/* one read; consumed at once */
#define TN_CONN_MAX (64 * 1024) /* bytes one connection may send */
#define TN_LINE_MAX 300		/* a user name or password line */
#define TN_VERDICT_MS 8000	/* wait for a login's verdict */

struct telnet_probe {
	struct rawio io;
	struct telnet_state tn;
	char text[TELNET_TEXT_MAX];
	size_t tlen;
	size_t total; /* bytes of this connection */
	enum telnet_stage stage;
	bool prompt_seen; /* facts have the login prompt */
	bool canary_done, is_canary;
	bool done;
	const char *user, *pass; /* the attempt under way */
	unsigned attempt;
	unsigned quiet; /* timer wakes without news, this stage */
	unsigned conns; /* connections for the pair under way */
};

static int tn_start(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;
	int err;

	rawio_init(&st->io, TN_IN_MAX, TELNET_REPLY_MAX + 2 * TN_LINE_MAX);
	telnet_wire_init(&st->tn);
	ctx_phase(ctx, "negotiation");
	err = rawio_open(ctx, &st->io);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

static int finish(struct telnet_probe *st)
{
	st->done = true;
	rawio_close(&st->io);
	return PROBE_DONE;
}

/* a line as the NVT wants it: CR LF at the end, 255 doubled, a bare CR
 * as CR NUL; false if it does not fit */
static bool send_line(struct telnet_probe *st, const char *s)
{
	uint8_t out[2 * TN_LINE_MAX + 2];
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (o + 4 > sizeof(out))
			return false;
		out[o++] = (uint8_t)*s;
		if ((uint8_t)*s == 255)
			out[o++] = 255;
		else if (*s == '\r')
			out[o++] = '\0';
	}
	out[o++] = '\r';
	out[o++] = '\n';
	st->tlen = 0; /* the verdict reads what follows this line */
	st->quiet = 0;
	return rawio_queue(&st->io, out, o) == 0;
}

/* a pair that fits a line: no line break in it */
static bool usable(const char *u, const char *p)
{
	return u != NULL && u[0] != '\0' && strlen(u) < TN_LINE_MAX / 2 &&
	       strpbrk(u, "\r\n") == NULL &&
	       (p == NULL ||
		(strlen(p) < TN_LINE_MAX / 2 && strpbrk(p, "\r\n") == NULL));
}

/* the next pair into st->user/pass (the canary first); false if none */
static bool next_pair(struct check_ctx *ctx, struct telnet_probe *st)
{
	const char *u = NULL, *p = NULL;

	st->user = st->pass = NULL;
	st->is_canary = false;
	if (!ctx_login_allowed(ctx))
		return false;
	if (!st->canary_done) {
		st->canary_done = true;
		if (ctx_canary(ctx, &u, &p) > 0 && usable(u, p)) {
			st->is_canary = true;
			goto set;
		}
	}
	for (;;) {
		if (ctx_next_cred(ctx, &u, &p) <= 0)
			return false;
		if (usable(u, p))
			break;
		ctx_cred_result(ctx, u, CRED_FAILED);
	}
set:
	st->conns = 0;
	st->user = u;
	st->pass = p != NULL ? p : "";
	return true;
}

static int record_prompt(struct check_ctx *ctx, struct telnet_probe *st)
{
	cJSON *f = ctx_facts(ctx);
	char line[160];

	telnet_wire_last_line(st->text, st->tlen, line, sizeof(line));
	st->prompt_seen = true;
	if (!cJSON_AddBoolToObject(f, "login_prompt", true) ||
	    !cJSON_AddStringToObject(f, "prompt", line) ||
	    !cJSON_AddNumberToObject(f, "negotiated", st->tn.commands))
		return EXPO_ENOMEM;
	return 0;
}

static int record_login(struct check_ctx *ctx, struct telnet_probe *st,
			bool asked_password)
{
	cJSON *f = ctx_facts(ctx), *arr, *o;
	char proof[160];

	telnet_wire_last_line(st->text, st->tlen, proof, sizeof(proof));
	if (st->is_canary)
		return cJSON_AddBoolToObject(f, "accepts_any", true) &&
				       cJSON_AddStringToObject(f, "canary_user",
							       st->user) &&
				       cJSON_AddStringToObject(
					       f, "canary_password",
					       st->pass) &&
				       cJSON_AddStringToObject(f, "proof",
							       proof)
			       ? 0
			       : EXPO_ENOMEM;
	arr = cJSON_GetObjectItemCaseSensitive(f, "logins");
	if (arr == NULL)
		arr = cJSON_AddArrayToObject(f, "logins");
	o = cJSON_CreateObject();
	if (arr == NULL || o == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return EXPO_ENOMEM;
	}
	if (!cJSON_AddStringToObject(o, "user", st->user) ||
	    !cJSON_AddStringToObject(o, "password",
				     asked_password ? st->pass : "") ||
	    !cJSON_AddBoolToObject(o, "password_asked", asked_password) ||
	    !cJSON_AddBoolToObject(o, "last_login",
				   memmem(st->text, st->tlen, "ast login", 9) !=
					   NULL) ||
	    !cJSON_AddStringToObject(o, "proof", proof))
		return EXPO_ENOMEM;
	return 0;
}

static void result(struct check_ctx *ctx, struct telnet_probe *st,
		   enum cred_result r)
{
	if (!st->is_canary && st->user != NULL)
		ctx_cred_result(ctx, st->user, r);
}

/* a new connection for the attempt under way */
static int reconnect(struct check_ctx *ctx, struct telnet_probe *st)
{
	int err;

	/* one new connection per pair: a server that hangs up before its
	 * prompt is not dialled for ever */
	if (++st->conns > 1) {
		ctx_status(ctx, STATUS_ERROR,
			   "login %u: the server closed the connection "
			   "before its login prompt",
			   st->attempt);
		return finish(st);
	}
	rawio_close(&st->io);
	rawio_init(&st->io, TN_IN_MAX, TELNET_REPLY_MAX + 2 * TN_LINE_MAX);
	telnet_wire_init(&st->tn);
	st->tlen = 0;
	st->total = 0;
	err = rawio_open(ctx, &st->io);
	if (err < 0) {
		ctx_status(ctx, STATUS_ERROR, "reconnect: %s",
			   expo_strerror(err));
		return finish(st);
	}
	return 0;
}

/* after a verdict: the next pair, on this connection while it is open
 * (login(1) asks again), else on a new one */
static int next_attempt(struct check_ctx *ctx, struct telnet_probe *st)
{
	st->stage = TELNET_BEFORE_USER;
	st->quiet = 0;
	if (!next_pair(ctx, st))
		return finish(st);
	st->attempt++;
	ctx_phasef(ctx, "login %u", st->attempt);
	return st->io.eof ? reconnect(ctx, st) : 0;
}

/* feeds what arrived; answers go out with the next pump */
static int take_input(struct check_ctx *ctx, struct telnet_probe *st,
		      bool *news)
{
	uint8_t reply[TELNET_REPLY_MAX];
	size_t n = dynbuf_len(&st->io.in), rlen = 0;
	int err;

	*news = n > 0;
	if (n == 0)
		return 0;
	st->total += n;
	if (st->total > TN_CONN_MAX) {
		ctx_status(ctx, STATUS_ERROR,
			   "%s: over %u bytes without a verdict",
			   st->prompt_seen ? "login" : "negotiation",
			   TN_CONN_MAX);
		return finish(st);
	}
	err = telnet_wire_feed(&st->tn, (const uint8_t *)dynbuf_ptr(&st->io.in),
			       n, st->text, &st->tlen, sizeof(st->text), reply,
			       &rlen, sizeof(reply));
	dynbuf_consume(&st->io.in, n);
	if (err == TELNET_WIRE_ENDLESS) {
		ctx_status(ctx, STATUS_ERROR,
			   "negotiation: the server did not stop negotiating "
			   "options (%u commands)",
			   st->tn.commands);
		return finish(st);
	}
	if (rlen > 0 && rawio_queue(&st->io, reply, rlen) < 0) {
		ctx_status(ctx, STATUS_ERROR, "negotiation: answers too long");
		return finish(st);
	}
	return 0;
}

/* the verdict of the text so far; 0 to go on, PROBE_* to return */
static int decide(struct check_ctx *ctx, struct telnet_probe *st)
{
	enum telnet_verdict v =
		telnet_wire_verdict(st->text, st->tlen, st->stage);
	int err;

	switch (st->stage) {
	case TELNET_BEFORE_USER:
		if (v == TELNET_MORE)
			return 1;
		if (!st->prompt_seen && (err = record_prompt(ctx, st)) < 0)
			return err;
		if (v == TELNET_PASSWORD)
			return finish(st); /* a password alone: no user */
		if (st->attempt == 0) {
			if (!next_pair(ctx, st))
				return finish(st);
			st->attempt = 1;
			ctx_phasef(ctx, "login %u", st->attempt);
		}
		st->stage = TELNET_AFTER_USER;
		return send_line(st, st->user) ? 0 : finish(st);
	case TELNET_AFTER_USER:
		if (v == TELNET_PASSWORD) {
			st->stage = TELNET_AFTER_PASSWORD;
			return send_line(st, st->pass) ? 0 : finish(st);
		}
		if (v == TELNET_SHELL) {
			/* in without a password */
			result(ctx, st, CRED_ACCEPTED);
			err = record_login(ctx, st, false);
			return err < 0 ? err : finish(st);
		}
		break;
	case TELNET_AFTER_PASSWORD:
		if (v == TELNET_SHELL) {
			result(ctx, st, CRED_ACCEPTED);
			err = record_login(ctx, st, true);
			return err < 0 ? err : finish(st);
		}
		break;
	}
	if (v == TELNET_LOCKED) {
		result(ctx, st, CRED_LOCKED);
		ctx_status(ctx, STATUS_OPEN,
			   "login: the server says the account is locked");
		return finish(st);
	}
	if (v == TELNET_FAILED) {
		result(ctx, st, CRED_FAILED);
		return next_attempt(ctx, st);
	}
	return 1; /* more */
}

static int tn_step(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;
	unsigned rounds, wake;
	bool news = false;
	int rc = 0;

	for (rounds = 0; rounds < 32 && !st->done; rounds++) {
		rc = rawio_pump(ctx, &st->io,
				st->prompt_seen ? "login" : "negotiation");
		if (rc != 0) {
			if (rc < 0)
				rc = finish(st);
			return rc;
		}
		rc = take_input(ctx, st, &news);
		if (rc != 0 || st->done)
			return rc < 0 ? rc : PROBE_DONE;
		rc = decide(ctx, st);
		if (rc < 0 || st->done)
			return rc < 0 ? rc : PROBE_DONE;
		if (rc == 0)
			continue; /* a line queued or a new connection */
		if (st->io.eof) {
			if (!st->prompt_seen) {
				ctx_status(ctx, STATUS_ERROR,
					   "negotiation: connection closed "
					   "before a login prompt");
				return finish(st);
			}
			if (st->stage != TELNET_BEFORE_USER) {
				/* closed without a verdict: no proof */
				result(ctx, st, CRED_FAILED);
				rc = next_attempt(ctx, st);
			} else if (st->user != NULL) {
				/* closed after a failure: a pair waits */
				rc = reconnect(ctx, st);
			} else {
				return finish(st);
			}
			if (rc != 0 || st->done)
				return rc < 0 ? rc : PROBE_DONE;
			continue;
		}
		if (st->stage == TELNET_BEFORE_USER)
			return rawio_wait(ctx, &st->io);
		/* login(1) delays its verdict: keep the phase alive, within
		 * TN_VERDICT_MS of quiet */
		wake = ctx_timeout_ms(ctx) / 2;
		if (wake < 50)
			wake = 50;
		if (!news && st->quiet++ * wake >= TN_VERDICT_MS) {
			result(ctx, st, CRED_FAILED);
			ctx_status(ctx, STATUS_TIMEOUT,
				   "login %u: no verdict within %u ms",
				   st->attempt, TN_VERDICT_MS);
			return finish(st);
		}
		ctx_phasef(ctx, "login %u", st->attempt);
		ctx_wake_after(ctx, wake);
		return rawio_wait(ctx, &st->io) | PROBE_WANT_TIMER;
	}
	if (!st->done) {
		ctx_status(ctx, STATUS_ERROR, "login: too many rounds at once");
		finish(st);
	}
	return PROBE_DONE;
}

static void tn_cleanup(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int tn_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *prompt = fact_get_str(facts, "prompt");
	double neg = fact_get_num(facts, "negotiated");
	const cJSON *it = NULL;
	struct dynbuf ev, secret;
	unsigned n = 0;
	int err = 0;

	if (!cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(facts, "login_prompt")))
		return 0;
	err = ctx_report(ctx, "telnet.cleartext_login", NULL,
			 "login prompt \"%s\" after %.0f option "
			 "command%s; user names and passwords would cross "
			 "in cleartext",
			 prompt ? prompt : "", neg < 0 ? 0 : neg,
			 neg == 1 ? "" : "s");
	if (err < 0)
		return err;
	if (cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(facts, "accepts_any"))) {
		const char *u = fact_get_str(facts, "canary_user");
		const char *proof = fact_get_str(facts, "proof");

		return ctx_report(ctx, "telnet.default_credentials",
				  fact_get_str(facts, "canary_password"),
				  "accepts any user and password (canary): "
				  "the made-up user %s got \"%s\"",
				  u ? u : "?", proof ? proof : "");
	}
	dynbuf_init(&ev, 1024);
	dynbuf_init(&secret, 1024);
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");
		const char *proof = fact_get_str(it, "proof");
		bool asked = cJSON_IsTrue(
			cJSON_GetObjectItemCaseSensitive(it, "password_asked"));
		bool last = cJSON_IsTrue(
			cJSON_GetObjectItemCaseSensitive(it, "last_login"));

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s (%s; %s \"%s\")", n ? ", " : "", u,
			    !asked ? "no password asked"
			    : p[0] ? "default password"
				   : "empty password",
			    last ? "last-login banner, then" : "shell prompt",
			    proof ? proof : "");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		n++;
	}
	if (n > 0)
		err = ctx_report(ctx, "telnet.default_credentials",
				 dynbuf_ptr(&secret), "logged in as %s",
				 dynbuf_ptr(&ev));
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	return err;
}

static const struct rule tn_rules[] = {
	{
		.id = "telnet.cleartext_login",
		.title = "Telnet offers a login in cleartext",
		.description = "A Telnet service shows a login prompt: user "
			       "names and passwords cross the network "
			       "unencrypted, and the service invites password "
			       "guessing (and telnetd's own flaws, such as "
			       "CVE-2026-24061).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:N",
		.references = "CWE-319; ATT&CK T1040; ATT&CK T1110",
		.remediation = "Remove the Telnet server (apt purge "
			       "inetutils-telnetd telnetd) and use SSH; "
			       "firewall port 23.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "telnet.default_credentials",
		.title = "Telnet login with a default or weak password",
		.description = "A Telnet login with a default or listed weak "
			       "password reached a shell: anyone can run "
			       "commands on the host (botnets such as Mirai "
			       "spread this way).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1078.001",
		.remediation = "Set strong passwords (passwd), lock unused "
			       "accounts, and replace Telnet with SSH.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const tn_services[] = { "telnet", NULL };
static const uint16_t tn_ports[] = { 23 };
static const char *const tn_users[] = { "root", "admin", NULL };
/* besides the empty password and password = user, tried first (with
 * the default cap of 3 per account: "", the user name, "password") */
static const char *const tn_passwords[] = {
	"password", "admin",   "1234",	  "12345",
	"123456",   "default", "support", NULL,
};

const struct check check_telnet = {
	.name = "telnet",
	.summary = "Telnet: cleartext login prompt, default passwords",
	.services = tn_services,
	.ports = tn_ports,
	.nports = ARRAY_SIZE(tn_ports),
	.flags = CHECK_LOGIN,
	.rules = tn_rules,
	.nrules = ARRAY_SIZE(tn_rules),
	.default_users = tn_users,
	.default_passwords = tn_passwords,
	.default_max_attempts = 3,
	.state_size = sizeof(struct telnet_probe),
	.start = tn_start,
	.step = tn_step,
	.cleanup = tn_cleanup,
	.assess = tn_assess,
};
