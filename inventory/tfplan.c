/*
 * tfplan.c - `terraform show -json PLANFILE`: what will be, for the
 * pre-release gate. Each instance, database and firewall resource that the
 * plan creates, updates or keeps becomes config facts (include/posture.h)
 * that the config stage judges before anything exists.
 *
 * How a plan is read (PROBES-2.md B.2, and where peers went wrong):
 * - values come from resource_changes[].change.after, unknowns from
 *   after_unknown, references from configuration (module_calls
 *   included); planned_values drops unknowns, so it is not read;
 * - a resource being deleted (actions ["delete"]) is not judged; no-op
 *   ones are judged as they stand;
 * - an unknown is not a default: where the default is the risk (no
 *   metadata_options block: IMDSv1 stays allowed) the fact says so and
 *   the finding names the assumption; where the risk depends on the
 *   unknown (a source CIDR or a service account computed in this plan)
 *   nothing is reported;
 * - instances join their security groups, NSGs and firewall rules by
 *   reference, id, name, network tag or service account, as each
 *   provider does: references are followed through module outputs and
 *   variables (with the module's instance key), AWS groups through
 *   network interfaces, and a GCP rule reaches its own network only;
 * - format_version 0.1 to 1.x read alike; what after_sensitive marks is
 *   never printed (tags become labels).
 * The plan holds secrets in clear: nothing of it is printed but
 * addresses, names and the attributes judged.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

struct pres {
	char *address; /* "module.app.aws_instance.web[0]" */
	char *caddr;   /* configuration address: indexes removed */
	char *module;  /* "module.app." or "": prefix of its references */
	char *amodule; /* the same with instance keys: "module.app[\"x\"]." */
	const char *type;
	const cJSON *after, *unknown;
	const cJSON *sensitive; /* after_sensitive: values not to print */
	const cJSON *expr;	/* configuration expressions, or NULL */
	size_t *rules; /* security group: its separate rule resources */
	size_t nrules, arules;
	bool has_eip; /* instance: an aws_eip names it */
};

struct cres {
	char *caddr;
	const cJSON *expr;
};

/* a module call of the configuration: how references cross into it
 * (module.NAME.OUTPUT) and out of it (var.NAME) */
struct cmod {
	char *prefix; /* "module.a.module.b." */
	char *parent; /* "module.a." */
	const cJSON *call;
};

struct az_pair {
	size_t named, namer;
};

struct plan {
	struct inv_load *L;
	const struct inv_file *f;
	/* where targets go: the load's list, or for a state a scratch list
	 * whose config facts move onto the state loader's targets */
	struct target_list *out;
	struct jctx j;
	struct pres *v;
	size_t n, alloc;
	struct cres *c;
	size_t nc, allocc;
	struct cmod *m;
	size_t nm, allocm;
	const cJSON *project_meta; /* project-wide GCP metadata, if planned */
	/* indexes into v sorted by address, configuration address and id:
	 * a plan of 10,000 instances must not compare each with every
	 * resource */
	size_t *by_addr, *by_caddr, *by_id;
	size_t nid;
	/* network interfaces and their attachments: few, looked at per
	 * instance */
	size_t *eni, neni;
	/* Azure resources that name another from their own side (an NSG
	 * rule its group, an association its NIC or subnet), as (named,
	 * namer) pairs sorted by named: found per VM without a scan */
	struct az_pair *az_back;
	size_t naz_back, aaz_back;
};

/* ---- small readers of after / after_unknown / expressions ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k)
				 : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(get(o, k));
}

/* the first element of a nested block list (Terraform's "block" shape) */
static const cJSON *block(const cJSON *o, const char *k)
{
	const cJSON *b = get(o, k);

	if (cJSON_IsArray(b))
		return b->child;
	return cJSON_IsObject(b) ? b : NULL;
}

/* true when after_unknown marks o.k (or all of o) as known after apply */
static bool unknown(const cJSON *unk, const char *k)
{
	const cJSON *u;

	if (cJSON_IsTrue(unk))
		return true;
	u = get(unk, k);
	if (cJSON_IsTrue(u))
		return true;
	/* a list block whose elements are all unknown */
	return cJSON_IsArray(u) && u->child != NULL && cJSON_IsTrue(u->child) &&
	       u->child->next == NULL;
}

/* "true"/"TRUE"/"1" as GCP metadata writes booleans; -1 when absent */
static int meta_bool(const cJSON *meta, const char *k)
{
	const char *s = str(meta, k);

	if (s == NULL)
		return -1;
	return strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

/* the end of an index "[...]" that starts at a ('['): past its ']', with
 * quoted keys read as Terraform writes them (\" and \\ escaped), so a
 * for_each key may hold dots, brackets and quotes */
static const char *index_end(const char *a)
{
	bool quoted = false;

	for (a++; *a; a++) {
		if (quoted && *a == '\\' && a[1] != '\0')
			a++;
		else if (*a == '"')
			quoted = !quoted;
		else if (!quoted && *a == ']')
			return a + 1;
	}
	return a;
}

/* "module.a[\"x\"].aws_instance.web[0]" -> "module.a.aws_instance.web" */
static char *strip_indexes(const char *a)
{
	char *out = malloc(strlen(a) + 1), *o = out;

	if (out == NULL)
		return NULL;
	while (*a) {
		if (*a == '[')
			a = index_end(a);
		else
			*o++ = *a++;
	}
	*o = '\0';
	return out;
}

/* the module path of an address, with its instance keys:
 * "module.a[\"x\"].module.b.aws_instance.web" -> "module.a[\"x\"].module.b." */
static char *module_of(const char *addr)
{
	const char *a = addr;

	while (strncmp(a, "module.", 7) == 0) {
		const char *e = a + 7;

		while (*e && *e != '.' && *e != '[')
			e++;
		if (*e == '[')
			e = index_end(e);
		if (*e != '.')
			break;
		a = e + 1;
	}
	return strndup(addr, (size_t)(a - addr));
}

/* ---- the resources of the plan ---- */

static int cres_add(struct plan *p, const char *prefix, const cJSON *res)
{
	const char *addr = str(res, "address");
	struct cres *v;
	char *full;

	if (addr == NULL)
		return 0;
	if (p->nc == p->allocc) {
		size_t n = p->allocc ? p->allocc * 2 : 64;

		if ((v = realloc(p->c, n * sizeof(*v))) == NULL)
			return EXPO_ENOMEM;
		p->c = v;
		p->allocc = n;
	}
	if (asprintf(&full, "%s%s", prefix, addr) < 0)
		return EXPO_ENOMEM;
	p->c[p->nc].caddr = full;
	p->c[p->nc].expr = get(res, "expressions");
	p->nc++;
	return 0;
}

/* takes prefix */
static int cmod_add(struct plan *p, char *prefix, const char *parent,
		    const cJSON *call)
{
	struct cmod *v;

	if (p->nm == p->allocm) {
		size_t n = p->allocm ? p->allocm * 2 : 8;

		if ((v = realloc(p->m, n * sizeof(*v))) == NULL)
			return EXPO_ENOMEM;
		p->m = v;
		p->allocm = n;
	}
	if ((p->m[p->nm].parent = strdup(parent)) == NULL)
		return EXPO_ENOMEM;
	p->m[p->nm].prefix = prefix;
	p->m[p->nm].call = call;
	p->nm++;
	return 0;
}

/* the module call whose configuration prefix is that of mod ("module.a["x"]."
 * is module.a.) */
static const struct cmod *cmod_find(const struct plan *p, const char *mod)
{
	char *c = strip_indexes(mod);
	const struct cmod *hit = NULL;
	size_t i;

	for (i = 0; c != NULL && hit == NULL && i < p->nm; i++)
		if (strcmp(p->m[i].prefix, c) == 0)
			hit = &p->m[i];
	free(c);
	return hit;
}

/* configuration.root_module and its module_calls, recursively; depth is
 * bounded (a hand-made plan could nest for ever) */
static int config_walk(struct plan *p, const cJSON *mod, const char *prefix,
		       int depth)
{
	const cJSON *e, *calls;
	int rc = 0;

	if (depth > 32 || !cJSON_IsObject(mod))
		return 0;
	cJSON_ArrayForEach(e, get(mod, "resources"))
	{
		if (rc == 0 && cJSON_IsObject(e) &&
		    (str(e, "mode") == NULL ||
		     strcmp(str(e, "mode"), "managed") == 0))
			rc = cres_add(p, prefix, e);
	}
	calls = get(mod, "module_calls");
	cJSON_ArrayForEach(e, calls)
	{
		char *sub;

		if (rc != 0 || e->string == NULL)
			continue;
		if (asprintf(&sub, "%smodule.%s.", prefix, e->string) < 0)
			return EXPO_ENOMEM;
		rc = cmod_add(p, sub, prefix, e);
		if (rc == 0)
			rc = config_walk(p, get(e, "module"), sub, depth + 1);
		else
			free(sub);
	}
	return rc;
}

static int cres_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cres *)a)->caddr,
		      ((const struct cres *)b)->caddr);
}

