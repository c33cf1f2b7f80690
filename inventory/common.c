/*
 * common.c - pieces the cloud and terraform loaders share: address fields,
 * the top-level array walk, and the list of instances awaiting the
 * firewall join.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "expo.h"
#include "loaders.h"

int inv_addr_json(struct jctx *j, const char *key, struct target *t,
		  const char *s, size_t n, int pub)
{
	struct target_addr a;
	char buf[INET6_ADDRSTRLEN + 8], q[64];
	const char *why = NULL;
	size_t mark = j->len;
	int rc = EXPO_EINVAL;

	if (n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = 0;
		rc = target_addr_parse(&a, buf);
	}
	if (rc == 0)
		why = target_addr_unusable(&a);
	if (key)
		jpath_key(j, key);
	if (rc < 0)
		rc = jerr(j, "expected an IP address, got '%s'",
			  inv_quote(s, n, q, sizeof(q)));
	else if (why)
		rc = jerr(j, "'%s' is a %s address, not a host",
			  inv_quote(s, n, q, sizeof(q)), why);
	jpath_pop(j, mark);
	if (rc < 0 || why)
		goto out;
	if (pub >= 0)
		a.is_public = pub;
	rc = inv_addr_add(t, &a);
out:
	return rc;
}

int inv_addr_field(struct jctx *j, struct target *t, const cJSON *obj,
		   const char *key, int pub)
{
	const char *s = NULL;
	int rc;

	rc = jget_str(j, obj, key, false, &s);
	if (rc < 0 || !s || !*s)
		goto out;
	rc = inv_addr_json(j, key, t, s, strlen(s), pub);
out:
	return rc;
}

int inv_addr_arr(struct jctx *j, struct target *t, const cJSON *obj,
		 const char *key, const char *sub, int pub)
{
	const cJSON *arr = NULL, *e;
	const char *s;
	size_t i = 0, m1, m2;
	int rc;

	rc = jget_arr(j, obj, key, false, &arr);
	if (rc < 0 || !arr)
		goto out;
	m1 = jpath_key(j, key);
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(j, i++);
		if (sub) {
			rc = cJSON_IsObject(e) ? 0
					       : jerr(j, "expected an object");
			if (rc == 0)
				rc = inv_addr_field(j, t, e, sub, pub);
		} else {
			rc = jexpect_str(j, e, &s);
			if (rc == 0 && *s)
				rc = inv_addr_json(j, NULL, t, s, strlen(s),
						   pub);
		}
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
	return rc;
}

int inv_network_tags(struct target *t, const cJSON *items)
{
	const cJSON *e;
	struct dynbuf b;
	int rc = 0;

	dynbuf_init(&b, INV_MAX_FILE_BYTES);
	cJSON_ArrayForEach(e, items)
	{
		if (!cJSON_IsString(e))
			continue;
		if (b.len)
			rc = dynbuf_addstr(&b, ",");
		if (rc == 0)
			rc = dynbuf_addstr(&b, e->valuestring);
		if (rc < 0)
			goto out;
	}
	if (b.len)
		rc = inv_label_set(t, "network_tags", b.buf);
out:
	dynbuf_release(&b);
	return rc;
}

int inv_skip_state(struct target *t, const char *what, const char *state,
		   bool running)
{
	int rc = 0;

	if (state && !running)
		rc = inv_skip(t, "%s %s: not scanned", what, state);
	else if (!t->naddrs)
		rc = inv_skip(t, "no address");
	return rc;
}

void inv_fw_given(struct fw_set *s, const struct inv_file *f)
{
	if (!s->given)
		s->first_file = f->name;
	s->given = true;
}

int inv_load_array(struct inv_load *L, const struct inv_file *f,
		   const cJSON *root, const char *expect,
		   int (*fn)(struct inv_load *L, const struct inv_file *f,
			     struct jctx *j, const cJSON *e))
{
	const cJSON *e;
	struct jctx j;
	size_t i = 0, m;
	int rc = 0;

	jctx_init(&j, f->name, L->err);
	if (!cJSON_IsArray(root)) {
		rc = jerr(&j, "%s", expect);
		goto out;
	}
	cJSON_ArrayForEach(e, root)
	{
		m = jpath_idx(&j, i++);
		rc = fn(L, f, &j, e);
		jpath_pop(&j, m);
		if (rc < 0)
			break;
	}
out:
	return rc;
}

/* Loaders record each instance for the firewall join that inventory.c runs
 * after every file is read. */
int inv_join_add(struct inv_load *L, enum inv_cloud c, size_t idx,
		 const cJSON *node)
{
	struct inv_join *v;
	int rc = 0;

	if (L->njoins[c] == L->ajoins[c]) {
		size_t n = L->ajoins[c] ? L->ajoins[c] * 2 : 16;

		v = realloc(L->joins[c], n * sizeof(*v));
		if (!v) {
			rc = EXPO_ENOMEM;
			goto out;
		}
		L->joins[c] = v;
		L->ajoins[c] = n;
	}
	L->joins[c][L->njoins[c]].idx = idx;
	L->joins[c][L->njoins[c]].node = node;
	L->njoins[c]++;
out:
	return rc;
}
