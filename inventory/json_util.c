/*
 * json_util.c - messages and typed JSON access with paths, for the loaders.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expo.h"
#include "json_util.h"

static int verr(char **err, int rc, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (!err || *err)
		goto out;
	if (vasprintf(&s, fmt, ap) < 0) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	*err = s;
out:
	return rc;
}

int inv_err(char **err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr(err, EXPO_EPARSE, fmt, ap);
	va_end(ap);
	return rc;
}

int inv_err_rc(char **err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = verr(err, rc, fmt, ap);
	va_end(ap);
	return rc;
}

const char *inv_quote(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < bufsz; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < n) {
		/* cut: make room for the dots */
		if (o > bufsz - 4)
			o = bufsz - 4;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

void inv_line_col(const char *data, size_t off, size_t *line, size_t *col)
{
	size_t i, l = 1, c = 1;

	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

char *inv_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* length of the text up to the end of its line */
static size_t strcspn_n(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] && s[n] != '\n' && s[n] != '\r')
		n++;
	return n;
}

static size_t strspn_ws(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && isspace((unsigned char)s[n]))
		n++;
	return n;
}

/* length of the valid UTF-8 sequence at s (n bytes left; no overlong
 * form, no surrogate, nothing above U+10FFFF), or 0 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	cp = s[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/*
 * What cJSON lets through and RFC 8259 does not, or what no inventory
 * holds: raw control characters in strings, NUL (raw, or \u0000, which
 * would cut a C string short) and invalid UTF-8. Refused with the line and
 * column, before cJSON sees the text.
 */
