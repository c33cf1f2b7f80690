/*
 * test_mqtt_zk.c - the MQTT and ZooKeeper parsers on what the lab's
 * mosquitto 2.0.11 and ZooKeeper 3.8.0 sent (tests/fixtures/mqtt/,
 * tests/fixtures/zookeeper/) and on constructed hostile bytes (lengths,
 * bounds, other protocols), the packets we build, assess() of both
 * checks on fixture facts, and both checks through the whole engine
 * against scripted servers (a broker that keeps $SYS to itself: the
 * bounded wait; a refusing broker; ZooKeeper open, with NOAUTH).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "expo.h"
#include "raw/mqtt_wire.h"
#include "raw/zookeeper_wire.h"
#include "rawapi_fixture.h"
#include "script_server.h"

extern const struct check check_mqtt, check_zookeeper;

static uint8_t *load(const char *path, size_t *len)
{
	uint8_t *buf = malloc(65536);
	FILE *f = fopen(path, "rb");

	cr_assert_not_null(f, "cannot open %s (run from the top directory)",
			   path);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* ---- MQTT ---- */

Test(mqtt_wire, recorded_mosquitto)
{
	size_t len, used = 0, off = 0, i;
	uint8_t *buf = load(
		"tests/fixtures/mqtt/mosquitto-2.0.11-anonymous-sys", &len);
	struct mqtt_packet p;
	char topic[MQTT_TEXT_KEEP], payload[MQTT_TEXT_KEEP];
	unsigned rc, pid, granted;

	cr_assert_eq(mqtt_wire_packet(buf, len, &p, &used), 0);
	cr_assert_eq(mqtt_wire_connack(&p, &rc), 0);
	cr_expect_eq(rc, 0u);
	off += used;
	cr_assert_eq(mqtt_wire_packet(buf + off, len - off, &p, &used), 0);
	cr_assert_eq(mqtt_wire_suback(&p, &pid, &granted), 0);
	cr_expect_eq(pid, 1u);
	cr_expect_eq(granted, 0u);
	off += used;
	cr_assert_eq(mqtt_wire_packet(buf + off, len - off, &p, &used), 0);
	cr_assert_eq(mqtt_wire_publish(&p, topic, sizeof(topic), payload,
				       sizeof(payload)),
		     0);
	cr_expect_str_eq(topic, "$SYS/broker/version");
	cr_expect_str_eq(payload, "mosquitto version 2.0.11");
	cr_expect_eq(off + used, len);
	/* every prefix of a packet asks for more */
	for (i = 0; i < 4; i++)
		cr_expect_eq(mqtt_wire_packet(buf, i, &p, &used),
			     i < 4 ? MQTT_WIRE_MORE : 0, "prefix %zu", i);
	free(buf);
	buf = load("tests/fixtures/mqtt/mosquitto-2.0.11-not-authorized", &len);
	cr_assert_eq(mqtt_wire_packet(buf, len, &p, &used), 0);
	cr_assert_eq(mqtt_wire_connack(&p, &rc), 0);
	cr_expect_eq(rc, 5u);
	cr_expect_str_eq(mqtt_wire_rc_text(rc), "not authorized");
	free(buf);
}

