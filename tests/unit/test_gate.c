/*
 * test_gate.c - the CI writers (SARIF, JUnit, Markdown, annotations,
 * DefectDojo), the JSON reader, baselines, suppressions and shards.
 *
 * The input of the golden files is tests/fixtures/gate/input.json, a saved
 * report with hostile server text (quotes, <script>, ANSI escapes, CR/LF,
 * '); DROP TABLE, a bidi override, invalid UTF-8) in its evidence.
 * Regenerate the goldens with EXPO_UPDATE_GOLDEN=1 after an intended
 * change, and review the diff.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "expo.h"
#include "gate/gate.h"
#include "gate/store.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "spill.h"

#define GATE_DIR "tests/fixtures/gate"
#define INPUT GATE_DIR "/input.json"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static void spew(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *tmp_path(const char *suffix)
{
	char *p = NULL;
	static unsigned n;

	cr_assert(asprintf(&p, "/tmp/expo-gate-%ld-%u%s", (long)getpid(), n++,
			   suffix) > 0);
	return p;
}

static void check_golden(const char *name, const char *got, size_t len)
{
	char path[256];
	char *want;
	size_t wlen;

	snprintf(path, sizeof(path), "%s/%s", GATE_DIR, name);
	if (getenv("EXPO_UPDATE_GOLDEN") != NULL)
		spew(path, got, len);
	want = slurp(path, &wlen);
	cr_expect_eq(len, wlen, "%s: %zu bytes, golden %zu", name, len, wlen);
	cr_expect(len == wlen && memcmp(got, want, len) == 0,
		  "%s differs from the golden file; got:\n%s", name, got);
	free(want);
}

static void load(struct report_doc *d, const char *path)
{
	char *err = NULL;
	int r;

	report_doc_init(d);
	r = report_json_read(path, d, &err);
	cr_assert_eq(r, 0, "%s: %s", path, err ? err : "?");
	free(err);
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80	      ? 1
			: (*p & 0xe0) == 0xc0 ? 2
			: (*p & 0xf0) == 0xe0 ? 3
			: (*p & 0xf8) == 0xf0 ? 4
					      : 0;
		int i;

		if (k == 0)
			return false;
		for (i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += k;
	}
	return true;
}

/* no byte a terminal or a log parser acts on, except the newlines */
static bool no_controls(const char *s, bool allow_nl)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && !(allow_nl && c == '\n')) || c == 0x7f)
			return false;
	}
	return true;
}

typedef int (*file_writer)(const char *, const struct scan_report *);

static char *render(file_writer w, const struct scan_report *r, size_t *len)
{
	char *path = tmp_path(".out"), *text;

	cr_assert_eq(w(path, r), 0);
	text = slurp(path, len);
	unlink(path);
	free(path);
	return text;
}

static char *render_annotations(const struct scan_report *r, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	cr_assert_not_null(f);
	cr_assert_eq(report_annotations_write(f, r), 0);
	fclose(f);
	*len = n;
	return buf;
}

/* ---- golden files ---- */

static void golden_of(const char *name, file_writer w)
{
	struct report_doc d;
	struct scan_report r;
	size_t len;
	char *text;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	text = render(w, &r, &len);
	check_golden(name, text, len);
	free(text);
	report_doc_release(&d);
}

Test(gate_golden, sarif)
{
	golden_of("golden.sarif", report_sarif_write);
}
Test(gate_golden, junit)
{
	golden_of("golden.junit.xml", report_junit_write);
}
Test(gate_golden, markdown)
{
	golden_of("golden.md", report_markdown_write);
}
Test(gate_golden, defectdojo)
{
	golden_of("golden.defectdojo.json", report_defectdojo_write);
}
Test(gate_golden, json)
{
	golden_of("golden.json", report_json_write);
}

Test(gate_golden, annotations)
{
	struct report_doc d;
	struct scan_report r;
	size_t len;
	char *text;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	text = render_annotations(&r, &len);
	check_golden("golden.annotations.txt", text, len);
	free(text);
	report_doc_release(&d);
}

/* ---- hostile text comes out escaped in every format ---- */

Test(gate_hostile, sarif_and_defectdojo_are_json_without_raw_controls)
{
	struct report_doc d;
	struct scan_report r;
	file_writer w[] = { report_sarif_write, report_defectdojo_write };
	size_t i, len;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	for (i = 0; i < 2; i++) {
		char *text = render(w[i], &r, &len);
		cJSON *doc = cJSON_Parse(text);

		cr_assert_not_null(doc, "not JSON:\n%s", text);
		cr_expect(valid_utf8(text));
		/* the escape character is \x1b text, never \u001b */
		cr_expect(strstr(text, "\\u001b") == NULL, "%s", text);
		cr_expect(strstr(text, "\\\\x1b[31m") != NULL, "%s", text);
		cr_expect(strstr(text, "\\r") == NULL);
		cr_expect(strstr(text, "\xe2\x80\xae") == NULL, "bidi");
		cr_expect(strstr(text, "\\\\xff\\\\xfe") != NULL);
		cJSON_Delete(doc);
		free(text);
	}
	report_doc_release(&d);
}

Test(gate_hostile, junit_is_xml_text_only)
{
	struct report_doc d;
	struct scan_report r;
	size_t len;
	char *text;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	text = render(report_junit_write, &r, &len);
	cr_expect(strstr(text, "<script>") == NULL);
	cr_expect(strstr(text, "&lt;script&gt;") != NULL);
	cr_expect(strstr(text, "&apos;); DROP TABLE") != NULL);
	cr_expect(strstr(text, " & ") == NULL, "a raw ampersand");
	cr_expect(no_controls(text, true), "a control byte in JUnit");
	cr_expect(valid_utf8(text));
	cr_expect(strstr(text, "\\xff\\xfe") != NULL);
	free(text);
	report_doc_release(&d);
}

Test(gate_hostile, markdown_cells_cannot_break_the_table)
{
	struct report_doc d;
	struct scan_report r;
	size_t len;
	char *text, *line, *save = NULL;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	text = render(report_markdown_write, &r, &len);
	cr_expect(no_controls(text, true));
	cr_expect(strstr(text, "<script>") == NULL);
	cr_expect(strstr(text, "](http") == NULL, "a live link");
	/* every table row has exactly its columns: unescaped pipes counted */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t pipes = 0, i;

		if (line[0] != '|')
			continue;
		for (i = 0; line[i]; i++)
			if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
				pipes++;
		cr_expect(pipes == 3 || pipes == 7 || pipes == 8,
			  "row with %zu cells: %s", pipes - 1, line);
	}
	free(text);
	report_doc_release(&d);
}

Test(gate_hostile, annotations_are_one_line_each_and_escaped)
{
	struct report_doc d;
	struct scan_report r;
	size_t len;
	char *text, *p;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	text = render_annotations(&r, &len);
	cr_expect(no_controls(text, true));
	for (p = text; *p; p = strchr(p, '\n') + 1) {
		cr_assert(strncmp(p, "::error ", 8) == 0 ||
				  strncmp(p, "::warning ", 10) == 0 ||
				  strncmp(p, "::notice ", 9) == 0,
			  "%s", p);
		if (strchr(p, '\n') == NULL)
			break;
	}
	/* % of the data is escaped; the ':' of the title property too */
	cr_expect(strstr(text, "100%250A") != NULL, "%s", text);
	cr_expect(strstr(text, "title=critical ssh.default_credentials on "
			       "192.0.2.10%3A22::") != NULL,
		  "%s", text);
	/* the suppressed finding is not annotated */
	cr_expect(strstr(text, "ssh.weak_kex") == NULL);
	free(text);
	report_doc_release(&d);
}

