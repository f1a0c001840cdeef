/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Safe file store for receivers: every operation is confined to one root
 * directory.  Paths are relative names already accepted by
 * uftp_path_check_relative(); each component is walked with openat() and
 * O_NOFOLLOW, so a symlink planted inside the root (even during a transfer)
 * never redirects a write outside it.  Returns 0 / a non-negative value or a
 * negative uftp_err (IO with errno set, EXISTS, INVALID).
 */
#ifndef UFTP_LIB_FSTORE_H
#define UFTP_LIB_FSTORE_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct uftp_fstore {
	int rootfd;      /* O_DIRECTORY descriptor of the root */
	char root[4096]; /* the root as given, for log lines */
};

/* Opens root (must exist and be a directory).  */
int uftp_fstore_open(struct uftp_fstore *fs, const char *root);
void uftp_fstore_close(struct uftp_fstore *fs);

/*
 * Opens the parent directory of rel, creating missing parents with mode 0755
 * when create is set, without following symlinks.  Stores the directory fd
 * (caller closes it) and a pointer to the last component of rel in *base.
 */
int uftp_fstore_parent(struct uftp_fstore *fs, const char *rel, int create, int *dirfd,
                       const char **base);

/* lstat() of rel inside the root; IO with errno ENOENT when absent. */
int uftp_fstore_stat(struct uftp_fstore *fs, const char *rel, struct stat *st);

/*
 * Creates (or truncates, when an existing regular file is in the way)
 * rel for writing, with mode (a truncated file keeps its own); parents are
 * created.  A hard-linked file in the way is unlinked, never written
 * through.  A directory, symlink or special file in the way is removed
 * first when replace is set, else EXISTS.  Returns the open fd
 * (O_WRONLY|O_CLOEXEC, blocking).
 */
int uftp_fstore_create(struct uftp_fstore *fs, const char *rel, mode_t mode, int replace);

/*
 * Opens an existing regular file rel for writing without truncating it (for
 * resumed transfers).  Returns the fd; IO with errno ELOOP for a symlink,
 * EISDIR for anything but a regular file, EMLINK for a hard-linked file.
 */
int uftp_fstore_reopen(struct uftp_fstore *fs, const char *rel);

/* Creates directory rel (and parents); an existing directory is fine. */
int uftp_fstore_mkdir(struct uftp_fstore *fs, const char *rel, mode_t mode);

/* Creates symlink rel -> target, replacing an existing non-directory. */
int uftp_fstore_symlink(struct uftp_fstore *fs, const char *rel, const char *target);

/* Removes rel: a file, a symlink, or a directory tree (never following links). */
int uftp_fstore_remove(struct uftp_fstore *fs, const char *rel);

/* Renames from -> to, both inside the root; parents of to are created. */
int uftp_fstore_rename(struct uftp_fstore *fs, const char *from, const char *to);

/*
 * Moves from (inside ffs) to to (inside tfs; parents created), e.g. into a
 * uftpd -A backup directory.  IO with errno EXDEV when the two roots are on
 * different file systems (nothing is copied).
 */
int uftp_fstore_move(struct uftp_fstore *ffs, const char *from, struct uftp_fstore *tfs,
                     const char *to);

/* Sets mtime (and atime to the same value) of rel without following links. */
int uftp_fstore_set_mtime(struct uftp_fstore *fs, const char *rel, int64_t mtime);

/* Free bytes available to this process on the root's file system. */
int uftp_fstore_freespace(struct uftp_fstore *fs, uint64_t *bytes);

#endif
