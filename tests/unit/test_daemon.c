/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "tests/unit/cutest.h"

static char dir[] = "/tmp/test_daemon_XXXXXX";
static char pidpath[64];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A pid that surely names no process: a child that has been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void test_pidfile_create_remove(void)
{
	struct stat st;

	unlink(pidpath);
	CU_ASSERT_EQUAL_FATAL(uftp_pidfile_create(pidpath, NULL), 0);
	CU_ASSERT_EQUAL(read_long(pidpath), (long)getpid());
	CU_ASSERT_EQUAL(stat(pidpath, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777 & ~(mode_t)0022, 0644 & ~(mode_t)0022);
	CU_ASSERT_EQUAL(uftp_pidfile_remove(pidpath), 0);
	CU_ASSERT_EQUAL(access(pidpath, F_OK), -1);
	CU_ASSERT_EQUAL(uftp_pidfile_remove(pidpath), UFTP_ERR_STATE);
}

static void test_pidfile_busy(void)
{
	char text[32];
	pid_t other = 0, parent = getppid();

	snprintf(text, sizeof(text), "%ld\n", (long)parent);
	write_text(pidpath, text);
	CU_ASSERT_EQUAL(uftp_pidfile_create(pidpath, &other), UFTP_ERR_EXISTS);
	CU_ASSERT_EQUAL(other, parent);
	CU_ASSERT_EQUAL(read_long(pidpath), (long)parent);             /* untouched */
	CU_ASSERT_EQUAL(uftp_pidfile_remove(pidpath), UFTP_ERR_STATE); /* not ours */
	CU_ASSERT_EQUAL(access(pidpath, F_OK), 0);
	unlink(pidpath);
}

static void test_pidfile_stale(void)
{
	static const char *const stale[] = {"", "garbage\n", "-5\n", "0\n", "99999999999\n"};
	char text[32];
	size_t i;

	snprintf(text, sizeof(text), "%ld\n", (long)dead_pid());
	write_text(pidpath, text);
	CU_ASSERT_EQUAL(uftp_pidfile_create(pidpath, NULL), 0);
	CU_ASSERT_EQUAL(read_long(pidpath), (long)getpid());
	/* Our own pid left by an earlier boot is stale too. */
	CU_ASSERT_EQUAL(uftp_pidfile_create(pidpath, NULL), 0);
	for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		write_text(pidpath, stale[i]);
		CU_ASSERT_EQUAL(uftp_pidfile_create(pidpath, NULL), 0);
		CU_ASSERT_EQUAL(read_long(pidpath), (long)getpid());
	}
	CU_ASSERT_EQUAL(uftp_pidfile_remove(pidpath), 0);
}

static void test_pidfile_io_error(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/no/such/dir/pid", dir);
	CU_ASSERT_EQUAL(uftp_pidfile_create(path, NULL), UFTP_ERR_IO);
}

/* Runs fn in a child and returns its exit status (-1 if it did not exit in time). */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status, i;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		alarm(10);
		_exit(fn());
	}
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static char marker[96];

/* The daemon reports status 7 if it runs detached in "/"; the launcher exits with it. */
static int daemon_child(void)
{
	struct uftp_daemon d;
	char cwd[8];
	int ok;

	if (uftp_daemonize(&d) < 0)
		return 2;
	ok = getsid(0) != getpid() && getppid() != 0 && getcwd(cwd, sizeof(cwd)) &&
	     strcmp(cwd, "/") == 0;
	write_text(marker, "daemon ran\n");
	uftp_daemon_ready(&d, ok ? 7 : 3);
	uftp_daemon_ready(&d, 9); /* second report ignored */
	return 0;
}

static int daemon_dies(void)
{
	struct uftp_daemon d;

	if (uftp_daemonize(&d) < 0)
		return 2;
	_exit(0); /* dies without reporting */
}

