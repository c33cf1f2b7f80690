/*
 * cloudfacts.c - the posture that the clouds' own CLI JSON shows, as
 * config facts (include/posture.h) for the config stage: IMDS settings
 * and GPU types of EC2 instances, SSH password logins and GPU sizes of
 * Azure VMs, metadata, service accounts and accelerators of GCP
 * instances (instance metadata over the project's, from `gcloud compute
 * project-info describe`), and the managed databases of `aws rds
 * describe-db-instances` and `gcloud sql instances list`.
 *
 * Runs after every file is read (inv_cloud_facts), so that the project's
 * metadata applies whatever the order of the files. Fields it does not
 * find are left out: a fact that is absent is never a finding.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "loaders.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k)
				 : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(get(o, k));
}

/* the target's config object, created on first use */
static cJSON *facts(struct target *t)
{
	struct target_meta *m = inv_meta(t);

	if (m == NULL)
		return NULL;
	if (m->config == NULL)
		m->config = cJSON_CreateObject();
	return m->config;
}

static int add_str(struct target *t, const char *k, const char *v)
{
	cJSON *c = facts(t);

	return c != NULL && cJSON_AddStringToObject(c, k, v) ? 0 : EXPO_ENOMEM;
}

static int add_bool(struct target *t, const char *k, bool v)
{
	cJSON *c = facts(t);

	return c != NULL && cJSON_AddBoolToObject(c, k, v) ? 0 : EXPO_ENOMEM;
}

static int common(struct target *t, const char *resource, const char *kind)
{
	int rc = add_str(t, "resource", resource);

	return rc == 0 ? add_str(t, "kind", kind) : rc;
}

/* ---- AWS ec2 describe-instances ---- */

static int aws_facts(struct target *t, const cJSON *inst)
{
	const cJSON *mo = get(inst, "MetadataOptions");
	const char *tok = str(mo, "HttpTokens"), *ep = str(mo, "HttpEndpoint");
	const char *pub = str(inst, "PublicIpAddress");
	int rc = common(
		t, str(inst, "InstanceId") ? str(inst, "InstanceId") : t->id,
		"instance");
	char why[128];

	if (rc == 0 && inv_gpu_why(inst, "aws", why, sizeof(why)))
		rc = add_str(t, "gpu", why);
	/* the CLI reports the effective value: no assumption needed */
	if (rc == 0 && tok != NULL)
		rc = add_str(t, "imds_tokens", tok);
	if (rc == 0 && ep != NULL)
		rc = add_str(t, "imds_endpoint", ep);
	if (rc == 0)
		rc = add_str(t, "public_address",
			     pub != NULL && *pub ? "known" : "none");
	return rc;
}

/* ---- Azure az vm list -d ---- */

static int azure_facts(struct target *t, const cJSON *vm)
{
	const cJSON *props = get(vm, "properties") ? get(vm, "properties") : vm;
	const cJSON *lc = get(get(props, "osProfile"), "linuxConfiguration");
	int rc = common(t, str(vm, "id") ? str(vm, "id") : t->id, "instance");
	char why[128];

	if (rc == 0 && inv_gpu_why(vm, "azure", why, sizeof(why)))
		rc = add_str(t, "gpu", why);
	if (rc == 0 && cJSON_IsFalse(get(lc, "disablePasswordAuthentication")))
		rc = add_bool(t, "password_ssh", true);
	return rc;
}

/* ---- GCP gcloud compute instances list ---- */

/* metadata.items[] {key, value}: 1 "true", 0 other, -1 absent */
static int meta_item(const cJSON *meta, const char *key)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, get(meta, "items"))
	{
		const char *k = str(e, "key"), *v = str(e, "value");

		if (k != NULL && strcmp(k, key) == 0)
			return v != NULL && (strcasecmp(v, "true") == 0 ||
					     strcmp(v, "1") == 0);
	}
	return -1;
}

