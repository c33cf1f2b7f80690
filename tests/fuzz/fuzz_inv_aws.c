/*
 * fuzz_inv_aws.c - libFuzzer harness for the AWS loader (inventory/aws.c):
 * describe-instances, security groups and their join, through
 * inventory_load() with --format aws (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_aws (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("aws")
