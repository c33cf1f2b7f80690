/*
 * inventory.c - inventory_load(): read each file, detect its format, run
 * its loader into a staging list, join firewall files to instances, and
 * only then hand every target to the caller (all or nothing).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynbuf.h"
#include "expo.h"
#include "loaders.h"

enum inv_kind {
	K_NONE,
	K_LIST,
	K_NMAP,
	K_AWS,
	K_AWS_SG,
	K_GCP,
	K_GCP_FW,
	K_AZURE,
	K_AZURE_NSG,
	K_TERRAFORM,
	K_ANSIBLE,
	K_EMPTY_ARRAY,
	K_RDS,
	K_CLOUDSQL,
	K_GCP_PROJECT,
};

#define ACCEPTED_FORMATS                                                   \
	"aws ec2 describe-instances or describe-security-groups, "         \
	"gcloud compute instances list or firewall-rules list "            \
	"(--format=json), az vm list -d or az network nsg list, "          \
	"terraform show -json (state or plan), ansible-inventory --list, " \
	"aws rds describe-db-instances, gcloud sql instances list, "       \
	"gcloud compute project-info describe"

/*
 * A FIFO is opened without blocking (open() would wait for a writer for
 * ever) and given wait_ms for a writer to turn up: data, or a writer that
 * has not written yet (EAGAIN), or one that came and left (POLLHUP). Then
 * it is read like any file.
 */
static int fifo_wait(int fd, const char *path, unsigned wait_ms,
		     struct dynbuf *b, bool *eof, char **err)
{
	char chunk[4096];
	struct pollfd pfd;
	unsigned waited = 0;
	ssize_t n;
	int rc = 0;

	*eof = false;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			rc = dynbuf_add(b, chunk, (size_t)n);
			break;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break; /* a writer is there */
		if (n < 0 && errno != EINTR) {
			rc = inv_err_rc(err, EXPO_EIO, "%s: cannot read: %s",
					path, strerror(errno));
			break;
		}
		if (waited >= wait_ms) {
			rc = inv_err_rc(err, EXPO_EIO,
					"%s: a FIFO that nothing wrote to "
					"within %u s: start its writer first, "
					"or pipe the inventory to standard "
					"input (-)",
					path, (wait_ms + 999) / 1000);
			break;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 100) > 0 && (pfd.revents & POLLHUP) &&
		    !(pfd.revents & POLLIN)) {
			*eof = true; /* a writer came and wrote nothing */
			break;
		}
		waited += 100;
	}
	if (rc == 0)
		rc = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0
			     ? EXPO_EIO
			     : 0;
	return rc;
}

