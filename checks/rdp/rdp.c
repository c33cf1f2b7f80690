/*
 * rdp.c - the RDP check: Network Level Authentication verdict, legacy
 * (standard RDP) security and its encryption, pre-authentication host
 * information, and weak credentials over NLA.
 *
 * What it sends, in order, each on its own TCP connection:
 *  1. "x224 ssl": an X.224 Connection Request whose RDP_NEG_REQ asks for
 *     PROTOCOL_SSL alone. RDP_NEG_FAILURE 5 (HYBRID_REQUIRED_BY_SERVER)
 *     means NLA is enforced; an RDP_NEG_RSP selecting SSL, failure 2 or 3,
 *     or no negotiation data at all (XP/2003) means it is not.
 *  2. "x224 rdp": the same asking for PROTOCOL_RDP (standard RDP
 *     security); if the server agrees, "mcs": an MCS Connect Initial with
 *     a GCC conference create request offering every encryption method,
 *     and the encryption method and level the server picks are read from
 *     the server security data of the MCS Connect Response. Then it hangs
 *     up: no security exchange, no licensing, no login screen.
 *  3. "x224 hybrid" / "tls" / "credssp": unless step 1 showed the server
 *     cannot do TLS, a request for SSL|HYBRID|HYBRID_EX; if CredSSP is
 *     selected, a TLS handshake (certificate not verified: we only read)
 *     and one TSRequest carrying an NTLM NEGOTIATE; the NTLM CHALLENGE in
 *     the answer names the host (NetBIOS and DNS names, OS build) before
 *     any authentication, as nmap's rdp-ntlm-info shows.
 *  4. "canary" / "login N" (blocking lane, FreeRDP): only if step 1 showed
 *     NLA enforced and logins are allowed: one CredSSP login with the
 *     ctx's random canary user (a server that accepts it accepts
 *     anything), then the ctx's credentials, each a FreeRDP connection in
 *     authentication-only mode (CredSSP completes, no session starts).
 *     Without NLA a "successful" login proves nothing (hydra reported
 *     every password valid on such servers), so none is tried there.
 * It logs in (step 4) only to authenticate; no session is opened.
 *
 * References: MS-RDPBCGR 2.2.1.1-2.2.1.4, 5.3 (standard RDP security);
 * MS-CSSP; MS-NLMP 2.2.1.2; T.123, T.125, T.124; nmap rdp-enum-encryption
 * and rdp-ntlm-info; hydra #923 / PR #1083; ../shared/PROBES.md c.1.
 *
 * FreeRDP's blocking CredSSP exchange has a connect timeout but no read
 * timeout (its TLS handshake waits for ever on a silent server): each
 * login gets the time left before the probe deadline, and a watchdog in
 * rdp_login.c shuts the connection down when it is up (lab: rdpfake
 * nla-stall). rdp_login.c connects that socket itself and hands FreeRDP
 * a duplicate, so the watchdog cuts only its own login's connection.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "check.h"
#include "facts.h"
#include "netio.h"
#include "dynbuf.h"
#include "expo.h"
#include "rdp_login.h"
#include "rdp_wire.h"

#define RDP_EVIDENCE_MAX 4096
/* a step helper's "state changed: run the machine again" */
#define STEP_AGAIN 100
/* the cookie our Connection Requests carry (what mstsc sends is the
 * user name; any short token does) */
#define RDP_COOKIE "exposure"
/* below this many ms left, no new FreeRDP attempt is started */
#define RDP_MIN_ATTEMPT_MS 300

enum rdp_phase {
	PH_SSL = 0, /* X.224 asking for PROTOCOL_SSL alone */
	PH_RDP,	    /* X.224 asking for PROTOCOL_RDP */
	PH_MCS,	    /* MCS Connect Initial / Response */
	PH_HYBRID,  /* X.224 asking for SSL|HYBRID|HYBRID_EX */
	PH_TLS,	    /* TLS handshake */
	PH_TSREQ,   /* TSRequest with NTLM NEGOTIATE / CHALLENGE */
	PH_DONE,
};

enum rdp_io {
	IO_CONNECT = 0, /* wait for writable, then SO_ERROR */
	IO_SEND,
	IO_RECV,
};

struct rdp_probe {
	enum rdp_phase phase;
	enum rdp_io io;
	int fd;
	struct dynbuf in;
	uint8_t out[512];
	size_t outlen, outsent;
	bool eof;
	SSL_CTX *tls_ctx;
	SSL *tls;
};

static const char *const phase_names[] = {
	[PH_SSL] = "x224 ssl", [PH_RDP] = "x224 rdp",
	[PH_MCS] = "mcs",      [PH_HYBRID] = "x224 hybrid",
	[PH_TLS] = "tls",      [PH_TSREQ] = "credssp",
	[PH_DONE] = "done",
};

/* the facts object each X.224 probe fills */
static const char *const probe_keys[] = {
	[PH_SSL] = "ssl_probe",
	[PH_RDP] = "rdp_probe",
	[PH_HYBRID] = "hybrid_probe",
};

/* ---- facts ---- */

static const cJSON *fact_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static cJSON *fact_obj(cJSON *facts, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(facts, key);

	if (o == NULL)
		o = cJSON_AddObjectToObject(facts, key);
	return o;
}

