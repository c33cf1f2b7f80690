/* registry.c - the check modules compiled in (listed in checks.def) */
#include <string.h>
#include "check.h"

#define CHECK(name) extern const struct check check_##name;
#include "checks.def"
#undef CHECK

const struct check *const check_registry[] = {
#define CHECK(name) &check_##name,
#include "checks.def"
#undef CHECK
};

const size_t check_registry_len = sizeof(check_registry) /
				  sizeof(check_registry[0]);

const struct check *check_find(const char *name)
{
	size_t i;

	for (i = 0; i < check_registry_len; i++)
		if (strcmp(check_registry[i]->name, name) == 0)
			return check_registry[i];
	return NULL;
}

const struct rule *check_rule(const struct check *c, const char *rule_id)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		if (strcmp(c->rules[i].id, rule_id) == 0)
			return &c->rules[i];
	return NULL;
}
