/* finding.c - findings, finding lists and the names of their enums */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include "config.h"
#include "expo.h"
#include "finding.h"
#include "spill.h"

/* the strings a spill takes over: target strings and evidence */
static void free_spillable_text(struct finding *f)
{
	if (f->shares & FINDING_SPILLS_TEXT)
		return;
	free(f->target_id);
	if (!(f->shares & FINDING_PACKS_TARGET)) {
		free(f->target_name);
		free(f->address);
	}
	free(f->evidence);
}

void finding_release(struct finding *f)
{
	if (f == NULL)
		return;
	if (!(f->shares & FINDING_SHARES_RULE)) {
		free(f->rule_id);
		free(f->check);
		free(f->title);
		free(f->service);
		free(f->cvss_vector);
		free(f->remediation);
		free(f->references);
	}
	free_spillable_text(f);
	free(f->secret);
	if (!(f->shares & FINDING_SHARES_REASON))
		free(f->rank_reason);
	free(f->gpu);
	free(f->resource);
	free(f->source);
	free(f->assumption);
	free(f->related);
	memset(f, 0, sizeof(*f));
}

void finding_list_init(struct finding_list *l)
{
	l->v = NULL;
	l->n = 0;
	l->alloc = 0;
	l->spill = NULL;
}

void finding_list_release(struct finding_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		/* a spilled list's pages go back as they are released */
		if (l->spill != NULL)
			spill_pace(i);
		finding_release(&l->v[i]);
	}
	if (l->spill != NULL)
		spill_free(l->spill);
	else
		free(l->v);
	finding_list_init(l);
}

/* room for `extra` more findings; 0 or EXPO_ENOMEM */
static int finding_list_reserve(struct finding_list *l, size_t extra)
{
	struct finding *nv = NULL;
	size_t nalloc;
	int r = 0;

	if (l->n + extra <= l->alloc)
		goto out;
	r = EXPO_ENOMEM;
	if (extra > SIZE_MAX / sizeof(*nv) - l->n)
		goto out;
	/* by half again, not double: a fleet's list is the largest block
	 * a scan holds, and a doubled one is a quarter empty on average */
	nalloc = l->alloc ? l->alloc : 16;
	while (nalloc < l->n + extra)
		nalloc = nalloc > SIZE_MAX / 2 / sizeof(*nv)
				 ? l->n + extra
				 : nalloc + nalloc / 2;
	if (l->spill != NULL) {
		/* grows in place: the address never changes */
		if (spill_array_reserve(l->spill, nalloc * sizeof(*nv)) != 0)
			goto out;
		nv = spill_array(l->spill);
	} else if ((nv = realloc(l->v, nalloc * sizeof(*nv))) == NULL) {
		goto out;
	}
	l->v = nv;
	l->alloc = nalloc;
	r = 0;
out:
	return r;
}

struct finding *finding_list_add(struct finding_list *l)
{
	struct finding *f = NULL;

	if (finding_list_reserve(l, 1) != 0)
		goto out;
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
out:
	return f;
}

/* f's target strings and evidence copied into s; all or none. When s is
 * full and they live in another spill (about to be freed), they become
 * f's own. */
static void spill_text(struct spill *s, struct finding *f)
{
	char **field[4] = { &f->target_id, &f->target_name, &f->address,
			    &f->evidence };
	char *to[4];
	size_t i;

	for (i = 0; i < 4; i++) {
		to[i] = NULL;
		if (*field[i] != NULL &&
		    (to[i] = spill_copy(s, *field[i], strlen(*field[i]) + 1)) ==
			    NULL)
			break; /* the copies made are lost space */
	}
	if (i < 4) {
		if (!(f->shares & FINDING_SPILLS_TEXT))
			return; /* kept where it is, in memory */
		for (i = 0; i < 4; i++)
			if (*field[i] != NULL)
				*field[i] = strdup(*field[i]);
		f->shares &= (uint8_t)~FINDING_SPILLS_TEXT;
		return;
	}
	free_spillable_text(f);
	f->target_id = to[0];
	f->target_name = to[1];
	f->address = to[2];
	f->evidence = to[3];
	f->shares = (uint8_t)((f->shares & ~FINDING_PACKS_TARGET) |
			      FINDING_SPILLS_TEXT);
}

/* appends src's findings to dst (which has room), their text into dst's
 * spill; src's array is dropped, not its contents */
static void append(struct finding_list *dst, struct finding_list *src)
{
	size_t i;

	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	if (dst->spill != NULL)
		for (i = 0; i < src->n; i++)
			spill_text(dst->spill, &dst->v[dst->n + i]);
	dst->n += src->n;
	if (src->spill != NULL)
		spill_free(src->spill);
	else
		free(src->v);
	finding_list_init(src);
}

