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

void uftp_usage(FILE *f)
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
	      "    { -i list_file | file [ file... ] }\n",
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
	case 'C':
		if (strcmp(arg, "none") != 0)
			return bad("-C", "only \"none\" is supported");
		return 0;
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
		uftp_usage(stderr);
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
		uftp_usage(stderr);
		return EXIT_BADARG;
	}
	return 0;
}

int uftp_parse_opts(struct uftp_opts *o, int argc, char **argv)
{
	int c, i, rv;

	defaults(o);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0) {
			uftp_usage(stdout);
			return -1;
		}
	}
	opterr = 1;
	for (;;) {
		c = getopt(argc, argv, OPTSTRING);
		if (c == -1)
			break;
		if (c == '?') {
			uftp_usage(stderr);
			return EXIT_BADARG;
		}
		rv = parse_one(o, c, optarg);
		if (rv != 0)
			return rv;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	return check_opts(o);
}
