/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/fstore.h"
#include "tests/unit/cutest.h"

/*
 * Every test gets a fresh directory base/ holding root/ (the store) and
 * outside/ (must never be touched through the store).
 */
static char base[64];
static char rootdir[128];
static char outdir[128];
static struct uftp_fstore fs;

static void path_in(char *buf, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(buf, cap, "%s/%s", dir, rel);

	CU_ASSERT_FATAL(n > 0 && (size_t)n < cap);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	path_in(p, sizeof(p), dir, rel);
	f = fopen(p, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Reads a small file; returns its text in a static buffer, "" when absent. */
static const char *read_file(const char *dir, const char *rel)
{
	static char buf[256];
	char p[512];
	ssize_t n;
	int fd;

	path_in(p, sizeof(p), dir, rel);
	buf[0] = '\0';
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int exists(const char *dir, const char *rel)
{
	struct stat st;
	char p[512];

	path_in(p, sizeof(p), dir, rel);
	return lstat(p, &st) == 0;
}

static void make_link(const char *target, const char *rel)
{
	char p[512];

	path_in(p, sizeof(p), rootdir, rel);
	CU_ASSERT_FATAL(symlink(target, p) == 0);
}

static void setup(void)
{
	char p[512];

	snprintf(base, sizeof(base), "/tmp/uftp-fstore-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	path_in(rootdir, sizeof(rootdir), base, "root");
	path_in(outdir, sizeof(outdir), base, "outside");
	CU_ASSERT_FATAL(mkdir(rootdir, 0755) == 0);
	CU_ASSERT_FATAL(mkdir(outdir, 0755) == 0);
	write_file(outdir, "secret", "secret");
	path_in(p, sizeof(p), outdir, "sub");
	CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
	write_file(outdir, "sub/keep", "keep");
	CU_ASSERT_FATAL(uftp_fstore_open(&fs, rootdir) == 0);
}

/* Removes base/ through a store opened on it, checking outside/ first. */
static void teardown(void)
{
	struct uftp_fstore top;

	CU_ASSERT_STRING_EQUAL(read_file(outdir, "secret"), "secret");
	CU_ASSERT_STRING_EQUAL(read_file(outdir, "sub/keep"), "keep");
	uftp_fstore_close(&fs);
	CU_ASSERT_EQUAL(fs.rootfd, -1);
	CU_ASSERT_FATAL(uftp_fstore_open(&top, base) == 0);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&top, "root"), 0);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&top, "outside"), 0);
	uftp_fstore_close(&top);
	CU_ASSERT_EQUAL(rmdir(base), 0);
}

static int create_write(const char *rel, const char *text, int replace)
{
	int fd = uftp_fstore_create(&fs, rel, 0644, replace);
	size_t len = strlen(text);

	if (fd < 0)
		return fd;
	CU_ASSERT_EQUAL(write(fd, text, len), (ssize_t)len);
	close(fd);
	return 0;
}

static void test_open_errors(void)
{
	struct uftp_fstore f2;
	char p[512];

	setup();
	path_in(p, sizeof(p), base, "missing");
	CU_ASSERT_EQUAL(uftp_fstore_open(&f2, p), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(f2.rootfd, -1);
	path_in(p, sizeof(p), outdir, "secret");
	CU_ASSERT_EQUAL(uftp_fstore_open(&f2, p), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOTDIR);
	CU_ASSERT_STRING_EQUAL(fs.root, rootdir);
	teardown();
}

static void test_invalid_names(void)
{
	static const char *const bad[] = {"",   "../x", "a/../../x", "/etc/passwd", "a//b",
	                                  "a/", ".",    "..",        "a/./b"};
	struct stat st;
	size_t i;

	setup();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(uftp_fstore_create(&fs, bad[i], 0644, 1), UFTP_ERR_INVALID);
		CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, bad[i], &st), UFTP_ERR_INVALID);
		CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, bad[i]), UFTP_ERR_INVALID);
		CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, bad[i], 0755), UFTP_ERR_INVALID);
	}
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "a", "../a"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "l", ""), UFTP_ERR_INVALID);
	teardown();
}