int finding_list_take(struct finding_list *dst, struct finding_list *src)
{
	struct finding_list tmp;
	int r = 0;

	if (src->n == 0)
		goto out;
	if (dst->n == 0 && dst->spill == NULL) {
		/* the array itself moves: a copy would hold two at once */
		free(dst->v);
		*dst = *src;
		finding_list_init(src);
		goto out;
	}
	if (src->spill != NULL && dst->spill == NULL) {
		/* the small one moves into the spilled one */
		if ((r = finding_list_reserve(src, dst->n)) != 0)
			goto out;
		append(src, dst);
		tmp = *dst;
		*dst = *src;
		*src = tmp;
		goto out;
	}
	if ((r = finding_list_reserve(dst, src->n)) != 0)
		goto out;
	append(dst, src);
out:
	return r;
}

int finding_list_spill(struct finding_list *l, struct spill *s)
{
	size_t i, alloc = l->alloc ? l->alloc : 16;

	if (l->spill != NULL)
		return EXPO_EINVAL;
	if (spill_array_reserve(s, alloc * sizeof(*l->v)) != 0)
		return EXPO_ENOMEM;
	if (l->n > 0)
		memcpy(spill_array(s), l->v, l->n * sizeof(*l->v));
	free(l->v);
	l->v = spill_array(s);
	l->alloc = alloc;
	l->spill = s;
	for (i = 0; i < l->n; i++)
		spill_text(s, &l->v[i]);
	return 0;
}

void finding_list_spill_text(struct finding_list *l, size_t i)
{
	if (l->spill != NULL && i < l->n &&
	    !(l->v[i].shares & FINDING_SPILLS_TEXT))
		spill_text(l->spill, &l->v[i]);
}

static int copy_str(char **dst, const char *s)
{
	*dst = NULL;
	return s != NULL && (*dst = strdup(s)) == NULL ? EXPO_ENOMEM : 0;
}

int finding_copy(struct finding *dst, const struct finding *s)
{
	/* the rule's text first: FINDING_SHARES_RULE covers those seven */
	char **dsts[] = {
		&dst->rule_id,	   &dst->check,	      &dst->title,
		&dst->service,	   &dst->cvss_vector, &dst->remediation,
		&dst->references,  &dst->target_id,   &dst->target_name,
		&dst->address,	   &dst->evidence,    &dst->secret,
		&dst->rank_reason, &dst->gpu,	      &dst->resource,
		&dst->source,	   &dst->assumption,  &dst->related
	};
	const char *srcs[] = { s->rule_id,     s->check,       s->title,
			       s->service,     s->cvss_vector, s->remediation,
			       s->references,  s->target_id,   s->target_name,
			       s->address,     s->evidence,    s->secret,
			       s->rank_reason, s->gpu,	       s->resource,
			       s->source,      s->assumption,  s->related };
	bool shared_rule = (s->shares & FINDING_SHARES_RULE) != 0;
	bool shared_reason = (s->shares & FINDING_SHARES_REASON) != 0;
	size_t i;
	int r = 0;

	_Static_assert(sizeof(dsts) / sizeof(dsts[0]) ==
			       sizeof(srcs) / sizeof(srcs[0]),
		       "one source per field");
	*dst = *s;
	/* a check's rule text is static and a ranking sentence pooled for
	 * the life of the process: shared, not copied (a baseline's fixed
	 * findings of a fleet would otherwise copy them each time) */
	dst->shares = (uint8_t)((shared_rule ? FINDING_SHARES_RULE : 0) |
				(shared_reason ? FINDING_SHARES_REASON : 0));
	for (i = shared_rule ? 7 : 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		if (!(shared_reason && dsts[i] == &dst->rank_reason) &&
		    copy_str(dsts[i], srcs[i]) != 0)
			r = EXPO_ENOMEM;
	return r;
}

void finding_list_grown(struct finding_list *l)
{
	struct spill *s;

	if (l->spill == NULL && l->n == FINDINGS_SPILL_AFTER) {
		/* no file: the list stays in memory */
		if ((s = spill_new()) != NULL && finding_list_spill(l, s) != 0)
			spill_free(s);
	} else if (l->n > 0) {
		finding_list_spill_text(l, l->n - 1);
	}
}

void finding_fingerprint(char out[33], const char *rule_id,
			 const char *target_id, unsigned port)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	char portbuf[16];
	int n, i;

	/* on failure the fingerprint is empty rather than a wrong hash */
	out[0] = '\0';
	if (rule_id == NULL)
		rule_id = "";
	if (target_id == NULL)
		target_id = "";
	n = snprintf(portbuf, sizeof(portbuf), "%u", port);
	/* streamed, so ids of any length need no buffer */
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, rule_id, strlen(rule_id)) != 1 ||
	    EVP_DigestUpdate(ctx, "|", 1) != 1 ||
	    EVP_DigestUpdate(ctx, target_id, strlen(target_id)) != 1 ||
	    EVP_DigestUpdate(ctx, "|", 1) != 1 ||
	    EVP_DigestUpdate(ctx, portbuf, (size_t)n) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16)
		goto out;
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[32] = '\0';
out:
	EVP_MD_CTX_free(ctx);
}

