/*
 * telnet.c - telnet.cleartext_login: does a Telnet service offer a login
 * prompt (credentials would cross in cleartext)? telnet.default_credentials:
 * does a login with a default or listed weak password succeed?
 *
 * What it sends: a TCP connection; it answers the server's option
 * negotiation (telnet_wire.c: each option once, nothing of ours enabled,
 * NEW-ENVIRON refused, so CVE-2026-24061's USER=-f never crosses; a
 * server that negotiates for ever ends as an error) and reads up to the
 * login prompt: that prompt is telnet.cleartext_login. Then it logs in
 * (CHECK_LOGIN): the ctx's random canary user (a server or honeypot that
 * lets anyone in) and the pairs ctx_next_cred() hands out, each a user
 * name line and a password line. Success is only what a login shows: a
 * shell prompt ($ # > %) or login(1)'s "Last login" banner; never the
 * mere absence of an error. That connection is then closed at once: no
 * command is run. A failure ("Login incorrect", a new prompt) is followed
 * by the next pair on the same connection while the server asks again,
 * else on a new one. login(1) answers a wrong password only after a delay
 * (3 s in Debian's PAM): up to TN_SLOTS logins run at once, each on its
 * own connection (as hydra -t 4 does), and a verdict may take up to
 * TN_VERDICT_MS. "account locked" stops the host; the first successful
 * login stops the attempts (the proof is made).
 * The connections are watched through an epoll set of the module's own,
 * whose fd the engine waits on (an epoll fd is readable when one of its
 * sockets is ready); each is bounded in bytes (TN_CONN_MAX) and in time,
 * counted from the start of each stage, however the server drips: the
 * prompt within --timeout, a verdict within TN_VERDICT_MS.
 * References: RFC 854, RFC 855, RFC 1143; nmap telnet-brute; CWE-319,
 * CWE-1392, CWE-521.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
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
#define TN_SLOTS 4		/* logins at once */
#define TN_TICK_MS 250		/* the clock of the windows above */

struct tn_slot {
	struct rawio io;
	struct telnet_state tn;
	char text[TELNET_TEXT_MAX];
	size_t tlen;
	size_t total; /* bytes of this connection */
	enum telnet_stage stage;
	bool active;
	bool is_canary;
	const char *user, *pass; /* the attempt under way; NULL: none */
	unsigned conns;		 /* connections for that pair */
	uint64_t since;		 /* the stage began, ms */
};

struct telnet_probe {
	struct tn_slot s[TN_SLOTS];
	int ep; /* the epoll set of the slots' sockets; 0: not yet made */
	bool ep_made;
	bool prompt_seen; /* facts have the login prompt */
	bool canary_done;
	bool stop;  /* no new attempt: found, locked or out of pairs */
	bool found; /* a login succeeded */
	bool done;
	unsigned attempts;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void slot_close(struct telnet_probe *st, struct tn_slot *sl)
{
	if (sl->io.fd >= 0 && st->ep_made)
		epoll_ctl(st->ep, EPOLL_CTL_DEL, sl->io.fd, NULL);
	rawio_close(&sl->io);
	sl->active = false;
	sl->user = sl->pass = NULL;
}

static void close_all(struct telnet_probe *st)
{
	unsigned i;

	for (i = 0; i < TN_SLOTS; i++)
		slot_close(st, &st->s[i]);
	if (st->ep_made)
		close(st->ep);
	st->ep_made = false;
}

/* a new connection in the slot (the pair in it stays) */
static int slot_open(struct check_ctx *ctx, struct telnet_probe *st,
		     struct tn_slot *sl)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT,
				  .data.ptr = sl };
	int err;

	if (sl->io.fd >= 0 && st->ep_made)
		epoll_ctl(st->ep, EPOLL_CTL_DEL, sl->io.fd, NULL);
	rawio_close(&sl->io);
	rawio_init(&sl->io, TN_IN_MAX, TELNET_REPLY_MAX + 2 * TN_LINE_MAX);
	telnet_wire_init(&sl->tn);
	sl->tlen = 0;
	sl->total = 0;
	sl->stage = TELNET_BEFORE_USER;
	sl->since = now_ms();
	sl->conns++;
	err = rawio_open(ctx, &sl->io);
	if (err == 0 && epoll_ctl(st->ep, EPOLL_CTL_ADD, sl->io.fd, &ev) != 0)
		err = EXPO_ESYS;
	if (err < 0) {
		ctx_status(ctx, STATUS_ERROR, "connect: %s",
			   expo_strerror(err));
		slot_close(st, sl);
		return err;
	}
	sl->active = true;
	return 0;
}

