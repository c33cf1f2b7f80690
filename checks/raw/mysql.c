/*
 * mysql.c - mysql.default_credentials: does a MySQL/MariaDB server let
 * root in with an empty or default password?
 *
 * What it sends: one TCP connection per login attempt. It reads the
 * server's Handshake V10 (version, default auth plugin), then sends a
 * HandshakeResponse41 (no TLS, no database, no query) and reads OK or
 * ERR; an AuthSwitchRequest is followed for mysql_native_password and
 * caching_sha2_password. caching_sha2_password's full authentication
 * over plain TCP uses the server's RSA key (request 0x02, RSA-OAEP of the
 * scrambled password), as the MySQL client does without TLS; a password
 * is never sent in clear (mysql_clear_password is refused), and
 * client_ed25519/GSSAPI accounts are reported as not tried.
 * It logs in (CHECK_LOGIN): first the ctx's random canary user (a server
 * with skip-grant-tables accepts anything), then the pairs ctx_next_cred()
 * hands out (--creds, then root with the empty password, "root" and the
 * list below; --max-attempts and lockout are the ctx's business). On
 * success it disconnects at once: no statement runs.
 * Why our own protocol code rather than libmariadb's non-blocking API:
 * the exchange is four packets; our parser is bounded and fuzzable, the
 * engine's epoll drives it like the other raw checks, nothing reads
 * my.cnf or resolves names, and the build needs no extra library.
 * References: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html,
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html,
 * https://mariadb.com/kb/en/connection/; CWE-1392, CWE-521.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "dynbuf.h"
#include "expo.h"
#include "mysql_wire.h"
#include "rawio.h"

#define MY_OUT_MAX 2048
#define MY_MAX_ROUNDS 6 /* auth packets per attempt */
#define MY_EVIDENCE_MAX 1024
/* a step's "parse the next packet already buffered" */
#define MY_AGAIN 100

enum my_phase { MY_HANDSHAKE = 0, MY_AUTH, MY_DONE };

struct mysql_probe {
	struct rawio io;
	enum my_phase phase;
	bool have_server; /* the first handshake went to facts */
	bool canary_done;
	bool is_canary;		 /* the attempt under way */
	const char *user, *pass; /* NULL user: handshake only */
	unsigned attempt;
	unsigned rounds;
	bool asked_key;
	char plugin[64]; /* the plugin of the attempt under way */
	uint8_t scramble[MYSQL_SCRAMBLE_LEN];
};

/* probe_fail() that also hangs up: the probe ends here */
static int fail_and_close(struct check_ctx *ctx, struct mysql_probe *st,
			  const char *what, const char *why)
{
	ctx_status(ctx, STATUS_ERROR, "%s: %s", what, why);
	st->phase = MY_DONE;
	rawio_close(&st->io);
	return PROBE_DONE;
}

/* the next pair into st->user/pass (the canary first); false if none */
static bool next_pair(struct check_ctx *ctx, struct mysql_probe *st)
{
	const char *u = NULL, *p = NULL;
	bool got = false;

	st->user = NULL;
	st->pass = NULL;
	st->is_canary = false;
	if (!ctx_login_allowed(ctx))
		goto out;
	if (!st->canary_done) {
		st->canary_done = true;
		if (ctx_canary(ctx, &u, &p) > 0 && u != NULL && p != NULL) {
			st->is_canary = true;
			got = true;
			goto set;
		}
	}
	while (ctx_next_cred(ctx, &u, &p) > 0 && u != NULL) {
		/* the name must fit our login packet */
		if (u[0] != '\0' && strlen(u) < 128 &&
		    (p == NULL || strlen(p) < 200)) {
			got = true;
			break;
		}
		ctx_cred_result(ctx, u, CRED_FAILED);
	}
set:
	if (got) {
		st->user = u;
		st->pass = p != NULL ? p : "";
	}
out:
	return got;
}

