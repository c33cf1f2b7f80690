/*
 * finding.h - findings and per-port statuses, the data every writer reads.
 *
 * A struct finding owns its strings (so a report re-read from JSON is a
 * finding like any other); finding_release() frees them. Two exceptions,
 * named in `shares`, keep a fleet's findings small (issue 16: 75,000
 * findings must fit beside everything else in 64 MB): a finding from a
 * check borrows its rule's text, which lives as long as the program, and
 * packs its target's id, name and address into one allocation; the ranking
 * sentence is one of a few hundred at most and is shared from a pool.
 * finding_list_add() copies nothing: it hands back a zeroed slot to fill.
 */
#ifndef FINDING_H
#define FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "target.h"

/* CVSS v3.1 qualitative bands; SEV_INFO is "None" (score 0.0). */
enum severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

enum confidence {
	CONFIDENCE_CONFIRMED = 0, /* the access was actually obtained */
	CONFIDENCE_INFERRED,	  /* from a version or a banner */
	CONFIDENCE_CONFIGURED,	  /* read from configuration, not observed */
};

/* What the weakness gives an attacker; lower ranks first. */
enum impact {
	IMPACT_EXEC = 0, /* code execution: login, Docker API, superuser */
	IMPACT_DATA,	 /* data access */
	IMPACT_WEAKENED, /* weakened defences */
	IMPACT_INFO,	 /* informational */
};

/* The outcome of one (target, address, port[, check]). */
enum probe_status {
	STATUS_OPEN = 0, /* connected; checks (if any) ran to the end */
	STATUS_CLOSED,	 /* refused (RST) */
	STATUS_FILTERED, /* no answer within the timeout */
	STATUS_TIMEOUT,	 /* open, but a check blew its deadline */
	STATUS_ERROR,	 /* see reason */
	/* a UDP probe got no answer: a wrong community, a closed port or a
	 * firewall look the same, so it proves nothing (never "closed") */
	STATUS_NO_ANSWER,
	STATUS_COUNT,
};

struct finding {
	char *rule_id; /* "ssh.weak_kex" */
	char *check;   /* "ssh" */
	char *title;
	char *service; /* "ssh" */
	char *target_id, *target_name, *address;
	uint16_t port;
	uint8_t proto;	   /* enum port_proto of port */
	char *cvss_vector; /* "CVSS:3.1/AV:N/..." */
	double cvss_score;
	enum severity severity;
	enum confidence confidence;
	enum impact impact;
	char *evidence; /* never holds a secret */
	char *secret;	/* NULL, or already redacted unless --show-secrets */
	char *remediation;
	char *references;	/* "CWE-521; ATT&CK T1110.001; CVE-..." */
	bool is_public;		/* the address is public */
	uint8_t shares;		/* enum finding_shares: what it does not own */
	enum exposure exposure; /* what firewall data says of the port */
	char fingerprint[33];	/* hex, stable: rule + target id + port */
	char *rank_reason;	/* one sentence: why it ranks where it does */
	/* NULL, or the GPU seen behind the door or named by the inventory
	 * ("NVIDIA A100-SXM4-80GB", "instance type g5.xlarge"): it ranks
	 * the finding above the same one without a GPU */
	char *gpu;
	/* config findings (CONFIDENCE_CONFIGURED); NULL otherwise */
	char *resource;	  /* "module.app.aws_instance.web[0]" or an id */
	char *source;	  /* the plan or inventory file it was read from */
	char *assumption; /* what the finding assumes, or NULL */
	char *related;	  /* the finding(s) of the other kind on the same
			   * target and port: "rule (fingerprint), ..." */
};

enum finding_shares {
	/* rule_id, check, title, service, cvss_vector, remediation and
	 * references point at the check's static rule text */
	FINDING_SHARES_RULE = 1,
	/* target_name and address point into target_id's allocation */
	FINDING_PACKS_TARGET = 2,
	/* rank_reason comes from rank.c's pool of sentences */
	FINDING_SHARES_REASON = 4,
	/* target_id, target_name, address and evidence are in the list's
	 * spill (include/spill.h) */
	FINDING_SPILLS_TEXT = 8,
};

struct spill;

