/*
 * rdp_login.c - one CredSSP (NLA) authentication with FreeRDP 2 in
 * authentication-only mode (settings AuthenticationOnly): FreeRDP does
 * the X.224 negotiation (NLA only), TLS, and the CredSSP/SPNEGO/NTLM
 * exchange, then stops before any RDP session. See rdp_login.h.
 *
 * FreeRDP's headers come from pkg-config freerdp2 winpr2 at build time;
 * the libraries are opened at the first login (dlopen, scanner/lazylib.h),
 * not linked: they cost ~15 MB of resident memory that scans without RDP
 * logins must not pay.
 */
#include <pthread.h>
#include <stdio.h>
#include "rdp_login.h"

#if defined(__has_include)
#if __has_include(<freerdp/freerdp.h>)
#define RDP_HAVE_FREERDP 1
#endif
#endif

#ifdef RDP_HAVE_FREERDP
#include <freerdp/freerdp.h>
#include <freerdp/settings.h>
#include <freerdp/error.h>
#include <winpr/wlog.h>
#include "lazylib.h"

#define RDP_FREERDP_FUNCS(X) \
	X(freerdp_new) X(freerdp_free) X(freerdp_context_new) \
	X(freerdp_context_free) X(freerdp_settings_set_string) \
	X(freerdp_settings_set_uint32) X(freerdp_settings_set_bool) \
	X(freerdp_connect) X(freerdp_disconnect) X(freerdp_get_last_error) \
	X(freerdp_get_last_error_name)
#define RDP_WINPR_FUNCS(X) X(WLog_GetRoot) X(WLog_SetLogLevel)

static struct {
#define RDP_MEMBER(f) __typeof__(&f) f;
	RDP_FREERDP_FUNCS(RDP_MEMBER)
	RDP_WINPR_FUNCS(RDP_MEMBER)
#undef RDP_MEMBER
} rdp_api;

#define RDP_SYM(f) { #f, (void **)&rdp_api.f },
static const struct lazylib_sym freerdp_syms[] = {
	RDP_FREERDP_FUNCS(RDP_SYM)
};
static const struct lazylib_sym winpr_syms[] = {
	RDP_WINPR_FUNCS(RDP_SYM)
};
#undef RDP_SYM
static const char *const freerdp_sonames[] = { "libfreerdp2.so.2", NULL };
static const char *const winpr_sonames[] = { "libwinpr2.so.2", NULL };
static struct lazylib freerdp_lazy = LAZYLIB_INIT(freerdp_sonames,
	freerdp_syms, sizeof(freerdp_syms) / sizeof(freerdp_syms[0]));
static struct lazylib winpr_lazy = LAZYLIB_INIT(winpr_sonames, winpr_syms,
	sizeof(winpr_syms) / sizeof(winpr_syms[0]));

/* from here on the calls go through the loaded libraries */
#define freerdp_new (rdp_api.freerdp_new)
#define freerdp_free (rdp_api.freerdp_free)
#define freerdp_context_new (rdp_api.freerdp_context_new)
#define freerdp_context_free (rdp_api.freerdp_context_free)
#define freerdp_settings_set_string (rdp_api.freerdp_settings_set_string)
#define freerdp_settings_set_uint32 (rdp_api.freerdp_settings_set_uint32)
#define freerdp_settings_set_bool (rdp_api.freerdp_settings_set_bool)
#define freerdp_connect (rdp_api.freerdp_connect)
#define freerdp_disconnect (rdp_api.freerdp_disconnect)
#define freerdp_get_last_error (rdp_api.freerdp_get_last_error)
#define freerdp_get_last_error_name (rdp_api.freerdp_get_last_error_name)
#define WLog_GetRoot (rdp_api.WLog_GetRoot)
#define WLog_SetLogLevel (rdp_api.WLog_SetLogLevel)

static pthread_once_t wlog_once = PTHREAD_ONCE_INIT;

/* FreeRDP logs through WLog to stdout; a check never prints */
static void wlog_quiet(void)
{
	wLog *root = WLog_GetRoot();

	if (root != NULL)
		WLog_SetLogLevel(root, WLOG_OFF);
}