/* p->c is sorted once all of the configuration is read */
static const cJSON *config_expr(const struct plan *p, const char *caddr)
{
	struct cres key = { .caddr = (char *)caddr };
	const struct cres *hit;

	if (p->nc == 0)
		return NULL;
	hit = bsearch(&key, p->c, p->nc, sizeof(*p->c), cres_cmp);
	return hit != NULL ? hit->expr : NULL;
}

static bool deleted_only(const cJSON *actions)
{
	return cJSON_GetArraySize(actions) == 1 &&
	       cJSON_GetStringValue(actions->child) != NULL &&
	       strcmp(actions->child->valuestring, "delete") == 0;
}

/* one resource as it will be (a plan's after) or is (a state's values) */
static int pres_put(struct plan *p, const char *addr, const char *type,
		    const cJSON *after, const cJSON *unknown,
		    const cJSON *sensitive)
{
	struct pres *v, *r;

	if (p->n == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 64;

		if ((v = realloc(p->v, n * sizeof(*v))) == NULL)
			return EXPO_ENOMEM;
		p->v = v;
		p->alloc = n;
	}
	r = &p->v[p->n];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->after = after;
	r->unknown = unknown;
	r->sensitive = sensitive;
	if ((r->address = strdup(addr)) == NULL ||
	    (r->caddr = strip_indexes(addr)) == NULL ||
	    (r->amodule = module_of(addr)) == NULL ||
	    (r->module = strip_indexes(r->amodule)) == NULL) {
		free(r->address);
		free(r->caddr);
		free(r->amodule);
		return EXPO_ENOMEM;
	}
	r->expr = config_expr(p, r->caddr);
	p->n++;
	return 0;
}

static int pres_add(struct plan *p, const cJSON *rc)
{
	const cJSON *ch = get(rc, "change");
	const char *addr = str(rc, "address"), *type = str(rc, "type");
	const char *mode = str(rc, "mode");

	if (addr == NULL || type == NULL || !cJSON_IsObject(ch) ||
	    (mode != NULL && strcmp(mode, "managed") != 0) ||
	    deleted_only(get(ch, "actions")) ||
	    !cJSON_IsObject(get(ch, "after")))
		return 0;
	return pres_put(p, addr, type, get(ch, "after"),
			get(ch, "after_unknown"), get(ch, "after_sensitive"));
}

/* Does expression key of r refer to resource x (by configuration address,
 * relative to r's module)? "aws_security_group.web.id" refers to
 * aws_security_group.web. */
static bool refers_to(const struct pres *r, const char *key,
		      const struct pres *x)
{
	const cJSON *e = get(r->expr, key), *ref;
	size_t mlen = strlen(r->module);

	if (cJSON_IsArray(e)) /* a block: look inside its first element */
		e = e->child;
	/* nested block attribute "a.b": expressions.a[0].b */
	cJSON_ArrayForEach(ref, get(e, "references"))
	{
		const char *s = cJSON_GetStringValue(ref);
		size_t tl;

		if (s == NULL || strncmp(x->caddr, r->module, mlen) != 0)
			continue;
		tl = strlen(x->caddr + mlen);
		if (strncmp(s, x->caddr + mlen, tl) == 0 &&
		    (s[tl] == '\0' || s[tl] == '.' || s[tl] == '['))
			return true;
	}
	return false;
}

/* the same inside a nested block: expressions.blk[0].key */
static bool refers_in_block(const struct pres *r, const char *blk,
			    const char *key, const struct pres *x)
{
	struct pres sub = *r;
	const cJSON *b = get(r->expr, blk);

	sub.expr = cJSON_IsArray(b) ? b->child : b;
	return sub.expr != NULL && refers_to(&sub, key, x);
}

static bool is_world(const char *cidr)
{
	return cidr != NULL &&
	       (strcmp(cidr, "0.0.0.0/0") == 0 || strcmp(cidr, "::/0") == 0 ||
		strcmp(cidr, "*") == 0 || strcasecmp(cidr, "Internet") == 0 ||
		strcasecmp(cidr, "Any") == 0);
}

/* ---- lookups by address, configuration address and id ---- */

static int cmp_addr(const void *a, const void *b, void *ctx)
{
	const struct plan *p = ctx;

	return strcmp(p->v[*(const size_t *)a].address,
		      p->v[*(const size_t *)b].address);
}

static int cmp_caddr(const void *a, const void *b, void *ctx)
{
	const struct plan *p = ctx;

	return strcmp(p->v[*(const size_t *)a].caddr,
		      p->v[*(const size_t *)b].caddr);
}

static int cmp_id(const void *a, const void *b, void *ctx)
{
	const struct plan *p = ctx;

	return strcmp(str(p->v[*(const size_t *)a].after, "id"),
		      str(p->v[*(const size_t *)b].after, "id"));
}

static int index_build(struct plan *p)
{
	size_t i;

	p->by_addr = malloc((p->n + 1) * sizeof(size_t));
	p->by_caddr = malloc((p->n + 1) * sizeof(size_t));
	p->by_id = malloc((p->n + 1) * sizeof(size_t));
	if (p->by_addr == NULL || p->by_caddr == NULL || p->by_id == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < p->n; i++) {
		p->by_addr[i] = p->by_caddr[i] = i;
		if (str(p->v[i].after, "id") != NULL)
			p->by_id[p->nid++] = i;
	}
	qsort_r(p->by_addr, p->n, sizeof(size_t), cmp_addr, p);
	qsort_r(p->by_caddr, p->n, sizeof(size_t), cmp_caddr, p);
	qsort_r(p->by_id, p->nid, sizeof(size_t), cmp_id, p);
	return 0;
}

/* the first position in idx (n entries, sorted by key_of) whose key is
 * >= key */
static size_t lower(const struct plan *p, const size_t *idx, size_t n,
		    const char *key,
		    const char *(*key_of)(const struct pres *r))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(key_of(&p->v[idx[mid]]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *key_addr(const struct pres *r)
{
	return r->address;
}

static const char *key_caddr(const struct pres *r)
{
	return r->caddr;
}

static const char *key_id(const struct pres *r)
{
	return str(r->after, "id");
}

typedef void (*found_fn)(void *ud, size_t idx);

/* resources of type whose known id is id */
static void find_id(const struct plan *p, const char *id, const char *type,
		    found_fn fn, void *ud)
{
	size_t k;

	if (id == NULL)
		return;
	for (k = lower(p, p->by_id, p->nid, id, key_id);
	     k < p->nid && strcmp(key_id(&p->v[p->by_id[k]]), id) == 0; k++)
		if (strcmp(p->v[p->by_id[k]].type, type) == 0)
			fn(ud, p->by_id[k]);
}

/* the end of a name in a reference: "sg" of "sg.id", "sg[0]", "sg" */
static size_t name_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '.' && s[n] != '[')
		n++;
	return n;
}

static void resolve_in(const struct plan *p, const char *mod, const char *ref,
		       const char *type, found_fn fn, void *ud, int *steps);

/* each reference of expression e, resolved in module mod */
static void resolve_refs(const struct plan *p, const char *mod, const cJSON *e,
			 const char *type, found_fn fn, void *ud, int *steps)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, get(e, "references"))
	{
		if (cJSON_GetStringValue(ref) != NULL)
			resolve_in(p, mod, ref->valuestring, type, fn, ud,
				   steps);
	}
}

/* var.NAME inside module mod: what its module call passes, resolved in
 * the calling module; module.NAME.OUTPUT: what that output of the called
 * module refers to, resolved inside it (its instance key kept). How a
 * group made by a module (terraform-aws-modules/security-group) reaches
 * an instance in the root, and the reverse. */
