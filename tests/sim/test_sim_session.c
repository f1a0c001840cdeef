/*
 * Whole sessions in the simulator: one server core and N client cores over
 * the in-process network, a fake clock, in-memory files, and scripted
 * loss, duplication and reordering.  Each scenario checks that every
 * receiver holds every file byte for byte, with its type, mtime and link
 * target, and that the server's events and exit code say what happened.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/cutest.h"
#include "core/client.h"
#include "core/err.h"
#include "core/proto.h"
#include "core/server.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "simnet.h"

#define MAX_CLIENTS 8
#define MAX_FILES   16
#define MAX_STORE   32
#define SEC         UFTP_NS_PER_SEC

/* ---- the sender's files: content is a function of (file, offset) ------ */

static uint8_t content_byte(size_t file, uint64_t off)
{
	uint64_t x = (file + 1) * 0x9E3779B97F4A7C15ULL ^ (off * 0xBF58476D1CE4E5B9ULL);

	x ^= x >> 31;
	return (uint8_t)(x * 0x94D049BB133111EBULL >> 56);
}

static struct uftp_server_file files[MAX_FILES];
static size_t nfiles;

static ssize_t mem_read_at(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i;

	(void)arg;
	if (idx >= nfiles || off > files[idx].size)
		return UFTP_ERR_INVALID;
	if (len > files[idx].size - off)
		len = (size_t)(files[idx].size - off);
	for (i = 0; i < len; i++)
		buf[i] = content_byte(idx, off + i);
	return (ssize_t)len;
}

static const struct uftp_server_file_ops server_fops = {.read_at = mem_read_at};

static void add_file(const char *name, uint8_t type, uint64_t size, uint32_t mtime,
                     const char *link)
{
	files[nfiles].name = name;
	files[nfiles].ftype = type;
	files[nfiles].size = size;
	files[nfiles].mtime = mtime;
	files[nfiles].link = link;
	nfiles++;
}

/* The standard tree: files of awkward sizes, a nested dir, an empty dir, a link. */
static void standard_tree(void)
{
	nfiles = 0;
	add_file("empty.bin", UFTP_FTYPE_REG, 0, 1700000000, NULL);
	add_file("one.bin", UFTP_FTYPE_REG, 1, 1700000001, NULL);
	add_file("block.bin", UFTP_FTYPE_REG, 1300, 1700000002, NULL);
	add_file("dir/a/nested.bin", UFTP_FTYPE_REG, 250000, 1700000003, NULL);
	add_file("dir/empty", UFTP_FTYPE_DIR, 0, 0, NULL);
	add_file("dir/link", UFTP_FTYPE_LINK, 0, 0, "a/nested.bin");
	add_file("big.bin", UFTP_FTYPE_REG, 3 * 1024 * 1024 + 17, 1700000004, NULL);
}

/* ---- a receiver's in-memory store -------------------------------------- */

struct mem_file {
	char name[256];
	int type, ok, open;
	int64_t mtime;
	uint8_t *data;
	uint64_t len, cap;
	char link[256];
};

struct mem_store {
	struct mem_file f[MAX_STORE];
	size_t n;
	int fail_writes; /* simulate a full disk */
};

static struct mem_file *store_get(struct mem_store *st, const char *rel, int type)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->f[i].name, rel) == 0)
			break;
	if (i == st->n) {
		if (st->n == MAX_STORE)
			return NULL;
		st->n++;
	}
	free(st->f[i].data);
	memset(&st->f[i], 0, sizeof(st->f[i]));
	snprintf(st->f[i].name, sizeof(st->f[i].name), "%s", rel);
	st->f[i].type = type;
	return &st->f[i];
}

static int m_open(void *arg, size_t root, const char *rel)
{
	struct mem_store *st = arg;
	struct mem_file *f = store_get(st, rel, UFTP_FTYPE_REG);

	(void)root;
	if (f == NULL)
		return UFTP_ERR_NOSPACE;
	f->open = 1;
	return (int)(f - st->f);
}

static int m_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len)
{
	struct mem_store *st = arg;
	struct mem_file *f = &st->f[h];

	if (st->fail_writes)
		return UFTP_ERR_IO;
	if (off + len > f->cap) {
		uint64_t cap = (off + len) * 2;
		uint8_t *d = realloc(f->data, cap);

		if (d == NULL)
			return UFTP_ERR_NOMEM;
		memset(d + f->cap, 0, cap - f->cap);
		f->data = d;
		f->cap = cap;
	}
	memcpy(f->data + off, buf, len);
	if (off + len > f->len)
		f->len = off + len;
	return 0;
}

