/*
 * context.h - the engine's side of struct check_ctx, for the scanner and
 * for tests that call a check's assess() on recorded facts.
 */
#ifndef CONTEXT_H
#define CONTEXT_H

#include "check.h"
#include "config.h"

struct cred_guard;

/* A ctx for one probe. target and addr must outlive it; guard may be NULL
 * (then a private one is used). */
struct check_ctx *ctx_new(const struct check *check,
			  const struct scan_config *cfg,
			  const struct target *target,
			  const struct target_addr *addr, uint16_t port,
			  struct cred_guard *guard);
void ctx_free(struct check_ctx *ctx);
/* the findings reported so far; the ctx keeps ownership */
struct finding_list *ctx_findings(struct check_ctx *ctx);
enum probe_status ctx_get_status(const struct check_ctx *ctx,
				 const char **reason);

#endif
