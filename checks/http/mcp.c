/*
 * mcp.c - mcp.no_auth: a Model Context Protocol server over HTTP answers
 * initialize and tools/list without credentials (3001, 8000, 8080).
 *
 * What it sends, reads only (MCP specification, "Transports" and
 * "Lifecycle"; JSON-RPC 2.0), for each path (/mcp, then /sse):
 *  - Streamable HTTP: POST PATH initialize (Accept: application/json,
 *    text/event-stream); the answer is JSON or an SSE stream carrying
 *    it; the Mcp-Session-Id it gives goes on every later request with
 *    MCP-Protocol-Version. Then POST notifications/initialized, POST
 *    tools/list, and DELETE PATH to end the session it opened.
 *  - the older HTTP+SSE transport (protocol 2024-11-05), tried when the
 *    POST gets a 4xx other than 401/403: GET PATH opens an event stream
 *    whose first "endpoint" event names where to POST; initialize,
 *    notifications/initialized and tools/list go there and their answers
 *    come back on the stream, which is closed at the end (that ends the
 *    session). An endpoint on another host or port is never followed.
 * No tool is called: listing proves that anyone could call them.
 * Proof: a JSON-RPC 2.0 answer to initialize with result.serverInfo.name
 * and result.protocolVersion, then an answer to tools/list with
 * result.tools, an array of objects with a string name. 401/403 (a
 * bearer token, OAuth) is no finding. Evidence: server name and version,
 * protocol version, transport and path, the number and first names of
 * the tools, and which of them run commands or touch files.
 *
 * Every body and stream is capped at HTTP_BODY_MAX, headers at
 * HTTP_HEADER_MAX; every request is a phase bounded by --timeout; no
 * redirect is followed; proxies from the environment are ignored.
 *
 * Facts (read by assess(), see http.h): facts.transport ("streamable
 * http" or "http+sse"), facts.responses.init and .tools ({status,
 * content_type, www_authenticate, path, json = the JSON-RPC message}).
 *
 * References: MCP specification 2025-06-18 (Transports, Authorization);
 * CWE-306; ATT&CK T1190; ATT&CK T1059.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "mcp.h"
#include "sse.h"

#define MCP_UA "exposure/" EXPO_VERSION
#define MCP_PROTOCOL "2025-06-18"
#define MCP_SESSION_MAX 160
#define MCP_MAX_SOCKS 4

static const char init_body[] =
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
	"{\"protocolVersion\":\"" MCP_PROTOCOL "\",\"capabilities\":{},"
	"\"clientInfo\":{\"name\":\"exposure\",\"version\":\"" EXPO_VERSION
	"\"}}}";
static const char notify_body[] =
	"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
static const char list_body[] =
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\","
	"\"params\":{}}";

static const char *const mcp_paths[] = { "/mcp", "/sse" };

enum mcp_state {
	ST_POST_INIT = 0, /* Streamable HTTP initialize at mcp_paths[pi] */
	ST_GET_SSE,	  /* HTTP+SSE: open the stream, await "endpoint" */
	ST_INIT,	  /* initialize on the session */
	ST_NOTIFY,	  /* notifications/initialized */
	ST_LIST,	  /* tools/list */
	ST_DELETE,	  /* end the Streamable HTTP session */
	ST_DONE,
};

/* one HTTP transfer: the request, or the HTTP+SSE stream */
struct mcp_xfer {
	CURL *easy;
	struct curl_slist *headers;
	struct dynbuf body; /* a JSON answer */
	struct sse sse;	    /* a text/event-stream answer */
	bool in_flight;
	bool finished; /* came back from curl (rc, status valid) */
	bool is_sse;
	bool too_big;
	bool bad_header;
	CURLcode rc;
	long status;
	size_t header_bytes;
	char ctype[96];
	char session[MCP_SESSION_MAX];
	char www_auth[256];
	char errbuf[CURL_ERROR_SIZE];
	struct mcp_probe *p;
};

struct mcp_probe {
	CURLM *multi;
	struct {
		curl_socket_t fd;
		int what;
		CURL *easy;
	} socks[MCP_MAX_SOCKS];
	bool sock_removed;
	long timer_ms;
	enum mcp_state st;
	size_t pi; /* index into paths */
	/* the inventory's path= label first (a list line `host:9400
	 * check=mcp path=/api/mcp`), then /mcp and /sse */
	char paths[3][HTTP_PATH_MAX];
	size_t npaths;
	bool legacy; /* HTTP+SSE transport */
	bool https;
	int want_id;   /* the JSON-RPC id awaited, 0: none */
	cJSON *answer; /* the message with that id */
	struct mcp_xfer req, stream;
	char session[MCP_SESSION_MAX]; /* Streamable HTTP session id */
	char protocol[48];	       /* negotiated protocol version */
	char endpoint[HTTP_PATH_MAX];  /* HTTP+SSE: where to POST */
	char path[HTTP_PATH_MAX];      /* of the request under way */
	char url[HTTP_PATH_MAX + 96];
};

