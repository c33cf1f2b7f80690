/*
 * replay.c - an HTTP(S) server that replays recorded API responses, for
 * the products no Debian package provides (tests/lab/lab.d/httpapi.sh).
 *
 *   replay ADDR PORT DIR [--tls CERT KEY] [--lifetime SECONDS]
 *
 * DIR/routes lists one route per line, first match wins:
 *   METHOD PATH FILE        PATH matches the request path without its
 *                           query; a PATH ending in '*' matches a prefix;
 *                           METHOD may be '*'
 *   METHOD PATH @stream N   a 200 JSON body of N bytes, streamed without
 *                           Content-Length and closed at the end (the
 *                           oversized-body hostile case)
 * '#' lines are comments (each routes file names the product version its
 * responses come from). FILE (relative to DIR) holds the response as on
 * the wire without Content-Length, which replay adds: a status line,
 * header lines, an empty line, the body. Unmatched requests get a JSON 404.
 *
 * ADDR must be a numeric loopback address (127.0.0.0/8 or ::1). Each
 * connection is served by a forked child (keep-alive, at most 100
 * requests, 20 s of life); the parent exits after the lifetime. TLS
 * (OpenSSL, server side) is loaded with dlopen() because the lab tools'
 * build rule links no library. Standalone on purpose: no project header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <openssl/ssl.h>

#define MAX_ROUTES 64
#define REQ_MAX (16 * 1024)
#define BODY_IN_MAX (64 * 1024)
#define RESP_MAX (256 * 1024)
#define CHILD_LIFE 20
#define CHILD_REQUESTS 100

struct route {
	char method[16];
	char path[256];
	char file[256]; /* or "" with stream > 0 */
	unsigned long stream;
};

static struct route routes[MAX_ROUTES];
static size_t nroutes;
static char dir[1024];

/* ---- OpenSSL through dlopen ---- */

static struct {
	__typeof__(TLS_server_method) *server_method;
	__typeof__(SSL_CTX_new) *ctx_new;
	__typeof__(SSL_CTX_use_certificate_chain_file) *use_cert;
	__typeof__(SSL_CTX_use_PrivateKey_file) *use_key;
	__typeof__(SSL_new) *ssl_new;
	__typeof__(SSL_set_fd) *set_fd;
	__typeof__(SSL_accept) *accept;
	__typeof__(SSL_read) *read;
	__typeof__(SSL_write) *write;
	__typeof__(SSL_shutdown) *shutdown;
} ossl;

static SSL_CTX *tls_ctx;

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		fprintf(stderr, "replay: %s: %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

static void tls_init(const char *cert, const char *key)
{
	void *h = dlopen("libssl.so.3", RTLD_NOW);

	if (h == NULL)
		h = dlopen("libssl.so", RTLD_NOW);
	if (h == NULL) {
		fprintf(stderr, "replay: cannot load libssl: %s\n", dlerror());
		exit(1);
	}
	*(void **)&ossl.server_method = sym(h, "TLS_server_method");
	*(void **)&ossl.ctx_new = sym(h, "SSL_CTX_new");
	*(void **)&ossl.use_cert = sym(h, "SSL_CTX_use_certificate_chain_file");
	*(void **)&ossl.use_key = sym(h, "SSL_CTX_use_PrivateKey_file");
	*(void **)&ossl.ssl_new = sym(h, "SSL_new");
	*(void **)&ossl.set_fd = sym(h, "SSL_set_fd");
	*(void **)&ossl.accept = sym(h, "SSL_accept");
	*(void **)&ossl.read = sym(h, "SSL_read");
	*(void **)&ossl.write = sym(h, "SSL_write");
	*(void **)&ossl.shutdown = sym(h, "SSL_shutdown");
	tls_ctx = ossl.ctx_new(ossl.server_method());
	if (tls_ctx == NULL || ossl.use_cert(tls_ctx, cert) != 1 ||
	    ossl.use_key(tls_ctx, key, SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "replay: cannot load %s / %s\n", cert, key);
		exit(1);
	}
}

/* ---- one connection (in a child) ---- */

struct conn {
	int fd;
	SSL *ssl;
};

static ssize_t conn_read(struct conn *c, char *buf, size_t len)
{
	if (c->ssl != NULL) {
		int n = ossl.read(c->ssl, buf, (int)len);

		return n > 0 ? n : -1;
	}
	return read(c->fd, buf, len);
}

static int conn_write(struct conn *c, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n;

		if (c->ssl != NULL)
			n = ossl.write(c->ssl, buf, (int)len);
		else
			n = write(c->fd, buf, len);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const struct route *route_find(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];
		size_t pl = strlen(r->path);

		if (strcmp(r->method, "*") != 0 && strcmp(r->method, method))
			continue;
		if (pl > 0 && r->path[pl - 1] == '*') {
			if (strncmp(r->path, path, pl - 1) == 0)
				return r;
		} else if (strcmp(r->path, path) == 0) {
			return r;
		}
	}
	return NULL;
}