static void resolve_module(const struct plan *p, const char *mod,
			   const char *ref, const char *type, found_fn fn,
			   void *ud, int *steps)
{
	const struct cmod *m;
	char name[256], child[1024];
	const char *e;
	size_t n;

	if (strncmp(ref, "var.", 4) == 0) {
		n = name_len(ref + 4);
		if (n == 0 || n >= sizeof(name) ||
		    (m = cmod_find(p, mod)) == NULL)
			return;
		memcpy(name, ref + 4, n);
		name[n] = '\0';
		resolve_refs(p, m->parent,
			     get(get(m->call, "expressions"), name), type, fn,
			     ud, steps);
		return;
	}
	/* module.NAME[KEY].OUTPUT */
	e = ref + 7 + name_len(ref + 7);
	if (*e == '[')
		e = index_end(e);
	if (*e != '.' || (n = name_len(e + 1)) == 0 || n >= sizeof(name) ||
	    (size_t)snprintf(child, sizeof(child), "%s%.*s.", mod,
			     (int)(e - ref), ref) >= sizeof(child) ||
	    (m = cmod_find(p, child)) == NULL)
		return;
	memcpy(name, e + 1, n);
	name[n] = '\0';
	resolve_refs(p, child,
		     get(get(get(get(m->call, "module"), "outputs"), name),
			 "expression"),
		     type, fn, ud, steps);
}

/* the resources of type a reference in module mod names:
 * "aws_security_group.web.id" in mod is mod's aws_security_group.web (every
 * instance of it, unless the reference names one: "...web[2].id") */
static void resolve_in(const struct plan *p, const char *mod, const char *ref,
		       const char *type, found_fn fn, void *ud, int *steps)
{
	static const char *const skip[] = { "local.", "data.", "each.",
					    "count.", "path.", "self." };
	char full[1024], *dot, *c;
	size_t i, k;
	int trims;

	/* a chain of modules is bounded: a hand-made plan may loop, or
	 * fan out at each step */
	if (++*steps > 256)
		return;
	if (strncmp(ref, "var.", 4) == 0 || strncmp(ref, "module.", 7) == 0) {
		resolve_module(p, mod, ref, type, fn, ud, steps);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(skip); i++)
		if (strncmp(ref, skip[i], strlen(skip[i])) == 0)
			return;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", mod, ref) >=
	    sizeof(full))
		return;
	for (trims = 0; trims < 4; trims++) {
		k = lower(p, p->by_addr, p->n, full, key_addr);
		if (k < p->n &&
		    strcmp(p->v[p->by_addr[k]].address, full) == 0) {
			if (strcmp(p->v[p->by_addr[k]].type, type) == 0)
				fn(ud, p->by_addr[k]);
			return;
		}
		if ((c = strip_indexes(full)) == NULL)
			return;
		k = lower(p, p->by_caddr, p->n, c, key_caddr);
		if (k < p->n && strcmp(p->v[p->by_caddr[k]].caddr, c) == 0) {
			for (; k < p->n &&
			       strcmp(p->v[p->by_caddr[k]].caddr, c) == 0;
			     k++)
				if (strcmp(p->v[p->by_caddr[k]].type, type) ==
				    0)
					fn(ud, p->by_caddr[k]);
			free(c);
			return;
		}
		free(c);
		if ((dot = strrchr(full, '.')) == NULL)
			return;
		*dot = '\0';
	}
}

/* a reference of r, in r's module (with r's module instance keys, so
 * module.sg["a"] joins its own group, not module.sg["b"]'s) */
static void resolve_ref(const struct plan *p, const struct pres *r,
			const char *ref, const char *type, found_fn fn,
			void *ud)
{
	int steps = 0;

	resolve_in(p, r->amodule, ref, type, fn, ud, &steps);
}

/* every resource of type that r's expression key names, by reference or
 * by a known id (a string or a list of them) in after */
static void each_named(const struct plan *p, const struct pres *r,
		       const char *key, const char *type, found_fn fn, void *ud)
{
	const cJSON *e = get(r->expr, key), *ref, *v;

	if (cJSON_IsArray(e))
		e = e->child;
	cJSON_ArrayForEach(ref, get(e, "references"))
	{
		if (cJSON_GetStringValue(ref) != NULL)
			resolve_ref(p, r, ref->valuestring, type, fn, ud);
	}
	v = get(r->after, key);
	if (cJSON_IsString(v))
		find_id(p, v->valuestring, type, fn, ud);
	if (!cJSON_IsArray(v))
		v = NULL;
	cJSON_ArrayForEach(ref, v)
	{
		find_id(p, cJSON_GetStringValue(ref), type, fn, ud);
	}
}

struct link {
	struct plan *p;
	size_t from;
	int err;
};

static void add_rule(void *ud, size_t sg)
{
	struct link *l = ud;
	struct pres *g = &l->p->v[sg];
	size_t *v;

	if (l->err != 0)
		return;
	if (g->nrules == g->arules) {
		size_t n = g->arules ? g->arules * 2 : 4;

		if ((v = realloc(g->rules, n * sizeof(*v))) == NULL) {
			l->err = EXPO_ENOMEM;
			return;
		}
		g->rules = v;
		g->arules = n;
	}
	g->rules[g->nrules++] = l->from;
}

static void mark_eip(void *ud, size_t inst)
{
	struct link *l = ud;

	l->p->v[inst].has_eip = true;
}