static void test_create_nested(void)
{
	struct stat st;
	char p[512];
	int fd;

	setup();
	CU_ASSERT_EQUAL(create_write("a/b/c.txt", "hello", 0), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "a/b/c.txt"), "hello");
	path_in(p, sizeof(p), rootdir, "a/b");
	CU_ASSERT_FATAL(lstat(p, &st) == 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "a/b/c.txt", &st), 0);
	CU_ASSERT(S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(st.st_size, 5);
	/* an existing regular file is truncated */
	CU_ASSERT_EQUAL(create_write("a/b/c.txt", "hi", 0), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "a/b/c.txt"), "hi");
	/* a new file gets the mode asked for (umask permitting), an old one keeps its own */
	fd = uftp_fstore_create(&fs, "a/new", 0600, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "a/new", &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(create_write("a/new", "x", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "a/new", &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	/* a file where a parent directory should be */
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "a/b/c.txt/d", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOTDIR);
	teardown();
}

static void test_create_dir_in_way(void)
{
	setup();
	CU_ASSERT_EQUAL(create_write("d/x/y", "y", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "d", 0644, 0), UFTP_ERR_EXISTS);
	CU_ASSERT(exists(rootdir, "d/x/y"));
	CU_ASSERT_EQUAL(create_write("d", "now a file", 1), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "d"), "now a file");
	teardown();
}

static void test_create_symlink_in_way(void)
{
	char target[512];
	struct stat st;

	setup();
	path_in(target, sizeof(target), outdir, "secret");
	make_link(target, "evil");
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "evil", 0644, 0), UFTP_ERR_EXISTS);
	CU_ASSERT_EQUAL(create_write("evil", "pwned", 1), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "evil", &st), 0);
	CU_ASSERT(S_ISREG(st.st_mode));
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "evil"), "pwned");
	/* a dangling link too */
	make_link("/nonexistent/uftp-test", "dangling");
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "dangling", 0644, 0), UFTP_ERR_EXISTS);
	teardown();
}

/* A symlink to a directory outside, used as a parent component. */
static void test_symlink_parent_never_followed(void)
{
	struct stat st;
	const char *b;
	int dfd;

	setup();
	make_link(outdir, "out");
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "out/new", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT(errno == ELOOP || errno == ENOTDIR);
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "out/secret", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "out/sub/keep", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "out/secret"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "out/newdir", 0755), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "out/l", "x"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "out/secret", &st), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "out/secret"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "out/sub"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_set_mtime(&fs, "out/secret", 1000), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "out/secret", "stolen"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "x", "out/x"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_parent(&fs, "out/x", 0, &dfd, &b), UFTP_ERR_IO);
	CU_ASSERT(!exists(outdir, "new"));
	CU_ASSERT(!exists(outdir, "newdir"));
	CU_ASSERT(!exists(outdir, "l"));
	/* deeper: a link two levels down */
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "d1/d2", 0755), 0);
	make_link(outdir, "d1/d2/out");
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "d1/d2/out/new", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT(!exists(outdir, "new"));
	/* a relative link climbing out */
	make_link("../outside", "rel");
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "rel/new", 0644, 1), UFTP_ERR_IO);
	CU_ASSERT(!exists(outdir, "new"));
	CU_ASSERT(exists(outdir, "secret"));
	teardown();
}

static void test_hardlink_not_written_through(void)
{
	char from[512], to[512];

	setup();
	path_in(from, sizeof(from), outdir, "secret");
	path_in(to, sizeof(to), rootdir, "hl");
	if (link(from, to) != 0) {
		teardown();
		return; /* hard links not permitted here (protected_hardlinks) */
	}
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "hl"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, EMLINK);
	CU_ASSERT_EQUAL(create_write("hl", "overwritten", 0), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "hl"), "overwritten");
	teardown();
}

static void test_fifo_never_blocks(void)
{
	char p[512];

	setup();
	path_in(p, sizeof(p), rootdir, "fifo");
	CU_ASSERT_FATAL(mkfifo(p, 0644) == 0);
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "fifo"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_fstore_create(&fs, "fifo", 0644, 0), UFTP_ERR_EXISTS);
	CU_ASSERT_EQUAL(create_write("fifo", "file", 1), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "fifo"), "file");
	teardown();
}