static int set_str(cJSON *o, const char *key, const char *val)
{
	int ret = 0;

	if (o == NULL) {
		ret = EXPO_ENOMEM;
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	ret = cJSON_AddStringToObject(o, key, val) ? 0 : EXPO_ENOMEM;
out:
	return ret;
}

static int set_num(cJSON *o, const char *key, double val)
{
	int ret = 0;

	if (o == NULL) {
		ret = EXPO_ENOMEM;
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	ret = cJSON_AddNumberToObject(o, key, val) ? 0 : EXPO_ENOMEM;
out:
	return ret;
}

static int set_bool(cJSON *o, const char *key, bool val)
{
	int ret = 0;

	if (o == NULL) {
		ret = EXPO_ENOMEM;
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	ret = cJSON_AddBoolToObject(o, key, val) ? 0 : EXPO_ENOMEM;
out:
	return ret;
}

static int record_cc(cJSON *facts, const char *key, const struct rdp_cc *cc)
{
	cJSON *o = fact_obj(facts, key);
	const char *name;
	int err = 0;

	switch (cc->kind) {
	case RDP_NEG_NONE:
		err = set_str(o, "response", "none");
		break;
	case RDP_NEG_RSP:
		name = rdp_protocol_name(cc->selected);
		err = keep_err(err, set_str(o, "response", "rsp"));
		err = keep_err(err, set_num(o, "selected_value", cc->selected));
		err = keep_err(err,
			       set_str(o, "selected", name ? name : "unknown"));
		err = keep_err(err, set_num(o, "flags", cc->flags));
		break;
	case RDP_NEG_FAILURE:
		err = keep_err(err, set_str(o, "response", "failure"));
		err = keep_err(err, set_num(o, "failure_code", cc->failure));
		err = keep_err(err, set_str(o, "failure",
					    rdp_failure_name(cc->failure)));
		break;
	}
	return err;
}

/* ---- verdicts (pure, on facts: assess() and run() share them) ---- */

enum nla_verdict { NLA_UNKNOWN = 0, NLA_ENFORCED, NLA_NOT_ENFORCED };

static enum nla_verdict nla_verdict(const cJSON *facts)
{
	const cJSON *p = fact_get(facts, "ssl_probe");
	const char *resp = fact_get_str(p, "response");
	double sel = fact_get_num(p, "selected_value");
	double code = fact_get_num(p, "failure_code");
	enum nla_verdict v = NLA_UNKNOWN;

	if (resp == NULL)
		goto out;
	if (strcmp(resp, "none") == 0) {
		/* no negotiation at all: standard RDP security only */
		v = NLA_NOT_ENFORCED;
	} else if (strcmp(resp, "rsp") == 0) {
		/* SSL (or the server's own pick of RDP) without CredSSP;
		 * a server forcing CredSSP on us counts as enforced */
		v = sel == RDP_PROTO_HYBRID || sel == RDP_PROTO_HYBRID_EX
			    ? NLA_ENFORCED
			    : NLA_NOT_ENFORCED;
	} else if (strcmp(resp, "failure") == 0) {
		if (code == RDP_FAIL_HYBRID_REQUIRED ||
		    code == RDP_FAIL_SSL_WITH_USER_AUTH_REQUIRED)
			v = NLA_ENFORCED;
		else if (code == RDP_FAIL_SSL_NOT_ALLOWED ||
			 code == RDP_FAIL_SSL_CERT_NOT_ON_SERVER)
			v = NLA_NOT_ENFORCED; /* no TLS, so no CredSSP */
	}
out:
	return v;
}

/* true if the answer to PROTOCOL_RDP accepts standard RDP security */
static bool std_security(const cJSON *facts)
{
	bool ret = false;
	const cJSON *p = fact_get(facts, "rdp_probe");
	const char *resp = fact_get_str(p, "response");

	if (resp == NULL) {
		ret = false;
		goto out;
	}
	ret = strcmp(resp, "none") == 0 ||
	      (strcmp(resp, "rsp") == 0 &&
	       fact_get_num(p, "selected_value") == RDP_PROTO_RDP);
out:
	return ret;
}

/* ---- small helpers ---- */

static const char *or_q(const char *s)
{
	return s != NULL ? s : "?";
}

static void conn_close(struct rdp_probe *st)
{
	if (st->tls != NULL) {
		SSL_free(st->tls); /* no close_notify: we just hang up */
		st->tls = NULL;
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	dynbuf_release(&st->in);
	st->outlen = 0;
	st->outsent = 0;
	st->eof = false;
}

/* opens the connection of an X.224 phase with its Connection Request */
static int conn_open(struct check_ctx *ctx, struct rdp_probe *st,
		     enum rdp_phase ph, uint32_t protocols)
{
	int err;

	conn_close(st);
	st->phase = ph;
	ctx_phase(ctx, phase_names[ph]);
	err = rdp_wire_build_cr(st->out, sizeof(st->out), RDP_COOKIE, protocols,
				&st->outlen);
	if (err < 0)
		goto out;
	dynbuf_init(&st->in, RDP_CC_MAX);
	err = ctx_connect(ctx, &st->fd);
	if (err < 0) {
		st->fd = -1;
		goto out;
	}
	st->io = IO_CONNECT;
	ctx_set_fd(ctx, st->fd);
	err = PROBE_WANT_WRITE;
out:
	return err;
}

/* sends what is left of st->out: 0 when all is sent, PROBE_WANT_WRITE,
 * or an errno value (> 0, negated to tell it apart) */
static int plain_send(struct rdp_probe *st)
{
	int err = netio_send(st->fd, st->out, st->outlen, &st->outsent);

	return err == EAGAIN ? PROBE_WANT_WRITE : -err;
}

/* reads what is there into st->in: 0, or -errno; -EMSGSIZE past the cap */
static int plain_recv(struct rdp_probe *st)
{
	return -netio_recv(st->fd, &st->in, &st->eof);
}

/* Records why an X.224/MCS/CredSSP phase ended without an answer. The
 * first probe decides whether this is an RDP server at all, so there it
 * ends the probe with an error; later ones only lose their verdict. */
static int phase_error(struct check_ctx *ctx, struct rdp_probe *st,
		       const char *why);

static int next_phase(struct check_ctx *ctx, struct rdp_probe *st);

/* ---- X.224 Connection Confirm ---- */

static int on_cc(struct check_ctx *ctx, struct rdp_probe *st)
{
	int ret = 0;
	cJSON *facts = ctx_facts(ctx);
	struct rdp_cc cc;
	size_t used = 0;
	int err;

	err = rdp_wire_cc(dynbuf_ptr(&st->in), dynbuf_len(&st->in), &cc, &used);
	if (err == RDP_WIRE_MORE && !st->eof) {
		ctx_set_fd(ctx, st->fd);
		ret = PROBE_WANT_READ;
		goto out;
	}
	if (err == RDP_WIRE_MORE) {
		ret = phase_error(
			ctx, st,
			dynbuf_len(&st->in) == 0
				? "the server closed the connection without "
				  "a Connection Confirm"
				: "Connection Confirm truncated: the server "
				  "closed before the TPKT length was reached");
		goto out;
	}
	if (err == EXPO_ETOOBIG) {
		ret = phase_error(ctx, st,
				  "TPKT length beyond any Connection "
				  "Confirm (a lying or non-RDP server)");
		goto out;
	}
	if (err == EXPO_EPROTO) {
		ret = phase_error(ctx, st,
				  "the server answered with a TPDU "
				  "other than a Connection Confirm");
		goto out;
	}
	if (err < 0) {
		ret = phase_error(ctx, st,
				  "malformed Connection Confirm (TPKT "
				  "and X.224 lengths disagree, or a bad "
				  "negotiation block)");
		goto out;
	}
	err = record_cc(facts, probe_keys[st->phase], &cc);
	if (err < 0) {
		ret = err;
		goto out;
	}
	dynbuf_consume(&st->in, used);
	if (st->phase == PH_RDP &&
	    (cc.kind == RDP_NEG_NONE ||
	     (cc.kind == RDP_NEG_RSP && cc.selected == RDP_PROTO_RDP))) {
		/* standard security accepted: ask for its encryption */
		st->phase = PH_MCS;
		ctx_phase(ctx, phase_names[PH_MCS]);
		err = rdp_wire_build_mcs_ci(st->out, sizeof(st->out),
					    RDP_PROTO_RDP, &st->outlen);
		if (err < 0) {
			ret = err;
			goto out;
		}
		st->outsent = 0;
		dynbuf_release(&st->in);
		dynbuf_init(&st->in, RDP_TPKT_MAX);
		st->io = IO_SEND;
		ret = STEP_AGAIN;
		goto out;
	}
	if (st->phase == PH_HYBRID && cc.kind == RDP_NEG_RSP &&
	    (cc.selected == RDP_PROTO_HYBRID ||
	     cc.selected == RDP_PROTO_HYBRID_EX)) {
		st->phase = PH_TLS;
		ctx_phase(ctx, phase_names[PH_TLS]);
		ret = STEP_AGAIN;
		goto out;
	}
	ret = next_phase(ctx, st);
out:
	return ret;
}

/* ---- MCS Connect Response ---- */

static int on_mcs(struct check_ctx *ctx, struct rdp_probe *st)
{
	int ret = 0;
	cJSON *o = fact_obj(ctx_facts(ctx), "mcs");
	struct rdp_mcs_rsp r;
	size_t used = 0;
	int err;

	err = rdp_wire_mcs_rsp(dynbuf_ptr(&st->in), dynbuf_len(&st->in), &r,
			       &used);
	if (err == RDP_WIRE_MORE && !st->eof) {
		ctx_set_fd(ctx, st->fd);
		ret = PROBE_WANT_READ;
		goto out;
	}
	if (err == RDP_WIRE_MORE) {
		ret = phase_error(ctx, st,
				  "the server closed the connection "
				  "before a complete MCS Connect Response");
		goto out;
	}
	if (err == EXPO_EPROTO) {
		ret = phase_error(ctx, st,
				  "the server refused the MCS Connect "
				  "Initial (disconnect)");
		goto out;
	}
	if (err < 0) {
		ret = phase_error(ctx, st, "malformed MCS Connect Response");
		goto out;
	}
	err = set_num(o, "result", r.result);
	if (r.have_core)
		err = keep_err(err, set_num(o, "version", r.version));
	if (r.have_security) {
		err = keep_err(err,
			       set_num(o, "enc_method_value", r.enc_method));
		err = keep_err(err, set_str(o, "enc_method",
					    rdp_enc_method_name(r.enc_method)));
		err = keep_err(err, set_num(o, "enc_level_value", r.enc_level));
		err = keep_err(err, set_str(o, "enc_level",
					    rdp_enc_level_name(r.enc_level)));
	}
	if (err < 0) {
		ret = err;
		goto out;
	}
	ret = next_phase(ctx, st);
out:
	return ret;
}

/* ---- TLS and CredSSP ---- */

static int tls_want(struct check_ctx *ctx, struct rdp_probe *st, int rc,
		    const char *what)
{
	int ret = 0;
	int e = SSL_get_error(st->tls, rc);
	char why[200];

	ctx_set_fd(ctx, st->fd);
	if (e == SSL_ERROR_WANT_READ) {
		ret = PROBE_WANT_READ;
		goto out;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		ret = PROBE_WANT_WRITE;
		goto out;
	}
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
		snprintf(why, sizeof(why),
			 "%s: the server closed the "
			 "connection",
			 what);
	} else {
		unsigned long le = ERR_get_error();

		snprintf(why, sizeof(why), "%s: %s", what,
			 le ? ERR_reason_error_string(le) : "TLS error");
	}
	ERR_clear_error();
	ret = phase_error(ctx, st, why);
out:
	return ret;
}

static int step_tls(struct check_ctx *ctx, struct rdp_probe *st)
{
	int ret = 0;
	int rc;

	if (st->tls == NULL) {
		if (st->tls_ctx == NULL) {
			st->tls_ctx = SSL_CTX_new(TLS_client_method());
			if (st->tls_ctx == NULL) {
				ret = EXPO_ENOMEM;
				goto out;
			}
			/* read-only probe of any server, old ones too: no
			 * verification, every protocol version */
			SSL_CTX_set_verify(st->tls_ctx, SSL_VERIFY_NONE, NULL);
			SSL_CTX_set_security_level(st->tls_ctx, 0);
			SSL_CTX_set_min_proto_version(st->tls_ctx, 0);
		}
		st->tls = SSL_new(st->tls_ctx);
		if (st->tls == NULL || SSL_set_fd(st->tls, st->fd) != 1) {
			ret = EXPO_ENOMEM;
			goto out;
		}
		SSL_set_connect_state(st->tls);
	}
	ERR_clear_error();
	rc = SSL_connect(st->tls);
	if (rc != 1) {
		ret = tls_want(ctx, st, rc, "TLS handshake");
		goto out;
	}
	{
		cJSON *o = fact_obj(ctx_facts(ctx), "hybrid_probe");
		int err = set_str(o, "tls_version", SSL_get_version(st->tls));

		if (err < 0) {
			ret = err;
			goto out;
		}
	}
	st->phase = PH_TSREQ;
	ctx_phase(ctx, phase_names[PH_TSREQ]);
	st->outsent = 0;
	if (rdp_wire_build_tsreq_ntlm(st->out, sizeof(st->out), &st->outlen) <
	    0) {
		ret = EXPO_EINVAL;
		goto out;
	}
	dynbuf_release(&st->in);
	dynbuf_init(&st->in, RDP_TSREQ_MAX);
	ret = STEP_AGAIN;
out:
	return ret;
}

static int record_ntlm(cJSON *facts, const struct rdp_ntlm_info *in)
{
	cJSON *o = fact_obj(facts, "ntlm");
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "target_name", offsetof(struct rdp_ntlm_info, target_name) },
		{ "netbios_computer",
		  offsetof(struct rdp_ntlm_info, nb_computer) },
		{ "netbios_domain", offsetof(struct rdp_ntlm_info, nb_domain) },
		{ "dns_computer",
		  offsetof(struct rdp_ntlm_info, dns_computer) },
		{ "dns_domain", offsetof(struct rdp_ntlm_info, dns_domain) },
		{ "dns_tree", offsetof(struct rdp_ntlm_info, dns_tree) },
	};
	size_t i;
	int err = o == NULL ? EXPO_ENOMEM : 0;

	for (i = 0; !err && i < ARRAY_SIZE(fields); i++) {
		const char *s = (const char *)in + fields[i].off;

		if (s[0] != '\0')
			err = set_str(o, fields[i].key, s);
	}
	/* 0.0.0 is ours echoed (WinPR), not the server's */
	if (!err && in->have_version && (in->major || in->minor || in->build)) {
		char v[32];

		snprintf(v, sizeof(v), "%u.%u.%u", in->major, in->minor,
			 in->build);
		err = set_str(o, "os_version", v);
	}
	return err;
}

static int step_tsreq(struct check_ctx *ctx, struct rdp_probe *st)
{
	int ret = 0;
	struct rdp_ntlm_info info;
	uint32_t code = 0;
	size_t total = 0;
	int rc, err;

	ERR_clear_error();
	while (st->outsent < st->outlen) {
		rc = SSL_write(st->tls, st->out + st->outsent,
			       (int)(st->outlen - st->outsent));
		if (rc <= 0) {
			ret = tls_want(ctx, st, rc, "CredSSP request");
			goto out;
		}
		st->outsent += (size_t)rc;
	}
	for (;;) {
		char buf[4096];

		rc = SSL_read(st->tls, buf, sizeof(buf));
		if (rc <= 0) {
			int e = SSL_get_error(st->tls, rc);

			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				break;
			st->eof = true;
			ERR_clear_error();
			break;
		}
		if (dynbuf_add(&st->in, buf, (size_t)rc) < 0) {
			ret = phase_error(ctx, st,
					  "CredSSP answer over 16 KiB");
			goto out;
		}
	}
	err = rdp_wire_der_total(dynbuf_ptr(&st->in), dynbuf_len(&st->in),
				 RDP_TSREQ_MAX, &total);
	if (err == 0 && dynbuf_len(&st->in) < total)
		err = RDP_WIRE_MORE;
	if (err == RDP_WIRE_MORE && !st->eof) {
		ctx_set_fd(ctx, st->fd);
		ret = SSL_want_write(st->tls) ? PROBE_WANT_WRITE
					      : PROBE_WANT_READ;
		goto out;
	}
	if (err == RDP_WIRE_MORE) {
		ret = phase_error(ctx, st,
				  "the server closed the connection "
				  "before answering the NTLM NEGOTIATE");
		goto out;
	}
	if (err < 0) {
		ret = phase_error(ctx, st,
				  "the CredSSP answer is not a "
				  "TSRequest");
		goto out;
	}
	err = rdp_wire_tsreq_challenge(dynbuf_ptr(&st->in), total, &info,
				       &code);
	if (err == EXPO_EPROTO) {
		char why[96];

		snprintf(why, sizeof(why),
			 "the server answered the NTLM "
			 "NEGOTIATE with error 0x%08x",
			 code);
		ret = phase_error(ctx, st, why);
		goto out;
	}
	if (err < 0) {
		ret = phase_error(ctx, st, "malformed NTLM CHALLENGE");
		goto out;
	}
	err = record_ntlm(ctx_facts(ctx), &info);
	if (err < 0) {
		ret = err;
		goto out;
	}
	ret = next_phase(ctx, st);
out:
	return ret;
}

/* ---- the phase machine ---- */

static int phase_error(struct check_ctx *ctx, struct rdp_probe *st,
		       const char *why)
{
	int ret = 0;
	cJSON *facts = ctx_facts(ctx);
	const char *key = st->phase == PH_MCS ? "mcs"
			  : st->phase == PH_TLS || st->phase == PH_TSREQ
				  ? "ntlm"
				  : probe_keys[st->phase];
	int err = set_str(fact_obj(facts, key), "error", why);

	if (err < 0) {
		ret = err;
		goto out;
	}
	if (st->phase == PH_SSL) {
		conn_close(st);
		st->phase = PH_DONE;
		ret = probe_fail(ctx, phase_names[PH_SSL], why);
		goto out;
	}
	ret = next_phase(ctx, st);
out:
	return ret;
}

/* the phase after st->phase, on a new connection */
static int next_phase(struct check_ctx *ctx, struct rdp_probe *st)
{
	const cJSON *ssl = fact_get(ctx_facts(ctx), "ssl_probe");
	const char *resp = fact_get_str(ssl, "response");
	double code = fact_get_num(ssl, "failure_code");
	int rc;

	switch (st->phase) {
	case PH_SSL:
		rc = conn_open(ctx, st, PH_RDP, RDP_PROTO_RDP);
		break;
	case PH_RDP:
	case PH_MCS:
		/* CredSSP needs TLS: skip what step 1 showed impossible */
		if (resp == NULL || strcmp(resp, "none") == 0 ||
		    code == RDP_FAIL_SSL_NOT_ALLOWED ||
		    code == RDP_FAIL_SSL_CERT_NOT_ON_SERVER) {
			conn_close(st);
			st->phase = PH_DONE;
			rc = PROBE_DONE;
			break;
		}
		rc = conn_open(ctx, st, PH_HYBRID,
			       RDP_PROTO_SSL | RDP_PROTO_HYBRID |
				       RDP_PROTO_HYBRID_EX);
		break;
	default:
		conn_close(st);
		st->phase = PH_DONE;
		rc = PROBE_DONE;
		break;
	}
	return rc;
}

/* connect, send, receive for the X.224 and MCS phases */
static int step_plain(struct check_ctx *ctx, struct rdp_probe *st)
{
	int ret = 0;
	int rc;

	switch (st->io) {
	case IO_CONNECT:
		rc = connect_error(st->fd);
		if (rc) {
			if (st->phase == PH_SSL) {
				conn_close(st);
				st->phase = PH_DONE;
				ret = probe_fail(ctx, "connect", strerror(rc));
				goto out;
			}
			ret = phase_error(ctx, st, strerror(rc));
			goto out;
		}
		st->io = IO_SEND;
		/* fall through */
	case IO_SEND:
		rc = plain_send(st);
		if (rc == PROBE_WANT_WRITE) {
			ctx_set_fd(ctx, st->fd);
			ret = rc;
			goto out;
		}
		if (rc < 0) {
			ret = phase_error(ctx, st, strerror(-rc));
			goto out;
		}
		st->io = IO_RECV;
		/* fall through */
	case IO_RECV:
		rc = plain_recv(st);
		if (rc == -EMSGSIZE) {
			ret = phase_error(ctx, st,
					  "more data than the answer "
					  "can hold");
			goto out;
		}
		if (rc < 0 && dynbuf_len(&st->in) == 0) {
			ret = phase_error(ctx, st, strerror(-rc));
			goto out;
		}
		if (rc < 0)
			st->eof = true; /* judge what arrived first */
		break;
	}
	ret = st->phase == PH_MCS ? on_mcs(ctx, st) : on_cc(ctx, st);
out:
	return ret;
}

static int rdp_start(struct check_ctx *ctx, void *state)
{
	struct rdp_probe *st = state;
	int rc;

	st->fd = -1;
	rc = conn_open(ctx, st, PH_SSL, RDP_PROTO_SSL);
	if (rc < 0)
		conn_close(st);
	return rc < 0 ? rc : 0;
}

static int rdp_step(struct check_ctx *ctx, void *state)
{
	struct rdp_probe *st = state;
	int rc = STEP_AGAIN;

	while (rc == STEP_AGAIN) {
		switch (st->phase) {
		case PH_SSL:
		case PH_RDP:
		case PH_MCS:
		case PH_HYBRID:
			rc = step_plain(ctx, st);
			break;
		case PH_TLS:
			rc = step_tls(ctx, st);
			break;
		case PH_TSREQ:
			rc = step_tsreq(ctx, st);
			break;
		default:
			rc = PROBE_DONE;
			break;
		}
	}
	return rc;
}

static void rdp_cleanup(struct check_ctx *ctx, void *state)
{
	struct rdp_probe *st = state;

	(void)ctx;
	conn_close(st);
	if (st->tls_ctx != NULL)
		SSL_CTX_free(st->tls_ctx);
	st->tls_ctx = NULL;
}

/* ---- weak credentials: FreeRDP in the blocking lane ---- */

/* one attempt against the probe's address, within --timeout and what
 * is left of the probe's deadline */
static enum rdp_login_outcome try_login(struct check_ctx *ctx, const char *user,
					const char *pass, char *why,
					size_t whysize)
{
	const struct target_addr *a = ctx_addr(ctx);
	char host[INET6_ADDRSTRLEN] = "";
	unsigned tmo = ctx_timeout_ms(ctx), left = ctx_remaining_ms(ctx);

	if (a->u.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &a->u.sin.sin_addr, host, sizeof(host));
	/* --host-rate: each login is a new connection */
	ctx_host_wait(ctx);
	left = ctx_remaining_ms(ctx);
	if (left < tmo)
		tmo = left;
	return rdp_login_try(host, ctx_port(ctx), user, pass, tmo, why,
			     whysize);
}

static int record_login(cJSON *facts, const char *user, const char *pass,
			bool expired)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(facts, "logins");
	cJSON *o = NULL;
	int err = EXPO_ENOMEM;

	if (arr == NULL)
		arr = cJSON_AddArrayToObject(facts, "logins");
	if (arr == NULL)
		goto out;
	o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		goto out;
	}
	if (!cJSON_AddStringToObject(o, "user", user) ||
	    !cJSON_AddStringToObject(o, "password", pass) ||
	    !cJSON_AddBoolToObject(o, "password_expired", expired))
		goto out;
	err = 0;
