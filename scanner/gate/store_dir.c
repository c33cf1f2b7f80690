/*
 * store_dir.c - --history DIR: the audit trail as a folder of --json
 * reports, for users without PostgreSQL. A scan saves its report there;
 * `exposure history --history DIR` reads them all back, merges the shards
 * of each run, and prints the same trends as the PostgreSQL store: findings
 * per severity per run, new since the previous complete run, and fixed
 * (proved absent, as for --baseline). An incomplete run (a shard missing,
 * or one interrupted: its report says complete false) calls nothing fixed
 * and is not the reference of the next run. As with --store, a shard
 * saved again replaces its interrupted report, and an interrupted one
 * never replaces a complete one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "expo.h"
#include "gate.h"
#include "report/report_priv.h"
#include "store.h"

static void safe_name(char *dst, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < size; i++) {
		char c = s[i];

		dst[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					 (c >= '0' && c <= '9') || c == '.' ||
					 c == '-' || c == '_'
				 ? c
				 : '-';
	}
	dst[i] = '\0';
}

/* what asprintf() into *err returned: 0 nothing said, > 0 a reason */
static int check_result(int r, char **err)
{
	if (r < 0)
		*err = NULL;
	return r == 0 ? 0 : r < 0 ? EXPO_ENOMEM : EXPO_EINVAL;
}

int history_dir_check(const char *dir, char **err)
{
	struct stat st;
	char *parent = NULL;
	const char *slash;
	size_t len = strlen(dir);
	int r = 0;

	*err = NULL;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			r = asprintf(err, "--history %s: not a folder", dir);
		else if (access(dir, W_OK | X_OK) != 0)
			r = asprintf(err, "--history %s: cannot write: %s", dir,
				     strerror(errno));
		return check_result(r, err);
	}
	if (errno != ENOENT)
		return check_result(
			asprintf(err, "--history %s: %s", dir, strerror(errno)),
			err);
	/* created at the first save: its parent must be there, writable */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	slash = memrchr(dir, '/', len);
	if (slash == NULL)
		parent = strdup(".");
	else if (slash == dir)
		parent = strdup("/");
	else
		parent = strndup(dir, (size_t)(slash - dir));
	if (parent == NULL)
		return EXPO_ENOMEM;
	if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
		r = asprintf(err,
			     "--history %s: folder %s does not exist (the "
			     "history folder is created, its parent is not)",
			     dir, parent);
	else if (access(parent, W_OK | X_OK) != 0)
		r = asprintf(err, "--history %s: cannot create it in %s: %s",
			     dir, parent, strerror(errno));
	free(parent);
	return check_result(r, err);
}

/* The other reports in dir of the same run and shard as d: their file
 * names end in suffix ("_<run>[_shard-K-of-N].json") after a date with
 * no '_', and what they say agrees. *have_complete tells whether one of
 * them is complete; the names of the incomplete ones go to *partial
 * (NULL-terminated, caller frees). */
static int same_shard(const char *dir, const char *suffix, const char *self,
		      const struct report_doc *d, bool *have_complete,
		      char ***partial)
{
	size_t slen = strlen(suffix), n = 0;
	struct dirent *e;
	DIR *dh = opendir(dir);
	char **v = NULL, **nv;
	int r = 0;

	*have_complete = false;
	*partial = NULL;
	if (dh == NULL)
		return 0; /* nothing to compare with */
	while (r == 0 && (e = readdir(dh)) != NULL) {
		size_t len = strlen(e->d_name);
		struct report_doc o;
		char *path = NULL, *oerr = NULL;

		if (e->d_name[0] == '.' || len <= slen ||
		    strcmp(e->d_name + len - slen, suffix) != 0 ||
		    memchr(e->d_name, '_', len - slen) != NULL ||
		    strcmp(e->d_name, self) == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			r = EXPO_ENOMEM;
			break;
		}
		report_doc_init(&o);
		/* an unreadable one is left alone for history to report;
		 * which run and shard it is needs its head only */
		if (report_json_read_head(path, &o, &oerr) == 0 && o.run_id &&
		    strcmp(o.run_id, d->run_id) == 0 &&
		    o.shard_count == d->shard_count &&
		    o.shard_index == d->shard_index) {
			if (o.incomplete_reason == NULL) {
				*have_complete = true;
			} else if ((nv = realloc(v, (n + 2) * sizeof(*v))) ==
				   NULL) {
				r = EXPO_ENOMEM;
			} else {
				v = nv;
				v[n++] = path;
				v[n] = NULL;
				path = NULL;
			}
		}
		free(oerr);
		free(path);
		report_doc_release(&o);
	}
	closedir(dh);
	*partial = v;
	return r;
}

