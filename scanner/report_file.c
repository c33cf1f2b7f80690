/*
 * report_file.c - write_file_atomic(): a report is either the old file or
 * the whole new one, never half of one. The data goes to a temporary file
 * in the same folder (rename is atomic only within one file system), is
 * fsync()ed, then renamed over the target, and the folder is fsync()ed so
 * the rename itself survives a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "expo.h"
#include "report.h"

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;
	int r = 0;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = EXPO_EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	return r;
}

/* A fresh temporary name next to path: "<dir>/.<base>.<pid>.<n>.tmp".
 * Opened with O_EXCL and mode 0666, so the umask applies as for any new
 * file, and a name taken by someone else is never reused. */
static int
open_temp(const char *path, char **tmp_out, int *fd_out)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dirlen = slash ? (int)(slash - path) + 1 : 0;
	struct timespec ts;
	char *tmp = NULL;
	size_t size;
	unsigned attempt;
	int fd = -1, r = EXPO_EINVAL;

	if (*base == '\0')
		goto out;
	r = EXPO_ENOMEM;
	size = strlen(path) + 64;
	if ((tmp = malloc(size)) == NULL)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = EXPO_ESYS;
	for (attempt = 0; attempt < 100; attempt++) {
		snprintf(tmp, size, "%.*s.%s.%ld.%lx.tmp", dirlen, path, base,
			 (long)getpid(),
			 (unsigned long)ts.tv_nsec + attempt * 7919UL);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		goto out;
	*tmp_out = tmp;
	*fd_out = fd;
	tmp = NULL;
	r = 0;
out:
	free(tmp);
	return r;
}

/* fsync the folder holding path so the rename is durable */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd = -1;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		goto out;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	/* some file systems refuse fsync on a folder; the data is safe */
	(void)fsync(fd);
out:
	if (fd >= 0)
		close(fd);
	free(dir);
}

int
write_file_atomic(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *tmp = NULL;
	int fd = -1, r = EXPO_EINVAL, saved_errno;

	if (path == NULL || *path == '\0' || (data == NULL && len > 0))
		goto out;
	if (strcmp(path, "-") == 0) {
		/* "-" is standard output, as for every other file option */
		r = write_all(STDOUT_FILENO, data, len);
		goto out;
	}
	if ((r = open_temp(path, &tmp, &fd)) != 0)
		goto out;
	/* replacing a file keeps its mode: a report chmod'ed 0600 stays so */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(fd, st.st_mode & 07777);
	if ((r = write_all(fd, data, len)) != 0)
		goto out;
	r = EXPO_EIO;
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	r = EXPO_ESYS;
	if (rename(tmp, path) != 0)
		goto out;
	sync_dir(path);
	free(tmp);
	tmp = NULL;
	r = 0;
out:
	saved_errno = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	errno = saved_errno;
	return r;
}
