/*
 * rank.h - the order of findings by exploitability (DESIGN.md "Ranking"),
 * applied after the engine and before every writer.
 */
#ifndef RANK_H
#define RANK_H

#include "finding.h"

/* ranks the findings in place and writes each one's rank_reason */
void rank_findings(struct finding_list *l);
/* the pooled copy of a ranking sentence (FINDING_SHARES_REASON: kept for
 * the life of the process), or NULL when the pool is full: a report read
 * back shares its findings' sentences as a scan's do */
char *rank_reason_intern(const char *s);

#endif