static int m_close(void *arg, int h, int ok, int64_t mtime)
{
	struct mem_store *st = arg;

	st->f[h].open = 0;
	st->f[h].ok = ok;
	st->f[h].mtime = mtime;
	return 0;
}

static int m_mkdir(void *arg, size_t root, const char *rel)
{
	struct mem_file *f = store_get(arg, rel, UFTP_FTYPE_DIR);

	(void)root;
	if (f == NULL)
		return UFTP_ERR_NOSPACE;
	f->ok = 1;
	return 0;
}

static int m_symlink(void *arg, size_t root, const char *rel, const char *target)
{
	struct mem_file *f = store_get(arg, rel, UFTP_FTYPE_LINK);

	(void)root;
	if (f == NULL)
		return UFTP_ERR_NOSPACE;
	snprintf(f->link, sizeof(f->link), "%s", target);
	f->ok = 1;
	return 0;
}

static void store_free(struct mem_store *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->f[i].data);
	memset(st, 0, sizeof(*st));
}

/* ---- node adapters ----------------------------------------------------- */

static int srv_on(void *c, const struct uftp_peer *from, const uint8_t *b, size_t l, uint64_t now)
{
	return uftp_server_on_datagram(c, from, b, l, now);
}
static int srv_write(void *c, struct uftp_peer *to, uint8_t *o, size_t cap, uint64_t now)
{
	return uftp_server_write(c, to, o, cap, now);
}
static uint64_t srv_exp(void *c)
{
	return uftp_server_get_expiry(c);
}
static int srv_handle(void *c, uint64_t now)
{
	uftp_server_handle_expiry(c, now);
	return 0;
}
static int cli_on(void *c, const struct uftp_peer *from, const uint8_t *b, size_t l, uint64_t now)
{
	return uftp_client_on_datagram(c, from, b, l, now);
}
static int cli_write(void *c, struct uftp_peer *to, uint8_t *o, size_t cap, uint64_t now)
{
	return uftp_client_write(c, to, o, cap, now);
}
static uint64_t cli_exp(void *c)
{
	return uftp_client_get_expiry(c);
}
static int cli_handle(void *c, uint64_t now)
{
	uftp_client_handle_expiry(c, now);
	return 0;
}

static const struct sim_node_ops server_ops = {srv_on, srv_write, srv_exp, srv_handle};
static const struct sim_node_ops client_ops = {cli_on, cli_write, cli_exp, cli_handle};

/* ---- one scenario ------------------------------------------------------ */

struct scenario {
	uint64_t seed;
	size_t nclients;
	struct sim_link links[MAX_CLIENTS];
	int keytype, hashtype, sigtype, keyextype, curve;
	int closed;        /* closed group of the first nclients - nonmembers */
	size_t nonmembers; /* last clients not in the -H list */
	int64_t rate_kbps; /* 0: unpaced (-1) */
	uint64_t kill_at;  /* client 0 stops receiving at this time (0: never) */
	int disk_full;     /* client 0's writes fail */
};

struct outcome {
	int finished, outcome;
	unsigned registered, lost, file_client_ok[MAX_CLIENTS];
	uint64_t end_ns, trace_hash;
	uint64_t by_func[256]; /* datagrams seen on the wire, by function byte */
	size_t client_done[MAX_CLIENTS], client_aborted[MAX_CLIENTS];
};

static struct mem_store stores[MAX_CLIENTS];
static struct uftp_client *clients[MAX_CLIENTS];
static struct uftp_server *server;
static struct outcome out;
static struct uftp_env env;

