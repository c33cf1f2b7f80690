/*
 * indicators.c - the matcher over indicators.def (include/indicators.h).
 * Pure and bounded: at most IND_TEXT_MAX bytes of a field are looked at,
 * each entry is one linear pass over them.
 */
#include <string.h>
#include "indicators.h"

enum ind_how { IND_TOKEN, IND_SUBSTR, IND_PREFIX, IND_SHAPE };

struct ind_entry {
	const char *kind;
	unsigned fields;
	enum ind_how how;
	const char *pattern;
	const char *source;
};

static const struct ind_entry entries[] = {
#define IND(kind, fields, how, pattern, source) \
	{ kind, fields, how, pattern, source },
#include "indicators.def"
#undef IND
};

static const char *const redis_keys[] = {
#define IND(kind, fields, how, pattern, source)
#define IND_REDIS_KEY(name, source) name,
#include "indicators.def"
#undef IND_REDIS_KEY
#undef IND
};

size_t ind_redis_keys(const char *const **names)
{
	*names = redis_keys;
	return sizeof(redis_keys) / sizeof(redis_keys[0]);
}

const char *ind_version(void)
{
	return IND_VERSION;
}

static const struct {
	const char *name;
	unsigned bit;
} field_names[] = {
	{ "image", IND_F_IMAGE },	{ "command", IND_F_CMD },
	{ "entrypoint", IND_F_CMD },	{ "args", IND_F_CMD },
	{ "name", IND_F_NAME },		{ "label", IND_F_LABEL },
	{ "value", IND_F_VALUE },	{ "dir", IND_F_DIR },
	{ "dbfilename", IND_F_DBFILE },
};

