/*
 * snmp.c - snmp.default_community: does an SNMP agent answer a default
 * community string? (161/udp, the first UDP check)
 *
 * What it sends: one SNMPv2c GetRequest for sysDescr.0 (1.3.6.1.2.1.1.1.0,
 * read-only; never a SetRequest, not even with "private") per community:
 * "public", then "private", after the --creds pairs with an empty user.
 * A community is a credential: it comes from the credential guard as the
 * empty user of this address and port, so --max-attempts caps the
 * communities and --no-login sends nothing. The requests go out together
 * (up to UDP_REQUESTS_MAX at once, each with its own request id) and are
 * waited for together; the engine re-sends each up to --udp-retries times
 * while unanswered (ctx_udp_send).
 *
 * The proof: an SNMP message from the agent's address and port (the
 * socket is connected: the kernel drops any other) that is a Response
 * PDU carrying our request id and our community: the community was
 * accepted (v2c agents drop a wrong one in silence, RFC 3584 and
 * net-snmp's snmpInBadCommunityNames). sysDescr is the evidence.
 * Silence is "no answer", never "secure": a wrong community, a closed
 * port and a firewall all look the same (PROBES-2.md A.2).
 * References: RFC 1901, RFC 3416, RFC 3418 (sysDescr); nmap snmp-sysdescr,
 * snmp-brute; hydra snmp.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "snmp_wire.h"

enum snmp_phase { SNMP_NEXT = 0, SNMP_WAIT, SNMP_END };

/* the communities asked at once: one wait for all of them, as nmap's
 * snmp-brute does, not one wait each */
struct snmp_probe {
	int fd;
	enum snmp_phase phase;
	struct snmp_out {
		const char *community; /* valid until the probe ends */
		int32_t request_id;
		unsigned id; /* ctx_udp_send()'s */
	} out[UDP_REQUESTS_MAX];
	unsigned nout;
	const char *held; /* handed out, no room left in the last batch */
	unsigned tried, malformed, stray;
};

static int sn_start(struct check_ctx *ctx, void *state)
{
	struct snmp_probe *st = state;
	int err;

	st->fd = -1;
	ctx_phase(ctx, "community");
	if ((err = ctx_udp_open(ctx, &st->fd)) < 0)
		return err;
	ctx_set_fd(ctx, st->fd);
	return 0;
}

static int32_t random_id(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	/* positive: some agents mishandle negative request ids */
	return (int32_t)(v & 0x7fffffff);
}

/* the end of the probe: what the silence and the noise amount to */
static int sn_end(struct check_ctx *ctx, struct snmp_probe *st)
{
	cJSON *facts = ctx_facts(ctx);

	st->phase = SNMP_END;
	if (fact_set_num(facts, "tried", st->tried) < 0 ||
	    fact_set_num(facts, "oversized", ctx_udp_oversized(ctx)) < 0 ||
	    fact_set_num(facts, "malformed", st->malformed) < 0)
		return EXPO_ENOMEM;
	if (fact_get_str(facts, "community") != NULL)
		return PROBE_DONE;
	if (st->tried == 0)
		ctx_status(ctx, STATUS_NO_ANSWER,
			   "not probed: no community to try (%s)",
			   ctx_login_allowed(ctx) ? "--max-attempts spent"
						  : "--no-login: a community "
						    "is a credential");
	else if (st->malformed > 0 || ctx_udp_oversized(ctx) > 0)
		ctx_status(ctx, STATUS_ERROR,
			   "community: no SNMP answer; %u malformed and %u "
			   "oversized datagram%s (more than %u bytes)",
			   st->malformed, ctx_udp_oversized(ctx),
			   st->malformed + ctx_udp_oversized(ctx) == 1 ? ""
								       : "s",
			   SNMP_REPLY_MAX);
	else
		ctx_status(ctx, STATUS_NO_ANSWER,
			   "community: no answer to %u communit%s: wrong "
			   "communities, or filtered",
			   st->tried, st->tried == 1 ? "y" : "ies");
	return PROBE_DONE;
}

/* sends the next communities, as many as one batch holds */
static int sn_send_next(struct check_ctx *ctx, struct snmp_probe *st)
{
	uint8_t req[SNMP_REQUEST_MAX];
	const char *user, *community;
	unsigned first = st->tried + 1;
	size_t len = 0;
	int r;

	st->nout = 0;
	while (st->nout < UDP_REQUESTS_MAX) {
		if (st->held != NULL)
			community = st->held;
		else if (!ctx_next_cred(ctx, &user, &community))
			break;
		st->held = NULL;
		st->out[st->nout].request_id = random_id();
		if (snmp_get_sysdescr(req, sizeof(req), community,
				      st->out[st->nout].request_id,
				      &len) != 0) {
			/* longer than SNMP allows: no agent has it */
			ctx_cred_result(ctx, "", CRED_FAILED);
			continue;
		}
		r = ctx_udp_send(ctx, st->fd, req, len, &st->out[st->nout].id);
		if (r == EXPO_ETOOBIG && st->nout > 0) {
			st->held = community; /* the next batch's first */
			break;
		}
		if (r == UDP_REFUSED) {
			ctx_status(ctx, STATUS_CLOSED, "ICMP port unreachable");
			st->phase = SNMP_END;
			return PROBE_DONE;
		}
		if (r < 0)
			return r;
		st->out[st->nout++].community = community;
		st->tried++;
	}
	if (st->nout == 0)
		return sn_end(ctx, st);
	ctx_phasef(ctx, "communities %u-%u", first, st->tried);
	st->phase = SNMP_WAIT;
	return PROBE_WANT_READ | PROBE_WANT_TIMER;
}

