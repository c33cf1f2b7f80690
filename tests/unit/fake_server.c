/* fake_server.c - see fake_server.h */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "fake_server.h"
#include "netio.h"
#include "target.h"

#define FAKE_IO_TIMEOUT_S 3
#define FAKE_LIFETIME_MS 60000

static atomic_bool fake_stopping;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* a backend message: type, length, body */
static bool pg_msg(int fd, char type, const char *body, size_t n)
{
	unsigned char h[5];
	uint32_t len = (uint32_t)n + 4;

	h[0] = (unsigned char)type;
	h[1] = (unsigned char)(len >> 24);
	h[2] = (unsigned char)(len >> 16);
	h[3] = (unsigned char)(len >> 8);
	h[4] = (unsigned char)len;
	return netio_write_all(fd, h, 5) == 0 &&
	       netio_write_all(fd, body, n) == 0;
}

static void pg_record_user(struct fake_server *s, const char *body, size_t n)
{
	size_t i = 4; /* after the protocol version */

	while (i < n && body[i] != '\0') {
		const char *k = body + i, *v;

		i += strnlen(k, n - i) + 1;
		if (i >= n)
			return;
		v = body + i;
		i += strnlen(v, n - i) + 1;
		if (strcmp(k, "user") == 0) {
			pthread_mutex_lock(&s->lock);
			if (s->nusers < FAKE_USERS_MAX)
				snprintf(s->users[s->nusers++],
					 sizeof(s->users[0]), "%s", v);
			pthread_mutex_unlock(&s->lock);
		}
	}
}

static void serve_pg(struct fake_server *s, int fd)
{
	static const char notice[] = "SNOTICE\0VNOTICE\0C00000\0"
				     "M\x1b[31mred notice\n::error::pwned\n"
				     "::add-mask::x\0\0";
	static const char error[] = "SFATAL\0VFATAL\0C28P01\0"
				    "Mpassword authentication failed\0\0";
	unsigned char h[8];
	char body[4096];

	for (;;) {
		uint32_t len, code;

		if (netio_read_full(fd, h, 4) != 0)
			return;
		len = be32(h);
		if (len < 8 || len > sizeof(body) + 4 ||
		    netio_read_full(fd, body, len - 4) != 0)
			return;
		code = be32((const unsigned char *)body);
		if (code == 80877103u || code == 80877104u) {
			/* SSLRequest, GSSENCRequest: no */
			if (netio_write_all(fd, "N", 1) != 0)
				return;
			continue;
		}
		if (code != 196608u)
			return;
		pg_record_user(s, body, len - 4);
		/* libpq takes notices once authenticated (before that it
		 * wants only 'R' or 'E'): AuthenticationOk first */
		pg_msg(fd, 'R', "\0\0\0\0", 4);
		pg_msg(fd, 'N', notice, sizeof(notice) - 1);
		pg_msg(fd, 'E', error, sizeof(error) - 1);
		return;
	}
}

static size_t put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t put_str(unsigned char *p, const char *s, size_t n)
{
	put32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	return 4 + n;
}

/* an unencrypted SSH binary packet of payload: length, padding length,
 * payload, padding to a multiple of 8 (at least 4 bytes) */
static void ssh_packet(int fd, const unsigned char *payload, size_t n)
{
	unsigned char pkt[1024];
	size_t pad = 8 - (5 + n) % 8;

	if (pad < 4)
		pad += 8;
	put32(pkt, (uint32_t)(1 + n + pad));
	pkt[4] = (unsigned char)pad;
	memcpy(pkt + 5, payload, n);
	memset(pkt + 5 + n, 0, pad);
	netio_write_all(fd, pkt, 5 + n + pad);
}

/* a plausible server up to its KEXINIT, then a DISCONNECT whose text is
 * hostile: a terminal escape and a "::error::" line */
static void serve_ssh(int fd)
{
	static const char banner[] = "SSH-2.0-OpenSSH_9.6\r\n";
	static const char *const lists[10] = {
		"curve25519-sha256",
		"ssh-ed25519",
		"aes128-ctr",
		"aes128-ctr",
		"hmac-sha2-256",
		"hmac-sha2-256",
		"none",
		"none",
		"",
		"",
	};
	static const char bye[] = "\x1b[31mbye\n::error::pwned";
	unsigned char p[1024], buf[2048];
	size_t n = 0;
	int i;

	p[n++] = 20; /* SSH_MSG_KEXINIT */
	memset(p + n, 0x42, 16);
	n += 16;
	for (i = 0; i < 10; i++)
		n += put_str(p + n, lists[i], strlen(lists[i]));
	p[n++] = 0;
	n += put32(p + n, 0);
	netio_write_all(fd, banner, sizeof(banner) - 1);
	ssh_packet(fd, p, n);
	/* the client's banner, KEXINIT and key exchange start */
	if (recv(fd, buf, sizeof(buf), 0) <= 0)
		return;
	n = 0;
	p[n++] = 1; /* SSH_MSG_DISCONNECT */
	n += put32(p + n, 2);
	n += put_str(p + n, bye, sizeof(bye) - 1);
	n += put_str(p + n, "", 0);
	ssh_packet(fd, p, n);
}

