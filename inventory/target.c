/*
 * target.c - targets, target lists, addresses; and the small helpers the
 * loaders use to fill a target (declared in loaders.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "target.h"
#include "loaders.h"

static void meta_body_free(struct target_meta *m)
{
	size_t i;

	free(m->account);
	free(m->region);
	free(m->zone);
	free(m->state);
	free(m->os);
	free(m->gpu);
	cJSON_Delete(m->tags);
	cJSON_Delete(m->config);
	for (i = 0; i < m->nworld_rules; i++)
		free(m->world_rules[i].ref);
	free(m->world_rules);
}

static void meta_free(struct target_meta *m)
{
	if (!m)
		return;
	meta_body_free(m);
	free(m);
}

/* a shared meta, chained so that adopting never allocates */
struct target_shared_meta {
	struct target_shared_meta *next;
	struct target_meta m;
};

#define ARENA_CHUNK (1u << 20)

struct target_arena {
	struct target_arena *next;
	size_t used, size;
	_Alignas(8) unsigned char data[];
};

void target_release(struct target *t)
{
	if (!t)
		return;
	if (!t->in_arena) {
		free(t->id);
		free(t->addrs);
	}
	free(t->name);
	if (!t->meta_shared)
		meta_free(t->meta);
	free(t->skip_reason);
	free(t->ports);
	memset(t, 0, sizeof(*t));
}

void target_list_init(struct target_list *l)
{
	memset(l, 0, sizeof(*l));
}

void target_list_release(struct target_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		target_release(&l->v[i]);
	free(l->v);
	for (i = 0; i < l->nsources; i++)
		free(l->sources[i]);
	free(l->sources);
	while (l->shared_meta) {
		struct target_shared_meta *next = l->shared_meta->next;

		meta_body_free(&l->shared_meta->m);
		free(l->shared_meta);
		l->shared_meta = next;
	}
	while (l->arena) {
		struct target_arena *next = l->arena->next;

		free(l->arena);
		l->arena = next;
	}
	target_list_init(l);
}

void *target_list_arena_alloc(struct target_list *l, size_t size)
{
	struct target_arena *a = l->arena;
	void *p = NULL;

	size = (size + 7) & ~(size_t)7;
	if (!a || a->size - a->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (!a)
			goto out;
		a->used = 0;
		a->size = cap;
		a->next = l->arena;
		l->arena = a;
	}
	p = a->data + a->used;
	a->used += size;
out:
	return p;
}

struct target_meta *target_list_shared_meta(struct target_list *l)
{
	struct target_shared_meta *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->next = l->shared_meta;
	l->shared_meta = n;
	return &n->m;
}

void target_list_adopt_arena(struct target_list *dst, struct target_list *src)
{
	struct target_arena **tail = &src->arena;
	struct target_shared_meta **stail = &src->shared_meta;

	while (*stail)
		stail = &(*stail)->next;
	*stail = dst->shared_meta;
	dst->shared_meta = src->shared_meta;
	src->shared_meta = NULL;
	if (!src->arena)
		return;
	while (*tail)
		tail = &(*tail)->next;
	/* src's chunks go in front: dst's current chunk stays the open one
	 * only if src had none, which is fine either way */
	*tail = dst->arena;
	dst->arena = src->arena;
	src->arena = NULL;
}

int inv_list_reserve(struct target_list *l, size_t more)
{
	struct target *v = NULL;
	size_t want;
	int rc = 0;

	if (more > SIZE_MAX / sizeof(*v) - l->n) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	want = l->n + more;
	if (want <= l->alloc)
		goto out;
	if (want < l->alloc * 2)
		want = l->alloc * 2;
	if (want < 16)
		want = 16;
	v = realloc(l->v, want * sizeof(*v));
	if (!v) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	l->v = v;
	l->alloc = want;
out:
	return rc;
}

struct target *target_list_add(struct target_list *l)
{
	struct target *t = NULL;

