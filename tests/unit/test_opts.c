/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/hostlist.h"
#include "lib/opts.h"
#include "tests/unit/cutest.h"

static char err[UFTP_OPT_ERRLEN];

static void test_long(void)
{
	long v = 0;

	CU_ASSERT_EQUAL(uftp_opt_long(&v, "65536", 65536, 104857600, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 65536);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "0x3f", 0, 63, UFTP_OPT_HEX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 63);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "010", 0, 63, UFTP_OPT_HEX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 10);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "-20", -20, 19, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, -20);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "64", 0, 63, UFTP_OPT_HEX, err, sizeof(err)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_STRING_EQUAL(err, "value 64 out of range 0-63");
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "abc", 0, 63, 0, err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_STRING_EQUAL(err, "invalid number 'abc'");
	CU_ASSERT_EQUAL(v, -20); /* untouched on failure */
}

static void test_long_bad(void)
{
	static const char *const bad[] = {"",    " 1", "1 ", "1x",  "0x10",
	                                  "--1", "+",  "0x", "1e3", "99999999999999999999999",
	                                  "1.5"};
	long v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(uftp_opt_long(&v, bad[i], LONG_MIN, LONG_MAX, 0, err, sizeof(err)),
		                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, "0xg", 0, 9, UFTP_OPT_HEX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_long(&v, NULL, 0, 9, 0, NULL, 0), UFTP_ERR_INVALID);
}

static void test_int(void)
{
	int v;

	CU_ASSERT_EQUAL(uftp_opt_int(&v, "1000", 1, 1000, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 1000);
	CU_ASSERT_EQUAL(uftp_opt_int(&v, "1001", 1, 1000, 0, err, sizeof(err)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_opt_int(&v, "0", 1, 1000, 0, err, sizeof(err)), UFTP_ERR_BADVALUE);
}

static void test_size(void)
{
	uint64_t v;

	CU_ASSERT_EQUAL(uftp_opt_size(&v, "262144", 65536, 104857600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 262144);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "256k", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 262144);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "2M", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 2097152);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "1G", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 1073741824);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "1KB", 0, UINT64_MAX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_STRING_EQUAL(err, "invalid size '1KB'");
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "-1", 0, UINT64_MAX, err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "", 0, UINT64_MAX, err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "17179869184G", 0, UINT64_MAX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_size(&v, "1000", 65536, 104857600, err, sizeof(err)),
	                UFTP_ERR_BADVALUE);
	CU_ASSERT_STRING_EQUAL(err, "size 1000 out of range 65536-104857600");
}

static void test_seconds(void)
{
	uint64_t us;

	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "2", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(us, 2000000);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "0.5", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(us, 500000);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "1.000001", 0, UINT64_MAX, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(us, 1000001);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "1.", 0, UINT64_MAX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, ".5", 0, UINT64_MAX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "1.0000001", 0, UINT64_MAX, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_seconds(&us, "0.01", 100000, 1000000, err, sizeof(err)),
	                UFTP_ERR_BADVALUE);
}

static void test_rate(void)
{
	long r;

	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "1000", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(r, 1000);
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "-1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "abc", err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_STRING_EQUAL(err, "invalid rate 'abc'");
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "0", err, sizeof(err)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "-2", err, sizeof(err)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "2147483648", err, sizeof(err)), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(uftp_opt_rate(&r, "10k", err, sizeof(err)), UFTP_ERR_INVALID);
}

