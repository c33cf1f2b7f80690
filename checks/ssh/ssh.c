/*
 * ssh.c - the SSH check: algorithms, authentication methods, default
 * credentials and banner CVEs of an SSH server.
 *
 * What it sends, in order, each on its own TCP connection:
 *  1. "banner/kexinit": our identification line ("SSH-2.0-exposure_<ver>")
 *     and nothing else; it reads the server's banner and its clear-text
 *     SSH_MSG_KEXINIT (parsed by ssh_wire.c), then hangs up. SSH-1-only
 *     servers stop here.
 *  2. "auth none": a libssh session (driven non-blocking on a socket we
 *     connect ourselves) that completes key exchange and asks
 *     "none" authentication for a random user name, to learn the offered
 *     methods (RFC 4252 5.2).
 *  3. "canary": unless --no-login, and only if password or
 *     keyboard-interactive is offered, one login with the ctx's random
 *     user and password; a server that accepts it accepts anything.
 *  4. "login N": unless --no-login, the credentials the ctx hands out
 *     (--creds, then the lists below; --max-attempts and lockout are the
 *     ctx's business), several per connection, one connection per user
 *     (OpenSSH refuses a change of user within a connection).
 * It logs in (phases 3-4): a successful login is authentication only; no
 * channel is opened and no command runs.
 *
 * References: RFC 4253 (transport), RFC 4252 (authentication), RFC 4256
 * (keyboard-interactive), CVE-2023-48795 (Terrapin), CVE-2024-6387
 * (regreSSHion), ssh-audit's algorithm verdicts (see ssh_policy.c).
 *
 * libssh 0.10 closes a socket handed over with SSH_OPTIONS_FD itself on
 * some errors (a received DISCONNECT, a failed write) although its
 * documentation says the caller closes it; sess_close() checks whether
 * libssh still holds it before closing, so no fd is closed twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <libssh/libssh.h>
#include <libssh/callbacks.h>
#include "check.h"
#include "facts.h"
#include "netio.h"
#include "dynbuf.h"
#include "expo.h"
#include "log.h"
#include "ssh_policy.h"
#include "ssh_wire.h"

#define SSH_IDENT "SSH-2.0-exposure_" EXPO_VERSION "\r\n"
/* all that may precede KEXINIT: pre-banner text, banner, one packet */
#define SSH_IN_MAX \
	(SSH_BANNER_MAX_PRE + SSH_BANNER_MAX_LINE + 2 + SSH_PACKET_MAX + 4)
/* names kept per name-list; real servers offer a few dozen */
#define SSH_MAX_NAMES 128
/* keyboard-interactive INFO_REQUEST rounds per attempt */
#define SSH_MAX_KBD_ROUNDS 4
#define SSH_EVIDENCE_MAX 4096

/* the algorithm lists as facts, in the order assess() reports them, and
 * the weak_* rule of each */
static const struct ssh_alg_list {
	enum ssh_alg_kind kind;
	const char *key; /* the facts' array of names */
	const char *rule;
	const char *what; /* "offers weak <what>: ..." */
} ssh_alg_lists[] = {
	{ SSH_ALG_KEX, "kex", "ssh.weak_kex", "key exchange algorithms" },
	{ SSH_ALG_CIPHER, "ciphers", "ssh.weak_cipher", "ciphers" },
	{ SSH_ALG_MAC, "macs", "ssh.weak_mac", "MACs" },
	{ SSH_ALG_HOSTKEY, "hostkey", "ssh.weak_hostkey",
	  "host key algorithms" },
};

/*
 * Everything libssh 0.10 can negotiate, modern first (it takes the
 * client's order), so that legacy servers still get as far as the
 * authentication methods; libssh drops names its build lacks.
 */
static const char ssh_all_kex[] =
	"curve25519-sha256,curve25519-sha256@libssh.org,"
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
	"diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256,"
	"diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,"
	"diffie-hellman-group1-sha1";
static const char ssh_all_hostkeys[] =
	"ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,"
	"ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa,ssh-dss";
static const char ssh_all_ciphers[] =
	"aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
	"chacha20-poly1305@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr,"
	"aes256-cbc,aes192-cbc,aes128-cbc,3des-cbc,blowfish-cbc";
static const char ssh_all_macs[] =
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
	"hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1,"
	"hmac-md5";

enum ssh_phase {
	PH_CONNECT = 0, /* raw TCP connect: wait for writable */
	PH_CONNECTED,	/* SO_ERROR */
	PH_KEXINIT,	/* banners both ways, then KEXINIT */
	PH_SESS_TCP,	/* a libssh session's TCP connect */
	PH_SESS_KEX,	/* ssh_connect() */
	PH_AUTH_NONE,
	PH_CANARY,
	PH_LOGIN,
	PH_SESS_TURN, /* --host-rate: the session waits for its slot */
	PH_DONE,
};

/* credentials fetched from the ctx at a time */
#define SSH_BATCH 256

struct ssh_cred {
	const char *user, *pass; /* the ctx's: valid for the probe */
};

/* a step helper's "state changed: run the machine again" */
#define STEP_AGAIN 100

struct ssh_probe {
	enum ssh_phase phase;
	int fd; /* phase 1 socket, or -1 */
	struct dynbuf in;
	size_t ident_sent;
	bool have_banner;

	ssh_session sess;
	int sfd;	 /* our socket under sess, or -1 */
	bool sfd_handed; /* ssh_connect() has seen it */
	bool first_sess; /* the "auth none" session */
	enum ssh_phase after_kex;
	char sess_user[64];  /* the user this session is for */
	unsigned sess_tries; /* attempts answered on this session */
	bool use_kbdint;     /* else the password method */
	unsigned kbd_rounds;

	bool have_canary;
	char canary_user[64];
	char canary_pass[128];
	char rand_user[32];

