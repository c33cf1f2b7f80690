/*
 * The HTML audit report in a real browser: headless Chromium from Debian
 * loads the file, and the tests read the DOM it rendered (--dump-dom), the
 * network log of the load (--log-net-log) and a screenshot. A saved report
 * with hostile strings (tests/fixtures/gate/golden.json: a <script> banner,
 * terminal escapes, bidi) is rendered with `exposure report --html`.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GOLDEN "tests/fixtures/gate/golden.json"

static const char *bin(void)
{
	const char *b = getenv("EXPO_BIN");

	cr_assert(b != NULL, "EXPO_BIN is not set (run through make check)");
	return b;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st, n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(cmd));
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert(buf != NULL);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static void tmpdir(char *out, size_t size)
{
	snprintf(out, size, "/tmp/expo-html-XXXXXX");
	cr_assert(mkdtemp(out) != NULL);
}

/* Chromium as the machine allows it: root needs --no-sandbox; no
 * background networking, and no name resolved at all (the network rule) */
#define CHROMIUM                                                         \
	"timeout 90 chromium --headless --no-sandbox --disable-gpu "     \
	"--disable-quic --no-first-run --disable-background-networking " \
	"--disable-component-update --disable-sync --hide-scrollbars "   \
	"--host-resolver-rules='MAP * ~NOTFOUND' "

/* renders html with Chromium into dir/dom.html and dir/net.json */
static void render(const char *dir, const char *html)
{
	cr_assert_eq(sh(CHROMIUM
			"--user-data-dir=%s/profile "
			"--log-net-log=%s/net.json --dump-dom 'file://%s' "
			">%s/dom.html 2>%s/chromium.log",
			dir, dir, html, dir, dir),
		     0, "chromium failed (see %s/chromium.log)", dir);
}

/* URL requests the page made: every URL_REQUEST_START_JOB whose initiator
 * is an origin (the browser's own update and account requests have "not
 * an origin"); the count, the first URL into first */
static int page_requests(const char *netlog, char *first, size_t size)
{
	char *text = slurp(netlog, NULL);
	cJSON *root = cJSON_Parse(text), *types, *ev, *e;
	int start_job = -1, n = 0;

	cr_assert(root != NULL, "%s is not JSON", netlog);
	types = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "constants"),
				    "logEventTypes");
	start_job =
		cJSON_GetObjectItem(types, "URL_REQUEST_START_JOB")->valueint;
	ev = cJSON_GetObjectItem(root, "events");
	first[0] = '\0';
	cJSON_ArrayForEach(e, ev)
	{
		cJSON *p = cJSON_GetObjectItem(e, "params");
		const char *ini = cJSON_GetStringValue(
			cJSON_GetObjectItem(p, "initiator"));
		const char *url =
			cJSON_GetStringValue(cJSON_GetObjectItem(p, "url"));

		if (cJSON_GetObjectItem(e, "type")->valueint != start_job ||
		    url == NULL)
			continue;
		if (ini != NULL && strcmp(ini, "not an origin") == 0)
			continue;
		if (n++ == 0)
			snprintf(first, size, "%s", url);
	}
	cJSON_Delete(root);
	free(text);
	return n;
}

/* the rule ids of the rendered #findings rows, in DOM order */
static size_t dom_rules(const char *dom, char rules[][64], size_t max)
{
	const char *tb = strstr(dom, "id=\"findings\""), *end, *p;
	size_t n = 0;

	cr_assert(tb != NULL, "no findings table in the DOM");
	/* up to the next section (the fixed findings are rows too) */
	end = strstr(tb, "<h2");
	end = end ? end : tb + strlen(tb);
	for (p = tb; (p = strstr(p, "role=\"row\" data-sev=")) != NULL &&
		     p < end && n < max;
	     p++) {
		const char *c = strstr(p, "<code>"), *ce;

		cr_assert(c != NULL);
		c += 6;
		ce = strstr(c, "</code>");
		snprintf(rules[n++], 64, "%.*s", (int)(ce - c), c);
	}
	return n;
}

Test(html, chromium_renders_ranked_findings_counts_and_hostile_text)
{
	char dir[64], html[128], dom_path[128], rules[16][64];
	cJSON *json, *f, *sum;
	char *text, *dom;
	size_t n, i = 0;
	int crit;

	tmpdir(dir, sizeof(dir));
	snprintf(html, sizeof(html), "%s/report.html", dir);
	cr_assert_eq(sh("%s report %s --html %s -q 2>/dev/null", bin(), GOLDEN,
			html),
		     1, "the golden report fails its gate");
	render(dir, html);
	snprintf(dom_path, sizeof(dom_path), "%s/dom.html", dir);
	dom = slurp(dom_path, NULL);
	text = slurp(GOLDEN, NULL);
	json = cJSON_Parse(text);
	cr_assert(json != NULL);

	/* ranked order: the rows are the JSON's findings, in its order */
	n = dom_rules(dom, rules, 16);
	cr_assert_eq(n, (size_t)cJSON_GetArraySize(
				cJSON_GetObjectItem(json, "findings")));
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(json, "findings"))
	{
		cr_assert_str_eq(
			rules[i],
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule")),
			"row %zu", i);
		i++;
	}
	/* counts as rendered */
	cr_assert(strstr(dom, "<b id=\"nfindings\">3</b>") != NULL);
	sum = cJSON_GetObjectItem(cJSON_GetObjectItem(json, "summary"),
				  "findings");
	crit = cJSON_GetObjectItem(sum, "critical")->valueint;
	{
		char want[96];

		snprintf(want, sizeof(want),
			 "<div class=\"card\" id=\"count-critical\"><b>%d</b>",
			 crit);
		cr_assert(strstr(dom, want) != NULL, "critical count");
	}
	cr_assert(strstr(dom, "gate failed") != NULL);
	/* the filters appear (our script ran under the page's CSP), and the
	 * hostile banner is text: exactly one script element, ours */
	cr_assert(strstr(dom, "<form id=\"filters\">") != NULL,
		  "the inline script did not run");
	cr_assert(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	cr_assert(strstr(dom, "<script>alert") == NULL);
	{
		const char *p = dom;
		int scripts = 0;

		while ((p = strstr(p, "<script")) != NULL) {
			scripts++;
			p++;
		}
		cr_assert_eq(scripts, 1);
	}
	/* the terminal escape and the bidi override arrive as \xNN text */
	cr_assert(strstr(dom, "\x1b") == NULL);
	cr_assert(strstr(dom, "\xe2\x80\xae") == NULL);
	cJSON_Delete(json);
	free(text);
	free(dom);
	sh("rm -rf %s", dir);
}

