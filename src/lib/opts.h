/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict parsing of command-line option values. Each parser returns 0 on
 * success or a negative enum uftp_err, and on failure writes a one-line
 * message without the option name to err (e.g. "invalid rate 'abc'") so a
 * program can print "uftp: -R: invalid rate 'abc'" and exit with code 1.
 * err may be NULL when the caller does not want the text.
 */
#ifndef UFTP_LIB_OPTS_H
#define UFTP_LIB_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Size of an error buffer big enough for every message below. */
#define UFTP_OPT_ERRLEN 256

/* Flags for uftp_opt_long(). */
#define UFTP_OPT_HEX 0x1 /* also accept "0x..." hexadecimal (as -Q does) */

/*
 * Parses a whole decimal integer (optionally "0x" hex with UFTP_OPT_HEX) in
 * [min, max]. Leading zeros stay decimal. Errors: UFTP_ERR_INVALID for an
 * empty string, junk or overflow; UFTP_ERR_BADVALUE when out of range.
 */
int uftp_opt_long(long *out, const char *s, long min, long max, int flags, char *err,
                  size_t errlen);

/* uftp_opt_long() for an int range. */
int uftp_opt_int(int *out, const char *s, int min, int max, int flags, char *err, size_t errlen);

/*
 * Parses a byte count with an optional binary suffix K, M or G (case
 * insensitive): "262144", "256K", "2M". Range [min, max] applies to the
 * result. Errors as uftp_opt_long().
 */
int uftp_opt_size(uint64_t *out, const char *s, uint64_t min, uint64_t max, char *err,
                  size_t errlen);

/*
 * Parses a decimal number of seconds with up to 6 decimals ("0.5", "2")
 * into microseconds, in [min_us, max_us]. Errors as uftp_opt_long().
 */
int uftp_opt_seconds(uint64_t *out_us, const char *s, uint64_t min_us, uint64_t max_us, char *err,
                     size_t errlen);

/*
 * Parses the -R transmission rate in Kbps: a positive integer up to
 * 2^31-1, or -1 for "as fast as the interface allows" (stored as -1).
 */
int uftp_opt_rate(long *out, const char *s, char *err, size_t errlen);

/*
 * Splits s in place at each sep into at most cap items, trimming spaces and
 * tabs around each. Returns the count, or UFTP_ERR_INVALID for an empty
 * item ("a,,b", "a,"), UFTP_ERR_NOSPACE for more than cap items.
 */
int uftp_opt_split(char *s, char sep, char **items, size_t cap, char *err, size_t errlen);

/*
 * Called for each meaningful line of a list file: line has comments ('#' to
 * the end) and surrounding white space removed and is never empty. lineno
 * counts from 1. Return 0 to go on, or a negative error (with a message in
 * err) to stop: uftp_opt_read_list() then prefixes "path:lineno: ".
 */
typedef int (*uftp_opt_line_fn)(void *arg, char *line, unsigned lineno, char *err, size_t errlen);

/*
 * Reads the text file at path line by line (lines up to 1023 characters)
 * and calls fn for each. Returns 0, the callback's error, UFTP_ERR_IO when
 * the file cannot be read, or UFTP_ERR_INVALID for an over-long line.
 */
int uftp_opt_read_list(const char *path, uftp_opt_line_fn fn, void *arg, char *err, size_t errlen);

/*
 * Handles the "{ item[,item...] | @file }" forms (-H, -M, -I...): when arg
 * starts with '@', reads the file (one item per line) like
 * uftp_opt_read_list(); otherwise splits a copy of arg at commas and calls
 * fn for each item with lineno 0. Errors as those two functions, plus
 * UFTP_ERR_NOMEM.
 */
int uftp_opt_each(const char *arg, int allow_file, uftp_opt_line_fn fn, void *arg_fn, char *err,
                  size_t errlen);

/* Copies s (NUL-terminated) into dst of size cap; returns 0 or UFTP_ERR_NOSPACE (dst untouched). */
int uftp_strlcpy(char *dst, const char *s, size_t cap);

