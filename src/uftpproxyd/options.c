/* uftpproxyd command line (man uftpproxyd). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "lib/addr.h"
#include "lib/control.h"
#include "lib/hostlist.h"
#include "lib/opts.h"
#include "uftpproxyd/uftpproxyd.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: " PROG " { -s { dest | fp=fingerprint } | -c | -r[:curve] }\n"
	    "    [ -d ] [ -p port ] [ -t ttl ] [ -Q dscp ] [ -N priority ]\n"
	    "    [ -O out_multi_interface ] [ -U UID ] [ -q dest_port ] [ -m ] [ -x log_level ]\n"
	    "    [ -H hb_server[:port][,hb_server[:port]...] ] [ -g max_log_size ]\n"
	    "    [ -n max_log_count ] [ -h hb_interval ] [ -B udp_buf_size ] [ -L logfile ]\n"
	    "    [ -P pidfile ] [ -C clientlist_file ] [ -S serverlist_file ]\n"
	    "    [ -k keyfile[,keyfile...] ] [ -K rsa:key_len | ec:curve[,...] ]\n"
	    "    [ -e ecdh_curve ] [ -I interface[,interface...] ]\n"
	    "    [ -M pub_mcast_addr[,pub_mcast_addr...] ] [ --control [ADDR:]PORT ]\n"
	    "\n"
	    "Relays UFTP 4.x sessions.  Runs in the background unless -d.\n"
	    "  -s dest     server proxy: tunnel the server's multicast to proxy dest\n"
	    "  -s fp=FP    server proxy: tunnel to whichever proxy proves, by a signed\n"
	    "              heartbeat, that it holds the key with fingerprint FP\n"
	    "  -c          client proxy: re-multicast what the tunnel brings, aggregate replies\n"
	    "  -r[:curve]  response proxy: aggregate replies of clients sent to us (uftpd -R)\n"
	    "  -d          stay in the foreground, log to stderr\n"
	    "  -p port     UDP port to listen on (default 1044)\n"
	    "  -t ttl      multicast TTL (default 1)\n"
	    "  -Q dscp     DSCP of outgoing packets, 0-63\n"
	    "  -N prio     nice value, -20..19\n"
	    "  -O iface    client proxy: interface to multicast on\n"
	    "  -U UID      our ID, 0xnnnnnnnn (default: from the first interface)\n"
	    "  -q port     port of the downstream proxy (-s) or of the clients (-c)\n"
	    "  -x level    log level 0-5 (default 2)\n"
	    "  -H list     proxies to send heartbeats to (host[:port] or [IPv6 address][:port],\n"
	    "              default port 1044)\n"
	    "  -h secs     seconds between heartbeats (default 20)\n"
	    "  -g MB       roll the log file at this size; -n count: archives kept\n"
	    "  -B size     UDP buffers, 65536-104857600 (default 262144)\n"
	    "  -L file     log file (default /tmp/uftpproxyd.log; ignored with -d)\n"
	    "  -P file     pidfile\n"
	    "  -C file     client proxy: allowed clients, ID[|fingerprint] per line\n"
	    "  -S file     allowed servers, ID|IP[|fingerprint] per line\n"
	    "  -k files    private key files (RSA or EC, PEM); the first signs heartbeats\n"
	    "  -K specs    generate keys (rsa:BITS or ec:CURVE); with -k, saved there\n"
	    "  -e curve    response proxy: ECDH curve\n"
	    "  -I ifaces   server proxy: interfaces to listen on; others: our address\n"
	    "  -M addrs    server and response proxy: public multicast addresses\n"
	    "              (default 230.4.4.1)\n"
	    "  --control [ADDR:]PORT  status and metrics over TCP (TCPMUX and HTTP), off\n"
	    "              by default; keep it on loopback, e.g. 127.0.0.1:4040 (a port\n"
	    "              alone means 127.0.0.1)\n"
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

static int set_mode(struct uftpproxyd_opts *o, int mode)
{
	if (o->mode)
		return bad("s", "give exactly one of -s, -c and -r");
	o->mode = mode;
	return 0;
}

static int parse_server(struct uftpproxyd_opts *o, const char *arg)
{
	if (set_mode(o, UFTP_PROXY_SERVER))
		return EXIT_BADOPT;
	if (strncmp(arg, "fp=", 3) == 0) {
		if (uftp_fp_parse(o->dest_fp, arg + 3) < 0)
			return bad("s", "invalid fingerprint (20 hex bytes, colon-separated)");
		o->dest_by_fp = 1;
		return 0;
	}
	if (!*arg)
		return bad("s", "missing destination");
	o->dest = arg;
	return 0;
}

static int parse_response(struct uftpproxyd_opts *o, const char *arg)
{
	if (set_mode(o, UFTP_PROXY_RESPONSE))
		return EXIT_BADOPT;
	if (arg && *arg) {
		if (arg[0] != ':' || !arg[1])
			return bad("r", "expected -r or -r:curve");
		o->rcurve = arg + 1;
	}
	return 0;
}

/* -K items are rsa:BITS (decimal, the reference's 512-2048) or ec:CURVE. */
static int check_keyspec(const char *spec)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_keyspec_check(spec, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, PROG ": -K %s: %s\n", spec, err);
	return EXIT_BADOPT;
}

