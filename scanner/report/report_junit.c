/*
 * report_junit.c - JUnit XML for GitLab's test report widget and other CI
 * (ECOSYSTEM.md §2.3): one <testsuite> per target, one <testcase> per
 * (rule, address:port) with classname "host:port" and the rule id as its
 * name. Every finding is a <failure> of type = its severity, whatever
 * --fail-on says (the gate decides only the exit code); a suppressed one
 * is <skipped>; the other rules of a check that ran to its end are passing
 * cases, so a fixed finding shows as fixed. A check or port that timed out
 * or failed is an <error>, a skipped target a <skipped> case. time= is what
 * the probe took (shared out among the rules of its check); a target's
 * labels are <properties> of its suite.
 *
 * Server text goes through report_xml_escape(): control characters and
 * invalid UTF-8 (which XML 1.0 cannot carry at all) become \xNN, then the
 * five XML specials are escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "expo.h"
#include "report_priv.h"

struct jw {
	struct dynbuf *b;
	const struct scan_report *r;
	bool *covered; /* per finding: a testcase holds it */
	size_t tests, failures, errors, skipped;
	int err;
};

static void put(struct jw *w, const char *s)
{
	if (w->err == 0)
		w->err = dynbuf_addstr(w->b, s);
}

static void put_esc(struct jw *w, const char *s)
{
	if (w->err == 0)
		w->err = report_xml_escape(w->b, s);
}

static const char *rec_addr(const struct scan_report *r,
			    const struct port_record *rec, char *buf)
{
	return report_record_addr(r, rec, buf);
}

static void put_classname(struct jw *w, const char *addr, unsigned port)
{
	struct dynbuf hp;

	dynbuf_init(&hp, 256);
	if (report_hostport(&hp, addr, port) != 0)
		w->err = EXPO_ENOMEM;
	put(w, " classname=\"");
	put_esc(w, dynbuf_ptr(&hp));
	put(w, "\"");
	dynbuf_release(&hp);
}

static void finding_text(struct jw *w, const struct finding *f)
{
	put_esc(w, f->title);
	put(w, "\nseverity: ");
	put(w, severity_name(f->severity));
	if (w->err == 0)
		w->err = dynbuf_addf(w->b, " (CVSS %.1f", f->cvss_score);
	put(w, " ");
	put_esc(w, f->cvss_vector);
	put(w, ")\nevidence: ");
	put_esc(w, f->evidence);
	put(w, "\nremediation: ");
	put_esc(w, f->remediation);
	put(w, "\nfingerprint: ");
	put(w, f->fingerprint);
	put(w, "\n");
}

/* time="" in seconds: what the probe of the record took */
static void put_time(struct jw *w, uint32_t ms)
{
	if (w->err == 0)
		w->err = dynbuf_addf(w->b, " time=\"%u.%03u\"", ms / 1000,
				     ms % 1000);
}

/* the testcase of one rule on one address:port, and the finding's fate */
static void testcase(struct jw *w, const char *rule, const char *addr,
		     unsigned port, long fi, uint32_t ms)
{
	const struct scan_report *r = w->r;
	const struct finding *f = fi >= 0 ? &r->findings->v[fi] : NULL;

	w->tests++;
	put(w, "    <testcase name=\"");
	put_esc(w, rule);
	put(w, "\"");
	put_classname(w, addr, port);
	put_time(w, ms);
	if (f == NULL) {
		put(w, "/>\n");
		return;
	}
	w->covered[fi] = true;
	put(w, ">\n");
	if (report_finding_suppressed(r, (size_t)fi)) {
		w->skipped++;
		put(w, "      <skipped message=\"suppressed until ");
		put_esc(w, r->notes[fi].sup_expires);
		put(w, ": ");
		put_esc(w, r->notes[fi].sup_reason);
		put(w, "\"/>\n");
	} else {
		/* every finding fails its case, whatever --fail-on says: a
		 * test report must not show a critical finding as green; the
		 * gate decides only the exit code */
		w->failures++;
		put(w, "      <failure message=\"");
		put_esc(w, f->title);
		put(w, "\" type=\"");
		put(w, severity_name(f->severity));
		put(w, "\">");
		finding_text(w, f);
		put(w, report_finding_gates(r, (size_t)fi)
			       ? "gate: fails the gate\n"
			       : "gate: below the gate\n");
		put(w, "</failure>\n");
	}
	put(w, "    </testcase>\n");
}

