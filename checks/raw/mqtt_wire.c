/*
 * mqtt_wire.c - MQTT 3.1.1 packets for the mqtt check; see mqtt_wire.h.
 * The remaining length is at most 4 bytes and bounded by MQTT_PACKET_MAX
 * before anything is read past the fixed header.
 */
#include <string.h>
#include "expo.h"
#include "rawtext.h"
#include "mqtt_wire.h"

/* the remaining length as MQTT encodes it (7 bits a byte); its size */
static size_t put_len(uint8_t *out, size_t n)
{
	size_t k = 0;

	do {
		uint8_t b = (uint8_t)(n % 128);

		n /= 128;
		out[k++] = (uint8_t)(b | (n ? 0x80 : 0));
	} while (n && k < 4);
	return k;
}

static size_t put_str(uint8_t *out, const char *s, size_t n)
{
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	memcpy(out + 2, s, n);
	return 2 + n;
}

/* fixed header and body into out: the whole length or ETOOBIG */
static int frame(uint8_t *out, size_t size, uint8_t first, const uint8_t *body,
		 size_t blen)
{
	uint8_t hdr[5];
	size_t h;

	if (blen > MQTT_OUT_MAX)
		return EXPO_ETOOBIG;
	hdr[0] = first;
	h = 1 + put_len(hdr + 1, blen);
	if (h + blen > size)
		return EXPO_ETOOBIG;
	memcpy(out, hdr, h);
	if (blen > 0)
		memcpy(out + h, body, blen);
	return (int)(h + blen);
}

int mqtt_wire_connect(uint8_t *out, size_t size, const char *client_id,
		      unsigned keepalive)
{
	uint8_t body[MQTT_OUT_MAX];
	size_t n = strlen(client_id), k = 0;

	if (n > 64)
		return EXPO_ETOOBIG;
	k += put_str(body, "MQTT", 4);
	body[k++] = 4;	  /* protocol level: 3.1.1 */
	body[k++] = 0x02; /* clean session; no user, no password, no will */
	body[k++] = (uint8_t)(keepalive >> 8);
	body[k++] = (uint8_t)keepalive;
	k += put_str(body + k, client_id, n);
	return frame(out, size, MQTT_CONNECT << 4, body, k);
}

int mqtt_wire_subscribe(uint8_t *out, size_t size, unsigned packet_id,
			const char *topic)
{
	uint8_t body[MQTT_OUT_MAX];
	size_t n = strlen(topic), k = 0;

	if (n > 128 || packet_id == 0 || packet_id > 0xffff)
		return EXPO_ETOOBIG;
	body[k++] = (uint8_t)(packet_id >> 8);
	body[k++] = (uint8_t)packet_id;
	k += put_str(body + k, topic, n);
	body[k++] = 0; /* QoS 0: nothing to acknowledge */
	/* SUBSCRIBE's fixed-header flags are 0010 by the specification */
	return frame(out, size, MQTT_SUBSCRIBE << 4 | 0x2, body, k);
}

int mqtt_wire_disconnect(uint8_t *out, size_t size)
{
	return frame(out, size, MQTT_DISCONNECT << 4, NULL, 0);
}

int mqtt_wire_packet(const uint8_t *buf, size_t len, struct mqtt_packet *p,
		     size_t *used)
{
	size_t rl = 0, mult = 1, i;
	unsigned type;

	if (len < 1)
		return MQTT_WIRE_MORE;
	type = buf[0] >> 4;
	/* what a broker sends a client: CONNACK, PUBLISH, PUBACK..PUBCOMP,
	 * SUBACK, UNSUBACK, PINGRESP, DISCONNECT (5), AUTH (5) */
	if (type == 0 || type == MQTT_CONNECT || type == MQTT_SUBSCRIBE ||
	    type == 10 || type == 12)
		return EXPO_EPROTO;
	for (i = 1;; i++) {
		if (i > 4)
			return EXPO_EPROTO; /* a length of five bytes */
		if (i >= len)
			return MQTT_WIRE_MORE;
		rl += (size_t)(buf[i] & 0x7f) * mult;
		mult *= 128;
		if (!(buf[i] & 0x80))
			break;
	}
	if (rl > MQTT_PACKET_MAX)
		return EXPO_ETOOBIG;
	if (len - (i + 1) < rl)
		return MQTT_WIRE_MORE;
	p->type = type;
	p->flags = buf[0] & 0x0f;
	p->body = buf + i + 1;
	p->len = rl;
	*used = i + 1 + rl;
	return 0;
}

int mqtt_wire_connack(const struct mqtt_packet *p, unsigned *rc)
{
	/* 3.1.1: two bytes; MQTT 5 adds properties after them */
	if (p->type != MQTT_CONNACK || p->len < 2 || (p->body[0] & 0xfe))
		return EXPO_EPROTO;
	*rc = p->body[1];
	return 0;
}

int mqtt_wire_suback(const struct mqtt_packet *p, unsigned *packet_id,
		     unsigned *granted)
{
	if (p->type != MQTT_SUBACK || p->len < 3)
		return EXPO_EPROTO;
	*packet_id = (unsigned)p->body[0] << 8 | p->body[1];
	*granted = p->body[p->len - 1];
	return 0;
}

int mqtt_wire_publish(const struct mqtt_packet *p, char *topic,
		      size_t topic_size, char *payload, size_t payload_size)
{
	size_t tl, off;
	unsigned qos = (p->flags >> 1) & 3;

	if (p->type != MQTT_PUBLISH || p->len < 2 || qos == 3)
		return EXPO_EPROTO;
	tl = (size_t)p->body[0] << 8 | p->body[1];
	off = 2 + tl + (qos ? 2 : 0);
	if (off > p->len)
		return EXPO_EPROTO;
	raw_text(p->body + 2, tl, topic, topic_size);
	raw_text(p->body + off, p->len - off, payload, payload_size);
	return 0;
}

const char *mqtt_wire_rc_text(unsigned rc)
{
	switch (rc) {
	case 0:
		return "accepted";
	case 1:
		return "unacceptable protocol version";
	case 2:
		return "identifier rejected";
	case 3:
		return "server unavailable";
	case 4:
		return "bad user name or password";
	case 5:
		return "not authorized";
	case 0x84:
		return "unsupported protocol version";
	case 0x86:
		return "bad user name or password";
	case 0x87:
		return "not authorized";
	default:
		return rc >= 0x80 ? "refused" : "unknown return code";
	}
}