out:
	return err;
}

/*
 * The canary calibrates what a refusal looks like: Windows answers a wrong
 * password with a CredSSP error code (LOGON_FAILURE), WinPR-based servers
 * (FreeRDP's shadow server) just drop the connection. A drop counts as a
 * refusal only if the canary was refused the same way, so a transport
 * failure can never pass for a login, only for a failed one.
 * 0: go on with the logins; 1: done (any credential works, or no verdict
 * can be had); < 0: an error.
 */
static int run_canary(struct check_ctx *ctx, cJSON *facts,
		      bool *drop_is_refusal)
{
	const char *u = NULL, *p = NULL;
	enum rdp_login_outcome r;
	char why[128];
	int err = 0;

	if (ctx_canary(ctx, &u, &p) <= 0 || u == NULL || p == NULL)
		return 0;
	ctx_phase(ctx, "canary");
	r = try_login(ctx, u, p, why, sizeof(why));
	err = set_str(facts, "canary_result", why);
	if (err < 0)
		return err;
	switch (r) {
	case RDP_LOGIN_ACCEPTED:
	case RDP_LOGIN_EXPIRED:
		err = set_bool(facts, "accepts_any_credential", true);
		err = keep_err(err, set_str(facts, "canary_user", u));
		err = keep_err(err, set_str(facts, "canary_password", p));
		break;
	case RDP_LOGIN_DROPPED:
		*drop_is_refusal = true;
		return 0;
	case RDP_LOGIN_FAILED:
	case RDP_LOGIN_LOCKED: /* a made-up user: a refusal */
		return 0;
	case RDP_LOGIN_UNAVAILABLE:
		err = set_str(facts, "login_error", why);
		break;
	case RDP_LOGIN_ERROR:
		err = set_str(facts, "login_error", why);
		ctx_status(ctx, STATUS_ERROR, "canary login: %s", why);
		break;
	case RDP_LOGIN_TIMEOUT:
		err = set_str(facts, "login_error", why);
		ctx_status(ctx, STATUS_TIMEOUT, "canary login: %s", why);
		break;
	}
	return err < 0 ? err : 1;
}

