/*
 * zookeeper_wire.h - the ZooKeeper client protocol (jute, length-framed)
 * as far as the zookeeper check needs it: a session without credentials,
 * GetChildren of "/" and closeSession, and the replies; plus the text of
 * the four-letter words srvr and mntr. Pure: bytes in, struct or error
 * out; no I/O.
 */
#ifndef ZOOKEEPER_WIRE_H
#define ZOOKEEPER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZK_WIRE_MORE 1
#define ZK_FRAME_MAX (256 * 1024) /* a root with many children fits */
/* srvr / mntr text: a ZooKeeper 3.8 server's mntr is 485 lines, 16.0 KiB
 * when fresh, and grows with its counters' digits */
#define ZK_WORDS_MAX (64 * 1024)
#define ZK_CHILDREN_KEEP 16 /* names kept of the root's children */
#define ZK_NAME_KEEP 64
#define ZK_TEXT_KEEP 96
#define ZK_OUT_MAX 64

#define ZK_XID_CHILDREN 1
#define ZK_XID_CLOSE 2

/* builders: the framed request's length, or EXPO_ETOOBIG */
int zk_wire_connect(uint8_t *out, size_t size, unsigned timeout_ms);
int zk_wire_get_children(uint8_t *out, size_t size, const char *path);
int zk_wire_close(uint8_t *out, size_t size);

/* one frame at the start of buf: 0, *body and *blen (into buf) and *used;
 * ZK_WIRE_MORE; EXPO_EPROTO (a negative length) or EXPO_ETOOBIG */
int zk_wire_frame(const uint8_t *buf, size_t len, const uint8_t **body,
		  size_t *blen, size_t *used);

struct zk_session {
	int32_t protocol;
	int32_t timeout_ms;
	int64_t session_id; /* 0: the server refused the session */
	bool read_only;
};
int zk_wire_connect_reply(const uint8_t *body, size_t blen,
			  struct zk_session *s);

struct zk_children {
	int32_t xid;
	int64_t zxid;
	int32_t err;	 /* 0 ok; -101 NONODE, -102 NOAUTH, -115 AUTHFAILED,
		      * -124 SESSIONCLOSEDREQUIRESASLAUTH, ... */
	uint32_t count;	 /* children of the path (when err == 0) */
	unsigned nnames; /* kept, at most ZK_CHILDREN_KEEP */
	char names[ZK_CHILDREN_KEEP][ZK_NAME_KEEP];
};
/* a reply header and, for err 0 and xid ZK_XID_CHILDREN, the names */
int zk_wire_children_reply(const uint8_t *body, size_t blen,
			   struct zk_children *c);

/* srvr or mntr text (whatever arrived before the server closed) */
struct zk_words {
	bool answered;	  /* a srvr or mntr answer */
	bool not_allowed; /* "... is not in the whitelist" / disabled */
	char version[ZK_TEXT_KEEP];
	char mode[24];	   /* standalone, leader, follower, ... */
	long long nodes;   /* znode count, -1 if not given */
	long long clients; /* connections (mntr), -1 if not given */
};
int zk_wire_words(const char *text, size_t len, struct zk_words *w);

/* the name of a ZooKeeper error code ("NOAUTH") or NULL */
const char *zk_wire_err_name(int32_t err);

#endif
