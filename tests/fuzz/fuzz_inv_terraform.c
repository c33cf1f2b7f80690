/*
 * fuzz_inv_terraform.c - libFuzzer harness for the Terraform loader
 * (inventory/terraform.c): terraform show -json state and plan, through
 * inventory_load() with --format terraform (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_terraform (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("terraform")
