/*
 * report_text.c - the human report: findings grouped by target (targets in
 * the order their best finding ranks), then clean, skipped and failed
 * targets, then one summary line with the gate's verdict.
 *
 * Everything that came from a server or an inventory goes through
 * report_escape_line(), so a banner cannot colour, move or clear the
 * terminal, nor start a line with "::" (a workflow command in a CI log).
 * A target's labels follow its name.
 * The report is built in memory and written with one fwrite, so a write
 * error is seen once and reported as EXPO_EIO.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "report_priv.h"
#include "spill.h"

/* problem records shown without -v; the JSON report has all of them */
#define TEXT_MAX_PROBLEMS 100

struct text {
	struct dynbuf b;
	const struct scan_report *r;
	bool color;
	int verbose;
	int err;
};

/* a finding's place: its target's first rank, then its own */
struct fref {
	const char *tid;
	size_t idx;
	size_t first;
};

static void put(struct text *t, const char *s)
{
	if (t->err == 0)
		t->err = dynbuf_addstr(&t->b, s);
}

/* untrusted text; never the start of a workflow command */
static void put_esc(struct text *t, const char *s)
{
	if (t->err == 0)
		t->err = report_escape_line(&t->b, s);
}

/* trusted, short text only (numbers, names of our own) */
static void __attribute__((format(printf, 2, 3)))
putf(struct text *t, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (t->err == 0)
			t->err = EXPO_ETOOBIG;
	} else {
		put(t, tmp);
	}
}

static void put_color(struct text *t, const char *sgr)
{
	if (t->color) {
		put(t, "\033[");
		put(t, sgr);
		put(t, "m");
	}
}

static const char *sev_sgr(enum severity s)
{
	static const char *const sgr[] = {
		[SEV_INFO] = "2",  [SEV_LOW] = "36",	    [SEV_MEDIUM] = "33",
		[SEV_HIGH] = "31", [SEV_CRITICAL] = "1;31",
	};
	const char *p = "0";

	if ((unsigned)s <= SEV_CRITICAL)
		p = sgr[s];
	return p;
}

/* "name (id)", or just the id when there is no other name */
static void put_target_label(struct text *t, const char *name, const char *id)
{
	if (name != NULL && (id == NULL || strcmp(name, id) != 0)) {
		put_esc(t, name);
		put(t, " (");
		put_esc(t, id);
		put(t, ")");
	} else {
		put_esc(t, id);
	}
}

/* port: REPORT_PORT(port, proto) */
static void put_addr_port(struct text *t, const char *addr, unsigned port)
{
	bool v6 = addr != NULL && strchr(addr, ':') != NULL;
	char pt[16];

	if (v6)
		put(t, "[");
	put_esc(t, addr);
	if (v6)
		put(t, "]");
	putf(t, ":%s", report_port_text(pt, port));
}

/* labelled like the findings' targets, which carry only name and id */
static void put_target_of(struct text *t, const struct target *tg)
{
	put_target_label(t, tg->name, tg->id);
}

/* "  [env=prod, team=payments]" after a target, when it has labels */
static void put_labels(struct text *t, const struct target *tg)
{
	char *s;

	if (report_labels(tg) == NULL || t->err != 0)
		return;
	if ((s = report_labels_text(tg)) == NULL) {
		t->err = EXPO_ENOMEM;
		return;
	}
	put(t, "  [");
	put(t, s); /* escaped by report_labels_text() */
	put(t, "]");
	free(s);
}

/* one detail line; absent details take no line */
static void put_field(struct text *t, const char *label, const char *value)
{
	if (value != NULL) {
		put(t, "            ");
		put(t, label);
		put(t, ": ");
		put_esc(t, value);
		put(t, "\n");
	}
}

static void put_finding(struct text *t, const struct finding *f)
{
	char score[16];
	char label[9];
	size_t i;
	const char *name = severity_name(f->severity);

	/* upper-case label, padded outside the colour codes */
	for (i = 0; i < sizeof(label) - 1 && name[i] != '\0'; i++)
		label[i] = (char)toupper((unsigned char)name[i]);
	label[i] = '\0';
	put(t, "  ");
	put_color(t, sev_sgr(f->severity));
	put(t, label);
	put_color(t, "0");
	putf(t, "%*s  ", (int)(8 - i), "");
	put_esc(t, f->rule_id);
	put(t, "  ");
	put_addr_port(t, f->address, REPORT_PORT(f->port, f->proto));
	if (f->service != NULL) {
		put(t, " ");
		put_esc(t, f->service);
	}
	if (f->is_public && f->exposure == EXPOSURE_WORLD)
		put(t, "  [public, world-open]");
	else if (f->is_public)
		put(t, "  [public]");
	else if (f->exposure == EXPOSURE_WORLD)
		put(t, "  [world-open]");
	put(t, "\n");
	if (t->verbose >= 0) {
		put(t, "            ");
		put_esc(t, f->title);
		put(t, "\n");
		put_field(t, "evidence", f->evidence);
		put_field(t, "secret", f->secret);
		put_field(t, "why", f->rank_reason);
		put_field(t, "resource", f->resource);
		put_field(t, "assumes", f->assumption);
		put_field(t, "related", f->related);
	}
	if (t->verbose > 0) {
		put_field(t, "remediation", f->remediation);
		snprintf(score, sizeof(score), "%.1f ", f->cvss_score);
		put(t, "            cvss: ");
		put(t, score);
		put_esc(t, f->cvss_vector);
		put(t, "\n");
		put_field(t, "references", f->references);
	}
}

