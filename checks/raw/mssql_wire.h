/*
 * mssql_wire.h - bounded builders and parsers for the part of Microsoft's
 * TDS protocol (MS-TDS) a login needs: packet framing, PRELOGIN (both
 * ways), our LOGIN7, and the token stream that answers it (LOGINACK,
 * ERROR, INFO, ENVCHANGE, DONE). Pure functions, no I/O.
 * Reference: [MS-TDS] 2.2.3 packet header, 2.2.6.4 LOGIN7, 2.2.6.5
 * PRELOGIN, 2.2.7 tokens (learn.microsoft.com/openspecs).
 */
#ifndef MSSQL_WIRE_H
#define MSSQL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDS_MORE 1		/* incomplete: read more */
#define TDS_HDR 8		/* packet header */
#define TDS_PACKET_MAX 32768	/* the largest packet size TDS allows */
#define TDS_MSG_MAX (64 * 1024) /* a reassembled reply, our cap */
#define TDS_OUT_MAX 1024	/* our largest request */
#define TDS_NAME_MAX 128	/* user / password characters we send */

#define TDS_PKT_REPLY 0x04
#define TDS_PKT_LOGIN7 0x10
#define TDS_PKT_PRELOGIN 0x12

/* PRELOGIN ENCRYPTION values */
#define TDS_ENCRYPT_OFF 0x00	 /* TLS for the login packet only */
#define TDS_ENCRYPT_ON 0x01	 /* TLS throughout */
#define TDS_ENCRYPT_NOT_SUP 0x02 /* no TLS */
#define TDS_ENCRYPT_REQ 0x03	 /* the server demands TLS */

/* our PRELOGIN (ENCRYPTION = OFF: TLS available) as one packet; its
 * length or < 0 */
int tds_prelogin(uint8_t *out, size_t size);

/* TLS handshake records travel in PRELOGIN packets ([MS-TDS] 3.2.5.3):
 * data as packets of type carrying up to TDS_WRAP_CHUNK bytes each, EOM
 * on the last; the bytes written or EXPO_ETOOBIG */
#define TDS_WRAP_CHUNK 4088 /* the default 4096-byte packet */
int tds_wrap(uint8_t *out, size_t size, uint8_t type, const uint8_t *data,
	     size_t n);
/* our LOGIN7 for user/password (SQL authentication, TDS 7.4, no
 * database); its length or < 0 (EXPO_ETOOBIG: a name over TDS_NAME_MAX
 * or not 7-bit ASCII) */
int tds_login7(uint8_t *out, size_t size, const char *user,
	       const char *password);

/* Reassembles one message from the packets at buf: 0 with its payloads
 * concatenated in msg (*mlen bytes), the packet type and *used bytes of
 * buf; TDS_MORE; EXPO_ETOOBIG (over TDS_MSG_MAX or msize, or a packet
 * over TDS_PACKET_MAX), EXPO_EPROTO (a packet shorter than its header,
 * or the type changing within the message). */
int tds_message(const uint8_t *buf, size_t len, uint8_t *msg, size_t msize,
		size_t *mlen, uint8_t *type, size_t *used);

struct tds_prelogin_reply {
	bool has_version;
	unsigned major, minor, build; /* the server's version */
	int encryption;		      /* TDS_ENCRYPT_*, -1: absent */
};

/* a PRELOGIN reply payload; 0 or EXPO_EPROTO */
int tds_parse_prelogin(const uint8_t *p, size_t n,
		       struct tds_prelogin_reply *r);

struct tds_login_reply {
	bool loginack;
	char prog[64];		      /* LOGINACK's program name, ASCII */
	unsigned major, minor, build; /* LOGINACK's server version */
	unsigned error;		      /* the first ERROR's number, 0: none */
	unsigned err_class;
	char message[256]; /* its text, printable ASCII, cut */
};

/* the token stream answering LOGIN7; 0 (tokens up to the end or to one
 * we do not know, after which nothing is read) or EXPO_EPROTO (a token
 * that overruns the message) */
int tds_parse_login_reply(const uint8_t *p, size_t n,
			  struct tds_login_reply *r);

#endif
