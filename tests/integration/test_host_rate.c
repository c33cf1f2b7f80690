/*
 * test_host_rate.c - --host-rate measured at the listener: loopback
 * listeners on 127.0.95.0/24 (this test's own block, no lab needed)
 * timestamp every accept(), and the gaps between the accepts of one
 * address must be at least 1/N s, in discovery and in the checks (the pg
 * check's several connections per probe, against a minimal fake
 * PostgreSQL server that refuses every password; the consul check's
 * requests, against an HTTP server that closes after each answer, so that
 * libcurl opens a connection per request).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "target.h"

extern const struct check check_pg;
extern const struct check check_consul;

#define LMAX 24
#define AMAX 256

struct listeners {
	int fd[LMAX];
	int addr_of[LMAX]; /* which address (0, 1) */
	uint16_t port[LMAX];
	size_t n;
	bool fake_pg;	/* speak enough PostgreSQL to refuse a password */
	bool fake_http; /* answer one HTTP request, then close */
	volatile bool stop;
	pthread_t tid;
	pthread_mutex_t lock;
	double at[2][AMAX]; /* accept times per address */
	size_t nat[2];
};

static int listen_on(const char *addr, uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	cr_assert(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
		     "bind %s: %s", addr, strerror(errno));
	cr_assert_eq(listen(fd, 64), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* n bytes within 2 s; false on EOF, error or timeout */
static bool read_n(int fd, uint8_t *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (poll(&p, 1, 2000) != 1)
			return false;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* SSLRequest: 'N'; startup: AuthenticationCleartextPassword; a
 * password: 28P01. Ends at EOF or after the error. */
static void fake_pg(int c)
{
	static const uint8_t ask[] = { 'R', 0, 0, 0, 8, 0, 0, 0, 3 };
	static const char err[] = "SFATAL\0C28P01\0Mpassword authentication "
				  "failed\0";
	uint8_t hdr[8], body[1024], out[128];
	uint32_t len;

	for (;;) {
		if (!read_n(c, hdr, 8))
			return;
		len = be32(hdr);
		if (len == 8 && be32(hdr + 4) == 80877103) {
			if (write(c, "N", 1) != 1)
				return;
			continue;
		}
		if (len < 8 || len - 8 > sizeof(body) ||
		    !read_n(c, body, len - 8) ||
		    write(c, ask, sizeof(ask)) != (ssize_t)sizeof(ask))
			return;
		break;
	}
	/* 'p', length, body */
	if (!read_n(c, hdr, 5) || hdr[0] != 'p')
		return;
	len = be32(hdr + 1);
	if (len < 4 || len - 4 > sizeof(body) || !read_n(c, body, len - 4))
		return;
	out[0] = 'E';
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(sizeof(err) + 4);
	memcpy(out + 5, err, sizeof(err));
	(void)!write(c, out, 5 + sizeof(err));
}

/* one request (up to its blank line), a Consul agent's answer, close */
static void fake_http(int c)
{
	static const char answer[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		"Content-Length: 46\r\nConnection: close\r\n\r\n"
		"{\"Config\":{\"Datacenter\":\"dc1\",\"NodeName\":\"n\"}}";
	char req[4096];
	size_t got = 0;
	struct pollfd p = { .fd = c, .events = POLLIN };
	ssize_t r;

	while (got < sizeof(req) - 1 && poll(&p, 1, 2000) == 1) {
		r = read(c, req + got, sizeof(req) - 1 - got);
		if (r <= 0)
			return;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL) {
			(void)!write(c, answer, sizeof(answer) - 1);
			return;
		}
	}
}

static void *serve(void *arg)
{
	struct listeners *l = arg;
	struct pollfd p[LMAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		p[i].fd = l->fd[i];
		p[i].events = POLLIN;
	}
	while (!l->stop) {
		if (poll(p, l->n, 50) <= 0)
			continue;
		for (i = 0; i < l->n; i++) {
			int c, a = l->addr_of[i];

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept(l->fd[i], NULL, NULL);
			if (c < 0)
				continue;
			pthread_mutex_lock(&l->lock);
			if (l->nat[a] < AMAX)
				l->at[a][l->nat[a]++] = lab_now();
			pthread_mutex_unlock(&l->lock);
			if (l->fake_pg)
				fake_pg(c);
			else if (l->fake_http)
				fake_http(c);
			close(c);
		}
	}
	return NULL;
}

static void start(struct listeners *l, const char *const addrs[2],
		  size_t per_addr, bool pg)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->fake_pg = pg;
	for (i = 0; i < 2 * per_addr; i++) {
		l->addr_of[i] = (int)(i / per_addr);
		if (addrs[l->addr_of[i]] == NULL)
			continue;
		l->fd[l->n] = listen_on(addrs[l->addr_of[i]], &l->port[l->n]);
		l->addr_of[l->n] = l->addr_of[i];
		l->n++;
	}
	cr_assert_eq(pthread_create(&l->tid, NULL, serve, l), 0);
}

static void stop(struct listeners *l)
{
	size_t i;

	usleep(300 * 1000); /* the accepts still queued */
	l->stop = true;
	pthread_join(l->tid, NULL);
	for (i = 0; i < l->n; i++)
		close(l->fd[i]);
	pthread_mutex_destroy(&l->lock);
}

/* the smallest gap between consecutive accepts of address a */
static double min_gap(const struct listeners *l, int a)
{
	double g = 1e9;
	size_t i;

	for (i = 1; i < l->nat[a]; i++)
		if (l->at[a][i] - l->at[a][i - 1] < g)
			g = l->at[a][i] - l->at[a][i - 1];
	return g;
}

/* how far accepts of address a came before their slots: the largest
 * (j - i) x interval - (at[j] - at[i]); a listener that wakes late moves
 * one timestamp, not the ones after it */
static double worst_early(const struct listeners *l, int a, double interval)
{
	double w = -1e9, d;
	size_t i, j;

	for (i = 0; i < l->nat[a]; i++)
		for (j = i + 1; j < l->nat[a]; j++) {
			d = (double)(j - i) * interval -
			    (l->at[a][j] - l->at[a][i]);
			if (d > w)
				w = d;
		}
	return w;
}

/* address a's accepts came no earlier than their slots at one per
 * interval (each gap logged, for a failure's reader) */
static void expect_paced(const struct listeners *l, int a, double interval)
{
	size_t i;

	for (i = 1; i < l->nat[a]; i++)
		cr_log_info("address %d, accept %zu: +%.3f s", a, i,
			    l->at[a][i] - l->at[a][i - 1]);
	cr_expect_leq(worst_early(l, a, interval), interval,
		      "address %d: accepts %.3f s ahead of their slots at "
		      "%.0f/s",
		      a, worst_early(l, a, interval), 1 / interval);
}

static void scan_ports(struct listeners *l, unsigned host_rate, double *secs)
{
	static const char *const addrs[2] = { "127.0.95.1", "127.0.95.2" };
	struct scan_config cfg;
	struct target_list tl;
	struct scan_result res;
	size_t i;

	start(l, addrs, 10, false);
	lab_scan_config(&cfg, NULL, 0, 10000);
	cfg.discover_only = true;
	cfg.host_rate = host_rate;
	cfg.ports_replace = true;
	cfg.extra_ports = calloc(l->n, sizeof(*cfg.extra_ports));
	cr_assert_not_null(cfg.extra_ports);
	/* every listener's port on both addresses: the other address's
	 * ports are refused there (RST: no accept, still a connect) */
	for (i = 0; i < l->n; i++)
		cfg.extra_ports[i].port = l->port[i];
	cfg.nextra_ports = l->n;
	target_list_init(&tl);
	lab_add_target(&tl, addrs[0]);
	lab_add_target(&tl, addrs[1]);
	lab_scan(&cfg, &tl, &res, secs, 0);
	stop(l);
	scan_result_release(&res);
	target_list_release(&tl);
	scan_config_release(&cfg);
}

/*
 * Discovery: 20 ports on each of two addresses (10 listening on each),
 * --host-rate 10: the accepts of one address keep to slots 0.1 s apart
 * (no accept a whole slot early: the allowance is for a listener that
 * wakes late on a loaded machine; without the limit they come 0.9 s
 * early), the 20 connects of an address
 * take >= 1.9 s, and the two addresses go in parallel (a global limit of
 * 10/s would take 4 s). Without --host-rate the same takes a blink.
 */
Test(host_rate, discovery_accept_gaps, .timeout = 60)
{
	struct listeners l;
	double secs;
	int a;

	scan_ports(&l, 0, &secs);
	cr_expect_eq(l.nat[0], 10, "%zu accepts", l.nat[0]);
	cr_expect_eq(l.nat[1], 10, "%zu accepts", l.nat[1]);
	cr_expect_lt(secs, 1.0, "without --host-rate: %.2f s", secs);
	cr_expect_lt(min_gap(&l, 0), 0.075, "no limit, yet spaced accepts");

	scan_ports(&l, 10, &secs);
	for (a = 0; a < 2; a++) {
		cr_expect_eq(l.nat[a], 10, "address %d: %zu accepts", a,
			     l.nat[a]);
		expect_paced(&l, a, 0.1);
	}
	cr_expect_geq(secs, 1.8, "20 connects to one address at 10/s: %.2f s",
		      secs);
	cr_expect_lt(secs, 3.5,
		     "the addresses were not scanned in parallel: "
		     "%.2f s",
		     secs);
}

/*
 * The checks: the pg check against a fake PostgreSQL server on
 * 127.0.95.3 makes one connection per phase (SSLRequest, hello, canary,
 * then a login per credential); at --host-rate 8 the accepts, the
 * discovery connect included, keep to slots 1/8 s apart.
 */
Test(host_rate, check_connections_spaced, .timeout = 60)
{
	static const char *const addrs[2] = { "127.0.95.3", NULL };
	static const char *const pws[] = { "a1", "b2", "c3", "d4", "e5" };
	static const struct check *pg_only[] = { &check_pg };
	struct listeners l;
	struct scan_config cfg;
	struct target_list tl;
	struct scan_result res;
	double secs;
	size_t i;

	start(&l, addrs, 1, true);
	lab_scan_config(&cfg, pg_only, 1, 30000);
	cfg.host_rate = 8;
	cfg.ports_replace = true;
	cfg.nextra_ports = 1;
	cfg.extra_ports = calloc(1, sizeof(*cfg.extra_ports));
	cr_assert_not_null(cfg.extra_ports);
	snprintf(cfg.extra_ports[0].check, sizeof(cfg.extra_ports[0].check),
		 "pg");
	cfg.extra_ports[0].port = l.port[0];
	cfg.max_attempts = 5;
	cfg.ncreds = 5;
	cfg.creds = calloc(5, sizeof(*cfg.creds));
	cr_assert_not_null(cfg.creds);
	for (i = 0; i < 5; i++) {
		cfg.creds[i].user = strdup("postgres");
		cfg.creds[i].password = strdup(pws[i]);
	}
	target_list_init(&tl);
	lab_add_target(&tl, addrs[0]);
	lab_scan(&cfg, &tl, &res, &secs, 0);
	stop(&l);
	/* discovery, SSLRequest, hello, canary, and logins */
	cr_expect_geq(l.nat[0], 7, "%zu accepts", l.nat[0]);
	expect_paced(&l, 0, 0.125);
	cr_expect_geq(secs, (double)(l.nat[0] - 1) / 8 - 0.05, "%.2f s", secs);
	scan_result_release(&res);
	target_list_release(&tl);
	scan_config_release(&cfg);
}

/*
 * HTTP: libcurl opens a new connection for each request when the server
 * closes after every answer; the consul check's three requests (agent,
 * catalog, checks) and the discovery connect keep to slots 1/8 s apart at
 * --host-rate 8, and come at once without it.
 */
static void consul_scan(struct listeners *l, unsigned host_rate)
{
	static const char *const addrs[2] = { "127.0.95.4", NULL };
	static const struct check *consul_only[] = { &check_consul };
	struct scan_config cfg;
	struct target_list tl;
	struct scan_result res;
	double secs;

	start(l, addrs, 1, false);
	l->fake_http = true;
	lab_scan_config(&cfg, consul_only, 1, 30000);
	cfg.host_rate = host_rate;
	cfg.ports_replace = true;
	cfg.nextra_ports = 1;
	cfg.extra_ports = calloc(1, sizeof(*cfg.extra_ports));
	cr_assert_not_null(cfg.extra_ports);
	snprintf(cfg.extra_ports[0].check, sizeof(cfg.extra_ports[0].check),
		 "consul");
	cfg.extra_ports[0].port = l->port[0];
	target_list_init(&tl);
	lab_add_target(&tl, addrs[0]);
	lab_scan(&cfg, &tl, &res, &secs, 0);
	stop(l);
	cr_expect_eq(res.findings.n, 1, "consul.no_auth: %zu findings",
		     res.findings.n);
	scan_result_release(&res);
	target_list_release(&tl);
	scan_config_release(&cfg);
}

Test(host_rate, http_requests_spaced, .timeout = 60)
{
	struct listeners l;

	consul_scan(&l, 0);
	cr_expect_geq(l.nat[0], 4, "%zu accepts", l.nat[0]);
	cr_expect_lt(min_gap(&l, 0), 0.075, "no limit, yet spaced accepts");

	consul_scan(&l, 8);
	cr_expect_geq(l.nat[0], 4, "%zu accepts", l.nat[0]);
	expect_paced(&l, 0, 0.125);
}
