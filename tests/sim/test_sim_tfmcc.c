/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whole sessions under -C tfmcc in the simulator: the sender core's TFMCC
 * (server_cc.c) driven by our receivers' feedback (client_cc.c) on a fake
 * clock.  Every receiver must hold every file byte for byte; the times are
 * simulated, so the comparisons between runs are exact, not timing
 * assertions.
 */
#include <stdint.h>

#include "../unit/cutest.h"
#include "core/proto.h"
#include "simsess.h"

#define BIG (4u << 20) /* 4 MiB: 32 s at the starting 1000 Kbps */

static void tfmcc_tree(void)
{
	standard_tree();
	add_file("tfmcc.bin", UFTP_FTYPE_REG, BIG, 1577836800, NULL);
}

/* One TFMCC session of nclients, client 0 behind a link losing loss_pm per mille. */
static void run_tfmcc(struct scenario *sc, unsigned loss_pm)
{
	sc->cc_type = UFTP_CC_TFMCC;
	sc->links[0].loss_pm = loss_pm;
	tfmcc_tree();
	run_scenario(sc, 300 * SEC);
	expect_all_received(sc);
	if (sc->keytype == UFTP_KEY_NONE) { /* else both travel inside ENCRYPTED */
		CU_ASSERT(out.by_func[UFTP_MSG_CONG_CTRL] > 0);
		CU_ASSERT(out.by_func[UFTP_MSG_CC_ACK] > 0);
	}
	free_stores();
}

/* Clean links: slow start takes the rate far above its start within seconds. */
static void test_clean_ramps_up(void)
{
	struct scenario sc = {.seed = 11, .nclients = 3};

	run_tfmcc(&sc, 0);
	CU_ASSERT(out.end_ns < 8 * SEC);
	CU_ASSERT_EQUAL(out.lost, 0);
}

/* Encrypted (aes256-gcm): CONG_CTRL and CC_ACK travel inside ENCRYPTED, and still drive it. */
static void test_encrypted(void)
{
	struct scenario sc = {.seed = 15,
	                      .nclients = 2,
	                      .keytype = UFTP_KEY_AES256_GCM,
	                      .hashtype = UFTP_HASH_SHA256,
	                      .sigtype = UFTP_SIG_AUTHENC,
	                      .keyextype = UFTP_KEYEX_ECDH_ECDSA,
	                      .curve = UFTP_CURVE_SECP256R1};

	run_tfmcc(&sc, 0);
	CU_ASSERT(out.end_ns < 8 * SEC); /* 60 s at the starting rate */
}

/*
 * 2% loss at client 0: it reports the lowest rates, so it is the CLR and
 * answers every CONG_CTRL (the others at most once a round), and the
 * session is slower than on clean links.
 */
static void test_loss_limits(void)
{
	struct scenario clean = {.seed = 12, .nclients = 3}, lossy = {.seed = 12, .nclients = 3};
	uint64_t t_clean, acks[3];
	size_t i;

	run_tfmcc(&clean, 0);
	t_clean = out.end_ns;
	run_tfmcc(&lossy, 20);
	for (i = 0; i < 3; i++)
		acks[i] = out.sent_by_func[i + 1][UFTP_MSG_CC_ACK];
	CU_ASSERT(acks[0] > 2 * acks[1] && acks[0] > 2 * acks[2]);
	CU_ASSERT(out.end_ns > t_clean);
}

/* max= caps the rate: the big file cannot go faster than max allows. */
static void test_max_caps(void)
{
	struct scenario sc = {.seed = 13, .nclients = 2};

	sc.cc_max_kbps = 4000; /* 500 KB/s: 4 MiB in 8.4 s at best */
	run_tfmcc(&sc, 0);
	CU_ASSERT(out.end_ns > BIG / 500000 * SEC);
}

/* init= sets the start: a high start finishes sooner than a low one. */
static void test_init_start(void)
{
	struct scenario lo = {.seed = 14, .nclients = 1}, hi = {.seed = 14, .nclients = 1};
	uint64_t t_lo;

	lo.cc_init_kbps = 100;
	lo.cc_max_kbps = 400; /* stays at 50 KB/s at most */
	run_tfmcc(&lo, 0);
	t_lo = out.end_ns;
	hi.cc_init_kbps = 40000;
	run_tfmcc(&hi, 0);
	CU_ASSERT(out.end_ns * 4 < t_lo);
}

static const struct cutest tests[] = {
    CUTEST(test_clean_ramps_up), CUTEST(test_loss_limits), CUTEST(test_max_caps),
    CUTEST(test_init_start),     CUTEST(test_encrypted),
};

int main(void)
{
	return sim_main("sim_tfmcc", tests, sizeof(tests) / sizeof(tests[0]));
}
