/*
 * ftp_wire.h - bounded parsers for what an FTP server sends (RFC 959):
 * one reply (single or multi-line), the port of a 227 (PASV) or 229
 * (EPSV) reply, and one line of a directory listing. Pure: bytes in,
 * struct or error out; nothing here allocates.
 */
#ifndef FTP_WIRE_H
#define FTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FTP_WIRE_MORE 1	     /* incomplete: read more */
#define FTP_LINE_MAX 2048    /* one reply or listing line */
#define FTP_REPLY_MAX 65536  /* one whole reply (STAT listings) */
#define FTP_REPLY_LINES 1024 /* lines of one multi-line reply */

struct ftp_reply {
	unsigned code;	/* 100..599 */
	char text[256]; /* the first line after the code, printable ASCII */
	/* the lines between the first and the last of a multi-line reply
	 * (a STAT listing), inside the caller's buffer; 0 if none */
	size_t body_off, body_len;
	unsigned lines; /* lines in all */
};

/* one complete reply at the start of buf: 0 and *used, FTP_WIRE_MORE,
 * EXPO_EPROTO (not an FTP reply) or EXPO_ETOOBIG (over the bounds) */
int ftp_wire_reply(const char *buf, size_t len, struct ftp_reply *r,
		   size_t *used);

/* the data port of a 227 "(h1,h2,h3,h4,p1,p2)" or 229 "(|||port|)"
 * text: 0 and *port, or EXPO_EPARSE. The address of a 227 is ignored on
 * purpose: the data connection goes to the server's own address. */
int ftp_wire_pasv_port(const char *text, uint16_t *port);
int ftp_wire_epsv_port(const char *text, uint16_t *port);

struct ftp_entry {
	char name[128]; /* printable ASCII, cut to size */
	bool is_dir;
	bool dot; /* "." or ".." */
};

/* one listing line (ls -l, MS-DOS style or a bare name, as LIST, NLST
 * and STAT send them); 0, or EXPO_EPARSE for a line to skip ("total 8",
 * empty) */
int ftp_wire_entry(const char *line, size_t len, struct ftp_entry *e);

#endif
