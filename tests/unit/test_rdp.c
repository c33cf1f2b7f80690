/*
 * test_rdp.c - the RDP check without a network: the X.224 / RDP_NEG,
 * MCS and CredSSP/NTLM parsers on responses recorded from xrdp 0.9.21
 * and FreeRDP 2.11's shadow server (and edits of them), the builders, and
 * assess() on fixture facts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "check.h"
#include "config.h"
#include "context.h"
#include "expo.h"
#include "rdp/rdp_login.h"
#include "rdp/rdp_wire.h"
#include "fake_server.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

extern const struct check check_rdp;

/* hex text to bytes; returns the length */
static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;

	while (hex[0] != '\0' && hex[1] != '\0' && n < size) {
		unsigned v = 0;
		int i;

		for (i = 0; i < 2; i++) {
			char c = hex[i];

			v = v << 4 |
			    (unsigned)(c <= '9' ? c - '0'
						: (c | 0x20) - 'a' + 10);
		}
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* recorded: xrdp 0.9.21 (security_layer=rdp) to any request */
static const char xrdp_cc[] = "030000130ed000001234000201080000000000";
/* recorded: freerdp-shadow-cli /sec:nla to PROTOCOL_SSL alone */
static const char shadow_cc_ssl[] = "030000130ed000000000000300080005000000";
/* recorded: freerdp-shadow-cli /sec:nla to SSL|HYBRID|HYBRID_EX */
static const char shadow_cc_hybrid[] = "030000130ed000000000000203080002000000";
/* a Windows XP style confirm: no negotiation data */
static const char xp_cc[] = "0300000b06d00000123400";

/* recorded: xrdp 0.9.21 (crypt_level=low) MCS Connect Response */
static const char xrdp_mcs[] =
	"0300020902f0807f668201fd0a0100020100301a020116020103020100020101"
	"020100020101020300fff8020102048201d7000500147c00012a14760a010100"
	"01c0004d63446e81c0010c0c000400080000000000030c0800eb030000020cac"
	"0101000000010000002000000078010000149d6207dc72832581efa34bc9e3ff"
	"40794a66c28b00adb5c8a75315b170592101000000010000000100000006001c"
	"01525341310801000000080000ff000000010001000104cd5550be15f3908ca3"
	"49667070fe78e9daef8d9ac004aa3a699bb80ccc0507427194000acf130e66e2"
	"448a68f32cd324ea26505bf3b850d1f27c8c770a853c8fccfffca44e743c5a69"
	"951d1d3429ed2ee9cc2728b8088327a75620852c6785edbfa82948d188520b77"
	"be5a4274e364dbb22d7c5db37e80abb005743a624ec8e0163a34e78d065a73e4"
	"dd8d436904fb23718af83ed6ba168e4f15bd410a1c518623ff803937bbbc657e"
	"26ea5a02198ccafb50c4b58bdb46e3bcceffc226e8da9b45222acc20175e6d6e"
	"6b91706d9f72179f47699b7f8027da59ef627059b0d8e313eca601571bb0cf2d"
	"7cc031b0f323a11ee7a30bf27e7c4cb70b215b8ba80000000000000000080048"
	"0053e68469fb4a756c55952b6788f6df38018ed12fe3637e6af6e47df14e6925"
	"dfa0ba4bd1d3dfc880487bed5c2eb6da1df5e7063f79b24453e4c7341565ff90"
	"0c0000000000000000";

/* recorded: the shadow server's TSRequest with the NTLM CHALLENGE
 * (its Version echoes a client's 6.1.7601) */
static const char shadow_tsreq[] =
	"30819fa003020106a17430723070a06e046c4e544c4d53535000020000000400"
	"040038000000058288e23300abd8e09fe00f0000000000000000300030003c00"
	"00000601b11d0000000f56004d000200040056004d000100040056004d000400"
	"040076006d000300040076006d00070008008042acb34879dd0100000000a522"
	"0420dcd9f2f38473ad0e3d63740fb813f486ee3ac7ccc750bd6c2b38381d2b25"
	"aa75";

/* ---- X.224 ---- */

Test(rdp_wire, build_cr)
{
	/* TPKT, LI, CR, refs, class, cookie line, RDP_NEG_REQ(SSL) */
	static const char want[] =
		"0300002e29e00000000000436f6f6b69653a206d737473686173683d"
		"6578706f737572650d0a0100080001000000";
	uint8_t b[128], w[128];
	size_t n = 0, wn = unhex(want, w, sizeof(w));

	cr_assert_eq(
		rdp_wire_build_cr(b, sizeof(b), "exposure", RDP_PROTO_SSL, &n),
		0);
	cr_assert_eq(n, wn);
	cr_assert_eq(memcmp(b, w, n), 0);
	cr_assert_eq(rdp_wire_build_cr(b, sizeof(b), NULL, RDP_PROTO_RDP, &n),
		     0);
	cr_assert_eq(n, 19);
	cr_assert_eq(b[4], 14);
	cr_assert_eq(rdp_wire_build_cr(b, sizeof(b), "a b", 0, &n),
		     EXPO_EINVAL);
	cr_assert_eq(rdp_wire_build_cr(b, 10, "x", 0, &n), EXPO_ETOOBIG);
}

Test(rdp_wire, cc_success)
{
	uint8_t b[64];
	size_t n = unhex(xrdp_cc, b, sizeof(b)), used = 0;
	struct rdp_cc cc;

	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), 0);
	cr_assert_eq(used, 19);
	cr_assert_eq(cc.kind, RDP_NEG_RSP);
	cr_assert_eq(cc.selected, RDP_PROTO_RDP);
	cr_assert_eq(cc.flags, 0x01);
	n = unhex(shadow_cc_hybrid, b, sizeof(b));
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), 0);
	cr_assert_eq(cc.kind, RDP_NEG_RSP);
	cr_assert_eq(cc.selected, RDP_PROTO_HYBRID);
	cr_assert_eq(cc.flags, 0x03);
}

