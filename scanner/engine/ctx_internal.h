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
};

uint64_t ctx_now_ms(void);

/* the shared per-host credential attempt counters */
struct cred_guard *cred_guard_new(void);
void cred_guard_free(struct cred_guard *g);

#endif
