/*
 * http.c - runs an HTTP check's request table through libcurl's multi
 * interface, driven by the engine's event loop (see http.h).
 *
 * One CURLM and one easy handle per probe: the multi's socket callback
 * records the socket curl wants and in which direction (handed to
 * ctx_set_fd() as PROBE_WANT_READ/WRITE), its timer callback the delay
 * handed to ctx_wake_after() (PROBE_WANT_TIMER). Each step calls
 * curl_multi_socket_action() on the socket with an empty event mask (the
 * engine does not say which direction fired, and curl then checks the
 * socket itself without waiting) and on CURL_SOCKET_TIMEOUT, then collects
 * finished transfers with curl_multi_info_read().
 *
 * Each request is its own phase (ctx_phase: "GET /pods"), so each must
 * finish within --timeout; curl's own total and connect timeouts are the
 * same, capped by what is left of --check-timeout. A transport failure
 * on the first request is retried once with the other scheme (HTTPS on a
 * plain port or the reverse), as is a plain-text 400 answer (Go's "Client
 * sent an HTTP request to an HTTPS server"); any later transport failure,
 * a timeout or an oversized body ends the probe with that status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "expo.h"
#include "http.h"

#define HTTP_UA "exposure/" EXPO_VERSION

/* ---- curl callbacks ---- */

