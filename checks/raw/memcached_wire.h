/*
 * memcached_wire.h - bounded parser for memcached's text-protocol answer to
 * "stats": STAT lines up to END, or one error line. Pure: bytes in, struct
 * or error out.
 */
#ifndef MEMCACHED_WIRE_H
#define MEMCACHED_WIRE_H

#include <stddef.h>

#define MEMCACHED_WIRE_MORE 1 /* incomplete: read more */
#define MEMCACHED_LINE_MAX 1024
#define MEMCACHED_MAX_LINES 512 /* memcached 1.6 sends ~90 */

enum memcached_reply {
	MEMCACHED_STATS, /* STAT ... END */
	MEMCACHED_ERROR, /* ERROR, CLIENT_ERROR ..., SERVER_ERROR ... */
};

struct memcached_stats {
	enum memcached_reply kind;
	char error[128]; /* the error line, printable ASCII */
	char version[32];
	long long curr_items;	    /* -1 if absent */
	long long curr_connections; /* -1 if absent */
	unsigned nstats;	    /* STAT lines */
};

/* 0 and *used, MEMCACHED_WIRE_MORE, or EXPO_ETOOBIG / EXPO_EPROTO (a line
 * that is neither STAT, END nor an error: not memcached) / EXPO_EPARSE */
int memcached_wire_stats(const char *buf, size_t len,
			 struct memcached_stats *st, size_t *used);

#endif
