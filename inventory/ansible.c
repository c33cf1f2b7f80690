/*
 * ansible.c - `ansible-inventory --list` JSON.
 *
 * Groups map to {hosts[], children[], vars{}}, plus _meta.hostvars. A host
 * listed in several groups is one target; its groups go into tags as
 * {"groups": "a,b"}. Address: ansible_host, else public_ip_address (the
 * amazon.aws.aws_ec2 plugin), else the inventory name (numeric, or resolved
 * like a list host name); private_ip_address is scanned too. ansible_port
 * becomes the port of the "ssh" check. Variables are taken from hostvars,
 * then from the vars of the host's own groups, then from "all" (as
 * --export prints them); inheritance through deeper parent groups is not
 * followed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "expo.h"
#include "loaders.h"

struct ahost {
	const char *name;
	struct dynbuf groups; /* "a,b" */
};

struct actx {
	struct inv_load *L;
	const struct inv_file *f;
	const cJSON *root, *hostvars;
	struct jctx j;
	struct ahost *v;
	size_t n, alloc;
};

static struct ahost *host_get(struct actx *a, const char *name)
{
	struct ahost *h = NULL, *nv;
	size_t i;

	for (i = 0; i < a->n && !h; i++)
		if (!strcmp(a->v[i].name, name))
			h = &a->v[i];
	if (h)
		goto out;
	if (a->n == a->alloc) {
		size_t n = a->alloc ? a->alloc * 2 : 16;

		nv = realloc(a->v, n * sizeof(*nv));
		if (!nv)
			goto out;
		a->v = nv;
		a->alloc = n;
	}
	h = &a->v[a->n++];
	h->name = name;
	dynbuf_init(&h->groups, 1 << 20);
out:
	return h;
}

static int collect(struct actx *a)
{
	const cJSON *g, *hosts, *e, *tmp;
	const char *name;
	struct ahost *h;
	size_t i, m1, m2;
	int rc = 0;

	cJSON_ArrayForEach(g, a->root)
	{
		if (!strcmp(g->string, "_meta"))
			continue;
		m1 = jpath_key(&a->j, g->string);
		rc = cJSON_IsObject(g) ? 0
				       : jerr(&a->j, "expected a group object");
		if (rc == 0)
			rc = jget_obj(&a->j, g, "vars", false, &tmp);
		if (rc == 0)
			rc = jget_arr(&a->j, g, "children", false, &tmp);
		if (rc == 0)
			rc = jget_arr(&a->j, g, "hosts", false, &hosts);
		if (rc < 0)
			goto out;
		jpath_key(&a->j, "hosts");
		i = 0;
		cJSON_ArrayForEach(e, hosts)
		{
			m2 = jpath_idx(&a->j, i++);
			rc = jexpect_str(&a->j, e, &name);
			if (rc == 0 && !*name)
				rc = jerr(&a->j, "empty host name");
			jpath_pop(&a->j, m2);
			if (rc < 0)
				goto out;
			h = host_get(a, name);
			if (!h) {
				rc = EXPO_ENOMEM;
				goto out;
			}
			if (!strcmp(g->string, "all") ||
			    !strcmp(g->string, "ungrouped"))
				continue;
			if (dynbuf_len(&h->groups))
				rc = dynbuf_addstr(&h->groups, ",");
			if (rc == 0)
				rc = dynbuf_addstr(&h->groups, g->string);
			if (rc < 0)
				goto out;
		}
		jpath_pop(&a->j, m1);
	}
	/* hosts with variables but in no group */
	cJSON_ArrayForEach(e, a->hostvars)
	{
		if (!host_get(a, e->string)) {
			rc = EXPO_ENOMEM;
			goto out;
		}
	}
out:
	return rc;
}

/*
 * Finds the variable key for host h; sets the path to its container and
 * returns the container (NULL: not set anywhere). Pop to *mark after.
 */