static int send_stream(struct conn *c, unsigned long n)
{
	static const char head[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Type: application/json\r\nConnection: close\r\n\r\n";
	char chunk[16384];
	unsigned long sent = 0;

	memset(chunk, ' ', sizeof(chunk));
	chunk[0] = '[';
	if (conn_write(c, head, sizeof(head) - 1) < 0)
		return -1;
	while (sent < n) {
		size_t k = n - sent < sizeof(chunk) ? n - sent : sizeof(chunk);

		if (conn_write(c, chunk, k) < 0)
			return -1;
		chunk[0] = ' ';
		sent += k;
	}
	return -1; /* close: the body ends with the connection */
}

/* sends the response file with a Content-Length; -1 to close */
static int send_file(struct conn *c, const char *file)
{
	static char raw[RESP_MAX], out[RESP_MAX + 128];
	char path[1400];
	char *sep, *body;
	size_t n, hlen, blen;
	FILE *f;
	int len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(raw, 1, sizeof(raw) - 1, f);
	fclose(f);
	raw[n] = '\0';
	/* the files are written with \n line ends: send \r\n for the head */
	sep = strstr(raw, "\n\n");
	if (sep == NULL)
		return -1;
	hlen = (size_t)(sep - raw);
	body = sep + 2;
	blen = n - (size_t)(body - raw);
	len = 0;
	for (size_t i = 0; i < hlen && len < (int)sizeof(out) - 4; i++) {
		if (raw[i] == '\n')
			out[len++] = '\r';
		out[len++] = raw[i];
	}
	len += snprintf(out + len, sizeof(out) - (size_t)len,
			"\r\nContent-Length: %zu\r\n\r\n", blen);
	if (conn_write(c, out, (size_t)len) < 0 ||
	    conn_write(c, body, blen) < 0)
		return -1;
	return 0;
}

static int send_404(struct conn *c)
{
	static const char r[] =
		"HTTP/1.1 404 Not Found\r\n"
		"Content-Type: application/json\r\nContent-Length: 23\r\n\r\n"
		"{\"message\":\"not found\"}";

	return conn_write(c, r, sizeof(r) - 1);
}

static void send_400(struct conn *c)
{
	static const char r[] =
		"HTTP/1.1 400 Bad Request\r\n"
		"Content-Type: text/plain\r\nConnection: close\r\n"
		"Content-Length: 11\r\n\r\nBad Request";

	conn_write(c, r, sizeof(r) - 1);
}

static void serve(int fd)
{
	static char buf[REQ_MAX + 1];
	struct conn c = { .fd = fd, .ssl = NULL };
	size_t have = 0;
	int nreq;

	alarm(CHILD_LIFE);
	if (tls_ctx != NULL) {
		c.ssl = ossl.ssl_new(tls_ctx);
		if (c.ssl == NULL || ossl.set_fd(c.ssl, fd) != 1 ||
		    ossl.accept(c.ssl) != 1)
			return;
	}
	for (nreq = 0; nreq < CHILD_REQUESTS; nreq++) {
		char method[16], path[1024], *end, *cl, *q;
		unsigned long clen = 0, skip;
		const struct route *r;
		bool close_after;
		size_t hdr;
		ssize_t n;

		while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
			if (have >= REQ_MAX)
				return;
			n = conn_read(&c, buf + have, REQ_MAX - have);
			if (n <= 0)
				return;
			have += (size_t)n;
		}
		buf[have] = '\0';
		hdr = (size_t)(end - buf) + 4;
		{
			const char *sp1 = memchr(buf, ' ', hdr);
			const char *sp2 =
				sp1 ? memchr(sp1 + 1, ' ',
					     hdr - (size_t)(sp1 + 1 - buf))
				    : NULL;

			if (sp1 == NULL || sp2 == NULL ||
			    (size_t)(sp1 - buf) >= sizeof(method) ||
			    (size_t)(sp2 - sp1 - 1) >= sizeof(path) ||
			    strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
				/* not HTTP: answer as real servers do */
				send_400(&c);
				return;
			}
			/* HTTP/1.0 without keep-alive, or "close": one
			 * answer, then hang up, as real servers do */
			close_after =
				sp2[8] == '0'
					? strcasestr(
						  buf,
						  "\r\nconnection: keep-alive") ==
						  NULL
					: strcasestr(buf,
						     "\r\nconnection: close") !=
						  NULL;
			memcpy(method, buf, (size_t)(sp1 - buf));
			method[sp1 - buf] = '\0';
			memcpy(path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
			path[sp2 - sp1 - 1] = '\0';
		}
		q = strchr(path, '?');
		if (q != NULL)
			*q = '\0';
		cl = strcasestr(buf, "\r\ncontent-length:");
		if (cl != NULL && cl < end)
			clen = strtoul(cl + 17, NULL, 10);
		if (clen > BODY_IN_MAX)
			return;
		/* drop the request and its body */
		skip = hdr + clen;
		while (have < skip) {
			n = conn_read(&c, buf + have, REQ_MAX - have);
			if (n <= 0)
				return;
			have += (size_t)n;
			if (have == REQ_MAX && have < skip) {
				skip -= have;
				have = 0;
			}
		}
		memmove(buf, buf + skip, have - skip);
		have -= skip;
		r = route_find(method, path);
		printf("%s %s -> %s\n", method, path,
		       r ? (r->stream ? "@stream" : r->file) : "404");
		fflush(stdout);
		if (r == NULL) {
			if (send_404(&c) < 0)
				return;
		} else if (r->stream > 0) {
			send_stream(&c, r->stream);
			return;
		} else if (send_file(&c, r->file) < 0) {
			return;
		}
		if (close_after)
			break;
	}
	if (c.ssl != NULL)
		ossl.shutdown(c.ssl);
}

/* ---- setup ---- */

static void load_routes(void)
{
	char path[1100], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/routes", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL && nroutes < MAX_ROUTES) {
		struct route *r = &routes[nroutes];
		char *m, *p, *fl, *save = NULL;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		m = strtok_r(line, " \t\n", &save);
		p = strtok_r(NULL, " \t\n", &save);
		fl = strtok_r(NULL, " \t\n", &save);
		if (m == NULL || p == NULL || fl == NULL)
			continue;
		snprintf(r->method, sizeof(r->method), "%s", m);
		snprintf(r->path, sizeof(r->path), "%s", p);
		if (strcmp(fl, "@stream") == 0) {
			char *n = strtok_r(NULL, " \t\n", &save);

			r->stream = n ? strtoul(n, NULL, 10) : 0;
			if (r->stream == 0)
				continue;
		} else {
			snprintf(r->file, sizeof(r->file), "%s", fl);
		}
		nroutes++;
	}
	fclose(f);
}