Test(mqtt_wire, hostile)
{
	static const uint8_t five[] = { 0x20, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t big[] = { 0x30, 0xff, 0xff, 0x7f };
	static const uint8_t pub_bad[] = { 0x30, 0x03, 0x00, 0x09, 'x' };
	static const uint8_t pub_qos3[] = { 0x36, 0x03, 0x00, 0x01, 'x' };
	static const uint8_t ack_bad[] = { 0x20, 0x02, 0x02, 0x00 };
	struct mqtt_packet p;
	char t[8], pl[8];
	size_t used = 0;
	unsigned rc;

	cr_expect_eq(mqtt_wire_packet(five, sizeof(five), &p, &used),
		     EXPO_EPROTO);
	cr_expect_eq(mqtt_wire_packet(big, sizeof(big), &p, &used),
		     EXPO_ETOOBIG);
	/* what a broker never sends: CONNECT, SUBSCRIBE, type 0 */
	cr_expect_eq(mqtt_wire_packet((const uint8_t *)"\x10\0", 2, &p, &used),
		     EXPO_EPROTO);
	/* "HT": PUBACK of 84 bytes to the parser; the check refuses any
	 * first packet that is not a CONNACK (mqtt_check/not_mqtt) */
	cr_expect_eq(
		mqtt_wire_packet((const uint8_t *)"HTTP/1.1", 8, &p, &used),
		MQTT_WIRE_MORE);
	cr_assert_eq(mqtt_wire_packet(pub_bad, sizeof(pub_bad), &p, &used), 0);
	cr_expect_eq(mqtt_wire_publish(&p, t, sizeof(t), pl, sizeof(pl)),
		     EXPO_EPROTO);
	cr_assert_eq(mqtt_wire_packet(pub_qos3, sizeof(pub_qos3), &p, &used),
		     0);
	cr_expect_eq(mqtt_wire_publish(&p, t, sizeof(t), pl, sizeof(pl)),
		     EXPO_EPROTO);
	cr_assert_eq(mqtt_wire_packet(ack_bad, sizeof(ack_bad), &p, &used), 0);
	cr_expect_eq(mqtt_wire_connack(&p, &rc), EXPO_EPROTO);
}

Test(mqtt_wire, built_packets)
{
	static const uint8_t want[] = { 0x10, 0x11, 0,	 4,   'M', 'Q', 'T',
					'T',  4,    2,	 0,   30,  0,	5,
					'e',  'x',  'p', 'o', '1' };
	static const uint8_t sub[] = { 0x82, 8, 0, 1, 0, 3, '$', 'S', 'Y', 0 };
	uint8_t out[MQTT_OUT_MAX];

	cr_assert_eq(mqtt_wire_connect(out, sizeof(out), "expo1", 30),
		     (int)sizeof(want));
	cr_expect_arr_eq(out, want, sizeof(want));
	cr_assert_eq(mqtt_wire_subscribe(out, sizeof(out), 1, "$SY"),
		     (int)sizeof(sub));
	cr_expect_arr_eq(out, sub, sizeof(sub));
	cr_assert_eq(mqtt_wire_disconnect(out, sizeof(out)), 2);
	cr_expect(out[0] == 0xe0 && out[1] == 0);
	cr_expect_eq(mqtt_wire_connect(out, 4, "expo1", 30), EXPO_ETOOBIG);
}

Test(mqtt_assess, facts)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_mqtt, 1883,
		   "{\"connack\":0,\"anonymous\":true,"
		   "\"broker_version\":\"mosquitto version 2.0.11\"}",
		   false);
	x = rawfix_one(&f, "mqtt.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "$SYS readable: mosquitto version "
				      "2.0.11"),
		  "%s", x->evidence);
	rawfix_release(&f);
	rawfix_run(&f, &check_mqtt, 1883, "{\"connack\":5}", false);
	cr_expect_eq(rawfix_count(&f), 0);
	rawfix_release(&f);
	rawfix_run(&f, &check_mqtt, 1883, "{}", false);
	cr_expect_eq(rawfix_count(&f), 0);
	rawfix_release(&f);
}

/* CONNACK 0, SUBACK granted, then nothing: $SYS kept to itself */
static void broker_quiet(struct script_server *s, int fd, unsigned conn)
{
	uint8_t hdr[2], body[256];

	(void)conn;
	if (!script_read(fd, hdr, 2) || hdr[0] != 0x10 || hdr[1] > 200 ||
	    !script_read(fd, body, hdr[1]))
		return;
	/* no user name, no password flag */
	if ((body[7] & 0xc0) == 0)
		script_count(s, &s->sessions);
	script_write(fd, "\x20\x02\x00\x00", 4);
	if (!script_read(fd, hdr, 2) || hdr[0] != 0x82 ||
	    !script_read(fd, body, hdr[1]))
		return;
	script_write(fd, "\x90\x03\x00\x01\x00", 5);
	/* whatever comes next (DISCONNECT) is counted; a PUBLISH would be
	 * a fault */
	if (script_read(fd, hdr, 1) && (hdr[0] >> 4) == 3)
		script_count(s, &s->counter);
}

static void broker_refuses(struct script_server *s, int fd, unsigned conn)
{
	uint8_t hdr[2], body[256];

	(void)conn;
	if (!script_read(fd, hdr, 2) || !script_read(fd, body, hdr[1]))
		return;
	script_count(s, &s->sessions);
	script_write(fd, "\x20\x02\x00\x05", 4);
}

