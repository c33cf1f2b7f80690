/*
 * smb_lib.h - libsmbclient, loaded at the first SMB session (dlopen)
 * instead of linked: it drags in about a hundred Samba libraries and
 * ~10 MB of resident memory that a scan without SMB sessions (port
 * discovery, SSH, ...) must not pay. The calls in smb.c keep their names:
 * below, each one becomes a call through the loaded library's table.
 */
#ifndef SMB_LIB_H
#define SMB_LIB_H

#include <stddef.h>
#include <libsmbclient.h>

#define SMB_LIB_SONAME "libsmbclient.so.0"

/* one symbol a line, kept so by hand */
/* clang-format off */
#define SMB_LIB_FUNCS(X) \
	X(smbc_new_context) \
	X(smbc_init_context) \
	X(smbc_free_context) \
	X(smbc_setDebug) \
	X(smbc_setLogCallback) \
	X(smbc_setOptionDebugToStderr) \
	X(smbc_setConfiguration) \
	X(smbc_setWorkgroup) \
	X(smbc_setUser) \
	X(smbc_setNetbiosName) \
	X(smbc_setTimeout) \
	X(smbc_setPort) \
	X(smbc_setOptionUserData) \
	X(smbc_getOptionUserData) \
	X(smbc_setOptionUseKerberos) \
	X(smbc_setOptionFallbackAfterKerberos) \
	X(smbc_setOptionUseCCache) \
	X(smbc_setOptionNoAutoAnonymousLogin) \
	X(smbc_setOptionProtocols) \
	X(smbc_setFunctionAuthDataWithContext) \
	X(smbc_getFunctionOpendir) \
	X(smbc_getFunctionReaddir) \
	X(smbc_getFunctionClosedir) \
	X(smbc_getFunctionPurgeCachedServers)
/* clang-format on */

struct smb_lib {
#define SMB_LIB_MEMBER(f) __typeof__(&f) f;
	SMB_LIB_FUNCS(SMB_LIB_MEMBER)
#undef SMB_LIB_MEMBER
};

extern struct smb_lib smb_lib;

/* loads the library once (thread-safe); 0, or < 0 with err filled */
int smb_lib_load(char *err, size_t errlen);

#ifndef SMB_LIB_IMPL
#define smbc_new_context (smb_lib.smbc_new_context)
#define smbc_init_context (smb_lib.smbc_init_context)
#define smbc_free_context (smb_lib.smbc_free_context)
#define smbc_setDebug (smb_lib.smbc_setDebug)
#define smbc_setLogCallback (smb_lib.smbc_setLogCallback)
#define smbc_setOptionDebugToStderr (smb_lib.smbc_setOptionDebugToStderr)
#define smbc_setConfiguration (smb_lib.smbc_setConfiguration)
#define smbc_setWorkgroup (smb_lib.smbc_setWorkgroup)
#define smbc_setUser (smb_lib.smbc_setUser)
#define smbc_setNetbiosName (smb_lib.smbc_setNetbiosName)
#define smbc_setTimeout (smb_lib.smbc_setTimeout)
#define smbc_setPort (smb_lib.smbc_setPort)
#define smbc_setOptionUserData (smb_lib.smbc_setOptionUserData)
#define smbc_getOptionUserData (smb_lib.smbc_getOptionUserData)
#define smbc_setOptionUseKerberos (smb_lib.smbc_setOptionUseKerberos)
#define smbc_setOptionFallbackAfterKerberos \
	(smb_lib.smbc_setOptionFallbackAfterKerberos)
#define smbc_setOptionUseCCache (smb_lib.smbc_setOptionUseCCache)
#define smbc_setOptionNoAutoAnonymousLogin \
	(smb_lib.smbc_setOptionNoAutoAnonymousLogin)
#define smbc_setOptionProtocols (smb_lib.smbc_setOptionProtocols)
#define smbc_setFunctionAuthDataWithContext \
	(smb_lib.smbc_setFunctionAuthDataWithContext)
#define smbc_getFunctionOpendir (smb_lib.smbc_getFunctionOpendir)
#define smbc_getFunctionReaddir (smb_lib.smbc_getFunctionReaddir)
#define smbc_getFunctionClosedir (smb_lib.smbc_getFunctionClosedir)
#define smbc_getFunctionPurgeCachedServers \
	(smb_lib.smbc_getFunctionPurgeCachedServers)
#endif

#endif
