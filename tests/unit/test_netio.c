/* test_netio.c - the socket I/O loops written once (include/netio.h) */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "dynbuf.h"
#include "expo.h"
#include "netio.h"

static void pair(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
}

Test(netio, send_then_recv_to_eof)
{
	struct dynbuf in;
	size_t sent = 0;
	bool eof = false;
	int sv[2];

	pair(sv);
	dynbuf_init(&in, 64);
	cr_assert_eq(netio_send(sv[0], "hello", 5, &sent), 0);
	cr_assert_eq(sent, 5);
	cr_assert_eq(netio_send(sv[0], "hello", 5, &sent),
		     0); /* nothing left */
	cr_assert_eq(netio_recv(sv[1], &in, &eof), 0);
	cr_assert(!eof);
	cr_assert_str_eq(dynbuf_ptr(&in), "hello");
	close(sv[0]);
	cr_assert_eq(netio_recv(sv[1], &in, &eof), 0);
	cr_assert(eof);
	close(sv[1]);
	dynbuf_release(&in);
}

Test(netio, recv_stops_at_the_cap)
{
	char big[200];
	struct dynbuf in;
	size_t sent = 0;
	bool eof = false;
	int sv[2];

	pair(sv);
	memset(big, 'x', sizeof(big));
	dynbuf_init(&in, 100);
	cr_assert_eq(netio_send(sv[0], big, sizeof(big), &sent), 0);
	cr_assert_eq(netio_recv(sv[1], &in, &eof), EMSGSIZE);
	cr_assert_leq(dynbuf_len(&in), 100);
	close(sv[0]);
	close(sv[1]);
	dynbuf_release(&in);
}

Test(netio, full_socket_is_eagain_and_closed_peer_an_error)
{
	static char chunk[65536];
	size_t sent = 0;
	int sv[2], i, r = 0;

	pair(sv);
	for (i = 0; i < 1000 && r == 0; i++) {
		sent = 0;
		r = netio_send(sv[0], chunk, sizeof(chunk), &sent);
	}
	cr_assert_eq(r, EAGAIN);
	close(sv[1]);
	sent = 0;
	/* no SIGPIPE: the test would die of it */
	cr_assert_eq(netio_send(sv[0], chunk, 10, &sent), EPIPE);
	close(sv[0]);
}

Test(netio, blocking_write_all_and_read_full)
{
	char buf[6] = "";
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(netio_write_all(sv[0], "abcdef", 6), 0);
	cr_assert_eq(netio_read_full(sv[1], buf, 6), 0);
	cr_assert_eq(memcmp(buf, "abcdef", 6), 0);
	close(sv[0]);
	cr_assert_eq(netio_read_full(sv[1], buf, 1), EXPO_EIO);
	cr_assert_eq(netio_write_all(sv[1], "x", 1), EXPO_EIO);
	cr_assert_eq(errno, EPIPE);
	close(sv[1]);
}