int history_dir_save(const char *dir, const struct report_doc *d, char **err)
{
	struct scan_report rep;
	char when[40], run[80], shard[48] = "", *path = NULL, *suffix = NULL;
	char **partial = NULL;
	bool have_complete = false;
	size_t i;
	int r;

	/* 0700: every report in it may hold secrets (--show-secrets) */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		if (asprintf(err, "--history %s: cannot create: %s", dir,
			     strerror(errno)) < 0)
			*err = NULL;
		return EXPO_EIO;
	}
	safe_name(when, sizeof(when), d->started_at);
	safe_name(run, sizeof(run), d->run_id ? d->run_id : "run");
	if (d->shard_count > 0)
		snprintf(shard, sizeof(shard), "_shard-%u-of-%u",
			 d->shard_index, d->shard_count);
	if (asprintf(&path, "%s/%s_%s%s.json", dir, when, run, shard) < 0)
		return EXPO_ENOMEM;
	if (asprintf(&suffix, "_%s%s.json", run, shard) < 0) {
		free(path);
		return EXPO_ENOMEM;
	}
	if (d->run_id != NULL &&
	    (r = same_shard(dir, suffix, strrchr(path, '/') + 1, d,
			    &have_complete, &partial)) != 0)
		goto out;
	if (have_complete && d->incomplete_reason != NULL) {
		/* a retried shard cut short: the complete one stays */
		fprintf(stderr,
			"exposure: --history: this shard of run %s is already "
			"saved complete; nothing changed\n",
			run);
		r = 0;
		goto out;
	}
	report_doc_view(d, &rep);
	r = report_json_write(path, &rep);
	if (r != 0 && asprintf(err, "--history %s: cannot write: %s", path,
			       expo_strerror(r)) < 0)
		*err = NULL;
	/* the new report is in: the interrupted attempts it replaces go */
	for (i = 0; r == 0 && partial != NULL && partial[i] != NULL; i++)
		if (unlink(partial[i]) != 0 && errno != ENOENT) {
			char *e = report_escaped(partial[i]);

			fprintf(stderr,
				"exposure: --history: cannot remove the "
				"replaced report %s: %s\n",
				e ? e : "?", strerror(errno));
			free(e);
		}
out:
	for (i = 0; partial != NULL && partial[i] != NULL; i++)
		free(partial[i]);
	free(partial);
	free(suffix);
	free(path);
	return r;
}

/* one run of the folder: its shards' files, known from their heads; its
 * document is read only while its point is made, and of the last complete
 * run only the findings are kept: memory holds one run and the findings
 * of another, not the folder */
struct run {
	struct report_doc doc;
	char *key;
	char started_at[sizeof(((struct report_doc *)0)->started_at)];
	unsigned shards_seen, shard_count;
	struct {
		unsigned index; /* its shard index */
		size_t name;	/* into the sorted names */
	} * shards;
};

static int run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	int c = strcmp(x->started_at, y->started_at);

	return c != 0 ? c : strcmp(x->key, y->key);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* adds file `file` (head h) to its run; 0, or EXPO_ENOMEM */
