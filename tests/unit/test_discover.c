/*
 * test_discover.c - discover_run() against loopback only.
 *
 * Open and closed ports are real sockets on 127.0.0.1 (and ::1). Filtered
 * and unreachable ports need a firewall: those tests move their own process
 * (criterion forks one per test) into a fresh network namespace with
 * unshare(CLONE_NEWNET), bring lo up there and add nftables rules, so no
 * packet ever leaves that namespace and the host's rules are untouched.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "expo.h"
#include "finding.h"
#include "discover/discover.h"
#include "lib/hostrate.h"

#define MAX_PAIRS 1024

struct pairs {
	struct sockaddr_storage sa[MAX_PAIRS];
	socklen_t len[MAX_PAIRS];
	size_t n;
};

static bool pair_cb(void *ud, size_t i, struct sockaddr_storage *sa,
		    socklen_t *salen)
{
	struct pairs *p = ud;

	memcpy(sa, &p->sa[i], sizeof(*sa));
	*salen = p->len[i];
	return true;
}

static void add4(struct pairs *p, const char *addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->sa[p->n];

	cr_assert_lt(p->n, MAX_PAIRS);
	memset(sin, 0, sizeof(p->sa[0]));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	p->len[p->n++] = sizeof(*sin);
}

static void add6(struct pairs *p, const char *addr, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p->sa[p->n];

	cr_assert_lt(p->n, MAX_PAIRS);
	memset(sin6, 0, sizeof(p->sa[0]));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	p->len[p->n++] = sizeof(*sin6);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * A TCP socket bound to an ephemeral port of `addr`; listening (open) or
 * not (a bound, non-listening port answers RST: closed, and stays ours so
 * that nothing else can take it during the test). Returns the fd; *port
 * gets the port. -1 if the family is unavailable.
 */
static int tcp_port(int family, const char *addr, int listening, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		cr_assert_eq(inet_pton(AF_INET, addr,
				       &((struct sockaddr_in *)&ss)->sin_addr),
			     1);
	else
		cr_assert_eq(
			inet_pton(AF_INET6, addr,
				  &((struct sockaddr_in6 *)&ss)->sin6_addr),
			1);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss,
		 family == AF_INET ? sizeof(struct sockaddr_in)
				   : sizeof(struct sockaddr_in6)) != 0 ||
	    (listening && listen(fd, 4096) != 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET
			      ? ((struct sockaddr_in *)&ss)->sin_port
			      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int run(struct pairs *p, unsigned conc, unsigned rate,
	       unsigned timeout_ms, uint8_t *st, int16_t *err)
{
	struct discover_opts o = {
		.concurrency = conc,
		.rate = rate,
		.timeout_ms = timeout_ms,
	};

	memset(st, 0xff, p->n);
	return discover_run(&o, p->n, pair_cb, p, st, err);
}

/*
 * Moves this test process into a new network namespace with lo up.
 * Skips the test when that is impossible (not root, no nft).
 */
static void enter_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root for a network namespace");
	if (system("command -v nft >/dev/null 2>&1") != 0)
		cr_skip_test("nft (nftables) is not installed");
	if (unshare(CLONE_NEWNET) != 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0, "lo up: %s",
		     strerror(errno));
	close(fd);
}

/* in the test's own namespace: an input chain holding `rules` */
static void nft_rules(const char *rules)
{
	char cmd[1024];
	int n;

	n = snprintf(cmd, sizeof(cmd),
		     "nft 'add table inet expo_test; "
		     "add chain inet expo_test in { type filter hook input "
		     "priority 0; policy accept; }; %s'",
		     rules);
	cr_assert(n > 0 && (size_t)n < sizeof(cmd));
	cr_assert_eq(system(cmd), 0, "nft failed: %s", cmd);
}

/* drop SYNs to `drop`, answer SYNs to `reject` with ICMP host-unreachable */
static void firewall(uint16_t drop, uint16_t reject)
{
	char rules[256];

	snprintf(rules, sizeof(rules),
		 "add rule inet expo_test in tcp dport %u drop; "
		 "add rule inet expo_test in tcp dport %u reject with "
		 "icmpx type host-unreachable",
		 (unsigned)drop, (unsigned)reject);
	nft_rules(rules);
}

TestSuite(discover, .timeout = 30);

