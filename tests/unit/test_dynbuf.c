/*
 * test_dynbuf.c - the capped buffer's accessors, above all while empty: an
 * empty dynbuf may hold no storage, and its contents must still be a
 * string ("") wherever they go to "%s" or to a parser.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynbuf.h"
#include "expo.h"
#include "report/report_priv.h"

Test(dynbuf, empty_is_a_string)
{
	struct dynbuf b;
	char out[32];

	dynbuf_init(&b, 16);
	cr_assert_not_null(dynbuf_ptr(&b));
	cr_expect_str_eq(dynbuf_ptr(&b), "");
	cr_expect_eq(dynbuf_len(&b), 0);
	/* what the modules do with evidence they gathered */
	snprintf(out, sizeof(out), "as %s.", dynbuf_ptr(&b));
	cr_expect_str_eq(out, "as .");
	dynbuf_release(&b);
	cr_assert_not_null(dynbuf_ptr(&b));
	cr_expect_str_eq(dynbuf_ptr(&b), "");
}

Test(dynbuf, empty_again_after_use)
{
	struct dynbuf b;

	dynbuf_init(&b, 16);
	cr_assert_eq(dynbuf_addstr(&b, "abc"), 0);
	cr_expect_str_eq(dynbuf_ptr(&b), "abc");
	cr_expect_eq(dynbuf_len(&b), 3);
	dynbuf_consume(&b, 1);
	cr_expect_str_eq(dynbuf_ptr(&b), "bc");
	cr_expect_eq(dynbuf_len(&b), 2);
	dynbuf_consume(&b, 5);
	cr_expect_str_eq(dynbuf_ptr(&b), "");
	cr_expect_eq(dynbuf_len(&b), 0);
	cr_assert_eq(dynbuf_addf(&b, "%d", 42), 0);
	dynbuf_reset(&b);
	cr_expect_str_eq(dynbuf_ptr(&b), "");
	free(dynbuf_detach(&b));
	cr_expect_str_eq(dynbuf_ptr(&b), "");
	cr_expect_eq(dynbuf_len(&b), 0);
	/* a refused add leaves the contents as they were */
	cr_expect_eq(dynbuf_add(&b, "0123456789abcdefg", 17), EXPO_ETOOBIG);
	cr_expect_str_eq(dynbuf_ptr(&b), "");
	dynbuf_release(&b);
}

/* the escaped copy of "" is "", not NULL: every writer took NULL for "out
 * of memory" and failed the whole report on an empty field */
Test(dynbuf, escaped_empty_is_empty)
{
	char *e = report_escaped("");

	cr_assert_not_null(e);
	cr_expect_str_eq(e, "");
	free(e);
	e = report_escaped(NULL);
	cr_assert_not_null(e);
	cr_expect_str_eq(e, "-");
	free(e);
	e = report_escaped("a\x1b[31m");
	cr_assert_not_null(e);
	cr_expect_null(strchr(e, '\x1b'));
	free(e);
}
