/*
 * fuzz_inv_gcp.c - libFuzzer harness for the GCP loader (inventory/gcp.c):
 * instances list, firewall rules and their join, through inventory_load()
 * with --format gcp (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_gcp (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("gcp")
