/*
 * term_escape.c - see include/term_escape.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "term_escape.h"

/* length of the valid UTF-8 sequence at s (n bytes left), or 0: RFC 3629
 * table 4, so no overlong form, no surrogate, nothing above U+10FFFF */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static uint32_t decode(const unsigned char *s, size_t len)
{
	uint32_t cp = len > 1 ? s[0] & (0xffu >> (len + 1)) : s[0];
	size_t i;

	for (i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* code points a terminal acts on or that reorder or break what is shown */
static bool unsafe(uint32_t cp)
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

int term_escape(struct dynbuf *b, const char *s, bool line_start)
{
	const unsigned char *p, *run;
	size_t n, k;
	int r = 0;

	if (s == NULL)
		s = "-";
	p = (const unsigned char *)s;
	n = strlen(s);
	if (line_start && n >= 2 && p[0] == ':' && p[1] == ':') {
		r = add_hex(b, p, 1);
		p++;
		n--;
	}
	run = p;
	while (n > 0 && r == 0) {
		k = seq_len(p, n);
		if (k > 0 && !unsafe(decode(p, k))) {
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

char *term_escaped(const char *s, bool line_start)
{
	struct dynbuf b;
	char *out = NULL;

	/* at most four bytes out per byte in, plus the "-" of NULL */
	dynbuf_init(&b, (s ? strlen(s) : 1) * 4 + 8);
	if (term_escape(&b, s, line_start) == 0)
		out = b.len ? dynbuf_detach(&b) : strdup("");
	dynbuf_release(&b);
	return out;
}
