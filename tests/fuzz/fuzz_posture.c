/*
 * fuzz_posture.c - libFuzzer harness for what the config stage reads:
 * the Terraform plan reader (inventory/tfplan.c), the clouds' CLI facts
 * (inventory/cloudfacts.c: EC2, Azure VMs, GCE with project metadata,
 * RDS, Cloud SQL) and every config rule judging the result
 * (checks/config/). The first byte picks the format; the rest is the
 * file. --offline: no name is looked up.
 * Seeds: tests/fuzz/corpus/fuzz_posture (the plan and config fixtures,
 * format byte first).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include "check.h"
#include "config.h"
#include "inventory.h"
#include "posture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "terraform", "aws", "gcp",
					       "azure", NULL };
	static const struct check *checks[64];
	static size_t nchecks;
	struct inventory_opts o = { .max_cidr_addrs = 256, .offline = true };
	struct scan_config cfg;
	struct finding_list fl;
	struct target_list l;
	char path[64], *err = NULL;
	const char *p = path;
	size_t i, judged;
	int fd;

	if (size < 1)
		return 0;
	if (nchecks == 0)
		for (i = 0; i < check_registry_len && nchecks < 64; i++)
			if (check_registry[i]->flags & CHECK_CONFIG)
				checks[nchecks++] = check_registry[i];
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
	if (inventory_load(&p, 1, &o, &l, &err) == 0) {
		scan_config_defaults(&cfg);
		cfg.checks = checks;
		cfg.nchecks = nchecks;
		cfg.offline = true;
		finding_list_init(&fl);
		posture_run(&cfg, &l, &fl, &judged);
		posture_relate(&fl);
		finding_list_release(&fl);
		cfg.checks = NULL;
		cfg.nchecks = 0;
		scan_config_release(&cfg);
	}
	free(err);
	target_list_release(&l);
	close(fd);
	return 0;
}
