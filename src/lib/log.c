#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static int log_level = UFTP_LOG_INFO;
static FILE *log_stream;
static int log_stamps;

/* The log file (-L), when there is one; log_stream then points at it. */
static struct {
	FILE *f;
	char path[PATH_MAX];
	uint64_t size;      /* bytes in the current file */
	uint64_t max_bytes; /* roll when size reaches this; 0: never */
	unsigned max_count; /* archives kept */
} lf;

void log_init(int level, FILE *stream)
{
	log_level = level;
	log_stream = stream;
}

void log_set_timestamps(int on)
{
	log_stamps = on;
}

void log_set_rolling(uint64_t max_bytes, unsigned max_count)
{
	lf.max_bytes = max_bytes;
	lf.max_count = max_count;
}

static FILE *open_append(const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	FILE *f;

	if (fd < 0)
		return NULL;
	*size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	f = fdopen(fd, "a");
	if (!f)
		close(fd);
	return f;
}

int log_open_file(const char *path)
{
	uint64_t size;
	size_t n = strlen(path);
	FILE *f;

	if (n >= sizeof(lf.path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = open_append(path, &size);
	if (!f)
		return -1;
	log_close();
	memcpy(lf.path, path, n + 1);
	lf.f = f;
	lf.size = size;
	log_stream = f;
	log_stamps = 1;
	return 0;
}

void log_close(void)
{
	if (!lf.f)
		return;
	if (log_stream == lf.f)
		log_stream = NULL;
	fclose(lf.f);
	lf.f = NULL;
}

int log_reopen(void)
{
	uint64_t size;
	FILE *f;

	if (!lf.f)
		return 0;
	f = open_append(lf.path, &size);
	if (!f)
		return -1;
	fclose(lf.f);
	lf.f = f;
	lf.size = size;
	log_stream = f;
	return 0;
}

/* Renames path.(i-1) to path.i for i = max_count .. 1 (path.0 is path). */
static void shift_archives(void)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	unsigned i;

	snprintf(to, sizeof(to), "%s.%u", lf.path, lf.max_count);
	unlink(to);
	for (i = lf.max_count; i > 0; i--) {
		if (i > 1)
			snprintf(from, sizeof(from), "%s.%u", lf.path, i - 1);
		else
			snprintf(from, sizeof(from), "%s", lf.path);
		snprintf(to, sizeof(to), "%s.%u", lf.path, i);
		rename(from, to);
	}
}

static void maybe_roll(void)
{
	if (!lf.f || !lf.max_bytes || lf.size < lf.max_bytes || !lf.max_count)
		return;
	fflush(lf.f);
	shift_archives();
	if (log_reopen() < 0)
		lf.size = 0; /* keep writing to the renamed file rather than fail */
}

static int put_stamp(FILE *out)
{
	struct timeval tv;
	struct tm tm;
	char buf[32];

	gettimeofday(&tv, NULL);
	if (!localtime_r(&tv.tv_sec, &tm) || !strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M:%S", &tm))
		return 0;
	return fprintf(out, "%s.%06ld: ", buf, (long)tv.tv_usec);
}

static void vlog(int level, int with_errno, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vlog(int level, int with_errno, const char *fmt, va_list ap)
{
	FILE *out = log_stream ? log_stream : stderr;
	int saved = errno;
	int n = 0;

	if (level > log_level)
		return;
	if (log_stamps)
		n += put_stamp(out);
	n += vfprintf(out, fmt, ap);
	if (with_errno)
		n += fprintf(out, ": %s", strerror(saved));
	n += fputc('\n', out) == '\n';
	fflush(out);
	if (out == lf.f && n > 0) {
		lf.size += (uint64_t)n;
		maybe_roll();
	}
	errno = saved;
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

int log_limit_allow(struct log_limit *l, uint64_t now)
{
	if (l->shown == 0 && l->quiet == 0)
		l->start = now; /* the first line opens a window */
	else if (now - l->start >= l->window && l->quiet == 0)
		l->start = now, l->shown = 0;
	if (now - l->start < l->window && l->shown < l->burst) {
		l->shown++;
		return 1;
	}
	l->quiet++;
	return 0;
}

uint64_t log_limit_flush(struct log_limit *l, uint64_t now)
{
	uint64_t n = l->quiet;

	if (!n || now - l->start < l->window)
		return 0;
	l->start = now;
	l->shown = 0;
	l->quiet = 0;
	return n;
}

uint64_t log_limit_expiry(const struct log_limit *l)
{
	return l->quiet ? l->start + l->window : UINT64_MAX;
}
