/*
 * pg.c - the PostgreSQL check: TLS refused, trust authentication,
 * default credentials (md5 and SCRAM-SHA-256) and superuser access.
 *
 * What it sends, in order, one connection at a time (never two at once
 * to one server: max_connections, and every failure may be logged):
 *  1. "ssl request": our own 8-byte SSLRequest on a raw socket; the one
 *     byte answer is 'S' (TLS offered) or 'N' (refused: pg.no_tls); then
 *     it hangs up. No parser beyond that byte, hence no fuzz harness.
 *  2. "hello": a libpq startup as a made-up role (the ctx's canary user,
 *     or a random name under --no-login) with no password: it tells
 *     PostgreSQL from garbage, whether a password is asked, and whether
 *     pg_hba.conf lets this address in at all (28000 "no pg_hba.conf
 *     entry": recorded, the host is stopped, no finding).
 *  3. "canary": unless --no-login and only if a password was asked: the
 *     canary user with its random password; if accepted, the server
 *     takes any credential.
 *  4. "login N": unless --no-login, the pairs the ctx hands out, one
 *     connection each, over the own login (pg_wire.c; see "the own login
 *     of a guess" below): libpq's 11.5 ms of CPU per SCRAM key derivation
 *     was the cost of a guess; a success is logged in again with libpq. The empty password is a connection without any
 *     password: accepted means trust (pg.trust_auth). 3D000 (database
 *     does not exist) comes after authentication, so it proves the
 *     password. A role the server says does not exist (said only after
 *     trust) or may not log in gets no further password.
 *  5. "query": after a login, one read-only query on that connection
 *     (rolsuper of current_user and server_version); nothing is written
 *     or executed on the server.
 * libpq runs non-blocking (PQconnectStartParams/PQconnectPoll, keyword
 * arrays, numeric hostaddr, gssencmode=disable, sslmode chosen from the
 * SSLRequest answer so that libpq never retries a failed login in
 * cleartext) with the engine's deadlines; ~/.pgpass and ~/.postgresql
 * are never read. Error messages are asked verbose so that the SQLSTATE
 * can be read from them (pg_proto.c).
 *
 * It logs in (phases 2-4). References: PostgreSQL docs "Frontend/Backend
 * Protocol" (SSLRequest), "libpq - Connection Control Functions",
 * "Client Authentication" (pg_hba.conf, trust, md5, scram-sha-256),
 * "COPY ... FROM PROGRAM" (superuser command execution, CVE-2019-9193
 * as disputed); Wiz CPU_HU and Aqua PG_MEM campaigns (PROBES.md b.2).
 *
 * The engine cannot tell a closed socket from a new one that got the same
 * number (libpq closes and opens sockets itself); wait_fd() compares the
 * socket's inode and, when it changed under the same number, makes a 0 ms
 * timer hop so that the engine drops its stale epoll registration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "pq_lib.h" /* libpq, opened at first use */
#include "check.h"
#include "facts.h"
#include "netio.h"
#include "dynbuf.h"
#include "expo.h"
#include "log.h"
#include "pg_proto.h"
#include "pg_wire.h"

#define PG_EVIDENCE_MAX 4096
#define PG_MSG_MAX 300 /* server text kept in facts */
/* files that do not exist: libpq then reads no ~/.pgpass, no client
 * certificate and no root certificate (sslmode=require stays unverified,
 * as a scanner's must) */
#define PG_NO_FILE "/nonexistent/exposure/none"

static const char pg_query[] =
	"SELECT r.rolsuper, pg_catalog.current_setting('server_version') "
	"FROM pg_catalog.pg_roles r WHERE r.rolname = current_user";

enum pg_phase {
	PH_SSL_CONNECT = 0, /* raw TCP connect: wait for writable */
	PH_SSL_IO,	    /* send SSLRequest, read one byte */
	PH_CONN,	    /* a libpq connection under way */
	PH_QUERY,	    /* the read-only query */
	PH_OWN,		    /* our own login (pg_wire.c) under way */
	PH_TURN,	    /* --host-rate: waits for the address's slot */
	PH_DONE,
};

enum pg_kind {
	KIND_HELLO,
	KIND_CANARY,
	KIND_LOGIN,
};

/* a step helper's "state changed: run the machine again" */
#define STEP_AGAIN 100

struct pg_probe {
	enum pg_phase phase;
	int fd; /* the SSLRequest socket, or -1 */
	size_t sent;
	bool tls; /* the server answered 'S' */

	PGconn *conn;
	enum pg_kind kind;
	const char *user, *pass; /* pass NULL: no password */
	unsigned attempt;
	bool need_password; /* hello: a password is asked */
	char hello_user[32];
	cJSON *login; /* the logins[] entry of the connection */

	int last_fd; /* what the engine waits on */
	ino_t last_ino;
	int hop_want; /* a timer hop is under way: then this */

	/* the own login of a guess (see own_start) */
	int ofd;
	SSL_CTX *tls_ctx;
	SSL *tls_conn;
	enum { OWN_CONNECT, OWN_SSLREQ, OWN_TLS, OWN_AUTH } osub;
	bool authed; /* AuthenticationOk seen */
	uint8_t out[1024];
	size_t nout, outsent;
	uint8_t in[PG_WIRE_MSG_MAX + 5];
	size_t nin;
	struct pg_scram scram;
	unsigned own_logins, own_handover;
	bool turn_own; /* PH_TURN: then own_start, else conn_start */
};

/* ---- facts ---- */

/* the first line of a libpq message, bounded, without the verbose
 * "LOCATION:" lines */