/* ---- pure helpers (mcp.h; fuzzed) ---- */

/* a header value or SSE field fit to be sent back or shown: visible
 * ASCII only, bounded */
static bool visible(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return n > 0;
}

cJSON *mcp_find_answer(const cJSON *msg, int id)
{
	const cJSON *it = NULL, *jid;

	if (cJSON_IsArray(msg)) {
		cJSON_ArrayForEach(it, msg)
		{
			cJSON *a = mcp_find_answer(it, id);

			if (a != NULL)
				return a;
		}
		return NULL;
	}
	jid = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (!cJSON_IsObject(msg) || !cJSON_IsNumber(jid) ||
	    jid->valuedouble != (double)id)
		return NULL;
	if (cJSON_GetObjectItemCaseSensitive(msg, "result") == NULL &&
	    cJSON_GetObjectItemCaseSensitive(msg, "error") == NULL)
		return NULL;
	return (cJSON *)msg;
}

int mcp_endpoint_path(const char *data, size_t len, const char *base, char *out,
		      size_t size)
{
	size_t blen = strlen(base);

	if (!visible(data, len))
		return EXPO_EINVAL;
	if (len > blen && strncasecmp(data, base, blen) == 0 &&
	    data[blen] == '/') {
		/* an absolute URL of this very server */
		data += blen;
		len -= blen;
	}
	/* a path; not another host, nor a scheme-relative "//host" */
	if (data[0] != '/' || (len > 1 && data[1] == '/'))
		return EXPO_EINVAL;
	if (len >= size)
		return EXPO_ETOOBIG;
	memcpy(out, data, len);
	out[len] = '\0';
	return 0;
}

/* ---- the awaited answer, from a body or a stream ---- */

static void take_message(struct mcp_probe *p, const char *data, size_t len)
{
	cJSON *j, *a;

	if (p->want_id == 0 || p->answer != NULL)
		return;
	j = cJSON_ParseWithLength(data, len);
	a = mcp_find_answer(j, p->want_id);
	if (a != NULL) {
		if (a != j)
			a = cJSON_Duplicate(a, true);
		else
			j = NULL;
		p->answer = a;
	}
	cJSON_Delete(j);
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
	struct mcp_xfer *x = ud;
	struct mcp_probe *p = x->p;
	char base[HTTP_PATH_MAX + 96];
	const char *slash;
	int stop = 0;

	if (strcmp(event, "endpoint") == 0 && x == &p->stream &&
	    p->endpoint[0] == '\0') {
		/* the base URL: scheme://host:port of p->url */
		slash = strchr(p->url + 8, '/');
		snprintf(base, sizeof(base), "%.*s",
			 (int)(slash ? (size_t)(slash - p->url)
				     : strlen(p->url)),
			 p->url);
		if (mcp_endpoint_path(data, len, base, p->endpoint,
				      sizeof(p->endpoint)) != 0) {
			snprintf(p->endpoint, sizeof(p->endpoint), "!");
			stop = 1;
		}
	} else if (strcmp(event, "message") == 0) {
		take_message(p, data, len);
		/* a request's own stream ends with its answer */
		stop = x == &p->req && p->answer != NULL;
	}
	return stop;
}

/* ---- curl callbacks ---- */

static size_t write_cb(char *data, size_t size, size_t n, void *ud)
{
	struct mcp_xfer *x = ud;
	size_t len = size * n;
	int r;

	if (x->is_sse) {
		r = sse_feed(&x->sse, data, len, on_event, x);
		if (r < 0)
			x->too_big = true;
		if (r != 0)
			len = 0; /* ends the transfer (CURLE_WRITE_ERROR) */
	} else if (dynbuf_add(&x->body, data, len) != 0) {
		x->too_big = true;
		len = 0;
	}
	return len;
}

