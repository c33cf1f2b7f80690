/*
 * azure.c - `az vm list -d -o json` and `az network nsg list -o json`.
 *
 * Both the az CLI shape (fields flattened) and the ARM REST shape (fields
 * under "properties") are read. Addresses come from the -d fields
 * publicIps/privateIps (comma-joined strings); without -d there are none.
 *
 * NSGs are joined to VMs through networkInterfaces[].id (case-insensitive,
 * ARM ids are). Rules are Inbound, evaluated in priority order, first match
 * wins, defaultSecurityRules included. What cannot be seen: an NSG attached
 * to the NIC's subnet (az vm list -d does not say which subnet a NIC is
 * in), so a VM with a NIC that has no NSG of its own is "unknown"; and when
 * both a NIC and a subnet NSG exist, traffic needs both to allow it, so a
 * "world" verdict from the NIC NSG alone may be an overstatement. Azure
 * Firewall, route tables and application security groups are not modelled.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

/* where key lives: obj itself (flattened) or obj.properties (ARM) */
static const cJSON *az_home(const cJSON *obj, const char *key)
{
	const cJSON *p = jget(obj, "properties");

	return !jget(obj, key) && p && cJSON_IsObject(p) && jget(p, key) ? p
									 : obj;
}

/* az_home() of obj for key, with the path following it (pop to *mark) */
static const cJSON *az_enter(struct jctx *j, const cJSON *obj, const char *key,
			     size_t *mark)
{
	const cJSON *home = az_home(obj, key);

	*mark = j->len;
	if (home != obj)
		jpath_key(j, "properties");
	return home;
}

static int az_str(struct jctx *j, const cJSON *obj, const char *key, bool need,
		  const char **out)
{
	size_t m;
	const cJSON *home = az_enter(j, obj, key, &m);
	int rc;

	rc = jget_str(j, home, key, need, out);
	jpath_pop(j, m);
	return rc;
}

static int az_arr(struct jctx *j, const cJSON *obj, const char *key,
		  const cJSON **out, size_t *mark)
{
	const cJSON *home = az_enter(j, obj, key, mark);
	int rc;

	/* leaves the path at the array on success (pop to *mark) */
	rc = jget_arr(j, home, key, false, out);
	if (rc == 0 && *out)
		jpath_key(j, key);
	else
		jpath_pop(j, *mark);
	return rc;
}

static int az_obj(struct jctx *j, const cJSON *obj, const char *key,
		  const cJSON **out)
{
	size_t m;
	const cJSON *home = az_enter(j, obj, key, &m);
	int rc;

	rc = jget_obj(j, home, key, false, out);
	jpath_pop(j, m);
	return rc;
}

/* lenient read for the join, after validation */
static const cJSON *az_get(const cJSON *obj, const char *key)
{
	return jget(az_home(obj, key), key);
}

static int comma_addrs(struct jctx *j, struct target *t, const cJSON *vm,
		       const char *key, int pub, bool *present)
{
	const char *s = NULL, *p, *e;
	size_t n;
	int rc;

	rc = az_str(j, vm, key, false, &s);
	if (rc < 0 || !s)
		goto out;
	*present = true;
	for (p = s; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		while (p < e && *p == ' ')
			p++;
		n = (size_t)(e - p);
		while (n && p[n - 1] == ' ')
			n--;
		if (!n)
			continue;
		rc = inv_addr_json(j, key, t, p, n, pub);
		if (rc < 0)
			break;
	}
out:
	return rc;
}

/* "/subscriptions/SUB/resourceGroups/..." -> SUB */
static char *subscription(const char *id)
{
	const char *p = id ? strcasestr(id, "/subscriptions/") : NULL;
	char *sub = NULL;
	size_t n;

	if (!p)
		goto out;
	p += strlen("/subscriptions/");
	n = strcspn(p, "/");
	if (n)
		sub = strndup(p, n);
out:
	return sub;
}

static int check_nic_ids(struct jctx *j, const cJSON *obj)
{
	const cJSON *arr = NULL;
	size_t m;
	int rc;

	rc = az_arr(j, obj, "networkInterfaces", &arr, &m);
	if (rc == 0 && arr) {
		rc = jcheck_objs_str(j, arr, "id", true);
		jpath_pop(j, m);
	}
	return rc;
}

