/*
 * hostrate.h - --host-rate N: at most N new connections (or UDP probes)
 * per second to one address, for discovery and every check, on top of the
 * global --rate.
 *
 * A reservation scheme (GCRA, no burst): each address keeps the time its
 * next connection may start; host_rate_take() hands out that time and
 * moves it on by 1/N s. The caller then starts the connection at the time
 * it got (now, or later: discovery parks the pair, the engine delays the
 * probe, a check waits on a timer), so that successive connections to one
 * address are at least 1/N s apart whoever makes them. Thread-safe.
 */
#ifndef HOSTRATE_H
#define HOSTRATE_H

#include <stdint.h>
#include <sys/socket.h>

struct host_rate;

/* a limiter of per_sec connections per second and address (>= 1); NULL on
 * ENOMEM */
struct host_rate *host_rate_new(unsigned per_sec);
void host_rate_free(struct host_rate *h);

/* the time (ns, CLOCK_MONOTONIC) at which the caller may open its next
 * connection to sa's address (the port is ignored): now_ns or later.
 * The slot is the caller's from then on. */
uint64_t host_rate_take(struct host_rate *h, const struct sockaddr *sa,
			uint64_t now_ns);

/* CLOCK_MONOTONIC in ns */
uint64_t host_rate_now_ns(void);

#endif
