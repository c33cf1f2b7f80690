/*
 * fuzz_ssh_wire.c - libFuzzer harness for the SSH wire parsers: the input
 * is what a server sends first (banner, then one binary packet), fed the
 * way checks/ssh/ssh.c feeds it, plus the KEXINIT parser on the raw input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ssh/ssh_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct ssh_kexinit *k)
{
	size_t i, pos, n, total = 0;
	const char *name;

	for (i = 0; i < SSH_L_NLISTS; i++) {
		pos = 0;
		while (ssh_namelist_next(&k->lists[i], &pos, &name, &n)) {
			/* touch every byte the parser vouched for */
			total += (size_t)name[0] + (size_t)name[n - 1];
		}
		(void)ssh_namelist_has(&k->lists[i], "ssh-rsa");
	}
	(void)total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssh_banner b;
	struct ssh_kexinit k;
	const uint8_t *payload = NULL;
	size_t used = 0, plen = 0;

	if (ssh_wire_kexinit(data, size, &k) == 0)
		walk(&k);
	if (ssh_wire_banner(data, size, &b, &used) != 0)
		return 0;
	if (used > size || strlen(b.line) > SSH_BANNER_MAX_LINE)
		__builtin_trap();
	data += used;
	size -= used;
	if (ssh_wire_packet(data, size, &payload, &plen, &used) != 0)
		return 0;
	if (used > size || payload + plen > data + size)
		__builtin_trap();
	if (ssh_wire_kexinit(payload, plen, &k) == 0)
		walk(&k);
	return 0;
}
