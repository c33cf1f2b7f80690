/*
 * ftp.c - ftp.anonymous_login: does an FTP server let the anonymous user
 * in? ftp.anonymous_write (--intrusive only): can that user store a file?
 *
 * What it sends: one control connection. It reads the greeting, sends
 * USER anonymous and PASS (an e-mail-like address, as RFC 1635 asks); a
 * 230 proves the login, a 530 refuses it. The evidence is the top
 * directory, listed with STAT / over the control connection (no data
 * connection, nothing read beyond the names). Without --intrusive that is
 * all: it never writes, as PROBES-2.md advises. With --intrusive it tries
 * to store an empty, uniquely named file (exposure-write-test-<random>)
 * in the top directory and then in up to three listed directories
 * (vsftpd refuses a writable anonymous root, so uploads go to a folder
 * such as upload/), through an EPSV (or PASV) data connection, and
 * deletes it at once with DELE; a file the server would not let it delete
 * is named in the finding so that it can be removed by hand.
 * The data connection always goes to the scanned address: the address a
 * 227 reply names is ignored (no FTP bounce, no third host touched).
 * Anonymous FTP is not a credential guess: like SMB's null session it
 * needs no --creds and is tried under --no-login too.
 * References: RFC 959, RFC 1635, RFC 2428; nmap ftp-anon; CWE-284.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "facts.h"
#include "dynbuf.h"
#include "expo.h"
#include "ftp_wire.h"
#include "rawio.h"

#define FTP_OUT_MAX 512
#define FTP_DATA_IN_MAX 4096 /* nothing is read from a STOR connection */
#define FTP_LIST_MAX 20	     /* names kept as evidence */
#define FTP_WRITE_DIRS 4     /* the top directory and three folders */
#define FTP_PASS "exposure@example.com"
#define FTP_VERDICT_MS 8000 /* a refused login may answer late */

enum ftp_phase {
	FP_GREET = 0,
	FP_USER,
	FP_PASS,
	FP_STAT,
	FP_EPSV,
	FP_PASV,
	FP_DATA_CONNECT, /* waits on the data connection */
	FP_STOR,
	FP_STOR_END,
	FP_DELE,
	FP_DONE,
};

struct ftp_probe {
	struct rawio ctl, data;
	enum ftp_phase phase;
	char dirs[FTP_WRITE_DIRS][128]; /* where to try a write */
	unsigned ndirs, dir_i;
	char file[64];	/* the unique name */
	char path[200]; /* dirs[dir_i]/file */
	unsigned quiet; /* timer wakes without news, waiting for PASS */
};

static int send_cmd(struct ftp_probe *st, const char *cmd, const char *arg)
{
	char line[FTP_OUT_MAX];
	int n = snprintf(line, sizeof(line), "%s%s%s\r\n", cmd, arg ? " " : "",
			 arg ? arg : "");

	if (n < 0 || (size_t)n >= sizeof(line))
		return EXPO_ETOOBIG;
	return rawio_queue(&st->ctl, line, (size_t)n);
}

static int ftp_start(struct check_ctx *ctx, void *state)
{
	struct ftp_probe *st = state;
	int err;

	rawio_init(&st->ctl, FTP_REPLY_MAX, FTP_OUT_MAX * 4);
	rawio_init(&st->data, FTP_DATA_IN_MAX, 16);
	ctx_phase(ctx, "greeting");
	err = rawio_open(ctx, &st->ctl);
	if (err < 0)
		rawio_close(&st->ctl);
	return err;
}

static int finish(struct ftp_probe *st)
{
	st->phase = FP_DONE;
	rawio_close(&st->data);
	rawio_close(&st->ctl);
	return PROBE_DONE;
}

static int fail(struct check_ctx *ctx, struct ftp_probe *st, const char *what,
		const char *why)
{
	ctx_status(ctx, STATUS_ERROR, "%s: %s", what, why);
	return finish(st);
}

/* "421 text" for the facts */
static int add_reply(cJSON *o, const char *key, const struct ftp_reply *r)
{
	char s[300];

	snprintf(s, sizeof(s), "%u %s", r->code, r->text);
	return cJSON_AddStringToObject(o, key, s) ? 0 : EXPO_ENOMEM;
}

static cJSON *write_facts(struct check_ctx *ctx)
{
	cJSON *f = ctx_facts(ctx);
	cJSON *w = cJSON_GetObjectItemCaseSensitive(f, "write");

	return w ? w : cJSON_AddObjectToObject(f, "write");
}

