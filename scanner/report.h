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

/* 12 bytes: a /16 x 4 ports of closed ports stays a few MB. */
struct port_record {
	uint32_t target;	/* index into targets->v */
	uint16_t addr;		/* index into that target's addrs */
	uint16_t port;
	uint8_t status;		/* enum probe_status */
	uint8_t check;		/* index into check_registry, or CHECK_NONE */
	uint16_t reason;	/* index into reasons[], 0 = none */
};
#define CHECK_NONE 0xff

struct scan_report {
	const struct target_list *targets;
	const struct finding_list *findings;	/* ranked */
	const struct port_record *records;
	size_t nrecords;
	const char *const *reasons;	/* reasons[0] is unused */
	size_t nreasons;
	const char *started_at;	/* ISO 8601 UTC */
	double duration_s;
	int fail_on;		/* enum severity, or -1 for none */
	int exit_code;		/* what the gate decided */
	bool show_secrets;	/* secrets in findings are not redacted */
};

/* human report; colour only when `color` */
int report_text_write(FILE *out, const struct scan_report *r, bool color,
		      int verbose);
/* the documented JSON schema (docs/report-schema.md), written atomically */
int report_json_write(const char *path, const struct scan_report *r);
/* "address\tport\tstatus\treason" lines, for scripts and the benchmark */
int report_ports_write(const char *path, const struct scan_report *r);

/* A file written in pieces that appears whole or not at all: a temporary
 * file in the same folder, renamed by commit; abort removes it. "-" is
 * standard output. */
struct atomic_file {
	int fd;
	char *tmp;
	const char *path;
};
int atomic_file_open(struct atomic_file *af, const char *path);
int atomic_file_write(struct atomic_file *af, const void *data, size_t len);
int atomic_file_commit(struct atomic_file *af);
void atomic_file_abort(struct atomic_file *af);

/* writes `data` to path via a temporary file in the same folder + rename */
int write_file_atomic(const char *path, const char *data, size_t len);

#endif
