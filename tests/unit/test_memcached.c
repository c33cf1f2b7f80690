/*
 * test_memcached.c - the memcached "stats" parser on the reply recorded
 * from the lab's memcached 1.6.18 (tests/fixtures/memcached/) and on
 * constructed ones (errors, truncated, other protocols, bounds), and
 * memcached assess() on fixture facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "dynbuf.h"
#include "expo.h"
#include "raw/memcached_wire.h"
#include "rawapi_fixture.h"

extern const struct check check_memcached;

static char *load(size_t *len)
{
	const char *path = "tests/fixtures/memcached/1.6.18-stats.txt";
	char *buf = malloc(65536);
	FILE *f = fopen(path, "rb");

	cr_assert_not_null(f, "cannot open %s (run from the top directory)",
			   path);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

Test(memcached_wire, recorded_stats)
{
	struct memcached_stats s;
	size_t len, used = 0;
	char *buf = load(&len);

	cr_assert_eq(memcached_wire_stats(buf, len, &s, &used), 0);
	cr_expect_eq(s.kind, MEMCACHED_STATS);
	cr_expect_str_eq(s.version, "1.6.18");
	cr_expect_eq(s.curr_items, 1);
	cr_expect_geq(s.curr_connections, 1);
	cr_expect_gt(s.nstats, 50);
	cr_expect_eq(used, len);
	free(buf);
}

Test(memcached_wire, truncated_every_prefix)
{
	struct memcached_stats s;
	size_t len, used = 0, i;
	char *buf = load(&len);

	for (i = 0; i < len; i++)
		cr_assert_eq(memcached_wire_stats(buf, i, &s, &used),
			     MEMCACHED_WIRE_MORE, "prefix %zu", i);
	free(buf);
}

Test(memcached_wire, errors)
{
	static const char *const e[] = {
		"ERROR\r\n",
		"CLIENT_ERROR unauthenticated\r\n",
		"SERVER_ERROR out of memory\r\n",
	};
	struct memcached_stats s;
	size_t i, used = 0;

	for (i = 0; i < 3; i++) {
		cr_assert_eq(
			memcached_wire_stats(e[i], strlen(e[i]), &s, &used), 0);
		cr_expect_eq(s.kind, MEMCACHED_ERROR);
		cr_expect_eq(used, strlen(e[i]));
	}
	cr_expect_str_eq(s.error, "SERVER_ERROR out of memory");
}

Test(memcached_wire, hostile)
{
	static char big[MEMCACHED_LINE_MAX + 8];
	static const char odd[] = "STAT curr_items 99999999999999999999\r\n"
				  "STAT version \x01x\r\nEND\r\n";
	struct memcached_stats s;
	struct dynbuf many;
	size_t used = 0, i;

	cr_expect_eq(memcached_wire_stats("HTTP/1.1 200 OK\r\n", 17, &s, &used),
		     EXPO_EPROTO);
	cr_expect_eq(memcached_wire_stats("STAT pid 1\nEND\n", 15, &s, &used),
		     EXPO_EPROTO);
	/* END without any STAT is not a stats reply */
	cr_expect_eq(memcached_wire_stats("END\r\n", 5, &s, &used),
		     EXPO_EPARSE);
	/* an error after STAT lines is not a memcached reply */
	cr_expect_eq(
		memcached_wire_stats("STAT pid 1\r\nERROR\r\n", 19, &s, &used),
		EXPO_EPROTO);
	memset(big, 'S', sizeof(big));
	cr_expect_eq(memcached_wire_stats(big, sizeof(big), &s, &used),
		     EXPO_ETOOBIG);
	dynbuf_init(&many, 1 << 20);
	for (i = 0; i <= MEMCACHED_MAX_LINES; i++)
		dynbuf_addstr(&many, "STAT x 1\r\n");
	cr_expect_eq(memcached_wire_stats(dynbuf_ptr(&many), dynbuf_len(&many),
					  &s, &used),
		     EXPO_ETOOBIG);
	dynbuf_release(&many);
	/* odd values stay bounded */
	cr_assert_eq(memcached_wire_stats(odd, sizeof(odd) - 1, &s, &used), 0);
	cr_expect_eq(s.curr_items, -1);
	cr_expect_str_eq(s.version, "x");
}

Test(memcached_assess, stats_is_no_auth)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_memcached, 11211,
		   "{\"reply\":\"stats\","
		   "\"version\":\"1.6.18\",\"curr_items\":12,"
		   "\"curr_connections\":2,\"stats\":80}",
		   false);
	x = rawfix_one(&f, "memcached.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "memcached 1.6.18") != NULL, "%s",
		  x->evidence);
	cr_expect(strstr(x->evidence, "12 items") != NULL, "%s", x->evidence);
	rawfix_release(&f);
}

Test(memcached_assess, negatives)
{
	static const char *const cases[] = {
		"{\"reply\":\"error\",\"error\":\"CLIENT_ERROR unauthenticated\"}",
		"{}",
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct rawfix f;

		rawfix_run(&f, &check_memcached, 11211, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}
