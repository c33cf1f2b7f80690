/*
 * terraform.c - `terraform show -json` (state, format_version 1.x).
 *
 * Walks values.root_module and its child_modules; data sources are
 * skipped, unknown resource types ignored. Instances: aws_instance,
 * google_compute_instance, azurerm_{linux,windows}_virtual_machine and
 * azurerm_virtual_machine (the last has no address attributes: skipped).
 * AWS security groups in the same state (aws_security_group with inline
 * ingress, aws_security_group_rule, aws_vpc_security_group_ingress_rule)
 * are joined to aws_instance through vpc_security_group_ids and
 * security_groups. GCP and Azure firewall resources are not read.
 * Remember that this file holds secrets in plain text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

struct tf {
	struct inv_load *L;
	const struct inv_file *f;
	struct jctx j;
	struct fw_set sgs;
	bool sg_pass;
	const cJSON *sensitive; /* the resource's sensitive_values */
};

/* the labels of v[key], with what the state marks sensitive shown as
 * "(sensitive)": a state holds them in clear, a report must not */
static int tags_obj(struct tf *x, struct target *t, const cJSON *v,
		    const char *key)
{
	const cJSON *sens = cJSON_GetObjectItemCaseSensitive(x->sensitive, key);
	cJSON *e;
	int rc = inv_labels_obj(&x->j, t, v, key);

	if (rc < 0 || t->meta == NULL || t->meta->tags == NULL ||
	    (!cJSON_IsTrue(sens) && !cJSON_IsObject(sens)))
		return rc;
	cJSON_ArrayForEach(e, t->meta->tags)
	{
		if ((cJSON_IsTrue(sens) ||
		     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			     sens, e->string))) &&
		    cJSON_IsString(e) &&
		    cJSON_SetValuestring(e, "(sensitive)") == NULL)
			return EXPO_ENOMEM;
	}
	return rc;
}

/* "arn:aws:ec2:REGION:ACCOUNT:instance/i-..." */
static int arn_parts(const char *arn, char **region, char **account)
{
	const char *c[5], *p = arn;
	size_t n = 0;
	int rc = 0;

	if (!arn || strncmp(arn, "arn:", 4))
		goto out;
	while (n < 5 && (p = strchr(p, ':')))
		c[n++] = p++;
	if (n < 5)
		goto out;
	if (c[3] - c[2] > 1 && !*region &&
	    !(*region = strndup(c[2] + 1, (size_t)(c[3] - c[2] - 1))))
		rc = EXPO_ENOMEM;
	if (rc == 0 && c[4] - c[3] > 1 && !*account &&
	    !(*account = strndup(c[3] + 1, (size_t)(c[4] - c[3] - 1))))
		rc = EXPO_ENOMEM;
out:
	return rc;
}

static int sg_ids(struct jctx *j, const cJSON *v, const char ***ids, size_t *n)
{
	static const char *const keys[] = {
		"vpc_security_group_ids",
		"security_groups",
	};
	const cJSON *arr = NULL, *e;
	const char **out = NULL;
	size_t k, cnt = 0, total = 0;
	int rc = 0;

	for (k = 0; k < 2 && rc == 0; k++) {
		rc = jget_str_arr(j, v, keys[k], &arr);
		total += (size_t)cJSON_GetArraySize(arr);
	}
	if (rc < 0)
		goto out;
	out = malloc((total + 1) * sizeof(*out));
	if (!out) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach(e, jget(v, keys[k]))
			out[cnt++] = e->valuestring;
	*ids = out;
	*n = cnt;
	out = NULL;
out:
	free(out);
	return rc;
}

