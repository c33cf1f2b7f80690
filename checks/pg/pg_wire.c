/*
 * pg_wire.c - the PostgreSQL check's own login messages and SCRAM-SHA-256
 * (see pg_wire.h). Every parser here reads untrusted server bytes: lengths
 * are checked before each read, and anything unexpected is "malformed",
 * which pg.c answers by leaving the attempt to libpq.
 */
/* SHA256_Init/Update/Final: the copied HMAC states below are the point,
 * and EVP_MD_CTX_copy_ex allocates on every copy */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include "expo.h"
#include "pg_wire.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* appends the C string s with its NUL at *off; false if it does not fit */
static bool put_cstr(uint8_t *buf, size_t size, size_t *off, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > size - *off)
		return false;
	memcpy(buf + *off, s, n);
	*off += n;
	return true;
}

size_t pg_wire_startup(uint8_t *buf, size_t size, const char *user)
{
	size_t off = 8;

	if (size < 9 || size > UINT32_MAX)
		return 0;
	if (!put_cstr(buf, size, &off, "user") ||
	    !put_cstr(buf, size, &off, user) ||
	    !put_cstr(buf, size, &off, "database") ||
	    !put_cstr(buf, size, &off, "postgres") ||
	    !put_cstr(buf, size, &off, "application_name") ||
	    !put_cstr(buf, size, &off, "exposure") ||
	    !put_cstr(buf, size, &off, ""))
		return 0;
	put32(buf, (uint32_t)off);
	put32(buf + 4, 196608); /* protocol 3.0 */
	return off;
}

size_t pg_wire_msg(uint8_t *buf, size_t size, uint8_t type, const void *body,
		   size_t n)
{
	if (size < 5 || n > size - 5 || n > PG_WIRE_MSG_MAX)
		return 0;
	buf[0] = type;
	put32(buf + 1, (uint32_t)(n + 4));
	if (n > 0)
		memcpy(buf + 5, body, n);
	return n + 5;
}

int pg_wire_next(const uint8_t *buf, size_t len, uint8_t *type,
		 const uint8_t **body, size_t *n, size_t *used)
{
	uint32_t l;

	if (len < 5)
		return 0;
	l = get32(buf + 1);
	if (l < 4 || l > PG_WIRE_MSG_MAX)
		return -1;
	if (len - 1 < l)
		return 0;
	*type = buf[0];
	*body = buf + 5;
	*n = l - 4;
	*used = (size_t)l + 1;
	return 1;
}

void pg_wire_auth(const uint8_t *body, size_t n, struct pg_auth *a)
{
	uint32_t code;
	size_t i, start;

	memset(a, 0, sizeof(*a));
	a->kind = PG_AUTH_BAD;
	if (n < 4)
		return;
	code = get32(body);
	switch (code) {
	case PG_AUTH_OK:
	case PG_AUTH_CLEARTEXT:
		if (n == 4)
			a->kind = (enum pg_auth_kind)code;
		break;
	case PG_AUTH_MD5:
		if (n == 8) {
			memcpy(a->salt, body + 4, 4);
			a->kind = PG_AUTH_MD5;
		}
		break;
	case PG_AUTH_SASL:
		/* NUL-terminated names, then an empty one */
		for (i = start = 4; i < n; i++) {
			if (body[i] != '\0')
				continue;
			if (i == start) {
				a->kind = i + 1 == n ? PG_AUTH_SASL
						     : PG_AUTH_BAD;
				break;
			}
			if (i - start == 13 &&
			    memcmp(body + start, "SCRAM-SHA-256", 13) == 0)
				a->has_scram = true;
			start = i + 1;
		}
		if (a->kind != PG_AUTH_SASL)
			a->has_scram = false;
		break;
	case PG_AUTH_SASL_CONTINUE:
	case PG_AUTH_SASL_FINAL:
		a->kind = (enum pg_auth_kind)code;
		a->data = body + 4;
		a->ndata = n - 4;
		break;
	default:
		a->kind = PG_AUTH_OTHER;
		break;
	}
}

/* copies a field's text, cut to size - 1 */
static void field_copy(char *out, size_t size, const uint8_t *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

bool pg_wire_error(const uint8_t *body, size_t n, struct pg_error *e)
{
	size_t i = 0, end;
	bool code_ok = false;

	memset(e, 0, sizeof(*e));
	while (i < n && body[i] != '\0') {
		uint8_t f = body[i++];
		const uint8_t *z = memchr(body + i, '\0', n - i);

		if (z == NULL)
			goto bad;
		end = (size_t)(z - body);
		if (f == 'V' || (f == 'S' && e->severity[0] == '\0'))
			field_copy(e->severity, sizeof(e->severity), body + i,
				   end - i);
		else if (f == 'C' && end - i == 5) {
			field_copy(e->code, sizeof(e->code), body + i, 5);
			code_ok = true;
		} else if (f == 'M')
			field_copy(e->message, sizeof(e->message), body + i,
				   end - i);
		i = end + 1;
	}
	if (i >= n || !code_ok)
		goto bad;
	return true;
bad:
	memset(e, 0, sizeof(*e));
	return false;
}

enum pg_outcome pg_wire_outcome(const struct pg_error *e)
{
	size_t i;

	for (i = 0; i < 5; i++)
		if (!((e->code[i] >= '0' && e->code[i] <= '9') ||
		      (e->code[i] >= 'A' && e->code[i] <= 'Z')))
			return PG_FAILED;
	return pg_code_outcome(e->code, e->message);
}

static void hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void md5_of(const void *a, size_t na, const void *b, size_t nb,
		   uint8_t out[16])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned len = 16;

	memset(out, 0, 16);
	if (c != NULL && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(c, a, na) == 1 && EVP_DigestUpdate(c, b, nb) == 1)
		EVP_DigestFinal_ex(c, out, &len);
	EVP_MD_CTX_free(c);
}

