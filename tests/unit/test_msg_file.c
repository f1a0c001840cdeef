/* SPDX-License-Identifier: BSD-2-Clause */
/* FILEINFO, FILEINFO_ACK, FILESEG, DONE, STATUS, COMPLETE, DONE_CONF. */
#include "config.h"

#include "tests/unit/test_msg.h"

/* Captured: FILEINFO for pattern.bin, two clients (tests/vectors/closed.pkts pkt 4). */
static const char fileinfo_real[] = "07"
                                    "0a"   /* FILEINFO, 10 words = 28 + 12 */
                                    "0001" /* file ID 1 */
                                    "00"
                                    "000000" /* regular file, reserved */
                                    "03"
                                    "00" /* name 3 words, no link */
                                    "0000"
                                    "00000bb8" /* size 3000 */
                                    "5e0be100" /* file timestamp */
                                    "6b027812"
                                    "00040d7a"                 /* timestamp */
                                    "7061747465726e2e62696e00" /* "pattern.bin" + NUL pad */
                                    "c612000b"
                                    "c612000c"; /* client IDs */

/* Hand-built: symlink "dir/link" (8 bytes: 2 words, no NUL) -> "inner.txt" (3 words). */
static const char fileinfo_link[] = "07"
                                    "0c" /* FILEINFO, 12 words = 28 + 8 + 12 */
                                    "0004"
                                    "02"
                                    "000000" /* file ID 4, symlink */
                                    "02"
                                    "03" /* name 2 words, link 3 words */
                                    "0001"
                                    "00000002" /* size 2^32 + 2 */
                                    "5e0be100"
                                    "00000001"
                                    "00000002"
                                    "6469722f6c696e6b"          /* "dir/link" */
                                    "696e6e65722e747874000000"; /* "inner.txt" + pad */

static void test_fileinfo_real(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(fileinfo_real, v);
	struct uftp_msg m;
	struct uftp_fileinfo *f = &m.u.fileinfo;

	check_all(UFTP_MSG_FILEINFO, v, n, 28, 40);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO, v, n), 48);
	CU_ASSERT_EQUAL(f->file_id, 1);
	CU_ASSERT_EQUAL(f->ftype, UFTP_FTYPE_REG);
	CU_ASSERT_EQUAL(f->fsize, 3000);
	CU_ASSERT_EQUAL(f->ftstamp, 0x5e0be100U);
	CU_ASSERT_EQUAL(f->name_len, 11);
	CU_ASSERT_EQUAL(memcmp(f->name, "pattern.bin", 11), 0);
	CU_ASSERT_EQUAL(f->link, NULL);
	CU_ASSERT_EQUAL(f->link_len, 0);
	CU_ASSERT_EQUAL(f->ids.count, 2);
}

static void test_fileinfo_link(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(fileinfo_link, v);
	struct uftp_msg m;
	struct uftp_fileinfo *f = &m.u.fileinfo;

	check_all(UFTP_MSG_FILEINFO, v, n, 28, 48);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO, v, n), 48);
	CU_ASSERT_EQUAL(f->ftype, UFTP_FTYPE_LINK);
	CU_ASSERT_EQUAL(f->fsize, 0x100000002ULL);
	CU_ASSERT_EQUAL(f->name_len, 8);
	CU_ASSERT_EQUAL(memcmp(f->name, "dir/link", 8), 0);
	CU_ASSERT_EQUAL(f->link_len, 9);
	CU_ASSERT_EQUAL(memcmp(f->link, "inner.txt", 9), 0);
	CU_ASSERT_EQUAL(f->ids.count, 0);
}

