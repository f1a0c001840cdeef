/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sender's file list (see walk.h).  Names follow man uftp: leading path
 * elements are stripped (or only those of a matching -E base directory),
 * -D renames a single entry or becomes a directory above every entry.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/log.h"
#include "lib/walk.h"

/* A directory on the current descent, to stop link loops under -l. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

/* Joins a and b with one '/' (none when a is empty); NULL on NOMEM. */
static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int sep = la > 0 && a[la - 1] != '/';
	char *s = malloc(la + (size_t)sep + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (sep)
		s[la] = '/';
	memcpy(s + la + (size_t)sep, b, lb + 1);
	return s;
}

/*
 * Copies path with runs of '/' collapsed, "." components and trailing '/'
 * dropped; "/" stays "/".  NULL on NOMEM.
 */
static char *normalise(const char *path)
{
	char *s = malloc(strlen(path) + 2), *o = s;
	const char *p = path, *e;

	if (!s)
		return NULL;
	if (*p == '/')
		*o++ = '/';
	while (*p) {
		while (*p == '/')
			p++;
		e = p;
		while (*e && *e != '/')
			e++;
		if (e > p && !(e - p == 1 && *p == '.')) {
			if (o > s && o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, (size_t)(e - p));
			o += e - p;
		}
		p = e;
	}
	*o = '\0';
	return s;
}

/*
 * Rest of path below base (both normalised): "" when path is base itself,
 * NULL when path is not below it.  Comparing up to a '/' keeps "/data2"
 * out of base "/data" (the reference compares raw prefixes).
 */
static const char *below(const char *base, const char *path)
{
	size_t lb = strlen(base);

	if (lb == 1 && base[0] == '/')
		return path[0] == '/' ? path + 1 : NULL;
	if (lb == 0) /* "." */
		return path[0] != '/' ? path : NULL;
	if (strncmp(path, base, lb) != 0)
		return NULL;
	if (path[lb] == '\0')
		return path + lb;
	return path[lb] == '/' ? path + lb + 1 : NULL;
}

/* Part of npath (normalised) below the first matching -E base, or NULL. */
static const char *strip_base(const char *npath, const char *const *bases, int *err)
{
	const char *rest = NULL;
	char *nb;
	size_t i;

	for (i = 0; bases[i] && !rest; i++) {
		nb = normalise(bases[i]);
		if (!nb) {
			*err = UFTP_ERR_NOMEM;
			return NULL;
		}
		rest = below(nb, npath);
		free(nb);
	}
	return rest;
}

/* Last element of a normalised path ("" for "/" and for "."). */
static const char *last_elem(const char *npath)
{
	const char *slash = strrchr(npath, '/');

	return slash ? slash + 1 : npath;
}

/* An entry being added: three malloc'd strings, owned by whoever holds it. */
struct names {
	char *local; /* path to open */
	char *name;  /* name to send */
	char *match; /* name -X is matched against: the top's last element + below */
};

static void free_names3(struct names *nm)
{
	free(nm->local);
	free(nm->name);
	free(nm->match);
}

/*
 * The reference matches -X lines against the name before -E and -D are
 * applied: the top-level path's last element and the path below it.
 */
static int excluded(const char *match, const struct uftp_walk_opts *o)
{
	size_t i;

	if (!o || !o->excludes)
		return 0;
	for (i = 0; o->excludes[i]; i++)
		if (!strcmp(o->excludes[i], match))
			return 1;
	return 0;
}

/* Appends an entry, taking ownership of local, name and link (freed on error). */
static int push(struct uftp_walk *w, char *local, char *name, char *link, const struct stat *st,
                int type)
{
	struct uftp_walk_ent *e;
	size_t cap;

	if (w->n == w->cap) {
		cap = w->cap ? w->cap * 2 : 16;
		e = realloc(w->ents, cap * sizeof(*e));
		if (!e) {
			free(local);
			free(name);
			free(link);
			return UFTP_ERR_NOMEM;
		}
		w->ents = e;
		w->cap = cap;
	}
	e = &w->ents[w->n++];
	memset(e, 0, sizeof(*e));
	e->local = local;
	e->name = name;
	e->link = link;
	e->type = type;
	e->size = type == UFTP_WALK_FILE ? (uint64_t)st->st_size : 0;
	e->mtime = (int64_t)st->st_mtime;
	e->mode = st->st_mode & 07777;
	return 0;
}

