/*
 * mysql_wire.h - bounded parsers and builders for the MySQL/MariaDB client
 * protocol up to authentication: packet framing, the server's Handshake
 * V10, OK/ERR/AuthSwitchRequest/AuthMoreData replies, our
 * HandshakeResponse41, and the mysql_native_password and
 * caching_sha2_password scrambles. Pure functions (no I/O); returned
 * pointers point into the caller's buffer.
 * Reference: https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html
 */
#ifndef MYSQL_WIRE_H
#define MYSQL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MYSQL_WIRE_MORE 1	/* incomplete: read more */
#define MYSQL_PAYLOAD_MAX 16384 /* handshake, replies, a PEM key */
#define MYSQL_SCRAMBLE_LEN 20

/* capability flags we use */
#define MYSQL_CLIENT_LONG_PASSWORD 0x00000001u
#define MYSQL_CLIENT_PROTOCOL_41 0x00000200u
#define MYSQL_CLIENT_SSL 0x00000800u
#define MYSQL_CLIENT_SECURE_CONNECTION 0x00008000u
#define MYSQL_CLIENT_PLUGIN_AUTH 0x00080000u

/* one packet at the start of buf: 0 with its payload, length, sequence
 * number and *used; MYSQL_WIRE_MORE; EXPO_ETOOBIG (over our cap) */
int mysql_wire_packet(const uint8_t *buf, size_t len, const uint8_t **payload,
		      size_t *plen, uint8_t *seq, size_t *used);

struct mysql_err {
	unsigned code;	   /* 1045 access denied, 1130 host not allowed */
	char message[160]; /* printable ASCII, cut */
};

struct mysql_handshake {
	bool is_error; /* an ERR packet instead (err below) */
	struct mysql_err err;
	unsigned protocol; /* 10 */
	char version[64];
	uint32_t caps;
	uint8_t scramble[MYSQL_SCRAMBLE_LEN];
	char plugin[64]; /* "" when the server names none */
};

/* the server's first packet: 0, or EXPO_EPARSE / EXPO_EPROTO (not
 * protocol 10: another service) */
int mysql_wire_handshake(const uint8_t *p, size_t n, struct mysql_handshake *h);

enum mysql_reply_kind {
	MYSQL_R_OK,
	MYSQL_R_ERR,
	MYSQL_R_SWITCH, /* AuthSwitchRequest: plugin + data */
	MYSQL_R_MORE,	/* AuthMoreData: data */
};

struct mysql_reply {
	enum mysql_reply_kind kind;
	struct mysql_err err;
	char plugin[64];
	const uint8_t *data;
	size_t dlen;
};

/* a reply during authentication: 0, or EXPO_EPARSE / EXPO_EPROTO */
int mysql_wire_reply(const uint8_t *p, size_t n, struct mysql_reply *r);

/* HandshakeResponse41 as one packet (header included) with sequence seq:
 * its length, or EXPO_ETOOBIG */
int mysql_wire_login(uint8_t *out, size_t size, uint8_t seq, const char *user,
		     const uint8_t *auth, size_t alen, const char *plugin);
/* one packet around payload: its length, or EXPO_ETOOBIG */
int mysql_wire_frame(uint8_t *out, size_t size, uint8_t seq,
		     const uint8_t *payload, size_t plen);

/* mysql_native_password: SHA1(pw) XOR SHA1(scramble SHA1(SHA1(pw))) into
 * out[20]; *len = 0 for the empty password, else 20 */
void mysql_scramble_native(const char *pw, const uint8_t *scramble,
			   uint8_t out[20], size_t *len);
/* caching_sha2_password fast path: SHA256(pw) XOR
 * SHA256(SHA256(SHA256(pw)) scramble) into out[32]; *len 0 or 32 */
void mysql_scramble_sha2(const char *pw, const uint8_t *scramble,
			 uint8_t out[32], size_t *len);
/* caching_sha2_password full authentication without TLS: (pw NUL) XOR
 * scramble, RSA-OAEP encrypted with the server's PEM public key, into
 * out: 0 and *len, or EXPO_EPARSE (no usable key) / EXPO_ETOOBIG */
int mysql_rsa_password(const char *pw, const uint8_t *scramble,
		       const uint8_t *pem, size_t pemlen, uint8_t *out,
		       size_t size, size_t *len);

#endif
