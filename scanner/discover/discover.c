/*
 * discover.c - which (address, port) pairs accept a TCP connection.
 *
 * One thread, one epoll set, non-blocking connects. Every connect gets the
 * same timeout, so a FIFO of in-flight connects kept in connect order is
 * also in deadline order (the idea of ssh-keyscan's tq): the head is always
 * the next to expire, and no heap is needed. In-flight connects live in a
 * fixed table of `concurrency` slots; the FIFO and the free list are linked
 * through slot indices, and epoll carries the slot index. Pairs come from
 * the caller's callback one at a time, so the state here does not grow with
 * the number of pairs.
 *
 * Outcomes: connected => STATUS_OPEN, refused (RST) => STATUS_CLOSED, no
 * answer before the deadline => STATUS_FILTERED, anything else (ICMP
 * unreachable, EACCES, EADDRNOTAVAIL, ...) => STATUS_ERROR with the errno.
 * Running out of descriptors, buffers or local ports is not an outcome: the
 * in-flight cap shrinks and the pair is tried again later.
 *
 * Both cores: on loopback and other near networks a connect's cost is the
 * kernel's work inside connect() (the SYN and its RST are handled before
 * the call returns), so one thread keeps one core busy. A large run is cut
 * into one contiguous range of pairs per online CPU (DISC_THREADS_MAX at
 * most), each driven by its own loop as above with its share of the
 * in-flight cap and of the rate; nothing but the progress counters is
 * shared, and each pair's status is written by the one thread that owns it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "expo.h"
#include "finding.h"
#include "discover.h"
#include "lib/hostrate.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define FD_RESERVE 64  /* descriptors left for the rest */
#define NIL UINT32_MAX /* end of a slot list */
#define MAX_EVENTS 256
#define LAUNCH_BATCH 512 /* connects between two epoll_waits */
#define CLOCK_EVERY 32	 /* connects between two clock reads */
#define PROGRESS_NS (NSEC_PER_SEC / 4)
#define RETRY_NS (10 * NSEC_PER_MSEC) /* wait after a resource error */
#define STALL_MAX 200		      /* retries with nothing in flight */
#define GROW_EVERY 16 /* completions per cap + 1 after a shrink */
#define DISC_THREADS_MAX 4
/* below this many pairs per thread a second thread costs more than it saves */
#define PAIRS_PER_THREAD_MIN 4096

/* what the threads of one run share: the counts the progress line sums */
struct disc_shared {
	unsigned nthreads;
	atomic_size_t done[DISC_THREADS_MAX];
	atomic_size_t nopen[DISC_THREADS_MAX];
};
#define PARKED_MAX 65536 /* --host-rate: pairs waiting for their slot */

struct slot {
	int fd;
	uint32_t prev, next; /* FIFO neighbours, or next free slot */
	size_t pair;
	uint64_t deadline; /* CLOCK_MONOTONIC ns */
};

/* a pair that holds a --host-rate slot in the future */
struct parked {
	uint64_t at; /* CLOCK_MONOTONIC ns */
	size_t pair;
};

struct disc {
	const struct discover_opts *opts;
	discover_pair_fn pair_fn;
	void *ud;
	uint8_t *status;
	int16_t *err;
	size_t first; /* this thread's pairs are [first, npairs) */
	size_t npairs;
	size_t next; /* next pair to connect */
	size_t done; /* pairs with a final status */
	size_t nopen;
	struct slot *slots;
	uint32_t nslots;
	uint32_t free_head;
	uint32_t head, tail; /* in-flight FIFO, oldest first */
	uint32_t inflight;
	uint32_t cap; /* current in-flight cap, <= nslots */
	unsigned grow;
	unsigned stall;
	int ep;
	int spare; /* a refused socket ready to connect again */
	int spare_family;
	bool no_reuse;
	uint64_t now;
	uint64_t retry_at; /* no connect before this after a resource error */
	uint64_t credit;   /* token bucket, in 1e-9 tokens */
	uint64_t credit_max;
	uint64_t last_refill;
	uint64_t start;
	uint64_t next_progress;
	size_t total; /* pairs of the whole run, for the progress line */
	struct disc_shared *shared;
	unsigned self;	       /* index of this thread in shared */
	int ret;	       /* the thread's outcome */
	struct parked *parked; /* --host-rate: a min-heap on at */
	size_t nparked;
};

