/*
 * vnc_wire.c - RFB handshake parsers and the VNC authentication response;
 * see vnc_wire.h. Every length a server sends is checked against a bound
 * before it is used; text is kept as printable ASCII only.
 */
/* DES is deprecated in OpenSSL 3 (and the EVP cipher lives in the legacy
 * provider only); the low-level primitive is what VNC authentication
 * needs, so no DES is written here by hand */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/des.h>
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "rawtext.h"
#include "vnc_wire.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int digits3(const uint8_t *p, unsigned *v)
{
	unsigned i;

	*v = 0;
	for (i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EXPO_EPROTO;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 0;
}

int vnc_wire_version(const uint8_t *buf, size_t len, struct vnc_version *v,
		     size_t *used)
{
	size_t i;

	/* refuse early what cannot become "RFB " */
	for (i = 0; i < len && i < 4; i++)
		if (buf[i] != (uint8_t) "RFB "[i])
			return EXPO_EPROTO;
	if (len < VNC_VERSION_LEN)
		return VNC_WIRE_MORE;
	if (buf[7] != '.' || buf[11] != '\n' ||
	    digits3(buf + 4, &v->major) < 0 || digits3(buf + 8, &v->minor) < 0)
		return EXPO_EPROTO;
	if (v->major < 3)
		return EXPO_EPROTO;
	if (v->major > 3 || v->minor >= 8)
		v->use_minor = 8;
	else if (v->minor == 7)
		v->use_minor = 7;
	else
		v->use_minor = 3; /* 3.3, and 3.5 (a broken 3.3) */
	*used = VNC_VERSION_LEN;
	return 0;
}

void vnc_wire_client_version(unsigned minor, char out[VNC_VERSION_LEN + 1])
{
	snprintf(out, VNC_VERSION_LEN + 1, "RFB 003.%03u\n",
		 minor >= 8   ? 8u
		 : minor == 7 ? 7u
			      : 3u);
}

/* a u32 length and that many bytes of text at buf: 0, MORE or TOOBIG */
static int reason_at(const uint8_t *buf, size_t len, char *out, size_t size,
		     size_t *used)
{
	uint32_t n;

	if (len < 4)
		return VNC_WIRE_MORE;
	n = be32(buf);
	if (n > VNC_REASON_MAX)
		return EXPO_ETOOBIG;
	if (len - 4 < n)
		return VNC_WIRE_MORE;
	raw_text(buf + 4, n, out, size);
	*used = 4 + (size_t)n;
	return 0;
}

int vnc_wire_security(const uint8_t *buf, size_t len, unsigned minor,
		      struct vnc_security *s, size_t *used)
{
	size_t n = 0, i;
	uint32_t t;
	int err;

	memset(s, 0, sizeof(*s));
	if (minor < 7) {
		if (len < 4)
			return VNC_WIRE_MORE;
		t = be32(buf);
		if (t > 0xff)
			return EXPO_EPROTO;
		if (t != 0) {
			s->ntypes = 1;
			s->types[0] = (uint8_t)t;
			*used = 4;
			return 0;
		}
		err = reason_at(buf + 4, len - 4, s->reason, sizeof(s->reason),
				&n);
		if (err == 0)
			*used = 4 + n;
		return err;
	}
	if (len < 1)
		return VNC_WIRE_MORE;
	if (buf[0] == 0) {
		err = reason_at(buf + 1, len - 1, s->reason, sizeof(s->reason),
				&n);
		if (err == 0)
			*used = 1 + n;
		return err;
	}
	if (len < 1 + (size_t)buf[0])
		return VNC_WIRE_MORE;
	for (i = 0; i < buf[0]; i++) {
		if (buf[1 + i] == VNC_SEC_INVALID)
			return EXPO_EPROTO;
		if (s->ntypes < VNC_TYPES_MAX)
			s->types[s->ntypes++] = buf[1 + i];
	}
	*used = 1 + (size_t)buf[0];
	return 0;
}

bool vnc_wire_offers(const struct vnc_security *s, uint8_t type)
{
	unsigned i;

	for (i = 0; i < s->ntypes; i++)
		if (s->types[i] == type)
			return true;
	return false;
}

int vnc_wire_result(const uint8_t *buf, size_t len, unsigned minor, bool eof,
		    struct vnc_result *r, size_t *used)
{
	size_t n = 0;
	int err;

	memset(r, 0, sizeof(*r));
	if (len < 4)
		return VNC_WIRE_MORE;
	r->status = be32(buf);
	if (r->status == 0 || minor < 8) {
		*used = 4;
		return 0;
	}
	err = reason_at(buf + 4, len - 4, r->reason, sizeof(r->reason), &n);
	if (err == VNC_WIRE_MORE && eof && len == 4) {
		/* a server that sent the status and closed */
		*used = 4;
		return 0;
	}
	if (err == 0)
		*used = 4 + n;
	return err;
}

int vnc_wire_server_init(const uint8_t *buf, size_t len,
			 struct vnc_server_init *si, size_t *used)
{
	uint32_t n;

	memset(si, 0, sizeof(*si));
	if (len < 24)
		return VNC_WIRE_MORE;
	n = be32(buf + 20);
	if (n > VNC_NAME_MAX)
		return EXPO_ETOOBIG;
	if (len - 24 < n)
		return VNC_WIRE_MORE;
	si->width = (unsigned)buf[0] << 8 | buf[1];
	si->height = (unsigned)buf[2] << 8 | buf[3];
	raw_text(buf + 24, n, si->name, sizeof(si->name));
	*used = 24 + (size_t)n;
	return 0;
}

static uint8_t reverse_bits(uint8_t b)
{
	b = (uint8_t)((b & 0xf0) >> 4 | (b & 0x0f) << 4);
	b = (uint8_t)((b & 0xcc) >> 2 | (b & 0x33) << 2);
	return (uint8_t)((b & 0xaa) >> 1 | (b & 0x55) << 1);
}

int vnc_wire_des_response(const uint8_t challenge[VNC_CHALLENGE_LEN],
			  const char *password, uint8_t out[VNC_CHALLENGE_LEN])
{
	DES_cblock key;
	DES_key_schedule ks;
	size_t i, n = password ? strlen(password) : 0;

	memset(key, 0, sizeof(key));
	for (i = 0; i < sizeof(key) && i < n; i++)
		key[i] = reverse_bits((uint8_t)password[i]);
	/* unchecked: a weak or odd-parity key is what the password gives */
	DES_set_key_unchecked(&key, &ks);
	for (i = 0; i < VNC_CHALLENGE_LEN; i += 8)
		DES_ecb_encrypt((const_DES_cblock *)(challenge + i),
				(DES_cblock *)(out + i), &ks, DES_ENCRYPT);
	OPENSSL_cleanse(&ks, sizeof(ks));
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

const char *vnc_wire_sec_name(uint8_t type)
{
	switch (type) {
	case 1:
		return "None";
	case 2:
		return "VNC Authentication";
	case 5:
		return "RA2";
	case 6:
		return "RA2ne";
	case 16:
		return "Tight";
	case 17:
		return "Ultra";
	case 18:
		return "TLS";
	case 19:
		return "VeNCrypt";
	case 20:
		return "SASL";
	case 30:
		return "Apple ARD";
	default:
		return NULL;
	}
}

bool vnc_wire_locked_text(const char *reason)
{
	static const char *const words[] = { "too many",  "Too many",
					     "blacklist", "Blacklist",
					     "blocked",	  NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strstr(reason, words[i]) != NULL)
			return true;
	return false;
}
