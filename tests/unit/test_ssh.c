/*
 * test_ssh.c - the SSH check without a network: the wire parsers on
 * constructed bytes, the judgement tables, and assess() on fixture facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "ssh/ssh_policy.h"
#include "ssh/ssh_wire.h"

extern const struct check check_ssh;

/* ---- building packets ---- */

struct pkt {
	uint8_t b[40000];
	size_t len;
};

static void put_u32(struct pkt *p, uint32_t v)
{
	p->b[p->len++] = (uint8_t)(v >> 24);
	p->b[p->len++] = (uint8_t)(v >> 16);
	p->b[p->len++] = (uint8_t)(v >> 8);
	p->b[p->len++] = (uint8_t)v;
}

static void put_str(struct pkt *p, const char *s)
{
	size_t n = strlen(s);

	put_u32(p, (uint32_t)n);
	memcpy(p->b + p->len, s, n);
	p->len += n;
}

/* a KEXINIT payload with the given ten lists */
static void kexinit_payload(struct pkt *p, const char *const lists[10])
{
	int i;

	p->len = 0;
	p->b[p->len++] = SSH_MSG_KEXINIT;
	memset(p->b + p->len, 0xab, 16);
	p->len += 16;
	for (i = 0; i < 10; i++)
		put_str(p, lists[i]);
	p->b[p->len++] = 0; /* first_kex_packet_follows */
	put_u32(p, 0);	    /* reserved */
}

/* wraps a payload in a binary packet with padding pad */
static void wrap(struct pkt *out, const struct pkt *payload, uint8_t pad)
{
	out->len = 0;
	put_u32(out, (uint32_t)(payload->len + pad + 1));
	out->b[out->len++] = pad;
	memcpy(out->b + out->len, payload->b, payload->len);
	out->len += payload->len;
	memset(out->b + out->len, 0, pad);
	out->len += pad;
}

static const char *const debian12_lists[10] = {
	"sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
	"ecdh-sha2-nistp256,diffie-hellman-group14-sha1,ext-info-s,"
	"kex-strict-s-v00@openssh.com",
	"rsa-sha2-512,rsa-sha2-256,ssh-rsa,ssh-ed25519",
	"chacha20-poly1305@openssh.com,aes128-ctr,aes128-cbc",
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,3des-cbc",
	"hmac-sha2-256-etm@openssh.com,hmac-sha1",
	"hmac-sha2-256-etm@openssh.com,hmac-md5",
	"none,zlib@openssh.com",
	"none,zlib@openssh.com",
	"",
	"",
};

/* ---- binary packet + KEXINIT ---- */

Test(ssh_wire, kexinit_valid)
{
	struct pkt payload, packet;
	const uint8_t *pl = NULL;
	size_t plen = 0, used = 0;
	struct ssh_kexinit k;

	kexinit_payload(&payload, debian12_lists);
	wrap(&packet, &payload, 7);
	cr_assert_eq(ssh_wire_packet(packet.b, packet.len, &pl, &plen, &used),
		     0);
	cr_assert_eq(used, packet.len);
	cr_assert_eq(plen, payload.len);
	cr_assert_eq(ssh_wire_kexinit(pl, plen, &k), 0);
	cr_assert(ssh_namelist_has(&k.lists[SSH_L_KEX],
				   "kex-strict-s-v00@openssh.com"));
	cr_assert(ssh_namelist_has(&k.lists[SSH_L_HOSTKEY], "ssh-rsa"));
	cr_assert_not(ssh_namelist_has(&k.lists[SSH_L_HOSTKEY], "ssh-rs"));
	cr_assert_eq(k.lists[SSH_L_LANG_C2S].len, 0);
	cr_assert_not(k.first_kex_follows);
}

Test(ssh_wire, packet_truncated_needs_more)
{
	struct pkt payload, packet;
	const uint8_t *pl = NULL;
	size_t plen = 0, used = 0, cut;

	kexinit_payload(&payload, debian12_lists);
	wrap(&packet, &payload, 4);
	for (cut = 0; cut < packet.len; cut++)
		cr_assert_eq(ssh_wire_packet(packet.b, cut, &pl, &plen, &used),
			     SSH_WIRE_MORE, "cut at %zu", cut);
}

