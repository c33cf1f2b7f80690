/*
 * hostile.c - misbehaving TCP servers for the test lab.
 *
 *   hostile MODE ADDR PORT [--lifetime SECONDS]
 *
 * MODE is one of
 *   silent          accept, never send a byte
 *   garbage         accept, send 1 MiB of pseudo-random bytes, then hold
 *   reset           accept, then close at once with SO_LINGER {1, 0} (RST)
 *   drip            send "SSH-2.0-OpenSSH_9.9\r\n" and then an SSH packet
 *                   that never ends, one byte per second
 *   slowloris-http  send "HTTP/1.1 200 OK\r\n" and then a header line that
 *                   never ends, one byte per second
 *   telnet-negotiate  Telnet option negotiation that never ends: a burst
 *                   of DO/WILL commands at once and another after every
 *                   client read, never a login prompt
 *
 * ADDR must be a numeric loopback address (127.0.0.0/8 or ::1): the lab
 * never listens anywhere else. Prints "ready\n" on stdout once listening,
 * serves up to MAX_CLIENTS clients at once in one epoll loop, reads and
 * discards what clients send, and exits after the lifetime (default 3600 s,
 * at most a week). Standalone on purpose: no project header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define MAX_CLIENTS 1024
#define ACCEPT_BATCH 64 /* accepts per wakeup */
#define MAX_EVENTS 128
#define GARBAGE_BYTES (1024 * 1024)
#define CHUNK (64 * 1024)
#define LIFETIME_MAX (7L * 24 * 3600)
#define LISTEN_ID UINT32_MAX /* epoll tag of the listening socket */

enum mode { M_SILENT, M_GARBAGE, M_RESET, M_DRIP, M_SLOWLORIS, M_TELNETNEG };

static const char *const mode_names[] = {
	[M_SILENT] = "silent",
	[M_GARBAGE] = "garbage",
	[M_RESET] = "reset",
	[M_DRIP] = "drip",
	[M_SLOWLORIS] = "slowloris-http",
	[M_TELNETNEG] = "telnet-negotiate",
};

/* the first bytes of the endless streams; what follows is generated */
static const char drip_head[] =
	"SSH-2.0-OpenSSH_9.9\r\n"
	/* packet_length 16380, padding 4, SSH_MSG_KEXINIT, cookie... */
	"\x00\x00\x3f\xfc\x04\x14";
static const char slow_head[] = "HTTP/1.1 200 OK\r\nX-Wait: ";

struct client {
	int fd;	       /* -1: free */
	uint64_t sent; /* bytes sent so far */
};

struct server {
	enum mode mode;
	int ep, lfd;
	struct client c[MAX_CLIENTS];
	unsigned nclients;
	unsigned char garbage[CHUNK];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hostile silent|garbage|reset|drip|"
		"slowloris-http|telnet-negotiate ADDR PORT "
		"[--lifetime SECONDS]\n"
		"  ADDR: numeric loopback address (127.0.0.0/8 or ::1)\n");
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* loopback only: the lab must never listen on a reachable address */
static int parse_addr(const char *s, long port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	int ret = -1;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			goto out;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		ret = 0;
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			goto out;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		ret = 0;
	}
out:
	return ret;
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0 ||
	    listen(fd, 1024) != 0)
		goto fail;
	return fd;
fail:
	perror("hostile: listen");
	if (fd >= 0)
		close(fd);
	return -1;
}

static void client_close(struct server *sv, unsigned i)
{
	close(sv->c[i].fd);
	sv->c[i].fd = -1;
	sv->c[i].sent = 0;
	sv->nclients--;
}

static void rst_close(int fd)
{
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(fd);
}

/* byte number `off` of an endless drip stream */
static unsigned char stream_byte(const struct server *sv, uint64_t off)
{
	const char *head = sv->mode == M_DRIP ? drip_head : slow_head;
	size_t hlen = sv->mode == M_DRIP ? sizeof(drip_head) - 1
					 : sizeof(slow_head) - 1;

	if (off < hlen)
		return (unsigned char)head[off];
	if (sv->mode == M_DRIP)
		return sv->garbage[off % CHUNK];
	return 'a';
}

/* garbage mode: push what the socket takes, up to GARBAGE_BYTES */
static void send_garbage(struct server *sv, unsigned i)
{
	struct client *c = &sv->c[i];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
				  .data.u32 = i };
	size_t off, n;
	ssize_t w;

	while (c->sent < GARBAGE_BYTES) {
		off = c->sent % CHUNK;
		n = CHUNK - off;
		if (n > GARBAGE_BYTES - c->sent)
			n = GARBAGE_BYTES - c->sent;
		w = send(c->fd, sv->garbage + off, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			client_close(sv, i);
			return;
		}
		c->sent += (uint64_t)w;
	}
	/* all sent: hold the connection, stop asking for EPOLLOUT */
	if (epoll_ctl(sv->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		client_close(sv, i);
}

/* once a second: one more byte to every drip client */
static void drip_tick(struct server *sv)
{
	unsigned char b;
	unsigned i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		if (sv->c[i].fd < 0)
			continue;
		b = stream_byte(sv, sv->c[i].sent);
		if (send(sv->c[i].fd, &b, 1, MSG_NOSIGNAL) == 1)
			sv->c[i].sent++;
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			client_close(sv, i);
	}
}

