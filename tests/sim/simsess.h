/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whole-session harness over the simulator (simnet.h): one server core,
 * N client cores and, optionally, one proxy core (core/proxy.h), with
 * in-memory files, a fake clock and scripted link effects.  A scenario
 * says what to build; run_scenario() runs it and fills `out`; the checks
 * below say whether every receiver holds every file byte for byte.
 *
 * Node layout: 0 is the server, 1..nclients the clients (client i is node
 * i + 1), then the proxy.  Topologies (segments as in simnet.h):
 *
 *   direct          everyone on segment 1
 *   client proxy    server on 1; proxy on 1 and 2, multicasting on 2 only;
 *                   clients on 2: they hear only the proxy, and answer it
 *   response proxy  server on 1, its multicast reaching 1 and 2 (a routed
 *                   or one-way downlink); proxy and clients on 2; clients
 *                   send every reply to the proxy (uftpd -R), never to the
 *                   server
 */
#ifndef UFTP_TESTS_SIMSESS_H
#define UFTP_TESTS_SIMSESS_H

#include <stddef.h>
#include <stdint.h>

#include "../unit/cutest.h"
#include "core/client.h"
#include "core/proxy.h"
#include "core/server.h"
#include "simnet.h"
#include "tests/common/testenv.h"

#define MAX_CLIENTS 8
#define MAX_NODES   (MAX_CLIENTS + 2)
#define MAX_FILES   16
#define SEC         UFTP_NS_PER_SEC

#define SIM_SERVER_ID    0xC612000Au
#define SIM_PROXY_ID     0xC6120101u /* 198.18.1.1 */
#define SIM_CLIENT_ID(i) (0xC6120000u + 11 + (uint32_t)(i))

/* ---- the sender's files: content is testsrc_byte(file, offset) ------ */

extern struct uftp_server_file files[MAX_FILES];
extern size_t nfiles;

void add_file(const char *name, uint8_t type, uint64_t size, uint32_t mtime, const char *link);
/* Files of awkward sizes, a nested dir, an empty dir, a link. */
void standard_tree(void);

/* ---- the receivers' disks, in memory (names under root 0) ------------- */

extern struct testfs stores[MAX_CLIENTS];

/* ---- one scenario ------------------------------------------------------ */

struct scenario {
	uint64_t seed;
	size_t nclients;
	struct sim_link links[MAX_CLIENTS];
	int keytype, hashtype, sigtype, keyextype, curve;
	int closed;        /* closed group of the first nclients - nonmembers */
	size_t nonmembers; /* last clients not in the -H list */
	int64_t rate_kbps; /* 0: unpaced (-1) */
	uint64_t kill_at;  /* client 0 stops receiving at this time (0: never) */
	int disk_full;     /* client 0's writes fail */
	/* 0: direct; UFTP_PROXY_CLIENT or UFTP_PROXY_RESPONSE: that topology */
	int proxy;
	struct sim_link proxy_link; /* what the proxy receives, both ways */
	int server_link_set;        /* 1: server_link applies, else 2 ms, clean */
	struct sim_link server_link;

	/* -C: UFTP_CC_NONE or UFTP_CC_TFMCC, with these bounds in Kbps (0: default) */
	int cc_type;
	int64_t cc_min_kbps, cc_init_kbps, cc_max_kbps;
};

struct outcome {
	int finished, outcome;
	unsigned registered, lost, file_client_ok[MAX_CLIENTS];
	uint64_t end_ns, trace_hash;
	uint64_t by_func[256]; /* datagrams seen on the wire, by function byte */
	size_t client_done[MAX_CLIENTS], client_aborted[MAX_CLIENTS];
	/* by sender (node index) */
	uint64_t sent_by_func[MAX_NODES][256];
	uint64_t sent_to_server[MAX_NODES]; /* unicast to the server's address */
	uint64_t heard_server[MAX_CLIENTS]; /* datagrams a client got from the server's address */
	/* the proxy, as seen on the wire and through its events */
	uint32_t proxy_listed;        /* bit i: client i named in a REGISTER the proxy sent */
	unsigned proxy_register_ids;  /* most IDs in one REGISTER the proxy sent */
	unsigned proxy_announce_ours; /* ANNOUNCEs it sent carrying its own key */
	unsigned proxy_announce_other;
	unsigned proxy_sessions, proxy_sessions_ended;
	/* the server's view of its peers at the end (uftp_server_peer_stats) */
	unsigned srv_proxies;      /* peers that are proxies with SIM_PROXY_ID */
	unsigned srv_via_proxy;    /* receivers registered through it */
	unsigned srv_peers_direct; /* receivers registered directly */
};

extern struct outcome out;

/*
 * Builds the scenario, runs it until the server finishes or limit_ns of
 * simulated time passed, lets it settle 5 s more, records `out` and frees
 * the cores (the stores stay for the checks: free_stores()).
 */
void run_scenario(const struct scenario *sc, uint64_t limit_ns);

/* Checks that client ci's store holds the whole tree, byte for byte. */
void check_tree(size_t ci);
/* The server finished DONE, every client registered, holds the tree and is done. */
void expect_all_received(const struct scenario *sc);
void free_stores(void);

/* main() of a scenario file: SIM_ONLY=test_name runs one (with SIM_LOG=3 to see it). */
int sim_main(const char *suite, const struct cutest *tests, size_t n);

#endif
