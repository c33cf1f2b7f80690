/*
 * trend.c - the trend over past runs that `exposure history` prints and
 * the HTML report draws; store_dir.c and store_pg.c fill it.
 */
#include <stdio.h>
#include <stdlib.h>
#include "report/report_priv.h"
#include "store.h"

void trend_print(FILE *out, const struct trend *t)
{
	size_t i;

	fprintf(out, "%-28s %-20s %-6s %8s %5s %6s %4s %4s %4s %5s %10s\n",
		"run", "started", "shards", "critical", "high", "medium", "low",
		"info", "new", "fixed", "suppressed");
	for (i = 0; i < t->n; i++) {
		const struct trend_point *p = &t->v[i];
		char shards[32], *id = report_escaped(p->run);

		snprintf(shards, sizeof(shards), "%u/%u", p->shards_seen,
			 p->shard_count);
		fprintf(out,
			"%-28s %-20s %-6s %8zu %5zu %6zu %4zu %4zu %4zu %5zu "
			"%10zu%s\n",
			id ? id : "?", p->started_at, shards,
			p->sev[SEV_CRITICAL], p->sev[SEV_HIGH],
			p->sev[SEV_MEDIUM], p->sev[SEV_LOW], p->sev[SEV_INFO],
			p->fresh, p->fixed, p->suppressed,
			p->complete ? "" : "  (incomplete)");
		free(id);
	}
}

void trend_release(struct trend *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
