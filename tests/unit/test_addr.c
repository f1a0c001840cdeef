/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <netinet/in.h>

#include "core/err.h"
#include "lib/addr.h"
#include "lib/peer.h"
#include "lib/hostlist.h"
#include "tests/unit/cutest.h"

static void check_roundtrip(const char *in, uint16_t port, const char *want)
{
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, in, port), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), want);
}

static void test_parse_format(void)
{
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];

	check_roundtrip("230.4.4.1", 1044, "230.4.4.1:1044");
	check_roundtrip("ff15::1", 1044, "[ff15::1]:1044");
	check_roundtrip("FF15:0:0::0:1", 7, "[ff15::1]:7");
	check_roundtrip("::1", 0, "[::1]:0");
	CU_ASSERT_EQUAL(uftp_addr_parse(&a, "198.18.0.11", 5), 0);
	CU_ASSERT_EQUAL(uftp_addr_family(&a), AF_INET);
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 5);
	CU_ASSERT_EQUAL(a.len, sizeof(struct sockaddr_in));
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&a, buf, sizeof(buf)), "198.18.0.11");
	uftp_addr_set_port(&a, 1044);
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 1044);
}

static void test_parse_scope(void)
{
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, "fe80::1%lo", 1), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&a, buf, sizeof(buf)), "fe80::1%lo");
	CU_ASSERT_NOT_EQUAL(uftp_addr_parse(&a, "fe80::1%nosuchif0", 1), 0);
	CU_ASSERT_NOT_EQUAL(uftp_addr_parse(&a, "fe80::1%", 1), 0);
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
	    "",      "1.2.3",      "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
	    "127.1", "0x7f.0.0.1", "host",      "1.2.3.4:5", "::g",      "1:2:3:4:5:6:7:8:9",
	    "[::1]", "1.2.3.4/24", "ff15:::1",
	};
	struct uftp_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(uftp_addr_parse(&a, bad[i], 1), UFTP_ERR_INVALID);
		CU_ASSERT_EQUAL(uftp_addr_family(&a), AF_UNSPEC);
	}
	CU_ASSERT_EQUAL(uftp_addr_parse(&a, NULL, 1), UFTP_ERR_INVALID);
}

static void test_hostport(void)
{
	static const char *const bad[] = {
	    "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "[::1", "[::1]x",
	    "[::1]:",   ":5",        "1.2.3.4:5x",    "[]:5", "h:-1"};
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];
	size_t i;

	CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, "10.0.0.1:2000", 1044), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "10.0.0.1:2000");
	CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, "10.0.0.1", 1044), 0);
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 1044);
	CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, "fd00::2", 1044), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "[fd00::2]:1044");
	CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, "[fd00::2]:9", 1044), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "[fd00::2]:9");
	CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, "[fd00::2]", 1044), 0);
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 1044);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(uftp_addr_parse_hostport(&a, bad[i], 1), UFTP_ERR_INVALID);
}

static void test_resolve(void)
{
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL(uftp_addr_resolve(&a, "127.0.0.1:99", 1044, AF_UNSPEC), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "127.0.0.1:99");
	/* "localhost" comes from /etc/hosts, so no DNS is needed. */
	CU_ASSERT_EQUAL(uftp_addr_resolve(&a, "localhost:7", 1044, AF_INET), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "127.0.0.1:7");
	CU_ASSERT_EQUAL(uftp_addr_resolve(&a, "no-such-host.invalid", 1, AF_UNSPEC), UFTP_ERR_IO);
	CU_ASSERT_EQUAL(uftp_addr_resolve(&a, "x:y", 1, AF_UNSPEC), UFTP_ERR_INVALID);
}

static void test_format_short_buffer(void)
{
	struct uftp_addr a;
	char buf[8];

	uftp_addr_parse(&a, "230.4.4.1", 1044);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "?");
	uftp_addr_clear(&a);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "?");
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&a, buf, sizeof(buf)), "?");
}

