#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/opts.h"

#define LINE_MAX_LEN 1024
#define ITEMS_MAX    256

static int fail(int rv, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int rv, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rv;
}

int uftp_strlcpy(char *dst, const char *s, size_t cap)
{
	size_t n = strlen(s);

	if (n >= cap)
		return UFTP_ERR_NOSPACE;
	memcpy(dst, s, n + 1);
	return 0;
}

/* strtol over the whole string; rejects empty, junk, spaces and overflow. */
static int whole_long(long *out, const char *s, int flags)
{
	const char *p = s;
	char *end;
	int base = 10;

	if (*p == '-' || *p == '+')
		p++;
	if ((flags & UFTP_OPT_HEX) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)p[2]))
			return UFTP_ERR_INVALID;
	} else if (!isdigit((unsigned char)*p)) {
		return UFTP_ERR_INVALID;
	}
	errno = 0;
	*out = strtol(s, &end, base);
	if (errno || *end)
		return UFTP_ERR_INVALID;
	return 0;
}

int uftp_opt_long(long *out, const char *s, long min, long max, int flags, char *err, size_t errlen)
{
	long v;

	if (!s || whole_long(&v, s, flags) < 0)
		return fail(UFTP_ERR_INVALID, err, errlen, "invalid number '%s'", s ? s : "");
	if (v < min || v > max)
		return fail(UFTP_ERR_BADVALUE, err, errlen, "value %s out of range %ld-%ld", s, min,
		            max);
	*out = v;
	return 0;
}

int uftp_opt_int(int *out, const char *s, int min, int max, int flags, char *err, size_t errlen)
{
	long v = 0;
	int rv = uftp_opt_long(&v, s, min, max, flags, err, errlen);

	if (rv < 0)
		return rv;
	*out = (int)v;
	return 0;
}

/* Multiplier for a size suffix, 0 when unknown. */
static uint64_t size_unit(const char *suffix)
{
	if (suffix[0] == '\0')
		return 1;
	if (suffix[1] != '\0')
		return 0;
	switch (suffix[0]) {
	case 'k':
	case 'K': return 1ULL << 10;
	case 'm':
	case 'M': return 1ULL << 20;
	case 'g':
	case 'G': return 1ULL << 30;
	default: return 0;
	}
}

