/*
 * Packaging, as a user installs and runs it: `make install DESTDIR=...`
 * (the tree the Containerfile copies) scans the lab from where it was
 * installed; the Containerfile's run-time packages match what the binary
 * links and opens; the GitHub Action's own steps run against the lab; the
 * Kubernetes Job retries only what a retry can fix.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "expo.h"
#include "lab_util.h"

/* runs a shell command line (stderr folded in); the exit code */
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

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

static char *mkdtemp_dup(void)
{
	char *d = strdup("/tmp/expo-pack-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	long n;
	char *text;

	cr_assert(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return text;
}

static cJSON *read_json(const char *path)
{
	char *text = slurp(path);
	cJSON *doc = cJSON_Parse(text);

	cr_assert(doc != NULL, "%s is not JSON", path);
	free(text);
	return doc;
}

/* `make install DESTDIR=dir PREFIX=/usr/local`, as the Containerfile's
 * build stage runs it (checked against the Containerfile) */
static void install_into(const char *dir)
{
	char *out, *cf = slurp("Containerfile");

	cr_assert(strstr(cf, "make install DESTDIR=/staging "
			     "PREFIX=/usr/local") != NULL,
		  "the Containerfile no longer installs with "
		  "PREFIX=/usr/local: change this test with it");
	cr_assert(strstr(cf, "COPY --from=build /staging/ /") != NULL);
	free(cf);
	cr_assert_eq(sh(&out,
			"make --no-print-directory install DESTDIR=%s "
			"PREFIX=/usr/local",
			dir),
		     0, "%s", out);
	free(out);
}

/* one of each kind of check the binary links or opens a library for */
static char *lab_inventory(const char *dir)
{
	static const char *const keys[] = {
		"EXPO_LAB_JUPYTER_OPEN", /* jupyter (HTTP): libcurl */
		"EXPO_LAB_PG_TRUST",	 /* libpq */
		"EXPO_LAB_SMB_WEAK",	 /* libsmbclient */
		"EXPO_LAB_RDP_NLA",	 /* FreeRDP, WinPR */
	};
	char path[600], v[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/lab.txt", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "127.0.10.1\n"); /* ssh weak: libssh */
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		lab_env(keys[i], v, sizeof(v));
		fprintf(f, "%s\n", v);
	}
	fclose(f);
	return strdup(path);
}

/* the check names of a report's findings, ",ssh,pg," */
static void finding_checks(const cJSON *doc, char *out, size_t size)
{
	const cJSON *f;
	size_t len = 1;

	snprintf(out, size, ",");
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		const char *c =
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "check"));
		char item[64];

		if (c == NULL)
			continue;
		snprintf(item, sizeof(item), ",%s,", c);
		if (strstr(out, item) == NULL && len + strlen(c) + 2 < size)
			len += (size_t)snprintf(out + len, size - len, "%s,",
						c);
	}
}

Test(packaging, make_install_destdir_runs_and_scans_the_lab, .timeout = 300)
{
	char *dir = mkdtemp_dup(), *out, *inv, path[600], checks[256];
	char url[512], want[64];
	struct stat st;
	cJSON *doc, *t, *p;

	install_into(dir);
	snprintf(path, sizeof(path), "%s/usr/local/bin/exposure", dir);
	cr_assert_eq(stat(path, &st), 0, "%s was not installed", path);
	cr_expect_eq(st.st_mode & 07777, 0755);
	/* the man page comes with it once docs/exposure.1 exists */
	snprintf(path, sizeof(path), "%s/usr/local/share/man/man1/exposure.1",
		 dir);
	cr_expect_eq(access("docs/exposure.1", F_OK) == 0,
		     access(path, F_OK) == 0,
		     "docs/exposure.1 and the installed man page disagree");

	cr_assert_eq(sh(&out, "%s/usr/local/bin/exposure --version", dir), 0,
		     "%s", out);
	snprintf(want, sizeof(want), "exposure %s\n", EXPO_VERSION);
	cr_expect_str_eq(out, want);
	free(out);

	/* from there, every library it opens is opened: the lab's weak
	 * servers are found by each kind of check, and the run is stored */
	inv = lab_inventory(dir);
	lab_env("EXPO_LAB_STORE_URL", url, sizeof(url));
	cr_assert_eq(sh(&out,
			"cd / && %s/usr/local/bin/exposure scan %s "
			"--timeout 2000 --json %s/r.json --store %s "
			"--run-id install-%ld -q",
			dir, inv, dir, url, (long)getpid()),
		     1, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/r.json", dir);
	doc = read_json(path);
	finding_checks(doc, checks, sizeof(checks));
	cr_expect(strstr(checks, ",ssh,") != NULL, "%s", checks);
	cr_expect(strstr(checks, ",pg,") != NULL, "%s", checks);
	cr_expect(strstr(checks, ",smb,") != NULL, "%s", checks);
	cr_expect(strstr(checks, ",rdp,") != NULL, "%s", checks);
	cr_expect(strstr(checks, ",jupyter,") != NULL, "%s", checks);
	/* no check failed for want of a library */
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(doc, "targets"))
	{
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(t, "ports"))
		{
			const char *r = cJSON_GetStringValue(
				cJSON_GetObjectItem(p, "reason"));

			cr_expect(r == NULL || strstr(r, ".so") == NULL, "%s",
				  r);
		}
	}
	cJSON_Delete(doc);
	cr_assert_eq(sh(&out, "%s/usr/local/bin/exposure history --store %s",
			dir, url),
		     0, "%s", out);
	snprintf(want, sizeof(want), "install-%ld", (long)getpid());
	cr_expect(strstr(out, want) != NULL, "%s", out);
	free(out);

	cr_assert_eq(sh(&out,
			"make --no-print-directory uninstall DESTDIR=%s "
			"PREFIX=/usr/local && ! test -e "
			"%s/usr/local/bin/exposure && ! test -e "
			"%s/usr/local/share/man/man1/exposure.1",
			dir, dir, dir),
		     0, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s", dir), 0);
	free(out);
	free(inv);
	free(dir);
}

