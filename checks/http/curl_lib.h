/*
 * curl_lib.h - libcurl, opened when a scan first has an HTTP probe
 * (dlopen) instead of linked: with its TLS, LDAP, RTMP and IDN
 * dependencies it costs ~2 MB of resident memory that scans without HTTP
 * checks must not pay. http.c includes this instead of <curl/curl.h>; the
 * calls keep their names and go through the loaded library's table.
 */
#ifndef CURL_LIB_H
#define CURL_LIB_H

#include <stddef.h>
#include <stdio.h>
/* the type-checking macros of curl.h would hide the function names */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* one symbol a line, kept so by hand */
/* clang-format off */
#define CURL_LIB_FUNCS(X) \
	X(curl_global_init) \
	X(curl_easy_init) \
	X(curl_easy_cleanup) \
	X(curl_easy_setopt) \
	X(curl_easy_getinfo) \
	X(curl_easy_strerror) \
	X(curl_multi_init) \
	X(curl_multi_cleanup) \
	X(curl_multi_setopt) \
	X(curl_multi_add_handle) \
	X(curl_multi_remove_handle) \
	X(curl_multi_socket_action) \
	X(curl_multi_info_read) \
	X(curl_slist_append) \
	X(curl_slist_free_all)
/* clang-format on */

struct curl_lib {
#define CURL_LIB_MEMBER(f) __typeof__(&f) f;
	CURL_LIB_FUNCS(CURL_LIB_MEMBER)
#undef CURL_LIB_MEMBER
};

extern struct curl_lib curl_lib;

/* loads libcurl and runs curl_global_init, once per process */
int curl_lib_load(char *err, size_t errlen);
/* /dev/null for CURLOPT_STDERR (NULL if it could not be opened) */
FILE *curl_lib_sink(void);

#ifndef CURL_LIB_IMPL
/* curl.h defines these three as pass-through macros */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init (curl_lib.curl_global_init)
#define curl_easy_init (curl_lib.curl_easy_init)
#define curl_easy_cleanup (curl_lib.curl_easy_cleanup)
#define curl_easy_setopt (curl_lib.curl_easy_setopt)
#define curl_easy_getinfo (curl_lib.curl_easy_getinfo)
#define curl_easy_strerror (curl_lib.curl_easy_strerror)
#define curl_multi_init (curl_lib.curl_multi_init)
#define curl_multi_cleanup (curl_lib.curl_multi_cleanup)
#define curl_multi_setopt (curl_lib.curl_multi_setopt)
#define curl_multi_add_handle (curl_lib.curl_multi_add_handle)
#define curl_multi_remove_handle (curl_lib.curl_multi_remove_handle)
#define curl_multi_socket_action (curl_lib.curl_multi_socket_action)
#define curl_multi_info_read (curl_lib.curl_multi_info_read)
#define curl_slist_append (curl_lib.curl_slist_append)
#define curl_slist_free_all (curl_lib.curl_slist_free_all)
#endif

#endif
