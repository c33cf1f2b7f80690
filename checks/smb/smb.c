/*
 * smb.c - the SMB check: SMB1, signing, null session, guest access,
 * anonymously readable shares and weak credentials of an SMB server.
 *
 * What it sends, in order:
 *  1. "smb1 negotiate" (step, own socket): one SMB1 NEGOTIATE offering
 *     only "NT LM 0.12"; an SMB1 answer with DialectIndex 0 means SMB1 is
 *     on, an SMB2 answer, "no dialect", a reset or EOF means it is off
 *     (MS-SMB2 3.3.5.3.2: such a server disconnects without answering).
 *  2. "smb2 negotiate" (step, own socket): one SMB2 NEGOTIATE offering
 *     2.0.2, 2.1, 3.0, 3.0.2 and 3.1.1 with the 3.1.1 contexts. The raw
 *     SecurityMode bits the server sent are the signing verdict (never
 *     "3.1.1 implies signing required": impacket's mistake, NetExec#1298);
 *     dialect, server GUID and capabilities are kept as evidence.
 *  3. The blocking lane (run(), libsmbclient, one SMBCCTX per run):
 *     "null session": empty user and password, IPC$ and the share list;
 *     "anonymous shares": a directory listing of each disk share, nothing
 *     written; unless --no-login, "guest": the ctx's random user and
 *     password (the canary: accepted = mapped to guest, and then no
 *     credential finding is claimed for the host), the shares again as
 *     guest; then "login N": the pairs the ctx hands out, one new
 *     session each. A locked-out or disabled account stops every attempt
 *     on the host (CRED_LOCKED) and is reported.
 * It logs in (phase 3); a successful login is a session setup (then a
 * tree connect to a share that does not exist): no file is opened for
 * writing, no RPC beyond NetShareEnumAll for the share lists.
 *
 * libsmbclient returns only an errno, and the same EACCES for a wrong
 * password, a disabled account and a refused tree connect; the verdict of
 * a session setup is read from the library's own debug messages (level 4:
 * " session setup ok", " tconx ok", "login failed: <NT status text>"),
 * which go to a log callback. libsmbclient keeps its configuration, debug
 * level and that callback process-global (smbc_new_context() calls
 * lp_set_cmdline(); freeing the last context frees every global), so
 * max_parallel is 1: run() calls never overlap. The library still reads
 * ~/.smb/smb.conf or /etc/samba/smb.conf at its first use; every context
 * then loads our own pinned client settings over them (lib_conf()).
 *
 * References: MS-CIFS 2.2.4.52, MS-SMB2 2.2.3/2.2.4/3.3.5.3, PROBES.md
 * c.2; nmap smb-protocols, smb2-security-mode, smb-enum-shares,
 * smb-brute; OpenVAS 804449 (IPC$ tree connect as the null session test).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>
#include "check.h"
#include "facts.h"
#include "netio.h"
#include "dynbuf.h"
#include "expo.h"
#include "log.h"
#include "smb_wire.h"

#if defined(__has_include)
#if __has_include(<libsmbclient.h>)
#include "smb_lib.h" /* libsmbclient, loaded at the first session */
#define HAVE_LIBSMBCLIENT 1
#endif
#endif

#define SMB_EVIDENCE_MAX 4096
#define SMB_MAX_SHARES 64     /* shares kept from a listing */
#define SMB_MAX_ENTRIES 1000  /* directory entries counted per share */
#define SMB_SAMPLE 5	      /* entry names kept as evidence */
#define SMB_MAX_CONN_ERRORS 2 /* logins without a verdict in a row */
/*
 * Logins and the canary open this (absent) share: the session setup is
 * all that is judged, and a tree connect that fails with
 * BAD_NETWORK_NAME costs nothing, while a successful IPC$ connect makes
 * libsmbclient go on to RPC (0.1-0.5 s per accepted login on Samba).
 */
#define SMB_NO_SHARE "xpnoshare"

enum smb_phase {
	PH_SMB1_CONNECT = 0,
	PH_SMB1_IO,
	PH_SMB2_CONNECT,
	PH_SMB2_IO,
	PH_DONE,
};

/* what the library's debug messages said about the last attempt */
enum smb_verdict {
	V_NONE = 0, /* nothing seen: a connection-level failure */
	V_REJECTED, /* login failed (wrong user or password) */
	V_LOCKED,   /* account locked out */
	V_DISABLED, /* account disabled */
	V_EXPIRED,  /* the password was right but has expired */
	V_SESSION,  /* session setup ok */
};

struct smb_probe {
	enum smb_phase phase;
	int fd;
	struct dynbuf in;
	uint8_t req[SMB_REQ_MAX];
	size_t reqlen, sent;
	bool smb1_answered, smb2_answered;
	bool smb1_on;
	bool waited; /* the engine waited for the connect */

	/* run() */
	char host[INET6_ADDRSTRLEN + 2]; /* "[::1]" for URLs */
	const char *user, *pass;	 /* for the auth callback */
	enum smb_verdict verdict;
	bool tcon_ok;
	char login_text[160]; /* the library's "login failed" reason */
};

/* ---- facts ---- */

/* the array facts[key], created when missing; NULL on ENOMEM */
static cJSON *fact_array(cJSON *facts, const char *key)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, key);

	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(facts, key);
		arr = cJSON_AddArrayToObject(facts, key);
	}
	return arr;
}

/* a new object appended to facts[key]; NULL on ENOMEM */
static cJSON *fact_push(cJSON *facts, const char *key)
{
	cJSON *arr = fact_array(facts, key), *o = NULL;

	if (arr == NULL)
		goto out;
	o = cJSON_CreateObject();
	if (o != NULL && !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		o = NULL;
	}
out:
	return o;
}

