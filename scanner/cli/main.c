/*
 * main.c - the command line: parse, load the inventory, scan, write the
 * reports, and turn the findings into the exit code (the gate).
 *
 * Exit codes: 0 no finding at or above --fail-on; 1 the gate failed;
 * 2 bad usage or bad input; 3 the scan could not run; 130 interrupted by
 * SIGINT, 143 by SIGTERM (these win over the gate's code).
 *
 * Signals (scan): the first SIGINT/SIGTERM stops the scan (engine.h: no
 * new probe, a short grace for those under way), every requested report
 * is written marked incomplete, and the process exits 130/143. A second
 * signal, or any during another command, ends the process at once after
 * removing the temporary report file being written.
 *
 * The writers, the gate and the audit trail shared by `scan`, `report`
 * and `merge` live in scanner/cli/cli_output.c (cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "cli.h"
#include "config.h"
#include "rank/cvss.h"
#include "dynbuf.h"
#include "engine/engine.h"
#include "expo.h"
#include "inventory.h"
#include "log.h"
#include "posture.h"
#include "report/report.h"
#include "report/report_priv.h"
#include "term_escape.h"

#define CREDS_FILE_MAX (16u << 20)

struct cli {
	struct scan_config cfg;
	struct inventory_opts inv;
	const char **inputs;
	size_t ninputs;
	struct cli_out out; /* writers, gate, store (cli.h) */
	const char *shard_arg;
	unsigned shard_count_flag;
	unsigned shard_index, shard_count; /* 0: not sharded */
	const char *checks_arg, *skip_arg;
	struct inv_scope scope, exclude; /* --scope, --exclude */
};

static const char usage_text[] =
	"usage: exposure scan [INVENTORY...] [options]   scan and report (- = stdin)\n"
	"       exposure targets [INVENTORY...] [options] what would be scanned; sends nothing\n"
	"       exposure checks                           modules and rules with CVSS\n"
	"       exposure report REPORT.json [options]     re-render a saved --json report\n"
	"       exposure merge A.json B.json... [options] merge shard reports, re-render\n"
	"       exposure history --store URL | --history DIR   trends across runs\n"
	"       exposure --version | --help\n"
	"\n"
	"Inventory formats (detected from content): plain list (host, IP, CIDR,\n"
	"host:port, k=v, # comments), AWS ec2 describe-instances JSON (+ security\n"
	"groups), GCP instances list JSON (+ firewall rules), Azure vm list -d JSON\n"
	"(+ NSGs), terraform show -json, ansible-inventory --list, nmap -oX.\n"
	"\n"
	"Options:\n"
	"  --format FMT          list|aws|gcp|azure|terraform|ansible|nmap\n"
	"  --region NAME         region for AWS output (it has none)\n"
	"  --max-cidr N          largest CIDR expanded (default 65536 addresses)\n"
	"  --scope LIST          scan only addresses in these CIDRs (commas, or a\n"
	"                        file of them); others are listed as skipped\n"
	"  --exclude LIST        never probe these addresses or CIDRs (commas, or a\n"
	"                        file of them; --excludefile FILE forces a file)\n"
	"  --checks LIST         only these checks (see `exposure checks`)\n"
	"  --skip LIST           all checks but these\n"
	"  --ports LIST          22,2222: probe only these ports; ssh=2222: add a\n"
	"                        port for a check; 161/udp, snmp=1161/udp: UDP\n"
	"  --discover-only       port discovery only, no checks\n"
	"  --offline             configuration rules only: no packet sent,\n"
	"                        no name looked up (a Terraform plan, cloud JSON)\n"
	"  --creds FILE          user:password lines, tried before the built-in lists\n"
	"                        (:community for SNMP, which has no user)\n"
	"  --no-login            no credential attempts at all\n"
	"  --max-attempts N      attempts per account and host (default: per check)\n"
	"  --intrusive           allow probes that change state on the target\n"
	"  --concurrency N       sockets in flight (default 2048)\n"
	"  --rate N              new connections (and UDP datagrams) per second\n"
	"                        (default: no limit)\n"
	"  --host-rate N         new connections or UDP probes per second to one\n"
	"                        address, discovery and checks (default: no limit)\n"
	"  --timeout MS          connect and per-phase timeout (default 3000)\n"
	"  --check-timeout MS    whole-probe deadline (default 120000)\n"
	"  --udp-retries N       UDP requests sent again while unanswered; they\n"
	"                        share --timeout (default 2)\n"
	"  --workers N           check worker threads (default: cores, max 8)\n";

