/*
 * gate.c - shards, baselines and suppressions (gate.h).
 *
 * The rule that matters most for audits (ECOSYSTEM.md §4 item 8, the
 * Prowler archiving bugs): a finding is only called fixed when this run
 * proves it absent, never because its host timed out, was skipped, or sat
 * in another shard.
 */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "dynbuf.h"
#include "expo.h"
#include "gate.h"
#include "report/report_priv.h"
#include "spill.h"

/* ---- shards ---- */

unsigned shard_of(const char *id, unsigned count)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	if (count <= 1)
		return 1;
	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return (unsigned)(h % count) + 1;
}

/*
 * The shard key of a target: its first address (an IPv4-mapped IPv6
 * address as the IPv4 one), so that targets sharing an address (two
 * inventories naming one host, host:port lines) always land in one shard
 * and --host-rate and the lockout guard see all of that address's
 * traffic. A target without an address (skipped) goes by its id.
 */
unsigned shard_of_target(const struct target *t, unsigned count)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	uint64_t h = 14695981039346656037ULL;
	const uint8_t *p = NULL;
	size_t n = 0, i;

	if (count <= 1)
		return 1;
	if (t->naddrs == 0 || t->addrs == NULL)
		return shard_of(t->id != NULL ? t->id : "", count);
	if (t->addrs[0].u.sa.sa_family == AF_INET6) {
		p = t->addrs[0].u.sin6.sin6_addr.s6_addr;
		n = 16;
		if (memcmp(p, mapped, sizeof(mapped)) == 0) {
			p += 12;
			n = 4;
		}
	} else {
		p = (const uint8_t *)&t->addrs[0].u.sin.sin_addr.s_addr;
		n = 4;
	}
	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (unsigned)(h % count) + 1;
}

static int parse_num(const char *s, const char *end, unsigned long max,
		     unsigned long *out)
{
	char *e = NULL;
	unsigned long v;

	if (s == end || *s < '0' || *s > '9')
		return EXPO_EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno != 0 || e != end || v > max)
		return EXPO_EINVAL;
	*out = v;
	return 0;
}

int shard_parse(const char *s, unsigned *index, unsigned *count)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	unsigned long k, n;

	if (slash == NULL || parse_num(s, slash, 100000, &k) != 0 ||
	    parse_num(slash + 1, slash + strlen(slash), 100000, &n) != 0 ||
	    k < 1 || n < 1 || k > n)
		return EXPO_EINVAL;
	*index = (unsigned)k;
	*count = (unsigned)n;
	return 0;
}

static int env_num(const char *name, unsigned long max, unsigned long *out,
		   char **err)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return EXPO_ENOTFOUND;
	if (parse_num(v, v + strlen(v), max, out) != 0) {
		if (asprintf(err,
			     "%s='%s' is not a whole number from 0 to "
			     "%lu",
			     name, v, max) < 0)
			*err = NULL;
		return EXPO_EINVAL;
	}
	return 0;
}

int shard_from_env(unsigned count_flag, unsigned *index, unsigned *count,
		   char **err)
{
	unsigned long idx, n = count_flag;
	int r;

	*index = *count = 0;
	r = env_num("JOB_COMPLETION_INDEX", 99999, &idx, err);
	if (r == EXPO_EINVAL)
		return r;
	if (r == 0) {
		if (n == 0) {
			r = env_num("EXPOSURE_SHARD_COUNT", 100000, &n, err);
			if (r == EXPO_EINVAL)
				return r;
			if (r != 0) {
				if (asprintf(err,
					     "JOB_COMPLETION_INDEX is set "
					     "but not the shard count: give "
					     "--shard-count N or "
					     "EXPOSURE_SHARD_COUNT") < 0)
					*err = NULL;
				return EXPO_EINVAL;
			}
		}
		if (n < 1 || idx >= n) {
			if (asprintf(err,
				     "JOB_COMPLETION_INDEX=%lu is not "
				     "below the shard count %lu",
				     idx, n) < 0)
				*err = NULL;
			return EXPO_EINVAL;
		}
		*index = (unsigned)idx + 1;
		*count = (unsigned)n;
		return 0;
	}
	if (env_num("CI_NODE_TOTAL", 100000, &n, err) == 0) {
		if (env_num("CI_NODE_INDEX", 100000, &idx, err) != 0 ||
		    idx < 1 || idx > n) {
			free(*err);
			if (asprintf(err,
				     "CI_NODE_INDEX='%s' is not from 1 "
				     "to CI_NODE_TOTAL=%lu",
				     getenv("CI_NODE_INDEX")
					     ? getenv("CI_NODE_INDEX")
					     : "",
				     n) < 0)
				*err = NULL;
			return EXPO_EINVAL;
		}
		*index = (unsigned)idx;
		*count = (unsigned)n;
		return 0;
	}
	if (*err != NULL)
		return EXPO_EINVAL;
	if (count_flag > 0) {
		if (asprintf(err, "--shard-count needs JOB_COMPLETION_INDEX "
				  "(or use --shard K/N)") < 0)
			*err = NULL;
		return EXPO_EINVAL;
	}
	return 0;
}