static void tap_hash(void *arg, int src, const struct uftp_peer *to, const uint8_t *buf, size_t len,
                     uint64_t now)
{
	uint64_t h = out.trace_hash ^ (uint64_t)src ^ (now << 8) ^ to->port;
	size_t i;

	(void)arg;
	if (len >= 2)
		out.by_func[buf[1]]++;
	for (i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001B3ULL;
	out.trace_hash = h;
}

static void drain_events(size_t nclients)
{
	struct uftp_server_event sev;
	struct uftp_client_event cev;
	size_t i;

	while (uftp_server_next_event(server, &sev)) {
		if (sev.type == UFTP_SEV_REGISTERED)
			out.registered++;
		else if (sev.type == UFTP_SEV_CLIENT_LOST)
			out.lost++;
		else if (sev.type == UFTP_SEV_FINISHED)
			out.finished = 1;
	}
	for (i = 0; i < nclients; i++)
		while (uftp_client_next_event(clients[i], &cev)) {
			if (cev.type == UFTP_CEV_DONE)
				out.client_done[i]++;
			else if (cev.type == UFTP_CEV_ABORTED)
				out.client_aborted[i]++;
			else if (cev.type == UFTP_CEV_FILE && cev.status == UFTP_COMP_NORMAL)
				out.file_client_ok[i]++;
		}
}

static size_t cur_nclients;
static struct simnet *cur_net;
static const struct scenario *cur_sc;

static int session_over(void *arg)
{
	(void)arg;
	if (cur_sc->kill_at && cur_net->now >= cur_sc->kill_at)
		cur_net->nodes[1].in.loss_pm = 1000; /* client 0 hears nothing more */
	drain_events(cur_nclients);
	return uftp_server_finished(server);
}

static void log_line(void *arg, int level, const char *msg)
{
	struct simnet *net = arg;

	fprintf(stderr, "%8.3f [%d] %s\n", (double)(net->now - 5 * SEC) / 1e9, level, msg);
}

static void wall(void *arg, uint32_t *sec, uint32_t *usec)
{
	struct simnet *net = arg;

	*sec = 1700000000u + (uint32_t)(net->now / SEC);
	*usec = (uint32_t)(net->now % SEC / 1000);
}

static struct uftp_pkey *server_key(const struct scenario *sc)
{
	const struct uftp_crypto_ops *ops = uftp_ossl_ops();
	struct uftp_pkey *k = NULL;
	int rv;

	if (sc->keytype == UFTP_KEY_NONE)
		return NULL;
	if (sc->keyextype == UFTP_KEYEX_ECDH_ECDSA)
		rv = ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, &k);
	else
		rv = ops->pkey_generate(UFTP_BLOB_RSA, 1024, &k);
	CU_ASSERT_EQUAL_FATAL(rv, 0);
	return k;
}

static void make_server_cfg(struct uftp_server_config *cfg, const struct scenario *sc,
                            struct uftp_peer_key *hosts, struct uftp_pkey *key)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->server_id = 0xC612000A;
	cfg->group_id = 0x12345678;
	cfg->pub_addr = sim_ip4(230, 4, 4, 1, 0).ip;
	cfg->priv_addr = sim_ip4(230, 5, 5, 1, 0).ip;
	cfg->port = 1044;
	cfg->block_size = 1300;
	cfg->robust = 20;
	cfg->max_passes = 65535; /* the defaults of man uftp */
	cfg->max_nak_pct = 100;
	cfg->max_nak_count = 1;
	cfg->rate_kbps = sc->rate_kbps ? sc->rate_kbps : -1;
	cfg->grtt_init = SEC / 2;
	cfg->grtt_min = SEC / 100;
	cfg->grtt_max = 15 * SEC;
	cfg->keytype = sc->keytype;
	cfg->hashtype = sc->hashtype;
	cfg->sigtype = sc->sigtype;
	cfg->keyextype = sc->keyextype;
	cfg->curve = sc->curve;
	cfg->server_key = key;
	cfg->files = files;
	cfg->nfiles = nfiles;
	cfg->fops = &server_fops;
	if (sc->closed) {
		for (i = 0; i + sc->nonmembers < sc->nclients; i++)
			hosts[i].id = 0xC6120000u + 11 + (uint32_t)i;
		cfg->hosts = hosts;
		cfg->nhosts = sc->nclients - sc->nonmembers;
	}
}

static const struct uftp_client_fops client_fops_tmpl = {
    .open = m_open,
    .write = m_write,
    .close = m_close,
    .mkdir = m_mkdir,
    .symlink = m_symlink,
};
static struct uftp_client_fops client_fops[MAX_CLIENTS];
static struct uftp_pkey *client_keys[MAX_CLIENTS];