/* between the two: the writers' lines, from their table (cli.h) */
static const char usage_tail[] =
	"  --fail-on SEVERITY    critical|high|medium|low|info|none (default high;\n"
	"                        report/merge: the saved report's)\n"
	"  --baseline FILE       a previous --json report: findings new/unchanged,\n"
	"                        fixed ones listed\n"
	"  --fail-on-new         the gate counts only findings new since --baseline\n"
	"  --ignore FILE         suppressions (JSON: rule, target, port, reason,\n"
	"                        expires); expired/unmatched ones are warned about\n"
	"  --shard K/N           scan shard K of N (1-based; targets split by a hash\n"
	"                        of their first address, so that targets sharing an\n"
	"                        address are in one shard). Default from\n"
	"                        JOB_COMPLETION_INDEX\n"
	"                        (0-based) with --shard-count N or\n"
	"                        EXPOSURE_SHARD_COUNT, or CI_NODE_INDEX/CI_NODE_TOTAL\n"
	"  --shard-count N       shard count for JOB_COMPLETION_INDEX\n"
	"  --run-id ID           one id for all shards of a run (default\n"
	"                        EXPOSURE_RUN_ID; generated when unsharded)\n"
	"  --store URL           record the run in PostgreSQL (postgresql://...)\n"
	"  --history DIR         keep the run's JSON report in DIR (history without\n"
	"                        PostgreSQL)\n"
	"  --show-secrets        do not redact passwords found\n"
	"  -q, --quiet           no report on stdout (files and exit code only)\n"
	"  -v, --verbose         remediation, CVSS and all statuses in the report\n"
	"                        and the client libraries' messages (escaped) on\n"
	"                        stderr\n"
	"\n"
	"Exit codes: 0 no finding at or above --fail-on, 1 the gate failed,\n"
	"2 bad usage or bad input, 3 the scan could not run (nothing to scan),\n"
	"130 interrupted by SIGINT, 143 by SIGTERM (the reports written are\n"
	"marked incomplete; a second signal exits at once).\n";

static void usage(FILE *out)
{
	fputs(usage_text, out);
	cli_writer_usage(out);
	fputs(usage_tail, out);
}

static int fail_usage(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "exposure: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\nTry 'exposure --help'.\n");
	return EXIT_USAGE;
}

static int parse_uint(const char *flag, const char *s, unsigned long lo,
		      unsigned long hi, unsigned *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo ||
	    v > hi) {
		fprintf(stderr,
			"exposure: %s: '%s' is not a whole number from "
			"%lu to %lu\nTry 'exposure --help'.\n",
			flag, s, lo, hi);
		return EXIT_USAGE;
	}
	*out = (unsigned)v;
	return 0;
}

/* --checks / --skip: comma list of check names */
static int select_checks(struct cli *c)
{
	const struct check **v = calloc(check_registry_len + 1, sizeof(*v));
	char *list = NULL, *save = NULL, *tok;
	size_t i, n = 0;
	int r = 0;

	if (v == NULL)
		return EXIT_USAGE;
	for (i = 0; i < check_registry_len; i++)
		v[n++] = check_registry[i];
	if (c->checks_arg != NULL) {
		n = 0;
		list = strdup(c->checks_arg);
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			const struct check *k = check_find(tok);

			if (k == NULL) {
				r = fail_usage("--checks: no check named '%s'"
					       " (see 'exposure checks')%s",
					       tok, "");
				goto out;
			}
			for (i = 0; i < n && v[i] != k; i++)
				;
			if (i == n)
				v[n++] = k;
		}
		free(list);
		list = NULL;
	}
	if (c->skip_arg != NULL) {
		list = strdup(c->skip_arg);
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			const struct check *k = check_find(tok);

			if (k == NULL) {
				r = fail_usage("--skip: no check named '%s'"
					       " (see 'exposure checks')%s",
					       tok, "");
				goto out;
			}
			for (i = 0; i < n; i++)
				if (v[i] == k) {
					memmove(&v[i], &v[i + 1],
						(n - i - 1) * sizeof(*v));
					n--;
					break;
				}
		}
	}
out:
	free(list);
	if (r != 0) {
		free(v);
		return r;
	}
	c->cfg.checks = v;
	c->cfg.nchecks = n;
	return 0;
}

