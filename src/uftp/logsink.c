/*
 * Bridges the core's log lines (session.h levels) onto lib/log.  Kept apart
 * because lib/log.h and core/session.h both name their levels UFTP_LOG_*.
 */
#include "config.h"

#include "lib/log.h"

void uftp_log_sink(void *arg, int level, const char *msg);

void uftp_log_sink(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= 1)
		log_warnx("%s", msg);
	else if (level == 2)
		log_info("%s", msg);
	else
		log_debug("%s", msg);
}
