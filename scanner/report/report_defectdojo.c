/*
 * report_defectdojo.c - DefectDojo's "Generic Findings Import" JSON
 * (ECOSYSTEM.md §5.2): {"name", "type", "findings": [...]} with title,
 * severity (Critical..Info), description, and unique_id_from_tool = our
 * fingerprint, so a reimport matches the same finding across runs and
 * closes the fixed ones. The target's labels become "key:value" tags.
 * Suppressed findings go in as risk accepted,
 * inactive. Text is JSON-escaped by cJSON after report_escape().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "expo.h"
#include "report_priv.h"

static const char *dd_severity(enum severity s)
{
	static const char *const n[] = { "Info", "Low", "Medium", "High",
					 "Critical" };

	return (unsigned)s <= SEV_CRITICAL ? n[s] : "Info";
}

static cJSON *etext(const char *s)
{
	char *e = report_escaped(s);
	cJSON *item = e ? report_jstr(e) : NULL;

	free(e);
	return item;
}

/* the first CWE-<n> of the references, or 0 */
static int cwe_of(const char *refs)
{
	const char *p = refs ? strstr(refs, "CWE-") : NULL;
	long v = 0;

	if (p != NULL)
		v = strtol(p + 4, NULL, 10);
	return v > 0 && v < 100000 ? (int)v : 0;
}

static int add(cJSON *o, const char *key, cJSON *item)
{
	if (item == NULL)
		return EXPO_ENOMEM;
	cJSON_AddItemToObject(o, key, item);
	return 0;
}

/* DefectDojo splits tags on commas and blanks and quotes with '"': each
 * of those becomes '_' so "team:payments" stays one tag */
static void tag_safe(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ',' || *s == ' ' || *s == '"' || *s == '\'')
			*s = '_';
}

/* a tag "key:value" per label of the finding's target */
static int add_labels(cJSON *tags, const struct target *t)
{
	const cJSON *it;
	struct dynbuf b;
	cJSON *item;
	int r = 0;

	dynbuf_init(&b, 1 << 16);
	cJSON_ArrayForEach(it, report_labels(t))
	{
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		dynbuf_reset(&b);
		r = report_escape(&b, it->string);
		if (r == 0)
			r = dynbuf_addstr(&b, ":");
		if (r == 0)
			r = report_escape(&b, it->valuestring);
		if (r != 0)
			break;
		tag_safe(b.buf);
		if ((item = report_jstr(b.buf)) == NULL) {
			r = EXPO_ENOMEM;
			break;
		}
		cJSON_AddItemToArray(tags, item);
	}
	dynbuf_release(&b);
	return r != 0 ? EXPO_ENOMEM : 0;
}

