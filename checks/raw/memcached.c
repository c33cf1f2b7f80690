/*
 * memcached.c - memcached.no_auth: does memcached answer "stats" without
 * authentication?
 *
 * What it sends: one TCP connection, "stats\r\n" (text protocol,
 * read-only), then reads STAT lines up to END (memcached_wire.c). It does
 * not log in and reads no item. STAT lines: the server served a command
 * to an anonymous client, so get/set/flush_all are open too (confirmed);
 * the evidence is the version and item count only. An error line
 * (CLIENT_ERROR unauthenticated with -Y/SASL) is the negative.
 * References: memcached doc/protocol.txt; nmap memcached-info; nuclei
 * network/misconfig/memcached-stats.yaml; CVE-2018-1000115 (UDP
 * amplification, a different port and transport).
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "memcached_wire.h"
#include "rawio.h"

#define MC_IN_MAX (MEMCACHED_LINE_MAX * MEMCACHED_MAX_LINES)

struct mc_probe {
	struct rawio io;
	bool done;
};

static int mc_start(struct check_ctx *ctx, void *state)
{
	struct mc_probe *st = state;
	int err;

	rawio_init(&st->io, MC_IN_MAX, 64);
	ctx_phase(ctx, "stats");
	err = rawio_open(ctx, &st->io);
	if (err == 0)
		err = rawio_queue(&st->io, "stats\r\n", 7);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

static int record(struct check_ctx *ctx, const struct memcached_stats *s)
{
	cJSON *facts = ctx_facts(ctx);
	int err = EXPO_ENOMEM;

	if (s->kind == MEMCACHED_ERROR) {
		if (!cJSON_AddStringToObject(facts, "reply", "error") ||
		    !cJSON_AddStringToObject(facts, "error", s->error))
			goto out;
		err = 0;
		goto out;
	}
	if (!cJSON_AddStringToObject(facts, "reply", "stats") ||
	    !cJSON_AddStringToObject(facts, "version", s->version) ||
	    !cJSON_AddNumberToObject(facts, "curr_items",
				     (double)s->curr_items) ||
	    !cJSON_AddNumberToObject(facts, "curr_connections",
				     (double)s->curr_connections) ||
	    !cJSON_AddNumberToObject(facts, "stats", s->nstats))
		goto out;
	err = 0;
out:
	return err;
}

static int mc_step(struct check_ctx *ctx, void *state)
{
	struct mc_probe *st = state;
	struct memcached_stats s;
	size_t used = 0;
	int rc, err;

	if (st->done)
		return PROBE_DONE;
	rc = rawio_pump(ctx, &st->io, "stats");
	if (rc != 0) {
		rc = rc > 0 ? rc : PROBE_DONE;
		goto out;
	}
	err = memcached_wire_stats(dynbuf_ptr(&st->io.in),
				   dynbuf_len(&st->io.in), &s, &used);
	if (err == MEMCACHED_WIRE_MORE && !st->io.eof) {
		rc = rawio_wait(ctx, &st->io);
		goto out;
	}
	rc = PROBE_DONE;
	st->done = true;
	if (err == MEMCACHED_WIRE_MORE)
		ctx_status(ctx, STATUS_ERROR,
			   "stats: connection closed before "
			   "END (%zu bytes)",
			   dynbuf_len(&st->io.in));
	else if (err == EXPO_EPROTO)
		ctx_status(ctx, STATUS_ERROR, "stats: not a memcached reply");
	else if (err < 0)
		ctx_status(ctx, STATUS_ERROR, "stats: malformed reply (%s)",
			   expo_strerror(err));
	else if ((err = record(ctx, &s)) < 0)
		rc = err;
	rawio_close(&st->io);
out:
	return rc;
}

static void mc_cleanup(struct check_ctx *ctx, void *state)
{
	struct mc_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int mc_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *reply = fact_get_str(facts, "reply");
	const char *ver = fact_get_str(facts, "version");
	double items = fact_get_num(facts, "curr_items");
	double conns = fact_get_num(facts, "curr_connections");
	char it[40] = "item count not given", co[40] = "";
	int err = 0;

	if (reply == NULL || strcmp(reply, "stats") != 0)
		goto out;
	if (items >= 0)
		snprintf(it, sizeof(it), "%.0f item%s cached", items,
			 items == 1 ? "" : "s");
	if (conns >= 0)
		snprintf(co, sizeof(co), ", %.0f connection%s", conns,
			 conns == 1 ? "" : "s");
	err = ctx_report(ctx, "memcached.no_auth", NULL,
			 "stats answered without authentication: memcached "
			 "%s, %s%s",
			 ver && ver[0] ? ver
				       : "(version not "
					 "given)",
			 it, co);
out:
	return err;
}

static const struct rule mc_rules[] = {
	{
		.id = "memcached.no_auth",
		.title = "memcached answers without authentication",
		.description =
			"The server answered stats to an anonymous "
			"client, so every cached item (often sessions and "
			"tokens) can be read, overwritten or flushed.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1213",
		.remediation = "Bind memcached to private addresses (-l), "
			       "disable UDP (-U 0), enable SASL or -Y authfile "
			       "authentication, and firewall port 11211.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const mc_services[] = { "memcache", "memcached", NULL };
static const uint16_t mc_ports[] = { 11211 };

const struct check check_memcached = {
	.name = "memcached",
	.summary = "memcached: stats answered without authentication",
	.services = mc_services,
	.ports = mc_ports,
	.nports = ARRAY_SIZE(mc_ports),
	.rules = mc_rules,
	.nrules = ARRAY_SIZE(mc_rules),
	.state_size = sizeof(struct mc_probe),
	.start = mc_start,
	.step = mc_step,
	.cleanup = mc_cleanup,
	.assess = mc_assess,
};