static int open_attempt(struct check_ctx *ctx, struct mysql_probe *st)
{
	int err;

	st->attempt++;
	st->rounds = 0;
	st->asked_key = false;
	st->phase = MY_HANDSHAKE;
	if (st->is_canary || !st->user)
		ctx_phase(ctx, st->is_canary ? "canary" : "handshake");
	else
		ctx_phasef(ctx, "login %u", st->attempt - 1);
	err = rawio_open(ctx, &st->io);
	return err < 0 ? fail_and_close(ctx, st, "connect", expo_strerror(err))
		       : rawio_pump(ctx, &st->io, "connect");
}

static int mysql_start(struct check_ctx *ctx, void *state)
{
	struct mysql_probe *st = state;
	int err;

	rawio_init(&st->io, MYSQL_PAYLOAD_MAX + 4, MY_OUT_MAX);
	next_pair(ctx, st);
	ctx_phase(ctx, "handshake");
	err = rawio_open(ctx, &st->io);
	if (err < 0) {
		rawio_close(&st->io);
		goto out;
	}
	st->attempt = 1;
	st->phase = MY_HANDSHAKE;
out:
	return err;
}

static int record_server(cJSON *facts, const struct mysql_handshake *h)
{
	const char *v = h->version;
	int err = EXPO_ENOMEM;

	/* MariaDB < 11 prefixes "5.5.5-" for old replication clients */
	if (strncmp(v, "5.5.5-", 6) == 0 && strstr(v, "MariaDB") != NULL)
		v += 6;
	if (!cJSON_AddStringToObject(facts, "server_version", v) ||
	    !cJSON_AddStringToObject(facts, "auth_plugin", h->plugin))
		goto out;
	err = 0;
out:
	return err;
}

static int record_login(cJSON *facts, const struct mysql_probe *st)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, "logins");
	cJSON *o = NULL;
	int err = EXPO_ENOMEM;

	if (st->is_canary) {
		if (!cJSON_AddBoolToObject(facts, "accepts_any", true) ||
		    !cJSON_AddStringToObject(facts, "canary_user", st->user) ||
		    !cJSON_AddStringToObject(facts, "canary_password",
					     st->pass))
			goto out;
		err = 0;
		goto out;
	}
	if (arr == NULL)
		arr = cJSON_AddArrayToObject(facts, "logins");
	o = cJSON_CreateObject();
	if (arr == NULL || o == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		goto out;
	}
	if (!cJSON_AddStringToObject(o, "user", st->user) ||
	    !cJSON_AddStringToObject(o, "password", st->pass) ||
	    !cJSON_AddStringToObject(o, "plugin", st->plugin))
		goto out;
	err = 0;
out:
	return err;
}

static bool known_plugin(const char *p)
{
	return strcmp(p, "mysql_native_password") == 0 ||
	       strcmp(p, "caching_sha2_password") == 0;
}

/* the scrambled password for st->plugin into auth */
static void scramble(const struct mysql_probe *st, uint8_t auth[32],
		     size_t *alen)
{
	if (strcmp(st->plugin, "caching_sha2_password") == 0)
		mysql_scramble_sha2(st->pass, st->scramble, auth, alen);
	else
		mysql_scramble_native(st->pass, st->scramble, auth, alen);
}

/* queues payload as packet seq */
static int send_packet(struct mysql_probe *st, uint8_t seq,
		       const uint8_t *payload, size_t plen)
{
	uint8_t pkt[MY_OUT_MAX];
	int n = mysql_wire_frame(pkt, sizeof(pkt), seq, payload, plen);

	return n < 0 ? n : rawio_queue(&st->io, pkt, (size_t)n);
}

/* the attempt is over (result given): the next one, or the end */
static int next_attempt(struct check_ctx *ctx, struct mysql_probe *st)
{
	rawio_close(&st->io);
	rawio_init(&st->io, MYSQL_PAYLOAD_MAX + 4, MY_OUT_MAX);
	if (!next_pair(ctx, st)) {
		st->phase = MY_DONE;
		return PROBE_DONE;
	}
	return open_attempt(ctx, st);
}