static void test_daemonize(void)
{
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	CU_ASSERT_EQUAL(in_child(daemon_child), 7);
	CU_ASSERT_EQUAL(access(marker, F_OK), 0);
	unlink(marker);
	CU_ASSERT_EQUAL(in_child(daemon_dies), 1);
}

static int drop_child(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (!pw)
		return 77;
	if (uftp_drop_privileges("nobody") < 0)
		return 1;
	return getuid() == pw->pw_uid && geteuid() == pw->pw_uid && getgid() == pw->pw_gid ? 0 : 2;
}

static void test_user_lookup(void)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = 1;
	gid_t gid = 1;

	CU_ASSERT_EQUAL(uftp_user_lookup("no-such-user-xyz", &uid, &gid), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_user_lookup("", &uid, &gid), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_user_lookup(":root", &uid, &gid), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_user_lookup("root:", &uid, &gid), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_user_lookup("root:no-such-group-xyz", &uid, &gid), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_user_lookup("root", &uid, &gid), 0);
	CU_ASSERT_EQUAL(uid, 0);
	CU_ASSERT_EQUAL(gid, 0);
	if (!pw)
		return;
	CU_ASSERT_EQUAL(uftp_user_lookup("nobody:root", &uid, &gid), 0);
	CU_ASSERT_EQUAL(uid, pw->pw_uid);
	CU_ASSERT_EQUAL(gid, 0); /* the group named wins over the login group */
	CU_ASSERT_EQUAL(uftp_user_lookup("nobody", &uid, &gid), 0);
	CU_ASSERT_EQUAL(gid, pw->pw_gid);
}

/* USER:GROUP: the group's gid, and it alone in the supplementary groups. */
static int drop_group_child(void)
{
	struct passwd *pw = getpwnam("nobody");
	gid_t groups[4];

	if (!pw)
		return 77;
	if (uftp_drop_privileges("nobody:root") < 0)
		return 1;
	if (getgid() != 0 || getegid() != 0 || getuid() != pw->pw_uid)
		return 2;
	if (getgroups(4, groups) != 1 || groups[0] != 0)
		return 3;
	return setuid(0) == 0 ? 4 : 0; /* no way back */
}

static void test_drop_privileges(void)
{
	int rv;

	CU_ASSERT_EQUAL(uftp_drop_privileges("no-such-user-xyz"), UFTP_ERR_INVALID);
	if (geteuid() != 0) {
		fprintf(stderr, "[not root: privilege drop skipped] ");
		return;
	}
	rv = in_child(drop_child);
	if (rv == 77)
		fprintf(stderr, "[no user 'nobody': skipped] ");
	else
		CU_ASSERT_EQUAL(rv, 0);
	rv = in_child(drop_group_child);
	if (rv != 77)
		CU_ASSERT_EQUAL(rv, 0);
}

static void count_child(void *arg, pid_t pid, int status)
{
	int *n = arg;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		(*n)++;
}

static void test_reap(void)
{
	pid_t pid = fork();
	int n = 0, i;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(5);
	for (i = 0; i < 500 && n == 0; i++) {
		uftp_reap_children(count_child, &n);
		if (n == 0)
			usleep(10000);
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(uftp_reap_children(NULL, NULL), 0);
}

static const struct cutest tests[] = {
    CUTEST(test_pidfile_create_remove), CUTEST(test_pidfile_busy), CUTEST(test_pidfile_stale),
    CUTEST(test_pidfile_io_error),      CUTEST(test_daemonize),    CUTEST(test_user_lookup),
    CUTEST(test_drop_privileges),       CUTEST(test_reap),
};

int main(void)
{
	int rv;

	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(pidpath, sizeof(pidpath), "%s/uftpd.pid", dir);
	log_init(UFTP_LOG_ERROR, NULL); /* stale-pidfile warnings are expected here */
	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	if (cutest_add_suite("daemon", tests, sizeof(tests) / sizeof(tests[0])))
		return EXIT_FAILURE;
	rv = cutest_run();
	rmdir(dir);
	return rv;
}
