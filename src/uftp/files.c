/* SPDX-License-Identifier: BSD-2-Clause */
/* uftp's file list (lib/walk) and the disk side of the core's file-ops table. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/proto.h"
#include "core/section.h"
#include "core/server.h"
#include "lib/opts.h"
#include "lib/walk.h"
#include "uftp/uftp.h"

/* lib/log.h clashes with session.h's level names: declare what we use. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define READ_AHEAD   (1024 * 1024)
#define MAX_BASES    64
#define MAX_EXCLUDES 1024

struct uftp_files {
	struct uftp_walk walk;
	struct uftp_server_file *list;
	size_t *walk_idx; /* list index -> walk entry (SIZE_MAX for metafiles) */
	size_t n;
	char **meta_names;
	size_t nmeta;
	int fd;
	size_t fd_idx;
	uint8_t *cache; /* read-ahead: one pread serves many blocks */
	uint64_t cache_off;
	size_t cache_len;
	struct uftp_server_file_ops ops;
	char *excl[MAX_EXCLUDES + 1];
	size_t nexcl;
	char **names; /* top-level names as given (operands or -i lines), for -f */
	size_t nnames;
};

/*
 * -X: one name per line, taken literally as the reference does (a name may
 * hold '#' or spaces); only the line end (LF or CRLF) is removed and blank
 * lines are skipped.
 */
