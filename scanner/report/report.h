/*
 * report.h - what every writer is fed: the scan's targets, the per-port
 * statuses and the ranked findings. Writers read it and own nothing in it.
 * File writers write to a temporary name in the same folder and rename,
 * so a crash never leaves half a report.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "finding.h"
#include "target.h"

#define REPORT_SCHEMA_VERSION 1

/* What a baseline says of a finding (--baseline). */
enum baseline_state {
	BASELINE_NONE = 0,  /* no baseline was given */
	BASELINE_NEW,	    /* not in the baseline */
	BASELINE_UNCHANGED, /* in the baseline too */
};

/* Per finding, beside the ranked list: the baseline state and, when a
 * suppression (--ignore) matched, its reason and expiry. */
struct finding_note {
	uint8_t baseline;  /* enum baseline_state */
	char *sup_reason;  /* NULL: not suppressed */
	char *sup_expires; /* "YYYY-MM-DD" */
};

struct scan_report {
	const struct target_list *targets;
	const struct finding_list *findings; /* ranked */
	const struct port_record *records;
	size_t nrecords;
	const char *const *reasons; /* reasons[0] is unused */
	size_t nreasons;
	const char *started_at; /* ISO 8601 UTC */
	double duration_s;
	int fail_on;		  /* enum severity, or -1 for none */
	int exit_code;		  /* what the gate decided */
	bool show_secrets;	  /* secrets in findings are not redacted */
	bool no_login, intrusive; /* the scan's --no-login, --intrusive */
	/* CI gate and audit (all optional: zero means absent) */
	const struct finding_note *notes; /* NULL or one per finding */
	const struct finding_list *fixed; /* baseline findings fixed in
						 * this run; NULL: no baseline */
	const char *baseline_path;
	bool fail_on_new; /* the gate counts new findings only */
	const char *run_id;
	unsigned shard_index, shard_count; /* 1-based; 0: not sharded */
	const char *const *warnings;	   /* suppression warnings */
	size_t nwarnings;
	/* NULL: the scan ran to its end; else why it did not ("interrupted
	 * by SIGTERM"): every writer says so */
	const char *incomplete;
};

/* true when finding i counts for the gate: at or above fail_on, not
 * suppressed, and new when fail_on_new */
bool report_finding_gates(const struct scan_report *r, size_t i);
bool report_finding_suppressed(const struct scan_report *r, size_t i);

/* human report; colour only when `color` */
int report_text_write(FILE *out, const struct scan_report *r, bool color,
		      int verbose);
/* the documented JSON schema (docs/report-schema.md), written atomically */
int report_json_write(const char *path, const struct scan_report *r);
/* "address\tport\tstatus\treason" lines, for scripts and the benchmark */
int report_ports_write(const char *path, const struct scan_report *r);
/* SARIF 2.1.0 for GitHub code scanning */
int report_sarif_write(const char *path, const struct scan_report *r);
/* JUnit XML: a testsuite per target, a testcase per (rule, port) */
int report_junit_write(const char *path, const struct scan_report *r);
/* GitHub job summary (GitHub-flavoured Markdown, under 1 MiB) */
int report_markdown_write(const char *path, const struct scan_report *r);
/* DefectDojo Generic Findings Import JSON */
int report_defectdojo_write(const char *path, const struct scan_report *r);
/* GitHub Actions workflow commands: at most 10 ::error and 10 ::warning */
int report_annotations_write(FILE *out, const struct scan_report *r);

/* A file written in pieces that appears whole or not at all: a temporary
 * file in the same folder, renamed by commit; abort removes it. "-" is
 * standard output. */
struct atomic_file {
	int fd;
	char *tmp;
	const char *path;
	int slot; /* in the registry atomic_file_remove_temps() reads */
};
int atomic_file_open(struct atomic_file *af, const char *path);
int atomic_file_write(struct atomic_file *af, const void *data, size_t len);
int atomic_file_commit(struct atomic_file *af);
void atomic_file_abort(struct atomic_file *af);
/* Removes every temporary file being written. Async-signal-safe (unlink
 * only): for a signal handler that ends the process at once. */
void atomic_file_remove_temps(void);

/* writes `data` to path via a temporary file in the same folder + rename */
int write_file_atomic(const char *path, const char *data, size_t len);

#endif
