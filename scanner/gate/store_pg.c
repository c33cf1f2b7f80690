/*
 * store_pg.c - scheduled runs in PostgreSQL (--store postgresql://...).
 *
 * Sends: SQL over libpq to the database the user names, every value as a
 * bound parameter (PQexecParams), never spliced into the statement text.
 * Blocking on purpose (this is no probe): connect_timeout and a
 * statement_timeout bound every wait.
 *
 * Schema (created idempotently on first use, under an advisory lock so
 * shards starting together do not race): exposure_runs, exposure_run_shards,
 * exposure_targets, exposure_run_targets, exposure_findings (keyed by
 * fingerprint: first_seen, last_seen, fixed_at), exposure_run_findings,
 * exposure_run_absent (what a shard proved absent) and exposure_run_fixed
 * (what a completed run marked fixed).
 *
 * Each shard is one transaction; fixed_at is set by the transaction that
 * stores the last shard of a run, for findings some shard proved absent
 * (its port answered closed, or its check ran to the end without it). A
 * run with a shard missing, or a transaction cut short, marks nothing.
 *
 * An interrupted shard (SIGINT/SIGTERM: the report says complete false)
 * is stored with exposure_run_shards.complete false: its findings count,
 * it proves nothing absent, and the run does not complete. Storing that
 * shard again (a retried pod) replaces the partial record; a complete
 * shard already stored is never replaced.
 */
#include <ctype.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pq_lib.h" /* libpq, opened at first use */
#include "dynbuf.h"
#include "expo.h"
#include "gate.h"
#include "report/report_priv.h"
#include "store.h"

#define STORE_CONNECT_TIMEOUT "10"
#define STORE_CONNECT_TIMEOUT_MS 10000
#define STORE_STATEMENT_TIMEOUT "SET statement_timeout = '60s'"
/* any constant: all exposure stores into one database serialise on it */
#define STORE_LOCK "SELECT pg_advisory_xact_lock(7316544912)"

static const char *const schema_sql[] = {
	"CREATE TABLE IF NOT EXISTS exposure_runs ("
	" run_id text PRIMARY KEY,"
	" started_at timestamptz NOT NULL,"
	" shard_count integer NOT NULL CHECK (shard_count >= 1),"
	" tool_version text NOT NULL,"
	" completed_at timestamptz)",
	"CREATE TABLE IF NOT EXISTS exposure_run_shards ("
	" run_id text NOT NULL REFERENCES exposure_runs ON DELETE CASCADE,"
	" shard_index integer NOT NULL,"
	" started_at timestamptz NOT NULL,"
	" duration_s double precision NOT NULL,"
	" stored_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (run_id, shard_index))",
	"CREATE TABLE IF NOT EXISTS exposure_targets ("
	" target_id text PRIMARY KEY,"
	" name text, provider text, source text, account text, region text,"
	" first_seen timestamptz NOT NULL,"
	" last_seen timestamptz NOT NULL)",
	"CREATE TABLE IF NOT EXISTS exposure_run_targets ("
	" run_id text NOT NULL REFERENCES exposure_runs ON DELETE CASCADE,"
	" target_id text NOT NULL REFERENCES exposure_targets,"
	" shard_index integer NOT NULL,"
	" skipped boolean NOT NULL,"
	" PRIMARY KEY (run_id, target_id))",
	"CREATE TABLE IF NOT EXISTS exposure_findings ("
	" fingerprint text PRIMARY KEY,"
	" rule text NOT NULL, check_name text NOT NULL,"
	" target_id text NOT NULL REFERENCES exposure_targets,"
	" address text, port integer NOT NULL, title text,"
	" severity text NOT NULL, cvss_vector text, cvss_score double precision,"
	" evidence text,"
	" first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL,"
	" first_run text NOT NULL, last_run text NOT NULL,"
	" fixed_at timestamptz, fixed_run text)",
	"CREATE TABLE IF NOT EXISTS exposure_run_findings ("
	" run_id text NOT NULL REFERENCES exposure_runs ON DELETE CASCADE,"
	" fingerprint text NOT NULL REFERENCES exposure_findings,"
	" severity text NOT NULL,"
	" suppressed boolean NOT NULL,"
	" is_new boolean NOT NULL,"
	" PRIMARY KEY (run_id, fingerprint))",
	"CREATE TABLE IF NOT EXISTS exposure_run_absent ("
	" run_id text NOT NULL REFERENCES exposure_runs ON DELETE CASCADE,"
	" fingerprint text NOT NULL REFERENCES exposure_findings,"
	" PRIMARY KEY (run_id, fingerprint))",
	"CREATE TABLE IF NOT EXISTS exposure_run_fixed ("
	" run_id text NOT NULL REFERENCES exposure_runs ON DELETE CASCADE,"
	" fingerprint text NOT NULL REFERENCES exposure_findings,"
	" PRIMARY KEY (run_id, fingerprint))",
	"CREATE INDEX IF NOT EXISTS exposure_findings_open"
	" ON exposure_findings (target_id) WHERE fixed_at IS NULL",
	/* added later: stores made before it hold complete shards only */
	"ALTER TABLE exposure_run_shards ADD COLUMN IF NOT EXISTS"
	" complete boolean NOT NULL DEFAULT true",
};

