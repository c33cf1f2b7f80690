/*
 * report_markdown.c - a GitHub job summary ($GITHUB_STEP_SUMMARY) in
 * GitHub-flavoured Markdown: the gate, counts per severity, the top
 * findings (with their target's labels, so an audit can be grouped by
 * owner, team or environment), and with a baseline the new and fixed
 * ones. GitHub refuses a step summary over 1 MiB, so tables are capped in
 * rows and cells, and the whole is checked against MD_MAX.
 *
 * Server text in a table cell: report_escape() first (control characters,
 * bidi, invalid UTF-8 as \xNN, so no line breaks), then every character
 * Markdown or HTML would act on (| ` * _ [ ] < > & ...) is backslash-escaped
 * or written as an entity, so evidence cannot close the table, open a link
 * (':' too: no autolinks) or inject HTML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "report_priv.h"

#define MD_MAX ((size_t)1000 * 1000) /* under GitHub's 1 MiB */
#define MD_ROWS 50
#define MD_CELL 200 /* bytes of a cell before "..." */

struct mw {
	struct dynbuf *b;
	int err;
};

static void put(struct mw *w, const char *s)
{
	if (w->err == 0)
		w->err = dynbuf_addstr(w->b, s);
}

/* one table cell, escaped and cut at MD_CELL bytes (on a character) */
static void cell(struct mw *w, const char *s)
{
	char *e = report_escaped(s);
	const unsigned char *p;
	size_t used = 0;

	if (e == NULL) {
		w->err = EXPO_ENOMEM;
		return;
	}
	for (p = (const unsigned char *)e; *p != '\0' && w->err == 0; p++) {
		if (used >= MD_CELL && (*p & 0xc0) != 0x80) {
			put(w, "...");
			break;
		}
		used++;
		switch (*p) {
		case '<':
			put(w, "&lt;");
			break;
		case '>':
			put(w, "&gt;");
			break;
		case '&':
			put(w, "&amp;");
			break;
		case '|':
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '(':
		case ')':
		case '~':
		case '!':
		case ':':
			if (w->err == 0)
				w->err = dynbuf_addf(w->b, "\\%c", *p);
			break;
		default:
			if (w->err == 0)
				w->err = dynbuf_add(w->b, p, 1);
		}
	}
	free(e);
}

static void row(struct mw *w, const struct scan_report *r,
		const struct finding *f, size_t i, bool with_state,
		const struct target *t)
{
	static const char *const base[] = { "", "new", "unchanged" };
	struct dynbuf hp;
	char *labels;

	dynbuf_init(&hp, 256);
	report_hostport(&hp, f->address, REPORT_PORT(f->port, f->proto));
	put(w, "| ");
	if (w->err == 0)
		w->err = dynbuf_addf(w->b, "%s %.1f",
				     severity_name(f->severity), f->cvss_score);
	put(w, " | `");
	put(w, f->rule_id ? f->rule_id : "?"); /* catalogue ids: [a-z._] */
	put(w, "` | ");
	cell(w, f->target_name ? f->target_name : f->target_id);
	put(w, " | ");
	if ((labels = report_labels_text(t)) == NULL)
		w->err = EXPO_ENOMEM;
	else if (labels[0] != '\0')
		cell(w, labels);
	free(labels);
	put(w, " | ");
	cell(w, dynbuf_ptr(&hp));
	put(w, " | ");
	cell(w, f->evidence);
	if (with_state) {
		put(w, " | ");
		if (r != NULL && r->notes != NULL) {
			if (r->notes[i].sup_reason != NULL)
				put(w, "suppressed");
			else if (r->notes[i].baseline <= BASELINE_UNCHANGED)
				put(w, base[r->notes[i].baseline]);
		}
	}
	put(w, " |\n");
	dynbuf_release(&hp);
}