static void first_line(const char *msg, char *out, size_t size)
{
	size_t n;

	if (msg == NULL)
		msg = "";
	n = strcspn(msg, "\r\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, msg, n);
	out[n] = '\0';
}

/* Arms a wait on fd; see the file-top note on the timer hop. */
static int wait_fd(struct check_ctx *ctx, struct pg_probe *st, int fd, int want)
{
	struct stat sb;
	ino_t ino = 0;

	if (fstat(fd, &sb) == 0)
		ino = sb.st_ino;
	if (fd == st->last_fd && ino != st->last_ino) {
		st->last_ino = ino;
		st->hop_want = want;
		ctx_wake_after(ctx, 0);
		return PROBE_WANT_TIMER;
	}
	st->last_fd = fd;
	st->last_ino = ino;
	ctx_set_fd(ctx, fd);
	return want;
}

/* ---- phase 1: SSLRequest ---- */

static void raw_close(struct pg_probe *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

static int step_ssl_connect(struct check_ctx *ctx, struct pg_probe *st)
{
	st->phase = PH_SSL_IO;
	return wait_fd(ctx, st, st->fd, PROBE_WANT_WRITE);
}

static int start_hello(struct check_ctx *ctx, struct pg_probe *st);

static int step_ssl_io(struct check_ctx *ctx, struct pg_probe *st)
{
	cJSON *facts = ctx_facts(ctx);
	uint8_t b = 0;
	ssize_t n;
	int err, rc;
	char what[32];

	if (st->sent == 0) {
		err = connect_error(st->fd);
		if (err) {
			rc = probe_fail(ctx, "connect", strerror(err));
			goto out;
		}
	}
	err = netio_send(st->fd, pg_sslrequest, PG_SSLREQUEST_LEN, &st->sent);
	if (err == EAGAIN) {
		rc = wait_fd(ctx, st, st->fd, PROBE_WANT_WRITE);
		goto out;
	}
	if (err != 0) {
		rc = probe_fail(ctx, "ssl request", strerror(err));
		goto out;
	}
	/* one byte only: after it a real server waits for us */
	n = recv(st->fd, &b, 1, MSG_DONTWAIT);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		rc = wait_fd(ctx, st, st->fd, PROBE_WANT_READ);
		goto out;
	}
	if (n <= 0) {
		rc = probe_fail(
			ctx, "ssl request",
			n == 0 ? "connection closed before an answer to SSLRequest"
			       : strerror(errno));
		goto out;
	}
	raw_close(st);
	switch (pg_ssl_answer(b)) {
	case PG_SSL_YES:
		st->tls = true;
		err = fact_set_str(facts, "ssl_answer", "S");
		break;
	case PG_SSL_NO:
		err = fact_set_str(facts, "ssl_answer", "N");
		break;
	case PG_SSL_ERROR:
		/* pre-7.2 servers; libpq cannot talk to them either */
		err = fact_set_str(facts, "ssl_answer", "E");
		if (!err)
			rc = probe_fail(
				ctx, "ssl request",
				"the server answered "
				"SSLRequest with an error (a very old server, "
				"or not PostgreSQL)");
		goto done;
	default:
		snprintf(what, sizeof(what), "0x%02x", b);
		err = fact_set_str(facts, "ssl_answer", what);
		if (!err)
			rc = probe_fail(
				ctx, "ssl request",
				"not PostgreSQL: the "
				"answer to SSLRequest is neither S nor N");
		goto done;
	}
	rc = err < 0 ? err : start_hello(ctx, st);
	goto out;
done:
	if (err < 0)
		rc = err;
out:
	return rc;
}

/* ---- libpq connections ---- */

/* libpq's default prints a server's NoticeResponse (its text chosen by
 * the server, also during the startup) raw on stderr */
static void pg_notice(void *arg, const char *message)
{
	(void)arg;
	expo_log("pg: libpq", "%s", message);
}

static void conn_close(struct pg_probe *st)
{
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
	st->login = NULL;
}

/*
 * Starts a libpq connection as user with pass (NULL or "": none) for
 * the given kind, in phase PH_CONN. PROBE_WANT_* on success, or
 * PROBE_DONE after recording why it could not start.
 */
static int conn_start(struct check_ctx *ctx, struct pg_probe *st,
		      enum pg_kind kind, const char *user, const char *pass)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "", port[8];
	const char *keys[16], *vals[16];
	size_t k = 0;
	int rc, fd;

	conn_close(st);
	st->kind = kind;
	st->user = user;
	st->pass = pass;
	/* --host-rate: every connection of the check waits for its slot */
	rc = ctx_host_turn(ctx);
	if (rc != 0) {
		st->turn_own = false;
		st->phase = PH_TURN;
		goto out;
	}
	if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &a->u.sin.sin_addr, host, sizeof(host));
	snprintf(port, sizeof(port), "%u", (unsigned)ctx_port(ctx));
	keys[k] = "hostaddr";
	vals[k++] = host;
	keys[k] = "port";
	vals[k++] = port;
	keys[k] = "user";
	vals[k++] = user;
	keys[k] = "dbname";
	vals[k++] = "postgres";
	/* prefer would retry a refused login in cleartext: a second
	 * attempt and a second failure in the server's log */
	keys[k] = "sslmode";
	vals[k++] = st->tls ? "require" : "disable";
	keys[k] = "gssencmode";
	vals[k++] = "disable";
	keys[k] = "passfile";
	vals[k++] = PG_NO_FILE;
	keys[k] = "sslrootcert";
	vals[k++] = PG_NO_FILE;
	keys[k] = "sslcert";
	vals[k++] = PG_NO_FILE;
	keys[k] = "sslkey";
	vals[k++] = PG_NO_FILE;
	keys[k] = "application_name";
	vals[k++] = "exposure";
	keys[k] = "target_session_attrs";
	vals[k++] = "any";
	if (pass != NULL && pass[0] != '\0') {
		keys[k] = "password";
		vals[k++] = pass;
	}
	keys[k] = NULL;
	vals[k] = NULL;
	ctx_host_spend(ctx); /* libpq connects itself */
	st->conn = PQconnectStartParams(keys, vals, 0);
	if (st->conn == NULL) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	/* before the first PQconnectPoll(): the startup may bring notices */
	PQsetNoticeProcessor(st->conn, pg_notice, NULL);
	/* verbose: the SQLSTATE goes into PQerrorMessage() */
	PQsetErrorVerbosity(st->conn, PQERRORS_VERBOSE);
	fd = PQsocket(st->conn);
	if (PQstatus(st->conn) == CONNECTION_BAD || fd < 0) {
		char why[PG_MSG_MAX];

		first_line(PQerrorMessage(st->conn), why, sizeof(why));
		rc = probe_fail(ctx, "connect", why[0] ? why : "libpq failed");
		st->phase = PH_DONE;
		goto out;
	}
	st->phase = PH_CONN;
	/* "behave as if it last returned PGRES_POLLING_WRITING" */
	rc = wait_fd(ctx, st, fd, PROBE_WANT_WRITE);
out:
	return rc;
}

static int end_probe(struct pg_probe *st)
{
	conn_close(st);
	raw_close(st);
	st->phase = PH_DONE;
	return PROBE_DONE;
}

static int start_login(struct check_ctx *ctx, struct pg_probe *st);

