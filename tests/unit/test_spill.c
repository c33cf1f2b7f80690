/*
 * test_spill.c - findings in a file-backed spill (include/spill.h): the
 * array grows in place, the text is copied once, lists move between
 * memory and the spill whichever side is which, and every string is
 * freed exactly once (ASan and LeakSanitizer run this too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "finding.h"
#include "spill.h"

/* a finding as a check makes it: target strings packed, evidence owned */
static void add(struct finding_list *l, const char *id, const char *ev)
{
	struct finding *f = finding_list_add(l);
	size_t lid = strlen(id) + 1;
	char *pack = malloc(3 * lid);

	cr_assert(f != NULL && pack != NULL);
	memcpy(pack, id, lid);
	memcpy(pack + lid, id, lid);
	memcpy(pack + 2 * lid, id, lid);
	f->rule_id = (char *)"fake.ok";
	f->shares = FINDING_SHARES_RULE | FINDING_PACKS_TARGET;
	f->target_id = pack;
	f->target_name = pack + lid;
	f->address = pack + 2 * lid;
	f->evidence = strdup(ev);
	f->secret = strdup("<redacted>");
	f->port = 22;
}

static void fill(struct finding_list *l, const char *prefix, int n)
{
	char id[32], ev[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%s%d", prefix, i);
		snprintf(ev, sizeof(ev), "evidence of %s%d", prefix, i);
		add(l, id, ev);
	}
}

static size_t count_prefix(const struct finding_list *l, const char *prefix)
{
	char ev[64];
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		const struct finding *f = &l->v[i];

		if (strncmp(f->target_id, prefix, strlen(prefix)) != 0)
			continue;
		/* every string whole after the move */
		snprintf(ev, sizeof(ev), "evidence of %s", f->target_id);
		cr_assert_str_eq(f->evidence, ev);
		cr_assert_str_eq(f->address, f->target_id);
		cr_assert_str_eq(f->target_name, f->target_id);
		cr_assert_str_eq(f->secret, "<redacted>");
		n++;
	}
	return n;
}

Test(spill, array_grows_in_place_and_text_is_copied)
{
	struct spill *s = spill_new();
	char *a, *b, big[5000];
	void *base;

	cr_assert_not_null(s, "no unnamed file in $TMPDIR, /var/tmp, /tmp");
	cr_assert_eq(spill_array_reserve(s, 100), 0);
	base = spill_array(s);
	memset(base, 0xab, 100);
	/* past several chunks: the same address, the old bytes kept */
	cr_assert_eq(spill_array_reserve(s, (size_t)9 << 20), 0);
	cr_assert_eq(spill_array(s), base);
	cr_assert_eq(((unsigned char *)base)[99], 0xab);
	a = spill_copy(s, "hello", 6);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	b = spill_copy(s, big, sizeof(big));
	cr_assert_str_eq(a, "hello");
	cr_assert_str_eq(b, big);
	cr_assert_neq(spill_array_reserve(s, SIZE_MAX), 0);
	spill_free(s);
}

Test(spill, a_list_moves_into_a_spill_whole)
{
	struct finding_list l;
	struct spill *s = spill_new();

	cr_assert_not_null(s);
	finding_list_init(&l);
	fill(&l, "m", 100);
	cr_assert_eq(finding_list_spill(&l, s), 0);
	cr_assert_eq(l.spill, s);
	cr_assert_eq((void *)l.v, spill_array(s));
	cr_assert(l.v[0].shares & FINDING_SPILLS_TEXT);
	cr_assert_eq(l.v[0].shares & FINDING_PACKS_TARGET, 0);
	/* added after the move: the array grows in the spill */
	fill(&l, "n", 5000);
	cr_assert_eq((void *)l.v, spill_array(s));
	cr_assert_eq(count_prefix(&l, "m"), 100);
	cr_assert_eq(count_prefix(&l, "n"), 5000);
	finding_list_release(&l);
	cr_assert_null(l.spill);
}

/* dst and src, each in memory or spilled: all findings end in dst */
static void take_case(bool dst_spilled, bool src_spilled, int ndst)
{
	struct finding_list dst, src;

	finding_list_init(&dst);
	finding_list_init(&src);
	fill(&dst, "d", ndst);
	fill(&src, "s", 30);
	if (dst_spilled)
		cr_assert_eq(finding_list_spill(&dst, spill_new()), 0);
	if (src_spilled)
		cr_assert_eq(finding_list_spill(&src, spill_new()), 0);
	cr_assert_eq(finding_list_take(&dst, &src), 0);
	cr_assert_eq(dst.n, (size_t)ndst + 30);
	cr_assert_eq(src.n, 0);
	cr_assert_null(src.spill);
	cr_assert_null(src.v);
	cr_assert_eq(dst.spill != NULL, dst_spilled || src_spilled);
	cr_assert_eq(count_prefix(&dst, "d"), (size_t)ndst);
	cr_assert_eq(count_prefix(&dst, "s"), 30);
	finding_list_release(&dst);
}

Test(spill, take_between_memory_and_spill_every_way)
{
	take_case(false, false, 7);
	take_case(false, false, 0);
	take_case(true, false, 7);
	take_case(true, false, 0);
	take_case(false, true, 7);
	take_case(false, true, 0);
	take_case(true, true, 7);
}

/* a copy of a spilled finding owns its strings: the spill may go first */
Test(spill, a_copy_outlives_the_spill)
{
	struct finding_list l;
	struct finding copy;

	finding_list_init(&l);
	fill(&l, "c", 3);
	cr_assert_eq(finding_list_spill(&l, spill_new()), 0);
	cr_assert_eq(finding_copy(&copy, &l.v[1]), 0);
	finding_list_release(&l);
	cr_assert_str_eq(copy.target_id, "c1");
	cr_assert_str_eq(copy.evidence, "evidence of c1");
	finding_release(&copy);
}