/* copies a header's value (trimmed) if its name matches */
static bool header_value(const char *data, size_t len, const char *name,
			 char *out, size_t size, bool *bad)
{
	size_t nlen = strlen(name), vlen;

	if (len <= nlen || strncasecmp(data, name, nlen) != 0)
		return false;
	data += nlen;
	len -= nlen;
	while (len > 0 && (*data == ' ' || *data == '\t')) {
		data++;
		len--;
	}
	vlen = len;
	while (vlen > 0 && (data[vlen - 1] == '\r' || data[vlen - 1] == '\n' ||
			    data[vlen - 1] == ' '))
		vlen--;
	if (vlen >= size) {
		if (bad != NULL)
			*bad = true;
		vlen = size - 1;
	}
	memcpy(out, data, vlen);
	out[vlen] = '\0';
	return true;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud)
{
	struct mcp_xfer *x = ud;
	size_t len = size * n;

	x->header_bytes += len;
	if (x->header_bytes > HTTP_HEADER_MAX)
		return 0;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new status line (after a 100 Continue): start over */
		x->ctype[0] = x->session[0] = x->www_auth[0] = '\0';
		x->is_sse = false;
	} else if (header_value(data, len, "content-type:", x->ctype,
				sizeof(x->ctype), NULL)) {
		x->is_sse = strncasecmp(x->ctype, "text/event-stream", 17) == 0;
	} else if (header_value(data, len, "mcp-session-id:", x->session,
				sizeof(x->session), &x->bad_header)) {
		if (!visible(x->session, strlen(x->session)))
			x->bad_header = true;
	} else if (x->www_auth[0] == '\0') {
		header_value(data, len, "www-authenticate:", x->www_auth,
			     sizeof(x->www_auth), NULL);
	}
	return len;
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *ud,
		     void *sockp)
{
	struct mcp_probe *p = ud;
	int i, free_slot = -1;

	(void)sockp;
	for (i = 0; i < MCP_MAX_SOCKS; i++) {
		if (p->socks[i].fd == s)
			break;
		if (p->socks[i].fd == CURL_SOCKET_BAD && free_slot < 0)
			free_slot = i;
	}
	if (what == CURL_POLL_REMOVE) {
		if (i < MCP_MAX_SOCKS) {
			p->socks[i].fd = CURL_SOCKET_BAD;
			p->socks[i].what = 0;
			p->socks[i].easy = NULL;
		}
		p->sock_removed = true;
		return 0;
	}
	if (i == MCP_MAX_SOCKS)
		i = free_slot;
	if (i < 0)
		return -1;
	p->socks[i].fd = s;
	p->socks[i].what = what;
	p->socks[i].easy = easy;
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *ud)
{
	struct mcp_probe *p = ud;

	(void)multi;
	p->timer_ms = timeout_ms;
	return 0;
}

/* ---- facts ---- */