	struct ssh_cred *batch; /* SSH_BATCH pairs, grouped by user */
	size_t nbatch, bpos;
	bool have_pair;
	const char *user, *pass; /* the pair under way */
	unsigned attempt;
};

/* ---- facts ---- */

static bool array_has(const cJSON *arr, const char *s)
{
	const cJSON *it = NULL;
	bool found = false;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0) {
			found = true;
			break;
		}
	}
	return found;
}

/* appends a copy of s to arr: 0 or EXPO_ENOMEM */
static int array_add_str(cJSON *arr, const char *s)
{
	cJSON *item = cJSON_CreateString(s);
	int err = 0;

	if (item == NULL || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		err = EXPO_ENOMEM;
	}
	return err;
}

/* Adds the names of one or two name-lists (c2s and s2c) to facts[key]
 * once each. */
static int fact_names(cJSON *facts, const char *key,
		      const struct ssh_namelist *a,
		      const struct ssh_namelist *b)
{
	const struct ssh_namelist *lists[2] = { a, b };
	cJSON *arr = cJSON_AddArrayToObject(facts, key);
	int i, err = 0;

	if (arr == NULL) {
		err = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < 2 && lists[i] != NULL; i++) {
		size_t pos = 0, n;
		const char *name;

		while (ssh_namelist_next(lists[i], &pos, &name, &n)) {
			char buf[SSH_BANNER_MAX_LINE + 1];

			if (cJSON_GetArraySize(arr) >= SSH_MAX_NAMES) {
				err = fact_set_bool(facts, "lists_truncated",
						    true);
				goto out;
			}
			snprintf(buf, sizeof(buf), "%.*s", (int)n, name);
			if (array_has(arr, buf))
				continue;
			err = array_add_str(arr, buf);
			if (err)
				goto out;
		}
	}
out:
	return err;
}

static int record_kexinit(cJSON *facts, const struct ssh_kexinit *k)
{
	static const struct {
		const char *key;
		enum ssh_kexinit_list c2s, s2c; /* s2c == c2s: one list */
	} lists[] = {
		{ "kex", SSH_L_KEX, SSH_L_KEX },
		{ "hostkey", SSH_L_HOSTKEY, SSH_L_HOSTKEY },
		{ "ciphers", SSH_L_ENC_C2S, SSH_L_ENC_S2C },
		{ "macs", SSH_L_MAC_C2S, SSH_L_MAC_S2C },
		{ "compression", SSH_L_COMP_C2S, SSH_L_COMP_S2C },
	};
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(lists); i++)
		err = fact_names(facts, lists[i].key, &k->lists[lists[i].c2s],
				 lists[i].s2c == lists[i].c2s
					 ? NULL
					 : &k->lists[lists[i].s2c]);
	if (!err)
		err = fact_set_bool(facts, "first_kex_follows",
				    k->first_kex_follows);
	if (!err)
		err = fact_set_bool(
			facts, "strict_kex",
			ssh_namelist_has(&k->lists[SSH_L_KEX],
					 "kex-strict-s-v00@openssh.com"));
	return err;
}

static int record_banner(cJSON *facts, const struct ssh_banner *b)
{
	int err;

	err = fact_set_str(facts, "banner", b->line);
	if (!err)
		err = fact_set_str(facts, "protocol", b->proto);
	if (!err)
		err = fact_set_str(facts, "software", b->software);
	if (!err)
		err = fact_set_str(facts, "comments", b->comments);
	if (!err)
		err = fact_set_bool(facts, "protocol_v1", b->v1);
	return err;
}

/* ---- small helpers ---- */

/* ---- libssh sessions ---- */

/* libssh's own lines (their text may hold the server's) go to our log,
 * escaped, and only under -v; its default prints them raw on stderr */
static void libssh_log(int priority, const char *function, const char *buffer,
		       void *userdata)
{
	(void)priority;
	(void)function; /* already at the head of buffer */
	(void)userdata;
	expo_log("ssh: libssh", "%s", buffer ? buffer : "");
}

/* libssh keeps its log level and callback per thread: set on the
 * worker thread of each session, before ssh_new() reads the level */
static void libssh_quiet(void)
{
	ssh_set_log_callback(libssh_log);
	ssh_set_log_level(expo_log_enabled() ? SSH_LOG_WARNING : SSH_LOG_NOLOG);
}

static void sess_close(struct ssh_probe *st)
{
	if (st->sess != NULL) {
		/* libssh closed it already (and forgot it) on some errors */
		if (st->sfd_handed && ssh_get_fd(st->sess) != st->sfd)
			st->sfd = -1;
		ssh_disconnect(st->sess); /* keeps an SSH_OPTIONS_FD fd */
		ssh_free(st->sess);
		st->sess = NULL;
	}
	if (st->sfd >= 0)
		close(st->sfd);
	st->sfd = -1;
	st->sfd_handed = false;
	st->sess_user[0] = '\0';
	st->sess_tries = 0;
	st->kbd_rounds = 0;
}

/* Starts the TCP connect of a new session for user; then PH_SESS_KEX
 * and ssh_connect(), then st->after_kex. */
static int sess_open(struct check_ctx *ctx, struct ssh_probe *st,
		     const char *user, enum ssh_phase after)
{
	char u[sizeof(st->sess_user)];
	int err;

	/* user may be st->sess_user (step_sess_turn), which sess_close()
	 * empties */
	snprintf(u, sizeof(u), "%s", user);
	sess_close(st);
	snprintf(st->sess_user, sizeof(st->sess_user), "%s", u);
	st->after_kex = after;
	/* --host-rate: each session is a new connection */
	err = ctx_host_turn(ctx);
	if (err != 0) {
		st->phase = PH_SESS_TURN;
		goto out;
	}
	err = ctx_connect(ctx, &st->sfd);
	if (err < 0) {
		st->sfd = -1;
		goto out;
	}
	ctx_set_fd(ctx, st->sfd);
	st->phase = PH_SESS_TCP;
	err = PROBE_WANT_WRITE;
out:
	return err;
}

