/*
 * pg_proto.c - pure helpers of the PostgreSQL check: the SSLRequest and
 * the classification of connection attempts (see pg_proto.h).
 * References: PostgreSQL protocol "Message Formats" (SSLRequest) and
 * "PostgreSQL Error Codes" (appendix A).
 */
#include <string.h>
#include "expo.h"
#include "pg_proto.h"

const uint8_t pg_sslrequest[PG_SSLREQUEST_LEN] = {
	0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f,
};

enum pg_ssl_answer pg_ssl_answer(uint8_t byte)
{
	enum pg_ssl_answer a = PG_SSL_OTHER;

	if (byte == 'S')
		a = PG_SSL_YES;
	else if (byte == 'N')
		a = PG_SSL_NO;
	else if (byte == 'E')
		a = PG_SSL_ERROR;
	return a;
}

const char *pg_outcome_name(enum pg_outcome o)
{
	static const char *const names[] = {
		[PG_OK] = "ok",
		[PG_NEED_PASSWORD] = "password required",
		[PG_BAD_PASSWORD] = "wrong password",
		[PG_NO_DATABASE] = "database does not exist",
		[PG_NO_ROLE] = "role refused",
		[PG_FORBIDDEN] = "no pg_hba.conf entry",
		[PG_BUSY] = "server busy",
		[PG_SERVER_ERROR] = "server error",
		[PG_FAILED] = "failed",
	};

	return (unsigned)o < ARRAY_SIZE(names) ? names[o] : "?";
}

static bool sqlstate_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

bool pg_sqlstate(const char *msg, char out[6])
{
	size_t i, j, n;
	bool found = false;

	if (msg == NULL)
		goto out;
	n = strlen(msg);
	for (i = 2; !found && i + 6 <= n; i++) {
		if (msg[i - 1] != ' ' || msg[i - 2] != ' ' || msg[i + 5] != ':')
			continue;
		for (j = 0; j < 5 && sqlstate_char(msg[i + j]); j++)
			;
		if (j < 5)
			continue;
		memcpy(out, msg + i, 5);
		out[5] = '\0';
		found = true;
	}
out:
	return found;
}

enum pg_outcome pg_classify(bool ok, bool need_password, const char *msg)
{
	char code[6];
	enum pg_outcome o = PG_FAILED;

	if (ok) {
		o = PG_OK;
		goto out;
	}
	if (!pg_sqlstate(msg, code)) {
		/* libpq gave up before the server said why: it asked for a
		 * password and we had none */
		if (need_password)
			o = PG_NEED_PASSWORD;
		goto out;
	}
	o = pg_code_outcome(code, msg);
out:
	return o;
}

enum pg_outcome pg_code_outcome(const char *code, const char *msg)
{
	enum pg_outcome o;

	if (strcmp(code, "28P01") == 0)
		o = PG_BAD_PASSWORD;
	else if (strcmp(code, "3D000") == 0)
		o = PG_NO_DATABASE;
	else if (strcmp(code, "28000") == 0)
		o = strstr(msg, "pg_hba.conf") != NULL ? PG_FORBIDDEN
						       : PG_NO_ROLE;
	else if (strcmp(code, "53300") == 0 || strcmp(code, "57P03") == 0 ||
		 strcmp(code, "57P01") == 0)
		o = PG_BUSY;
	else
		o = PG_SERVER_ERROR;
	return o;
}

bool pg_cred_verdict(enum pg_outcome o, enum cred_result *r)
{
	bool verdict = true;

	switch (o) {
	case PG_OK:
	case PG_NO_DATABASE: /* the password was checked first */
		*r = CRED_ACCEPTED;
		break;
	case PG_NO_ROLE:
		/* said only after authentication (trust, or a NOLOGIN role):
		 * no other password changes it */
		*r = CRED_NO_ACCOUNT;
		break;
	case PG_NEED_PASSWORD:
	case PG_BAD_PASSWORD:
	case PG_SERVER_ERROR:
		*r = CRED_FAILED;
		break;
	case PG_FORBIDDEN:
		*r = CRED_FORBIDDEN;
		break;
	case PG_BUSY:
	case PG_FAILED:
	default:
		verdict = false;
		break;
	}
	return verdict;
}

bool pg_outcome_is_postgres(enum pg_outcome o)
{
	return o != PG_FAILED;
}
