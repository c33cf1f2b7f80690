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
