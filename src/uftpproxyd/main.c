/* uftpproxyd: the UFTP 4.x proxy daemon (server, client and response proxies). */
#include "config.h"

#include "uftpproxyd/uftpproxyd.h"

int main(int argc, char **argv)
{
	struct uftpproxyd_opts o;
	int rv = uftpproxyd_parse_opts(&o, argc, argv);

	if (rv < 0)
		return EXIT_OK; /* --help */
	if (rv)
		return rv;
	return uftpproxyd_run(&o);
}
