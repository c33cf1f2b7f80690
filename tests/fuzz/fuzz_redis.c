/*
 * fuzz_redis.c - libFuzzer harness for the Redis RESP reply and INFO
 * parsers (checks/raw/redis_wire.c), fed as checks/raw/redis.c feeds them: the
 * reply from the start of the input, then the INFO text inside a bulk
 * reply; also the INFO parser on the raw input, and the reply stream the
 * compromise-indicator rounds read (redis_wire_next).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/redis_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct redis_reply r;
	struct redis_info info;
	char code[24];
	size_t used = 0;

	(void)redis_wire_info(buf, size, &info);
	/* the sign rounds' reader: a stream of replies */
	for (size_t off = 0, k = 0; k < 64 && off < size; k++) {
		if (redis_wire_next(buf + off, size - off, &r, &used) != 0)
			break;
		if (used == 0 || used > size - off)
			__builtin_trap();
		off += used;
	}
	if (redis_wire_reply(buf, size, &r, &used) != 0)
		return 0;
	if (used > size ||
	    (r.data != NULL && (r.data < buf || r.data + r.len > buf + size)))
		__builtin_trap();
	if (r.type == REDIS_R_ERROR)
		redis_wire_errcode(&r, code, sizeof(code));
	if (r.type == REDIS_R_BULK &&
	    redis_wire_info(r.data, r.len, &info) == 0 &&
	    (strlen(info.version) >= sizeof(info.version) || info.keys < 0))
		__builtin_trap();
	return 0;
}