/* ---- the JSON reader ---- */

Test(gate_json, round_trip_is_byte_identical)
{
	struct report_doc d, e;
	struct scan_report r;
	char *p1 = tmp_path(".json"), *p2 = tmp_path(".json"), *a, *b;
	size_t la, lb;

	load(&d, INPUT);
	report_doc_view(&d, &r);
	cr_assert_eq(report_json_write(p1, &r), 0);
	load(&e, p1);
	report_doc_view(&e, &r);
	cr_assert_eq(report_json_write(p2, &r), 0);
	a = slurp(p1, &la);
	b = slurp(p2, &lb);
	cr_assert_eq(la, lb);
	cr_assert(memcmp(a, b, la) == 0, "%s\n----\n%s", a, b);
	cr_expect_eq(e.findings.n, 3);
	cr_expect_eq(e.notes[0].baseline, BASELINE_NEW);
	cr_expect_str_eq(e.notes[2].sup_expires, "2099-12-31");
	cr_expect_eq(e.fixed.n, 1);
	cr_expect_eq(e.shard_index, 2);
	cr_expect_eq(e.shard_count, 3);
	cr_expect_str_eq(e.run_id, "nightly-42");
	cr_expect_eq(target_port_exposure(&e.targets.v[0], 22), EXPOSURE_WORLD);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
	free(a);
	free(b);
	report_doc_release(&d);
	report_doc_release(&e);
}

/* parses INPUT with `from` replaced by `to`; returns the error */
static char *error_of(const char *from, const char *to)
{
	struct report_doc d;
	char *text = slurp(INPUT, NULL), *pos, *mod = NULL, *err = NULL;
	int r;

	pos = strstr(text, from);
	cr_assert_not_null(pos, "%s not in the input", from);
	cr_assert(asprintf(&mod, "%.*s%s%s", (int)(pos - text), text, to,
			   pos + strlen(from)) > 0);
	report_doc_init(&d);
	r = report_json_parse(mod, strlen(mod), "in.json", &d, &err);
	cr_expect_neq(r, 0, "accepted: %s -> %s", from, to);
	cr_assert_not_null(err);
	report_doc_release(&d);
	free(text);
	free(mod);
	return err;
}

Test(gate_json, errors_name_the_file_and_the_json_path)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"schema_version\": 1", "\"schema_version\": 2",
		  "in.json: $: \"schema_version\"" },
		{ "\"schema_version\": 1", "\"schema_version\": \"2.0\"",
		  "in.json: $: \"schema_version\"" },
		{ "\"schema_version\": 1", "\"schema_version\": \"1.x\"",
		  "in.json: $: \"schema_version\"" },
		{ "\"severity\": \"critical\"", "\"severity\": \"severe\"",
		  "in.json: $.findings[0]: \"severity\": expected one of" },
		{ "\"port\": 22,\n   \"service\"",
		  "\"port\": 70000,\n   \"service\"",
		  "in.json: $.findings[0]: \"port\": expected an integer" },
		{ "\"address\": \"192.0.2.10\",\n     \"public\"",
		  "\"address\": \"not-an-ip\",\n     \"public\"",
		  "in.json: $.targets[0].addresses[0]: \"address\"" },
		{ "\"team\": \"payments\"", "\"team\": 7",
		  "in.json: $.targets[0]: \"labels\": the value of 'team' is "
		  "not a string" },
		{ "\"duration_ms\": 1234", "\"duration_ms\": -1",
		  "in.json: $.targets[0].ports[1]: \"duration_ms\": expected "
		  "an integer" },
		{ "\"status\": \"closed\"", "\"status\": 3",
		  "in.json: $.targets[2].ports[0]: \"status\"" },
		{ "\"rule\": \"ssh.password_auth\",", "",
		  "in.json: $.findings[1]: missing key \"rule\"" },
		{ "\"fixed\": [", "\"fixed\": 7, \"x\": [",
		  "in.json: $.baseline: \"fixed\": expected an array" },
		{ "{", "[", "in.json: $: not valid JSON" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = error_of(cases[i].from, cases[i].to);

		cr_expect(strncmp(err, cases[i].want, strlen(cases[i].want)) ==
				  0,
			  "case %zu: got '%s', want '%s...'", i, err,
			  cases[i].want);
		free(err);
	}
}

Test(gate_json, unreadable_file_is_named)
{
	struct report_doc d;
	char *err = NULL;

	report_doc_init(&d);
	cr_assert_eq(report_json_read("/nonexistent/r.json", &d, &err),
		     EXPO_EIO);
	cr_assert(strstr(err, "/nonexistent/r.json") != NULL, "%s", err);
	free(err);
	report_doc_release(&d);
}

/* ---- a synthetic scan: n targets, each 10.0.x.y with ssh on 22 ---- */

enum tstate {
	T_CLEAN,
	T_FINDING,
	T_TIMEOUT,
	T_CLOSED,
	T_SILENT,
	T_NOCHECK,
	T_SKIPPED,
	T_ANSWERED
};

static const char *rule_ids[] = { "ssh.password_auth", "ssh.weak_kex",
				  "ssh.default_credentials" };

/* builds a report as JSON text: target i is in state st[i]; a T_FINDING
 * target gets findings for (i % 3) + 1 of the rules */
