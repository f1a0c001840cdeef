/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's disk backend: the client core's file operations on the -D
 * directories (and the -T temp dir), with -A backups, -t temporary names
 * and a write cache per open file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#include "core/err.h"
#include "uftpd/disk.h"

void uftpd_disk_state_name(char *buf, size_t cap, uint32_t group_id)
{
	snprintf(buf, cap, "_group_%08X_restart", group_id); /* the name 4.10.2 uses */
}

/* ---- the write cache ----------------------------------------------------- */

/*
 * Write cache (-c): consecutive blocks of a file are gathered and written
 * with one pwrite, instead of one system call per datagram.
 */
static int pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return UFTP_ERR_IO;
		buf += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

static struct uftpd_disk_file *cache_of(struct uftpd_disk *k, int fd)
{
	size_t i;

	for (i = 0; i < UFTPD_DISK_MAX_OPEN; i++)
		if (k->files[i].fd == fd)
			return &k->files[i];
	return NULL;
}

static int cache_flush(struct uftpd_disk_file *w)
{
	int rv = w->len ? pwrite_all(w->fd, w->buf, w->len, w->off) : 0;

	w->len = 0;
	return rv;
}

/* A free slot for fd, written as tmp (or rel when tmp is NULL) below root; NULL if none. */
static struct uftpd_disk_file *cache_slot(struct uftpd_disk *k, int fd, size_t root,
                                          const char *rel, const char *tmp)
{
	struct uftpd_disk_file *w;
	size_t i;

	for (i = 0; i < UFTPD_DISK_MAX_OPEN; i++) {
		w = &k->files[i];
		if (w->fd >= 0)
			continue;
		if (!w->buf)
			w->buf = malloc(k->o.cache);
		w->fd = fd, w->len = 0;
		w->fs = &k->fs[root], w->root = root;
		w->renamed = tmp != NULL;
		snprintf(w->rel, sizeof(w->rel), "%s", rel);
		snprintf(w->tmp, sizeof(w->tmp), "%s", tmp ? tmp : rel);
		return w;
	}
	return NULL;
}

/* ---- the roots ------------------------------------------------------------ */

/*
 * A destination (or the temp dir) removed or replaced while we run: the
 * reference works by path, so it writes into a new directory of that name
 * and recreates a missing one.  We hold the directory open, so we reopen
 * it when the path no longer leads to it, and make it again (with its
 * parents) when it is gone.
 */
static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		buf[i] = i < n ? '/' : 0;
	}
	return 0;
}

struct uftp_fstore *uftpd_disk_root(struct uftpd_disk *k, size_t root)
{
	struct uftp_fstore *fs = &k->fs[root];
	struct stat sp, sf;
	char path[sizeof(fs->root)];

	if (stat(fs->root, &sp) == 0 && fstat(fs->rootfd, &sf) == 0 && sp.st_dev == sf.st_dev &&
	    sp.st_ino == sf.st_ino)
		return fs;
	snprintf(path, sizeof(path), "%s", fs->root);
	if (mkdir_p(path) < 0) {
		log_warn("cannot make %s again", path);
		return fs;
	}
	uftp_fstore_close(fs);
	if (uftp_fstore_open(fs, path) < 0) {
		log_warn("cannot reopen %s", path);
		return fs;
	}
	log_info("%s was removed or replaced: using the directory now there", path);
	return fs;
}

struct uftp_fstore *uftpd_disk_temp(struct uftpd_disk *k)
{
	return k->o.tempdir && k->nfs > k->o.ndest ? &k->fs[k->o.ndest] : NULL;
}

/*
 * -A: moves an existing regular file root/rel to
 * backup/YYYYMMDD/HHMMSS/<root>/<rel> before it is overwritten.
 */
