/*
 * term_escape.h - inventory and server text made safe for a terminal or a
 * CI log line, outside the report writers (which have report_escape() in
 * scanner/report/report_priv.h, with the same rules).
 */
#ifndef TERM_ESCAPE_H
#define TERM_ESCAPE_H

#include "dynbuf.h"

/*
 * Appends s with control characters (C0, DEL, C1), bidi controls, line and
 * paragraph separators and invalid UTF-8 written as \xNN per byte, so the
 * text can neither move the cursor nor forge a line; and a leading "::"
 * as "\x3a:", so that a GitHub Actions runner never reads a workflow
 * command (::error::) from it. NULL is "-".
 */
int term_escape(struct dynbuf *b, const char *s);
/* the same as a malloc'd string; NULL on ENOMEM */
char *term_escaped(const char *s);

#endif