struct pg {
	PGconn *c;
	char **err;
	const char *url_shown;
};

static int pg_fail(struct pg *p, const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	char *m = NULL, *e;
	size_t n;

	if (msg == NULL || *msg == '\0')
		msg = p->c ? PQerrorMessage(p->c) : "out of memory";
	if ((m = strdup(msg)) != NULL) {
		n = strlen(m);
		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		/* the server's text goes to stderr: escaped */
		if ((e = report_escaped(m)) != NULL) {
			free(m);
			m = e;
		}
	}
	if (p->err != NULL && *p->err == NULL &&
	    asprintf(p->err, "--store: %s: %s", what, m ? m : "failed") < 0)
		*p->err = NULL;
	free(m);
	return EXPO_EIO;
}

/* runs sql with n text parameters (NULL = SQL NULL); the result, or NULL
 * after pg_fail() */
static PGresult *q(struct pg *p, const char *what, const char *sql, int n,
		   const char *const *params)
{
	PGresult *res = PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_fail(p, what, res);
		PQclear(res);
		res = NULL;
	}
	return res;
}

static int x(struct pg *p, const char *what, const char *sql, int n,
	     const char *const *params)
{
	PGresult *res = q(p, what, sql, n, params);

	PQclear(res);
	return res != NULL ? 0 : EXPO_EIO;
}

/* "relation already exists, skipping" is the idempotent schema at work;
 * libpq's default would print any notice of the server raw on stderr */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- the URL in messages: never its password ---- */

struct span {
	size_t off, len;
};

#define SECRET_SPANS_MAX 8

/* The passwords in url: a URI's user:PASSWORD@ and every password=VALUE
 * (URI query, or a key=value connection string). The count, or -1 when
 * url is neither a URI nor key=value pairs (libpq will say so, quoting
 * it: it is then never shown at all). */
static int secret_spans(const char *u, struct span *v)
{
	size_t len = strlen(u), i = 0, j, k, klen;
	const char *c, *q, *end;
	int n = 0;

	if (strncmp(u, "postgresql://", 13) == 0)
		i = 13;
	else if (strncmp(u, "postgres://", 11) == 0)
		i = 11;
	if (i > 0) {
		/* as libpq: the user part ends at the first '@' before '/' */
		for (j = i; j < len && u[j] != '@' && u[j] != '/'; j++)
			;
		if (j < len && u[j] == '@' &&
		    (c = memchr(u + i, ':', j - i)) != NULL) {
			v[n].off = (size_t)(c + 1 - u);
			v[n++].len = (size_t)(u + j - (c + 1));
		}
		for (q = strchr(u + i, '?'); q != NULL && *q != '\0';
		     q = *end ? end + 1 : end) {
			q += *q == '?' || *q == '&';
			if ((end = strchr(q, '&')) == NULL)
				end = q + strlen(q);
			if (strncmp(q, "password=", 9) == 0 &&
			    n < SECRET_SPANS_MAX) {
				v[n].off = (size_t)(q + 9 - u);
				v[n++].len = (size_t)(end - (q + 9));
			}
			if (*end == '\0')
				break;
		}
		return n;
	}
	for (i = 0;;) {
		while (i < len && isspace((unsigned char)u[i]))
			i++;
		if (i == len)
			return n;
		for (k = i;
		     i < len && u[i] != '=' && !isspace((unsigned char)u[i]);
		     i++)
			;
		klen = i - k;
		while (i < len && isspace((unsigned char)u[i]))
			i++;
		if (i == len || u[i] != '=')
			return -1;
		i++;
		while (i < len && isspace((unsigned char)u[i]))
			i++;
		j = i;
		if (i < len && u[i] == '\'') {
			for (j = ++i; i < len && u[i] != '\''; i++)
				i += u[i] == '\\' && i + 1 < len;
		} else {
			while (i < len && !isspace((unsigned char)u[i]))
				i++;
		}
		if (klen == 8 && strncmp(u + k, "password", 8) == 0 &&
		    n < SECRET_SPANS_MAX) {
			v[n].off = j;
			v[n++].len = i - j;
		}
		i += i < len && u[i] == '\'';
	}
}

