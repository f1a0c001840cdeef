/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "core/path.h"
#include "tests/unit/cutest.h"

#define CHECK(s) uftp_path_check_relative((s), strlen(s))

static const char *const roots3[] = {"/srv/a", "/data", "/tmp/x/y"};

static int resolve(const char *const *roots, size_t n, const char *name, size_t *idx, char *rel,
                   size_t cap)
{
	return uftp_path_resolve(roots, n, name, strlen(name), idx, rel, cap);
}

static void test_relative_ok(void)
{
	CU_ASSERT_EQUAL(CHECK("a"), 0);
	CU_ASSERT_EQUAL(CHECK("dir/sub/file.txt"), 0);
	CU_ASSERT_EQUAL(CHECK(".hidden"), 0);
	CU_ASSERT_EQUAL(CHECK("..x/x.."), 0);
	CU_ASSERT_EQUAL(CHECK("..."), 0);
	CU_ASSERT_EQUAL(CHECK("caf\xc3\xa9/na\xc3\xafve"), 0); /* UTF-8 is fine */
	CU_ASSERT_EQUAL(CHECK("sp ace/~tilde"), 0);
}

static void test_relative_dots(void)
{
	CU_ASSERT_EQUAL(CHECK(".."), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("."), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a/../b"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("../etc/passwd"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a/.."), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a/./b"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("./a"), UFTP_ERR_BADVALUE);
}

