/*
 * fuzz_inv_list.c - libFuzzer harness for the plain list loader
 * (inventory/list.c): addresses, CIDRs, host:port and options, through
 * inventory_load() with --format list (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_list (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("list")