/* url with its passwords as *** (malloc'd; NULL on ENOMEM) */
static char *url_hidden(const char *url)
{
	struct span v[SECRET_SPANS_MAX];
	struct dynbuf b;
	size_t at = 0;
	int i, n = secret_spans(url, v);

	if (n < 0)
		return strdup("(connection string not shown)");
	dynbuf_init(&b, strlen(url) + 3 * SECRET_SPANS_MAX + 1);
	for (i = 0; i < n; i++) {
		if (dynbuf_add(&b, url + at, v[i].off - at) != 0 ||
		    dynbuf_addstr(&b, "***") != 0)
			break;
		at = v[i].off + v[i].len;
	}
	if (i < n || dynbuf_addstr(&b, url + at) != 0) {
		dynbuf_release(&b);
		return NULL;
	}
	return dynbuf_detach(&b);
}

/* msg (libpq's) on one line, with every password of url (or url whole,
 * when it cannot be parsed) replaced by *** */
static char *scrub(const char *msg, const char *url)
{
	struct span v[SECRET_SPANS_MAX];
	struct dynbuf b;
	const char *p = msg;
	int i, n = secret_spans(url, v);
	bool space = false;

	dynbuf_init(&b, strlen(msg) * 3 + 16);
	if (n < 0) {
		v[0].off = 0;
		v[0].len = strlen(url);
		n = 1;
	}
	while (*p != '\0') {
		for (i = 0; i < n; i++)
			if (v[i].len > 0 &&
			    strncmp(p, url + v[i].off, v[i].len) == 0)
				break;
		if (i < n) {
			if (dynbuf_addstr(&b, "***") != 0)
				goto fail;
			p += v[i].len;
			space = false;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			space = true;
			p++;
			continue;
		}
		if ((space && b.len > 0 && dynbuf_add(&b, " ", 1) != 0) ||
		    dynbuf_add(&b, p, 1) != 0)
			goto fail;
		space = false;
		p++;
	}
	return dynbuf_detach(&b);
fail:
	dynbuf_release(&b);
	return NULL;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PQconnectdbParams() with the notice processor in place before the
 * startup (which may already bring notices), and the same timeout;
 * *timed_out tells a timeout from a refusal (then see PQerrorMessage) */
static PGconn *pg_connect(const char *const *keys, const char *const *vals,
			  bool *timed_out)
{
	long long deadline = mono_ms() + STORE_CONNECT_TIMEOUT_MS;
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	PGconn *c = PQconnectStartParams(keys, vals, 1);

	if (c == NULL)
		return NULL;
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	if (PQstatus(c) == CONNECTION_BAD)
		return c;
	while (ps != PGRES_POLLING_OK && ps != PGRES_POLLING_FAILED) {
		struct pollfd pfd = { .fd = PQsocket(c) };
		long long left = deadline - mono_ms();

		pfd.events = ps == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if (left <= 0 || pfd.fd < 0 || poll(&pfd, 1, (int)left) <= 0) {
			*timed_out = true;
			break;
		}
		ps = PQconnectPoll(c);
	}
	return c;
}

static int pg_open(struct pg *p, const char *url, char **err)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname",
			       NULL };
	const char *vals[] = { STORE_CONNECT_TIMEOUT, "exposure", url, NULL };
	bool timed_out = false;
	char why[256], *shown, *msg;

	p->err = err;
	p->c = NULL;
	if (pq_lib_load(why, sizeof(why)) != 0) {
		if (asprintf(err, "--store: %s (install libpq5)", why) < 0)
			*err = NULL;
		return EXPO_ENOTFOUND;
	}
	/* the URL's own settings come later and win (expand_dbname) */
	p->c = pg_connect(keys, vals, &timed_out);
	if (timed_out || p->c == NULL || PQstatus(p->c) != CONNECTION_OK) {
		/* the URL, but not its password, nor libpq quoting it */
		shown = url_hidden(url);
		msg = timed_out ? NULL
				: scrub(p->c ? PQerrorMessage(p->c)
					     : "out of memory",
					url);
		if (timed_out &&
		    asprintf(err,
			     "--store %s: cannot connect: no answer "
			     "within %u s",
			     shown ? shown : "?",
			     STORE_CONNECT_TIMEOUT_MS / 1000) < 0)
			*err = NULL;
		else if (!timed_out &&
			 asprintf(err, "--store %s: cannot connect: %s",
				  shown ? shown : "?", msg ? msg : "?") < 0)
			*err = NULL;
		free(shown);
		free(msg);
		return EXPO_EIO;
	}
	return x(p, "statement_timeout", STORE_STATEMENT_TIMEOUT, 0, NULL);
}

