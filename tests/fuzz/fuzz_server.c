/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzzes the sender's session core (src/core/server.h) with a script of
 * datagrams (fuzz.h) from receivers, on a fake clock.  The session sends the
 * file set of tests/vectors (pattern.bin, hello.txt, dir/...) to an open
 * group, unencrypted; its server and group IDs are taken from the first
 * record's UFTP header when it has one, so the captured replies of real
 * receivers in the seed corpus belong to the session.  The clock then runs
 * on until the session finishes (bounded), and the read_at calls are
 * checked to stay inside the files.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/server.h"
#include "tests/common/testenv.h"
#include "tests/fuzz/fuzz.h"

static const struct uftp_server_file files[] = {
    {.name = "pattern.bin", .ftype = UFTP_FTYPE_REG, .size = 3000, .mtime = 1577836800},
    {.name = "hello.txt", .ftype = UFTP_FTYPE_REG, .size = 43, .mtime = 1577836800},
    {.name = "dir/empty", .ftype = UFTP_FTYPE_DIR},
    {.name = "dir/inner.txt", .ftype = UFTP_FTYPE_REG, .size = 11, .mtime = 1577836800},
    {.name = "dir/link", .link = "inner.txt", .ftype = UFTP_FTYPE_LINK},
    {.name = "big.bin", .ftype = UFTP_FTYPE_REG, .size = 40000, .mtime = 1577836800},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static uint8_t out[65536];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

static void drain(struct uftp_server *s, uint64_t now)
{
	struct uftp_server_event ev;
	struct uftp_peer to;
	int i;

	for (i = 0; i < 2000 && uftp_server_pop_send(s, &to, out, sizeof(out), now) > 0; i++)
		;
	for (i = 0; i < 10000 && uftp_server_pop_event(s, &ev) > 0; i++)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uftp_peer client = {{4, {198, 18, 0, 11}}, 1044};
	static const struct uftp_peer stranger = {{4, {198, 18, 0, 12}}, 1044};
	struct uftp_server_config cfg;
	struct testsrc src = {files, NFILES};
	struct uftp_server_file_ops fops = TESTSRC_FOPS(&src);
	struct testenv te;
	struct uftp_env env;
	struct uftp_server *s;
	struct fuzz_rec r;
	uint64_t now = 1000ULL * UFTP_NS_PER_SEC, exp, target;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	testenv_init(&te, &env, 7, &now, -1, "FUZZ_LOG");
	cfg.server_id = 0xC612000A;
	cfg.group_id = 0x11223344;
	if (size >= 3 + UFTP_HEADER_LEN) {
		get_u32be(&cfg.group_id, data + 3 + 8);
		if (cfg.group_id == 0)
			cfg.group_id = 1;
	}
	cfg.pub_addr = (struct uftp_ipaddr){4, {230, 4, 4, 1}};
	cfg.priv_addr = (struct uftp_ipaddr){4, {230, 5, 5, 180}};
	cfg.port = 1044;
	cfg.block_size = 1300;
	/*
	 * 5 announce rounds of 3 GRTT: the file phase starts at 7.5 s and a
	 * silent client is dropped 7.5 s later; the seed scripts wait 10 s
	 * before the first reply of the file phase (tests/tools/fuzz_seeds.py).
	 * GRTT at most 1 s: captured REGISTERs echo timestamps from the past.
	 */
	cfg.robust = 5;
	cfg.rate_kbps = 100000;
	cfg.grtt_init = UFTP_NS_PER_SEC / 2;
	cfg.grtt_min = UFTP_NS_PER_SEC / 100;
	cfg.grtt_max = UFTP_NS_PER_SEC;
	cfg.max_nak_pct = 100;
	cfg.files = files;
	cfg.nfiles = NFILES;
	cfg.fops = &fops;
	if (uftp_server_new(&s, &env, &cfg, now) < 0)
		abort();
	drain(s, now);
	while (fuzz_next(&data, &size, &r)) {
		/* the clock moves on, every timer due on the way firing in order */
		target = now + r.advance_ns;
		for (i = 0; i < 1000 && (exp = uftp_server_next_expiry(s)) <= target; i++) {
			if (exp > now)
				now = exp;
			uftp_server_on_expiry(s, now);
			drain(s, now);
		}
		now = target;
		if (getenv("FUZZ_LOG"))
			fprintf(stderr, "t=%.3f: record of %zu bytes\n",
			        (double)(now - 1000ULL * UFTP_NS_PER_SEC) / 1e9, r.len);
		uftp_server_on_datagram(s, r.stranger ? &stranger : &client, r.buf, r.len, now);
		drain(s, now);
	}
	for (i = 0; i < 300 && !uftp_server_finished(s); i++) {
		exp = uftp_server_next_expiry(s);
		if (exp == UFTP_NEVER)
			break;
		if (exp > now)
			now = exp;
		uftp_server_on_expiry(s, now);
		drain(s, now);
	}
	if (i == 300 && !uftp_server_finished(s))
		uftp_server_abort(s, "fuzz: end", now);
	drain(s, now);
	uftp_server_free(s);
	return 0;
}
