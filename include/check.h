/*
 * check.h - the contract between the engine and a check module.
 *
 * A module is one constant struct check (designated initializers) in
 * checks/<name>.c, listed once in checks/checks.def. It keeps no global
 * mutable state, never prints, never sleeps and never blocks: the engine
 * owns every socket wait and every deadline.
 *
 * Life of one probe (one target address, one port):
 *   start() -> 0, or < 0 (then nothing else is called for this probe);
 *   step() is called once right after start(), then again each time the fd
 *          set with ctx_set_fd() is ready in the direction it asked for,
 *          until it returns PROBE_DONE or < 0;
 *   cleanup() runs exactly once after a successful start(), also when the
 *          deadline struck between two steps (it must close what it opened);
 *   assess() then turns the facts gathered in ctx_facts() into findings,
 *          also after a timeout or error, from whatever facts were gathered.
 * The engine zero-allocates state_size bytes of per-probe state and frees
 * it; modules have no malloc/free pairing to get right for it.
 *
 * Blocking lane: a check built on a blocking library (libsmbclient,
 * FreeRDP) supplies run(). It is called on a thread of a small, bounded
 * pool after step() returned PROBE_DONE (or right after start() when the
 * check has no step()), with the same ctx and state; at most max_parallel
 * run() calls of one check are under way at once. run() may block, but
 * must give its library timeouts from ctx_timeout_ms() and
 * ctx_remaining_ms(); if it returns past the probe deadline the engine
 * still records `timeout`. Then cleanup() and assess() as above.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "finding.h"
#include "target.h"

struct check_ctx; /* opaque: see the ctx_* functions below */
struct conf_ctx;  /* opaque: include/posture.h */

enum probe_wait {
	PROBE_DONE = 0,
	PROBE_WANT_READ = 1,
	PROBE_WANT_WRITE = 2,
	PROBE_WANT_RW = 3,    /* both: libssh may want both at once */
	PROBE_WANT_TIMER = 4, /* no fd: only the ctx_wake_after() timer;
				 * may also be OR-ed with the others */
};

enum check_flags {
	CHECK_LOGIN = 1 << 0,	  /* tries credentials: limited by --no-login */
	CHECK_INTRUSIVE = 1 << 1, /* changes state: only with --intrusive */
	CHECK_CONFIG = 1 << 2,	  /* config rules: judge() over the
				   * inventory's facts, no network (posture.h) */
	/* the built-in list is the exact pairs user i / password i (no
	 * empty password, no password = user): for a product with one
	 * documented default login and a one-attempt budget */
	CHECK_CREDS_PAIRED = 1 << 3,
	/* its ports are UDP ports: no TCP discovery; its probe opens a
	 * socket with ctx_udp_open() and asks with ctx_udp_send() */
	CHECK_UDP = 1 << 4,
};

/* One catalogue entry a check may report (DESIGN.md rule catalogue). */
struct rule {
	const char *id; /* "ssh.weak_kex": stable, never renamed */
	const char *title;
	const char *description; /* a sentence or two: what and why */
	const char *cvss_vector; /* CVSS:3.1 base vector */
	const char *references;	 /* "CWE-327; ATT&CK T1040" */
	const char *remediation;
	enum impact impact;
	enum confidence confidence;
	unsigned flags; /* enum check_flags the rule needs */
};

struct check {
	const char *name;	     /* "ssh": what --checks takes */
	const char *summary;	     /* one line for `exposure checks` */
	const char *const *services; /* nmap service names, NULL-ended */
	const uint16_t *ports;	     /* default ports */
	size_t nports;
	unsigned flags; /* enum check_flags */
	const struct rule *rules;
	size_t nrules;
	/* built-in credential lists, tried after --creds; NULL if none */
	const char *const *default_users;     /* NULL-ended */
	const char *const *default_passwords; /* NULL-ended; besides these
						 * the empty password and
						 * password = user are tried */
	unsigned default_max_attempts;	      /* per account and host */
	size_t state_size;
	int (*start)(struct check_ctx *ctx, void *state);
	int (*step)(struct check_ctx *ctx, void *state); /* may be NULL */
	/* once per scan, before any worker thread starts, when the check
	 * has probes to run (e.g. load a library and curl_global_init);
	 * < 0 with err filled: every probe of the check ends as error */
	int (*global_init)(char *err, size_t errlen);
	/* blocking lane (see above); NULL for pure step() checks */
	int (*run)(struct check_ctx *ctx, void *state);
	unsigned max_parallel; /* run() calls at once; 0 = the lane's size */
	void (*cleanup)(struct check_ctx *ctx, void *state);
	/* pure: facts -> ctx_report() calls; no network, no clock */
	int (*assess)(const cJSON *facts, struct check_ctx *ctx);
	/* CHECK_CONFIG: the target's config facts -> conf_report() calls
	 * (include/posture.h); pure like assess() */
	int (*judge)(const struct target *t, const cJSON *config,
		     struct conf_ctx *c);
};

