/*
 * mssql_wire.c - TDS framing, PRELOGIN, LOGIN7 and the login reply
 * tokens (see mssql_wire.h). Every read is checked against the length
 * the caller gave; nothing here allocates.
 */
#include <string.h>
#include "expo.h"
#include "mssql_wire.h"

static void put16be(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put16le(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
	put16le(p, v & 0xffff);
	put16le(p + 2, v >> 16);
}

static unsigned get16be(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned get16le(const uint8_t *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)get16le(p) | (uint32_t)get16le(p + 2) << 16;
}

/* a packet header: type, end of message, total length */
static void header(uint8_t *out, uint8_t type, size_t total)
{
	out[0] = type;
	out[1] = 0x01; /* EOM: every request of ours is one packet */
	put16be(out + 2, (unsigned)total);
	out[4] = out[5] = 0; /* SPID */
	out[6] = 1;	     /* packet id */
	out[7] = 0;	     /* window */
}

int tds_prelogin(uint8_t *out, size_t size)
{
	/* VERSION, ENCRYPTION, INSTOPT, THREADID, MARS, terminator: five
	 * 5-byte entries and 0xff, then the data */
	static const struct {
		uint8_t token;
		uint8_t len;
	} opt[] = { { 0, 6 }, { 1, 1 }, { 2, 1 }, { 3, 4 }, { 4, 1 } };
	const size_t nopt = sizeof(opt) / sizeof(opt[0]);
	size_t i, off = nopt * 5 + 1, total;
	uint8_t *p;

	total = TDS_HDR + off + 6 + 1 + 1 + 4 + 1;
	if (size < total)
		return EXPO_ETOOBIG;
	memset(out, 0, total);
	header(out, TDS_PKT_PRELOGIN, total);
	p = out + TDS_HDR;
	for (i = 0; i < nopt; i++) {
		p[i * 5] = opt[i].token;
		put16be(p + i * 5 + 1, (unsigned)off);
		put16be(p + i * 5 + 3, opt[i].len);
		off += opt[i].len;
	}
	p[nopt * 5] = 0xff;
	/* VERSION 0.0.0.0 sub 0 (a client sends its own; zeros are
	 * accepted), ENCRYPTION OFF (TLS is available: the server picks
	 * the login packet only, all of it, or none), INSTOPT "" (NUL),
	 * THREADID 0, MARS off */
	p[nopt * 5 + 1 + 6] = TDS_ENCRYPT_OFF;
	return (int)total;
}

int tds_wrap(uint8_t *out, size_t size, uint8_t type, const uint8_t *data,
	     size_t n)
{
	size_t at = 0, done = 0;
	uint8_t id = 1;

	do {
		size_t chunk = n - done < TDS_WRAP_CHUNK ? n - done
							 : TDS_WRAP_CHUNK;

		if (size - at < TDS_HDR + chunk || at > (size_t)INT32_MAX)
			return EXPO_ETOOBIG;
		header(out + at, type, TDS_HDR + chunk);
		out[at + 1] = done + chunk == n ? 0x01 : 0x00; /* EOM last */
		out[at + 6] = id++;
		if (chunk > 0)
			memcpy(out + at + TDS_HDR, data + done, chunk);
		at += TDS_HDR + chunk;
		done += chunk;
	} while (done < n);
	return (int)at;
}

/* a 7-bit ASCII string as UCS-2LE; false if it does not fit or is not
 * ASCII */
static bool put_ucs2(uint8_t *out, size_t room, const char *s, bool obfuscate)
{
	size_t i, n = strlen(s);

	if (n > TDS_NAME_MAX || n * 2 > room)
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i], b0 = c, b1 = 0;

		if (c & 0x80)
			return false;
		if (obfuscate) {
			/* [MS-TDS] 2.2.6.4: swap the nibbles, then XOR 0xA5 */
			b0 = (uint8_t)(((b0 << 4) | (b0 >> 4)) ^ 0xa5);
			b1 = (uint8_t)(((b1 << 4) | (b1 >> 4)) ^ 0xa5);
		}
		out[2 * i] = b0;
		out[2 * i + 1] = b1;
	}
	return true;
}

int tds_login7(uint8_t *out, size_t size, const char *user,
	       const char *password)
{
	/* the variable part: HostName, UserName, Password, AppName,
	 * ServerName, Extension, CltIntName, Language, Database */
	const char *str[9] = { "exposure", user,       password, "exposure", "",
			       "",	   "exposure", "",	 "" };
	const size_t fixed = 94;
	size_t i, off = fixed, total;
	uint8_t *p;

	for (total = fixed, i = 0; i < 9; i++)
		total += 2 * strlen(str[i]);
	if (strlen(user) > TDS_NAME_MAX || strlen(password) > TDS_NAME_MAX ||
	    TDS_HDR + total > size)
		return EXPO_ETOOBIG;
	memset(out, 0, TDS_HDR + total);
	header(out, TDS_PKT_LOGIN7, TDS_HDR + total);
	p = out + TDS_HDR;
	put32le(p, (uint32_t)total);
	put32le(p + 4, 0x74000004u); /* TDS 7.4 */
	put32le(p + 8, 4096);	     /* packet size */
	put32le(p + 12, 0x07000000u);
	put32le(p + 16, 0);	 /* client pid */
	put32le(p + 20, 0);	 /* connection id */
	p[24] = 0xe0;		 /* USE_DB, INIT_DB_FATAL, SET_LANG */
	p[25] = 0x03;		 /* INIT_LANG_FATAL, ODBC */
	p[26] = 0;		 /* SQL (not T-SQL) type flags: none */
	p[27] = 0;		 /* OptionFlags3 */
	put32le(p + 28, 0);	 /* time zone */
	put32le(p + 32, 0x0409); /* LCID */
	for (i = 0; i < 9; i++) {
		size_t n = strlen(str[i]);

		put16le(p + 36 + 4 * i, (unsigned)off);
		put16le(p + 38 + 4 * i, (unsigned)n);
		if (!put_ucs2(p + off, total - off, str[i], i == 2))
			return EXPO_ETOOBIG;
		off += 2 * n;
	}
	/* ClientID (6), SSPI, AtchDBFile, ChangePassword (offset, length:
	 * empty, pointing at the end), SSPILong */
	put16le(p + 78, (unsigned)off);
	put16le(p + 82, (unsigned)off);
	put16le(p + 86, (unsigned)off);
	return (int)(TDS_HDR + total);
}

