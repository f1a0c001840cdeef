/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/fstore.h"
#include "lib/log.h"
#include "lib/walk.h"
#include "tests/unit/cutest.h"

/*
 * base/src:  a.txt (5 bytes)  b/{c.txt, d/, e -> c.txt, skipme}  empty/
 *            fifo  z.txt
 * base/ext:  f (outside src, reached only through links)
 */
static char base[64];
static FILE *logfp;

static const char *at(const char *rel)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", base, rel);
	return b;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/uftp-walk-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	CU_ASSERT_FATAL(mkdir(at("src"), 0755) == 0);
	CU_ASSERT_FATAL(mkdir(at("src/b"), 0750) == 0);
	CU_ASSERT_FATAL(mkdir(at("src/b/d"), 0755) == 0);
	CU_ASSERT_FATAL(mkdir(at("src/empty"), 0755) == 0);
	CU_ASSERT_FATAL(mkdir(at("ext"), 0755) == 0);
	put("src/a.txt", "hello");
	put("src/b/c.txt", "c");
	put("src/b/skipme", "x");
	put("src/z.txt", "zz");
	put("ext/f", "outside");
	CU_ASSERT_FATAL(symlink("c.txt", at("src/b/e")) == 0);
	CU_ASSERT_FATAL(mkfifo(at("src/fifo"), 0644) == 0);
	logfp = tmpfile();
	CU_ASSERT_FATAL(logfp != NULL);
	log_init(UFTP_LOG_DEBUG, logfp);
}

/* True when the captured log holds text. */
static int logged(const char *text)
{
	char buf[8192];
	size_t n;

	fflush(logfp);
	rewind(logfp);
	n = fread(buf, 1, sizeof(buf) - 1, logfp);
	buf[n] = '\0';
	fseek(logfp, 0, SEEK_END);
	return strstr(buf, text) != NULL;
}

static void teardown(struct uftp_walk *w)
{
	struct uftp_fstore fs;

	uftp_walk_free(w);
	CU_ASSERT_EQUAL(w->n, 0);
	CU_ASSERT_PTR_NULL(w->ents);
	log_init(UFTP_LOG_WARN, stderr);
	fclose(logfp);
	CU_ASSERT_FATAL(uftp_fstore_open(&fs, base) == 0);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "src"), 0);
	CU_ASSERT_EQUAL(uftp_fstore_remove(&fs, "ext"), 0);
	uftp_fstore_close(&fs);
	CU_ASSERT_EQUAL(rmdir(base), 0);
}

/* Checks entry i: type, name and (for links) target. */
static void expect(const struct uftp_walk *w, size_t i, int type, const char *name,
                   const char *link)
{
	CU_ASSERT_FATAL(i < w->n);
	CU_ASSERT_EQUAL(w->ents[i].type, type);
	CU_ASSERT_STRING_EQUAL(w->ents[i].name, name);
	if (link) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(w->ents[i].link);
		CU_ASSERT_STRING_EQUAL(w->ents[i].link, link);
	} else {
		CU_ASSERT_PTR_NULL(w->ents[i].link);
	}
}

