/*
 * tdsfake.c - a SQL Server stand-in for the lab: answers TDS PRELOGIN and
 * LOGIN7 as SQL Server 2022 (16.0.4135) does, for the mssql check.
 *
 *   tdsfake MODE ADDR PORT [--lifetime SECONDS] [--cert PEM --key PEM]
 *
 * PRELOGIN: VERSION 16.0.4135 and ENCRYPTION NOT_SUP; in the TLS modes
 * (which need --cert and --key) REQ ("tls", "tlsrefuse", "tlsgarbage":
 * TLS for the whole connection) or OFF ("tlslogin": TLS for the LOGIN7
 * packet only, the reply in clear), as SQL Server with and without
 * "force encryption" answers a client that offers TLS. The handshake
 * records travel inside PRELOGIN packets, then records on the bare
 * connection ([MS-TDS] 3.2.5.3); "tlsgarbage" answers the ClientHello
 * with a packet of junk. "tls" and "tlslogin" accept what "open" accepts,
 * "tlsrefuse" refuses as "refuse" does. LOGIN7 (SQL authentication: the user name and the obfuscated
 * password of [MS-TDS] 2.2.6.4): "open" accepts sa with the empty
 * password (LOGINACK, ENVCHANGE database, DONE) and refuses anything else
 * with ERROR 18456 "Login failed for user '...'." (class 14); "refuse"
 * refuses everything with 18456; "locked" answers 18486 ("... because
 * the account is currently locked out") for sa. Each LOGIN7 is logged on
 * stdout as "LOGIN7 USER empty|password". Token layouts from [MS-TDS]
 * 2.2.7 (LOGINACK 0xAD, ERROR 0xAA, ENVCHANGE 0xE3, DONE 0xFD); texts
 * from SQL Server's error 18456 and 18486 documentation.
 * ADDR must be a numeric loopback address. Prints "ready" once listening.
 * Standalone on purpose: no project header; OpenSSL for the TLS modes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#define MAX_CLIENTS 64
#define IN_MAX 8192

struct client {
	int fd;
	size_t len, plen;
	uint8_t in[IN_MAX];
	SSL *ssl;    /* the TLS modes, once PRELOGIN is answered */
	int hs_done; /* its handshake is over: records on the bare socket */
	uint8_t plain[IN_MAX];
};

enum { M_OPEN, M_REFUSE, M_LOCKED } mode;
enum { T_NONE, T_ALL, T_LOGIN, T_GARBAGE } tls;
static SSL_CTX *tls_ctx;

/* bytes TLS wants to send: wrapped in PRELOGIN packets during the
 * handshake, bare after it */
static void tls_flush(struct client *c)
{
	uint8_t buf[4088], pkt[4096];
	int n;

	while ((n = BIO_read(SSL_get_wbio(c->ssl), buf, sizeof(buf))) > 0) {
		if (c->hs_done) {
			if (send(c->fd, buf, (size_t)n, MSG_NOSIGNAL) < 0)
				perror("tdsfake: send");
			continue;
		}
		pkt[0] = 0x12;
		pkt[1] = BIO_ctrl_pending(SSL_get_wbio(c->ssl)) ? 0x00 : 0x01;
		pkt[2] = (uint8_t)((n + 8) >> 8);
		pkt[3] = (uint8_t)(n + 8);
		pkt[4] = pkt[5] = 0;
		pkt[6] = 1;
		pkt[7] = 0;
		memcpy(pkt + 8, buf, (size_t)n);
		if (send(c->fd, pkt, (size_t)n + 8, MSG_NOSIGNAL) < 0)
			perror("tdsfake: send");
	}
}

/* a whole reply: in a TLS record when the connection is encrypted */
static void emit(struct client *c, const uint8_t *pkt, size_t n)
{
	if (c->ssl != NULL && c->hs_done && tls == T_ALL) {
		if (SSL_write(c->ssl, pkt, (int)n) == (int)n)
			tls_flush(c);
		return;
	}
	if (send(c->fd, pkt, n, MSG_NOSIGNAL) < 0)
		perror("tdsfake: send");
}

