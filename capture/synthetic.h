/*
 * asimdns-capture: the synthetic source's generator. A seeded, deterministic stream of
 * realistic DNS Server and DNS Client events (query/response pairs sharing a GUID, NXDOMAIN,
 * SERVFAIL, REFUSED, recursion and recursion timeouts, ignored queries, IPv4/IPv6, UDP/TCP,
 * client queries with results and error statuses), for demos, tests and benchmarks.
 */
#ifndef AD_CAPTURE_SYNTHETIC_H
#define AD_CAPTURE_SYNTHETIC_H

#include <stdint.h>

#include "common/record.h"

typedef enum ad_synth_mix {
    AD_SYNTH_DNS_SERVER = 0,
    AD_SYNTH_DNS_CLIENT,
    AD_SYNTH_BOTH,
} ad_synth_mix;

/* Events of one transaction are queued and emitted one per call. */
#define AD_SYNTH_MAX_PENDING 6

typedef struct ad_synth_pending {
    ad_event ev;
    char qname[96];
    char guid[40];
    char text[96]; /* results, server list or reason */
} ad_synth_pending;

typedef struct ad_synth {
    uint64_t rng;
    ad_synth_mix mix;
    uint64_t transactions;
    ad_addr upstreams[3]; /* the recursion targets, parsed once */
    unsigned npending, next;
    ad_synth_pending pending[AD_SYNTH_MAX_PENDING];
} ad_synth;

/* Starts a generator; the same seed and mix always give the same events. */
void ad_synth_init(ad_synth *s, uint64_t seed, ad_synth_mix mix);

/*
 * Writes the next event into *ev, stamped relative to now_ns. String views in *ev point into
 * s and stay valid until the next call.
 */
void ad_synth_next(ad_synth *s, uint64_t now_ns, ad_event *ev);

#endif
