/*
 * mssql.c - mssql.default_credentials: does SQL Server let sa (or another
 * default login) in with an empty or default password? (1433)
 *
 * What it sends: one TCP connection per attempt. A TDS PRELOGIN that
 * offers TLS (ENCRYPT_OFF); the reply gives the server's version and what
 * it wants: no TLS (NOT_SUP), TLS for the login packet only (OFF), or for
 * the whole connection (ON, REQ). TLS runs as [MS-TDS] 3.2.5.3 says: the
 * handshake records inside PRELOGIN packets, then records on the bare
 * connection (OpenSSL with memory BIOs, at most MS_TLS_ROUNDS flights, the
 * certificate not verified: SQL Server's is self-signed unless set, and
 * what is proven is the login, not the server's name). Then one LOGIN7
 * (SQL authentication, TDS 7.4, no
 * database) with the next pair of the credential guard (--creds, then sa
 * with the empty password, "sa" and the list below; --no-login skips it,
 * --max-attempts caps it), and its reply: a LOGINACK token proves the
 * login; ERROR 18456 ("Login failed for user") refuses it; 18486 (locked
 * out by the password policy) and 18470 (disabled) stop every login on
 * the host (CRED_LOCKED); 18452 (Windows authentication only) ends the
 * probe. After a LOGINACK the connection is closed: no batch runs.
 * Why our own protocol code rather than FreeTDS (Debian's TDS client):
 * FreeTDS (dblib/ctlib) is blocking, reads freetds.conf and resolves
 * names, and is not on the build machine; the exchange is two
 * request/reply pairs, and this code is bounded (checks/raw/mssql_wire.c,
 * fuzzed by tests/fuzz/fuzz_tds.c) and driven by the engine's epoll like
 * the other raw checks.
 * References: [MS-TDS] (PRELOGIN, LOGIN7, LOGINACK, ERROR); SQL Server
 * error 18456 and 18486 docs; nmap ms-sql-empty-password; AhnLab ASEC on
 * MS-SQL brute force; CWE-1392, CWE-521; ATT&CK T1110.001, T1078.001.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "check.h"
#include "facts.h"
#include "dynbuf.h"
#include "expo.h"
#include "mssql_wire.h"
#include "rawio.h"

#define MS_EVIDENCE_MAX 1024
#define MS_IN_MAX (TDS_MSG_MAX + TDS_PACKET_MAX)
/* a handshake flight wrapped in packets, or a LOGIN7 in TLS records */
#define MS_OUT_MAX (TDS_MSG_MAX + 32 * TDS_HDR)
#define MS_TLS_ROUNDS 8 /* handshake flights from the server, at most */

enum ms_phase { MS_PRELOGIN = 0, MS_TLS, MS_LOGIN, MS_DONE };

struct mssql_probe {
	struct rawio io;
	enum ms_phase phase;
	bool have_server;
	bool tls_all;		 /* the server encrypts the whole connection */
	const char *user, *pass; /* the attempt under way */
	unsigned attempt, tls_rounds;
	SSL_CTX *tls_ctx;
	SSL *tls;	     /* this connection's, on memory BIOs */
	struct dynbuf plain; /* decrypted reply bytes (tls_all) */
	uint8_t msg[TDS_MSG_MAX];
};

static void tls_drop(struct mssql_probe *st)
{
	SSL_free(st->tls); /* and its BIOs */
	st->tls = NULL;
	dynbuf_reset(&st->plain);
	ERR_clear_error(); /* nothing of this probe's left for the next */
}

static int ms_end(struct check_ctx *ctx, struct mssql_probe *st,
		  enum probe_status status, const char *what, const char *why)
{
	if (why != NULL)
		ctx_status(ctx, status, "%s: %s", what, why);
	st->phase = MS_DONE;
	tls_drop(st);
	rawio_close(&st->io);
	return PROBE_DONE;
}

static int ms_open(struct check_ctx *ctx, struct mssql_probe *st)
{
	uint8_t pkt[64];
	int n, err;

	st->phase = MS_PRELOGIN;
	st->attempt++;
	ctx_phasef(ctx, "prelogin %u", st->attempt);
	err = rawio_open(ctx, &st->io);
	if (err >= 0) {
		n = tds_prelogin(pkt, sizeof(pkt));
		err = n < 0 ? n : rawio_queue(&st->io, pkt, (size_t)n);
	}
	if (err < 0)
		return ms_end(ctx, st, STATUS_ERROR, "connect",
			      expo_strerror(err));
	return rawio_pump(ctx, &st->io, "connect");
}

