/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemons' control port (--control [ADDR:]PORT): one TCP port with
 * status and metrics, off unless configured.
 *
 * Two protocols share it, told apart by the first line:
 *   - TCPMUX (RFC 1078): the client sends a service name and CRLF (any
 *     case); we answer "+" and the service's output, or "-" and a reason,
 *     then close.  "HELP" lists the services, one per line.  Services:
 *     uftp-status (JSON) and uftp-metrics (Prometheus text format).
 *   - HTTP/1.x, when the first line is a request line: GET or HEAD of
 *     /status or /metrics, answered with Content-Length and
 *     "Connection: close"; 404 for other paths, 405 for other methods.
 *
 * One request per connection.  The daemon's loop serves the port: the
 * sockets are non-blocking, each turn accepts and reads and writes a
 * bounded amount, a half-closed client still gets its whole answer, and
 * every connection ends with our FIN (or a reset for a client that stops
 * reading) within UFTP_CTL_TIMEOUT, so none stays in CLOSE_WAIT.
 *
 * ctlreq.c is the pure part (request parsing, answers), control.c the
 * sockets.
 */
#ifndef UFTP_LIB_CONTROL_H
#define UFTP_LIB_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/loop.h"
#include "lib/statsfmt.h"

#define UFTP_CTL_LINE_MAX   256                 /* a request line longer than this is refused */
#define UFTP_CTL_HEAD_MAX   4096                /* an HTTP request's line and headers */
#define UFTP_CTL_ANSWER_MAX 4194304             /* the largest answer rendered */
#define UFTP_CTL_MAX_CONNS  16                  /* concurrent connections; more are told "-busy" */
#define UFTP_CTL_TIMEOUT    (5 * 1000000000ULL) /* ns a connection may live */

/* What a request asks for (uftp_ctl_parse). */
enum uftp_ctl_kind {
	UFTP_CTL_MORE = 0, /* incomplete: wait for more bytes */
	UFTP_CTL_NONE,     /* the peer closed without sending anything: no answer */
	UFTP_CTL_TCPMUX,   /* a TCPMUX service name (or a refused line) */
	UFTP_CTL_HTTP,     /* an HTTP request */
};

enum uftp_ctl_service {
	UFTP_CTL_SVC_UNKNOWN = 0,
	UFTP_CTL_SVC_HELP,
	UFTP_CTL_SVC_STATUS,
	UFTP_CTL_SVC_METRICS,
	UFTP_CTL_SVC_TOO_LONG, /* the request line was over UFTP_CTL_LINE_MAX */
	UFTP_CTL_SVC_TIMEOUT,  /* no complete request in time */
	UFTP_CTL_SVC_BUSY,     /* no room for another connection */
};

struct uftp_ctl_req {
	int kind;    /* enum uftp_ctl_kind */
	int service; /* enum uftp_ctl_service */
	int head;    /* HTTP HEAD: headers only */
	int status;  /* HTTP status: 200, 400, 404, 405, 408, 414, 431, 505 */
};

/*
 * Reads the request in buf[0..len), the bytes received so far; eof is set
 * once the peer shut down its side (then whatever came is the request).
 * Returns UFTP_CTL_MORE while more may come, else the kind, with *req
 * filled.  A first line over UFTP_CTL_LINE_MAX bytes is refused (TCPMUX
 * "-", or HTTP 414 if it starts like an HTTP request); HTTP headers over
 * UFTP_CTL_HEAD_MAX get 431.  Pure; never reads past len.
 */
int uftp_ctl_parse(struct uftp_ctl_req *req, const char *buf, size_t len, int eof);

/* The answer when a request did not complete in time (TCPMUX "-" or HTTP 408). */
void uftp_ctl_timeout_req(struct uftp_ctl_req *req, const char *buf, size_t len);

/*
 * Appends the whole answer to req to out (its limit: UFTP_CTL_ANSWER_MAX
 * or less): the TCPMUX reply line and the service's output, or an HTTP
 * response with its headers.  Status and metrics are rendered from v.
 * Returns 0, or UFTP_ERR_NOMEM when the answer did not fit (out then
 * holds a short error answer instead).
 */
int uftp_ctl_answer(struct uftp_text *out, const struct uftp_ctl_req *req,
                    const struct uftp_stats_view *v, const struct uftp_daemon_info *info,
                    uint64_t now);

/*
 * Parses the option's "[ADDR:]PORT": a port alone means 127.0.0.1; ADDR
 * is a numeric IPv4 address or a bracketed IPv6 one ("[::1]:4040").
 * Returns 0 or UFTP_ERR_INVALID.
 */
int uftp_ctl_parse_spec(struct uftp_addr *a, const char *spec);

struct uftp_ctl;

/*
 * Listens on spec (uftp_ctl_parse_spec) and registers the socket with
 * loop; the port then serves v (borrowed: the core must outlive the
 * port) as program.  Logs what fails.  Returns 0, UFTP_ERR_INVALID (bad
 * spec), UFTP_ERR_IO (bind or listen failed) or UFTP_ERR_NOMEM.
 */
int uftp_ctl_open(struct uftp_ctl **out, const char *spec, struct uftp_loop *loop,
                  struct uftp_stats_view v, const char *program);

/*
 * One loop turn at time now: accepts, reads and writes what poll reported
 * (a bounded amount), ends connections past their time.  Returns the
 * earlier of deadline and the port's own next deadline, for the loop's
 * wait.  A NULL port (not configured) just returns deadline.
 */
uint64_t uftp_ctl_turn(struct uftp_ctl *c, uint64_t now, uint64_t deadline);

/* Closes every connection and the listening socket; NULL is a no-op. */
void uftp_ctl_close(struct uftp_ctl *c);

#endif
