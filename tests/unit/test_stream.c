/*
 * test_stream.c - reports of a whole estate in flat memory (issue 16):
 * the JSON report written as a stream with closed ports as a compact list
 * per address (schema 1.6), read back as a stream, and the JUnit and HTML
 * writers a chunk at a time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "dynbuf.h"
#include "expo.h"
#include "finding.h"
#include "gate/gate.h"
#include "inventory.h"
#include "report/report.h"
#include "report/report_doc.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char *tmp_path(const char *suffix)
{
	static unsigned n;
	char *p = NULL;

	cr_assert(asprintf(&p, "/tmp/expo-stream-%ld-%u%s", (long)getpid(), n++,
			   suffix) > 0);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* peak resident set, KiB */
static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* a doc of n list targets (one address each) with `ports` closed
 * discovery records each, as a scan leaves it */
static void estate(struct report_doc *d, size_t n, unsigned ports)
{
	struct port_record rec;
	char addr[32];
	size_t i;
	unsigned k;

	report_doc_init(d);
	snprintf(d->started_at, sizeof(d->started_at), "2026-12-06T10:00:00Z");
	d->fail_on = SEV_HIGH;
	for (i = 0; i < n; i++) {
		struct target *t = target_list_add(&d->targets);

		cr_assert_not_null(t);
		snprintf(addr, sizeof(addr), "10.%zu.%zu.%zu", i >> 16,
			 (i >> 8) & 0xff, i & 0xff);
		cr_assert(asprintf(&t->id, "list:%s", addr) > 0);
		t->provider = "list";
		t->addrs = calloc(1, sizeof(*t->addrs));
		cr_assert_not_null(t->addrs);
		cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0);
		t->naddrs = 1;
		for (k = 0; k < ports; k++) {
			memset(&rec, 0, sizeof(rec));
			rec.target = (uint32_t)i;
			rec.port =
				(uint16_t)(k < 10 ? 22 + k * 1000 : 8000 + k);
			rec.status = STATUS_CLOSED;
			rec.check = CHECK_NONE;
			cr_assert_eq(report_doc_record(d, &rec), 0);
		}
	}
}

static int rec_cmp(const void *a, const void *b)
{
	const struct port_record *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->check != y->check)
		return x->check < y->check ? -1 : 1;
	return (x->status > y->status) - (x->status < y->status);
}

/* the records of d as (target, addr, port, check, status, reason text),
 * sorted: what a round trip must keep (the order of ports may change) */
static char *records_text(const struct report_doc *d)
{
	struct port_record *v = calloc(d->nrecords + 1, sizeof(*v));
	struct dynbuf b;
	size_t i;

	cr_assert_not_null(v);
	memcpy(v, d->records, d->nrecords * sizeof(*v));
	qsort(v, d->nrecords, sizeof(*v), rec_cmp);
	dynbuf_init(&b, (size_t)1 << 30);
	for (i = 0; i < d->nrecords; i++) {
		const char *check = report_doc_check_name(d, &v[i]);

		cr_assert_eq(dynbuf_addf(&b, "%u/%u/%u/%s/%s/%s\n", v[i].target,
					 v[i].addr, v[i].port,
					 check ? check : "-",
					 status_name(v[i].status),
					 v[i].reason ? d->reasons[v[i].reason]
						     : "-"),
			     0);
	}
	free(v);
	return dynbuf_detach(&b);
}

static void write_doc(const struct report_doc *d, const char *path)
{
	struct scan_report r;

	report_doc_view(d, &r);
	cr_assert_eq(report_json_write(path, &r), 0);
}

/* closed discovery records become "closed": [{address, ports}] ranges;
 * a closed port with a reason or of a check stays a full record; reading
 * back gives every record again */