Test(rdp_wire, cc_each_failure_code)
{
	uint8_t b[64];
	size_t n = unhex(shadow_cc_ssl, b, sizeof(b)), used = 0;
	uint32_t code;

	for (code = 1; code <= 6; code++) {
		struct rdp_cc cc;

		b[15] = (uint8_t)code;
		cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), 0);
		cr_assert_eq(cc.kind, RDP_NEG_FAILURE);
		cr_assert_eq(cc.failure, code);
	}
	cr_assert_str_eq(rdp_failure_name(5), "HYBRID_REQUIRED_BY_SERVER");
	cr_assert_str_eq(rdp_failure_name(2), "SSL_NOT_ALLOWED_BY_SERVER");
	cr_assert_str_eq(rdp_failure_name(99), "unknown");
}

Test(rdp_wire, cc_no_negotiation_data)
{
	uint8_t b[64];
	size_t n = unhex(xp_cc, b, sizeof(b)), used = 0;
	struct rdp_cc cc;

	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), 0);
	cr_assert_eq(cc.kind, RDP_NEG_NONE);
	cr_assert_eq(used, 11);
}

Test(rdp_wire, cc_truncated)
{
	uint8_t b[64];
	size_t n = unhex(xrdp_cc, b, sizeof(b)), used = 0, cut;
	struct rdp_cc cc;

	for (cut = 0; cut < n; cut++)
		cr_assert_eq(rdp_wire_cc(b, cut, &cc, &used), RDP_WIRE_MORE,
			     "cut at %zu", cut);
}

