/*
 * report_doc.c - a report that owns its data (report_doc.h): merging of
 * shard reports and the view the writers read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "engine/engine.h"
#include "rank/rank.h"
#include "expo.h"
#include "report_doc.h"
#include "report_priv.h"
#include "spill.h"

void report_doc_init(struct report_doc *d)
{
	memset(d, 0, sizeof(*d));
	target_list_init(&d->targets);
	finding_list_init(&d->findings);
	finding_list_init(&d->fixed);
	d->fail_on = SEV_HIGH;
}

static void notes_free(struct finding_note *n, size_t count)
{
	size_t i;

	for (i = 0; n != NULL && i < count; i++) {
		free(n[i].sup_reason);
		free(n[i].sup_expires);
	}
	free(n);
}

void report_doc_release(struct report_doc *d)
{
	size_t i;

	if (d == NULL)
		return;
	notes_free(d->notes, d->findings.n);
	target_list_release(&d->targets);
	finding_list_release(&d->findings);
	finding_list_release(&d->fixed);
	free(d->baseline_path);
	port_records_free(d->records, d->durations_ms, d->records_spill);
	for (i = 0; i < d->ncheck_names; i++)
		free(d->check_names[i]);
	free(d->check_names);
	for (i = 0; i < d->nreasons; i++)
		free(d->reasons[i]);
	free(d->reasons);
	for (i = 0; i < d->nwarnings; i++)
		free(d->warnings[i]);
	free(d->warnings);
	free(d->run_id);
	free(d->incomplete_reason);
	report_doc_init(d);
}

int report_doc_take_findings(struct report_doc *d, struct finding_list *out)
{
	int r;

	/* the notes go with the count they were made for */
	notes_free(d->notes, d->findings.n);
	d->notes = NULL;
	r = finding_list_take(out, &d->findings);
	report_doc_release(d);
	return r;
}

void report_doc_view(const struct report_doc *d, struct scan_report *r)
{
	memset(r, 0, sizeof(*r));
	r->targets = &d->targets;
	r->findings = &d->findings;
	r->records = d->records;
	r->nrecords = d->nrecords;
	r->durations_ms = d->durations_ms;
	r->check_names = (const char *const *)d->check_names;
	r->ncheck_names = d->ncheck_names;
	r->reasons = (const char *const *)d->reasons;
	r->nreasons = d->nreasons;
	r->started_at = d->started_at;
	r->duration_s = d->duration_s;
	r->fail_on = d->fail_on;
	r->exit_code = d->exit_code;
	r->show_secrets = d->show_secrets;
	r->no_login = d->no_login;
	r->intrusive = d->intrusive;
	r->notes = d->notes;
	r->fixed = d->has_baseline ? &d->fixed : NULL;
	r->baseline_path = d->baseline_path;
	r->fail_on_new = d->fail_on_new;
	r->run_id = d->run_id;
	r->shard_index = d->shard_index;
	r->shard_count = d->shard_count;
	r->warnings = (const char *const *)d->warnings;
	r->nwarnings = d->nwarnings;
	r->incomplete = d->incomplete_reason;
}

int report_doc_reason(struct report_doc *d, const char *text, uint16_t *out)
{
	char **v;
	size_t i;

	*out = 0;
	if (text == NULL)
		return 0;
	for (i = 1; i < d->nreasons; i++)
		if (strcmp(d->reasons[i], text) == 0) {
			*out = (uint16_t)i;
			return 0;
		}
	if (d->nreasons == 0)
		d->nreasons = 1; /* reasons[0] is "none" */
	if (d->nreasons > UINT16_MAX)
		return EXPO_ETOOBIG;
	if (d->nreasons + 1 > d->areasons) {
		size_t na = d->areasons ? d->areasons * 2 : 16;

		if ((v = realloc(d->reasons, na * sizeof(*v))) == NULL)
			return EXPO_ENOMEM;
		if (d->areasons == 0)
			v[0] = NULL;
		d->reasons = v;
		d->areasons = na;
	}
	if ((d->reasons[d->nreasons] = strdup(text)) == NULL)
		return EXPO_ENOMEM;
	*out = (uint16_t)d->nreasons++;
	return 0;
}

int report_doc_record_ms(struct report_doc *d, const struct port_record *rec,
			 uint32_t ms)
{
	/* a quarter more: a read-back estate of millions of records should
	 * not carry a million spare ones */
	size_t na = d->nrecords < d->arecords ? d->arecords
		    : d->arecords ? d->arecords + d->arecords / 4 + 64
				  : 64;
	int r;

	/* a read-back estate's records go to a spill as a scan's do (no
	 * file: they stay in memory) */
	if (d->nrecords == RECORDS_SPILL_AFTER && d->records_spill == NULL)
		(void)port_records_spill(&d->records, &d->arecords,
					 &d->durations_ms, &d->adurations,
					 d->nrecords, &d->records_spill);
	/* durations: none until one is known, then as long as the records */
	if ((r = port_records_room(&d->records, &d->arecords, &d->durations_ms,
				   &d->adurations, na, ms != 0,
				   d->records_spill)) != 0)
		return r;
	if (d->durations_ms != NULL)
		d->durations_ms[d->nrecords] = ms;
	d->records[d->nrecords++] = *rec;
	return 0;
}

