/*
 * asimdns: ring snapshot and its text/JSON renderings for `asimdns status`.
 *
 * The snapshot maps only the data header page and the cursor page, read-only, with no owner
 * checks: it reads, never acts. Both objects change while we copy them; the positions are read
 * before and after the copy and the copy is retried a few times until they match, so the
 * positions and used bytes are a consistent pair; counters are each exact but may be a few
 * microseconds apart from one another.
 */
#include "ipc/ring_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"
#include "ipc/shm.h"

#define SNAPSHOT_TRIES 16

static void status_msg(char *msg, size_t cap, const char *fmt, ...) AD_PRINTF(3, 4);

static void status_msg(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (msg == NULL || cap == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

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
        status_msg(msg, msgcap, "ring name \"%s\" is invalid", name != NULL ? name : "(null)");
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

const char *ad_ring_health_name(ad_ring_health h)
{
    switch (h) {
    case AD_RING_HEALTHY:
        return "healthy";
    case AD_RING_DEGRADED:
        return "degraded";
    case AD_RING_DOWN:
        return "down";
    }
    return "?";
}

const char *ad_ring_component_name(ad_ring_component c)
{
    return c == AD_RING_CAPTURE ? "capture" : "exporter";
}

/* Appends one reason to why, "; "-separated. */
static void reason_add(char *why, size_t cap, const char *fmt, ...) AD_PRINTF(3, 4);

static void reason_add(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    size_t len;
    if (why == NULL || cap == 0) {
        return;
    }
    len = strlen(why);
    if (len != 0 && len + 2 < cap) {
        memcpy(why + len, "; ", 3);
        len += 2;
    }
    if (len + 1 >= cap) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(why + len, cap - len, fmt, ap);
    va_end(ap);
}

static uint64_t period_ns(uint64_t promised, uint64_t hb, uint64_t prev)
{
    uint64_t p = promised;
    if (hb > prev && prev != 0) {
        uint64_t gap = hb - prev;
        if (gap > AD_RING_MAX_HEARTBEAT_NS) {
            gap = AD_RING_MAX_HEARTBEAT_NS;
        }
        /* A longer measured gap means heartbeat_seconds is above what was promised (or the
           ring was written by a build that does not promise): judge by what it does. */
        if (gap > p) {
            p = gap;
        }
    }
    return p != 0 ? p : AD_RING_DEFAULT_HEARTBEAT_NS;
}

uint64_t ad_ring_status_capture_period_ns(const ad_ring_status *st)
{
    return period_ns(st->capture_heartbeat_interval_ns, st->capture_heartbeat_ns,
                     st->capture_prev_heartbeat_ns);
}

uint64_t ad_ring_status_exporter_period_ns(const ad_ring_status *st)
{
    return period_ns(st->exporter_heartbeat_interval_ns, 0, 0);
}

double ad_ring_status_used_percent(const ad_ring_status *st)
{
    if (!st->cursor_ok || !st->cursor_valid || st->capacity == 0) {
        return 0.0;
    }
    return 100.0 * (double)st->used_bytes / (double)st->capacity;
}

static bool ring_nearly_full(const ad_ring_status *st)
{
    return st->cursor_ok && st->cursor_valid &&
           st->used_bytes * 100u > st->capacity * (uint64_t)AD_RING_FULL_WARN_PERCENT;
}

/* The counters whose increase in the last interval means records were lost. */
static const struct {
    ad_capture_counter id;
    const char *what;
} loss_counters[] = {
    {AD_CAP_DROPPED_RING_FULL, "records dropped (ring full)"},
    {AD_CAP_DROPPED_TOO_LARGE, "records dropped (too large)"},
    {AD_CAP_ETW_EVENTS_LOST, "ETW events lost"},
    {AD_CAP_ETW_REALTIME_BUFFERS_LOST, "ETW real-time buffers lost"},
    {AD_CAP_ETW_LOG_BUFFERS_LOST, "ETW log buffers lost"},
    {AD_CAP_ETW_RT_LOST_EVENTS, "ETW real-time lost events"},
};

/* What both sides share once attached: pid gone (down) or heartbeat stale (degraded). */
static ad_ring_health side_liveness(ad_ring_component c, uint64_t pid, bool alive, uint64_t age,
                                    uint64_t period, char *why, size_t whycap)
{
    const char *name = ad_ring_component_name(c);
    if (!alive) {
        reason_add(why, whycap, "%s pid %llu is gone (heartbeat %.1f s old)", name,
                   (unsigned long long)pid, (double)age / 1e9);
        return AD_RING_DOWN;
    }
    if (age > AD_RING_STALE_INTERVALS * period) {
        reason_add(why, whycap, "%s heartbeat is %.1f s old (period %.1f s)", name,
                   (double)age / 1e9, (double)period / 1e9);
        return AD_RING_DEGRADED;
    }
    return AD_RING_HEALTHY;
}

static ad_ring_health check_capture(const ad_ring_status *st, char *why, size_t whycap)
{
    uint64_t age = ad_ring_status_age_ns(st, st->capture_heartbeat_ns);
    if (st->capture_pid == 0) {
        reason_add(why, whycap, "capture is not running (not attached to the ring)");
        return AD_RING_DOWN;
    }
    ad_ring_health h = side_liveness(AD_RING_CAPTURE, st->capture_pid, st->capture_alive, age,
                                     ad_ring_status_capture_period_ns(st), why, whycap);
    if (h == AD_RING_DOWN) {
        return h;
    }
    if (st->interval_valid) {
        double secs = (double)(st->capture_heartbeat_ns - st->capture_prev_heartbeat_ns) / 1e9;
        for (size_t i = 0; i < AD_ARRAY_LEN(loss_counters); i++) {
            uint64_t d = st->interval_delta[loss_counters[i].id];
            if (d != 0) {
                reason_add(why, whycap, "%llu %s in the last %.1f s", (unsigned long long)d,
                           loss_counters[i].what, secs);
                h = AD_RING_DEGRADED;
            }
        }
    }
    if (ring_nearly_full(st)) {
        reason_add(why, whycap, "ring is %.1f %% full", ad_ring_status_used_percent(st));
        h = AD_RING_DEGRADED;
    }
    if (h == AD_RING_HEALTHY) {
        reason_add(why, whycap, "capture pid %llu running, heartbeat %.1f s old, ring %.1f %% full",
                   (unsigned long long)st->capture_pid, (double)age / 1e9,
                   ad_ring_status_used_percent(st));
    }
    return h;
}

static ad_ring_health check_exporter(const ad_ring_status *st, char *why, size_t whycap)
{
    uint64_t age = ad_ring_status_age_ns(st, st->exporter_heartbeat_ns);
    if (!st->cursor_ok) {
        reason_add(why, whycap, "cursor unreadable: %s", st->cursor_error);
        return AD_RING_DOWN;
    }
    if (st->exporter_pid == 0) {
        reason_add(why, whycap, "exporter is not attached");
        return AD_RING_DOWN;
    }
    ad_ring_health h = side_liveness(AD_RING_EXPORTER, st->exporter_pid, st->exporter_alive, age,
                                     ad_ring_status_exporter_period_ns(st), why, whycap);
    if (h == AD_RING_DOWN) {
        return h;
    }
    if (st->failing_since_ns != 0) {
        reason_add(why, whycap, "exporter failing to deliver for %.1f s (%llu failed attempts)",
                   (double)ad_ring_status_age_ns(st, st->failing_since_ns) / 1e9,
                   (unsigned long long)st->delivery_failures);
        h = AD_RING_DEGRADED;
    }
    if (!st->cursor_valid) {
        reason_add(why, whycap, "consumer position %llu is impossible (producer %llu)",
                   (unsigned long long)st->consumer_pos, (unsigned long long)st->producer_pos);
        h = AD_RING_DEGRADED;
    } else if (ring_nearly_full(st)) {
        reason_add(why, whycap, "ring is %.1f %% full", ad_ring_status_used_percent(st));
        h = AD_RING_DEGRADED;
    }
    if (h == AD_RING_HEALTHY) {
        reason_add(why, whycap, "exporter pid %llu running, heartbeat %.1f s old, delivering",
                   (unsigned long long)st->exporter_pid, (double)age / 1e9);
    }
    return h;
}

ad_ring_health ad_ring_status_check(const ad_ring_status *st, ad_ring_component which, char *why,
                                    size_t whycap)
{
    if (why != NULL && whycap != 0) {
        why[0] = '\0';
    }
    return which == AD_RING_CAPTURE ? check_capture(st, why, whycap)
                                    : check_exporter(st, why, whycap);
}

ad_ring_health ad_ring_status_health(const ad_ring_status *st, uint64_t stale_ns, char *why,
                                     size_t whycap)
{
    char cwhy[256], ewhy[256];
    (void)stale_ns;
    ad_ring_health c = ad_ring_status_check(st, AD_RING_CAPTURE, cwhy, sizeof(cwhy));
    ad_ring_health e = ad_ring_status_check(st, AD_RING_EXPORTER, ewhy, sizeof(ewhy));
    if (e == AD_RING_DOWN) {
        e = AD_RING_DEGRADED; /* the ring holds the records until an exporter comes */
    }
    if (c == AD_RING_HEALTHY && e == AD_RING_HEALTHY) {
        status_msg(why, whycap, "capture and exporter attached, heartbeats fresh");
        return AD_RING_HEALTHY;
    }
    status_msg(why, whycap, "%s", c != AD_RING_HEALTHY ? cwhy : ewhy);
    return c > e ? c : e;
}

/* ---- text ------------------------------------------------------------------------------- */

static void text_time(ad_strbuf *sb, uint64_t ns)
{
    char buf[AD_RFC3339_MAX];
    if (ns == 0 || ad_time_format_rfc3339(ns, buf, sizeof(buf)) == 0) {
        ad_strbuf_puts(sb, "-");
        return;
    }
    ad_strbuf_puts(sb, buf);
}

/* The exporter's disk spool: what it holds and the age of its oldest segment. */
static void text_spool(ad_strbuf *sb, const ad_ring_status *st)
{
    const ad_ring_spool_gauges *g = &st->spool;
    if (g->state == AD_RING_SPOOL_OFF)
        return;
    ad_strbuf_printf(sb, "  %-18s%llu records, %llu bytes in %llu segments", "spool",
                     (unsigned long long)g->records, (unsigned long long)g->bytes,
                     (unsigned long long)g->segments);
    if (g->oldest_ns != 0)
        ad_strbuf_printf(sb, ", oldest %.1f s",
                         (double)ad_ring_status_age_ns(st, g->oldest_ns) / 1e9);
    ad_strbuf_puts(sb, g->state == AD_RING_SPOOL_DEGRADED
                           ? ", DEGRADED (disk errors: delivering from the ring)\n"
                           : "\n");
}

static void text_side(ad_strbuf *sb, const ad_ring_status *st, const char *label, uint64_t pid,
                      uint64_t hb, uint64_t start, uint64_t attaches)
{
    ad_strbuf_printf(sb, "  %-18s", label);
    if (pid != 0) {
        ad_strbuf_printf(sb, "pid %llu", (unsigned long long)pid);
    } else {
        ad_strbuf_puts(sb, "not attached");
    }
    if (hb != 0) {
        ad_strbuf_printf(sb, ", heartbeat %.1f s ago", (double)ad_ring_status_age_ns(st, hb) / 1e9);
    } else {
        ad_strbuf_puts(sb, ", no heartbeat");
    }
    ad_strbuf_puts(sb, ", attached ");
    text_time(sb, start);
    ad_strbuf_printf(sb, " (%llu attaches)\n", (unsigned long long)attaches);
}

void ad_ring_status_format_text(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb)
{
    char why[256];
    ad_ring_health h = ad_ring_status_health(st, stale_ns, why, sizeof(why));

    ad_strbuf_printf(sb, "ring %s (layout %u, generation %016llx, created ", st->name,
                     st->layout_version, (unsigned long long)st->generation);
    text_time(sb, st->created_ns);
    ad_strbuf_puts(sb, ")\n");
    ad_strbuf_printf(sb, "  %-18s%s: %s\n", "health", ad_ring_health_name(h), why);
    for (int c = AD_RING_CAPTURE; c <= AD_RING_EXPORTER; c++) {
        char cwhy[256];
        ad_ring_health ch = ad_ring_status_check(st, (ad_ring_component)c, cwhy, sizeof(cwhy));
        ad_strbuf_printf(sb, "  check %-12s%s: %s\n", ad_ring_component_name((ad_ring_component)c),
                         ad_ring_health_name(ch), cwhy);
    }
    ad_strbuf_printf(sb, "  %-18s%llu bytes (%.1f MiB), max record %u bytes\n", "capacity",
                     (unsigned long long)st->capacity, (double)st->capacity / 1048576.0,
                     st->max_payload);
    if (st->cursor_ok && st->cursor_valid) {
        ad_strbuf_printf(sb, "  %-18s%llu bytes (%.1f %%)\n", "used",
                         (unsigned long long)st->used_bytes,
                         100.0 * (double)st->used_bytes / (double)st->capacity);
    } else {
        ad_strbuf_printf(sb, "  %-18sunknown\n", "used");
    }
    ad_strbuf_printf(sb, "  %-18s%llu (next sequence %llu)\n", "producer position",
                     (unsigned long long)st->producer_pos, (unsigned long long)st->next_seq);
    if (st->cursor_ok) {
        ad_strbuf_printf(sb, "  %-18s%llu (committed sequence %llu, read position %llu)%s\n",
                         "consumer position", (unsigned long long)st->consumer_pos,
                         (unsigned long long)st->committed_seq, (unsigned long long)st->read_pos,
                         st->cursor_valid ? "" : " IMPOSSIBLE");
    } else {
        ad_strbuf_printf(sb, "  %-18sunavailable: %s\n", "consumer position", st->cursor_error);
    }
    text_side(sb, st, "capture", st->capture_pid, st->capture_heartbeat_ns, st->capture_start_ns,
              st->capture_attaches);
    if (st->cursor_ok) {
        text_side(sb, st, "exporter", st->exporter_pid, st->exporter_heartbeat_ns,
                  st->exporter_start_ns, st->exporter_attaches);
        ad_strbuf_printf(sb, "  %-18slast acknowledged ", "delivery");
        text_time(sb, st->last_ok_ns);
        if (st->failing_since_ns != 0) {
            ad_strbuf_printf(sb, ", FAILING since ");
            text_time(sb, st->failing_since_ns);
            ad_strbuf_printf(sb, " (%llu attempts)", (unsigned long long)st->delivery_failures);
        }
        ad_strbuf_putc(sb, '\n');
        text_spool(sb, st);
    }
    if (st->exporter_counters_untrusted != 0) {
        ad_strbuf_printf(sb,
                         "  %-18s%u exporter counter(s) in the cursor object are not plausible; "
                         "shown at their last sealed value\n",
                         "counters", st->exporter_counters_untrusted);
    }
    if (st->interval_valid) {
        ad_strbuf_printf(sb, "  %-18s%.1f s:", "last interval",
                         (double)(st->capture_heartbeat_ns - st->capture_prev_heartbeat_ns) / 1e9);
        for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
            if (st->interval_delta[i] != 0) {
                ad_strbuf_printf(sb, " %s +%llu", ad_capture_counter_name(i),
                                 (unsigned long long)st->interval_delta[i]);
            }
        }
        ad_strbuf_putc(sb, '\n');
    }
    ad_strbuf_puts(sb, "capture counters\n");
    for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
        ad_strbuf_printf(sb, "  %-28s%20llu\n", ad_capture_counter_name(i),
                         (unsigned long long)st->capture_counters[i]);
    }
    ad_strbuf_puts(sb, "decode errors by event id / version\n");
    if (st->decode_error_count == 0) {
        ad_strbuf_puts(sb, "  none\n");
    }
    for (size_t i = 0; i < st->decode_error_count; i++) {
        const ad_ring_decode_count *d = &st->decode_errors[i];
        char key[32];
        if (d->other) {
            snprintf(key, sizeof(key), "other");
        } else {
            snprintf(key, sizeof(key), "%u v%u", d->event_id, d->version);
        }
        ad_strbuf_printf(sb, "  %-28s%20llu\n", key, (unsigned long long)d->count);
    }
    if (st->cursor_ok) {
        ad_strbuf_puts(sb, "exporter counters\n");
        for (unsigned i = 0; i < AD_EXP__COUNT; i++) {
            ad_strbuf_printf(sb, "  %-28s%20llu\n", ad_exporter_counter_name(i),
                             (unsigned long long)st->exporter_counters[i]);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_key(ad_strbuf *sb, const char *key)
{
    ad_strbuf_json_string(sb, key, strlen(key));
    ad_strbuf_putc(sb, ':');
}

static void json_u64(ad_strbuf *sb, const char *key, uint64_t v)
{
    json_key(sb, key);
    ad_strbuf_u64(sb, v);
    ad_strbuf_putc(sb, ',');
}

static void json_age(ad_strbuf *sb, const ad_ring_status *st, const char *key, uint64_t hb)
{
    json_key(sb, key);
    if (hb == 0) {
        ad_strbuf_puts(sb, "null");
    } else {
        ad_strbuf_u64(sb, ad_ring_status_age_ns(st, hb));
    }
    ad_strbuf_putc(sb, ',');
}

static void json_counters(ad_strbuf *sb, const uint64_t *vals, unsigned n,
                          const char *(*name)(unsigned))
{
    json_key(sb, "counters");
    ad_strbuf_putc(sb, '{');
    for (unsigned i = 0; i < n; i++) {
        if (i != 0) {
            ad_strbuf_putc(sb, ',');
        }
        json_key(sb, name(i));
        ad_strbuf_u64(sb, vals[i]);
    }
    ad_strbuf_putc(sb, '}');
}

void ad_ring_status_format_json(const ad_ring_status *st, uint64_t stale_ns, ad_strbuf *sb)
{
    char why[256];
    char gen[24];
    ad_ring_health h = ad_ring_status_health(st, stale_ns, why, sizeof(why));

    snprintf(gen, sizeof(gen), "%016llx", (unsigned long long)st->generation);
    ad_strbuf_putc(sb, '{');
    json_key(sb, "ring");
    ad_strbuf_json_string(sb, st->name, strlen(st->name));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "health");
    ad_strbuf_json_string(sb, ad_ring_health_name(h), strlen(ad_ring_health_name(h)));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "health_reason");
    ad_strbuf_json_string(sb, why, strlen(why));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "health_code", (uint64_t)h);
    json_key(sb, "checks");
    ad_strbuf_putc(sb, '{');
    for (int c = AD_RING_CAPTURE; c <= AD_RING_EXPORTER; c++) {
        char cwhy[256];
        ad_ring_health ch = ad_ring_status_check(st, (ad_ring_component)c, cwhy, sizeof(cwhy));
        const char *cn = ad_ring_component_name((ad_ring_component)c);
        if (c != AD_RING_CAPTURE) {
            ad_strbuf_putc(sb, ',');
        }
        json_key(sb, cn);
        ad_strbuf_putc(sb, '{');
        json_u64(sb, "code", (uint64_t)ch);
        json_key(sb, "health");
        ad_strbuf_json_string(sb, ad_ring_health_name(ch), strlen(ad_ring_health_name(ch)));
        ad_strbuf_putc(sb, ',');
        json_key(sb, "reason");
        ad_strbuf_json_string(sb, cwhy, strlen(cwhy));
        ad_strbuf_putc(sb, '}');
    }
    ad_strbuf_puts(sb, "},");
    json_u64(sb, "layout_version", st->layout_version);
    json_key(sb, "generation");
    ad_strbuf_json_string(sb, gen, strlen(gen));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "created_ns", st->created_ns);
    json_u64(sb, "taken_ns", st->taken_ns);
    json_u64(sb, "capacity", st->capacity);
    json_u64(sb, "max_payload", st->max_payload);
    json_key(sb, "used_bytes");
    if (st->cursor_ok && st->cursor_valid) {
        ad_strbuf_u64(sb, st->used_bytes);
    } else {
        ad_strbuf_puts(sb, "null");
    }
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "producer_pos", st->producer_pos);
    json_u64(sb, "next_seq", st->next_seq);
    json_key(sb, "consistent");
    ad_strbuf_puts(sb, st->consistent ? "true," : "false,");

    json_key(sb, "capture");
    ad_strbuf_putc(sb, '{');
    json_u64(sb, "pid", st->capture_pid);
    json_u64(sb, "start_ns", st->capture_start_ns);
    json_u64(sb, "heartbeat_ns", st->capture_heartbeat_ns);
    json_age(sb, st, "heartbeat_age_ns", st->capture_heartbeat_ns);
    json_u64(sb, "attaches", st->capture_attaches);
    json_u64(sb, "heartbeat_period_ns", ad_ring_status_capture_period_ns(st));
    json_counters(sb, st->capture_counters, AD_CAP__COUNT, ad_capture_counter_name);
    ad_strbuf_putc(sb, ',');
    json_key(sb, "decode_errors");
    ad_strbuf_putc(sb, '[');
    for (size_t i = 0; i < st->decode_error_count; i++) {
        const ad_ring_decode_count *d = &st->decode_errors[i];
        if (i != 0) {
            ad_strbuf_putc(sb, ',');
        }
        if (d->other) {
            ad_strbuf_printf(sb, "{\"other\":true,\"count\":%llu}", (unsigned long long)d->count);
        } else {
            ad_strbuf_printf(sb, "{\"event_id\":%u,\"version\":%u,\"count\":%llu}", d->event_id,
                             d->version, (unsigned long long)d->count);
        }
    }
    ad_strbuf_puts(sb, "],");
    /* Keys end in _increase so scripts grepping "name": for a counter never hit these. */
    json_key(sb, "last_interval");
    if (st->interval_valid) {
        ad_strbuf_putc(sb, '{');
        json_u64(sb, "ns", st->capture_heartbeat_ns - st->capture_prev_heartbeat_ns);
        for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
            char key[64];
            snprintf(key, sizeof(key), "%s_increase", ad_capture_counter_name(i));
            json_key(sb, key);
            ad_strbuf_u64(sb, st->interval_delta[i]);
            ad_strbuf_putc(sb, i + 1 < AD_CAP__COUNT ? ',' : '}');
        }
    } else {
        ad_strbuf_puts(sb, "null");
    }
    ad_strbuf_puts(sb, "},");

    json_key(sb, "exporter");
    ad_strbuf_putc(sb, '{');
    json_key(sb, "present");
    ad_strbuf_puts(sb, st->cursor_ok ? "true" : "false");
    if (!st->cursor_ok) {
        ad_strbuf_putc(sb, ',');
        json_key(sb, "error");
        ad_strbuf_json_string(sb, st->cursor_error, strlen(st->cursor_error));
        ad_strbuf_puts(sb, "}}");
        return;
    }
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "pid", st->exporter_pid);
    json_u64(sb, "start_ns", st->exporter_start_ns);
    json_u64(sb, "heartbeat_ns", st->exporter_heartbeat_ns);
    json_age(sb, st, "heartbeat_age_ns", st->exporter_heartbeat_ns);
    json_u64(sb, "attaches", st->exporter_attaches);
    json_u64(sb, "counters_untrusted", st->exporter_counters_untrusted);
    json_u64(sb, "heartbeat_period_ns", ad_ring_status_exporter_period_ns(st));
    json_u64(sb, "last_ok_ns", st->last_ok_ns);
    json_u64(sb, "failing_since_ns", st->failing_since_ns);
    json_u64(sb, "delivery_failures", st->delivery_failures);
    json_u64(sb, "consumer_pos", st->consumer_pos);
    json_u64(sb, "read_pos", st->read_pos);
    json_u64(sb, "committed_seq", st->committed_seq);
    json_key(sb, "generation_seen");
    snprintf(gen, sizeof(gen), "%016llx", (unsigned long long)st->generation_seen);
    ad_strbuf_json_string(sb, gen, strlen(gen));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "cursor_valid");
    ad_strbuf_puts(sb, st->cursor_valid ? "true," : "false,");
    json_key(sb, "spool");
    ad_strbuf_putc(sb, '{');
    json_key(sb, "state");
    static const char *const spool_states[] = {"off", "on", "degraded"};
    const char *ss = st->spool.state < 3 ? spool_states[st->spool.state] : "unknown";
    ad_strbuf_json_string(sb, ss, strlen(ss));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "bytes", st->spool.bytes);
    json_u64(sb, "records", st->spool.records);
    json_u64(sb, "segments", st->spool.segments);
    json_u64(sb, "oldest_ns", st->spool.oldest_ns);
    json_key(sb, "oldest_age_ns");
    if (st->spool.oldest_ns == 0)
        ad_strbuf_puts(sb, "null},");
    else
        ad_strbuf_printf(sb, "%llu},",
                         (unsigned long long)ad_ring_status_age_ns(st, st->spool.oldest_ns));
    json_counters(sb, st->exporter_counters, AD_EXP__COUNT, ad_exporter_counter_name);
    ad_strbuf_puts(sb, "}}");
}
