/* asimdns-capture: dnstap query/response pairing (dnstap_pair.h). */
#include "capture/dnstap_pair.h"

#include "capture/query_pair.h"

ad_dnstap_pair *ad_dnstap_pair_new(size_t slots)
{
    return (ad_dnstap_pair *)ad_query_pair_new(slots);
}

void ad_dnstap_pair_free(ad_dnstap_pair *p)
{
    ad_query_pair_free((ad_query_pair *)p);
}

static uint64_t mix_addr(uint64_t h, const ad_addr *a)
{
    uint8_t fam = a->family;
    uint16_t port = a->has_port ? a->port : 0;
    h = ad_pair_hash(h, &fam, 1);
    h = ad_pair_hash(h, &port, sizeof(port));
    return ad_pair_hash(h, a->bytes, fam == AD_FAMILY_IPV4 ? 4 : fam == AD_FAMILY_IPV6 ? 16 : 0);
}

static uint64_t key_of(const ad_event *ev)
{
    const ad_record_hdr *h = &ev->hdr;
    bool response = (h->bits & AD_BIT_RESPONSE) != 0;
    /* The initiator is the query's sender and the response's receiver (dnstap_decode.h). */
    const ad_addr *initiator = response ? &h->dst : &h->src;
    const ad_addr *responder = response ? &h->src : &h->dst;
    uint64_t k = AD_PAIR_HASH_INIT;
    uint8_t transport = (h->present & AD_HAS_TRANSPORT) ? h->transport : 0xff;
    k = ad_pair_hash(k, &transport, 1);
    k = mix_addr(k, initiator);
    k = mix_addr(k, responder);
    uint16_t id = (uint16_t)h->xid;
    uint16_t qtype = (uint16_t)h->qtype;
    k = ad_pair_hash(k, &id, sizeof(id));
    k = ad_pair_hash(k, &qtype, sizeof(qtype));
    /* DNS names compare without ASCII case (RFC 4343); 0x20-randomized names still match. */
    return ad_pair_hash_name(k, ev->str[AD_STR_QNAME].ptr, ev->str[AD_STR_QNAME].len);
}

ad_dnstap_pair_result ad_dnstap_pair_feed(ad_dnstap_pair *p, ad_event *ev, uint64_t msg_time_ns,
                                          uint64_t now_mono)
{
    ad_record_hdr *h = &ev->hdr;
    const uint32_t need = AD_HAS_XID | AD_HAS_QTYPE;
    bool response = (h->bits & AD_BIT_RESPONSE) != 0;
    if (p == NULL || (h->present & need) != need || (!response && msg_time_ns == 0))
        return AD_PAIR_NONE;
    ad_query_pair *t = (ad_query_pair *)p;
    uint64_t key = key_of(ev);
    if (!response)
        return ad_query_pair_store(t, key, msg_time_ns, now_mono, AD_DNSTAP_PAIR_MAX_AGE_NS);
    uint64_t qt;
    if (!ad_query_pair_take(t, key, &qt))
        return AD_PAIR_UNMATCHED;
    uint32_t ms;
    /* A response time before its query's (clock stepped) gives no duration. */
    if (!(h->present & AD_HAS_ELAPSED) && msg_time_ns != 0 &&
        ad_pair_elapsed_ms(qt, msg_time_ns, &ms)) {
        h->elapsed_ms = ms;
        h->present |= AD_HAS_ELAPSED | AD_HAS_RESPONSE_TIME;
    }
    return AD_PAIR_MATCHED;
}