int inv_read_file_wait(const char *path, size_t max, unsigned wait_ms,
		       char **data, size_t *len, char **err)
{
	struct dynbuf b;
	struct stat st;
	bool is_stdin = !strcmp(path, "-"), eof = false;
	char chunk[65536];
	int fd = -1, rc = 0;
	ssize_t n;

	dynbuf_init(&b, max);
	fd = is_stdin ? STDIN_FILENO
		      : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = inv_err_rc(err, EXPO_EIO, "%s: cannot open: %s", path,
				strerror(errno));
		goto out;
	}
	if (!is_stdin && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		rc = fifo_wait(fd, path, wait_ms, &b, &eof, err);
	else if (!is_stdin &&
		 fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		rc = EXPO_EIO;
	if (rc < 0)
		goto toobig;
	while (!eof) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = inv_err_rc(err, EXPO_EIO, "%s: cannot read: %s",
					is_stdin ? "<stdin>" : path,
					strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		rc = dynbuf_add(&b, chunk, (size_t)n);
		if (rc < 0)
			goto toobig;
	}
	*len = dynbuf_len(&b);
	/* an empty dynbuf may hold no buffer at all */
	*data = dynbuf_len(&b) ? dynbuf_detach(&b) : calloc(1, 1);
	if (!*data)
		rc = EXPO_ENOMEM;
	goto out;
toobig:
	if (rc == EXPO_ETOOBIG)
		rc = inv_err_rc(err, rc,
				"%s: larger than %zu MiB: "
				"split the inventory into several "
				"files",
				is_stdin ? "<stdin>" : path, max >> 20);
out:
	if (fd >= 0 && !is_stdin)
		close(fd);
	dynbuf_release(&b);
	return rc;
}

int inv_read_file(const char *path, size_t max, char **data, size_t *len,
		  char **err)
{
	return inv_read_file_wait(path, max, INV_FIFO_WAIT_MS, data, len, err);
}

/* "[2001:db8::1]:22" starts a plain list, "[{" a JSON array */
static bool list_bracket_line(const char *p, const char *end)
{
	const char *q = p + 1;
	bool ok = false;

	while (q < end && (isxdigit((unsigned char)*q) || *q == ':' ||
			   *q == '.' || *q == '/'))
		q++;
	/* a ':' right inside '[' is never JSON: an IPv6 target */
	if (memchr(p + 1, ':', (size_t)(q - p - 1))) {
		ok = true;
		goto out;
	}
	if (q == p + 1 || q >= end || *q != ']')
		goto out;
	q++;
	ok = q == end || *q == ':' || *q == '#' || isspace((unsigned char)*q);
out:
	return ok;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

static enum inv_kind kind_of_json(const cJSON *root)
{
	const cJSON *first;
	const char *kind;
	enum inv_kind k = K_NONE;

	if (cJSON_IsObject(root)) {
		if (jget(root, "Reservations"))
			k = K_AWS;
		else if (jget(root, "SecurityGroups"))
			k = K_AWS_SG;
		else if (jget(root, "format_version") &&
			 (jget(root, "values") ||
			  jget(root, "terraform_version") ||
			  jget(root, "resource_changes") ||
			  jget(root, "planned_values")))
			k = K_TERRAFORM;
		else if (jget(root, "_meta") || jget(root, "all"))
			k = K_ANSIBLE;
		else if (jget(root, "DBInstances"))
			k = K_RDS;
		else if (jget(root, "commonInstanceMetadata") ||
			 (cJSON_GetStringValue(jget(root, "kind")) &&
			  !strcmp(cJSON_GetStringValue(jget(root, "kind")),
				  "compute#project")))
			k = K_GCP_PROJECT;
		goto out;
	}
	if (!cJSON_IsArray(root))
		goto out;
	first = root->child;
	if (!first) {
		k = K_EMPTY_ARRAY;
		goto out;
	}
	if (!cJSON_IsObject(first))
		goto out;
	kind = cJSON_GetStringValue(jget(first, "kind"));
	/* NSGs also carry networkInterfaces: test them before GCP */
	if (jget(first, "securityRules") ||
	    jget(first, "defaultSecurityRules") ||
	    (jget(first, "properties") &&
	     jget(jget(first, "properties"), "securityRules")))
		k = K_AZURE_NSG;
	else if (jget(first, "vmId") || jget(first, "hardwareProfile") ||
		 jget(first, "powerState") ||
		 (jget(first, "properties") &&
		  jget(jget(first, "properties"), "vmId")))
		k = K_AZURE;
	else if (jget(first, "networkInterfaces") ||
		 (kind && !strcmp(kind, "compute#instance")))
		k = K_GCP;
	else if (jget(first, "sourceRanges") ||
		 ((jget(first, "allowed") || jget(first, "denied")) &&
		  jget(first, "direction")) ||
		 (kind && !strcmp(kind, "compute#firewall")))
		k = K_GCP_FW;
	else if (jget(first, "InstanceId"))
		k = K_AWS; /* --query 'Reservations[].Instances[]' */
	else if (jget(first, "databaseVersion") ||
		 (kind && !strcmp(kind, "sql#instance")))
		k = K_CLOUDSQL;
out:
	return k;
}

/* the kind within an explicitly named cloud format */
static enum inv_kind kind_in_format(const char *fmt, enum inv_kind k)
{
	enum inv_kind r = K_NONE;

	if (!strcmp(fmt, "aws"))
		r = k == K_AWS_SG || k == K_RDS ? k : K_AWS;
	else if (!strcmp(fmt, "gcp"))
		r = k == K_GCP_FW || k == K_CLOUDSQL || k == K_GCP_PROJECT
			    ? k
			    : K_GCP;
	else if (!strcmp(fmt, "azure"))
		r = k == K_AZURE_NSG ? K_AZURE_NSG : K_AZURE;
	else if (!strcmp(fmt, "terraform"))
		r = K_TERRAFORM;
	else if (!strcmp(fmt, "ansible"))
		r = K_ANSIBLE;
	return r;
}

static int keep_doc(struct inv_load *L, cJSON *doc)
{
	cJSON **v;
	int rc = 0;

	if (L->ndocs == L->adocs) {
		size_t n = L->adocs ? L->adocs * 2 : 4;

		v = realloc(L->docs, n * sizeof(*v));
		if (!v) {
			rc = EXPO_ENOMEM;
			goto out;
		}
		L->docs = v;
		L->adocs = n;
	}
	L->docs[L->ndocs++] = doc;
out:
	return rc;
}

static int load_json(struct inv_load *L, const struct inv_file *f,
		     const char *fmt)
{
	cJSON *root = NULL;
	enum inv_kind k;
	int rc;

	rc = inv_json_parse(f->name, f->data, f->len, &root, L->err);
	if (rc < 0)
		goto out;
	rc = keep_doc(L, root);
	if (rc < 0) {
		cJSON_Delete(root);
		goto out;
	}
	k = kind_of_json(root);
	if (fmt)
		k = kind_in_format(fmt, k);
	switch (k) {
	case K_AWS:
		L->have_instances[INV_AWS] = true;
		rc = inv_aws_load(L, f, root);
		break;
	case K_AWS_SG:
		rc = inv_aws_sg_load(L, f, root);
		break;
	case K_GCP:
		L->have_instances[INV_GCP] = true;
		rc = inv_gcp_load(L, f, root);
		break;
	case K_GCP_FW:
		rc = inv_gcp_fw_load(L, f, root);
		break;
	case K_AZURE:
		L->have_instances[INV_AZURE] = true;
		rc = inv_azure_load(L, f, root);
		break;
	case K_AZURE_NSG:
		rc = inv_azure_nsg_load(L, f, root);
		break;
	case K_TERRAFORM:
		rc = inv_terraform_load(L, f, root);
		break;
	case K_ANSIBLE:
		rc = inv_ansible_load(L, f, root);
		break;
	case K_RDS:
		rc = inv_rds_load(L, f, root);
		break;
	case K_CLOUDSQL:
		rc = inv_cloudsql_load(L, f, root);
		break;
	case K_GCP_PROJECT:
		rc = inv_gcp_project_load(L, f, root);
		break;
	case K_EMPTY_ARRAY:
		break; /* an empty list of anything: no targets */
	default:
		rc = inv_err(L->err,
			     "%s: JSON of an unknown kind; expected "
			     "the output of " ACCEPTED_FORMATS " (or name the "
			     "format with --format)",
			     f->name);
		break;
	}
out:
	return rc;
}

static bool format_known(const char *fmt)
{
	static const char *const names[] = {
		"list", "aws", "gcp", "azure", "terraform", "ansible", "nmap",
	};
	bool ok = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names) && !ok; i++)
		ok = !strcmp(fmt, names[i]);
	return ok;
}

