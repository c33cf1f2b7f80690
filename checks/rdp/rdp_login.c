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
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "expo.h"
#include "log.h"
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

/* one symbol a line, kept so by hand */
/* clang-format off */
#define RDP_FREERDP_FUNCS(X) \
	X(freerdp_new) \
	X(freerdp_free) \
	X(freerdp_context_new) \
	X(freerdp_context_free) \
	X(freerdp_settings_set_string) \
	X(freerdp_settings_set_uint32) \
	X(freerdp_settings_set_bool) \
	X(freerdp_connect) \
	X(freerdp_disconnect) \
	X(freerdp_get_last_error) \
	X(freerdp_get_last_error_name)
/* clang-format on */
#define RDP_WINPR_FUNCS(X)         \
	X(WLog_GetRoot)            \
	X(WLog_SetLogLevel)        \
	X(WLog_SetLogAppenderType) \
	X(WLog_GetLogAppender)     \
	X(WLog_ConfigureAppender)

static struct {
#define RDP_MEMBER(f) __typeof__(&f) f;
	RDP_FREERDP_FUNCS(RDP_MEMBER)
	RDP_WINPR_FUNCS(RDP_MEMBER)
#undef RDP_MEMBER
} rdp_api;

#define RDP_SYM(f) { #f, (void **)&rdp_api.f },
static const struct lazylib_sym freerdp_syms[] = { RDP_FREERDP_FUNCS(RDP_SYM) };
static const struct lazylib_sym winpr_syms[] = { RDP_WINPR_FUNCS(RDP_SYM) };
#undef RDP_SYM
static const char *const freerdp_sonames[] = { "libfreerdp2.so.2", NULL };
static const char *const winpr_sonames[] = { "libwinpr2.so.2", NULL };
static struct lazylib freerdp_lazy =
	LAZYLIB_INIT(freerdp_sonames, freerdp_syms, ARRAY_SIZE(freerdp_syms));
static struct lazylib winpr_lazy =
	LAZYLIB_INIT(winpr_sonames, winpr_syms, ARRAY_SIZE(winpr_syms));

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
#define WLog_SetLogAppenderType (rdp_api.WLog_SetLogAppenderType)
#define WLog_GetLogAppender (rdp_api.WLog_GetLogAppender)
#define WLog_ConfigureAppender (rdp_api.WLog_ConfigureAppender)

static pthread_once_t wlog_once = PTHREAD_ONCE_INIT;

/* WLog's text may hold the server's: to our log, escaped, under -v */
static BOOL wlog_message(const wLogMessage *msg)
{
	const char *s = msg->TextString ? msg->TextString : msg->FormatString;

	expo_log("rdp: FreeRDP", "%s", s ? s : "");
	return TRUE;
}

static BOOL wlog_drop(const wLogMessage *msg)
{
	(void)msg;
	return TRUE;
}

static wLogCallbacks wlog_callbacks = {
	.data = wlog_drop,
	.image = wlog_drop,
	.message = wlog_message,
	.package = wlog_drop,
};

/*
 * FreeRDP logs through WLog to stdout (our report) by default; a check
 * never prints. Every logger writes through the root's appender, which
 * becomes our callback, so a WLOG_FILTER or WLOG_LEVEL in the environment
 * cannot bring the console back; the level is off unless -v.
 */