Test(ssh_wire, packet_length_lies)
{
	uint8_t huge[8] = { 0x00, 0x10, 0x00, 0x00, 4, 20, 0, 0 };
	uint8_t max[4] = { 0x00, 0x00, 0x88, 0xb9 }; /* 35001 */
	uint8_t tiny[9] = { 0, 0, 0, 5, 4, 0, 0, 0, 0 };
	const uint8_t *pl = NULL;
	size_t plen = 0, used = 0;

	cr_assert_eq(ssh_wire_packet(huge, sizeof(huge), &pl, &plen, &used),
		     EXPO_ETOOBIG);
	cr_assert_eq(ssh_wire_packet(max, sizeof(max), &pl, &plen, &used),
		     EXPO_ETOOBIG);
	cr_assert_eq(ssh_wire_packet(tiny, sizeof(tiny), &pl, &plen, &used),
		     EXPO_EPARSE);
}

Test(ssh_wire, padding_bounds)
{
	/* packet_length 12: padding 11 leaves no payload; 3 is too short */
	uint8_t over[16] = { 0, 0, 0, 12, 11, 20 };
	uint8_t small[16] = { 0, 0, 0, 12, 3, 20 };
	uint8_t beyond[16] = { 0, 0, 0, 12, 200, 20 };
	const uint8_t *pl = NULL;
	size_t plen = 0, used = 0;

	cr_assert_eq(ssh_wire_packet(over, 16, &pl, &plen, &used), EXPO_EPARSE);
	cr_assert_eq(ssh_wire_packet(small, 16, &pl, &plen, &used),
		     EXPO_EPARSE);
	cr_assert_eq(ssh_wire_packet(beyond, 16, &pl, &plen, &used),
		     EXPO_EPARSE);
}

Test(ssh_wire, namelist_longer_than_packet)
{
	struct pkt payload;
	struct ssh_kexinit k;

	kexinit_payload(&payload, debian12_lists);
	/* the first list's length claims far more than is there */
	payload.b[17] = 0x7f;
	cr_assert_eq(ssh_wire_kexinit(payload.b, payload.len, &k), EXPO_EPARSE);
	/* and every truncation of a good payload fails cleanly */
	kexinit_payload(&payload, debian12_lists);
	for (size_t cut = 0; cut < payload.len - 4; cut++)
		cr_assert_lt(ssh_wire_kexinit(payload.b, cut, &k), 0,
			     "cut at %zu", cut);
}

Test(ssh_wire, zero_length_lists_and_bad_bytes)
{
	static const char *const empty[10] = { "", "", "", "", "",
					       "", "", "", "", "" };
	static const char *const ctl[10] = { "a\tb", "", "", "", "",
					     "",     "", "", "", "" };
	struct pkt payload;
	struct ssh_kexinit k;
	size_t pos = 0, n;
	const char *name;

	kexinit_payload(&payload, empty);
	cr_assert_eq(ssh_wire_kexinit(payload.b, payload.len, &k), 0);
	cr_assert_not(ssh_namelist_next(&k.lists[SSH_L_KEX], &pos, &name, &n));
	kexinit_payload(&payload, ctl);
	cr_assert_eq(ssh_wire_kexinit(payload.b, payload.len, &k), EXPO_EPARSE);
	payload.b[0] = 21;
	cr_assert_eq(ssh_wire_kexinit(payload.b, payload.len, &k), EXPO_EPROTO);
}

