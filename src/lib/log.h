/* Driver-side logging (OpenBSD log.c style). Not for use under src/core. */
#ifndef UFTP_LIB_LOG_H
#define UFTP_LIB_LOG_H

#include <stdio.h>

enum uftp_loglevel {
	UFTP_LOG_ERR = 0,
	UFTP_LOG_WARN = 1,
	UFTP_LOG_INFO = 2,
	UFTP_LOG_DEBUG = 3,
};

/* Sets the level (messages above it are dropped) and the stream (default stderr). */
void log_init(int level, FILE *stream);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
