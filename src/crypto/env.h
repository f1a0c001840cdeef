/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The environment the programs give their protocol core (core/session.h):
 * OpenSSL for crypto and randomness, the system's wall clock, and the
 * driver log (lib/log.h). One definition for uftp, uftpd and uftpproxyd.
 */
#ifndef UFTP_CRYPTO_ENV_H
#define UFTP_CRYPTO_ENV_H

#include "core/session.h"

/* Fills env; loglevel is the -x value (4 and above: trace). */
void uftp_env_driver(struct uftp_env *env, int loglevel);

/* The log sink env->log points to: core messages into lib/log.h. */
void uftp_env_log_sink(void *arg, int level, const char *msg);

#endif
