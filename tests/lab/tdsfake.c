/*
 * tdsfake.c - a SQL Server stand-in for the lab: answers TDS PRELOGIN and
 * LOGIN7 as SQL Server 2022 (16.0.4135) does, for the mssql check.
 *
 *   tdsfake open|refuse|locked|tls ADDR PORT [--lifetime SECONDS]
 *
 * PRELOGIN: VERSION 16.0.4135 and ENCRYPTION NOT_SUP, or REQ in "tls"
 * mode (then a LOGIN7 is answered with nothing: the client must start
 * TLS). LOGIN7 (SQL authentication: the user name and the obfuscated
 * password of [MS-TDS] 2.2.6.4): "open" accepts sa with the empty
 * password (LOGINACK, ENVCHANGE database, DONE) and refuses anything else
 * with ERROR 18456 "Login failed for user '...'." (class 14); "refuse"
 * refuses everything with 18456; "locked" answers 18486 ("... because
 * the account is currently locked out") for sa. Each LOGIN7 is logged on
 * stdout as "LOGIN7 USER empty|password". Token layouts from [MS-TDS]
 * 2.2.7 (LOGINACK 0xAD, ERROR 0xAA, ENVCHANGE 0xE3, DONE 0xFD); texts
 * from SQL Server's error 18456 and 18486 documentation.
 * ADDR must be a numeric loopback address. Prints "ready" once listening.
 * Standalone on purpose: no project header, no library.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_CLIENTS 64
#define IN_MAX 8192

struct client {
	int fd;
	size_t len;
	uint8_t in[IN_MAX];
};

enum { M_OPEN, M_REFUSE, M_LOCKED, M_TLS } mode;

static void put16le(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static unsigned get16le(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* sends payload as one reply packet (type 4, EOM) */
static void send_reply(int fd, const uint8_t *payload, size_t n)
{
	uint8_t pkt[4096];

	if (n + 8 > sizeof(pkt))
		return;
	pkt[0] = 0x04;
	pkt[1] = 0x01;
	pkt[2] = (uint8_t)((n + 8) >> 8);
	pkt[3] = (uint8_t)(n + 8);
	pkt[4] = pkt[5] = 0;
	pkt[6] = 1;
	pkt[7] = 0;
	memcpy(pkt + 8, payload, n);
	if (send(fd, pkt, n + 8, MSG_NOSIGNAL) < 0)
		perror("tdsfake: send");
}

static void prelogin_reply(int fd)
{
	uint8_t p[32];

	memset(p, 0, sizeof(p));
	/* VERSION at 11 (6 bytes), ENCRYPTION at 17 (1), terminator */
	p[0] = 0;
	p[1] = 0;
	p[2] = 11;
	p[3] = 0;
	p[4] = 6;
	p[5] = 1;
	p[6] = 0;
	p[7] = 17;
	p[8] = 0;
	p[9] = 1;
	p[10] = 0xff;
	p[11] = 16;
	p[12] = 0;
	p[13] = 0x10; /* build 4135, big-endian */
	p[14] = 0x27;
	p[17] = mode == M_TLS ? 0x03 : 0x02;
	send_reply(fd, p, 18);
}

/* ASCII as UCS-2LE at p; the bytes written */
static size_t ucs2(uint8_t *p, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)s[i];
		p[2 * i + 1] = 0;
	}
	return 2 * n;
}

static size_t done_token(uint8_t *p, unsigned status)
{
	memset(p, 0, 13);
	p[0] = 0xfd;
	put16le(p + 1, status);
	return 13;
}

static void login_ok(int fd)
{
	static const char prog[] = "Microsoft SQL Server";
	uint8_t p[512];
	size_t n = 0, start;

	/* ENVCHANGE database: master (type 1, new value, old value) */
	p[n++] = 0xe3;
	start = n;
	n += 2;
	p[n++] = 1;
	p[n++] = 6;
	n += ucs2(p + n, "master");
	p[n++] = 6;
	n += ucs2(p + n, "master");
	put16le(p + start, (unsigned)(n - start - 2));
	/* LOGINACK: interface 1, TDS 7.4, program name, 16.0.4135 */
	p[n++] = 0xad;
	start = n;
	n += 2;
	p[n++] = 1;
	p[n++] = 0x74;
	p[n++] = 0;
	p[n++] = 0;
	p[n++] = 0x04;
	p[n++] = (uint8_t)strlen(prog);
	n += ucs2(p + n, prog);
	p[n++] = 16;
	p[n++] = 0;
	p[n++] = 0x10;
	p[n++] = 0x27;
	put16le(p + start, (unsigned)(n - start - 2));
	n += done_token(p + n, 0);
	send_reply(fd, p, n);
}

