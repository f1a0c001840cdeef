#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "lib/log.h"

static int log_level = UFTP_LOG_INFO;
static FILE *log_stream;

void log_init(int level, FILE *stream)
{
	log_level = level;
	log_stream = stream;
}

static void vlog(int level, int with_errno, const char *fmt, va_list ap)
{
	FILE *out = log_stream ? log_stream : stderr;
	int saved = errno;

	if (level > log_level)
		return;
	vfprintf(out, fmt, ap);
	if (with_errno)
		fprintf(out, ": %s", strerror(saved));
	fputc('\n', out);
	fflush(out);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UFTP_LOG_WARN, 1, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UFTP_LOG_WARN, 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UFTP_LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(UFTP_LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}