static void test_relative_empty_components(void)
{
	CU_ASSERT_EQUAL(CHECK(""), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_path_check_relative(NULL, 0), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a//b"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("/a"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a/"), UFTP_ERR_BADVALUE); /* trailing slash */
	CU_ASSERT_EQUAL(CHECK("/"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("//"), UFTP_ERR_BADVALUE);
}

static void test_relative_bad_bytes(void)
{
	static const char nul[] = {'a', '\0', 'b'};
	static const char nul_end[] = {'a', 'b', '\0'};
	char c[4] = "a?b";
	int i;

	CU_ASSERT_EQUAL(uftp_path_check_relative(nul, sizeof(nul)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_path_check_relative(nul_end, sizeof(nul_end)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_path_check_relative(nul_end, 2), 0); /* len excludes it */
	for (i = 1; i < 0x20; i++) {
		c[1] = (char)i;
		CU_ASSERT_EQUAL(CHECK(c), UFTP_ERR_BADVALUE);
	}
	c[1] = 0x7f;
	CU_ASSERT_EQUAL(CHECK(c), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("a\nb/c"), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(CHECK("ok/tab\there"), UFTP_ERR_BADVALUE);
}

static void test_relative_lengths(void)
{
	static char buf[UFTP_PATH_MAX + 2];
	size_t i;

	memset(buf, 'x', UFTP_PATH_MAX_COMPONENT);
	buf[UFTP_PATH_MAX_COMPONENT] = '\0';
	CU_ASSERT_EQUAL(CHECK(buf), 0);
	buf[UFTP_PATH_MAX_COMPONENT] = 'x';
	buf[UFTP_PATH_MAX_COMPONENT + 1] = '\0';
	CU_ASSERT_EQUAL(CHECK(buf), UFTP_ERR_BADVALUE);

	/* "xxx/xxx/..." with short components: only the total limit applies */
	for (i = 0; i < UFTP_PATH_MAX; i++)
		buf[i] = (i % 4 == 3) ? '/' : 'x';
	buf[UFTP_PATH_MAX - 1] = 'x';
	CU_ASSERT_EQUAL(uftp_path_check_relative(buf, UFTP_PATH_MAX), 0);
	buf[UFTP_PATH_MAX] = 'x';
	CU_ASSERT_EQUAL(uftp_path_check_relative(buf, UFTP_PATH_MAX + 1), UFTP_ERR_BADVALUE);
}

static void test_resolve_relative(void)
{
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots3, 3, "sub/f", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "sub/f");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "sub/../f", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
}

static void test_resolve_absolute(void)
{
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/dir/f.bin", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_STRING_EQUAL(rel, "dir/f.bin");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/tmp/x/y/z", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 2);
	CU_ASSERT_STRING_EQUAL(rel, "z");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/srv/a/b", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "b");
}

static void test_resolve_absolute_rejected(void)
{
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/etc/passwd", &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data2/x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/dat", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/tmp/x/yy/z", &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/tmp/x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/../etc/passwd", &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "//data/x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(idx, 99); /* untouched on failure */
}

static void test_resolve_nul(void)
{
	static const char name[] = {'/', 'd', 'a', 't', 'a', '\0', '/', 'x'};
	static const char name2[] = {'/', 'd', 'a', 't', 'a', '/', 'x', '\0', 'y'};
	char rel[64];
	size_t idx;

	CU_ASSERT_EQUAL(uftp_path_resolve(roots3, 3, name, sizeof(name), &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_path_resolve(roots3, 3, name2, sizeof(name2), &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
}

static void test_resolve_slash_root(void)
{
	static const char *const slash[] = {"/"};
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(slash, 1, "/etc/x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "etc/x");
	CU_ASSERT_EQUAL(resolve(slash, 1, "/", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(slash, 1, "//x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "x");
	CU_ASSERT_EQUAL(resolve(slash, 1, "//", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(slash, 1, "/../x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(slash, 1, "rel", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "rel");
}

static void test_resolve_trailing_slash_root(void)
{
	static const char *const roots[] = {"/data/", "//"};
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots, 2, "/data/x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "x");
	CU_ASSERT_EQUAL(resolve(roots, 1, "/data/", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots, 1, "/data2/x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots, 2, "/etc/x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_STRING_EQUAL(rel, "etc/x");
}

static void test_resolve_first_match(void)
{
	static const char *const nested[] = {"/data/sub", "/data"};
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(nested, 2, "/data/sub/f", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "f");
	CU_ASSERT_EQUAL(resolve(nested, 2, "/data/subx/f", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_STRING_EQUAL(rel, "subx/f");
}

/*
 * "./x" from the reference sender's "uftp ." and "a//b" from its "-E a -D a/":
 * accepted, the dots and empty components dropped.
 */
static void test_resolve_dot_components(void)
{
	char rel[64];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots3, 3, "./inner.txt", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "inner.txt");
	CU_ASSERT_EQUAL(uftp_path_check_relative(rel, strlen(rel)), 0);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./sub/./s.txt", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "sub/s.txt");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "a/.", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "a");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/./x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_STRING_EQUAL(rel, "x");
	CU_ASSERT_EQUAL(resolve(roots3, 3, ".", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./.", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/.", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./../x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data//.//", &idx, rel, sizeof(rel)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "a//../x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/./data/x", &idx, rel, sizeof(rel)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, ".//x", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "x");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "remote//hello.txt", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_STRING_EQUAL(rel, "remote/hello.txt");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data//x/", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
	CU_ASSERT_STRING_EQUAL(rel, "x");
	CU_ASSERT_EQUAL(uftp_path_check_relative("a//b", 4), UFTP_ERR_BADVALUE);
	/* the capacity needed is that of the result */
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./././abcde", &idx, rel, 6), 0);
	CU_ASSERT_STRING_EQUAL(rel, "abcde");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "./abcdef", &idx, rel, 6), UFTP_ERR_NOSPACE);
}

static void test_resolve_errors(void)
{
	char rel[6];
	size_t idx = 99;

	CU_ASSERT_EQUAL(resolve(roots3, 0, "a", &idx, rel, sizeof(rel)), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "abcde", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_STRING_EQUAL(rel, "abcde");
	CU_ASSERT_EQUAL(resolve(roots3, 3, "abcdef", &idx, rel, sizeof(rel)), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/abcdef", &idx, rel, sizeof(rel)),
	                UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(resolve(roots3, 3, "/data/abcde", &idx, rel, sizeof(rel)), 0);
	CU_ASSERT_EQUAL(idx, 1);
}

static const struct cutest tests[] = {
    CUTEST(test_relative_ok),
    CUTEST(test_relative_dots),
    CUTEST(test_relative_empty_components),
    CUTEST(test_relative_bad_bytes),
    CUTEST(test_relative_lengths),
    CUTEST(test_resolve_relative),
    CUTEST(test_resolve_absolute),
    CUTEST(test_resolve_absolute_rejected),
    CUTEST(test_resolve_nul),
    CUTEST(test_resolve_slash_root),
    CUTEST(test_resolve_trailing_slash_root),
    CUTEST(test_resolve_first_match),
    CUTEST(test_resolve_dot_components),
    CUTEST(test_resolve_errors),
};

CUTEST_MAIN("path", tests)