static int record(struct check_ctx *ctx, struct mcp_probe *p, const char *name,
		  const struct mcp_xfer *x, cJSON *json)
{
	cJSON *facts = ctx_facts(ctx);
	cJSON *r = cJSON_GetObjectItemCaseSensitive(facts, "responses"), *o;

	if (r == NULL)
		r = cJSON_AddObjectToObject(facts, "responses");
	if (r == NULL)
		goto nomem;
	cJSON_DeleteItemFromObjectCaseSensitive(r, name);
	o = cJSON_AddObjectToObject(r, name);
	if (o == NULL || !cJSON_AddNumberToObject(o, "status", x->status) ||
	    !cJSON_AddStringToObject(o, "content_type", x->ctype) ||
	    !cJSON_AddStringToObject(o, "www_authenticate", x->www_auth) ||
	    !cJSON_AddStringToObject(o, "path",
				     p->legacy ? p->paths[p->pi] : p->path))
		goto nomem;
	if (json != NULL) {
		cJSON *dup = cJSON_Duplicate(json, true);

		if (dup == NULL || !cJSON_AddItemToObject(o, "json", dup)) {
			cJSON_Delete(dup);
			goto nomem;
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(facts, "transport");
	if (!cJSON_AddStringToObject(facts, "transport",
				     p->legacy ? "http+sse"
					       : "streamable http"))
		goto nomem;
	return 0;
nomem:
	return EXPO_ENOMEM;
}

static void set_scheme(struct check_ctx *ctx, bool https)
{
	cJSON *facts = ctx_facts(ctx);

	cJSON_DeleteItemFromObjectCaseSensitive(facts, "scheme");
	cJSON_DeleteItemFromObjectCaseSensitive(facts, "tls_unverified");
	cJSON_AddStringToObject(facts, "scheme", https ? "https" : "http");
	cJSON_AddBoolToObject(facts, "tls_unverified", https);
}

/* ---- transfers ---- */

static int xfer_init(struct mcp_probe *p, struct mcp_xfer *x)
{
	x->p = p;
	dynbuf_init(&x->body, HTTP_BODY_MAX);
	sse_init(&x->sse, HTTP_BODY_MAX);
	x->easy = curl_easy_init();
	if (x->easy == NULL)
		return EXPO_ENOMEM;
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(x->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION,
			 (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, MCP_UA);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)HTTP_BODY_MAX);
	curl_easy_setopt(x->easy, CURLOPT_BUFFERSIZE, HTTP_RECV_BUFFER);
	return 0;
}

static void xfer_stop(struct mcp_probe *p, struct mcp_xfer *x)
{
	if (x->in_flight && p->multi != NULL && x->easy != NULL)
		curl_multi_remove_handle(p->multi, x->easy);
	x->in_flight = false;
}

static void xfer_release(struct mcp_probe *p, struct mcp_xfer *x)
{
	xfer_stop(p, x);
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	x->easy = NULL;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	dynbuf_release(&x->body);
	sse_release(&x->sse);
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static int make_url(struct check_ctx *ctx, struct mcp_probe *p)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "";
	bool v6 = a->u.sa.sa_family == AF_INET6;
	int n;

	if (!inet_ntop(v6 ? AF_INET6 : AF_INET,
		       v6 ? (const void *)&a->u.sin6.sin6_addr
			  : (const void *)&a->u.sin.sin_addr,
		       host, sizeof(host)))
		return EXPO_EINVAL;
	n = snprintf(p->url, sizeof(p->url),
		     v6 ? "%s://[%s]:%u%s" : "%s://%s:%u%s",
		     p->https ? "https" : "http", host, (unsigned)ctx_port(ctx),
		     p->path);
	return n > 0 && (size_t)n < sizeof(p->url) ? 0 : EXPO_ETOOBIG;
}

/* starts a transfer: method, p->path, body (NULL: none), whether it is
 * the long-lived HTTP+SSE stream */
static int xfer_begin(struct check_ctx *ctx, struct mcp_probe *p,
		      struct mcp_xfer *x, const char *method, const char *body)
{
	unsigned tmo = min_u(ctx_timeout_ms(ctx), ctx_remaining_ms(ctx));
	char h[MCP_SESSION_MAX + 32];
	int err;

	err = make_url(ctx, p);
	if (err < 0)
		return err;
	ctx_phasef(ctx, "%s %s%s%s", method, p->path, body ? " " : "",
		   body == init_body	 ? "initialize"
		   : body == list_body	 ? "tools/list"
		   : body == notify_body ? "notifications/initialized"
					 : "");
	dynbuf_reset(&x->body);
	sse_release(&x->sse);
	sse_init(&x->sse, HTTP_BODY_MAX);
	x->finished = x->is_sse = x->too_big = x->bad_header = false;
	x->rc = CURLE_OK;
	x->status = 0;
	x->header_bytes = 0;
	x->ctype[0] = x->session[0] = x->www_auth[0] = x->errbuf[0] = '\0';
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	x->headers = curl_slist_append(
		x->headers, x == &p->stream ? "Accept: text/event-stream"
					    : "Accept: application/json, "
					      "text/event-stream");
	if (body != NULL)
		x->headers = curl_slist_append(
			x->headers, "Content-Type: application/json");
	if (p->session[0] != '\0' && !p->legacy) {
		snprintf(h, sizeof(h), "Mcp-Session-Id: %s", p->session);
		x->headers = curl_slist_append(x->headers, h);
	}
	if (p->protocol[0] != '\0') {
		snprintf(h, sizeof(h), "MCP-Protocol-Version: %s", p->protocol);
		x->headers = curl_slist_append(x->headers, h);
	}
	if (x->headers == NULL)
		return EXPO_ENOMEM;
	curl_easy_setopt(x->easy, CURLOPT_URL, p->url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(tmo ? tmo : 1));
	/* the stream lives across phases: only the probe deadline bounds
	 * it (each phase still ends at --timeout) */
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
			 (long)(x == &p->stream ? ctx_remaining_ms(ctx) + 1
						: (tmo ? tmo : 1)));
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, NULL);
	} else if (body != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
	}
	/* --host-rate: counted, not waited for (the stream and the
	 * requests run side by side); the address's later connections
	 * wait the longer for it */
	ctx_host_spend(ctx);
	if (curl_multi_add_handle(p->multi, x->easy) != CURLM_OK)
		return EXPO_ENOMEM;
	x->in_flight = true;
	return 0;
}

/* ---- the state machine ---- */

static void mcp_cleanup_probe(struct check_ctx *ctx, void *state);

static int post(struct check_ctx *ctx, struct mcp_probe *p, const char *body,
		int want)
{
	p->want_id = want;
	cJSON_Delete(p->answer);
	p->answer = NULL;
	snprintf(p->path, sizeof(p->path), "%s",
		 p->legacy ? p->endpoint : p->paths[p->pi]);
	return xfer_begin(ctx, p, &p->req, "POST", body);
}

