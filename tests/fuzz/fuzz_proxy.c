/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzzes the proxy's session core (src/core/proxy.h) in each of its three
 * modes.  Input: one byte choosing the mode (value % 3: server, client or
 * response proxy), then a script of datagrams (fuzz.h).  A datagram comes
 * from the upstream server, from a downstream client or, with the stranger
 * bit, from a third address; which of the first two is decided by its
 * function code, so captured sessions replay as a proxy would see them:
 * what a server sends (ANNOUNCE, REG_CONF, KEYINFO, FILEINFO, FILESEG, DONE,
 * DONE_CONF, CONG_CTRL, ENCRYPTED) comes from the server, everything else
 * from the client side.  The proxy holds an RSA and an EC key, so encrypted
 * sessions reach its key exchanges.  After the script the clock runs on
 * until every session has timed out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/proxy.h"
#include "crypto/ossl.h"
#include "tests/common/testenv.h"
#include "tests/fuzz/fuzz.h"

static const struct uftp_crypto_ops *ops;
static struct uftp_pkey *rsa, *ec;
static uint8_t out[UFTP_PROXY_DGRAM_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	ops = fuzz_crypto(&rsa, &ec);
	return 0;
}

static int from_server(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return 0;
	switch (buf[1]) {
	case 1:  /* ANNOUNCE */
	case 4:  /* REG_CONF */
	case 5:  /* KEYINFO */
	case 7:  /* FILEINFO */
	case 9:  /* FILESEG */
	case 10: /* DONE */
	case 13: /* DONE_CONF */
	case 18: /* ENCRYPTED */
	case 20: /* CONG_CTRL */ return 1;
	default: return 0;
	}
}

static void drain(struct uftp_proxy *p, uint64_t now)
{
	struct uftp_proxy_group g[UFTP_PROXY_MAX_GROUPS];
	struct uftp_proxy_event ev;
	struct uftp_peer to;
	size_t k, n;
	int i, mcast;

	for (i = 0; i < 10000 && uftp_proxy_pop_send(p, &to, &mcast, out, sizeof(out), now) > 0;
	     i++)
		;
	for (i = 0; i < 10000 && uftp_proxy_pop_event(p, &ev) > 0; i++)
		;
	/* the groups a driver would join: each a multicast address, each once */
	n = uftp_proxy_groups(p, g, UFTP_PROXY_MAX_GROUPS);
	if (n > UFTP_PROXY_MAX_GROUPS)
		abort();
	for (k = 0; k < n; k++) {
		if (g[k].addr.family != 4 && g[k].addr.family != 6)
			abort();
		for (i = 0; (size_t)i < k; i++)
			if (g[i].addr.family == g[k].addr.family &&
			    memcmp(g[i].addr.addr, g[k].addr.addr,
			           g[k].addr.family == 6 ? 16 : 4) == 0)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uftp_peer server = {{4, {198, 18, 0, 10}}, 1044};
	static const struct uftp_peer client = {{4, {198, 18, 0, 11}}, 1044};
	static const struct uftp_peer stranger = {{4, {198, 18, 0, 99}}, 1044};
	static const struct uftp_peer down = {{4, {198, 18, 1, 20}}, 1044};
	static const struct uftp_peer_key clients[] = {{.id = 0xC612000B}, {.id = 0xC612000C}};
	struct uftp_proxy_config cfg;
	struct testenv te;
	struct uftp_env env;
	struct uftp_proxy *p;
	struct fuzz_rec r;
	uint64_t now = 1000ULL * UFTP_NS_PER_SEC, exp, target;
	int i;

	if (size < 1)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	testenv_init(&te, &env, 3, &now, -1, "FUZZ_LOG");
	env.crypto = ops;
	cfg.mode = 1 + data[0] % 3;
	cfg.uid = 0xC6120014;
	cfg.client_port = 1044;
	cfg.dest = down;
	cfg.dest_by_fp = (data[0] & 0x80) != 0 && cfg.mode == UFTP_PROXY_SERVER;
	cfg.key = rsa;
	cfg.keys[0] = rsa;
	cfg.keys[1] = ec;
	cfg.nkeys = 2;
	cfg.dhkey = ec;
	cfg.pubs[0] = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	cfg.npubs = 1;
	cfg.hb[0] = down;
	cfg.nhb = (data[0] & 0x40) ? 1 : 0;
	cfg.hb_interval = 2 * UFTP_NS_PER_SEC;
	if (data[0] & 0x20) {
		cfg.clients = clients;
		cfg.nclients = 2;
	}
	data++, size--;
	if (uftp_proxy_new(&p, &env, &cfg, now) < 0)
		abort();
	while (fuzz_next(&data, &size, &r)) {
		/* the clock moves on, every timer due on the way firing in order */
		target = now + r.advance_ns;
		for (i = 0; i < 1000 && (exp = uftp_proxy_next_expiry(p)) <= target; i++) {
			if (exp > now)
				now = exp;
			uftp_proxy_on_expiry(p, now);
			drain(p, now);
		}
		now = target;
		uftp_proxy_on_datagram(p,
		                       r.stranger                  ? &stranger
		                       : from_server(r.buf, r.len) ? &server
		                                                   : &client,
		                       r.buf, r.len, now);
		drain(p, now);
	}
	for (i = 0; i < 300 && (exp = uftp_proxy_next_expiry(p)) != UFTP_NEVER; i++) {
		if (exp > now)
			now = exp;
		uftp_proxy_on_expiry(p, now);
		drain(p, now);
	}
	uftp_proxy_free(p);
	return 0;
}
