/*
 * test_output.c - where reports go: devices and FIFOs written through,
 * symlinks kept, no temporary file left, secret-bearing files 0600, every
 * destination checked before the scan (missing folder, duplicates, a
 * refused --store), saved secrets redacted by `report` and `merge`, and
 * error messages escaped. The command line ones run EXPO_BIN against
 * tests/fixtures/gate/input.json; no lab needed (loopback only).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cli/cli.h"
#include "expo.h"
#include "report/report.h"
#include "report/report_doc.h"

#define FIXTURE "tests/fixtures/gate/input.json"

/* ---- helpers ---- */

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/expo-output-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void remove_tree(char *dir)
{
	char *cmd = NULL;

	cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* entries of dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "%s", dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* text with its first `from` replaced by `to` (malloc'd) */
static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *r = NULL;

	cr_assert_not_null(p, "no '%s'", from);
	cr_assert(asprintf(&r, "%.*s%s%s", (int)(p - text), text, to,
			   p + strlen(from)) > 0);
	return r;
}

/* runs a shell command line (stderr folded into stdout); the exit code,
 * the output in *out (caller frees) */
static int sh(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sh(char **out, const char *fmt, ...)
{
	char *cmd = NULL, *full = NULL, buf[4096];
	size_t len = 0, cap = 4 << 20;
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

/* everything readable from a FIFO's non-blocking read end, up to EOF */
static char *drain(int fd)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = calloc(1, cap + 1);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN && poll(&pfd, 1, 5000) > 0)
			continue;
		break;
	}
	return buf;
}

/* ---- write through: devices and FIFOs ---- */

/* A null device node of the test's own (root may mknod). Never the real
 * /dev/null: with the bug back, a test run as root would turn the
 * machine's /dev/null into a regular file (it did once, before this
 * test was rewritten). Before the fix the rename replaced the node. */
Test(output, char_device_is_written_through_not_replaced)
{
	char *dir = make_tmpdir(), dev[256], *out;
	struct stat st;

	snprintf(dev, sizeof(dev), "%s/null", dir);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		remove_tree(dir);
		cr_skip_test("mknod needs root: %s", strerror(errno));
	}
	cr_assert_eq(write_file_atomic(dev, "x\n", 2), 0);
	cr_assert_eq(lstat(dev, &st), 0);
	cr_expect(S_ISCHR(st.st_mode), "the device became a regular file");
	cr_expect_eq(st.st_rdev, makedev(1, 3));
	cr_expect_eq(count_entries(dir), 1, "a temporary file was left");
	/* the command line, every writer at once: all still a device */
	cr_expect_eq(sh(&out,
			"%s report %s -q --json %s --sarif %s --junit %s "
			"--markdown %s --defectdojo %s --ports-out %s",
			bin(), FIXTURE, dev, dev, dev, dev, dev, dev),
		     1, "%s", out);
	free(out);
	cr_assert_eq(lstat(dev, &st), 0);
	cr_expect(S_ISCHR(st.st_mode));
	cr_expect_eq(count_entries(dir), 1);
	remove_tree(dir);
}

/* Before the fix a reader of the FIFO got nothing: the report was renamed
 * over the FIFO's name. */
Test(output, fifo_reader_gets_the_report, .timeout = 30)
{
	char *dir = make_tmpdir(), fifo[256], *got, *out;
	struct stat st;
	cJSON *doc;
	int fd;

	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	/* the read end first (non-blocking), so the writer's open returns */
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write_file_atomic(fifo, "through\n", 8), 0);
	got = drain(fd);
	cr_expect_str_eq(got, "through\n");
	free(got);
	close(fd);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced");
	cr_expect_eq(count_entries(dir), 1);

	/* end to end: `exposure report --json FIFO` feeds a reader */
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0);
	cr_expect_eq(
		sh(&out, "%s report %s -q --json %s", bin(), FIXTURE, fifo), 1,
		"%s", out);
	free(out);
	got = drain(fd);
	close(fd);
	doc = cJSON_Parse(got);
	cr_expect_not_null(doc, "the reader did not get the JSON: '%.200s'",
			   got);
	cJSON_Delete(doc);
	free(got);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode));
	cr_expect_eq(count_entries(dir), 1);
	remove_tree(dir);
}

