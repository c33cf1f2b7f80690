/*
 * The HTML writer without a browser: hostile inventory and server strings
 * are text, the page's CSP names the one inline script by its hash, and
 * 10,000 findings stay under 10 MB. (tests/integration/test_html.c loads
 * the page in Chromium.)
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynbuf.h"
#include "finding.h"
#include "report/report.h"
#include "target.h"

static struct target_addr addr;
static struct target tgt;
static struct target_meta meta;
static struct target_list tl;
static struct finding_list fl;

static void fill(struct finding *f, size_t i, const char *evidence)
{
	char id[32];

	memset(f, 0, sizeof(*f));
	snprintf(id, sizeof(id), "r%zu", i);
	f->rule_id = strdup("ssh.default_credentials");
	f->check = strdup("ssh");
	f->title = strdup("SSH login with a default or weak password");
	f->target_id = strdup(tgt.id);
	f->target_name = strdup(tgt.name);
	f->address = strdup("192.0.2.10");
	f->port = 22;
	f->cvss_vector = strdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	f->cvss_score = 9.8;
	f->severity = SEV_CRITICAL;
	f->evidence = strdup(evidence);
	f->remediation = strdup("Change the password.");
	f->references = strdup("CWE-521");
	f->rank_reason = strdup("confirmed code execution");
	finding_fingerprint(f->fingerprint, f->rule_id, id, 22);
}

static void setup_targets(void)
{
	cr_assert_eq(target_addr_parse(&addr, "192.0.2.10"), 0);
	memset(&meta, 0, sizeof(meta));
	meta.tags = cJSON_CreateObject();
	cJSON_AddStringToObject(meta.tags, "team", "<script>alert(2)</script>");
	cJSON_AddStringToObject(meta.tags, "env", "prod\n::error::forged");
	tgt = (struct target){ .id = "aws:i-0abc",
			       .name = "web-<b>1</b>",
			       .provider = "aws",
			       .meta = &meta,
			       .addrs = &addr,
			       .naddrs = 1 };
	tl = (struct target_list){ .v = &tgt, .n = 1, .alloc = 1 };
	finding_list_init(&fl);
}

static void teardown_targets(void)
{
	finding_list_release(&fl);
	cJSON_Delete(meta.tags);
}

static void build(struct dynbuf *b)
{
	struct scan_report r = { .targets = &tl,
				 .findings = &fl,
				 .started_at = "2026-12-06T00:00:00Z",
				 .fail_on = SEV_HIGH,
				 .exit_code = 1 };

	dynbuf_init(b, (size_t)64 << 20);
	cr_assert_eq(report_html_build(b, &r), 0);
}

TestSuite(html_writer, .init = setup_targets, .fini = teardown_targets);

Test(html_writer, hostile_strings_are_text)
{
	struct dynbuf b;
	const char *h;

	fill(finding_list_add(&fl), 0,
	     "banner <script>alert(1)</script> \x1b[31m \xe2\x80\xae\"'&");
	build(&b);
	h = b.buf;
	cr_assert(strstr(h, "<script>alert") == NULL);
	cr_assert(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	cr_assert(strstr(h, "&lt;script&gt;alert(2)&lt;/script&gt;") != NULL,
		  "the label is shown, escaped");
	cr_assert(strstr(h, "web-&lt;b&gt;1&lt;/b&gt;") != NULL);
	cr_assert(strstr(h, "\x1b") == NULL &&
		  strstr(h, "\xe2\x80\xae") == NULL);
	/* a label with a newline cannot start a line of the file */
	cr_assert(strstr(h, "\n::error") == NULL);
	cr_assert(strstr(h, "prod\\x0a::error::forged") != NULL, "%s",
		  strstr(h, "prod"));
	dynbuf_release(&b);
}

Test(html_writer, csp_allows_only_the_inline_script)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char want[64], csp[128];
	struct dynbuf b;
	const char *s, *e;

	fill(finding_list_add(&fl), 0, "x");
	build(&b);
	s = strstr(b.buf, "<script>");
	cr_assert(s != NULL);
	s += strlen("<script>");
	e = strstr(s, "</script>");
	cr_assert(e != NULL && strstr(e + 1, "<script") == NULL);
	EVP_Digest(s, (size_t)(e - s), md, &mdlen, EVP_sha256(), NULL);
	EVP_EncodeBlock((unsigned char *)want, md, (int)mdlen);
	snprintf(csp, sizeof(csp), "script-src 'sha256-%s'", want);
	cr_assert(strstr(b.buf, csp) != NULL, "CSP does not hash the script");
	cr_assert(strstr(b.buf, "default-src 'none'") != NULL);
	cr_assert(strstr(b.buf, "http://") == NULL &&
		  strstr(b.buf, "https://") == NULL);
	dynbuf_release(&b);
}

Test(html_writer, ten_thousand_findings_stay_under_10_mb)
{
	char ev[300];
	struct dynbuf b;
	size_t i;

	memset(ev, 'e', sizeof(ev) - 1);
	ev[sizeof(ev) - 1] = '\0';
	for (i = 0; i < 10000; i++)
		fill(finding_list_add(&fl), i, ev);
	build(&b);
	cr_assert_lt(b.len, (size_t)10000000, "%zu bytes", b.len);
	dynbuf_release(&b);
}