static char *synth(size_t n, const enum tstate *st)
{
	cJSON *root = cJSON_CreateObject(), *ts, *fs, *t, *a, *ps, *p, *f, *o;
	char id[64], addr[32];
	size_t i, k;
	char *text;

	cJSON_AddNumberToObject(root, "schema_version", 1);
	cJSON_AddStringToObject(root, "started_at", "2024-05-02T10:00:00Z");
	cJSON_AddNumberToObject(root, "duration_s", 1);
	cJSON_AddBoolToObject(root, "show_secrets", false);
	o = cJSON_AddObjectToObject(root, "gate");
	cJSON_AddStringToObject(o, "fail_on", "high");
	cJSON_AddNumberToObject(o, "exit_code", 0);
	ts = cJSON_AddArrayToObject(root, "targets");
	fs = cJSON_AddArrayToObject(root, "findings");
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "10.0.%zu.%zu", i / 250,
			 i % 250 + 1);
		snprintf(id, sizeof(id), "list:%s", addr);
		t = cJSON_CreateObject();
		cJSON_AddItemToArray(ts, t);
		cJSON_AddStringToObject(t, "id", id);
		cJSON_AddNullToObject(t, "name");
		cJSON_AddStringToObject(t, "provider", "list");
		cJSON_AddStringToObject(t, "source", "hosts.txt");
		cJSON_AddNullToObject(t, "account");
		cJSON_AddNullToObject(t, "region");
		cJSON_AddNullToObject(t, "zone");
		cJSON_AddNullToObject(t, "state");
		if (st[i] == T_SKIPPED)
			cJSON_AddStringToObject(t, "skip_reason", "stopped");
		else
			cJSON_AddNullToObject(t, "skip_reason");
		a = cJSON_AddArrayToObject(t, "addresses");
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "address", addr);
		cJSON_AddBoolToObject(o, "public", false);
		ps = cJSON_AddArrayToObject(t, "ports");
		for (k = 0; k < 3 && st[i] != T_SKIPPED; k++) {
			const char *status = "open", *check = NULL;
			int port = 22;

			if (k == 2) {
				/* another port, to tell "host answered" */
				port = 2222;
				status = st[i] == T_ANSWERED ? "closed"
							     : "filtered";
			} else if (k == 1) {
				if (st[i] == T_CLOSED || st[i] == T_SILENT ||
				    st[i] == T_NOCHECK || st[i] == T_ANSWERED)
					continue;
				check = "ssh";
				status = st[i] == T_TIMEOUT ? "timeout"
							    : "open";
			} else if (st[i] == T_CLOSED) {
				status = "closed";
			} else if (st[i] == T_SILENT || st[i] == T_ANSWERED) {
				status = "filtered";
			}
			p = cJSON_CreateObject();
			cJSON_AddItemToArray(ps, p);
			cJSON_AddStringToObject(p, "address", addr);
			cJSON_AddNumberToObject(p, "port", port);
			if (check)
				cJSON_AddStringToObject(p, "check", check);
			else
				cJSON_AddNullToObject(p, "check");
			cJSON_AddStringToObject(p, "status", status);
			cJSON_AddNullToObject(p, "reason");
			cJSON_AddStringToObject(p, "exposure", "unknown");
		}
		for (k = 0; st[i] == T_FINDING && k < i % 3 + 1; k++) {
			char fp[33];

			f = cJSON_CreateObject();
			cJSON_AddItemToArray(fs, f);
			finding_fingerprint(fp, rule_ids[k], id, 22);
			cJSON_AddStringToObject(f, "fingerprint", fp);
			cJSON_AddStringToObject(f, "rule", rule_ids[k]);
			cJSON_AddStringToObject(f, "check", "ssh");
			cJSON_AddStringToObject(f, "title", rule_ids[k]);
			cJSON_AddStringToObject(f, "severity",
						k == 2 ? "critical" : "medium");
			o = cJSON_AddObjectToObject(f, "cvss");
			cJSON_AddNullToObject(o, "vector");
			cJSON_AddNumberToObject(o, "score", k == 2 ? 9.8 : 4.8);
			cJSON_AddStringToObject(f, "confidence",
						k == 2 ? "confirmed"
						       : "inferred");
			cJSON_AddStringToObject(f, "impact",
						k == 2 ? "exec" : "weakened");
			o = cJSON_AddObjectToObject(f, "target");
			cJSON_AddStringToObject(o, "id", id);
			cJSON_AddNullToObject(o, "name");
			cJSON_AddStringToObject(o, "address", addr);
			cJSON_AddBoolToObject(o, "public", false);
			cJSON_AddNumberToObject(f, "port", 22);
			cJSON_AddStringToObject(f, "service", "ssh");
			cJSON_AddStringToObject(f, "exposure", "unknown");
			cJSON_AddStringToObject(f, "evidence", "seen");
			cJSON_AddNullToObject(f, "remediation");
			cJSON_AddNullToObject(f, "references");
			cJSON_AddNullToObject(f, "rank_reason");
		}
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

static void parse_doc(struct report_doc *d, const char *text)
{
	char *err = NULL;

	report_doc_init(d);
	cr_assert_eq(report_json_parse(text, strlen(text), "synth", d, &err), 0,
		     "%s", err ? err : "?");
	/* ranked, as a scan hands it over */
	cr_assert_eq(report_doc_rank(d), 0);
}

static enum tstate *states(size_t n, enum tstate all)
{
	enum tstate *st = calloc(n, sizeof(*st));
	size_t i;

	for (i = 0; i < n; i++)
		st[i] = all;
	return st;
}

/* ---- baselines ---- */

/* a target of the baseline with findings, in each state now, and whether
 * the run then proves its findings fixed */
static const enum tstate now[] = {
	T_FINDING, T_CLEAN,   T_TIMEOUT, T_CLOSED,
	T_SILENT,  T_NOCHECK, T_SKIPPED, T_ANSWERED
};
static const bool fixed_want[] = { false, true,	 false, true,
				   false, false, false, true };

/* base and cur read from n synthetic targets in those states, base then
 * applied to cur as its baseline */
static void apply_states(size_t n, const enum tstate *before,
			 const enum tstate *after, struct report_doc *base,
			 struct report_doc *cur)
{
	char *bt = synth(n, before), *ct = synth(n, after);

	parse_doc(base, bt);
	parse_doc(cur, ct);
	cJSON_free(bt);
	cJSON_free(ct);
	cr_assert_eq(baseline_apply(cur, base, "base.json"), 0);
}

Test(gate_baseline, new_unchanged_and_fixed_only_when_proved)
{
	/* baseline: every target had findings; now each is in one state */
	size_t n = sizeof(now) / sizeof(now[0]), i, k;
	enum tstate *before = states(n + 1, T_FINDING), *after;
	struct report_doc base, cur;

	after = calloc(n + 1, sizeof(*after));
	memcpy(after, now, sizeof(now));
	/* the last target was absent from the baseline and has findings now */
	before[n] = T_CLEAN;
	after[n] = T_FINDING;
	apply_states(n + 1, before, after, &base, &cur);
	for (i = 0; i < cur.findings.n; i++) {
		const struct finding *f = &cur.findings.v[i];
		bool from_last = strstr(f->target_id, "10.0.0.9") != NULL;

		cr_expect_eq(cur.notes[i].baseline,
			     from_last ? BASELINE_NEW : BASELINE_UNCHANGED,
			     "%s %s", f->target_id, f->rule_id);
	}
	for (i = 0; i < n; i++) {
		char id[32];
		size_t hits = 0;

		snprintf(id, sizeof(id), "list:10.0.0.%zu", i + 1);
		for (k = 0; k < cur.fixed.n; k++)
			hits += strcmp(cur.fixed.v[k].target_id, id) == 0;
		cr_expect_eq(hits, fixed_want[i] ? i % 3 + 1 : 0,
			     "target %zu (state %d): %zu fixed", i, now[i],
			     hits);
	}
	free(before);
	free(after);
	report_doc_release(&base);
	report_doc_release(&cur);
}

/* A fleet-wide fix: more fixed findings than a list keeps in memory. The
 * fixed list spills as the findings do, each target's records are found
 * by seeking (not by a pass over the estate per finding), and the JSON
 * report lists every fixed finding. */
Test(gate_baseline, a_fleet_wide_fix_spills_and_proves_each_target)
{
	size_t n = 11200, i, want = 0, listed = 0;
	enum tstate *before = states(n, T_FINDING), *after = states(n, T_CLEAN);
	struct report_doc base, cur;
	struct scan_report view;
	char *path = tmp_path(".json"), *text;
	size_t *hits = calloc(n, sizeof(*hits));
	cJSON *root, *it;

	for (i = 0; i < n; i++) {
		after[i] = now[i % 8];
		want += fixed_want[i % 8] ? i % 3 + 1 : 0;
	}
	cr_assert_gt(want, FINDINGS_SPILL_AFTER);
	apply_states(n, before, after, &base, &cur);
	cr_assert_eq(cur.fixed.n, want);
	cr_assert_not_null(cur.fixed.spill);
	for (i = 0; i < cur.fixed.n; i++) {
		unsigned a, b;

		cr_assert_eq(sscanf(cur.fixed.v[i].target_id, "list:10.0.%u.%u",
				    &a, &b),
			     2);
		hits[a * 250 + b - 1]++;
	}
	for (i = 0; i < n; i++)
		if (hits[i] != (fixed_want[i % 8] ? i % 3 + 1 : 0))
			cr_assert_fail("target %zu (state %d): %zu fixed", i,
				       now[i % 8], hits[i]);
	report_doc_view(&cur, &view);
	cr_assert_eq(report_json_write(path, &view), 0);
	text = slurp(path, NULL);
	root = cJSON_Parse(text);
	cr_assert_not_null(root);
	cJSON_ArrayForEach(
		it, cJSON_GetObjectItem(cJSON_GetObjectItem(root, "baseline"),
					"fixed")) listed++;
	cr_expect_eq(listed, want);
	cJSON_Delete(root);
	free(text);
	unlink(path);
	free(path);
	free(hits);
	free(before);
	free(after);
	report_doc_release(&base);
	report_doc_release(&cur);
}

