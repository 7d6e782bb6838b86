/* asimdns-capture: DNS Client 3006/3008 pairing (client_pair.h). */
#include "capture/client_pair.h"

#include <stdbool.h>

/* DNS Client event ids (facts/etw-dns-providers.md §3.3). */
enum { QUERY_CALLED = 3006, QUERY_COMPLETED = 3008 };

static uint64_t key_of(const ad_event *ev)
{
    const ad_record_hdr *h = &ev->hdr;
    uint64_t k = AD_PAIR_HASH_INIT;
    k = ad_pair_hash(k, &h->pid, sizeof(h->pid));
    k = ad_pair_hash(k, &h->qtype, sizeof(h->qtype));
    return ad_pair_hash_name(k, ev->str[AD_STR_QNAME].ptr, ev->str[AD_STR_QNAME].len);
}

ad_pair_result ad_client_pair_feed(ad_query_pair *p, ad_event *ev, uint64_t now_mono)
{
    ad_record_hdr *h = &ev->hdr;
    if (p == NULL || h->provider != AD_PROVIDER_DNS_CLIENT || !(h->present & AD_HAS_QTYPE))
        return AD_PAIR_NONE;
    if (h->event_id == QUERY_CALLED)
        return ad_query_pair_store(p, key_of(ev), h->time_ns, now_mono, AD_CLIENT_PAIR_MAX_AGE_NS);
    if (h->event_id != QUERY_COMPLETED)
        return AD_PAIR_NONE;
    uint64_t called;
    if (!ad_query_pair_take(p, key_of(ev), &called))
        return AD_PAIR_UNMATCHED;
    uint32_t ms;
    if (!(h->present & AD_HAS_ELAPSED) && ad_pair_elapsed_ms(called, h->time_ns, &ms)) {
        h->elapsed_ms = ms;
        h->present |= AD_HAS_ELAPSED | AD_HAS_RESPONSE_TIME;
    }
    return AD_PAIR_MATCHED;
}