/* the pairs the ctx hands out, one login each, while time is left */
static int run_logins(struct check_ctx *ctx, cJSON *facts, bool drop_is_refusal)
{
	const char *u = NULL, *p = NULL;
	char why[128];
	unsigned n = 0;
	int err = 0;

	while (ctx_remaining_ms(ctx) > RDP_MIN_ATTEMPT_MS &&
	       ctx_next_cred(ctx, &u, &p) > 0) {
		enum rdp_login_outcome r;

		if (u == NULL)
			break;
		if (p == NULL)
			p = "";
		ctx_phasef(ctx, "login %u", ++n);
		r = try_login(ctx, u, p, why, sizeof(why));
		err = set_num(facts, "attempts", n);
		if (err < 0)
			return err;
		if (r == RDP_LOGIN_DROPPED && drop_is_refusal)
			r = RDP_LOGIN_FAILED;
		switch (r) {
		case RDP_LOGIN_ACCEPTED:
		case RDP_LOGIN_EXPIRED:
			ctx_cred_result(ctx, u, CRED_ACCEPTED);
			err = record_login(facts, u, p, r == RDP_LOGIN_EXPIRED);
			break;
		case RDP_LOGIN_FAILED:
			ctx_cred_result(ctx, u, CRED_FAILED);
			break;
		case RDP_LOGIN_LOCKED:
			/* stops every further attempt on this host */
			ctx_cred_result(ctx, u, CRED_LOCKED);
			return set_str(facts, "locked_user", u);
		case RDP_LOGIN_DROPPED:
		case RDP_LOGIN_ERROR:
		case RDP_LOGIN_UNAVAILABLE:
		case RDP_LOGIN_TIMEOUT:
			ctx_cred_result(ctx, u, CRED_FAILED);
			err = set_str(facts, "login_error", why);
			ctx_status(ctx,
				   r == RDP_LOGIN_TIMEOUT ? STATUS_TIMEOUT
							  : STATUS_ERROR,
				   "login check incomplete: %s", why);
			return err;
		}
		if (err < 0)
			return err;
	}
	return err;
}

