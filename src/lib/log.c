/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driver-side logging.  Each line carries its level.  Where it goes
 * decides its shape (see log.h): the journal gets "<N>" syslog priority
 * prefixes and no time (journald stamps lines itself), a terminal gets
 * the program name and the time, a log file the time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/log.h"

static int log_level = UFTP_LOG_INFO;
static FILE *log_stream;
static int log_stamps;
static const char *log_prog;

/* How lines look on the current stream; set by set_shape() when it changes. */
enum shape { SHAPE_PLAIN, SHAPE_TTY, SHAPE_JOURNAL };
static FILE *shape_of; /* the stream the shape was computed for */
static enum shape shape;

/* Called before a line goes to a terminal (the progress line clears itself). */
static void (*tty_hook)(void *arg);
static void *tty_hook_arg;

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
	static int at_exit;

	if (!at_exit)
		at_exit = atexit(log_flush) == 0; /* a held line is not lost by exit() */
	log_flush();
	log_level = level;
	log_stream = stream;
	shape_of = NULL;
}

void log_set_progname(const char *name)
{
	log_prog = name;
}

void log_set_tty_hook(void (*fn)(void *arg), void *arg)
{
	tty_hook = fn;
	tty_hook_arg = arg;
}

/*
 * systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected
 * to stderr; the stream is the journal's only if fd matches it (a child
 * whose stderr was redirected inherits the variable but not the stream).
 */