Test(rdp_wire, cc_lying_lengths)
{
	uint8_t b[64];
	size_t n = unhex(xrdp_cc, b, sizeof(b)), used = 0;
	struct rdp_cc cc;

	/* TPKT length far beyond any confirm */
	b[2] = 0x01;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_ETOOBIG);
	b[2] = 0xff;
	b[3] = 0xff;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_ETOOBIG);
	/* TPKT length shorter than the X.224 length indicator says */
	n = unhex(xrdp_cc, b, sizeof(b));
	b[3] = 0x12;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	/* longer than the data that came: incomplete, never read past */
	b[3] = 0x20;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), RDP_WIRE_MORE);
	/* shorter than a TPDU, and a bad version */
	b[3] = 0x05;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	n = unhex(xrdp_cc, b, sizeof(b));
	b[0] = 4;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	/* LI says a partial negotiation block */
	n = unhex("0300000f0ad0000012340002010800", b, sizeof(b));
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	/* negotiation length field not 8, unknown type */
	n = unhex(xrdp_cc, b, sizeof(b));
	b[13] = 9;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	n = unhex(xrdp_cc, b, sizeof(b));
	b[11] = 7;
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPARSE);
	/* a disconnect request instead of a confirm */
	n = unhex("0300000b06800000123400", b, sizeof(b));
	cr_assert_eq(rdp_wire_cc(b, n, &cc, &used), EXPO_EPROTO);
}

/* ---- MCS ---- */

Test(rdp_wire, mcs_response_recorded)
{
	static uint8_t b[1024];
	size_t n = unhex(xrdp_mcs, b, sizeof(b)), used = 0, cut;
	struct rdp_mcs_rsp r;

	cr_assert_eq(n, 521);
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), 0);
	cr_assert_eq(used, 521);
	cr_assert_eq(r.result, 0);
	cr_assert(r.have_core);
	cr_assert_eq(r.version, 0x00080004);
	cr_assert(r.have_security);
	cr_assert_eq(r.enc_method, RDP_ENC_40BIT);
	cr_assert_eq(r.enc_level, RDP_LEVEL_LOW);
	cr_assert_str_eq(rdp_enc_method_name(r.enc_method), "40-bit RC4");
	cr_assert_str_eq(rdp_enc_level_name(r.enc_level), "Low");
	for (cut = 0; cut < n; cut += 7)
		cr_assert_eq(rdp_wire_mcs_rsp(b, cut, &r, &used), RDP_WIRE_MORE,
			     "cut at %zu", cut);
}

Test(rdp_wire, mcs_response_bad)
{
	static uint8_t b[1024];
	size_t n, used = 0;
	struct rdp_mcs_rsp r;

	/* a data block whose length runs past the user data */
	n = unhex(xrdp_mcs, b, sizeof(b));
	b[0x4b] = 0xff; /* SC_CORE length low byte (0x0c -> 0xff) */
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), EXPO_EPARSE);
	/* a BER length past the PDU */
	n = unhex(xrdp_mcs, b, sizeof(b));
	b[10] = 0x03;
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), EXPO_EPARSE);
	/* not a Connect-Response (Connect-Initial's tag) */
	n = unhex(xrdp_mcs, b, sizeof(b));
	b[8] = 0x65;
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), EXPO_EPROTO);
	/* an X.224 disconnect request */
	n = unhex("0300000b06800000000000", b, sizeof(b));
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), EXPO_EPARSE);
	/* refused: result 1 (rt-domain-merging), no user data needed */
	n = unhex("0300001002f0807f66060a0101020100", b, sizeof(b));
	b[3] = (uint8_t)n;
	cr_assert_eq(rdp_wire_mcs_rsp(b, n, &r, &used), 0);
	cr_assert_eq(r.result, 1);
	cr_assert_not(r.have_security);
}

Test(rdp_wire, mcs_connect_initial)
{
	uint8_t b[512];
	size_t n = 0, pdu = 0, i;
	bool duca = false, sec = false;

	cr_assert_eq(rdp_wire_build_mcs_ci(b, sizeof(b), RDP_PROTO_RDP, &n), 0);
	cr_assert_eq(rdp_wire_tpkt(b, n, RDP_TPKT_MAX, &pdu), 0);
	cr_assert_eq(pdu, n);
	cr_assert_eq(b[7], 0x7f);
	cr_assert_eq(b[8], 0x65);
	cr_assert_eq((size_t)(b[10] << 8 | b[11]), n - 12);
	for (i = 0; i + 4 <= n; i++) {
		if (memcmp(b + i, "Duca", 4) == 0)
			duca = true;
		/* CS_SECURITY with 40|128|56|FIPS */
		if (i + 8 <= n &&
		    memcmp(b + i, "\x02\xc0\x0c\x00\x1b\x00", 6) == 0)
			sec = true;
	}
	cr_assert(duca);
	cr_assert(sec);
	cr_assert_eq(rdp_wire_build_mcs_ci(b, 100, 0, &n), EXPO_ETOOBIG);
}