Test(gate_baseline, no_login_run_does_not_fix_login_findings)
{
	enum tstate *st = states(3, T_FINDING);
	struct report_doc base, cur;
	char *bt, *ct, *with_opts;
	cJSON *root;
	size_t k;

	bt = synth(3, st);
	free(st);
	st = states(3, T_CLEAN);
	ct = synth(3, st);
	/* the options as the JSON writer puts them */
	root = cJSON_Parse(ct);
	cr_assert_not_null(root);
	cr_assert_not_null(cJSON_AddObjectToObject(root, "options"));
	cJSON_AddBoolToObject(cJSON_GetObjectItem(root, "options"), "no_login",
			      true);
	cJSON_AddBoolToObject(cJSON_GetObjectItem(root, "options"), "intrusive",
			      false);
	with_opts = cJSON_Print(root);
	cJSON_Delete(root);
	parse_doc(&base, bt);
	parse_doc(&cur, with_opts);
	cr_assert(cur.no_login);
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	/* target 3 had all three rules; only the login one stays unproven */
	cr_assert_eq(cur.fixed.n, 1 + 2 + 2, "%zu fixed", cur.fixed.n);
	for (k = 0; k < cur.fixed.n; k++)
		cr_expect_str_neq(cur.fixed.v[k].rule_id,
				  "ssh.default_credentials");
	/* the same run with logins allowed proves all six absent */
	cur.no_login = false;
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	cr_expect_eq(cur.fixed.n, 1 + 2 + 3);
	free(st);
	cJSON_free(bt);
	cJSON_free(ct);
	cJSON_free(with_opts);
	report_doc_release(&base);
	report_doc_release(&cur);
}

/* an interrupted run (complete false in its JSON) proves nothing absent:
 * the same clean run that fixes everything fixes nothing, says why, and
 * the merge of a complete and an interrupted shard stays incomplete */
Test(gate_baseline, interrupted_run_fixes_nothing)
{
	enum tstate *st = states(3, T_FINDING);
	struct report_doc base, cur, other;
	struct absence_index *aix;
	char *bt, *ct, *cut, *p, *err = NULL;
	cJSON *root;
	size_t k;
	bool warned = false;

	bt = synth(3, st);
	free(st);
	st = states(3, T_CLEAN);
	ct = synth(3, st);
	root = cJSON_Parse(ct);
	cr_assert_not_null(root);
	cJSON_AddBoolToObject(root, "complete", false);
	cJSON_AddStringToObject(root, "incomplete_reason",
				"interrupted by SIGTERM");
	cut = cJSON_Print(root);
	cJSON_Delete(root);
	parse_doc(&base, bt);
	parse_doc(&cur, ct);
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	cr_assert_eq(cur.fixed.n, 1 + 2 + 3, "the complete run: %zu fixed",
		     cur.fixed.n);
	report_doc_release(&cur);
	parse_doc(&cur, cut);
	cr_assert_str_eq(cur.incomplete_reason, "interrupted by SIGTERM");
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	cr_expect_eq(cur.fixed.n, 0, "%zu fixed", cur.fixed.n);
	for (k = 0; k < cur.nwarnings; k++)
		warned = warned ||
			 strstr(cur.warnings[k], "not called fixed") != NULL;
	cr_expect(warned);
	cr_assert_eq(absence_index_new(&aix, &cur), 0);
	for (k = 0; k < base.findings.n; k++)
		cr_expect(!absence_proved(aix, &base.findings.v[k]));
	absence_index_free(aix);
	/* a complete shard merged with it: still incomplete */
	report_doc_release(&cur);
	parse_doc(&cur, ct);
	/* shards never share a target: the other's get other ids */
	for (p = cut; (p = strstr(p, "list:10.0.0.")) != NULL; p += 12)
		p[10] = '1';
	parse_doc(&other, cut);
	cr_assert_eq(report_doc_merge(&cur, &other, &err), 0, "%s",
		     err ? err : "?");
	cr_expect_str_eq(cur.incomplete_reason, "interrupted by SIGTERM");
	free(err);
	free(st);
	cJSON_free(bt);
	cJSON_free(ct);
	cJSON_free(cut);
	report_doc_release(&base);
	report_doc_release(&cur);
	report_doc_release(&other);
}

Test(gate_baseline, options_must_be_an_object)
{
	static const char head[] = "{\"options\": 5,";
	struct report_doc d;
	enum tstate *st = states(1, T_CLEAN);
	char *text = synth(1, st), *bad, *err = NULL;

	/* "{" + the rest of a valid report, with a bad options member */
	bad = malloc(strlen(text) + sizeof(head));
	cr_assert_not_null(bad);
	strcpy(bad, head);
	strcat(bad, strchr(text, '{') + 1);
	report_doc_init(&d);
	cr_expect_neq(report_json_parse(bad, strlen(bad), "bad.json", &d, &err),
		      0);
	cr_expect(err != NULL && strstr(err, "options") != NULL, "%s",
		  err ? err : "no message");
	free(err);
	free(bad);
	free(st);
	cJSON_free(text);
	report_doc_release(&d);
}

Test(gate_baseline, fail_on_new_gates_new_findings_only)
{
	enum tstate *st = states(3, T_FINDING);
	struct report_doc base, cur;
	char *bt, *ct;

	/* target 3 (index 2) has the critical default_credentials */
	st[2] = T_CLEAN;
	bt = synth(3, st);
	st[2] = T_FINDING;
	ct = synth(3, st);
	parse_doc(&base, bt);
	parse_doc(&cur, ct);
	cur.fail_on = SEV_HIGH;
	cr_assert_eq(report_doc_gate(&cur), 1);
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	cur.fail_on_new = true;
	cr_expect_eq(report_doc_gate(&cur), 1, "the new critical gates");
	report_doc_release(&base);
	/* with it in the baseline too, only unchanged findings: passes */
	parse_doc(&base, ct);
	cr_assert_eq(baseline_apply(&cur, &base, "b"), 0);
	cr_expect_eq(report_doc_gate(&cur), 0);
	cur.fail_on_new = false;
	cr_expect_eq(report_doc_gate(&cur), 1);
	free(st);
	cJSON_free(bt);
	cJSON_free(ct);
	report_doc_release(&base);
	report_doc_release(&cur);
}

/* ---- suppressions ---- */

static char *sup_error(const char *json)
{
	struct suppression_list l = { 0 };
	char *err = NULL;

	cr_expect_neq(
		suppressions_parse(json, strlen(json), "ign.json", &l, &err), 0,
		"accepted: %s", json);
	suppressions_release(&l);
	cr_assert_not_null(err);
	return err;
}