/* the listing of a STAT reply into facts; folders become write targets */
static int record_listing(struct check_ctx *ctx, struct ftp_probe *st,
			  const char *body, size_t len)
{
	cJSON *f = ctx_facts(ctx), *names;
	size_t off = 0, n;
	unsigned count = 0;
	struct ftp_entry e;

	names = cJSON_AddArrayToObject(f, "listing");
	if (names == NULL)
		return EXPO_ENOMEM;
	while (off < len) {
		const char *lf = memchr(body + off, '\n', len - off);

		n = lf ? (size_t)(lf - (body + off)) : len - off;
		if (ftp_wire_entry(body + off, n, &e) == 0 && !e.dot) {
			if (count < FTP_LIST_MAX &&
			    !cJSON_AddItemToArray(names,
						  cJSON_CreateString(e.name)))
				return EXPO_ENOMEM;
			if (e.is_dir && st->ndirs < FTP_WRITE_DIRS &&
			    strchr(e.name, '/') == NULL)
				snprintf(st->dirs[st->ndirs++],
					 sizeof(st->dirs[0]), "%s", e.name);
			count++;
		}
		off += n + 1;
	}
	return cJSON_AddNumberToObject(f, "entries", count) ? 0 : EXPO_ENOMEM;
}

/* the next write target, or the end of the probe */
static int next_write(struct check_ctx *ctx, struct ftp_probe *st)
{
	int err;

	rawio_close(&st->data);
	if (st->dir_i >= st->ndirs)
		return finish(st);
	if (st->dirs[st->dir_i][0])
		snprintf(st->path, sizeof(st->path), "%s/%s",
			 st->dirs[st->dir_i], st->file);
	else
		snprintf(st->path, sizeof(st->path), "%s", st->file);
	st->dir_i++;
	ctx_phasef(ctx, "write %u", st->dir_i);
	err = send_cmd(st, "EPSV", NULL);
	st->phase = FP_EPSV;
	return err < 0 ? err : 0;
}

static int after_login(struct check_ctx *ctx, struct ftp_probe *st,
		       const struct ftp_reply *r)
{
	cJSON *f = ctx_facts(ctx);
	int err;

	if (!cJSON_AddBoolToObject(f, "anonymous", true) ||
	    add_reply(f, "login_reply", r) < 0)
		return EXPO_ENOMEM;
	ctx_phase(ctx, "list");
	err = send_cmd(st, "STAT", "/");
	st->phase = FP_STAT;
	return err;
}

static int after_list(struct check_ctx *ctx, struct ftp_probe *st)
{
	char name[16];

	if (!ctx_intrusive(ctx))
		return finish(st);
	/* the top directory first, then the listed folders */
	memmove(st->dirs[1], st->dirs[0],
		sizeof(st->dirs[0]) * (FTP_WRITE_DIRS - 1));
	st->dirs[0][0] = '\0';
	st->ndirs = st->ndirs + 1 < FTP_WRITE_DIRS ? st->ndirs + 1
						   : FTP_WRITE_DIRS;
	ctx_random_name(ctx, name, sizeof(name));
	snprintf(st->file, sizeof(st->file), "exposure-write-test-%s", name);
	if (write_facts(ctx) == NULL)
		return EXPO_ENOMEM;
	return next_write(ctx, st);
}

/* a refused write step: noted, then the next folder */
static int write_refused(struct check_ctx *ctx, struct ftp_probe *st,
			 const char *what, const struct ftp_reply *r)
{
	cJSON *w = write_facts(ctx), *arr;
	char s[600];

	arr = w ? cJSON_GetObjectItemCaseSensitive(w, "refused") : NULL;
	if (w != NULL && arr == NULL)
		arr = cJSON_AddArrayToObject(w, "refused");
	snprintf(s, sizeof(s), "%s %s: %u %s", what, st->path, r->code,
		 r->text);
	if (arr == NULL || !cJSON_AddItemToArray(arr, cJSON_CreateString(s)))
		return EXPO_ENOMEM;
	return next_write(ctx, st);
}

