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
    uint64_t exporter_counters[AD_RING_COUNTER_SLOTS];

    /* Derived. */
    bool cursor_valid;   /* consumer_pos is possible relative to producer_pos */
    uint64_t used_bytes; /* producer_pos - consumer_pos when cursor_valid */
} ad_ring_status;

typedef enum ad_ring_health {
    AD_RING_HEALTHY = 0,  /* both sides attached with fresh heartbeats */
    AD_RING_DEGRADED = 1, /* capture alive, but the exporter is not, or the ring is nearly full */
    AD_RING_DOWN = 2      /* capture not running (or no ring at all) */
} ad_ring_health;

/*
 * Takes a snapshot of ring name. AD_ENOENT when the ring does not exist, AD_EPERM when the
 * data object cannot be read, AD_EVERSION for another layout (message in msg). A missing or
 * unreadable cursor is not an error: cursor_ok is false and cursor_error says why.
 */
ad_err ad_ring_status_read(const char *name, bool global_namespace, ad_ring_status *st, char *msg,
                           size_t msgcap);

/* The verdict for exit codes (0/1/2) with a short reason ("exporter heartbeat 12.0 s old"). */
ad_ring_health ad_ring_status_health(const ad_ring_status *st, uint64_t stale_ns, char *why,
                                     size_t whycap);

const char *ad_ring_health_name(ad_ring_health h);

/* Appends a human-readable table (every counter, zero or not). */
void ad_ring_status_format_text(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb);

/*
 * Appends one JSON object. Positions and counters are numbers; the generation is a hex string
 * (u64 does not survive JSON number parsers); ages are in ns, null when the side is detached.
 */
void ad_ring_status_format_json(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb);

#endif
