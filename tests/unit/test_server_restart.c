/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The restart file codec (uftp -f / -F): the reference's layout byte for
 * byte, and damaged files refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/server.h"
#include "tests/unit/cutest.h"

static const char *const names[] = {"a.txt", "sub", "/abs/path/file"};

static void sample(struct uftp_restart *r, struct uftp_peer_key *h)
{
	memset(r, 0, sizeof(*r));
	memset(h, 0, 2 * sizeof(*h));
	h[0].id = 0xC612000B;
	h[0].has_fp = 1;
	memset(h[0].fp, 0xAB, sizeof(h[0].fp));
	h[1].id = 0xC612000C;
	r->group_id = 0x6909FC76;
	r->group_inst = 2;
	r->files = names;
	r->nfiles = 3;
	r->hosts = h;
	r->nhosts = 2;
}

/* Clients are named by their -H text when there is one, else by the ID. */
static void test_host_names(void)
{
	static const char *const hn[] = {"198.18.0.11", NULL};
	struct uftp_restart r, d;
	struct uftp_peer_key h[2];
	char longname[81];
	const char *const hl[] = {longname, ""};
	uint8_t buf[2000];
	ssize_t n;

	sample(&r, h);
	r.host_names = hn;
	n = uftp_restart_encode(buf, sizeof(buf), &r);
	CU_ASSERT_FATAL(n == 1224);
	CU_ASSERT_STRING_EQUAL((const char *)buf + 912, "198.18.0.11");
	CU_ASSERT_STRING_EQUAL((const char *)buf + 912 + 156, "0xC612000C");
	CU_ASSERT_EQUAL_FATAL(uftp_restart_decode(&d, buf, (size_t)n), 0);
	CU_ASSERT_STRING_EQUAL(d.host_names[0], "198.18.0.11");
	CU_ASSERT_STRING_EQUAL(d.host_names[1], "0xC612000C");
	uftp_restart_free(&d);
	CU_ASSERT_PTR_NULL(d.host_names);
	memset(longname, 'n', 80); /* too long for its 80 bytes: the ID is written */
	longname[80] = '\0';
	r.host_names = hl;
	n = uftp_restart_encode(buf, sizeof(buf), &r);
	CU_ASSERT_FATAL(n == 1224);
	CU_ASSERT_STRING_EQUAL((const char *)buf + 912, "0xC612000B");
	CU_ASSERT_STRING_EQUAL((const char *)buf + 912 + 156, "0xC612000C");
	memset(buf + 912, 'z', 80); /* an unterminated name: no name, the record still counts */
	CU_ASSERT_EQUAL_FATAL(uftp_restart_decode(&d, buf, (size_t)n), 0);
	CU_ASSERT_PTR_NULL(d.host_names[0]);
	CU_ASSERT_EQUAL(d.hosts[0].id, 0xC612000B);
	uftp_restart_free(&d);
}

/* Offsets as the reference 4.10.2 writes them (seen in its restart files). */
static void test_layout(void)
{
	struct uftp_restart r;
	struct uftp_peer_key h[2];
	uint8_t buf[2000];
	const uint8_t *p;
	ssize_t n;

	sample(&r, h);
	CU_ASSERT_EQUAL(uftp_restart_size(&r), 12 + 3 * 300 + 2 * 156);
	n = uftp_restart_encode(buf, sizeof(buf), &r);
	CU_ASSERT_EQUAL_FATAL(n, 12 + 3 * 300 + 2 * 156);
	CU_ASSERT_EQUAL(memcmp(buf, "\x76\xfc\x09\x69\x02\x00\x00\x00\x03\x00\x00\x00", 12), 0);
	CU_ASSERT_STRING_EQUAL((const char *)buf + 12, "a.txt");
	CU_ASSERT_STRING_EQUAL((const char *)buf + 312, "sub");
	CU_ASSERT_STRING_EQUAL((const char *)buf + 612, "/abs/path/file");
	CU_ASSERT_EQUAL(buf[611], 0); /* padding */
	p = buf + 912;
	CU_ASSERT_STRING_EQUAL((const char *)p, "0xC612000B");
	CU_ASSERT_EQUAL(memcmp(p + 80, "\xc6\x12\x00\x0b\x01\x00\x00\x00", 8), 0);
	CU_ASSERT_EQUAL(p[88], 0xAB);
	CU_ASSERT_EQUAL(p[107], 0xAB);
	CU_ASSERT_EQUAL(p[108], 0);
	p += 156;
	CU_ASSERT_STRING_EQUAL((const char *)p, "0xC612000C");
	CU_ASSERT_EQUAL(memcmp(p + 80, "\xc6\x12\x00\x0c\x00\x00\x00\x00", 8), 0);
	CU_ASSERT_EQUAL(p[88], 0);
}

