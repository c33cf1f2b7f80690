/*
 * rdp_wire.h - pure builders and parsers for the clear-text start of an
 * RDP connection: the X.224 Connection Request/Confirm with RDP_NEG_REQ /
 * RDP_NEG_RSP / RDP_NEG_FAILURE (MS-RDPBCGR 2.2.1.1-2.2.1.2), the MCS
 * Connect Initial / Connect Response with the GCC conference create
 * request/response (MS-RDPBCGR 2.2.1.3-2.2.1.4, T.125, T.124), and the
 * CredSSP TSRequest carrying NTLM NEGOTIATE / CHALLENGE messages
 * (MS-CSSP 2.2.1, MS-NLMP 2.2.1.1-2.2.1.2, 2.2.2.1).
 *
 * Bytes in, struct or error out: no I/O, no allocation, no global state,
 * so the unit tests and the fuzzer call them directly. Every length read
 * from the wire is checked against the buffer before it is used.
 */
#ifndef RDP_WIRE_H
#define RDP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* returned (> 0) when the buffer ends before the item does */
#define RDP_WIRE_MORE 1

/* requestedProtocols / selectedProtocol (2.2.1.1.1) */
#define RDP_PROTO_RDP 0x00000000u
#define RDP_PROTO_SSL 0x00000001u
#define RDP_PROTO_HYBRID 0x00000002u
#define RDP_PROTO_RDSTLS 0x00000004u
#define RDP_PROTO_HYBRID_EX 0x00000008u
#define RDP_PROTO_RDSAAD 0x00000010u

/* RDP_NEG_FAILURE failureCode (2.2.1.2.2) */
#define RDP_FAIL_SSL_REQUIRED 1
#define RDP_FAIL_SSL_NOT_ALLOWED 2
#define RDP_FAIL_SSL_CERT_NOT_ON_SERVER 3
#define RDP_FAIL_INCONSISTENT_FLAGS 4
#define RDP_FAIL_HYBRID_REQUIRED 5
#define RDP_FAIL_SSL_WITH_USER_AUTH_REQUIRED 6

/* a Connection Confirm is 11 bytes, 19 with negotiation data; more than
 * this is a broken or hostile server */
#define RDP_CC_MAX 64
/* a TPKT carries at most 65535 bytes (T.123 section 8) */
#define RDP_TPKT_MAX 65535
/* a TSRequest with an NTLM CHALLENGE is a few hundred bytes */
#define RDP_TSREQ_MAX 16384

enum rdp_neg_kind {
	RDP_NEG_NONE = 0, /* no rdpNegData: a pre-Vista (XP/2003) server */
	RDP_NEG_RSP,	  /* RDP_NEG_RSP: selected is valid */
	RDP_NEG_FAILURE,  /* RDP_NEG_FAILURE: failure is valid */
};

struct rdp_cc {
	enum rdp_neg_kind kind;
	uint8_t flags;	   /* RDP_NEG_RSP flags */
	uint32_t selected; /* selectedProtocol */
	uint32_t failure;  /* failureCode */
};

/*
 * The X.224 Connection Request with a mstshash cookie (may be NULL or "";
 * at most 64 bytes of printable ASCII without ';') and an RDP_NEG_REQ
 * asking for protocols. 0 and *len, or EXPO_EINVAL / EXPO_ETOOBIG.
 */
int rdp_wire_build_cr(uint8_t *buf, size_t size, const char *cookie,
		      uint32_t protocols, size_t *len);

/*
 * The TPKT header at the start of buf: 0 and *pdulen (the whole PDU, the
 * header included, at most max); RDP_WIRE_MORE: fewer than 4 bytes;
 * EXPO_EPARSE: not version 3, or a length under 7 (no room for a TPDU);
 * EXPO_ETOOBIG: a length over max.
 */
int rdp_wire_tpkt(const void *buf, size_t len, size_t max, size_t *pdulen);

/*
 * One X.224 Connection Confirm at the start of buf. 0: *out is filled and
 * *used is the PDU's size. RDP_WIRE_MORE: incomplete (the TPKT length is
 * believed only up to RDP_CC_MAX: a length that lies beyond the data
 * stays MORE until the caller's deadline or end of stream). EXPO_ETOOBIG:
 * a TPKT length over RDP_CC_MAX. EXPO_EPROTO: a TPDU other than CC (a
 * disconnect request or data). EXPO_EPARSE: a length indicator that does
 * not match the TPKT length, a malformed or truncated negotiation block.
 */
