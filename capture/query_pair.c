/* asimdns-capture: the pending-query table (query_pair.h). */
#include "capture/query_pair.h"

#include <stdlib.h>

ad_query_pair *ad_query_pair_new(size_t slots)
{
    size_t n = AD_PAIR_WAYS;
    while (n < slots && n < ((size_t)1 << 30))
        n <<= 1;
    ad_query_pair *p = calloc(1, sizeof(*p));
    ad_pair_slot *s = calloc(n, sizeof(ad_pair_slot));
    if (p == NULL || s == NULL) {
        free(p);
        free(s);
        return NULL;
    }
    ad_query_pair_init(p, s, n);
    return p;
}

void ad_query_pair_free(ad_query_pair *p)
{
    if (p == NULL)
        return;
    free(p->slots);
    free(p);
}

void ad_query_pair_init(ad_query_pair *p, ad_pair_slot *slots, size_t nslots)
{
    p->sets = nslots / AD_PAIR_WAYS;
    p->slots = slots;
}

static ad_pair_slot *set_of(ad_query_pair *p, uint64_t key)
{
    return &p->slots[(size_t)(key & (p->sets - 1)) * AD_PAIR_WAYS];
}

ad_pair_result ad_query_pair_store(ad_query_pair *p, uint64_t key, uint64_t query_ns,
                                   uint64_t now_mono, uint64_t max_age_ns)
{
    key = key != 0 ? key : 1;
    ad_pair_slot *set = set_of(p, key);
    ad_pair_slot *use = NULL;
    for (unsigned i = 0; i < AD_PAIR_WAYS && use == NULL; i++)
        if (set[i].key == key)
            use = &set[i];
    for (unsigned i = 0; i < AD_PAIR_WAYS && use == NULL; i++)
        if (set[i].key == 0 || now_mono - set[i].at_mono > max_age_ns)
            use = &set[i];
    ad_pair_result res = AD_PAIR_STORED;
    if (use == NULL) {
        use = &set[0];
        for (unsigned i = 1; i < AD_PAIR_WAYS; i++)
            if (set[i].at_mono < use->at_mono)
                use = &set[i];
        res = AD_PAIR_EVICTED;
    }
    use->key = key;
    use->query_ns = query_ns;
    use->at_mono = now_mono;
    return res;
}

bool ad_query_pair_take(ad_query_pair *p, uint64_t key, uint64_t *query_ns)
{
    key = key != 0 ? key : 1;
    ad_pair_slot *set = set_of(p, key);
    for (unsigned i = 0; i < AD_PAIR_WAYS; i++) {
        if (set[i].key == key) {
            set[i].key = 0;
            *query_ns = set[i].query_ns;
            return true;
        }
    }
    return false;
}

uint64_t ad_pair_hash(uint64_t h, const void *data, size_t n)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t ad_pair_hash_name(uint64_t h, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)name[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c | 0x20);
        h = ad_pair_hash(h, &c, 1);
    }
    return h;
}

bool ad_pair_elapsed_ms(uint64_t query_ns, uint64_t response_ns, uint32_t *ms)
{
    if (response_ns < query_ns || (response_ns - query_ns) / 1000000u > UINT32_MAX)
        return false;
    *ms = (uint32_t)((response_ns - query_ns) / 1000000u);
    return true;
}
