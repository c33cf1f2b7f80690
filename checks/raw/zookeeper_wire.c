/*
 * zookeeper_wire.c - ZooKeeper client protocol and four-letter-word text;
 * see zookeeper_wire.h. Every length from the server is checked against
 * what is left of its frame before it is used.
 */
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "rawtext.h"
#include "zookeeper_wire.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

int zk_wire_connect(uint8_t *out, size_t size, unsigned timeout_ms)
{
	/* protocolVersion, lastZxidSeen, timeOut, sessionId, passwd[16],
	 * readOnly */
	const size_t n = 4 + 8 + 4 + 8 + 4 + 16 + 1;

	if (size < 4 + n)
		return EXPO_ETOOBIG;
	memset(out, 0, 4 + n);
	put32(out, (uint32_t)n);
	put32(out + 4 + 12, timeout_ms);
	put32(out + 4 + 24, 16);
	return (int)(4 + n);
}

int zk_wire_get_children(uint8_t *out, size_t size, const char *path)
{
	size_t pl = strlen(path), n = 4 + 4 + 4 + pl + 1;

	if (pl > 32 || size < 4 + n)
		return EXPO_ETOOBIG;
	put32(out, (uint32_t)n);
	put32(out + 4, ZK_XID_CHILDREN);
	put32(out + 8, 8); /* OpCode.getChildren */
	put32(out + 12, (uint32_t)pl);
	memcpy(out + 16, path, pl);
	out[16 + pl] = 0; /* no watch */
	return (int)(4 + n);
}

int zk_wire_close(uint8_t *out, size_t size)
{
	if (size < 12)
		return EXPO_ETOOBIG;
	put32(out, 8);
	put32(out + 4, ZK_XID_CLOSE);
	put32(out + 8, (uint32_t)-11); /* OpCode.closeSession */
	return 12;
}

int zk_wire_frame(const uint8_t *buf, size_t len, const uint8_t **body,
		  size_t *blen, size_t *used)
{
	uint32_t n;

	if (len < 4)
		return ZK_WIRE_MORE;
	n = get32(buf);
	if (n & 0x80000000u)
		return EXPO_EPROTO;
	if (n > ZK_FRAME_MAX)
		return EXPO_ETOOBIG;
	if (len - 4 < n)
		return ZK_WIRE_MORE;
	*body = buf + 4;
	*blen = n;
	*used = 4 + (size_t)n;
	return 0;
}

int zk_wire_connect_reply(const uint8_t *body, size_t blen,
			  struct zk_session *s)
{
	uint32_t pl;

	memset(s, 0, sizeof(*s));
	if (blen < 4 + 4 + 8 + 4)
		return EXPO_EPROTO;
	s->protocol = (int32_t)get32(body);
	s->timeout_ms = (int32_t)get32(body + 4);
	s->session_id = (int64_t)get64(body + 8);
	pl = get32(body + 16);
	/* the session password: 16 bytes, or -1 (none) */
	if (pl != 0xffffffffu && (pl > 64 || pl > blen - 20))
		return EXPO_EPROTO;
	if (s->protocol != 0 || s->timeout_ms < 0)
		return EXPO_EPROTO;
	if (pl != 0xffffffffu && blen > 20 + pl)
		s->read_only = body[20 + pl] != 0;
	return 0;
}

int zk_wire_children_reply(const uint8_t *body, size_t blen,
			   struct zk_children *c)
{
	size_t off = 16, i;
	uint32_t n, sl;