static void test_tree(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};

	setup();
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src"), &o), 9);
	CU_ASSERT_EQUAL(w.n, 9);
	expect(&w, 0, UFTP_WALK_DIR, "src", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "src/a.txt", NULL);
	expect(&w, 2, UFTP_WALK_DIR, "src/b", NULL);
	expect(&w, 3, UFTP_WALK_FILE, "src/b/c.txt", NULL);
	expect(&w, 4, UFTP_WALK_DIR, "src/b/d", NULL);
	expect(&w, 5, UFTP_WALK_LINK, "src/b/e", "c.txt");
	expect(&w, 6, UFTP_WALK_FILE, "src/b/skipme", NULL);
	expect(&w, 7, UFTP_WALK_DIR, "src/empty", NULL);
	expect(&w, 8, UFTP_WALK_FILE, "src/z.txt", NULL);
	CU_ASSERT_EQUAL(w.ents[0].empty_dir, 0);
	CU_ASSERT_EQUAL(w.ents[2].empty_dir, 0);
	CU_ASSERT_EQUAL(w.ents[4].empty_dir, 1);
	CU_ASSERT_EQUAL(w.ents[7].empty_dir, 1);
	CU_ASSERT_EQUAL(w.ents[1].size, 5);
	CU_ASSERT_EQUAL(w.ents[8].size, 2);
	CU_ASSERT_EQUAL(w.ents[0].size, 0);
	CU_ASSERT_EQUAL(w.ents[5].size, 0);
	CU_ASSERT_EQUAL(w.ents[2].mode, 0750);
	CU_ASSERT_STRING_EQUAL(w.ents[3].local, at("src/b/c.txt"));
	CU_ASSERT_STRING_EQUAL(w.ents[0].local, at("src"));
	CU_ASSERT(logged("special file"));
	teardown(&w);
}

static void test_single_and_trailing_slash(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	char p[600];

	setup();
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 1);
	expect(&w, 0, UFTP_WALK_FILE, "a.txt", NULL);
	snprintf(p, sizeof(p), "%s//src/./b//", base);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, p, &o), 5);
	expect(&w, 1, UFTP_WALK_DIR, "b", NULL);
	expect(&w, 2, UFTP_WALK_FILE, "b/c.txt", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[2].local, at("src/b/c.txt"));
	/* a top-level link is sent as a link */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/e"), &o), 1);
	expect(&w, 6, UFTP_WALK_LINK, "e", "c.txt");
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/empty"), &o), 1);
	expect(&w, 7, UFTP_WALK_DIR, "empty", NULL);
	CU_ASSERT_EQUAL(w.ents[7].empty_dir, 1);
	/* special, missing, nameless */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/fifo"), &o), 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/missing"), &o), UFTP_ERR_IO);
	CU_ASSERT(logged("missing"));
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "", &o), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(w.n, 8);
	teardown(&w);
}

static void test_relative_path(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	char cwd[512];

	setup();
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	CU_ASSERT_FATAL(chdir(base) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "src/b/d", &o), 1);
	expect(&w, 0, UFTP_WALK_DIR, "d", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[0].local, "src/b/d");
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "./src/b/", &o), 5);
	expect(&w, 1, UFTP_WALK_DIR, "b", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[2].local, "src/b/c.txt");
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	teardown(&w);
}

static void test_exclude(void)
{
	static const char *const ex[] = {"src/b/skipme", "src/empty", "nomatch", NULL};
	static const char *const ex_dir[] = {"src/b", NULL};
	static const char *const ex_last[] = {"c.txt", NULL};
	static const char *const ex_b[] = {"b/c.txt", NULL};
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	const char *ex_local[2];

	setup();
	o.excludes = ex;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src"), &o), 7);
	expect(&w, 2, UFTP_WALK_DIR, "src/b", NULL);
	expect(&w, 5, UFTP_WALK_LINK, "src/b/e", "c.txt");
	expect(&w, 6, UFTP_WALK_FILE, "src/z.txt", NULL);
	uftp_walk_free(&w);

	o.excludes = ex_dir; /* a directory: nothing below it either */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src"), &o), 4);
	expect(&w, 1, UFTP_WALK_FILE, "src/a.txt", NULL);
	expect(&w, 2, UFTP_WALK_DIR, "src/empty", NULL);
	uftp_walk_free(&w);

	/* a top-level name, and a local path */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	uftp_walk_free(&w);
	ex_local[0] = at("src/b/c.txt"); /* local paths do not match */
	ex_local[1] = NULL;
	o.excludes = ex_local;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	uftp_walk_free(&w);
	o.excludes = ex_last; /* nor does a last element alone */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	uftp_walk_free(&w);
	o.excludes = ex_b;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 4);
	expect(&w, 1, UFTP_WALK_DIR, "b/d", NULL);
	uftp_walk_free(&w);
	o.excludes = ex_b; /* the name before -D applies */
	o.dest_name = "renamed";
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 4);
	expect(&w, 1, UFTP_WALK_DIR, "renamed/d", NULL);
	uftp_walk_free(&w);
	o.dest_name = NULL;
	o.excludes = ex;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/empty"), &o), 1); /* "empty" != "src/empty" */
	teardown(&w);
}