static const cJSON *var_home(struct actx *a, const struct ahost *h,
			     const char *key, size_t *mark)
{
	const cJSON *hv = jget(a->hostvars, h->name), *vars, *home = NULL;
	const char *p = dynbuf_ptr(&h->groups), *c;
	char gname[256];
	size_t n;

	*mark = a->j.len;
	if (jget(hv, key)) {
		jpath_key(&a->j, "_meta");
		jpath_key(&a->j, "hostvars");
		jpath_key(&a->j, h->name);
		home = hv;
		goto out;
	}
	for (; p && *p; p = c ? c + 1 : NULL) {
		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (n >= sizeof(gname))
			continue;
		memcpy(gname, p, n);
		gname[n] = 0;
		vars = jget(jget(a->root, gname), "vars");
		if (jget(vars, key)) {
			jpath_key(&a->j, gname);
			jpath_key(&a->j, "vars");
			home = vars;
			goto out;
		}
	}
	vars = jget(jget(a->root, "all"), "vars");
	if (jget(vars, key)) {
		jpath_key(&a->j, "all");
		jpath_key(&a->j, "vars");
		home = vars;
	}
out:
	return home;
}

static int var_str(struct actx *a, const struct ahost *h, const char *key,
		   const char **out)
{
	size_t mark;
	const cJSON *home = var_home(a, h, key, &mark);
	int rc;

	rc = jget_str(&a->j, home, key, false, out);
	jpath_pop(&a->j, mark);
	return rc;
}

/* a numeric address, or a host name resolved now */
static int host_addr(struct actx *a, const struct ahost *h, struct target *t,
		     const char *key, const char *s, int pub)
{
	size_t mark;
	const cJSON *home;
	struct target_addr ta;
	const char *why = NULL;
	char q[80];
	int rc;

	if (target_addr_parse(&ta, s) == 0)
		why = target_addr_unusable(&ta);
	rc = why ? EXPO_EINVAL : inv_addr_add_text(t, s, pub);
	if (rc != EXPO_EINVAL)
		goto out;
	if (why && !key) {
		rc = inv_skip(t, "no address: '%s' is a %s address, not a host",
			      inv_quote(s, strlen(s), q, sizeof(q)), why);
		goto out;
	}
	if (why) {
		home = var_home(a, h, key, &mark);
		(void)home;
		rc = jerr_key(&a->j, key, "'%s' is a %s address, not a host",
			      inv_quote(s, strlen(s), q, sizeof(q)), why);
		jpath_pop(&a->j, mark);
		goto out;
	}
	if (inv_is_hostname(s)) {
		rc = inv_resolve(t, s, pub,
				 a->L->opts != NULL && a->L->opts->offline);
		goto out;
	}
	if (!key) {
		rc = inv_skip(t,
			      "no address: '%s' is not a host name and "
			      "has no ansible_host",
			      inv_quote(s, strlen(s), q, sizeof(q)));
		goto out;
	}
	home = var_home(a, h, key, &mark);
	(void)home;
	rc = jerr_key(&a->j, key,
		      "cannot read '%s' as a host name or "
		      "address",
		      inv_quote(s, strlen(s), q, sizeof(q)));
	jpath_pop(&a->j, mark);
out:
	return rc;
}

static int aws_plugin_vars(struct actx *a, const struct ahost *h,
			   struct target *t)
{
	const cJSON *hv = jget(a->hostvars, h->name);
	const char *state, *zone, *region, *owner;
	struct target_meta *m = t->meta;
	int rc = 0;