static int add_finding(cJSON *arr, const struct scan_report *r, size_t i,
		       const struct target *t)
{
	const struct finding *f = &r->findings->v[i];
	bool sup = report_finding_suppressed(r, i);
	struct dynbuf d;
	cJSON *o = cJSON_CreateObject(), *eps, *ep, *tags;
	char date[11] = "";
	int ret = 0;

	dynbuf_init(&d, 1 << 20);
	if (o == NULL)
		return EXPO_ENOMEM;
	cJSON_AddItemToArray(arr, o);
	/* our line breaks, the server's text escaped piece by piece */
	report_escape(&d, f->title ? f->title : f->rule_id);
	dynbuf_addstr(&d, "\n\nTarget: ");
	report_escape(&d, f->target_id);
	if (f->target_name != NULL) {
		dynbuf_addstr(&d, " ");
		report_escape(&d, f->target_name);
	}
	dynbuf_addstr(&d, "\nAddress: ");
	report_hostport(&d, f->address, REPORT_PORT(f->port, f->proto));
	dynbuf_addstr(&d, "\nEvidence: ");
	report_escape(&d, f->evidence);
	dynbuf_addf(&d,
		    "\nConfidence: %s\nCVSS: ", confidence_name(f->confidence));
	report_escape(&d, f->cvss_vector);
	dynbuf_addf(&d, " (%.1f)\nRank: %zu (", f->cvss_score, i + 1);
	report_escape(&d, f->rank_reason);
	dynbuf_addstr(&d, ")");
	if (sup) {
		dynbuf_addstr(&d, "\nSuppressed until ");
		report_escape(&d, r->notes[i].sup_expires);
		dynbuf_addstr(&d, ": ");
		report_escape(&d, r->notes[i].sup_reason);
	}
	if (r->started_at != NULL)
		snprintf(date, sizeof(date), "%.10s", r->started_at);
	ret |= add(o, "title", etext(f->title ? f->title : f->rule_id));
	ret |= add(o, "severity", cJSON_CreateString(dd_severity(f->severity)));
	ret |= add(o, "description", report_jstr(dynbuf_ptr(&d)));
	ret |= add(o, "mitigation", etext(f->remediation));
	ret |= add(o, "references", etext(f->references));
	ret |= add(o, "unique_id_from_tool",
		   cJSON_CreateString(f->fingerprint));
	ret |= add(o, "vuln_id_from_tool", etext(f->rule_id));
	if (f->cvss_vector != NULL)
		ret |= add(o, "cvssv3", etext(f->cvss_vector));
	ret |= add(o, "cvssv3_score", cJSON_CreateNumber(f->cvss_score));
	if (cwe_of(f->references) > 0)
		ret |= add(o, "cwe", cJSON_CreateNumber(cwe_of(f->references)));
	ret |= add(o, "service", etext(f->service));
	ret |= add(o, "component_name",
		   etext(f->target_name ? f->target_name : f->target_id));
	if (date[0] != '\0')
		ret |= add(o, "date", cJSON_CreateString(date));
	ret |= add(o, "active", cJSON_CreateBool(!sup));
	ret |= add(o, "verified",
		   cJSON_CreateBool(f->confidence == CONFIDENCE_CONFIRMED));
	ret |= add(o, "risk_accepted", cJSON_CreateBool(sup));
	ret |= add(o, "dynamic_finding", cJSON_CreateBool(true));
	ret |= add(o, "static_finding", cJSON_CreateBool(false));
	if ((eps = cJSON_CreateArray()) == NULL ||
	    add(o, "endpoints", eps) != 0) {
		dynbuf_release(&d);
		return EXPO_ENOMEM;
	}
	if ((ep = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToArray(eps, ep);
		ret |= add(ep, "host", etext(f->address));
		ret |= add(ep, "port", cJSON_CreateNumber(f->port));
		ret |= add(ep, "protocol", etext(f->service));
		if (f->proto == PROTO_UDP) /* DefectDojo's endpoint has none */
			ret |= add(ep, "path", cJSON_CreateString("udp"));
	}
	if ((tags = cJSON_CreateArray()) != NULL) {
		add(o, "tags", tags);
		cJSON_AddItemToArray(tags, cJSON_CreateString("exposure"));
		cJSON_AddItemToArray(tags, etext(f->check));
		ret |= add_labels(tags, t);
	}
	dynbuf_release(&d);
	return ret != 0 || ep == NULL || tags == NULL ? EXPO_ENOMEM : 0;
}

int report_defectdojo_write(const char *path, const struct scan_report *r)
{
	cJSON *root = cJSON_CreateObject(), *arr = NULL, *holder;
	struct target_index ix = { 0 };
	struct json_out o;
	size_t i, nf = r->findings ? r->findings->n : 0;
	char *rest = NULL;
	int ret = EXPO_ENOMEM, depth;

	/* the findings, a fleet's, are written one at a time */
	if (root == NULL ||
	    !cJSON_AddStringToObject(root, "name", "exposure") ||
	    !cJSON_AddStringToObject(root, "type", "exposure " EXPO_VERSION) ||
	    (arr = cJSON_AddArrayToObject(root, "findings")) == NULL ||
	    !cJSON_AddItemToArray(arr, json_hole()))
		goto out;
	/* extra keys: DefectDojo's generic import reads "findings" alone */
	if (r->incomplete != NULL &&
	    (!cJSON_AddFalseToObject(root, "complete") ||
	     !cJSON_AddStringToObject(root, "incomplete_reason",
				      r->incomplete)))
		goto out;
	if (target_index_build(&ix, r->targets) != 0)
		goto out;
	if (json_out_open(&o, path, 0) == 0)
		json_out_until_hole(&o, root, &rest, &depth);
	else
		cJSON_Delete(root);
	root = NULL; /* freed either way */
	ret = 0;
	for (i = 0; i < nf && ret == 0 && o.err == 0; i++) {
		if ((holder = cJSON_CreateArray()) != NULL)
			ret = add_finding(
				holder, r, i,
				target_index_find(&ix,
						  r->findings->v[i].target_id));
		json_out_element(&o, i, holder, depth);
	}
	json_out_rest(&o, rest);
	ret = json_out_close(&o, ret);
out:
	target_index_release(&ix);
	cJSON_Delete(root);
	return ret;
}