Test(html, the_load_requests_nothing_but_the_file)
{
	char dir[64], html[128], net[128], url[512];

	tmpdir(dir, sizeof(dir));
	snprintf(html, sizeof(html), "%s/report.html", dir);
	sh("%s report %s --html %s -q 2>/dev/null", bin(), GOLDEN, html);
	render(dir, html);
	snprintf(net, sizeof(net), "%s/net.json", dir);
	cr_assert_eq(page_requests(net, url, sizeof(url)), 0,
		     "the report requested %s", url);
	sh("rm -rf %s", dir);
}

/* the detector above sees a page's request: a page with an image on a
 * closed loopback port is caught (else the test before proves nothing) */
Test(html, a_page_that_fetches_is_caught)
{
	char dir[64], html[128], net[128], url[512];
	FILE *f;

	tmpdir(dir, sizeof(dir));
	snprintf(html, sizeof(html), "%s/fetches.html", dir);
	f = fopen(html, "w");
	cr_assert(f != NULL);
	fputs("<!DOCTYPE html><p>x<img src=\"http://127.0.0.1:9/x.png\">", f);
	fclose(f);
	render(dir, html);
	snprintf(net, sizeof(net), "%s/net.json", dir);
	cr_assert_geq(page_requests(net, url, sizeof(url)), 1);
	cr_assert(strstr(url, "127.0.0.1:9") != NULL, "%s", url);
	sh("rm -rf %s", dir);
}

/* a screenshot 1280 px wide, kept as a build artifact */
Test(html, screenshot_at_1280_is_kept)
{
	const char *art = getenv("EXPO_ARTIFACT_DIR");
	char dir[64], html[128], png[256];
	struct stat st;

	if (art == NULL)
		art = "build/artifacts";
	tmpdir(dir, sizeof(dir));
	snprintf(html, sizeof(html), "%s/report.html", dir);
	sh("%s report %s --html %s -q 2>/dev/null", bin(), GOLDEN, html);
	cr_assert_eq(sh("mkdir -p %s", art), 0);
	snprintf(png, sizeof(png), "%s/html-report.png", art);
	cr_assert_eq(sh(CHROMIUM
			"--user-data-dir=%s/profile "
			"--window-size=1280,1600 --screenshot=%s 'file://%s' "
			">/dev/null 2>&1",
			dir, png, html),
		     0);
	cr_assert_eq(stat(png, &st), 0);
	/* a blank or broken page compresses to a few KB */
	cr_assert_gt(st.st_size, 40000, "screenshot only %lld bytes",
		     (long long)st.st_size);
	sh("rm -rf %s", dir);
}

/* --history: the trend over the runs stored so far, drawn as SVG */
Test(html, history_trend_is_drawn)
{
	char dir[64], html[128], dom_path[128];
	char *dom;
	const char *p;
	int rows = 0;

	tmpdir(dir, sizeof(dir));
	snprintf(html, sizeof(html), "%s/report.html", dir);
	sh("mkdir -p %s/hist", dir);
	sh("%s report %s --history %s/hist --run-id run-a -q >/dev/null "
	   "2>&1",
	   bin(), GOLDEN, dir);
	sh("%s report %s --history %s/hist --run-id run-b --html %s -q "
	   ">/dev/null 2>&1",
	   bin(), GOLDEN, dir, html);
	render(dir, html);
	snprintf(dom_path, sizeof(dom_path), "%s/dom.html", dir);
	dom = slurp(dom_path, NULL);
	cr_assert(strstr(dom, "<svg") != NULL, "no trend chart");
	cr_assert(strstr(dom, "<rect") != NULL);
	p = strstr(dom, "<table id=\"trend-table\">");
	cr_assert(p != NULL);
	while ((p = strstr(p + 1, "<tr><td>")) != NULL &&
	       p < strstr(strstr(dom, "<table id=\"trend-table\">"),
			  "</table>"))
		rows++;
	cr_assert_eq(rows, 2, "two runs stored, %d rows", rows);
	cr_assert(strstr(dom, "run-a") != NULL && strstr(dom, "run-b") != NULL);
	free(dom);
	sh("rm -rf %s", dir);
}
