/*
 * fuzz_http_response.c - libFuzzer harness for the HTTP response handling
 * of the API checks: the real module (its start, step, request table and
 * path builders), checks/http/http.c (header and body callbacks, the
 * plain-HTTP-on-a-TLS-port test, the scheme fallback, the JSON body
 * sniffing, the facts) and then assess(), against raw HTTP responses.
 * libcurl is replaced by a stand-in behind the curl_lib table: each
 * transfer "receives" the next response of the input, split into the
 * status line, header lines and body the way libcurl hands them over.
 * fuzz_httpapi_assess covers assess() on bare JSON bodies; this one adds
 * statuses, headers (WWW-Authenticate, Content-Type), non-JSON bodies,
 * failed transfers and the order of requests.
 * Input: byte 0 picks the check, its port and --intrusive; then responses
 * separated by a line "@@next@@" (the last one answers every later
 * request). Seeds: tests/fuzz/corpus/fuzz_http_response (from
 * tests/fixtures/replay).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#define CURL_LIB_IMPL 1 /* the real names: the stand-ins are set below */
#include "http/curl_lib.h"
#include "check.h"
#include "config.h"
#include "context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct check check_docker, check_kubelet, check_kubernetes,
	check_etcd, check_jupyter, check_elasticsearch, check_consul,
	check_yarn, check_ray, check_selenium;

static const struct check *const all[] = {
	&check_docker,	&check_kubelet,	      &check_kubernetes, &check_etcd,
	&check_jupyter, &check_elasticsearch, &check_consul,	 &check_yarn,
	&check_ray,	&check_selenium,
};

#define SEP "\n@@next@@\n"
#define MAX_STEPS 64

/* ---- the libcurl stand-in: one easy handle, transfers from the input */

static struct {
	const uint8_t *p, *end; /* responses not yet served */
	const uint8_t *last;	/* the last response, served again */
	size_t lastlen;
	curl_write_callback write_cb, header_cb;
	void *write_ud, *header_ud;
	char *errbuf;
	bool pending, done;
	CURLcode result;
	long status;
	char ctype[256];
	bool have_ctype;
} fk;
static int fk_handle; /* its address stands for CURL * and CURLM * */

static CURL *fk_easy_init(void)
{
	return (CURL *)&fk_handle;
}
static void fk_easy_cleanup(CURL *e)
{
	(void)e;
}
static CURLcode fk_easy_setopt(CURL *e, CURLoption opt, ...)
{
	va_list ap;

	(void)e;
	va_start(ap, opt);
	if (opt == CURLOPT_WRITEFUNCTION)
		fk.write_cb = va_arg(ap, curl_write_callback);
	else if (opt == CURLOPT_HEADERFUNCTION)
		fk.header_cb = va_arg(ap, curl_write_callback);
	else if (opt == CURLOPT_WRITEDATA)
		fk.write_ud = va_arg(ap, void *);
	else if (opt == CURLOPT_HEADERDATA)
		fk.header_ud = va_arg(ap, void *);
	else if (opt == CURLOPT_ERRORBUFFER)
		fk.errbuf = va_arg(ap, char *);
	va_end(ap);
	return CURLE_OK;
}
static CURLcode fk_easy_getinfo(CURL *e, CURLINFO info, ...)
{
	CURLcode rc = CURLE_OK;
	va_list ap;

	(void)e;
	va_start(ap, info);
	if (info == CURLINFO_RESPONSE_CODE)
		*va_arg(ap, long *) = fk.status;
	else if (info == CURLINFO_CONTENT_TYPE)
		*va_arg(ap, char **) = fk.have_ctype ? fk.ctype : NULL;
	else
		rc = CURLE_UNKNOWN_OPTION;
	va_end(ap);
	return rc;
}
static const char *fk_easy_strerror(CURLcode c)
{
	(void)c;
	return "transfer failed (fuzz)";
}
static CURLM *fk_multi_init(void)
{
	return (CURLM *)&fk_handle;
}
static CURLMcode fk_multi_cleanup(CURLM *m)
{
	(void)m;
	return CURLM_OK;
}
static CURLMcode fk_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	(void)m;
	(void)opt;
	return CURLM_OK;
}
static CURLMcode fk_multi_add_handle(CURLM *m, CURL *e)
{
	(void)m;
	(void)e;
	fk.pending = true;
	return CURLM_OK;
}
static CURLMcode fk_multi_remove_handle(CURLM *m, CURL *e)
{
	(void)m;
	(void)e;
	fk.pending = false;
	return CURLM_OK;
}
static struct curl_slist fk_slist;
static struct curl_slist *fk_slist_append(struct curl_slist *l, const char *s)
{
	(void)l;
	(void)s;
	return &fk_slist;
}
static void fk_slist_free_all(struct curl_slist *l)
{
	(void)l;
}

