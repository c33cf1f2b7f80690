/* sse.c - incremental Server-Sent Events parser (see sse.h) */
#include <string.h>
#include "expo.h"
#include "sse.h"

void sse_init(struct sse *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	dynbuf_init(&s->line, max);
	dynbuf_init(&s->data, max);
}

void sse_release(struct sse *s)
{
	dynbuf_release(&s->line);
	dynbuf_release(&s->data);
}

static int dispatch(struct sse *s, sse_cb cb, void *ud)
{
	int r = 0;

	if (s->has_data) {
		/* the data's last "\n" is not part of it */
		if (s->data.len > 0)
			s->data.buf[--s->data.len] = '\0';
		s->events++;
		r = cb(ud, s->event[0] ? s->event : "message", s->data.buf,
		       s->data.len);
	}
	dynbuf_reset(&s->data);
	s->event[0] = '\0';
	s->has_data = false;
	return r != 0 ? 1 : 0;
}

/* one complete line (without its end) */
static int line_done(struct sse *s, sse_cb cb, void *ud)
{
	const char *l = s->line.buf ? s->line.buf : "";
	size_t n = s->line.len, flen;
	const char *colon, *v;
	size_t vlen;
	int r = 0;

	if (n == 0)
		return dispatch(s, cb, ud);
	if (l[0] == ':')
		return 0; /* comment */
	colon = memchr(l, ':', n);
	flen = colon ? (size_t)(colon - l) : n;
	v = colon ? colon + 1 : l + n;
	vlen = colon ? n - flen - 1 : 0;
	if (vlen > 0 && *v == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && memcmp(l, "data", 4) == 0) {
		r = dynbuf_add(&s->data, v, vlen);
		if (r == 0)
			r = dynbuf_add(&s->data, "\n", 1);
		if (r == 0)
			s->has_data = true;
	} else if (flen == 5 && memcmp(l, "event", 5) == 0) {
		if (vlen >= sizeof(s->event))
			vlen = sizeof(s->event) - 1;
		memcpy(s->event, v, vlen);
		s->event[vlen] = '\0';
		/* a NUL inside would cut the name: fine, it is only compared */
	}
	return r;
}

int sse_feed(struct sse *s, const char *buf, size_t len, sse_cb cb, void *ud)
{
	size_t i = 0, start;
	int r = 0;

	if (!s->started && len > 0) {
		/* a UTF-8 byte-order mark may open the stream */
		if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
			i = 3;
		s->started = true;
	}
	while (i < len && r == 0) {
		char c = buf[i];

		if (c == '\n' && s->last_cr) {
			/* the LF of a CRLF: the line already ended */
			s->last_cr = false;
			i++;
			continue;
		}
		s->last_cr = false;
		start = i;
		while (i < len && buf[i] != '\n' && buf[i] != '\r')
			i++;
		if (i > start)
			r = dynbuf_add(&s->line, buf + start, i - start);
		if (r != 0 || i == len)
			break;
		s->last_cr = buf[i] == '\r';
		i++;
		r = line_done(s, cb, ud);
		dynbuf_reset(&s->line);
	}
	return r;
}