static int on_reply(struct check_ctx *ctx, struct ftp_probe *st,
		    const struct ftp_reply *r, const char *buf)
{
	cJSON *f = ctx_facts(ctx), *w;
	uint16_t port = 0;
	unsigned c = r->code;
	int err = 0;

	/* a preliminary reply: the final one follows (except after STOR) */
	if (c < 200 && st->phase != FP_STOR)
		return 0;
	switch (st->phase) {
	case FP_GREET:
		if (add_reply(f, "greeting", r) < 0)
			return EXPO_ENOMEM;
		if (c != 220) {
			ctx_status(ctx, STATUS_OPEN,
				   "the FTP server refused the "
				   "connection: %u %s",
				   c, r->text);
			return finish(st);
		}
		ctx_phase(ctx, "login");
		st->phase = FP_USER;
		return send_cmd(st, "USER", "anonymous");
	case FP_USER:
		if (c == 230)
			return after_login(ctx, st, r);
		if (c == 331 || c == 332) {
			st->phase = FP_PASS;
			return send_cmd(st, "PASS", FTP_PASS);
		}
		break;
	case FP_PASS:
		if (c == 230 || c == 202)
			return after_login(ctx, st, r);
		break;
	case FP_STAT:
		if (c >= 211 && c <= 213 && r->body_len > 0)
			err = record_listing(ctx, st, buf + r->body_off,
					     r->body_len);
		else
			err = add_reply(f, "list_refused", r);
		return err < 0 ? err : after_list(ctx, st);
	case FP_EPSV:
		if (c == 229 && ftp_wire_epsv_port(r->text, &port) == 0)
			break;
		st->phase = FP_PASV;
		return send_cmd(st, "PASV", NULL);
	case FP_PASV:
		if (c == 227 && ftp_wire_pasv_port(r->text, &port) == 0)
			break;
		return write_refused(ctx, st, "passive mode for", r);
	case FP_STOR:
		if (c == 125 || c == 150) {
			/* an empty file: close the data connection */
			rawio_close(&st->data);
			st->phase = FP_STOR_END;
			return 0;
		}
		return write_refused(ctx, st, "STOR", r);
	case FP_STOR_END:
		if (c != 226 && c != 250)
			return write_refused(ctx, st, "STOR", r);
		w = write_facts(ctx);
		if (w == NULL ||
		    !cJSON_AddStringToObject(w, "stored", st->path))
			return EXPO_ENOMEM;
		ctx_phase(ctx, "delete");
		st->phase = FP_DELE;
		return send_cmd(st, "DELE", st->path);
	case FP_DELE:
		w = write_facts(ctx);
		if (w == NULL ||
		    !cJSON_AddBoolToObject(w, "deleted",
					   c == 250 || c == 200) ||
		    add_reply(w, "delete_reply", r) < 0)
			return EXPO_ENOMEM;
		return finish(st);
	default:
		return finish(st);
	}
	if (st->phase == FP_EPSV || st->phase == FP_PASV) {
		/* the data connection, to this address only */
		err = rawio_open_port(ctx, &st->data, port);
		if (err < 0)
			return write_refused(ctx, st, "data connection for", r);
		st->phase = FP_DATA_CONNECT;
		return 0;
	}
	/* USER or PASS refused: no anonymous access */
	if (!cJSON_AddBoolToObject(f, "anonymous", false) ||
	    add_reply(f, "login_reply", r) < 0)
		return EXPO_ENOMEM;
	return finish(st);
}

/* the data connection is under way: STOR once it is up */
static int step_data(struct check_ctx *ctx, struct ftp_probe *st)
{
	int rc = rawio_pump(ctx, &st->data, "data connection");

	if (rc > 0)
		return rc;
	if (rc < 0) {
		/* rawio recorded an error: a refused data port ends it */
		return finish(st);
	}
	st->phase = FP_STOR;
	rc = send_cmd(st, "STOR", st->path);
	return rc < 0 ? rc : 0;
}

/* waits for the next reply; a refused login is answered after a delay
 * (vsftpd's delay_failed_login and PAM's: about 3 s), so PASS keeps its
 * phase alive up to FTP_VERDICT_MS, past a short --timeout */
static int wait_reply(struct check_ctx *ctx, struct ftp_probe *st)
{
	unsigned wake = ctx_timeout_ms(ctx) / 2;

	if (st->phase != FP_PASS)
		return rawio_wait(ctx, &st->ctl);
	if (wake < 50)
		wake = 50;
	if (st->quiet++ * wake >= FTP_VERDICT_MS) {
		ctx_status(ctx, STATUS_TIMEOUT,
			   "login: no answer to PASS "
			   "within %u ms",
			   FTP_VERDICT_MS);
		return finish(st);
	}
	ctx_phase(ctx, "login");
	ctx_wake_after(ctx, wake);
	return rawio_wait(ctx, &st->ctl) | PROBE_WANT_TIMER;
}

static int ftp_step(struct check_ctx *ctx, void *state)
{
	struct ftp_probe *st = state;
	struct ftp_reply r;
	size_t used = 0;
	unsigned rounds;
	int rc = 0, err;

	for (rounds = 0; rounds < 64 && st->phase != FP_DONE; rounds++) {
		if (st->phase == FP_DATA_CONNECT) {
			rc = step_data(ctx, st);
			if (rc != 0)
				break;
			continue;
		}
		rc = rawio_pump(ctx, &st->ctl, "control");
		if (rc != 0) {
			if (rc < 0)
				rc = finish(st);
			break;
		}
		err = ftp_wire_reply(dynbuf_ptr(&st->ctl.in),
				     dynbuf_len(&st->ctl.in), &r, &used);
		if (err == FTP_WIRE_MORE && !st->ctl.eof) {
			rc = wait_reply(ctx, st);
			break;
		}
		if (err != 0) {
			rc = fail(ctx, st, "control",
				  err == FTP_WIRE_MORE ? "connection closed"
				  : err == EXPO_EPROTO
					  ? "not an FTP server (no reply code)"
					  : "reply over its size bound");
			break;
		}
		err = on_reply(ctx, st, &r, dynbuf_ptr(&st->ctl.in));
		if (st->ctl.fd >= 0)
			dynbuf_consume(&st->ctl.in, used);
		if (err < 0) {
			rc = err;
			break;
		}
	}
	if (rc == 0 && st->phase != FP_DONE)
		rc = fail(ctx, st, "control", "too many replies at once");
	return rc;
}

