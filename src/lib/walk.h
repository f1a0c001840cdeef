/*
 * The sender's file list: expands the names given to uftp (arguments or an
 * -i list file) into the entries to announce, in order.  A directory entry
 * is followed by its contents (sorted by name with strcmp, recursively); a
 * symlink is sent as a link unless follow_links is set (then it is replaced
 * by what it points to; directory loops are cut); special files (devices,
 * FIFOs, sockets) are skipped.  Names (see man uftp): a top-level path is
 * sent under its last element; with -E, under what follows the first base
 * directory it lies strictly below (paths not below any are skipped with a
 * warning); entries below a directory get "dirname/child".  -X excludes
 * match an entry's whole sent name ("d1/d4") or its local path, and drop
 * everything below it too.
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
	int empty_dir; /* 1 for a directory with nothing below it to send */
};

struct uftp_walk_opts {
	const char *const *bases;    /* -E base dirs, NULL-terminated; NULL: none */
	const char *const *excludes; /* -X names, NULL-terminated; NULL: none */
	int follow_links;            /* -l */
	/*
	 * -D: with dest_is_dir 0 (one file given, no -o) it replaces the name of
	 * the top entry and -E is ignored; with dest_is_dir 1 (several files, or
	 * -o) every name is placed below it: "dest/name".  NULL: no -D.
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
 * examined (or is a directory that cannot be read); INVALID when path has no
 * name to send ("/", ".", "..").
 */
int uftp_walk_add(struct uftp_walk *w, const char *path, const struct uftp_walk_opts *o);

/*
 * Reads names one per line from file ("-" = stdin) and adds each as above
 * (a name that fails is logged and skipped).  Line ends (LF or CRLF) are
 * removed, nothing else; blank lines are ignored.  Returns entries added,
 * or NOMEM, or IO when file cannot be opened or read.
 */
int uftp_walk_add_list(struct uftp_walk *w, const char *file, const struct uftp_walk_opts *o);

/* Frees every entry and the array; w is empty (and reusable) afterwards. */
void uftp_walk_free(struct uftp_walk *w);

#endif