static void pg_close(struct pg *p)
{
	if (p->c != NULL)
		PQfinish(p->c);
	p->c = NULL;
}

int store_pg_check(const char *url, char **err)
{
	struct pg p = { 0 };
	int r;

	*err = NULL;
	r = pg_open(&p, url, err);
	pg_close(&p);
	return r;
}

static int ensure_schema(struct pg *p)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < sizeof(schema_sql) / sizeof(*schema_sql); i++)
		r = x(p, "creating the schema", schema_sql[i], 0, NULL);
	return r;
}

static int save_target(struct pg *p, const struct report_doc *d,
		       const struct target *t, const char *run,
		       const char *shard)
{
	const struct target_meta *m = t->meta;
	const char *v[] = { t->id,
			    t->name,
			    t->provider,
			    t->source,
			    m ? m->account : NULL,
			    m ? m->region : NULL,
			    d->started_at };
	const char *rt[] = { run, t->id, shard,
			     t->skip_reason != NULL ? "true" : "false" };
	int r;

	r = x(p, "storing a target",
	      "INSERT INTO exposure_targets (target_id, name, provider,"
	      " source, account, region, first_seen, last_seen)"
	      " VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
	      " ON CONFLICT (target_id) DO UPDATE SET name = EXCLUDED.name,"
	      " provider = EXCLUDED.provider, source = EXCLUDED.source,"
	      " account = EXCLUDED.account, region = EXCLUDED.region,"
	      " last_seen = GREATEST(exposure_targets.last_seen,"
	      " EXCLUDED.last_seen)",
	      7, v);
	if (r == 0)
		r = x(p, "storing a target of the run",
		      "INSERT INTO exposure_run_targets (run_id, target_id,"
		      " shard_index, skipped) VALUES ($1, $2, $3, $4)"
		      " ON CONFLICT DO NOTHING",
		      4, rt);
	return r;
}

/* text of a value that must be valid UTF-8 for the server */
static char *clean(const char *s)
{
	return s == NULL ? NULL : utf8_sanitize(s);
}

/* the fingerprints a replaced partial record of this shard called new,
 * sorted: a retried shard must not call them old for having stored them
 * itself */
