/*
 * snmp_wire.h - SNMPv2c GetRequest for one OID, and a bounded BER parser
 * of the answer. Pure: bytes in, struct or error out.
 */
#ifndef SNMP_WIRE_H
#define SNMP_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* a request: the community is at most SNMP_COMMUNITY_MAX bytes */
#define SNMP_COMMUNITY_MAX 255
#define SNMP_REQUEST_MAX (SNMP_COMMUNITY_MAX + 64)
/* an answer to one GetRequest of sysDescr (255 octets at most, RFC 3418)
 * fits easily; a longer datagram is not an answer to what we asked */
#define SNMP_REPLY_MAX 1500
#define SNMP_VALUE_MAX 255 /* sysDescr is DisplayString (SIZE (0..255)) */

#define SNMP_VERSION_2C 1
#define SNMP_PDU_GET 0xa0
#define SNMP_PDU_RESPONSE 0xa2

/* BER tags of a varbind's value */
#define SNMP_TAG_OCTETS 0x04
#define SNMP_TAG_NULL 0x05
#define SNMP_TAG_NO_SUCH_OBJECT 0x80
#define SNMP_TAG_NO_SUCH_INSTANCE 0x81
#define SNMP_TAG_END_OF_MIB 0x82

struct snmp_reply {
	long version; /* 0 v1, 1 v2c */
	char community[SNMP_COMMUNITY_MAX + 1];
	size_t community_len;
	unsigned pdu_type; /* 0xa2: GetResponse */
	int32_t request_id;
	long error_status, error_index;
	unsigned nvarbinds;
	/* the first varbind: is it sysDescr.0, and its value */
	int first_is_sysdescr;
	unsigned value_tag;
	char value[SNMP_VALUE_MAX +
		   1];	  /* OCTET STRING, cut at 255, NUL-ended */
	size_t value_len; /* as received (may be > 255) */
};

/* the GetRequest of sysDescr.0 (1.3.6.1.2.1.1.1.0) with community and
 * request id into out; 0 and *len, or EXPO_ETOOBIG / EXPO_EINVAL */
int snmp_get_sysdescr(uint8_t *out, size_t cap, const char *community,
		      int32_t request_id, size_t *len);

/* parses one datagram as an SNMP message: 0, EXPO_EPARSE (not BER or not
 * an SNMP message) or EXPO_ETOOBIG (past a bound) */
int snmp_parse_reply(const uint8_t *buf, size_t len, struct snmp_reply *out);

#endif
