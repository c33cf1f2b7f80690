/*
 * gcp.c - `gcloud compute instances list --format=json` and
 * `gcloud compute firewall-rules list --format=json`.
 *
 * Firewall evaluation per network interface: INGRESS rules, not disabled,
 * on the NIC's network, whose targetTags / targetServiceAccounts match the
 * instance (none = every instance), in priority order with deny before
 * allow at equal priority; unmatched traffic hits the implied deny. Only
 * rules from 0.0.0.0/0 or ::/0 are modelled (see firewall.c). Hierarchical
 * firewall policies and network firewall policies are not in this output
 * and are not modelled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

/* "…/projects/P/zones/us-central1-a" -> segment after "what/" */
static char *url_part(const char *url, const char *what)
{
	const char *p = url ? strstr(url, what) : NULL;
	char *part = NULL;
	size_t n;

	if (!p)
		goto out;
	p += strlen(what);
	n = strcspn(p, "/");
	if (n)
		part = strndup(p, n);
out:
	return part;
}

static const char *last_segment(const char *url)
{
	const char *p = strrchr(url, '/');

	return p ? p + 1 : url;
}

static int nics(struct jctx *j, struct target *t, const cJSON *arr,
		bool public_pass)
{
	const cJSON *nic;
	const char *net;
	size_t i = 0, m1, m2;
	int rc = 0;

	m1 = jpath_key(j, "networkInterfaces");
	cJSON_ArrayForEach(nic, arr)
	{
		m2 = jpath_idx(j, i++);
		rc = cJSON_IsObject(nic) ? 0 : jerr(j, "expected an object");
		if (rc == 0 && public_pass) {
			rc = inv_addr_arr(j, t, nic, "accessConfigs", "natIP",
					  1);
			if (rc == 0)
				rc = inv_addr_arr(j, t, nic,
						  "ipv6AccessConfigs",
						  "externalIpv6", 1);
		} else if (rc == 0) {
			rc = inv_addr_field(j, t, nic, "networkIP", 0);
			if (rc == 0)
				rc = inv_addr_field(j, t, nic, "ipv6Address",
						    -1);
			if (rc == 0)
				rc = jget_str(j, nic, "network", false, &net);
		}
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
	return rc;
}

static bool is_windows(const cJSON *inst)
{
	const cJSON *d, *l;
	bool win = false;

	cJSON_ArrayForEach(d, jget(inst, "disks")) cJSON_ArrayForEach(
		l, jget(d, "licenses")) if (cJSON_IsString(l) &&
					    strstr(l->valuestring,
						   "/windows-cloud/"))
		win = true;
	return win;
}

static int load_tags(struct jctx *j, struct target *t, const cJSON *inst)
{
	const cJSON *nt = NULL, *items = NULL;
	size_t m1;
	int rc;

	rc = inv_labels_obj(j, t, inst, "labels");
	/* network tags and service accounts are read again by the join */
	if (rc == 0)
		rc = jget_obj(j, inst, "tags", false, &nt);
	if (rc == 0 && nt) {
		m1 = jpath_key(j, "tags");
		rc = jget_str_arr(j, nt, "items", &items);
		jpath_pop(j, m1);
	}
	if (rc == 0 && nt && items)
		rc = inv_network_tags(t, items);
	if (rc == 0)
		rc = jget_objs_str(j, inst, "serviceAccounts", "email", false);
	return rc;
}

static int load_instance(struct inv_load *L, const struct inv_file *f,
			 struct jctx *j, const cJSON *inst)
{
	const cJSON *arr = NULL;
	const char *name = NULL, *zone = NULL, *status = NULL, *self = NULL;
	struct target_meta *m;
	struct target *t;
	char id[64];
	int rc;

	rc = cJSON_IsObject(inst) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = jget_id(j, inst, "id", true, id, sizeof(id));
	if (rc == 0)
		rc = jget_str(j, inst, "name", false, &name);
	if (rc == 0)
		rc = jget_str(j, inst, "zone", false, &zone);
	if (rc == 0)
		rc = jget_str(j, inst, "status", false, &status);
	if (rc == 0)
		rc = jget_str(j, inst, "selfLink", false, &self);
	if (rc == 0)
		rc = jget_arr(j, inst, "networkInterfaces", false, &arr);
	if (rc < 0)
		goto out;
	t = inv_target_new(&L->list, "gcp", f->source, "gcp", id);
	if (!t || !(m = inv_meta(t)))
		goto nomem;
	rc = inv_join_add(L, INV_GCP, L->list.n - 1, inst);
	if (rc == 0)
		rc = inv_set_str(&t->name, name);
	if (rc == 0)
		rc = inv_set_str(&m->state, status);
	if (rc == 0)
		rc = inv_set_str(&m->os,
				 is_windows(inst) ? "windows" : "linux");
	if (rc < 0)
		goto out;
	if (zone && *zone) {
		const char *z = last_segment(zone);
		const char *dash = strrchr(z, '-');

		m->zone = strdup(z);
		m->region = dash ? strndup(z, (size_t)(dash - z)) : strdup(z);
		if (!m->zone || !m->region)
			goto nomem;
	}
	m->account = url_part(self ? self : zone, "projects/");
	rc = load_tags(j, t, inst);
	if (rc == 0)
		rc = inv_gpu_detect(t, inst, "gcp");
	if (rc == 0 && arr)
		rc = nics(j, t, arr, true);
	if (rc == 0 && arr)
		rc = nics(j, t, arr, false);
	if (rc < 0)
		goto out;
	rc = inv_skip_state(t, "gcp status", status,
			    !status || !strcmp(status, "RUNNING"));
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	return rc;
}

int inv_gcp_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root)
{
	return inv_load_array(L, f, root,
			      "expected an array of instances "
			      "(gcloud compute instances list --format=json)",
			      load_instance);
}