int report_doc_record(struct report_doc *d, const struct port_record *rec)
{
	return report_doc_record_ms(d, rec, 0);
}

int report_doc_check(struct report_doc *d, const char *name, uint8_t *out)
{
	char **v;
	size_t i;

	for (i = 0; i < check_registry_len && i < CHECK_NONE; i++)
		if (strcmp(check_registry[i]->name, name) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	for (i = 0; i < d->ncheck_names; i++)
		if (strcmp(d->check_names[i], name) == 0)
			break;
	if (check_registry_len + i >= CHECK_NONE)
		return EXPO_ETOOBIG;
	if (i == d->ncheck_names) {
		v = realloc(d->check_names, (i + 1) * sizeof(*v));
		if (v == NULL)
			return EXPO_ENOMEM;
		d->check_names = v;
		if ((v[i] = strdup(name)) == NULL)
			return EXPO_ENOMEM;
		d->ncheck_names++;
	}
	*out = (uint8_t)(check_registry_len + i);
	return 0;
}

const char *report_doc_check_name(const struct report_doc *d,
				  const struct port_record *rec)
{
	struct scan_report r = {
		.check_names = (const char *const *)d->check_names,
		.ncheck_names = d->ncheck_names,
	};

	return report_record_check(&r, rec);
}

int report_doc_warn(struct report_doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, **v;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EXPO_ENOMEM;
	if ((v = realloc(d->warnings, (d->nwarnings + 1) * sizeof(*v))) ==
	    NULL) {
		free(s);
		return EXPO_ENOMEM;
	}
	d->warnings = v;
	v[d->nwarnings++] = s;
	return 0;
}

int report_doc_notes(struct report_doc *d)
{
	if (d->notes != NULL || d->findings.n == 0)
		return 0;
	d->notes = calloc(d->findings.n, sizeof(*d->notes));
	return d->notes != NULL ? 0 : EXPO_ENOMEM;
}

struct fp_note {
	char fp[33];
	struct finding_note note;
};

static int fp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fp_note *)a)->fp,
		      ((const struct fp_note *)b)->fp);
}