Test(packaging, containerfile_packages_match_what_the_binary_needs,
     .timeout = 120)
{
	char *dir = mkdtemp_dup(), *out;

	install_into(dir);
	cr_assert_eq(sh(&out,
			"tests/tools/container-packages Containerfile "
			"%s/usr/local/bin/exposure .",
			dir),
		     0, "%s", out);
	/* each library the binary opens at first use maps to its package */
	cr_expect(strstr(out, "libcurl4 ") != NULL, "%s", out);
	cr_expect(strstr(out, "libpq5 ") != NULL, "%s", out);
	cr_expect(strstr(out, "libsmbclient ") != NULL, "%s", out);
	cr_expect(strstr(out, "libfreerdp2-2 ") != NULL, "%s", out);
	cr_expect(strstr(out, "libwinpr2-2 ") != NULL, "%s", out);
	free(out);
	/* and the check sees a package missing, or one too many */
	cr_assert_eq(sh(&out,
			"sed 's/ libpq5//' Containerfile >%s/C1 && "
			"tests/tools/container-packages %s/C1 "
			"%s/usr/local/bin/exposure .",
			dir, dir, dir),
		     1, "%s", out);
	cr_expect(strstr(out, "add libpq5") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out,
			"sed 's/libssh-4 /libssh-4 curl /' Containerfile "
			">%s/C2 && tests/tools/container-packages %s/C2 "
			"%s/usr/local/bin/exposure .",
			dir, dir, dir),
		     1, "%s", out);
	cr_expect(strstr(out, "curl is listed") != NULL, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "rm -rf %s", dir), 0);
	free(out);
	free(dir);
}

/* job-policy on the example with one sed edit; its exit code */
static int job_policy_with(const char *dir, const char *edit, char **out)
{
	return sh(out,
		  "sed '%s' examples/kubernetes-cronjob.yml >%s/k.yml && "
		  "tests/tools/job-policy %s/k.yml",
		  edit, dir, dir);
}

Test(packaging, kubernetes_job_gates_and_retries_only_what_a_retry_fixes)
{
	static const struct {
		const char *edit, *says;
	} broken[] = {
		{ "s/--fail-on high/--fail-on none/", "does not gate" },
		{ "s/action: FailIndex/action: Ignore/",
		  "exit 1: Ignore, want FailIndex" },
		{ "s/values: \\[1, 2\\]/values: [2]/",
		  "exit 1: Count, want FailIndex" },
		{ "s/type: DisruptionTarget/type: Ready/",
		  "exit 143 with DisruptionTarget: Count, want Ignore" },
		{ "s/values: \\[130, 143\\]/values: [143, 130]/",
		  "must be sorted" },
		{ "s/backoffLimitPerIndex: 2/backoffLimit: 2/",
		  "FailIndex needs backoffLimitPerIndex" },
		{ "s/terminationGracePeriodSeconds: 60/"
		  "terminationGracePeriodSeconds: 30/",
		  "terminationGracePeriodSeconds" },
		{ "s/- exec exposure/- exposure/", "without exec" },
	};
	char *dir = mkdtemp_dup(), *out;
	size_t i;

	cr_assert_eq(sh(&out, "yamllint -s -c tests/fixtures/examples/"
			      "yamllint.yml examples/kubernetes-cronjob.yml"),
		     0, "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "tests/tools/job-policy "
			      "examples/kubernetes-cronjob.yml"),
		     0, "%s", out);
	free(out);
	/* the check is not vacuous: each broken copy is caught */
	for (i = 0; i < ARRAY_SIZE(broken); i++) {
		cr_expect_eq(job_policy_with(dir, broken[i].edit, &out), 1,
			     "%s: %s", broken[i].edit, out);
		cr_expect(strstr(out, broken[i].says) != NULL, "%s: %s",
			  broken[i].edit, out);
		free(out);
	}
	cr_assert_eq(sh(&out, "rm -rf %s", dir), 0);
	free(out);
	free(dir);
}