Test(ssh_wire, namelist_iteration_skips_empty)
{
	struct ssh_namelist l = { .p = ",a,,bc,", .len = 7 };
	size_t pos = 0, n;
	const char *name;

	cr_assert(ssh_namelist_next(&l, &pos, &name, &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(name[0], 'a');
	cr_assert(ssh_namelist_next(&l, &pos, &name, &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(strncmp(name, "bc", 2), 0);
	cr_assert_not(ssh_namelist_next(&l, &pos, &name, &n));
}

/* ---- banners ---- */

Test(ssh_banner, debian)
{
	static const char in[] =
		"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n\0\0";
	struct ssh_banner b;
	size_t used = 0;

	cr_assert_eq(ssh_wire_banner(in, sizeof(in) - 1, &b, &used), 0);
	cr_assert_eq(used, strlen(in));
	cr_assert_str_eq(b.line, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
	cr_assert_str_eq(b.proto, "2.0");
	cr_assert_str_eq(b.software, "OpenSSH_9.2p1");
	cr_assert_str_eq(b.comments, "Debian-2+deb12u3");
	cr_assert(b.v2);
	cr_assert_not(b.v1);
}

Test(ssh_banner, pre_banner_lines_and_bare_lf)
{
	static const char in[] = "hello\r\nthis is a notice\n"
				 "SSH-2.0-dropbear_2022.83\n";
	struct ssh_banner b;
	size_t used = 0;

	cr_assert_eq(ssh_wire_banner(in, strlen(in), &b, &used), 0);
	cr_assert_eq(b.npre, 2);
	cr_assert_str_eq(b.software, "dropbear_2022.83");
	cr_assert_str_eq(b.comments, "");
	cr_assert_eq(used, strlen(in));
}

Test(ssh_banner, protocol_versions)
{
	struct ssh_banner b;
	size_t used = 0;

	cr_assert_eq(
		ssh_wire_banner("SSH-1.99-OpenSSH_3.9p1\r\n", 24, &b, &used),
		0);
	cr_assert(b.v1 && b.v2);
	cr_assert_eq(ssh_wire_banner("SSH-1.5-Cisco-1.25\r\n", 20, &b, &used),
		     0);
	cr_assert(b.v1 && !b.v2);
	cr_assert_str_eq(b.software, "Cisco-1.25");
	cr_assert_eq(ssh_wire_banner("SSH-3.0-x\r\n", 11, &b, &used),
		     EXPO_EPARSE);
	cr_assert_eq(ssh_wire_banner("SSH-2.0-\r\n", 10, &b, &used),
		     EXPO_EPARSE);
	cr_assert_eq(ssh_wire_banner("SSH-2.0-a\x01\r\n", 12, &b, &used),
		     EXPO_EPARSE);
}

Test(ssh_banner, incomplete_and_too_long)
{
	char buf[SSH_BANNER_MAX_PRE + 600];
	struct ssh_banner b;
	size_t used = 0, i;

	cr_assert_eq(ssh_wire_banner("SSH-2.0-Open", 12, &b, &used),
		     SSH_WIRE_MORE);
	cr_assert_eq(ssh_wire_banner("", 0, &b, &used), SSH_WIRE_MORE);
	cr_assert_eq(ssh_wire_banner(NULL, 0, &b, &used), SSH_WIRE_MORE);
	/* one line over 255 bytes, with or without its end */
	memset(buf, 'x', 300);
	cr_assert_eq(ssh_wire_banner(buf, 300, &b, &used), EXPO_ETOOBIG);
	memcpy(buf, "SSH-2.0-", 8);
	buf[299] = '\n';
	cr_assert_eq(ssh_wire_banner(buf, 300, &b, &used), EXPO_ETOOBIG);
	/* 21 short lines before the banner */
	for (i = 0; i < 21; i++)
		memcpy(buf + 2 * i, "x\n", 2);
	memcpy(buf + 42, "SSH-2.0-x\n", 10);
	cr_assert_eq(ssh_wire_banner(buf, 52, &b, &used), EXPO_ETOOBIG);
	/* 20 are fine */
	cr_assert_eq(ssh_wire_banner(buf + 2, 50, &b, &used), 0);
	/* over 8 KiB of pre-banner text in few lines */
	memset(buf, 'y', sizeof(buf));
	for (i = 250; i < sizeof(buf); i += 251)
		buf[i] = '\n';
	cr_assert_eq(ssh_wire_banner(buf, sizeof(buf), &b, &used),
		     EXPO_ETOOBIG);
}

/* ---- judgement tables ---- */

struct weak_row {
	enum ssh_alg_kind kind;
	const char *name;
	bool weak;
};

static const struct weak_row weak_rows[] = {
	{ SSH_ALG_KEX, "diffie-hellman-group1-sha1", true },
	{ SSH_ALG_KEX, "diffie-hellman-group14-sha1", true },
	{ SSH_ALG_KEX, "diffie-hellman-group-exchange-sha1", true },
	{ SSH_ALG_KEX, "gss-gex-sha1-toWM5Slw5Ew8Mqkay+al2g==", true },
	{ SSH_ALG_KEX, "rsa1024-sha1", true },
	{ SSH_ALG_KEX, "ecdh-sha2-nistp256", true },
	{ SSH_ALG_KEX, "ecdh-sha2-nistp521", true },
	{ SSH_ALG_KEX, "curve25519-sha256", false },
	{ SSH_ALG_KEX, "sntrup761x25519-sha512@openssh.com", false },
	{ SSH_ALG_KEX, "diffie-hellman-group14-sha256", false },
	{ SSH_ALG_KEX, "diffie-hellman-group-exchange-sha256", false },
	{ SSH_ALG_KEX, "kex-strict-s-v00@openssh.com", false },
	{ SSH_ALG_KEX, "ext-info-s", false },
	{ SSH_ALG_KEX, "some-future-kex@example.org", false },
	{ SSH_ALG_HOSTKEY, "ssh-dss", true },
	{ SSH_ALG_HOSTKEY, "ssh-dss-cert-v01@openssh.com", true },
	{ SSH_ALG_HOSTKEY, "ssh-rsa", true },
	{ SSH_ALG_HOSTKEY, "ssh-rsa-cert-v01@openssh.com", true },
	{ SSH_ALG_HOSTKEY, "ecdsa-sha2-nistp256", true },
	{ SSH_ALG_HOSTKEY, "dsa2048-sha256@libassh.org", true },
	{ SSH_ALG_HOSTKEY, "rsa-sha2-512", false },
	{ SSH_ALG_HOSTKEY, "ssh-ed25519", false },
	{ SSH_ALG_HOSTKEY, "ssh-ed25519-cert-v01@openssh.com", false },
	{ SSH_ALG_CIPHER, "aes128-cbc", true },
	{ SSH_ALG_CIPHER, "3des-cbc", true },
	{ SSH_ALG_CIPHER, "blowfish-cbc", true },
	{ SSH_ALG_CIPHER, "cast128-cbc", true },
	{ SSH_ALG_CIPHER, "arcfour256", true },
	{ SSH_ALG_CIPHER, "rijndael-cbc@lysator.liu.se", true },
	{ SSH_ALG_CIPHER, "des", true },
	{ SSH_ALG_CIPHER, "none", true },
	{ SSH_ALG_CIPHER, "camellia128-cbc", true },
	{ SSH_ALG_CIPHER, "aes128-ctr", false },
	{ SSH_ALG_CIPHER, "aes256-gcm@openssh.com", false },
	{ SSH_ALG_CIPHER, "chacha20-poly1305@openssh.com", false },
	{ SSH_ALG_MAC, "hmac-md5", true },
	{ SSH_ALG_MAC, "hmac-md5-96", true },
	{ SSH_ALG_MAC, "hmac-md5-etm@openssh.com", true },
	{ SSH_ALG_MAC, "hmac-sha1-96", true },
	{ SSH_ALG_MAC, "hmac-ripemd160", true },
	{ SSH_ALG_MAC, "none", true },
	{ SSH_ALG_MAC, "hmac-sha1", false },
	{ SSH_ALG_MAC, "hmac-sha1-etm@openssh.com", false },
	{ SSH_ALG_MAC, "umac-64-etm@openssh.com", false },
	{ SSH_ALG_MAC, "hmac-sha2-256-etm@openssh.com", false },
	{ SSH_ALG_MAC, "umac-128@openssh.com", false },
};

Test(ssh_policy, weak_table)
{
	size_t i;

	for (i = 0; i < sizeof(weak_rows) / sizeof(weak_rows[0]); i++) {
		const struct weak_row *r = &weak_rows[i];
		const char *why = ssh_policy_weak(r->kind, r->name);

		cr_assert_eq(why != NULL, r->weak, "%s: expected %s", r->name,
			     r->weak ? "weak" : "not weak");
	}
}

struct terrapin_row {
	const char *ciphers, *macs, *kex;
	bool vulnerable;
};

static const struct terrapin_row terrapin_rows[] = {
	{ "chacha20-poly1305@openssh.com", "hmac-sha2-256", "curve25519-sha256",
	  true },
	{ "chacha20-poly1305@openssh.com", "hmac-sha2-256",
	  "curve25519-sha256,kex-strict-s-v00@openssh.com", false },
	{ "aes128-cbc", "hmac-sha2-256-etm@openssh.com", "curve25519-sha256",
	  true },
	{ "aes128-cbc", "hmac-sha2-256", "curve25519-sha256", false },
	{ "aes128-ctr", "hmac-sha2-256-etm@openssh.com", "curve25519-sha256",
	  false },
	{ "aes256-gcm@openssh.com", "hmac-sha1-etm@openssh.com", "x", false },
	{ "3des-cbc,aes128-ctr", "umac-64-etm@openssh.com,hmac-sha1",
	  "ext-info-s", true },
	{ "3des-cbc", "umac-64-etm@openssh.com", "kex-strict-s-v00@openssh.com",
	  false },
};

static void feed(struct ssh_terrapin *t, enum ssh_alg_kind kind,
		 const char *list)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		ssh_terrapin_add(t, kind, tok);
}

Test(ssh_policy, terrapin_preconditions)
{
	size_t i;

	for (i = 0; i < sizeof(terrapin_rows) / sizeof(terrapin_rows[0]); i++) {
		const struct terrapin_row *r = &terrapin_rows[i];
		struct ssh_terrapin t = { 0 };

		feed(&t, SSH_ALG_CIPHER, r->ciphers);
		feed(&t, SSH_ALG_MAC, r->macs);
		feed(&t, SSH_ALG_KEX, r->kex);
		cr_assert_eq(ssh_terrapin_vulnerable(&t), r->vulnerable,
			     "row %zu (%s / %s / %s)", i, r->ciphers, r->macs,
			     r->kex);
	}
}

struct version_row {
	const char *software, *comments;
	size_t hits;
	bool unknown_backport;
};

static const struct version_row version_rows[] = {
	/* Debian 12: deb12u3 is the regreSSHion fix (DSA-5724-1) */
	{ "OpenSSH_9.2p1", "Debian-2+deb12u3", 0, false },
	{ "OpenSSH_9.2p1", "Debian-2+deb12u10", 0, false },
	{ "OpenSSH_9.2p1", "Debian-2+deb12u2", 1, false },
	{ "OpenSSH_9.2p1", "Debian-2", 1, false },
	{ "OpenSSH_9.2p1", "Raspbian-2+deb12u3", 0, false },
	{ "OpenSSH_9.7p1", "Debian-7", 0, false },
	{ "OpenSSH_9.7p1", "Debian-6", 1, false },
	{ "OpenSSH_9.6p1", "Debian-4", 1, false },
	/* Debian 11 and Ubuntu 20.04: before 8.5p1 */
	{ "OpenSSH_8.4p1", "Debian-5+deb11u3", 0, false },
	{ "OpenSSH_8.2p1", "Ubuntu-4ubuntu0.11", 0, false },
	/* Ubuntu (USN-6859-1) */
	{ "OpenSSH_8.9p1", "Ubuntu-3ubuntu0.10", 0, false },
	{ "OpenSSH_8.9p1", "Ubuntu-3ubuntu0.13", 0, false },
	{ "OpenSSH_8.9p1", "Ubuntu-3ubuntu0.9", 1, false },
	{ "OpenSSH_8.9p1", "Ubuntu-3ubuntu0.6", 1, false },
	{ "OpenSSH_9.6p1", "Ubuntu-3ubuntu13.3", 0, false },
	{ "OpenSSH_9.6p1", "Ubuntu-3ubuntu13", 1, false },
	{ "OpenSSH_9.3p1", "Ubuntu-1ubuntu3.6", 0, false },
	{ "OpenSSH_9.3p1", "Ubuntu-1ubuntu3.3", 1, false },
	/* upstream, and unknown distributions */
	{ "OpenSSH_9.8p1", "", 0, false },
	{ "OpenSSH_9.9", "", 0, false },
	{ "OpenSSH_9.8", "", 0, false },
	{ "OpenSSH_9.7p1", "", 1, true },
	{ "OpenSSH_8.5p1", "", 1, true },
	{ "OpenSSH_8.7", "", 1, true },
	{ "OpenSSH_9.3", "FreeBSD-20230316", 1, true },
	{ "OpenSSH_8.4p1", "", 0, false },
	{ "OpenSSH_4.3p2", "", 1, true },
	{ "OpenSSH_for_Windows_8.6", "", 0, false },
	{ "dropbear_2022.83", "", 0, false },
	{ "OpenSSH_", "", 0, false },
	{ "OpenSSH_9.x", "", 0, false },
};

Test(ssh_policy, version_backports)
{
	size_t i;

	for (i = 0; i < sizeof(version_rows) / sizeof(version_rows[0]); i++) {
		const struct version_row *r = &version_rows[i];
		struct ssh_vuln v[2];
		size_t n = ssh_policy_version(r->software, r->comments, v, 2);

		cr_assert_eq(n, r->hits, "%s %s: %zu hits", r->software,
			     r->comments, n);
		if (n == 0)
			continue;
		cr_assert_str_eq(v[0].cve, "CVE-2024-6387");
		cr_assert_eq(v[0].backports_unknown, r->unknown_backport,
			     "%s %s", r->software, r->comments);
		if (r->unknown_backport)
			cr_assert(strstr(v[0].detail, "distribution backports "
						      "not known for") != NULL);
	}
}

Test(ssh_policy, debian_revision_compare)
{
	cr_assert_lt(ssh_policy_debrev_cmp("2+deb12u2", "2+deb12u3"), 0);
	cr_assert_gt(ssh_policy_debrev_cmp("2+deb12u10", "2+deb12u3"), 0);
	cr_assert_eq(ssh_policy_debrev_cmp("2+deb12u3", "2+deb12u3"), 0);
	cr_assert_lt(ssh_policy_debrev_cmp("3ubuntu0.9", "3ubuntu0.10"), 0);
	cr_assert_lt(ssh_policy_debrev_cmp("3ubuntu13", "3ubuntu13.3"), 0);
	cr_assert_lt(ssh_policy_debrev_cmp("1~bpo1", "1"), 0);
	cr_assert_gt(ssh_policy_debrev_cmp("7ubuntu4", "7"), 0);
	cr_assert_lt(ssh_policy_debrev_cmp("2", "2+deb12u1"), 0);
	cr_assert_eq(ssh_policy_debrev_cmp("007", "7"), 0);
}

/* ---- assess() on fixture facts ---- */

struct fixture {
	struct scan_config cfg;
	struct target target;
	struct target_addr addr;
	struct check_ctx *ctx;
	cJSON *facts;
};

static void fixture_init(struct fixture *f, const char *json, bool show)
{
	memset(f, 0, sizeof(*f));
	scan_config_defaults(&f->cfg);
	f->cfg.show_secrets = show;
	cr_assert_eq(target_addr_parse(&f->addr, "127.0.10.1"), 0);
	f->target.id = strdup("list:127.0.10.1");
	f->target.provider = "list";
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx = ctx_new(&check_ssh, &f->cfg, &f->target, &f->addr, 22, NULL);
	cr_assert_not_null(f->ctx);
	f->facts = cJSON_Parse(json);
	cr_assert_not_null(f->facts, "bad fixture JSON");
	cr_assert_eq(check_ssh.assess(f->facts, f->ctx), 0);
}

static void fixture_release(struct fixture *f)
{
	ctx_free(f->ctx);
	cJSON_Delete(f->facts);
	free(f->target.id);
}

/* asserts the rule ids reported, sorted and comma-joined, are want */
static void expect_rules(struct check_ctx *ctx, const char *want)
{
	struct finding_list *l = ctx_findings(ctx);
	const char *ids[32];
	char out[512];
	size_t i, j, n = l->n < 32 ? l->n : 32;

	for (i = 0; i < n; i++)
		ids[i] = l->v[i].rule_id;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
			 i ? "," : "", ids[i]);
	cr_assert_str_eq(out, want);
}

static const struct finding *find_rule(struct check_ctx *ctx, const char *id)
{
	struct finding_list *l = ctx_findings(ctx);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].rule_id, id) == 0)
			return &l->v[i];
	return NULL;
}