/* --ports 22,2222 (only these) and ssh=2222 (add one for a check) */
static int parse_ports(struct cli *c, const char *arg)
{
	char *list = strdup(arg), *save = NULL, *tok;
	int r = 0;

	if (list == NULL)
		return EXIT_USAGE;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		struct port_override o, *v;
		char *eq = strchr(tok, '='), *slash;
		const char *num = tok;
		const struct check *named = NULL;
		unsigned port;
		bool udp = false;

		memset(&o, 0, sizeof(o));
		if (eq != NULL) {
			*eq = '\0';
			num = eq + 1;
			if ((named = check_find(tok)) == NULL) {
				r = fail_usage("--ports: no check named '%s' "
					       "(see 'exposure checks')%s",
					       tok, "");
				goto out;
			}
			snprintf(o.check, sizeof(o.check), "%s", tok);
		} else {
			c->cfg.ports_replace = true;
		}
		/* "161/udp" (nmap's way of writing it); "/tcp" is the default */
		if ((slash = strchr(num, '/')) != NULL) {
			if (strcasecmp(slash + 1, "udp") == 0) {
				udp = true;
			} else if (strcasecmp(slash + 1, "tcp") != 0) {
				r = fail_usage("--ports: the protocol after "
					       "'/' is tcp or udp (e.g. "
					       "161/udp)%s%s",
					       "", "");
				goto out;
			}
			*slash = '\0';
		}
		if ((r = parse_uint("--ports", num, 1, 65535, &port)) != 0)
			goto out;
		o.port = (uint16_t)port;
		/* snmp=1161 means UDP: the check has no other kind of port */
		if (named != NULL && slash == NULL)
			udp = (named->flags & CHECK_UDP) != 0;
		if (named != NULL && udp != ((named->flags & CHECK_UDP) != 0)) {
			r = fail_usage("--ports: check %s probes only %s "
				       "ports",
				       named->name,
				       (named->flags & CHECK_UDP) ? "udp"
								  : "tcp");
			goto out;
		}
		o.proto = udp ? PROTO_UDP : PROTO_TCP;
		v = realloc(c->cfg.extra_ports,
			    (c->cfg.nextra_ports + 1) * sizeof(*v));
		if (v == NULL) {
			r = EXIT_USAGE;
			goto out;
		}
		c->cfg.extra_ports = v;
		v[c->cfg.nextra_ports++] = o;
	}
out:
	free(list);
	return r;
}

static int read_all(const char *path, struct dynbuf *b)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;
	int r = 0;

	if (f == NULL)
		return EXPO_EIO;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((r = dynbuf_add(b, chunk, n)) != 0)
			break;
	if (r == 0 && ferror(f))
		r = EXPO_EIO;
	fclose(f);
	return r;
}

/* --creds FILE: user:password per line; '#' comments; the password is
 * everything after the first ':' (it may hold ':' itself). ":secret" has
 * no user: for the services without user names (an SNMP community) */
static int load_creds(struct cli *c, const char *path)
{
	struct dynbuf b;
	char *text, *line, *next;
	unsigned lineno = 0;
	int r;

	dynbuf_init(&b, CREDS_FILE_MAX);
	if ((r = read_all(path, &b)) != 0) {
		fprintf(stderr, "exposure: --creds %s: %s\n", path,
			r == EXPO_ETOOBIG ? "larger than 16 MiB"
					  : strerror(errno));
		dynbuf_release(&b);
		return EXIT_USAGE;
	}
	/* parsed in place: the lines are cut where they end */
	text = dynbuf_detach(&b);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		struct credential_pair *v;
		char *colon;
		size_t len;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL) {
			fprintf(stderr,
				"exposure: --creds %s:%u: expected "
				"user:password (or :community)\n",
				path, lineno);
			free(text);
			return EXIT_USAGE;
		}
		*colon = '\0';
		v = realloc(c->cfg.creds, (c->cfg.ncreds + 1) * sizeof(*v));
		if (v == NULL)
			break;
		c->cfg.creds = v;
		v[c->cfg.ncreds].user = strdup(line);
		v[c->cfg.ncreds].password = strdup(colon + 1);
		c->cfg.ncreds++;
	}
	free(text);
	return 0;
}

