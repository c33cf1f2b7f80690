/*
 * report_sarif.c - SARIF 2.1.0 as GitHub code scanning takes it
 * (ECOSYSTEM.md §2.2): one rule per rule id with help text, the `security`
 * tag and a string `security-severity` (the CVSS base score); one result
 * per finding at a stable pseudo-path per target
 * (inventory/<provider>/<account-or-source>/<instance-id>, line 1) with
 * partialFingerprints from the finding fingerprint, so alerts neither
 * churn nor merge across runs; automationDetails.id carries the shard, so
 * each shard's upload is its own category. A result's properties carry
 * its target's labels.
 *
 * Server text (evidence) is run through report_escape() before it goes
 * into a message: control characters and bidi overrides become \xNN.
 */
#include <ctype.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "rank/cvss.h"
#include "expo.h"
#include "report_priv.h"

#define SARIF_SCHEMA                                      \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/" \
	"errata01/os/schemas/sarif-schema-2.1.0.json"

struct sctx {
	int err;
};

static cJSON *add(struct sctx *s, cJSON *obj, const char *key, cJSON *item)
{
	if (item == NULL) {
		s->err = EXPO_ENOMEM;
	} else if (obj == NULL) {
		cJSON_Delete(item);
		item = NULL;
	} else if (cJSON_IsArray(obj)) {
		cJSON_AddItemToArray(obj, item);
	} else {
		cJSON_AddItemToObject(obj, key, item);
	}
	return item;
}

static cJSON *obj(struct sctx *s, cJSON *parent, const char *key)
{
	return add(s, parent, key, cJSON_CreateObject());
}

static cJSON *arr(struct sctx *s, cJSON *parent, const char *key)
{
	return add(s, parent, key, cJSON_CreateArray());
}

/* a text from a server or an inventory: escaped, then UTF-8-safe */
static cJSON *etext(const char *s)
{
	char *e = report_escaped(s);
	cJSON *item = e ? report_jstr(e) : NULL;

	free(e);
	return item;
}

static void text_obj(struct sctx *s, cJSON *parent, const char *key,
		     const char *text)
{
	cJSON *o = obj(s, parent, key);

	add(s, o, "text", etext(text));
}

static const char *level_of(enum severity sev)
{
	if (sev >= SEV_HIGH)
		return "error";
	if (sev == SEV_MEDIUM)
		return "warning";
	return "note";
}

/* the distinct rule ids in order of first appearance */
struct rule_set {
	const struct finding **v; /* the first finding of each rule */
	double *score;		  /* highest score seen */
	size_t n;
};

static int rule_set_build(struct rule_set *rs, const struct finding_list *l)
{
	size_t i, k;

	rs->n = 0;
	rs->v = calloc(l->n + 1, sizeof(*rs->v));
	rs->score = calloc(l->n + 1, sizeof(*rs->score));
	if (rs->v == NULL || rs->score == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < l->n; i++) {
		const struct finding *f = &l->v[i];

		for (k = 0; k < rs->n; k++)
			if (strcmp(rs->v[k]->rule_id, f->rule_id) == 0)
				break;
		if (k == rs->n) {
			rs->v[rs->n] = f;
			rs->score[rs->n++] = f->cvss_score;
		} else if (f->cvss_score > rs->score[k]) {
			rs->score[k] = f->cvss_score;
		}
	}
	return 0;
}

static size_t rule_index(const struct rule_set *rs, const char *id)
{
	size_t k;

	for (k = 0; k < rs->n; k++)
		if (strcmp(rs->v[k]->rule_id, id) == 0)
			break;
	return k;
}

/* "ssh.default_credentials" -> "SshDefaultCredentials": SARIF wants a
 * friendly name that differs from the opaque id */
static cJSON *pascal_name(const char *id)
{
	char buf[128];
	size_t o = 0;
	bool up = true;

	for (; id != NULL && *id != '\0' && o + 1 < sizeof(buf); id++) {
		char c = *id;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9'))) {
			up = true;
			continue;
		}
		if (up && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf[o++] = c;
		up = false;
	}
	buf[o] = '\0';
	return cJSON_CreateString(o > 0 ? buf : "Rule");
}

