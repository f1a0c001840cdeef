/* uftpd command line (man uftpd). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyset.h"
#include "lib/addr.h"
#include "lib/opts.h"
#include "uftpd/uftpd.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: " PROG " [ -d ] [ -p port ] [ -B buf_size ] [ -E ] [ -Q dscp ] [ -U UID ]\n"
	    "    [ -x log_level ] [ -t ] [ -T temp_dir ] [ -D dest_dir[,dest_dir...] ]\n"
	    "    [ -A backup_dir[,backup_dir...] ] [ -L logfile ] [ -F status_file ] [ -q ]\n"
	    "    [ -P pidfile ] [ -S serverlist_file ] [ -R proxy[/fp] ] [ -c cache_size ]\n"
	    "    [ -k keyfile[,keyfile...] ] [ -K rsa:key_len | ec:curve[,...] ] [ -m ]\n"
	    "    [ -N priority ] [ -i ] [ -s postreceive_script ]\n"
	    "    [ -g max_log_size ] [ -n max_log_count ]\n"
	    "    [ -H hb_server[:port][,hb_server[:port]...] ] [ -h hb_interval ]\n"
	    "    [ -I interface[,interface...] ] [ -M pub_mcast_addr[,pub_mcast_addr...] ]\n"
	    "\n"
	    "Receives files from UFTP 4.x servers (uftp).  Runs in the background unless -d.\n"
	    "  -d          stay in the foreground, log to stderr\n"
	    "  -p port     UDP port to listen on (default 1044)\n"
	    "  -B size     UDP receive buffer, 65536-104857600 (default 32 MiB, within limits)\n"
	    "  -E          accept encrypted sessions only\n"
	    "  -Q dscp     DSCP of outgoing packets, 0-63\n"
	    "  -U UID      our client ID, 0xnnnnnnnn (default: from the first interface)\n"
	    "  -x level    log level 0-5 (default 2)\n"
	    "  -D dirs     destination directories (default /tmp); the first takes relative names\n"
	    "  -L file     log file (default /tmp/uftpd.log; ignored with -d)\n"
	    "  -F file     status lines (CONNECT / RESULT); @LOG: into the log\n"
	    "  -q          no reverse name lookups (we never do any)\n"
	    "  -P file     pidfile\n"
	    "  -T dir      receive into dir/_group_ID/, moved to the destination at the end\n"
	    "  -R proxy[/fp]  send every reply to this response proxy\n"
	    "  -A dirs     move files about to be overwritten to dir/YYYYMMDD/HHMMSS/full/path\n"
	    "  -i          with -T: move files one by one, merging directories\n"
	    "  -t          receive each file as NAME.~uftp-GROUP-FILE, renamed when complete\n"
	    "  -s script   run 'script -I session_id path' after each received file\n"
	    "  -S file     allowed servers: ID|IP[|fingerprint] per line\n"
	    "  -c bytes    write cache per file, 10240-20971520 (default 1048576)\n"
	    "  -k files    private key files (RSA or EC, PEM)\n"
	    "  -K specs    generate keys (rsa:BITS or ec:CURVE); with -k, saved there\n"
	    "  -N prio     nice value, -20..19\n"
	    "  -g MB       roll the log file at this size; -n count: archives kept\n"
	    "  -H proxies  send heartbeats (HB_REQ) to these proxies, host[:port] or\n"
	    "              [IPv6 address][:port] (port 1044)\n"
	    "  -h secs     seconds between heartbeats, 1-3600 (default 20)\n"
	    "  -I ifaces   interfaces for multicast (name or address)\n"
	    "  -M addrs    public multicast addresses (default 230.4.4.1)\n"
	    "  --help      this help\n"
	    "Exit codes: 0 running, 1 bad option, 2 network, 3 keys, 4 log file, 5 memory,\n"
	    "6 interrupted.\n");
}

static int bad(const char *opt, const char *msg)
{
	return uftp_opt_bad(PROG, opt, msg);
}

static int list(char *arg, char **items, size_t *n, const char *opt)
{
	return uftp_opt_list(PROG, opt, arg, items, MAX_LIST, n);
}

static int num(int *out, const char *s, int min, int max, int flags, const char *opt)
{
	return uftp_opt_num(PROG, opt, out, s, min, max, flags);
}

static int parse_uid(struct uftpd_opts *o, const char *s)
{
	if (uftp_id_parse(&o->uid, s) < 0)
		return bad("U", "invalid UID (0xnnnnnnnn, not 0 or 0xffffffff)");
	o->have_uid = 1;
	return 0;
}

static int parse_size(const char *s, long min, long max, long *out, const char *opt)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_long(out, s, min, max, 0, err, sizeof(err)) < 0)
		return bad(opt, err);
	return 0;
}

static int opt_one(struct uftpd_opts *o, int ch, char *arg)
{
	long l;
	int v, rv = 0;

	switch (ch) {
	case 'd': o->debug = 1; break;
	case 'p': rv = num(&v, arg, 1, 65535, 0, "p"), o->port = (uint16_t)v; break;
	case 'B': rv = num(&o->bufsize, arg, 65536, 104857600, 0, "B"); break;
	case 'E': o->encrypted_only = 1; break;
	case 'Q': rv = num(&o->dscp, arg, 0, 63, UFTP_OPT_HEX, "Q"); break;
	case 'U': rv = parse_uid(o, arg); break;
	case 'x': rv = num(&o->loglevel, arg, 0, 5, 0, "x"); break;
	case 'D': rv = list(arg, o->dest, &o->ndest, "D"); break;
	case 'L': o->logfile = arg; break;
	case 'F': o->statusfile = arg; break;
	case 'q': o->quiet = 1; break;
	case 'P': o->pidfile = arg; break;
	case 's': o->script = arg; break;
	case 'S': o->serverlist = arg; break;
	case 'c': rv = parse_size(arg, 10240, 20971520, &o->cache, "c"); break;
	case 'k': rv = list(arg, o->keyfiles, &o->nkeyfiles, "k"); break;
	case 'K': rv = list(arg, o->keyspecs, &o->nkeyspecs, "K"); break;
	case 'i': o->individual = 1; break;
	case 'm': break; /* Windows key store: no effect here */
	case 'h': rv = num(&o->hb_interval, arg, 1, 3600, 0, "h"); break;
	case 'H': rv = list(arg, o->hbs, &o->nhbs, "H"); break;
	case 'N': rv = num(&o->priority, arg, -20, 19, 0, "N"), o->have_priority = 1; break;
	case 'g': rv = parse_size(arg, 1, 1024, &l, "g"), o->log_max = (uint64_t)l << 20; break;
	case 'n': rv = parse_size(arg, 1, 1000, &l, "n"), o->log_count = (unsigned)l; break;
	case 'I': rv = list(arg, o->ifaces, &o->nifaces, "I"); break;
	case 'M': rv = list(arg, o->pubs, &o->npubs, "M"); break;
	case 't': o->tempfile = 1; break;
	case 'T': o->tempdir = arg; break;
	case 'A': rv = list(arg, o->backup, &o->nbackup, "A"); break;
	case 'R': o->proxy = arg; break;
	default:
		usage(stderr);
		rv = EXIT_BADOPT;
		break;
	}
	return rv;
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
	if (o->tempdir && o->nbackup)
		return bad("T", "a temp directory cannot be used with backup directories (-A)");
	if (o->tempdir && o->tempfile)
		return bad("T", "-T and -t cannot be used together");
	if (o->tempdir && o->ndest > 1)
		return bad("T", "a temp directory cannot be used with several -D directories");
	if (o->tempdir && o->tempdir[0] != '/')
		return bad("T", "the temp directory must be an absolute path");
	if (o->nbackup && o->nbackup != o->ndest)
		return bad("A", "give exactly one backup directory per -D directory");
	for (i = 0; i < o->nbackup; i++)
		if (o->backup[i][0] != '/')
			return bad("A", "backup directories must be absolute paths");
	if (o->script && o->script[0] != '/')
		return bad("s", "the script must be given by its full path");
	if (o->nkeyspecs && o->nkeyfiles && o->nkeyspecs != o->nkeyfiles)
		return bad("K", "-k and -K must list the same number of items");
	for (i = 0; i < o->nkeyspecs; i++) {
		char err[UFTP_OPT_ERRLEN], msg[UFTP_OPT_ERRLEN + 64];

		if (uftp_keyspec_check(o->keyspecs[i], err, sizeof(err)) < 0) {
			snprintf(msg, sizeof(msg), "%s: %s", o->keyspecs[i], err);
			return bad("K", msg); /* exit 1, as the real uftpd */
		}
	}
	return 0;
}

int uftpd_parse_opts(struct uftpd_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 0x100}, {0, 0, 0, 0}};
	int ch, rv;

	memset(o, 0, sizeof(*o));
	o->port = 1044;
	o->bufsize = 0; /* as large as the system allows (driver.c) */
	o->loglevel = 2;
	o->log_count = 5;
	o->cache = 1048576;
	while ((ch = getopt_long(argc, argv,
	                         "dp:B:EQ:U:x:tT:D:A:L:F:qP:S:R:c:k:K:mN:is:g:n:H:h:I:M:", longopts,
	                         NULL)) != -1) {
		if (ch == 0x100) {
			usage(stdout);
			return -1;
		}
		rv = opt_one(o, ch, optarg);
		if (rv)
			return rv;
	}
	if (optind < argc)
		return bad("-", "unexpected argument");
	return check_dests(o);
}