static void test_reopen(void)
{
	int fd;

	setup();
	CU_ASSERT_EQUAL(create_write("r/f", "abcdef", 0), 0);
	fd = uftp_fstore_reopen(&fs, "r/f");
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, "XY", 2, 2), 2);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "r/f"), "abXYef");
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "r/missing"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "nodir/missing"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT(!exists(rootdir, "nodir"));
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "r"), UFTP_ERR_IO);
	make_link("f", "r/lnk");
	CU_ASSERT_EQUAL(uftp_fstore_reopen(&fs, "r/lnk"), UFTP_ERR_IO);
	teardown();
}

static void test_mkdir(void)
{
	struct stat st;

	setup();
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "m/n/o", 0700), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "m/n/o", &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "m/n/o", 0755), 0);
	CU_ASSERT_EQUAL(create_write("m/f", "f", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "m/f", 0755), UFTP_ERR_EXISTS);
	make_link(outdir, "m/l");
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "m/l", 0755), UFTP_ERR_EXISTS);
	teardown();
}

static void test_symlink(void)
{
	char buf[64];
	char p[512];
	ssize_t n;

	setup();
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "s/link", "../target"), 0);
	path_in(p, sizeof(p), rootdir, "s/link");
	n = readlink(p, buf, sizeof(buf) - 1);
	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "../target");
	/* replaces a link and a file, never a directory */
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "s/link", "other"), 0);
	n = readlink(p, buf, sizeof(buf) - 1);
	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, "other");
	CU_ASSERT_EQUAL(create_write("s/file", "x", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "s/file", "t"), 0);
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "s/dir", 0755), 0);
	CU_ASSERT_EQUAL(uftp_fstore_symlink(&fs, "s/dir", "t"), UFTP_ERR_EXISTS);
	teardown();
}

static void test_remove(void)
{
	struct stat st;

	setup();
	CU_ASSERT_EQUAL(create_write("t/a/b/c", "c", 0), 0);
	CU_ASSERT_EQUAL(create_write("t/a/d", "d", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_mkdir(&fs, "t/e/f/g", 0755), 0);
	make_link(outdir, "t/a/out");        /* link to a directory outside */
	make_link("../../outside", "t/rel"); /* relative, climbing out */
	CU_ASSERT_EQUAL(create_write("single", "s", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "single"), 0);
	CU_ASSERT(!exists(rootdir, "single"));
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "t"), 0);
	CU_ASSERT(!exists(rootdir, "t"));
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "t", &st), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "t"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	/* a link to a directory: only the link goes */
	make_link(outdir, "lnk");
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "lnk"), 0);
	CU_ASSERT(!exists(rootdir, "lnk"));
	CU_ASSERT(exists(outdir, "sub/keep"));
	teardown();
}

static void test_remove_wide(void)
{
	char name[32];
	int i;

	setup();
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "w/f%03d", i);
		CU_ASSERT_EQUAL(create_write(name, "", 0), 0);
	}
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "w"), 0);
	CU_ASSERT(!exists(rootdir, "w"));
	teardown();
}