int tds_message(const uint8_t *buf, size_t len, uint8_t *msg, size_t msize,
		size_t *mlen, uint8_t *type, size_t *used)
{
	size_t pos = 0, out = 0;
	bool first = true;

	for (;;) {
		size_t plen;

		if (len - pos < TDS_HDR)
			return TDS_MORE;
		plen = get16be(buf + pos + 2);
		if (plen < TDS_HDR)
			return EXPO_EPROTO;
		if (first)
			*type = buf[pos];
		else if (buf[pos] != *type)
			return EXPO_EPROTO;
		first = false;
		if (plen - TDS_HDR > msize - out || out + plen > TDS_MSG_MAX)
			return EXPO_ETOOBIG;
		if (len - pos < plen)
			return TDS_MORE;
		memcpy(msg + out, buf + pos + TDS_HDR, plen - TDS_HDR);
		out += plen - TDS_HDR;
		pos += plen;
		if (buf[pos - plen + 1] & 0x01) {
			*mlen = out;
			*used = pos;
			return 0;
		}
	}
}

int tds_parse_prelogin(const uint8_t *p, size_t n, struct tds_prelogin_reply *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->encryption = -1;
	for (i = 0; i < n && p[i] != 0xff; i += 5) {
		unsigned off, len;

		if (n - i < 5)
			return EXPO_EPROTO;
		off = get16be(p + i + 1);
		len = get16be(p + i + 3);
		if (off > n || len > n - off)
			return EXPO_EPROTO;
		if (p[i] == 0 && len >= 4) {
			r->has_version = true;
			r->major = p[off];
			r->minor = p[off + 1];
			r->build = get16be(p + off + 2);
		} else if (p[i] == 1 && len >= 1) {
			r->encryption = p[off];
		}
	}
	if (i >= n)
		return EXPO_EPROTO; /* no terminator */
	return 0;
}

/* UCS-2LE chars as printable ASCII ('?' for anything else), cut */
static void ucs2_ascii(const uint8_t *p, size_t chars, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < chars && o + 1 < size; i++) {
		unsigned c = get16le(p + 2 * i);

		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

static void parse_loginack(const uint8_t *t, size_t len,
			   struct tds_login_reply *r)
{
	size_t nlen;

	/* Interface(1) TDSVersion(4) ProgName(B_VARCHAR) version(4) */
	if (len < 1 + 4 + 1 + 4)
		return;
	nlen = t[5];
	if (6 + 2 * nlen + 4 > len)
		return;
	r->loginack = true;
	ucs2_ascii(t + 6, nlen, r->prog, sizeof(r->prog));
	r->major = t[6 + 2 * nlen];
	r->minor = t[7 + 2 * nlen];
	r->build = get16be(t + 8 + 2 * nlen);
}

static void parse_error(const uint8_t *t, size_t len, struct tds_login_reply *r)
{
	size_t mlen;

	/* Number(4) State(1) Class(1) MsgText(US_VARCHAR) ... */
	if (len < 8 || r->error != 0)
		return;
	mlen = get16le(t + 6);
	r->error = get32le(t);
	r->err_class = t[5];
	if (8 + 2 * mlen <= len)
		ucs2_ascii(t + 8, mlen, r->message, sizeof(r->message));
}

int tds_parse_login_reply(const uint8_t *p, size_t n, struct tds_login_reply *r)
{
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	while (i < n) {
		uint8_t tok = p[i++];
		size_t len;

		switch (tok) {
		case 0xad: /* LOGINACK */
		case 0xaa: /* ERROR */
		case 0xab: /* INFO */
		case 0xe3: /* ENVCHANGE */
			if (n - i < 2)
				return EXPO_EPROTO;
			len = get16le(p + i);
			i += 2;
			if (len > n - i)
				return EXPO_EPROTO;
			if (tok == 0xad)
				parse_loginack(p + i, len, r);
			else if (tok == 0xaa)
				parse_error(p + i, len, r);
			i += len;
			break;
		case 0xfd: /* DONE, DONEPROC, DONEINPROC: 12 bytes */
		case 0xfe:
		case 0xff:
			if (n - i < 12)
				return EXPO_EPROTO;
			i += 12;
			break;
		default:
			/* FEATUREEXTACK and others we never ask for: the
			 * verdict is in the tokens before */
			return 0;
		}
	}
	return 0;
}
