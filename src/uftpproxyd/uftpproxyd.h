/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpproxyd: its options and the daemon's entry point (the driver's state: pxd.h). */
#ifndef UFTP_UFTPPROXYD_UFTPPROXYD_H
#define UFTP_UFTPPROXYD_UFTPPROXYD_H

#include <stddef.h>
#include <stdint.h>

#include "core/proxy.h"
#include "lib/daemon.h"
#include "lib/opts.h"

#define PROG "uftpproxyd"

/* Exit codes (EXIT_OK .. EXIT_INTR): lib/daemon.h. */

#define MAX_LIST UFTP_DAEMON_LIST

/* The shared options (-d -p -B -Q -U -x -N -g -n -h -L -P -S -k -K -H -I -M
 * --user) are in c; the rest are uftpproxyd's own. */
struct uftpproxyd_opts {
	struct uftp_daemon_opts c;
	int mode;         /* enum uftp_proxy_mode */
	const char *dest; /* -s dest, or NULL with fp */
	int dest_by_fp;   /* -s fp=... */
	uint8_t dest_fp[UFTP_FP_LEN];
	const char *rcurve;     /* -r:curve */
	int ttl;                /* -t */
	const char *out_if;     /* -O */
	uint16_t dest_port;     /* -q (0: same as -p) */
	const char *clientlist; /* -C */
	const char *ecdh_curve; /* -e */
};

/* Parses argv; prints the problem and returns EXIT_BADOPT, or 0 (-1: --help or --version printed).
 */
int uftpproxyd_parse_opts(struct uftpproxyd_opts *o, int argc, char **argv);

/* Runs the daemon with parsed options; returns the exit code. */
int uftpproxyd_run(struct uftpproxyd_opts *o);

#endif