static void add_client(struct simnet *net, size_t i, const struct scenario *sc)
{
	struct uftp_client_config cc;
	struct uftp_peer a = sim_ip4(198, 18, 0, (uint8_t)(11 + i), 1044);

	memset(&cc, 0, sizeof(cc));
	cc.uid = 0xC6120000u + 11 + (uint32_t)i;
	cc.roots[0] = "/dest";
	cc.nroots = 1;
	client_fops[i] = client_fops_tmpl;
	client_fops[i].arg = &stores[i];
	cc.fops = &client_fops[i];
	stores[i].fail_writes = sc->disk_full && i == 0;
	if (sc->sigtype == UFTP_SIG_KEYEX) {
		/* Signed messages both ways: each receiver needs a key of its own (-k). */
		CU_ASSERT_EQUAL_FATAL(
		    uftp_ossl_ops()->pkey_generate(UFTP_BLOB_RSA, 1024, &client_keys[i]), 0);
		cc.keys[0] = client_keys[i];
		cc.nkeys = 1;
	}
	clients[i] = uftp_client_new(&cc, &env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(clients[i]);
	CU_ASSERT_EQUAL(sim_add(net, "client", &a, &client_ops, clients[i]), (int)i + 1);
	net->nodes[i + 1].in = sc->links[i];
	if (net->nodes[i + 1].in.delay_ns == 0)
		net->nodes[i + 1].in.delay_ns = 2 * UFTP_NS_PER_MSEC;
}

static void run_scenario(const struct scenario *sc, uint64_t limit_ns)
{
	static struct simnet net;
	struct uftp_peer_key hosts[MAX_CLIENTS];
	struct uftp_server_config cfg;
	struct uftp_peer sa = sim_ip4(198, 18, 0, 10, 40000);
	struct uftp_pkey *key = server_key(sc);
	size_t i;
	int rv;

	memset(&out, 0, sizeof(out));
	sim_init(&net, sc->seed, 5 * SEC);
	memset(&env, 0, sizeof(env));
	env.crypto = uftp_ossl_ops();
	env.random = sim_random_fill;
	env.random_arg = &net;
	env.wall_time = wall;
	env.wall_time_arg = &net;
	env.log_level = getenv("SIM_LOG") ? (int)strtol(getenv("SIM_LOG"), NULL, 10) : -1;
	env.log = log_line;
	env.log_arg = &net;
	make_server_cfg(&cfg, sc, hosts, key);
	rv = uftp_server_new(&server, &env, &cfg, net.now);
	CU_ASSERT_EQUAL_FATAL(rv, 0);
	CU_ASSERT_EQUAL(sim_add(&net, "server", &sa, &server_ops, server), 0);
	net.nodes[0].in.delay_ns = 2 * UFTP_NS_PER_MSEC;
	for (i = 0; i < sc->nclients; i++)
		add_client(&net, i, sc);
	net.tap = tap_hash;
	cur_nclients = sc->nclients;
	cur_net = &net;
	cur_sc = sc;
	sim_run(&net, session_over, NULL, net.now + limit_ns);
	/* Let the last DONE_CONFs land and the clients settle. */
	sim_run(&net, NULL, NULL, net.now + 5 * SEC);
	drain_events(sc->nclients);
	out.outcome = uftp_server_finished(server) ? uftp_server_outcome(server) : -1;
	out.end_ns = net.now - 5 * SEC;
	for (i = 0; i < sc->nclients; i++) {
		uftp_client_free(clients[i]);
		if (client_keys[i] != NULL)
			uftp_ossl_ops()->pkey_free(client_keys[i]);
		client_keys[i] = NULL;
	}
	uftp_server_free(server);
	if (key != NULL)
		uftp_ossl_ops()->pkey_free(key);
	sim_free(&net);
}

/* Checks that client i's store holds the whole tree, byte for byte. */
static void check_tree(size_t ci)
{
	const struct mem_store *st = &stores[ci];
	size_t k, j;
	uint64_t off;

	for (k = 0; k < nfiles; k++) {
		const struct mem_file *f = NULL;

		for (j = 0; j < st->n; j++)
			if (strcmp(st->f[j].name, files[k].name) == 0)
				f = &st->f[j];
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f == NULL) {
			fprintf(stderr, "client %zu: missing %s\n", ci, files[k].name);
			continue;
		}
		CU_ASSERT_EQUAL(f->type, files[k].ftype);
		CU_ASSERT(f->ok);
		if (files[k].ftype == UFTP_FTYPE_LINK)
			CU_ASSERT_STRING_EQUAL(f->link, files[k].link);
		if (files[k].ftype != UFTP_FTYPE_REG)
			continue;
		CU_ASSERT_EQUAL(f->len, files[k].size);
		CU_ASSERT_EQUAL(f->mtime, (int64_t)files[k].mtime);
		for (off = 0; off < f->len && off < files[k].size; off++)
			if (f->data[off] != content_byte(k, off))
				break;
		CU_ASSERT_EQUAL(off, files[k].size);
		if (off != files[k].size)
			fprintf(stderr, "client %zu: %s differs at %llu\n", ci, files[k].name,
			        (unsigned long long)off);
	}
}