int rdp_wire_cc(const void *buf, size_t len, struct rdp_cc *out, size_t *used);

/*
 * The MCS Connect Initial PDU (TPKT + X.224 data + T.125 Connect-Initial
 * + GCC conference create request) with CS_CORE (serverSelectedProtocol
 * = selected), CS_SECURITY offering every encryption method (40, 56,
 * 128-bit and FIPS) and CS_NET without channels. 0 and *len, or
 * EXPO_ETOOBIG.
 */
int rdp_wire_build_mcs_ci(uint8_t *buf, size_t size, uint32_t selected,
			  size_t *len);

/* encryptionMethod (2.2.1.4.3) and encryptionLevel */
#define RDP_ENC_NONE 0x00000000u
#define RDP_ENC_40BIT 0x00000001u
#define RDP_ENC_128BIT 0x00000002u
#define RDP_ENC_56BIT 0x00000008u
#define RDP_ENC_FIPS 0x00000010u
#define RDP_LEVEL_NONE 0
#define RDP_LEVEL_LOW 1
#define RDP_LEVEL_CLIENT_COMPATIBLE 2
#define RDP_LEVEL_HIGH 3
#define RDP_LEVEL_FIPS 4

struct rdp_mcs_rsp {
	uint32_t result;    /* T.125 Result: 0 = rt-successful */
	bool have_core;	    /* SC_CORE seen */
	uint32_t version;   /* SC_CORE version (0x00080004 = RDP 5+) */
	bool have_security; /* SC_SECURITY seen */
	uint32_t enc_method;
	uint32_t enc_level;
};

/*
 * An MCS Connect Response PDU at the start of buf: 0, *out and *used;
 * RDP_WIRE_MORE; EXPO_ETOOBIG (a TPKT over RDP_TPKT_MAX cannot happen,
 * so: a BER length past the PDU); EXPO_EPROTO (not a Connect-Response:
 * e.g. a disconnect); EXPO_EPARSE (malformed BER, GCC or data blocks).
 * A non-successful result is 0 with out->result != 0 and no blocks.
 */
int rdp_wire_mcs_rsp(const void *buf, size_t len, struct rdp_mcs_rsp *out,
		     size_t *used);

const char *rdp_enc_method_name(uint32_t m); /* "40-bit RC4", ... */
const char *rdp_enc_level_name(uint32_t l);  /* "Low", ... */
const char *rdp_failure_name(uint32_t code); /* "HYBRID_REQUIRED_BY_SERVER" */
/* "RDP", "SSL", "HYBRID", "RDSTLS", "HYBRID_EX", "RDSAAD", or NULL */
const char *rdp_protocol_name(uint32_t p);

/*
 * A CredSSP TSRequest (version 6) whose negoTokens carry an NTLM
 * NEGOTIATE_MESSAGE asking for the target info and the version.
 */
int rdp_wire_build_tsreq_ntlm(uint8_t *buf, size_t size, size_t *len);

/*
 * The length of the DER TSRequest at the start of buf: 0 and *total;
 * RDP_WIRE_MORE; EXPO_EPARSE (not a SEQUENCE, or a bad length);
 * EXPO_ETOOBIG (over max).
 */
int rdp_wire_der_total(const void *buf, size_t len, size_t max, size_t *total);

/* Host information from an NTLM CHALLENGE_MESSAGE; strings are printable
 * ASCII (other characters become '?'), NUL-terminated. */
struct rdp_ntlm_info {
	char target_name[64];
	char nb_computer[64];
	char nb_domain[64];
	char dns_computer[256];
	char dns_domain[256];
	char dns_tree[256];
	bool have_version;
	uint8_t major, minor;
	uint16_t build;
	uint32_t flags;
};

/*
 * A TSRequest (the whole DER value) whose first negoToken is an NTLM
 * CHALLENGE_MESSAGE: 0 and *out. EXPO_EPARSE (malformed DER, no token,
 * not NTLMSSP type 2, fields outside the message); EXPO_EPROTO (a
 * TSRequest with an errorCode and no token: *errcode holds it).
 */
int rdp_wire_tsreq_challenge(const void *buf, size_t len,
			     struct rdp_ntlm_info *out, uint32_t *errcode);

/* The NTLM CHALLENGE_MESSAGE alone (the negoToken's content). */
int rdp_wire_ntlm_challenge(const void *buf, size_t len,
			    struct rdp_ntlm_info *out);

#endif