static void serve_http(int fd)
{
	static const char rsp[] = "HTTP/1.1 200 OK\x1b[31m\r\n"
				  "Server: \x1b]0;pwned\x07\r\n"
				  "X-Msg: \x1b[2J::error::pwned\r\n"
				  "Content-Type: application/json\r\n"
				  "Content-Length: 2\r\n"
				  "Connection: close\r\n\r\n{}";
	char buf[4096];
	size_t got = 0;

	while (got < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (r <= 0)
			return;
		got += (size_t)r;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	netio_write_all(fd, rsp, sizeof(rsp) - 1);
}

static void serve_silent(int fd)
{
	char buf[256];

	/* until the client gives up, or our own timeout */
	while (!atomic_load(&fake_stopping) &&
	       recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

static void *fake_main(void *arg)
{
	struct fake_server *s = arg;
	unsigned served = 0, waited = 0;

	while (served < s->max_conns && waited < FAKE_LIFETIME_MS &&
	       !atomic_load(&fake_stopping)) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		struct timeval tv = { .tv_sec = FAKE_IO_TIMEOUT_S };
		int fd;

		if (poll(&p, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		switch (s->kind) {
		case FAKE_PG:
			serve_pg(s, fd);
			break;
		case FAKE_SSH:
			serve_ssh(fd);
			break;
		case FAKE_HTTP:
			serve_http(fd);
			break;
		case FAKE_SILENT:
			serve_silent(fd);
			break;
		}
		close(fd);
		served++;
	}
	return NULL;
}

void fake_start(struct fake_server *s, enum fake_kind kind, unsigned max_conns)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->max_conns = max_conns;
	pthread_mutex_init(&s->lock, NULL);
	atomic_store(&fake_stopping, false);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s->lfd, 16), 0);
	cr_assert_eq(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&s->tid, NULL, fake_main, s), 0);
}

void fake_stop(struct fake_server *s)
{
	atomic_store(&fake_stopping, true);
	pthread_join(s->tid, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->lock);
}

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	cr_assert(f != NULL, "%s: %s", path, strerror(errno));
	buf = calloc(1, (1 << 20) + 1);
	cr_assert(buf != NULL);
	n = fread(buf, 1, 1 << 20, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int fake_run_exposure(const char *env, const char *args, char **out, char **err)
{
	const char *bin = getenv("EXPO_BIN");
	char ofile[] = "/tmp/expo-fake-out-XXXXXX";
	char efile[] = "/tmp/expo-fake-err-XXXXXX";
	char cmd[4096];
	int ofd, efd, st;

	cr_assert(bin != NULL, "EXPO_BIN is not set (run through make check)");
	ofd = mkstemp(ofile);
	efd = mkstemp(efile);
	cr_assert(ofd >= 0 && efd >= 0);
	close(ofd);
	close(efd);
	snprintf(cmd, sizeof(cmd), "env %s %s %s >%s 2>%s", env, bin, args,
		 ofile, efile);
	st = system(cmd);
	*out = slurp_file(ofile);
	*err = slurp_file(efile);
	unlink(ofile);
	unlink(efile);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool fake_has_raw_control(const char *text)
{
	const char *p;

	if (strchr(text, '\x1b') != NULL || strncmp(text, "::", 2) == 0)
		return true;
	for (p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n'))
		if (strncmp(p + 1, "::", 2) == 0)
			return true;
	return false;
}

char *fake_tmpfile(const char *content)
{
	char *path = strdup("/tmp/expo-fake-XXXXXX");
	int fd;

	cr_assert(path != NULL);
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, strlen(content)),
		     (ssize_t)strlen(content));
	close(fd);
	return path;
}

void fake_target_add(struct target_list *tl, const char *id, const char *addr,
		     uint16_t port, const char *check)
{
	struct target *t = target_list_add(tl);

	cr_assert_not_null(t);
	t->id = strdup(id);
	t->provider = "list";
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert_not_null(t->addrs);
	cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0, "%s", addr);
	t->naddrs = 1;
	t->ports = calloc(1, sizeof(*t->ports));
	cr_assert_not_null(t->ports);
	t->ports[0].port = port;
	snprintf(t->ports[0].check, sizeof(t->ports[0].check), "%s", check);
	t->nports = 1;
	t->only_listed_ports = true;
}
