/*
 * report_util.c - what the report writers share: escaping of untrusted
 * text, record lookups and the summary counts (see report_priv.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "expo.h"
#include "report_priv.h"

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t len = 0, i;

	if (n == 0)
		goto out;
	c = s[0];
	/* RFC 3629 table 4: no overlongs, no surrogates, nothing > U+10FFFF */
	if (c < 0x80) {
		len = 1;
		goto out;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		goto out;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		len = 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			len = 0;
out:
	return len;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k = 1;

	while (n > 0 && (k = utf8_seq_len(p, n)) > 0) {
		p += k;
		n -= k;
	}
	return n == 0;
}

static uint32_t utf8_decode(const unsigned char *s, size_t len)
{
	uint32_t cp = s[0];
	size_t i;

	if (len > 1)
		cp = s[0] & (0xff >> (len + 1));
	for (i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* code points a terminal acts on or that reorder or break what is shown */
static bool cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static int add_hex(struct dynbuf *b, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = { '\\', 'x', 0, 0 };
	size_t i;
	int r = 0;

	for (i = 0; i < len && r == 0; i++) {
		esc[2] = hex[s[i] >> 4];
		esc[3] = hex[s[i] & 0xf];
		r = dynbuf_add(b, esc, sizeof(esc));
	}
	return r;
}

int report_escape(struct dynbuf *b, const char *s)
{
	const unsigned char *p, *run;
	size_t n, k;
	int r = 0;

	if (s == NULL)
		s = "-";
	p = (const unsigned char *)s;
	n = strlen(s);
	run = p;
	while (n > 0 && r == 0) {
		k = utf8_seq_len(p, n);
		if (k > 0 && !cp_unsafe(utf8_decode(p, k))) {
			p += k;
			n -= k;
			continue;
		}
		/* flush the safe run, then escape this byte or sequence */
		r = dynbuf_add(b, run, (size_t)(p - run));
		if (k == 0)
			k = 1;
		if (r == 0)
			r = add_hex(b, p, k);
		p += k;
		n -= k;
		run = p;
	}
	if (r == 0)
		r = dynbuf_add(b, run, (size_t)(p - run));
	return r;
}

char *utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k, o = 0;
	char *out = NULL;

	/* each bad byte becomes 3 bytes at most */
	if (n > (SIZE_MAX - 1) / 3 || (out = malloc(3 * n + 1)) == NULL)
		goto out;
	while (n > 0) {
		k = utf8_seq_len(p, n);
		if (k == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			k = 1;
		} else {
			memcpy(out + o, p, k);
			o += k;
		}
		p += k;
		n -= k;
	}
	out[o] = '\0';
out:
	return out;
}

const char *report_record_addr(const struct scan_report *r,
			       const struct port_record *rec, char *buf)
{
	const struct target *t = NULL;
	const char *text = "?";

	if (r->targets != NULL && rec->target < r->targets->n)
		t = &r->targets->v[rec->target];
	if (t != NULL && rec->addr < t->naddrs)
		text = target_addr_text(&t->addrs[rec->addr], buf);
	return text;
}

const char *report_record_reason(const struct scan_report *r,
				 const struct port_record *rec)
{
	const char *reason = NULL;

	if (rec->reason != 0 && r->reasons != NULL && rec->reason < r->nreasons)
		reason = r->reasons[rec->reason];
	return reason;
}

const char *report_record_check(const struct port_record *rec)
{
	const char *name = NULL;

	if (rec->check == CHECK_NONE)
		name = NULL;
	else if (rec->check >= check_registry_len)
		name = "?";
	else
		name = check_registry[rec->check]->name;
	return name;
}

void report_count(const struct scan_report *r, struct report_counts *c)
{
	const struct port_record *rec;
	const struct finding *f;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; r->findings != NULL && i < r->findings->n; i++) {
		f = &r->findings->v[i];
		if ((unsigned)f->severity <= SEV_CRITICAL)
			c->sev[f->severity]++;
		if (report_finding_gates(r, i))
			c->gate_hits++;
		if (report_finding_suppressed(r, i))
			c->suppressed++;
		if (r->notes != NULL && r->notes[i].baseline == BASELINE_NEW)
			c->new_findings++;
		if (r->notes != NULL &&
		    r->notes[i].baseline == BASELINE_UNCHANGED)
			c->unchanged++;
	}
	c->fixed = r->fixed != NULL ? r->fixed->n : 0;
	/* A discovery record counts as what it is; a check record only when
	 * the check did not run to the end (timeout, error), so "open" counts
	 * open ports and not port + checks. */
	for (i = 0; i < r->nrecords; i++) {
		rec = &r->records[i];
		if (rec->status >= STATUS_COUNT)
			continue;
		if (rec->check == CHECK_NONE || rec->status != STATUS_OPEN)
			c->status[rec->status]++;
	}
	for (i = 0; r->targets != NULL && i < r->targets->n; i++) {
		if (r->targets->v[i].skip_reason != NULL)
			c->skipped++;
		else
			c->scanned++;
	}
}

const char *report_gate_result(const struct scan_report *r,
			       const struct report_counts *c)
{
	const char *result = "off";

	if (r->fail_on >= 0)
		result = c->gate_hits > 0 ? "failed" : "passed";
	return result;
}

bool report_finding_suppressed(const struct scan_report *r, size_t i)
{
	return r->notes != NULL && r->notes[i].sup_reason != NULL;
}

bool report_finding_gates(const struct scan_report *r, size_t i)
{
	const struct finding *f = &r->findings->v[i];
	bool gates = r->fail_on >= 0 && (int)f->severity >= r->fail_on;

	if (report_finding_suppressed(r, i))
		gates = false;
	/* without a baseline every finding is new */
	if (r->fail_on_new && r->notes != NULL &&
	    r->notes[i].baseline == BASELINE_UNCHANGED)
		gates = false;
	return gates;
}
