/*
 * fuzz_inv_nmap.c - libFuzzer harness for the nmap XML loader
 * (inventory/nmap.c, libxml2 with no network or entities), through
 * inventory_load() with --format nmap (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_nmap (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("nmap")
