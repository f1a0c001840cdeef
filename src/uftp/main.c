/* SPDX-License-Identifier: BSD-2-Clause */
/* uftp: sends files to uftpd receivers over multicast (see man uftp). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"
#include "uftp/uftp.h"

static int setup_log(const struct uftp_opts *o)
{
	int level = o->log_level >= 3 ? UFTP_LOG_DEBUG : o->log_level;

	/* -x 0 is the least verbose, not silent: errors still show, as with the reference */
	if (level < UFTP_LOG_WARN)
		level = UFTP_LOG_WARN;

	log_init(level, stderr);
	log_set_timestamps(o->timestamps || o->logfile != NULL);
	if (o->logfile == NULL)
		return 0;
	if (log_open_file(o->logfile) < 0) {
		fprintf(stderr, "uftp: cannot open log file %s\n", o->logfile);
		return EXIT_LOG;
	}
	if (o->max_log_mb)
		log_set_rolling((uint64_t)o->max_log_mb * 1024 * 1024, (unsigned)o->max_log_count);
	return 0;
}

int main(int argc, char **argv)
{
	struct uftp_opts o;
	struct uftp_files *files = NULL;
	size_t i;
	int rv;

	rv = uftp_parse_opts(&o, argc, argv);
	if (rv == 0)
		rv = setup_log(&o);
	if (rv == 0) {
		rv = uftp_files_build(&files, &o);
		if (rv < 0) {
			log_warnx("cannot build the file list");
			rv = rv == -10 ? EXIT_MEM : EXIT_BADARG;
		} else {
			rv = uftp_run(&o, files);
		}
		log_close();
	}
	uftp_files_free(files);
	for (i = 0; o.host_names && i < o.nhosts; i++)
		free(o.host_names[i]);
	free(o.host_names);
	free(o.hosts);
	free(o.proxies);
	uftp_restart_release(&o);
	return rv < 0 ? 0 : rv; /* < 0: --help */
}
