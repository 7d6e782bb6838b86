/*
 * asimdns-exporter: the delivery pipeline, at-least-once (DESIGN.md §1, §3).
 *
 *   ring peek -> ad_record_decode (invalid: records_corrupt, skipped)
 *             -> filters (records_filtered, skipped)
 *             -> ad_asim_map (unknown provider: records_corrupt, skipped)
 *             -> aggregate: (optional, aggregate_stage.h): records equal on a key within a
 *                window become one row (EventCount); rows go on at window end, when max_keys
 *                rows are open, or at a stop; the commit never passes an unacknowledged row's
 *                first record
 *             -> batch (exporter/batch.h: OTLP request or JSON lines), flushed at
 * batch.max_records, batch.max_bytes or batch.max_age, whichever comes first
 *             -> transport send (on a lane of its own when batch.max_in_flight > 1)
 *             -> acknowledged: commit the ring cursor up to the batch's last record, once every
 *                older batch is settled too
 *                retry: keep the batch, wait (backoff + jitter, Retry-After), send it again
 *                rejected: records_rejected, log the receiver's message (rate-limited), commit
 *
 * The cursor never passes a record whose batch was not acknowledged or deliberately given up
 * (rejection, partial-success rejection, retry.max_elapsed, a record too large to send).
 * Sequence gaps (capture drops) are counted by the ring consumer itself (ipc/ring.h,
 * sequence_gaps).
 *
 * Overlapped delivery (delivery_lanes.h): up to N = batch.max_in_flight (default 2) batches
 * exist at once, the one being filled included; each closed batch is sent by its own lane (a
 * thread with its own transport and connection), which also compresses it, so encoding,
 * compression and sending overlap. Answers may come in any order; the cursor (and the spool's
 * acknowledgement, spool_stage.h) advances only over the contiguous prefix of settled batches,
 * oldest first (commit_prefix, the one commit point). With aggregation on, N is 1: the
 * aggregate gate keeps the cursor behind the rows of the one unacknowledged batch and those
 * still open, and does not know which rows went into which of several batches.
 * Retry and give-up decisions, counting and logging stay on the pipeline thread.
 * At-least-once and the duplicate bound: a crash or a kill -9 at any point re-sends at most the
 * N batches not yet committed (some of which the receiver may already have acknowledged; the
 * ring counts what was read past the cursor as duplicates_possible on the next attach). With
 * N = 1 one batch is in flight at a time and it is sent from the pipeline thread, as before.
 *
 * While the receiver is away the ring absorbs the backlog; waits sleep (no spinning) in slices
 * of at most AD_XPORT_TICK_MS and refresh the exporter heartbeat each slice. A stop request
 * (SIGINT/SIGTERM) ends the pipeline: the batch being built and every batch waiting for a retry
 * get one more attempt within the shutdown grace, answers still arriving in it count, and only
 * acknowledgements commit; after the grace running attempts are cancelled.
 *
 * Monitoring (exporter/delivery_monitor.h): every attempt's outcome goes to the cursor
 * (ad_ring_consumer_delivery, read by `asimdns status --check exporter`) and to ad_metrics
 * (delivery latency histogram, /readyz). State changes are logged once each, rate-limited:
 * receiver unavailable / back, ring nearly full (above AD_RING_FULL_WARN_PERCENT) / recovered
 * (below half of that), capture drops seen as sequence gaps. A one-line summary goes to the log
 * every log.summary_seconds (default 60).
 */
#ifndef AD_EXPORTER_PIPELINE_H
#define AD_EXPORTER_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "config/exporter_config.h"
#include "exporter/asim.h"
#include "exporter/metrics.h"
#include "exporter/transport.h"
#include "ipc/ring.h"

/* How long a stop request leaves for the last batch (one attempt, no backoff). */
#define AD_PIPELINE_SHUTDOWN_GRACE_NS (3ULL * 1000000000ULL)
/* Longest sleep slice while idle or backing off: the heartbeat cadence. */
#define AD_PIPELINE_SLICE_NS (100ULL * 1000000ULL)

/*
 * The outside world, replaceable for tests (NULL members take the real thing): clocks,
 * sleeping, randomness for jitter and the stop request.
 */
typedef struct ad_pipeline_env {
    uint64_t (*mono_ns)(void *ctx); /* default ad_time_mono_ns */
    uint64_t (*wall_ns)(void *ctx); /* default ad_time_now_ns */
    /* Sleeps between retry attempts; default: sleep in slices, heartbeat, stop check. */
    void (*backoff_wait)(void *ctx, uint64_t ns);
    /* Waits for ring records; default ad_ring_consumer_wait, plain sleeps once idle. */
    void (*ring_wait)(void *ctx, ad_ring_consumer *ring, uint64_t timeout_ns);
    uint32_t (*random)(void *ctx);     /* default nng_random */
    bool (*stop_requested)(void *ctx); /* default ad_stop_requested */
    void *ctx;
} ad_pipeline_env;

typedef struct ad_pipeline_opts {
    const ad_exporter_config *cfg; /* batch, retry, filters, resource; must outlive the pipeline */
    ad_ring_consumer *ring;
    ad_xport *transport; /* its tick hook is taken over by the pipeline */
    /* Overlapped delivery: lane_count >= 2 transports of the same kind, one per batch in
       flight, each driven by a thread of its own (delivery_lanes.h); transport may be one of
       them. lane_count 0 or 1: one batch at a time on transport, from the pipeline thread. */
    ad_xport *const *lanes;
    unsigned lane_count;
    const ad_asim_host *host;
    const char *instance_id;    /* resource service.instance.id; NULL = none */
    uint64_t max_idle_ns;       /* stop after this long without records and nothing pending */
    uint64_t shutdown_grace_ns; /* 0 = AD_PIPELINE_SHUTDOWN_GRACE_NS */
    const ad_pipeline_env *env; /* NULL = the real world */
    ad_metrics *metrics;        /* NULL = none */
    /* The disk spool stage (spool_stage.h; attached to ring by the pipeline); NULL = records
       come straight from the ring, as without a spool. */
    struct ad_spool_stage *spool;
} ad_pipeline_opts;

typedef struct ad_pipeline ad_pipeline;

ad_err ad_pipeline_create(const ad_pipeline_opts *opts, ad_pipeline **out);
void ad_pipeline_destroy(ad_pipeline *p);

/*
 * Runs until a stop request (AD_OK), --max-idle (AD_OK), the ring was removed or recreated
 * while nothing was pending (AD_ECLOSED: re-attach and run a new pipeline), or a local
 * failure the pipeline cannot get past (console output closed, out of memory).
 */
ad_err ad_pipeline_run(ad_pipeline *p);

/* Whether the last run ended because of --max-idle. */
bool ad_pipeline_idle_exit(const ad_pipeline *p);

#endif