/* once: each separate rule to its group, each EIP to its instance */
static int links_build(struct plan *p)
{
	struct link l = { .p = p };
	size_t i;

	if ((p->eni = malloc((p->n + 1) * sizeof(size_t))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < p->n && l.err == 0; i++) {
		const struct pres *r = &p->v[i];

		l.from = i;
		if (strncmp(r->type, "aws_network_interface", 21) == 0)
			p->eni[p->neni++] = i;
		if ((strcmp(r->type, "aws_security_group_rule") == 0 &&
		     str(r->after, "type") != NULL &&
		     strcmp(str(r->after, "type"), "ingress") == 0) ||
		    strcmp(r->type, "aws_vpc_security_group_ingress_rule") == 0)
			each_named(p, r, "security_group_id",
				   "aws_security_group", add_rule, &l);
		else if (strcmp(r->type, "aws_eip") == 0)
			each_named(p, r, "instance", "aws_instance", mark_eip,
				   &l);
	}
	return l.err;
}

/* ---- AWS ---- */

/* TCP, UDP (or all protocols) port range of an ingress entry and the
 * PROTO_BIT()s it opens; false for ICMP and what cannot be read */
static bool aws_port_range(const char *proto, const cJSON *from,
			   const cJSON *to, unsigned *lo, unsigned *hi,
			   unsigned *bits)
{
	if (proto == NULL || (*bits = inv_proto_bits(proto)) == 0)
		return false;
	if (strcmp(proto, "-1") == 0 || strcasecmp(proto, "all") == 0) {
		*lo = 0;
		*hi = 65535;
		return true;
	}
	if (*bits != PROTO_BIT(PROTO_TCP) && *bits != PROTO_BIT(PROTO_UDP))
		return false; /* "*", "any": not AWS's words */
	if (!cJSON_IsNumber(from) || !cJSON_IsNumber(to) ||
	    from->valuedouble < 0 || to->valuedouble > 65535 ||
	    from->valuedouble > to->valuedouble)
		return false;
	*lo = (unsigned)from->valuedouble;
	*hi = (unsigned)to->valuedouble;
	return true;
}

/* world-open CIDRs of one rule object: keys of CIDR lists, or single */
static int aws_rule_world(struct target *t, const struct pres *sg,
			  const cJSON *rule, const cJSON *unk,
			  const char *proto, const cJSON *from, const cJSON *to,
			  const char *what)
{
	static const char *const lists[] = { "cidr_blocks",
					     "ipv6_cidr_blocks" };
	static const char *const singles[] = { "cidr_ipv4", "cidr_ipv6" };
	unsigned lo, hi, bits;
	const char *pn;
	const cJSON *e;
	size_t k;
	int rc = 0;

	if (!aws_port_range(proto, from, to, &lo, &hi, &bits))
		return 0;
	pn = bits == PROTO_BIT(PROTO_UDP) ? "udp" : "tcp";
	for (k = 0; k < 2 && rc == 0; k++) {
		const char *one = str(rule, singles[k]);

		/* a CIDR computed in this plan: the risk depends on it */
		if (unknown(unk, lists[k]) || unknown(unk, singles[k]))
			continue;
		if (is_world(one))
			rc = inv_world_rule_add_proto(
				t, bits, lo, hi, "%s (%s %s %u-%u from %s)",
				sg->address, what, pn, lo, hi, one);
		cJSON_ArrayForEach(e, get(rule, lists[k]))
		{
			if (rc == 0 && is_world(cJSON_GetStringValue(e)))
				rc = inv_world_rule_add_proto(
					t, bits, lo, hi,
					"%s (%s %s %u-%u from %s)", sg->address,
					what, pn, lo, hi, e->valuestring);
		}
	}
	return rc;
}

/* every world-open ingress of security group sg onto t */
static int aws_sg_apply(struct plan *p, struct target *t, const struct pres *sg)
{
	const cJSON *e, *u = get(sg->unknown, "ingress");
	size_t i, k = 0;
	int rc = 0;

	cJSON_ArrayForEach(e, get(sg->after, "ingress"))
	{
		const cJSON *ue =
			cJSON_IsArray(u) ? cJSON_GetArrayItem(u, (int)k) : u;

		if (rc == 0)
			rc = aws_rule_world(t, sg, e, ue, str(e, "protocol"),
					    get(e, "from_port"),
					    get(e, "to_port"), "ingress");
		k++;
	}
	for (i = 0; i < sg->nrules && rc == 0; i++) {
		const struct pres *r = &p->v[sg->rules[i]];
		bool vpc = strcmp(r->type,
				  "aws_vpc_security_group_ingress_rule") == 0;

		rc = aws_rule_world(
			t, r, r->after, r->unknown,
			str(r->after, vpc ? "ip_protocol" : "protocol"),
			get(r->after, "from_port"), get(r->after, "to_port"),
			"rule");
	}
	return rc;
}

struct subnet_find {
	const struct plan *p;
	const struct pres *subnet;
};

static void subnet_found(void *ud, size_t idx)
{
	struct subnet_find *sf = ud;

	sf->subnet = &sf->p->v[idx];
}

static int aws_public(struct plan *p, const struct pres *r, cJSON *cfg)
{
	const cJSON *assoc = get(r->after, "associate_public_ip_address");
	const char *v = "unknown";

	if (str(r->after, "public_ip") != NULL &&
	    *str(r->after, "public_ip") != '\0')
		v = "known";
	else if (cJSON_IsTrue(assoc))
		v = "planned";
	else if (cJSON_IsFalse(assoc))
		v = "none";
	if (strcmp(v, "unknown") == 0 && r->has_eip)
		v = "planned";
	if (strcmp(v, "unknown") == 0) {
		struct subnet_find sf = { p, NULL };

		each_named(p, r, "subnet_id", "aws_subnet", subnet_found, &sf);
		if (sf.subnet != NULL)
			v = cJSON_IsTrue(get(sf.subnet->after,
					     "map_public_ip_on_launch"))
				    ? "planned"
				    : "none";
	}
	return cJSON_AddStringToObject(cfg, "public_address", v) ? 0
								 : EXPO_ENOMEM;
}

static int aws_imds(const struct pres *r, cJSON *cfg)
{
	const cJSON *mo = block(r->after, "metadata_options");
	const cJSON *emo = block(r->expr, "metadata_options");
	const char *tok = str(mo, "http_tokens"),
		   *ep = str(mo, "http_endpoint");
	const char *etok = str(get(emo, "http_tokens"), "constant_value");

	if (ep != NULL && !cJSON_AddStringToObject(cfg, "imds_endpoint", ep))
		return EXPO_ENOMEM;
	if (tok == NULL && etok != NULL)
		tok = etok;
	if (tok != NULL)
		return cJSON_AddStringToObject(cfg, "imds_tokens", tok)
			       ? 0
			       : EXPO_ENOMEM;
	/* a block the configuration sets from something unknown, or a
	 * planned block whose http_tokens is unknown: the risk depends on
	 * it; none at all: the default is the risk */
	if (emo != NULL ||
	    (mo != NULL &&
	     unknown(block(r->unknown, "metadata_options"), "http_tokens")) ||
	    (r->expr == NULL && unknown(r->unknown, "metadata_options")))
		return 0;
	return cJSON_AddStringToObject(cfg, "imds_tokens", "unknown-default")
		       ? 0
		       : EXPO_ENOMEM;
}

/* ---- GCP ---- */

static bool default_sa(const char *email)
{
	const char *at = email != NULL ? strchr(email, '@') : NULL;
	const char *p;

	/* the provider sends "default" for an empty email; the API takes
	 * it as the default account (Checkov's CKV_GCP_30 regex misses it) */
	if (email != NULL && strcmp(email, "default") == 0)
		return true;
	if (at == NULL || strcmp(at, "@developer.gserviceaccount.com") != 0 ||
	    at - email < 9 || strncmp(at - 8, "-compute", 8) != 0)
		return false;
	for (p = email; p < at - 8; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return p > email;
}

static int gcp_sa(const struct pres *r, cJSON *cfg)
{
	const cJSON *sa = block(r->after, "service_account"), *s;
	const cJSON *usa = block(r->unknown, "service_account");
	const char *email = str(sa, "email");
	const cJSON *ref;
	bool full = false, dflt = false;

	/* an email the data source of the default account gives, even when
	 * it is read only at apply */
	cJSON_ArrayForEach(ref,
			   get(get(block(r->expr, "service_account"), "email"),
			       "references"))
	{
		if (cJSON_GetStringValue(ref) != NULL &&
		    strncmp(ref->valuestring,
			    "data.google_compute_default_service_account.",
			    44) == 0)
			dflt = true;
	}
	/* otherwise an email computed in this plan is a service account the
	 * plan creates: not the default one (Checkov's false positive) */
	if (sa == NULL || (!dflt && (unknown(usa, "email") ||
				     unknown(r->unknown, "service_account"))))
		return 0;
	if (dflt && (email == NULL || unknown(usa, "email")))
		email = "";
	cJSON_ArrayForEach(s, get(sa, "scopes"))
	{
		const char *v = cJSON_GetStringValue(s);

		if (v != NULL &&
		    (strcmp(v, "cloud-platform") == 0 ||
		     strcmp(v,
			    "https://www.googleapis.com/auth/cloud-platform") ==
			     0))
			full = true;
	}
	if (!full || (email != NULL && *email != '\0' && !default_sa(email)))
		return 0;
	return cJSON_AddStringToObject(cfg, "default_sa_scope",
				       email && *email ? email
						       : "(the default)")
		       ? 0
		       : EXPO_ENOMEM;
}

/* instance metadata over project metadata; -1: neither says */
static int gcp_meta(const struct plan *p, const cJSON *meta, const char *k)
{
	int v = meta_bool(meta, k);

	return v >= 0 ? v : meta_bool(p->project_meta, k);
}

static int gcp_meta_facts(const struct plan *p, const struct pres *r,
			  cJSON *cfg)
{
	const cJSON *meta = get(r->after, "metadata");
	int serial = gcp_meta(p, meta, "serial-port-enable");
	int oslogin = gcp_meta(p, meta, "enable-oslogin");
	int block_keys = meta_bool(meta, "block-project-ssh-keys");

	if (unknown(r->unknown, "metadata"))
		return 0;
	/* OS Login is off unless metadata turns it on: known only when the
	 * project's metadata is in the plan too */
	if (oslogin < 0 && p->project_meta != NULL)
		oslogin = 0;
	if ((serial == 1 && !cJSON_AddTrueToObject(cfg, "serial_port")) ||
	    (oslogin >= 0 &&
	     !cJSON_AddBoolToObject(cfg, "oslogin", oslogin == 1)) ||
	    !cJSON_AddBoolToObject(cfg, "block_project_ssh_keys",
				   block_keys == 1))
		return EXPO_ENOMEM;
	return 0;
}

/* "22", "8000-9000" */
static bool gcp_port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a, b;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-')
		b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || a > b || b > 65535)
		return false;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return true;
}

/* the networks of a firewall rule or of an instance's interfaces, by
 * name ("default", ".../global/networks/vpc-a" -> "vpc-a"), or by the
 * address of a planned network whose name is not known yet */
