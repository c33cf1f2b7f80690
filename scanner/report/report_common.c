/*
 * report_common.c - helpers of the CI writers (SARIF, JUnit, Markdown,
 * annotations, DefectDojo): XML escaping, target lookups and the stable
 * pseudo-path of a target.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "expo.h"
#include "report_priv.h"

int report_xml_escape(struct dynbuf *b, const char *s)
{
	struct dynbuf tmp;
	const char *p;
	int r;

	dynbuf_init(&tmp, REPORT_MAX_BYTES);
	r = report_escape(&tmp, s);
	for (p = dynbuf_ptr(&tmp); r == 0 && *p != '\0'; p++) {
		switch (*p) {
		case '&':
			r = dynbuf_addstr(b, "&amp;");
			break;
		case '<':
			r = dynbuf_addstr(b, "&lt;");
			break;
		case '>':
			r = dynbuf_addstr(b, "&gt;");
			break;
		case '"':
			r = dynbuf_addstr(b, "&quot;");
			break;
		case '\'':
			r = dynbuf_addstr(b, "&apos;");
			break;
		default:
			r = dynbuf_add(b, p, 1);
			break;
		}
	}
	dynbuf_release(&tmp);
	return r;
}

cJSON *report_jstr(const char *s)
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

static int ix_cmp(const void *a, const void *b)
{
	const struct target *const *x = a, *const *y = b;
	int c = strcmp((*x)->id, (*y)->id);

	/* one id twice: list order, so a lookup finds the first */
	if (c == 0)
		c = (*x > *y) - (*x < *y);
	return c;
}

int target_index_build(struct target_index *ix, const struct target_list *l)
{
	size_t i, n = l != NULL ? l->n : 0;

	ix->v = NULL;
	ix->n = 0;
	if (n == 0)
		return 0;
	if ((ix->v = calloc(n, sizeof(*ix->v))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < n; i++)
		if (l->v[i].id != NULL)
			ix->v[ix->n++] = &l->v[i];
	qsort(ix->v, ix->n, sizeof(*ix->v), ix_cmp);
	return 0;
}

const struct target *target_index_find(const struct target_index *ix,
				       const char *id)
{
	size_t lo = 0, hi = ix->n, mid;

	if (id == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->v[lo]->id, id) == 0 ? ix->v[lo] : NULL;
}

void target_index_release(struct target_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

/* RFC 3986 unreserved characters stay, everything else is %XX */
static int add_pct(struct dynbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char esc[3] = { '%', 0, 0 };
	int r = 0;

	if (s == NULL || *s == '\0')
		s = "-";
	for (p = (const unsigned char *)s; *p != '\0' && r == 0; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			r = dynbuf_add(b, p, 1);
		} else {
			esc[1] = hex[*p >> 4];
			esc[2] = hex[*p & 0xf];
			r = dynbuf_add(b, esc, 3);
		}
	}
	return r;
}

int report_target_uri(struct dynbuf *b, const struct finding *f,
		      const struct target *t)
{
	const char *id = f->target_id ? f->target_id : "?";
	const char *colon = strchr(id, ':');
	const char *provider = t && t->provider ? t->provider : NULL;
	const char *where = NULL, *slash;
	char *prov = NULL;
	int r;

	if (provider == NULL && colon != NULL)
		provider = prov = strndup(id, (size_t)(colon - id));
	/* the instance id without the "provider:" prefix of the target id */
	if (colon != NULL)
		id = colon + 1;
	if (t != NULL && t->meta != NULL && t->meta->account != NULL)
		where = t->meta->account;
	else if (t != NULL && t->source != NULL)
		where = (slash = strrchr(t->source, '/')) ? slash + 1
							  : t->source;
	r = dynbuf_addstr(b, "inventory/");
	if (r == 0)
		r = add_pct(b, provider);
	if (r == 0)
		r = dynbuf_addstr(b, "/");
	if (r == 0)
		r = add_pct(b, where);
	if (r == 0)
		r = dynbuf_addstr(b, "/");
	if (r == 0)
		r = add_pct(b, id);
	free(prov);
	return r;
}

const char *report_port_text(char buf[16], unsigned port_proto)
{
	unsigned proto = port_proto >> 16;

	snprintf(buf, 16, "%u%s", port_proto & 0xffff,
		 proto == PROTO_TCP   ? ""
		 : proto == PROTO_UDP ? "/udp"
				      : "/?");
	return buf;
}

int report_hostport(struct dynbuf *b, const char *addr, unsigned port)
{
	char pt[16];

	report_port_text(pt, port);
	if (addr != NULL && strchr(addr, ':') != NULL)
		return dynbuf_addf(b, "[%s]:%s", addr, pt);
	return dynbuf_addf(b, "%s:%s", addr ? addr : "?", pt);
}

char *report_escaped(const char *s)
{
	struct dynbuf b;

	dynbuf_init(&b, REPORT_MAX_BYTES);
	/* "" escapes to "", not to NULL (which callers take for no memory) */
	if (report_escape(&b, s) != 0) {
		dynbuf_release(&b);
		return NULL;
	}
	return dynbuf_detach(&b);
}

const struct rule *report_rule_of(const struct finding *f)
{
	const struct check *c = f->check ? check_find(f->check) : NULL;

	return c != NULL && f->rule_id != NULL ? check_rule(c, f->rule_id)
					       : NULL;
}
