/*
 * asimdns: the seal over the exporter counters in the cursor page (ring_internal.h), shared by
 * the consumer, which seals them, and the status reader, which checks them.
 */
#include "common/compiler.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"

uint64_t ad__ring_counters_seal(const ad_ring_cursor *cur)
{
    uint64_t x = 0x6173696d646e7331ULL; /* never 0 for an all-zero page */
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        x = ad__ring_mix64(x ^ ad_atomic_load_relaxed(&cur->counters_snapshot[i]));
    }
    return x != 0 ? x : 1;
}

unsigned ad__ring_counters_verify(const ad_ring_cursor *cur, uint64_t out[AD_RING_COUNTER_SLOTS])
{
    bool sealed = ad_atomic_load_relaxed(&cur->counters_seal) == ad__ring_counters_seal(cur);
    unsigned bad = 0;
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        uint64_t live = ad_atomic_load_relaxed(&cur->counters[i]);
        uint64_t snap = sealed ? ad_atomic_load_relaxed(&cur->counters_snapshot[i]) : 0;
        if (live < snap || live - snap > AD__RING_COUNTER_STEP) {
            live = snap;
            bad++;
        }
        out[i] = live;
    }
    return bad;
}