static int load_one(struct inv_load *L, const char *path)
{
	struct inv_file f;
	const char *fmt = L->opts ? L->opts->format : NULL;
	const char *p, *end;
	char *data = NULL;
	size_t len = 0;
	int rc;

	rc = inv_read_file_wait(path, INV_MAX_FILE_BYTES,
				L->opts && L->opts->fifo_wait_ms
					? L->opts->fifo_wait_ms
					: INV_FIFO_WAIT_MS,
				&data, &len, L->err);
	if (rc < 0)
		goto out;
	memset(&f, 0, sizeof(f));
	f.name = strcmp(path, "-") ? path : "<stdin>";
	f.source = target_list_intern_source(&L->list, path);
	if (!f.source) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	f.data = data;
	f.len = len;
	/* a UTF-8 byte order mark is not content */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		f.data += 3;
		f.len -= 3;
	}
	/* Windows PowerShell 5's > writes UTF-16 with a byte order mark: a
	 * plan saved that way is not a target list with NUL bytes */
	if (f.len >= 2 && (!memcmp(f.data, "\xff\xfe", 2) ||
			   !memcmp(f.data, "\xfe\xff", 2))) {
		rc = inv_err_rc(L->err, EXPO_EPARSE,
				"%s: UTF-16 text (as PowerShell's > writes "
				"it): save it as UTF-8 (Out-File -Encoding "
				"utf8, or iconv -f UTF-16 -t UTF-8)",
				f.name);
		goto out;
	}
	end = f.data + f.len;
	p = skip_ws(f.data, end);
	if (fmt && !strcmp(fmt, "list")) {
		rc = inv_list_load(L, &f);
	} else if (fmt && !strcmp(fmt, "nmap")) {
		rc = inv_nmap_load(L, &f);
	} else if (fmt) {
		rc = load_json(L, &f, fmt);
	} else if (p < end && *p == '<') {
		rc = inv_nmap_load(L, &f);
	} else if (p < end &&
		   (*p == '{' || (*p == '[' && !list_bracket_line(p, end)))) {
		rc = load_json(L, &f, NULL);
	} else {
		rc = inv_list_load(L, &f);
	}
