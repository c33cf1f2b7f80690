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

#define REDIS_IN_MAX (REDIS_BULK_MAX + 64)
#define REDIS_ERR_KEEP 160

struct redis_probe {
	struct rawio io;
	bool done;
};

static int redis_start(struct check_ctx *ctx, void *state)
{
	struct redis_probe *st = state;
	int err;

	rawio_init(&st->io, REDIS_IN_MAX, 64);
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

static int redis_step(struct check_ctx *ctx, void *state)
{
	struct redis_probe *st = state;
	struct redis_reply r;
	size_t used = 0;
	int rc, err;

	if (st->done)
		return PROBE_DONE;
	rc = rawio_pump(ctx, &st->io, "INFO");
	if (rc != 0) {
		rc = rc > 0 ? rc : PROBE_DONE;
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
		if (err < 0)
			rc = err;
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