Test(discover, open_listener)
{
	struct pairs p = { .n = 0 };
	uint8_t st[1];
	int16_t err[1];
	uint16_t port;
	int l = tcp_port(AF_INET, "127.0.0.1", 1, &port);

	cr_assert_geq(l, 0);
	add4(&p, "127.0.0.1", port);
	cr_assert_eq(run(&p, 10, 0, 1000, st, err), 0);
	cr_assert_eq(st[0], STATUS_OPEN);
	cr_assert_eq(err[0], 0);
	close(l);
}

/* every third pair has nothing to connect to (a UDP port): the run
 * still ends, and those pairs keep the status the caller put there */
static bool every_third_skipped(void *ud, size_t i, struct sockaddr_storage *sa,
				socklen_t *salen)
{
	return i % 3 != 2 && pair_cb(ud, i, sa, salen);
}

Test(discover, skipped_pairs_keep_their_status)
{
	struct pairs p = { .n = 0 };
	struct discover_opts o = { .concurrency = 4, .timeout_ms = 1000 };
	uint8_t st[30];
	int16_t err[30];
	uint16_t port;
	int l = tcp_port(AF_INET, "127.0.0.1", 1, &port), k;
	size_t i;

	cr_assert_geq(l, 0);
	for (i = 0; i < 30; i++)
		add4(&p, "127.0.0.1", port);
	/* plain, then through --host-rate's path, which asks for the
	 * address before the connect: a skipped pair takes no slot */
	for (k = 0; k < 2; k++) {
		o.host_rate = k ? host_rate_new(1000) : NULL;
		cr_assert(k == 0 || o.host_rate != NULL);
		memset(st, STATUS_NO_ANSWER, sizeof(st));
		cr_assert_eq(
			discover_run(&o, p.n, every_third_skipped, &p, st, err),
			0);
		for (i = 0; i < 30; i++)
			cr_assert_eq(st[i],
				     i % 3 == 2 ? STATUS_NO_ANSWER
						: STATUS_OPEN,
				     "pair %zu (host rate %d)", i, k);
		host_rate_free(o.host_rate);
	}
	close(l);
}

Test(discover, closed_unused_port)
{
	struct pairs p = { .n = 0 };
	uint8_t st[1];
	int16_t err[1];
	uint16_t port;
	int b = tcp_port(AF_INET, "127.0.0.1", 0, &port);

	cr_assert_geq(b, 0);
	add4(&p, "127.0.0.1", port);
	cr_assert_eq(run(&p, 10, 0, 1000, st, err), 0);
	cr_assert_eq(st[0], STATUS_CLOSED);
	cr_assert_eq(err[0], 0);
	close(b);
}

Test(discover, ipv6_loopback)
{
	struct pairs p = { .n = 0 };
	uint8_t st[4];
	uint16_t po, pc;
	int l = tcp_port(AF_INET6, "::1", 1, &po);
	int b = tcp_port(AF_INET6, "::1", 0, &pc);

	if (l < 0 || b < 0)
		cr_skip_test("no IPv6 loopback here");
	/* alternate families: a spare IPv4 socket must not serve ::1 */
	add6(&p, "::1", pc);
	add4(&p, "127.0.0.1", pc);
	add6(&p, "::1", po);
	add6(&p, "::1", pc);
	cr_assert_eq(run(&p, 1, 0, 1000, st, NULL), 0);
	cr_assert_eq(st[0], STATUS_CLOSED);
	cr_assert_eq(st[2], STATUS_OPEN);
	cr_assert_eq(st[3], STATUS_CLOSED);
	close(l);
	close(b);
}

Test(discover, filtered_in_netns)
{
	struct pairs p = { .n = 0 };
	uint8_t st[1];
	int16_t err[1];
	double t0, el;

	enter_netns();
	firewall(40001, 40002);
	add4(&p, "127.0.0.1", 40001);
	t0 = now_ms();
	cr_assert_eq(run(&p, 10, 0, 300, st, err), 0);
	el = now_ms() - t0;
	cr_assert_eq(st[0], STATUS_FILTERED);
	cr_assert_eq(err[0], 0);
	cr_assert_geq(el, 295.0, "ended after %.0f ms", el);
	cr_assert_leq(el, 500.0, "ended after %.0f ms", el);
}

