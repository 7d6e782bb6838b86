/*
 * asimdns: a read-only snapshot of a ring for `asimdns status` and /metrics: both objects'
 * positions, heartbeats, pids and every counter. Maps the data header page and the cursor page
 * read-only; never writes. The health rules over it: health/ring_health.h; its renderings:
 * cli/status_render.h.
 */
#ifndef AD_IPC_RING_STATUS_H
#define AD_IPC_RING_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
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

/*
 * Takes a snapshot of ring name. AD_ENOENT when the ring does not exist, AD_EPERM when the
 * data object cannot be read, AD_EVERSION for another layout (message in msg). A missing or
 * unreadable cursor is not an error: cursor_ok is false and cursor_error says why.
 */
ad_err ad_ring_status_read(const char *name, bool global_namespace, ad_ring_status *st, char *msg,
                           size_t msgcap);

/* Age in ns at the snapshot (taken_ns) of a wall-clock stamp; one from the future counts as 0. */
uint64_t ad_ring_status_age_ns(const ad_ring_status *st, uint64_t t);

#endif
