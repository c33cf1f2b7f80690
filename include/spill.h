/*
 * spill.h - memory the kernel may write out: two unnamed files (O_TMPFILE
 * in $TMPDIR, else /var/tmp, else /tmp) mapped shared into address space
 * reserved up front, so that what lives there never moves.
 *
 * A fleet's findings and port records go here once they are many (issue
 * 16). Findings: the finding array grows in place in one region, the
 * findings' own text (target strings, evidence) is copied into the other
 * (spill_copy). Port records: the records grow in the first region, their
 * durations in the second (spill_side_reserve). Pages of a shared file
 * mapping are page cache, not anonymous memory: under a memory limit (a
 * CI runner's cgroup) the kernel writes them to the file and reads them
 * back when touched, where anonymous memory would have the scan killed.
 * Pages the scan has moved past are dropped from the process as it goes,
 * and spill_trim_all() drops the rest once a pass over them is done.
 *
 * One spill is not thread-safe: the engine calls it under its collector's
 * lock, and everything after the scan runs on one thread.
 */
#ifndef SPILL_H
#define SPILL_H

#include <stddef.h>

struct spill;

/* NULL when no file could be made or mapped (the caller keeps to malloc) */
struct spill *spill_new(void);
void spill_free(struct spill *s);
/* the array region: at least bytes long, at the same address as before;
 * 0 or EXPO_ENOMEM */
int spill_array_reserve(struct spill *s, size_t bytes);
void *spill_array(struct spill *s);
/* a copy of n bytes in the text region; NULL when it is full */
char *spill_copy(struct spill *s, const void *p, size_t n);
/* the second region as an array instead (never both in one spill): at
 * least bytes long, zero where never written, at the same address */
int spill_side_reserve(struct spill *s, size_t bytes);
void *spill_side(struct spill *s);

/* Every live spill's pages out of the process: what a pass (ranking, a
 * writer) touched goes back to the page cache, from which the next touch
 * takes it again without I/O. Resident memory stays that of the pages in
 * use, not of the estate. Safe from any thread, at any time. */
void spill_trim_all(void);
/* a pass over a fleet's findings or records calls this at each step:
 * spill_trim_all() every SPILL_PACE steps */
#define SPILL_PACE 4096
static inline void spill_pace(size_t step)
{
	if (step % SPILL_PACE == SPILL_PACE - 1)
		spill_trim_all();
}

#endif
