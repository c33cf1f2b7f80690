/*
 * report_priv.h - helpers shared by the report writers (scanner/report_*.c)
 * and nothing else: text from servers and inventories made safe for a
 * terminal, a TSV line or a JSON string.
 */
#ifndef REPORT_PRIV_H
#define REPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dynbuf.h"
#include "report.h"

/* Largest report a writer builds in memory. */
#define REPORT_MAX_BYTES ((size_t)1 << 31)

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t utf8_seq_len(const unsigned char *s, size_t n);
bool utf8_valid(const char *s);

/* Appends s with control characters (C0, DEL, C1), bidi and line/paragraph
 * separator code points and invalid UTF-8 written as \xNN per byte, so a
 * hostile banner can neither move the cursor nor forge a line. NULL -> "-". */
int report_escape(struct dynbuf *b, const char *s);

/* A malloc'd copy of s with every invalid UTF-8 byte replaced by U+FFFD,
 * or NULL on ENOMEM. */
char *utf8_sanitize(const char *s);

/* Address text of a record's address, "?" when the indexes are off. */
const char *report_record_addr(const struct scan_report *r,
			       const struct port_record *rec, char *buf);
/* The record's reason, or NULL. */
const char *report_record_reason(const struct scan_report *r,
				 const struct port_record *rec);
/* The name of the record's check (one this build lacks too, when r
 * names it), or NULL for a discovery record. */
const char *report_record_check(const struct scan_report *r,
				const struct port_record *rec);
/* Milliseconds the record's probe took, 0 when not measured. */
uint32_t report_record_ms(const struct scan_report *r, size_t i);

/* The check records sorted by (target, port, check name), to find the
 * record (and so the duration) of a finding's probe. */
struct record_index {
	const struct scan_report *r;
	size_t *v;
	size_t n;
};
int record_index_build(struct record_index *ix, const struct scan_report *r);
/* the index into r->records of f's probe, or -1 (ti: f's target) */
long record_index_find(const struct record_index *ix, uint32_t ti,
		       const struct finding *f);
void record_index_release(struct record_index *ix);

/* Every record of each target in turn, without a copy of the records:
 * a scan's records are its discovery records in target order followed by
 * its check records, so only that tail (few) is indexed. Ask for the
 * targets in increasing order; within a target records keep their order. */
struct record_walk {
	const struct port_record *rec;
	size_t sorted; /* records [0, sorted) are in target order */
	size_t *tail;  /* the others, by (target, index) */
	size_t ntail;
	size_t pi, ti; /* cursors into both */
	size_t steps;  /* calls so far: a spilled estate's pages go back */
};
int record_walk_init(struct record_walk *w, const struct scan_report *r);
/* the index of target t's next record, or SIZE_MAX when it has no more */
size_t record_walk_next(struct record_walk *w, uint32_t t);
/* back or forth to target t's first record, in O(log n): then ask for t
 * (random access, where the walk itself only goes forward) */
void record_walk_seek(struct record_walk *w, uint32_t t);
void record_walk_release(struct record_walk *w);

/* A JSON document written as it is produced (report_jsonout.c): an
 * element at a time through cJSON's printer, indented to its depth, so
 * the file is byte for byte cJSON_Print() of the whole tree. Open, put,
 * then always close, which commits the file or, after any error (err
 * given or met), removes it; it returns that error or 0. */
struct json_out {
	struct atomic_file af;
	struct dynbuf b;
	int err;
	bool open;
};
int json_out_open(struct json_out *o, const char *path, unsigned flags);
void json_out_put(struct json_out *o, const char *s, size_t n);
/* s with depth tabs after each of its newlines */
void json_out_indented(struct json_out *o, const char *s, size_t n, int depth);
/* item printed as an element at depth (1: a member of the root, 2: an
 * element of one of its arrays); item is freed */
void json_out_item(struct json_out *o, struct cJSON *item, int depth);
/* element i of a streamed array (", " before all but the first): the one
 * element the caller built into holder, an array (NULL: out of memory),
 * which is freed */
