/*
 * SNMP: the BER request and parser (checks/raw/snmp_wire.c), the check's
 * verdict from facts, and the engine's UDP path (ctx_udp_*: re-sends,
 * silence, pacing, answers from elsewhere) against loopback sockets.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "engine/ctx_internal.h"
#include "engine/engine.h"
#include "expo.h"
#include "lib/hostrate.h"
#include "rawapi_fixture.h"
#include "raw/snmp_wire.h"

extern const struct check check_snmp;

/* GetRequest sysDescr.0, community "public", request id 0x1234: Debian's
 * snmpd 5.9.3 answers exactly these bytes (tested against it) */
static const uint8_t req_public[] = {
	0x30, 0x27, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',	'u',  'b',  'l',
	'i',  'c',  0xa0, 0x1a, 0x02, 0x02, 0x12, 0x34, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06,
	0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00,
};

/* Debian snmpd 5.9.3+dfsg-2+deb12u1's answer to req_public, recorded with
 * `sysDescr lab weak agent` in its snmpd.conf */
static const uint8_t resp_public[] = {
	0x30, 0x35, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',	'u',  'b',  'l',
	'i',  'c',  0xa2, 0x28, 0x02, 0x02, 0x12, 0x34, 0x02, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x30, 0x1c, 0x30, 0x1a, 0x06, 0x08, 0x2b, 0x06,
	0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x04, 0x0e, 'l',  'a',  'b',
	' ',  'w',  'e',  'a',	'k',  ' ',  'a',  'g',	'e',  'n',  't',
};

Test(snmp_wire, request_is_what_snmpd_answers)
{
	uint8_t out[SNMP_REQUEST_MAX];
	size_t len = 0;

	cr_assert_eq(
		snmp_get_sysdescr(out, sizeof(out), "public", 0x1234, &len), 0);
	cr_assert_eq(len, sizeof(req_public));
	cr_assert_eq(memcmp(out, req_public, len), 0);
}

Test(snmp_wire, request_round_trips_long_communities_and_negative_ids)
{
	uint8_t out[SNMP_REQUEST_MAX];
	char comm[SNMP_COMMUNITY_MAX + 2];
	struct snmp_reply r;
	size_t len = 0;

	memset(comm, 'c', sizeof(comm));
	comm[200] = '\0'; /* long form length (0x81) */
	cr_assert_eq(snmp_get_sysdescr(out, sizeof(out), comm, -5, &len), 0);
	cr_assert_eq(snmp_parse_reply(out, len, &r), 0);
	cr_assert_eq(r.pdu_type, SNMP_PDU_GET);
	cr_assert_eq(r.request_id, -5);
	cr_assert_eq(r.community_len, 200);
	cr_assert(r.first_is_sysdescr);
	cr_assert_eq(r.value_tag, SNMP_TAG_NULL);
	comm[200] = 'c';
	comm[SNMP_COMMUNITY_MAX + 1] = '\0'; /* 256: longer than allowed */
	cr_assert_eq(snmp_get_sysdescr(out, sizeof(out), comm, 1, &len),
		     EXPO_EINVAL);
	cr_assert_eq(snmp_get_sysdescr(out, 10, "public", 1, &len),
		     EXPO_ETOOBIG);
}

Test(snmp_wire, snmpd_answer_is_parsed)
{
	struct snmp_reply r;

	cr_assert_eq(snmp_parse_reply(resp_public, sizeof(resp_public), &r), 0);
	cr_assert_eq(r.version, SNMP_VERSION_2C);
	cr_assert_str_eq(r.community, "public");
	cr_assert_eq(r.pdu_type, SNMP_PDU_RESPONSE);
	cr_assert_eq(r.request_id, 0x1234);
	cr_assert_eq(r.error_status, 0);
	cr_assert_eq(r.nvarbinds, 1);
	cr_assert(r.first_is_sysdescr);
	cr_assert_eq(r.value_tag, SNMP_TAG_OCTETS);
	cr_assert_str_eq(r.value, "lab weak agent");
}

