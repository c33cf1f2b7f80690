/*
 * report_annotations.c - GitHub Actions workflow commands
 * (ECOSYSTEM.md §2.4): "::error title=...::message" for each finding that
 * fails the gate, "::warning" for the others (suppressed ones are left
 * out), at most 10 of each since GitHub shows no more per step, then a
 * "::notice" with what was left out.
 *
 * Escaping follows the runner's rules: in the message '%', CR and LF
 * become %25, %0D, %0A; in a property value also ':' and ',' (%3A, %2C).
 * Server text first goes through report_escape(), so no other control
 * character or bidi override reaches the log either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "report_priv.h"

#define ANNOTATIONS_MAX 10

static int wf_escape(struct dynbuf *b, const char *s, bool property)
{
	char *e = report_escaped(s);
	const char *p;
	int r = 0;

	if (e == NULL)
		return EXPO_ENOMEM;
	for (p = e; *p != '\0' && r == 0; p++) {
		if (*p == '%')
			r = dynbuf_addstr(b, "%25");
		else if (*p == '\r')
			r = dynbuf_addstr(b, "%0D");
		else if (*p == '\n')
			r = dynbuf_addstr(b, "%0A");
		else if (property && *p == ':')
			r = dynbuf_addstr(b, "%3A");
		else if (property && *p == ',')
			r = dynbuf_addstr(b, "%2C");
		else
			r = dynbuf_add(b, p, 1);
	}
	free(e);
	return r;
}

static int annotation(struct dynbuf *b, const char *level,
		      const struct finding *f)
{
	struct dynbuf t;
	int r;

	dynbuf_init(&t, 1 << 16);
	r = dynbuf_addf(&t, "%s %s on ", severity_name(f->severity),
			f->rule_id);
	if (r == 0)
		r = report_hostport(&t, f->address,
				    REPORT_PORT(f->port, f->proto));
	if (r == 0)
		r = dynbuf_addf(b, "::%s title=", level);
	if (r == 0)
		r = wf_escape(b, dynbuf_ptr(&t), true);
	if (r == 0)
		r = dynbuf_addstr(b, "::");
	dynbuf_reset(&t);
	if (r == 0)
		r = dynbuf_addf(&t, "%s (%s%s%s, CVSS %.1f): %s [%s]",
				f->title ? f->title : f->rule_id,
				f->target_id ? f->target_id : "?",
				f->target_name ? " " : "",
				f->target_name ? f->target_name : "",
				f->cvss_score, f->evidence ? f->evidence : "-",
				f->fingerprint);
	if (r == 0)
		r = wf_escape(b, dynbuf_ptr(&t), false);
	if (r == 0)
		r = dynbuf_addstr(b, "\n");
	dynbuf_release(&t);
	return r;
}

int report_annotations_write(FILE *out, const struct scan_report *r)
{
	struct dynbuf b;
	size_t i, nf = r->findings ? r->findings->n : 0;
	size_t errors = 0, warnings = 0, left = 0;
	int ret = 0;

	dynbuf_init(&b, REPORT_MAX_BYTES);
	if (r->incomplete != NULL) {
		ret = dynbuf_addstr(&b, "::error title=exposure::incomplete "
					"run: ");
		if (ret == 0)
			ret = wf_escape(&b, r->incomplete, false);
		if (ret == 0)
			ret = dynbuf_addstr(&b, "\n");
	}
	for (i = 0; i < nf && ret == 0; i++) {
		const struct finding *f = &r->findings->v[i];

		if (report_finding_suppressed(r, i))
			continue;
		if (report_finding_gates(r, i)) {
			if (errors++ < ANNOTATIONS_MAX)
				ret = annotation(&b, "error", f);
			else
				left++;
		} else if (warnings++ < ANNOTATIONS_MAX) {
			ret = annotation(&b, "warning", f);
		} else {
			left++;
		}
	}
	if (ret == 0 && left > 0)
		ret = dynbuf_addf(&b,
				  "::notice title=exposure::%zu more "
				  "findings are in the reports%%2C not "
				  "annotated here\n",
				  left);
	if (ret == 0 && dynbuf_len(&b) > 0 &&
	    fwrite(dynbuf_ptr(&b), 1, dynbuf_len(&b), out) != dynbuf_len(&b))
		ret = EXPO_EIO;
	if (ret == 0 && fflush(out) != 0)
		ret = EXPO_EIO;
	dynbuf_release(&b);
	return ret;
}
