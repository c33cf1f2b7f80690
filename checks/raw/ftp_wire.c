/*
 * ftp_wire.c - FTP reply, passive-port and listing parsers (ftp_wire.h).
 * Every loop is bounded by the input length and the FTP_* limits; the
 * input needs no terminating NUL.
 */
#include <string.h>
#include "expo.h"
#include "ftp_wire.h"

/* printable ASCII of s[0..n) into out (NUL-terminated, cut to size) */
static void copy_printable(char *out, size_t size, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* the length of the line at p without its CR LF (or LF), and in *next
 * the offset after it; FTP_WIRE_MORE if no LF within the bounds */
static int line_at(const char *p, size_t len, size_t *llen, size_t *next)
{
	const char *lf;
	size_t n = len < FTP_LINE_MAX ? len : FTP_LINE_MAX;

	lf = memchr(p, '\n', n);
	if (lf == NULL)
		return len >= FTP_LINE_MAX ? EXPO_ETOOBIG : FTP_WIRE_MORE;
	*next = (size_t)(lf - p) + 1;
	*llen = (size_t)(lf - p);
	if (*llen > 0 && p[*llen - 1] == '\r')
		(*llen)--;
	return 0;
}

/* a line "ddd" + ' ' or '-' (or exactly "ddd"): the code, else 0 */
static unsigned line_code(const char *p, size_t n, char *sep)
{
	if (n < 3 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
		return 0;
	if (n > 3 && p[3] != ' ' && p[3] != '-')
		return 0;
	*sep = n > 3 ? p[3] : ' ';
	return (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
	       (unsigned)(p[2] - '0');
}

int ftp_wire_reply(const char *buf, size_t len, struct ftp_reply *r,
		   size_t *used)
{
	size_t off = 0, llen = 0, next = 0;
	unsigned code, c;
	char sep = ' ', s2 = ' ';
	int err;

	memset(r, 0, sizeof(*r));
	err = line_at(buf, len, &llen, &next);
	if (err != 0) {
		/* a partial first line that cannot start a reply */
		if (err == FTP_WIRE_MORE && len >= 4 &&
		    line_code(buf, 4, &sep) == 0)
			err = EXPO_EPROTO;
		return err;
	}
	code = line_code(buf, llen, &sep);
	if (code < 100 || code > 599)
		return EXPO_EPROTO;
	r->code = code;
	if (llen > 4)
		copy_printable(r->text, sizeof(r->text), buf + 4, llen - 4);
	r->lines = 1;
	off = next;
	if (sep == '-') {
		r->body_off = off;
		for (;;) {
			if (off >= len)
				return FTP_WIRE_MORE;
			err = line_at(buf + off, len - off, &llen, &next);
			if (err != 0)
				return err;
			if (++r->lines > FTP_REPLY_LINES ||
			    off + next > FTP_REPLY_MAX)
				return EXPO_ETOOBIG;
			c = line_code(buf + off, llen, &s2);
			if (c == code && s2 == ' ')
				break;
			off += next;
		}
		r->body_len = off - r->body_off;
		off += next;
	}
	*used = off;
	return 0;
}

/* a decimal number of at most 5 digits at *p; advances *p */
static int number(const char **p, const char *end, unsigned *v)
{
	unsigned n = 0, digits = 0;

	while (*p < end && is_digit(**p) && digits < 6) {
		n = n * 10 + (unsigned)(**p - '0');
		(*p)++;
		digits++;
	}
	if (digits == 0 || digits > 5)
		return EXPO_EPARSE;
	*v = n;
	return 0;
}

int ftp_wire_pasv_port(const char *text, uint16_t *port)
{
	const char *p = text, *end = text + strnlen(text, FTP_LINE_MAX);
	unsigned v[6], i;

	/* the six numbers may come with or without parentheses */
	while (p < end && !is_digit(*p))
		p++;
	for (i = 0; i < 6; i++) {
		if (number(&p, end, &v[i]) != 0 || v[i] > 255)
			return EXPO_EPARSE;
		if (i < 5) {
			if (p >= end || *p != ',')
				return EXPO_EPARSE;
			p++;
		}
	}
	if (v[4] * 256 + v[5] == 0)
		return EXPO_EPARSE;
	*port = (uint16_t)(v[4] * 256 + v[5]);
	return 0;
}

int ftp_wire_epsv_port(const char *text, uint16_t *port)
{
	const char *end = text + strnlen(text, FTP_LINE_MAX);
	const char *p = memchr(text, '(', (size_t)(end - text));
	unsigned v = 0;
	char d;

	/* "(<d><d><d>port<d>)": the delimiter is any printable character */
	if (p == NULL || end - p < 6)
		return EXPO_EPARSE;
	d = p[1];
	if (d < 0x21 || d > 0x7e || is_digit(d) || p[2] != d || p[3] != d)
		return EXPO_EPARSE;
	p += 4;
	if (number(&p, end, &v) != 0 || v == 0 || v > 65535)
		return EXPO_EPARSE;
	if (p + 1 >= end || p[0] != d || p[1] != ')')
		return EXPO_EPARSE;
	*port = (uint16_t)v;
	return 0;
}

/* the start of field n (0-based) of a blank-separated line, or NULL */
static const char *field(const char *s, const char *end, unsigned n)
{
	unsigned i;

	while (s < end && *s == ' ')
		s++;
	for (i = 0; i < n && s < end; i++) {
		while (s < end && *s != ' ')
			s++;
		while (s < end && *s == ' ')
			s++;
	}
	return s < end ? s : NULL;
}

int ftp_wire_entry(const char *line, size_t len, struct ftp_entry *e)
{
	const char *end, *name = NULL;
	const char *dir;

	memset(e, 0, sizeof(*e));
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
			   line[len - 1] == ' '))
		len--;
	/* STAT indents its lines by a blank on some servers */
	while (len > 0 && *line == ' ') {
		line++;
		len--;
	}
	if (len == 0 || len > FTP_LINE_MAX)
		return EXPO_EPARSE;
	end = line + len;
	if (len >= 6 && strncmp(line, "total ", 6) == 0)
		return EXPO_EPARSE;
	if (len >= 10 && memchr("-dlbcps", line[0], 7) != NULL &&
	    (line[1] == 'r' || line[1] == '-')) {
		/* ls -l: mode links owner group size month day time name */
		name = field(line, end, 8);
		e->is_dir = line[0] == 'd';
	} else if ((dir = memmem(line, len, "<DIR>", 5)) != NULL) {
		/* MS-DOS style: date time <DIR> name */
		name = field(dir, end, 1);
		e->is_dir = true;
	} else if (len >= 17 && is_digit(line[0]) && line[2] == '-') {
		name = field(line, end, 3);
	} else {
		name = line; /* NLST: the bare name */
	}
	if (name == NULL || name >= end)
		return EXPO_EPARSE;
	/* a symbolic link: "name -> target", the name only */
	if (line[0] == 'l' && name != line) {
		const char *arrow =
			memmem(name, (size_t)(end - name), " -> ", 4);

		if (arrow != NULL)
			end = arrow;
	}
	copy_printable(e->name, sizeof(e->name), name, (size_t)(end - name));
	e->dot = strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0;
	return e->name[0] ? 0 : EXPO_EPARSE;
}