static const char weak_facts[] =
	"{\"banner\":\"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\","
	"\"protocol\":\"2.0\",\"software\":\"OpenSSH_9.2p1\","
	"\"comments\":\"Debian-2+deb12u2\",\"protocol_v1\":false,"
	"\"kex\":[\"curve25519-sha256\",\"diffie-hellman-group1-sha1\","
	"\"ext-info-s\"],"
	"\"hostkey\":[\"rsa-sha2-512\",\"ssh-rsa\",\"ssh-ed25519\"],"
	"\"ciphers\":[\"chacha20-poly1305@openssh.com\",\"aes128-ctr\","
	"\"aes128-cbc\"],"
	"\"macs\":[\"hmac-sha2-256-etm@openssh.com\",\"hmac-md5\"],"
	"\"compression\":[\"none\"],\"strict_kex\":false,"
	"\"auth_methods\":[\"publickey\",\"password\"],"
	"\"logins\":[{\"user\":\"root\",\"password\":\"toor\","
	"\"method\":\"password\",\"partial\":false},"
	"{\"user\":\"test\",\"password\":\"s3cr3t-pw\","
	"\"method\":\"password\",\"partial\":false}]}";

/* assess() on json reports exactly the rules want */
static void expect_json_rules(const char *json, const char *want)
{
	struct fixture f;

	fixture_init(&f, json, false);
	expect_rules(f.ctx, want);
	fixture_release(&f);
}