static int record_smb1(cJSON *facts, const struct smb1_negotiate *n)
{
	char buf[64];
	int err;

	err = fact_set_bool(facts, "smb1", n->dialect_index == 0);
	if (err || n->dialect_index != 0)
		goto out;
	err = fact_set_str(facts, "smb1_dialect", "NT LM 0.12");
	err = keep_err(err, fact_set_num(facts, "smb1_security_mode",
					 n->security_mode));
	err = keep_err(
		err, fact_set_bool(facts, "smb1_signing_required",
				   n->security_mode & SMB1_SEC_SIGN_REQUIRED));
	snprintf(buf, sizeof(buf), "0x%08x", n->capabilities);
	err = keep_err(err, fact_set_str(facts, "smb1_capabilities", buf));
	if (n->have_guid) {
		smb_wire_guid_text(n->server_guid, buf, sizeof(buf));
		err = keep_err(err, fact_set_str(facts, "server_guid", buf));
	}
out:
	return err;
}

static int record_smb2(cJSON *facts, const struct smb2_negotiate *n)
{
	const char *d = smb_wire_dialect_name(n->dialect);
	char buf[256];
	int err;

	if (d == NULL) {
		snprintf(buf, sizeof(buf), "0x%04x", n->dialect);
		d = buf;
	}
	err = fact_set_str(facts, "dialect", d);
	err = keep_err(err,
		       fact_set_num(facts, "security_mode", n->security_mode));
	err = keep_err(err,
		       fact_set_bool(facts, "signing_enabled",
				     n->security_mode & SMB2_SIGN_ENABLED));
	err = keep_err(err,
		       fact_set_bool(facts, "signing_required",
				     n->security_mode & SMB2_SIGN_REQUIRED));
	smb_wire_guid_text(n->server_guid, buf, sizeof(buf));
	err = keep_err(err, fact_set_str(facts, "server_guid", buf));
	snprintf(buf, sizeof(buf), "0x%08x", n->capabilities);
	err = keep_err(err, fact_set_str(facts, "capabilities", buf));
	smb_wire_caps_text(n->capabilities, buf, sizeof(buf));
	err = keep_err(err, fact_set_str(facts, "capability_names", buf));
	if (n->cipher)
		err = keep_err(err, fact_set_num(facts, "cipher", n->cipher));
	if (n->signing_alg || n->dialect == 0x0311)
		err = keep_err(err, fact_set_num(facts, "signing_algorithm",
						 n->signing_alg));
	return err;
}

/* ---- step(): the two negotiations ---- */

static void raw_close(struct smb_probe *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	dynbuf_reset(&st->in);
	st->sent = 0;
}

static void random_bytes(uint8_t *b, size_t n)
{
	size_t i;

	if (getrandom(b, n, GRND_NONBLOCK) == (ssize_t)n)
		return;
	for (i = 0; i < n; i++) /* a GUID and a salt: uniqueness only */
		b[i] = (uint8_t)(i * 131u + (uintptr_t)b);
}

/* starts the connection of one negotiation */
static int open_conn(struct check_ctx *ctx, struct smb_probe *st,
		     enum smb_phase next, const char *phase)
{
	int err;

	raw_close(st);
	ctx_phase(ctx, phase);
	if (next == PH_SMB1_IO) {
		st->reqlen =
			smb_wire_smb1_negotiate_req(st->req, sizeof(st->req));
	} else {
		uint8_t guid[16], salt[32];

		random_bytes(guid, sizeof(guid));
		random_bytes(salt, sizeof(salt));
		st->reqlen = smb_wire_smb2_negotiate_req(
			st->req, sizeof(st->req), guid, salt);
	}
	err = ctx_connect(ctx, &st->fd);
	if (err < 0) {
		st->fd = -1;
		goto out;
	}
	ctx_set_fd(ctx, st->fd);
	st->phase = next - 1; /* the *_CONNECT phase before next */
	st->waited = true;    /* what a step() returns next is waited on */
	err = PROBE_WANT_WRITE;
out:
	return err;
}

/*
 * Sends what is left of the request and reads what is there. 0 and
 * *eof / *reset, or an errno value.
 */
static int raw_io(struct smb_probe *st, bool *eof, bool *reset)
{
	int err;

	err = netio_send(st->fd, st->req, st->reqlen, &st->sent);
	if (err == ECONNRESET || err == EPIPE) {
		*reset = true;
		return 0;
	}
	if (err != 0 && err != EAGAIN)
		return err;
	err = netio_recv(st->fd, &st->in, eof);
	if (err == ECONNRESET) {
		*reset = true;
		err = 0;
	}
	return err;
}

static int wait_more(struct check_ctx *ctx, struct smb_probe *st)
{
	ctx_set_fd(ctx, st->fd);
	return st->sent < st->reqlen ? PROBE_WANT_RW : PROBE_WANT_READ;
}

/* SMB1 answered (or refused): record it and go on to SMB2 */
static int smb1_result(struct check_ctx *ctx, struct smb_probe *st,
		       const char *why)
{
	cJSON *facts = ctx_facts(ctx);
	int err = 0;

	if (why != NULL) {
		err = fact_set_bool(facts, "smb1", false);
		err = keep_err(err, fact_set_str(facts, "smb1_refused", why));
	}
	if (err < 0)
		return err;
	return open_conn(ctx, st, PH_SMB2_IO, "smb2 negotiate");
}

static int step_smb1(struct check_ctx *ctx, struct smb_probe *st)
{
	const uint8_t *pdu = NULL;
	size_t pdulen = 0, used = 0;
	struct smb1_negotiate n;
	bool eof = false, reset = false;
	int err, rc;

	err = raw_io(st, &eof, &reset);
	if (err == EMSGSIZE) {
		rc = smb1_result(ctx, st,
				 "more data than a negotiate "
				 "response");
		goto out;
	}
	if (err) {
		rc = smb1_result(ctx, st, strerror(err));
		goto out;
	}
	err = smb_wire_frame(dynbuf_ptr(&st->in), dynbuf_len(&st->in), &pdu,
			     &pdulen, &used);
	if (err == SMB_WIRE_MORE && !eof && !reset) {
		rc = wait_more(ctx, st);
		goto out;
	}
	if (err == SMB_WIRE_MORE) {
		/* MS-SMB2 3.3.5.3.2: a server without SMB1 hangs up */
		rc = smb1_result(ctx, st,
				 reset ? "connection reset"
				       : "connection closed without an answer");
		goto out;
	}
	if (err) {
		rc = smb1_result(ctx, st, "not an SMB frame");
		goto out;
	}
	err = smb_wire_smb1_negotiate(pdu, pdulen, &n);
	if (err == SMB_WIRE_SMB2) {
		st->smb1_answered = true;
		rc = smb1_result(ctx, st, "answered in SMB2");
	} else if (err == EXPO_EPROTO) {
		st->smb1_answered = true;
		rc = smb1_result(ctx, st, "SMB1 error status");
	} else if (err) {
		rc = smb1_result(ctx, st, "malformed SMB1 negotiate response");
	} else {
		st->smb1_answered = true;
		st->smb1_on = n.dialect_index == 0;
		rc = record_smb1(ctx_facts(ctx), &n);
		if (rc == 0 && !st->smb1_on)
			rc = fact_set_str(ctx_facts(ctx), "smb1_refused",
					  "no dialect accepted");
		if (rc == 0)
			rc = smb1_result(ctx, st, NULL);
	}
out:
	return rc;
}