static int tn_start(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;
	unsigned i;
	int err;

	for (i = 0; i < TN_SLOTS; i++)
		rawio_init(&st->s[i].io, TN_IN_MAX,
			   TELNET_REPLY_MAX + 2 * TN_LINE_MAX);
	st->ep = epoll_create1(EPOLL_CLOEXEC);
	if (st->ep < 0)
		return EXPO_ESYS;
	st->ep_made = true;
	ctx_phase(ctx, "negotiation");
	/* one connection first: the prompt, before any login */
	err = slot_open(ctx, st, &st->s[0]);
	if (err < 0)
		close_all(st);
	return err;
}

static int finish(struct telnet_probe *st)
{
	st->done = true;
	st->stop = true;
	close_all(st);
	return PROBE_DONE;
}

/* a line as the NVT wants it: CR LF at the end, 255 doubled, a bare CR
 * as CR NUL; false if it does not fit */
static bool send_line(struct tn_slot *sl, const char *s)
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
	sl->tlen = 0; /* the verdict reads what follows this line */
	return rawio_queue(&sl->io, out, o) == 0;
}

/* a pair that fits a line: no line break in it */
static bool usable(const char *u, const char *p)
{
	return u != NULL && u[0] != '\0' && strlen(u) < TN_LINE_MAX / 2 &&
	       strpbrk(u, "\r\n") == NULL &&
	       (p == NULL ||
		(strlen(p) < TN_LINE_MAX / 2 && strpbrk(p, "\r\n") == NULL));
}

/* the next pair into the slot (the canary first); false if none */
static bool next_pair(struct check_ctx *ctx, struct telnet_probe *st,
		      struct tn_slot *sl)
{
	const char *u = NULL, *p = NULL;

	sl->user = sl->pass = NULL;
	sl->is_canary = false;
	if (st->stop || !ctx_login_allowed(ctx))
		return false;
	if (!st->canary_done) {
		st->canary_done = true;
		if (ctx_canary(ctx, &u, &p) > 0 && usable(u, p)) {
			sl->is_canary = true;
			goto set;
		}
	}
	for (;;) {
		if (ctx_next_cred(ctx, &u, &p) <= 0) {
			st->stop = true;
			return false;
		}
		if (usable(u, p))
			break;
		ctx_cred_result(ctx, u, CRED_FAILED);
	}
set:
	sl->conns = 0;
	sl->user = u;
	sl->pass = p != NULL ? p : "";
	st->attempts++;
	return true;
}

static int record_prompt(struct check_ctx *ctx, struct telnet_probe *st,
			 const struct tn_slot *sl)
{
	cJSON *f = ctx_facts(ctx);
	char line[160];

	telnet_wire_last_line(sl->text, sl->tlen, line, sizeof(line));
	st->prompt_seen = true;
	if (!cJSON_AddBoolToObject(f, "login_prompt", true) ||
	    !cJSON_AddStringToObject(f, "prompt", line) ||
	    !cJSON_AddNumberToObject(f, "negotiated", sl->tn.commands))
		return EXPO_ENOMEM;
	return 0;
}

static int record_login(struct check_ctx *ctx, const struct tn_slot *sl,
			bool asked_password)
{
	cJSON *f = ctx_facts(ctx), *arr, *o;
	char proof[160];

	telnet_wire_last_line(sl->text, sl->tlen, proof, sizeof(proof));
	if (sl->is_canary)
		return cJSON_AddBoolToObject(f, "accepts_any", true) &&
				       cJSON_AddStringToObject(f, "canary_user",
							       sl->user) &&
				       cJSON_AddStringToObject(
					       f, "canary_password",
					       sl->pass) &&
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
	if (!cJSON_AddStringToObject(o, "user", sl->user) ||
	    !cJSON_AddStringToObject(o, "password",
				     asked_password ? sl->pass : "") ||
	    !cJSON_AddBoolToObject(o, "password_asked", asked_password) ||
	    !cJSON_AddBoolToObject(o, "last_login",
				   memmem(sl->text, sl->tlen, "ast login", 9) !=
					   NULL) ||
	    !cJSON_AddStringToObject(o, "proof", proof))
		return EXPO_ENOMEM;
	return 0;
}

static void result(struct check_ctx *ctx, const struct tn_slot *sl,
		   enum cred_result r)
{
	if (!sl->is_canary && sl->user != NULL)
		ctx_cred_result(ctx, sl->user, r);
}

/* after a verdict: the slot's next pair, on its connection while it is
 * open (login(1) asks again), else on a new one; or the slot ends */