Test(ssh_assess, weak_server_rule_set)
{
	struct fixture f;
	const struct finding *cred;

	fixture_init(&f, weak_facts, false);
	expect_rules(f.ctx,
		     "ssh.default_credentials,ssh.password_auth,"
		     "ssh.terrapin,ssh.vulnerable_version,ssh.weak_cipher,"
		     "ssh.weak_hostkey,ssh.weak_kex,ssh.weak_mac");
	cred = find_rule(f.ctx, "ssh.default_credentials");
	cr_assert_str_eq(cred->secret, "<redacted>");
	cr_assert(strstr(cred->evidence, "root") != NULL);
	cr_assert(strstr(cred->evidence, "test") != NULL);
	cr_assert(strstr(cred->evidence, "toor") == NULL);
	cr_assert(strstr(cred->evidence, "s3cr3t-pw") == NULL);
	cr_assert(strstr(find_rule(f.ctx, "ssh.weak_kex")->evidence,
			 "diffie-hellman-group1-sha1") != NULL);
	cr_assert(strstr(find_rule(f.ctx, "ssh.weak_kex")->evidence,
			 "curve25519") == NULL);
	cr_assert(strstr(find_rule(f.ctx, "ssh.vulnerable_version")->evidence,
			 "CVE-2024-6387") != NULL);
	fixture_release(&f);
}

