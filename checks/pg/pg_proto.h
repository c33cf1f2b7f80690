/*
 * pg_proto.h - pure helpers of the PostgreSQL check (checks/pg/pg.c): the
 * SSLRequest bytes and answer, and the classification of a libpq
 * connection attempt from what the server answered. No I/O here, so the
 * unit tests feed them recorded server answers.
 */
#ifndef PG_PROTO_H
#define PG_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "check.h"

/* SSLRequest: int32 length 8, int32 code 80877103 (1234 << 16 | 5679) */
#define PG_SSLREQUEST_LEN 8
extern const uint8_t pg_sslrequest[PG_SSLREQUEST_LEN];

/* what the one-byte answer to an SSLRequest means */
enum pg_ssl_answer {
	PG_SSL_YES,   /* 'S': TLS may follow */
	PG_SSL_NO,    /* 'N': cleartext only */
	PG_SSL_ERROR, /* 'E': a server too old for SSLRequest */
	PG_SSL_OTHER, /* anything else: not PostgreSQL */
};
enum pg_ssl_answer pg_ssl_answer(uint8_t byte);

/* how one connection attempt ended */
enum pg_outcome {
	PG_OK = 0,	  /* logged in */
	PG_NEED_PASSWORD, /* a password was asked and none given */
	PG_BAD_PASSWORD,  /* 28P01 */
	PG_NO_DATABASE,	  /* 3D000: authentication succeeded first */
	PG_NO_ROLE,	  /* 28000 other than pg_hba: unknown role,
				 * NOLOGIN role */
	PG_FORBIDDEN,	  /* 28000 from pg_hba.conf: this address (or
				 * user/database/encryption) may not log in */
	PG_BUSY,	  /* 53300 too many connections, 57P03 cannot
				 * connect now, 57P01 shutting down */
	PG_SERVER_ERROR,  /* another SQLSTATE */
	PG_FAILED,	  /* no SQLSTATE: I/O, TLS, not PostgreSQL */
};
const char *pg_outcome_name(enum pg_outcome o);

/*
 * The first SQLSTATE in a libpq error message built with
 * PQERRORS_VERBOSE ("... FATAL:  28P01: password authentication ..."):
 * five characters of [0-9A-Z] after two spaces and before a colon.
 * Copies it into out and returns true, or returns false.
 */
bool pg_sqlstate(const char *msg, char out[6]);

/*
 * The outcome of an attempt: ok when PQconnectPoll() reached
 * PGRES_POLLING_OK, need_password from PQconnectionNeedsPassword(),
 * msg from PQerrorMessage() (verbose). The pg_hba.conf test is on the
 * message text because "no pg_hba.conf entry" and "role does not exist"
 * share 28000; the file name is not translated.
 */
enum pg_outcome pg_classify(bool ok, bool need_password, const char *msg);
/* the outcome of an error with SQLSTATE code and text msg (the rules of
 * pg_classify; also for the own login's ErrorResponse, pg_wire.c) */
enum pg_outcome pg_code_outcome(const char *code, const char *msg);

/* what an outcome tells the credential guard; false: no verdict */
bool pg_cred_verdict(enum pg_outcome o, enum cred_result *r);

/* true when the answer came from a PostgreSQL server (or pooler) */
bool pg_outcome_is_postgres(enum pg_outcome o);

#endif
