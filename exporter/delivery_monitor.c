/* asimdns-exporter: delivery state changes, rate-limited warnings, summary (delivery_monitor.h). */
#include "exporter/delivery_monitor.h"

#include <stdio.h>

#include "common/compiler.h"
#include "common/log.h"

#define NS_PER_SEC 1000000000ULL

/* The periodic summary line, in the order it names them. */
static const ad_summary_item summary_items[] = {
    {"records exported", {AD_EXP_RECORDS_EXPORTED, -1}, false},
    {"batches ok", {AD_EXP_BATCHES_OK, -1}, false},
    {"failed", {AD_EXP_BATCHES_FAILED, -1}, false},
    {"retries", {AD_EXP_BATCHES_RETRIED, -1}, false},
    {"records rejected", {AD_EXP_RECORDS_REJECTED, -1}, false},
    {"dropped by capture", {AD_EXP_SEQUENCE_GAPS, -1}, false},
};

/* The totals at the end of a run. */
static const ad_summary_item total_items[] = {
    {"records exported", {AD_EXP_RECORDS_EXPORTED, -1}, true},
    {"rejected", {AD_EXP_RECORDS_REJECTED, -1}, true},
    {"filtered", {AD_EXP_RECORDS_FILTERED, -1}, true},
    {"corrupt", {AD_EXP_RECORDS_CORRUPT, -1}, true},
    {"sequence gaps", {AD_EXP_SEQUENCE_GAPS, -1}, true},
    {"batches retried", {AD_EXP_BATCHES_RETRIED, -1}, true},
};

static uint64_t ring_counter(const void *src, int idx)
{
    return ad_ring_consumer_counter_get(src, (ad_exporter_counter)idx);
}

void ad_dmon_init(ad_delivery_monitor *m, ad_ring_consumer *ring, const char *ring_name,
                  ad_metrics *metrics, uint32_t summary_seconds)
{
    *m = (ad_delivery_monitor){.ring = ring, .ring_name = ring_name, .metrics = metrics};
    for (int i = 0; i < AD_DMON__WARNINGS; i++)
        ad_ratelimit_init(&m->warn[i], AD_DMON_LOG_INTERVAL_NS);
    ad_ratelimit_init(&m->rl_receiver, AD_DMON_LOG_INTERVAL_NS);
    ad_ratelimit_init(&m->rl_ring, AD_DMON_LOG_INTERVAL_NS);
    ad_ratelimit_init(&m->rl_gaps, AD_DMON_LOG_INTERVAL_NS);
    m->gaps_seen = ad_ring_consumer_counter_get(ring, AD_EXP_SEQUENCE_GAPS);
    m->summary_ns = (uint64_t)summary_seconds * NS_PER_SEC;
    ad_summary_line_init(&m->summary, summary_items, AD_ARRAY_LEN(summary_items), ring_counter,
                         ring);
}

bool ad_dmon_warn_allowed(ad_delivery_monitor *m, ad_dmon_warning w, uint64_t now,
                          uint64_t *suppressed)
{
    return ad_ratelimit_allow(&m->warn[w], now, suppressed);
}

bool ad_dmon_receiver_down(const ad_delivery_monitor *m)
{
    return m->receiver_down;
}

