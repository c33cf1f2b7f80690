/*
 * redis.c - redis.no_auth: does a Redis server run commands without AUTH?
 *
 * What it sends: one TCP connection, "INFO\r\n" (read-only), and reads
 * one RESP reply (redis_wire.c). It does not log in and changes nothing.
 *  - a bulk reply with redis_version: the command ran without AUTH
 *    (confirmed); evidence is the version, mode, role and counts only;
 *  - "-NOAUTH ..." (requirepass / ACL) or "-ERR operation not permitted"
 *    (Redis < 6): authentication is required, no finding;
 *  - "-DENIED ..." (protected mode: no password but only loopback clients
 *    allowed): not a finding from here; noted in the probe's status;
 *  - Sentinel answers INFO with redis_mode:sentinel: still commands
 *    without AUTH (SENTINEL SET / CONFIG SET can reconfigure the monitored
 *    masters), reported and named as Sentinel.
 *
 * redis.compromise_indicator (issue 14): after INFO proved no AUTH (not on
 * Sentinel), one more write on the same connection: CONFIG GET dir,
 * CONFIG GET dbfilename and STRLEN of each key name cron-injection
 * campaigns write (ind_redis_keys(), the documented list in
 * checks/compromise/indicators.def: a missing key has length 0, a key of
 * another type answers an error); then GET of those whose length is
 * 1..REDIS_SIGN_VALUE_MAX. Never KEYS, never SCAN; all reads. A dir of a
 * crontab or .ssh folder, an authorized_keys dbfilename, or a value that
 * fetches and pipes to a shell is a sign. Bytes read: INFO, then at most
 * REDIS_IN_MAX again for the sign replies (values fetched are at most
 * 5 x 4 KiB). A server that stops answering here leaves the no-AUTH
 * finding as it was.
 * References: https://redis.io/docs/latest/operate/oss_and_stack/management/security/,
 * nmap redis-info, nuclei network/exposures/exposed-redis.yaml; ATT&CK
 * T1190, T1496 (miners installed through CONFIG SET dir / MODULE LOAD).
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "rawio.h"
#include "redis_wire.h"
#include "compromise/sign.h"

#define REDIS_IN_MAX (REDIS_BULK_MAX + 64)
#define REDIS_ERR_KEEP 160

#define REDIS_SIGN_VALUE_MAX 4096
#define REDIS_SIGN_KEYS 8 /* at most this many names are read */

struct redis_probe {
	struct rawio io;
	bool done;
	int round; /* 0: INFO; 1: CONFIG GET and STRLEN; 2: GET */
	size_t nkeys;
	long long len[REDIS_SIGN_KEYS]; /* STRLEN answers */
	size_t nget;
	size_t get[REDIS_SIGN_KEYS]; /* indexes of the keys fetched */
};

static size_t sign_keys(const char *const **names)
{
	size_t n = ind_redis_keys(names);

	return n < REDIS_SIGN_KEYS ? n : REDIS_SIGN_KEYS;
}

