/*
 * rawio.h - one non-blocking TCP exchange for the raw-protocol checks
 * (redis, memcached, mongodb, mysql): connect through ctx_connect(), send
 * queued bytes, read into a capped dynbuf. No parsing, no waiting: the
 * caller's step() returns what rawio_wait() says.
 *
 * Ownership: the struct rawio lives in the probe's state; rawio_close()
 * closes the socket and frees both buffers, and may be called twice.
 */
#ifndef RAWIO_H
#define RAWIO_H

#include <stdbool.h>
#include <stddef.h>
#include "check.h"
#include "dynbuf.h"

struct rawio {
	int fd;		   /* -1 when closed */
	bool connecting;   /* connect() in progress: wait for writable */
	bool waited;	   /* the engine waited for writable once */
	bool eof;	   /* the peer closed its side */
	struct dynbuf out; /* queued request bytes */
	size_t sent;	   /* bytes of out already sent */
	struct dynbuf in;  /* bytes received, capped */
};

/* fd = -1 and empty buffers: call before anything else (start()) */
void rawio_init(struct rawio *io, size_t in_max, size_t out_max);
/* a new connection to the probe's address and port; resets the buffers */
int rawio_open(struct check_ctx *ctx, struct rawio *io);
/* the same to another port of that address (0: the probe's port) */
int rawio_open_port(struct check_ctx *ctx, struct rawio *io, uint16_t port);
void rawio_close(struct rawio *io);
/* queues bytes to send */
int rawio_queue(struct rawio *io, const void *data, size_t len);

/*
 * Does the I/O that is possible now. Returns 0 when the caller may look at
 * io->in and io->eof; a PROBE_WANT_* (> 0) while the connect is still in
 * progress (return it from step()); or < 0 after recording an error
 * status for what ("connect", "INFO") on ctx: then return PROBE_DONE.
 */
int rawio_pump(struct check_ctx *ctx, struct rawio *io, const char *what);
/* rawio_pump(), and in *moved whether it read or sent a byte or saw the
 * end: a step() that parses after the pump loops while bytes move, since
 * what a pump read must be parsed before it waits */
int rawio_pump_moved(struct check_ctx *ctx, struct rawio *io, const char *what,
		     bool *moved);
/* waits for more input (and output room while bytes are queued) */
int rawio_wait(struct check_ctx *ctx, struct rawio *io);
/* true once every queued byte was sent */
bool rawio_flushed(const struct rawio *io);

#endif
