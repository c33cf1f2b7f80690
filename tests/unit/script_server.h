/*
 * script_server.h - a scripted TCP server on 127.0.0.1 for the unit tests
 * of the raw-protocol checks (vnc, mqtt, zookeeper): a thread accepts up
 * to max_conns connections, each served by the test's script function on
 * a thread of its own, a blocking socket with a 2 s receive timeout; plus a one-check scan of
 * that port through the whole engine. Header-only, static.
 */
#ifndef SCRIPT_SERVER_H
#define SCRIPT_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "target.h"

struct script_server;
typedef void (*script_fn)(struct script_server *s, int fd, unsigned conn);

#define SCRIPT_CONNS_MAX 16

struct script_conn {
	struct script_server *s;
	int fd;
	unsigned conn;
	pthread_t tid;
};

struct script_server {
	int lfd;
	uint16_t port;
	pthread_t tid;
	unsigned max_conns;
	unsigned conns; /* connections accepted (the engine's port
			 * discovery connects too) */
	script_fn fn;
	void *data; /* the test's */
	/* the script's, e.g. responses seen: script_count() */
	unsigned counter, sessions;
	pthread_mutex_t lock;
	struct script_conn c[SCRIPT_CONNS_MAX];
};

/* counts one, under the lock; the new count */
static inline unsigned script_count(struct script_server *s, unsigned *what)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = ++*what;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static inline void *script_conn_run(void *arg)
{
	struct script_conn *c = arg;

	c->s->fn(c->s, c->fd, c->conn);
	close(c->fd);
	return NULL;
}

/* each connection on a thread of its own: the engine's port discovery
 * connects and closes while the check's connection waits */
static inline void *script_loop(void *arg)
{
	struct script_server *s = arg;
	struct timeval tv = { .tv_sec = 2 };
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };
	unsigned i, n = 0;
	int fd;

	for (i = 0; i < s->max_conns && i < SCRIPT_CONNS_MAX; i++) {
		/* bounded: a test that connects less ends the loop */
		if (poll(&p, 1, 3000) <= 0)
			break;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			break;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		s->c[n].s = s;
		s->c[n].fd = fd;
		s->c[n].conn = i;
		if (pthread_create(&s->c[n].tid, NULL, script_conn_run,
				   &s->c[n]) != 0) {
			close(fd);
			break;
		}
		n++;
		script_count(s, &s->conns);
	}
	for (i = 0; i < n; i++)
		pthread_join(s->c[i].tid, NULL);
	return NULL;
}

static inline void script_start(struct script_server *s, script_fn fn,
				unsigned max_conns, void *data)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int one = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->fn = fn;
	s->max_conns = max_conns;
	s->data = data;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cr_assert(listen(s->lfd, 16) == 0);
	getsockname(s->lfd, (struct sockaddr *)&sin, &len);
	s->port = ntohs(sin.sin_port);
	cr_assert(pthread_create(&s->tid, NULL, script_loop, s) == 0);
}

static inline void script_stop(struct script_server *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->tid, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->lock);
}

/* n bytes exactly (false on timeout or close) */
static inline bool script_read(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = recv(fd, (char *)buf + got, n - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static inline void script_write(int fd, const void *buf, size_t n)
{
	(void)!send(fd, buf, n, MSG_NOSIGNAL);
}

/* one scan of 127.0.0.1:port with check c only */
static inline void script_scan(const struct check *c, uint16_t port,
			       unsigned max_attempts, bool no_login,
			       struct scan_result *res)
{
	const struct check *list[1];
	struct target_list tl;
	struct target *t;
	struct scan_config cfg;
	char *err = NULL;

	list[0] = c;
	target_list_init(&tl);
	t = target_list_add(&tl);
	cr_assert(t != NULL);
	t->id = strdup("list:127.0.0.1");
	t->provider = "list";
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert(target_addr_parse(&t->addrs[0], "127.0.0.1") == 0);
	t->naddrs = 1;
	t->ports = calloc(1, sizeof(*t->ports));
	t->ports[0].port = port;
	snprintf(t->ports[0].check, sizeof(t->ports[0].check), "%s", c->name);
	t->nports = 1;
	t->only_listed_ports = true;
	scan_config_defaults(&cfg);
	cfg.checks = list;
	cfg.nchecks = 1;
	cfg.timeout_ms = 1000;
	cfg.check_timeout_ms = 8000;
	cfg.max_attempts = max_attempts;
	cfg.no_login = no_login;
	cr_assert_eq(scan_run(&cfg, &tl, res, &err), 0, "%s", err ? err : "");
	free(err);
	target_list_release(&tl);
}

/* a server with script fn (up to 6 connections), one scan of it with
 * check c, and the server stopped: its counts are final */
static inline void script_once(struct script_server *s, script_fn fn,
			       const struct check *c, unsigned max_attempts,
			       bool no_login, struct scan_result *res)
{
	script_start(s, fn, 6, NULL);
	script_scan(c, s->port, max_attempts, no_login, res);
	script_stop(s);
}

/* the status and reason of the check's record */
static inline int script_status(const struct scan_result *res,
				const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++)
		if (res->records[i].check != CHECK_NONE) {
			*reason = res->records[i].reason
					  ? res->reasons[res->records[i].reason]
					  : "";
			return res->records[i].status;
		}
	*reason = "";
	return -1;
}

#endif
