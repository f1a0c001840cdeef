/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender's file list: expands the names given to uftp (arguments or an
 * -i list file) into the entries to announce, in order.  A directory entry
 * is followed by its contents (sorted by name with strcmp, recursively; the
 * reference uses readdir order); a symlink is sent as a link unless
 * follow_links is set (then it is replaced by what it points to; directory
 * loops are cut); special files (devices, FIFOs, sockets) are skipped.
 *
 * Names, as settled against the real uftp 4.10.2:
 *  - a top-level path is sent under its last element ("a/b/" -> "b"),
 *    entries below a directory as "b/child";
 *  - with -E, a top-level path is sent under what follows the first base
 *    directory it lies below, compared as normalised strings at a
 *    '/' boundary (no realpath); a path below no base is skipped with a
 *    warning, even with a single -D.  (The reference compares raw string
 *    prefixes, so "-E /data" turns "/data/x" into the absolute "/x" that
 *    receivers reject; "-E /data/" works in both.)
 *  - -D: see struct uftp_walk_opts;
 *  - a top-level ".", ".." or "/", or a path equal to its -E base, is not an
 *    entry itself: its contents are added as if named one by one (the
 *    reference sends "./x", and "/x" for the base).
 * -X excludes match the name before -E and -D apply (the top-level path's
 * last element, then "/child"...: "d1/d4"), exactly, and drop everything
 * below a matching directory.
 */
#ifndef UFTP_LIB_WALK_H
#define UFTP_LIB_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum uftp_walk_type { UFTP_WALK_FILE = 0, UFTP_WALK_DIR = 1, UFTP_WALK_LINK = 2 };

struct uftp_walk_ent {
	char *local;   /* path to open locally (malloc'd) */
	char *name;    /* name to send, '/'-separated (malloc'd); relative unless
	                  dest_name is absolute */
	char *link;    /* link target for UFTP_WALK_LINK, else NULL (malloc'd) */
	int type;      /* enum uftp_walk_type */
	uint64_t size; /* bytes for files, 0 otherwise */
	int64_t mtime; /* seconds since the epoch (lstat/stat value for every type) */
	mode_t mode;   /* permission bits */
	int empty_dir; /* 1 for a directory without any entry on disk: the only
	                  directories the reference announces (one whose entries
	                  are all excluded or special is not sent at all) */
};

struct uftp_walk_opts {
	const char *const *bases;    /* -E base dirs, NULL-terminated; NULL: none */
	const char *const *excludes; /* -X names, NULL-terminated; NULL: none */
	int follow_links;            /* -l */
	/*
	 * -D: with dest_is_dir 0 (one file given, no -o) it replaces the name of
	 * the top entry (-E only decides whether it is sent); with dest_is_dir 1
	 * (several files, or -o) every name is placed below it: "dest/name"
	 * (after -E).  May be absolute; names then are too.  NULL: no -D.
	 */
	const char *dest_name;
	int dest_is_dir;
};

struct uftp_walk {
	struct uftp_walk_ent *ents;
	size_t n, cap;
};

/*
 * Appends the entries for path (a file, directory or symlink) to w (start
 * from a zeroed struct uftp_walk).  Entries below path that are unreadable,
 * vanished or special are skipped with a log_warn line.  Returns the number
 * of entries added (0 when path is excluded, special, or not under any -E
 * base), or a negative uftp_err: NOMEM; IO when path itself cannot be
 * examined (or is a directory that cannot be read); INVALID for an empty
 * path.
 */
int uftp_walk_add(struct uftp_walk *w, const char *path, const struct uftp_walk_opts *o);

/*
 * Reads names one per line from file ("-" = stdin) and adds each as above
 * (a name that fails is logged and skipped).  Line ends (LF or CRLF) are
 * removed, nothing else (no trimming, no comments: as the reference); blank
 * lines are ignored.  A list of more than one name sets dest_is_dir (the
 * caller sets it only for -o): the reference renames the single name of a
 * one-line list with -D.  Returns entries added, or NOMEM, or IO when file
 * cannot be opened or read (then nothing is added).
 */
int uftp_walk_add_list(struct uftp_walk *w, const char *file, const struct uftp_walk_opts *o);

/* Frees every entry and the array; w is empty (and reusable) afterwards. */
void uftp_walk_free(struct uftp_walk *w);

#endif