void ad_dmon_attempt(ad_delivery_monitor *m, const ad_send_result *res, uint64_t first_attempt_ns,
                     uint64_t now, uint64_t wall)
{
    bool ok = res->status == AD_SEND_OK;
    ad_ring_consumer_delivery(m->ring, ok, wall);
    if (m->metrics != NULL) {
        ad_metrics_delivery(m->metrics, ok, wall);
        if (ok)
            ad_metrics_observe_latency(m->metrics, now - first_attempt_ns);
    }
    /* A rejection is an answer: the receiver is there (the batch is counted and logged). */
    bool reachable = res->status != AD_SEND_RETRY;
    if (!reachable && !m->receiver_down) {
        uint64_t sup = 0;
        m->receiver_down = true;
        m->receiver_down_mono = now;
        m->receiver_down_attempts = 0;
        m->receiver_down_logged = ad_ratelimit_allow(&m->rl_receiver, now, &sup);
        if (m->receiver_down_logged) {
            char code[32] = "";
            if (res->code != 0)
                snprintf(code, sizeof(code), " (status %d)", res->code);
            ad_log_warn("receiver unavailable%s%s%s: keeping records in the ring and retrying "
                        "(+%llu earlier changes not logged)",
                        code, res->message[0] ? ": " : "", res->message, (unsigned long long)sup);
        }
    }
    if (!reachable)
        m->receiver_down_attempts++;
    if (reachable && m->receiver_down) {
        m->receiver_down = false;
        if (m->receiver_down_logged)
            ad_log_info("receiver back after %.1f s (%llu failed attempts)",
                        (double)(now - m->receiver_down_mono) / 1e9,
                        (unsigned long long)m->receiver_down_attempts);
    }
}

/* Ring use and capture drops (sequence gaps). */
static void check_ring(ad_delivery_monitor *m, uint64_t now)
{
    uint64_t cap = ad_ring_consumer_capacity(m->ring);
    uint64_t prod = ad_ring_consumer_producer_pos(m->ring);
    uint64_t cons = ad_ring_consumer_committed_pos(m->ring);
    uint64_t used = prod > cons ? prod - cons : 0;
    if (used > cap)
        used = cap; /* an untrusted word: never report more than the ring */
    double pct = cap ? 100.0 * (double)used / (double)cap : 0.0;
    if (!m->ring_full && used * 100u > cap * (uint64_t)AD_RING_FULL_WARN_PERCENT) {
        uint64_t sup = 0;
        m->ring_full = true;
        m->ring_full_logged = ad_ratelimit_allow(&m->rl_ring, now, &sup);
        if (m->ring_full_logged)
            ad_log_warn("ring '%s' is %.1f %% full: delivery is not keeping up; capture drops "
                        "records when it is full (+%llu earlier changes not logged)",
                        m->ring_name, pct, (unsigned long long)sup);
    } else if (m->ring_full && used * 200u < cap * (uint64_t)AD_RING_FULL_WARN_PERCENT) {
        /* Recovered below half the warning level, so a ring hovering at the mark does not
           produce a line each second. */
        m->ring_full = false;
        if (m->ring_full_logged)
            ad_log_info("ring '%s' recovered: %.1f %% used", m->ring_name, pct);
    }
    uint64_t gaps = ad_ring_consumer_counter_get(m->ring, AD_EXP_SEQUENCE_GAPS);
    if (gaps > m->gaps_seen) {
        uint64_t sup = 0;
        if (ad_ratelimit_allow(&m->rl_gaps, now, &sup))
            ad_log_warn("%llu records missing in the sequence (dropped by capture, ring full or "
                        "too large); %llu in all (+%llu lines not logged)",
                        (unsigned long long)(gaps - m->gaps_seen), (unsigned long long)gaps,
                        (unsigned long long)sup);
        m->gaps_seen = gaps;
    }
}

void ad_dmon_tick(ad_delivery_monitor *m, uint64_t now)
{
    if (now >= m->next_ring_check_ns) {
        m->next_ring_check_ns = now + AD_DMON_RING_CHECK_NS;
        check_ring(m, now);
    }
    if (m->summary_ns != 0 && now >= m->next_summary_ns) {
        if (m->next_summary_ns != 0) {
            char line[512];
            ad_summary_line_format(&m->summary, "summary", true,
                                   m->receiver_down ? "; receiver down" : "; receiver up", line,
                                   sizeof(line));
            ad_log_info("%s", line);
        }
        m->next_summary_ns = now + m->summary_ns;
    }
}

void ad_dmon_log_totals(ad_ring_consumer *ring, const char *why)
{
    ad_summary_line s;
    char line[512];
    ad_summary_line_init(&s, total_items, AD_ARRAY_LEN(total_items), ring_counter, ring);
    ad_summary_line_format(&s, why, false, NULL, line, sizeof(line));
    ad_log_info("%s", line);
}
