/* smb_lib.c - libsmbclient's table, filled at the first SMB session */
#if defined(__has_include)
#if __has_include(<libsmbclient.h>)
#define SMB_LIB_IMPL
#include "expo.h"
#include "smb_lib.h"
#include "lazylib.h"

struct smb_lib smb_lib;

static const char *const smb_sonames[] = { SMB_LIB_SONAME, NULL };

static const struct lazylib_sym smb_syms[] = {
#define SMB_LIB_SYM(f) { #f, (void **)&smb_lib.f },
	SMB_LIB_FUNCS(SMB_LIB_SYM)
#undef SMB_LIB_SYM
};

static struct lazylib smb_lazy =
	LAZYLIB_INIT(smb_sonames, smb_syms, ARRAY_SIZE(smb_syms));

int smb_lib_load(char *err, size_t errlen)
{
	return lazylib_load(&smb_lazy, err, errlen);
}
#endif
#endif
