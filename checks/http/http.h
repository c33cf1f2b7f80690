/*
 * http.h - the HTTP machinery shared by the API checks (private to checks/).
 *
 * A module describes its probe as a small table of requests; http.c runs
 * them in order through libcurl's multi interface, driven by the engine
 * (curl's socket goes to ctx_set_fd(), curl's timer to ctx_wake_after()),
 * and records each answer in the facts:
 *
 *   facts.scheme          "http" or "https"
 *   facts.tls_unverified  true over HTTPS (the certificate is never checked)
 *   facts.responses.NAME  { status, content_type, bytes, www_authenticate,
 *                           json (the parsed body, if it is JSON),
 *                           text (a short body that is not JSON: at most
 *                                 HTTP_TEXT_MAX bytes, else absent),
 *                           headers { lower-case name: value } (only the
 *                                 names the module lists, values cut at
 *                                 HTTP_HDRVAL_MAX),
 *                           marks [ the module's marks found in the body ] }
 *
 * The parsed body stays in memory only: facts are never written out, and
 * assess() must put counts and versions in evidence, never the data.
 * Bodies are capped at HTTP_BODY_MAX (beyond it the transfer is aborted and
 * the probe ends as an error), headers at HTTP_HEADER_MAX; no redirect is
 * followed; proxies from the environment are ignored; URLs are numeric.
 * Every HTTP module sets .global_init = http_global_init: the engine
 * calls it before its threads start (libcurl is loaded and
 * curl_global_init() run there).
 */
#ifndef CHECKS_HTTP_H
#define CHECKS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "curl_lib.h" /* libcurl, opened at first use */
#include "check.h"
#include "dynbuf.h"

#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_HEADER_MAX (64 * 1024)
#define HTTP_PATH_MAX 512
/* curl's receive buffer per transfer (its default is 16 KB): the answers
 * probed are small, and a fleet has hundreds of probes in flight */
#define HTTP_RECV_BUFFER 4096L
/* nmap's names for an HTTP(S) port: every HTTP module lists them in its
 * services, so a port nmap calls one of these on an unusual number is
 * offered to the whole HTTP family */
#define HTTP_SERVICES "http", "https", "http-alt", "http-proxy", "https-alt"
#define HTTP_TEXT_MAX 256
#define HTTP_HDRS_MAX 4	   /* headers a module may ask to record */
#define HTTP_HDRVAL_MAX 96 /* bytes kept of each */

enum http_req_flags {
	HTTP_INTRUSIVE = 1u << 0, /* changes state: only with --intrusive */
	HTTP_IF_OK = 1u << 1,	  /* only if the previous request ran and
					 * answered 2xx */
	HTTP_JSON_BODY = 1u << 2, /* the body is JSON (Content-Type) */
	/* a login request sent again with the guard's next credential
	 * while its verdict is CRED_FAILED or CRED_NO_ACCOUNT (the guard's
	 * cap bounds it) */
	HTTP_LOGIN_RETRY = 1u << 3,
};

struct http_probe;

/* A request that logs in (struct http_req.login): it takes one credential
 * from the guard (ctx_next_cred: --no-login, --max-attempts and lockout
 * are honoured there; no credential left: the request is skipped), and
 * the answer is judged and told back (ctx_cred_result). The user and
 * password are recorded beside the answer (facts.responses.NAME.user,
 * .password: facts stay in memory). At most one login request a table. */
struct http_login {
	/* puts the credential on the request: a body (p->login_body) and/or
	 * headers (*hdrs, which holds the JSON Content-Type if the request
	 * has HTTP_JSON_BODY); false: skip it */
	bool (*sign)(struct http_probe *p, const char *user,
		     const char *password, struct curl_slist **hdrs);
	/* the answer (facts.responses.NAME) -> the guard's verdict; assess()
	 * calls it too */
	enum cred_result (*verdict)(const cJSON *resp);
};

/* a struct http_login sign(): HTTP Basic (RFC 7617) in an Authorization
 * header; false for a user with ':' or a pair that does not fit */
bool http_sign_basic(struct http_probe *p, const char *user,
		     const char *password, struct curl_slist **hdrs);

