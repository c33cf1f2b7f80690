/*
 * test_ftp_telnet.c - the FTP reply, passive-port and listing parsers on
 * what the lab's vsftpd 3.0.3 sends and on constructed replies (partial,
 * garbage, over the bounds); the Telnet negotiation (answers once per
 * option, nothing of ours enabled, the endless server cut off) and the
 * login verdicts on what the lab's inetutils telnetd 2.4 and login(1)
 * send; ftp and telnet assess() on facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "expo.h"
#include "raw/ftp_wire.h"
#include "raw/telnet_wire.h"
#include "rawapi_fixture.h"

extern const struct check check_ftp, check_telnet;

/* vsftpd 3.0.3's answer to STAT / on the lab's anonymous-write server */
static const char vsftpd_stat[] =
	"213-Status follows:\r\n"
	"drwxr-xr-x    4 0        0            4096 Dec 06 10:15 .\r\n"
	"drwxr-xr-x    4 0        0            4096 Dec 06 10:15 ..\r\n"
	"drwxr-xr-x    2 0        0            4096 Dec 06 10:15 pub\r\n"
	"drwxr-xr-x    2 111      114          4096 Dec 06 10:15 upload\r\n"
	"213 End of status\r\n"
	"229 Entering Extended Passive Mode (|||30077|)\r\n";

Test(ftp_wire, single_and_multi_line)
{
	struct ftp_reply r;
	size_t used = 0, first;
	struct ftp_entry e;
	const char *b;

	cr_assert_eq(ftp_wire_reply("220 (vsFTPd 3.0.3)\r\n331 x\r\n", 28, &r,
				    &used),
		     0);
	cr_expect_eq(r.code, 220);
	cr_expect_str_eq(r.text, "(vsFTPd 3.0.3)");
	cr_expect_eq(used, 20);
	cr_expect_eq(r.body_len, 0);

	cr_assert_eq(
		ftp_wire_reply(vsftpd_stat, sizeof(vsftpd_stat) - 1, &r, &used),
		0);
	cr_expect_eq(r.code, 213);
	cr_expect_str_eq(r.text, "Status follows:");
	cr_expect_eq(r.lines, 6);
	b = vsftpd_stat + r.body_off;
	cr_expect_eq(strncmp(b, "drwxr-xr-x    4 0", 17), 0);
	cr_expect_eq(strncmp(b + r.body_len, "213 End", 7), 0);
	first = used;
	cr_assert_eq(ftp_wire_reply(vsftpd_stat + first,
				    sizeof(vsftpd_stat) - 1 - first, &r, &used),
		     0);
	cr_expect_eq(r.code, 229);
	cr_expect_eq(first + used, sizeof(vsftpd_stat) - 1);
	/* a listing line of the body */
	b = strstr(vsftpd_stat, "drwxr-xr-x    2 111");
	cr_assert_not_null(b);
	cr_assert_eq(ftp_wire_entry(b, (size_t)(strchr(b, '\n') - b), &e), 0);
	cr_expect_str_eq(e.name, "upload");
}