static void login_error(int fd, unsigned number, const char *msg)
{
	uint8_t p[1024];
	size_t n = 0, start, ml = strlen(msg);

	p[n++] = 0xaa;
	start = n;
	n += 2;
	p[n++] = (uint8_t)number;
	p[n++] = (uint8_t)(number >> 8);
	p[n++] = (uint8_t)(number >> 16);
	p[n++] = (uint8_t)(number >> 24);
	p[n++] = 1;  /* state */
	p[n++] = 14; /* class */
	put16le(p + n, (unsigned)ml);
	n += 2;
	n += ucs2(p + n, msg);
	p[n++] = 6;
	n += ucs2(p + n, "LABSQL");
	p[n++] = 0; /* procedure */
	memset(p + n, 0, 4);
	p[n] = 1; /* line 1 */
	n += 4;
	put16le(p + start, (unsigned)(n - start - 2));
	n += done_token(p + n, 0x0002);
	send_reply(fd, p, n);
}

/* a LOGIN7 string (offset, length at p + at) as ASCII; pw: deobfuscate */
static int field(const uint8_t *p, size_t n, size_t at, int pw, char *out,
		 size_t size)
{
	size_t off, len, i;

	if (at + 4 > n)
		return -1;
	off = get16le(p + at);
	len = get16le(p + at + 2);
	if (off > n || 2 * len > n - off || len >= size)
		return -1;
	for (i = 0; i < len; i++) {
		uint8_t b = p[off + 2 * i];

		if (pw) {
			b ^= 0xa5;
			b = (uint8_t)((b << 4) | (b >> 4));
		}
		out[i] = b >= 0x20 && b < 0x7f ? (char)b : '?';
	}
	out[len] = '\0';
	return 0;
}

static void login7(int fd, const uint8_t *p, size_t n)
{
	char user[200], pw[200], msg[400];

	if (field(p, n, 40, 0, user, sizeof(user)) < 0 ||
	    field(p, n, 44, 1, pw, sizeof(pw)) < 0)
		return;
	printf("LOGIN7 %s %s\n", user, pw[0] ? "password" : "empty");
	fflush(stdout);
	if (mode == M_TLS)
		return;
	if (mode == M_OPEN && strcmp(user, "sa") == 0 && pw[0] == '\0') {
		login_ok(fd);
		return;
	}
	if (mode == M_LOCKED && strcmp(user, "sa") == 0) {
		snprintf(msg, sizeof(msg),
			 "Login failed for user '%s' because the account is "
			 "currently locked out. The system administrator can "
			 "unlock it.",
			 user);
		login_error(fd, 18486, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "Login failed for user '%s'.", user);
	login_error(fd, 18456, msg);
}

/* answers every whole packet buffered; -1 to hang up */
static int serve(struct client *c)
{
	while (c->len >= 8) {
		size_t plen = (size_t)c->in[2] << 8 | c->in[3];

		if (plen < 8)
			return -1;
		if (c->len < plen)
			return 0;
		if (c->in[0] == 0x12)
			prelogin_reply(c->fd);
		else if (c->in[0] == 0x10)
			login7(c->fd, c->in + 8, plen - 8);
		else
			return -1;
		memmove(c->in, c->in + plen, c->len - plen);
		c->len -= plen;
	}
	return 0;
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "tdsfake: %s is not a 127/8 address\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0) {
		perror("tdsfake: bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct client clients[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 1];
	long lifetime = 3600;
	time_t end;
	int lfd, port, i;
	char *e = NULL;

	if (argc != 4 && !(argc == 6 && strcmp(argv[4], "--lifetime") == 0)) {
		fprintf(stderr, "usage: tdsfake open|refuse|locked|tls ADDR "
				"PORT [--lifetime SECONDS]\n");
		return 2;
	}
	if (strcmp(argv[1], "open") == 0)
		mode = M_OPEN;
	else if (strcmp(argv[1], "refuse") == 0)
		mode = M_REFUSE;
	else if (strcmp(argv[1], "locked") == 0)
		mode = M_LOCKED;
	else if (strcmp(argv[1], "tls") == 0)
		mode = M_TLS;
	else
		return 2;
	port = (int)strtol(argv[3], &e, 10);
	if (*e || port <= 0 || port > 65535)
		return 2;
	if (argc == 6) {
		lifetime = strtol(argv[5], &e, 10);
		if (*e || lifetime <= 0 || lifetime > 7 * 86400)
			return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(argv[2], port);
	if (lfd < 0)
		return 1;
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + lifetime;
	while (time(NULL) < end) {
		int n = 0;

		pfd[n].fd = lfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			pfd[n].fd = clients[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL);

			for (i = 0; cfd >= 0 && i < MAX_CLIENTS; i++)
				if (clients[i].fd < 0) {
					clients[i].fd = cfd;
					clients[i].len = 0;
					cfd = -1;
				}
			if (cfd >= 0)
				close(cfd);
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			ssize_t r;

			if (c->fd < 0 || !(pfd[i + 1].revents &
					   (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(c->fd, c->in + c->len, IN_MAX - c->len, 0);
			if (r <= 0 || (c->len += (size_t)r, serve(c) < 0) ||
			    c->len == IN_MAX) {
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	return 0;
}