static int smb2_fail(struct check_ctx *ctx, struct smb_probe *st,
		     const char *why)
{
	int err = fact_set_str(ctx_facts(ctx), "smb2_error", why);

	raw_close(st);
	st->phase = PH_DONE;
	if (!st->smb1_answered && !st->smb2_answered)
		ctx_status(
			ctx, STATUS_ERROR,
			"not an SMB server: SMB1 "
			"negotiate: %s; SMB2 negotiate: %s",
			fact_get_str(ctx_facts(ctx), "smb1_refused")
				? fact_get_str(ctx_facts(ctx), "smb1_refused")
				: "?",
			why);
	return err < 0 ? err : PROBE_DONE;
}

static int step_smb2(struct check_ctx *ctx, struct smb_probe *st)
{
	const uint8_t *pdu = NULL;
	size_t pdulen = 0, used = 0;
	struct smb2_negotiate n;
	bool eof = false, reset = false;
	char buf[64];
	int err, rc;

	err = raw_io(st, &eof, &reset);
	if (err) {
		rc = smb2_fail(ctx, st,
			       err == EMSGSIZE
				       ? "more data than a negotiate response"
				       : strerror(err));
		goto out;
	}
	err = smb_wire_frame(dynbuf_ptr(&st->in), dynbuf_len(&st->in), &pdu,
			     &pdulen, &used);
	if (err == SMB_WIRE_MORE && !eof && !reset) {
		rc = wait_more(ctx, st);
		goto out;
	}
	if (err == SMB_WIRE_MORE) {
		rc = smb2_fail(ctx, st,
			       reset ? "connection reset"
				     : "connection closed without an answer");
		goto out;
	}
	if (err) {
		rc = smb2_fail(ctx, st, "not an SMB frame");
		goto out;
	}
	err = smb_wire_smb2_negotiate(pdu, pdulen, &n);
	if (err == EXPO_EPROTO) {
		st->smb2_answered = true;
		snprintf(buf, sizeof(buf), "error status 0x%08x", n.status);
		rc = smb2_fail(ctx, st, buf);
		goto out;
	}
	if (err) {
		rc = smb2_fail(ctx, st, "malformed SMB2 negotiate response");
		goto out;
	}
	st->smb2_answered = true;
	rc = record_smb2(ctx_facts(ctx), &n);
	raw_close(st);
	st->phase = PH_DONE;
	if (rc == 0)
		rc = PROBE_DONE;
out:
	return rc;
}

static int smb_start(struct check_ctx *ctx, void *state)
{
	struct smb_probe *st = state;
	int rc;

	st->fd = -1;
	dynbuf_init(&st->in, SMB_PDU_MAX + 8);
	rc = open_conn(ctx, st, PH_SMB1_IO, "smb1 negotiate");
	st->waited = false; /* start()'s return is not a wait */
	if (rc < 0)
		dynbuf_release(&st->in);
	return rc < 0 ? rc : 0;
}

static int smb_step(struct check_ctx *ctx, void *state)
{
	struct smb_probe *st = state;
	int rc = PROBE_DONE, err;

	switch (st->phase) {
	case PH_SMB1_CONNECT:
	case PH_SMB2_CONNECT:
		if (!st->waited) { /* right after start() */
			st->waited = true;
			ctx_set_fd(ctx, st->fd);
			rc = PROBE_WANT_WRITE;
			break;
		}
		err = connect_error(st->fd);
		if (err && st->phase == PH_SMB1_CONNECT) {
			rc = smb1_result(ctx, st, strerror(err));
			break;
		}
		if (err) {
			rc = smb2_fail(ctx, st, strerror(err));
			break;
		}
		st->phase++;
		rc = wait_more(ctx, st);
		break;
	case PH_SMB1_IO:
		rc = step_smb1(ctx, st);
		break;
	case PH_SMB2_IO:
		rc = step_smb2(ctx, st);
		break;
	case PH_DONE:
		rc = PROBE_DONE;
		break;
	}
	return rc;
}

static void smb_cleanup(struct check_ctx *ctx, void *state)
{
	struct smb_probe *st = state;

	(void)ctx;
	raw_close(st);
	dynbuf_release(&st->in);
}

/* ---- run(): sessions and shares through libsmbclient ---- */

#ifdef HAVE_LIBSMBCLIENT

static void smb_log(void *priv, int level, const char *msg)
{
	struct smb_probe *st = priv;
	const char *p;

	/* errors and warnings to our log (escaped, -v); the chatter of
	 * level 2 and above only feeds the verdict below */
	if (level <= 1 && msg != NULL)
		expo_log("smb: libsmbclient", "%s", msg);
	if (st == NULL || msg == NULL)
		return;
	if (strstr(msg, " session setup ok") != NULL) {
		st->verdict = V_SESSION;
	} else if (strstr(msg, " tconx ok") != NULL) {
		st->tcon_ok = true;
	} else if ((p = strstr(msg, "login failed: ")) != NULL) {
		p += strlen("login failed: ");
		snprintf(st->login_text, sizeof(st->login_text), "%.*s",
			 (int)strcspn(p, "\r\n"), p);
		if (strstr(p, "locked") != NULL)
			st->verdict = V_LOCKED;
		else if (strstr(p, "disabled") != NULL)
			st->verdict = V_DISABLED;
		else if (strstr(p, "expired") != NULL ||
			 strstr(p, "must be changed") != NULL)
			st->verdict = V_EXPIRED;
		else
			st->verdict = V_REJECTED;
	}
}

