/*
 * uftpd driver: keys, sockets (memberships: member.c), the disk file
 * operations, the status file, and the loop feeding the client core.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* lib/log.h and core/session.h both name their levels UFTP_LOG_*: rename the lib's here. */
#define UFTP_LOG_ERR   UFTPD_LIBLOG_ERR
#define UFTP_LOG_WARN  UFTPD_LIBLOG_WARN
#define UFTP_LOG_INFO  UFTPD_LIBLOG_INFO
#define UFTP_LOG_DEBUG UFTPD_LIBLOG_DEBUG
#include "lib/log.h"
#undef UFTP_LOG_ERR
#undef UFTP_LOG_WARN
#undef UFTP_LOG_INFO
#undef UFTP_LOG_DEBUG

#include "core/err.h"
#include "core/path.h"
#include "crypto/env.h"
#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "crypto/ossl.h"
#include "lib/clock.h"
#include "lib/daemon.h"
#include "lib/fstore.h"
#include "lib/hostlist.h"
#include "lib/iface.h"
#include "lib/loop.h"
#include "lib/net.h"
#include "lib/opts.h"
#include "lib/peer.h"
#include "uftpd/member.h"
#include "uftpd/uftpd.h"

#define RX_BATCH   64
#define RX_BUFLEN  10240 /* an 8800-byte block, headers and an RSA-8192 signature */
#define RX_ROUNDS  8
#define MAX_CACHES UFTP_CLIENT_MAX_SESSIONS /* one open file per session at most */

struct uftpd {
	struct uftpd_opts *o;
	struct uftp_sock s4, s6;
	struct uftp_rx_hold h4, h6; /* receive pacing of s4, s6 */
	struct uftp_ifset ifs;      /* -I: where memberships go */
	struct uftp_fstore fs[UFTP_CLIENT_MAX_ROOTS];
	size_t nfs;
	struct uftp_fstore bfs[UFTP_CLIENT_MAX_ROOTS]; /* -A */
	size_t nbfs;
	struct uftp_pkey *keys[UFTP_CLIENT_MAX_KEYS];
	size_t nkeys;
	struct uftp_client_config cfg;
	struct uftp_client_fops fops;
	struct uftp_env env;
	struct uftp_client *core;
	struct uftp_loop loop;
	int ready4, ready6; /* poll found s4 / s6 readable: read them this turn */
	struct uftpd_members members;
	FILE *status;
	int interrupted;
	uint64_t rx_oversized; /* datagrams over RX_BUFLEN: no UFTP message is that long */
	uint8_t *rxbuf;
};

/* ---- logging and status lines ------------------------------------------ */

