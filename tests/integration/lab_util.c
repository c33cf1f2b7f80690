/*
 * lab_util.c - helpers shared by the integration tests that run against
 * the lab; see lab_util.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "report/report.h"
#include "lab_util.h"

const char *lab_dir(void)
{
	const char *d = getenv("EXPO_LAB_DIR");

	cr_assert(d != NULL && d[0] != '\0',
		  "EXPO_LAB_DIR is not set: start the lab with "
		  "tests/lab/lab.sh start DIR and export EXPO_LAB_DIR=DIR");
	return d;
}

void lab_env_opt(const char *key, char *buf, size_t size)
{
	char path[1024], line[1024];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/lab.env", lab_dir());
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s: is the lab running?", path);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			snprintf(buf, size, "%s", line + klen + 1);
			buf[strcspn(buf, "\r\n")] = '\0';
		}
	}
	fclose(f);
}

void lab_env(const char *key, char *buf, size_t size)
{
	lab_env_opt(key, buf, size);
	cr_assert(buf[0] != '\0',
		  "%s is not in %s/lab.env: its lab plugin "
		  "did not run (LAB_ONLY=...?)",
		  key, lab_dir());
}

unsigned lab_count_lines(const char *path, const char *needle)
{
	char line[4096];
	unsigned n = 0;
	FILE *f;

	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

unsigned lab_replay_count(const char *addr, unsigned port, const char *needle)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/httpapi/replay_%s_%u.log", lab_dir(),
		 addr, port);
	return lab_count_lines(path, needle);
}

double lab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lab_add_target(struct target_list *l, const char *addr)
{
	struct target *t = target_list_add(l);
	char id[64];

	cr_assert_not_null(t);
	snprintf(id, sizeof(id), "list:%s", addr);
	t->id = strdup(id);
	t->provider = "list";
	t->addrs = calloc(1, sizeof(*t->addrs));
	cr_assert(t->id != NULL && t->addrs != NULL);
	cr_assert_eq(target_addr_parse(&t->addrs[0], addr), 0);
	t->naddrs = 1;
}

void lab_scan_config(struct scan_config *cfg, const struct check **checks,
		     size_t n, unsigned check_timeout_ms)
{
	scan_config_defaults(cfg);
	cfg->checks = checks;
	cfg->nchecks = n;
	cfg->timeout_ms = 2000;
	cfg->check_timeout_ms = check_timeout_ms;
}

void lab_scan(const struct scan_config *cfg, struct target_list *l,
	      struct scan_result *res, double *secs, unsigned settle_ms)
{
	char *err = NULL;
	double t0 = lab_now();
	int rc;

	memset(res, 0, sizeof(*res));
	rc = scan_run(cfg, l, res, &err);
	*secs = lab_now() - t0;
	cr_assert_eq(rc, 0, "scan_run: %d %s", rc, err ? err : "");
	free(err);
	if (settle_ms)
		usleep(settle_ms * 1000);
}

void lab_rules_join(const struct scan_result *res, const char *addr,
		    bool with_port, char *out, size_t size)
{
	char ids[32][96];
	size_t i, j, n = 0;

	for (i = 0; i < res->findings.n && n < 32; i++) {
		const struct finding *f = &res->findings.v[i];

		if (strcmp(f->address, addr) != 0)
			continue;
		if (with_port)
			snprintf(ids[n++], sizeof(ids[0]), "%u:%s",
				 (unsigned)f->port, f->rule_id);
		else
			snprintf(ids[n++], sizeof(ids[0]), "%s", f->rule_id);
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			char t[96];

			memcpy(t, ids[j], sizeof(t));
			memcpy(ids[j], ids[j - 1], sizeof(t));
			memcpy(ids[j - 1], t, sizeof(t));
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? "," : "", ids[i]);
}

void lab_rules_for(const struct scan_result *res, const char *addr, char *out,
		   size_t size)
{
	lab_rules_join(res, addr, false, out, size);
}

void lab_port_rules_for(const struct scan_result *res, const char *addr,
			char *out, size_t size)
{
	lab_rules_join(res, addr, true, out, size);
}

const struct finding *lab_finding_for(const struct scan_result *res,
				      const char *addr, const char *rule)
{
	size_t i;

	for (i = 0; i < res->findings.n; i++)
		if (strcmp(res->findings.v[i].address, addr) == 0 &&
		    strcmp(res->findings.v[i].rule_id, rule) == 0)
			return &res->findings.v[i];
	return NULL;
}

int lab_check_status(const struct scan_result *res, size_t ti, uint16_t port,
		     const struct check *c, const char **reason)
{
	size_t i;

	for (i = 0; i < res->nrecords; i++) {
		const struct port_record *r = &res->records[i];

		if (r->target == ti && r->port == port &&
		    r->check != CHECK_NONE &&
		    (c == NULL || check_registry[r->check] == c)) {
			*reason = r->reason ? res->reasons[r->reason] : "";
			return r->status;
		}
	}
	*reason = "";
	return -1;
}