out:
	free(data);
	return rc;
}

/* ---- commit: dedupe ids, move targets to the caller's list ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* the labels of dup that keep lacks go to keep */
static int merge_labels(struct target *keep, const struct target *dup)
{
	const cJSON *e;
	int rc = 0;

	if (!dup->meta || !dup->meta->tags)
		goto out;
	if (!keep->meta && dup->meta_shared) {
		keep->meta = dup->meta; /* owned by the list: still alive */
		keep->meta_shared = true;
		goto out;
	}
	cJSON_ArrayForEach(e, dup->meta->tags)
	{
		if (keep->meta && cJSON_GetObjectItemCaseSensitive(
					  keep->meta->tags, e->string))
			continue;
		rc = inv_label_set(keep, e->string,
				   cJSON_GetStringValue(e) ? e->valuestring
							   : "");
		if (rc < 0)
			break;
	}
out:
	return rc;
}

/* the same id twice: one thing described twice (merged) when it has the
 * same addresses and is scanned (or skipped) alike */
static bool same_thing(const struct target *a, const struct target *b)
{
	uint32_t i, k;
	bool found = true;

	if (a->naddrs != b->naddrs || !a->skip_reason != !b->skip_reason)
		return false;
	for (i = 0; i < a->naddrs && found; i++) {
		found = false;
		for (k = 0; k < b->naddrs && !found; k++)
			found = a->addrs[i].u.sa.sa_family ==
					b->addrs[k].u.sa.sa_family &&
				(a->addrs[i].u.sa.sa_family == AF_INET
					 ? a->addrs[i].u.sin.sin_addr.s_addr ==
						   b->addrs[k]
							   .u.sin.sin_addr
							   .s_addr
					 : !memcmp(&a->addrs[i]
							    .u.sin6.sin6_addr,
						   &b->addrs[k]
							    .u.sin6.sin6_addr,
						   16));
	}
	return found;
}

/* keep the first of a duplicated id; merge the later one's ports */
static int merge_into(struct target *keep, struct target *dup)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < dup->nports; i++) {
		rc = inv_port_add_svc(keep, dup->ports[i].check,
				      dup->ports[i].service,
				      dup->ports[i].port);
		if (rc < 0)
			goto out;
	}
	keep->only_listed_ports = keep->only_listed_ports &&
				  dup->only_listed_ports;
	rc = merge_labels(keep, dup);
out:
	return rc;
}

static size_t slot_of(const struct target_list *l, const size_t *tab,
		      size_t size, const char *id)
{
	size_t h = (size_t)hash_str(id) & (size - 1);

	while (tab[h] && strcmp(l->v[tab[h] - 1].id, id))
		h = (h + 1) & (size - 1);
	return h;
}

/* a different target under a taken id (two instances that claim one
 * cloud id, e.g. a stale and a fresh export): kept, as "ID#2" */
static int rename_dup(struct target_list *l, const size_t *tab, size_t size,
		      struct target *t)
{
	size_t n = strlen(t->id) + 24, k;
	char *id = t->in_arena ? target_list_arena_alloc(l, n) : malloc(n);
	int rc = 0;

	if (!id) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (k = 2;; k++) {
		snprintf(id, n, "%s#%zu", t->id, k);
		if (!tab[slot_of(l, tab, size, id)])
			break;
	}
	if (!t->in_arena)
		free(t->id);
	t->id = id;
out:
	return rc;
}

static int dedupe(struct target_list *l)
{
	size_t *tab = NULL, size = 16, i, o, h;
	int rc = 0;

	while (size < l->n * 2)
		size *= 2;
	tab = calloc(size, sizeof(*tab)); /* index + 1; 0 = empty */
	if (!tab) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0, o = 0; i < l->n; i++) {
		h = slot_of(l, tab, size, l->v[i].id);
		if (tab[h] && same_thing(&l->v[tab[h] - 1], &l->v[i])) {
			rc = merge_into(&l->v[tab[h] - 1], &l->v[i]);
			target_release(&l->v[i]);
			if (rc < 0)
				goto out;
			continue;
		}
		if (tab[h]) {
			rc = rename_dup(l, tab, size, &l->v[i]);
			if (rc < 0)
				goto out;
			h = slot_of(l, tab, size, l->v[i].id);
		}
		if (o != i) {
			l->v[o] = l->v[i];
			memset(&l->v[i], 0, sizeof(l->v[i]));
		}
		tab[h] = ++o;
	}
	l->n = o;