/* ---- --host-rate: the parked pairs, a binary min-heap ---- */

static void park_push(struct disc *d, uint64_t at, size_t pair)
{
	size_t i = d->nparked++, up;

	while (i > 0 && d->parked[up = (i - 1) / 2].at > at) {
		d->parked[i] = d->parked[up];
		i = up;
	}
	d->parked[i].at = at;
	d->parked[i].pair = pair;
}

static void park_pop(struct disc *d)
{
	struct parked last = d->parked[--d->nparked];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < d->nparked) {
		if (c + 1 < d->nparked && d->parked[c + 1].at < d->parked[c].at)
			c++;
		if (d->parked[c].at >= last.at)
			break;
		d->parked[i] = d->parked[c];
		i = c;
	}
	if (d->nparked > 0)
		d->parked[i] = last;
}

/* a parked pair whose slot has come */
static bool park_due(const struct disc *d)
{
	return d->nparked > 0 && d->parked[0].at <= d->now;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * Raises the soft descriptor limit toward the hard one so that `want`
 * sockets plus FD_RESERVE fit; returns how many sockets do fit (>= 1).
 */
static uint32_t fit_nofile(uint32_t want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + FD_RESERVE;
	uint32_t fit = want;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		goto out;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = need;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
			rl.rlim_cur = rl.rlim_max;
		/* on failure, fit what the unchanged limit allows */
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			goto out;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		fit = rl.rlim_cur > FD_RESERVE + 1
			      ? (uint32_t)(rl.rlim_cur - FD_RESERVE)
			      : 1;
out:
	return fit;
}

/* errno of a finished connect -> status */
static enum probe_status classify(int e)
{
	enum probe_status st = STATUS_ERROR;

	switch (e) {
	case 0:
	case EISCONN:
	case ECONNRESET: /* only after the handshake: it was open */
	case EPIPE:
		st = STATUS_OPEN;
		break;
	case ECONNREFUSED: /* RST to our SYN */
		st = STATUS_CLOSED;
		break;
	case ETIMEDOUT: /* the kernel gave up on its SYN retries */
		st = STATUS_FILTERED;
		break;
	}
	return st;
}

/*
 * Out of descriptors or buffers (or, for connect(), EAGAIN): wait, do not
 * report. Linux reports exhausted local ports as EADDRNOTAVAIL, which is
 * also a real answer (no usable source address), so that one is reported.
 */
static bool is_resource_err(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM ||
	       e == EAGAIN;
}

static void set_result(struct disc *d, size_t i, enum probe_status st, int e)
{
	d->status[i] = (uint8_t)st;
	if (d->err)
		d->err[i] = st == STATUS_ERROR ? (int16_t)e : 0;
	if (st == STATUS_OPEN)
		d->nopen++;
	d->done++;
}

/*
 * Closes a finished socket. An open port gets SO_LINGER {1, 0} so close()
 * sends RST and leaves no TIME_WAIT: a large scan would otherwise pin a
 * local port per open pair for 60 s and run out of ephemeral ports. Sockets
 * that were refused or never answered have no TIME_WAIT to avoid.
 */
static void close_sock(int fd, enum probe_status st)
{
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };

	if (st == STATUS_OPEN)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(fd);
}

static void slot_unlink(struct disc *d, uint32_t s)
{
	struct slot *sl = &d->slots[s];

	if (sl->prev != NIL)
		d->slots[sl->prev].next = sl->next;
	else
		d->head = sl->next;
	if (sl->next != NIL)
		d->slots[sl->next].prev = sl->prev;
	else
		d->tail = sl->prev;
	sl->fd = -1;
	sl->next = d->free_head;
	d->free_head = s;
	d->inflight--;
	/* after a shrink, win the cap back slowly */
	if (d->cap < d->nslots && ++d->grow >= GROW_EVERY) {
		d->grow = 0;
		d->cap++;
	}
}