/* checks/registry.c */
extern const struct check *const check_registry[];
extern const size_t check_registry_len;
const struct check *check_find(const char *name);
const struct rule *check_rule(const struct check *c, const char *rule_id);

/* ---- what a module may ask of its context ---- */

const struct target *ctx_target(const struct check_ctx *ctx);
const struct target_addr *ctx_addr(const struct check_ctx *ctx);
uint16_t ctx_port(const struct check_ctx *ctx);
bool ctx_intrusive(const struct check_ctx *ctx);

/* Starts a non-blocking TCP connect to the probe's address and port.
 * On 0, *fd is the socket (connect may still be in progress: wait for
 * PROBE_WANT_WRITE, then read SO_ERROR). The module closes it. */
int ctx_connect(struct check_ctx *ctx, int *fd);
/* The same to another port of the probe's address (an FTP passive data
 * port): never another address, whatever the server names. */
int ctx_connect_port(struct check_ctx *ctx, uint16_t port, int *fd);
/* --host-rate: a check that opens more than one connection (or sends more
 * than one UDP probe) calls this before each one after the first: 0 means
 * go ahead now (a slot of the address is held for it); PROBE_WANT_TIMER
 * means return that from step(), which is called again when the slot
 * comes, and call this again then. Always 0 without --host-rate. The
 * engine holds the slot of a probe's first connection itself. */
int ctx_host_turn(struct check_ctx *ctx);
/* the held slot is used by a connection the check did not open through
 * ctx_connect() (a library's: libpq, libcurl); without a held slot the
 * connection is counted all the same */
void ctx_host_spend(struct check_ctx *ctx);
/* the same for run() in the blocking lane: sleeps until the address's
 * next slot (at most until the probe's deadline), then the connection
 * may start */
void ctx_host_wait(struct check_ctx *ctx);
/* ---- UDP (CHECK_UDP) ----
 * Silence proves nothing: a UDP probe that got no answer ends with the
 * status "no answer" (STATUS_NO_ANSWER), never "closed" or "secure".
 * ctx_udp_open: a non-blocking UDP socket connect()ed to the probe's
 * address and port, so the kernel drops datagrams from any other address
 * or port; the module closes it.
 * ctx_udp_send: one request (copied; the requests out at once share
 * UDP_REQUEST_MAX bytes, at most UDP_REQUESTS_MAX of them), *id names
 * it; the engine paces each datagram with --rate and sends each request
 * again, up to --udp-retries times, while it is not answered: a
 * request's datagrams share --timeout. Requests sent together are waited
 * for together (an SNMP agent's communities: one wait, not one each).
 * ctx_udp_poll: in step(), after a send: UDP_ANSWER with the next datagram
 * in buf (*len bytes; one longer than cap is dropped and counted in
 * ctx_udp_oversized()), UDP_WAIT (return PROBE_WANT_READ |
 * PROBE_WANT_TIMER), UDP_SILENT (every request not answered went
 * unanswered to its last datagram) or UDP_REFUSED (an ICMP port
 * unreachable came back: closed). The module tells which request a
 * datagram answers (ctx_udp_answered: no more re-sends of it); one that
 * answers none (stale, forged): call ctx_udp_poll() again. ctx_udp_send()
 * returns 0 (then return PROBE_WANT_READ | PROBE_WANT_TIMER), UDP_REFUSED,
 * or < 0 (EXPO_ETOOBIG: no room for one more).
 * ctx_udp_done: nothing is waited for any more (the next send starts a
 * new set of requests). */