static int aws_instance(struct tf *x, struct target *t, const cJSON *v)
{
	struct target_meta *m = t->meta;
	const char *zone = NULL, *state = NULL, *arn = NULL, *name;
	const char **ids = NULL;
	const cJSON *tags;
	size_t nids = 0;
	int rc;

	rc = jget_str(&x->j, v, "availability_zone", false, &zone);
	if (rc == 0)
		rc = jget_str(&x->j, v, "instance_state", false, &state);
	if (rc == 0)
		rc = jget_str(&x->j, v, "arn", false, &arn);
	if (rc == 0)
		rc = tags_obj(x, t, v, "tags");
	if (rc == 0)
		rc = arn_parts(arn, &m->region, &m->account);
	if (rc == 0 && !m->region && x->L->opts && x->L->opts->region)
		rc = inv_set_str(&m->region, x->L->opts->region);
	if (rc == 0 && !m->region && zone && *zone)
		rc = inv_region_from_zone(zone, &m->region);
	if (rc == 0)
		rc = inv_set_str(&m->zone, zone);
	if (rc == 0)
		rc = inv_set_str(&m->state, state);
	if (rc < 0)
		goto out;
	tags = m->tags;
	name = cJSON_GetStringValue(jget(tags, "Name"));
	if (name && *name && inv_set_str(&t->name, name) < 0)
		goto nomem;
	rc = inv_addr_field(&x->j, t, v, "public_ip", 1);
	if (rc == 0)
		rc = inv_addr_arr(&x->j, t, v, "ipv6_addresses", NULL, -1);
	if (rc == 0)
		rc = inv_addr_field(&x->j, t, v, "private_ip", 0);
	if (rc == 0)
		rc = sg_ids(&x->j, v, &ids, &nids);
	if (rc == 0 && x->sgs.ngroups)
		rc = inv_aws_apply(&x->sgs, t, ids, nids);
	if (rc == 0)
		rc = inv_skip_state(t, "terraform instance_state", state,
				    !state || !strcmp(state, "running"));
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	free(ids);
	return rc;
}

static int gcp_instance(struct tf *x, struct target *t, const cJSON *v)
{
	struct target_meta *m = t->meta;
	const char *zone = NULL, *status = NULL, *project = NULL;
	const cJSON *nics = NULL, *nic, *arr;
	size_t i, m1, m2;
	int rc, pass;

	rc = jget_str(&x->j, v, "zone", false, &zone);
	if (rc == 0)
		rc = jget_str(&x->j, v, "current_status", false, &status);
	if (rc == 0)
		rc = jget_str(&x->j, v, "project", false, &project);
	if (rc == 0)
		rc = tags_obj(x, t, v, "labels");
	if (rc == 0)
		rc = jget_str_arr(&x->j, v, "tags", &arr);
	if (rc == 0 && arr)
		rc = inv_network_tags(t, arr);
	if (rc == 0)
		rc = inv_set_str(&m->zone, zone);
	if (rc == 0)
		rc = inv_set_str(&m->state, status);
	if (rc == 0)
		rc = inv_set_str(&m->account, project);
	if (rc == 0 && zone && strrchr(zone, '-') &&
	    !(m->region = strndup(zone, (size_t)(strrchr(zone, '-') - zone))))
		rc = EXPO_ENOMEM;
	if (rc == 0)
		rc = jget_arr(&x->j, v, "network_interface", false, &nics);
	if (rc < 0)
		goto out;
	/* public addresses first, from every interface */
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		m1 = jpath_key(&x->j, "network_interface");
		i = 0;
		cJSON_ArrayForEach(nic, nics)
		{
			m2 = jpath_idx(&x->j, i++);
			rc = cJSON_IsObject(nic)
				     ? 0
				     : jerr(&x->j, "expected an object");
			if (rc == 0 && pass == 0)
				rc = inv_addr_arr(&x->j, t, nic,
						  "access_config", "nat_ip", 1);
			if (rc == 0 && pass == 0)
				rc = inv_addr_arr(&x->j, t, nic,
						  "ipv6_access_config",
						  "external_ipv6", 1);
			if (rc == 0 && pass == 1)
				rc = inv_addr_field(&x->j, t, nic, "network_ip",
						    0);
			if (rc == 0 && pass == 1)
				rc = inv_addr_field(&x->j, t, nic,
						    "ipv6_address", -1);
			jpath_pop(&x->j, m2);
			if (rc < 0)
				break;
		}
		jpath_pop(&x->j, m1);
	}
	if (rc == 0)
		rc = inv_skip_state(t, "terraform current_status", status,
				    !status || !strcmp(status, "RUNNING"));
out:
	return rc;
}

