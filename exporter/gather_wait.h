/*
 * asimdns-exporter: how long the pipeline may sleep while records trickle in (pipeline.c
 * ring_wait and the wait for a lane's answer).
 *
 * Every wake-up costs a context switch (tens of microseconds of CPU on a VM), so at the rates a
 * DNS server usually sees the pipeline gathers records by sleeping as long as it may: up to
 * cap_ns (the caller bounds it by the time left to the batch's max_age, the next retry and the
 * heartbeat slice), but never so long that, at the rate measured since the last decision, more
 * than an eighth of the ring would fill meanwhile. When even a millisecond would be too long
 * (a flood into a small ring) it answers 0: use the ring's own wait (spin, yield, short sleeps).
 * After an interval without records it sleeps at most AD_GATHER_QUIET_NS, so the first record
 * of a burst is read soon.
 */
#ifndef AD_EXPORTER_GATHER_WAIT_H
#define AD_EXPORTER_GATHER_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#define AD_GATHER_QUIET_NS (20ULL * 1000000ULL) /* longest sleep after nothing came */
#define AD_GATHER_MIN_NS (1ULL * 1000000ULL)    /* shorter than this: the ring's own wait */

typedef struct ad_gather {
    uint64_t pos; /* ring read position (bytes) at the last decision */
    uint64_t ns;  /* mono time of the last decision */
    bool primed;
} ad_gather;

/*
 * The sleep for this wait, in ns (<= cap_ns), or 0 for "use the ring's own wait". read_pos is
 * the ring's read position now (bytes, only grows), capacity the ring's data bytes.
 */
uint64_t ad_gather_slice(ad_gather *g, uint64_t now_ns, uint64_t read_pos, uint64_t capacity,
                         uint64_t cap_ns);

#endif
