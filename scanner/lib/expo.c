/* expo.c - text for the EXPO_E* program error codes, and the string hash */
#include "expo.h"

const char *expo_strerror(int err)
{
	switch (err) {
	case EXPO_OK:
		return "success";
	case EXPO_ENOMEM:
		return "out of memory";
	case EXPO_EINVAL:
		return "invalid argument";
	case EXPO_EIO:
		return "input/output error";
	case EXPO_EPARSE:
		return "malformed input";
	case EXPO_ETOOBIG:
		return "size limit exceeded";
	case EXPO_ESYS:
		return "system call failed";
	case EXPO_ERULE:
		return "rule not declared by the check";
	case EXPO_ENOTFOUND:
		return "not found";
	case EXPO_ECLOSED:
		return "connection closed by peer";
	case EXPO_EPROTO:
		return "protocol violation by peer";
	}
	return "unknown error";
}

uint64_t expo_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}
