/*
 * fuzz_inv_ansible.c - libFuzzer harness for the Ansible loader
 * (inventory/ansible.c): ansible-inventory --list, through inventory_load()
 * with --format ansible (see fuzz_inventory.h).
 * Seeds: tests/fuzz/corpus/fuzz_inv_ansible (from tests/fixtures/inventory).
 */
#include "fuzz_inventory.h"

FUZZ_INVENTORY_HARNESS("ansible")