static size_t http_write_cb(char *data, size_t size, size_t n, void *ud)
{
	struct http_probe *p = ud;
	size_t len = size * n;

	if (dynbuf_add(&p->body, data, len) != 0) {
		p->too_big = true;
		len = 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	return len;
}

/* copies "Name: value" into p->hdrval when the module listed the name
 * (the first occurrence wins; the value is cut, CR/LF dropped) */
static void keep_header(struct http_probe *p, const char *data, size_t len)
{
	const char *const *h = p->mod->headers;
	size_t i, nl, vlen;

	for (i = 0; h != NULL && h[i] != NULL && i < HTTP_HDRS_MAX; i++) {
		nl = strlen(h[i]);
		if (p->hdrseen[i] || len <= nl || data[nl] != ':' ||
		    strncasecmp(data, h[i], nl) != 0)
			continue;
		data += nl + 1;
		len -= nl + 1;
		while (len > 0 && (*data == ' ' || *data == '\t')) {
			data++;
			len--;
		}
		vlen = len;
		while (vlen > 0 &&
		       (data[vlen - 1] == '\r' || data[vlen - 1] == '\n'))
			vlen--;
		if (vlen >= sizeof(p->hdrval[i]))
			vlen = sizeof(p->hdrval[i]) - 1;
		memcpy(p->hdrval[i], data, vlen);
		p->hdrval[i][vlen] = '\0';
		p->hdrseen[i] = true;
		break;
	}
}

static size_t http_header_cb(char *data, size_t size, size_t n, void *ud)
{
	static const char wa[] = "www-authenticate:";
	struct http_probe *p = ud;
	size_t len = size * n, vlen, ret = size * n;

	p->header_bytes += len;
	if (p->header_bytes <= HTTP_HEADER_MAX)
		keep_header(p, data, len);
	if (p->header_bytes > HTTP_HEADER_MAX)
		ret = 0; /* aborts the transfer */
	else if (len > sizeof(wa) - 1 &&
		 strncasecmp(data, wa, sizeof(wa) - 1) == 0 &&
		 p->www_auth[0] == '\0') {
		data += sizeof(wa) - 1;
		len -= sizeof(wa) - 1;
		while (len > 0 && (*data == ' ' || *data == '\t')) {
			data++;
			len--;
		}
		vlen = len;
		while (vlen > 0 &&
		       (data[vlen - 1] == '\r' || data[vlen - 1] == '\n'))
			vlen--;
		if (vlen >= sizeof(p->www_auth))
			vlen = sizeof(p->www_auth) - 1;
		memcpy(p->www_auth, data, vlen);
		p->www_auth[vlen] = '\0';
	}
	return ret;
}

static int http_socket_cb(CURL *easy, curl_socket_t s, int what, void *ud,
			  void *sockp)
{
	struct http_probe *p = ud;
	int i, free_slot = -1, rc = 0;

	(void)easy;
	(void)sockp;
	for (i = 0; i < HTTP_MAX_SOCKS; i++) {
		if (p->socks[i].fd == s)
			break;
		if (p->socks[i].fd == CURL_SOCKET_BAD && free_slot < 0)
			free_slot = i;
	}
	if (what == CURL_POLL_REMOVE) {
		if (i < HTTP_MAX_SOCKS) {
			p->socks[i].fd = CURL_SOCKET_BAD;
			p->socks[i].what = 0;
		}
		p->sock_removed = true;
		goto out;
	}
	if (i == HTTP_MAX_SOCKS)
		i = free_slot;
	if (i < 0) {
		rc = -1; /* more sockets than one probe ever needs */
		goto out;
	}
	p->socks[i].fd = s;
	p->socks[i].what = what;
out:
	return rc;
}

static int http_timer_cb(CURLM *multi, long timeout_ms, void *ud)
{
	struct http_probe *p = ud;

	(void)multi;
	p->timer_ms = timeout_ms;
	return 0;
}

/* ---- facts ---- */

static cJSON *responses(cJSON *facts)
{
	cJSON *r = cJSON_GetObjectItemCaseSensitive(facts, "responses");

	if (r == NULL)
		r = cJSON_AddObjectToObject(facts, "responses");
	return r;
}

static void set_transport(struct check_ctx *ctx, bool https)
{
	cJSON *facts = ctx_facts(ctx);

	cJSON_DeleteItemFromObjectCaseSensitive(facts, "scheme");
	cJSON_DeleteItemFromObjectCaseSensitive(facts, "tls_unverified");
	cJSON_AddStringToObject(facts, "scheme", https ? "https" : "http");
	cJSON_AddBoolToObject(facts, "tls_unverified", https);
}

/* parses a body that looks like JSON; NULL otherwise */
static cJSON *body_json(const struct dynbuf *b)
{
	const char *s = dynbuf_ptr(b);
	size_t i = 0, n = dynbuf_len(b);
	cJSON *j = NULL;

	while (i < n &&
	       (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '{' || s[i] == '['))
		j = cJSON_ParseWithLength(s, n);
	return j;
}

static size_t text_max(const struct http_module *m)
{
	if (m->text_max == 0)
		return HTTP_TEXT_MAX;
	return m->text_max < HTTP_TEXT_BIG ? m->text_max : HTTP_TEXT_BIG;
}

/* the listed headers that came, and a short body that is not JSON */
static int record_extras(cJSON *o, const struct http_probe *p, bool text)
{
	const char *const *h = p->mod->headers;
	cJSON *hs = NULL;
	size_t i;
	int err = EXPO_ENOMEM;

	if (h != NULL) {
		hs = cJSON_AddObjectToObject(o, "headers");
		if (hs == NULL)
			goto out;
		for (i = 0; h[i] != NULL && i < HTTP_HDRS_MAX; i++)
			if (p->hdrseen[i] &&
			    !cJSON_AddStringToObject(hs, h[i], p->hdrval[i]))
				goto out;
	}
	if (p->mod->marks != NULL) {
		cJSON *ms = cJSON_AddArrayToObject(o, "marks");

		if (ms == NULL)
			goto out;
		for (i = 0; p->mod->marks[i] != NULL && i < HTTP_MARKS_MAX; i++)
			if (p->body.len > 0 &&
			    memmem(p->body.buf, p->body.len, p->mod->marks[i],
				   strlen(p->mod->marks[i])) != NULL &&
			    !cJSON_AddItemToArray(
				    ms, cJSON_CreateString(p->mod->marks[i])))
				goto out;
	}
	/* NUL bytes would cut it short: such a body is no text */
	if (text && p->body.len > 0 && p->body.len <= text_max(p->mod) &&
	    memchr(p->body.buf, '\0', p->body.len) == NULL &&
	    !cJSON_AddStringToObject(o, "text", p->body.buf))
		goto out;
	err = 0;
out:
	return err;
}

static int record_response(struct check_ctx *ctx, struct http_probe *p,
			   long status)
{
	cJSON *r = responses(ctx_facts(ctx)), *o = NULL, *json = NULL;
	const struct http_req *req = &p->mod->reqs[p->cur];
	char *ctype = NULL;
	int err = EXPO_ENOMEM;

	if (r == NULL)
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(r, req->name);
	o = cJSON_AddObjectToObject(r, req->name);
	if (o == NULL)
		goto out;
	curl_easy_getinfo(p->easy, CURLINFO_CONTENT_TYPE, &ctype);
	if (!cJSON_AddNumberToObject(o, "status", (double)status) ||
	    !cJSON_AddStringToObject(o, "content_type", ctype ? ctype : "") ||
	    !cJSON_AddNumberToObject(o, "bytes",
				     (double)dynbuf_len(&p->body)) ||
	    !cJSON_AddStringToObject(o, "www_authenticate", p->www_auth) ||
	    !cJSON_AddStringToObject(o, "path", p->path))
		goto out;
	json = body_json(&p->body);
	if (json != NULL && !cJSON_AddItemToObject(o, "json", json)) {
		cJSON_Delete(json);
		goto out;
	}
	if (record_extras(o, p, json == NULL) != 0)
		goto out;
	if (req->login != NULL && p->have_cred &&
	    (!cJSON_AddStringToObject(o, "user", p->user) ||
	     !cJSON_AddStringToObject(o, "password", p->password)))
		goto out;
	err = 0;
out:
	return err;
}

/* ---- requests ---- */

static bool port_is_tls(const struct http_module *m, uint16_t port)
{
	bool found = false;
	size_t i;

	for (i = 0; i < m->ntls_ports && !found; i++)
		found = m->tls_ports[i] == port;
	return found;
}

static int make_base_url(struct check_ctx *ctx, struct http_probe *p)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "";
	const char *scheme = p->https ? "https" : "http";
	bool v6 = a->u.sa.sa_family == AF_INET6;
	int n, err = 0;

	/* numeric only: curl never resolves a name (it would block) */
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET,
		       v6 ? (const void *)&a->u.sin6.sin6_addr
			  : (const void *)&a->u.sin.sin_addr,
		       host, sizeof(host))) {
		err = EXPO_EINVAL;
		goto out;
	}
	n = snprintf(p->url, sizeof(p->url),
		     v6 ? "%s://[%s]:%u%s" : "%s://%s:%u%s", scheme, host,
		     (unsigned)ctx_port(ctx), p->path);
	if (n <= 0 || (size_t)n >= sizeof(p->url))
		err = EXPO_ETOOBIG;
