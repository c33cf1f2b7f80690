/*
 * redis_wire.h - bounded parsers for what a Redis server answers to INFO:
 * one RESP2 reply (simple string, error or bulk string), and the INFO
 * text inside it. Pure functions: bytes in, struct or error out; no I/O.
 * Returned pointers point into the caller's buffer.
 */
#ifndef REDIS_WIRE_H
#define REDIS_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_WIRE_MORE 1	     /* incomplete: read more bytes */
#define REDIS_LINE_MAX 4096	     /* a status or error line */
#define REDIS_BULK_MAX (1024 * 1024) /* an INFO reply is a few KiB */

enum redis_reply_type {
	REDIS_R_STATUS, /* +OK */
	REDIS_R_ERROR,	/* -NOAUTH ..., -DENIED ..., -ERR ... */
	REDIS_R_BULK,	/* $<n> then n bytes */
	REDIS_R_NIL,	/* $-1 */
	REDIS_R_INT,	/* :<n> (redis_wire_next only) */
	REDIS_R_ARRAY,	/* *<n>: n replies follow (redis_wire_next only) */
};

struct redis_reply {
	enum redis_reply_type type;
	const char *data; /* text without CRLF, or the bulk bytes */
	size_t len;
	long long num; /* REDIS_R_INT: the value; REDIS_R_ARRAY: the count
			* (-1: nil array) */
};

/* One reply at the start of buf: 0 and *used, REDIS_WIRE_MORE, or
 * EXPO_ETOOBIG / EXPO_EPARSE / EXPO_EPROTO (not RESP: another protocol). */
int redis_wire_reply(const char *buf, size_t len, struct redis_reply *r,
		     size_t *used);

/* The same, also integer replies and array headers (the elements are
 * the replies that follow); what the sign reading (redis.c) reads. */
int redis_wire_next(const char *buf, size_t len, struct redis_reply *r,
		    size_t *used);

struct redis_info {
	char version[32];  /* redis_version ("" if absent) */
	char mode[16];	   /* redis_mode: standalone, cluster, sentinel */
	char role[16];	   /* master, slave/replica */
	long long clients; /* connected_clients, -1 if absent */
	long long keys;	   /* the sum of keys= over the dbN lines */
	unsigned ndbs;	   /* dbN lines */
};

/* The INFO text: 0, or EXPO_EPARSE when it has no redis_version line
 * (not an INFO reply). Values are cut to their fields, printable ASCII. */
int redis_wire_info(const char *text, size_t len, struct redis_info *out);

/* the error's first word ("NOAUTH", "DENIED", "ERR"), into out */
void redis_wire_errcode(const struct redis_reply *r, char *out, size_t size);

#endif
