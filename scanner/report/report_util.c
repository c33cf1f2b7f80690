/*
 * report_util.c - what the report writers share: escaping of untrusted
 * text, record lookups and the summary counts (see report_priv.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "expo.h"
#include "report_priv.h"
#include "spill.h"
#include "term_escape.h"

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

/* the one escaper of terminal text (include/term_escape.h): control
 * characters, bidi and invalid UTF-8 as \xNN */
int report_escape(struct dynbuf *b, const char *s)
{
	return term_escape(b, s, false);
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

const char *report_record_check(const struct scan_report *r,
				const struct port_record *rec)
{
	const char *name = NULL;
	size_t k;

	if (rec->check == CHECK_NONE)
		return NULL;
	if (rec->check < check_registry_len)
		return check_registry[rec->check]->name;
	k = rec->check - check_registry_len;
	if (r != NULL && r->check_names != NULL && k < r->ncheck_names)
		name = r->check_names[k];
	return name != NULL ? name : "?";
}

uint32_t report_record_ms(const struct scan_report *r, size_t i)
{
	return r->durations_ms != NULL && i < r->nrecords ? r->durations_ms[i]
							  : 0;
}

static int rix_cmp3(const struct scan_report *r, const struct port_record *a,
		    uint32_t t, uint16_t port, const char *check)
{
	const char *ca = report_record_check(r, a);

	if (a->target != t)
		return a->target < t ? -1 : 1;
	if (a->port != port)
		return a->port < port ? -1 : 1;
	return strcmp(ca ? ca : "", check ? check : "");
}

static int rix_cmp(const void *x, const void *y, void *ud)
{
	const struct scan_report *r = ud;
	const struct port_record *a = &r->records[*(const size_t *)x];
	const struct port_record *b = &r->records[*(const size_t *)y];
	int c = rix_cmp3(r, a, b->target, b->port, report_record_check(r, b));

	if (c == 0)
		c = (*(const size_t *)x > *(const size_t *)y) -
		    (*(const size_t *)x < *(const size_t *)y);
	return c;
}

int record_index_build(struct record_index *ix, const struct scan_report *r)
{
	size_t i;

	ix->r = r;
	ix->v = NULL;
	ix->n = 0;
	for (i = 0; i < r->nrecords; i++) {
		spill_pace(i);
		ix->n += r->records[i].check != CHECK_NONE;
	}
	if (ix->n == 0)
		return 0;
	if ((ix->v = calloc(ix->n, sizeof(*ix->v))) == NULL)
		return EXPO_ENOMEM;
	ix->n = 0;
	for (i = 0; i < r->nrecords; i++) {
		spill_pace(i);
		if (r->records[i].check != CHECK_NONE)
			ix->v[ix->n++] = i;
	}
	qsort_r(ix->v, ix->n, sizeof(*ix->v), rix_cmp, (void *)r);
	return 0;
}

long record_index_find(const struct record_index *ix, uint32_t ti,
		       const struct finding *f)
{
	const struct scan_report *r = ix->r;
	char buf[INET6_ADDRSTRLEN];
	size_t lo = 0, hi = ix->n, mid;

	/* the first record of (target, port, check), then its address */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rix_cmp3(r, &r->records[ix->v[mid]], ti, f->port,
			     f->check) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n; lo++) {
		const struct port_record *rec = &r->records[ix->v[lo]];

		if (rix_cmp3(r, rec, ti, f->port, f->check) != 0)
			break;
		if (f->address == NULL ||
		    strcmp(report_record_addr(r, rec, buf), f->address) == 0)
			return (long)ix->v[lo];
	}
	return -1;
}