static void test_fileinfo_errors(void)
{
	struct uftp_msg m;
	uint8_t v[VEC_MAX], out[VEC_MAX];
	size_t n;

	/* Name Length 0 */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_real, 8, 0), UFTP_ERR_BADLEN);
	/* name or link running past the header length */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_real, 8, 4), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_link, 9, 4), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_link, 8, 3), UFTP_ERR_BADLEN);
	/* empty name, junk after the NUL */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_real, 28, 0), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_link, 46, 'x'), UFTP_ERR_BADVALUE);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_link, 45, 'x'),
	                48); /* "inner.txtx" */
	/* more padding than the name needs: "ab" in 2 words */
	n = vec("0709"
	        "0001"
	        "00000000"
	        "0200"
	        "0000"
	        "00000001"
	        "000000000000000000000000"
	        "6162000000000000",
	        v);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO, v, n), UFTP_ERR_BADLEN);
	v[1] = 8;
	v[8] = 1;
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO, v, 32), 32);
	/* zero-length extension between link and header end */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILEINFO, fileinfo_real, 1, 11), UFTP_ERR_BADLEN);
	/* client ID list not a multiple of 4 */
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_FILEINFO, fileinfo_real, "01"), UFTP_ERR_BADLEN);
	/* encoder checks */
	n = vec(fileinfo_link, v);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO, v, n), (ssize_t)n);
	m.u.fileinfo.fsize = UFTP_MAX_FILESIZE + 1;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
	m.u.fileinfo.fsize = UFTP_MAX_FILESIZE;
	CU_ASSERT(uftp_encode_msg(out, sizeof(out), &m) > 0);
	m.u.fileinfo.name = (const uint8_t *)"a\0b";
	m.u.fileinfo.name_len = 3;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
	m.u.fileinfo.name_len = 0;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
	m.u.fileinfo.name = out;
	m.u.fileinfo.name_len = 1021;
	memset(out, 'a', 1021);
	CU_ASSERT_EQUAL(uftp_encode_msg(v, sizeof(v), &m), UFTP_ERR_INVALID);
}

/* Captured: FILEINFO_ACK (tests/vectors/closed.pkts pkt 5). */
static const char fileinfo_ack[] = "08"
                                   "04"
                                   "0001" /* FILEINFO_ACK, 4 words, file 1 */
                                   "00"
                                   "000000" /* flags none, reserved */
                                   "6b027812"
                                   "00040e88"; /* timestamp */

static void test_fileinfo_ack(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(fileinfo_ack, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_FILEINFO_ACK, v, n, 16, 16);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO_ACK, v, n), 16);
	CU_ASSERT_EQUAL(m.u.fileinfo_ack.file_id, 1);
	CU_ASSERT_EQUAL(m.u.fileinfo_ack.tstamp_usec, 0x40e88);
	/* a proxy's, flagged PARTIAL, relaying two clients */
	n = vec("0804000201000000"
	        "0000000100000002"
	        "c612000bc612000c",
	        v);
	check_all(UFTP_MSG_FILEINFO_ACK, v, n, 16, 16);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILEINFO_ACK, v, n), 24);
	CU_ASSERT_EQUAL(m.u.fileinfo_ack.flags, UFTP_FILEINFO_ACK_PARTIAL);
	CU_ASSERT_EQUAL(m.u.fileinfo_ack.ids.count, 2);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_FILEINFO_ACK, fileinfo_ack, "0000"), UFTP_ERR_BADLEN);
}

/* Captured with TFMCC (tests/vectors/tfmcc.pkts pkt 24): header, then the 1300-byte block. */
static const char fileseg_tfmcc[] = "09"
                                    "04"
                                    "0001" /* FILESEG, 4 words, file 1 */
                                    "0000"
                                    "0000" /* section 0, block 0 */
                                    "02"
                                    "02"
                                    "2125" /* TFMCC_DATA_INFO, 2 words, send rate */
                                    "0000"
                                    "481e"; /* CC sequence 0, CC rate */

