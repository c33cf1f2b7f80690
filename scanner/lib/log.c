/* log.c - escaped library messages on stderr under -v (see log.h) */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

static atomic_int log_verbose;
static atomic_uint log_lines;

void expo_log_set_verbose(int verbose)
{
	atomic_store(&log_verbose, verbose);
}

bool expo_log_enabled(void)
{
	return atomic_load(&log_verbose) > 0;
}

char *expo_log_escape(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (size == 0)
		return out;
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= size)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 >= size)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return out;
}

void expo_log(const char *origin, const char *fmt, ...)
{
	char raw[EXPO_LOG_LINE_MAX + 1], esc[EXPO_LOG_LINE_MAX + 1];
	char line[EXPO_LOG_LINE_MAX + 128], org[64];
	unsigned n;
	size_t len;
	va_list ap;

	if (!expo_log_enabled())
		return;
	n = atomic_fetch_add(&log_lines, 1);
	if (n > EXPO_LOG_LINES_MAX)
		return;
	if (n == EXPO_LOG_LINES_MAX) {
		len = (size_t)snprintf(line, sizeof(line),
				       "exposure: further library messages "
				       "not shown (over %u)\n",
				       (unsigned)EXPO_LOG_LINES_MAX);
	} else {
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		/* a trailing line break is the library's, not the text's */
		len = strlen(raw);
		while (len > 0 &&
		       (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
			raw[--len] = '\0';
		expo_log_escape(esc, sizeof(esc), raw);
		expo_log_escape(org, sizeof(org), origin ? origin : "?");
		len = (size_t)snprintf(line, sizeof(line), "exposure: %s: %s\n",
				       org, esc);
	}
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	/* one write: lines of several threads do not interleave */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
