/*
 * cvss.h - CVSS v3.1 base score from a vector, with the specification's
 * formula and its Roundup (FIRST CVSS v3.1 specification, 7.1, Appendix A).
 */
#ifndef CVSS_H
#define CVSS_H

#include "finding.h"

/* "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" -> 9.8.
 * Every base metric must appear exactly once; 0 or EXPO_EPARSE. */
int cvss31_base_score(const char *vector, double *score);
/* Roundup: the smallest one-decimal number >= x (integer arithmetic) */
double cvss31_roundup(double x);
enum severity cvss_severity(double score);

#endif