static int start_hello(struct check_ctx *ctx, struct pg_probe *st)
{
	const char *u = NULL, *p = NULL;

	ctx_phase(ctx, "hello");
	if (ctx_login_allowed(ctx) && ctx_canary(ctx, &u, &p) > 0 &&
	    u != NULL && u[0] != '\0')
		snprintf(st->hello_user, sizeof(st->hello_user), "%s", u);
	else
		ctx_random_name(ctx, st->hello_user, sizeof(st->hello_user));
	return conn_start(ctx, st, KIND_HELLO, st->hello_user, NULL);
}

/* appends {user, password, trust, ...} to facts.logins */
static int record_login(cJSON *facts, struct pg_probe *st, bool trust,
			bool db_missing, cJSON **out)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, "logins");
	cJSON *o = NULL;
	const char *tlsv = NULL;
	int err = EXPO_ENOMEM;

	if (arr == NULL)
		arr = cJSON_AddArrayToObject(facts, "logins");
	if (arr == NULL)
		goto out;
	o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		goto out;
	}
	if (!cJSON_AddStringToObject(o, "user", st->user) ||
	    !cJSON_AddStringToObject(
		    o, "password", trust || st->pass == NULL ? "" : st->pass) ||
	    !cJSON_AddBoolToObject(o, "trust", trust) ||
	    !cJSON_AddBoolToObject(o, "db_missing", db_missing))
		goto out;
	if (PQsslInUse(st->conn))
		tlsv = PQsslAttribute(st->conn, "protocol");
	if (tlsv != NULL && !cJSON_AddStringToObject(o, "tls", tlsv))
		goto out;
	*out = o;
	err = 0;
out:
	return err;
}

/* the server's parameters after a login: fallbacks for the query */
static int record_params(cJSON *login, PGconn *conn)
{
	const char *v = PQparameterStatus(conn, "server_version");
	const char *su = PQparameterStatus(conn, "is_superuser");
	int err = 0;

	if (v != NULL && !cJSON_AddStringToObject(login, "server_version", v))
		err = EXPO_ENOMEM;
	if (!err && su != NULL &&
	    !cJSON_AddBoolToObject(login, "superuser_param",
				   strcmp(su, "on") == 0))
		err = EXPO_ENOMEM;
	return err;
}

static int start_query(struct check_ctx *ctx, struct pg_probe *st)
{
	char why[PG_MSG_MAX];
	int rc, fl;

	ctx_phase(ctx, "query");
	if (PQsetnonblocking(st->conn, 1) != 0 ||
	    !PQsendQueryParams(st->conn, pg_query, 0, NULL, NULL, NULL, NULL,
			       0)) {
		first_line(PQerrorMessage(st->conn), why, sizeof(why));
		cJSON_AddStringToObject(st->login, "query_error", why);
		rc = start_login(ctx, st);
		goto out;
	}
	st->phase = PH_QUERY;
	fl = PQflush(st->conn);
	rc = wait_fd(ctx, st, PQsocket(st->conn),
		     fl == 1 ? PROBE_WANT_RW : PROBE_WANT_READ);
out:
	return rc;
}

/* the end of the hello connection */
static int hello_done(struct check_ctx *ctx, struct pg_probe *st,
		      enum pg_outcome o, const char *why)
{
	cJSON *facts = ctx_facts(ctx);
	int rc, err;

	err = fact_set_str(facts, "hello", pg_outcome_name(o));
	if (!err && pg_outcome_is_postgres(o))
		err = fact_set_bool(facts, "is_postgres", true);
	if (err) {
		rc = err;
		goto out;
	}
	switch (o) {
	case PG_OK:
		/* a made-up role got in without a password: a pooler with
		 * auth_type=any, or a faked server; anyone is "in" */
		fact_set_bool(facts, "accepts_any_user", true);
		fact_set_str(facts, "accepts_any_user_name", st->hello_user);
		rc = record_login(facts, st, true, false, &st->login);
		if (rc == 0) {
			rc = record_params(st->login, st->conn);
			if (rc == 0) {
				rc = start_query(ctx, st);
				goto out;
			}
		}
		goto out;
	case PG_NEED_PASSWORD:
		st->need_password = true;
		fact_set_bool(facts, "password_required", true);
		break;
	case PG_NO_ROLE:
	case PG_NO_DATABASE:
	case PG_BAD_PASSWORD:
	case PG_SERVER_ERROR:
		fact_set_bool(facts, "password_required", o == PG_BAD_PASSWORD);
		break;
	case PG_FORBIDDEN:
		fact_set_str(facts, "login_forbidden", why);
		ctx_cred_result(ctx, st->hello_user, CRED_FORBIDDEN);
		ctx_status(ctx, STATUS_OPEN,
			   "this address may not log in "
			   "(pg_hba.conf): %s",
			   why);
		rc = end_probe(st);
		goto out;
	case PG_BUSY:
		rc = probe_fail(ctx, "hello", why);
		end_probe(st);
		goto out;
	case PG_FAILED:
	default:
		fact_set_str(facts, "hello_error", why);
		rc = probe_fail(ctx, "hello",
				why[0] ? why : "not a PostgreSQL answer");
		end_probe(st);
		goto out;
	}
	conn_close(st);
	if (!ctx_login_allowed(ctx)) {
		rc = end_probe(st);
		goto out;
	}
	if (st->need_password) {
		const char *u = NULL, *p = NULL;

		if (ctx_canary(ctx, &u, &p) > 0 && u != NULL && p != NULL &&
		    p[0] != '\0') {
			ctx_phase(ctx, "canary");
			rc = conn_start(ctx, st, KIND_CANARY, u, p);
			goto out;
		}
	}
	rc = start_login(ctx, st);
out:
	return rc;
}

static int canary_done(struct check_ctx *ctx, struct pg_probe *st,
		       enum pg_outcome o, const char *why)
{
	cJSON *facts = ctx_facts(ctx);
	int rc;

	switch (o) {
	case PG_OK:
	case PG_NO_DATABASE:
		fact_set_bool(facts, "accepts_any_credential", true);
		fact_set_str(facts, "canary_user", st->user);
		fact_set_str(facts, "canary_password", st->pass);
		rc = end_probe(st);
		break;
	case PG_FORBIDDEN:
		fact_set_str(facts, "login_forbidden", why);
		ctx_cred_result(ctx, st->user, CRED_FORBIDDEN);
		ctx_status(ctx, STATUS_OPEN,
			   "this address may not log in "
			   "(pg_hba.conf): %s",
			   why);
		rc = end_probe(st);
		break;
	case PG_BUSY:
	case PG_FAILED:
		fact_set_str(facts, "canary_error", why);
		rc = probe_fail(ctx, "canary", why);
		end_probe(st);
		break;
	default:
		conn_close(st);
		rc = start_login(ctx, st);
		break;
	}
	return rc;
}

