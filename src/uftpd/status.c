/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's reports of finished work: -F status lines, -s post-receive
 * scripts, and the -T move of a completed group into the destination.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

#include "core/path.h"
#include "lib/net.h"
#include "lib/peer.h"
#include "uftpd/status.h"

static void status_line(struct uftpd_status *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void status_line(struct uftpd_status *st, const char *fmt, ...)
{
	char line[UFTP_CLIENT_NAME_MAX + 256];
	va_list ap;

	if (!st->statusfile)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (st->file) {
		fprintf(st->file, "%s\n", line);
		fflush(st->file);
	} else {
		log_info("%s", line);
	}
}

static const char *result_word(int status)
{
	switch (status) {
	case UFTP_COMP_SKIPPED: return "skipped";
	case UFTP_COMP_OVERWRITE: return "overwritten";
	case UFTP_COMP_REJECTED: return "rejected";
	default: return "copied"; /* the 4.10.2 binary's words, not the man page's */
	}
}

static void timestamp(char *ts, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(ts, cap, "%Y/%m/%d-%H:%M:%S", &tm);
}

/* -s: "script -I session_id /full/path" for each file received, not waited for. */
static void run_script(struct uftpd_status *st, const struct uftp_client_event *ev)
{
	char rel[4097], path[8192], sid[16];
	size_t root;
	pid_t pid;

	if (!st->script || st->disk || ev->type != UFTP_CEV_FILE ||
	    (ev->status != UFTP_COMP_NORMAL && ev->status != UFTP_COMP_OVERWRITE) ||
	    ev->ftype != UFTP_FTYPE_REG) /* files only, as the reference */
		return;
	if (uftp_path_resolve(st->roots, st->nroots, ev->text, strlen(ev->text), &root, rel,
	                      sizeof(rel)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s",
	         strcmp(st->roots[root], "/") != 0 ? st->roots[root] : "", rel);
	snprintf(sid, sizeof(sid), "%08X", ev->group_id);
	pid = fork();
	if (pid == 0) {
		execl(st->script, st->script, "-I", sid, path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		log_warn("cannot run %s", st->script);
}

static void spawn(const char *prog, char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(prog, argv);
		_exit(127);
	}
	if (pid < 0)
		log_warn("cannot run %s", prog);
}

#define MAX_MOVED 4096

/* Names directly inside dirfd (caller frees each and the array); count in *n. */
static char **list_dir(int dirfd, size_t *n)
{
	char **names = calloc(MAX_MOVED, sizeof(char *));
	int fd = dup(dirfd);
	struct dirent *de;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	*n = 0;
	if (!dir || !names) {
		if (fd >= 0)
			close(fd);
		free(names);
		return NULL;
	}
	while (*n < MAX_MOVED && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			names[(*n)++] = strdup(de->d_name);
	}
	closedir(dir);
	return names;
}

/* -s after -T: one call with every top-level entry moved. */
static void script_moved(struct uftpd_status *st, uint32_t group_id, char **names, size_t n)
{
	char sid[16], dash[] = "-I", **argv = calloc(n + 4, sizeof(char *));
	char *prog = strdup(st->script);
	size_t i, k = 0;

	if (!argv || !prog) {
		free(argv);
		free(prog);
		return;
	}
	snprintf(sid, sizeof(sid), "%08X", group_id);
	argv[k++] = prog;
	argv[k++] = dash;
	argv[k++] = sid;
	for (i = 0; i < n; i++) {
		size_t len;

		if (!names[i])
			continue; /* its copy failed: list_dir keeps the slot */
		len = strlen(st->roots[0]) + strlen(names[i]) + 2;
		argv[k] = malloc(len);
		if (argv[k])
			snprintf(argv[k], len, "%s/%s", st->roots[0], names[i]), k++;
	}
	spawn(prog, argv);
	for (i = 3; i < k; i++)
		free(argv[i]);
	free(argv);
	free(prog);
}

/* -s with -T -i: one call per entry moved, "script -I session_id dest/rel". */
static void script_one(struct uftpd_status *st, uint32_t group_id, const char *rel)
{
	char sid[16], dash[] = "-I", path[8192], prog[4096];
	char *argv[5];

	if (!st->script)
		return;
	snprintf(prog, sizeof(prog), "%s", st->script);
	snprintf(sid, sizeof(sid), "%08X", group_id);
	snprintf(path, sizeof(path), "%s/%s", strcmp(st->roots[0], "/") != 0 ? st->roots[0] : "",
	         rel);
	argv[0] = prog;
	argv[1] = dash, argv[2] = sid, argv[3] = path, argv[4] = NULL;
	spawn(prog, argv);
}

struct merge {
	struct uftpd_status *st;
	uint32_t group_id;
	char rel[4097]; /* path of the entry below the destination */
};

/* A file, link or empty directory: renamed over a non-directory (a directory stays). */
static int move_leaf(struct merge *m, int from, int to, const char *name, int is_dir)
{
	struct stat st;

	if (fstatat(to, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		return is_dir ? unlinkat(from, name, AT_REMOVEDIR) : -1;
	if (renameat(from, name, to, name) < 0)
		return -1;
	script_one(m->st, m->group_id, m->rel);
	return 0;
}

/*
 * -i: moves entry `name` of directory from into to one by one, as the
 * reference does: directories are walked (created in the destination when
 * missing), files, links and empty directories are renamed over what is
 * there (nothing else in the destination is deleted) and each one moved is
 * passed to the -s script.  Returns 0 when everything moved.
 */
static int merge_entry(struct merge *m, int from, int to, const char *name, int depth)
{
	struct stat sf;
	size_t i, n = 0, len = strlen(m->rel);
	char **names;
	int f, t, rv = 0, empty;

	if (fstatat(from, name, &sf, AT_SYMLINK_NOFOLLOW) < 0 || depth > 64)
		return -1;
	snprintf(m->rel + len, sizeof(m->rel) - len, "%s%s", len ? "/" : "", name);
	f = S_ISDIR(sf.st_mode)
	        ? openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
	        : -1;
	names = f >= 0 ? list_dir(f, &n) : NULL;
	empty = !names || n == 0;
	if (!S_ISDIR(sf.st_mode) || empty) {
		rv = move_leaf(m, from, to, name, S_ISDIR(sf.st_mode));
		goto out;
	}
	if (mkdirat(to, name, sf.st_mode & 07777) < 0 && errno != EEXIST)
		rv = -1;
	t = rv == 0 ? openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	for (i = 0; t >= 0 && i < n; i++)
		if (names[i] && merge_entry(m, f, t, names[i], depth + 1) < 0)
			rv = -1;
	if (t < 0)
		rv = -1;
	else
		close(t);
	if (rv == 0)
		unlinkat(from, name, AT_REMOVEDIR);
out:
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	if (f >= 0)
		close(f);
	m->rel[len] = 0;
	return rv;
}

/*
 * -T: the session is over; move every top-level entry of temp/_group_ID
 * into the destination, replacing what is there (as the reference does).
 */
static void move_group(struct uftpd_status *st, uint32_t group_id)
{
	struct uftp_fstore *tmp = uftpd_disk_temp(st->disk), *dst = uftpd_disk_root(st->disk, 0);
	char grp[32], sname[64], **names;
	size_t i, n;
	int gfd;

	snprintf(grp, sizeof(grp), "_group_%08X", group_id);
	uftpd_disk_state_name(sname, sizeof(sname), group_id);
	unlinkat(tmp->rootfd, sname, 0); /* a checkpoint of a file now complete */
	gfd = openat(tmp->rootfd, grp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return; /* nothing was received */
	names = list_dir(gfd, &n);
	for (i = 0; names && i < n; i++) {
		if (!names[i])
			continue;
		if (st->individual) {
			struct merge m = {st, group_id, ""};
			if (merge_entry(&m, gfd, dst->rootfd, names[i], 0) < 0)
				log_warn("[%08X] cannot move all of %s into %s", group_id, names[i],
				         dst->root);
			continue;
		}
		uftp_fstore_remove(dst, names[i]); /* absent is fine */
		if (renameat(gfd, names[i], dst->rootfd, names[i]) < 0)
			log_warn("[%08X] cannot move %s/%s/%s to %s", group_id, tmp->root, grp,
			         names[i], dst->root);
	}
	close(gfd);
	if (unlinkat(tmp->rootfd, grp, AT_REMOVEDIR) < 0 && !st->individual)
		log_warn("[%08X] cannot remove %s/%s", group_id, tmp->root, grp);
	if (names && st->script && n && !st->individual)
		script_moved(st, group_id, names, n);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static void status_event(struct uftpd_status *st, const struct uftp_client_event *ev)
{
	char ts[32], ip[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	timestamp(ts, sizeof(ts));
	if (ev->type == UFTP_CEV_CONNECT) {
		uftp_peer_to_addr(&ev->server, &a);
		uftp_addr_ntop(&a, ip, sizeof(ip));
		status_line(st, "CONNECT;%s;%08X;%08X;%s;%s", ts, ev->server_id, ev->group_id, ip,
		            ip);
	} else if (ev->type == UFTP_CEV_FILE) {
		status_line(st, "RESULT;%s;%08X;%08X;%s;%lluKB;%s", ts, ev->server_id, ev->group_id,
		            ev->text, (unsigned long long)(ev->size / 1024),
		            result_word(ev->status));
	}
}

void uftpd_status_event(struct uftpd_status *st, const struct uftp_client_event *ev)
{
	if (ev->type == UFTP_CEV_COMPLETE && st->disk)
		move_group(st, ev->group_id);
	else
		status_event(st, ev), run_script(st, ev);
}

/* -s: a script that could not run or failed is worth a line in the log. */
void uftpd_status_reaped(void *arg, pid_t pid, int status)
{
	struct uftpd_status *st = arg;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		log_warnx("postreceive script %s (pid %d) could not be run", st->script, (int)pid);
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		log_info("postreceive script %s (pid %d) exited with %d", st->script, (int)pid,
		         WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_info("postreceive script %s (pid %d) killed by signal %d", st->script, (int)pid,
		         WTERMSIG(status));
}

int uftpd_status_open(struct uftpd_status *st)
{
	if (st->statusfile && strcmp(st->statusfile, "@LOG") != 0) {
		st->file = fopen(st->statusfile, "a");
		if (!st->file) {
			log_warn("cannot open status file %s", st->statusfile);
			return -1;
		}
	}
	return 0;
}

void uftpd_status_close(struct uftpd_status *st)
{
	if (st->file)
		fclose(st->file);
	st->file = NULL;
}