Test(mqtt_check, quiet_sys_waits_a_bounded_time, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;
	const char *reason;
	int st;

	script_once(&s, broker_quiet, &check_mqtt, 0, false, &res);
	cr_assert_eq(res.findings.n, 1);
	cr_expect(strstr(res.findings.v[0].evidence, "no $SYS version"), "%s",
		  res.findings.v[0].evidence);
	cr_expect_eq(s.sessions, 1u);
	cr_expect_eq(s.counter, 0u); /* never a PUBLISH */
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_OPEN, "%d %s", st, reason);
	scan_result_release(&res);

	script_once(&s, broker_refuses, &check_mqtt, 0, false, &res);
	cr_expect_eq(res.findings.n, 0);
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_OPEN, "%d %s", st, reason);
	scan_result_release(&res);
}

static void http_server(struct script_server *s, int fd, unsigned conn)
{
	uint8_t b[2];

	(void)conn;
	if (script_read(fd, b, 2))
		script_count(s, &s->sessions);
	script_write(fd, "HTTP/1.1 400 Bad Request\r\n", 26);
	script_read(fd, b, 1); /* until the client closes */
}

Test(mqtt_check, not_mqtt, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;
	const char *reason;
	int st;

	script_once(&s, http_server, &check_mqtt, 0, false, &res);
	cr_expect_eq(res.findings.n, 0);
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_ERROR, "%d %s", st, reason);
	cr_expect(strstr(reason, "not an MQTT broker") != NULL, "%s", reason);
	scan_result_release(&res);
}

/* ---- ZooKeeper ---- */

Test(zookeeper_wire, recorded_open_and_enforced)
{
	const uint8_t *body;
	size_t len, blen, used = 0, off;
	uint8_t *buf =
		load("tests/fixtures/zookeeper/zookeeper-3.8.0-open", &len);
	struct zk_session s;
	struct zk_children c;

	cr_assert_eq(zk_wire_frame(buf, len, &body, &blen, &used), 0);
	cr_assert_eq(zk_wire_connect_reply(body, blen, &s), 0);
	cr_expect_neq(s.session_id, 0);
	cr_expect_eq(s.timeout_ms, 10000);
	off = used;
	cr_assert_eq(zk_wire_frame(buf + off, len - off, &body, &blen, &used),
		     0);
	cr_assert_eq(zk_wire_children_reply(body, blen, &c), 0);
	cr_expect_eq(c.err, 0);
	cr_expect_eq(c.count, 1u);
	cr_expect_str_eq(c.names[0], "zookeeper");
	free(buf);
	buf = load("tests/fixtures/zookeeper/zookeeper-3.8.0-enforced", &len);
	cr_assert_eq(zk_wire_frame(buf, len, &body, &blen, &used), 0);
	off = used;
	cr_assert_eq(zk_wire_frame(buf + off, len - off, &body, &blen, &used),
		     0);
	cr_assert_eq(zk_wire_children_reply(body, blen, &c), 0);
	cr_expect_eq(c.err, -124);
	cr_expect_str_eq(zk_wire_err_name(c.err),
			 "SESSIONCLOSEDREQUIRESASLAUTH");
	free(buf);
}

Test(zookeeper_wire, words)
{
	size_t len;
	char *t = (char *)load(
		"tests/fixtures/zookeeper/zookeeper-3.8.0-srvr-open", &len);
	struct zk_words w;

	cr_assert_eq(zk_wire_words(t, len, &w), 0);
	cr_expect(w.answered && !w.not_allowed);
	cr_expect(strncmp(w.version, "3.8.0", 5) == 0, "%s", w.version);
	cr_expect_str_eq(w.mode, "standalone");
	cr_expect_geq(w.nodes, 1);
	free(t);
	t = (char *)load("tests/fixtures/zookeeper/zookeeper-3.8.0-mntr-open",
			 &len);
	cr_assert_eq(zk_wire_words(t, len, &w), 0);
	cr_expect(strncmp(w.version, "3.8.0", 5) == 0, "%s", w.version);
	cr_expect_str_eq(w.mode, "standalone");
	cr_expect_geq(w.clients, 1);
	free(t);
	/* a server that has run a while says more than 16 KiB */
	t = (char *)load(
		"tests/fixtures/zookeeper/zookeeper-3.8.0-mntr-open-busy",
		&len);
	cr_assert_gt(len, 16384);
	cr_assert_eq(zk_wire_words(t, len, &w), 0);
	cr_expect_str_eq(w.mode, "standalone");
	free(t);
	t = (char *)load(
		"tests/fixtures/zookeeper/zookeeper-3.8.0-mntr-refused", &len);
	cr_assert_eq(zk_wire_words(t, len, &w), 0);
	cr_expect(w.not_allowed && !w.answered);
	free(t);
	cr_expect_eq(zk_wire_words("HTTP/1.1 400\r\n", 14, &w), EXPO_EPROTO);
}

