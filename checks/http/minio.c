/*
 * minio.c - minio.default_credentials: MinIO accepts its default root
 * credentials minioadmin/minioadmin (9000).
 *
 * What it sends (checks/http/http.c): GET /minio/health/live (MinIO's
 * liveness probe: 200 with "Server: MinIO"), and only if that answered
 * so, one S3 ListBuckets (GET /) signed with AWS Signature Version 4
 * (region us-east-1, service s3) with the access key minioadmin and the
 * secret key minioadmin: MinIO's root credentials when MINIO_ROOT_USER
 * and MINIO_ROOT_PASSWORD are not set. One attempt, through the
 * credential guard (--no-login skips it, --max-attempts caps it). Proof:
 * 2xx with an S3 ListAllMyBucketsResult body; wrong keys answer 403 with
 * <Code>InvalidAccessKeyId</Code> or SignatureDoesNotMatch. A valid
 * signature is what proves the keys: a server that answers anything to
 * anyone has no Server: MinIO liveness probe and S3 shape besides.
 * Evidence: the number of buckets (from a body of at most HTTP_TEXT_BIG
 * bytes), never their names.
 *
 * References: MinIO docs "Root user" (minioadmin default, change it),
 * "Healthcheck API" (/minio/health/live); AWS S3 API Reference
 * "ListBuckets" and "Signature Version 4: authenticating requests
 * (Authorization header)"; nuclei minio-default-login; CWE-1392;
 * ATT&CK T1078.001, T1530.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include "expo.h"
#include "check.h"
#include "http.h"
#include "sigv4.h"

#define MINIO_REGION "us-east-1"

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hmac(const unsigned char *key, size_t klen, const char *msg,
		unsigned char out[32])
{
	unsigned int olen = 0;

	if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
		 strlen(msg), out, &olen) == NULL ||
	    olen != 32)
		return -1;
	return 0;
}

int sigv4_authorization(const char *access_key, const char *secret_key,
			const char *region, const char *method,
			const char *path, const char *host, const char *amzdate,
			char *out, size_t size)
{
	char canon[1024], sts[512], scope[128], kbuf[160], day[9];
	unsigned char h[32], k[32];
	char hh[65], sig[65];
	int n;

	if (strlen(amzdate) != 16)
		return -1;
	memcpy(day, amzdate, 8);
	day[8] = '\0';
	n = snprintf(
		canon, sizeof(canon),
		"%s\n%s\n\nhost:%s\nx-amz-content-sha256:%s\n"
		"x-amz-date:%s\n\nhost;x-amz-content-sha256;x-amz-date\n%s",
		method, path, host, SIGV4_EMPTY_SHA256, amzdate,
		SIGV4_EMPTY_SHA256);
	if (n <= 0 || (size_t)n >= sizeof(canon))
		return -1;
	SHA256((const unsigned char *)canon, (size_t)n, h);
	hex(h, sizeof(h), hh);
	n = snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", day,
		     region);
	if (n <= 0 || (size_t)n >= sizeof(scope))
		return -1;
	n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", amzdate,
		     scope, hh);
	if (n <= 0 || (size_t)n >= sizeof(sts))
		return -1;
	n = snprintf(kbuf, sizeof(kbuf), "AWS4%s", secret_key);
	if (n <= 0 || (size_t)n >= sizeof(kbuf))
		return -1;
	/* kDate, kRegion, kService, kSigning, then the signature */
	if (hmac((const unsigned char *)kbuf, (size_t)n, day, k) < 0 ||
	    hmac(k, sizeof(k), region, k) < 0 ||
	    hmac(k, sizeof(k), "s3", k) < 0 ||
	    hmac(k, sizeof(k), "aws4_request", k) < 0 ||
	    hmac(k, sizeof(k), sts, h) < 0)
		return -1;
	hex(h, sizeof(h), sig);
	n = snprintf(out, size,
		     "AWS4-HMAC-SHA256 Credential=%s/%s, "
		     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
		     "Signature=%s",
		     access_key, scope, sig);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* the Host header curl sends: the URL's authority */
static bool url_host(const char *url, char *out, size_t size)
{
	const char *a = strstr(url, "://"), *e;

	if (a == NULL)
		return false;
	a += 3;
	e = strchr(a, '/');
	if (e == NULL || (size_t)(e - a) >= size)
		return false;
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return true;
}