Test(gate_suppress, entries_need_reason_and_a_real_expiry)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"suppressions\":[{\"rule\":\"ssh.weak_kex\","
		  "\"expires\":\"2030-01-01\"}]}",
		  "ign.json: $.suppressions[0]: \"reason\" is required" },
		{ "{\"suppressions\":[{\"rule\":\"ssh.weak_kex\","
		  "\"reason\":\"x\"}]}",
		  "ign.json: $.suppressions[0]: \"expires\" is required" },
		{ "{\"suppressions\":[{\"rule\":\"a\",\"reason\":\"x\","
		  "\"expires\":\"2030-02-30\"}]}",
		  "ign.json: $.suppressions[0]: \"expires\"" },
		{ "[{\"rule\":\"a\",\"reason\":\"x\",\"expires\":\"2030-01-01\"},"
		  "{\"rule\":\"a\",\"reason\":\"x\",\"expiry\":\"2030-01-01\"}]",
		  "ign.json: $.suppressions[1]: unknown key \"expiry\"" },
		{ "[{\"rule\":\"a\",\"reason\":\"x\",\"expires\":\"2030-01-01\","
		  "\"port\":0}]",
		  "ign.json: $.suppressions[0]: \"port\"" },
		{ "[{\"reason\":\"x\",\"expires\":\"2030-01-01\"}]",
		  "ign.json: $.suppressions[0]: \"rule\"" },
		{ "{\"ignore\": []}", "ign.json: $: expected" },
		{ "nope", "ign.json: not valid JSON" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = sup_error(cases[i].json);

		cr_expect(strncmp(err, cases[i].want, strlen(cases[i].want)) ==
				  0,
			  "case %zu: '%s'", i, err);
		free(err);
	}
}

Test(gate_suppress, match_expire_and_warn)
{
	static const char json[] =
		"{\"suppressions\": ["
		/* 0: by rule pattern and target id pattern, port */
		"{\"rule\": \"ssh.weak_*\", \"target\": \"list:10.0.0.2\","
		" \"port\": 22, \"reason\": \"legacy clients\","
		" \"expires\": \"2030-01-01\"},"
		/* 1: by address, but expired */
		"{\"rule\": \"ssh.default_credentials\", \"target\":"
		" \"10.0.0.3\", \"reason\": \"lab box\","
		" \"expires\": \"2024-01-01\"},"
		/* 2: matches nothing (wrong port) */
		"{\"rule\": \"ssh.password_auth\", \"port\": 2222,"
		" \"reason\": \"r\", \"expires\": \"2030-01-01\"},"
		/* 3: the critical of target 3 by address: in force */
		"{\"rule\": \"ssh.default_credentials\", \"target\":"
		" \"10.0.0.*\", \"reason\": \"accepted risk\","
		" \"expires\": \"2025-06-30\"}"
		"]}";
	struct suppression_list l = { 0 };
	struct report_doc d;
	enum tstate *st = states(3, T_FINDING);
	char *text = synth(3, st), *err = NULL;
	size_t i, nsup = 0;

	parse_doc(&d, text);
	cr_assert_eq(
		suppressions_parse(json, strlen(json), "ign.json", &l, &err), 0,
		"%s", err);
	d.fail_on = SEV_HIGH;
	cr_assert_eq(report_doc_gate(&d), 1);
	cr_assert_eq(suppressions_apply(&d, &l, "2025-06-30"), 0);
	for (i = 0; i < d.findings.n; i++) {
		const struct finding *f = &d.findings.v[i];
		bool want = (strcmp(f->target_id, "list:10.0.0.2") == 0 &&
			     strcmp(f->rule_id, "ssh.weak_kex") == 0) ||
			    strcmp(f->rule_id, "ssh.default_credentials") == 0;

		cr_expect_eq(d.notes[i].sup_reason != NULL, want, "%s %s",
			     f->target_id, f->rule_id);
		nsup += d.notes[i].sup_reason != NULL;
	}
	cr_expect_eq(nsup, 2);
	cr_expect_eq(report_doc_gate(&d), 0, "the only critical is accepted");
	cr_assert_eq(d.nwarnings, 2);
	cr_expect(strstr(d.warnings[0], "suppression 2") != NULL &&
			  strstr(d.warnings[0], "expired on 2024-01-01") !=
				  NULL,
		  "%s", d.warnings[0]);
	cr_expect(strstr(d.warnings[1], "suppression 3") != NULL &&
			  strstr(d.warnings[1], "matches no finding") != NULL,
		  "%s", d.warnings[1]);
	/* the day after its expiry, entry 3 no longer applies */
	report_doc_release(&d);
	parse_doc(&d, text);
	cr_assert_eq(suppressions_apply(&d, &l, "2025-07-01"), 0);
	cr_expect_eq(report_doc_gate(&d), 1);
	suppressions_release(&l);
	report_doc_release(&d);
	cJSON_free(text);
	free(st);
}

/* ---- shards ---- */

Test(gate_shard, parse_and_environment)
{
	unsigned k = 0, n = 0;
	char *err = NULL;

	cr_expect_eq(shard_parse("2/4", &k, &n), 0);
	cr_expect(k == 2 && n == 4);
	cr_expect_neq(shard_parse("0/4", &k, &n), 0);
	cr_expect_neq(shard_parse("5/4", &k, &n), 0);
	cr_expect_neq(shard_parse("1/", &k, &n), 0);
	cr_expect_neq(shard_parse("-1/4", &k, &n), 0);
	cr_expect_neq(shard_parse("1/4x", &k, &n), 0);
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	unsetenv("EXPOSURE_SHARD_COUNT");
	cr_expect_eq(shard_from_env(0, &k, &n, &err), 0);
	cr_expect_eq(n, 0, "no variables: not sharded");
	/* Kubernetes: 0-based index, count from the flag or the variable */
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	cr_expect_eq(shard_from_env(3, &k, &n, &err), 0);
	cr_expect(k == 1 && n == 3, "%u/%u", k, n);
	setenv("EXPOSURE_SHARD_COUNT", "5", 1);
	cr_expect_eq(shard_from_env(0, &k, &n, &err), 0);
	cr_expect(k == 1 && n == 5);
	setenv("JOB_COMPLETION_INDEX", "5", 1);
	cr_expect_eq(shard_from_env(0, &k, &n, &err), EXPO_EINVAL);
	cr_expect(err != NULL && strstr(err, "JOB_COMPLETION_INDEX=5") != NULL,
		  "%s", err);
	free(err);
	err = NULL;
	unsetenv("EXPOSURE_SHARD_COUNT");
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	cr_expect_eq(shard_from_env(0, &k, &n, &err), EXPO_EINVAL);
	free(err);
	err = NULL;
	unsetenv("JOB_COMPLETION_INDEX");
	/* GitLab: 1-based */
	setenv("CI_NODE_INDEX", "3", 1);
	setenv("CI_NODE_TOTAL", "3", 1);
	cr_expect_eq(shard_from_env(0, &k, &n, &err), 0);
	cr_expect(k == 3 && n == 3, "%u/%u", k, n);
	setenv("CI_NODE_INDEX", "0", 1);
	cr_expect_eq(shard_from_env(0, &k, &n, &err), EXPO_EINVAL);
	free(err);
}

Test(gate_shard, assignment_is_stable_and_spread)
{
	unsigned counts[4] = { 0 };
	char id[32];
	size_t i;

	/* pinned values: a change of hash would move every target */
	cr_expect_eq(shard_of("aws:i-0abc", 4), shard_of("aws:i-0abc", 4));
	cr_expect_eq(shard_of("list:10.0.0.1", 1), 1);
	for (i = 0; i < 4000; i++) {
		unsigned s;

		snprintf(id, sizeof(id), "list:10.%zu.%zu.%zu", i >> 16,
			 (i >> 8) & 255, i & 255);
		s = shard_of(id, 4);
		cr_assert(s >= 1 && s <= 4);
		counts[s - 1]++;
	}
	for (i = 0; i < 4; i++)
		cr_expect(counts[i] > 800 && counts[i] < 1200, "shard %zu: %u",
			  i + 1, counts[i]);
}

