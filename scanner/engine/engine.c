/*
 * engine.c - one scan from targets to ranked findings.
 *
 *   1. plan: which ports of which target, and which checks claim each;
 *   2. discovery (scanner/discover/discover.c): every (target, address, port) pair
 *      ends open, closed, filtered or error;
 *   3. checks: each (open pair, claiming check) is a probe; a small pool of
 *      worker threads each drives its own epoll loop over its share of the
 *      probes (STYLE.md section 10: one loop per thread, no handle ever
 *      crosses threads) and enforces each probe's two deadlines: the phase
 *      (--timeout, restarted by ctx_phase()) and the probe (--check-timeout);
 *   4. ranking (scanner/rank/rank.c).
 * Discovery finishes before the checks start: simpler to reason about, and
 * on a cloud estate discovery is the short part.
 *
 * Stopping (SIGINT/SIGTERM, engine.h): every loop also waits on a pipe the
 * signal handler writes to. Discovery stops at once (pairs not finished
 * are "not scanned"); workers take no new job and give the probes under
 * way until the grace ends; the blocking lane starts no run() and is
 * waited for until then too. Whatever was not reached gets an error record
 * saying "interrupted by SIG...", never a status that would prove anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "ctx_internal.h"
#include "discover/discover.h"
#include "lib/hostrate.h"
#include "engine.h"
#include "rank/rank.h"
#include "spill.h"
#include "expo.h"
#include "fault.h"

#define MAX_CHECKS 64
#define PROBES_PER_WORKER_MAX 256
#define LANES_MAX 16

/* The ports of one target and the checks (bitmask over cfg->checks) that
 * claim each. Targets without overrides share one default plan. */
struct plan {
	uint16_t *ports;
	uint8_t *protos; /* enum port_proto of each port */
	uint64_t *claims;
	size_t n;
};

struct planned {
	const struct plan **of_target; /* per target; NULL if skipped */
	struct plan default_plan;
	struct plan *own; /* plans of targets with overrides */
	size_t nown;
	size_t *pair_start; /* first pair index of each target */
	size_t npairs;
};

struct job {
	uint32_t target;
	uint16_t addr;
	uint16_t port;
	uint8_t check; /* index into cfg->checks */
};

struct collector {
	pthread_mutex_t lock;
	struct finding_list findings;
	struct port_record *records;
	size_t nrecords, alloc;
	uint32_t *ms; /* per record: ms its probe took; from the first check */
	size_t ms_alloc;
	struct spill *records_spill; /* NULL, or where records and ms live */
	char **reasons;
	size_t nreasons, reasons_alloc;
	bool spill_failed;	   /* no spill file: findings stay in memory */
	bool records_spill_failed; /* the same for the records */
};

struct probe;
struct scan_run;

/* what a lane thread is started with: lives in the run, which outlives
 * every lane thread, abandoned ones included */
struct lane_arg {
	struct scan_run *run;
	unsigned self; /* index into lane.in_run and lane.exited */
};

/* The blocking lane: probes whose check has run() wait here for one of a
 * few threads; per-check caps bound libraries with thread-safety caveats. */
struct lane {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct probe **queue; /* FIFO of probes handed over */
	size_t head, tail, alloc;
	unsigned running[MAX_CHECKS];
	struct probe *in_run[LANES_MAX]; /* per lane thread: inside run() */
	bool exited[LANES_MAX];		 /* per lane thread: returned */
	unsigned finishing;		 /* threads past run(), finishing */
	bool abandoned;			 /* scan_run() went on without them */
	struct lane_arg args[LANES_MAX];
};

struct scan_run {
	struct lane lane;
	struct collector col;
	const struct scan_config *cfg;
	const struct target_list *targets;
	struct planned *plan;
	struct job *jobs;
	size_t njobs;
	atomic_size_t next_job;
	atomic_size_t done_jobs;
	struct cred_guard *guard;
	struct udp_pacer *pacer;   /* --rate over UDP datagrams */
	uint8_t *heard;		   /* per job: its UDP socket got a datagram */
	atomic_uint workers_alive; /* worker threads not yet returned */
	_Atomic uint64_t stop_at;  /* 0, or the grace's end (ctx_now_ms) */
	size_t abandoned;	   /* lane threads left in a library call */
	int interrupted;	   /* the signal that cut the checks short */
	struct host_rate *host_rate;	    /* --host-rate, or NULL */
	uint8_t registry_index[MAX_CHECKS]; /* cfg check -> registry */
	char *init_error[MAX_CHECKS];	    /* global_init() failed: why */
};

/* ---- planning ---- */

static int plan_add(struct plan *p, uint16_t port, unsigned proto,
		    unsigned check_bit, bool claim)
{
	size_t i;
	uint16_t *np;
	uint8_t *npr;
	uint64_t *nc;

	for (i = 0; i < p->n; i++) {
		if (p->ports[i] == port && p->protos[i] == proto) {
			if (claim)
				p->claims[i] |= 1ull << check_bit;
			return 0;
		}
	}
	np = realloc(p->ports, (p->n + 1) * sizeof(*np));
	if (np == NULL)
		return EXPO_ENOMEM;
	p->ports = np;
	npr = realloc(p->protos, (p->n + 1) * sizeof(*npr));
	if (npr == NULL)
		return EXPO_ENOMEM;
	p->protos = npr;
	nc = realloc(p->claims, (p->n + 1) * sizeof(*nc));
	if (nc == NULL)
		return EXPO_ENOMEM;
	p->claims = nc;
	p->ports[p->n] = port;
	p->protos[p->n] = (uint8_t)proto;
	p->claims[p->n] = claim ? 1ull << check_bit : 0;
	p->n++;
	return 0;
}

static unsigned check_proto(const struct check *c)
{
	return (c->flags & CHECK_UDP) ? PROTO_UDP : PROTO_TCP;
}

static bool check_claims_port(const struct check *c, uint16_t port,
			      unsigned proto)
{
	size_t i;

	if (check_proto(c) != proto)
		return false;
	for (i = 0; i < c->nports; i++)
		if (c->ports[i] == port)
			return true;
	return false;
}

static bool check_has_service(const struct check *c, const char *svc)
{
	size_t i;

	for (i = 0; c->services != NULL && c->services[i] != NULL; i++)
		if (strcmp(c->services[i], svc) == 0)
			return true;
	return false;
}

/* Whether c takes an override that names no check: by nmap's service
 * name when an enabled check lists it (ssh on 2222 goes to ssh), else by
 * c's default ports. */
static bool override_claims(const struct scan_config *cfg,
			    const struct check *c,
			    const struct port_override *o)
{
	size_t k;

	if (o->check[0] != '\0' || check_proto(c) != o->proto)
		return false;
	for (k = 0; o->service[0] != '\0' && k < cfg->nchecks; k++)
		if (check_has_service(cfg->checks[k], o->service) &&
		    check_proto(cfg->checks[k]) == o->proto)
			return check_has_service(c, o->service);
	return check_claims_port(c, o->port, o->proto);
}

/* adds one override {check, port} to p; "" = every check claiming it.
 * An inventory's port that no enabled check takes is still planned, with
 * no claim: discovery probes it and the report lists it as not checked.
 * Only a port given with --ports must be claimed. */
static int plan_override(struct plan *p, const struct scan_config *cfg,
			 const struct port_override *o, const char *where,
			 char **err)
{
	bool any = false;
	size_t k;
	int r;

	if (cfg->discover_only)
		return plan_add(p, o->port, o->proto, 0, false);
	for (k = 0; k < cfg->nchecks; k++) {
		const struct check *c = cfg->checks[k];
		bool named = strcmp(o->check, c->name) == 0;

		/* a UDP check never takes a TCP port, nor the reverse */
		if (named && check_proto(c) != o->proto) {
			if (asprintf(err,
				     "%s: check %s probes %s ports, not %u/%s",
				     where, c->name, proto_name(check_proto(c)),
				     o->port, proto_name(o->proto)) < 0)
				*err = NULL;
			return EXPO_EINVAL;
		}
		if (named || override_claims(cfg, c, o)) {
			if ((r = plan_add(p, o->port, o->proto, (unsigned)k,
					  true)) != 0)
				return r;
			any = true;
		}
	}
	if (!any && strcmp(where, "--ports") != 0)
		return plan_add(p, o->port, o->proto, 0, false);
	if (!any && o->check[0] == '\0') {
		if (asprintf(err,
			     "%s: port %u%s is not a default port of any "
			     "enabled check; name one (e.g. ssh=%u) or "
			     "enable it with --checks",
			     where, o->port,
			     o->proto == PROTO_UDP ? "/udp" : "", o->port) < 0)
			*err = NULL;
		return EXPO_EINVAL;
	}
	/* a named check that is not enabled: that port is not probed */
	return 0;
}