static void slot_finish(struct disc *d, uint32_t s, enum probe_status st, int e)
{
	close_sock(d->slots[s].fd, st);
	set_result(d, d->slots[s].pair, st, e);
	slot_unlink(d, s);
}

/* appends a pending connect at the FIFO tail; 0 or EXPO_ESYS */
static int slot_add(struct disc *d, int fd, size_t pair)
{
	uint32_t s = d->free_head;
	struct slot *sl = &d->slots[s];
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = s };
	int ret = EXPO_ESYS;

	/* EPOLLERR and EPOLLHUP are always reported: refusals wake us too */
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		goto out;
	d->free_head = sl->next;
	sl->fd = fd;
	sl->pair = pair;
	sl->deadline = d->now + (uint64_t)d->opts->timeout_ms * NSEC_PER_MSEC;
	sl->next = NIL;
	sl->prev = d->tail;
	if (d->tail != NIL)
		d->slots[d->tail].next = s;
	else
		d->head = s;
	d->tail = s;
	d->inflight++;
	ret = EXPO_OK;
out:
	return ret;
}

/* token bucket: credit counts tokens in units of 1/1e9 token */
static void refill(struct disc *d)
{
	uint64_t el = d->now - d->last_refill;

	d->last_refill = d->now;
	if (el >= NSEC_PER_SEC)
		d->credit = d->credit_max;
	else
		d->credit += el * d->opts->rate;
	if (d->credit > d->credit_max)
		d->credit = d->credit_max;
}

static bool have_token(struct disc *d)
{
	if (!d->opts->rate)
		return true;
	refill(d);
	return d->credit >= NSEC_PER_SEC;
}

static void take_token(struct disc *d)
{
	if (d->opts->rate)
		d->credit -= NSEC_PER_SEC;
}

/*
 * A resource error: the pair stays next in line. With connects in flight,
 * the cap drops to their number and completions make room; with none, wait
 * RETRY_NS, and after STALL_MAX such waits report the pair as an error so
 * that a process that holds every descriptor cannot hang the scan.
 */
static bool backoff(struct disc *d, size_t pair, int e)
{
	d->cap = d->inflight ? d->inflight : 1;
	d->grow = 0;
	if (d->inflight)
		return false;
	d->retry_at = d->now + RETRY_NS;
	if (++d->stall > STALL_MAX) {
		d->stall = 0;
		take_token(d);
		set_result(d, pair, STATUS_ERROR, e);
		return true;
	}
	return false;
}

/*
 * A socket whose connect() call itself returned ECONNREFUSED has been reset
 * by the kernel (tcp_disconnect(), back to unconnected) and can connect
 * again: keeping one spare saves a socket() and a close(), a third of the
 * cost of a refused loopback pair. A socket refused after epoll reported it
 * is never reused: its state is not reset.
 */
static int get_sock(struct disc *d, int family, bool *reused)
{
	int fd;

	*reused = d->spare >= 0 && d->spare_family == family;
	if (*reused) {
		fd = d->spare;
		d->spare = -1;
	} else {
		fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_TCP);
	}
	return fd;
}

static void put_sock(struct disc *d, int fd, int family, int e)
{
	if (e == ECONNREFUSED && d->spare < 0 && !d->no_reuse) {
		d->spare = fd;
		d->spare_family = family;
	} else {
		close_sock(fd, classify(e));
	}
}

/*
 * Starts the connect of pair. Returns 1 when the pair was started or
 * settled, 0 when it must wait (resource error), EXPO_ESYS if epoll failed.
 */
static int launch(struct disc *d, size_t pair)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	int fd = -1, r, e = 0, ret = 1;
	bool reused;

	memset(&ss, 0, sizeof(ss));
	if (!d->pair_fn(d->ud, pair, &ss, &len)) {
		d->done++; /* no connect: the caller's status stands */
		return 1;
	}
