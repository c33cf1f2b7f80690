/*
 * SIGINT/SIGTERM during `exposure scan`, as a user (Ctrl-C), a CI cancel,
 * `kubectl delete` or `timeout` sends them: exit 130/143, every requested
 * report written and marked incomplete with what was proven in it, what
 * was never reached shown as such (not closed), nothing called fixed, an
 * interrupted shard stored as partial and replaced on retry, a second
 * signal ends the process at once, no temporary file left.
 *
 * The scans run against the lab: 127.0.10.1 (weak sshd: a finding within
 * a few seconds), 127.0.10.11 (hostile silent: with --timeout 60000 it
 * keeps the scan going), the RDP nla-stall server (a FreeRDP login that
 * blocks in the library, past the grace).
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "engine/engine.h"
#include "finding.h"
#include "lab_util.h"

#define WEAK "127.0.10.1"
#define HARD "127.0.10.2"
#define SILENT "127.0.10.11"

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

static char *mkdtemp_dup(void)
{
	char *d = strdup("/tmp/expo-int-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static cJSON *read_json(const char *path)
{
	char *text = read_text(path);
	cJSON *doc = cJSON_Parse(text);

	cr_assert_not_null(doc, "%s is not JSON: %s", path, text);
	free(text);
	return doc;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* `exposure ARGS` (split on spaces) started directly, not through a
 * shell: a shell's background job would have SIGINT ignored, which
 * exposure rightly keeps. stdout and stderr go to out. */
static pid_t spawn(const char *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static pid_t spawn(const char *out, const char *fmt, ...)
{
	char *line = NULL, *argv[64], *save = NULL, *tok;
	va_list ap;
	size_t n = 0;
	pid_t pid;

	va_start(ap, fmt);
	cr_assert(vasprintf(&line, fmt, ap) > 0);
	va_end(ap);
	argv[n++] = (char *)bin();
	for (tok = strtok_r(line, " ", &save); tok != NULL && n < 63;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		sigset_t none;
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	free(line);
	return pid;
}

/* waits up to secs for pid: its exit code; 1000 + the signal that killed
 * it; -1 if it was still running (it is killed then) */
static int wait_exit(pid_t pid, double secs)
{
	double end = lab_now() + secs;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 1000 + WTERMSIG(st);
		if (lab_now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		sleep_s(0.02);
	}
}

/* runs `exposure ARGS` to its end; the exit code */
static int run_to_end(const char *out, double max_s, const char *args)
{
	return wait_exit(spawn(out, "%s", args), max_s);
}

/*
 * How long to let a scan run before the signal so that the weak host's
 * finding is proven: twice what a whole scan of it alone takes now (the
 * machine may be loaded), at least 3 s.
 */
static double settle_s(const char *dir)
{
	static double s;
	char inv[600], out[600], args[1400];
	double t0;

	if (s > 0)
		return s;
	snprintf(inv, sizeof(inv), "%s/weak.txt", dir);
	snprintf(out, sizeof(out), "%s/weak.out", dir);
	write_file(inv, WEAK "\n");
	snprintf(args, sizeof(args), "scan %s --checks ssh -q --fail-on none",
		 inv);
	t0 = lab_now();
	cr_assert_eq(run_to_end(out, 120, args), 0);
	s = 2 * (lab_now() - t0) + 1;
	if (s < 3)
		s = 3;
	unlink(inv);
	unlink(out);
	return s;
}

/* the number of entries of dir whose name starts with '.' (a report's
 * temporary file is ".<name>.<pid>.<n>.tmp") */
static unsigned hidden_files(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	cr_assert_not_null(dh);
	while ((e = readdir(dh)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(dh);
	return n;
}

/* files of dir ending in suffix */
static unsigned count_files(const char *dir, const char *suffix)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	unsigned n = 0;
	size_t sl = strlen(suffix);

	if (dh == NULL)
		return 0;
	while ((e = readdir(dh)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] != '.' && l >= sl &&
		    strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(dh);
	return n;
}

/* the record of the JSON report for (address, port, check) */
static const cJSON *port_record(const cJSON *doc, const char *addr,
				unsigned port, const char *check)
{
	const cJSON *t, *p;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(doc, "targets"))
	{
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(t, "ports"))
		{
			const cJSON *c = cJSON_GetObjectItem(p, "check");

			if (strcmp(cJSON_GetObjectItem(p, "address")
					   ->valuestring,
				   addr) == 0 &&
			    cJSON_GetObjectItem(p, "port")->valueint ==
				    (int)port &&
			    (check == NULL ? cJSON_IsNull(c)
					   : cJSON_IsString(c) &&
						     strcmp(c->valuestring,
							    check) == 0))
				return p;
		}
	}
	return NULL;
}

static bool has_finding(const cJSON *doc, const char *rule, const char *addr)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		const cJSON *t = cJSON_GetObjectItem(f, "target");

		if (strcmp(cJSON_GetObjectItem(f, "rule")->valuestring, rule) ==
			    0 &&
		    strcmp(cJSON_GetObjectItem(t, "address")->valuestring,
			   addr) == 0)
			return true;
	}
	return false;
}