static int plan_default(struct plan *p, const struct scan_config *cfg,
			char **err)
{
	size_t k, i;
	int r;

	if (cfg->ports_replace || cfg->discover_only) {
		for (i = 0; i < cfg->nextra_ports; i++)
			if ((r = plan_override(p, cfg, &cfg->extra_ports[i],
					       "--ports", err)) != 0)
				return r;
		return 0;
	}
	for (k = 0; k < cfg->nchecks; k++)
		for (i = 0; i < cfg->checks[k]->nports; i++)
			if ((r = plan_add(p, cfg->checks[k]->ports[i],
					  check_proto(cfg->checks[k]),
					  (unsigned)k, true)) != 0)
				return r;
	for (i = 0; i < cfg->nextra_ports; i++)
		if ((r = plan_override(p, cfg, &cfg->extra_ports[i], "--ports",
				       err)) != 0)
			return r;
	return 0;
}

static void planned_release(struct planned *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	free(pl->default_plan.ports);
	free(pl->default_plan.protos);
	free(pl->default_plan.claims);
	for (i = 0; i < pl->nown; i++) {
		free(pl->own[i].ports);
		free(pl->own[i].protos);
		free(pl->own[i].claims);
	}
	free(pl->own);
	free(pl->of_target);
	free(pl->pair_start);
}

static int planned_build(struct planned *pl, const struct scan_config *cfg,
			 const struct target_list *tl, char **err)
{
	size_t t, i, nown = 0, pairs = 0;
	int r = 0;

	memset(pl, 0, sizeof(*pl));
	if ((r = plan_default(&pl->default_plan, cfg, err)) != 0)
		goto out;
	for (t = 0; t < tl->n; t++)
		if (tl->v[t].nports > 0 && tl->v[t].skip_reason == NULL)
			nown++;
	pl->of_target = calloc(tl->n ? tl->n : 1, sizeof(*pl->of_target));
	pl->pair_start = calloc(tl->n + 1, sizeof(*pl->pair_start));
	pl->own = calloc(nown ? nown : 1, sizeof(*pl->own));
	if (pl->of_target == NULL || pl->pair_start == NULL ||
	    pl->own == NULL) {
		r = EXPO_ENOMEM;
		goto out;
	}
	for (t = 0; t < tl->n; t++) {
		const struct target *tg = &tl->v[t];
		const struct plan *p = NULL;

		pl->pair_start[t] = pairs;
		if (tg->skip_reason != NULL || tg->naddrs == 0)
			continue;
		if (tg->naddrs > UINT16_MAX) {
			/* records keep 16 bits of address index */
			if (asprintf(err,
				     "target %s has %u addresses: at most "
				     "%u per target",
				     tg->id, tg->naddrs, UINT16_MAX) < 0)
				*err = NULL;
			r = EXPO_EINVAL;
			goto out;
		}
		if (tg->nports == 0) {
			p = &pl->default_plan;
		} else {
			struct plan *own = &pl->own[pl->nown++];

			if (!tg->only_listed_ports &&
			    (r = plan_default(own, cfg, err)) != 0)
				goto out;
			for (i = 0; i < tg->nports; i++) {
				char where[300];

				snprintf(where, sizeof(where), "%s: target %s",
					 tg->source ? tg->source : "-", tg->id);
				if ((r = plan_override(own, cfg, &tg->ports[i],
						       where, err)) != 0)
					goto out;
			}
			p = own;
		}
		pl->of_target[t] = p;
		pairs += (size_t)tg->naddrs * p->n;
	}
	pl->pair_start[tl->n] = pairs;
	pl->npairs = pairs;
out:
	return r;
}

/* pair index -> (target, address, port index) by binary search */
static void pair_locate(const struct planned *pl, size_t ntargets, size_t i,
			size_t *t, size_t *a, size_t *pi)
{
	size_t lo = 0, hi = ntargets, mid, off, n;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pl->pair_start[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	/* skip targets with no pairs that share the same start */
	while (lo + 1 < ntargets && pl->pair_start[lo + 1] <= i)
		lo++;
	n = pl->of_target[lo]->n;
	off = i - pl->pair_start[lo];
	*t = lo;
	*a = off / n;
	*pi = off % n;
}

struct pair_ud {
	const struct planned *pl;
	const struct target_list *tl;
};

static unsigned pair_proto(const struct planned *pl, size_t ntargets, size_t i)
{
	size_t t, a, pi;

	pair_locate(pl, ntargets, i, &t, &a, &pi);
	return pl->of_target[t]->protos[pi];
}

static void fill_sockaddr(struct sockaddr_storage *sa, socklen_t *salen,
			  const struct target_addr *ta, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	memcpy(sa, &ta->u, ta->salen);
	*salen = ta->salen;
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

/* a UDP pair has no connect to try: its checks' datagrams are the probe
 * (records_from_discovery) */
static bool pair_sockaddr(void *ud, size_t i, struct sockaddr_storage *sa,
			  socklen_t *salen)
{
	struct pair_ud *p = ud;
	size_t t, a, pi;

	pair_locate(p->pl, p->tl->n, i, &t, &a, &pi);
	if (p->pl->of_target[t]->protos[pi] == PROTO_UDP)
		return false;
	fill_sockaddr(sa, salen, &p->tl->v[t].addrs[a],
		      p->pl->of_target[t]->ports[pi]);
	return true;
}

/* ---- the collector ---- */

/* interns reason text; returns its index (0 for none). Past 65,535
 * distinct reasons (records keep 16 bits) a record says none. */
static uint16_t collector_reason(struct collector *c, const char *text)
{
	size_t i;
	char **v;

	if (text == NULL || c->nreasons > UINT16_MAX)
		return 0;
	for (i = 1; i < c->nreasons; i++)
		if (strcmp(c->reasons[i], text) == 0)
			return (uint16_t)i;
	if (c->nreasons == 0)
		c->nreasons = 1; /* index 0 means "none" */
	if (c->nreasons >= c->reasons_alloc) {
		size_t n = c->reasons_alloc ? c->reasons_alloc * 2 : 16;

		v = realloc(c->reasons, n * sizeof(*v));
		if (v == NULL)
			return 0;
		v[0] = NULL;
		c->reasons = v;
		c->reasons_alloc = n;
	}
	c->reasons[c->nreasons] = strdup(text);
	if (c->reasons[c->nreasons] == NULL)
		return 0;
	return (uint16_t)c->nreasons++;
}

/* an open port that no enabled check claims: listed as not checked */
static void unclaimed_reason(struct collector *c, struct port_record *rec,
			     const struct scan_config *cfg, uint64_t claims)
{
	if (rec->status == STATUS_OPEN && claims == 0 && !cfg->discover_only)
		rec->reason = collector_reason(c, UNCLAIMED_REASON);
}

/* A fleet's findings move to a file-backed spill once they are many
 * (include/spill.h): memory stays flat however many a scan finds. Under
 * the collector's lock. Without a file the scan goes on in memory. */
static void collector_spill(struct scan_run *run, size_t more)
{
	struct finding_list *l = &run->col.findings;
	size_t after = run->cfg->spill_after ? run->cfg->spill_after
					     : FINDINGS_SPILL_AFTER;
	struct spill *s;

	if (l->spill != NULL || run->col.spill_failed || more == 0 ||
	    l->n + more < after)
		return;
	if ((s = spill_new()) == NULL || finding_list_spill(l, s) != 0) {
		spill_free(s);
		run->col.spill_failed = true;
		fprintf(stderr, "exposure: warning: no file for findings in "
				"$TMPDIR, /var/tmp or /tmp (set TMPDIR to a "
				"writable disk): they stay in memory\n");
	}
}

static struct port_record *collector_record(struct collector *c, uint32_t ms)
{
	struct port_record *v;
	/* a quarter more, not twice: the discovery records of a whole
	 * estate fill the first allocation exactly, and the first check
	 * record would double it */
	size_t n = c->nrecords < c->alloc ? c->alloc
		   : c->alloc		  ? c->alloc + c->alloc / 4 + 256
					  : 256;

	/* durations beside the records, not in them: a record stays 12
	 * bytes, and a scan that runs no check needs none */
	if (port_records_room(&c->records, &c->alloc, &c->ms, &c->ms_alloc, n,
			      true, c->records_spill) != 0)
		return NULL;
	c->ms[c->nrecords] = ms;
	v = &c->records[c->nrecords++];
	memset(v, 0, sizeof(*v));
	return v;
}

/* ---- stopping: SIGINT/SIGTERM (engine.h) ---- */

/* The signal handler (scanner/cli/main.c) may run at any time on the main
 * thread (the engine's threads block SIGINT/SIGTERM): it only stores the
 * signal and writes one byte to the pipe every loop has in its epoll set,
 * both async-signal-safe. Nothing ever reads the pipe: the loops wait on
 * it edge-triggered, so each signal wakes each loop once. */
static atomic_int stop_signal;
static int wake_pipe[2] = { -1, -1 };

int scan_interrupt_init(void)
{
	if (wake_pipe[0] >= 0)
		return 0;
	return pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) == 0 ? 0 : EXPO_ESYS;
}

void scan_interrupt(int signo)
{
	int saved = errno, none = 0;
	ssize_t n;

	atomic_compare_exchange_strong(&stop_signal, &none, signo);
	if (wake_pipe[1] >= 0) {
		n = write(wake_pipe[1], "", 1);
		(void)n; /* a full pipe has woken everyone already */
	}
	errno = saved;
}

int scan_interrupted(void)
{
	return atomic_load(&stop_signal);
}

static int stopped(void)
{
	return scan_interrupted() != 0;
}

static const char *signal_name(int signo)
{
	return signo == SIGINT	  ? "SIGINT"
	       : signo == SIGTERM ? "SIGTERM"
				  : "a signal";
}

/* the end of the grace once a stop was asked (ms, ctx_now_ms), else 0;
 * the first thread to notice the signal starts the grace */
static uint64_t run_stop_at(struct scan_run *run)
{
	uint64_t at = atomic_load(&run->stop_at), none = 0;

	if (at != 0 || !stopped())
		return at;
	at = ctx_now_ms() + SCAN_GRACE_MS;
	if (!atomic_compare_exchange_strong(&run->stop_at, &none, at))
		at = none;
	return at;
}

/* adds the wake-up pipe to a loop's epoll set (data.ptr NULL: no probe) */
static int watch_wake(int ep)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET,
				  .data.ptr = NULL };

	if (wake_pipe[0] < 0)
		return 0;
	return epoll_ctl(ep, EPOLL_CTL_ADD, wake_pipe[0], &ev) == 0 ? 0
								    : EXPO_ESYS;
}

