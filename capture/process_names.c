/*
 * asimdns-capture: the process-name cache (process_names.h).
 *
 * A fixed pool of entries, a power-of-two bucket array of chains (indices, not pointers) for
 * lookup by (pid, start key), and a doubly linked list in use order for LRU eviction: every
 * operation is O(1) on average, and memory is allocated once.
 */
#include "capture/process_names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

typedef struct pname_entry {
    uint64_t start_key;
    uint32_t pid;
    uint32_t chain;      /* next entry in the bucket, NIL at the end */
    uint32_t prev, next; /* use order: head = most recent, tail = least recent */
    uint8_t result;      /* ad_process_lookup_result */
    uint16_t len;
    char name[AD_PROCESS_NAME_MAX];
} pname_entry;

struct ad_process_names {
    const ad_process_lookup *lookup;
    pname_entry *entries;
    uint32_t *buckets;
    uint32_t nbuckets; /* power of two */
    uint32_t capacity, used;
    uint32_t head, tail;
    char scratch[AD_PROCESS_NAME_MAX]; /* the answer for an event without a start key */
};

ad_process_names *ad_process_names_new(size_t capacity, const ad_process_lookup *lookup)
{
    if (capacity == 0 || capacity > AD_PROCESS_NAMES_MAX_CAPACITY || lookup == NULL ||
        lookup->image_path == NULL)
        return NULL;
    ad_process_names *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return NULL;
    n->nbuckets = 1;
    while (n->nbuckets < 2 * capacity)
        n->nbuckets *= 2;
    n->entries = calloc(capacity, sizeof(*n->entries));
    n->buckets = malloc(n->nbuckets * sizeof(*n->buckets));
    if (n->entries == NULL || n->buckets == NULL) {
        ad_process_names_free(n);
        return NULL;
    }
    for (uint32_t i = 0; i < n->nbuckets; i++)
        n->buckets[i] = NIL;
    n->lookup = lookup;
    n->capacity = (uint32_t)capacity;
    n->head = n->tail = NIL;
    return n;
}

void ad_process_names_free(ad_process_names *n)
{
    if (n == NULL)
        return;
    free(n->entries);
    free(n->buckets);
    free(n);
}

size_t ad_process_names_count(const ad_process_names *n)
{
    return n->used;
}

static uint32_t bucket_of(const ad_process_names *n, uint32_t pid, uint64_t start_key)
{
    uint64_t h = start_key ^ ((uint64_t)pid * 0x9E3779B97F4A7C15ull);
    h ^= h >> 31; /* splitmix64's finaliser: every input bit reaches the low bits */
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return (uint32_t)h & (n->nbuckets - 1);
}

static void list_unlink(ad_process_names *n, uint32_t i)
{
    pname_entry *e = &n->entries[i];
    if (e->prev != NIL)
        n->entries[e->prev].next = e->next;
    else
        n->head = e->next;
    if (e->next != NIL)
        n->entries[e->next].prev = e->prev;
    else
        n->tail = e->prev;
}

static void list_push_front(ad_process_names *n, uint32_t i)
{
    pname_entry *e = &n->entries[i];
    e->prev = NIL;
    e->next = n->head;
    if (n->head != NIL)
        n->entries[n->head].prev = i;
    n->head = i;
    if (n->tail == NIL)
        n->tail = i;
}

static void chain_unlink(ad_process_names *n, uint32_t i)
{
    pname_entry *e = &n->entries[i];
    uint32_t *link = &n->buckets[bucket_of(n, e->pid, e->start_key)];
    while (*link != i)
        link = &n->entries[*link].chain;
    *link = e->chain;
}

static uint32_t find(const ad_process_names *n, uint32_t pid, uint64_t start_key)
{
    for (uint32_t i = n->buckets[bucket_of(n, pid, start_key)]; i != NIL; i = n->entries[i].chain) {
        if (n->entries[i].pid == pid && n->entries[i].start_key == start_key)
            return i;
    }
    return NIL;
}

/* A free entry, or the least recently used one taken out of the table (*evicted). */
static uint32_t take_entry(ad_process_names *n, bool *evicted)
{
    if (n->used < n->capacity)
        return n->used++;
    uint32_t i = n->tail;
    list_unlink(n, i);
    chain_unlink(n, i);
    *evicted = true;
    return i;
}

static unsigned outcome_of(ad_process_lookup_result r)
{
    return r == AD_PLOOKUP_GONE ? AD_PNAME_GONE : r == AD_PLOOKUP_FAILED ? AD_PNAME_FAILED : 0;
}

/* Asks the OS; the name goes to out[AD_PROCESS_NAME_MAX], its length to *len (0 unless found). */
static ad_process_lookup_result ask(const ad_process_names *n, uint32_t pid, uint64_t event_ns,
                                    char *out, uint16_t *len)
{
    size_t got = 0;
    ad_process_lookup_result r =
        n->lookup->image_path(n->lookup->impl, pid, event_ns, out, AD_PROCESS_NAME_MAX, &got);
    if (r == AD_PLOOKUP_FOUND && (got == 0 || got > AD_PROCESS_NAME_MAX))
        r = AD_PLOOKUP_FAILED; /* an answer that cannot be right is no answer */
    *len = r == AD_PLOOKUP_FOUND ? (uint16_t)got : 0;
    return r;
}

unsigned ad_process_names_resolve(ad_process_names *n, uint32_t pid, uint64_t start_key,
                                  uint64_t event_ns, ad_bytes *name)
{
    name->ptr = NULL;
    name->len = 0;
    if (start_key == 0) {
        uint16_t len;
        ad_process_lookup_result r = ask(n, pid, event_ns, n->scratch, &len);
        name->ptr = n->scratch;
        name->len = len;
        return AD_PNAME_LOOKUP | outcome_of(r);
    }
    uint32_t i = find(n, pid, start_key);
    unsigned out = AD_PNAME_HIT;
    if (i != NIL) {
        list_unlink(n, i);
    } else {
        bool evicted = false;
        i = take_entry(n, &evicted);
        pname_entry *e = &n->entries[i];
        e->pid = pid;
        e->start_key = start_key;
        e->result = (uint8_t)ask(n, pid, event_ns, e->name, &e->len);
        uint32_t *head = &n->buckets[bucket_of(n, pid, start_key)];
        e->chain = *head;
        *head = i;
        out = AD_PNAME_LOOKUP | outcome_of((ad_process_lookup_result)e->result) |
              (evicted ? AD_PNAME_EVICTED : 0);
    }
    list_push_front(n, i);
    name->ptr = n->entries[i].name;
    name->len = n->entries[i].len;
    return out;
}
