/* uftpproxyd driver internals: options and the run loop. */
#ifndef UFTP_UFTPPROXYD_UFTPPROXYD_H
#define UFTP_UFTPPROXYD_UFTPPROXYD_H

#include <stddef.h>
#include <stdint.h>

#include "core/proxy.h"
#include "lib/daemon.h"

#define PROG "uftpproxyd"

/* Exit codes (EXIT_OK .. EXIT_INTR): lib/daemon.h. */

#define MAX_LIST 32

struct uftpproxyd_opts {
	int mode;         /* enum uftp_proxy_mode */
	const char *dest; /* -s dest, or NULL with fp */
	int dest_by_fp;   /* -s fp=... */
	uint8_t dest_fp[UFTP_FP_LEN];
	const char *rcurve; /* -r:curve */
	int debug;          /* -d */
	uint16_t port;      /* -p */
	int ttl;            /* -t */
	int dscp;           /* -Q */
	int priority;       /* -N */
	int have_priority;
	const char *out_if; /* -O */
	int have_uid;
	uint32_t uid;       /* -U */
	uint16_t dest_port; /* -q (0: same as -p) */
	int loglevel;       /* -x */
	char *hb[MAX_LIST]; /* -H */
	size_t nhb;
	uint64_t log_max;         /* -g, bytes */
	unsigned log_count;       /* -n */
	int hb_interval;          /* -h, seconds */
	int bufsize;              /* -B */
	const char *logfile;      /* -L */
	const char *pidfile;      /* -P */
	const char *clientlist;   /* -C */
	const char *serverlist;   /* -S */
	char *keyfiles[MAX_LIST]; /* -k */
	size_t nkeyfiles;
	char *keyspecs[MAX_LIST]; /* -K */
	size_t nkeyspecs;
	const char *ecdh_curve; /* -e */
	char *ifaces[MAX_LIST]; /* -I */
	size_t nifaces;
	char *pubs[MAX_LIST]; /* -M */
	size_t npubs;
};

/* Parses argv; prints the problem and returns EXIT_BADOPT, or 0 (-1: --help printed). */
int uftpproxyd_parse_opts(struct uftpproxyd_opts *o, int argc, char **argv);

/* Runs the daemon with parsed options; returns the exit code. */
int uftpproxyd_run(struct uftpproxyd_opts *o);

#endif
