/*
 * rawtext.h - text from a server's bytes, for facts and evidence: the
 * first bytes that fit, printable ASCII only (others become '?'), always
 * NUL-terminated. Shared by the wire parsers of the raw checks.
 */
#ifndef RAWTEXT_H
#define RAWTEXT_H

#include <stddef.h>
#include <stdint.h>

static inline void raw_text(const uint8_t *p, size_t n, char *out, size_t size)
{
	size_t i, k = 0;

	if (size == 0)
		return;
	for (i = 0; i < n && k + 1 < size; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[k] = '\0';
}

#endif