Test(zookeeper_wire, hostile)
{
	/* a negative frame, one over the bound, a count that cannot fit, a
	 * name longer than its frame */
	static const uint8_t neg[] = { 0x80, 0, 0, 0 };
	static const uint8_t huge[] = { 0, 0x10, 0, 0 };
	static const uint8_t count[] = { 0, 0, 0,    1,	   0,	 0,   0,
					 0, 0, 0,    0,	   0,	 0,   0,
					 0, 0, 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t name[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,  0,
					0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 'z' };
	const uint8_t *body;
	size_t blen, used = 0;
	struct zk_children c;
	struct zk_session s;

	cr_expect_eq(zk_wire_frame(neg, 4, &body, &blen, &used), EXPO_EPROTO);
	cr_expect_eq(zk_wire_frame(huge, 4, &body, &blen, &used), EXPO_ETOOBIG);
	cr_expect_eq(zk_wire_frame(huge, 3, &body, &blen, &used), ZK_WIRE_MORE);
	cr_expect_eq(zk_wire_children_reply(count, sizeof(count), &c),
		     EXPO_EPROTO);
	cr_expect_eq(zk_wire_children_reply(name, sizeof(name), &c),
		     EXPO_EPROTO);
	cr_expect_eq(zk_wire_connect_reply(count, 8, &s), EXPO_EPROTO);
}

Test(zookeeper_assess, facts)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_zookeeper, 2181,
		   "{\"session\":true,\"children_count\":2,"
		   "\"children\":[\"zookeeper\",\"kafka\"],"
		   "\"srvr\":{\"version\":\"3.8.0\",\"mode\":\"standalone\"},"
		   "\"mntr\":{\"refused\":true}}",
		   false);
	x = rawfix_one(&f, "zookeeper.no_auth");
	cr_assert_not_null(x);
	cr_expect(
		strstr(x->evidence, "2 znodes (zookeeper, kafka)") &&
			strstr(x->evidence, "ZooKeeper 3.8.0, mode standalone"),
		"%s", x->evidence);
	rawfix_release(&f);
	/* NOAUTH on /, even with srvr answered: not the proof */
	rawfix_run(&f, &check_zookeeper, 2181,
		   "{\"session\":true,\"children_error\":-102,"
		   "\"srvr\":{\"version\":\"3.8.0\"}}",
		   false);
	cr_expect_eq(rawfix_count(&f), 0);
	rawfix_release(&f);
}

/* a session, then NOAUTH (-102) for GetChildren; srvr answered */
static void zk_noauth(struct script_server *s, int fd, unsigned conn)
{
	static const uint8_t sess[] = { 0, 0,  0,    36,   0,  0,  0,  0,
					0, 0,  0x27, 0x10, 0,  0,  0,  0,
					0, 0,  0,    7,	   0,  0,  0,  16,
					1, 2,  3,    4,	   5,  6,  7,  8,
					9, 10, 11,   12,   13, 14, 15, 16 };
	static const uint8_t noauth[] = { 0, 0, 0,    16,   0,	  0,   0,
					  1, 0, 0,    0,    0,	  0,   0,
					  0, 9, 0xff, 0xff, 0xff, 0x9a };
	uint8_t buf[64];

	(void)conn;
	if (!script_read(fd, buf, 4))
		return;
	if (memcmp(buf, "srvr", 4) == 0) {
		script_write(fd, "Zookeeper version: 3.9.9-x\nMode: leader\n",
			     40);
		return;
	}
	if (memcmp(buf, "mntr", 4) == 0)
		return;
	if (!script_read(fd, buf, 45))
		return;
	script_write(fd, sess, sizeof(sess));
	if (!script_read(fd, buf, 18))
		return;
	script_count(s, &s->sessions);
	script_write(fd, noauth, sizeof(noauth));
	script_read(fd, buf, 12); /* closeSession */
}

Test(zookeeper_check, noauth_is_no_finding, .timeout = 30)
{
	struct script_server s;
	struct scan_result res;
	const char *reason;
	int st;

	script_once(&s, zk_noauth, &check_zookeeper, 0, false, &res);
	cr_expect_eq(res.findings.n, 0);
	cr_expect_eq(s.sessions, 1u);
	st = script_status(&res, &reason);
	cr_expect_eq(st, STATUS_OPEN, "%d %s", st, reason);
	scan_result_release(&res);
}