static int login_done(struct check_ctx *ctx, struct pg_probe *st,
		      enum pg_outcome o, const char *why)
{
	cJSON *facts = ctx_facts(ctx);
	enum cred_result r = CRED_FAILED;
	/* the own login (no conn) never takes a password from elsewhere */
	bool used = st->conn != NULL && PQconnectionUsedPassword(st->conn) != 0;
	bool nopass = st->pass == NULL || st->pass[0] == '\0';
	int rc = 0;

	if (!pg_cred_verdict(o, &r)) {
		fact_set_str(facts, "login_error", why);
		ctx_status(ctx, STATUS_ERROR, "login check incomplete: %s",
			   why);
		rc = end_probe(st);
		goto out;
	}
	if (r == CRED_ACCEPTED && nopass && used) {
		/* a password we did not give (PGPASSWORD in the
		 * environment): no verdict on the empty one */
		fact_set_bool(facts, "env_password_used", true);
		r = CRED_FAILED;
	}
	ctx_cred_result(ctx, st->user, r);
	if (r == CRED_FORBIDDEN) {
		fact_set_str(facts, "login_forbidden", why);
		ctx_status(ctx, STATUS_OPEN,
			   "this address may not log in "
			   "(pg_hba.conf): %s",
			   why);
		rc = end_probe(st);
		goto out;
	}
	if (r != CRED_ACCEPTED) {
		conn_close(st);
		rc = STEP_AGAIN;
		goto out;
	}
	rc = record_login(facts, st, !used, o == PG_NO_DATABASE, &st->login);
	if (rc < 0)
		goto out;
	if (o == PG_OK) {
		rc = record_params(st->login, st->conn);
		if (rc == 0)
			rc = start_query(ctx, st);
		goto out;
	}
	conn_close(st);
	rc = STEP_AGAIN;
out:
	return rc;
}

/* ---- the own login of a guess (pg_wire.c) ----
 *
 * A guess goes over our own socket: SSLRequest and TLS when the server
 * said 'S' (sslmode=require, as for libpq), the startup, then cleartext,
 * md5 or SCRAM-SHA-256 with the key derived in pg_wire.c. Its verdict is
 * kept only when the server ends the login with an ErrorResponse that
 * pg_code_outcome() classifies (28P01 wrong password, pg_hba.conf,
 * NOLOGIN role, busy...): the rules libpq's text gets. Everything else
 * (a success, 3D000, an authentication method or SCRAM message we do not
 * handle, a TLS or I/O failure, a non-ASCII password that libpq would
 * SASLprep) is handed over to libpq for the same credential, so libpq
 * proves every login and runs the query after it.
 */

static void own_close(struct pg_probe *st)
{
	if (st->tls_conn != NULL)
		SSL_free(st->tls_conn); /* no close_notify: we hang up */
	st->tls_conn = NULL;
	if (st->ofd >= 0)
		close(st->ofd);
	st->ofd = -1;
	/* the keys and the password message (cleartext or md5) */
	OPENSSL_cleanse(&st->scram.server_key, sizeof(st->scram.server_key));
	OPENSSL_cleanse(st->out, st->nout);
	st->nout = st->outsent = 0;
}

/* the same credential through libpq */
static int own_handover(struct check_ctx *ctx, struct pg_probe *st)
{
	own_close(st);
	st->own_handover++;
	/* how many guesses libpq finished (successes, unhandled answers) */
	fact_set_num(ctx_facts(ctx), "own_handovers", st->own_handover);
	ctx_phasef(ctx, "login %u", st->attempt);
	return conn_start(ctx, st, KIND_LOGIN, st->user, st->pass);
}

/* the libpq switch for tests and comparisons: EXPOSURE_PG_LIBPQ=1 */
static bool own_wanted(const char *pass)
{
	const char *e = getenv("EXPOSURE_PG_LIBPQ");

	return (e == NULL || strcmp(e, "1") != 0) &&
	       (pass == NULL || pg_scram_plain_password(pass));
}

static int own_start(struct check_ctx *ctx, struct pg_probe *st,
		     const char *user, const char *pass)
{
	int err, one = 1;

	st->kind = KIND_LOGIN;
	st->user = user;
	st->pass = pass;
	st->authed = false;
	st->nout = st->outsent = st->nin = 0;
	err = ctx_host_turn(ctx);
	if (err != 0) {
		st->turn_own = true;
		st->phase = PH_TURN;
		return err;
	}
	err = ctx_connect(ctx, &st->ofd);
	if (err < 0) {
		st->ofd = -1;
		return own_handover(ctx, st);
	}
	/* as libpq: else the startup after the TLS Finished waits for a
	 * delayed ACK (Nagle), 40 ms a guess */
	(void)setsockopt(st->ofd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	st->own_logins++;
	fact_set_num(ctx_facts(ctx), "own_logins", st->own_logins);
	st->osub = OWN_CONNECT;
	st->phase = PH_OWN;
	return wait_fd(ctx, st, st->ofd, PROBE_WANT_WRITE);
}

/* the verdict of the own login, as libpq's would be */
static int own_done(struct check_ctx *ctx, struct pg_probe *st,
		    const struct pg_error *e, enum pg_outcome o)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "", why[PG_MSG_MAX];

	if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &a->u.sin.sin_addr, host, sizeof(host));
	/* libpq's first line, so that facts read the same either way */
	if (snprintf(why, sizeof(why),
		     "connection to server at \"%s\", port %u failed: %s:  %s: "
		     "%s",
		     host, (unsigned)ctx_port(ctx), e->severity, e->code,
		     e->message) >= (int)sizeof(why))
		why[sizeof(why) - 1] = '\0'; /* cut, as first_line() cuts */
	own_close(st);
	st->phase = PH_CONN; /* between connections: start_login next */
	return login_done(ctx, st, o, why);
}

static bool own_queue(struct pg_probe *st, uint8_t type, const void *body,
		      size_t n)
{
	size_t m = pg_wire_msg(st->out, sizeof(st->out), type, body, n);

	st->nout = m;
	st->outsent = 0;
	return m > 0;
}

/* answers an Authentication request; 1 answered, 0 handed over, or an
 * outcome through *o (a password was asked and we have none) */
