/*
 * scope.c - --scope (only these CIDRs) and --exclude (never these
 * addresses or CIDRs), as nmap users expect: a stale cloud export can name
 * an address that now belongs to someone else, and no probe may go there.
 *
 * Each flag takes addresses and CIDRs separated by commas or blanks, or the
 * name of a file of them (any number a line, '#' comments). A target keeps
 * only its addresses inside every --scope given (any of its CIDRs) and
 * outside every --exclude; one left with none is skipped with the reason.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expo.h"
#include "loaders.h"

#define SCOPE_FILE_MAX ((size_t)16 << 20)

/* "203.0.113.0/24" (host bits are cleared, as nmap does), "192.0.2.7",
 * "2001:db8::/32" */
static bool parse_cidr(const char *s, struct inv_cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	struct target_addr a;
	unsigned long prefix;
	size_t n = slash ? (size_t)(slash - s) : strlen(s), bits, k;
	char *end = NULL;
	bool ok = false;

	if (n == 0 || n >= sizeof(buf))
		goto out;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (buf[0] == '[' || target_addr_parse(&a, buf) < 0)
		goto out;
	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)a.u.sa.sa_family;
	bits = c->family == AF_INET ? 32 : 128;
	if (c->family == AF_INET)
		memcpy(c->net, &a.u.sin.sin_addr, 4);
	else
		memcpy(c->net, &a.u.sin6.sin6_addr, 16);
	prefix = bits;
	if (slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || errno || *end ||
		    prefix > bits)
			goto out;
	}
	c->prefix = (uint8_t)prefix;
	for (k = prefix; k < bits; k++)
		c->net[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
	snprintf(c->text, sizeof(c->text), "%s", s);
	ok = true;
out:
	return ok;
}

static int scope_push(struct inv_scope *s, const struct inv_cidr *c)
{
	struct inv_cidr *v;
	int rc = 0;

	if (s->n == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 8;

		v = realloc(s->v, n * sizeof(*v));
		if (!v) {
			rc = EXPO_ENOMEM;
			goto out;
		}
		s->v = v;
		s->alloc = n;
	}
	s->v[s->n++] = *c;
out:
	return rc;
}

/* every word of text[0..len) (commas and blanks separate) is a CIDR:
 * *bad points at the first that is not (then nothing was added) */