/*
 * The non-blocking libssh call pattern: rc is what the call returned and
 * again its "would block" code (SSH_AGAIN, SSH_AUTH_AGAIN). True when it
 * would block: *want is then the PROBE_WANT_* that libssh polls for.
 */
static bool sess_blocked(struct check_ctx *ctx, struct ssh_probe *st, int rc,
			 int again, int *want)
{
	int flags;

	if (rc != again)
		goto out;
	/* the server hung up under a pending call (OpenSSH's MaxAuthTries
	 * closes after the last failure) and libssh closed the socket: no
	 * wait, an error the caller judges (a dropped login goes on anew) */
	if (st->sfd_handed && ssh_get_fd(st->sess) != st->sfd) {
		*want = again == SSH_AUTH_AGAIN ? SSH_AUTH_ERROR : SSH_ERROR;
		return false;
	}
	flags = ssh_get_poll_flags(st->sess);
	*want = 0;
	if (flags & SSH_READ_PENDING)
		*want |= PROBE_WANT_READ;
	if (flags & SSH_WRITE_PENDING)
		*want |= PROBE_WANT_WRITE;
	if (*want == 0)
		*want = PROBE_WANT_READ;
	ctx_set_fd(ctx, st->sfd);
out:
	return rc == again;
}

static int sess_create(struct check_ctx *ctx, struct ssh_probe *st,
		       const char **why)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "";
	unsigned int port = ctx_port(ctx);
	bool no = false;
	int rc = 0, fd = st->sfd;

	*why = "cannot create a libssh session";
	libssh_quiet();
	if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &a->u.sin.sin_addr, host, sizeof(host));
	st->sess = ssh_new();
	if (st->sess == NULL) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	/* never read ~/.ssh/config or known_hosts: we are a scanner and
	 * only record the host key type */
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_PROCESS_CONFIG, &no);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_FD, &fd);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_HOST, host);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_PORT, &port);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_USER, st->sess_user);
	/* no ~/.ssh either: without it libssh reads /etc/passwd for the
	 * home directory at every session (its default key paths; we offer
	 * no key) */
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_SSH_DIR, "/dev/null");
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
			      "/dev/null");
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_KEY_EXCHANGE, ssh_all_kex);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_HOSTKEYS, ssh_all_hostkeys);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_CIPHERS_C_S,
			      ssh_all_ciphers);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_CIPHERS_S_C,
			      ssh_all_ciphers);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_HMAC_C_S, ssh_all_macs);
	rc |= ssh_options_set(st->sess, SSH_OPTIONS_HMAC_S_C, ssh_all_macs);
	if (rc != 0) {
		*why = ssh_get_error(st->sess);
		rc = EXPO_EINVAL;
		goto out;
	}
	ssh_set_blocking(st->sess, 0);
out:
	return rc;
}

static void record_session(cJSON *facts, ssh_session sess)
{
	ssh_key key = NULL;
	const char *s;

	if (ssh_get_server_publickey(sess, &key) == SSH_OK) {
		fact_set_str(facts, "hostkey_type",
			     ssh_key_type_to_char(ssh_key_type(key)));
		ssh_key_free(key);
	}
	s = ssh_get_kex_algo(sess);
	if (s != NULL)
		fact_set_str(facts, "negotiated_kex", s);
	s = ssh_get_cipher_out(sess);
	if (s != NULL)
		fact_set_str(facts, "negotiated_cipher", s);
}

/*
 * One authentication attempt on st->sess with the method chosen in
 * PH_AUTH_NONE: an SSH_AUTH_* code. Keyboard-interactive prompts are all
 * answered with the password, a bounded number of rounds.
 */
static int auth_try(struct ssh_probe *st, const char *user, const char *pass)
{
	int rc;

	if (!st->use_kbdint) {
		rc = ssh_userauth_password(st->sess, user, pass);
		goto out;
	}
	for (;;) {
		int i, n;

		rc = ssh_userauth_kbdint(st->sess, user, NULL);
		if (rc != SSH_AUTH_INFO)
			break;
		if (++st->kbd_rounds > SSH_MAX_KBD_ROUNDS) {
			rc = SSH_AUTH_ERROR;
			break;
		}
		n = ssh_userauth_kbdint_getnprompts(st->sess);
		for (i = 0; i < n; i++) {
			if (ssh_userauth_kbdint_setanswer(st->sess, (unsigned)i,
							  pass) < 0) {
				rc = SSH_AUTH_ERROR;
				goto out;
			}
		}
	}
	if (rc != SSH_AUTH_AGAIN)
		st->kbd_rounds = 0;
out:
	return rc;
}

/* ---- phase 1: banner and KEXINIT on a raw socket ---- */

static void raw_close(struct ssh_probe *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	dynbuf_release(&st->in);
}

/* sends what is left of our banner, reads all that is there; *eof on
 * end of stream. 0 or an errno value. */
static int raw_io(struct ssh_probe *st, bool *eof)
{
	static const char ident[] = SSH_IDENT;
	int err;

	err = netio_send(st->fd, ident, sizeof(ident) - 1, &st->ident_sent);
	if (err != 0 && err != EAGAIN)
		return err;
	return netio_recv(st->fd, &st->in, eof);
}

/*
 * A wire parser's err (not 0) for what ("banner", "kexinit"): wait for
 * more bytes (SSH_WIRE_MORE before eof), or fail with closed (the stream
 * ended first), a bound, or malformed.
 */
static int wire_fail(struct check_ctx *ctx, int err, bool eof, const char *what,
		     const char *closed, const char *malformed)
{
	const char *why = malformed;
	int rc = PROBE_WANT_READ;

	if (err == SSH_WIRE_MORE && !eof)
		goto out;
	if (err == SSH_WIRE_MORE)
		why = closed;
	else if (err == EXPO_ETOOBIG)
		why = "a bound was exceeded (line over 255 bytes, more than 20 "
		      "lines or 8 KiB before the banner, or a packet over 35000 "
		      "bytes)";
	else if (err == EXPO_EPROTO)
		why = "the first packet is not SSH_MSG_KEXINIT";
	rc = probe_fail(ctx, what, why);
out:
	return rc;
}

