/*
 * asimdns-capture: a bounded table of queries waiting for their responses, shared by the
 * dnstap pairing (dnstap_pair.h) and the DNS Client 3006/3008 pairing (client_pair.h).
 *
 * Entries are keyed by a 64-bit hash of whatever identifies a query (the caller's choice,
 * made with ad_pair_hash) and hold the query's own time. The table is a fixed number of slots
 * in 4-way sets, allocated once (or given by the caller): no allocation per event. Storing a
 * query reuses its own slot (a repeated query restarts its clock), else a free slot or one
 * older than max_age (an unanswered query taken as never answered), else the set's oldest:
 * an eviction, which the caller counts (the evicted query's response will get no duration).
 */
#ifndef AD_CAPTURE_QUERY_PAIR_H
#define AD_CAPTURE_QUERY_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_PAIR_WAYS 4u

typedef struct ad_pair_slot {
    uint64_t key;      /* hash of the pairing key; 0 = free */
    uint64_t query_ns; /* the query's time (the event source's clock, Unix ns) */
    uint64_t at_mono;  /* when it was stored (the capture's monotonic clock) */
} ad_pair_slot;

typedef struct ad_query_pair {
    size_t sets;         /* power of two */
    ad_pair_slot *slots; /* sets x AD_PAIR_WAYS */
} ad_query_pair;

/* What one feed did (dnstap_pair.h and client_pair.h report it to their callers). */
typedef enum ad_pair_result {
    AD_PAIR_NONE = 0, /* nothing done: not a pairable event */
    AD_PAIR_STORED,   /* a query was remembered */
    AD_PAIR_EVICTED,  /* a query was remembered in place of an unanswered, recent one */
    AD_PAIR_MATCHED,  /* a response found its query; elapsed_ms set if it had none */
    AD_PAIR_UNMATCHED /* a response without a remembered query */
} ad_pair_result;

/* A table of at least `slots` slots (a power of two, at least 4) on the heap; NULL when out
 * of memory. */
ad_query_pair *ad_query_pair_new(size_t slots);
void ad_query_pair_free(ad_query_pair *p);

/* A table over caller storage: nslots must be a power of two, at least AD_PAIR_WAYS; the
 * slots must start zeroed (static storage is). */
void ad_query_pair_init(ad_query_pair *p, ad_pair_slot *slots, size_t nslots);

/* Remembers a query: AD_PAIR_STORED or AD_PAIR_EVICTED (see the file comment). */
ad_pair_result ad_query_pair_store(ad_query_pair *p, uint64_t key, uint64_t query_ns,
                                   uint64_t now_mono, uint64_t max_age_ns);

/* Finds and forgets the query with key; its time in *query_ns. False when none. */
bool ad_query_pair_take(ad_query_pair *p, uint64_t key, uint64_t *query_ns);

/* FNV-1a, 64 bit, continuing from h (start with AD_PAIR_HASH_INIT). Never 0 is not promised:
 * ad_query_pair_store maps a 0 key to 1. */
#define AD_PAIR_HASH_INIT 0xcbf29ce484222325ull
uint64_t ad_pair_hash(uint64_t h, const void *data, size_t n);

/* ad_pair_hash of a DNS name with ASCII letters folded to lower case (RFC 4343). */
uint64_t ad_pair_hash_name(uint64_t h, const char *name, size_t len);

/* Milliseconds from query_ns to response_ns, false when the response is earlier (a clock
 * step) or the span does not fit 32 bits. */
bool ad_pair_elapsed_ms(uint64_t query_ns, uint64_t response_ns, uint32_t *ms);

#endif