static void status_line(struct uftpd *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void status_line(struct uftpd *d, const char *fmt, ...)
{
	char line[UFTP_CLIENT_NAME_MAX + 256];
	va_list ap;

	if (!d->o->statusfile)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->status) {
		fprintf(d->status, "%s\n", line);
		fflush(d->status);
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
static void run_script(struct uftpd *d, const struct uftp_client_event *ev)
{
	char rel[4097], path[8192], sid[16];
	size_t root;
	pid_t pid;

	if (!d->o->script || d->o->tempdir || ev->type != UFTP_CEV_FILE ||
	    (ev->status != UFTP_COMP_NORMAL && ev->status != UFTP_COMP_OVERWRITE) ||
	    ev->ftype != UFTP_FTYPE_REG) /* files only, as the reference */
		return;
	if (uftp_path_resolve(d->cfg.roots, d->cfg.nroots, ev->text, strlen(ev->text), &root, rel,
	                      sizeof(rel)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s",
	         strcmp(d->cfg.roots[root], "/") != 0 ? d->cfg.roots[root] : "", rel);
	snprintf(sid, sizeof(sid), "%08X", ev->group_id);
	pid = fork();
	if (pid == 0) {
		execl(d->o->script, d->o->script, "-I", sid, path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		log_warn("cannot run %s", d->o->script);
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

/* -T restarts: one state file per group in the temp dir, our own format. */
static void state_name(char *buf, size_t cap, uint32_t group_id)
{
	snprintf(buf, cap, "_group_%08X_restart", group_id); /* the name 4.10.2 uses */
}

static struct uftp_fstore *root_fs(struct uftpd *d, size_t root);

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
static void script_moved(struct uftpd *d, uint32_t group_id, char **names, size_t n)
{
	char sid[16], dash[] = "-I", **argv = calloc(n + 4, sizeof(char *));
	char *prog = strdup(d->o->script);
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
		size_t len = strlen(d->o->dest[0]) + strlen(names[i]) + 2;
		argv[k] = malloc(len);
		if (argv[k])
			snprintf(argv[k], len, "%s/%s", d->o->dest[0], names[i]), k++;
	}
	spawn(prog, argv);
	for (i = 3; i < k; i++)
		free(argv[i]);
	free(argv);
	free(prog);
}

/* -s with -T -i: one call per entry moved, "script -I session_id dest/rel". */
static void script_one(struct uftpd *d, uint32_t group_id, const char *rel)
{
	char sid[16], dash[] = "-I", path[8192], prog[4096];
	char *argv[5];

	if (!d->o->script)
		return;
	snprintf(prog, sizeof(prog), "%s", d->o->script);
	snprintf(sid, sizeof(sid), "%08X", group_id);
	snprintf(path, sizeof(path), "%s/%s", strcmp(d->o->dest[0], "/") != 0 ? d->o->dest[0] : "",
	         rel);
	argv[0] = prog;
	argv[1] = dash, argv[2] = sid, argv[3] = path, argv[4] = NULL;
	spawn(prog, argv);
}

struct merge {
	struct uftpd *d;
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
	script_one(m->d, m->group_id, m->rel);
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
static void move_group(struct uftpd *d, uint32_t group_id)
{
	struct uftp_fstore *tmp = &d->fs[d->o->ndest], *dst = root_fs(d, 0);
	char grp[32], st[64], **names;
	size_t i, n;
	int gfd;

	snprintf(grp, sizeof(grp), "_group_%08X", group_id);
	state_name(st, sizeof(st), group_id);
	unlinkat(tmp->rootfd, st, 0); /* a checkpoint of a file now complete */
	gfd = openat(tmp->rootfd, grp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return; /* nothing was received */
	names = list_dir(gfd, &n);
	for (i = 0; names && i < n; i++) {
		if (!names[i])
			continue;
		if (d->o->individual) {
			struct merge m = {d, group_id, ""};
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
	if (unlinkat(tmp->rootfd, grp, AT_REMOVEDIR) < 0 && !d->o->individual)
		log_warn("[%08X] cannot remove %s/%s", group_id, tmp->root, grp);
	if (names && d->o->script && n && !d->o->individual)
		script_moved(d, group_id, names, n);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static void status_event(struct uftpd *d, const struct uftp_client_event *ev)
{
	char ts[32], ip[UFTP_ADDRSTRLEN];
	struct uftp_addr a;

	timestamp(ts, sizeof(ts));
	if (ev->type == UFTP_CEV_CONNECT) {
		uftp_peer_to_addr(&ev->server, &a);
		uftp_addr_ntop(&a, ip, sizeof(ip));
		status_line(d, "CONNECT;%s;%08X;%08X;%s;%s", ts, ev->server_id, ev->group_id, ip,
		            ip);
	} else if (ev->type == UFTP_CEV_FILE) {
		status_line(d, "RESULT;%s;%08X;%08X;%s;%lluKB;%s", ts, ev->server_id, ev->group_id,
		            ev->text, (unsigned long long)(ev->size / 1024),
		            result_word(ev->status));
	}
}

/* ---- multicast memberships ---------------------------------------------- */

static int join_all(struct uftpd *d, const struct uftp_addr *g, int join)
{
	return uftp_sock_join_set(uftp_addr_family(g) == AF_INET6 ? &d->s6 : &d->s4, &d->ifs, g,
	                          NULL, join);
}

/* -S: (S,G) memberships for every listed server address of g's family. */
static int join_ssm(struct uftpd *d, const struct uftp_addr *g, const struct uftp_addr *only,
                    int join)
{
	int v6 = uftp_addr_family(g) == AF_INET6;
	struct uftp_addr src;
	size_t k;
	int ok = 0;

	for (k = 0; k < d->cfg.nservers; k++) {
		const struct uftp_peer_key *e = &d->cfg.servers[k];
		if (e->addr.family != (v6 ? 6 : 4))
			continue;
		uftp_addr_from_bytes(&src, e->addr.addr, v6 ? 16 : 4, 0);
		if (only && !uftp_addr_equal_host(&src, only))
			continue;
		ok += uftp_sock_join_set(v6 ? &d->s6 : &d->s4, &d->ifs, g, &src, join) == 0;
	}
	return ok ? 0 : UFTP_ERR_IO;
}

/* The join function of d->members: ASM on every -I interface, or (S,G) with -S. */
static int member_join(void *arg, const struct uftp_addr *g, int join)
{
	struct uftpd *d = arg;

	if (uftp_addr_is_ssm(g) && d->cfg.nservers)
		return join_ssm(d, g, NULL, join);
	return join_all(d, g, join);
}

/* Joins and leaves what the core's sessions need now (a no-op when nothing changed). */
static void sync_members(struct uftpd *d)
{
	size_t failed = uftpd_members_sync(&d->members, d->core);

	if (failed)
		log_warnx("cannot join a private multicast group (%zu failed)", failed);
}

/* ---- file operations on disk -------------------------------------------- */

/*
 * Write cache (-c): consecutive blocks of a file are gathered and written
 * with one pwrite, instead of one system call per datagram.
 */
/*
 * Every file open for writing: its names (a failed file is removed, a
 * complete -t file renamed) and its write-behind buffer (-c bytes;
 * allocated on first use, NULL if that failed: writes then go straight
 * to disk).
 */
struct wcache {
	int fd; /* -1: free */
	uint64_t off;
	size_t len;
	uint8_t *buf;
	struct uftp_fstore *fs;
	int renamed; /* -t: written as tmp, renamed to rel when complete */
	struct uftpd *d;
	size_t root;
	char rel[4097];
	char tmp[4128];
};

static struct wcache caches[MAX_CACHES];
static size_t cache_size = 1048576;
static mode_t file_mode = 0644; /* 0666 less the umask, as the reference creates files */

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

static struct wcache *cache_of(int fd)
{
	size_t i;

	for (i = 0; i < MAX_CACHES; i++)
		if (caches[i].fd == fd)
			return &caches[i];
	return NULL;
}

static int cache_flush(struct wcache *w)
{
	int rv = w->len ? pwrite_all(w->fd, w->buf, w->len, w->off) : 0;

	w->len = 0;
	return rv;
}

/* A free slot for fd, written as tmp (or rel when tmp is NULL) below root; NULL if none. */
static struct wcache *cache_slot(struct uftpd *d, int fd, size_t root, const char *rel,
                                 const char *tmp)
{
	struct wcache *w;
	size_t i;

	for (i = 0; i < MAX_CACHES; i++) {
		w = &caches[i];
		if (w->fd >= 0)
			continue;
		if (!w->buf)
			w->buf = malloc(cache_size);
		w->fd = fd, w->len = 0;
		w->d = d, w->fs = &d->fs[root], w->root = root;
		w->renamed = tmp != NULL;
		snprintf(w->rel, sizeof(w->rel), "%s", rel);
		snprintf(w->tmp, sizeof(w->tmp), "%s", tmp ? tmp : rel);
		return w;
	}
	return NULL;
}

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

static struct uftp_fstore *root_fs(struct uftpd *d, size_t root)
{
	struct uftp_fstore *fs = &d->fs[root];
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

/*
 * -A: moves an existing regular file root/rel to
 * backup/YYYYMMDD/HHMMSS/<root>/<rel> before it is overwritten.
 */
static int backup_file(struct uftpd *d, size_t root, const char *rel)
{
	char brel[8192], stamp[32];
	const char *base, *bbase;
	int dfd, bfd, rv;
	struct stat st;
	time_t t = time(NULL);
	struct tm tm;

	if (root >= d->nbfs || uftp_fstore_stat(root_fs(d, root), rel, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d/%H%M%S", &tm);
	snprintf(brel, sizeof(brel), "%s%s/%s", stamp, d->o->dest[root], rel);
	rv = uftp_fstore_parent(&d->fs[root], rel, 0, &dfd, &base);
	if (rv < 0)
		return rv;
	rv = uftp_fstore_parent(&d->bfs[root], brel, 1, &bfd, &bbase);
	if (rv >= 0) {
		rv = renameat(dfd, base, bfd, bbase) < 0 ? UFTP_ERR_IO : 0;
		close(bfd);
	}
	close(dfd);
	if (rv < 0)
		log_warn("cannot back up %s/%s", d->o->dest[root], rel);
	return rv;
}

static int f_open(void *arg, size_t root, const char *rel, uint32_t group_id, uint16_t file_id)
{
	struct uftpd *d = arg;
	char tmp[sizeof(caches[0].tmp)];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.~uftp-%08X-%04X", rel, group_id, file_id);
	if (!d->o->tempfile)
		backup_file(d, root, rel);
	fd = uftp_fstore_create(root_fs(d, root), d->o->tempfile ? tmp : rel, 0666, 1);
	if (fd < 0) {
		log_warn("cannot create %s/%s", d->fs[root].root, d->o->tempfile ? tmp : rel);
		return fd;
	}
	if (!cache_slot(d, fd, root, rel, d->o->tempfile ? tmp : NULL)) {
		close(fd);
		uftp_fstore_remove(&d->fs[root], d->o->tempfile ? tmp : rel);
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
	struct uftpd *d = arg;
	struct uftp_fstore *tmp = &d->fs[d->o->ndest];
	char path[64], part[80], head[UFTP_CLIENT_NAME_MAX + 64];
	int fd, n, rv = 0;
	size_t i;

	for (i = 0; i < MAX_CACHES; i++)
		if (caches[i].fd >= 0 && cache_flush(&caches[i]) < 0)
			rv = UFTP_ERR_IO;
	if (rv < 0)
		return rv; /* the bitmap would claim blocks that are not on disk */
	state_name(path, sizeof(path), group_id);
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
	struct uftpd *d = arg;
	char path[64], want[UFTP_CLIENT_NAME_MAX + 64];
	size_t hl, cap = len + sizeof(want);
	uint8_t *buf = malloc(cap);
	int fd, n, rv = 0;
	ssize_t got;

	state_name(path, sizeof(path), group_id);
	fd = openat(d->fs[d->o->ndest].rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
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
		unlinkat(d->fs[d->o->ndest].rootfd, path, 0);
		rv = 1;
	}
	free(buf);
	return rv;
}

static int f_reopen(void *arg, size_t root, const char *rel)
{
	struct uftpd *d = arg;
	int fd = uftp_fstore_reopen(root_fs(d, root), rel);

	if (fd >= 0 && !cache_slot(d, fd, root, rel, NULL)) {
		close(fd);
		return UFTP_ERR_NOMEM;
	}
	return fd;
}

static int f_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len)
{
	struct wcache *w = cache_of(h);
	int rv;

	(void)arg;
	if (!w || !w->buf || len > cache_size) {
		rv = pwrite_all(h, buf, len, off);
		if (rv < 0)
			log_warn("cannot write %s", w ? w->tmp : "a file");
		return rv;
	}
	if (w->len && (off != w->off + w->len || w->len + len > cache_size)) {
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
	struct wcache *w = cache_of(h);
	struct timespec ts[2];
	int rv = 0;

	(void)arg;
	if (w)
		rv = cache_flush(w);
	if (rv < 0)
		log_warn("cannot write %s", w->tmp);
	if (ok && rv == 0) {
		ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (fchmod(h, file_mode) < 0 || futimens(h, ts) < 0)
			rv = UFTP_ERR_IO;
	}
	if (close(h) < 0)
		rv = UFTP_ERR_IO;
	if (w && w->renamed && ok && rv == 0) {
		backup_file(w->d, w->root, w->rel);
		rv = uftp_fstore_rename(w->fs, w->tmp, w->rel);
	}
	/*
	 * A failed file is removed, as the reference does, so nothing partial
	 * looks complete; with -T it stays in the temp dir for a restart.
	 */
	if (w && (!ok || rv < 0) && !w->d->o->tempdir) {
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
	struct uftpd *d = arg;

	return uftp_fstore_mkdir(root_fs(d, root), rel, 0777);
}

static int f_symlink(void *arg, size_t root, const char *rel, const char *target)
{
	struct uftpd *d = arg;

	return uftp_fstore_symlink(root_fs(d, root), rel, target);
}

/* @DELETE: a name that is already gone is done, not refused (as 4.10.2 answers). */
static int f_remove(void *arg, size_t root, const char *rel)
{
	struct uftpd *d = arg;
	int rv;

	errno = 0;
	rv = uftp_fstore_remove(root_fs(d, root), rel);
	if (rv == UFTP_ERR_IO && (errno == ENOENT || errno == ENOTDIR)) {
		log_info("@DELETE %s: nothing there to delete", rel);
		return 0;
	}
	return rv;
}

static int f_freespace(void *arg, uint64_t *bytes)
{
	struct uftpd *d = arg;

	return uftp_fstore_freespace(&d->fs[0], bytes);
}

static int f_room(void *arg, size_t root, uint64_t *bytes)
{
	struct uftpd *d = arg;

	return root < d->nfs ? uftp_fstore_freespace(root_fs(d, root), bytes) : UFTP_ERR_INVALID;
}

static int f_stat(void *arg, size_t root, const char *rel, uint64_t *size, int64_t *mtime)
{
	struct uftpd *d = arg;
	struct stat st;

	if (uftp_fstore_stat(root_fs(d, root), rel, &st) < 0)
		return errno == ENOENT ? 0 : UFTP_ERR_IO;
	if (!S_ISREG(st.st_mode))
		return 0;
	*size = (uint64_t)st.st_size;
	*mtime = (int64_t)st.st_mtime;
	return 1;
}

/* ---- the loop --------------------------------------------------------- */

static void drain_events(struct uftpd *d)
{
	struct uftp_client_event ev;

	while (uftp_client_next_event(d->core, &ev)) {
		if (ev.type == UFTP_CEV_COMPLETE && d->o->tempdir)
			move_group(d, ev.group_id);
		else
			status_event(d, &ev), run_script(d, &ev);
	}
}

static void drain_writes(struct uftpd *d, uint64_t now)
{
	static uint8_t buf[65536];
	struct uftp_dgram dg;
	struct uftp_peer to;
	int n;

	for (;;) {
		n = uftp_client_write(d->core, &to, buf, sizeof(buf), now);
		if (n <= 0)
			break;
		memset(&dg, 0, sizeof(dg));
		uftp_peer_to_addr(&to, &dg.addr);
		dg.buf = buf;
		dg.len = (size_t)n;
		uftp_sock_send(to.ip.family == 6 ? &d->s6 : &d->s4, &dg, 1);
	}
}

/*
 * Reads what waits on s (up to RX_ROUNDS batches), all at the turn's time
 * now; returns the count and its bytes.  Events are taken after every
 * datagram (each core call raises at most what the queue holds), and the
 * memberships and replies follow each batch.
 */
static int read_socket(struct uftpd *d, struct uftp_sock *s, size_t *bytes, uint64_t now)
{
	struct uftp_dgram dg[RX_BATCH];
	struct uftp_peer p;
	int i, n, round, total = 0;

	*bytes = 0;
	for (round = 0; round < RX_ROUNDS; round++) {
		memset(dg, 0, sizeof(dg));
		for (i = 0; i < RX_BATCH; i++)
			dg[i].buf = d->rxbuf + (size_t)i * RX_BUFLEN, dg[i].cap = RX_BUFLEN;
		n = uftp_sock_recv(s, dg, RX_BATCH);
		for (i = 0; i < n; i++) {
			*bytes += dg[i].len;
			if (dg[i].truncated) {
				d->rx_oversized++;
				log_debug("dropped a datagram over %d bytes", RX_BUFLEN);
				continue;
			}
			uftp_addr_to_peer(&dg[i].addr, &p);
			uftp_client_on_datagram(d->core, &p, dg[i].buf, dg[i].len, now);
			drain_events(d);
		}
		sync_members(d);
		drain_writes(d, now);
		if (n <= 0)
			break;
		total += n;
		if (n < RX_BATCH)
			break;
	}
	return total;
}

static struct uftp_rx_hold *hold_of(struct uftpd *d, const struct uftp_sock *s)
{
	return s == &d->s4 ? &d->h4 : &d->h6;
}

/* Reads s and decides whether (and how long) to leave it unwatched now. */
static void receive(struct uftpd *d, struct uftp_sock *s, int held, uint64_t now)
{
	struct uftp_rx_hold *h = hold_of(d, s);
	size_t bytes;
	int n = read_socket(d, s, &bytes, now);
	uint64_t ns = uftp_rx_hold_next(h, n, bytes, held, now);

	uftp_loop_set_events(&d->loop, s->fd, ns ? 0 : POLLIN); /* see lib/loop.h */
}

/* Noted only: the turn that follows reads the socket with its one clock reading. */
static void on_readable(void *arg, int fd, short revents)
{
	struct uftpd *d = arg;

	(void)revents;
	if (fd == d->s4.fd)
		d->ready4 = 1;
	else
		d->ready6 = 1;
}

/* The earlier of the core's next deadline and the end of a hold. */
static uint64_t loop_deadline(struct uftpd *d)
{
	uint64_t t = uftp_client_get_expiry(d->core);

	if (d->h4.until && d->h4.until < t)
		t = d->h4.until;
	if (d->h6.until && d->h6.until < t)
		t = d->h6.until;
	return t;
}

/*
 * Reads a socket poll found readable, or one whose hold is over (and holds
 * it again if data still streams).
 */
static void read_ready(struct uftpd *d, struct uftp_sock *s, int *ready, uint64_t now)
{
	struct uftp_rx_hold *h = hold_of(d, s);

	if (*ready)
		receive(d, s, 0, now);
	else if (h->until && now >= h->until)
		receive(d, s, 1, now);
	*ready = 0;
}

/* -s: a script that could not run or failed is worth a line in the log. */
static void script_done(void *arg, pid_t pid, int status)
{
	struct uftpd *d = arg;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		log_warnx("postreceive script %s (pid %d) could not be run", d->o->script,
		          (int)pid);
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		log_info("postreceive script %s (pid %d) exited with %d", d->o->script, (int)pid,
		         WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_info("postreceive script %s (pid %d) killed by signal %d", d->o->script,
		         (int)pid, WTERMSIG(status));
}

static void on_signal(void *arg, int signo)
{
	struct uftpd *d = arg;

	if (signo == SIGHUP) {
		log_reopen();
		return;
	}
	if (signo == SIGCHLD) {
		uftp_reap_children(script_done, d);
		return;
	}
	log_info("got signal %d, exiting", signo);
	d->interrupted = 1; /* SIGINT or SIGTERM: exit 6, as the reference */
	uftp_loop_stop(&d->loop);
}

/*
 * One turn per wake-up, with one clock reading: the sockets poll found
 * readable (or whose hold ended), then the core's timers, then what they
 * changed (memberships, replies, events); then sleep until the next deadline.
 */
static void run_loop(struct uftpd *d)
{
	uint64_t now;

	while (!uftp_loop_stopped(&d->loop)) {
		now = uftp_clock_now();
		read_ready(d, &d->s4, &d->ready4, now);
		read_ready(d, &d->s6, &d->ready6, now);
		uftp_client_handle_expiry(d->core, now);
		drain_events(d);
		sync_members(d);
		drain_writes(d, now);
		uftp_loop_run_once(&d->loop, loop_deadline(d));
	}
}

static void log_stats(struct uftpd *d)
{
	struct uftp_core_stats st;
	uint64_t dropped = d->rx_oversized; /* dropped here, before the core */
	uint64_t rx;
	char why[256] = "";
	int r, off = 0;

	uftp_client_get_stats(d->core, &st);
	rx = st.rx_datagrams + d->rx_oversized;
	for (r = 0; r < UFTP_DROP_NREASONS; r++) {
		dropped += st.dropped[r];
		if (st.dropped[r] && off >= 0 && (size_t)off < sizeof(why))
			off += snprintf(why + off, sizeof(why) - (size_t)off, "%s%s %llu",
			                off ? ", " : ": ", uftp_drop_name(r),
			                (unsigned long long)st.dropped[r]);
	}
	log_info("exiting: %llu datagrams in (%llu dropped%s), %llu out; %llu sessions (%llu "
	         "aborted, %llu half-open displaced, %llu refused: too many), %llu files (%llu "
	         "rejected)",
	         (unsigned long long)rx, (unsigned long long)dropped, why,
	         (unsigned long long)st.tx_datagrams, (unsigned long long)st.sessions_started,
	         (unsigned long long)st.sessions_aborted, (unsigned long long)st.sessions_evicted,
	         (unsigned long long)st.sessions_refused, (unsigned long long)st.files_done,
	         (unsigned long long)st.files_failed);
	if (st.events_lost)
		log_warnx("%llu core events were lost", (unsigned long long)st.events_lost);
}

/* ---- set-up ----------------------------------------------------------- */

/* The receive buffer the kernel granted (0 if unknown: no holds then). */
static size_t rcvbuf_of(const struct uftp_sock *s)
{
	int snd, rcv;

	return uftp_sock_get_bufsize(s, &snd, &rcv) == 0 && rcv > 0 ? (size_t)rcv : 0;
}

static int open_socket(struct uftpd *d, struct uftp_sock *s, int family)
{
	struct uftp_addr any;

	uftp_addr_any(&any, family, d->o->port);
	if (uftp_sock_open(s, &any,
	                   UFTP_SOCK_REUSEADDR | (family == AF_INET6 ? UFTP_SOCK_V6ONLY : 0)) < 0)
		return UFTP_ERR_IO;
	uftp_sock_set_bufsize(s, d->o->bufsize);
	hold_of(d, s)->rcvbuf = rcvbuf_of(s);
	if (d->o->dscp)
		uftp_sock_set_dscp(s, d->o->dscp);
	return uftp_loop_add(&d->loop, s->fd, POLLIN, on_readable, d);
}

static int setup_net(struct uftpd *d)
{
	static char deflt[] = "230.4.4.1";
	struct uftp_addr g;
	size_t i;

	if (!d->o->npubs)
		d->o->pubs[d->o->npubs++] = deflt;
	if (open_socket(d, &d->s4, AF_INET) < 0) {
		log_warn("cannot bind UDP port %u (IPv4)", d->o->port);
		return EXIT_NET;
	}
	if (open_socket(d, &d->s6, AF_INET6) < 0)
		log_debug("no IPv6 socket: IPv6 sessions unavailable");
	for (i = 0; i < d->o->npubs; i++) {
		if (uftp_addr_parse(&g, d->o->pubs[i], 0) < 0 || !uftp_addr_is_multicast(&g)) {
			log_warnx("-M %s: not a multicast address", d->o->pubs[i]);
			return EXIT_BADOPT;
		}
		if (d->cfg.nservers && !uftp_addr_is_ssm(&g)) {
			log_warnx("-M %s: not a source-specific multicast address, as -S requires",
			          d->o->pubs[i]);
			return EXIT_BADOPT;
		}
		if ((d->cfg.nservers ? join_ssm(d, &g, NULL, 1) : join_all(d, &g, 1)) < 0) {
			log_warn("cannot join %s", d->o->pubs[i]);
			return EXIT_NET;
		}
	}
	return 0;
}

static struct uftp_keyset_opts keyset_opts(const struct uftpd_opts *o)
{
	struct uftp_keyset_opts k = {o->keyfiles, o->nkeyfiles, o->keyspecs, o->nkeyspecs};

	return k;
}

static int setup_keys(struct uftpd *d)
{
	struct uftp_keyset_opts k = keyset_opts(d->o);

	return uftp_keyset_setup(&k, d->keys, UFTP_CLIENT_MAX_KEYS, &d->nkeys) < 0 ? EXIT_KEY : 0;
}

static int server_line(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct uftpd *d = arg;
	struct uftp_peer_key *e;
	struct uftp_hostent h;
	int n;

	(void)lineno;
	if (uftp_hostent_parse_server(&h, line) < 0) {
		snprintf(err, errlen, "invalid server entry '%s'", line);
		return UFTP_ERR_INVALID;
	}
	if (d->cfg.nservers == UFTP_CLIENT_MAX_SERVERS) {
		snprintf(err, errlen, "too many servers");
		return UFTP_ERR_NOSPACE;
	}
	e = &d->cfg.servers[d->cfg.nservers++];
	memset(e, 0, sizeof(*e));
	e->id = h.id;
	n = uftp_addr_to_bytes(&h.addr, e->addr.addr, sizeof(e->addr.addr));
	e->addr.family = n == 16 ? 6 : n == 4 ? 4 : 0;
	e->has_fp = h.has_fp;
	memcpy(e->fp, h.fp, sizeof(e->fp));
	return 0;
}

/* -R host[/fingerprint]: where replies go; the fingerprint checks its PROXY_KEY. */
static int setup_proxy(struct uftpd *d)
{
	char host[256];
	uint8_t fp[UFTP_FP_LEN];
	struct uftp_addr a;
	int has_fp;

	if (uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, d->o->proxy) < 0 ||
	    uftp_addr_resolve(&a, host, d->o->port, AF_UNSPEC) < 0) {
		log_warnx("-R %s: not a usable proxy address", d->o->proxy);
		return UFTP_ERR_INVALID;
	}
	uftp_addr_to_peer(&a, &d->cfg.resp_proxy);
	d->cfg.resp_proxy_has_fp = has_fp;
	memcpy(d->cfg.resp_proxy_fp, fp, sizeof(d->cfg.resp_proxy_fp));
	return 0;
}

/* -H host[:port],...: the proxies heartbeats go to (names resolved once, at start). */
static int setup_hb(struct uftpd *d)
{
	struct uftp_addr a;
	size_t i;
	int rv;

	for (i = 0; i < d->o->nhbs; i++) {
		if (i == UFTP_CLIENT_MAX_HB) {
			log_warnx("-H: at most %d heartbeat proxies", UFTP_CLIENT_MAX_HB);
			return UFTP_ERR_INVALID;
		}
		rv = uftp_addr_resolve(&a, d->o->hbs[i], 1044, AF_UNSPEC);
		if (rv < 0 || uftp_addr_port(&a) == 0) {
			log_warnx("-H %s: %s", d->o->hbs[i],
			          rv == UFTP_ERR_IO ? "no such host" : "not host or host:port");
			return UFTP_ERR_INVALID;
		}
		uftp_addr_to_peer(&a, &d->cfg.hb[i]);
	}
	d->cfg.nhb = d->o->nhbs;
	d->cfg.hb_interval = (uint64_t)d->o->hb_interval * UFTP_NS_PER_SEC;
	return 0;
}

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

static int setup_core(struct uftpd *d, const struct uftp_addr *first)
{
	struct uftpd_opts *o = d->o;
	size_t i;

	if (o->have_uid)
		d->cfg.uid = o->uid;
	else
		uftp_id_from_addr(&d->cfg.uid, first);
	if (!d->cfg.uid) {
		log_warnx("no interface to take a client ID from: use -U");
		return EXIT_NET;
	}
	for (i = 0; i < o->ndest; i++) {
		if (open_dir(&d->fs[i], o->dest[i], "destination directory") < 0)
			return EXIT_BADOPT;
		d->cfg.roots[i] = o->dest[i];
		d->nfs++;
	}
	d->cfg.nroots = o->ndest;
	if (o->proxy && setup_proxy(d) < 0)
		return EXIT_BADOPT;
	if (setup_hb(d) < 0)
		return EXIT_BADOPT;
	for (i = 0; i < o->nbackup; i++) {
		if (open_dir(&d->bfs[i], o->backup[i], "backup directory") < 0)
			return EXIT_BADOPT;
		d->nbfs++;
	}
	if (o->tempdir) {
		if (open_dir(&d->fs[o->ndest], o->tempdir, "temp directory") < 0)
			return EXIT_BADOPT;
		d->nfs++;
		if (!same_fs(&d->fs[0], &d->fs[o->ndest])) {
			log_warnx("temp directory %s is not on the filesystem of %s (-T needs one)",
			          o->tempdir, o->dest[0]);
			return EXIT_BADOPT;
		}
		d->cfg.temp_dir = 1;
	}
	d->cfg.encrypted_only = o->encrypted_only;
	memcpy(d->cfg.keys, d->keys, sizeof(d->keys));
	d->cfg.nkeys = d->nkeys;
	d->fops = (struct uftp_client_fops){.arg = d,
	                                    .open = NULL,
	                                    .write = f_write,
	                                    .close = f_close,
	                                    .mkdir = f_mkdir,
	                                    .symlink = f_symlink,
	                                    .remove = f_remove,
	                                    .freespace = f_freespace,
	                                    .stat = f_stat,
	                                    .open_ex = f_open,
	                                    .save_state = o->tempdir ? f_save_state : NULL,
	                                    .load_state = o->tempdir ? f_load_state : NULL,
	                                    .reopen = o->tempdir ? f_reopen : NULL,
	                                    .room = f_room};
	d->cfg.fops = &d->fops;
	uftp_env_driver(&d->env, o->loglevel);
	cache_size = (size_t)o->cache;
	file_mode = umask(022);
	umask(file_mode);
	file_mode = 0666 & ~file_mode;
	for (i = 0; i < MAX_CACHES; i++)
		caches[i].fd = -1;
	d->core = uftp_client_new(&d->cfg, &d->env);
	uftpd_members_init(&d->members, member_join, d);
	return d->core ? 0 : EXIT_MEM;
}

/* Status file now; the log file once set-up errors have reached the terminal. */
static int setup_logs(struct uftpd *d, int logfile)
{
	struct uftpd_opts *o = d->o;
	const char *lf = o->logfile ? o->logfile : "/tmp/uftpd.log";

	if (logfile) {
		if (!o->debug && log_open_file(lf) < 0) {
			log_warn("cannot open log file %s", lf);
			return EXIT_LOG;
		}
		log_set_rolling(o->log_max, o->log_count);
		return 0;
	}
	log_init(o->loglevel >= 3 ? UFTPD_LIBLOG_DEBUG : o->loglevel, stderr);
	if (o->statusfile && strcmp(o->statusfile, "@LOG") != 0) {
		d->status = fopen(o->statusfile, "a");
		if (!d->status) {
			log_warn("cannot open status file %s", o->statusfile);
			return EXIT_LOG;
		}
	}
	return 0;
}

static int setup(struct uftpd *d)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
	char err[256];
	struct uftp_addr first;
	int rv;

	if (uftp_ossl_init(err, sizeof(err)) == UFTP_ERR_CRYPTO) {
		log_warnx("crypto library: %s", err);
		return EXIT_KEY;
	}
	uftp_loop_init(&d->loop);
	if (uftp_loop_catch_signals(&d->loop, sigs, 4, on_signal, d) < 0)
		return EXIT_NET;
	/* the interfaces to join on (a named one on both families), and the
	 * address our default ID comes from */
	rv = uftp_ifset_select(&d->ifs, d->o->ifaces, d->o->nifaces, 1, &first);
	if (!rv)
		rv = setup_keys(d);
	if (!rv && d->o->serverlist &&
	    uftp_opt_read_list(d->o->serverlist, server_line, d, err, sizeof(err)) < 0) {
		log_warnx("-S %s: %s", d->o->serverlist, err);
		rv = EXIT_BADOPT;
	}
	if (!rv)
		rv = setup_net(d);
	if (!rv)
		rv = setup_core(d, &first);
	if (!rv && d->o->have_priority && setpriority(PRIO_PROCESS, 0, d->o->priority) < 0)
		log_warn("cannot set priority %d", d->o->priority);
	return rv;
}

static void teardown(struct uftpd *d)
{
	size_t i;

	uftp_client_free(d->core);
	uftp_sock_close(&d->s4);
	uftp_sock_close(&d->s6);
	for (i = 0; i < d->nfs; i++)
		uftp_fstore_close(&d->fs[i]);
	for (i = 0; i < d->nbfs; i++)
		uftp_fstore_close(&d->bfs[i]);
	for (i = 0; i < d->nkeys; i++)
		uftp_pkey_free(d->keys[i]);
	uftp_loop_free(&d->loop);
	if (d->status)
		fclose(d->status);
	free(d->rxbuf);
	for (i = 0; i < MAX_CACHES; i++)
		free(caches[i].buf);
}

int uftpd_run(struct uftpd_opts *o)
{
	static struct uftpd d;
	struct uftp_daemon dm = {-1};
	int rv;

	d.o = o;
	d.s4.fd = d.s6.fd = -1;
	d.rxbuf = malloc((size_t)RX_BATCH * RX_BUFLEN);
	if (!d.rxbuf)
		return EXIT_MEM;
	rv = setup_logs(&d, 0);
	if (!rv)
		rv = setup(&d);
	if (!rv && !o->debug && uftp_daemonize(&dm) < 0)
		rv = EXIT_NET;
	if (!rv)
		rv = setup_logs(&d, 1);
	if (!rv && o->pidfile && uftp_pidfile_claim(o->pidfile) < 0)
		rv = EXIT_BADOPT;
	uftp_daemon_ready(&dm, rv);
	if (rv) {
		teardown(&d);
		return rv;
	}
	{
		struct uftp_keyset_opts k = keyset_opts(o);

		uftp_keyset_log(&k, d.keys, d.nkeys); /* in the log file, once it is open */
	}
	log_info("uftpd: listening on port %u as client 0x%08X", o->port, d.cfg.uid);
	run_loop(&d);
	{
		uint64_t now = uftp_clock_now(); /* the last turn */

		uftp_client_shutdown(d.core, now);
		drain_writes(&d, now);
		drain_events(&d);
		sync_members(&d); /* leaves every group, as the sessions ended */
	}
	log_stats(&d);
	if (o->pidfile)
		uftp_pidfile_remove(o->pidfile);
	teardown(&d);
	return d.interrupted ? EXIT_INTR : EXIT_OK;
}