static int add_words(struct inv_scope *s, const char *text, size_t len,
		     const char **bad, size_t *badlen)
{
	struct inv_cidr c;
	const char *p = text, *end = text + len, *w;
	char word[INET6_ADDRSTRLEN + 8];
	size_t n, start = s->n;
	int rc = 0;

	*bad = NULL;
	while (p < end) {
		while (p < end && (*p == ',' || isspace((unsigned char)*p)))
			p++;
		w = p;
		while (p < end && *p != ',' && !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (!n)
			continue;
		if (n >= sizeof(word)) {
			*bad = w;
			*badlen = n;
			break;
		}
		memcpy(word, w, n);
		word[n] = 0;
		if (!parse_cidr(word, &c)) {
			*bad = w;
			*badlen = n;
			break;
		}
		rc = scope_push(s, &c);
		if (rc < 0)
			break;
	}
	if (rc < 0 || *bad)
		s->n = start;
	return rc;
}

static int add_file(struct inv_scope *s, const char *flag, const char *path,
		    char **err)
{
	char *data = NULL, *line, *nl, *hash, q[80];
	const char *bad;
	size_t len = 0, lineno = 0, badlen = 0;
	int rc;

	rc = inv_read_file(path, SCOPE_FILE_MAX, &data, &len, err);
	if (rc < 0)
		goto out;
	if (memchr(data, 0, len)) {
		rc = inv_err_rc(err, EXPO_EINVAL,
				"%s %s: NUL byte: not a text file of "
				"addresses",
				flag, path);
		goto out;
	}
	for (line = data; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		rc = add_words(s, line, strlen(line), &bad, &badlen);
		if (rc == 0 && bad)
			rc = inv_err_rc(err, EXPO_EINVAL,
					"%s %s:%zu: '%s' is not an address "
					"or a CIDR",
					flag, path, lineno,
					inv_quote(bad, badlen, q, sizeof(q)));
		if (rc < 0)
			goto out;
	}
out:
	free(data);
	return rc;
}

int inv_scope_add(struct inv_scope *s, const char *flag, const char *arg,
		  bool file, char **err)
{
	const char *bad = NULL;
	size_t badlen = 0, start = s->n;
	char q[80];
	int rc = 0;

	if (!file) {
		rc = add_words(s, arg, strlen(arg), &bad, &badlen);
		if (rc < 0 || !bad)
			goto out;
		/* not a list of addresses: the name of a file of them? */
		if (access(arg, F_OK) != 0) {
			rc = inv_err_rc(err, EXPO_EINVAL,
					"%s: '%s' is not an address, a CIDR "
					"or a file of them",
					flag,
					inv_quote(bad, badlen, q, sizeof(q)));
			goto out;
		}
	}
	rc = add_file(s, flag, arg, err);
	if (rc == 0 && s->n == start)
		rc = inv_err_rc(err, EXPO_EINVAL,
				"%s %s: no address or CIDR in the file", flag,
				arg);
out:
	if (rc < 0)
		s->n = start;
	return rc;
}

void inv_scope_release(struct inv_scope *s)
{
	if (!s)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* a's address bytes and family, an IPv4-mapped IPv6 address as IPv4
 * (a connection to it goes to the IPv4 host) */
static int addr_bytes(const struct target_addr *a, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *b = a->u.sin6.sin6_addr.s6_addr;

	if (a->u.sa.sa_family == AF_INET) {
		memcpy(out, &a->u.sin.sin_addr, 4);
		return AF_INET;
	}
	if (!memcmp(b, mapped, 12)) {
		memcpy(out, b + 12, 4);
		return AF_INET;
	}
	memcpy(out, b, 16);
	return AF_INET6;
}

static bool cidr_has(const struct inv_cidr *c, int family, const uint8_t *b)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;
	uint8_t mask = (uint8_t)(0xff00u >> rest);

	return c->family == family && !memcmp(c->net, b, full) &&
	       (!rest || (b[full] & mask) == c->net[full]);
}

/* the entry of s that holds a, or NULL */
static const struct inv_cidr *scope_find(const struct inv_scope *s,
					 const struct target_addr *a)
{
	uint8_t b[16];
	int family = addr_bytes(a, b);
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (cidr_has(&s->v[i], family, b))
			return &s->v[i];
	return NULL;
}

/* "outside --scope 10.0.0.0/8, 192.0.2.0/24 (and 3 more)" */
static int skip_outside(struct target *t, const struct inv_scope *scope)
{
	char list[200];
	size_t i, o = 0;

	list[0] = 0;
	for (i = 0; i < scope->n && i < 3; i++) {
		int n = snprintf(list + o, sizeof(list) - o, "%s%s",
				 i ? ", " : "", scope->v[i].text);

		if (n < 0 || (size_t)n >= sizeof(list) - o)
			break;
		o += (size_t)n;
	}
	if (scope->n > 3)
		return inv_skip(t, "outside --scope %s (and %zu more)", list,
				scope->n - 3);
	return inv_skip(t, "outside --scope %s", list);
}

int inventory_apply_scope(struct target_list *l, const struct inv_scope *scope,
			  const struct inv_scope *exclude)
{
	const struct inv_cidr *ex, *first_ex;
	bool dropped, out_of_scope;
	size_t i;
	uint32_t k, o;
	int rc = 0;

	if ((!scope || !scope->n) && (!exclude || !exclude->n))
		goto out;
	for (i = 0; i < l->n && rc == 0; i++) {
		struct target *t = &l->v[i];

		if (t->skip_reason || !t->naddrs)
			continue;
		first_ex = NULL;
		dropped = false;
		for (k = 0, o = 0; k < t->naddrs; k++) {
			ex = scope_find(exclude, &t->addrs[k]);
			out_of_scope = !ex && scope && scope->n &&
				       !scope_find(scope, &t->addrs[k]);
			if (!ex && !out_of_scope) {
				t->addrs[o++] = t->addrs[k];
				continue;
			}
			/* the reason is the first dropped address's */
			if (!dropped)
				first_ex = ex;
			dropped = true;
		}
		t->naddrs = o;
		if (o)
			continue;
		if (first_ex)
			rc = inv_skip(t, "excluded by --exclude %s",
				      first_ex->text);
		else
			rc = skip_outside(t, scope);
	}
out:
	return rc;
}
