/* xml_lib.c - libxml2's table, filled at first use (see include/xml_lib.h) */
#define XML_LIB_IMPL
#include "xml_lib.h"
#include "lazylib.h"

struct xml_lib xml_lib;

static const char *const xml_sonames[] = { "libxml2.so.2", NULL };

static const struct lazylib_sym xml_syms[] = {
#define XML_LIB_SYM(f) { #f, (void **)&xml_lib.f },
	XML_LIB_FUNCS(XML_LIB_SYM)
#undef XML_LIB_SYM
	/* a data symbol: the address of the variable, read at each call */
	{ "xmlFree", (void **)&xml_lib.free_fn },
};

static struct lazylib xml_lazy = LAZYLIB_INIT(
	xml_sonames, xml_syms, sizeof(xml_syms) / sizeof(xml_syms[0]));

int xml_lib_load(char *err, size_t errlen)
{
	return lazylib_load(&xml_lazy, err, errlen);
}