Test(ftp_wire, partial_garbage_and_bounds)
{
	struct ftp_reply r;
	size_t used = 0;
	char *big;

	cr_expect_eq(ftp_wire_reply("22", 2, &r, &used), FTP_WIRE_MORE);
	cr_expect_eq(ftp_wire_reply("220 still coming", 16, &r, &used),
		     FTP_WIRE_MORE);
	/* a multi-line reply without its last line */
	cr_expect_eq(ftp_wire_reply("213-a\r\nb\r\n213-c\r\n", 17, &r, &used),
		     FTP_WIRE_MORE);
	/* another code's space line does not end it */
	cr_expect_eq(ftp_wire_reply("213-a\r\n226 b\r\n", 14, &r, &used),
		     FTP_WIRE_MORE);
	cr_expect_eq(ftp_wire_reply("SSH-2.0-OpenSSH_9.9\r\n", 21, &r, &used),
		     EXPO_EPROTO);
	cr_expect_eq(ftp_wire_reply("SSH-", 4, &r, &used), EXPO_EPROTO);
	cr_expect_eq(ftp_wire_reply("999 x\r\n", 7, &r, &used), EXPO_EPROTO);
	cr_expect_eq(ftp_wire_reply("2200 x\r\n", 8, &r, &used), EXPO_EPROTO);
	/* a bare code is a whole reply */
	cr_expect_eq(ftp_wire_reply("226\r\n", 5, &r, &used), 0);
	cr_expect_eq(r.code, 226);
	/* a line over FTP_LINE_MAX without LF */
	big = malloc(FTP_LINE_MAX + 10);
	cr_assert_not_null(big);
	memset(big, 'a', FTP_LINE_MAX + 10);
	memcpy(big, "220 ", 4);
	cr_expect_eq(ftp_wire_reply(big, FTP_LINE_MAX + 10, &r, &used),
		     EXPO_ETOOBIG);
	free(big);
	/* control bytes in the text are not copied as they are */
	cr_assert_eq(ftp_wire_reply("220 a\x1b[2Jb\r\n", 12, &r, &used), 0);
	cr_expect_str_eq(r.text, "a?[2Jb");
}

Test(ftp_wire, passive_ports)
{
	uint16_t port = 0;

	cr_assert_eq(ftp_wire_epsv_port("Entering Extended Passive Mode "
					"(|||30077|)",
					&port),
		     0);
	cr_expect_eq(port, 30077);
	cr_expect_eq(ftp_wire_epsv_port("(!!!21!)", &port), 0);
	cr_expect_eq(port, 21);
	cr_expect_eq(ftp_wire_epsv_port("(|||0|)", &port), EXPO_EPARSE);
	cr_expect_eq(ftp_wire_epsv_port("(|||70000|)", &port), EXPO_EPARSE);
	cr_expect_eq(ftp_wire_epsv_port("(|||123", &port), EXPO_EPARSE);
	cr_expect_eq(ftp_wire_epsv_port("(||30077|)", &port), EXPO_EPARSE);
	cr_expect_eq(ftp_wire_epsv_port("no parenthesis", &port), EXPO_EPARSE);
	/* the address of a 227 is not used: only the port is read */
	cr_assert_eq(ftp_wire_pasv_port("Entering Passive Mode "
					"(10,0,0,1,117,49).",
					&port),
		     0);
	cr_expect_eq(port, 117 * 256 + 49);
	cr_expect_eq(ftp_wire_pasv_port("=127,0,84,1,4,1", &port), 0);
	cr_expect_eq(port, 1025);
	cr_expect_eq(ftp_wire_pasv_port("(127,0,84,1,256,1)", &port),
		     EXPO_EPARSE);
	cr_expect_eq(ftp_wire_pasv_port("(127,0,84,1,0,0)", &port),
		     EXPO_EPARSE);
	cr_expect_eq(ftp_wire_pasv_port("(127,0,84,1,4)", &port), EXPO_EPARSE);
}