static int redis_start(struct check_ctx *ctx, void *state)
{
	struct redis_probe *st = state;
	int err;

	rawio_init(&st->io, REDIS_IN_MAX, 512);
	ctx_phase(ctx, "INFO");
	err = rawio_open(ctx, &st->io);
	if (err == 0)
		err = rawio_queue(&st->io, "INFO\r\n", 6);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

/* keeps an error line's start, printable ASCII, for facts and reasons */
static void error_text(const struct redis_reply *r, char *out, size_t size)
{
	size_t i, k = 0;

	for (i = 0; i < r->len && k + 1 < size; i++)
		if (r->data[i] >= 0x20 && r->data[i] < 0x7f)
			out[k++] = r->data[i];
	out[k] = '\0';
}

static bool auth_error(const char *code, const char *text)
{
	return strcmp(code, "NOAUTH") == 0 || strcmp(code, "WRONGPASS") == 0 ||
	       (strcmp(code, "ERR") == 0 &&
		(strstr(text, "operation not permitted") != NULL ||
		 strstr(text, "AUTH") != NULL ||
		 strstr(text, "uthentication") != NULL));
}

/* facts from one reply; 0 or EXPO_ENOMEM */
static int record_reply(struct check_ctx *ctx, const struct redis_reply *r)
{
	cJSON *facts = ctx_facts(ctx);
	char code[24], text[REDIS_ERR_KEEP];
	struct redis_info info;
	int err = EXPO_ENOMEM;

	if (r->type == REDIS_R_ERROR) {
		redis_wire_errcode(r, code, sizeof(code));
		error_text(r, text, sizeof(text));
		if (!cJSON_AddStringToObject(facts, "error", text))
			goto out;
		if (strcmp(code, "DENIED") == 0) {
			if (!cJSON_AddStringToObject(facts, "reply",
						     "protected_mode"))
				goto out;
			/* not a finding: said in the probe's record */
			ctx_status(ctx, STATUS_OPEN,
				   "Redis protected mode: "
				   "no password set, but only loopback "
				   "clients are served (-DENIED)");
		} else if (!cJSON_AddStringToObject(facts, "reply",
						    auth_error(code, text)
							    ? "auth_required"
							    : "error")) {
			goto out;
		}
		err = 0;
		goto out;
	}
	if (r->type != REDIS_R_BULK ||
	    redis_wire_info(r->data, r->len, &info) < 0) {
		ctx_status(ctx, STATUS_ERROR,
			   "INFO: the reply is not Redis "
			   "INFO text");
		if (!cJSON_AddStringToObject(facts, "reply", "unexpected"))
			goto out;
		err = 0;
		goto out;
	}
	if (!cJSON_AddStringToObject(facts, "reply", "info") ||
	    !cJSON_AddStringToObject(facts, "redis_version", info.version) ||
	    !cJSON_AddStringToObject(facts, "redis_mode", info.mode) ||
	    !cJSON_AddStringToObject(facts, "role", info.role) ||
	    !cJSON_AddNumberToObject(facts, "connected_clients",
				     (double)info.clients) ||
	    !cJSON_AddNumberToObject(facts, "keys", (double)info.keys) ||
	    !cJSON_AddNumberToObject(facts, "dbs", info.ndbs))
		goto out;
	err = 0;
out:
	return err;
}

/* a value for the facts: NULs become spaces, cut to REDIS_SIGN_VALUE_MAX */
static bool add_value(cJSON *obj, const char *key, const char *v, size_t n)
{
	char buf[REDIS_SIGN_VALUE_MAX + 1];
	size_t i;

	if (n > REDIS_SIGN_VALUE_MAX)
		n = REDIS_SIGN_VALUE_MAX;
	for (i = 0; i < n; i++)
		buf[i] = v[i] == '\0' ? ' ' : v[i];
	buf[n] = '\0';
	return cJSON_AddStringToObject(obj, key, buf) != NULL;
}

/* one CONFIG GET reply at *off: its value (the array's second bulk) as
 * the fact `key`, nothing if CONFIG is refused; 0, MORE or < 0 */
static int config_reply(cJSON *facts, const char *key, const char *buf,
			size_t len, size_t *off)
{
	struct redis_reply r, e[2];
	size_t used, i;
	int err = redis_wire_next(buf + *off, len - *off, &r, &used);

	if (err != 0)
		return err;
	*off += used;
	if (r.type != REDIS_R_ARRAY || r.num <= 0)
		return 0; /* an error (CONFIG renamed, ACL) or nothing */
	if (r.num != 2)
		return EXPO_EPARSE;
	for (i = 0; i < 2; i++) {
		err = redis_wire_next(buf + *off, len - *off, &e[i], &used);
		if (err != 0)
			return err;
		*off += used;
		if (e[i].type != REDIS_R_BULK)
			return EXPO_EPARSE;
	}
	return add_value(facts, key, e[1].data, e[1].len) ? 0 : EXPO_ENOMEM;
}

/* round 1's replies: 0 when all are in (and round 2's request queued if
 * a key is to be fetched), REDIS_WIRE_MORE, or < 0 */
static int round1(struct check_ctx *ctx, struct redis_probe *st)
{
	const char *buf = dynbuf_ptr(&st->io.in), *const * names;
	size_t len = dynbuf_len(&st->io.in), off = 0, used, i;
	struct redis_reply r;
	char cmd[64];
	int err;

	st->nkeys = sign_keys(&names);
	st->nget = 0;
	if ((err = config_reply(ctx_facts(ctx), "config_dir", buf, len,
				&off)) != 0 ||
	    (err = config_reply(ctx_facts(ctx), "config_dbfilename", buf, len,
				&off)) != 0)
		return err;
	for (i = 0; i < st->nkeys; i++) {
		err = redis_wire_next(buf + off, len - off, &r, &used);
		if (err != 0)
			return err;
		off += used;
		st->len[i] = r.type == REDIS_R_INT ? r.num : 0;
	}
	/* all replies are in: only now the GETs (a partial read comes back
	 * here from the start) */
	for (i = 0; i < st->nkeys; i++) {
		if (st->len[i] <= 0 || st->len[i] > REDIS_SIGN_VALUE_MAX)
			continue;
		st->get[st->nget++] = i;
		snprintf(cmd, sizeof(cmd), "GET %s\r\n", names[i]);
		if ((err = rawio_queue(&st->io, cmd, strlen(cmd))) < 0)
			return err;
	}
	return 0;
}

/* round 2's replies: the values, as facts.sign_values.NAME */
static int round2(struct check_ctx *ctx, struct redis_probe *st)
{
	const char *buf = dynbuf_ptr(&st->io.in), *const * names;
	size_t len = dynbuf_len(&st->io.in), off = 0, used, i;
	struct redis_reply r[REDIS_SIGN_KEYS];
	cJSON *vals;
	int err;

	sign_keys(&names);
	for (i = 0; i < st->nget; i++) {
		err = redis_wire_next(buf + off, len - off, &r[i], &used);
		if (err != 0)
			return err;
		off += used;
	}
	vals = cJSON_AddObjectToObject(ctx_facts(ctx), "sign_values");
	if (vals == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < st->nget; i++)
		if (r[i].type == REDIS_R_BULK &&
		    !add_value(vals, names[st->get[i]], r[i].data, r[i].len))
			return EXPO_ENOMEM;
	return 0;
}

/* after INFO: the sign rounds, on a server that answered without AUTH */
static bool start_signs(struct check_ctx *ctx, struct redis_probe *st)
{
	const cJSON *facts = ctx_facts(ctx);
	const char *reply = fact_get_str(facts, "reply");
	const char *mode = fact_get_str(facts, "redis_mode");
	static const char cfg[] = "CONFIG GET dir\r\nCONFIG GET dbfilename\r\n";
	const char *const *names;
	char cmd[64];
	size_t i, n = sign_keys(&names);

	if (reply == NULL || strcmp(reply, "info") != 0 ||
	    (mode != NULL && strcmp(mode, "sentinel") == 0) || st->io.eof ||
	    rawio_queue(&st->io, cfg, strlen(cfg)) < 0)
		return false;
	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "STRLEN %s\r\n", names[i]);
		if (rawio_queue(&st->io, cmd, strlen(cmd)) < 0)
			return false;
	}
	dynbuf_reset(&st->io.in);
	st->round = 1;
	ctx_phase(ctx, "signs");
	return true;
}

