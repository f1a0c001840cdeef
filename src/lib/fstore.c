/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Confined file store (see fstore.h).  Every path is walked one component
 * at a time from the root descriptor with O_NOFOLLOW, so no symlink inside
 * the root, planted before or during a transfer, can redirect an operation
 * outside it.  Failures keep errno from the call that failed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/err.h"
#include "core/path.h"
#include "lib/fstore.h"
#include "lib/opts.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Closes fd without disturbing errno. */
static void close_keep(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
}

int uftp_fstore_open(struct uftp_fstore *fs, const char *root)
{
	fs->rootfd = -1;
	fs->root[0] = '\0';
	if (!root || uftp_strlcpy(fs->root, root, sizeof(fs->root)) < 0) {
		errno = ENAMETOOLONG;
		return UFTP_ERR_INVALID;
	}
	fs->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0)
		return UFTP_ERR_IO;
	return 0;
}

void uftp_fstore_close(struct uftp_fstore *fs)
{
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	fs->rootfd = -1;
}

static int check_rel(const char *rel)
{
	if (!rel || uftp_path_check_relative(rel, strlen(rel)) < 0) {
		errno = EINVAL;
		return UFTP_ERR_INVALID;
	}
	return 0;
}

/* Opens directory comp inside dirfd, making it first when asked to. */
static int open_subdir(int dirfd, const char *comp, int create)
{
	int fd = openat(dirfd, comp, DIR_FLAGS);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	if (mkdirat(dirfd, comp, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(dirfd, comp, DIR_FLAGS);
}

int uftp_fstore_parent(struct uftp_fstore *fs, const char *rel, int create, int *dirfd,
                       const char **base)
{
	char comp[UFTP_PATH_MAX_COMPONENT + 1];
	const char *p, *slash;
	int fd, next, rv;

	rv = check_rel(rel);
	if (rv < 0)
		return rv;
	fd = fcntl(fs->rootfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return UFTP_ERR_IO;
	for (p = rel;; p = slash + 1) {
		slash = strchr(p, '/');
		if (!slash)
			break;
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		next = open_subdir(fd, comp, create);
		close_keep(fd);
		if (next < 0)
			return UFTP_ERR_IO;
		fd = next;
	}
	*dirfd = fd;
	*base = p;
	return 0;
}

int uftp_fstore_stat(struct uftp_fstore *fs, const char *rel, struct stat *st)
{
	const char *base;
	int dirfd, rv;

	rv = uftp_fstore_parent(fs, rel, 0, &dirfd, &base);
	if (rv < 0)
		return rv;
	rv = fstatat(dirfd, base, st, AT_SYMLINK_NOFOLLOW) < 0 ? UFTP_ERR_IO : 0;
	close_keep(dirfd);
	return rv;
}

static int remove_at(int dirfd, const char *name);

/* One pass over an open directory, removing every entry; first error kept. */
static int empty_dir(DIR *d)
{
	struct dirent *de;
	int rv = 0, r;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = remove_at(dirfd(d), de->d_name);
		if (r < 0 && rv == 0)
			rv = r;
	}
	if (errno != 0 && rv == 0)
		rv = UFTP_ERR_IO;
	return rv;
}

/*
 * Removes directory name inside dirfd with its contents.  Entries removed
 * while reading may or may not be listed again, so a directory that is
 * still not empty gets a few more passes.
 */
static int remove_tree(int dirfd, const char *name)
{
	int fd, rv = 0, tries, e;
	DIR *d;

	fd = openat(dirfd, name, DIR_FLAGS);
	if (fd < 0)
		return UFTP_ERR_IO;
	d = fdopendir(fd);
	if (!d) {
		close_keep(fd);
		return UFTP_ERR_IO;
	}
	for (tries = 0; tries < 3; tries++) {
		rv = empty_dir(d);
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0) {
			rv = 0;
			break;
		}
		if (errno != ENOTEMPTY && errno != EEXIST) {
			rv = UFTP_ERR_IO;
			break;
		}
		rv = rv < 0 ? rv : UFTP_ERR_IO;
		rewinddir(d);
	}
	e = errno;
	closedir(d);
	errno = e;
	return rv;
}

/* Removes name inside dirfd: a directory tree or any other single entry. */
static int remove_at(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return UFTP_ERR_IO;
	if (S_ISDIR(st.st_mode))
		return remove_tree(dirfd, name);
	return unlinkat(dirfd, name, 0) < 0 ? UFTP_ERR_IO : 0;
}

int uftp_fstore_remove(struct uftp_fstore *fs, const char *rel)
{
	const char *base;
	int dirfd, rv;

	rv = uftp_fstore_parent(fs, rel, 0, &dirfd, &base);
	if (rv < 0)
		return rv;
	rv = remove_at(dirfd, base);
	close_keep(dirfd);
	return rv;
}

/*
 * Checks that fd is a regular file with no other hard link (one planted
 * to a file elsewhere on the file system is never written through), turns
 * off O_NONBLOCK and truncates when asked.  Closes fd on failure.
 */
static int finish_open(int fd, int truncate)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_nlink > 1) {
		errno = S_ISREG(st.st_mode) ? EMLINK : EISDIR;
		goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		goto fail;
	if (truncate && ftruncate(fd, 0) < 0)
		goto fail;
	return fd;
fail:
	close_keep(fd);
	return UFTP_ERR_IO;
}

