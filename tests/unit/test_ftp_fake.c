/*
 * test_ftp_fake.c - the ftp check through the exposure binary against a
 * scripted FTP server on 127.0.0.1 (a thread of this test): it refuses
 * EPSV and names ANOTHER address in its 227 reply (10.9.8.7, as an FTP
 * bounce would); the check must open its data connection to the scanned
 * address all the same, store its empty file and delete it. Without
 * --intrusive the server must see no PASV, STOR or DELE.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <criterion/criterion.h>
#include "fake_server.h"

struct ftp_fake {
	int lfd, dfd; /* control and data listeners */
	uint16_t port, dport;
	pthread_t tid;
	char log[2048]; /* the commands seen, one a line */
	bool data_accepted;
};

static int listen_any(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* one line from fd within 5 s; false on EOF or timeout */
static bool read_line(int fd, char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	char c;

	while (n + 1 < size) {
		if (poll(&p, 1, 5000) != 1 || read(fd, &c, 1) != 1)
			return false;
		if (c == '\n')
			break;
		if (c != '\r')
			buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

static void say(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
}

/* one control connection, served to its end; true if it logged in */
static bool serve_one(struct ftp_fake *f, int c)
{
	struct pollfd p = { .events = POLLIN };
	char line[256], buf[64];
	int d = -1;

	say(c, "220 fake FTP\r\n");
	while (read_line(c, line, sizeof(line))) {
		size_t used = strlen(f->log);

		snprintf(f->log + used, sizeof(f->log) - used, "%s\n", line);
		if (strncmp(line, "USER ", 5) == 0)
			say(c, "331 password please\r\n");
		else if (strncmp(line, "PASS ", 5) == 0)
			say(c, "230 welcome\r\n");
		else if (strncmp(line, "STAT", 4) == 0)
			say(c, "213-Status follows:\r\n"
			       "drwxrwxrwx    2 0 0 4096 Dec 06 10:15 up\r\n"
			       "213 End of status\r\n");
		else if (strcmp(line, "EPSV") == 0)
			say(c, "500 EPSV not understood\r\n");
		else if (strcmp(line, "PASV") == 0) {
			snprintf(buf, sizeof(buf),
				 "227 Entering Passive Mode "
				 "(10,9,8,7,%u,%u).\r\n",
				 f->dport >> 8, f->dport & 255);
			say(c, buf);
		} else if (strncmp(line, "STOR ", 5) == 0) {
			p.fd = f->dfd;
			if (poll(&p, 1, 5000) == 1 &&
			    (d = accept(f->dfd, NULL, NULL)) >= 0) {
				f->data_accepted = true;
				say(c, "150 ok to send\r\n");
				/* the empty file: EOF at once */
				p.fd = d;
				if (poll(&p, 1, 5000) == 1 &&
				    read(d, buf, sizeof(buf)) == 0)
					say(c, "226 transfer complete\r\n");
				close(d);
			} else {
				say(c, "425 no data connection\r\n");
			}
		} else if (strncmp(line, "DELE ", 5) == 0)
			say(c, "250 deleted\r\n");
		else
			say(c, "502 not implemented\r\n");
	}
	close(c);
	return strstr(f->log, "PASS ") != NULL;
}

/* the discovery's connect comes first: up to 3 connections, in turn */
static void *serve(void *arg)
{
	struct ftp_fake *f = arg;
	struct pollfd p = { .fd = f->lfd, .events = POLLIN };
	unsigned i;
	int c;

	for (i = 0; i < 3; i++) {
		if (poll(&p, 1, 4000) != 1 ||
		    (c = accept(f->lfd, NULL, NULL)) < 0)
			break;
		if (serve_one(f, c))
			break;
	}
	return NULL;
}

static void run(bool intrusive, char **out, char **err)
{
	static struct ftp_fake f;
	char inv_line[128], args[512], *inv;

	memset(&f, 0, sizeof(f));
	f.lfd = listen_any(&f.port);
	f.dfd = listen_any(&f.dport);
	cr_assert_eq(pthread_create(&f.tid, NULL, serve, &f), 0);
	snprintf(inv_line, sizeof(inv_line), "127.0.0.1:%u check=ftp\n",
		 (unsigned)f.port);
	inv = fake_tmpfile(inv_line);
	snprintf(args, sizeof(args),
		 "scan %s --checks ftp --timeout 2000 --check-timeout 10000 "
		 "--fail-on none%s",
		 inv, intrusive ? " --intrusive" : "");
	fake_run_exposure("", args, out, err);
	pthread_join(f.tid, NULL);
	close(f.lfd);
	close(f.dfd);
	unlink(inv);
	free(inv);
	if (intrusive) {
		cr_expect(f.data_accepted, "no data connection to 127.0.0.1");
		cr_expect(strstr(f.log, "PASV\n") &&
				  strstr(f.log, "STOR exposure-write-test-") &&
				  strstr(f.log, "DELE exposure-write-test-"),
			  "commands:\n%s", f.log);
	} else {
		cr_expect(!strstr(f.log, "PASV") && !strstr(f.log, "EPSV") &&
				  !strstr(f.log, "STOR") &&
				  !strstr(f.log, "DELE"),
			  "commands without --intrusive:\n%s", f.log);
	}
}

Test(ftp_fake, data_connection_ignores_the_227_address, .timeout = 60)
{
	char *out, *err;

	run(true, &out, &err);
	cr_expect(strstr(out, "ftp.anonymous_write") &&
			  strstr(out, "deleted it again"),
		  "stdout:\n%s\nstderr:\n%s", out, err);
	cr_expect(strstr(out, "ftp.anonymous_login") != NULL, "%s", out);
	free(out);
	free(err);
}

Test(ftp_fake, no_write_without_intrusive, .timeout = 60)
{
	char *out, *err;

	run(false, &out, &err);
	cr_expect(strstr(out, "ftp.anonymous_login") != NULL, "%s", out);
	cr_expect(strstr(out, "ftp.anonymous_write") == NULL, "%s", out);
	free(out);
	free(err);
}
