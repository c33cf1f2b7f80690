/*
 * rdp_login.c - one CredSSP (NLA) authentication with FreeRDP 2 in
 * authentication-only mode (settings AuthenticationOnly): FreeRDP does
 * the X.224 negotiation (NLA only), TLS, and the CredSSP/SPNEGO/NTLM
 * exchange, then stops before any RDP session. See rdp_login.h.
 *
 * FreeRDP's headers come from pkg-config freerdp2 winpr2 at build time;
 * the libraries are opened at the first login (dlopen, include/lazylib.h),
 * not linked: they cost ~15 MB of resident memory that scans without RDP
 * logins must not pay.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
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
 * Our own connection. FreeRDP 2 offers no read timeout, and its TLS
 * handshake polls for ever on a server that stays silent, so a watchdog
 * must be able to cut the connection. We connect the socket ourselves and
 * hand FreeRDP a duplicate of it (ServerHostname "|", ServerPort the
 * descriptor: FreeRDP's "external socket"); the watchdog shuts down (not
 * closes: FreeRDP's number stays valid) that one socket, never another
 * probe's connection to the same host.
 */
static int peer_addr(const char *host, unsigned port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
	return -1;
}

/* a blocking TCP socket connected to host:port within timeout_ms, or -1
 * with errno */
static int connect_within(const char *host, unsigned port, unsigned timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct pollfd p;
	int fd, err = 0, r;
	socklen_t elen = sizeof(err);

	if (peer_addr(host, port, &ss, &len) != 0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		p.fd = fd;
		p.events = POLLOUT;
		do
			r = poll(&p, 1, (int)timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			goto fail;
		if (err != 0) {
			errno = err;
			goto fail;
		}
	}
	/* FreeRDP reads and writes it as a blocking socket */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd; /* our connection, shared with FreeRDP's duplicate */
	struct timespec deadline; /* CLOCK_MONOTONIC */
	bool done, fired;
};

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline) ==
			    ETIMEDOUT &&
		    !w->done) {
			/* a verdict after this would be one we forced */
			shutdown(w->fd, SHUT_RDWR);
			w->fired = true;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int watchdog_start(struct watchdog *w, pthread_t *tid, int fd,
			  unsigned timeout_ms)
{
	pthread_condattr_t ca;
	int r = -1;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
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

/* FreeRDP closes its duplicate when it frees the connection, but not on
 * every early error path: close it if it is still ours (the same socket
 * as fd, which we still hold, so the number cannot have been reused) */
static void close_if_same(int dupfd, int fd)
{
	struct stat a, b;

	if (dupfd >= 0 && fstat(dupfd, &a) == 0 && fstat(fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		close(dupfd);
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
	struct timespec t0, t1;
	unsigned left;
	int fd = -1, dupfd = -1;
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
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = connect_within(host, port, timeout_ms);
	if (fd < 0) {
		snprintf(why, whysize, "ERRCONNECT_CONNECT_FAILED (%s)",
			 strerror(errno));
		goto out;
	}
	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dupfd < 0) {
		snprintf(why, whysize, "dup: %s", strerror(errno));
		goto out;
	}
	/* "|": no name to resolve, the port is the descriptor to use */
	ok &= freerdp_settings_set_string(s, FreeRDP_ServerHostname, "|");
	ok &= freerdp_settings_set_uint32(s, FreeRDP_ServerPort, (UINT32)dupfd);
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
	/* the connect took part of the time */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	left = timeout_ms - (unsigned)((t1.tv_sec - t0.tv_sec) * 1000 +
				       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	if (left == 0 || left > timeout_ms)
		left = 1;
	if (watchdog_start(&wd, &wd_tid, fd, left) != 0) {
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
	if (fd >= 0) {
		close_if_same(dupfd, fd);
		close(fd);
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
