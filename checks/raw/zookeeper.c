/*
 * zookeeper.c - zookeeper.no_auth: does ZooKeeper serve its znodes to a
 * client that never authenticated? (2181)
 *
 * What it sends, three short connections:
 *  1. a client session without credentials (ConnectRequest, session id
 *     0, empty password), then GetChildren of "/" without a watch, then
 *     closeSession. A list of children is the proof: the root's ACL lets
 *     anyone read, and (world:anyone is ZooKeeper's default ACL) usually
 *     write and delete too. NOAUTH is the negative (an ACL on the root);
 *     a server that enforces authentication (enforce.auth.enabled, SASL
 *     required) ends the session with an error code: negative too.
 *  2. "srvr" and 3. "mntr", ZooKeeper's four-letter words: the version,
 *     mode and znode count are evidence. 3.5+ answers only the words in
 *     4lw.commands.whitelist (srvr by default); a refusal is noted.
 * Nothing is created, set or deleted; no watch is left behind.
 * References: ZooKeeper Programmer's Guide (ACLs, "world:anyone"),
 * Administrator's Guide (4lw.commands.whitelist, enforce.auth.enabled);
 * nmap -sV zookeeper probe; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "rawio.h"
#include "zookeeper_wire.h"

enum zk_phase {
	ZK_P_SESSION = 0, /* waiting for the ConnectResponse */
	ZK_P_CHILDREN,	  /* waiting for GetChildren's reply */
	ZK_P_SRVR,
	ZK_P_MNTR,
	ZK_P_DONE,
};

struct zk_probe {
	struct rawio io;
	enum zk_phase phase;
};

static const char *const phase_names[] = {
	"session", "GetChildren /", "srvr", "mntr", "done",
};

static int zk_open(struct check_ctx *ctx, struct zk_probe *st,
		   enum zk_phase phase)
{
	uint8_t pkt[ZK_OUT_MAX];
	int n, err;

	st->phase = phase;
	ctx_phase(ctx, phase_names[phase]);
	rawio_close(&st->io);
	rawio_init(&st->io,
		   phase == ZK_P_SESSION ? ZK_FRAME_MAX + 64 : ZK_WORDS_MAX + 1,
		   ZK_OUT_MAX * 4);
	err = rawio_open(ctx, &st->io);
	if (err < 0)
		return err;
	if (phase == ZK_P_SESSION) {
		n = zk_wire_connect(pkt, sizeof(pkt), 10000);
		return n < 0 ? n : rawio_queue(&st->io, pkt, (size_t)n);
	}
	return rawio_queue(&st->io, phase == ZK_P_SRVR ? "srvr" : "mntr", 4);
}

static int zk_start(struct check_ctx *ctx, void *state)
{
	struct zk_probe *st = state;
	int err;

	rawio_init(&st->io, 64, 64);
	err = zk_open(ctx, st, ZK_P_SESSION);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

/* the next phase, or the end */
static int zk_next(struct check_ctx *ctx, struct zk_probe *st)
{
	if (st->phase == ZK_P_SESSION || st->phase == ZK_P_CHILDREN)
		return zk_open(ctx, st, ZK_P_SRVR);
	if (st->phase == ZK_P_SRVR)
		return zk_open(ctx, st, ZK_P_MNTR);
	st->phase = ZK_P_DONE;
	rawio_close(&st->io);
	return 0;
}

static int record_children(struct check_ctx *ctx, const struct zk_children *c)
{
	cJSON *facts = ctx_facts(ctx), *arr;
	const char *name = zk_wire_err_name(c->err);
	unsigned i;

	if (c->err != 0) {
		if (fact_set_num(facts, "children_error", c->err) < 0 ||
		    (name &&
		     fact_set_str(facts, "children_error_name", name) < 0))
			return EXPO_ENOMEM;
		return 0;
	}
	if (fact_set_num(facts, "children_count", c->count) < 0)
		return EXPO_ENOMEM;
	arr = cJSON_AddArrayToObject(facts, "children");
	if (arr == NULL)
		return EXPO_ENOMEM;
	for (i = 0; i < c->nnames; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(c->names[i])))
			return EXPO_ENOMEM;
	return 0;
}