/* ---- firewall rules ---- */

struct gcp_rule {
	const char *name, *network, *src;
	long priority;
	const cJSON *ttags, *tsas;
};

static int add_entries(struct jctx *j, struct fw_set *s,
		       const struct gcp_rule *g, const cJSON *rule,
		       const char *key, bool allow)
{
	const cJSON *arr = NULL, *e, *ports, *p;
	const char *proto, *ps;
	struct fw_rule *r;
	unsigned lo, hi;
	size_t i = 0, k, m1, m2, m3;
	int rc;

	rc = jget_arr(j, rule, key, false, &arr);
	if (rc < 0 || !arr)
		goto out;
	m1 = jpath_key(j, key);
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(j, i++);
		rc = cJSON_IsObject(e) ? 0 : jerr(j, "expected an object");
		if (rc == 0)
			rc = jget_str(j, e, "IPProtocol", true, &proto);
		if (rc == 0)
			rc = jget_arr(j, e, "ports", false, &ports);
		if (rc < 0)
			goto next;
		r = NULL;
		/* "all" is every protocol; "-1", "*" are not GCP's words */
		if (g->src && inv_proto_bits(proto) &&
		    strcmp(proto, "-1") != 0 && strcmp(proto, "*") != 0 &&
		    strcasecmp(proto, "any") != 0) {
			r = fw_rule_add(s);
			if (!r ||
			    asprintf(&r->ref, "firewall %s %s %s", g->name,
				     allow ? "allow" : "deny", proto) < 0) {
				if (r)
					r->ref = NULL;
				rc = EXPO_ENOMEM;
				goto next;
			}
			r->group = g->network;
			r->protos = (uint8_t)inv_proto_bits(proto);
			r->priority = g->priority;
			r->allow = allow;
			r->src = g->src;
			r->target_tags = g->ttags;
			r->target_sas = g->tsas;
		}
		m3 = jpath_key(j, "ports");
		k = 0;
		cJSON_ArrayForEach(p, ports)
		{
			size_t m4 = jpath_idx(j, k++);

			rc = jexpect_str(j, p, &ps);
			if (rc == 0 && !fw_parse_ports(ps, &lo, &hi))
				rc = jerr(j, "expected a port or a port "
					     "range like 8000-8080");
			if (rc == 0 && r)
				rc = fw_rule_add_range(r, lo, hi);
			jpath_pop(j, m4);
			if (rc < 0)
				break;
		}
		jpath_pop(j, m3);
		/* no ports: every port of the protocol */
		if (rc == 0 && r && !r->nranges)
			rc = fw_rule_add_range(r, 0, 65535);
next:
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
	return rc;
}

/* every sourceRanges entry is a CIDR or an address: a "/99" is not
 * skipped as "not the world" but refused */