static int add_head(struct run **runs, size_t *nruns,
		    const struct report_doc *h, const char *path, size_t file)
{
	const char *key = h->run_id ? h->run_id : path;
	struct run *rn = NULL, *v;
	unsigned idx = h->shard_count ? h->shard_index : 1;
	size_t i;
	void *nv;

	for (i = 0; i < *nruns; i++)
		if (strcmp((*runs)[i].key, key) == 0)
			rn = &(*runs)[i];
	if (rn == NULL) {
		if ((v = realloc(*runs, (*nruns + 1) * sizeof(*v))) == NULL)
			return EXPO_ENOMEM;
		*runs = v;
		rn = &v[(*nruns)++];
		memset(rn, 0, sizeof(*rn));
		report_doc_init(&rn->doc);
		if ((rn->key = strdup(key)) == NULL)
			return EXPO_ENOMEM;
		rn->shard_count = h->shard_count ? h->shard_count : 1;
	}
	for (i = 0; i < rn->shards_seen; i++)
		if (rn->shards[i].index == idx)
			return 0; /* the same shard saved twice */
	nv = realloc(rn->shards, (rn->shards_seen + 1) * sizeof(*rn->shards));
	if (nv == NULL)
		return EXPO_ENOMEM;
	rn->shards = nv;
	rn->shards[rn->shards_seen].index = idx;
	rn->shards[rn->shards_seen++].name = file;
	/* as report_doc_merge() dates the merged run: its first shard */
	if (rn->started_at[0] == '\0' ||
	    (h->started_at[0] != '\0' &&
	     strcmp(h->started_at, rn->started_at) < 0))
		memcpy(rn->started_at, h->started_at, sizeof(rn->started_at));
	return 0;
}

/* reads run rn's shards whole, in file-name order, merged into rn->doc;
 * 0, or < 0 with *err naming the file */
static int run_load(struct run *rn, char *const *names, const char *dir,
		    char **err)
{
	char *path = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < rn->shards_seen && r == 0; i++) {
		struct report_doc d;

		report_doc_init(&d);
		if (asprintf(&path, "%s/%s", dir, names[rn->shards[i].name]) <
		    0) {
			path = NULL;
			r = EXPO_ENOMEM;
		}
		if (r == 0)
			r = report_json_read(path, i == 0 ? &rn->doc : &d, err);
		if (r == 0 && i > 0 &&
		    (r = report_doc_merge(&rn->doc, &d, err)) != 0 &&
		    *err != NULL) {
			char *m = NULL;

			if (asprintf(&m, "%s: %s", path, *err) >= 0) {
				free(*err);
				*err = m;
			}
		}
		report_doc_release(&d);
		free(path);
		path = NULL;
	}
	return r;
}

/* one run as a trend point: open findings per severity, new since prev
 * (the last complete run's findings, or NULL), and fixed since prev (only
 * a complete run proves a fix) */
static int run_point(const struct run *rn, const struct finding_list *prev,
		     bool complete, struct trend_point *pt)
{
	const struct report_doc *d = &rn->doc;
	struct fp_set now = { 0 }, before = { 0 };
	struct absence_index *ix = NULL;
	size_t i, k;
	int r;

	memset(pt, 0, sizeof(*pt));
	/* fixes need this run's fingerprints and records: only a complete
	 * run after another proves any */
	if ((prev != NULL && (r = fp_set_build(&before, prev)) != 0) ||
	    (complete && prev != NULL &&
	     ((r = fp_set_build(&now, &d->findings)) != 0 ||
	      (r = absence_index_new(&ix, d)) != 0)))
		goto out;
	for (i = 0; i < d->findings.n; i++) {
		const struct finding *f = &d->findings.v[i];

		if (d->notes != NULL && d->notes[i].sup_reason != NULL) {
			pt->suppressed++;
			continue;
		}
		pt->sev[f->severity]++;
		pt->fresh += !fp_set_has(&before, f->fingerprint);
	}
	for (k = 0; ix != NULL && k < prev->n; k++) {
		const struct finding *pf = &prev->v[k];

		if (!fp_set_has(&now, pf->fingerprint) &&
		    absence_proved(ix, pf))
			pt->fixed++;
	}
	snprintf(pt->run, sizeof(pt->run), "%s", rn->key);
	snprintf(pt->started_at, sizeof(pt->started_at), "%s", d->started_at);
	pt->shards_seen = rn->shards_seen;
	pt->shard_count = rn->shard_count;
	pt->complete = complete;
out:
	fp_set_release(&now);
	fp_set_release(&before);
	absence_index_free(ix);
	return r;
}

