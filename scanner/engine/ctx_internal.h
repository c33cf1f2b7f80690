/*
 * ctx_internal.h - struct check_ctx, visible to the engine only.
 * Checks see the opaque type and the ctx_* functions of include/check.h.
 */
#ifndef CTX_INTERNAL_H
#define CTX_INTERNAL_H

#include <stdint.h>
#include "context.h"

struct check_ctx {
	const struct check *check;
	const struct scan_config *cfg;
	const struct target *target;
	const struct target_addr *addr;
	uint16_t port;
	struct cred_guard *guard;
	bool own_guard;
	cJSON *facts;
	struct finding_list findings;
	enum probe_status status;
	char *reason;
	char *gpu; /* ctx_gpu(): the GPU behind this door, or NULL */
	/* what the engine waits on next */
	int fd;
	/* deadlines, CLOCK_MONOTONIC ms; set by the engine, moved by
	 * ctx_phase() */
	uint64_t phase_deadline_ms, probe_deadline_ms;
	uint64_t wake_ms; /* 0: no timer */
	char phase[48];
	/* credential iteration */
	size_t cred_next; /* position in the candidate sequence */
	/* users not to try again on this port: a password was found, or the
	 * server said the account does not exist */
	char **settled_users;
	size_t nsettled_users;
	char canary_user[24], canary_password[24];
	/* --host-rate (lib/hostrate.h), or NULL */
	struct host_rate *host_rate;
	bool rate_prepaid;   /* a slot is held for the next connection */
	uint64_t turn_at_ms; /* ctx_host_turn(): the slot held for then */
	/* UDP (ctx_udp_*): the requests out, each sent again while
	 * unanswered; their bytes share udp_buf */
	uint8_t proto;		 /* enum port_proto: of the check (CHECK_UDP) */
	struct udp_pacer *pacer; /* --rate over datagrams; NULL: no limit */
	bool udp_waiting;	 /* requests are out, not all settled */
	bool udp_heard;		 /* a datagram came back, of any kind */
	unsigned udp_oversized;
	unsigned udp_nreq;
	size_t udp_used; /* bytes of udp_buf taken */
	struct udp_req {
		size_t off, len;
		unsigned sent;	  /* datagrams of it sent so far */
		bool live;	  /* neither answered nor given up */
		uint64_t due_ms;  /* the next send (first, or again) */
		uint64_t slot_ms; /* the pacer's slot taken for it; 0: none */
	} udp_req[UDP_REQUESTS_MAX];
	unsigned char udp_buf[UDP_REQUEST_MAX];
};

uint64_t ctx_now_ms(void);

/* The --rate limiter of UDP datagrams, shared by every probe of a scan
 * (discovery paces the TCP connects the same way). rate 0: no limit. */
struct udp_pacer *udp_pacer_new(unsigned rate);
void udp_pacer_free(struct udp_pacer *p);
void ctx_set_pacer(struct check_ctx *ctx, struct udp_pacer *p);

/* the shared per-host credential attempt counters */
struct cred_guard *cred_guard_new(void);
void cred_guard_free(struct cred_guard *g);

#endif
