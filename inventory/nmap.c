/*
 * nmap.c - nmap -oX output.
 *
 * nmaprun/host: status@state (down: kept, skipped), every address@addr
 * with addrtype ipv4/ipv6 (mac ignored), the first hostnames/hostname@name,
 * and ports/port (TCP, state open; UDP, open or open|filtered) as port
 * overrides that carry nmap's service name and protocol: the engine gives
 * each port to the checks that list that
 * service (ssh on 2222 goes to ssh), else to those whose default port it
 * is, else to none (listed as not checked). hosthint elements are not
 * hosts.
 *
 * XXE: the parser runs with XML_PARSE_NONET and without XML_PARSE_NOENT or
 * DTD loading, and any entity declaration is refused before parsing (nmap
 * never writes one), so no entity can pull in a local file or expand into
 * a billion laughs. The input size is capped by inventory_load().
 *
 * The file is read as a stream (xmlReader): one <host> at a time is
 * expanded into a tree and dropped once loaded, so a scan of a /16 needs
 * the file and its targets, not a document tree many times its size.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml_lib.h"

#include "expo.h"
#include "loaders.h"

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	const xmlNode *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			break;
	return c;
}

/* a property as a malloc'ed C string (xmlFree), or NULL */
static char *prop(const xmlNode *n, const char *name)
{
	return n ? (char *)xmlGetProp(n, (const xmlChar *)name) : NULL;
}

static int add_ports(struct inv_load *L, const struct inv_file *f,
		     struct target *t, const xmlNode *ports)
{
	const xmlNode *p;
	char *proto = NULL, *id = NULL, *state = NULL, *svc = NULL;
	unsigned long port;
	char *end, q[40];
	int rc = 0;

	for (p = ports ? ports->children : NULL; p; p = p->next) {
		if (!is_elem(p, "port"))
			continue;
		proto = prop(p, "protocol");
		id = prop(p, "portid");
		state = prop(child(p, "state"), "state");
		svc = prop(child(p, "service"), "name");
		end = NULL;
		port = id ? strtoul(id, &end, 10) : 0;
		if (!id || !*id || *end || port == 0 || port > 65535) {
			rc = inv_err(
				L->err,
				"%s:%ld: <port portid='%s'> is "
				"not a port number",
				f->name, xmlGetLineNo(p),
				id ? inv_quote(id, strlen(id), q, sizeof(q))
				   : "");
		} else if (proto && !strcmp(proto, "tcp") && state &&
			   !strcmp(state, "open")) {
			rc = inv_port_add_svc(t, NULL, svc, (uint16_t)port);
		} else if (proto && !strcmp(proto, "udp") && state &&
			   (!strcmp(state, "open") ||
			    !strcmp(state, "open|filtered"))) {
			/* -sU cannot tell open from filtered without an
			 * answer: the check's own request will */
			rc = inv_port_add_proto(t, NULL, svc, (uint16_t)port,
						PROTO_UDP);
		}
		xmlFree(proto);
		xmlFree(id);
		xmlFree(state);
		xmlFree(svc);
		proto = id = state = svc = NULL;
		if (rc < 0)
			break;
	}
	return rc;
}

/* one <address>: ignored unless ipv4/ipv6; the first one creates t */
static int host_addr(struct inv_load *L, const struct inv_file *f,
		     const xmlNode *c, struct target **t)
{
	char *addr = prop(c, "addr"), *type = prop(c, "addrtype");
	char text[INET6_ADDRSTRLEN], q[64];
	struct target_addr a;
	const char *why;
	int rc = 0;

	if (!type || (strcmp(type, "ipv4") && strcmp(type, "ipv6")))
		goto out;
	if (!addr || target_addr_parse(&a, addr) < 0) {
		rc = inv_err(L->err,
			     "%s:%ld: <address addr='%s'> is not an IP "
			     "address",
			     f->name, xmlGetLineNo(c),
			     addr ? inv_quote(addr, strlen(addr), q, sizeof(q))
				  : "");
		goto out;
	}
	why = target_addr_unusable(&a);
	if (why) {
		rc = inv_err(L->err,
			     "%s:%ld: <address addr='%s'> is a %s "
			     "address, not a host",
			     f->name, xmlGetLineNo(c),
			     inv_quote(addr, strlen(addr), q, sizeof(q)), why);
		goto out;
	}
	if (!*t) {
		*t = inv_target_new(&L->list, "nmap", f->source, "nmap",
				    target_addr_text(&a, text));
		if (!*t) {
			rc = EXPO_ENOMEM;
			goto out;
		}
	}
	/* as many addresses as the host has: no fixed-size array */
	rc = inv_addr_add(*t, &a);
out:
	xmlFree(addr);
	xmlFree(type);
	return rc;
}