static void smb_auth(SMBCCTX *c, const char *srv, const char *shr, char *wg,
		     int wglen, char *un, int unlen, char *pw, int pwlen)
{
	struct smb_probe *st = smbc_getOptionUserData(c);

	(void)srv;
	(void)shr;
	snprintf(wg, (size_t)wglen, "%s", "WORKGROUP");
	snprintf(un, (size_t)unlen, "%s", st && st->user ? st->user : "");
	snprintf(pw, (size_t)pwlen, "%s", st && st->pass ? st->pass : "");
}

static unsigned attempt_timeout(struct check_ctx *ctx)
{
	unsigned t = ctx_timeout_ms(ctx), r = ctx_remaining_ms(ctx);

	return r < t ? r : t;
}

/* a fresh attempt as user/pass: no cached connection, no verdict yet */
static void attempt_begin(struct check_ctx *ctx, SMBCCTX *c,
			  struct smb_probe *st, const char *user,
			  const char *pass)
{
	unsigned t;

	/* --host-rate: each attempt is a new connection */
	ctx_host_wait(ctx);
	t = attempt_timeout(ctx);
	smbc_getFunctionPurgeCachedServers(c)(c);
	st->user = user;
	st->pass = pass;
	st->verdict = V_NONE;
	st->tcon_ok = false;
	st->login_text[0] = '\0';
	/* the library's floor is 1 s; the engine still records a late
	 * return as a timeout */
	smbc_setTimeout(c, (int)(t < 1000 ? 1000 : t));
}

/*
 * Freeing the last context runs the library's module teardown, which
 * leaks its log file name (debug_set_logfile, Samba 4.17) and re-reads
 * smb.conf at the next smbc_new_context(). One idle, initialised context
 * that lives as long as the process keeps the library initialised: the
 * only process-wide state here, written once.
 */
static pthread_once_t smb_lib_once = PTHREAD_ONCE_INIT;
static SMBCCTX *smb_lib_anchor;
static char smb_lib_conf[64] = "/dev/null";

/*
 * The client settings, pinned: loading an empty file does not undo what
 * the library read from ~/.smb/smb.conf or /etc/samba/smb.conf at its
 * first use (a "client ntlmv2 auth = no" there survived it and made every
 * login fail), while explicit values do. Kept in a memfd, so nothing is
 * written to disk.
 */
static const char smb_conf_text[] = "[global]\n"
				    "\tclient ntlmv2 auth = yes\n"
				    "\tclient lanman auth = no\n"
				    "\tclient plaintext auth = no\n"
				    "\tclient use spnego = yes\n"
				    "\tclient use kerberos = off\n"
				    "\tclient signing = default\n"
				    "\tclient ipc signing = default\n"
				    "\tclient smb encrypt = default\n"
				    "\tclient protection = default\n"
				    "\tname resolve order = host\n"
				    "\tworkgroup = WORKGROUP\n"
				    "\tnetbios name = EXPOSURE\n";

static void lib_conf(void)
{
	int fd = memfd_create("exposure-smb.conf", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, smb_conf_text, sizeof(smb_conf_text) - 1) !=
	    (ssize_t)(sizeof(smb_conf_text) - 1)) {
		close(fd);
		return;
	}
	/* open for the life of the process: the library reads it by name */
	snprintf(smb_lib_conf, sizeof(smb_lib_conf), "/proc/self/fd/%d", fd);
}

static void lib_anchor(void)
{
	SMBCCTX *c = NULL;

	lib_conf();
	/* the first smbc_new_context() sets Samba's logging to stdout (our
	 * report) and reads smb.conf, whose complaints it prints there:
	 * the callback (global, the context unused) must come first */
	smbc_setLogCallback(NULL, NULL, smb_log);
	c = smbc_new_context();
	if (c == NULL)
		return;
	smbc_setOptionDebugToStderr(c, 1);
	smbc_setDebug(c, 0);
	smbc_setConfiguration(c, smb_lib_conf);
	smbc_setOptionUserData(c, NULL);
	smbc_setFunctionAuthDataWithContext(c, smb_auth);
	smbc_setUser(c, "");
	smbc_setNetbiosName(c, "EXPOSURE");
	smbc_setWorkgroup(c, "WORKGROUP");
	if (smbc_init_context(c) == NULL)
		smbc_free_context(c, 1);
	else
		smb_lib_anchor = c;
}

static SMBCCTX *lib_open(struct check_ctx *ctx, struct smb_probe *st)
{
	SMBCCTX *c = NULL;

	pthread_once(&smb_lib_once, lib_anchor);
	if (smb_lib_anchor == NULL) /* the library cannot start at all */
		goto out;
	c = smbc_new_context();

	if (c == NULL)
		goto out;
	smbc_setLogCallback(c, st, smb_log);
	/* replace whatever smb.conf the library loaded: pinned settings */
	smbc_setConfiguration(c, smb_lib_conf);
	smbc_setDebug(c, 4); /* " session setup ok" is level 4 */
	smbc_setOptionUserData(c, st);
	smbc_setFunctionAuthDataWithContext(c, smb_auth);
	smbc_setOptionNoAutoAnonymousLogin(c, 1);
	smbc_setOptionUseKerberos(c, 0);
	smbc_setOptionFallbackAfterKerberos(c, 1);
	smbc_setOptionUseCCache(c, 0);
	smbc_setOptionProtocols(c, st->smb1_on ? "NT1" : "SMB2_02", "SMB3");
	smbc_setWorkgroup(c, "WORKGROUP");
	smbc_setNetbiosName(c, "EXPOSURE");
	smbc_setUser(c, "");
	smbc_setPort(c, ctx_port(ctx));
	smbc_setTimeout(c, (int)attempt_timeout(ctx));
	if (smbc_init_context(c) == NULL) {
		smbc_setLogCallback(c, NULL, smb_log);
		smbc_free_context(c, 1);
		c = NULL;
	}
out:
	return c;
}

static void lib_close(SMBCCTX *c)
{
	if (c == NULL)
		return;
	smbc_getFunctionPurgeCachedServers(c)(c);
	/* the callback is global: it must not outlive our state */
	smbc_setLogCallback(c, NULL, smb_log);
	smbc_free_context(c, 1);
}

