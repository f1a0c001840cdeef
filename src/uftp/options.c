/* SPDX-License-Identifier: BSD-2-Clause */
/* uftp command line (man uftp). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/server.h"
#include "crypto/keyfile.h"
#include "lib/addr.h"
#include "lib/hostlist.h"
#include "lib/opts.h"
#include "uftp/uftp.h"

#define OPTSTRING                                                                                  \
	"R:L:B:g:n:Y:h:w:e:cm:k:K:lTb:t:Q:zZI:p:u:j:qfyU:a:x:W:H:F:X:M:P:N:C:oD:E:S:r:s:i:"

/* The option list, as the reference prints it on a bad option. */
static void synopsis(FILE *f)
{
	fputs("Usage: uftp [ -R txrate ] [ -L logfile ] [ -B udp_buf_size ]\n"
	      "    [ -g max_log_size ] [ -n max_log_count ] [ -Y keytype ] [ -h hashtype ]\n"
	      "    [ -w sigtype ] [ -e keyextype[:curve] ] [ -c ] [ -m max_nak_count ]\n"
	      "    [ -k key_file ] [ -K key_length | curve ] [ -l ] [ -T ] [ -b block_size ]\n"
	      "    [ -t ttl ] [ -Q dscp ] [ -z | -Z ] [ -I interface ] [ -p port ]\n"
	      "    [ -u source_port ] [ -q ] [ -f ] [ -U UID ] [ -a max_passes ]\n"
	      "    [ -x log_level ] [ -W txweight ]\n"
	      "    [ -H host[,host...] | -H @hostlist_file | -F restart_file ]\n"
	      "    [ -j proxylist_file ]\n"
	      "    [ -X exclude_file ] [ -M pub_multicast_addr ] [ -P priv_multicast_addr ]\n"
	      "    [ -N max_nak_pct ] [ -C cc_type ] [ -o ] [ -D dest_name ]\n"
	      "    [ -E base_dir[,base_dir...] ] [ -S status_file ]\n"
	      "    [ -r init_grtt[:min_grtt:max_grtt] ] [ -s robust ]\n"
	      "    [ --progress | --no-progress ] [ --wait-fileinfo ] [ --help ] [ --version ]\n"
	      "    { -i list_file | file [ file... ] }\n",
	      f);
}

