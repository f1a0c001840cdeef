/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzzes the receiver's session core (src/core/client.h) with a script of
 * datagrams (fuzz.h) from a server peer and a stranger, on a fake clock, as
 * a uftpd with two destination roots, an RSA and an EC key (so encrypted
 * announcements reach the key exchange) and the in-memory disk of
 * tests/common/testenv.h, which checks what the core asks of it: handles it
 * was given, names path.h promises.  After the script the clock runs on
 * until every session has timed out, and the daemon shuts down.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/err.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/fuzz/fuzz.h"

static const struct uftp_crypto_ops *ops;
static struct uftp_pkey *rsa, *ec;
static uint8_t out[65536];
static struct testfs fs;

static int m_stat(void *arg, size_t root, const char *rel, uint64_t *size, int64_t *mtime)
{
	testfs_check_name(arg, root, rel);
	*size = strlen(rel);
	*mtime = 1577836800;
	return rel[0] & 1; /* some names "exist" for sync mode */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	ops = fuzz_crypto(&rsa, &ec);
	return 0;
}

/*
 * Drains what one core call produced and checks the invariants a driver
 * relies on: no event lost when drained after every call, and the group
 * set no larger than the session table.
 */
static void drain(struct uftp_client *c, uint64_t now)
{
	struct uftp_ipaddr groups[UFTP_CLIENT_MAX_SESSIONS];
	struct uftp_client_event ev;
	struct uftp_core_stats st;
	struct uftp_peer to;
	int i;

	for (i = 0; i < 10000 && uftp_client_pop_send(c, &to, out, sizeof(out), now) > 0; i++)
		;
	for (i = 0; i < 10000 && uftp_client_pop_event(c, &ev) > 0; i++)
		;
	uftp_client_get_stats(c, &st);
	if (st.events_lost ||
	    uftp_client_groups(c, groups, UFTP_CLIENT_MAX_SESSIONS) > uftp_client_session_count(c))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uftp_peer server = {{4, {198, 18, 0, 10}}, 1044};
	static const struct uftp_peer stranger = {{4, {198, 18, 0, 99}}, 1044};
	struct uftp_client_config cfg;
	struct uftp_client_fops fops = TESTFS_FOPS(&fs);
	struct testenv te;
	struct uftp_env env;
	struct uftp_client *c;
	struct fuzz_rec r;
	uint64_t now = 1000ULL * UFTP_NS_PER_SEC, exp, target;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	testenv_init(&te, &env, 42, &now, -1, "FUZZ_LOG");
	env.crypto = ops;
	testfs_reset(&fs);
	fs.nroots = 2;
	fs.forget = 1; /* only the open files are kept, to check the handles */
	fops.remove = testfs_remove;
	fops.freespace = testfs_freespace;
	fops.stat = m_stat;
	cfg.uid = 0xC612000B; /* client 1 of tests/vectors */
	cfg.roots[0] = "/dst";
	cfg.roots[1] = "/other";
	cfg.nroots = 2;
	cfg.max_sessions = 4;
	cfg.keys[0] = rsa;
	cfg.keys[1] = ec;
	cfg.nkeys = 2;
	cfg.fops = &fops;
	if (uftp_client_new(&c, &env, &cfg, 0) != 0)
		abort();
	while (fuzz_next(&data, &size, &r)) {
		/* the clock moves on, every timer due on the way firing in order */
		target = now + r.advance_ns;
		for (i = 0; i < 1000 && (exp = uftp_client_next_expiry(c)) <= target; i++) {
			if (exp > now)
				now = exp;
			uftp_client_on_expiry(c, now);
			drain(c, now);
		}
		now = target;
		uftp_client_on_datagram(c, r.stranger ? &stranger : &server, r.buf, r.len, now);
		drain(c, now);
	}
	/* let every timer fire until the sessions are gone */
	for (i = 0; i < 200 && (exp = uftp_client_next_expiry(c)) != UFTP_NEVER; i++) {
		if (exp > now)
			now = exp;
		uftp_client_on_expiry(c, now);
		drain(c, now);
	}
	uftp_client_shutdown(c, now);
	drain(c, now);
	uftp_client_free(c);
	if (testfs_count(&fs) != 0)
		abort(); /* a file handle the core never closed */
	return 0;
}