static uint8_t job_proto(const struct scan_run *run, const struct job *job)
{
	return (uint8_t)check_proto(run->cfg->checks[job->check]);
}

/* a record for a (target, address, port, check) the stop cut short */
static void record_interrupted(struct scan_run *run, const struct job *job,
			       const char *what)
{
	struct port_record *rec;
	char why[320];

	snprintf(why, sizeof(why), "interrupted by %s: %s",
		 signal_name(scan_interrupted()), what);
	pthread_mutex_lock(&run->col.lock);
	rec = collector_record(&run->col, 0);
	if (rec != NULL) {
		rec->target = job->target;
		rec->addr = job->addr;
		rec->port = job->port;
		rec->proto = job_proto(run, job);
		rec->status = STATUS_ERROR;
		rec->check = run->registry_index[job->check];
		rec->reason = collector_reason(&run->col, why);
	}
	pthread_mutex_unlock(&run->col.lock);
}

/* ---- the check workers ---- */

struct probe {
	struct check_ctx *ctx;
	void *state;
	const struct job *job;
	uint8_t registry_index;
	bool started;
	bool held; /* waits for its address's --host-rate slot */
	int registered_fd;
	uint32_t registered_events;
	uint64_t started_ms;
};

static uint32_t wait_events(int w)
{
	uint32_t ev = 0;

	if (w & PROBE_WANT_READ)
		ev |= EPOLLIN;
	if (w & PROBE_WANT_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

static void probe_unregister(int ep, struct probe *p)
{
	if (p->registered_fd >= 0)
		epoll_ctl(ep, EPOLL_CTL_DEL, p->registered_fd, NULL);
	p->registered_fd = -1;
	p->registered_events = 0;
}

/* arms the wait the check asked for; < 0 if the fd cannot be waited on */
static int probe_register(int ep, struct probe *p, int wait)
{
	struct epoll_event ev = { .events = wait_events(wait), .data.ptr = p };
	int fd = p->ctx->fd;

	if (ev.events == 0) {
		/* the timer alone: it must be set, or nothing would wake us */
		probe_unregister(ep, p);
		return p->ctx->wake_ms != 0 ? 0 : EXPO_EINVAL;
	}
	if (fd < 0)
		return EXPO_EINVAL;
	if (fd == p->registered_fd) {
		/* Always MOD, even for the same events: the module (or libpq
		 * inside it) may have closed the socket and opened a new one
		 * under the same number, which epoll dropped; MOD then fails
		 * with ENOENT and we ADD. No other probe of this loop can take
		 * the number in between: steps run one at a time. */
		if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0)
			goto done;
		if (errno != ENOENT)
			return EXPO_ESYS;
	} else if (p->registered_fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, p->registered_fd, NULL);
	}
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		return EXPO_ESYS;
done:
	p->registered_fd = fd;
	p->registered_events = ev.events;
	return 0;
}

/* counts a job done; after the last one, lane threads waiting for work
 * may leave */
static void job_done(struct scan_run *run)
{
	if (atomic_fetch_add(&run->done_jobs, 1) + 1 == run->njobs) {
		pthread_mutex_lock(&run->lane.lock);
		pthread_cond_broadcast(&run->lane.cond);
		pthread_mutex_unlock(&run->lane.lock);
	}
}

