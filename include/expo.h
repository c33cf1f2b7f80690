/*
 * expo.h - program error codes shared by every part of exposure.
 *
 * Errors are negative EXPO_E* constants; 0 is success. expo_strerror()
 * turns one into text. A target's outcome is never an error code: it is a
 * status (see finding.h, enum probe_status). expo_hash() is the one string
 * hash of the program's small hash tables.
 */
#ifndef EXPO_H
#define EXPO_H

#include <stdint.h>

#define EXPO_VERSION "0.1.0"

/* elements of an array (not of a pointer) */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum expo_err {
	EXPO_OK = 0,
	EXPO_ENOMEM = -1,    /* allocation failed */
	EXPO_EINVAL = -2,    /* bad argument or bad input */
	EXPO_EIO = -3,	     /* read/write failed */
	EXPO_EPARSE = -4,    /* malformed input */
	EXPO_ETOOBIG = -5,   /* a bound was exceeded */
	EXPO_ESYS = -6,	     /* a system call failed (see errno) */
	EXPO_ERULE = -7,     /* a check reported a rule it did not declare */
	EXPO_ENOTFOUND = -8, /* no such item */
	EXPO_ECLOSED = -9,   /* the peer closed the connection */
	EXPO_EPROTO = -10,   /* the peer broke the protocol */
};

const char *expo_strerror(int err);
/* FNV-1a (64-bit) of a NUL-terminated string */
uint64_t expo_hash(const char *s);

#endif