struct nets {
	const struct plan *p;
	const char *v[16];
	bool by_addr[16];
	size_t n;
	bool unsure; /* an interface whose network cannot be told */
};

static void nets_add(struct nets *ns, const char *s, bool by_addr)
{
	const char *slash = strrchr(s, '/');

	if (!by_addr && slash != NULL)
		s = slash + 1;
	if (*s == '\0')
		return;
	if (ns->n < ARRAY_SIZE(ns->v)) {
		ns->by_addr[ns->n] = by_addr;
		ns->v[ns->n++] = s;
	} else
		ns->unsure = true;
}

static void net_found(void *ud, size_t idx)
{
	struct nets *ns = ud;
	const struct pres *x = &ns->p->v[idx];

	if (str(x->after, "name") != NULL)
		nets_add(ns, str(x->after, "name"), false);
	else
		nets_add(ns, x->address, true);
}

/* one network attribute: its planned value, else what it refers to */
static void nets_of(const struct plan *p, const struct pres *r,
		    const cJSON *after, const cJSON *expr, struct nets *ns)
{
	const char *s = str(after, "network");
	size_t n = ns->n;
	int steps = 0;

	if (s != NULL && *s != '\0') {
		nets_add(ns, s, false);
		return;
	}
	resolve_refs(p, r->amodule, get(expr, "network"),
		     "google_compute_network", net_found, ns, &steps);
	if (ns->n == n)
		ns->unsure = true;
}

/* A rule reaches only the instances of its own network. false only when
 * both sides are known and differ: what cannot be told is judged as
 * reached. */
static bool gcp_same_network(const struct plan *p, const struct pres *fw,
			     const struct pres *inst)
{
	struct nets a = { .p = p }, b = { .p = p };
	const cJSON *ni, *ne = get(inst->expr, "network_interface");
	size_t i, k = 0;
	bool mixed = false;

	nets_of(p, fw, fw->after, fw->expr, &a);
	cJSON_ArrayForEach(ni, get(inst->after, "network_interface"))
	{
		nets_of(p, inst, ni,
			cJSON_IsArray(ne) ? cJSON_GetArrayItem(ne, (int)k)
					  : NULL,
			&b);
		k++;
	}
	if (a.unsure || b.unsure || a.n == 0 || b.n == 0)
		return true;
	for (i = 0; i < a.n; i++)
		for (k = 0; k < b.n; k++) {
			if (strcmp(a.v[i], b.v[k]) == 0)
				return true;
			if (a.by_addr[i] != b.by_addr[k])
				mixed = true;
		}
	/* a name against a network not yet named: cannot be told */
	return mixed;
}

static bool gcp_fw_targets(const struct pres *fw, const struct pres *inst)
{
	const cJSON *tt = get(fw->after, "target_tags"), *e;
	const cJSON *tsa = get(fw->after, "target_service_accounts");
	const char *email = str(block(inst->after, "service_account"), "email");

	if (cJSON_GetArraySize(tt) == 0 && cJSON_GetArraySize(tsa) == 0)
		return true; /* every instance of the network */
	cJSON_ArrayForEach(e, tt)
	{
		if (cJSON_GetStringValue(e) != NULL &&
		    jarr_has_str(get(inst->after, "tags"), e->valuestring,
				 false))
			return true;
	}
	cJSON_ArrayForEach(e, tsa)
	{
		if (email != NULL && cJSON_GetStringValue(e) != NULL &&
		    strcmp(email, e->valuestring) == 0)
			return true;
	}
	return false;
}

static int gcp_fw_apply(struct plan *p, struct target *t,
			const struct pres *inst)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++) {
		const struct pres *fw = &p->v[i];
		const char *dir = str(fw->after, "direction");
		const cJSON *src, *al, *pt;
		const char *world = NULL;

		if (strcmp(fw->type, "google_compute_firewall") != 0 ||
		    (dir != NULL && strcmp(dir, "INGRESS") != 0) ||
		    cJSON_IsTrue(get(fw->after, "disabled")) ||
		    unknown(fw->unknown, "source_ranges") ||
		    !gcp_fw_targets(fw, inst) || !gcp_same_network(p, fw, inst))
			continue;
		cJSON_ArrayForEach(src, get(fw->after, "source_ranges"))
		{
			if (is_world(cJSON_GetStringValue(src)))
				world = src->valuestring;
		}
		if (world == NULL)
			continue;
		cJSON_ArrayForEach(al, get(fw->after, "allow"))
		{
			const char *proto = str(al, "protocol");
			unsigned lo = 0, hi = 65535, bits;

			/* the API takes protocol numbers too: 6 is TCP, 17
			 * UDP; "all" is every protocol */
			bits = inv_proto_bits(proto);
			if (bits == 0 || strcmp(proto, "-1") == 0 ||
			    strcmp(proto, "*") == 0 ||
			    strcasecmp(proto, "any") == 0)
				continue;
			if (cJSON_GetArraySize(get(al, "ports")) == 0 ||
			    strcasecmp(proto, "all") == 0) {
				if (rc == 0)
					rc = inv_world_rule_add_proto(
						t, bits, lo, hi,
						"%s (allow %s from %s)",
						fw->address, proto, world);
				continue;
			}
			cJSON_ArrayForEach(pt, get(al, "ports"))
			{
				if (rc == 0 &&
				    gcp_port_range(cJSON_GetStringValue(pt),
						   &lo, &hi))
					rc = inv_world_rule_add_proto(
						t, bits, lo, hi,
						"%s (allow %s:%s from %s)",
						fw->address,
						bits == PROTO_BIT(PROTO_UDP)
							? "udp"
							: "tcp",
						pt->valuestring, world);
			}
		}
	}
	return rc;
}

/* ---- Azure ---- */

/* "22", "*", "1000-2000" */
static bool az_port_range(const char *s, unsigned *lo, unsigned *hi)
{
	if (s != NULL && strcmp(s, "*") == 0) {
		*lo = 0;
		*hi = 65535;
		return true;
	}
	return gcp_port_range(s, lo, hi);
}

static int az_rule_world(struct target *t, const char *where, const cJSON *rule)
{
	const char *dir = str(rule, "direction"), *acc = str(rule, "access");
	const char *proto = str(rule, "protocol"), *world = NULL;
	const cJSON *e;
	unsigned lo, hi, bits = inv_proto_bits(proto);
	int rc = 0;

	if (dir == NULL || strcasecmp(dir, "Inbound") != 0 || acc == NULL ||
	    strcasecmp(acc, "Allow") != 0 || proto == NULL || bits == 0 ||
	    strcmp(proto, "-1") == 0 || strcasecmp(proto, "all") == 0)
		return 0;
	if (is_world(str(rule, "source_address_prefix")))
		world = str(rule, "source_address_prefix");
	cJSON_ArrayForEach(e, get(rule, "source_address_prefixes"))
	{
		if (is_world(cJSON_GetStringValue(e)))
			world = e->valuestring;
	}
	if (world == NULL)
		return 0;
	if (az_port_range(str(rule, "destination_port_range"), &lo, &hi))
		rc = inv_world_rule_add_proto(
			t, bits, lo, hi, "%s (%s: %s from %s)", where,
			str(rule, "name") ? str(rule, "name") : "rule",
			str(rule, "destination_port_range"), world);
	cJSON_ArrayForEach(e, get(rule, "destination_port_ranges"))
	{
		if (rc == 0 && az_port_range(cJSON_GetStringValue(e), &lo, &hi))
			rc = inv_world_rule_add_proto(
				t, bits, lo, hi, "%s (%s: %s from %s)", where,
				str(rule, "name") ? str(rule, "name") : "rule",
				e->valuestring, world);
	}
	return rc;
}

/* a view of r's first nested block blk: its after and expressions */
static struct pres block_of(const struct pres *r, const char *blk)
{
	struct pres sub = *r;
	const cJSON *b = get(r->expr, blk);

	sub.expr = cJSON_IsArray(b) ? b->child : b;
	sub.after = block(r->after, blk);
	sub.unknown = block(r->unknown, blk);
	return sub;
}

static bool az_is(const struct pres *r, const char *type)
{
	return strcmp(r->type, type) == 0;
}

