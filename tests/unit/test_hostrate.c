/*
 * test_hostrate.c - the --host-rate slots (scanner/lib/hostrate.c): one
 * address gets slots 1/N s apart from whoever asks, other addresses are
 * not held up, an IPv4 address and its IPv4-mapped IPv6 spelling share
 * their slots, and the table grows past its first size.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <criterion/criterion.h>
#include "lib/hostrate.h"

static struct sockaddr_storage sa_of(const char *text, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

#define SA(x) ((const struct sockaddr *)&(x))

Test(host_rate_lib, slots_per_address)
{
	struct host_rate *h = host_rate_new(4); /* 250 ms apart */
	struct sockaddr_storage a = sa_of("192.0.2.1", 22),
				a2 = sa_of("192.0.2.1", 5432),
				b = sa_of("192.0.2.2", 22),
				m = sa_of("::ffff:192.0.2.1", 80),
				v6 = sa_of("2001:db8::1", 22);
	const uint64_t t0 = 1000000000000ull, q = 250000000ull;

	cr_assert_not_null(h);
	cr_expect_eq(host_rate_take(h, SA(a), t0), t0);
	/* the same address on another port, then as IPv4-mapped IPv6 */
	cr_expect_eq(host_rate_take(h, SA(a2), t0), t0 + q);
	cr_expect_eq(host_rate_take(h, SA(m), t0 + 1), t0 + 2 * q);
	/* others are free */
	cr_expect_eq(host_rate_take(h, SA(b), t0), t0);
	cr_expect_eq(host_rate_take(h, SA(v6), t0), t0);
	/* after a pause: now, with no burst saved up */
	cr_expect_eq(host_rate_take(h, SA(b), t0 + 10 * q), t0 + 10 * q);
	cr_expect_eq(host_rate_take(h, SA(b), t0 + 10 * q), t0 + 11 * q);
	host_rate_free(h);
	cr_expect_null(host_rate_new(0));
}

Test(host_rate_lib, many_addresses)
{
	struct host_rate *h = host_rate_new(1000);
	const uint64_t t0 = 5000000000ull;
	char text[32];
	unsigned i;

	cr_assert_not_null(h);
	for (i = 0; i < 5000; i++) {
		struct sockaddr_storage s;

		snprintf(text, sizeof(text), "10.1.%u.%u", i >> 8, i & 255);
		s = sa_of(text, 80);
		cr_assert_eq(host_rate_take(h, SA(s), t0), t0);
	}
	for (i = 0; i < 5000; i++) {
		struct sockaddr_storage s;

		snprintf(text, sizeof(text), "10.1.%u.%u", i >> 8, i & 255);
		s = sa_of(text, 443);
		cr_assert_eq(host_rate_take(h, SA(s), t0), t0 + 1000000, "%s",
			     text);
	}
	host_rate_free(h);
}