/* a target with one address and the given id */
static void add_target(struct target_list *l, const char *id, const char *addr)
{
	struct target *t = target_list_add(l);

	cr_assert_not_null(t);
	t->id = strdup(id);
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert(t->id != NULL && t->addrs != NULL);
	cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0);
	t->naddrs = 1;
}

Test(gate_shard, filter_keeps_order_and_only_its_targets)
{
	struct target_list l;
	size_t i, kept = 0;
	char id[32], addr[32];

	target_list_init(&l);
	for (i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "list:192.0.2.%zu", i);
		snprintf(addr, sizeof(addr), "192.0.2.%zu", i);
		add_target(&l, id, addr);
		kept += shard_of_target(&l.v[l.n - 1], 3) == 2;
	}
	shard_filter(&l, 2, 3);
	cr_expect_eq(l.n, kept);
	for (i = 0; i < l.n; i++) {
		cr_expect_eq(shard_of_target(&l.v[i], 3), 2);
		if (i > 0)
			cr_expect(strcmp(l.v[i - 1].id, l.v[i].id) != 0);
	}
	target_list_release(&l);
}

/* two targets of one address (two inventories naming one host) are in one
 * shard whatever their ids, for any shard count: --host-rate and the
 * lockout guard then see all the traffic to that address */
Test(gate_shard, same_address_one_shard)
{
	struct target_list l;
	unsigned n, split = 0;
	size_t i;
	char id[64], addr[32];

	target_list_init(&l);
	for (i = 0; i < 200; i++) {
		snprintf(addr, sizeof(addr), "10.7.%zu.%zu", i >> 8, i & 255);
		snprintf(id, sizeof(id), "aws:i-%05zx", i);
		add_target(&l, id, addr);
		snprintf(id, sizeof(id), "list:%s", addr);
		add_target(&l, id, addr);
		/* the ids alone would split some pairs */
		split += shard_of(l.v[l.n - 2].id, 4) !=
			 shard_of(l.v[l.n - 1].id, 4);
	}
	cr_expect(split > 0, "the id hash never split a pair: weak test");
	for (n = 2; n <= 9; n++)
		for (i = 0; i < l.n; i += 2)
			cr_expect_eq(shard_of_target(&l.v[i], n),
				     shard_of_target(&l.v[i + 1], n),
				     "%s and %s split among %u shards",
				     l.v[i].id, l.v[i + 1].id, n);
	/* IPv6, and an IPv4-mapped IPv6 address as its IPv4 one */
	add_target(&l, "gcp:a", "2001:db8::7");
	add_target(&l, "list:2001:db8::7", "2001:db8::7");
	add_target(&l, "azure:b", "::ffff:10.7.0.1");
	for (n = 2; n <= 9; n++) {
		cr_expect_eq(shard_of_target(&l.v[l.n - 3], n),
			     shard_of_target(&l.v[l.n - 2], n));
		cr_expect_eq(shard_of_target(&l.v[l.n - 1], n),
			     shard_of_target(&l.v[2], n)); /* 10.7.0.1 */
	}
	/* every pair kept together by the filter too */
	shard_filter(&l, 1, 2);
	for (i = 0; i < l.n; i++)
		cr_expect_eq(shard_of_target(&l.v[i], 2), 1);
	target_list_release(&l);
}

/* the JSON text of the shard k/n of a report (as a sharded scan writes) */
static char *shard_json(const char *text, unsigned k, unsigned n)
{
	cJSON *root = cJSON_Parse(text), *ts, *fs, *it, *next, *sh;
	char *out;

	cr_assert_not_null(root);
	ts = cJSON_GetObjectItem(root, "targets");
	fs = cJSON_GetObjectItem(root, "findings");
	for (it = ts->child; it != NULL; it = next) {
		next = it->next;
		if (shard_of(cJSON_GetObjectItem(it, "id")->valuestring, n) !=
		    k)
			cJSON_Delete(cJSON_DetachItemViaPointer(ts, it));
	}
	for (it = fs->child; it != NULL; it = next) {
		next = it->next;
		if (shard_of(cJSON_GetObjectItem(
				     cJSON_GetObjectItem(it, "target"), "id")
				     ->valuestring,
			     n) != k)
			cJSON_Delete(cJSON_DetachItemViaPointer(fs, it));
	}
	sh = cJSON_AddObjectToObject(root, "shard");
	cJSON_AddNumberToObject(sh, "index", k);
	cJSON_AddNumberToObject(sh, "count", n);
	out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

/* the JSON of a report, targets sorted by id: what must not change when
 * a run is split into shards and merged (targets come shard by shard) */
static char *canonical(const char *path)
{
	char *text = slurp(path, NULL), *out;
	cJSON *root = cJSON_Parse(text), *ts, *sorted, *it, *best;

	cr_assert_not_null(root);
	ts = cJSON_GetObjectItem(root, "targets");
	sorted = cJSON_CreateArray();
	while (ts->child != NULL) {
		best = ts->child;
		for (it = ts->child; it != NULL; it = it->next)
			if (strcmp(cJSON_GetObjectItem(it, "id")->valuestring,
				   cJSON_GetObjectItem(best, "id")
					   ->valuestring) < 0)
				best = it;
		cJSON_AddItemToArray(sorted,
				     cJSON_DetachItemViaPointer(ts, best));
	}
	cJSON_ReplaceItemInObject(root, "targets", sorted);
	/* which shard wrote it is the only thing allowed to differ */
	cJSON_DeleteItemFromObject(root, "shard");
	out = cJSON_Print(root);
	cJSON_Delete(root);
	free(text);
	return out;
}

Test(gate_shard, split_and_merge_equals_the_unsharded_run)
{
	static const enum tstate mix[] = { T_FINDING, T_CLEAN,	 T_TIMEOUT,
					   T_FINDING, T_SKIPPED, T_FINDING,
					   T_CLOSED,  T_FINDING };
	size_t n = 120, i;
	enum tstate *st = calloc(n, sizeof(*st));
	struct report_doc whole;
	struct scan_report r;
	char *text, *p_whole = tmp_path(".json"), *want;
	unsigned count, k;

	for (i = 0; i < n; i++)
		st[i] = mix[i % (sizeof(mix) / sizeof(mix[0]))];
	text = synth(n, st);
	parse_doc(&whole, text);
	report_doc_view(&whole, &r);
	cr_assert_eq(report_json_write(p_whole, &r), 0);
	want = canonical(p_whole);
	for (count = 2; count <= 5; count++) {
		struct report_doc merged, part;
		char *err = NULL, *p_merged = tmp_path(".json"), *got;

		report_doc_init(&merged);
		for (k = 1; k <= count; k++) {
			char *sj = shard_json(text, k, count);
			char *path = tmp_path(".json");

			/* through files, as `exposure merge` reads them */
			spew(path, sj, strlen(sj));
			if (k == 1) {
				load(&merged, path);
			} else {
				load(&part, path);
				cr_assert_eq(
					report_doc_merge(&merged, &part, &err),
					0, "%s", err);
				report_doc_release(&part);
			}
			unlink(path);
			free(path);
			cJSON_free(sj);
		}
		cr_assert_eq(merged.findings.n, whole.findings.n);
		for (i = 0; i < whole.findings.n; i++)
			cr_expect_str_eq(merged.findings.v[i].fingerprint,
					 whole.findings.v[i].fingerprint,
					 "rank %zu with %u shards", i + 1,
					 count);
		report_doc_view(&merged, &r);
		cr_assert_eq(report_json_write(p_merged, &r), 0);
		got = canonical(p_merged);
		cr_expect_str_eq(got, want, "%u shards merged differ", count);
		unlink(p_merged);
		free(p_merged);
		cJSON_free(got);
		report_doc_release(&merged);
	}
	unlink(p_whole);
	free(p_whole);
	cJSON_free(want);
	cJSON_free(text);
	free(st);
	report_doc_release(&whole);
}

/* a fleet's shard read back spills its findings; merged into a shard
 * that did not, each finding keeps its own note (suppression) */
Test(gate_shard, notes_follow_their_findings_when_one_shard_spilled)
{
	enum tstate *st = states(16, T_FINDING);
	char *text = synth(16, st), *err = NULL;
	struct report_doc a, b;
	struct report_doc *both[2] = { &a, &b };
	size_t i, k, total = 0;

	for (k = 0; k < 2; k++) {
		char *sj = shard_json(text, (unsigned)k + 1, 2);
		char *path = tmp_path(".json");

		spew(path, sj, strlen(sj));
		load(both[k], path);
		unlink(path);
		free(path);
		cJSON_free(sj);
		cr_assert_gt(both[k]->findings.n, 0);
		total += both[k]->findings.n;
		cr_assert_eq(report_doc_notes(both[k]), 0);
		for (i = 0; i < both[k]->findings.n; i++)
			both[k]->notes[i].sup_reason =
				strdup(both[k]->findings.v[i].fingerprint);
	}
	cr_assert_eq(finding_list_spill(&b.findings, spill_new()), 0);
	cr_assert_eq(report_doc_merge(&a, &b, &err), 0, "%s", err);
	cr_assert_eq(a.findings.n, total);
	for (i = 0; i < a.findings.n; i++)
		cr_assert_str_eq(a.notes[i].sup_reason,
				 a.findings.v[i].fingerprint,
				 "finding %zu has another's note", i);
	report_doc_release(&a);
	report_doc_release(&b);
	cJSON_free(text);
	free(st);
}

/* a report of a fleet read back as a stream spills its findings past
 * FINDINGS_SPILL_AFTER: each reads as the file has it, text and all */
Test(gate_shard, a_read_back_fleet_spills_and_reads_the_same)
{
	enum tstate *st = states(9000, T_FINDING);
	char *text = synth(9000, st), *path = tmp_path(".json");
	cJSON *root = cJSON_Parse(text), *it;
	struct report_doc sp;
	size_t i = 0;

	cr_assert_not_null(root);
	spew(path, text, strlen(text));
	report_doc_init(&sp);
	load(&sp, path);
	cr_assert_gt(sp.findings.n, FINDINGS_SPILL_AFTER);
	cr_assert_not_null(sp.findings.spill);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "findings"))
	{
		const struct finding *f = &sp.findings.v[i];
		const cJSON *t = cJSON_GetObjectItem(it, "target");

		cr_assert_lt(i, sp.findings.n);
		if (strcmp(f->target_id,
			   cJSON_GetObjectItem(t, "id")->valuestring) != 0 ||
		    strcmp(f->address,
			   cJSON_GetObjectItem(t, "address")->valuestring) !=
			    0 ||
		    strcmp(f->evidence,
			   cJSON_GetObjectItem(it, "evidence")->valuestring) !=
			    0 ||
		    strcmp(f->rule_id,
			   cJSON_GetObjectItem(it, "rule")->valuestring) != 0)
			cr_assert_fail("finding %zu differs from the file", i);
		cr_assert(f->shares & FINDING_SPILLS_TEXT, "finding %zu", i);
		i++;
	}
	cr_assert_eq(i, sp.findings.n);
	unlink(path);
	free(path);
	cJSON_Delete(root);
	report_doc_release(&sp);
	cJSON_free(text);
	free(st);
}

