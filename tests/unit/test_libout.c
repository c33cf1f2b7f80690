/*
 * test_libout.c - what the client libraries print. A hostile server's
 * text (a PostgreSQL NoticeResponse during the startup, an SSH banner, HTTP
 * headers) must never reach stdout or stderr raw: no terminal escape, no
 * line starting with a CI workflow command ("::error::"). Library lines
 * appear only under -v, escaped, through the program's log (log.h).
 * Fake servers in the test process (fake_server.c); $EXPO_BIN is run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "fake_server.h"
#include "log.h"

static void scan_fake(enum fake_kind kind, const char *check, bool verbose,
		      char **out, char **err)
{
	struct fake_server s;
	char line[128], args[512], *inv;

	fake_start(&s, kind, 8);
	snprintf(line, sizeof(line), "127.0.0.1:%u check=%s\n",
		 (unsigned)s.port, check);
	inv = fake_tmpfile(line);
	snprintf(args, sizeof(args),
		 "scan %s --checks %s --no-login --timeout 2000 "
		 "--check-timeout 8000 --fail-on none%s",
		 inv, check, verbose ? " -v" : "");
	fake_run_exposure("", args, out, err);
	fake_stop(&s);
	unlink(inv);
	free(inv);
}

Test(libout, pg_notice_in_the_startup_is_escaped_under_v, .timeout = 60)
{
	char *out, *err;

	scan_fake(FAKE_PG, "pg", true, &out, &err);
	cr_expect(!fake_has_raw_control(err), "stderr:\n%s", err);
	cr_expect(!fake_has_raw_control(out), "stdout:\n%s", out);
	/* routed, not lost: the notice is there, escaped, on one line */
	cr_expect(strstr(err, "exposure: pg: libpq: NOTICE:") != NULL,
		  "stderr:\n%s", err);
	cr_expect(strstr(err, "\\x1b[31mred notice\\x0a::error::pwned") != NULL,
		  "stderr:\n%s", err);
	free(out);
	free(err);
}

Test(libout, pg_notice_is_not_shown_without_v, .timeout = 60)
{
	char *out, *err;

	scan_fake(FAKE_PG, "pg", false, &out, &err);
	cr_expect(!fake_has_raw_control(err), "stderr:\n%s", err);
	cr_expect(!fake_has_raw_control(out), "stdout:\n%s", out);
	cr_expect(strstr(err, "NOTICE") == NULL, "stderr:\n%s", err);
	cr_expect(strstr(err, "red notice") == NULL, "stderr:\n%s", err);
	free(out);
	free(err);
}

/* libssh is reached (the server's KEXINIT is fine) and told to go away
 * with a hostile text: under -v its line is in our log, escaped */
Test(libout, ssh_hostile_disconnect_prints_nothing_raw, .timeout = 60)
{
	char *out, *err;

	scan_fake(FAKE_SSH, "ssh", true, &out, &err);
	cr_expect(!fake_has_raw_control(err), "stderr:\n%s", err);
	cr_expect(!fake_has_raw_control(out), "stdout:\n%s", out);
	cr_expect(strstr(err, "exposure: ssh: libssh: ") != NULL &&
			  strstr(err, "DISCONNECT: 2:\\x1b[31mbye\\x0a::"
				      "error::pwned") != NULL,
		  "stderr:\n%s", err);
	free(out);
	free(err);
}

Test(libout, http_hostile_headers_print_nothing_raw, .timeout = 60)
{
	char *out, *err;

	scan_fake(FAKE_HTTP, "docker", true, &out, &err);
	cr_expect(!fake_has_raw_control(err), "stderr:\n%s", err);
	cr_expect(!fake_has_raw_control(out), "stdout:\n%s", out);
	free(out);
	free(err);
}

/* the escaping itself: nothing outside printable ASCII passes, and the
 * cut never splits an escape */
Test(libout, escape_function)
{
	char buf[64];

	cr_expect_str_eq(expo_log_escape(buf, sizeof(buf), "a\x1b[1m\n::b\\"),
			 "a\\x1b[1m\\x0a::b\\x5c");
	cr_expect_str_eq(expo_log_escape(buf, sizeof(buf), NULL), "");
	cr_expect_str_eq(expo_log_escape(buf, 6, "ab\x01"), "ab");
	cr_expect_str_eq(expo_log_escape(buf, sizeof(buf), "\xc3\xa9"),
			 "\\xc3\\xa9");
}

/* the store's own connection: its notice processor must be in place
 * before the startup, not after PQconnectdbParams() returned */
Test(libout, store_notice_in_the_startup_is_not_printed, .timeout = 60)
{
	struct fake_server s;
	char args[256], *out, *err;

	fake_start(&s, FAKE_PG, 2);
	snprintf(args, sizeof(args),
		 "history --store "
		 "'postgresql://127.0.0.1:%u/x?sslmode=disable&gssencmode="
		 "disable&passfile=/nonexistent'",
		 (unsigned)s.port);
	cr_expect_neq(fake_run_exposure("", args, &out, &err), 0);
	fake_stop(&s);
	cr_expect(!fake_has_raw_control(err), "stderr:\n%s", err);
	cr_expect(!fake_has_raw_control(out), "stdout:\n%s", out);
	cr_expect(strstr(err, "red notice") == NULL, "stderr:\n%s", err);
	/* the server's error is named, escaped */
	cr_expect(strstr(err, "--store") != NULL, "stderr:\n%s", err);
	free(out);
	free(err);
}
