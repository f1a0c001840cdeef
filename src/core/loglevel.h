/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The log levels, one set for the cores and the drivers (lib/log.h): a
 * core reports at these levels through its env, a driver logs at them and
 * maps -x onto them.
 */
#ifndef UFTP_CORE_LOGLEVEL_H
#define UFTP_CORE_LOGLEVEL_H

/* Log levels the core reports at; drivers map them onto -x 0..5. */
enum uftp_log_level {
	UFTP_LOG_ERROR = 0, /* session-ending problems */
	UFTP_LOG_WARN = 1,  /* dropped/abnormal input worth an operator's eye */
	UFTP_LOG_INFO = 2,  /* normal progress: registered, file done, session done */
	UFTP_LOG_DEBUG = 3, /* per-message detail, state changes old -> new */
	UFTP_LOG_TRACE = 4, /* per-block detail */
};

#endif