static enum rdp_login_outcome map_error(UINT32 e)
{
	switch (e) {
	case FREERDP_ERROR_SUCCESS:
		return RDP_LOGIN_ACCEPTED;
	case FREERDP_ERROR_CONNECT_PASSWORD_EXPIRED:
	case FREERDP_ERROR_CONNECT_PASSWORD_MUST_CHANGE:
	case FREERDP_ERROR_CONNECT_PASSWORD_CERTAINLY_EXPIRED:
		return RDP_LOGIN_EXPIRED;
	case FREERDP_ERROR_CONNECT_ACCOUNT_LOCKED_OUT:
	case FREERDP_ERROR_CONNECT_ACCOUNT_DISABLED:
	case FREERDP_ERROR_CONNECT_ACCOUNT_EXPIRED:
	case FREERDP_ERROR_CONNECT_ACCOUNT_RESTRICTION:
	case FREERDP_ERROR_CONNECT_CLIENT_REVOKED:
		return RDP_LOGIN_LOCKED;
	case FREERDP_ERROR_CONNECT_LOGON_FAILURE:
	case FREERDP_ERROR_CONNECT_WRONG_PASSWORD:
	case FREERDP_ERROR_AUTHENTICATION_FAILED:
	case FREERDP_ERROR_CONNECT_NO_OR_MISSING_CREDENTIALS:
		return RDP_LOGIN_FAILED;
	case FREERDP_ERROR_CONNECT_TRANSPORT_FAILED:
		return RDP_LOGIN_DROPPED;
	default:
		return RDP_LOGIN_ERROR;
	}
}

enum rdp_login_outcome rdp_login_try(const char *host, unsigned port,
				     const char *user, const char *password,
				     unsigned timeout_ms, char *why,
				     size_t whysize)
{
	enum rdp_login_outcome res = RDP_LOGIN_ERROR;
	freerdp *inst = NULL;
	rdpSettings *s = NULL;
	BOOL ok = TRUE, connected;
	UINT32 e;

	if (lazylib_load(&winpr_lazy, why, whysize) != 0 ||
	    lazylib_load(&freerdp_lazy, why, whysize) != 0)
		return RDP_LOGIN_UNAVAILABLE;
	pthread_once(&wlog_once, wlog_quiet);
	snprintf(why, whysize, "FreeRDP could not be set up");
	inst = freerdp_new();
	if (inst == NULL || !freerdp_context_new(inst))
		goto out;
	s = inst->settings;
	ok &= freerdp_settings_set_string(s, FreeRDP_ServerHostname, host);
	ok &= freerdp_settings_set_uint32(s, FreeRDP_ServerPort, port);
	ok &= freerdp_settings_set_string(s, FreeRDP_Username, user);
	ok &= freerdp_settings_set_string(s, FreeRDP_Password, password);
	ok &= freerdp_settings_set_string(s, FreeRDP_Domain, "");
	ok &= freerdp_settings_set_bool(s, FreeRDP_AuthenticationOnly, TRUE);
	ok &= freerdp_settings_set_bool(s, FreeRDP_NlaSecurity, TRUE);
	ok &= freerdp_settings_set_bool(s, FreeRDP_TlsSecurity, FALSE);
	ok &= freerdp_settings_set_bool(s, FreeRDP_RdpSecurity, FALSE);
	ok &= freerdp_settings_set_bool(s, FreeRDP_ExtSecurity, FALSE);
	ok &= freerdp_settings_set_bool(s, FreeRDP_IgnoreCertificate, TRUE);
	ok &= freerdp_settings_set_uint32(s, FreeRDP_TcpConnectTimeout,
					  timeout_ms);
	ok &= freerdp_settings_set_uint32(s, FreeRDP_TcpAckTimeout,
					  timeout_ms);
	if (!ok)
		goto out;
	connected = freerdp_connect(inst);
	e = freerdp_get_last_error(inst->context);
	if (connected && e == FREERDP_ERROR_SUCCESS)
		res = RDP_LOGIN_ACCEPTED;
	else
		res = map_error(e == FREERDP_ERROR_SUCCESS ?
				FREERDP_ERROR_CONNECT_FAILED : e);
	snprintf(why, whysize, "%s", freerdp_get_last_error_name(e));
	if (connected)
		freerdp_disconnect(inst);
out:
	if (inst != NULL) {
		if (inst->context != NULL)
			freerdp_context_free(inst);
		freerdp_free(inst);
	}
	return res;
}
#else
enum rdp_login_outcome rdp_login_try(const char *host, unsigned port,
				     const char *user, const char *password,
				     unsigned timeout_ms, char *why,
				     size_t whysize)
{
	(void)host;
	(void)port;
	(void)user;
	(void)password;
	(void)timeout_ms;
	snprintf(why, whysize, "built without FreeRDP: credentials not "
		 "tested");
	return RDP_LOGIN_UNAVAILABLE;
}
#endif
