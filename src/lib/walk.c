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

/* Rest of path below base (both normalised), or NULL when not strictly below. */
static const char *below(const char *base, const char *path)
{
	size_t lb = strlen(base);

	if (lb == 1 && base[0] == '/')
		return path[0] == '/' && path[1] ? path + 1 : NULL;
	if (strncmp(path, base, lb) != 0 || path[lb] != '/' || !path[lb + 1])
		return NULL;
	return path + lb + 1;
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

/*
 * Sent name for a top-level path: its last element, or with -E what
 * follows the base directory.  NULL when skipped (*err 0) or on NOMEM.
 */
static char *base_name(const char *npath, const struct uftp_walk_opts *o, int *err)
{
	const char *rest, *slash;
	char *name;

	*err = 0;
	if (o && o->bases) {
		rest = strip_base(npath, o->bases, err);
		if (!rest && *err == 0)
			log_warnx("%s is not under any base directory, skipping", npath);
		if (!rest)
			return NULL;
	} else {
		slash = strrchr(npath, '/');
		rest = slash ? slash + 1 : npath;
	}
	name = strdup(rest);
	if (!name)
		*err = UFTP_ERR_NOMEM;
	return name;
}

static int excluded(const char *name, const char *local, const struct uftp_walk_opts *o)
{
	size_t i;

	if (!o || !o->excludes)
		return 0;
	for (i = 0; o->excludes[i]; i++)
		if (!strcmp(o->excludes[i], name) || !strcmp(o->excludes[i], local))
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

static int add_entry(struct uftp_walk *w, char *local, char *name, const struct uftp_walk_opts *o,
                     const struct ancestor *up);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Lists the entries of directory local (without "." and ".."), sorted. */
static int list_dir(const char *local, char ***out, size_t *count)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(local);

	if (!d)
		return UFTP_ERR_IO;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto nomem;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*count = n;
	return 0;
nomem:
	closedir(d);
	free_names(names, n);
	return UFTP_ERR_NOMEM;
}

/* Adds the children of the directory entry at index dir; marks it empty if none. */
static int add_children(struct uftp_walk *w, size_t dir, const struct uftp_walk_opts *o,
                        const struct ancestor *self)
{
	char **names = NULL, *cl, *cn;
	size_t n = 0, i;
	int rv;

	rv = list_dir(w->ents[dir].local, &names, &n);
	if (rv < 0)
		return rv;
	for (i = 0; i < n && rv >= 0; i++) {
		cl = join(w->ents[dir].local, names[i]);
		cn = join(w->ents[dir].name, names[i]);
		if (!cl || !cn) {
			free(cl);
			free(cn);
			rv = UFTP_ERR_NOMEM;
			break;
		}
		/* a child that cannot be examined was logged and is skipped */
		rv = add_entry(w, cl, cn, o, self);
		if (rv == UFTP_ERR_IO)
			rv = 0;
	}
	free_names(names, n);
	w->ents[dir].empty_dir = w->n == dir + 1;
	return rv == UFTP_ERR_NOMEM ? rv : 0;
}

static int on_stack(const struct ancestor *up, const struct stat *st)
{
	for (; up; up = up->up)
		if (up->dev == st->st_dev && up->ino == st->st_ino)
			return 1;
	return 0;
}

/* Adds directory local and, below it, its contents. */
static int add_dir(struct uftp_walk *w, char *local, char *name, const struct stat *st,
                   const struct uftp_walk_opts *o, const struct ancestor *up)
{
	struct ancestor self = {st->st_dev, st->st_ino, up};
	size_t dir = w->n;
	int rv;

	if (on_stack(up, st)) {
		log_warnx("%s: directory loop, skipping", local);
		free(local);
		free(name);
		return 0;
	}
	rv = push(w, local, name, NULL, st, UFTP_WALK_DIR);
	if (rv < 0)
		return rv;
	rv = add_children(w, dir, o, &self);
	if (rv == UFTP_ERR_IO) {
		log_warn("cannot read directory %s, skipping", w->ents[dir].local);
		while (w->n > dir)
			free_ent(&w->ents[--w->n]);
		return 0;
	}
	return rv;
}

/*
 * Adds one entry (recursing into directories), taking ownership of local
 * and name.  Returns 0 (also when skipped with a warning), IO when local
 * cannot be examined at all, or NOMEM.
 */
static int add_entry(struct uftp_walk *w, char *local, char *name, const struct uftp_walk_opts *o,
                     const struct ancestor *up)
{
	struct stat st;
	char *link;
	int rv = o && o->follow_links ? stat(local, &st) : lstat(local, &st);

	if (rv < 0) {
		log_warn("cannot stat %s, skipping", local);
		rv = UFTP_ERR_IO;
	} else if (excluded(name, local, o)) {
		log_debug("%s excluded", local);
	} else if (S_ISREG(st.st_mode)) {
		return push(w, local, name, NULL, &st, UFTP_WALK_FILE);
	} else if (S_ISDIR(st.st_mode)) {
		return add_dir(w, local, name, &st, o, up);
	} else if (S_ISLNK(st.st_mode)) {
		link = read_link(local, &st);
		if (link)
			return push(w, local, name, link, &st, UFTP_WALK_LINK);
		log_warn("cannot read link %s, skipping", local);
	} else {
		log_warnx("%s is a special file, skipping", local);
	}
	free(local);
	free(name);
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

/* The name to send for top-level path (normalised); NULL and *err when none. */
static char *top_name(const char *npath, const struct uftp_walk_opts *o, int *err)
{
	char *name;

	*err = 0;
	if (o && o->dest_name && !o->dest_is_dir) {
		name = normalise(o->dest_name);
		if (!name)
			*err = UFTP_ERR_NOMEM;
		return name;
	}
	name = base_name(npath, o, err);
	if (!name || !o || !o->dest_name)
		return name;
	name = under_dest(o->dest_name, name);
	if (!name)
		*err = UFTP_ERR_NOMEM;
	return name;
}

/* A top-level name that cannot be sent: empty, "." or "..". */
static int bad_top(const char *name)
{
	const char *last = strrchr(name, '/');

	last = last ? last + 1 : name;
	return !*last || !strcmp(last, ".") || !strcmp(last, "..");
}

int uftp_walk_add(struct uftp_walk *w, const char *path, const struct uftp_walk_opts *o)
{
	size_t before = w->n;
	char *local, *name;
	int err, rv;

	local = normalise(path);
	if (!local)
		return UFTP_ERR_NOMEM;
	name = top_name(local, o, &err);
	if (!name) {
		free(local);
		return err;
	}
	if (bad_top(name)) {
		log_warnx("%s: no name to send it under, skipping", path);
		free(local);
		free(name);
		return UFTP_ERR_INVALID;
	}
	rv = add_entry(w, local, name, o, NULL);
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

int uftp_walk_add_list(struct uftp_walk *w, const char *file, const struct uftp_walk_opts *o)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rv = 0, total = 0;

	if (!f) {
		log_warn("cannot open list file %s", file);
		return UFTP_ERR_IO;
	}
	for (;;) {
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		chomp(line, &len);
		if (len == 0)
			continue;
		rv = uftp_walk_add(w, line, o);
		if (rv == UFTP_ERR_NOMEM)
			break;
		total += rv > 0 ? rv : 0;
	}
	if (rv != UFTP_ERR_NOMEM && ferror(f)) {
		log_warn("error reading list file %s", file);
		rv = UFTP_ERR_IO;
	} else if (rv != UFTP_ERR_NOMEM) {
		rv = total;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rv;
}

void uftp_walk_free(struct uftp_walk *w)
{
	while (w->n > 0)
		free_ent(&w->ents[--w->n]);
	free(w->ents);
	w->ents = NULL;
	w->cap = 0;
}
