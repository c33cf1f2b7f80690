/*
 * rdpfake.c - tiny fake RDP servers for the lab: answer the first X.224
 * Connection Request in a chosen way, for the cases no real server shows.
 *
 *   rdpfake MODE ADDR PORT [--lifetime SECONDS]
 *
 * MODE is one of
 *   lie-long      a Connection Confirm whose TPKT length says 65535
 *   lie-short     the first 11 bytes of a 19-byte confirm (TPKT length 19),
 *                 then nothing: the length promises bytes that never come
 *   lie-mismatch  a 19-byte confirm whose X.224 length indicator says 6
 *   xp            a Windows XP style confirm without negotiation data;
 *                 whatever comes next (MCS) is answered by hanging up
 *   nla-stall     NLA enforced as far as negotiation goes, for a login
 *                 client only: a request for PROTOCOL_HYBRID without
 *                 HYBRID_EX (how FreeRDP asks for NLA alone) gets an
 *                 RDP_NEG_RSP selecting PROTOCOL_HYBRID and then silence:
 *                 the TLS ClientHello is read and never answered; every
 *                 other request (exposure's own probes) gets
 *                 RDP_NEG_FAILURE 5 (HYBRID_REQUIRED_BY_SERVER)
 * In every mode the connection is then held open until the client closes
 * (xp: until its next request). ADDR must be a numeric 127.0.0.0/8
 * address. Prints "ready" once listening; exits after the lifetime
 * (default 3600 s). One poll loop, at most MAX_CLIENTS clients, no fork.
 * Standalone on purpose: no project header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_CLIENTS 64
#define LIFETIME_MAX (7L * 24 * 3600)

enum mode {
	M_LIE_LONG,
	M_LIE_SHORT,
	M_LIE_MISMATCH,
	M_XP,
	M_NLA_STALL,
	M_COUNT
};

static const char *const mode_names[M_COUNT] = {
	[M_LIE_LONG] = "lie-long",	   [M_LIE_SHORT] = "lie-short",
	[M_LIE_MISMATCH] = "lie-mismatch", [M_XP] = "xp",
	[M_NLA_STALL] = "nla-stall",
};

static const unsigned char cc_long[] = {
	0x03, 0x00, 0xff, 0xff, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00,
};
static const unsigned char cc_short[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
};
static const unsigned char cc_mismatch[] = {
	0x03, 0x00, 0x00, 0x13, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00,
};
static const unsigned char cc_xp[] = {
	0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
};
/* RDP_NEG_FAILURE, failureCode 5 */
static const unsigned char cc_need_hybrid[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x03, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00,
};
/* RDP_NEG_RSP, selectedProtocol PROTOCOL_HYBRID */
static const unsigned char cc_hybrid[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
};

/* requestedProtocols of a Connection Request whose RDP_NEG_REQ ends it
 * (MS-RDPBCGR 2.2.1.1); 0 without one */
static unsigned requested_protocols(const unsigned char *b, size_t n)
{
	size_t len;

	if (n < 4 + 7 + 8 || b[0] != 0x03)
		return 0;
	len = ((size_t)b[2] << 8) | b[3];
	if (len > n || len < 4 + 7 + 8 || b[len - 8] != 0x01)
		return 0;
	return b[len - 4] | (unsigned)b[len - 3] << 8 |
	       (unsigned)b[len - 2] << 16 | (unsigned)b[len - 1] << 24;
}

struct client {
	int fd;
	int answered; /* the confirm was sent */
};

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void answer(struct client *c, enum mode m, const unsigned char *req,
		   size_t reqlen)
{
	const unsigned char *p = cc_xp;
	size_t n = sizeof(cc_xp);

	switch (m) {
	case M_NLA_STALL:
		if ((requested_protocols(req, reqlen) & 0x0a) == 0x02) {
			p = cc_hybrid;
			n = sizeof(cc_hybrid);
		} else {
			p = cc_need_hybrid;
			n = sizeof(cc_need_hybrid);
		}
		break;
	case M_LIE_LONG:
		p = cc_long;
		n = sizeof(cc_long);
		break;
	case M_LIE_SHORT:
		p = cc_short;
		n = sizeof(cc_short);
		break;
	case M_LIE_MISMATCH:
		p = cc_mismatch;
		n = sizeof(cc_mismatch);
		break;
	default:
		break;
	}
	if (send(c->fd, p, n, MSG_NOSIGNAL) < 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->answered = 1;
}

int main(int argc, char **argv)
{
	struct client cl[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 1];
	struct sockaddr_in sa;
	long port = 0, lifetime = 3600;
	enum mode m = M_COUNT;
	time_t end;
	int lfd, one = 1, i;

	if (argc != 4 && argc != 6)
		goto usage;
	for (i = 0; i < M_COUNT; i++)
		if (strcmp(argv[1], mode_names[i]) == 0)
			m = (enum mode)i;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (m == M_COUNT || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127 ||
	    parse_long(argv[3], 1, 65535, &port) != 0)
		goto usage;
	if (argc == 6 && (strcmp(argv[4], "--lifetime") != 0 ||
			  parse_long(argv[5], 1, LIFETIME_MAX, &lifetime) != 0))
		goto usage;
	sa.sin_port = htons((unsigned short)port);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 64)) {
		perror("rdpfake: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < MAX_CLIENTS; i++)
		cl[i].fd = -1;
	end = time(NULL) + lifetime;
	while (time(NULL) < end) {
		int n = 0, k;

		pfd[n].fd = lfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			pfd[n].fd = cl[i].fd; /* -1 is ignored by poll */
			pfd[n++].events = POLLIN;
		}
		k = poll(pfd, (nfds_t)n, 1000);
		if (k < 0 && errno != EINTR)
			break;
		if (k <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			for (i = 0; fd >= 0 && i < MAX_CLIENTS; i++) {
				if (cl[i].fd < 0) {
					cl[i].fd = fd;
					cl[i].answered = 0;
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd); /* full */
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			unsigned char buf[4096];
			ssize_t r;

			if (cl[i].fd < 0 || !(pfd[i + 1].revents &
					      (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(cl[i].fd, buf, sizeof(buf), 0);
			if (r <= 0 || (cl[i].answered && m == M_XP)) {
				close(cl[i].fd);
				cl[i].fd = -1;
				continue;
			}
			/* one read is the whole small request on loopback */
			if (!cl[i].answered)
				answer(&cl[i], m, buf, (size_t)r);
		}
	}
	return 0;
usage:
	fprintf(stderr, "usage: rdpfake lie-long|lie-short|lie-mismatch|xp|"
			"nla-stall ADDR PORT [--lifetime SECONDS]\n");
	return 2;
}