void uftp_usage(FILE *f)
{
	synopsis(f);
	fputs("\n"
	      "Sends files and directories to UFTP 4.x receivers (uftpd) over multicast.\n"
	      "Rate, addresses and session:\n"
	      "  -R kbps      sending rate in Kbps (default 1000); -1: as fast as the socket\n"
	      "               takes\n"
	      "  -M addr      public address the session is announced on (default 230.4.4.1);\n"
	      "               a unicast address sends to that one receiver\n"
	      "  -P addr      private multicast address (default 230.5.5.x, x: random part)\n"
	      "  -I iface     interface to send from (name or address); gives the server ID\n"
	      "  -U UID       server ID, 0xnnnnnnnn (default: from the interface's address)\n"
	      "  -p port      receivers' port (default 1044); -u port: our source port\n"
	      "  -B bytes     socket buffers, 65536-104857600 (default 262144)\n"
	      "  -t ttl       multicast TTL (default 1); -Q dscp: DSCP, 0-63 or 0x hex\n"
	      "  -b bytes     block size, 512-8800 (default 1300)\n"
	      "  -C none      fixed-rate sending at -R (default)\n"
	      "  -C tfmcc[:min=kbps][:init=kbps][:max=kbps]\n"
	      "               TCP-friendly rate from receivers' feedback (RFC 4654), within\n"
	      "               min and max (Kbps), starting at init; -R is then ignored\n"
	      "  -r i[:mn:mx] group round-trip time in seconds: initial[:min:max]\n"
	      "               (default 0.5:0.01:15)\n"
	      "  -s robust    repeats before silent receivers are dropped, 10-50 (default 20)\n"
	      "  -a passes    give up on a file's stragglers after this many passes\n"
	      "  -W weight    give up once a file took weight% (110-10000) of its time at -R\n"
	      "  -N pct, -m n drop a receiver that NAKs more than pct% of a section more than\n"
	      "               n times (defaults 100 and 1)\n"
	      "  -q           end the session when one receiver aborts or is dropped\n"
	      "Receivers:\n"
	      "  -H ids|@file closed group: only these receiver IDs (file: ID[|fingerprint]\n"
	      "               per line)\n"
	      "  -j file      proxies allowed to answer for the -H receivers (ID[|fp] per line)\n"
	      "  -F file      resume the session in this restart file (not with -H)\n"
	      "  -f           write a restart file _group_ID_restart when receivers failed\n"
	      "Encryption:\n"
	      "  -Y keytype   none (default), des, 3des, aes128-cbc, aes256-cbc, aes128-gcm,\n"
	      "               aes256-gcm, aes128-ccm, aes256-ccm\n"
	      "  -h hash      sha1 (default), sha256, sha384, sha512\n"
	      "  -w sigtype   hmac (default) or keyex: how CBC messages are authenticated\n"
	      "  -e type[:c]  key exchange rsa (default), ecdh_rsa or ecdh_ecdsa[:curve]\n"
	      "  -c           receivers must prove their keys (fingerprints from -H @file)\n"
	      "  -k file      server private key (PEM); with -K: a new key written there\n"
	      "  -K bits|crv  generate the server key (RSA bits, or an EC curve)\n"
	      "Files:\n"
	      "  -i file      read the names to send from file (\"-\": standard input)\n"
	      "  -X file      names to leave out of directories, one per line\n"
	      "  -l           follow symbolic links\n"
	      "  -E bases     send names relative to these base directories\n"
	      "  -D name      send the one file as name (or, with -o, into directory name)\n"
	      "  -o           with -D: name is a directory\n"
	      "  -z           sync mode: receivers skip copies that are up to date\n"
	      "  -Z           sync preview: receivers only say what -z would do\n"
	      "Output:\n"
	      "  -S file      status lines CONNECT / RESULT / HSTATS / STATS (@LOG: in the log)\n"
	      "  -L file      log file (appended, with time stamps); -T: time stamps on stderr\n"
	      "  -g MB        roll the log at this size; -n count: archives kept (default 5)\n"
	      "  -x level     log level 0-5 (default 2)\n"
	      "  --progress     always show the progress line and the summary table (stderr)\n"
	      "  --no-progress  never show them (default: only when stderr is a terminal)\n"
	      "  --wait-fileinfo  send a file's data only once every receiver answered its\n"
	      "               FILEINFO (default: the data follows the FILEINFO at once)\n"
	      "  --help       this help; --version: the version\n"
	      "  -y           accepted and ignored\n"
	      "Exit codes: 0 some receiver got a file, 1 bad option, 2 network, 3 keys,\n"
	      "4 log file, 5 memory, 6 interrupted, 7 no receiver registered, 8 no answer\n"
	      "to the first file, 9 all receivers lost, 10 no file received.\n",
	      f);
}

static void defaults(struct uftp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rate = 1000;
	o->bufsize = 262144;
	o->max_log_count = 5;
	o->hashtype = UFTP_HASH_SHA1;
	o->sigtype = UFTP_SIG_HMAC;
	o->keyextype = UFTP_KEYEX_RSA;
	o->curve = UFTP_CURVE_SECP256R1;
	o->max_nak_count = 1;
	o->block_size = 1300;
	o->ttl = 1;
	o->port = UFTP_DEFAULT_PORT;
	o->max_passes = 65535;
	o->log_level = 2;
	o->pub_addr = "230.4.4.1";
	o->max_nak_pct = 100;
	o->grtt_init_us = 500000;
	o->grtt_min_us = 10000;
	o->grtt_max_us = 15000000;
	o->robust = 20;
	o->progress = -1;
}

static const char *const keytypes[] = {"none",       "des",        "3des",       "aes128-cbc",
                                       "aes256-cbc", "aes128-gcm", "aes256-gcm", "aes128-ccm",
                                       "aes256-ccm", NULL};
static const char *const hashtypes[] = {"", "", "sha1", "sha256", "sha384", "sha512", NULL};