Test(snmp_wire, every_truncation_and_bad_length_is_an_error)
{
	uint8_t b[sizeof(resp_public)];
	struct snmp_reply r;
	size_t n;

	/* every prefix: never read past it, never accepted */
	for (n = 0; n < sizeof(resp_public); n++)
		cr_assert_neq(snmp_parse_reply(resp_public, n, &r), 0,
			      "prefix of %zu bytes accepted", n);
	memcpy(b, resp_public, sizeof(b));
	b[1] = 0x80; /* indefinite length: not in SNMP */
	cr_assert_eq(snmp_parse_reply(b, sizeof(b), &r), EXPO_EPARSE);
	b[1] = 0x83; /* three length bytes: more than any datagram */
	cr_assert_eq(snmp_parse_reply(b, sizeof(b), &r), EXPO_EPARSE);
	memcpy(b, resp_public, sizeof(b));
	b[0] = 0x1f; /* multi-byte tag */
	cr_assert_eq(snmp_parse_reply(b, sizeof(b), &r), EXPO_EPARSE);
	memcpy(b, resp_public, sizeof(b));
	b[0x0d] = 0x30; /* a SEQUENCE where the PDU goes */
	cr_assert_eq(snmp_parse_reply(b, sizeof(b), &r), EXPO_EPARSE);
	memcpy(b, resp_public, sizeof(b));
	b[0x28] = 0x7f; /* value longer than the varbind */
	cr_assert_eq(snmp_parse_reply(b, sizeof(b), &r), EXPO_EPARSE);
	cr_assert_eq(snmp_parse_reply(resp_public, SNMP_REPLY_MAX + 1, &r),
		     EXPO_ETOOBIG);
}

Test(snmp_wire, oversized_integer_is_refused)
{
	/* version INTEGER of 6 bytes */
	static const uint8_t m[] = { 0x30, 0x08, 0x02, 0x06, 1, 2, 3, 4, 5, 6 };
	struct snmp_reply r;

	cr_assert_eq(snmp_parse_reply(m, sizeof(m), &r), EXPO_ETOOBIG);
}

/* ---- assess ---- */

Test(snmp_assess, answered_community_is_a_finding_with_the_secret_redacted)
{
	struct rawfix f;
	const struct finding *fd;

	rawfix_run(&f, &check_snmp, 161,
		   "{\"community\":\"public\",\"sysdescr\":\"Linux lab 6.1\","
		   "\"value_tag\":4}",
		   false);
	fd = rawfix_one(&f, "snmp.default_community");
	cr_assert_not_null(fd);
	cr_assert_eq(fd->proto, PROTO_UDP);
	cr_assert_eq(fd->port, 161);
	cr_assert_not_null(strstr(fd->evidence, "Linux lab 6.1"));
	cr_assert_null(strstr(fd->evidence, "public"));
	cr_assert_str_eq(fd->secret, "<redacted>");
	rawfix_release(&f);
}

Test(snmp_assess, silence_is_no_finding)
{
	struct rawfix f;

	rawfix_run(&f, &check_snmp, 161, "{\"tried\":2}", false);
	cr_assert_null(rawfix_one(&f, "snmp.default_community"));
	rawfix_release(&f);
}

/* ---- the engine's UDP path ---- */

