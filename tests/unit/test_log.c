#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "lib/log.h"
#include "tests/unit/cutest.h"

static char dir[] = "/tmp/test_log_XXXXXX";
static char path[96];

static int read_first_line(const char *p, char *buf, size_t cap)
{
	FILE *f = fopen(p, "r");
	int ok;

	if (!f)
		return 0;
	ok = fgets(buf, (int)cap, f) != NULL;
	fclose(f);
	return ok;
}

static int exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static char *numbered(unsigned n)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s.%u", path, n);
	return buf;
}

static void test_file_and_stamps(void)
{
	char line[256];
	unsigned y, mo, d, h, mi, s, us;
	char rest[64];

	log_init(UFTP_LOG_INFO, NULL);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_info("hello %d", 42);
	log_debug("not shown");
	CU_ASSERT(read_first_line(path, line, sizeof(line)));
	CU_ASSERT_EQUAL(sscanf(line, "%4u/%2u/%2u %2u:%2u:%2u.%6u: %63[^\n]", &y, &mo, &d, &h, &mi,
	                       &s, &us, rest),
	                8);
	CU_ASSERT_STRING_EQUAL(rest, "hello 42");
	CU_ASSERT_EQUAL(line[26], ':'); /* "YYYY/MM/DD HH:MM:SS.uuuuuu: " */
	errno = ENOENT;
	log_warn("open %s", "x");
	log_close();
	unlink(path);
	CU_ASSERT_EQUAL(log_open_file("/nonexistent-dir/x.log"), -1);
	log_set_timestamps(0);
}

static void test_rolling(void)
{
	int i;

	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_set_rolling(200, 2);
	for (i = 0; i < 40; i++)
		log_info("line %02d of the rolling test", i);
	CU_ASSERT(exists(path));
	CU_ASSERT(exists(numbered(1)));
	CU_ASSERT(exists(numbered(2)));
	CU_ASSERT(!exists(numbered(3)));
	log_close();
	log_set_rolling(0, 0);
	unlink(path);
	unlink(numbered(1));
	unlink(numbered(2));
}

static void test_reopen(void)
{
	char moved[128], line[256];

	snprintf(moved, sizeof(moved), "%s.moved", path);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_info("before");
	CU_ASSERT_EQUAL(rename(path, moved), 0);
	CU_ASSERT_EQUAL(log_reopen(), 0);
	log_info("after");
	CU_ASSERT(read_first_line(path, line, sizeof(line)));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "after"));
	CU_ASSERT(read_first_line(moved, line, sizeof(line)));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "before"));
	log_close();
	CU_ASSERT_EQUAL(log_reopen(), 0); /* no file: nothing to do */
	unlink(path);
	unlink(moved);
}

static void test_limit(void)
{
	const uint64_t s = 1000000000ULL;
	struct log_limit l = LOG_LIMIT_INIT(10 * s, 3);
	uint64_t t = 5 * s;
	unsigned i, shown = 0;

	CU_ASSERT_EQUAL(log_limit_expiry(&l), UINT64_MAX);
	for (i = 0; i < 100; i++)
		shown += (unsigned)log_limit_allow(&l, t + i * (s / 100)); /* 100 in 1 s */
	CU_ASSERT_EQUAL(shown, 3);
	CU_ASSERT_EQUAL(log_limit_expiry(&l), t + 10 * s);
	CU_ASSERT_EQUAL(log_limit_flush(&l, t + 9 * s), 0); /* window still open */
	CU_ASSERT_EQUAL(log_limit_flush(&l, t + 10 * s), 97);
	CU_ASSERT_EQUAL(log_limit_flush(&l, t + 10 * s), 0);
	CU_ASSERT_EQUAL(log_limit_expiry(&l), UINT64_MAX);
	/* a fresh window: the burst is allowed again */
	CU_ASSERT_EQUAL(log_limit_allow(&l, t + 30 * s), 1);
	CU_ASSERT_EQUAL(log_limit_allow(&l, t + 30 * s), 1);
	CU_ASSERT_EQUAL(log_limit_allow(&l, t + 31 * s), 1);
	CU_ASSERT_EQUAL(log_limit_allow(&l, t + 32 * s), 0);
	/* a slow trickle (one per window) is never held back */
	CU_ASSERT_EQUAL(log_limit_flush(&l, t + 45 * s), 1);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(log_limit_allow(&l, t + (60 + 11 * i) * s), 1);
	CU_ASSERT_EQUAL(log_limit_expiry(&l), UINT64_MAX);
}

static const struct cutest tests[] = {
    CUTEST(test_file_and_stamps),
    CUTEST(test_rolling),
    CUTEST(test_reopen),
    CUTEST(test_limit),
};

int main(void)
{
	int rv;

	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(path, sizeof(path), "%s/uftp.log", dir);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	if (cutest_add_suite("log", tests, sizeof(tests) / sizeof(tests[0])))
		return EXIT_FAILURE;
	rv = cutest_run();
	rmdir(dir);
	return rv;
}
