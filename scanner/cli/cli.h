/*
 * cli.h - the part of the command line shared by `scan`, `report` and
 * `merge`: the writers, the gate (--fail-on, --baseline, --fail-on-new,
 * --ignore) and the audit trail (--store, --history). main.c parses;
 * scanner/cli/cli_output.c does.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include "gate/gate.h"
#include "report/report_doc.h"

enum exit_code { EXIT_PASS = 0, EXIT_GATE = 1, EXIT_USAGE = 2, EXIT_NORUN = 3 };

struct cli_out {
	const char *json, *ports, *sarif, *junit, *markdown, *defectdojo;
	bool annotations; /* --github-annotations on stdout */
	const char *html; /* written last: it draws the stored trend */
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
 * Checks option combinations. 0 or an exit code. */
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