static void test_exclude_empties_dir(void)
{
	static const char *const ex[] = {"b/c.txt", "b/d", "b/e", "b/skipme", NULL};
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};

	setup();
	o.excludes = ex;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 1);
	expect(&w, 0, UFTP_WALK_DIR, "b", NULL);
	CU_ASSERT_EQUAL(w.ents[0].empty_dir, 0); /* the reference sends nothing for it */
	uftp_walk_free(&w);
	/* only special files below: empty too */
	CU_ASSERT_EQUAL(unlink(at("src/a.txt")), 0);
	CU_ASSERT_EQUAL(unlink(at("src/z.txt")), 0);
	CU_ASSERT_EQUAL(rmdir(at("src/empty")), 0);
	CU_ASSERT_EQUAL(rename(at("src/b"), at("ext/b")), 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src"), &o), 1);
	CU_ASSERT_EQUAL(w.ents[0].empty_dir, 0);
	uftp_walk_free(&w);
	CU_ASSERT_EQUAL(unlink(at("src/fifo")), 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src"), &o), 1);
	CU_ASSERT_EQUAL(w.ents[0].empty_dir, 1);
	teardown(&w);
}

static void test_base_dirs(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	const char *bases[4];
	char sr[600], basesl[600], cwd[512];

	setup();
	snprintf(sr, sizeof(sr), "%s/sr", base); /* prefix of "src", not a parent */
	snprintf(basesl, sizeof(basesl), "%s//", base);
	bases[0] = at("ext");
	bases[1] = sr;
	bases[2] = basesl;
	bases[3] = NULL;
	o.bases = bases;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	expect(&w, 0, UFTP_WALK_DIR, "src/b", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "src/b/c.txt", NULL);
	expect(&w, 3, UFTP_WALK_LINK, "src/b/e", "c.txt");
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("ext/f"), &o), 1);
	expect(&w, 5, UFTP_WALK_FILE, "f", NULL);             /* first matching base wins */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("ext"), &o), 1); /* equal to the first base */
	expect(&w, 6, UFTP_WALK_FILE, "f", NULL);
	uftp_walk_free(&w);

	bases[0] = sr;
	bases[1] = NULL;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 0);
	CU_ASSERT(logged("not under any base directory"));
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "/etc/hostname", &o), 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "src/a.txt", &o), 0); /* relative vs absolute */
	CU_ASSERT_EQUAL(w.n, 0);
	bases[0] = "/";
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 1);
	CU_ASSERT_STRING_EQUAL(w.ents[0].name, at("src/a.txt") + 1);
	uftp_walk_free(&w);
	/* the base itself: its contents */
	snprintf(sr, sizeof(sr), "%s/src/b/", base);
	bases[0] = sr;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 4);
	expect(&w, 0, UFTP_WALK_FILE, "c.txt", NULL);
	expect(&w, 1, UFTP_WALK_DIR, "d", NULL);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, sr, &o), 4);
	uftp_walk_free(&w);
	o.dest_name = "one"; /* renamed as a whole */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	expect(&w, 0, UFTP_WALK_DIR, "one", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "one/c.txt", NULL);
	uftp_walk_free(&w);
	o.dest_name = NULL;
	/* "." as a base: every relative path */
	bases[0] = ".";
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	CU_ASSERT_FATAL(chdir(base) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "src/b/c.txt", &o), 1);
	expect(&w, 0, UFTP_WALK_FILE, "src/b/c.txt", NULL);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "./ext/f", &o), 1);
	expect(&w, 1, UFTP_WALK_FILE, "ext/f", NULL);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("ext/f"), &o), 0);
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	teardown(&w);
}

