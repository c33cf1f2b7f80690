/*
 * mongodb_wire.h - bounded BSON reader and writer, and the OP_MSG framing
 * of the MongoDB wire protocol. Pure functions: bytes in, struct or error
 * out; returned pointers point into the caller's buffer.
 * References: https://bsonspec.org/spec.html,
 * https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */
#ifndef MONGODB_WIRE_H
#define MONGODB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONGO_WIRE_MORE 1		/* incomplete: read more bytes */
#define MONGO_MSG_MAX (4 * 1024 * 1024) /* our cap on one reply */
#define MONGO_BSON_DEPTH 32		/* nesting we validate */
#define MONGO_OP_REPLY 1
#define MONGO_OP_MSG 2013

/* a validated BSON document (bson_doc) and a cursor over its elements */
struct bson_iter {
	const uint8_t *p;
	size_t len; /* the whole document, header and NUL */
	size_t pos;
};

struct bson_elem {
	uint8_t type;
	const char *key; /* NUL-terminated inside the document */
	const uint8_t *val;
	size_t vlen;
};

/* buf[0..len) is exactly one well-formed document (recursively, to
 * MONGO_BSON_DEPTH): 0 and *it, or EXPO_EPARSE / EXPO_ETOOBIG (depth) */
int bson_doc(const uint8_t *buf, size_t len, struct bson_iter *it);
/* 1 and *e, 0 at the end (the document was validated by bson_doc) */
int bson_next(struct bson_iter *it, struct bson_elem *e);
/* the top-level element named key: true and *e */
bool bson_find(const struct bson_iter *doc, const char *key,
	       struct bson_elem *e);
/* a double, int32 or int64 element as a double */
bool bson_number(const struct bson_elem *e, double *out);
/* a string element: its bytes (NUL-terminated) and length */
bool bson_string(const struct bson_elem *e, const char **s, size_t *n);
/* an embedded document or array element */
bool bson_subdoc(const struct bson_elem *e, struct bson_iter *it);

/* A small writer into a fixed buffer: any overflow sets err. */
struct bson_out {
	uint8_t *buf;
	size_t size, len;
	size_t start[4]; /* open documents' offsets */
	unsigned depth;
	int err;
};

void bson_out_init(struct bson_out *o, uint8_t *buf, size_t size);
void bson_begin(struct bson_out *o);
void bson_end(struct bson_out *o);
void bson_add_int32(struct bson_out *o, const char *key, int32_t v);
void bson_add_bool(struct bson_out *o, const char *key, bool v);
void bson_add_string(struct bson_out *o, const char *key, const char *v);

/* one OP_MSG request (flags 0, one kind-0 section) into out:
 * its length, or EXPO_ETOOBIG */
int mongo_wire_op_msg(uint8_t *out, size_t size, int32_t request_id,
		      const uint8_t *doc, size_t doclen);

struct mongo_msg {
	int32_t length, request_id, response_to, opcode;
	uint32_t flags;
	struct bson_iter body; /* the kind-0 section */
};

/* one message at the start of buf: 0 and *used, MONGO_WIRE_MORE,
 * EXPO_EPROTO (not OP_MSG, or not the wire protocol at all; m->opcode
 * says which), EXPO_ETOOBIG, EXPO_EPARSE */
int mongo_wire_reply(const uint8_t *buf, size_t len, struct mongo_msg *m,
		     size_t *used);

#endif
