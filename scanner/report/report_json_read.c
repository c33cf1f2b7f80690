/*
 * report_json_read.c - a --json report (docs/report-schema.md, schema 1)
 * back into targets, port records and findings, for `exposure report`,
 * `merge`, --baseline and --history.
 *
 * Strict: every documented field must be there with its type; an error
 * names the file and the JSON path. Unknown keys are ignored, as the
 * schema promises readers. The summary is not read: writers recount it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "dynbuf.h"
#include "expo.h"
#include "rank/rank.h"
#include "report_doc.h"
#include "report_priv.h"
#include "spill.h"

/* Largest value read whole: a target with its ports, a finding, or a
 * member of the top level other than "targets" and "findings" (their
 * elements are read one at a time) */
#define REPORT_VALUE_MAX ((size_t)256 << 20)
/* Most port records a report may expand to (12 bytes each) */
#define REPORT_RECORDS_MAX ((size_t)1 << 26)

struct rd {
	const char *name;
	char **err;
	int r;
	struct report_doc *d;
};

static int fail(struct rd *rd, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL, *all = NULL;

	if (rd->r != 0)
		return rd->r;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* the message quotes the file (a label, an address): escaped, as
	 * it goes to a terminal or a CI log */
	if (rd->err != NULL && *rd->err == NULL &&
	    asprintf(&all, "%s: %s: %s", rd->name, path,
		     msg ? msg : "bad value") >= 0) {
		*rd->err = report_escaped(all);
		free(all);
	}
	free(msg);
	rd->r = EXPO_EPARSE;
	return rd->r;
}

static cJSON *member(struct rd *rd, const cJSON *obj, const char *path,
		     const char *key, bool optional)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it == NULL && !optional)
		fail(rd, path, "missing key \"%s\"", key);
	return it;
}

/* a string (or null when nullable) into *out, malloc'd */
static void get_str(struct rd *rd, const cJSON *obj, const char *path,
		    const char *key, bool nullable, char **out)
{
	cJSON *it;

	*out = NULL;
	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return;
	if (cJSON_IsNull(it) && nullable)
		return;
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		fail(rd, path, "\"%s\": expected a string%s", key,
		     nullable ? " or null" : "");
		return;
	}
	if ((*out = strdup(it->valuestring)) == NULL)
		rd->r = EXPO_ENOMEM;
}

static double get_num(struct rd *rd, const cJSON *obj, const char *path,
		      const char *key, double lo, double hi, bool integer)
{
	cJSON *it;
	double v = 0;

	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return 0;
	if (!cJSON_IsNumber(it) || it->valuedouble < lo ||
	    it->valuedouble > hi ||
	    (integer &&
	     it->valuedouble != (double)(long long)it->valuedouble)) {
		fail(rd, path, "\"%s\": expected %s from %g to %g", key,
		     integer ? "an integer" : "a number", lo, hi);
		return 0;
	}
	v = it->valuedouble;
	return v;
}

static bool get_bool(struct rd *rd, const cJSON *obj, const char *path,
		     const char *key)
{
	cJSON *it;

	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return false;
	if (!cJSON_IsBool(it)) {
		fail(rd, path, "\"%s\": expected true or false", key);
		return false;
	}
	return cJSON_IsTrue(it);
}

/* one of names[0..n) into *out */
static int get_enum(struct rd *rd, const cJSON *obj, const char *path,
		    const char *key, const char *(*name)(int), int n)
{
	cJSON *it;
	int i;

	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return 0;
	if (cJSON_IsString(it))
		for (i = 0; i < n; i++)
			if (strcmp(it->valuestring, name(i)) == 0)
				return i;
	fail(rd, path, "\"%s\": expected one of %s..%s", key, name(0),
	     name(n - 1));
	return 0;
}

static const cJSON *get_obj(struct rd *rd, const cJSON *obj, const char *path,
			    const char *key, bool nullable)
{
	cJSON *it;

	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return NULL;
	if (nullable && cJSON_IsNull(it))
		return NULL;
	if (!cJSON_IsObject(it)) {
		fail(rd, path, "\"%s\": expected an object", key);
		return NULL;
	}
	return it;
}

static const cJSON *get_arr(struct rd *rd, const cJSON *obj, const char *path,
			    const char *key)
{
	cJSON *it;

	if (rd->r != 0 || (it = member(rd, obj, path, key, false)) == NULL)
		return NULL;
	if (!cJSON_IsArray(it)) {
		fail(rd, path, "\"%s\": expected an array", key);
		return NULL;
	}
	return it;
}

static const char *sev_n(int i)
{
	return severity_name((enum severity)i);
}
static const char *conf_n(int i)
{
	return confidence_name((enum confidence)i);
}
static const char *imp_n(int i)
{
	return impact_name((enum impact)i);
}
static const char *stat_n(int i)
{
	return status_name((enum probe_status)i);
}
static const char *proto_n(int i)
{
	return proto_name((unsigned)i);
}
/* "protocol" (1.5): absent in older reports and for TCP */
static uint8_t get_proto(struct rd *rd, const cJSON *o, const char *path)
{
	if (cJSON_GetObjectItemCaseSensitive(o, "protocol") == NULL)
		return PROTO_TCP;
	return (uint8_t)get_enum(rd, o, path, "protocol", proto_n,
				 PROTO_UDP + 1);
}
static const char *expo_n(int i)
{
	static const char *const n[] = { "unknown", "restricted", "world" };

	return n[i];
}
static const char *base_n(int i)
{
	static const char *const n[] = { "none", "new", "unchanged" };

	return n[i];
}

