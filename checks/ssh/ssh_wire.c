/*
 * ssh_wire.c - pure parsers for the SSH identification line, one clear
 * binary packet and SSH_MSG_KEXINIT (RFC 4253 sections 4.2, 6 and 7.1).
 *
 * Every length read from the wire is checked against what is left in the
 * buffer before it is used; nothing is allocated. See ssh_wire.h.
 */
#include <string.h>
#include "expo.h"
#include "ssh_wire.h"

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* copies n bytes and terminates; n < size is guaranteed by the caller */
static void copy_field(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Splits "SSH-proto-software[ comments]" (no line end) into out. */
static int parse_ident(const char *s, size_t n, struct ssh_banner *out)
{
	const char *proto = s + 4, *sw = NULL, *end = s + n, *sp = NULL;
	size_t i;
	int err = EXPO_EPARSE;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* RFC 4253 4.2: US-ASCII printable; anything else would end
		 * up in reports as text, so refuse it */
		if (c < 0x20 || c > 0x7e)
			goto out;
	}
	sw = memchr(proto, '-', (size_t)(end - proto));
	if (sw == NULL || sw == proto ||
	    (size_t)(sw - proto) >= sizeof(out->proto))
		goto out;
	for (i = 0; proto + i < sw; i++) {
		if ((proto[i] < '0' || proto[i] > '9') && proto[i] != '.')
			goto out;
	}
	sw++;
	sp = memchr(sw, ' ', (size_t)(end - sw));
	if (sp == NULL)
		sp = end;
	if (sp == sw)
		goto out;

	copy_field(out->proto, sizeof(out->proto), proto,
		   (size_t)(sw - 1 - proto));
	out->v1 = false;
	out->v2 = false;
	if (strcmp(out->proto, "2.0") == 0) {
		out->v2 = true;
	} else if (strcmp(out->proto, "1.99") == 0) {
		/* 1.99: both protocols (RFC 4253 5.1) */
		out->v1 = true;
		out->v2 = true;
	} else if (strncmp(out->proto, "1.", 2) == 0) {
		out->v1 = true;
	} else {
		goto out;
	}
	copy_field(out->line, sizeof(out->line), s, n);
	copy_field(out->software, sizeof(out->software), sw, (size_t)(sp - sw));
	if (sp < end)
		copy_field(out->comments, sizeof(out->comments), sp + 1,
			   (size_t)(end - sp - 1));
	else
		out->comments[0] = '\0';
	err = 0;
out:
	return err;
}

int ssh_wire_banner(const void *buf, size_t len, struct ssh_banner *out,
		    size_t *used)
{
	const char *b = buf;
	size_t off = 0;
	unsigned npre = 0;
	int err = SSH_WIRE_MORE;

	for (;;) {
		/* (NULL, 0) is an empty buffer, not an error */
		const char *nl = len > off ? memchr(b + off, '\n', len - off)
					   : NULL;
		size_t linelen;

		if (nl == NULL) {
			/* one more byte for a CR not yet followed by LF */
			if (len - off > SSH_BANNER_MAX_LINE + 1)
				err = EXPO_ETOOBIG;
			goto out;
		}
		linelen = (size_t)(nl - (b + off));
		if (linelen > 0 && b[off + linelen - 1] == '\r')
			linelen--;
		if (linelen > SSH_BANNER_MAX_LINE) {
			err = EXPO_ETOOBIG;
			goto out;
		}
		if (linelen >= 4 && memcmp(b + off, "SSH-", 4) == 0) {
			struct ssh_banner tmp;

			memset(&tmp, 0, sizeof(tmp));
			err = parse_ident(b + off, linelen, &tmp);
			if (err)
				goto out;
			tmp.npre = npre;
			*out = tmp;
			*used = (size_t)(nl - b) + 1;
			goto out;
		}
		/* RFC 4253 4.2: other lines may precede the banner */
		npre++;
		off = (size_t)(nl - b) + 1;
		if (npre > SSH_BANNER_MAX_PRELINES ||
		    off > SSH_BANNER_MAX_PRE) {
			err = EXPO_ETOOBIG;
			goto out;
		}
	}
out:
	return err;
}

