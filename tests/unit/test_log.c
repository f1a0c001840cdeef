/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
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

/* 1 when a line of file p contains what (buf: room for a line). */
static int file_has(const char *p, const char *what, char *buf, size_t cap)
{
	FILE *f = fopen(p, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(buf, (int)cap, f))
		found = strstr(buf, what) != NULL;
	fclose(f);
	return found;
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
	CU_ASSERT_STRING_EQUAL(rest, "info: hello 42");
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

/* in the log or one of its two archives */
static int logged(const char *what)
{
	char line[256];

	return file_has(path, what, line, sizeof(line)) ||
	       file_has(numbered(1), what, line, sizeof(line)) ||
	       file_has(numbered(2), what, line, sizeof(line));
}

/*
 * Debug lines held when the file rolls are all written, to the file of the
 * moment: the held ones once kept the FILE they were told for, and the
 * second of them went to the one the roll had just closed.
 */
static void test_held_over_roll(void)
{
	int i;

	log_init(UFTP_LOG_DEBUG, NULL);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_set_rolling(150, 2);
	log_info("a first line of some sixty bytes, to be near the roll");
	log_debug("held one");
	log_debug("held two");
	log_debug("held three");
	for (i = 0; i < 2; i++)
		log_info("line %02d rolls the file", i);
	log_flush();
	CU_ASSERT(exists(numbered(1)));
	CU_ASSERT(logged("held one"));
	CU_ASSERT(logged("held two"));
	CU_ASSERT(logged("held three"));
	log_close();
	log_set_rolling(0, 0);
	log_init(UFTP_LOG_INFO, NULL);
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

/* Reads the whole file p into buf (NUL-terminated); returns the length or -1. */
static long slurp(const char *p, char *buf, size_t cap)
{
	FILE *f = fopen(p, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* Every level carries its word; a message that starts with it does not get it twice. */
static void test_levels(void)
{
	char buf[2048];

	log_init(UFTP_LOG_DEBUG, NULL);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_errx("bad %s", "thing");
	errno = ENOENT;
	log_err("open %s", "k.pem");
	log_warnx("careful");
	log_warnx("warning: key file is readable");
	log_info("fine");
	log_debug("detail");
	log_msg(UFTP_LOG_TRACE, "hidden below the level");
	log_raw("CONNECT;success;0x01020304");
	log_close();
	CU_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": error: bad thing\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": error: open k.pem: No such file or directory\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": warning: careful\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": warning: key file is readable\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "warning: warning:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": info: fine\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": debug: detail\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "hidden"));
	/* a status line stays as scripts parse it: the time (-L), no level word */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": CONNECT;success;0x01020304\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "info: CONNECT"));
	CU_ASSERT_EQUAL(count(buf, "\n"), 7);
	unlink(path);
	log_set_timestamps(0);
}

/* Started by systemd: "<N>" priorities and no time, only on the stream JOURNAL_STREAM names. */
static void test_journal(void)
{
	char buf[1024], env[64];
	struct stat st;
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(fstat(fileno(f), &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	log_init(UFTP_LOG_DEBUG, f);
	log_set_timestamps(1); /* -T: journald stamps lines itself, so not here */
	log_errx("gone");
	log_warnx("odd");
	log_info("ok");
	log_debug("dbg");
	log_raw("RESULT;x");
	setenv("JOURNAL_STREAM", "1:2", 1); /* another stream: plain lines */
	log_init(UFTP_LOG_DEBUG, f);
	log_set_timestamps(0);
	log_info("plain");
	unsetenv("JOURNAL_STREAM");
	log_init(UFTP_LOG_INFO, NULL);
	fclose(f);
	CU_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "<3>gone\n<4>odd\n<6>ok\n<6>RESULT;x\n<7>dbg\ninfo: plain\n");
	unlink(path);
}

static unsigned hook_calls;

static void hook(void *arg)
{
	(void)arg;
	hook_calls++;
}

/* On a terminal: the program name, the time, the level; the tty hook runs first. */
static void test_terminal(void)
{
	char buf[512] = "", rest[128];
	unsigned y, mo, d, h, mi, s, us;
	int m, fd;
	FILE *f;
	ssize_t n;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	fd = open(ptsname(m), O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	log_init(UFTP_LOG_INFO, f);
	log_set_progname("uftp");
	log_set_tty_hook(hook, NULL);
	CU_ASSERT(log_on_terminal());
	log_warnx("on a terminal");
	log_set_tty_hook(NULL, NULL);
	n = read(m, buf, sizeof(buf) - 1);
	CU_ASSERT(n > 0);
	if (n > 0)
		buf[n] = '\0';
	CU_ASSERT_EQUAL(sscanf(buf, "uftp: %4u/%2u/%2u %2u:%2u:%2u.%6u: %127[^\r\n]", &y, &mo, &d,
	                       &h, &mi, &s, &us, rest),
	                8);
	CU_ASSERT_STRING_EQUAL(rest, "warning: on a terminal");
	CU_ASSERT_EQUAL(hook_calls, 1);
	log_init(UFTP_LOG_INFO, NULL);
	log_set_progname(NULL);
	fclose(f);
	close(m);
}

/* At the highest level with a log file (-x 5 -L), each line is written once, to the file only. */
static void test_no_duplicates(void)
{
	char buf[1024], errpath[128];
	int saved = dup(2), fd;

	snprintf(errpath, sizeof(errpath), "%s.stderr", path);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	close(fd);
	log_init(UFTP_LOG_TRACE, stderr);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_debug("once");
	log_msg(UFTP_LOG_TRACE, "trace once");
	log_raw("STATS;once");
	log_close();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CU_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(count(buf, "once"), 3);
	CU_ASSERT_EQUAL(count(buf, "\n"), 3);
	CU_ASSERT_EQUAL(slurp(errpath, buf, sizeof(buf)), 0);
	unlink(path);
	unlink(errpath);
	log_init(UFTP_LOG_INFO, NULL);
	log_set_timestamps(0);
}

/* A core's debug line and its driver's info line for one event show once; real repeats stay. */
static void test_told_once(void)
{
	char buf[2048];

	log_init(UFTP_LOG_TRACE, NULL);
	CU_ASSERT_EQUAL_FATAL(log_open_file(path), 0);
	log_debug("client 0x0A000002 registered");
	log_info("Client 0x0A000002 registered");
	log_info("Client 0x0A000003 registered");
	log_debug("sending a.txt (6 bytes)");
	log_info("Sending a.txt (6 bytes)");
	log_msg(UFTP_LOG_TRACE, "Sending a.txt (6 bytes)");
	log_info("Sent ANNOUNCE");
	log_info("Sent ANNOUNCE");
	log_debug("sending b.bin (9 bytes)"); /* retold after another line of the turn */
	log_info("Finished a.txt");
	log_warnx("Sending b.bin (9 bytes)");
	log_flush(); /* the loop is about to wait */
	log_debug("phase DATA -> END");
	log_close();
	CU_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(count(buf, "0x0A000002 registered"), 1);
	CU_ASSERT_EQUAL(count(buf, "0x0A000003 registered"), 1);
	CU_ASSERT_EQUAL(count(buf, "ending a.txt"), 2); /* the third telling is news again */
	CU_ASSERT_EQUAL(count(buf, "Sent ANNOUNCE"), 2);
	CU_ASSERT_EQUAL(count(buf, "ending b.bin"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "warning: Sending b.bin"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "debug: phase DATA -> END\n")); /* log_close writes it */
	unlink(path);
	log_init(UFTP_LOG_INFO, NULL);
	log_set_timestamps(0);
}

/* An I/O error keeps the system's reason. */
static void test_reason(void)
{
	errno = ENOENT;
	CU_ASSERT_STRING_EQUAL(log_reason(UFTP_ERR_IO), "No such file or directory");
	errno = EACCES;
	CU_ASSERT_STRING_EQUAL(log_reason(UFTP_ERR_IO), "Permission denied");
	errno = 0;
	CU_ASSERT_STRING_EQUAL(log_reason(UFTP_ERR_IO), uftp_strerror(UFTP_ERR_IO));
	errno = ENOENT;
	CU_ASSERT_STRING_EQUAL(log_reason(UFTP_ERR_KEYFILE), uftp_strerror(UFTP_ERR_KEYFILE));
	CU_ASSERT_STRING_EQUAL(log_level_name(UFTP_LOG_ERROR), "error");
	CU_ASSERT_STRING_EQUAL(log_level_name(UFTP_LOG_TRACE), "trace");
}

static const struct cutest tests[] = {
    CUTEST(test_file_and_stamps), CUTEST(test_levels),        CUTEST(test_journal),
    CUTEST(test_terminal),        CUTEST(test_no_duplicates), CUTEST(test_told_once),
    CUTEST(test_reason),          CUTEST(test_rolling),       CUTEST(test_held_over_roll),
    CUTEST(test_reopen),          CUTEST(test_limit),
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