struct was_new {
	char **v;
	size_t n;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool was_new(const struct was_new *w, const char *fp)
{
	return w->n > 0 &&
	       bsearch(&fp, w->v, w->n, sizeof(*w->v), str_cmp) != NULL;
}

static void was_new_release(struct was_new *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* removes the partial record of shard `index` of the run (every row keyed
 * by its targets), keeping which findings it called new */
static int drop_partial(struct pg *p, const char *run, const char *index,
			struct was_new *w)
{
	const char *v[] = { run, index };
	PGresult *res;
	int i, n, r;

	res = q(p, "replacing the partial shard",
		"DELETE FROM exposure_run_findings rf USING exposure_findings f,"
		" exposure_run_targets t WHERE rf.run_id = $1 AND"
		" f.fingerprint = rf.fingerprint AND t.run_id = $1 AND"
		" t.target_id = f.target_id AND t.shard_index = $2::integer"
		" RETURNING rf.fingerprint, rf.is_new",
		2, v);
	if (res == NULL)
		return EXPO_EIO;
	n = PQntuples(res);
	if (n > 0 && (w->v = calloc((size_t)n, sizeof(*w->v))) == NULL) {
		PQclear(res);
		return EXPO_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(res, i, 1), "t") != 0)
			continue;
		if ((w->v[w->n] = strdup(PQgetvalue(res, i, 0))) == NULL) {
			PQclear(res);
			return EXPO_ENOMEM;
		}
		w->n++;
	}
	PQclear(res);
	if (w->n > 0)
		qsort(w->v, w->n, sizeof(*w->v), str_cmp);
	r = x(p, "replacing the partial shard",
	      "DELETE FROM exposure_run_absent a USING exposure_findings f,"
	      " exposure_run_targets t WHERE a.run_id = $1 AND"
	      " f.fingerprint = a.fingerprint AND t.run_id = $1 AND"
	      " t.target_id = f.target_id AND t.shard_index = $2::integer",
	      2, v);
	if (r == 0)
		r = x(p, "replacing the partial shard",
		      "DELETE FROM exposure_run_targets WHERE run_id = $1 AND"
		      " shard_index = $2::integer",
		      2, v);
	if (r == 0)
		r = x(p, "replacing the partial shard",
		      "DELETE FROM exposure_run_shards WHERE run_id = $1 AND"
		      " shard_index = $2::integer",
		      2, v);
	return r;
}

static int save_finding(struct pg *p, const struct report_doc *d, size_t i,
			const char *run, const struct was_new *w)
{
	const struct finding *f = &d->findings.v[i];
	char port[8], score[32];
	char *title = clean(f->title), *ev = clean(f->evidence);
	char *addr = clean(f->address);
	const char *v[13];
	const char *rf[5];
	PGresult *res = NULL;
	bool is_new;
	int r = EXPO_EIO;

	snprintf(port, sizeof(port), "%u", f->port);
	snprintf(score, sizeof(score), "%.1f", f->cvss_score);
	/* new: never seen, or fixed before (a regression) */
	v[0] = f->fingerprint;
	res = q(p, "reading a finding",
		"SELECT fixed_at IS NOT NULL FROM"
		" exposure_findings WHERE fingerprint = $1",
		1, v);
	if (res == NULL)
		goto out;
	is_new = PQntuples(res) == 0 ||
		 strcmp(PQgetvalue(res, 0, 0), "t") == 0 ||
		 was_new(w, f->fingerprint);
	v[1] = f->rule_id;
	v[2] = f->check;
	v[3] = f->target_id;
	v[4] = addr;
	v[5] = port;
	v[6] = title;
	v[7] = severity_name(f->severity);
	v[8] = f->cvss_vector;
	v[9] = score;
	v[10] = ev;
	v[11] = d->started_at;
	v[12] = run;
	if (x(p, "storing a finding",
	      "INSERT INTO exposure_findings (fingerprint, rule, check_name,"
	      " target_id, address, port, title, severity, cvss_vector,"
	      " cvss_score, evidence, first_seen, last_seen, first_run,"
	      " last_run) VALUES ($1, $2, $3, $4, $5, $6::integer, $7, $8, $9,"
	      " $10::double precision, $11, $12::timestamptz, $12::timestamptz,"
	      " $13, $13) ON CONFLICT (fingerprint) DO UPDATE SET"
	      " address = EXCLUDED.address, title = EXCLUDED.title,"
	      " severity = EXCLUDED.severity,"
	      " cvss_vector = EXCLUDED.cvss_vector,"
	      " cvss_score = EXCLUDED.cvss_score, evidence = EXCLUDED.evidence,"
	      " last_seen = GREATEST(exposure_findings.last_seen,"
	      " EXCLUDED.last_seen), last_run = EXCLUDED.last_run,"
	      " fixed_at = NULL, fixed_run = NULL",
	      13, v) != 0)
		goto out;
	rf[0] = run;
	rf[1] = f->fingerprint;
	rf[2] = severity_name(f->severity);
	rf[3] = d->notes && d->notes[i].sup_reason ? "true" : "false";
	rf[4] = is_new ? "true" : "false";
	r = x(p, "storing a finding of the run",
	      "INSERT INTO exposure_run_findings (run_id, fingerprint,"
	      " severity, suppressed, is_new) VALUES ($1, $2, $3, $4, $5)"
	      " ON CONFLICT DO NOTHING",
	      5, rf);
out:
	PQclear(res);
	free(title);
	free(ev);
	free(addr);
	return r;
}

