/* SPDX-License-Identifier: BSD-2-Clause */
/* Whole-session harness over the simulator (see simsess.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/msg.h"
#include "core/proto.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "simsess.h"

#define SEG_SERVER     SIM_SEG(1)
#define SEG_CLIENTS    SIM_SEG(2)
#define PROXY_RX_BATCH 64 /* uftpproxyd's receive batch: it drains its writes after each */

/* ---- the sender's files ------------------------------------------------ */

struct uftp_server_file files[MAX_FILES];
size_t nfiles;

static struct testsrc server_src = {files, 0};
static const struct uftp_server_file_ops server_fops = TESTSRC_FOPS(&server_src);

void add_file(const char *name, uint8_t type, uint64_t size, uint32_t mtime, const char *link)
{
	files[nfiles].name = name;
	files[nfiles].ftype = type;
	files[nfiles].size = size;
	files[nfiles].mtime = mtime;
	files[nfiles].link = link;
	nfiles++;
}

void standard_tree(void)
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

/* ---- the receivers' disks ---------------------------------------------- */

struct testfs stores[MAX_CLIENTS];

/* ---- the cores of a run ------------------------------------------------ */

struct outcome out;

static struct uftp_client *clients[MAX_CLIENTS];
static struct uftp_server *server;
static struct uftp_proxy *proxy;
static struct uftp_env env;
static struct testenv tenv;
static struct uftp_peer server_addr, proxy_addr;
static int proxy_node = -1;
static uint8_t proxy_blob[UFTP_MAX_BLOB_LEN];
static size_t proxy_blob_len;

/* ---- node adapters ----------------------------------------------------- */

static int srv_on(void *c, const struct uftp_peer *from, const uint8_t *b, size_t l, uint64_t now)
{
	return uftp_server_on_datagram(c, from, b, l, now);
}
static int srv_write(void *c, struct uftp_peer *to, uint8_t *o, size_t cap, uint64_t now)
{
	return uftp_server_pop_send(c, to, o, cap, now);
}
static uint64_t srv_exp(void *c)
{
	return uftp_server_next_expiry(c);
}
static int srv_handle(void *c, uint64_t now)
{
	uftp_server_on_expiry(c, now);
	return 0;
}

static int same_ip(const struct uftp_peer *a, const struct uftp_peer *b)
{
	return a->ip.family == b->ip.family &&
	       memcmp(a->ip.addr, b->ip.addr, a->ip.family == 6 ? 16 : 4) == 0;
}

static int cli_on(void *c, const struct uftp_peer *from, const uint8_t *b, size_t l, uint64_t now)
{
	size_t i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] == c && same_ip(from, &server_addr))
			out.heard_server[i]++;
	return uftp_client_on_datagram(c, from, b, l, now);
}
static int cli_write(void *c, struct uftp_peer *to, uint8_t *o, size_t cap, uint64_t now)
{
	return uftp_client_pop_send(c, to, o, cap, now);
}
static uint64_t cli_exp(void *c)
{
	return uftp_client_next_expiry(c);
}
static int cli_handle(void *c, uint64_t now)
{
	uftp_client_on_expiry(c, now);
	return 0;
}

static int px_on(void *c, const struct uftp_peer *from, const uint8_t *b, size_t l, uint64_t now)
{
	return uftp_proxy_on_datagram(c, from, b, l, now);
}
static int px_write(void *c, struct uftp_peer *to, uint8_t *o, size_t cap, uint64_t now)
{
	int mcast;

	return uftp_proxy_pop_send(c, to, &mcast, o, cap, now);
}
static uint64_t px_exp(void *c)
{
	return uftp_proxy_next_expiry(c);
}
static int px_handle(void *c, uint64_t now)
{
	uftp_proxy_on_expiry(c, now);
	return 0;
}

static const struct sim_node_ops server_ops = {srv_on, srv_write, srv_exp, srv_handle};
static const struct sim_node_ops client_ops = {cli_on, cli_write, cli_exp, cli_handle};
static const struct sim_node_ops proxy_ops = {px_on, px_write, px_exp, px_handle};

