/*
 * asimdns-capture: paces a source to a target rate (events/s) at a low cost per event.
 *
 * A paced source does not sleep per event: it sleeps to the next point of a tick grid
 * (AD_PACER_TICK_NS after the start, and every tick after that) and then sends every event
 * whose time has come. The rate stays exact over time (what is due is computed from the
 * elapsed time, so late wake-ups are caught up), a source wakes at most once per tick, and
 * ad_pacer_due_mono tells when each event was due so a generator can stamp events as if they
 * had been sent one by one.
 */
#ifndef AD_CAPTURE_PACER_H
#define AD_CAPTURE_PACER_H

#include <stdint.h>

/*
 * Wake-ups of a paced source are this far apart: 100 a second whatever the rate, where a sleep
 * per event (or per 200 us nap) cost more CPU in context switches than the events themselves.
 * Measured on a 2-core VM, synthetic source at 20k events/s: a wake-up costs about 25 us of
 * CPU, so 5 ms ticks cost 1.1-1.2 % of a core in all and 10 ms ticks 0.9-1.0 %. An event
 * leaves at most a tick after its time (far below the exporter's batch age); its timestamp is
 * its time.
 */
#define AD_PACER_TICK_NS 10000000ULL

/* The longest single sleep, so a slow rate still returns to its caller's stop check. */
#define AD_PACER_MAX_SLEEP_NS 50000000ULL

/* Rates above this are paced as this (one event per ns: more than any source produces). */
#define AD_PACER_MAX_RATE 1000000000ULL

typedef struct ad_pacer {
    uint64_t rate; /* events/s; 0 = as fast as possible */
    uint64_t start_mono;
    uint64_t sent;   /* events allowed so far */
    uint64_t sleeps; /* times ad_pacer_allow slept: the wake-ups pacing cost */
} ad_pacer;

/* Starts pacing now (monotonic clock). */
void ad_pacer_init(ad_pacer *p, uint64_t rate);

/* The same with an explicit start time (tests drive the clock themselves). */
void ad_pacer_init_at(ad_pacer *p, uint64_t rate, uint64_t start_mono);

/*
 * How many events may be sent at monotonic time now_mono (at most max) without exceeding the
 * rate; counts them as sent. Never sleeps.
 */
uint64_t ad_pacer_allow_at(ad_pacer *p, uint64_t now_mono, uint64_t max);

/*
 * When to ask again after ad_pacer_allow_at gave 0 at now_mono: the first tick-grid point at
 * or after the next event's time, at most AD_PACER_MAX_SLEEP_NS after now_mono; always later
 * than now_mono. Rate 0: now_mono.
 */
uint64_t ad_pacer_wake_mono(const ad_pacer *p, uint64_t now_mono);

/*
 * ad_pacer_allow_at with the clock read here; when none may be sent, sleeps until
 * ad_pacer_wake_mono and returns 0 (call again: the caller checks stop in between).
 */
uint64_t ad_pacer_allow(ad_pacer *p, uint64_t max);

/*
 * Monotonic time at which event index (0 = the first allowed) became due: the time it would
 * have been sent by a source sleeping per event. Rate 0: the start time.
 */
uint64_t ad_pacer_due_mono(const ad_pacer *p, uint64_t index);

#endif