static int cmp_tid_idx(const void *a, const void *b)
{
	const struct fref *x = a, *y = b;
	int c = strcmp(x->tid, y->tid);

	if (c == 0)
		c = (x->idx > y->idx) - (x->idx < y->idx);
	return c;
}

static int cmp_first_idx(const void *a, const void *b)
{
	const struct fref *x = a, *y = b;
	int c = (x->first > y->first) - (x->first < y->first);

	if (c == 0)
		c = (x->idx > y->idx) - (x->idx < y->idx);
	return c;
}

static int cmp_tid_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fref *)elem)->tid);
}

/*
 * The findings, grouped by target in rank order; *clean gets the number of
 * scanned targets without any finding. Sorting keeps this O(n log n) for a
 * /16 full of findings.
 */
static void put_findings(struct text *t, size_t *clean)
{
	const struct finding_list *fl = t->r->findings;
	const struct target_list *tl = t->r->targets;
	struct fref *refs = NULL;
	const struct finding *f;
	struct target_index ix = { 0 };
	size_t n = fl != NULL ? fl->n : 0, i, first = 0;

	*clean = 0;
	if ((t->err = target_index_build(&ix, tl)) != 0)
		goto out;
	if (n > 0 && (refs = calloc(n, sizeof(*refs))) == NULL) {
		t->err = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		refs[i].tid = fl->v[i].target_id ? fl->v[i].target_id : "";
		refs[i].idx = i;
	}
	if (n > 0)
		qsort(refs, n, sizeof(*refs), cmp_tid_idx);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(refs[i].tid, refs[i - 1].tid) != 0)
			first = refs[i].idx;
		refs[i].first = first;
	}
	for (i = 0; tl != NULL && i < tl->n; i++) {
		if (tl->v[i].skip_reason != NULL)
			continue;
		if (n == 0 || bsearch(tl->v[i].id ? tl->v[i].id : "", refs, n,
				      sizeof(*refs), cmp_tid_key) == NULL)
			(*clean)++;
	}
	if (n == 0) {
		put(t, "no findings\n");
		goto out;
	}
	qsort(refs, n, sizeof(*refs), cmp_first_idx);
	for (i = 0; i < n; i++) {
		f = &fl->v[refs[i].idx];
		if (i == 0 || refs[i].first != refs[i - 1].first) {
			if (i > 0 && t->verbose >= 0)
				put(t, "\n");
			put_target_label(t, f->target_name, f->target_id);
			put_labels(t, target_index_find(&ix, f->target_id));
			put(t, "\n");
		}
		put_finding(t, f);
	}
out:
	target_index_release(&ix);
	free(refs);
}

static void put_skipped(struct text *t, size_t nskipped)
{
	const struct target_list *tl = t->r->targets;
	size_t i;

	if (nskipped > 0)
		putf(t, "\nskipped targets (%zu):\n", nskipped);
	for (i = 0; nskipped > 0 && i < tl->n; i++) {
		if (tl->v[i].skip_reason == NULL)
			continue;
		put(t, "  ");
		put_target_of(t, &tl->v[i]);
		put_labels(t, &tl->v[i]);
		put(t, ": ");
		put_esc(t, tl->v[i].skip_reason);
		put(t, "\n");
	}
}

static void put_problems(struct text *t, size_t nproblems)
{
	const struct scan_report *r = t->r;
	const struct port_record *rec;
	char buf[INET6_ADDRSTRLEN];
	const char *check, *reason;
	size_t i, shown = 0;

	if (nproblems > 0)
		putf(t, "\ntimeouts and errors (%zu):\n", nproblems);
	for (i = 0; nproblems > 0 && i < r->nrecords; i++) {
		spill_pace(i);
		rec = &r->records[i];
		if (rec->status != STATUS_TIMEOUT &&
		    rec->status != STATUS_ERROR)
			continue;
		if (t->verbose <= 0 && shown == TEXT_MAX_PROBLEMS) {
			putf(t, "  ... and %zu more (-v shows all)\n",
			     nproblems - shown);
			break;
		}
		shown++;
		putf(t, "  %-8s ", status_name(rec->status));
		if (r->targets != NULL && rec->target < r->targets->n)
			put_target_of(t, &r->targets->v[rec->target]);
		else
			put(t, "?");
		put(t, " ");
		put_addr_port(t, report_record_addr(r, rec, buf),
			      REPORT_PORT(rec->port, rec->proto));
		if ((check = report_record_check(r, rec)) != NULL) {
			put(t, " ");
			put_esc(t, check);
		}
		if ((reason = report_record_reason(r, rec)) != NULL) {
			put(t, ": ");
			put_esc(t, reason);
		}
		put(t, "\n");
	}
}