/* ---- what the wire shows ----------------------------------------------- */

/* The proxy's REGISTER: which of our clients it names. */
static void note_proxy_register(const uint8_t *buf, size_t len)
{
	struct uftp_register r;
	size_t i;

	if (uftp_decode_register(&r, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN) < 0)
		return;
	if (r.ids.count > out.proxy_register_ids)
		out.proxy_register_ids = (unsigned)r.ids.count;
	for (i = 0; i < r.ids.count; i++) {
		uint32_t id = uftp_idlist_get(&r.ids, i);

		if (id >= SIM_CLIENT_ID(0) && id < SIM_CLIENT_ID(MAX_CLIENTS))
			out.proxy_listed |= 1u << (id - SIM_CLIENT_ID(0));
	}
}

/* The proxy's ANNOUNCE: whose public key its clients are given. */
static void note_proxy_announce(const uint8_t *buf, size_t len)
{
	struct uftp_announce a;
	struct uftp_ext_enc_info ei;
	struct uftp_ext e;

	if (uftp_decode_announce(&a, buf + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN) < 0 ||
	    uftp_ext_find(a.ext, a.ext_len, UFTP_EXT_ENC_INFO, &e) != 1 ||
	    uftp_decode_ext_enc_info(&ei, e.ptr, e.len) < 0)
		return;
	if (ei.pubkey_len == proxy_blob_len && memcmp(ei.pubkey, proxy_blob, proxy_blob_len) == 0)
		out.proxy_announce_ours++;
	else
		out.proxy_announce_other++;
}

