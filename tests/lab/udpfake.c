/*
 * udpfake.c - misbehaving SNMP agents (UDP) for the test lab.
 *
 *   udpfake MODE ADDR PORT [--lifetime SECONDS] [--other ADDR2]
 *
 * MODE is one of
 *   silent    read every datagram, never answer
 *   garbage   answer each datagram with 200 pseudo-random bytes (not BER)
 *   big       answer with a well-formed SNMPv2c Response (our request id,
 *             our community) whose sysDescr is 8000 bytes: larger than any
 *             answer to one GetRequest of sysDescr may be
 *   spoof     answer with a well-formed Response, but from another port of
 *             ADDR and from ADDR2 (--other): a client must take answers
 *             from the address and port it asked only
 *   stale     answer from ADDR:PORT with a Response whose request id is
 *             not the one asked (an old or forged answer)
 *
 * ADDR (and ADDR2) must be numeric IPv4 loopback addresses: the lab never
 * listens anywhere else. Prints "ready\n" once bound, answers at most
 * ANSWERS_MAX datagrams a second, exits after the lifetime (default 3600
 * s). Standalone on purpose: no project header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define LIFETIME_MAX (7L * 24 * 3600)
#define BIG_DESCR 8000
#define ANSWERS_MAX 200

enum mode { M_SILENT, M_GARBAGE, M_BIG, M_SPOOF, M_STALE };
static const char *const mode_names[] = { "silent", "garbage", "big", "spoof",
					  "stale" };

static int loopback4(const char *s, struct sockaddr_in *sa, unsigned port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, s, &sa->sin_addr) != 1)
		return -1;
	return (ntohl(sa->sin_addr.s_addr) >> 24) == 127 ? 0 : -1;
}

/* BER: the TLV at *p (below end); its value and length, *p moved past */
static int tlv(const uint8_t **p, const uint8_t *end, unsigned *tag,
	       const uint8_t **v, size_t *len)
{
	const uint8_t *q = *p;
	size_t n, k;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	n = *q++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 2 || (size_t)(end - q) < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = (n << 8) | *q++;
	}
	if (n > (size_t)(end - q))
		return -1;
	*v = q;
	*len = n;
	*p = q + n;
	return 0;
}

/* the community and the request id's bytes of a request */
static int parse_req(const uint8_t *buf, size_t len, const uint8_t **comm,
		     size_t *clen, const uint8_t **rid, size_t *rlen)
{
	const uint8_t *p = buf, *v, *q, *qe;
	unsigned tag;
	size_t n;

	if (tlv(&p, buf + len, &tag, &v, &n) || tag != 0x30)
		return -1;
	q = v;
	qe = v + n;
	if (tlv(&q, qe, &tag, &v, &n) || tag != 0x02) /* version */
		return -1;
	if (tlv(&q, qe, &tag, comm, clen) || tag != 0x04)
		return -1;
	if (tlv(&q, qe, &tag, &v, &n) || (tag & 0xe0) != 0xa0)
		return -1;
	q = v;
	qe = v + n;
	if (tlv(&q, qe, &tag, rid, rlen) || tag != 0x02 || *rlen > 4)
		return -1;
	return 0;
}

struct out {
	uint8_t b[BIG_DESCR + 512];
	size_t n;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (n <= sizeof(o->b) - o->n) {
		memcpy(o->b + o->n, p, n);
		o->n += n;
	}
}

static size_t hlen(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : 4;
}

static void head(struct out *o, uint8_t tag, size_t n)
{
	uint8_t h[4] = { tag, 0x82, (uint8_t)(n >> 8), (uint8_t)n };

	if (n < 0x80) {
		h[1] = (uint8_t)n;
		put(o, h, 2);
	} else if (n < 0x100) {
		h[1] = 0x81;
		h[2] = (uint8_t)n;
		put(o, h, 3);
	} else {
		put(o, h, 4);
	}
}

