/*
 * fuzz_mongodb.c - libFuzzer harness for the OP_MSG framing and the BSON
 * reader (checks/raw/mongodb_wire.c): the input as a whole reply, and as a
 * bare BSON document whose every element (and nested document) is
 * walked the way checks/raw/mongodb.c reads them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "raw/mongodb_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(struct bson_iter *it, unsigned depth)
{
	struct bson_elem e;
	struct bson_iter sub;
	const char *s = NULL;
	size_t n = 0, total = 0;
	double v;

	while (bson_next(it, &e) == 1) {
		if (e.val < it->p || e.val + e.vlen > it->p + it->len)
			__builtin_trap();
		total += strlen(e.key);
		(void)bson_number(&e, &v);
		if (bson_string(&e, &s, &n))
			total += n + (size_t)s[n]; /* s[n] is the NUL */
		if (depth < MONGO_BSON_DEPTH && bson_subdoc(&e, &sub))
			total += walk(&sub, depth + 1);
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mongo_msg m;
	struct bson_iter it;
	struct bson_elem e;
	size_t used = 0;

	if (bson_doc(data, size, &it) == 0) {
		(void)walk(&it, 0);
		(void)bson_find(&it, "ok", &e);
	}
	if (mongo_wire_reply(data, size, &m, &used) != 0)
		return 0;
	if (used > size || m.body.p < data ||
	    m.body.p + m.body.len > data + size)
		__builtin_trap();
	(void)walk(&m.body, 0);
	return 0;
}
