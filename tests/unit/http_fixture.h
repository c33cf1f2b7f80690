/*
 * http_fixture.h - facts of the HTTP checks built from recorded responses
 * (tests/fixtures/ files NAME.http: a status line, headers, an empty line, the
 * body), as checks/http/http.c records them, and assess() run on them:
 * shared by the HTTP-family unit tests (test_classic.c, test_httpc.c,
 * test_aiapi.c, test_httpapi.c).
 */
#ifndef EXPO_TESTS_HTTP_FIXTURE_H
#define EXPO_TESTS_HTTP_FIXTURE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "check.h"

/* facts.responses[name] from a response file: status, headers
 * (lower-case), the JSON body or a text body of at most text_max bytes;
 * cut > 0 keeps the first cut bytes */
cJSON *add_resp_cut(cJSON *facts, const char *name, const char *file,
		    size_t cut, size_t text_max);
cJSON *add_file(cJSON *facts, const char *name, const char *file);
/* a login answer: the credential recorded beside it, as http.c does */
void add_login(cJSON *facts, const char *name, const char *file, size_t cut,
	       const char *user, const char *pw);
/* the marks (strings) found in the file's body, as http.c records a
 * module's marks */
void add_marks(cJSON *resp, const char *file, const char *const *marks);
/* a response from a status and a JSON text (NULL: no JSON body) */
void add_resp(cJSON *facts, const char *name, int status, const char *json);
/* scheme http, certificate not involved */
cJSON *new_facts(void);
/* runs assess; rule ids (comma-joined), first evidence and its secret */
void judge(const struct check *c, const cJSON *facts, char *ids, size_t isize,
	   char *ev, size_t esize, char *sec, size_t ssize);

#define JUDGE(c, facts) \
	judge(c, facts, ids, sizeof(ids), ev, sizeof(ev), sec, sizeof(sec))
#define VARS                               \
	char ids[256], ev[1024], sec[256]; \
	cJSON *f

#endif