Test(gate_shard, merging_the_same_shard_twice_is_refused)
{
	enum tstate *st = states(4, T_FINDING);
	struct report_doc a, b;
	char *text = synth(4, st), *err = NULL;

	parse_doc(&a, text);
	parse_doc(&b, text);
	cr_expect_eq(report_doc_merge(&a, &b, &err), EXPO_EINVAL);
	cr_expect(err != NULL && strstr(err, "in two of the reports") != NULL);
	free(err);
	report_doc_release(&a);
	report_doc_release(&b);
	cJSON_free(text);
	free(st);
}

/* ---- caps ---- */

Test(gate_caps, ten_annotations_of_each_level_and_a_notice)
{
	enum tstate *st = states(30, T_FINDING);
	struct report_doc d;
	struct scan_report r;
	char *text = synth(30, st), *out;
	size_t len, errors = 0, warnings = 0, notices = 0;
	const char *p;

	parse_doc(&d, text);
	d.fail_on = SEV_HIGH;
	report_doc_view(&d, &r);
	out = render_annotations(&r, &len);
	for (p = out; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		errors += strncmp(p, "::error ", 8) == 0;
		warnings += strncmp(p, "::warning ", 10) == 0;
		notices += strncmp(p, "::notice ", 9) == 0;
	}
	cr_expect_eq(errors, 10);
	cr_expect_eq(warnings, 10);
	cr_expect_eq(notices, 1);
	cr_expect(strstr(out, "::notice title=exposure::") != NULL, "%s", out);
	free(out);
	report_doc_release(&d);
	cJSON_free(text);
	free(st);
}

Test(gate_caps, markdown_stays_under_one_mib)
{
	size_t n = 3000, len, i;
	enum tstate *st = states(n, T_FINDING);
	struct report_doc d;
	struct scan_report r;
	char *text = synth(n, st), *out, *big;

	parse_doc(&d, text);
	/* evidence of 64 KiB of pipes each: escaping doubles it */
	big = malloc(65537);
	memset(big, '|', 65536);
	big[65536] = '\0';
	for (i = 0; i < d.findings.n; i++) {
		free(d.findings.v[i].evidence);
		d.findings.v[i].evidence = strdup(big);
	}
	report_doc_view(&d, &r);
	out = render(report_markdown_write, &r, &len);
	cr_expect_lt(len, (size_t)1 << 20);
	cr_expect(strstr(out, "more in the full report") != NULL);
	free(out);
	free(big);
	report_doc_release(&d);
	cJSON_free(text);
	free(st);
}

/* ---- the --history folder's trend ---- */

#define HIST_N 12

/* writes dir/name: synth() of st with its head set; shard 0 = unsharded */
static void hist_file(const char *dir, const char *name, const char *run,
		      const char *started, bool complete, unsigned shard,
		      unsigned count, const enum tstate *st)
{
	char *text = synth(HIST_N, st), *sharded, *out, path[512];
	cJSON *root;

	sharded = shard != 0 ? shard_json(text, shard, count) : NULL;
	root = cJSON_Parse(sharded != NULL ? sharded : text);
	cr_assert_not_null(root);
	cJSON_ReplaceItemInObject(root, "started_at",
				  cJSON_CreateString(started));
	cJSON_AddStringToObject(root, "run_id", run);
	cJSON_AddBoolToObject(root, "complete", complete);
	if (strcmp(run, "r1") == 0) {
		/* a suppressed finding: its note's strings must go with it */
		cJSON *f = cJSON_GetArrayItem(
			cJSON_GetObjectItem(root, "findings"), 0);
		cJSON *sup = cJSON_AddObjectToObject(f, "suppressed");

		cJSON_AddStringToObject(sup, "reason", "accepted (SEC-1)");
		cJSON_AddStringToObject(sup, "expires", "2099-01-01");
	}
	out = cJSON_Print(root);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	spew(path, out, strlen(out));
	cJSON_free(out);
	cJSON_Delete(root);
	cJSON_free(sharded);
	cJSON_free(text);
}