void shard_filter(struct target_list *l, unsigned index, unsigned count)
{
	size_t i, o = 0;

	for (i = 0; i < l->n; i++) {
		if (shard_of_target(&l->v[i], count) != index) {
			target_release(&l->v[i]);
			continue;
		}
		if (o != i)
			l->v[o] = l->v[i];
		o++;
	}
	l->n = o;
}

/* ---- a scan as a report_doc ---- */

int report_doc_from_scan(struct report_doc *d, struct target_list *tl,
			 struct scan_result *res)
{
	int r;

	d->targets = *tl;
	target_list_init(tl);
	if ((r = finding_list_take(&d->findings, &res->findings)) != 0)
		return r;
	d->records = res->records;
	d->nrecords = d->arecords = res->nrecords;
	d->durations_ms = res->durations_ms;
	d->adurations = res->durations_ms ? res->nrecords : 0;
	d->records_spill = res->records_spill;
	res->records = NULL;
	res->durations_ms = NULL;
	res->records_spill = NULL;
	res->nrecords = 0;
	d->reasons = res->reasons;
	d->nreasons = d->areasons = res->nreasons;
	res->reasons = NULL;
	res->nreasons = 0;
	memcpy(d->started_at, res->started_at, sizeof(d->started_at));
	d->duration_s = res->duration_s;
	if (res->interrupted != 0 &&
	    asprintf(&d->incomplete_reason, "interrupted by %s",
		     res->interrupted == SIGINT	   ? "SIGINT"
		     : res->interrupted == SIGTERM ? "SIGTERM"
						   : "a signal") < 0) {
		d->incomplete_reason = NULL;
		return EXPO_ENOMEM;
	}
	return 0;
}

int report_doc_gate(const struct report_doc *d)
{
	struct scan_report r;
	size_t i;

	report_doc_view(d, &r);
	for (i = 0; i < d->findings.n; i++)
		if (report_finding_gates(&r, i))
			return 1;
	return 0;
}

/* ---- baseline ---- */

/* What proving findings absent needs from one run, built once: its
 * targets by id and a walk that seeks each target's records, so a proof
 * costs that target's records, not the estate's (a baseline of many
 * fixed findings was quadratic). */
struct absence_index {
	const struct report_doc *d;
	struct target_index targets;
	struct record_walk walk;
	size_t *sel; /* the records of the target at hand, in record order */
	size_t nsel, asel;
};

/* room for the most records one target has, so that a proof never
 * allocates (and so never fails) */
static int size_selection(struct absence_index *ix)
{
	size_t most = 1, n;
	uint32_t ti;

	for (ti = 0; ti < ix->d->targets.n; ti++) {
		for (n = 0; record_walk_next(&ix->walk, ti) != SIZE_MAX; n++)
			;
		if (n > most)
			most = n;
	}
	if ((ix->sel = calloc(most, sizeof(*ix->sel))) == NULL)
		return EXPO_ENOMEM;
	ix->asel = most;
	return 0;
}

int absence_index_new(struct absence_index **out, const struct report_doc *d)
{
	struct absence_index *ix = calloc(1, sizeof(*ix));
	struct scan_report view;
	int r;

	*out = NULL;
	if (ix == NULL)
		return EXPO_ENOMEM;
	ix->d = d;
	report_doc_view(d, &view);
	if ((r = target_index_build(&ix->targets, &d->targets)) != 0 ||
	    (r = record_walk_init(&ix->walk, &view)) != 0 ||
	    (r = size_selection(ix)) != 0) {
		absence_index_free(ix);
		return r;
	}
	*out = ix;
	return 0;
}

void absence_index_free(struct absence_index *ix)
{
	if (ix == NULL)
		return;
	target_index_release(&ix->targets);
	record_walk_release(&ix->walk);
	free(ix->sel);
	free(ix);
}