static void test_follow_links(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};

	setup();
	CU_ASSERT_FATAL(symlink("../../ext", at("src/b/x")) == 0);
	CU_ASSERT_FATAL(symlink("..", at("src/b/d/loop")) == 0);
	CU_ASSERT_FATAL(symlink("nowhere", at("src/b/dangling")) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 8);
	expect(&w, 2, UFTP_WALK_DIR, "b/d", NULL);
	CU_ASSERT_EQUAL(w.ents[2].empty_dir, 0);
	expect(&w, 3, UFTP_WALK_LINK, "b/d/loop", "..");
	expect(&w, 4, UFTP_WALK_LINK, "b/dangling", "nowhere");
	expect(&w, 7, UFTP_WALK_LINK, "b/x", "../../ext");
	uftp_walk_free(&w);

	o.follow_links = 1;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 7);
	expect(&w, 0, UFTP_WALK_DIR, "b", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "b/c.txt", NULL);
	expect(&w, 2, UFTP_WALK_DIR, "b/d", NULL); /* dangling skipped, loop cut */
	CU_ASSERT_EQUAL(w.ents[2].empty_dir, 0);
	expect(&w, 3, UFTP_WALK_FILE, "b/e", NULL);
	CU_ASSERT_EQUAL(w.ents[3].size, 1);
	expect(&w, 4, UFTP_WALK_FILE, "b/skipme", NULL);
	expect(&w, 5, UFTP_WALK_DIR, "b/x", NULL);
	expect(&w, 6, UFTP_WALK_FILE, "b/x/f", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[6].local, at("src/b/x/f"));
	CU_ASSERT(logged("dangling"));
	CU_ASSERT(logged("loop"));
	/* a top-level link followed */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/e"), &o), 1);
	expect(&w, 7, UFTP_WALK_FILE, "e", NULL);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/dangling"), &o), UFTP_ERR_IO);
	teardown(&w);
}

static void test_dest_name(void)
{
	static const char *const nomatch[] = {"/nonexistent", NULL};
	const char *match[] = {NULL, NULL};
	char srcdir[600];
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};

	setup();
	snprintf(srcdir, sizeof(srcdir), "%s", at("src"));
	match[0] = srcdir;
	o.dest_name = "renamed";
	o.bases = nomatch; /* still decides whether it is sent, as in the reference */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 0);
	CU_ASSERT(logged("not under any base"));
	o.bases = match;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	expect(&w, 0, UFTP_WALK_DIR, "renamed", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "renamed/c.txt", NULL);
	uftp_walk_free(&w);
	o.dest_name = "/abs/dir/";
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 1);
	expect(&w, 0, UFTP_WALK_FILE, "/abs/dir", NULL);
	uftp_walk_free(&w);

	o.bases = NULL;
	o.dest_name = "sub/dest";
	o.dest_is_dir = 1;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 1);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b"), &o), 5);
	expect(&w, 0, UFTP_WALK_FILE, "sub/dest/a.txt", NULL);
	expect(&w, 1, UFTP_WALK_DIR, "sub/dest/b", NULL);
	expect(&w, 2, UFTP_WALK_FILE, "sub/dest/b/c.txt", NULL);
	uftp_walk_free(&w);
	o.bases = nomatch; /* -E applies with the directory form */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 0);
	o.bases = match; /* -E, then -D above it */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/c.txt"), &o), 1);
	expect(&w, 0, UFTP_WALK_FILE, "sub/dest/b/c.txt", NULL);
	teardown(&w);
}

