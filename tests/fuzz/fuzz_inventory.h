/*
 * fuzz_inventory.h - the body shared by the inventory harnesses
 * (fuzz_inv_*.c): each forces one format and drives inventory_load(), the
 * real entry point, on the input. The input may hold several files
 * separated by a line "@@file@@" (instances, then security groups,
 * firewall rules or NSGs), so the joins of the cloud loaders run too.
 * Files are memfds reached as /proc/self/fd/N: the loader reads them as it
 * reads any file, with no change to inventory/ for the harness.
 * Host names (list lines, ansible_host) are resolved at load time: the
 * harness's getaddrinfo() takes the place of libc's, so that fuzzing never
 * asks DNS (loopback only, and a lookup per run would crawl). It answers
 * numeric hosts as libc does, and a name with 127.0.0.1 or ::1 ("6" in
 * it) when its length is even, else "does not resolve": both paths run.
 */
#ifndef FUZZ_INVENTORY_H
#define FUZZ_INVENTORY_H

#include <dlfcn.h>
#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "inventory.h"
#include "target.h"

#define FUZZ_INV_FILES 3
#define FUZZ_INV_SEP "\n@@file@@\n"

static int fuzz_inv_fd[FUZZ_INV_FILES] = { -1, -1, -1 };
static char fuzz_inv_path[FUZZ_INV_FILES][32];

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	struct addrinfo h = { 0 };
	int rc;

	if (real == NULL) {
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
		if (real == NULL)
			abort();
	}
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	rc = real(node, service, &h, res);
	if (rc == EAI_NONAME && node != NULL && strlen(node) % 2 == 0)
		rc = real(strchr(node, '6') ? "::1" : "127.0.0.1", service, &h,
			  res);
	return rc;
}

static int fuzz_inv_write(int i, const uint8_t *p, size_t n)
{
	if (fuzz_inv_fd[i] < 0) {
		fuzz_inv_fd[i] = memfd_create("fuzz-inventory", MFD_CLOEXEC);
		if (fuzz_inv_fd[i] < 0)
			abort();
		snprintf(fuzz_inv_path[i], sizeof(fuzz_inv_path[i]),
			 "/proc/self/fd/%d", fuzz_inv_fd[i]);
	}
	if (ftruncate(fuzz_inv_fd[i], 0) != 0 ||
	    (n > 0 && pwrite(fuzz_inv_fd[i], p, n, 0) != (ssize_t)n))
		abort();
	return 0;
}

/* the invariants of a loaded list: every target has an id and a provider,
 * and an address unless skipped */
static void fuzz_inv_check(const struct target_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct target *t = &l->v[i];

		if (t->id == NULL || t->provider == NULL || t->source == NULL ||
		    (t->skip_reason == NULL && t->naddrs == 0) ||
		    (t->nports > 0 && t->ports == NULL))
			__builtin_trap();
		(void)strlen(t->id);
		if (t->name != NULL)
			(void)strlen(t->name);
	}
}

static int fuzz_inventory(const char *format, const uint8_t *data, size_t size)
{
	const char *paths[FUZZ_INV_FILES];
	struct inventory_opts opts = {
		.format = format,
		/* a /16 per run would slow the search to a crawl; the cap
		 * check itself is the same code at any value */
		.max_cidr_addrs = 1024,
		.region = "fuzz-region-1",
	};
	struct target_list l;
	const uint8_t *p = data, *end = data + size, *sep;
	size_t n = 0, seplen = strlen(FUZZ_INV_SEP);
	char *err = NULL;
	int rc;

	while (n < FUZZ_INV_FILES) {
		sep = n + 1 < FUZZ_INV_FILES ? memmem(p, (size_t)(end - p),
						      FUZZ_INV_SEP, seplen)
					     : NULL;
		fuzz_inv_write((int)n, p,
			       sep ? (size_t)(sep - p) : (size_t)(end - p));
		paths[n] = fuzz_inv_path[n];
		n++;
		if (sep == NULL)
			break;
		p = sep + seplen;
	}
	target_list_init(&l);
	rc = inventory_load(paths, n, &opts, &l, &err);
	/* all or nothing, and a failure always says why */
	if (rc < 0 && (l.n != 0 || err == NULL))
		__builtin_trap();
	if (rc == 0)
		fuzz_inv_check(&l);
	free(err);
	target_list_release(&l);
	return 0;
}

#define FUZZ_INVENTORY_HARNESS(fmt)                                   \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)  \
	{                                                             \
		return fuzz_inventory(fmt, data, size);               \
	}

#endif