static int own_auth(struct check_ctx *ctx, struct pg_probe *st,
		    const uint8_t *body, size_t n, enum pg_outcome *o)
{
	struct pg_auth a;
	bool nopass = st->pass == NULL || st->pass[0] == '\0';
	char buf[512], md5[36];
	uint8_t raw[24];
	size_t m, k;
	bool costly;

	(void)ctx;
	pg_wire_auth(body, n, &a);
	if (a.kind == PG_AUTH_OK) {
		st->authed = true;
		return 1;
	}
	if (nopass && (a.kind == PG_AUTH_CLEARTEXT || a.kind == PG_AUTH_MD5 ||
		       a.kind == PG_AUTH_SASL)) {
		*o = PG_NEED_PASSWORD;
		return 2;
	}
	switch (a.kind) {
	case PG_AUTH_CLEARTEXT:
		return own_queue(st, 'p', st->pass, strlen(st->pass) + 1);
	case PG_AUTH_MD5:
		pg_wire_md5(st->user, st->pass, a.salt, md5);
		return own_queue(st, 'p', md5, strlen(md5) + 1);
	case PG_AUTH_SASL:
		if (!a.has_scram)
			return 0;
		if (getrandom(raw, 18, 0) != 18)
			return 0;
		/* 18 random bytes as 24 base64 characters (no comma) */
		EVP_EncodeBlock((unsigned char *)md5, raw, 18);
		memcpy(buf, "SCRAM-SHA-256", 14);
		m = pg_scram_first(&st->scram, "", md5, buf + 18,
				   sizeof(buf) - 18);
		if (m == 0)
			return 0;
		buf[14] = (char)(m >> 24);
		buf[15] = (char)(m >> 16);
		buf[16] = (char)(m >> 8);
		buf[17] = (char)m;
		return own_queue(st, 'p', buf, 18 + m);
	case PG_AUTH_SASL_CONTINUE:
		k = pg_scram_final(&st->scram, st->pass, a.data, a.ndata, buf,
				   sizeof(buf), &costly);
		if (costly)
			expo_log("pg",
				 "SCRAM iteration count above %u: "
				 "login left to libpq",
				 PG_SCRAM_ITER_MAX);
		return k > 0 && own_queue(st, 'p', buf, k);
	case PG_AUTH_SASL_FINAL:
		/* a wrong server signature: libpq's verdict, not ours */
		return pg_scram_verify(&st->scram, a.data, a.ndata) ? 1 : 0;
	default:
		return 0;
	}
}

/* sends what is queued; 0 done, 1 would block, -1 failed */
static int own_flush(struct pg_probe *st, int *want)
{
	while (st->outsent < st->nout) {
		size_t left = st->nout - st->outsent;

		if (st->tls_conn != NULL) {
			int r = SSL_write(st->tls_conn, st->out + st->outsent,
					  (int)left);

			if (r <= 0) {
				int e = SSL_get_error(st->tls_conn, r);

				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE) {
					*want = e == SSL_ERROR_WANT_READ
							? PROBE_WANT_READ
							: PROBE_WANT_WRITE;
					return 1;
				}
				return -1;
			}
			st->outsent += (size_t)r;
		} else {
			int err = netio_send(st->ofd, st->out, st->nout,
					     &st->outsent);

			if (err == EAGAIN) {
				*want = PROBE_WANT_WRITE;
				return 1;
			}
			if (err != 0)
				return -1;
		}
	}
	return 0;
}

/* reads what the socket has, bounded by the buffer; 0 read something,
 * 1 would block, -1 closed or failed */
static int own_read(struct pg_probe *st, int *want)
{
	size_t room = sizeof(st->in) - st->nin;
	ssize_t r;

	if (room == 0)
		return -1;
	if (st->tls_conn != NULL) {
		int k = SSL_read(st->tls_conn, st->in + st->nin, (int)room);

		if (k <= 0) {
			int e = SSL_get_error(st->tls_conn, k);

			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				*want = e == SSL_ERROR_WANT_READ
						? PROBE_WANT_READ
						: PROBE_WANT_WRITE;
				return 1;
			}
			ERR_clear_error();
			return -1;
		}
		st->nin += (size_t)k;
		return 0;
	}
	r = recv(st->ofd, st->in + st->nin, room, MSG_DONTWAIT);
	if (r < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		*want = PROBE_WANT_READ;
		return 1;
	}
	if (r <= 0)
		return -1;
	st->nin += (size_t)r;
	return 0;
}

/* the messages read so far; 1 more to read, 0 hand over, or PROBE_* */
static int own_messages(struct check_ctx *ctx, struct pg_probe *st, int *rc)
{
	uint8_t type;
	const uint8_t *body;
	size_t n, used;
	int k;

	while ((k = pg_wire_next(st->in, st->nin, &type, &body, &n, &used)) ==
	       1) {
		struct pg_error e;
		enum pg_outcome o;
		int a;

		switch (type) {
		case 'R':
			if (st->authed)
				return 0;
			a = own_auth(ctx, st, body, n, &o);
			if (a == 0)
				return 0;
			if (a == 2) {
				memset(&e, 0, sizeof(e));
				snprintf(e.severity, sizeof(e.severity), "%s",
					 "FATAL");
				snprintf(e.message, sizeof(e.message), "%s",
					 "a password was asked");
				*rc = own_done(ctx, st, &e, o);
				return 2;
			}
			break;
		case 'E':
			if (!pg_wire_error(body, n, &e))
				return 0;
			o = pg_wire_outcome(&e);
			/* a proven password, or no verdict: libpq decides */
			if (o == PG_FAILED || o == PG_NO_DATABASE || o == PG_OK)
				return 0;
			*rc = own_done(ctx, st, &e, o);
			return 2;
		case 'Z':
			/* logged in: libpq logs in again for the query */
			return 0;
		case 'N': /* notice */
		case 'S': /* parameter status */
		case 'K': /* backend key */
		case 'v': /* NegotiateProtocolVersion */
			break;
		default:
			return 0;
		}
		memmove(st->in, st->in + used, st->nin - used);
		st->nin -= used;
	}
	return k < 0 ? 0 : 1;
}