static void ftp_cleanup(struct check_ctx *ctx, void *state)
{
	struct ftp_probe *st = state;

	(void)ctx;
	rawio_close(&st->data);
	rawio_close(&st->ctl);
}

/* ---- assess: facts -> findings, no I/O ---- */

static int ftp_assess(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(facts, "write");
	const cJSON *it = NULL;
	const char *greet = fact_get_str(facts, "greeting");
	const char *stored = fact_get_str(w, "stored");
	double entries = fact_get_num(facts, "entries");
	struct dynbuf ev;
	unsigned n = 0;
	int err = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(facts, "anonymous")))
		return 0;
	dynbuf_init(&ev, 2048);
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItemCaseSensitive(facts, "listing"))
	{
		if (cJSON_IsString(it))
			dynbuf_addf(&ev, "%s%s", n++ ? ", " : "",
				    it->valuestring);
	}
	if (entries >= 0)
		err = ctx_report(ctx, "ftp.anonymous_login", NULL,
				 "anonymous login accepted (%s); top "
				 "directory: %.0f entr%s%s%s",
				 greet ? greet : "no greeting", entries,
				 entries == 1 ? "y" : "ies", n ? ": " : "",
				 n ? dynbuf_ptr(&ev) : "");
	else
		err = ctx_report(ctx, "ftp.anonymous_login", NULL,
				 "anonymous login accepted (%s); the top "
				 "directory was not listed",
				 greet ? greet : "no greeting");
	if (err == 0 && stored != NULL) {
		const cJSON *del =
			cJSON_GetObjectItemCaseSensitive(w, "deleted");
		const char *dr = fact_get_str(w, "delete_reply");

		if (cJSON_IsTrue(del))
			err = ctx_report(ctx, "ftp.anonymous_write", NULL,
					 "the anonymous user stored the empty "
					 "file %s and deleted it again",
					 stored);
		else
			err = ctx_report(ctx, "ftp.anonymous_write", NULL,
					 "the anonymous user stored the empty "
					 "file %s; deleting it failed (%s): "
					 "remove it by hand",
					 stored, dr ? dr : "no reply");
	}
	dynbuf_release(&ev);
	return err;
}

static const struct rule ftp_rules[] = {
	{
		.id = "ftp.anonymous_login",
		.title = "FTP accepts the anonymous user",
		.description = "Anyone can log in as anonymous and read what "
			       "the server shares, in cleartext; files left "
			       "there by mistake (backups, keys) are public.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
		.references = "CWE-284; CWE-306; ATT&CK T1190",
		.remediation = "Disable anonymous FTP (vsftpd: "
			       "anonymous_enable=NO), or serve public files "
			       "over HTTPS instead; firewall port 21.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "ftp.anonymous_write",
		.title = "the anonymous FTP user can write",
		.description = "The anonymous user stored a file: anyone can "
			       "host malware or stolen data on the server and "
			       "fill its disk (Mal/Miner-C spread this way).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:L",
		.references = "CWE-284; CWE-434; ATT&CK T1105",
		.remediation = "Turn anonymous uploads off (vsftpd: "
			       "anon_upload_enable=NO, anon_mkdir_write_enable="
			       "NO, anon_other_write_enable=NO) or require a "
			       "login for every writable folder.",
		.impact = IMPACT_DATA,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_INTRUSIVE,
	},
};

static const char *const ftp_services[] = { "ftp", NULL };
static const uint16_t ftp_ports[] = { 21 };

const struct check check_ftp = {
	.name = "ftp",
	.summary = "FTP: anonymous login (and, with --intrusive, upload)",
	.services = ftp_services,
	.ports = ftp_ports,
	.nports = ARRAY_SIZE(ftp_ports),
	.rules = ftp_rules,
	.nrules = ARRAY_SIZE(ftp_rules),
	.state_size = sizeof(struct ftp_probe),
	.start = ftp_start,
	.step = ftp_step,
	.cleanup = ftp_cleanup,
	.assess = ftp_assess,
};