/* an ERR other than "access denied" during login, for the ctx */
static enum cred_result err_result(unsigned code)
{
	switch (code) {
	case 1129: /* host blocked (max_connect_errors) */
	case 1130: /* host not allowed to connect */
		return CRED_FORBIDDEN;
	case 3118: /* MySQL: account is locked */
	case 3955: /* MySQL: blocked after failed logins */
	case 4151: /* MariaDB: account has been locked */
		return CRED_LOCKED;
	default:
		return CRED_FAILED;
	}
}

static int step_handshake(struct check_ctx *ctx, struct mysql_probe *st,
			  const uint8_t *p, size_t n, uint8_t seq)
{
	cJSON *facts = ctx_facts(ctx);
	struct mysql_handshake h;
	uint8_t auth[32], pkt[600];
	size_t alen = 0;
	int err, len, rc;

	err = mysql_wire_handshake(p, n, &h);
	if (err == EXPO_EPROTO) {
		rc = fail_and_close(ctx, st, "handshake",
				    "not a MySQL/MariaDB server "
				    "(no protocol 10 handshake)");
		goto out;
	}
	if (err < 0) {
		rc = fail_and_close(ctx, st, "handshake",
				    "malformed handshake");
		goto out;
	}
	if (h.is_error) {
		/* 1129 blocked, 1130 not allowed: no login from here */
		if (st->user != NULL && !st->is_canary)
			ctx_cred_result(ctx, st->user, err_result(h.err.code));
		if (!cJSON_GetObjectItemCaseSensitive(facts, "refused") &&
		    !cJSON_AddStringToObject(facts, "refused", h.err.message)) {
			rc = EXPO_ENOMEM;
			goto out;
		}
		st->phase = MY_DONE;
		rawio_close(&st->io);
		ctx_status(ctx, STATUS_OPEN,
			   "MySQL refused the connection: "
			   "%u %s",
			   h.err.code, h.err.message);
		rc = PROBE_DONE;
		goto out;
	}
	if (!st->have_server) {
		st->have_server = true;
		err = record_server(facts, &h);
		if (err < 0) {
			rc = err;
			goto out;
		}
	}
	if (st->user == NULL) {
		st->phase = MY_DONE;
		rawio_close(&st->io);
		rc = PROBE_DONE;
		goto out;
	}
	memcpy(st->scramble, h.scramble, sizeof(st->scramble));
	snprintf(st->plugin, sizeof(st->plugin), "%s",
		 known_plugin(h.plugin) ? h.plugin : "mysql_native_password");
	scramble(st, auth, &alen);
	len = mysql_wire_login(pkt, sizeof(pkt), (uint8_t)(seq + 1), st->user,
			       auth, alen, st->plugin);
	err = len < 0 ? len : rawio_queue(&st->io, pkt, (size_t)len);
	if (err < 0) {
		rc = err;
		goto out;
	}
	st->phase = MY_AUTH;
	rc = rawio_wait(ctx, &st->io);
out:
	return rc;
}

static int attempt_result(struct check_ctx *ctx, struct mysql_probe *st,
			  enum cred_result res)
{
	int err = 0;

	if (!st->is_canary)
		ctx_cred_result(ctx, st->user, res);
	if (res == CRED_ACCEPTED) {
		err = record_login(ctx_facts(ctx), st);
		if (err < 0)
			return err;
		if (st->is_canary) {
			/* accepts anything: nothing more to learn */
			st->phase = MY_DONE;
			rawio_close(&st->io);
			return PROBE_DONE;
		}
	}
	return next_attempt(ctx, st);
}

