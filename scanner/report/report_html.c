/*
 * report_html.c - the audit report for people: one self-contained HTML
 * file (inline CSS, one small inline script, nothing fetched), readable
 * without JavaScript. The gate and the counts, the trend over past runs as
 * an inline SVG chart (with --history/--store), the findings in rank order
 * with their reason and evidence, counts per label, what was fixed, the
 * timeouts and errors, and the targets without findings.
 *
 * Every string from a server or an inventory goes through
 * report_xml_escape(): control characters, bidi and invalid UTF-8 become
 * \xNN, then & < > " ' become entities, so a banner holding <script> is
 * text. A Content-Security-Policy allows no fetch at all and only our own
 * script (by its SHA-256), so even an escaping bug could not load or run
 * anything.
 *
 * Without JavaScript every finding is shown; the script only adds the
 * filters (severity, check, label) above the table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <cjson/cJSON.h>
#include "expo.h"
#include "report_priv.h"
#include "spill.h"

/* 10,000 findings stay under 10 MB: remediation is written once per rule,
 * evidence and reasons are cut at HTML_CELL bytes */
#define HTML_MAX ((size_t)64 << 20)
#define HTML_CELL 600

struct hw {
	struct dynbuf *b;
	struct atomic_file *af; /* NULL: all of it in b */
	const struct scan_report *r;
	struct target_index ix;
	int err;
};

/* written out a chunk at a time when there is a file: a page that lists
 * a hundred thousand clean targets costs no memory */
#define HTML_CHUNK (64 * 1024)

static void put(struct hw *w, const char *s)
{
	if (w->err == 0)
		w->err = dynbuf_addstr(w->b, s);
	if (w->err == 0 && w->af != NULL && dynbuf_len(w->b) >= HTML_CHUNK) {
		w->err = atomic_file_write(w->af, dynbuf_ptr(w->b),
					   dynbuf_len(w->b));
		dynbuf_reset(w->b);
	}
}

static void putf(struct hw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void putf(struct hw *w, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	if (w->err != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		w->err = EXPO_EINVAL; /* only our own short formats */
	else
		w->err = dynbuf_add(w->b, tmp, (size_t)n);
}

/* untrusted text, escaped; cut first at max bytes of input (0: whole),
 * on a character boundary */
static void esc_cut(struct hw *w, const char *s, size_t max)
{
	size_t n;
	char *cut;

	if (w->err != 0)
		return;
	s = s ? s : "-";
	n = strlen(s);
	if (max == 0 || n <= max) {
		w->err = report_xml_escape(w->b, s);
		return;
	}
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	if ((cut = strndup(s, n)) == NULL) {
		w->err = EXPO_ENOMEM;
		return;
	}
	w->err = report_xml_escape(w->b, cut);
	free(cut);
	put(w, "&hellip;");
}

static void esc(struct hw *w, const char *s)
{
	esc_cut(w, s, 0);
}

/* ---- the page around the content ---- */

static const char page_css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:0;color:#1b1f24;background:#f6f7f9}"
	"header{background:#1b1f24;color:#fff;padding:18px 28px}"
	"header h1{margin:0 0 4px;font-size:22px}"
	"header p{margin:0;color:#c9d1d9}"
	"main{padding:12px 28px 40px;max-width:1500px}"
	"h2{font-size:18px;margin:28px 0 10px}"
	".verdict{display:inline-block;padding:6px 14px;border-radius:6px;"
	"font-weight:600;margin:14px 0 6px}"
	".failed{background:#ffebe9;color:#82071e;border:1px solid #ff8182}"
	".passed{background:#dafbe1;color:#116329;border:1px solid #4ac26b}"
	".off{background:#eaeef2;color:#57606a;border:1px solid #afb8c1}"
	".incomplete{background:#fff8c5;color:#7d4e00;border:1px solid "
	"#d4a72c;padding:8px 12px;border-radius:6px;margin:10px 0}"
	".cards{display:flex;flex-wrap:wrap;gap:10px}"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:6px;"
	"padding:8px 14px;min-width:90px}"
	".card b{display:block;font-size:22px}"
	"table{border-collapse:collapse;background:#fff;width:100%;"
	"font-size:13px}"
	"th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;"
	"vertical-align:top}"
	"th{background:#eaeef2}"
	".grid{background:#fff;border:1px solid #d0d7de;font-size:13px}"
	".row{display:grid;grid-template-columns:3em 7em 14em 10em 10em "
	"9em minmax(14em,2fr) minmax(12em,1.3fr) 7em;"
	"border-top:1px solid #d0d7de;content-visibility:auto;"
	"contain-intrinsic-size:auto 80px}"
	".row>span{padding:4px 6px;overflow-wrap:anywhere}"
	".row.head{background:#eaeef2;font-weight:600;border-top:0;"
	"content-visibility:visible}"
	"code{font:12px ui-monospace,monospace}"
	".sev{font-weight:600;padding:1px 6px;border-radius:4px;color:#fff}"
	".s4{background:#a40e26}.s3{background:#d1242f}.s2{background:#bf8700}"
	".s1{background:#0969da}.s0{background:#6e7781}"
	".lab{display:inline-block;background:#ddf4ff;border-radius:4px;"
	"padding:0 4px;margin:1px;font-size:12px}"
	"details summary{cursor:pointer;color:#0969da}"
	"#filters{margin:8px 0;display:flex;gap:12px;flex-wrap:wrap}"
	"svg text{font:11px system-ui,sans-serif}"
	"footer{color:#57606a;font-size:12px;padding:0 28px 20px}";

/* Filters rows of #findings by data-sev, data-check and data-labels. */
static const char page_js[] =
	"(function(){var f=document.getElementById('filters');"
	"if(!f)return;f.hidden=false;"
	"var rows=document.querySelectorAll('#findings .row[data-sev]');"
	"var cnt=document.getElementById('shown');"
	"function apply(){var s=f.sev.value,c=f.check.value,l=f.label.value,"
	"n=0;for(var i=0;i<rows.length;i++){var r=rows[i],d=r.dataset,"
	"ok=(!s||d.sev===s)&&(!c||d.check===c)&&"
	"(!l||(d.labels||'').split('\\n').indexOf(l)>=0);"
	"r.hidden=!ok;if(ok)n++;}cnt.textContent=n;}"
	"f.addEventListener('change',apply);apply();})();";

/* 'sha256-BASE64' of the inline script, for the CSP */
static int script_hash(char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(page_js, strlen(page_js), md, &mdlen, EVP_sha256(),
		       NULL) != 1 ||
	    mdlen != 32)
		return EXPO_EINVAL;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen); /* 44 + NUL */
	return 0;
}