static bool auth_refused(long status)
{
	return status == 401 || status == 403 || status == 407;
}

/* the next path, or the end */
static int next_path(struct check_ctx *ctx, struct mcp_probe *p)
{
	xfer_stop(p, &p->stream);
	p->legacy = false;
	p->endpoint[0] = '\0';
	if (++p->pi >= p->npaths) {
		p->st = ST_DONE;
		return 0;
	}
	p->st = ST_POST_INIT;
	return post(ctx, p, init_body, 1);
}

/* a transfer failed at the transport level: the probe's status */
static void xfer_failed(struct check_ctx *ctx, struct mcp_probe *p,
			const struct mcp_xfer *x)
{
	const char *what = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->rc);

	if (x->too_big)
		ctx_status(ctx, STATUS_ERROR,
			   "%s: answer over %u bytes: transfer aborted",
			   p->path, (unsigned)HTTP_BODY_MAX);
	else if (x->rc == CURLE_OPERATION_TIMEDOUT)
		ctx_status(ctx, STATUS_TIMEOUT, "%s: %s", p->path, what);
	else
		ctx_status(ctx, STATUS_ERROR, "%s: %s", p->path, what);
	p->st = ST_DONE;
}

/* the answer of an initialize: keeps the session and protocol */
static bool initialized(struct mcp_probe *p, const struct mcp_xfer *x)
{
	const cJSON *res =
		cJSON_GetObjectItemCaseSensitive(p->answer, "result");
	const char *pv = http_str(res, "protocolVersion");

	if (!cJSON_IsObject(res) || pv == NULL)
		return false;
	if (visible(pv, strlen(pv)) && strlen(pv) < sizeof(p->protocol))
		snprintf(p->protocol, sizeof(p->protocol), "%s", pv);
	if (!p->legacy && x->session[0] != '\0' && !x->bad_header)
		snprintf(p->session, sizeof(p->session), "%s", x->session);
	return true;
}

/* a 3xx answer whose Location leaves this host and port */
static bool elsewhere(const struct mcp_probe *p, const struct mcp_xfer *x)
{
	char *loc = NULL;
	const char *slash;
	size_t blen;

	if (x->status < 300 || x->status > 399 ||
	    curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc) !=
		    CURLE_OK ||
	    loc == NULL)
		return false;
	slash = strchr(p->url + 8, '/');
	blen = slash ? (size_t)(slash - p->url) : strlen(p->url);
	return strncasecmp(loc, p->url, blen) != 0 ||
	       (loc[blen] != '/' && loc[blen] != '\0');
}

/* the request transfer (and, for HTTP+SSE, the awaited answer) is in:
 * decides what comes next; 0 or < 0 */
static int advance(struct check_ctx *ctx, struct mcp_probe *p)
{
	struct mcp_xfer *x = &p->req;
	bool got_answer = false;
	int err = 0;

	x->finished = false; /* consumed here */
	/* a JSON answer: read it whole */
	if (!x->is_sse && x->body.len > 0)
		take_message(p, x->body.buf, x->body.len);
	got_answer = p->answer != NULL;
	if (x->rc != CURLE_OK && !(x->is_sse && got_answer)) {
		if (p->st == ST_POST_INIT && p->pi == 0 && !p->https &&
		    x->rc != CURLE_COULDNT_CONNECT &&
		    x->rc != CURLE_OPERATION_TIMEDOUT && !x->too_big) {
			/* maybe TLS: the first request once more, in HTTPS */
			p->https = true;
			set_scheme(ctx, true);
			return post(ctx, p, init_body, 1);
		}
		if (p->st == ST_DELETE) {
			p->st = ST_DONE; /* ending the session is a courtesy */
			return 0;
		}
		xfer_failed(ctx, p, x);
		return 0;
	}
	if (elsewhere(p, x)) {
		ctx_status(ctx, STATUS_ERROR,
			   "%s: HTTP %ld redirect to another address: not "
			   "followed",
			   p->path, x->status);
		p->st = ST_DONE;
		return 0;
	}
	switch (p->st) {
	case ST_POST_INIT:
	case ST_INIT:
		err = record(ctx, p, "init", x, p->answer);
		if (err < 0)
			break;
		if (auth_refused(x->status)) {
			p->st = ST_DONE;
		} else if (got_answer && initialized(p, x)) {
			p->st = ST_NOTIFY;
			err = post(ctx, p, notify_body, 0);
		} else if (p->st == ST_POST_INIT && x->status >= 400 &&
			   x->status < 500) {
			/* maybe the HTTP+SSE transport of 2024-11-05 */
			p->st = ST_GET_SSE;
			p->legacy = true;
			p->want_id = 0;
			snprintf(p->path, sizeof(p->path), "%s",
				 p->paths[p->pi]);
			err = xfer_begin(ctx, p, &p->stream, "GET", NULL);
		} else {
			err = next_path(ctx, p);
		}
		break;
	case ST_NOTIFY:
		p->st = ST_LIST;
		err = post(ctx, p, list_body, 2);
		break;
	case ST_LIST:
		err = record(ctx, p, "tools", x, p->answer);
		if (err < 0)
			break;
		if (!p->legacy && p->session[0] != '\0') {
			p->st = ST_DELETE;
			p->want_id = 0;
			snprintf(p->path, sizeof(p->path), "%s",
				 p->paths[p->pi]);
			err = xfer_begin(ctx, p, &p->req, "DELETE", NULL);
		} else {
			p->st = ST_DONE;
		}
		break;
	default:
		p->st = ST_DONE;
		break;
	}
	return err;
}