Test(ssh_assess, show_secrets)
{
	struct fixture f;
	const struct finding *cred;

	fixture_init(&f, weak_facts, true);
	cred = find_rule(f.ctx, "ssh.default_credentials");
	cr_assert_not_null(cred);
	cr_assert(strstr(cred->secret, "root:toor") != NULL);
	cr_assert(strstr(cred->evidence, "toor") == NULL);
	fixture_release(&f);
}

Test(ssh_assess, hardened_server_nothing)
{
	expect_json_rules(
		"{\"banner\":\"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\","
		"\"software\":\"OpenSSH_9.2p1\","
		"\"comments\":\"Debian-2+deb12u10\",\"protocol_v1\":false,"
		"\"kex\":[\"sntrup761x25519-sha512@openssh.com\","
		"\"curve25519-sha256\",\"kex-strict-s-v00@openssh.com\"],"
		"\"hostkey\":[\"ssh-ed25519\"],"
		"\"ciphers\":[\"chacha20-poly1305@openssh.com\","
		"\"aes256-gcm@openssh.com\"],"
		"\"macs\":[\"hmac-sha2-512-etm@openssh.com\"],"
		"\"strict_kex\":true,\"auth_methods\":[\"publickey\"]}",
		"");
}

Test(ssh_assess, canary_and_v1)
{
	struct fixture f;
	const struct finding *cred;

	fixture_init(
		&f,
		"{\"banner\":\"SSH-1.99-OpenSSH_9.9p1\","
		"\"software\":\"OpenSSH_9.9p1\",\"comments\":\"\","
		"\"protocol_v1\":true,"
		"\"auth_methods\":[\"keyboard-interactive\"],"
		"\"accepts_any_credential\":true,"
		"\"canary_user\":\"xqabc\",\"canary_password\":\"Czsecret\","
		"\"logins\":[{\"user\":\"root\",\"password\":\"x\"}]}",
		false);
	expect_rules(f.ctx, "ssh.default_credentials,ssh.password_auth,"
			    "ssh.protocol_v1");
	cred = find_rule(f.ctx, "ssh.default_credentials");
	cr_assert(strstr(cred->evidence, "any user and password") != NULL);
	cr_assert(strstr(cred->evidence, "Czsecret") == NULL);
	cr_assert_str_eq(cred->secret, "<redacted>");
	fixture_release(&f);
}