static void expect_incomplete(const cJSON *doc, const char *why)
{
	const cJSON *c = cJSON_GetObjectItem(doc, "complete");
	const cJSON *r = cJSON_GetObjectItem(doc, "incomplete_reason");

	cr_assert(cJSON_IsBool(c) && cJSON_IsFalse(c), "complete: %s",
		  c ? cJSON_Print(c) : "missing");
	cr_assert(cJSON_IsString(r) && strcmp(r->valuestring, why) == 0,
		  "incomplete_reason: %s", r ? cJSON_Print(r) : "missing");
}

Test(interrupt, sigint_writes_every_report_marked_incomplete_and_exits_130,
     .timeout = 240)
{
	char *dir = mkdtemp_dup(), inv[600], out[600], p[700];
	const cJSON *rec, *inv0, *props;
	cJSON *doc;
	char *text;
	double t;
	pid_t pid;
	int rc;

	(void)lab_dir();
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	write_file(inv, WEAK "\n" SILENT "\n");
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --check-timeout "
		    "120000 --json %s/r.json --sarif %s/r.sarif --junit "
		    "%s/r.xml --markdown %s/r.md --ports-out %s/r.ports "
		    "--defectdojo %s/r.dojo",
		    inv, dir, dir, dir, dir, dir, dir);
	sleep_s(settle_s(dir));
	t = lab_now();
	kill(pid, SIGINT);
	rc = wait_exit(pid, 30);
	t = lab_now() - t;
	text = read_text(out);
	cr_assert_eq(rc, 130, "exit %d: %s", rc, text);
	/* the grace, not the silent host's 60 s timeout */
	cr_expect_lt(t, SCAN_GRACE_MS / 1000.0 + 4, "took %.1f s", t);
	cr_expect(strstr(text, "INCOMPLETE: interrupted by SIGINT") != NULL,
		  "%s", text);
	free(text);
	snprintf(p, sizeof(p), "%s/r.json", dir);
	doc = read_json(p);
	expect_incomplete(doc, "interrupted by SIGINT");
	/* proven before the signal: in the report */
	cr_expect(has_finding(doc, "ssh.default_credentials", WEAK));
	/* under way at the signal: an error saying so, never "closed" */
	rec = port_record(doc, SILENT, 22, "ssh");
	cr_assert_not_null(rec);
	cr_expect_str_eq(cJSON_GetObjectItem(rec, "status")->valuestring,
			 "error");
	cr_expect(strstr(cJSON_GetObjectItem(rec, "reason")->valuestring,
			 "interrupted by SIGINT") != NULL,
		  "%s", cJSON_GetObjectItem(rec, "reason")->valuestring);
	cJSON_Delete(doc);
	/* SARIF: the run's invocation failed, and its properties say so */
	snprintf(p, sizeof(p), "%s/r.sarif", dir);
	doc = read_json(p);
	inv0 = cJSON_GetArrayItem(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0),
			"invocations"),
		0);
	cr_assert_not_null(inv0);
	cr_expect(cJSON_IsFalse(
		cJSON_GetObjectItem(inv0, "executionSuccessful")));
	props = cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0),
		"properties");
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(props, "complete")));
	cJSON_Delete(doc);
	snprintf(p, sizeof(p), "%s/r.xml", dir);
	text = read_text(p);
	cr_expect(strstr(text, "<error message=\"incomplete: interrupted by "
			       "SIGINT\" type=\"incomplete\"/>") != NULL,
		  "%s", text);
	cr_expect(strstr(text, "ssh.default_credentials") != NULL);
	free(text);
	snprintf(p, sizeof(p), "%s/r.md", dir);
	text = read_text(p);
	cr_expect(strstr(text, "**Incomplete run**") != NULL, "%s", text);
	free(text);
	snprintf(p, sizeof(p), "%s/r.ports", dir);
	text = read_text(p);
	cr_expect(strstr(text, "\n# incomplete: interrupted by SIGINT\n") !=
			  NULL,
		  "%s", text);
	free(text);
	snprintf(p, sizeof(p), "%s/r.dojo", dir);
	doc = read_json(p);
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(doc, "complete")));
	cJSON_Delete(doc);
	cr_expect_eq(hidden_files(dir), 0, "a temporary file was left");
	/* `exposure report` reads it back as incomplete */
	snprintf(p, sizeof(p), "report %s/r.json --json %s/again.json -q", dir,
		 dir);
	rc = run_to_end(out, 30, p);
	cr_expect(rc == 1, "report: exit %d", rc);
	snprintf(p, sizeof(p), "%s/again.json", dir);
	doc = read_json(p);
	expect_incomplete(doc, "interrupted by SIGINT");
	cJSON_Delete(doc);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

