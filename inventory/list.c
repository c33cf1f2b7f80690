/*
 * list.c - plain target lists, one target per line:
 *
 *   192.0.2.7            203.0.113.0/24        2001:db8::/120
 *   198.51.100.4:2222 check=ssh name=bastion   [2001:db8::5]:5432
 *   db.example.test public=no   # comment
 *   10.1.0.0/16 env=prod team=payments
 *
 * check=, name= and public= are acted on; any other key=value word is a
 * label (target_meta.tags), except a key one edit away from those three
 * (chek=ssh), which is an error with a hint. The targets of a CIDR line
 * share one meta holding its labels (meta_shared), so a /16 with labels
 * costs one cJSON object, not 65536.
 * Hostnames are resolved here, at load time (all addresses). A name that
 * does not resolve is kept as a skipped target, so it shows in the report.
 * A CIDR yields one target per address (network and broadcast included, as
 * nmap does); each costs two allocations (id, address), to keep a /16 fast.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expo.h"
#include "loaders.h"

#define MAX_LINE 4096

struct line_opts {
	const char *check; /* NULL: none given */
	const char *name;
	int pub;       /* -1: from the address */
	cJSON *labels; /* NULL: none; owned */
};

bool inv_is_hostname(const char *s)
{
	size_t n = strlen(s), lab = 0, i;
	bool digits_only = true, ok = false;

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		goto out;
	for (i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > 63 || s[i - 1] == '-')
				goto out;
			if (i < n)
				digits_only = true;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-' && c != '_')
			goto out;
		if (c == '-' && lab == 0)
			goto out;
		if (!isdigit((unsigned char)c))
			digits_only = false;
		lab++;
	}
	/* an all-numeric last label is a mistyped address, not a name */
	ok = !digits_only;
out:
	return ok;
}

int inv_resolve(struct target *t, const char *host, int pub, bool offline)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct target_addr a;
	const char *why, *first_why = NULL;
	int rc = 0, g;

	if (offline)
		return inv_skip(t, "host name not looked up (--offline)");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	g = getaddrinfo(host, NULL, &hints, &res);
	if (g != 0) {
		rc = inv_skip(t, "does not resolve: %s",
			      g == EAI_SYSTEM ? strerror(errno)
					      : gai_strerror(g));
		goto out;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(a.u))
			continue;
		memset(&a, 0, sizeof(a));
		memcpy(&a.u, ai->ai_addr, ai->ai_addrlen);
		a.u.sin.sin_port = 0; /* same offset in sin6 */
		a.salen = ai->ai_addrlen;
		a.is_public = pub >= 0 ? pub : addr_is_public(&a.u.sa);
		/* a DNS blocklist answers 0.0.0.0: no host to probe */
		why = target_addr_unusable(&a);
		if (why) {
			if (!first_why)
				first_why = why;
			continue;
		}
		rc = inv_addr_add(t, &a);
		if (rc < 0)
			goto out;
	}
	if (!t->naddrs && first_why)
		rc = inv_skip(t, "resolves only to a %s address", first_why);
	else if (!t->naddrs)
		rc = inv_skip(t, "does not resolve: no IPv4 or IPv6 address");
out:
	if (res)
		freeaddrinfo(res);
	return rc;
}

static bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end = NULL;
	bool ok = false;

	if (!isdigit((unsigned char)*s))
		goto out;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		goto out;
	*port = (uint16_t)v;
	ok = true;
out:
	return ok;
}

/*
 * Splits a target word into host and port: "[v6]:p", "[v6]", "v4:p",
 * "name:p"; a word with two or more colons and no brackets is IPv6.
 * host is written into buf; *port is 0 when none was given.
 */
