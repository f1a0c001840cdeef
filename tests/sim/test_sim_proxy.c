/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whole sessions through a proxy core (core/proxy.h, uftpproxyd) in the
 * simulator: the server on one segment, the clients on another, and a
 * client proxy between them (or a response proxy beside the clients),
 * with loss on the clients' links and on the proxy's.  Each scenario checks
 * that every client holds every file byte for byte, that the traffic took
 * the path the topology allows, and that the server saw the proxy's
 * aggregated replies: the proxy registered, with the clients through it.
 */
#include <stdint.h>

#include "../unit/cutest.h"
#include "core/proto.h"
#include "simsess.h"

#define PROXY_NODE(sc) ((sc)->nclients + 1)

static const uint8_t replies[] = {UFTP_MSG_REGISTER, UFTP_MSG_FILEINFO_ACK, UFTP_MSG_STATUS,
                                  UFTP_MSG_COMPLETE};

static uint64_t clients_sent(const struct scenario *sc, uint8_t func)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < sc->nclients; i++)
		n += out.sent_by_func[i + 1][func];
	return n;
}

/* The server heard the proxy only, and knows the clients as being behind it. */
static void expect_server_saw_proxy(const struct scenario *sc)
{
	size_t i;

	CU_ASSERT(out.sent_to_server[PROXY_NODE(sc)] > 0);
	for (i = 0; i < sc->nclients; i++)
		CU_ASSERT_EQUAL(out.sent_to_server[i + 1], 0);
	CU_ASSERT_EQUAL(out.srv_proxies, 1);
	CU_ASSERT_EQUAL(out.srv_via_proxy, sc->nclients);
	CU_ASSERT_EQUAL(out.srv_peers_direct, 0);
	CU_ASSERT_EQUAL(out.proxy_sessions, 1);
}

/* Client proxy: the clients never heard the server, only the proxy's copies. */
static void expect_clients_behind_proxy(const struct scenario *sc)
{
	size_t i;

	for (i = 0; i < sc->nclients; i++)
		CU_ASSERT_EQUAL(out.heard_server[i], 0);
	CU_ASSERT(out.sent_by_func[PROXY_NODE(sc)][UFTP_MSG_ANNOUNCE] > 0);
}

/* Unencrypted: every kind of held reply left the proxy fewer times than the clients sent it. */
static void expect_aggregated(const struct scenario *sc)
{
	size_t k;

	CU_ASSERT_EQUAL(out.proxy_listed, (1u << sc->nclients) - 1);
	CU_ASSERT(out.proxy_register_ids >= 2); /* at least two clients in one REGISTER */
	for (k = 0; k < sizeof(replies); k++) {
		uint64_t up = out.sent_by_func[PROXY_NODE(sc)][replies[k]];
		uint64_t down = clients_sent(sc, replies[k]);

		CU_ASSERT(up > 0);
		CU_ASSERT(up < down);
		if (up == 0 || up >= down)
			fprintf(stderr, "func %u: proxy sent %llu, clients %llu\n", replies[k],
			        (unsigned long long)up, (unsigned long long)down);
	}
}

static void lossy_client_proxy(struct scenario *sc, uint64_t seed)
{
	memset(sc, 0, sizeof(*sc));
	sc->seed = seed;
	sc->nclients = 3;
	sc->proxy = UFTP_PROXY_CLIENT;
	sc->links[0].loss_pm = 50; /* 5%, 8%, 10% */
	sc->links[1].loss_pm = 80;
	sc->links[2].loss_pm = 100;
	sc->links[2].reorder_pm = 50;
	sc->links[2].reorder_ns = 3 * UFTP_NS_PER_MSEC;
	sc->proxy_link.loss_pm = 50; /* server -> proxy and clients -> proxy */
	sc->proxy_link.dup_pm = 10;
}

/* ---- (a) server -> client proxy -> 3 clients, with loss ------------------ */

static void test_client_proxy_lossy(void)
{
	struct scenario sc;

	lossy_client_proxy(&sc, 21);
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	expect_server_saw_proxy(&sc);
	expect_clients_behind_proxy(&sc);
	expect_aggregated(&sc);
	free_stores();
}

/* ---- (b) the same, encrypted: the proxy makes its own key exchange ------ */

static void run_client_proxy_encrypted(int keytype, int hashtype, int sigtype, int keyex)
{
	struct scenario sc;

	lossy_client_proxy(&sc, 22);
	sc.keytype = keytype;
	sc.hashtype = hashtype;
	sc.sigtype = sigtype;
	sc.keyextype = keyex;
	sc.curve = keyex == UFTP_KEYEX_RSA ? 0 : UFTP_CURVE_SECP256R1;
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	expect_server_saw_proxy(&sc);
	expect_clients_behind_proxy(&sc);
	/* The clients were given the proxy's key, never the server's. */
	CU_ASSERT(out.proxy_announce_ours > 0);
	CU_ASSERT_EQUAL(out.proxy_announce_other, 0);
	/* The server keyed the proxy; the proxy keyed its clients. */
	CU_ASSERT(out.sent_by_func[0][UFTP_MSG_KEYINFO] > 0);
	CU_ASSERT(out.sent_by_func[PROXY_NODE(&sc)][UFTP_MSG_KEYINFO] > 0);
	/* No file data and no FILEINFO ever crossed the wire in the clear. */
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILESEG], 0);
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILEINFO], 0);
	CU_ASSERT(out.sent_by_func[0][UFTP_MSG_ENCRYPTED] > 2400); /* big.bin is 2420 blocks */
	free_stores();
}