/* a reader that went away: an error, not a SIGPIPE that kills the run */
Test(output, fifo_reader_gone_is_an_error_not_a_signal, .timeout = 30)
{
	char *dir = make_tmpdir(), fifo[256], *big;
	struct atomic_file af;
	size_t n = 1 << 20;
	int fd;

	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0);
	cr_assert_eq(atomic_file_open(&af, fifo), 0);
	close(fd);
	big = calloc(1, n);
	cr_expect_lt(atomic_file_write(&af, big, n), 0);
	atomic_file_abort(&af);
	free(big);
	cr_expect_eq(count_entries(dir), 1);
	remove_tree(dir);
}

/* ---- symlinks ---- */

Test(output, symlink_is_followed_and_kept)
{
	char *dir = make_tmpdir(), sub[256], link[256], real[256], *got;
	char target[256], *out;
	struct stat st;
	ssize_t n;

	snprintf(sub, sizeof(sub), "%s/reports", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(link, sizeof(link), "%s/latest.json", dir);
	snprintf(real, sizeof(real), "%s/reports/r1.json", dir);
	/* dangling: the link names the file to create */
	cr_assert_eq(symlink("reports/r1.json", link), 0);
	cr_assert_eq(write_file_atomic(link, "one\n", 4), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the symlink was replaced");
	got = slurp(real);
	cr_expect_str_eq(got, "one\n");
	free(got);
	/* existing target: replaced next to itself, link untouched */
	cr_assert_eq(write_file_atomic(link, "two\n", 4), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	n = readlink(link, target, sizeof(target) - 1);
	cr_assert_gt(n, 0);
	target[n] = '\0';
	cr_expect_str_eq(target, "reports/r1.json");
	got = slurp(real);
	cr_expect_str_eq(got, "two\n");
	free(got);
	cr_expect_eq(count_entries(dir), 2, "a temporary file was left");
	cr_expect_eq(count_entries(sub), 1, "a temporary file was left");
	/* a chain of two links, through the command line */
	snprintf(target, sizeof(target), "%s/chain.json", dir);
	cr_assert_eq(symlink("latest.json", target), 0);
	cr_expect_eq(
		sh(&out, "%s report %s -q --json %s", bin(), FIXTURE, target),
		1, "%s", out);
	free(out);
	cr_assert_eq(lstat(target, &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode));
	got = slurp(real);
	cr_expect(strstr(got, "\"schema_version\"") != NULL);
	free(got);
	cr_expect_eq(count_entries(dir), 3);
	cr_expect_eq(count_entries(sub), 1);
	remove_tree(dir);
}

/* ---- nothing left behind ---- */

/* a write cut short (file size limit): the temporary file goes */
Test(output, failed_write_leaves_no_temporary_file)
{
	char *dir = make_tmpdir(), path[256], *data;
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/r.json", dir);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 100, 100 };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		data = calloc(1, 4096);
		_exit(write_file_atomic(path, data, 4096) < 0 ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "the write did not fail");
	cr_expect_eq(count_entries(dir), 0, "a temporary file was left");
	remove_tree(dir);
}

/* ---- file modes ---- */

/* every writer flagged `secrets` in the table makes a new file 0600, the
 * others follow the umask; replacing keeps the old mode unless clear
 * secrets go in */
Test(output, secret_writers_make_private_files)
{
	struct report_doc d;
	struct scan_report rep;
	char *dir = make_tmpdir(), path[256], *err = NULL;
	struct stat st;
	mode_t old = umask(022);
	size_t i;

	report_doc_init(&d);
	cr_assert_eq(report_json_read(FIXTURE, &d, &err), 0, "%s", err);
	report_doc_view(&d, &rep);
	for (i = 0; i < cli_nwriters; i++) {
		const struct cli_writer *w = &cli_writers[i];

		if (w->write_file == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s.out", dir, w->name);
		cr_assert_eq(w->write_file(path, &rep), 0, "%s", w->name);
		cr_assert_eq(stat(path, &st), 0);
		cr_expect_eq(st.st_mode & 0777, w->secrets ? 0600 : 0644,
			     "--%s: mode %o", w->name, st.st_mode & 0777);
	}
	/* a report the user made readable stays so while redacted ... */
	snprintf(path, sizeof(path), "%s/json.out", dir);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(report_json_write(path, &rep), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0644);
	/* ... and not once it holds secrets in clear */
	rep.show_secrets = true;
	cr_assert_eq(report_json_write(path, &rep), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	umask(old);
	report_doc_release(&d);
	remove_tree(dir);
}

Test(output, history_files_are_private)
{
	char *dir = make_tmpdir(), *out, *cmd = NULL;
	struct stat st;

	cr_expect_eq(sh(&out,
			"umask 022; %s report %s -q --history %s/h "
			"--fail-on none",
			bin(), FIXTURE, dir),
		     0, "%s", out);
	free(out);
	cr_assert(asprintf(&cmd, "%s/h", dir) > 0);
	cr_assert_eq(stat(cmd, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0700);
	free(cmd);
	cr_expect_eq(sh(&out, "stat -c %%a %s/h/*.json", dir), 0);
	cr_expect_str_eq(out, "600\n");
	free(out);
	remove_tree(dir);
}

/* ---- saved secrets ---- */

/* the fixture saved with --show-secrets: a password in clear */
static char *secret_report(const char *dir)
{
	char *path = NULL, *text = slurp(FIXTURE), *a, *b;

	a = replace_once(text, "\"show_secrets\": false",
			 "\"show_secrets\": true");
	b = replace_once(a, "\"secret\": \"<redacted>\"",
			 "\"secret\": \"root:hunter\"");
	cr_assert(asprintf(&path, "%s/saved.json", dir) > 0);
	spew(path, b);
	free(text);
	free(a);
	free(b);
	return path;
}

Test(output, report_and_merge_redact_saved_secrets)
{
	char *dir = make_tmpdir(), *saved = secret_report(dir), *out, *text;
	static const char *const cmds[] = { "report", "merge" };
	cJSON *doc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		cr_expect_eq(sh(&out,
				"cd %s && %s %s saved.json -v --json o.json "
				"--sarif o.sarif --junit o.xml --markdown o.md "
				"--defectdojo o.dd --ports-out o.tsv "
				"--github-annotations --history h",
				dir, bin(), cmds[i]),
			     1, "%s", out);
		cr_expect(strstr(out, "hunter") == NULL,
			  "%s printed the secret:\n%s", cmds[i], out);
		cr_expect(strstr(out, "<redacted>") != NULL, "%s", out);
		free(out);
		cr_expect_eq(sh(&out, "cd %s && cat o.* h/*", dir), 0);
		cr_expect(strstr(out, "hunter") == NULL,
			  "%s wrote the secret to a file", cmds[i]);
		free(out);
		out = NULL;
		cr_assert(asprintf(&out, "%s/o.json", dir) > 0);
		text = slurp(out);
		doc = cJSON_Parse(text);
		free(text);
		free(out);
		cr_assert_not_null(doc);
		cr_expect(
			cJSON_IsFalse(cJSON_GetObjectItem(doc, "show_secrets")),
			"show_secrets stayed true");
		cJSON_Delete(doc);
		cr_expect_eq(sh(&out, "rm -rf %s/o.* %s/h", dir, dir), 0);
		free(out);
	}
	/* asked for again, they are shown */
	cr_expect_eq(sh(&out, "%s report %s -v --show-secrets", bin(), saved),
		     1);
	cr_expect(strstr(out, "root:hunter") != NULL, "%s", out);
	free(out);
	free(saved);
	remove_tree(dir);
}

Test(output, errors_quoting_file_values_are_escaped)
{
	char *dir = make_tmpdir(), *text = slurp(FIXTURE), *evil, *out;
	char path[256];

	/* "\u001b]" in JSON: an ESC from the file into the message (a port
	 * record's address that is not the target's is quoted) */
	evil = replace_once(text,
			    "\"ports\": [\n    {\n     \"address\": "
			    "\"192.0.2.10\"",
			    "\"ports\": [\n    {\n     \"address\": "
			    "\"\\u001b]x\"");
	snprintf(path, sizeof(path), "%s/evil.json", dir);
	spew(path, evil);
	free(evil);
	cr_expect_eq(sh(&out, "%s report %s", bin(), path), 2, "%s", out);
	cr_expect(strchr(out, 0x1b) == NULL, "raw ESC in: %s", out);
	cr_expect(strstr(out, "\\x1b") != NULL, "%s", out);
	free(out);
	free(text);
	remove_tree(dir);
}

/* ---- destinations checked before the scan ---- */

/* a loopback listener standing in for a target: was it contacted? */
static int listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(s, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s, 16), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static bool contacted(int s)
{
	int c = accept(s, NULL, NULL);

	if (c >= 0)
		close(c);
	return c >= 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* exit 2 naming the flag, the path and why, before any probe is sent */
static void refused_before_scan(const char *opts, const char *want)
{
	char *dir = make_tmpdir(), inv[256], *out;
	unsigned port;
	int s = listener(&port);
	double t0;

	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	spew(inv, "127.0.0.1\n");
	t0 = now_s();
	cr_expect_eq(sh(&out,
			"cd %s && %s scan inv.txt --ports %u --timeout 20000 "
			"--check-timeout 30000 %s",
			dir, bin(), port, opts),
		     2, "%s: %s", opts, out);
	cr_expect(strstr(out, want) != NULL, "%s: want '%s' in: %s", opts, want,
		  out);
	cr_expect_lt(now_s() - t0, 10.0);
	cr_expect(!contacted(s), "%s: the target was scanned first", opts);
	close(s);
	free(out);
	cr_expect_eq(count_entries(dir), 1, "%s: a file was created", opts);
	remove_tree(dir);
}

Test(output, destinations_are_checked_before_the_scan, .timeout = 120)
{
	refused_before_scan("--json missing/r.json",
			    "--json missing/r.json: folder missing does not "
			    "exist");
	refused_before_scan("--sarif ok.sarif --markdown nope/x/s.md",
			    "--markdown nope/x/s.md: folder nope/x does not "
			    "exist");
	refused_before_scan("--junit .", "--junit .: is a folder");
	refused_before_scan("--ports-out inv.txt/x",
			    "--ports-out inv.txt/x: a folder in the path is "
			    "a file");
	refused_before_scan("--history missing/h",
			    "--history missing/h: folder missing does not "
			    "exist");
	refused_before_scan("--history inv.txt", "not a folder");
}

Test(output, two_writers_on_one_destination_exit_2, .timeout = 120)
{
	refused_before_scan("--json r.json --sarif r.json",
			    "--json and --sarif both write r.json");
	refused_before_scan("--json r.json --junit ./r.json",
			    "--json and --junit both write ./r.json");
	refused_before_scan("--json inv.txt --defectdojo ../$(basename "
			    "$PWD)/inv.txt",
			    "--json and --defectdojo both write");
	refused_before_scan("--json - --sarif -",
			    "--json and --sarif both write standard output");
	refused_before_scan("--markdown - --github-annotations",
			    "--markdown and --github-annotations both write "
			    "standard output");
}

Test(output, symlink_to_the_same_file_is_a_duplicate)
{
	char *dir = make_tmpdir(), *out, *fx = realpath(FIXTURE, NULL);

	cr_expect_eq(sh(&out,
			"cd %s && ln -s r.json l.json && %s report %s "
			"--json r.json --sarif l.json",
			dir, bin(), fx),
		     2, "%s", out);
	cr_expect(strstr(out, "both write l.json") != NULL, "%s", out);
	free(out);
	/* a null device takes them all (the test's own node: see above) */
	cr_expect_eq(sh(&out,
			"cd %s && mknod null c 1 3 && %s report %s -q "
			"--json null --sarif null",
			dir, bin(), fx),
		     1, "%s", out);
	free(out);
	free(fx);
	remove_tree(dir);
}

Test(output, block_device_is_refused)
{
	char *dir = make_tmpdir(), dev[256], *out;
	struct stat st;

	snprintf(dev, sizeof(dev), "%s/blk", dir);
	/* an unassigned device number: nothing to harm even if opened */
	if (mknod(dev, S_IFBLK | 0600, makedev(240, 99)) != 0) {
		remove_tree(dir);
		cr_skip_test("mknod needs root: %s", strerror(errno));
	}
	cr_expect_eq(sh(&out, "%s report %s -q --json %s", bin(), FIXTURE, dev),
		     2, "%s", out);
	cr_expect(strstr(out, "is a block device") != NULL, "%s", out);
	free(out);
	cr_assert_eq(lstat(dev, &st), 0);
	cr_expect(S_ISBLK(st.st_mode));
	cr_expect_lt(write_file_atomic(dev, "x", 1), 0);
	cr_assert_eq(lstat(dev, &st), 0);
	cr_expect(S_ISBLK(st.st_mode));
	cr_expect_eq(count_entries(dir), 1);
	remove_tree(dir);
}

Test(output, refused_store_exits_2_without_the_password, .timeout = 120)
{
	refused_before_scan("--store postgresql://u:secretpw@127.0.0.1:1/x",
			    "--store postgresql://u:***@127.0.0.1:1/x: cannot "
			    "connect: ");
	refused_before_scan("--store 'postgresql://u@127.0.0.1:1/x?"
			    "sslmode=disable&password=secretpw'",
			    "x?sslmode=disable&password=***: cannot connect");
	refused_before_scan("--store 'host=127.0.0.1 port=1 "
			    "password=secretpw'",
			    "host=127.0.0.1 port=1 password=***: cannot");
	/* not a URL libpq knows: not shown at all */
	refused_before_scan("--store u:secretpw@127.0.0.1",
			    "--store (connection string not shown)");
}

/* the message never holds the password, whatever the form */
Test(output, store_messages_never_hold_the_password, .timeout = 60)
{
	static const char *const urls[] = {
		"postgresql://u:secretpw@127.0.0.1:1/x",
		"postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=2",
		"postgresql://u:secretpw@127.0.0.1:1/x?bogus=1",
		"postgresql://u:secretpw@[::1:1/x",
		"host=127.0.0.1 port=1 password='secret pw'",
		"host=127.0.0.1 port=1 password=secretpw bogus",
		"u:secretpw@127.0.0.1",
	};
	size_t i;
	char *out;

	for (i = 0; i < ARRAY_SIZE(urls); i++) {
		cr_expect_eq(sh(&out, "%s report %s -q --store \"%s\"", bin(),
				FIXTURE, urls[i]),
			     2, "%s: %s", urls[i], out);
		cr_expect(strstr(out, "secret") == NULL, "%s: %s", urls[i],
			  out);
		free(out);
	}
}

/* ---- standard output ---- */

Test(output, writer_on_stdout_replaces_the_text_report)
{
	char *out;
	cJSON *doc;

	cr_expect_eq(
		sh(&out, "%s report %s --json - 2>/dev/null", bin(), FIXTURE),
		1);
	/* the JSON alone: nothing after it */
	doc = cJSON_ParseWithOpts(out, NULL, true);
	cr_expect_not_null(doc, "stdout is not the JSON alone: %.300s", out);
	cJSON_Delete(doc);
	free(out);
}

/* the table drives --help: one line per writer, as before */
Test(output, help_lists_every_writer_once)
{
	char *out, line[128];
	size_t i;

	cr_expect_eq(sh(&out, "%s --help", bin()), 0);
	cr_expect(strstr(out, "  --json FILE           JSON report "
			      "(docs/report-schema.md)\n") != NULL);
	cr_expect(strstr(out, "  --github-annotations  ::error/::warning "
			      "lines on stdout (10 of each)\n") != NULL);
	for (i = 0; i < cli_nwriters; i++) {
		snprintf(line, sizeof(line), "  --%s", cli_writers[i].name);
		cr_expect(strstr(out, line) != NULL, "%s", line);
	}
	free(out);
}
