/*
 * loaders.h - private to inventory/: the loaders, the staging state of one
 * inventory_load() call, target-building helpers and firewall evaluation.
 *
 * Loaders append to L->list, a staging list: inventory_load() moves its
 * targets to the caller's list only when every file loaded and joined. A
 * loader that fails sets *L->err (first error wins) and returns < 0; the
 * partly filled staging list is then simply released.
 */
#ifndef INV_LOADERS_H
#define INV_LOADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "inventory.h"
#include "target.h"
#include "json_util.h"

#define INV_MAX_FILE_BYTES ((size_t)256 << 20)
#define INV_DEFAULT_MAX_CIDR 65536u
#define INV_FIFO_WAIT_MS 10000u

enum inv_cloud { INV_AWS, INV_GCP, INV_AZURE, INV_NCLOUDS };

/* ---- firewall model: only rules that match traffic from the world ---- */

struct fw_range {
	uint16_t lo, hi;
};

/*
 * One rule as seen by a packet from the internet to a TCP port. Rules whose
 * source is not the whole internet never match such a packet and are not
 * kept. Strings are borrowed from a parsed document unless noted.
 */
struct fw_rule {
	const char *group;     /* aws: sg id; azure: nsg id; gcp: network */
	const char *group_alt; /* aws (terraform): sg name */
	long priority;	       /* lower is evaluated first */
	bool allow;
	size_t order;		 /* input order: stable tie-break */
	struct fw_range *ranges; /* owned */
	size_t nranges;
	char *ref;		  /* owned: "sg-0abc ingress tcp" */
	const char *src;	  /* "0.0.0.0/0" */
	const cJSON *target_tags; /* gcp: array or NULL */
	const cJSON *target_sas;  /* gcp: array or NULL */
	uint8_t protos;		  /* PROTO_BIT()s; 0 = TCP */
};

/* an azure NSG attached to a NIC */
struct fw_attach {
	const char *nic, *nsg;
};

struct fw_set {
	struct fw_rule *v;
	size_t n, alloc;
	const char **groups; /* aws: every SG id seen (and name) */
	size_t ngroups, agroups;
	struct fw_attach *att;
	size_t natt, aatt;
	bool given;		/* a firewall file of this cloud was loaded */
	const char *first_file; /* for "firewall file given alone" */
};

void fw_set_release(struct fw_set *s);
/* a zeroed rule appended to s (ref/ranges NULL), or NULL on ENOMEM */
struct fw_rule *fw_rule_add(struct fw_set *s);
int fw_rule_add_range(struct fw_rule *r, unsigned lo, unsigned hi);
int fw_group_add(struct fw_set *s, const char *group);
bool fw_group_known(const struct fw_set *s, const char *group);
int fw_attach_add(struct fw_set *s, const char *nic, const char *nsg);
/*
 * Evaluates rules (first match wins per port, in priority order, deny
 * before allow at equal priority) and appends to t one world_rule for each
 * port range that an allow rule decides.
 */
int fw_decide(struct target *t, const struct fw_rule *const *rules, size_t n);
/* "203.0.113.0/24", "2001:db8::/32"; a bare address too unless
 * need_prefix; false for a prefix longer than the family's or any junk */
bool fw_cidr_valid(const char *s, bool need_prefix);
/* parses "22", "80-90", "*", "" (all) into lo/hi; false if malformed */
bool fw_parse_ports(const char *s, unsigned *lo, unsigned *hi);
/* AWS: apply the SGs named in ids (array of strings) to t */
int inv_aws_apply(const struct fw_set *s, struct target *t,
		  const char *const *ids, size_t nids);

/* ---- staging state of one inventory_load() call ---- */

struct inv_join {
	size_t idx;	   /* target index in the staging list */
	const cJSON *node; /* the instance, in a document kept alive */
};

