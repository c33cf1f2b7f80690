/*
 * discover.h - which (address, port) pairs are open.
 *
 * Non-blocking connects in one epoll loop, at most `concurrency` sockets in
 * flight, at most `rate` new connects per second, and each connect given
 * `timeout_ms`. No thread per target. Pairs are produced on demand by a
 * callback so that a /16 x 4 ports costs a few bytes of state per pair.
 */
#ifndef DISCOVER_H
#define DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct discover_opts {
	unsigned concurrency; /* >= 1 */
	unsigned rate;	      /* connects per second; 0 = unlimited */
	unsigned timeout_ms;  /* >= 1 */
	int progress;	      /* print a progress line on stderr */
	/* optional: non-zero once the run must stop (SIGINT/SIGTERM); the
	 * pairs not finished by then keep the status the caller put there.
	 * wake_fd (used only with stopped) is readable when it changes. */
	int (*stopped)(void);
	int wake_fd;
	/* optional: --host-rate; a pair whose address has no slot yet is
	 * parked until its slot comes (lib/hostrate.h) */
	struct host_rate *host_rate;
};

/* fills sa (with the port set) for pair i, 0 <= i < npairs; false when
 * pair i has nothing to connect to (a UDP port): it counts as done and
 * keeps the status the caller put there */
typedef bool (*discover_pair_fn)(void *ud, size_t i,
				 struct sockaddr_storage *sa, socklen_t *salen);

/* status[i] gets an enum probe_status: STATUS_OPEN, STATUS_CLOSED,
 * STATUS_FILTERED or STATUS_ERROR; err[i] (if err != NULL) the errno of an
 * error. Returns 0, or < 0 if the loop itself could not run. */
int discover_run(const struct discover_opts *opts, size_t npairs,
		 discover_pair_fn pair, void *ud, uint8_t *status,
		 int16_t *err);

#endif
