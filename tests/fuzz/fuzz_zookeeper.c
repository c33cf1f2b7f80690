/*
 * fuzz_zookeeper.c - libFuzzer harness for the zookeeper check's parsers
 * (checks/raw/zookeeper_wire.c): the input is what a hostile server
 * sends; its frames are read as the ConnectResponse and then as replies
 * to GetChildren, as the check reads them; and the whole input once as
 * the text of srvr or mntr.
 */
#include <stddef.h>
#include <stdint.h>
#include "raw/zookeeper_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *body;
	size_t blen, off = 0, used = 0;
	struct zk_session s;
	struct zk_children c;
	struct zk_words w;
	unsigned n = 0;

	while (off < size && zk_wire_frame(data + off, size - off, &body, &blen,
					   &used) == 0) {
		off += used;
		if (n++ == 0)
			zk_wire_connect_reply(body, blen, &s);
		else if (zk_wire_children_reply(body, blen, &c) == 0)
			(void)zk_wire_err_name(c.err);
	}
	zk_wire_words((const char *)data, size, &w);
	return 0;
}