/* ix->sel: the records of target ti (size_selection() made room) */
static void select_target(struct absence_index *ix, uint32_t ti)
{
	size_t i;

	ix->nsel = 0;
	record_walk_seek(&ix->walk, ti);
	while ((i = record_walk_next(&ix->walk, ti)) != SIZE_MAX &&
	       ix->nsel < ix->asel)
		ix->sel[ix->nsel++] = i;
}

static bool host_answered(const struct absence_index *ix)
{
	size_t k;

	for (k = 0; k < ix->nsel; k++) {
		const struct port_record *rec = &ix->d->records[ix->sel[k]];

		if (rec->check == CHECK_NONE && (rec->status == STATUS_OPEN ||
						 rec->status == STATUS_CLOSED))
			return true;
	}
	return false;
}

static bool check_completed(const struct absence_index *ix, uint16_t addr,
			    uint16_t port, const char *check)
{
	size_t k;
	bool ok = false;

	for (k = 0; k < ix->nsel; k++) {
		const struct port_record *rec = &ix->d->records[ix->sel[k]];
		const char *name;

		if (rec->addr != addr || rec->port != port ||
		    rec->check == CHECK_NONE)
			continue;
		name = report_doc_check_name(ix->d, rec);
		if (name == NULL || check == NULL || strcmp(name, check) != 0)
			continue;
		if (rec->status != STATUS_OPEN)
			return false;
		ok = true;
	}
	return ok;
}

/* false when the run's options kept it from trying what the rule needs */
static bool run_could_see(const struct report_doc *d, const struct finding *f)
{
	const struct check *c = f->check ? check_find(f->check) : NULL;
	const struct rule *rule = c && f->rule_id ? check_rule(c, f->rule_id)
						  : NULL;

	if (rule == NULL)
		return true; /* a rule of another version: ports decide */
	if ((rule->flags & CHECK_LOGIN) && d->no_login)
		return false;
	if ((rule->flags & CHECK_INTRUSIVE) && !d->intrusive)
		return false;
	return true;
}

bool absence_proved(struct absence_index *ix, const struct finding *f)
{
	const struct report_doc *d = ix->d;
	const struct target *t = target_index_find(&ix->targets, f->target_id);
	size_t k, seen = 0;

	/* an interrupted run proves nothing absent: a probe it finished
	 * may have been cut before the part that would have found f */
	if (d->incomplete_reason != NULL)
		return false;
	if (t == NULL || t->skip_reason != NULL || !run_could_see(d, f))
		return false;
	select_target(ix, (uint32_t)(t - d->targets.v));
	/* every address probed on that port must say so */
	for (k = 0; k < ix->nsel; k++) {
		const struct port_record *rec = &d->records[ix->sel[k]];

		if (rec->port != f->port || rec->check != CHECK_NONE)
			continue;
		seen++;
		switch (rec->status) {
		case STATUS_CLOSED:
			break;
		case STATUS_OPEN:
			if (!check_completed(ix, rec->addr, rec->port,
					     f->check))
				return false;
			break;
		case STATUS_FILTERED:
			if (!host_answered(ix))
				return false;
			break;
		default:
			return false;
		}
	}
	return seen > 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int fp_set_build(struct fp_set *s, const struct finding_list *l)
{
	size_t i;

	s->n = 0;
	if ((s->v = calloc(l->n + 1, sizeof(*s->v))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < l->n; i++)
		s->v[i] = l->v[i].fingerprint;
	s->n = l->n;
	qsort(s->v, s->n, sizeof(*s->v), str_cmp);
	return 0;
}

bool fp_set_has(const struct fp_set *s, const char *fp)
{
	/* an empty set may have no array (bsearch() wants one) */
	return s->n > 0 &&
	       bsearch(&fp, s->v, s->n, sizeof(*s->v), str_cmp) != NULL;
}

void fp_set_release(struct fp_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int baseline_apply(struct report_doc *d, const struct report_doc *base,
		   const char *path)
{
	struct fp_set bv = { 0 }, cv = { 0 };
	struct absence_index *ix = NULL;
	size_t i, missing;
	int r;

	if ((r = report_doc_notes(d)) != 0)
		return r;
	if ((r = fp_set_build(&bv, &base->findings)) != 0 ||
	    (r = fp_set_build(&cv, &d->findings)) != 0)
		goto out;
	for (i = 0; i < d->findings.n; i++)
		d->notes[i].baseline =
			fp_set_has(&bv, d->findings.v[i].fingerprint)
				? BASELINE_UNCHANGED
				: BASELINE_NEW;
	finding_list_release(&d->fixed);
	for (i = 0, missing = 0; i < base->findings.n; i++) {
		const struct finding *bf = &base->findings.v[i];
		struct finding *nf;

		spill_pace(i);
		if (fp_set_has(&cv, bf->fingerprint))
			continue;
		missing++;
		/* an interrupted run proves nothing: no index to build */
		if (d->incomplete_reason != NULL)
			continue;
		if (ix == NULL && (r = absence_index_new(&ix, d)) != 0)
			goto out;
		if (!absence_proved(ix, bf))
			continue;
		r = EXPO_ENOMEM;
		if ((nf = finding_list_add(&d->fixed)) == NULL ||
		    finding_copy(nf, bf) != 0)
			goto out;
		/* a fleet-wide fix spills as the findings do */
		finding_list_grown(&d->fixed);
	}
	d->has_baseline = true;
	free(d->baseline_path);
	d->baseline_path = path ? strdup(path) : NULL;
	r = 0;
	if (d->incomplete_reason != NULL && missing > 0)
		r = report_doc_warn(d,
				    "%zu finding(s) of the baseline not seen "
				    "by this run: not called fixed, the run "
				    "was %s",
				    missing, d->incomplete_reason);
out:
	fp_set_release(&bv);
	fp_set_release(&cv);
	absence_index_free(ix);
	return r;
}

/* ---- suppressions ---- */

void suppressions_release(struct suppression_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].rule);
		free(l->v[i].target);
		free(l->v[i].reason);
	}
	free(l->v);
	free(l->path);
	memset(l, 0, sizeof(*l));
}