static void test_rename(void)
{
	setup();
	CU_ASSERT_EQUAL(create_write("part/f.tmp", "data", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "part/f.tmp", "final/dir/f"), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "final/dir/f"), "data");
	CU_ASSERT(!exists(rootdir, "part/f.tmp"));
	CU_ASSERT_EQUAL(create_write("g", "new", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "g", "final/dir/f"), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "final/dir/f"), "new");
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "final", "moved"), 0);
	CU_ASSERT(exists(rootdir, "moved/dir/f"));
	CU_ASSERT_EQUAL(uftp_fstore_rename(&fs, "missing", "x"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	teardown();
}

static void test_move(void)
{
	struct uftp_fstore other;

	setup();
	CU_ASSERT_FATAL(uftp_fstore_open(&other, outdir) == 0);
	CU_ASSERT_EQUAL(create_write("f", "moved", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_move(&fs, "f", &other, "20261122/074800/f"), 0);
	CU_ASSERT(!exists(rootdir, "f"));
	CU_ASSERT_STRING_EQUAL(read_file(outdir, "20261122/074800/f"), "moved");
	CU_ASSERT_EQUAL(uftp_fstore_move(&other, "20261122", &fs, "back/again"), 0);
	CU_ASSERT_STRING_EQUAL(read_file(rootdir, "back/again/074800/f"), "moved");
	CU_ASSERT_EQUAL(uftp_fstore_move(&fs, "missing", &other, "x"), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(uftp_fstore_move(&fs, "back", &other, "../x"), UFTP_ERR_INVALID);
	uftp_fstore_close(&other);
	teardown();
}

static void test_set_mtime(void)
{
	struct stat st, out_before, out_after;
	char p[512];

	setup();
	CU_ASSERT_EQUAL(create_write("m/f", "f", 0), 0);
	CU_ASSERT_EQUAL(uftp_fstore_set_mtime(&fs, "m/f", 1000000000), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "m/f", &st), 0);
	CU_ASSERT_EQUAL(st.st_mtime, 1000000000);
	CU_ASSERT_EQUAL(st.st_atime, 1000000000);
	CU_ASSERT_EQUAL(uftp_fstore_set_mtime(&fs, "m", 1234567890), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "m", &st), 0);
	CU_ASSERT_EQUAL(st.st_mtime, 1234567890);
	/* on a link: the link changes, its target does not */
	path_in(p, sizeof(p), outdir, "secret");
	CU_ASSERT_FATAL(stat(p, &out_before) == 0);
	make_link(p, "l");
	CU_ASSERT_EQUAL(uftp_fstore_set_mtime(&fs, "l", 1000), 0);
	CU_ASSERT_EQUAL(uftp_fstore_stat(&fs, "l", &st), 0);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mtime, 1000);
	CU_ASSERT_FATAL(stat(p, &out_after) == 0);
	CU_ASSERT_EQUAL(out_after.st_mtime, out_before.st_mtime);
	CU_ASSERT_EQUAL(uftp_fstore_set_mtime(&fs, "absent", 1000), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	teardown();
}

static void test_parent(void)
{
	struct stat st;
	const char *b = NULL;
	int dfd = -1;

	setup();
	CU_ASSERT_EQUAL(uftp_fstore_parent(&fs, "p/q/r", 0, &dfd, &b), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(uftp_fstore_parent(&fs, "p/q/r", 1, &dfd, &b), 0);
	CU_ASSERT_STRING_EQUAL(b, "r");
	CU_ASSERT(fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL(fstat(dfd, &st), 0);
	CU_ASSERT(S_ISDIR(st.st_mode));
	close(dfd);
	CU_ASSERT(exists(rootdir, "p/q"));
	CU_ASSERT(!exists(rootdir, "p/q/r"));
	CU_ASSERT_EQUAL(uftp_fstore_parent(&fs, "top", 0, &dfd, &b), 0);
	CU_ASSERT_STRING_EQUAL(b, "top");
	CU_ASSERT(dfd != fs.rootfd);
	close(dfd);
	teardown();
}

/* Other processes write to the same file system meanwhile: a range, with slack. */
static void test_freespace(void)
{
	const uint64_t slack = 64ull << 20;
	struct statvfs sv;
	uint64_t bytes = 0, before, after, lo, hi;

	setup();
	CU_ASSERT_FATAL(statvfs(rootdir, &sv) == 0);
	before = (uint64_t)sv.f_bavail * sv.f_frsize;
	CU_ASSERT_EQUAL(uftp_fstore_freespace(&fs, &bytes), 0);
	CU_ASSERT_FATAL(statvfs(rootdir, &sv) == 0);
	after = (uint64_t)sv.f_bavail * sv.f_frsize;
	lo = before < after ? before : after;
	hi = before < after ? after : before;
	CU_ASSERT(bytes + slack >= lo && bytes <= hi + slack);
	teardown();
}

static const struct cutest tests[] = {
    CUTEST(test_open_errors),
    CUTEST(test_invalid_names),
    CUTEST(test_create_nested),
    CUTEST(test_create_dir_in_way),
    CUTEST(test_create_symlink_in_way),
    CUTEST(test_symlink_parent_never_followed),
    CUTEST(test_hardlink_not_written_through),
    CUTEST(test_fifo_never_blocks),
    CUTEST(test_reopen),
    CUTEST(test_mkdir),
    CUTEST(test_symlink),
    CUTEST(test_remove),
    CUTEST(test_remove_wide),
    CUTEST(test_rename),
    CUTEST(test_move),
    CUTEST(test_set_mtime),
    CUTEST(test_parent),
    CUTEST(test_freespace),
};

CUTEST_MAIN("fstore", tests)
