/*
 * log.h - diagnostic lines on stderr, for what the client libraries say
 * (libpq notices, libssh, libsmbclient, FreeRDP's WLog, libcurl).
 *
 * Their text can come from the server (a PostgreSQL NoticeResponse, an SSH
 * disconnect message), so it never reaches the terminal or a CI log as it
 * is: expo_log() escapes every byte outside printable ASCII (terminal
 * escapes, line breaks, so no line can start a CI workflow command such as
 * "::error::"), cuts each line, caps the number of lines, and prints only
 * under -v. Thread-safe: one write per line.
 */
#ifndef EXPO_LOG_H
#define EXPO_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define EXPO_LOG_LINE_MAX 400  /* bytes of escaped text per line */
#define EXPO_LOG_LINES_MAX 200 /* lines per process, then one notice */

/* -v count; 0 (the default) prints nothing */
void expo_log_set_verbose(int verbose);
bool expo_log_enabled(void);
/* "exposure: <origin>: <escaped message>\n" on stderr under -v */
void expo_log(const char *origin, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s with every byte outside printable ASCII (and '\') as \xNN, cut to fit
 * size (always NUL-terminated, "" for NULL); returns out */
char *expo_log_escape(char *out, size_t size, const char *s);

#endif