static int is_mc(const char *s)
{
	struct uftp_addr a;

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, s, 0), 0);
	return uftp_addr_is_multicast(&a);
}

static int is_ssm(const char *s)
{
	struct uftp_addr a;

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, s, 0), 0);
	return uftp_addr_is_ssm(&a);
}

static void test_classify(void)
{
	struct uftp_addr a;

	CU_ASSERT(is_mc("224.0.0.1") && is_mc("239.255.255.255") && is_mc("ff02::1"));
	CU_ASSERT(!is_mc("223.255.255.255") && !is_mc("240.0.0.0") && !is_mc("fe80::1"));
	CU_ASSERT(is_ssm("232.0.0.1") && is_ssm("232.255.1.1") && is_ssm("ff3e::1234"));
	CU_ASSERT(is_ssm("ff35::8000:1") && is_ssm("ff30::1"));
	CU_ASSERT(!is_ssm("231.1.1.1") && !is_ssm("233.1.1.1") && !is_ssm("ff3e:1::1"));
	CU_ASSERT(!is_ssm("ff15::1") && is_ssm("ff3e:0:1::1"));
	uftp_addr_parse(&a, "127.0.0.5", 0);
	CU_ASSERT(uftp_addr_is_loopback(&a));
	uftp_addr_parse(&a, "::1", 0);
	CU_ASSERT(uftp_addr_is_loopback(&a));
	CU_ASSERT(!uftp_addr_is_any(&a));
	uftp_addr_any(&a, AF_INET6, 1044);
	CU_ASSERT(uftp_addr_is_any(&a));
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 1044);
	uftp_addr_clear(&a);
	CU_ASSERT(!uftp_addr_is_multicast(&a) && !uftp_addr_is_ssm(&a) && !uftp_addr_is_any(&a));
}

static void test_compare(void)
{
	struct uftp_addr a, b, c, d;

	uftp_addr_parse(&a, "10.0.0.1", 1);
	uftp_addr_parse(&b, "10.0.0.1", 2);
	uftp_addr_parse(&c, "10.0.0.2", 1);
	uftp_addr_parse(&d, "::1", 1);
	CU_ASSERT(!uftp_addr_equal(&a, &b));
	CU_ASSERT(uftp_addr_equal_host(&a, &b));
	CU_ASSERT(uftp_addr_cmp(&a, &b) < 0 && uftp_addr_cmp(&b, &a) > 0);
	CU_ASSERT(uftp_addr_cmp(&a, &c) < 0);
	CU_ASSERT(uftp_addr_cmp(&a, &d) < 0); /* AF_INET sorts before AF_INET6 */
	CU_ASSERT(!uftp_addr_equal_host(&a, &d));
	uftp_addr_set_port(&b, 1);
	CU_ASSERT(uftp_addr_equal(&a, &b));
	CU_ASSERT_EQUAL(uftp_addr_cmp(&a, &b), 0);
}

static void test_map_unmap(void)
{
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];
	uint8_t bytes[16];

	uftp_addr_parse(&a, "192.0.2.7", 1044);
	uftp_addr_map_v6(&a);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "[::ffff:192.0.2.7]:1044");
	uftp_addr_unmap(&a);
	CU_ASSERT_STRING_EQUAL(uftp_addr_format(&a, buf, sizeof(buf)), "192.0.2.7:1044");
	CU_ASSERT_EQUAL(uftp_addr_to_bytes(&a, bytes, sizeof(bytes)), 4);
	CU_ASSERT_EQUAL(bytes[3], 7);
	CU_ASSERT_EQUAL(uftp_addr_to_bytes(&a, bytes, 3), UFTP_ERR_NOSPACE);
	uftp_addr_parse(&a, "fd00::2", 1);
	uftp_addr_unmap(&a);
	CU_ASSERT_EQUAL(uftp_addr_family(&a), AF_INET6);
	CU_ASSERT_EQUAL(uftp_addr_from_bytes(&a, bytes, 5, 0), UFTP_ERR_INVALID);
}