static const char *share_type(unsigned t)
{
	switch (t) {
	case SMBC_FILE_SHARE:
		return "disk";
	case SMBC_PRINTER_SHARE:
		return "printer";
	case SMBC_IPC_SHARE:
		return "ipc";
	default:
		return "other";
	}
}

/* lists smb://host/ (IPC$ + NetShareEnumAll) into facts "shares" (new
 * names only); true when the listing succeeded */
static bool list_shares(struct smb_probe *st, SMBCCTX *c, cJSON *facts,
			int *err)
{
	char url[sizeof(st->host) + 16];
	struct smbc_dirent *de;
	cJSON *arr = NULL;
	SMBCFILE *d;
	bool ok = false;

	*err = 0;
	snprintf(url, sizeof(url), "smb://%s/", st->host);
	d = smbc_getFunctionOpendir(c)(c, url);
	if (d == NULL)
		goto out;
	ok = true;
	arr = fact_array(facts, "shares");
	if (arr == NULL) {
		*err = EXPO_ENOMEM;
		goto close;
	}
	while ((de = smbc_getFunctionReaddir(c)(c, d)) != NULL) {
		const cJSON *it = NULL;
		bool seen = false;
		cJSON *o;

		if (cJSON_GetArraySize(arr) >= SMB_MAX_SHARES)
			break;
		cJSON_ArrayForEach(it, arr)
		{
			const char *n = fact_get_str(it, "name");

			if (n != NULL && strcmp(n, de->name) == 0)
				seen = true;
		}
		if (seen)
			continue;
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			*err = EXPO_ENOMEM;
			break;
		}
		if (!cJSON_AddStringToObject(o, "name", de->name) ||
		    !cJSON_AddStringToObject(o, "type",
					     share_type(de->smbc_type))) {
			*err = EXPO_ENOMEM;
			break;
		}
	}
close:
	smbc_getFunctionClosedir(c)(c, d);
out:
	return ok;
}

static bool share_readable(const cJSON *facts, const char *name)
{
	const cJSON *it = NULL;
	bool found = false;

	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(facts, "readable_shares"))
	{
		const char *n = fact_get_str(it, "name");

		if (n != NULL && strcmp(n, name) == 0)
			found = true;
	}
	return found;
}

/* a URL-safe share name: the listing's names go into smb:// URLs */
static bool url_safe(const char *s)
{
	return s[0] != '\0' && strcspn(s, "%/?#\\") == strlen(s) &&
	       strlen(s) < 81;
}

/* lists the top directory of each disk share not yet readable, as the
 * attempt's user ("anonymous" or "guest"); nothing is opened for write */
static int read_shares(struct check_ctx *ctx, struct smb_probe *st, SMBCCTX *c,
		       const char *as)
{
	cJSON *facts = ctx_facts(ctx);
	const cJSON *it = NULL;
	int err = 0;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "shares"))
	{
		const char *name = fact_get_str(it, "name");
		const char *type = fact_get_str(it, "type");
		char url[sizeof(st->host) + 100];
		struct smbc_dirent *de;
		cJSON *o, *sample;
		SMBCFILE *d;
		unsigned n = 0;

		if (name == NULL || type == NULL || strcmp(type, "disk") != 0 ||
		    !url_safe(name) || share_readable(facts, name))
			continue;
		if (ctx_remaining_ms(ctx) == 0)
			break;
		attempt_begin(ctx, c, st, st->user, st->pass);
		snprintf(url, sizeof(url), "smb://%s/%s/", st->host, name);
		d = smbc_getFunctionOpendir(c)(c, url);
		if (d == NULL)
			continue;
		o = fact_push(facts, "readable_shares");
		sample = o ? cJSON_AddArrayToObject(o, "sample") : NULL;
		if (sample == NULL ||
		    !cJSON_AddStringToObject(o, "name", name) ||
		    !cJSON_AddStringToObject(o, "as", as)) {
			smbc_getFunctionClosedir(c)(c, d);
			err = EXPO_ENOMEM;
			break;
		}
		while (n < SMB_MAX_ENTRIES &&
		       (de = smbc_getFunctionReaddir(c)(c, d)) != NULL) {
			cJSON *s;

			if (strcmp(de->name, ".") == 0 ||
			    strcmp(de->name, "..") == 0)
				continue;
			if (n++ < SMB_SAMPLE) {
				s = cJSON_CreateString(de->name);
				if (s != NULL &&
				    !cJSON_AddItemToArray(sample, s))
					cJSON_Delete(s);
			}
		}
		cJSON_AddNumberToObject(o, "entries", n);
		cJSON_AddBoolToObject(o, "entries_capped",
				      n >= SMB_MAX_ENTRIES);
		smbc_getFunctionClosedir(c)(c, d);
	}
	return err;
}

static int run_null(struct check_ctx *ctx, struct smb_probe *st, SMBCCTX *c)
{
	cJSON *facts = ctx_facts(ctx);
	bool listed;
	int err = 0;

	ctx_phase(ctx, "null session");
	attempt_begin(ctx, c, st, "", "");
	listed = list_shares(st, c, facts, &err);
	if (err < 0)
		goto out;
	/* the IPC$ tree connect is the proof (OpenVAS 804449); the share
	 * list may still be refused */
	err = fact_set_bool(facts, "null_session", st->tcon_ok || listed);
	err = keep_err(err, fact_set_bool(facts, "null_share_list", listed));
	if (!st->tcon_ok && !listed)
		err = keep_err(
			err,
			fact_set_str(facts, "null_refused",
				     st->verdict == V_SESSION
					     ? "IPC$ tree connect refused"
				     : st->login_text[0]
					     ? st->login_text
					     : "anonymous session refused"));
	if (err < 0)
		goto out;
	ctx_phase(ctx, "anonymous shares");
	err = read_shares(ctx, st, c, "anonymous");
out:
	return err;
}

