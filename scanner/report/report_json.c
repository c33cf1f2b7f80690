/*
 * report_json.c - the JSON report (docs/report-schema.md), the source of
 * truth that `exposure report` and `merge` read back.
 *
 * cJSON escapes quotes and control characters but copies bytes >= 0x80 as
 * they are, so text that is not valid UTF-8 (a hostile banner) is repaired
 * first: each invalid byte becomes U+FFFD and the file stays valid JSON.
 * Keys are string literals added with the *CS functions: no copy per key,
 * which matters with a quarter of a million port records.
 */
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "indicators.h"
#include "report_priv.h"

struct jctx {
	int err;
};

static void jadd(struct jctx *j, cJSON *obj, const char *key, cJSON *item)
{
	if (item == NULL) {
		j->err = EXPO_ENOMEM;
	} else if (obj == NULL) {
		cJSON_Delete(item);
	} else if (cJSON_IsArray(obj)) {
		cJSON_AddItemToArray(obj, item);
	} else {
		cJSON_AddItemToObjectCS(obj, key, item);
	}
}

/* a string, null for NULL, repaired when not valid UTF-8 */
static cJSON *jstr(const char *s)
{
	cJSON *item = NULL;
	char *fixed = NULL;

	if (s == NULL) {
		item = cJSON_CreateNull();
	} else if (utf8_valid(s)) {
		item = cJSON_CreateString(s);
	} else if ((fixed = utf8_sanitize(s)) != NULL) {
		item = cJSON_CreateString(fixed);
		free(fixed);
	}
	return item;
}

/* a string of our own that outlives the tree: not copied */
static cJSON *jconst(const char *s)
{
	return cJSON_CreateStringReference(s);
}

static cJSON *jnum(double v)
{
	return cJSON_CreateNumber(v);
}

static cJSON *jobj(struct jctx *j, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_CreateObject();

	jadd(j, parent, key, o);
	return o;
}

static cJSON *jarr(struct jctx *j, cJSON *parent, const char *key)
{
	cJSON *a = cJSON_CreateArray();

	jadd(j, parent, key, a);
	return a;
}

static const char *exposure_name(enum exposure e)
{
	const char *s = "unknown";

	if (e == EXPOSURE_WORLD)
		s = "world";
	else if (e == EXPOSURE_RESTRICTED)
		s = "restricted";
	return s;
}

static void add_head(struct jctx *j, cJSON *root, const struct scan_report *r,
		     const struct report_counts *c)
{
	cJSON *o, *sub;
	int s;

	jadd(j, root, "schema_version", jconst(REPORT_SCHEMA_VERSION));
	o = jobj(j, root, "tool");
	jadd(j, o, "name", jconst("exposure"));
	jadd(j, o, "version", jconst(EXPO_VERSION));
	/* the compromise-indicator data this build matched with */
	jadd(j, o, "indicators_version", jconst(ind_version()));
	jadd(j, root, "started_at", jstr(r->started_at));
	jadd(j, root, "duration_s", jnum(r->duration_s));
	/* false: the run was cut short; nothing missing from it is fixed */
	jadd(j, root, "complete", cJSON_CreateBool(r->incomplete == NULL));
	if (r->incomplete != NULL)
		jadd(j, root, "incomplete_reason", jstr(r->incomplete));
	jadd(j, root, "show_secrets", cJSON_CreateBool(r->show_secrets));
	o = jobj(j, root, "options");
	jadd(j, o, "no_login", cJSON_CreateBool(r->no_login));
	jadd(j, o, "intrusive", cJSON_CreateBool(r->intrusive));

	o = jobj(j, root, "gate");
	jadd(j, o, "fail_on",
	     jconst(r->fail_on < 0 ? "none"
				   : severity_name((enum severity)r->fail_on)));
	jadd(j, o, "result", jconst(report_gate_result(r, c)));
	jadd(j, o, "exit_code", jnum(r->exit_code));
	if (r->fail_on_new)
		jadd(j, o, "fail_on_new", cJSON_CreateBool(true));
	if (r->run_id != NULL)
		jadd(j, root, "run_id", jstr(r->run_id));
	if (r->shard_count > 0) {
		sub = jobj(j, root, "shard");
		jadd(j, sub, "index", jnum(r->shard_index));
		jadd(j, sub, "count", jnum(r->shard_count));
	}

	o = jobj(j, root, "summary");
	sub = jobj(j, o, "findings");
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		jadd(j, sub, severity_name((enum severity)s),
		     jnum((double)c->sev[s]));
	sub = jobj(j, o, "statuses");
	for (s = STATUS_OPEN; s < STATUS_COUNT; s++)
		jadd(j, sub, status_name((enum probe_status)s),
		     jnum((double)c->status[s]));
	jadd(j, o, "targets_scanned", jnum((double)c->scanned));
	jadd(j, o, "targets_skipped", jnum((double)c->skipped));
}