struct inv_load {
	const struct inventory_opts *opts;
	struct target_list list;
	char **err;
	cJSON **docs; /* parsed documents, freed at the end */
	size_t ndocs, adocs;
	struct inv_join *joins[INV_NCLOUDS];
	size_t njoins[INV_NCLOUDS], ajoins[INV_NCLOUDS];
	bool have_instances[INV_NCLOUDS];
	struct fw_set fw[INV_NCLOUDS];
	const cJSON *gcp_project; /* project-info describe, or NULL */
};

struct inv_file {
	const char *name;   /* for messages */
	const char *source; /* interned in the staging list */
	const char *data;   /* NUL-terminated */
	size_t len;
};

int inv_join_add(struct inv_load *L, enum inv_cloud c, size_t idx,
		 const cJSON *node);

/* reads path ("-": stdin) into a malloc'ed NUL-terminated buffer */
int inv_read_file(const char *path, size_t max, char **data, size_t *len,
		  char **err);
/* the same; a FIFO that no writer opens within wait_ms is an error */
int inv_read_file_wait(const char *path, size_t max, unsigned wait_ms,
		       char **data, size_t *len, char **err);

/* ---- loaders ---- */
int inv_list_load(struct inv_load *L, const struct inv_file *f);
int inv_nmap_load(struct inv_load *L, const struct inv_file *f);
int inv_aws_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root);
int inv_aws_sg_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root);
int inv_aws_join(struct inv_load *L);
int inv_gcp_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root);
int inv_gcp_fw_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root);
int inv_gcp_join(struct inv_load *L);
int inv_azure_load(struct inv_load *L, const struct inv_file *f,
		   const cJSON *root);
int inv_azure_nsg_load(struct inv_load *L, const struct inv_file *f,
		       const cJSON *root);
int inv_azure_join(struct inv_load *L);
int inv_terraform_load(struct inv_load *L, const struct inv_file *f,
		       const cJSON *root);
/* config facts from the clouds' CLI JSON, after every file is read; the
 * managed databases and the GCP project (cloudfacts.c) */
int inv_cloud_facts(struct inv_load *L);
int inv_gcp_project_load(struct inv_load *L, const struct inv_file *f,
			 const cJSON *root);
int inv_rds_load(struct inv_load *L, const struct inv_file *f,
		 const cJSON *root);
int inv_cloudsql_load(struct inv_load *L, const struct inv_file *f,
		      const cJSON *root);
/* a saved plan: config facts for the config stage (tfplan.c) */
int inv_tfplan_load(struct inv_load *L, const struct inv_file *f,
		    const cJSON *root);
int inv_ansible_load(struct inv_load *L, const struct inv_file *f,
		     const cJSON *root);

/* ---- shared by the cloud and terraform loaders (common.c) ---- */

/* the address text s[0..n) into t; messages at the current path (+ .key
 * unless NULL): not an address, or not a host address (0.0.0.0, ...) */
int inv_addr_json(struct jctx *j, const char *key, struct target *t,
		  const char *s, size_t n, int pub);
/* the address string obj.key (absent or "": nothing); pub as for
 * inv_addr_add_text() */
int inv_addr_field(struct jctx *j, struct target *t, const cJSON *obj,
		   const char *key, int pub);
/* an array of address strings; sub: field of object elements, or NULL */
int inv_addr_arr(struct jctx *j, struct target *t, const cJSON *obj,
		 const char *key, const char *sub, int pub);
/* GCP network tags (array of strings) as the label "network_tags", the
 * names joined with "," (a label of that name is replaced) */
int inv_network_tags(struct target *t, const cJSON *items);
/* state given and not running: "WHAT STATE: not scanned"; else no
 * address: "no address" */
int inv_skip_state(struct target *t, const char *what, const char *state,
		   bool running);