static int udp_server(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	sin.sin_addr.s_addr = htonl(0x7f000001);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(s, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return s;
}

static unsigned drain(int s)
{
	char b[2048];
	unsigned n = 0;

	while (recv(s, b, sizeof(b), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

struct udpfix {
	struct scan_config cfg;
	struct target target;
	struct target_addr addr;
	struct check_ctx *ctx;
};

static void udpfix_init(struct udpfix *f, uint16_t port)
{
	memset(f, 0, sizeof(*f));
	scan_config_defaults(&f->cfg);
	cr_assert_eq(target_addr_parse(&f->addr, "127.0.0.1"), 0);
	f->target.id = "list:127.0.0.1";
	f->target.provider = "list";
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx =
		ctx_new(&check_snmp, &f->cfg, &f->target, &f->addr, port, NULL);
	cr_assert_not_null(f->ctx);
}

/* sends one request and drives ctx_udp_poll until it stops waiting */
static int udp_exchange(struct check_ctx *ctx, int fd, char *buf, size_t cap,
			size_t *len)
{
	unsigned id;
	int r = ctx_udp_send(ctx, fd, "ping", 4, &id), k;

	cr_assert_eq(r, 0);
	for (k = 0; k < 1000; k++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		poll(&p, 1, 5);
		r = ctx_udp_poll(ctx, fd, buf, cap, len);
		if (r != UDP_WAIT)
			return r;
	}
	cr_assert_fail("ctx_udp_poll never stopped waiting");
	return -1;
}

Test(engine_udp, silence_is_resent_then_silent_never_closed)
{
	struct udpfix f;
	uint16_t port;
	int srv = udp_server(&port), fd = -1;
	char buf[64];
	size_t len;

	udpfix_init(&f, port);
	f.cfg.timeout_ms = 150;
	f.cfg.udp_retries = 2;
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	cr_assert_eq(udp_exchange(f.ctx, fd, buf, sizeof(buf), &len),
		     UDP_SILENT);
	/* the request and exactly two re-sends */
	cr_assert_eq(drain(srv), 3);
	close(fd);
	close(srv);
	ctx_free(f.ctx);
}

Test(engine_udp, a_closed_port_is_refused_by_icmp)
{
	struct udpfix f;
	uint16_t port;
	int srv = udp_server(&port), fd = -1;
	char buf[64];
	size_t len;

	close(srv); /* nothing bound there now: port unreachable */
	udpfix_init(&f, port);
	f.cfg.timeout_ms = 300;
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	cr_assert_eq(udp_exchange(f.ctx, fd, buf, sizeof(buf), &len),
		     UDP_REFUSED);
	close(fd);
	ctx_free(f.ctx);
}

Test(engine_udp, answers_from_elsewhere_and_oversized_ones_are_not_taken)
{
	struct udpfix f;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint16_t port, oport;
	int srv = udp_server(&port), other = udp_server(&oport), fd = -1, r;
	char buf[64], big[1000], got[16];
	unsigned id;
	size_t len = 0;
	ssize_t n;

	udpfix_init(&f, port);
	f.cfg.timeout_ms = 300;
	f.cfg.udp_retries = 0;
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	cr_assert_eq(ctx_udp_send(f.ctx, fd, "ping", 4, &id), 0);
	n = recvfrom(srv, got, sizeof(got), 0, (struct sockaddr *)&from, &flen);
	cr_assert_eq(n, 4);
	/* from another port: the connected socket never sees it */
	sendto(other, "forged", 6, 0, (struct sockaddr *)&from, flen);
	/* larger than the cap: dropped and counted */
	memset(big, 'x', sizeof(big));
	sendto(srv, big, sizeof(big), 0, (struct sockaddr *)&from, flen);
	sendto(srv, "pong", 4, 0, (struct sockaddr *)&from, flen);
	usleep(20000);
	r = ctx_udp_poll(f.ctx, fd, buf, sizeof(buf), &len);
	cr_assert_eq(r, UDP_ANSWER);
	cr_assert_eq(len, 4);
	cr_assert_eq(memcmp(buf, "pong", 4), 0);
	cr_assert_eq(ctx_udp_oversized(f.ctx), 1);
	close(fd);
	close(srv);
	close(other);
	ctx_free(f.ctx);
}

Test(engine_udp, requests_sent_together_are_resent_until_answered)
{
	struct udpfix f;
	uint16_t port;
	int srv = udp_server(&port), fd = -1, r = UDP_WAIT, k;
	unsigned a, b, na = 0, nb = 0;
	char buf[64], got[16];
	size_t len;
	ssize_t n;

	udpfix_init(&f, port);
	f.cfg.timeout_ms = 300;
	f.cfg.udp_retries = 2;
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	cr_assert_eq(ctx_udp_send(f.ctx, fd, "A", 1, &a), 0);
	cr_assert_eq(ctx_udp_send(f.ctx, fd, "B", 1, &b), 0);
	cr_assert_neq(a, b);
	/* A is answered at once: only B is sent again */
	ctx_udp_answered(f.ctx, a);
	for (k = 0; k < 1000 && r == UDP_WAIT; k++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		poll(&p, 1, 5);
		r = ctx_udp_poll(f.ctx, fd, buf, sizeof(buf), &len);
	}
	cr_assert_eq(r, UDP_SILENT);
	while ((n = recv(srv, got, sizeof(got), MSG_DONTWAIT)) > 0) {
		na += got[0] == 'A';
		nb += got[0] == 'B';
	}
	cr_assert_eq(na, 1);
	cr_assert_eq(nb, 3);
	close(fd);
	close(srv);
	ctx_free(f.ctx);
}

Test(engine_udp, datagrams_are_paced_by_rate)
{
	struct udpfix f;
	struct udp_pacer *p;
	uint16_t port;
	int srv = udp_server(&port), fd = -1;
	struct timespec a, b;
	char buf[64];
	size_t len;
	double ms;

	udpfix_init(&f, port);
	/* 5 datagrams, 10 ms wait each, but at most 20 a second */
	f.cfg.timeout_ms = 50;
	f.cfg.udp_retries = 4;
	f.cfg.rate = 20;
	p = udp_pacer_new(f.cfg.rate);
	cr_assert_not_null(p);
	ctx_set_pacer(f.ctx, p);
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(udp_exchange(f.ctx, fd, buf, sizeof(buf), &len),
		     UDP_SILENT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	udp_pacer_free(p);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_eq(drain(srv), 5);
	/* 5 slots 50 ms apart: the last goes out >= 200 ms after the first */
	cr_assert_geq(ms, 195.0, "%.0f ms", ms);
	close(fd);
	close(srv);
	ctx_free(f.ctx);
}

/* --host-rate paces UDP datagrams to one address too: the probe's first
 * rides the slot the engine held for it, each other takes its own */
Test(engine_udp, datagrams_are_paced_by_host_rate)
{
	struct udpfix f;
	uint16_t port;
	int srv = udp_server(&port), fd = -1;
	struct timespec a, b;
	char buf[64];
	size_t len;
	double ms;

	udpfix_init(&f, port);
	/* 5 datagrams, 10 ms wait each, but at most 20 a second here */
	f.cfg.timeout_ms = 50;
	f.cfg.udp_retries = 4;
	f.ctx->host_rate = host_rate_new(20);
	cr_assert_not_null(f.ctx->host_rate);
	(void)host_rate_take(f.ctx->host_rate, &f.addr.u.sa,
			     host_rate_now_ns());
	f.ctx->rate_prepaid = true; /* as the engine does at the start */
	cr_assert_eq(ctx_udp_open(f.ctx, &fd), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(udp_exchange(f.ctx, fd, buf, sizeof(buf), &len),
		     UDP_SILENT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	host_rate_free(f.ctx->host_rate);
	f.ctx->host_rate = NULL;
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert_eq(drain(srv), 5);
	/* the first at once, then 4 more slots 50 ms apart */
	cr_assert_geq(ms, 195.0, "%.0f ms", ms);
	close(fd);
	close(srv);
	ctx_free(f.ctx);
}

/* ---- communities through the credential guard ---- */

extern const struct check check_mssql;

Test(snmp_creds, communities_are_the_empty_user_and_capped_per_port)
{
	struct credential_pair pairs[] = { { "", "c1" }, { "root", "x" } };
	const char *u, *p;
	struct udpfix f;
	struct check_ctx *ms, *other;

	udpfix_init(&f, 161);
	f.cfg.creds = pairs;
	f.cfg.ncreds = 2;
	/* ":c1" first, then public and private; never root:x */
	cr_assert_eq(ctx_next_cred(f.ctx, &u, &p), 1);
	cr_assert_str_eq(u, "");
	cr_assert_str_eq(p, "c1");
	cr_assert_eq(ctx_next_cred(f.ctx, &u, &p), 1);
	cr_assert_str_eq(p, "public");
	/* the default cap (3) is spent: private is not tried */
	cr_assert_eq(ctx_next_cred(f.ctx, &u, &p), 1);
	cr_assert_str_eq(p, "private");
	cr_assert_eq(ctx_next_cred(f.ctx, &u, &p), 0);
	/* a user check never gets ":c1" */
	ms = ctx_new(&check_mssql, &f.cfg, &f.target, &f.addr, 1433, NULL);
	cr_assert_eq(ctx_next_cred(ms, &u, &p), 1);
	cr_assert_str_eq(u, "root");
	ctx_free(ms);
	/* the empty user counts per address and port, over every probe:
	 * another port of the host has its own cap */
	f.cfg.max_attempts = 1;
	{
		struct cred_guard *g = cred_guard_new();
		struct check_ctx *a = ctx_new(&check_snmp, &f.cfg, &f.target,
					      &f.addr, 161, g);
		struct check_ctx *b = ctx_new(&check_snmp, &f.cfg, &f.target,
					      &f.addr, 1161, g);
		struct check_ctx *c = ctx_new(&check_snmp, &f.cfg, &f.target,
					      &f.addr, 161, g);

		cr_assert_eq(ctx_next_cred(a, &u, &p), 1);
		cr_assert_eq(ctx_next_cred(a, &u, &p), 0);
		cr_assert_eq(ctx_next_cred(b, &u, &p), 1);
		cr_assert_eq(ctx_next_cred(c, &u, &p), 0);
		ctx_free(a);
		ctx_free(b);
		ctx_free(c);
		cred_guard_free(g);
	}
	f.cfg.no_login = true;
	other = ctx_new(&check_snmp, &f.cfg, &f.target, &f.addr, 161, NULL);
	cr_assert_eq(ctx_next_cred(other, &u, &p), 0);
	ctx_free(other);
	ctx_free(f.ctx);
}