struct az_join {
	struct plan *p;
	struct target *t;
	const struct pres *nic, *assoc;
	const char *pub;
	int rc;
};

/* the first pair naming idx */
static size_t az_first(const struct plan *p, size_t idx)
{
	size_t lo = 0, hi = p->naz_back;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->az_back[mid].named < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int az_nsg_apply(struct plan *p, struct target *t,
			const struct pres *nsg)
{
	const cJSON *e;
	size_t k;
	int rc = 0;

	cJSON_ArrayForEach(e, get(nsg->after, "security_rule"))
	{
		if (rc == 0)
			rc = az_rule_world(t, nsg->address, e);
	}
	for (k = az_first(p, (size_t)(nsg - p->v));
	     k < p->naz_back && p->az_back[k].named == (size_t)(nsg - p->v) &&
	     rc == 0;
	     k++) {
		const struct pres *r = &p->v[p->az_back[k].namer];

		if (az_is(r, "azurerm_network_security_rule"))
			rc = az_rule_world(t, r->address, r->after);
	}
	return rc;
}

static void az_nsg_found(void *ud, size_t idx)
{
	struct az_join *j = ud;

	if (j->rc == 0)
		j->rc = az_nsg_apply(j->p, j->t, &j->p->v[idx]);
}

static void az_pip_found(void *ud, size_t idx)
{
	struct az_join *j = ud;

	(void)idx;
	j->pub = "planned";
}

/* a subnet of the NIC: the NSGs its associations name apply */
static void az_subnet_found(void *ud, size_t idx)
{
	struct az_join *j = ud;
	size_t k;

	for (k = az_first(j->p, idx);
	     k < j->p->naz_back && j->p->az_back[k].named == idx && j->rc == 0;
	     k++) {
		const struct pres *x = &j->p->v[j->p->az_back[k].namer];

		if (az_is(x, "azurerm_subnet_network_security_group_"
			     "association"))
			each_named(j->p, x, "network_security_group_id",
				   "azurerm_network_security_group",
				   az_nsg_found, j);
	}
}

/* a NIC of the VM: its public IP, and the NSGs of its own association
 * and of its subnets' (by reference or by id: a plan of resources that
 * exist, and a state, join by id) */
static void az_nic_found(void *ud, size_t idx)
{
	struct az_join *j = ud;
	const struct pres *nic = &j->p->v[idx];
	struct pres ipc = block_of(nic, "ip_configuration");
	const char *pip = str(ipc.after, "public_ip_address_id");
	size_t i;

	if (!az_is(nic, "azurerm_network_interface") || j->rc != 0)
		return;
	if (strcmp(j->pub, "unknown") == 0)
		j->pub = "none";
	j->nic = nic;
	each_named(j->p, &ipc, "public_ip_address_id", "azurerm_public_ip",
		   az_pip_found, j);
	if (strcmp(j->pub, "planned") != 0 && pip != NULL && *pip != '\0')
		j->pub = "known";
	for (i = az_first(j->p, idx);
	     i < j->p->naz_back && j->p->az_back[i].named == idx && j->rc == 0;
	     i++) {
		const struct pres *x = &j->p->v[j->p->az_back[i].namer];

		j->nic = nic;
		j->assoc = x;
		if (az_is(x, "azurerm_network_interface_security_group_"
			     "association"))
			each_named(j->p, x, "network_security_group_id",
				   "azurerm_network_security_group",
				   az_nsg_found, j);
	}
	/* the subnets of its IP configuration, and their associations */
	each_named(j->p, &ipc, "subnet_id", "azurerm_subnet", az_subnet_found,
		   j);
}

/* the NSGs of a VM: through its NICs' associations, and their subnets' */
static int az_network(struct plan *p, struct target *t, const struct pres *vm,
		      cJSON *cfg)
{
	struct az_join j = { .p = p, .t = t, .pub = "unknown" };

	each_named(p, vm, "network_interface_ids", "azurerm_network_interface",
		   az_nic_found, &j);
	if (j.rc == 0 && !cJSON_AddStringToObject(cfg, "public_address", j.pub))
		j.rc = EXPO_ENOMEM;
	return j.rc;
}

/* ---- one target per instance or database ---- */

/* tags are labels in every report: a tag value the plan marks sensitive
 * (after_sensitive, from a sensitive variable) is not printed */
static int redact_tags(cJSON *tags, const cJSON *sens)
{
	cJSON *e, *next, *v;

	for (e = tags->child; e != NULL; e = next) {
		next = e->next; /* e is freed when replaced */
		if (!cJSON_IsTrue(sens) && !cJSON_IsTrue(get(sens, e->string)))
			continue;
		if ((v = cJSON_CreateString("(sensitive)")) == NULL)
			return EXPO_ENOMEM;
		if (!cJSON_ReplaceItemInObjectCaseSensitive(tags, e->string,
							    v)) {
			cJSON_Delete(v);
			return EXPO_ENOMEM;
		}
	}
	return 0;
}

static int new_target(struct plan *p, const struct pres *r, const char *kind,
		      struct target **out, cJSON **cfg)
{
	struct target *t;
	struct target_meta *m;
	const cJSON *tags = get(r->after, "tags");
	int rc = inv_list_reserve(p->out, 1);

	if (rc < 0)
		return rc;
	t = inv_target_new(p->out, "terraform", p->f->source, "tf", r->address);
	if (t == NULL || (m = inv_meta(t)) == NULL ||
	    inv_set_str(&t->name, r->address) < 0 ||
	    (*cfg = m->config = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(*cfg, "resource", r->address) ||
	    !cJSON_AddStringToObject(*cfg, "kind", kind))
		return EXPO_ENOMEM;
	if (cJSON_IsObject(tags) && tags->child != NULL &&
	    (m->tags = cJSON_Duplicate(tags, true)) == NULL)
		return EXPO_ENOMEM;
	if (m->tags != NULL &&
	    redact_tags(m->tags, get(r->sensitive, "tags")) < 0)
		return EXPO_ENOMEM;
	m->firewall_known = true; /* the plan is the firewall data */
	*out = t;
	return 0;
}

/* the groups of one instance, each once */
struct sg_find {
	const struct plan *p;
	size_t v[64], n;
};

static void sg_found(void *ud, size_t idx)
{
	struct sg_find *sf = ud;
	size_t i;

	for (i = 0; i < sf->n; i++)
		if (sf->v[i] == idx)
			return;
	if (sf->n < ARRAY_SIZE(sf->v))
		sf->v[sf->n++] = idx;
}

/* security_groups = ["web"] (EC2-Classic, the default VPC) names groups,
 * not ids: the group whose planned name it is */
static void sg_by_name(const struct plan *p, const struct pres *r,
		       struct sg_find *sf)
{
	const cJSON *e;
	size_t i;

	cJSON_ArrayForEach(e, get(r->after, "security_groups"))
	{
		const char *name = cJSON_GetStringValue(e);

		for (i = 0; name != NULL && i < p->n; i++)
			if (strcmp(p->v[i].type, "aws_security_group") == 0 &&
			    str(p->v[i].after, "name") != NULL &&
			    strcmp(str(p->v[i].after, "name"), name) == 0)
				sg_found(sf, i);
	}
}

/* is x (an aws_network_interface) attached to instance r: named in its
 * network_interface block, by reference or id, or by an
 * aws_network_interface_attachment? */
static bool eni_of(const struct plan *p, const struct pres *r,
		   const struct pres *x)
{
	const char *id = str(x->after, "id");
	const cJSON *ni;
	size_t k;

	if (refers_in_block(r, "network_interface", "network_interface_id", x))
		return true;
	cJSON_ArrayForEach(ni, get(r->after, "network_interface"))
	{
		if (id != NULL && str(ni, "network_interface_id") != NULL &&
		    strcmp(str(ni, "network_interface_id"), id) == 0)
			return true;
	}
	for (k = 0; k < p->neni; k++) {
		const struct pres *a = &p->v[p->eni[k]];

		if (strcmp(a->type, "aws_network_interface_attachment") == 0 &&
		    refers_to(a, "instance_id", r) &&
		    refers_to(a, "network_interface_id", x))
			return true;
	}
	return false;
}

/* the groups an instance gets through its network interfaces: those of
 * an aws_network_interface attached to it, and those an
 * aws_network_interface_sg_attachment adds to its primary interface */
static void eni_groups(const struct plan *p, const struct pres *r,
		       struct sg_find *sf)
{
	size_t k;

	for (k = 0; k < p->neni; k++) {
		const struct pres *x = &p->v[p->eni[k]];

		if (strcmp(x->type, "aws_network_interface") == 0 &&
		    eni_of(p, r, x))
			each_named(p, x, "security_groups",
				   "aws_security_group", sg_found, sf);
		else if (strcmp(x->type,
				"aws_network_interface_sg_attachment") == 0 &&
			 refers_to(x, "network_interface_id", r))
			each_named(p, x, "security_group_id",
				   "aws_security_group", sg_found, sf);
	}
}

static int aws_instance(struct plan *p, const struct pres *r)
{
	struct target *t;
	cJSON *cfg;
	size_t i;
	char why[128];
	int rc = new_target(p, r, "instance", &t, &cfg);

	if (rc == 0 && inv_gpu_why(r->after, r->type, why, sizeof(why)) &&
	    !cJSON_AddStringToObject(cfg, "gpu", why))
		rc = EXPO_ENOMEM;
	if (rc == 0)
		rc = aws_public(p, r, cfg);
	if (rc == 0)
		rc = aws_imds(r, cfg);
	if (rc == 0 && str(r->after, "public_ip") != NULL &&
	    *str(r->after, "public_ip") != '\0')
		rc = inv_addr_add_text(t, str(r->after, "public_ip"), 1);
	if (rc == 0) {
		struct sg_find sf = { .p = p };

		each_named(p, r, "vpc_security_group_ids", "aws_security_group",
			   sg_found, &sf);
		each_named(p, r, "security_groups", "aws_security_group",
			   sg_found, &sf);
		sg_by_name(p, r, &sf);
		eni_groups(p, r, &sf);
		for (i = 0; i < sf.n && rc == 0; i++)
			rc = aws_sg_apply(p, t, &p->v[sf.v[i]]);
	}
	return rc;
}

static int aws_db(struct plan *p, const struct pres *r)
{
	const cJSON *port = get(r->after, "port");
	struct target *t;
	cJSON *cfg;
	int rc;

	if (!cJSON_IsTrue(get(r->after, "publicly_accessible")))
		return 0;
	rc = new_target(p, r, "database", &t, &cfg);
	if (rc == 0 &&
	    (!cJSON_AddStringToObject(cfg, "public_database",
				      "publicly_accessible = true") ||
	     (cJSON_IsNumber(port) &&
	      !cJSON_AddNumberToObject(cfg, "port", port->valuedouble))))
		rc = EXPO_ENOMEM;
	return rc;
}

static int gcp_instance(struct plan *p, const struct pres *r)
{
	const cJSON *ni, *ac;
	const char *pub = "none";
	struct target *t;
	cJSON *cfg;
	char why[128];
	int rc = new_target(p, r, "instance", &t, &cfg);

	if (rc == 0 && inv_gpu_why(r->after, r->type, why, sizeof(why)) &&
	    !cJSON_AddStringToObject(cfg, "gpu", why))
		rc = EXPO_ENOMEM;
	cJSON_ArrayForEach(ni, get(r->after, "network_interface"))
	{
		cJSON_ArrayForEach(ac, get(ni, "access_config"))
		{
			const char *nat = str(ac, "nat_ip");

			pub = "planned";
			if (rc == 0 && nat != NULL && *nat != '\0') {
				pub = "known";
				rc = inv_addr_add_text(t, nat, 1);
			}
		}
	}
	if (unknown(r->unknown, "network_interface"))
		pub = "unknown";
	if (rc == 0 && !cJSON_AddStringToObject(cfg, "public_address", pub))
		rc = EXPO_ENOMEM;
	if (rc == 0)
		rc = gcp_meta_facts(p, r, cfg);
	if (rc == 0)
		rc = gcp_sa(r, cfg);
	if (rc == 0)
		rc = gcp_fw_apply(p, t, r);
	return rc;
}

static int gcp_sql(struct plan *p, const struct pres *r)
{
	const cJSON *ipc =
		block(block(r->after, "settings"), "ip_configuration");
	const cJSON *n;
	struct target *t;
	cJSON *cfg;
	char why[160] = "ipv4_enabled = true";
	const char *ver;
	unsigned port;
	int rc;

	if (!cJSON_IsTrue(get(ipc, "ipv4_enabled")))
		return 0;
	cJSON_ArrayForEach(n, get(ipc, "authorized_networks"))
	{
		if (is_world(str(n, "value")))
			snprintf(why, sizeof(why),
				 "ipv4_enabled = true, authorized network %s",
				 str(n, "value"));
	}
	rc = new_target(p, r, "database", &t, &cfg);
	if (rc == 0 && !cJSON_AddStringToObject(cfg, "public_database", why))
		rc = EXPO_ENOMEM;
	ver = str(r->after, "database_version");
	port = ver == NULL			   ? 0
	       : strncmp(ver, "POSTGRES", 8) == 0  ? 5432
	       : strncmp(ver, "MYSQL", 5) == 0	   ? 3306
	       : strncmp(ver, "SQLSERVER", 9) == 0 ? 1433
						   : 0;
	if (rc == 0 && port != 0 && !cJSON_AddNumberToObject(cfg, "port", port))
		rc = EXPO_ENOMEM;
	return rc;
}

static int azure_vm(struct plan *p, const struct pres *r)
{
	const cJSON *dpa = get(r->after, "disable_password_authentication");
	struct target *t;
	cJSON *cfg;
	char why[128];
	int rc;

	if (strcmp(r->type, "azurerm_virtual_machine") == 0)
		dpa = get(block(r->after, "os_profile_linux_config"),
			  "disable_password_authentication");
	rc = new_target(p, r, "instance", &t, &cfg);
	if (rc == 0 && inv_gpu_why(r->after, r->type, why, sizeof(why)) &&
	    !cJSON_AddStringToObject(cfg, "gpu", why))
		rc = EXPO_ENOMEM;
	if (rc == 0 && cJSON_IsFalse(dpa) &&
	    strcmp(r->type, "azurerm_windows_virtual_machine") != 0 &&
	    !cJSON_AddTrueToObject(cfg, "password_ssh"))
		rc = EXPO_ENOMEM;
	if (rc == 0)
		rc = az_network(p, t, r, cfg);
	return rc;
}

/* google_compute_project_metadata(_item): project-wide defaults */
static int project_meta(struct plan *p, cJSON **owned)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct pres *r = &p->v[i];

		if (strcmp(r->type, "google_compute_project_metadata") == 0 &&
		    cJSON_IsObject(get(r->after, "metadata")))
			p->project_meta = get(r->after, "metadata");
		if (strcmp(r->type, "google_compute_project_metadata_item") ==
			    0 &&
		    str(r->after, "key") != NULL &&
		    str(r->after, "value") != NULL) {
			if (*owned == NULL &&
			    (*owned = cJSON_CreateObject()) == NULL)
				return EXPO_ENOMEM;
			if (!cJSON_AddStringToObject(*owned,
						     str(r->after, "key"),
						     str(r->after, "value")))
				return EXPO_ENOMEM;
		}
	}
	if (p->project_meta == NULL && *owned != NULL)
		p->project_meta = *owned;
	return 0;
}

