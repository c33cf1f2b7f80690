/*
 * aws.c - `aws ec2 describe-instances` and `describe-security-groups`.
 *
 * Instances: Reservations[].Instances[] (or a flat array of instances, from
 * --query 'Reservations[].Instances[]'). Every address is scanned: the
 * instance's and each network interface's public, private and IPv6 ones.
 * The output has no region: --region, else the zone minus its letter.
 *
 * Security groups: an instance's port is world-open when any attached SG
 * has an ingress permission for TCP, UDP (or all protocols) from 0.0.0.0/0 or
 * ::/0. Not visible here, so not modelled: network ACLs, route tables (is
 * there an internet gateway at all), prefix lists and SG-to-SG references.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

static int load_tags(struct jctx *j, struct target *t, const cJSON *inst)
{
	const cJSON *tags = NULL, *e;
	const char *k, *v;
	size_t i = 0, m1, m2;
	int rc;

	rc = jget_arr(j, inst, "Tags", false, &tags);
	if (rc < 0 || !tags)
		goto out;
	m1 = jpath_key(j, "Tags");
	cJSON_ArrayForEach(e, tags)
	{
		m2 = jpath_idx(j, i++);
		if (!cJSON_IsObject(e))
			rc = jerr(j, "expected an object");
		if (rc == 0)
			rc = jget_str(j, e, "Key", true, &k);
		if (rc == 0)
			rc = jget_str(j, e, "Value", false, &v);
		jpath_pop(j, m2);
		if (rc < 0)
			break;
		if (!v)
			v = "";
		rc = inv_label_set(t, k, v);
		if (rc < 0)
			break;
		if (!strcmp(k, "Name") && *v)
			rc = inv_set_str(&t->name, v);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
	return rc;
}

static int load_nic(struct jctx *j, struct target *t, const cJSON *nic)
{
	const cJSON *assoc = NULL, *arr = NULL, *e;
	size_t i = 0, m1, m2;
	int rc;

	if (!cJSON_IsObject(nic)) {
		rc = jerr(j, "expected an object");
		goto out;
	}
	rc = jget_obj(j, nic, "Association", false, &assoc);
	if (rc == 0 && assoc) {
		m1 = jpath_key(j, "Association");
		rc = inv_addr_field(j, t, assoc, "PublicIp", 1);
		jpath_pop(j, m1);
	}
	if (rc == 0)
		rc = jget_arr(j, nic, "PrivateIpAddresses", false, &arr);
	if (rc < 0)
		goto out;
	m1 = jpath_key(j, "PrivateIpAddresses");
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(j, i++);
		rc = cJSON_IsObject(e) ? 0 : jerr(j, "expected an object");
		if (rc == 0)
			rc = inv_addr_field(j, t, e, "PrivateIpAddress", 0);
		if (rc == 0)
			rc = jget_obj(j, e, "Association", false, &assoc);
		if (rc == 0 && assoc) {
			jpath_key(j, "Association");
			rc = inv_addr_field(j, t, assoc, "PublicIp", 1);
		}
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
	if (rc == 0)
		rc = inv_addr_arr(j, t, nic, "Ipv6Addresses", "Ipv6Address",
				  -1);
	if (rc == 0)
		rc = jget_objs_str(j, nic, "Groups", "GroupId", true);
out:
	return rc;
}

static int load_instance(struct inv_load *L, const struct inv_file *f,
			 struct jctx *j, const cJSON *inst, const char *owner)
{
	const cJSON *st = NULL, *pl = NULL, *nics = NULL, *e;
	const char *iid = NULL, *state = NULL, *zone = NULL, *plat = NULL;
	const char *region = L->opts ? L->opts->region : NULL;
	struct target_meta *m;
	struct target *t;
	size_t i = 0, m1, m2;
	int rc;

	if (!cJSON_IsObject(inst)) {
		rc = jerr(j, "expected an object");
		goto out;
	}
	rc = jget_str(j, inst, "InstanceId", true, &iid);
	if (rc < 0)
		goto out;
	t = inv_target_new(&L->list, "aws", f->source, "aws", iid);
	if (!t || !(m = inv_meta(t)))
		goto nomem;
	rc = inv_join_add(L, INV_AWS, L->list.n - 1, inst);
	if (rc == 0)
		rc = jget_obj(j, inst, "State", false, &st);
	if (rc == 0 && st) {
		m1 = jpath_key(j, "State");
		rc = jget_str(j, st, "Name", false, &state);
		jpath_pop(j, m1);
	}
	if (rc == 0)
		rc = jget_obj(j, inst, "Placement", false, &pl);
	if (rc == 0 && pl) {
		m1 = jpath_key(j, "Placement");
		rc = jget_str(j, pl, "AvailabilityZone", false, &zone);
		jpath_pop(j, m1);
	}
	if (rc == 0)
		rc = jget_str(j, inst, "Platform", false, &plat);
	if (rc < 0)
		goto out;
	if (inv_set_str(&m->state, state) < 0 ||
	    inv_set_str(&m->zone, zone) < 0 ||
	    inv_set_str(&m->account, owner) < 0 ||
	    inv_set_str(&m->os, plat && !strcasecmp(plat, "windows")
					? "windows"
					: "linux") < 0)
		goto nomem;
	if (region)
		rc = inv_set_str(&m->region, region);
	else if (zone && *zone)
		rc = inv_region_from_zone(zone, &m->region);
	if (rc == 0)
		rc = load_tags(j, t, inst);
	if (rc == 0)
		rc = inv_gpu_detect(t, inst, "aws");
	/* the instance's own fields first: the first address is shown */
	if (rc == 0)
		rc = inv_addr_field(j, t, inst, "PublicIpAddress", 1);
	if (rc == 0)
		rc = inv_addr_field(j, t, inst, "Ipv6Address", -1);
	if (rc == 0)
		rc = inv_addr_field(j, t, inst, "PrivateIpAddress", 0);
	if (rc == 0)
		rc = jget_arr(j, inst, "NetworkInterfaces", false, &nics);
	if (rc < 0)
		goto out;
	m1 = jpath_key(j, "NetworkInterfaces");
	cJSON_ArrayForEach(e, nics)
	{
		m2 = jpath_idx(j, i++);
		rc = load_nic(j, t, e);
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
	if (rc == 0)
		rc = jget_objs_str(j, inst, "SecurityGroups", "GroupId", true);
	if (rc < 0)
		goto out;
	rc = inv_skip_state(t, "aws state", state,
			    !state || !strcmp(state, "running"));
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	return rc;
}