	if (inv_list_reserve(l, 1) < 0)
		goto out;
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
out:
	return t;
}

const char *target_list_intern_source(struct target_list *l, const char *name)
{
	char **v = NULL, *copy = NULL;
	const char *res = NULL;
	size_t i;

	for (i = 0; i < l->nsources; i++) {
		if (!strcmp(l->sources[i], name)) {
			res = l->sources[i];
			goto out;
		}
	}
	copy = strdup(name);
	if (!copy)
		goto out;
	v = realloc(l->sources, (l->nsources + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		goto out;
	}
	l->sources = v;
	l->sources[l->nsources++] = copy;
	res = copy;
out:
	return res;
}

int target_addr_parse(struct target_addr *out, const char *text)
{
	struct target_addr a;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(text);
	int rc = EXPO_EINVAL;

	memset(&a, 0, sizeof(a));
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		if (n - 2 >= sizeof(buf))
			goto out;
		memcpy(buf, text + 1, n - 2);
		buf[n - 2] = 0;
		if (inet_pton(AF_INET6, buf, &a.u.sin6.sin6_addr) != 1)
			goto out;
		a.u.sin6.sin6_family = AF_INET6;
		a.salen = sizeof(a.u.sin6);
	} else if (inet_pton(AF_INET, text, &a.u.sin.sin_addr) == 1) {
		a.u.sin.sin_family = AF_INET;
		a.salen = sizeof(a.u.sin);
	} else if (inet_pton(AF_INET6, text, &a.u.sin6.sin6_addr) == 1) {
		a.u.sin6.sin6_family = AF_INET6;
		a.salen = sizeof(a.u.sin6);
	} else {
		goto out;
	}
	a.is_public = addr_is_public(&a.u.sa);
	*out = a;
	rc = 0;
out:
	return rc;
}