static int ms_start(struct check_ctx *ctx, void *state)
{
	struct mssql_probe *st = state;
	int err;

	rawio_init(&st->io, MS_IN_MAX, MS_OUT_MAX);
	dynbuf_init(&st->plain, MS_IN_MAX);
	err = ms_open(ctx, st);
	return err < 0 ? err : 0;
}

static int record_server(cJSON *facts, const struct tds_prelogin_reply *r)
{
	char v[48];

	if (r->has_version) {
		snprintf(v, sizeof(v), "%u.%u.%u", r->major, r->minor,
			 r->build);
		if (fact_set_str(facts, "server_version", v) < 0)
			return EXPO_ENOMEM;
	}
	if (!cJSON_AddNumberToObject(facts, "encryption", r->encryption))
		return EXPO_ENOMEM;
	return 0;
}

static int record_login(cJSON *facts, const struct mssql_probe *st,
			const struct tds_login_reply *r)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, "logins"), *o;
	char v[48];

	if (arr == NULL)
		arr = cJSON_AddArrayToObject(facts, "logins");
	o = cJSON_CreateObject();
	if (arr == NULL || o == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return EXPO_ENOMEM;
	}
	snprintf(v, sizeof(v), "%u.%u.%u", r->major, r->minor, r->build);
	if (!cJSON_AddStringToObject(o, "user", st->user) ||
	    !cJSON_AddStringToObject(o, "password", st->pass) ||
	    !cJSON_AddStringToObject(o, "program", r->prog) ||
	    !cJSON_AddStringToObject(o, "version", v))
		return EXPO_ENOMEM;
	return 0;
}

/* the next pair the guard allows that fits LOGIN7; false if none */
static bool next_pair(struct check_ctx *ctx, struct mssql_probe *st)
{
	const char *u = NULL, *p = NULL;
	uint8_t pkt[TDS_OUT_MAX];

	while (ctx_next_cred(ctx, &u, &p) > 0 && u != NULL) {
		if (p == NULL)
			p = "";
		if (u[0] != '\0' && tds_login7(pkt, sizeof(pkt), u, p) > 0) {
			st->user = u;
			st->pass = p;
			return true;
		}
		/* not sent: the guard counted it, the server never saw it */
		ctx_cred_result(ctx, u, CRED_FAILED);
	}
	return false;
}

/* what TLS wants to send: wrapped in PRELOGIN packets while the handshake
 * runs, as bare records after it */
static int tls_flush(struct mssql_probe *st, bool wrap)
{
	size_t pending = BIO_ctrl_pending(SSL_get_wbio(st->tls));
	uint8_t *raw, *pkt = NULL;
	int n, err = 0;

	if (pending == 0)
		return 0;
	if (pending > TDS_MSG_MAX)
		return EXPO_ETOOBIG;
	if ((raw = malloc(pending)) == NULL ||
	    (wrap && (pkt = malloc(MS_OUT_MAX)) == NULL)) {
		free(raw);
		return EXPO_ENOMEM;
	}
	n = BIO_read(SSL_get_wbio(st->tls), raw, (int)pending);
	if (n != (int)pending)
		err = EXPO_EPROTO;
	else if (!wrap)
		err = rawio_queue(&st->io, raw, pending);
	else if ((n = tds_wrap(pkt, MS_OUT_MAX, TDS_PKT_PRELOGIN, raw,
			       pending)) < 0)
		err = n;
	else
		err = rawio_queue(&st->io, pkt, (size_t)n);
	free(raw);
	free(pkt);
	return err;
}

/* the LOGIN7 of the pair under way: in clear, or in a TLS record */
static int send_login(struct check_ctx *ctx, struct mssql_probe *st)
{
	uint8_t pkt[TDS_OUT_MAX];
	int n, err;

	ctx_phasef(ctx, "login %u", st->attempt);
	n = tds_login7(pkt, sizeof(pkt), st->user, st->pass);
	if (n < 0)
		return n;
	if (st->tls == NULL) {
		err = rawio_queue(&st->io, pkt, (size_t)n);
	} else if (ERR_clear_error(), SSL_write(st->tls, pkt, n) != n) {
		err = EXPO_EPROTO;
	} else {
		err = tls_flush(st, false);
		/* ENCRYPT_OFF: TLS for this packet only, the reply in clear */
		if (err == 0 && !st->tls_all)
			tls_drop(st);
	}
	if (err < 0)
		return err;
	st->phase = MS_LOGIN;
	return rawio_wait(ctx, &st->io);
}