/* many filtered pairs in flight at once all end within timeout + 200 ms */
Test(discover, timeout_bounds)
{
	struct pairs p = { .n = 0 };
	uint8_t st[200];
	double t0, el;
	size_t i;
	char a[32];

	enter_netns();
	firewall(40001, 40002);
	for (i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "127.0.%zu.%zu", i / 250, 1 + i % 250);
		add4(&p, a, 40001);
	}
	t0 = now_ms();
	cr_assert_eq(run(&p, 1000, 0, 500, st, NULL), 0);
	el = now_ms() - t0;
	for (i = 0; i < p.n; i++)
		cr_assert_eq(st[i], STATUS_FILTERED, "pair %zu", i);
	cr_assert_geq(el, 495.0, "ended after %.0f ms", el);
	cr_assert_leq(el, 700.0, "ended after %.0f ms", el);
}

Test(discover, concurrency_one_many_pairs)
{
	struct pairs p = { .n = 0 };
	uint8_t st[600];
	int16_t err[600];
	uint16_t po, pc;
	int l = tcp_port(AF_INET, "127.0.0.1", 1, &po);
	int b = tcp_port(AF_INET, "127.0.0.1", 0, &pc);
	size_t i;

	cr_assert(l >= 0 && b >= 0);
	for (i = 0; i < 600; i++)
		add4(&p, "127.0.0.1", i % 3 == 0 ? po : pc);
	cr_assert_eq(run(&p, 1, 0, 1000, st, err), 0);
	for (i = 0; i < p.n; i++) {
		cr_assert_eq(st[i], i % 3 == 0 ? STATUS_OPEN : STATUS_CLOSED,
			     "pair %zu: %u", i, st[i]);
		cr_assert_eq(err[i], 0);
	}
	close(l);
	close(b);
}

/* concurrency 1 really serialises: 4 filtered pairs take 4 timeouts */
Test(discover, concurrency_one_serialises)
{
	struct pairs p = { .n = 0 };
	uint8_t st[4];
	double t0, el;
	size_t i;

	enter_netns();
	firewall(40001, 40002);
	for (i = 0; i < 4; i++)
		add4(&p, "127.0.0.1", 40001);
	t0 = now_ms();
	cr_assert_eq(run(&p, 1, 0, 100, st, NULL), 0);
	el = now_ms() - t0;
	cr_assert_geq(el, 395.0, "concurrency 1: %.0f ms", el);
	t0 = now_ms();
	cr_assert_eq(run(&p, 4, 0, 100, st, NULL), 0);
	el = now_ms() - t0;
	cr_assert_leq(el, 300.0, "concurrency 4: %.0f ms", el);
	for (i = 0; i < 4; i++)
		cr_assert_eq(st[i], STATUS_FILTERED);
}

/* rate 50/s: 100 connects need 99 tokens beyond the first: >= 1.98 s */
Test(discover, rate_limit)
{
	struct pairs p = { .n = 0 };
	uint8_t st[100];
	uint16_t pc;
	int b = tcp_port(AF_INET, "127.0.0.1", 0, &pc);
	double t0, el;
	size_t i;

	cr_assert_geq(b, 0);
	for (i = 0; i < 100; i++)
		add4(&p, "127.0.0.1", pc);
	t0 = now_ms();
	cr_assert_eq(run(&p, 100, 50, 1000, st, NULL), 0);
	el = now_ms() - t0;
	for (i = 0; i < 100; i++)
		cr_assert_eq(st[i], STATUS_CLOSED);
	cr_assert_geq(el, 1900.0, "rate 50 took %.0f ms", el);
	cr_assert_leq(el, 2600.0, "rate 50 took %.0f ms", el);
	close(b);
}

