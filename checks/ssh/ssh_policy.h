/*
 * ssh_policy.h - the SSH check's judgement tables: which algorithms are
 * weak, when the Terrapin preconditions hold, and which banners name an
 * OpenSSH build with a known critical CVE. Pure functions over names;
 * the tables and the reasons for each choice are in ssh_policy.c.
 */
#ifndef SSH_POLICY_H
#define SSH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum ssh_alg_kind {
	SSH_ALG_KEX = 0,
	SSH_ALG_HOSTKEY,
	SSH_ALG_CIPHER,
	SSH_ALG_MAC,
};

/* NULL when name is not weak (unknown names are not weak), else a short
 * reason such as "SHA-1 signatures". */
const char *ssh_policy_weak(enum ssh_alg_kind kind, const char *name);

/* CVE-2023-48795 preconditions, fed one offered name at a time. */
struct ssh_terrapin {
	bool chacha20;	 /* chacha20-poly1305@openssh.com offered */
	bool cbc;	 /* a CBC cipher offered */
	bool etm;	 /* an encrypt-then-MAC MAC offered */
	bool strict_kex; /* kex-strict-s-v00@openssh.com offered */
};
void ssh_terrapin_add(struct ssh_terrapin *t, enum ssh_alg_kind kind,
		      const char *name);
bool ssh_terrapin_vulnerable(const struct ssh_terrapin *t);

/* A known critical CVE matched by a banner. */
struct ssh_vuln {
	const char *cve;      /* "CVE-2024-6387" */
	const char *title;    /* "regreSSHion: ..." */
	const char *affected; /* "8.5p1 <= OpenSSH < 9.8p1" */
	/* why the distribution package is judged vulnerable, or that its
	 * backports are not known */
	char detail[160];
	bool backports_unknown;
};

/*
 * Matches the software and comments fields of a banner ("OpenSSH_9.2p1",
 * "Debian-2+deb12u3") against the CVE table; fills up to max entries of
 * out and returns how many matched (0: none, or not OpenSSH).
 */
size_t ssh_policy_version(const char *software, const char *comments,
			  struct ssh_vuln *out, size_t max);

/* Debian version comparison (Debian Policy 5.6.12) of two revisions
 * without epoch: < 0, 0 or > 0. Exposed for the unit tests. */
int ssh_policy_debrev_cmp(const char *a, const char *b);

#endif