static bool fk_header(const char *line, size_t n)
{
	static const char ct[] = "content-type:";
	const char *all = line;
	size_t k, len = n;
	char *copy;
	bool ok;

	if (n > sizeof(ct) - 1 && strncasecmp(line, ct, sizeof(ct) - 1) == 0) {
		/* as libcurl keeps it: blanks and line end trimmed */
		line += sizeof(ct) - 1;
		n -= sizeof(ct) - 1;
		while (n > 0 && (*line == ' ' || *line == '\t'))
			line++, n--;
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
				 line[n - 1] == ' '))
			n--;
		k = n < sizeof(fk.ctype) - 1 ? n : sizeof(fk.ctype) - 1;
		memcpy(fk.ctype, line, k);
		fk.ctype[k] = '\0';
		fk.have_ctype = true;
	}
	/* an exact-size heap copy: ASan sees any read past the line */
	copy = malloc(len ? len : 1);
	if (copy == NULL)
		return false;
	memcpy(copy, all, len);
	ok = fk.header_cb(copy, 1, len, fk.header_ud) == len;
	free(copy);
	return ok;
}

/* one transfer: the next response through the callbacks */
static void fk_transfer(void)
{
	const char *r, *end, *sep, *eol;
	size_t n, chunk;
	bool blank;

	if (fk.p < fk.end) {
		sep = memmem(fk.p, (size_t)(fk.end - fk.p), SEP,
			     sizeof(SEP) - 1);
		n = sep ? (size_t)((const uint8_t *)sep - fk.p)
			: (size_t)(fk.end - fk.p);
		fk.last = fk.p;
		fk.lastlen = n;
		fk.p = sep ? (const uint8_t *)sep + sizeof(SEP) - 1 : fk.end;
	}
	r = (const char *)fk.last;
	end = r + fk.lastlen;
	fk.status = 0;
	fk.have_ctype = false;
	fk.result = CURLE_OK;
	if (fk.errbuf != NULL)
		fk.errbuf[0] = '\0';
	/* the status line: "HTTP/1.x NNN ..." or a failed transfer */
	if ((size_t)(end - r) < 12 || memcmp(r, "HTTP/1.", 7) != 0 ||
	    r[8] != ' ' || r[9] < '1' || r[9] > '9' || r[10] < '0' ||
	    r[10] > '9' || r[11] < '0' || r[11] > '9') {
		fk.result = fk.lastlen == 0 ? CURLE_GOT_NOTHING
					    : CURLE_WEIRD_SERVER_REPLY;
		goto out;
	}
	fk.status = (r[9] - '0') * 100 + (r[10] - '0') * 10 + (r[11] - '0');
	for (;;) {
		eol = memchr(r, '\n', (size_t)(end - r));
		n = eol ? (size_t)(eol - r) + 1 : (size_t)(end - r);
		if (!fk_header(r, n)) {
			fk.result = CURLE_WRITE_ERROR;
			goto out;
		}
		/* the blank line ends them */
		blank = n == 1 || (n == 2 && r[0] == '\r');
		r += n;
		if (eol == NULL || blank)
			break;
	}
	while (r < end) {
		chunk = (size_t)(end - r) < CURL_MAX_WRITE_SIZE
				? (size_t)(end - r)
				: CURL_MAX_WRITE_SIZE;
		if (fk.write_cb((char *)r, 1, chunk, fk.write_ud) != chunk) {
			fk.result = CURLE_WRITE_ERROR;
			goto out;
		}
		r += chunk;
	}
out:
	if (fk.result != CURLE_OK && fk.errbuf != NULL)
		memcpy(fk.errbuf, "fuzz: transfer failed",
		       sizeof("fuzz: transfer failed"));
	fk.done = true;
}

