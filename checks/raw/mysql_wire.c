/*
 * mysql_wire.c - MySQL/MariaDB protocol up to authentication (see
 * mysql_wire.h). Every field is read after checking that it fits in the
 * packet, so a lying length is an error, never an overread.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include "expo.h"
#include "mysql_wire.h"

int mysql_wire_packet(const uint8_t *buf, size_t len, const uint8_t **payload,
		      size_t *plen, uint8_t *seq, size_t *used)
{
	size_t n;
	int err = MYSQL_WIRE_MORE;

	if (len < 4)
		goto out;
	n = (size_t)buf[0] | (size_t)buf[1] << 8 | (size_t)buf[2] << 16;
	if (n > MYSQL_PAYLOAD_MAX) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	if (len - 4 < n)
		goto out;
	*payload = buf + 4;
	*plen = n;
	*seq = buf[3];
	*used = 4 + n;
	err = 0;
out:
	return err;
}

static void copy_text(char *out, size_t size, const uint8_t *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < size; i++)
		if (s[i] >= 0x20 && s[i] < 0x7f)
			out[k++] = (char)s[i];
	out[k] = '\0';
}

/* a NUL-terminated string at p[pos..n): its length (without NUL), or -1 */
static long cstr(const uint8_t *p, size_t n, size_t pos)
{
	const uint8_t *z;

	if (pos >= n)
		return -1;
	z = memchr(p + pos, '\0', n - pos);
	return z ? (long)(z - (p + pos)) : -1;
}

static void parse_err(const uint8_t *p, size_t n, struct mysql_err *e)
{
	size_t pos = 3;

	memset(e, 0, sizeof(*e));
	if (n < 3)
		return;
	e->code = (unsigned)p[1] | (unsigned)p[2] << 8;
	/* '#' and a 5-byte SQLSTATE follow in protocol 4.1 */
	if (n >= 9 && p[3] == '#')
		pos = 9;
	if (pos < n)
		copy_text(e->message, sizeof(e->message), p + pos, n - pos);
}

int mysql_wire_handshake(const uint8_t *p, size_t n, struct mysql_handshake *h)
{
	size_t pos = 1, part2;
	long vlen, plen;
	unsigned alen;
	int err = EXPO_EPARSE;

	memset(h, 0, sizeof(*h));
	if (n < 1)
		goto out;
	if (p[0] == 0xFF) {
		if (n < 3)
			goto out;
		h->is_error = true;
		parse_err(p, n, &h->err);
		err = 0;
		goto out;
	}
	h->protocol = p[0];
	if (p[0] != 10) {
		err = EXPO_EPROTO;
		goto out;
	}
	vlen = cstr(p, n, pos);
	if (vlen < 0)
		goto out;
	copy_text(h->version, sizeof(h->version), p + pos, (size_t)vlen);
	pos += (size_t)vlen + 1;
	/* thread id 4, scramble part 1 (8), filler 1, caps low 2 */
	if (n - pos < 4 + 8 + 1 + 2)
		goto out;
	pos += 4;
	memcpy(h->scramble, p + pos, 8);
	pos += 9;
	h->caps = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8;
	pos += 2;
	if (pos == n) {
		/* pre-4.1 server: 8-byte scramble only */
		err = EXPO_EPROTO;
		goto out;
	}
	/* charset 1, status 2, caps high 2, auth data len 1, reserved 10 */
	if (n - pos < 16)
		goto out;
	h->caps |= ((uint32_t)p[pos + 3] | (uint32_t)p[pos + 4] << 8) << 16;
	alen = p[pos + 5];
	pos += 16;
	if (!(h->caps & MYSQL_CLIENT_SECURE_CONNECTION)) {
		err = EXPO_EPROTO;
		goto out;
	}
	/* part 2: max(13, alen - 8) bytes, the last one a NUL */
	part2 = alen > 21 ? alen - 8 : 13;
	if (n - pos < part2 || part2 < 13)
		goto out;
	memcpy(h->scramble + 8, p + pos, 12);
	pos += part2;
	if (h->caps & MYSQL_CLIENT_PLUGIN_AUTH && pos < n) {
		plen = cstr(p, n, pos);
		/* MySQL 5.5.7-5.5.9 omit the NUL: take the rest */
		if (plen < 0)
			plen = (long)(n - pos);
		copy_text(h->plugin, sizeof(h->plugin), p + pos, (size_t)plen);
	}
	err = 0;
out:
	return err;
}

int mysql_wire_reply(const uint8_t *p, size_t n, struct mysql_reply *r)
{
	long plen;
	int err = EXPO_EPARSE;

	memset(r, 0, sizeof(*r));
	if (n < 1)
		goto out;
	switch (p[0]) {
	case 0x00:
		if (n < 7)
			goto out;
		r->kind = MYSQL_R_OK;
		break;
	case 0xFF:
		if (n < 3)
			goto out;
		r->kind = MYSQL_R_ERR;
		parse_err(p, n, &r->err);
		break;
	case 0xFE:
		r->kind = MYSQL_R_SWITCH;
		if (n == 1) {
			/* old switch request: mysql_old_password */
			snprintf(r->plugin, sizeof(r->plugin),
				 "mysql_old_password");
			break;
		}
		plen = cstr(p, n, 1);
		if (plen < 0)
			goto out;
		copy_text(r->plugin, sizeof(r->plugin), p + 1, (size_t)plen);
		r->data = p + 1 + plen + 1;
		r->dlen = n - 1 - (size_t)plen - 1;
		break;
	case 0x01:
		r->kind = MYSQL_R_MORE;
		r->data = p + 1;
		r->dlen = n - 1;
		break;
	default:
		err = EXPO_EPROTO;
		goto out;
	}
	err = 0;
out:
	return err;
}