static bool split_host_port(const char *w, char *buf, size_t bufsz,
			    uint16_t *port)
{
	const char *colon, *close, *host = w;
	size_t n;
	bool ok = false;

	*port = 0;
	if (w[0] == '[') {
		close = strchr(w, ']');
		if (!close || close == w + 1)
			goto out;
		host = w + 1;
		n = (size_t)(close - host);
		if (close[1] == ':') {
			if (!parse_port(close + 2, port))
				goto out;
		} else if (close[1]) {
			goto out;
		}
		/* only IPv6 belongs in brackets */
		if (!memchr(host, ':', n))
			goto out;
	} else {
		colon = strchr(w, ':');
		n = strlen(w);
		if (colon && !strchr(colon + 1, ':')) {
			if (!parse_port(colon + 1, port))
				goto out;
			n = (size_t)(colon - w);
		}
	}
	if (n == 0 || n >= bufsz)
		goto out;
	memcpy(buf, host, n);
	buf[n] = 0;
	ok = true;
out:
	return ok;
}

/* inet_ntop() formats through stdio: too slow for a /16 */
static const char *v4_text(uint32_t a, char *buf)
{
	char *p = buf;
	int i, shift;

	for (i = 0; i < 4; i++) {
		unsigned o = (a >> (24 - 8 * i)) & 0xff;

		shift = o >= 100 ? 3 : o >= 10 ? 2 : 1;
		p += shift;
		do {
			*--p = (char)('0' + o % 10);
			o /= 10;
		} while (o);
		p += shift;
		*p++ = i < 3 ? '.' : 0;
	}
	return buf;
}

static int add_overrides(struct target *t, const struct line_opts *o,
			 uint16_t port)
{
	int rc = 0;

	if (port) {
		t->only_listed_ports = true;
		rc = inv_port_add(t, o->check ? o->check : "", port);
	}
	return rc;
}

/* One target of a CIDR: its id and address come from the list's arena,
 * so a /16 costs about 100 bytes a target (the discovery benchmark holds
 * exposure to nmap's memory). */
static struct target *cidr_target(struct inv_load *L, const struct inv_file *f,
				  const struct target_addr *a, const char *text)
{
	size_t n = strlen(text);
	struct target_addr *addr;
	struct target *t = NULL;
	char *id;

	addr = target_list_arena_alloc(&L->list, sizeof(*addr) + n + 6);
	if (!addr)
		goto out;
	*addr = *a;
	id = (char *)(addr + 1);
	memcpy(id, "list:", 5);
	memcpy(id + 5, text, n + 1);
	t = target_list_add(&L->list);
	if (!t)
		goto out;
	t->id = id;
	t->provider = "list";
	t->source = f->source;
	t->addrs = addr;
	t->naddrs = 1;
	t->in_arena = true;
out:
	return t;
}

static int bad_word(struct inv_load *L, const struct inv_file *f, size_t lineno,
		    const char *word)
{
	char q[80];

	return inv_err(L->err,
		       "%s:%zu: cannot read '%s' as a host, "
		       "address, CIDR or host:port",
		       f->name, lineno,
		       inv_quote(word, strlen(word), q, sizeof(q)));
}