static int lookup(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (names[i][0] && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int bad(const char *opt, const char *msg)
{
	fprintf(stderr, "uftp: %s: %s\n", opt, msg);
	return EXIT_BADARG;
}

static int parse_keyex(struct uftp_opts *o, const char *s)
{
	char buf[64];
	char *colon;

	if (uftp_strlcpy(buf, s, sizeof(buf)) < 0)
		return bad("-e", "invalid key exchange");
	colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		o->curve = uftp_pkey_curve_by_name(colon);
		if (o->curve <= 0)
			return bad("-e", "unknown curve");
	}
	if (strcmp(buf, "rsa") == 0)
		o->keyextype = UFTP_KEYEX_RSA;
	else if (strcmp(buf, "ecdh_rsa") == 0)
		o->keyextype = UFTP_KEYEX_ECDH_RSA;
	else if (strcmp(buf, "ecdh_ecdsa") == 0)
		o->keyextype = UFTP_KEYEX_ECDH_ECDSA;
	else
		return bad("-e", "invalid key exchange type");
	if (colon && o->keyextype == UFTP_KEYEX_RSA)
		return bad("-e", "a curve needs ecdh_rsa or ecdh_ecdsa");
	return 0;
}

/*
 * The entry as typed up to its fingerprint, spaces and all: a restart file
 * (-f) names the client by it, as the reference does.
 */
static char *host_text(const char *line)
{
	return strndup(line, strcspn(line, "|"));
}

static int add_host(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct uftp_opts *o = arg;
	struct uftp_hostent e;
	struct uftp_peer_key *h;
	char **names;

	(void)lineno;
	if (uftp_hostent_parse_id(&e, line) < 0) {
		snprintf(err, errlen, "invalid host entry \"%s\"", line);
		return UFTP_ERR_INVALID;
	}
	h = realloc(o->hosts, (o->nhosts + 1) * sizeof(*h));
	if (h != NULL)
		o->hosts = h;
	names = realloc(o->host_names, (o->nhosts + 1) * sizeof(*names));
	if (names != NULL)
		o->host_names = names;
	if (h != NULL && names != NULL)
		names[o->nhosts] = host_text(line);
	if (h == NULL || names == NULL || names[o->nhosts] == NULL) {
		snprintf(err, errlen, "out of memory");
		return UFTP_ERR_NOMEM;
	}
	h = &o->hosts[o->nhosts++];
	memset(h, 0, sizeof(*h));
	h->id = e.id;
	h->has_fp = e.has_fp;
	memcpy(h->fp, e.fp, sizeof(h->fp));
	return 0;
}

static int add_proxy(void *arg, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct uftp_opts *o = arg;
	struct uftp_hostent e;
	struct uftp_peer_key *h;

	(void)lineno;
	if (uftp_hostent_parse_id(&e, line) < 0) {
		snprintf(err, errlen, "invalid proxy entry \"%s\"", line);
		return UFTP_ERR_INVALID;
	}
	h = realloc(o->proxies, (o->nproxies + 1) * sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return UFTP_ERR_NOMEM;
	}
	o->proxies = h;
	h = &o->proxies[o->nproxies++];
	memset(h, 0, sizeof(*h));
	h->id = e.id;
	h->has_fp = e.has_fp;
	memcpy(h->fp, e.fp, sizeof(h->fp));
	return 0;
}

static int parse_grtt(struct uftp_opts *o, const char *s)
{
	char buf[96], err[UFTP_OPT_ERRLEN];
	char *items[3];
	int n;

	if (uftp_strlcpy(buf, s, sizeof(buf)) < 0)
		return bad("-r", "invalid value");
	n = uftp_opt_split(buf, ':', items, 3, err, sizeof(err));
	if (n != 1 && n != 3)
		return bad("-r", "expected init_grtt[:min_grtt:max_grtt]");
	if (uftp_opt_seconds(&o->grtt_init_us, items[0], 1000, 1000000000, err, sizeof(err)) < 0)
		return bad("-r", err);
	if (n == 3 &&
	    (uftp_opt_seconds(&o->grtt_min_us, items[1], 1000, 1000000000, err, sizeof(err)) < 0 ||
	     uftp_opt_seconds(&o->grtt_max_us, items[2], 1000, 1000000000, err, sizeof(err)) < 0))
		return bad("-r", err);
	if (o->grtt_min_us > o->grtt_max_us || o->grtt_init_us < o->grtt_min_us ||
	    o->grtt_init_us > o->grtt_max_us)
		return bad("-r", "need min_grtt <= init_grtt <= max_grtt");
	return 0;
}

static int intopt(int *out, const char *s, int min, int max, int flags, const char *name)
{
	char err[UFTP_OPT_ERRLEN];

	if (uftp_opt_int(out, s, min, max, flags, err, sizeof(err)) < 0)
		return bad(name, err);
	return 0;
}

static int parse_crypto_opt(struct uftp_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'Y':
		o->keytype = lookup(keytypes, arg);
		return o->keytype < 0 ? bad("-Y", "invalid key type") : 0;
	case 'h':
		o->hashtype = lookup(hashtypes, arg);
		return o->hashtype < 0 ? bad("-h", "invalid hash type") : 0;
	case 'w':
		if (strcmp(arg, "hmac") == 0)
			o->sigtype = UFTP_SIG_HMAC;
		else if (strcmp(arg, "keyex") == 0)
			o->sigtype = UFTP_SIG_KEYEX;
		else
			return bad("-w", "invalid signature type");
		return 0;
	case 'e': return parse_keyex(o, arg);
	case 'c': o->client_auth = 1; return 0;
	case 'k': o->keyfile = arg; return 0;
	case 'K': o->keyparam = arg; return 0;
	default: return -2;
	}
}

