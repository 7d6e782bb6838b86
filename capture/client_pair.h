/*
 * asimdns-capture: DnsNetworkDuration for DNS Client 3008 ("DNS query is completed"), which
 * carries no elapsed time: it is paired with the 3006 ("DNS query is called") of the same
 * query, as the dnstap source pairs query and response (dnstap_pair.h). Both are logged in the
 * calling process (facts/etw-dns-providers.md §3.3), so a query is identified by the event's
 * process id, QueryType and QueryName (ASCII case folded); the duration is the difference of
 * the two ETW timestamps. Several identical queries of one process in flight at once share a
 * slot: the latest 3006 times the next 3008.
 *
 * The table is bounded (capture/query_pair.h); a 3006 that pushes out an unanswered one younger
 * than AD_CLIENT_PAIR_MAX_AGE_NS is an eviction, which the caller counts
 * (client_pair_evictions): that query's 3008 will have no duration.
 */
#ifndef AD_CAPTURE_CLIENT_PAIR_H
#define AD_CAPTURE_CLIENT_PAIR_H

#include <stdint.h>

#include "capture/query_pair.h"
#include "common/record.h"

/* 4096 slots x 24 bytes = 96 KiB: far more queries than one host has in flight. */
#define AD_CLIENT_PAIR_SLOTS 4096u
/* An unanswered 3006 older than this (capture's clock) is taken as never completed. */
#define AD_CLIENT_PAIR_MAX_AGE_NS (30ull * 1000000000ull)

/*
 * Feeds one decoded DNS Client event at the capture's monotonic time now_mono: a 3006 with a
 * QueryType is remembered; a 3008 forgets its 3006 and, lacking an elapsed time, gets
 * elapsed_ms with AD_HAS_ELAPSED | AD_HAS_RESPONSE_TIME. Anything else: AD_PAIR_NONE.
 */
ad_pair_result ad_client_pair_feed(ad_query_pair *p, ad_event *ev, uint64_t now_mono);

#endif
