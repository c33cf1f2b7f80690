/*
 * rawio.c - non-blocking TCP exchange shared by the raw-protocol checks;
 * see rawio.h. Every read is bounded by the dynbuf cap given at init, and
 * time by the engine's deadlines (nothing here waits).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "expo.h"
#include "netio.h"
#include "rawio.h"

void rawio_init(struct rawio *io, size_t in_max, size_t out_max)
{
	io->fd = -1;
	io->connecting = false;
	io->waited = false;
	io->eof = false;
	io->sent = 0;
	dynbuf_init(&io->in, in_max);
	dynbuf_init(&io->out, out_max);
}

void rawio_close(struct rawio *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	io->connecting = false;
	io->eof = false;
	io->sent = 0;
	dynbuf_release(&io->in);
	dynbuf_release(&io->out);
}

int rawio_open(struct check_ctx *ctx, struct rawio *io)
{
	return rawio_open_port(ctx, io, 0);
}

int rawio_open_port(struct check_ctx *ctx, struct rawio *io, uint16_t port)
{
	int fd = -1, err;

	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	io->eof = false;
	io->sent = 0;
	dynbuf_reset(&io->in);
	dynbuf_reset(&io->out);
	err = port ? ctx_connect_port(ctx, port, &fd) : ctx_connect(ctx, &fd);
	if (err < 0)
		goto out;
	io->fd = fd;
	io->connecting = true;
	io->waited = false;
	err = 0;
out:
	return err;
}

int rawio_queue(struct rawio *io, const void *data, size_t len)
{
	return dynbuf_add(&io->out, data, len);
}

bool rawio_flushed(const struct rawio *io)
{
	return io->sent >= dynbuf_len(&io->out);
}

/* records an error status; EXPO_EIO tells rawio_pump()'s caller to end */
static int rawio_error(struct check_ctx *ctx, const char *what, const char *why)
{
	ctx_status(ctx, STATUS_ERROR, "%s: %s", what, why);
	return EXPO_EIO;
}

/* reads what is there; a reset after some bytes counts as their end */
static int rawio_recv(struct check_ctx *ctx, struct rawio *io, const char *what)
{
	int err;

	if (io->eof)
		return 0;
	err = netio_recv(io->fd, &io->in, &io->eof);
	if (err == EMSGSIZE)
		return rawio_error(ctx, what,
				   "the reply exceeds its size bound");
	if (err == ECONNRESET && dynbuf_len(&io->in) > 0)
		io->eof = true;
	else if (err != 0)
		return rawio_error(ctx, what, strerror(err));
	return 0;
}

int rawio_pump(struct check_ctx *ctx, struct rawio *io, const char *what)
{
	int rc = 0, err;

	if (io->fd < 0) {
		rc = rawio_error(ctx, what, "no connection");
		goto out;
	}
	if (io->connecting) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		/* step() runs once before the engine waited: wait first */
		if (!io->waited) {
			io->waited = true;
			ctx_set_fd(ctx, io->fd);
			rc = PROBE_WANT_WRITE;
			goto out;
		}
		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			rc = rawio_error(ctx, "connect", strerror(soerr));
			goto out;
		}
		io->connecting = false;
	}
	/* read first: a server that greets and hangs up (Redis's -DENIED)
	 * must not lose its greeting to the RST our request would cause */
	rc = rawio_recv(ctx, io, what);
	if (rc < 0 || io->eof)
		goto out;
	err = netio_send(io->fd, dynbuf_ptr(&io->out), dynbuf_len(&io->out),
			 &io->sent);
	if ((err == EPIPE || err == ECONNRESET) && dynbuf_len(&io->in) > 0) {
		io->eof = true;
		goto out;
	}
	if (err != 0 && err != EAGAIN) {
		rc = rawio_error(ctx, what, strerror(err));
		goto out;
	}
	rc = rawio_recv(ctx, io, what);
out:
	return rc;
}

int rawio_pump_moved(struct check_ctx *ctx, struct rawio *io, const char *what,
		     bool *moved)
{
	size_t had = dynbuf_len(&io->in), sent = io->sent;
	bool eof = io->eof;
	int rc = rawio_pump(ctx, io, what);

	*moved = had != dynbuf_len(&io->in) || sent != io->sent ||
		 eof != io->eof;
	return rc;
}

int rawio_wait(struct check_ctx *ctx, struct rawio *io)
{
	ctx_set_fd(ctx, io->fd);
	return rawio_flushed(io) ? PROBE_WANT_READ : PROBE_WANT_RW;
}