/* One of -C tfmcc's "key=kbps" settings (any order; a repeated key wins, as the reference lets it).
 */
static int parse_cc_item(struct uftp_opts *o, char *item)
{
	static const char *const keys[] = {"min", "init", "max"};
	long *vals[] = {&o->cc_min, &o->cc_init, &o->cc_max};
	char err[UFTP_OPT_ERRLEN];
	char *eq = strchr(item, '=');
	size_t k;

	if (eq == NULL)
		return bad("-C", "expected tfmcc[:min=kbps][:init=kbps][:max=kbps]");
	*eq = '\0';
	for (k = 0; k < 3 && strcmp(item, keys[k]) != 0; k++)
		;
	if (k == 3)
		return bad("-C", "invalid rate type");
	if (uftp_opt_long(vals[k], eq + 1, 1, 2147483647L, 0, err, sizeof(err)) < 0)
		return bad("-C", err);
	return 0;
}

static int parse_cc(struct uftp_opts *o, const char *arg)
{
	char buf[256], *items[16];
	char err[UFTP_OPT_ERRLEN];
	int n, i, rv;

	o->cc_min = o->cc_init = o->cc_max = 0;
	if (strcmp(arg, "none") == 0 || strcmp(arg, "tfmcc") == 0 || strcmp(arg, "tfmcc:") == 0) {
		o->cc_type = arg[0] == 't' ? UFTP_CC_TFMCC : UFTP_CC_NONE;
		return 0;
	}
	if (strncmp(arg, "tfmcc:", 6) != 0)
		return bad("-C", "invalid congestion control type (none or tfmcc)");
	if (uftp_strlcpy(buf, arg + 6, sizeof(buf)) < 0)
		return bad("-C", "too long");
	n = uftp_opt_split(buf, ':', items, 16, err, sizeof(err));
	if (n < 0)
		return bad("-C", err);
	for (i = 0; i < n; i++) {
		rv = parse_cc_item(o, items[i]);
		if (rv != 0)
			return rv;
	}
	if ((o->cc_max && o->cc_min > o->cc_max) ||
	    (o->cc_init &&
	     ((o->cc_min && o->cc_init < o->cc_min) || (o->cc_max && o->cc_init > o->cc_max))))
		return bad("-C", "invalid rate: need min <= init <= max");
	o->cc_type = UFTP_CC_TFMCC;
	return 0;
}

static int parse_net_opt(struct uftp_opts *o, int c, const char *arg)
{
	char err[UFTP_OPT_ERRLEN];

	switch (c) {
	case 'R':
		if (uftp_opt_rate(&o->rate, arg, err, sizeof(err)) < 0)
			return bad("-R", err);
		return 0;
	case 'B': return intopt(&o->bufsize, arg, 65536, 104857600, 0, "-B");
	case 'b': return intopt(&o->block_size, arg, UFTP_MIN_BLOCK, UFTP_MAX_BLOCK, 0, "-b");
	case 't': return intopt(&o->ttl, arg, 1, 255, 0, "-t");
	case 'Q': return intopt(&o->dscp, arg, 0, 63, UFTP_OPT_HEX, "-Q");
	case 'I': o->iface = arg; return 0;
	case 'p': return intopt(&o->port, arg, 1, 65535, 0, "-p");
	case 'u': return intopt(&o->src_port, arg, 0, 65535, 0, "-u");
	case 'M': o->pub_addr = arg; return 0;
	case 'P': o->priv_addr = arg; return 0;
	case 'U':
		if (uftp_id_parse(&o->uid, arg) < 0)
			return bad("-U", "invalid UID");
		o->have_uid = 1;
		return 0;
	case 'C': return parse_cc(o, arg);
	default: return -2;
	}
}