static int azure_vm(struct tf *x, struct target *t, const cJSON *v,
		    const char *type)
{
	struct target_meta *m = t->meta;
	const char *loc = NULL, *zone = NULL;
	const cJSON *zones = NULL, *disk;
	const char *os = "linux";
	int rc;

	rc = jget_str(&x->j, v, "location", false, &loc);
	if (rc == 0 && jget(v, "zones"))
		rc = jget_str_arr(&x->j, v, "zones", &zones);
	else if (rc == 0)
		rc = jget_str(&x->j, v, "zone", false, &zone);
	if (rc == 0)
		rc = tags_obj(x, t, v, "tags");
	if (rc < 0)
		goto out;
	if (zones)
		zone = cJSON_GetStringValue(cJSON_GetArrayItem(zones, 0));
	if (strstr(type, "windows"))
		os = "windows";
	disk = cJSON_GetArrayItem(jget(v, "storage_os_disk"), 0);
	if (!strcmp(type, "azurerm_virtual_machine") &&
	    (cJSON_GetArraySize(jget(v, "os_profile_windows_config")) ||
	     !strcasecmp(cJSON_GetStringValue(jget(disk, "os_type"))
				 ? cJSON_GetStringValue(jget(disk, "os_type"))
				 : "",
			 "windows")))
		os = "windows";
	rc = inv_set_str(&m->region, loc);
	if (rc == 0)
		rc = inv_set_str(&m->zone, zone);
	if (rc == 0)
		rc = inv_set_str(&m->os, os);
	if (rc == 0)
		rc = inv_addr_field(&x->j, t, v, "public_ip_address", 1);
	if (rc == 0)
		rc = inv_addr_arr(&x->j, t, v, "public_ip_addresses", NULL, 1);
	if (rc == 0)
		rc = inv_addr_field(&x->j, t, v, "private_ip_address", 0);
	if (rc == 0)
		rc = inv_addr_arr(&x->j, t, v, "private_ip_addresses", NULL, 0);
out:
	return rc;
}

