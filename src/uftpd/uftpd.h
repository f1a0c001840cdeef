/* uftpd driver internals: options and the run loop. */
#ifndef UFTP_UFTPD_UFTPD_H
#define UFTP_UFTPD_UFTPD_H

#include <stddef.h>
#include <stdint.h>

#include "core/client.h"
#include "lib/daemon.h"

#define PROG "uftpd"

/* Exit codes (EXIT_OK .. EXIT_INTR): lib/daemon.h. */

#define MAX_LIST 32

struct uftpd_opts {
	int debug;           /* -d */
	int tempfile;        /* -t */
	const char *tempdir; /* -T */
	uint16_t port;       /* -p */
	int bufsize;         /* -B */
	int encrypted_only;  /* -E */
	int dscp;            /* -Q */
	int have_uid;
	uint32_t uid;           /* -U */
	int loglevel;           /* -x */
	char *dest[MAX_LIST];   /* -D */
	char *backup[MAX_LIST]; /* -A */
	size_t nbackup;
	size_t ndest;
	const char *logfile;      /* -L */
	const char *statusfile;   /* -F */
	int quiet;                /* -q */
	int individual;           /* -i */
	const char *script;       /* -s */
	const char *pidfile;      /* -P */
	const char *proxy;        /* -R */
	const char *serverlist;   /* -S */
	long cache;               /* -c */
	char *keyfiles[MAX_LIST]; /* -k */
	size_t nkeyfiles;
	char *keyspecs[MAX_LIST]; /* -K */
	size_t nkeyspecs;
	int priority; /* -N */
	int have_priority;
	uint64_t log_max;       /* -g, bytes */
	unsigned log_count;     /* -n */
	char *ifaces[MAX_LIST]; /* -I */
	size_t nifaces;
	char *pubs[MAX_LIST]; /* -M */
	size_t npubs;
	int timestamps;      /* -T style: always on with a log file */
	char *hbs[MAX_LIST]; /* -H */
	size_t nhbs;
	int hb_interval;     /* -h, seconds (0: the core's default, 20) */
	const char *control; /* --control [ADDR:]PORT */
};

/* Parses argv; prints the problem and returns EXIT_BADOPT, or 0 (-1: --help printed). */
int uftpd_parse_opts(struct uftpd_opts *o, int argc, char **argv);

/* Runs the daemon with parsed options; returns the exit code. */
int uftpd_run(struct uftpd_opts *o);

#endif