/* A deterministic byte source: returns 0xA0, 0xA1, ... */
struct seq {
	uint8_t next;
	int calls;
};

static int seq_rand(void *ctx, void *buf, size_t len)
{
	struct seq *s = ctx;
	uint8_t *b = buf;
	size_t i;

	s->calls++;
	for (i = 0; i < len; i++)
		b[i] = s->next++;
	return 0;
}

static int fail_rand(void *ctx, void *buf, size_t len)
{
	return UFTP_ERR_CRYPTO;
}

static void check_wild(const char *in, const char *want, int calls)
{
	struct seq s = {0xa0, 0};
	struct uftp_addr a;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse_wild(&a, in, 1044, seq_rand, &s), 0);
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&a, buf, sizeof(buf)), want);
	CU_ASSERT_EQUAL(s.calls, calls);
	CU_ASSERT_EQUAL(uftp_addr_port(&a), 1044);
}

static void test_wildcard(void)
{
	check_wild("230.5.5.x", "230.5.5.160", 1);
	check_wild("230.x.5.X", "230.160.5.161", 2);
	check_wild("230.5.5.180", "230.5.5.180", 0);
	check_wild("ff15::x", "ff15::a0a1", 1);
	check_wild("ff15:x::1", "ff15:a0a1::1", 1);
	check_wild("ff15:x::x:2", "ff15:a0a1::a2a3:2", 2);
	check_wild("ff15:1:2:3:4:5:6:x", "ff15:1:2:3:4:5:6:a0a1", 1);
	check_wild("ff15::", "ff15::", 0);
}

static void test_wildcard_bad(void)
{
	static const char *const bad[] = {"x.5.5.1", "230.5.5.xx",   "230.5.x",    "10.0.0.x",
	                                  "x::1",    "ff15::xy",     "ff15::x::1", "230.5.5.5x",
	                                  "",        "ff15::1.2.3.x"};
	struct seq s = {0, 0};
	struct uftp_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(uftp_addr_parse_wild(&a, bad[i], 1, seq_rand, &s),
		                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_addr_parse_wild(&a, "230.5.5.x", 1, fail_rand, NULL), UFTP_ERR_CRYPTO);
}

static void test_ids(void)
{
	static const char *const bad[] = {"",         "0x",   "0x123456789", "0xg",
	                                  "C612000B", "0x0",  "0xFFFFFFFF",  "198.18.0",
	                                  " 0x1",     "0x1 ", "-0x1",        "0.0.0.0"};
	struct uftp_addr a;
	uint32_t id = 0;
	char buf[16];
	size_t i;

	CU_ASSERT_EQUAL(uftp_id_parse(&id, "0xC612000B"), 0);
	CU_ASSERT_EQUAL(id, 0xC612000Bu);
	CU_ASSERT_EQUAL(uftp_id_parse(&id, "0x1"), 0);
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(uftp_id_parse(&id, "0Xabcdef01"), 0);
	CU_ASSERT_EQUAL(id, 0xabcdef01u);
	CU_ASSERT_EQUAL(uftp_id_parse(&id, "198.18.0.11"), 0);
	CU_ASSERT_EQUAL(id, 0xC612000Bu);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(uftp_id_parse(&id, bad[i]), UFTP_ERR_INVALID);
	uftp_addr_parse(&a, "198.18.0.11", 0);
	CU_ASSERT_EQUAL(uftp_id_from_addr(&id, &a), 0);
	CU_ASSERT_EQUAL(id, 0xC612000Bu);
	uftp_addr_parse(&a, "fd00::1:c612:b", 0);
	CU_ASSERT_EQUAL(uftp_id_from_addr(&id, &a), 0);
	CU_ASSERT_EQUAL(id, 0x0B0012C6u); /* the reference's byte order */
	uftp_addr_parse(&a, "fd00:198:18::10", 0);
	CU_ASSERT_EQUAL(uftp_id_from_addr(&id, &a), 0);
	CU_ASSERT_EQUAL(id, 0x10000000u); /* as the real uftp logs it */
	uftp_addr_parse(&a, "198.18.0.11", 0);
	CU_ASSERT_EQUAL(uftp_id_from_addr(&id, &a), 0);
	CU_ASSERT_STRING_EQUAL(uftp_id_format(id, buf, sizeof(buf)), "0xC612000B");
	uftp_addr_clear(&a);
	CU_ASSERT_EQUAL(uftp_id_from_addr(&id, &a), UFTP_ERR_INVALID);
}

