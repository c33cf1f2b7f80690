/*
 * report_file.c - where a report goes, and how it gets there.
 *
 * A regular file, or a name not taken yet, is replaced atomically: the
 * data goes to a temporary file in the same folder (rename is atomic only
 * within one file system), is fsync()ed, then renamed over the target, and
 * the folder is fsync()ed so the rename itself survives a crash. A reader
 * sees the old report or the whole new one, never half of one.
 *
 * A symlink is followed to the file it ends at, and that file is replaced
 * the same way next to itself: the link stays a link and the target keeps
 * the atomic guarantee (writing through it with O_TRUNC would expose a
 * half-written report to its readers).
 *
 * A character device (/dev/null, a terminal) or a FIFO is written through,
 * never renamed over: as root a rename turns /dev/null into a regular
 * file, and a FIFO's reader would get nothing. A block device, a socket or
 * a folder is refused. "-" is standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "expo.h"
#include "netio.h"
#include "report.h"
#include "spill.h"

enum { AF_KIND_RENAME = 0, AF_KIND_STDOUT, AF_KIND_THROUGH };

#define LINK_HOPS_MAX 40 /* as the kernel's own limit (ELOOP) */

/* A pipe or FIFO whose reader went away is EPIPE here, not a SIGPIPE that
 * would kill the run before its other reports are written. */
static int write_all(int fd, const char *data, size_t len)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old;
	bool blocked, epipe = false;
	ssize_t n;
	int r = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	blocked = pthread_sigmask(SIG_BLOCK, &pipe_set, &old) == 0;
	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			epipe = n < 0 && errno == EPIPE;
			r = EXPO_EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (blocked) {
		/* take the SIGPIPE this write raised before unblocking it */
		if (epipe && !sigismember(&old, SIGPIPE))
			while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
				;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return r;
}

/* The file a chain of symlinks at path ends at, which may not exist yet
 * (a dangling link names the file to create). Only the last component is
 * followed: the folders are resolved by the kernel on every open. */