struct http_req {
	const char *name;   /* its key under facts.responses */
	const char *method; /* NULL: GET */
	const char *path;   /* used when path_fn is NULL */
	const char *body;   /* request body, or NULL */
	unsigned flags;	    /* enum http_req_flags */
	/* builds the path from the facts so far; false: skip the request */
	bool (*path_fn)(const cJSON *facts, char *buf, size_t size);
	const struct http_login *login; /* NULL: no credential */
};

struct http_module {
	const struct http_req *reqs;
	size_t nreqs;
	const uint16_t *tls_ports; /* tried with HTTPS first */
	size_t ntls_ports;
	/* response headers to record, lower-case names ("x-jenkins"), at
	 * most HTTP_HDRS_MAX, NULL-ended; NULL: none */
	const char *const *headers;
	/* a body that is not JSON is kept as text up to this size (0:
	 * HTTP_TEXT_MAX; at most HTTP_TEXT_BIG) */
	size_t text_max;
	/* strings looked for in every body (any size up to the cap), at
	 * most HTTP_MARKS_MAX, NULL-ended; the ones found are recorded as
	 * facts.responses.NAME.marks (an array of the strings); NULL: none */
	const char *const *marks;
};

#define HTTP_MARKS_MAX 4

#define HTTP_TEXT_BIG 4096
#define HTTP_LOGIN_BODY_MAX 512

#define HTTP_MAX_SOCKS 4

/* the per-probe state of an HTTP check: its state_size */
struct http_probe {
	const struct http_module *mod;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	struct {
		curl_socket_t fd;
		int what; /* CURL_POLL_* */
	} socks[HTTP_MAX_SOCKS];
	bool sock_removed; /* re-register the fd with the engine */
	long timer_ms;	   /* curl's timer, -1 = none */
	size_t next;	   /* the next request to consider */
	size_t cur;	   /* the request under way */
	bool in_flight;
	bool picked; /* p->cur is chosen, waiting for its --host-rate slot */
	bool https;
	bool fell_back;	 /* the other scheme was tried once */
	bool any_done;	 /* a request completed at the HTTP level */
	int last_status; /* the previous request's status, 0: none */
	bool too_big;
	size_t header_bytes;
	char www_auth[256];
	char hdrval[HTTP_HDRS_MAX][HTTP_HDRVAL_MAX]; /* mod->headers' values */
	bool hdrseen[HTTP_HDRS_MAX];
	struct dynbuf body;
	char url[HTTP_PATH_MAX + 96];
	char path[HTTP_PATH_MAX];
	char errbuf[CURL_ERROR_SIZE];
	char first_err[CURL_ERROR_SIZE + 32]; /* before the fallback */
	/* the login request's credential (valid until the probe ends) */
	const char *user, *password;
	bool have_cred;
	struct curl_slist *req_headers; /* the login request's headers */
	char login_body[HTTP_LOGIN_BODY_MAX];
};

/* The check callbacks: a module's start() calls http_start() with its
 * table; step and cleanup are these directly. */
int http_start(struct check_ctx *ctx, void *state,
	       const struct http_module *mod);
int http_step(struct check_ctx *ctx, void *state);
void http_cleanup(struct check_ctx *ctx, void *state);

/* ---- for assess(): pure readers of the facts ---- */

/* facts.responses.NAME, or NULL if the request did not complete */
const cJSON *http_resp(const cJSON *facts, const char *name);
/* its HTTP status, 0 if none */
int http_status(const cJSON *facts, const char *name);
/* its parsed JSON body, if the status was 200..299 and the body JSON */
const cJSON *http_json_ok(const cJSON *facts, const char *name);
/* a recorded response header (lower-case name), or NULL */
const char *http_header(const cJSON *facts, const char *name,
			const char *header);
/* true if the module's mark was found in its body */
bool http_mark(const cJSON *facts, const char *name, const char *mark);
/* its short non-JSON body, or NULL */
const char *http_text(const cJSON *facts, const char *name);
/* " over HTTPS (certificate not verified)" or "" */
const char *http_transport(const cJSON *facts);
/* obj[key] as a string, or NULL */
const char *http_str(const cJSON *obj, const char *key);
/* the number of items of an array, or -1 */
int http_count(const cJSON *arr);

/* check.h global_init of every HTTP module: loads libcurl */
int http_global_init(char *err, size_t errlen);

#endif
