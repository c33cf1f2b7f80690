/*
 * sign.h - what a check does with the compromise indicators it reads
 * (include/indicators.h): collect the signs seen in one probe's facts,
 * then report them as one CHECK.compromise_indicator finding whose
 * evidence names each matched indicator, the text it matched and where
 * it was seen. No sign: no finding (absence is never reported as clean).
 */
#ifndef CHECKS_SIGN_H
#define CHECKS_SIGN_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "indicators.h"

#define SIGN_KEEP 4	     /* signs named in the evidence */
#define SIGN_EXCERPT_MAX 120 /* bytes of the matched text kept */
#define SIGN_EVIDENCE_MAX 1536

struct sign_set {
	unsigned n; /* signs seen (also past SIGN_KEEP) */
	size_t len;
	char evidence[SIGN_EVIDENCE_MAX];
};

/* looks for a sign in text (a field of kind `field`, IND_F_*), seen at
 * `where` ("container /x (image y) command"); true if one matched */
bool sign_check(struct sign_set *s, unsigned field, const char *text,
		const char *where);
/* sign_check() seen at "WHERE WHAT" ("job x task y" "args"), the place
 * cut at SIGN_WHERE_MAX */
#define SIGN_WHERE_MAX 400
bool sign_at(struct sign_set *s, unsigned field, const char *text,
	     const char *where, const char *what);
/* the pods of a Kubernetes PodList's items (at most SIGN_PODS_MAX):
 * each container's and init container's image, command and args, name
 * and env names; env values are never read */
#define SIGN_PODS_MAX 512
void sign_pods(struct sign_set *s, const cJSON *items);
/* the same for one pod spec (a pod's, or a DaemonSet's template's),
 * seen at `where` ("daemonset kube-system/x") */
void sign_pod_spec(struct sign_set *s, const cJSON *spec, const char *where);
/* the strings of a JSON array joined by spaces, cut to size; NULL when
 * there is none (a command's argv as one command line) */
const char *sign_join(const cJSON *arr, char *buf, size_t size);

/* reports rule_id (CHECK.compromise_indicator) if any sign was seen */
int sign_report(struct check_ctx *ctx, const char *rule_id,
		const struct sign_set *s);

/* the rule every check that reads signs declares as its own
 * CHECK.compromise_indicator; what is the id, what was read */
#define SIGN_RULE(rule_id, what_read)                                          \
	{                                                                      \
		.id = rule_id,                                                 \
		.title = "Signs that the host is already abused (a miner "     \
			 "or an injection payload)",                           \
		.description =                                                 \
			"Through the open door the scanner read " what_read    \
			" and found a known sign of compromise (a miner "      \
			"binary or image, a mining pool or wallet, a "         \
			"cron-injection payload): someone is probably "        \
			"already inside. Matched against the indicator data "  \
			"named in the report (tool.indicators_version).",      \
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", \
		.references = "ATT&CK T1496; ATT&CK T1610; ATT&CK T1053.003; " \
			      "CWE-306",                                       \
		.remediation =                                                 \
			"Treat the host as compromised: isolate it, keep "     \
			"the evidence (container, image, keys), rebuild from " \
			"a known-good image, rotate every credential it "      \
			"held, then close the door this finding came "         \
			"through.",                                            \
		.impact = IMPACT_EXEC, .confidence = CONFIDENCE_CONFIRMED,     \
	}

#endif