static void test_fileseg(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(fileseg_tfmcc, v), i;
	struct uftp_msg m;
	struct uftp_fileseg *s = &m.u.fileseg;
	struct uftp_ext_tfmcc_data_info d;

	for (i = 0; i < 1300; i++) /* pattern.bin: byte i = i % 251 */
		v[n + i] = (uint8_t)(i % 251);
	n += 1300;
	check_all(UFTP_MSG_FILESEG, v, n, 8, 16);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILESEG, v, n), 1316);
	CU_ASSERT_EQUAL(s->file_id, 1);
	CU_ASSERT_EQUAL(s->section, 0);
	CU_ASSERT_EQUAL(s->block, 0);
	CU_ASSERT_EQUAL(s->data, v + 16);
	CU_ASSERT_EQUAL(s->data_len, 1300);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_tfmcc_data_info(&d, s->ext, s->ext_len), 8);
	CU_ASSERT_EQUAL(d.send_rate, 0x2125);
	CU_ASSERT_EQUAL(d.cc_rate, 0x481e);
	/* a short last block, no extension */
	n = vec("0902000300050007"
	        "414243",
	        v);
	check_all(UFTP_MSG_FILESEG, v, n, 8, 8);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_FILESEG, v, n), 11);
	CU_ASSERT_EQUAL(s->file_id, 3);
	CU_ASSERT_EQUAL(s->section, 5);
	CU_ASSERT_EQUAL(s->block, 7);
	CU_ASSERT_EQUAL(s->data_len, 3);
	/* zero-length and overrunning extension */
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILESEG, fileseg_tfmcc, 9, 0), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_FILESEG, fileseg_tfmcc, 9, 3), UFTP_ERR_BADLEN);
}

/* Captured: DONE for section 0 of file 1 (tests/vectors/closed.pkts pkt 10). */
static const char done[] = "0a"
                           "02"
                           "0001" /* DONE, 2 words, file 1 */
                           "0000"
                           "0000" /* section 0, reserved */
                           "c612000b"
                           "c612000c";

static void test_done(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(done, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_DONE, v, n, 8, 8);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_DONE, v, n), 16);
	CU_ASSERT_EQUAL(m.u.done.file_id, 1);
	CU_ASSERT_EQUAL(m.u.done.section, 0);
	CU_ASSERT_EQUAL(m.u.done.ids.count, 2);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_DONE, done, "00"), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_DONE, done, 1, 3), UFTP_ERR_BADLEN);
}

/* Captured: STATUS with a 1-byte NAK map (tests/vectors/loss.pkts pkt 33). */
static const char status_real[] = "0b"
                                  "02"
                                  "0001" /* STATUS, 2 words, file 1 */
                                  "0000"
                                  "0000" /* section 0, reserved */
                                  "02";  /* NAK for block 1 */

/* Hand-built: STATUS with EXT_TFMCC_ACK_INFO and a 4-byte NAK map. */
static const char status_tfmcc[] = "0b"
                                   "07"
                                   "0002"
                                   "0003"
                                   "0000" /* 7 words, file 2, sect. 3 */
                                   "03"
                                   "05"
                                   "0a"
                                   "00" /* TFMCC_ACK_INFO, CC_RTT|CC_LEAVE */
                                   "0011"
                                   "2233"
                                   "c612000b"
                                   "00000001"
                                   "00000002"
                                   "80000001"; /* NAKs for blocks 0 and 31 */

static void test_status(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(status_real, v);
	struct uftp_msg m;
	struct uftp_status *s = &m.u.status;
	struct uftp_ext_tfmcc_ack_info a;

	check_all(UFTP_MSG_STATUS, v, n, 8, 8);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_STATUS, v, n), 9);
	CU_ASSERT_EQUAL(s->naks, v + 8);
	CU_ASSERT_EQUAL(s->naks_len, 1);
	n = vec(status_tfmcc, v);
	check_all(UFTP_MSG_STATUS, v, n, 8, 28);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_STATUS, v, n), 32);
	CU_ASSERT_EQUAL(s->file_id, 2);
	CU_ASSERT_EQUAL(s->section, 3);
	CU_ASSERT_EQUAL(s->naks_len, 4);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_ext_tfmcc_ack_info(&a, s->ext, s->ext_len), 20);
	CU_ASSERT_EQUAL(a.flags, UFTP_CC_RTT | UFTP_CC_LEAVE);
	CU_ASSERT_EQUAL(a.client_id, 0xc612000bU);
}