Test(ftp_wire, listing_lines)
{
	struct ftp_entry e;
	const char *l;

	l = "drwxr-xr-x    2 111      114          4096 Dec 06 10:15 upload";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect_str_eq(e.name, "upload");
	cr_expect(e.is_dir);
	cr_expect(!e.dot);
	l = "-rw-r--r--    1 0 0 27 Dec 06 10:15 read me.txt\r";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect_str_eq(e.name, "read me.txt");
	cr_expect(!e.is_dir);
	l = "lrwxrwxrwx    1 0 0 4 Dec 06 10:15 latest -> pub";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect_str_eq(e.name, "latest");
	l = "drwxr-xr-x    4 0        0            4096 Dec 06 10:15 ..";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect(e.dot);
	l = "12-06-26  10:15AM       <DIR>          incoming";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect_str_eq(e.name, "incoming");
	cr_expect(e.is_dir);
	l = "12-06-26  10:15AM                 1234 notes.txt";
	cr_assert_eq(ftp_wire_entry(l, strlen(l), &e), 0);
	cr_expect_str_eq(e.name, "notes.txt");
	cr_expect(!e.is_dir);
	cr_assert_eq(ftp_wire_entry("pub", 3, &e), 0); /* NLST */
	cr_expect_str_eq(e.name, "pub");
	cr_expect_eq(ftp_wire_entry("total 8", 7, &e), EXPO_EPARSE);
	cr_expect_eq(ftp_wire_entry("  \r", 3, &e), EXPO_EPARSE);
	l = "drwxr-xr-x 2 0 0";
	cr_expect_eq(ftp_wire_entry(l, strlen(l), &e), EXPO_EPARSE);
}

/* ---- telnet ---- */

/* what the lab's inetutils telnetd 2.4 sends first */
static const uint8_t telnetd_hello[] = {
	255, 251, 37,  255, 251, 38,  255, 253, 24,  255, 253,
	32,  255, 253, 35,  255, 253, 39,  255, 253, 36,
};

struct feed {
	struct telnet_state t;
	char text[TELNET_TEXT_MAX];
	size_t tlen;
	uint8_t reply[TELNET_REPLY_MAX];
	size_t rlen;
};

static int feed(struct feed *f, const void *in, size_t n)
{
	f->rlen = 0;
	return telnet_wire_feed(&f->t, in, n, f->text, &f->tlen,
				sizeof(f->text), f->reply, &f->rlen,
				sizeof(f->reply));
}

Test(telnet_wire, answers_each_option_once)
{
	static const uint8_t echo_sga[] = { 255, 251, 1, 255, 251, 3,
					    255, 251, 1, 255, 253, 24 };
	static const uint8_t want[] = {
		255, 252, 24,  255, 252, 32,  255, 252, 35,  255, 252,
		39,  255, 252, 36,  255, 254, 37,  255, 254, 38,
	};
	struct feed *f = calloc(1, sizeof(*f));
	size_t i, k;
	bool seen;

	cr_assert_not_null(f);
	telnet_wire_init(&f->t);
	cr_assert_eq(feed(f, telnetd_hello, sizeof(telnetd_hello)), 0);
	cr_expect_eq(f->tlen, 0);
	cr_assert_eq(f->rlen, sizeof(want));
	/* every DO refused with WONT (NEW-ENVIRON 39 too), WILL with DONT */
	for (i = 0; i < sizeof(want); i += 3) {
		seen = false;
		for (k = 0; k < f->rlen; k += 3)
			seen |= memcmp(f->reply + k, want + i, 3) == 0;
		cr_expect(seen, "answer %u %u missing", want[i + 1],
			  want[i + 2]);
	}
	/* the same again: no answer (no loop) */
	cr_assert_eq(feed(f, telnetd_hello, sizeof(telnetd_hello)), 0);
	cr_expect_eq(f->rlen, 0);
	/* ECHO and SGA accepted once, the repeated WILL ECHO not answered,
	 * the repeated DO TTYPE neither */
	cr_assert_eq(feed(f, echo_sga, sizeof(echo_sga)), 0);
	cr_assert_eq(f->rlen, 6);
	cr_expect_eq(memcmp(f->reply, "\xff\xfd\x01\xff\xfd\x03", 6), 0);
	free(f);
}