static void free_ent(struct uftp_walk_ent *e)
{
	free(e->local);
	free(e->name);
	free(e->link);
}

/* Reads the target of symlink local; NULL with errno set on failure. */
static char *read_link(const char *local, const struct stat *st)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	char *buf;
	ssize_t n;

	for (;;) {
		buf = malloc(cap);
		if (!buf)
			return NULL;
		n = readlink(local, buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Appends a copy of s to the list; NOMEM on failure. */
static int list_push(char ***list, size_t *n, size_t *cap, const char *s)
{
	char **grown;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		grown = realloc(*list, *cap * sizeof(**list));
		if (!grown)
			return UFTP_ERR_NOMEM;
		*list = grown;
	}
	(*list)[*n] = strdup(s);
	if (!(*list)[*n])
		return UFTP_ERR_NOMEM;
	(*n)++;
	return 0;
}

/* Lists the entries of directory local (without "." and ".."), sorted. */
static int list_dir(const char *local, char ***out, size_t *count)
{
	char **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(local[0] ? local : ".");
	int rv = 0;

	if (!d)
		return UFTP_ERR_IO;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			rv = errno ? UFTP_ERR_IO : 0;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rv = list_push(&list, &n, &cap, de->d_name);
		if (rv < 0)
			break;
	}
	closedir(d);
	if (rv < 0) {
		free_list(list, n);
		return rv;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_names);
	*out = list;
	*count = n;
	return 0;
}

static int add_entry(struct uftp_walk *w, struct names *nm, const struct uftp_walk_opts *o,
                     const struct ancestor *up);

/* Names of child c below the entry nm; 0 or NOMEM. */
static int child_names(struct names *c, const struct names *nm, const char *child)
{
	c->local = join(nm->local, child);
	c->name = join(nm->name, child);
	c->match = join(nm->match, child);
	if (c->local && c->name && c->match)
		return 0;
	free_names3(c);
	return UFTP_ERR_NOMEM;
}

/* Adds the listed children of directory nm (which stays the caller's). */
static int add_children(struct uftp_walk *w, const struct names *nm, char **list, size_t n,
                        const struct uftp_walk_opts *o, const struct ancestor *self)
{
	struct names c;
	size_t i;
	int rv;

	for (i = 0; i < n; i++) {
		rv = child_names(&c, nm, list[i]);
		if (rv < 0)
			return rv;
		/* a child that cannot be examined was logged and is skipped */
		rv = add_entry(w, &c, o, self);
		if (rv == UFTP_ERR_NOMEM)
			return rv;
	}
	return 0;
}

static int on_stack(const struct ancestor *up, const struct stat *st)
{
	for (; up; up = up->up)
		if (up->dev == st->st_dev && up->ino == st->st_ino)
			return 1;
	return 0;
}

/*
 * Adds directory nm (taking ownership) and, below it, its contents.  Like
 * the reference, only a directory without any entry is "empty": one whose
 * entries are all excluded or special is not sent at all.
 */
static int add_dir(struct uftp_walk *w, struct names *nm, const struct stat *st,
                   const struct uftp_walk_opts *o, const struct ancestor *up)
{
	struct ancestor self = {st->st_dev, st->st_ino, up};
	struct names keep = *nm;
	char **list = NULL;
	size_t n = 0;
	int rv;

	if (on_stack(up, st)) {
		log_warnx("%s: directory loop, skipping", nm->local);
		free_names3(nm);
		return 0;
	}
	rv = list_dir(nm->local, &list, &n);
	if (rv < 0) {
		log_warn("cannot read directory %s, skipping", nm->local);
		free_names3(nm);
		return rv;
	}
	rv = push(w, nm->local, nm->name, NULL, st, UFTP_WALK_DIR);
	if (rv == 0) {
		w->ents[w->n - 1].empty_dir = n == 0;
		rv = add_children(w, &keep, list, n, o, &self);
	}
	free(nm->match);
	free_list(list, n);
	return rv;
}

