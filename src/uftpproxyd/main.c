/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpproxyd: the UFTP 4.x proxy daemon (server, client and response proxies). */
#include "config.h"

#include "uftpproxyd/uftpproxyd.h"

int main(int argc, char **argv)
{
	static struct uftpproxyd_opts opts;
	int status = uftpproxyd_parse_opts(&opts, argc, argv);

	if (status)
		return status < 0 ? EXIT_OK : status; /* -1: --help or --version printed */
	return uftpproxyd_run(&opts);
}
