/* spill.c - file-backed regions for a fleet's findings and port records (see
 * include/spill.h) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "expo.h"
#include "spill.h"

/* address space per region, not memory: 38 million findings */
#define SPILL_RESERVE ((size_t)8 << 30)
#define SPILL_CHUNK ((size_t)1 << 20)

struct region {
	char *base;
	size_t mapped; /* bytes of the file mapped from base */
	size_t used;   /* text region: bytes handed out */
	int fd;
};

struct spill {
	struct region array, text;
	struct spill *next, *prev; /* the live ones, for spill_trim_all() */
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct spill *live;

/* an unnamed file: nothing to clean up after a crash or a kill */
static int unnamed_file(void)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	char path[4096];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		/* a file system without O_TMPFILE: a named file, unlinked */
		if (snprintf(path, sizeof(path), "%s/exposure-spill-XXXXXX",
			     dirs[i]) >= (int)sizeof(path))
			continue;
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0) {
			unlink(path);
			return fd;
		}
	}
	return -1;
}

static int region_open(struct region *r)
{
	void *p;

	r->fd = unnamed_file();
	if (r->fd < 0)
		return EXPO_ESYS;
	p = mmap(NULL, SPILL_RESERVE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		close(r->fd);
		r->fd = -1;
		return EXPO_ENOMEM;
	}
	r->base = p;
	return 0;
}

static void region_close(struct region *r)
{
	if (r->base != NULL)
		munmap(r->base, SPILL_RESERVE);
	if (r->fd >= 0)
		close(r->fd);
	r->base = NULL;
	r->fd = -1;
}

/* at least need bytes mapped, at the same address */
static int region_grow(struct region *r, size_t need)
{
	size_t to;
	void *p;

	if (need <= r->mapped)
		return 0;
	if (need > SPILL_RESERVE)
		return EXPO_ENOMEM;
	to = (need + SPILL_CHUNK - 1) / SPILL_CHUNK * SPILL_CHUNK;
	if (to > SPILL_RESERVE)
		to = SPILL_RESERVE;
	/* blocks now: a full disk is ENOMEM here, not SIGBUS at a store */
	if (posix_fallocate(r->fd, (off_t)r->mapped, (off_t)(to - r->mapped)) !=
	    0)
		return EXPO_ENOMEM;
	p = mmap(r->base + r->mapped, to - r->mapped, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, r->fd, (off_t)r->mapped);
	if (p == MAP_FAILED)
		return EXPO_ENOMEM;
	/* what lies a chunk behind is written: out of the process (the
	 * page cache keeps it, or the file when memory is short); touched
	 * again, it comes back */
	if (r->mapped > SPILL_CHUNK)
		madvise(r->base, r->mapped - SPILL_CHUNK, MADV_DONTNEED);
	r->mapped = to;
	return 0;
}

struct spill *spill_new(void)
{
	struct spill *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->array.fd = s->text.fd = -1;
	if (region_open(&s->array) != 0 || region_open(&s->text) != 0) {
		region_close(&s->array);
		region_close(&s->text);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&live_lock);
	s->next = live;
	if (live != NULL)
		live->prev = s;
	live = s;
	pthread_mutex_unlock(&live_lock);
	return s;
}

void spill_free(struct spill *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&live_lock);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		live = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&live_lock);
	region_close(&s->array);
	region_close(&s->text);
	free(s);
}

int spill_array_reserve(struct spill *s, size_t bytes)
{
	return region_grow(&s->array, bytes);
}

void *spill_array(struct spill *s)
{
	return s->array.base;
}

char *spill_copy(struct spill *s, const void *p, size_t n)
{
	struct region *r = &s->text;
	char *out;

	if (n > SPILL_RESERVE - r->used || region_grow(r, r->used + n) != 0)
		return NULL;
	out = r->base + r->used;
	memcpy(out, p, n);
	r->used += n;
	return out;
}

int spill_side_reserve(struct spill *s, size_t bytes)
{
	return region_grow(&s->text, bytes);
}

void *spill_side(struct spill *s)
{
	return s->text.base;
}

void spill_trim_all(void)
{
	struct spill *s;

	pthread_mutex_lock(&live_lock);
	/* the whole reservation: a region growing on another thread meanwhile
	 * is serialised by the kernel, and the part not mapped yet holds no
	 * page; dirty pages keep their data in the page cache */
	for (s = live; s != NULL; s = s->next) {
		madvise(s->array.base, SPILL_RESERVE, MADV_DONTNEED);
		madvise(s->text.base, SPILL_RESERVE, MADV_DONTNEED);
	}
	pthread_mutex_unlock(&live_lock);
}