/* the RDP nla-stall server: the login blocks inside FreeRDP, which
 * nothing interrupts; the grace bounds the wait all the same */
Test(interrupt, sigterm_leaves_a_blocked_library_call_and_exits_143,
     .timeout = 120)
{
	char *dir = mkdtemp_dup(), inv[600], out[600], p[700], stall[64];
	const cJSON *rec;
	cJSON *doc;
	char *text;
	double t;
	pid_t pid;
	int rc;

	lab_env("EXPO_LAB_RDP_NLA_STALL", stall, sizeof(stall));
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(p, sizeof(p), "%s\n", stall);
	write_file(inv, p);
	pid = spawn(out,
		    "scan %s --checks rdp --timeout 30000 --check-timeout "
		    "60000 --json %s/r.json",
		    inv, dir);
	sleep_s(2.5);
	t = lab_now();
	kill(pid, SIGTERM);
	rc = wait_exit(pid, 30);
	t = lab_now() - t;
	text = read_text(out);
	cr_assert_eq(rc, 143, "exit %d: %s", rc, text);
	cr_expect_lt(t, SCAN_GRACE_MS / 1000.0 + 3, "took %.1f s", t);
	free(text);
	snprintf(p, sizeof(p), "%s/r.json", dir);
	doc = read_json(p);
	expect_incomplete(doc, "interrupted by SIGTERM");
	rec = port_record(doc, stall, 3389, "rdp");
	cr_assert_not_null(rec);
	cr_expect_str_eq(cJSON_GetObjectItem(rec, "status")->valuestring,
			 "error");
	cr_expect(strstr(cJSON_GetObjectItem(rec, "reason")->valuestring,
			 "blocking library call") != NULL,
		  "%s", cJSON_GetObjectItem(rec, "reason")->valuestring);
	cJSON_Delete(doc);
	cr_expect_eq(hidden_files(dir), 0, "a temporary file was left");
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

Test(interrupt, a_second_signal_exits_at_once, .timeout = 120)
{
	char *dir = mkdtemp_dup(), inv[600], out[600], p[700], stall[64];
	double t;
	pid_t pid;
	int rc;

	lab_env("EXPO_LAB_RDP_NLA_STALL", stall, sizeof(stall));
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(p, sizeof(p), "%s\n" SILENT "\n", stall);
	write_file(inv, p);
	pid = spawn(out,
		    "scan %s --checks rdp,ssh --timeout 30000 "
		    "--check-timeout 60000 --json %s/r.json --sarif "
		    "%s/r.sarif",
		    inv, dir, dir);
	sleep_s(2.5);
	t = lab_now();
	kill(pid, SIGTERM);
	sleep_s(0.5);
	kill(pid, SIGTERM);
	rc = wait_exit(pid, 30);
	t = lab_now() - t;
	cr_assert_eq(rc, 143, "exit %d", rc);
	/* well within the grace the first signal started */
	cr_expect_lt(t, SCAN_GRACE_MS / 1000.0 - 1, "took %.1f s", t);
	cr_expect_eq(hidden_files(dir), 0, "a temporary file was left");
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

/* adds to a report a finding of rule on target list:addr port 22 */
static void add_baseline_finding(const char *path, const char *rule,
				 const char *addr)
{
	cJSON *doc = read_json(path), *f, *t;
	char id[64], fp[33], *text;

	snprintf(id, sizeof(id), "list:%s", addr);
	finding_fingerprint(fp, rule, id, 22);
	f = cJSON_Duplicate(
		cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0), 1);
	cJSON_ReplaceItemInObject(f, "fingerprint", cJSON_CreateString(fp));
	cJSON_ReplaceItemInObject(f, "rule", cJSON_CreateString(rule));
	t = cJSON_GetObjectItem(f, "target");
	cJSON_ReplaceItemInObject(t, "id", cJSON_CreateString(id));
	cJSON_ReplaceItemInObject(t, "address", cJSON_CreateString(addr));
	cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "findings"), f);
	text = cJSON_Print(doc);
	write_file(path, text);
	cJSON_free(text);
	cJSON_Delete(doc);
}

