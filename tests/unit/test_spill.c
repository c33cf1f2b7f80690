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
#include "rank/rank.h"
#include "report/report_doc.h"
#include "spill.h"

/* a finding as a check makes it: target strings packed, evidence owned */
static void add_at(struct finding_list *l, const char *id, const char *addr,
		   const char *ev)
{
	struct finding *f = finding_list_add(l);
	size_t lid = strlen(id) + 1, laddr = strlen(addr) + 1;
	char *pack = malloc(2 * lid + laddr);

	cr_assert(f != NULL && pack != NULL);
	memcpy(pack, id, lid);
	memcpy(pack + lid, id, lid);
	memcpy(pack + 2 * lid, addr, laddr);
	f->rule_id = (char *)"fake.ok";
	f->shares = FINDING_SHARES_RULE | FINDING_PACKS_TARGET;
	f->target_id = pack;
	f->target_name = pack + lid;
	f->address = pack + 2 * lid;
	f->evidence = strdup(ev);
	f->secret = strdup("<redacted>");
	f->port = 22;
}

static void add(struct finding_list *l, const char *id, const char *ev)
{
	add_at(l, id, id, ev);
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

/* kB of the process's resident pages of files: RssFile, and RssShmem
 * for a $TMPDIR on tmpfs */
static long rss_file_kb(void)
{
	char line[128];
	long kb = 0, v;
	FILE *f = fopen("/proc/self/status", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssFile: %ld", &v) == 1 ||
		    sscanf(line, "RssShmem: %ld", &v) == 1)
			kb += v;
	fclose(f);
	return kb;
}

/* a trim gives the pages back to the page cache and loses nothing: the
 * side region used as an array reads zero where never written */
Test(spill, trim_keeps_every_byte_and_drops_the_pages)
{
	struct spill *s = spill_new();
	const size_t n = (size_t)16 << 20;
	unsigned char *a;
	uint32_t *side;
	long before, touched, after;
	size_t i;

	cr_assert_not_null(s);
	cr_assert_eq(spill_array_reserve(s, n), 0);
	cr_assert_eq(spill_side_reserve(s, 4096 * sizeof(*side)), 0);
	a = spill_array(s);
	side = spill_side(s);
	for (i = 0; i < 4096; i++)
		cr_assert_eq(side[i], 0);
	side[7] = 77;
	before = rss_file_kb();
	for (i = 0; i < n; i++)
		a[i] = (unsigned char)(i * 7 + 3);
	touched = rss_file_kb();
	spill_trim_all();
	after = rss_file_kb();
	/* the last chunk was written behind the grow's own drop */
	cr_assert_gt(touched - after, 512, "RssFile %ld -> %ld -> %ld kB",
		     before, touched, after);
	for (i = 0; i < n; i++)
		if (a[i] != (unsigned char)(i * 7 + 3))
			cr_assert_fail("byte %zu lost by the trim", i);
	cr_assert_eq(side[7], 77);
	cr_assert_eq(spill_side_reserve(s, 4 * 4096 * sizeof(*side)), 0);
	cr_assert_eq((void *)side, spill_side(s));
	cr_assert_eq(side[7], 77);
	cr_assert_eq(side[4 * 4096 - 1], 0);
	spill_free(s);
}

/* records and their durations in memory and in a spill: contents kept
 * as they grow, new durations 0, none until wanted */
static void records_case(bool spilled)
{
	struct spill *s = spilled ? spill_new() : NULL;
	struct port_record *v = NULL, *first;
	uint32_t *ms = NULL;
	size_t alloc = 0, ms_alloc = 0, i;

	cr_assert(!spilled || s != NULL);
	cr_assert_eq(
		port_records_room(&v, &alloc, &ms, &ms_alloc, 100, false, s),
		0);
	cr_assert_geq(alloc, 100);
	cr_assert_null(ms);
	first = v;
	for (i = 0; i < 100; i++)
		v[i] = (struct port_record){ .target = (uint32_t)i,
					     .port = (uint16_t)(i + 1),
					     .check = CHECK_NONE };
	cr_assert_eq(
		port_records_room(&v, &alloc, &ms, &ms_alloc, 300000, true, s),
		0);
	cr_assert_geq(alloc, 300000);
	cr_assert_geq(ms_alloc, alloc);
	if (spilled)
		cr_assert_eq(v, first, "a spilled array never moves");
	for (i = 0; i < 100; i++) {
		cr_assert_eq(v[i].target, i);
		cr_assert_eq(v[i].port, i + 1);
	}
	for (i = 0; i < alloc; i++)
		if (ms[i] != 0)
			cr_assert_fail("duration %zu is %u, not 0", i, ms[i]);
	ms[299999] = 5;
	cr_assert_eq(
		port_records_room(&v, &alloc, &ms, &ms_alloc, 400000, false, s),
		0);
	cr_assert_geq(ms_alloc, 400000, "durations follow the records");
	cr_assert_eq(ms[299999], 5);
	cr_assert_eq(ms[399999], 0);
	port_records_free(v, ms, s);
}

Test(spill, records_grow_in_memory_and_in_a_spill)
{
	records_case(false);
	records_case(true);
}

/* n findings in many ranks, and many that tie on all but the address
 * (one per address of a dual-stack target): a sort has one answer */
static void fill_ranked(struct finding_list *l, int n)
{
	unsigned seed = 12345;
	char id[32], addr[32];
	int i;

	for (i = 0; i < n; i++) {
		struct finding *f;

		seed = seed * 1103515245u + 12345u;
		snprintf(id, sizeof(id), "t%u", (seed >> 8) % 997);
		snprintf(addr, sizeof(addr), "127.0.%d.%d", i / 256 % 256,
			 i % 256);
		add_at(l, id, addr, "ev");
		f = &l->v[l->n - 1];
		f->port = (uint16_t)(i % 40 + 1);
		f->confidence = (enum confidence)((seed >> 4) % 3);
		f->impact = (enum impact)((seed >> 12) % 4);
		f->cvss_score = (double)((seed >> 16) % 100) / 10.0;
		f->is_public = (seed >> 20) & 1;
		if (i % 2 == 0) {
			/* ties: 40 (target, port) pairs, 5,000 addresses */
			f->confidence = CONFIDENCE_CONFIRMED;
			f->impact = IMPACT_EXEC;
			f->cvss_score = 9.8;
			f->is_public = false;
			f->port = (uint16_t)(i % 4 + 1);
			snprintf(f->target_id, strlen(f->target_id) + 1, "t%d",
				 i % 10);
		}
	}
}

/* past a few thousand, a spilled list is sorted in runs and merged: the
 * order is the one qsort gives the same list in memory */
Test(spill, a_spilled_list_ranks_as_one_in_memory)
{
	struct finding_list mem, sp;
	size_t i;

	finding_list_init(&mem);
	finding_list_init(&sp);
	fill_ranked(&mem, 20000);
	fill_ranked(&sp, 20000);
	cr_assert_eq(finding_list_spill(&sp, spill_new()), 0);
	rank_findings(&mem);
	rank_findings(&sp);
	cr_assert_eq(mem.n, sp.n);
	for (i = 0; i < mem.n; i++) {
		if (strcmp(mem.v[i].target_id, sp.v[i].target_id) != 0 ||
		    strcmp(mem.v[i].address, sp.v[i].address) != 0 ||
		    mem.v[i].port != sp.v[i].port)
			cr_assert_fail(
				"rank %zu: %s:%u in memory, %s:%u spilled", i,
				mem.v[i].target_id, mem.v[i].port,
				sp.v[i].target_id, sp.v[i].port);
		cr_assert_str_eq(mem.v[i].rank_reason, sp.v[i].rank_reason);
	}
	finding_list_release(&mem);
	finding_list_release(&sp);
}

/* records read back (report, merge, --baseline) spill past
 * RECORDS_SPILL_AFTER, durations with them; a merge that crosses it
 * spills the destination's; nothing is lost on the way */
Test(spill, read_back_records_spill_and_keep_their_durations)
{
	const size_t n = RECORDS_SPILL_AFTER + 1000, small = 100;
	struct report_doc d, a, b;
	char *err = NULL;
	size_t i;

	report_doc_init(&d);
	for (i = 0; i < n; i++) {
		struct port_record rec = { .target = (uint32_t)(i % 5000),
					   .port = (uint16_t)(i % 60000 + 1),
					   .check = CHECK_NONE };

		cr_assert_eq(report_doc_record_ms(&d, &rec, (uint32_t)(i % 7)),
			     0);
	}
	cr_assert_not_null(d.records_spill);
	cr_assert_eq(d.nrecords, n);
	for (i = 0; i < n; i++)
		if (d.records[i].port != i % 60000 + 1 ||
		    d.durations_ms[i] != i % 7)
			cr_assert_fail("record %zu changed in the spill", i);
	/* a merge from below the threshold to past it */
	report_doc_init(&a);
	report_doc_init(&b);
	for (i = 0; i < RECORDS_SPILL_AFTER - small; i++) {
		struct port_record rec = { .port = 1, .check = CHECK_NONE };

		cr_assert_eq(report_doc_record_ms(&a, &rec, 3), 0);
	}
	for (i = 0; i < 2 * small; i++) {
		struct port_record rec = { .port = 2, .check = CHECK_NONE };

		cr_assert_eq(report_doc_record_ms(&b, &rec, 9), 0);
	}
	cr_assert_null(a.records_spill);
	cr_assert_eq(report_doc_merge(&a, &b, &err), 0, "%s", err);
	cr_assert_not_null(a.records_spill);
	cr_assert_eq(a.nrecords, RECORDS_SPILL_AFTER + small);
	for (i = 0; i < a.nrecords; i++) {
		bool from_b = i >= RECORDS_SPILL_AFTER - small;

		if (a.records[i].port != (from_b ? 2 : 1) ||
		    a.durations_ms[i] != (from_b ? 9u : 3u))
			cr_assert_fail("merged record %zu is wrong", i);
	}
	report_doc_release(&d);
	report_doc_release(&a);
	report_doc_release(&b);
}
