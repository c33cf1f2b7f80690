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

struct scan_result {
	struct finding_list findings; /* ranked */
	struct port_record *records;  /* one per (target, address, port)
					 * and one per check that ran */
	size_t nrecords;
	uint32_t *durations_ms; /* NULL (no check ran), or one per record */
	char **reasons;		/* reasons[0] is NULL */
	size_t nreasons;
	char started_at[32]; /* ISO 8601 UTC */
	double duration_s;
	size_t nscanned_targets; /* targets not skipped */
};

/* 0, or < 0 when the scan could not run (nothing to scan: EXPO_ENOTFOUND;
 * a bad --ports/check combination: EXPO_EINVAL with *err set). */
int scan_run(const struct scan_config *cfg, const struct target_list *targets,
	     struct scan_result *out, char **err);
void scan_result_release(struct scan_result *r);

/* the ports scan_run() would probe on t and, per port, the bitmask (over
 * cfg->checks) of the checks that claim it; for `exposure targets` */
int scan_target_ports(const struct scan_config *cfg, const struct target *t,
		      void (*fn)(void *ud, uint16_t port, uint64_t claims),
		      void *ud, char **err);

#endif
