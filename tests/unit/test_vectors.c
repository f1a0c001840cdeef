/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Replays the packets captured from the real UFTP 4.10.2 binaries
 * (tests/vectors/NAME.pkts, written by scripts/capture-vectors.sh): each UDP
 * payload is decoded (header, then the body by function code; only the
 * envelope of ENCRYPTED), re-encoded, and must come out byte for byte.
 * This is how the real binaries settle what protocol.txt leaves stale.
 *
 * File format: '#' lines are comments; a packet is
 *   pkt <index> <src>:<port> <dst>:<port> <hex of the UDP payload>
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>

#include "core/err.h"
#include "core/msg.h"
#include "tests/unit/cutest.h"

#define PKT_MAX 65536

struct stats {
	unsigned long files;
	unsigned long pkts;
	unsigned long bad;
	unsigned long per_type[UFTP_MSG_MAX + 1];
	unsigned long per_ext[256];
};

static struct stats st;

static int fail(const char *where, const char *what, long rv)
{
	fprintf(stderr, "%s: %s (%ld: %s)\n", where, what, rv, uftp_strerror((int)rv));
	st.bad++;
	return -1;
}

/* Decodes and re-encodes one known extension; unknown types are only counted. */
static int check_ext(const struct uftp_ext *e, const char *where)
{
	union {
		struct uftp_ext_enc_info enc;
		struct uftp_ext_tfmcc_data_info data;
		struct uftp_ext_tfmcc_ack_info ack;
		struct uftp_ext_freespace_info fs;
	} x;
	uint8_t out[1024];
	ssize_t rv, wr;

	st.per_ext[e->type]++;
	switch (e->type) {
	case UFTP_EXT_ENC_INFO:
		rv = uftp_decode_ext_enc_info(&x.enc, e->ptr, e->len);
		wr = rv < 0 ? rv : uftp_encode_ext_enc_info(out, sizeof(out), &x.enc);
		break;
	case UFTP_EXT_TFMCC_DATA_INFO:
		rv = uftp_decode_ext_tfmcc_data_info(&x.data, e->ptr, e->len);
		wr = rv < 0 ? rv : uftp_encode_ext_tfmcc_data_info(out, sizeof(out), &x.data);
		break;
	case UFTP_EXT_TFMCC_ACK_INFO:
		rv = uftp_decode_ext_tfmcc_ack_info(&x.ack, e->ptr, e->len);
		wr = rv < 0 ? rv : uftp_encode_ext_tfmcc_ack_info(out, sizeof(out), &x.ack);
		break;
	case UFTP_EXT_FREESPACE_INFO:
		rv = uftp_decode_ext_freespace_info(&x.fs, e->ptr, e->len);
		wr = rv < 0 ? rv : uftp_encode_ext_freespace_info(out, sizeof(out), &x.fs);
		break;
	default: return 0;
	}
	if (rv != (ssize_t)e->len || wr != rv)
		return fail(where, "extension decode/re-encode", (long)(rv < 0 ? rv : wr));
	if (memcmp(out, e->ptr, e->len))
		return fail(where, "re-encoded extension differs", 0);
	return 0;
}

/* The extension area of any decoded message (ENCRYPTED has none). */
static void msg_exts(const struct uftp_msg *m, const uint8_t **ext, size_t *len)
{
	switch (m->func) {
	case UFTP_MSG_ANNOUNCE:
		*ext = m->u.announce.ext;
		*len = m->u.announce.ext_len;
		break;
	case UFTP_MSG_REGISTER:
		*ext = m->u.reg.ext;
		*len = m->u.reg.ext_len;
		break;
	case UFTP_MSG_FILESEG:
		*ext = m->u.fileseg.ext;
		*len = m->u.fileseg.ext_len;
		break;
	case UFTP_MSG_STATUS:
		*ext = m->u.status.ext;
		*len = m->u.status.ext_len;
		break;
	case UFTP_MSG_COMPLETE:
		*ext = m->u.complete.ext;
		*len = m->u.complete.ext_len;
		break;
	case UFTP_MSG_CC_ACK:
		*ext = m->u.cc_ack.ext;
		*len = m->u.cc_ack.ext_len;
		break;
	case UFTP_MSG_FILEINFO:
		*ext = m->u.fileinfo.ext;
		*len = m->u.fileinfo.ext_len;
		break;
	default:
		*ext = NULL;
		*len = 0;
		break;
	}
}

