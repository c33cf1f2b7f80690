/* fault.c - allocation-failure injection for tests (see fault.h) */
#include <stdatomic.h>
#include <string.h>
#include "fault.h"

static _Atomic(const char *) fault_site;
static atomic_uint fault_countdown;

void fault_arm(const char *site, unsigned nth)
{
	atomic_store(&fault_countdown, nth);
	atomic_store(&fault_site, site);
}

bool fault_hit(const char *site)
{
	const char *armed =
		atomic_load_explicit(&fault_site, memory_order_relaxed);
	unsigned left;

	if (armed == NULL || strcmp(armed, site) != 0)
		return false;
	left = atomic_load(&fault_countdown);
	while (left > 0 &&
	       !atomic_compare_exchange_weak(&fault_countdown, &left, left - 1))
		;
	if (left != 1)
		return false;
	atomic_store(&fault_site, NULL); /* once */
	return true;
}
