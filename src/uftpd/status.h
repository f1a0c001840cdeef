/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uftpd's reports of finished work: -F status lines, -s post-receive
 * scripts, and the -T move of a completed group from the temp dir into
 * the destination.
 */
#ifndef UFTP_UFTPD_STATUS_H
#define UFTP_UFTPD_STATUS_H

#include <stdio.h>
#include <sys/types.h>

#include "core/client.h"
#include "uftpd/disk.h"

struct uftpd_status {
	/* set by the caller before uftpd_status_open (strings and disk borrowed) */
	const char *statusfile;   /* -F: NULL none, "@LOG": lines go to the log */
	const char *script;       /* -s: NULL none */
	int individual;           /* -i */
	const char *const *roots; /* the core's roots (-D), to make full names */
	size_t nroots;
	struct uftpd_disk *disk; /* -T: where the temp dir and the destination are (else NULL) */
	/* ours */
	FILE *file;
};

/* Opens the -F file for appending; returns 0, or -1 after logging why it cannot. */
int uftpd_status_open(struct uftpd_status *st);

/* Closes the -F file. */
void uftpd_status_close(struct uftpd_status *st);

/*
 * A core event: a status line for CONNECT and FILE events, the -s script
 * for a file received, and with -T the move of a completed group (and the
 * script for what moved).
 */
void uftpd_status_event(struct uftpd_status *st, const struct uftp_client_event *ev);

/* A reaped child (arg: the struct uftpd_status): a script that failed is logged. */
void uftpd_status_reaped(void *arg, pid_t pid, int status);

#endif