/* ---- findings ---- */

static bool same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* a finding whose rule text is this build's own borrows it, as a scan's
 * do (finding.h): `report` and `merge` of a fleet's report hold tens of
 * thousands; a report from another version keeps its own words */
static void share_rule_text(struct finding *f)
{
	const struct rule *rule = report_rule_of(f);
	const struct check *c = rule != NULL ? check_find(f->check) : NULL;

	if (c == NULL || !same_text(f->title, rule->title) ||
	    !same_text(f->service, c->name) ||
	    !same_text(f->cvss_vector, rule->cvss_vector) ||
	    !same_text(f->remediation, rule->remediation) ||
	    !same_text(f->references, rule->references))
		return;
	free(f->rule_id);
	free(f->check);
	free(f->title);
	free(f->service);
	free(f->cvss_vector);
	free(f->remediation);
	free(f->references);
	f->rule_id = (char *)rule->id;
	f->check = (char *)c->name;
	f->title = (char *)rule->title;
	f->service = (char *)c->name;
	f->cvss_vector = (char *)rule->cvss_vector;
	f->remediation = (char *)rule->remediation;
	f->references = (char *)rule->references;
	f->shares |= FINDING_SHARES_RULE;
}

static void read_finding(struct rd *rd, const cJSON *o, const char *path,
			 struct finding *f, struct finding_note *note)
{
	char sub[160];
	const cJSON *cv, *t, *it;
	char *fp = NULL, *pooled;
	size_t i;

	if (!cJSON_IsObject(o)) {
		fail(rd, path, "expected an object");
		return;
	}
	get_str(rd, o, path, "fingerprint", false, &fp);
	if (rd->r == 0) {
		for (i = 0; fp[i] != '\0' && i < 32; i++)
			if (!((fp[i] >= '0' && fp[i] <= '9') ||
			      (fp[i] >= 'a' && fp[i] <= 'f')))
				break;
		if (i != 32 || fp[32] != '\0')
			fail(rd, path,
			     "\"fingerprint\": expected 32 lowercase "
			     "hex digits");
		else
			memcpy(f->fingerprint, fp, 33);
	}
	free(fp);
	get_str(rd, o, path, "rule", false, &f->rule_id);
	get_str(rd, o, path, "check", false, &f->check);
	get_str(rd, o, path, "title", false, &f->title);
	f->severity = (enum severity)get_enum(rd, o, path, "severity", sev_n,
					      SEV_CRITICAL + 1);
	snprintf(sub, sizeof(sub), "%s.cvss", path);
	if ((cv = get_obj(rd, o, path, "cvss", false)) != NULL) {
		get_str(rd, cv, sub, "vector", true, &f->cvss_vector);
		f->cvss_score = get_num(rd, cv, sub, "score", 0, 10, false);
	}
	f->confidence =
		(enum confidence)get_enum(rd, o, path, "confidence", conf_n, 3);
	f->impact = (enum impact)get_enum(rd, o, path, "impact", imp_n, 4);
	snprintf(sub, sizeof(sub), "%s.target", path);
	if ((t = get_obj(rd, o, path, "target", false)) != NULL) {
		get_str(rd, t, sub, "id", false, &f->target_id);
		get_str(rd, t, sub, "name", true, &f->target_name);
		get_str(rd, t, sub, "address", true, &f->address);
		f->is_public = get_bool(rd, t, sub, "public");
	}
	f->port = (uint16_t)get_num(rd, o, path, "port", 0, 65535, true);
	f->proto = get_proto(rd, o, path);
	get_str(rd, o, path, "service", true, &f->service);
	f->exposure =
		(enum exposure)get_enum(rd, o, path, "exposure", expo_n, 3);
	get_str(rd, o, path, "evidence", true, &f->evidence);
	if (cJSON_GetObjectItemCaseSensitive(o, "secret") != NULL)
		get_str(rd, o, path, "secret", true, &f->secret);
	get_str(rd, o, path, "remediation", true, &f->remediation);
	get_str(rd, o, path, "references", true, &f->references);
	get_str(rd, o, path, "rank_reason", true, &f->rank_reason);
	/* a fleet's findings say one of a few dozen sentences: shared */
	if ((pooled = rank_reason_intern(f->rank_reason)) != NULL) {
		free(f->rank_reason);
		f->rank_reason = pooled;
		f->shares |= FINDING_SHARES_REASON;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "gpu") != NULL)
		get_str(rd, o, path, "gpu", true, &f->gpu);
	{
		static const char *const opt[] = { "resource", "source",
						   "assumption", "related" };
		char **dst[] = { &f->resource, &f->source, &f->assumption,
				 &f->related };
		size_t k;

		for (k = 0; k < 4; k++)
			if (cJSON_GetObjectItemCaseSensitive(o, opt[k]) != NULL)
				get_str(rd, o, path, opt[k], true, dst[k]);
	}
	if (rd->r == 0)
		share_rule_text(f);
	if (note == NULL || rd->r != 0)
		return;
	if (cJSON_GetObjectItemCaseSensitive(o, "baseline") != NULL)
		note->baseline =
			(uint8_t)get_enum(rd, o, path, "baseline", base_n, 3);
	it = cJSON_GetObjectItemCaseSensitive(o, "suppressed");
	if (it != NULL && !cJSON_IsNull(it)) {
		snprintf(sub, sizeof(sub), "%s.suppressed", path);
		if (!cJSON_IsObject(it)) {
			fail(rd, path,
			     "\"suppressed\": expected an object or "
			     "null");
			return;
		}
		get_str(rd, it, sub, "reason", false, &note->sup_reason);
		get_str(rd, it, sub, "expires", false, &note->sup_expires);
	}
}