#define UDP_REQUEST_MAX 1472
#define UDP_REQUESTS_MAX 8
enum udp_poll { UDP_WAIT = 0, UDP_ANSWER = 1, UDP_SILENT = 2, UDP_REFUSED = 3 };
int ctx_udp_open(struct check_ctx *ctx, int *fd);
int ctx_udp_send(struct check_ctx *ctx, int fd, const void *buf, size_t len,
		 unsigned *id);
void ctx_udp_answered(struct check_ctx *ctx, unsigned id);
int ctx_udp_poll(struct check_ctx *ctx, int fd, void *buf, size_t cap,
		 size_t *len);
void ctx_udp_done(struct check_ctx *ctx);
/* datagrams dropped for being longer than the cap given to ctx_udp_poll */
unsigned ctx_udp_oversized(const struct check_ctx *ctx);

/* The fd the next PROBE_WANT_* waits on. */
void ctx_set_fd(struct check_ctx *ctx, int fd);
/* Names the phase under way ("banner", "auth none", "login 3") for the
 * timeout reason, and restarts the phase clock: each phase must finish
 * within --timeout, and the whole probe within --check-timeout. The ctx
 * keeps a copy of the name. */
void ctx_phase(struct check_ctx *ctx, const char *phase);
/* the same with a formatted name ("login %u"); the name is copied */
void ctx_phasef(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* step() is also called once when ms have passed (one-shot; a new call
 * replaces the old), e.g. for libcurl's multi timer. */
void ctx_wake_after(struct check_ctx *ctx, unsigned ms);
/* --timeout, and the time left before the probe deadline, for the
 * timeouts of a library the engine cannot interrupt */
unsigned ctx_timeout_ms(const struct check_ctx *ctx);
unsigned ctx_remaining_ms(const struct check_ctx *ctx);

/* Facts gathered so far; the ctx owns the object, the module adds to it. */
cJSON *ctx_facts(struct check_ctx *ctx);

/* Credentials. --no-login, --max-attempts (per account and host, over
 * every check and port of the host) and lockout are enforced here only.
 * ctx_next_cred: 1 and the next pair (valid until the probe ends), or 0
 * when none is left. The attempt is counted when handed out. */
bool ctx_login_allowed(const struct check_ctx *ctx);
int ctx_next_cred(struct check_ctx *ctx, const char **user,
		  const char **password);
/* A random user and password that no real account has; 0 under --no-login.
 * Not counted against any account. */
int ctx_canary(struct check_ctx *ctx, const char **user, const char **password);
/* A made-up account name ("xp" and 12 letters and digits, cut to size):
 * random, never a fixed one even when the system's random source fails;
 * for a probe that must not use a real name, also under --no-login where
 * ctx_canary() gives nothing. */
void ctx_random_name(struct check_ctx *ctx, char *out, size_t size);
enum cred_result {
	CRED_FAILED = 0,
	CRED_ACCEPTED,
	CRED_LOCKED,	 /* locked or disabled account: stop the host */
	CRED_FORBIDDEN,	 /* this address may not log in at all */
	CRED_NO_ACCOUNT, /* the server said the account does not exist
				 * (or may not log in): no other password */
};
void ctx_cred_result(struct check_ctx *ctx, const char *user,
		     enum cred_result result);

/* Reports a finding of a rule the check declared (else EXPO_ERULE).
 * The evidence must not contain secrets: pass them as `secret` (may be
 * NULL); the ctx redacts it unless --show-secrets. Text from the server may
 * be passed as it is: writers escape it. */
int ctx_report(struct check_ctx *ctx, const char *rule_id, const char *secret,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Says that a GPU is behind this door (a device name, VRAM in use): the
 * findings reported after this call carry it (finding.gpu) and rank above
 * the same finding without one. Text from the server may be passed as it
 * is: writers escape it. */
void ctx_gpu(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records the probe's outcome when it is not a plain success. */
void ctx_status(struct check_ctx *ctx, enum probe_status status,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
