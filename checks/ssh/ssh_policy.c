/*
 * ssh_policy.c - what the SSH check calls weak, and why.
 *
 * Algorithm verdicts follow ssh-audit's algorithm database
 * (jtesta/ssh-audit, src/ssh_audit/ssh2_kexdb.py, read in 2024-2025):
 * a name that ssh-audit marks "fail" is weak here; one it only "warns"
 * about is not, so that a stock OpenSSH server is not flagged for every
 * cautionary note. Deliberate departures, each for a stated reason:
 *  - diffie-hellman-group14-sha1 (ssh-audit: warn) is weak: its exchange
 *    hash is SHA-1, and OpenSSH no longer offers it by default (8.2+);
 *  - every CBC cipher is weak, also camellia*-cbc and twofish192-cbc that
 *    ssh-audit only warns about: CBC in SSH allows plaintext recovery
 *    (CVE-2008-5161), whatever the block cipher;
 *  - NIST curves (ecdh-sha2-nistp*, ecdsa-sha2-nistp*): ssh-audit fails
 *    them ("using weak elliptic curves"), so they are weak here too. A
 *    default Debian/Ubuntu sshd therefore gets ssh.weak_kex and, with an
 *    ECDSA host key, ssh.weak_hostkey; users who accept NIST curves can
 *    --skip or baseline those rules.
 * hmac-sha1, hmac-sha1-etm, umac-64(-etm) are ssh-audit warnings (SHA-1
 * is not broken as an HMAC; a 64-bit tag is one forgery chance per
 * connection) and are not weak here. Unknown names are never weak.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "expo.h"
#include "ssh_policy.h"

struct weak_alg {
	const char *name; /* exact name, or a prefix when ending in '*' */
	const char *why;
};

static const struct weak_alg weak_kex[] = {
	{ "diffie-hellman-group1-sha1", "1024-bit group and SHA-1 (Logjam)" },
	{ "diffie-hellman-group1-sha256", "1024-bit group" },
	{ "diffie-hellman-group14-sha1", "SHA-1 exchange hash" },
	{ "diffie-hellman-group-exchange-sha1", "SHA-1 exchange hash" },
	{ "gss-group1-sha1-*", "1024-bit group and SHA-1" },
	{ "gss-group14-sha1-*", "SHA-1 exchange hash" },
	{ "gss-gex-sha1-*", "SHA-1 exchange hash" },
	{ "gss-nistp*", "NIST elliptic curve" },
	{ "rsa1024-sha1", "1024-bit RSA and SHA-1" },
	{ "ecdh-sha2-nistp*", "NIST elliptic curve" },
	{ "ecdh-sha2-nistb*", "NIST elliptic curve" },
	{ "ecdh-sha2-nistk*", "NIST elliptic curve" },
	{ "ecdh-sha2-nistt*", "NIST elliptic curve" },
	{ "ecmqv-sha2", "unproven algorithm" },
	{ "m383-sha384@libassh.org", "unproven algorithm" },
	{ "m511-sha512@libassh.org", "unproven algorithm" },
};

static const struct weak_alg weak_hostkey[] = {
	{ "ssh-dss", "DSA, 1024-bit" },
	{ "ssh-dss-*", "DSA, 1024-bit" },
	{ "x509v3-sign-dss*", "DSA, 1024-bit" },
	{ "x509v3-ssh-dss", "DSA, 1024-bit" },
	{ "pgp-sign-dss", "DSA, 1024-bit" },
	{ "spki-sign-dss", "DSA, 1024-bit" },
	{ "ssh-rsa", "SHA-1 signatures" },
	{ "ssh-rsa-cert-v00@openssh.com", "SHA-1 signatures" },
	{ "ssh-rsa-cert-v01@openssh.com", "SHA-1 signatures" },
	{ "x509v3-sign-rsa", "SHA-1 signatures" },
	{ "x509v3-sign-rsa-sha1", "SHA-1 signatures" },
	{ "x509v3-ssh-rsa", "SHA-1 signatures" },
	{ "pgp-sign-rsa", "1024-bit RSA" },
	{ "spki-sign-rsa", "1024-bit RSA" },
	{ "ssh-rsa1", "SSH-1 host key" },
	{ "null", "no host authentication" },
	{ "ecdsa-sha2-nistp*", "NIST elliptic curve" },
	{ "sk-ecdsa-sha2-nistp*", "NIST elliptic curve" },
	{ "webauthn-sk-ecdsa-sha2-nistp*", "NIST elliptic curve" },
	{ "x509v3-ecdsa-sha2-nistp*", "NIST elliptic curve" },
	{ "dsa2048-sha2*@libassh.org", "unproven algorithm" },
	{ "dsa3072-sha256@libassh.org", "unproven algorithm" },
	{ "eddsa-e382-shake256@libassh.org", "unproven algorithm" },
	{ "eddsa-e521-shake256@libassh.org", "unproven algorithm" },
};