	/* lenient: these are informative, boto field names */
	state = cJSON_GetStringValue(jget(jget(hv, "state"), "name"));
	zone = cJSON_GetStringValue(
		jget(jget(hv, "placement"), "availability_zone"));
	region = cJSON_GetStringValue(jget(jget(hv, "placement"), "region"));
	owner = cJSON_GetStringValue(jget(hv, "owner_id"));
	if (inv_set_str(&m->state, state) < 0 ||
	    inv_set_str(&m->zone, zone) < 0 ||
	    inv_set_str(&m->account, owner) < 0 ||
	    inv_set_str(&m->region, region) < 0) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	if (!m->region && zone)
		rc = inv_region_from_zone(zone, &m->region);
	if (rc == 0 && state && strcmp(state, "running"))
		rc = inv_skip(t, "ansible aws state %s: not scanned", state);
out:
	return rc;
}

static int load_host(struct actx *a, const struct ahost *h)
{
	const char *ah = NULL, *pub = NULL, *priv = NULL;
	struct target *t;
	size_t mark;
	long port = 0;
	int rc;

	if (jget(a->hostvars, h->name) &&
	    !cJSON_IsObject(jget(a->hostvars, h->name))) {
		mark = jpath_key(&a->j, "_meta");
		jpath_key(&a->j, "hostvars");
		rc = jerr_key(&a->j, h->name, "expected an object");
		jpath_pop(&a->j, mark);
		goto out;
	}
	rc = var_str(a, h, "ansible_host", &ah);
	if (rc == 0)
		rc = var_str(a, h, "public_ip_address", &pub);
	if (rc == 0)
		rc = var_str(a, h, "private_ip_address", &priv);
	if (rc == 0) {
		const cJSON *home = var_home(a, h, "ansible_port", &mark);

		rc = jget_int(&a->j, home, "ansible_port", 1, 65535, 0, &port);
		jpath_pop(&a->j, mark);
	}
	if (rc < 0)
		goto out;
	t = inv_target_new(&a->L->list, "ansible", a->f->source, "ansible",
			   h->name);
	if (!t || !inv_meta(t) || inv_set_str(&t->name, h->name) < 0)
		goto nomem;
	if (inv_label_set(t, "groups", dynbuf_ptr(&h->groups)) < 0)
		goto nomem;
	if (ah && *ah)
		rc = host_addr(a, h, t, "ansible_host", ah, -1);
	if (rc == 0 && pub && *pub)
		rc = host_addr(a, h, t, "public_ip_address", pub, 1);
	if (rc == 0 && priv && *priv)
		rc = host_addr(a, h, t, "private_ip_address", priv, 0);
	if (rc == 0 && !(ah && *ah) && !(pub && *pub) && !(priv && *priv))
		rc = host_addr(a, h, t, NULL, h->name, -1);
	if (rc == 0 && port)
		rc = inv_port_add(t, "ssh", (uint16_t)port);
	if (rc == 0)
		rc = aws_plugin_vars(a, h, t);
	if (rc == 0 && !t->naddrs)
		rc = inv_skip(t, "no address");
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	return rc;
}

int inv_ansible_load(struct inv_load *L, const struct inv_file *f,
		     const cJSON *root)
{
	const cJSON *meta = NULL;
	struct actx a;
	size_t i, mark;
	int rc;

	memset(&a, 0, sizeof(a));
	a.L = L;
	a.f = f;
	a.root = root;
	jctx_init(&a.j, f->name, L->err);
	rc = cJSON_IsObject(root) ? 0
				  : jerr(&a.j, "expected an object "
					       "(ansible-inventory --list)");
	if (rc == 0)
		rc = jget_obj(&a.j, root, "_meta", false, &meta);
	if (rc == 0 && meta) {
		mark = jpath_key(&a.j, "_meta");
		rc = jget_obj(&a.j, meta, "hostvars", false, &a.hostvars);
		jpath_pop(&a.j, mark);
	}
	if (rc == 0)
		rc = collect(&a);
	for (i = 0; i < a.n && rc == 0; i++)
		rc = load_host(&a, &a.v[i]);
	for (i = 0; i < a.n; i++)
		dynbuf_release(&a.v[i].groups);
	free(a.v);
	return rc;
}
