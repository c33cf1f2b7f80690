/*
 * netio.h - the socket I/O loops every raw-protocol module, the report
 * writer and the test servers need, written once: send what is left of a
 * buffer on a non-blocking socket, read everything that is there into a
 * capped dynbuf, and write a whole buffer to a blocking descriptor.
 * EINTR is retried; SIGPIPE is never raised (MSG_NOSIGNAL).
 */
#ifndef EXPO_NETIO_H
#define EXPO_NETIO_H

#include <stdbool.h>
#include <stddef.h>
#include "dynbuf.h"

/*
 * Sends data[*sent, len) on a non-blocking socket, advancing *sent.
 * 0 once everything is sent; EAGAIN when the socket is full (wait for
 * writable); another errno value on failure (EPIPE for a send of 0).
 */
int netio_send(int fd, const void *data, size_t len, size_t *sent);

/*
 * Reads what a non-blocking socket has into in. 0 when nothing more is
 * there for now, or the peer closed (then *eof = true); EMSGSIZE when in's
 * cap is reached; another errno value (ECONNRESET, ...) on failure.
 */
int netio_recv(int fd, struct dynbuf *in, bool *eof);

/* writes all of data to a blocking fd (file or socket): 0, or EXPO_EIO
 * with errno set */
int netio_write_all(int fd, const void *data, size_t len);

/* reads exactly len bytes from a blocking fd: 0, or EXPO_EIO (errno set;
 * 0 if the peer closed first) */
int netio_read_full(int fd, void *data, size_t len);

#endif