/*
 * Adds one entry (recursing into directories), taking ownership of nm.
 * Returns 0 (also when excluded or skipped with a warning), IO when it
 * cannot be examined, or NOMEM.
 */
static int add_entry(struct uftp_walk *w, struct names *nm, const struct uftp_walk_opts *o,
                     const struct ancestor *up)
{
	struct stat st;
	char *link;
	int rv = o && o->follow_links ? stat(nm->local, &st) : lstat(nm->local, &st);

	if (rv < 0) {
		log_warn("cannot stat %s, skipping", nm->local);
		rv = UFTP_ERR_IO;
	} else if (excluded(nm->match, o)) {
		log_info("%s excluded, skipping", nm->match);
	} else if (S_ISDIR(st.st_mode)) {
		return add_dir(w, nm, &st, o, up);
	} else if (S_ISREG(st.st_mode)) {
		free(nm->match);
		return push(w, nm->local, nm->name, NULL, &st, UFTP_WALK_FILE);
	} else if (S_ISLNK(st.st_mode)) {
		link = read_link(nm->local, &st);
		if (link) {
			free(nm->match);
			return push(w, nm->local, nm->name, link, &st, UFTP_WALK_LINK);
		}
		log_warn("cannot read link %s, skipping", nm->local);
	} else {
		log_warnx("%s is a special file, skipping", nm->local);
	}
	free_names3(nm);
	return rv;
}

/* Name for the dest-dir form of -D: dest_name/name.  Frees name. */
static char *under_dest(const char *dest, char *name)
{
	char *nd, *full = NULL;

	nd = normalise(dest);
	if (nd && name)
		full = join(nd, name);
	free(nd);
	free(name);
	return full;
}

/*
 * The name to send for top-level path (normalised): its last element, or
 * what follows a -E base; then -D.  As in the reference, a path under no
 * base is skipped even when a single -D would rename it.  NULL when
 * skipped (*err 0) or on NOMEM.
 */
static char *top_name(const char *npath, const struct uftp_walk_opts *o, int *err)
{
	const char *rest = last_elem(npath);
	char *name;

	*err = 0;
	if (o && o->bases) {
		rest = strip_base(npath, o->bases, err);
		if (!rest && *err == 0)
			log_warnx("%s is not under any base directory, skipping", npath);
		if (!rest)
			return NULL;
	}
	if (o && o->dest_name && !o->dest_is_dir)
		name = normalise(o->dest_name);
	else if (o && o->dest_name)
		name = under_dest(o->dest_name, strdup(rest));
	else
		name = strdup(rest);
	if (!name)
		*err = UFTP_ERR_NOMEM;
	return name;
}

/* A name whose last element is "", "." or "..": it cannot be sent itself. */
static int bad_top(const char *name)
{
	const char *last = last_elem(name);

	return !*last || !strcmp(last, ".") || !strcmp(last, "..");
}

/*
 * A top-level ".", ".." or "/": its contents are sent, named as if they had
 * been given one by one (the reference would send "./x", "../x").
 */
