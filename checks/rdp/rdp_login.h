/*
 * rdp_login.h - one CredSSP (NLA) authentication with FreeRDP in
 * authentication-only mode, for checks/rdp/rdp.c's blocking run().
 *
 * Kept apart from rdp.c because WinPR's headers define names (such as
 * STATUS_TIMEOUT) that clash with ours. Blocking; one FreeRDP instance per
 * call, nothing shared between calls except WinPR's logger, silenced
 * once. Built without FreeRDP (no pkg-config freerdp2 winpr2 in the
 * build), every call returns RDP_LOGIN_UNAVAILABLE.
 */
#ifndef RDP_LOGIN_H
#define RDP_LOGIN_H

#include <stddef.h>

enum rdp_login_outcome {
	RDP_LOGIN_ACCEPTED = 0,
	RDP_LOGIN_EXPIRED,     /* right password, but it must be changed */
	RDP_LOGIN_FAILED,      /* wrong user or password */
	RDP_LOGIN_LOCKED,      /* locked, disabled or expired account */
	RDP_LOGIN_DROPPED,     /* the connection dropped during CredSSP:
				 * how WinPR-based servers refuse a password,
				 * but also a transport failure */
	RDP_LOGIN_ERROR,       /* no verdict: TLS, refused connection, ... */
	RDP_LOGIN_TIMEOUT,     /* no verdict within timeout_ms: the
				 * watchdog shut FreeRDP's connection */
	RDP_LOGIN_UNAVAILABLE, /* built without FreeRDP */
};

/*
 * Authenticates user/password (domain empty) against host (numeric
 * address) and port with CredSSP only, in at most timeout_ms: our own
 * connect with that timeout, FreeRDP's acknowledgement timeout, and a
 * watchdog thread that shuts this login's connection (and no other) down
 * when the time is up (FreeRDP 2 has no read timeout, and waits for a TLS
 * handshake forever). *why gets FreeRDP's error name (for RDP_LOGIN_ERROR
 * and the others).
 */
enum rdp_login_outcome rdp_login_try(const char *host, unsigned port,
				     const char *user, const char *password,
				     unsigned timeout_ms, char *why,
				     size_t whysize);

#endif
