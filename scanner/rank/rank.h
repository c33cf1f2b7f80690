/*
 * rank.h - the order of findings by exploitability (DESIGN.md "Ranking"),
 * applied after the engine and before every writer.
 */
#ifndef RANK_H
#define RANK_H

#include "finding.h"

/* ranks the findings in place and writes each one's rank_reason */
void rank_findings(struct finding_list *l);

#endif