void record_index_release(struct record_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

const cJSON *report_labels(const struct target *t)
{
	const cJSON *tags = t != NULL && t->meta != NULL ? t->meta->tags : NULL;

	return cJSON_IsObject(tags) && tags->child != NULL ? tags : NULL;
}

char *report_labels_text(const struct target *t)
{
	const cJSON *it, *labels = report_labels(t);
	struct dynbuf b;
	int r = 0;

	dynbuf_init(&b, REPORT_MAX_BYTES);
	cJSON_ArrayForEach(it, labels)
	{
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		if (b.len > 0)
			r |= dynbuf_addstr(&b, ", ");
		r |= report_escape(&b, it->string);
		r |= dynbuf_addstr(&b, "=");
		r |= report_escape(&b, it->valuestring);
	}
	if (r == 0 && b.buf == NULL)
		r = dynbuf_addstr(&b, "");
	if (r != 0) {
		dynbuf_release(&b);
		return NULL;
	}
	return dynbuf_detach(&b);
}

/* length of the Unicode White_Space character at s (.NET's TrimStart
 * removes them all), or 0 */
static size_t blank_len(const unsigned char *s, size_t n)
{
	size_t k = utf8_seq_len(s, n);
	uint32_t cp = k > 0 ? utf8_decode(s, k) : 0xffffffffu;

	if (cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000)
		return k;
	return 0;
}

/* only blanks since the last newline of b (or b is empty) */
static bool at_line_start(const struct dynbuf *b)
{
	const unsigned char *p, *s;
	size_t n, k;

	if (b->buf == NULL || b->len == 0)
		return true;
	s = (const unsigned char *)b->buf;
	p = s + b->len;
	while (p > s && p[-1] != '\n')
		p--;
	n = b->len - (size_t)(p - s);
	while (n > 0 && (k = blank_len(p, n)) > 0) {
		p += k;
		n -= k;
	}
	return n == 0;
}

int report_escape_line(struct dynbuf *b, const char *s)
{
	const unsigned char *p;
	size_t n, k;
	struct dynbuf tmp;
	int r;

	if (!at_line_start(b))
		return report_escape(b, s);
	dynbuf_init(&tmp, REPORT_MAX_BYTES);
	if ((r = report_escape(&tmp, s)) != 0 || tmp.buf == NULL)
		goto out;
	p = (const unsigned char *)tmp.buf;
	n = tmp.len;
	while (n > 0 && (k = blank_len(p, n)) > 0) {
		p += k;
		n -= k;
	}
	r = dynbuf_add(b, tmp.buf, (size_t)((const char *)p - tmp.buf));
	if (r == 0 && n > 0 && *p == ':') {
		r = dynbuf_addstr(b, "\\x3a");
		p++;
		n--;
	}
	if (r == 0)
		r = dynbuf_add(b, p, n);
out:
	dynbuf_release(&tmp);
	return r;
}

void report_count(const struct scan_report *r, struct report_counts *c)
{
	const struct port_record *rec;
	const struct finding *f;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; r->findings != NULL && i < r->findings->n; i++) {
		spill_pace(i);
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
	 * open ports and not port + checks (a UDP port's record already says
	 * what its checks heard: "no answer" or "closed"). */
	for (i = 0; i < r->nrecords; i++) {
		spill_pace(i);
		rec = &r->records[i];
		if (rec->status >= STATUS_COUNT)
			continue;
		if (rec->check == CHECK_NONE ||
		    (rec->status != STATUS_OPEN &&
		     !(rec->proto == PROTO_UDP &&
		       (rec->status == STATUS_NO_ANSWER ||
			rec->status == STATUS_CLOSED))))
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

static int walk_cmp(const void *x, const void *y, void *ud)
{
	const struct port_record *rec = ud;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	if (rec[a].target != rec[b].target)
		return rec[a].target < rec[b].target ? -1 : 1;
	return (a > b) - (a < b);
}

int record_walk_init(struct record_walk *w, const struct scan_report *r)
{
	size_t i, n = r->nrecords;

	memset(w, 0, sizeof(*w));
	w->rec = r->records;
	for (i = 1; i < n && r->records[i].target >= r->records[i - 1].target;)
		spill_pace(i++);
	w->sorted = n > 0 ? i : 0;
	if (w->sorted == n)
		return 0;
	w->ntail = n - w->sorted;
	if ((w->tail = calloc(w->ntail, sizeof(*w->tail))) == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < w->ntail; i++)
		w->tail[i] = w->sorted + i;
	qsort_r(w->tail, w->ntail, sizeof(*w->tail), walk_cmp,
		(void *)r->records);
	return 0;
}

size_t record_walk_next(struct record_walk *w, uint32_t t)
{
	spill_pace(w->steps++);
	while (w->pi < w->sorted && w->rec[w->pi].target < t)
		w->pi++;
	if (w->pi < w->sorted && w->rec[w->pi].target == t)
		return w->pi++;
	while (w->ti < w->ntail && w->rec[w->tail[w->ti]].target < t)
		w->ti++;
	if (w->ti < w->ntail && w->rec[w->tail[w->ti]].target == t)
		return w->tail[w->ti++];
	return SIZE_MAX;
}

void record_walk_seek(struct record_walk *w, uint32_t t)
{
	size_t lo = 0, hi = w->sorted, mid;

	/* the first record of t (or past it) in both parts */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->rec[mid].target < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	w->pi = lo;
	lo = 0;
	hi = w->ntail;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->rec[w->tail[mid]].target < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	w->ti = lo;
}

void record_walk_release(struct record_walk *w)
{
	free(w->tail);
	w->tail = NULL;
	w->ntail = 0;
}
