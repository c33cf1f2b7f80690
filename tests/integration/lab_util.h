/*
 * lab_util.h - helpers shared by the integration tests that run against
 * the lab (tests/lab/lab.sh): lab.env values, target lists, one scan
 * through the whole engine, and what it found per address.
 */
#ifndef EXPO_TESTS_LAB_UTIL_H
#define EXPO_TESTS_LAB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "target.h"

/* EXPO_LAB_DIR; fails the test if it is not set */
const char *lab_dir(void);

/* a value from DIR/lab.env into buf; "" if missing */
void lab_env_opt(const char *key, char *buf, size_t size);

/* a value from DIR/lab.env into buf; fails the test if missing */
void lab_env(const char *key, char *buf, size_t size);

/* lines of the file at path containing needle */
unsigned lab_count_lines(const char *path, const char *needle);
/* lines containing needle of a replay server's request log, which
 * httpapi_replay (tests/lab/lab.d/httpapi.sh) writes as
 * DIR/httpapi/replay_ADDR_PORT.log */
unsigned lab_replay_count(const char *addr, unsigned port, const char *needle);

/* CLOCK_MONOTONIC in seconds */
double lab_now(void);

/* appends target "list:<addr>" with the one address addr */
void lab_add_target(struct target_list *l, const char *addr);

/* the defaults with only checks[0..n), a 2 s connect timeout and
 * check_timeout_ms per check */
void lab_scan_config(struct scan_config *cfg, const struct check **checks,
		     size_t n, unsigned check_timeout_ms);

/* runs one scan; the wall time in *secs; then waits settle_ms for the
 * lab servers' logs to land */
void lab_scan(const struct scan_config *cfg, struct target_list *l,
	      struct scan_result *res, double *secs, unsigned settle_ms);

/* the sorted, comma-joined rule ids ("port:rule" if with_port) of the
 * findings for addr */
void lab_rules_join(const struct scan_result *res, const char *addr,
		    bool with_port, char *out, size_t size);

/* lab_rules_join() without and with the ports */
void lab_rules_for(const struct scan_result *res, const char *addr, char *out,
		   size_t size);
void lab_port_rules_for(const struct scan_result *res, const char *addr,
			char *out, size_t size);

/* the finding of rule for addr, or NULL */
const struct finding *lab_finding_for(const struct scan_result *res,
				      const char *addr, const char *rule);

/* the status of the record of check c (NULL: any check) on target index
 * ti, port; its reason in *reason ("" if none); -1 if no such record */
int lab_check_status(const struct scan_result *res, size_t ti, uint16_t port,
		     const struct check *c, const char **reason);

#endif