void json_out_element(struct json_out *o, size_t i, struct cJSON *holder,
		      int depth);
/* the one element of a skeleton's long array (an object's member: "key":
 * [HOLE]; anything else is EXPO_EINVAL), whose elements are then
 * streamed: json_out_until_hole() prints the skeleton (freed) up to it,
 * sets *depth to its elements' depth and keeps the text after it in
 * *rest, which json_out_rest() writes and frees */
struct cJSON *json_hole(void);
int json_out_until_hole(struct json_out *o, struct cJSON *skeleton, char **rest,
			int *depth);
void json_out_rest(struct json_out *o, char *rest);
int json_out_close(struct json_out *o, int err);

/* Summary counts every writer prints the same way. */
struct report_counts {
	size_t sev[SEV_CRITICAL + 1];
	size_t status[STATUS_COUNT];
	size_t scanned, skipped;
	size_t gate_hits;  /* findings that fail the gate */
	size_t suppressed; /* findings an --ignore entry matched */
	size_t new_findings, unchanged, fixed; /* with a baseline */
};
void report_count(const struct scan_report *r, struct report_counts *c);
/* "passed", "failed" or "off" */
const char *report_gate_result(const struct scan_report *r,
			       const struct report_counts *c);

/* Appends s XML-escaped for text and attribute values: report_escape()
 * first (control characters, invalid UTF-8, bidi as \\xNN, which XML 1.0
 * could not carry even as character references), then & < > " '. */
int report_xml_escape(struct dynbuf *b, const char *s);
/* a cJSON string, null for NULL, invalid UTF-8 repaired (U+FFFD) */
struct cJSON *report_jstr(const char *s);

/* Targets sorted by id, for lookups by a finding's target id; of two
 * targets with one id, the first in the list is found. */
struct target_index {
	const struct target **v;
	size_t n;
};
int target_index_build(struct target_index *ix, const struct target_list *l);
const struct target *target_index_find(const struct target_index *ix,
				       const char *id);
void target_index_release(struct target_index *ix);

/* "inventory/<provider>/<account-or-source>/<instance-id>", each part
 * percent-encoded: a stable pseudo-path per target (t may be NULL) */
int report_target_uri(struct dynbuf *b, const struct finding *f,
		      const struct target *t);
/* A target's labels (cloud tags, GCP labels and network tags, Ansible
 * groups, list labels): the object of string values, or NULL. */
const struct cJSON *report_labels(const struct target *t);
/* "k=v, k2=v2" through report_escape(), "" when none; NULL on ENOMEM */
char *report_labels_text(const struct target *t);

/* Like report_escape(), but a ':' that would start a line of b (nothing
 * or only blanks since the last newline) becomes \\x3a: GitHub's runner
 * takes a line that starts with "::" after blanks as a workflow command
 * ("::error::", "::add-mask::"), so no inventory or server string may. */
int report_escape_line(struct dynbuf *b, const char *s);

/* a malloc'd copy of s through report_escape() (\\xNN for control
 * characters, invalid UTF-8, bidi), "-" for NULL; NULL on ENOMEM */
char *report_escaped(const char *s);
/* the catalogue entry of a finding's rule, or NULL */
const struct rule *report_rule_of(const struct finding *f);
/* "host:port" of a finding, IPv6 in brackets; "host:161/udp" when port
 * is REPORT_PORT(161, PROTO_UDP) */
int report_hostport(struct dynbuf *b, const char *addr, unsigned port);
/* a port and its protocol in one unsigned: the port in the low 16 bits,
 * so REPORT_PORT(p, PROTO_TCP) is p and TCP prints as it always did */
#define REPORT_PORT(port, proto) ((unsigned)(port) | (unsigned)(proto) << 16)
/* "161/udp", "22": the text of REPORT_PORT(port, proto) into buf */
const char *report_port_text(char buf[16], unsigned port_proto);

#endif
