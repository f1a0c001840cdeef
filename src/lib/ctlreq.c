/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control port's requests and answers (see control.h): pure, so the
 * parser is unit-tested and fuzzed without sockets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "lib/control.h"

/* ---- requests ------------------------------------------------------------ */

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* buf starts with an upper-case token and a space, as an HTTP request line does. */
static int looks_http(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 16 && is_upper(buf[i]); i++)
		;
	return i > 0 && i < len && buf[i] == ' ';
}

/* Splits "METHOD SP TARGET SP HTTP/x" at its first and last spaces; 1 if it is one. */
static int split_http(const char *line, size_t n, size_t *sp1, size_t *sp2)
{
	const char *a = memchr(line, ' ', n);
	size_t i;

	if (a == NULL || a == line)
		return 0;
	*sp1 = (size_t)(a - line);
	for (i = 0; i < *sp1; i++)
		if (!is_upper(line[i]))
			return 0;
	for (*sp2 = n; *sp2 > *sp1 && line[*sp2 - 1] != ' '; (*sp2)--)
		;
	(*sp2)--;
	if (*sp2 <= *sp1 + 1)
		return 0;
	return n - *sp2 - 1 >= 5 && memcmp(line + *sp2 + 1, "HTTP/", 5) == 0;
}

/* 1 when a name of n bytes equals s, ignoring case. */
static int name_is(const char *name, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(name, s, n) == 0;
}

static int tcpmux(struct uftp_ctl_req *req, const char *line, size_t n)
{
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	req->kind = UFTP_CTL_TCPMUX;
	if (name_is(line, n, "HELP"))
		req->service = UFTP_CTL_SVC_HELP;
	else if (name_is(line, n, "uftp-status"))
		req->service = UFTP_CTL_SVC_STATUS;
	else if (name_is(line, n, "uftp-metrics"))
		req->service = UFTP_CTL_SVC_METRICS;
	else
		req->service = UFTP_CTL_SVC_UNKNOWN;
	return req->kind;
}

/* The path of an origin-form or absolute-form target, without query; NULL if neither. */
static const char *target_path(const char *t, size_t n, size_t *plen)
{
	const char *end, *p = t;

	if (n > 7 && strncasecmp(t, "http://", 7) == 0)
		p = t + 7;
	else if (n > 8 && strncasecmp(t, "https://", 8) == 0)
		p = t + 8;
	if (p != t) {
		p = memchr(p, '/', n - (size_t)(p - t));
		if (p == NULL) {
			*plen = 1;
			return "/";
		}
	}
	if (*p != '/')
		return NULL;
	end = p;
	while (end < t + n && *end != '?' && *end != '#')
		end++;
	*plen = (size_t)(end - p);
	return p;
}

/* Fills req for the request line line[0..n), split at sp1 and sp2. */
static void http_line(struct uftp_ctl_req *req, const char *line, size_t n, size_t sp1, size_t sp2)
{
	const char *ver = line + sp2 + 1, *path;
	size_t vlen = n - sp2 - 1, plen;

	req->head = sp1 == 4 && memcmp(line, "HEAD", 4) == 0;
	if (vlen != 8 || (memcmp(ver, "HTTP/1.0", 8) != 0 && memcmp(ver, "HTTP/1.1", 8) != 0)) {
		req->status = 505;
		return;
	}
	if (!req->head && !(sp1 == 3 && memcmp(line, "GET", 3) == 0)) {
		req->status = 405;
		return;
	}
	path = target_path(line + sp1 + 1, sp2 - sp1 - 1, &plen);
	req->status = 404;
	if (path == NULL)
		req->status = 400;
	else if (plen == 8 && memcmp(path, "/metrics", 8) == 0)
		req->status = 200, req->service = UFTP_CTL_SVC_METRICS;
	else if (plen == 7 && memcmp(path, "/status", 7) == 0)
		req->status = 200, req->service = UFTP_CTL_SVC_STATUS;
}

/* Whether the headers from p on are complete (an empty line, or the peer's end): 1 or 0. */
static int headers_done(const char *p, const char *end, int eof)
{
	const char *q;

	for (q = memchr(p, '\n', (size_t)(end - p)); q != NULL;
	     q = memchr(p, '\n', (size_t)(end - p))) {
		if (q == p || (q == p + 1 && *p == '\r'))
			return 1;
		p = q + 1;
	}
	return eof;
}

static int http(struct uftp_ctl_req *req, const char *buf, size_t len, size_t n, size_t sp1,
                size_t sp2, const char *nl, int eof)
{
	int done = nl == NULL || headers_done(nl + 1, buf + len, eof);

	if (!done && len < UFTP_CTL_HEAD_MAX)
		return UFTP_CTL_MORE;
	req->kind = UFTP_CTL_HTTP;
	if (!done)
		req->status = 431;
	else
		http_line(req, buf, n, sp1, sp2);
	return req->kind;
}

