/*
 * context.c - what a check may ask of the engine (include/check.h): its
 * target, connections, phases, facts, credentials and findings.
 *
 * Credentials are counted here and nowhere else: --no-login, --max-attempts
 * per account and host (one counter per (address, user), shared by every
 * check and port of the host, so a Windows account tried over SMB and RDP
 * is one account), and the stop after a lockout answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "ctx_internal.h"
#include "lib/hostrate.h"
#include "rank/cvss.h"
#include "dynbuf.h"
#include "expo.h"
#include "fault.h"

#define EVIDENCE_MAX 4096
#define GPU_MAX 160 /* ctx_gpu(): a device name or two, not a report */
#define REASON_MAX 512

uint64_t ctx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the credential guard: a small open-addressing hash table ---- */

struct guard_slot {
	char *key; /* "address\nuser", or "address\n" for a stop */
	unsigned count;
};

struct cred_guard {
	pthread_mutex_t lock;
	struct guard_slot *slots;
	size_t nslots, used;
};

struct cred_guard *cred_guard_new(void)
{
	struct cred_guard *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	return g;
}

void cred_guard_free(struct cred_guard *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nslots; i++)
		free(g->slots[i].key);
	free(g->slots);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static int guard_grow(struct cred_guard *g)
{
	size_t n = g->nslots ? g->nslots * 2 : 256, i, j;
	struct guard_slot *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < g->nslots; i++) {
		if (g->slots[i].key == NULL)
			continue;
		j = expo_hash(g->slots[i].key) & (n - 1);
		while (s[j].key != NULL)
			j = (j + 1) & (n - 1);
		s[j] = g->slots[i];
	}
	free(g->slots);
	g->slots = s;
	g->nslots = n;
	return 0;
}

/* the slot for key, created with count 0 if missing; NULL on ENOMEM.
 * Called with the lock held. */
static struct guard_slot *guard_slot(struct cred_guard *g, const char *key,
				     bool create)
{
	size_t j;

	if (g->nslots == 0 || (g->used + 1) * 2 > g->nslots) {
		if (!create && g->nslots == 0)
			return NULL;
		if (create && guard_grow(g) != 0)
			return NULL;
	}
	j = expo_hash(key) & (g->nslots - 1);
	while (g->slots[j].key != NULL) {
		if (strcmp(g->slots[j].key, key) == 0)
			return &g->slots[j];
		j = (j + 1) & (g->nslots - 1);
	}
	if (!create)
		return NULL;
	g->slots[j].key = strdup(key);
	if (g->slots[j].key == NULL)
		return NULL;
	g->slots[j].count = 0;
	g->used++;
	return &g->slots[j];
}

/* "addr\n" is the host's stop mark and "addr\nuser" an account of the
 * host; the empty user (VNC, SNMP: a password without a name) is one
 * account per port, "addr\n\nport", so that it never hits the stop mark */
static void guard_key(char *buf, size_t len, const struct check_ctx *ctx,
		      const char *user)
{
	char addr[INET6_ADDRSTRLEN];

	target_addr_text(ctx->addr, addr);
	/* the empty user is a service without user names (an SNMP
	 * community, a VNC password): its attempts count per port, as the
	 * service's own lockout does */
	if (user != NULL && user[0] == '\0')
		snprintf(buf, len, "%s\n\n%u", addr, (unsigned)ctx->port);
	else
		snprintf(buf, len, "%s\n%s", addr, user ? user : "");
}

static bool guard_host_stopped(struct check_ctx *ctx)
{
	char key[INET6_ADDRSTRLEN + 4];
	struct guard_slot *s;
	bool stopped;

	guard_key(key, sizeof(key), ctx, NULL);
	pthread_mutex_lock(&ctx->guard->lock);
	s = guard_slot(ctx->guard, key, false);
	stopped = s != NULL && s->count > 0;
	pthread_mutex_unlock(&ctx->guard->lock);
	return stopped;
}