out:
	return err;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* the login request's body and headers, from the module's sign() */
static int login_begin(struct http_probe *p, const struct http_req *req)
{
	struct curl_slist *h = NULL;
	int err = EXPO_ENOMEM;

	p->login_body[0] = '\0';
	if ((req->flags & HTTP_JSON_BODY) &&
	    (h = curl_slist_append(NULL, "Content-Type: application/json")) ==
		    NULL)
		goto out;
	if (!req->login->sign(p, p->user, p->password, &h)) {
		err = EXPO_EINVAL;
		goto out;
	}
	p->req_headers = h;
	h = NULL;
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->req_headers);
	if (p->login_body[0] != '\0') {
		curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->login_body);
		curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST, NULL);
	}
	err = 0;
out:
	curl_slist_free_all(h);
	return err;
}

bool http_sign_basic(struct http_probe *p, const char *user,
		     const char *password, struct curl_slist **hdrs)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	static const char pre[] = "Authorization: Basic ";
	char plain[HTTP_LOGIN_BODY_MAX / 2], hdr[HTTP_LOGIN_BODY_MAX];
	struct curl_slist *h;
	size_t i, o = sizeof(pre) - 1, n;
	int len;

	(void)p;
	if (strchr(user, ':') != NULL)
		return false;
	len = snprintf(plain, sizeof(plain), "%s:%s", user, password);
	if (len < 0 || (size_t)len >= sizeof(plain))
		return false;
	n = (size_t)len;
	memcpy(hdr, pre, o);
	/* 4 output bytes per 3 input bytes: 2/3 of HTTP_LOGIN_BODY_MAX fits */
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)plain[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)plain[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)plain[i + 2];
		hdr[o++] = b64[(v >> 18) & 63];
		hdr[o++] = b64[(v >> 12) & 63];
		hdr[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		hdr[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	hdr[o] = '\0';
	h = curl_slist_append(*hdrs, hdr);
	if (h == NULL)
		return false;
	*hdrs = h;
	return true;
}

/* starts request p->cur; 0 or < 0 */
static int request_begin(struct check_ctx *ctx, struct http_probe *p)
{
	const struct http_req *req = &p->mod->reqs[p->cur];
	const char *method = req->method ? req->method : "GET";
	unsigned tmo = min_u(ctx_timeout_ms(ctx), ctx_remaining_ms(ctx));
	char phase[HTTP_PATH_MAX + 16];
	int err;

	if (tmo == 0)
		tmo = 1;
	err = make_base_url(ctx, p);
	if (err < 0)
		goto out;
	snprintf(phase, sizeof(phase), "%s %s", method, p->path);
	ctx_phase(ctx, phase);
	dynbuf_reset(&p->body);
	p->too_big = false;
	p->header_bytes = 0;
	p->www_auth[0] = '\0';
	memset(p->hdrseen, 0, sizeof(p->hdrseen));
	p->errbuf[0] = '\0';
	curl_easy_setopt(p->easy, CURLOPT_URL, p->url);
	curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, (long)tmo);
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)tmo);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(p->easy, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST, NULL);
	} else if (req->body != NULL) {
		curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST,
				 strcmp(method, "POST") ? method : NULL);
	} else {
		curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_slist_free_all(p->req_headers);
	p->req_headers = NULL;
	if (req->login != NULL) {
		err = login_begin(p, req);
		if (err < 0)
			goto out;
	} else {
		curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER,
				 (req->flags & HTTP_JSON_BODY) ? p->headers
							       : NULL);
	}
	if (curl_multi_add_handle(p->multi, p->easy) != CURLM_OK) {
		err = EXPO_ENOMEM;
		goto out;
	}
	p->in_flight = true;