static CURLMcode fk_multi_socket_action(CURLM *m, curl_socket_t s, int ev,
					int *running)
{
	(void)m;
	(void)s;
	(void)ev;
	if (fk.pending && !fk.done)
		fk_transfer();
	*running = 0;
	return CURLM_OK;
}
static CURLMsg *fk_multi_info_read(CURLM *m, int *left)
{
	static CURLMsg msg;

	*left = 0;
	if (!fk.pending || !fk.done)
		return NULL;
	fk.done = false;
	msg.msg = CURLMSG_DONE;
	msg.easy_handle = (CURL *)&fk_handle;
	msg.data.result = fk.result;
	(void)m;
	return &msg;
}

static void fk_install(void)
{
	curl_lib.curl_easy_init = fk_easy_init;
	curl_lib.curl_easy_cleanup = fk_easy_cleanup;
	curl_lib.curl_easy_setopt = fk_easy_setopt;
	curl_lib.curl_easy_getinfo = fk_easy_getinfo;
	curl_lib.curl_easy_strerror = fk_easy_strerror;
	curl_lib.curl_multi_init = fk_multi_init;
	curl_lib.curl_multi_cleanup = fk_multi_cleanup;
	curl_lib.curl_multi_setopt = fk_multi_setopt;
	curl_lib.curl_multi_add_handle = fk_multi_add_handle;
	curl_lib.curl_multi_remove_handle = fk_multi_remove_handle;
	curl_lib.curl_multi_socket_action = fk_multi_socket_action;
	curl_lib.curl_multi_info_read = fk_multi_info_read;
	curl_lib.curl_slist_append = fk_slist_append;
	curl_lib.curl_slist_free_all = fk_slist_free_all;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_config cfg[2];
	static struct target_addr addr;
	static struct target t = { .id = "list:127.0.0.1" };
	static int ready;
	const struct check *c;
	struct check_ctx *ctx = NULL;
	void *state = NULL;
	int k, r;

	if (size < 1)
		return 0;
	if (!ready) {
		fk_install();
		scan_config_defaults(&cfg[0]);
		scan_config_defaults(&cfg[1]);
		cfg[1].intrusive = true;
		target_addr_parse(&addr, "127.0.0.1");
		t.addrs = &addr;
		t.naddrs = 1;
		ready = 1;
	}
	c = all[(data[0] & 0x0f) % (sizeof(all) / sizeof(all[0]))];
	memset(&fk, 0, sizeof(fk));
	fk.p = data + 1;
	fk.end = data + size;
	fk.last = fk.p;
	ctx = ctx_new(c, &cfg[data[0] >> 7], &t, &addr,
		      c->ports[((data[0] >> 4) & 7) % c->nports], NULL);
	state = calloc(1, c->state_size);
	if (ctx == NULL || state == NULL)
		goto out;
	r = c->start(ctx, state);
	if (r < 0)
		goto out; /* start() cleaned up */
	/* as the engine: step() once after start(), then until done */
	for (k = 0, r = PROBE_WANT_TIMER; k < MAX_STEPS && r > 0; k++)
		r = c->step(ctx, state);
	/* every transfer ends in one step: the table is run through */
	if (k == MAX_STEPS)
		__builtin_trap();
	c->cleanup(ctx, state);
	c->assess(ctx_facts(ctx), ctx);
out:
	free(state);
	ctx_free(ctx);
	return 0;
}
