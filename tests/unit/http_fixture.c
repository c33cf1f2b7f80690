/*
 * http_fixture.c - facts of the HTTP checks built from recorded responses
 * (see http_fixture.h), shared by the HTTP-family unit tests.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "http/http.h"
#include "http_fixture.h"

/* facts.responses[name] from a response file as http.c records it (see
 * test_aiapi.c): status, headers (lower-case), the JSON body or a text
 * body of at most text_max bytes; cut > 0 keeps the first cut bytes */
cJSON *add_resp_cut(cJSON *facts, const char *name, const char *file,
		    size_t cut, size_t text_max)
{
	static char buf[64 * 1024];
	cJSON *r = cJSON_GetObjectItem(facts, "responses"), *o, *h, *j;
	char *body, *line, *next;
	size_t n, blen;
	FILE *f = fopen(file, "rb");

	cr_assert_not_null(f, "fixture %s (run from the top directory)", file);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	body = strstr(buf, "\n\n");
	cr_assert_not_null(body, "%s: no empty line", file);
	*body = '\0';
	body += 2;
	blen = strlen(body);
	if (cut > 0 && cut < blen)
		body[blen = cut] = '\0';
	if (r == NULL)
		r = cJSON_AddObjectToObject(facts, "responses");
	o = cJSON_AddObjectToObject(r, name);
	cr_assert_not_null(o);
	cJSON_AddNumberToObject(o, "status", strtol(buf + 9, NULL, 10));
	h = cJSON_AddObjectToObject(o, "headers");
	for (line = strchr(buf, '\n'); line != NULL; line = next) {
		char *colon, *p;

		line++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next = '\0';
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		for (p = line; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (p = colon + 1; *p == ' '; p++)
			;
		if (cJSON_GetObjectItem(h, line) == NULL)
			cJSON_AddStringToObject(h, line, p);
		/* http.c keeps this one beside the listed headers */
		if (strcmp(line, "www-authenticate") == 0 &&
		    cJSON_GetObjectItem(o, "www_authenticate") == NULL)
			cJSON_AddStringToObject(o, "www_authenticate", p);
	}
	j = cJSON_ParseWithLength(body, blen);
	if (j != NULL)
		cJSON_AddItemToObject(o, "json", j);
	else if (blen > 0 && blen <= text_max)
		cJSON_AddStringToObject(o, "text", body);
	return o;
}

cJSON *add_file(cJSON *facts, const char *name, const char *file)
{
	return add_resp_cut(facts, name, file, 0, HTTP_TEXT_MAX);
}

/* a login answer: the credential recorded beside it, as http.c does */
void add_login(cJSON *facts, const char *name, const char *file, size_t cut,
	       const char *user, const char *pw)
{
	cJSON *o = add_resp_cut(facts, name, file, cut, HTTP_TEXT_BIG);

	cJSON_AddStringToObject(o, "user", user);
	cJSON_AddStringToObject(o, "password", pw);
}

/* a response from a status and a JSON text (NULL: no JSON body) */
void add_resp(cJSON *facts, const char *name, int status, const char *json)
{
	cJSON *r = cJSON_GetObjectItem(facts, "responses"), *o;

	if (r == NULL)
		r = cJSON_AddObjectToObject(facts, "responses");
	o = cJSON_AddObjectToObject(r, name);
	cJSON_AddNumberToObject(o, "status", status);
	if (json != NULL) {
		cJSON *j = cJSON_Parse(json);

		cr_assert_not_null(j, "bad test JSON %s", json);
		cJSON_AddItemToObject(o, "json", j);
	}
}

cJSON *new_facts(void)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "scheme", "http");
	cJSON_AddBoolToObject(f, "tls_unverified", false);
	return f;
}

/* runs assess; rule ids (comma-joined), first evidence and its secret */
void judge(const struct check *c, const cJSON *facts, char *ids, size_t isize,
	   char *ev, size_t esize, char *sec, size_t ssize)
{
	struct scan_config cfg;
	struct target t = { .id = "list:127.0.0.1" };
	struct target_addr a;
	struct check_ctx *ctx;
	struct finding_list *l;
	size_t i;

	scan_config_defaults(&cfg);
	cr_assert_eq(target_addr_parse(&a, "127.0.0.1"), 0);
	t.addrs = &a;
	t.naddrs = 1;
	ctx = ctx_new(c, &cfg, &t, &a, c->ports[0], NULL);
	cr_assert_not_null(ctx);
	cr_assert_geq(c->assess(facts, ctx), 0);
	l = ctx_findings(ctx);
	ids[0] = ev[0] = sec[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(ids + strlen(ids), isize - strlen(ids), "%s%s",
			 i ? "," : "", l->v[i].rule_id);
	if (l->n > 0) {
		snprintf(ev, esize, "%s", l->v[0].evidence);
		snprintf(sec, ssize, "%s",
			 l->v[0].secret ? l->v[0].secret : "");
	}
	ctx_free(ctx);
}

void add_marks(cJSON *resp, const char *file, const char *const *marks)
{
	static char buf[64 * 1024];
	cJSON *ms = cJSON_AddArrayToObject(resp, "marks");
	const char *body;
	size_t n, i;
	FILE *f = fopen(file, "rb");

	cr_assert_not_null(f, "fixture %s", file);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	body = strstr(buf, "\n\n");
	cr_assert_not_null(body);
	for (i = 0; marks[i] != NULL; i++)
		if (strstr(body, marks[i]) != NULL)
			cJSON_AddItemToArray(ms, cJSON_CreateString(marks[i]));
}