static int load_vm(struct inv_load *L, const struct inv_file *f, struct jctx *j,
		   const cJSON *vm)
{
	const cJSON *zones = NULL, *tags = NULL, *np = NULL, *sp = NULL;
	const cJSON *disk = NULL;
	const char *vmid = NULL, *arm = NULL, *name = NULL, *loc = NULL;
	const char *power = NULL, *ostype = NULL, *z;
	bool any = false, running;
	struct target_meta *m;
	struct target *t;
	size_t mark;
	int rc;

	rc = cJSON_IsObject(vm) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = az_str(j, vm, "vmId", false, &vmid);
	if (rc == 0)
		rc = jget_str(j, vm, "id", false, &arm);
	if (rc == 0)
		rc = jget_str(j, vm, "name", false, &name);
	if (rc == 0)
		rc = jget_str(j, vm, "location", false, &loc);
	if (rc == 0)
		rc = az_str(j, vm, "powerState", false, &power);
	if (rc == 0)
		rc = jget_arr(j, vm, "zones", false, &zones);
	if (rc == 0)
		rc = jget_obj(j, vm, "tags", false, &tags);
	if (rc < 0)
		goto out;
	if ((!vmid || !*vmid) && (!arm || !*arm)) {
		rc = jerr(j, "missing both vmId and id");
		goto out;
	}
	t = inv_target_new(&L->list, "azure", f->source, "azure",
			   vmid && *vmid ? vmid : arm);
	if (!t || !(m = inv_meta(t)))
		goto nomem;
	rc = inv_join_add(L, INV_AZURE, L->list.n - 1, vm);
	if (rc == 0)
		rc = inv_set_str(&t->name, name);
	if (rc == 0)
		rc = inv_set_str(&m->region, loc);
	if (rc == 0)
		rc = inv_set_str(&m->state, power);
	if (rc < 0)
		goto out;
	z = cJSON_GetStringValue(cJSON_GetArrayItem(zones, 0));
	if (z && inv_set_str(&m->zone, z) < 0)
		goto nomem;
	m->account = subscription(arm);
	if (inv_gpu_detect(t, vm, "azure") < 0)
		goto nomem;
	if (tags)
		rc = inv_labels_obj(j, t, vm, "tags");
	if (rc < 0)
		goto out;
	rc = az_obj(j, vm, "storageProfile", &sp);
	if (rc == 0 && sp) {
		mark = jpath_key(j, "storageProfile");
		rc = jget_obj(j, sp, "osDisk", false, &disk);
		if (rc == 0 && disk) {
			jpath_key(j, "osDisk");
			rc = jget_str(j, disk, "osType", false, &ostype);
		}
		jpath_pop(j, mark);
	}
	if (rc == 0 && ostype)
		rc = inv_set_str(&m->os, !strcasecmp(ostype, "windows")
						 ? "windows"
						 : "linux");
	if (rc == 0)
		rc = comma_addrs(j, t, vm, "publicIps", 1, &any);
	if (rc == 0)
		rc = comma_addrs(j, t, vm, "privateIps", 0, &any);
	if (rc == 0)
		rc = az_obj(j, vm, "networkProfile", &np);
	if (rc == 0 && np) {
		mark = jpath_key(j, "networkProfile");
		rc = check_nic_ids(j, np);
		jpath_pop(j, mark);
	}
	if (rc < 0)
		goto out;
	running = !power || !strcasecmp(power, "VM running");
	if (running && !t->naddrs && !any)
		rc = inv_skip(t, "no address: run az vm list -d "
				 "(--show-details)");
	else
		rc = inv_skip_state(t, "azure power state", power, running);
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	return rc;
}

int inv_azure_load(struct inv_load *L, const struct inv_file *f,
		   const cJSON *root)
{
	return inv_load_array(L, f, root,
			      "expected an array of VMs (az vm "
			      "list -d)",
			      load_vm);
}

/* ---- network security groups ---- */

static bool world_prefix(const char *s)
{
	static const char *const w[] = {
		"*", "Internet", "Any", "0.0.0.0/0", "::/0",
	};
	bool hit = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(w) && s && !hit; i++)
		hit = !strcasecmp(s, w[i]);
	return hit;
}

