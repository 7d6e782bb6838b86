/*
 * asimdns-exporter: the metrics both services expose through the exporter's HTTP endpoint
 * (exporter/metrics_http.c), in the Prometheus text exposition format 0.0.4.
 *
 * Capture keeps no socket: its counters, heartbeat and ring use come from the ring header
 * (a read-only ad_ring_status snapshot taken per scrape), the exporter's from the cursor; only
 * what exists in the exporter process alone (delivery latency histogram, attachment and
 * delivery state for /readyz, main-loop liveness for /healthz) lives in ad_metrics. Every
 * field there is an atomic with one writer (the delivery thread) and any number of readers
 * (HTTP threads), so scraping never takes a lock on the delivery path.
 *
 * Names start with asimdns_, counters end in _total, every sample carries
 * component="capture" or component="exporter". The full list is in the README.
 */
#ifndef AD_EXPORTER_METRICS_H
#define AD_EXPORTER_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "config/exporter_config.h"
#include "exporter/procstat.h"
#include "ipc/atomics.h"
#include "health/ring_health.h"

/* Upper bounds (seconds) of the delivery latency histogram buckets; +Inf is implied. */
#define AD_METRICS_LATENCY_BUCKETS 15
extern const double ad_metrics_latency_bounds[AD_METRICS_LATENCY_BUCKETS];

/* Content-Type of the rendering. */
#define AD_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct ad_metrics {
    /* Delivery latency: first send attempt of a batch -> acknowledged. Per-bucket counts (not
       cumulative; the renderer sums them, and their sum is _count), the last one is +Inf. */
    ad_atomic_u64 latency_bucket[AD_METRICS_LATENCY_BUCKETS + 1];
    ad_atomic_u64 latency_sum_ns;
    ad_atomic_u64 attached;         /* 1 while a pipeline runs on an attached ring */
    ad_atomic_u64 generation;       /* the attached ring's generation */
    ad_atomic_u64 failing_since_ns; /* wall clock of the first failed attempt; 0 = not failing */
    ad_atomic_u64 loop_mono_ns;     /* monotonic time the main loop last went round */
    /* Records each filter rule decided (exporter/filter.h), by rule index; filters names them
       (NULL = no rules shown). Kept here so they survive a re-attach. */
    ad_atomic_u64 filter_hits[AD_CONFIG_MAX_FILTER_RULES];
    const ad_config_filters *filters;
} ad_metrics;

void ad_metrics_init(ad_metrics *m);
void ad_metrics_observe_latency(ad_metrics *m, uint64_t ns);
/* One delivery attempt's outcome at wall time wall_ns (as ad_ring_consumer_delivery). */
void ad_metrics_delivery(ad_metrics *m, bool ok, uint64_t wall_ns);
void ad_metrics_set_attached(ad_metrics *m, bool attached, uint64_t generation);
void ad_metrics_beat(ad_metrics *m, uint64_t mono_ns);

/* What one scrape shows. */
typedef struct ad_metrics_view {
    const ad_ring_status *ring; /* NULL: the ring could not be read (ring_error says why) */
    const char *ring_name;
    const ad_metrics *m;     /* may be NULL (tests) */
    const ad_procstat *self; /* this process; NULL = unknown */
    const ad_procstat *peer; /* the capture process; NULL = unknown or not allowed */
    const char *version;     /* asimdns_build_info */
} ad_metrics_view;

/* Appends the whole exposition (HELP and TYPE once per family, families contiguous). */
void ad_metrics_render(const ad_metrics_view *v, ad_strbuf *sb);

/*
 * /readyz: attached to the ring st describes (same generation), capture heartbeat fresh (the
 * `status --check capture` staleness rule, capture running), and deliveries not failing for
 * longer than retry_window_ns (a failure younger than that is an ordinary retry). why gets
 * the reason either way. st may be NULL (ring unreadable: not ready).
 */
bool ad_metrics_ready(const ad_metrics *m, const ad_ring_status *st, uint64_t now_wall_ns,
                      uint64_t retry_window_ns, char *why, size_t whycap);

/* /healthz: the main loop went round within limit_ns of now_mono_ns. */
bool ad_metrics_alive(const ad_metrics *m, uint64_t now_mono_ns, uint64_t limit_ns);

#endif