void pg_wire_md5(const char *user, const char *password, const uint8_t salt[4],
		 char out[36])
{
	uint8_t d[16];
	char h[33];

	md5_of(password, strlen(password), user, strlen(user), d);
	hex(d, 16, h);
	md5_of(h, 32, salt, 4, d);
	memcpy(out, "md5", 3);
	hex(d, 16, out + 3);
}

/* ---- SCRAM-SHA-256 ---- */

/* HMAC-SHA-256 as two SHA-256 states after the key's ipad and opad
 * blocks: made once per key, copied for every message */
struct hmac_pre {
	SHA256_CTX in, out;
};

static void hmac_pre_init(struct hmac_pre *h, const uint8_t *key, size_t n)
{
	uint8_t k[64], pad[64];
	size_t i;

	memset(k, 0, sizeof(k));
	if (n > 64) {
		SHA256(key, n, k);
	} else if (n > 0) {
		memcpy(k, key, n);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	SHA256_Init(&h->in);
	SHA256_Update(&h->in, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA256_Init(&h->out);
	SHA256_Update(&h->out, pad, 64);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
}

static void hmac_pre_run(const struct hmac_pre *h, const void *a, size_t na,
			 const void *b, size_t nb, uint8_t out[32])
{
	SHA256_CTX c = h->in;
	uint8_t inner[32];

	SHA256_Update(&c, a, na);
	if (nb > 0)
		SHA256_Update(&c, b, nb);
	SHA256_Final(inner, &c);
	c = h->out;
	SHA256_Update(&c, inner, 32);
	SHA256_Final(out, &c);
	OPENSSL_cleanse(&c, sizeof(c));
}

void pg_hmac_sha256(const uint8_t *key, size_t nkey, const void *msg, size_t n,
		    uint8_t out[32])
{
	struct hmac_pre h;

	hmac_pre_init(&h, key, nkey);
	hmac_pre_run(&h, msg, n, NULL, 0, out);
	OPENSSL_cleanse(&h, sizeof(h));
}

/* one SHA-256 compression of block from the state after a key's pad
 * block: the hash of pad || 32 bytes when block holds them padded */
static void compress(const SHA256_CTX *pre, const uint8_t block[64],
		     uint8_t out[32])
{
	SHA256_CTX c = *pre;
	unsigned i;

	SHA256_Transform(&c, block);
	for (i = 0; i < 8; i++)
		put32(out + 4 * i, c.h[i]);
}

void pg_scram_salted(const char *password, size_t plen, const uint8_t *salt,
		     size_t nsalt, unsigned iterations, uint8_t out[32])
{
	static const uint8_t one[4] = { 0, 0, 0, 1 };
	struct hmac_pre h;
	uint8_t block[64];
	unsigned i, j;

	hmac_pre_init(&h, (const uint8_t *)password, plen);
	/* U1 = HMAC(P, salt || INT(1)); Ui = HMAC(P, Ui-1); out = XOR */
	hmac_pre_run(&h, salt, nsalt, one, 4, block);
	memcpy(out, block, 32);
	/* every later message is 32 bytes after a 64-byte pad block: one
	 * block, padded once here (0x80, zeros, the bit length 768) */
	memset(block + 32, 0, 32);
	block[32] = 0x80;
	block[62] = 0x03;
	for (i = 1; i < iterations; i++) {
		compress(&h.in, block, block);
		compress(&h.out, block, block);
		for (j = 0; j < 32; j++)
			out[j] ^= block[j];
	}
	OPENSSL_cleanse(&h, sizeof(h));
	OPENSSL_cleanse(block, sizeof(block));
}

bool pg_scram_plain_password(const char *password)
{
	const unsigned char *p;

	for (p = (const unsigned char *)password; *p != '\0'; p++)
		if (*p >= 0x80)
			return false;
	return true;
}

size_t pg_scram_first(struct pg_scram *s, const char *user, const char *nonce,
		      char *out, size_t size)
{
	int n;

	memset(s, 0, sizeof(*s));
	if (strlen(nonce) > PG_SCRAM_NONCE_LEN || strchr(nonce, ',') != NULL ||
	    strlen(user) > 16 || strpbrk(user, ",=") != NULL)
		return 0;
	snprintf(s->nonce, sizeof(s->nonce), "%s", nonce);
	snprintf(s->first_bare, sizeof(s->first_bare), "n=%s,r=%s", user,
		 nonce);
	n = snprintf(out, size, "n,,%s", s->first_bare);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* the value of attribute name at *p ("name=value,"), advancing *p past
 * the comma; false if absent or malformed */
static bool attr(const uint8_t **p, const uint8_t *end, char name,
		 const uint8_t **v, size_t *nv)
{
	const uint8_t *q = *p, *c;

	if (end - q < 2 || q[0] != name || q[1] != '=')
		return false;
	q += 2;
	c = memchr(q, ',', (size_t)(end - q));
	*v = q;
	*nv = (size_t)((c != NULL ? c : end) - q);
	*p = c != NULL ? c + 1 : end;
	return true;
}

static bool is_b64(const uint8_t *s, size_t n)
{
	size_t i, pad = 0;

	if (n == 0 || n % 4 != 0)
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return pad <= 2;
}

/* base64 of s into out[size]; the decoded length, or 0 */
static size_t b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t size)
{
	int r;

	if (!is_b64(s, n) || n / 4 * 3 > size || n > INT32_MAX)
		return 0;
	r = EVP_DecodeBlock(out, s, (int)n);
	if (r < 0)
		return 0;
	return (size_t)r - (s[n - 1] == '=') - (s[n - 2] == '=');
}

size_t pg_scram_final(struct pg_scram *s, const char *password,
		      const uint8_t *sf, size_t nsf, char *out, size_t size,
		      bool *too_costly)
{
	const uint8_t *p = sf, *end = sf + nsf, *r, *sv, *iv;
	size_t nr, ns, ni, nsalt, i, nn = strlen(s->nonce), nb64;
	uint8_t salt[96], salted[32], client_key[32], stored[32], sig[32];
	char proof64[48], without[160];
	unsigned long iter = 0;
	int n;
	size_t ret = 0;

	*too_costly = false;
	if (!attr(&p, end, 'r', &r, &nr) || !attr(&p, end, 's', &sv, &ns) ||
	    !attr(&p, end, 'i', &iv, &ni) || p != end ||
	    end[-1] == ',') /* libpq: no garbage at the end */
		goto out;
	if (nr < nn || nn == 0 || memcmp(r, s->nonce, nn) != 0 || nr > 100)
		goto out;
	for (i = 0; i < nr; i++)
		if (r[i] < 0x21 || r[i] > 0x7e)
			goto out;
	nsalt = b64_decode(sv, ns, salt, sizeof(salt));
	if (nsalt == 0 || ni == 0 || ni > 9)
		goto out;
	for (i = 0; i < ni; i++) {
		if (iv[i] < '0' || iv[i] > '9')
			goto out;
		iter = iter * 10 + (unsigned long)(iv[i] - '0');
	}
	if (iter == 0)
		goto out;
	if (iter > PG_SCRAM_ITER_MAX) {
		*too_costly = true;
		goto out;
	}
	n = snprintf(without, sizeof(without), "c=biws,r=%.*s", (int)nr,
		     (const char *)r);
	if (n <= 0 || (size_t)n >= sizeof(without))
		goto out;
	/* AuthMessage = client-first-bare "," server-first "," without-proof */
	n = snprintf(s->auth_message, sizeof(s->auth_message), "%s,%.*s,%s",
		     s->first_bare, (int)nsf, (const char *)sf, without);
	if (n <= 0 || (size_t)n >= sizeof(s->auth_message))
		goto out;
	s->nauth = (size_t)n;
	pg_scram_salted(password, strlen(password), salt, nsalt, (unsigned)iter,
			salted);
	pg_hmac_sha256(salted, 32, "Client Key", 10, client_key);
	pg_hmac_sha256(salted, 32, "Server Key", 10, s->server_key);
	SHA256(client_key, 32, stored);
	pg_hmac_sha256(stored, 32, s->auth_message, s->nauth, sig);
	for (i = 0; i < 32; i++)
		sig[i] ^= client_key[i]; /* the proof */
	nb64 = (size_t)EVP_EncodeBlock((unsigned char *)proof64, sig, 32);
	n = snprintf(out, size, "%s,p=%.*s", without, (int)nb64, proof64);
	if (n > 0 && (size_t)n < size)
		ret = (size_t)n;
out:
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return ret;
}

bool pg_scram_verify(const struct pg_scram *s, const uint8_t *sfin, size_t n)
{
	const uint8_t *p = sfin, *end = sfin + n, *v;
	uint8_t want[32], got[48];
	size_t nv;

	if (s->nauth == 0 || !attr(&p, end, 'v', &v, &nv) || p != end)
		return false;
	if (b64_decode(v, nv, got, sizeof(got)) != 32)
		return false;
	pg_hmac_sha256(s->server_key, 32, s->auth_message, s->nauth, want);
	return CRYPTO_memcmp(want, got, 32) == 0;
}
