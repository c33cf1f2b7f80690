/*
 * cloud.c - provider-neutral config rules: doors opened to the world, a
 * GPU instance behind such a door, a managed database reachable from the
 * internet. Read from firewall rules joined to instances (security
 * groups, NSGs, GCP firewall rules: t->meta->world_rules) and from the
 * config facts (include/posture.h). No network.
 *
 * A rule that opens a range of at most DOOR_RANGE_MAX ports yields one
 * finding per door in it; a wider one (all traffic) one finding at port 0
 * naming the doors it includes, so "all ports" is one finding, not forty.
 *
 * References: Checkov CKV_AWS_24/25/277, CKV_AZURE_9/10, CKV_GCP_2/3/75/88;
 * Trivy AVD-AWS-0107, AVD-AZU-0047, AVD-GCP-0027; RDS: CKV_AWS_17,
 * AVD-AWS-0180; Cloud SQL: CKV_GCP_60, AVD-GCP-0017.
 */
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "posture.h"

#define DOOR_RANGE_MAX 1024

struct world_walk {
	struct conf_ctx *c;
	const struct world_rule *wr;
	const char *gpu;
	char doors[256]; /* for a wide range: "22 ssh, 3389 rdp, ..." */
	size_t ndoors;
	int err;
};

static const char *rule_ref(const struct world_rule *wr)
{
	return wr->ref != NULL ? wr->ref : "an ingress rule";
}

/* " (port 22)", " (port 161/udp)" */
static const char *udp_sfx(unsigned proto)
{
	return proto == PROTO_UDP ? "/udp" : "";
}

static void door_found(void *ud, uint16_t port, unsigned proto,
		       const char *service)
{
	struct world_walk *w = ud;

	if (w->err != 0)
		return;
	w->err = conf_report_proto(
		w->c, "cloud.port_open_to_world", port, proto, NULL,
		"%s (port %u%s) is open to the internet: %s", service, port,
		udp_sfx(proto), rule_ref(w->wr));
	if (w->err == 0 && w->gpu != NULL)
		w->err = conf_report_proto(
			w->c, "cloud.gpu_instance_exposed", port, proto, NULL,
			"GPU instance (%s) with %s (port %u%s) open "
			"to the internet: %s",
			w->gpu, service, port, udp_sfx(proto), rule_ref(w->wr));
}

static void door_listed(void *ud, uint16_t port, unsigned proto,
			const char *service)
{
	struct world_walk *w = ud;
	size_t len = strlen(w->doors);

	if (w->ndoors++ < 12 && len < sizeof(w->doors) - 32)
		snprintf(w->doors + len, sizeof(w->doors) - len, "%s%u%s %s",
			 len ? ", " : "", port, udp_sfx(proto), service);
}

static int cloud_judge(const struct target *t, const cJSON *config,
		       struct conf_ctx *c)
{
	const char *gpu =
		cJSON_GetStringValue(cJSON_GetObjectItem(config, "gpu"));
	const char *db = cJSON_GetStringValue(
		cJSON_GetObjectItem(config, "public_database"));
	const cJSON *dbport = cJSON_GetObjectItem(config, "port");
	size_t i;
	int r = 0;

	for (i = 0; t->meta != NULL && i < t->meta->nworld_rules && r == 0;
	     i++) {
		struct world_walk w = { .c = c,
					.wr = &t->meta->world_rules[i],
					.gpu = gpu };
		/* 0: a rule from before protocols were told apart, TCP */
		unsigned protos = w.wr->protos ? w.wr->protos
					       : PROTO_BIT(PROTO_TCP);

		if (w.wr->port_to - w.wr->port_from < DOOR_RANGE_MAX) {
			door_each_proto(protos, w.wr->port_from, w.wr->port_to,
					door_found, &w);
			r = w.err;
			continue;
		}
		door_each_proto(protos, w.wr->port_from, w.wr->port_to,
				door_listed, &w);
		if (w.ndoors == 0)
			continue;
		r = conf_report(c, "cloud.port_open_to_world", 0, NULL,
				"ports %u-%u are open to the internet, %zu "
				"doors among them (%s%s): %s",
				w.wr->port_from, w.wr->port_to, w.ndoors,
				w.doors, w.ndoors > 12 ? ", ..." : "",
				rule_ref(w.wr));
		if (r == 0 && gpu != NULL)
			r = conf_report(
				c, "cloud.gpu_instance_exposed", 0, NULL,
				"GPU instance (%s) with ports %u-%u "
				"open to the internet (%s%s): %s",
				gpu, w.wr->port_from, w.wr->port_to, w.doors,
				w.ndoors > 12 ? ", ..." : "", rule_ref(w.wr));
	}
	if (r == 0 && db != NULL)
		r = conf_report(c, "cloud.public_database",
				cJSON_IsNumber(dbport) &&
						dbport->valuedouble > 0 &&
						dbport->valuedouble < 65536
					? (uint16_t)dbport->valuedouble
					: 0,
				NULL,
				"managed database reachable from the "
				"internet: %s",
				db);
	return r;
}

static const struct rule cloud_rules[] = {
	{
		.id = "cloud.port_open_to_world",
		.title = "A management, database or AI/automation port is "
			 "open to the internet",
		.description = "A firewall rule opens a door that attackers "
			       "scan for (SSH, RDP, databases, Docker, "
			       "Ollama, Ray, Jupyter, ...) to 0.0.0.0/0 or "
			       "::/0: a weak login or an API without "
			       "authentication behind it is found within "
			       "minutes.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L",
		.references = "CWE-284; ATT&CK T1190; Checkov CKV_AWS_24, "
			      "CKV_AWS_25, CKV_AWS_277, CKV_AZURE_9, "
			      "CKV_AZURE_10, CKV_GCP_2, CKV_GCP_3; Trivy "
			      "AVD-AWS-0107, AVD-AZU-0047, AVD-GCP-0027",
		.remediation = "Allow the port from the addresses that need "
			       "it (a VPN, a bastion, the office) instead of "
			       "0.0.0.0/0 and ::/0, or reach the service "
			       "through an identity-aware proxy or SSM/IAP.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
	{
		.id = "cloud.gpu_instance_exposed",
		.title = "A GPU instance has a door open to the internet",
		.description = "GPU instances are what cryptojacking and "
			       "LLMjacking campaigns pay for: a door open to "
			       "the world on one is the costliest way in.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H",
		.references = "CWE-284; ATT&CK T1496; ATT&CK T1190",
		.remediation = "Keep GPU instances private: no public "
			       "address, doors reachable only from a VPN or "
			       "a proxy; alert on new GPU instances in plans.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIGURED,
	},
	{
		.id = "cloud.public_database",
		.title = "A managed database is reachable from the internet",
		.description = "The database has a public endpoint (RDS "
			       "publicly_accessible, Cloud SQL public IPv4 "
			       "with authorized networks): its login is one "
			       "weak password away.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N",
		.references = "CWE-284; ATT&CK T1190; Checkov CKV_AWS_17, "
			      "CKV_GCP_60; Trivy AVD-AWS-0180, AVD-GCP-0017",
		.remediation = "Set publicly_accessible = false (RDS) or "
			       "ipv4_enabled = false with private IP (Cloud "
			       "SQL); reach it from inside the network.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIGURED,
	},
};

const struct check check_cloud = {
	.name = "cloud",
	.summary = "config: doors open to the internet, exposed GPU "
		   "instances, public databases (no network)",
	.flags = CHECK_CONFIG,
	.rules = cloud_rules,
	.nrules = ARRAY_SIZE(cloud_rules),
	.judge = cloud_judge,
};