static int gcp_default_sa(struct target *t, const cJSON *inst)
{
	const cJSON *sa, *s;

	cJSON_ArrayForEach(sa, get(inst, "serviceAccounts"))
	{
		const char *email = str(sa, "email");
		const char *at = email ? strstr(email, "-compute@developer."
						       "gserviceaccount.com")
				       : NULL;

		if (at == NULL || at == email ||
		    at[strlen("-compute@developer.gserviceaccount.com")] !=
			    '\0')
			continue;
		cJSON_ArrayForEach(s, get(sa, "scopes"))
		{
			const char *v = cJSON_GetStringValue(s);

			if (v != NULL &&
			    strcmp(v, "https://www.googleapis.com/auth/"
				      "cloud-platform") == 0)
				return add_str(t, "default_sa_scope", email);
		}
	}
	return 0;
}

static int gcp_facts(struct target *t, const cJSON *inst, const cJSON *project)
{
	const cJSON *meta = get(inst, "metadata");
	const cJSON *pmeta = get(project, "commonInstanceMetadata");
	int serial = meta_item(meta, "serial-port-enable");
	int oslogin = meta_item(meta, "enable-oslogin");
	int rc = common(t,
			str(inst, "selfLink") ? str(inst, "selfLink") : t->id,
			"instance");
	char why[128];

	if (serial < 0)
		serial = meta_item(pmeta, "serial-port-enable");
	if (oslogin < 0)
		oslogin = meta_item(pmeta, "enable-oslogin");
	/* OS Login is off unless turned on: known when the project's
	 * metadata was given too */
	if (oslogin < 0 && project != NULL)
		oslogin = 0;
	if (rc == 0 && inv_gpu_why(inst, "gcp", why, sizeof(why)))
		rc = add_str(t, "gpu", why);
	if (rc == 0 && serial == 1)
		rc = add_bool(t, "serial_port", true);
	if (rc == 0 && oslogin >= 0)
		rc = add_bool(t, "oslogin", oslogin == 1);
	if (rc == 0)
		rc = add_bool(t, "block_project_ssh_keys",
			      meta_item(meta, "block-project-ssh-keys") == 1);
	if (rc == 0)
		rc = gcp_default_sa(t, inst);
	return rc;
}

int inv_cloud_facts(struct inv_load *L)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < L->njoins[INV_AWS] && rc == 0; i++)
		rc = aws_facts(&L->list.v[L->joins[INV_AWS][i].idx],
			       L->joins[INV_AWS][i].node);
	for (i = 0; i < L->njoins[INV_AZURE] && rc == 0; i++)
		rc = azure_facts(&L->list.v[L->joins[INV_AZURE][i].idx],
				 L->joins[INV_AZURE][i].node);
	for (i = 0; i < L->njoins[INV_GCP] && rc == 0; i++)
		rc = gcp_facts(&L->list.v[L->joins[INV_GCP][i].idx],
			       L->joins[INV_GCP][i].node, L->gcp_project);
	if (rc == EXPO_ENOMEM)
		rc = inv_err_rc(L->err, rc, "out of memory");
	return rc;
}

/* ---- managed databases and the GCP project ---- */

int inv_gcp_project_load(struct inv_load *L, const struct inv_file *f,
			 const cJSON *root)
{
	struct jctx j;

	jctx_init(&j, f->name, L->err);
	if (!cJSON_IsObject(get(root, "commonInstanceMetadata")) &&
	    get(root, "commonInstanceMetadata") != NULL)
		return jerr_key(&j, "commonInstanceMetadata",
				"expected an object");
	if (L->gcp_project != NULL)
		return jerr(&j, "a second gcloud compute project-info "
				"describe: give one project's");
	L->gcp_project = root;
	return 0;
}

static int db_target(struct inv_load *L, const struct inv_file *f,
		     const char *provider, const char *id, const char *why,
		     unsigned port, const char *addr, struct jctx *j)
{
	struct target *t;
	cJSON *c;
	int rc;

	if ((rc = inv_list_reserve(&L->list, 1)) < 0)
		return rc;
	t = inv_target_new(&L->list, provider, f->source, provider, id);
	if (t == NULL || inv_set_str(&t->name, id) < 0 ||
	    common(t, id, "database") != 0 ||
	    add_str(t, "public_database", why) != 0 || (c = facts(t)) == NULL ||
	    (port != 0 && !cJSON_AddNumberToObject(c, "port", port)))
		return EXPO_ENOMEM;
	if (addr != NULL && inv_addr_add_text(t, addr, 1) < 0)
		return jerr(j, "'%s' is not an address", addr);
	return 0;
}