static int step_own(struct check_ctx *ctx, struct pg_probe *st)
{
	int want = PROBE_WANT_READ, r, rc = 0;
	uint8_t b;
	ssize_t got;

	for (;;) {
		switch (st->osub) {
		case OWN_CONNECT:
			if (connect_error(st->ofd) != 0)
				return own_handover(ctx, st);
			if (st->tls) {
				memcpy(st->out, pg_sslrequest,
				       PG_SSLREQUEST_LEN);
				st->nout = PG_SSLREQUEST_LEN;
				st->outsent = 0;
				st->osub = OWN_SSLREQ;
			} else {
				st->nout = pg_wire_startup(
					st->out, sizeof(st->out), st->user);
				st->outsent = 0;
				if (st->nout == 0)
					return own_handover(ctx, st);
				st->osub = OWN_AUTH;
			}
			break;
		case OWN_SSLREQ:
			r = own_flush(st, &want);
			if (r < 0)
				return own_handover(ctx, st);
			if (r > 0)
				return wait_fd(ctx, st, st->ofd, want);
			got = recv(st->ofd, &b, 1, MSG_DONTWAIT);
			if (got < 0 && (errno == EAGAIN ||
					errno == EWOULDBLOCK || errno == EINTR))
				return wait_fd(ctx, st, st->ofd,
					       PROBE_WANT_READ);
			if (got != 1 || b != 'S')
				return own_handover(ctx, st);
			if (st->tls_ctx == NULL) {
				st->tls_ctx = SSL_CTX_new(TLS_client_method());
				if (st->tls_ctx == NULL)
					return own_handover(ctx, st);
				/* sslmode=require: encrypted, not verified;
				 * libpq's default floor, TLS 1.2 */
				SSL_CTX_set_verify(st->tls_ctx, SSL_VERIFY_NONE,
						   NULL);
				SSL_CTX_set_min_proto_version(st->tls_ctx,
							      TLS1_2_VERSION);
				/* PostgreSQL's ssl_ecdh_curve is prime256v1
				 * by default: a P-256 key share first saves
				 * a HelloRetryRequest round trip a guess */
				SSL_CTX_set1_groups_list(st->tls_ctx,
							 "P-256:X25519:P-384");
				/* whole records per read(), not 5 bytes */
				SSL_CTX_set_read_ahead(st->tls_ctx, 1);
			}
			st->tls_conn = SSL_new(st->tls_ctx);
			if (st->tls_conn == NULL ||
			    SSL_set_fd(st->tls_conn, st->ofd) != 1)
				return own_handover(ctx, st);
			SSL_set_connect_state(st->tls_conn);
			st->osub = OWN_TLS;
			break;
		case OWN_TLS:
			r = SSL_connect(st->tls_conn);
			if (r != 1) {
				int e = SSL_get_error(st->tls_conn, r);

				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					return wait_fd(
						ctx, st, st->ofd,
						e == SSL_ERROR_WANT_READ
							? PROBE_WANT_READ
							: PROBE_WANT_WRITE);
				ERR_clear_error();
				return own_handover(ctx, st);
			}
			st->nout = pg_wire_startup(st->out, sizeof(st->out),
						   st->user);
			st->outsent = 0;
			if (st->nout == 0)
				return own_handover(ctx, st);
			st->osub = OWN_AUTH;
			break;
		case OWN_AUTH:
			r = own_flush(st, &want);
			if (r < 0)
				return own_handover(ctx, st);
			if (r > 0)
				return wait_fd(ctx, st, st->ofd, want);
			r = own_read(st, &want);
			if (r < 0)
				return own_handover(ctx, st);
			if (r > 0)
				return wait_fd(ctx, st, st->ofd, want);
			r = own_messages(ctx, st, &rc);
			if (r == 0)
				return own_handover(ctx, st);
			if (r == 2)
				return rc;
			break;
		default:
			return own_handover(ctx, st);
		}
	}
}

/* the next login, or the end; STEP_AGAIN means "run the machine" */
static int start_login(struct check_ctx *ctx, struct pg_probe *st)
{
	const char *u = NULL, *p = NULL;
	int rc;

	conn_close(st);
	if (ctx_next_cred(ctx, &u, &p) <= 0 || u == NULL || u[0] == '\0') {
		rc = end_probe(st);
		goto out;
	}
	st->attempt++;
	ctx_phasef(ctx, "login %u", st->attempt);
	if (own_wanted(p))
		rc = own_start(ctx, st, u, p != NULL ? p : "");
	else
		rc = conn_start(ctx, st, KIND_LOGIN, u, p != NULL ? p : "");
out:
	return rc;
}

/* the TLS version libpq negotiated, once: libpq forgets it when the
 * login fails, so it is read while the connection is under way */
static void record_tls(struct check_ctx *ctx, PGconn *conn)
{
	cJSON *facts = ctx_facts(ctx);
	const char *v = PQsslAttribute(conn, "protocol");

	if (v != NULL &&
	    cJSON_GetObjectItemCaseSensitive(facts, "tls_version") == NULL)
		fact_set_str(facts, "tls_version", v);
}

static int step_conn(struct check_ctx *ctx, struct pg_probe *st)
{
	PostgresPollingStatusType ps = PQconnectPoll(st->conn);
	char why[PG_MSG_MAX];
	enum pg_outcome o;
	int rc;

	if (ps == PGRES_POLLING_READING || ps == PGRES_POLLING_WRITING) {
		int fd = PQsocket(st->conn);

		if (fd < 0) {
			ps = PGRES_POLLING_FAILED;
		} else {
			if (PQsslInUse(st->conn))
				record_tls(ctx, st->conn);
			rc = wait_fd(ctx, st, fd,
				     ps == PGRES_POLLING_READING
					     ? PROBE_WANT_READ
					     : PROBE_WANT_WRITE);
			goto out;
		}
	}
	first_line(PQerrorMessage(st->conn), why, sizeof(why));
	o = pg_classify(ps == PGRES_POLLING_OK,
			PQconnectionNeedsPassword(st->conn) != 0,
			PQerrorMessage(st->conn));
	if (st->kind == KIND_HELLO)
		rc = hello_done(ctx, st, o, why);
	else if (st->kind == KIND_CANARY)
		rc = canary_done(ctx, st, o, why);
	else
		rc = login_done(ctx, st, o, why);
out:
	return rc;
}

static int query_result(struct pg_probe *st, PGresult *res)
{
	int err = 0;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    PQnfields(res) == 2) {
		const char *su = PQgetvalue(res, 0, 0);
		const char *ver = PQgetvalue(res, 0, 1);

		cJSON_DeleteItemFromObjectCaseSensitive(st->login,
							"server_version");
		if (!cJSON_AddBoolToObject(st->login, "superuser",
					   su != NULL && su[0] == 't') ||
		    !cJSON_AddStringToObject(st->login, "server_version",
					     ver != NULL ? ver : ""))
			err = EXPO_ENOMEM;
	} else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char why[PG_MSG_MAX];

		first_line(PQresultErrorMessage(res), why, sizeof(why));
		cJSON_AddStringToObject(st->login, "query_error", why);
	}
	return err;
}