/* the canary: true when a made-up user was let in (guest) */
static int run_guest(struct check_ctx *ctx, struct smb_probe *st, SMBCCTX *c,
		     bool *guest)
{
	cJSON *facts = ctx_facts(ctx);
	const char *u = NULL, *p = NULL;
	char url[sizeof(st->host) + 32];
	SMBCFILE *d;
	int err = 0;

	*guest = false;
	if (ctx_canary(ctx, &u, &p) <= 0 || u == NULL || p == NULL)
		goto out;
	ctx_phase(ctx, "guest");
	attempt_begin(ctx, c, st, u, p);
	/* the session setup is the verdict (the library's log) */
	snprintf(url, sizeof(url), "smb://%s/" SMB_NO_SHARE "/", st->host);
	d = smbc_getFunctionOpendir(c)(c, url);
	if (d != NULL) {
		smbc_getFunctionClosedir(c)(c, d);
		st->verdict = V_SESSION;
	}
	*guest = st->verdict == V_SESSION;
	err = fact_set_bool(facts, "guest", *guest);
	err = keep_err(err, fact_set_str(facts, "canary_user", u));
	err = keep_err(err, fact_set_str(facts, "canary_password", p));
	if (err < 0 || !*guest)
		goto out;
	/* the share names, unless the null session listed them */
	if (!fact_is_true(facts, "null_share_list")) {
		attempt_begin(ctx, c, st, u, p);
		list_shares(st, c, facts, &err);
		if (err < 0)
			goto out;
	}
	ctx_phase(ctx, "guest shares");
	err = read_shares(ctx, st, c, "guest");
out:
	return err;
}

static int record_login(cJSON *facts, const char *user, const char *pass,
			const char *note)
{
	cJSON *o = fact_push(facts, "logins");
	int err = EXPO_ENOMEM;

	if (o == NULL || !cJSON_AddStringToObject(o, "user", user) ||
	    !cJSON_AddStringToObject(o, "password", pass) ||
	    (note != NULL && !cJSON_AddStringToObject(o, "note", note)))
		goto out;
	err = 0;
out:
	return err;
}

static int run_logins(struct check_ctx *ctx, struct smb_probe *st, SMBCCTX *c)
{
	cJSON *facts = ctx_facts(ctx);
	const char *u = NULL, *p = NULL;
	unsigned n = 0, conn_errors = 0;
	int err = 0;

	while (err == 0 && ctx_next_cred(ctx, &u, &p) > 0 && u != NULL) {
		char url[sizeof(st->host) + 32];
		SMBCFILE *d;

		if (p == NULL)
			p = "";
		if (ctx_remaining_ms(ctx) == 0) {
			err = fact_set_bool(facts, "logins_cut_short", true);
			break;
		}
		ctx_phasef(ctx, "login %u", ++n);
		attempt_begin(ctx, c, st, u, p);
		/* the session setup is the verdict (the library's log) */
		snprintf(url, sizeof(url), "smb://%s/" SMB_NO_SHARE "/",
			 st->host);
		d = smbc_getFunctionOpendir(c)(c, url);
		if (d != NULL) {
			smbc_getFunctionClosedir(c)(c, d);
			st->verdict = V_SESSION;
		}
		conn_errors = st->verdict == V_NONE ? conn_errors + 1 : 0;
		switch (st->verdict) {
		case V_SESSION:
		case V_EXPIRED:
			ctx_cred_result(ctx, u, CRED_ACCEPTED);
			err = record_login(facts, u, p,
					   st->verdict == V_EXPIRED
						   ? st->login_text
						   : NULL);
			break;
		case V_LOCKED:
		case V_DISABLED:
			/* stop the host at once: Windows locks accounts */
			ctx_cred_result(ctx, u, CRED_LOCKED);
			err = fact_set_str(facts, "lockout_user", u);
			err = keep_err(
				err,
				fact_set_str(
					facts, "lockout_status",
					st->verdict == V_LOCKED
						? "STATUS_ACCOUNT_LOCKED_OUT"
						: "STATUS_ACCOUNT_DISABLED"));
			ctx_status(ctx, STATUS_OPEN,
				   "login attempts stopped: "
				   "account %s is %s (%s)",
				   u,
				   st->verdict == V_LOCKED ? "locked out"
							   : "disabled",
				   st->login_text);
			goto out;
		default:
			ctx_cred_result(ctx, u, CRED_FAILED);
			break;
		}
		if (conn_errors >= SMB_MAX_CONN_ERRORS) {
			err = fact_set_str(facts, "login_error",
					   "no answer to the session setup");
			ctx_status(ctx, STATUS_ERROR,
				   "login check incomplete: "
				   "no verdict for %u attempts in a row",
				   conn_errors);
			break;
		}
	}
	err = keep_err(err, fact_set_num(facts, "login_attempts", n));
out:
	return err;
}

static int smb_run(struct check_ctx *ctx, void *state)
{
	struct smb_probe *st = state;
	const struct target_addr *a = ctx_addr(ctx);
	char ip[INET6_ADDRSTRLEN] = "", why[256];
	SMBCCTX *c = NULL;
	bool guest = false;
	int err = 0;

	/* nothing SMB answered: no session to try */
	if (!st->smb1_answered && !st->smb2_answered)
		goto out;
	if (smb_lib_load(why, sizeof(why)) != 0) {
		ctx_status(ctx, STATUS_ERROR, "sessions not checked: %s", why);
		goto out;
	}
	if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, ip, sizeof(ip));
		snprintf(st->host, sizeof(st->host), "[%s]", ip);
	} else {
		inet_ntop(AF_INET, &a->u.sin.sin_addr, ip, sizeof(ip));
		snprintf(st->host, sizeof(st->host), "%s", ip);
	}
	ctx_phase(ctx, "session");
	c = lib_open(ctx, st);
	if (c == NULL) {
		ctx_status(ctx, STATUS_ERROR,
			   "libsmbclient: cannot create a "
			   "context: %s",
			   strerror(errno));
		goto out;
	}
	err = run_null(ctx, st, c);
	if (err < 0 || !ctx_login_allowed(ctx))
		goto out;
	err = run_guest(ctx, st, c, &guest);
	if (err < 0)
		goto out;
	if (guest) {
		/* any user gets in: a login proves nothing */
		err = fact_set_str(ctx_facts(ctx), "logins_skipped",
				   "the server maps unknown users to guest");
		goto out;
	}
	err = run_logins(ctx, st, c);