struct finding_list {
	struct finding *v;
	size_t n, alloc;
	/* NULL, or the file-backed memory that v and the findings' text
	 * live in (a fleet's findings, include/spill.h); owned */
	struct spill *spill;
};

void finding_release(struct finding *f);
void finding_list_init(struct finding_list *l);
void finding_list_release(struct finding_list *l);
struct finding *finding_list_add(struct finding_list *l);
/* moves every finding of src to the end of dst; src is left empty. When
 * only src is spilled, dst's findings go to src's end and the lists swap:
 * the order before ranking is then not kept */
int finding_list_take(struct finding_list *dst, struct finding_list *src);
/* moves l's array and its findings' text into s, which l then owns; on
 * failure l is as it was and s is not taken; 0 or EXPO_ENOMEM */
int finding_list_spill(struct finding_list *l, struct spill *s);
/* finding i's text (target strings, evidence) into l's spill, when l has
 * one: a list filled in place (a report read back) after it spilled */
void finding_list_spill_text(struct finding_list *l, size_t i);
/* after a finding was added to l and filled in: past
 * FINDINGS_SPILL_AFTER the list spills (include/spill.h), as a scan's
 * does, and each later finding's text follows it there */
void finding_list_grown(struct finding_list *l);
/* dst becomes a copy of s owning every string but a check's static rule
 * text (FINDING_SHARES_RULE) and a pooled ranking sentence
 * (FINDING_SHARES_REASON), which stay shared; 0 or EXPO_ENOMEM (dst then
 * holds what was copied, for finding_release) */
int finding_copy(struct finding *dst, const struct finding *s);

/* sha256(rule | target id | port), first 32 hex digits, into out[33] */
void finding_fingerprint(char out[33], const char *rule_id,
			 const char *target_id, unsigned port);

const char *severity_name(enum severity s); /* "critical", ... "info" */
/* "critical".."info", also "none" -> -1 (gate off); EXPO_EINVAL otherwise */
int severity_parse(const char *s, int *out);
const char *confidence_name(enum confidence c);
const char *impact_name(enum impact i);
const char *status_name(enum probe_status s);

/* The status of one (target, address, port), or of one check on it: what
 * the engine records and every writer reads. */
/* 12 bytes: 100,000 targets x 20 ports of closed ports is 24 MB, the most
 * a scan holds (the protocol shares the status's byte to keep it so) */
struct port_record {
	uint32_t target; /* index into targets->v */
	uint16_t addr;	 /* index into that target's addrs */
	uint16_t port;
	uint8_t status : 7; /* enum probe_status */
	uint8_t proto : 1;  /* enum port_proto */
	uint8_t check;	    /* index into check_registry, or CHECK_NONE */
	uint16_t reason;    /* index into reasons[], 0 = none */
};
_Static_assert(sizeof(struct port_record) == 12,
	       "a port record is 12 bytes: every scan holds millions");
#define CHECK_NONE 0xff

/* A scan's port records past this many live in a spill (include/spill.h):
 * 100,000 targets x 36 ports would otherwise hold 58 MB for the whole
 * scan. Below it they are malloc'd. */
#define RECORDS_SPILL_AFTER ((size_t)1 << 18)

/* Room for need records in *v, and, when *ms is there already or with_ms,
 * as many durations in *ms (the milliseconds each record's probe took; 0:
 * not measured); *alloc and *ms_alloc say what each holds. With a spill
 * the records grow in place in its array, the durations in its side
 * region, and neither ever moves; else they are realloc'd. 0, or
 * EXPO_ENOMEM with *v and *ms still valid. */
int port_records_room(struct port_record **v, size_t *alloc, uint32_t **ms,
		      size_t *ms_alloc, size_t need, bool with_ms,
		      struct spill *spill);
/* n records (and their durations, when *ms is there) moved from malloc'd
 * arrays into a new spill, *spill set; 0, or EXPO_ENOMEM with nothing
 * changed (no file: the caller keeps them in memory) */
int port_records_spill(struct port_record **v, size_t *alloc, uint32_t **ms,
		       size_t *ms_alloc, size_t n, struct spill **spill);
/* frees what port_records_room() made: the spill, or both arrays */
void port_records_free(struct port_record *v, uint32_t *ms,
		       struct spill *spill);

#endif
