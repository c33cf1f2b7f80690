/* dynbuf.c - capped growable buffers (see include/dynbuf.h) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynbuf.h"
#include "expo.h"

void dynbuf_init(struct dynbuf *b, size_t max)
{
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

const char *dynbuf_ptr(const struct dynbuf *b)
{
	return b->buf != NULL ? b->buf : "";
}

size_t dynbuf_len(const struct dynbuf *b)
{
	return b->len;
}

void dynbuf_release(struct dynbuf *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
}

void dynbuf_reset(struct dynbuf *b)
{
	b->len = 0;
	if (b->buf != NULL)
		b->buf[0] = '\0';
}

static int dynbuf_reserve(struct dynbuf *b, size_t extra)
{
	size_t need, nalloc;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return EXPO_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < need)
		nalloc *= 2;
	/* the cap bounds the allocation too: never more than max + 1 */
	if (nalloc > b->max + 1)
		nalloc = b->max + 1;
	p = realloc(b->buf, nalloc);
	if (p == NULL)
		return EXPO_ENOMEM;
	b->buf = p;
	b->alloc = nalloc;
	return 0;
}

int dynbuf_add(struct dynbuf *b, const void *data, size_t len)
{
	int r;

	if ((r = dynbuf_reserve(b, len)) != 0)
		return r;
	if (len > 0)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int dynbuf_addstr(struct dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s));
}

int dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EXPO_EINVAL;
	if ((r = dynbuf_reserve(b, (size_t)n)) != 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void dynbuf_consume(struct dynbuf *b, size_t n)
{
	if (n >= b->len) {
		dynbuf_reset(b);
		return;
	}
	memmove(b->buf, b->buf + n, b->len - n);
	b->len -= n;
	b->buf[b->len] = '\0';
}

char *dynbuf_detach(struct dynbuf *b)
{
	char *p = b->buf;

	if (p == NULL)
		p = calloc(1, 1);
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
