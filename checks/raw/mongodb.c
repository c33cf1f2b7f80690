/*
 * mongodb.c - mongodb.no_auth: does MongoDB list databases without
 * authentication?
 *
 * What it sends, on one TCP connection, each an OP_MSG (opcode 2013; the
 * legacy OP_QUERY that nmap and nuclei use is refused by MongoDB >= 5.1,
 * SERVER-58338):
 *  1. "hello": {hello: 1, $db: "admin"} - allowed without authentication
 *     on every server; gives the wire version and the node's role;
 *  2. "listDatabases": {listDatabases: 1, nameOnly: true, $db: "admin"}.
 * ok: 1 with a databases array proves unauthenticated access (confirmed);
 * the evidence is the number of databases, never their names. ok: 0 with
 * code 13 (Unauthorized) is the negative. It does not log in and changes
 * nothing. BSON is read by our own bounded reader (mongodb_wire.c).
 * References: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/,
 * https://www.mongodb.com/docs/manual/reference/command/hello/,
 * https://www.mongodb.com/docs/manual/reference/command/listDatabases/,
 * https://www.mongodb.com/docs/manual/legacy-opcodes/.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "mongodb_wire.h"
#include "rawio.h"

#define MONGO_REQ_MAX 256
#define MONGO_ERR_KEEP 160

enum mongo_phase { MP_HELLO = 0, MP_LIST, MP_DONE };

struct mongo_probe {
	struct rawio io;
	enum mongo_phase phase;
};

/* queues one command as an OP_MSG with request id id */
static int queue_cmd(struct rawio *io, int32_t id, const char *cmd,
		     bool name_only)
{
	uint8_t doc[MONGO_REQ_MAX], msg[MONGO_REQ_MAX + 32];
	struct bson_out o;
	int n, err;

	bson_out_init(&o, doc, sizeof(doc));
	bson_begin(&o);
	bson_add_int32(&o, cmd, 1);
	if (name_only)
		bson_add_bool(&o, "nameOnly", true);
	bson_add_string(&o, "$db", "admin");
	bson_end(&o);
	err = o.err;
	if (err < 0)
		goto out;
	n = mongo_wire_op_msg(msg, sizeof(msg), id, doc, o.len);
	err = n < 0 ? n : rawio_queue(io, msg, (size_t)n);
out:
	return err;
}

