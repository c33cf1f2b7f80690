/*
 * report_file.c - write_file_atomic(): a report is either the old file or
 * the whole new one, never half of one. The data goes to a temporary file
 * in the same folder (rename is atomic only within one file system), is
 * fsync()ed, then renamed over the target, and the folder is fsync()ed so
 * the rename itself survives a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "expo.h"
#include "report.h"

static int write_all(int fd, const char *data, size_t len)
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

/* The temporary files being written, for atomic_file_remove_temps() in a
 * signal handler: fixed buffers (no allocation there), a slot published
 * only once its name is whole. A file with no free slot or a name too
 * long is written all the same, and a second signal leaves it. */
#define TEMP_SLOTS 8
static char temp_names[TEMP_SLOTS][PATH_MAX];
static atomic_int temp_used[TEMP_SLOTS];

static int temp_register(const char *tmp)
{
	size_t len = strlen(tmp);
	int i;

	if (len >= PATH_MAX)
		return -1;
	for (i = 0; i < TEMP_SLOTS; i++) {
		if (atomic_load(&temp_used[i]))
			continue;
		memcpy(temp_names[i], tmp, len + 1);
		atomic_store(&temp_used[i], 1);
		return i;
	}
	return -1;
}

static void temp_release(struct atomic_file *af)
{
	if (af->slot >= 0)
		atomic_store(&temp_used[af->slot], 0);
	af->slot = -1;
}

void atomic_file_remove_temps(void)
{
	int i, saved = errno;

	for (i = 0; i < TEMP_SLOTS; i++)
		if (atomic_load(&temp_used[i]))
			unlink(temp_names[i]);
	errno = saved;
}

int atomic_file_open(struct atomic_file *af, const char *path)
{
	sigset_t block, old;
	struct stat st;
	int r;

	af->fd = -1;
	af->tmp = NULL;
	af->path = path;
	af->slot = -1;
	if (path == NULL || *path == '\0')
		return EXPO_EINVAL;
	if (strcmp(path, "-") == 0) {
		/* "-" is standard output, as for every other file option */
		af->fd = STDOUT_FILENO;
		return 0;
	}
	/* no signal between creating the file and registering it */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	r = open_temp(path, &af->tmp, &af->fd);
	if (r == 0)
		af->slot = temp_register(af->tmp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return r;
	/* replacing a file keeps its mode: a report chmod'ed 0600 stays so */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		(void)fchmod(af->fd, st.st_mode & 07777);
	return 0;
}

int atomic_file_write(struct atomic_file *af, const void *data, size_t len)
{
	return write_all(af->fd, data, len);
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
	temp_release(af);
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
	/* released after the rename: a signal in between removes a name
	 * that is gone, harmless; before it, the file would stay */
	temp_release(af);
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
