/*
 * lazylib.h - a shared library opened at first use (dlopen), for the
 * heavy client libraries of some checks (libsmbclient, FreeRDP), so that
 * scans that never reach them neither load them nor pay their memory.
 */
#ifndef LAZYLIB_H
#define LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

struct lazylib_sym {
	const char *name;
	void **slot; /* where the function pointer goes */
};

struct lazylib {
	const char *const *sonames; /* tried in order, NULL-ended */
	const struct lazylib_sym *syms;
	size_t nsyms;
	pthread_once_t once;
	int status; /* 0 loaded, < 0 failed */
	char error[256];
};

#define LAZYLIB_INIT(sonames_, syms_, nsyms_)                              \
	{                                                                  \
		.sonames = (sonames_), .syms = (syms_), .nsyms = (nsyms_), \
		.once = PTHREAD_ONCE_INIT                                  \
	}

/* opens the library and resolves every symbol, once for the process;
 * 0, or < 0 with the reason copied into err */
int lazylib_load(struct lazylib *l, char *err, size_t errlen);

#endif