/* open findings of this shard's targets that this shard proves absent */
static int save_absent(struct pg *p, const struct report_doc *d,
		       const char *run)
{
	struct absence_index *ix;
	PGresult *res;
	int i, n, r;

	if ((r = absence_index_new(&ix, d)) != 0)
		return r;
	res = q(p, "reading open findings",
		"SELECT fingerprint, target_id,"
		" port, check_name FROM exposure_findings WHERE fixed_at IS NULL",
		0, NULL);
	if (res == NULL) {
		absence_index_free(ix);
		return EXPO_EIO;
	}
	n = PQntuples(res);
	for (i = 0; i < n && r == 0; i++) {
		struct finding f;
		const char *v[2];

		memset(&f, 0, sizeof(f));
		/* another shard's target, or one not in this run, is not
		 * proved absent */
		f.target_id = PQgetvalue(res, i, 1);
		f.port = (uint16_t)strtoul(PQgetvalue(res, i, 2), NULL, 10);
		f.check = PQgetvalue(res, i, 3);
		snprintf(f.fingerprint, sizeof(f.fingerprint), "%s",
			 PQgetvalue(res, i, 0));
		if (!absence_proved(ix, &f))
			continue;
		v[0] = run;
		v[1] = f.fingerprint;
		r = x(p, "storing an absent finding",
		      "INSERT INTO exposure_run_absent (run_id, fingerprint)"
		      " SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM"
		      " exposure_run_findings WHERE run_id = $1 AND"
		      " fingerprint = $2) ON CONFLICT DO NOTHING",
		      2, v);
	}
	PQclear(res);
	absence_index_free(ix);
	return r;
}

/* the last shard of the run: mark fixed what was proved absent */
static int complete_run(struct pg *p, const char *run, bool *done)
{
	const char *v[] = { run };
	PGresult *res;
	int r;

	*done = false;
	res = q(p, "counting shards",
		"SELECT (SELECT count(*) FROM exposure_run_shards s"
		" WHERE s.run_id = r.run_id AND s.complete) ="
		" r.shard_count FROM exposure_runs r WHERE r.run_id = $1",
		1, v);
	if (res == NULL)
		return EXPO_EIO;
	*done = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!*done)
		return 0;
	/* the fixes are kept per run too: a finding may come back later */
	r = x(p, "marking fixed findings",
	      "WITH fixed AS (UPDATE exposure_findings f"
	      " SET fixed_at = r.started_at, fixed_run = r.run_id"
	      " FROM exposure_runs r, exposure_run_absent a"
	      " WHERE r.run_id = $1 AND a.run_id = r.run_id"
	      " AND a.fingerprint = f.fingerprint AND f.fixed_at IS NULL"
	      " AND f.last_seen < r.started_at"
	      " AND NOT EXISTS (SELECT 1 FROM exposure_run_findings rf"
	      " WHERE rf.run_id = r.run_id AND rf.fingerprint = f.fingerprint)"
	      " RETURNING f.fingerprint)"
	      " INSERT INTO exposure_run_fixed (run_id, fingerprint)"
	      " SELECT $1, fingerprint FROM fixed",
	      1, v);
	if (r == 0)
		r = x(p, "completing the run",
		      "UPDATE exposure_runs SET"
		      " completed_at = now() WHERE run_id = $1",
		      1, v);
	return r;
}

