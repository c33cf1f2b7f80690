/*
 * sse.h - an incremental, bounded parser of Server-Sent Events
 * (text/event-stream, WHATWG HTML "Server-sent events"), fed the body of
 * an HTTP answer as it arrives. Private to checks/.
 *
 * Lines end with CRLF, LF or CR; "data:" lines are joined with "\n";
 * "event:" names the event (default "message"); a blank line dispatches
 * it; comments (":"), "id:" and "retry:" are ignored. A line or an
 * event's data longer than the cap given to sse_init() fails the feed.
 */
#ifndef CHECKS_SSE_H
#define CHECKS_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include "dynbuf.h"

#define SSE_EVENT_MAX 64

/* one dispatched event: data is NUL-terminated; nonzero stops the feed */
typedef int (*sse_cb)(void *ud, const char *event, const char *data,
		      size_t len);

struct sse {
	struct dynbuf line; /* the line being read */
	struct dynbuf data; /* the event's data so far */
	char event[SSE_EVENT_MAX];
	bool last_cr; /* the previous byte ended a line with CR */
	bool started; /* past a leading byte-order mark */
	bool has_data;
	unsigned long events; /* dispatched so far */
};

void sse_init(struct sse *s, size_t max);
void sse_release(struct sse *s);
/* 0: all consumed; 1: the callback asked to stop; EXPO_ETOOBIG or
 * EXPO_ENOMEM */
int sse_feed(struct sse *s, const char *buf, size_t len, sse_cb cb, void *ud);

#endif