enum long_only {
	OPT_FORMAT = 256,
	OPT_REGION,
	OPT_MAXCIDR,
	OPT_CHECKS,
	OPT_SKIP,
	OPT_PORTS,
	OPT_DISCOVER,
	OPT_OFFLINE,
	OPT_CREDS,
	OPT_NOLOGIN,
	OPT_MAXATT,
	OPT_INTRUSIVE,
	OPT_CONC,
	OPT_RATE,
	OPT_HOSTRATE,
	OPT_TIMEOUT,
	OPT_CHECKTIMEOUT,
	OPT_UDPRETRIES,
	OPT_WORKERS,
	OPT_FAILON,
	OPT_SECRETS,
	OPT_VERSION,
	OPT_BASELINE,
	OPT_FAILNEW,
	OPT_IGNORE,
	OPT_SHARD,
	OPT_SHARDCOUNT,
	OPT_RUNID,
	OPT_STORE,
	OPT_HISTORY,
	OPT_SCOPE,
	OPT_EXCLUDE,
	OPT_EXCLUDEFILE,
	OPT_WRITER = 1024, /* + the row in cli_writers (cli.h) */
};

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "max-cidr", required_argument, NULL, OPT_MAXCIDR },
	{ "checks", required_argument, NULL, OPT_CHECKS },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "discover-only", no_argument, NULL, OPT_DISCOVER },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "creds", required_argument, NULL, OPT_CREDS },
	{ "no-login", no_argument, NULL, OPT_NOLOGIN },
	{ "max-attempts", required_argument, NULL, OPT_MAXATT },
	{ "intrusive", no_argument, NULL, OPT_INTRUSIVE },
	{ "concurrency", required_argument, NULL, OPT_CONC },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "host-rate", required_argument, NULL, OPT_HOSTRATE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "check-timeout", required_argument, NULL, OPT_CHECKTIMEOUT },
	{ "udp-retries", required_argument, NULL, OPT_UDPRETRIES },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "fail-on", required_argument, NULL, OPT_FAILON },
	{ "show-secrets", no_argument, NULL, OPT_SECRETS },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "fail-on-new", no_argument, NULL, OPT_FAILNEW },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "shard-count", required_argument, NULL, OPT_SHARDCOUNT },
	{ "run-id", required_argument, NULL, OPT_RUNID },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "excludefile", required_argument, NULL, OPT_EXCLUDEFILE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* prints "exposure: MSG" with MSG escaped (it may quote inventory text) */
static void print_error(const char *msg)
{
	char *e = term_escaped(msg, false);

	fprintf(stderr, "exposure: %s\n", e ? e : "out of memory");
	free(e);
}

