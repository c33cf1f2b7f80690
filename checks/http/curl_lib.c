/* curl_lib.c - libcurl's table, filled at the first HTTP scan */
#define CURL_LIB_IMPL
#include <pthread.h>
#include <stdio.h>
#include "curl_lib.h"
#include "expo.h"
#include "lazylib.h"

struct curl_lib curl_lib;

static const char *const curl_sonames[] = { "libcurl.so.4",
					    "libcurl-gnutls.so.4", NULL };

static const struct lazylib_sym curl_syms[] = {
#define CURL_LIB_SYM(f) { #f, (void **)&curl_lib.f },
	CURL_LIB_FUNCS(CURL_LIB_SYM)
#undef CURL_LIB_SYM
};

static struct lazylib curl_lazy =
	LAZYLIB_INIT(curl_sonames, curl_syms, ARRAY_SIZE(curl_syms));

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;
static FILE *curl_sink;

static void curl_init_once(void)
{
	curl_init_result = curl_lib.curl_global_init(CURL_GLOBAL_DEFAULT);
	/* open for the life of the process, like the library */
	curl_sink = fopen("/dev/null", "we");
}

FILE *curl_lib_sink(void)
{
	return curl_sink;
}

int curl_lib_load(char *err, size_t errlen)
{
	int r = lazylib_load(&curl_lazy, err, errlen);

	if (r != 0)
		return r;
	/* curl_global_init is not thread-safe: the engine calls us before
	 * its threads start (check.h global_init) */
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed (%d)",
			 (int)curl_init_result);
		return EXPO_EINVAL;
	}
	return 0;
}