/* findings of the targets in shard k of n whose state is T_FINDING in
 * both st and prev: the ones a run of that shard has unchanged */
static size_t kept_in_shard(unsigned k, unsigned n, const enum tstate *prev)
{
	size_t i, kept = 0;
	char id[64];

	for (i = 0; i < HIST_N; i++) {
		snprintf(id, sizeof(id), "list:10.0.0.%zu", i + 1);
		if (shard_of(id, n) == k && prev[i] == T_FINDING)
			kept += i % 3 + 1;
	}
	return kept;
}

static size_t in_shard(unsigned k, unsigned n)
{
	enum tstate *all = states(HIST_N, T_FINDING);
	size_t v = kept_in_shard(k, n, all);

	free(all);
	return v;
}

/*
 * Runs in started-at order whatever the file names; shards merged (the
 * earliest shard's start, a shard saved twice counted once); a fix proved
 * only by a complete run, against the last complete run; an incomplete
 * run or one missing a shard counts what it saw as new against that run.
 */
Test(gate_history, runs_shards_and_fixes_in_started_at_order)
{
	enum tstate *all = states(HIST_N, T_FINDING),
		    *clean = states(HIST_N, T_CLEAN), mixed[HIST_N];
	char *dir = tmp_path(".d"), *err = NULL, cmd[600];
	struct trend t;
	size_t i, fixed = 0, kept = 0, total = in_shard(1, 1);

	for (i = 0; i < HIST_N; i++) {
		mixed[i] = now[i % 8];
		if (fixed_want[i % 8])
			fixed += i % 3 + 1;
		if (mixed[i] == T_FINDING)
			kept += i % 3 + 1;
	}
	cr_assert_eq(mkdir(dir, 0700), 0);
	/* names sort apart from the runs' order */
	hist_file(dir, "z.json", "r1", "2024-05-01T10:00:00Z", true, 0, 0, all);
	hist_file(dir, "b2.json", "r2", "2024-05-02T09:59:00Z", true, 2, 2,
		  mixed);
	hist_file(dir, "b1.json", "r2", "2024-05-02T10:00:00Z", true, 1, 2,
		  mixed);
	hist_file(dir, "b3.json", "r2", "2024-05-02T10:00:00Z", true, 1, 2,
		  mixed);
	hist_file(dir, "a.json", "r3", "2024-05-03T10:00:00Z", false, 0, 0,
		  clean);
	hist_file(dir, "c.json", "r4", "2024-05-04T10:00:00Z", true, 1, 2, all);
	hist_file(dir, "d.json", "r5", "2024-05-05T10:00:00Z", true, 0, 0, all);
	cr_assert_eq(history_dir_trend(dir, &t, &err), 0, "%s",
		     err ? err : "?");
	cr_assert_eq(t.n, 5);
	for (i = 0; i < 5; i++) {
		char want[8];

		snprintf(want, sizeof(want), "r%zu", i + 1);
		cr_expect_str_eq(t.v[i].run, want);
	}
	cr_expect(t.v[0].complete && t.v[0].fresh == total - 1 &&
			  t.v[0].suppressed == 1 && t.v[0].fixed == 0 &&
			  t.v[0].sev[SEV_CRITICAL] == 4,
		  "r1: %zu new, %zu suppressed, %zu fixed", t.v[0].fresh,
		  t.v[0].suppressed, t.v[0].fixed);
	cr_expect_str_eq(t.v[1].started_at, "2024-05-02T09:59:00Z");
	cr_expect(t.v[1].complete && t.v[1].shards_seen == 2 &&
			  t.v[1].shard_count == 2,
		  "r2: %u of %u shards", t.v[1].shards_seen,
		  t.v[1].shard_count);
	cr_expect_eq(t.v[1].fresh, 0);
	cr_expect_eq(t.v[1].fixed, fixed);
	cr_expect_eq(t.v[1].sev[SEV_MEDIUM] + t.v[1].sev[SEV_CRITICAL], kept);
	/* incomplete: nothing of it is fixed, and it is not the next one's
	 * reference */
	cr_expect(!t.v[2].complete && t.v[2].fixed == 0 && t.v[2].fresh == 0,
		  "r3: %zu new, %zu fixed", t.v[2].fresh, t.v[2].fixed);
	cr_expect(!t.v[3].complete && t.v[3].shards_seen == 1 &&
			  t.v[3].fixed == 0,
		  "r4: %u shards, %zu fixed", t.v[3].shards_seen, t.v[3].fixed);
	cr_expect_eq(t.v[3].fresh, in_shard(1, 2) - kept_in_shard(1, 2, mixed));
	cr_expect(t.v[4].complete && t.v[4].fixed == 0, "r5");
	cr_expect_eq(t.v[4].fresh, total - kept);
	trend_release(&t);

	/* a file that is no report fails the trend, naming it */
	snprintf(cmd, sizeof(cmd), "%s/e.json", dir);
	spew(cmd, "{\"schema_version\": 1, \"targets\": [", 34);
	cr_assert_neq(history_dir_trend(dir, &t, &err), 0);
	cr_expect(err != NULL && strstr(err, "e.json") != NULL, "%s",
		  err ? err : "(no message)");
	free(err);
	trend_release(&t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
	free(all);
	free(clean);
}

/* a head read passes over the arrays (and a baseline's fixed list)
 * unparsed, but reads the whole text: a member after them counts, and a
 * cut file is still an error */
Test(gate_history, head_read_passes_over_the_arrays)
{
	static const char doc[] =
		"{\"schema_version\": 1, \"started_at\": \"2024-05-01T00:00:00Z\","
		" \"duration_s\": 1, \"show_secrets\": false,"
		" \"gate\": {\"fail_on\": \"high\", \"exit_code\": 0},"
		" \"baseline\": {\"file\": \"b.json\", \"fixed\": [{\"x\": }]},"
		" \"targets\": [{\"id\": }, \"x\\\"]\"],"
		" \"findings\": [[[]]], \"run_id\": \"late\","
		" \"shard\": {\"index\": 2, \"count\": 3}}";
	char *path = tmp_path(".json"), *err = NULL;
	struct report_doc d;

	spew(path, doc, strlen(doc));
	report_doc_init(&d);
	cr_assert_eq(report_json_read_head(path, &d, &err), 0, "%s",
		     err ? err : "?");
	cr_expect_str_eq(d.run_id, "late");
	cr_expect(d.shard_index == 2 && d.shard_count == 3);
	cr_expect_str_eq(d.started_at, "2024-05-01T00:00:00Z");
	cr_expect_eq(d.targets.n, 0);
	report_doc_release(&d);
	/* the whole read parses the elements, and refuses that target */
	report_doc_init(&d);
	cr_expect_neq(report_json_read(path, &d, &err), 0);
	free(err);
	err = NULL;
	report_doc_release(&d);
	/* cut inside the targets */
	spew(path, doc, 215);
	report_doc_init(&d);
	cr_expect_neq(report_json_read_head(path, &d, &err), 0);
	cr_expect(err != NULL && strstr(err, path) != NULL, "%s",
		  err ? err : "(none)");
	free(err);
	report_doc_release(&d);
	unlink(path);
	free(path);
}