/* telnet-negotiate: 128 commands (IAC DO/WILL, the option cycling) */
static void send_negotiation(struct server *sv, unsigned i)
{
	unsigned char b[128 * 3];
	size_t k;

	for (k = 0; k < sizeof(b); k += 3, sv->c[i].sent++) {
		b[k] = 255;				    /* IAC */
		b[k + 1] = (sv->c[i].sent & 1) ? 251 : 253; /* WILL, DO */
		b[k + 2] = (unsigned char)(sv->c[i].sent >> 1);
	}
	if (send(sv->c[i].fd, b, sizeof(b), MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK)
		client_close(sv, i);
}

static void accept_some(struct server *sv)
{
	struct epoll_event ev;
	unsigned n, i;
	int fd;

	for (n = 0; n < ACCEPT_BATCH; n++) {
		fd = accept4(sv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (sv->mode == M_RESET || sv->nclients >= MAX_CLIENTS) {
			rst_close(fd);
			continue;
		}
		for (i = 0; i < MAX_CLIENTS && sv->c[i].fd >= 0; i++)
			;
		ev.events = EPOLLIN | EPOLLRDHUP;
		if (sv->mode == M_GARBAGE)
			ev.events |= EPOLLOUT;
		ev.data.u32 = i;
		if (epoll_ctl(sv->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			continue;
		}
		sv->c[i].fd = fd;
		sv->c[i].sent = 0;
		sv->nclients++;
		if (sv->mode == M_GARBAGE)
			send_garbage(sv, i);
		else if (sv->mode == M_TELNETNEG)
			send_negotiation(sv, i);
		else if (sv->mode == M_DRIP || sv->mode == M_SLOWLORIS) {
			unsigned char b = stream_byte(sv, 0);

			if (send(fd, &b, 1, MSG_NOSIGNAL) == 1)
				sv->c[i].sent = 1;
		}
	}
}

/* read and drop what a client sends; close it on EOF or error */
static void drain(struct server *sv, unsigned i)
{
	char buf[4096];
	ssize_t r;
	unsigned n;

	for (n = 0; n < 16; n++) {
		r = recv(sv->c[i].fd, buf, sizeof(buf), 0);
		if (r > 0 && sv->mode == M_TELNETNEG) {
			send_negotiation(sv, i);
			if (sv->c[i].fd < 0)
				return;
		}
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		client_close(sv, i);
		return;
	}
}

static void handle(struct server *sv, const struct epoll_event *ev)
{
	unsigned i = ev->data.u32;

	if (i == LISTEN_ID) {
		accept_some(sv);
		return;
	}
	if (i >= MAX_CLIENTS || sv->c[i].fd < 0)
		return;
	if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		drain(sv, i);
		if (sv->c[i].fd < 0)
			return;
	}
	if ((ev->events & EPOLLOUT) && sv->mode == M_GARBAGE)
		send_garbage(sv, i);
}

int main(int argc, char **argv)
{
	static struct server sv;
	struct epoll_event evs[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.u32 = LISTEN_ID };
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	uint64_t end, next_tick, now, t;
	uint32_t x = 2463534242u;
	long port = 0, lifetime = 3600;
	unsigned i;
	int n, k, timeout, ret = 2;
	size_t m;

	sv.ep = sv.lfd = -1;
	if (argc != 4 && argc != 6)
		goto usage;
	for (m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
		if (!strcmp(argv[1], mode_names[m]))
			break;
	if (m == sizeof(mode_names) / sizeof(mode_names[0]))
		goto usage;
	sv.mode = (enum mode)m;
	if (parse_long(argv[3], 1, 65535, &port) != 0)
		goto usage;
	if (argc == 6 && (strcmp(argv[4], "--lifetime") ||
			  parse_long(argv[5], 1, LIFETIME_MAX, &lifetime)))
		goto usage;
	if (parse_addr(argv[2], port, &ss, &sslen) != 0) {
		fprintf(stderr,
			"hostile: %s is not a numeric loopback "
			"address; refusing\n",
			argv[2]);
		goto out;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		sv.c[i].fd = -1;
	/* xorshift32: cheap bytes that look random to a parser */
	for (m = 0; m < CHUNK; m++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sv.garbage[m] = (unsigned char)(x >> 24);
	}
	signal(SIGPIPE, SIG_IGN);
	ret = 1;
	sv.lfd = listen_on(&ss, sslen);
	if (sv.lfd < 0)
		goto out;
	sv.ep = epoll_create1(EPOLL_CLOEXEC);
	if (sv.ep < 0 || epoll_ctl(sv.ep, EPOLL_CTL_ADD, sv.lfd, &lev) != 0) {
		perror("hostile: epoll");
		goto out;
	}
	if (printf("ready\n") < 0 || fflush(stdout) != 0)
		goto out;
	now = now_ms();
	end = now + (uint64_t)lifetime * 1000;
	next_tick = now + 1000;
	for (;;) {
		now = now_ms();
		if (now >= end)
			break;
		if (now >= next_tick) {
			if (sv.mode == M_DRIP || sv.mode == M_SLOWLORIS)
				drip_tick(&sv);
			next_tick += 1000;
			if (next_tick <= now)
				next_tick = now + 1000;
		}
		t = (next_tick < end ? next_tick : end) - now;
		timeout = t > INT_MAX ? INT_MAX : (int)t;
		n = epoll_wait(sv.ep, evs, MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("hostile: epoll_wait");
			goto out;
		}
		for (k = 0; k < n; k++)
			handle(&sv, &evs[k]);
	}
	ret = 0;
	goto out;
usage:
	usage();
out:
	for (i = 0; i < MAX_CLIENTS; i++)
		if (sv.c[i].fd >= 0)
			close(sv.c[i].fd);
	if (sv.lfd >= 0)
		close(sv.lfd);
	if (sv.ep >= 0)
		close(sv.ep);
	return ret;
}