/* counts one attempt for user if it is under the cap; false otherwise */
static bool guard_take(struct check_ctx *ctx, const char *user, unsigned cap)
{
	char key[INET6_ADDRSTRLEN + 300];
	struct guard_slot *s;
	bool ok = false;

	guard_key(key, sizeof(key), ctx, user);
	pthread_mutex_lock(&ctx->guard->lock);
	s = guard_slot(ctx->guard, key, true);
	if (s != NULL && s->count < cap) {
		s->count++;
		ok = true;
	}
	pthread_mutex_unlock(&ctx->guard->lock);
	return ok;
}

static void guard_stop_host(struct check_ctx *ctx)
{
	char key[INET6_ADDRSTRLEN + 4];
	struct guard_slot *s;

	guard_key(key, sizeof(key), ctx, NULL);
	pthread_mutex_lock(&ctx->guard->lock);
	s = guard_slot(ctx->guard, key, true);
	if (s != NULL)
		s->count = 1;
	pthread_mutex_unlock(&ctx->guard->lock);
}

/* ---- ctx life ---- */

struct check_ctx *ctx_new(const struct check *check,
			  const struct scan_config *cfg,
			  const struct target *target,
			  const struct target_addr *addr, uint16_t port,
			  struct cred_guard *guard)
{
	struct check_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	ctx->check = check;
	ctx->cfg = cfg;
	ctx->target = target;
	ctx->addr = addr;
	ctx->port = port;
	ctx->fd = -1;
	ctx->status = STATUS_OPEN;
	ctx->proto = (check->flags & CHECK_UDP) ? PROTO_UDP : PROTO_TCP;
	finding_list_init(&ctx->findings);
	ctx->facts = cJSON_CreateObject();
	if (guard == NULL) {
		guard = cred_guard_new();
		ctx->own_guard = true;
	}
	ctx->guard = guard;
	if (ctx->facts == NULL || ctx->guard == NULL) {
		ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void ctx_free(struct check_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	cJSON_Delete(ctx->facts);
	finding_list_release(&ctx->findings);
	free(ctx->reason);
	free(ctx->gpu);
	for (i = 0; i < ctx->nsettled_users; i++)
		free(ctx->settled_users[i]);
	free(ctx->settled_users);
	if (ctx->own_guard)
		cred_guard_free(ctx->guard);
	free(ctx);
}

struct finding_list *ctx_findings(struct check_ctx *ctx)
{
	return &ctx->findings;
}

enum probe_status ctx_get_status(const struct check_ctx *ctx,
				 const char **reason)
{
	if (reason != NULL)
		*reason = ctx->reason;
	return ctx->status;
}

const struct target *ctx_target(const struct check_ctx *ctx)
{
	return ctx->target;
}

const struct target_addr *ctx_addr(const struct check_ctx *ctx)
{
	return ctx->addr;
}

uint16_t ctx_port(const struct check_ctx *ctx)
{
	return ctx->port;
}

bool ctx_intrusive(const struct check_ctx *ctx)
{
	return ctx->cfg->intrusive;
}

/* --host-rate: takes the address's next slot; the ms (ctx_now_ms clock)
 * it starts at, now or later */
static uint64_t host_take_ms(struct check_ctx *ctx, uint64_t now)
{
	uint64_t now_ns = host_rate_now_ns(),
		 at = host_rate_take(ctx->host_rate, &ctx->addr->u.sa, now_ns);

	return at > now_ns ? now + (at - now_ns + 999999) / 1000000 : now;
}

int ctx_host_turn(struct check_ctx *ctx)
{
	uint64_t now = ctx_now_ms();

	if (ctx->host_rate == NULL || ctx->rate_prepaid)
		return 0;
	if (ctx->turn_at_ms == 0) {
		ctx->turn_at_ms = host_take_ms(ctx, now);
		/* the wait is not the check's time: its whole-probe
		 * deadline moves too, as the engine's for the first slot */
		ctx->probe_deadline_ms += ctx->turn_at_ms - now;
	}
	if (ctx->turn_at_ms <= now) {
		ctx->turn_at_ms = 0;
		ctx->rate_prepaid = true;
		return 0;
	}
	/* the wait is no lack of progress: the phase clock starts again
	 * when the slot comes */
	if (ctx->phase_deadline_ms < ctx->turn_at_ms + ctx->cfg->timeout_ms)
		ctx->phase_deadline_ms = ctx->turn_at_ms + ctx->cfg->timeout_ms;
	ctx->wake_ms = ctx->turn_at_ms;
	return PROBE_WANT_TIMER;
}

void ctx_host_wait(struct check_ctx *ctx)
{
	uint64_t end, now;

	if (ctx->host_rate == NULL)
		return;
	if (!ctx->rate_prepaid) {
		now = host_rate_now_ns();
		end = host_rate_take(ctx->host_rate, &ctx->addr->u.sa, now);
		/* never past the probe's deadline: the library's own
		 * timeout then ends the attempt */
		if (end - now > (uint64_t)ctx_remaining_ms(ctx) * 1000000)
			end = now + (uint64_t)ctx_remaining_ms(ctx) * 1000000;
		while ((now = host_rate_now_ns()) < end) {
			struct timespec ts = {
				.tv_sec = (time_t)((end - now) / 1000000000),
				.tv_nsec = (long)((end - now) % 1000000000),
			};

			nanosleep(&ts, NULL);
		}
	}
	ctx->rate_prepaid = false;
}

void ctx_host_spend(struct check_ctx *ctx)
{
	if (ctx->host_rate != NULL && !ctx->rate_prepaid)
		(void)host_rate_take(ctx->host_rate, &ctx->addr->u.sa,
				     host_rate_now_ns());
	ctx->rate_prepaid = false;
}

int ctx_connect(struct check_ctx *ctx, int *fd)
{
	return ctx_connect_port(ctx, ctx->port, fd);
}

int ctx_connect_port(struct check_ctx *ctx, uint16_t port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = ctx->addr->salen;
	int s, r = 0;

	/* the held slot (the engine's for the first connection, or
	 * ctx_host_turn()'s); without one the connection is still counted */
	ctx_host_spend(ctx);

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &ctx->addr->u, len);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return EXPO_ESYS;
	if (connect(s, (struct sockaddr *)&ss, len) != 0 &&
	    errno != EINPROGRESS) {
		r = EXPO_ESYS;
		close(s);
		goto out;
	}
	*fd = s;
out:
	return r;
}

/* ---- UDP ---- */

struct udp_pacer {
	pthread_mutex_t lock;
	uint64_t interval_us; /* 0: no limit */
	uint64_t next_us;     /* the first free slot */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct udp_pacer *udp_pacer_new(unsigned rate)
{
	struct udp_pacer *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->interval_us = rate ? 1000000u / rate : 0;
	if (rate && p->interval_us == 0)
		p->interval_us = 1;
	return p;
}

void udp_pacer_free(struct udp_pacer *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void ctx_set_pacer(struct check_ctx *ctx, struct udp_pacer *p)
{
	ctx->pacer = p;
}

/* the ms (ctx_now_ms clock) from which one more datagram may go */
static uint64_t pacer_slot(struct udp_pacer *p)
{
	uint64_t now = now_us(), at;

	if (p == NULL || p->interval_us == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	at = p->next_us > now ? p->next_us : now;
	p->next_us = at + p->interval_us;
	pthread_mutex_unlock(&p->lock);
	/* now_us and ctx_now_ms read one clock: round up to whole ms */
	return (at + 999) / 1000;
}

int ctx_udp_open(struct check_ctx *ctx, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = ctx->addr->salen;
	int s;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &ctx->addr->u, len);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(ctx->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(ctx->port);
	s = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return EXPO_ESYS;
	/* connected: the kernel takes answers from this address and port
	 * only, and reports an ICMP port unreachable as ECONNREFUSED */
	if (connect(s, (struct sockaddr *)&ss, len) != 0) {
		close(s);
		return EXPO_ESYS;
	}
	*fd = s;
	return 0;
}

static unsigned udp_wait_ms(const struct check_ctx *ctx)
{
	unsigned w = ctx->cfg->timeout_ms / (ctx->cfg->udp_retries + 1);

	return w ? w : 1;
}

/* sends each live request that is due when the pacer allows, gives up
 * those whose last datagram went unanswered; arms the timer for the next
 * due one. UDP_WAIT, UDP_SILENT (none left live), UDP_REFUSED or < 0 */
static int udp_pump(struct check_ctx *ctx, int fd)
{
	uint64_t now = ctx_now_ms(), next = UINT64_MAX, end;
	unsigned w = udp_wait_ms(ctx), i, live = 0;

	for (i = 0; i < ctx->udp_nreq; i++) {
		struct udp_req *q = &ctx->udp_req[i];

		if (!q->live)
			continue;
		if (now >= q->due_ms && q->sent > ctx->cfg->udp_retries) {
			q->live = false; /* its last datagram: silence */
			continue;
		}
		if (now >= q->due_ms) {
			if (q->slot_ms == 0) {
				q->slot_ms = pacer_slot(ctx->pacer);
				/* --host-rate: every datagram but the probe's
				 * first (the engine held that slot) takes one
				 * of the address's */
				if (ctx->host_rate != NULL &&
				    !ctx->rate_prepaid) {
					uint64_t h = host_take_ms(ctx, now);

					if (h > q->slot_ms)
						q->slot_ms = h;
				}
				ctx->rate_prepaid = false;
			}
			if (q->slot_ms > now) {
				q->due_ms = q->slot_ms;
			} else {
				if (send(fd, ctx->udp_buf + q->off, q->len, 0) <
					    0 &&
				    errno != EAGAIN && errno != ENOBUFS) {
					ctx->udp_waiting = false;
					return errno == ECONNREFUSED
						       ? UDP_REFUSED
						       : EXPO_ESYS;
				}
				q->sent++;
				q->slot_ms = 0;
				q->due_ms = now + w;
			}
		}
		/* the phase lasts while datagrams are left to wait for, and
		 * a little beyond: silence is decided here, not by the phase
		 * deadline */
		end = q->due_ms +
		      (uint64_t)w * (ctx->cfg->udp_retries + 1 - q->sent) +
		      ctx->cfg->timeout_ms;
		if (end > ctx->phase_deadline_ms)
			ctx->phase_deadline_ms = end;
		if (q->due_ms < next)
			next = q->due_ms;
		live++;
	}
	if (live == 0) {
		ctx->udp_waiting = false;
		return UDP_SILENT;
	}
	ctx->wake_ms = next > now ? next : now + 1;
	return UDP_WAIT;
}

int ctx_udp_send(struct check_ctx *ctx, int fd, const void *buf, size_t len,
		 unsigned *id)
{
	struct udp_req *q;
	int r;

	if (!ctx->udp_waiting) {
		ctx->udp_nreq = 0;
		ctx->udp_used = 0;
	}
	if (ctx->udp_nreq == UDP_REQUESTS_MAX ||
	    len > sizeof(ctx->udp_buf) - ctx->udp_used)
		return EXPO_ETOOBIG;
	q = &ctx->udp_req[ctx->udp_nreq];
	memset(q, 0, sizeof(*q));
	q->off = ctx->udp_used;
	q->len = len;
	q->live = true;
	memcpy(ctx->udp_buf + q->off, buf, len);
	ctx->udp_used += len;
	*id = ctx->udp_nreq++;
	ctx->udp_waiting = true;
	r = udp_pump(ctx, fd);
	return r == UDP_WAIT ? 0 : r;
}

void ctx_udp_answered(struct check_ctx *ctx, unsigned id)
{
	unsigned i;

	if (id < ctx->udp_nreq)
		ctx->udp_req[id].live = false;
	for (i = 0; i < ctx->udp_nreq; i++)
		if (ctx->udp_req[i].live)
			return;
	ctx->udp_waiting = false;
}

int ctx_udp_poll(struct check_ctx *ctx, int fd, void *buf, size_t cap,
		 size_t *len)
{
	ssize_t n;
	int guard;

	if (!ctx->udp_waiting)
		return EXPO_EINVAL;
	/* bounded: a flood of oversized datagrams cannot hold the loop */
	for (guard = 0; guard < 64; guard++) {
		n = recv(fd, buf, cap, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			ctx->udp_waiting = false;
			return errno == ECONNREFUSED ? UDP_REFUSED : EXPO_ESYS;
		}
		ctx->udp_heard = true;
		if ((size_t)n > cap) {
			/* larger than asked for: not read, not trusted */
			ctx->udp_oversized++;
			continue;
		}
		*len = (size_t)n;
		return UDP_ANSWER;
	}
	return udp_pump(ctx, fd);
}

void ctx_udp_done(struct check_ctx *ctx)
{
	ctx->udp_waiting = false;
}

unsigned ctx_udp_oversized(const struct check_ctx *ctx)
{
	return ctx->udp_oversized;
}

void ctx_set_fd(struct check_ctx *ctx, int fd)
{
	ctx->fd = fd;
}

void ctx_phase(struct check_ctx *ctx, const char *phase)
{
	snprintf(ctx->phase, sizeof(ctx->phase), "%s", phase);
	ctx->phase_deadline_ms = ctx_now_ms() + ctx->cfg->timeout_ms;
}

void ctx_wake_after(struct check_ctx *ctx, unsigned ms)
{
	ctx->wake_ms = ctx_now_ms() + ms;
}

unsigned ctx_timeout_ms(const struct check_ctx *ctx)
{
	return ctx->cfg->timeout_ms;
}

unsigned ctx_remaining_ms(const struct check_ctx *ctx)
{
	uint64_t now = ctx_now_ms();

	if (ctx->probe_deadline_ms == 0) /* outside the engine: tests */
		return ctx->cfg->check_timeout_ms;
	return ctx->probe_deadline_ms > now
		       ? (unsigned)(ctx->probe_deadline_ms - now)
		       : 0;
}

void ctx_phasef(struct check_ctx *ctx, const char *fmt, ...)
{
	char name[sizeof(ctx->phase)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	ctx_phase(ctx, name);
}

cJSON *ctx_facts(struct check_ctx *ctx)
{
	return ctx->facts;
}

/* ---- credentials ---- */

bool ctx_login_allowed(const struct check_ctx *ctx)
{
	return !ctx->cfg->no_login && (ctx->check->flags & CHECK_LOGIN);
}

static bool user_settled(const struct check_ctx *ctx, const char *user)
{
	size_t i;

	for (i = 0; i < ctx->nsettled_users; i++)
		if (strcmp(ctx->settled_users[i], user) == 0)
			return true;
	return false;
}

static size_t count_list(const char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL)
		n++;
	return n;
}

/*
 * The candidate sequence, without materialising it: first the --creds
 * pairs in file order, then the built-in list password by password across
 * all users (spraying spreads the per-account cap evenly), where password
 * -2 is the empty one and -1 is the user name.
 */
static bool cred_at(const struct check_ctx *ctx, size_t i, const char **user,
		    const char **password)
{
	size_t nusers = count_list(ctx->check->default_users);
	size_t npw = count_list(ctx->check->default_passwords) + 2;
	size_t pw;

	if (i < ctx->cfg->ncreds) {
		*user = ctx->cfg->creds[i].user;
		*password = ctx->cfg->creds[i].password;
		return true;
	}
	i -= ctx->cfg->ncreds;
	if (ctx->check->flags & CHECK_CREDS_PAIRED) {
		if (i >= nusers || i >= npw - 2)
			return false;
		*user = ctx->check->default_users[i];
		*password = ctx->check->default_passwords[i];
		return true;
	}
	if (nusers == 0 || i >= nusers * npw)
		return false;
	pw = i / nusers;
	*user = ctx->check->default_users[i % nusers];
	if (pw == 0)
		*password = "";
	else if (pw == 1)
		*password = *user;
	else if (strcmp(ctx->check->default_passwords[pw - 2], *user) != 0)
		*password = ctx->check->default_passwords[pw - 2];
	else
		*password = NULL; /* password = user was tried already */
	return true;
}

/* a service without user names (SNMP): its built-in users are all "" */
static bool check_userless(const struct check *c)
{
	size_t i;

	for (i = 0; c->default_users != NULL && c->default_users[i]; i++)
		if (c->default_users[i][0] != '\0')
			return false;
	return c->default_users != NULL && c->default_users[0] != NULL;
}

int ctx_next_cred(struct check_ctx *ctx, const char **user,
		  const char **password)
{
	unsigned cap = ctx->cfg->max_attempts
			       ? ctx->cfg->max_attempts
			       : ctx->check->default_max_attempts;
	const char *u, *p;

	if (!ctx_login_allowed(ctx) || cap == 0)
		return 0;
	while (cred_at(ctx, ctx->cred_next, &u, &p)) {
		ctx->cred_next++;
		if (guard_host_stopped(ctx))
			return 0;
		/* ":community" lines go to user-less services only, and
		 * user:password lines to the others */
		if ((u[0] == '\0') != check_userless(ctx->check))
			continue;
		if (p == NULL || user_settled(ctx, u) ||
		    !guard_take(ctx, u, cap))
			continue;
		*user = u;
		*password = p;
		return 1;
	}
	return 0;
}

static void random_token(char *out, size_t len, const char *prefix)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static atomic_uint_fast64_t calls;
	unsigned char rnd[32];
	size_t i, plen = strlen(prefix);

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(rnd)) {
		/* never a fixed name, not even twice in one millisecond at
		 * one address: the clock, the process and a counter */
		struct timespec ts;
		uint64_t t;

		clock_gettime(CLOCK_REALTIME, &ts);
		t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		t ^= (uint64_t)getpid() << 40 ^ (uintptr_t)out;
		t ^= (atomic_fetch_add(&calls, 1) + 1) * 0x9e3779b97f4a7c15ull;

		for (i = 0; i < sizeof(rnd);
		     i++, t = t * 6364136223846793005ull + 1)
			rnd[i] = (unsigned char)(t >> 33);
	}
	snprintf(out, len, "%s", prefix);
	for (i = plen; i + 1 < len && i - plen < sizeof(rnd); i++)
		out[i] = alnum[rnd[i - plen] % (sizeof(alnum) - 1)];
	out[i] = '\0';
}

void ctx_random_name(struct check_ctx *ctx, char *out, size_t size)
{
	(void)ctx;
	/* "xp" and 12 more, as long as the canary user */
	random_token(out, size < 15 ? size : 15, "xp");
}

int ctx_canary(struct check_ctx *ctx, const char **user, const char **password)
{
	if (!ctx_login_allowed(ctx) || guard_host_stopped(ctx))
		return 0;
	if (ctx->canary_user[0] == '\0') {
		random_token(ctx->canary_user, 13, "xq");
		random_token(ctx->canary_password, 21, "Cz");
	}
	*user = ctx->canary_user;
	*password = ctx->canary_password;
	return 1;
}

void ctx_cred_result(struct check_ctx *ctx, const char *user,
		     enum cred_result result)
{
	char **v;

