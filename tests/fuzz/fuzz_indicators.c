/*
 * fuzz_indicators.c - libFuzzer harness for the compromise-indicator
 * matcher (checks/compromise/indicators.c): the first byte picks the
 * field, the rest is the text as a server sent it. A match must lie
 * inside the text.
 * Seeds: tests/fuzz/corpus/fuzz_indicators.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "indicators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ind_match r;
	unsigned field;

	if (size < 1)
		return 0;
	field = 1u << (data[0] % 8); /* bit 7: no field */
	if (ind_match(field, (const char *)data + 1, size - 1, &r) &&
	    (r.off > size - 1 || r.len > size - 1 - r.off))
		abort();
	return 0;
}
