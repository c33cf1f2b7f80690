/*
 * mongoreplay.c - a MongoDB stand-in for the lab: answers the wire
 * protocol's OP_MSG with replies kept under tests/fixtures/mongodb/VER/.
 *
 *   mongoreplay open|auth ADDR PORT FIXTURE_DIR [--lifetime SECONDS]
 *
 * OP_MSG (2013) requests are answered by their command name (the first
 * key of the kind-0 body): hello/isMaster -> hello.hex; listDatabases ->
 * listDatabases.hex ("open") or unauthorized.hex ("auth", code 13); ping
 * -> {ok: 1}; any other command -> CommandNotFound (59, "open") or
 * Unauthorized (13, "auth"), as mongod does. The legacy OP_QUERY (2004) is
 * answered with OP_REPLY only for hello/isMaster, and with error 352
 * (UnsupportedOpQueryCommand) otherwise, as MongoDB >= 5.1 does.
 * ADDR must be a numeric loopback address. Prints "ready" once listening.
 * Standalone on purpose: no project header, no library.
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

#define MAX_CLIENTS 64
#define IN_MAX 65536
#define DOC_MAX 4096

struct client {
	int fd;
	size_t len;
	uint8_t in[IN_MAX];
};

struct fixture {
	uint8_t doc[DOC_MAX];
	size_t len;
};

static struct fixture fx_hello, fx_list, fx_unauth;
static int auth_mode;
static int32_t next_id = 1000;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a .hex fixture: '#' comments, hex byte pairs; a BSON doc whose length
 * field matches */
static int load(const char *dir, const char *name, struct fixture *f)
{
	char path[4096], line[1024];
	FILE *fp;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "mongoreplay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	f->len = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *p = line;

		if (line[0] == '#')
			continue;
		while (*p) {
			int hi = hexval(p[0]), lo;

			if (hi < 0) {
				p++;
				continue;
			}
			lo = hexval(p[1]);
			if (lo < 0 || f->len >= DOC_MAX)
				goto out;
			f->doc[f->len++] = (uint8_t)(hi << 4 | lo);
			p += 2;
		}
	}
	if (f->len >= 5 && le32(f->doc) == f->len)
		rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "mongoreplay: %s: not one BSON document\n",
			path);
	fclose(fp);
	return rc;
}

/* a small BSON writer for the generated errors */
static size_t put_el(uint8_t *d, size_t pos, uint8_t t, const char *k)
{
	size_t n = strlen(k) + 1;

	d[pos++] = t;
	memcpy(d + pos, k, n);
	return pos + n;
}

static size_t put_str(uint8_t *d, size_t pos, const char *k, const char *v)
{
	size_t n = strlen(v) + 1;

	pos = put_el(d, pos, 0x02, k);
	put32(d + pos, (uint32_t)n);
	memcpy(d + pos + 4, v, n);
	return pos + 4 + n;
}

/* {ok: 0.0, errmsg, code, codeName} (or {ok: 1.0} when code is 0) */
static size_t error_doc(uint8_t *d, int code, const char *name, const char *msg)
{
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0xf0, 0x3f };
	size_t pos = 4;

	pos = put_el(d, pos, 0x01, "ok");
	if (code == 0)
		memcpy(d + pos, one, 8);
	else
		memset(d + pos, 0, 8);
	pos += 8;
	if (code != 0) {
		pos = put_str(d, pos, "errmsg", msg);
		pos = put_el(d, pos, 0x10, "code");
		put32(d + pos, (uint32_t)code);
		pos += 4;
		pos = put_str(d, pos, "codeName", name);
	}
	d[pos++] = 0;
	put32(d, (uint32_t)pos);
	return pos;
}

static void reply(int fd, int32_t to, int opcode, const uint8_t *doc,
		  size_t dlen)
{
	uint8_t msg[DOC_MAX + 64];
	size_t n;

	put32(msg + 4, (uint32_t)next_id++);
	put32(msg + 8, (uint32_t)to);
	put32(msg + 12, (uint32_t)opcode);
	if (opcode == 2013) {
		put32(msg + 16, 0);
		msg[20] = 0;
		n = 21;
	} else {
		/* OP_REPLY: flags, cursorID, startingFrom, numberReturned */
		memset(msg + 16, 0, 16);
		put32(msg + 32, 1);
		n = 36;
	}
	memcpy(msg + n, doc, dlen);
	n += dlen;
	put32(msg, (uint32_t)n);
	if (send(fd, msg, n, MSG_NOSIGNAL) < 0)
		perror("mongoreplay: send");
}

