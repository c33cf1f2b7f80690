/*
 * mqtt.c - mqtt.no_auth: does an MQTT broker accept a client that gives
 * no user name and no password? (1883)
 *
 * What it sends: one TCP connection, an MQTT 3.1.1 CONNECT with a random
 * client id, a clean session and no credentials; the CONNACK's return
 * code 0 (accepted) is the proof; 4 or 5 (bad credentials, not
 * authorized) is the negative. After an accept, one SUBSCRIBE at QoS 0 to
 * $SYS/broker/version: a broker that lets anonymous clients read $SYS
 * (mosquitto does unless an ACL says otherwise) sends the retained value,
 * the broker's version, right after the SUBACK; it is evidence only. The
 * probe waits MQTT_SYS_WAIT_MS (at most half of --timeout) for it and then
 * sends DISCONNECT. It never
 * publishes, never subscribes to anything but that topic, and keeps no
 * session (clean session).
 * References: MQTT 3.1.1 (OASIS) 3.1, 3.2, 3.8, 3.9; mosquitto.conf
 * allow_anonymous; nmap mqtt-subscribe; CWE-306; ATT&CK T1190.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "check.h"
#include "facts.h"
#include "expo.h"
#include "mqtt_wire.h"
#include "rawio.h"

#define MQTT_IN_MAX (MQTT_PACKET_MAX + 8)
#define MQTT_SYS_WAIT_MS 1000u
#define MQTT_SYS_TOPIC "$SYS/broker/version"
#define MQTT_PACKETS_MAX 16 /* packets read after the SUBACK, at most */

enum mqtt_phase { MQ_CONNACK = 0, MQ_SUBACK, MQ_SYS, MQ_DONE };

struct mqtt_probe {
	struct rawio io;
	enum mqtt_phase phase;
	unsigned npackets;
	bool timer; /* the $SYS wait is armed */
};

static int mq_start(struct check_ctx *ctx, void *state)
{
	struct mqtt_probe *st = state;
	char id[24];
	uint8_t pkt[MQTT_OUT_MAX];
	int n, err;

	rawio_init(&st->io, MQTT_IN_MAX, MQTT_OUT_MAX * 2);
	ctx_phase(ctx, "CONNECT");
	/* a random client id: never one that takes over a real session */
	memcpy(id, "expo-", 5);
	ctx_random_name(ctx, id + 5, sizeof(id) - 5);
	n = mqtt_wire_connect(pkt, sizeof(pkt), id, 30);
	err = n < 0 ? n : rawio_open(ctx, &st->io);
	if (err == 0)
		err = rawio_queue(&st->io, pkt, (size_t)n);
	if (err < 0)
		rawio_close(&st->io);
	return err;
}

static int mq_end(struct check_ctx *ctx, struct mqtt_probe *st,
		  enum probe_status status, const char *why)
{
	if (why != NULL)
		ctx_status(ctx, status, "%s", why);
	st->phase = MQ_DONE;
	rawio_close(&st->io);
	return PROBE_DONE;
}

/* DISCONNECT, best effort and without a status: the socket is closed
 * right after, and a broker that has gone already changes nothing */