static int load_host(struct inv_load *L, const struct inv_file *f,
		     const xmlNode *h)
{
	const xmlNode *c, *hn;
	char *state = NULL, *name = NULL;
	struct target *t = NULL;
	int rc = 0;

	for (c = h->children; c && rc == 0; c = c->next)
		if (is_elem(c, "address"))
			rc = host_addr(L, f, c, &t);
	if (rc < 0)
		goto out;
	if (!t) {
		rc = inv_err(L->err,
			     "%s:%ld: <host> has no ipv4 or ipv6 "
			     "address",
			     f->name, xmlGetLineNo(h));
		goto out;
	}
	hn = child(child(h, "hostnames"), "hostname");
	name = prop(hn, "name");
	if (name && *name && inv_set_str(&t->name, name) < 0)
		goto nomem;
	state = prop(child(h, "status"), "state");
	if (state && !strcmp(state, "down"))
		rc = inv_skip(t, "nmap: host down");
	if (rc == 0)
		rc = add_ports(L, f, t, child(h, "ports"));
	goto out;
nomem:
	rc = EXPO_ENOMEM;
out:
	xmlFree(state);
	xmlFree(name);
	return rc;
}

/* the first error, not the last: later ones are mostly its echoes */
struct first_err {
	int line;
	char msg[200];
	bool set;
};

static void on_error(void *data, xmlErrorPtr e)
{
	struct first_err *fe = data;
	size_t n;

	if (!fe || fe->set || !e)
		return;
	fe->set = true;
	fe->line = e->line;
	snprintf(fe->msg, sizeof(fe->msg), "%s",
		 e->message ? e->message : "parse error");
	n = strlen(fe->msg);
	while (n && (fe->msg[n - 1] == '\n' || fe->msg[n - 1] == ' '))
		fe->msg[--n] = 0;
}

static int refuse_entities(struct inv_load *L, const struct inv_file *f)
{
	const char *p = memmem(f->data, f->len, "<!ENTITY", 8);
	size_t line, col;
	int rc = 0;

	if (p) {
		inv_line_col(f->data, (size_t)(p - f->data), &line, &col);
		rc = inv_err(L->err,
			     "%s:%zu: entity declarations are refused "
			     "(nmap never writes them; they could read local "
			     "files)",
			     f->name, line);
	}
	return rc;
}

/* the root element, where the reader stands on it */
static int check_root(struct inv_load *L, const struct inv_file *f,
		      xmlTextReaderPtr rd)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd);
	/* not xmlTextReaderCurrentDoc(): that keeps every node to the end */
	const xmlNode *node = xmlTextReaderCurrentNode(rd);
	const xmlDoc *doc = node ? node->doc : NULL;

	if (doc && doc->intSubset &&
	    (doc->intSubset->entities || doc->intSubset->pentities))
		return inv_err(L->err, "%s: entity declarations are refused",
			       f->name);
	if (!name || strcmp(name, "nmaprun") != 0 ||
	    xmlTextReaderConstPrefix(rd) != NULL)
		return inv_err(L->err,
			       "%s:%ld: root element is <%s>, expected "
			       "<nmaprun> (nmap -oX output)",
			       f->name,
			       xmlGetLineNo(xmlTextReaderCurrentNode(rd)),
			       name ? name : "");
	return 0;
}

int inv_nmap_load(struct inv_load *L, const struct inv_file *f)
{
	xmlTextReaderPtr rd = NULL;
	const xmlNode *h;
	struct first_err fe;
	char why[256];
	int rc, ret, depth;
	bool root = false;

	/* the library first: out: frees through it */
	if (xml_lib_load(why, sizeof(why)) != 0)
		return inv_err_rc(L->err, EXPO_EINVAL,
				  "%s: nmap XML needs libxml2 (Debian package "
				  "libxml2): %s",
				  f->name, why);
	rc = refuse_entities(L, f);
	if (rc < 0)
		goto out;
	if (f->len > INT_MAX) {
		rc = inv_err_rc(L->err, EXPO_ETOOBIG,
				"%s: too large for the "
				"XML parser",
				f->name);
		goto out;
	}
	memset(&fe, 0, sizeof(fe));
	/* no XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: see the top */
	rd = xmlReaderForMemory(f->data, (int)f->len, f->name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING);
	if (!rd) {
		rc = EXPO_ENOMEM;
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(rd, on_error, &fe);
	ret = xmlTextReaderRead(rd);
	while (ret == 1 && rc == 0) {
		if (xmlTextReaderNodeType(rd) != XML_READER_TYPE_ELEMENT) {
			ret = xmlTextReaderRead(rd);
			continue;
		}
		depth = xmlTextReaderDepth(rd);
		if (depth == 0 && !root) {
			root = true;
			if ((rc = check_root(L, f, rd)) < 0)
				break;
		} else if (depth == 1 &&
			   strcmp((const char *)xmlTextReaderConstName(rd),
				  "host") == 0) {
			/* hosthint, runstats, ... are skipped */
			if (!(h = xmlTextReaderExpand(rd))) {
				ret = -1;
				break;
			}
			if ((rc = load_host(L, f, h)) < 0)
				break;
			ret = xmlTextReaderNext(rd);
			continue;
		}
		ret = xmlTextReaderRead(rd);
	}
	if (rc == 0 && (ret < 0 || fe.set || !root))
		rc = inv_err(L->err, "%s:%d: not valid XML: %s", f->name,
			     fe.line, fe.set ? fe.msg : "parse error");
out:
	xmlFreeTextReader(rd);
	return rc;
}