/* the action's steps, run by tests/tools/run-action in dir */
static int action(char **out, const char *dir, const char *inputs)
{
	char *top = getcwd(NULL, 0);
	int rc;

	rc = sh(out,
		"cd %s && %s/tests/tools/run-action %s --env "
		"GITHUB_STEP_SUMMARY=%s/summary.md %s",
		dir, top, top, dir, inputs);
	free(top);
	return rc;
}

Test(packaging, action_scans_uploads_sarif_writes_summary_and_gates,
     .timeout = 600)
{
	char *dir = mkdtemp_dup(), *out, *top = getcwd(NULL, 0), *help;
	char path[600], inputs[2048];
	bool html;
	cJSON *doc;

	(void)lab_dir();
	cr_assert_eq(sh(&out, "yamllint -s -c tests/fixtures/examples/"
			      "yamllint.yml action.yml"),
		     0, "%s", out);
	free(out);
	/* its scripts: shellcheck, inputs only through env */
	cr_assert_eq(sh(&out, "tests/tools/run-action . --lint"), 0, "%s", out);
	free(out);
	/* the HTML writer, where this build has it */
	sh(&help, "%s --help", bin());
	html = strstr(help, "--html") != NULL;
	free(help);

	/* the lab has findings at or above high: the step fails with 1,
	 * after writing every report, the summary and the upload */
	snprintf(inputs, sizeof(inputs),
		 "--input inventory=%s/examples/lab-inventory.txt "
		 "--input binary=%s --input json=r.json --input junit=r.xml "
		 "--input markdown=r.md --input 'args=--timeout 2000' "
		 "--input version=%s%s",
		 top, bin(), EXPO_VERSION, html ? " --input html=r.html" : "");
	cr_assert_eq(action(&out, dir, inputs), 1, "%s", out);
	cr_expect(strstr(out,
			 "uses: github/codeql-action/upload-sarif@v3 "
			 "category=exposure sarif_file=exposure.sarif") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "::error title=exposure::the gate failed") !=
			  NULL,
		  "%s", out);
	cr_expect(strstr(out, "output exit-code=1") != NULL, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/exposure.sarif", dir);
	doc = read_json(path);
	cr_expect_str_eq(
		cJSON_GetStringValue(cJSON_GetObjectItem(doc, "version")),
		"2.1.0");
	cJSON_Delete(doc);
	snprintf(path, sizeof(path), "%s/r.json", dir);
	doc = read_json(path);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "targets")),
		     7);
	cJSON_Delete(doc);
	cr_assert_eq(sh(&out,
			"cd %s && test -s r.xml && test -s r.md && "
			"cmp r.md summary.md%s",
			dir, html ? " && test -s r.html" : ""),
		     0, "%s", out);
	free(out);

	/* a gate that passes: the step and the action succeed */
	snprintf(inputs, sizeof(inputs),
		 "--input inventory=%s/examples/lab-inventory.txt "
		 "--input binary=%s --input fail-on=none "
		 "--input sarif= --input 'args=--checks ssh --timeout 2000'",
		 top, bin());
	cr_assert_eq(action(&out, dir, inputs), 0, "%s", out);
	cr_expect(strstr(out, "Upload SARIF: skipped") != NULL, "%s", out);
	free(out);

	/* bad input exits 2 and says what to do */
	cr_assert_eq(action(&out, dir, "--input binary=/nonexistent/x"), 2,
		     "%s", out);
	cr_expect(strstr(out, "binary: /nonexistent/x is not an executable") !=
			  NULL,
		  "%s", out);
	free(out);
	snprintf(inputs, sizeof(inputs), "--input binary=%s", bin());
	cr_assert_eq(action(&out, dir, inputs), 2, "%s", out);
	cr_expect(strstr(out, "give inventory") != NULL, "%s", out);
	free(out);
	snprintf(inputs, sizeof(inputs),
		 "--input binary=%s --input version=9.9.9 "
		 "--input inventory=x",
		 bin());
	cr_assert_eq(action(&out, dir, inputs), 2, "%s", out);
	cr_expect(strstr(out, "wanted exposure 9.9.9") != NULL, "%s", out);
	free(out);
	snprintf(inputs, sizeof(inputs),
		 "--input binary=%s --input reports=nothing-*.json", bin());
	cr_assert_eq(action(&out, dir, inputs), 2, "%s", out);
	cr_expect(strstr(out, "reports: nothing matches nothing-*.json") !=
			  NULL,
		  "%s", out);
	free(out);

	/* no binary given, none on PATH: built from the action's sources */
	snprintf(inputs, sizeof(inputs),
		 "--env PATH=/usr/bin:/bin --input inventory=%s/examples/"
		 "lab-inventory.txt --input fail-on=none "
		 "--input 'args=--checks ssh --timeout 2000'",
		 top);
	cr_assert_eq(action(&out, dir, inputs), 0, "%s", out);
	snprintf(path, sizeof(path), "output binary=%s/exposure\n", top);
	cr_expect(strstr(out, path) != NULL, "%s", out);
	free(out);

	cr_assert_eq(sh(&out, "rm -rf %s", dir), 0);
	free(out);
	free(dir);
	free(top);
}