static int next_attempt(struct check_ctx *ctx, struct telnet_probe *st,
			struct tn_slot *sl)
{
	sl->stage = TELNET_BEFORE_USER;
	sl->since = now_ms();
	if (!next_pair(ctx, st, sl)) {
		slot_close(st, sl);
		return 0;
	}
	return sl->io.eof ? slot_open(ctx, st, sl) : 0;
}

/* feeds what arrived; answers go out with the next pump. 0, or < 0 when
 * the probe ends (status recorded) */
static int take_input(struct check_ctx *ctx, struct telnet_probe *st,
		      struct tn_slot *sl)
{
	uint8_t reply[TELNET_REPLY_MAX];
	size_t n = dynbuf_len(&sl->io.in), rlen = 0;
	int err;

	/* no sl->since here: a drip of bytes does not extend a window */
	if (n == 0)
		return 0;
	sl->total += n;
	if (sl->total > TN_CONN_MAX) {
		ctx_status(ctx, STATUS_ERROR,
			   "%s: over %u bytes without a verdict",
			   st->prompt_seen ? "login" : "negotiation",
			   TN_CONN_MAX);
		return EXPO_ETOOBIG;
	}
	err = telnet_wire_feed(&sl->tn, (const uint8_t *)dynbuf_ptr(&sl->io.in),
			       n, sl->text, &sl->tlen, sizeof(sl->text), reply,
			       &rlen, sizeof(reply));
	dynbuf_consume(&sl->io.in, n);
	if (err == TELNET_WIRE_ENDLESS) {
		ctx_status(ctx, STATUS_ERROR,
			   "negotiation: the server did not stop negotiating "
			   "options (%u commands)",
			   sl->tn.commands);
		return EXPO_EPROTO;
	}
	if (rlen > 0 && rawio_queue(&sl->io, reply, rlen) < 0) {
		ctx_status(ctx, STATUS_ERROR, "negotiation: answers too long");
		return EXPO_ETOOBIG;
	}
	return 0;
}

/* the verdict of the slot's text so far: 0 (acted or wait), or < 0 */
static int decide(struct check_ctx *ctx, struct telnet_probe *st,
		  struct tn_slot *sl)
{
	enum telnet_verdict v =
		telnet_wire_verdict(sl->text, sl->tlen, sl->stage);
	int err;

	switch (sl->stage) {
	case TELNET_BEFORE_USER:
		if (v == TELNET_MORE)
			return 0;
		if (!st->prompt_seen && (err = record_prompt(ctx, st, sl)) < 0)
			return err;
		if (v == TELNET_PASSWORD) {
			/* a password alone: no user name to try */
			st->stop = true;
			slot_close(st, sl);
			return 0;
		}
		if (sl->user == NULL && !next_pair(ctx, st, sl)) {
			slot_close(st, sl);
			return 0;
		}
		sl->stage = TELNET_AFTER_USER;
		sl->since = now_ms();
		return send_line(sl, sl->user) ? 0 : EXPO_ETOOBIG;
	case TELNET_AFTER_USER:
		if (v == TELNET_PASSWORD) {
			sl->stage = TELNET_AFTER_PASSWORD;
			sl->since = now_ms();
			return send_line(sl, sl->pass) ? 0 : EXPO_ETOOBIG;
		}
		if (v == TELNET_SHELL) {
			/* in without a password */
			result(ctx, sl, CRED_ACCEPTED);
			st->stop = st->found = true;
			err = record_login(ctx, sl, false);
			slot_close(st, sl);
			return err;
		}
		break;
	case TELNET_AFTER_PASSWORD:
		if (v == TELNET_SHELL) {
			result(ctx, sl, CRED_ACCEPTED);
			st->stop = st->found = true;
			err = record_login(ctx, sl, true);
			slot_close(st, sl);
			return err;
		}
		break;
	}
	if (v == TELNET_LOCKED) {
		result(ctx, sl, CRED_LOCKED);
		ctx_status(ctx, STATUS_OPEN,
			   "login: the server says the account is locked");
		st->stop = true;
		slot_close(st, sl);
		return 0;
	}
	if (v == TELNET_FAILED) {
		result(ctx, sl, CRED_FAILED);
		return next_attempt(ctx, st, sl);
	}
	return 0;
}

/* the end of a slot's connection, or its silence past its window */
static int slot_idle(struct check_ctx *ctx, struct telnet_probe *st,
		     struct tn_slot *sl, uint64_t now)
{
	unsigned window = sl->stage == TELNET_AFTER_PASSWORD
				  ? TN_VERDICT_MS
				  : ctx_timeout_ms(ctx);

