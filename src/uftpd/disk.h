/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's disk backend: the struct uftp_client_fops the client core writes
 * files through, on the -D destinations (and the -T temp dir), with -A
 * backups, -t temporary names and a write cache of -c bytes per open file.
 */
#ifndef UFTP_UFTPD_DISK_H
#define UFTP_UFTPD_DISK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/client.h"
#include "lib/fstore.h"

#define UFTPD_DISK_MAX_OPEN UFTP_CLIENT_MAX_SESSIONS /* one open file per session at most */

/* What the backend is asked to do; the strings are borrowed and must outlive it. */
struct uftpd_disk_opts {
	char *const *dest; /* -D: the roots, in the core's root order */
	size_t ndest;
	char *const *backup; /* -A: one backup directory per destination (may be fewer) */
	size_t nbackup;
	const char *tempdir; /* -T: NULL for none; root index ndest */
	int tempfile;        /* -t: written as name.~uftp-GROUP-FILE, renamed when complete */
	size_t cache;        /* -c: write cache bytes per open file */
};

/*
 * Every file open for writing: its names (a failed file is removed, a
 * complete -t file renamed) and its write-behind buffer (cache bytes;
 * allocated on first use, NULL if that failed: writes then go straight
 * to disk).
 */
struct uftpd_disk_file {
	int fd; /* -1: free */
	uint64_t off;
	size_t len;
	uint8_t *buf;
	struct uftp_fstore *fs;
	int renamed; /* -t: written as tmp, renamed to rel when complete */
	size_t root;
	char rel[4097];
	char tmp[4128];
};

struct uftpd_disk {
	struct uftpd_disk_opts o;
	struct uftp_fstore fs[UFTP_CLIENT_MAX_ROOTS]; /* the roots, then the temp dir */
	size_t nfs;
	struct uftp_fstore bfs[UFTP_CLIENT_MAX_ROOTS]; /* -A */
	size_t nbfs;
	mode_t file_mode; /* 0666 less the umask, as the reference creates files */
	struct uftpd_disk_file files[UFTPD_DISK_MAX_OPEN];
};

/*
 * Copies o (its strings stay borrowed) and opens the destinations: each
 * must exist and be writable.  Returns 0, or -1 after logging which one
 * failed (the destinations opened so far are closed by uftpd_disk_free).
 */
int uftpd_disk_init(struct uftpd_disk *k, const struct uftpd_disk_opts *o);

/*
 * Opens the -A backup directories and the -T temp dir (which must be on
 * the filesystem of the first destination).  Returns 0, or -1 after
 * logging the problem.
 */
int uftpd_disk_open_extra(struct uftpd_disk *k);

/* Fills f for the core (f->arg = k; the -T restart functions only with a temp dir). */
void uftpd_disk_fops(struct uftpd_disk *k, struct uftp_client_fops *f);

/* Closes every directory and frees the write caches; files still open are not closed. */
void uftpd_disk_free(struct uftpd_disk *k);

/*
 * Root `root` (ndest: the temp dir), reopened or made again first when its
 * path no longer leads to the directory held open.  Never NULL for a root
 * below nfs.
 */
struct uftp_fstore *uftpd_disk_root(struct uftpd_disk *k, size_t root);

/* The -T temp dir as opened (NULL without one). */
struct uftp_fstore *uftpd_disk_temp(struct uftpd_disk *k);

/* The name of a group's -T restart state in the temp dir. */
void uftpd_disk_state_name(char *buf, size_t cap, uint32_t group_id);

#endif