static void add_rule(struct sctx *s, cJSON *rules, const struct finding *f,
		     double score)
{
	const struct rule *ru = report_rule_of(f);
	const char *desc = ru && ru->description ? ru->description : f->title;
	const char *fix = ru && ru->remediation ? ru->remediation
						: f->remediation;
	const char *refs = ru && ru->references ? ru->references
						: f->references;
	struct dynbuf help, md;
	cJSON *o, *p, *tags;
	char num[16];

	dynbuf_init(&help, 1 << 20);
	dynbuf_init(&md, 1 << 20);
	dynbuf_addf(&help,
		    "%s\n\nRemediation: %s\n\nCVSS: %s\n"
		    "References: %s",
		    desc ? desc : "-", fix ? fix : "-",
		    f->cvss_vector ? f->cvss_vector : "-", refs ? refs : "-");
	dynbuf_addf(&md,
		    "%s\n\n**Remediation:** %s\n\n**CVSS:** `%s`\n\n"
		    "**References:** %s",
		    desc ? desc : "-", fix ? fix : "-",
		    f->cvss_vector ? f->cvss_vector : "-", refs ? refs : "-");
	o = obj(s, rules, NULL);
	add(s, o, "id", report_jstr(f->rule_id));
	add(s, o, "name", pascal_name(f->rule_id));
	text_obj(s, o, "shortDescription", ru ? ru->title : f->title);
	text_obj(s, o, "fullDescription", desc);
	p = obj(s, o, "help");
	/* catalogue text, not server text: its line breaks stay */
	add(s, p, "text", report_jstr(dynbuf_ptr(&help)));
	add(s, p, "markdown", report_jstr(dynbuf_ptr(&md)));
	p = obj(s, o, "defaultConfiguration");
	add(s, p, "level", cJSON_CreateString(level_of(cvss_severity(score))));
	p = obj(s, o, "properties");
	tags = arr(s, p, "tags");
	add(s, tags, NULL, cJSON_CreateString("security"));
	add(s, tags, NULL, etext(f->check));
	add(s, p, "precision",
	    cJSON_CreateString(f->confidence == CONFIDENCE_CONFIRMED
				       ? "very-high"
				       : "high"));
	snprintf(num, sizeof(num), "%.1f", score);
	add(s, p, "security-severity", cJSON_CreateString(num));
	dynbuf_release(&help);
	dynbuf_release(&md);
}

/* the target's labels, escaped keys and values: properties.labels */
static void add_labels(struct sctx *s, cJSON *props, const struct target *t)
{
	const cJSON *it, *labels = report_labels(t);
	cJSON *o;
	char *key;

	if (labels == NULL || (o = obj(s, props, "labels")) == NULL)
		return;
	cJSON_ArrayForEach(it, labels)
	{
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		if ((key = report_escaped(it->string)) == NULL) {
			s->err = EXPO_ENOMEM;
			return;
		}
		if (cJSON_GetObjectItemCaseSensitive(o, key) == NULL)
			add(s, o, key, etext(it->valuestring));
		free(key);
	}
}

/* The plan or inventory file as GitHub code scanning takes a location:
 * relative, no scheme, percent-encoded. An absolute path under the
 * working folder becomes relative to it; one elsewhere keeps its name. */
static int config_uri(struct dynbuf *b, const char *source)
{
	static const char keep[] = "-._~/";
	char cwd[4096];
	const char *p = source != NULL && strcmp(source, "-") != 0
				? source
				: "inventory";
	size_t n;
	int r = 0;

	if (p[0] == '/') {
		n = getcwd(cwd, sizeof(cwd)) != NULL ? strlen(cwd) : 0;
		if (n > 1 && strncmp(p, cwd, n) == 0 && p[n] == '/')
			p += n + 1;
		else if (strrchr(p, '/') != NULL)
			p = strrchr(p, '/') + 1;
	}
	while (strncmp(p, "./", 2) == 0)
		p += 2;
	for (; *p != '\0' && r == 0; p++) {
		unsigned char ch = (unsigned char)*p;

		if (isalnum(ch) || strchr(keep, ch) != NULL)
			r = dynbuf_add(b, p, 1);
		else
			r = dynbuf_addf(b, "%%%02X", ch);
	}
	return r;
}

