/*
 * config.h - the scan settings that the command line fills in and the
 * engine reads. Checks never see it: they ask their ctx.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "target.h"

struct credential_pair {
	char *user, *password;
};

struct scan_config {
	const struct check **checks; /* enabled checks */
	size_t nchecks;
	struct port_override *extra_ports; /* --ports */
	size_t nextra_ports;
	bool ports_replace;   /* --ports with plain numbers: only these */
	bool discover_only;   /* --discover-only: no checks run */
	bool offline;	      /* --offline: config rules only, no packet */
	unsigned concurrency; /* sockets in flight (discovery) */
	unsigned rate;	      /* new connections per second, 0 = no limit */
	unsigned host_rate;   /* --host-rate: per address, 0 = no limit */
	unsigned timeout_ms;  /* connect and per-phase timeout */
	unsigned check_timeout_ms; /* whole probe deadline */
	/* UDP: a request unanswered is sent again this many times; the
	 * datagrams share --timeout (each waits timeout_ms / (retries + 1)) */
	unsigned udp_retries;
	unsigned workers;	   /* check worker threads (event loops) */
	unsigned blocking_workers; /* threads of the blocking lane */
	unsigned max_attempts;	   /* 0: each check's default */
	bool no_login;
	bool intrusive;
	bool show_secrets;
	struct credential_pair *creds; /* --creds FILE, tried first */
	size_t ncreds;
	bool progress; /* a progress line on stderr */
	int verbose;
	/* findings, and port records, held in memory before the scan moves
	 * them into a file-backed spill (include/spill.h): 0 is
	 * FINDINGS_SPILL_AFTER and RECORDS_SPILL_AFTER, SIZE_MAX never */
	size_t spill_after;
};

#define FINDINGS_SPILL_AFTER 8192

void scan_config_defaults(struct scan_config *c);
/* frees creds and extra_ports; the checks array stays the caller's */
void scan_config_release(struct scan_config *c);

#endif
