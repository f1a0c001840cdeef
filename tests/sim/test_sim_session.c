/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whole sessions in the simulator: one server core and N client cores over
 * the in-process network, a fake clock, in-memory files, and scripted
 * loss, duplication and reordering.  Each scenario checks that every
 * receiver holds every file byte for byte, with its type, mtime and link
 * target, and that the server's events and exit code say what happened.
 */
#include <stdint.h>

#include "../unit/cutest.h"
#include "core/proto.h"
#include "simsess.h"

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
	CU_ASSERT_EQUAL(testfs_count(&stores[2]), 0); /* the outsider wrote nothing */
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
	return sim_main("sim_session", tests, sizeof(tests) / sizeof(tests[0]));
}
