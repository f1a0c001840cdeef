/* SPDX-License-Identifier: BSD-2-Clause */
/* The uftp driver: command line, file list, keys, sockets and the loop. */
#ifndef UFTP_UFTP_UFTP_H
#define UFTP_UFTP_UFTP_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/proto.h"

struct uftp_peer_key;
struct uftp_server_file;
struct uftp_server_file_ops;
struct uftp_server_config;
struct uftp_restart;
struct uftp_server;

/* Exit codes of man uftp; 0 and 6 to 10 say how the session ended (driver.c maps the core's
 * outcome). */
#define EXIT_OK            0
#define EXIT_BADARG        1
#define EXIT_NET           2
#define EXIT_KEY           3
#define EXIT_LOG           4
#define EXIT_MEM           5
#define EXIT_INTERRUPTED   6
#define EXIT_NO_REGISTER   7
#define EXIT_NO_FILEINFO   8
#define EXIT_ALL_LOST      9
#define EXIT_NONE_RECEIVED 10

struct uftp_opts {
	long rate;           /* -R, Kbps, -1 unpaced */
	const char *logfile; /* -L */
	int bufsize;         /* -B */
	int max_log_mb;      /* -g */
	int max_log_count;   /* -n */
	int keytype, hashtype, sigtype, keyextype, curve;
	int client_auth;             /* -c */
	int max_nak_count;           /* -m */
	const char *keyfile;         /* -k */
	const char *keyparam;        /* -K */
	int follow_links;            /* -l */
	int timestamps;              /* -T */
	int block_size;              /* -b */
	int ttl;                     /* -t */
	int dscp;                    /* -Q */
	int sync_mode, sync_preview; /* -z, -Z */
	const char *iface;           /* -I */
	int port;                    /* -p */
	int src_port;                /* -u */
	int quit_on_error;           /* -q */
	int have_uid;
	uint32_t uid;                /* -U */
	int max_passes;              /* -a */
	int log_level;               /* -x */
	int txweight;                /* -W */
	struct uftp_peer_key *hosts; /* -H */
	char **host_names;           /* -H entries as typed (for -f), parallel to hosts */
	size_t nhosts;
	struct uftp_peer_key *proxies; /* -j */
	size_t nproxies;
	const char *exclude_file;                        /* -X */
	int restartable;                                 /* -f */
	const char *restart_file;                        /* -F */
	struct uftp_restart *restart;                    /* -F: the decoded file */
	uint8_t *restart_buf;                            /* -F: its bytes (names point here) */
	char **restart_names;                            /* -F: copies of its file names */
	const char *pub_addr;                            /* -M */
	const char *priv_addr;                           /* -P */
	int max_nak_pct;                                 /* -N */
	int dir_mode;                                    /* -o */
	const char *dest_name;                           /* -D */
	char *bases_arg;                                 /* -E (split in place) */
	const char *status_file;                         /* -S */
	uint64_t grtt_init_us, grtt_min_us, grtt_max_us; /* -r */
	int robust;                                      /* -s */
	const char *list_file;                           /* -i */
	char **files;                                    /* operands */
	int nfiles;
	int progress;      /* --progress 1, --no-progress 0, -1: when stderr is a terminal */
	int wait_fileinfo; /* --wait-fileinfo */

	/* -C: UFTP_CC_NONE or UFTP_CC_TFMCC, and tfmcc:min=..:init=..:max=.. (Kbps; 0: default) */
	int cc_type;
	long cc_min, cc_init, cc_max;
};

/*
 * options.c: parses argv; returns 0, or prints why and returns EXIT_BADARG
 * (-1 after --help or --version).
 */
int uftp_parse_opts(struct uftp_opts *o, int argc, char **argv);
void uftp_usage(FILE *f);

/* files.c: the file list and its reader. */
struct uftp_files;
int uftp_files_build(struct uftp_files **out, const struct uftp_opts *o);
const struct uftp_server_file *uftp_files_list(const struct uftp_files *f, size_t *n);
const struct uftp_server_file_ops *uftp_files_ops(struct uftp_files *f);
/* The names the session was given (operands, -i lines, or -F's list), for a restart file. */
const char *const *uftp_files_names(const struct uftp_files *f, size_t *n);
void uftp_files_free(struct uftp_files *f);

/* status.c: the -S status file (NULL path: none; "@LOG": into the log). */
struct uftp_statfile;
struct uftp_server_event;
int uftp_statfile_open(struct uftp_statfile **st, const char *path,
                       const struct uftp_peer_key *hosts, size_t nhosts, int preview,
                       long rate_kbps);
void uftp_statfile_event(struct uftp_statfile *st, const struct uftp_server_event *e,
                         const struct uftp_server_file *files, uint64_t now);
void uftp_statfile_close(struct uftp_statfile *st);

/*
 * progress.c: the live line on stderr and the summary table at the end,
 * read from the core's stats. mode: --progress 1, --no-progress 0, -1: when
 * stderr is a terminal. new returns NULL when off (or out of memory); every
 * call takes NULL and then does nothing.
 */
struct uftp_progress;
int uftp_progress_wanted(int mode);
struct uftp_progress *uftp_progress_new(int mode);
/* Each loop turn: samples the stats, redraws at most 4 times a second. */
void uftp_progress_tick(struct uftp_progress *p, const struct uftp_server *srv, uint64_t now);
/* The earlier of deadline and the next redraw, for the loop's wait. */
uint64_t uftp_progress_expiry(const struct uftp_progress *p, uint64_t deadline);
/* Erases the line and prints the table, one row per receiver. */
void uftp_progress_end(struct uftp_progress *p, const struct uftp_server *srv, uint64_t now);
void uftp_progress_free(struct uftp_progress *p);

/* restart.c: -F reads a restart file into o (hosts, files, group); -f writes one. */
int uftp_restart_load(struct uftp_opts *o);
void uftp_restart_release(struct uftp_opts *o);
void uftp_restart_save(const struct uftp_opts *o, const struct uftp_server *srv,
                       const struct uftp_server_config *cfg, const struct uftp_files *files);

/* driver.c: runs the session; returns the exit code. */
int uftp_run(const struct uftp_opts *o, struct uftp_files *files);

#endif