static int json_prescan(const char *file, const char *data, size_t len,
			char **err)
{
	const unsigned char *p = (const unsigned char *)data;
	const char *what = NULL;
	size_t i = 0, line, col, k;
	bool in_str = false;
	int rc = 0;

	while (i < len && !what) {
		if (p[i] == 0) {
			/* PowerShell's > writes UTF-16 */
			what = "NUL byte (UTF-16? save the file as UTF-8)";
		} else if (!in_str) {
			in_str = p[i] == '"';
			i++;
		} else if (p[i] == '"') {
			in_str = false;
			i++;
		} else if (p[i] == '\\') {
			if (i + 5 < len && !memcmp(p + i + 1, "u0000", 5))
				what = "\\u0000 (NUL) in a string";
			else
				i += i + 1 < len && p[i + 1] ? 2 : 1;
		} else if (p[i] < 0x20) {
			what = "raw control character in a string (JSON "
			       "needs it escaped)";
		} else if ((k = utf8_len(p + i, len - i)) == 0) {
			what = "invalid UTF-8 in a string";
		} else {
			i += k;
		}
	}
	if (what) {
		inv_line_col(data, i, &line, &col);
		rc = inv_err(err, "%s:%zu:%zu: not valid JSON: %s", file, line,
			     col, what);
	}
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* every object of the tree has unique keys: cJSON keeps both copies of a
 * duplicated key and the loaders would read only the first */
static int json_no_dups(struct jctx *j, const cJSON *v)
{
	const char **names = NULL;
	const cJSON *c;
	size_t n = 0, i, m;
	char q[80];
	int rc = 0;

	if (cJSON_IsObject(v)) {
		for (c = v->child; c; c = c->next)
			n++;
		names = malloc((n ? n : 1) * sizeof(*names));
		if (!names) {
			rc = EXPO_ENOMEM;
			goto out;
		}
		for (c = v->child, i = 0; c; c = c->next)
			names[i++] = c->string ? c->string : "";
		qsort(names, n, sizeof(*names), name_cmp);
		for (i = 1; i < n; i++) {
			if (strcmp(names[i - 1], names[i]))
				continue;
			rc = jerr(j,
				  "key \"%s\" appears twice (JSON keys "
				  "must be unique)",
				  inv_quote(names[i], strlen(names[i]), q,
					    sizeof(q)));
			goto out;
		}
	}
	i = 0;
	for (c = v->child;
	     c && rc == 0 && (cJSON_IsObject(v) || cJSON_IsArray(v));
	     c = c->next) {
		m = cJSON_IsObject(v) ? jpath_key(j, c->string ? c->string : "")
				      : jpath_idx(j, i++);
		rc = json_no_dups(j, c);
		jpath_pop(j, m);
	}
out:
	free(names);
	return rc;
}

int inv_json_parse(const char *file, const char *data, size_t len, cJSON **out,
		   char **err)
{
	const char *end = NULL;
	cJSON *root = NULL;
	size_t off, line, col;
	char q[40];
	int rc = 0;

	rc = json_prescan(file, data, len, err);
	if (rc < 0)
		goto out;
	root = cJSON_ParseWithLengthOpts(data, len, &end, false);
	if (!root) {
		const char *ep = cJSON_GetErrorPtr();

		/* cJSON reports where it stopped; prefer the thread-safe
		 * return_parse_end, fall back on the global pointer */
		if (!end || end < data || end > data + len)
			end = ep;
		if (!end || end < data || end > data + len) {
			rc = inv_err(err, "%s: not valid JSON", file);
			goto out;
		}
		off = (size_t)(end - data);
		inv_line_col(data, off, &line, &col);
		if (off + strspn_ws(data + off, len - off) >= len)
			rc = inv_err(err,
				     "%s:%zu:%zu: not valid JSON: "
				     "unexpected end of file",
				     file, line, col);
		else
			rc = inv_err(err,
				     "%s:%zu:%zu: not valid JSON near "
				     "'%s'",
				     file, line, col,
				     inv_quote(end, strcspn_n(end, len - off),
					       q, 24));
		goto out;
	}
	off = (size_t)(end - data);
	while (off < len && isspace((unsigned char)data[off]))
		off++;
	if (off < len) {
		inv_line_col(data, off, &line, &col);
		rc = inv_err(err,
			     "%s:%zu:%zu: unexpected data after the "
			     "JSON value",
			     file, line, col);
		goto out;
	}
	{
		struct jctx j;

		jctx_init(&j, file, err);
		rc = json_no_dups(&j, root);
		if (rc < 0)
			goto out;
	}
	*out = root;
	root = NULL;
out:
	cJSON_Delete(root);
	return rc;
}

void jctx_init(struct jctx *j, const char *file, char **err)
{
	j->file = file;
	j->err = err;
	j->path[0] = '$';
	j->path[1] = 0;
	j->len = 1;
}

static size_t jpath_append(struct jctx *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t jpath_append(struct jctx *j, const char *fmt, ...)
{
	size_t mark = j->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->path + j->len, sizeof(j->path) - j->len, fmt, ap);
	va_end(ap);
	/* a path too long for the buffer is cut, never overflowed */
	if (n > 0)
		j->len += (size_t)n < sizeof(j->path) - j->len
				  ? (size_t)n
				  : sizeof(j->path) - j->len - 1;
	return mark;
}

static bool plain_key(const char *k)
{
	const char *p;
	bool ok = *k && !isdigit((unsigned char)*k);

	for (p = k; *p && ok; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	return ok;
}

size_t jpath_key(struct jctx *j, const char *key)
{
	char q[80];

	return plain_key(key) ? jpath_append(j, ".%s", key)
			      : jpath_append(j, "[\"%s\"]",
					     inv_quote(key, strlen(key), q,
						       sizeof(q)));
}

size_t jpath_idx(struct jctx *j, size_t i)
{
	return jpath_append(j, "[%zu]", i);
}

void jpath_pop(struct jctx *j, size_t mark)
{
	if (mark < sizeof(j->path)) {
		j->len = mark;
		j->path[mark] = 0;
	}
}

static int vjerr(struct jctx *j, const char *fmt, va_list ap)
{
	char *msg = NULL;
	int rc = EXPO_EPARSE;

	if (vasprintf(&msg, fmt, ap) < 0) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	rc = inv_err(j->err, "%s: %s: %s", j->file, j->path, msg);
out:
	free(msg);
	return rc;
}

int jerr(struct jctx *j, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vjerr(j, fmt, ap);
	va_end(ap);
	return rc;
}

int jerr_key(struct jctx *j, const char *key, const char *fmt, ...)
{
	size_t mark = jpath_key(j, key);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vjerr(j, fmt, ap);
	va_end(ap);
	jpath_pop(j, mark);
	return rc;
}

const cJSON *jget(const cJSON *obj, const char *key)
{
	const cJSON *v = NULL;

	if (obj && cJSON_IsObject(obj))
		v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return v && !cJSON_IsNull(v) ? v : NULL;
}

int jget_str(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const char **out)
{
	const cJSON *v = jget(obj, key);
	int rc = 0;

	*out = NULL;
	if (!v) {
		if (need)
			rc = jerr_key(j, key, "missing");
		goto out;
	}
	if (!cJSON_IsString(v)) {
		rc = jerr_key(j, key, "expected a string");
		goto out;
	}
	*out = v->valuestring;
out:
	return rc;
}

static int jget_kind(struct jctx *j, const cJSON *obj, const char *key,
		     bool need, const cJSON **out, bool array)
{
	const cJSON *v = jget(obj, key);
	int rc = 0;

	*out = NULL;
	if (!v) {
		if (need)
			rc = jerr_key(j, key, "missing");
		goto out;
	}
	if (array ? !cJSON_IsArray(v) : !cJSON_IsObject(v)) {
		rc = jerr_key(j, key,
			      array ? "expected an array"
				    : "expected an object");
		goto out;
	}
	*out = v;
out:
	return rc;
}

int jget_obj(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const cJSON **out)
{
	return jget_kind(j, obj, key, need, out, false);
}

int jget_arr(struct jctx *j, const cJSON *obj, const char *key, bool need,
	     const cJSON **out)
{
	return jget_kind(j, obj, key, need, out, true);
}

static bool parse_long(const char *s, long *out)
{
	char *end = NULL;
	bool ok = false;
	long v;

	if (!*s || isspace((unsigned char)*s))
		goto out;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		goto out;
	*out = v;
	ok = true;
out:
	return ok;
}

int jget_int(struct jctx *j, const cJSON *obj, const char *key, long min,
	     long max, long dflt, long *out)
{
	const cJSON *v = jget(obj, key);
	long n = 0;
	int rc = 0;

	*out = dflt;
	if (!v)
		goto out;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d != floor(d) || d < (double)min || d > (double)max) {
			rc = jerr_key(j, key,
				      "expected an integer from %ld "
				      "to %ld",
				      min, max);
			goto out;
		}
		n = (long)d;
	} else if (cJSON_IsString(v)) {
		if (!parse_long(v->valuestring, &n) || n < min || n > max) {
			rc = jerr_key(j, key,
				      "expected an integer from %ld "
				      "to %ld",
				      min, max);
			goto out;
		}
	} else {
		rc = jerr_key(j, key, "expected a number");
		goto out;
	}
	*out = n;
out:
	return rc;
}

