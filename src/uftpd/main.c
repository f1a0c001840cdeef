/* SPDX-License-Identifier: BSD-2-Clause */
/* uftpd: the UFTP 4.x client daemon (receives files from uftp servers). */
#include "config.h"

#include "uftpd/uftpd.h"

int main(int argc, char **argv)
{
	static struct uftpd_opts o;
	int rv = uftpd_parse_opts(&o, argc, argv);

	return rv < 0 ? EXIT_OK : rv ? rv : uftpd_run(&o); /* -1: --help or --version */
}
