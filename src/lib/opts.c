/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/addr.h"
#include "lib/control.h"
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

/* ---- the options uftpd and uftpproxyd share ---------------------------- */

#define SHARED_LETTERS "dp:B:Q:U:x:N:g:n:h:L:P:S:k:K:mH:I:M:"

enum { OPT_HELP = 0x100, OPT_VERSION, OPT_USER, OPT_CONTROL };

void uftp_daemon_opts_init(struct uftp_daemon_opts *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->port = 1044;
	c->bufsize = 262144;
	c->loglevel = 2;
	c->log_count = 5;
}

void uftp_daemon_usage(const struct uftp_daemon_cli *cli, FILE *out)
{
	fprintf(
	    out,
	    "Usage: %s %s\n"
	    "    [ -d ] [ -p port ] [ -B udp_buf_size ] [ -Q dscp ] [ -U UID ] [ -x log_level ]\n"
	    "    [ -N priority ] [ -L logfile ] [ -g max_log_size ] [ -n max_log_count ]\n"
	    "    [ -P pidfile ] [ -S serverlist_file ] [ -k keyfile[,keyfile...] ]\n"
	    "    [ -K rsa:key_len | ec:curve[,...] ] [ -m ] [ -h hb_interval ]\n"
	    "    [ -H hb_server[:port][,hb_server[:port]...] ] [ -I interface[,interface...] ]\n"
	    "    [ -M pub_mcast_addr[,pub_mcast_addr...] ] [ --user USER[:GROUP] ]\n"
	    "    [ --control [ADDR:]PORT ] [ --help ] [ --version ]\n\n%s\n%s",
	    cli->prog, cli->synopsis, cli->summary, cli->help);
	fputs("  -d          stay in the foreground, log to stderr\n"
	      "  -p port     UDP port to listen on (default 1044)\n",
	      out);
	fprintf(out, "  -B size     UDP buffers, 65536-104857600 (default %s)\n",
	        cli->bufdefault ? cli->bufdefault : "262144");
	fputs("  -Q dscp     DSCP of outgoing packets, 0-63 (or 0xNN)\n"
	      "  -U UID      our ID, 0xnnnnnnnn (default: from the first interface)\n"
	      "  -x level    log level 0-5 (default 2)\n"
	      "  -N prio     nice value, -20..19\n",
	      out);
	fprintf(out, "  -L file     log file (default /tmp/%s.log; ignored with -d)\n", cli->prog);
	fputs("  -g MB       roll the log file at this size; -n count: archives kept (default 5)\n"
	      "  -P file     pidfile\n"
	      "  -S file     allowed servers, ID|IP[|fingerprint] per line\n"
	      "  -k files    private key files (RSA or EC, PEM)\n"
	      "  -K specs    generate keys (rsa:BITS or ec:CURVE); with -k, saved there\n"
	      "  -m          (Windows key store: no effect here)\n"
	      "  -H proxies  send heartbeats (HB_REQ) to these proxies, host[:port] or\n"
	      "              [IPv6 address][:port] (port 1044)\n"
	      "  -h secs     seconds between heartbeats, 1-3600 (default 20)\n"
	      "  --user USER[:GROUP]  after binding the sockets and opening the log, pid\n"
	      "              and key files, run as USER (and GROUP, else USER's group);\n"
	      "              the daemon refuses to go on if it cannot\n"
	      "  --control [ADDR:]PORT  status and metrics over TCP (TCPMUX and HTTP), off\n"
	      "              by default; keep it on loopback, e.g. 127.0.0.1:4040 (a port\n"
	      "              alone means 127.0.0.1)\n"
	      "  --help      this help\n"
	      "  --version   the program's name and version\n"
	      "Exit codes: 0 running, 1 bad option, 2 network, 3 keys, 4 log file, 5 memory,\n"
	      "6 interrupted.\n",
	      out);
}

static int parse_uid(struct uftp_daemon_opts *c, const char *s)
{
	if (uftp_id_parse(&c->uid, s) < 0)
		return uftp_opt_bad(c->prog, "U", "invalid UID (0xnnnnnnnn, not 0 or 0xffffffff)");
	c->have_uid = 1;
	return 0;
}

static int parse_long(const struct uftp_daemon_opts *c, long *out, const char *s, long min,
                      long max, const char *opt)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_long(out, s, min, max, 0, err, sizeof(err)) < 0)
		return uftp_opt_bad(c->prog, opt, err);
	return 0;
}

static int list(struct uftp_daemon_opts *c, char *arg, char **items, size_t *n, const char *opt)
{
	return uftp_opt_list(c->prog, opt, arg, items, UFTP_DAEMON_LIST, n);
}

static int num(struct uftp_daemon_opts *c, int *out, const char *s, int min, int max, int flags,
               const char *opt)
{
	return uftp_opt_num(c->prog, opt, out, s, min, max, flags);
}

