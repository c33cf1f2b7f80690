/*
 * fuzz_memcached.c - libFuzzer harness for memcached's "stats" reply
 * parser (checks/raw/memcached_wire.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/memcached_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memcached_stats s;
	size_t used = 0;

	if (memcached_wire_stats((const char *)data, size, &s, &used) != 0)
		return 0;
	if (used > size || strlen(s.version) >= sizeof(s.version) ||
	    strlen(s.error) >= sizeof(s.error))
		__builtin_trap();
	return 0;
}
