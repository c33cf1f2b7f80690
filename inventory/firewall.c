/*
 * firewall.c - which TCP and UDP ports the firewall configuration opens to
 * the whole internet, per target.
 *
 * Only rules whose source is the whole internet (0.0.0.0/0, ::/0, Azure
 * "Internet"/"*") are modelled: a packet from an arbitrary internet host
 * matches no other rule. So a rule from a partial range (0.0.0.0/1) is
 * ignored, allow or deny: an approximation that can only over-report.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

void fw_set_release(struct fw_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].ranges);
		free(s->v[i].ref);
	}
	free(s->v);
	free(s->groups);
	free(s->att);
	memset(s, 0, sizeof(*s));
}

static int grow(void **v, size_t *alloc, size_t n, size_t size)
{
	size_t want = *alloc ? *alloc * 2 : 8;
	void *p = NULL;
	int rc = 0;

	if (n < *alloc)
		goto out;
	p = realloc(*v, want * size);
	if (!p) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	*v = p;
	*alloc = want;
out:
	return rc;
}

struct fw_rule *fw_rule_add(struct fw_set *s)
{
	struct fw_rule *r = NULL;

	if (grow((void **)&s->v, &s->alloc, s->n, sizeof(*s->v)) < 0)
		goto out;
	r = &s->v[s->n];
	memset(r, 0, sizeof(*r));
	r->order = s->n++;
out:
	return r;
}

int fw_rule_add_range(struct fw_rule *r, unsigned lo, unsigned hi)
{
	struct fw_range *v;
	int rc = 0;

	v = realloc(r->ranges, (r->nranges + 1) * sizeof(*v));
	if (!v) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	r->ranges = v;
	v[r->nranges].lo = (uint16_t)lo;
	v[r->nranges].hi = (uint16_t)hi;
	r->nranges++;
out:
	return rc;
}

int fw_group_add(struct fw_set *s, const char *group)
{
	int rc;

	rc = grow((void **)&s->groups, &s->agroups, s->ngroups,
		  sizeof(*s->groups));
	if (rc == 0)
		s->groups[s->ngroups++] = group;
	return rc;
}

bool fw_group_known(const struct fw_set *s, const char *group)
{
	bool found = false;
	size_t i;

	for (i = 0; i < s->ngroups && !found; i++)
		found = !strcasecmp(s->groups[i], group);
	return found;
}

int fw_attach_add(struct fw_set *s, const char *nic, const char *nsg)
{
	int rc;

	rc = grow((void **)&s->att, &s->aatt, s->natt, sizeof(*s->att));
	if (rc == 0) {
		s->att[s->natt].nic = nic;
		s->att[s->natt].nsg = nsg;
		s->natt++;
	}
	return rc;
}

bool fw_parse_ports(const char *s, unsigned *lo, unsigned *hi)
{
	unsigned long a, b;
	char *end = NULL;
	bool ok = false;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || !strcmp(s, "*") || !strcasecmp(s, "any")) {
		*lo = 0;
		*hi = 65535;
		ok = true;
		goto out;
	}
	if (!isdigit((unsigned char)*s))
		goto out;
	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || a > 65535)
		goto out;
	b = a;
	if (*end == '-') {
		s = end + 1;
		if (!isdigit((unsigned char)*s))
			goto out;
		b = strtoul(s, &end, 10);
		if (errno || b > 65535 || b < a)
			goto out;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		goto out;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	ok = true;
out:
	return ok;
}

bool fw_cidr_valid(const char *s, bool need_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	struct target_addr a;
	unsigned long prefix;
	char *end = NULL;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	bool ok = false;

	if (n == 0 || n >= sizeof(buf) || (!slash && need_prefix))
		goto out;
	memcpy(buf, s, n);
	buf[n] = 0;
	/* no brackets, no host names: an address as the clouds write it */
	if (buf[0] == '[' || target_addr_parse(&a, buf) < 0)
		goto out;
	if (slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || errno || *end ||
		    end - (slash + 1) > 3 ||
		    prefix > (a.u.sa.sa_family == AF_INET ? 32u : 128u))
			goto out;
	}
	ok = true;
out:
	return ok;
}