/* the *.json names in dir, sorted (no temporaries of a report being
 * written: ".x.tmp"); 0, or < 0 with *err */
static int report_names(const char *dir, char ***names, size_t *nnames,
			char **err)
{
	char **nv;
	struct dirent *e;
	DIR *dh;
	int r = 0;

	*names = NULL;
	*nnames = 0;
	if ((dh = opendir(dir)) == NULL) {
		if (asprintf(err, "--history %s: %s", dir, strerror(errno)) < 0)
			*err = NULL;
		return EXPO_EIO;
	}
	while ((e = readdir(dh)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len < 6 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if ((nv = realloc(*names, (*nnames + 1) * sizeof(*nv))) ==
			    NULL ||
		    (nv[*nnames] = strdup(e->d_name)) == NULL) {
			*names = nv ? nv : *names;
			r = EXPO_ENOMEM;
			break;
		}
		*names = nv;
		(*nnames)++;
	}
	closedir(dh);
	if (*names != NULL)
		qsort(*names, *nnames, sizeof(**names), name_cmp);
	return r;
}

int history_dir_trend(const char *dir, struct trend *out, char **err)
{
	struct run *runs = NULL;
	struct finding_list before; /* the last complete run's */
	bool have_before = false;
	char **names = NULL, *path = NULL;
	size_t nnames = 0, nruns = 0, i;
	int r;

	memset(out, 0, sizeof(*out));
	finding_list_init(&before);
	if ((r = report_names(dir, &names, &nnames, err)) != 0)
		goto out;
	/* first the heads: which run and shard each file is, and when */
	for (i = 0; i < nnames && r == 0; i++) {
		struct report_doc h;

		report_doc_init(&h);
		free(path);
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			path = NULL;
			r = EXPO_ENOMEM;
		}
		if (r == 0)
			r = report_json_read_head(path, &h, err);
		if (r == 0)
			r = add_head(&runs, &nruns, &h, path, i);
		report_doc_release(&h);
	}
	if (r != 0)
		goto out;
	if (nruns > 0)
		qsort(runs, nruns, sizeof(*runs), run_cmp);
	if (nruns > 0 && (out->v = calloc(nruns, sizeof(*out->v))) == NULL) {
		r = EXPO_ENOMEM;
		goto out;
	}
	/* then each run whole, oldest first, against the last complete
	 * one's findings, which are all the next point needs of it */
	for (i = 0; i < nruns && r == 0; i++) {
		bool complete;

		if ((r = run_load(&runs[i], names, dir, err)) != 0)
			break;
		complete = runs[i].shards_seen >= runs[i].shard_count &&
			   runs[i].doc.incomplete_reason == NULL;
		r = run_point(&runs[i], have_before ? &before : NULL, complete,
			      &out->v[out->n++]);
		if (r == 0 && complete) {
			finding_list_release(&before); /* empty again */
			r = report_doc_take_findings(&runs[i].doc, &before);
			have_before = true;
		}
		report_doc_release(&runs[i].doc);
	}
out:
	finding_list_release(&before);
	for (i = 0; i < nruns; i++) {
		report_doc_release(&runs[i].doc);
		free(runs[i].key);
		free(runs[i].shards);
	}
	free(runs);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(path);
	return r;
}

int history_dir_print(const char *dir, FILE *out, char **err)
{
	struct trend t;
	int r = history_dir_trend(dir, &t, err);

	if (r == 0) {
		if (t.n == 0)
			fprintf(out, "no runs in %s yet\n", dir);
		else
			trend_print(out, &t);
	}
	trend_release(&t);
	return r;
}