/* the HTTP+SSE stream moved: endpoint known, or it ended */
static int stream_moved(struct check_ctx *ctx, struct mcp_probe *p)
{
	struct mcp_xfer *s = &p->stream;
	int err = 0;

	if (p->st == ST_GET_SSE) {
		if (strcmp(p->endpoint, "!") == 0) {
			ctx_status(ctx, STATUS_ERROR,
				   "%s: the SSE endpoint event names another "
				   "address or a bad path: not followed",
				   p->paths[p->pi]);
			p->st = ST_DONE;
		} else if (p->endpoint[0] != '\0') {
			p->st = ST_INIT;
			err = post(ctx, p, init_body, 1);
		} else if (s->finished) {
			if (s->too_big || s->header_bytes > HTTP_HEADER_MAX ||
			    (s->rc != CURLE_OK &&
			     (s->status == 0 || s->is_sse))) {
				xfer_failed(ctx, p, s);
			} else {
				err = record(ctx, p, "init", s, NULL);
				if (err == 0 && auth_refused(s->status))
					p->st = ST_DONE;
				else if (err == 0)
					err = next_path(ctx, p);
			}
		}
	} else if (s->finished && p->answer == NULL && p->st != ST_DONE &&
		   !p->req.in_flight) {
		/* the stream ended before the answer came */
		xfer_failed(ctx, p, s);
	}
	return err;
}

/* a label path fit for a request line: "/" then visible ASCII, bounded */
static bool label_path_ok(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '/')
		return false;
	n = strlen(s);
	return n < HTTP_PATH_MAX && visible(s, n) && strchr(s, ' ') == NULL &&
	       strchr(s, '#') == NULL;
}

static void paths_init(struct check_ctx *ctx, struct mcp_probe *p)
{
	const struct target *t = ctx_target(ctx);
	const char *lp = t != NULL && t->meta != NULL && t->meta->tags != NULL
				 ? cJSON_GetStringValue(cJSON_GetObjectItem(
					   t->meta->tags, "path"))
				 : NULL;
	size_t i;

	p->npaths = 0;
	if (label_path_ok(lp))
		snprintf(p->paths[p->npaths++], HTTP_PATH_MAX, "%s", lp);
	for (i = 0; i < ARRAY_SIZE(mcp_paths); i++)
		if (p->npaths == 0 || strcmp(p->paths[0], mcp_paths[i]) != 0)
			snprintf(p->paths[p->npaths++], HTTP_PATH_MAX, "%s",
				 mcp_paths[i]);
}

static int mcp_start_probe(struct check_ctx *ctx, void *state)
{
	struct mcp_probe *p = state;
	int i, err;

	paths_init(ctx, p);
	p->timer_ms = -1;
	for (i = 0; i < MCP_MAX_SOCKS; i++)
		p->socks[i].fd = CURL_SOCKET_BAD;
	set_scheme(ctx, false);
	p->multi = curl_multi_init();
	err = p->multi ? 0 : EXPO_ENOMEM;
	if (err == 0)
		err = xfer_init(p, &p->req);
	if (err == 0)
		err = xfer_init(p, &p->stream);
	if (err < 0) {
		mcp_cleanup_probe(ctx, state);
		return err;
	}
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	p->st = ST_POST_INIT;
	err = post(ctx, p, init_body, 1);
	if (err < 0)
		mcp_cleanup_probe(ctx, state);
	return err;
}

/* what to wait for: the request's socket while it runs, else the
 * stream's; always curl's timer */