static void put16le(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static unsigned get16le(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* sends payload as one reply packet (type 4, EOM) */
static void send_reply(struct client *c, const uint8_t *payload, size_t n)
{
	uint8_t pkt[4096];

	if (n + 8 > sizeof(pkt))
		return;
	pkt[0] = 0x04;
	pkt[1] = 0x01;
	pkt[2] = (uint8_t)((n + 8) >> 8);
	pkt[3] = (uint8_t)(n + 8);
	pkt[4] = pkt[5] = 0;
	pkt[6] = 1;
	pkt[7] = 0;
	memcpy(pkt + 8, payload, n);
	emit(c, pkt, n + 8);
}

static void prelogin_reply(struct client *c)
{
	uint8_t p[32];

	memset(p, 0, sizeof(p));
	/* VERSION at 11 (6 bytes), ENCRYPTION at 17 (1), terminator */
	p[0] = 0;
	p[1] = 0;
	p[2] = 11;
	p[3] = 0;
	p[4] = 6;
	p[5] = 1;
	p[6] = 0;
	p[7] = 17;
	p[8] = 0;
	p[9] = 1;
	p[10] = 0xff;
	p[11] = 16;
	p[12] = 0;
	p[13] = 0x10; /* build 4135, big-endian */
	p[14] = 0x27;
	p[17] = tls == T_NONE ? 0x02 : tls == T_LOGIN ? 0x00 : 0x03;
	send_reply(c, p, 18);
	if (tls != T_NONE && c->ssl == NULL) {
		BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());

		c->ssl = SSL_new(tls_ctx);
		if (c->ssl == NULL || rb == NULL || wb == NULL) {
			SSL_free(c->ssl);
			c->ssl = NULL;
			BIO_free(rb);
			BIO_free(wb);
			return;
		}
		SSL_set_bio(c->ssl, rb, wb);
		SSL_set_accept_state(c->ssl);
	}
}

/* ASCII as UCS-2LE at p; the bytes written */
static size_t ucs2(uint8_t *p, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)s[i];
		p[2 * i + 1] = 0;
	}
	return 2 * n;
}

static size_t done_token(uint8_t *p, unsigned status)
{
	memset(p, 0, 13);
	p[0] = 0xfd;
	put16le(p + 1, status);
	return 13;
}

static void login_ok(struct client *c)
{
	static const char prog[] = "Microsoft SQL Server";
	uint8_t p[512];
	size_t n = 0, start;

	/* ENVCHANGE database: master (type 1, new value, old value) */
	p[n++] = 0xe3;
	start = n;
	n += 2;
	p[n++] = 1;
	p[n++] = 6;
	n += ucs2(p + n, "master");
	p[n++] = 6;
	n += ucs2(p + n, "master");
	put16le(p + start, (unsigned)(n - start - 2));
	/* LOGINACK: interface 1, TDS 7.4, program name, 16.0.4135 */
	p[n++] = 0xad;
	start = n;
	n += 2;
	p[n++] = 1;
	p[n++] = 0x74;
	p[n++] = 0;
	p[n++] = 0;
	p[n++] = 0x04;
	p[n++] = (uint8_t)strlen(prog);
	n += ucs2(p + n, prog);
	p[n++] = 16;
	p[n++] = 0;
	p[n++] = 0x10;
	p[n++] = 0x27;
	put16le(p + start, (unsigned)(n - start - 2));
	n += done_token(p + n, 0);
	send_reply(c, p, n);
}

static void login_error(struct client *c, unsigned number, const char *msg)
{
	uint8_t p[1024];
	size_t n = 0, start, ml = strlen(msg);

	p[n++] = 0xaa;
	start = n;
	n += 2;
	p[n++] = (uint8_t)number;
	p[n++] = (uint8_t)(number >> 8);
	p[n++] = (uint8_t)(number >> 16);
	p[n++] = (uint8_t)(number >> 24);
	p[n++] = 1;  /* state */
	p[n++] = 14; /* class */
	put16le(p + n, (unsigned)ml);
	n += 2;
	n += ucs2(p + n, msg);
	p[n++] = 6;
	n += ucs2(p + n, "LABSQL");
	p[n++] = 0; /* procedure */
	memset(p + n, 0, 4);
	p[n] = 1; /* line 1 */
	n += 4;
	put16le(p + start, (unsigned)(n - start - 2));
	n += done_token(p + n, 0x0002);
	send_reply(c, p, n);
}