static int add_contents(struct uftp_walk *w, struct names *nm, const struct uftp_walk_opts *o)
{
	size_t cut = (size_t)(last_elem(nm->name) - nm->name);
	struct ancestor self;
	struct stat st;
	char **list = NULL;
	size_t n = 0;
	int rv;

	nm->name[cut > 0 ? cut - 1 : 0] = '\0'; /* drop the element and its '/' */
	rv = stat(nm->local[0] ? nm->local : ".", &st);
	if (rv == 0 && S_ISDIR(st.st_mode))
		rv = list_dir(nm->local, &list, &n);
	else
		rv = UFTP_ERR_IO;
	if (rv < 0) {
		log_warn("cannot read directory %s", nm->local[0] ? nm->local : ".");
		free_names3(nm);
		return rv;
	}
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	self.up = NULL;
	rv = add_children(w, nm, list, n, o, &self);
	free_list(list, n);
	free_names3(nm);
	return rv;
}

/* Fills nm for top-level path; 0, skipped (1) or a negative error. */
static int top_names(struct names *nm, const char *path, const struct uftp_walk_opts *o)
{
	int err;

	memset(nm, 0, sizeof(*nm));
	nm->local = normalise(path);
	if (!nm->local)
		return UFTP_ERR_NOMEM;
	nm->name = top_name(nm->local, o, &err);
	if (nm->name)
		nm->match = strdup(nm->local[0] ? last_elem(nm->local) : ".");
	if (nm->name && nm->match)
		return 0;
	err = nm->name || err ? UFTP_ERR_NOMEM : 1;
	free_names3(nm);
	return err;
}

int uftp_walk_add(struct uftp_walk *w, const char *path, const struct uftp_walk_opts *o)
{
	size_t before = w->n;
	struct names nm;
	int rv;

	if (!path || !*path)
		return UFTP_ERR_INVALID;
	rv = top_names(&nm, path, o);
	if (rv != 0)
		return rv < 0 ? rv : 0;
	if (bad_top(nm.name))
		rv = add_contents(w, &nm, o);
	else
		rv = add_entry(w, &nm, o, NULL);
	if (rv < 0)
		return rv;
	return (int)(w->n - before);
}

/* Drops the line end (LF or CRLF) from line[0..*len). */
static void chomp(char *line, ssize_t *len)
{
	if (*len > 0 && line[*len - 1] == '\n')
		line[--*len] = '\0';
	if (*len > 0 && line[*len - 1] == '\r')
		line[--*len] = '\0';
}

/* Reads the non-blank lines of f, line ends removed; NOMEM or IO. */
static int read_lines(FILE *f, char ***list, size_t *n)
{
	char *line = NULL;
	size_t cap = 0, lcap = 0;
	ssize_t len;
	int rv = 0;

	for (;;) {
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		chomp(line, &len);
		if (len == 0)
			continue;
		rv = list_push(list, n, &lcap, line);
		if (rv < 0)
			break;
	}
	free(line);
	if (rv == 0 && ferror(f))
		rv = UFTP_ERR_IO;
	return rv;
}

/*
 * The names are read first: as in the reference, -D renames the single
 * name of a one-line list, and is a directory above the names of a longer
 * one.
 */
int uftp_walk_add_list(struct uftp_walk *w, const char *file, const struct uftp_walk_opts *o)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	struct uftp_walk_opts lo = {0};
	char **list = NULL;
	size_t n = 0, i;
	int rv, total = 0;

	if (!f) {
		log_warn("cannot open list file %s", file);
		return UFTP_ERR_IO;
	}
	rv = read_lines(f, &list, &n);
	if (f != stdin)
		fclose(f);
	if (rv == UFTP_ERR_IO)
		log_warn("error reading list file %s", file);
	if (o)
		lo = *o;
	lo.dest_is_dir = lo.dest_is_dir || n > 1;
	for (i = 0; i < n && rv == 0; i++) {
		rv = uftp_walk_add(w, list[i], &lo);
		total += rv > 0 ? rv : 0;
		rv = rv == UFTP_ERR_NOMEM ? rv : 0;
	}
	free_list(list, n);
	return rv < 0 ? rv : total;
}

void uftp_walk_free(struct uftp_walk *w)
{
	while (w->n > 0)
		free_ent(&w->ents[--w->n]);
	free(w->ents);
	w->ents = NULL;
	w->cap = 0;
}