/* -v: closed and filtered discovery records per target */
static void put_closed(struct text *t)
{
	const struct scan_report *r = t->r;
	const struct target_list *tl = r->targets;
	const struct port_record *rec;
	size_t *cnt = NULL, i;
	bool header = false;

	if (tl == NULL || tl->n == 0 || r->nrecords == 0)
		goto out;
	if ((cnt = calloc(tl->n, 2 * sizeof(*cnt))) == NULL) {
		t->err = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nrecords; i++) {
		spill_pace(i);
		rec = &r->records[i];
		if (rec->check != CHECK_NONE || rec->target >= tl->n)
			continue;
		if (rec->status == STATUS_CLOSED)
			cnt[2 * rec->target]++;
		else if (rec->status == STATUS_FILTERED)
			cnt[2 * rec->target + 1]++;
	}
	for (i = 0; i < tl->n; i++) {
		if (cnt[2 * i] == 0 && cnt[2 * i + 1] == 0)
			continue;
		if (!header)
			put(t, "\nclosed and filtered ports:\n");
		header = true;
		put(t, "  ");
		put_target_of(t, &tl->v[i]);
		putf(t, ": %zu closed, %zu filtered\n", cnt[2 * i],
		     cnt[2 * i + 1]);
	}
out:
	free(cnt);
}

static void put_summary(struct text *t, const struct report_counts *c)
{
	const char *gate = report_gate_result(t->r, c);

	putf(t,
	     "\nsummary: %zu critical, %zu high, %zu medium, %zu low, "
	     "%zu info",
	     c->sev[SEV_CRITICAL], c->sev[SEV_HIGH], c->sev[SEV_MEDIUM],
	     c->sev[SEV_LOW], c->sev[SEV_INFO]);
	putf(t,
	     "; ports %zu open, %zu closed, %zu filtered, %zu timeout, "
	     "%zu error",
	     c->status[STATUS_OPEN], c->status[STATUS_CLOSED],
	     c->status[STATUS_FILTERED], c->status[STATUS_TIMEOUT],
	     c->status[STATUS_ERROR]);
	/* UDP ports only: a TCP-only scan's line stays as it was */
	if (c->status[STATUS_NO_ANSWER] > 0)
		putf(t, ", %zu no answer (udp)", c->status[STATUS_NO_ANSWER]);
	putf(t, "; targets %zu scanned, %zu skipped; %.2fs; ", c->scanned,
	     c->skipped, t->r->duration_s);
	if (strcmp(gate, "failed") == 0) {
		put_color(t, "1;31");
		putf(t, "gate: failed (%zu finding%s >= %s)", c->gate_hits,
		     c->gate_hits == 1 ? "" : "s",
		     severity_name((enum severity)t->r->fail_on));
		put_color(t, "0");
	} else if (strcmp(gate, "passed") == 0) {
		put_color(t, "32");
		put(t, "gate: passed");
		put_color(t, "0");
	} else {
		put(t, "gate: off");
	}
	put(t, "\n");
}

static bool has_secret(const struct scan_report *r)
{
	size_t i;
	bool found = false;

	for (i = 0; r->findings != NULL && i < r->findings->n && !found; i++)
		found = r->findings->v[i].secret != NULL;
	return found;
}

int report_text_write(FILE *out, const struct scan_report *r, bool color,
		      int verbose)
{
	struct text t = { .r = r, .color = color, .verbose = verbose };
	struct report_counts c;
	size_t clean = 0;
	int ret = EXPO_EINVAL;

	dynbuf_init(&t.b, REPORT_MAX_BYTES);
	if (out == NULL || r == NULL)
		goto out;
	report_count(r, &c);
	put_findings(&t, &clean);
	if (verbose >= 0) {
		if (clean > 0)
			putf(&t, "\n%zu target%s with no findings\n", clean,
			     clean == 1 ? "" : "s");
		put_skipped(&t, c.skipped);
		put_problems(&t,
			     c.status[STATUS_TIMEOUT] + c.status[STATUS_ERROR]);
		if (verbose > 0)
			put_closed(&t);
	}
	if (r->show_secrets && verbose >= 0 && has_secret(r))
		put(&t, "\nnote: secrets are shown unredacted "
			"(--show-secrets)\n");
	put_summary(&t, &c);
	if (r->incomplete != NULL) {
		put_color(&t, "1;33");
		put(&t, "INCOMPLETE: ");
		put_esc(&t, r->incomplete);
		put(&t, "; what was not reached is listed as an error, and "
			"nothing missing is called fixed");
		put_color(&t, "0");
		put(&t, "\n");
	}
	ret = t.err;
	if (ret != 0)
		goto out;
	if (fwrite(dynbuf_ptr(&t.b), 1, dynbuf_len(&t.b), out) !=
		    dynbuf_len(&t.b) ||
	    fflush(out) != 0)
		ret = EXPO_EIO;
out:
	dynbuf_release(&t.b);
	return ret;
}
