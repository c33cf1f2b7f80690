/*
 * fuzz_inv_azure.c - libFuzzer harness for the Azure loader
 * (inventory/azure.c): az vm list -d, NSGs and their join, through
 * inventory_load() with --format azure (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_azure (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("azure")