static void test_status_nak_too_long(void)
{
	static uint8_t v[UFTP_MAX_NAK_LEN + 16], out[UFTP_MAX_NAK_LEN + 16];
	size_t n = vec(status_real, v);
	struct uftp_msg m;

	memset(v + 8, 0xff, UFTP_MAX_NAK_LEN + 1);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_STATUS, v, 8 + UFTP_MAX_NAK_LEN),
	                8 + UFTP_MAX_NAK_LEN);
	CU_ASSERT_EQUAL(uftp_decode_msg(&m, UFTP_MSG_STATUS, v, 8 + UFTP_MAX_NAK_LEN + 1),
	                UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_STATUS, v, n), 9);
	m.u.status.naks = v;
	m.u.status.naks_len = UFTP_MAX_NAK_LEN + 1;
	CU_ASSERT_EQUAL(uftp_encode_msg(out, sizeof(out), &m), UFTP_ERR_INVALID);
}

/* Captured: COMPLETE for file 1 (tests/vectors/closed.pkts pkt 11). */
static const char complete_real[] = "0c"
                                    "02"
                                    "0001" /* COMPLETE, 2 words, file 1 */
                                    "00"
                                    "000000"; /* status NORMAL, reserved */

/* Hand-built: a proxy's COMPLETE with free space, status OVERWRITE, two clients. */
static const char complete_fs[] = "0c"
                                  "05"
                                  "0000"
                                  "02"
                                  "000000" /* 5 words, file 0 */
                                  "07"
                                  "03"
                                  "0000"
                                  "0000001000000000" /* FREESPACE 64 GiB */
                                  "c612000b"
                                  "c612000c";

static void test_complete(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(complete_real, v);
	struct uftp_msg m;
	struct uftp_complete *c = &m.u.complete;
	struct uftp_ext e;
	struct uftp_ext_freespace_info fs;

	check_all(UFTP_MSG_COMPLETE, v, n, 8, 8);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_COMPLETE, v, n), 8);
	CU_ASSERT_EQUAL(c->file_id, 1);
	CU_ASSERT_EQUAL(c->status, UFTP_COMP_NORMAL);
	n = vec(complete_fs, v);
	check_all(UFTP_MSG_COMPLETE, v, n, 8, 20);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_COMPLETE, v, n), 28);
	CU_ASSERT_EQUAL(c->status, UFTP_COMP_OVERWRITE);
	CU_ASSERT_EQUAL(c->ids.count, 2);
	CU_ASSERT_EQUAL_FATAL(uftp_ext_find(c->ext, c->ext_len, UFTP_EXT_FREESPACE_INFO, &e), 1);
	CU_ASSERT_EQUAL(uftp_decode_ext_freespace_info(&fs, e.ptr, e.len), 12);
	CU_ASSERT_EQUAL(fs.freespace, 0x1000000000ULL);
	CU_ASSERT_EQUAL(dec_patched(UFTP_MSG_COMPLETE, complete_fs, 9, 4), UFTP_ERR_BADLEN);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_COMPLETE, complete_fs, "00"), UFTP_ERR_BADLEN);
}

/* Captured: DONE_CONF (tests/vectors/closed.pkts pkt 33). */
static const char done_conf[] = "0d"
                                "01"
                                "0000" /* DONE_CONF, 1 word, reserved */
                                "c612000b"
                                "c612000c";

static void test_done_conf(void)
{
	uint8_t v[VEC_MAX];
	size_t n = vec(done_conf, v);
	struct uftp_msg m;

	check_all(UFTP_MSG_DONE_CONF, v, n, 4, 4);
	CU_ASSERT_EQUAL_FATAL(uftp_decode_msg(&m, UFTP_MSG_DONE_CONF, v, n), 12);
	CU_ASSERT_EQUAL(uftp_idlist_get(&m.u.done_conf.ids, 0), 0xc612000bU);
	CU_ASSERT_EQUAL(dec_appended(UFTP_MSG_DONE_CONF, done_conf, "000000"), UFTP_ERR_BADLEN);
}

static const struct cutest tests[] = {
    CUTEST(test_fileinfo_real),   CUTEST(test_fileinfo_link),
    CUTEST(test_fileinfo_errors), CUTEST(test_fileinfo_ack),
    CUTEST(test_fileseg),         CUTEST(test_done),
    CUTEST(test_status),          CUTEST(test_status_nak_too_long),
    CUTEST(test_complete),        CUTEST(test_done_conf),
};

CUTEST_MAIN("msg_file", tests)
