/*
 * fleetd.c - a fleet of live services on loopback addresses, for
 * tests/bench/fleet.sh.
 *
 *   fleetd BASE COUNT [--lifetime SECONDS] [--max-conns N]
 *
 * Instance i (0 <= i < COUNT) is the address BASE + 1 + i (BASE a numeric
 * IPv4 address in 127.0.0.0/8; the whole range must stay inside it). Each
 * address is bound by its own listening sockets, never a wildcard:
 *   port 22    SSH, every instance:
 *                i % 200 == 199  silent: accepts, never sends a byte
 *                i % 4 == 0      weak: "OpenSSH_8.9p1" and a KEXINIT with
 *                                SHA-1 and group1 key exchange, ssh-dss,
 *                                CBC, hmac-md5, chacha20 without strict kex
 *                otherwise       hardened: "OpenSSH_9.9", modern lists and
 *                                kex-strict-s-v00@openssh.com
 *              The banner and KEXINIT go out on accept; once the client
 *              sends anything beyond its identification line (a real
 *              client's KEXINIT), the connection is closed: no key
 *              exchange is done here.
 *   port 6379  Redis, every instance: i % 5 == 0 answers INFO, CONFIG GET
 *              and STRLEN without AUTH; the rest answer every command with
 *              -NOAUTH (inline and RESP array commands); "POST" and
 *              "Host:" end the connection, as Redis' own guard does.
 *   port 2375  the Docker Engine API on even i: i % 6 == 0 answers
 *              /version, /v1.43/containers/json and /v1.43/images/json
 *              without authentication; the rest answer 403 (an
 *              authorization plugin), as a locked-down daemon does.
 * Every other port of every address is closed (RST).
 *
 * One epoll set over every listening socket and connection per process;
 * as many processes (forked, each serving a contiguous range of instances)
 * as the hard descriptor limit requires, about 6,000 instances each under
 * a limit of 20,000. Bounded: at most --max-conns connections at once per
 * process (a connection beyond is
 * closed at once and counted as dropped), at most CONN_IN bytes buffered
 * per connection, CONN_IDLE_MS without progress ends one, and the process
 * exits after the lifetime (default 3600 s) or on SIGTERM/SIGINT (the
 * children with it, also if the parent dies). Prints "ready COUNT N
 * processes" on stdout once every socket listens, and on exit one line of
 * the summed counters on stderr (accepted, dropped, closed by idle).
 * Standalone on purpose: no project header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define COUNT_MAX (1u << 20)
#define CONNS_DEFAULT 4096
#define PROCS_MAX 64
#define CONNS_MAX (1u << 20)
#define CONN_IN 1024
#define CONN_OUT 4096
#define CONN_IDLE_MS 10000
#define LISTEN_BACKLOG 16
#define MAX_EVENTS 512
#define ACCEPT_BATCH 16
#define LIFETIME_MAX (7L * 24 * 3600)
#define CONN_TAG (1ull << 63) /* epoll data: a connection, not a listener */

enum kind {
	K_SSH_WEAK,
	K_SSH_STRONG,
	K_SSH_SILENT,
	K_REDIS_OPEN,
	K_REDIS_AUTH,
	K_HTTP_OPEN,
	K_HTTP_LOCKED,
	K_COUNT
};

struct conn {
	int fd; /* -1: free */
	uint8_t kind;
	bool ident_seen;  /* SSH: the client's identification line */
	bool close_after; /* close once out is flushed */
	uint16_t inlen;
	uint16_t outlen, outoff;
	uint32_t next_free;
	uint64_t deadline; /* ms */
	char in[CONN_IN];
	char out[CONN_OUT];
};

static struct conn *conns;
static uint32_t nconns, free_head;
static int ep = -1;
static volatile sig_atomic_t stop;
static unsigned long long n_accepted, n_dropped, n_idle;

/* the SSH greetings: banner line + one KEXINIT packet, built at start */
static char ssh_weak[1024], ssh_strong[1024];
static size_t ssh_weak_len, ssh_strong_len;

