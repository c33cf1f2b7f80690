/*
 * target.h - what the inventory loaders produce and the scanner consumes.
 *
 * A struct target owns every pointer inside it; target_release() frees them
 * (and accepts a zeroed target). A target_list owns its targets.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>

struct target_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} u; /* port left 0: the engine sets it */
	socklen_t salen;
	bool is_public; /* the inventory says public, or not a private,
				 * loopback, link-local, CGNAT or ULA range */
};

/* The transport of a port: TCP unless said otherwise (a UDP port is a
 * value of its own: 161/udp is not 161/tcp). */
enum port_proto {
	PROTO_TCP = 0,
	PROTO_UDP = 1,
};
#define PROTO_BIT(p) (1u << (p))
/* "tcp" or "udp" */
const char *proto_name(unsigned proto);

/* What firewall configuration says about one port of a target. */
enum exposure {
	EXPOSURE_UNKNOWN = 0, /* no firewall data given */
	EXPOSURE_RESTRICTED,  /* firewall data given; no world-open rule */
	EXPOSURE_WORLD,	      /* a rule opens it to 0.0.0.0/0 or ::/0 */
};

/* One ingress rule that opens ports to the whole internet. */
struct world_rule {
	uint16_t port_from, port_to; /* inclusive; 0-65535 for "all" */
	char *ref;		     /* "sg-0abc (ingress tcp 22 0.0.0.0/0)" */
	uint8_t protos;		     /* PROTO_BIT()s it opens; 0 = TCP */
};

/* A port to probe for one check, e.g. ansible_port=2222 for "ssh". */
struct port_override {
	char check[16];	  /* check name, or "" for "whichever claims it" */
	char service[24]; /* nmap's service name ("ssh"), or "": the engine
			   * gives the port to the checks that list it in
			   * struct check.services, else to those whose
			   * default port it is, else to none ("not checked") */
	uint16_t port;
	uint8_t proto; /* enum port_proto: 161/udp is PROTO_UDP */
};

/* Cloud details; NULL for a plain list entry, to keep a /16 small. */
struct target_meta {
	char *account; /* each may be NULL */
	char *region;
	char *zone;
	char *state;	     /* provider state ("running") */
	char *os;	     /* "windows"/"linux" hint */
	cJSON *tags;	     /* labels: object of string values (see
			      * docs/report-schema.md, "labels") */
	char *gpu;	     /* GPU instance type or accelerator ("instance type
		    * g5.xlarge"); NULL: none known */
	cJSON *config;	     /* config facts (include/posture.h), or NULL */
	bool firewall_known; /* firewall data was given for this target */
	struct world_rule *world_rules;
	size_t nworld_rules;
};

struct target {
	char *id;		  /* stable: "aws:i-0abc", "list:192.0.2.7" */
	char *name;		  /* display name; NULL: the first address */
	const char *source;	  /* inventory file; interned by the list */
	const char *provider;	  /* static: aws, gcp, azure, terraform,
				 * ansible, nmap, list */
	struct target_meta *meta; /* may be NULL */
	char *skip_reason; /* non-NULL: listed as skipped, never scanned */
	struct target_addr *addrs;
	uint32_t naddrs;
	uint32_t nports;
	struct port_override *ports; /* per-check port overrides */
	bool only_listed_ports;	     /* host:port lines: probe only ports[] */
	bool in_arena;		     /* id and addrs live in the list's arena */
	bool meta_shared; /* meta is shared with other targets of one CIDR
			   * line and owned by the list: read-only */
};

struct target_list {
	struct target *v;
	size_t n, alloc;
	char **sources; /* interned source names */
	size_t nsources;
	struct target_arena *arena; /* bulk storage for large CIDRs */
	struct target_shared_meta *shared_meta; /* of meta_shared targets */
};

void target_release(struct target *t);
void target_list_init(struct target_list *l);
void target_list_release(struct target_list *l);
/* appends a zeroed target and returns it, or NULL on ENOMEM */
struct target *target_list_add(struct target_list *l);
/* size bytes (8-aligned) that live as long as the list: a /16 of list
 * targets then costs no malloc header per id and address */
void *target_list_arena_alloc(struct target_list *l, size_t size);
/* a meta the list owns, for targets that set meta_shared; NULL on ENOMEM */
struct target_meta *target_list_shared_meta(struct target_list *l);
/* moves src's arena and shared metas to dst (after src's targets were
 * moved to dst); allocates nothing */
void target_list_adopt_arena(struct target_list *dst, struct target_list *src);
/* a copy of name owned by the list, shared by every target from it */
const char *target_list_intern_source(struct target_list *l, const char *name);

/* parses a numeric IPv4/IPv6 address (no DNS); 0 or EXPO_EINVAL */
int target_addr_parse(struct target_addr *out, const char *text);
/* numeric text of the address into buf (INET6_ADDRSTRLEN bytes) */
const char *target_addr_text(const struct target_addr *a, char *buf);
/* true unless the address is in a private/reserved/loopback range */
bool addr_is_public(const struct sockaddr *sa);
/* why a TCP connection to a is not a probe of one host: "unspecified"
 * (0.0.0.0/8, ::), "multicast" (224.0.0.0/4, ff00::/8) or "broadcast"
 * (255.255.255.255), also IPv4-mapped or -compatible; NULL otherwise */
const char *target_addr_unusable(const struct target_addr *a);
const char *target_display_name(const struct target *t, char *buf);
enum exposure target_port_exposure(const struct target *t, uint16_t port);
/* the world_rule that opens the port, or NULL */
const struct world_rule *target_port_rule(const struct target *t,
					  uint16_t port);
/* the same for a port of either transport (the two above are TCP) */
enum exposure target_port_exposure_proto(const struct target *t, uint16_t port,
					 unsigned proto);
const struct world_rule *target_port_rule_proto(const struct target *t,
						uint16_t port, unsigned proto);

#endif
