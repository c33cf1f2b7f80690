/*
 * test_cli_output.c - --store checked before the scan, against the lab's
 * PostgreSQL (tests/lab/lab.d/store.sh): a database that refuses the
 * connection stops the run at once with exit 2, the reason from the
 * server, and the URL without its password. (A good store is checked and
 * then written by every --store run of test_cli.c and test_store_lab.c.)
 * The destination checks that need no server are in tests/unit/
 * test_output.c.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lab_util.h"

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

/* runs a shell command line (stderr folded in); the exit code */
static int sh(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sh(char **out, const char *fmt, ...)
{
	char *cmd = NULL, *full = NULL, buf[4096];
	size_t len = 0, cap = 1 << 20;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	cr_assert(asprintf(&full, "( %s ) 2>&1", cmd) > 0);
	p = popen(full, "r");
	cr_assert(p != NULL);
	*out = calloc(1, cap + 1);
	for (;;) {
		size_t n = fread(buf, 1, sizeof(buf), p);

		if (n == 0)
			break;
		if (len + n > cap)
			n = cap - len;
		memcpy(*out + len, buf, n);
		len += n;
	}
	st = pclose(p);
	free(cmd);
	free(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli_output, store_refusing_the_connection_stops_before_the_scan,
     .timeout = 120)
{
	char url[1024], host[512], bad[1200], *out, *at, *slash;
	char inv[] = "/tmp/expo-cli-output-XXXXXX";
	double t0;
	int fd;

	lab_env("EXPO_LAB_STORE_URL", url, sizeof(url));
	/* postgresql://USER@HOST:PORT/DB -> HOST:PORT */
	at = strchr(url, '@');
	cr_assert_not_null(at, "%s", url);
	snprintf(host, sizeof(host), "%s", at + 1);
	slash = strchr(host, '/');
	cr_assert_not_null(slash);
	*slash = '\0';
	snprintf(bad, sizeof(bad),
		 "postgresql://exposure:secretpw@%s/no_such_database", host);
	fd = mkstemp(inv);
	cr_assert_geq(fd, 0);
	/* the lab's SSH servers: a scan would take seconds */
	cr_assert_eq(write(fd, "127.0.10.1\n127.0.10.2\n", 22), 22);
	close(fd);
	t0 = lab_now();
	cr_expect_eq(sh(&out, "%s scan %s --checks ssh --store '%s' --run-id x",
			bin(), inv, bad),
		     2, "%s", out);
	cr_expect_lt(lab_now() - t0, 5.0, "the scan ran first");
	cr_expect(strstr(out, "no_such_database") != NULL &&
			  strstr(out, "does not exist") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "exposure:***@") != NULL, "%s", out);
	cr_expect(strstr(out, "secretpw") == NULL, "%s", out);
	free(out);
	unlink(inv);
}