const char *target_addr_text(const struct target_addr *a, char *buf)
{
	const void *src = a->u.sa.sa_family == AF_INET6
				  ? (const void *)&a->u.sin6.sin6_addr
				  : (const void *)&a->u.sin.sin_addr;

	if (!inet_ntop(a->u.sa.sa_family, src, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

static bool v4_is_public(uint32_t a)
{
	static const struct {
		uint32_t net, mask;
	} priv[] = {
		{ 0x00000000, 0xff000000 }, /* 0.0.0.0/8 */
		{ 0x0a000000, 0xff000000 }, /* 10/8 */
		{ 0x64400000, 0xffc00000 }, /* 100.64/10 CGNAT */
		{ 0x7f000000, 0xff000000 }, /* 127/8 */
		{ 0xa9fe0000, 0xffff0000 }, /* 169.254/16 */
		{ 0xac100000, 0xfff00000 }, /* 172.16/12 */
		{ 0xc0a80000, 0xffff0000 }, /* 192.168/16 */
		{ 0xe0000000, 0xf0000000 }, /* 224/4 multicast */
		{ 0xf0000000, 0xf0000000 }, /* 240/4 reserved, broadcast */
	};
	bool pub = true;
	size_t i;

	/* RFC 5737 documentation ranges stay public on purpose: test
	 * fixtures use them to stand for internet addresses */
	for (i = 0; i < ARRAY_SIZE(priv); i++)
		if ((a & priv[i].mask) == priv[i].net)
			pub = false;
	return pub;
}

bool addr_is_public(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const uint8_t *b;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	bool pub = false;

	if (sa->sa_family == AF_INET) {
		pub = v4_is_public(ntohl(sin->sin_addr.s_addr));
		goto out;
	}
	if (sa->sa_family != AF_INET6)
		goto out;
	b = sin6->sin6_addr.s6_addr;
	/* IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible
	 * ::a.b.c.d (which holds :: and ::1) are their IPv4 address */
	if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12)) {
		pub = v4_is_public((uint32_t)b[12] << 24 |
				   (uint32_t)b[13] << 16 |
				   (uint32_t)b[14] << 8 | b[15]);
		goto out;
	}
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		goto out; /* fe80::/10 link-local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		goto out; /* fec0::/10 old site-local */
	if ((b[0] & 0xfe) == 0xfc)
		goto out; /* fc00::/7 ULA */
	if (b[0] == 0xff)
		goto out; /* multicast */
	pub = true;
out:
	return pub;
}

static const char *v4_unusable(uint32_t a)
{
	const char *why = NULL;

	if ((a & 0xff000000) == 0)
		why = "unspecified";
	else if ((a & 0xf0000000) == 0xe0000000)
		why = "multicast";
	else if (a == 0xffffffff)
		why = "broadcast";
	return why;
}

const char *target_addr_unusable(const struct target_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	const uint8_t *b;
	const char *why = NULL;

	if (a->u.sa.sa_family == AF_INET) {
		why = v4_unusable(ntohl(a->u.sin.sin_addr.s_addr));
		goto out;
	}
	if (a->u.sa.sa_family != AF_INET6)
		goto out;
	b = a->u.sin6.sin6_addr.s6_addr;
	if (!memcmp(b, zero, 16))
		why = "unspecified";
	else if (b[0] == 0xff)
		why = "multicast";
	/* ::1 is loopback, a host; the rest of ::/96 embeds IPv4 */
	else if (!memcmp(b, mapped, 12) ||
		 (!memcmp(b, zero, 12) && memcmp(b + 12, "\0\0\0\1", 4)))
		why = v4_unusable((uint32_t)b[12] << 24 |
				  (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 |
				  b[15]);
out:
	return why;
}

const char *target_display_name(const struct target *t, char *buf)
{
	const char *s;

	if (t->name && *t->name)
		s = t->name;
	else if (t->naddrs)
		s = target_addr_text(&t->addrs[0], buf);
	else
		s = t->id ? t->id : "?";
	return s;
}

const char *proto_name(unsigned proto)
{
	return proto == PROTO_UDP ? "udp" : "tcp";
}

const struct world_rule *target_port_rule_proto(const struct target *t,
						uint16_t port, unsigned proto)
{
	const struct world_rule *r = NULL;
	size_t i;

	if (!t->meta || !t->meta->firewall_known)
		goto out;
	for (i = 0; i < t->meta->nworld_rules; i++) {
		const struct world_rule *w = &t->meta->world_rules[i];
		/* 0: a rule from before protocols were told apart, TCP */
		unsigned protos = w->protos ? w->protos : PROTO_BIT(PROTO_TCP);

		if ((protos & PROTO_BIT(proto)) && port >= w->port_from &&
		    port <= w->port_to) {
			r = w;
			break;
		}
	}
out:
	return r;
}

const struct world_rule *target_port_rule(const struct target *t, uint16_t port)
{
	return target_port_rule_proto(t, port, PROTO_TCP);
}

enum exposure target_port_exposure_proto(const struct target *t, uint16_t port,
					 unsigned proto)
{
	enum exposure e = EXPOSURE_UNKNOWN;

	if (t->meta && t->meta->firewall_known)
		e = target_port_rule_proto(t, port, proto)
			    ? EXPOSURE_WORLD
			    : EXPOSURE_RESTRICTED;
	return e;
}

enum exposure target_port_exposure(const struct target *t, uint16_t port)
{
	return target_port_exposure_proto(t, port, PROTO_TCP);
}

/* ---- helpers for the loaders ---- */

static bool addr_equal(const struct target_addr *a, const struct target_addr *b)
{
	bool eq = false;

	if (a->u.sa.sa_family != b->u.sa.sa_family)
		eq = false;
	else if (a->u.sa.sa_family == AF_INET)
		eq = a->u.sin.sin_addr.s_addr == b->u.sin.sin_addr.s_addr;
	else
		eq = !memcmp(&a->u.sin6.sin6_addr, &b->u.sin6.sin6_addr, 16);
	return eq;
}

int inv_addr_add(struct target *t, const struct target_addr *a)
{
	struct target_addr *v = NULL;
	uint32_t i;
	int rc = 0;

	for (i = 0; i < t->naddrs; i++) {
		if (addr_equal(&t->addrs[i], a)) {
			t->addrs[i].is_public |= a->is_public;
			goto out;
		}
	}
	v = realloc(t->addrs, (t->naddrs + 1) * sizeof(*v));
	if (!v) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	t->addrs = v;
	t->addrs[t->naddrs++] = *a;
out:
	return rc;
}

int inv_addr_add_text(struct target *t, const char *text, int pub)
{
	struct target_addr a;
	int rc;

	rc = target_addr_parse(&a, text);
	if (rc == 0 && target_addr_unusable(&a))
		rc = EXPO_EINVAL;
	if (rc < 0)
		goto out;
	if (pub >= 0)
		a.is_public = pub;
	rc = inv_addr_add(t, &a);
out:
	return rc;
}

int inv_port_add(struct target *t, const char *check, uint16_t port)
{
	return inv_port_add_svc(t, check, NULL, port);
}

int inv_port_add_svc(struct target *t, const char *check, const char *service,
		     uint16_t port)
{
	return inv_port_add_proto(t, check, service, port, PROTO_TCP);
}

int inv_port_add_proto(struct target *t, const char *check, const char *service,
		       uint16_t port, unsigned proto)
{
	struct port_override *v = NULL;
	uint32_t i;
	int rc = 0;

	if (!check)
		check = "";
	if (!service)
		service = "";
	if (strlen(check) >= sizeof(v->check)) {
		rc = EXPO_EINVAL;
		goto out;
	}
	for (i = 0; i < t->nports; i++)
		if (t->ports[i].port == port && t->ports[i].proto == proto &&
		    !strcmp(t->ports[i].check, check) &&
		    !strcmp(t->ports[i].service, service))
			goto out;
	v = realloc(t->ports, (t->nports + 1) * sizeof(*v));
	if (!v) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	t->ports = v;
	memset(&v[t->nports], 0, sizeof(*v));
	snprintf(v[t->nports].check, sizeof(v->check), "%s", check);
	/* a longer service name is no name a check lists: cut is harmless */
	snprintf(v[t->nports].service, sizeof(v->service), "%s", service);
	v[t->nports].port = port;
	v[t->nports].proto = (uint8_t)proto;
	t->nports++;
out:
	return rc;
}

/* a private copy of a shared meta's labels (the only thing a shared
 * meta holds), so that t can be changed alone */
static struct target_meta *meta_unshare(struct target *t)
{
	struct target_meta *m = calloc(1, sizeof(*m));

	if (!m)
		goto out;
	if (t->meta->tags && !(m->tags = cJSON_Duplicate(t->meta->tags, 1))) {
		free(m);
		m = NULL;
		goto out;
	}
	t->meta = m;
	t->meta_shared = false;
out:
	return m;
}

struct target_meta *inv_meta(struct target *t)
{
	if (t->meta && t->meta_shared)
		return meta_unshare(t);
	if (!t->meta)
		t->meta = calloc(1, sizeof(*t->meta));
	return t->meta;
}

int inv_label_set(struct target *t, const char *key, const char *value)
{
	struct target_meta *m = inv_meta(t);
	cJSON *v = NULL;
	int rc = EXPO_ENOMEM;

	if (!m)
		goto out;
	if (!m->tags && !(m->tags = cJSON_CreateObject()))
		goto out;
	v = cJSON_CreateString(value ? value : "");
	if (!v)
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(m->tags, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(m->tags, key, v))
			goto out;
	} else if (!cJSON_AddItemToObject(m->tags, key, v)) {
		goto out;
	}
	v = NULL;
	rc = 0;
out:
	cJSON_Delete(v);
	return rc;
}

int inv_labels_obj(struct jctx *j, struct target *t, const cJSON *obj,
		   const char *key)
{
	const cJSON *o = NULL, *e;
	size_t m;
	int rc;

	rc = jget_obj(j, obj, key, false, &o);
	if (rc < 0 || !o)
		goto out;
	m = jpath_key(j, key);
	cJSON_ArrayForEach(e, o)
	{
		if (!cJSON_IsString(e)) {
			rc = jerr_key(j, e->string, "expected a string");
			break;
		}
		rc = inv_label_set(t, e->string, e->valuestring);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m);
out:
	return rc;
}

int inv_skip(struct target *t, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;

	if (t->skip_reason)
		goto out;
	va_start(ap, fmt);
	if (vasprintf(&t->skip_reason, fmt, ap) < 0) {
		t->skip_reason = NULL;
		rc = EXPO_ENOMEM;
	}
	va_end(ap);
out:
	return rc;
}

static int world_rule_add(struct target *t, unsigned protos, unsigned lo,
			  unsigned hi, const char *fmt, va_list ap)
{
	struct target_meta *m = inv_meta(t);
	struct world_rule *v = NULL;
	char *ref = NULL;
	int rc = EXPO_ENOMEM, n;

	if (!m)
		goto out;
	n = vasprintf(&ref, fmt, ap);
	if (n < 0) {
		ref = NULL;
		goto out;
	}
	v = realloc(m->world_rules, (m->nworld_rules + 1) * sizeof(*v));
	if (!v)
		goto out;
	m->world_rules = v;
	v[m->nworld_rules].port_from = (uint16_t)lo;
	v[m->nworld_rules].port_to = (uint16_t)hi;
	v[m->nworld_rules].ref = ref;
	v[m->nworld_rules].protos = (uint8_t)protos;
	m->nworld_rules++;
	ref = NULL;
	rc = 0;
out:
	free(ref);
	return rc;
}

int inv_world_rule_add(struct target *t, unsigned lo, unsigned hi,
		       const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = world_rule_add(t, PROTO_BIT(PROTO_TCP), lo, hi, fmt, ap);
	va_end(ap);
	return rc;
}

int inv_world_rule_add_proto(struct target *t, unsigned protos, unsigned lo,
			     unsigned hi, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = world_rule_add(t, protos, lo, hi, fmt, ap);
	va_end(ap);
	return rc;
}

int inv_set_str(char **dst, const char *s)
{
	char *c = NULL;
	int rc = 0;

	if (s) {
		c = strdup(s);
		if (!c) {
			rc = EXPO_ENOMEM;
			goto out;
		}
	}
	free(*dst);
	*dst = c;
out:
	return rc;
}

struct target *inv_target_new(struct target_list *l, const char *provider,
			      const char *source, const char *prefix,
			      const char *rest)
{
	struct target *t = NULL;
	size_t a = strlen(prefix), b = strlen(rest);
	char *id = malloc(a + b + 2);

	if (!id)
		goto out;
	memcpy(id, prefix, a);
	id[a] = ':';
	memcpy(id + a + 1, rest, b + 1);
	t = target_list_add(l);
	if (!t) {
		free(id);
		goto out;
	}
	t->id = id;
	t->provider = provider;
	t->source = source;
out:
	return t;
}

int inv_region_from_zone(const char *zone, char **out)
{
	size_t n = strlen(zone);
	int rc = 0;

	/* "us-east-1a" -> "us-east-1": drop the trailing zone letter(s);
	 * a name without them is kept whole */
	while (n > 0 && zone[n - 1] >= 'a' && zone[n - 1] <= 'z')
		n--;
	if (n == 0)
		n = strlen(zone);
	*out = strndup(zone, n);
	if (!*out)
		rc = EXPO_ENOMEM;
	return rc;
}