static void add_result(struct sctx *s, cJSON *results,
		       const struct scan_report *r, size_t i,
		       const struct rule_set *rs, const struct target_index *ix)
{
	static const char *const base[] = { NULL, "new", "unchanged" };
	const struct finding *f = &r->findings->v[i];
	const struct finding_note *note = r->notes ? &r->notes[i] : NULL;
	const struct target *t = target_index_find(ix, f->target_id);
	struct dynbuf msg, uri;
	cJSON *o, *loc, *pl, *p, *sups, *sup;

	dynbuf_init(&msg, 1 << 20);
	dynbuf_init(&uri, 1 << 16);
	dynbuf_addf(&msg, "%s on ", f->title ? f->title : f->rule_id);
	report_hostport(&msg, f->address, REPORT_PORT(f->port, f->proto));
	dynbuf_addf(&msg, " (%s%s%s). Evidence: %s.", f->target_id,
		    f->target_name ? ", " : "",
		    f->target_name ? f->target_name : "",
		    f->evidence ? f->evidence : "-");
	if (f->confidence == CONFIDENCE_CONFIGURED && f->resource != NULL) {
		/* a config finding points at the file it was read from and
		 * names the resource: an alert on the plan's own lines */
		dynbuf_reset(&msg);
		dynbuf_addf(&msg, "%s: %s", f->title ? f->title : f->rule_id,
			    f->resource);
		if (f->port != 0)
			dynbuf_addf(&msg, " port %u", f->port);
		dynbuf_addf(&msg, ". Evidence: %s.",
			    f->evidence ? f->evidence : "-");
		if (f->assumption != NULL)
			dynbuf_addf(&msg, " Assumes: %s.", f->assumption);
		if (config_uri(&uri, f->source) != 0)
			s->err = EXPO_ENOMEM;
	} else if (report_target_uri(&uri, f, t) != 0) {
		s->err = EXPO_ENOMEM;
	}
	o = obj(s, results, NULL);
	add(s, o, "ruleId", report_jstr(f->rule_id));
	add(s, o, "ruleIndex",
	    cJSON_CreateNumber((double)rule_index(rs, f->rule_id)));
	add(s, o, "level", cJSON_CreateString(level_of(f->severity)));
	text_obj(s, o, "message", dynbuf_ptr(&msg));
	loc = obj(s, arr(s, o, "locations"), NULL);
	pl = obj(s, loc, "physicalLocation");
	p = obj(s, pl, "artifactLocation");
	add(s, p, "uri",
	    cJSON_CreateString(dynbuf_len(&uri) ? dynbuf_ptr(&uri)
						: "inventory"));
	p = obj(s, pl, "region");
	add(s, p, "startLine", cJSON_CreateNumber(1));
	add(s, p, "startColumn", cJSON_CreateNumber(1));
	add(s, p, "endLine", cJSON_CreateNumber(1));
	add(s, p, "endColumn", cJSON_CreateNumber(1));
	p = obj(s, arr(s, loc, "logicalLocations"), NULL);
	add(s, p, "name", etext(f->resource ? f->resource : f->target_id));
	add(s, p, "fullyQualifiedName",
	    etext(f->resource ? f->resource : f->target_id));
	add(s, p, "kind", cJSON_CreateString("resource"));
	p = obj(s, o, "partialFingerprints");
	add(s, p, "primaryLocationLineHash",
	    cJSON_CreateString(f->fingerprint));
	add(s, p, "exposureFingerprint/v1", cJSON_CreateString(f->fingerprint));
	if (note != NULL && note->baseline != BASELINE_NONE &&
	    note->baseline <= BASELINE_UNCHANGED)
		add(s, o, "baselineState",
		    cJSON_CreateString(base[note->baseline]));
	if (note != NULL && note->sup_reason != NULL) {
		sups = arr(s, o, "suppressions");
		sup = obj(s, sups, NULL);
		add(s, sup, "kind", cJSON_CreateString("external"));
		add(s, sup, "status", cJSON_CreateString("accepted"));
		add(s, sup, "justification", etext(note->sup_reason));
	}
	p = obj(s, o, "properties");
	add(s, p, "target", etext(f->target_id));
	add(s, p, "address", etext(f->address));
	add(s, p, "port", cJSON_CreateNumber(f->port));
	if (f->proto == PROTO_UDP)
		add(s, p, "protocol", cJSON_CreateString("udp"));
	add(s, p, "severity", cJSON_CreateString(severity_name(f->severity)));
	add(s, p, "cvss", etext(f->cvss_vector));
	add(s, p, "cvssScore", cJSON_CreateNumber(f->cvss_score));
	add(s, p, "confidence",
	    cJSON_CreateString(confidence_name(f->confidence)));
	add(s, p, "rank", cJSON_CreateNumber((double)(i + 1)));
	add_labels(s, p, t);
	if (f->resource != NULL)
		add(s, p, "resource", etext(f->resource));
	if (f->assumption != NULL)
		add(s, p, "assumption", etext(f->assumption));
	if (f->related != NULL)
		add(s, p, "related", etext(f->related));
	dynbuf_release(&msg);
	dynbuf_release(&uri);
}

