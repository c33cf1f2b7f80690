/*
 * indicators.h - signs that a host is already abused (a running miner, a
 * cron-injection payload), read through doors the checks already open
 * (DESIGN.md CHECK.compromise_indicator, ranking tier 0).
 *
 * The data is checks/compromise/indicators.def, compiled in; its version
 * is named in every report. The matcher is pure: (field, text) in, the
 * first indicator that applies to that field out. A field that is not
 * listed (a label for words, a description, a log line, a web page) never
 * matches words, so indicator text in documentation is not a sign.
 */
#ifndef INDICATORS_H
#define INDICATORS_H

#include <stdbool.h>
#include <stddef.h>

/* where a text was seen: one bit each */
enum ind_field {
	IND_F_IMAGE = 1u << 0,	/* a container image reference */
	IND_F_CMD = 1u << 1,	/* a command line, entrypoint, args */
	IND_F_NAME = 1u << 2,	/* a container or task name */
	IND_F_LABEL = 1u << 3,	/* a label value: only shapes, not words */
	IND_F_VALUE = 1u << 4,	/* a Redis value fetched by a known name */
	IND_F_DIR = 1u << 5,	/* Redis CONFIG dir */
	IND_F_DBFILE = 1u << 6, /* Redis CONFIG dbfilename */
};

/* only this many bytes of one field are looked at (bounded work) */
#define IND_TEXT_MAX 8192

struct ind_match {
	const char *kind;    /* "miner binary" */
	const char *pattern; /* "xmrig" or a shape's name */
	const char *source;  /* the public report it comes from */
	size_t off, len;     /* the matched span in the text */
};

/* the data file's version, e.g. "2026.12.1" */
const char *ind_version(void);
/* "image", "command", "entrypoint", "args", "name", "label", "value",
 * "dir", "dbfilename" -> its bit; 0 for any other name */
unsigned ind_field_parse(const char *name);
/* true and *out when text (len bytes, need not be NUL-terminated) holds
 * an indicator that applies to field (one bit) */
bool ind_match(unsigned field, const char *text, size_t len,
	       struct ind_match *out);
/* the same with the field's name; an unknown name never matches */
bool ind_match_named(const char *field, const char *text, size_t len,
		     struct ind_match *out);
/* the number of entries, and entry i (kind, pattern, source; off/len 0) */
size_t ind_count(void);
bool ind_entry(size_t i, struct ind_match *out, unsigned *fields);

/* the Redis key names cron-injection campaigns write, read by name */
size_t ind_redis_keys(const char *const **names);

#endif