/* one ingress world rule of an SG, from any of the three resources */
static int sg_rule(struct tf *x, const char *sg, const char *sgname,
		   const char *proto, long from, long to, const char *src)
{
	struct fw_rule *r;
	bool all = !strcmp(proto, "-1") || !strcasecmp(proto, "all");
	int rc = EXPO_ENOMEM;

	unsigned bits = inv_proto_bits(all ? "all" : proto);

	if (bits == 0) {
		rc = 0;
		goto out;
	}
	r = fw_rule_add(&x->sgs);
	if (!r)
		goto out;
	r->group = sg;
	r->group_alt = sgname;
	r->allow = true;
	r->src = src;
	r->protos = (uint8_t)bits;
	if (asprintf(&r->ref, "%s ingress %s", sg,
		     all			    ? "all"
		     : bits == PROTO_BIT(PROTO_UDP) ? "udp"
						    : "tcp") < 0) {
		r->ref = NULL;
		goto out;
	}
	if (!all && from >= 0 && to >= 0 && to < from) {
		rc = jerr(&x->j, "from_port %ld is above to_port %ld", from,
			  to);
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

/* each CIDR of an optional array of them is well-formed */
static int tf_cidrs(struct tf *x, const cJSON *arr, const char *key)
{
	const cJSON *e;
	size_t i = 0, m1, m2;
	char q[64];
	int rc = 0;

	m1 = jpath_key(&x->j, key);
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(&x->j, i++);
		if (!fw_cidr_valid(e->valuestring, true))
			rc = jerr(&x->j, "'%s' is not a CIDR",
				  inv_quote(e->valuestring,
					    strlen(e->valuestring), q,
					    sizeof(q)));
		jpath_pop(&x->j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(&x->j, m1);
	return rc;
}

/* one optional CIDR string field */
static int tf_cidr(struct tf *x, const char *s, const char *key)
{
	char q[64];
	int rc = 0;

	if (s && *s && !fw_cidr_valid(s, true))
		rc = jerr_key(&x->j, key, "'%s' is not a CIDR",
			      inv_quote(s, strlen(s), q, sizeof(q)));
	return rc;
}

/* {from_port, to_port, protocol, cidr_blocks, ipv6_cidr_blocks} */
static int sg_block(struct tf *x, const char *sg, const char *sgname,
		    const cJSON *b)
{
	const cJSON *v4 = NULL, *v6 = NULL;
	const char *proto = NULL;
	long from, to;
	int rc;

	rc = cJSON_IsObject(b) ? 0 : jerr(&x->j, "expected an object");
	if (rc == 0)
		rc = jget_str(&x->j, b, "protocol", true, &proto);
	if (rc == 0)
		rc = jget_int(&x->j, b, "from_port", -1, 65535, -1, &from);
	if (rc == 0)
		rc = jget_int(&x->j, b, "to_port", -1, 65535, -1, &to);
	if (rc == 0)
		rc = jget_str_arr(&x->j, b, "cidr_blocks", &v4);
	if (rc == 0)
		rc = jget_str_arr(&x->j, b, "ipv6_cidr_blocks", &v6);
	if (rc == 0)
		rc = tf_cidrs(x, v4, "cidr_blocks");
	if (rc == 0)
		rc = tf_cidrs(x, v6, "ipv6_cidr_blocks");
	if (rc == 0 && jarr_has_str(v4, "0.0.0.0/0", false))
		rc = sg_rule(x, sg, sgname, proto, from, to, "0.0.0.0/0");
	else if (rc == 0 && jarr_has_str(v6, "::/0", false))
		rc = sg_rule(x, sg, sgname, proto, from, to, "::/0");
	return rc;
}

static int sg_resource(struct tf *x, const char *type, const cJSON *v)
{
	const char *id = NULL, *name = NULL, *kind = NULL, *proto = NULL;
	const char *c4 = NULL, *c6 = NULL;
	const cJSON *ingress = NULL, *e;
	long from, to;
	size_t i = 0, m1, m2;
	int rc;

	if (!strcmp(type, "aws_security_group")) {
		rc = jget_str(&x->j, v, "id", false, &id);
		if (rc == 0)
			rc = jget_str(&x->j, v, "name", false, &name);
		if (rc == 0 && id)
			rc = fw_group_add(&x->sgs, id);
		if (rc == 0 && name)
			rc = fw_group_add(&x->sgs, name);
		if (rc == 0)
			rc = jget_arr(&x->j, v, "ingress", false, &ingress);
		if (rc < 0 || !ingress || !id)
			goto out;
		m1 = jpath_key(&x->j, "ingress");
		cJSON_ArrayForEach(e, ingress)
		{
			m2 = jpath_idx(&x->j, i++);
			rc = sg_block(x, id, name, e);
			jpath_pop(&x->j, m2);
			if (rc < 0)
				break;
		}
		jpath_pop(&x->j, m1);
	} else if (!strcmp(type, "aws_security_group_rule")) {
		rc = jget_str(&x->j, v, "type", false, &kind);
		if (rc == 0)
			rc = jget_str(&x->j, v, "security_group_id", true, &id);
		if (rc == 0 && kind && !strcmp(kind, "ingress"))
			rc = sg_block(x, id, NULL, v);
	} else {
		/* aws_vpc_security_group_ingress_rule */
		rc = jget_str(&x->j, v, "security_group_id", true, &id);
		if (rc == 0)
			rc = jget_str(&x->j, v, "ip_protocol", true, &proto);
		if (rc == 0)
			rc = jget_int(&x->j, v, "from_port", -1, 65535, -1,
				      &from);
		if (rc == 0)
			rc = jget_int(&x->j, v, "to_port", -1, 65535, -1, &to);
		if (rc == 0)
			rc = jget_str(&x->j, v, "cidr_ipv4", false, &c4);
		if (rc == 0)
			rc = jget_str(&x->j, v, "cidr_ipv6", false, &c6);
		if (rc == 0)
			rc = tf_cidr(x, c4, "cidr_ipv4");
		if (rc == 0)
			rc = tf_cidr(x, c6, "cidr_ipv6");
		if (rc == 0 && c4 && !strcmp(c4, "0.0.0.0/0"))
			rc = sg_rule(x, id, NULL, proto, from, to, c4);
		else if (rc == 0 && c6 && !strcmp(c6, "::/0"))
			rc = sg_rule(x, id, NULL, proto, from, to, c6);
	}
out:
	return rc;
}

static bool is_sg_type(const char *type)
{
	return !strcmp(type, "aws_security_group") ||
	       !strcmp(type, "aws_security_group_rule") ||
	       !strcmp(type, "aws_vpc_security_group_ingress_rule");
}

static bool is_vm_type(const char *type)
{
	return !strcmp(type, "aws_instance") ||
	       !strcmp(type, "google_compute_instance") ||
	       !strcmp(type, "azurerm_linux_virtual_machine") ||
	       !strcmp(type, "azurerm_windows_virtual_machine") ||
	       !strcmp(type, "azurerm_virtual_machine");
}

static int resource(struct tf *x, const cJSON *res)
{
	const char *addr = NULL, *mode = NULL, *type = NULL, *name = NULL;
	const cJSON *v = NULL;
	struct target *t;
	size_t mark;
	int rc;

	rc = cJSON_IsObject(res) ? 0 : jerr(&x->j, "expected an object");
	if (rc == 0)
		rc = jget_str(&x->j, res, "address", true, &addr);
	if (rc == 0)
		rc = jget_str(&x->j, res, "mode", false, &mode);
	if (rc == 0)
		rc = jget_str(&x->j, res, "type", true, &type);
	if (rc == 0)
		rc = jget_obj(&x->j, res, "values", false, &v);
	if (rc < 0 || (mode && strcmp(mode, "managed")))
		goto out;
	x->sensitive =
		cJSON_GetObjectItemCaseSensitive(res, "sensitive_values");
	mark = jpath_key(&x->j, "values");
	if (x->sg_pass && is_sg_type(type)) {
		rc = v ? sg_resource(x, type, v) : 0;
		goto pop;
	}
	if (x->sg_pass || !is_vm_type(type))
		goto pop;
	t = inv_target_new(&x->L->list, "terraform", x->f->source, "tf", addr);
	if (!t || !inv_meta(t)) {
		rc = EXPO_ENOMEM;
		goto pop;
	}
	rc = jget_str(&x->j, v, "name", false, &name);
	if (rc == 0 && name && *name)
		rc = inv_set_str(&t->name, name);
	if (rc == 0 && !strcmp(type, "aws_instance"))
		rc = aws_instance(x, t, v);
	else if (rc == 0 && !strcmp(type, "google_compute_instance"))
		rc = gcp_instance(x, t, v);
	else if (rc == 0)
		rc = azure_vm(x, t, v, type);
	if (rc == 0)
		rc = inv_gpu_detect(t, v, type);
	if (rc == 0 && !t->naddrs)
		rc = inv_skip(t, "no address");
pop:
	jpath_pop(&x->j, mark);
out:
	return rc;
}

static int module(struct tf *x, const cJSON *mod);

/* fn on each element of the optional array obj.key */
static int each(struct tf *x, const cJSON *obj, const char *key,
		int (*fn)(struct tf *x, const cJSON *e))
{
	const cJSON *arr = NULL, *e;
	size_t i = 0, m1, m2;
	int rc;

	rc = jget_arr(&x->j, obj, key, false, &arr);
	if (rc < 0)
		goto out;
	m1 = jpath_key(&x->j, key);
	cJSON_ArrayForEach(e, arr)
	{
		m2 = jpath_idx(&x->j, i++);
		rc = fn(x, e);
		jpath_pop(&x->j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(&x->j, m1);
out:
	return rc;
}

static int module(struct tf *x, const cJSON *mod)
{
	int rc;

	rc = cJSON_IsObject(mod) ? 0 : jerr(&x->j, "expected an object");
	if (rc == 0)
		rc = each(x, mod, "resources", resource);
	if (rc == 0)
		rc = each(x, mod, "child_modules", module);
	return rc;
}

static int check_version(struct tf *x, const cJSON *root)
{
	const char *ver = NULL;
	unsigned long major;
	char *end = NULL, q[40];
	int rc;

	rc = jget_str(&x->j, root, "format_version", true, &ver);
	if (rc < 0)
		goto out;
	errno = 0;
	major = strtoul(ver, &end, 10);
	/* 0.1 and 0.2 (Terraform 0.12 to 1.0) have the shape of 1.x, as
	 * HashiCorp's own terraform-json reads them (>= 0.1, < 2.0) */
	if (!isdigit((unsigned char)*ver) || errno || (*end && *end != '.') ||
	    major > 1)
		rc = jerr_key(&x->j, "format_version",
			      "unsupported "
			      "format_version %s (this reads 0.x and 1.x: the "
			      "output of terraform show -json)",
			      inv_quote(ver, strlen(ver), q, sizeof(q)));
out:
	return rc;
}

int inv_terraform_load(struct inv_load *L, const struct inv_file *f,
		       const cJSON *root)
{
	const cJSON *values = NULL, *rootmod = NULL;
	struct tf x;
	size_t m1, m2, first = L->list.n;
	int rc;

	memset(&x, 0, sizeof(x));
	x.L = L;
	x.f = f;
	jctx_init(&x.j, f->name, L->err);
	rc = cJSON_IsObject(root) ? 0 : jerr(&x.j, "expected an object");
	if (rc == 0)
		rc = check_version(&x, root);
	if (rc == 0)
		rc = jget_obj(&x.j, root, "values", false, &values);
	/* a saved plan (terraform show -json PLANFILE): tfplan.c */
	if (rc == 0 && !values &&
	    (jget(root, "resource_changes") || jget(root, "planned_values")))
		return inv_tfplan_load(L, f, root);
	if (rc < 0 || !values)
		goto out; /* an empty state has no "values" */
	m1 = jpath_key(&x.j, "values");
	rc = jget_obj(&x.j, values, "root_module", false, &rootmod);
	if (rc == 0 && rootmod) {
		m2 = jpath_key(&x.j, "root_module");
		/* security groups first: instances refer to them */
		x.sg_pass = true;
		rc = module(&x, rootmod);
		x.sg_pass = false;
		if (rc == 0)
			rc = module(&x, rootmod);
		jpath_pop(&x.j, m2);
		/* the configuration rules judge what is as they judge a plan */
		if (rc == 0)
			rc = inv_tfstate_facts(L, f, rootmod, first);
	}
	jpath_pop(&x.j, m1);
out:
	fw_set_release(&x.sgs);
	return rc;
}