int report_markdown_write(const char *path, const struct scan_report *r)
{
	struct report_counts c;
	struct dynbuf b;
	struct mw w = { .b = &b };
	const char *result;
	struct target_index ix = { 0 };
	size_t i, nf = r->findings ? r->findings->n : 0, shown = 0;
	bool state = r->notes != NULL;
	int s, ret;

	dynbuf_init(&b, MD_MAX + (64u << 10));
	if ((ret = target_index_build(&ix, r->targets)) != 0)
		return ret;
	report_count(r, &c);
	result = report_gate_result(r, &c);
	put(&w, "## exposure: ");
	put(&w, strcmp(result, "failed") == 0 ? ":x: gate failed"
		: strcmp(result, "passed") == 0
			? ":white_check_mark: gate passed"
			: "gate off");
	if (r->shard_count > 0 && w.err == 0)
		w.err = dynbuf_addf(&b, " (shard %u of %u)", r->shard_index,
				    r->shard_count);
	put(&w, "\n\n");
	if (r->incomplete != NULL) {
		put(&w, "> [!WARNING]\n> **Incomplete run** (");
		cell(&w, r->incomplete);
		put(&w, "): targets and ports not reached are listed as "
			"errors, and nothing missing is called fixed.\n\n");
	}
	if (w.err == 0)
		w.err = dynbuf_addf(
			&b,
			"%zu targets scanned, %zu skipped; "
			"%zu findings, %zu fail the gate "
			"(--fail-on %s%s)",
			c.scanned, c.skipped, nf, c.gate_hits,
			r->fail_on < 0
				? "none"
				: severity_name((enum severity)r->fail_on),
			r->fail_on_new ? ", new only" : "");
	if (c.suppressed > 0 && w.err == 0)
		w.err = dynbuf_addf(&b, "; %zu suppressed", c.suppressed);
	if (r->fixed != NULL && w.err == 0)
		w.err = dynbuf_addf(&b,
				    "; against the baseline: %zu new, "
				    "%zu unchanged, %zu fixed",
				    c.new_findings, c.unchanged, c.fixed);
	put(&w, ".\n\n| severity | findings |\n| --- | ---: |\n");
	for (s = SEV_CRITICAL; s >= SEV_INFO && w.err == 0; s--)
		w.err = dynbuf_addf(&b, "| %s | %zu |\n",
				    severity_name((enum severity)s), c.sev[s]);
	if (w.err == 0)
		w.err = dynbuf_addf(&b,
				    "\n| status | records |\n| --- | ---: |\n"
				    "| timeout | %zu |\n| error | %zu |\n",
				    c.status[STATUS_TIMEOUT],
				    c.status[STATUS_ERROR]);
	if (w.err == 0 && c.status[STATUS_NO_ANSWER] > 0)
		w.err = dynbuf_addf(&b, "| no answer (udp) | %zu |\n",
				    c.status[STATUS_NO_ANSWER]);
	if (nf > 0) {
		put(&w, "\n### Top findings\n\n| severity | rule | target | "
			"labels | address | evidence |");
		put(&w, state ? " state |\n| --- | --- | --- | --- | --- | "
				"--- | --- |\n"
			      : "\n| --- | --- | --- | --- | --- | --- |\n");
		for (i = 0; i < nf && shown < MD_ROWS; i++, shown++)
			row(&w, r, &r->findings->v[i], i, state,
			    target_index_find(&ix,
					      r->findings->v[i].target_id));
		if (nf > shown && w.err == 0)
			w.err = dynbuf_addf(&b,
					    "\n%zu more in the full report "
					    "(--json).\n",
					    nf - shown);
	}
	if (r->fixed != NULL && r->fixed->n > 0) {
		put(&w, "\n### Fixed since the baseline\n\n| severity | rule | "
			"target | labels | address | evidence |\n| --- | --- | "
			"--- | --- | --- | --- |\n");
		for (i = 0; i < r->fixed->n && i < MD_ROWS; i++)
			row(&w, NULL, &r->fixed->v[i], i, false,
			    target_index_find(&ix, r->fixed->v[i].target_id));
		if (r->fixed->n > MD_ROWS && w.err == 0)
			w.err = dynbuf_addf(&b, "\n%zu more fixed.\n",
					    r->fixed->n - MD_ROWS);
	}
	if (r->nwarnings > 0) {
		put(&w, "\n### Warnings\n\n");
		for (i = 0; i < r->nwarnings && i < MD_ROWS; i++) {
			put(&w, "- ");
			cell(&w, r->warnings[i]);
			put(&w, "\n");
		}
	}
	if ((ret = w.err) == 0 && dynbuf_len(&b) > MD_MAX)
		ret = EXPO_ETOOBIG; /* cannot happen with the caps above */
	if (ret == 0)
		ret = write_file_atomic(path, dynbuf_ptr(&b), dynbuf_len(&b));
	target_index_release(&ix);
	dynbuf_release(&b);
	return ret;
}
