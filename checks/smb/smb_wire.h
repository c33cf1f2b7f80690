/*
 * smb_wire.h - the unauthenticated start of an SMB connection: Direct TCP
 * (NetBIOS session) framing, the SMB1 NEGOTIATE offering only "NT LM 0.12"
 * (MS-CIFS 2.2.4.52) and the SMB2 NEGOTIATE offering 2.0.2 through 3.1.1
 * with the 3.1.1 negotiate contexts (MS-SMB2 2.2.3, 2.2.4).
 *
 * Builders write into the caller's buffer; parsers take bytes and fill a
 * struct or return an error: no I/O, no allocation, no global state, so
 * the unit tests and the fuzzer call them directly.
 */
#ifndef SMB_WIRE_H
#define SMB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* returned (> 0) when the buffer ends before the frame does */
#define SMB_WIRE_MORE 1
/* smb_wire_smb1_negotiate(): the server answered in SMB2 (no SMB1) */
#define SMB_WIRE_SMB2 2

/* the largest negotiate response we accept: a few hundred bytes in
 * practice (security blob, contexts); 24-bit lengths allow 16 MiB */
#define SMB_PDU_MAX 65536
/* buffer size that holds either request */
#define SMB_REQ_MAX 512

/* SMB1 SecurityMode (MS-CIFS 2.2.4.52.2) */
#define SMB1_SEC_USER 0x01
#define SMB1_SEC_ENCRYPT 0x02
#define SMB1_SEC_SIGN_ENABLED 0x04
#define SMB1_SEC_SIGN_REQUIRED 0x08
#define SMB1_CAP_EXTENDED_SECURITY 0x80000000u

/* SMB2 SecurityMode (MS-SMB2 2.2.4) */
#define SMB2_SIGN_ENABLED 0x0001
#define SMB2_SIGN_REQUIRED 0x0002

/* NTSTATUS values the negotiate may carry */
#define SMB_STATUS_SUCCESS 0x00000000u
#define SMB_STATUS_NOT_SUPPORTED 0xC00000BBu

struct smb1_negotiate {
	uint32_t status;	/* NTSTATUS of the header */
	uint16_t dialect_index; /* 0: "NT LM 0.12"; 0xFFFF: none */
	uint8_t security_mode;
	uint16_t max_mpx;
	uint32_t max_buffer;
	uint32_t capabilities;
	bool have_guid; /* extended security: the server's GUID */
	uint8_t server_guid[16];
};

struct smb2_negotiate {
	uint32_t status; /* NTSTATUS of the header */
	uint16_t security_mode;
	uint16_t dialect; /* 0x0202 ... 0x0311, or 0x02FF */
	uint8_t server_guid[16];
	uint32_t capabilities;
	uint32_t max_transact, max_read, max_write;
	uint16_t sec_blob_len; /* GSS token offered (SPNEGO) */
	/* 3.1.1 negotiate contexts (0 when absent) */
	uint16_t ncontexts;
	uint16_t preauth_hash; /* 1 = SHA-512 */
	uint16_t cipher;       /* 1 AES-128-CCM, 2 AES-128-GCM, 3/4 AES-256 */
	uint16_t signing_alg;  /* 0 HMAC-SHA256, 1 AES-CMAC, 2 AES-GMAC */
};

/*
 * Finds one Direct TCP frame (a zero byte and a 24-bit big-endian length)
 * at the start of buf, skipping keepalives (type 0x85, no payload). 0:
 * *pdu and *pdulen give the SMB message, *used the bytes consumed.
 * SMB_WIRE_MORE: incomplete. EXPO_ETOOBIG: longer than SMB_PDU_MAX.
 * EXPO_EPARSE: another NetBIOS session packet type (not SMB).
 */
int smb_wire_frame(const void *buf, size_t len, const uint8_t **pdu,
		   size_t *pdulen, size_t *used);

/* The framed requests; the length written, or 0 if size is too small.
 * The SMB2 one takes the client GUID and the 32-byte preauth salt. */
size_t smb_wire_smb1_negotiate_req(uint8_t *out, size_t size);
size_t smb_wire_smb2_negotiate_req(uint8_t *out, size_t size,
				   const uint8_t guid[16],
				   const uint8_t salt[32]);

/*
 * Parses an SMB1 NEGOTIATE response (the PDU, without framing). 0: *out
 * is filled (dialect_index 0xFFFF: no dialect accepted). SMB_WIRE_SMB2:
 * the server answered with an SMB2 header (it speaks no SMB1).
 * EXPO_EPARSE: not an SMB1 negotiate response, or lengths that do not fit.
 * EXPO_EPROTO: an SMB1 error response (out->status set).
 */
int smb_wire_smb1_negotiate(const uint8_t *pdu, size_t len,
			    struct smb1_negotiate *out);

/*
 * Parses an SMB2 NEGOTIATE response. 0: *out is filled. EXPO_EPROTO: an
 * error response (out->status set, e.g. STATUS_NOT_SUPPORTED).
 * EXPO_EPARSE: not an SMB2 negotiate response, a security buffer or
 * negotiate context outside the message, or a malformed context.
 */
int smb_wire_smb2_negotiate(const uint8_t *pdu, size_t len,
			    struct smb2_negotiate *out);

/* "3.1.1" for 0x0311 ... ; "2.???" for 0x02FF; NULL if unknown */
const char *smb_wire_dialect_name(uint16_t dialect);
/* the names of the SMB2 capability bits set in caps, ", "-separated */
void smb_wire_caps_text(uint32_t caps, char *buf, size_t size);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (GUID byte order, 37 bytes) */
void smb_wire_guid_text(const uint8_t guid[16], char *buf, size_t size);

#endif