/* ".", ".." and "x/..": their contents, each named as if given alone. */
static void test_dot(void)
{
	static const char *const ex[] = {"./skipme", NULL};
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	char cwd[512];

	setup();
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	CU_ASSERT_FATAL(chdir(at("src/b")) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, ".", &o), 4);
	expect(&w, 0, UFTP_WALK_FILE, "c.txt", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[0].local, "c.txt");
	expect(&w, 1, UFTP_WALK_DIR, "d", NULL);
	expect(&w, 2, UFTP_WALK_LINK, "e", "c.txt");
	expect(&w, 3, UFTP_WALK_FILE, "skipme", NULL);
	uftp_walk_free(&w);
	o.excludes = ex; /* the reference's name for it is "./skipme" */
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "./", &o), 3);
	uftp_walk_free(&w);
	o.excludes = NULL;
	CU_ASSERT_FATAL(chdir("d") == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, "..", &o), 4);
	expect(&w, 0, UFTP_WALK_FILE, "c.txt", NULL);
	CU_ASSERT_STRING_EQUAL(w.ents[0].local, "../c.txt");
	uftp_walk_free(&w);
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/d/.."), &o), 4);
	expect(&w, 1, UFTP_WALK_DIR, "d", NULL);
	uftp_walk_free(&w);
	o.dest_name = "top";
	o.dest_is_dir = 1;
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/."), &o), 5); /* same as src/b */
	expect(&w, 0, UFTP_WALK_DIR, "top/b", NULL);
	uftp_walk_free(&w);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/b/d/.."), &o), 4);
	expect(&w, 0, UFTP_WALK_FILE, "top/c.txt", NULL);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt/.."), &o), UFTP_ERR_IO);
	teardown(&w);
}

static void test_metadata(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	struct timeval tv[2] = {{1577836800, 0}, {1577836800, 0}};

	setup();
	CU_ASSERT_FATAL(utimes(at("src/a.txt"), tv) == 0);
	CU_ASSERT_FATAL(chmod(at("src/a.txt"), 04640) == 0);
	CU_ASSERT_EQUAL(uftp_walk_add(&w, at("src/a.txt"), &o), 1);
	CU_ASSERT_EQUAL(w.ents[0].mtime, 1577836800);
	CU_ASSERT_EQUAL(w.ents[0].mode, 04640);
	CU_ASSERT_EQUAL(w.ents[0].size, 5);
	CU_ASSERT_EQUAL(w.ents[0].empty_dir, 0);
	teardown(&w);
}

/*
 * Walks with src/b unreadable; returns a bitmask of failed checks (run in
 * a child process when the tests run as root).
 */
static int unreadable_checks(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	int bad = 0;

	if (uftp_walk_add(&w, at("src"), &o) != 4 || w.n != 4)
		bad |= 1;
	else if (strcmp(w.ents[2].name, "src/empty") != 0)
		bad |= 2;
	uftp_walk_free(&w);
	if (uftp_walk_add(&w, at("src/b"), &o) != UFTP_ERR_IO || w.n != 0)
		bad |= 4;
	if (uftp_walk_add(&w, at("src/b/c.txt"), &o) != UFTP_ERR_IO)
		bad |= 8;
	uftp_walk_free(&w);
	return bad;
}

/* Root reads anything: the checks then run in a child as nobody. */
static int unreadable_as_nobody(void)
{
	int status;
	pid_t pid;

	CU_ASSERT_FATAL(chmod(base, 0755) == 0);
	fflush(logfp);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		_exit(unreadable_checks());
	}
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static void test_unreadable(void)
{
	struct uftp_walk w = {0};
	int bad;

	setup();
	CU_ASSERT_FATAL(chmod(at("src/b"), 0700) == 0);
	bad = geteuid() == 0 ? unreadable_as_nobody() : unreadable_checks();
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(logged("cannot read directory"));
	CU_ASSERT(logged("cannot stat"));
	CU_ASSERT_FATAL(chmod(at("src/b"), 0755) == 0);
	teardown(&w);
}