/* a LOGIN7 string (offset, length at p + at) as ASCII; pw: deobfuscate */
static int field(const uint8_t *p, size_t n, size_t at, int pw, char *out,
		 size_t size)
{
	size_t off, len, i;

	if (at + 4 > n)
		return -1;
	off = get16le(p + at);
	len = get16le(p + at + 2);
	if (off > n || 2 * len > n - off || len >= size)
		return -1;
	for (i = 0; i < len; i++) {
		uint8_t b = p[off + 2 * i];

		if (pw) {
			b ^= 0xa5;
			b = (uint8_t)((b << 4) | (b >> 4));
		}
		out[i] = b >= 0x20 && b < 0x7f ? (char)b : '?';
	}
	out[len] = '\0';
	return 0;
}

static void login7(struct client *c, const uint8_t *p, size_t n)
{
	char user[200], pw[200], msg[400];

	if (field(p, n, 40, 0, user, sizeof(user)) < 0 ||
	    field(p, n, 44, 1, pw, sizeof(pw)) < 0)
		return;
	printf("LOGIN7 %s %s%s\n", user, pw[0] ? "password" : "empty",
	       c->ssl != NULL && c->hs_done ? " tls" : "");
	fflush(stdout);
	if (mode == M_OPEN && strcmp(user, "sa") == 0 && pw[0] == '\0') {
		login_ok(c);
		return;
	}
	if (mode == M_LOCKED && strcmp(user, "sa") == 0) {
		snprintf(msg, sizeof(msg),
			 "Login failed for user '%s' because the account is "
			 "currently locked out. The system administrator can "
			 "unlock it.",
			 user);
		login_error(c, 18486, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "Login failed for user '%s'.", user);
	login_error(c, 18456, msg);
}

/* answers every whole packet of buf; -1 to hang up */
static int serve_packets(struct client *c, uint8_t *buf, size_t *len)
{
	while (*len >= 8) {
		size_t plen = (size_t)buf[2] << 8 | buf[3];
		uint8_t type = buf[0];

		if (plen < 8)
			return -1;
		if (*len < plen)
			return 0;
		if (buf[0] == 0x12)
			prelogin_reply(c);
		else if (buf[0] == 0x10)
			login7(c, buf + 8, plen - 8);
		else
			return -1;
		memmove(buf, buf + plen, *len - plen);
		*len -= plen;
		/* TLS for the login packet only: dropped after it */
		if (type == 0x10 && tls == T_LOGIN && c->ssl != NULL) {
			SSL_free(c->ssl);
			c->ssl = NULL;
			return *len > 0 ? -1 : 0;
		}
	}
	return 0;
}

/* one handshake packet from the client: its records to TLS */
static int handshake(struct client *c)
{
	size_t plen = (size_t)c->in[2] << 8 | c->in[3];
	int r;

	if (plen < 8 || c->in[0] != 0x12)
		return -1;
	if (tls == T_GARBAGE) {
		static const uint8_t junk[] = { 0x12, 0x01, 0x00, 0x10,
						0,    0,    1,	  0,
						0x17, 0x03, 0x03, 0xff,
						0xff, 'x',  'y',  'z' };

		emit(c, junk, sizeof(junk));
		return -1;
	}
	if (BIO_write(SSL_get_rbio(c->ssl), c->in + 8, (int)(plen - 8)) !=
	    (int)(plen - 8))
		return -1;
	memmove(c->in, c->in + plen, c->len - plen);
	c->len -= plen;
	r = SSL_do_handshake(c->ssl);
	tls_flush(c);
	if (r == 1) {
		c->hs_done = 1;
		return 0;
	}
	return SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ ? 0 : -1;
}

/* answers what is buffered; -1 to hang up */
static int serve(struct client *c)
{
	for (;;) {
		if (c->ssl != NULL && c->hs_done) {
			int r;

			if (c->len > 0 && BIO_write(SSL_get_rbio(c->ssl), c->in,
						    (int)c->len) != (int)c->len)
				return -1;
			c->len = 0;
			while (c->plen < IN_MAX &&
			       (r = SSL_read(c->ssl, c->plain + c->plen,
					     (int)(IN_MAX - c->plen))) > 0)
				c->plen += (size_t)r;
			return serve_packets(c, c->plain, &c->plen);
		}
		if (c->ssl != NULL) {
			size_t plen;

			if (c->len < 8)
				return 0;
			plen = (size_t)c->in[2] << 8 | c->in[3];
			if (plen < 8)
				return -1;
			if (c->len < plen)
				return 0;
			if (handshake(c) < 0)
				return -1;
			continue;
		}
		return serve_packets(c, c->in, &c->len);
	}
}

static void hang_up(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	SSL_free(c->ssl);
	c->ssl = NULL;
	c->hs_done = 0;
	c->plen = 0;
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "tdsfake: %s is not a 127/8 address\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0) {
		perror("tdsfake: bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct client clients[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 1];
	long lifetime = 3600;
	time_t end;
	int lfd, port, i;
	char *e = NULL;

	static const struct {
		const char *name;
		int mode, tls;
	} modes[] = {
		{ "open", M_OPEN, T_NONE },
		{ "refuse", M_REFUSE, T_NONE },
		{ "locked", M_LOCKED, T_NONE },
		{ "tls", M_OPEN, T_ALL },
		{ "tlslogin", M_OPEN, T_LOGIN },
		{ "tlsrefuse", M_REFUSE, T_ALL },
		{ "tlsgarbage", M_OPEN, T_GARBAGE },
	};
	const char *cert = NULL, *key = NULL;
	size_t m;

	if (argc < 4) {
		fprintf(stderr,
			"usage: tdsfake open|refuse|locked|tls|tlslogin|"
			"tlsrefuse|tlsgarbage ADDR PORT [--lifetime "
			"SECONDS] [--cert PEM --key PEM]\n");
		return 2;
	}
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		if (strcmp(argv[1], modes[m].name) == 0)
			break;
	if (m == sizeof(modes) / sizeof(modes[0]))
		return 2;
	mode = modes[m].mode;
	tls = modes[m].tls;
	port = (int)strtol(argv[3], &e, 10);
	if (*e || port <= 0 || port > 65535)
		return 2;
	for (i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--lifetime") == 0) {
			lifetime = strtol(argv[i + 1], &e, 10);
			if (*e || lifetime <= 0 || lifetime > 7 * 86400)
				return 2;
		} else if (strcmp(argv[i], "--cert") == 0) {
			cert = argv[i + 1];
		} else if (strcmp(argv[i], "--key") == 0) {
			key = argv[i + 1];
		} else {
			return 2;
		}
	}
	if (i != argc)
		return 2;
	if (tls != T_NONE) {
		tls_ctx = SSL_CTX_new(TLS_server_method());
		if (tls_ctx == NULL || cert == NULL || key == NULL ||
		    SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(tls_ctx, key,
						SSL_FILETYPE_PEM) != 1) {
			fprintf(stderr,
				"tdsfake: %s needs --cert and --key "
				"(PEM files)\n",
				argv[1]);
			return 2;
		}
		/* TDS 7.x: TLS up to 1.2, as SQL Server without TDS 8 (TLS
		 * 1.3's session tickets come after the wrapped handshake) */
		SSL_CTX_set_max_proto_version(tls_ctx, TLS1_2_VERSION);
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(argv[2], port);
	if (lfd < 0)
		return 1;
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + lifetime;
	while (time(NULL) < end) {
		int n = 0;

		pfd[n].fd = lfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			pfd[n].fd = clients[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL);

			for (i = 0; cfd >= 0 && i < MAX_CLIENTS; i++)
				if (clients[i].fd < 0) {
					clients[i].fd = cfd;
					clients[i].len = 0;
					cfd = -1;
				}
			if (cfd >= 0)
				close(cfd);
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			ssize_t r;

			if (c->fd < 0 || !(pfd[i + 1].revents &
					   (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(c->fd, c->in + c->len, IN_MAX - c->len, 0);
			if (r <= 0 || (c->len += (size_t)r, serve(c) < 0) ||
			    c->len == IN_MAX || c->plen == IN_MAX)
				hang_up(c);
		}
	}
	return 0;
}
