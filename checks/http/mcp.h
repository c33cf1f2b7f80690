/*
 * mcp.h - the pure parts of the MCP check (checks/http/mcp.c), for the
 * unit tests and the fuzzer.
 */
#ifndef CHECKS_MCP_H
#define CHECKS_MCP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* the JSON-RPC answer (result or error) with this id in a message or a
 * batch, or NULL; points into msg */
cJSON *mcp_find_answer(const cJSON *msg, int id);

/* the path to POST to from an HTTP+SSE "endpoint" event's data: a path
 * ("/message?sessionId=...") or an absolute URL that starts with base
 * ("http://127.0.0.1:3001"); anything else (another host, controls,
 * spaces) is refused with EXPO_EINVAL, too long with EXPO_ETOOBIG */
int mcp_endpoint_path(const char *data, size_t len, const char *base, char *out,
		      size_t size);

/* a tool whose name says it runs commands or touches files */
bool mcp_tool_runs_code(const char *name);

#endif
