/*
 * asimdns: a read-only snapshot of a ring (both objects' positions, heartbeats, pids and
 * counters) for `asimdns status` and the exporter's /metrics. What the values mean for health
 * is health/ring_health.c's business, how they are shown cli/status_render.c's.
 *
 * The snapshot maps only the data header page and the cursor page, read-only, with no owner
 * checks: it reads, never acts. Both objects change while we copy them; the positions are read
 * before and after the copy and the copy is retried a few times until they match, so the
 * positions and used bytes are a consistent pair; counters are each exact but may be a few
 * microseconds apart from one another.
 */
#include "ipc/ring_status.h"

#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"
#include "ipc/shm.h"

#define SNAPSHOT_TRIES 16

static void copy_data(ad_ring_status *st, const ad_ring_data_hdr *h)
{
    st->producer_pos = ad_atomic_load_acquire(&h->producer_pos);
    st->next_seq = ad_atomic_load_relaxed(&h->next_seq);
    st->capture_pid = ad_atomic_load_relaxed(&h->capture_pid);
    st->capture_start_ns = ad_atomic_load_relaxed(&h->start_ns);
    st->capture_heartbeat_ns = ad_atomic_load_relaxed(&h->heartbeat_ns);
    st->capture_attaches = ad_atomic_load_relaxed(&h->attaches);
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        st->capture_counters[i] = ad_atomic_load_relaxed(&h->counters[i]);
    }
    st->decode_error_count = 0;
    for (unsigned i = 0; i < AD_RING_DECODE_SLOTS; i++) {
        uint64_t key = ad_atomic_load_relaxed(&h->decode_errors[i].key);
        uint64_t count = ad_atomic_load_relaxed(&h->decode_errors[i].count);
        ad_ring_decode_count *d = &st->decode_errors[st->decode_error_count];
        if (key == 0 || count == 0) {
            continue;
        }
        memset(d, 0, sizeof(*d));
        d->other = key == AD_RING_DECODE_KEY_OTHER;
        d->event_id = (uint16_t)(key & 0xffffu);
        d->version = (uint8_t)((key >> 16) & 0xffu);
        d->count = count;
        st->decode_error_count++;
    }
    st->capture_heartbeat_interval_ns = ad_atomic_load_relaxed(&h->heartbeat_interval_ns);
    st->capture_prev_heartbeat_ns = ad_atomic_load_relaxed(&h->prev_heartbeat_ns);
    uint64_t end_ns = ad_atomic_load_relaxed(&h->interval_end_ns);
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        uint64_t base = ad_atomic_load_relaxed(&h->interval_base[i]);
        uint64_t end = ad_atomic_load_relaxed(&h->interval_end[i]);
        st->interval_delta[i] = end > base ? end - base : 0;
    }
    /* Only an interval closed by the latest heartbeat is "the last interval": a capture of an
       older build leaves the words as they were (and zero in a fresh ring). */
    st->interval_valid =
        end_ns != 0 && end_ns == st->capture_heartbeat_ns && st->capture_prev_heartbeat_ns != 0;
}

static void copy_cursor(ad_ring_status *st, const ad_ring_cursor *c)
{
    st->consumer_pos = ad_atomic_load_acquire(&c->consumer_pos);
    st->read_pos = ad_atomic_load_relaxed(&c->read_pos);
    st->committed_seq = ad_atomic_load_relaxed(&c->committed_seq);
    st->exporter_pid = ad_atomic_load_relaxed(&c->exporter_pid);
    st->exporter_start_ns = ad_atomic_load_relaxed(&c->start_ns);
    st->exporter_heartbeat_ns = ad_atomic_load_relaxed(&c->heartbeat_ns);
    st->generation_seen = ad_atomic_load_relaxed(&c->generation_seen);
    st->exporter_attaches = ad_atomic_load_relaxed(&c->attaches);
    /* Never garbage: what the exporter last sealed stands in for an implausible counter. */
    st->exporter_counters_untrusted = ad__ring_counters_verify(c, st->exporter_counters);
    st->exporter_heartbeat_interval_ns = ad_atomic_load_relaxed(&c->heartbeat_interval_ns);
    st->last_ok_ns = ad_atomic_load_relaxed(&c->last_ok_ns);
    st->failing_since_ns = ad_atomic_load_relaxed(&c->failing_since_ns);
    st->last_failure_ns = ad_atomic_load_relaxed(&c->last_failure_ns);
    st->delivery_failures = ad_atomic_load_relaxed(&c->delivery_failures);
    st->spool = (ad_ring_spool_gauges){.state = ad_atomic_load_relaxed(&c->spool_state),
                                       .bytes = ad_atomic_load_relaxed(&c->spool_bytes),
                                       .records = ad_atomic_load_relaxed(&c->spool_records),
                                       .segments = ad_atomic_load_relaxed(&c->spool_segments),
                                       .oldest_ns = ad_atomic_load_relaxed(&c->spool_oldest_ns)};
}