Test(discover, mixed_results)
{
	struct pairs p = { .n = 0 };
	uint8_t st[8];
	int16_t err[8];
	uint16_t po, pc, po6 = 0, pc6 = 0;
	int l, b, l6, b6;
	double t0, el;

	enter_netns();
	firewall(40001, 40002);
	l = tcp_port(AF_INET, "127.0.0.1", 1, &po);
	b = tcp_port(AF_INET, "127.0.0.1", 0, &pc);
	l6 = tcp_port(AF_INET6, "::1", 1, &po6);
	b6 = tcp_port(AF_INET6, "::1", 0, &pc6);
	cr_assert(l >= 0 && b >= 0);
	add4(&p, "127.0.0.1", po);
	add4(&p, "127.0.0.1", pc);
	add4(&p, "127.0.0.1", 40001);
	/*
	 * The ICMP for the first SYN arrives while connect() holds the
	 * socket, so Linux keeps it as a soft error; the retransmitted SYN
	 * (after ~1 s) gets the hard EHOSTUNREACH. Hence the 1.5 s timeout.
	 */
	add4(&p, "127.0.0.1", 40002);
	add4(&p, "127.0.0.2", po == 65535 ? po - 1 : po + 1);
	add4(&p, "127.0.0.1", po);
	if (l6 >= 0 && b6 >= 0) {
		add6(&p, "::1", po6);
		add6(&p, "::1", pc6);
	}
	t0 = now_ms();
	cr_assert_eq(run(&p, 64, 0, 1500, st, err), 0);
	el = now_ms() - t0;
	cr_assert_eq(st[0], STATUS_OPEN);
	cr_assert_eq(st[1], STATUS_CLOSED);
	cr_assert_eq(st[2], STATUS_FILTERED);
	cr_assert_eq(st[3], STATUS_ERROR, "status %u err %d", st[3], err[3]);
	cr_assert_eq(err[3], EHOSTUNREACH, "err %d", err[3]);
	cr_assert_eq(st[4], STATUS_CLOSED);
	cr_assert_eq(st[5], STATUS_OPEN);
	if (p.n == 8) {
		cr_assert_eq(st[6], STATUS_OPEN);
		cr_assert_eq(st[7], STATUS_CLOSED);
	}
	cr_assert_leq(el, 1700.0, "took %.0f ms", el);
	close(l);
	close(b);
	if (l6 >= 0)
		close(l6);
	if (b6 >= 0)
		close(b6);
}

/*
 * Answers that come after connect() returned go through epoll: drop only
 * the first SYN to each port (a byte quota per rule), so the retransmitted
 * SYN, ~1 s later, meets the listener (open) or the RST (closed).
 */
Test(discover, late_answers_via_epoll)
{
	struct pairs p = { .n = 0 };
	uint8_t st[2];
	int16_t err[2];
	uint16_t po, pc;
	int l, b;
	char rules[256];
	double t0, el;

	enter_netns();
	l = tcp_port(AF_INET, "127.0.0.1", 1, &po);
	b = tcp_port(AF_INET, "127.0.0.1", 0, &pc);
	cr_assert(l >= 0 && b >= 0);
	snprintf(rules, sizeof(rules),
		 "add rule inet expo_test in tcp dport %u tcp flags syn "
		 "quota until 100 bytes drop; "
		 "add rule inet expo_test in tcp dport %u tcp flags syn "
		 "quota until 100 bytes drop",
		 (unsigned)po, (unsigned)pc);
	nft_rules(rules);
	add4(&p, "127.0.0.1", po);
	add4(&p, "127.0.0.1", pc);
	t0 = now_ms();
	cr_assert_eq(run(&p, 8, 0, 3000, st, err), 0);
	el = now_ms() - t0;
	cr_assert_eq(st[0], STATUS_OPEN, "status %u err %d", st[0], err[0]);
	cr_assert_eq(st[1], STATUS_CLOSED, "status %u err %d", st[1], err[1]);
	cr_assert_geq(el, 500.0, "took %.0f ms: no SYN was dropped?", el);
	cr_assert_leq(el, 2500.0, "took %.0f ms", el);
	close(l);
	close(b);
}

/*
 * Out of descriptors: the engine waits for its own sockets to finish
 * rather than reporting EMFILE as a result.
 */
Test(discover, fd_exhaustion_is_not_an_error)
{
	struct pairs p = { .n = 0 };
	struct rlimit rl = { .rlim_cur = 80, .rlim_max = 80 };
	uint8_t st[24];
	int16_t err[24];
	double t0, el;
	size_t i;
	int fd;

	enter_netns();
	firewall(40001, 40002);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	/* leave 6 free: one for epoll, five for sockets */
	for (;;) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		cr_assert_geq(fd, 0);
		if (fd >= 73)
			break;
	}
	for (i = 0; i < 24; i++)
		add4(&p, "127.0.0.1", 40001);
	t0 = now_ms();
	cr_assert_eq(run(&p, 100, 0, 100, st, err), 0);
	el = now_ms() - t0;
	for (i = 0; i < 24; i++) {
		cr_assert_eq(st[i], STATUS_FILTERED, "pair %zu: %u err %d", i,
			     st[i], err[i]);
		cr_assert_eq(err[i], 0);
	}
	/* 24 pairs, at most 5 at a time: at least 5 rounds of 100 ms */
	cr_assert_geq(el, 480.0, "took %.0f ms", el);
}

