/*
 * report_ports.c - "address\tport\tstatus\treason" per discovery record,
 * for scripts and the benchmark. A /14 of records is a few MB, so the
 * lines are built in one buffer without printf and written once,
 * atomically. Reasons are escaped like the text report (\xNN), so a tab or
 * newline from a server cannot split a line.
 */
#include <string.h>
#include "expo.h"
#include "report_priv.h"

/* decimal text of v into the end of buf[6]; returns its start */
static char *
fmt_port(char buf[6], unsigned v)
{
	char *p = buf + 5;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return p;
}

int
report_ports_write(const char *path, const struct scan_report *r)
{
	const struct port_record *rec, *prev = NULL;
	char addr[INET6_ADDRSTRLEN] = "";
	char portbuf[6];
	const char *reason, *p;
	struct dynbuf b;
	size_t i, addrlen = 0;
	int ret = EXPO_EINVAL;

	dynbuf_init(&b, REPORT_MAX_BYTES);
	if (path == NULL || r == NULL)
		goto out;
	ret = 0;
	for (i = 0; i < r->nrecords && ret == 0; i++) {
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
		if (ret == 0)
			ret = dynbuf_add(&b, "\t", 1);
		if (ret == 0)
			ret = dynbuf_addstr(&b, rec->status < STATUS_COUNT ?
				status_name((enum probe_status)rec->status) :
				"unknown");
		if (ret == 0)
			ret = dynbuf_add(&b, "\t", 1);
		reason = report_record_reason(r, rec);
		if (ret == 0)
			ret = report_escape(&b, reason != NULL && *reason ?
					    reason : "-");
		if (ret == 0)
			ret = dynbuf_add(&b, "\n", 1);
	}
	if (ret == 0)
		ret = write_file_atomic(path, b.buf ? b.buf : "", b.len);
out:
	dynbuf_release(&b);
	return ret;
}
