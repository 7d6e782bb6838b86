/*
 * asimdns: a read-only snapshot of a ring for `asimdns status`: both objects' positions,
 * heartbeats, pids and every counter, plus a health verdict and two renderings (a human table
 * and JSON). Maps the data header page and the cursor page read-only; never writes.
 */
#ifndef AD_IPC_RING_STATUS_H
#define AD_IPC_RING_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "ipc/ring.h"
#include "ipc/ring_layout.h"

/* One decode-error table entry. */
typedef struct ad_ring_decode_count {
    uint16_t event_id;
    uint8_t version;
    bool other; /* the overflow slot: every (id, version) that found no free slot */
    uint64_t count;
} ad_ring_decode_count;

typedef struct ad_ring_status {
    char name[AD_RING_NAME_MAX + 1];
    uint64_t taken_ns; /* wall clock, Unix ns, when the snapshot was taken */
    bool consistent;   /* both positions were stable across the copy */

    /* Data object (capture). */
    uint32_t layout_version;
    uint64_t capacity;
    uint32_t max_payload;
    uint64_t generation;
    uint64_t created_ns;
    uint64_t producer_pos;
    uint64_t next_seq;
    uint64_t capture_pid; /* 0: detached cleanly */
    uint64_t capture_start_ns;
    uint64_t capture_heartbeat_ns;
    uint64_t capture_attaches;
    uint64_t capture_counters[AD_RING_COUNTER_SLOTS];
    ad_ring_decode_count decode_errors[AD_RING_DECODE_SLOTS];
    size_t decode_error_count;
    bool capture_alive; /* capture_pid names a live process (true when it cannot be told) */
    /* The last heartbeat interval (ring_layout.h "Monitoring"); 0 = not recorded. */
    uint64_t capture_heartbeat_interval_ns;         /* promised period */
    uint64_t capture_prev_heartbeat_ns;             /* start of the last interval */
    bool interval_valid;                            /* interval_delta describes the last interval */
    uint64_t interval_delta[AD_RING_COUNTER_SLOTS]; /* capture counters' increase in it */

    /* Cursor object (exporter); cursor_ok false when it could not be read. */
    bool cursor_ok;
    char cursor_error[256];
    uint64_t consumer_pos;
    uint64_t read_pos;
    uint64_t committed_seq;
    uint64_t exporter_pid; /* 0: detached cleanly or never attached */
    uint64_t exporter_start_ns;
    uint64_t exporter_heartbeat_ns;
    uint64_t generation_seen;
    uint64_t exporter_attaches;
    uint64_t exporter_counters[AD_RING_COUNTER_SLOTS]; /* as far as the seal vouches for them */
    unsigned exporter_counters_untrusted;    /* counters shown at their sealed value (or 0) */
    bool exporter_alive;                     /* as capture_alive */
    uint64_t exporter_heartbeat_interval_ns; /* promised period; 0 = not recorded */
    uint64_t last_ok_ns;                     /* last acknowledged batch; 0 = none */
    uint64_t failing_since_ns;               /* deliveries failing since; 0 = not failing */
    uint64_t last_failure_ns;
    uint64_t delivery_failures; /* failed attempts since the last success */
    ad_ring_spool_gauges spool; /* the exporter's disk spool; state AD_RING_SPOOL_OFF = none */

    /* Derived. */
    bool cursor_valid;   /* consumer_pos is possible relative to producer_pos */
    uint64_t used_bytes; /* producer_pos - consumer_pos when cursor_valid */
} ad_ring_status;

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
 * Takes a snapshot of ring name. AD_ENOENT when the ring does not exist, AD_EPERM when the
 * data object cannot be read, AD_EVERSION for another layout (message in msg). A missing or
 * unreadable cursor is not an error: cursor_ok is false and cursor_error says why.
 */
ad_err ad_ring_status_read(const char *name, bool global_namespace, ad_ring_status *st, char *msg,
                           size_t msgcap);

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
 * the worse one. stale_ns is not used any more (the periods recorded in the ring decide) and
 * is kept for source compatibility.
 */
ad_ring_health ad_ring_status_health(const ad_ring_status *st, uint64_t stale_ns, char *why,
                                     size_t whycap);

const char *ad_ring_component_name(ad_ring_component c);

/* Age in ns at the snapshot (taken_ns) of a wall-clock stamp; one from the future counts as 0. */
uint64_t ad_ring_status_age_ns(const ad_ring_status *st, uint64_t t);

const char *ad_ring_health_name(ad_ring_health h);

/* Appends a human-readable table (every counter, zero or not). */
void ad_ring_status_format_text(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb);

/*
 * Appends one JSON object. Positions and counters are numbers; the generation is a hex string
 * (u64 does not survive JSON number parsers); ages are in ns, null when the side is detached.
 */
void ad_ring_status_format_json(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb);

#endif