Test(discover, bad_arguments)
{
	struct discover_opts o = { .concurrency = 0, .timeout_ms = 100 };
	struct pairs p = { .n = 0 };
	uint8_t st[1];

	add4(&p, "127.0.0.1", 1);
	cr_assert_eq(discover_run(&o, 1, pair_cb, &p, st, NULL), EXPO_EINVAL);
	o.concurrency = 1;
	o.timeout_ms = 0;
	cr_assert_eq(discover_run(&o, 1, pair_cb, &p, st, NULL), EXPO_EINVAL);
	o.timeout_ms = 100;
	cr_assert_eq(discover_run(&o, 1, NULL, &p, st, NULL), EXPO_EINVAL);
	cr_assert_eq(discover_run(&o, 1, pair_cb, &p, NULL, NULL), EXPO_EINVAL);
	cr_assert_eq(discover_run(&o, 0, pair_cb, &p, NULL, NULL), EXPO_OK);
}

Test(discover, progress_line, .init = cr_redirect_stderr)
{
	struct discover_opts o = {
		.concurrency = 4,
		.timeout_ms = 500,
		.progress = 1,
	};
	struct pairs p = { .n = 0 };
	uint8_t st[2];
	uint16_t pc;
	int b = tcp_port(AF_INET, "127.0.0.1", 0, &pc);
	char buf[1024];
	size_t n;
	FILE *f = NULL;

	cr_assert_geq(b, 0);
	add4(&p, "127.0.0.1", pc);
	add4(&p, "127.0.0.1", pc);
	cr_assert_eq(discover_run(&o, 2, pair_cb, &p, st, NULL), 0);
	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_assert(strstr(buf, "\rdiscover: 2/2 pairs, 0 open") != NULL,
		  "progress: %s", buf);
	cr_assert_eq(buf[n - 1], '\n');
	close(b);
}

/* pair i of split_cb: every 97th goes to the listener, the rest to a bound
 * port that does not listen */
struct split_pairs {
	uint16_t open_port, closed_port;
};

static bool split_cb(void *ud, size_t i, struct sockaddr_storage *sa,
		     socklen_t *salen)
{
	const struct split_pairs *sp = ud;
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sa, 0, sizeof(*sa));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(i % 97 == 0 ? sp->open_port : sp->closed_port);
	*salen = sizeof(*sin);
	return true;
}

/*
 * A run large enough to be cut into one range per CPU: every pair gets the
 * status of its own address (no range skipped, none done twice, the range
 * ends meet), and the closing progress line sums every thread's counts.
 */
Test(discover, large_run_split_across_threads, .init = cr_redirect_stderr)
{
	enum { N = 20000 };
	struct discover_opts o = {
		.concurrency = 256,
		.timeout_ms = 2000,
		.progress = 1,
	};
	struct split_pairs sp;
	static uint8_t st[N];
	static int16_t err[N];
	int l = tcp_port(AF_INET, "127.0.0.1", 1, &sp.open_port);
	int b = tcp_port(AF_INET, "127.0.0.1", 0, &sp.closed_port);
	char buf[4096], want[96];
	size_t i, n, nopen = 0;
	FILE *f = NULL;

	cr_assert(l >= 0 && b >= 0);
	memset(st, 0xff, sizeof(st));
	cr_assert_eq(discover_run(&o, N, split_cb, &sp, st, err), 0);
	for (i = 0; i < N; i++) {
		cr_assert_eq(st[i], i % 97 == 0 ? STATUS_OPEN : STATUS_CLOSED,
			     "pair %zu: status %u err %d", i, st[i], err[i]);
		cr_assert_eq(err[i], 0);
		nopen += st[i] == STATUS_OPEN;
	}
	cr_assert_eq(nopen, (N + 96) / 97);
	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "\rdiscover: %d/%d pairs, %zu open", N, N,
		 nopen);
	cr_assert(strstr(buf, want) != NULL, "progress: %s", buf);
	close(l);
	close(b);
}
