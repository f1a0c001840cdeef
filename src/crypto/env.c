/* SPDX-License-Identifier: BSD-2-Clause */
/* The programs' core environment (see env.h). */
#include "config.h"

#include "lib/log.h"

#include "crypto/env.h"
#include "crypto/ossl.h"
#include "lib/clock.h"

void uftp_env_log_sink(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= UFTP_LOG_WARN)
		log_warnx("%s", msg);
	else if (level == UFTP_LOG_INFO)
		log_info("%s", msg);
	else
		log_debug("%s", msg);
}

static void wall(void *arg, uint32_t *sec, uint32_t *usec)
{
	struct uftp_walltime w = uftp_clock_wall();

	(void)arg;
	*sec = (uint32_t)w.sec;
	*usec = w.usec;
}

static int rnd(void *arg, uint8_t *out, size_t len)
{
	(void)arg;
	return uftp_ossl_ops()->random(out, len);
}

void uftp_env_driver(struct uftp_env *env, int loglevel)
{
	env->crypto = uftp_ossl_ops();
	env->random = rnd;
	env->random_arg = NULL;
	env->wall_time = wall;
	env->log = uftp_env_log_sink;
	env->log_level = loglevel >= 4 ? UFTP_LOG_TRACE : loglevel;
}