int report_sarif_write(const char *path, const struct scan_report *r)
{
	struct sctx s = { 0 };
	struct rule_set rs = { 0 };
	struct target_index ix = { 0 };
	struct finding_list empty = { 0 };
	const struct finding_list *fl = r->findings ? r->findings : &empty;
	cJSON *root = NULL, *run, *drv, *rules, *results, *p, *holder;
	struct json_out o;
	char id[96], *rest = NULL;
	size_t i;
	int ret, depth;

	if ((ret = rule_set_build(&rs, fl)) != 0 ||
	    (ret = target_index_build(&ix, r->targets)) != 0)
		goto out;
	ret = EXPO_ENOMEM;
	if ((root = cJSON_CreateObject()) == NULL)
		goto out;
	add(&s, root, "$schema", cJSON_CreateString(SARIF_SCHEMA));
	add(&s, root, "version", cJSON_CreateString("2.1.0"));
	run = obj(&s, arr(&s, root, "runs"), NULL);
	drv = obj(&s, obj(&s, run, "tool"), "driver");
	add(&s, drv, "name", cJSON_CreateString("exposure"));
	add(&s, drv, "version", cJSON_CreateString(EXPO_VERSION));
	add(&s, drv, "semanticVersion", cJSON_CreateString(EXPO_VERSION));
	rules = arr(&s, drv, "rules");
	for (i = 0; i < rs.n && s.err == 0; i++)
		add_rule(&s, rules, rs.v[i], rs.score[i]);
	/* "category/run-id": one category per shard, so shards' uploads do
	 * not replace each other */
	if (r->shard_count > 0)
		snprintf(id, sizeof(id), "exposure/shard-%u-of-%u/",
			 r->shard_index, r->shard_count);
	else
		snprintf(id, sizeof(id), "exposure/");
	p = obj(&s, run, "automationDetails");
	add(&s, p, "id", cJSON_CreateString(id));
	/* the results, a fleet's findings, are written one at a time */
	results = arr(&s, run, "results");
	add(&s, results, NULL, json_hole());
	if (r->incomplete != NULL) {
		/* SARIF's own words for a run that did not finish */
		cJSON *inv = obj(&s, arr(&s, run, "invocations"), NULL), *n;

		add(&s, inv, "executionSuccessful", cJSON_CreateFalse());
		n = obj(&s, arr(&s, inv, "toolExecutionNotifications"), NULL);
		add(&s, n, "level", cJSON_CreateString("error"));
		add(&s, obj(&s, n, "message"), "text", etext(r->incomplete));
	}
	p = obj(&s, run, "properties");
	add(&s, p, "complete", cJSON_CreateBool(r->incomplete == NULL));
	if (r->incomplete != NULL)
		add(&s, p, "incompleteReason", etext(r->incomplete));
	add(&s, p, "startedAt", etext(r->started_at));
	if (r->run_id != NULL)
		add(&s, p, "runId", etext(r->run_id));
	add(&s, p, "failOn",
	    cJSON_CreateString(
		    r->fail_on < 0 ? "none"
				   : severity_name((enum severity)r->fail_on)));
	add(&s, run, "columnKind", cJSON_CreateString("utf16CodeUnits"));
	if ((ret = s.err) != 0)
		goto out;
	if (json_out_open(&o, path, 0) == 0)
		json_out_until_hole(&o, root, &rest, &depth);
	else
		cJSON_Delete(root);
	root = NULL; /* freed either way */
	for (i = 0; i < fl->n && s.err == 0 && o.err == 0; i++) {
		if ((holder = cJSON_CreateArray()) != NULL)
			add_result(&s, holder, r, i, &rs, &ix);
		json_out_element(&o, i, holder, depth);
	}
	json_out_rest(&o, rest);
	ret = json_out_close(&o, s.err);
out:
	cJSON_Delete(root);
	free(rs.v);
	free(rs.score);
	target_index_release(&ix);
	return ret;
}