/*
 * Reporting a bad command-line value, as the daemons do: "prog: -opt: msg"
 * on stderr. Each returns 1, the exit status for an invalid option (0 when
 * the value is fine, after storing it).
 */
int uftp_opt_bad(const char *prog, const char *opt, const char *msg);
/* uftp_opt_split(arg, ',') into items[0..cap) and *n. */
int uftp_opt_list(const char *prog, const char *opt, char *arg, char **items, size_t cap,
                  size_t *n);
/* uftp_opt_int() into *out. */
int uftp_opt_num(const char *prog, const char *opt, int *out, const char *s, int min, int max,
                 int flags);

/* Prints "prog (PACKAGE_NAME) PACKAGE_VERSION" on stdout (--version). */
void uftp_print_version(const char *prog);

/* ---- the options uftpd and uftpproxyd share ---------------------------- */

#define UFTP_DAEMON_LIST 32 /* items per list option */

/* What both daemons take (man uftpd, man uftpproxyd), parsed once here. */
struct uftp_daemon_opts {
	const char *prog;
	int debug;     /* -d */
	uint16_t port; /* -p */
	int bufsize;   /* -B */
	int dscp;      /* -Q */
	int loglevel;  /* -x */
	int priority;  /* -N */
	int have_priority;
	uint32_t uid; /* -U */
	int have_uid;
	uint64_t log_max;                 /* -g, bytes */
	unsigned log_count;               /* -n */
	int hb_interval;                  /* -h, seconds */
	const char *logfile;              /* -L */
	const char *pidfile;              /* -P */
	const char *serverlist;           /* -S */
	const char *user;                 /* --user USER[:GROUP] */
	const char *control;              /* --control [ADDR:]PORT */
	char *keyfiles[UFTP_DAEMON_LIST]; /* -k */
	size_t nkeyfiles;
	char *keyspecs[UFTP_DAEMON_LIST]; /* -K */
	size_t nkeyspecs;
	char *ifaces[UFTP_DAEMON_LIST]; /* -I */
	size_t nifaces;
	char *pubs[UFTP_DAEMON_LIST]; /* -M */
	size_t npubs;
	char *hbs[UFTP_DAEMON_LIST]; /* -H */
	size_t nhbs;
};

/* A daemon's own options and words, around the shared ones. */
struct uftp_daemon_cli {
	const char *prog;
	const char *letters;  /* getopt letters of its own options ("s:cr::") */
	const char *synopsis; /* its own options, for the first usage lines */
	const char *summary;  /* one line on what it does */
	const char *help;     /* one line per own option (and -I, -M, which differ) */
	/* Takes one of its own options: 0, 1 after saying why, 2: not an option of its. */
	int (*own)(void *arg, int ch, char *optarg);
	/* Checks a -K item (uftp_keyspec_check): 0, or <0 with a reason in err. */
	int (*keyspec_check)(const char *spec, char *err, size_t errlen);
	const char *bufdefault; /* -B's default in words; NULL: 262144 */
};

/* Fills c with the shared defaults (port 1044, -B 262144, -x 2, -n 5). */
void uftp_daemon_opts_init(struct uftp_daemon_opts *c, const char *prog);

/*
 * Parses argv with getopt_long: the shared options into c, the daemon's
 * own through cli->own(arg, ...), then --help / --version (printed on stdout) and
 * --user. Checks what the shared options need together (-k and -K counts,
 * each -K item) and that no argument is left. Returns 0, 1 (the exit
 * status for a bad option, after a message on stderr), or -1 when --help
 * or --version was printed (exit 0).
 */
int uftp_daemon_parse(const struct uftp_daemon_cli *cli, struct uftp_daemon_opts *c, void *arg,
                      int argc, char **argv);

/* The usage text: synopsis, summary, own and shared options, exit codes. */
void uftp_daemon_usage(const struct uftp_daemon_cli *cli, FILE *out);

#endif