static int loopback_listen(const char *addr, const char *port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	unsigned long p = strtoul(port, NULL, 10);
	int fd, one = 1;

	if (p == 0 || p > 65535)
		return -1;
	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1) {
		if ((ntohl(s4.sin_addr.s_addr) >> 24) != 127)
			return -1;
		s4.sin_port = htons((uint16_t)p);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) != 0)
			goto fail;
	} else if (inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1 &&
		   IN6_IS_ADDR_LOOPBACK(&s6.sin6_addr)) {
		s6.sin6_port = htons((uint16_t)p);
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) != 0)
			goto fail;
	} else {
		return -1;
	}
	if (listen(fd, 128) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	unsigned long lifetime = 3600;
	int lfd, i;

	if (argc < 4) {
		fprintf(stderr, "usage: replay ADDR PORT DIR [--tls CERT KEY] "
				"[--lifetime SECONDS]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[3]);
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--tls") == 0 && i + 2 < argc) {
			tls_init(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(argv[i], "--lifetime") == 0 && i + 1 < argc) {
			lifetime = strtoul(argv[++i], NULL, 10);
			if (lifetime == 0 || lifetime > 7 * 86400)
				lifetime = 3600;
		} else {
			fprintf(stderr, "replay: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	load_routes();
	lfd = loopback_listen(argv[1], argv[2]);
	if (lfd < 0) {
		fprintf(stderr,
			"replay: cannot listen on %s:%s (numeric "
			"loopback only): %s\n",
			argv[1], argv[2], strerror(errno));
		return 1;
	}
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)lifetime);
	printf("ready %s:%s (%zu routes%s)\n", argv[1], argv[2], nroutes,
	       tls_ctx ? ", TLS" : "");
	fflush(stdout);
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			serve(cfd);
			close(cfd);
			_exit(0);
		}
		close(cfd);
	}
	return 1;
}
