/* SPDX-License-Identifier: BSD-2-Clause */
/* The shared test fakes (see testenv.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/loglevel.h"
#include "tests/common/testenv.h"

/* ---- environment --------------------------------------------------------- */

void testenv_seed(uint64_t *state, uint64_t seed)
{
	*state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t testenv_rand64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

int testenv_random(void *arg, uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(testenv_rand64(arg) >> 56);
	return 0;
}

static uint64_t elapsed(const struct testenv *te)
{
	return te->clock && *te->clock > te->origin ? *te->clock - te->origin : 0;
}

void testenv_wall(void *arg, uint32_t *sec, uint32_t *usec)
{
	uint64_t t = elapsed(arg);

	*sec = TESTENV_WALL + (uint32_t)(t / UFTP_NS_PER_SEC);
	*usec = (uint32_t)(t % UFTP_NS_PER_SEC / 1000);
}

void testenv_log(void *arg, int level, const char *msg)
{
	struct testenv *te = arg;

	te->lines++;
	te->warns += level <= UFTP_LOG_WARN;
	if (level < te->print)
		fprintf(stderr, "%10.3f [%d] %s\n", (double)elapsed(te) / 1e9, level, msg);
}

void testenv_init(struct testenv *te, struct uftp_env *env, uint64_t seed, const uint64_t *clock,
                  int log_level, const char *var)
{
	const char *v = var ? getenv(var) : NULL;

	memset(te, 0, sizeof(*te));
	memset(env, 0, sizeof(*env));
	testenv_seed(&te->rng, seed);
	te->clock = clock;
	te->origin = clock ? *clock : 0;
	env->random = testenv_random;
	env->random_arg = &te->rng;
	env->wall_time = testenv_wall;
	env->wall_time_arg = te;
	env->log = testenv_log;
	env->log_arg = te;
	env->log_level = v ? (int)strtol(v, NULL, 10) : log_level;
	te->print = v ? env->log_level + 1 : 0;
}

int testenv_key(const struct uftp_crypto_ops *ops, int ec, struct uftp_pkey **out)
{
	if (ec)
		return ops->pkey_generate(UFTP_BLOB_EC, UFTP_CURVE_SECP256R1, out);
	return ops->pkey_generate(UFTP_BLOB_RSA, 1024, out);
}

/* ---- a receiver's disk in memory ------------------------------------------- */

/* path.h promises relative names without "..", "." or empty components. */
void testfs_check_name(const struct testfs *fs, size_t root, const char *rel)
{
	size_t n = rel ? strlen(rel) : 0;

	if (root > fs->nroots || n == 0 || n >= sizeof(fs->f[0].rel) || rel[0] == '/' ||
	    strstr(rel, "//") || !strcmp(rel, "..") || !strncmp(rel, "../", 3) ||
	    strstr(rel, "/../") || (n >= 3 && !strcmp(rel + n - 3, "/..")))
		abort();
}

static struct testfs_file *handle(struct testfs *fs, int h)
{
	if (h < 0 || h >= TESTFS_MAX_FILES || !fs->f[h].used || !fs->f[h].open)
		abort(); /* a handle the core was never given, or closed already */
	return &fs->f[h];
}

struct testfs_file *testfs_find(struct testfs *fs, size_t root, const char *rel)
{
	size_t i;

	for (i = 0; i < TESTFS_MAX_FILES; i++)
		if (fs->f[i].used && fs->f[i].root == root && strcmp(fs->f[i].rel, rel) == 0)
			return &fs->f[i];
	return NULL;
}

static void drop(struct testfs_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* A fresh entry for rel (replacing one of that name), or NULL when the table is full. */
static struct testfs_file *entry(struct testfs *fs, size_t root, const char *rel, int type)
{
	struct testfs_file *f = testfs_find(fs, root, rel);
	size_t i;

	if (f && f->open) {
		/* as a disk does when a file open elsewhere is replaced: the old handle
		 * stays valid, on a file that no longer has a name */
		f->rel[0] = '\0';
		f = NULL;
	}
	for (i = 0; f == NULL && i < TESTFS_MAX_FILES; i++)
		if (!fs->f[i].used)
			f = &fs->f[i];
	if (f == NULL)
		return NULL;
	drop(f);
	f->used = 1;
	f->root = root;
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	f->type = type;
	return f;
}

int testfs_open(void *arg, size_t root, const char *rel)
{
	struct testfs *fs = arg;
	struct testfs_file *f;

	testfs_check_name(fs, root, rel);
	f = entry(fs, root, rel, UFTP_FTYPE_REG);
	if (f == NULL)
		return UFTP_ERR_NOSPACE;
	f->open = 1;
	return (int)(f - fs->f);
}

int testfs_write(void *arg, int h, uint64_t off, const uint8_t *buf, size_t len)
{
	struct testfs *fs = arg;
	struct testfs_file *f = handle(fs, h);

	if (fs->fail_writes)
		return UFTP_ERR_IO;
	if (!fs->forget && off + len > f->cap) {
		uint64_t cap = (off + len) * 2;
		uint8_t *d = realloc(f->data, (size_t)cap);

		if (d == NULL)
			return UFTP_ERR_NOMEM;
		memset(d + f->cap, 0, (size_t)(cap - f->cap));
		f->data = d;
		f->cap = cap;
	}
	if (!fs->forget)
		memcpy(f->data + off, buf, len);
	if (off + len > f->size)
		f->size = off + len;
	return 0;
}

int testfs_close(void *arg, int h, int ok, int64_t mtime)
{
	struct testfs *fs = arg;
	struct testfs_file *f = handle(fs, h);

	f->open = 0;
	f->ok = ok;
	f->mtime = mtime;
	if (fs->forget || !f->rel[0])
		drop(f); /* forgotten, or replaced while it was open */
	return 0;
}

/* A directory or link: recorded as made, unless the store forgets. */
static struct testfs_file *made(struct testfs *fs, size_t root, const char *rel, int type)
{
	struct testfs_file *f;

	testfs_check_name(fs, root, rel);
	if (fs->forget)
		return NULL;
	f = entry(fs, root, rel, type);
	if (f != NULL)
		f->ok = 1;
	return f;
}

int testfs_mkdir(void *arg, size_t root, const char *rel)
{
	struct testfs *fs = arg;

	return made(fs, root, rel, UFTP_FTYPE_DIR) || fs->forget ? 0 : UFTP_ERR_NOSPACE;
}

int testfs_symlink(void *arg, size_t root, const char *rel, const char *target)
{
	struct testfs *fs = arg;
	struct testfs_file *f = made(fs, root, rel, UFTP_FTYPE_LINK);

	if (f != NULL)
		snprintf(f->link, sizeof(f->link), "%s", target);
	return f || fs->forget ? 0 : UFTP_ERR_NOSPACE;
}

int testfs_reopen(void *arg, size_t root, const char *rel)
{
	struct testfs *fs = arg;
	struct testfs_file *f;

	testfs_check_name(fs, root, rel);
	f = testfs_find(fs, root, rel);
	if (f == NULL || f->type != UFTP_FTYPE_REG)
		return UFTP_ERR_IO;
	f->open = 1;
	return (int)(f - fs->f);
}

int testfs_remove(void *arg, size_t root, const char *rel)
{
	struct testfs *fs = arg;
	struct testfs_file *f;

	testfs_check_name(fs, root, rel);
	f = testfs_find(fs, root, rel);
	if (f != NULL && !f->open)
		drop(f);
	return 0;
}

int testfs_freespace(void *arg, uint64_t *bytes)
{
	(void)arg;
	*bytes = 1ULL << 40;
	return 0;
}

size_t testfs_count(const struct testfs *fs)
{
	size_t i, n = 0;

	for (i = 0; i < TESTFS_MAX_FILES; i++)
		n += fs->f[i].used != 0;
	return n;
}

void testfs_reset(struct testfs *fs)
{
	size_t i;

	for (i = 0; i < TESTFS_MAX_FILES; i++)
		drop(&fs->f[i]);
}

/* ---- the sender's files ------------------------------------------------------ */

uint8_t testsrc_byte(size_t idx, uint64_t off)
{
	uint64_t x = (idx + 1) * 0x9E3779B97F4A7C15ULL ^ (off * 0xBF58476D1CE4E5B9ULL);

	x ^= x >> 31;
	return (uint8_t)(x * 0x94D049BB133111EBULL >> 56);
}

uint64_t testsrc_match(size_t idx, uint64_t off, const uint8_t *buf, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len && buf[i] == testsrc_byte(idx, off + i); i++)
		;
	return i;
}

ssize_t testsrc_read_at(void *arg, size_t idx, uint64_t off, uint8_t *buf, size_t len)
{
	const struct testsrc *src = arg;
	size_t i;

	if (idx >= src->nfiles || src->files[idx].ftype != UFTP_FTYPE_REG ||
	    off > src->files[idx].size)
		abort(); /* the core reads only inside the regular files it was given */
	if (len > src->files[idx].size - off)
		len = (size_t)(src->files[idx].size - off);
	for (i = 0; i < len; i++)
		buf[i] = testsrc_byte(idx, off + i);
	return (ssize_t)len;
}
