/*
 * stage.c - the configuration stage (include/posture.h): every enabled
 * config rule set judges every target that has config facts or
 * world-open ports, addressed or not (a planned instance has no address
 * yet). No packet, no name lookup: this is what --offline runs alone.
 *
 * A config finding is confidence "configured", points at the resource
 * (plan address or instance id) and the file it was read from, and its
 * fingerprint is rule + target id + port: the target id of a plan
 * resource is its address, of a cloud instance its id.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynbuf.h"
#include "expo.h"
#include "posture.h"
#include "rank/cvss.h"
#include "rank/rank.h"

#define CONF_EVIDENCE_MAX 2048

struct conf_ctx {
	const struct check *check;
	const struct target *target;
	struct finding_list *out;
	size_t first; /* the target's findings start here in out */
};

const struct target *conf_target(const struct conf_ctx *c)
{
	return c->target;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* the GPU the config facts or the inventory name, or NULL */
const char *target_gpu(const struct target *t)
{
	const char *g = NULL;

	if (t->meta != NULL && t->meta->config != NULL)
		g = cJSON_GetStringValue(
			cJSON_GetObjectItem(t->meta->config, "gpu"));
	if (g == NULL && t->meta != NULL)
		g = t->meta->gpu;
	return g;
}

/* the fact "public_address" as the finding's is_public */
static bool planned_public(const struct target *t)
{
	const cJSON *pa =
		t->meta != NULL && t->meta->config != NULL
			? cJSON_GetObjectItem(t->meta->config, "public_address")
			: NULL;
	const char *v = cJSON_GetStringValue(pa);
	uint32_t i;

	for (i = 0; i < t->naddrs; i++)
		if (t->addrs[i].is_public)
			return true;
	return v != NULL &&
	       (strcmp(v, "known") == 0 || strcmp(v, "planned") == 0);
}

static int fill(struct finding *f, const struct conf_ctx *c,
		const struct rule *rule, uint16_t port, unsigned proto,
		const char *assumption, const char *evidence)
{
	const struct target *t = c->target;
	const cJSON *res =
		t->meta && t->meta->config
			? cJSON_GetObjectItem(t->meta->config, "resource")
			: NULL;
	char addr[INET6_ADDRSTRLEN], namebuf[INET6_ADDRSTRLEN];

	f->rule_id = strdup(rule->id);
	f->check = strdup(c->check->name);
	f->title = strdup(rule->title);
	f->service = strdup(port != 0 && door_service_proto(port, proto) != NULL
				    ? door_service_proto(port, proto)
				    : c->check->name);
	f->target_id = strdup(t->id);
	f->target_name = strdup(target_display_name(t, namebuf));
	f->address = t->naddrs > 0
			     ? strdup(target_addr_text(&t->addrs[0], addr))
			     : NULL;
	f->port = port;
	f->proto = (uint8_t)proto;
	f->cvss_vector = strdup(rule->cvss_vector);
	if (cvss31_base_score(rule->cvss_vector, &f->cvss_score) != 0)
		f->cvss_score = 0.0;
	f->severity = cvss_severity(f->cvss_score);
	f->confidence = CONFIDENCE_CONFIGURED;
	f->impact = rule->impact;
	f->evidence = strdup(evidence);
	f->remediation = dup_or_null(rule->remediation);
	f->references = dup_or_null(rule->references);
	f->is_public = planned_public(t);
	f->exposure = port != 0 ? target_port_exposure_proto(t, port, proto)
				: EXPOSURE_UNKNOWN;
	f->resource = strdup(
		cJSON_GetStringValue(res) ? cJSON_GetStringValue(res) : t->id);
	f->source = dup_or_null(t->source);
	f->assumption = dup_or_null(assumption);
	f->gpu = dup_or_null(target_gpu(t));
	finding_fingerprint(f->fingerprint, rule->id, t->id, port);
	if (f->rule_id == NULL || f->check == NULL || f->title == NULL ||
	    f->service == NULL || f->target_id == NULL ||
	    f->target_name == NULL || f->cvss_vector == NULL ||
	    f->evidence == NULL || f->resource == NULL ||
	    (t->naddrs > 0 && f->address == NULL) ||
	    (assumption != NULL && f->assumption == NULL) ||
	    (t->source != NULL && f->source == NULL))
		return EXPO_ENOMEM;
	return 0;
}

static int conf_vreport(struct conf_ctx *c, const char *rule_id, uint16_t port,
			unsigned proto, const char *assumption, const char *fmt,
			va_list ap)
{
	const struct rule *rule = check_rule(c->check, rule_id);
	struct finding *f;
	char ev[CONF_EVIDENCE_MAX];
	size_t i;
	int r;

	if (rule == NULL)
		return EXPO_ERULE;
	/* one finding per rule, target and port, however many rules of the
	 * configuration say it */
	for (i = c->first; i < c->out->n; i++)
		if (c->out->v[i].port == port && c->out->v[i].proto == proto &&
		    strcmp(c->out->v[i].rule_id, rule_id) == 0 &&
		    strcmp(c->out->v[i].target_id, c->target->id) == 0)
			return 0;
	vsnprintf(ev, sizeof(ev), fmt, ap);
	if ((f = finding_list_add(c->out)) == NULL)
		return EXPO_ENOMEM;
	if ((r = fill(f, c, rule, port, proto, assumption, ev)) != 0) {
		/* no half-filled finding stays in the list */
		finding_release(f);
		c->out->n--;
	}
	return r;
}

int conf_report(struct conf_ctx *c, const char *rule_id, uint16_t port,
		const char *assumption, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = conf_vreport(c, rule_id, port, PROTO_TCP, assumption, fmt, ap);
	va_end(ap);
	return r;
}

int conf_report_proto(struct conf_ctx *c, const char *rule_id, uint16_t port,
		      unsigned proto, const char *assumption, const char *fmt,
		      ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = conf_vreport(c, rule_id, port, proto, assumption, fmt, ap);
	va_end(ap);
	return r;
}

static bool has_facts(const struct target *t)
{
	return t->meta != NULL &&
	       (t->meta->config != NULL || t->meta->nworld_rules > 0);
}

int posture_run(const struct scan_config *cfg,
		const struct target_list *targets, struct finding_list *out,
		size_t *judged)
{
	static const cJSON empty = { .type = cJSON_Object };
	size_t i, k;
	int r = 0;

	*judged = 0;
	for (i = 0; i < targets->n && r == 0; i++) {
		const struct target *t = &targets->v[i];
		size_t first = out->n;
		bool any = false;

		if (t->skip_reason != NULL || !has_facts(t))
			continue;
		for (k = 0; k < cfg->nchecks && r == 0; k++) {
			const struct check *c = cfg->checks[k];
			struct conf_ctx cc = { c, t, out, first };

			if (!(c->flags & CHECK_CONFIG) || c->judge == NULL)
				continue;
			r = c->judge(t,
				     t->meta->config ? t->meta->config : &empty,
				     &cc);
			any = true;
		}
		*judged += any;
	}
	return r;
}

/* appends "rule (fingerprint)" to *dst */
static int relate_one(char **dst, const struct finding *other)
{
	char *s = NULL;
	int n;

	n = asprintf(&s, "%s%s%s (%s)", *dst ? *dst : "", *dst ? ", " : "",
		     other->rule_id, other->fingerprint);
	if (n < 0)
		return EXPO_ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int posture_relate(struct finding_list *l)
{
	size_t i, k;
	int r = 0;

	for (i = 0; i < l->n && r == 0; i++) {
		struct finding *a = &l->v[i];

		if (a->confidence != CONFIDENCE_CONFIGURED || a->port == 0)
			continue;
		for (k = 0; k < l->n && r == 0; k++) {
			struct finding *b = &l->v[k];

			if (b->confidence == CONFIDENCE_CONFIGURED ||
			    b->port != a->port ||
			    strcmp(b->target_id, a->target_id) != 0)
				continue;
			r = relate_one(&a->related, b);
			if (r == 0)
				r = relate_one(&b->related, a);
		}
	}
	if (r == 0)
		rank_findings(l);
	return r;
}
