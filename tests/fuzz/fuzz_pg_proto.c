/*
 * fuzz_pg_proto.c - libFuzzer harness for what the PostgreSQL check
 * (checks/pg/pg.c) reads from a server outside libpq: the one-byte answer
 * to SSLRequest (pg_ssl_answer), the server's error text as libpq hands it
 * over (pg_sqlstate, pg_classify, pg_cred_verdict), and assess() on facts
 * holding the server's strings (server_version, TLS protocol) as pg.c
 * records them. Input: byte 0 the SSL answer, byte 1 flags, then the
 * error message up to a NUL, then the server_version string.
 * Seeds: tests/fuzz/corpus/fuzz_pg_proto (messages of PostgreSQL 15).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "pg/pg_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_pg;

static const char *const ssl_names[] = {
	[PG_SSL_YES] = "S",
	[PG_SSL_NO] = "N",
	[PG_SSL_ERROR] = "E",
	[PG_SSL_OTHER] = "other",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_config cfg;
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	struct check_ctx *ctx = NULL;
	enum pg_ssl_answer ans;
	enum pg_outcome o;
	enum cred_result cr;
	cJSON *facts = NULL, *logins, *login;
	char *msg = NULL, *version;
	char code[6];
	size_t mlen;
	uint8_t fl;

	if (size < 2)
		return 0;
	if (!ready) {
		scan_config_defaults(&cfg);
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	ans = pg_ssl_answer(data[0]);
	if ((unsigned)ans > PG_SSL_OTHER)
		__builtin_trap();
	fl = data[1];
	/* libpq's message is a C string: the text up to the first NUL */
	msg = malloc(size - 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data + 2, size - 2);
	msg[size - 2] = '\0';
	mlen = strlen(msg);
	version = mlen + 1 < size - 1 ? msg + mlen + 1 : msg + mlen;
	if (pg_sqlstate(msg, code) && strlen(code) != 5)
		__builtin_trap();
	o = pg_classify(fl & 1, fl & 2, msg);
	(void)pg_outcome_name(o);
	if (pg_cred_verdict(o, &cr) && (unsigned)cr > CRED_NO_ACCOUNT)
		__builtin_trap();

	facts = cJSON_CreateObject();
	cJSON_AddStringToObject(facts, "ssl_answer", ssl_names[ans]);
	cJSON_AddStringToObject(facts, "hello", pg_outcome_name(o));
	if (pg_outcome_is_postgres(o))
		cJSON_AddBoolToObject(facts, "is_postgres", true);
	if (fl & 4) {
		cJSON_AddBoolToObject(facts, "accepts_any_user", true);
		cJSON_AddStringToObject(facts, "accepts_any_user_name", msg);
	}
	if (fl & 8) {
		cJSON_AddBoolToObject(facts, "accepts_any_credential", true);
		cJSON_AddStringToObject(facts, "canary_user", "exposure_x");
		cJSON_AddStringToObject(facts, "canary_password", msg);
	}
	logins = cJSON_AddArrayToObject(facts, "logins");
	login = cJSON_CreateObject();
	cJSON_AddItemToArray(logins, login);
	cJSON_AddStringToObject(login, "user", "postgres");
	cJSON_AddStringToObject(login, "password", fl & 16 ? "" : "postgres");
	cJSON_AddBoolToObject(login, "trust", fl & 16);
	cJSON_AddBoolToObject(login, "db_missing", o == PG_NO_DATABASE);
	if (fl & 32)
		cJSON_AddStringToObject(login, "tls", version);
	cJSON_AddStringToObject(login, "server_version", version);
	if (fl & 64)
		cJSON_AddBoolToObject(login, "superuser", fl & 128);
	else
		cJSON_AddBoolToObject(login, "superuser_param", fl & 128);
	ctx = ctx_new(&check_pg, &cfg, &t, &addr, check_pg.ports[0], NULL);
	if (ctx != NULL)
		check_pg.assess(facts, ctx);
	ctx_free(ctx);
	cJSON_Delete(facts);
	free(msg);
	return 0;
}