out:
	lib_close(c);
	return err;
}

#else /* !HAVE_LIBSMBCLIENT */

/* built without libsmbclient: the negotiation facts only, and a reason */
static int smb_run(struct check_ctx *ctx, void *state)
{
	struct smb_probe *st = state;

	if (st->smb1_answered || st->smb2_answered)
		ctx_status(ctx, STATUS_ERROR,
			   "sessions not checked: built "
			   "without libsmbclient");
	return 0;
}

#endif

/* ---- assess: facts -> findings, no I/O ---- */

static int assess_smb1(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *mode =
		cJSON_GetObjectItemCaseSensitive(facts, "smb1_security_mode");
	const char *caps = fact_get_str(facts, "smb1_capabilities");

	if (!fact_is_true(facts, "smb1"))
		return 0;
	return ctx_report(ctx, "smb.smbv1", NULL,
			  "accepts SMB1 (dialect \"NT LM 0.12\" chosen from a "
			  "NEGOTIATE offering only it; security mode 0x%02x, "
			  "capabilities %s)",
			  cJSON_IsNumber(mode) ? (unsigned)mode->valuedouble
					       : 0u,
			  caps ? caps : "?");
}

static int assess_signing(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *mode =
		cJSON_GetObjectItemCaseSensitive(facts, "security_mode");
	const char *dialect = fact_get_str(facts, "dialect");
	const char *guid = fact_get_str(facts, "server_guid");
	const char *caps = fact_get_str(facts, "capability_names");
	int err = 0;

	if (cJSON_IsNumber(mode) && !fact_is_true(facts, "signing_required")) {
		err = ctx_report(
			ctx, "smb.signing_not_required", NULL,
			"SMB2 NEGOTIATE response: dialect %s, "
			"SecurityMode 0x%04x (signing %s, not "
			"required); server GUID %s; capabilities %s",
			dialect ? dialect : "?", (unsigned)mode->valuedouble,
			fact_is_true(facts, "signing_enabled") ? "enabled"
							       : "not enabled",
			guid ? guid : "?", caps ? caps : "?");
		goto out;
	}
	/* SMB2 requires it, or did not answer: SMB1 sessions count too */
	if (fact_is_true(facts, "smb1") &&
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
		    facts, "smb1_signing_required")))
		err = ctx_report(
			ctx, "smb.signing_not_required", NULL,
			"SMB1 NEGOTIATE response: security mode 0x%02x "
			"(signing not required)%s%s",
			(unsigned)cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(
					facts, "smb1_security_mode")),
			dialect ? "; SMB2 dialect " : "",
			dialect ? dialect : "");
out:
	return err;
}

static void share_names(const cJSON *facts, struct dynbuf *ev)
{
	const cJSON *it = NULL;
	unsigned n = 0;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "shares"))
	{
		const char *name = fact_get_str(it, "name");
		const char *type = fact_get_str(it, "type");

		if (name != NULL)
			dynbuf_addf(ev, "%s%s (%s)", n++ ? ", " : "", name,
				    type ? type : "?");
	}
	if (n == 0)
		dynbuf_addstr(ev, "none listed");
}

static int assess_sessions(const cJSON *facts, struct check_ctx *ctx)
{
	struct dynbuf ev;
	int err = 0;

	dynbuf_init(&ev, SMB_EVIDENCE_MAX);
	if (fact_is_true(facts, "null_session")) {
		share_names(facts, &ev);
		err = keep_err(
			err,
			ctx_report(ctx, "smb.null_session", NULL,
				   "an anonymous session (empty user and "
				   "password) connected to IPC$%s; shares: %s",
				   fact_is_true(facts, "null_share_list")
					   ? " and listed the shares"
					   : "",
				   dynbuf_ptr(&ev)));
	}
	if (fact_is_true(facts, "guest")) {
		const char *u = fact_get_str(facts, "canary_user");

		dynbuf_reset(&ev);
		share_names(facts, &ev);
		err = keep_err(
			err,
			ctx_report(ctx, "smb.guest_access",
				   fact_get_str(facts, "canary_password"),
				   "the made-up user %s with a random password "
				   "was accepted (mapped to guest); shares: %s",
				   u ? u : "?", dynbuf_ptr(&ev)));
	}
	dynbuf_release(&ev);
	return err;
}

static int assess_shares(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	struct dynbuf ev;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, SMB_EVIDENCE_MAX);
	cJSON_ArrayForEach(
		it, cJSON_GetObjectItemCaseSensitive(facts, "readable_shares"))
	{
		const char *name = fact_get_str(it, "name");
		const char *as = fact_get_str(it, "as");
		const cJSON *s = NULL;
		unsigned k = 0;

		if (name == NULL)
			continue;
		dynbuf_addf(
			&ev, "%s\"%s\" as %s: %d entr%s%s", n++ ? "; " : "",
			name, as ? as : "?",
			(int)cJSON_GetNumberValue(
				cJSON_GetObjectItemCaseSensitive(it,
								 "entries")),
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
				it, "entries")) == 1
				? "y"
				: "ies",
			fact_is_true(it, "entries_capped") ? " or more" : "");
		cJSON_ArrayForEach(
			s, cJSON_GetObjectItemCaseSensitive(it, "sample"))
		{
			if (cJSON_IsString(s))
				dynbuf_addf(&ev, "%s%s", k++ ? ", " : " (",
					    s->valuestring);
		}
		if (k > 0)
			dynbuf_addstr(&ev, ")");
	}
	if (n > 0)
		err = ctx_report(ctx, "smb.anonymous_share_read", NULL,
				 "listed without credentials (read only; "
				 "nothing written): %s",
				 dynbuf_ptr(&ev));
	dynbuf_release(&ev);
	return err;
}