static int record(struct check_ctx *ctx, const char *community,
		  const struct snmp_reply *rep)
{
	cJSON *facts = ctx_facts(ctx);
	const char *value = "";

	if (rep->first_is_sysdescr && rep->value_tag == SNMP_TAG_OCTETS)
		value = rep->value;
	if (fact_set_str(facts, "community", community) < 0 ||
	    fact_set_str(facts, "sysdescr", value) < 0 ||
	    fact_set_num(facts, "error_status", (double)rep->error_status) <
		    0 ||
	    fact_set_num(facts, "value_tag", rep->value_tag) < 0)
		return EXPO_ENOMEM;
	return 0;
}

/* the request a datagram answers (its index in out[]), or -1: not SNMP
 * (counted as malformed), or an answer to none of ours (stale, forged) */
static int sn_match(struct snmp_probe *st, const uint8_t *buf, size_t len,
		    struct snmp_reply *rep)
{
	unsigned i;

	if (snmp_parse_reply(buf, len, rep) != 0) {
		st->malformed++;
		return -1;
	}
	for (i = 0; i < st->nout; i++) {
		const char *c = st->out[i].community;
		size_t clen = strlen(c);

		if (rep->pdu_type == SNMP_PDU_RESPONSE &&
		    rep->request_id == st->out[i].request_id &&
		    rep->version == SNMP_VERSION_2C &&
		    rep->community_len == clen &&
		    memcmp(rep->community, c, clen) == 0)
			return (int)i;
	}
	st->stray++;
	return -1;
}

static int sn_step(struct check_ctx *ctx, void *state)
{
	struct snmp_probe *st = state;
	uint8_t buf[SNMP_REPLY_MAX];
	struct snmp_reply rep;
	size_t len = 0;
	int r, k, i;

	if (st->phase == SNMP_END)
		return PROBE_DONE;
	if (st->phase == SNMP_NEXT)
		return sn_send_next(ctx, st);
	/* bounded: a flood ends the step, the next wait goes on */
	for (k = 0; k < 32; k++) {
		r = ctx_udp_poll(ctx, st->fd, buf, sizeof(buf), &len);
		if (r < 0)
			return r;
		if (r == UDP_WAIT)
			return PROBE_WANT_READ | PROBE_WANT_TIMER;
		if (r == UDP_REFUSED) {
			ctx_status(ctx, STATUS_CLOSED, "ICMP port unreachable");
			st->phase = SNMP_END;
			return PROBE_DONE;
		}
		if (r == UDP_SILENT) {
			for (i = 0; i < (int)st->nout; i++)
				ctx_cred_result(ctx, "", CRED_FAILED);
			return sn_send_next(ctx, st);
		}
		if ((i = sn_match(st, buf, len, &rep)) >= 0) {
			ctx_udp_done(ctx);
			if ((r = record(ctx, st->out[i].community, &rep)) < 0)
				return r;
			ctx_cred_result(ctx, "", CRED_ACCEPTED);
			return sn_end(ctx, st);
		}
	}
	return PROBE_WANT_READ | PROBE_WANT_TIMER;
}

static void sn_cleanup(struct check_ctx *ctx, void *state)
{
	struct snmp_probe *st = state;

	(void)ctx;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

/* ---- assess: facts -> findings, no I/O ---- */

static int sn_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *community = fact_get_str(facts, "community");
	const char *descr = fact_get_str(facts, "sysdescr");
	double tag = fact_get_num(facts, "value_tag");

	if (community == NULL)
		return 0;
	if (descr != NULL && descr[0] != '\0')
		return ctx_report(ctx, "snmp.default_community", community,
				  "SNMPv2c GetRequest for sysDescr answered "
				  "with a default community: sysDescr \"%s\"",
				  descr);
	return ctx_report(ctx, "snmp.default_community", community,
			  "SNMPv2c GetRequest for sysDescr answered with a "
			  "default community (a Response without sysDescr: "
			  "value tag 0x%02x)",
			  tag >= 0 ? (unsigned)tag : 0u);
}

static const struct rule sn_rules[] = {
	{
		.id = "snmp.default_community",
		.title = "SNMP answers a default community string",
		.description =
			"The agent answered an SNMPv2c request with a "
			"default community (public, private): anyone can "
			"read its MIB (interfaces, routes, processes, "
			"installed software, often user names), and a "
			"read-write community lets them change it.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
		.references = "CWE-1392; CWE-798; ATT&CK T1602.001",
		.remediation = "Remove the public and private communities "
			       "(rocommunity/rwcommunity in snmpd.conf), use "
			       "SNMPv3 with authPriv, and firewall 161/udp to "
			       "the management hosts.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

/* paired: the empty user with each community, nothing else (no empty
 * community, no "password = user") */
static const char *const sn_users[] = { "", "", NULL };
static const char *const sn_communities[] = { "public", "private", NULL };
static const char *const sn_services[] = { "snmp", NULL };
static const uint16_t sn_ports[] = { 161 };

const struct check check_snmp = {
	.name = "snmp",
	.summary = "SNMP (161/udp): a default community answers (v2c "
		   "GetRequest of sysDescr)",
	.services = sn_services,
	.ports = sn_ports,
	.nports = ARRAY_SIZE(sn_ports),
	.flags = CHECK_LOGIN | CHECK_UDP | CHECK_CREDS_PAIRED,
	.rules = sn_rules,
	.nrules = ARRAY_SIZE(sn_rules),
	.default_users = sn_users,
	.default_passwords = sn_communities,
	.default_max_attempts = 3,
	.state_size = sizeof(struct snmp_probe),
	.start = sn_start,
	.step = sn_step,
	.cleanup = sn_cleanup,
	.assess = sn_assess,
};