static const char redis_info[] =
	"# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n"
	"os:Linux 6.1.0-13-amd64 x86_64\r\narch_bits:64\r\ntcp_port:6379\r\n"
	"uptime_in_seconds:864000\r\n\r\n# Clients\r\nconnected_clients:1\r\n"
	"\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n"
	"# Keyspace\r\ndb0:keys=12,expires=0,avg_ttl=0\r\n";

static const char docker_version[] =
	"{\"Platform\":{\"Name\":\"Docker Engine - Community\"},"
	"\"Version\":\"24.0.7\",\"ApiVersion\":\"1.43\","
	"\"MinAPIVersion\":\"1.12\",\"GitCommit\":\"311b9ff\","
	"\"GoVersion\":\"go1.20.10\",\"Os\":\"linux\",\"Arch\":\"amd64\","
	"\"KernelVersion\":\"6.1.0-13-amd64\"}";
static const char docker_containers[] =
	"[{\"Id\":\"4f1c2b7e9a10\",\"Names\":[\"/web\"],"
	"\"Image\":\"nginx:1.25\",\"Command\":\"nginx -g 'daemon off;'\","
	"\"State\":\"running\",\"Status\":\"Up 3 days\",\"Labels\":{}}]";
static const char docker_images[] =
	"[{\"Id\":\"sha256:a8758716bb6a\",\"RepoTags\":[\"nginx:1.25\"],"
	"\"Labels\":null}]";
static const char docker_denied[] =
	"{\"message\":\"authorization denied by plugin authz-broker: "
	"request not allowed\"}";
static const char docker_missing[] = "{\"message\":\"page not found\"}";

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static size_t put_u32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
	return 4;
}

/* banner + SSH_MSG_KEXINIT (RFC 4253 7.1) in one binary packet, no MAC */
static size_t build_ssh(char *buf, size_t size, const char *banner,
			const char *const lists[10])
{
	char payload[900];
	size_t n = 0, blen = strlen(banner), i, len, pad, total;

	payload[n++] = 20; /* SSH_MSG_KEXINIT */
	for (i = 0; i < 16; i++)
		payload[n++] = (char)(0x5a ^ i); /* cookie */
	for (i = 0; i < 10; i++) {
		len = strlen(lists[i]);
		if (n + 4 + len + 5 > sizeof(payload))
			return 0;
		n += put_u32(payload + n, (uint32_t)len);
		memcpy(payload + n, lists[i], len);
		n += len;
	}
	payload[n++] = 0;	      /* first_kex_packet_follows */
	n += put_u32(payload + n, 0); /* reserved */
	/* padding >= 4 and length + 4 a multiple of 8 */
	pad = 8 - ((n + 5) % 8);
	if (pad < 4)
		pad += 8;
	total = blen + 4 + 1 + n + pad;
	if (total > size)
		return 0;
	memcpy(buf, banner, blen);
	put_u32(buf + blen, (uint32_t)(1 + n + pad));
	buf[blen + 4] = (char)pad;
	memcpy(buf + blen + 5, payload, n);
	memset(buf + blen + 5 + n, 0, pad);
	return total;
}

static int build_greetings(void)
{
	static const char *const weak[10] = {
		"curve25519-sha256,diffie-hellman-group14-sha1,"
		"diffie-hellman-group1-sha1",
		"ssh-ed25519,ssh-rsa,ssh-dss",
		"chacha20-poly1305@openssh.com,aes128-ctr,aes128-cbc,3des-cbc",
		"chacha20-poly1305@openssh.com,aes128-ctr,aes128-cbc,3des-cbc",
		"hmac-sha2-256-etm@openssh.com,hmac-sha1,hmac-md5",
		"hmac-sha2-256-etm@openssh.com,hmac-sha1,hmac-md5",
		"none,zlib@openssh.com",
		"none,zlib@openssh.com",
		"",
		"",
	};
	static const char *const strong[10] = {
		"sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
		"curve25519-sha256@libssh.org,kex-strict-s-v00@openssh.com",
		"ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
		"aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
		"aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
		"none",
		"none",
		"",
		"",
	};

	ssh_weak_len = build_ssh(ssh_weak, sizeof(ssh_weak),
				 "SSH-2.0-OpenSSH_8.9p1\r\n", weak);
	ssh_strong_len = build_ssh(ssh_strong, sizeof(ssh_strong),
				   "SSH-2.0-OpenSSH_9.9\r\n", strong);
	return ssh_weak_len && ssh_strong_len ? 0 : -1;
}