	if (sl->io.eof) {
		if (!st->prompt_seen) {
			ctx_status(ctx, STATUS_ERROR,
				   "negotiation: connection closed before a "
				   "login prompt");
			return EXPO_ECLOSED;
		}
		if (sl->stage != TELNET_BEFORE_USER) {
			/* closed without a verdict: no proof */
			result(ctx, sl, CRED_FAILED);
			return next_attempt(ctx, st, sl);
		}
		if (sl->user == NULL || sl->conns > 1) {
			/* one new connection per pair: a server that hangs
			 * up before its prompt is not dialled for ever */
			slot_close(st, sl);
			return 0;
		}
		return slot_open(ctx, st, sl);
	}
	/* since may be later than the step's start: read the clock */
	now = now_ms();
	if (now < sl->since || now - sl->since < window)
		return 0;
	if (!st->prompt_seen) {
		ctx_status(ctx, STATUS_TIMEOUT,
			   "negotiation: no login prompt within %u ms "
			   "(--timeout)",
			   window);
		return EXPO_EIO;
	}
	if (sl->stage != TELNET_BEFORE_USER)
		result(ctx, sl, CRED_FAILED);
	ctx_status(ctx, STATUS_TIMEOUT, "login: no verdict within %u ms",
		   window);
	slot_close(st, sl);
	return 0;
}

/* one slot's I/O, input and verdicts */
static int slot_step(struct check_ctx *ctx, struct telnet_probe *st,
		     struct tn_slot *sl, uint64_t now)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = sl };
	unsigned rounds;
	size_t n;
	int rc, err = 0;

	for (rounds = 0; rounds < 8; rounds++) {
		rc = rawio_pump(ctx, &sl->io,
				st->prompt_seen ? "login" : "negotiation");
		if (rc > 0)
			return 0; /* connecting: registered with EPOLLOUT */
		if (rc < 0)
			return rc; /* the error is recorded */
		n = dynbuf_len(&sl->io.in);
		err = take_input(ctx, st, sl);
		if (err == 0)
			err = decide(ctx, st, sl);
		if (err < 0 || !sl->active)
			return err;
		if (sl->io.eof) {
			err = slot_idle(ctx, st, sl, now);
			/* closed, or a new connection registered */
			if (err < 0 || !sl->active || sl->io.connecting)
				return err;
			continue;
		}
		/* news or bytes to send: another round sends and reads */
		if (n == 0 && rawio_flushed(&sl->io)) {
			err = slot_idle(ctx, st, sl, now);
			if (err < 0 || !sl->active)
				return err;
			break;
		}
	}
	/* EPOLLOUT only while bytes wait: else it would spin */
	if (!rawio_flushed(&sl->io))
		ev.events |= EPOLLOUT;
	if (epoll_ctl(st->ep, EPOLL_CTL_MOD, sl->io.fd, &ev) != 0)
		return EXPO_ESYS;
	return 0;
}

static int tn_step(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;
	uint64_t now = now_ms();
	unsigned i, active = 0, canary = 0;
	int err = 0;

	if (st->done)
		return PROBE_DONE;
	for (i = 0; i < TN_SLOTS && err >= 0; i++)
		if (st->s[i].active)
			err = slot_step(ctx, st, &st->s[i], now);
	if (err < 0)
		return finish(st);
	/* the prompt seen: fill the idle slots with the next pairs */
	for (i = 0; i < TN_SLOTS && st->prompt_seen && !st->stop; i++) {
		struct tn_slot *sl = &st->s[i];

		if (sl->active)
			continue;
		if (!next_pair(ctx, st, sl))
			break;
		if (slot_open(ctx, st, sl) < 0)
			return finish(st);
	}
	for (i = 0; i < TN_SLOTS; i++) {
		active += st->s[i].active;
		canary += st->s[i].active && st->s[i].is_canary;
	}
	/* found: the attempts still under way add nothing, but the
	 * canary's verdict says whether the server lets anyone in */
	if (active == 0 || (st->found && canary == 0))
		return finish(st);
	/* the windows are the module's (per connection): the engine's
	 * phase clock is kept alive, and a tick checks the windows */
	ctx_phase(ctx, st->prompt_seen ? "login" : "negotiation");
	ctx_set_fd(ctx, st->ep);
	ctx_wake_after(ctx, TN_TICK_MS);
	return PROBE_WANT_READ | PROBE_WANT_TIMER;
}

static void tn_cleanup(struct check_ctx *ctx, void *state)
{
	struct telnet_probe *st = state;

	(void)ctx;
	close_all(st);
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