/* ends a probe: cleanup, assess what was gathered, hand over the results */
static void probe_finish(struct scan_run *run, int ep, struct probe *p)
{
	const struct check *c = run->cfg->checks[p->job->check];
	struct port_record *rec;
	const char *reason = NULL;
	enum probe_status st;
	uint64_t ms;

	probe_unregister(ep, p);
	if (p->started && c->cleanup != NULL)
		c->cleanup(p->ctx, p->state);
	if (c->assess != NULL && c->assess(p->ctx->facts, p->ctx) < 0 &&
	    p->ctx->status == STATUS_OPEN)
		ctx_status(p->ctx, STATUS_ERROR, "assessing the facts failed");
	st = ctx_get_status(p->ctx, &reason);
	ms = ctx_now_ms() - p->started_ms;
	if (p->ctx->udp_heard && run->heard != NULL)
		run->heard[p->job - run->jobs] = 1;
	pthread_mutex_lock(&run->col.lock);
	collector_spill(run, ctx_findings(p->ctx)->n);
	if (finding_list_take(&run->col.findings, ctx_findings(p->ctx)) != 0) {
		/* no memory, or no disk for the spill: the port must not
		 * read as checked and clean */
		st = STATUS_ERROR;
		reason = "its findings were lost: no memory, or no disk "
			 "space in the spill's directory ($TMPDIR)";
	}
	rec = collector_record(&run->col,
			       ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
	if (rec != NULL) {
		rec->target = p->job->target;
		rec->addr = p->job->addr;
		rec->port = p->job->port;
		rec->proto = job_proto(run, p->job);
		rec->status = (uint8_t)st;
		rec->check = p->registry_index;
		rec->reason = collector_reason(&run->col, reason);
	}
	pthread_mutex_unlock(&run->col.lock);
	ctx_free(p->ctx);
	free(p->state);
	p->ctx = NULL;
	p->state = NULL;
	job_done(run);
}

/* a probe that could not even begin (no memory for its ctx or state):
 * its record says so, and it is done like any other */
static void probe_lost(struct scan_run *run, const struct job *job)
{
	struct port_record *rec;

	pthread_mutex_lock(&run->col.lock);
	rec = collector_record(&run->col, 0);
	if (rec != NULL) {
		rec->target = job->target;
		rec->addr = job->addr;
		rec->port = job->port;
		rec->proto = job_proto(run, job);
		rec->status = (uint8_t)STATUS_ERROR;
		rec->check = run->registry_index[job->check];
		rec->reason = collector_reason(&run->col, "out of memory");
	}
	pthread_mutex_unlock(&run->col.lock);
	job_done(run);
}

/* ends a probe the stop keeps from going on; what it proved is kept */
static void probe_stop(struct scan_run *run, int ep, struct probe *p,
		       const char *what)
{
	ctx_status(p->ctx, STATUS_ERROR, "interrupted by %s: %s",
		   signal_name(scan_interrupted()), what);
	probe_finish(run, ep, p);
}

/* hands a probe to the blocking lane; its slot in the loop is free */
static void lane_push(struct scan_run *run, int ep, struct probe *p)
{
	struct lane *l = &run->lane;
	struct probe *copy = malloc(sizeof(*copy));

	probe_unregister(ep, p);
	pthread_mutex_lock(&l->lock);
	if (copy != NULL && l->tail == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 64;
		struct probe **q = realloc(l->queue, n * sizeof(*q));

		if (q == NULL) {
			free(copy);
			copy = NULL;
		} else {
			l->queue = q;
			l->alloc = n;
		}
	}
	if (copy != NULL) {
		*copy = *p;
		l->queue[l->tail++] = copy;
		pthread_cond_broadcast(&l->cond);
	}
	pthread_mutex_unlock(&l->lock);
	if (copy == NULL) {
		ctx_status(p->ctx, STATUS_ERROR, "out of memory");
		probe_finish(run, ep, p);
		return;
	}
	p->ctx = NULL;
	p->state = NULL;
}

/* runs one step and arms the next wait; false when the probe ended */
static bool probe_step(struct scan_run *run, int ep, struct probe *p)
{
	const struct check *c = run->cfg->checks[p->job->check];
	int w;

	p->ctx->wake_ms = 0;
	w = c->step(p->ctx, p->state);
	if (w == PROBE_DONE && c->run != NULL) {
		lane_push(run, ep, p);
		return false;
	}
	if (w == PROBE_DONE)
		goto end;
	if (w < 0) {
		if (p->ctx->status == STATUS_OPEN)
			ctx_status(p->ctx, STATUS_ERROR, "%s: %s",
				   p->ctx->phase[0] ? p->ctx->phase : "probe",
				   expo_strerror(w));
		goto end;
	}
	if (probe_register(ep, p, w) != 0) {
		ctx_status(p->ctx, STATUS_ERROR,
			   "%s: the check gave no socket to wait on",
			   p->ctx->phase[0] ? p->ctx->phase : "probe");
		goto end;
	}
	return true;
end:
	probe_finish(run, ep, p);
	return false;
}

static bool probe_launch(struct scan_run *run, int ep, struct probe *p);

static bool probe_begin(struct scan_run *run, int ep, struct probe *p,
			const struct job *job)
{
	const struct check *c = run->cfg->checks[job->check];
	const struct target *t = &run->targets->v[job->target];
	uint64_t now = ctx_now_ms();

	memset(p, 0, sizeof(*p));
	p->job = job;
	p->registered_fd = -1;
	p->registry_index = run->registry_index[job->check];
	p->started_ms = now;
	p->ctx = ctx_new(c, run->cfg, t, &t->addrs[job->addr], job->port,
			 run->guard);
	p->state = calloc(1, c->state_size ? c->state_size : 1);
	if (p->ctx == NULL || p->state == NULL || fault_hit("probe_begin")) {
		ctx_free(p->ctx);
		free(p->state);
		p->ctx = NULL;
		p->state = NULL;
		probe_lost(run, job);
		return false;
	}
	ctx_set_pacer(p->ctx, run->pacer);
	p->ctx->probe_deadline_ms = now + run->cfg->check_timeout_ms;
	p->ctx->phase_deadline_ms = now + run->cfg->timeout_ms;
	snprintf(p->ctx->phase, sizeof(p->ctx->phase), "start");
	p->ctx->host_rate = run->host_rate;
	if (run->host_rate != NULL) {
		/* the probe's first connection (or UDP probe) takes its
		 * address's next slot; the check starts when it comes, its
		 * deadlines counted from then */
		uint64_t now_ns = host_rate_now_ns(), wait;
		uint64_t at = host_rate_take(run->host_rate,
					     &t->addrs[job->addr].u.sa, now_ns);

		p->ctx->rate_prepaid = true;
		if (at > now_ns) {
			wait = (at - now_ns + 999999) / 1000000;
			p->held = true;
			p->ctx->wake_ms = now + wait;
			p->ctx->probe_deadline_ms += wait;
			p->ctx->phase_deadline_ms += wait;
			return true;
		}
	}
	return probe_launch(run, ep, p);
}

/* starts a begun probe's check */
static bool probe_launch(struct scan_run *run, int ep, struct probe *p)
{
	const struct job *job = p->job;
	const struct check *c = run->cfg->checks[job->check];

	p->held = false;
	p->ctx->wake_ms = 0;
	if (run->init_error[job->check] != NULL) {
		ctx_status(p->ctx, STATUS_ERROR, "not checked: %s",
			   run->init_error[job->check]);
		probe_finish(run, ep, p);
		return false;
	}
	if (c->start != NULL && c->start(p->ctx, p->state) < 0) {
		if (p->ctx->status == STATUS_OPEN)
			ctx_status(p->ctx, STATUS_ERROR,
				   "the check could not "
				   "start");
		probe_finish(run, ep, p);
		return false;
	}
	p->started = true;
	if (c->step == NULL) {
		lane_push(run, ep, p);
		return false;
	}
	return probe_step(run, ep, p);
}

/* the nearest of the probe's deadlines and, once stopping, the grace's */
static uint64_t probe_deadline(const struct probe *p, uint64_t stop_at)
{
	uint64_t a = p->ctx->phase_deadline_ms, b = p->ctx->probe_deadline_ms;
	uint64_t d = a < b ? a : b;

	return stop_at != 0 && stop_at < d ? stop_at : d;
}

static void probe_expire(struct scan_run *run, int ep, struct probe *p,
			 uint64_t stop_at)
{
	bool whole = p->ctx->probe_deadline_ms <= p->ctx->phase_deadline_ms;
	char what[sizeof(p->ctx->phase) + 64];

	if (stop_at != 0 && stop_at < p->ctx->phase_deadline_ms &&
	    stop_at < p->ctx->probe_deadline_ms) {
		snprintf(what, sizeof(what), "%s: stopped after the %u s grace",
			 p->ctx->phase[0] ? p->ctx->phase : "probe",
			 SCAN_GRACE_MS / 1000);
		probe_stop(run, ep, p, what);
		return;
	}
	if (p->ctx->udp_waiting) {
		/* silence, even past the deadline, proves nothing */
		ctx_status(p->ctx, STATUS_NO_ANSWER,
			   "%s: no answer within the deadline",
			   p->ctx->phase[0] ? p->ctx->phase : "probe");
		probe_finish(run, ep, p);
		return;
	}
	ctx_status(p->ctx, STATUS_TIMEOUT, "%s: no progress within %u ms%s",
		   p->ctx->phase[0] ? p->ctx->phase : "probe",
		   whole ? run->cfg->check_timeout_ms : run->cfg->timeout_ms,
		   whole ? " (--check-timeout)" : " (--timeout)");
	probe_finish(run, ep, p);
}

/*
 * How many probes one worker runs at once: its slots, but no more than
 * an even split of the jobs. Without it the first worker to start takes
 * every job of a small scan (five PostgreSQL hosts whose SCRAM logins
 * are CPU-bound) and the other cores stay idle.
 */
static size_t fair_share(const struct scan_run *run, size_t cap)
{
	unsigned nw = run->cfg->workers ? run->cfg->workers : 1;
	size_t share = (run->njobs + nw - 1) / nw;

	return share < 1 ? 1 : share < cap ? share : cap;
}

/* one worker thread: its slots of probes and its epoll loop */
struct worker {
	struct scan_run *run;
	struct probe *slots;
	size_t cap;  /* slots */
	size_t fill; /* probes at once (fair_share) */
	bool more;   /* jobs may be left to take */
	int ep;
};

static size_t worker_active(const struct worker *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->cap; i++)
		if (w->slots[i].ctx != NULL)
			n++;
	return n;
}