static int scope_flag(struct inv_scope *s, const char *flag, const char *arg,
		      bool file)
{
	char *err = NULL;

	if (inv_scope_add(s, flag, arg, file, &err) == 0)
		return 0;
	print_error(err ? err : "out of memory");
	fprintf(stderr, "Try 'exposure --help'.\n");
	free(err);
	return EXIT_USAGE;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
	struct option opts[CLI_MAX_WRITERS + ARRAY_SIZE(long_opts)];
	size_t nw = cli_writer_options(opts, OPT_WRITER);
	unsigned u;
	int o, r;

	memcpy(opts + nw, long_opts, sizeof(long_opts));
	optind = 1;
	while ((o = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		r = 0;
		switch (o) {
		case OPT_FORMAT:
			c->inv.format = optarg;
			break;
		case OPT_REGION:
			c->inv.region = optarg;
			break;
		case OPT_MAXCIDR:
			r = parse_uint("--max-cidr", optarg, 1, 1u << 24, &u);
			c->inv.max_cidr_addrs = u;
			break;
		case OPT_CHECKS:
			c->checks_arg = optarg;
			break;
		case OPT_SKIP:
			c->skip_arg = optarg;
			break;
		case OPT_PORTS:
			r = parse_ports(c, optarg);
			break;
		case OPT_DISCOVER:
			c->cfg.discover_only = true;
			break;
		case OPT_OFFLINE:
			c->cfg.offline = true;
			c->inv.offline = true;
			break;
		case OPT_CREDS:
			r = load_creds(c, optarg);
			break;
		case OPT_NOLOGIN:
			c->cfg.no_login = true;
			break;
		case OPT_MAXATT:
			r = parse_uint("--max-attempts", optarg, 0, 1000,
				       &c->cfg.max_attempts);
			/* 0 would mean "the check's default": say none */
			if (r == 0 && c->cfg.max_attempts == 0)
				c->cfg.no_login = true;
			break;
		case OPT_INTRUSIVE:
			c->cfg.intrusive = true;
			break;
		case OPT_CONC:
			r = parse_uint("--concurrency", optarg, 1, 65536,
				       &c->cfg.concurrency);
			break;
		case OPT_UDPRETRIES:
			r = parse_uint("--udp-retries", optarg, 0, 10,
				       &c->cfg.udp_retries);
			break;
		case OPT_RATE:
			r = parse_uint("--rate", optarg, 0, 10000000,
				       &c->cfg.rate);
			break;
		case OPT_HOSTRATE:
			r = parse_uint("--host-rate", optarg, 1, 1000000,
				       &c->cfg.host_rate);
			break;
		case OPT_TIMEOUT:
			r = parse_uint("--timeout", optarg, 1, 600000,
				       &c->cfg.timeout_ms);
			break;
		case OPT_CHECKTIMEOUT:
			r = parse_uint("--check-timeout", optarg, 1, 3600000,
				       &c->cfg.check_timeout_ms);
			break;
		case OPT_WORKERS:
			r = parse_uint("--workers", optarg, 1, 8,
				       &c->cfg.workers);
			break;
		case OPT_BASELINE:
			c->out.baseline_path = optarg;
			break;
		case OPT_FAILNEW:
			c->out.fail_on_new = true;
			break;
		case OPT_IGNORE:
			c->out.ignore_path = optarg;
			break;
		case OPT_SHARD:
			c->shard_arg = optarg;
			if (shard_parse(optarg, &c->shard_index,
					&c->shard_count) != 0)
				r = fail_usage("--shard: '%s' is not K/N with "
					       "1 <= K <= N%s",
					       optarg, "");
			break;
		case OPT_SHARDCOUNT:
			r = parse_uint("--shard-count", optarg, 1, 100000,
				       &c->shard_count_flag);
			break;
		case OPT_RUNID:
			c->out.run_id = optarg;
			break;
		case OPT_STORE:
			c->out.store_url = optarg;
			break;
		case OPT_HISTORY:
			c->out.history_dir = optarg;
			break;
		case OPT_SCOPE:
			r = scope_flag(&c->scope, "--scope", optarg, false);
			break;
		case OPT_EXCLUDE:
			r = scope_flag(&c->exclude, "--exclude", optarg, false);
			break;
		case OPT_EXCLUDEFILE:
			r = scope_flag(&c->exclude, "--excludefile", optarg,
				       true);
			break;
		case OPT_FAILON:
			if (severity_parse(optarg, &c->out.fail_on) != 0)
				r = fail_usage("--fail-on: '%s' is not one of "
					       "critical, high, medium, low, "
					       "info, none%s",
					       optarg, "");
			c->out.fail_on_set = true;
			break;
		case OPT_SECRETS:
			c->cfg.show_secrets = true;
			c->out.show_secrets = true;
			break;
		case 'q':
			c->out.quiet = true;
			break;
		case 'v':
			c->cfg.verbose++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case OPT_VERSION:
			printf("exposure %s\n", EXPO_VERSION);
			return -1;
		default:
			if (o >= OPT_WRITER &&
			    o < OPT_WRITER + (int)cli_nwriters) {
				/* a writer with no argument writes stdout */
				c->out.dest[o - OPT_WRITER] = optarg ? optarg
								     : "-";
				break;
			}
			return EXIT_USAGE; /* getopt printed why */
		}
		if (r != 0)
			return r;
	}
	c->inputs = (const char **)&argv[optind];
	c->ninputs = (size_t)(argc - optind);
	return select_checks(c);
}

static int load_targets(struct cli *c, struct target_list *tl)
{
	char *err = NULL;
	int r;

	if (c->ninputs == 0)
		return fail_usage("no inventory given: name a file, or - for "
				  "standard input%s%s",
				  "", "");
	r = inventory_load(c->inputs, c->ninputs, &c->inv, tl, &err);
	if (r != 0) {
		print_error(err ? err : expo_strerror(r));
		free(err);
		return EXIT_USAGE;
	}
	/* before anything is probed: an excluded address gets no packet */
	if (inventory_apply_scope(tl, &c->scope, &c->exclude) != 0) {
		print_error(expo_strerror(EXPO_ENOMEM));
		return EXIT_NORUN;
	}
	return 0;
}

/* ---- exposure checks ---- */

static int cmd_checks(struct cli *cli)
{
	size_t i, j, k;

	(void)cli; /* the rows of commands[] share one signature */

	for (i = 0; i < check_registry_len; i++) {
		const struct check *c = check_registry[i];

		printf("%s: %s\n  ports:", c->name, c->summary);
		for (k = 0; k < c->nports; k++)
			printf(" %u%s", c->ports[k],
			       (c->flags & CHECK_UDP) ? "/udp" : "");
		if (c->flags & CHECK_LOGIN)
			printf("  (tries credentials: --no-login disables; "
			       "default --max-attempts %u)",
			       c->default_max_attempts);
		printf("\n");
		for (j = 0; j < c->nrules; j++) {
			const struct rule *ru = &c->rules[j];
			double score = 0;

			cvss31_base_score(ru->cvss_vector, &score);
			printf("  %-28s %-8s %4.1f  %s\n", ru->id,
			       severity_name(cvss_severity(score)), score,
			       ru->title);
			printf("  %-28s %s; %s; %s%s%s\n", "", ru->cvss_vector,
			       confidence_name(ru->confidence),
			       impact_name(ru->impact),
			       ru->flags & CHECK_LOGIN ? "; logs in" : "",
			       ru->flags & CHECK_INTRUSIVE
				       ? "; needs --intrusive"
				       : "");
		}
	}
	return EXIT_PASS;
}

/* ---- exposure targets ---- */

struct port_print {
	const struct scan_config *cfg;
	const struct target *t;
};

/* s escaped on stdout (inventory text: names, ids, reasons, labels) */
static void put_esc(const char *s)
{
	char *e = term_escaped(s, false);

	fputs(e ? e : "?", stdout);
	free(e);
}

/* nmap's service name for port, or NULL */
static const char *port_service(const struct target *t, uint16_t port)
{
	uint32_t i;

	for (i = 0; i < t->nports; i++)
		if (t->ports[i].port == port && t->ports[i].service[0])
			return t->ports[i].service;
	return NULL;
}

static void print_port(void *ud, uint16_t port, uint64_t claims)
{
	const struct port_print *pp = ud;
	static const char *const expo[] = { "exposure unknown",
					    "firewall restricts",
					    "world-open" };
	const struct world_rule *wr;
	const char *svc = port_service(pp->t, port);
	unsigned proto = PROTO_TCP;
	char num[16];
	size_t k;
	bool first = true;

	/* the plan's UDP ports are the ones its UDP checks claim */
	for (k = 0; k < pp->cfg->nchecks; k++)
		if ((claims & (1ull << k)) &&
		    (pp->cfg->checks[k]->flags & CHECK_UDP))
			proto = PROTO_UDP;
	wr = target_port_rule_proto(pp->t, port, proto);
	snprintf(num, sizeof(num), "%u%s", port,
		 proto == PROTO_UDP ? "/udp" : "");
	printf("    port %-5s ", num);
	if (svc) {
		printf("service ");
		put_esc(svc);
		printf("  ");
	}
	printf("checks: ");
	for (k = 0; k < pp->cfg->nchecks; k++)
		if (claims & (1ull << k)) {
			printf("%s%s", first ? "" : ",",
			       pp->cfg->checks[k]->name);
			first = false;
		}
	if (first)
		printf(pp->cfg->discover_only ? "(discovery only)"
					      : "none: not checked (no "
						"enabled check claims it)");
	printf("  [%s%s", expo[target_port_exposure_proto(pp->t, port, proto)],
	       wr ? ": " : "");
	if (wr && wr->ref)
		put_esc(wr->ref);
	printf("]\n");
}

static void print_labels(const struct target *t)
{
	const cJSON *e;
	bool first = true;

	if (!t->meta || !t->meta->tags || !t->meta->tags->child)
		return;
	printf("    labels: ");
	cJSON_ArrayForEach(e, t->meta->tags)
	{
		printf("%s", first ? "" : ", ");
		put_esc(e->string);
		printf("=");
		put_esc(cJSON_IsString(e) ? e->valuestring : "");
		first = false;
	}
	printf("\n");
}

static void no_port(void *ud, uint16_t port, uint64_t claims)
{
	(void)ud;
	(void)port;
	(void)claims;
}

static int cmd_targets(struct cli *c)
{
	struct target_list tl;
	size_t i, a, skipped = 0;
	char *err = NULL;
	int r;

	target_list_init(&tl);
	if ((r = load_targets(c, &tl)) != 0)
		goto out;
	/* every port plan first: an error prints no half listing */
	for (i = 0; i < tl.n; i++) {
		if (tl.v[i].skip_reason == NULL &&
		    scan_target_ports(&c->cfg, &tl.v[i], no_port, NULL, &err) !=
			    0) {
			print_error(err ? err : "bad ports");
			free(err);
			r = EXIT_USAGE;
			goto out;
		}
	}
	for (i = 0; i < tl.n; i++) {
		const struct target *t = &tl.v[i];
		struct port_print pp = { &c->cfg, t };
		char buf[INET6_ADDRSTRLEN], nbuf[INET6_ADDRSTRLEN];

		/* the id leads the line ("provider:...", so never "::"
		 * anyway) */
		{
			char *e = term_escaped(t->id, true);

			fputs(e ? e : "?", stdout);
			free(e);
		}
		printf("  ");
		put_esc(target_display_name(t, nbuf));
		printf("  (%s, ", t->provider ? t->provider : "?");
		put_esc(t->source ? t->source : "-");
		printf(")\n");
		print_labels(t);
		if (t->skip_reason != NULL) {
			printf("    skipped: ");
			put_esc(t->skip_reason);
			printf("\n");
			skipped++;
			continue;
		}
		for (a = 0; a < t->naddrs; a++)
			printf("    address %s (%s)\n",
			       target_addr_text(&t->addrs[a], buf),
			       t->addrs[a].is_public ? "public" : "private");
		scan_target_ports(&c->cfg, t, print_port, &pp, &err);
		free(err);
		err = NULL;
	}
	printf("%zu targets, %zu to scan, %zu skipped\n", tl.n, tl.n - skipped,
	       skipped);
out:
	target_list_release(&tl);
	return r;
}

/* ---- signals ---- */

/* set before the handler is installed, read by it only */
static volatile sig_atomic_t first_signal_stops; /* `scan` */
static volatile sig_atomic_t signals_seen;

static void say(const char *msg)
{
	ssize_t n = write(STDERR_FILENO, msg, strlen(msg));

	(void)n; /* nothing to do about a closed stderr */
}

/* Async-signal-safe only. sa_mask blocks both signals while it runs and
 * the engine's threads block them, so it never runs twice at once. */
static void on_signal(int signo)
{
	int saved = errno;

	if (first_signal_stops && signals_seen++ == 0) {
		say(signo == SIGINT
			    ? "\nexposure: SIGINT: stopping; the reports "
			      "will say incomplete (again to quit at "
			      "once)\n"
			    : "\nexposure: SIGTERM: stopping; the "
			      "reports will say incomplete (again to "
			      "quit at once)\n");
		scan_interrupt(signo);
		errno = saved;
		return;
	}
	atomic_file_remove_temps();
	_exit(128 + signo);
}

/* SIGINT and SIGTERM to on_signal, except one the parent set to ignored
 * (SIGINT of a background job of a script): that stays ignored */
static void install_signals(bool scan)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	first_signal_stops = scan && scan_interrupt_init() == 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* ---- exposure scan ---- */

/* --shard, or the CI's variables: which targets this process scans */
static int pick_shard(struct cli *c)
{
	char *err = NULL;

	if (c->shard_arg == NULL &&
	    shard_from_env(c->shard_count_flag, &c->shard_index,
			   &c->shard_count, &err) != 0) {
		fprintf(stderr, "exposure: %s\nTry 'exposure --help'.\n",
			err ? err : "bad shard variables");
		free(err);
		return EXIT_USAGE;
	}
	if (c->shard_arg != NULL && c->shard_count_flag != 0)
		return fail_usage("--shard and --shard-count: give one of "
				  "them%s%s",
				  "", "");
	/* one shard of one is no shard (GitLab sets CI_NODE_TOTAL=1) */
	if (c->shard_count == 1)
		c->shard_index = c->shard_count = 0;
	return 0;
}

/* The config stage, then (without --offline) the network scan. Config
 * findings join the wire findings, each naming the other on the same
 * target and port, and all are ranked again. A target that only config
 * rules could judge (a planned instance has no address) makes the run not
 * "nothing to scan". */
static int scan_with_posture(struct cli *c, struct target_list *tl,
			     struct scan_result *res, char **err)
{
	struct finding_list conf;
	size_t judged = 0;
	int r;

	finding_list_init(&conf);
	if ((r = posture_run(&c->cfg, tl, &conf, &judged)) != 0)
		goto out;
	if (c->cfg.offline) {
		time_t now = time(NULL);
		struct tm tm;

		memset(res, 0, sizeof(*res));
		gmtime_r(&now, &tm);
		strftime(res->started_at, sizeof(res->started_at),
			 "%Y-%m-%dT%H:%M:%SZ", &tm);
		for (size_t i = 0; i < tl->n; i++)
			res->nscanned_targets += tl->v[i].skip_reason == NULL;
		r = judged > 0 ? 0 : EXPO_ENOTFOUND;
	} else {
		r = scan_run(&c->cfg, tl, res, err);
		if (r == EXPO_ENOTFOUND && judged > 0)
			r = 0;
	}
	if (r == 0 && conf.n > 0) {
		r = finding_list_take(&res->findings, &conf);
		if (r == 0)
			r = posture_relate(&res->findings);
	}
out:
	finding_list_release(&conf);
	return r;
}

static int cmd_scan(struct cli *c)
{
	struct target_list tl;
	struct scan_result res;
	struct report_doc doc;
	char *err = NULL;
	int r, code;

	memset(&res, 0, sizeof(res));
	report_doc_init(&doc);
	target_list_init(&tl);
	if ((code = pick_shard(c)) != 0)
		goto out;
	if ((code = cli_prepare(&c->out, c->shard_count > 0)) != 0)
		goto out;
	if ((r = load_targets(c, &tl)) != 0) {
		code = r;
		goto out;
	}
	if (c->cfg.nchecks == 0 && !c->cfg.discover_only) {
		code = fail_usage("no check enabled: --checks/--skip left "
				  "nothing%s%s",
				  "", "");
		goto out;
	}
	if (c->shard_count > 0)
		shard_filter(&tl, c->shard_index, c->shard_count);
	c->cfg.progress = !c->out.quiet && isatty(STDERR_FILENO);
	r = scan_with_posture(c, &tl, &res, &err);
	if (r == EXPO_ENOTFOUND && c->shard_count > 0) {
		/* a shard may well hold nothing to scan: an empty report,
		 * so that merge and the store still see every shard */
		fprintf(stderr,
			"exposure: shard %u/%u: nothing to scan in "
			"this shard (%zu targets)\n",
			c->shard_index, c->shard_count, tl.n);
		memset(&res, 0, sizeof(res));
		{
			time_t now = time(NULL);
			struct tm tm;

			gmtime_r(&now, &tm);
			strftime(res.started_at, sizeof(res.started_at),
				 "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		r = 0;
	}
	if (r == EXPO_ENOTFOUND) {
		fprintf(stderr,
			"exposure: nothing to scan: %zu targets, none "
			"with an address that can be scanned (see "
			"'exposure targets')\n",
			tl.n);
		code = EXIT_NORUN;
		goto out;
	}
	if (r != 0) {
		print_error(err ? err : expo_strerror(r));
		code = r == EXPO_EINVAL ? EXIT_USAGE : EXIT_NORUN;
		goto out;
	}
	if (report_doc_from_scan(&doc, &tl, &res) != 0) {
		code = EXIT_NORUN;
		goto out;
	}
	doc.fail_on = c->out.fail_on;
	doc.show_secrets = c->cfg.show_secrets;
	doc.no_login = c->cfg.no_login;
	doc.intrusive = c->cfg.intrusive;
	doc.shard_index = c->shard_index;
	doc.shard_count = c->shard_count;
	c->out.verbose = c->cfg.verbose;
	code = cli_finish(&c->out, &doc);
	if (res.abandoned > 0) {
		/* a lane thread still reads the config and targets, and may
		 * sit in a library that exit() would tear down under it */
		fflush(stdout);
		fflush(stderr);
		_exit(128 + scan_interrupted());
	}
out:
	free(err);
	report_doc_release(&doc);
	scan_result_release(&res);
	target_list_release(&tl);
	return code;
}

/* ---- exposure report / merge ---- */

static int render_saved(struct cli *c, bool merge)
{
	int r;

	if ((r = cli_prepare(&c->out, false)) != 0)
		return r;
	c->out.verbose = c->cfg.verbose;
	return cli_report(&c->out, c->inputs, c->ninputs, merge);
}

static int cmd_report(struct cli *c)
{
	return render_saved(c, false);
}

static int cmd_merge(struct cli *c)
{
	return render_saved(c, true);
}

static int cmd_history(struct cli *c)
{
	return cli_history(&c->out);
}

/* The commands: a new one is a function and a row. */
static const struct command {
	const char *name;
	int (*run)(struct cli *c);
} commands[] = {
	{ "scan", cmd_scan },	  { "targets", cmd_targets },
	{ "checks", cmd_checks }, { "report", cmd_report },
	{ "merge", cmd_merge },	  { "history", cmd_history },
};

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli c;
	const struct command *cmd;
	int r;

	memset(&c, 0, sizeof(c));
	scan_config_defaults(&c.cfg);
	c.inv.max_cidr_addrs = 65536;
	c.out.fail_on = SEV_HIGH;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("exposure %s\n", EXPO_VERSION);
		return EXIT_PASS;
	}
	if ((cmd = command_find(argv[1])) == NULL)
		return fail_usage("unknown command '%s'%s", argv[1], "");
	install_signals(cmd->run == cmd_scan);
	r = parse_args(&c, argc - 1, argv + 1);
	if (r < 0) {
		r = EXIT_PASS; /* --help or --version was printed */
		goto out;
	}
	if (r != 0)
		goto out;
	expo_log_set_verbose(c.cfg.verbose);
	r = cmd->run(&c);
	/* the signal's code wins over the gate's (and over a failed write:
	 * the run is incomplete anyway) */
	if (scan_interrupted() != 0)
		r = 128 + scan_interrupted();
out:
	cli_out_release(&c.out);
	inv_scope_release(&c.scope);
	inv_scope_release(&c.exclude);
	free(c.cfg.checks);
	scan_config_release(&c.cfg);
	return r;
}