out:
	return err;
}

/* the next request to run from p->next on; false when none is left */
static bool pick_next(struct check_ctx *ctx, struct http_probe *p)
{
	const cJSON *facts = ctx_facts(ctx);
	bool found = false;

	while (!found && p->next < p->mod->nreqs) {
		const struct http_req *req = &p->mod->reqs[p->next++];
		bool ok = p->last_status >= 200 && p->last_status < 300;

		if ((req->flags & HTTP_INTRUSIVE) && !ctx_intrusive(ctx))
			continue;
		if ((req->flags & HTTP_IF_OK) && !ok)
			continue;
		if (req->path_fn != NULL) {
			if (!req->path_fn(facts, p->path, sizeof(p->path)))
				continue;
		} else {
			snprintf(p->path, sizeof(p->path), "%s", req->path);
		}
		/* one credential, taken only for a request that goes out,
		 * and kept when it is sent again over the other scheme (the
		 * first never reached the product) */
		if (req->login != NULL && !p->have_cred) {
			if (ctx_next_cred(ctx, &p->user, &p->password) <= 0 ||
			    p->user == NULL || p->password == NULL)
				continue;
			p->have_cred = true;
		}
		p->cur = (size_t)(req - p->mod->reqs);
		found = true;
	}
	return found;
}