/* the targets of the resources in p, with their config facts */
static int plan_judge(struct plan *p, int rc);

struct az_build {
	struct plan *p;
	size_t namer;
	int rc;
};

static void az_pair_add(void *ud, size_t named)
{
	struct az_build *b = ud;
	struct plan *p = b->p;

	if (b->rc != 0)
		return;
	if (p->naz_back == p->aaz_back) {
		size_t n = p->aaz_back ? p->aaz_back * 2 : 16;
		struct az_pair *v = realloc(p->az_back, n * sizeof(*v));

		if (v == NULL) {
			b->rc = EXPO_ENOMEM;
			return;
		}
		p->az_back = v;
		p->aaz_back = n;
	}
	p->az_back[p->naz_back].named = named;
	p->az_back[p->naz_back++].namer = b->namer;
}

static int az_pair_cmp(const void *a, const void *b)
{
	const struct az_pair *x = a, *y = b;

	if (x->named != y->named)
		return x->named < y->named ? -1 : 1;
	return x->namer < y->namer ? -1 : x->namer > y->namer;
}

static int nsg_name_cmp(const void *a, const void *b, void *ctx)
{
	const struct plan *p = ctx;

	return strcmp(str(p->v[*(const size_t *)a].after, "name"),
		      str(p->v[*(const size_t *)b].after, "name"));
}

