/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control port's sockets (see control.h).  poll's callbacks only note
 * what is ready; uftp_ctl_turn() does the work with the turn's clock:
 *
 *   accept (at most ACCEPTS_PER_TURN)  -> reading, deadline now + TIMEOUT
 *   reading: one recv per turn          -> the request is complete (or the
 *            peer shut its side down)   -> the answer is rendered whole
 *   writing: one send per turn, at most SEND_CHUNK, until all is queued
 *   finish:  shutdown(SHUT_WR), discard what the peer sent meanwhile (so
 *            close() sends FIN, not a reset that could destroy the answer
 *            in flight), close at once
 *
 * A connection past its deadline is answered "-timeout" / 408 if it never
 * finished its request, or reset if it stops reading our answer; either
 * way it is closed, so no socket of ours waits in CLOSE_WAIT.  Errors of
 * a peer (a reset, EPIPE) just end its connection: sends use MSG_NOSIGNAL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "lib/clock.h"
#include "lib/control.h"
#include "lib/log.h"

#define ACCEPTS_PER_TURN 4
#define SEND_CHUNK       65536
#define ACCEPT_PAUSE     (UFTP_CTL_TIMEOUT / 5) /* after EMFILE and the like */
#define DISCARD_ROUNDS   4

struct conn {
	struct uftp_ctl *ctl;
	int fd;         /* -1: free */
	short revents;  /* what poll reported since the last turn */
	int eof;        /* the peer shut down its side */
	int writing;    /* the answer is rendered */
	uint64_t until; /* the connection's deadline */
	size_t inlen;
	char in[UFTP_CTL_HEAD_MAX];
	struct uftp_text out;
	size_t sent;
};

struct uftp_ctl {
	int fd; /* listening */
	struct uftp_loop *loop;
	struct uftp_stats_view view;
	struct uftp_daemon_info info;
	int accept_ready;
	uint64_t accept_resume; /* 0, or when to watch the listening socket again */
	struct conn conns[UFTP_CTL_MAX_CONNS];
};

/* ---- ending a connection --------------------------------------------------- */