/*
 * Clears the way for a new regular file base in dirfd; *keep tells that a
 * plain regular file is there to be reused.  A hard-linked file is
 * unlinked rather than truncated.
 */
static int clear_way(int dirfd, const char *base, int replace, int *keep)
{
	struct stat st;

	*keep = 0;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : UFTP_ERR_IO;
	if (S_ISREG(st.st_mode) && st.st_nlink <= 1) {
		*keep = 1;
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return unlinkat(dirfd, base, 0) < 0 ? UFTP_ERR_IO : 0;
	if (!replace)
		return UFTP_ERR_EXISTS;
	return remove_at(dirfd, base);
}

/*
 * O_EXCL when nothing is there and O_NONBLOCK always: whatever slips in
 * after clear_way() (a link, a FIFO, a device) makes the open fail or is
 * refused by finish_open() before a byte is written or truncated.
 */
int uftp_fstore_create(struct uftp_fstore *fs, const char *rel, mode_t mode, int replace)
{
	const char *base;
	int dirfd, fd, rv, keep, flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;

	rv = uftp_fstore_parent(fs, rel, 1, &dirfd, &base);
	if (rv < 0)
		return rv;
	rv = clear_way(dirfd, base, replace, &keep);
	if (rv < 0) {
		close_keep(dirfd);
		return rv;
	}
	fd = openat(dirfd, base, keep ? flags : flags | O_CREAT | O_EXCL, mode);
	close_keep(dirfd);
	if (fd < 0)
		return UFTP_ERR_IO;
	return finish_open(fd, keep);
}

int uftp_fstore_reopen(struct uftp_fstore *fs, const char *rel)
{
	const char *base;
	int dirfd, fd, rv;

	rv = uftp_fstore_parent(fs, rel, 0, &dirfd, &base);
	if (rv < 0)
		return rv;
	fd = openat(dirfd, base, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close_keep(dirfd);
	if (fd < 0)
		return UFTP_ERR_IO;
	return finish_open(fd, 0);
}

int uftp_fstore_mkdir(struct uftp_fstore *fs, const char *rel, mode_t mode)
{
	const char *base;
	struct stat st;
	int dirfd, rv = 0;

	rv = uftp_fstore_parent(fs, rel, 1, &dirfd, &base);
	if (rv < 0)
		return rv;
	if (mkdirat(dirfd, base, mode) < 0) {
		if (errno != EEXIST || fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rv = UFTP_ERR_IO;
		else if (!S_ISDIR(st.st_mode))
			rv = UFTP_ERR_EXISTS;
	}
	close_keep(dirfd);
	return rv;
}

/* Makes the symlink, replacing one non-directory entry in the way. */
static int symlink_at(int dirfd, const char *base, const char *target)
{
	struct stat st;

	if (symlinkat(target, dirfd, base) == 0)
		return 0;
	if (errno != EEXIST)
		return UFTP_ERR_IO;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return UFTP_ERR_IO;
	if (S_ISDIR(st.st_mode))
		return UFTP_ERR_EXISTS;
	if (unlinkat(dirfd, base, 0) < 0 || symlinkat(target, dirfd, base) < 0)
		return UFTP_ERR_IO;
	return 0;
}

int uftp_fstore_symlink(struct uftp_fstore *fs, const char *rel, const char *target)
{
	const char *base;
	int dirfd, rv;

	if (!target || !*target) {
		errno = EINVAL;
		return UFTP_ERR_INVALID;
	}
	rv = uftp_fstore_parent(fs, rel, 1, &dirfd, &base);
	if (rv < 0)
		return rv;
	rv = symlink_at(dirfd, base, target);
	close_keep(dirfd);
	return rv;
}

int uftp_fstore_move(struct uftp_fstore *ffs, const char *from, struct uftp_fstore *tfs,
                     const char *to)
{
	const char *fbase, *tbase;
	int ffd, tfd, rv;

	rv = uftp_fstore_parent(ffs, from, 0, &ffd, &fbase);
	if (rv < 0)
		return rv;
	rv = uftp_fstore_parent(tfs, to, 1, &tfd, &tbase);
	if (rv < 0) {
		close_keep(ffd);
		return rv;
	}
	rv = renameat(ffd, fbase, tfd, tbase) < 0 ? UFTP_ERR_IO : 0;
	close_keep(ffd);
	close_keep(tfd);
	return rv;
}

int uftp_fstore_rename(struct uftp_fstore *fs, const char *from, const char *to)
{
	return uftp_fstore_move(fs, from, fs, to);
}

int uftp_fstore_set_mtime(struct uftp_fstore *fs, const char *rel, int64_t mtime)
{
	struct timespec ts[2];
	const char *base;
	int dirfd, rv;

	rv = uftp_fstore_parent(fs, rel, 0, &dirfd, &base);
	if (rv < 0)
		return rv;
	ts[0].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	rv = utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 ? UFTP_ERR_IO : 0;
	close_keep(dirfd);
	return rv;
}

int uftp_fstore_freespace(struct uftp_fstore *fs, uint64_t *bytes)
{
	struct statvfs sv;

	if (fstatvfs(fs->rootfd, &sv) < 0)
		return UFTP_ERR_IO;
	*bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	return 0;
}