Test(stream, closed_ports_compact_and_read_back)
{
	struct report_doc d, back;
	struct port_record rec;
	struct target *t;
	char *path = tmp_path(".json"), *text, *err = NULL, *a, *b;
	static const uint16_t closed[] = {
		8080, 22, 23, 24, 443, 80, 81, 65535
	};
	cJSON *root, *ts;
	uint16_t reason;
	size_t i;

	report_doc_init(&d);
	snprintf(d.started_at, sizeof(d.started_at), "2026-12-06T10:00:00Z");
	t = target_list_add(&d.targets);
	t->id = strdup("list:192.0.2.1");
	t->provider = "list";
	t->addrs = calloc(2, sizeof(*t->addrs));
	cr_assert_eq(target_addr_parse(&t->addrs[0], "192.0.2.1"), 0);
	cr_assert_eq(target_addr_parse(&t->addrs[1], "2001:db8::1"), 0);
	t->naddrs = 2;
	for (i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.port = closed[i];
		rec.addr = (uint16_t)(i % 2);
		rec.status = STATUS_CLOSED;
		rec.check = CHECK_NONE;
		cr_assert_eq(report_doc_record(&d, &rec), 0);
	}
	/* stays a full record: a reason */
	rec.port = 25;
	rec.addr = 0;
	cr_assert_eq(report_doc_reason(&d, "refused twice", &reason), 0);
	rec.reason = reason;
	cr_assert_eq(report_doc_record(&d, &rec), 0);
	/* stays a full record: a check's */
	rec.reason = 0;
	rec.port = 2222;
	cr_assert_eq(report_doc_check(&d, "ssh", &rec.check), 0);
	cr_assert_eq(report_doc_record(&d, &rec), 0);
	/* and an open one */
	rec.check = CHECK_NONE;
	rec.status = STATUS_OPEN;
	rec.port = 5432;
	cr_assert_eq(report_doc_record(&d, &rec), 0);

	write_doc(&d, path);
	text = slurp(path, NULL);
	root = cJSON_Parse(text);
	cr_assert_not_null(root, "the stream is one JSON document");
	ts = cJSON_GetObjectItem(root, "targets");
	cr_assert_eq(cJSON_GetArraySize(ts), 1);
	t = NULL;
	{
		const cJSON *tg = cJSON_GetArrayItem(ts, 0);
		const cJSON *cl = cJSON_GetObjectItem(tg, "closed");

		cr_expect_eq(
			cJSON_GetArraySize(cJSON_GetObjectItem(tg, "ports")),
			3);
		cr_assert_eq(cJSON_GetArraySize(cl), 2);
		cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
					 cJSON_GetArrayItem(cl, 0), "address")),
				 "192.0.2.1");
		/* 8080, 23, 443, 81 on the first address; sorted, ranges */
		cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
					 cJSON_GetArrayItem(cl, 0), "ports")),
				 "23,81,443,8080");
		cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
					 cJSON_GetArrayItem(cl, 1), "ports")),
				 "22,24,80,65535");
	}
	cJSON_Delete(root);

	report_doc_init(&back);
	cr_assert_eq(report_json_read(path, &back, &err), 0, "%s", err);
	a = records_text(&d);
	b = records_text(&back);
	cr_expect_str_eq(b, a);
	free(a);
	free(b);
	/* and the memory parser gives the same as the file stream */
	report_doc_release(&back);
	report_doc_init(&back);
	cr_assert_eq(report_json_parse(text, strlen(text), "m", &back, &err), 0,
		     "%s", err);
	cr_expect_eq(back.nrecords, d.nrecords);
	report_doc_release(&back);
	report_doc_release(&d);
	free(text);
	unlink(path);
	free(path);
}

Test(stream, closed_ranges_expand)
{
	static const char doc[] =
		"{\"schema_version\": \"1.6\", \"started_at\": \"x\", "
		"\"duration_s\": 1, \"show_secrets\": false, \"gate\": "
		"{\"fail_on\": \"none\", \"exit_code\": 0}, \"targets\": [{"
		"\"id\": \"list:192.0.2.1\", \"name\": null, \"provider\": "
		"\"list\", \"source\": null, \"account\": null, \"region\": "
		"null, \"zone\": null, \"state\": null, \"skip_reason\": null, "
		"\"addresses\": [{\"address\": \"192.0.2.1\", \"public\": "
		"false}], \"ports\": [], \"closed\": [{\"address\": "
		"\"192.0.2.1\", \"ports\": \"0-65535\"}]}], \"findings\": []}";
	struct report_doc d;
	char *err = NULL;

	report_doc_init(&d);
	cr_assert_eq(report_json_parse(doc, strlen(doc), "r", &d, &err), 0,
		     "%s", err);
	/* a port at most once per address: 65,536 at most */
	cr_expect_eq(d.nrecords, 65536);
	cr_expect_eq(d.records[65535].port, 65535);
	cr_expect_eq(d.records[0].status, STATUS_CLOSED);
	cr_expect_eq(d.records[0].check, CHECK_NONE);
	report_doc_release(&d);
}