/* a GetResponse: sysDescr.0 = descr (dlen bytes) */
static void response(struct out *o, const uint8_t *comm, size_t clen,
		     const uint8_t *rid, size_t rlen, size_t dlen)
{
	static const uint8_t oid[] = { 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0 };
	size_t vb = sizeof(oid) + hlen(dlen) + dlen;
	size_t vbl = hlen(vb) + vb;
	size_t pdu = 2 + rlen + 6 + hlen(vbl) + vbl;
	size_t msg = 3 + hlen(clen) + clen + hlen(pdu) + pdu;
	size_t i;

	o->n = 0;
	head(o, 0x30, msg);
	put(o, "\x02\x01\x01", 3);
	head(o, 0x04, clen);
	put(o, comm, clen);
	head(o, 0xa2, pdu);
	head(o, 0x02, rlen);
	put(o, rid, rlen);
	put(o, "\x02\x01\x00\x02\x01\x00", 6);
	head(o, 0x30, vbl);
	head(o, 0x30, vb);
	put(o, oid, sizeof(oid));
	head(o, 0x04, dlen);
	for (i = 0; i < dlen; i++)
		put(o, i < 12 ? &"udpfake lab "[i] : "x", 1);
}

static int bound(const struct sockaddr_in *sa)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		perror("udpfake: bind");
		exit(1);
	}
	return s;
}

int main(int argc, char **argv)
{
	struct sockaddr_in me, other, peer;
	socklen_t plen;
	long lifetime = 3600;
	time_t end, sec = 0;
	unsigned port, answers = 0;
	const char *other_addr = NULL;
	int m, s, s2 = -1, s3 = -1, i;
	uint8_t buf[4096];
	static struct out o;

	if (argc < 4)
		goto usage;
	for (m = 0; m < 5 && strcmp(argv[1], mode_names[m]) != 0; m++)
		;
	port = (unsigned)strtoul(argv[3], NULL, 10);
	for (i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--lifetime") == 0)
			lifetime = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--other") == 0)
			other_addr = argv[i + 1];
		else
			goto usage;
	}
	if (m == 5 || port == 0 || port > 65535 || lifetime < 1 ||
	    lifetime > LIFETIME_MAX || loopback4(argv[2], &me, port) != 0 ||
	    (m == M_SPOOF &&
	     (other_addr == NULL || loopback4(other_addr, &other, 0) != 0)))
		goto usage;
	s = bound(&me);
	if (m == M_SPOOF) {
		struct sockaddr_in eph = me;

		eph.sin_port = 0; /* another port of the same address */
		s2 = bound(&eph);
		s3 = bound(&other);
	}
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + lifetime;
	srand((unsigned)getpid());
	while (time(NULL) < end) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		const uint8_t *comm, *rid;
		size_t clen, rlen, k;
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		plen = sizeof(peer);
		n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &plen);
		if (n < 0 || m == M_SILENT)
			continue;
		if (time(NULL) != sec) {
			sec = time(NULL);
			answers = 0;
		}
		if (++answers > ANSWERS_MAX)
			continue;
		if (m == M_GARBAGE) {
			for (k = 0; k < 200; k++)
				o.b[k] = (uint8_t)(rand() >> 7);
			o.b[0] = 0x31; /* never an SNMP message's SEQUENCE */
			sendto(s, o.b, 200, 0, (struct sockaddr *)&peer, plen);
			continue;
		}
		if (parse_req(buf, (size_t)n, &comm, &clen, &rid, &rlen) != 0)
			continue;
		if (m == M_STALE) {
			uint8_t r2[4] = { 0 };

			memcpy(r2, rid, rlen);
			r2[rlen - 1] ^= 0x5a; /* not the id asked */
			response(&o, comm, clen, r2, rlen, 20);
			sendto(s, o.b, o.n, 0, (struct sockaddr *)&peer, plen);
			continue;
		}
		response(&o, comm, clen, rid, rlen,
			 m == M_BIG ? BIG_DESCR : 20);
		if (m == M_SPOOF) {
			sendto(s2, o.b, o.n, 0, (struct sockaddr *)&peer, plen);
			sendto(s3, o.b, o.n, 0, (struct sockaddr *)&peer, plen);
		} else {
			sendto(s, o.b, o.n, 0, (struct sockaddr *)&peer, plen);
		}
	}
	return 0;
usage:
	fprintf(stderr, "usage: udpfake silent|garbage|big|spoof|stale ADDR "
			"PORT [--lifetime S] [--other ADDR2]\n");
	return 2;
}