Test(ssh_assess, empty_facts_no_findings)
{
	expect_json_rules("{}", "");
}

Test(ssh_assess, unknown_backport_evidence)
{
	struct fixture f;
	const struct finding *v;

	fixture_init(&f,
		     "{\"banner\":\"SSH-2.0-OpenSSH_8.7\","
		     "\"software\":\"OpenSSH_8.7\",\"comments\":\"\"}",
		     false);
	v = find_rule(f.ctx, "ssh.vulnerable_version");
	cr_assert_not_null(v);
	cr_assert_eq(v->confidence, CONFIDENCE_INFERRED);
	cr_assert(strstr(v->evidence,
			 "upstream version in affected range; "
			 "distribution backports not known for") != NULL);
	fixture_release(&f);
}

Test(ssh_check, declares_its_rules)
{
	static const char *const ids[] = {
		"ssh.password_auth",	  "ssh.default_credentials",
		"ssh.protocol_v1",	  "ssh.weak_kex",
		"ssh.weak_cipher",	  "ssh.weak_mac",
		"ssh.weak_hostkey",	  "ssh.terrapin",
		"ssh.vulnerable_version",
	};
	size_t i;

	cr_assert_str_eq(check_ssh.name, "ssh");
	cr_assert_eq(check_ssh.nrules, sizeof(ids) / sizeof(ids[0]));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		cr_assert_not_null(check_rule(&check_ssh, ids[i]), "%s",
				   ids[i]);
	cr_assert(check_rule(&check_ssh, "ssh.default_credentials")->flags &
		  CHECK_LOGIN);
	cr_assert_eq(check_ssh.default_max_attempts, 5);
}