/* what a bad "closed" list is told, by its JSON path */
Test(stream, closed_errors_name_the_path)
{
	static const struct {
		const char *ports, *addr, *want;
	} cases[] = {
		{ "22,,23", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected port numbers" },
		{ "22,", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected ports and "
		  "ranges" },
		{ "65536", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected port numbers "
		  "0-65535" },
		{ "80-22", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": a range goes from low" },
		{ "80,22", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected ascending" },
		{ "20-30,25", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected ascending" },
		{ "22 ", "192.0.2.1",
		  "r: $.targets[0].closed[0]: \"ports\": expected ports and" },
		{ "22", "192.0.2.2",
		  "r: $.targets[0].closed[0]: \"address\": 192.0.2.2 is not "
		  "one of the target's addresses" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report_doc d;
		char *doc = NULL, *err = NULL;

		cr_assert(asprintf(&doc,
				   "{\"schema_version\": \"1.6\", "
				   "\"started_at\": \"x\", \"duration_s\": 1, "
				   "\"show_secrets\": false, \"gate\": "
				   "{\"fail_on\": \"none\", \"exit_code\": 0}, "
				   "\"targets\": [{\"id\": \"list:a\", "
				   "\"name\": null, \"provider\": \"list\", "
				   "\"source\": null, \"account\": null, "
				   "\"region\": null, \"zone\": null, "
				   "\"state\": null, \"skip_reason\": null, "
				   "\"addresses\": [{\"address\": "
				   "\"192.0.2.1\", \"public\": false}], "
				   "\"ports\": [], \"closed\": [{\"address\": "
				   "\"%s\", \"ports\": \"%s\"}]}], "
				   "\"findings\": []}",
				   cases[i].addr, cases[i].ports) > 0);
		report_doc_init(&d);
		cr_expect_eq(report_json_parse(doc, strlen(doc), "r", &d, &err),
			     EXPO_EPARSE, "case %zu", i);
		cr_expect(err != NULL && strncmp(err, cases[i].want,
						 strlen(cases[i].want)) == 0,
			  "case %zu: got '%s', want '%s...'", i,
			  err ? err : "(none)", cases[i].want);
		free(err);
		free(doc);
		report_doc_release(&d);
	}
}

/* the stream reader takes any layout cJSON takes: keys in any order,
 * no blanks, values split across its 64 KiB reads; and it rejects what
 * cJSON rejects, naming the byte */
Test(stream, reader_layouts)
{
	struct report_doc d, e;
	char *path = tmp_path(".json"), *text, *err = NULL, *a, *b;
	cJSON *root;
	FILE *f;

	estate(&d, 3000, 7);
	write_doc(&d, path);
	text = slurp(path, NULL);
	/* unformatted, "targets" before everything else */
	root = cJSON_Parse(text);
	cr_assert_not_null(root);
	{
		cJSON *ts = cJSON_DetachItemFromObject(root, "targets");
		char *flat;

		cr_assert_not_null(ts);
		cJSON_AddItemToArray(ts, cJSON_CreateObject()); /* bad */
		cJSON_DeleteItemFromArray(ts, cJSON_GetArraySize(ts) - 1);
		cr_assert(cJSON_InsertItemInArray(root, 0, ts));
		flat = cJSON_PrintUnformatted(root);
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(flat, f);
		fclose(f);
		cJSON_free(flat);
	}
	cJSON_Delete(root);
	report_doc_init(&e);
	cr_assert_eq(report_json_read(path, &e, &err), 0, "%s", err);
	a = records_text(&d);
	b = records_text(&e);
	cr_expect_str_eq(b, a);
	cr_expect_eq(e.targets.n, 3000);
	free(a);
	free(b);
	report_doc_release(&e);

	/* cut short anywhere: an error, never a crash or a partial success */
	{
		size_t len = strlen(text), cut;
		static const size_t cuts[] = { 2, 100, 70000, 200000 };
		size_t k;

		for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
			cut = len - cuts[k];
			report_doc_init(&e);
			err = NULL;
			cr_expect_eq(
				report_json_parse(text, cut, "cut", &e, &err),
				EXPO_EPARSE, "cut at %zu", cut);
			cr_expect(err != NULL &&
					  strstr(err, "not valid JSON") != NULL,
				  "%s", err ? err : "(none)");
			free(err);
			report_doc_release(&e);
		}
	}
	report_doc_release(&d);
	free(text);
	unlink(path);
	free(path);
}

/* --baseline reads the findings only, and still proves a fix from a
 * port that is closed now, through a compact report */
Test(stream, baseline_proves_fix_from_compact_closed_port)
{
	struct report_doc base, cur, back;
	struct port_record rec;
	struct finding *f;
	char *bpath = tmp_path(".json"), *cpath = tmp_path(".json"),
	     *err = NULL;

	/* the baseline: port 22 open with a finding */
	estate(&base, 2, 0);
	memset(&rec, 0, sizeof(rec));
	rec.port = 22;
	rec.status = STATUS_OPEN;
	rec.check = CHECK_NONE;
	cr_assert_eq(report_doc_record(&base, &rec), 0);
	f = finding_list_add(&base.findings);
	cr_assert_not_null(f);
	f->rule_id = strdup("ssh.password_auth");
	f->check = strdup("ssh");
	f->title = strdup("password auth");
	f->target_id = strdup(base.targets.v[0].id);
	f->address = strdup("10.0.0.0");
	f->port = 22;
	f->severity = SEV_MEDIUM;
	finding_fingerprint(f->fingerprint, f->rule_id, f->target_id, 22);
	write_doc(&base, bpath);
	report_doc_release(&base);

	/* now: port 22 closed on both targets */
	estate(&cur, 2, 1);
	write_doc(&cur, cpath);
	report_doc_release(&cur);

	report_doc_init(&base);
	cr_assert_eq(report_json_read_findings(bpath, &base, &err), 0, "%s",
		     err);
	cr_expect_eq(base.findings.n, 1);
	cr_expect_eq(base.targets.n, 0, "the baseline's targets are not kept");
	cr_expect_eq(base.nrecords, 0, "nor its records");
	report_doc_init(&back);
	cr_assert_eq(report_json_read(cpath, &back, &err), 0, "%s", err);
	cr_assert_eq(back.nrecords, 2);
	cr_assert_eq(baseline_apply(&back, &base, bpath), 0);
	cr_expect_eq(back.fixed.n, 1, "the closed port proves the fix");
	report_doc_release(&back);
	report_doc_release(&base);
	unlink(bpath);
	unlink(cpath);
	free(bpath);
	free(cpath);
}

/* The regression of issue 16: 40,000 targets x 20 closed ports. The
 * JSON report once was a cJSON tree of every record (about 500 bytes
 * each, 400 MB here) and was read back whole; now writing costs a target
 * at a time and reading the records (12 bytes each) and targets. */
Test(stream, json_memory_is_flat, .timeout = 120)
{
	struct report_doc d, back;
	char *path = tmp_path(".json"), *err = NULL;
	long before, grew;

	estate(&d, 40000, 20);
	before = maxrss_kb();
	write_doc(&d, path);
	grew = maxrss_kb() - before;
	/* ASan keeps freed memory in quarantine: no bound to check */
#ifdef UNDER_ASAN
	(void)grew;
#else
	cr_expect_lt(grew, 8 * 1024, "writing grew the peak by %ld KiB", grew);
#endif
	report_doc_release(&d);
	report_doc_init(&back);
	before = maxrss_kb();
	cr_assert_eq(report_json_read(path, &back, &err), 0, "%s", err);
	grew = maxrss_kb() - before;
	cr_expect_eq(back.nrecords, 800000);
#ifndef UNDER_ASAN
	/* 9.6 MB of records, the targets, and one value of text */
	cr_expect_lt(grew, 32 * 1024, "reading grew the peak by %ld KiB", grew);
#endif
	report_doc_release(&back);
	unlink(path);
	free(path);
}

/* JUnit and HTML go to the file a chunk at a time: the file is what the
 * whole-buffer build gives, byte for byte */
Test(stream, html_and_junit_streamed_as_built, .timeout = 60)
{
	struct report_doc d;
	struct scan_report r;
	struct dynbuf b;
	char *path = tmp_path(".html"), *jpath = tmp_path(".xml"), *got, *junit;
	size_t len;

	estate(&d, 5000, 3);
	/* a timeout per target: rows in the problems table and JUnit */
	{
		struct port_record rec = { .status = STATUS_TIMEOUT,
					   .check = CHECK_NONE,
					   .port = 9 };
		uint32_t i;

		for (i = 0; i < 5000; i += 7) {
			rec.target = i;
			cr_assert_eq(report_doc_record(&d, &rec), 0);
		}
	}
	report_doc_view(&d, &r);
	dynbuf_init(&b, (size_t)1 << 30);
	cr_assert_eq(report_html_build(&b, &r), 0);
	cr_assert_gt(dynbuf_len(&b), 200000, "more than a few chunks");
	cr_assert_eq(report_html_write(path, &r), 0);
	got = slurp(path, &len);
	cr_expect_eq(len, dynbuf_len(&b));
	cr_expect(memcmp(got, dynbuf_ptr(&b), len) == 0);
	free(got);
	dynbuf_release(&b);

	cr_assert_eq(report_junit_write(jpath, &r), 0);
	junit = slurp(jpath, &len);
	/* the totals come before the suites they count */
	cr_expect(strstr(junit, "<testsuites name=\"exposure\" tests=\"715\" "
				"failures=\"0\" errors=\"715\"") != NULL,
		  "%.300s", junit);
	cr_expect(strstr(junit, "</testsuites>\n") == junit + len - 14);
	free(junit);
	report_doc_release(&d);
	unlink(path);
	unlink(jpath);
	free(path);
	free(jpath);
}

/* A value that ends on the last byte of a read once ran on into the next
 * read (found by fuzz_report_json): every report reads the same whatever
 * the size of the reads */
Test(stream, every_read_boundary)
{
	struct report_doc d, m;
	char *path = tmp_path(".json"), *text, *err = NULL, *a, *b;
	size_t len, chunk;
	FILE *f;

	estate(&d, 20, 3);
	write_doc(&d, path);
	report_doc_release(&d);
	text = slurp(path, &len);
	report_doc_init(&m);
	cr_assert_eq(report_json_parse(text, len, "m", &m, &err), 0, "%s", err);
	a = records_text(&m);
	for (chunk = 1; chunk <= 9; chunk++) {
		f = fmemopen(text, len, "r");
		cr_assert_not_null(f);
		report_doc_init(&d);
		cr_expect_eq(report_json_fread(f, chunk, "f", &d, &err), 0,
			     "%zu-byte reads: %s", chunk, err ? err : "?");
		free(err);
		err = NULL;
		b = records_text(&d);
		cr_expect_str_eq(b, a, "%zu-byte reads", chunk);
		cr_expect_eq(d.targets.n, 20);
		free(b);
		report_doc_release(&d);
		fclose(f);
	}
	free(a);
	report_doc_release(&m);
	free(text);
	unlink(path);
	free(path);
}

/* nmap -oX once became a document tree 16 to 20 times the file's size;
 * read as a stream, a host at a time, it needs the file and its targets */
Test(stream, nmap_xml_memory_is_flat, .timeout = 120)
{
	struct inventory_opts o = { .format = "nmap" };
	struct target_list l;
	const char *paths[1];
	char *path = tmp_path(".xml"), *err = NULL;
	long before, grew, size;
	FILE *f = fopen(path, "w");
	unsigned i;

	cr_assert_not_null(f);
	fputs("<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\">\n", f);
	for (i = 0; i < 40000; i++)
		fprintf(f,
			"<host><status state=\"up\" reason=\"syn-ack\"/>\n"
			"<address addr=\"10.%u.%u.%u\" addrtype=\"ipv4\"/>\n"
			"<hostnames><hostname name=\"h%u.example.test\" "
			"type=\"PTR\"/></hostnames>\n<ports><extraports "
			"state=\"closed\" count=\"998\"/>\n<port protocol=\"tcp\" "
			"portid=\"22\"><state state=\"open\" reason=\"syn-ack\"/>"
			"<service name=\"ssh\" method=\"table\" conf=\"3\"/>"
			"</port>\n<port protocol=\"tcp\" portid=\"8080\"><state "
			"state=\"open\" reason=\"syn-ack\"/><service "
			"name=\"http-proxy\" method=\"table\" conf=\"3\"/></port>"
			"\n</ports>\n<times srtt=\"50\" rttvar=\"50\" "
			"to=\"100000\"/>\n</host>\n",
			i >> 16, (i >> 8) & 0xff, i & 0xff, i);
	fputs("</nmaprun>\n", f);
	size = ftell(f) / 1024;
	fclose(f);
	paths[0] = path;
	target_list_init(&l);
	before = maxrss_kb();
	cr_assert_eq(inventory_load(paths, 1, &o, &l, &err), 0, "%s", err);
	grew = maxrss_kb() - before;
	cr_expect_eq(l.n, 40000);
#ifdef UNDER_ASAN
	(void)grew;
	(void)size;
#else
	/* the file (read whole by inventory_load) and 40,000 targets */
	cr_expect_lt(grew, size * 3, "loading %ld KiB grew the peak by %ld KiB",
		     size, grew);
#endif
	target_list_release(&l);
	unlink(path);
	free(path);
}

/* a bad head is named before a missing array, as when the whole tree was
 * read (`exposure report` of a file that is not a report says why) */
Test(stream, head_errors_come_first)
{
	static const char doc[] = "{\"schema_version\": 1, \"started_at\": 5}";
	struct report_doc d;
	char *err = NULL;

	report_doc_init(&d);
	cr_expect_eq(report_json_parse(doc, strlen(doc), "r", &d, &err),
		     EXPO_EPARSE);
	cr_expect(err != NULL && strcmp(err, "r: $: \"started_at\": expected a "
					     "string") == 0,
		  "%s", err ? err : "(none)");
	free(err);
	report_doc_release(&d);
}
