/*
 * sigv4.h - AWS Signature Version 4 for one S3 request without a body
 * (private to checks/http/, used by minio.c; the signing keys and hashes
 * come from OpenSSL's HMAC-SHA256 and SHA-256).
 */
#ifndef CHECKS_SIGV4_H
#define CHECKS_SIGV4_H

#include <stddef.h>

#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=...") of
 * METHOD PATH (no query) with the headers Host: host, X-Amz-Date: amzdate
 * ("YYYYMMDDTHHMMSSZ") and X-Amz-Content-Sha256 of the empty body, for
 * service s3 in region. 0, or < 0 if it does not fit in out. */
int sigv4_authorization(const char *access_key, const char *secret_key,
			const char *region, const char *method,
			const char *path, const char *host, const char *amzdate,
			char *out, size_t size);

#endif