/* ---- CredSSP / NTLM ---- */

Test(rdp_wire, tsreq_ntlm_build)
{
	uint8_t b[128];
	size_t n = 0, total = 0;

	cr_assert_eq(rdp_wire_build_tsreq_ntlm(b, sizeof(b), &n), 0);
	cr_assert_eq(n, 57);
	cr_assert_eq(rdp_wire_der_total(b, n, RDP_TSREQ_MAX, &total), 0);
	cr_assert_eq(total, n);
	cr_assert_eq(memcmp(b + 17, "NTLMSSP\0\x01\0\0\0", 12), 0);
}

Test(rdp_wire, ntlm_challenge_recorded)
{
	uint8_t b[256];
	size_t n = unhex(shadow_tsreq, b, sizeof(b)), total = 0, cut;
	struct rdp_ntlm_info in;
	uint32_t code = 0;

	cr_assert_eq(rdp_wire_der_total(b, n, RDP_TSREQ_MAX, &total), 0);
	cr_assert_eq(total, n);
	cr_assert_eq(rdp_wire_tsreq_challenge(b, n, &in, &code), 0);
	cr_assert_str_eq(in.target_name, "VM");
	cr_assert_str_eq(in.nb_computer, "VM");
	cr_assert_str_eq(in.nb_domain, "VM");
	cr_assert_str_eq(in.dns_computer, "vm");
	cr_assert_str_eq(in.dns_domain, "vm");
	cr_assert_str_eq(in.dns_tree, "");
	cr_assert(in.have_version);
	cr_assert_eq(in.major, 6);
	cr_assert_eq(in.minor, 1);
	cr_assert_eq(in.build, 7601);
	for (cut = 0; cut < n; cut++)
		cr_assert_lt(rdp_wire_tsreq_challenge(b, cut, &in, &code), 0,
			     "cut at %zu", cut);
	cr_assert_eq(rdp_wire_der_total(b, 1, RDP_TSREQ_MAX, &total),
		     RDP_WIRE_MORE);
	cr_assert_eq(rdp_wire_der_total(b, n, 64, &total), EXPO_ETOOBIG);
}

Test(rdp_wire, ntlm_challenge_bad)
{
	uint8_t b[256];
	size_t n = unhex(shadow_tsreq, b, sizeof(b));
	const size_t tok = 0x12; /* "NTLMSSP" in the recording */
	struct rdp_ntlm_info in;
	uint32_t code = 0;

	cr_assert_eq(memcmp(b + tok, "NTLMSSP", 7), 0);
	/* TargetInfo offset beyond the message */
	b[tok + 44] = 0xf0;
	cr_assert_eq(rdp_wire_ntlm_challenge(b + tok, n - tok, &in),
		     EXPO_EPARSE);
	/* an AV pair longer than the target info */
	n = unhex(shadow_tsreq, b, sizeof(b));
	b[tok + 0x3c + 2] = 0x7f;
	cr_assert_eq(rdp_wire_ntlm_challenge(b + tok, n - tok, &in),
		     EXPO_EPARSE);
	/* type 1, not 2 */
	n = unhex(shadow_tsreq, b, sizeof(b));
	b[tok + 8] = 1;
	cr_assert_eq(rdp_wire_ntlm_challenge(b + tok, n - tok, &in),
		     EXPO_EPARSE);
	/* a TSRequest with only an errorCode (0xc000006d) */
	n = unhex("300ea003020106a407020500c000006d", b, sizeof(b));
	cr_assert_eq(rdp_wire_tsreq_challenge(b, n, &in, &code), EXPO_EPROTO);
	cr_assert_eq(code, 0xc000006d);
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
	cr_assert_eq(target_addr_parse(&f->addr, "127.0.50.1"), 0);
	f->target.id = strdup("list:127.0.50.1");
	f->target.provider = "list";
	f->target.addrs = &f->addr;
	f->target.naddrs = 1;
	f->ctx = ctx_new(&check_rdp, &f->cfg, &f->target, &f->addr, 3389, NULL);
	cr_assert_not_null(f->ctx);
	f->facts = cJSON_Parse(json);
	cr_assert_not_null(f->facts, "bad fixture JSON");
	cr_assert_eq(check_rdp.assess(f->facts, f->ctx), 0);
}