/* fills free slots with new jobs, up to this worker's share; none once
 * the scan is stopping. Returns the probes under way. */
static size_t worker_fill(struct worker *w)
{
	struct scan_run *run = w->run;
	size_t active = worker_active(w), i, j;

	if (run_stop_at(run) != 0)
		w->more = false; /* scan_run() records the jobs left */
	for (i = 0; w->more && i < w->cap && active < w->fill; i++) {
		if (w->slots[i].ctx != NULL)
			continue;
		j = atomic_fetch_add(&run->next_job, 1);
		if (j >= run->njobs) {
			w->more = false;
			break;
		}
		probe_begin(run, w->ep, &w->slots[i], &run->jobs[j]);
		active++;
	}
	return worker_active(w);
}

/* ends the probes past a deadline, steps those whose timer is due;
 * the nearest deadline left, or UINT64_MAX */
static uint64_t worker_expire(struct worker *w, uint64_t now)
{
	struct scan_run *run = w->run;
	uint64_t next = UINT64_MAX, stop_at = run_stop_at(run), d;
	size_t i;

	for (i = 0; i < w->cap; i++) {
		struct probe *p = &w->slots[i];

		if (p->ctx == NULL)
			continue;
		d = probe_deadline(p, stop_at);
		if (d <= now) {
			probe_expire(run, w->ep, p, stop_at);
			continue;
		}
		if (p->ctx->wake_ms != 0 && p->ctx->wake_ms <= now) {
			if (p->held ? !probe_launch(run, w->ep, p)
				    : !probe_step(run, w->ep, p))
				continue;
			d = probe_deadline(p, stop_at);
		}
		if (p->ctx->wake_ms != 0 && p->ctx->wake_ms < d)
			d = p->ctx->wake_ms;
		if (d < next)
			next = d;
	}
	return next;
}

/* waits for sockets until next (at most 1 s) and steps those ready;
 * false if epoll itself failed */
static bool worker_wait(struct worker *w, uint64_t now, uint64_t next)
{
	struct epoll_event evs[64];
	int wait_ms = next - now > 1000 ? 1000 : (int)(next - now), n, k;

	n = epoll_wait(w->ep, evs, 64, wait_ms);
	if (n < 0)
		return errno == EINTR;
	for (k = 0; k < n; k++) {
		struct probe *p = evs[k].data.ptr;

		/* NULL: the wake-up pipe; the next round sees the stop */
		if (p != NULL && p->ctx != NULL)
			probe_step(w->run, w->ep, p);
	}
	return true;
}

static void *worker_main(void *arg)
{
	struct scan_run *run = arg;
	struct worker w = { .run = run, .more = true, .ep = -1 };
	uint64_t now, next;
	size_t i;

	w.cap = run->cfg->concurrency /
		(run->cfg->workers ? run->cfg->workers : 1);
	if (w.cap < 1)
		w.cap = 1;
	if (w.cap > PROBES_PER_WORKER_MAX)
		w.cap = PROBES_PER_WORKER_MAX;
	w.fill = fair_share(run, w.cap);
	w.slots = calloc(w.cap, sizeof(*w.slots));
	w.ep = epoll_create1(EPOLL_CLOEXEC);
	if (w.slots == NULL || w.ep < 0 || watch_wake(w.ep) != 0)
		goto out;
	for (;;) {
		if (worker_fill(&w) == 0) {
			if (!w.more)
				break;
			continue;
		}
		now = ctx_now_ms();
		next = worker_expire(&w, now);
		if (next == UINT64_MAX)
			continue;
		if (!worker_wait(&w, now, next))
			break;
	}
out:
	/* only reached with probes left if epoll failed: end them */
	for (i = 0; w.slots != NULL && i < w.cap; i++)
		if (w.slots[i].ctx != NULL) {
			ctx_status(w.slots[i].ctx, STATUS_ERROR,
				   "the event loop failed");
			probe_finish(run, w.ep, &w.slots[i]);
		}
	free(w.slots);
	if (w.ep >= 0)
		close(w.ep);
	atomic_fetch_sub(&run->workers_alive, 1);
	return NULL;
}

/* ---- the blocking lane ---- */

static unsigned lane_cap(const struct scan_run *run, const struct check *c)
{
	unsigned n = run->cfg->blocking_workers ? run->cfg->blocking_workers
						: 1;

	return c->max_parallel != 0 && c->max_parallel < n ? c->max_parallel
							   : n;
}

/* the first queued probe whose check is below its cap, taken out of the
 * queue (FIFO order kept for the others); NULL if none. Under l->lock. */
static struct probe *lane_take(struct scan_run *run, bool any)
{
	struct lane *l = &run->lane;
	struct probe *p;
	size_t i;

	for (i = l->head; i < l->tail; i++) {
		p = l->queue[i];
		if (!any &&
		    l->running[p->job->check] >=
			    lane_cap(run, run->cfg->checks[p->job->check]))
			continue;
		memmove(&l->queue[i], &l->queue[i + 1],
			(l->tail - i - 1) * sizeof(*l->queue));
		l->tail--;
		return p;
	}
	return NULL;
}

/* true when a lane thread may leave: every probe is done, or the scan
 * stops, no worker can hand over more, and the queue is empty */
static bool lane_over(struct scan_run *run)
{
	return atomic_load(&run->done_jobs) >= run->njobs ||
	       (atomic_load(&run->stop_at) != 0 &&
		atomic_load(&run->workers_alive) == 0 &&
		run->lane.head == run->lane.tail);
}

/* runs p's blocking run() on lane thread `self`; false if the scan went
 * on without this thread meanwhile (it must then touch nothing) */
static bool lane_run_one(struct scan_run *run, unsigned self, struct probe *p)
{
	struct lane *l = &run->lane;
	const struct check *c = run->cfg->checks[p->job->check];
	uint64_t now;
	int r;

	l->in_run[self] = p;
	pthread_mutex_unlock(&l->lock);
	/* a run() that names no phase of its own is "session" */
	if (p->ctx->phase[0] == '\0' || strcmp(p->ctx->phase, "start") == 0)
		snprintf(p->ctx->phase, sizeof(p->ctx->phase), "session");
	r = c->run(p->ctx, p->state);
	pthread_mutex_lock(&l->lock);
	if (l->abandoned)
		return false;
	l->in_run[self] = NULL;
	l->finishing++;
	pthread_mutex_unlock(&l->lock);
	now = ctx_now_ms();
	if (now > p->ctx->probe_deadline_ms)
		ctx_status(p->ctx, STATUS_TIMEOUT,
			   "%s: the library "
			   "returned after the %u ms deadline "
			   "(--check-timeout)",
			   p->ctx->phase, run->cfg->check_timeout_ms);
	else if (r < 0 && p->ctx->status == STATUS_OPEN)
		ctx_status(p->ctx, STATUS_ERROR, "%s: %s", p->ctx->phase,
			   expo_strerror(r));
	probe_finish(run, -1, p);
	free(p);
	pthread_mutex_lock(&l->lock);
	l->finishing--;
	return true;
}