/* One shared option; 2 when ch is not one of them. */
static int shared_one(struct uftp_daemon_opts *c, int ch, char *arg)
{
	long l = 0;
	int v = 0, rv = 0;

	switch (ch) {
	case 'd': c->debug = 1; break;
	case 'p': rv = num(c, &v, arg, 1, 65535, 0, "p"), c->port = (uint16_t)v; break;
	case 'B': rv = num(c, &c->bufsize, arg, 65536, 104857600, 0, "B"); break;
	case 'Q': rv = num(c, &c->dscp, arg, 0, 63, UFTP_OPT_HEX, "Q"); break;
	case 'U': rv = parse_uid(c, arg); break;
	case 'x': rv = num(c, &c->loglevel, arg, 0, 5, 0, "x"); break;
	case 'N': rv = num(c, &c->priority, arg, -20, 19, 0, "N"), c->have_priority = 1; break;
	case 'g': rv = parse_long(c, &l, arg, 1, 1024, "g"), c->log_max = (uint64_t)l << 20; break;
	case 'n': rv = parse_long(c, &l, arg, 1, 1000, "n"), c->log_count = (unsigned)l; break;
	case 'h': rv = num(c, &c->hb_interval, arg, 1, 3600, 0, "h"); break;
	case 'L': c->logfile = arg; break;
	case 'P': c->pidfile = arg; break;
	case 'S': c->serverlist = arg; break;
	case 'k': rv = list(c, arg, c->keyfiles, &c->nkeyfiles, "k"); break;
	case 'K': rv = list(c, arg, c->keyspecs, &c->nkeyspecs, "K"); break;
	case 'm': break; /* Windows key store: no effect here */
	case 'H': rv = list(c, arg, c->hbs, &c->nhbs, "H"); break;
	case 'I': rv = list(c, arg, c->ifaces, &c->nifaces, "I"); break;
	case 'M': rv = list(c, arg, c->pubs, &c->npubs, "M"); break;
	case OPT_USER: c->user = arg; break;
	case OPT_CONTROL: c->control = arg; break;
	default: rv = 2; break;
	}
	return rv;
}

/* What the shared options need together; 0 or 1 after a message. */
static int check_shared(const struct uftp_daemon_cli *cli, const struct uftp_daemon_opts *c)
{
	char err[UFTP_OPT_ERRLEN], opt[UFTP_OPT_ERRLEN];
	size_t i;

	if (c->nkeyspecs && c->nkeyfiles && c->nkeyspecs != c->nkeyfiles)
		return uftp_opt_bad(c->prog, "K", "-k and -K must list the same number of items");
	for (i = 0; i < c->nkeyspecs; i++) {
		if (cli->keyspec_check(c->keyspecs[i], err, sizeof(err)) == 0)
			continue;
		snprintf(opt, sizeof(opt), "K %s", c->keyspecs[i]);
		return uftp_opt_bad(c->prog, opt, err); /* exit 1, as the real daemons */
	}
	if (c->user && !c->user[0])
		return uftp_opt_bad(c->prog, "-user", "expected USER or USER:GROUP");
	if (c->control && uftp_ctl_parse_spec(&(struct uftp_addr){0}, c->control) < 0)
		return uftp_opt_bad(c->prog, "-control",
		                    "expected [ADDR:]PORT, e.g. 127.0.0.1:4040");
	return 0;
}

/* "s:cr::" + SHARED_LETTERS, for getopt. */
static int letters(char *buf, size_t cap, const char *own)
{
	int n = snprintf(buf, cap, "%s%s", own, SHARED_LETTERS);

	return n < 0 || (size_t)n >= cap ? UFTP_ERR_NOSPACE : 0;
}

int uftp_daemon_parse(const struct uftp_daemon_cli *cli, struct uftp_daemon_opts *c, void *arg,
                      int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, OPT_HELP},
	                                         {"version", no_argument, NULL, OPT_VERSION},
	                                         {"user", required_argument, NULL, OPT_USER},
	                                         {"control", required_argument, NULL, OPT_CONTROL},
	                                         {0, 0, 0, 0}};
	char optstring[128];
	int ch, rv;

	if (letters(optstring, sizeof(optstring), cli->letters) < 0)
		return 1;
	while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (ch == OPT_HELP || ch == OPT_VERSION) {
			if (ch == OPT_HELP)
				uftp_daemon_usage(cli, stdout);
			else
				uftp_print_version(cli->prog);
			return -1;
		}
		rv = shared_one(c, ch, optarg);
		if (rv == 2)
			rv = ch == '?' ? 2 : cli->own(arg, ch, optarg);
		if (rv == 2)
			uftp_daemon_usage(cli, stderr);
		if (rv)
			return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", c->prog, argv[optind]);
		return 1;
	}
	return check_shared(cli, c);
}