/* CBC ciphers are matched by name in ssh_policy_weak(), not listed */
static const struct weak_alg weak_cipher[] = {
	{ "none", "no encryption" },
	{ "des", "DES" },
	{ "des-*", "DES" },
	{ "3des", "3DES, 64-bit block" },
	{ "3des-*", "3DES, 64-bit block" },
	{ "blowfish", "Blowfish, 64-bit block" },
	{ "blowfish-*", "Blowfish, 64-bit block" },
	{ "arcfour*", "RC4" },
	{ "cast128-*", "CAST-128, 64-bit block" },
	{ "idea-*", "IDEA, deprecated" },
	{ "serpent*", "Serpent, deprecated in SSH" },
	{ "seed-*", "SEED, deprecated" },
	{ "crypticore128@ssh.com", "unproven algorithm" },
};

static const struct weak_alg weak_mac[] = {
	{ "none", "no integrity" },
	{ "hmac-md5", "MD5" },
	{ "hmac-md5-96", "MD5, 96-bit tag" },
	{ "hmac-md5-etm@openssh.com", "MD5" },
	{ "hmac-md5-96-etm@openssh.com", "MD5, 96-bit tag" },
	{ "hmac-sha1-96", "SHA-1, 96-bit tag" },
	{ "hmac-sha1-96-etm@openssh.com", "SHA-1, 96-bit tag" },
	{ "hmac-sha2-256-96", "96-bit tag, removed from the specification" },
	{ "hmac-sha2-512-96", "96-bit tag, removed from the specification" },
	{ "hmac-ripemd*", "RIPEMD-160, removed from OpenSSH" },
	{ "crypticore-mac@ssh.com", "unproven algorithm" },
};

static bool alg_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

static const char *table_find(const struct weak_alg *t, size_t n,
			      const char *name)
{
	const char *why = NULL;
	size_t i;

	for (i = 0; i < n && why == NULL; i++) {
		/* "dsa2048-sha2*@libassh.org": prefix and suffix */
		const char *star = strchr(t[i].name, '*');

		if (star != NULL && star[1] != '\0') {
			size_t pre = (size_t)(star - t[i].name);
			size_t suf = strlen(star + 1), len = strlen(name);

			if (len >= pre + suf &&
			    strncmp(name, t[i].name, pre) == 0 &&
			    strcmp(name + len - suf, star + 1) == 0)
				why = t[i].why;
		} else if (alg_match(t[i].name, name)) {
			why = t[i].why;
		}
	}
	return why;
}

static bool is_cbc(const char *name)
{
	/* aes128-cbc, rijndael-cbc@lysator.liu.se, cast128-12-cbc@ssh.com */
	return strstr(name, "-cbc") != NULL;
}

const char *ssh_policy_weak(enum ssh_alg_kind kind, const char *name)
{
	const char *why = NULL;

	switch (kind) {
	case SSH_ALG_KEX:
		why = table_find(weak_kex, ARRAY_SIZE(weak_kex), name);
		break;
	case SSH_ALG_HOSTKEY:
		why = table_find(weak_hostkey, ARRAY_SIZE(weak_hostkey), name);
		break;
	case SSH_ALG_CIPHER:
		why = table_find(weak_cipher, ARRAY_SIZE(weak_cipher), name);
		if (why == NULL && is_cbc(name))
			why = "CBC mode (CVE-2008-5161)";
		break;
	case SSH_ALG_MAC:
		why = table_find(weak_mac, ARRAY_SIZE(weak_mac), name);
		break;
	}
	return why;
}

/*
 * Terrapin (CVE-2023-48795, Bäumer/Brinkmann/Schwenk 2023): a prefix
 * truncation works against chacha20-poly1305@openssh.com, and against
 * any CBC cipher used with an encrypt-then-MAC MAC, unless both peers do
 * strict key exchange. From the server side we see whether it offers
 * kex-strict-s-v00@openssh.com; CTR with EtM is not practically
 * exploitable (paper section 5) and is left out, as ssh-audit does.
 */
void ssh_terrapin_add(struct ssh_terrapin *t, enum ssh_alg_kind kind,
		      const char *name)
{
	size_t n = strlen(name);
	static const char etm[] = "-etm@openssh.com";

	switch (kind) {
	case SSH_ALG_KEX:
		if (strcmp(name, "kex-strict-s-v00@openssh.com") == 0)
			t->strict_kex = true;
		break;
	case SSH_ALG_CIPHER:
		if (strcmp(name, "chacha20-poly1305@openssh.com") == 0)
			t->chacha20 = true;
		else if (is_cbc(name))
			t->cbc = true;
		break;
	case SSH_ALG_MAC:
		if (n >= sizeof(etm) - 1 &&
		    strcmp(name + n - (sizeof(etm) - 1), etm) == 0)
			t->etm = true;
		break;
	case SSH_ALG_HOSTKEY:
		break;
	}
}

