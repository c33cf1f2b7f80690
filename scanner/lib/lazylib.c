/* lazylib.c - dlopen at first use (see lazylib.h) */
#include <dlfcn.h>
#include <stdio.h>
#include "expo.h"
#include "lazylib.h"

/* pthread_once takes no argument: the library being loaded is handed over
 * under this lock */
static pthread_mutex_t lazylib_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lazylib *lazylib_current;

static void lazylib_open(void)
{
	struct lazylib *l = lazylib_current;
	void *h = NULL;
	size_t i;

	for (i = 0; l->sonames[i] != NULL && h == NULL; i++)
		h = dlopen(l->sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(l->error, sizeof(l->error), "cannot load %s: %s",
			 l->sonames[0], dlerror());
		l->status = EXPO_ENOTFOUND;
		return;
	}
	for (i = 0; i < l->nsyms; i++) {
		*l->syms[i].slot = dlsym(h, l->syms[i].name);
		if (*l->syms[i].slot == NULL) {
			snprintf(l->error, sizeof(l->error), "%s has no %s",
				 l->sonames[0], l->syms[i].name);
			l->status = EXPO_ENOTFOUND;
			return;
		}
	}
	/* the handle stays open for the life of the process, on purpose */
	l->status = 0;
}

int lazylib_load(struct lazylib *l, char *err, size_t errlen)
{
	pthread_mutex_lock(&lazylib_lock);
	lazylib_current = l;
	pthread_once(&l->once, lazylib_open);
	pthread_mutex_unlock(&lazylib_lock);
	if (l->status != 0 && err != NULL)
		snprintf(err, errlen, "%s", l->error);
	return l->status;
}