/* the canary first, then the logins; only where NLA asks for a password
 * before anything else (without it any password "works": PROBES.md d.2) */
static int rdp_run(struct check_ctx *ctx, void *state)
{
	cJSON *facts = ctx_facts(ctx);
	bool drop_is_refusal = false;
	int rc;

	(void)state;
	if (nla_verdict(facts) != NLA_ENFORCED || !ctx_login_allowed(ctx))
		return 0;
	rc = run_canary(ctx, facts, &drop_is_refusal);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	return run_logins(ctx, facts, drop_is_refusal);
}

/* ---- assess ---- */

static void flag_names(struct dynbuf *b, unsigned flags)
{
	static const char *const names[] = {
		"EXTENDED_CLIENT_DATA_SUPPORTED",
		"DYNVC_GFX_PROTOCOL_SUPPORTED",
		"NEGRSP_FLAG_RESERVED",
		"RESTRICTED_ADMIN_MODE_SUPPORTED",
		"REDIRECTED_AUTHENTICATION_MODE_SUPPORTED",
	};
	size_t i, n = 0;

	dynbuf_addf(b, "flags 0x%02x", flags);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & (1u << i))
			dynbuf_addf(b, "%s%s", n++ ? "|" : " (", names[i]);
	}
	if (n)
		dynbuf_addstr(b, ")");
}

