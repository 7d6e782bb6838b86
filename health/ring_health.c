/*
 * asimdns: the health rules over a ring snapshot (ipc/ring_status.h): when a service is down
 * or degraded, and why. Shared by `asimdns status` and the exporter's /metrics and /readyz.
 */
#include "health/ring_health.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"

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
        ad_err_msg_append(why, whycap, "%s pid %llu is gone (heartbeat %.1f s old)", name,
                          (unsigned long long)pid, (double)age / 1e9);
        return AD_RING_DOWN;
    }
    if (age > AD_RING_STALE_INTERVALS * period) {
        ad_err_msg_append(why, whycap, "%s heartbeat is %.1f s old (period %.1f s)", name,
                          (double)age / 1e9, (double)period / 1e9);
        return AD_RING_DEGRADED;
    }
    return AD_RING_HEALTHY;
}

static ad_ring_health check_capture(const ad_ring_status *st, char *why, size_t whycap)
{
    uint64_t age = ad_ring_status_age_ns(st, st->capture_heartbeat_ns);
    if (st->capture_pid == 0) {
        ad_err_msg_append(why, whycap, "capture is not running (not attached to the ring)");
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
                ad_err_msg_append(why, whycap, "%llu %s in the last %.1f s", (unsigned long long)d,
                                  loss_counters[i].what, secs);
                h = AD_RING_DEGRADED;
            }
        }
    }
    if (ring_nearly_full(st)) {
        ad_err_msg_append(why, whycap, "ring is %.1f %% full", ad_ring_status_used_percent(st));
        h = AD_RING_DEGRADED;
    }
    if (h == AD_RING_HEALTHY) {
        ad_err_msg_append(why, whycap,
                          "capture pid %llu running, heartbeat %.1f s old, ring %.1f %% full",
                          (unsigned long long)st->capture_pid, (double)age / 1e9,
                          ad_ring_status_used_percent(st));
    }
    return h;
}

static ad_ring_health check_exporter(const ad_ring_status *st, char *why, size_t whycap)
{
    uint64_t age = ad_ring_status_age_ns(st, st->exporter_heartbeat_ns);
    if (!st->cursor_ok) {
        ad_err_msg_append(why, whycap, "cursor unreadable: %s", st->cursor_error);
        return AD_RING_DOWN;
    }
    if (st->exporter_pid == 0) {
        ad_err_msg_append(why, whycap, "exporter is not attached");
        return AD_RING_DOWN;
    }
    ad_ring_health h = side_liveness(AD_RING_EXPORTER, st->exporter_pid, st->exporter_alive, age,
                                     ad_ring_status_exporter_period_ns(st), why, whycap);
    if (h == AD_RING_DOWN) {
        return h;
    }
    if (st->failing_since_ns != 0) {
        ad_err_msg_append(why, whycap,
                          "exporter failing to deliver for %.1f s (%llu failed attempts)",
                          (double)ad_ring_status_age_ns(st, st->failing_since_ns) / 1e9,
                          (unsigned long long)st->delivery_failures);
        h = AD_RING_DEGRADED;
    }
    if (!st->cursor_valid) {
        ad_err_msg_append(why, whycap, "consumer position %llu is impossible (producer %llu)",
                          (unsigned long long)st->consumer_pos,
                          (unsigned long long)st->producer_pos);
        h = AD_RING_DEGRADED;
    } else if (ring_nearly_full(st)) {
        ad_err_msg_append(why, whycap, "ring is %.1f %% full", ad_ring_status_used_percent(st));
        h = AD_RING_DEGRADED;
    }
    if (h == AD_RING_HEALTHY) {
        ad_err_msg_append(why, whycap,
                          "exporter pid %llu running, heartbeat %.1f s old, delivering",
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

ad_ring_health ad_ring_status_health(const ad_ring_status *st, char *why, size_t whycap)
{
    char cwhy[256], ewhy[256];
    ad_ring_health c = ad_ring_status_check(st, AD_RING_CAPTURE, cwhy, sizeof(cwhy));
    ad_ring_health e = ad_ring_status_check(st, AD_RING_EXPORTER, ewhy, sizeof(ewhy));
    if (e == AD_RING_DOWN) {
        e = AD_RING_DEGRADED; /* the ring holds the records until an exporter comes */
    }
    if (c == AD_RING_HEALTHY && e == AD_RING_HEALTHY) {
        ad_err_msg(why, whycap, "capture and exporter attached, heartbeats fresh");
        return AD_RING_HEALTHY;
    }
    ad_err_msg(why, whycap, "%s", c != AD_RING_HEALTHY ? cwhy : ewhy);
    return c > e ? c : e;
}