static bool mn_sign(struct http_probe *p, const char *user,
		    const char *password, struct curl_slist **hdrs)
{
	char host[96], date[20], auth[512], line[600];
	struct curl_slist *n;
	struct tm tm;
	time_t now = time(NULL);

	/* access keys are printable and short; nothing else goes in a
	 * header */
	if (strpbrk(user, "\r\n/, ") != NULL || strpbrk(password, "\r\n"))
		return false;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm) != 16 ||
	    !url_host(p->url, host, sizeof(host)) ||
	    sigv4_authorization(user, password, MINIO_REGION, "GET", "/", host,
				date, auth, sizeof(auth)) < 0)
		return false;
	snprintf(line, sizeof(line), "X-Amz-Date: %s", date);
	n = curl_slist_append(*hdrs, line);
	if (n == NULL)
		return false;
	*hdrs = n;
	n = curl_slist_append(*hdrs,
			      "X-Amz-Content-Sha256: " SIGV4_EMPTY_SHA256);
	if (n == NULL)
		return false;
	*hdrs = n;
	snprintf(line, sizeof(line), "Authorization: %s", auth);
	n = curl_slist_append(*hdrs, line);
	if (n == NULL)
		return false;
	*hdrs = n;
	return true;
}

static enum cred_result mn_verdict(const cJSON *resp)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	const char *t = http_str(resp, "text");

	if (cJSON_IsNumber(st) && st->valueint >= 200 && st->valueint <= 299 &&
	    t != NULL && strstr(t, "<ListAllMyBucketsResult") != NULL &&
	    strstr(t, "</ListAllMyBucketsResult>") != NULL)
		return CRED_ACCEPTED;
	return CRED_FAILED;
}

static const struct http_login mn_login = {
	.sign = mn_sign,
	.verdict = mn_verdict,
};

static bool is_minio(const char *server)
{
	return server != NULL && strncmp(server, "MinIO", 5) == 0;
}

/* the credential goes only to a server whose liveness probe is MinIO's */
static bool mn_buckets_path(const cJSON *facts, char *buf, size_t size)
{
	int st = http_status(facts, "live");

	if (st < 200 || st > 299 ||
	    !is_minio(http_header(facts, "live", "server")))
		return false;
	snprintf(buf, size, "/");
	return true;
}

static const struct http_req mn_reqs[] = {
	{ .name = "live", .path = "/minio/health/live" },
	{ .name = "buckets", .path_fn = mn_buckets_path, .login = &mn_login },
};

static const char *const mn_headers[] = { "server", NULL };

static const struct http_module mn_http = {
	.reqs = mn_reqs,
	.nreqs = ARRAY_SIZE(mn_reqs),
	.headers = mn_headers,
	.text_max = HTTP_TEXT_BIG,
};

static int mn_start(struct check_ctx *ctx, void *state)
{
	return http_start(ctx, state, &mn_http);
}

static int mn_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *r = http_resp(facts, "buckets");
	const char *u = http_str(r, "user"), *pw = http_str(r, "password");
	const char *t = http_str(r, "text"), *s;
	char path[4];
	int n = 0;

	if (!mn_buckets_path(facts, path, sizeof(path)) ||
	    !is_minio(http_header(facts, "buckets", "server")) || u == NULL ||
	    pw == NULL || mn_verdict(r) != CRED_ACCEPTED)
		return 0;
	for (s = t; (s = strstr(s, "<Bucket>")) != NULL; s += 8)
		n++;
	return ctx_report(ctx, "minio.default_credentials", pw,
			  "MinIO: S3 ListBuckets signed (SigV4) with access "
			  "key %s and %s answered ListAllMyBucketsResult: %d "
			  "bucket%s%s",
			  u,
			  strcmp(u, pw) == 0 ? "the default secret key"
					     : "a listed secret key",
			  n, n == 1 ? "" : "s", http_transport(facts));
}

static const struct rule mn_rules[] = {
	{
		.id = "minio.default_credentials",
		.title = "MinIO accepts its default root credentials",
		.description =
			"The root user still has MinIO's default keys "
			"(minioadmin): anyone who reaches the port reads, "
			"writes and deletes every object and bucket, and "
			"administers the server.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1078.001; "
			      "ATT&CK T1530",
		.remediation = "Set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD "
			       "to strong values and restart, use access "
			       "keys of least privilege for clients, and "
			       "firewall ports 9000 and 9001.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const mn_services[] = { HTTP_SERVICES, "cslistener", NULL };
static const uint16_t mn_ports[] = { 9000 };
static const char *const mn_users[] = { "minioadmin", NULL };
static const char *const mn_passwords[] = { "minioadmin", NULL };

const struct check check_minio = {
	.global_init = http_global_init,
	.name = "minio",
	.summary = "MinIO: the default root keys minioadmin (9000)",
	.services = mn_services,
	.ports = mn_ports,
	.nports = ARRAY_SIZE(mn_ports),
	.flags = CHECK_LOGIN | CHECK_CREDS_PAIRED,
	.rules = mn_rules,
	.nrules = ARRAY_SIZE(mn_rules),
	.default_users = mn_users,
	.default_passwords = mn_passwords,
	.default_max_attempts = 1,
	.state_size = sizeof(struct http_probe),
	.start = mn_start,
	.step = http_step,
	.cleanup = http_cleanup,
	.assess = mn_assess,
};