static int check_ranges(struct jctx *j, const cJSON *ranges)
{
	const cJSON *e;
	size_t i = 0, m1, m2;
	char q[64];
	int rc = 0;

	m1 = jpath_key(j, "sourceRanges");
	cJSON_ArrayForEach(e, ranges)
	{
		m2 = jpath_idx(j, i++);
		if (!fw_cidr_valid(e->valuestring, false))
			rc = jerr(j, "'%s' is not a CIDR like 203.0.113.0/24",
				  inv_quote(e->valuestring,
					    strlen(e->valuestring), q,
					    sizeof(q)));
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
	return rc;
}

static int load_fw_rule(struct inv_load *L, const struct inv_file *f,
			struct jctx *j, const cJSON *rule)
{
	struct fw_set *s = &L->fw[INV_GCP];
	const cJSON *ranges = NULL;
	const char *dir = NULL;
	struct gcp_rule g;
	bool disabled = false;
	int rc;

	(void)f;
	memset(&g, 0, sizeof(g));
	rc = cJSON_IsObject(rule) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = jget_str(j, rule, "name", true, &g.name);
	if (rc == 0)
		rc = jget_str(j, rule, "network", false, &g.network);
	if (rc == 0)
		rc = jget_str(j, rule, "direction", false, &dir);
	if (rc == 0)
		rc = jget_bool(j, rule, "disabled", false, &disabled);
	if (rc == 0)
		rc = jget_int(j, rule, "priority", 0, 65535, 1000, &g.priority);
	if (rc == 0)
		rc = jget_str_arr(j, rule, "sourceRanges", &ranges);
	if (rc == 0)
		rc = check_ranges(j, ranges);
	if (rc == 0)
		rc = jget_str_arr(j, rule, "targetTags", &g.ttags);
	if (rc == 0)
		rc = jget_str_arr(j, rule, "targetServiceAccounts", &g.tsas);
	if (rc < 0)
		goto out;
	if (jarr_has_str(ranges, "0.0.0.0/0", false))
		g.src = "0.0.0.0/0";
	else if (jarr_has_str(ranges, "::/0", false))
		g.src = "::/0";
	/* still validated, but never matches world traffic */
	if (disabled || (dir && strcasecmp(dir, "INGRESS")))
		g.src = NULL;
	rc = add_entries(j, s, &g, rule, "allowed", true);
	if (rc == 0)
		rc = add_entries(j, s, &g, rule, "denied", false);
out:
	return rc;
}

int inv_gcp_fw_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root)
{
	inv_fw_given(&L->fw[INV_GCP], f);
	return inv_load_array(L, f, root, "expected an array of firewall rules",
			      load_fw_rule);
}

/* network URLs come full or relative: compare from "projects/" on */
static bool same_network(const char *a, const char *b)
{
	const char *pa, *pb;
	bool same = true; /* unknown network: assume it applies */

	if (!a || !b)
		goto out;
	pa = strstr(a, "projects/");
	pb = strstr(b, "projects/");
	if (pa && pb)
		same = !strcmp(pa, pb);
	else
		same = !strcmp(last_segment(a), last_segment(b));
out:
	return same;
}

static bool targets_instance(const struct fw_rule *r, const cJSON *inst)
{
	const cJSON *e;
	bool hit = !cJSON_GetArraySize(r->target_tags) &&
		   !cJSON_GetArraySize(r->target_sas);

	cJSON_ArrayForEach(e, jget(jget(inst, "tags"),
				   "items")) if (cJSON_IsString(e) &&
						 jarr_has_str(r->target_tags,
							      e->valuestring,
							      false))
		hit = true;
	cJSON_ArrayForEach(e, jget(inst, "serviceAccounts"))
	{
		const char *em = cJSON_GetStringValue(jget(e, "email"));

		if (em && jarr_has_str(r->target_sas, em, true))
			hit = true;
	}
	return hit;
}

int inv_gcp_join(struct inv_load *L)
{
	const struct fw_set *s = &L->fw[INV_GCP];
	const struct fw_rule **rules = NULL;
	const cJSON *nic;
	size_t i, k, n;
	int rc = 0;

	if (!s->given)
		goto out;
	rules = malloc((s->n + 1) * sizeof(*rules));
	if (!rules) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < L->njoins[INV_GCP] && rc == 0; i++) {
		const struct inv_join *jn = &L->joins[INV_GCP][i];
		struct target *t = &L->list.v[jn->idx];

		cJSON_ArrayForEach(nic, jget(jn->node, "networkInterfaces"))
		{
			const char *net =
				cJSON_GetStringValue(jget(nic, "network"));

			n = 0;
			for (k = 0; k < s->n; k++)
				if (same_network(s->v[k].group, net) &&
				    targets_instance(&s->v[k], jn->node))
					rules[n++] = &s->v[k];
			rc = fw_decide(t, rules, n);
			if (rc < 0)
				break;
		}
		/* the rule list is the project's: complete for the VPC */
		if (rc == 0 && inv_meta(t))
			t->meta->firewall_known = true;
		else if (rc == 0)
			rc = EXPO_ENOMEM;
	}
out:
	free(rules);
	return rc;
}