static void read_findings(struct rd *rd, const cJSON *arr, const char *key,
			  struct finding_list *l, struct finding_note **notes)
{
	const cJSON *o;
	char path[96];
	size_t i = 0, n = (size_t)cJSON_GetArraySize(arr);

	if (notes != NULL && n > 0 &&
	    (*notes = calloc(n, sizeof(**notes))) == NULL) {
		rd->r = EXPO_ENOMEM;
		return;
	}
	cJSON_ArrayForEach(o, arr)
	{
		struct finding *f;

		if (rd->r != 0)
			break;
		snprintf(path, sizeof(path), "%s[%zu]", key, i);
		if ((f = finding_list_add(l)) == NULL) {
			rd->r = EXPO_ENOMEM;
			break;
		}
		read_finding(rd, o, path, f, notes ? &(*notes)[i] : NULL);
		i++;
	}
}

/* ---- targets ---- */

static const char *provider_of(struct report_doc *d, const char *p)
{
	static const char *const known[] = { "aws",	  "gcp",     "azure",
					     "terraform", "ansible", "nmap",
					     "list" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(p, known[i]) == 0)
			return known[i];
	/* not ours: lives as long as the list, like a source name */
	return target_list_intern_source(&d->targets, p);
}

static struct target_meta *meta_of(struct rd *rd, struct target *t)
{
	if (t->meta == NULL && (t->meta = calloc(1, sizeof(*t->meta))) == NULL)
		rd->r = EXPO_ENOMEM;
	return t->meta;
}

/* a "world" port becomes a one-port world rule, any known exposure makes
 * the firewall known: target_port_exposure() then says what was saved */
static void keep_exposure(struct rd *rd, struct target *t, uint16_t port,
			  unsigned proto, int expo)
{
	struct target_meta *m;
	struct world_rule *v;

	if (expo == EXPOSURE_UNKNOWN || (m = meta_of(rd, t)) == NULL)
		return;
	m->firewall_known = true;
	if (expo != EXPOSURE_WORLD ||
	    target_port_exposure_proto(t, port, proto) == EXPOSURE_WORLD)
		return;
	v = realloc(m->world_rules, (m->nworld_rules + 1) * sizeof(*v));
	if (v == NULL) {
		rd->r = EXPO_ENOMEM;
		return;
	}
	m->world_rules = v;
	v[m->nworld_rules++] =
		(struct world_rule){ .port_from = port,
				     .port_to = port,
				     .protos = (uint8_t)PROTO_BIT(proto) };
}

/* "labels": optional (older reports), an object of strings */
static void read_labels(struct rd *rd, const cJSON *o, const char *path,
			struct target *t)
{
	const cJSON *labels, *it;

	if (cJSON_GetObjectItemCaseSensitive(o, "labels") == NULL ||
	    (labels = get_obj(rd, o, path, "labels", false)) == NULL)
		return;
	cJSON_ArrayForEach(it, labels)
	{
		if (!cJSON_IsString(it)) {
			fail(rd, path,
			     "\"labels\": the value of '%s' is not a "
			     "string",
			     it->string ? it->string : "?");
			return;
		}
	}
	if (labels->child == NULL || meta_of(rd, t) == NULL)
		return;
	cJSON_Delete(t->meta->tags);
	if ((t->meta->tags = cJSON_Duplicate(labels, true)) == NULL)
		rd->r = EXPO_ENOMEM;
}

static void read_port(struct rd *rd, const cJSON *o, const char *path,
		      uint32_t ti, struct target *t)
{
	struct port_record rec;
	char *addr = NULL, *check = NULL, *reason = NULL;
	char buf[INET6_ADDRSTRLEN];
	uint32_t a, ms = 0;
	int expo, rc;

	memset(&rec, 0, sizeof(rec));
	if (!cJSON_IsObject(o)) {
		fail(rd, path, "expected an object");
		return;
	}
	get_str(rd, o, path, "address", false, &addr);
	rec.port = (uint16_t)get_num(rd, o, path, "port", 0, 65535, true);
	rec.proto = get_proto(rd, o, path);
	get_str(rd, o, path, "check", true, &check);
	rec.status =
		(uint8_t)get_enum(rd, o, path, "status", stat_n, STATUS_COUNT);
	get_str(rd, o, path, "reason", true, &reason);
	expo = get_enum(rd, o, path, "exposure", expo_n, 3);
	/* optional: absent in reports written before it was added */
	if (cJSON_GetObjectItemCaseSensitive(o, "duration_ms") != NULL)
		ms = (uint32_t)get_num(rd, o, path, "duration_ms", 0,
				       UINT32_MAX, true);
	if (rd->r != 0)
		goto out;
	for (a = 0; a < t->naddrs; a++)
		if (strcmp(target_addr_text(&t->addrs[a], buf), addr) == 0)
			break;
	if (a == t->naddrs || a > UINT16_MAX) {
		fail(rd, path,
		     "\"address\": %s is not one of the target's "
		     "addresses",
		     addr);
		goto out;
	}
	rec.target = ti;
	rec.addr = (uint16_t)a;
	rec.check = CHECK_NONE;
	/* a check this build lacks (the report is from a newer one) keeps
	 * its name: as a discovery record it would tell --baseline that
	 * the port itself timed out or was open without a check */
	if (check != NULL &&
	    (rc = report_doc_check(rd->d, check, &rec.check)) != 0) {
		if (rc == EXPO_ETOOBIG)
			fail(rd, path,
			     "\"check\": too many checks this build "
			     "does not have");
		else
			rd->r = rc;
		goto out;
	}
	if ((rd->r = report_doc_reason(rd->d, reason, &rec.reason)) != 0)
		goto out;
	if ((rd->r = report_doc_record_ms(rd->d, &rec, ms)) != 0)
		goto out;
	keep_exposure(rd, t, rec.port, rec.proto, expo);
out:
	free(addr);
	free(check);
	free(reason);
}