	memset(c, 0, sizeof(*c));
	if (blen < 16)
		return EXPO_EPROTO;
	c->xid = (int32_t)get32(body);
	c->zxid = (int64_t)get64(body + 4);
	c->err = (int32_t)get32(body + 12);
	if (c->err != 0 || c->xid != ZK_XID_CHILDREN)
		return 0;
	if (blen - off < 4)
		return EXPO_EPROTO;
	n = get32(body + off);
	off += 4;
	/* each child takes 4 bytes at least: the count must fit */
	if (n == 0xffffffffu) {
		c->count = 0; /* a null vector */
		return 0;
	}
	if (n > (blen - off) / 4)
		return EXPO_EPROTO;
	c->count = n;
	for (i = 0; i < n; i++) {
		if (blen - off < 4)
			return EXPO_EPROTO;
		sl = get32(body + off);
		off += 4;
		if (sl == 0xffffffffu)
			continue;
		if (sl > blen - off)
			return EXPO_EPROTO;
		if (c->nnames < ZK_CHILDREN_KEEP)
			raw_text(body + off, sl, c->names[c->nnames++],
				 ZK_NAME_KEEP);
		off += sl;
	}
	return 0;
}

/* the value after "key" on a line (after ": " or a tab), printable */
static void value_of(const char *line, size_t len, size_t klen, char *out,
		     size_t size)
{
	size_t i = klen;

	while (i < len && (line[i] == ':' || line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len > i && line[len - 1] == '\r')
		len--;
	raw_text((const uint8_t *)line + i, len - i, out, size);
}

static long long num_of(const char *line, size_t len, size_t klen)
{
	char v[24], *end;
	long long n;

	value_of(line, len, klen, v, sizeof(v));
	n = strtoll(v, &end, 10);
	return end != v && n >= 0 ? n : -1;
}

static bool starts(const char *line, size_t len, const char *key)
{
	size_t n = strlen(key);

	return len >= n && memcmp(line, key, n) == 0;
}

int zk_wire_words(const char *text, size_t len, struct zk_words *w)
{
	static const char refused[] = "is not executed because it is not "
				      "in the whitelist";
	static const char disabled[] = "command is disabled";
	size_t off = 0, n;
	const char *line, *nl;

	memset(w, 0, sizeof(*w));
	w->nodes = -1;
	w->clients = -1;
	if (len > ZK_WORDS_MAX)
		return EXPO_ETOOBIG;
	while (off < len) {
		line = text + off;
		nl = memchr(line, '\n', len - off);
		n = nl ? (size_t)(nl - line) : len - off;
		off += n + (nl != NULL);
		if (starts(line, n, "Zookeeper version:")) {
			value_of(line, n, 18, w->version, sizeof(w->version));
			w->answered = true;
		} else if (starts(line, n, "zk_version\t")) {
			value_of(line, n, 10, w->version, sizeof(w->version));
			w->answered = true;
		} else if (starts(line, n, "Mode:")) {
			value_of(line, n, 5, w->mode, sizeof(w->mode));
		} else if (starts(line, n, "zk_server_state\t")) {
			value_of(line, n, 15, w->mode, sizeof(w->mode));
		} else if (starts(line, n, "Node count:")) {
			w->nodes = num_of(line, n, 11);
		} else if (starts(line, n, "zk_znode_count\t")) {
			w->nodes = num_of(line, n, 14);
		} else if (starts(line, n, "Connections:")) {
			w->clients = num_of(line, n, 12);
		} else if (starts(line, n, "zk_num_alive_connections\t")) {
			w->clients = num_of(line, n, 24);
		} else if (memmem(line, n, refused, sizeof(refused) - 1) !=
				   NULL ||
			   memmem(line, n, disabled, sizeof(disabled) - 1) !=
				   NULL) {
			w->not_allowed = true;
		}
	}
	return w->answered || w->not_allowed ? 0 : EXPO_EPROTO;
}

const char *zk_wire_err_name(int32_t err)
{
	switch (err) {
	case 0:
		return "OK";
	case -4:
		return "CONNECTIONLOSS";
	case -101:
		return "NONODE";
	case -102:
		return "NOAUTH";
	case -112:
		return "SESSIONEXPIRED";
	case -115:
		return "AUTHFAILED";
	case -124:
		return "SESSIONCLOSEDREQUIRESASLAUTH";
	default:
		return NULL;
	}
}