static int add_cidr(struct inv_load *L, const struct inv_file *f, size_t lineno,
		    const char *host, const char *word, struct line_opts *o,
		    uint16_t port)
{
	struct target_meta *shared = NULL;
	const char *why;
	unsigned k;
	const char *slash = strchr(host, '/');
	char addr[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN], q[80];
	unsigned cap = L->opts && L->opts->max_cidr_addrs
			       ? L->opts->max_cidr_addrs
			       : INV_DEFAULT_MAX_CIDR;
	struct target_addr base, a;
	unsigned long prefix, bits, hb;
	uint64_t i, size;
	char *end = NULL;
	int rc = 0;

	if ((size_t)(slash - host) >= sizeof(addr) ||
	    !isdigit((unsigned char)slash[1]))
		goto bad;
	memcpy(addr, host, (size_t)(slash - host));
	addr[slash - host] = 0;
	if (target_addr_parse(&base, addr) < 0)
		goto bad;
	bits = base.u.sa.sa_family == AF_INET ? 32 : 128;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (errno || *end || prefix > bits)
		goto bad;
	if (o->name) {
		rc = inv_err(L->err,
			     "%s:%zu: name= cannot be used with a "
			     "CIDR range",
			     f->name, lineno);
		goto out;
	}
	hb = bits - prefix;
	if (hb >= 32 || (1ULL << hb) > cap) {
		char sz[32];

		if (hb < 64)
			snprintf(sz, sizeof(sz), "%llu",
				 (unsigned long long)1 << hb);
		else
			snprintf(sz, sizeof(sz), "2^%lu", hb);
		rc = inv_err_rc(L->err, EXPO_ETOOBIG,
				"%s:%zu: %s has %s "
				"addresses, more than the cap of %u: raise "
				"--max-cidr or split the range",
				f->name, lineno,
				inv_quote(host, strlen(host), q, sizeof(q)), sz,
				cap);
		goto out;
	}
	size = 1ULL << hb;
	/* clear the host bits */
	if (bits == 32) {
		uint32_t m = hb == 32 ? 0 : ~(uint32_t)0 << hb;

		base.u.sin.sin_addr.s_addr =
			htonl(ntohl(base.u.sin.sin_addr.s_addr) & m);
	} else {
		uint8_t *b = base.u.sin6.sin6_addr.s6_addr;

		for (k = 0; k < 128; k++)
			if (k >= prefix)
				b[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
	}
	/* the unusable ranges (0/8, 224/4, ::, ff00::/8, 255.255.255.255)
	 * are aligned: a CIDR in one holds its first or its last address */
	a = base;
	if (bits == 32)
		a.u.sin.sin_addr.s_addr =
			htonl(ntohl(base.u.sin.sin_addr.s_addr) |
			      (uint32_t)(size - 1));
	else
		for (k = 0; k < 4; k++)
			a.u.sin6.sin6_addr.s6_addr[12 + k] |=
				(uint8_t)((size - 1) >> (24 - 8 * k));
	why = target_addr_unusable(&base);
	if (!why)
		why = target_addr_unusable(&a);
	if (why) {
		rc = inv_err(L->err,
			     "%s:%zu: %s holds %s addresses, not hosts: "
			     "remove it from the list",
			     f->name, lineno,
			     inv_quote(host, strlen(host), q, sizeof(q)), why);
		goto out;
	}
	if (o->labels) {
		shared = target_list_shared_meta(&L->list);
		if (!shared)
			goto nomem;
		shared->tags = o->labels;
		o->labels = NULL;
	}
	rc = inv_list_reserve(&L->list, size);
	if (rc < 0)
		goto out;
	for (i = 0; i < size; i++) {
		struct target *t;

		a = base;
		if (bits == 32) {
			a.u.sin.sin_addr.s_addr =
				htonl(ntohl(base.u.sin.sin_addr.s_addr) |
				      (uint32_t)i);
		} else {
			uint8_t *b = a.u.sin6.sin6_addr.s6_addr;

			/* hb < 32: i fits the last four bytes */
			b[12] |= (uint8_t)(i >> 24);
			b[13] |= (uint8_t)(i >> 16);
			b[14] |= (uint8_t)(i >> 8);
			b[15] |= (uint8_t)i;
		}
		a.is_public = o->pub >= 0 ? o->pub : addr_is_public(&a.u.sa);
		t = cidr_target(
			L, f, &a,
			bits == 32
				? v4_text(ntohl(a.u.sin.sin_addr.s_addr), text)
				: target_addr_text(&a, text));
		if (!t)
			goto nomem;
		t->meta = shared;
		t->meta_shared = shared != NULL;
		rc = add_overrides(t, o, port);
		if (rc < 0)
			goto out;
	}
	goto out;
bad:
	rc = bad_word(L, f, lineno, word);
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	return rc;
}

/* a and b differ by at most one insertion, deletion, substitution or
 * swap of two neighbours ("chek", "cehck" for "check") */
static bool one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb)
		return !strcmp(a + i + (i < la), b + i + (i < lb)) ||
		       (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
			!strcmp(a + i + 2, b + i + 2));
	if (la == lb + 1)
		return !strcmp(a + i + 1, b + i);
	if (lb == la + 1)
		return !strcmp(a + i, b + i + 1);
	return false;
}

