/* pq_lib.c - libpq's table, filled at first use (see include/pq_lib.h) */
#define PQ_LIB_IMPL
#include "pq_lib.h"
#include "lazylib.h"

struct pq_lib pq_lib;

static const char *const pq_sonames[] = { "libpq.so.5", NULL };

static const struct lazylib_sym pq_syms[] = {
#define PQ_LIB_SYM(f) { #f, (void **)&pq_lib.f },
	PQ_LIB_FUNCS(PQ_LIB_SYM)
#undef PQ_LIB_SYM
};

static struct lazylib pq_lazy =
	LAZYLIB_INIT(pq_sonames, pq_syms, sizeof(pq_syms) / sizeof(pq_syms[0]));

int pq_lib_load(char *err, size_t errlen)
{
	return lazylib_load(&pq_lazy, err, errlen);
}