/* the first session: "auth none" as the canary user (so the canary can
 * follow on the same connection) or as a random user */
static int start_auth_none(struct check_ctx *ctx, struct ssh_probe *st)
{
	const char *u = NULL, *p = NULL;
	int rc;

	ctx_phase(ctx, "auth none");
	ctx_random_name(ctx, st->rand_user, sizeof(st->rand_user));
	if (ctx_login_allowed(ctx) && ctx_canary(ctx, &u, &p) >= 0 &&
	    u != NULL && p != NULL && strlen(u) < sizeof(st->canary_user) &&
	    strlen(p) < sizeof(st->canary_pass) && u[0] != '\0') {
		snprintf(st->canary_user, sizeof(st->canary_user), "%s", u);
		snprintf(st->canary_pass, sizeof(st->canary_pass), "%s", p);
		st->have_canary = true;
	}
	st->first_sess = true;
	rc = sess_open(ctx, st,
		       st->have_canary ? st->canary_user : st->rand_user,
		       PH_AUTH_NONE);
	if (rc < 0) {
		fact_set_str(ctx_facts(ctx), "auth_error", expo_strerror(rc));
		st->phase = PH_DONE;
		rc = PROBE_DONE;
	}
	return rc;
}

static int step_kexinit(struct check_ctx *ctx, struct ssh_probe *st)
{
	cJSON *facts = ctx_facts(ctx);
	const uint8_t *payload = NULL;
	size_t used = 0, plen = 0;
	struct ssh_kexinit k;
	bool eof = false;
	int err, rc;

	err = raw_io(st, &eof);
	if (err) {
		rc = probe_fail(
			ctx, "banner/kexinit",
			err == EMSGSIZE
				? "more data than an SSH server sends before KEXINIT"
				: strerror(err));
		goto out;
	}
	if (!st->have_banner) {
		struct ssh_banner b;

		memset(&b, 0, sizeof(b));
		err = ssh_wire_banner(dynbuf_ptr(&st->in), dynbuf_len(&st->in),
				      &b, &used);
		if (err) {
			rc = wire_fail(ctx, err, eof, "banner",
				       "connection closed before an SSH banner",
				       "not an SSH identification line");
			goto wait;
		}
		err = record_banner(facts, &b);
		if (err < 0) {
			rc = err;
			goto out;
		}
		dynbuf_consume(&st->in, used);
		st->have_banner = true;
		if (!b.v2) {
			/* SSH-1 only: libssh cannot go further */
			raw_close(st);
			st->phase = PH_DONE;
			rc = PROBE_DONE;
			goto out;
		}
	}
	err = ssh_wire_packet(dynbuf_ptr(&st->in), dynbuf_len(&st->in),
			      &payload, &plen, &used);
	if (err) {
		rc = wire_fail(ctx, err, eof, "kexinit",
			       "connection closed before KEXINIT",
			       "malformed binary packet");
		goto wait;
	}
	err = ssh_wire_kexinit(payload, plen, &k);
	if (err) {
		rc = wire_fail(ctx, err, eof, "kexinit", NULL,
			       "malformed KEXINIT");
		goto out;
	}
	err = record_kexinit(facts, &k);
	raw_close(st);
	rc = err < 0 ? err : start_auth_none(ctx, st);
	goto out;
wait:
	if (rc == PROBE_WANT_READ) {
		if (st->ident_sent < sizeof(SSH_IDENT) - 1)
			rc = PROBE_WANT_RW;
		ctx_set_fd(ctx, st->fd);
	}
out:
	return rc;
}

/* ---- phases 2-4 ---- */

static int end_probe(struct ssh_probe *st)
{
	sess_close(st);
	st->phase = PH_DONE;
	return PROBE_DONE;
}

/* A session could not be set up: for the first one the KEXINIT facts
 * still stand; during logins the verdict is incomplete. */
static int sess_failed(struct check_ctx *ctx, struct ssh_probe *st,
		       const char *why)
{
	cJSON *facts = ctx_facts(ctx);

	if (st->first_sess) {
		fact_set_str(facts, "auth_error", why);
	} else {
		fact_set_str(facts, "login_error", why);
		ctx_status(ctx, STATUS_ERROR, "login check incomplete: %s",
			   why);
	}
	return end_probe(st);
}

/* the session failed in libssh: its own error message says why */
static int sess_error(struct check_ctx *ctx, struct ssh_probe *st)
{
	return sess_failed(ctx, st, ssh_get_error(st->sess));
}

/* on to the logins, on a new connection: the next users differ, and
 * OpenSSH drops a change of user within a connection */
static int to_login(struct ssh_probe *st)
{
	sess_close(st);
	st->phase = PH_LOGIN;
	return STEP_AGAIN;
}

static int step_sess_tcp(struct check_ctx *ctx, struct ssh_probe *st)
{
	const char *why = NULL;
	int err = connect_error(st->sfd), rc;

	if (err) {
		rc = sess_failed(ctx, st, strerror(err));
		goto out;
	}
	err = sess_create(ctx, st, &why);
	if (err == EXPO_ENOMEM) {
		rc = err;
		goto out;
	}
	if (err) {
		rc = sess_failed(ctx, st, why);
		goto out;
	}
	st->phase = PH_SESS_KEX;
	rc = STEP_AGAIN;
out:
	return rc;
}

