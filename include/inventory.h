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

#include <stddef.h>
#include "target.h"

struct inventory_opts {
	const char *format;	 /* NULL: detect; else "list", "aws", "gcp",
				 * "azure", "terraform", "ansible", "nmap" */
	unsigned max_cidr_addrs; /* cap on one CIDR's size (65536) */
	const char *region;	 /* --region: AWS output has none */
};

/* paths: files, or "-" for standard input. Firewall files (AWS security
 * groups, GCP firewall rules, Azure NSGs) may be given among them and are
 * joined to the instances of the same provider. */
int inventory_load(const char *const *paths, size_t npaths,
		   const struct inventory_opts *opts, struct target_list *out,
		   char **err);

#endif
