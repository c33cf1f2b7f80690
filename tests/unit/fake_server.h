/*
 * fake_server.h - tiny misbehaving servers on 127.0.0.1, in a thread of
 * the test process, for tests that need no lab: each accepts up to a few
 * connections (bounded in count and time) and answers with a fixed script.
 * Plus a runner of the exposure binary ($EXPO_BIN) that keeps stdout and
 * stderr apart.
 */
#ifndef EXPO_TESTS_FAKE_SERVER_H
#define EXPO_TESTS_FAKE_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum fake_kind {
	FAKE_PG,     /* 'N' to SSLRequest; AuthenticationOk, a NoticeResponse
		      * with a terminal escape and "::error::" lines, then an
		      * ErrorResponse */
	FAKE_SSH,    /* banner and KEXINIT, then a DISCONNECT with a terminal
		      * escape and a "::error::" line */
	FAKE_HTTP,   /* a status line and headers with terminal escapes */
	FAKE_SILENT, /* accepts and never sends a byte */
};

#define FAKE_USERS_MAX 8

struct fake_server {
	enum fake_kind kind;
	int lfd;
	uint16_t port;
	pthread_t tid;
	unsigned max_conns;
	/* FAKE_PG: the user names of the StartupMessages seen */
	char users[FAKE_USERS_MAX][64];
	unsigned nusers;
	pthread_mutex_t lock;
};

/* listens on 127.0.0.1 (an ephemeral port) and serves in a thread */
void fake_start(struct fake_server *s, enum fake_kind kind, unsigned max_conns);
/* stops the thread (at most ~1 s) and closes the listener */
void fake_stop(struct fake_server *s);

/* runs `$EXPO_BIN args` with the environment prefix env (may be "");
 * stdout and stderr into malloc'ed strings; returns the exit code */
int fake_run_exposure(const char *env, const char *args, char **out,
		      char **err);

/* true if text holds a raw ESC byte or a line starting with "::" */
bool fake_has_raw_control(const char *text);

/* a temporary file with content; its path (free it, unlink it) */
char *fake_tmpfile(const char *content);

struct target_list;
/* adds target id on addr with the one port `port` for check ("" for
 * whichever claims it), as a plain list would name it */
void fake_target_add(struct target_list *tl, const char *id, const char *addr,
		     uint16_t port, const char *check);

#endif