static int step_auth(struct check_ctx *ctx, struct mysql_probe *st,
		     const uint8_t *p, size_t n, uint8_t seq)
{
	struct mysql_reply r;
	uint8_t auth[512];
	size_t alen = 0;
	int err, rc;

	err = mysql_wire_reply(p, n, &r);
	if (err < 0 || ++st->rounds > MY_MAX_ROUNDS) {
		if (!st->is_canary)
			ctx_cred_result(ctx, st->user, CRED_FAILED);
		rc = fail_and_close(ctx, st, "login",
				    err < 0 ? "malformed reply to the "
					      "login"
					    : "too many authentication rounds");
		goto out;
	}
	switch (r.kind) {
	case MYSQL_R_OK:
		rc = attempt_result(ctx, st, CRED_ACCEPTED);
		goto out;
	case MYSQL_R_ERR:
		if (r.err.code == 1045 || r.err.code == 1044 ||
		    r.err.code == 1698) {
			rc = attempt_result(ctx, st, CRED_FAILED);
			goto out;
		}
		if (!st->is_canary)
			ctx_cred_result(ctx, st->user, err_result(r.err.code));
		ctx_status(ctx, STATUS_ERROR, "login: server error %u: %s",
			   r.err.code, r.err.message);
		st->phase = MY_DONE;
		rawio_close(&st->io);
		rc = PROBE_DONE;
		goto out;
	case MYSQL_R_SWITCH:
		if (!known_plugin(r.plugin) || r.dlen < MYSQL_SCRAMBLE_LEN) {
			cJSON *f = ctx_facts(ctx);

			if (!st->is_canary)
				ctx_cred_result(ctx, st->user, CRED_FAILED);
			if (!cJSON_GetObjectItemCaseSensitive(
				    f, "unsupported_plugin"))
				cJSON_AddStringToObject(f, "unsupported_plugin",
							r.plugin);
			rc = fail_and_close(
				ctx, st, "login",
				"the account's "
				"authentication plugin is not supported "
				"without TLS");
			goto out;
		}
		snprintf(st->plugin, sizeof(st->plugin), "%s", r.plugin);
		memcpy(st->scramble, r.data, MYSQL_SCRAMBLE_LEN);
		scramble(st, auth, &alen);
		break;
	case MYSQL_R_MORE:
		if (strcmp(st->plugin, "caching_sha2_password") != 0 ||
		    r.dlen < 1) {
			rc = fail_and_close(ctx, st, "login",
					    "unexpected AuthMoreData");
			goto out;
		}
		if (!st->asked_key && r.dlen == 1 && r.data[0] == 3) {
			/* fast authentication succeeded: OK follows,
			 * maybe in the same read */
			rc = MY_AGAIN;
			goto out;
		}
		if (!st->asked_key && r.dlen == 1 && r.data[0] == 4) {
			/* full authentication: ask for the RSA key */
			st->asked_key = true;
			auth[0] = 2;
			alen = 1;
			break;
		}
		if (!st->asked_key ||
		    mysql_rsa_password(st->pass, st->scramble, r.data, r.dlen,
				       auth, sizeof(auth), &alen) < 0) {
			rc = fail_and_close(
				ctx, st, "login",
				"caching_sha2_password "
				"full authentication: no usable RSA key");
			goto out;
		}
		break;
	}
	err = send_packet(st, (uint8_t)(seq + 1), auth, alen);
	rc = err < 0 ? err : rawio_wait(ctx, &st->io);
out:
	return rc;
}

