/*
 * common.c - pieces the cloud and terraform loaders share: address fields,
 * the top-level array walk, and the list of instances awaiting the
 * firewall join.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"
#include "loaders.h"

int inv_addr_field(struct jctx *j, struct target *t, const cJSON *obj,
		   const char *key, int pub)
{
	const char *s = NULL;
	char q[64];
	int rc;

	rc = jget_str(j, obj, key, false, &s);
	if (rc < 0 || !s || !*s)
		goto out;
	rc = inv_addr_add_text(t, s, pub);
	if (rc == EXPO_EINVAL)
		rc = jerr_key(j, key, "expected an IP address, got '%s'",
			      inv_quote(s, strlen(s), q, sizeof(q)));
out:
	return rc;
}

int inv_addr_arr(struct jctx *j, struct target *t, const cJSON *obj,
		 const char *key, const char *sub, int pub)
{
	const cJSON *arr = NULL, *e;
	const char *s;
	size_t i = 0, m1, m2;
	char q[64];
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
			if (rc == 0 && *s) {
				rc = inv_addr_add_text(t, s, pub);
				if (rc == EXPO_EINVAL)
					rc = jerr(j,
						  "expected an IP address, "
						  "got '%s'",
						  inv_quote(s, strlen(s), q,
							    sizeof(q)));
			}
		}
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
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
