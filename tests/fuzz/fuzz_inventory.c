/*
 * fuzz_inventory.c - libFuzzer harness for the inventory loaders that read
 * untrusted files without touching the network: nmap -oX (libxml2), AWS,
 * GCP, Azure and terraform JSON (with the strict JSON pre-scan and the
 * duplicate-key walk), through inventory_load() as the CLI calls it.
 * The first byte picks the format; the rest is the file. Plain lists and
 * ansible are left out: they resolve host names, and a fuzzer must not
 * send DNS queries.
 * Seeds: tests/fuzz/corpus/fuzz_inventory (the fixtures, format byte
 * first).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "nmap", "aws", "gcp", "azure",
					       "terraform" };
	struct inventory_opts o = { .max_cidr_addrs = 256 };
	struct target_list l;
	char path[64], *err = NULL;
	const char *p = path;
	int fd;

	if (size < 1)
		return 0;
	o.format = formats[data[0] % (sizeof(formats) / sizeof(formats[0]))];
	fd = memfd_create("inv", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	target_list_init(&l);
	inventory_load(&p, 1, &o, &l, &err);
	free(err);
	target_list_release(&l);
	close(fd);
	return 0;
}