static int check_exts(const struct uftp_msg *m, const char *where)
{
	struct uftp_ext_iter it;
	struct uftp_ext e;
	const uint8_t *ext;
	size_t len;
	int rv;

	msg_exts(m, &ext, &len);
	uftp_ext_iter_init(&it, ext, len);
	for (;;) {
		rv = uftp_ext_next(&it, &e);
		if (rv < 0)
			return fail(where, "extension area", rv);
		if (rv == 0)
			return 0;
		if (check_ext(&e, where) < 0)
			return -1;
	}
}

/* Decodes and re-encodes the body; returns 0 or -1. */
static int check_body(const struct uftp_header *h, const uint8_t *body, size_t len,
                      const char *where)
{
	static uint8_t out[PKT_MAX];
	struct uftp_msg m;
	int func = h->func;
	ssize_t rv;

	if (func != UFTP_MSG_ENCRYPTED) {
		func = uftp_msg_func(body, len);
		if (func != h->func)
			return fail(where, "body function differs from header", func);
	}
	rv = uftp_decode_msg(&m, (uint8_t)func, body, len);
	if (rv != (ssize_t)len)
		return fail(where, "decode", (long)rv);
	rv = uftp_encode_msg(out, sizeof(out), &m);
	if (rv != (ssize_t)len)
		return fail(where, "re-encode length", (long)rv);
	if (memcmp(out, body, len))
		return fail(where, "re-encoded bytes differ", 0);
	st.per_type[func]++;
	return check_exts(&m, where);
}

static int check_packet(const uint8_t *pkt, size_t len, const char *where)
{
	struct uftp_header h;
	uint8_t hdr[UFTP_HEADER_LEN];
	ssize_t rv;

	st.pkts++;
	rv = uftp_decode_header(&h, pkt, len);
	if (rv < 0)
		return fail(where, "header", (long)rv);
	if (uftp_encode_header(hdr, sizeof(hdr), &h) != UFTP_HEADER_LEN ||
	    memcmp(hdr, pkt, UFTP_HEADER_LEN))
		return fail(where, "re-encoded header differs", 0);
	return check_body(&h, pkt + UFTP_HEADER_LEN, len - UFTP_HEADER_LEN, where);
}

/* Parses one "pkt ..." line and checks the packet; other lines are skipped. */
static void check_line(const char *line, const char *file)
{
	static uint8_t pkt[PKT_MAX];
	char where[4200], idx[32];
	const char *hex = line;
	long n;
	int field;

	if (strncmp(line, "pkt ", 4))
		return;
	for (field = 0; field < 4 && hex; field++) {
		hex = strchr(hex, ' ');
		if (hex)
			hex++;
	}
	if (!hex || sscanf(line + 4, "%31s", idx) != 1) {
		fail(file, "malformed pkt line", 0);
		return;
	}
	snprintf(where, sizeof(where), "%s pkt %s", file, idx);
	n = cutest_unhex(hex, pkt, sizeof(pkt));
	if (n < 0) {
		fail(where, "bad hex", 0);
		return;
	}
	check_packet(pkt, (size_t)n, where);
}

static void check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	st.files++;
	while ((got = getline(&line, &cap, f)) > 0) {
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		check_line(line, path);
	}
	free(line);
	fclose(f);
}

static int is_pkts(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".pkts") == 0;
}

static void report(const char *dir)
{
	int t;

	if (st.files == 0) {
		printf("NOTE: no *.pkts files in %s yet: nothing to replay\n", dir);
		return;
	}
	printf("replayed %lu packets from %lu files in %s, %lu failed\n", st.pkts, st.files, dir,
	       st.bad);
	for (t = 1; t <= UFTP_MSG_MAX; t++)
		if (st.per_type[t])
			printf("  %-13s %lu\n", uftp_msg_name(t), st.per_type[t]);
	for (t = 0; t < 256; t++)
		if (st.per_ext[t])
			printf("  extension %d: %lu\n", t, st.per_ext[t]);
}

static void test_vectors_replay(void)
{
	const char *dir = getenv("UFTP_VECTOR_DIR");
	char path[4096];
	struct dirent *de;
	DIR *d;

	if (!dir)
		dir = "tests/vectors";
	d = opendir(dir);
	if (!d) {
		printf("NOTE: vector directory %s not found: nothing to replay\n", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_pkts(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_file(path);
	}
	closedir(d);
	report(dir);
	CU_ASSERT_EQUAL(st.bad, 0);
}

static const struct cutest tests[] = {
    CUTEST(test_vectors_replay),
};

CUTEST_MAIN("vectors", tests)