static void put_head(struct hw *w)
{
	char hash[64];

	if (w->err == 0)
		w->err = script_hash(hash);
	put(w,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:; script-src 'sha256-");
	put(w, hash);
	put(w, "'\"><meta name=\"referrer\" content=\"no-referrer\">"
	       "<title>exposure audit report ");
	esc(w, w->r->started_at);
	put(w, "</title><style>");
	put(w, page_css);
	put(w, "</style></head>\n<body>\n");
}

/* ---- summary ---- */

static void put_summary(struct hw *w, const struct report_counts *c)
{
	const struct scan_report *r = w->r;
	const char *result = report_gate_result(r, c);
	size_t nf = r->findings ? r->findings->n : 0;
	int s;

	put(w, "<header><h1>exposure audit report</h1><p>started ");
	esc(w, r->started_at);
	putf(w, ", %.1f s", r->duration_s);
	if (r->run_id != NULL) {
		put(w, " &middot; run ");
		esc(w, r->run_id);
	}
	if (r->shard_count > 0)
		putf(w, " &middot; shard %u of %u", r->shard_index,
		     r->shard_count);
	put(w, "</p></header>\n<main>\n");
	putf(w, "<div class=\"verdict %s\" id=\"verdict\">gate %s", result,
	     result);
	if (r->fail_on >= 0)
		putf(w, " (--fail-on %s%s): %zu finding%s at or above it",
		     severity_name((enum severity)r->fail_on),
		     r->fail_on_new ? ", new only" : "", c->gate_hits,
		     c->gate_hits == 1 ? "" : "s");
	put(w, "</div>\n");
	putf(w,
	     "<p>%zu targets scanned, %zu skipped; <b id=\"nfindings\">%zu"
	     "</b> findings",
	     c->scanned, c->skipped, nf);
	if (c->suppressed > 0)
		putf(w, ", %zu suppressed", c->suppressed);
	if (r->fixed != NULL)
		putf(w,
		     "; against the baseline: %zu new, %zu unchanged, %zu "
		     "fixed",
		     c->new_findings, c->unchanged, c->fixed);
	putf(w, "; %zu timeouts, %zu errors", c->status[STATUS_TIMEOUT],
	     c->status[STATUS_ERROR]);
	if (c->status[STATUS_NO_ANSWER] > 0)
		putf(w, ", %zu UDP ports without an answer",
		     c->status[STATUS_NO_ANSWER]);
	putf(w, ".</p>\n<div class=\"cards\">");
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		putf(w,
		     "<div class=\"card\" id=\"count-%s\"><b>%zu</b>"
		     "<span class=\"sev s%d\">%s</span></div>",
		     severity_name((enum severity)s), c->sev[s], s,
		     severity_name((enum severity)s));
	put(w, "</div>\n");
}

/* ---- trend over past runs (inline SVG, and the same as a table) ---- */

static size_t trend_total(const struct trend_point *p)
{
	size_t s, n = 0;

	for (s = 0; s <= SEV_CRITICAL; s++)
		n += p->sev[s];
	return n;
}

static void put_trend(struct hw *w)
{
	static const char *const fill[] = { "#6e7781", "#0969da", "#bf8700",
					    "#d1242f", "#a40e26" };
	const struct trend *t = w->r->trend;
	const unsigned W = 900, H = 240, left = 44, bottom = 40, top = 14;
	size_t i, max = 1, bar;
	int s;

	if (t == NULL || t->n == 0)
		return;
	for (i = 0; i < t->n; i++) {
		if (trend_total(&t->v[i]) > max)
			max = trend_total(&t->v[i]);
		if (t->v[i].fresh > max)
			max = t->v[i].fresh;
		if (t->v[i].fixed > max)
			max = t->v[i].fixed;
	}
	bar = (W - left - 10) / t->n;
	if (bar > 60)
		bar = 60;
	put(w, "<h2 id=\"trend\">Trend</h2>\n");
	putf(w,
	     "<svg role=\"img\" aria-label=\"findings per run\" width=\"%u\" "
	     "height=\"%u\" viewBox=\"0 0 %u %u\">",
	     W, H, W, H);
	putf(w,
	     "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
	     "stroke=\"#57606a\"/>",
	     left, H - bottom, W - 4, H - bottom);
	putf(w,
	     "<text x=\"2\" y=\"%u\">%zu</text><text x=\"2\" y=\"%u\">0"
	     "</text>",
	     top + 4, max, H - bottom);
	for (i = 0; i < t->n; i++) {
		const struct trend_point *p = &t->v[i];
		unsigned x = left + 4 + (unsigned)(i * bar);
		double y = H - bottom, scale = (double)(H - bottom - top) / max;

		for (s = SEV_INFO; s <= SEV_CRITICAL; s++) {
			double h = p->sev[s] * scale;

			if (p->sev[s] == 0)
				continue;
			y -= h;
			putf(w,
			     "<rect x=\"%u\" y=\"%.1f\" width=\"%zu\" "
			     "height=\"%.1f\" fill=\"%s\"><title>%s: %zu"
			     "</title></rect>",
			     x, y, bar * 6 / 10, h, fill[s],
			     severity_name((enum severity)s), p->sev[s]);
		}
		/* new (up) and fixed (down) as small marks beside the bar */
		putf(w,
		     "<rect x=\"%zu\" y=\"%.1f\" width=\"4\" height=\"%.1f\" "
		     "fill=\"#8250df\"><title>new: %zu</title></rect>",
		     x + bar * 6 / 10 + 2, H - bottom - p->fresh * scale,
		     p->fresh * scale, p->fresh);
		putf(w,
		     "<rect x=\"%zu\" y=\"%.1f\" width=\"4\" height=\"%.1f\" "
		     "fill=\"#1a7f37\"><title>fixed: %zu</title></rect>",
		     x + bar * 6 / 10 + 7, H - bottom - p->fixed * scale,
		     p->fixed * scale, p->fixed);
		putf(w, "<text x=\"%u\" y=\"%u\">%.5s</text>", x,
		     H - bottom + 14,
		     p->started_at + (strlen(p->started_at) >= 10 ? 5 : 0));
	}
	putf(w,
	     "<text x=\"%u\" y=\"%u\">bars: open findings by severity; "
	     "purple: new; green: fixed</text></svg>\n",
	     left, H - 6);
	put(w, "<table id=\"trend-table\"><thead><tr><th>run</th><th>started"
	       "</th><th>critical</th><th>high</th><th>medium</th><th>low</th>"
	       "<th>info</th><th>new</th><th>fixed</th></tr></thead><tbody>");
	for (i = 0; i < t->n; i++) {
		const struct trend_point *p = &t->v[i];

		put(w, "<tr><td>");
		esc(w, p->run);
		put(w, p->complete ? "" : " (incomplete)");
		put(w, "</td><td>");
		esc(w, p->started_at);
		putf(w,
		     "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
		     "<td>%zu</td><td>%zu</td><td>%zu</td></tr>",
		     p->sev[SEV_CRITICAL], p->sev[SEV_HIGH], p->sev[SEV_MEDIUM],
		     p->sev[SEV_LOW], p->sev[SEV_INFO], p->fresh, p->fixed);
	}
	put(w, "</tbody></table>\n");
}

/* ---- labels ---- */

static const cJSON *labels_of(struct hw *w, const struct finding *f)
{
	const struct target *t =
		target_index_find(&w->ix, f->target_id ? f->target_id : "");

	return t != NULL && t->meta != NULL ? t->meta->tags : NULL;
}

static void put_labels(struct hw *w, const cJSON *tags)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, tags)
	{
		if (!cJSON_IsString(it))
			continue;
		put(w, "<span class=\"lab\">");
		esc_cut(w, it->string, 80);
		put(w, "=");
		esc_cut(w, it->valuestring, 120);
		put(w, "</span>");
	}
}

