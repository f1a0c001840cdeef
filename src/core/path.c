/* Wire name rules (see path.h).  Pure: string checks only. */
#include "config.h"

#include <string.h>

#include "core/err.h"
#include "core/path.h"

static int bad_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Checks one component comp[0..len): not empty, ".", ".." or too long. */
static int check_component(const char *comp, size_t len)
{
	size_t i;

	if (len == 0 || len > UFTP_PATH_MAX_COMPONENT)
		return UFTP_ERR_BADVALUE;
	if (comp[0] == '.' && (len == 1 || (len == 2 && comp[1] == '.')))
		return UFTP_ERR_BADVALUE;
	for (i = 0; i < len; i++)
		if (bad_byte((unsigned char)comp[i]))
			return UFTP_ERR_BADVALUE;
	return 0;
}

int uftp_path_check_relative(const char *name, size_t len)
{
	size_t start = 0, i;
	int rv;

	if (!name || len == 0 || len > UFTP_PATH_MAX)
		return UFTP_ERR_BADVALUE;
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		rv = check_component(name + start, i - start);
		if (rv < 0)
			return rv;
		start = i + 1;
	}
	return 0;
}

/*
 * Length of the part of name that follows root and its separating '/',
 * or -1 when name is not strictly below root.  Comparing through the '/'
 * keeps "/data2/x" out of root "/data".
 */
static int below_root(const char *root, const char *name, size_t len, size_t *skip)
{
	size_t rlen = strlen(root);

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
	size_t idx = 0, skip = 0;
	int rv;

	if (nroots == 0 || !roots)
		return UFTP_ERR_INVALID;
	if (!name || len == 0 || len > UFTP_PATH_MAX || memchr(name, '\0', len))
		return UFTP_ERR_BADVALUE;
	if (name[0] == '/' && find_root(roots, nroots, name, len, &idx, &skip) < 0)
		return UFTP_ERR_BADVALUE;
	rv = uftp_path_check_relative(name + skip, len - skip);
	if (rv < 0)
		return rv;
	if (len - skip + 1 > cap)
		return UFTP_ERR_NOSPACE;
	memcpy(rel, name + skip, len - skip);
	rel[len - skip] = '\0';
	*root = idx;
	return 0;
}
