/*
 * rank.c - order findings by exploitability (DESIGN.md "Ranking"):
 *   0. signs that an attacker is already there (CHECK.compromise_indicator:
 *      a miner container, cron-injection keys) before everything else;
 *   1. confirmed access before inferred weakness before configured
 *      weakness; a configured finding that rests on an assumption after
 *      the same without one;
 *   2. what it gives: code execution, data access, weakened defences, info;
 *      within one of those, a GPU behind the door first (what
 *      cryptojacking and LLMjacking pay for);
 *   3. exposure: a public address whose firewall opens the port to the
 *      world, then a public address with no firewall data, then a public
 *      address the firewall restricts, then private addresses;
 *   4. CVSS base score, highest first;
 *   5. target id, port, rule id: the order is deterministic.
 * Each finding gets the sentence that explains its place.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "rank.h"
#include "spill.h"

/* The sentences, shared: a fleet's 75,000 findings say one of a few dozen
 * (FINDING_SHARES_REASON). Kept for the life of the process; past
 * REASON_POOL_MAX distinct ones (GPU names from an odd inventory), each
 * finding owns its own. */
#define REASON_POOL_SLOTS 8192 /* a power of two */
#define REASON_POOL_MAX (REASON_POOL_SLOTS / 2)

static pthread_mutex_t reason_lock = PTHREAD_MUTEX_INITIALIZER;
static char **reason_pool;
static size_t reason_count;

/* the pooled copy of s, or NULL (pool full, or no memory) */
static char *reason_intern(const char *s)
{
	char *out = NULL;
	size_t i;

	pthread_mutex_lock(&reason_lock);
	if (reason_pool == NULL &&
	    (reason_pool = calloc(REASON_POOL_SLOTS, sizeof(*reason_pool))) ==
		    NULL)
		goto out;
	for (i = expo_hash(s) & (REASON_POOL_SLOTS - 1); reason_pool[i] != NULL;
	     i = (i + 1) & (REASON_POOL_SLOTS - 1))
		if (strcmp(reason_pool[i], s) == 0) {
			out = reason_pool[i];
			goto out;
		}
	if (reason_count < REASON_POOL_MAX &&
	    (reason_pool[i] = strdup(s)) != NULL) {
		reason_count++;
		out = reason_pool[i];
	}
out:
	pthread_mutex_unlock(&reason_lock);
	return out;
}

char *rank_reason_intern(const char *s)
{
	return s != NULL ? reason_intern(s) : NULL;
}

static int exposure_tier(const struct finding *f)
{
	if (!f->is_public)
		return 0;
	switch (f->exposure) {
	case EXPOSURE_WORLD:
		return 3;
	case EXPOSURE_UNKNOWN:
		return 2;
	case EXPOSURE_RESTRICTED:
		return 1;
	}
	return 0;
}

/* tier 0: the rule id is CHECK.compromise_indicator */
static bool compromise(const struct finding *f)
{
	static const char tail[] = ".compromise_indicator";
	size_t n = f->rule_id != NULL ? strlen(f->rule_id) : 0;

	return n > sizeof(tail) - 1 &&
	       strcmp(f->rule_id + n - (sizeof(tail) - 1), tail) == 0;
}

static int rank_cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int r;

	if (compromise(a) != compromise(b))
		return compromise(a) ? -1 : 1;
	if (a->confidence != b->confidence)
		return a->confidence < b->confidence ? -1 : 1;
	if ((a->assumption != NULL) != (b->assumption != NULL))
		return a->assumption == NULL ? -1 : 1;
	if (a->impact != b->impact)
		return a->impact < b->impact ? -1 : 1;
	if ((a->gpu != NULL) != (b->gpu != NULL))
		return a->gpu != NULL ? -1 : 1;
	if (exposure_tier(a) != exposure_tier(b))
		return exposure_tier(a) > exposure_tier(b) ? -1 : 1;
	if (a->cvss_score != b->cvss_score)
		return a->cvss_score > b->cvss_score ? -1 : 1;
	if ((r = strcmp(a->target_id, b->target_id)) != 0)
		return r;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if ((r = strcmp(a->rule_id, b->rule_id)) != 0)
		return r;
	/* one finding per address of a dual-stack target: the address
	 * decides, so the order never depends on how the sort ran (runs
	 * merged for a spilled list, one qsort in memory) */
	if ((r = strcmp(a->address ? a->address : "",
			b->address ? b->address : "")) != 0)
		return r;
	return a->proto < b->proto ? -1 : a->proto > b->proto;
}

static const char *impact_phrase(enum impact i)
{
	switch (i) {
	case IMPACT_EXEC:
		return "code execution";
	case IMPACT_DATA:
		return "data access";
	case IMPACT_WEAKENED:
		return "weakened defences";
	case IMPACT_INFO:
		return "information only";
	}
	return "unknown impact";
}

static const char *exposure_phrase(const struct finding *f)
{
	switch (exposure_tier(f)) {
	case 3:
		return "on a public address that the firewall opens to the "
		       "internet";
	case 2:
		return "on a public address (no firewall data)";
	case 1:
		return "on a public address that the firewall restricts";
	}
	return "on a private address";
}