static int step_query(struct check_ctx *ctx, struct pg_probe *st)
{
	int rc = 0, fl;

	fl = PQflush(st->conn);
	if (fl < 0 || !PQconsumeInput(st->conn)) {
		char why[PG_MSG_MAX];

		first_line(PQerrorMessage(st->conn), why, sizeof(why));
		cJSON_AddStringToObject(st->login, "query_error", why);
		rc = start_login(ctx, st);
		goto out;
	}
	while (!PQisBusy(st->conn)) {
		PGresult *res = PQgetResult(st->conn);

		if (res == NULL) {
			rc = start_login(ctx, st);
			goto out;
		}
		rc = query_result(st, res);
		PQclear(res);
		if (rc < 0)
			goto out;
	}
	rc = wait_fd(ctx, st, PQsocket(st->conn),
		     fl == 1 ? PROBE_WANT_RW : PROBE_WANT_READ);
out:
	return rc;
}

/* --host-rate: the slot has come, the connection starts */
static int step_turn(struct check_ctx *ctx, struct pg_probe *st)
{
	return st->turn_own ? own_start(ctx, st, st->user, st->pass)
			    : conn_start(ctx, st, st->kind, st->user, st->pass);
}

/* ---- the check's entry points ---- */

static int pg_start(struct check_ctx *ctx, void *state)
{
	struct pg_probe *st = state;
	char why[256];
	int err;

	st->fd = -1;
	st->ofd = -1;
	st->last_fd = -1;
	if (pq_lib_load(why, sizeof(why)) != 0) {
		ctx_status(ctx, STATUS_ERROR, "not checked: %s", why);
		return EXPO_ENOTFOUND;
	}
	ctx_phase(ctx, "ssl request");
	err = ctx_connect(ctx, &st->fd);
	if (err < 0) {
		st->fd = -1;
		goto out;
	}
	st->phase = PH_SSL_CONNECT;
	err = 0;
out:
	return err;
}

static int (*const pg_steps[])(struct check_ctx *ctx, struct pg_probe *st) = {
	[PH_SSL_CONNECT] = step_ssl_connect,
	[PH_SSL_IO] = step_ssl_io,
	[PH_CONN] = step_conn,
	[PH_QUERY] = step_query,
	[PH_OWN] = step_own,
	[PH_TURN] = step_turn,
};

static int pg_step(struct check_ctx *ctx, void *state)
{
	struct pg_probe *st = state;
	int rc = STEP_AGAIN;

	if (st->hop_want) {
		/* the engine has dropped the stale registration */
		rc = st->hop_want;
		st->hop_want = 0;
		ctx_set_fd(ctx, st->last_fd);
		goto out;
	}
	while (rc == STEP_AGAIN) {
		if ((size_t)st->phase < ARRAY_SIZE(pg_steps) &&
		    pg_steps[st->phase] != NULL)
			rc = pg_steps[st->phase](ctx, st);
		else
			rc = PROBE_DONE;
		/* a finished login whose next one is still to start */
		if (rc == STEP_AGAIN && st->phase == PH_CONN &&
		    st->conn == NULL)
			rc = start_login(ctx, st);
	}
out:
	return rc;
}

static void pg_cleanup(struct check_ctx *ctx, void *state)
{
	struct pg_probe *st = state;

	raw_close(st);
	conn_close(st);
	own_close(st);
	if (st->tls_ctx != NULL)
		SSL_CTX_free(st->tls_ctx);
	st->tls_ctx = NULL;
	(void)ctx;
}

/* ---- assess: facts -> findings, no I/O ---- */

/* the server version seen by any login, or NULL */
static const char *any_version(const cJSON *facts)
{
	const cJSON *it = NULL;
	const char *v = NULL;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		if (v == NULL)
			v = fact_get_str(it, "server_version");
	}
	return v;
}

static int assess_tls(const cJSON *facts, struct check_ctx *ctx)
{
	const char *ans = fact_get_str(facts, "ssl_answer");
	const char *v = any_version(facts);
	int err = 0;

	/* a garbage server's first byte may be 'N' by chance: only a
	 * server that then spoke PostgreSQL counts */
	if (ans != NULL && strcmp(ans, "N") == 0 &&
	    fact_is_true(facts, "is_postgres"))
		err = ctx_report(ctx, "pg.no_tls", NULL,
				 "answers N to SSLRequest: logins and data "
				 "cross the network in cleartext%s%s%s",
				 v ? " (PostgreSQL " : "", v ? v : "",
				 v ? ")" : "");
	return err;
}

/* the logins with trust == want_trust, as evidence and secrets */
static unsigned list_logins(const cJSON *facts, bool want_trust,
			    struct dynbuf *ev, struct dynbuf *secret)
{
	const cJSON *it = NULL;
	unsigned n = 0;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");
		const char *tls = fact_get_str(it, "tls");

		if (u == NULL || fact_is_true(it, "trust") != want_trust)
			continue;
		dynbuf_addf(ev, "%s%s", n ? ", " : "", u);
		if (fact_is_true(it, "db_missing") || tls != NULL)
			dynbuf_addf(
				ev, " (%s%s%s%s)",
				fact_is_true(it, "db_missing")
					? "authenticated; database \"postgres\" "
					  "does not exist"
					: "",
				fact_is_true(it, "db_missing") && tls ? ", "
								      : "",
				tls ? "over " : "", tls ? tls : "");
		if (secret != NULL)
			dynbuf_addf(secret, "%s%s:%s", n ? ", " : "", u,
				    p != NULL ? p : "");
		n++;
	}
	return n;
}