int report_doc_rank(struct report_doc *d)
{
	struct fp_note *tmp = NULL, key, *hit;
	size_t i, n = d->findings.n;
	int r = 0;

	if (d->notes == NULL) {
		rank_findings(&d->findings);
		return 0;
	}
	/* notes follow their finding by fingerprint through the sort */
	if (n > 0 && (tmp = calloc(n, sizeof(*tmp))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < n; i++) {
		spill_pace(i);
		memcpy(tmp[i].fp, d->findings.v[i].fingerprint, 33);
		tmp[i].note = d->notes[i];
	}
	qsort(tmp, n, sizeof(*tmp), fp_cmp);
	rank_findings(&d->findings);
	for (i = 0; i < n; i++) {
		spill_pace(i);
		memcpy(key.fp, d->findings.v[i].fingerprint, 33);
		hit = bsearch(&key, tmp, n, sizeof(*tmp), fp_cmp);
		if (hit != NULL) {
			d->notes[i] = hit->note;
			memset(&hit->note, 0, sizeof(hit->note));
		} else {
			memset(&d->notes[i], 0, sizeof(d->notes[i]));
		}
	}
	for (i = 0; i < n; i++) {
		free(tmp[i].note.sup_reason);
		free(tmp[i].note.sup_expires);
	}
	free(tmp);
	return r;
}

/* a merge refused: the message into *err, EXPO_EINVAL */
static int merge_error(char **err, const char *fmt, const char *a)
{
	if (err != NULL && asprintf(err, fmt, a) < 0)
		*err = NULL;
	return EXPO_EINVAL;
}

int report_doc_merge(struct report_doc *dst, struct report_doc *src, char **err)
{
	struct target_index ix;
	struct finding_note *nn = NULL;
	size_t i, off, nd = dst->findings.n, ns = src->findings.n;
	int r;

	/* shards never share a target: the same id twice is a mistake
	 * (the same file given twice, or shards of different runs) */
	if ((r = target_index_build(&ix, &dst->targets)) != 0)
		return r;
	for (i = 0; i < src->targets.n; i++)
		if (target_index_find(&ix, src->targets.v[i].id) != NULL) {
			r = merge_error(err,
					"target %s is in two of the reports "
					"(the same shard twice?)",
					src->targets.v[i].id);
			break;
		}
	target_index_release(&ix);
	if (r != 0)
		return r;
	/* every piece of memory first, so a failure leaves both intact */
	if (dst->targets.n + src->targets.n > UINT32_MAX)
		return EXPO_ETOOBIG;
	/* a spilled src taken into an unspilled dst would swap the lists
	 * (finding_list_take) and the notes below would follow the wrong
	 * findings: dst spills too, which keeps dst's findings first */
	if (src->findings.spill != NULL && dst->findings.spill == NULL &&
	    nd > 0 && (dst->notes != NULL || src->notes != NULL)) {
		struct spill *s = spill_new();

		if (s == NULL || finding_list_spill(&dst->findings, s) != 0) {
			spill_free(s);
			return EXPO_ENOMEM;
		}
	}
	if ((dst->notes != NULL || src->notes != NULL) && nd + ns > 0) {
		if ((nn = calloc(nd + ns, sizeof(*nn))) == NULL)
			return EXPO_ENOMEM;
		if (dst->notes != NULL)
			memcpy(nn, dst->notes, nd * sizeof(*nn));
		if (src->notes != NULL)
			memcpy(nn + nd, src->notes, ns * sizeof(*nn));
	}
	/* room for src's records at once: growing step by step would hold
	 * two copies of an estate's records at each step */
	if (dst->records_spill == NULL &&
	    dst->nrecords + src->nrecords > RECORDS_SPILL_AFTER)
		(void)port_records_spill(&dst->records, &dst->arecords,
					 &dst->durations_ms, &dst->adurations,
					 dst->nrecords, &dst->records_spill);
	if (port_records_room(&dst->records, &dst->arecords, &dst->durations_ms,
			      &dst->adurations, dst->nrecords + src->nrecords,
			      false, dst->records_spill) != 0) {
		free(nn);
		return EXPO_ENOMEM;
	}
	off = dst->targets.n;
	for (i = 0; i < src->nrecords; i++) {
		struct port_record rec = src->records[i];
		const char *check = report_doc_check_name(src, &rec);

		spill_pace(i);
		/* a check src's build lacked gets dst's index for its name */
		if (check != NULL && rec.check >= check_registry_len &&
		    (r = report_doc_check(dst, check, &rec.check)) != 0)
			goto fail;
		if ((r = report_doc_reason(
			     dst, rec.reason ? src->reasons[rec.reason] : NULL,
			     &rec.reason)) != 0 ||
		    (r = report_doc_record_ms(
			     dst, &rec,
			     src->durations_ms ? src->durations_ms[i] : 0)) !=
			    0)
			goto fail;
		dst->records[dst->nrecords - 1].target =
			(uint32_t)(rec.target + off);
	}
	for (i = 0; i < src->targets.n; i++) {
		struct target *t = target_list_add(&dst->targets);

		if (t == NULL) {
			r = EXPO_ENOMEM;
			goto fail;
		}
		*t = src->targets.v[i];
		/* sources and providers are interned by src's list */
		if (t->source != NULL)
			t->source = target_list_intern_source(&dst->targets,
							      t->source);
		t->provider = t->provider ? target_list_intern_source(
						    &dst->targets, t->provider)
					  : NULL;
		memset(&src->targets.v[i], 0, sizeof(src->targets.v[i]));
	}
	target_list_adopt_arena(&dst->targets, &src->targets);
	if ((r = finding_list_take(&dst->findings, &src->findings)) != 0)
		goto fail;
	free(dst->notes);
	free(src->notes);
	dst->notes = nn;
	src->notes = NULL;
	nn = NULL;
	if (src->has_baseline) {
		dst->has_baseline = true;
		if ((r = finding_list_take(&dst->fixed, &src->fixed)) != 0)
			goto fail;
	}
	for (i = 0; i < src->nwarnings; i++) {
		if ((r = report_doc_warn(dst, "%s", src->warnings[i])) != 0)
			goto fail;
	}
	/* the merged run started with its first shard and lasted as long
	 * as its longest one */
	if (dst->started_at[0] == '\0' ||
	    (src->started_at[0] != '\0' &&
	     strcmp(src->started_at, dst->started_at) < 0))
		memcpy(dst->started_at, src->started_at,
		       sizeof(dst->started_at));
	if (src->duration_s > dst->duration_s)
		dst->duration_s = src->duration_s;
	dst->show_secrets = dst->show_secrets || src->show_secrets;
	/* one shard without logins: the merged run cannot prove a login
	 * finding absent anywhere (which shard saw which host is gone) */
	dst->no_login = dst->no_login || src->no_login;
	dst->intrusive = dst->intrusive && src->intrusive;
	if (dst->run_id == NULL && src->run_id != NULL) {
		dst->run_id = src->run_id;
		src->run_id = NULL;
	}
	/* one incomplete shard makes the merged run incomplete */
	if (dst->incomplete_reason == NULL && src->incomplete_reason != NULL) {
		dst->incomplete_reason = src->incomplete_reason;
		src->incomplete_reason = NULL;
	}
	dst->shard_index = dst->shard_count = 0;
	r = report_doc_rank(dst);
	if (r == 0 && dst->has_baseline)
		rank_findings(&dst->fixed);
	return r;
fail:
	free(nn);
	return r;
}