/* a 400 with a body that is not JSON: a TLS port spoken to in plain HTTP */
static bool plain_400(const struct http_probe *p, long status)
{
	cJSON *j = NULL;
	bool r = false;

	if (status == 400) {
		j = body_json(&p->body);
		r = j == NULL;
		cJSON_Delete(j);
	}
	return r;
}

/* A 3xx whose Location leaves this scheme, host and port: never followed
 * (CURLOPT_FOLLOWLOCATION is off), and not an answer of the product
 * either. The probe ends as an error that says where it pointed. */
static bool redirect_elsewhere(struct http_probe *p, long status,
			       const char **where)
{
	char *loc = NULL, *eff = NULL;
	const char *slash;
	size_t blen;

	if (status < 300 || status > 399 ||
	    curl_easy_getinfo(p->easy, CURLINFO_REDIRECT_URL, &loc) !=
		    CURLE_OK ||
	    loc == NULL ||
	    curl_easy_getinfo(p->easy, CURLINFO_EFFECTIVE_URL, &eff) !=
		    CURLE_OK ||
	    eff == NULL || strstr(eff, "://") == NULL)
		return false;
	slash = strchr(strstr(eff, "://") + 3, '/');
	blen = slash ? (size_t)(slash - eff) : strlen(eff);
	*where = loc;
	return strncasecmp(loc, eff, blen) != 0 ||
	       (loc[blen] != '/' && loc[blen] != '\0' && loc[blen] != '?');
}

/* tells the guard how the login went; a failed HTTP_LOGIN_RETRY request
 * goes again with the next credential (pick_next asks the guard, which
 * skips a user settled as missing); a lockout ends it there too */
static void login_done(struct check_ctx *ctx, struct http_probe *p,
		       const struct http_req *req)
{
	enum cred_result v =
		req->login->verdict(http_resp(ctx_facts(ctx), req->name));

	ctx_cred_result(ctx, p->user, v);
	if ((req->flags & HTTP_LOGIN_RETRY) &&
	    (v == CRED_FAILED || v == CRED_NO_ACCOUNT)) {
		p->have_cred = false;
		p->next = p->cur;
	}
}

/* one finished transfer: 1 to go on, 0 when the probe is over, < 0 */
static int request_done(struct check_ctx *ctx, struct http_probe *p,
			CURLcode rc)
{
	const struct http_req *req = &p->mod->reqs[p->cur];
	const char *method = req->method ? req->method : "GET";
	const char *where = NULL;
	long status = 0;
	int err = 1;

	curl_multi_remove_handle(p->multi, p->easy);
	p->in_flight = false;
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && redirect_elsewhere(p, status, &where)) {
		ctx_status(
			ctx, STATUS_ERROR,
			"%s %s: HTTP %ld redirect to another address (%.200s), "
			"not followed",
			method, p->path, status, where);
		err = 0;
		goto out;
	}
	if (rc == CURLE_OK &&
	    !(plain_400(p, status) && !p->any_done && !p->fell_back)) {
		p->any_done = true;
		p->last_status = (int)status;
		err = record_response(ctx, p, status);
		if (err == 0 && req->login != NULL && p->have_cred)
			login_done(ctx, p, req);
		if (err == 0)
			err = 1;
		goto out;
	}
	if (p->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		ctx_status(ctx, STATUS_ERROR,
			   "%s %s: response body over %u "
			   "bytes: transfer aborted",
			   method, p->path, (unsigned)HTTP_BODY_MAX);
		err = 0;
		goto out;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		ctx_status(ctx, STATUS_TIMEOUT, "%s %s: %s", method, p->path,
			   p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc));
		err = 0;
		goto out;
	}
	if (!p->any_done && !p->fell_back && rc != CURLE_COULDNT_CONNECT) {
		/* maybe the other scheme: the same request once more */
		if (rc == CURLE_OK)
			snprintf(p->first_err, sizeof(p->first_err),
				 "%s: "
				 "HTTP %ld",
				 p->https ? "HTTPS" : "plain HTTP", status);
		else
			snprintf(p->first_err, sizeof(p->first_err), "%s: %s",
				 p->https ? "HTTPS" : "plain HTTP",
				 p->errbuf[0] ? p->errbuf
					      : curl_easy_strerror(rc));
		p->fell_back = true;
		p->https = !p->https;
		set_transport(ctx, p->https);
		p->next = p->cur;
		goto out;
	}
	ctx_status(ctx, STATUS_ERROR, "%s %s: %s%s%s%s", method, p->path,
		   p->first_err, p->first_err[0] ? "; " : "",
		   p->first_err[0] ? (p->https ? "HTTPS: " : "plain HTTP: ")
				   : "",
		   p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc));
	err = 0;