static int assess_logins(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	const char *lu = fact_get_str(facts, "lockout_user");
	const char *ls = fact_get_str(facts, "lockout_status");
	struct dynbuf ev, secret;
	unsigned n = 0;
	int err = 0;

	/* the canary got in: any "login" would be guest */
	if (fact_is_true(facts, "guest"))
		goto out_nobuf;
	dynbuf_init(&ev, SMB_EVIDENCE_MAX);
	dynbuf_init(&secret, SMB_EVIDENCE_MAX);
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");
		const char *note = fact_get_str(it, "note");

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s%s%s%s", n ? ", " : "", u,
			    note ? " (" : "", note ? note : "",
			    note ? ")" : "");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		n++;
	}
	if (n > 0)
		err = ctx_report(
			ctx, "smb.weak_credentials", dynbuf_ptr(&secret),
			"an SMB session was set up with a default or "
			"weak password as %s (a random user was "
			"refused)%s%s%s%s",
			dynbuf_ptr(&ev), lu ? "; attempts then stopped: " : "",
			lu ? lu : "", lu ? " answered " : "",
			lu && ls ? ls : "");
	dynbuf_release(&ev);
	dynbuf_release(&secret);
out_nobuf:
	return err;
}

static int smb_assess(const cJSON *facts, struct check_ctx *ctx)
{
	int err = 0;

	err = keep_err(err, assess_smb1(facts, ctx));
	err = keep_err(err, assess_signing(facts, ctx));
	err = keep_err(err, assess_sessions(facts, ctx));
	err = keep_err(err, assess_shares(facts, ctx));
	err = keep_err(err, assess_logins(facts, ctx));
	return err;
}

/* ---- the module ---- */

static const struct rule smb_rules[] = {
	{
		.id = "smb.smbv1",
		.title = "SMB1 is enabled",
		.description =
			"The server accepts the SMB1 dialect (NT LM "
			"0.12), which lacks pre-authentication integrity and "
			"modern signing and was the vector of EternalBlue and "
			"WannaCry.",
		/* AC:H: exploiting SMB1 needs an unpatched flaw or a man in
		 * the middle; the dialect alone grants nothing */
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L",
		.references = "CWE-327; CWE-757; ATT&CK T1210; CVE-2017-0144",
		.remediation = "Set \"server min protocol = SMB2_10\" (Samba) "
			       "or run Set-SmbServerConfiguration "
			       "-EnableSMB1Protocol $false and remove the SMB1 "
			       "feature (Windows).",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "smb.signing_not_required",
		.title = "SMB signing is not required",
		.description =
			"The server's NEGOTIATE response does not set "
			"SIGNING_REQUIRED, so a man in the middle can relay "
			"NTLM authentication to it or alter SMB traffic.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-347; ATT&CK T1557.001",
		.remediation =
			"Set \"server signing = mandatory\" (Samba) or "
			"Set-SmbServerConfiguration -RequireSecuritySignature "
			"$true (Windows; the \"Digitally sign communications "
			"(always)\" policy).",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "smb.null_session",
		.title = "SMB null session allowed",
		.description =
			"An anonymous session (empty user and "
			"password) was set up and connected to IPC$, which "
			"lets anyone enumerate shares, users and policies "
			"over RPC.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
		.references = "CWE-287; CWE-200; ATT&CK T1087; ATT&CK T1135",
		.remediation =
			"Set \"restrict anonymous = 2\" (Samba), or "
			"RestrictAnonymous=1, RestrictNullSessAccess=1 and an "
			"empty NullSessionPipes/NullSessionShares (Windows).",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "smb.guest_access",
		.title = "SMB maps unknown users to guest",
		.description =
			"A made-up user with a random password was "
			"accepted as guest: anyone gets a session with the "
			"guest account's rights, whatever password is tried.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-287; CWE-1188; ATT&CK T1078.001",
		.remediation =
			"Set \"map to guest = Never\" and remove "
			"\"guest ok\" from shares (Samba); disable the Guest "
			"account and insecure guest logons (Windows).",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
	{
		.id = "smb.anonymous_share_read",
		.title = "SMB share readable without credentials",
		.description = "A share other than IPC$ could be listed "
			       "anonymously or as guest: its files are open to "
			       "anyone who reaches the port.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		.references = "CWE-284; CWE-200; ATT&CK T1039; ATT&CK T1135",
		.remediation =
			"Remove \"guest ok = yes\" / \"public = yes\" "
			"from the share and grant access to named users or "
			"groups only; on Windows remove Everyone/Guests/"
			"ANONYMOUS LOGON from the share and NTFS ACLs.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "smb.weak_credentials",
		.title = "SMB login with a default or weak password",
		.description =
			"An SMB session was set up with an empty, "
			"default or listed weak password (and a random user "
			"was refused, so it is no guest mapping).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1021.002",
		.remediation =
			"Change the password of the listed accounts "
			"now (or disable them), enforce a password policy and "
			"an account lockout threshold, and restrict port 445 "
			"to the hosts that need it.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const smb_services[] = { "microsoft-ds", "netbios-ssn",
					    "smb", NULL };
static const uint16_t smb_ports[] = { 445 };

/*
 * "guest" is left out on purpose: Windows answers STATUS_ACCOUNT_DISABLED
 * for the (disabled, blank-password) Guest account, which would stop all
 * attempts on the host in the first round; guest access is the canary's
 * job (smb.guest_access).
 */
static const char *const smb_default_users[] = {
	"administrator", "admin", "user", "backup", "test", NULL,
};

/* After the empty password and password = user (the engine's), with the
 * default 3 attempts per account only the first of these is reached. */
static const char *const smb_default_passwords[] = {
	"password", "123456",	"Password1", "P@ssw0rd", "admin",
	"12345678", "changeme", "Welcome1",  NULL,
};

const struct check check_smb = {
	.name = "smb",
	.summary = "SMB: SMB1, signing, null session, guest access, "
		   "anonymous shares, weak credentials",
	.services = smb_services,
	.ports = smb_ports,
	.nports = ARRAY_SIZE(smb_ports),
	.flags = CHECK_LOGIN,
	.rules = smb_rules,
	.nrules = ARRAY_SIZE(smb_rules),
	.default_users = smb_default_users,
	.default_passwords = smb_default_passwords,
	.default_max_attempts = 3,
	.state_size = sizeof(struct smb_probe),
	.start = smb_start,
	.step = smb_step,
	.run = smb_run,
	/* libsmbclient's configuration and log callback are global */
	.max_parallel = 1,
	.cleanup = smb_cleanup,
	.assess = smb_assess,
};