static int parse_session_opt(struct uftp_opts *o, int c, const char *arg)
{
	char err[UFTP_OPT_ERRLEN];

	switch (c) {
	case 'm': return intopt(&o->max_nak_count, arg, 1, 10, 0, "-m");
	case 'N': return intopt(&o->max_nak_pct, arg, 0, 100, 0, "-N");
	case 'a': return intopt(&o->max_passes, arg, 0, 65535, 0, "-a");
	case 'W': return intopt(&o->txweight, arg, 110, 10000, 0, "-W");
	case 's': return intopt(&o->robust, arg, 10, 50, 0, "-s");
	case 'r': return parse_grtt(o, arg);
	case 'q': o->quit_on_error = 1; return 0;
	case 'z': o->sync_mode = 1; return 0;
	case 'Z': o->sync_preview = 1; return 0;
	case 'H':
		if (uftp_opt_each(arg, 1, add_host, o, err, sizeof(err)) < 0)
			return bad("-H", err);
		return 0;
	case 'F': o->restart_file = arg; return 0;
	case 'f': o->restartable = 1; return 0;
	case 'j':
		if (uftp_opt_read_list(arg, add_proxy, o, err, sizeof(err)) < 0)
			return bad("-j", err);
		return 0;
	case 'y': fprintf(stderr, "uftp: -%c is not supported, ignored\n", c); return 0;
	default: return -2;
	}
}

static int parse_misc_opt(struct uftp_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'L': o->logfile = arg; return 0;
	case 'g': return intopt(&o->max_log_mb, arg, 1, 1024, 0, "-g");
	case 'n': return intopt(&o->max_log_count, arg, 1, 1000, 0, "-n");
	case 'x': return intopt(&o->log_level, arg, 0, 5, 0, "-x");
	case 'l': o->follow_links = 1; return 0;
	case 'T': o->timestamps = 1; return 0;
	case 'X': o->exclude_file = arg; return 0;
	case 'o': o->dir_mode = 1; return 0;
	case 'D': o->dest_name = arg; return 0;
	case 'E': o->bases_arg = optarg; return 0;
	case 'S': o->status_file = arg; return 0;
	case 'i': o->list_file = arg; return 0;
	default: return -2;
	}
}

static int parse_one(struct uftp_opts *o, int c, const char *arg)
{
	int rv = parse_crypto_opt(o, c, arg);

	if (rv == -2)
		rv = parse_net_opt(o, c, arg);
	if (rv == -2)
		rv = parse_session_opt(o, c, arg);
	if (rv == -2)
		rv = parse_misc_opt(o, c, arg);
	if (rv == -2) {
		synopsis(stderr);
		return EXIT_BADARG;
	}
	return rv;
}

static int check_opts(struct uftp_opts *o)
{
	if (o->sync_mode && o->sync_preview)
		return bad("-z/-Z", "choose one");
	if (o->restart_file && o->nhosts)
		return bad("-F", "can't specify both -H and -F");
	if (o->restart_file)
		return uftp_restart_load(o);
	if (o->list_file == NULL && o->nfiles == 0) {
		synopsis(stderr);
		return EXIT_BADARG;
	}
	return 0;
}

enum { OPT_HELP = 0x100, OPT_VERSION, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_WAIT_FILEINFO };

static const struct option longopts[] = {
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"wait-fileinfo", no_argument, NULL, OPT_WAIT_FILEINFO},
    {NULL, 0, NULL, 0},
};

/* Our long options (the reference's letters are left alone); 1 when c was one. */
static int long_opt(struct uftp_opts *o, int c, int *rv)
{
	switch (c) {
	case OPT_HELP:
		uftp_usage(stdout);
		*rv = -1;
		return 1;
	case OPT_VERSION:
		uftp_print_version("uftp");
		*rv = -1;
		return 1;
	case OPT_PROGRESS: o->progress = 1; return 1;
	case OPT_NO_PROGRESS: o->progress = 0; return 1;
	case OPT_WAIT_FILEINFO: o->wait_fileinfo = 1; return 1;
	default: return 0;
	}
}

int uftp_parse_opts(struct uftp_opts *o, int argc, char **argv)
{
	int c, rv;

	defaults(o);
	opterr = 1;
	for (;;) {
		c = getopt_long(argc, argv, OPTSTRING, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			synopsis(stderr);
			return EXIT_BADARG;
		}
		rv = 0;
		if (long_opt(o, c, &rv)) {
			if (rv)
				return rv;
			continue;
		}
		rv = parse_one(o, c, optarg);
		if (rv != 0)
			return rv;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	return check_opts(o);
}
