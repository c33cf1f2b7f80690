/*
 * fuzz_pg_wire.c - libFuzzer harness for the PostgreSQL check's own login
 * (checks/pg/pg_wire.c), as pg.c drives it: the input is what a server
 * sends after our startup, a stream of messages. Each whole message is
 * framed by pg_wire_next(); 'R' goes to pg_wire_auth() and, for SASL,
 * through pg_scram_first() (a fixed nonce, "fuzznonce" below),
 * pg_scram_final() with the SASLContinue data and pg_scram_verify() with
 * the SASLFinal data; 'E' goes to pg_wire_error() and pg_wire_outcome().
 * Seeds: tests/fuzz/corpus/fuzz_pg_wire (PostgreSQL 15 exchanges: SCRAM
 * with a wrong password, md5, cleartext, pg_hba.conf refusal).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "pg/pg_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_scram s;
	char out[512];
	bool started = false, costly;
	uint8_t type;
	const uint8_t *body;
	size_t n, used, off = 0;
	unsigned msgs = 0;

	memset(&s, 0, sizeof(s));
	while (msgs++ < 64 && pg_wire_next(data + off, size - off, &type, &body,
					   &n, &used) == 1) {
		struct pg_auth a;
		struct pg_error e;
		char md5[36];

		off += used;
		if (type == 'E') {
			if (pg_wire_error(body, n, &e))
				(void)pg_wire_outcome(&e);
			continue;
		}
		if (type != 'R')
			continue;
		pg_wire_auth(body, n, &a);
		switch (a.kind) {
		case PG_AUTH_MD5:
			pg_wire_md5("postgres", "postgres", a.salt, md5);
			break;
		case PG_AUTH_SASL:
			started = pg_scram_first(&s, "", "fuzznonce", out,
						 sizeof(out)) > 0;
			break;
		case PG_AUTH_SASL_CONTINUE:
			if (started)
				(void)pg_scram_final(&s, "password", a.data,
						     a.ndata, out, sizeof(out),
						     &costly);
			break;
		case PG_AUTH_SASL_FINAL:
			(void)pg_scram_verify(&s, a.data, a.ndata);
			break;
		default:
			break;
		}
	}
	return 0;
}