static int assess_trust(const cJSON *facts, struct check_ctx *ctx)
{
	struct dynbuf ev;
	unsigned n;
	int err = 0;

	dynbuf_init(&ev, PG_EVIDENCE_MAX);
	if (fact_is_true(facts, "accepts_any_user")) {
		const char *u = fact_get_str(facts, "accepts_any_user_name");

		err = ctx_report(ctx, "pg.trust_auth", NULL,
				 "the made-up role %s logged in without any "
				 "password: any user name is accepted",
				 u ? u : "?");
		goto out;
	}
	n = list_logins(facts, true, &ev, NULL);
	if (n > 0)
		err = ctx_report(ctx, "pg.trust_auth", NULL,
				 "logged in without any password being asked "
				 "for as %s",
				 dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	return err;
}

static int assess_credentials(const cJSON *facts, struct check_ctx *ctx)
{
	struct dynbuf ev, secret;
	unsigned n;
	int err = 0;

	dynbuf_init(&ev, PG_EVIDENCE_MAX);
	dynbuf_init(&secret, PG_EVIDENCE_MAX);
	if (fact_is_true(facts, "accepts_any_credential")) {
		const char *u = fact_get_str(facts, "canary_user");

		err = ctx_report(ctx, "pg.default_credentials",
				 fact_get_str(facts, "canary_password"),
				 "accepts any user and password (canary): the "
				 "made-up role %s logged in with a random "
				 "password",
				 u ? u : "?");
		goto out;
	}
	n = list_logins(facts, false, &ev, &secret);
	if (n > 0)
		err = ctx_report(ctx, "pg.default_credentials",
				 dynbuf_ptr(&secret),
				 "logged in with a default or weak password "
				 "as %s",
				 dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	return err;
}

static int assess_superuser(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	struct dynbuf ev;
	const char *v = NULL;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, PG_EVIDENCE_MAX);
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const cJSON *su =
			cJSON_GetObjectItemCaseSensitive(it, "superuser");
		const char *u = fact_get_str(it, "user");
		bool is_su;

		/* the query's answer; the startup parameter only if the
		 * query gave none */
		is_su = cJSON_IsBool(su) ? cJSON_IsTrue(su)
					 : fact_is_true(it, "superuser_param");
		if (!is_su || u == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s%s", n ? ", " : "", u,
			    fact_is_true(it, "trust") ? " (no password)" : "");
		if (v == NULL)
			v = fact_get_str(it, "server_version");
		n++;
	}
	if (n > 0)
		err = ctx_report(ctx, "pg.superuser_access", NULL,
				 "the role%s %s %s superuser%s%s%s: COPY ... "
				 "FROM PROGRAM runs commands as the server's "
				 "operating system user",
				 n > 1 ? "s" : "", dynbuf_ptr(&ev),
				 n > 1 ? "are" : "is a", n > 1 ? "s" : "",
				 v ? " on PostgreSQL " : "", v ? v : "");
	dynbuf_release(&ev);
	return err;
}

static int pg_assess(const cJSON *facts, struct check_ctx *ctx)
{
	int err = 0;

	err = keep_err(err, assess_tls(facts, ctx));
	err = keep_err(err, assess_trust(facts, ctx));
	err = keep_err(err, assess_credentials(facts, ctx));
	err = keep_err(err, assess_superuser(facts, ctx));
	return err;
}

/* ---- the module ---- */

static const struct rule pg_rules[] = {
	{
		.id = "pg.trust_auth",
		.title = "PostgreSQL login without a password (trust)",
		.description =
			"pg_hba.conf trusts connections from this "
			"address: a login as a listed role succeeded without "
			"any password being asked for.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CWE-1188; ATT&CK T1078.001; "
			      "ATT&CK T1190",
		.remediation =
			"Replace trust by scram-sha-256 in pg_hba.conf "
			"for every host line, set strong passwords, restrict "
			"listen_addresses and the allowed source networks, "
			"then reload PostgreSQL.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
	{
		.id = "pg.default_credentials",
		.title = "PostgreSQL login with a default or weak password",
		.description =
			"A login with a default or listed weak "
			"password succeeded (or the server accepts any "
			"credential), the first step of the CPU_HU and PG_MEM "
			"cryptomining campaigns.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1078.001",
		.remediation =
			"Set a long random password on the listed roles "
			"(ALTER ROLE ... PASSWORD, with password_encryption = "
			"scram-sha-256), allow only the application networks "
			"in pg_hba.conf, and review the roles and the logs "
			"for past abuse.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
	{
		.id = "pg.superuser_access",
		.title = "PostgreSQL superuser access obtained",
		.description =
			"The role obtained by the login is a superuser: "
			"COPY ... FROM PROGRAM and untrusted languages run "
			"commands on the host as the postgres system user.",
		/* S:C: the database grants the host's operating system */
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
		.references = "CWE-250; CWE-269; ATT&CK T1059; "
			      "ATT&CK T1078.001; CVE-2019-9193",
		.remediation =
			"Do not let superusers log in over the network "
			"(pg_hba.conf: reject for them on host lines); give "
			"applications roles without SUPERUSER, and a strong "
			"password to every role that can log in.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
	{
		.id = "pg.no_tls",
		.title = "PostgreSQL refuses TLS",
		.description =
			"The server answers an SSLRequest with N: "
			"queries, results and, with password or md5 "
			"authentication, the credentials can be read and "
			"altered on the network.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-319; ATT&CK T1040; ATT&CK T1557",
		.remediation =
			"Set ssl = on with a certificate and key "
			"(ssl_cert_file, ssl_key_file), ssl_min_protocol_version"
			" = 'TLSv1.2', and use hostssl instead of host lines in "
			"pg_hba.conf so that cleartext logins are refused.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
};

static const char *const pg_services[] = { "postgresql", NULL };
static const uint16_t pg_ports[] = { 5432 };

static const char *const pg_default_users[] = {
	"postgres",   "admin",	 "root", "user", "pgsql",
	"postgresql", "dbadmin", "test", NULL,
};

/*
 * The empty password (trust) and password = user are added by the
 * engine and tried first; with the default 5 attempts per account only
 * the first three below are reached.
 */
static const char *const pg_default_passwords[] = {
	"password", "123456",	"admin",  "postgres", "root", "changeme",
	"secret",   "12345678", "qwerty", "pass",     "test", NULL,
};

const struct check check_pg = {
	.name = "pg",
	.summary = "PostgreSQL: TLS refused, trust authentication, default "
		   "credentials (md5, SCRAM), superuser access",
	.services = pg_services,
	.ports = pg_ports,
	.nports = ARRAY_SIZE(pg_ports),
	.flags = CHECK_LOGIN,
	.rules = pg_rules,
	.nrules = ARRAY_SIZE(pg_rules),
	.default_users = pg_default_users,
	.default_passwords = pg_default_passwords,
	.default_max_attempts = 5,
	.state_size = sizeof(struct pg_probe),
	.start = pg_start,
	.step = pg_step,
	.cleanup = pg_cleanup,
	.assess = pg_assess,
};