/* the Azure resources that point at others from their own side, each
 * joined once through the indexes (by reference, by id, and an NSG rule
 * by its group's name) */
static int az_back_build(struct plan *p)
{
	struct az_build b = { .p = p };
	size_t *groups = NULL, ngroups = 0, i, k;

	for (i = 0; i < p->n; i++)
		if (az_is(&p->v[i], "azurerm_network_security_group") &&
		    str(p->v[i].after, "name") != NULL)
			ngroups++;
	if (ngroups > 0 && (groups = calloc(ngroups, sizeof(*groups))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0, k = 0; i < p->n && k < ngroups; i++)
		if (az_is(&p->v[i], "azurerm_network_security_group") &&
		    str(p->v[i].after, "name") != NULL)
			groups[k++] = i;
	if (ngroups > 1)
		qsort_r(groups, ngroups, sizeof(*groups), nsg_name_cmp, p);
	for (i = 0; i < p->n && b.rc == 0; i++) {
		const struct pres *r = &p->v[i];

		b.namer = i;
		if (az_is(r, "azurerm_network_interface_security_group_"
			     "association"))
			each_named(p, r, "network_interface_id",
				   "azurerm_network_interface", az_pair_add,
				   &b);
		else if (az_is(r, "azurerm_subnet_network_security_group_"
				  "association"))
			each_named(p, r, "subnet_id", "azurerm_subnet",
				   az_pair_add, &b);
		else if (az_is(r, "azurerm_network_security_rule")) {
			const char *gname =
				str(r->after, "network_security_group_name");
			size_t lo = 0, hi = ngroups;

			each_named(p, r, "network_security_group_name",
				   "azurerm_network_security_group",
				   az_pair_add, &b);
			while (gname != NULL && lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (strcmp(str(p->v[groups[mid]].after, "name"),
					   gname) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; gname != NULL && lo < ngroups &&
			       strcmp(str(p->v[groups[lo]].after, "name"),
				      gname) == 0;
			     lo++)
				az_pair_add(&b, groups[lo]);
		}
	}
	free(groups);
	if (b.rc == 0 && p->naz_back > 1) {
		size_t w = 1;

		qsort(p->az_back, p->naz_back, sizeof(*p->az_back),
		      az_pair_cmp);
		/* a rule named by reference and by name: joined once */
		for (i = 1; i < p->naz_back; i++)
			if (az_pair_cmp(&p->az_back[i], &p->az_back[w - 1]))
				p->az_back[w++] = p->az_back[i];
		p->naz_back = w;
	}
	return b.rc;
}

int inv_tfplan_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root)
{
	struct plan p;
	const cJSON *rcs, *e;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.L = L;
	p.f = f;
	p.out = &L->list;
	jctx_init(&p.j, f->name, L->err);
	rcs = get(root, "resource_changes");
	if (rcs != NULL && !cJSON_IsArray(rcs))
		return jerr_key(&p.j, "resource_changes", "expected an array");
	rc = config_walk(&p, get(get(root, "configuration"), "root_module"), "",
			 0);
	if (p.nc > 1)
		qsort(p.c, p.nc, sizeof(*p.c), cres_cmp);
	cJSON_ArrayForEach(e, rcs)
	{
		if (rc == 0)
			rc = pres_add(&p, e);
	}
	return plan_judge(&p, rc);
}

/* a state module's resources and its child modules' (values.root_module
 * of `terraform show -json`), bounded in depth as the configuration is */
static int state_walk(struct plan *p, const cJSON *mod, int depth)
{
	const cJSON *e;
	int rc = 0;

	if (depth > 32)
		return 0;
	cJSON_ArrayForEach(e, get(mod, "resources"))
	{
		const char *mode = str(e, "mode");

		if (rc == 0 && str(e, "address") != NULL &&
		    str(e, "type") != NULL &&
		    cJSON_IsObject(get(e, "values")) &&
		    (mode == NULL || strcmp(mode, "managed") == 0))
			rc = pres_put(p, str(e, "address"), str(e, "type"),
				      get(e, "values"), NULL,
				      get(e, "sensitive_values"));
	}
	cJSON_ArrayForEach(e, get(mod, "child_modules"))
	{
		if (rc == 0)
			rc = state_walk(p, e, depth + 1);
	}
	return rc;
}

static int target_id_cmp(const void *a, const void *b)
{
	const struct target *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

int inv_tfstate_facts(struct inv_load *L, const struct inv_file *f,
		      const cJSON *root_module, size_t first)
{
	struct target_list scratch;
	struct target **by_id = NULL;
	struct plan p;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	target_list_init(&scratch);
	p.L = L;
	p.f = f;
	p.out = &scratch;
	jctx_init(&p.j, f->name, L->err);
	rc = plan_judge(&p, state_walk(&p, root_module, 0));
	if (rc == 0 && scratch.n > 0 &&
	    (by_id = calloc(scratch.n, sizeof(*by_id))) == NULL)
		rc = inv_err_rc(L->err, EXPO_ENOMEM, "%s: out of memory",
				f->name);
	for (i = 0; rc == 0 && i < scratch.n; i++)
		by_id[i] = &scratch.v[i];
	if (rc == 0 && scratch.n > 1)
		qsort(by_id, scratch.n, sizeof(*by_id), target_id_cmp);
	/* the state loader's target of the same address takes the facts;
	 * its addresses and firewall stay its own */
	for (i = first; rc == 0 && i < L->list.n; i++) {
		struct target *t = &L->list.v[i], key_t = { .id = t->id };
		struct target *key = &key_t, **hit;

		if (t->meta == NULL || t->meta->config != NULL ||
		    strncmp(t->id, "tf:", 3) != 0)
			continue;
		hit = bsearch(&key, by_id, scratch.n, sizeof(*by_id),
			      target_id_cmp);
		if (hit == NULL || (*hit)->meta == NULL)
			continue;
		t->meta->config = (*hit)->meta->config;
		(*hit)->meta->config = NULL;
	}
	free(by_id);
	target_list_release(&scratch);
	return rc;
}

static int plan_judge(struct plan *p, int rc)
{
	cJSON *owned_meta = NULL;
	size_t i;

	if (rc == 0)
		rc = index_build(p);
	if (rc == 0)
		rc = links_build(p);
	if (rc == 0)
		rc = az_back_build(p);
	if (rc == 0)
		rc = project_meta(p, &owned_meta);
	for (i = 0; i < p->n && rc == 0; i++) {
		const struct pres *r = &p->v[i];

		if (strcmp(r->type, "aws_instance") == 0)
			rc = aws_instance(p, r);
		else if (strcmp(r->type, "aws_db_instance") == 0)
			rc = aws_db(p, r);
		else if (strcmp(r->type, "google_compute_instance") == 0)
			rc = gcp_instance(p, r);
		else if (strcmp(r->type, "google_sql_database_instance") == 0)
			rc = gcp_sql(p, r);
		else if (strcmp(r->type, "azurerm_linux_virtual_machine") ==
				 0 ||
			 strcmp(r->type, "azurerm_windows_virtual_machine") ==
				 0 ||
			 strcmp(r->type, "azurerm_virtual_machine") == 0)
			rc = azure_vm(p, r);
	}
	if (rc == EXPO_ENOMEM && p->L->err != NULL && *p->L->err == NULL)
		rc = inv_err_rc(p->L->err, rc, "%s: out of memory", p->f->name);
	for (i = 0; i < p->n; i++) {
		free(p->v[i].rules);
		free(p->v[i].address);
		free(p->v[i].caddr);
		free(p->v[i].module);
		free(p->v[i].amodule);
	}
	free(p->v);
	free(p->by_addr);
	free(p->by_caddr);
	free(p->by_id);
	free(p->eni);
	free(p->az_back);
	for (i = 0; i < p->nc; i++)
		free(p->c[i].caddr);
	free(p->c);
	for (i = 0; i < p->nm; i++) {
		free(p->m[i].prefix);
		free(p->m[i].parent);
	}
	free(p->m);
	cJSON_Delete(owned_meta);
	return rc;
}
