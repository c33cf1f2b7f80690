/*
 * test_canary.c - made-up user names are never fixed, even when the
 * system's random source fails: the canary of the ctx, ctx_random_name(),
 * and the name the PostgreSQL check sends under --no-login (a fake server
 * in the test process records it).
 *
 * getrandom() is replaced for the whole test binary: it passes through to
 * the system call unless a test breaks it.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "engine/engine.h"
#include "fake_server.h"
#include "target.h"

static atomic_bool getrandom_broken;

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	if (atomic_load(&getrandom_broken)) {
		errno = ENOSYS;
		return -1;
	}
	return syscall(SYS_getrandom, buf, len, flags);
}

extern const struct check check_pg;

static void one_target(struct target_list *tl, uint16_t port)
{
	target_list_init(tl);
	fake_target_add(tl, "t0", "127.0.0.1", port, "");
}

Test(canary, ctx_names_differ_without_a_random_source)
{
	struct scan_config cfg;
	struct target_list tl;
	char seen[6][16];
	int i, j;

	atomic_store(&getrandom_broken, true);
	scan_config_defaults(&cfg);
	one_target(&tl, 5432);
	for (i = 0; i < 3; i++) {
		struct check_ctx *ctx = ctx_new(&check_pg, &cfg, &tl.v[0],
						&tl.v[0].addrs[0], 5432, NULL);
		const char *u = NULL, *p = NULL;

		cr_assert_not_null(ctx);
		cr_assert_eq(ctx_canary(ctx, &u, &p), 1);
		snprintf(seen[2 * i], sizeof(seen[0]), "%s", u);
		ctx_random_name(ctx, seen[2 * i + 1], sizeof(seen[0]));
		cr_expect_eq(strncmp(seen[2 * i + 1], "xp", 2), 0);
		cr_expect_eq(strlen(seen[2 * i + 1]), 14);
		ctx_free(ctx);
	}
	for (i = 0; i < 6; i++)
		for (j = i + 1; j < 6; j++)
			cr_expect_str_neq(seen[i], seen[j], "%d and %d", i, j);
	target_list_release(&tl);
}

/* the "hello" role of the pg check under --no-login, twice, with the
 * random source broken: two different names reach the server */
Test(canary, pg_made_up_role_differs_without_a_random_source, .timeout = 60)
{
	const struct check *list[] = { &check_pg };
	struct fake_server s;
	struct scan_config cfg;
	struct target_list tl;
	struct scan_result res;
	char *err = NULL, first[64] = "";
	int run;

	atomic_store(&getrandom_broken, true);
	for (run = 0; run < 2; run++) {
		fake_start(&s, FAKE_PG, 4);
		one_target(&tl, s.port);
		snprintf(tl.v[0].ports[0].check, 16, "pg");
		scan_config_defaults(&cfg);
		cfg.checks = list;
		cfg.nchecks = 1;
		cfg.no_login = true;
		cfg.timeout_ms = 2000;
		cfg.check_timeout_ms = 8000;
		cr_assert_eq(scan_run(&cfg, &tl, &res, &err), 0, "%s",
			     err ? err : "");
		scan_result_release(&res);
		target_list_release(&tl);
		fake_stop(&s);
		cr_assert_eq(s.nusers, 1, "startups seen: %u", s.nusers);
		cr_expect_eq(strncmp(s.users[0], "xp", 2), 0, "%s", s.users[0]);
		if (run == 0)
			snprintf(first, sizeof(first), "%s", s.users[0]);
		else
			cr_expect_str_neq(first, s.users[0]);
	}
}
