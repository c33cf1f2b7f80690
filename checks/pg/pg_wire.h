/*
 * pg_wire.h - the PostgreSQL check's own login for password guesses
 * (checks/pg/pg.c, phase "login N"): the frontend/backend messages of a
 * startup and of its authentication (cleartext, md5, SCRAM-SHA-256), and
 * the SCRAM-SHA-256 key derivation. Why not libpq: libpq 15 on OpenSSL 3
 * spends 11.5 ms of CPU on each SCRAM key derivation (an HMAC key schedule
 * per PBKDF2 iteration); here the HMAC's inner and outer states are
 * computed once per password and each iteration is two SHA-256 block
 * compressions. No I/O here: the unit tests and tests/fuzz/fuzz_pg_wire.c
 * feed recorded server messages.
 * References: PostgreSQL "Frontend/Backend Protocol" (Message Formats,
 * SASL Authentication), RFC 5802 (SCRAM), RFC 7677 (SCRAM-SHA-256),
 * RFC 2898 / 8018 (PBKDF2), RFC 2104 (HMAC).
 */
#ifndef PG_WIRE_H
#define PG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pg_proto.h"

/* a server message longer than this during the login is not PostgreSQL
 * (an ErrorResponse is a few hundred bytes) */
#define PG_WIRE_MSG_MAX 8192
/* SCRAM iteration counts above this are left to libpq: a hostile server
 * must not make us spend seconds of CPU (PostgreSQL's default is 4096) */
#define PG_SCRAM_ITER_MAX 100000
#define PG_SCRAM_NONCE_LEN 24 /* base64 characters of the client nonce */

/* StartupMessage v3.0 for user, database "postgres", application_name
 * "exposure"; the length written, or 0 if it does not fit */
size_t pg_wire_startup(uint8_t *buf, size_t size, const char *user);

/* A message of the given type ('p': PasswordMessage, SASLInitialResponse,
 * SASLResponse) with body; the length written, or 0 if it does not fit */
size_t pg_wire_msg(uint8_t *buf, size_t size, uint8_t type, const void *body,
		   size_t n);

/*
 * The next whole server message in buf[0..len): 1 with *type, *body and
 * *n set and *used its length; 0 if more bytes are needed; -1 if it is
 * not a PostgreSQL message (bad length, or longer than PG_WIRE_MSG_MAX).
 */
int pg_wire_next(const uint8_t *buf, size_t len, uint8_t *type,
		 const uint8_t **body, size_t *n, size_t *used);

/* what an 'R' (Authentication*) message asks */
enum pg_auth_kind {
	PG_AUTH_OK = 0,
	PG_AUTH_CLEARTEXT = 3,
	PG_AUTH_MD5 = 5,
	PG_AUTH_SASL = 10,
	PG_AUTH_SASL_CONTINUE = 11,
	PG_AUTH_SASL_FINAL = 12,
	PG_AUTH_OTHER = -1, /* Kerberos, GSS, SSPI...: left to libpq */
	PG_AUTH_BAD = -2,   /* malformed */
};

struct pg_auth {
	enum pg_auth_kind kind;
	uint8_t salt[4];     /* md5 */
	bool has_scram;	     /* SASL: SCRAM-SHA-256 among the mechanisms */
	const uint8_t *data; /* SASL continue/final: the server's data */
	size_t ndata;
};
void pg_wire_auth(const uint8_t *body, size_t n, struct pg_auth *a);

/* an ErrorResponse's fields: severity, SQLSTATE and message, each cut to
 * its buffer; false if malformed (then the fields are empty) */
struct pg_error {
	char severity[16];
	char code[6];
	char message[256];
};
bool pg_wire_error(const uint8_t *body, size_t n, struct pg_error *e);

/* the outcome of a login that ended in e (pg_classify's rules on the
 * fields instead of libpq's text) */
enum pg_outcome pg_wire_outcome(const struct pg_error *e);

/* "md5" + hex(md5(hex(md5(password + user)) + salt)), NUL-terminated */
void pg_wire_md5(const char *user, const char *password, const uint8_t salt[4],
		 char out[36]);

/* ---- SCRAM-SHA-256 (client side) ---- */

struct pg_scram {
	char nonce[PG_SCRAM_NONCE_LEN + 1];
	char first_bare[64]; /* "n=<user>,r=<nonce>" */
	uint8_t server_key[32];
	char auth_message[1024]; /* kept for the server signature */
	size_t nauth;
};

/* PBKDF2-HMAC-SHA-256 with one precomputed HMAC state: 32 bytes */
void pg_scram_salted(const char *password, size_t plen, const uint8_t *salt,
		     size_t nsalt, unsigned iterations, uint8_t out[32]);
/* HMAC-SHA-256 (one shot) */
void pg_hmac_sha256(const uint8_t *key, size_t nkey, const void *msg, size_t n,
		    uint8_t out[32]);

/* the client-first message ("n,,n=<user>,r=<nonce>") for nonce
 * (printable, no comma); PostgreSQL's user is "" (the startup names the
 * role), the RFC 7677 example's "user"; its length, or 0 */
size_t pg_scram_first(struct pg_scram *s, const char *user, const char *nonce,
		      char *out, size_t size);

/*
 * The client-final message for the server-first message sf: checks that
 * the nonce extends ours, decodes salt and iteration count, derives the
 * keys. Its length in out, or 0 when sf is malformed or the iteration
 * count is above PG_SCRAM_ITER_MAX (then *too_costly is set).
 */
size_t pg_scram_final(struct pg_scram *s, const char *password,
		      const uint8_t *sf, size_t nsf, char *out, size_t size,
		      bool *too_costly);

/* true when the server-final message carries the right signature */
bool pg_scram_verify(const struct pg_scram *s, const uint8_t *sfin, size_t n);

/* true when a password goes through SASLprep unchanged (ASCII without
 * control characters: then libpq sends it as is) */
bool pg_scram_plain_password(const char *password);

#endif