static void test_split(void)
{
	char s1[] = "230.4.4.1, ff02:4:4:2 ,x";
	char s2[] = "a,,b";
	char s3[] = "a,b,c";
	char s4[] = "a,";
	char s5[] = "one";
	char *items[4];

	CU_ASSERT_EQUAL_FATAL(uftp_opt_split(s1, ',', items, 4, err, sizeof(err)), 3);
	CU_ASSERT_STRING_EQUAL(items[0], "230.4.4.1");
	CU_ASSERT_STRING_EQUAL(items[1], "ff02:4:4:2");
	CU_ASSERT_STRING_EQUAL(items[2], "x");
	CU_ASSERT_EQUAL(uftp_opt_split(s2, ',', items, 4, err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_split(s3, ',', items, 2, err, sizeof(err)), UFTP_ERR_NOSPACE);
	CU_ASSERT_EQUAL(uftp_opt_split(s4, ',', items, 4, err, sizeof(err)), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_opt_split(s5, ',', items, 4, err, sizeof(err)), 1);
}

/* Collects host-list entries, failing on a bad one like a driver would. */
struct collect {
	struct uftp_hostent ent[8];
	unsigned lineno[8];
	int n;
};

static int collect_id(void *arg, char *line, unsigned lineno, char *e, size_t elen)
{
	struct collect *c = arg;

	if (c->n == 8)
		return UFTP_ERR_NOSPACE;
	if (uftp_hostent_parse_id(&c->ent[c->n], line) < 0) {
		snprintf(e, elen, "invalid host entry '%s'", line);
		return UFTP_ERR_INVALID;
	}
	c->lineno[c->n++] = lineno;
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void test_read_list(void)
{
	char path[] = "/tmp/test_opts_XXXXXX";
	struct collect c = {0};
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	write_file(path, "# clients\n0x00001111|66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:"
	                 "A6:BE:94:BC\n\n   \t\n  0x00002222   # no key\r\n198.18.0.11");
	CU_ASSERT_EQUAL(uftp_opt_read_list(path, collect_id, &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.n, 3);
	CU_ASSERT_EQUAL(c.ent[0].id, 0x1111);
	CU_ASSERT_EQUAL(c.ent[0].has_fp, 1);
	CU_ASSERT_EQUAL(c.ent[1].id, 0x2222);
	CU_ASSERT_EQUAL(c.lineno[1], 5);
	CU_ASSERT_EQUAL(c.ent[2].id, 0xC612000Bu);
	CU_ASSERT_EQUAL(c.lineno[2], 6);

	write_file(path, "0x1\n0x2|zz\n");
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(uftp_opt_read_list(path, collect_id, &c, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: invalid host entry '0x2|zz'"));
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	unlink(path);
	CU_ASSERT_EQUAL(uftp_opt_read_list(path, collect_id, &c, err, sizeof(err)), UFTP_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

static void test_read_list_long_line(void)
{
	char path[] = "/tmp/test_opts_XXXXXX";
	char line[1100];
	struct collect c = {0};
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	memset(line, 'a', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	write_file(path, line);
	CU_ASSERT_EQUAL(uftp_opt_read_list(path, collect_id, &c, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: line too long"));
	unlink(path);
}

static void test_each(void)
{
	char path[] = "/tmp/test_opts_XXXXXX";
	char arg[64];
	struct collect c = {0};
	int fd = mkstemp(path);

	CU_ASSERT_EQUAL(uftp_opt_each("0x1,0x2, 198.18.0.11", 1, collect_id, &c, err, sizeof(err)),
	                0);
	CU_ASSERT_EQUAL(c.n, 3);
	CU_ASSERT_EQUAL(c.lineno[0], 0);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(uftp_opt_each("0x1,bad", 1, collect_id, &c, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_STRING_EQUAL(err, "invalid host entry 'bad'");
	CU_ASSERT_EQUAL(uftp_opt_each("0x1,,0x2", 1, collect_id, &c, err, sizeof(err)),
	                UFTP_ERR_INVALID);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	write_file(path, "0x5\n0x6\n");
	snprintf(arg, sizeof(arg), "@%s", path);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(uftp_opt_each(arg, 1, collect_id, &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_EQUAL(c.ent[1].id, 6);
	CU_ASSERT_EQUAL(uftp_opt_each(arg, 0, collect_id, &c, err, sizeof(err)), UFTP_ERR_INVALID);
	unlink(path);
}

static void test_strlcpy(void)
{
	char buf[4] = "xyz";

	CU_ASSERT_EQUAL(uftp_strlcpy(buf, "abc", sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "abc");
	CU_ASSERT_EQUAL(uftp_strlcpy(buf, "abcd", sizeof(buf)), UFTP_ERR_NOSPACE);
	CU_ASSERT_STRING_EQUAL(buf, "abc");
}

/* ---- the daemons' shared options ---- */

struct own {
	int e, t;
	const char *r;
};

static int own_opt(void *arg, int ch, char *optarg)
{
	struct own *o = arg;

	switch (ch) {
	case 'E': o->e = 1; return 0;
	case 't': o->t = 1; return 0;
	case 'R':
		if (!*optarg)
			return 1;
		o->r = optarg;
		return 0;
	default: return 2;
	}
}

static int keyspec_ok(const char *spec, char *msg, size_t msglen)
{
	if (strncmp(spec, "rsa:", 4) == 0)
		return 0;
	snprintf(msg, msglen, "unknown key type");
	return UFTP_ERR_INVALID;
}

static const struct uftp_daemon_cli cli = {"testd",     "EtR:",  "[ -E ]",   "Tests.",
                                           "  -E  e\n", own_opt, keyspec_ok, NULL};

/* Parses the NULL-terminated words with stdout and stderr muted; returns the parser's result. */
static int parse(struct uftp_daemon_opts *c, struct own *own, const char *const *words)
{
	static char store[32][64]; /* getopt wants writable words (and the parsed keep pointers) */
	char *argv[32];
	int argc = 0, out = dup(1), errfd = dup(2), null = open("/dev/null", O_WRONLY), rv;

	snprintf(store[0], sizeof(store[0]), "testd");
	argv[argc] = store[argc];
	for (argc = 1; *words && argc < 31; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", *words++);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	uftp_daemon_opts_init(c, "testd");
	memset(own, 0, sizeof(*own));
	optind = 0; /* glibc: start over */
	fflush(stdout);
	dup2(null, 1);
	dup2(null, 2);
	rv = uftp_daemon_parse(&cli, c, own, argc, argv);
	fflush(stdout);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	return rv;
}

static void test_daemon_defaults(void)
{
	static const char *const none[] = {NULL};
	struct uftp_daemon_opts c;
	struct own own;

	CU_ASSERT_EQUAL(parse(&c, &own, none), 0);
	CU_ASSERT_STRING_EQUAL(c.prog, "testd");
	CU_ASSERT_EQUAL(c.port, 1044);
	CU_ASSERT_EQUAL(c.bufsize, 262144);
	CU_ASSERT_EQUAL(c.loglevel, 2);
	CU_ASSERT_EQUAL(c.log_count, 5);
	CU_ASSERT_FALSE(c.debug);
	CU_ASSERT_PTR_NULL(c.user);
}

static void test_daemon_shared_and_own(void)
{
	static const char *const w[] = {"-d",     "-p",
	                                "2000",   "-E",
	                                "-Q",     "0x2e",
	                                "-U",     "0x01020304",
	                                "-x",     "4",
	                                "-N",     "-5",
	                                "-g",     "3",
	                                "-n",     "7",
	                                "-k",     "a,b",
	                                "-K",     "rsa:512,rsa:1024",
	                                "-M",     "230.1.1.1,230.2.2.2",
	                                "-R",     "proxy",
	                                "--user", "nobody:nogroup",
	                                "-t",     "-m",
	                                NULL};
	struct uftp_daemon_opts c;
	struct own own;

	CU_ASSERT_EQUAL_FATAL(parse(&c, &own, w), 0);
	CU_ASSERT(c.debug);
	CU_ASSERT_EQUAL(c.port, 2000);
	CU_ASSERT_EQUAL(c.dscp, 0x2e);
	CU_ASSERT(c.have_uid);
	CU_ASSERT_EQUAL(c.uid, 0x01020304);
	CU_ASSERT_EQUAL(c.loglevel, 4);
	CU_ASSERT(c.have_priority);
	CU_ASSERT_EQUAL(c.priority, -5);
	CU_ASSERT_EQUAL(c.log_max, 3ULL << 20);
	CU_ASSERT_EQUAL(c.log_count, 7);
	CU_ASSERT_EQUAL(c.nkeyfiles, 2);
	CU_ASSERT_EQUAL(c.nkeyspecs, 2);
	CU_ASSERT_EQUAL(c.npubs, 2);
	CU_ASSERT_STRING_EQUAL(c.pubs[1], "230.2.2.2");
	CU_ASSERT_STRING_EQUAL(c.user, "nobody:nogroup");
	CU_ASSERT(own.e);
	CU_ASSERT(own.t);
	CU_ASSERT_STRING_EQUAL(own.r, "proxy");
}

static void test_daemon_bad(void)
{
	static const char *const unknown[] = {"-Z", NULL};
	static const char *const stray[] = {"-d", "extra", NULL};
	static const char *const range[] = {"-p", "0", NULL};
	static const char *const uid[] = {"-U", "0", NULL};
	static const char *const counts[] = {"-k", "a", "-K", "rsa:512,rsa:512", NULL};
	static const char *const spec[] = {"-K", "dsa:1024", NULL};
	static const char *const own_bad[] = {"-R", "", NULL};
	static const char *const user[] = {"--user", "", NULL};
	static const char *const *const cases[] = {unknown, stray, range,   uid,
	                                           counts,  spec,  own_bad, user};
	struct uftp_daemon_opts c;
	struct own own;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(parse(&c, &own, cases[i]), 1);
}

static void test_daemon_help_version(void)
{
	static const char *const help[] = {"-d", "--help", NULL};
	static const char *const version[] = {"--version", NULL};
	struct uftp_daemon_opts c;
	struct own own;
	char path[] = "/tmp/test_opts_version_XXXXXX", line[128] = "", want[128];
	int fd = mkstemp(path), out = dup(1);
	FILE *f;

	CU_ASSERT_EQUAL(parse(&c, &own, help), -1);
	CU_ASSERT_EQUAL(parse(&c, &own, version), -1);
	CU_ASSERT_FATAL(fd >= 0);
	fflush(stdout);
	dup2(fd, 1);
	uftp_print_version("testd");
	fflush(stdout);
	dup2(out, 1);
	close(out);
	f = fdopen(fd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	rewind(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	snprintf(want, sizeof(want), "testd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	CU_ASSERT_STRING_EQUAL(line, want);
}

static const struct cutest tests[] = {
    CUTEST(test_long),
    CUTEST(test_long_bad),
    CUTEST(test_int),
    CUTEST(test_size),
    CUTEST(test_seconds),
    CUTEST(test_rate),
    CUTEST(test_split),
    CUTEST(test_read_list),
    CUTEST(test_read_list_long_line),
    CUTEST(test_each),
    CUTEST(test_strlcpy),
    CUTEST(test_daemon_defaults),
    CUTEST(test_daemon_shared_and_own),
    CUTEST(test_daemon_bad),
    CUTEST(test_daemon_help_version),
};

CUTEST_MAIN("opts", tests)