static int resolve_final(const char *path, char **out)
{
	char *p = strdup(path), *next = NULL, target[PATH_MAX];
	const char *slash;
	struct stat st;
	ssize_t n;
	int hops;

	if (p == NULL)
		return EXPO_ENOMEM;
	for (hops = 0;; hops++) {
		if (lstat(p, &st) != 0) {
			if (errno == ENOENT)
				break;
			goto fail;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (hops == LINK_HOPS_MAX) {
			errno = ELOOP;
			goto fail;
		}
		n = readlink(p, target, sizeof(target));
		if (n < 0)
			goto fail;
		if ((size_t)n >= sizeof(target)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		target[n] = '\0';
		slash = strrchr(p, '/');
		if (target[0] == '/' || slash == NULL)
			next = strdup(target);
		else if (asprintf(&next, "%.*s%s", (int)(slash - p + 1), p,
				  target) < 0)
			next = NULL;
		if (next == NULL) {
			free(p);
			return EXPO_ENOMEM;
		}
		free(p);
		p = next;
	}
	*out = p;
	return 0;
fail:
	free(p);
	return EXPO_ESYS;
}

/* A fresh temporary name next to path: "<dir>/.<base>.<pid>.<n>.tmp".
 * Opened with O_EXCL, so a name taken by someone else is never reused;
 * mode 0666 or 0600 before the umask. */
static int open_temp(const char *path, mode_t mode, char **tmp_out, int *fd_out)
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
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
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

static bool write_through_type(mode_t m)
{
	return S_ISCHR(m) || S_ISFIFO(m);
}

/* A device or FIFO: opened as it is. No O_CREAT and no O_TRUNC, so even a
 * name swapped for a regular file since stat() is neither created nor cut;
 * fstat() then refuses it before a byte is written. A FIFO's open waits
 * for its reader, as a shell redirection does. */
static int open_through(struct atomic_file *af, const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return EXPO_ESYS;
	if (fstat(fd, &st) != 0 || !write_through_type(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return EXPO_ESYS;
	}
	af->fd = fd;
	af->kind = AF_KIND_THROUGH;
	return 0;
}

int atomic_file_open_flags(struct atomic_file *af, const char *path,
			   unsigned flags)
{
	sigset_t block, old;
	struct stat st;
	mode_t mode;
	bool exists;
	int r;

	af->fd = -1;
	af->tmp = NULL;
	af->final = NULL;
	af->path = path;
	af->kind = AF_KIND_RENAME;
	af->slot = -1;
	af->written = af->synced = 0;
	if (path == NULL || *path == '\0')
		return EXPO_EINVAL;
	if (strcmp(path, "-") == 0) {
		/* "-" is standard output, as for every other file option */
		af->fd = STDOUT_FILENO;
		af->kind = AF_KIND_STDOUT;
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (write_through_type(st.st_mode))
			return open_through(af, path);
		if (!S_ISREG(st.st_mode)) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
			return EXPO_ESYS;
		}
	} else if (errno != ENOENT) {
		return EXPO_ESYS;
	}
	if ((r = resolve_final(path, &af->final)) != 0)
		return r;
	exists = stat(af->final, &st) == 0 && S_ISREG(st.st_mode);
	/* replacing a file keeps its mode (a report chmod'ed 0640 for a CI
	 * group stays so), except that clear secrets never go to a file
	 * others may read; a new private file is 0600 */
	mode = exists ? st.st_mode & 07777
		      : (flags & (AF_PRIVATE | AF_SECRET) ? 0600 : 0666);
	if (flags & AF_SECRET)
		mode &= ~(mode_t)077;
	/* no signal between creating the file and registering it */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	r = open_temp(af->final, flags & (AF_PRIVATE | AF_SECRET) ? 0600 : 0666,
		      &af->tmp, &af->fd);
	if (r == 0)
		af->slot = temp_register(af->tmp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		free(af->final);
		af->final = NULL;
		return r;
	}
	if (exists || (flags & AF_SECRET))
		(void)fchmod(af->fd, mode);
	return 0;
}

int atomic_file_open(struct atomic_file *af, const char *path)
{
	return atomic_file_open_flags(af, path, 0);
}

/* bytes of report between two passes of the page work below */
#define REPORT_PACE ((uint64_t)4 << 20)

int atomic_file_write(struct atomic_file *af, const void *data, size_t len)
{
	int r = write_all(af->fd, data, len);

	af->written += len;
	if (r != 0 || af->written - af->synced < REPORT_PACE)
		return r;
	/* A writer's output keeps pace with its walk through the findings
	 * and records: what it has walked goes back to the page cache
	 * (include/spill.h), so a fleet's report costs the pages in use,
	 * not the estate. And the file's pages start for the disk now:
	 * the fsync at commit then waits for the last few, not for all. */
	spill_trim_all();
	if (af->kind == AF_KIND_RENAME)
		(void)sync_file_range(af->fd, (off_t)af->synced,
				      (off_t)(af->written - af->synced),
				      SYNC_FILE_RANGE_WRITE);
	af->synced = af->written;
	return 0;
}

void atomic_file_abort(struct atomic_file *af)
{
	int saved_errno = errno;

	if (af->kind == AF_KIND_THROUGH && af->fd >= 0)
		close(af->fd);
	if (af->tmp != NULL) {
		if (af->fd >= 0)
			close(af->fd);
		unlink(af->tmp);
		free(af->tmp);
	}
	free(af->final);
	af->final = NULL;
	temp_release(af);
	af->tmp = NULL;
	af->fd = -1;
	errno = saved_errno;
}

int atomic_file_commit(struct atomic_file *af)
{
	int r = EXPO_EIO;

	if (af->kind == AF_KIND_STDOUT) {
		af->fd = -1;
		return 0;
	}
	if (af->kind == AF_KIND_THROUGH) {
		/* no fsync: devices and FIFOs refuse it, and have no data to
		 * keep */
		r = close(af->fd) != 0 ? EXPO_EIO : 0;
		af->fd = -1;
		return r;
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
	if (rename(af->tmp, af->final) != 0)
		goto out;
	/* released only now: a signal before the rename removes the
	 * temporary, one after it a name already gone */
	temp_release(af);
	sync_dir(af->final);
	free(af->tmp);
	af->tmp = NULL;
	free(af->final);
	af->final = NULL;
	r = 0;
out:
	if (r != 0)
		atomic_file_abort(af);
	return r;
}

int write_file_atomic_flags(const char *path, const char *data, size_t len,
			    unsigned flags)
{
	struct atomic_file af;
	int r;

	if (data == NULL && len > 0)
		return EXPO_EINVAL;
	if ((r = atomic_file_open_flags(&af, path, flags)) != 0)
		return r;
	if ((r = atomic_file_write(&af, data, len)) != 0) {
		atomic_file_abort(&af);
		return r;
	}
	return atomic_file_commit(&af);
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	return write_file_atomic_flags(path, data, len, 0);
}

/* ---- before the scan: can path be written, without touching it ---- */

static int why(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int why(char **out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(out, fmt, ap) < 0)
		*out = NULL;
	va_end(ap);
	return EXPO_EINVAL;
}

static const char *errno_text(int e)
{
	return e == ENOTDIR ? "a folder in the path is a file" : strerror(e);
}

/* the folder a new file at path would be created in */
static int check_folder(const char *path, char **reason)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	int r = 0;

	if (slash != NULL && slash[1] == '\0')
		return why(reason, "names a folder, not a file");
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return EXPO_ENOMEM;
	if (stat(dir, &st) != 0)
		r = errno == ENOENT
			    ? why(reason, "folder %s does not exist", dir)
			    : why(reason, "folder %s: %s", dir,
				  errno_text(errno));
	else if (!S_ISDIR(st.st_mode))
		r = why(reason, "%s is not a folder", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		r = why(reason, "cannot create files in folder %s: %s", dir,
			strerror(errno));
	free(dir);
	return r;
}

int report_output_check(const char *path, char **reason)
{
	struct stat st;
	char *final = NULL;
	int r;

	*reason = NULL;
	if (path == NULL || *path == '\0')
		return why(reason, "empty file name");
	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return why(reason, "is a folder, not a file");
		if (S_ISBLK(st.st_mode))
			return why(reason, "is a block device: a report is "
					   "never written over one");
		if (write_through_type(st.st_mode)) {
			/* a FIFO is not opened here: its reader would see
			 * the end of the stream before the report */
			if (access(path, W_OK) != 0)
				return why(reason, "cannot write: %s",
					   strerror(errno));
			return 0;
		}
		if (!S_ISREG(st.st_mode))
			return why(reason, "is not a regular file, a "
					   "character device or a FIFO");
	} else if (errno != ENOENT) {
		return why(reason, "%s", errno_text(errno));
	}
	if ((r = resolve_final(path, &final)) != 0)
		return r == EXPO_ESYS ? why(reason, "%s", errno_text(errno))
				      : r;
	r = check_folder(final, reason);
	free(final);
	return r;
}

char *report_output_id(const char *path)
{
	struct stat st, null_st;
	char *final = NULL, *id = NULL;
	const char *slash;
	int n;

	if (strcmp(path, "-") == 0)
		return strdup("-");
	if (stat(path, &st) == 0) {
		/* /dev/null takes any number of writers: nothing mixes */
		if (S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 &&
		    S_ISCHR(null_st.st_mode) && st.st_rdev == null_st.st_rdev)
			return strdup("");
		n = asprintf(&id, "i:%ju:%ju", (uintmax_t)st.st_dev,
			     (uintmax_t)st.st_ino);
		return n < 0 ? NULL : id;
	}
	/* not there yet: the folder it would be created in, and its name */
	if (resolve_final(path, &final) == 0) {
		slash = strrchr(final, '/');
		if (slash == NULL)
			n = stat(".", &st);
		else if (slash == final)
			n = stat("/", &st);
		else {
			char *dir = strndup(final, (size_t)(slash - final));

			n = dir != NULL ? stat(dir, &st) : -1;
			free(dir);
		}
		if (n == 0)
			n = asprintf(&id, "n:%ju:%ju:%s", (uintmax_t)st.st_dev,
				     (uintmax_t)st.st_ino,
				     slash ? slash + 1 : final);
		free(final);
		if (n >= 0 && id != NULL)
			return id;
		id = NULL;
	}
	return asprintf(&id, "p:%s", path) < 0 ? NULL : id;
}
