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

/* --version: "prog (uftp-ng) 0.1.0" on stdout, from config.h's PACKAGE_NAME and PACKAGE_VERSION. */
void uftp_print_version(const char *prog);

#endif
