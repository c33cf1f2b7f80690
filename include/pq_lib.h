/*
 * pq_lib.h - libpq, opened at first use (dlopen) instead of linked: with
 * its GSSAPI, LDAP and TLS dependencies it costs ~2 MB of resident memory
 * that scans without PostgreSQL (port discovery, SSH, ...) must not pay.
 * Include this instead of <libpq-fe.h>; the calls keep their names and go
 * through the loaded library's table. Call pq_lib_load() before the first.
 */
#ifndef PQ_LIB_H
#define PQ_LIB_H

#include <stddef.h>
#include <libpq-fe.h>

/* one symbol a line, kept so by hand */
/* clang-format off */
#define PQ_LIB_FUNCS(X) \
	X(PQclear) \
	X(PQconnectPoll) \
	X(PQconnectStartParams) \
	X(PQconnectdbParams) \
	X(PQconnectionNeedsPassword) \
	X(PQconnectionUsedPassword) \
	X(PQconsumeInput) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQfinish) \
	X(PQflush) \
	X(PQgetResult) \
	X(PQgetvalue) \
	X(PQisBusy) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQparameterStatus) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQueryParams) \
	X(PQsetErrorVerbosity) \
	X(PQsetNoticeProcessor) \
	X(PQsetnonblocking) \
	X(PQsocket) \
	X(PQsslAttribute) \
	X(PQsslInUse) \
	X(PQstatus)
/* clang-format on */

struct pq_lib {
#define PQ_LIB_MEMBER(f) __typeof__(&f) f;
	PQ_LIB_FUNCS(PQ_LIB_MEMBER)
#undef PQ_LIB_MEMBER
};

extern struct pq_lib pq_lib;

/* loads libpq once (thread-safe); 0, or < 0 with err filled */
int pq_lib_load(char *err, size_t errlen);

#ifndef PQ_LIB_IMPL
#define PQclear (pq_lib.PQclear)
#define PQconnectPoll (pq_lib.PQconnectPoll)
#define PQconnectStartParams (pq_lib.PQconnectStartParams)
#define PQconnectdbParams (pq_lib.PQconnectdbParams)
#define PQconnectionNeedsPassword (pq_lib.PQconnectionNeedsPassword)
#define PQconnectionUsedPassword (pq_lib.PQconnectionUsedPassword)
#define PQconsumeInput (pq_lib.PQconsumeInput)
#define PQerrorMessage (pq_lib.PQerrorMessage)
#define PQexec (pq_lib.PQexec)
#define PQexecParams (pq_lib.PQexecParams)
#define PQfinish (pq_lib.PQfinish)
#define PQflush (pq_lib.PQflush)
#define PQgetResult (pq_lib.PQgetResult)
#define PQgetvalue (pq_lib.PQgetvalue)
#define PQisBusy (pq_lib.PQisBusy)
#define PQnfields (pq_lib.PQnfields)
#define PQntuples (pq_lib.PQntuples)
#define PQparameterStatus (pq_lib.PQparameterStatus)
#define PQresultErrorMessage (pq_lib.PQresultErrorMessage)
#define PQresultStatus (pq_lib.PQresultStatus)
#define PQsendQueryParams (pq_lib.PQsendQueryParams)
#define PQsetErrorVerbosity (pq_lib.PQsetErrorVerbosity)
#define PQsetNoticeProcessor (pq_lib.PQsetNoticeProcessor)
#define PQsetnonblocking (pq_lib.PQsetnonblocking)
#define PQsocket (pq_lib.PQsocket)
#define PQsslAttribute (pq_lib.PQsslAttribute)
#define PQsslInUse (pq_lib.PQsslInUse)
#define PQstatus (pq_lib.PQstatus)
#endif

#endif