/* rounds 1 and 2: quietly done on anything unexpected (the no-AUTH
 * finding stands on INFO alone) */
static int sign_step(struct check_ctx *ctx, struct redis_probe *st)
{
	int err = st->round == 1 ? round1(ctx, st) : round2(ctx, st);

	if (err == REDIS_WIRE_MORE && !st->io.eof)
		return rawio_wait(ctx, &st->io);
	if (err == 0 && st->round == 1 && st->nget > 0) {
		dynbuf_reset(&st->io.in);
		st->round = 2;
		return rawio_wait(ctx, &st->io);
	}
	st->done = true;
	rawio_close(&st->io);
	return err == EXPO_ENOMEM ? err : PROBE_DONE;
}

static int redis_step(struct check_ctx *ctx, void *state)
{
	struct redis_probe *st = state;
	struct redis_reply r;
	size_t used = 0;
	int rc, err;

	if (st->done)
		return PROBE_DONE;
	rc = rawio_pump(ctx, &st->io, st->round == 0 ? "INFO" : "signs");
	if (rc != 0) {
		rc = rc > 0 ? rc : PROBE_DONE;
		goto out;
	}
	if (st->round > 0) {
		rc = sign_step(ctx, st);
		goto out;
	}
	err = redis_wire_reply(dynbuf_ptr(&st->io.in), dynbuf_len(&st->io.in),
			       &r, &used);
	if (err == REDIS_WIRE_MORE && !st->io.eof) {
		rc = rawio_wait(ctx, &st->io);
		goto out;
	}
	rc = PROBE_DONE;
	st->done = true;
	if (err == REDIS_WIRE_MORE) {
		ctx_status(ctx, STATUS_ERROR,
			   "INFO: connection closed before "
			   "a complete reply (%zu bytes)",
			   dynbuf_len(&st->io.in));
	} else if (err == EXPO_EPROTO) {
		ctx_status(ctx, STATUS_ERROR, "INFO: not a Redis (RESP) reply");
	} else if (err < 0) {
		ctx_status(ctx, STATUS_ERROR, "INFO: malformed reply (%s)",
			   expo_strerror(err));
	} else {
		err = record_reply(ctx, &r);
		if (err < 0) {
			rc = err;
		} else if (start_signs(ctx, st)) {
			st->done = false;
			rc = rawio_wait(ctx, &st->io);
			goto out;
		}
	}
	rawio_close(&st->io);
out:
	return rc;
}