/* the target's labels as an object of strings, keys repaired like values;
 * a key the object has already (two keys one after repair) is dropped */
static void add_labels(struct jctx *j, cJSON *o, const struct target *t)
{
	const cJSON *it;
	cJSON *labels = jobj(j, o, "labels"), *v;
	char *key;

	cJSON_ArrayForEach(it, report_labels(t))
	{
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		key = utf8_valid(it->string) ? strdup(it->string)
					     : utf8_sanitize(it->string);
		if (key == NULL) {
			j->err = EXPO_ENOMEM;
			return;
		}
		if (labels != NULL &&
		    cJSON_GetObjectItemCaseSensitive(labels, key) == NULL) {
			if ((v = jstr(it->valuestring)) == NULL)
				j->err = EXPO_ENOMEM;
			else
				cJSON_AddItemToObject(labels, key, v);
		}
		free(key);
	}
}

static void add_target(struct jctx *j, cJSON *arr, const struct target *t,
		       cJSON **ports)
{
	const struct target_meta *m = t->meta;
	char buf[INET6_ADDRSTRLEN];
	cJSON *o, *addrs, *a;
	uint32_t i;

	o = jobj(j, arr, NULL);
	jadd(j, o, "id", jstr(t->id));
	jadd(j, o, "name", jstr(t->name));
	jadd(j, o, "provider", jstr(t->provider));
	jadd(j, o, "source", jstr(t->source));
	jadd(j, o, "account", jstr(m ? m->account : NULL));
	jadd(j, o, "region", jstr(m ? m->region : NULL));
	jadd(j, o, "zone", jstr(m ? m->zone : NULL));
	jadd(j, o, "state", jstr(m ? m->state : NULL));
	jadd(j, o, "skip_reason", jstr(t->skip_reason));
	add_labels(j, o, t);
	addrs = jarr(j, o, "addresses");
	for (i = 0; i < t->naddrs && j->err == 0; i++) {
		a = jobj(j, addrs, NULL);
		jadd(j, a, "address",
		     jstr(target_addr_text(&t->addrs[i], buf)));
		jadd(j, a, "public", cJSON_CreateBool(t->addrs[i].is_public));
	}
	*ports = jarr(j, o, "ports");
}

/* a port record that says no more than "closed": a discovery record with
 * no reason (and so no duration); it goes into the target's compact
 * "closed" list, which a reader expands back into the same record */
static bool compact_closed(const struct port_record *rec)
{
	return rec->status == STATUS_CLOSED && rec->check == CHECK_NONE &&
	       rec->reason == 0 && rec->proto == PROTO_TCP;
}

