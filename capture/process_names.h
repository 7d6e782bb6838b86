/*
 * asimdns-capture: the image path of the process behind a DNS Client query (ASIM
 * SrcProcessName), cached by (process id, process start key).
 *
 * DNS Client 3006 and 3008 are logged in the process that called the resolver (the
 * catalogue's AD_EVF_REQUESTER_CONTEXT), so EVENT_HEADER.ProcessId names the requester. The
 * capture asks the OS for that process's image path (process_lookup.h) while the process
 * most likely still runs, and keeps the answer: a program resolving many names costs one
 * lookup. Process ids are reused, so an entry is keyed by the id and the ETW process start key
 * (EVENT_ENABLE_PROPERTY_PROCESS_START_KEY: unique per process within a boot); an event
 * without a start key is looked up every time and never cached, since its id alone could
 * name an earlier process. Negative answers (gone, unreadable) are cached too: they stay true
 * for that (id, start key).
 *
 * The cache holds at most `capacity` entries (about 1 KiB each); when full, the least
 * recently used entry makes room (an eviction). Allocated once; no allocation per event.
 * One thread uses a cache (the ProcessTrace callback).
 */
#ifndef AD_CAPTURE_PROCESS_NAMES_H
#define AD_CAPTURE_PROCESS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "capture/process_lookup.h"
#include "common/record.h"

#define AD_PROCESS_NAMES_DEFAULT_CAPACITY 256u
#define AD_PROCESS_NAMES_MAX_CAPACITY 65536u

typedef struct ad_process_names ad_process_names;

/* What one resolve did, as bits; the caller turns them into ring counters. */
enum ad_pname_outcome {
    AD_PNAME_HIT = 1u << 0,     /* answered from the cache */
    AD_PNAME_LOOKUP = 1u << 1,  /* the OS was asked */
    AD_PNAME_GONE = 1u << 2,    /* the OS said the process is gone (or its id reused) */
    AD_PNAME_FAILED = 1u << 3,  /* the OS could not tell (access denied, path too long, ...) */
    AD_PNAME_EVICTED = 1u << 4, /* an entry was pushed out to make room */
};

/* A cache of capacity entries (1..AD_PROCESS_NAMES_MAX_CAPACITY) over lookup; NULL when out
   of memory or the arguments are invalid. */
ad_process_names *ad_process_names_new(size_t capacity, const ad_process_lookup *lookup);
void ad_process_names_free(ad_process_names *n);

/*
 * The image path of process pid (start_key 0 = unknown) seen at event_ns: *name views it until
 * the next call (empty when it is not known). Returns enum ad_pname_outcome bits.
 */
unsigned ad_process_names_resolve(ad_process_names *n, uint32_t pid, uint64_t start_key,
                                  uint64_t event_ns, ad_bytes *name);

/* Entries in use (tests). */
size_t ad_process_names_count(const ad_process_names *n);

#endif