static int port_strings(struct jctx *j, const cJSON *rule, struct fw_rule *r)
{
	const cJSON *arr = NULL, *e;
	const char *s = NULL;
	unsigned lo, hi;
	size_t i = 0, m1, m2;
	int rc;

	rc = az_str(j, rule, "destinationPortRange", false, &s);
	if (rc == 0 && s) {
		if (!fw_parse_ports(s, &lo, &hi))
			rc = jerr_key(j, "destinationPortRange",
				      "expected a "
				      "port, a range like 80-90, or *");
		else if (r)
			rc = fw_rule_add_range(r, lo, hi);
	}
	if (rc == 0)
		rc = az_arr(j, rule, "destinationPortRanges", &arr, &m1);
	if (rc < 0 || !arr)
		goto out;
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(j, i++);
		rc = jexpect_str(j, e, &s);
		if (rc == 0 && !fw_parse_ports(s, &lo, &hi))
			rc = jerr(j, "expected a port, a range like 80-90, "
				     "or *");
		else if (rc == 0 && r)
			rc = fw_rule_add_range(r, lo, hi);
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
	return rc;
}

/* a prefix is a service tag ("Internet", "VirtualNetwork"), "*", or an
 * address or CIDR, which must then be well-formed */
static bool prefix_ok(const char *s)
{
	return !(isdigit((unsigned char)*s) || strchr(s, ':')) ||
	       fw_cidr_valid(s, false);
}

static int bad_prefix(struct jctx *j, const char *key, const char *s)
{
	char q[64];

	return key ? jerr_key(j, key, "'%s' is not a CIDR or a service tag",
			      inv_quote(s, strlen(s), q, sizeof(q)))
		   : jerr(j, "'%s' is not a CIDR or a service tag",
			  inv_quote(s, strlen(s), q, sizeof(q)));
}

static int load_nsg_rule(struct jctx *j, struct fw_set *s, const char *nsg,
			 const char *nsgname, const cJSON *rule)
{
	const cJSON *prefixes = NULL, *e;
	const char *name = NULL, *dir = NULL, *access = NULL, *proto = NULL;
	const char *src = NULL, *world = NULL;
	struct fw_rule *r = NULL;
	long prio = 0;
	size_t i = 0, m1, m2;
	int rc;

	rc = cJSON_IsObject(rule) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = jget_str(j, rule, "name", false, &name);
	if (rc == 0)
		rc = az_str(j, rule, "direction", true, &dir);
	if (rc == 0)
		rc = az_str(j, rule, "access", true, &access);
	if (rc == 0)
		rc = az_str(j, rule, "protocol", true, &proto);
	if (rc == 0) {
		size_t m;
		const cJSON *home = az_enter(j, rule, "priority", &m);

		rc = jget_int(j, home, "priority", 0, 65535, 65535, &prio);
		jpath_pop(j, m);
	}
	if (rc == 0)
		rc = az_str(j, rule, "sourceAddressPrefix", false, &src);
	if (rc == 0)
		rc = az_arr(j, rule, "sourceAddressPrefixes", &prefixes, &m1);
	if (rc == 0 && src && !prefix_ok(src))
		rc = bad_prefix(j, "sourceAddressPrefix", src);
	if (rc < 0)
		goto out;
	if (world_prefix(src))
		world = src;
	cJSON_ArrayForEach(e, prefixes)
	{
		m2 = jpath_idx(j, i++);
		rc = jexpect_str(j, e, &src);
		if (rc == 0 && !prefix_ok(src))
			rc = bad_prefix(j, NULL, src);
		jpath_pop(j, m2);
		if (rc < 0)
			break;
		if (!world && world_prefix(src))
			world = src;
	}
	if (prefixes)
		jpath_pop(j, m1);
	if (rc < 0)
		goto out;
	if (world && !strcasecmp(dir, "Inbound") && inv_proto_bits(proto)) {
		unsigned bits = inv_proto_bits(proto);

		r = fw_rule_add(s);
		if (!r ||
		    asprintf(&r->ref, "nsg %s rule %s %s %s",
			     nsgname ? nsgname : nsg, name ? name : "?",
			     strcasecmp(access, "Allow") ? "deny" : "allow",
			     bits == PROTO_BIT(PROTO_TCP)   ? "tcp"
			     : bits == PROTO_BIT(PROTO_UDP) ? "udp"
							    : "any") < 0) {
			if (r)
				r->ref = NULL;
			rc = EXPO_ENOMEM;
			goto out;
		}
		r->group = nsg;
		r->protos = (uint8_t)bits;
		r->priority = prio;
		r->allow = !strcasecmp(access, "Allow");
		r->src = world;
	}
	rc = port_strings(j, rule, r);
	if (rc == 0 && r && !r->nranges)
		rc = fw_rule_add_range(r, 0, 65535);
out:
	return rc;
}

