/*
 * report_ports.c - "address\tport\tstatus\treason" per discovery record,
 * for scripts and the benchmark. The lines are built without printf in a
 * 64 KiB buffer flushed to an atomic file, so a /16 x 4 ports costs no
 * memory to speak of. Reasons are escaped like the text report (\xNN), so a tab or
 * newline from a server cannot split a line.
 */
#include <string.h>
#include "expo.h"
#include "report_priv.h"
#include "spill.h"

/* flush at this size; one line (an escaped reason) fits in the slack */
#define PORTS_CHUNK (64 * 1024)

/* decimal text of v into the end of buf[6]; returns its start */
static char *fmt_port(char buf[6], unsigned v)
{
	char *p = buf + 5;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return p;
}

int report_ports_write(const char *path, const struct scan_report *r)
{
	const struct port_record *rec, *prev = NULL;
	char addr[INET6_ADDRSTRLEN] = "";
	char portbuf[6];
	const char *reason, *p;
	struct atomic_file af = { .fd = -1 };
	struct dynbuf b;
	size_t i, addrlen = 0;
	int ret = EXPO_EINVAL;

	dynbuf_init(&b, PORTS_CHUNK + 4096);
	if (path == NULL || r == NULL)
		goto out;
	if ((ret = atomic_file_open(&af, path)) != 0)
		goto out;
	for (i = 0; i < r->nrecords && ret == 0; i++) {
		spill_pace(i);
		rec = &r->records[i];
		if (rec->check != CHECK_NONE)
			continue;
		/* records come grouped by address: format each one once */
		if (prev == NULL || prev->target != rec->target ||
		    prev->addr != rec->addr) {
			p = report_record_addr(r, rec, addr);
			if (p != addr) {
				/* "?" or a buffer of the inventory's */
				strncpy(addr, p, sizeof(addr) - 1);
				addr[sizeof(addr) - 1] = '\0';
			}
			addrlen = strlen(addr);
			prev = rec;
		}
		ret = dynbuf_add(&b, addr, addrlen);
		if (ret == 0)
			ret = dynbuf_add(&b, "\t", 1);
		p = fmt_port(portbuf, rec->port);
		if (ret == 0)
			ret = dynbuf_add(&b, p, (size_t)(portbuf + 5 - p));
		if (ret == 0 && rec->proto == PROTO_UDP)
			ret = dynbuf_add(&b, "/udp", 4);
		if (ret == 0)
			ret = dynbuf_add(&b, "\t", 1);
		if (ret == 0)
			ret = dynbuf_addstr(
				&b, rec->status < STATUS_COUNT
					    ? status_name((enum probe_status)
								  rec->status)
					    : "unknown");
		if (ret == 0)
			ret = dynbuf_add(&b, "\t", 1);
		reason = report_record_reason(r, rec);
		if (ret == 0)
			ret = report_escape(
				&b, reason != NULL && *reason ? reason : "-");
		if (ret == 0)
			ret = dynbuf_add(&b, "\n", 1);
		if (ret == 0 && dynbuf_len(&b) >= PORTS_CHUNK) {
			ret = atomic_file_write(&af, dynbuf_ptr(&b),
						dynbuf_len(&b));
			dynbuf_reset(&b);
		}
	}
	/* an interrupted run: one last line scripts can look for; a
	 * complete run's file is as it always was */
	if (ret == 0 && r->incomplete != NULL) {
		ret = dynbuf_addstr(&b, "# incomplete: ");
		if (ret == 0)
			ret = report_escape(&b, r->incomplete);
		if (ret == 0)
			ret = dynbuf_add(&b, "\n", 1);
	}
	if (ret == 0 && dynbuf_len(&b) > 0)
		ret = atomic_file_write(&af, dynbuf_ptr(&b), dynbuf_len(&b));
	if (ret == 0)
		ret = atomic_file_commit(&af);
	else
		atomic_file_abort(&af);
out:
	dynbuf_release(&b);
	return ret;
}