static void *lane_main(void *arg)
{
	const struct lane_arg *la = arg;
	struct scan_run *run = la->run;
	unsigned self = la->self;
	struct lane *l = &run->lane;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		struct probe *p = NULL;
		uint8_t ci;

		if (l->abandoned)
			goto abandoned; /* the run is no longer ours to touch */
		if (run_stop_at(run) != 0 &&
		    (p = lane_take(run, true)) != NULL) {
			/* stopping: no run() starts; the steps' findings stay */
			l->finishing++;
			pthread_mutex_unlock(&l->lock);
			probe_stop(run, -1, p,
				   "the blocking check never started");
			free(p);
			pthread_mutex_lock(&l->lock);
			l->finishing--;
			continue;
		}
		if ((p = lane_take(run, false)) == NULL) {
			if (lane_over(run))
				break;
			pthread_cond_wait(&l->cond, &l->lock);
			continue;
		}
		ci = p->job->check;
		l->running[ci]++;
		if (!lane_run_one(run, self, p))
			goto abandoned;
		l->running[ci]--;
		pthread_cond_broadcast(&l->cond);
	}
	l->exited[self] = true;
	pthread_cond_broadcast(&l->cond);
abandoned:
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Waits for the lane threads: all of them when the scan ends normally;
 * once stopping, until the grace is over. A thread still inside a
 * blocking library call then is left to it (nothing can interrupt it):
 * the run, its jobs and the credentials it reads are never freed, and
 * the thread, when the call returns, sees `abandoned` and touches
 * nothing. Its probe gets a record; what it found is lost. The threads
 * that ended are joined; the number of the others (detached, the run
 * must outlive them) is returned. */
static size_t lanes_wait(struct scan_run *run, pthread_t *tids, unsigned lanes)
{
	struct lane *l = &run->lane;
	struct probe *p;
	bool exited[LANES_MAX];
	size_t left = 0;
	unsigned i, alive;
	char what[256];

	pthread_mutex_lock(&l->lock);
	pthread_cond_broadcast(&l->cond); /* the workers are gone */
	for (;;) {
		uint64_t stop_at = run_stop_at(run), now = ctx_now_ms(), ms;
		struct timespec ts;

		for (i = 0, alive = 0; i < lanes; i++)
			alive += !l->exited[i];
		if (alive == 0 || (stop_at != 0 && now >= stop_at))
			break;
		/* wake to see a signal, or the grace end, at least 4 times
		 * a second */
		ms = stop_at != 0 && stop_at - now < 250 ? stop_at - now : 250;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(ms * 1000000);
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&l->cond, &l->lock, &ts);
	}
	if (alive > 0) {
		l->abandoned = true;
		pthread_cond_broadcast(&l->cond); /* idle ones leave */
		for (i = 0; i < lanes; i++) {
			if (l->in_run[i] == NULL)
				continue;
			/* not its phase: the thread may be writing it */
			snprintf(what, sizeof(what),
				 "%s: a blocking library call still ran "
				 "after the %u s grace",
				 run->cfg->checks[l->in_run[i]->job->check]
					 ->name,
				 SCAN_GRACE_MS / 1000);
			record_interrupted(run, l->in_run[i]->job, what);
		}
		/* every thread not seen to exit may still read the run */
		left = alive;
		/* threads past run() finish their probe: short, no I/O;
		 * then each sees `abandoned` and touches nothing more */
		while (l->finishing > 0) {
			pthread_mutex_unlock(&l->lock);
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
			pthread_mutex_lock(&l->lock);
		}
		/* what is still queued never started; its steps' findings
		 * are kept */
		while ((p = lane_take(run, true)) != NULL) {
			pthread_mutex_unlock(&l->lock);
			probe_stop(run, -1, p,
				   "the blocking check never started");
			free(p);
			pthread_mutex_lock(&l->lock);
		}
	}
	memcpy(exited, l->exited, sizeof(exited));
	pthread_mutex_unlock(&l->lock);
	for (i = 0; i < lanes; i++) {
		if (exited[i])
			pthread_join(tids[i], NULL);
		else
			pthread_detach(tids[i]);
	}
	return left;
}

static void progress_checks(struct scan_run *run, bool final)
{
	fprintf(stderr, "\rchecks: %zu/%zu probes done%s",
		atomic_load(&run->done_jobs), run->njobs, final ? "\n" : "");
	fflush(stderr);
}

static bool any_blocking(const struct scan_config *cfg)
{
	size_t k;

	for (k = 0; k < cfg->nchecks; k++)
		if (cfg->checks[k]->run != NULL)
			return true;
	return false;
}

/* starts n threads of fn(arg[i]) with SIGINT/SIGTERM blocked, so that the
 * handler runs on the main thread alone; the number started */
static unsigned start_threads(pthread_t *tids, unsigned n, void *(*fn)(void *),
			      void *arg, size_t argsize)
{
	sigset_t block, old;
	unsigned i, started = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[started], NULL, fn,
				   (char *)arg + i * argsize) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

