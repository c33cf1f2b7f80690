/*
 * inventory.h - turning inventory files into targets.
 *
 * One loader per format under inventory/. inventory_load() detects the
 * format of each file from its content (or takes opts->format), and either
 * appends every target of every file to `out`, or appends nothing and
 * returns < 0 with *err set to one message naming the file and the line or
 * JSON path (caller frees it): nothing is scanned from a half-read inventory.
 */
#ifndef INVENTORY_H
#define INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "target.h"

struct inventory_opts {
	const char *format;	 /* NULL: detect; else "list", "aws", "gcp",
				 * "azure", "terraform", "ansible", "nmap" */
	unsigned max_cidr_addrs; /* cap on one CIDR's size (65536) */
	const char *region;	 /* --region: AWS output has none */
	unsigned fifo_wait_ms;	 /* how long a FIFO may wait for a writer
				  * (0: 10 s) */
	bool offline;		 /* --offline: no name is looked up (a host
				  * name stays a target without address) */
};

/* paths: files, or "-" for standard input. Firewall files (AWS security
 * groups, GCP firewall rules, Azure NSGs) may be given among them and are
 * joined to the instances of the same provider. */
int inventory_load(const char *const *paths, size_t npaths,
		   const struct inventory_opts *opts, struct target_list *out,
		   char **err);

/* --scope / --exclude: addresses and CIDRs */
struct inv_cidr {
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t prefix;
	uint8_t net[16]; /* host bits cleared */
	char text[64];	 /* as given, for skip reasons */
};

struct inv_scope {
	struct inv_cidr *v;
	size_t n, alloc;
};

/* adds the addresses and CIDRs of arg (separated by commas or blanks) to
 * s; an arg that is not such a list is the name of a file of them (file:
 * always). A bad entry: < 0 and *err names flag, and file and line. */
int inv_scope_add(struct inv_scope *s, const char *flag, const char *arg,
		  bool file, char **err);
void inv_scope_release(struct inv_scope *s);
/* Drops from every target not already skipped its addresses outside scope
 * (when it has entries) or inside exclude; a target left with none is
 * skipped: "excluded by --exclude 192.0.2.7" or "outside --scope
 * 10.0.0.0/8". Either may be NULL. */
int inventory_apply_scope(struct target_list *l, const struct inv_scope *scope,
			  const struct inv_scope *exclude);

#endif
