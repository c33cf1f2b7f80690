/* config.c - scan settings defaults */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

void scan_config_defaults(struct scan_config *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	c->concurrency = 2048;
	c->timeout_ms = 3000;
	c->check_timeout_ms = 120000;
	c->udp_retries = 2; /* three datagrams, as nmap's snmp scripts' wait */
	/* crypto (KEX) is the CPU cost of a check: one loop per core */
	c->workers = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (unsigned)ncpu;
	/* blocking libraries hold a thread per session: keep it small */
	c->blocking_workers = 4;
}

void scan_config_release(struct scan_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncreds; i++) {
		free(c->creds[i].user);
		free(c->creds[i].password);
	}
	free(c->creds);
	free(c->extra_ports);
	c->creds = NULL;
	c->extra_ports = NULL;
	c->ncreds = c->nextra_ports = 0;
}
