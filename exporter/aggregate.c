/* asimdns-exporter: aggregation of identical events (see aggregate.h). */
#include "exporter/aggregate.h"

#include <stdlib.h>
#include <string.h>

static const char *const default_key[] = {
    "EventType", "EventSubType", "DnsQuery",           "DnsQueryType",
    "SrcIpAddr", "DvcIpAddr",    "EventResultDetails", "DnsResponseName",
};

const char *const *ad_agg_default_key(unsigned *count)
{
    *count = (unsigned)(sizeof(default_key) / sizeof(default_key[0]));
    return default_key;
}

#define NIL UINT32_MAX

typedef struct entry {
    uint64_t hash;
    unsigned char *key; /* the key bytes, then the record copy */
    size_t key_len;
    size_t rec_len;
    uint64_t count;
    uint64_t first_ns, last_ns;
    uint64_t opened_mono;
    ad_agg_mark mark;
    bool closed;           /* out of the hash table, waiting to be popped */
    uint32_t chain;        /* next in the bucket */
    uint32_t older, newer; /* the open-order list */
} entry;

struct ad_agg {
    ad_agg_opts o;
    const char *key_names[AD_AGG_MAX_KEY_ATTRS];
    entry *entries; /* max_keys slots */
    uint32_t *buckets;
    uint32_t bucket_mask;
    uint32_t free_head; /* free slots chained through chain */
    uint32_t oldest, newest;
    unsigned char emit[AD_RECORD_MAX_SIZE];
    ad_agg_stats st;
    unsigned char keybuf[AD_ASIM_SCRATCH * 4];
};

ad_err ad_agg_create(const ad_agg_opts *opts, ad_agg **out)
{
    *out = NULL;
    if (opts->window_ns == 0 || opts->max_keys == 0 || opts->key_count > AD_AGG_MAX_KEY_ATTRS)
        return AD_EINVAL;
    ad_agg *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return AD_ENOMEM;
    a->o = *opts;
    const char *const *names = opts->key;
    unsigned n = opts->key_count;
    if (names == NULL)
        names = ad_agg_default_key(&n);
    for (unsigned i = 0; i < n; i++)
        a->key_names[i] = names[i];
    a->o.key_count = n;
    uint32_t nb = 16;
    while (nb < 2 * opts->max_keys)
        nb *= 2;
    a->entries = calloc(opts->max_keys, sizeof(entry));
    a->buckets = malloc(sizeof(uint32_t) * nb);
    if (a->entries == NULL || a->buckets == NULL) {
        ad_agg_destroy(a);
        return AD_ENOMEM;
    }
    a->bucket_mask = nb - 1;
    for (uint32_t i = 0; i < nb; i++)
        a->buckets[i] = NIL;
    for (uint32_t i = 0; i < opts->max_keys; i++)
        a->entries[i].chain = i + 1 < opts->max_keys ? i + 1 : NIL;
    a->free_head = 0;
    a->oldest = a->newest = NIL;
    *out = a;
    return AD_OK;
}

void ad_agg_destroy(ad_agg *a)
{
    if (a == NULL)
        return;
    if (a->entries != NULL) {
        for (uint32_t i = 0; i < a->o.max_keys; i++)
            free(a->entries[i].key);
    }
    free(a->entries);
    free(a->buckets);
    free(a);
}

/* The key bytes of a mapped record: per key attribute, absent (0), or its kind and value. */
static size_t build_key(ad_agg *a, const ad_asim *m, uint64_t *hash)
{
    size_t n = 0, cap = sizeof(a->keybuf);
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned k = 0; k < a->o.key_count; k++) {
        const ad_attr *at = ad_asim_find(m, a->key_names[k]);
        unsigned char tag = at == NULL ? 0 : (unsigned char)(1 + at->kind);
        const void *val = NULL;
        size_t vlen = 0;
        if (at != NULL && at->kind == AD_ATTR_STR) {
            val = at->str;
            vlen = at->len;
        } else if (at != NULL) {
            val = &at->num;
            vlen = sizeof(at->num);
        }
        if (n + 1 + sizeof(uint32_t) + vlen > cap)
            vlen = cap - n - 1 - sizeof(uint32_t); /* cannot happen: values are capped */
        uint32_t l32 = (uint32_t)vlen;
        a->keybuf[n++] = tag;
        memcpy(a->keybuf + n, &l32, sizeof(l32));
        n += sizeof(l32);
        if (vlen > 0)
            memcpy(a->keybuf + n, val, vlen);
        n += vlen;
    }
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->keybuf[i]) * 0x100000001b3ull;
    *hash = h;
    return n;
}

