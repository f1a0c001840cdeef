/* uftpd: the UFTP 4.x client daemon (receives files from uftp servers). */
#include "config.h"

#include "uftpd/uftpd.h"

int main(int argc, char **argv)
{
	struct uftpd_opts o;
	int rv = uftpd_parse_opts(&o, argc, argv);

	if (rv < 0)
		return EXIT_OK; /* --help */
	if (rv)
		return rv;
	return uftpd_run(&o);
}
