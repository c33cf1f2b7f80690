/*
 * telnet_wire.h - the client side of Telnet option negotiation (RFC 854,
 * RFC 1143's rule: never answer what does not change a state) and the
 * reading of the text a server shows around a login. Pure: bytes in,
 * text, answers and verdicts out.
 *
 * Policy: the client enables nothing of its own (DO x -> WONT x, so no
 * terminal type, no environment: NEW-ENVIRON, CVE-2026-24061's door, is
 * refused) and lets the server ECHO and SUPPRESS-GO-AHEAD, as every
 * client does; every other WILL gets DONT. Each option is answered at
 * most once per direction, and the commands a server may send are
 * counted: a server that negotiates for ever ends as TELNET_WIRE_ENDLESS.
 */
#ifndef TELNET_WIRE_H
#define TELNET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELNET_WIRE_ENDLESS 2	   /* over TELNET_MAX_COMMANDS */
#define TELNET_MAX_COMMANDS 256	   /* IAC commands per connection */
#define TELNET_SB_MAX 512	   /* bytes of one subnegotiation */
#define TELNET_TEXT_MAX 8192	   /* text kept between two verdicts */
#define TELNET_REPLY_MAX (3 * 512) /* every option answered once each way */

struct telnet_state {
	uint8_t state; /* of the byte parser */
	uint8_t cmd;   /* the WILL/WONT/DO/DONT under way */
	bool cr;       /* the last text byte was CR */
	unsigned commands;
	unsigned sb_len;
	uint8_t answered[256]; /* bit 1: to DO/DONT, bit 2: to WILL/WONT */
};

void telnet_wire_init(struct telnet_state *t);

/*
 * Feeds n received bytes: the text (IAC sequences removed, CR NUL and CR
 * LF made LF, NULs dropped) is appended to text[0..tcap) at *tlen (when
 * full, its older half is dropped: the end, where prompts are, stays),
 * and the answers to send go to reply[*rlen..rcap). 0, or
 * TELNET_WIRE_ENDLESS (too many commands, an endless subnegotiation).
 */
int telnet_wire_feed(struct telnet_state *t, const uint8_t *in, size_t n,
		     char *text, size_t *tlen, size_t tcap, uint8_t *reply,
		     size_t *rlen, size_t rcap);

enum telnet_verdict {
	TELNET_MORE = 0, /* nothing to decide yet */
	TELNET_LOGIN,	 /* a login (user name) prompt ends the text */
	TELNET_PASSWORD, /* a password prompt ends the text */
	TELNET_FAILED,	 /* refused: "Login incorrect", a new login prompt */
	TELNET_LOCKED,	 /* the account is locked or disabled */
	TELNET_SHELL,	 /* a shell prompt or a last-login banner */
};

enum telnet_stage {
	TELNET_BEFORE_USER = 0, /* waiting for the login prompt */
	TELNET_AFTER_USER,	/* the user name was sent */
	TELNET_AFTER_PASSWORD,	/* the password was sent */
};

/* what the text the server sent since our last line says. Success is
 * only what a login shows (a prompt ending in $ # > %, "Last login"),
 * never the mere absence of an error. */
enum telnet_verdict telnet_wire_verdict(const char *text, size_t n,
					enum telnet_stage stage);

/* the last non-empty line before the end of text, trimmed, printable
 * ASCII, into out (for evidence: the prompt, a banner line) */
void telnet_wire_last_line(const char *text, size_t n, char *out, size_t size);

#endif