ad_err ad_ring_status_read(const char *name, bool global_namespace, ad_ring_status *st, char *msg,
                           size_t msgcap)
{
    ad__shm data, cursor;
    ad__shm_expect dexp = {.max_map = AD_RING_HEADER_SIZE};
    ad__shm_expect cexp = {.max_map = AD_RING_CURSOR_SIZE};
    const ad_ring_data_hdr *h;
    const ad_ring_cursor *c = NULL;
    ad_err err;

    memset(st, 0, sizeof(*st));
    if (ad_ring_name_check(name) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring name \"%s\" is invalid", name != NULL ? name : "(null)");
        return AD_EINVAL;
    }
    snprintf(st->name, sizeof(st->name), "%s", name);
    err = ad__shm_open(name, "data", global_namespace, false, &dexp, &data, msg, msgcap);
    if (err != AD_OK) {
        return err;
    }
    h = (const ad_ring_data_hdr *)data.addr;
    if ((err = ad__ring_check_data(h, data.size, false, name, msg, msgcap)) != AD_OK) {
        ad__shm_close(&data);
        return err;
    }
    st->layout_version = h->layout_version;
    st->capacity = h->capacity;
    st->max_payload = h->max_payload;
    st->generation = h->generation;
    st->created_ns = h->created_ns;

    err = ad__shm_open(name, "cursor", global_namespace, false, &cexp, &cursor, st->cursor_error,
                       sizeof(st->cursor_error));
    if (err == AD_OK && cursor.size < AD_RING_CURSOR_SIZE) {
        snprintf(st->cursor_error, sizeof(st->cursor_error), "cursor object is too small");
        ad__shm_close(&cursor);
        err = AD_ECORRUPT;
    }
    if (err == AD_OK) {
        c = (const ad_ring_cursor *)cursor.addr;
        st->cursor_ok = true;
    }

    for (int i = 0; i < SNAPSHOT_TRIES; i++) {
        uint64_t p0 = ad_atomic_load_acquire(&h->producer_pos);
        uint64_t c0 = c != NULL ? ad_atomic_load_acquire(&c->consumer_pos) : 0;
        copy_data(st, h);
        if (c != NULL) {
            copy_cursor(st, c);
        }
        if (p0 == st->producer_pos && (c == NULL || c0 == st->consumer_pos)) {
            st->consistent = true;
            break;
        }
    }
    st->taken_ns = ad_time_now_ns();
    st->capture_alive = st->capture_pid != 0 && ad__proc_alive(st->capture_pid);
    st->exporter_alive = st->exporter_pid != 0 && ad__proc_alive(st->exporter_pid);
    if (c != NULL) {
        uint64_t p = st->producer_pos, q = st->consumer_pos;
        st->cursor_valid = (q & (AD_RING_ALIGN - 1)) == 0 && q <= p && p - q <= st->capacity;
        st->used_bytes = st->cursor_valid ? p - q : 0;
        ad__shm_close(&cursor);
    }
    ad__shm_close(&data);
    return AD_OK;
}

uint64_t ad_ring_status_age_ns(const ad_ring_status *st, uint64_t t)
{
    return st->taken_ns > t ? st->taken_ns - t : 0;
}
