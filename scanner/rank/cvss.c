/*
 * cvss.c - CVSS v3.1 base score (FIRST CVSS v3.1 specification, section
 * 7.1 and Appendix A). v3.0 vectors are accepted and scored with the v3.1
 * formula: the base equations differ only in Roundup, whose v3.1 form is
 * the one that gives the same result on every platform.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "cvss.h"
#include "expo.h"

enum base_metric { M_AV, M_AC, M_PR, M_UI, M_S, M_C, M_I, M_A, M_NBASE };

struct metric_def {
	const char *key;
	const char *values; /* the one-letter values it accepts */
};

/* Base metrics first, in enum base_metric order; then temporal and
 * environmental ones, which are validated and ignored. */
static const struct metric_def metrics[] = {
	{ "AV", "NALP" },  { "AC", "LH" },    { "PR", "NLH" },
	{ "UI", "NR" },	   { "S", "UC" },     { "C", "HLN" },
	{ "I", "HLN" },	   { "A", "HLN" },    { "E", "XUPFH" },
	{ "RL", "XOTWU" }, { "RC", "XURC" },  { "CR", "XLMH" },
	{ "IR", "XLMH" },  { "AR", "XLMH" },  { "MAV", "XNALP" },
	{ "MAC", "XLH" },  { "MPR", "XNLH" }, { "MUI", "XNR" },
	{ "MS", "XUC" },   { "MC", "XHLN" },  { "MI", "XHLN" },
	{ "MA", "XHLN" },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static int find_metric(const char *key, size_t len)
{
	size_t i;
	int idx = -1;

	for (i = 0; i < NMETRICS; i++) {
		if (strlen(metrics[i].key) == len &&
		    memcmp(metrics[i].key, key, len) == 0) {
			idx = (int)i;
			break;
		}
	}
	return idx;
}

/*
 * Splits "K:V/K:V..." strictly: every component is KEY ':' one letter,
 * separated by single '/', no empty component, no trailing '/', every
 * metric at most once, every base metric exactly once.
 */
static int parse_metrics(const char *p, char base[M_NBASE])
{
	bool seen[NMETRICS] = { false };
	const char *colon, *end;
	size_t i;
	int idx, r = EXPO_EPARSE;

	for (;;) {
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL || colon == p || end - colon != 2)
			goto out;
		idx = find_metric(p, (size_t)(colon - p));
		if (idx < 0 || seen[idx] || colon[1] == '\0' ||
		    strchr(metrics[idx].values, colon[1]) == NULL)
			goto out;
		seen[idx] = true;
		if (idx < M_NBASE)
			base[idx] = colon[1];
		if (*end == '\0')
			break;
		p = end + 1;
	}
	for (i = 0; i < M_NBASE; i++)
		if (!seen[i])
			goto out;
	r = 0;
out:
	return r;
}

static double weight_cia(char v)
{
	return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
}

static double base_score(const char m[M_NBASE])
{
	bool changed = m[M_S] == 'C';
	double av, ac, pr, ui, iss, impact, expl, score = 0.0;

	av = m[M_AV] == 'N'   ? 0.85
	     : m[M_AV] == 'A' ? 0.62
	     : m[M_AV] == 'L' ? 0.55
			      : 0.2;
	ac = m[M_AC] == 'L' ? 0.77 : 0.44;
	/* PR weighs more when the attack reaches beyond its scope */
	if (m[M_PR] == 'N')
		pr = 0.85;
	else if (m[M_PR] == 'L')
		pr = changed ? 0.68 : 0.62;
	else
		pr = changed ? 0.5 : 0.27;
	ui = m[M_UI] == 'N' ? 0.85 : 0.62;

	iss = 1.0 - (1.0 - weight_cia(m[M_C])) * (1.0 - weight_cia(m[M_I])) *
			    (1.0 - weight_cia(m[M_A]));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	expl = 8.22 * av * ac * pr * ui;

	if (impact > 0.0) {
		if (changed)
			score = cvss31_roundup(
				fmin(1.08 * (impact + expl), 10.0));
		else
			score = cvss31_roundup(fmin(impact + expl, 10.0));
	}
	return score;
}

int cvss31_base_score(const char *vector, double *score)
{
	char base[M_NBASE] = { 0 };
	int r = EXPO_EPARSE;

	if (vector == NULL || score == NULL)
		goto out;
	if (strncmp(vector, "CVSS:3.1/", 9) != 0 &&
	    strncmp(vector, "CVSS:3.0/", 9) != 0)
		goto out;
	if ((r = parse_metrics(vector + 9, base)) != 0)
		goto out;
	*score = base_score(base);
out:
	return r;
}

double cvss31_roundup(double x)
{
	/* integer arithmetic, as FIRST's Appendix A: float ceil() would make
	 * 0.1 + 0.2 (0.30000000000000004) into 0.4 */
	long long i = llround(x * 100000.0);
	double r;

	if (i % 10000 == 0)
		r = (double)i / 100000.0;
	else
		r = (double)(i / 10000 + 1) / 10.0;
	return r;
}

enum severity cvss_severity(double score)
{
	/* compare tenths: a score is a one-decimal number */
	long long t = llround(score * 10.0);
	enum severity s = SEV_INFO;

	if (t >= 90)
		s = SEV_CRITICAL;
	else if (t >= 70)
		s = SEV_HIGH;
	else if (t >= 40)
		s = SEV_MEDIUM;
	else if (t > 0)
		s = SEV_LOW;
	return s;
}