static int step_sess_kex(struct check_ctx *ctx, struct ssh_probe *st)
{
	int rc = ssh_connect(st->sess);

	st->sfd_handed = true;
	if (sess_blocked(ctx, st, rc, SSH_AGAIN, &rc))
		goto out;
	if (rc != SSH_OK) {
		rc = sess_error(ctx, st);
	} else {
		if (st->first_sess)
			record_session(ctx_facts(ctx), st->sess);
		st->phase = st->after_kex;
		rc = STEP_AGAIN;
	}
out:
	return rc;
}

static int record_methods(cJSON *facts, int methods)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {
		{ SSH_AUTH_METHOD_PUBLICKEY, "publickey" },
		{ SSH_AUTH_METHOD_PASSWORD, "password" },
		{ SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive" },
		{ SSH_AUTH_METHOD_HOSTBASED, "hostbased" },
		{ SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic" },
	};
	cJSON *arr = cJSON_AddArrayToObject(facts, "auth_methods");
	size_t i;
	int err = arr == NULL ? EXPO_ENOMEM : 0;

	for (i = 0; !err && i < ARRAY_SIZE(names); i++) {
		if (methods & names[i].bit)
			err = array_add_str(arr, names[i].name);
	}
	return err;
}

static int step_auth_none(struct check_ctx *ctx, struct ssh_probe *st)
{
	cJSON *facts = ctx_facts(ctx);
	int rc = ssh_userauth_none(st->sess, NULL), methods;

	if (sess_blocked(ctx, st, rc, SSH_AUTH_AGAIN, &rc))
		goto out;
	if (rc == SSH_AUTH_ERROR) {
		rc = sess_error(ctx, st);
		goto out;
	}
	if (rc == SSH_AUTH_SUCCESS) {
		/* no authentication at all, for a made-up user */
		fact_set_bool(facts, "auth_none_accepted", true);
		fact_set_str(facts, "auth_none_user", st->sess_user);
		rc = end_probe(st);
		goto out;
	}
	methods = ssh_userauth_list(st->sess, NULL);
	rc = record_methods(facts, methods);
	if (rc < 0)
		goto out;
	st->first_sess = false;
	if (!ctx_login_allowed(ctx) ||
	    !(methods &
	      (SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE))) {
		rc = end_probe(st);
		goto out;
	}
	st->use_kbdint = !(methods & SSH_AUTH_METHOD_PASSWORD);
	if (st->have_canary) {
		ctx_phase(ctx, "canary");
		st->phase = PH_CANARY;
		rc = STEP_AGAIN;
	} else {
		rc = to_login(st);
	}
out:
	return rc;
}

static int step_canary(struct check_ctx *ctx, struct ssh_probe *st)
{
	cJSON *facts = ctx_facts(ctx);
	int rc = auth_try(st, st->canary_user, st->canary_pass);

	if (sess_blocked(ctx, st, rc, SSH_AUTH_AGAIN, &rc))
		goto out;
	if (rc == SSH_AUTH_SUCCESS) {
		fact_set_bool(facts, "accepts_any_credential", true);
		fact_set_str(facts, "canary_user", st->canary_user);
		fact_set_str(facts, "canary_password", st->canary_pass);
		rc = end_probe(st);
		goto out;
	}
	if (rc == SSH_AUTH_ERROR)
		fact_set_str(facts, "canary_error", ssh_get_error(st->sess));
	rc = to_login(st);
out:
	return rc;
}

static bool user_found(cJSON *facts, const char *user)
{
	const cJSON *it = NULL;
	bool found = false;

	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "user");

		if (cJSON_IsString(u) && strcmp(u->valuestring, user) == 0)
			found = true;
	}
	return found;
}

static int record_login(cJSON *facts, struct ssh_probe *st, bool partial)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, "logins");
	cJSON *o = NULL;
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
	    !cJSON_AddStringToObject(o, "password", st->pass) ||
	    !cJSON_AddStringToObject(o, "method",
				     st->use_kbdint ? "keyboard-interactive"
						    : "password") ||
	    !cJSON_AddBoolToObject(o, "partial", partial))
		goto out;
	err = 0;
out:
	return err;
}

/*
 * Fetches the next batch of pairs and orders it user by user (stable),
 * so that each user's passwords share one connection: the ctx hands
 * them out password by password across users, and OpenSSH allows one
 * user per connection. Fewer connections also keep clear of sshd's
 * MaxStartups and PerSourcePenalties. The ctx counts a pair when handed
 * out, so a batch cut short by a deadline was counted, not tried: the
 * safe side for lockouts. 0, or EXPO_ENOMEM.
 */
static int fetch_batch(struct check_ctx *ctx, struct ssh_probe *st)
{
	struct ssh_cred *raw = NULL;
	size_t n = 0, i, j, k = 0;
	int err = 0;

	st->nbatch = 0;
	st->bpos = 0;
	if (st->batch == NULL)
		st->batch = calloc(SSH_BATCH, sizeof(*st->batch));
	raw = calloc(SSH_BATCH, sizeof(*raw));
	if (st->batch == NULL || raw == NULL) {
		err = EXPO_ENOMEM;
		goto out;
	}
	while (n < SSH_BATCH) {
		const char *u = NULL, *p = NULL;

		if (ctx_next_cred(ctx, &u, &p) <= 0 || u == NULL)
			break;
		raw[n].user = u;
		raw[n].pass = p != NULL ? p : "";
		n++;
	}
	for (i = 0; i < n; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(raw[j].user, raw[i].user) == 0;
		if (seen)
			continue;
		for (j = i; j < n; j++)
			if (strcmp(raw[j].user, raw[i].user) == 0)
				st->batch[k++] = raw[j];
	}
	st->nbatch = k;
out:
	free(raw);
	return err;
}