static int sfail(char **err, const char *name, size_t i, const char *msg,
		 const char *a)
{
	char *m = NULL;

	if (asprintf(&m, msg, a) < 0)
		m = NULL;
	if (err != NULL && *err == NULL &&
	    asprintf(err, "%s: $.suppressions[%zu]: %s", name, i,
		     m ? m : "bad entry") < 0)
		*err = NULL;
	free(m);
	return EXPO_EPARSE;
}

static bool valid_date(const char *s)
{
	struct tm tm;
	char back[11];
	time_t t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%d", &tm) == NULL)
		return false;
	/* 2026-02-30 parses; normalising it shows it is not a date */
	tm.tm_isdst = 0;
	if ((t = timegm(&tm)) == (time_t)-1)
		return false;
	gmtime_r(&t, &tm);
	strftime(back, sizeof(back), "%Y-%m-%d", &tm);
	return strcmp(back, s) == 0;
}

static int read_entry(const cJSON *o, const char *name, size_t i,
		      struct suppression *s, char **err)
{
	static const char *const keys[] = { "rule", "target", "port", "reason",
					    "expires" };
	const cJSON *it;
	size_t k;

	s->port = -1;
	if (!cJSON_IsObject(o))
		return sfail(err, name, i, "expected an object%s", "");
	/* a misspelt key ("expiry") must not silently widen an entry */
	cJSON_ArrayForEach(it, o)
	{
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(it->string, keys[k]) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			return sfail(err, name, i,
				     "unknown key \"%s\" (rule, "
				     "target, port, reason, expires)",
				     it->string);
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "rule");
	if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
		return sfail(err, name, i,
			     "\"rule\": a rule id (or pattern "
			     "such as ssh.*) is required%s",
			     "");
	s->rule = strdup(it->valuestring);
	it = cJSON_GetObjectItemCaseSensitive(o, "target");
	if (it != NULL && (!cJSON_IsString(it) || it->valuestring[0] == '\0'))
		return sfail(err, name, i,
			     "\"target\": expected a target id, "
			     "name or address (patterns allowed)%s",
			     "");
	s->target = strdup(it ? it->valuestring : "*");
	it = cJSON_GetObjectItemCaseSensitive(o, "port");
	if (it != NULL) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
		    it->valuedouble > 65535 ||
		    it->valuedouble != (double)(int)it->valuedouble)
			return sfail(err, name, i,
				     "\"port\": expected an "
				     "integer from 1 to 65535%s",
				     "");
		s->port = (int)it->valuedouble;
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "reason");
	if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
		return sfail(err, name, i,
			     "\"reason\" is required: say why "
			     "this finding is accepted%s",
			     "");
	s->reason = strdup(it->valuestring);
	it = cJSON_GetObjectItemCaseSensitive(o, "expires");
	if (!cJSON_IsString(it) || !valid_date(it->valuestring))
		return sfail(err, name, i,
			     "\"expires\" is required: a date "
			     "YYYY-MM-DD after which the entry no longer "
			     "applies%s",
			     "");
	memcpy(s->expires, it->valuestring, 11);
	if (s->rule == NULL || s->target == NULL || s->reason == NULL)
		return EXPO_ENOMEM;
	return 0;
}

