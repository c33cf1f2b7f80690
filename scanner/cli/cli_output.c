/*
 * cli_output.c - what `scan`, `report` and `merge` do once a report
 * exists (cli.h): baseline, suppressions, the gate, every writer, the
 * store; and, before any work, whether all of that has somewhere to go.
 * Error messages name the flag and the file, escaped.
 */
#include <errno.h>
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

/* The writers, in --help order. A row with no `arg` writes standard
 * output and takes no argument. Only the JSON report (and so --history)
 * carries findings' secrets; the others never print them. */
const struct cli_writer cli_writers[] = {
	{ .name = "json",
	  .arg = "FILE",
	  .help = "JSON report (docs/report-schema.md)",
	  .write_file = report_json_write,
	  .secrets = true },
	{ .name = "ports-out",
	  .arg = "FILE",
	  .help = "address<TAB>port<TAB>status<TAB>reason lines",
	  .write_file = report_ports_write },
	{ .name = "sarif",
	  .arg = "FILE",
	  .help = "SARIF 2.1.0 (GitHub code scanning)",
	  .write_file = report_sarif_write },
	{ .name = "junit",
	  .arg = "FILE",
	  .help = "JUnit XML (GitLab test reports)",
	  .write_file = report_junit_write },
	{ .name = "markdown",
	  .arg = "FILE",
	  .help = "job summary, e.g. $GITHUB_STEP_SUMMARY",
	  .write_file = report_markdown_write },
	{ .name = "github-annotations",
	  .help = "::error/::warning lines on stdout (10 of each)",
	  .write_stream = report_annotations_write },
	{ .name = "defectdojo",
	  .arg = "FILE",
	  .help = "DefectDojo Generic Findings Import JSON",
	  .write_file = report_defectdojo_write },
	{ .name = "html",
	  .arg = "FILE",
	  .help = "self-contained HTML audit report (with\n"
		  "                        --history/--store: the trend of "
		  "past runs)",
	  .write_file = report_html_write,
	  .trend = true },
};
const size_t cli_nwriters = ARRAY_SIZE(cli_writers);
_Static_assert(ARRAY_SIZE(cli_writers) <= CLI_MAX_WRITERS,
	       "raise CLI_MAX_WRITERS");

size_t cli_writer_options(struct option *v, int first)
{
	size_t i;

	for (i = 0; i < cli_nwriters; i++) {
		v[i].name = cli_writers[i].name;
		v[i].has_arg = cli_writers[i].arg ? required_argument
						  : no_argument;
		v[i].flag = NULL;
		v[i].val = first + (int)i;
	}
	return cli_nwriters;
}

void cli_writer_usage(FILE *out)
{
	char opt[64];
	size_t i;

	for (i = 0; i < cli_nwriters; i++) {
		snprintf(opt, sizeof(opt), "--%s%s%s", cli_writers[i].name,
			 cli_writers[i].arg ? " " : "",
			 cli_writers[i].arg ? cli_writers[i].arg : "");
		fprintf(out, "  %-20s  %s\n", opt, cli_writers[i].help);
	}
}

/* "exposure: [PREFIX ][NAME: ]MESSAGE", the name and the message escaped:
 * they may quote a file's or a server's text */
static void say_about(const char *prefix, const char *name, const char *msg)
{
	char *en = name ? report_escaped(name) : NULL;
	char *em = report_escaped(msg);

	fprintf(stderr, "exposure: %s%s%s%s%s\n", prefix ? prefix : "",
		prefix ? " " : "", name ? (en ? en : "?") : "",
		name ? ": " : "", em ? em : "?");
	free(en);
	free(em);
}

static void say(const char *prefix, const char *msg)
{
	say_about(prefix, NULL, msg);
}

static int bad_file(char *err, const char *flag, int r)
{
	say(flag, err ? err : expo_strerror(r));
	free(err);
	return EXIT_USAGE;
}

/* the flag of row i, "--json" */
static const char *flag_of(size_t i, char *buf, size_t size)
{
	snprintf(buf, size, "--%s", cli_writers[i].name);
	return buf;
}

/* every writer's destination, before the scan: each can be created, and
 * no two share one (standard output included) */
static int check_writers(const struct cli_out *o)
{
	char *id[CLI_MAX_WRITERS] = { NULL }, *reason = NULL, *e;
	char fa[32], fb[32];
	size_t i, j;
	int code = 0;

	for (i = 0; i < cli_nwriters && code == 0; i++) {
		const char *path = o->dest[i];

		if (path == NULL)
			continue;
		if (cli_writers[i].arg != NULL &&
		    report_output_check(path, &reason) != 0) {
			say_about(flag_of(i, fa, sizeof(fa)), path,
				  reason ? reason : "cannot be written");
			code = EXIT_USAGE;
			break;
		}
		if ((id[i] = report_output_id(path)) == NULL)
			code = EXIT_NORUN;
		for (j = 0; j < i && code == 0; j++) {
			if (id[j] == NULL || *id[i] == '\0' ||
			    strcmp(id[i], id[j]) != 0)
				continue;
			flag_of(i, fa, sizeof(fa));
			flag_of(j, fb, sizeof(fb));
			if (strcmp(id[i], "-") == 0) {
				fprintf(stderr,
					"exposure: %s and %s both write "
					"standard output: give one of them "
					"a file\nTry 'exposure --help'.\n",
					fb, fa);
			} else {
				e = report_escaped(path);
				fprintf(stderr,
					"exposure: %s and %s both write %s: "
					"give each its own file\nTry "
					"'exposure --help'.\n",
					fb, fa, e ? e : "?");
				free(e);
			}
			code = EXIT_USAGE;
		}
	}
	free(reason);
	for (i = 0; i < cli_nwriters; i++)
		free(id[i]);
	return code;
}

