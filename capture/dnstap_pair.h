/*
 * asimdns-capture: pairs dnstap queries with their responses, so that a response which
 * carries no query time still gets its response time (elapsed_ms -> DnsNetworkDuration).
 * Unbound's CLIENT_RESPONSE has response_time only (facts/linux-dnstap-and-windows-cross-
 * build.md §1.4), and so do BIND 9.18's and Knot Resolver 5.6's responses (seen in
 * tests/integration/dnstap_live.sh): without pairing no response would have a duration.
 *
 * A query and its response match on: initiator address and port, responder address and
 * port, transport, DNS id, QTYPE and QNAME (ASCII case folded). The table is bounded: a fixed
 * number of slots in 4-way sets, no allocation after creation. A query that has to give its
 * slot to a newer one while still unanswered and younger than AD_DNSTAP_PAIR_MAX_AGE_NS is an
 * eviction (the caller counts it: its response will have no duration). Older unanswered
 * queries (the server never answered) are replaced silently.
 */
#ifndef AD_CAPTURE_DNSTAP_PAIR_H
#define AD_CAPTURE_DNSTAP_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/query_pair.h"
#include "common/record.h"

/* Default number of slots: 16384 x 24 bytes = 384 KiB, minutes of a busy resolver's RTTs. */
#define AD_DNSTAP_PAIR_DEFAULT_SLOTS 16384u
/* An unanswered query older than this (capture's clock) is taken as never answered. */
#define AD_DNSTAP_PAIR_MAX_AGE_NS (30ull * 1000000000ull)

/* The table (capture/query_pair.h) behind the dnstap pairing. */
typedef struct ad_dnstap_pair ad_dnstap_pair;

/* A table of slots slots (rounded up to a power of two, at least 4); NULL when out of memory. */
ad_dnstap_pair *ad_dnstap_pair_new(size_t slots);
void ad_dnstap_pair_free(ad_dnstap_pair *p);

typedef ad_pair_result ad_dnstap_pair_result; /* AD_PAIR_*, query_pair.h */

/*
 * Feeds one decoded dnstap event (capture/dnstap_decode.h) at the capture's monotonic time
 * now_mono; msg_time_ns is the message's own time from dnstap (query_time for a query,
 * response_time for a response; 0 when it has none). A query (no AD_BIT_RESPONSE) with a time
 * is remembered; a response forgets its query and, when it has a time not before the
 * query's and no elapsed time of its own, gets elapsed_ms with AD_HAS_ELAPSED and
 * AD_HAS_RESPONSE_TIME. Events without a DNS id or question are left alone (AD_PAIR_NONE).
 */
ad_dnstap_pair_result ad_dnstap_pair_feed(ad_dnstap_pair *p, ad_event *ev, uint64_t msg_time_ns,
                                          uint64_t now_mono);

#endif
