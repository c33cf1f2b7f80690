/*
 * store.h - the audit trail of scheduled runs: PostgreSQL (--store URL) or
 * a folder of JSON reports (--history DIR), and the trends printed by
 * `exposure history`.
 */
#ifndef STORE_H
#define STORE_H

#include <stdio.h>
#include "report/report_doc.h"

/* Records one report (one shard of run d->run_id, or a whole run) in the
 * PostgreSQL database at url, creating the schema on first use. Findings
 * are keyed by fingerprint with first_seen/last_seen; fixed_at is set only
 * when every shard of the run is stored, and only for findings the run
 * proved absent (absence_proved). Storing a shard twice is a
 * no-op. 0, or < 0 with *err set. Blocking, bounded by connect_timeout and
 * statement_timeout. */
int store_pg_save(const char *url, const struct report_doc *d, char **err);
/* findings per severity per run, new and fixed, oldest first: as data
 * (out is always initialised; trend_release() it) or printed */
int store_pg_trend(const char *url, struct trend *out, char **err);
/* Before the scan: connects to url and disconnects, so a refused or
 * unknown database stops the run at once. *err shows the URL with its
 * password as ***. 0, or < 0 with *err set. */
int store_pg_check(const char *url, char **err);
/* findings per severity per run, new and fixed, oldest first */
int store_pg_history(const char *url, FILE *out, char **err);

/* writes d as DIR/<started_at>_<run>[_shard-K-of-N].json */
int history_dir_save(const char *dir, const struct report_doc *d, char **err);
/* Before the scan: DIR is a folder that can be written, or its parent
 * is (it is created at the first save). Creates nothing. 0, or < 0 with
 * *err set. */
int history_dir_check(const char *dir, char **err);
/* the same trends from the reports in DIR */
int history_dir_trend(const char *dir, struct trend *out, char **err);
int history_dir_print(const char *dir, FILE *out, char **err);

/* the table `exposure history` prints, one line per run */
void trend_print(FILE *out, const struct trend *t);
void trend_release(struct trend *t);

#endif