static void error_case(struct jw *w, const char *name, const char *addr,
		       unsigned port, const char *status, const char *reason,
		       uint32_t ms)
{
	w->tests++;
	w->errors++;
	put(w, "    <testcase name=\"");
	put_esc(w, name);
	put(w, "\"");
	put_classname(w, addr, port);
	put_time(w, ms);
	put(w, ">\n      <error message=\"");
	put(w, status);
	put(w, ": ");
	put_esc(w, reason ? reason : "no reason given");
	put(w, "\" type=\"");
	put(w, status);
	put(w, "\"/>\n    </testcase>\n");
}

/* the finding of this target for (rule, port, address), or -1 */
static long find_finding(const struct scan_report *r, const size_t *fidx,
			 size_t nf, const char *rule, unsigned port,
			 const char *addr)
{
	size_t k;

	for (k = 0; k < nf; k++) {
		const struct finding *f = &r->findings->v[fidx[k]];

		if (REPORT_PORT(f->port, f->proto) == port &&
		    strcmp(f->rule_id, rule) == 0 &&
		    (f->address == NULL || addr == NULL ||
		     strcmp(f->address, addr) == 0))
			return (long)fidx[k];
	}
	return -1;
}

/* the target's labels, so a test report can be grouped by owner, team or
 * environment: <property name="label.team" value="payments"/> */
static void put_labels(struct jw *w, const struct target *t)
{
	const cJSON *it, *labels = report_labels(t);

	if (labels == NULL)
		return;
	put(w, "    <properties>\n");
	cJSON_ArrayForEach(it, labels)
	{
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		put(w, "      <property name=\"label.");
		put_esc(w, it->string);
		put(w, "\" value=\"");
		put_esc(w, it->valuestring);
		put(w, "\"/>\n");
	}
	put(w, "    </properties>\n");
}

static void suite(struct jw *w, const struct target *t, const size_t *ridx,
		  size_t nr, const size_t *fidx, size_t nf)
{
	const struct scan_report *r = w->r;
	size_t t0 = w->tests, f0 = w->failures, e0 = w->errors, s0 = w->skipped,
	       k, j, mark;
	uint64_t suite_ms = 0;
	char buf[INET6_ADDRSTRLEN];
	struct dynbuf body, *outer = w->b;

	/* the counts go in the opening tag: the cases are built first */
	dynbuf_init(&body, REPORT_MAX_BYTES);
	w->b = &body;
	if (t->skip_reason != NULL) {
		w->tests++;
		w->skipped++;
		put(w, "    <testcase name=\"scan\" classname=\"");
		put_esc(w, t->id);
		put(w, "\" time=\"0\">\n      <skipped message=\"");
		put_esc(w, t->skip_reason);
		put(w, "\"/>\n    </testcase>\n");
	}
	for (k = 0; k < nr; k++) {
		const struct port_record *rec = &r->records[ridx[k]];
		const char *addr = rec_addr(r, rec, buf);
		const char *check = report_record_check(r, rec);
		uint32_t ms = report_record_ms(r, ridx[k]);
		const struct check *c = check ? check_find(check) : NULL;
		const char *status =
			status_name((enum probe_status)rec->status);

		suite_ms += ms;
		if (rec->status == STATUS_TIMEOUT ||
		    rec->status == STATUS_ERROR) {
			error_case(w, check ? check : "discovery", addr,
				   REPORT_PORT(rec->port, rec->proto), status,
				   report_record_reason(r, rec), ms);
			continue;
		}
		if (c == NULL || rec->status != STATUS_OPEN || c->nrules == 0)
			continue;
		/* one probe answers for every rule of its check: its time
		 * is shared out, so the cases add up to the probe */
		for (j = 0; j < c->nrules; j++)
			testcase(
				w, c->rules[j].id, addr,
				REPORT_PORT(rec->port, rec->proto),
				find_finding(r, fidx, nf, c->rules[j].id,
					     REPORT_PORT(rec->port, rec->proto),
					     addr),
				(uint32_t)(ms / c->nrules +
					   (j == 0 ? ms % c->nrules : 0)));
	}
	/* findings no record accounts for (a report without records) */
	for (k = 0; k < nf; k++)
		if (!w->covered[fidx[k]]) {
			const struct finding *f = &r->findings->v[fidx[k]];

			testcase(w, f->rule_id, f->address,
				 REPORT_PORT(f->port, f->proto), (long)fidx[k],
				 0);
		}
	w->b = outer;
	mark = w->tests - t0;
	put(w, "  <testsuite name=\"");
	put_esc(w, t->id);
	put(w, "\" hostname=\"");
	put_esc(w, t->name     ? t->name
		   : t->naddrs ? target_addr_text(&t->addrs[0], buf)
			       : t->id);
	if (w->err == 0)
		w->err = dynbuf_addf(w->b,
				     "\" tests=\"%zu\" failures=\"%zu\" "
				     "errors=\"%zu\" skipped=\"%zu\" "
				     "time=\"%llu.%03u\">\n",
				     mark, w->failures - f0, w->errors - e0,
				     w->skipped - s0,
				     (unsigned long long)(suite_ms / 1000),
				     (unsigned)(suite_ms % 1000));
	put_labels(w, t);
	if (w->err == 0 && dynbuf_len(&body) > 0)
		w->err = dynbuf_add(w->b, dynbuf_ptr(&body), dynbuf_len(&body));
	put(w, "  </testsuite>\n");
	dynbuf_release(&body);
}