/* the next pair to try into st->user/pass; false when none is left */
static bool next_pair(struct check_ctx *ctx, struct ssh_probe *st, int *err)
{
	cJSON *facts = ctx_facts(ctx);
	bool got = false;

	*err = 0;
	while (!got) {
		const struct ssh_cred *c;

		if (st->bpos == st->nbatch) {
			*err = fetch_batch(ctx, st);
			if (*err < 0 || st->nbatch == 0)
				break;
		}
		c = &st->batch[st->bpos++];
		/* a user already in (the ctx skips it only for later
		 * batches), or a name libssh cannot carry */
		if (c->user[0] == '\0' ||
		    strlen(c->user) >= sizeof(st->sess_user) ||
		    user_found(facts, c->user))
			continue;
		st->user = c->user;
		st->pass = c->pass;
		got = true;
	}
	return got;
}

/* STEP_AGAIN to go on, PROBE_DONE when the probe ended, or < 0 */
static int login_result(struct check_ctx *ctx, struct ssh_probe *st, int rc)
{
	switch (rc) {
	case SSH_AUTH_SUCCESS:
	case SSH_AUTH_PARTIAL:
		/* PARTIAL: the password is right, a second factor is asked */
		ctx_cred_result(ctx, st->user, CRED_ACCEPTED);
		rc = record_login(ctx_facts(ctx), st, rc == SSH_AUTH_PARTIAL);
		sess_close(st);
		if (rc == 0)
			rc = STEP_AGAIN;
		break;
	case SSH_AUTH_DENIED:
		ctx_cred_result(ctx, st->user, CRED_FAILED);
		st->sess_tries++;
		rc = STEP_AGAIN;
		break;
	default:
		ctx_cred_result(ctx, st->user, CRED_FAILED);
		if (st->sess_tries == 0) {
			/* refused on a fresh connection: no verdict on the
			 * password, and the next would fare the same */
			rc = sess_error(ctx, st);
			break;
		}
		/* dropped after answered attempts (OpenSSH's MaxAuthTries
		 * disconnects on the last failure): a failure; go on with
		 * a new connection */
		sess_close(st);
		rc = STEP_AGAIN;
		break;
	}
	return rc;
}

static int step_login(struct check_ctx *ctx, struct ssh_probe *st)
{
	int rc = 0;

	if (!st->have_pair) {
		if (!next_pair(ctx, st, &rc)) {
			if (rc == 0)
				rc = end_probe(st);
			goto out;
		}
		st->have_pair = true;
		st->attempt++;
		ctx_phasef(ctx, "login %u", st->attempt);
	}
	if (st->sess == NULL || strcmp(st->sess_user, st->user) != 0 ||
	    !ssh_is_connected(st->sess)) {
		rc = sess_open(ctx, st, st->user, PH_LOGIN);
		if (rc < 0)
			rc = sess_failed(ctx, st, expo_strerror(rc));
		goto out;
	}
	rc = auth_try(st, st->user, st->pass);
	if (sess_blocked(ctx, st, rc, SSH_AUTH_AGAIN, &rc))
		goto out;
	st->have_pair = false;
	rc = login_result(ctx, st, rc);
out:
	return rc;
}

/* ---- the check's entry points ---- */

static int ssh_start(struct check_ctx *ctx, void *state)
{
	struct ssh_probe *st = state;
	int err;

	st->fd = -1;
	st->sfd = -1;
	dynbuf_init(&st->in, SSH_IN_MAX);
	ctx_phase(ctx, "banner/kexinit");
	err = ctx_connect(ctx, &st->fd);
	if (err < 0) {
		st->fd = -1;
		dynbuf_release(&st->in);
		goto out;
	}
	st->phase = PH_CONNECT;
	err = 0;
out:
	return err;
}

/* phase 1's TCP connect: wait for writable (whether or not the engine
 * waited already), then read SO_ERROR */
static int step_connect(struct check_ctx *ctx, struct ssh_probe *st)
{
	ctx_set_fd(ctx, st->fd);
	st->phase = PH_CONNECTED;
	return PROBE_WANT_WRITE;
}

static int step_connected(struct check_ctx *ctx, struct ssh_probe *st)
{
	int err = connect_error(st->fd), rc = STEP_AGAIN;

	if (err)
		rc = probe_fail(ctx, "connect", strerror(err));
	else
		st->phase = PH_KEXINIT;
	return rc;
}

/* the step of each phase; PH_DONE has none */
/* --host-rate: the slot has come, the session's connect starts */
static int step_sess_turn(struct check_ctx *ctx, struct ssh_probe *st)
{
	return sess_open(ctx, st, st->sess_user, st->after_kex);
}

static int (*const ssh_steps[])(struct check_ctx *ctx, struct ssh_probe *st) = {
	[PH_CONNECT] = step_connect,	 [PH_CONNECTED] = step_connected,
	[PH_KEXINIT] = step_kexinit,	 [PH_SESS_TCP] = step_sess_tcp,
	[PH_SESS_KEX] = step_sess_kex,	 [PH_AUTH_NONE] = step_auth_none,
	[PH_CANARY] = step_canary,	 [PH_LOGIN] = step_login,
	[PH_SESS_TURN] = step_sess_turn,
};

static int ssh_step(struct check_ctx *ctx, void *state)
{
	struct ssh_probe *st = state;
	int rc = STEP_AGAIN;

	while (rc == STEP_AGAIN) {
		if ((size_t)st->phase < ARRAY_SIZE(ssh_steps) &&
		    ssh_steps[st->phase] != NULL)
			rc = ssh_steps[st->phase](ctx, st);
		else
			rc = PROBE_DONE;
	}
	return rc;
}

static void ssh_cleanup(struct check_ctx *ctx, void *state)
{
	struct ssh_probe *st = state;

	(void)ctx;
	raw_close(st);
	sess_close(st);
	free(st->batch);
	st->batch = NULL;
}

/* ---- assess: facts -> findings, no I/O ---- */