/* findings between two spill_trim_all() (about 2 MB of their pages) */
#define RANK_TRIM_EVERY 8192
/* findings merged, or moved into place, between two spill_trim_all():
 * each may touch pages of its own, and a read fault maps the 64 KB
 * around it (the kernel's fault-around) */
#define RANK_STEPS_PER_TRIM 256

/* the k-way merge's heap of runs, by each run's next finding */
struct run_heap {
	const struct finding *v;
	size_t *next, *end; /* per run: its next finding, its end */
	size_t *heap, n;
};

static bool run_before(const struct run_heap *h, size_t a, size_t b)
{
	return rank_cmp(&h->v[h->next[a]], &h->v[h->next[b]]) < 0;
}

static void run_heap_down(struct run_heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, t;

		if (l < h->n && run_before(h, h->heap[l], h->heap[m]))
			m = l;
		if (l + 1 < h->n && run_before(h, h->heap[l + 1], h->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h->heap[i];
		h->heap[i] = h->heap[m];
		h->heap[m] = t;
		i = m;
	}
}

/* A spilled list is sorted RANK_TRIM_EVERY findings at a time, the runs
 * merged into an order, and the findings then moved into it: each step
 * touches a few MB of the spill at once, and spill_trim_all() gives them
 * back, where one qsort over the file would hold every page of it.
 * false (nothing moved) when the order's memory is not there. */
static bool rank_sort_spilled(struct finding_list *l)
{
	size_t nruns = (l->n + RANK_TRIM_EVERY - 1) / RANK_TRIM_EVERY, i, moves;
	struct run_heap h = { .v = l->v };
	uint32_t *order = NULL;
	bool done = false;

	if (l->n > UINT32_MAX ||
	    (order = malloc(l->n * sizeof(*order))) == NULL ||
	    (h.next = calloc(nruns, sizeof(*h.next))) == NULL ||
	    (h.end = calloc(nruns, sizeof(*h.end))) == NULL ||
	    (h.heap = calloc(nruns, sizeof(*h.heap))) == NULL)
		goto out;
	for (i = 0; i < nruns; i++) {
		h.next[i] = i * RANK_TRIM_EVERY;
		h.end[i] = h.next[i] + RANK_TRIM_EVERY < l->n
				   ? h.next[i] + RANK_TRIM_EVERY
				   : l->n;
		qsort(l->v + h.next[i], h.end[i] - h.next[i], sizeof(*l->v),
		      rank_cmp);
		spill_trim_all();
		h.heap[h.n++] = i;
	}
	for (i = h.n; i-- > 0;)
		run_heap_down(&h, i);
	/* order[k]: the index of the finding that ranks k-th */
	for (i = 0; i < l->n; i++) {
		size_t run = h.heap[0];

		order[i] = (uint32_t)h.next[run]++;
		if (h.next[run] == h.end[run])
			h.heap[0] = h.heap[--h.n];
		run_heap_down(&h, 0);
		if (i % RANK_STEPS_PER_TRIM == RANK_STEPS_PER_TRIM - 1)
			spill_trim_all();
	}
	/* each cycle of the order in turn; a placed finding's order says
	 * itself */
	for (i = 0, moves = 0; i < l->n; i++) {
		struct finding held;
		size_t j = i;

		if (order[i] == i)
			continue;
		held = l->v[i];
		while (order[j] != i) {
			size_t from = order[j];

			l->v[j] = l->v[from];
			order[j] = (uint32_t)j;
			j = from;
			if (++moves % RANK_STEPS_PER_TRIM == 0)
				spill_trim_all();
		}
		l->v[j] = held;
		order[j] = (uint32_t)j;
	}
	done = true;
out:
	free(order);
	free(h.next);
	free(h.end);
	free(h.heap);
	return done;
}

void rank_findings(struct finding_list *l)
{
	size_t i;

	if (l->n > 1 && (l->spill == NULL || !rank_sort_spilled(l)))
		qsort(l->v, l->n, sizeof(*l->v), rank_cmp);
	/* a fleet's findings go back to their spill every few thousand as
	 * the sentences are set */
	spill_trim_all();
	for (i = 0; i < l->n; i++) {
		struct finding *f = &l->v[i];
		char *s = NULL, *pooled;

		if (i % RANK_TRIM_EVERY == RANK_TRIM_EVERY - 1)
			spill_trim_all();
		if (asprintf(&s, "%s%s %s%s%s%s, %s%s, CVSS %.1f",
			     compromise(f) ? "a sign that an attacker is "
					     "already there (ranked first); "
					   : "",
			     confidence_name(f->confidence),
			     impact_phrase(f->impact),
			     f->gpu ? " with a GPU behind the door (" : "",
			     f->gpu ? f->gpu : "", f->gpu ? ")" : "",
			     exposure_phrase(f),
			     f->assumption != NULL ? ", assuming a default"
						   : "",
			     f->cvss_score) < 0)
			s = NULL;
		if (!(f->shares & FINDING_SHARES_REASON))
			free(f->rank_reason);
		f->shares &= (uint8_t)~FINDING_SHARES_REASON;
		f->rank_reason = s;
		if (s != NULL && (pooled = reason_intern(s)) != NULL) {
			free(s);
			f->rank_reason = pooled;
			f->shares |= FINDING_SHARES_REASON;
		}
	}
	spill_trim_all();
}