static int rule_cmp(const void *pa, const void *pb)
{
	const struct fw_rule *a = *(const struct fw_rule *const *)pa;
	const struct fw_rule *b = *(const struct fw_rule *const *)pb;
	int c;

	if (a->priority != b->priority)
		c = a->priority < b->priority ? -1 : 1;
	else if (a->allow != b->allow)
		c = a->allow ? 1 : -1; /* deny first */
	else
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

/* sorted, disjoint ranges already decided by an earlier rule */
struct decided {
	struct fw_range *v;
	size_t n, alloc;
};

static int decided_add(struct decided *d, unsigned lo, unsigned hi)
{
	size_t i, o;
	int rc;

	rc = grow((void **)&d->v, &d->alloc, d->n, sizeof(*d->v));
	if (rc < 0)
		goto out;
	/* insert sorted by lo, then merge neighbours */
	for (i = d->n; i > 0 && d->v[i - 1].lo > lo; i--)
		d->v[i] = d->v[i - 1];
	d->v[i].lo = (uint16_t)lo;
	d->v[i].hi = (uint16_t)hi;
	d->n++;
	for (i = 1, o = 0; i < d->n; i++) {
		if ((unsigned)d->v[i].lo <= (unsigned)d->v[o].hi + 1) {
			if (d->v[i].hi > d->v[o].hi)
				d->v[o].hi = d->v[i].hi;
		} else {
			d->v[++o] = d->v[i];
		}
	}
	d->n = o + 1;
out:
	return rc;
}

/* adds a world rule for each part of [lo, hi] not yet decided */
static int emit_residual(struct target *t, const struct decided *d,
			 const struct fw_rule *r, unsigned proto, unsigned lo,
			 unsigned hi)
{
	unsigned bit = PROTO_BIT(proto);

	unsigned cur = lo;
	size_t i;
	int rc = 0;

	for (i = 0; i < d->n && cur <= hi; i++) {
		if (d->v[i].hi < cur || d->v[i].lo > hi)
			continue;
		if (d->v[i].lo > cur) {
			rc = inv_world_rule_add_proto(
				t, bit, cur, d->v[i].lo - 1u,
				"%s %u-%u from %s", r->ref, cur,
				d->v[i].lo - 1u, r->src);
			if (rc < 0)
				goto out;
		}
		cur = d->v[i].hi + 1u;
	}
	if (cur <= hi)
		rc = inv_world_rule_add_proto(t, bit, cur, hi,
					      "%s %u-%u from %s", r->ref, cur,
					      hi, r->src);
out:
	return rc;
}

unsigned inv_proto_bits(const char *p)
{
	unsigned bits = 0;

	if (p == NULL)
		return 0;
	if (!strcasecmp(p, "tcp") || !strcmp(p, "6"))
		bits = PROTO_BIT(PROTO_TCP);
	else if (!strcasecmp(p, "udp") || !strcmp(p, "17"))
		bits = PROTO_BIT(PROTO_UDP);
	else if (!strcasecmp(p, "all") || !strcmp(p, "-1") || !strcmp(p, "*") ||
		 !strcasecmp(p, "any"))
		bits = PROTO_BIT(PROTO_TCP) | PROTO_BIT(PROTO_UDP);
	return bits;
}

/* The rules of one protocol, in priority order: a deny of UDP decides
 * nothing for TCP, so each protocol is decided on its own. */
static int fw_decide_proto(struct target *t, const struct fw_rule *const *rules,
			   size_t n, unsigned proto)
{
	const struct fw_rule **sorted = NULL;
	struct decided d = { 0 };
	size_t i, k, m = 0;
	int rc = 0;

	if (!n)
		goto out;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		unsigned protos = rules[i]->protos ? rules[i]->protos
						   : PROTO_BIT(PROTO_TCP);

		if (protos & PROTO_BIT(proto))
			sorted[m++] = rules[i];
	}
	qsort(sorted, m, sizeof(*sorted), rule_cmp);
	for (i = 0; i < m; i++) {
		const struct fw_rule *r = sorted[i];

		for (k = 0; k < r->nranges; k++) {
			if (r->allow) {
				rc = emit_residual(t, &d, r, proto,
						   r->ranges[k].lo,
						   r->ranges[k].hi);
				if (rc < 0)
					goto out;
			}
			rc = decided_add(&d, r->ranges[k].lo, r->ranges[k].hi);
			if (rc < 0)
				goto out;
		}
	}
out:
	free(d.v);
	free(sorted);
	return rc;
}

/* a UDP world rule that repeats a TCP one of this decision (same ports,
 * same text: an all-protocol rule, whose text names no protocol of its
 * own; the others name theirs) joins it: one rule, one finding */
static void merge_halves(struct target_meta *m, size_t first)
{
	size_t i, k, o;

	for (i = first, o = first; i < m->nworld_rules; i++) {
		struct world_rule *u = &m->world_rules[i];
		bool merged = false;

		for (k = first; u->protos == PROTO_BIT(PROTO_UDP) && k < o;
		     k++) {
			struct world_rule *w = &m->world_rules[k];

			if (w->protos == PROTO_BIT(PROTO_TCP) &&
			    w->port_from == u->port_from &&
			    w->port_to == u->port_to && w->ref && u->ref &&
			    !strcmp(w->ref, u->ref)) {
				w->protos |= PROTO_BIT(PROTO_UDP);
				merged = true;
				break;
			}
		}
		if (merged)
			free(u->ref);
		else
			m->world_rules[o++] = *u;
	}
	m->nworld_rules = o;
}

int fw_decide(struct target *t, const struct fw_rule *const *rules, size_t n)
{
	size_t first = t->meta ? t->meta->nworld_rules : 0;
	int rc = fw_decide_proto(t, rules, n, PROTO_TCP);

	if (rc == 0)
		rc = fw_decide_proto(t, rules, n, PROTO_UDP);
	if (rc == 0 && t->meta)
		merge_halves(t->meta, first);
	return rc;
}