static int assess_weak(const cJSON *facts, struct check_ctx *ctx,
		       const struct ssh_alg_list *l)
{
	const cJSON *it = NULL;
	struct dynbuf ev;
	int err = 0;
	unsigned n = 0;

	dynbuf_init(&ev, SSH_EVIDENCE_MAX);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(facts, l->key))
	{
		const char *why;

		if (!cJSON_IsString(it))
			continue;
		why = ssh_policy_weak(l->kind, it->valuestring);
		if (why == NULL)
			continue;
		/* a full buffer only shortens the evidence */
		dynbuf_addf(&ev, "%s%s (%s)", n ? ", " : "", it->valuestring,
			    why);
		n++;
	}
	if (n > 0)
		err = ctx_report(ctx, l->rule, NULL, "offers weak %s: %s",
				 l->what, dynbuf_ptr(&ev));
	dynbuf_release(&ev);
	return err;
}

static int assess_terrapin(const cJSON *facts, struct check_ctx *ctx)
{
	struct ssh_terrapin t = { 0 };
	size_t i;
	int err = 0;

	if (cJSON_GetObjectItemCaseSensitive(facts, "ciphers") == NULL)
		goto out;
	/* host key names do not count: ssh_terrapin_add() skips them */
	for (i = 0; i < ARRAY_SIZE(ssh_alg_lists); i++) {
		const struct ssh_alg_list *l = &ssh_alg_lists[i];
		const cJSON *it = NULL;

		cJSON_ArrayForEach(
			it, cJSON_GetObjectItemCaseSensitive(facts, l->key))
		{
			if (cJSON_IsString(it))
				ssh_terrapin_add(&t, l->kind, it->valuestring);
		}
	}
	if (ssh_terrapin_vulnerable(&t))
		err = ctx_report(ctx, "ssh.terrapin", NULL,
				 "offers %s%s%s without strict key exchange "
				 "(kex-strict-s-v00@openssh.com)",
				 t.chacha20 ? "chacha20-poly1305@openssh.com"
					    : "",
				 t.chacha20 && t.cbc && t.etm ? " and " : "",
				 t.cbc && t.etm ? "a CBC cipher with an "
						  "encrypt-then-MAC MAC"
						: "");
out:
	return err;
}

static int assess_password_auth(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *methods =
		cJSON_GetObjectItemCaseSensitive(facts, "auth_methods");
	bool pw = array_has(methods, "password");
	bool kbd = array_has(methods, "keyboard-interactive");
	int err = 0;

	if (pw || kbd)
		err = ctx_report(ctx, "ssh.password_auth", NULL,
				 "offers %s%s%s authentication",
				 pw ? "password" : "", pw && kbd ? " and " : "",
				 kbd ? "keyboard-interactive" : "");
	return err;
}

static int assess_credentials(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	struct dynbuf ev, secret;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, SSH_EVIDENCE_MAX);
	dynbuf_init(&secret, SSH_EVIDENCE_MAX);
	if (fact_is_true(facts, "auth_none_accepted")) {
		const char *u = fact_get_str(facts, "auth_none_user");

		err = ctx_report(ctx, "ssh.default_credentials", NULL,
				 "accepts the \"none\" method for the made-up "
				 "user %s: no password at all",
				 u ? u : "?");
		goto out;
	}
	if (fact_is_true(facts, "accepts_any_credential")) {
		const char *u = fact_get_str(facts, "canary_user");

		err = ctx_report(ctx, "ssh.default_credentials",
				 fact_get_str(facts, "canary_password"),
				 "accepts any user and password (canary): the "
				 "made-up user %s logged in with a random "
				 "password",
				 u ? u : "?");
		goto out;
	}
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");
		const char *m = fact_get_str(it, "method");

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s (%s%s)", n ? ", " : "", u,
			    m ? m : "password",
			    fact_is_true(it, "partial")
				    ? "; a second factor is then required"
				    : "");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		n++;
	}
	if (n > 0)
		err = ctx_report(ctx, "ssh.default_credentials",
				 dynbuf_ptr(&secret),
				 "logged in with a default or weak password as "
				 "%s",
				 dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	return err;
}

static int assess_version(const cJSON *facts, struct check_ctx *ctx)
{
	struct ssh_vuln v[4];
	const char *sw = fact_get_str(facts, "software");
	const char *banner = fact_get_str(facts, "banner");
	size_t i, n;
	int err = 0;

	n = ssh_policy_version(sw, fact_get_str(facts, "comments"), v, 4);
	for (i = 0; i < n && err == 0; i++)
		err = ctx_report(ctx, "ssh.vulnerable_version", NULL,
				 "banner \"%s\": %s %s (affected: %s); %s",
				 banner ? banner : sw, v[i].cve, v[i].title,
				 v[i].affected, v[i].detail);
	return err;
}

static int ssh_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *banner = fact_get_str(facts, "banner");
	size_t i;
	int err = 0;

	if (fact_is_true(facts, "protocol_v1"))
		err = keep_err(err, ctx_report(ctx, "ssh.protocol_v1", NULL,
					       "banner \"%s\" offers SSH "
					       "protocol 1",
					       banner ? banner : "?"));
	for (i = 0; i < ARRAY_SIZE(ssh_alg_lists); i++)
		err = keep_err(err, assess_weak(facts, ctx, &ssh_alg_lists[i]));
	err = keep_err(err, assess_terrapin(facts, ctx));
	err = keep_err(err, assess_password_auth(facts, ctx));
	err = keep_err(err, assess_credentials(facts, ctx));
	err = keep_err(err, assess_version(facts, ctx));
	return err;
}

/* ---- the module ---- */

