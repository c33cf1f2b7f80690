/*
 * cli.h - the part of the command line shared by `scan`, `report` and
 * `merge`: the writers, the gate (--fail-on, --baseline, --fail-on-new,
 * --ignore) and the audit trail (--store, --history). main.c parses;
 * scanner/cli/cli_output.c does.
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "gate/gate.h"
#include "report/report_doc.h"

enum exit_code { EXIT_PASS = 0, EXIT_GATE = 1, EXIT_USAGE = 2, EXIT_NORUN = 3 };

/* The report writers, one row each (cli_output.c): the option parser,
 * --help, the checks before the scan, the duplicate-destination check and
 * the writing loop all walk this table, so a new output format is one
 * writer file and one row. */
struct cli_writer {
	const char *name; /* the long option, without "--" */
	const char *arg;  /* "FILE"; NULL: no argument, writes stdout */
	const char *help; /* its --help line */
	int (*write_file)(const char *path, const struct scan_report *r);
	int (*write_stream)(FILE *out, const struct scan_report *r);
	/* may carry what --show-secrets unredacts: the writer creates its
	 * file 0600 (unit test output/secret_writers_make_private_files) */
	bool secrets;
	/* draws the trend of --history/--store (read after the run is
	 * stored) */
	bool trend;
};
#define CLI_MAX_WRITERS 16
extern const struct cli_writer cli_writers[];
extern const size_t cli_nwriters;

/* the writers' getopt entries, val = first + row; returns the count */
size_t cli_writer_options(struct option *v, int first);
/* the writers' --help lines */
void cli_writer_usage(FILE *out);

struct cli_out {
	/* per cli_writers row: the path, "-" (standard output), or NULL */
	const char *dest[CLI_MAX_WRITERS];
	bool show_secrets; /* --show-secrets: else saved secrets are redacted */
	const char *baseline_path, *ignore_path;
	const char *store_url, *history_dir;
	const char *run_id; /* --run-id or EXPOSURE_RUN_ID */
	bool fail_on_new;
	int fail_on;	  /* enum severity or -1 */
	bool fail_on_set; /* given: overrides a saved report's */
	bool quiet;
	int verbose;
	/* loaded by cli_prepare() */
	struct report_doc baseline;
	bool have_baseline;
	struct suppression_list sup;
	bool have_sup;
};

/* Loads --baseline and --ignore before anything runs, so a bad file stops
 * the command at once (exit 2, the message names the file and JSON path).
 * Checks option combinations, and every destination before the work: each
 * writer's file can be created (nothing is created yet), no two writers
 * share a file or standard output, --history's folder can be written, the
 * --store database answers. 0 or an exit code. */
int cli_prepare(struct cli_out *o, bool sharded);
/* Applies the baseline and the suppressions to d, decides the gate, writes
 * every requested output, stores the run. Returns the exit code: the
 * gate's (0, 1), or 3 when an output could not be written or stored. */
int cli_finish(struct cli_out *o, struct report_doc *d);
void cli_out_release(struct cli_out *o);

/* `exposure report FILE`, `exposure merge FILE...`, `exposure history` */
int cli_report(struct cli_out *o, const char *const *files, size_t n,
	       bool merge);
int cli_history(struct cli_out *o);

#endif
