/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control port's request parser and answers (lib/control.h), fed the
 * bytes a client sends, in the pieces they may arrive in.
 *
 * Input: u8 ctl, then the bytes.  ctl bits 0-5: the size of every piece
 * but the last (1-64; 0: one piece); bit 6: the peer shuts down its side
 * after the last.  After each piece the parser sees all bytes so far (at
 * most UFTP_CTL_HEAD_MAX, as the daemon's buffer), and once it decides,
 * the answer is rendered from a fixed stats snapshot and checked.
 */
#include "config.h"

#include <assert.h>
#include <string.h>

#include "lib/control.h"
#include "tests/fuzz/fuzz.h"

static void get(const void *core, struct uftp_core_stats *st)
{
	(void)core;
	memset(st, 0, sizeof(*st));
	st->role = UFTP_ROLE_CLIENT;
	st->rx_datagrams = 7;
}

static int session(const void *core, size_t i, struct uftp_session_stats *ss, uint64_t now)
{
	(void)core;
	(void)now;
	if (i > 0)
		return 0;
	memset(ss, 0, sizeof(*ss));
	ss->group_id = 1;
	ss->state = "active";
	ss->file = "f\"\\\n\xff";
	ss->npeers = 1;
	return 1;
}

static int peer(const void *core, size_t i, size_t j, struct uftp_peer_stats *ps)
{
	(void)core;
	if (i > 0 || j > 0)
		return 0;
	memset(ps, 0, sizeof(*ps));
	ps->id = 2;
	ps->state = "server";
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The answer's shape: what the request kind promises. */
static void check_answer(const struct uftp_ctl_req *req, const struct uftp_text *t)
{
	assert(t->err == 0);
	if (req->kind == UFTP_CTL_HTTP) {
		assert(t->len > 17 && memcmp(t->p, "HTTP/1.1 ", 9) == 0);
		assert(strstr(t->p, "\r\nConnection: close\r\n\r\n") != NULL);
	} else if (req->kind == UFTP_CTL_TCPMUX) {
		assert(t->len >= 3 && memcmp(t->p + t->len - 1, "\n", 1) == 0);
		assert(t->p[0] == '+' || t->p[0] == '-' || req->service == UFTP_CTL_SVC_HELP);
	} else {
		assert(t->len == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uftp_daemon_info info = {"uftpd", "0", 1, 0};
	struct uftp_stats_view v = {NULL, get, session, peer};
	char buf[UFTP_CTL_HEAD_MAX];
	struct uftp_ctl_req req;
	struct uftp_text t;
	size_t piece, have = 0, n;
	int eof, kind = UFTP_CTL_MORE;

	if (size < 1)
		return 0;
	piece = data[0] & 0x3f ? data[0] & 0x3f : sizeof(buf);
	eof = (data[0] & 0x40) != 0;
	data++, size--;
	while (kind == UFTP_CTL_MORE && have < sizeof(buf)) {
		n = size < piece ? size : piece;
		if (n > sizeof(buf) - have)
			n = sizeof(buf) - have;
		memcpy(buf + have, data, n);
		have += n, data += n, size -= n;
		kind = uftp_ctl_parse(&req, buf, have, eof && size == 0);
		if (size == 0)
			break;
	}
	if (kind == UFTP_CTL_MORE) {
		assert(!(eof && size == 0) && have < sizeof(buf));
		uftp_ctl_timeout_req(&req, buf, have);
	}
	uftp_text_init(&t, UFTP_CTL_ANSWER_MAX);
	uftp_ctl_answer(&t, &req, &v, &info, 1000000000ULL);
	check_answer(&req, &t);
	uftp_text_free(&t);
	return 0;
}