static void fixture_release(struct fixture *f)
{
	ctx_free(f->ctx);
	cJSON_Delete(f->facts);
	free(f->target.id);
}

static void expect_rules(struct check_ctx *ctx, const char *want)
{
	struct finding_list *l = ctx_findings(ctx);
	const char *ids[8];
	char out[256];
	size_t i, j, n = l->n < 8 ? l->n : 8;

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

/* xrdp, security_layer=rdp crypt_level=low */
static const char xrdp_facts[] =
	"{\"ssl_probe\":{\"response\":\"rsp\",\"selected_value\":0,"
	"\"selected\":\"RDP\",\"flags\":1},"
	"\"rdp_probe\":{\"response\":\"rsp\",\"selected_value\":0,"
	"\"selected\":\"RDP\",\"flags\":1},"
	"\"mcs\":{\"result\":0,\"version\":524292,\"enc_method_value\":1,"
	"\"enc_method\":\"40-bit RC4\",\"enc_level_value\":1,"
	"\"enc_level\":\"Low\"},"
	"\"hybrid_probe\":{\"response\":\"rsp\",\"selected_value\":0,"
	"\"selected\":\"RDP\",\"flags\":1}}";

Test(rdp_assess, xrdp_legacy)
{
	struct fixture f;
	const struct finding *s;

	fixture_init(&f, xrdp_facts, false);
	expect_rules(f.ctx, "rdp.nla_not_required,rdp.standard_security");
	s = find_rule(f.ctx, "rdp.standard_security");
	cr_assert_not_null(strstr(s->evidence, "40-bit RC4"));
	cr_assert_not_null(strstr(s->evidence, "level Low"));
	cr_assert_not_null(strstr(s->evidence, "WEAK"));
	s = find_rule(f.ctx, "rdp.nla_not_required");
	cr_assert_not_null(strstr(s->evidence, "selected RDP"));
	fixture_release(&f);
}

Test(rdp_assess, tls_without_nla_high_encryption_not_weak)
{
	struct fixture f;
	const struct finding *s;

	fixture_init(
		&f,
		"{\"ssl_probe\":{\"response\":\"rsp\",\"selected_value\":1,"
		"\"selected\":\"SSL\",\"flags\":31},"
		"\"rdp_probe\":{\"response\":\"rsp\",\"selected_value\":0,"
		"\"selected\":\"RDP\",\"flags\":31},"
		"\"mcs\":{\"result\":0,\"enc_method_value\":2,"
		"\"enc_method\":\"128-bit RC4\",\"enc_level_value\":2,"
		"\"enc_level\":\"Client Compatible\"},"
		"\"hybrid_probe\":{\"response\":\"rsp\",\"selected_value\":2,"
		"\"selected\":\"HYBRID\",\"flags\":31},"
		"\"ntlm\":{\"netbios_computer\":\"WIN-ABC\","
		"\"dns_computer\":\"win-abc.corp.local\","
		"\"os_version\":\"10.0.17763\"}}",
		false);
	expect_rules(f.ctx, "rdp.nla_not_required,rdp.standard_security");
	s = find_rule(f.ctx, "rdp.standard_security");
	cr_assert_null(strstr(s->evidence, "WEAK"));
	s = find_rule(f.ctx, "rdp.nla_not_required");
	cr_assert_not_null(strstr(s->evidence, "selected SSL"));
	cr_assert_not_null(strstr(s->evidence, "offered but not required"));
	cr_assert_not_null(strstr(s->evidence, "WIN-ABC"));
	cr_assert_not_null(strstr(s->evidence, "10.0.17763"));
	fixture_release(&f);
}

Test(rdp_assess, nla_enforced_clean)
{
	struct fixture f;

	fixture_init(
		&f,
		"{\"ssl_probe\":{\"response\":\"failure\","
		"\"failure_code\":5,"
		"\"failure\":\"HYBRID_REQUIRED_BY_SERVER\"},"
		"\"rdp_probe\":{\"response\":\"failure\","
		"\"failure_code\":5},"
		"\"hybrid_probe\":{\"response\":\"rsp\",\"selected_value\":2,"
		"\"selected\":\"HYBRID\",\"flags\":3},"
		"\"canary_result\":\"refused\",\"attempts\":27}",
		false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
}

Test(rdp_assess, nla_weak_credentials)
{
	struct fixture f;
	const struct finding *w;

	fixture_init(&f,
		     "{\"ssl_probe\":{\"response\":\"failure\","
		     "\"failure_code\":5},"
		     "\"rdp_probe\":{\"response\":\"failure\","
		     "\"failure_code\":5},"
		     "\"ntlm\":{\"netbios_computer\":\"VM\"},"
		     "\"logins\":[{\"user\":\"labweak\",\"password\":"
		     "\"Password1\",\"password_expired\":false}]}",
		     false);
	expect_rules(f.ctx, "rdp.weak_credentials");
	w = find_rule(f.ctx, "rdp.weak_credentials");
	cr_assert_not_null(strstr(w->evidence, "labweak"));
	cr_assert_null(strstr(w->evidence, "Password1"));
	cr_assert_str_eq(w->secret, "<redacted>");
	cr_assert_not_null(strstr(w->evidence, "NetBIOS name VM"));
	fixture_release(&f);
	fixture_init(&f,
		     "{\"ssl_probe\":{\"response\":\"failure\","
		     "\"failure_code\":5},"
		     "\"logins\":[{\"user\":\"labweak\",\"password\":"
		     "\"Password1\"}]}",
		     true);
	w = find_rule(f.ctx, "rdp.weak_credentials");
	cr_assert_str_eq(w->secret, "labweak:Password1");
	fixture_release(&f);
}

Test(rdp_assess, canary_accepted)
{
	struct fixture f;
	const struct finding *w;

	fixture_init(&f,
		     "{\"ssl_probe\":{\"response\":\"failure\","
		     "\"failure_code\":5},\"accepts_any_credential\":true,"
		     "\"canary_user\":\"xqabc\",\"canary_password\":\"Czdef\"}",
		     false);
	expect_rules(f.ctx, "rdp.weak_credentials");
	w = find_rule(f.ctx, "rdp.weak_credentials");
	cr_assert_not_null(strstr(w->evidence, "any user"));
	cr_assert_null(strstr(w->evidence, "Czdef"));
	fixture_release(&f);
}

Test(rdp_assess, no_negotiation_data)
{
	struct fixture f;
	const struct finding *n;

	fixture_init(&f,
		     "{\"ssl_probe\":{\"response\":\"none\"},"
		     "\"rdp_probe\":{\"response\":\"none\"},"
		     "\"mcs\":{\"error\":\"malformed MCS Connect Response\"}}",
		     false);
	expect_rules(f.ctx, "rdp.nla_not_required,rdp.standard_security");
	n = find_rule(f.ctx, "rdp.nla_not_required");
	cr_assert_not_null(strstr(n->evidence, "no negotiation data"));
	fixture_release(&f);
}

Test(rdp_assess, ssl_not_allowed_and_tls_only)
{
	struct fixture f;

	/* failure 2 to SSL: standard security only */
	fixture_init(&f,
		     "{\"ssl_probe\":{\"response\":\"failure\","
		     "\"failure_code\":2},"
		     "\"rdp_probe\":{\"response\":\"rsp\",\"selected_value\":0,"
		     "\"flags\":0}}",
		     false);
	expect_rules(f.ctx, "rdp.nla_not_required,rdp.standard_security");
	fixture_release(&f);
	/* TLS without NLA, RDP refused with failure 1 */
	fixture_init(
		&f,
		"{\"ssl_probe\":{\"response\":\"rsp\",\"selected_value\":1,"
		"\"selected\":\"SSL\",\"flags\":0},"
		"\"rdp_probe\":{\"response\":\"failure\","
		"\"failure_code\":1}}",
		false);
	expect_rules(f.ctx, "rdp.nla_not_required");
	fixture_release(&f);
	/* nothing known (the first probe failed): no verdict */
	fixture_init(&f, "{\"ssl_probe\":{\"error\":\"reset\"}}", false);
	expect_rules(f.ctx, "");
	fixture_release(&f);
}

Test(rdp_assess, module_contract)
{
	size_t i;

	cr_assert_eq(check_rdp.default_max_attempts, 3);
	cr_assert_eq(check_rdp.max_parallel, 1);
	cr_assert_not_null(check_rdp.run);
	cr_assert_not_null(check_rdp.step);
	cr_assert_eq(check_rdp.nrules, 3);
	for (i = 0; i < check_rdp.nrules; i++)
		cr_assert_not_null(
			check_rule(&check_rdp, check_rdp.rules[i].id));
	cr_assert(check_rule(&check_rdp, "rdp.weak_credentials")->flags &
		  CHECK_LOGIN);
}

/* ---- the login watchdog cuts its own connection only ---- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* another probe's connection to the same address and port, open while a
 * FreeRDP login times out there: the watchdog must leave it alone */
Test(rdp_login, watchdog_cuts_only_its_own_connection, .timeout = 30)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct fake_server s;
	enum rdp_login_outcome r;
	char why[256], c;
	int other, fds;

	fake_start(&s, FAKE_SILENT, 2);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(s.port);
	other = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(other >= 0);
	cr_assert_eq(connect(other, (struct sockaddr *)&a, sizeof(a)), 0);
	/* once first: the libraries keep descriptors of their own */
	rdp_login_try("127.0.0.1", 1, "u", "p", 200, why, sizeof(why));
	fds = open_fds();
	r = rdp_login_try("127.0.0.1", s.port, "u", "p", 500, why, sizeof(why));
	if (r == RDP_LOGIN_UNAVAILABLE) {
		close(other);
		fake_stop(&s);
		cr_skip_test("no FreeRDP: %s", why);
	}
	cr_expect_eq(r, RDP_LOGIN_TIMEOUT, "%d: %s", (int)r, why);
	/* neither our connection nor FreeRDP's duplicate of it is left */
	cr_expect_eq(open_fds(), fds);
	/* still connected: nothing to read yet, neither EOF nor error */
	errno = 0;
	cr_expect_eq(recv(other, &c, 1, MSG_DONTWAIT), -1);
	cr_expect(errno == EAGAIN || errno == EWOULDBLOCK, "%s",
		  strerror(errno));
	cr_expect_eq(send(other, "x", 1, MSG_NOSIGNAL), 1, "%s",
		     strerror(errno));
	close(other);
	fake_stop(&s);
}

/* WinPR's logger honours WLOG_FILTER for its child loggers; whatever
 * their level, nothing may reach stdout (the report) or stderr: the root
 * appender is ours (escaped, -v only) */
Test(rdp_login, freerdp_prints_nothing_even_with_wlog_filter, .timeout = 30)
{
	struct fake_server s;
	char path[] = "/tmp/expo-wlog-XXXXXX", why[256], buf[4096];
	int fd, out, err;
	ssize_t n;

	setenv("WLOG_FILTER", "com.freerdp.*:TRACE,com.winpr.*:TRACE", 1);
	setenv("WLOG_LEVEL", "TRACE", 1);
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	fflush(stdout);
	fflush(stderr);
	out = dup(1);
	err = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	fake_start(&s, FAKE_SILENT, 2);
	rdp_login_try("127.0.0.1", s.port, "u", "p", 400, why, sizeof(why));
	rdp_login_try("127.0.0.1", 1, "u", "p", 400, why, sizeof(why));
	fake_stop(&s);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	cr_assert_geq(n, 0);
	buf[n] = '\0';
	cr_expect_eq(n, 0, "printed:\n%s", buf);
}