static const struct rule ssh_rules[] = {
	{
		.id = "ssh.password_auth",
		.title = "SSH password authentication is offered",
		.description =
			"The server offers password or "
			"keyboard-interactive authentication, so anyone who "
			"reaches it can guess passwords online.",
		/* AC:H: a guess only succeeds if a weak password exists,
		 * which the attacker does not control; C:L/I:L: offering
		 * passwords grants nothing by itself (a found weak
		 * password is ssh.default_credentials, 9.8). */
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-309; ATT&CK T1110",
		.remediation =
			"Set PasswordAuthentication no and "
			"KbdInteractiveAuthentication no in sshd_config and "
			"use public keys (or certificates); if passwords must "
			"stay, restrict the source addresses and rate-limit.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.default_credentials",
		.title = "SSH login with a default or weak password",
		.description = "A login with an empty, default or listed weak "
			       "password succeeded (or the server accepts any "
			       "credential): a shell for anyone.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1078.001",
		.remediation =
			"Change the password of the listed accounts "
			"now, or lock them (passwd -l); disable password "
			"authentication and PermitRootLogin; review the "
			"accounts' activity for past abuse.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
	{
		.id = "ssh.protocol_v1",
		.title = "SSH protocol 1 is offered",
		.description =
			"SSH-1 has broken integrity protection and "
			"session key recovery attacks; its traffic can be "
			"read and altered by a man in the middle.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
		.references = "CWE-327; ATT&CK T1557; CVE-2001-0361; "
			      "CVE-2001-1473",
		.remediation = "Upgrade the SSH server and remove Protocol 1 "
			       "from its configuration.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.weak_kex",
		.title = "SSH offers weak key exchange algorithms",
		.description =
			"Key exchange with small Diffie-Hellman groups, "
			"SHA-1 or NIST curves lets a strong attacker break or "
			"weaken the session keys.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-327; ATT&CK T1557; CVE-2015-4000",
		.remediation =
			"Set KexAlgorithms to sntrup761x25519-sha512@"
			"openssh.com,curve25519-sha256,curve25519-sha256@"
			"libssh.org,diffie-hellman-group16-sha512,"
			"diffie-hellman-group18-sha512.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.weak_cipher",
		.title = "SSH offers weak ciphers",
		.description = "CBC-mode, 64-bit-block, RC4 or null ciphers "
			       "allow plaintext recovery from the session.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
		.references = "CWE-327; ATT&CK T1040; CVE-2008-5161",
		.remediation = "Set Ciphers to chacha20-poly1305@openssh.com,"
			       "aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
			       "aes256-ctr,aes192-ctr,aes128-ctr.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.weak_mac",
		.title = "SSH offers weak MAC algorithms",
		.description = "MD5, RIPEMD-160, truncated or null MACs weaken "
			       "the integrity protection of the session.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
		.references = "CWE-327; ATT&CK T1557",
		.remediation = "Set MACs to hmac-sha2-512-etm@openssh.com,"
			       "hmac-sha2-256-etm@openssh.com,umac-128-etm@"
			       "openssh.com.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.weak_hostkey",
		.title = "SSH offers weak host key algorithms",
		.description =
			"DSA, SHA-1 RSA signatures (ssh-rsa) or NIST "
			"curve host keys make impersonating the server easier.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N",
		.references = "CWE-327; ATT&CK T1557",
		.remediation = "Use an Ed25519 (and an RSA >= 3072-bit) host "
			       "key and set HostKeyAlgorithms to ssh-ed25519,"
			       "rsa-sha2-512,rsa-sha2-256.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.terrapin",
		.title = "SSH is open to the Terrapin prefix truncation attack",
		.description =
			"The server offers chacha20-poly1305 or a CBC "
			"cipher with an encrypt-then-MAC MAC without strict "
			"key exchange, so a man in the middle can drop "
			"messages at the start of the session.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N",
		.references = "CWE-354; ATT&CK T1557; CVE-2023-48795",
		.remediation =
			"Upgrade to OpenSSH 9.6 or a build with the "
			"strict key exchange backport; until then remove "
			"chacha20-poly1305@openssh.com and the CBC ciphers or "
			"the -etm MACs.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_INFERRED,
	},
	{
		.id = "ssh.vulnerable_version",
		.title = "SSH server version with a known critical CVE",
		.description =
			"The banner names an OpenSSH build in the range "
			"of a known critical vulnerability (regreSSHion: "
			"unauthenticated remote code execution as root); "
			"inferred from the version, distribution backports "
			"are taken into account where known.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-364; ATT&CK T1190; CVE-2024-6387",
		.remediation =
			"Install the distribution's OpenSSH security "
			"update (or OpenSSH >= 9.8p1); as a stopgap set "
			"LoginGraceTime 0 (at the cost of easier connection "
			"exhaustion).",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_INFERRED,
	},
};

static const char *const ssh_services[] = { "ssh", NULL };
static const uint16_t ssh_ports[] = { 22 };

static const char *const ssh_default_users[] = {
	"root",	  "admin",  "ubuntu",	"ec2-user",   "azureuser", "centos",
	"debian", "fedora", "opc",	"cloud-user", "pi",	   "user",
	"test",	  "oracle", "postgres", "git",	      NULL,
};

/*
 * The empty password and password = user are added by the engine, and
 * tried first; with the default 5 attempts per account only the first
 * three below are reached, so they are the most common SSH passwords
 * that are not the user name ("toor": Kali's old root default).
 */
static const char *const ssh_default_passwords[] = {
	"123456", "password",  "toor",	   "raspberry", "admin",
	"root",	  "changeme",  "12345678", "qwerty",	"letmein",
	"ubuntu", "Password1", "default",  NULL,
};

const struct check check_ssh = {
	.name = "ssh",
	.summary = "SSH: weak algorithms, password logins, default "
		   "credentials, Terrapin, banner CVEs",
	.services = ssh_services,
	.ports = ssh_ports,
	.nports = ARRAY_SIZE(ssh_ports),
	.flags = CHECK_LOGIN,
	.rules = ssh_rules,
	.nrules = ARRAY_SIZE(ssh_rules),
	.default_users = ssh_default_users,
	.default_passwords = ssh_default_passwords,
	.default_max_attempts = 5,
	.state_size = sizeof(struct ssh_probe),
	.start = ssh_start,
	.step = ssh_step,
	.cleanup = ssh_cleanup,
	.assess = ssh_assess,
};