/* ---- connections ---- */

static void conn_close(uint32_t c)
{
	struct conn *k = &conns[c];

	if (k->fd < 0)
		return;
	close(k->fd); /* also leaves the epoll set */
	k->fd = -1;
	k->next_free = free_head;
	free_head = c;
}

static void conn_interest(uint32_t c, bool want_out)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (want_out ? EPOLLOUT : 0),
		.data.u64 = CONN_TAG | c,
	};

	(void)epoll_ctl(ep, EPOLL_CTL_MOD, conns[c].fd, &ev);
}

/* sends what is queued; false once the connection was closed */
static bool conn_flush(uint32_t c)
{
	struct conn *k = &conns[c];
	ssize_t n;
	bool pending;

	while (k->outoff < k->outlen) {
		n = send(k->fd, k->out + k->outoff,
			 (size_t)(k->outlen - k->outoff), MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_close(c);
			return false;
		}
		k->outoff += (uint16_t)n;
	}
	pending = k->outoff < k->outlen;
	if (!pending) {
		k->outoff = k->outlen = 0;
		if (k->close_after) {
			conn_close(c);
			return false;
		}
	}
	conn_interest(c, pending);
	return true;
}

/* queues bytes; false if they do not fit (the caller closes) */
static bool conn_put(struct conn *k, const void *p, size_t n)
{
	if (n > (size_t)(CONN_OUT - k->outlen))
		return false;
	memcpy(k->out + k->outlen, p, n);
	k->outlen += (uint16_t)n;
	return true;
}

