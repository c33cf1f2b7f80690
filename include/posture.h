/*
 * posture.h - the configuration stage: rules judged from what the
 * inventory says (a Terraform plan or state, the clouds' CLI JSON), with
 * no packet sent. This is the pre-release gate on a plan, and the half of
 * a scheduled audit that reads the cloud's own posture.
 *
 * A config rule set is a check (checks/config/) with CHECK_CONFIG, no
 * ports, and judge(): it reads a target's config facts and reports with
 * conf_report(). The stage (scanner/posture/) runs every enabled one on
 * every target that has facts, addressed or not.
 *
 * Config facts: t->meta->config, a cJSON object the loaders fill. Keys
 * (each optional; docs/config-facts.md is the full description):
 *   "resource"        plan/state address ("module.app.aws_instance.web[0]")
 *                     or instance id: where the finding points
 *   "kind"            "instance" | "database" | "project"
 *   "gpu"             why it is a GPU instance ("instance type g5.xlarge")
 *   "public_address"  "known" | "planned" | "none" | "unknown"
 *   "imds_tokens"     "required" | "optional" | "unknown-default"
 *                     (omitted metadata_options: the default is the risk)
 *   "imds_endpoint"   "enabled" | "disabled"
 *   "password_ssh"    true: a Linux VM accepts SSH passwords
 *   "serial_port"     true: interactive serial port access is enabled
 *   "oslogin"         false: OS Login is disabled for the instance
 *   "block_project_ssh_keys"  false: project-wide SSH keys are accepted
 *   "default_sa_scope" the default compute service account with the
 *                     cloud-platform scope: "EMAIL"
 *   "public_database" why a managed database is reachable from the
 *                     internet ("publicly_accessible = true")
 *   "world_ports"     [[from, to, "rule reference"], ...]: ingress open to
 *                     0.0.0.0/0, ::/0, * or Internet (plans; the CLI
 *                     loaders' firewall joins use t->meta->world_rules)
 *   "assumptions"     {fact: "what was assumed and why"}
 */
#ifndef POSTURE_H
#define POSTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "config.h"
#include "finding.h"
#include "target.h"

struct conf_ctx; /* opaque: one target being judged */

/* Reports rule_id (declared by the rule set) on the target at port (0:
 * not one port). assumption: NULL, or what the finding assumes (it then
 * ranks below the same finding without one). */
int conf_report(struct conf_ctx *c, const char *rule_id, uint16_t port,
		const char *assumption, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* the same for a port of either protocol (conf_report()'s is TCP) */
int conf_report_proto(struct conf_ctx *c, const char *rule_id, uint16_t port,
		      unsigned proto, const char *assumption, const char *fmt,
		      ...) __attribute__((format(printf, 6, 7)));
const struct target *conf_target(const struct conf_ctx *c);

/* the GPU of a target: its config fact "gpu", else what the inventory
 * loader saw (t->meta->gpu); NULL when none */
const char *target_gpu(const struct target *t);

/* The doors: ports where a management, database or AI/automation control
 * plane listens, from every check's default ports plus the control planes
 * no check probes yet (PROBES-2.md A.3), without the generic web ports 80
 * and 443. The service name, or NULL when the port is no door. */
const char *door_service(uint16_t port);

/* a port range's world-open doors, for judge(): calls fn per door */
void door_each(uint16_t from, uint16_t to,
	       void (*fn)(void *ud, uint16_t port, const char *service),
	       void *ud);
/* the two above for doors of either protocol: door_service() and
 * door_each() are TCP's; protos are PROTO_BIT()s */
const char *door_service_proto(uint16_t port, unsigned proto);
void door_each_proto(unsigned protos, uint16_t from, uint16_t to,
		     void (*fn)(void *ud, uint16_t port, unsigned proto,
				const char *service),
		     void *ud);

/* Runs every enabled config rule set (cfg->checks with CHECK_CONFIG) on
 * every target with config facts or world-open ports, and appends the
 * findings to out. *judged: how many targets had facts. 0 or < 0. */
int posture_run(const struct scan_config *cfg,
		const struct target_list *targets, struct finding_list *out,
		size_t *judged);

/* A config finding and a wire finding on the same target and port name
 * each other (their `related` fields); then the list is ranked again. */
int posture_relate(struct finding_list *l);

#endif