static int fixed_count(const cJSON *doc)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(
		cJSON_GetObjectItem(doc, "baseline"), "fixed"));
}

Test(interrupt, a_baseline_finding_missing_from_an_interrupted_run_is_not_fixed,
     .timeout = 300)
{
	char *dir = mkdtemp_dup(), inv[600], all[600], out[600], p[1400];
	cJSON *doc, *w;
	char *text;
	pid_t pid;
	int rc;
	bool warned = false;

	(void)lab_dir();
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(all, sizeof(all), "%s/all.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	write_file(inv, WEAK "\n" HARD "\n");
	write_file(all, WEAK "\n" HARD "\n" SILENT "\n");
	snprintf(p, sizeof(p),
		 "scan %s --checks ssh --timeout 3000 --json %s/base.json -q",
		 inv, dir);
	cr_assert_eq(run_to_end(out, 120, p), 1);
	/* the hardened host's check runs to its end without this one */
	snprintf(p, sizeof(p), "%s/base.json", dir);
	add_baseline_finding(p, "ssh.password_auth", HARD);
	/* a complete run calls it fixed... */
	snprintf(p, sizeof(p),
		 "scan %s --checks ssh --timeout 3000 --baseline "
		 "%s/base.json --json %s/full.json -q",
		 inv, dir, dir);
	cr_assert_eq(run_to_end(out, 120, p), 1);
	snprintf(p, sizeof(p), "%s/full.json", dir);
	doc = read_json(p);
	cr_assert_eq(fixed_count(doc), 1);
	cJSON_Delete(doc);
	/* ...an interrupted one never, though that host was done */
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --check-timeout "
		    "120000 --baseline %s/base.json --json %s/r.json -q",
		    all, dir, dir);
	sleep_s(settle_s(dir));
	kill(pid, SIGINT);
	rc = wait_exit(pid, 30);
	text = read_text(out);
	cr_assert_eq(rc, 130, "exit %d: %s", rc, text);
	free(text);
	snprintf(p, sizeof(p), "%s/r.json", dir);
	doc = read_json(p);
	expect_incomplete(doc, "interrupted by SIGINT");
	cr_expect(has_finding(doc, "ssh.default_credentials", WEAK));
	cr_expect_eq(fixed_count(doc), 0, "fixed: %s",
		     cJSON_Print(cJSON_GetObjectItem(doc, "baseline")));
	cJSON_ArrayForEach(w, cJSON_GetObjectItem(doc, "warnings"))
	{
		if (strstr(w->valuestring, "not called fixed") != NULL)
			warned = true;
	}
	cr_expect(warned, "no warning about the baseline findings not seen");
	cJSON_Delete(doc);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

/* an interrupted run into --history: saved incomplete, replaced by the
 * retried run, never replacing a complete one */
Test(interrupt, history_dir_keeps_a_partial_run_until_the_retry, .timeout = 300)
{
	char *dir = mkdtemp_dup(), inv[600], weak[600], out[600], p[2400];
	char h[700], id[64];
	char *text;
	pid_t pid;

	(void)lab_dir();
	snprintf(id, sizeof(id), "int-%ld", (long)getpid());
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(weak, sizeof(weak), "%s/weak1.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(h, sizeof(h), "%s/h", dir);
	write_file(inv, WEAK "\n" SILENT "\n");
	write_file(weak, WEAK "\n");
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --history %s "
		    "--run-id %s -q",
		    inv, h, id);
	sleep_s(settle_s(dir));
	kill(pid, SIGINT);
	cr_assert_eq(wait_exit(pid, 30), 130);
	cr_assert_eq(count_files(h, ".json"), 1);
	cr_expect_eq(hidden_files(h), 0);
	snprintf(p, sizeof(p), "history --history %s", h);
	cr_assert_eq(run_to_end(out, 30, p), 0);
	text = read_text(out);
	cr_expect(strstr(text, id) != NULL && strstr(text, "(incomplete)"),
		  "%s", text);
	free(text);
	/* the retry (a second later: another file name) replaces it */
	sleep_s(1.1);
	snprintf(p, sizeof(p),
		 "scan %s --checks ssh --timeout 3000 --history %s --run-id "
		 "%s -q",
		 weak, h, id);
	cr_assert_eq(run_to_end(out, 120, p), 1);
	cr_expect_eq(count_files(h, ".json"), 1);
	snprintf(p, sizeof(p), "history --history %s", h);
	cr_assert_eq(run_to_end(out, 30, p), 0);
	text = read_text(out);
	cr_expect(strstr(text, id) != NULL &&
			  strstr(text, "(incomplete)") == NULL,
		  "%s", text);
	free(text);
	/* interrupted again: the complete report stays */
	sleep_s(1.1);
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --history %s "
		    "--run-id %s -q",
		    inv, h, id);
	sleep_s(2);
	kill(pid, SIGTERM);
	cr_assert_eq(wait_exit(pid, 30), 143);
	text = read_text(out);
	cr_expect(strstr(text, "already saved complete; nothing changed") !=
			  NULL,
		  "%s", text);
	free(text);
	cr_expect_eq(count_files(h, ".json"), 1);
	snprintf(p, sizeof(p), "history --history %s", h);
	cr_assert_eq(run_to_end(out, 30, p), 0);
	text = read_text(out);
	cr_expect(strstr(text, "(incomplete)") == NULL, "%s", text);
	free(text);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

/* the same with --store: the shard is stored partial, the run does not
 * complete, and the retried shard replaces the partial record */
Test(interrupt, store_keeps_a_partial_shard_until_the_retry, .timeout = 300)
{
	char *dir = mkdtemp_dup(), inv[600], weak[600], out[600], p[2400];
	char url[1024], id[64], *text, *line;
	pid_t pid;

	lab_env("EXPO_LAB_STORE_URL", url, sizeof(url));
	snprintf(id, sizeof(id), "int-store-%ld-%ld", (long)getpid(),
		 (long)time(NULL));
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(weak, sizeof(weak), "%s/weak1.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	write_file(inv, WEAK "\n" SILENT "\n");
	write_file(weak, WEAK "\n");
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --store %s "
		    "--run-id %s -q",
		    inv, url, id);
	sleep_s(settle_s(dir));
	kill(pid, SIGINT);
	cr_assert_eq(wait_exit(pid, 30), 130);
	snprintf(p, sizeof(p), "history --store %s", url);
	cr_assert_eq(run_to_end(out, 60, p), 0);
	text = read_text(out);
	line = strstr(text, id);
	cr_assert_not_null(line, "%s", text);
	*strchrnul(line, '\n') = '\0';
	/* no shard complete of one; the run is incomplete */
	cr_expect(strstr(line, " 0/1 ") != NULL &&
			  strstr(line, "(incomplete)") != NULL,
		  "%s", line);
	free(text);
	snprintf(p, sizeof(p),
		 "scan %s --checks ssh --timeout 3000 --store %s --run-id "
		 "%s -q",
		 weak, url, id);
	cr_assert_eq(run_to_end(out, 120, p), 1);
	text = read_text(out);
	cr_expect(strstr(text, "stored incomplete; replacing it") != NULL, "%s",
		  text);
	free(text);
	snprintf(p, sizeof(p), "history --store %s", url);
	cr_assert_eq(run_to_end(out, 60, p), 0);
	text = read_text(out);
	line = strstr(text, id);
	cr_assert_not_null(line, "%s", text);
	*strchrnul(line, '\n') = '\0';
	cr_expect(strstr(line, " 1/1 ") != NULL &&
			  strstr(line, "(incomplete)") == NULL,
		  "%s", line);
	free(text);
	/* a complete shard is never replaced by an interrupted attempt */
	pid = spawn(out,
		    "scan %s --checks ssh --timeout 60000 --store %s "
		    "--run-id %s -q",
		    inv, url, id);
	sleep_s(2);
	kill(pid, SIGTERM);
	cr_assert_eq(wait_exit(pid, 30), 143);
	text = read_text(out);
	cr_expect(strstr(text, "already stored; nothing changed") != NULL, "%s",
		  text);
	free(text);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}

/* stopped in discovery (2 connects a second): the ports never tried are
 * errors "not scanned", not closed, and --ports-out says it is partial */
Test(interrupt, discovery_stops_and_unreached_ports_are_not_scanned,
     .timeout = 60)
{
	char *dir = mkdtemp_dup(), inv[600], out[600], p[700], ports[400];
	char *text, *line, *save = NULL;
	unsigned closed = 0, not_scanned = 0, other = 0, n;
	pid_t pid;
	int rc, len = 0;

	(void)lab_dir();
	snprintf(inv, sizeof(inv), "%s/inv.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	write_file(inv, "127.0.10.250\n");
	for (n = 0; n < 40; n++)
		len += snprintf(ports + len, sizeof(ports) - (size_t)len,
				"%s%u", n ? "," : "", 2001 + n);
	pid = spawn(out,
		    "scan %s --discover-only --ports %s --rate 2 --ports-out "
		    "%s/r.ports --json %s/r.json -q",
		    inv, ports, dir, dir);
	sleep_s(2.5);
	kill(pid, SIGINT);
	rc = wait_exit(pid, 10);
	text = read_text(out);
	cr_assert_eq(rc, 130, "exit %d: %s", rc, text);
	free(text);
	snprintf(p, sizeof(p), "%s/r.ports", dir);
	text = read_text(p);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\tclosed\t-") != NULL)
			closed++;
		else if (strstr(line, "\terror\tinterrupted by SIGINT: not "
				      "scanned") != NULL)
			not_scanned++;
		else if (strcmp(line, "# incomplete: interrupted by SIGINT") !=
			 0)
			other++;
	}
	free(text);
	cr_expect_eq(closed + not_scanned, 40, "%u closed, %u not scanned",
		     closed, not_scanned);
	cr_expect_gt(closed, 0);
	cr_expect_gt(not_scanned, 20);
	cr_expect_eq(other, 0);
	snprintf(p, sizeof(p), "%s/r.json", dir);
	cJSON_Delete(read_json(p));
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	cr_expect_eq(system(p), 0);
	free(dir);
}