int jget_bool(struct jctx *j, const cJSON *obj, const char *key, bool dflt,
	      bool *out)
{
	const cJSON *v = jget(obj, key);
	int rc = 0;

	*out = dflt;
	if (!v)
		goto out;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
	} else if (cJSON_IsString(v) &&
		   (!strcasecmp(v->valuestring, "true") ||
		    !strcasecmp(v->valuestring, "false"))) {
		*out = !strcasecmp(v->valuestring, "true");
	} else {
		rc = jerr_key(j, key, "expected true or false");
	}
out:
	return rc;
}

int jget_id(struct jctx *j, const cJSON *obj, const char *key, bool need,
	    char *buf, size_t bufsz)
{
	const cJSON *v = jget(obj, key);
	int rc = 0;

	buf[0] = 0;
	if (!v) {
		if (need)
			rc = jerr_key(j, key, "missing");
		goto out;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		if (strlen(v->valuestring) >= bufsz) {
			rc = jerr_key(j, key, "too long");
			goto out;
		}
		snprintf(buf, bufsz, "%s", v->valuestring);
	} else if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
		   v->valuedouble == floor(v->valuedouble) &&
		   v->valuedouble < 1e19) {
		/* large ids lose precision as doubles; gcloud quotes them */
		snprintf(buf, bufsz, "%.0f", v->valuedouble);
	} else {
		rc = jerr_key(j, key, "expected a non-empty string");
	}
out:
	return rc;
}

int jexpect_str(struct jctx *j, const cJSON *v, const char **out)
{
	int rc = 0;

	*out = NULL;
	if (cJSON_IsString(v))
		*out = v->valuestring;
	else
		rc = jerr(j, "expected a string");
	return rc;
}

bool jarr_has_str(const cJSON *arr, const char *s, bool icase)
{
	const cJSON *e;
	bool found = false;

	cJSON_ArrayForEach(e, arr)
	{
		if (found || !cJSON_IsString(e))
			continue;
		found = icase ? !strcasecmp(e->valuestring, s)
			      : !strcmp(e->valuestring, s);
	}
	return found;
}

int jget_str_arr(struct jctx *j, const cJSON *obj, const char *key,
		 const cJSON **out)
{
	const cJSON *e;
	const char *s;
	size_t i = 0, m1, m2;
	int rc;

	rc = jget_arr(j, obj, key, false, out);
	if (rc < 0 || !*out)
		goto out;
	m1 = jpath_key(j, key);
	cJSON_ArrayForEach(e, *out)
	{
		m2 = jpath_idx(j, i++);
		rc = jexpect_str(j, e, &s);
		jpath_pop(j, m2);
		if (rc < 0)
			break;
	}
	jpath_pop(j, m1);
out:
	return rc;
}

int jcheck_objs_str(struct jctx *j, const cJSON *arr, const char *key,
		    bool need)
{
	const cJSON *e;
	const char *s;
	size_t i = 0, m;
	int rc = 0;

	cJSON_ArrayForEach(e, arr)
	{
		m = jpath_idx(j, i++);
		rc = cJSON_IsObject(e) ? 0 : jerr(j, "expected an object");
		if (rc == 0)
			rc = jget_str(j, e, key, need, &s);
		jpath_pop(j, m);
		if (rc < 0)
			break;
	}
	return rc;
}

int jget_objs_str(struct jctx *j, const cJSON *obj, const char *arrkey,
		  const char *key, bool need)
{
	const cJSON *arr = NULL;
	size_t m;
	int rc;

	rc = jget_arr(j, obj, arrkey, false, &arr);
	if (rc < 0 || !arr)
		goto out;
	m = jpath_key(j, arrkey);
	rc = jcheck_objs_str(j, arr, key, need);
	jpath_pop(j, m);
out:
	return rc;
}
