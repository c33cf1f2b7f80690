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
#include "netio.h"
#include "report.h"

/* A fresh temporary name next to path: "<dir>/.<base>.<pid>.<n>.tmp".
 * Opened with O_EXCL and mode 0666, so the umask applies as for any new
 * file, and a name taken by someone else is never reused. */
static int open_temp(const char *path, char **tmp_out, int *fd_out)
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
static void sync_dir(const char *path)
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

int atomic_file_open(struct atomic_file *af, const char *path)
{
	struct stat st;
	int r;

	af->fd = -1;
	af->tmp = NULL;
	af->path = path;
	if (path == NULL || *path == '\0')
		return EXPO_EINVAL;
	if (strcmp(path, "-") == 0) {
		/* "-" is standard output, as for every other file option */
		af->fd = STDOUT_FILENO;
		return 0;
	}
	if ((r = open_temp(path, &af->tmp, &af->fd)) != 0)
		return r;
	/* replacing a file keeps its mode: a report chmod'ed 0600 stays so */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(af->fd, st.st_mode & 07777);
	return 0;
}

int atomic_file_write(struct atomic_file *af, const void *data, size_t len)
{
	return netio_write_all(af->fd, data, len);
}

void atomic_file_abort(struct atomic_file *af)
{
	int saved_errno = errno;

	if (af->tmp != NULL) {
		if (af->fd >= 0)
			close(af->fd);
		unlink(af->tmp);
		free(af->tmp);
	}
	af->tmp = NULL;
	af->fd = -1;
	errno = saved_errno;
}

int atomic_file_commit(struct atomic_file *af)
{
	int r = EXPO_EIO;

	if (af->tmp == NULL) { /* standard output */
		af->fd = -1;
		return 0;
	}
	if (fsync(af->fd) != 0)
		goto out;
	r = close(af->fd);
	af->fd = -1;
	if (r != 0) {
		r = EXPO_EIO;
		goto out;
	}
	r = EXPO_ESYS;
	if (rename(af->tmp, af->path) != 0)
		goto out;
	sync_dir(af->path);
	free(af->tmp);
	af->tmp = NULL;
	r = 0;
out:
	if (r != 0)
		atomic_file_abort(af);
	return r;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	struct atomic_file af;
	int r;

	if (data == NULL && len > 0)
		return EXPO_EINVAL;
	if ((r = atomic_file_open(&af, path)) != 0)
		return r;
	if ((r = atomic_file_write(&af, data, len)) != 0) {
		atomic_file_abort(&af);
		return r;
	}
	return atomic_file_commit(&af);
}