bool ssh_terrapin_vulnerable(const struct ssh_terrapin *t)
{
	return (t->chacha20 || (t->cbc && t->etm)) && !t->strict_kex;
}

/* ---- versions ---- */

/*
 * Debian Policy 5.6.12: compare alternating non-digit and digit runs;
 * in non-digit runs letters sort before other characters, '~' before
 * everything (even the end); digit runs compare numerically.
 */
static int debrev_order(char c)
{
	int r;

	if (c == '\0' || isdigit((unsigned char)c))
		r = 0;
	else if (isalpha((unsigned char)c))
		r = (unsigned char)c;
	else if (c == '~')
		r = -1;
	else
		r = (unsigned char)c + 256;
	return r;
}

int ssh_policy_debrev_cmp(const char *a, const char *b)
{
	int r = 0;

	while (r == 0 && (*a != '\0' || *b != '\0')) {
		/* the non-digit run */
		while (r == 0 &&
		       ((*a != '\0' && !isdigit((unsigned char)*a)) ||
			(*b != '\0' && !isdigit((unsigned char)*b)))) {
			int oa = debrev_order(*a), ob = debrev_order(*b);

			if (oa != ob)
				r = oa - ob;
			if (*a != '\0' && !isdigit((unsigned char)*a))
				a++;
			if (*b != '\0' && !isdigit((unsigned char)*b))
				b++;
		}
		if (r != 0)
			break;
		/* the digit run, numerically (leading zeros ignored) */
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		{
			int first = 0;

			while (isdigit((unsigned char)*a) &&
			       isdigit((unsigned char)*b)) {
				if (first == 0)
					first = *a - *b;
				a++;
				b++;
			}
			if (isdigit((unsigned char)*a))
				r = 1;
			else if (isdigit((unsigned char)*b))
				r = -1;
			else
				r = first;
		}
	}
	return r;
}

/* OpenSSH portable version: 9.2p1 -> {9, 2, 1}; "9.6" (OpenBSD, RHEL) has
 * p = 0. */
struct osh_ver {
	unsigned major, minor, p;
};

static bool parse_num(const char **s, unsigned *out)
{
	unsigned v = 0;
	bool ok = false;

	while (isdigit((unsigned char)**s) && v < 100000) {
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
		ok = true;
	}
	*out = v;
	return ok && !isdigit((unsigned char)**s);
}

/* "OpenSSH_9.2p1" (also "OpenSSH_9.2p1-hpn14v15"); false for anything
 * else, e.g. "OpenSSH_for_Windows_8.1" (not affected by the glibc CVE). */
static bool parse_openssh(const char *sw, struct osh_ver *v)
{
	const char *s = sw;
	bool ok = false;

	if (strncmp(s, "OpenSSH_", 8) != 0)
		goto out;
	s += 8;
	if (!parse_num(&s, &v->major) || *s != '.')
		goto out;
	s++;
	if (!parse_num(&s, &v->minor))
		goto out;
	v->p = 0;
	if (*s == 'p') {
		s++;
		if (!parse_num(&s, &v->p))
			goto out;
	}
	ok = true;
out:
	return ok;
}

/* by major.minor only: the portable "pN" is a packaging release, and
 * OpenBSD's own "OpenSSH_9.8" has none */
static int ver_cmp(const struct osh_ver *a, const struct osh_ver *b)
{
	int r = (a->major > b->major) - (a->major < b->major);

	if (r == 0)
		r = (a->minor > b->minor) - (a->minor < b->minor);
	return r;
}

/*
 * Fixed distribution builds of an affected upstream version, as package
 * revisions after "Debian-"/"Ubuntu-" in the banner. Sources:
 *  - Debian 12: DSA-5724-1, https://security-tracker.debian.org/tracker/
 *    CVE-2024-6387: fixed in 1:9.2p1-2+deb12u3 (its changelog: "Disable
 *    async-signal-unsafe code from the sshsigdie() function"); sid and
 *    trixie: fixed in 1:9.7p1-7. Debian 11 ships 8.4p1 (not affected).
 *  - Ubuntu: USN-6859-1, https://ubuntu.com/security/notices/USN-6859-1
 *    (and canonical/ubuntu-security-notices osv/usn/USN-6859-1.json):
 *    22.04 1:8.9p1-3ubuntu0.10, 23.10 1:9.3p1-1ubuntu3.6, 24.04
 *    1:9.6p1-3ubuntu13.3. 20.04 ships 8.2p1 (not affected).
 * Raspbian builds carry Debian's revisions. A Debian or Ubuntu build of
 * an affected upstream version that is not listed was never fixed (only
 * the releases above got updates), so it is reported as vulnerable.
 */