static void write_list(const char *rel, const char *dir)
{
	FILE *f = fopen(at(rel), "w");

	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "%s/src/a.txt\n\n%s/src/missing\r\n%s/src/b/d\r\n\n%s/src/z.txt", dir, dir, dir,
	        dir);
	fclose(f);
}

static void test_list(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};

	setup();
	write_list("list", base);
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("list"), &o), 3);
	expect(&w, 0, UFTP_WALK_FILE, "a.txt", NULL);
	expect(&w, 1, UFTP_WALK_DIR, "d", NULL);
	expect(&w, 2, UFTP_WALK_FILE, "z.txt", NULL);
	CU_ASSERT(logged("missing"));
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("nolist"), &o), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(w.n, 3);
	uftp_walk_free(&w);
	/* -D over a longer list: a directory above every name */
	o.dest_name = "dest";
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("list"), &o), 3);
	expect(&w, 0, UFTP_WALK_FILE, "dest/a.txt", NULL);
	expect(&w, 2, UFTP_WALK_FILE, "dest/z.txt", NULL);
	CU_ASSERT_EQUAL(o.dest_is_dir, 0); /* the caller's options stay as they were */
	uftp_walk_free(&w);
	CU_ASSERT_FATAL(unlink(at("list")) == 0);
	teardown(&w);
}

/* Lines are taken as they are: spaces and '#' belong to the name. */
static void test_list_literal(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	FILE *f;

	setup();
	put("src/ a.txt", "space");
	f = fopen(at("list"), "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "%s/src/ a.txt\n\n\n%s/src/a.txt \n# comment\n", base, base);
	fclose(f);
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("list"), &o), 1);
	expect(&w, 0, UFTP_WALK_FILE, " a.txt", NULL);
	CU_ASSERT(logged("a.txt "));
	CU_ASSERT(logged("# comment"));
	uftp_walk_free(&w);
	/* one name with -D: renamed */
	f = fopen(at("list"), "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "\n%s/src/b\n\n", base);
	fclose(f);
	o.dest_name = "newname";
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("list"), &o), 5);
	expect(&w, 0, UFTP_WALK_DIR, "newname", NULL);
	expect(&w, 1, UFTP_WALK_FILE, "newname/c.txt", NULL);
	uftp_walk_free(&w);
	/* an empty list */
	f = fopen(at("list"), "w");
	CU_ASSERT_FATAL(f != NULL);
	fclose(f);
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, at("list"), &o), 0);
	CU_ASSERT_FATAL(unlink(at("list")) == 0);
	teardown(&w);
}

static void test_list_stdin(void)
{
	struct uftp_walk w = {0};
	struct uftp_walk_opts o = {0};
	int saved, fd;

	setup();
	write_list("list", base);
	fd = open(at("list"), O_RDONLY | O_CLOEXEC);
	saved = dup(0);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	CU_ASSERT_FATAL(dup2(fd, 0) == 0);
	close(fd);
	CU_ASSERT_EQUAL(uftp_walk_add_list(&w, "-", &o), 3);
	expect(&w, 2, UFTP_WALK_FILE, "z.txt", NULL);
	CU_ASSERT_FATAL(dup2(saved, 0) == 0);
	close(saved);
	clearerr(stdin);
	CU_ASSERT_FATAL(unlink(at("list")) == 0);
	teardown(&w);
}

static const struct cutest tests[] = {
    CUTEST(test_tree),
    CUTEST(test_single_and_trailing_slash),
    CUTEST(test_relative_path),
    CUTEST(test_exclude),
    CUTEST(test_exclude_empties_dir),
    CUTEST(test_base_dirs),
    CUTEST(test_follow_links),
    CUTEST(test_dest_name),
    CUTEST(test_dot),
    CUTEST(test_metadata),
    CUTEST(test_unreadable),
    CUTEST(test_list),
    CUTEST(test_list_stdin),
    CUTEST(test_list_literal),
};

CUTEST_MAIN("walk", tests)
