/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's disk backend (src/uftpd/disk.c) through the struct
 * uftp_client_fops it gives the core, on real files in a scratch
 * directory: base/dest (the root), base/backup (-A), base/temp (-T) and
 * base/outside (never to be touched through the backend).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "tests/unit/cutest.h"
#include "uftpd/disk.h"

#define GROUP   0x12345678u
#define FILE_ID 7
#define CACHE   10240 /* the smallest -c */

static char base[64];
static char dest[128], backup[128], temp[128], outside[128];
static char *dests[1] = {dest};
static char *backups[1] = {backup};
static struct uftpd_disk disk;
static struct uftp_client_fops f;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void make_dirs(void)
{
	snprintf(base, sizeof(base), "/tmp/test_uftpd_disk.XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	snprintf(dest, sizeof(dest), "%s/dest", base);
	snprintf(backup, sizeof(backup), "%s/backup", base);
	snprintf(temp, sizeof(temp), "%s/temp", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	CU_ASSERT_FATAL(mkdir(dest, 0755) == 0 && mkdir(backup, 0755) == 0);
	CU_ASSERT_FATAL(mkdir(temp, 0755) == 0 && mkdir(outside, 0755) == 0);
}

/* A fresh scratch directory and a backend on it: -A, -T and -t as asked. */
static void start(int with_backup, int with_temp, int tempfile)
{
	struct uftpd_disk_opts o = {
	    dests, 1, backups, with_backup ? 1 : 0, with_temp ? temp : NULL, tempfile, CACHE};

	make_dirs();
	CU_ASSERT_FATAL(uftpd_disk_init(&disk, &o) == 0);
	CU_ASSERT_FATAL(uftpd_disk_open_extra(&disk) == 0);
	uftpd_disk_fops(&disk, &f);
	CU_ASSERT_FATAL(f.arg == &disk);
}

static void finish(void)
{
	uftpd_disk_free(&disk);
	CU_ASSERT(nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
	CU_ASSERT(access(base, F_OK) < 0);
}

static void path_in(char *buf, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(buf, cap, "%s/%s", dir, rel);

	CU_ASSERT_FATAL(n > 0 && (size_t)n < cap);
}

static int exists(const char *dir, const char *rel)
{
	char p[512];
	struct stat st;

	path_in(p, sizeof(p), dir, rel);
	return lstat(p, &st) == 0;
}

/* The size of dir/rel, -1 when absent. */
static long long size_of(const char *dir, const char *rel)
{
	char p[512];
	struct stat st;

	path_in(p, sizeof(p), dir, rel);
	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

/* Reads up to cap bytes of dir/rel into buf; returns the count, -1 when absent. */
static ssize_t read_all(const char *dir, const char *rel, uint8_t *buf, size_t cap)
{
	char p[512];
	ssize_t n;
	int fd;

	path_in(p, sizeof(p), dir, rel);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n;
}

static void write_text(const char *dir, const char *rel, const char *text)
{
	char p[512];
	FILE *fp;

	path_in(p, sizeof(p), dir, rel);
	fp = fopen(p, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	fclose(fp);
}

static void fill(uint8_t *buf, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)((off + i) * 7 + 3);
}

/* Writes [off, off+len) of the pattern through the backend. */
static void put(int h, uint64_t off, size_t len)
{
	static uint8_t buf[3 * CACHE];

	CU_ASSERT_FATAL(len <= sizeof(buf));
	fill(buf, len, off);
	CU_ASSERT(f.write(f.arg, h, off, buf, len) == 0);
}

static mode_t file_mode(void)
{
	mode_t m = umask(022);

	umask(m);
	return 0666 & ~m;
}

/*
 * Out of order, overlapping the cache: blocks that continue the cached run
 * stay in memory, a jump flushes, a write larger than the cache goes
 * straight to disk; close flushes the rest, sets the mode and the mtime.
 */
static void test_write_order_cache_close_ok(void)
{
	const size_t B = 1000, total = 30 * B + 3 * CACHE;
	static uint8_t got[30 * 1000 + 3 * CACHE + 16], want[sizeof(got)];
	struct stat st;
	char p[512];
	int h;

	start(0, 0, 0);
	h = f.open_ex(f.arg, 0, "sub/dir/file.bin", GROUP, FILE_ID);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT(exists(dest, "sub/dir/file.bin"));
	put(h, 5 * B, B); /* cached */
	put(h, 6 * B, B); /* continues the run: cached */
	CU_ASSERT(size_of(dest, "sub/dir/file.bin") == 0);
	put(h, 0, B); /* a jump back: the run 5..7 reaches the disk, block 0 is cached */
	CU_ASSERT(size_of(dest, "sub/dir/file.bin") == (long long)(7 * B));
	put(h, B, 4 * B);     /* continues block 0: cached */
	put(h, 7 * B, 5 * B); /* a jump: 0..5 flushed (inside what is there), 7..12 cached */
	CU_ASSERT(size_of(dest, "sub/dir/file.bin") == (long long)(7 * B));
	put(h, 12 * B, 6 * B); /* continues, but over the cache's room: 7..12 flushed first */
	CU_ASSERT(size_of(dest, "sub/dir/file.bin") == (long long)(12 * B));
	put(h, 30 * B,
	    3 * CACHE); /* larger than the cache: straight to disk, 12..18 still cached */
	CU_ASSERT(size_of(dest, "sub/dir/file.bin") == (long long)total);
	put(h, 18 * B, 9 * B); /* continues 12..18, over the room: flushed, 18..27 cached */
	put(h, 27 * B, 3 * B); /* the last gap: 18..27 flushed, 27..30 cached until close */
	CU_ASSERT(read_all(dest, "sub/dir/file.bin", got, sizeof(got)) == (ssize_t)total);
	fill(want, total, 0);
	CU_ASSERT(memcmp(got, want, 27 * B) == 0);
	CU_ASSERT(memcmp(got + 27 * B, want + 27 * B, 3 * B) != 0); /* not written yet */
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	CU_ASSERT(read_all(dest, "sub/dir/file.bin", got, sizeof(got)) == (ssize_t)total);
	fill(want, total, 0);
	CU_ASSERT(memcmp(got, want, total) == 0);
	path_in(p, sizeof(p), dest, "sub/dir/file.bin");
	CU_ASSERT_FATAL(stat(p, &st) == 0);
	CU_ASSERT(st.st_mtime == 1000000000);
	CU_ASSERT((st.st_mode & 07777) == file_mode());
	finish();
}

/* ok = 0 without -T: the partial file is removed, nothing partial looks complete. */
static void test_close_failed_removed(void)
{
	int h;

	start(0, 0, 0);
	h = f.open_ex(f.arg, 0, "part.bin", GROUP, FILE_ID);
	CU_ASSERT_FATAL(h >= 0);
	put(h, 0, 100);
	CU_ASSERT(f.close(f.arg, h, 0, 1000000000) == 0);
	CU_ASSERT(!exists(dest, "part.bin"));
	/* the slot is free again: a second file opens and completes */
	h = f.open_ex(f.arg, 0, "next.bin", GROUP, FILE_ID + 1);
	CU_ASSERT_FATAL(h >= 0);
	put(h, 0, 10);
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	CU_ASSERT(size_of(dest, "next.bin") == 10);
	finish();
}

/* ok = 0 with -T: the partial file stays (its blocks flushed) for a restart; reopen keeps it. */
static void test_close_failed_kept_with_tempdir(void)
{
	uint8_t got[300], want[300];
	int h;

	start(0, 1, 0);
	h = f.open_ex(f.arg, 1, "_group_12345678/p.bin", GROUP, FILE_ID);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT(exists(temp, "_group_12345678/p.bin"));
	put(h, 0, 200);
	CU_ASSERT(f.close(f.arg, h, 0, 0) == 0);
	CU_ASSERT(size_of(temp, "_group_12345678/p.bin") == 200);
	h = f.reopen(f.arg, 1, "_group_12345678/p.bin");
	CU_ASSERT_FATAL(h >= 0);
	put(h, 200, 100);
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	CU_ASSERT(read_all(temp, "_group_12345678/p.bin", got, sizeof(got)) == 300);
	fill(want, 300, 0);
	CU_ASSERT(memcmp(got, want, 300) == 0);
	finish();
}

static void test_mkdir_symlink_remove(void)
{
	char p[512], target[64];
	ssize_t n;

	start(0, 0, 0);
	CU_ASSERT(f.mkdir(f.arg, 0, "a/b/c") == 0);
	CU_ASSERT(f.mkdir(f.arg, 0, "a/b/c") == 0); /* an existing directory is fine */
	path_in(p, sizeof(p), dest, "a/b/c");
	CU_ASSERT(access(p, F_OK) == 0);
	CU_ASSERT(f.symlink(f.arg, 0, "a/link", "b/c") == 0);
	path_in(p, sizeof(p), dest, "a/link");
	n = readlink(p, target, sizeof(target) - 1);
	CU_ASSERT_FATAL(n == 3);
	target[n] = 0;
	CU_ASSERT_STRING_EQUAL(target, "b/c");
	write_text(dest, "a/b/c/x.txt", "x");
	CU_ASSERT(f.remove(f.arg, 0, "a/link") == 0);
	CU_ASSERT(!exists(dest, "a/link"));
	CU_ASSERT(exists(dest, "a/b/c/x.txt"));  /* the link, not its target */
	CU_ASSERT(f.remove(f.arg, 0, "a") == 0); /* a tree */
	CU_ASSERT(!exists(dest, "a"));
	CU_ASSERT(f.remove(f.arg, 0, "a") == 0); /* already gone: done, not refused */
	CU_ASSERT(f.remove(f.arg, 0, "nothing/below") == 0);
	finish();
}

/* -A: an existing file moves to backup/YYYYMMDD/HHMMSS/<dest>/<rel> before it is replaced. */
static void test_backup(void)
{
	char stamp[2][32], rel[2][512];
	uint8_t got[64];
	struct tm tm;
	time_t t;
	int h, i, found = -1;

	start(1, 0, 0);
	CU_ASSERT(f.mkdir(f.arg, 0, "d") == 0);
	write_text(dest, "d/old.txt", "old text");
	for (i = 0; i < 2; i++) {
		t = time(NULL);
		localtime_r(&t, &tm);
		strftime(stamp[i], sizeof(stamp[i]), "%Y%m%d/%H%M%S", &tm);
		snprintf(rel[i], sizeof(rel[i]), "%s%s/d/old.txt", stamp[i], dest);
		if (i == 0) {
			h = f.open_ex(f.arg, 0, "d/old.txt", GROUP, FILE_ID);
			CU_ASSERT_FATAL(h >= 0);
		}
	}
	for (i = 0; i < 2; i++)
		if (exists(backup, rel[i]))
			found = i;
	CU_ASSERT_FATAL(found >= 0);
	CU_ASSERT(read_all(backup, rel[found], got, sizeof(got)) == 8);
	CU_ASSERT(memcmp(got, "old text", 8) == 0);
	put(h, 0, 5);
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	CU_ASSERT(size_of(dest, "d/old.txt") == 5);
	/* a new name: nothing to back up */
	h = f.open_ex(f.arg, 0, "d/new.txt", GROUP, FILE_ID + 1);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	for (i = 0; i < 2; i++) {
		snprintf(rel[i], sizeof(rel[i]), "%s%s/d/new.txt", stamp[i], dest);
		CU_ASSERT(!exists(backup, rel[i]));
	}
	finish();
}

/* -t: written under a temporary name; the final name appears only at a good close. */
static void test_tempfile(void)
{
	const char *tmp = "t/f.txt.~uftp-12345678-0007";
	int h;

	start(0, 0, 1);
	write_text(dest, "keep.txt", "kept");
	h = f.open_ex(f.arg, 0, "t/f.txt", GROUP, FILE_ID);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT(exists(dest, tmp));
	CU_ASSERT(!exists(dest, "t/f.txt"));
	put(h, 0, 50);
	CU_ASSERT(!exists(dest, "t/f.txt"));
	CU_ASSERT(f.close(f.arg, h, 1, 1000000000) == 0);
	CU_ASSERT(!exists(dest, tmp));
	CU_ASSERT(size_of(dest, "t/f.txt") == 50);
	/* a failed -t file: its temporary name is removed, the old file stays */
	h = f.open_ex(f.arg, 0, "keep.txt", GROUP, FILE_ID + 1);
	CU_ASSERT_FATAL(h >= 0);
	CU_ASSERT(exists(dest, "keep.txt.~uftp-12345678-0008"));
	put(h, 0, 20);
	CU_ASSERT(f.close(f.arg, h, 0, 0) == 0);
	CU_ASSERT(!exists(dest, "keep.txt.~uftp-12345678-0008"));
	CU_ASSERT(size_of(dest, "keep.txt") == 4);
	finish();
}

static void test_stat_room(void)
{
	uint64_t size = 0, bytes = 0;
	int64_t mtime = 0;
	int h;

	start(0, 0, 0);
	CU_ASSERT(f.stat(f.arg, 0, "absent", &size, &mtime) == 0);
	h = f.open_ex(f.arg, 0, "s.bin", GROUP, FILE_ID);
	CU_ASSERT_FATAL(h >= 0);
	put(h, 0, 1234);
	CU_ASSERT(f.close(f.arg, h, 1, 1234567890) == 0);
	CU_ASSERT(f.stat(f.arg, 0, "s.bin", &size, &mtime) == 1);
	CU_ASSERT(size == 1234);
	CU_ASSERT(mtime == 1234567890);
	CU_ASSERT(f.mkdir(f.arg, 0, "dir") == 0);
	CU_ASSERT(f.stat(f.arg, 0, "dir", &size, &mtime) == 0); /* not a regular file */
	CU_ASSERT(f.room(f.arg, 0, &bytes) == 0);
	CU_ASSERT(bytes > 0);
	CU_ASSERT(f.room(f.arg, 1, &bytes) == UFTP_ERR_INVALID); /* no temp dir: no root 1 */
	CU_ASSERT(f.freespace(f.arg, &bytes) == 0);
	CU_ASSERT(f.save_state == NULL && f.load_state == NULL && f.reopen == NULL);
	finish();
}

/* -T restarts: a saved bitmap loads once for the same group, name and size. */
static void test_state_round_trip(void)
{
	uint8_t bm[16], got[16];
	size_t i;

	start(0, 1, 0);
	for (i = 0; i < sizeof(bm); i++)
		bm[i] = (uint8_t)(0xA5 ^ i);
	CU_ASSERT(f.load_state(f.arg, GROUP, "dir/name", 16000, got, sizeof(got)) == 0);
	CU_ASSERT(f.save_state(f.arg, GROUP, "dir/name", 16000, bm, sizeof(bm)) == 0);
	CU_ASSERT(exists(temp, "_group_12345678_restart"));
	CU_ASSERT(!exists(temp, "_group_12345678_restart.part"));
	CU_ASSERT(f.load_state(f.arg, GROUP, "dir/name", 16001, got, sizeof(got)) == 0);
	CU_ASSERT(f.load_state(f.arg, GROUP, "dir/other", 16000, got, sizeof(got)) == 0);
	CU_ASSERT(f.load_state(f.arg, GROUP + 1, "dir/name", 16000, got, sizeof(got)) == 0);
	memset(got, 0, sizeof(got));
	CU_ASSERT(f.load_state(f.arg, GROUP, "dir/name", 16000, got, sizeof(got)) == 1);
	CU_ASSERT(memcmp(got, bm, sizeof(bm)) == 0);
	CU_ASSERT(!exists(temp, "_group_12345678_restart")); /* forgotten once loaded */
	CU_ASSERT(f.load_state(f.arg, GROUP, "dir/name", 16000, got, sizeof(got)) == 0);
	finish();
}

/* Names that leave the root, directly or through a planted link, are refused. */
static void test_escape_refused(void)
{
	char p[512], link[512];
	uint64_t size;
	int64_t mtime;

	start(0, 0, 0);
	CU_ASSERT(f.open_ex(f.arg, 0, "../outside/x", GROUP, FILE_ID) < 0);
	CU_ASSERT(f.open_ex(f.arg, 0, "/etc/x", GROUP, FILE_ID) < 0);
	path_in(link, sizeof(link), dest, "planted");
	CU_ASSERT_FATAL(symlink(outside, link) == 0);
	CU_ASSERT(f.open_ex(f.arg, 0, "planted/x", GROUP, FILE_ID) < 0);
	CU_ASSERT(f.mkdir(f.arg, 0, "../outside/d") < 0);
	CU_ASSERT(f.mkdir(f.arg, 0, "planted/d") < 0);
	CU_ASSERT(f.symlink(f.arg, 0, "planted/l", "x") < 0);
	write_text(outside, "victim", "v");
	CU_ASSERT(f.remove(f.arg, 0, "../outside/victim") < 0);
	CU_ASSERT(f.stat(f.arg, 0, "planted/victim", &size, &mtime) <= 0);
	CU_ASSERT(f.remove(f.arg, 0, "planted/victim") <= 0);
	CU_ASSERT(exists(outside, "victim"));
	path_in(p, sizeof(p), outside, "x");
	CU_ASSERT(access(p, F_OK) < 0);
	CU_ASSERT(!exists(outside, "d") && !exists(outside, "l"));
	finish();
}

/* A destination that is missing or a file is refused at start. */
static void test_init_refuses_bad_dest(void)
{
	struct uftpd_disk_opts o = {dests, 1, NULL, 0, NULL, 0, CACHE};

	make_dirs();
	CU_ASSERT(rmdir(dest) == 0);
	CU_ASSERT(uftpd_disk_init(&disk, &o) == -1);
	uftpd_disk_free(&disk);
	write_text(base, "dest", "a file");
	CU_ASSERT(uftpd_disk_init(&disk, &o) == -1);
	finish();
}

static const struct cutest tests[] = {
    CUTEST(test_write_order_cache_close_ok),
    CUTEST(test_close_failed_removed),
    CUTEST(test_close_failed_kept_with_tempdir),
    CUTEST(test_mkdir_symlink_remove),
    CUTEST(test_backup),
    CUTEST(test_tempfile),
    CUTEST(test_stat_room),
    CUTEST(test_state_round_trip),
    CUTEST(test_escape_refused),
    CUTEST(test_init_refuses_bad_dest),
};

CUTEST_MAIN("uftpd_disk", tests)