static int cmp_closed(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* "22,445,2375-2376": the sorted ports of one address as ranges (a port
 * twice is written once) */
static int port_ranges(struct dynbuf *b, const uint32_t *v, size_t n)
{
	unsigned lo, hi;
	size_t i = 0;
	int r = 0;

	dynbuf_reset(b);
	while (i < n && r == 0) {
		lo = hi = v[i++] & 0xffff;
		while (i < n && (v[i] & 0xffff) <= hi + 1)
			hi = v[i++] & 0xffff;
		r = dynbuf_addf(b, dynbuf_len(b) > 0 ? ",%u" : "%u", lo);
		if (r == 0 && hi != lo)
			r = dynbuf_addf(b, "-%u", hi);
	}
	return r;
}

/* "closed": [{"address", "ports"}] from (addr << 16 | port) keys */
static void add_closed(struct jctx *j, cJSON *o, const struct target *t,
		       uint32_t *keys, size_t n)
{
	char buf[INET6_ADDRSTRLEN];
	struct dynbuf b;
	cJSON *arr = jarr(j, o, "closed"), *a;
	size_t i, k;

	dynbuf_init(&b, (size_t)1 << 20);
	if (n > 0)
		qsort(keys, n, sizeof(*keys), cmp_closed);
	for (i = 0; i < n && j->err == 0; i = k) {
		for (k = i + 1; k < n && keys[k] >> 16 == keys[i] >> 16; k++)
			;
		if (keys[i] >> 16 >= t->naddrs)
			continue;
		if ((j->err = port_ranges(&b, keys + i, k - i)) != 0)
			break;
		a = jobj(j, arr, NULL);
		jadd(j, a, "address",
		     jstr(target_addr_text(&t->addrs[keys[i] >> 16], buf)));
		jadd(j, a, "ports", jstr(dynbuf_ptr(&b)));
	}
	dynbuf_release(&b);
}

/* one target with its port records: a tree of one target at a time */
static cJSON *target_json(struct jctx *j, const struct scan_report *r,
			  struct record_walk *w, uint32_t ti, uint32_t **keys,
			  size_t *akeys)
{
	const struct target *t = &r->targets->v[ti];
	const struct port_record *rec;
	char buf[INET6_ADDRSTRLEN];
	cJSON *holder = cJSON_CreateArray(), *ports = NULL, *o;
	const char *check;
	size_t i, nkeys = 0;

	if (holder == NULL) {
		j->err = EXPO_ENOMEM;
		return NULL;
	}
	add_target(j, holder, t, &ports);
	while (j->err == 0 && (i = record_walk_next(w, ti)) != SIZE_MAX) {
		rec = &r->records[i];
		if (rec->status >= STATUS_COUNT)
			continue;
		if (compact_closed(rec)) {
			if (nkeys == *akeys) {
				size_t na = *akeys ? *akeys * 2 : 64;
				uint32_t *nv = realloc(*keys, na * sizeof(*nv));

				if (nv == NULL) {
					j->err = EXPO_ENOMEM;
					break;
				}
				*keys = nv;
				*akeys = na;
			}
			(*keys)[nkeys++] = (uint32_t)rec->addr << 16 |
					   rec->port;
			continue;
		}
		o = jobj(j, ports, NULL);
		jadd(j, o, "address", jstr(report_record_addr(r, rec, buf)));
		jadd(j, o, "port", jnum(rec->port));
		if (rec->proto == PROTO_UDP) /* absent: TCP (1.5) */
			jadd(j, o, "protocol", jconst("udp"));
		check = report_record_check(r, rec);
		jadd(j, o, "check", check ? jconst(check) : cJSON_CreateNull());
		jadd(j, o, "status",
		     jconst(status_name((enum probe_status)rec->status)));
		jadd(j, o, "reason", jstr(report_record_reason(r, rec)));
		jadd(j, o, "exposure",
		     jconst(exposure_name(target_port_exposure_proto(
			     t, rec->port, rec->proto))));
		if (check != NULL && r->durations_ms != NULL)
			jadd(j, o, "duration_ms", jnum(report_record_ms(r, i)));
	}
	if (j->err == 0)
		add_closed(j, cJSON_GetArrayItem(holder, 0), t, *keys, nkeys);
	o = cJSON_DetachItemFromArray(holder, 0);
	cJSON_Delete(holder);
	return o;
}

static void add_finding(struct jctx *j, cJSON *arr, const struct finding *f,
			size_t rank, const struct finding_note *note, long ms)
{
	static const char *const base[] = { "none", "new", "unchanged" };
	cJSON *o, *sub;

	o = jobj(j, arr, NULL);
	jadd(j, o, "rank", jnum((double)rank));
	jadd(j, o, "fingerprint", jstr(f->fingerprint));
	jadd(j, o, "rule", jstr(f->rule_id));
	jadd(j, o, "check", jstr(f->check));
	jadd(j, o, "title", jstr(f->title));
	jadd(j, o, "severity", jconst(severity_name(f->severity)));
	sub = jobj(j, o, "cvss");
	jadd(j, sub, "vector", jstr(f->cvss_vector));
	jadd(j, sub, "score", jnum(f->cvss_score));
	jadd(j, o, "confidence", jconst(confidence_name(f->confidence)));
	jadd(j, o, "impact", jconst(impact_name(f->impact)));
	sub = jobj(j, o, "target");
	jadd(j, sub, "id", jstr(f->target_id));
	jadd(j, sub, "name", jstr(f->target_name));
	jadd(j, sub, "address", jstr(f->address));
	jadd(j, sub, "public", cJSON_CreateBool(f->is_public));
	jadd(j, o, "port", jnum(f->port));
	if (f->proto == PROTO_UDP)
		jadd(j, o, "protocol", jconst("udp"));
	jadd(j, o, "service", jstr(f->service));
	jadd(j, o, "exposure", jconst(exposure_name(f->exposure)));
	jadd(j, o, "evidence", jstr(f->evidence));
	if (f->secret != NULL)
		jadd(j, o, "secret", jstr(f->secret));
	jadd(j, o, "remediation", jstr(f->remediation));
	jadd(j, o, "references", jstr(f->references));
	jadd(j, o, "rank_reason", jstr(f->rank_reason));
	/* config findings: where they point, what they assume, and the
	 * wire finding of the same target and port (and back) */
	if (f->resource != NULL)
		jadd(j, o, "resource", jstr(f->resource));
	if (f->source != NULL)
		jadd(j, o, "source", jstr(f->source));
	if (f->assumption != NULL)
		jadd(j, o, "assumption", jstr(f->assumption));
	if (f->related != NULL)
		jadd(j, o, "related", jstr(f->related));
	if (ms >= 0)
		jadd(j, o, "duration_ms", jnum((double)ms));
	if (f->gpu != NULL)
		jadd(j, o, "gpu", jstr(f->gpu));
	if (note != NULL && note->baseline != BASELINE_NONE &&
	    note->baseline <= BASELINE_UNCHANGED)
		jadd(j, o, "baseline", jconst(base[note->baseline]));
	if (note != NULL && note->sup_reason != NULL) {
		sub = jobj(j, o, "suppressed");
		jadd(j, sub, "reason", jstr(note->sup_reason));
		jadd(j, sub, "expires", jstr(note->sup_expires));
	}
}

/* ms the probe of f took, or -1 when not known */
static long finding_ms(const struct scan_report *r,
		       const struct record_index *rix,
		       const struct target_index *tix, const struct finding *f)
{
	const struct target *t = target_index_find(tix, f->target_id);
	long i;

	if (r->durations_ms == NULL || t == NULL)
		return -1;
	i = record_index_find(rix, (uint32_t)(t - r->targets->v), f);
	return i >= 0 ? (long)report_record_ms(r, (size_t)i) : -1;
}

/* suppression warnings */
static void add_warnings(struct jctx *j, cJSON *root,
			 const struct scan_report *r)
{
	cJSON *arr;
	size_t i;

	if (r->nwarnings > 0) {
		arr = jarr(j, root, "warnings");
		for (i = 0; i < r->nwarnings && j->err == 0; i++)
			jadd(j, arr, NULL, jstr(r->warnings[i]));
	}
}

/* the members of obj as members of the root (obj freed); *first: none
 * written yet */
static void jo_members(struct json_out *o, cJSON *obj, bool *first)
{
	char *text;
	size_t n;

	if (obj == NULL || obj->child == NULL) {
		cJSON_Delete(obj);
		return;
	}
	if ((text = cJSON_Print(obj)) == NULL) {
		o->err = o->err ? o->err : EXPO_ENOMEM;
	} else {
		/* "{\n" members "\n}" */
		n = strlen(text);
		if (!*first)
			json_out_put(o, ",\n", 2);
		if (n >= 4)
			json_out_put(o, text + 2, n - 4);
		*first = false;
		cJSON_free(text);
	}
	cJSON_Delete(obj);
}

/* `"key":\t[` to start an array member of the root */
static void jo_array(struct json_out *o, const char *key, bool *first)
{
	if (!*first)
		json_out_put(o, ",\n", 2);
	*first = false;
	json_out_put(o, "\t\"", 2);
	json_out_put(o, key, strlen(key));
	json_out_put(o, "\":\t[", 4);
}

static void json_targets(struct json_out *o, struct jctx *j,
			 const struct scan_report *r)
{
	struct record_walk w;
	uint32_t *keys = NULL, ti;
	size_t akeys = 0, n = r->targets != NULL ? r->targets->n : 0;

	if ((o->err = record_walk_init(&w, r)) != 0)
		return;
	for (ti = 0; ti < n && o->err == 0 && j->err == 0; ti++) {
		if (ti > 0)
			json_out_put(o, ", ", 2);
		json_out_item(o, target_json(j, r, &w, ti, &keys, &akeys), 2);
	}
	free(keys);
	record_walk_release(&w);
}

/* --baseline: what it was and what is fixed (a fleet-wide fix may be
 * the whole estate's findings), a fixed finding at a time */
static void json_baseline(struct json_out *o, struct jctx *j,
			  const struct scan_report *r, bool *first)
{
	static const char head[] = "\t\"baseline\":\t{\n\t\t\"file\":\t";
	static const char fixed[] = ",\n\t\t\"fixed\":\t[";
	cJSON *holder;
	size_t i;

	if (!*first)
		json_out_put(o, ",\n", 2);
	*first = false;
	json_out_put(o, head, sizeof(head) - 1);
	json_out_item(o, jstr(r->baseline_path), 2);
	json_out_put(o, fixed, sizeof(fixed) - 1);
	for (i = 0; i < r->fixed->n && j->err == 0 && o->err == 0; i++) {
		if ((holder = cJSON_CreateArray()) != NULL)
			add_finding(j, holder, &r->fixed->v[i], i + 1, NULL,
				    -1);
		json_out_element(o, i, holder, 3);
	}
	json_out_put(o, "]\n\t}", 4);
}

static void json_findings(struct json_out *o, struct jctx *j,
			  const struct scan_report *r)
{
	struct record_index rix = { 0 };
	struct target_index tix = { 0 };
	cJSON *holder;
	size_t i;

	if (r->durations_ms != NULL &&
	    ((j->err = record_index_build(&rix, r)) != 0 ||
	     (j->err = target_index_build(&tix, r->targets)) != 0))
		goto out;
	for (i = 0; r->findings != NULL && i < r->findings->n && j->err == 0 &&
		    o->err == 0;
	     i++) {
		if ((holder = cJSON_CreateArray()) != NULL)
			add_finding(
				j, holder, &r->findings->v[i], i + 1,
				r->notes ? &r->notes[i] : NULL,
				finding_ms(r, &rix, &tix, &r->findings->v[i]));
		json_out_element(o, i, holder, 2);
	}
out:
	record_index_release(&rix);
	target_index_release(&tix);
}

int report_json_write(const char *path, const struct scan_report *r)
{
	struct jctx j = { 0 };
	struct json_out o;
	struct report_counts c;
	cJSON *part;
	bool first = true;

	if (r == NULL)
		return EXPO_EINVAL;
	report_count(r, &c);
	/* the JSON report may carry secrets (--show-secrets): a new file is
	 * 0600, and never readable by others while it holds clear ones */
	if (json_out_open(&o, path,
			  AF_PRIVATE | (r->show_secrets ? AF_SECRET : 0)) != 0)
		return json_out_close(&o, 0);
	json_out_put(&o, "{\n", 2);
	if ((part = cJSON_CreateObject()) == NULL)
		o.err = EXPO_ENOMEM;
	add_head(&j, part, r, &c);
	jo_members(&o, part, &first);
	jo_array(&o, "targets", &first);
	json_targets(&o, &j, r);
	json_out_put(&o, "]", 1);
	jo_array(&o, "findings", &first);
	json_findings(&o, &j, r);
	json_out_put(&o, "]", 1);
	if (r->fixed != NULL)
		json_baseline(&o, &j, r, &first);
	if ((part = cJSON_CreateObject()) == NULL)
		o.err = EXPO_ENOMEM;
	add_warnings(&j, part, r);
	jo_members(&o, part, &first);
	json_out_put(&o, "\n}\n", 3);
	return json_out_close(&o, j.err);
}