Test(telnet_wire, text_cr_nul_sb_and_split_sequences)
{
	static const char in[] = "a\r\0b\r\nc\xff\xff"
				 "d\xff\xfa\x18\x01\xff\xf0"
				 "e\xff\xf1";
	struct feed *f = calloc(1, sizeof(*f));
	size_t i;

	cr_assert_not_null(f);
	telnet_wire_init(&f->t);
	/* one byte at a time, as the worst reads would bring it */
	for (i = 0; i < sizeof(in) - 1; i++)
		cr_assert_eq(feed(f, in + i, 1), 0);
	cr_assert_eq(f->tlen, 8);
	cr_expect_eq(memcmp(f->text,
			    "a\nb\nc\xff"
			    "de",
			    8),
		     0);
	free(f);
}

Test(telnet_wire, endless_negotiation_and_subnegotiation)
{
	struct feed *f = calloc(1, sizeof(*f));
	uint8_t burst[3 * 300];
	size_t i;
	int err = 0;

	cr_assert_not_null(f);
	telnet_wire_init(&f->t);
	for (i = 0; i < 300; i++) {
		burst[3 * i] = 255;
		burst[3 * i + 1] = i & 1 ? 251 : 253;
		burst[3 * i + 2] = (uint8_t)(i >> 1);
	}
	err = feed(f, burst, sizeof(burst));
	cr_expect_eq(err, TELNET_WIRE_ENDLESS);
	cr_expect_eq(f->t.commands, TELNET_MAX_COMMANDS + 1);
	/* a subnegotiation that never ends */
	telnet_wire_init(&f->t);
	memset(burst, 'x', sizeof(burst));
	burst[0] = 255;
	burst[1] = 250;
	cr_expect_eq(feed(f, burst, sizeof(burst)), TELNET_WIRE_ENDLESS);
	free(f);
}

Test(telnet_wire, text_keeps_its_newest_half)
{
	struct feed *f = calloc(1, sizeof(*f));
	char chunk[1000];
	size_t i;

	cr_assert_not_null(f);
	telnet_wire_init(&f->t);
	memset(chunk, 'm', sizeof(chunk));
	for (i = 0; i < 20; i++)
		cr_assert_eq(feed(f, chunk, sizeof(chunk)), 0);
	cr_assert_eq(feed(f, "\r\nvm login: ", 12), 0);
	cr_expect_leq(f->tlen, TELNET_TEXT_MAX);
	cr_expect_eq(telnet_wire_verdict(f->text, f->tlen, TELNET_BEFORE_USER),
		     TELNET_LOGIN);
	free(f);
}

#define V(s, st) telnet_wire_verdict(s, strlen(s), st)