/* "; host info before authentication (NTLM): ..." when known */
static void host_info(struct dynbuf *b, const cJSON *facts)
{
	const cJSON *n = fact_get(facts, "ntlm");
	static const struct {
		const char *key, *label;
	} f[] = {
		{ "netbios_computer", "NetBIOS name" },
		{ "netbios_domain", "NetBIOS domain" },
		{ "dns_computer", "DNS name" },
		{ "dns_domain", "DNS domain" },
		{ "dns_tree", "DNS forest" },
		{ "os_version", "OS version" },
	};
	size_t i, k = 0;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		const char *v = fact_get_str(n, f[i].key);

		if (v == NULL || v[0] == '\0')
			continue;
		dynbuf_addf(b, "%s%s %s",
			    k++ ? ", "
				: "; host info before "
				  "authentication (NTLM challenge): ",
			    f[i].label, v);
	}
}

static int assess_nla(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *p = fact_get(facts, "ssl_probe");
	const cJSON *h = fact_get(facts, "hybrid_probe");
	const char *resp = fact_get_str(p, "response");
	const char *hsel = fact_get_str(h, "selected");
	struct dynbuf ev;
	int err = 0;

	dynbuf_init(&ev, RDP_EVIDENCE_MAX);
	if (nla_verdict(facts) != NLA_NOT_ENFORCED)
		goto out;
	if (strcmp(resp, "none") == 0) {
		dynbuf_addstr(&ev,
			      "requested PROTOCOL_SSL alone: the "
			      "Connection Confirm carries no negotiation data "
			      "(a pre-Vista server such as Windows XP/2003): "
			      "standard RDP security only, no NLA");
	} else if (strcmp(resp, "rsp") == 0) {
		dynbuf_addf(&ev,
			    "requested PROTOCOL_SSL alone (no CredSSP): "
			    "the server selected %s (RDP_NEG_RSP, ",
			    or_q(fact_get_str(p, "selected")));
		flag_names(&ev, (unsigned)fact_get_num(p, "flags"));
		dynbuf_addstr(&ev, ")");
	} else {
		dynbuf_addf(&ev,
			    "requested PROTOCOL_SSL alone: RDP_NEG_FAILURE "
			    "%d %s: no TLS, so no CredSSP",
			    (int)fact_get_num(p, "failure_code"),
			    or_q(fact_get_str(p, "failure")));
	}
	if (hsel != NULL &&
	    (strcmp(hsel, "HYBRID") == 0 || strcmp(hsel, "HYBRID_EX") == 0))
		dynbuf_addf(&ev, "; CredSSP (%s) is offered but not required",
			    hsel);
	host_info(&ev, facts);
	err = ctx_report(ctx, "rdp.nla_not_required", NULL, "%s",
			 dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	return err;
}

static int assess_std(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *p = fact_get(facts, "rdp_probe");
	const cJSON *m = fact_get(facts, "mcs");
	const char *resp = fact_get_str(p, "response");
	struct dynbuf ev;
	double method = fact_get_num(m, "enc_method_value");
	double level = fact_get_num(m, "enc_level_value");
	int err = 0;

	dynbuf_init(&ev, RDP_EVIDENCE_MAX);
	if (!std_security(facts))
		goto out;
	if (strcmp(resp, "none") == 0) {
		dynbuf_addstr(&ev,
			      "requested PROTOCOL_RDP: Connection Confirm "
			      "without negotiation data (pre-Vista server): "
			      "standard RDP security (RC4)");
	} else {
		dynbuf_addstr(&ev, "requested PROTOCOL_RDP: the server "
				   "selected standard RDP security (RC4; "
				   "RDP_NEG_RSP ");
		flag_names(&ev, (unsigned)fact_get_num(p, "flags"));
		dynbuf_addstr(&ev, ")");
	}
	if (method >= 0 && level >= 0) {
		dynbuf_addf(&ev,
			    "; MCS Connect Response: encryption method "
			    "%s (0x%02x), encryption level %s (%d)",
			    or_q(fact_get_str(m, "enc_method")),
			    (unsigned)method,
			    or_q(fact_get_str(m, "enc_level")), (int)level);
		/* what makes it worse than RC4 with 128-bit keys at High */
		if (method == RDP_ENC_NONE || level == RDP_LEVEL_NONE)
			dynbuf_addstr(&ev, "; WEAK: no encryption at all");
		else if (method == RDP_ENC_40BIT || method == RDP_ENC_56BIT)
			dynbuf_addf(
				&ev, "; WEAK: %s keys%s",
				method == RDP_ENC_40BIT ? "40-bit" : "56-bit",
				level == RDP_LEVEL_LOW
					? ", and level Low "
					  "leaves server-to-client traffic in clear"
					: "");
		else if (level == RDP_LEVEL_LOW)
			dynbuf_addstr(&ev, "; WEAK: level Low leaves "
					   "server-to-client traffic in clear");
	} else if (fact_get_num(m, "result") > 0) {
		dynbuf_addf(&ev, "; MCS Connect Response result %d",
			    (int)fact_get_num(m, "result"));
	} else if (fact_get_str(m, "error") != NULL) {
		dynbuf_addf(&ev, "; encryption not read: %s",
			    fact_get_str(m, "error"));
	}
	host_info(&ev, facts);
	err = ctx_report(ctx, "rdp.standard_security", NULL, "%s",
			 dynbuf_ptr(&ev));
out:
	dynbuf_release(&ev);
	return err;
}

static int assess_creds(const cJSON *facts, struct check_ctx *ctx)
{
	const cJSON *it = NULL;
	struct dynbuf ev, secret, info;
	unsigned n = 0;
	int err = 0;

	dynbuf_init(&ev, RDP_EVIDENCE_MAX);
	dynbuf_init(&secret, RDP_EVIDENCE_MAX);
	dynbuf_init(&info, RDP_EVIDENCE_MAX);
	host_info(&info, facts);
	if (fact_is_true(facts, "accepts_any_credential")) {
		const char *u = fact_get_str(facts, "canary_user");

		err = ctx_report(ctx, "rdp.weak_credentials",
				 fact_get_str(facts, "canary_password"),
				 "NLA (CredSSP) accepts any user and password "
				 "(canary): the made-up user %s authenticated "
				 "with a random password%s",
				 u ? u : "?", dynbuf_ptr(&info));
		goto out;
	}
	cJSON_ArrayForEach(it, fact_get(facts, "logins"))
	{
		const char *u = fact_get_str(it, "user");
		const char *p = fact_get_str(it, "password");

		if (u == NULL || p == NULL)
			continue;
		dynbuf_addf(&ev, "%s%s%s", n ? ", " : "", u,
			    fact_is_true(it, "password_expired")
				    ? " (password expired: must be changed)"
				    : "");
		dynbuf_addf(&secret, "%s%s:%s", n ? ", " : "", u, p);
		n++;
	}
	if (n > 0)
		err = ctx_report(
			ctx, "rdp.weak_credentials", dynbuf_ptr(&secret),
			"NLA (CredSSP) authentication succeeded with a "
			"default or weak password as %s%s",
			dynbuf_ptr(&ev), dynbuf_ptr(&info));
out:
	dynbuf_release(&ev);
	dynbuf_release(&secret);
	dynbuf_release(&info);
	return err;
}

static int rdp_assess(const cJSON *facts, struct check_ctx *ctx)
{
	int err = 0;

	err = keep_err(err, assess_nla(facts, ctx));
	err = keep_err(err, assess_std(facts, ctx));
	err = keep_err(err, assess_creds(facts, ctx));
	return err;
}

/* ---- the module ---- */

static const struct rule rdp_rules[] = {
	{
		.id = "rdp.nla_not_required",
		.title = "RDP does not require Network Level Authentication",
		.description =
			"The server accepts a connection without "
			"CredSSP (NLA), so anyone who reaches it gets a "
			"session and a login screen before authenticating: "
			"pre-authentication attack surface (BlueKeep-class "
			"bugs), resource exhaustion and password guessing "
			"against the graphical logon.",
		/* AC:H: the gain needs a further bug or a weak password;
		 * C:L/I:L/A:L: pre-auth session resources and logon UI */
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L",
		.references = "CWE-287; CWE-306; ATT&CK T1021.001; "
			      "ATT&CK T1110; CVE-2019-0708",
		.remediation =
			"Require NLA: on Windows set \"Allow connections "
			"only from computers running Remote Desktop with "
			"Network Level Authentication\" (UserAuthentication=1, "
			"SecurityLayer=2) by GPO; for xrdp, which cannot do "
			"NLA, do not expose it: put it behind a VPN or an SSH "
			"tunnel and restrict the source addresses.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "rdp.standard_security",
		.title = "RDP accepts legacy standard RDP security (RC4)",
		.description =
			"The server agrees to standard RDP security: "
			"RC4 encryption with keys exchanged under a server key "
			"the client cannot authenticate, so a man in the "
			"middle can read and alter the session (worse with "
			"40/56-bit keys or encryption level Low/None, shown "
			"in the evidence).",
		.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:N",
		.references = "CWE-327; CWE-300; ATT&CK T1557; CVE-2005-1794",
		.remediation =
			"Require TLS or NLA: on Windows set the RDP "
			"security layer to SSL (SecurityLayer=2) and the "
			"encryption level to High or FIPS; for xrdp set "
			"security_layer=tls (or negotiate) and "
			"crypt_level=high.",
		.impact = IMPACT_WEAKENED,
		.confidence = CONFIDENCE_CONFIRMED,
	},
	{
		.id = "rdp.weak_credentials",
		.title = "RDP (NLA) login with a default or weak password",
		.description =
			"A CredSSP (NLA) authentication with an empty, "
			"default or listed weak password succeeded (or the "
			"server accepts any credential): an interactive "
			"desktop for anyone.",
		.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		.references = "CWE-1392; CWE-521; ATT&CK T1110.001; "
			      "ATT&CK T1021.001; ATT&CK T1078",
		.remediation =
			"Change the password of the listed accounts now "
			"(or disable them), set an account lockout policy, "
			"restrict Remote Desktop Users and the source "
			"addresses, and review the accounts' logon history.",
		.impact = IMPACT_EXEC,
		.confidence = CONFIDENCE_CONFIRMED,
		.flags = CHECK_LOGIN,
	},
};

static const char *const rdp_services[] = { "ms-wbt-server", "rdp", NULL };
static const uint16_t rdp_ports[] = { 3389 };

static const char *const rdp_default_users[] = {
	"Administrator", "administrator", "admin",   "user", "test",
	"guest",	 "azureuser",	  "rdpuser", NULL,
};

/*
 * The empty password and password = user come first; with the default 3
 * attempts per account only the first entry below is reached.
 */
static const char *const rdp_default_passwords[] = {
	"Password1", "P@ssw0rd", "123456", "password",
	"Passw0rd!", "Welcome1", "admin",  NULL,
};

const struct check check_rdp = {
	.name = "rdp",
	.summary = "RDP: NLA verdict, standard RDP security and its "
		   "encryption, host info, weak credentials over NLA",
	.services = rdp_services,
	.ports = rdp_ports,
	.nports = ARRAY_SIZE(rdp_ports),
	.flags = CHECK_LOGIN,
	.rules = rdp_rules,
	.nrules = ARRAY_SIZE(rdp_rules),
	.default_users = rdp_default_users,
	.default_passwords = rdp_default_passwords,
	.default_max_attempts = 3,
	.state_size = sizeof(struct rdp_probe),
	.start = rdp_start,
	.step = rdp_step,
	.run = rdp_run,
	.max_parallel = 1,
	.cleanup = rdp_cleanup,
	.assess = rdp_assess,
};
