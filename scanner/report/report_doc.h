/*
 * report_doc.h - a report as data that owns everything in it: what a scan
 * produced, or what report_json_read() got back from a --json file. The
 * `report`, `merge`, --baseline and --history paths all work on it, and
 * report_doc_view() hands it to the writers as a struct scan_report.
 */
#ifndef REPORT_DOC_H
#define REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "finding.h"
#include "report.h"
#include "target.h"

struct report_doc {
	struct target_list targets;
	struct finding_list findings; /* ranked */
	struct finding_note *notes;   /* NULL or one per finding */
	struct finding_list fixed;    /* baseline findings fixed */
	bool has_baseline;	      /* `fixed` means something */
	char *baseline_path;
	struct port_record *records;
	size_t nrecords, arecords;
	uint32_t *durations_ms; /* NULL, or one per record (ms a probe took) */
	size_t adurations;
	struct spill *records_spill; /* NULL, or where both of them live */
	char **check_names;	     /* checks this build lacks (scan_report) */
	size_t ncheck_names;
	char **reasons; /* reasons[0] is NULL */
	size_t nreasons, areasons;
	char **warnings;
	size_t nwarnings;
	char started_at[32];
	double duration_s;
	int fail_on;
	int exit_code;
	bool show_secrets;
	/* what the run was allowed to try: a login or intrusive finding is
	 * never called fixed by a run that could not have seen it */
	bool no_login, intrusive;
	bool fail_on_new;
	char *run_id;
	unsigned shard_index, shard_count;
	/* NULL: the run went to its end; else why not ("interrupted by
	 * SIGTERM"). Nothing missing from such a run is ever called fixed. */
	char *incomplete_reason;
};

void report_doc_init(struct report_doc *d);
void report_doc_release(struct report_doc *d);

/* Reads a --json report (schema_version 1) as a stream, strictly: a missing or
 * mistyped field is an error naming the file and the JSON path
 * ("a.json: $.findings[2].port: expected an integer 0-65535"), set in
 * *err (caller frees). 0, EXPO_EIO (cannot read), EXPO_EPARSE. */
int report_json_read(const char *path, struct report_doc *d, char **err);
int report_json_parse(const char *text, size_t len, const char *name,
		      struct report_doc *d, char **err);
/* The same from an open stream, read `chunk` bytes at a time (0: 64 KiB;
 * the fuzzer reads a few bytes at a time to cross every boundary). */
int report_json_fread(FILE *f, size_t chunk, const char *name,
		      struct report_doc *d, char **err);
/* The findings only (targets and port records are checked as JSON, not
 * kept): what --baseline needs of a report, in memory of its findings. */
int report_json_read_findings(const char *path, struct report_doc *d,
			      char **err);
/* The head only (when, run, shard, complete, options, gate): targets,
 * findings, baseline and warnings are passed over, bounded, unparsed. What
 * a --history folder's runs are sorted and grouped by before any is read
 * whole. */
int report_json_read_head(const char *path, struct report_doc *d, char **err);
int report_json_fread_head(FILE *f, size_t chunk, const char *name,
			   struct report_doc *d, char **err);

/* Moves everything of src into dst (src is left empty); a target whose id
 * dst already has is an error (shards never overlap). Re-ranks. */
int report_doc_merge(struct report_doc *dst, struct report_doc *src,
		     char **err);
/* Moves d's findings into *out (empty before) and releases the rest of
 * d, their notes included. 0, or EXPO_ENOMEM (d then released too). */
int report_doc_take_findings(struct report_doc *d, struct finding_list *out);

/* the writers' view of d */
void report_doc_view(const struct report_doc *d, struct scan_report *r);

/* index of a reason text in d->reasons, added when new (0 for NULL) */
int report_doc_reason(struct report_doc *d, const char *text, uint16_t *out);
/* appends a record */
int report_doc_record(struct report_doc *d, const struct port_record *rec);
/* appends a record whose probe took ms milliseconds */
int report_doc_record_ms(struct report_doc *d, const struct port_record *rec,
			 uint32_t ms);
/* the check index of a name: the registry's, or one past it for a check
 * this build lacks (kept in d->check_names); EXPO_ETOOBIG when full */
int report_doc_check(struct report_doc *d, const char *name, uint8_t *out);
/* the name of a record's check, NULL for a discovery record */
const char *report_doc_check_name(const struct report_doc *d,
				  const struct port_record *rec);
/* a malloc'd warning line */
int report_doc_warn(struct report_doc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* re-ranks the findings and keeps every note with its finding */
int report_doc_rank(struct report_doc *d);
/* the notes array, allocated (zeroed) when missing */
int report_doc_notes(struct report_doc *d);

#endif
