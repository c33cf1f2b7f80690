/*
 * memcached_wire.c - "stats" reply parser (see memcached_wire.h).
 * Reference: memcached doc/protocol.txt, "General-purpose statistics".
 */
#include <stdbool.h>
#include <string.h>
#include "expo.h"
#include "memcached_wire.h"

static void copy_val(char *out, size_t size, const char *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < size; i++)
		if (v[i] >= 0x20 && v[i] < 0x7f)
			out[k++] = v[i];
	out[k] = '\0';
}

static bool starts(const char *line, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && memcmp(line, p, pl) == 0;
}

/* a non-negative decimal filling v[0..n), at most 18 digits; else -1 */
static long long num(const char *v, size_t n)
{
	long long x = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

static void stat_line(const char *line, size_t n, struct memcached_stats *st)
{
	const char *name = line + 5, *sp;
	size_t rest = n - 5, nlen;

	sp = memchr(name, ' ', rest);
	if (sp == NULL)
		return;
	nlen = (size_t)(sp - name);
	rest -= nlen + 1;
	if (nlen == 7 && memcmp(name, "version", 7) == 0)
		copy_val(st->version, sizeof(st->version), sp + 1, rest);
	else if (nlen == 10 && memcmp(name, "curr_items", 10) == 0)
		st->curr_items = num(sp + 1, rest);
	else if (nlen == 16 && memcmp(name, "curr_connections", 16) == 0)
		st->curr_connections = num(sp + 1, rest);
}

int memcached_wire_stats(const char *buf, size_t len,
			 struct memcached_stats *st, size_t *used)
{
	size_t pos = 0, lines = 0;
	int err = MEMCACHED_WIRE_MORE;

	memset(st, 0, sizeof(*st));
	st->curr_items = -1;
	st->curr_connections = -1;
	while (pos < len) {
		const char *line = buf + pos, *nl;
		size_t avail = len - pos, n;

		nl = memchr(line, '\n',
			    avail < MEMCACHED_LINE_MAX + 1
				    ? avail
				    : MEMCACHED_LINE_MAX + 1);
		if (nl == NULL) {
			err = avail > MEMCACHED_LINE_MAX ? EXPO_ETOOBIG
							 : MEMCACHED_WIRE_MORE;
			goto out;
		}
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n == 0 || line[n - 1] != '\r') {
			err = EXPO_EPROTO;
			goto out;
		}
		n--;
		if (++lines > MEMCACHED_MAX_LINES) {
			err = EXPO_ETOOBIG;
			goto out;
		}
		if (n == 3 && memcmp(line, "END", 3) == 0) {
			if (st->nstats == 0) {
				err = EXPO_EPARSE;
				goto out;
			}
			st->kind = MEMCACHED_STATS;
			*used = pos;
			err = 0;
			goto out;
		}
		if (starts(line, n, "STAT ")) {
			st->nstats++;
			stat_line(line, n, st);
			continue;
		}
		if (st->nstats == 0 &&
		    ((n == 5 && memcmp(line, "ERROR", 5) == 0) ||
		     starts(line, n, "ERROR ") ||
		     starts(line, n, "CLIENT_ERROR") ||
		     starts(line, n, "SERVER_ERROR"))) {
			st->kind = MEMCACHED_ERROR;
			copy_val(st->error, sizeof(st->error), line, n);
			*used = pos;
			err = 0;
			goto out;
		}
		err = EXPO_EPROTO;
		goto out;
	}
out:
	return err;
}
