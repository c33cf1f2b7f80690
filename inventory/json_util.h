/*
 * json_util.h - error messages and JSON helpers shared by the loaders.
 *
 * Every message a loader produces goes through here so they all read alike:
 *   "FILE:LINE: what"            plain lists, XML
 *   "FILE:LINE:COL: what"        JSON syntax
 *   "FILE: $.a.b[2].c: what"     JSON content, with the path of the value
 * Only the first error is kept: later ones are dropped.
 */
#ifndef INV_JSON_UTIL_H
#define INV_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* sets *err (if still NULL) to a formatted message; returns EXPO_EPARSE */
int inv_err(char **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* same, returning rc instead */
int inv_err_rc(char **err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* a printable copy of s[0..n) for messages: control bytes become '?',
 * long text is cut with "..." (buf holds bufsz bytes, bufsz >= 8) */
const char *inv_quote(const char *s, size_t n, char *buf, size_t bufsz);

/* 1-based line and column of data+off */
void inv_line_col(const char *data, size_t off, size_t *line, size_t *col);

/* strdup that returns NULL for NULL */
char *inv_strdup(const char *s);

/*
 * Parses a whole JSON document. A syntax error becomes
 * "FILE:LINE:COL: not valid JSON ..." (position from cJSON's error pointer).
 */
int inv_json_parse(const char *file, const char *data, size_t len, cJSON **out,
		   char **err);

/* The JSON path of the value being read, for messages. */
struct jctx {
	const char *file;
	char **err;
	size_t len;
	char path[512];
};

void jctx_init(struct jctx *j, const char *file, char **err);
/* push ".key" / "[i]"; returns the mark to pop back to */
size_t jpath_key(struct jctx *j, const char *key);
size_t jpath_idx(struct jctx *j, size_t i);
void jpath_pop(struct jctx *j, size_t mark);
/* "FILE: $PATH: msg"; returns EXPO_EPARSE */
int jerr(struct jctx *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* same with ".key" appended to the path for this message only */
int jerr_key(struct jctx *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* the member, or NULL when absent or JSON null */
const cJSON *jget(const cJSON *obj, const char *key);

/*
 * Typed getters. Absent (or null) and !need: *out = NULL / default, 0.
 * Absent and need: "missing". Wrong type: "expected a string" etc.
 */
int jget_str(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const char **out);
int jget_obj(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const cJSON **out);
int jget_arr(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const cJSON **out);
/* string or integral number in [min, max]; absent: *out = dflt */
int jget_int(struct jctx *j, const cJSON *obj, const char *key, long min,
	     long max, long dflt, long *out);
/* true/false, or the strings "true"/"false"; absent: dflt */
int jget_bool(struct jctx *j, const cJSON *obj, const char *key, bool dflt,
	      bool *out);
/* an identifier given as a string or an integral number, into buf */
int jget_id(struct jctx *j, const cJSON *obj, const char *key, bool need,
	    char *buf, size_t bufsz);
/* the value at the current path must be a string */
int jexpect_str(struct jctx *j, const cJSON *v, const char **out);

/* an optional array of strings; *out = the array or NULL */
int jget_str_arr(struct jctx *j, const cJSON *obj, const char *key,
		 const cJSON **out);
/* every element of arr (path at arr) is an object with a string key */
int jcheck_objs_str(struct jctx *j, const cJSON *arr, const char *key,
		    bool need);
/* same for the optional array obj.arrkey */
int jget_objs_str(struct jctx *j, const cJSON *obj, const char *arrkey,
		  const char *key, bool need);

/* case-insensitive "does the array of strings contain s" */
bool jarr_has_str(const cJSON *arr, const char *s, bool icase);

#endif
