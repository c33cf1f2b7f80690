/*
 * ssh_wire.h - pure parsers for the clear-text start of an SSH connection:
 * the identification line (RFC 4253 4.2), one unencrypted binary packet
 * (RFC 4253 6) and SSH_MSG_KEXINIT (RFC 4253 7.1).
 *
 * Bytes in, struct or error out: no I/O, no allocation, no global state,
 * so the unit tests and the fuzzer call them directly. Results point into
 * the caller's buffer (struct ssh_namelist) or are copied into fixed
 * arrays (struct ssh_banner); nothing needs freeing.
 */
#ifndef SSH_WIRE_H
#define SSH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* returned (> 0) when the buffer ends before the item does */
#define SSH_WIRE_MORE 1

/* RFC 4253 4.2: at most 255 bytes per line, CR LF included; we accept a
 * bare LF like OpenSSH and count the line without its terminator. */
#define SSH_BANNER_MAX_LINE 255
/* lines a server may send before "SSH-", and their total size */
#define SSH_BANNER_MAX_PRELINES 20
#define SSH_BANNER_MAX_PRE 8192
/* RFC 4253 6.1: implementations must handle 35000-byte packets; larger
 * ones before key exchange are a hostile or broken server. */
#define SSH_PACKET_MAX 35000

#define SSH_MSG_KEXINIT 20

struct ssh_banner {
	char line[SSH_BANNER_MAX_LINE + 1]; /* "SSH-2.0-OpenSSH_9.2p1 ..." */
	char proto[16];			    /* "2.0", "1.99", "1.5" */
	char software[SSH_BANNER_MAX_LINE + 1]; /* "OpenSSH_9.2p1" */
	char comments[SSH_BANNER_MAX_LINE + 1]; /* "Debian-2+deb12u3" or "" */
	bool v1;				/* SSH-1.x, including 1.99 */
	bool v2;				/* SSH-2.0, or 1.99 (both) */
	unsigned npre; /* lines seen before the banner */
};

/*
 * Finds the identification line at the start of buf. 0: *out is filled and
 * *used is the number of bytes up to and including its line end (the
 * binary protocol starts there). SSH_WIRE_MORE: no complete banner yet.
 * EXPO_ETOOBIG: a line or the pre-banner text exceeds its bound.
 * EXPO_EPARSE: the "SSH-" line is malformed (control bytes, no version,
 * an unknown protocol version).
 */
int ssh_wire_banner(const void *buf, size_t len, struct ssh_banner *out,
		    size_t *used);

/*
 * Parses one unencrypted binary packet at the start of buf. 0: *payload
 * and *plen give the payload (message type first), *used the packet's
 * size. SSH_WIRE_MORE: incomplete. EXPO_ETOOBIG: packet_length over
 * SSH_PACKET_MAX. EXPO_EPARSE: padding shorter than 4 or not inside the
 * packet, or an empty payload.
 */
int ssh_wire_packet(const void *buf, size_t len, const uint8_t **payload,
		    size_t *plen, size_t *used);

enum ssh_kexinit_list {
	SSH_L_KEX = 0,
	SSH_L_HOSTKEY,
	SSH_L_ENC_C2S,
	SSH_L_ENC_S2C,
	SSH_L_MAC_C2S,
	SSH_L_MAC_S2C,
	SSH_L_COMP_C2S,
	SSH_L_COMP_S2C,
	SSH_L_LANG_C2S,
	SSH_L_LANG_S2C,
	SSH_L_NLISTS,
};

/* A comma-separated name-list inside the parsed payload (not
 * NUL-terminated). Every byte is printable ASCII without space. */
struct ssh_namelist {
	const char *p;
	size_t len;
};

struct ssh_kexinit {
	uint8_t cookie[16];
	struct ssh_namelist lists[SSH_L_NLISTS];
	bool first_kex_follows;
};

/*
 * Parses an SSH_MSG_KEXINIT payload (as ssh_wire_packet() gives it).
 * 0, EXPO_EPROTO (not message 20), or EXPO_EPARSE (truncated, a name-list
 * longer than the payload, a name with a byte outside 0x21..0x7e).
 */
int ssh_wire_kexinit(const uint8_t *payload, size_t len,
		     struct ssh_kexinit *out);

/* Iterates over the names of a list: start with *pos = 0; true and the
 * next non-empty name, or false at the end. */
bool ssh_namelist_next(const struct ssh_namelist *l, size_t *pos,
		       const char **name, size_t *namelen);
bool ssh_namelist_has(const struct ssh_namelist *l, const char *name);

const char *ssh_kexinit_list_name(enum ssh_kexinit_list i);

#endif
