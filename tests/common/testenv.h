/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fakes every in-process test shares (tests/unit, tests/sim,
 * tests/fuzz), so that a session core runs the same way in all three:
 *
 *   testenv   the injected environment: one seeded generator
 *             (xorshift64*), a wall time read from the test's fake clock,
 *             a log sink that counts lines and prints them on request, and
 *             the test keys (RSA-1024, EC P-256)
 *   testfs    an in-memory receiver disk behind the client core's file
 *             operations, checking what the core asks of it: handles it
 *             was given, names path.h promises, roots it was configured with
 *   testsrc   the sender's files for the server core's read_at: every byte
 *             a function of (file, offset), so a receiver's copy can be
 *             checked without keeping the original
 *
 * Nothing here opens a file or reads a clock, and no function of the other
 * libraries is called by name (keys are made through the ops table given):
 * libuftptest.a links after the core and crypto libraries, so it uses only
 * their headers' types and constants.  A broken contract (a
 * handle never opened, a bad name, a read outside a file) is a bug in the
 * core and aborts the program, which every layer reports as a failure.
 */
#ifndef UFTP_TESTS_TESTENV_H
#define UFTP_TESTS_TESTENV_H

#include <stddef.h>
#include <stdint.h>

#include "core/client.h"
#include "core/server.h"
#include "core/session.h"

/* ---- environment --------------------------------------------------------- */

#define TESTENV_WALL 1700000000u /* the wall time (UNIX seconds) at the clock's origin */

struct testenv {
	uint64_t rng;          /* generator state: any value but 0 (testenv_seed) */
	const uint64_t *clock; /* the test's fake clock (ns), or NULL: the wall stays at origin */
	uint64_t origin;       /* *clock when the wall reads TESTENV_WALL; t = 0 in printed lines */
	int print;             /* lines of a level below this go to stderr (0: none) */
	unsigned long lines;   /* lines logged */
	unsigned long warns;   /* of which UFTP_LOG_WARN or worse */
};

/* Sets a generator's state from seed (0 is replaced by a fixed nonzero value). */
void testenv_seed(uint64_t *state, uint64_t seed);

/* The next 64 bits of the generator whose state is *state (xorshift64*). */
uint64_t testenv_rand64(uint64_t *state);

/* env->random: fills out from the generator; arg is the uint64_t state.  Never fails. */
int testenv_random(void *arg, uint8_t *out, size_t len);

/* env->wall_time: TESTENV_WALL plus the time *clock has run since origin; arg: a testenv. */
void testenv_wall(void *arg, uint32_t *sec, uint32_t *usec);

/* env->log: counts the line, prints it when its level is below print; arg: a testenv. */
void testenv_log(void *arg, int level, const char *msg);

/* An env initializer for a static testenv te (no printing, crypto NULL). */
#define TESTENV_ENV(te, level)                                                                     \
	{                                                                                          \
		.random = testenv_random, .random_arg = &(te)->rng, .wall_time = testenv_wall,     \
		.wall_time_arg = (te), .log = testenv_log, .log_arg = (te), .log_level = (level)   \
	}

/*
 * Starts te and env afresh (env->crypto NULL): te's generator seeded with
 * seed, the wall time following *clock from its present value (clock NULL:
 * the wall stays at TESTENV_WALL), env's random, wall time and log pointing
 * at te.  The core formats lines up to log_level; when the environment
 * variable `var` (may be NULL) is set to a level N, the core formats up to
 * N instead and te prints them on stderr.
 */
void testenv_init(struct testenv *te, struct uftp_env *env, uint64_t seed, const uint64_t *clock,
                  int log_level, const char *var);

/*
 * A key pair made with ops (borrowed; the caller frees the key with
 * ops->pkey_free): RSA-1024 (ec = 0) or EC P-256 (ec = 1).  0 or ops' error.
 */
int testenv_key(const struct uftp_crypto_ops *ops, int ec, struct uftp_pkey **out);

/* ---- a receiver's disk in memory ------------------------------------------- */

#define TESTFS_MAX_FILES 64

struct testfs_file {
	int used;
	size_t root;
	char rel[256];
	int type;       /* UFTP_FTYPE_REG, _DIR or _LINK */
	int open;       /* a handle on it is out */
	int ok;         /* closed complete, or the directory / link was made */
	int64_t mtime;  /* given at a complete close */
	uint8_t *data;  /* what was written (NULL with forget) */
	uint64_t size;  /* the end of the furthest write */
	uint64_t cap;   /* bytes allocated at data */
	char link[256]; /* a link's target */
};

struct testfs {
	struct testfs_file f[TESTFS_MAX_FILES]; /* a handle is an index */
	size_t
	    nroots; /* the client's cfg.nroots: root nroots (the -T directory) is the last valid */
	int forget; /* keep only open files, without their data (fuzzing: memory stays flat) */
	int fail_writes; /* every write fails with UFTP_ERR_IO (a full disk) */
};

/* The operations, arg a testfs; a handle is an index into f[]. */
int testfs_open(void *arg, size_t root, const char *rel);
int testfs_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len);
int testfs_close(void *arg, int h, int ok, int64_t mtime);
int testfs_mkdir(void *arg, size_t root, const char *rel);
int testfs_symlink(void *arg, size_t root, const char *rel, const char *target);

/*
 * A uftp_client_fops initializer for fs with the operations above; the
 * optional ones stay NULL, for a test to set (the functions below or its own).
 */
#define TESTFS_FOPS(fs)                                                                            \
	{                                                                                          \
		.arg = (fs), .open = testfs_open, .write = testfs_write, .close = testfs_close,    \
		.mkdir = testfs_mkdir, .symlink = testfs_symlink                                   \
	}

/* The optional operations, arg a testfs: reopen an existing file; remove; 2^40 bytes free. */
int testfs_reopen(void *arg, size_t root, const char *rel);
int testfs_remove(void *arg, size_t root, const char *rel);
int testfs_freespace(void *arg, uint64_t *bytes);

/* Aborts unless root is one fs was configured with and rel a name path.h promises. */
void testfs_check_name(const struct testfs *fs, size_t root, const char *rel);

/* The entry for rel under root, or NULL. */
struct testfs_file *testfs_find(struct testfs *fs, size_t root, const char *rel);

/* Entries in use. */
size_t testfs_count(const struct testfs *fs);

/* Frees every entry's data and forgets them (the configuration fields stay). */
void testfs_reset(struct testfs *fs);

/* ---- the sender's files ------------------------------------------------------ */

/* Byte off of file idx (a hash: a block written in the wrong place shows). */
uint8_t testsrc_byte(size_t idx, uint64_t off);

/* How many leading bytes of buf[0..len) are bytes off.. of file idx (len: all of them). */
uint64_t testsrc_match(size_t idx, uint64_t off, const uint8_t *buf, uint64_t len);

struct testsrc {
	const struct uftp_server_file *files; /* borrowed; regular files hold testsrc_byte() */
	size_t nfiles;
};

/* server read_at over src (arg: a testsrc). */
ssize_t testsrc_read_at(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len);

/* A uftp_server_file_ops initializer for src (open stays NULL). */
#define TESTSRC_FOPS(src)                                                                          \
	{                                                                                          \
		.arg = (src), .read_at = testsrc_read_at                                           \
	}

#endif