again:
	fd = get_sock(d, ss.ss_family, &reused);
	if (fd < 0) {
		e = errno;
		goto failed;
	}
	r = connect(fd, sa, len);
	if (r != 0 && reused &&
	    (errno == EISCONN || errno == EALREADY || errno == EINVAL)) {
		/* the kernel did not reset it after all: stop reusing */
		d->no_reuse = true;
		close(fd);
		goto again;
	}
	if (r != 0 && errno == EINPROGRESS) {
		/*
		 * On loopback and other local routes the answer is usually
		 * processed before connect() returns. A second connect() then
		 * reports the outcome in one syscall (0 once connected, the
		 * error once refused, EALREADY while pending) and saves
		 * epoll_ctl + epoll_wait + getsockopt for most such pairs.
		 */
		r = connect(fd, sa, len);
		if (r != 0 && (errno == EALREADY || errno == EINPROGRESS)) {
			take_token(d);
			d->stall = 0;
			if (slot_add(d, fd, pair) != 0) {
				ret = EXPO_ESYS;
				goto out;
			}
			fd = -1;
			goto out;
		}
	}
	e = r == 0 ? 0 : errno;
	if (r != 0 && is_resource_err(e))
		goto failed;
	take_token(d);
	d->stall = 0;
	put_sock(d, fd, ss.ss_family, e);
	fd = -1;
	set_result(d, pair, classify(e), e);
	goto out;
failed:
	if (is_resource_err(e)) {
		ret = backoff(d, pair, e) ? 1 : 0;
	} else {
		take_token(d);
		set_result(d, pair, STATUS_ERROR, e);
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* starts up to LAUNCH_BATCH connects as the cap and the rate allow */
static int launch_some(struct disc *d)
{
	unsigned n;
	int r = 0;

	if (d->now < d->retry_at)
		goto out;
	for (n = 0; n < LAUNCH_BATCH; n++) {
		bool parked = park_due(d);
		size_t pair = d->next;

		if ((!parked && d->next >= d->npairs) || d->inflight >= d->cap)
			break;
		if (n && n % CLOCK_EVERY == 0)
			d->now = now_ns();
		if (!have_token(d))
			break;
		if (parked) {
			pair = d->parked[0].pair;
		} else if (d->opts->host_rate != NULL) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			uint64_t at;

			/* the slot of this pair's address; a later one
			 * parks the pair and the next pair goes on */
			if (d->nparked >= PARKED_MAX)
				break;
			memset(&ss, 0, sizeof(ss));
			if (!d->pair_fn(d->ud, pair, &ss, &len)) {
				d->done++;
				d->next++;
				continue;
			}
			at = host_rate_take(d->opts->host_rate,
					    (const struct sockaddr *)&ss,
					    d->now);
			if (at > d->now) {
				park_push(d, at, pair);
				d->next++;
				continue;
			}
		}
		r = launch(d, pair);
		if (r <= 0)
			break;
		if (parked)
			park_pop(d);
		else
			d->next++;
	}
	if (r > 0)
		r = 0;
out:
	return r;
}

static void expire(struct disc *d)
{
	while (d->head != NIL && d->slots[d->head].deadline <= d->now)
		slot_finish(d, d->head, STATUS_FILTERED, 0);
}