int mysql_wire_frame(uint8_t *out, size_t size, uint8_t seq,
		     const uint8_t *payload, size_t plen)
{
	int rc = EXPO_ETOOBIG;

	if (plen > MYSQL_PAYLOAD_MAX || size < 4 || size - 4 < plen)
		goto out;
	out[0] = (uint8_t)plen;
	out[1] = (uint8_t)(plen >> 8);
	out[2] = (uint8_t)(plen >> 16);
	out[3] = seq;
	if (plen)
		memcpy(out + 4, payload, plen);
	rc = (int)(4 + plen);
out:
	return rc;
}

int mysql_wire_login(uint8_t *out, size_t size, uint8_t seq, const char *user,
		     const uint8_t *auth, size_t alen, const char *plugin)
{
	uint8_t p[512];
	size_t ulen = strlen(user), pl = strlen(plugin), pos = 0;
	uint32_t caps = MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_PROTOCOL_41 |
			MYSQL_CLIENT_SECURE_CONNECTION |
			MYSQL_CLIENT_PLUGIN_AUTH;
	int rc = EXPO_ETOOBIG;

	if (alen > 255 || 32 + ulen + 1 + 1 + alen + pl + 1 > sizeof(p))
		goto out;
	p[0] = (uint8_t)caps;
	p[1] = (uint8_t)(caps >> 8);
	p[2] = (uint8_t)(caps >> 16);
	p[3] = (uint8_t)(caps >> 24);
	/* max packet 16 MiB, utf8mb4_general_ci (45), 23 zero bytes */
	p[4] = 0;
	p[5] = 0;
	p[6] = 0;
	p[7] = 1;
	p[8] = 45;
	memset(p + 9, 0, 23);
	pos = 32;
	memcpy(p + pos, user, ulen + 1);
	pos += ulen + 1;
	p[pos++] = (uint8_t)alen;
	if (alen)
		memcpy(p + pos, auth, alen);
	pos += alen;
	memcpy(p + pos, plugin, pl + 1);
	pos += pl + 1;
	rc = mysql_wire_frame(out, size, seq, p, pos);
out:
	return rc;
}

void mysql_scramble_native(const char *pw, const uint8_t *scramble,
			   uint8_t out[20], size_t *len)
{
	uint8_t h1[SHA_DIGEST_LENGTH], h2[SHA_DIGEST_LENGTH];
	uint8_t buf[MYSQL_SCRAMBLE_LEN + SHA_DIGEST_LENGTH];
	size_t i;

	*len = 0;
	if (pw[0] == '\0')
		return;
	SHA1((const uint8_t *)pw, strlen(pw), h1);
	SHA1(h1, sizeof(h1), h2);
	memcpy(buf, scramble, MYSQL_SCRAMBLE_LEN);
	memcpy(buf + MYSQL_SCRAMBLE_LEN, h2, sizeof(h2));
	SHA1(buf, sizeof(buf), h2);
	for (i = 0; i < 20; i++)
		out[i] = h1[i] ^ h2[i];
	*len = 20;
}

void mysql_scramble_sha2(const char *pw, const uint8_t *scramble,
			 uint8_t out[32], size_t *len)
{
	uint8_t h1[SHA256_DIGEST_LENGTH], h2[SHA256_DIGEST_LENGTH];
	uint8_t buf[SHA256_DIGEST_LENGTH + MYSQL_SCRAMBLE_LEN];
	size_t i;

	*len = 0;
	if (pw[0] == '\0')
		return;
	SHA256((const uint8_t *)pw, strlen(pw), h1);
	SHA256(h1, sizeof(h1), h2);
	memcpy(buf, h2, sizeof(h2));
	memcpy(buf + sizeof(h2), scramble, MYSQL_SCRAMBLE_LEN);
	SHA256(buf, sizeof(buf), h2);
	for (i = 0; i < 32; i++)
		out[i] = h1[i] ^ h2[i];
	*len = 32;
}

int mysql_rsa_password(const char *pw, const uint8_t *scramble,
		       const uint8_t *pem, size_t pemlen, uint8_t *out,
		       size_t size, size_t *len)
{
	uint8_t plain[256];
	size_t n = strlen(pw) + 1, i, outlen = size;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	int err = EXPO_ETOOBIG;

	if (n > sizeof(plain) || pemlen > MYSQL_PAYLOAD_MAX)
		goto out;
	for (i = 0; i < n; i++)
		plain[i] = (uint8_t)pw[i] ^ scramble[i % MYSQL_SCRAMBLE_LEN];
	err = EXPO_EPARSE;
	bio = BIO_new_mem_buf(pem, (int)pemlen);
	if (bio == NULL)
		goto out;
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (key == NULL || EVP_PKEY_base_id(key) != EVP_PKEY_RSA)
		goto out;
	pctx = EVP_PKEY_CTX_new(key, NULL);
	if (pctx == NULL || EVP_PKEY_encrypt_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0)
		goto out;
	if (EVP_PKEY_encrypt(pctx, NULL, &outlen, plain, n) <= 0 ||
	    outlen > size) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	outlen = size;
	if (EVP_PKEY_encrypt(pctx, out, &outlen, plain, n) <= 0)
		goto out;
	*len = outlen;
	err = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return err;
}