static void free_stores(void)
{
	size_t i;

	for (i = 0; i < MAX_CLIENTS; i++)
		store_free(&stores[i]);
}

static void expect_all_received(const struct scenario *sc)
{
	size_t i;

	CU_ASSERT(out.finished);
	CU_ASSERT_EQUAL(out.outcome, UFTP_SERVER_DONE);
	CU_ASSERT_EQUAL(out.registered, sc->nclients);
	for (i = 0; i < sc->nclients; i++) {
		check_tree(i);
		CU_ASSERT_EQUAL(out.client_done[i], 1);
		CU_ASSERT_EQUAL(out.client_aborted[i], 0);
	}
}

/* ---- scenarios --------------------------------------------------------- */

static void test_clean_three_clients(void)
{
	struct scenario sc = {.seed = 1, .nclients = 3};

	standard_tree();
	run_scenario(&sc, 120 * SEC);
	expect_all_received(&sc);
	CU_ASSERT_EQUAL(out.lost, 0);
	free_stores();
}

static void test_loss_dup_reorder_one_client(void)
{
	struct scenario sc = {.seed = 2, .nclients = 3};

	sc.links[1].loss_pm = 100; /* 10% */
	sc.links[1].dup_pm = 20;
	sc.links[1].reorder_pm = 100;
	sc.links[1].reorder_ns = 3 * UFTP_NS_PER_MSEC;
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	free_stores();
}

static void test_heavy_loss_everywhere(void)
{
	struct scenario sc = {.seed = 3, .nclients = 4};
	size_t i;

	for (i = 0; i < 4; i++)
		sc.links[i].loss_pm = 200; /* 20% on every receiver */
	sc.rate_kbps = 50000;
	standard_tree();
	run_scenario(&sc, 600 * SEC);
	expect_all_received(&sc);
	free_stores();
}

static void test_same_seed_replays_byte_for_byte(void)
{
	struct scenario sc = {.seed = 9, .nclients = 2};
	uint64_t h1, t1;

	sc.links[0].loss_pm = 50;
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	h1 = out.trace_hash;
	t1 = out.end_ns;
	free_stores();
	run_scenario(&sc, 300 * SEC);
	CU_ASSERT_EQUAL(out.trace_hash, h1);
	CU_ASSERT_EQUAL(out.end_ns, t1);
	expect_all_received(&sc);
	free_stores();
}

static void test_eight_clients_mixed_links(void)
{
	struct scenario sc = {.seed = 11, .nclients = 8, .rate_kbps = 100000};
	size_t i;

	for (i = 0; i < 8; i++) {
		sc.links[i].delay_ns = (1 + i * 3) * UFTP_NS_PER_MSEC; /* 1..22 ms */
		sc.links[i].loss_pm = (unsigned)(i * 10);              /* 0..7% */
		sc.links[i].dup_pm = 10;
		sc.links[i].reorder_pm = 50;
		sc.links[i].reorder_ns = 4 * UFTP_NS_PER_MSEC;
	}
	standard_tree();
	run_scenario(&sc, 600 * SEC);
	expect_all_received(&sc);
	CU_ASSERT(out.by_func[UFTP_MSG_FILESEG] > 2420 + 193); /* retransmissions happened */
	free_stores();
}

static void test_closed_group_ignores_nonmember(void)
{
	struct scenario sc = {.seed = 4, .nclients = 3, .closed = 1, .nonmembers = 1};
	size_t i;

	standard_tree();
	run_scenario(&sc, 120 * SEC);
	CU_ASSERT(out.finished);
	CU_ASSERT_EQUAL(out.outcome, UFTP_SERVER_DONE);
	CU_ASSERT_EQUAL(out.registered, 2);
	for (i = 0; i < 2; i++)
		check_tree(i);
	CU_ASSERT_EQUAL(stores[2].n, 0); /* the outsider wrote nothing */
	free_stores();
}

