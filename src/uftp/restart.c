/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Restartable sessions: -F reads the restart file an earlier failed
 * attempt wrote (the group, its files, its failed clients) and -f writes
 * one, "_group_{ID}_restart" in the current directory, when a session ends
 * with clients that did not receive everything.  The layout is the
 * reference's (see core/server.h), so either program can resume the other's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/server.h"
#include "uftp/uftp.h"

/* lib/log.h clashes with session.h's level names: declare what we use. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A restart file of the reference for 1000 files and 1000 clients is ~460 KB. */
#define MAX_RESTART_BYTES (64L * 1024 * 1024)

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "uftp: -F %s: %s\n", path, why);
	return EXIT_BADARG;
}

static int read_whole(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_RESTART_BYTES) {
		close(fd);
		return fail(path, "not a restart file (not a regular file, or too large)");
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return EXIT_MEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return fail(path, "read error");
	}
	*out = buf;
	*len = got;
	return 0;
}

static const char *decode_error(int rv)
{
	switch (rv) {
	case UFTP_ERR_TRUNCATED: return "truncated: shorter than its header and file names";
	case UFTP_ERR_BADLEN: return "malformed: a partial client record at the end";
	case UFTP_ERR_BADVALUE: return "malformed: no file, a bad file name or a bad client record";
	default: return uftp_strerror(rv);
	}
}

int uftp_restart_load(struct uftp_opts *o)
{
	size_t i, len = 0;
	int rv;

	rv = read_whole(o->restart_file, &o->restart_buf, &len);
	if (rv)
		return rv;
	o->restart = calloc(1, sizeof(*o->restart));
	if (o->restart == NULL)
		return EXIT_MEM;
	rv = uftp_restart_decode(o->restart, o->restart_buf, len);
	if (rv == UFTP_ERR_NOMEM)
		return EXIT_MEM;
	if (rv < 0)
		return fail(o->restart_file, decode_error(rv));
	if (o->nfiles || o->list_file)
		fprintf(stderr,
		        "uftp: warning: ignoring the files given on the command line: "
		        "-F %s lists them\n",
		        o->restart_file);
	o->list_file = NULL;
	o->restart_names = calloc(o->restart->nfiles + 1, sizeof(char *));
	if (o->restart_names == NULL)
		return EXIT_MEM;
	for (i = 0; i < o->restart->nfiles; i++) {
		o->restart_names[i] = strdup(o->restart->files[i]);
		if (o->restart_names[i] == NULL)
			return EXIT_MEM;
	}
	o->files = o->restart_names;
	o->nfiles = (int)o->restart->nfiles;
	o->hosts = NULL;
	o->host_names = NULL;
	if (o->restart->nhosts) {
		o->hosts = malloc(o->restart->nhosts * sizeof(*o->hosts));
		o->host_names = calloc(o->restart->nhosts, sizeof(*o->host_names));
		if (o->hosts == NULL || o->host_names == NULL)
			return EXIT_MEM;
		o->nhosts = o->restart->nhosts;
		memcpy(o->hosts, o->restart->hosts, o->nhosts * sizeof(*o->hosts));
		for (i = 0; i < o->nhosts; i++) { /* the names the first attempt was given */
			if (o->restart->host_names[i] == NULL)
				continue;
			o->host_names[i] = strdup(o->restart->host_names[i]);
			if (o->host_names[i] == NULL)
				return EXIT_MEM;
		}
	}
	return 0;
}

void uftp_restart_release(struct uftp_opts *o)
{
	size_t i;

	if (o->restart)
		uftp_restart_free(o->restart);
	free(o->restart);
	o->restart = NULL;
	for (i = 0; o->restart_names && o->restart_names[i]; i++)
		free(o->restart_names[i]);
	free(o->restart_names);
	o->restart_names = NULL;
	free(o->restart_buf);
	o->restart_buf = NULL;
}

/* The -H entry of id, looked for from entry from on (failed clients come in -H order). */
static size_t host_of(const struct uftp_server_config *cfg, uint32_t id, size_t from)
{
	size_t i;

	for (i = from; i < cfg->nhosts; i++)
		if (cfg->hosts[i].id == id)
			return i;
	for (i = 0; i < from && i < cfg->nhosts; i++)
		if (cfg->hosts[i].id == id)
			return i;
	return SIZE_MAX;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (close(fd) < 0 || off != len) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* The failed clients, with their fingerprints and -H names when they were listed. */
static int fill_hosts(struct uftp_restart *r, const struct uftp_opts *o,
                      const struct uftp_server *srv, const struct uftp_server_config *cfg)
{
	size_t i, k, next = 0, n = uftp_server_failed(srv, NULL, 0);
	const char **names;
	uint32_t *ids;

	if (n == 0)
		return 0;
	ids = calloc(n, sizeof(*ids));
	r->hosts = calloc(n, sizeof(*r->hosts));
	names = calloc(n, sizeof(*names));
	r->host_names = names;
	if (ids == NULL || r->hosts == NULL || names == NULL) {
		free(ids);
		return -1;
	}
	uftp_server_failed(srv, ids, n);
	for (i = 0; i < n; i++) {
		k = host_of(cfg, ids[i], next);
		r->hosts[i].id = ids[i];
		if (k == SIZE_MAX)
			continue;
		next = k + 1;
		r->hosts[i] = cfg->hosts[k];
		if (o->host_names && cfg->hosts == o->hosts)
			names[i] = o->host_names[k];
	}
	r->nhosts = n;
	free(ids);
	return 0;
}

void uftp_restart_save(const struct uftp_opts *o, const struct uftp_server *srv,
                       const struct uftp_server_config *cfg, const struct uftp_files *files)
{
	struct uftp_restart r = {0};
	char path[64];
	uint8_t *buf = NULL;
	ssize_t len = -1;

	if (!o->restartable || srv == NULL || !uftp_server_finished(srv) ||
	    uftp_server_failed(srv, NULL, 0) == 0)
		return;
	r.group_id = cfg->group_id;
	r.group_inst = cfg->group_inst;
	r.files = uftp_files_names(files, &r.nfiles);
	snprintf(path, sizeof(path), "_group_%08X_restart", cfg->group_id);
	if (r.nfiles && fill_hosts(&r, o, srv, cfg) == 0) {
		buf = malloc(uftp_restart_size(&r));
		if (buf)
			len = uftp_restart_encode(buf, uftp_restart_size(&r), &r);
	}
	if (len < 0 || write_file(path, buf, (size_t)len) < 0)
		log_warnx("Failed to write restart file %s", path);
	else
		log_info("Wrote restart file %s (%zu files, %zu clients to retry)", path, r.nfiles,
		         r.nhosts);
	free(r.hosts);
	free((void *)(uintptr_t)r.host_names);
	free(buf);
}