static int mysql_step(struct check_ctx *ctx, void *state)
{
	struct mysql_probe *st = state;
	const uint8_t *payload = NULL;
	size_t plen = 0, used = 0;
	uint8_t seq = 0;
	int rc = 0, err;

	while (rc == 0 && st->phase != MY_DONE) {
		const char *what = st->phase == MY_HANDSHAKE ? "handshake"
							     : "login";

		rc = rawio_pump(ctx, &st->io, what);
		if (rc != 0) {
			if (rc < 0) {
				st->phase = MY_DONE;
				rc = PROBE_DONE;
			}
			break;
		}
		err = mysql_wire_packet((const uint8_t *)dynbuf_ptr(&st->io.in),
					dynbuf_len(&st->io.in), &payload, &plen,
					&seq, &used);
		if (err == MYSQL_WIRE_MORE && !st->io.eof) {
			rc = rawio_wait(ctx, &st->io);
			break;
		}
		if (err != 0) {
			if (st->phase == MY_AUTH && !st->is_canary)
				ctx_cred_result(ctx, st->user, CRED_FAILED);
			rc = fail_and_close(ctx, st, what,
					    err == MYSQL_WIRE_MORE
						    ? "connection closed"
						    : "packet over 16 KiB");
			break;
		}
		/* the payload stays valid: the buffer is consumed after */
		if (st->phase == MY_HANDSHAKE)
			rc = step_handshake(ctx, st, payload, plen, seq);
		else
			rc = step_auth(ctx, st, payload, plen, seq);
		if (st->io.fd >= 0 && dynbuf_len(&st->io.in) >= used)
			dynbuf_consume(&st->io.in, used);
		if (rc == MY_AGAIN)
			rc = 0;
		else if (rc == 0)
			break;
	}
	if (rc == 0)
		rc = PROBE_DONE;
	return rc;
}

static void mysql_cleanup(struct check_ctx *ctx, void *state)
{
	struct mysql_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int mysql_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *ver = fact_get_str(facts, "server_version");
	const cJSON *it = NULL;
	struct dynbuf ev, secret;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, MY_EVIDENCE_MAX);
	dynbuf_init(&secret, MY_EVIDENCE_MAX);
	if (ver == NULL)
		ver = "version unknown";
	if (cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(facts, "accepts_any"))) {
		const char *u = fact_get_str(facts, "canary_user");

		err = ctx_report(ctx, "mysql.default_credentials",
				 fact_get_str(facts, "canary_password"),
				 "accepts any user and password (canary): the "
				 "made-up user %s logged in to %s (grant "
				 "tables off?)",
				 u ? u : "?", ver);
		goto out;
	}
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");
		const char *pl = fact_get_str(it, "plugin");

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s (%s, %s)", n ? ", " : "", u,
			    p[0] ? "default password" : "no password",
			    pl ? pl : "?");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		n++;
	}
	if (n > 0)
		err = ctx_report(ctx, "mysql.default_credentials",
				 dynbuf_ptr(&secret), "logged in to %s as %s",
				 ver, dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	return err;
}

static const struct rule mysql_rules[] = {
	{
		.id = "mysql.default_credentials",
		.title =
			"MySQL/MariaDB login with an empty or default password",
		.description = "A login (usually root) with no password or a "
			       "default one succeeded: full control of every "
			       "database, and through FILE privileges, UDFs or "
			       "SELECT ... INTO OUTFILE often of the host.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1078.001",
		.remediation =
			"Set strong passwords (ALTER USER), drop remote "
			"root accounts (root@'%'), keep root on the unix "
			"socket only, bind to private addresses "
			"(bind-address) and firewall port 3306.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const mysql_services[] = { "mysql", "mariadb", NULL };
static const uint16_t mysql_ports[] = { 3306 };
static const char *const mysql_users[] = { "root", NULL };
/* besides the empty password and "root" (password = user), tried first */
static const char *const mysql_passwords[] = {
	"mysql", "password", "123456", "toor", "admin", NULL,
};

const struct check check_mysql = {
	.name = "mysql",
	.summary = "MySQL/MariaDB: root with an empty or default password",
	.services = mysql_services,
	.ports = mysql_ports,
	.nports = ARRAY_SIZE(mysql_ports),
	.flags = CHECK_LOGIN,
	.rules = mysql_rules,
	.nrules = ARRAY_SIZE(mysql_rules),
	.default_users = mysql_users,
	.default_passwords = mysql_passwords,
	.default_max_attempts = 5,
	.state_size = sizeof(struct mysql_probe),
	.start = mysql_start,
	.step = mysql_step,
	.cleanup = mysql_cleanup,
	.assess = mysql_assess,
};