/* Reads and drops what the peer sent and we did not read (bounded). */
static void discard_input(int fd)
{
	char buf[4096];
	int k;

	for (k = 0; k < DISCARD_ROUNDS; k++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
}

static void conn_free(struct conn *k)
{
	uftp_loop_del(k->ctl->loop, k->fd);
	close(k->fd);
	k->fd = -1;
	uftp_text_free(&k->out);
}

/* Everything is queued: our FIN goes after it, and the socket is closed at once. */
static void conn_finish(struct conn *k)
{
	shutdown(k->fd, SHUT_WR);
	discard_input(k->fd);
	conn_free(k);
}

/* A peer that stopped reading: a reset frees the kernel's copy of the answer too. */
static void conn_abort(struct conn *k)
{
	struct linger lg = {1, 0};

	setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_free(k);
}

/* ---- serving ------------------------------------------------------------- */

/* Sends one chunk of the answer; finishes when it is all queued. */
static void conn_write(struct conn *k)
{
	size_t left = k->out.len - k->sent;
	ssize_t n;

	if (left) {
		n = send(k->fd, k->out.p + k->sent, left < SEND_CHUNK ? left : SEND_CHUNK,
		         MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n < 0) {
			conn_free(k); /* reset, EPIPE: the peer is gone */
			return;
		}
		k->sent += (size_t)n;
	}
	if (k->sent == k->out.len)
		conn_finish(k);
}

static void conn_answer(struct conn *k, const struct uftp_ctl_req *req, uint64_t now)
{
	struct uftp_ctl *c = k->ctl;

	if (req->kind == UFTP_CTL_NONE) {
		conn_finish(k);
		return;
	}
	c->info.pid = (long)getpid(); /* the daemon may have forked since it opened the port */
	if (uftp_ctl_answer(&k->out, req, &c->view, &c->info, now) < 0)
		log_warnx("control port: an answer was too large (over %d bytes)",
		          UFTP_CTL_ANSWER_MAX);
	k->writing = 1;
	uftp_loop_set_events(c->loop, k->fd, POLLOUT);
	conn_write(k);
}

/* One read of the request; answers once it is complete. */
static void conn_read(struct conn *k, uint64_t now)
{
	struct uftp_ctl_req req;
	ssize_t n;

	n = recv(k->fd, k->in + k->inlen, sizeof(k->in) - k->inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		conn_free(k);
		return;
	}
	if (n == 0)
		k->eof = 1;
	k->inlen += (size_t)n;
	if (uftp_ctl_parse(&req, k->in, k->inlen, k->eof) != UFTP_CTL_MORE)
		conn_answer(k, &req, now);
	else if (k->eof)
		conn_finish(k); /* cannot happen: at the end, parse always decides */
}

static void conn_timeout(struct conn *k, uint64_t now)
{
	struct uftp_ctl_req req;

	if (k->writing) {
		conn_abort(k);
		return;
	}
	uftp_ctl_timeout_req(&req, k->in, k->inlen);
	conn_answer(k, &req, now);
	if (k->fd >= 0)
		conn_abort(k); /* the short answer did not even fit the socket buffer */
}

static void conn_serve(struct conn *k, uint64_t now)
{
	short ev = k->revents;

	k->revents = 0;
	if (now >= k->until) {
		conn_timeout(k, now);
		return;
	}
	if (!k->writing && (ev & (POLLIN | POLLHUP | POLLERR)))
		conn_read(k, now);
	else if (k->writing && (ev & (POLLOUT | POLLHUP | POLLERR)))
		conn_write(k);
}

static void on_conn(void *arg, int fd, short revents)
{
	struct conn *k = arg;

	(void)fd;
	k->revents |= revents;
}

/* ---- accepting ----------------------------------------------------------- */

static struct conn *free_conn(struct uftp_ctl *c)
{
	size_t i;

	for (i = 0; i < UFTP_CTL_MAX_CONNS; i++)
		if (c->conns[i].fd < 0)
			return &c->conns[i];
	return NULL;
}

/* No room: "-busy", our FIN, closed. */
static void refuse(int fd)
{
	static const char busy[] = "-busy\r\n";

	(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	discard_input(fd);
	close(fd);
}

static void take(struct uftp_ctl *c, int fd, uint64_t now)
{
	struct conn *k = free_conn(c);

	if (k == NULL || uftp_loop_add(c->loop, fd, POLLIN, on_conn, k) < 0) {
		refuse(fd);
		return;
	}
	k->fd = fd;
	k->revents = 0;
	k->eof = k->writing = 0;
	k->inlen = k->sent = 0;
	k->until = now + UFTP_CTL_TIMEOUT;
	uftp_text_init(&k->out, UFTP_CTL_ANSWER_MAX);
}

/* Stops accepting for a while when the process is out of descriptors or memory. */
static void pause_accepting(struct uftp_ctl *c, uint64_t now)
{
	log_warn("control port: cannot accept (paused for a second)");
	uftp_loop_set_events(c->loop, c->fd, 0);
	c->accept_resume = now + ACCEPT_PAUSE;
}

static void accept_some(struct uftp_ctl *c, uint64_t now)
{
	int k, fd;

	if (c->accept_resume && now >= c->accept_resume) {
		c->accept_resume = 0;
		uftp_loop_set_events(c->loop, c->fd, POLLIN);
	}
	if (!c->accept_ready)
		return;
	c->accept_ready = 0;
	for (k = 0; k < ACCEPTS_PER_TURN; k++) {
		fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			take(c, fd, now);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			pause_accepting(c, now);
		if (errno != ECONNABORTED && errno != EINTR)
			break;
	}
}

static void on_listen(void *arg, int fd, short revents)
{
	struct uftp_ctl *c = arg;

	(void)fd;
	(void)revents;
	c->accept_ready = 1;
}

/* ---- the port ------------------------------------------------------------ */

uint64_t uftp_ctl_turn(struct uftp_ctl *c, uint64_t now, uint64_t deadline)
{
	size_t i;

	if (c == NULL)
		return deadline;
	accept_some(c, now);
	for (i = 0; i < UFTP_CTL_MAX_CONNS; i++) {
		if (c->conns[i].fd < 0)
			continue;
		conn_serve(&c->conns[i], now);
		if (c->conns[i].fd >= 0 && c->conns[i].until < deadline)
			deadline = c->conns[i].until;
	}
	if (c->accept_resume && c->accept_resume < deadline)
		deadline = c->accept_resume;
	return deadline;
}

static int listen_on(const struct uftp_addr *a)
{
	int fd, one = 1;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, UFTP_CTL_MAX_CONNS) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int uftp_ctl_open(struct uftp_ctl **out, const char *spec, struct uftp_loop *loop,
                  struct uftp_stats_view v, const char *program)
{
	char buf[UFTP_ADDRSTRLEN];
	struct uftp_ctl *c;
	struct uftp_addr a;
	size_t i;

	*out = NULL;
	if (uftp_ctl_parse_spec(&a, spec) < 0) {
		log_warnx("--control %s: expected [ADDR:]PORT", spec);
		return UFTP_ERR_INVALID;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return UFTP_ERR_NOMEM;
	c->fd = listen_on(&a);
	if (c->fd < 0 || uftp_loop_add(loop, c->fd, POLLIN, on_listen, c) < 0) {
		log_warn("cannot listen on control port %s",
		         uftp_addr_format(&a, buf, sizeof(buf)));
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return UFTP_ERR_IO;
	}
	c->loop = loop;
	c->view = v;
	c->info.program = program;
	c->info.version = PACKAGE_VERSION;
	c->info.started = uftp_clock_now();
	for (i = 0; i < UFTP_CTL_MAX_CONNS; i++) {
		c->conns[i].ctl = c;
		c->conns[i].fd = -1;
	}
	log_info("control port on %s (TCPMUX and HTTP: status and metrics)",
	         uftp_addr_format(&a, buf, sizeof(buf)));
	*out = c;
	return 0;
}

void uftp_ctl_close(struct uftp_ctl *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < UFTP_CTL_MAX_CONNS; i++)
		if (c->conns[i].fd >= 0)
			conn_abort(&c->conns[i]);
	uftp_loop_del(c->loop, c->fd);
	close(c->fd);
	free(c);
}
