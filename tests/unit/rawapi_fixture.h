/*
 * rawapi_fixture.h - assess() on fixture facts for the raw-protocol checks
 * (redis, memcached, mongodb, mysql): a ctx on a list target, the facts
 * parsed from JSON, and the reported rule ids. Header-only, static.
 */
#ifndef RAWAPI_FIXTURE_H
#define RAWAPI_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"

struct rawfix {
	struct scan_config cfg;
	struct target target;
	struct target_addr addr;
	struct check_ctx *ctx;
	cJSON *facts;
};

static inline void rawfix_run(struct rawfix *f, const struct check *c,
			      uint16_t port, const char *json, bool show)
{
	memset(f, 0, sizeof(*f));
	scan_config_defaults(&f->cfg);
	f->cfg.show_secrets = show;
	cr_assert_eq(target_addr_parse(&f->addr, "127.0.31.1"), 0);
	f->target.id = strdup("list:127.0.31.1");
	f->target.provider = "list";
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx = ctx_new(c, &f->cfg, &f->target, &f->addr, port, NULL);
	cr_assert_not_null(f->ctx);
	f->facts = cJSON_Parse(json);
	cr_assert_not_null(f->facts, "bad fixture JSON: %s", json);
	cr_assert_eq(c->assess(f->facts, f->ctx), 0);
}

static inline void rawfix_release(struct rawfix *f)
{
	ctx_free(f->ctx);
	cJSON_Delete(f->facts);
	free(f->target.id);
}

/* the single finding's evidence, or NULL when none; asserts at most one */
static inline const struct finding *rawfix_one(struct rawfix *f,
					       const char *rule)
{
	struct finding_list *l = ctx_findings(f->ctx);

	cr_assert_leq(l->n, 1, "%zu findings", l->n);
	if (l->n == 0)
		return NULL;
	cr_assert_str_eq(l->v[0].rule_id, rule);
	return &l->v[0];
}

static inline size_t rawfix_count(struct rawfix *f)
{
	return ctx_findings(f->ctx)->n;
}

#endif
