/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpproxyd command line (man uftpproxyd): its own options; the shared ones are in lib/opts.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keyfile.h"
#include "crypto/keyset.h"
#include "lib/hostlist.h"
#include "lib/opts.h"
#include "uftpproxyd/uftpproxyd.h"

static const char synopsis[] = "{ -s { dest | fp=fingerprint } | -c | -r[:curve] }\n"
                               "    [ -t ttl ] [ -O out_multi_interface ] [ -q dest_port ]\n"
                               "    [ -C clientlist_file ] [ -e ecdh_curve ]";

static const char help[] =
    "  -s dest     server proxy: tunnel the server's multicast to proxy dest\n"
    "  -s fp=FP    server proxy: tunnel to whichever proxy proves, by a signed\n"
    "              heartbeat, that it holds the key with fingerprint FP\n"
    "  -c          client proxy: re-multicast what the tunnel brings, aggregate replies\n"
    "  -r[:curve]  response proxy: aggregate replies of clients sent to us (uftpd -R)\n"
    "  -t ttl      multicast TTL (default 1)\n"
    "  -O iface    client proxy: interface to multicast on\n"
    "  -q port     port of the downstream proxy (-s) or of the clients (-c)\n"
    "  -C file     client proxy: allowed clients, ID[|fingerprint] per line\n"
    "  -e curve    response proxy: ECDH curve\n"
    "  -I ifaces   server proxy: interfaces to listen on; others: our address\n"
    "  -M addrs    server and response proxy: public multicast addresses\n"
    "              (default 230.4.4.1)\n"
    "  (-k: the first key signs heartbeats)\n";

static int set_mode(struct uftpproxyd_opts *o, int mode)
{
	if (o->mode)
		return uftp_opt_bad(PROG, "s", "give exactly one of -s, -c and -r");
	o->mode = mode;
	return 0;
}

static int parse_server(struct uftpproxyd_opts *o, const char *arg)
{
	if (set_mode(o, UFTP_PROXY_SERVER))
		return EXIT_BADOPT;
	if (strncmp(arg, "fp=", 3) == 0) {
		if (uftp_fp_parse(o->dest_fp, arg + 3) < 0)
			return uftp_opt_bad(PROG, "s",
			                    "invalid fingerprint (20 hex bytes, colon-separated)");
		o->dest_by_fp = 1;
		return 0;
	}
	if (!*arg)
		return uftp_opt_bad(PROG, "s", "missing destination");
	o->dest = arg;
	return 0;
}

static int parse_response(struct uftpproxyd_opts *o, const char *arg)
{
	if (set_mode(o, UFTP_PROXY_RESPONSE))
		return EXIT_BADOPT;
	if (arg && *arg) {
		if (arg[0] != ':' || !arg[1])
			return uftp_opt_bad(PROG, "r", "expected -r or -r:curve");
		o->rcurve = arg + 1;
	}
	return 0;
}

/* uftpproxyd's own options (struct uftp_daemon_cli.own). */
static int opt_one(void *arg, int ch, char *optarg)
{
	struct uftpproxyd_opts *o = arg;
	int v = 0, rv = 0;

	switch (ch) {
	case 's': rv = parse_server(o, optarg); break;
	case 'c': rv = set_mode(o, UFTP_PROXY_CLIENT); break;
	case 'r': rv = parse_response(o, optarg); break;
	case 't': rv = uftp_opt_num(PROG, "t", &o->ttl, optarg, 1, 255, 0); break;
	case 'O': o->out_if = optarg; break;
	case 'q':
		rv = uftp_opt_num(PROG, "q", &v, optarg, 1, 65535, 0), o->dest_port = (uint16_t)v;
		break;
	case 'C': o->clientlist = optarg; break;
	case 'e': o->ecdh_curve = optarg; break;
	default: rv = 2; break;
	}
	return rv;
}

static int check_curve(const char *opt, const char *name)
{
	if (!name || uftp_pkey_curve_by_name(name) >= 0)
		return 0;
	fprintf(stderr, PROG ": %s%s: unknown EC curve\n", opt, name);
	return EXIT_BADOPT;
}

static const char summary[] = "Relays UFTP 4.x sessions.  Runs in the background unless -d.";

static const struct uftp_daemon_cli cli = {.prog = PROG,
                                           .letters = "s:cr::t:O:q:C:e:",
                                           .synopsis = synopsis,
                                           .summary = summary,
                                           .help = help,
                                           .own = opt_one,
                                           .keyspec_check = uftp_keyspec_check};

/* The mode is required; the curves must be known. */
static int check_mode(const struct uftpproxyd_opts *o)
{
	if (!o->mode)
		return uftp_opt_bad(PROG, "s", "give exactly one of -s, -c and -r");
	if (check_curve("-r:", o->rcurve) || check_curve("-e ", o->ecdh_curve))
		return EXIT_BADOPT;
	return 0;
}

int uftpproxyd_parse_opts(struct uftpproxyd_opts *o, int argc, char **argv)
{
	int rv;

	memset(o, 0, sizeof(*o));
	uftp_daemon_opts_init(&o->c, PROG);
	o->c.hb_interval = 20;
	o->ttl = 1;
	rv = uftp_daemon_parse(&cli, &o->c, o, argc, argv);
	return rv ? rv : check_mode(o);
}