static int load_nsg(struct inv_load *L, const struct inv_file *f,
		    struct jctx *j, const cJSON *nsg)
{
	struct fw_set *s = &L->fw[INV_AZURE];
	static const char *const keys[] = {
		"securityRules",
		"defaultSecurityRules",
	};
	const cJSON *arr = NULL, *e;
	const char *id = NULL, *name = NULL, *nic;
	size_t i, k, m1, m2;
	int rc;

	(void)f;
	rc = cJSON_IsObject(nsg) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = jget_str(j, nsg, "id", true, &id);
	if (rc == 0)
		rc = jget_str(j, nsg, "name", false, &name);
	if (rc == 0)
		rc = check_nic_ids(j, nsg);
	if (rc < 0)
		goto out;
	cJSON_ArrayForEach(e, az_get(nsg, "networkInterfaces"))
	{
		nic = cJSON_GetStringValue(jget(e, "id"));
		rc = fw_attach_add(s, nic, id);
		if (rc < 0)
			goto out;
	}
	for (k = 0; k < 2; k++) {
		rc = az_arr(j, nsg, keys[k], &arr, &m1);
		if (rc < 0)
			goto out;
		i = 0;
		cJSON_ArrayForEach(e, arr)
		{
			m2 = jpath_idx(j, i++);
			rc = load_nsg_rule(j, s, id, name, e);
			jpath_pop(j, m2);
			if (rc < 0)
				break;
		}
		jpath_pop(j, m1);
		if (rc < 0)
			goto out;
	}
out:
	return rc;
}

int inv_azure_nsg_load(struct inv_load *L, const struct inv_file *f,
		       const cJSON *root)
{
	inv_fw_given(&L->fw[INV_AZURE], f);
	return inv_load_array(L, f, root,
			      "expected an array of NSGs (az "
			      "network nsg list)",
			      load_nsg);
}

int inv_azure_join(struct inv_load *L)
{
	const struct fw_set *s = &L->fw[INV_AZURE];
	const struct fw_rule **rules = NULL;
	const cJSON *nic;
	size_t i, k, a, n;
	int rc = 0;

	if (!s->given)
		goto out;
	rules = malloc((s->n + 1) * sizeof(*rules));
	if (!rules) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < L->njoins[INV_AZURE] && rc == 0; i++) {
		const struct inv_join *jn = &L->joins[INV_AZURE][i];
		struct target *t = &L->list.v[jn->idx];
		bool known = false, nsgless = false;

		cJSON_ArrayForEach(nic,
				   az_get(az_get(jn->node, "networkProfile"),
					  "networkInterfaces"))
		{
			const char *id = cJSON_GetStringValue(jget(nic, "id"));
			const char *nsg = NULL;

			for (a = 0; a < s->natt && id && !nsg; a++)
				if (s->att[a].nic &&
				    !strcasecmp(s->att[a].nic, id))
					nsg = s->att[a].nsg;
			if (!nsg) {
				nsgless = true;
				continue;
			}
			known = true;
			n = 0;
			for (k = 0; k < s->n; k++)
				if (!strcasecmp(s->v[k].group, nsg))
					rules[n++] = &s->v[k];
			rc = fw_decide(t, rules, n);
			if (rc < 0)
				break;
		}
		if (rc == 0 && !inv_meta(t))
			rc = EXPO_ENOMEM;
		if (rc == 0)
			t->meta->firewall_known = known && !nsgless;
	}
out:
	free(rules);
	return rc;
}