static int parse_long(const char *s, long min, long max, long *out, const char *opt)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_long(out, s, min, max, 0, err, sizeof(err)) < 0)
		return bad(opt, err);
	return 0;
}

static int opt_one(struct uftpproxyd_opts *o, int ch, char *arg)
{
	long l;
	int v, rv = 0;

	switch (ch) {
	case 's': rv = parse_server(o, arg); break;
	case 'c': rv = set_mode(o, UFTP_PROXY_CLIENT); break;
	case 'r': rv = parse_response(o, arg); break;
	case 'd': o->debug = 1; break;
	case 'p': rv = num(&v, arg, 1, 65535, 0, "p"), o->port = (uint16_t)v; break;
	case 't': rv = num(&o->ttl, arg, 1, 255, 0, "t"); break;
	case 'Q': rv = num(&o->dscp, arg, 0, 63, UFTP_OPT_HEX, "Q"); break;
	case 'N': rv = num(&o->priority, arg, -20, 19, 0, "N"), o->have_priority = 1; break;
	case 'O': o->out_if = arg; break;
	case 'U':
		if (uftp_id_parse(&o->uid, arg) < 0)
			rv = bad("U", "invalid UID (0xnnnnnnnn, not 0 or 0xffffffff)");
		o->have_uid = 1;
		break;
	case 'q': rv = num(&v, arg, 1, 65535, 0, "q"), o->dest_port = (uint16_t)v; break;
	case 'm': break; /* Windows key store: no effect here */
	case 'x': rv = num(&o->loglevel, arg, 0, 5, 0, "x"); break;
	case 'H': rv = list(arg, o->hb, &o->nhb, "H"); break;
	case 'g': rv = parse_long(arg, 1, 1024, &l, "g"), o->log_max = (uint64_t)l << 20; break;
	case 'n': rv = parse_long(arg, 1, 1000, &l, "n"), o->log_count = (unsigned)l; break;
	case 'h': rv = num(&o->hb_interval, arg, 1, 3600, 0, "h"); break;
	case 'B': rv = num(&o->bufsize, arg, 65536, 104857600, 0, "B"); break;
	case 'L': o->logfile = arg; break;
	case 'P': o->pidfile = arg; break;
	case 'C': o->clientlist = arg; break;
	case 'S': o->serverlist = arg; break;
	case 'k': rv = list(arg, o->keyfiles, &o->nkeyfiles, "k"); break;
	case 'K': rv = list(arg, o->keyspecs, &o->nkeyspecs, "K"); break;
	case 'e': o->ecdh_curve = arg; break;
	case 'I': rv = list(arg, o->ifaces, &o->nifaces, "I"); break;
	case 'M': rv = list(arg, o->pubs, &o->npubs, "M"); break;
	case 0x101:
		o->control = arg;
		if (uftp_ctl_parse_spec(&(struct uftp_addr){0}, arg) < 0)
			rv = bad("-control", "expected [ADDR:]PORT, e.g. 127.0.0.1:4040");
		break;
	default:
		usage(stderr);
		rv = EXIT_BADOPT;
		break;
	}
	return rv;
}

int uftpproxyd_parse_opts(struct uftpproxyd_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 0x100},
	                                         {"control", required_argument, NULL, 0x101},
	                                         {0, 0, 0, 0}};
	size_t i;
	int ch, rv;

	memset(o, 0, sizeof(*o));
	o->port = 1044;
	o->ttl = 1;
	o->loglevel = 2;
	o->log_count = 5;
	o->hb_interval = 20;
	o->bufsize = 262144;
	while ((ch = getopt_long(argc, argv, "s:cr::dp:t:Q:N:O:U:q:mx:H:g:n:h:B:L:P:C:S:k:K:e:I:M:",
	                         longopts, NULL)) != -1) {
		if (ch == 0x100) {
			usage(stdout);
			return -1;
		}
		rv = opt_one(o, ch, optarg);
		if (rv)
			return rv;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return EXIT_BADOPT;
	}
	if (!o->mode)
		return bad("s", "give exactly one of -s, -c and -r");
	if (o->nkeyspecs && o->nkeyfiles && o->nkeyspecs != o->nkeyfiles)
		return bad("K", "-k and -K must list the same number of items");
	for (i = 0; i < o->nkeyspecs; i++)
		if (check_keyspec(o->keyspecs[i]))
			return EXIT_BADOPT;
	if (o->rcurve && uftp_pkey_curve_by_name(o->rcurve) < 0) {
		fprintf(stderr, PROG ": -r:%s: unknown EC curve\n", o->rcurve);
		return EXIT_BADOPT;
	}
	if (o->ecdh_curve && uftp_pkey_curve_by_name(o->ecdh_curve) < 0) {
		fprintf(stderr, PROG ": -e %s: unknown EC curve\n", o->ecdh_curve);
		return EXIT_BADOPT;
	}
	return 0;
}