static void test_client_vanishes_mid_transfer(void)
{
	struct scenario sc = {.seed = 5, .nclients = 3, .rate_kbps = 20000};

	sc.kill_at = 5 * SEC + 700 * UFTP_NS_PER_MSEC; /* during big.bin */
	standard_tree();
	run_scenario(&sc, 600 * SEC);
	CU_ASSERT(out.finished);
	CU_ASSERT_EQUAL(out.registered, 3);
	CU_ASSERT(out.lost >= 1);
	CU_ASSERT_EQUAL(out.outcome, UFTP_SERVER_DONE); /* the others received everything */
	check_tree(1);
	check_tree(2);
	free_stores();
}

static void test_disk_full_client_fails_others_complete(void)
{
	struct scenario sc = {.seed = 6, .nclients = 3, .disk_full = 1};

	standard_tree();
	run_scenario(&sc, 600 * SEC);
	CU_ASSERT(out.finished);
	CU_ASSERT_EQUAL(out.outcome, UFTP_SERVER_DONE);
	check_tree(1);
	check_tree(2);
	CU_ASSERT_EQUAL(out.client_done[0], 0);
	free_stores();
}

static void run_encrypted(int keytype, int hashtype, int sigtype, int keyex, unsigned loss)
{
	struct scenario sc = {.seed = 7, .nclients = 2};

	sc.keytype = keytype;
	sc.hashtype = hashtype;
	sc.sigtype = sigtype;
	sc.keyextype = keyex;
	sc.curve = keyex == UFTP_KEYEX_RSA ? 0 : UFTP_CURVE_SECP256R1;
	sc.links[1].loss_pm = loss;
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	/* No file data and no FILEINFO ever crossed the wire in the clear. */
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILESEG], 0);
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILEINFO], 0);
	CU_ASSERT(out.by_func[UFTP_MSG_ENCRYPTED] > 2400); /* big.bin alone is 2420 blocks */
	free_stores();
}

static void test_aes256_gcm_ecdh_ecdsa(void)
{
	run_encrypted(UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, UFTP_SIG_AUTHENC,
	              UFTP_KEYEX_ECDH_ECDSA, 30);
}

static void test_aes128_cbc_hmac_rsa(void)
{
	run_encrypted(UFTP_KEY_AES128_CBC, UFTP_HASH_SHA1, UFTP_SIG_HMAC, UFTP_KEYEX_RSA, 30);
}

static void test_3des_keyex_rsa(void)
{
	run_encrypted(UFTP_KEY_DES_EDE3, UFTP_HASH_SHA256, UFTP_SIG_KEYEX, UFTP_KEYEX_RSA, 0);
}

static void test_aes256_ccm_ecdh_rsa(void)
{
	run_encrypted(UFTP_KEY_AES256_CCM, UFTP_HASH_SHA512, UFTP_SIG_AUTHENC, UFTP_KEYEX_ECDH_RSA,
	              30);
}

static const struct cutest tests[] = {
    CUTEST(test_clean_three_clients),
    CUTEST(test_loss_dup_reorder_one_client),
    CUTEST(test_heavy_loss_everywhere),
    CUTEST(test_same_seed_replays_byte_for_byte),
    CUTEST(test_eight_clients_mixed_links),
    CUTEST(test_closed_group_ignores_nonmember),
    CUTEST(test_client_vanishes_mid_transfer),
    CUTEST(test_disk_full_client_fails_others_complete),
    CUTEST(test_aes256_gcm_ecdh_ecdsa),
    CUTEST(test_aes128_cbc_hmac_rsa),
    CUTEST(test_3des_keyex_rsa),
    CUTEST(test_aes256_ccm_ecdh_rsa),
};

int main(void)
{
	char err[256];

	if (uftp_ossl_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "openssl: %s\n", err);
		return EXIT_FAILURE;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	if (getenv("SIM_ONLY") != NULL) {
		/* SIM_ONLY=test_name runs one scenario (with SIM_LOG=3 to see it). */
		size_t i;

		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			if (strcmp(tests[i].name, getenv("SIM_ONLY")) == 0 &&
			    cutest_add_suite("sim_session", &tests[i], 1))
				return EXIT_FAILURE;
		return cutest_run();
	}
	if (cutest_add_suite("sim_session", tests, sizeof(tests) / sizeof(tests[0])))
		return EXIT_FAILURE;
	return cutest_run();
}
