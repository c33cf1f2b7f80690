/*
 * engine.h - one scan: discovery, then the checks on the open ports in a
 * small pool of workers (each with its own epoll loop), then ranking.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include "config.h"
#include "finding.h"
#include "target.h"

/* the reason of the discovery record (check null) of an open port that no
 * enabled check claims, e.g. 8080 from an nmap scan */
#define UNCLAIMED_REASON "not checked: no enabled check claims this port"
/* the reason of a UDP port's record when nothing was sent to it: UDP has
 * no connect, only a check's request can ask */
#define UDP_UNPROBED_REASON \
	"not probed: no enabled check sends to this UDP port"

struct scan_result {
	struct finding_list findings; /* ranked */
	struct port_record *records;  /* one per (target, address, port)
					 * and one per check that ran */
	size_t nrecords;
	uint32_t *durations_ms; /* NULL (no check ran), or one per record */
	struct spill *records_spill; /* NULL, or where both of them live */
	char **reasons;		     /* reasons[0] is NULL */
	size_t nreasons;
	char started_at[32]; /* ISO 8601 UTC */
	double duration_s;
	size_t nscanned_targets; /* targets not skipped */
	/* SIGINT/SIGTERM cut the scan short (scan_interrupt()): the signal,
	 * else 0. Then pairs and probes never reached have a record with
	 * status error and a reason "interrupted by SIG...: ...". */
	int interrupted;
	/* lane threads left inside a blocking library call after the grace:
	 * they still read the scan's config and targets, so the caller must
	 * keep those and end the process with _exit() once the reports are
	 * written (exit() would run library destructors under them) */
	size_t abandoned;
};

/* 0, or < 0 when the scan could not run (nothing to scan: EXPO_ENOTFOUND;
 * a bad --ports/check combination: EXPO_EINVAL with *err set). */
int scan_run(const struct scan_config *cfg, const struct target_list *targets,
	     struct scan_result *out, char **err);
void scan_result_release(struct scan_result *r);

/* ---- stopping a scan (SIGINT/SIGTERM) ----
 * After scan_interrupt(): no probe starts; probes under way get
 * SCAN_GRACE_MS to end (then they end as errors "interrupted ..."; what
 * they proved is kept); blocking library calls still running after the
 * grace are abandoned (struct scan_result.abandoned); scan_run() returns
 * what it has with .interrupted set. */
#define SCAN_GRACE_MS 3000
/* the wake-up pipe of the loops; call once before installing a handler
 * that calls scan_interrupt(). 0 or EXPO_ESYS. */
int scan_interrupt_init(void);
/* async-signal-safe: asks the scan (running or to come) to stop */
void scan_interrupt(int signo);
/* the signal scan_interrupt() got first, else 0 */
int scan_interrupted(void);

/* the ports scan_run() would probe on t and, per port, the bitmask (over
 * cfg->checks) of the checks that claim it; for `exposure targets` */
int scan_target_ports(const struct scan_config *cfg, const struct target *t,
		      void (*fn)(void *ud, uint16_t port, uint64_t claims),
		      void *ud, char **err);

#endif
