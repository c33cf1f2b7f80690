/*
 * term_escape.h - inventory and server text made safe for a terminal or a
 * CI log line, outside the report writers (which have report_escape() in
 * scanner/report/report_priv.h, with the same rules).
 */
#ifndef TERM_ESCAPE_H
#define TERM_ESCAPE_H

#include "dynbuf.h"

#include <stdbool.h>

/*
 * Appends s with control characters (C0, DEL, C1), bidi controls, line and
 * paragraph separators and invalid UTF-8 written as \xNN per byte, so the
 * text can neither move the cursor nor forge a line. With line_start (s
 * begins a line of output), a leading "::" is written "\x3a:", so that a
 * GitHub Actions runner never reads a workflow command (::error::) from
 * it; elsewhere "::1" stays an address. NULL is "-".
 */
int term_escape(struct dynbuf *b, const char *s, bool line_start);
/* the same as a malloc'd string; NULL on ENOMEM */
char *term_escaped(const char *s, bool line_start);

#endif