static void unlink_hash(ad_agg *a, uint32_t idx)
{
    entry *e = &a->entries[idx];
    uint32_t *p = &a->buckets[e->hash & a->bucket_mask];
    while (*p != NIL && *p != idx)
        p = &a->entries[*p].chain;
    if (*p == idx)
        *p = e->chain;
    e->closed = true;
    e->chain = NIL;
}

ad_err ad_agg_add(ad_agg *a, const ad_asim *mapped, const void *rec, size_t len,
                  const ad_agg_mark *mark, uint64_t now_ns)
{
    if (len > AD_RECORD_MAX_SIZE)
        return AD_EINVAL;
    uint64_t hash;
    size_t klen = build_key(a, mapped, &hash);
    uint64_t t = mapped->time_ns;
    uint32_t *bucket = &a->buckets[hash & a->bucket_mask];
    for (uint32_t i = *bucket; i != NIL; i = a->entries[i].chain) {
        entry *e = &a->entries[i];
        if (e->hash != hash || e->key_len != klen || memcmp(e->key, a->keybuf, klen) != 0)
            continue;
        /* The window counts from the row's first event time; a later event opens a new row
           and the old one is closed (due at once). */
        if (t >= e->first_ns && t - e->first_ns >= a->o.window_ns) {
            unlink_hash(a, i);
            break;
        }
        e->count++;
        if (t < e->first_ns)
            e->first_ns = t;
        if (t > e->last_ns)
            e->last_ns = t;
        a->st.records_in++;
        return AD_OK;
    }
    if (a->free_head == NIL)
        return AD_EFULL;
    uint32_t idx = a->free_head;
    entry *e = &a->entries[idx];
    unsigned char *mem = malloc(klen + len);
    if (mem == NULL)
        return AD_ENOMEM;
    a->free_head = e->chain;
    memcpy(mem, a->keybuf, klen);
    memcpy(mem + klen, rec, len);
    *e = (entry){.hash = hash,
                 .key = mem,
                 .key_len = klen,
                 .rec_len = len,
                 .count = 1,
                 .first_ns = t,
                 .last_ns = t,
                 .opened_mono = now_ns,
                 .mark = *mark,
                 .closed = false,
                 .chain = *bucket,
                 .older = a->newest,
                 .newer = NIL};
    *bucket = idx;
    if (a->newest != NIL)
        a->entries[a->newest].newer = idx;
    a->newest = idx;
    if (a->oldest == NIL)
        a->oldest = idx;
    a->st.records_in++;
    a->st.open_rows++;
    a->st.bytes_held += klen + len;
    return AD_OK;
}

bool ad_agg_pop(ad_agg *a, uint64_t now_ns, ad_agg_pop_mode mode, ad_agg_row *row)
{
    uint32_t idx = a->oldest;
    if (idx == NIL)
        return false;
    entry *e = &a->entries[idx];
    bool due = e->closed || now_ns - e->opened_mono >= a->o.window_ns;
    if (mode == AD_AGG_POP_DUE && !due)
        return false;
    if (mode == AD_AGG_POP_OLDEST && !due)
        a->st.evictions++;
    if (!e->closed)
        unlink_hash(a, idx);
    memcpy(a->emit, e->key + e->key_len, e->rec_len);
    *row = (ad_agg_row){.rec = a->emit,
                        .len = e->rec_len,
                        .count = e->count,
                        .first_ns = e->first_ns,
                        .last_ns = e->last_ns,
                        .first_pos = e->mark.pos,
                        .mark = e->mark};
    a->oldest = e->newer;
    if (a->oldest != NIL)
        a->entries[a->oldest].older = NIL;
    else
        a->newest = NIL;
    a->st.bytes_held -= e->key_len + e->rec_len;
    a->st.open_rows--;
    a->st.rows_out++;
    free(e->key);
    e->key = NULL;
    e->chain = a->free_head;
    a->free_head = idx;
    return true;
}

bool ad_agg_oldest_pos(const ad_agg *a, uint64_t *pos)
{
    if (a->oldest == NIL)
        return false;
    *pos = a->entries[a->oldest].mark.pos;
    return true;
}

const ad_agg_mark *ad_agg_oldest_mark(const ad_agg *a)
{
    return a->oldest == NIL ? NULL : &a->entries[a->oldest].mark;
}

void ad_agg_get_stats(const ad_agg *a, ad_agg_stats *st)
{
    *st = a->st;
}