static int tls_failed(struct check_ctx *ctx, struct mssql_probe *st,
		      const char *why)
{
	/* the password was never sent: the guard counted it, no more */
	ctx_cred_result(ctx, st->user, CRED_FAILED);
	return ms_end(ctx, st, STATUS_ERROR, "tls", why);
}

static int tls_handshake(struct check_ctx *ctx, struct mssql_probe *st)
{
	int r, err;

	/* SSL_get_error() reads the thread's error queue: another probe's
	 * leftovers on this worker must not read as ours */
	ERR_clear_error();
	r = SSL_do_handshake(st->tls);

	err = tls_flush(st, true);
	if (err < 0)
		return tls_failed(ctx, st, expo_strerror(err));
	if (r == 1)
		return send_login(ctx, st);
	if (SSL_get_error(st->tls, r) != SSL_ERROR_WANT_READ)
		return tls_failed(ctx, st, "TLS handshake failed");
	if (++st->tls_rounds > MS_TLS_ROUNDS)
		return tls_failed(ctx, st, "TLS handshake does not end");
	return rawio_wait(ctx, &st->io);
}

static int tls_begin(struct check_ctx *ctx, struct mssql_probe *st)
{
	BIO *rb = NULL, *wb = NULL;

	if (st->tls_ctx == NULL) {
		st->tls_ctx = SSL_CTX_new(TLS_client_method());
		if (st->tls_ctx == NULL)
			return tls_failed(ctx, st, "no TLS context");
		SSL_CTX_set_verify(st->tls_ctx, SSL_VERIFY_NONE, NULL);
		/* old SQL Servers speak TLS 1.0 with old ciphers; TDS 7.x
		 * wraps the handshake only, which TLS 1.3's records after
		 * it (session tickets) break: TLS 1.3 is TDS 8's */
		SSL_CTX_set_security_level(st->tls_ctx, 0);
		SSL_CTX_set_min_proto_version(st->tls_ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(st->tls_ctx, TLS1_2_VERSION);
	}
	st->tls = SSL_new(st->tls_ctx);
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	if (st->tls == NULL || rb == NULL || wb == NULL) {
		BIO_free(rb);
		BIO_free(wb);
		return tls_failed(ctx, st, "out of memory");
	}
	SSL_set_bio(st->tls, rb, wb);
	SSL_set_connect_state(st->tls);
	st->phase = MS_TLS;
	st->tls_rounds = 0;
	ctx_phasef(ctx, "tls %u", st->attempt);
	return tls_handshake(ctx, st);
}

/* a handshake flight from the server, unwrapped from its packets */
static int step_tls(struct check_ctx *ctx, struct mssql_probe *st, size_t mlen,
		    uint8_t type)
{
	if ((type != TDS_PKT_PRELOGIN && type != TDS_PKT_REPLY) ||
	    BIO_write(SSL_get_rbio(st->tls), st->msg, (int)mlen) != (int)mlen)
		return tls_failed(ctx, st, "not a TLS handshake packet");
	return tls_handshake(ctx, st);
}

/* the bare TLS records received, decrypted into st->plain; 0 or < 0 */
static int tls_decrypt(struct mssql_probe *st)
{
	size_t n = dynbuf_len(&st->io.in);
	uint8_t buf[4096];
	int r;

	if (n > 0 && BIO_write(SSL_get_rbio(st->tls), dynbuf_ptr(&st->io.in),
			       (int)n) != (int)n)
		return EXPO_ENOMEM;
	dynbuf_consume(&st->io.in, n);
	ERR_clear_error(); /* as in tls_handshake() */
	while ((r = SSL_read(st->tls, buf, sizeof(buf))) > 0)
		if (dynbuf_add(&st->plain, buf, (size_t)r) < 0)
			return EXPO_ETOOBIG;
	r = SSL_get_error(st->tls, r);
	return r == SSL_ERROR_WANT_READ || r == SSL_ERROR_ZERO_RETURN
		       ? 0
		       : EXPO_EPROTO;
}

static int step_prelogin(struct check_ctx *ctx, struct mssql_probe *st,
			 size_t mlen, uint8_t type)
{
	struct tds_prelogin_reply r;
	int err;

	if (type != TDS_PKT_REPLY || tds_parse_prelogin(st->msg, mlen, &r) < 0)
		return ms_end(ctx, st, STATUS_ERROR, "prelogin",
			      "not a SQL Server (no TDS PRELOGIN reply)");
	if (!st->have_server) {
		st->have_server = true;
		err = record_server(ctx_facts(ctx), &r);
		if (err < 0)
			return err;
	}
	if (r.encryption != TDS_ENCRYPT_OFF && r.encryption != TDS_ENCRYPT_ON &&
	    r.encryption != TDS_ENCRYPT_REQ &&
	    r.encryption != TDS_ENCRYPT_NOT_SUP && r.encryption != -1) {
		/* a client certificate (0x80 and up): nothing to try */
		if (fact_set_str(ctx_facts(ctx), "not_tried",
				 "the server asks for a client certificate") <
		    0)
			return EXPO_ENOMEM;
		return ms_end(ctx, st, STATUS_OPEN, NULL, NULL);
	}
	if (!ctx_login_allowed(ctx) || !next_pair(ctx, st))
		return ms_end(ctx, st, STATUS_OPEN, NULL, NULL);
	if (r.encryption == TDS_ENCRYPT_NOT_SUP || r.encryption == -1)
		return send_login(ctx, st);
	st->tls_all = r.encryption != TDS_ENCRYPT_OFF;
	if (fact_set_str(ctx_facts(ctx), "tls",
			 st->tls_all ? "the whole connection"
				     : "the login packet") < 0)
		return EXPO_ENOMEM;
	return tls_begin(ctx, st);
}

static int step_login(struct check_ctx *ctx, struct mssql_probe *st,
		      size_t mlen, uint8_t type)
{
	struct tds_login_reply r;
	cJSON *facts = ctx_facts(ctx);
	int err;

	if (type != TDS_PKT_REPLY ||
	    tds_parse_login_reply(st->msg, mlen, &r) < 0 ||
	    (!r.loginack && r.error == 0)) {
		ctx_cred_result(ctx, st->user, CRED_FAILED);
		return ms_end(ctx, st, STATUS_ERROR, "login",
			      "malformed reply to LOGIN7");
	}
	if (r.loginack) {
		ctx_cred_result(ctx, st->user, CRED_ACCEPTED);
		err = record_login(facts, st, &r);
		if (err < 0)
			return err;
	} else if (r.error == 18486 || r.error == 18470) {
		/* locked out or disabled: no more logins on this host */
		ctx_cred_result(ctx, st->user, CRED_LOCKED);
		if (fact_set_str(facts, "locked_out", st->user) < 0)
			return EXPO_ENOMEM;
		return ms_end(ctx, st, STATUS_OPEN, "login",
			      r.error == 18486 ? "the account is locked out "
						 "(18486): no more logins on "
						 "this host"
					       : "the account is disabled "
						 "(18470): no more logins on "
						 "this host");
	} else if (r.error == 18452) {
		ctx_cred_result(ctx, st->user, CRED_FAILED);
		if (fact_set_str(facts, "not_tried",
				 "Windows authentication only (18452)") < 0)
			return EXPO_ENOMEM;
		return ms_end(ctx, st, STATUS_OPEN, "login",
			      "Windows authentication only (18452)");
	} else {
		ctx_cred_result(ctx, st->user, CRED_FAILED);
	}
	/* the next attempt on a new connection */
	tls_drop(st);
	rawio_close(&st->io);
	rawio_init(&st->io, MS_IN_MAX, MS_OUT_MAX);
	if (!ctx_login_allowed(ctx))
		return ms_end(ctx, st, STATUS_OPEN, NULL, NULL);
	return ms_open(ctx, st);
}

static int ms_step(struct check_ctx *ctx, void *state)
{
	struct mssql_probe *st = state;
	struct dynbuf *src = &st->io.in;
	size_t mlen = 0, used = 0;
	uint8_t type = 0;
	int rc, err;
	const char *what;

	if (st->phase == MS_DONE)
		return PROBE_DONE;
	what = st->phase == MS_PRELOGIN ? "prelogin"
	       : st->phase == MS_TLS	? "tls"
					: "login";
	rc = rawio_pump(ctx, &st->io, what);
	if (rc != 0)
		return rc < 0 ? ms_end(ctx, st, STATUS_ERROR, what, NULL) : rc;
	/* the reply to a LOGIN7 of a connection under TLS: records */
	if (st->phase == MS_LOGIN && st->tls != NULL) {
		err = tls_decrypt(st);
		if (err < 0) {
			ctx_cred_result(ctx, st->user, CRED_FAILED);
			return ms_end(ctx, st, STATUS_ERROR, what,
				      err == EXPO_ETOOBIG ? "reply over 64 KiB"
							  : "bad TLS record");
		}
		src = &st->plain;
	}
	err = tds_message((const uint8_t *)dynbuf_ptr(src), dynbuf_len(src),
			  st->msg, sizeof(st->msg), &mlen, &type, &used);
	if (err == TDS_MORE && !st->io.eof)
		return rawio_wait(ctx, &st->io);
	if (err != 0) {
		if (st->phase != MS_PRELOGIN)
			ctx_cred_result(ctx, st->user, CRED_FAILED);
		return ms_end(ctx, st, STATUS_ERROR, what,
			      err == TDS_MORE	    ? "connection closed"
			      : err == EXPO_ETOOBIG ? "reply over 64 KiB"
						    : "malformed TDS packet");
	}
	/* the message is in st->msg: the next read starts after it */
	dynbuf_consume(src, used);
	if (st->phase == MS_PRELOGIN)
		rc = step_prelogin(ctx, st, mlen, type);
	else if (st->phase == MS_TLS)
		rc = step_tls(ctx, st, mlen, type);
	else
		rc = step_login(ctx, st, mlen, type);
	/* the last attempt may have been followed by a new connection */
	if (st->phase == MS_DONE && rc == 0)
		rc = PROBE_DONE;
	return rc;
}

static void ms_cleanup(struct check_ctx *ctx, void *state)
{
	struct mssql_probe *st = state;

	(void)ctx;
	tls_drop(st);
	SSL_CTX_free(st->tls_ctx);
	st->tls_ctx = NULL;
	dynbuf_release(&st->plain);
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int ms_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *ver = fact_get_str(facts, "server_version");
	const cJSON *it = NULL;
	struct dynbuf ev, secret;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, MS_EVIDENCE_MAX);
	dynbuf_init(&secret, MS_EVIDENCE_MAX);
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s (%s)", n ? ", " : "", u,
			    p[0] ? "default password" : "empty password");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		if (n == 0 && ver == NULL)
			ver = fact_get_str(it, "version");
		n++;
	}
	if (n > 0)
		err = ctx_report(
			ctx, "mssql.default_credentials", dynbuf_ptr(&secret),
			"SQL Server %s answered LOGIN7 with LOGINACK "
			"for %s%s%s",
			ver ? ver : "(version unknown)", dynbuf_ptr(&ev),
			fact_get_str(facts, "tls") ? ", over TLS for " : "",
			fact_get_str(facts, "tls") ? fact_get_str(facts, "tls")
						   : "");
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	return err;
}