static int is_journal(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (!env || !*env)
		return 0;
	errno = 0;
	dev = strtoull(env, &end, 10);
	if (errno || end == env || *end != ':')
		return 0;
	env = end + 1;
	ino = strtoull(env, &end, 10);
	if (errno || end == env || *end)
		return 0;
	if (fstat(fd, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void set_shape(FILE *out)
{
	int fd = fileno(out);

	shape_of = out;
	if (out == lf.f || fd < 0)
		shape = SHAPE_PLAIN;
	else if (is_journal(fd))
		shape = SHAPE_JOURNAL;
	else
		shape = isatty(fd) ? SHAPE_TTY : SHAPE_PLAIN;
}

int log_on_terminal(void)
{
	FILE *out = log_stream ? log_stream : stderr;

	if (shape_of != out)
		set_shape(out);
	return shape == SHAPE_TTY;
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
	shape_of = NULL;
	return 0;
}

void log_close(void)
{
	log_flush();
	if (!lf.f)
		return;
	if (log_stream == lf.f)
		log_stream = NULL;
	fclose(lf.f);
	lf.f = NULL;
	shape_of = NULL;
}

int log_reopen(void)
{
	uint64_t size;
	FILE *f;

	log_flush();
	if (!lf.f)
		return 0;
	f = open_append(lf.path, &size);
	if (!f)
		return -1;
	fclose(lf.f);
	lf.f = f;
	lf.size = size;
	log_stream = f;
	shape_of = NULL;
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
	static int rolling; /* the held lines written as the file rolls do not roll it again */

	if (rolling || !lf.f || !lf.max_bytes || lf.size < lf.max_bytes || !lf.max_count)
		return;
	rolling = 1;
	fflush(lf.f);
	shift_archives();
	if (log_reopen() < 0)
		lf.size = 0; /* keep writing to the renamed file rather than fail */
	rolling = 0;
}

/* Appends to a line being built; cut short (still terminated) when it does not fit. */
struct line {
	char buf[2304];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len +=
		    (size_t)n < sizeof(l->buf) - l->len ? (size_t)n : sizeof(l->buf) - 1 - l->len;
}

static void add_stamp(struct line *l, const struct timeval *at)
{
	struct timeval tv;
	struct tm tm;
	char buf[32];

	if (at)
		tv = *at;
	else
		gettimeofday(&tv, NULL);
	if (!localtime_r(&tv.tv_sec, &tm) || !strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M:%S", &tm))
		return;
	add(l, "%s.%06ld: ", buf, (long)tv.tv_usec);
}

/* The syslog priority (RFC 5424) of a level, for the journal. */
static int priority(int level)
{
	switch (level) {
	case UFTP_LOG_ERROR: return 3;
	case UFTP_LOG_WARN: return 4;
	case UFTP_LOG_INFO: return 6;
	default: return 7;
	}
}

const char *log_level_name(int level)
{
	switch (level) {
	case UFTP_LOG_ERROR: return "error";
	case UFTP_LOG_WARN: return "warning";
	case UFTP_LOG_INFO: return "info";
	case UFTP_LOG_DEBUG: return "debug";
	default: return "trace";
	}
}

/* The level word, unless the message already starts with it ("warning: key file..."). */
static void add_level(struct line *l, int level, const char *msg)
{
	const char *name = log_level_name(level);
	size_t n = strlen(name);

	if (strncasecmp(msg, name, n) != 0 || msg[n] != ':')
		add(l, "%s: ", name);
}

/* Everything before the message; level < 0: a raw line (a status line), no level word. */
static void add_prefix(struct line *l, FILE *out, int level, const char *msg,
                       const struct timeval *at)
{
	if (shape_of != out)
		set_shape(out);
	if (shape == SHAPE_JOURNAL) {
		add(l, "<%d>", level < 0 ? 6 : priority(level));
		return;
	}
	if (shape == SHAPE_TTY && level >= 0)
		add(l, "%s: ", log_prog ? log_prog : program_invocation_short_name);
	if (log_stamps || (shape == SHAPE_TTY && level >= 0))
		add_stamp(l, at);
	if (level >= 0)
		add_level(l, level, msg);
}

/* Writes a built line; in the log file, counts it towards rolling. */
static void emit(FILE *out, const struct line *l)
{
	if (tty_hook && (shape == SHAPE_TTY || fileno(out) == STDERR_FILENO))
		tty_hook(tty_hook_arg);
	if (fputs(l->buf, out) < 0)
		return;
	fflush(out);
	if (out == lf.f) {
		lf.size += l->len;
		maybe_roll();
	}
}

/*
 * One event is often told twice in a loop turn: by a core at debug level,
 * then by its driver from the core's event at info or warning ("client
 * 0x0A000002 registered", then "Client 0x0A000002 registered"), with
 * other lines between.  So debug and trace lines are held until the loop
 * is about to wait (log_flush), and one that a more important line of the
 * same turn retells (ignoring case) is dropped.  Within a turn the held
 * lines thus follow the turn's other lines; each keeps the time it was told,
 * and goes where the log goes when it is written (the file may have rolled
 * or been reopened since: a FILE kept here could be a closed one).
 */
#define HOLD_MAX 32

static struct {
	size_t n;
	struct {
		int level;         /* -1: retold, dropped */
		struct timeval at; /* when it was told */
		char text[480];
	} l[HOLD_MAX];
} hold;

/* Builds the whole line for text (prefix, text, newline) and writes it; at: its time (NULL: now).
 */
static void write_line(FILE *out, int level, const char *text, const struct timeval *at)
{
	struct line l = {.len = 0};

	l.buf[0] = '\0';
	add_prefix(&l, out, level, text, at);
	add(&l, "%s\n", text);
	emit(out, &l);
}

void log_flush(void)
{
	size_t i, n = hold.n;

	hold.n = 0; /* first: a hook that logs must not loop */
	for (i = 0; i < n; i++)
		if (hold.l[i].level >= 0)
			write_line(log_stream ? log_stream : stderr, hold.l[i].level,
			           hold.l[i].text, &hold.l[i].at);
}

/* Drops the held lines that text, at a more important level, tells again. */
static void drop_retold(int level, const char *text)
{
	size_t i;

	for (i = 0; i < hold.n; i++)
		if (hold.l[i].level > level && strcasecmp(hold.l[i].text, text) == 0)
			hold.l[i].level = -1;
}

/* 1 when the line is held for later. */
static int held(int level, const char *text)
{
	size_t len = strlen(text);

	if (level < UFTP_LOG_DEBUG || len >= sizeof(hold.l[0].text))
		return 0;
	if (hold.n == HOLD_MAX)
		log_flush();
	hold.l[hold.n].level = level;
	gettimeofday(&hold.l[hold.n].at, NULL);
	memcpy(hold.l[hold.n].text, text, len + 1);
	hold.n++;
	return 1;
}

static void vlog(int level, int with_errno, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vlog(int level, int with_errno, const char *fmt, va_list ap)
{
	FILE *out = log_stream ? log_stream : stderr;
	int saved = errno;
	char text[2048];
	int n;

	if (level > log_level)
		return;
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, ": %s", strerror(saved));
	drop_retold(level, text);
	if (!held(level, text))
		write_line(out, level, text, NULL);
	errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level < UFTP_LOG_ERROR ? UFTP_LOG_ERROR : level, 0, fmt, ap);
	va_end(ap);
}

void log_raw(const char *text)
{
	FILE *out = log_stream ? log_stream : stderr;
	int saved = errno;

	if (UFTP_LOG_INFO > log_level)
		return;
	write_line(out, -1, text, NULL);
	errno = saved;
}

const char *log_reason(int err)
{
	if (err == UFTP_ERR_IO && errno != 0)
		return strerror(errno);
	return uftp_strerror(err);
}

/* The six front ends differ only in their level and whether errno's reason is added. */
#define LOG_FRONT(name, level, with_errno)                                                         \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
                                                                                                   \
		va_start(ap, fmt);                                                                 \
		vlog(level, with_errno, fmt, ap);                                                  \
		va_end(ap);                                                                        \
	}

LOG_FRONT(log_err, UFTP_LOG_ERROR, 1)
LOG_FRONT(log_errx, UFTP_LOG_ERROR, 0)
LOG_FRONT(log_warn, UFTP_LOG_WARN, 1)
LOG_FRONT(log_warnx, UFTP_LOG_WARN, 0)
LOG_FRONT(log_info, UFTP_LOG_INFO, 0)
LOG_FRONT(log_debug, UFTP_LOG_DEBUG, 0)

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
