/*
 * test_inventory.h - helpers shared by the test_inventory*.c files
 * (defined in test_inventory.c).
 */
#ifndef TEST_INVENTORY_H
#define TEST_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "target.h"

/* .init of every inventory suite that reads fixtures */
void inv_test_chdir(void);
int inv_test_load(const char *const *files, size_t n, const char *format,
		  struct target_list *l, char **err);
/* the target with this id (fails the test if there is none) */
const struct target *inv_test_find(const struct target_list *l, const char *id);
void inv_test_addr(const struct target *t, uint32_t i, const char *text,
		   bool pub);
void inv_test_port(const struct target *t, uint32_t i, const char *check,
		   uint16_t port);
void inv_test_fails(const char *file, const char *format, const char *msg);

#endif