static int record_words(struct check_ctx *ctx, const char *word,
			const struct zk_words *w)
{
	cJSON *facts = ctx_facts(ctx), *o;

	o = cJSON_AddObjectToObject(facts, word);
	if (o == NULL)
		return EXPO_ENOMEM;
	if (w->not_allowed)
		return fact_set_bool(o, "refused", true);
	if (fact_set_str(o, "version", w->version) < 0 ||
	    (w->mode[0] && fact_set_str(o, "mode", w->mode) < 0) ||
	    (w->nodes >= 0 && fact_set_num(o, "znodes", (double)w->nodes) < 0))
		return EXPO_ENOMEM;
	return 0;
}

/* the session phases: 0 (handled, maybe a next phase opened),
 * ZK_WIRE_MORE or < 0 */
static int zk_frames(struct check_ctx *ctx, struct zk_probe *st)
{
	const uint8_t *body;
	size_t blen, used;
	struct zk_session s;
	struct zk_children c;
	uint8_t pkt[ZK_OUT_MAX];
	int n, err;

	err = zk_wire_frame((const uint8_t *)dynbuf_ptr(&st->io.in),
			    dynbuf_len(&st->io.in), &body, &blen, &used);
	if (err != 0)
		return err;
	if (st->phase == ZK_P_SESSION) {
		if (zk_wire_connect_reply(body, blen, &s) < 0)
			return EXPO_EPROTO;
		dynbuf_consume(&st->io.in, used);
		if (s.session_id == 0) {
			/* the server refused the session itself */
			if (fact_set_bool(ctx_facts(ctx), "session_refused",
					  true) < 0)
				return EXPO_ENOMEM;
			return zk_next(ctx, st);
		}
		if (fact_set_bool(ctx_facts(ctx), "session", true) < 0)
			return EXPO_ENOMEM;
		n = zk_wire_get_children(pkt, sizeof(pkt), "/");
		if (n < 0)
			return n;
		st->phase = ZK_P_CHILDREN;
		ctx_phase(ctx, phase_names[st->phase]);
		return rawio_queue(&st->io, pkt, (size_t)n);
	}
	if (zk_wire_children_reply(body, blen, &c) < 0)
		return EXPO_EPROTO;
	dynbuf_consume(&st->io.in, used);
	if (c.xid != ZK_XID_CHILDREN && c.err == 0)
		return 0; /* a notification (xid -1) or a ping: not ours */
	err = record_children(ctx, &c);
	if (err < 0)
		return err;
	/* closeSession, best effort and without a status: the server ends
	 * the session now rather than at its timeout */
	n = zk_wire_close(pkt, sizeof(pkt));
	if (n > 0 && st->io.fd >= 0)
		(void)!send(st->io.fd, pkt, (size_t)n,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	return zk_next(ctx, st);
}

/* a four-letter word's answer ends when the server closes */
static int zk_word(struct check_ctx *ctx, struct zk_probe *st)
{
	struct zk_words w;
	int err;

	if (!st->io.eof)
		return ZK_WIRE_MORE;
	err = zk_wire_words(dynbuf_ptr(&st->io.in), dynbuf_len(&st->io.in), &w);
	if (err == 0)
		err = record_words(ctx, phase_names[st->phase], &w);
	else if (st->phase == ZK_P_SRVR && dynbuf_len(&st->io.in) > 0)
		ctx_status(ctx, STATUS_OPEN,
			   "srvr: the answer is not ZooKeeper's");
	if (err == EXPO_ENOMEM)
		return err;
	return zk_next(ctx, st);
}

static int zk_fail(struct check_ctx *ctx, struct zk_probe *st, int err)
{
	if (err != 0)
		ctx_status(ctx, STATUS_ERROR, "%s: %s", phase_names[st->phase],
			   err == ZK_WIRE_MORE	 ? "connection closed"
			   : err == EXPO_EPROTO	 ? "not a ZooKeeper server"
			   : err == EXPO_ETOOBIG ? "a reply over its bound"
						 : expo_strerror(err));
	st->phase = ZK_P_DONE;
	rawio_close(&st->io);
	return PROBE_DONE;
}

static int zk_step(struct check_ctx *ctx, void *state)
{
	struct zk_probe *st = state;
	unsigned round;
	bool moved;
	int rc, err;

	/* pump and parse again while the pump moved bytes (bounded) */
	for (round = 0; round < 64; round++) {
		if (st->phase == ZK_P_DONE)
			return PROBE_DONE;
		rc = rawio_pump_moved(ctx, &st->io, phase_names[st->phase],
				      &moved);
		if (rc < 0) {
			if (st->phase == ZK_P_SRVR || st->phase == ZK_P_MNTR) {
				/* a refused word: on to the next one */
				if (zk_next(ctx, st) < 0)
					return zk_fail(ctx, st, 0);
				continue;
			}
			return zk_fail(ctx, st, 0);
		}
		if (rc > 0)
			return rc;
		do {
			enum zk_phase was = st->phase;

			if (was == ZK_P_SESSION || was == ZK_P_CHILDREN)
				err = zk_frames(ctx, st);
			else
				err = zk_word(ctx, st);
			if (err == 0 && st->phase != was)
				break; /* a new connection: pump it */
		} while (err == 0 && st->phase != ZK_P_DONE);
		if (st->phase == ZK_P_DONE)
			return err == EXPO_ENOMEM ? err : PROBE_DONE;
		if (err == ZK_WIRE_MORE && st->io.eof)
			return zk_fail(ctx, st, err);
		if (err < 0)
			return zk_fail(ctx, st, err);
		if (err == 0)
			continue; /* a new connection */
		if (!moved)
			break;
	}
	return rawio_wait(ctx, &st->io);
}

static void zk_cleanup(struct check_ctx *ctx, void *state)
{
	struct zk_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int zk_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *kids = cJSON_GetObjectItemCaseSensitive(facts, "children");
	const cJSON *srvr = cJSON_GetObjectItemCaseSensitive(facts, "srvr");
	const cJSON *mntr = cJSON_GetObjectItemCaseSensitive(facts, "mntr");
	const cJSON *it = NULL;
	const char *ver = fact_get_str(srvr, "version");
	const char *mode = fact_get_str(srvr, "mode");
	double count = fact_get_num(facts, "children_count");
	char names[256] = "", words[256] = "";
	size_t k = 0;
	int n;

	if (!cJSON_IsArray(kids))
		return 0;
	cJSON_ArrayForEach(it, kids)
	{
		if (!cJSON_IsString(it))
			continue;
		n = snprintf(names + k, sizeof(names) - k, "%s%s",
			     k ? ", " : "", it->valuestring);
		if (n < 0 || (size_t)n >= sizeof(names) - k)
			break;
		k += (size_t)n;
	}
	if (ver == NULL)
		ver = fact_get_str(mntr, "version");
	if (mode == NULL)
		mode = fact_get_str(mntr, "mode");
	if (ver != NULL && ver[0])
		snprintf(words, sizeof(words), "; ZooKeeper %s%s%s (%s)", ver,
			 mode ? ", mode " : "", mode ? mode : "",
			 srvr && !fact_is_true(srvr, "refused") ? "srvr"
								: "mntr");
	else if (fact_is_true(srvr, "refused"))
		snprintf(words, sizeof(words),
			 "; srvr refused (not whitelisted)");
	return ctx_report(ctx, "zookeeper.no_auth", NULL,
			  "GetChildren of / without authentication listed "
			  "%.0f znode%s (%s)%s",
			  count < 0 ? 0 : count, count == 1 ? "" : "s",
			  names[0] ? names : "none", words);
}

static const struct rule zk_rules[] = {
	{
		.id = "zookeeper.no_auth",
		.title = "ZooKeeper serves znodes without authentication",
		.description =
			"A client that never authenticated listed the root "
			"znode: with ZooKeeper's default ACL (world:anyone) "
			"it can also read, change and delete the "
			"configuration and coordination data of Kafka, "
			"HBase, Solr or whatever keeps its state there.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; CWE-732; ATT&CK T1190",
		.remediation = "Require authentication (SASL or digest, "
			       "enforce.auth.enabled=true), set ACLs on the "
			       "znodes instead of world:anyone, limit "
			       "4lw.commands.whitelist, bind clientPortAddress "
			       "to a private address and firewall port 2181.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const zk_services[] = { "zookeeper", NULL };
static const uint16_t zk_ports[] = { 2181 };

const struct check check_zookeeper = {
	.name = "zookeeper",
	.summary = "ZooKeeper: znodes listed without authentication (2181)",
	.services = zk_services,
	.ports = zk_ports,
	.nports = ARRAY_SIZE(zk_ports),
	.rules = zk_rules,
	.nrules = ARRAY_SIZE(zk_rules),
	.state_size = sizeof(struct zk_probe),
	.start = zk_start,
	.step = zk_step,
	.cleanup = zk_cleanup,
	.assess = zk_assess,
};
