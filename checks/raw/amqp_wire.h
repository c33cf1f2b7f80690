/*
 * amqp_wire.h - bounded AMQP 0-9-1 framing for the RabbitMQ login probe:
 * the frames of the connection handshake (Connection.Start, .Tune,
 * .Close, .Secure), the server-properties field table of Connection.Start,
 * and the Start-Ok the client sends. Pure functions: bytes in, struct or
 * error out; no I/O. Returned pointers point into the caller's buffer.
 *
 * References: AMQP 0-9-1 specification, sections 2.3.5 (frames), 4.2.3
 * (frame format: type, channel, size, payload, 0xCE), 4.2.5 (field
 * tables); RabbitMQ's "AMQP 0-9-1 errata" (field value types);
 * RabbitMQ "Authentication Failure Notifications" (the capability
 * authentication_failure_close: a refused login gets Connection.Close
 * 403 instead of a dropped socket).
 */
#ifndef AMQP_WIRE_H
#define AMQP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AMQP_WIRE_MORE 1 /* incomplete: read more bytes */
#define AMQP_WIRE_HEADER \
	2			   /* the server sent its protocol header
				     * (it speaks another AMQP version) */
#define AMQP_FRAME_MAX (64 * 1024) /* Connection.Start is < 1 KiB */
#define AMQP_PROP_MAX 64	   /* bytes kept of a server property */
#define AMQP_TABLE_DEPTH 4	   /* nested tables/arrays followed */

/* the client's protocol header: AMQP 0-9-1 */
extern const uint8_t amqp_protocol_header[8];

enum { AMQP_FRAME_METHOD = 1, AMQP_FRAME_HEARTBEAT = 8 };
enum {
	AMQP_CONNECTION = 10,
	AMQP_START = 10,
	AMQP_START_OK = 11,
	AMQP_SECURE = 20,
	AMQP_TUNE = 30,
	AMQP_CLOSE = 50,
};

struct amqp_frame {
	uint8_t type;
	uint16_t channel;
	const uint8_t *payload;
	size_t len;
};

/* a method frame's class and method */
struct amqp_method {
	unsigned class_id, method_id;
	const uint8_t *args; /* the arguments after the two ids */
	size_t len;
};

/* what Connection.Start says */
struct amqp_start {
	unsigned major, minor;
	char product[AMQP_PROP_MAX]; /* server-properties, "" if absent */
	char version[AMQP_PROP_MAX];
	char platform[AMQP_PROP_MAX];
	char cluster_name[AMQP_PROP_MAX];
	bool plain; /* PLAIN among the mechanisms */
};

/* Connection.Close */
struct amqp_close {
	unsigned code; /* 403 ACCESS_REFUSED, 530 NOT_ALLOWED, ... */
	char text[128];
};

/* One frame from the start of buf: 0 (*used bytes), AMQP_WIRE_MORE,
 * AMQP_WIRE_HEADER (buf starts with "AMQP"), EXPO_EPROTO (no frame end,
 * unknown type) or EXPO_ETOOBIG (over AMQP_FRAME_MAX). */
int amqp_wire_frame(const uint8_t *buf, size_t n, struct amqp_frame *f,
		    size_t *used);
/* a method frame's ids: 0 or EXPO_EPROTO */
int amqp_wire_method(const struct amqp_frame *f, struct amqp_method *m);
/* Connection.Start's arguments: 0 or EXPO_EPROTO */
int amqp_wire_start(const struct amqp_method *m, struct amqp_start *s);
/* Connection.Close's arguments: 0 or EXPO_EPROTO */
int amqp_wire_close(const struct amqp_method *m, struct amqp_close *c);
/* Connection.Start-Ok with PLAIN (user, password) into out: its length,
 * or EXPO_ETOOBIG / EXPO_EINVAL (a name over 255 bytes, a NUL-free
 * PLAIN cannot carry it otherwise) */
int amqp_wire_start_ok(uint8_t *out, size_t size, const char *user,
		       const char *password);

#endif
