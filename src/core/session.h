/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared contract of the session state machines (server.h, client.h, later
 * proxy.h): peer addresses, the injected environment, log levels and the
 * time base.  Pure: no I/O, no clock, no randomness of its own.
 *
 * Time: every entry point takes `uint64_t now`, monotonic nanoseconds,
 * sampled once per loop turn by the driver.  Wall-clock values that go on
 * the wire (ANNOUNCE timestamps, randoms) come from env->wall_time().
 */
#ifndef UFTP_CORE_SESSION_H
#define UFTP_CORE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/crypto.h"
#include "core/loglevel.h"
#include "core/msg.h"
#include "core/proto.h"

#define UFTP_NS_PER_SEC  1000000000ULL
#define UFTP_NS_PER_MSEC 1000000ULL
#define UFTP_NS_PER_USEC 1000ULL
#define UFTP_NEVER       UINT64_MAX /* an expiry that never comes */

/* A transport endpoint as the core sees it: wire address + UDP port. */
struct uftp_peer {
	struct uftp_ipaddr ip; /* family 4 or 6; 0 = unset */
	uint16_t port;         /* host order */
};

static inline int uftp_ip_equal(const struct uftp_ipaddr *a, const struct uftp_ipaddr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static inline int uftp_peer_equal(const struct uftp_peer *a, const struct uftp_peer *b)
{
	return a->port == b->port && uftp_ip_equal(&a->ip, &b->ip);
}

/*
 * A peer named in a list (uftp -H / -j, uftpd -S, uftpproxyd -S / -C): its
 * ID, the address it must send from (family 0: any), and its key's
 * fingerprint when one is given.
 */
struct uftp_peer_key {
	uint32_t id; /* host order */
	struct uftp_ipaddr addr;
	int has_fp;
	uint8_t fp[UFTP_FP_LEN];
};

/*
 * The first entry of list[0..n) for peer ID id whose address (when it has
 * one) is from; from NULL matches any address.  NULL when none does.
 */
const struct uftp_peer_key *uftp_peer_key_find(const struct uftp_peer_key *list, size_t n,
                                               uint32_t id, const struct uftp_ipaddr *from);

/*
 * What a session borrows from its driver.  The driver owns the struct and
 * everything it points to; it must outlive every session that uses it.
 */
struct uftp_env {
	const struct uftp_crypto_ops *crypto; /* NULL: no encryption possible */
	/*
	 * Fills out[0..len) with random bytes; 0 or a negative uftp_err.  Tests
	 * inject a seeded generator to replay sessions byte for byte.
	 */
	int (*random)(void *arg, uint8_t *out, size_t len);
	void *random_arg;
	/* Current wall-clock time (UNIX epoch) for wire timestamps. */
	void (*wall_time)(void *arg, uint32_t *sec, uint32_t *usec);
	void *wall_time_arg;
	/*
	 * Log sink; msg is a complete line without newline, valid only during
	 * the call.  May be NULL (silence).
	 */
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
	int log_level; /* messages above this level are not even formatted */
};

/* Formats and forwards one log line to env->log if level is enabled. */
void uftp_env_log(const struct uftp_env *env, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads wall time from env (0/0 if no callback). */
void uftp_env_wall(const struct uftp_env *env, uint32_t *sec, uint32_t *usec);

/* env->random, or UFTP_ERR_INVALID when none is injected. */
int uftp_env_random(const struct uftp_env *env, uint8_t *out, size_t len);

/*
 * A server or client random (protocol.txt 4): the UNIX time, little-endian
 * as the reference writes it, then 28 random bytes.  0, or env->random's
 * error (r is then not to be used).
 */
int uftp_env_make_random(const struct uftp_env *env, uint8_t r[UFTP_RAND_LEN]);

#endif
