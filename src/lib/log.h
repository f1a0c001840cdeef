/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driver-side logging (OpenBSD log.c style). Not for use under src/core.
 *
 * Every line carries its level, in a shape that suits where it goes:
 *   the journal (systemd set JOURNAL_STREAM to this stream's device and
 *   inode):  "<4>cannot open ..."  (syslog priority, no time: journald
 *             adds its own)
 *   a terminal: "uftp: 2026/11/22 05:13:07.803080: warning: cannot open ..."
 *   a log file (-L): "2026/11/22 05:13:07.803080: warning: cannot open ..."
 *   anything else (a pipe): "warning: cannot open ...", with the time
 *             when asked (-T)
 * The level word is left out when the message already starts with it.
 */
#ifndef UFTP_LIB_LOG_H
#define UFTP_LIB_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "core/loglevel.h" /* the levels: enum uftp_log_level, shared with the cores */

/* Sets the level (messages above it are dropped) and the stream (default stderr). */
void log_init(int level, FILE *stream);

/*
 * Log file (-L): opens path for appending and writes there from now on,
 * with timestamps (-L implies -T). Returns 0, or -1 with errno set (the
 * previous destination is kept). The file is closed by log_close().
 */
int log_open_file(const char *path);

/* Closes the log file, if any; messages go to stderr again. */
void log_close(void);

/*
 * Reopens the log file under the same name (SIGHUP after an external
 * rotation). Returns 0 or -1 (errno set; logging goes on in the old file).
 */
int log_reopen(void);

/*
 * Prefixes each line with the local time, "2026/11/22 05:13:07.803080: ",
 * as UFTP's -T does.
 */
void log_set_timestamps(int on);

/*
 * Log rolling (-g, -n): once the log file reaches max_bytes (0: never), it
 * is renamed path.1 (older archives shift to path.2 ... path.max_count,
 * the oldest one is deleted) and a new file is opened.
 */
void log_set_rolling(uint64_t max_bytes, unsigned max_count);

/* The name that starts each line on a terminal (default: the program's file name). */
void log_set_progname(const char *name);

/*
 * fn(arg) is called before each line that goes to a terminal or to stderr,
 * so a live status line there can erase itself first. NULL removes it.
 */
void log_set_tty_hook(void (*fn)(void *arg), void *arg);

/* 1 when lines go to a terminal (the shape with the program name). */
int log_on_terminal(void);

/* "error", "warning", "info", "debug", "trace". */
const char *log_level_name(int level);

/*
 * The reason to print for a uftp_err: the system's (strerror(errno)) for
 * UFTP_ERR_IO when errno says more, else uftp_strerror(err). Call it
 * before anything else can change errno.
 */
const char *log_reason(int err);

/* log_err and log_warn add ": strerror(errno)"; the x forms do not. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A debug or trace line is held until the next line, so that the same
 * event told again at once at a higher level (a core's debug line, then
 * its driver's info line from the event) shows once, at the higher level.
 * log_flush() writes a held line; the poll loop calls it before it waits,
 * and log_close() / log_reopen() / log_init() do.
 */
void log_flush(void);

/* At any level (enum uftp_log_level). */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A line that programs parse (the -S @LOG status lines): written at info
 * level as it is, with the time only when asked (-T, -L), without the level
 * word or the program name (with a priority prefix in the journal).
 */
void log_raw(const char *line);

/*
 * Rate limit for one kind of message a peer can provoke at will (say, a
 * rejected heartbeat): at most `burst` lines per `window` nanoseconds;
 * the rest are counted, and log_limit_flush() reports how many were held
 * back once the window is over.  Times are uftp_clock_now() values.
 */
struct log_limit {
	uint64_t window; /* ns */
	unsigned burst;
	uint64_t start; /* start of the current window */
	unsigned shown; /* lines allowed in it */
	uint64_t quiet; /* lines held back in it */
};

#define LOG_LIMIT_INIT(window_ns, burst)                                                           \
	{                                                                                          \
		(window_ns), (burst), 0, 0, 0                                                      \
	}

/* 1: log this line now; 0: held back (counted). Call log_limit_flush() first. */
int log_limit_allow(struct log_limit *l, uint64_t now);

/*
 * When the window has ended: returns the lines held back in it (0 if
 * none) and starts afresh. Before the end, returns 0.
 */
uint64_t log_limit_flush(struct log_limit *l, uint64_t now);

/* When log_limit_flush() will have a count to report, else UINT64_MAX. */
uint64_t log_limit_expiry(const struct log_limit *l);

#endif