static const char fp_text[] = "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC";

static void test_fingerprint(void)
{
	uint8_t fp[UFTP_FP_LEN];
	char buf[64];

	CU_ASSERT_EQUAL_FATAL(uftp_fp_parse(fp, fp_text), 0);
	CU_ASSERT_EQUAL(fp[0], 0x66);
	CU_ASSERT_EQUAL(fp[19], 0xbc);
	CU_ASSERT_EQUAL(uftp_fp_format(buf, sizeof(buf), fp), 59);
	CU_ASSERT_STRING_EQUAL(buf, fp_text);
	CU_ASSERT_EQUAL(
	    uftp_fp_parse(fp, "66:1e:c9:1d:fc:99:db:60:b0:1a:f0:8f:ca:f4:28:27:a6:be:94:bc"), 0);
	CU_ASSERT_EQUAL(uftp_fp_parse(fp, "66:1E"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(
	    uftp_fp_parse(fp, "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC:"),
	    UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_fp_parse(fp, "661EC91DFC99DB60B01AF08FCAF42827A6BE94BC"),
	                UFTP_ERR_INVALID);
	/* a one-digit group, as the reference takes it */
	CU_ASSERT_EQUAL(
	    uftp_fp_parse(fp, "6:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC"), 0);
	CU_ASSERT_EQUAL(fp[0], 6);
}

static void test_hostent(void)
{
	struct uftp_hostent e;
	char buf[UFTP_ADDRSTRLEN];

	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "0x00002222"), 0);
	CU_ASSERT_EQUAL(e.id, 0x2222);
	CU_ASSERT_EQUAL(e.has_fp, 0);
	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "0x00001111|"
	                                          "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:"
	                                          "CA:F4:28:27:A6:BE:94:BC"),
	                0);
	CU_ASSERT_EQUAL(e.id, 0x1111);
	CU_ASSERT_EQUAL(e.has_fp, 1);
	CU_ASSERT_EQUAL(e.fp[1], 0x1e);
	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "198.18.0.11 | "
	                                          "66:1E:C9:1D:FC:99:DB:60:B0:1A:F0:8F:"
	                                          "CA:F4:28:27:A6:BE:94:BC"),
	                0);
	CU_ASSERT_EQUAL(e.id, 0xC612000Bu);
	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "0x1|"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "0x1|12:34"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_hostent_parse_id(&e, "|0x1"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(e.id, 0);
	CU_ASSERT_EQUAL(uftp_hostent_parse_server(&e, "0x11112222|192.168.1.101|"
	                                              "66:1E:C9:1D:FC:99:"
	                                              "DB:60:B0:1A:F0:8F:CA:F4:28:27:A6:BE:94:BC"),
	                0);
	CU_ASSERT_EQUAL(e.id, 0x11112222);
	CU_ASSERT_STRING_EQUAL(uftp_addr_ntop(&e.addr, buf, sizeof(buf)), "192.168.1.101");
	CU_ASSERT_EQUAL(e.has_fp, 1);
	CU_ASSERT_EQUAL(uftp_hostent_parse_server(&e, "0x11113333|fe80::213:72ff:fed6:69ca"), 0);
	CU_ASSERT_EQUAL(uftp_addr_family(&e.addr), AF_INET6);
	CU_ASSERT_EQUAL(e.has_fp, 0);
	CU_ASSERT_EQUAL(uftp_hostent_parse_server(&e, "0x11113333"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_hostent_parse_server(&e, "0x11113333|host"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_hostent_parse_server(&e, "0x1|1.2.3.4|zz"), UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_addr_family(&e.addr), AF_UNSPEC);
}

static void test_proxy_spec(void)
{
	char host[16];
	uint8_t fp[UFTP_FP_LEN];
	int has_fp = -1;
	char spec[128];

	CU_ASSERT_EQUAL(uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, "10.1.1.1"), 0);
	CU_ASSERT_STRING_EQUAL(host, "10.1.1.1");
	CU_ASSERT_EQUAL(has_fp, 0);
	snprintf(spec, sizeof(spec), "proxy1/%s", fp_text);
	CU_ASSERT_EQUAL(uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, spec), 0);
	CU_ASSERT_STRING_EQUAL(host, "proxy1");
	CU_ASSERT_EQUAL(has_fp, 1);
	CU_ASSERT_EQUAL(fp[19], 0xbc);
	CU_ASSERT_EQUAL(uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, "/x"),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_proxy_spec_parse(host, sizeof(host), fp, &has_fp, "p/12"),
	                UFTP_ERR_INVALID);
	CU_ASSERT_EQUAL(uftp_proxy_spec_parse(host, 4, fp, &has_fp, "proxy"), UFTP_ERR_NOSPACE);
}

