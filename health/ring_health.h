/*
 * asimdns: the health rules over a ring snapshot: each service's verdict (healthy, degraded,
 * down) with a one-line reason, for `asimdns status` and the exporter's /metrics and /readyz.
 */
#ifndef AD_HEALTH_RING_HEALTH_H
#define AD_HEALTH_RING_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/ring_status.h"

typedef enum ad_ring_health {
    AD_RING_HEALTHY = 0,  /* running, fresh heartbeat, nothing lost or about to be */
    AD_RING_DEGRADED = 1, /* running, but stale, losing records, failing or nearly full */
    AD_RING_DOWN = 2      /* not running (or no ring at all) */
} ad_ring_health;

/* Which service `asimdns status --check` judges. */
typedef enum ad_ring_component { AD_RING_CAPTURE = 0, AD_RING_EXPORTER = 1 } ad_ring_component;

/* A heartbeat older than this many promised periods is stale. */
#define AD_RING_STALE_INTERVALS 3u
/* Used bytes above this share of the capacity (percent) degrade both services. */
#define AD_RING_FULL_WARN_PERCENT 80u
/* A measured heartbeat gap counts as the period only up to this (heartbeat_seconds' limit). */
#define AD_RING_MAX_HEARTBEAT_NS (60ULL * 1000000000ULL)

/*
 * One service's verdict, with a one-line reason (several joined by "; "):
 *   capture   down: not attached (clean stop) or its pid is gone.
 *             degraded: heartbeat older than AD_RING_STALE_INTERVALS periods; records dropped
 *             (ring full, too large) or ETW losses (events lost, real-time/log buffers lost)
 *             increased in the last heartbeat interval; ring above AD_RING_FULL_WARN_PERCENT.
 *   exporter  down: cursor unreadable, not attached, or its pid is gone.
 *             degraded: heartbeat stale (as above); the last delivery attempt failed (and none
 *             succeeded since); ring above AD_RING_FULL_WARN_PERCENT; impossible cursor.
 * Pure: depends only on *st (taken_ns is "now"), so tests can build any state.
 */
ad_ring_health ad_ring_status_check(const ad_ring_status *st, ad_ring_component which, char *why,
                                    size_t whycap);

/* The heartbeat period a side is judged by: the promised one, or the measured last gap when
   that is longer (capped at AD_RING_MAX_HEARTBEAT_NS); 1 s when neither is recorded. */
uint64_t ad_ring_status_capture_period_ns(const ad_ring_status *st);
uint64_t ad_ring_status_exporter_period_ns(const ad_ring_status *st);

/* Ring use in percent (0 when the consumer position is unknown). */
double ad_ring_status_used_percent(const ad_ring_status *st);

/*
 * The verdict for `asimdns status` without --check: the capture's verdict, and the exporter's
 * capped at degraded (the ring keeps records while the exporter is away), with the reason of
 * the worse one. Staleness is judged from the heartbeat periods each side recorded in the ring.
 */
ad_ring_health ad_ring_status_health(const ad_ring_status *st, char *why, size_t whycap);

const char *ad_ring_component_name(ad_ring_component c);

const char *ad_ring_health_name(ad_ring_health h);

#endif