int inv_aws_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root)
{
	const cJSON *res = NULL, *r, *insts, *inst;
	const char *owner;
	struct jctx j;
	size_t i = 0, k, m1, m2, m3;
	int rc = 0;

	jctx_init(&j, f->name, L->err);
	if (cJSON_IsArray(root)) {
		cJSON_ArrayForEach(inst, root)
		{
			m1 = jpath_idx(&j, i++);
			rc = load_instance(L, f, &j, inst, NULL);
			jpath_pop(&j, m1);
			if (rc < 0)
				break;
		}
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		rc = jerr(&j, "expected an object with Reservations (aws ec2 "
			      "describe-instances output)");
		goto out;
	}
	rc = jget_arr(&j, root, "Reservations", true, &res);
	if (rc < 0)
		goto out;
	m1 = jpath_key(&j, "Reservations");
	cJSON_ArrayForEach(r, res)
	{
		m2 = jpath_idx(&j, i++);
		rc = cJSON_IsObject(r) ? 0 : jerr(&j, "expected an object");
		if (rc == 0)
			rc = jget_str(&j, r, "OwnerId", false, &owner);
		if (rc == 0)
			rc = jget_arr(&j, r, "Instances", true, &insts);
		if (rc < 0)
			break;
		m3 = jpath_key(&j, "Instances");
		k = 0;
		cJSON_ArrayForEach(inst, insts)
		{
			size_t m4 = jpath_idx(&j, k++);

			rc = load_instance(L, f, &j, inst, owner);
			jpath_pop(&j, m4);
			if (rc < 0)
				break;
		}
		jpath_pop(&j, m3);
		jpath_pop(&j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(&j, m1);
out:
	return rc;
}

/* ---- security groups ---- */

/* a TCP, UDP or all-protocol permission (ICMP opens no port) */
static bool port_proto(const char *p, bool *all)
{
	*all = !strcmp(p, "-1") || !strcasecmp(p, "all");
	return *all || !strcasecmp(p, "tcp") || !strcmp(p, "6") ||
	       !strcasecmp(p, "udp") || !strcmp(p, "17");
}

static int add_world(struct fw_set *s, const char *gid, const char *proto,
		     bool all, long from, long to, const char *src)
{
	struct fw_rule *r = fw_rule_add(s);
	int rc = EXPO_ENOMEM;

	if (!r)
		goto out;
	r->group = gid;
	r->allow = true;
	r->src = src;
	r->protos = (uint8_t)inv_proto_bits(all ? "all" : proto);
	if (asprintf(&r->ref, "%s ingress %s", gid, all ? "all" : proto) < 0) {
		r->ref = NULL;
		goto out;
	}
	if (all || from < 0 || to < 0) {
		from = 0;
		to = 65535;
	}
	rc = fw_rule_add_range(r, (unsigned)from, (unsigned)to);
out:
	return rc;
}

static int load_perm(struct jctx *j, struct fw_set *s, const char *gid,
		     const cJSON *p)
{
	static const struct {
		const char *arr, *key, *world;
	} src[] = {
		{ "IpRanges", "CidrIp", "0.0.0.0/0" },
		{ "Ipv6Ranges", "CidrIpv6", "::/0" },
	};
	const cJSON *ranges, *e;
	const char *proto, *cidr;
	char q[64];
	long from, to;
	bool all;
	size_t i, k, m1, m2;
	int rc;

	rc = cJSON_IsObject(p) ? 0 : jerr(j, "expected an object");
	if (rc == 0)
		rc = jget_str(j, p, "IpProtocol", true, &proto);
	if (rc == 0)
		rc = jget_int(j, p, "FromPort", -1, 65535, -1, &from);
	if (rc == 0)
		rc = jget_int(j, p, "ToPort", -1, 65535, -1, &to);
	/* a reversed range would open nothing and so read as "restricted":
	 * AWS never writes one, so the file is not what AWS said */
	if (rc == 0 && port_proto(proto, &all) && !all && from >= 0 &&
	    to >= 0 && to < from)
		rc = jerr(j, "FromPort %ld is above ToPort %ld", from, to);
	for (i = 0; i < 2 && rc == 0; i++) {
		rc = jget_arr(j, p, src[i].arr, false, &ranges);
		if (rc < 0)
			break;
		m1 = jpath_key(j, src[i].arr);
		k = 0;
		cJSON_ArrayForEach(e, ranges)
		{
			m2 = jpath_idx(j, k++);
			rc = cJSON_IsObject(e) ? 0
					       : jerr(j, "expected an object");
			if (rc == 0)
				rc = jget_str(j, e, src[i].key, true, &cidr);
			if (rc == 0 && !fw_cidr_valid(cidr, true))
				rc = jerr_key(j, src[i].key,
					      "'%s' is not a CIDR like %s",
					      inv_quote(cidr, strlen(cidr), q,
							sizeof(q)),
					      i ? "2001:db8::/32"
						: "203.0.113.0/24");
			jpath_pop(j, m2);
			if (rc < 0)
				break;
			if (strcmp(cidr, src[i].world) ||
			    !port_proto(proto, &all))
				continue;
			rc = add_world(s, gid, proto, all, from, to, cidr);
			if (rc < 0)
				break;
		}
		jpath_pop(j, m1);
	}
	return rc;
}

int inv_aws_sg_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root)
{
	struct fw_set *s = &L->fw[INV_AWS];
	const cJSON *sgs = NULL, *sg, *perms, *p;
	const char *gid, *name;
	struct jctx j;
	size_t i = 0, k, m1, m2, m3;
	int rc;

	jctx_init(&j, f->name, L->err);
	inv_fw_given(s, f);
	rc = jget_arr(&j, root, "SecurityGroups", true, &sgs);
	if (rc < 0)
		goto out;
	m1 = jpath_key(&j, "SecurityGroups");
	cJSON_ArrayForEach(sg, sgs)
	{
		m2 = jpath_idx(&j, i++);
		rc = cJSON_IsObject(sg) ? 0 : jerr(&j, "expected an object");
		if (rc == 0)
			rc = jget_str(&j, sg, "GroupId", true, &gid);
		if (rc == 0)
			rc = jget_str(&j, sg, "GroupName", false, &name);
		if (rc == 0)
			rc = fw_group_add(s, gid);
		if (rc == 0)
			rc = jget_arr(&j, sg, "IpPermissions", false, &perms);
		if (rc == 0 && perms) {
			m3 = jpath_key(&j, "IpPermissions");
			k = 0;
			cJSON_ArrayForEach(p, perms)
			{
				size_t m4 = jpath_idx(&j, k++);

				rc = load_perm(&j, s, gid, p);
				jpath_pop(&j, m4);
				if (rc < 0)
					break;
			}
			jpath_pop(&j, m3);
		}
		jpath_pop(&j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(&j, m1);
out:
	return rc;
}

static bool id_listed(const char *const *ids, size_t n, const char *s)
{
	bool found = false;
	size_t i;

	for (i = 0; i < n && !found && s; i++)
		found = !strcasecmp(ids[i], s);
	return found;
}

int inv_aws_apply(const struct fw_set *s, struct target *t,
		  const char *const *ids, size_t nids)
{
	const struct fw_rule **rules = NULL;
	struct target_meta *m = inv_meta(t);
	bool known = nids > 0;
	size_t i, n = 0;
	int rc = EXPO_ENOMEM;

	if (!m)
		goto out;
	for (i = 0; i < nids; i++)
		known = known && fw_group_known(s, ids[i]);
	rules = malloc((s->n + 1) * sizeof(*rules));
	if (!rules)
		goto out;
	for (i = 0; i < s->n; i++)
		if (id_listed(ids, nids, s->v[i].group) ||
		    id_listed(ids, nids, s->v[i].group_alt))
			rules[n++] = &s->v[i];
	rc = fw_decide(t, rules, n);
	/* an SG missing from the file could open anything: unknown */
	m->firewall_known = known;
out:
	free(rules);
	return rc;
}

/* SG ids of one instance, from the instance and its interfaces */
static int collect_ids(const cJSON *inst, const char ***ids, size_t *n)
{
	const cJSON *e, *nic, *g;
	const char **v = NULL, *s;
	size_t cnt = 0, a = 0;
	int rc = 0;

#define ADD_ID(obj)                                               \
	do {                                                      \
		s = cJSON_GetStringValue(jget((obj), "GroupId")); \
		if (!s || id_listed(v, cnt, s))                   \
			break;                                    \
		if (cnt == a) {                                   \
			const char **nv;                          \
			a = a ? a * 2 : 4;                        \
			nv = realloc(v, a * sizeof(*v));          \
			if (!nv) {                                \
				rc = EXPO_ENOMEM;                 \
				goto out;                         \
			}                                         \
			v = nv;                                   \
		}                                                 \
		v[cnt++] = s;                                     \
	} while (0)

	cJSON_ArrayForEach(e, jget(inst, "SecurityGroups")) ADD_ID(e);
	cJSON_ArrayForEach(nic, jget(inst, "NetworkInterfaces"))
		cJSON_ArrayForEach(g, jget(nic, "Groups")) ADD_ID(g);
#undef ADD_ID
	*ids = v;
	*n = cnt;
	v = NULL;
out:
	free(v);
	return rc;
}

int inv_aws_join(struct inv_load *L)
{
	const struct fw_set *s = &L->fw[INV_AWS];
	const char **ids = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (!s->given)
		goto out;
	for (i = 0; i < L->njoins[INV_AWS] && rc == 0; i++) {
		const struct inv_join *jn = &L->joins[INV_AWS][i];

		rc = collect_ids(jn->node, &ids, &n);
		if (rc == 0)
			rc = inv_aws_apply(s, &L->list.v[jn->idx], ids, n);
		free(ids);
		ids = NULL;
	}
out:
	return rc;
}