/* Core peers and socket addresses convert both ways; a v4-mapped source becomes IPv4. */
static void test_peer_conversion(void)
{
	struct uftp_addr a, b;
	struct uftp_peer p;
	struct uftp_ipaddr ip;

	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, "::ffff:198.18.0.11", 1044), 0);
	uftp_addr_to_peer(&a, &p);
	CU_ASSERT_EQUAL(p.ip.family, 4);
	CU_ASSERT_EQUAL(memcmp(p.ip.addr, "\xc6\x12\x00\x0b", 4), 0);
	CU_ASSERT_EQUAL(p.port, 1044);
	uftp_peer_to_addr(&p, &b);
	CU_ASSERT_EQUAL(uftp_addr_family(&b), AF_INET);
	CU_ASSERT_EQUAL(uftp_addr_port(&b), 1044);
	CU_ASSERT_EQUAL_FATAL(uftp_addr_parse(&a, "fd00:198:18::12", 7000), 0);
	uftp_addr_to_peer(&a, &p);
	CU_ASSERT_EQUAL(p.ip.family, 6);
	CU_ASSERT_EQUAL(p.ip.addr[15], 0x12);
	uftp_peer_to_addr(&p, &b);
	CU_ASSERT(uftp_addr_equal(&a, &b));
	uftp_addr_to_ipaddr(&a, &ip);
	CU_ASSERT_EQUAL(ip.family, 6);
	CU_ASSERT_EQUAL(memcmp(ip.addr, p.ip.addr, 16), 0);
}

static const struct cutest tests[] = {
    CUTEST(test_peer_conversion),
    CUTEST(test_parse_format),
    CUTEST(test_parse_scope),
    CUTEST(test_parse_bad),
    CUTEST(test_hostport),
    CUTEST(test_resolve),
    CUTEST(test_format_short_buffer),
    CUTEST(test_classify),
    CUTEST(test_compare),
    CUTEST(test_map_unmap),
    CUTEST(test_wildcard),
    CUTEST(test_wildcard_bad),
    CUTEST(test_ids),
    CUTEST(test_fingerprint),
    CUTEST(test_hostent),
    CUTEST(test_proxy_spec),
};

CUTEST_MAIN("addr", tests)