int store_pg_save(const char *url, const struct report_doc *d, char **err)
{
	struct pg p = { 0 };
	char count[16], index[16], dur[32];
	const char *run = d->run_id;
	const char *rv[4], *sv[5];
	struct was_new w = { 0 };
	PGresult *res = NULL;
	bool done = false;
	size_t i;
	int r;

	if (run == NULL) {
		if (asprintf(err, "--store: the report has no run id") < 0)
			*err = NULL;
		return EXPO_EINVAL;
	}
	snprintf(count, sizeof(count), "%u",
		 d->shard_count ? d->shard_count : 1);
	snprintf(index, sizeof(index), "%u",
		 d->shard_count ? d->shard_index : 1);
	snprintf(dur, sizeof(dur), "%.3f", d->duration_s);
	if ((r = pg_open(&p, url, err)) != 0)
		goto out;
	if ((r = x(&p, "BEGIN", "BEGIN", 0, NULL)) != 0 ||
	    (r = x(&p, "taking the store lock", STORE_LOCK, 0, NULL)) != 0 ||
	    (r = ensure_schema(&p)) != 0)
		goto rollback;
	rv[0] = run;
	rv[1] = d->started_at;
	rv[2] = count;
	rv[3] = EXPO_VERSION;
	if ((r = x(&p, "storing the run",
		   "INSERT INTO exposure_runs (run_id,"
		   " started_at, shard_count, tool_version) VALUES ($1,"
		   " $2::timestamptz, $3::integer, $4) ON CONFLICT (run_id) DO"
		   " UPDATE SET started_at = LEAST(exposure_runs.started_at,"
		   " EXCLUDED.started_at)",
		   4, rv)) != 0)
		goto rollback;
	sv[0] = run;
	sv[1] = index;
	res = q(&p, "reading the run",
		"SELECT r.shard_count, (SELECT CASE WHEN s.complete THEN"
		" 'complete' ELSE 'partial' END FROM exposure_run_shards s"
		" WHERE s.run_id = $1 AND s.shard_index = $2::integer)"
		" FROM exposure_runs r WHERE r.run_id = $1",
		2, sv);
	if (res == NULL || PQntuples(res) != 1) {
		r = EXPO_EIO;
		goto rollback;
	}
	if (strcmp(PQgetvalue(res, 0, 0), count) != 0) {
		if (asprintf(err,
			     "--store: run %s was stored with %s shards, "
			     "this report says %s",
			     run, PQgetvalue(res, 0, 0), count) < 0)
			*err = NULL;
		r = EXPO_EINVAL;
		goto rollback;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "complete") == 0) {
		/* a retried pod: the shard is in, keep what is there */
		fprintf(stderr,
			"exposure: --store: shard %s of run %s is "
			"already stored; nothing changed\n",
			index, run);
		r = 0;
		goto rollback;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "partial") == 0) {
		/* an interrupted attempt of this shard: this one replaces it */
		fprintf(stderr,
			"exposure: --store: shard %s of run %s was stored "
			"incomplete; replacing it\n",
			index, run);
		if ((r = drop_partial(&p, run, index, &w)) != 0)
			goto rollback;
	}
	for (i = 0; i < d->targets.n && r == 0; i++)
		r = save_target(&p, d, &d->targets.v[i], run, index);
	for (i = 0; i < d->findings.n && r == 0; i++)
		r = save_finding(&p, d, i, run, &w);
	if (r == 0)
		r = save_absent(&p, d, run);
	sv[2] = d->started_at;
	sv[3] = dur;
	sv[4] = d->incomplete_reason == NULL ? "true" : "false";
	if (r == 0)
		r = x(&p, "storing the shard",
		      "INSERT INTO exposure_run_shards"
		      " (run_id, shard_index, started_at, duration_s, complete)"
		      " VALUES ($1, $2::integer, $3::timestamptz,"
		      " $4::double precision, $5::boolean)",
		      5, sv);
	if (r == 0)
		r = complete_run(&p, run, &done);
	if (r != 0)
		goto rollback;
	r = x(&p, "COMMIT", "COMMIT", 0, NULL);
	goto out;