static int backup_file(struct uftpd_disk *k, size_t root, const char *rel)
{
	char brel[8192], stamp[32];
	const char *base, *bbase;
	int dfd, bfd, rv;
	struct stat st;
	time_t t = time(NULL);
	struct tm tm;

	if (root >= k->nbfs || uftp_fstore_stat(uftpd_disk_root(k, root), rel, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d/%H%M%S", &tm);
	snprintf(brel, sizeof(brel), "%s%s/%s", stamp, k->o.dest[root], rel);
	rv = uftp_fstore_parent(&k->fs[root], rel, 0, &dfd, &base);
	if (rv < 0)
		return rv;
	rv = uftp_fstore_parent(&k->bfs[root], brel, 1, &bfd, &bbase);
	if (rv >= 0) {
		rv = renameat(dfd, base, bfd, bbase) < 0 ? UFTP_ERR_IO : 0;
		close(bfd);
	}
	close(dfd);
	if (rv < 0)
		log_warn("cannot back up %s/%s", k->o.dest[root], rel);
	return rv;
}

/* ---- the file operations ---------------------------------------------------- */

static int f_open(void *arg, size_t root, const char *rel, uint32_t group_id, uint16_t file_id)
{
	struct uftpd_disk *k = arg;
	char tmp[sizeof(k->files[0].tmp)];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.~uftp-%08X-%04X", rel, group_id, file_id);
	if (!k->o.tempfile)
		backup_file(k, root, rel);
	fd = uftp_fstore_create(uftpd_disk_root(k, root), k->o.tempfile ? tmp : rel, 0666, 1);
	if (fd < 0) {
		log_warn("cannot create %s/%s", k->fs[root].root, k->o.tempfile ? tmp : rel);
		return fd;
	}
	if (!cache_slot(k, fd, root, rel, k->o.tempfile ? tmp : NULL)) {
		close(fd);
		uftp_fstore_remove(&k->fs[root], k->o.tempfile ? tmp : rel);
		return UFTP_ERR_NOMEM;
	}
	return fd;
}

/*
 * Saves a file's block bitmap: on a failed session, and every second
 * during a transfer (checkpoints).  Every write cache is flushed first so
 * the blocks marked are in the file; the state is written under a
 * temporary name and renamed, so a kill leaves the old state or the new.
 */
static int f_save_state(void *arg, uint32_t group_id, const char *name, uint64_t size,
                        const uint8_t *bitmap, size_t len)
{
	struct uftpd_disk *k = arg;
	struct uftp_fstore *tmp = &k->fs[k->o.ndest];
	char path[64], part[80], head[UFTP_CLIENT_NAME_MAX + 64];
	int fd, n, rv = 0;
	size_t i;

	for (i = 0; i < UFTPD_DISK_MAX_OPEN; i++)
		if (k->files[i].fd >= 0 && cache_flush(&k->files[i]) < 0)
			rv = UFTP_ERR_IO;
	if (rv < 0)
		return rv; /* the bitmap would claim blocks that are not on disk */
	uftpd_disk_state_name(path, sizeof(path), group_id);
	snprintf(part, sizeof(part), "%s.part", path);
	fd = uftp_fstore_create(tmp, part, 0600, 1);
	if (fd < 0)
		return fd;
	n = snprintf(head, sizeof(head), "uftpd-state 1\n%llu\n%s\n", (unsigned long long)size,
	             name);
	rv = pwrite_all(fd, (const uint8_t *)head, (size_t)n, 0);
	if (rv == 0)
		rv = pwrite_all(fd, bitmap, len, (uint64_t)n);
	if (close(fd) < 0)
		rv = UFTP_ERR_IO;
	if (rv == 0)
		rv = uftp_fstore_rename(tmp, part, path);
	if (rv < 0)
		log_warn("[%08X] cannot save the restart state of %s", group_id, name);
	return rv;
}

static int f_load_state(void *arg, uint32_t group_id, const char *name, uint64_t size,
                        uint8_t *bitmap, size_t len)
{
	struct uftpd_disk *k = arg;
	char path[64], want[UFTP_CLIENT_NAME_MAX + 64];
	size_t hl, cap = len + sizeof(want);
	uint8_t *buf = malloc(cap);
	int fd, n, rv = 0;
	ssize_t got;

	uftpd_disk_state_name(path, sizeof(path), group_id);
	fd = openat(k->fs[k->o.ndest].rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return 0;
	}
	got = pread(fd, buf, cap, 0);
	close(fd);
	n = snprintf(want, sizeof(want), "uftpd-state 1\n%llu\n%s\n", (unsigned long long)size,
	             name);
	hl = (size_t)n;
	if (got == (ssize_t)(hl + len) && memcmp(buf, want, hl) == 0) {
		memcpy(bitmap, buf + hl, len);
		unlinkat(k->fs[k->o.ndest].rootfd, path, 0);
		rv = 1;
	}
	free(buf);
	return rv;
}

static int f_reopen(void *arg, size_t root, const char *rel)
{
	struct uftpd_disk *k = arg;
	int fd = uftp_fstore_reopen(uftpd_disk_root(k, root), rel);

	if (fd >= 0 && !cache_slot(k, fd, root, rel, NULL)) {
		close(fd);
		return UFTP_ERR_NOMEM;
	}
	return fd;
}

static int f_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len)
{
	struct uftpd_disk *k = arg;
	struct uftpd_disk_file *w = cache_of(k, h);
	int rv;

	if (!w || !w->buf || len > k->o.cache) {
		rv = pwrite_all(h, buf, len, off);
		if (rv < 0)
			log_warn("cannot write %s", w ? w->tmp : "a file");
		return rv;
	}
	if (w->len && (off != w->off + w->len || w->len + len > k->o.cache)) {
		rv = cache_flush(w);
		if (rv < 0) {
			log_warn("cannot write %s", w->tmp);
			return rv;
		}
	}
	if (!w->len)
		w->off = off;
	memcpy(w->buf + w->len, buf, len);
	w->len += len;
	return 0;
}

static int f_close(void *arg, int h, int ok, int64_t mtime)
{
	struct uftpd_disk *k = arg;
	struct uftpd_disk_file *w = cache_of(k, h);
	struct timespec ts[2];
	int rv = 0;

	if (w)
		rv = cache_flush(w);
	if (rv < 0)
		log_warn("cannot write %s", w->tmp);
	if (ok && rv == 0) {
		ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (fchmod(h, k->file_mode) < 0 || futimens(h, ts) < 0)
			rv = UFTP_ERR_IO;
	}
	if (close(h) < 0)
		rv = UFTP_ERR_IO;
	if (w && w->renamed && ok && rv == 0) {
		backup_file(k, w->root, w->rel);
		rv = uftp_fstore_rename(w->fs, w->tmp, w->rel);
	}
	/*
	 * A failed file is removed, as the reference does, so nothing partial
	 * looks complete; with -T it stays in the temp dir for a restart.
	 */
	if (w && (!ok || rv < 0) && !k->o.tempdir) {
		if (uftp_fstore_remove(w->fs, w->tmp) == 0)
			log_info("removed the partly received %s", w->tmp);
		else
			log_warn("cannot remove the partly received %s", w->tmp);
	}
	if (w)
		w->fd = -1;
	return rv;
}

static int f_mkdir(void *arg, size_t root, const char *rel)
{
	return uftp_fstore_mkdir(uftpd_disk_root(arg, root), rel, 0777);
}

static int f_symlink(void *arg, size_t root, const char *rel, const char *target)
{
	return uftp_fstore_symlink(uftpd_disk_root(arg, root), rel, target);
}

/* @DELETE: a name that is already gone is done, not refused (as 4.10.2 answers). */
static int f_remove(void *arg, size_t root, const char *rel)
{
	int rv;

	errno = 0;
	rv = uftp_fstore_remove(uftpd_disk_root(arg, root), rel);
	if (rv == UFTP_ERR_IO && (errno == ENOENT || errno == ENOTDIR)) {
		log_info("@DELETE %s: nothing there to delete", rel);
		return 0;
	}
	return rv;
}

static int f_freespace(void *arg, uint64_t *bytes)
{
	struct uftpd_disk *k = arg;

	return uftp_fstore_freespace(&k->fs[0], bytes);
}

static int f_room(void *arg, size_t root, uint64_t *bytes)
{
	struct uftpd_disk *k = arg;

	return root < k->nfs ? uftp_fstore_freespace(uftpd_disk_root(k, root), bytes)
	                     : UFTP_ERR_INVALID;
}

static int f_stat(void *arg, size_t root, const char *rel, uint64_t *size, int64_t *mtime)
{
	struct stat st;

	if (uftp_fstore_stat(uftpd_disk_root(arg, root), rel, &st) < 0)
		return errno == ENOENT ? 0 : UFTP_ERR_IO;
	if (!S_ISREG(st.st_mode))
		return 0;
	*size = (uint64_t)st.st_size;
	*mtime = (int64_t)st.st_mtime;
	return 1;
}

void uftpd_disk_fops(struct uftpd_disk *k, struct uftp_client_fops *f)
{
	int t = k->o.tempdir != NULL;

	*f = (struct uftp_client_fops){.arg = k,
	                               .open = NULL,
	                               .write = f_write,
	                               .close = f_close,
	                               .mkdir = f_mkdir,
	                               .symlink = f_symlink,
	                               .remove = f_remove,
	                               .freespace = f_freespace,
	                               .stat = f_stat,
	                               .open_ex = f_open,
	                               .save_state = t ? f_save_state : NULL,
	                               .load_state = t ? f_load_state : NULL,
	                               .reopen = t ? f_reopen : NULL,
	                               .room = f_room};
}

/* ---- set-up --------------------------------------------------------------- */

/*
 * A destination, temp or backup directory: it must exist and be writable
 * now (as the reference checks at start), so a mistake shows before any
 * session instead of as failed files.
 */
static int open_dir(struct uftp_fstore *fs, const char *dir, const char *what)
{
	if (uftp_fstore_open(fs, dir) < 0) {
		log_warn("%s %s", what, dir);
		return -1;
	}
	if (faccessat(fs->rootfd, ".", W_OK, AT_EACCESS) < 0) {
		log_warn("%s %s is not writable", what, dir);
		uftp_fstore_close(fs);
		return -1;
	}
	return 0;
}

/* -T: received entries are renamed into the destination, which needs one filesystem. */
static int same_fs(const struct uftp_fstore *a, const struct uftp_fstore *b)
{
	struct stat sa, sb;

	return fstat(a->rootfd, &sa) == 0 && fstat(b->rootfd, &sb) == 0 && sa.st_dev == sb.st_dev;
}

int uftpd_disk_init(struct uftpd_disk *k, const struct uftpd_disk_opts *o)
{
	mode_t mask;
	size_t i;

	memset(k, 0, sizeof(*k));
	k->o = *o;
	for (i = 0; i < UFTPD_DISK_MAX_OPEN; i++)
		k->files[i].fd = -1;
	mask = umask(022);
	umask(mask);
	k->file_mode = 0666 & ~mask;
	if (o->ndest > UFTP_CLIENT_MAX_ROOTS - (o->tempdir != NULL) ||
	    o->nbackup > UFTP_CLIENT_MAX_ROOTS)
		return -1;
	for (i = 0; i < o->ndest; i++) {
		if (open_dir(&k->fs[i], o->dest[i], "destination directory") < 0)
			return -1;
		k->nfs++;
	}
	return 0;
}

int uftpd_disk_open_extra(struct uftpd_disk *k)
{
	const struct uftpd_disk_opts *o = &k->o;
	size_t i;

	for (i = 0; i < o->nbackup; i++) {
		if (open_dir(&k->bfs[i], o->backup[i], "backup directory") < 0)
			return -1;
		k->nbfs++;
	}
	if (!o->tempdir)
		return 0;
	if (open_dir(&k->fs[o->ndest], o->tempdir, "temp directory") < 0)
		return -1;
	k->nfs++;
	if (!same_fs(&k->fs[0], &k->fs[o->ndest])) {
		log_warnx("temp directory %s is not on the filesystem of %s (-T needs one)",
		          o->tempdir, o->dest[0]);
		return -1;
	}
	return 0;
}

void uftpd_disk_free(struct uftpd_disk *k)
{
	size_t i;

	for (i = 0; i < k->nfs; i++)
		uftp_fstore_close(&k->fs[i]);
	for (i = 0; i < k->nbfs; i++)
		uftp_fstore_close(&k->bfs[i]);
	for (i = 0; i < UFTPD_DISK_MAX_OPEN; i++) {
		free(k->files[i].buf);
		k->files[i].buf = NULL;
	}
	k->nfs = k->nbfs = 0;
}