unsigned ind_field_parse(const char *name)
{
	size_t i;

	for (i = 0;
	     name != NULL && i < sizeof(field_names) / sizeof(field_names[0]);
	     i++)
		if (strcmp(name, field_names[i].name) == 0)
			return field_names[i].bit;
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* pattern (lower case) at t[i..], case-insensitive */
static bool at(const char *t, size_t len, size_t i, const char *p, size_t pl)
{
	size_t k;

	if (i > len || len - i < pl)
		return false;
	for (k = 0; k < pl; k++)
		if (lower((unsigned char)t[i + k]) != p[k])
			return false;
	return true;
}

/* the first occurrence from `from`; token: no letter or digit around */
static bool find(const char *t, size_t len, size_t from, const char *p,
		 bool token, size_t *off)
{
	size_t pl = strlen(p), i;

	for (i = from; pl > 0 && i + pl <= len; i++) {
		if (!at(t, len, i, p, pl))
			continue;
		if (token &&
		    ((i > 0 && is_alnum((unsigned char)t[i - 1])) ||
		     (i + pl < len && is_alnum((unsigned char)t[i + pl]))))
			continue;
		*off = i;
		return true;
	}
	return false;
}

static bool is_base58(int c)
{
	return (c >= '1' && c <= '9') ||
	       (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O') ||
	       (c >= 'a' && c <= 'z' && c != 'l');
}

/* a run of exactly 95 or 106 base58 characters that starts like a
 * Monero address: 4 then a digit, A or B (main), or 8 (subaddress) */
static bool monero_address(const char *t, size_t len, size_t *off, size_t *mlen)
{
	size_t i = 0, j;

	while (i < len) {
		if (!is_base58((unsigned char)t[i])) {
			i++;
			continue;
		}
		for (j = i; j < len && is_base58((unsigned char)t[j]); j++)
			;
		if ((j - i == 95 || j - i == 106) &&
		    (i == 0 || !is_alnum((unsigned char)t[i - 1])) &&
		    ((t[i] == '4' && ((t[i + 1] >= '0' && t[i + 1] <= '9') ||
				      t[i + 1] == 'A' || t[i + 1] == 'B')) ||
		     (t[i] == '8' && j - i == 95))) {
			*off = i;
			*mlen = j - i;
			return true;
		}
		i = j;
	}
	return false;
}

/* one line: curl or wget, later a pipe into sh or bash (any path) */
static bool fetch_pipe_line(const char *t, size_t len)
{
	size_t f, p, w, e, b;

	if (!find(t, len, 0, "curl", true, &f) &&
	    !find(t, len, 0, "wget", true, &f))
		return false;
	for (p = f; p < len; p++) {
		if (t[p] != '|')
			continue;
		w = p + 1;
		if (w < len && t[w] == '|')
			continue; /* "||" is not a pipe */
		while (w < len && (t[w] == ' ' || t[w] == '\t'))
			w++;
		if (at(t, len, w, "sudo ", 5))
			for (w += 5; w < len && t[w] == ' '; w++)
				;
		for (e = w; e < len && t[e] != ' ' && t[e] != '\t' &&
			    t[e] != ';' && t[e] != '&' && t[e] != '|';
		     e++)
			;
		for (b = e; b > w && t[b - 1] != '/'; b--)
			; /* the word's base name */
		if ((e - b == 2 && at(t, len, b, "sh", 2)) ||
		    (e - b == 4 && at(t, len, b, "bash", 4)))
			return true;
	}
	return false;
}

static bool fetch_pipe_shell(const char *t, size_t len, size_t *off,
			     size_t *mlen)
{
	size_t s = 0, e;

	while (s < len) {
		for (e = s; e < len && t[e] != '\n' && t[e] != '\r'; e++)
			;
		if (fetch_pipe_line(t + s, e - s)) {
			*off = s;
			*mlen = e - s;
			return true;
		}
		s = e + 1;
	}
	return false;
}

static bool ssh_key_value(const char *t, size_t len, size_t *off, size_t *mlen)
{
	static const char *const types[] = { "ssh-rsa aaaa", "ssh-ed25519 aaaa",
					     "ssh-dss aaaa", "ecdsa-sha2-" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (find(t, len, 0, types[i], false, off)) {
			*mlen = strlen(types[i]);
			return true;
		}
	return false;
}

/* a folder named .ssh, with or without a final slash */
static bool ssh_dir(const char *t, size_t len, size_t *off, size_t *mlen)
{
	size_t l = len;

	while (l > 1 && t[l - 1] == '/')
		l--;
	if (l >= 4 && at(t, len, l - 4, ".ssh", 4) &&
	    (l == 4 || t[l - 5] == '/')) {
		*off = 0;
		*mlen = len;
		return true;
	}
	return false;
}

static bool shape(const char *name, const char *t, size_t len, size_t *off,
		  size_t *mlen)
{
	if (strcmp(name, "monero-address") == 0)
		return monero_address(t, len, off, mlen);
	if (strcmp(name, "fetch-pipe-shell") == 0)
		return fetch_pipe_shell(t, len, off, mlen);
	if (strcmp(name, "ssh-key-value") == 0)
		return ssh_key_value(t, len, off, mlen);
	if (strcmp(name, "ssh-dir") == 0)
		return ssh_dir(t, len, off, mlen);
	return false;
}

bool ind_match(unsigned field, const char *text, size_t len,
	       struct ind_match *out)
{
	size_t i, off = 0, mlen = 0;
	bool hit;

	if (text == NULL || field == 0)
		return false;
	if (len > IND_TEXT_MAX)
		len = IND_TEXT_MAX;
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct ind_entry *e = &entries[i];

		if (!(e->fields & field))
			continue;
		switch (e->how) {
		case IND_TOKEN:
		case IND_SUBSTR:
			hit = find(text, len, 0, e->pattern,
				   e->how == IND_TOKEN, &off);
			mlen = strlen(e->pattern);
			break;
		case IND_PREFIX:
			off = 0;
			mlen = strlen(e->pattern);
			hit = at(text, len, 0, e->pattern, mlen);
			break;
		case IND_SHAPE:
		default:
			hit = shape(e->pattern, text, len, &off, &mlen);
			break;
		}
		if (hit) {
			if (out != NULL) {
				out->kind = e->kind;
				out->pattern = e->pattern;
				out->source = e->source;
				out->off = off;
				out->len = mlen;
			}
			return true;
		}
	}
	return false;
}

bool ind_match_named(const char *field, const char *text, size_t len,
		     struct ind_match *out)
{
	return ind_match(ind_field_parse(field), text, len, out);
}

size_t ind_count(void)
{
	return sizeof(entries) / sizeof(entries[0]);
}

bool ind_entry(size_t i, struct ind_match *out, unsigned *fields)
{
	if (i >= ind_count())
		return false;
	out->kind = entries[i].kind;
	out->pattern = entries[i].pattern;
	out->source = entries[i].source;
	out->off = out->len = 0;
	if (fields != NULL)
		*fields = entries[i].fields;
	return true;
}