/* "22,445,2375-2376" (ascending, each 0-65535): one closed discovery
 * record per port; 0, or -1 with *why set */
static int parse_ranges(const char *s, uint16_t *lo, uint16_t *hi,
			const char **next, const char **why)
{
	unsigned long v[2] = { 0, 0 };
	int k, nd;

	for (k = 0; k < 2; k++) {
		for (nd = 0; *s >= '0' && *s <= '9' && nd < 6; s++, nd++)
			v[k] = v[k] * 10 + (unsigned long)(*s - '0');
		if (nd == 0 || v[k] > 65535) {
			*why = "expected port numbers 0-65535";
			return -1;
		}
		if (k == 0 && *s == '-')
			s++;
		else
			break;
	}
	if (k == 0)
		v[1] = v[0];
	if (v[1] < v[0]) {
		*why = "a range goes from low to high";
		return -1;
	}
	if (*s == ',' && s[1] != '\0')
		s++;
	else if (*s != '\0') {
		*why = "expected ports and ranges like 22,8000-8010";
		return -1;
	}
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	*next = s;
	return 0;
}

static void read_closed(struct rd *rd, const cJSON *o, const char *path,
			uint32_t ti, const struct target *t)
{
	struct port_record rec;
	char buf[INET6_ADDRSTRLEN];
	char *addr = NULL, *ports = NULL;
	const char *p, *why = NULL;
	uint16_t lo, hi;
	uint32_t a, port, prev = 0;

	if (!cJSON_IsObject(o)) {
		fail(rd, path, "expected an object");
		return;
	}
	get_str(rd, o, path, "address", false, &addr);
	get_str(rd, o, path, "ports", false, &ports);
	if (rd->r != 0)
		goto out;
	for (a = 0; a < t->naddrs; a++)
		if (strcmp(target_addr_text(&t->addrs[a], buf), addr) == 0)
			break;
	if (a == t->naddrs || a > UINT16_MAX) {
		fail(rd, path,
		     "\"address\": %s is not one of the target's addresses",
		     addr);
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	rec.target = ti;
	rec.addr = (uint16_t)a;
	rec.status = STATUS_CLOSED;
	rec.check = CHECK_NONE;
	for (p = ports; *p != '\0' && rd->r == 0;) {
		if (parse_ranges(p, &lo, &hi, &p, &why) != 0 ||
		    (prev > 0 && lo < prev &&
		     (why = "expected ascending ports"))) {
			fail(rd, path, "\"ports\": %s", why);
			break;
		}
		/* ascending: a port at most once, so an address expands to
		 * at most 65,536 records */
		for (port = lo; port <= hi && rd->r == 0; port++) {
			if (rd->d->nrecords >= REPORT_RECORDS_MAX) {
				fail(rd, path,
				     "more than %lu port records in the report",
				     (unsigned long)REPORT_RECORDS_MAX);
				break;
			}
			rec.port = (uint16_t)port;
			rd->r = report_doc_record(rd->d, &rec);
		}
		prev = (uint32_t)hi + 1;
	}
out:
	free(addr);
	free(ports);
}

static void read_target(struct rd *rd, const cJSON *o, const char *path,
			uint32_t ti)
{
	struct report_doc *d = rd->d;
	struct target *t;
	const cJSON *arr, *it;
	char *prov = NULL, *src = NULL, *acc = NULL, *reg = NULL, *zone = NULL,
	     *state = NULL, *text = NULL;
	char sub[160];
	size_t i;

	if (!cJSON_IsObject(o)) {
		fail(rd, path, "expected an object");
		return;
	}
	if ((t = target_list_add(&d->targets)) == NULL) {
		rd->r = EXPO_ENOMEM;
		return;
	}
	get_str(rd, o, path, "id", false, &t->id);
	get_str(rd, o, path, "name", true, &t->name);
	get_str(rd, o, path, "provider", false, &prov);
	get_str(rd, o, path, "source", true, &src);
	get_str(rd, o, path, "account", true, &acc);
	get_str(rd, o, path, "region", true, &reg);
	get_str(rd, o, path, "zone", true, &zone);
	get_str(rd, o, path, "state", true, &state);
	get_str(rd, o, path, "skip_reason", true, &t->skip_reason);
	if (rd->r != 0)
		goto out;
	t->provider = provider_of(d, prov);
	if (src != NULL)
		t->source = target_list_intern_source(&d->targets, src);
	if ((acc || reg || zone || state) && meta_of(rd, t) != NULL) {
		t->meta->account = acc;
		t->meta->region = reg;
		t->meta->zone = zone;
		t->meta->state = state;
		acc = reg = zone = state = NULL;
	}
	read_labels(rd, o, path, t);
	if (rd->r != 0)
		goto out;
	if ((arr = get_arr(rd, o, path, "addresses")) == NULL)
		goto out;
	i = 0;
	cJSON_ArrayForEach(it, arr)
	{
		struct target_addr *v;

		snprintf(sub, sizeof(sub), "%s.addresses[%zu]", path, i++);
		if (!cJSON_IsObject(it)) {
			fail(rd, sub, "expected an object");
			goto out;
		}
		get_str(rd, it, sub, "address", false, &text);
		if (rd->r != 0)
			goto out;
		v = realloc(t->addrs, (t->naddrs + 1) * sizeof(*v));
		if (v == NULL) {
			rd->r = EXPO_ENOMEM;
			goto out;
		}
		t->addrs = v;
		if (target_addr_parse(&v[t->naddrs], text) != 0) {
			fail(rd, sub,
			     "\"address\": '%s' is not a numeric IP "
			     "address",
			     text);
			goto out;
		}
		v[t->naddrs].is_public = get_bool(rd, it, sub, "public");
		t->naddrs++;
		free(text);
		text = NULL;
	}
	if ((arr = get_arr(rd, o, path, "ports")) == NULL)
		goto out;
	i = 0;
	cJSON_ArrayForEach(it, arr)
	{
		if (rd->r != 0)
			break;
		snprintf(sub, sizeof(sub), "%s.ports[%zu]", path, i++);
		/* t may move as the list grows: only records grow here */
		read_port(rd, it, sub, ti, &d->targets.v[ti]);
	}
	/* schema 1.6: the closed ports, a list per address */
	if (rd->r == 0 &&
	    cJSON_GetObjectItemCaseSensitive(o, "closed") != NULL &&
	    (arr = get_arr(rd, o, path, "closed")) != NULL) {
		i = 0;
		cJSON_ArrayForEach(it, arr)
		{
			if (rd->r != 0)
				break;
			snprintf(sub, sizeof(sub), "%s.closed[%zu]", path, i++);
			read_closed(rd, it, sub, ti, &d->targets.v[ti]);
		}
	}
out:
	free(prov);
	free(src);
	free(acc);
	free(reg);
	free(zone);
	free(state);
	free(text);
}

/* ---- top level ---- */

static void read_head(struct rd *rd, const cJSON *root)
{
	struct report_doc *d = rd->d;
	const cJSON *g, *it, *sh;
	char *s = NULL;

	get_str(rd, root, "$", "started_at", false, &s);
	if (rd->r == 0)
		snprintf(d->started_at, sizeof(d->started_at), "%s", s);
	free(s);
	s = NULL;
	d->duration_s = get_num(rd, root, "$", "duration_s", 0, 1e9, false);
	d->show_secrets = get_bool(rd, root, "$", "show_secrets");
	/* absent in reports written before it was added: complete */
	if (cJSON_GetObjectItemCaseSensitive(root, "complete") != NULL &&
	    !get_bool(rd, root, "$", "complete")) {
		if (cJSON_GetObjectItemCaseSensitive(
			    root, "incomplete_reason") != NULL)
			get_str(rd, root, "$", "incomplete_reason", false,
				&d->incomplete_reason);
		if (rd->r == 0 && d->incomplete_reason == NULL &&
		    (d->incomplete_reason = strdup("incomplete")) == NULL)
			rd->r = EXPO_ENOMEM;
	}
	/* absent in reports written before it was added: logins allowed */
	if ((g = cJSON_GetObjectItemCaseSensitive(root, "options")) != NULL &&
	    (g = get_obj(rd, root, "$", "options", false)) != NULL) {
		d->no_login = get_bool(rd, g, "$.options", "no_login");
		d->intrusive = get_bool(rd, g, "$.options", "intrusive");
	}
	if ((g = get_obj(rd, root, "$", "gate", false)) != NULL) {
		get_str(rd, g, "$.gate", "fail_on", false, &s);
		if (rd->r == 0 && severity_parse(s, &d->fail_on) != 0)
			fail(rd, "$.gate",
			     "\"fail_on\": '%s' is not a "
			     "severity or none",
			     s);
		free(s);
		s = NULL;
		d->exit_code = (int)get_num(rd, g, "$.gate", "exit_code", 0,
					    255, true);
		it = cJSON_GetObjectItemCaseSensitive(g, "fail_on_new");
		if (it != NULL)
			d->fail_on_new =
				get_bool(rd, g, "$.gate", "fail_on_new");
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "run_id");
	if (it != NULL)
		get_str(rd, root, "$", "run_id", true, &d->run_id);
	sh = cJSON_GetObjectItemCaseSensitive(root, "shard");
	if (sh != NULL && (sh = get_obj(rd, root, "$", "shard", true))) {
		d->shard_count = (unsigned)get_num(rd, sh, "$.shard", "count",
						   1, 100000, true);
		d->shard_index = (unsigned)get_num(rd, sh, "$.shard", "index",
						   1, 100000, true);
		if (rd->r == 0 && d->shard_index > d->shard_count)
			fail(rd, "$.shard", "index %u is above count %u",
			     d->shard_index, d->shard_count);
	}
}

static void read_extras(struct rd *rd, const cJSON *root)
{
	struct report_doc *d = rd->d;
	const cJSON *b, *arr, *it;
	char path[64];
	size_t i = 0;

	b = cJSON_GetObjectItemCaseSensitive(root, "baseline");
	if (b != NULL && (b = get_obj(rd, root, "$", "baseline", true))) {
		d->has_baseline = true;
		get_str(rd, b, "$.baseline", "file", true, &d->baseline_path);
		if ((arr = get_arr(rd, b, "$.baseline", "fixed")) != NULL)
			read_findings(rd, arr, "$.baseline.fixed", &d->fixed,
				      NULL);
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (arr == NULL || rd->r != 0)
		return;
	if (!cJSON_IsArray(arr)) {
		fail(rd, "$", "\"warnings\": expected an array");
		return;
	}
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(path, sizeof(path), "$.warnings[%zu]", i++);
		if (!cJSON_IsString(it)) {
			fail(rd, path, "expected a string");
			return;
		}
		if ((rd->r = report_doc_warn(d, "%s", it->valuestring)) != 0)
			return;
	}
}

/* the number 1 (reports before minor versions) or "1.N" of any N: a
 * newer minor only adds fields, which a reader ignores */
static bool schema_readable(const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v);
	char major[16];
	size_t n;

	if (cJSON_IsNumber(v))
		return v->valuedouble == REPORT_SCHEMA_MAJOR;
	if (s == NULL)
		return false;
	n = (size_t)snprintf(major, sizeof(major), "%d.", REPORT_SCHEMA_MAJOR);
	if (strncmp(s, major, n) != 0 || s[n] == '\0')
		return false;
	for (s += n; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* ---- the stream ----
 *
 * The report is read a value at a time: the top level by hand, each
 * element of "targets" and "findings" and each other member by cJSON,
 * so memory holds the report's data but never its text or its tree. */

struct jsrc {
	FILE *f;	 /* NULL: mem */
	const char *mem; /* the whole text, or f's buffer */
	size_t len, pos;
	size_t off;   /* bytes before mem[0] in the stream */
	size_t chunk; /* bytes per read; 0: the whole buffer */
	bool ioerr;
	char buf[65536];
};

static bool src_fill(struct jsrc *s)
{
	size_t n;

	if (s->pos < s->len)
		return true;
	if (s->f == NULL)
		return false;
	s->off += s->len;
	s->pos = s->len = 0;
	n = fread(s->buf, 1,
		  s->chunk > 0 && s->chunk < sizeof(s->buf) ? s->chunk
							    : sizeof(s->buf),
		  s->f);
	if (n == 0 && ferror(s->f))
		s->ioerr = true;
	s->mem = s->buf;
	s->len = n;
	return n > 0;
}

static int src_peek(struct jsrc *s)
{
	return src_fill(s) ? (unsigned char)s->mem[s->pos] : -1;
}

static size_t src_at(const struct jsrc *s)
{
	return s->off + s->pos;
}

static int src_skip_ws(struct jsrc *s)
{
	int c;

	while ((c = src_peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		s->pos++;
	return c;
}

/* The value that starts here, strings (with their escapes) skipped and
 * brackets counted: its text into b for cJSON to check, or, with b NULL,
 * passed over and kept nowhere (a head read's arrays); at most
 * REPORT_VALUE_MAX bytes either way. 0, or EXPO_EPARSE (the text ends
 * inside it), EXPO_ETOOBIG. */
static int src_value(struct jsrc *s, struct dynbuf *b)
{
	size_t depth = 0, len = 0, i, n;
	bool str = false, esc = false, scalar, end;
	int c, r;

	if (b != NULL)
		dynbuf_reset(b);
	c = src_skip_ws(s);
	if (c < 0)
		return EXPO_EPARSE;
	scalar = c != '{' && c != '[' && c != '"';
	for (;;) {
		if (!src_fill(s))
			return scalar && len > 0 ? 0 : EXPO_EPARSE;
		for (i = s->pos; i < s->len; i++) {
			c = (unsigned char)s->mem[i];
			if (str) {
				/* most bytes are inside strings */
				if (esc)
					esc = false;
				else if (c == '\\')
					esc = true;
				else if (c == '"' && (str = false, depth == 0))
					break;
			} else if (scalar) {
				if (c == ',' || c == ']' || c == '}' ||
				    c == ' ' || c == '\t' || c == '\n' ||
				    c == '\r')
					break;
			} else if (c == '"') {
				str = true;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if ((c == '}' || c == ']') && --depth == 0) {
				break;
			}
		}
		end = i < s->len;
		/* a scalar's end is not part of it; the others' is */
		n = i - s->pos + (end && !scalar);
		len += n;
		if (b != NULL)
			r = dynbuf_add(b, s->mem + s->pos, n);
		else
			r = len > REPORT_VALUE_MAX ? EXPO_ETOOBIG : 0;
		if (r != 0)
			return r;
		s->pos += n;
		if (end)
			return 0;
	}
}

/* what of a report is kept */
enum read_part {
	READ_ALL,
	READ_FINDINGS, /* targets checked as JSON, not kept */
	READ_HEAD,     /* neither array parsed: only its text bounded */
};

struct stream {
	struct rd *rd;
	struct jsrc *src;
	struct dynbuf b;
	enum read_part part;
	bool streamed_t, streamed_f; /* read as a stream */
	size_t anotes;
};

/* the value in st->b, parsed; NULL (and the error set) when it is not
 * JSON; at: its first byte in the stream */
static cJSON *st_parse(struct stream *st, size_t at)
{
	const char *text = dynbuf_ptr(&st->b), *end = NULL;
	cJSON *v;

	v = cJSON_ParseWithLengthOpts(text, dynbuf_len(&st->b), &end, false);
	if (v == NULL && st->rd->r == 0)
		fail(st->rd, "$", "not valid JSON (near byte %zu)",
		     at + (end != NULL && end >= text ? (size_t)(end - text)
						      : 0));
	return v;
}

/* the next value's text into st->b (only passed over if !keep); false
 * (and the error set) at the end or when it is too large. *at: its first
 * byte in the stream. */
static bool st_take(struct stream *st, size_t *at, bool keep)
{
	int r;

	src_skip_ws(st->src);
	*at = src_at(st->src);
	r = src_value(st->src, keep ? &st->b : NULL);
	if (r == EXPO_ETOOBIG) {
		fail(st->rd, "$",
		     "a value at byte %zu is larger than %zu MiB: not an "
		     "exposure report",
		     *at, REPORT_VALUE_MAX >> 20);
		return false;
	}
	if (r != 0) {
		fail(st->rd, "$", "not valid JSON (near byte %zu)%s",
		     src_at(st->src), st->src->ioerr ? ": read error" : "");
		return false;
	}
	return true;
}

/* the next value, parsed; NULL (and the error set) at the end or on bad
 * text */
static cJSON *st_next(struct stream *st)
{
	size_t at;

	return st_take(st, &at, true) ? st_parse(st, at) : NULL;
}

/* ',' between elements or the closing `close`: 1 more, 0 end, -1 bad */
static int st_sep(struct stream *st, int close)
{
	int c = src_skip_ws(st->src);

	if (c == ',' || c == close) {
		st->src->pos++;
		return c == ',';
	}
	fail(st->rd, "$", "not valid JSON (near byte %zu)", src_at(st->src));
	return -1;
}

static void st_finding(struct stream *st, const cJSON *o, size_t i)
{
	struct report_doc *d = st->rd->d;
	struct finding_note *nv;
	struct finding *f;
	char path[96];

	spill_pace(d->findings.n);
	if (d->findings.n >= st->anotes) {
		size_t na = st->anotes ? st->anotes * 2 : 16;

		if ((nv = realloc(d->notes, na * sizeof(*nv))) == NULL) {
			st->rd->r = EXPO_ENOMEM;
			return;
		}
		memset(nv + st->anotes, 0, (na - st->anotes) * sizeof(*nv));
		d->notes = nv;
		st->anotes = na;
	}
	snprintf(path, sizeof(path), "$.findings[%zu]", i);
	if ((f = finding_list_add(&d->findings)) == NULL) {
		st->rd->r = EXPO_ENOMEM;
		return;
	}
	read_finding(st->rd, o, path, f, &d->notes[d->findings.n - 1]);
	/* a fleet's findings read back spill as the scan's did */
	finding_list_grown(&d->findings);
}

/* the elements of "targets" or "findings", one at a time */
static void st_array(struct stream *st, bool targets)
{
	struct rd *rd = st->rd;
	char path[64];
	cJSON *v;
	size_t i = 0, at;

	st->src->pos++; /* '[' */
	if (src_skip_ws(st->src) == ']') {
		st->src->pos++;
		return;
	}
	do {
		if (st->part == READ_HEAD) {
			/* only the head is wanted: an element is passed over
			 * by its brackets, never parsed */
			if (!st_take(st, &at, false))
				return;
			continue;
		}
		if ((v = st_next(st)) == NULL)
			return;
		if (targets && st->part == READ_ALL) {
			if (i >= UINT32_MAX) {
				fail(rd, "$.targets", "too many targets");
			} else {
				snprintf(path, sizeof(path), "$.targets[%zu]",
					 i);
				read_target(rd, v, path, (uint32_t)i);
			}
		} else if (!targets) {
			st_finding(st, v, i);
		}
		cJSON_Delete(v);
		i++;
	} while (rd->r == 0 && st_sep(st, ']') == 1);
}

/* the members a head read passes over: what read_extras() reads */
static bool head_skips(const cJSON *key)
{
	return strcmp(key->valuestring, "baseline") == 0 ||
	       strcmp(key->valuestring, "warnings") == 0;
}

static void st_document(struct stream *st, cJSON *head)
{
	struct rd *rd = st->rd;
	bool seen_t = false, seen_f = false;
	cJSON *key, *v;
	int c;

	c = src_skip_ws(st->src);
	if (c != '{') {
		/* not an object: whether it is JSON at all says which error */
		if ((v = st_next(st)) != NULL)
			fail(rd, "$",
			     "expected an object (an exposure --json report)");
		cJSON_Delete(v);
		return;
	}
	st->src->pos++;
	if (src_skip_ws(st->src) == '}')
		return;
	do {
		if (src_skip_ws(st->src) != '"') {
			fail(rd, "$", "not valid JSON (near byte %zu)",
			     src_at(st->src));
			return;
		}
		if ((key = st_next(st)) == NULL)
			return;
		if (src_skip_ws(st->src) != ':' || !cJSON_IsString(key)) {
			cJSON_Delete(key);
			fail(rd, "$", "not valid JSON (near byte %zu)",
			     src_at(st->src));
			return;
		}
		st->src->pos++;
		c = src_skip_ws(st->src);
		/* the first of a key counts, as with a whole-tree lookup */
		if (c == '[' && !seen_t &&
		    strcmp(key->valuestring, "targets") == 0) {
			seen_t = st->streamed_t = true;
			st_array(st, true);
		} else if (c == '[' && !seen_f &&
			   strcmp(key->valuestring, "findings") == 0) {
			seen_f = st->streamed_f = true;
			st_array(st, false);
		} else if (st->part == READ_HEAD && head_skips(key)) {
			/* a baseline's fixed list can be a fleet's findings */
			size_t at;

			(void)st_take(st, &at, false);
		} else if ((v = st_next(st)) != NULL) {
			if (strcmp(key->valuestring, "schema_version") == 0 &&
			    cJSON_GetObjectItemCaseSensitive(
				    head, "schema_version") == NULL &&
			    !schema_readable(v))
				fail(rd, "$",
				     "\"schema_version\": this build reads "
				     "schema version %d.x only",
				     REPORT_SCHEMA_MAJOR);
			if (strcmp(key->valuestring, "targets") == 0)
				seen_t = true;
			if (strcmp(key->valuestring, "findings") == 0)
				seen_f = true;
			cJSON_AddItemToObject(head, key->valuestring, v);
		}
		cJSON_Delete(key);
	} while (rd->r == 0 && st_sep(st, '}') == 1);
}

static int read_stream(struct jsrc *src, const char *name, struct report_doc *d,
		       char **err, enum read_part part)
{
	struct rd rd = { .name = name, .err = err, .d = d };
	struct stream st = { .rd = &rd, .src = src, .part = part };
	cJSON *head = cJSON_CreateObject();

	dynbuf_init(&st.b, REPORT_VALUE_MAX);
	if (head == NULL) {
		rd.r = EXPO_ENOMEM;
		goto out;
	}
	st_document(&st, head);
	if (src->ioerr && rd.r == 0)
		fail(&rd, "$", "read error");
	/* the errors of the head first, as when the tree was read whole */
	member(&rd, head, "$", "schema_version", rd.r != 0);
	read_head(&rd, head);
	/* a missing or mistyped array is named as in the whole tree */
	if (!st.streamed_t)
		get_arr(&rd, head, "$", "targets");
	if (!st.streamed_f)
		get_arr(&rd, head, "$", "findings");
	if (part != READ_HEAD)
		read_extras(&rd, head);
	if (rd.r == EXPO_ENOMEM && err != NULL && *err == NULL &&
	    asprintf(err, "%s: out of memory", name) < 0)
		*err = NULL;
out:
	dynbuf_release(&st.b);
	cJSON_Delete(head);
	return rd.r;
}

int report_json_parse(const char *text, size_t len, const char *name,
		      struct report_doc *d, char **err)
{
	struct jsrc *src = calloc(1, sizeof(*src));
	int r;

	if (src == NULL)
		return EXPO_ENOMEM;
	src->mem = text;
	src->len = len;
	r = read_stream(src, name, d, err, READ_ALL);
	free(src);
	return r;
}

static int read_file(const char *path, struct report_doc *d, char **err,
		     enum read_part part)
{
	struct jsrc *src = calloc(1, sizeof(*src));
	int r;

	if (src == NULL)
		return EXPO_ENOMEM;
	if (strcmp(path, "-") == 0)
		src->f = stdin;
	else
		src->f = fopen(path, "r");
	if (src->f == NULL) {
		r = EXPO_EIO;
		if (asprintf(err, "%s: cannot read: %s", path,
			     strerror(errno)) < 0)
			*err = NULL;
		goto out;
	}
	src->mem = src->buf;
	r = read_stream(src, path, d, err, part);
out:
	if (src->f != NULL && src->f != stdin)
		fclose(src->f);
	free(src);
	return r;
}

static int fread_part(FILE *f, size_t chunk, const char *name,
		      struct report_doc *d, char **err, enum read_part part)
{
	struct jsrc *src = calloc(1, sizeof(*src));
	int r;

	if (src == NULL)
		return EXPO_ENOMEM;
	src->f = f;
	src->mem = src->buf;
	src->chunk = chunk;
	r = read_stream(src, name, d, err, part);
	free(src);
	return r;
}

int report_json_fread(FILE *f, size_t chunk, const char *name,
		      struct report_doc *d, char **err)
{
	return fread_part(f, chunk, name, d, err, READ_ALL);
}

int report_json_fread_head(FILE *f, size_t chunk, const char *name,
			   struct report_doc *d, char **err)
{
	return fread_part(f, chunk, name, d, err, READ_HEAD);
}

int report_json_read(const char *path, struct report_doc *d, char **err)
{
	return read_file(path, d, err, READ_ALL);
}

int report_json_read_findings(const char *path, struct report_doc *d,
			      char **err)
{
	return read_file(path, d, err, READ_FINDINGS);
}

int report_json_read_head(const char *path, struct report_doc *d, char **err)
{
	return read_file(path, d, err, READ_HEAD);
}