int ssh_wire_packet(const void *buf, size_t len, const uint8_t **payload,
		    size_t *plen, size_t *used)
{
	const uint8_t *p = buf;
	uint32_t plength;
	uint8_t pad;
	int err = SSH_WIRE_MORE;

	if (len < 4)
		goto out;
	plength = get_u32(p);
	if (plength > SSH_PACKET_MAX) {
		err = EXPO_ETOOBIG;
		goto out;
	}
	/* padding_length byte + 4 bytes of padding at least + 1 byte type */
	if (plength < 1 + 4 + 1) {
		err = EXPO_EPARSE;
		goto out;
	}
	if (len - 4 < plength)
		goto out;
	pad = p[4];
	if (pad < 4 || (uint32_t)pad + 1 >= plength) {
		err = EXPO_EPARSE;
		goto out;
	}
	*payload = p + 5;
	*plen = plength - pad - 1;
	*used = (size_t)plength + 4;
	err = 0;
out:
	return err;
}

int ssh_wire_kexinit(const uint8_t *payload, size_t len,
		     struct ssh_kexinit *out)
{
	struct ssh_kexinit k;
	size_t off = 0;
	int i, err = EXPO_EPARSE;

	memset(&k, 0, sizeof(k));
	if (len < 1)
		goto out;
	if (payload[0] != SSH_MSG_KEXINIT) {
		err = EXPO_EPROTO;
		goto out;
	}
	off = 1;
	if (len - off < sizeof(k.cookie))
		goto out;
	memcpy(k.cookie, payload + off, sizeof(k.cookie));
	off += sizeof(k.cookie);
	for (i = 0; i < SSH_L_NLISTS; i++) {
		uint32_t n;
		size_t j;

		if (len - off < 4)
			goto out;
		n = get_u32(payload + off);
		off += 4;
		if (n > len - off)
			goto out;
		for (j = 0; j < n; j++) {
			uint8_t c = payload[off + j];

			if (c < 0x21 || c > 0x7e)
				goto out;
		}
		k.lists[i].p = (const char *)payload + off;
		k.lists[i].len = n;
		off += n;
	}
	/* boolean first_kex_packet_follows, uint32 reserved */
	if (len - off < 5)
		goto out;
	k.first_kex_follows = payload[off] != 0;
	*out = k;
	err = 0;
out:
	return err;
}

bool ssh_namelist_next(const struct ssh_namelist *l, size_t *pos,
		       const char **name, size_t *namelen)
{
	bool found = false;

	while (*pos < l->len && !found) {
		const char *s = l->p + *pos;
		const char *comma = memchr(s, ',', l->len - *pos);
		size_t n = comma ? (size_t)(comma - s) : l->len - *pos;

		*pos += n + (comma ? 1 : 0);
		if (n > 0) {
			*name = s;
			*namelen = n;
			found = true;
		}
	}
	return found;
}

bool ssh_namelist_has(const struct ssh_namelist *l, const char *name)
{
	size_t pos = 0, n, want = strlen(name);
	const char *s;
	bool found = false;

	while (!found && ssh_namelist_next(l, &pos, &s, &n))
		found = n == want && memcmp(s, name, n) == 0;
	return found;
}

const char *ssh_kexinit_list_name(enum ssh_kexinit_list i)
{
	static const char *const names[SSH_L_NLISTS] = {
		"kex",	   "hostkey",  "enc_c2s",  "enc_s2c",  "mac_c2s",
		"mac_s2c", "comp_c2s", "comp_s2c", "lang_c2s", "lang_s2c",
	};

	return (unsigned)i < SSH_L_NLISTS ? names[i] : "?";
}
