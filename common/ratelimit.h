/* A rate limit for log lines about recurring conditions (receiver down, ring full, bad writer):
 * the first occurrence is logged at once, later ones at most once per interval, and the lines
 * that were held back are counted so the next line can say how many. */
#ifndef ASIMDNS_COMMON_RATELIMIT_H
#define ASIMDNS_COMMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ad_ratelimit {
    uint64_t interval_ns;
    uint64_t next_ns;    /* monotonic time before which lines are held back; 0 = none yet */
    uint64_t suppressed; /* lines held back since the last one that was let through */
} ad_ratelimit;

void ad_ratelimit_init(ad_ratelimit *rl, uint64_t interval_ns);

/* True when a line may be logged at monotonic time now_ns; *suppressed_out (may be NULL) then
 * receives how many were held back before it. False counts this line as held back. */
bool ad_ratelimit_allow(ad_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed_out);

#endif
