/*
 * fuzz_suppressions.c - libFuzzer harness for the suppressions file that
 * --ignore reads (scanner/gate/gate.c suppressions_parse): strict JSON
 * with rule and target patterns, ports, reasons and expiry dates, then
 * suppressions_apply() of what parsed to a real report
 * (tests/fixtures/gate/golden.json, read once from the source tree),
 * which runs the fnmatch patterns against its findings.
 * fuzz_report_json feeds the parser report-shaped bytes; this one starts
 * from suppression files. Seeds: tests/fuzz/corpus/fuzz_suppressions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gate/gate.h"
#include "report/report_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPORT "tests/fixtures/gate/golden.json"

/* the report, from the top of the tree (make check and long-run run
 * there) or next to this source file */
static char *load_report(size_t *len)
{
	static const char *const paths[] = {
		REPORT,
		__FILE__ "/../../../" REPORT,
	};
	char *buf = NULL;
	size_t i;
	FILE *f = NULL;
	long n;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]) && f == NULL; i++)
		f = fopen(paths[i], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz_suppressions: cannot read " REPORT
				": run from the top of the source tree\n");
		abort();
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void check_entries(const struct suppression_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct suppression *s = &l->v[i];

		if (s->rule == NULL || s->reason == NULL ||
		    strnlen(s->expires, sizeof(s->expires)) != 10 ||
		    s->expires[4] != '-' || s->expires[7] != '-' ||
		    (s->port != -1 && (s->port < 1 || s->port > 65535)))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *report;
	static size_t rlen;
	struct suppression_list l = { 0 };
	struct report_doc d;
	char *err = NULL;
	int rc;

	if (report == NULL)
		report = load_report(&rlen);
	rc = suppressions_parse((const char *)data, size, "fuzz.json", &l,
				&err);
	/* a refusal says why, an acceptance does not */
	if ((rc < 0) != (err != NULL))
		__builtin_trap();
	free(err);
	err = NULL;
	if (rc == 0) {
		check_entries(&l);
		report_doc_init(&d);
		if (report_json_parse(report, rlen, REPORT, &d, &err) != 0)
			abort(); /* the fixture itself: not the input's fault */
		(void)suppressions_apply(&d, &l, "2025-06-30");
		report_doc_release(&d);
	}
	suppressions_release(&l);
	return 0;
}