/* key=value that is not an option: a label, unless a typo of one */
static int add_label(struct inv_load *L, const struct inv_file *f,
		     size_t lineno, const char *key, const char *v,
		     struct line_opts *o)
{
	static const char *const known[] = { "check", "name", "public" };
	char q[80];
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		if (!one_edit(key, known[i]))
			continue;
		rc = inv_err(L->err,
			     "%s:%zu: unknown option '%s=': did you mean "
			     "'%s='? (options are check=, name=, public=; "
			     "other key=value words are labels)",
			     f->name, lineno,
			     inv_quote(key, strlen(key), q, sizeof(q)),
			     known[i]);
		goto out;
	}
	if (!o->labels && !(o->labels = cJSON_CreateObject())) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(o->labels, key)) {
		rc = inv_err(L->err, "%s:%zu: label '%s=' given twice", f->name,
			     lineno, inv_quote(key, strlen(key), q, sizeof(q)));
		goto out;
	}
	if (!cJSON_AddStringToObject(o->labels, key, v))
		rc = EXPO_ENOMEM;
out:
	return rc;
}

/* check=NAME names no check of this build: say so, with the nearest */
static int no_check(struct inv_load *L, const struct inv_file *f, size_t lineno,
		    const char *v)
{
	const char *near = NULL;
	size_t i;

	for (i = 0; i < check_registry_len && !near; i++)
		if (one_edit(v, check_registry[i]->name))
			near = check_registry[i]->name;
	return inv_err(L->err,
		       "%s:%zu: check=%s: no check of that name%s%s%s (see "
		       "'exposure checks')",
		       f->name, lineno, v, near ? "; did you mean check=" : "",
		       near ? near : "", near ? "?" : "");
}

static int parse_opt(struct inv_load *L, const struct inv_file *f,
		     size_t lineno, char *w, struct line_opts *o)
{
	char *eq = strchr(w, '='), q[80];
	const char *v;
	size_t i;
	int rc = 0;

	if (!eq || eq == w) {
		rc = inv_err(L->err,
			     "%s:%zu: unexpected '%s' after the "
			     "target (options are check=, name=, public=; "
			     "labels are key=value)",
			     f->name, lineno,
			     inv_quote(w, strlen(w), q, sizeof(q)));
		goto out;
	}
	*eq = 0;
	v = eq + 1;
	if (!strcmp(w, "check")) {
		size_t n = strlen(v);
		bool ok = n > 0 &&
			  n < sizeof(((struct port_override *)0)->check);

		for (i = 0; i < n && ok; i++)
			ok = islower((unsigned char)v[i]) ||
			     isdigit((unsigned char)v[i]);
		if (!ok) {
			rc = inv_err(L->err,
				     "%s:%zu: check=%s: a check name "
				     "is 1-15 lowercase letters or digits",
				     f->name, lineno,
				     inv_quote(v, n, q, sizeof(q)));
			goto out;
		}
		if (!check_find(v)) {
			rc = no_check(L, f, lineno, v);
			goto out;
		}
		o->check = v;
	} else if (!strcmp(w, "name")) {
		if (!*v) {
			rc = inv_err(L->err, "%s:%zu: name= is empty", f->name,
				     lineno);
			goto out;
		}
		o->name = v;
	} else if (!strcmp(w, "public")) {
		if (!strcmp(v, "yes") || !strcmp(v, "true")) {
			o->pub = 1;
		} else if (!strcmp(v, "no") || !strcmp(v, "false")) {
			o->pub = 0;
		} else {
			rc = inv_err(L->err,
				     "%s:%zu: public= takes yes or "
				     "no",
				     f->name, lineno);
			goto out;
		}
	} else {
		rc = add_label(L, f, lineno, w, v, o);
	}
out:
	return rc;
}

