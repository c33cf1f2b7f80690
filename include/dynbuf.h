/*
 * dynbuf.h - growable byte buffers with a hard cap set at init.
 *
 * Every buffer that holds bytes from the network is a dynbuf, so "every
 * network read is bounded" holds by construction: dynbuf_add() refuses to
 * grow past the cap given to dynbuf_init() and returns EXPO_ETOOBIG.
 * The contents are always NUL-terminated (the NUL is not counted in len).
 * Touch the fields only through these functions: an empty buffer may hold
 * no storage at all (buf == NULL), so a direct read of buf can hand NULL
 * to "%s" or to a parser; dynbuf_ptr() never does.
 */
#ifndef DYNBUF_H
#define DYNBUF_H

#include <stddef.h>

struct dynbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max; /* len never exceeds max */
};

void dynbuf_init(struct dynbuf *b, size_t max);
/* the NUL-terminated contents; "" (never NULL) while empty. Valid until
 * the next call that changes b. */
const char *dynbuf_ptr(const struct dynbuf *b);
/* bytes held, the NUL not counted */
size_t dynbuf_len(const struct dynbuf *b);
/* frees the contents; the struct may be dynbuf_init()ed again */
void dynbuf_release(struct dynbuf *b);
void dynbuf_reset(struct dynbuf *b); /* len = 0, keeps memory */
int dynbuf_add(struct dynbuf *b, const void *data, size_t len);
int dynbuf_addstr(struct dynbuf *b, const char *s);
int dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* drops the first n bytes (consumed input) */
void dynbuf_consume(struct dynbuf *b, size_t n);
/* hands the buffer to the caller (free() it); b is left empty */
char *dynbuf_detach(struct dynbuf *b);

#endif