static int rds_one(struct inv_load *L, const struct inv_file *f, struct jctx *j,
		   const cJSON *db)
{
	const char *id = str(db, "DBInstanceIdentifier");
	const cJSON *port = get(get(db, "Endpoint"), "Port");

	if (!cJSON_IsObject(db) || id == NULL)
		return jerr(j, "expected an object with DBInstanceIdentifier");
	if (!cJSON_IsTrue(get(db, "PubliclyAccessible")))
		return 0;
	/* the endpoint is a name: the config stage judges it; no lookup */
	return db_target(L, f, "aws", id, "PubliclyAccessible = true",
			 cJSON_IsNumber(port) && port->valuedouble > 0 &&
					 port->valuedouble < 65536
				 ? (unsigned)port->valuedouble
				 : 0,
			 NULL, j);
}

int inv_rds_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root)
{
	struct jctx j;
	const cJSON *arr = get(root, "DBInstances"), *e;
	size_t i = 0, m;
	int rc = 0;

	jctx_init(&j, f->name, L->err);
	if (!cJSON_IsArray(arr))
		return jerr_key(&j, "DBInstances", "expected an array");
	m = jpath_key(&j, "DBInstances");
	cJSON_ArrayForEach(e, arr)
	{
		size_t m2 = jpath_idx(&j, i++);

		if (rc == 0)
			rc = rds_one(L, f, &j, e);
		jpath_pop(&j, m2);
	}
	jpath_pop(&j, m);
	return rc;
}

static unsigned sql_port(const char *version)
{
	if (version == NULL)
		return 0;
	if (strncmp(version, "POSTGRES", 8) == 0)
		return 5432;
	if (strncmp(version, "MYSQL", 5) == 0)
		return 3306;
	if (strncmp(version, "SQLSERVER", 9) == 0)
		return 1433;
	return 0;
}

static int sql_one(struct inv_load *L, const struct inv_file *f, struct jctx *j,
		   const cJSON *db)
{
	const cJSON *ipc = get(get(db, "settings"), "ipConfiguration"), *n;
	const char *name = str(db, "name"), *addr = NULL;
	char why[160] = "ipv4Enabled = true";

	if (!cJSON_IsObject(db) || name == NULL)
		return jerr(j, "expected an object with name");
	if (!cJSON_IsTrue(get(ipc, "ipv4Enabled")))
		return 0;
	cJSON_ArrayForEach(n, get(ipc, "authorizedNetworks"))
	{
		const char *v = str(n, "value");

		if (v != NULL &&
		    (strcmp(v, "0.0.0.0/0") == 0 || strcmp(v, "::/0") == 0))
			snprintf(why, sizeof(why),
				 "ipv4Enabled = true, authorized network %s",
				 v);
	}
	cJSON_ArrayForEach(n, get(db, "ipAddresses"))
	{
		if (str(n, "type") != NULL &&
		    strcmp(str(n, "type"), "PRIMARY") == 0)
			addr = str(n, "ipAddress");
	}
	return db_target(L, f, "gcp", name, why,
			 sql_port(str(db, "databaseVersion")), addr, j);
}

int inv_cloudsql_load(struct inv_load *L, const struct inv_file *f,
		      const cJSON *root)
{
	struct jctx j;
	const cJSON *e;
	size_t i = 0, m;
	int rc = 0;

	jctx_init(&j, f->name, L->err);
	cJSON_ArrayForEach(e, root)
	{
		m = jpath_idx(&j, i++);
		if (rc == 0)
			rc = sql_one(L, f, &j, e);
		jpath_pop(&j, m);
	}
	return rc;
}
