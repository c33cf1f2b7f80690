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
#include "spill.h"

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

/* Every suite: written to af when it is open, else only counted (the
 * totals go in the opening tag, so the suites are made twice rather than
 * held: memory holds one suite, not the estate). */
static int junit_suites(struct jw *w, struct atomic_file *af,
			const struct keyed *fk, size_t nf)
{
	const struct scan_report *r = w->r;
	struct record_walk rw;
	size_t *ridx = NULL, *fidx = NULL, aidx = 0, i, fi = 0, a, c, k;
	size_t visited = 0;
	size_t nt = r->targets ? r->targets->n : 0;
	int ret;

	w->tests = w->failures = w->errors = w->skipped = 0;
	if (nf > 0)
		memset(w->covered, 0, nf * sizeof(*w->covered));
	if ((ret = record_walk_init(&rw, r)) != 0)
		return ret;
	if ((fidx = calloc(nf + 1, sizeof(*fidx))) == NULL) {
		w->err = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < nt + 1 && w->err == 0; i++) {
		static const struct target orphan = { .id = "unlisted" };

		a = 0;
		while (i < nt &&
		       (k = record_walk_next(&rw, (uint32_t)i)) != SIZE_MAX) {
			if (a == aidx) {
				size_t na = aidx ? aidx * 2 : 64;
				size_t *nv = realloc(ridx, na * sizeof(*nv));

				if (nv == NULL) {
					w->err = EXPO_ENOMEM;
					goto out;
				}
				ridx = nv;
				aidx = na;
			}
			ridx[a++] = k;
		}
		for (c = 0; fi < nf && (i == nt || fk[fi].t == i); fi++)
			fidx[c++] = fk[fi].i;
		/* a finding of no listed target goes last, in its suite */
		if (i == nt && c == 0)
			break;
		suite(w, i < nt ? &r->targets->v[i] : &orphan, ridx, a, fidx,
		      c);
		/* a suite's findings lie anywhere in the ranked list: a
		 * spilled list gives its pages back every 512 of them */
		if ((visited += c) >= 512) {
			spill_trim_all();
			visited = 0;
		}
		if (w->err == 0 && af != NULL && dynbuf_len(w->b) >= 65536) {
			w->err = atomic_file_write(af, dynbuf_ptr(w->b),
						   dynbuf_len(w->b));
			dynbuf_reset(w->b);
		} else if (af == NULL) {
			dynbuf_reset(w->b);
		}
	}
out:
	free(ridx);
	free(fidx);
	record_walk_release(&rw);
	return w->err;
}

int report_junit_write(const char *path, const struct scan_report *r)
{
	struct atomic_file af = { .fd = -1 };
	struct dynbuf b;
	struct jw w = { 0 };
	struct target_index ix = { 0 };
	struct keyed *fk = NULL;
	size_t nf, i;
	bool opened = false;
	int ret = EXPO_ENOMEM;

	nf = r->findings ? r->findings->n : 0;
	dynbuf_init(&b, REPORT_MAX_BYTES);
	w.b = &b;
	w.r = r;
	if ((w.covered = calloc(nf + 1, sizeof(*w.covered))) == NULL ||
	    (fk = calloc(nf + 1, sizeof(*fk))) == NULL)
		goto out;
	if ((ret = target_index_build(&ix, r->targets)) != 0)
		goto out;
	for (i = 0; i < nf; i++) {
		const struct target *t =
			target_index_find(&ix, r->findings->v[i].target_id);

		/* a finding of no listed target goes last */
		fk[i] = (struct keyed){ .t = t ? (uint32_t)(t - r->targets->v)
					       : UINT32_MAX,
					.i = i };
	}
	qsort(fk, nf, sizeof(*fk), by_t);
	/* the counts first, then the file */
	if ((ret = junit_suites(&w, NULL, fk, nf)) != 0)
		goto out;
	if (r->incomplete != NULL) {
		w.tests++;
		w.errors++;
	}
	if ((ret = atomic_file_open(&af, path)) != 0)
		goto out;
	opened = true;
	ret = dynbuf_addf(&b,
			  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<testsuites name=\"exposure\" tests=\"%zu\" "
			  "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
			  "time=\"%.3f\">\n",
			  w.tests, w.failures, w.errors, w.skipped,
			  r->duration_s);
	if (ret == 0)
		ret = junit_suites(&w, &af, fk, nf);
	if (ret == 0 && r->incomplete != NULL) {
		/* an interrupted run: an error CI shows, in its own suite */
		put(&w, "  <testsuite name=\"exposure\" tests=\"1\" "
			"failures=\"0\" errors=\"1\" skipped=\"0\" "
			"time=\"0\">\n    <testcase name=\"scan complete\" "
			"classname=\"exposure\" time=\"0\">\n      <error "
			"message=\"incomplete: ");
		put_esc(&w, r->incomplete);
		put(&w, "\" type=\"incomplete\"/>\n    </testcase>\n"
			"  </testsuite>\n");
		ret = w.err;
	}
	if (ret == 0)
		ret = dynbuf_addstr(&b, "</testsuites>\n");
	if (ret == 0)
		ret = atomic_file_write(&af, dynbuf_ptr(&b), dynbuf_len(&b));
	if (ret == 0)
		ret = atomic_file_commit(&af);
out:
	if (opened && ret != 0)
		atomic_file_abort(&af);
	free(w.covered);
	free(fk);
	target_index_release(&ix);
	dynbuf_release(&b);
	return ret;
}
