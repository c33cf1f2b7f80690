/*
 * gate.h - what turns one scan into a CI gate and an audit trail:
 * shards (--shard K/N), baselines (--baseline, new/unchanged/fixed) and
 * suppressions (--ignore FILE). All of it works on a struct report_doc.
 */
#ifndef GATE_H
#define GATE_H

#include <stdbool.h>
#include <stddef.h>
#include "report/report_doc.h"
#include "engine/engine.h"

/* ---- shards ---- */

/* the 1-based shard of a target id among count: FNV-1a 64 of the id, so a
 * target stays in its shard whatever the inventory's order */
unsigned shard_of(const char *id, unsigned count);
/* the 1-based shard of a target among count: FNV-1a 64 of its first
 * address's bytes (of its id when it has none), so that every target of
 * one address is in one shard */
unsigned shard_of_target(const struct target *t, unsigned count);
/* "K/N", 1 <= K <= N <= 100000; 0 or EXPO_EINVAL */
int shard_parse(const char *s, unsigned *index, unsigned *count);
/* The shard from the environment when no --shard was given:
 * JOB_COMPLETION_INDEX (0-based, Kubernetes Indexed Job) with a count from
 * count_flag (--shard-count) or EXPOSURE_SHARD_COUNT; else GitLab's
 * CI_NODE_INDEX/CI_NODE_TOTAL (1-based). *count = 0: not sharded.
 * EXPO_EINVAL with *err on a malformed variable. */
int shard_from_env(unsigned count_flag, unsigned *index, unsigned *count,
		   char **err);
/* keeps only the targets of shard index/count (shard_of_target) in l,
 * in their order */
void shard_filter(struct target_list *l, unsigned index, unsigned count);

/* ---- a scan as a report_doc ---- */

/* moves the scan's targets (tl is left empty) and results into d */
int report_doc_from_scan(struct report_doc *d, struct target_list *tl,
			 struct scan_result *res);
/* the gate's exit code for d (0 pass, 1 failed) */
int report_doc_gate(const struct report_doc *d);

/* ---- baseline ---- */

/* Proves findings absent from one run (d), built once per run: true when
 * d proves the finding's (target, port, check) was really examined: the
 * target was scanned, the port answered closed, or open with the check
 * run to its end, or filtered while the host answered elsewhere. A
 * timeout, an error, a skipped or absent target: false. Each proof costs
 * the target's records; d must not change while ix lives. */
struct absence_index;
int absence_index_new(struct absence_index **ix, const struct report_doc *d);
bool absence_proved(struct absence_index *ix, const struct finding *f);
void absence_index_free(struct absence_index *ix);

/* the fingerprints of a finding list, sorted, to ask for one in
 * O(log n); the list must outlive the set */
struct fp_set {
	const char **v;
	size_t n;
};
int fp_set_build(struct fp_set *s, const struct finding_list *l);
bool fp_set_has(const struct fp_set *s, const char *fp);
void fp_set_release(struct fp_set *s);

/* marks each finding of d new or unchanged against base, and lists in
 * d->fixed the findings of base that d proves absent */
int baseline_apply(struct report_doc *d, const struct report_doc *base,
		   const char *path);

/* ---- suppressions (--ignore FILE) ---- */

struct suppression {
	char *rule;	  /* rule id or fnmatch pattern ("ssh.*") */
	char *target;	  /* fnmatch on target id, name or address; "*" */
	int port;	  /* -1: any */
	char *reason;	  /* required */
	char expires[11]; /* YYYY-MM-DD, required */
	size_t hits;
};

struct suppression_list {
	struct suppression *v;
	size_t n;
	char *path;
};

/* {"suppressions": [{rule, target?, port?, reason, expires}]} (or the
 * bare array); strict, errors name the file and the JSON path */
int suppressions_load(const char *path, struct suppression_list *l, char **err);
int suppressions_parse(const char *text, size_t len, const char *name,
		       struct suppression_list *l, char **err);
void suppressions_release(struct suppression_list *l);
/* suppresses the findings an entry in force (expires >= today,
 * "YYYY-MM-DD") matches; expired and unmatched entries become warnings
 * in d->warnings */
int suppressions_apply(struct report_doc *d, struct suppression_list *l,
		       const char *today);
/* today's date, UTC, "YYYY-MM-DD" */
void gate_today(char out[11]);

#endif