/* indexes 0..n-1 sorted by key: the records and findings of a target */
struct keyed {
	const char *key;
	uint32_t t;
	size_t i;
};

static int by_t(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int report_junit_write(const char *path, const struct scan_report *r)
{
	struct dynbuf b, all;
	struct jw w = { 0 };
	struct target_index ix = { 0 };
	struct keyed *rk = NULL, *fk = NULL;
	size_t *ridx = NULL, *fidx = NULL, nt, nf, i, ri = 0, fi = 0, a, c;
	int ret = EXPO_ENOMEM;

	nt = r->targets ? r->targets->n : 0;
	nf = r->findings ? r->findings->n : 0;
	dynbuf_init(&b, REPORT_MAX_BYTES);
	dynbuf_init(&all, REPORT_MAX_BYTES);
	w.b = &b;
	w.r = r;
	if ((w.covered = calloc(nf + 1, sizeof(*w.covered))) == NULL ||
	    (rk = calloc(r->nrecords + 1, sizeof(*rk))) == NULL ||
	    (fk = calloc(nf + 1, sizeof(*fk))) == NULL ||
	    (ridx = calloc(r->nrecords + 1, sizeof(*ridx))) == NULL ||
	    (fidx = calloc(nf + 1, sizeof(*fidx))) == NULL)
		goto out;
	if ((ret = target_index_build(&ix, r->targets)) != 0)
		goto out;
	for (i = 0; i < r->nrecords; i++)
		rk[i] = (struct keyed){ .t = r->records[i].target, .i = i };
	qsort(rk, r->nrecords, sizeof(*rk), by_t);
	for (i = 0; i < nf; i++) {
		const struct target *t =
			target_index_find(&ix, r->findings->v[i].target_id);

		/* a finding of no listed target goes last */
		fk[i] = (struct keyed){ .t = t ? (uint32_t)(t - r->targets->v)
					       : UINT32_MAX,
					.i = i };
	}
	qsort(fk, nf, sizeof(*fk), by_t);
	for (i = 0; i < nt && w.err == 0; i++) {
		for (a = 0; ri < r->nrecords && rk[ri].t == i; ri++)
			ridx[a++] = rk[ri].i;
		for (c = 0; fi < nf && fk[fi].t == i; fi++)
			fidx[c++] = fk[fi].i;
		suite(&w, &r->targets->v[i], ridx, a, fidx, c);
	}
	if (fi < nf && w.err == 0) {
		static const struct target orphan = { .id = "unlisted" };

		for (c = 0; fi < nf; fi++)
			fidx[c++] = fk[fi].i;
		suite(&w, &orphan, ridx, 0, fidx, c);
	}
	if (r->incomplete != NULL && w.err == 0) {
		/* an interrupted run: an error CI shows, in its own suite */
		w.tests++;
		w.errors++;
		put(&w, "  <testsuite name=\"exposure\" tests=\"1\" "
			"failures=\"0\" errors=\"1\" skipped=\"0\" "
			"time=\"0\">\n    <testcase name=\"scan complete\" "
			"classname=\"exposure\" time=\"0\">\n      <error "
			"message=\"incomplete: ");
		put_esc(&w, r->incomplete);
		put(&w, "\" type=\"incomplete\"/>\n    </testcase>\n"
			"  </testsuite>\n");
	}
	if ((ret = w.err) != 0)
		goto out;
	ret = dynbuf_addf(&all,
			  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<testsuites name=\"exposure\" tests=\"%zu\" "
			  "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
			  "time=\"%.3f\">\n",
			  w.tests, w.failures, w.errors, w.skipped,
			  r->duration_s);
	if (ret == 0 && dynbuf_len(&b) > 0)
		ret = dynbuf_add(&all, dynbuf_ptr(&b), dynbuf_len(&b));
	if (ret == 0)
		ret = dynbuf_addstr(&all, "</testsuites>\n");
	if (ret == 0)
		ret = write_file_atomic(path, dynbuf_ptr(&all),
					dynbuf_len(&all));
out:
	free(w.covered);
	free(rk);
	free(fk);
	free(ridx);
	free(fidx);
	target_index_release(&ix);
	dynbuf_release(&b);
	dynbuf_release(&all);
	return ret;
}