static void redis_cleanup(struct check_ctx *ctx, void *state)
{
	struct redis_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

/* redis.compromise_indicator over what the sign rounds read */
static int redis_signs(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *vals =
		cJSON_GetObjectItemCaseSensitive(facts, "sign_values");
	const cJSON *v = NULL;
	struct sign_set s = { 0 };
	char where[96];

	sign_check(&s, IND_F_DIR, fact_get_str(facts, "config_dir"),
		   "CONFIG GET dir");
	sign_check(&s, IND_F_DBFILE, fact_get_str(facts, "config_dbfilename"),
		   "CONFIG GET dbfilename");
	cJSON_ArrayForEach(v, vals)
	{
		if (!cJSON_IsString(v) || v->string == NULL)
			continue;
		snprintf(where, sizeof(where), "the value of key %.32s",
			 v->string);
		sign_check(&s, IND_F_VALUE, v->valuestring, where);
	}
	return sign_report(ctx, "redis.compromise_indicator", &s);
}

static int redis_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *reply = fact_get_str(facts, "reply");
	const char *ver = fact_get_str(facts, "redis_version");
	const char *mode = fact_get_str(facts, "redis_mode");
	const char *role = fact_get_str(facts, "role");
	double clients = fact_get_num(facts, "connected_clients");
	double keys = fact_get_num(facts, "keys");
	char cl[48] = "connected clients unknown";
	int err = 0;

	if (reply == NULL || strcmp(reply, "info") != 0 || ver == NULL)
		goto out;
	if (clients >= 0)
		snprintf(cl, sizeof(cl), "%.0f connected client%s", clients,
			 clients == 1 ? "" : "s");
	if (mode != NULL && strcmp(mode, "sentinel") == 0) {
		err = ctx_report(ctx, "redis.no_auth", NULL,
				 "Redis Sentinel %s answered INFO without "
				 "AUTH (Sentinel mode: SENTINEL commands can "
				 "reconfigure the monitored masters); %s",
				 ver, cl);
		goto out;
	}
	err = ctx_report(ctx, "redis.no_auth", NULL,
			 "INFO answered without AUTH: Redis %s (%s, role %s), "
			 "%s, %.0f key%s",
			 ver, mode && mode[0] ? mode : "mode unknown",
			 role && role[0] ? role : "unknown", cl,
			 keys > 0 ? keys : 0, keys == 1 ? "" : "s");
	if (err == 0)
		err = redis_signs(facts, ctx);
out:
	return err;
}

static const struct rule redis_rules[] = {
	{
		.id = "redis.no_auth",
		.title = "Redis runs commands without authentication",
		.description =
			"The server answered INFO without AUTH: anyone "
			"who reaches the port can read and change every key, "
			"and with CONFIG SET or MODULE LOAD write files and "
			"run code (how Redis miners spread).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1496",
		.remediation =
			"Set requirepass (or ACL users with strong "
			"passwords), bind to private addresses only, keep "
			"protected-mode yes, rename or disable CONFIG and "
			"MODULE, and firewall port 6379.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	SIGN_RULE("redis.compromise_indicator",
		  "CONFIG GET dir and dbfilename and the keys that "
		  "cron-injection campaigns write (by name, never KEYS or "
		  "SCAN)"),
};

static const char *const redis_services[] = { "redis", NULL };
static const uint16_t redis_ports[] = { 6379 };

const struct check check_redis = {
	.name = "redis",
	.summary = "Redis: commands (INFO) answered without AUTH",
	.services = redis_services,
	.ports = redis_ports,
	.nports = ARRAY_SIZE(redis_ports),
	.rules = redis_rules,
	.nrules = ARRAY_SIZE(redis_rules),
	.state_size = sizeof(struct redis_probe),
	.start = redis_start,
	.step = redis_step,
	.cleanup = redis_cleanup,
	.assess = redis_assess,
};