static void tap(void *arg, int src, const struct uftp_peer *to, const uint8_t *buf, size_t len,
                uint64_t now)
{
	uint64_t h = out.trace_hash ^ (uint64_t)src ^ (now << 8) ^ to->port;
	size_t i;

	(void)arg;
	if (len >= 2) {
		out.by_func[buf[1]]++;
		if (src < MAX_NODES)
			out.sent_by_func[src][buf[1]]++;
	}
	if (src < MAX_NODES && same_ip(to, &server_addr))
		out.sent_to_server[src]++;
	if (src == proxy_node && len > UFTP_HEADER_LEN && buf[1] == UFTP_MSG_REGISTER)
		note_proxy_register(buf, len);
	if (src == proxy_node && len > UFTP_HEADER_LEN && buf[1] == UFTP_MSG_ANNOUNCE)
		note_proxy_announce(buf, len);
	for (i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001B3ULL;
	out.trace_hash = h;
}

static void drain_events(size_t nclients)
{
	struct uftp_server_event sev;
	struct uftp_client_event cev;
	struct uftp_proxy_event pev;
	size_t i;

	while (uftp_server_pop_event(server, &sev)) {
		if (sev.type == UFTP_SEV_REGISTERED)
			out.registered++;
		else if (sev.type == UFTP_SEV_CLIENT_LOST)
			out.lost++;
		else if (sev.type == UFTP_SEV_FINISHED)
			out.finished = 1;
	}
	for (i = 0; i < nclients; i++)
		while (uftp_client_pop_event(clients[i], &cev)) {
			if (cev.type == UFTP_CEV_DONE)
				out.client_done[i]++;
			else if (cev.type == UFTP_CEV_ABORTED)
				out.client_aborted[i]++;
			else if (cev.type == UFTP_CEV_FILE && cev.status == UFTP_COMP_NORMAL)
				out.file_client_ok[i]++;
		}
	while (proxy != NULL && uftp_proxy_pop_event(proxy, &pev)) {
		if (pev.type == UFTP_PEV_SESSION_START)
			out.proxy_sessions++;
		else if (pev.type == UFTP_PEV_SESSION_END)
			out.proxy_sessions_ended++;
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

/* Every client has ended its sessions, one way or the other. */
static int clients_settled(void *arg)
{
	size_t i;

	(void)arg;
	drain_events(cur_nclients);
	for (i = 0; i < cur_nclients; i++)
		if (uftp_client_session_count(clients[i]) > 0)
			return 0;
	return 1;
}

/* ---- building a scenario ----------------------------------------------- */

/* A key of the kind the key exchange needs: EC for ECDH_ECDSA, else RSA. */
static struct uftp_pkey *make_key(int keyextype)
{
	struct uftp_pkey *k = NULL;

	CU_ASSERT_EQUAL_FATAL(testenv_key(uftp_ossl_ops(), keyextype == UFTP_KEYEX_ECDH_ECDSA, &k),
	                      0);
	return k;
}

static void make_server_cfg(struct uftp_server_config *cfg, const struct scenario *sc,
                            struct uftp_peer_key *hosts, struct uftp_pkey *key)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->server_id = SIM_SERVER_ID;
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
	cfg->cc_type = sc->cc_type;
	cfg->cc_min_kbps = sc->cc_min_kbps;
	cfg->cc_init_kbps = sc->cc_init_kbps;
	cfg->cc_max_kbps = sc->cc_max_kbps;
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
	server_src.nfiles = nfiles;
	cfg->fops = &server_fops;
	if (sc->closed) {
		for (i = 0; i + sc->nonmembers < sc->nclients; i++)
			hosts[i].id = SIM_CLIENT_ID(i);
		cfg->hosts = hosts;
		cfg->nhosts = sc->nclients - sc->nonmembers;
	}
}

static struct uftp_client_fops client_fops[MAX_CLIENTS];
static struct uftp_pkey *client_keys[MAX_CLIENTS];

static void add_client(struct simnet *net, size_t i, const struct scenario *sc)
{
	struct uftp_client_config cc;
	struct uftp_peer a = sim_ip4(198, 18, 0, (uint8_t)(11 + i), 1044);
	struct sim_node *n;

	memset(&cc, 0, sizeof(cc));
	cc.uid = SIM_CLIENT_ID(i);
	cc.roots[0] = "/dest";
	cc.nroots = 1;
	stores[i].nroots = cc.nroots;
	stores[i].fail_writes = sc->disk_full && i == 0;
	client_fops[i] = (struct uftp_client_fops)TESTFS_FOPS(&stores[i]);
	cc.fops = &client_fops[i];
	if (sc->sigtype == UFTP_SIG_KEYEX) {
		/* Signed messages both ways: each receiver needs a key of its own (-k). */
		CU_ASSERT_EQUAL_FATAL(testenv_key(uftp_ossl_ops(), 0, &client_keys[i]), 0);
		cc.keys[0] = client_keys[i];
		cc.nkeys = 1;
	}
	if (sc->proxy == UFTP_PROXY_RESPONSE)
		cc.resp_proxy = proxy_addr; /* uftpd -R */
	CU_ASSERT_EQUAL_FATAL(uftp_client_new(&clients[i], &env, &cc, net->now), 0);
	CU_ASSERT_EQUAL(sim_add(net, "client", &a, &client_ops, clients[i]), (int)i + 1);
	n = &net->nodes[i + 1];
	n->in = sc->links[i];
	if (n->in.delay_ns == 0)
		n->in.delay_ns = 2 * UFTP_NS_PER_MSEC;
	if (sc->proxy)
		n->segs = SEG_CLIENTS;
}

/* The proxy, configured as uftpproxyd's driver does for -c / -r (one -k key). */
static struct uftp_proxy_config pcfg;
static struct uftp_pkey *proxy_key, *proxy_dhkey;

static void add_proxy(struct simnet *net, const struct scenario *sc)
{
	struct sim_node *n;
	int rv;

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.mode = sc->proxy;
	pcfg.uid = SIM_PROXY_ID;
	pcfg.client_port = 1044; /* -q: no -p either, so the port it listens on */
	/* the kind an encrypted session needs; EC (cheap to make) otherwise */
	proxy_key = make_key(sc->keytype == UFTP_KEY_NONE ? UFTP_KEYEX_ECDH_ECDSA : sc->keyextype);
	pcfg.key = pcfg.keys[0] = proxy_key;
	pcfg.nkeys = 1;
	rv = uftp_ossl_ops()->blob_export(proxy_key, proxy_blob, sizeof(proxy_blob));
	CU_ASSERT_FATAL(rv > 0);
	proxy_blob_len = (size_t)rv;
	if (sc->proxy == UFTP_PROXY_RESPONSE) {
		/* -r:prime256v1: its long-lived ECDH key; -M: the public group */
		CU_ASSERT_EQUAL_FATAL(testenv_key(uftp_ossl_ops(), 1, &proxy_dhkey), 0);
		pcfg.dhkey = proxy_dhkey;
		pcfg.pubs[0] = sim_ip4(230, 4, 4, 1, 0).ip;
		pcfg.npubs = 1;
	}
	rv = uftp_proxy_new(&proxy, &env, &pcfg, net->now);
	CU_ASSERT_EQUAL_FATAL(rv, 0);
	proxy_node = sim_add(net, "proxy", &proxy_addr, &proxy_ops, proxy);
	CU_ASSERT_FATAL(proxy_node > 0);
	n = &net->nodes[proxy_node];
	n->in = sc->proxy_link;
	if (n->in.delay_ns == 0)
		n->in.delay_ns = 2 * UFTP_NS_PER_MSEC;
	n->rx_batch = PROXY_RX_BATCH;
	if (sc->proxy == UFTP_PROXY_CLIENT) {
		n->segs = SEG_SERVER | SEG_CLIENTS;
		n->mcast_out = SEG_CLIENTS; /* -O: re-multicast toward its clients only */
	} else {
		n->segs = SEG_CLIENTS;
	}
}

/* The server's peers as uftp_server_peer_stats lists them. */
static void note_server_peers(void)
{
	struct uftp_peer_stats ps;
	size_t j;

	for (j = 0; uftp_server_peer_stats(server, 0, j, &ps) == 1; j++) {
		if (ps.is_proxy && ps.id == SIM_PROXY_ID)
			out.srv_proxies++;
		else if (!ps.is_proxy && ps.via == SIM_PROXY_ID)
			out.srv_via_proxy++;
		else if (!ps.is_proxy && ps.via == 0)
			out.srv_peers_direct++;
	}
}

static void free_cores(struct uftp_pkey *key, size_t nclients)
{
	const struct uftp_crypto_ops *ops = uftp_ossl_ops();
	size_t i;

	for (i = 0; i < nclients; i++) {
		uftp_client_free(clients[i]);
		clients[i] = NULL;
		if (client_keys[i] != NULL)
			ops->pkey_free(client_keys[i]);
		client_keys[i] = NULL;
	}
	uftp_server_free(server);
	server = NULL;
	uftp_proxy_free(proxy);
	proxy = NULL;
	proxy_node = -1;
	if (key != NULL)
		ops->pkey_free(key);
	if (proxy_key != NULL)
		ops->pkey_free(proxy_key);
	if (proxy_dhkey != NULL)
		ops->pkey_free(proxy_dhkey);
	proxy_key = proxy_dhkey = NULL;
}

static void setup_env(struct simnet *net)
{
	testenv_init(&tenv, &env, 0, &net->now, -1, "SIM_LOG");
	env.crypto = uftp_ossl_ops();
	env.random_arg = &net->rng; /* one stream with the links: a seed replays the whole run */
}

/* SIM_TRACE=1: the run's fingerprint and what each node sent, received and lost. */
static void print_trace(const struct simnet *net)
{
	size_t i;

	printf("trace %016llx, %.3f s simulated\n", (unsigned long long)out.trace_hash,
	       (double)out.end_ns / 1e9);
	for (i = 0; i < net->nnodes; i++)
		printf("  %-6s sent %7llu received %7llu dropped %5llu duplicated %4llu\n",
		       net->nodes[i].name, (unsigned long long)net->nodes[i].sent,
		       (unsigned long long)net->nodes[i].received,
		       (unsigned long long)net->nodes[i].dropped,
		       (unsigned long long)net->nodes[i].dup);
}

void run_scenario(const struct scenario *sc, uint64_t limit_ns)
{
	static struct simnet net;
	struct uftp_peer_key hosts[MAX_CLIENTS];
	struct uftp_server_config cfg;
	struct uftp_pkey *key = sc->keytype == UFTP_KEY_NONE ? NULL : make_key(sc->keyextype);
	size_t i;
	int rv;

	CU_ASSERT_FATAL(sc->nclients <= MAX_CLIENTS);
	memset(&out, 0, sizeof(out));
	sim_init(&net, sc->seed, 5 * SEC);
	setup_env(&net);
	server_addr = sim_ip4(198, 18, 0, 10, 40000);
	proxy_addr = sim_ip4(198, 18, 1, 1, 1044);
	make_server_cfg(&cfg, sc, hosts, key);
	rv = uftp_server_new(&server, &env, &cfg, net.now);
	CU_ASSERT_EQUAL_FATAL(rv, 0);
	CU_ASSERT_EQUAL(sim_add(&net, "server", &server_addr, &server_ops, server), 0);
	net.nodes[0].in.delay_ns = 2 * UFTP_NS_PER_MSEC;
	if (sc->server_link_set)
		net.nodes[0].in = sc->server_link;
	if (sc->proxy == UFTP_PROXY_RESPONSE)
		net.nodes[0].mcast_out = SEG_SERVER | SEG_CLIENTS;
	for (i = 0; i < sc->nclients; i++)
		add_client(&net, i, sc);
	if (sc->proxy)
		add_proxy(&net, sc);
	net.tap = tap;
	cur_nclients = sc->nclients;
	cur_net = &net;
	cur_sc = sc;
	sim_run(&net, session_over, NULL, net.now + limit_ns);
	/*
	 * Let the last DONE_CONFs land and the clients settle; one that missed
	 * its DONE_CONF ends after ROBUST x GRTT of COMPLETEs (the server has
	 * gone): wait for that too, within reason.
	 */
	sim_run(&net, NULL, NULL, net.now + 5 * SEC);
	sim_run(&net, clients_settled, NULL, net.now + 60 * SEC);
	drain_events(sc->nclients);
	out.outcome = uftp_server_finished(server) ? uftp_server_outcome(server) : -1;
	out.end_ns = net.now - 5 * SEC;
	note_server_peers();
	free_cores(key, sc->nclients);
	if (getenv("SIM_TRACE") != NULL)
		print_trace(&net);
	sim_free(&net);
}

/* ---- checks ------------------------------------------------------------ */

void check_tree(size_t ci)
{
	size_t k;
	uint64_t off;

	for (k = 0; k < nfiles; k++) {
		const struct testfs_file *f = testfs_find(&stores[ci], 0, files[k].name);

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
		CU_ASSERT_EQUAL(f->size, files[k].size);
		CU_ASSERT_EQUAL(f->mtime, (int64_t)files[k].mtime);
		off =
		    testsrc_match(k, 0, f->data, f->size < files[k].size ? f->size : files[k].size);
		CU_ASSERT_EQUAL(off, files[k].size);
		if (off != files[k].size)
			fprintf(stderr, "client %zu: %s differs at %llu\n", ci, files[k].name,
			        (unsigned long long)off);
	}
}

void free_stores(void)
{
	size_t i;

	for (i = 0; i < MAX_CLIENTS; i++)
		testfs_reset(&stores[i]);
}

void expect_all_received(const struct scenario *sc)
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

int sim_main(const char *suite, const struct cutest *tests, size_t n)
{
	char err[256];
	size_t i;

	if (uftp_ossl_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "openssl: %s\n", err);
		return EXIT_FAILURE;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return EXIT_FAILURE;
	if (getenv("SIM_ONLY") == NULL)
		return cutest_add_suite(suite, tests, n) ? EXIT_FAILURE : cutest_run();
	for (i = 0; i < n; i++)
		if (strcmp(tests[i].name, getenv("SIM_ONLY")) == 0 &&
		    cutest_add_suite(suite, &tests[i], 1))
			return EXIT_FAILURE;
	return cutest_run();
}
