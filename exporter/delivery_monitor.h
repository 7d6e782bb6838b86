/*
 * asimdns-exporter: what the operator hears about delivery (pipeline.h "Monitoring"). The
 * pipeline reports events; this module decides what is logged and when:
 *
 *   receiver unavailable / back      state changes, each logged once (rate-limited), the "back"
 *                                    line only when the "unavailable" line was written
 *   ring nearly full / recovered     above AD_RING_FULL_WARN_PERCENT; recovered below half that
 *   capture drops                    new sequence gaps, about once a second
 *   rejections, partial successes, retries, records too large, batches given up
 *                                    at most one line per kind per AD_DMON_LOG_INTERVAL_NS,
 *                                    with the number held back
 *   the periodic summary             every log.summary_seconds, from a table of counters
 *                                    (common/summary_line.h)
 *
 * Every attempt's outcome also goes to the cursor (ad_ring_consumer_delivery, read by
 * `asimdns status --check exporter`) and to ad_metrics (latency histogram, /readyz).
 * Counting is the pipeline's job: this module only reads counters.
 */
#ifndef AD_EXPORTER_DELIVERY_MONITOR_H
#define AD_EXPORTER_DELIVERY_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/ratelimit.h"
#include "common/summary_line.h"
#include "exporter/metrics.h"
#include "exporter/transport.h"
#include "ipc/ring.h"

/* Same-kind warnings are logged at most once per this interval. */
#define AD_DMON_LOG_INTERVAL_NS (10ULL * 1000000000ULL)
/* How often ring use and sequence gaps are looked at. */
#define AD_DMON_RING_CHECK_NS 1000000000ULL

/* The kinds of recurring warning, each with its own rate limit. */
typedef enum ad_dmon_warning {
    AD_DMON_REJECTED = 0, /* a batch refused for good */
    AD_DMON_PARTIAL,      /* a batch acknowledged with records rejected */
    AD_DMON_RETRY,        /* an attempt that will be retried */
    AD_DMON_TOO_LARGE,    /* a record alone larger than batch.max_bytes */
    AD_DMON__WARNINGS
} ad_dmon_warning;

typedef struct ad_delivery_monitor {
    ad_ring_consumer *ring;
    const char *ring_name;
    ad_metrics *metrics; /* NULL = none */
    ad_ratelimit warn[AD_DMON__WARNINGS];

    ad_ratelimit rl_receiver;
    bool receiver_down;
    bool receiver_down_logged;
    uint64_t receiver_down_mono;
    uint64_t receiver_down_attempts;

    ad_ratelimit rl_ring;
    bool ring_full;
    bool ring_full_logged;
    ad_ratelimit rl_gaps;
    uint64_t gaps_seen;
    uint64_t next_ring_check_ns;

    uint64_t summary_ns; /* 0 = off */
    uint64_t next_summary_ns;
    ad_summary_line summary;
} ad_delivery_monitor;

/* summary_seconds: log.summary_seconds (0 = no summary line). */
void ad_dmon_init(ad_delivery_monitor *m, ad_ring_consumer *ring, const char *ring_name,
                  ad_metrics *metrics, uint32_t summary_seconds);

/*
 * One attempt's outcome at monotonic now / wall time wall: cursor and metrics state, the
 * latency of an acknowledged batch since first_attempt_ns, receiver up/down lines.
 */
void ad_dmon_attempt(ad_delivery_monitor *m, const ad_send_result *res, uint64_t first_attempt_ns,
                     uint64_t now, uint64_t wall);

/* Ring use, sequence gaps and the summary line, when due (call often; cheap otherwise). */
void ad_dmon_tick(ad_delivery_monitor *m, uint64_t now);

/*
 * Whether a warning of this kind may be logged now; *suppressed receives how many were held
 * back before it.
 */
bool ad_dmon_warn_allowed(ad_delivery_monitor *m, ad_dmon_warning w, uint64_t now,
                          uint64_t *suppressed);

bool ad_dmon_receiver_down(const ad_delivery_monitor *m);

/*
 * The totals line at the end of a run: why is "stopping" when the exporter ends, "detaching"
 * when it attaches to a new ring next.
 */
void ad_dmon_log_totals(ad_ring_consumer *ring, const char *why);

#endif