static int wait_for(struct check_ctx *ctx, struct mcp_probe *p)
{
	CURL *which = p->req.in_flight ? p->req.easy : p->stream.easy;
	int i, w = 0;

	if (p->sock_removed) {
		p->sock_removed = false;
		ctx_wake_after(ctx, 0);
		return PROBE_WANT_TIMER;
	}
	for (i = 0; i < MCP_MAX_SOCKS && w == 0; i++) {
		if (p->socks[i].fd == CURL_SOCKET_BAD ||
		    p->socks[i].what == 0 || p->socks[i].easy != which)
			continue;
		ctx_set_fd(ctx, p->socks[i].fd);
		if (p->socks[i].what & CURL_POLL_IN)
			w |= PROBE_WANT_READ;
		if (p->socks[i].what & CURL_POLL_OUT)
			w |= PROBE_WANT_WRITE;
	}
	if (p->timer_ms >= 0 || p->req.in_flight + p->stream.in_flight > 1) {
		/* with two transfers the other one is looked at now and
		 * then (the engine waits on one socket) */
		long ms = p->timer_ms;

		if (p->req.in_flight && p->stream.in_flight &&
		    (ms < 0 || ms > 50))
			ms = 50;
		ctx_wake_after(ctx, (unsigned)ms);
		w |= PROBE_WANT_TIMER;
	}
	if (w == 0) {
		ctx_wake_after(ctx, 10);
		w = PROBE_WANT_TIMER;
	}
	return w;
}

static int mcp_step_probe(struct check_ctx *ctx, void *state)
{
	struct mcp_probe *p = state;
	unsigned rounds;
	int running = 0, i, err = 0;

	/* bounded: every round either waits or moves the state on */
	for (rounds = 0; rounds < 32 && p->st != ST_DONE; rounds++) {
		CURLMsg *msg;
		int left = 0;
		bool moved = false;

		for (i = 0; i < MCP_MAX_SOCKS; i++)
			if (p->socks[i].fd != CURL_SOCKET_BAD)
				curl_multi_socket_action(
					p->multi, p->socks[i].fd, 0, &running);
		curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
		while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
			struct mcp_xfer *x = msg->easy_handle == p->req.easy
						     ? &p->req
						     : &p->stream;

			if (msg->msg != CURLMSG_DONE || !x->in_flight)
				continue;
			x->rc = msg->data.result;
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
					  &x->status);
			curl_multi_remove_handle(p->multi, x->easy);
			x->in_flight = false;
			x->finished = true;
		}
		if (p->st == ST_GET_SSE || (p->legacy && p->stream.finished)) {
			enum mcp_state before = p->st;

			err = stream_moved(ctx, p);
			if (err < 0)
				goto out;
			moved = p->st != before;
		}
		if (!moved && p->req.finished &&
		    (!p->legacy || p->want_id == 0 || p->answer != NULL ||
		     p->req.rc != CURLE_OK || p->req.status >= 300 ||
		     p->stream.finished)) {
			err = advance(ctx, p);
			if (err < 0)
				goto out;
			moved = true;
		}
		if (!moved)
			return wait_for(ctx, p);
	}
	if (p->st != ST_DONE)
		return wait_for(ctx, p);
out:
	xfer_stop(p, &p->stream);
	return err < 0 ? err : PROBE_DONE;
}

static void mcp_cleanup_probe(struct check_ctx *ctx, void *state)
{
	struct mcp_probe *p = state;

	(void)ctx;
	xfer_release(p, &p->req);
	xfer_release(p, &p->stream);
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	p->multi = NULL;
	cJSON_Delete(p->answer);
	p->answer = NULL;
}

/* ---- assess ---- */