int uftp_opt_size(uint64_t *out, const char *s, uint64_t min, uint64_t max, char *err,
                  size_t errlen)
{
	unsigned long long v;
	uint64_t unit;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return fail(UFTP_ERR_INVALID, err, errlen, "invalid size '%s'", s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	unit = size_unit(end);
	if (errno || !unit || v > UINT64_MAX / unit)
		return fail(UFTP_ERR_INVALID, err, errlen, "invalid size '%s'", s);
	v *= unit;
	if (v < min || v > max)
		return fail(UFTP_ERR_BADVALUE, err, errlen, "size %s out of range %llu-%llu", s,
		            (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* Parses "S" or "S.F" (F up to 6 digits) into microseconds. */
static int parse_us(uint64_t *out, const char *s)
{
	unsigned long long sec;
	uint64_t frac = 0, scale = 100000;
	char *end;

	if (!isdigit((unsigned char)*s))
		return UFTP_ERR_INVALID;
	errno = 0;
	sec = strtoull(s, &end, 10);
	if (errno || sec > UINT64_MAX / 1000000 - 1)
		return UFTP_ERR_INVALID;
	if (*end == '.') {
		for (end++; isdigit((unsigned char)*end) && scale; end++, scale /= 10)
			frac += (uint64_t)(*end - '0') * scale;
		if (end[-1] == '.')
			return UFTP_ERR_INVALID;
	}
	if (*end)
		return UFTP_ERR_INVALID;
	*out = sec * 1000000 + frac;
	return 0;
}

int uftp_opt_seconds(uint64_t *out_us, const char *s, uint64_t min_us, uint64_t max_us, char *err,
                     size_t errlen)
{
	uint64_t v;

	if (!s || parse_us(&v, s) < 0)
		return fail(UFTP_ERR_INVALID, err, errlen, "invalid time '%s'", s ? s : "");
	if (v < min_us || v > max_us)
		return fail(UFTP_ERR_BADVALUE, err, errlen, "time %s out of range", s);
	*out_us = v;
	return 0;
}

int uftp_opt_rate(long *out, const char *s, char *err, size_t errlen)
{
	long v;

	if (!s || whole_long(&v, s, 0) < 0)
		return fail(UFTP_ERR_INVALID, err, errlen, "invalid rate '%s'", s ? s : "");
	if (v != -1 && (v < 1 || v > INT32_MAX))
		return fail(UFTP_ERR_BADVALUE, err, errlen,
		            "rate %s out of range (1-2147483647 Kbps, or -1)", s);
	*out = v;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

int uftp_opt_split(char *s, char sep, char **items, size_t cap, char *err, size_t errlen)
{
	size_t n = 0;
	char *next;

	for (;;) {
		next = strchr(s, sep);
		if (next)
			*next = '\0';
		if (n == cap)
			return fail(UFTP_ERR_NOSPACE, err, errlen, "too many items (max %zu)", cap);
		items[n] = trim(s);
		if (!*items[n])
			return fail(UFTP_ERR_INVALID, err, errlen, "empty item in list");
		n++;
		if (!next)
			return (int)n;
		s = next + 1;
	}
}

/* Strips a comment and white space; returns the line or NULL when empty. */
static char *clean_line(char *line)
{
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	line = trim(line);
	return *line ? line : NULL;
}

/* Prefixes err with "path:lineno: " (the callback wrote the rest). */
static int prefix_err(int rv, const char *path, unsigned lineno, char *err, size_t errlen)
{
	char tmp[UFTP_OPT_ERRLEN];

	if (!err || !errlen)
		return rv;
	snprintf(tmp, sizeof(tmp), "%s", err);
	return fail(rv, err, errlen, "%s:%u: %s", path, lineno, tmp);
}

static int read_lines(FILE *f, const char *path, uftp_opt_line_fn fn, void *arg, char *err,
                      size_t errlen)
{
	char buf[LINE_MAX_LEN];
	unsigned lineno = 0;
	char *line;
	size_t n;
	int rv;

	errno = 0;
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		n = strlen(buf);
		if (n == sizeof(buf) - 1 && buf[n - 1] != '\n' && !feof(f))
			return fail(UFTP_ERR_INVALID, err, errlen, "%s:%u: line too long", path,
			            lineno);
		line = clean_line(buf);
		if (!line)
			continue;
		if (err && errlen)
			err[0] = '\0';
		rv = fn(arg, line, lineno, err, errlen);
		if (rv < 0)
			return prefix_err(rv, path, lineno, err, errlen);
	}
	if (ferror(f)) /* e.g. a directory: EISDIR */
		return fail(UFTP_ERR_IO, err, errlen, "%s: %s", path,
		            errno ? strerror(errno) : "read error");
	return 0;
}

int uftp_opt_read_list(const char *path, uftp_opt_line_fn fn, void *arg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	int rv;

	if (!f)
		return fail(UFTP_ERR_IO, err, errlen, "%s: %s", path, strerror(errno));
	rv = read_lines(f, path, fn, arg, err, errlen);
	fclose(f);
	return rv;
}

int uftp_opt_each(const char *arg, int allow_file, uftp_opt_line_fn fn, void *arg_fn, char *err,
                  size_t errlen)
{
	char *copy, *items[ITEMS_MAX] = {0};
	int n, i, rv = 0;

	if (allow_file && arg[0] == '@')
		return uftp_opt_read_list(arg + 1, fn, arg_fn, err, errlen);
	copy = strdup(arg);
	if (!copy)
		return fail(UFTP_ERR_NOMEM, err, errlen, "out of memory");
	n = uftp_opt_split(copy, ',', items, ITEMS_MAX, err, errlen);
	for (i = 0; i < n && rv == 0; i++)
		rv = fn(arg_fn, items[i], 0, err, errlen);
	free(copy);
	return n < 0 ? n : rv;
}

int uftp_opt_bad(const char *prog, const char *opt, const char *msg)
{
	fprintf(stderr, "%s: -%s: %s\n", prog, opt, msg);
	return 1;
}

int uftp_opt_list(const char *prog, const char *opt, char *arg, char **items, size_t cap, size_t *n)
{
	char err[UFTP_OPT_ERRLEN];
	int rv = uftp_opt_split(arg, ',', items, cap, err, sizeof(err));

	if (rv < 0)
		return uftp_opt_bad(prog, opt, err);
	*n = (size_t)rv;
	return 0;
}

int uftp_opt_num(const char *prog, const char *opt, int *out, const char *s, int min, int max,
                 int flags)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_int(out, s, min, max, flags, err, sizeof(err)) < 0)
		return uftp_opt_bad(prog, opt, err);
	return 0;
}

void uftp_print_version(const char *prog)
{
	printf("%s (%s) %s\n", prog, PACKAGE_NAME, PACKAGE_VERSION);
}