	switch (result) {
	case CRED_ACCEPTED:
	case CRED_NO_ACCOUNT:
		if (user == NULL || user_settled(ctx, user))
			break;
		v = realloc(ctx->settled_users,
			    (ctx->nsettled_users + 1) * sizeof(*v));
		if (v == NULL)
			break;
		ctx->settled_users = v;
		v[ctx->nsettled_users] = strdup(user);
		if (v[ctx->nsettled_users] != NULL)
			ctx->nsettled_users++;
		break;
	case CRED_LOCKED:
	case CRED_FORBIDDEN:
		guard_stop_host(ctx);
		break;
	case CRED_FAILED:
		break;
	}
}

/* ---- findings and status ---- */

static char *redact(const char *secret, bool show)
{
	if (secret == NULL || fault_hit("ctx_report"))
		return NULL;
	if (show)
		return strdup(secret);
	/* an empty password tells nothing beyond the finding itself */
	return strdup(secret[0] == '\0' ? "(empty)" : "<redacted>");
}

/* id, name and address in one allocation (FINDING_PACKS_TARGET); fails
 * also when the test armed the "ctx_report" site */
static int pack_target(struct finding *f, const char *id, const char *name,
		       const char *addr)
{
	size_t lid = strlen(id) + 1, lname = strlen(name) + 1;
	size_t laddr = strlen(addr) + 1;
	char *p;

	if (fault_hit("ctx_report") ||
	    (p = malloc(lid + lname + laddr)) == NULL)
		return EXPO_ENOMEM;
	f->target_id = memcpy(p, id, lid);
	f->target_name = memcpy(p + lid, name, lname);
	f->address = memcpy(p + lid + lname, addr, laddr);
	f->shares |= FINDING_PACKS_TARGET;
	return 0;
}

int ctx_report(struct check_ctx *ctx, const char *rule_id, const char *secret,
	       const char *fmt, ...)
{
	const struct rule *rule = check_rule(ctx->check, rule_id);
	struct finding one = { 0 }, *f = &one, *slot;
	char addr[INET6_ADDRSTRLEN], namebuf[INET6_ADDRSTRLEN];
	const char *gpu;
	struct dynbuf ev;
	va_list ap;
	int n, r = 0;

	if (rule == NULL)
		return EXPO_ERULE;
	dynbuf_init(&ev, EVIDENCE_MAX);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		char *tmp = malloc((size_t)n + 1);

		if (tmp == NULL)
			return EXPO_ENOMEM;
		va_start(ap, fmt);
		vsnprintf(tmp, (size_t)n + 1, fmt, ap);
		va_end(ap);
		/* evidence is capped: a long banner must not bloat reports */
		if ((r = dynbuf_add(&ev, tmp, (size_t)n)) == EXPO_ETOOBIG &&
		    (r = dynbuf_add(&ev, tmp, EVIDENCE_MAX - 16)) == 0)
			r = dynbuf_addstr(&ev, " [truncated]");
		free(tmp);
		if (r != 0) {
			dynbuf_release(&ev);
			return r;
		}
	}
	/* filled aside, listed only when whole: a finding with a NULL
	 * field would reach the ranking and every writer */
	target_addr_text(ctx->addr, addr);
	/* the rule's text is static: borrowed, not copied (finding.h) */
	f->shares = FINDING_SHARES_RULE;
	f->rule_id = (char *)rule->id;
	f->check = (char *)ctx->check->name;
	f->title = (char *)rule->title;
	f->service = (char *)ctx->check->name;
	f->cvss_vector = (char *)rule->cvss_vector;
	f->remediation = (char *)rule->remediation;
	f->references = (char *)rule->references;
	if (pack_target(f, ctx->target->id,
			target_display_name(ctx->target, namebuf), addr) != 0)
		r = EXPO_ENOMEM;
	f->port = ctx->port;
	f->proto = ctx->proto;
	if (cvss31_base_score(rule->cvss_vector, &f->cvss_score) != 0)
		f->cvss_score = 0.0;
	f->severity = cvss_severity(f->cvss_score);
	f->confidence = rule->confidence;
	f->impact = rule->impact;
	/* exactly its length: the buffer grew by doubling */
	f->evidence = fault_hit("ctx_report")
			      ? NULL
			      : strndup(ev.buf ? ev.buf : "", ev.len);
	f->secret = redact(secret, ctx->cfg->show_secrets);
	f->is_public = ctx->addr->is_public;
	f->exposure =
		target_port_exposure_proto(ctx->target, ctx->port, ctx->proto);
	finding_fingerprint(f->fingerprint, rule->id, ctx->target->id,
			    ctx->port);
	/* what the probe saw wins over what the inventory says */
	gpu = ctx->gpu != NULL		  ? ctx->gpu
	      : ctx->target->meta != NULL ? ctx->target->meta->gpu
					  : NULL;
	if (gpu != NULL && (f->gpu = strdup(gpu)) == NULL)
		r = EXPO_ENOMEM;
	if (r != 0 || f->evidence == NULL ||
	    (secret != NULL && f->secret == NULL) ||
	    (slot = finding_list_add(&ctx->findings)) == NULL) {
		finding_release(f);
		r = EXPO_ENOMEM;
	} else {
		*slot = one;
	}
	dynbuf_release(&ev);
	return r;
}

void ctx_gpu(struct check_ctx *ctx, const char *fmt, ...)
{
	char buf[GPU_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(ctx->gpu);
	ctx->gpu = strdup(buf); /* NULL on ENOMEM: no GPU fact, no harm */
}

void ctx_status(struct check_ctx *ctx, enum probe_status status,
		const char *fmt, ...)
{
	char buf[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->status = status;
	free(ctx->reason);
	ctx->reason = strdup(buf);
}