struct backport {
	const char *distro;
	const char *upstream; /* "9.2p1" */
	const char *fixed;    /* first fixed revision */
};

static const struct backport regresshion_fixes[] = {
	{ "Debian", "9.2p1", "2+deb12u3" },
	{ "Debian", "9.7p1", "7" },
	{ "Raspbian", "9.2p1", "2+deb12u3" },
	{ "Raspbian", "9.7p1", "7" },
	{ "Ubuntu", "8.9p1", "3ubuntu0.10" },
	{ "Ubuntu", "9.3p1", "1ubuntu3.6" },
	{ "Ubuntu", "9.6p1", "3ubuntu13.3" },
};

/* "OpenSSH_9.2p1" -> "9.2p1" */
static const char *upstream_text(const char *software)
{
	return software + 8;
}

/* Splits "Debian-2+deb12u3" into distro and revision; false if the
 * comments do not name Debian, Raspbian or Ubuntu. */
static bool distro_revision(const char *comments, char *distro, size_t dsize,
			    const char **rev)
{
	static const char *const known[] = { "Debian", "Raspbian", "Ubuntu" };
	bool found = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known) && !found; i++) {
		size_t n = strlen(known[i]);

		if (strncmp(comments, known[i], n) == 0 && comments[n] == '-' &&
		    comments[n + 1] != '\0') {
			snprintf(distro, dsize, "%s", known[i]);
			*rev = comments + n + 1;
			found = true;
		}
	}
	return found;
}

/* the revision stops at the first space ("2+deb12u3 extra") */
static void first_word(char *dst, size_t size, const char *s)
{
	size_t n = strcspn(s, " ");

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* an affected upstream version whose distribution fixes are not known:
 * always a hit */
static bool backports_unknown(struct ssh_vuln *out, const char *comments)
{
	out->backports_unknown = true;
	snprintf(out->detail, sizeof(out->detail),
		 "upstream version in affected range; distribution "
		 "backports not known for %s",
		 comments[0] ? comments : "(no distribution suffix)");
	return true;
}

/*
 * CVE-2024-6387 (regreSSHion, Qualys 2024-07-01): a signal handler race
 * in sshd's LoginGraceTime alarm on glibc Linux; OpenSSH 8.5p1 up to
 * 9.7p1, and versions before 4.4p1 unless patched for CVE-2006-5051 and
 * CVE-2008-4109 (backports of those are not knowable from a banner).
 */
static bool regresshion(const struct osh_ver *v, const char *software,
			const char *comments, struct ssh_vuln *out)
{
	static const struct osh_ver lo = { 8, 5, 0 }, hi = { 9, 8, 0 };
	static const struct osh_ver old = { 4, 4, 0 };
	const char *rev = NULL;
	char distro[16], revbuf[64];
	bool hit = false, known = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->cve = "CVE-2024-6387";
	out->title = "regreSSHion: unauthenticated remote code execution as "
		     "root (signal handler race in sshd)";
	if (ver_cmp(v, &old) < 0) {
		out->affected = "OpenSSH < 4.4p1 (unless patched for "
				"CVE-2006-5051 and CVE-2008-4109)";
		hit = backports_unknown(out, comments);
		goto out;
	}
	if (ver_cmp(v, &lo) < 0 || ver_cmp(v, &hi) >= 0)
		goto out;
	out->affected = "8.5p1 <= OpenSSH < 9.8p1";
	if (!distro_revision(comments, distro, sizeof(distro), &rev)) {
		hit = backports_unknown(out, comments);
		goto out;
	}
	first_word(revbuf, sizeof(revbuf), rev);
	for (i = 0; i < ARRAY_SIZE(regresshion_fixes); i++) {
		const struct backport *b = &regresshion_fixes[i];

		if (strcmp(b->distro, distro) != 0 ||
		    strcmp(b->upstream, upstream_text(software)) != 0)
			continue;
		known = true;
		if (ssh_policy_debrev_cmp(revbuf, b->fixed) < 0) {
			snprintf(out->detail, sizeof(out->detail),
				 "%s package revision %s predates the fix "
				 "(%s)",
				 distro, revbuf, b->fixed);
			hit = true;
		}
		break;
	}
	if (!known) {
		snprintf(out->detail, sizeof(out->detail),
			 "no fixed %s package is known for OpenSSH %s", distro,
			 upstream_text(software));
		hit = true;
	}
out:
	return hit;
}

size_t ssh_policy_version(const char *software, const char *comments,
			  struct ssh_vuln *out, size_t max)
{
	struct osh_ver v;
	size_t n = 0;

	if (software == NULL || !parse_openssh(software, &v))
		goto out;
	if (comments == NULL)
		comments = "";
	if (n < max && regresshion(&v, software, comments, &out[n]))
		n++;
out:
	return n;
}