static void say_bye(struct check_ctx *ctx, struct mqtt_probe *st)
{
	uint8_t pkt[4];
	int n = mqtt_wire_disconnect(pkt, sizeof(pkt));

	(void)ctx;
	if (n > 0 && st->io.fd >= 0)
		(void)!send(st->io.fd, pkt, (size_t)n,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int on_connack(struct check_ctx *ctx, struct mqtt_probe *st,
		      const struct mqtt_packet *p)
{
	cJSON *facts = ctx_facts(ctx);
	uint8_t pkt[MQTT_OUT_MAX];
	unsigned rc;
	int n;

	if (mqtt_wire_connack(p, &rc) < 0)
		return mq_end(ctx, st, STATUS_ERROR,
			      "CONNECT: the first reply is not a CONNACK");
	if (fact_set_num(facts, "connack", rc) < 0 ||
	    fact_set_str(facts, "connack_text", mqtt_wire_rc_text(rc)) < 0)
		return EXPO_ENOMEM;
	if (rc != 0)
		return mq_end(ctx, st, STATUS_OPEN, NULL);
	if (fact_set_bool(facts, "anonymous", true) < 0)
		return EXPO_ENOMEM;
	ctx_phase(ctx, "SUBSCRIBE $SYS");
	n = mqtt_wire_subscribe(pkt, sizeof(pkt), 1, MQTT_SYS_TOPIC);
	if (n < 0)
		return n;
	st->phase = MQ_SUBACK;
	return rawio_queue(&st->io, pkt, (size_t)n);
}

static int on_packet(struct check_ctx *ctx, struct mqtt_probe *st,
		     const struct mqtt_packet *p)
{
	cJSON *facts = ctx_facts(ctx);
	char topic[MQTT_TEXT_KEEP], payload[MQTT_TEXT_KEEP];
	unsigned pid, granted;

	if (st->phase == MQ_CONNACK)
		return on_connack(ctx, st, p);
	if (++st->npackets > MQTT_PACKETS_MAX) {
		say_bye(ctx, st);
		return mq_end(ctx, st, STATUS_OPEN, NULL);
	}
	if (p->type == MQTT_SUBACK && st->phase == MQ_SUBACK) {
		if (mqtt_wire_suback(p, &pid, &granted) < 0)
			return EXPO_EPROTO;
		if (granted >= 0x80) {
			if (fact_set_bool(facts, "sys_refused", true) < 0)
				return EXPO_ENOMEM;
			say_bye(ctx, st);
			return mq_end(ctx, st, STATUS_OPEN, NULL);
		}
		st->phase = MQ_SYS;
		return 0;
	}
	if (p->type == MQTT_PUBLISH) {
		if (mqtt_wire_publish(p, topic, sizeof(topic), payload,
				      sizeof(payload)) < 0)
			return EXPO_EPROTO;
		if (strcmp(topic, MQTT_SYS_TOPIC) != 0)
			return 0;
		if (fact_set_str(facts, "broker_version", payload) < 0)
			return EXPO_ENOMEM;
		say_bye(ctx, st);
		return mq_end(ctx, st, STATUS_OPEN, NULL);
	}
	return 0; /* anything else a broker may send: ignored */
}

/* every whole packet in the buffer: 0, MQTT_WIRE_MORE or < 0 */
static int mq_packets(struct check_ctx *ctx, struct mqtt_probe *st)
{
	struct mqtt_packet p;
	size_t used = 0;
	int err;

	for (;;) {
		err = mqtt_wire_packet((const uint8_t *)dynbuf_ptr(&st->io.in),
				       dynbuf_len(&st->io.in), &p, &used);
		if (err != 0)
			return err;
		err = on_packet(ctx, st, &p);
		if (err < 0 || st->phase == MQ_DONE)
			return err;
		dynbuf_consume(&st->io.in, used);
	}
}

static int mq_step(struct check_ctx *ctx, void *state)
{
	struct mqtt_probe *st = state;
	const char *what;
	unsigned round;
	bool moved;
	int rc, err;

	/* pump and parse again while the pump moved bytes: what it read
	 * must be parsed before we wait (bounded: each round moves bytes) */
	for (round = 0; round < 64; round++) {
		if (st->phase == MQ_DONE)
			return PROBE_DONE;
		what = st->phase == MQ_CONNACK ? "CONNECT" : "SUBSCRIBE";
		rc = rawio_pump_moved(ctx, &st->io, what, &moved);
		if (rc != 0)
			return rc < 0 ? mq_end(ctx, st, STATUS_ERROR, NULL)
				      : rc;
		/* a broker's first packet is CONNACK: anything else (a
		 * banner, HTTP) is not MQTT, without waiting for its length */
		if (st->phase == MQ_CONNACK && dynbuf_len(&st->io.in) > 0 &&
		    (uint8_t)dynbuf_ptr(&st->io.in)[0] != MQTT_CONNACK << 4)
			return mq_end(ctx, st, STATUS_ERROR,
				      "CONNECT: not an MQTT broker (the first "
				      "packet is not a CONNACK)");
		if (round == 0 && st->timer && !moved && !st->io.eof) {
			/* the wait for $SYS ran out: the broker keeps it */
			say_bye(ctx, st);
			return mq_end(ctx, st, STATUS_OPEN, NULL);
		}
		err = mq_packets(ctx, st);
		if (st->phase == MQ_DONE)
			return err < 0 ? err : PROBE_DONE;
		if (err == MQTT_WIRE_MORE && st->io.eof)
			return mq_end(ctx, st, STATUS_ERROR,
				      st->phase == MQ_CONNACK
					      ? "CONNECT: connection closed "
						"without a CONNACK"
					      : "SUBSCRIBE: connection closed");
		if (err < 0)
			return mq_end(ctx, st, STATUS_ERROR,
				      err == EXPO_ETOOBIG
					      ? "a packet over 16 KiB"
				      : err == EXPO_ENOMEM
					      ? "out of memory"
					      : "not an MQTT broker (malformed "
						"packet)");
		if (!moved)
			break;
	}
	if (st->phase == MQ_SYS && !st->timer) {
		unsigned ms = ctx_timeout_ms(ctx) / 2;

		/* within the phase's --timeout: a quiet $SYS is no timeout */
		st->timer = true;
		ctx_wake_after(ctx,
			       ms < MQTT_SYS_WAIT_MS ? ms : MQTT_SYS_WAIT_MS);
	}
	rc = rawio_wait(ctx, &st->io);
	return st->timer ? rc | PROBE_WANT_TIMER : rc;
}

static void mq_cleanup(struct check_ctx *ctx, void *state)
{
	struct mqtt_probe *st = state;

	(void)ctx;
	rawio_close(&st->io);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int mq_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const char *ver = fact_get_str(facts, "broker_version");
	char sys[MQTT_TEXT_KEEP + 64];

	if (!fact_is_true(facts, "anonymous"))
		return 0;
	if (ver != NULL)
		snprintf(sys, sizeof(sys), "; $SYS readable: %s", ver);
	else if (fact_is_true(facts, "sys_refused"))
		snprintf(sys, sizeof(sys), "; $SYS refused");
	else
		snprintf(sys, sizeof(sys), "; no $SYS version given");
	return ctx_report(ctx, "mqtt.no_auth", NULL,
			  "CONNECT without user name or password answered "
			  "CONNACK 0 (accepted)%s",
			  sys);
}

static const struct rule mq_rules[] = {
	{
		.id = "mqtt.no_auth",
		.title = "MQTT broker accepts clients without credentials",
		.description =
			"The broker accepted a connection with no user name "
			"and no password: anyone can subscribe to its topics "
			"(telemetry, commands) and, unless an ACL forbids it, "
			"publish commands to devices.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L",
		.references = "CWE-306; ATT&CK T1190; OASIS MQTT 3.1.1 5.4.1",
		.remediation = "Set allow_anonymous false (mosquitto 2 does by "
			       "default) with a password file or client "
			       "certificates, add ACLs per topic, use TLS "
			       "(8883), and firewall port 1883.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const mq_services[] = { "mqtt", NULL };
static const uint16_t mq_ports[] = { 1883 };

const struct check check_mqtt = {
	.name = "mqtt",
	.summary = "MQTT: a broker that accepts clients without credentials "
		   "(1883)",
	.services = mq_services,
	.ports = mq_ports,
	.nports = ARRAY_SIZE(mq_ports),
	.rules = mq_rules,
	.nrules = ARRAY_SIZE(mq_rules),
	.state_size = sizeof(struct mqtt_probe),
	.start = mq_start,
	.step = mq_step,
	.cleanup = mq_cleanup,
	.assess = mq_assess,
};