rollback:
	if (p.c != NULL && PQstatus(p.c) == CONNECTION_OK)
		PQclear(PQexec(p.c, "ROLLBACK"));
out:
	PQclear(res);
	pg_close(&p);
	was_new_release(&w);
	return r;
}

int store_pg_trend(const char *url, struct trend *out, char **err)
{
	struct pg p = { 0 };
	PGresult *res = NULL;
	int i, n, r;

	memset(out, 0, sizeof(*out));
	if ((r = pg_open(&p, url, err)) != 0)
		goto out;
	/* a database no run was stored in has no tables yet */
	res = q(&p, "reading runs",
		"SELECT to_regclass('exposure_runs')"
		" IS NOT NULL",
		0, NULL);
	if (res == NULL) {
		r = EXPO_EIO;
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		goto out;
	PQclear(res);
	res = q(&p, "reading runs",
		"SELECT r.run_id,"
		" to_char(r.started_at AT TIME ZONE 'UTC',"
		" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		" (SELECT count(*) FROM exposure_run_shards s"
		"  WHERE s.run_id = r.run_id AND s.complete), r.shard_count,"
		" count(*) FILTER (WHERE f.severity = 'critical'"
		"  AND NOT f.suppressed),"
		" count(*) FILTER (WHERE f.severity = 'high' AND NOT f.suppressed),"
		" count(*) FILTER (WHERE f.severity = 'medium'"
		"  AND NOT f.suppressed),"
		" count(*) FILTER (WHERE f.severity = 'low' AND NOT f.suppressed),"
		" count(*) FILTER (WHERE f.severity = 'info' AND NOT f.suppressed),"
		" count(*) FILTER (WHERE f.is_new),"
		" (SELECT count(*) FROM exposure_run_fixed x"
		"  WHERE x.run_id = r.run_id),"
		" count(*) FILTER (WHERE f.suppressed),"
		" r.completed_at IS NOT NULL"
		" FROM exposure_runs r LEFT JOIN exposure_run_findings f"
		" ON f.run_id = r.run_id GROUP BY r.run_id"
		" ORDER BY r.started_at, r.run_id",
		0, NULL);
	if (res == NULL) {
		r = EXPO_EIO;
		goto out;
	}
	n = PQntuples(res);
	if (n > 0 && (out->v = calloc((size_t)n, sizeof(*out->v))) == NULL) {
		r = EXPO_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct trend_point *pt = &out->v[out->n++];

		snprintf(pt->run, sizeof(pt->run), "%s", PQgetvalue(res, i, 0));
		snprintf(pt->started_at, sizeof(pt->started_at), "%s",
			 PQgetvalue(res, i, 1));
		pt->shards_seen =
			(unsigned)strtoul(PQgetvalue(res, i, 2), NULL, 10);
		pt->shard_count =
			(unsigned)strtoul(PQgetvalue(res, i, 3), NULL, 10);
		pt->sev[SEV_CRITICAL] =
			strtoul(PQgetvalue(res, i, 4), NULL, 10);
		pt->sev[SEV_HIGH] = strtoul(PQgetvalue(res, i, 5), NULL, 10);
		pt->sev[SEV_MEDIUM] = strtoul(PQgetvalue(res, i, 6), NULL, 10);
		pt->sev[SEV_LOW] = strtoul(PQgetvalue(res, i, 7), NULL, 10);
		pt->sev[SEV_INFO] = strtoul(PQgetvalue(res, i, 8), NULL, 10);
		pt->fresh = strtoul(PQgetvalue(res, i, 9), NULL, 10);
		pt->fixed = strtoul(PQgetvalue(res, i, 10), NULL, 10);
		pt->suppressed = strtoul(PQgetvalue(res, i, 11), NULL, 10);
		pt->complete = strcmp(PQgetvalue(res, i, 12), "t") == 0;
	}
out:
	PQclear(res);
	pg_close(&p);
	return r;
}

int store_pg_history(const char *url, FILE *out, char **err)
{
	struct trend t;
	int r = store_pg_trend(url, &t, err);

	if (r == 0) {
		if (t.n == 0)
			fprintf(out, "no runs stored yet\n");
		else
			trend_print(out, &t);
	}
	trend_release(&t);
	return r;
}