static const struct rule ms_rules[] = {
	{
		.id = "mssql.default_credentials",
		.title = "SQL Server login (sa, ...) with an empty or default "
			 "password",
		.description =
			"A SQL Server login succeeded with no password or a "
			"default one: sa is sysadmin, and xp_cmdshell runs "
			"commands on the host; brute force of sa is among "
			"the main ways miners and ransomware get in.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1078.001",
		.remediation = "Set a strong sa password or disable sa (ALTER "
			       "LOGIN sa DISABLE), prefer Windows "
			       "authentication, enforce the password policy "
			       "(CHECK_POLICY), force encryption, and "
			       "firewall port 1433.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const ms_services[] = { "ms-sql-s", "mssql", NULL };
static const uint16_t ms_ports[] = { 1433 };
static const char *const ms_users[] = { "sa", NULL };
/* besides the empty password and "sa" (password = user) */
static const char *const ms_passwords[] = {
	"password", "Password123", "SqlServer2021", "123456", "admin", NULL,
};

const struct check check_mssql = {
	.name = "mssql",
	.summary = "SQL Server: sa with an empty or default password (1433)",
	.services = ms_services,
	.ports = ms_ports,
	.nports = ARRAY_SIZE(ms_ports),
	.flags = CHECK_LOGIN,
	.rules = ms_rules,
	.nrules = ARRAY_SIZE(ms_rules),
	.default_users = ms_users,
	.default_passwords = ms_passwords,
	.default_max_attempts = 3,
	.state_size = sizeof(struct mssql_probe),
	.start = ms_start,
	.step = ms_step,
	.cleanup = ms_cleanup,
	.assess = ms_assess,
};