/* --history and --store, before the scan: the folder can be written,
 * the database answers */
static int check_trail(const struct cli_out *o)
{
	char *err = NULL;
	int r;

	if (o->history_dir != NULL &&
	    (r = history_dir_check(o->history_dir, &err)) != 0) {
		say(NULL, err ? err : expo_strerror(r));
		free(err);
		return EXIT_USAGE;
	}
	if (o->store_url != NULL &&
	    (r = store_pg_check(o->store_url, &err)) != 0) {
		say(NULL, err ? err : expo_strerror(r));
		free(err);
		return EXIT_USAGE;
	}
	return 0;
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
		r = report_json_read_findings(o->baseline_path, &o->baseline,
					      &err);
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
	if ((r = check_writers(o)) != 0)
		return r;
	return check_trail(o);
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
	char *e;

	if (r == 0)
		return EXIT_PASS;
	e = report_escaped(path);
	fprintf(stderr, "exposure: %s %s: cannot write: %s\n", flag,
		e ? e : "?",
		r == EXPO_ESYS ? strerror(errno) : expo_strerror(r));
	free(e);
	return EXIT_NORUN;
}

/* The trend of --history/--store for the writers that draw it (HTML),
 * read after this run was stored so that it is the last point. A store
 * that cannot be read costs the chart, not the report. */
static void load_trend(struct cli_out *o, struct trend *t)
{
	char *err = NULL;
	int r = 0;

	if (o->history_dir != NULL)
		r = history_dir_trend(o->history_dir, t, &err);
	else if (o->store_url != NULL)
		r = store_pg_trend(o->store_url, t, &err);
	if (r != 0) {
		say("no trend for the report:", err ? err : expo_strerror(r));
		free(err);
		trend_release(t);
	}
}

/* every clear secret of l redacted as a scan without --show-secrets
 * writes it (redact() in scanner/engine/context.c) */
static int redact_list(struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		char *s = l->v[i].secret;

		if (s == NULL || strcmp(s, "<redacted>") == 0 ||
		    strcmp(s, "(empty)") == 0)
			continue;
		l->v[i].secret = strdup(*s == '\0' ? "(empty)" : "<redacted>");
		free(s);
		if (l->v[i].secret == NULL)
			return EXPO_ENOMEM;
	}
	return 0;
}

/* A saved report written with --show-secrets holds them in clear:
 * `report` and `merge` show them only when asked again. */
static int redact_secrets(const struct cli_out *o, struct report_doc *d)
{
	if (o->show_secrets)
		return 0;
	d->show_secrets = false;
	if (redact_list(&d->findings) != 0 || redact_list(&d->fixed) != 0)
		return EXPO_ENOMEM;
	return 0;
}

int cli_finish(struct cli_out *o, struct report_doc *d)
{
	struct scan_report rep;
	char today[11], *err = NULL, flag[32];
	struct trend trend = { 0 };
	bool stdout_taken = false, need_trend = false;
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
	if (redact_secrets(o, d) != 0)
		return EXIT_NORUN;
	for (i = 0; i < d->nwarnings; i++)
		say("warning:", d->warnings[i]);
	code = report_doc_gate(d);
	d->exit_code = code;
	report_doc_view(d, &rep);
	/* stored first: the trend a writer draws ends with this run */
	if (o->history_dir != NULL &&
	    (r = history_dir_save(o->history_dir, d, &err)) != 0) {
		say(NULL, err ? err : expo_strerror(r));
		free(err);
		err = NULL;
		bad = EXIT_NORUN;
	}
	if (o->store_url != NULL &&
	    (r = store_pg_save(o->store_url, d, &err)) != 0) {
		say(NULL, err ? err : expo_strerror(r));
		free(err);
		err = NULL;
		bad = EXIT_NORUN;
	}
	for (i = 0; i < cli_nwriters; i++)
		if (o->dest[i] != NULL && cli_writers[i].trend && !need_trend)
			need_trend = true;
	if (need_trend)
		load_trend(o, &trend);
	rep.trend = trend.n > 0 ? &trend : NULL;
	for (i = 0; i < cli_nwriters; i++) {
		const struct cli_writer *w = &cli_writers[i];
		const char *path = o->dest[i];

		if (path == NULL)
			continue;
		flag_of(i, flag, sizeof(flag));
		if (w->write_file != NULL) {
			/* a file writer on "-" replaces the text report */
			stdout_taken |= strcmp(path, "-") == 0;
			bad |= write_one(flag, path, w->write_file(path, &rep));
		} else if (w->write_stream(stdout, &rep) != 0) {
			bad |= write_one(flag, "-", EXPO_EIO);
		}
	}
	if (!o->quiet && !stdout_taken)
		report_text_write(stdout, &rep,
				  isatty(STDOUT_FILENO) &&
					  getenv("NO_COLOR") == NULL,
				  o->verbose);
	fflush(stdout);
	trend_release(&trend);
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
			say(NULL, err ? err : expo_strerror(r));
			code = EXIT_USAGE;
			goto out;
		}
		if (i == 0)
			continue;
		if ((r = report_doc_merge(&all, &one, &err)) != 0) {
			say_about("merge:", files[i],
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
		say(NULL, err ? err : expo_strerror(r));
		free(err);
		return r == EXPO_EPARSE || r == EXPO_EINVAL ? EXIT_USAGE
							    : EXIT_NORUN;
	}
	fflush(stdout);
	return EXIT_PASS;
}