static void test_roundtrip(void)
{
	struct uftp_restart r, d;
	struct uftp_peer_key h[2];
	uint8_t buf[2000];
	ssize_t n;

	sample(&r, h);
	n = uftp_restart_encode(buf, sizeof(buf), &r);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(uftp_restart_decode(&d, buf, (size_t)n), 0);
	CU_ASSERT_EQUAL(d.group_id, 0x6909FC76);
	CU_ASSERT_EQUAL(d.group_inst, 2);
	CU_ASSERT_EQUAL_FATAL(d.nfiles, 3);
	CU_ASSERT_STRING_EQUAL(d.files[0], "a.txt");
	CU_ASSERT_STRING_EQUAL(d.files[2], "/abs/path/file");
	CU_ASSERT_EQUAL_FATAL(d.nhosts, 2);
	CU_ASSERT_EQUAL(d.hosts[0].id, 0xC612000B);
	CU_ASSERT_EQUAL(d.hosts[0].has_fp, 1);
	CU_ASSERT_EQUAL(memcmp(d.hosts[0].fp, h[0].fp, sizeof(h[0].fp)), 0);
	CU_ASSERT_EQUAL(d.hosts[1].id, 0xC612000C);
	CU_ASSERT_EQUAL(d.hosts[1].has_fp, 0);
	uftp_restart_free(&d);
	CU_ASSERT_PTR_NULL(d.files);
	/* no client record: decodes (the reference then runs an open group) */
	CU_ASSERT_EQUAL_FATAL(uftp_restart_decode(&d, buf, 912), 0);
	CU_ASSERT_EQUAL(d.nhosts, 0);
	uftp_restart_free(&d);
}

static void test_encode_errors(void)
{
	struct uftp_restart r;
	struct uftp_peer_key h[2];
	const char *bad[1];
	char longname[301];
	uint8_t buf[2000];

	sample(&r, h);
	CU_ASSERT_EQUAL(uftp_restart_encode(buf, 1223, &r), UFTP_ERR_NOSPACE);
	memset(longname, 'x', 300);
	longname[300] = '\0';
	bad[0] = longname; /* 300 bytes leave no room for the NUL */
	r.files = bad;
	r.nfiles = 1;
	CU_ASSERT_EQUAL(uftp_restart_encode(buf, sizeof(buf), &r), UFTP_ERR_INVALID);
	bad[0] = "";
	CU_ASSERT_EQUAL(uftp_restart_encode(buf, sizeof(buf), &r), UFTP_ERR_INVALID);
}

static int decode_rv(const uint8_t *buf, size_t len)
{
	struct uftp_restart d;
	int rv = uftp_restart_decode(&d, buf, len);

	if (rv == 0)
		uftp_restart_free(&d);
	else
		CU_ASSERT_PTR_NULL(d.files);
	return rv;
}

static void test_decode_errors(void)
{
	struct uftp_restart r;
	struct uftp_peer_key h[2];
	uint8_t buf[2000], b2[2000];
	ssize_t n;

	sample(&r, h);
	n = uftp_restart_encode(buf, sizeof(buf), &r);
	CU_ASSERT_FATAL(n == 1224);
	CU_ASSERT_EQUAL(decode_rv(buf, 0), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(decode_rv(buf, 11), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(decode_rv(buf, 12), UFTP_ERR_TRUNCATED); /* 3 names announced */
	CU_ASSERT_EQUAL(decode_rv(buf, 911), UFTP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(decode_rv(buf, 1000), UFTP_ERR_BADLEN); /* a partial client */
	CU_ASSERT_EQUAL(decode_rv(buf, 1223), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(decode_rv(buf, 1224), 0);
	memcpy(b2, buf, 1224); /* no file at all */
	memset(b2 + 8, 0, 4);
	CU_ASSERT_EQUAL(decode_rv(b2, 12), UFTP_ERR_BADVALUE);
	memcpy(b2, buf, 1224); /* a count beyond any length */
	memset(b2 + 8, 0xff, 4);
	CU_ASSERT_EQUAL(decode_rv(b2, 1224), UFTP_ERR_TRUNCATED);
	memcpy(b2, buf, 1224); /* an empty name */
	b2[12] = 0;
	CU_ASSERT_EQUAL(decode_rv(b2, 1224), UFTP_ERR_BADVALUE);
	memcpy(b2, buf, 1224); /* a name without its NUL */
	memset(b2 + 312, 'y', 300);
	CU_ASSERT_EQUAL(decode_rv(b2, 1224), UFTP_ERR_BADVALUE);
	memcpy(b2, buf, 1224); /* client ID 0 */
	memset(b2 + 912 + 80, 0, 4);
	CU_ASSERT_EQUAL(decode_rv(b2, 1224), UFTP_ERR_BADVALUE);
	memcpy(b2, buf, 1224); /* fingerprint flag neither 0 nor 1 */
	b2[912 + 84] = 7;
	CU_ASSERT_EQUAL(decode_rv(b2, 1224), UFTP_ERR_BADVALUE);
}

static const struct cutest tests[] = {
    CUTEST(test_layout),        CUTEST(test_roundtrip),  CUTEST(test_encode_errors),
    CUTEST(test_decode_errors), CUTEST(test_host_names),
};

CUTEST_MAIN("server_restart", tests)
