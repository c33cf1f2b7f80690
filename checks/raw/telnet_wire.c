/*
 * telnet_wire.c - Telnet negotiation and login text (telnet_wire.h).
 * Loops are bounded by the input length; the answers by one per option
 * and direction.
 */
#include <ctype.h>
#include <string.h>
#include "telnet_wire.h"

enum {
	T_IAC = 255,
	T_DONT = 254,
	T_DO = 253,
	T_WONT = 252,
	T_WILL = 251,
	T_SB = 250,
	T_SE = 240,
	OPT_ECHO = 1,
	OPT_SGA = 3,
};

enum { S_DATA = 0, S_IAC, S_OPT, S_SB, S_SB_IAC };

void telnet_wire_init(struct telnet_state *t)
{
	memset(t, 0, sizeof(*t));
}

static void put_text(char *text, size_t *tlen, size_t tcap, char c)
{
	if (tcap == 0)
		return;
	if (*tlen >= tcap) {
		/* keep the newer half: prompts come last */
		memmove(text, text + tcap / 2, tcap - tcap / 2);
		*tlen = tcap - tcap / 2;
	}
	text[(*tlen)++] = c;
}

static void answer(struct telnet_state *t, uint8_t opt, uint8_t *reply,
		   size_t *rlen, size_t rcap)
{
	uint8_t verb;

	if (t->cmd == T_DO) {
		if (t->answered[opt] & 1)
			return;
		t->answered[opt] |= 1;
		verb = T_WONT; /* we enable nothing of ours */
	} else if (t->cmd == T_WILL) {
		if (t->answered[opt] & 2)
			return;
		t->answered[opt] |= 2;
		verb = opt == OPT_ECHO || opt == OPT_SGA ? T_DO : T_DONT;
	} else {
		return; /* DONT/WONT: we never enabled anything to undo */
	}
	if (*rlen + 3 > rcap)
		return;
	reply[(*rlen)++] = T_IAC;
	reply[(*rlen)++] = verb;
	reply[(*rlen)++] = opt;
}

int telnet_wire_feed(struct telnet_state *t, const uint8_t *in, size_t n,
		     char *text, size_t *tlen, size_t tcap, uint8_t *reply,
		     size_t *rlen, size_t rcap)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		switch (t->state) {
		case S_DATA:
			if (b == T_IAC) {
				t->state = S_IAC;
				break;
			}
			if (t->cr && (b == '\n' || b == '\0')) {
				t->cr = false;
				break;
			}
			t->cr = b == '\r';
			if (b == '\r')
				put_text(text, tlen, tcap, '\n');
			else if (b != '\0')
				put_text(text, tlen, tcap, (char)b);
			break;
		case S_IAC:
			if (b == T_IAC) {
				/* an escaped 255 is text */
				put_text(text, tlen, tcap, (char)b);
				t->state = S_DATA;
				break;
			}
			if (++t->commands > TELNET_MAX_COMMANDS)
				return TELNET_WIRE_ENDLESS;
			if (b >= T_WILL && b <= T_DONT) {
				t->cmd = b;
				t->state = S_OPT;
			} else if (b == T_SB) {
				t->sb_len = 0;
				t->state = S_SB;
			} else {
				t->state = S_DATA; /* NOP, GA, AYT, ... */
			}
			break;
		case S_OPT:
			answer(t, b, reply, rlen, rcap);
			t->state = S_DATA;
			break;
		case S_SB:
			if (b == T_IAC)
				t->state = S_SB_IAC;
			else if (++t->sb_len > TELNET_SB_MAX)
				return TELNET_WIRE_ENDLESS;
			break;
		case S_SB_IAC:
			if (b == T_SE) {
				t->state = S_DATA;
				break;
			}
			if (++t->sb_len > TELNET_SB_MAX)
				return TELNET_WIRE_ENDLESS;
			t->state = S_SB;
			break;
		default:
			t->state = S_DATA;
			break;
		}
	}
	return 0;
}

