/*
 * fuzz_report_json.c - libFuzzer harness for what `exposure report`,
 * `merge`, --baseline and --ignore read from files: the strict JSON report
 * reader (report_json_parse), then what is done with a report (ranking,
 * a baseline against itself, a merge of two copies, the annotations
 * and text writers), and the suppressions parser on the same bytes. The
 * same bytes read as a file stream, a few at a time, must read the same;
 * their head alone (what `history` groups runs by) must read wherever the
 * whole does, with the same run, shard and start.
 * Seed: tests/fuzz/corpus/fuzz_report_json (a real report).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gate/gate.h"
#include "report/report_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_doc a, b;
	struct suppression_list sl = { 0 };
	struct scan_report view;
	char *err = NULL;
	FILE *devnull;
	int parsed;

	report_doc_init(&a);
	report_doc_init(&b);
	parsed = report_json_parse((const char *)data, size, "fuzz", &a, &err);
	/* the file stream, a few bytes per read, reads what memory reads */
	devnull = size > 0 ? fmemopen((void *)data, size, "r") : NULL;
	if (devnull != NULL) {
		int r = report_json_fread(devnull, 1 + data[0] % 7, "fuzz", &b,
					  NULL);

		if ((r == 0) != (parsed == 0) ||
		    (r == 0 && b.nrecords != a.nrecords))
			abort();
		fclose(devnull);
		report_doc_release(&b);
		report_doc_init(&b);
	}
	devnull = size > 0 ? fmemopen((void *)data, size, "r") : NULL;
	if (devnull != NULL) {
		int r = report_json_fread_head(devnull, 1 + data[0] % 5, "fuzz",
					       &b, NULL);

		if (parsed == 0 &&
		    (r != 0 || strcmp(a.started_at, b.started_at) != 0 ||
		     (a.run_id == NULL) != (b.run_id == NULL) ||
		     (a.run_id != NULL && strcmp(a.run_id, b.run_id) != 0) ||
		     a.shard_index != b.shard_index ||
		     a.shard_count != b.shard_count ||
		     (a.incomplete_reason == NULL) !=
			     (b.incomplete_reason == NULL)))
			abort();
		fclose(devnull);
		report_doc_release(&b);
		report_doc_init(&b);
	}
	if (parsed == 0) {
		report_doc_rank(&a);
		if (report_json_parse((const char *)data, size, "fuzz", &b,
				      NULL) == 0)
			baseline_apply(&a, &b, "fuzz");
		report_doc_view(&a, &view);
		devnull = fopen("/dev/null", "w");
		if (devnull != NULL) {
			report_annotations_write(devnull, &view);
			/* labels, unknown check names, durations */
			report_text_write(devnull, &view, true, 1);
			fclose(devnull);
		}
		report_doc_release(&b);
		report_doc_init(&b);
		/* the same targets twice: refused, both left intact */
		if (report_json_parse((const char *)data, size, "fuzz", &b,
				      NULL) == 0)
			report_doc_merge(&a, &b, NULL);
	}
	free(err);
	err = NULL;
	if (suppressions_parse((const char *)data, size, "fuzz", &sl, &err) ==
		    0 &&
	    parsed == 0)
		suppressions_apply(&a, &sl, "2025-01-01");
	free(err);
	suppressions_release(&sl);
	report_doc_release(&a);
	report_doc_release(&b);
	return 0;
}