/* one word of a tool name, lower case */
static bool code_word(const char *w)
{
	static const char *const words[] = {
		"exec",	    "execute",	  "shell",	"command",
		"commands", "cmd",	  "bash",	"sh",
		"zsh",	    "powershell", "terminal",	"run",
		"eval",	    "python",	  "script",	"spawn",
		"process",  "subprocess", "file",	"files",
		"write",    "edit",	  "delete",	"remove",
		"move",	    "rename",	  "directory",	"dir",
		"mkdir",    "fs",	  "filesystem", "sql",
		"kubectl",  "docker",	  "ssh",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

bool mcp_tool_runs_code(const char *name)
{
	char w[32];
	size_t i, n = 0;
	bool hit = false, cut = false;

	/* words split at punctuation and at a lower-to-upper case change
	 * ("readFile", "run_command", "shell-exec") */
	for (i = 0; !hit; i++) {
		unsigned char c = (unsigned char)name[i];
		bool end = c == '\0' || !isalnum(c) ||
			   (isupper(c) && i > 0 &&
			    islower((unsigned char)name[i - 1]));

		if (end && n > 0) {
			w[n] = '\0';
			hit = !cut && code_word(w);
			n = 0;
			cut = false;
		}
		if (c == '\0')
			break;
		if (isalnum(c)) {
			if (n < sizeof(w) - 1)
				w[n++] = (char)tolower(c);
			else
				cut = true;
		}
	}
	return hit;
}

#define MCP_NAMES_SHOWN 12
#define MCP_NAME_MAX 64

/* appends a tool name: visible ASCII, bounded */
static void add_name(struct dynbuf *b, const char *name)
{
	size_t i, n = strlen(name);

	if (b->len > 0)
		dynbuf_addstr(b, ", ");
	for (i = 0; i < n && i < MCP_NAME_MAX; i++)
		dynbuf_add(b, visible(name + i, 1) ? name + i : "?", 1);
	if (n > MCP_NAME_MAX)
		dynbuf_addstr(b, "...");
}

static int mcp_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *init = http_json_ok(facts, "init");
	const cJSON *list = http_json_ok(facts, "tools");
	const cJSON *ires = cJSON_GetObjectItemCaseSensitive(init, "result");
	const cJSON *lres = cJSON_GetObjectItemCaseSensitive(list, "result");
	const cJSON *info =
		cJSON_GetObjectItemCaseSensitive(ires, "serverInfo");
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(lres, "tools");
	const cJSON *it = NULL;
	const char *name = http_str(info, "name");
	const char *ver = http_str(info, "version");
	const char *proto = http_str(ires, "protocolVersion");
	const char *tr = http_str(facts, "transport");
	const char *path = http_str(http_resp(facts, "tools"), "path");
	struct dynbuf shown, code;
	int n = 0, ncode = 0, err = 0;

	dynbuf_init(&shown, 4096);
	dynbuf_init(&code, 4096);
	if (name == NULL || proto == NULL || !cJSON_IsArray(tools) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(init, "jsonrpc")))
		goto out;
	cJSON_ArrayForEach(it, tools)
	{
		const char *tn = http_str(it, "name");

		if (tn == NULL)
			goto out; /* not a tool list */
		if (n < MCP_NAMES_SHOWN)
			add_name(&shown, tn);
		if (mcp_tool_runs_code(tn) && ncode++ < MCP_NAMES_SHOWN)
			add_name(&code, tn);
		n++;
	}
	err = ctx_report(
		ctx, "mcp.no_auth", NULL,
		"MCP server %s %s (protocol %s, %s at %s) lists %d tool%s "
		"without credentials: %s%s%s%s%s%s",
		name, ver ? ver : "(no version)", proto, tr ? tr : "HTTP",
		path ? path : "?", n, n == 1 ? "" : "s",
		n ? shown.buf : "(none)", n > MCP_NAMES_SHOWN ? ", ..." : "",
		ncode ? "; tools that run commands or touch files (code "
			"execution): "
		      : "",
		ncode ? code.buf : "", ncode > MCP_NAMES_SHOWN ? ", ..." : "",
		http_transport(facts));
out:
	dynbuf_release(&shown);
	dynbuf_release(&code);
	return err;
}

static int mcp_start(struct check_ctx *ctx, void *state)
{
	return mcp_start_probe(ctx, state);
}

static const struct rule mcp_rules[] = {
	{
		.id = "mcp.no_auth",
		.title = "MCP server lists its tools without authentication",
		.description =
			"Anyone who reaches the port can open an MCP "
			"session and call the server's tools: whatever "
			"they do (run commands, read or write files, query "
			"databases, act with the server's API keys) they do "
			"for the caller.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-306; ATT&CK T1190; ATT&CK T1059; MCP "
			      "specification (Authorization)",
		.remediation =
			"Bind the server to 127.0.0.1 (or use the stdio "
			"transport), require a bearer token or OAuth as the "
			"MCP Authorization specification describes, or put "
			"it behind an authenticating proxy; firewall the "
			"port.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
	},
};

static const char *const mcp_services[] = { "mcp", HTTP_SERVICES, NULL };
static const uint16_t mcp_ports[] = { 3001, 8000, 8080 };

const struct check check_mcp = {
	.global_init = http_global_init,
	.name = "mcp",
	.summary = "MCP server over HTTP lists tools without auth "
		   "(3001, 8000, 8080)",
	.services = mcp_services,
	.ports = mcp_ports,
	.nports = ARRAY_SIZE(mcp_ports),
	.rules = mcp_rules,
	.nrules = ARRAY_SIZE(mcp_rules),
	.state_size = sizeof(struct mcp_probe),
	.start = mcp_start,
	.step = mcp_step_probe,
	.cleanup = mcp_cleanup_probe,
	.assess = mcp_assess,
};