Test(telnet_wire, verdicts)
{
	char line[32];

	/* what telnetd and login(1) showed in the lab */
	cr_expect_eq(V("\nLinux 6.1 (localhost) (pts/0)\n\nvm login: ",
		       TELNET_BEFORE_USER),
		     TELNET_LOGIN);
	cr_expect_eq(V("\nLinux 6.1 (localhost) (pts/0)\n", TELNET_BEFORE_USER),
		     TELNET_MORE);
	cr_expect_eq(V("admin\nPassword: ", TELNET_AFTER_USER),
		     TELNET_PASSWORD);
	cr_expect_eq(
		V("\n\nLogin incorrect\nvm login: ", TELNET_AFTER_PASSWORD),
		TELNET_FAILED);
	cr_expect_eq(V("\n\nLogin incorrect\n", TELNET_AFTER_PASSWORD),
		     TELNET_FAILED);
	cr_expect_eq(V("\nLinux vm 6.1.0 #1 SMP Debian\n\nThe programs "
		       "included with the Debian GNU/Linux system are free "
		       "software;\n$ ",
		       TELNET_AFTER_PASSWORD),
		     TELNET_SHELL);
	cr_expect_eq(V("\nLast login: Sun Dec  6 10:30:17 UTC 2026 from "
		       "127.0.0.1 on pts/1\nThere were 3 failed login "
		       "attempts since the last successful login.\n",
		       TELNET_AFTER_PASSWORD),
		     TELNET_SHELL);
	/* other servers' shells and prompts */
	cr_expect_eq(V("\nBusyBox v1.36.1 built-in shell (ash)\n~ # ",
		       TELNET_AFTER_PASSWORD),
		     TELNET_SHELL);
	cr_expect_eq(V("\nRouter>", TELNET_AFTER_PASSWORD), TELNET_SHELL);
	cr_expect_eq(V("\nUsername: ", TELNET_BEFORE_USER), TELNET_LOGIN);
	cr_expect_eq(V("\nPassword: ", TELNET_BEFORE_USER), TELNET_PASSWORD);
	cr_expect_eq(V("\nPassword: ", TELNET_AFTER_PASSWORD), TELNET_FAILED);
	cr_expect_eq(V("\n% Authentication failed\n#", TELNET_AFTER_PASSWORD),
		     TELNET_FAILED);
	cr_expect_eq(
		V("\nYour account has been locked\n", TELNET_AFTER_PASSWORD),
		TELNET_LOCKED);
	/* no success without a sign of it: nothing, or only a banner */
	cr_expect_eq(V("", TELNET_AFTER_PASSWORD), TELNET_MORE);
	cr_expect_eq(V("\n\nWelcome\n", TELNET_AFTER_PASSWORD), TELNET_MORE);
	/* a prompt character in a long line is not a prompt */
	memset(line, 0, sizeof(line));
	cr_expect_eq(
		V("\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx #",
		  TELNET_AFTER_PASSWORD),
		TELNET_MORE);
	/* before the user name, a shell-like text is no verdict */
	cr_expect_eq(V("\n$ ", TELNET_BEFORE_USER), TELNET_MORE);
	telnet_wire_last_line("a\nvm login: \n\n", 14, line, sizeof(line));
	cr_expect_str_eq(line, "vm login:");
	telnet_wire_last_line("\n  $\x1b ", 6, line, sizeof(line));
	cr_expect_str_eq(line, "$?");
}

/* ---- assess ---- */

Test(ftp_assess, anonymous_login_and_write)
{
	struct rawfix f;
	const struct finding *x;
	struct finding_list *l;
	size_t i;
	bool login = false, write = false;

	rawfix_run(&f, &check_ftp, 21,
		   "{\"greeting\":\"220 (vsFTPd 3.0.3)\",\"anonymous\":true,"
		   "\"login_reply\":\"230 Login successful.\","
		   "\"listing\":[\"pub\",\"upload\"],\"entries\":2}",
		   false);
	x = rawfix_one(&f, "ftp.anonymous_login");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "2 entries: pub, upload") != NULL, "%s",
		  x->evidence);
	cr_expect(strstr(x->evidence, "vsFTPd 3.0.3") != NULL, "%s",
		  x->evidence);
	rawfix_release(&f);

	rawfix_run(&f, &check_ftp, 21,
		   "{\"anonymous\":true,\"entries\":1,\"listing\":[\"pub\"],"
		   "\"write\":{\"refused\":[\"STOR x: 553 Could not create "
		   "file.\"],\"stored\":\"upload/exposure-write-test-x\","
		   "\"deleted\":false,\"delete_reply\":\"550 Permission "
		   "denied.\"}}",
		   false);
	l = ctx_findings(f.ctx);
	cr_assert_eq(l->n, 2);
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].rule_id, "ftp.anonymous_login") == 0)
			login = true;
		if (strcmp(l->v[i].rule_id, "ftp.anonymous_write") == 0) {
			write = true;
			cr_expect(strstr(l->v[i].evidence,
					 "upload/exposure-write-test-x") &&
					  strstr(l->v[i].evidence,
						 "remove it by hand"),
				  "%s", l->v[i].evidence);
		}
	}
	cr_expect(login && write);
	rawfix_release(&f);
}

