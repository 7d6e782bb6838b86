/* asimdns-capture: dnstap query/response pairing (dnstap_pair.h). */
#include "capture/dnstap_pair.h"

#include <stdlib.h>

#define WAYS 4u

typedef struct slot {
    uint64_t key;      /* hash of the pairing key; 0 = free */
    uint64_t query_ns; /* the query's time (the server's clock, Unix ns) */
    uint64_t at_mono;  /* when it was stored (the capture's monotonic clock) */
} slot;

struct ad_dnstap_pair {
    size_t sets; /* power of two */
    slot *slots; /* sets x WAYS */
};

ad_dnstap_pair *ad_dnstap_pair_new(size_t slots)
{
    size_t sets = 1;
    while (sets * WAYS < slots && sets < ((size_t)1 << 30))
        sets <<= 1;
    ad_dnstap_pair *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->sets = sets;
    p->slots = calloc(sets * WAYS, sizeof(slot));
    if (p->slots == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void ad_dnstap_pair_free(ad_dnstap_pair *p)
{
    if (p == NULL)
        return;
    free(p->slots);
    free(p);
}

/* FNV-1a, 64 bit: enough spread for a table index, and a false match needs a full collision. */
static uint64_t mix(uint64_t h, const void *data, size_t n)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t mix_addr(uint64_t h, const ad_addr *a)
{
    uint8_t fam = a->family;
    uint16_t port = a->has_port ? a->port : 0;
    h = mix(h, &fam, 1);
    h = mix(h, &port, sizeof(port));
    return mix(h, a->bytes, fam == AD_FAMILY_IPV4 ? 4 : fam == AD_FAMILY_IPV6 ? 16 : 0);
}

static uint64_t key_of(const ad_event *ev)
{
    const ad_record_hdr *h = &ev->hdr;
    bool response = (h->bits & AD_BIT_RESPONSE) != 0;
    /* The initiator is the query's sender and the response's receiver (dnstap_decode.h). */
    const ad_addr *initiator = response ? &h->dst : &h->src;
    const ad_addr *responder = response ? &h->src : &h->dst;
    uint64_t k = 0xcbf29ce484222325ull;
    uint8_t transport = (h->present & AD_HAS_TRANSPORT) ? h->transport : 0xff;
    k = mix(k, &transport, 1);
    k = mix_addr(k, initiator);
    k = mix_addr(k, responder);
    uint16_t id = (uint16_t)h->xid;
    uint16_t qtype = (uint16_t)h->qtype;
    k = mix(k, &id, sizeof(id));
    k = mix(k, &qtype, sizeof(qtype));
    /* DNS names compare without ASCII case (RFC 4343); 0x20-randomized names still match. */
    const ad_bytes *q = &ev->str[AD_STR_QNAME];
    for (size_t i = 0; i < q->len; i++) {
        uint8_t c = (uint8_t)q->ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c | 0x20);
        k = mix(k, &c, 1);
    }
    return k != 0 ? k : 1;
}

ad_dnstap_pair_result ad_dnstap_pair_feed(ad_dnstap_pair *p, ad_event *ev, uint64_t msg_time_ns,
                                          uint64_t now_mono)
{
    ad_record_hdr *h = &ev->hdr;
    const uint32_t need = AD_HAS_XID | AD_HAS_QTYPE;
    bool response = (h->bits & AD_BIT_RESPONSE) != 0;
    if (p == NULL || (h->present & need) != need || (!response && msg_time_ns == 0))
        return AD_PAIR_NONE;
    uint64_t key = key_of(ev);
    slot *set = &p->slots[(size_t)(key & (p->sets - 1)) * WAYS];

    if (response) {
        for (unsigned i = 0; i < WAYS; i++) {
            if (set[i].key != key)
                continue;
            uint64_t qt = set[i].query_ns;
            set[i].key = 0;
            /* A response time before its query's (clock stepped) gives no duration. */
            uint64_t ms = msg_time_ns >= qt ? (msg_time_ns - qt) / 1000000u : UINT64_MAX;
            if (!(h->present & AD_HAS_ELAPSED) && msg_time_ns != 0 && ms <= UINT32_MAX) {
                h->elapsed_ms = (uint32_t)ms;
                h->present |= AD_HAS_ELAPSED | AD_HAS_RESPONSE_TIME;
            }
            return AD_PAIR_MATCHED;
        }
        return AD_PAIR_UNMATCHED;
    }

    /* A query: its own slot again (a retransmission), else a free or expired one, else the
     * oldest (an eviction). */
    slot *use = NULL;
    for (unsigned i = 0; i < WAYS && use == NULL; i++)
        if (set[i].key == key)
            use = &set[i];
    for (unsigned i = 0; i < WAYS && use == NULL; i++)
        if (set[i].key == 0 || now_mono - set[i].at_mono > AD_DNSTAP_PAIR_MAX_AGE_NS)
            use = &set[i];
    ad_dnstap_pair_result res = AD_PAIR_STORED;
    if (use == NULL) {
        use = &set[0];
        for (unsigned i = 1; i < WAYS; i++)
            if (set[i].at_mono < use->at_mono)
                use = &set[i];
        res = AD_PAIR_EVICTED;
    }
    use->key = key;
    use->query_ns = msg_time_ns;
    use->at_mono = now_mono;
    return res;
}