out:
	return err;
}

int http_start(struct check_ctx *ctx, void *state,
	       const struct http_module *mod)
{
	struct http_probe *p = state;
	int i, err = EXPO_ENOMEM;

	p->mod = mod;
	p->timer_ms = -1;
	for (i = 0; i < HTTP_MAX_SOCKS; i++)
		p->socks[i].fd = CURL_SOCKET_BAD;
	dynbuf_init(&p->body, HTTP_BODY_MAX);
	p->https = port_is_tls(mod, ctx_port(ctx));
	set_transport(ctx, p->https);
	p->multi = curl_multi_init();
	p->easy = curl_easy_init();
	if (p->multi == NULL || p->easy == NULL)
		goto out;
	p->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (p->headers == NULL)
		goto out;
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	/* libcurl prints only its verbose trace and progress meter, both to
	 * CURLOPT_STDERR: off, and that stream is /dev/null besides */
	curl_easy_setopt(p->easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(p->easy, CURLOPT_NOPROGRESS, 1L);
	if (curl_lib_sink() != NULL)
		curl_easy_setopt(p->easy, CURLOPT_STDERR, curl_lib_sink());
	curl_easy_setopt(p->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(p->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(p->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->easy, CURLOPT_HTTP_VERSION,
			 (long)CURL_HTTP_VERSION_1_1);
	/* probing, not trusting: the certificate is recorded as unverified */
	curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(p->easy, CURLOPT_USERAGENT, HTTP_UA);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(p->easy, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->easy, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(p->easy, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)HTTP_BODY_MAX);
	curl_easy_setopt(p->easy, CURLOPT_BUFFERSIZE, HTTP_RECV_BUFFER);
	err = 0;
out:
	if (err < 0) {
		/* start() failed: cleanup() is not called */
		http_cleanup(ctx, state);
	}
	return err;
}

/* what the engine should wait for, from curl's last wishes */
static int http_wait(struct check_ctx *ctx, struct http_probe *p)
{
	int i, w = 0;

	if (p->sock_removed) {
		/* a socket went away: a new one may reuse its number, which
		 * epoll has forgotten; let the engine unregister first */
		p->sock_removed = false;
		ctx_wake_after(ctx, 0);
		w = PROBE_WANT_TIMER;
		goto out;
	}
	for (i = 0; i < HTTP_MAX_SOCKS && w == 0; i++) {
		if (p->socks[i].fd == CURL_SOCKET_BAD || p->socks[i].what == 0)
			continue;
		ctx_set_fd(ctx, p->socks[i].fd);
		if (p->socks[i].what & CURL_POLL_IN)
			w |= PROBE_WANT_READ;
		if (p->socks[i].what & CURL_POLL_OUT)
			w |= PROBE_WANT_WRITE;
	}
	if (p->timer_ms >= 0) {
		ctx_wake_after(ctx, (unsigned)p->timer_ms);
		w |= PROBE_WANT_TIMER;
	}
	if (w == 0) {
		/* curl waits on nothing we know of: look again shortly */
		ctx_wake_after(ctx, 10);
		w = PROBE_WANT_TIMER;
	}
out:
	return w;
}

int http_step(struct check_ctx *ctx, void *state)
{
	struct http_probe *p = state;
	unsigned rounds;
	int running = 0, i, r = 0;

	/* bounded: each round either waits or moves to another request */
	for (rounds = 0; rounds < 2 * p->mod->nreqs + 8; rounds++) {
		CURLMsg *msg;
		int left = 0;
		bool over = false;

		if (!p->in_flight) {
			if (!p->picked && !pick_next(ctx, p)) {
				r = PROBE_DONE;
				goto out;
			}
			/* --host-rate: libcurl opens a new connection for any
			 * request whose server closed the last one, so each
			 * request after the first waits for a slot of the
			 * address, as a connection would (stricter than the
			 * limit when the connection is reused) */
			p->picked = true;
			if ((r = ctx_host_turn(ctx)) != 0)
				goto out;
			p->picked = false;
			ctx_host_spend(ctx);
			r = request_begin(ctx, p);
			if (r < 0)
				goto out;
		}
		for (i = 0; i < HTTP_MAX_SOCKS; i++)
			if (p->socks[i].fd != CURL_SOCKET_BAD)
				curl_multi_socket_action(
					p->multi, p->socks[i].fd, 0, &running);
		curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
		while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE || !p->in_flight)
				continue;
			r = request_done(ctx, p, msg->data.result);
			if (r < 0)
				goto out;
			if (r == 0)
				over = true;
		}
		if (over) {
			r = PROBE_DONE;
			goto out;
		}
		if (p->in_flight) {
			r = http_wait(ctx, p);
			goto out;
		}
	}
	/* not reached with a sane table; wait a moment rather than spin */
	ctx_wake_after(ctx, 1);
	r = PROBE_WANT_TIMER;
out:
	return r;
}

void http_cleanup(struct check_ctx *ctx, void *state)
{
	struct http_probe *p = state;

	(void)ctx;
	if (p->multi != NULL && p->easy != NULL && p->in_flight)
		curl_multi_remove_handle(p->multi, p->easy);
	p->in_flight = false;
	if (p->easy != NULL)
		curl_easy_cleanup(p->easy);
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	curl_slist_free_all(p->headers);
	curl_slist_free_all(p->req_headers);
	p->req_headers = NULL;
	p->easy = NULL;
	p->multi = NULL;
	p->headers = NULL;
	dynbuf_release(&p->body);
}

/* ---- readers for assess() ---- */

const cJSON *http_resp(const cJSON *facts, const char *name)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(facts, "responses");

	return cJSON_GetObjectItemCaseSensitive(r, name);
}