static void test_client_proxy_aes256_gcm_ecdh_ecdsa(void)
{
	run_client_proxy_encrypted(UFTP_KEY_AES256_GCM, UFTP_HASH_SHA256, UFTP_SIG_AUTHENC,
	                           UFTP_KEYEX_ECDH_ECDSA);
}

static void test_client_proxy_aes128_cbc_hmac_rsa(void)
{
	run_client_proxy_encrypted(UFTP_KEY_AES128_CBC, UFTP_HASH_SHA1, UFTP_SIG_HMAC,
	                           UFTP_KEYEX_RSA);
}

/* ---- (c) response proxy: the server reaches the clients, replies go via the proxy ---- */

static void lossy_response_proxy(struct scenario *sc, uint64_t seed)
{
	lossy_client_proxy(sc, seed);
	sc->proxy = UFTP_PROXY_RESPONSE;
}

static void expect_response_path(const struct scenario *sc)
{
	size_t i;

	expect_server_saw_proxy(sc);
	for (i = 0; i < sc->nclients; i++)
		CU_ASSERT(out.heard_server[i] > 0); /* the data came straight from the server */
	/* nothing of the server's was copied down; the proxy gave its key out */
	CU_ASSERT_EQUAL(out.sent_by_func[PROXY_NODE(sc)][UFTP_MSG_FILESEG], 0);
	CU_ASSERT_EQUAL(out.sent_by_func[PROXY_NODE(sc)][UFTP_MSG_ANNOUNCE], 0);
	CU_ASSERT(clients_sent(sc, UFTP_MSG_KEY_REQ) > 0);
	CU_ASSERT(out.sent_by_func[PROXY_NODE(sc)][UFTP_MSG_PROXY_KEY] > 0);
}

static void test_response_proxy_lossy(void)
{
	struct scenario sc;

	lossy_response_proxy(&sc, 23);
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	expect_response_path(&sc);
	expect_aggregated(&sc);
	free_stores();
}

static void test_response_proxy_aes256_gcm_ecdh_ecdsa(void)
{
	struct scenario sc;

	lossy_response_proxy(&sc, 24);
	sc.keytype = UFTP_KEY_AES256_GCM;
	sc.hashtype = UFTP_HASH_SHA256;
	sc.sigtype = UFTP_SIG_AUTHENC;
	sc.keyextype = UFTP_KEYEX_ECDH_ECDSA;
	sc.curve = UFTP_CURVE_SECP256R1;
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	expect_all_received(&sc);
	expect_response_path(&sc);
	/* the clients' key exchange ended at the proxy, which gave them the group key */
	CU_ASSERT(out.sent_by_func[PROXY_NODE(&sc)][UFTP_MSG_KEYINFO] > 0);
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILESEG], 0);
	CU_ASSERT_EQUAL(out.by_func[UFTP_MSG_FILEINFO], 0);
	free_stores();
}

/* ---- (d) one seed, one session, with a proxy too --------------------------- */

static void test_client_proxy_same_seed_replays_byte_for_byte(void)
{
	struct scenario sc;
	uint64_t h1, t1;

	lossy_client_proxy(&sc, 25);
	standard_tree();
	run_scenario(&sc, 300 * SEC);
	h1 = out.trace_hash;
	t1 = out.end_ns;
	expect_all_received(&sc);
	free_stores();
	run_scenario(&sc, 300 * SEC);
	CU_ASSERT_EQUAL(out.trace_hash, h1);
	CU_ASSERT_EQUAL(out.end_ns, t1);
	expect_all_received(&sc);
	free_stores();
	sc.seed = 26; /* and another seed is another session */
	run_scenario(&sc, 300 * SEC);
	CU_ASSERT_NOT_EQUAL(out.trace_hash, h1);
	expect_all_received(&sc);
	free_stores();
}

static const struct cutest tests[] = {
    CUTEST(test_client_proxy_lossy),
    CUTEST(test_client_proxy_aes256_gcm_ecdh_ecdsa),
    CUTEST(test_client_proxy_aes128_cbc_hmac_rsa),
    CUTEST(test_response_proxy_lossy),
    CUTEST(test_response_proxy_aes256_gcm_ecdh_ecdsa),
    CUTEST(test_client_proxy_same_seed_replays_byte_for_byte),
};

int main(void)
{
	return sim_main("sim_proxy", tests, sizeof(tests) / sizeof(tests[0]));
}
