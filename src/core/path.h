/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Rules for file names received on the wire (FILEINFO names, @DELETE
 * targets).  Pure: decides where a name may land, never touches a disk.
 *
 * A wire name is '/'-separated.  A relative name lands in the first
 * destination root.  An absolute name must lie inside one of the roots (the
 * root itself excluded); the part after the root is then used.  Every name is
 * rejected that could escape its root or confuse a file system: empty, NUL
 * bytes inside, ".." or "." components, empty components ("a//b"), control
 * bytes (< 0x20, 0x7f), components over UFTP_PATH_MAX_COMPONENT bytes or a
 * total over UFTP_PATH_MAX bytes.  Exception: uftp_path_resolve() drops "."
 * and empty components ("./x" -> "x", "a//b" -> "a/b"), because the
 * reference sender makes such names ("uftp .", "-E a -D a/") and the
 * reference receiver accepts them.
 */
#ifndef UFTP_CORE_PATH_H
#define UFTP_CORE_PATH_H

#include <stddef.h>

#define UFTP_PATH_MAX           4096
#define UFTP_PATH_MAX_COMPONENT 255

/*
 * Checks a relative name name[0..len) (no NUL needed; a NUL inside is an
 * error).  Returns 0 or UFTP_ERR_BADVALUE.
 */
int uftp_path_check_relative(const char *name, size_t len);

/*
 * Chooses the destination of wire name name[0..len) among roots[0..nroots)
 * (absolute, normalised directory paths; trailing '/'s are ignored).
 * On success stores the root index in *root (the first root that name lies
 * below, for an absolute name; 0 for a relative one) and writes the relative
 * part without "." components, NUL-terminated, into rel (cap bytes); it
 * passes uftp_path_check_relative().  Errors: BADVALUE (name rejected by
 * the rules above, or absolute and inside no root), NOSPACE (rel too small),
 * INVALID (nroots == 0).
 */
int uftp_path_resolve(const char *const *roots, size_t nroots, const char *name, size_t len,
                      size_t *root, char *rel, size_t cap);

#endif
