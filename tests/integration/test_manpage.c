/*
 * The man page (docs/exposure.1): man renders it without a warning, and
 * it names every option that `exposure --help` prints, so the two cannot
 * drift apart when an option is added.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAN_PAGE "docs/exposure.1"

/* the output of cmd (stderr folded in when fold); caller frees */
static char *capture(const char *cmd)
{
	size_t len = 0, cap = 1 << 20;
	char *out = calloc(1, cap + 1);
	FILE *p = popen(cmd, "r");
	size_t n;

	cr_assert(out != NULL && p != NULL, "cannot run %s", cmd);
	while ((n = fread(out + len, 1, cap - len, p)) > 0)
		len += n;
	pclose(p);
	return out;
}

Test(manpage, renders_without_warnings)
{
	char *warn = capture("MANWIDTH=80 man --warnings -l " MAN_PAGE
			     " 2>&1 >/dev/null");

	cr_assert_str_empty(warn, "man warns: %s", warn);
	free(warn);
}

Test(manpage, names_every_option_of_help)
{
	const char *bin = getenv("EXPO_BIN");
	char cmd[512], *help, *page, *p;
	int seen = 0;

	cr_assert(bin != NULL, "EXPO_BIN is not set");
	snprintf(cmd, sizeof(cmd), "%s --help", bin);
	help = capture(cmd);
	/* rendered without hyphenation or justification, so a long option
	 * is never split across lines */
	page = capture("MANWIDTH=200 man --nh --nj -l " MAN_PAGE
		       " 2>/dev/null");
	cr_assert(strlen(page) > 1000, "the man page did not render");
	for (p = help; (p = strstr(p, "--")) != NULL;) {
		char opt[64];
		size_t n = 2;
		const char *line = p;

		/* an option defined by --help: the term of an "  --x ..." or
		 * "  -q, --x" line, or one of the usage lines' own options */
		while (line > help && line[-1] != '\n')
			line--;
		if (!(strncmp(line, "  -", 3) == 0 && p - line < 8) &&
		    strncmp(line, "usage:", 6) != 0 &&
		    strncmp(line, "       exposure", 15) != 0) {
			p += 2;
			continue;
		}

		while (p[n] == '-' || (p[n] >= 'a' && p[n] <= 'z'))
			n++;
		if (n > 2 && n < sizeof(opt) &&
		    (p == help || p[-1] == ' ' || p[-1] == ',' ||
		     p[-1] == '|')) {
			char *q;
			bool found = false;

			snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
			/* the option as the term of a definition: a line of
			 * the page that starts with it ("-q, --quiet" too) */
			for (q = page; (q = strstr(q, opt)) != NULL; q++) {
				const char *bol = q;
				char after = q[n];

				if (bol > page + 4 && bol[-1] == ' ' &&
				    bol[-2] == ',' && bol[-4] == '-')
					bol -= 4;
				while (bol > page && bol[-1] == ' ')
					bol--;
				if ((bol == page || bol[-1] == '\n') &&
				    !(after == '-' ||
				      (after >= 'a' && after <= 'z')))
					found = true;
			}
			cr_expect(found, "%s is in --help but not in %s", opt,
				  MAN_PAGE);
			seen++;
		}
		p += n;
	}
	cr_assert_gt(seen, 30, "only %d options read from --help", seen);
	free(help);
	free(page);
}
