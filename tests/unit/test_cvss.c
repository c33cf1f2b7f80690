/*
 * test_cvss.c - CVSS v3.1 base scores against FIRST's example vectors
 * (ECOSYSTEM.md 3.1), edge vectors, malformed vectors and Roundup.
 */
#include <criterion/criterion.h>
#include <math.h>
#include "rank/cvss.h"
#include "expo.h"

struct vec {
	const char *vector;
	double score;
};

/* compare one-decimal scores exactly, in tenths */
static long tenths(double x)
{
	return lround(x * 10.0);
}

static void expect_score(const char *vector, double want)
{
	double got = -1.0;
	int r = cvss31_base_score(vector, &got);

	cr_assert_eq(r, 0, "%s: error %d", vector, r);
	cr_assert_eq(tenths(got), tenths(want), "%s: got %.1f, want %.1f",
		     vector, got, want);
	/* the score itself is already rounded to one decimal */
	cr_assert_eq(got, cvss31_roundup(got), "%s: %.17g not rounded", vector,
		     got);
}

/* FIRST CVSS v3.1 examples, as listed in ECOSYSTEM.md 3.1 */
static const struct vec first_examples[] = {
	/* phpMyAdmin reflected XSS, CVE-2013-1937 */
	{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1 },
	/* MySQL stored SQLi, CVE-2013-0375 */
	{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4 },
	/* SSLv3 POODLE, CVE-2014-3566 */
	{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1 },
	/* VMware guest-to-host escape, CVE-2012-1516 */
	{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9 },
	/* Apache Tomcat XML parser, CVE-2009-0783 */
	{ "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2 },
	/* Cisco IOS command exec, CVE-2012-0384 */
	{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8 },
};

Test(cvss, first_examples)
{
	size_t i;

	for (i = 0; i < sizeof(first_examples) / sizeof(first_examples[0]); i++)
		expect_score(first_examples[i].vector, first_examples[i].score);
}

Test(cvss, edge_vectors)
{
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	/* 1.08 * (Impact + Exploitability) is above 10: capped */
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0);
	/* Impact <= 0: 0.0 whatever the exploitability */
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0);
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0);
	/* lowest non-zero corner */
	expect_score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6);
	/* PR weights depend on scope: H is 0.27 (S:U) vs 0.5 (S:C) */
	expect_score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2);
	expect_score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1);
	/* PR:L under S:C is 0.68 */
	expect_score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N", 5.0);
	expect_score("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 6.5);
}

Test(cvss, accepts_v30_any_order_and_temporal)
{
	expect_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	expect_score("CVSS:3.1/S:U/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N", 9.8);
	/* temporal and environmental metrics are checked, then ignored */
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/"
		     "RC:C",
		     9.8);
	expect_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/"
		     "CR:H/MAV:L/MPR:X",
		     9.8);
}

static const char *const malformed[] = {
	/* missing metric */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
	"CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/",
	/* duplicate metric, same or different value */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",
	"CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/E:F",
	/* bad value */
	"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z",
	/* wrong prefix */
	"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	/* junk */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ",
	"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/junk",
	"CVSS:3.1/AV=N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"",
};

Test(cvss, malformed_vectors)
{
	size_t i;
	double score;
	int r;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		score = 42.0;
		r = cvss31_base_score(malformed[i], &score);
		cr_expect_eq(r, EXPO_EPARSE, "accepted \"%s\"", malformed[i]);
		cr_expect_eq(score, 42.0, "\"%s\" wrote the score",
			     malformed[i]);
	}
	cr_expect_eq(cvss31_base_score(NULL, &score), EXPO_EPARSE);
}

Test(cvss, roundup)
{
	cr_expect_eq(tenths(cvss31_roundup(4.02)), 41);
	cr_expect_eq(tenths(cvss31_roundup(4.00)), 40);
	cr_expect_eq(tenths(cvss31_roundup(4.0000001)), 40);
	/* 0.30000000000000004: ceil(x * 10) / 10 would give 0.4 */
	cr_expect_eq(tenths(cvss31_roundup(0.1 + 0.2)), 3);
	cr_expect_eq(tenths(cvss31_roundup(0.0)), 0);
	cr_expect_eq(tenths(cvss31_roundup(9.81)), 99);
	cr_expect_eq(tenths(cvss31_roundup(10.0)), 100);
	cr_expect_eq(tenths(cvss31_roundup(4.99999)), 50);
}

Test(cvss, severity_bands)
{
	cr_expect_eq(cvss_severity(0.0), SEV_INFO);
	cr_expect_eq(cvss_severity(0.1), SEV_LOW);
	cr_expect_eq(cvss_severity(3.9), SEV_LOW);
	cr_expect_eq(cvss_severity(4.0), SEV_MEDIUM);
	cr_expect_eq(cvss_severity(6.9), SEV_MEDIUM);
	cr_expect_eq(cvss_severity(7.0), SEV_HIGH);
	cr_expect_eq(cvss_severity(8.9), SEV_HIGH);
	cr_expect_eq(cvss_severity(9.0), SEV_CRITICAL);
	cr_expect_eq(cvss_severity(10.0), SEV_CRITICAL);
	/* a computed 7.0 that is 6.9999999... in binary is still high */
	cr_expect_eq(cvss_severity(0.7 * 10.0), SEV_HIGH);
}
