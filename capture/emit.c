/* asimdns-capture: event -> ring record. */
#include "capture/emit.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "capture/client_pair.h"
#include "common/event_catalog.h"
#include "common/log.h"
#include "common/ratelimit.h"
#include "common/timeutil.h"

/* "Ring full" lines at most this often when the ring flaps between full and not full. */
#define RING_FULL_LOG_NS (10ULL * 1000000000ULL)

/*
 * Whether the ring was full at the last append. One producer per process and one thread that
 * appends (ring.h), so plain statics: the clock is read and a line logged only when the state
 * changes, never per record.
 */
static struct {
    const ad_ring_producer *ring; /* the ring the state is about (tests use several) */
    bool full;
    bool logged;        /* the "full" line of this episode was let through */
    uint64_t dropped_0; /* dropped_ring_full when the episode began */
    ad_ratelimit rl;
} ring_state = {.rl = {.interval_ns = RING_FULL_LOG_NS}};

static void note_full(ad_ring_producer *ring)
{
    if (ring_state.full && ring_state.ring == ring)
        return;
    ring_state.ring = ring;
    ring_state.full = true;
    ring_state.dropped_0 = ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL) - 1;
    uint64_t held = 0;
    ring_state.logged = ad_ratelimit_allow(&ring_state.rl, ad_time_mono_ns(), &held);
    if (ring_state.logged)
        ad_log_warn("ring full: dropping new records (counted as dropped_ring_full) until the "
                    "exporter catches up%s",
                    held ? "; it was full again several times since the last such line" : "");
}

static void note_room(ad_ring_producer *ring)
{
    ring_state.full = false;
    if (ring_state.logged && ring_state.ring == ring)
        ad_log_info(
            "ring has room again: %llu records were dropped while it was full",
            (unsigned long long)(ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL) -
                                 ring_state.dropped_0));
}

ad_err ad_capture_emit(ad_ring_producer *ring, const ad_event *ev)
{
    ad_ring_producer_counter_add(ring, AD_CAP_EVENTS_IN, 1);
    size_t size = ad_record_encoded_size(ev);
    void *payload;
    uint64_t seq;
    ad_err err = ad_ring_producer_reserve(ring, size, &payload, &seq);
    if (err == AD_EFULL)
        note_full(ring);
    if (err != AD_OK)
        return err; /* dropped; the ring counted it and consumed seq */
    if (ring_state.full)
        note_room(ring);
    size_t written;
    err = ad_record_encode(ev, payload, size, &written);
    if (err != AD_OK) {
        /* The sequence number is handed to the next record: no gap for a record never made. */
        ad_ring_producer_cancel(ring);
        ad_ring_producer_decode_error(ring, ev->hdr.event_id, ev->hdr.event_version);
        return err;
    }
    /* The encoder wrote the caller's sequence; the ring's number is the authoritative one. */
    memcpy((char *)payload + offsetof(ad_record_hdr, sequence), &seq, sizeof(seq));
    ad_ring_producer_commit(ring, written); /* counts records_written */
    return AD_OK;
}

/*
 * DNS Client 3006 events waiting for their 3008 (client_pair.h). Static like ring_state: ETW
 * and replay events come from one thread of one process.
 */
static ad_pair_slot client_slots[AD_CLIENT_PAIR_SLOTS];
static ad_query_pair client_pairs = {AD_CLIENT_PAIR_SLOTS / AD_PAIR_WAYS, client_slots};

/* Which ring counter each resolve outcome (process_names.h) goes to. */
static const struct {
    unsigned bit;
    ad_capture_counter counter;
} pname_counters[] = {
    {AD_PNAME_LOOKUP, AD_CAP_PROCESS_LOOKUPS},
    {AD_PNAME_HIT, AD_CAP_PROCESS_CACHE_HITS},
    {AD_PNAME_GONE, AD_CAP_PROCESS_LOOKUP_MISSES},
    {AD_PNAME_FAILED, AD_CAP_PROCESS_LOOKUP_FAILURES},
    {AD_PNAME_EVICTED, AD_CAP_PROCESS_CACHE_EVICTIONS},
};

/* SrcProcessName for an event logged in the requester's process (event_catalog.h). */
static void name_requester(ad_ring_producer *ring, ad_event *ev, ad_process_names *names,
                           uint64_t start_key)
{
    const ad_event_def *def = ad_event_def_find(ev->hdr.provider, ev->hdr.event_id);
    if (def == NULL || !(def->flags & AD_EVF_REQUESTER_CONTEXT))
        return;
    ad_bytes name;
    unsigned outcome =
        ad_process_names_resolve(names, ev->hdr.pid, start_key, ev->hdr.time_ns, &name);
    for (size_t i = 0; i < sizeof(pname_counters) / sizeof(pname_counters[0]); i++) {
        if (outcome & pname_counters[i].bit)
            ad_ring_producer_counter_add(ring, pname_counters[i].counter, 1);
    }
    ad_event_set_str(ev, AD_STR_PROCESS, name.ptr, name.len);
}

ad_err ad_capture_etw_event(ad_ring_producer *ring, const ad_etw_event_in *in,
                            ad_decode_scratch *scratch)
{
    return ad_capture_etw_event_named(ring, in, scratch, NULL, 0);
}

ad_err ad_capture_etw_event_named(ad_ring_producer *ring, const ad_etw_event_in *in,
                                  ad_decode_scratch *scratch, ad_process_names *names,
                                  uint64_t start_key)
{
    ad_event ev;
    ad_err err = ad_etw_decode(in, &ev, scratch);
    if (err == AD_OK) {
        if (names != NULL)
            name_requester(ring, &ev, names, start_key);
        if (ev.hdr.provider == AD_PROVIDER_DNS_CLIENT &&
            ad_client_pair_feed(&client_pairs, &ev, ad_time_mono_ns()) == AD_PAIR_EVICTED)
            ad_ring_producer_counter_add(ring, AD_CAP_CLIENT_PAIR_EVICTIONS, 1);
        return ad_capture_emit(ring, &ev);
    }
    ad_ring_producer_counter_add(ring, AD_CAP_EVENTS_IN, 1);
    if (err == AD_EUNSUPP)
        ad_ring_producer_counter_add(ring, AD_CAP_UNSUPPORTED_EVENTS, 1);
    else
        ad_ring_producer_decode_error(ring, in->event_id, in->version);
    return err;
}