int http_status(const cJSON *facts, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(
		http_resp(facts, name), "status");

	return cJSON_IsNumber(s) ? s->valueint : 0;
}

const cJSON *http_json_ok(const cJSON *facts, const char *name)
{
	int st = http_status(facts, name);
	const cJSON *j = NULL;

	if (st >= 200 && st <= 299)
		j = cJSON_GetObjectItemCaseSensitive(http_resp(facts, name),
						     "json");
	return j;
}

const char *http_header(const cJSON *facts, const char *name,
			const char *header)
{
	return http_str(cJSON_GetObjectItemCaseSensitive(http_resp(facts, name),
							 "headers"),
			header);
}

bool http_mark(const cJSON *facts, const char *name, const char *mark)
{
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(
		http_resp(facts, name), "marks");
	const cJSON *m;

	cJSON_ArrayForEach(m, ms)
	{
		if (cJSON_IsString(m) && strcmp(m->valuestring, mark) == 0)
			return true;
	}
	return false;
}

const char *http_text(const cJSON *facts, const char *name)
{
	return http_str(http_resp(facts, name), "text");
}

const char *http_transport(const cJSON *facts)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(facts,
							     "tls_unverified"))
		       ? " over HTTPS (certificate not verified)"
		       : "";
}

const char *http_str(const cJSON *obj, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

int http_count(const cJSON *arr)
{
	return cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
}

int http_global_init(char *err, size_t errlen)
{
	return curl_lib_load(err, errlen);
}