static int read_excludes(struct uftp_files *f, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rv = 0;

	if (fp == NULL) {
		log_warnx("-X %s: %s", path, strerror(errno));
		return UFTP_ERR_INVALID;
	}
	errno = 0;
	while (rv == 0 && (n = getline(&line, &cap, fp)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (f->nexcl >= MAX_EXCLUDES) {
			log_warnx("-X %s: more than %d names", path, MAX_EXCLUDES);
			rv = UFTP_ERR_INVALID;
		} else if ((f->excl[f->nexcl] = strdup(line)) == NULL) {
			rv = UFTP_ERR_NOMEM;
		} else {
			f->nexcl++;
		}
	}
	if (rv == 0 && ferror(fp)) {
		log_warnx("-X %s: %s", path, errno ? strerror(errno) : "read error");
		rv = UFTP_ERR_INVALID;
	}
	free(line);
	fclose(fp);
	return rv;
}

static int open_file(void *arg, size_t idx)
{
	struct uftp_files *f = arg;

	if (f->fd >= 0 && f->fd_idx == idx)
		return 0;
	if (f->fd >= 0)
		close(f->fd);
	f->cache_len = 0;
	f->fd = open(f->walk.ents[f->walk_idx[idx]].local, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		log_warn("cannot open %s", f->walk.ents[f->walk_idx[idx]].local);
		return UFTP_ERR_IO;
	}
	f->fd_idx = idx;
	return 0;
}

static ssize_t pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return UFTP_ERR_IO;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Serves [off, off+len) from the read-ahead buffer, refilling it on a miss. */
static ssize_t read_at(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	struct uftp_files *f = arg;
	ssize_t n;
	int rv = open_file(f, idx);

	if (rv < 0)
		return rv;
	if (f->cache == NULL || len > READ_AHEAD)
		return pread_full(f->fd, buf, len, off);
	if (off < f->cache_off || off + len > f->cache_off + f->cache_len) {
		n = pread_full(f->fd, f->cache, READ_AHEAD, off);
		if (n < 0)
			return n;
		f->cache_off = off;
		f->cache_len = (size_t)n;
		if ((size_t)n < len)
			len = (size_t)n;
	}
	memcpy(buf, f->cache + (off - f->cache_off), len);
	return (ssize_t)len;
}

/* "@DELETE:name" and "@FREESPACE" travel as FILEINFO commands, not files. */
static int is_meta(const char *arg)
{
	return strncmp(arg, "@DELETE:", 8) == 0 || strcmp(arg, "@FREESPACE") == 0;
}

static int add_meta(struct uftp_files *f, const char *arg)
{
	char **m = realloc(f->meta_names, (f->nmeta + 1) * sizeof(*m));

	if (m == NULL)
		return UFTP_ERR_NOMEM;
	f->meta_names = m;
	m[f->nmeta] = strdup(arg);
	if (m[f->nmeta] == NULL)
		return UFTP_ERR_NOMEM;
	f->nmeta++;
	return 0;
}

static int add_name(struct uftp_files *f, const char *name)
{
	char **n = realloc(f->names, (f->nnames + 1) * sizeof(*n));

	if (n == NULL)
		return UFTP_ERR_NOMEM;
	f->names = n;
	n[f->nnames] = strdup(name);
	if (n[f->nnames] == NULL)
		return UFTP_ERR_NOMEM;
	f->nnames++;
	return 0;
}

/* -i: one name per line (line ends removed, blank lines skipped); "-" is stdin. */
static int read_list(struct uftp_files *f, const char *path)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rv = 0;

	if (fp == NULL) {
		log_warn("cannot open list file %s", path);
		return UFTP_ERR_IO;
	}
	while (rv == 0 && (n = getline(&line, &cap, fp)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			rv = add_name(f, line);
	}
	if (rv == 0 && ferror(fp)) {
		log_warn("error reading list file %s", path);
		rv = UFTP_ERR_IO;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rv;
}

static int walk_all(struct uftp_files *f, const struct uftp_opts *o,
                    const struct uftp_walk_opts *wo)
{
	struct uftp_walk_opts lo = *wo;
	size_t i;
	int rv;

	if (o->list_file) {
		rv = read_list(f, o->list_file);
		if (rv < 0)
			return rv;
		/* as in the reference, -D renames the one name of a one-line list */
		lo.dest_is_dir = lo.dest_is_dir || f->nnames > 1;
	} else {
		for (i = 0; i < (size_t)o->nfiles; i++) {
			rv = add_name(f, o->files[i]);
			if (rv < 0)
				return rv;
		}
	}
	for (i = 0; i < f->nnames; i++) {
		if (!o->list_file && is_meta(f->names[i])) { /* metafiles are operands only */
			rv = add_meta(f, f->names[i]);
		} else {
			rv = uftp_walk_add(&f->walk, f->names[i], &lo);
			if (rv < 0)
				log_warnx("%s: cannot send it, skipping", f->names[i]);
			rv = rv == UFTP_ERR_NOMEM ? rv : 0;
		}
		if (rv < 0)
			return rv;
	}
	return 0;
}

static void fill_entry(struct uftp_server_file *sf, const struct uftp_walk_ent *e)
{
	memset(sf, 0, sizeof(*sf));
	sf->name = e->name;
	if (e->type == UFTP_WALK_FILE) {
		sf->ftype = UFTP_FTYPE_REG;
		sf->size = e->size;
		sf->mtime = (uint32_t)e->mtime;
	} else if (e->type == UFTP_WALK_DIR) {
		sf->ftype = UFTP_FTYPE_DIR;
	} else {
		sf->ftype = UFTP_FTYPE_LINK;
		sf->link = e->link;
	}
}

static void fill_meta(struct uftp_server_file *sf, const char *arg)
{
	memset(sf, 0, sizeof(*sf));
	if (strcmp(arg, "@FREESPACE") == 0) {
		sf->ftype = UFTP_FTYPE_FREESPACE;
		sf->name = "."; /* what the reference sends */
		return;
	}
	sf->ftype = UFTP_FTYPE_DELETE;
	sf->name = arg + 8;
}

/* FILEINFO's header (fixed part, padded name and link) must fit 1020 bytes. */
static int fits_fileinfo(const struct uftp_walk_ent *e)
{
	size_t n = (strlen(e->name) + 3) / 4 * 4;

	if (e->link)
		n += (strlen(e->link) + 3) / 4 * 4;
	return UFTP_FILEINFO_LEN + n <= UFTP_MAX_HLEN;
}

static int make_list(struct uftp_files *f)
{
	size_t i, n = 0, total = f->walk.n + f->nmeta;

	f->list = calloc(total + 1, sizeof(*f->list));
	f->walk_idx = calloc(total + 1, sizeof(*f->walk_idx));
	if (f->list == NULL || f->walk_idx == NULL)
		return UFTP_ERR_NOMEM;
	for (i = 0; i < f->walk.n; i++) {
		const struct uftp_walk_ent *e = &f->walk.ents[i];

		if (e->type == UFTP_WALK_DIR && !e->empty_dir)
			continue; /* implied by its contents */
		if (!fits_fileinfo(e)) {
			log_warnx("%s: name too long for a FILEINFO, skipping", e->name);
			continue;
		}
		fill_entry(&f->list[n], e);
		f->walk_idx[n++] = i;
	}
	for (i = 0; i < f->nmeta; i++) {
		fill_meta(&f->list[n], f->meta_names[i]);
		f->walk_idx[n++] = SIZE_MAX;
	}
	f->n = n;
	return 0;
}

/* The smallest block size that carries size bytes, or 0 when none does. */
static unsigned min_block_for(uint64_t size)
{
	unsigned b;

	for (b = UFTP_MIN_BLOCK; b <= UFTP_MAX_BLOCK; b++)
		if (uftp_sections_max_size((uint16_t)b) >= size)
			return b;
	return 0;
}

/*
 * Section numbers are 16 bits: a file past uftp_sections_max_size() cannot
 * be sent at this block size.  Refused before the session, naming each file.
 */
static int check_sizes(const struct uftp_files *f, int block_size)
{
	uint64_t max = uftp_sections_max_size((uint16_t)block_size);
	unsigned need;
	size_t i;
	int rv = 0;

	for (i = 0; i < f->n; i++) {
		if (f->list[i].ftype != UFTP_FTYPE_REG || f->list[i].size <= max)
			continue;
		need = min_block_for(f->list[i].size);
		if (need)
			log_warnx(
			    "%s: %llu bytes is more than block size %d can carry (%llu bytes in "
			    "%u sections); use -b %u or more",
			    f->list[i].name, (unsigned long long)f->list[i].size, block_size,
			    (unsigned long long)max, UFTP_MAX_SECTIONS, need);
		else
			log_warnx(
			    "%s: %llu bytes is more than the protocol can carry at any block size",
			    f->list[i].name, (unsigned long long)f->list[i].size);
		rv = UFTP_ERR_TOOBIG;
	}
	return rv;
}

int uftp_files_build(struct uftp_files **out, const struct uftp_opts *o)
{
	struct uftp_walk_opts wo = {0};
	char *bases[MAX_BASES + 1] = {0};
	char err[UFTP_OPT_ERRLEN];
	struct uftp_files *f = calloc(1, sizeof(*f));
	int rv, nb;

	if (f == NULL)
		return UFTP_ERR_NOMEM;
	*out = f;
	f->fd = -1;
	if (o->exclude_file) {
		rv = read_excludes(f, o->exclude_file);
		if (rv < 0)
			return rv;
	}
	if (o->bases_arg) {
		nb = uftp_opt_split(o->bases_arg, ',', bases, MAX_BASES, err, sizeof(err));
		if (nb < 0) {
			log_warnx("-E: %s", err);
			return UFTP_ERR_INVALID;
		}
		wo.bases = (const char *const *)bases;
	}
	wo.excludes = f->nexcl ? (const char *const *)f->excl : NULL;
	wo.follow_links = o->follow_links;
	wo.dest_name = o->dest_name;
	wo.dest_is_dir =
	    o->dir_mode || o->nfiles > 1; /* a list of several names sets it too (walk.h) */
	rv = walk_all(f, o, &wo);
	if (rv < 0)
		return rv;
	rv = make_list(f);
	if (rv == 0)
		rv = check_sizes(f, o->block_size);
	if (rv < 0)
		return rv;
	f->ops.arg = f;
	f->cache = malloc(READ_AHEAD); /* NULL: plain preads */
	f->ops.read_at = read_at;
	f->ops.open = open_file;
	return 0;
}

const struct uftp_server_file *uftp_files_list(const struct uftp_files *f, size_t *n)
{
	*n = f->n;
	return f->list;
}

const struct uftp_server_file_ops *uftp_files_ops(struct uftp_files *f)
{
	return &f->ops;
}

const char *const *uftp_files_names(const struct uftp_files *f, size_t *n)
{
	*n = f->nnames;
	return (const char *const *)f->names;
}

void uftp_files_free(struct uftp_files *f)
{
	size_t i;

	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	uftp_walk_free(&f->walk);
	for (i = 0; i < f->nmeta; i++)
		free(f->meta_names[i]);
	for (i = 0; i < f->nexcl; i++)
		free(f->excl[i]);
	for (i = 0; i < f->nnames; i++)
		free(f->names[i]);
	free(f->names);
	free(f->meta_names);
	free(f->cache);
	free(f->list);
	free(f->walk_idx);
	free(f);
}