static void answer(int fd, int32_t id, int opcode, const char *cmd)
{
	uint8_t doc[600];
	char msg[300];
	size_t n;

	if (strcmp(cmd, "hello") == 0 || strcmp(cmd, "isMaster") == 0 ||
	    strcmp(cmd, "ismaster") == 0) {
		reply(fd, id, opcode == 2013 ? 2013 : 1, fx_hello.doc,
		      fx_hello.len);
		return;
	}
	if (opcode != 2013) {
		snprintf(msg, sizeof(msg),
			 "Unsupported OP_QUERY command: %s. "
			 "The client driver may require an upgrade.",
			 cmd);
		n = error_doc(doc, 352, "UnsupportedOpQueryCommand", msg);
		reply(fd, id, 1, doc, n);
		return;
	}
	if (strcmp(cmd, "listDatabases") == 0) {
		const struct fixture *f = auth_mode ? &fx_unauth : &fx_list;

		reply(fd, id, 2013, f->doc, f->len);
		return;
	}
	if (strcmp(cmd, "ping") == 0) {
		n = error_doc(doc, 0, NULL, NULL);
	} else if (auth_mode) {
		snprintf(msg, sizeof(msg),
			 "command %s requires "
			 "authentication",
			 cmd);
		n = error_doc(doc, 13, "Unauthorized", msg);
	} else {
		snprintf(msg, sizeof(msg), "no such command: '%s'", cmd);
		n = error_doc(doc, 59, "CommandNotFound", msg);
	}
	reply(fd, id, 2013, doc, n);
}

/* the first key of the BSON document at p (n bytes) into cmd */
static int first_key(const uint8_t *p, size_t n, char *cmd, size_t size)
{
	size_t i;

	if (n < 7 || le32(p) > n || le32(p) < 7)
		return -1;
	for (i = 5; i < le32(p) && p[i] != 0; i++)
		;
	if (i >= le32(p) || i - 5 >= size)
		return -1;
	memcpy(cmd, p + 5, i - 5);
	cmd[i - 5] = '\0';
	return 0;
}

/* handles every complete message in c->in; -1 to drop the client */
static int serve(struct client *c)
{
	while (c->len >= 16) {
		uint32_t len = le32(c->in);
		int32_t id = (int32_t)le32(c->in + 4);
		uint32_t op = le32(c->in + 12);
		char cmd[128] = "";
		size_t pos;

		if (len < 16 || len > IN_MAX)
			return -1;
		if (c->len < len)
			break;
		if (op == 2013) {
			/* flagBits, then look for the kind-0 section */
			pos = 20;
			while (pos < len && c->in[pos] != 0) {
				if (len - pos < 5)
					return -1;
				pos += 1 + le32(c->in + pos + 1);
			}
			if (pos >= len ||
			    first_key(c->in + pos + 1, len - pos - 1, cmd,
				      sizeof(cmd)) < 0)
				return -1;
		} else if (op == 2004) {
			/* flags, collection cstring, skip, return, query */
			pos = 20;
			while (pos < len && c->in[pos] != 0)
				pos++;
			pos += 9;
			if (pos >= len || first_key(c->in + pos, len - pos, cmd,
						    sizeof(cmd)) < 0)
				return -1;
		} else {
			return -1;
		}
		answer(c->fd, id, (int)op, cmd);
		memmove(c->in, c->in + len, c->len - len);
		c->len -= len;
	}
	return 0;
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
		fprintf(stderr, "mongoreplay: %s is not a 127/8 address\n",
			addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0) {
		perror("mongoreplay: bind/listen");
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

	if (argc != 5 && !(argc == 7 && strcmp(argv[5], "--lifetime") == 0)) {
		fprintf(stderr, "usage: mongoreplay open|auth ADDR PORT "
				"FIXTURE_DIR [--lifetime SECONDS]\n");
		return 2;
	}
	if (strcmp(argv[1], "open") != 0 && strcmp(argv[1], "auth") != 0)
		return 2;
	auth_mode = strcmp(argv[1], "auth") == 0;
	port = (int)strtol(argv[3], &e, 10);
	if (*e || port <= 0 || port > 65535)
		return 2;
	if (argc == 7) {
		lifetime = strtol(argv[6], &e, 10);
		if (*e || lifetime <= 0 || lifetime > 7 * 86400)
			return 2;
	}
	if (load(argv[4], "hello.hex", &fx_hello) < 0 ||
	    load(argv[4], "listDatabases.hex", &fx_list) < 0 ||
	    load(argv[4], "unauthorized.hex", &fx_unauth) < 0)
		return 1;
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
			    c->len == IN_MAX) {
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	return 0;
}
