/*
 * sign.c - collect signs of compromise and report them (sign.h).
 */
#include <stdio.h>
#include <string.h>
#include "sign.h"

static void put(struct sign_set *s, const char *fmt, const char *a,
		const char *b, const char *c, const char *d)
{
	int n;

	if (s->len >= sizeof(s->evidence) - 1)
		return;
	n = snprintf(s->evidence + s->len, sizeof(s->evidence) - s->len, fmt, a,
		     b, c, d);
	if (n > 0)
		s->len += (size_t)n;
	if (s->len >= sizeof(s->evidence))
		s->len = sizeof(s->evidence) - 1; /* cut: snprintf ended it */
}

bool sign_check(struct sign_set *s, unsigned field, const char *text,
		const char *where)
{
	struct ind_match m;
	char ex[SIGN_EXCERPT_MAX + 1];
	size_t n;

	if (text == NULL || !ind_match(field, text, strlen(text), &m))
		return false;
	s->n++;
	if (s->n > SIGN_KEEP)
		return true;
	n = m.len < SIGN_EXCERPT_MAX ? m.len : SIGN_EXCERPT_MAX;
	memcpy(ex, text + m.off, n);
	ex[n] = '\0';
	put(s, "%s%s \"%s\" in %s", s->n > 1 ? "; " : "", m.kind, ex,
	    where != NULL ? where : "?");
	(void)m.source;
	return true;
}

bool sign_at(struct sign_set *s, unsigned field, const char *text,
	     const char *where, const char *what)
{
	char w[SIGN_WHERE_MAX];

	if (text == NULL)
		return false; /* nothing to look at: no place to name */
	snprintf(w, sizeof(w), "%s %s", where, what);
	return sign_check(s, field, text, w);
}

const char *sign_join(const cJSON *arr, char *buf, size_t size)
{
	const cJSON *x = NULL;
	size_t len = 0, n;

	buf[0] = '\0';
	cJSON_ArrayForEach(x, arr)
	{
		if (!cJSON_IsString(x))
			continue;
		n = strlen(x->valuestring);
		if (len + n + 2 > size)
			break;
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, x->valuestring, n + 1);
		len += n;
	}
	return len > 0 ? buf : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* the strings of an object's array member, joined (sign_join) */
static const char *joined(const cJSON *o, const char *k, char *buf, size_t n)
{
	return sign_join(cJSON_GetObjectItemCaseSensitive(o, k), buf, n);
}

static void container_signs(struct sign_set *s, const cJSON *c, const char *pod)
{
	char buf[IND_TEXT_MAX + 1];
	char where[320];
	const char *name = jstr(c, "name");
	const cJSON *e = NULL;
	int k = 0;

	snprintf(where, sizeof(where), "%s container %.64s", pod,
		 name != NULL ? name : "?");
	sign_at(s, IND_F_IMAGE, jstr(c, "image"), where, "image");
	sign_at(s, IND_F_CMD, joined(c, "command", buf, sizeof(buf)), where,
		"command");
	sign_at(s, IND_F_CMD, joined(c, "args", buf, sizeof(buf)), where,
		"args");
	sign_at(s, IND_F_NAME, name, where, "name");
	/* env names only: a value may be a secret, and is never read */
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "env"))
	{
		if (++k > 64)
			break;
		sign_at(s, IND_F_NAME, jstr(e, "name"), where, "env name");
	}
}

void sign_pod_spec(struct sign_set *s, const cJSON *spec, const char *where)
{
	static const char *const lists[] = { "containers", "initContainers" };
	const cJSON *c = NULL;
	size_t i;
	int j;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		j = 0;
		cJSON_ArrayForEach(
			c, cJSON_GetObjectItemCaseSensitive(spec, lists[i]))
		{
			if (++j > 32)
				break;
			if (cJSON_IsObject(c))
				container_signs(s, c, where);
		}
	}
}

void sign_pods(struct sign_set *s, const cJSON *items)
{
	const cJSON *pod = NULL;
	char where[256];
	int k = 0;

	cJSON_ArrayForEach(pod, items)
	{
		const cJSON *md =
			cJSON_GetObjectItemCaseSensitive(pod, "metadata");
		const char *ns = jstr(md, "namespace"), *nm = jstr(md, "name");
		const char *cr = jstr(md, "creationTimestamp");

		if (++k > SIGN_PODS_MAX)
			break;
		snprintf(where, sizeof(where),
			 "pod %.64s/%.64s (created %.32s)",
			 ns != NULL ? ns : "?", nm != NULL ? nm : "?",
			 cr != NULL ? cr : "?");
		sign_pod_spec(s, cJSON_GetObjectItemCaseSensitive(pod, "spec"),
			      where);
	}
}

int sign_report(struct check_ctx *ctx, const char *rule_id,
		const struct sign_set *s)
{
	if (s->n == 0)
		return 0;
	return ctx_report(ctx, rule_id, NULL,
			  "%u sign%s of compromise: %s%s (indicator data %s)",
			  s->n, s->n == 1 ? "" : "s", s->evidence,
			  s->n > SIGN_KEEP ? "; ..." : "", ind_version());
}