int uftp_ctl_parse(struct uftp_ctl_req *req, const char *buf, size_t len, int eof)
{
	size_t scan = len < UFTP_CTL_LINE_MAX ? len : UFTP_CTL_LINE_MAX;
	const char *nl = memchr(buf, '\n', scan);
	size_t n, sp1, sp2;

	memset(req, 0, sizeof(*req));
	if (nl == NULL && len >= UFTP_CTL_LINE_MAX) {
		if (looks_http(buf, len)) {
			req->kind = UFTP_CTL_HTTP;
			req->status = 414;
		} else {
			req->kind = UFTP_CTL_TCPMUX;
			req->service = UFTP_CTL_SVC_TOO_LONG;
		}
		return req->kind;
	}
	if (nl == NULL && !eof)
		return UFTP_CTL_MORE;
	if (nl == NULL && len == 0) {
		req->kind = UFTP_CTL_NONE;
		return req->kind;
	}
	n = nl ? (size_t)(nl - buf) : len;
	if (n && buf[n - 1] == '\r')
		n--;
	if (split_http(buf, n, &sp1, &sp2))
		return http(req, buf, len, n, sp1, sp2, nl, eof);
	return tcpmux(req, buf, n);
}

void uftp_ctl_timeout_req(struct uftp_ctl_req *req, const char *buf, size_t len)
{
	memset(req, 0, sizeof(*req));
	if (looks_http(buf, len)) {
		req->kind = UFTP_CTL_HTTP;
		req->status = 408;
	} else {
		req->kind = UFTP_CTL_TCPMUX;
		req->service = UFTP_CTL_SVC_TIMEOUT;
	}
}

/* ---- answers ------------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Renders the service's document into body; 0 or UFTP_ERR_NOMEM. */
static int render(struct uftp_text *body, int service, const struct uftp_stats_view *v,
                  const struct uftp_daemon_info *info, uint64_t now)
{
	if (service == UFTP_CTL_SVC_STATUS)
		return uftp_stats_json(body, v, info, now);
	return uftp_stats_prometheus(body, v, info, now);
}

static void http_head(struct uftp_text *out, int status, const char *type, size_t len)
{
	uftp_text_printf(out,
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
	                 status, reason(status), type, len,
	                 status == 405 ? "Allow: GET, HEAD\r\n" : "");
}

static void http_error(struct uftp_text *out, int status, int head)
{
	struct uftp_text body;

	uftp_text_init(&body, 256);
	uftp_text_printf(&body, "%d %s\n%s", status, reason(status),
	                 status == 404 ? "Try /metrics or /status.\n" : "");
	http_head(out, status, "text/plain; charset=utf-8", body.len);
	if (!head)
		uftp_text_add(out, body.p, body.len);
	uftp_text_free(&body);
}

static int http_answer(struct uftp_text *out, const struct uftp_ctl_req *req,
                       const struct uftp_stats_view *v, const struct uftp_daemon_info *info,
                       uint64_t now)
{
	struct uftp_text body;
	int rv;

	if (req->status != 200) {
		http_error(out, req->status, req->head);
		return 0;
	}
	uftp_text_init(&body, out->max > 1024 ? out->max - 1024 : 0);
	rv = render(&body, req->service, v, info, now);
	if (rv < 0) {
		http_error(out, 500, req->head);
	} else {
		http_head(out, 200,
		          req->service == UFTP_CTL_SVC_STATUS ? "application/json"
		                                              : "text/plain; version=0.0.4; "
		                                                "charset=utf-8",
		          body.len);
		if (!req->head)
			uftp_text_add(out, body.p, body.len);
	}
	uftp_text_free(&body);
	return rv;
}

static int tcpmux_answer(struct uftp_text *out, const struct uftp_ctl_req *req,
                         const struct uftp_stats_view *v, const struct uftp_daemon_info *info,
                         uint64_t now)
{
	static const char *const refusals[] = {
	    [UFTP_CTL_SVC_UNKNOWN] = "-unknown service (HELP lists them)\r\n",
	    [UFTP_CTL_SVC_TOO_LONG] = "-request line too long\r\n",
	    [UFTP_CTL_SVC_TIMEOUT] = "-timeout\r\n",
	    [UFTP_CTL_SVC_BUSY] = "-busy\r\n",
	};
	int rv;

	switch (req->service) {
	case UFTP_CTL_SVC_HELP: uftp_text_printf(out, "uftp-status\r\nuftp-metrics\r\n"); return 0;
	case UFTP_CTL_SVC_STATUS:
	case UFTP_CTL_SVC_METRICS:
		uftp_text_printf(out, "+\r\n");
		rv = render(out, req->service, v, info, now);
		if (rv < 0) {
			uftp_text_free(out);
			uftp_text_printf(out, "-internal error: the answer is too large\r\n");
		}
		return rv;
	default: uftp_text_printf(out, "%s", refusals[req->service]); return 0;
	}
}

int uftp_ctl_answer(struct uftp_text *out, const struct uftp_ctl_req *req,
                    const struct uftp_stats_view *v, const struct uftp_daemon_info *info,
                    uint64_t now)
{
	if (req->kind == UFTP_CTL_HTTP)
		return http_answer(out, req, v, info, now);
	if (req->kind == UFTP_CTL_TCPMUX)
		return tcpmux_answer(out, req, v, info, now);
	return 0;
}

int uftp_ctl_parse_spec(struct uftp_addr *a, const char *spec)
{
	unsigned long port;
	char *end;

	if (spec[0] >= '0' && spec[0] <= '9' && strspn(spec, "0123456789") == strlen(spec)) {
		port = strtoul(spec, &end, 10);
		if (port == 0 || port > 65535 || strlen(spec) > 5)
			return UFTP_ERR_INVALID;
		return uftp_addr_parse(a, "127.0.0.1", (uint16_t)port);
	}
	if (uftp_addr_parse_hostport(a, spec, 0) < 0 || uftp_addr_port(a) == 0)
		return UFTP_ERR_INVALID;
	return 0;
}
