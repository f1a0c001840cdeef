/* SPDX-License-Identifier: BSD-2-Clause */
/* Wire name rules (see path.h).  Pure: string checks only. */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "core/path.h"

static int bad_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int is_dot(const char *comp, size_t len)
{
	return len == 1 && comp[0] == '.';
}

/* Components uftp_path_resolve() leaves out: "." and empty ones ("a//b"). */
static int is_skippable(const char *comp, size_t len)
{
	return len == 0 || is_dot(comp, len);
}

/* Checks one component comp[0..len): not empty, ".", ".." or too long. */
static int check_component(const char *comp, size_t len)
{
	size_t i;

	if (len == 0 || len > UFTP_PATH_MAX_COMPONENT)
		return UFTP_ERR_BADVALUE;
	if (is_dot(comp, len) || (len == 2 && comp[0] == '.' && comp[1] == '.'))
		return UFTP_ERR_BADVALUE;
	for (i = 0; i < len; i++)
		if (bad_byte((unsigned char)comp[i]))
			return UFTP_ERR_BADVALUE;
	return 0;
}

/*
 * Walks the components of name[0..len), checking each; "." and empty
 * components are accepted when drop_dots is set and left out of *outlen,
 * the length of the name without them.
 */
static int check_all(const char *name, size_t len, int drop_dots, size_t *outlen)
{
	size_t start = 0, i, out = 0;
	int rv;

	if (!name || len == 0 || len > UFTP_PATH_MAX)
		return UFTP_ERR_BADVALUE;
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (!(drop_dots && is_skippable(name + start, i - start))) {
			rv = check_component(name + start, i - start);
			if (rv < 0)
				return rv;
			out += (out ? 1 : 0) + (i - start);
		}
		start = i + 1;
	}
	*outlen = out;
	return out ? 0 : UFTP_ERR_BADVALUE;
}

int uftp_path_check_relative(const char *name, size_t len)
{
	size_t out;

	return check_all(name, len, 0, &out);
}

/* Copies name[0..len) into rel without its "." and empty components; NUL-terminates. */
static void copy_without_dots(char *rel, const char *name, size_t len)
{
	size_t start = 0, i, o = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (!is_skippable(name + start, i - start)) {
			if (o)
				rel[o++] = '/';
			memcpy(rel + o, name + start, i - start);
			o += i - start;
		}
		start = i + 1;
	}
	rel[o] = '\0';
}

/*
 * Length of the part of name that follows root and its separating '/',
 * or -1 when name is not strictly below root.  Comparing through the '/'
 * keeps "/data2/x" out of root "/data".
 */
static int below_root(const char *root, const char *name, size_t len, size_t *skip)
{
	size_t rlen = strlen(root);

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--; /* "-D /data/" */
	if (rlen == 1 && root[0] == '/') {
		*skip = 1;
		return len > 1 && name[0] == '/' ? 0 : -1;
	}
	if (rlen == 0 || len <= rlen + 1 || memcmp(name, root, rlen) != 0 || name[rlen] != '/')
		return -1;
	*skip = rlen + 1;
	return 0;
}

/* Index of the first root that name lies strictly below, or -1. */
static int find_root(const char *const *roots, size_t nroots, const char *name, size_t len,
                     size_t *root, size_t *skip)
{
	size_t i;

	for (i = 0; i < nroots; i++) {
		if (roots[i] && below_root(roots[i], name, len, skip) == 0) {
			*root = i;
			return 0;
		}
	}
	return -1;
}

int uftp_path_resolve(const char *const *roots, size_t nroots, const char *name, size_t len,
                      size_t *root, char *rel, size_t cap)
{
	size_t idx = 0, skip = 0, out;
	int rv;

	if (nroots == 0 || !roots)
		return UFTP_ERR_INVALID;
	if (!name || len == 0 || len > UFTP_PATH_MAX || memchr(name, '\0', len))
		return UFTP_ERR_BADVALUE;
	if (name[0] == '/' && find_root(roots, nroots, name, len, &idx, &skip) < 0)
		return UFTP_ERR_BADVALUE;
	/*
	 * The reference receiver accepts "./x" (its sender makes it for
	 * "uftp .") and "a//b" (its sender makes it for "-E a -D a/").
	 */
	rv = check_all(name + skip, len - skip, 1, &out);
	if (rv < 0)
		return rv;
	if (out + 1 > cap)
		return UFTP_ERR_NOSPACE;
	copy_without_dots(rel, name + skip, len - skip);
	*root = idx;
	return 0;
}
