/* netio.c - socket I/O loops written once (see include/netio.h) */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "expo.h"
#include "netio.h"

int netio_send(int fd, const void *data, size_t len, size_t *sent)
{
	const char *p = data;

	while (*sent < len) {
		ssize_t n = send(fd, p + *sent, len - *sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			*sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return EAGAIN;
		return n < 0 ? errno : EPIPE;
	}
	return 0;
}

int netio_recv(int fd, struct dynbuf *in, bool *eof)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			if (dynbuf_add(in, buf, (size_t)n) < 0)
				return EMSGSIZE;
			continue;
		}
		if (n == 0) {
			*eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return errno;
	}
}

int netio_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return EXPO_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int netio_read_full(int fd, void *data, size_t len)
{
	char *p = data;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return EXPO_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