out:
	if (rc < 0) {
		/* compact what is left so the list stays releasable */
		for (o = 0, i = 0; i < l->n; i++)
			if (l->v[i].id)
				l->v[o++] = l->v[i];
		l->n = o;
	}
	free(tab);
	return rc;
}

static int commit(struct inv_load *L, struct target_list *out)
{
	const char **map = NULL;
	size_t i, k;
	int rc;

	rc = dedupe(&L->list);
	if (rc < 0)
		goto out;
	/* an empty destination takes the whole list: no second copy of a
	 * /16 at the peak */
	if (out->n == 0 && out->nsources == 0) {
		target_list_release(out);
		*out = L->list;
		target_list_init(&L->list);
		goto out;
	}
	map = calloc(L->list.nsources + 1, sizeof(*map));
	if (!map) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < L->list.nsources; i++) {
		map[i] = target_list_intern_source(out, L->list.sources[i]);
		if (!map[i]) {
			rc = EXPO_ENOMEM;
			goto out;
		}
	}
	rc = inv_list_reserve(out, L->list.n);
	if (rc < 0)
		goto out;
	/* nothing below can fail */
	target_list_adopt_arena(out, &L->list);
	for (i = 0; i < L->list.n; i++) {
		struct target *t = &L->list.v[i];

		for (k = 0; k < L->list.nsources; k++)
			if (t->source == L->list.sources[k])
				t->source = map[k];
		out->v[out->n++] = *t;
	}
	L->list.n = 0;
out:
	free(map);
	return rc;
}

static void load_release(struct inv_load *L)
{
	size_t i;

	target_list_release(&L->list);
	for (i = 0; i < L->ndocs; i++)
		cJSON_Delete(L->docs[i]);
	free(L->docs);
	for (i = 0; i < INV_NCLOUDS; i++) {
		free(L->joins[i]);
		fw_set_release(&L->fw[i]);
	}
}

int inventory_load(const char *const *paths, size_t npaths,
		   const struct inventory_opts *opts, struct target_list *out,
		   char **err)
{
	static const char *const cloud_names[INV_NCLOUDS] = {
		[INV_AWS] = "AWS security groups need the instances too: "
			    "give aws ec2 describe-instances output",
		[INV_GCP] = "GCP firewall rules need the instances too: "
			    "give gcloud compute instances list output",
		[INV_AZURE] = "Azure NSGs need the VMs too: give az vm list "
			      "-d output",
	};
	struct inv_load L;
	char *myerr = NULL;
	bool stdin_seen = false;
	size_t i;
	int rc = 0;

	memset(&L, 0, sizeof(L));
	L.opts = opts;
	L.err = &myerr;
	target_list_init(&L.list);
	if (opts && opts->format && !format_known(opts->format)) {
		rc = inv_err_rc(&myerr, EXPO_EINVAL,
				"unknown inventory format "
				"'%s' (known: list, aws, gcp, azure, "
				"terraform, ansible, nmap)",
				opts->format);
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		if (!strcmp(paths[i], "-")) {
			if (stdin_seen) {
				rc = inv_err_rc(&myerr, EXPO_EINVAL,
						"'-' "
						"(standard input) given more "
						"than once");
				goto out;
			}
			stdin_seen = true;
		}
		rc = load_one(&L, paths[i]);
		if (rc < 0)
			goto out;
	}
	for (i = 0; i < INV_NCLOUDS; i++) {
		if (L.fw[i].given && !L.have_instances[i]) {
			rc = inv_err_rc(&myerr, EXPO_EINVAL,
					"%s: %s in the "
					"same call",
					L.fw[i].first_file, cloud_names[i]);
			goto out;
		}
	}
	rc = inv_aws_join(&L);
	if (rc == 0)
		rc = inv_gcp_join(&L);
	if (rc == 0)
		rc = inv_azure_join(&L);
	if (rc == 0)
		rc = inv_cloud_facts(&L);
	if (rc == 0)
		rc = commit(&L, out);
out:
	if (rc < 0 && !myerr)
		inv_err_rc(&myerr, rc, "inventory: %s", expo_strerror(rc));
	if (rc < 0 && err) {
		*err = myerr;
		myerr = NULL;
	}
	free(myerr);
	load_release(&L);
	return rc;
}
