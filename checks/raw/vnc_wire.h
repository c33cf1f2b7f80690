/*
 * vnc_wire.h - bounded parsers for the server's side of an RFB (VNC)
 * handshake up to ServerInit (RFC 6143, and the 3.3 and 3.7 variants), and
 * the VNC authentication response. Pure functions: bytes in, struct or
 * error out; no I/O. Each parser returns 0 and *used, VNC_WIRE_MORE
 * (incomplete: read more), EXPO_EPROTO (not RFB) or EXPO_ETOOBIG.
 */
#ifndef VNC_WIRE_H
#define VNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNC_WIRE_MORE 1
#define VNC_VERSION_LEN 12   /* "RFB 003.008\n" */
#define VNC_REASON_MAX 1024  /* a failure reason longer is not RFB */
#define VNC_NAME_MAX 4096    /* a desktop name longer is not RFB */
#define VNC_TYPES_MAX 32     /* security types kept (a count is a u8) */
#define VNC_TEXT_KEEP 128    /* reason and name kept, printable ASCII */
#define VNC_CHALLENGE_LEN 16 /* VNC authentication's DES challenge */

enum vnc_sec {
	VNC_SEC_INVALID = 0,
	VNC_SEC_NONE = 1,
	VNC_SEC_VNCAUTH = 2,
};

struct vnc_version {
	unsigned major, minor; /* as the server wrote them */
	unsigned use_minor;    /* what we answer: 3.3, 3.7 or 3.8 */
};

/* "RFB xxx.yyy\n": 3.3, 3.7 and 3.8, and others as their RFB: 3.5 is 3.3,
 * 3.889 (Apple) and 4.x/5.x (RealVNC) and anything later is 3.8 */
int vnc_wire_version(const uint8_t *buf, size_t len, struct vnc_version *v,
		     size_t *used);
/* the 12 bytes we answer for the minor version chosen */
void vnc_wire_client_version(unsigned minor, char out[VNC_VERSION_LEN + 1]);

struct vnc_security {
	unsigned ntypes; /* 0: the server refused (reason says why) */
	uint8_t types[VNC_TYPES_MAX];
	char reason[VNC_TEXT_KEEP]; /* printable ASCII */
};

/* The security list: for 3.3 the u32 type the server chose (0 = failure
 * and a reason), for 3.7/3.8 a u8 count and the types (0 and a reason).
 * A 3.3 type other than 0, 1, 2 is kept as it is. */
int vnc_wire_security(const uint8_t *buf, size_t len, unsigned minor,
		      struct vnc_security *s, size_t *used);
bool vnc_wire_offers(const struct vnc_security *s, uint8_t type);

/* SecurityResult: u32 0 = OK, 1 = failed, 2 = failed, too many attempts;
 * on 3.8 a failure has a reason string. A server that closes right after
 * the failure status (eof set) is accepted without a reason. */
struct vnc_result {
	uint32_t status;
	char reason[VNC_TEXT_KEEP];
};
int vnc_wire_result(const uint8_t *buf, size_t len, unsigned minor, bool eof,
		    struct vnc_result *r, size_t *used);

/* ServerInit: the framebuffer size and the desktop name */
struct vnc_server_init {
	unsigned width, height;
	char name[VNC_TEXT_KEEP];
};
int vnc_wire_server_init(const uint8_t *buf, size_t len,
			 struct vnc_server_init *si, size_t *used);

/* VNC authentication: the challenge encrypted with DES (OpenSSL's
 * primitive) under the password's first 8 bytes, zero-padded, each
 * byte's bits reversed (the RFB convention); returns 0 */
int vnc_wire_des_response(const uint8_t challenge[VNC_CHALLENGE_LEN],
			  const char *password, uint8_t out[VNC_CHALLENGE_LEN]);

/* "None", "VNC Authentication", "Tight", ... or NULL when unknown */
const char *vnc_wire_sec_name(uint8_t type);

/* text a server refused with that says it blacklisted us */
bool vnc_wire_locked_text(const char *reason);

#endif
