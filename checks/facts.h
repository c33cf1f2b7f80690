/*
 * facts.h - what every check module does with its facts object (see
 * check.h: step() gathers facts, assess() reads them) and with its
 * non-blocking sockets; one copy instead of one per module.
 */
#ifndef EXPO_CHECK_FACTS_H
#define EXPO_CHECK_FACTS_H
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "expo.h"

/* setters replace an earlier value of the same key; 0 or EXPO_ENOMEM */
static inline int fact_set_str(cJSON *facts, const char *key, const char *val)
{
	cJSON_DeleteItemFromObjectCaseSensitive(facts, key);
	return cJSON_AddStringToObject(facts, key, val) ? 0 : EXPO_ENOMEM;
}

static inline int fact_set_bool(cJSON *facts, const char *key, bool val)
{
	cJSON_DeleteItemFromObjectCaseSensitive(facts, key);
	return cJSON_AddBoolToObject(facts, key, val) ? 0 : EXPO_ENOMEM;
}

static inline int fact_set_num(cJSON *facts, const char *key, double val)
{
	cJSON_DeleteItemFromObjectCaseSensitive(facts, key);
	return cJSON_AddNumberToObject(facts, key, val) ? 0 : EXPO_ENOMEM;
}

/* a string fact, or NULL */
static inline const char *fact_get_str(const cJSON *facts, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* a number fact, or -1 */
static inline double fact_get_num(const cJSON *facts, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static inline bool fact_is_true(const cJSON *facts, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(facts, key));
}

/* the first error of two step results (negative), else 0 */
static inline int keep_err(int err, int rc)
{
	return err < 0 ? err : (rc < 0 ? rc : 0);
}

/* the SO_ERROR of a non-blocking connect, as an errno value */
static inline int connect_error(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	return soerr;
}

/* records an error status (what failed, and why) and ends the step:
 * step() returns what this returns */
static inline int probe_fail(struct check_ctx *ctx, const char *what,
			     const char *why)
{
	ctx_status(ctx, STATUS_ERROR, "%s: %s", what, why);
	return PROBE_DONE;
}

#endif
