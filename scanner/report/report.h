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

/* "MAJOR.MINOR": a field added bumps the minor number
 * (docs/report-schema.md lists each); readers take any minor of their
 * major, and a report of schema 1 written before minors (the number 1) */
#define REPORT_SCHEMA_MAJOR 1
#define REPORT_SCHEMA_VERSION "1.6"

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

/* One past run for the trend (--history DIR or --store URL), oldest
 * first: open findings per severity (suppressed ones not counted), new
 * since the run before, and fixed (proven absent) since it. */
struct trend_point {
	char run[128];
	char started_at[32];
	size_t sev[SEV_CRITICAL + 1];
	size_t fresh, fixed, suppressed;
	unsigned shards_seen, shard_count;
	bool complete;
};

struct trend {
	struct trend_point *v;
	size_t n;
};

struct scan_report {
	const struct target_list *targets;
	const struct finding_list *findings; /* ranked */
	const struct port_record *records;
	size_t nrecords;
	/* NULL, or one per record: how long the check probe took (0 for a
	 * discovery record, which is timed as a batch) */
	const uint32_t *durations_ms;
	/* names of checks this build lacks, read from a saved report: a
	 * record's check index check_registry_len + k names check_names[k] */
	const char *const *check_names;
	size_t ncheck_names;
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
	const struct trend *trend; /* NULL: no --history/--store */
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
/* the self-contained HTML audit report, built into b / written to path */
struct dynbuf;
int report_html_build(struct dynbuf *b, const struct scan_report *r);
int report_html_write(const char *path, const struct scan_report *r);
/* GitHub Actions workflow commands: at most 10 ::error and 10 ::warning */
int report_annotations_write(FILE *out, const struct scan_report *r);

/* A file written in pieces that appears whole or not at all: a temporary
 * file next to the file (a symlink is followed to it), renamed by commit;
 * abort removes it. A character device or a FIFO is written through,
 * never replaced; "-" is standard output. report_file.c says why. */
struct atomic_file {
	int fd;
	char *tmp;
	const char *path;
	char *final; /* path with its symlinks followed: what is replaced */
	int kind;
	int slot; /* in the registry atomic_file_remove_temps() reads */
	uint64_t written, synced; /* bytes so far; written back from 0 */
};
/* flags: AF_PRIVATE, a new file is 0600 (it may hold secrets); AF_SECRET,
 * it holds clear secrets: 0600 even when replacing a wider file */
enum { AF_PRIVATE = 1, AF_SECRET = 2 };
int atomic_file_open(struct atomic_file *af, const char *path);
int atomic_file_open_flags(struct atomic_file *af, const char *path,
			   unsigned flags);
int atomic_file_write(struct atomic_file *af, const void *data, size_t len);
int atomic_file_commit(struct atomic_file *af);
void atomic_file_abort(struct atomic_file *af);
/* Removes every temporary file being written. Async-signal-safe (unlink
 * only): for a signal handler that ends the process at once. */
void atomic_file_remove_temps(void);

/* writes `data` to path via a temporary file in the same folder + rename */
int write_file_atomic(const char *path, const char *data, size_t len);
int write_file_atomic_flags(const char *path, const char *data, size_t len,
			    unsigned flags);

/* Before any work: could a report be written at path? Nothing is created,
 * opened or cut (a FIFO is not opened: its reader would see an end). 0, or
 * EXPO_EINVAL with *reason ("folder /x does not exist"; caller frees). */
int report_output_check(const char *path, char **reason);
/* What path would write to, as a string two names of one file share
 * ("-" for standard output, "" for /dev/null, which any number of writers
 * may share); malloc'd, NULL on ENOMEM. */
char *report_output_id(const char *path);

#endif