static const char *const severity_names[] = {
	[SEV_INFO] = "info",	     [SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",     [SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};

const char *severity_name(enum severity s)
{
	const char *name = "unknown";

	if ((unsigned)s <= SEV_CRITICAL)
		name = severity_names[s];
	return name;
}

int severity_parse(const char *s, int *out)
{
	int i, r = EXPO_EINVAL;

	if (s == NULL)
		goto out;
	if (strcasecmp(s, "none") == 0) {
		*out = -1;
		r = 0;
		goto out;
	}
	for (i = SEV_INFO; i <= SEV_CRITICAL; i++) {
		if (strcasecmp(s, severity_names[i]) == 0) {
			*out = i;
			r = 0;
			goto out;
		}
	}
out:
	return r;
}

const char *confidence_name(enum confidence c)
{
	static const char *const names[] = {
		[CONFIDENCE_CONFIRMED] = "confirmed",
		[CONFIDENCE_INFERRED] = "inferred",
		[CONFIDENCE_CONFIGURED] = "configured",
	};
	const char *name = "unknown";

	if ((unsigned)c <= CONFIDENCE_CONFIGURED)
		name = names[c];
	return name;
}

const char *impact_name(enum impact i)
{
	static const char *const names[] = {
		[IMPACT_EXEC] = "exec",
		[IMPACT_DATA] = "data",
		[IMPACT_WEAKENED] = "weakened",
		[IMPACT_INFO] = "info",
	};
	const char *name = "unknown";

	if ((unsigned)i <= IMPACT_INFO)
		name = names[i];
	return name;
}

const char *status_name(enum probe_status s)
{
	static const char *const names[] = {
		[STATUS_OPEN] = "open",
		[STATUS_CLOSED] = "closed",
		[STATUS_FILTERED] = "filtered",
		[STATUS_TIMEOUT] = "timeout",
		[STATUS_ERROR] = "error",
		[STATUS_NO_ANSWER] = "no answer",
	};
	const char *name = "unknown";

	if ((unsigned)s < STATUS_COUNT)
		name = names[s];
	return name;
}

int port_records_room(struct port_record **v, size_t *alloc, uint32_t **ms,
		      size_t *ms_alloc, size_t need, bool with_ms,
		      struct spill *spill)
{
	if (need > SIZE_MAX / sizeof(**v))
		return EXPO_ENOMEM;
	if (need > *alloc) {
		if (spill != NULL) {
			if (spill_array_reserve(spill, need * sizeof(**v)) != 0)
				return EXPO_ENOMEM;
			*v = spill_array(spill);
		} else {
			struct port_record *nv =
				realloc(*v, need * sizeof(**v));

			if (nv == NULL)
				return EXPO_ENOMEM;
			*v = nv;
		}
		*alloc = need;
	}
	if ((*ms == NULL && !with_ms) || *ms_alloc >= *alloc)
		return 0;
	if (spill != NULL) {
		/* the file reads as zeros where never written */
		if (spill_side_reserve(spill, *alloc * sizeof(**ms)) != 0)
			return EXPO_ENOMEM;
		*ms = spill_side(spill);
	} else {
		uint32_t *nms = realloc(*ms, *alloc * sizeof(**ms));

		if (nms == NULL)
			return EXPO_ENOMEM;
		memset(nms + *ms_alloc, 0, (*alloc - *ms_alloc) * sizeof(*nms));
		*ms = nms;
	}
	*ms_alloc = *alloc;
	return 0;
}

int port_records_spill(struct port_record **v, size_t *alloc, uint32_t **ms,
		       size_t *ms_alloc, size_t n, struct spill **spill)
{
	struct port_record *nv = NULL;
	uint32_t *nms = NULL;
	size_t nalloc = 0, nms_alloc = 0;
	struct spill *s;

	if (*spill != NULL || (s = spill_new()) == NULL)
		return EXPO_ENOMEM;
	if (port_records_room(&nv, &nalloc, &nms, &nms_alloc,
			      *alloc > n ? *alloc : n, *ms != NULL, s) != 0) {
		spill_free(s);
		return EXPO_ENOMEM;
	}
	if (n > 0)
		memcpy(nv, *v, n * sizeof(*nv));
	if (*ms != NULL && n > 0)
		memcpy(nms, *ms, n * sizeof(*nms));
	free(*v);
	free(*ms);
	*v = nv;
	*ms = nms;
	*alloc = nalloc;
	*ms_alloc = nms_alloc;
	*spill = s;
	return 0;
}

void port_records_free(struct port_record *v, uint32_t *ms, struct spill *spill)
{
	if (spill != NULL) {
		spill_free(spill);
		return;
	}
	free(v);
	free(ms);
}