static void wlog_quiet(void)
{
	wLog *root = WLog_GetRoot();
	wLogAppender *app;

	if (root == NULL)
		return;
	WLog_SetLogLevel(root, WLOG_OFF);
	if (!WLog_SetLogAppenderType(root, WLOG_APPENDER_CALLBACK) ||
	    (app = WLog_GetLogAppender(root)) == NULL ||
	    !WLog_ConfigureAppender(app, "callbacks", &wlog_callbacks))
		return; /* then it stays off */
	if (expo_log_enabled())
		WLog_SetLogLevel(root, WLOG_WARN);
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

/*
 * The watchdog. FreeRDP 2 offers no read timeout and no way to reach its
 * socket, and its TLS handshake polls for ever on a server that stays
 * silent. When the time is up, the watchdog shuts down (not closes: the
 * number stays FreeRDP's) every TCP socket of this process connected to
 * the target; FreeRDP then reads end-of-file and gives up. Only FreeRDP's
 * socket can match: discovery is over, and the RDP check runs one probe at
 * a time through the blocking lane (max_parallel = 1), so no other socket
 * of ours talks to that address and port while a login runs.
 */
struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sockaddr_storage peer;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	bool done, fired;
};

static bool same_peer(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return false;
}

static unsigned shut_sockets_to(const struct sockaddr_storage *peer)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int type = 0;
		socklen_t tlen = sizeof(type);
		char *end = NULL;
		long fd = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end != '\0' || fd < 0 ||
		    fd == dirfd(d))
			continue;
		if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tlen) !=
			    0 ||
		    type != SOCK_STREAM ||
		    getpeername((int)fd, (struct sockaddr *)&ss, &len) != 0 ||
		    !same_peer(&ss, peer))
			continue;
		if (shutdown((int)fd, SHUT_RDWR) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline) ==
			    ETIMEDOUT &&
		    !w->done) {
			/* a verdict after this would be one we forced */
			shut_sockets_to(&w->peer);
			w->fired = true;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int watchdog_start(struct watchdog *w, pthread_t *tid, const char *host,
			  unsigned port, unsigned timeout_ms)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&w->peer;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&w->peer;
	pthread_condattr_t ca;
	int r = -1;

	memset(w, 0, sizeof(*w));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
	} else {
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += timeout_ms / 1000;
	w->deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (w->deadline.tv_nsec >= 1000000000L) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000L;
	}
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&w->cond, &ca) == 0) {
		if (pthread_mutex_init(&w->lock, NULL) == 0) {
			if (pthread_create(tid, NULL, watchdog_main, w) == 0)
				r = 0;
			else
				pthread_mutex_destroy(&w->lock);
		}
		if (r != 0)
			pthread_cond_destroy(&w->cond);
	}
	pthread_condattr_destroy(&ca);
	return r;
}

/* stops the watchdog; true if it had fired */
static bool watchdog_stop(struct watchdog *w, pthread_t tid)
{
	bool fired;

	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(tid, NULL);
	fired = w->fired;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	return fired;
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
	struct watchdog wd;
	pthread_t wd_tid;
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
	ok &= freerdp_settings_set_uint32(s, FreeRDP_TcpAckTimeout, timeout_ms);
	if (!ok)
		goto out;
	if (watchdog_start(&wd, &wd_tid, host, port, timeout_ms) != 0) {
		snprintf(why, whysize, "no watchdog thread: %s",
			 strerror(errno));
		goto out;
	}
	connected = freerdp_connect(inst);
	e = freerdp_get_last_error(inst->context);
	if (connected)
		freerdp_disconnect(inst);
	if (watchdog_stop(&wd, wd_tid)) {
		/* a drop we caused must not pass for a refused password */
		res = RDP_LOGIN_TIMEOUT;
		snprintf(why, whysize,
			 "no verdict within %u ms (the "
			 "connection was shut down)",
			 timeout_ms);
		goto out;
	}
	if (connected && e == FREERDP_ERROR_SUCCESS)
		res = RDP_LOGIN_ACCEPTED;
	else
		res = map_error(e == FREERDP_ERROR_SUCCESS
					? FREERDP_ERROR_CONNECT_FAILED
					: e);
	snprintf(why, whysize, "%s", freerdp_get_last_error_name(e));
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
	snprintf(why, whysize,
		 "built without FreeRDP: credentials not "
		 "tested");
	return RDP_LOGIN_UNAVAILABLE;
}
#endif