static void complete(struct disc *d, uint32_t s)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (s >= d->nslots || d->slots[s].fd < 0)
		goto out;
	/* the one read of the outcome; it also clears it */
	if (getsockopt(d->slots[s].fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		e = errno;
	slot_finish(d, s, classify(e), e);
out:
	return;
}

/* ms until something can happen: a deadline, a token, a retry */
static int wait_ms(struct disc *d)
{
	uint64_t t = UINT64_MAX, need;
	bool can_launch = (park_due(d) ||
			   (d->next < d->npairs && d->nparked < PARKED_MAX)) &&
			  d->inflight < d->cap;
	int ms = 0;

	if (can_launch && d->now >= d->retry_at && have_token(d))
		goto out;
	if (d->head != NIL)
		t = d->slots[d->head].deadline > d->now
			    ? d->slots[d->head].deadline - d->now
			    : 0;
	if (d->nparked > 0) {
		need = d->parked[0].at > d->now ? d->parked[0].at - d->now : 0;
		if (need < t)
			t = need;
	}
	if (can_launch && d->retry_at > d->now && d->retry_at - d->now < t)
		t = d->retry_at - d->now;
	if (can_launch && d->opts->rate && d->credit < NSEC_PER_SEC) {
		need = (NSEC_PER_SEC - d->credit + d->opts->rate - 1) /
		       d->opts->rate;
		if (need < t)
			t = need;
	}
	/* round up: waking early would only spin; never block for good */
	t = t == UINT64_MAX ? 1000 : (t + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	ms = t > 60000 ? 60000 : (int)t;
out:
	return ms;
}

static void progress_line(const struct disc *d, size_t done, size_t nopen,
			  bool last)
{
	double secs = (double)(d->now - d->start) / 1e9;

	fprintf(stderr, "\rdiscover: %zu/%zu pairs, %zu open, %.0f/s   %s",
		done, d->total, nopen, secs > 0 ? (double)done / secs : 0.0,
		last ? "\n" : "");
}

/* every thread publishes its counts; the first one prints their sum */
static void progress(struct disc *d)
{
	struct disc_shared *sh = d->shared;
	size_t done = 0, nopen = 0;
	unsigned t;

	if (!d->opts->progress || d->now < d->next_progress)
		return;
	d->next_progress = d->now + PROGRESS_NS;
	atomic_store_explicit(&sh->done[d->self], d->done,
			      memory_order_relaxed);
	atomic_store_explicit(&sh->nopen[d->self], d->nopen,
			      memory_order_relaxed);
	if (d->self != 0)
		return;
	for (t = 0; t < sh->nthreads; t++) {
		done += atomic_load_explicit(&sh->done[t],
					     memory_order_relaxed);
		nopen += atomic_load_explicit(&sh->nopen[t],
					      memory_order_relaxed);
	}
	progress_line(d, done, nopen, false);
}

/* one thread's loop over its range [d->first, d->npairs); sets d->ret */
static void disc_loop(struct disc *d)
{
	struct epoll_event evs[MAX_EVENTS];
	const struct discover_opts *opts = d->opts;
	uint32_t i, burst;
	int n, k, timeout, ret = EXPO_ENOMEM;

	d->slots = calloc(d->nslots, sizeof(*d->slots));
	if (!d->slots)
		goto out;
	if (opts->host_rate != NULL) {
		d->parked = calloc(PARKED_MAX, sizeof(*d->parked));
		if (!d->parked)
			goto out;
	}
	for (i = 0; i < d->nslots; i++) {
		d->slots[i].fd = -1;
		d->slots[i].next = i + 1 < d->nslots ? i + 1 : NIL;
	}
	d->free_head = 0;
	ret = EXPO_ESYS;
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	if (d->ep < 0)
		goto out;
	d->start = d->last_refill = d->now = now_ns();
	/* a burst of 10 ms worth of tokens keeps the rate smooth */
	burst = opts->rate / 100 ? opts->rate / 100 : 1;
	d->credit = d->credit_max = (uint64_t)burst * NSEC_PER_SEC;
	if (opts->stopped != NULL && opts->wake_fd >= 0) {
		/* edge-triggered: each signal wakes the loop once (every
		 * thread's epoll set gets its own edge); the slot index NIL
		 * is no slot, complete() ignores it */
		struct epoll_event wev = { .events = EPOLLIN | EPOLLET,
					   .data.u32 = NIL };

		if (epoll_ctl(d->ep, EPOLL_CTL_ADD, opts->wake_fd, &wev) != 0)
			goto out;
	}

	for (;;) {
		if (opts->stopped != NULL && opts->stopped())
			break; /* unfinished pairs keep the caller's status */
		d->now = now_ns();
		expire(d);
		if (launch_some(d) != 0)
			goto out;
		progress(d);
		if (d->done >= d->npairs - d->first)
			break;
		timeout = wait_ms(d);
		if (timeout == 0 && !d->inflight)
			continue;
		n = epoll_wait(d->ep, evs, MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		for (k = 0; k < n; k++)
			complete(d, evs[k].data.u32);
	}
	d->now = now_ns();
	ret = EXPO_OK;
out:
	if (d->slots) {
		for (i = 0; i < d->nslots; i++)
			if (d->slots[i].fd >= 0)
				close(d->slots[i].fd);
	}
	free(d->slots);
	d->slots = NULL;
	free(d->parked);
	d->parked = NULL;
	if (d->ep >= 0)
		close(d->ep);
	d->ep = -1;
	if (d->spare >= 0)
		close(d->spare);
	d->spare = -1;
	d->ret = ret;
}

static void *disc_thread(void *arg)
{
	disc_loop(arg);
	return NULL;
}

/* threads for a run: one per online CPU, as far as the pairs, the
 * in-flight cap and the rate each leave every thread a useful share */
static unsigned disc_threads(const struct discover_opts *opts, size_t npairs,
			     uint32_t nslots)
{
	cpu_set_t cpus;
	unsigned n = 1;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		n = (unsigned)CPU_COUNT(&cpus);
	if (n > DISC_THREADS_MAX)
		n = DISC_THREADS_MAX;
	while (n > 1 && (npairs / n < PAIRS_PER_THREAD_MIN || nslots / n < 1 ||
			 (opts->rate && opts->rate / n < 100)))
		n--;
	return n ? n : 1;
}

int discover_run(const struct discover_opts *opts, size_t npairs,
		 discover_pair_fn pair, void *ud, uint8_t *status, int16_t *err)
{
	struct discover_opts topts[DISC_THREADS_MAX];
	struct disc d[DISC_THREADS_MAX];
	pthread_t th[DISC_THREADS_MAX];
	bool started[DISC_THREADS_MAX] = { false };
	struct disc_shared sh;
	size_t done = 0, nopen = 0;
	uint32_t nslots;
	unsigned t, nt;
	int ret = EXPO_EINVAL;

	if (!opts || !pair || !opts->concurrency || !opts->timeout_ms ||
	    (npairs && !status))
		goto out;
	ret = EXPO_OK;
	if (!npairs)
		goto out;
	nslots = opts->concurrency;
	if (nslots > npairs)
		nslots = (uint32_t)npairs;
	if (nslots > 1u << 24)
		nslots = 1u << 24;
	nslots = fit_nofile(nslots);
	nt = disc_threads(opts, npairs, nslots);
	memset(&sh, 0, sizeof(sh));
	sh.nthreads = nt;
	for (t = 0; t < nt; t++) {
		atomic_init(&sh.done[t], 0);
		atomic_init(&sh.nopen[t], 0);
		topts[t] = *opts;
		/* the cap and the rate are the run's: each thread a share */
		topts[t].concurrency = nslots / nt + (t < nslots % nt);
		if (opts->rate)
			topts[t].rate = opts->rate / nt + (t < opts->rate % nt);
		memset(&d[t], 0, sizeof(d[t]));
		d[t].opts = &topts[t];
		d[t].pair_fn = pair;
		d[t].ud = ud;
		d[t].status = status;
		d[t].err = err;
		d[t].first = npairs / nt * t;
		d[t].npairs = t + 1 < nt ? npairs / nt * (t + 1) : npairs;
		d[t].next = d[t].first;
		d[t].total = npairs;
		d[t].nslots = topts[t].concurrency;
		d[t].cap = d[t].nslots;
		d[t].head = d[t].tail = NIL;
		d[t].ep = -1;
		d[t].spare = -1;
		d[t].shared = &sh;
		d[t].self = t;
	}
	/* the first range runs here; a thread that cannot start leaves its
	 * range to this one, after its own */
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, disc_thread, &d[t]) ==
			     0;
	disc_loop(&d[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			disc_loop(&d[t]);
	}
	for (t = 0; t < nt; t++) {
		if (d[t].ret != EXPO_OK && ret == EXPO_OK)
			ret = d[t].ret;
		done += d[t].done;
		nopen += d[t].nopen;
	}
	if (opts->progress) {
		d[0].now = now_ns();
		progress_line(&d[0], done, nopen, true);
	}
out:
	return ret;
}
