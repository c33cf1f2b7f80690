/*
 * hostrate.c - the per-address connection rate of --host-rate (hostrate.h).
 * An open-addressing hash table of addresses (IPv4 as its IPv4-mapped IPv6
 * form, so both spellings share a slot) to the time of their next slot,
 * under one mutex: a take is a hash probe and two stores.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include "hostrate.h"

#define NSEC_PER_SEC 1000000000ull

struct hr_entry {
	uint8_t addr[16];
	uint64_t next_ns; /* 0: the entry is free */
};

struct host_rate {
	pthread_mutex_t lock;
	uint64_t interval_ns;
	struct hr_entry *v;
	size_t cap, n; /* cap: a power of two */
};

uint64_t host_rate_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct host_rate *host_rate_new(unsigned per_sec)
{
	struct host_rate *h = calloc(1, sizeof(*h));

	if (h == NULL || per_sec == 0)
		goto fail;
	h->interval_ns = NSEC_PER_SEC / per_sec;
	if (h->interval_ns == 0)
		h->interval_ns = 1;
	h->cap = 1024;
	h->v = calloc(h->cap, sizeof(*h->v));
	if (h->v == NULL || pthread_mutex_init(&h->lock, NULL) != 0)
		goto fail;
	return h;
fail:
	if (h != NULL)
		free(h->v);
	free(h);
	return NULL;
}

void host_rate_free(struct host_rate *h)
{
	if (h == NULL)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h->v);
	free(h);
}

static void addr_key(const struct sockaddr *sa, uint8_t key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key,
		       ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr,
		       16);
	} else {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr,
		       4);
	}
}

static size_t addr_hash(const uint8_t key[16])
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static struct hr_entry *find(struct hr_entry *v, size_t cap,
			     const uint8_t key[16])
{
	size_t i = addr_hash(key) & (cap - 1);

	while (v[i].next_ns != 0 && memcmp(v[i].addr, key, 16) != 0)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* doubles the table; false on ENOMEM (the old one stays) */
static bool grow(struct host_rate *h)
{
	size_t cap = h->cap * 2, i;
	struct hr_entry *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return false;
	for (i = 0; i < h->cap; i++)
		if (h->v[i].next_ns != 0)
			*find(v, cap, h->v[i].addr) = h->v[i];
	free(h->v);
	h->v = v;
	h->cap = cap;
	return true;
}

uint64_t host_rate_take(struct host_rate *h, const struct sockaddr *sa,
			uint64_t now_ns)
{
	struct hr_entry *e;
	uint8_t key[16];
	uint64_t at = now_ns;

	if (h == NULL)
		return now_ns;
	addr_key(sa, key);
	pthread_mutex_lock(&h->lock);
	if (h->n * 2 >= h->cap)
		(void)grow(h); /* without room to grow: a fuller table */
	e = find(h->v, h->cap, key);
	if (e->next_ns == 0) {
		if (h->n + 1 >= h->cap) {
			/* full and no memory: no limit rather than a hang */
			pthread_mutex_unlock(&h->lock);
			return now_ns;
		}
		memcpy(e->addr, key, 16);
		h->n++;
	} else if (e->next_ns > at) {
		at = e->next_ns;
	}
	e->next_ns = at + h->interval_ns;
	pthread_mutex_unlock(&h->lock);
	return at;
}