/* "key=value" lines for the filter (newline separated, escaped) */
static void put_label_attr(struct hw *w, const cJSON *tags)
{
	const cJSON *it;
	bool first = true;

	cJSON_ArrayForEach(it, tags)
	{
		if (!cJSON_IsString(it))
			continue;
		if (!first)
			put(w, "&#10;");
		esc(w, it->string);
		put(w, "=");
		esc(w, it->valuestring);
		first = false;
	}
}

/* distinct values of one list, in order of first appearance */
struct strset {
	char **v;
	size_t n;
};

static int strset_add(struct strset *s, const char *x)
{
	char **nv;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return 0;
	if ((nv = realloc(s->v, (s->n + 1) * sizeof(*nv))) == NULL)
		return EXPO_ENOMEM;
	s->v = nv;
	if ((nv[s->n] = strdup(x)) == NULL)
		return EXPO_ENOMEM;
	s->n++;
	return 0;
}

static void strset_release(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every "key=value" of the findings' targets, sorted */
static int collect_labels(struct hw *w, struct strset *out)
{
	const struct finding_list *fl = w->r->findings;
	size_t i;
	int r = 0;

	for (i = 0; fl != NULL && i < fl->n && r == 0; i++) {
		const cJSON *it, *tags;
		char kv[512];

		spill_pace(i);
		tags = labels_of(w, &fl->v[i]);

		cJSON_ArrayForEach(it, tags)
		{
			if (!cJSON_IsString(it) || r != 0)
				continue;
			snprintf(kv, sizeof(kv), "%s=%s", it->string,
				 it->valuestring);
			r = strset_add(out, kv);
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), strcmp_p);
	return r;
}

static bool has_label(const cJSON *tags, const char *kv)
{
	const cJSON *it;
	size_t klen;

	cJSON_ArrayForEach(it, tags)
	{
		if (!cJSON_IsString(it))
			continue;
		klen = strlen(it->string);
		if (strncmp(kv, it->string, klen) == 0 && kv[klen] == '=' &&
		    strcmp(kv + klen + 1, it->valuestring) == 0)
			return true;
	}
	return false;
}

/* counts per severity for each label: the grouping that needs no script */
static void put_by_label(struct hw *w, const struct strset *labels)
{
	const struct finding_list *fl = w->r->findings;
	size_t i, k;
	int s;

	if (labels->n == 0)
		return;
	put(w, "<h2 id=\"by-label\">Findings by label</h2>\n<table "
	       "id=\"labels\"><thead><tr><th>label</th><th>critical</th>"
	       "<th>high</th><th>medium</th><th>low</th><th>info</th>"
	       "</tr></thead><tbody>");
	for (k = 0; k < labels->n; k++) {
		size_t sev[SEV_CRITICAL + 1] = { 0 };

		for (i = 0; i < fl->n; i++) {
			spill_pace(i);
			if (has_label(labels_of(w, &fl->v[i]), labels->v[k]))
				sev[fl->v[i].severity]++;
		}
		put(w, "<tr><td>");
		esc(w, labels->v[k]);
		put(w, "</td>");
		for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
			putf(w, "<td>%zu</td>", sev[s]);
		put(w, "</tr>");
	}
	put(w, "</tbody></table>\n");
}

/* ---- findings ---- */

static void put_filters(struct hw *w, const struct strset *labels)
{
	const struct finding_list *fl = w->r->findings;
	struct strset checks = { 0 };
	size_t i;
	int s;

	for (i = 0; fl != NULL && i < fl->n && w->err == 0; i++)
		w->err = strset_add(&checks,
				    fl->v[i].check ? fl->v[i].check : "?");
	if (checks.n > 1)
		qsort(checks.v, checks.n, sizeof(*checks.v), strcmp_p);
	/* hidden until the script runs: without it the table is whole */
	put(w, "<form id=\"filters\" hidden><label>severity <select "
	       "name=\"sev\"><option value=\"\">all</option>");
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		putf(w, "<option>%s</option>", severity_name((enum severity)s));
	put(w, "</select></label><label>check <select name=\"check\"><option "
	       "value=\"\">all</option>");
	for (i = 0; i < checks.n; i++) {
		put(w, "<option>");
		esc(w, checks.v[i]);
		put(w, "</option>");
	}
	put(w, "</select></label><label>label <select name=\"label\"><option "
	       "value=\"\">all</option>");
	for (i = 0; i < labels->n; i++) {
		put(w, "<option>");
		esc(w, labels->v[i]);
		put(w, "</option>");
	}
	put(w, "</select></label><span><span id=\"shown\"></span> shown"
	       "</span></form>\n");
	strset_release(&checks);
}

static void put_finding_row(struct hw *w, size_t i, const struct finding *f,
			    bool fixed_list)
{
	const struct scan_report *r = w->r;
	const cJSON *tags = labels_of(w, f);
	struct dynbuf hp;

	dynbuf_init(&hp, 256);
	if (w->err == 0)
		w->err = report_hostport(&hp, f->address,
					 REPORT_PORT(f->port, f->proto));
	putf(w, "<div class=\"row\" role=\"row\" data-sev=\"%s\" data-check=\"",
	     severity_name(f->severity));
	esc(w, f->check);
	put(w, "\" data-labels=\"");
	put_label_attr(w, tags);
	putf(w,
	     "\"><span>%zu</span><span><span class=\"sev s%d\">%s</span> %.1f"
	     "</span><span><code>",
	     i + 1, (int)f->severity, severity_name(f->severity),
	     f->cvss_score);
	esc(w, f->rule_id);
	put(w, "</code>");
	if (!fixed_list && r->notes != NULL) {
		if (r->notes[i].sup_reason != NULL) {
			put(w, "<br>suppressed: ");
			esc_cut(w, r->notes[i].sup_reason, 200);
		} else if (r->notes[i].baseline == BASELINE_NEW) {
			put(w, "<br><b>new</b>");
		}
	}
	put(w, "</span><span>");
	esc_cut(w, f->target_name ? f->target_name : f->target_id, 200);
	if (f->target_name != NULL && f->target_id != NULL &&
	    strcmp(f->target_name, f->target_id) != 0) {
		put(w, "<br><code>");
		esc_cut(w, f->target_id, 200);
		put(w, "</code>");
	}
	put(w, "</span><span>");
	esc(w, hp.buf ? hp.buf : "-");
	put(w, "</span><span>");
	put_labels(w, tags);
	put(w, "</span><span class=\"ev\">");
	esc_cut(w, f->title, 200);
	put(w, "<br>");
	esc_cut(w, f->evidence, HTML_CELL);
	put(w, "</span><span>");
	esc_cut(w, f->rank_reason, HTML_CELL);
	put(w, "</span><span><a href=\"#rule-");
	esc(w, f->rule_id);
	put(w, "\">how to fix</a></span></div>\n");
	dynbuf_release(&hp);
}

/* A grid of rows rather than a table: each row is laid out on its own
 * and skipped while off screen (content-visibility), so 10,000 findings
 * render in a fraction of a table's time. */
static const char findings_head[] =
	"<div class=\"row head\" role=\"row\"><span>#</span><span>severity"
	"</span><span>rule</span><span>target</span><span>address</span>"
	"<span>labels</span><span>evidence</span><span>why it ranks here"
	"</span><span>remediation</span></div>\n";

static void put_findings(struct hw *w, const struct strset *labels)
{
	const struct finding_list *fl = w->r->findings;
	size_t i, n = fl ? fl->n : 0;

	put(w, "<h2 id=\"ranked\">Findings, most exploitable first</h2>\n");
	if (n == 0) {
		put(w, "<p id=\"no-findings\">No findings.</p>\n");
		return;
	}
	put_filters(w, labels);
	put(w, "<div class=\"grid\" id=\"findings\" role=\"table\">");
	put(w, findings_head);
	for (i = 0; i < n && w->err == 0; i++)
		put_finding_row(w, i, &fl->v[i], false);
	put(w, "</div>\n");
}

static void put_fixed(struct hw *w)
{
	const struct finding_list *fx = w->r->fixed;
	size_t i;

	if (fx == NULL || fx->n == 0)
		return;
	put(w, "<h2 id=\"fixed\">Fixed since the baseline</h2>\n<div "
	       "class=\"grid\" id=\"fixed-findings\" role=\"table\">");
	put(w, findings_head);
	for (i = 0; i < fx->n && w->err == 0; i++)
		put_finding_row(w, i, &fx->v[i], true);
	put(w, "</div>\n");
}

/* remediation and references once per rule, linked from each row */
static void put_rules(struct hw *w)
{
	const struct finding_list *lists[2] = { w->r->findings, w->r->fixed };
	struct strset seen = { 0 };
	size_t i, l;

	for (l = 0; l < 2; l++)
		for (i = 0; lists[l] != NULL && i < lists[l]->n; i++) {
			const struct finding *f = &lists[l]->v[i];
			size_t before = seen.n;

			if (w->err == 0)
				w->err = strset_add(
					&seen, f->rule_id ? f->rule_id : "?");
			if (seen.n == before)
				continue;
			if (before == 0)
				put(w, "<h2 id=\"remediation\">How to fix"
				       "</h2>\n<dl>");
			put(w, "<dt id=\"rule-");
			esc(w, f->rule_id);
			put(w, "\"><code>");
			esc(w, f->rule_id);
			put(w, "</code> ");
			esc(w, f->title);
			put(w, "</dt><dd>");
			esc(w, f->remediation);
			put(w, "<br><small>");
			esc(w, f->references);
			put(w, " &middot; ");
			esc(w, f->cvss_vector);
			put(w, "</small></dd>\n");
		}
	if (seen.n > 0)
		put(w, "</dl>\n");
	strset_release(&seen);
}

/* ---- timeouts, errors, clean and skipped targets ---- */

static void put_problems(struct hw *w)
{
	const struct scan_report *r = w->r;
	char buf[INET6_ADDRSTRLEN], pt[16];
	size_t i, n = 0;

	for (i = 0; i < r->nrecords; i++) {
		const struct port_record *rec = &r->records[i];
		const struct target *t;

		spill_pace(i);

		if (rec->status != STATUS_TIMEOUT &&
		    rec->status != STATUS_ERROR)
			continue;
		if (n++ == 0)
			put(w, "<h2 id=\"problems\">Timeouts and errors</h2>\n"
			       "<table id=\"problem-table\"><thead><tr><th>"
			       "target</th><th>address</th><th>port</th><th>"
			       "check</th><th>status</th><th>reason</th></tr>"
			       "</thead><tbody>");
		t = r->targets != NULL && rec->target < r->targets->n
			    ? &r->targets->v[rec->target]
			    : NULL;
		put(w, "<tr><td>");
		esc_cut(w, t ? t->id : "?", 200);
		put(w, "</td><td>");
		esc(w, report_record_addr(r, rec, buf));
		putf(w, "</td><td>%s</td><td>",
		     report_port_text(pt, REPORT_PORT(rec->port, rec->proto)));
		esc(w, report_record_check(r, rec) ? report_record_check(r, rec)
						   : "(discovery)");
		putf(w, "</td><td>%s</td><td>",
		     status_name((enum probe_status)rec->status));
		esc_cut(w, report_record_reason(r, rec), 300);
		put(w, "</td></tr>\n");
	}
	if (n > 0)
		put(w, "</tbody></table>\n");
}

static void put_targets(struct hw *w)
{
	const struct target_list *tl = w->r->targets;
	const struct finding_list *fl = w->r->findings;
	bool *found = NULL;
	size_t i, clean = 0, skipped = 0;

	if (tl == NULL)
		return;
	/* the targets with a finding, marked in one pass over the findings
	 * (a sort of pointers into a spilled list would touch every page of
	 * it at once) */
	if ((found = calloc(tl->n + 1, sizeof(*found))) == NULL) {
		w->err = EXPO_ENOMEM;
		return;
	}
	for (i = 0; fl != NULL && i < fl->n; i++) {
		const struct target *t;

		spill_pace(i);
		t = target_index_find(
			&w->ix, fl->v[i].target_id ? fl->v[i].target_id : "");
		if (t != NULL)
			found[t - tl->v] = true;
	}
	for (i = 0; i < tl->n && w->err == 0; i++) {
		const struct target *t = &tl->v[i], *first;
		char nbuf[INET6_ADDRSTRLEN];

		/* by id, as the findings name their target: of two targets
		 * with one id, both have its findings */
		first = target_index_find(&w->ix, t->id ? t->id : "");
		if (t->skip_reason != NULL ||
		    (first != NULL && found[first - tl->v]))
			continue;
		if (clean++ == 0)
			put(w, "<h2 id=\"clean\">Targets with no findings</h2>"
			       "\n<ul id=\"clean-targets\">");
		put(w, "<li>");
		esc_cut(w, target_display_name(t, nbuf), 200);
		put(w, " <code>");
		esc_cut(w, t->id, 200);
		put(w, "</code> ");
		put_labels(w, t->meta ? t->meta->tags : NULL);
		put(w, "</li>\n");
	}
	if (clean > 0)
		put(w, "</ul>\n");
	for (i = 0; i < tl->n && w->err == 0; i++) {
		const struct target *t = &tl->v[i];

		if (t->skip_reason == NULL)
			continue;
		if (skipped++ == 0)
			put(w, "<h2 id=\"skipped\">Skipped targets</h2>\n<ul>");
		put(w, "<li><code>");
		esc_cut(w, t->id, 200);
		put(w, "</code>: ");
		esc_cut(w, t->skip_reason, 300);
		put(w, "</li>\n");
	}
	if (skipped > 0)
		put(w, "</ul>\n");
	free(found);
}

static int html_build(struct dynbuf *b, struct atomic_file *af,
		      const struct scan_report *r)
{
	struct hw w = { .b = b, .af = af, .r = r };
	struct report_counts c;
	struct strset labels = { 0 };
	size_t i;

	if ((w.err = target_index_build(&w.ix, r->targets)) != 0)
		return w.err;
	report_count(r, &c);
	put_head(&w);
	put_summary(&w, &c);
	for (i = 0; i < r->nwarnings; i++) {
		put(&w, "<p class=\"incomplete\">");
		esc(&w, r->warnings[i]);
		put(&w, "</p>\n");
	}
	put_trend(&w);
	if (w.err == 0)
		w.err = collect_labels(&w, &labels);
	put_findings(&w, &labels);
	put_by_label(&w, &labels);
	put_fixed(&w);
	put_problems(&w);
	put_targets(&w);
	put_rules(&w);
	put(&w, "</main>\n<footer>exposure " EXPO_VERSION
		" &middot; JSON report schema ");
	put(&w, REPORT_SCHEMA_VERSION);
	put(&w, "</footer>\n<script>");
	put(&w, page_js);
	put(&w, "</script>\n</body></html>\n");
	strset_release(&labels);
	target_index_release(&w.ix);
	return w.err;
}

int report_html_build(struct dynbuf *b, const struct scan_report *r)
{
	return html_build(b, NULL, r);
}

int report_html_write(const char *path, const struct scan_report *r)
{
	struct atomic_file af = { .fd = -1 };
	struct dynbuf b;
	int ret;

	/* the cap holds a chunk and the largest row, not the page */
	dynbuf_init(&b, HTML_MAX);
	if ((ret = atomic_file_open(&af, path)) != 0)
		goto out;
	ret = html_build(&b, &af, r);
	if (ret == 0 && dynbuf_len(&b) > 0)
		ret = atomic_file_write(&af, dynbuf_ptr(&b), dynbuf_len(&b));
	if (ret == 0)
		ret = atomic_file_commit(&af);
	else
		atomic_file_abort(&af);
out:
	dynbuf_release(&b);
	return ret;
}
