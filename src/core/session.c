/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers of the shared session contract (session.h). */
#include <stdarg.h>
#include <stdio.h>

#include "core/err.h"
#include "core/session.h"

void uftp_env_log(const struct uftp_env *env, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (env == NULL || env->log == NULL || level > env->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	env->log(env->log_arg, level, line);
}

void uftp_env_wall(const struct uftp_env *env, uint32_t *sec, uint32_t *usec)
{
	*sec = 0;
	*usec = 0;
	if (env != NULL && env->wall_time != NULL)
		env->wall_time(env->wall_time_arg, sec, usec);
}

int uftp_env_random(const struct uftp_env *env, uint8_t *out, size_t len)
{
	if (env == NULL || env->random == NULL)
		return UFTP_ERR_INVALID;
	return env->random(env->random_arg, out, len);
}

int uftp_env_make_random(const struct uftp_env *env, uint8_t r[UFTP_RAND_LEN])
{
	uint32_t sec, usec;

	uftp_env_wall(env, &sec, &usec);
	r[0] = (uint8_t)sec;
	r[1] = (uint8_t)(sec >> 8);
	r[2] = (uint8_t)(sec >> 16);
	r[3] = (uint8_t)(sec >> 24);
	return uftp_env_random(env, r + 4, UFTP_RAND_LEN - 4);
}

const struct uftp_peer_key *uftp_peer_key_find(const struct uftp_peer_key *list, size_t n,
                                               uint32_t id, const struct uftp_ipaddr *from)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].id == id &&
		    (from == NULL || !list[i].addr.family || uftp_ip_equal(&list[i].addr, from)))
			return &list[i];
	return NULL;
}