/* the last line of text[0..n) (after its last LF), without trailing
 * blanks: start and length */
static void last_segment(const char *text, size_t n, size_t *start, size_t *len)
{
	size_t s = n;

	while (s > 0 && text[s - 1] != '\n')
		s--;
	while (n > s && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	*start = s;
	*len = n - s;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix), i;

	if (n < k)
		return false;
	for (i = 0; i < k; i++)
		if (tolower((unsigned char)s[n - k + i]) != suffix[i])
			return false;
	return true;
}

/* needle (lower case) in the lower-cased text */
static bool contains(const char *low, size_t n, const char *needle)
{
	return memmem(low, n, needle, strlen(needle)) != NULL;
}

static bool any_of(const char *low, size_t n, const char *const *needles)
{
	for (; *needles != NULL; needles++)
		if (contains(low, n, *needles))
			return true;
	return false;
}

static const char *const login_prompts[] = { "login:", "username:",
					     "user name:", "user:", NULL };
static const char *const failures[] = {
	"incorrect", "failed",	     "failure", "denied",
	"invalid",   "bad password", "wrong",	NULL,
};
static const char *const lock_words[] = {
	"account is locked", "account locked",	    "locked out",
	"has been locked",   "account disabled",    "account is disabled",
	"account expired",   "account has expired", NULL,
};

static bool ends_with_any(const char *s, size_t n, const char *const *l)
{
	for (; *l != NULL; l++)
		if (ends_with_ci(s, n, *l))
			return true;
	return false;
}

enum telnet_verdict telnet_wire_verdict(const char *text, size_t n,
					enum telnet_stage stage)
{
	static const char *const pw_prompts[] = { "password:", "passcode:",
						  NULL };
	char low[TELNET_TEXT_MAX];
	size_t s = 0, len = 0, i;
	const char *last;
	char c;

	/* the newest TELNET_TEXT_MAX bytes, lower-cased once */
	if (n > sizeof(low)) {
		text += n - sizeof(low);
		n = sizeof(low);
	}
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)text[i]);
	last_segment(text, n, &s, &len);
	last = text + s;
	if (stage == TELNET_BEFORE_USER) {
		if (ends_with_any(last, len, login_prompts))
			return TELNET_LOGIN;
		if (ends_with_any(last, len, pw_prompts))
			return TELNET_PASSWORD; /* no user name asked */
		return TELNET_MORE;
	}
	if (any_of(low, n, lock_words))
		return TELNET_LOCKED;
	/* login(1) prints "Last login" and then, maybe, "N failed login
	 * attempts since": look for it before the failure words */
	if (contains(low, n, "last login"))
		return TELNET_SHELL;
	if (ends_with_any(last, len, login_prompts))
		return TELNET_FAILED;
	if (ends_with_any(last, len, pw_prompts))
		return stage == TELNET_AFTER_USER ? TELNET_PASSWORD
						  : TELNET_FAILED;
	if (any_of(low, n, failures))
		return TELNET_FAILED;
	c = len > 0 ? last[len - 1] : '\0';
	/* a shell prompt is a short line ending in $ # > or % */
	if (len > 0 && len <= 80 &&
	    (c == '$' || c == '#' || c == '>' || c == '%'))
		return TELNET_SHELL;
	return TELNET_MORE;
}

void telnet_wire_last_line(const char *text, size_t n, char *out, size_t size)
{
	size_t s = 0, len = 0, i, o = 0;

	if (size == 0)
		return;
	/* skip empty last lines */
	while (n > 0) {
		last_segment(text, n, &s, &len);
		if (len > 0)
			break;
		n = s > 0 ? s - 1 : 0;
	}
	while (len > 0 && (text[s] == ' ' || text[s] == '\t')) {
		s++;
		len--;
	}
	for (i = 0; i < len && o + 1 < size; i++) {
		unsigned char ch = (unsigned char)text[s + i];

		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}