int suppressions_parse(const char *text, size_t len, const char *name,
		       struct suppression_list *l, char **err)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *arr = root, *o;
	size_t i = 0;
	int r = EXPO_EPARSE;

	if (root == NULL) {
		if (asprintf(err, "%s: not valid JSON", name) < 0)
			*err = NULL;
		goto out;
	}
	if (cJSON_IsObject(root))
		arr = cJSON_GetObjectItemCaseSensitive(root, "suppressions");
	if (!cJSON_IsArray(arr)) {
		if (asprintf(err, "%s: $: expected {\"suppressions\": [...]}",
			     name) < 0)
			*err = NULL;
		goto out;
	}
	l->n = 0;
	if ((l->v = calloc((size_t)cJSON_GetArraySize(arr) + 1,
			   sizeof(*l->v))) == NULL) {
		r = EXPO_ENOMEM;
		goto out;
	}
	r = 0;
	cJSON_ArrayForEach(o, arr)
	{
		r = read_entry(o, name, i, &l->v[i], err);
		l->n = ++i;
		if (r != 0)
			break;
	}
	if (r == 0 && (l->path = strdup(name)) == NULL)
		r = EXPO_ENOMEM;
out:
	cJSON_Delete(root);
	return r;
}

int suppressions_load(const char *path, struct suppression_list *l, char **err)
{
	struct dynbuf b;
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;
	int r = 0;

	memset(l, 0, sizeof(*l));
	dynbuf_init(&b, 16u << 20);
	if (f == NULL) {
		if (asprintf(err, "%s: cannot read: %s", path,
			     strerror(errno)) < 0)
			*err = NULL;
		r = EXPO_EIO;
		goto out;
	}
	while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = dynbuf_add(&b, chunk, n);
	if (r != 0 || ferror(f)) {
		if (asprintf(err, "%s: cannot read: %s", path,
			     r == EXPO_ETOOBIG ? "larger than 16 MiB"
					       : "read error") < 0)
			*err = NULL;
		r = EXPO_EIO;
		goto out;
	}
	r = suppressions_parse(dynbuf_ptr(&b), dynbuf_len(&b), path, l, err);
out:
	if (f != NULL)
		fclose(f);
	dynbuf_release(&b);
	return r;
}

static bool target_matches(const char *pat, const struct finding *f)
{
	return fnmatch(pat, f->target_id ? f->target_id : "", 0) == 0 ||
	       (f->target_name != NULL &&
		fnmatch(pat, f->target_name, 0) == 0) ||
	       (f->address != NULL && fnmatch(pat, f->address, 0) == 0);
}

int suppressions_apply(struct report_doc *d, struct suppression_list *l,
		       const char *today)
{
	size_t i, k;
	int r;

	if ((r = report_doc_notes(d)) != 0)
		return r;
	for (k = 0; k < l->n; k++) {
		struct suppression *s = &l->v[k];

		s->hits = 0;
		if (strcmp(s->expires, today) < 0) {
			r = report_doc_warn(d,
					    "%s: suppression %zu (%s on %s) "
					    "expired on %s and no longer "
					    "applies",
					    l->path ? l->path : "-", k + 1,
					    s->rule, s->target, s->expires);
			if (r != 0)
				return r;
			continue;
		}
		for (i = 0; i < d->findings.n; i++) {
			const struct finding *f = &d->findings.v[i];
			struct finding_note *n = &d->notes[i];

			if (f->rule_id == NULL ||
			    fnmatch(s->rule, f->rule_id, 0) != 0 ||
			    !target_matches(s->target, f) ||
			    (s->port >= 0 && s->port != f->port))
				continue;
			s->hits++;
			if (n->sup_reason != NULL)
				continue; /* the first entry wins */
			n->sup_reason = strdup(s->reason);
			n->sup_expires = strdup(s->expires);
			if (n->sup_reason == NULL || n->sup_expires == NULL)
				return EXPO_ENOMEM;
		}
		if (s->hits == 0 &&
		    (r = report_doc_warn(d,
					 "%s: suppression %zu (%s on %s) "
					 "matches no finding",
					 l->path ? l->path : "-", k + 1,
					 s->rule, s->target)) != 0)
			return r;
	}
	return 0;
}

void gate_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