static int run_checks(struct scan_run *run)
{
	pthread_t tids[8], lane_tids[LANES_MAX];
	struct lane_arg *largs = run->lane.args;
	unsigned nw = run->cfg->workers, i, started, lanes, nl;

	if (run->njobs == 0)
		return 0;
	if (nw < 1)
		nw = 1;
	if (nw > 8)
		nw = 8;
	if (nw > run->njobs)
		nw = (unsigned)run->njobs;
	nl = any_blocking(run->cfg) ? run->cfg->blocking_workers : 0;
	if (nl > LANES_MAX)
		nl = LANES_MAX;
	for (i = 0; i < nl; i++) {
		largs[i].run = run;
		largs[i].self = i;
	}
	lanes = start_threads(lane_tids, nl, lane_main, largs, sizeof(*largs));
	if (nl > 0 && lanes == 0)
		return EXPO_ESYS; /* blocking checks could never run */
	atomic_store(&run->workers_alive, nw);
	started = start_threads(tids, nw, worker_main, run, 0);
	atomic_fetch_sub(&run->workers_alive, nw - started);
	if (started == 0) {
		atomic_store(&run->workers_alive, 1);
		worker_main(run);
	}
	if (run->cfg->progress) {
		while (atomic_load(&run->workers_alive) > 0) {
			struct timespec ts = { 0, 250 * 1000 * 1000 };

			progress_checks(run, false);
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	run->abandoned = lanes_wait(run, lane_tids, lanes);
	if (run->cfg->progress)
		progress_checks(run, true);
	return 0;
}

/* ---- the scan ---- */

static void iso8601_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *discovery_reason(enum probe_status st, int16_t err,
				    char *buf, size_t len)
{
	switch (st) {
	case STATUS_CLOSED:
		return NULL; /* "closed" says it: no reason to store */
	case STATUS_FILTERED:
		return NULL;
	case STATUS_ERROR:
		snprintf(buf, len, "connect: %s", strerror(err));
		return buf;
	default:
		return NULL;
	}
}

/* discovery: status[i] for every pair; a pair the stop left unfinished
 * keeps STATUS_COUNT */
static int scan_discover(const struct scan_config *cfg,
			 const struct target_list *targets,
			 const struct planned *pl, struct host_rate *hr,
			 uint8_t *status, int16_t *errs)
{
	struct pair_ud ud = { .pl = pl, .tl = targets };
	struct discover_opts dopts = { 0 };
	size_t i;

	memset(status, STATUS_COUNT, pl->npairs);
	dopts.concurrency = cfg->concurrency ? cfg->concurrency : 1;
	dopts.rate = cfg->rate;
	dopts.host_rate = hr;
	dopts.timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 1;
	dopts.progress = cfg->progress;
	dopts.stopped = stopped;
	dopts.wake_fd = wake_pipe[0];
	if (pl->npairs == 0 || stopped())
		return 0;
	/* UDP pairs have no connect to try (pair_sockaddr() says so to
	 * discovery, which leaves their status be): their checks'
	 * datagrams are the probe (records_from_discovery). In place, not
	 * through an index of the TCP pairs: that cost 11 bytes a pair. */
	for (i = 0; i < pl->npairs; i++)
		if (pair_proto(pl, targets->n, i) == PROTO_UDP)
			status[i] = STATUS_NO_ANSWER;
	return discover_run(&dopts, pl->npairs, pair_sockaddr, &ud, status,
			    errs);
}

/* An estate's port records go to a file-backed spill from the start, as
 * its findings do past FINDINGS_SPILL_AFTER: without it 100,000 targets x
 * 36 ports hold 58 MB of records (and durations) for the whole scan.
 * Without a file they stay in memory. */
static void collector_records_spill(struct scan_run *run)
{
	struct collector *col = &run->col;
	size_t after = run->cfg->spill_after ? run->cfg->spill_after
					     : RECORDS_SPILL_AFTER;

	if (run->plan->npairs < after || col->records_spill != NULL ||
	    col->records_spill_failed)
		return;
	/* the discovery records' room now: a file without the disk space
	 * for them is no file */
	if ((col->records_spill = spill_new()) == NULL ||
	    port_records_room(&col->records, &col->alloc, &col->ms,
			      &col->ms_alloc, run->plan->npairs, false,
			      col->records_spill) != 0) {
		spill_free(col->records_spill);
		col->records_spill = NULL;
		col->records = NULL;
		col->alloc = 0;
		col->records_spill_failed = true;
		fprintf(stderr, "exposure: warning: no file for port records "
				"in $TMPDIR, /var/tmp or /tmp (set TMPDIR to "
				"a writable disk): they stay in memory\n");
	}
}

/*
 * Jobs whose check may log in come first (longest processing time first):
 * against real servers they are the long probes (sequential attempts,
 * sshd's and PAM's delay after each failure, PostgreSQL's SCRAM rounds),
 * and started last they would run on alone after every short probe has
 * ended. Within each class, pairs keep their order. Checks of the blocking
 * lane stay in the second class: their probes would all queue for its few
 * threads at once, each one's deadline running while it waits.
 */
static uint64_t long_checks(const struct scan_config *cfg)
{
	uint64_t mask = 0;
	size_t k;

	for (k = 0; k < cfg->nchecks && !cfg->no_login; k++)
		if ((cfg->checks[k]->flags & CHECK_LOGIN) &&
		    cfg->checks[k]->run == NULL)
			mask |= 1ull << k;
	return mask;
}

/* one record per pair, in pair order; the number of probes to run, and
 * how many of them are of long_checks() */
static int records_from_discovery(struct scan_run *run, const uint8_t *status,
				  const int16_t *errs, size_t *njobs,
				  size_t *nlong)
{
	const struct planned *pl = run->plan;
	struct collector *col = &run->col;
	uint64_t first = long_checks(run->cfg);
	size_t i, t, a, pi;
	char why[96];

	*njobs = *nlong = 0;
	collector_records_spill(run);
	if (port_records_room(&col->records, &col->alloc, &col->ms,
			      &col->ms_alloc, pl->npairs ? pl->npairs : 1,
			      false, col->records_spill) != 0)
		return EXPO_ENOMEM;
	snprintf(why, sizeof(why), "interrupted by %s: not scanned",
		 signal_name(scan_interrupted()));
	for (i = 0; i < pl->npairs; i++) {
		struct port_record *rec = &col->records[col->nrecords++];
		char buf[128];
		const char *reason;

		spill_pace(i);

		pair_locate(pl, run->targets->n, i, &t, &a, &pi);
		memset(rec, 0, sizeof(*rec));
		rec->target = (uint32_t)t;
		rec->addr = (uint16_t)a;
		rec->port = pl->of_target[t]->ports[pi];
		rec->proto = pl->of_target[t]->protos[pi];
		rec->check = CHECK_NONE;
		if (status[i] >= STATUS_COUNT) {
			/* never reached: not scanned, not closed */
			rec->status = STATUS_ERROR;
			reason = why;
		} else {
			rec->status = status[i];
			reason = discovery_reason(status[i], errs[i], buf,
						  sizeof(buf));
		}
		rec->reason = collector_reason(col, reason);
		unclaimed_reason(col, rec, run->cfg,
				 pl->of_target[t]->claims[pi]);
		if (rec->proto == PROTO_UDP && status[i] == STATUS_NO_ANSWER &&
		    (pl->of_target[t]->claims[pi] == 0 ||
		     run->cfg->discover_only))
			rec->reason =
				collector_reason(col, UDP_UNPROBED_REASON);
		if ((status[i] == STATUS_OPEN ||
		     status[i] == STATUS_NO_ANSWER) &&
		    !run->cfg->discover_only) {
			*njobs += (size_t)__builtin_popcountll(
				pl->of_target[t]->claims[pi]);
			*nlong += (size_t)__builtin_popcountll(
				pl->of_target[t]->claims[pi] & first);
		}
	}
	/* room for each job's record now: growing by a quarter at the
	 * first one would leave most of that quarter empty */
	if (*njobs > 0)
		(void)port_records_room(&col->records, &col->alloc, &col->ms,
					&col->ms_alloc, col->nrecords + *njobs,
					false, col->records_spill);
	return 0;
}

/* a job per (open pair, claiming check): the nlong jobs of long_checks()
 * first, then the others, each in pair order */
static int jobs_build(struct scan_run *run, const uint8_t *status, size_t njobs,
		      size_t nlong)
{
	const struct planned *pl = run->plan;
	uint64_t first = long_checks(run->cfg);
	size_t i, k, t, a, pi, next[2] = { 0, nlong }; /* long, the rest */

	run->jobs = calloc(njobs ? njobs : 1, sizeof(*run->jobs));
	run->heard = calloc(njobs ? njobs : 1, 1);
	if (run->jobs == NULL || run->heard == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < pl->npairs && njobs > 0; i++) {
		uint64_t claims;

		if (status[i] != STATUS_OPEN && status[i] != STATUS_NO_ANSWER)
			continue;
		pair_locate(pl, run->targets->n, i, &t, &a, &pi);
		claims = pl->of_target[t]->claims[pi];
		for (k = 0; k < run->cfg->nchecks; k++) {
			struct job *j;

			if (!(claims & (1ull << k)))
				continue;
			j = &run->jobs[next[!(first & (1ull << k))]++];
			j->target = (uint32_t)t;
			j->addr = (uint16_t)a;
			j->port = pl->of_target[t]->ports[pi];
			j->check = (uint8_t)k;
		}
	}
	run->njobs = next[1];
	return 0;
}

/* registry indexes, the credential guard, and global_init of each check
 * that has probes, before any thread */
static int checks_init(struct scan_run *run)
{
	const struct scan_config *cfg = run->cfg;
	size_t i, k;

	for (k = 0; k < cfg->nchecks; k++) {
		run->registry_index[k] = CHECK_NONE;
		for (i = 0; i < check_registry_len; i++)
			if (check_registry[i] == cfg->checks[k])
				run->registry_index[k] = (uint8_t)i;
	}
	run->guard = cred_guard_new();
	run->pacer = udp_pacer_new(cfg->rate);
	if (run->guard == NULL || run->pacer == NULL)
		return EXPO_ENOMEM;
	for (k = 0; k < cfg->nchecks; k++) {
		char why[256] = "";

		if (cfg->checks[k]->global_init == NULL)
			continue;
		for (i = 0; i < run->njobs && run->jobs[i].check != k; i++)
			;
		if (i < run->njobs &&
		    cfg->checks[k]->global_init(why, sizeof(why)) < 0)
			run->init_error[k] =
				strdup(why[0] ? why : "initialisation failed");
	}
	return 0;
}

/* the discovery record of a UDP (target, address, port), or NULL */
static struct port_record *udp_pair_record(struct scan_run *run,
					   uint32_t target, uint16_t addr,
					   uint16_t port)
{
	const struct planned *pl = run->plan;
	const struct plan *p;
	size_t pi, pair;

	if (target >= run->targets->n || (p = pl->of_target[target]) == NULL)
		return NULL;
	for (pi = 0; pi < p->n; pi++)
		if (p->ports[pi] == port && p->protos[pi] == PROTO_UDP)
			break;
	if (pi == p->n)
		return NULL;
	pair = pl->pair_start[target] + (size_t)addr * p->n + pi;
	return pair < pl->npairs ? &run->col.records[pair] : NULL;
}

/* A UDP port's own record says what its checks heard: open when any
 * datagram came back (an answer, or even noise: something listens),
 * closed on an ICMP port unreachable, else still "no answer". Check
 * records come after the npairs discovery records, in pair order. */
static void udp_pair_status(struct scan_run *run)
{
	struct port_record *rec;
	size_t i;

	pthread_mutex_lock(&run->col.lock);
	for (i = run->plan->npairs; i < run->col.nrecords; i++) {
		const struct port_record *c = &run->col.records[i];

		spill_pace(i);
		if (c->proto != PROTO_UDP || c->status != STATUS_CLOSED ||
		    (rec = udp_pair_record(run, c->target, c->addr, c->port)) ==
			    NULL)
			continue;
		if (rec->status == STATUS_NO_ANSWER)
			rec->status = STATUS_CLOSED;
	}
	for (i = 0; i < run->njobs; i++) {
		const struct job *j = &run->jobs[i];

		spill_pace(i);
		if (run->heard[i] &&
		    (rec = udp_pair_record(run, j->target, j->addr, j->port)) !=
			    NULL)
			rec->status = STATUS_OPEN;
	}
	pthread_mutex_unlock(&run->col.lock);
}

/* the probes the stop kept from starting */
static void records_not_started(struct scan_run *run)
{
	size_t j = atomic_load(&run->next_job);

	for (; j < run->njobs; j++)
		record_interrupted(run, &run->jobs[j], "not scanned");
}

/* frees the run unless a lane thread was left behind, which still
 * reads it: then the process ends soon (engine.h) and it is kept */
static void scan_run_free(struct scan_run *run)
{
	size_t k;

	if (run->abandoned > 0)
		return;
	pthread_cond_destroy(&run->lane.cond);
	pthread_mutex_destroy(&run->lane.lock);
	free(run->lane.queue);
	cred_guard_free(run->guard);
	host_rate_free(run->host_rate);
	udp_pacer_free(run->pacer);
	for (k = 0; k < MAX_CHECKS; k++)
		free(run->init_error[k]);
	free(run->jobs);
	free(run->heard);
	pthread_mutex_destroy(&run->col.lock);
	free(run);
}

static struct scan_run *scan_run_new(const struct scan_config *cfg,
				     const struct target_list *targets)
{
	struct scan_run *run = calloc(1, sizeof(*run));
	pthread_condattr_t ca;

	if (run == NULL)
		return NULL;
	run->cfg = cfg;
	run->targets = targets;
	if (cfg->host_rate != 0 &&
	    (run->host_rate = host_rate_new(cfg->host_rate)) == NULL) {
		free(run);
		return NULL;
	}
	pthread_mutex_init(&run->col.lock, NULL);
	finding_list_init(&run->col.findings);
	atomic_init(&run->next_job, 0);
	atomic_init(&run->done_jobs, 0);
	atomic_init(&run->workers_alive, 0);
	atomic_init(&run->stop_at, 0);
	pthread_mutex_init(&run->lane.lock, NULL);
	/* lanes_wait() times its waits on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&run->lane.cond, &ca);
	pthread_condattr_destroy(&ca);
	return run;
}

/* discovery, then the checks on what answered */
static int scan_body(struct scan_run *run, struct scan_result *out, char **err)
{
	const struct target_list *targets = run->targets;
	uint8_t *status = NULL;
	int16_t *errs = NULL;
	size_t i, njobs = 0, nlong = 0;
	int r;

	if ((r = planned_build(run->plan, run->cfg, targets, err)) != 0)
		return r;
	for (i = 0; i < targets->n; i++)
		if (targets->v[i].skip_reason == NULL &&
		    targets->v[i].naddrs > 0)
			out->nscanned_targets++;
	if (out->nscanned_targets == 0)
		return EXPO_ENOTFOUND;
	status = malloc(run->plan->npairs ? run->plan->npairs : 1);
	errs = calloc(run->plan->npairs ? run->plan->npairs : 1, sizeof(*errs));
	r = EXPO_ENOMEM;
	if (status == NULL || errs == NULL)
		goto out;
	if ((r = scan_discover(run->cfg, targets, run->plan, run->host_rate,
			       status, errs)) != 0 ||
	    (r = records_from_discovery(run, status, errs, &njobs, &nlong)) !=
		    0 ||
	    (r = jobs_build(run, status, njobs, nlong)) != 0)
		goto out;
	/* 3 bytes a pair, gone before the checks hold their memory */
	free(status);
	free(errs);
	status = NULL;
	errs = NULL;
	if ((r = checks_init(run)) != 0 || (r = run_checks(run)) != 0)
		goto out;
	udp_pair_status(run);
	/* a signal after this point came too late to cut anything short */
	if ((run->interrupted = scan_interrupted()) != 0)
		records_not_started(run);
	rank_findings(&run->col.findings);
out:
	free(status);
	free(errs);
	return r;
}

int scan_run(const struct scan_config *cfg, const struct target_list *targets,
	     struct scan_result *out, char **err)
{
	struct planned pl;
	struct scan_run *run = NULL;
	struct timespec t0, t1;
	int r = 0;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	memset(&pl, 0, sizeof(pl));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	iso8601_now(out->started_at);
	if (cfg->nchecks > MAX_CHECKS) {
		if (asprintf(err, "too many checks enabled (at most %d)",
			     MAX_CHECKS) < 0)
			*err = NULL;
		return EXPO_EINVAL;
	}
	if ((run = scan_run_new(cfg, targets)) == NULL)
		return EXPO_ENOMEM;
	run->plan = &pl;
	r = scan_body(run, out, err);
	planned_release(&pl);
	run->plan = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->duration_s = (double)(t1.tv_sec - t0.tv_sec) +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	out->findings = run->col.findings;
	out->records = run->col.records;
	out->nrecords = run->col.nrecords;
	out->durations_ms = run->col.ms;
	out->records_spill = run->col.records_spill;
	out->reasons = run->col.reasons;
	out->nreasons = run->col.nreasons;
	out->interrupted = r == 0 ? run->interrupted : 0;
	out->abandoned = run->abandoned;
	if (r != 0 && r != EXPO_ENOTFOUND) {
		scan_result_release(out);
		memset(out, 0, sizeof(*out));
	}
	scan_run_free(run);
	return r;
}

void scan_result_release(struct scan_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	finding_list_release(&r->findings);
	port_records_free(r->records, r->durations_ms, r->records_spill);
	r->records_spill = NULL;
	r->durations_ms = NULL;
	for (i = 1; i < r->nreasons; i++)
		free(r->reasons[i]);
	free(r->reasons);
	r->records = NULL;
	r->reasons = NULL;
	r->nrecords = r->nreasons = 0;
}

int scan_target_ports(const struct scan_config *cfg, const struct target *t,
		      void (*fn)(void *ud, uint16_t port, uint64_t claims),
		      void *ud, char **err)
{
	struct target_list one = { .v = (struct target *)t, .n = 1 };
	struct planned pl;
	size_t i;
	int r;

	*err = NULL;
	if ((r = planned_build(&pl, cfg, &one, err)) != 0)
		goto out;
	if (pl.of_target[0] != NULL)
		for (i = 0; i < pl.of_target[0]->n; i++)
			fn(ud, pl.of_target[0]->ports[i],
			   pl.of_target[0]->claims[i]);
out:
	planned_release(&pl);
	return r;
}
