/*
 * cli_output.c - what `scan`, `report` and `merge` do once a report
 * exists (cli.h): baseline, suppressions, the gate, every writer, the
 * store. Error messages name the flag and the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "expo.h"
#include "report/report.h"
#include "report/report_priv.h"
#include "gate/store.h"

static int bad_file(char *err, const char *flag, int r)
{
	fprintf(stderr, "exposure: %s %s\n", flag,
		err ? err : expo_strerror(r));
	free(err);
	return EXIT_USAGE;
}

int cli_prepare(struct cli_out *o, bool sharded)
{
	char *err = NULL;
	int r;

	report_doc_init(&o->baseline);
	if (o->run_id == NULL) {
		const char *env = getenv("EXPOSURE_RUN_ID");

		if (env != NULL && *env != '\0')
			o->run_id = env;
	}
	if (sharded && o->run_id == NULL &&
	    (o->store_url != NULL || o->history_dir != NULL)) {
		fprintf(stderr,
			"exposure: a sharded run stored with --store "
			"or --history needs --run-id ID (or EXPOSURE_RUN_ID), "
			"the same for every shard, so the shards merge into "
			"one run\nTry 'exposure --help'.\n");
		return EXIT_USAGE;
	}
	if (o->run_id != NULL &&
	    (strlen(o->run_id) > 200 || o->run_id[0] == '\0')) {
		fprintf(stderr, "exposure: --run-id: 1 to 200 characters\n");
		return EXIT_USAGE;
	}
	if (o->fail_on_new && o->baseline_path == NULL) {
		fprintf(stderr,
			"exposure: --fail-on-new needs --baseline FILE "
			"(a previous --json report)\nTry 'exposure --help'.\n");
		return EXIT_USAGE;
	}
	if (o->baseline_path != NULL) {
		r = report_json_read(o->baseline_path, &o->baseline, &err);
		if (r != 0)
			return bad_file(err, "--baseline:", r);
		o->have_baseline = true;
	}
	if (o->ignore_path != NULL) {
		r = suppressions_load(o->ignore_path, &o->sup, &err);
		if (r != 0)
			return bad_file(err, "--ignore:", r);
		o->have_sup = true;
	}
	return 0;
}

void cli_out_release(struct cli_out *o)
{
	report_doc_release(&o->baseline);
	suppressions_release(&o->sup);
}

/* a run id for the store when none was given: time and randomness */
static int make_run_id(struct report_doc *d)
{
	unsigned char rnd[4] = { 0 };
	FILE *f = fopen("/dev/urandom", "r");
	char when[32];
	size_t i, o = 0;

	if (f != NULL) {
		if (fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		fclose(f);
	}
	for (i = 0; d->started_at[i] != '\0' && o + 1 < sizeof(when); i++)
		if (d->started_at[i] >= '0' && d->started_at[i] <= '9')
			when[o++] = d->started_at[i];
	when[o] = '\0';
	return asprintf(&d->run_id, "%s-%02x%02x%02x%02x", when, rnd[0], rnd[1],
			rnd[2], rnd[3]) < 0
		       ? EXPO_ENOMEM
		       : 0;
}

static int write_one(const char *flag, const char *path, int r)
{
	if (r == 0)
		return EXIT_PASS;
	fprintf(stderr, "exposure: %s %s: cannot write: %s\n", flag, path,
		expo_strerror(r));
	return EXIT_NORUN;
}

/* the HTML report, with the trend of --history/--store when given (read
 * after this run was stored, so it is the last point) */
static int write_html(struct cli_out *o, struct scan_report *rep)
{
	struct trend trend = { 0 };
	char *err = NULL;
	int r = 0;

	if (o->history_dir != NULL)
		r = history_dir_trend(o->history_dir, &trend, &err);
	else if (o->store_url != NULL)
		r = store_pg_trend(o->store_url, &trend, &err);
	if (r != 0) {
		char *e = report_escaped(err ? err : expo_strerror(r));

		fprintf(stderr, "exposure: --html: no trend: %s\n",
			e ? e : "?");
		free(e);
		free(err);
	}
	rep->trend = trend.n > 0 ? &trend : NULL;
	r = write_one("--html", o->html, report_html_write(o->html, rep));
	rep->trend = NULL;
	trend_release(&trend);
	return r;
}

int cli_finish(struct cli_out *o, struct report_doc *d)
{
	struct scan_report rep;
	char today[11], *err = NULL;
	size_t i;
	int code, bad = EXIT_PASS, r;

	if (o->fail_on_set)
		d->fail_on = o->fail_on;
	d->fail_on_new = o->fail_on_new;
	if (o->run_id != NULL) {
		free(d->run_id);
		if ((d->run_id = strdup(o->run_id)) == NULL)
			return EXIT_NORUN;
	}
	if ((o->store_url != NULL || o->history_dir != NULL) &&
	    d->run_id == NULL && make_run_id(d) != 0)
		return EXIT_NORUN;
	if (o->have_baseline &&
	    baseline_apply(d, &o->baseline, o->baseline_path) != 0)
		return EXIT_NORUN;
	if (o->have_sup) {
		gate_today(today);
		if (suppressions_apply(d, &o->sup, today) != 0)
			return EXIT_NORUN;
	}
	for (i = 0; i < d->nwarnings; i++) {
		char *e = report_escaped(d->warnings[i]);

		fprintf(stderr, "exposure: warning: %s\n", e ? e : "?");
		free(e);
	}
	code = report_doc_gate(d);
	d->exit_code = code;
	report_doc_view(d, &rep);
	if (o->json != NULL)
		bad |= write_one("--json", o->json,
				 report_json_write(o->json, &rep));
	if (o->ports != NULL)
		bad |= write_one("--ports-out", o->ports,
				 report_ports_write(o->ports, &rep));
	if (o->sarif != NULL)
		bad |= write_one("--sarif", o->sarif,
				 report_sarif_write(o->sarif, &rep));
	if (o->junit != NULL)
		bad |= write_one("--junit", o->junit,
				 report_junit_write(o->junit, &rep));
	if (o->markdown != NULL)
		bad |= write_one("--markdown", o->markdown,
				 report_markdown_write(o->markdown, &rep));
	if (o->defectdojo != NULL)
		bad |= write_one("--defectdojo", o->defectdojo,
				 report_defectdojo_write(o->defectdojo, &rep));
	if (o->annotations && report_annotations_write(stdout, &rep) != 0)
		bad |= write_one("--github-annotations", "-", EXPO_EIO);
	if (o->history_dir != NULL &&
	    (r = history_dir_save(o->history_dir, d, &err)) != 0) {
		fprintf(stderr, "exposure: %s\n", err ? err : expo_strerror(r));
		free(err);
		err = NULL;
		bad = EXIT_NORUN;
	}
	if (o->store_url != NULL &&
	    (r = store_pg_save(o->store_url, d, &err)) != 0) {
		fprintf(stderr, "exposure: %s\n", err ? err : expo_strerror(r));
		free(err);
		err = NULL;
		bad = EXIT_NORUN;
	}
	if (o->html != NULL)
		bad |= write_html(o, &rep);
	if (!o->quiet)
		report_text_write(stdout, &rep,
				  isatty(STDOUT_FILENO) &&
					  getenv("NO_COLOR") == NULL,
				  o->verbose);
	fflush(stdout);
	return bad != EXIT_PASS ? EXIT_NORUN : code;
}

int cli_report(struct cli_out *o, const char *const *files, size_t n,
	       bool merge)
{
	struct report_doc all, one;
	char *err = NULL;
	size_t i;
	int r, code = EXIT_PASS;

	report_doc_init(&all);
	report_doc_init(&one);
	if (n == 0 || (!merge && n != 1)) {
		fprintf(stderr, "exposure: %s\nTry 'exposure --help'.\n",
			merge ? "merge: name the shard reports (--json files) to merge"
			      : "report: name one saved report (a --json file)");
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		r = report_json_read(files[i], i == 0 ? &all : &one, &err);
		if (r != 0) {
			fprintf(stderr, "exposure: %s\n",
				err ? err : expo_strerror(r));
			code = EXIT_USAGE;
			goto out;
		}
		if (i == 0)
			continue;
		if ((r = report_doc_merge(&all, &one, &err)) != 0) {
			fprintf(stderr, "exposure: merge: %s: %s\n", files[i],
				err ? err : expo_strerror(r));
			code = r == EXPO_EINVAL ? EXIT_USAGE : EXIT_NORUN;
			goto out;
		}
		report_doc_release(&one);
	}
	code = cli_finish(o, &all);
out:
	free(err);
	report_doc_release(&one);
	report_doc_release(&all);
	return code;
}

int cli_history(struct cli_out *o)
{
	char *err = NULL;
	int r;

	if ((o->store_url == NULL) == (o->history_dir == NULL)) {
		fprintf(stderr,
			"exposure: history: give --store URL or "
			"--history DIR (one of them)\nTry 'exposure --help'.\n");
		return EXIT_USAGE;
	}
	if (o->store_url != NULL)
		r = store_pg_history(o->store_url, stdout, &err);
	else
		r = history_dir_print(o->history_dir, stdout, &err);
	if (r != 0) {
		fprintf(stderr, "exposure: %s\n", err ? err : expo_strerror(r));
		free(err);
		return r == EXPO_EPARSE || r == EXPO_EINVAL ? EXIT_USAGE
							    : EXIT_NORUN;
	}
	fflush(stdout);
	return EXIT_PASS;
}
