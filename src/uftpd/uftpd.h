/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpd driver internals: options and the run loop. */
#ifndef UFTP_UFTPD_UFTPD_H
#define UFTP_UFTPD_UFTPD_H

#include <stddef.h>
#include <stdint.h>

#include "core/client.h"
#include "lib/daemon.h"
#include "lib/opts.h"

#define PROG "uftpd"

/* Exit codes (EXIT_OK .. EXIT_INTR): lib/daemon.h. */

#define MAX_LIST UFTP_DAEMON_LIST

/* The shared options (-d -p -B -Q -U -x -N -g -n -h -L -P -S -k -K -H -I -M
 * --user) are in c; the rest are uftpd's own. */
struct uftpd_opts {
	struct uftp_daemon_opts c;
	int tempfile;         /* -t */
	const char *tempdir;  /* -T */
	int encrypted_only;   /* -E */
	char *dest[MAX_LIST]; /* -D */
	size_t ndest;
	char *backup[MAX_LIST]; /* -A */
	size_t nbackup;
	const char *statusfile; /* -F */
	int quiet;              /* -q */
	int individual;         /* -i */
	const char *script;     /* -s */
	const char *proxy;      /* -R */
	long cache;             /* -c */
};

/* Parses argv; prints the problem and returns EXIT_BADOPT, or 0 (-1: --help or --version printed).
 */
int uftpd_parse_opts(struct uftpd_opts *o, int argc, char **argv);

/* Runs the daemon with parsed options; returns the exit code. */
int uftpd_run(struct uftpd_opts *o);

#endif