/* marks a firewall file of s's cloud as loaded */
void inv_fw_given(struct fw_set *s, const struct inv_file *f);
/* root must be an array ("FILE: $: expect" if not); fn on each element */
int inv_load_array(struct inv_load *L, const struct inv_file *f,
		   const cJSON *root, const char *expect,
		   int (*fn)(struct inv_load *L, const struct inv_file *f,
			     struct jctx *j, const cJSON *e));

/* ---- target-building helpers (target.c) ---- */

/* adds a copy of a unless the same address is there (then ORs is_public) */
int inv_addr_add(struct target *t, const struct target_addr *a);
/* numeric text; pub < 0: addr_is_public(), else the given value.
 * EXPO_EINVAL if text is not a numeric address. */
int inv_addr_add_text(struct target *t, const char *text, int pub);
/* adds {check, port} unless present; check NULL means "" */
int inv_port_add(struct target *t, const char *check, uint16_t port);
/* the same with nmap's service name for the port (NULL: none) */
int inv_port_add_svc(struct target *t, const char *check, const char *service,
		     uint16_t port);
/* the same for a port of either protocol (enum port_proto) */
int inv_port_add_proto(struct target *t, const char *check, const char *service,
		       uint16_t port, unsigned proto);
/* t->meta, allocated on first use (a shared one is copied first, so it
 * may be changed); NULL on ENOMEM */
struct target_meta *inv_meta(struct target *t);
/* sets label key to value in t->meta->tags (replacing one of that key) */
int inv_label_set(struct target *t, const char *key, const char *value);
/* every member of the optional object obj.key as a label; each value must
 * be a string ("FILE: $.tags.env: expected a string") */
int inv_labels_obj(struct jctx *j, struct target *t, const cJSON *obj,
		   const char *key);
/* sets t->skip_reason unless already set */
int inv_skip(struct target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* a world rule of TCP ports */
int inv_world_rule_add(struct target *t, unsigned lo, unsigned hi,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* the same for protos, PROTO_BIT()s of the protocols the rule opens */
int inv_world_rule_add_proto(struct target *t, unsigned protos, unsigned lo,
			     unsigned hi, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* PROTO_BIT()s of a rule's protocol as the clouds write it: tcp/6,
 * udp/17, and all/-1/'*'/any for both; 0 for another (icmp, esp) */
unsigned inv_proto_bits(const char *proto);
/* replaces *dst with a copy of s (NULL allowed); EXPO_ENOMEM */
int inv_set_str(char **dst, const char *s);
/* ensures room for n more targets without another allocation */
int inv_list_reserve(struct target_list *l, size_t more);
/* a new target with id "prefix:rest", provider and source set */
struct target *inv_target_new(struct target_list *l, const char *provider,
			      const char *source, const char *prefix,
			      const char *rest);

/* ---- shared by list and ansible (list.c) ---- */

/* true if s is a syntactically valid DNS host name */
bool inv_is_hostname(const char *s);
/* resolves host into t's addresses; a failure sets skip_reason; with
 * offline, nothing is looked up and the skip reason says so */
int inv_resolve(struct target *t, const char *host, int pub, bool offline);

/* The one GPU classifier (gpu.c), for every loader and the plan reader:
 * writes why an instance record is a GPU instance ("instance type
 * g5.xlarge") into buf and returns true; kind is "aws", "gcp", "azure" or
 * a terraform resource type (CLI and terraform field names both read) */
bool inv_gpu_why(const cJSON *v, const char *kind, char *buf, size_t size);
/* the config facts of a state's instances (tfplan.c: the plan reader's
 * rules over values.root_module), moved onto the targets the state loader
 * made from index first on, matched by id */
int inv_tfstate_facts(struct inv_load *L, const struct inv_file *f,
		      const cJSON *root_module, size_t first);
/* sets t->meta->gpu from an instance record; no GPU known is no error */
int inv_gpu_detect(struct target *t, const cJSON *v, const char *kind);

/* region from an availability zone: "us-east-1a" -> "us-east-1" */
int inv_region_from_zone(const char *zone, char **out);

#endif