Test(ftp_assess, negatives)
{
	static const char *const cases[] = {
		"{\"greeting\":\"220 (vsFTPd 3.0.3)\",\"anonymous\":false,"
		"\"login_reply\":\"530 Login incorrect.\"}",
		"{\"greeting\":\"421 Service not available\"}",
		/* a write without a login cannot be: nothing reported */
		"{\"write\":{\"stored\":\"x\",\"deleted\":true}}",
		"{}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_ftp, 21, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}

Test(ftp_assess, unlisted_top_directory)
{
	struct rawfix f;
	const struct finding *x;

	rawfix_run(&f, &check_ftp, 21,
		   "{\"anonymous\":true,\"list_refused\":\"502 no\"}", false);
	x = rawfix_one(&f, "ftp.anonymous_login");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "not listed") != NULL, "%s", x->evidence);
	rawfix_release(&f);
}

Test(telnet_assess, prompt_and_logins)
{
	struct rawfix f;
	struct finding_list *l;
	const struct finding *x;
	size_t i;
	bool cred = false;

	rawfix_run(&f, &check_telnet, 23,
		   "{\"login_prompt\":true,\"prompt\":\"vm login:\","
		   "\"negotiated\":16}",
		   false);
	x = rawfix_one(&f, "telnet.cleartext_login");
	cr_assert_not_null(x);
	cr_expect(strstr(x->evidence, "\"vm login:\"") != NULL, "%s",
		  x->evidence);
	rawfix_release(&f);

	rawfix_run(&f, &check_telnet, 23,
		   "{\"login_prompt\":true,\"prompt\":\"vm login:\","
		   "\"negotiated\":16,\"logins\":[{\"user\":\"admin\","
		   "\"password\":\"admin\",\"password_asked\":true,"
		   "\"last_login\":false,\"proof\":\"$\"}]}",
		   false);
	l = ctx_findings(f.ctx);
	cr_assert_eq(l->n, 2);
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].rule_id, "telnet.default_credentials"))
			continue;
		cred = true;
		cr_expect(strstr(l->v[i].evidence, "admin (default password; "
						   "shell prompt \"$\")"),
			  "%s", l->v[i].evidence);
		/* the password is a secret, redacted unless --show-secrets */
		cr_expect(strstr(l->v[i].evidence, "admin:admin") == NULL);
	}
	cr_expect(cred);
	rawfix_release(&f);

	rawfix_run(&f, &check_telnet, 23,
		   "{\"login_prompt\":true,\"prompt\":\"login:\","
		   "\"accepts_any\":true,\"canary_user\":\"xpabc\","
		   "\"canary_password\":\"s3cret\",\"proof\":\"#\"}",
		   false);
	cr_expect_eq(rawfix_count(&f), 2);
	rawfix_release(&f);
}

Test(telnet_assess, negatives)
{
	static const char *const cases[] = {
		"{}",
		"{\"negotiated\":257}",
		/* logins without a prompt recorded cannot be */
		"{\"logins\":[{\"user\":\"a\",\"password\":\"b\"}]}",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rawfix f;

		rawfix_run(&f, &check_telnet, 23, cases[i], false);
		cr_expect_eq(rawfix_count(&f), 0, "%s", cases[i]);
		rawfix_release(&f);
	}
}

Test(ftp_telnet, rules_and_flags)
{
	cr_expect_eq(check_rule(&check_ftp, "ftp.anonymous_write")->flags,
		     CHECK_INTRUSIVE);
	cr_expect_eq(check_rule(&check_ftp, "ftp.anonymous_login")->flags, 0);
	cr_expect(check_ftp.flags == 0, "anonymous FTP is not a guess");
	cr_expect(check_telnet.flags & CHECK_LOGIN);
	cr_expect_eq(
		check_rule(&check_telnet, "telnet.default_credentials")->flags,
		CHECK_LOGIN);
	cr_expect_eq(check_telnet.default_max_attempts, 3);
	cr_expect_eq(check_telnet.ports[0], 23);
	cr_expect_eq(check_ftp.ports[0], 21);
}