static bool conn_putf(struct conn *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool conn_putf(struct conn *k, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t room = (size_t)(CONN_OUT - k->outlen);

	va_start(ap, fmt);
	n = vsnprintf(k->out + k->outlen, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return false;
	k->outlen += (uint16_t)n;
	return true;
}

/* ---- SSH ---- */

/* the client's identification line, then nothing more is wanted */
static bool ssh_input(struct conn *k)
{
	char *nl;
	size_t used;

	if (!k->ident_seen) {
		nl = memchr(k->in, '\n', k->inlen);
		if (nl == NULL)
			return k->inlen < CONN_IN; /* wait for the line */
		k->ident_seen = true;
		used = (size_t)(nl - k->in) + 1;
		memmove(k->in, k->in + used, k->inlen - used);
		k->inlen = (uint16_t)(k->inlen - used);
	}
	return k->inlen == 0; /* anything more: the client's KEXINIT */
}

/* ---- Redis ---- */

#define REDIS_ARGS 4

static bool arg_is(const char *a, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(a, s, n) == 0;
}

static bool redis_reply(struct conn *k, const char *const *av, const size_t *al,
			size_t ac)
{
	if (ac == 0)
		return true;
	/* Redis' guard against cross-protocol requests: hang up */
	if (arg_is(av[0], al[0], "POST") || arg_is(av[0], al[0], "Host:"))
		return false;
	if (k->kind == K_REDIS_AUTH)
		return conn_putf(k, "-NOAUTH Authentication required.\r\n");
	if (arg_is(av[0], al[0], "INFO"))
		return conn_putf(k, "$%zu\r\n%s\r\n", sizeof(redis_info) - 1,
				 redis_info);
	if (arg_is(av[0], al[0], "PING"))
		return conn_putf(k, "+PONG\r\n");
	if (ac == 3 && arg_is(av[0], al[0], "CONFIG") &&
	    arg_is(av[1], al[1], "GET")) {
		const char *v = arg_is(av[2], al[2], "dir") ? "/var/lib/redis"
				: arg_is(av[2], al[2], "dbfilename")
					? "dump.rdb"
					: NULL;

		if (v == NULL)
			return conn_putf(k, "*0\r\n");
		return conn_putf(k, "*2\r\n$%zu\r\n%.*s\r\n$%zu\r\n%s\r\n",
				 al[2], (int)al[2], av[2], strlen(v), v);
	}
	if (ac == 2 && arg_is(av[0], al[0], "STRLEN"))
		return conn_putf(k, ":0\r\n");
	if (ac == 2 && arg_is(av[0], al[0], "GET"))
		return conn_putf(k, "$-1\r\n");
	return conn_putf(k, "-ERR unknown command\r\n");
}

/* parses one number ending in \r\n at p; the bytes used, 0 if more are
 * needed, -1 if malformed */
static long redis_num(const char *p, size_t n, long *out)
{
	size_t i;
	long v = 0;

	for (i = 0; i < n && i < 12; i++) {
		if (p[i] == '\r')
			break;
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (i == 0 || i >= 12)
		return i >= 12 ? -1 : (n > 0 && p[0] == '\r' ? -1 : 0);
	if (i + 2 > n)
		return 0;
	if (p[i + 1] != '\n')
		return -1;
	*out = v;
	return (long)(i + 2);
}

/* one command at the start of in: its length, 0 if incomplete, -1 if bad */
static long redis_command(struct conn *k)
{
	const char *av[REDIS_ARGS];
	size_t al[REDIS_ARGS], ac = 0, pos, n = k->inlen;
	const char *p = k->in;
	long cnt = 0, len = 0, r;

	if (n == 0)
		return 0;
	if (p[0] == '*') { /* RESP array of bulk strings */
		r = redis_num(p + 1, n - 1, &cnt);
		if (r <= 0)
			return r;
		if (cnt < 1 || cnt > REDIS_ARGS)
			return -1;
		pos = 1 + (size_t)r;
		for (ac = 0; ac < (size_t)cnt; ac++) {
			if (pos >= n)
				return 0;
			if (p[pos] != '$')
				return -1;
			r = redis_num(p + pos + 1, n - pos - 1, &len);
			if (r <= 0)
				return r;
			pos += 1 + (size_t)r;
			if (len > CONN_IN)
				return -1;
			if (pos + (size_t)len + 2 > n)
				return 0;
			av[ac] = p + pos;
			al[ac] = (size_t)len;
			pos += (size_t)len + 2;
		}
	} else { /* inline: words up to \n */
		const char *nl = memchr(p, '\n', n);
		size_t i = 0, end;

		if (nl == NULL)
			return 0;
		pos = (size_t)(nl - p) + 1;
		end = pos - 1;
		if (end > 0 && p[end - 1] == '\r')
			end--;
		while (i < end) {
			while (i < end && p[i] == ' ')
				i++;
			if (i >= end)
				break;
			if (ac == REDIS_ARGS)
				return -1;
			av[ac] = p + i;
			while (i < end && p[i] != ' ')
				i++;
			al[ac] = (size_t)(p + i - av[ac]);
			ac++;
		}
	}
	return redis_reply(k, av, al, ac) ? (long)pos : -1;
}

static bool redis_input(struct conn *k)
{
	long used;

	while ((used = redis_command(k)) > 0) {
		memmove(k->in, k->in + used, k->inlen - (size_t)used);
		k->inlen = (uint16_t)(k->inlen - (size_t)used);
	}
	return used == 0 && k->inlen < CONN_IN;
}

/* ---- HTTP (the Docker Engine API) ---- */

static bool http_respond(struct conn *k, int code, const char *body)
{
	const char *reason = code == 200   ? "OK"
			     : code == 403 ? "Forbidden"
			     : code == 404 ? "Not Found"
					   : "Bad Request";

	return conn_putf(k,
			 "HTTP/1.1 %d %s\r\nApi-Version: 1.43\r\n"
			 "Content-Type: application/json\r\n"
			 "Docker-Experimental: false\r\nOstype: linux\r\n"
			 "Server: Docker/24.0.7 (linux)\r\n"
			 "Content-Length: %zu\r\n%s\r\n%s",
			 code, reason, strlen(body),
			 k->close_after ? "Connection: close\r\n" : "", body);
}

/* the open API's answers: versioned paths, as the check asks them, and
 * unversioned ones, as nmap's docker-version asks */
static const struct {
	const char *path, *body;
} routes[] = {
	{ "/version", docker_version },
	{ "/v1.43/version", docker_version },
	{ "/v1.43/containers/json?all=1", docker_containers },
	{ "/containers/json", docker_containers },
	{ "/v1.43/images/json", docker_images },
	{ "/images/json", docker_images },
};

/* one request at the start of in: its length, 0 if incomplete, -1 if bad */
static long http_request(struct conn *k)
{
	const char *end = memmem(k->in, k->inlen, "\r\n\r\n", 4);
	const char *sp, *path, *p = k->in;
	size_t plen, hlen, i;
	int code = 404;
	const char *body = docker_missing;

	if (end == NULL)
		return k->inlen < CONN_IN ? 0 : -1;
	hlen = (size_t)(end - p) + 4;
	if (hlen < 14 || (memcmp(p, "GET ", 4) != 0 && memcmp(p, "HEAD ", 5)))
		return -1;
	path = memchr(p, ' ', hlen) + 1;
	sp = memchr(path, ' ', hlen - (size_t)(path - p));
	if (sp == NULL)
		return -1;
	plen = (size_t)(sp - path);
	/* HTTP/1.0 or an explicit close: answer, then hang up */
	if (memmem(p, hlen, "HTTP/1.0", 8) != NULL ||
	    memmem(p, hlen, "onnection: close", 16) != NULL)
		k->close_after = true;
	if (k->kind == K_HTTP_LOCKED) {
		code = 403;
		body = docker_denied;
	}
	for (i = 0; code == 404 && i < sizeof(routes) / sizeof(routes[0]);
	     i++) {
		if (arg_is(path, plen, routes[i].path)) {
			code = 200;
			body = routes[i].body;
		}
	}
	return http_respond(k, code, body) ? (long)hlen : -1;
}

static bool http_input(struct conn *k)
{
	long used;

	while (!k->close_after && (used = http_request(k)) != 0) {
		if (used < 0)
			return false;
		memmove(k->in, k->in + used, k->inlen - (size_t)used);
		k->inlen = (uint16_t)(k->inlen - (size_t)used);
	}
	return true;
}

/* ---- the loop ---- */

static void conn_read(uint32_t c)
{
	struct conn *k = &conns[c];
	ssize_t n;
	bool ok = true;

	n = recv(k->fd, k->in + k->inlen, (size_t)(CONN_IN - k->inlen), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	k->inlen = (uint16_t)(k->inlen + (size_t)n);
	k->deadline = now_ms() + CONN_IDLE_MS;
	switch (k->kind) {
	case K_SSH_WEAK:
	case K_SSH_STRONG:
		ok = ssh_input(k);
		break;
	case K_SSH_SILENT:
		k->inlen = 0; /* read and dropped */
		break;
	case K_REDIS_OPEN:
	case K_REDIS_AUTH:
		ok = redis_input(k);
		break;
	default:
		ok = http_input(k);
		break;
	}
	if (!ok) {
		conn_close(c);
		return;
	}
	if (k->outlen > 0)
		(void)conn_flush(c);
}

static void do_accept(int lfd, enum kind kind)
{
	struct epoll_event ev;
	struct conn *k;
	uint32_t c;
	int fd, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		n_accepted++;
		if (free_head == UINT32_MAX) {
			n_dropped++;
			close(fd);
			continue;
		}
		c = free_head;
		k = &conns[c];
		free_head = k->next_free;
		k->fd = fd;
		k->kind = (uint8_t)kind;
		k->ident_seen = k->close_after = false;
		k->inlen = k->outlen = k->outoff = 0;
		k->deadline = now_ms() + CONN_IDLE_MS;
		ev.events = EPOLLIN;
		ev.data.u64 = CONN_TAG | c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			conn_close(c);
			continue;
		}
		if (kind == K_SSH_WEAK || kind == K_SSH_STRONG) {
			(void)conn_put(
				k, kind == K_SSH_WEAK ? ssh_weak : ssh_strong,
				kind == K_SSH_WEAK ? ssh_weak_len
						   : ssh_strong_len);
			(void)conn_flush(c);
		}
	}
}

static void sweep_idle(uint64_t now)
{
	uint32_t c;

	for (c = 0; c < nconns; c++) {
		if (conns[c].fd >= 0 && conns[c].deadline <= now) {
			n_idle++;
			conn_close(c);
		}
	}
}

static int listen_on(uint32_t addr, uint16_t port, enum kind kind)
{
	struct sockaddr_in sin;
	struct epoll_event ev;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(addr);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ev.events = EPOLLIN;
	ev.data.u64 = ((uint64_t)kind << 32) | (uint32_t)fd;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static enum kind ssh_kind(uint32_t i)
{
	return i % 200 == 199 ? K_SSH_SILENT
	       : i % 4 == 0   ? K_SSH_WEAK
			      : K_SSH_STRONG;
}

static bool parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: fleetd BASE COUNT [--lifetime SECONDS] "
			"[--max-conns N]\n"
			"  BASE: an IPv4 address in 127.0.0.0/8; instance i "
			"listens on BASE + 1 + i\n");
	return 2;
}

struct stats {
	unsigned long long accepted, dropped, idle;
};

/* a child: instances [first, first + n) until SIGTERM or the lifetime;
 * one byte on ready_fd once listening ('r') or not ('e'), the counters on
 * stats_fd at the end */
static int serve(uint32_t b, uint32_t first, uint32_t n, unsigned long maxc,
		 unsigned long lifetime, int ready_fd, int stats_fd)
{
	struct epoll_event evs[MAX_EVENTS];
	struct stats st;
	uint64_t end, next_sweep, now;
	uint32_t i;
	int k, ne;
	char c = 'e';

	nconns = (uint32_t)maxc;
	conns = calloc(nconns, sizeof(*conns));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (conns == NULL || ep < 0) {
		perror("fleetd");
		goto fail;
	}
	for (i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		conns[i].next_free = i + 1 < nconns ? i + 1 : UINT32_MAX;
	}
	free_head = 0;
	for (i = first; i < first + n; i++) {
		uint32_t addr = b + 1 + i;
		bool ok = listen_on(addr, 22, ssh_kind(i)) >= 0 &&
			  listen_on(addr, 6379,
				    i % 5 == 0 ? K_REDIS_OPEN : K_REDIS_AUTH) >=
				  0;

		if (ok && i % 2 == 0)
			ok = listen_on(addr, 2375,
				       i % 6 == 0 ? K_HTTP_OPEN
						  : K_HTTP_LOCKED) >= 0;
		if (!ok) {
			fprintf(stderr,
				"fleetd: cannot listen on instance %u: %s\n", i,
				strerror(errno));
			goto fail;
		}
	}
	c = 'r';
	if (write(ready_fd, &c, 1) != 1)
		return 1;
	now = now_ms();
	end = now + lifetime * 1000u;
	next_sweep = now + 1000;
	while (!stop && now < end) {
		ne = epoll_wait(ep, evs, MAX_EVENTS, 250);
		if (ne < 0 && errno != EINTR) {
			perror("fleetd: epoll_wait");
			return 1;
		}
		for (k = 0; k < ne; k++) {
			uint64_t d = evs[k].data.u64;

			if (d & CONN_TAG) {
				uint32_t cn = (uint32_t)(d & ~CONN_TAG);

				if (conns[cn].fd < 0)
					continue;
				if ((evs[k].events & EPOLLOUT) &&
				    !conn_flush(cn))
					continue;
				if (evs[k].events &
				    (EPOLLIN | EPOLLERR | EPOLLHUP))
					conn_read(cn);
			} else {
				do_accept((int)(uint32_t)d,
					  (enum kind)(d >> 32));
			}
		}
		now = now_ms();
		if (now >= next_sweep) {
			sweep_idle(now);
			next_sweep = now + 1000;
		}
	}
	st.accepted = n_accepted;
	st.dropped = n_dropped;
	st.idle = n_idle;
	return write(stats_fd, &st, sizeof(st)) == (ssize_t)sizeof(st) ? 0 : 1;
fail:
	(void)!write(ready_fd, &c, 1);
	return 1;
}

int main(int argc, char **argv)
{
	struct in_addr base;
	struct rlimit rl;
	struct sigaction sa;
	struct stats st, sum = { 0, 0, 0 };
	unsigned long count = 0, lifetime = 3600, maxc = CONNS_DEFAULT;
	unsigned long per, nproc, p, ready = 0;
	pid_t pids[PROCS_MAX];
	int rp[2], sp[2], a, rc = 1;
	uint64_t end;
	uint32_t b;
	char c;

	if (argc < 3 || inet_pton(AF_INET, argv[1], &base) != 1 ||
	    !parse_num(argv[2], COUNT_MAX, &count) || count == 0)
		return usage();
	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--lifetime") == 0 && a + 1 < argc) {
			if (!parse_num(argv[++a], LIFETIME_MAX, &lifetime))
				return usage();
		} else if (strcmp(argv[a], "--max-conns") == 0 &&
			   a + 1 < argc) {
			if (!parse_num(argv[++a], CONNS_MAX, &maxc) || !maxc)
				return usage();
		} else {
			return usage();
		}
	}
	b = ntohl(base.s_addr);
	/* loopback only, and the last instance too */
	if ((b >> 24) != 127 || ((b + count) >> 24) != 127) {
		fprintf(stderr, "fleetd: %s + %lu leaves 127.0.0.0/8\n",
			argv[1], count);
		return 2;
	}
	if (build_greetings() != 0)
		return 1;
	/* descriptors: as many as the hard limit allows; each process then
	 * serves what fits (2.5 listeners per instance, the connections) */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 2 * COUNT_MAX)
		rl.rlim_cur = 2 * COUNT_MAX;
	if (rl.rlim_cur < maxc + 64 + 3) {
		fprintf(stderr,
			"fleetd: the descriptor limit %lu leaves no room "
			"beside --max-conns %lu\n",
			(unsigned long)rl.rlim_cur, maxc);
		return 2;
	}
	per = (rl.rlim_cur - maxc - 64) * 2 / 5;
	per -= per % 2; /* even: each process starts on an even instance */
	if (per < 2)
		per = 2;
	nproc = (count + per - 1) / per;
	if (nproc > PROCS_MAX) {
		fprintf(stderr,
			"fleetd: %lu instances need %lu processes at %lu "
			"each (limit %d): raise the descriptor limit\n",
			count, nproc, per, PROCS_MAX);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(rp, O_CLOEXEC) != 0 || pipe2(sp, O_CLOEXEC) != 0) {
		perror("fleetd: pipe");
		return 1;
	}
	for (p = 0; p < nproc; p++) {
		uint32_t first = (uint32_t)(p * per);
		uint32_t n =
			(uint32_t)(count - first < per ? count - first : per);

		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fleetd: fork");
			nproc = p;
			goto stop;
		}
		if (pids[p] == 0) {
			/* the parent's end is the children's end */
			(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
			close(rp[0]);
			close(sp[0]);
			_exit(serve(b, first, n, maxc, lifetime, rp[1], sp[1]));
		}
	}
	close(rp[1]);
	close(sp[1]);
	while (ready < nproc && read(rp[0], &c, 1) == 1 && c == 'r')
		ready++;
	if (ready < nproc) {
		fprintf(stderr, "fleetd: %lu of %lu processes did not start\n",
			nproc - ready, nproc);
		goto stop;
	}
	printf("ready %lu %lu processes\n", count, nproc);
	fflush(stdout);
	end = now_ms() + lifetime * 1000u;
	while (!stop && now_ms() < end)
		(void)poll(NULL, 0, 250);
	rc = 0;
stop:
	for (p = 0; p < nproc; p++)
		kill(pids[p], SIGTERM);
	for (p = 0; p < nproc; p++)
		waitpid(pids[p], NULL, 0);
	while (read(sp[0], &st, sizeof(st)) == (ssize_t)sizeof(st)) {
		sum.accepted += st.accepted;
		sum.dropped += st.dropped;
		sum.idle += st.idle;
	}
	fprintf(stderr, "fleetd: accepted %llu dropped %llu idle %llu\n",
		sum.accepted, sum.dropped, sum.idle);
	return rc;
}