static int mongo_start(struct check_ctx *ctx, void *state)
{
	struct mongo_probe *st = state;
	int err;

	rawio_init(&st->io, MONGO_MSG_MAX, 2 * MONGO_REQ_MAX);
	ctx_phase(ctx, "hello");
	err = rawio_open(ctx, &st->io);
	if (err == 0)
		err = queue_cmd(&st->io, 1, "hello", false);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

static bool doc_num(const struct bson_iter *d, const char *key, double *v)
{
	struct bson_elem e;

	return bson_find(d, key, &e) && bson_number(&e, v);
}

static bool doc_true(const struct bson_iter *d, const char *key)
{
	struct bson_elem e;

	return bson_find(d, key, &e) && e.type == 0x08 && e.val[0] == 1;
}

/* a string field, printable ASCII, cut to size; "" if absent */
static void doc_str(const struct bson_iter *d, const char *key, char *out,
		    size_t size)
{
	struct bson_elem e;
	const char *s = NULL;
	size_t n = 0, i, k = 0;

	if (bson_find(d, key, &e) && bson_string(&e, &s, &n))
		for (i = 0; i < n && k + 1 < size; i++)
			if (s[i] >= 0x20 && s[i] < 0x7f)
				out[k++] = s[i];
	out[k] = '\0';
}

static int record_hello(cJSON *facts, const struct bson_iter *d)
{
	double ok = 0, wire = -1;
	const char *role = "unknown";
	char msg[32], set[2];
	int err = EXPO_ENOMEM;

	doc_num(d, "ok", &ok);
	doc_num(d, "maxWireVersion", &wire);
	doc_str(d, "msg", msg, sizeof(msg));
	doc_str(d, "setName", set, sizeof(set));
	if (strcmp(msg, "isdbgrid") == 0)
		role = "mongos";
	else if (doc_true(d, "isWritablePrimary") || doc_true(d, "ismaster"))
		role = set[0] ? "replica set primary" : "standalone";
	else if (doc_true(d, "secondary"))
		role = "replica set secondary";
	if (!cJSON_AddBoolToObject(facts, "hello_ok", ok == 1) ||
	    !cJSON_AddNumberToObject(facts, "max_wire_version", wire) ||
	    !cJSON_AddStringToObject(facts, "role", role))
		goto out;
	err = 0;
out:
	return err;
}

static int record_list(cJSON *facts, const struct bson_iter *d)
{
	struct bson_elem e, db;
	struct bson_iter arr;
	double ok = 0, code = -1;
	char text[MONGO_ERR_KEEP], name[48];
	unsigned n = 0;
	int err = EXPO_ENOMEM;

	doc_num(d, "ok", &ok);
	if (ok == 1 && bson_find(d, "databases", &e) && bson_subdoc(&e, &arr) &&
	    e.type == 0x04) {
		while (bson_next(&arr, &db) == 1)
			n++;
		if (!cJSON_AddBoolToObject(facts, "list_ok", true) ||
		    !cJSON_AddNumberToObject(facts, "databases", n))
			goto out;
		err = 0;
		goto out;
	}
	doc_num(d, "code", &code);
	doc_str(d, "errmsg", text, sizeof(text));
	doc_str(d, "codeName", name, sizeof(name));
	if (!cJSON_AddBoolToObject(facts, "list_ok", false) ||
	    !cJSON_AddNumberToObject(facts, "list_code", code) ||
	    !cJSON_AddStringToObject(facts, "list_code_name", name) ||
	    !cJSON_AddStringToObject(facts, "list_error", text))
		goto out;
	err = 0;
out:
	return err;
}

static int reply_fail(struct check_ctx *ctx, struct mongo_probe *st, int err,
		      const struct mongo_msg *m, const char *what)
{
	if (err == MONGO_WIRE_MORE)
		ctx_status(ctx, STATUS_ERROR,
			   "%s: connection closed before a "
			   "complete reply (%zu bytes)",
			   what, dynbuf_len(&st->io.in));
	else if (err == EXPO_EPROTO && m->opcode == MONGO_OP_REPLY)
		ctx_status(ctx, STATUS_ERROR,
			   "%s: answered with the legacy "
			   "OP_REPLY (MongoDB < 3.6 does not speak OP_MSG)",
			   what);
	else if (err == EXPO_EPROTO)
		ctx_status(ctx, STATUS_ERROR, "%s: not a MongoDB OP_MSG reply",
			   what);
	else
		ctx_status(ctx, STATUS_ERROR, "%s: malformed reply (%s)", what,
			   expo_strerror(err));
	st->phase = MP_DONE;
	rawio_close(&st->io);
	return PROBE_DONE;
}

static int mongo_step(struct check_ctx *ctx, void *state)
{
	struct mongo_probe *st = state;
	const char *what = st->phase == MP_HELLO ? "hello" : "listDatabases";
	struct mongo_msg m;
	size_t used = 0;
	int rc, err;

	if (st->phase == MP_DONE)
		return PROBE_DONE;
	rc = rawio_pump(ctx, &st->io, what);
	if (rc != 0) {
		rc = rc > 0 ? rc : PROBE_DONE;
		goto out;
	}
	err = mongo_wire_reply((const uint8_t *)dynbuf_ptr(&st->io.in),
			       dynbuf_len(&st->io.in), &m, &used);
	if (err == MONGO_WIRE_MORE && !st->io.eof) {
		rc = rawio_wait(ctx, &st->io);
		goto out;
	}
	if (err == 0 && m.response_to != (st->phase == MP_HELLO ? 1 : 2))
		err = EXPO_EPARSE;
	if (err != 0) {
		rc = reply_fail(ctx, st, err, &m, what);
		goto out;
	}
	if (st->phase == MP_HELLO) {
		err = record_hello(ctx_facts(ctx), &m.body);
		dynbuf_consume(&st->io.in, used);
		if (err == 0)
			err = queue_cmd(&st->io, 2, "listDatabases", true);
		if (err < 0) {
			rc = err;
			goto out;
		}
		st->phase = MP_LIST;
		ctx_phase(ctx, "listDatabases");
		rc = rawio_wait(ctx, &st->io);
		goto out;
	}
	err = record_list(ctx_facts(ctx), &m.body);
	st->phase = MP_DONE;
	rawio_close(&st->io);
	rc = err < 0 ? err : PROBE_DONE;
out:
	return rc;
}

static void mongo_cleanup(struct check_ctx *ctx, void *state)
{
	struct mongo_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

/* the release that introduced a maxWireVersion (MongoDB's driver
 * specification table), or NULL */
static const char *wire_release(double w)
{
	static const struct {
		int wire;
		const char *release;
	} t[] = {
		{ 6, "3.6" },  { 7, "4.0" },  { 8, "4.2" },  { 9, "4.4" },
		{ 13, "5.0" }, { 17, "6.0" }, { 21, "7.0" }, { 25, "8.0" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].wire == (int)w)
			return t[i].release;
	return NULL;
}

static int mongo_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(facts, "role");
	double n = fact_get_num(facts, "databases");
	double w = fact_get_num(facts, "max_wire_version");
	const char *rel = wire_release(w);
	char ver[64] = "wire version unknown";
	int err = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(facts, "list_ok")))
		goto out;
	if (w >= 0)
		snprintf(ver, sizeof(ver), "wire version %.0f%s%s%s", w,
			 rel ? " (MongoDB " : "", rel ? rel : "",
			 rel ? ")" : "");
	err = ctx_report(ctx, "mongodb.no_auth", NULL,
			 "listDatabases answered without authentication: "
			 "%.0f database%s; %s, %s",
			 n > 0 ? n : 0, n == 1 ? "" : "s", ver,
			 cJSON_IsString(role) ? role->valuestring
					      : "role "
						"unknown");
out:
	return err;
}

static const struct rule mongo_rules[] = {
	{
		.id = "mongodb.no_auth",
		.title = "MongoDB lists databases without authentication",
		.description =
			"The server ran listDatabases for an "
			"unauthenticated client: authorization is off, so "
			"anyone who reaches the port can read, change and "
			"drop every database (the ransom-wipe campaigns).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1485",
		.remediation =
			"Enable access control (security.authorization: "
			"enabled) with strong user passwords, bind to private "
			"addresses (net.bindIp) and firewall port 27017.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const mongo_services[] = { "mongodb", "mongod", NULL };
static const uint16_t mongo_ports[] = { 27017 };

const struct check check_mongodb = {
	.name = "mongodb",
	.summary = "MongoDB: listDatabases (OP_MSG) answered without "
		   "authentication",
	.services = mongo_services,
	.ports = mongo_ports,
	.nports = ARRAY_SIZE(mongo_ports),
	.rules = mongo_rules,
	.nrules = ARRAY_SIZE(mongo_rules),
	.state_size = sizeof(struct mongo_probe),
	.start = mongo_start,
	.step = mongo_step,
	.cleanup = mongo_cleanup,
	.assess = mongo_assess,
};
