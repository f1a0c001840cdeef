/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpd command line (man uftpd): its own options; the shared ones are in lib/opts.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyset.h"
#include "lib/opts.h"
#include "uftpd/uftpd.h"

static const char synopsis[] =
    "[ -E ] [ -t ] [ -T temp_dir ] [ -D dest_dir[,dest_dir...] ]\n"
    "    [ -A backup_dir[,backup_dir...] ] [ -F status_file ] [ -q ] [ -i ]\n"
    "    [ -R proxy[/fp] ] [ -c cache_size ] [ -s postreceive_script ]";

static const char help[] =
    "  -E          accept encrypted sessions only\n"
    "  -D dirs     destination directories (default /tmp); the first takes relative names\n"
    "  -F file     status lines (CONNECT / RESULT); @LOG: into the log\n"
    "  -q          no reverse name lookups (we never do any)\n"
    "  -T dir      receive into dir/_group_ID/, moved to the destination at the end\n"
    "  -R proxy[/fp]  send every reply to this response proxy\n"
    "  -A dirs     move files about to be overwritten to dir/YYYYMMDD/HHMMSS/full/path\n"
    "  -i          with -T: move files one by one, merging directories\n"
    "  -t          receive each file as NAME.~uftp-GROUP-FILE, renamed when complete\n"
    "  -s script   run 'script -I session_id path' after each received file\n"
    "  -c bytes    write cache per file, 10240-20971520 (default 1048576)\n"
    "  -I ifaces   interfaces for multicast (name or address)\n"
    "  -M addrs    public multicast addresses (default 230.4.4.1)\n";

static int bad(const char *opt, const char *msg)
{
	return uftp_opt_bad(PROG, opt, msg);
}

static int parse_cache(struct uftpd_opts *o, const char *s)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_long(&o->cache, s, 10240, 20971520, 0, err, sizeof(err)) < 0)
		return bad("c", err);
	return 0;
}

/* uftpd's own options (struct uftp_daemon_cli.own). */
static int opt_one(void *arg, int ch, char *optarg)
{
	struct uftpd_opts *o = arg;
	int rv = 0;

	switch (ch) {
	case 'E': o->encrypted_only = 1; break;
	case 'D': rv = uftp_opt_list(PROG, "D", optarg, o->dest, MAX_LIST, &o->ndest); break;
	case 'F': o->statusfile = optarg; break;
	case 'q': o->quiet = 1; break;
	case 's': o->script = optarg; break;
	case 'c': rv = parse_cache(o, optarg); break;
	case 'i': o->individual = 1; break;
	case 't': o->tempfile = 1; break;
	case 'T': o->tempdir = optarg; break;
	case 'A': rv = uftp_opt_list(PROG, "A", optarg, o->backup, MAX_LIST, &o->nbackup); break;
	case 'R': o->proxy = optarg; break;
	default: rv = 2; break;
	}
	return rv;
}

/* -T, -t, -A and -D together. */
static int check_temp(const struct uftpd_opts *o)
{
	if (o->tempdir && o->nbackup)
		return bad("T", "a temp directory cannot be used with backup directories (-A)");
	if (o->tempdir && o->tempfile)
		return bad("T", "-T and -t cannot be used together");
	if (o->tempdir && o->ndest > 1)
		return bad("T", "a temp directory cannot be used with several -D directories");
	if (o->tempdir && o->tempdir[0] != '/')
		return bad("T", "the temp directory must be an absolute path");
	return 0;
}

static int check_dests(struct uftpd_opts *o)
{
	static char deflt[] = "/tmp";
	size_t i, n;

	if (!o->ndest)
		o->dest[o->ndest++] = deflt;
	for (i = 0; i < o->ndest; i++) {
		if (o->dest[i][0] != '/')
			return bad("D", "destination directories must be absolute paths");
		n = strlen(o->dest[i]);
		while (n > 1 && o->dest[i][n - 1] == '/')
			o->dest[i][--n] = 0;
	}
	if (check_temp(o))
		return EXIT_BADOPT;
	if (o->nbackup && o->nbackup != o->ndest)
		return bad("A", "give exactly one backup directory per -D directory");
	for (i = 0; i < o->nbackup; i++)
		if (o->backup[i][0] != '/')
			return bad("A", "backup directories must be absolute paths");
	if (o->script && o->script[0] != '/')
		return bad("s", "the script must be given by its full path");
	return 0;
}

static const char summary[] =
    "Receives files from UFTP 4.x servers (uftp).  Runs in the background unless -d.";

static const struct uftp_daemon_cli cli = {.prog = PROG,
                                           .letters = "EtT:D:A:F:qR:c:is:",
                                           .synopsis = synopsis,
                                           .summary = summary,
                                           .help = help,
                                           .bufdefault =
                                               "32 MiB for receiving, within the system's limits",
                                           .own = opt_one,
                                           .keyspec_check = uftp_keyspec_check};

int uftpd_parse_opts(struct uftpd_opts *o, int argc, char **argv)
{
	int rv;

	memset(o, 0, sizeof(*o));
	uftp_daemon_opts_init(&o->c, PROG);
	o->c.bufsize = 0; /* as large as the system allows (driver.c) */
	o->cache = 1048576;
	rv = uftp_daemon_parse(&cli, &o->c, o, argc, argv);
	return rv ? rv : check_dests(o);
}