/* the line's labels into t (they move: o->labels is NULL after) */
static int give_labels(struct target *t, struct line_opts *o)
{
	struct target_meta *m;
	int rc = 0;

	if (!o->labels)
		goto out;
	m = inv_meta(t);
	if (!m) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	cJSON_Delete(m->tags);
	m->tags = o->labels;
	o->labels = NULL;
out:
	return rc;
}

static int not_a_host(struct inv_load *L, const struct inv_file *f,
		      size_t lineno, const char *host, const char *why)
{
	char q[80];

	return inv_err(L->err,
		       "%s:%zu: %s is a %s address, not a host: remove it "
		       "from the list",
		       f->name, lineno,
		       inv_quote(host, strlen(host), q, sizeof(q)), why);
}

static int load_line(struct inv_load *L, const struct inv_file *f,
		     size_t lineno, char *line)
{
	struct line_opts o = {
		.check = NULL, .name = NULL, .pub = -1, .labels = NULL
	};
	const char *why;
	char host[300], q[80], *word, *w, *save = NULL;
	struct target_addr a;
	struct target *t = NULL;
	uint16_t port = 0;
	int rc = 0;

	word = strtok_r(line, " \t\v\f", &save);
	if (!word)
		goto out;
	while ((w = strtok_r(NULL, " \t\v\f", &save))) {
		rc = parse_opt(L, f, lineno, w, &o);
		if (rc < 0)
			goto out;
	}
	if (!split_host_port(word, host, sizeof(host), &port))
		goto bad;
	if (o.check && !port) {
		rc = inv_err(L->err,
			     "%s:%zu: check=%s needs a port "
			     "(host:port)",
			     f->name, lineno, o.check);
		goto out;
	}
	if (strchr(host, '/')) {
		rc = add_cidr(L, f, lineno, host, word, &o, port);
		goto out;
	}
	if (target_addr_parse(&a, host) == 0) {
		why = target_addr_unusable(&a);
		if (why) {
			rc = not_a_host(L, f, lineno, host, why);
			goto out;
		}
		if (o.pub >= 0)
			a.is_public = o.pub;
		t = inv_target_new(&L->list, "list", f->source, "list",
				   target_addr_text(&a, q));
		if (!t)
			goto nomem;
		rc = inv_addr_add(t, &a);
	} else if (inv_is_hostname(host)) {
		t = inv_target_new(&L->list, "list", f->source, "list", host);
		if (!t)
			goto nomem;
		rc = inv_set_str(&t->name, host);
		if (rc == 0)
			rc = inv_resolve(t, host, o.pub,
					 L->opts != NULL && L->opts->offline);
	} else {
		goto bad;
	}
	if (rc == 0 && o.name)
		rc = inv_set_str(&t->name, o.name);
	if (rc == 0)
		rc = add_overrides(t, &o, port);
	if (rc == 0)
		rc = give_labels(t, &o);
	goto out;
bad:
	rc = bad_word(L, f, lineno, word);
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	cJSON_Delete(o.labels);
	return rc;
}

int inv_list_load(struct inv_load *L, const struct inv_file *f)
{
	const char *p = f->data, *end = f->data + f->len, *nl;
	char buf[MAX_LINE + 1], *hash;
	size_t lineno = 0, n;
	int rc = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		lineno++;
		if (memchr(p, 0, n)) {
			rc = inv_err(L->err,
				     "%s:%zu: NUL byte: this is not a "
				     "text target list",
				     f->name, lineno);
			goto out;
		}
		if (n > MAX_LINE) {
			rc = inv_err(L->err,
				     "%s:%zu: line longer than %d "
				     "bytes",
				     f->name, lineno, MAX_LINE);
			goto out;
		}
		memcpy(buf, p, n);
		buf[n] = 0;
		hash = strchr(buf, '#');
		if (hash)
			*hash = 0;
		/* CRLF files: the CR is whitespace for the tokenizer */
		for (hash = buf; *hash; hash++)
			if (*hash == '\r')
				*hash = ' ';
		rc = load_line(L, f, lineno, buf);
		if (rc < 0)
			goto out;
		p = nl ? nl + 1 : end;
	}
out:
	return rc;
}
