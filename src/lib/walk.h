/*
 * The sender's file list: expands the names given to uftp (arguments or an
 * -i list file) into the entries to announce, in order.  A directory is
 * followed by its contents (sorted by name, recursively); a symlink is sent
 * as a link unless follow_links is set; -X excludes match a name's last
 * component; -E base dirs decide the name sent (see man uftp).
 */
#ifndef UFTP_LIB_WALK_H
#define UFTP_LIB_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum uftp_walk_type { UFTP_WALK_FILE = 0, UFTP_WALK_DIR = 1, UFTP_WALK_LINK = 2 };

struct uftp_walk_ent {
	char *local;     /* path to open locally (malloc'd) */
	char *name;      /* name to send: relative, '/'-separated (malloc'd) */
	char *link;      /* link target for UFTP_WALK_LINK, else NULL (malloc'd) */
	int type;        /* enum uftp_walk_type */
	uint64_t size;   /* bytes for files, 0 otherwise */
	int64_t mtime;   /* seconds since the epoch */
	mode_t mode;     /* permission bits */
	int empty_dir;   /* 1 for a directory with nothing below it to send */
};

struct uftp_walk_opts {
	const char *const *bases; /* -E base dirs, NULL-terminated; NULL: none */
	const char *const *excludes; /* -X names, NULL-terminated; NULL: none */
	int follow_links;            /* -l */
	const char *dest_name;       /* -D: replaces the name of a single top entry; NULL */
};

struct uftp_walk {
	struct uftp_walk_ent *ents;
	size_t n, cap;
};

/*
 * Appends the entries for path (a file, directory or symlink) to w.
 * Unreadable or vanished entries are skipped with a log_warn line and
 * counted in the return value's sign: returns the number of entries added,
 * or a negative uftp_err (NOMEM; IO when path itself cannot be read).
 */
int uftp_walk_add(struct uftp_walk *w, const char *path, const struct uftp_walk_opts *o);

/*
 * Reads names one per line from file ("-" = stdin) and adds each as above.
 * Blank lines are ignored.  Returns entries added or a negative uftp_err.
 */
int uftp_walk_add_list(struct uftp_walk *w, const char *file, const struct uftp_walk_opts *o);

void uftp_walk_free(struct uftp_walk *w);

#endif
