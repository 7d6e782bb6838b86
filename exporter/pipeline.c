/* asimdns-exporter: ring -> filters -> ASIM -> batch -> transport, at-least-once (pipeline.h). */
#include "exporter/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/log.h"
#include "common/sdnotify.h"
#include "common/record.h"
#include "common/stop.h"
#include "common/timeutil.h"
#include "exporter/batch.h"
#include "exporter/delivery_monitor.h"
#include "exporter/filter.h"
#include "exporter/retry.h"
#include "exporter/spool_stage.h"

#define PEEK_MAX 1024
#define RING_CHECK_NS 1000000000ULL
#define NS_PER_MS 1000000ULL
#define IDLE_AFTER_NS 1000000000ULL /* quiet this long: poll by plain sleeps */
#define IDLE_POLL_NS (20ULL * NS_PER_MS)

struct ad_pipeline {
    ad_pipeline_opts o;
    ad_pipeline_env env;
    const ad_exporter_config *cfg;
    ad_ring_consumer *ring;
    ad_xport *t;
    ad_filter filter;
    ad_retry_policy policy;

    /* The batch being built or delivered (batch.h: OTLP or JSON lines). */
    ad_batch *batch;
    uint64_t batch_first_ns; /* mono time of the batch's first record */
    ad_ring_view last;       /* last view consumed into this batch (kept, skipped or filtered) */
    bool have_last;
    uint64_t batch_seq; /* numbers the batches handed to the transport */

    /* Records peeked but not consumed yet (the record that did not fit, and those after it). */
    ad_ring_view pend[PEEK_MAX];
    size_t pend_head;
    size_t pend_count;

    ad_event ev;
    ad_asim asim;

    uint64_t last_beat_ns;
    uint64_t last_watchdog_ns; /* last WATCHDOG=1 to systemd */
    uint64_t last_data_ns;
    uint64_t next_check_ns;
    bool stopping;
    uint64_t stop_deadline_ns;
    bool idle_exit;

    ad_delivery_monitor mon; /* state-change lines, rate-limited warnings, summary */
};

/* ---- the outside world ------------------------------------------------------------------ */

static uint64_t real_mono(void *ctx)
{
    (void)ctx;
    return ad_time_mono_ns();
}

static uint64_t real_wall(void *ctx)
{
    (void)ctx;
    return ad_time_now_ns();
}

static uint32_t real_random(void *ctx)
{
    (void)ctx;
    return nng_random();
}

static bool real_stop(void *ctx)
{
    (void)ctx;
    return ad_stop_requested();
}

static uint64_t now_ns(ad_pipeline *p)
{
    return p->env.mono_ns(p->env.ctx);
}

static void count(ad_pipeline *p, ad_exporter_counter c, uint64_t n)
{
    if (n != 0)
        ad_ring_consumer_counter_add(p->ring, c, n);
}

/* The transport's counter hook. */
static void pipeline_count(void *ctx, ad_exporter_counter c, uint64_t n)
{
    count(ctx, c, n);
}

/* Stores the heartbeat at most every slice (asimdns status calls a 5 s old one dead). */
static void beat(ad_pipeline *p)
{
    uint64_t now = now_ns(p);
    if (p->o.metrics != NULL)
        ad_metrics_beat(p->o.metrics, now);
    ad_dmon_tick(&p->mon, now);
    /* Ring -> spool keeps going while a batch is retried or the spool drains. */
    if (p->o.spool != NULL)
        ad_spool_stage_pump(p->o.spool, now, p->env.wall_ns(p->env.ctx), false);
    if (now - p->last_beat_ns >= AD_PIPELINE_SLICE_NS || p->last_beat_ns == 0) {
        ad_ring_consumer_heartbeat(p->ring, p->env.wall_ns(p->env.ctx));
        p->last_beat_ns = now;
    }
    /* The systemd watchdog sees the same liveness as `asimdns status`, once a second. */
    if (now - p->last_watchdog_ns >= 1000000000ULL || p->last_watchdog_ns == 0) {
        (void)ad_sd_notify("WATCHDOG=1");
        p->last_watchdog_ns = now;
    }
}

/* Notices a stop request; from then on the grace period runs. */
static bool stop_check(ad_pipeline *p)
{
    if (!p->stopping && p->env.stop_requested(p->env.ctx)) {
        p->stopping = true;
        p->stop_deadline_ns = now_ns(p) + p->o.shutdown_grace_ns;
    }
    return p->stopping;
}

/* The transport's wait hook: heartbeat, and cut the attempt short after the grace period. */
static bool pipeline_tick(void *ctx)
{
    ad_pipeline *p = ctx;
    beat(p);
    if (stop_check(p) && now_ns(p) >= p->stop_deadline_ns)
        return false;
    return true;
}

/* One kind of warning at most once per AD_DMON_LOG_INTERVAL_NS on the pipeline's clock. */
static bool ratelog_ok(ad_pipeline *p, ad_dmon_warning w, uint64_t *suppressed)
{
    return ad_dmon_warn_allowed(&p->mon, w, now_ns(p), suppressed);
}

static uint32_t batch_records(const ad_pipeline *p)
{
    return ad_batch_count(p->batch);
}

/* ---- the record source: the ring, or the spool stage in front of it (spool_stage.h) ------- */

static ad_err source_peek(ad_pipeline *p, ad_ring_view *views, size_t max, size_t *n)
{
    if (p->o.spool == NULL)
        return ad_ring_consumer_peek(p->ring, views, max, n);
    ad_spool_stage_peek(p->o.spool, views, max, n, batch_records(p) == 0 && !p->have_last,
                        now_ns(p), p->env.wall_ns(p->env.ctx));
    return *n > 0 ? AD_OK : AD_EEMPTY;
}

static void source_commit(ad_pipeline *p, const ad_ring_view *last)
{
    if (p->o.spool == NULL)
        (void)ad_ring_consumer_commit(p->ring, last);
    else
        ad_spool_stage_commit(p->o.spool, last);
}

static void source_commit_all(ad_pipeline *p)
{
    if (p->o.spool == NULL)
        ad_ring_consumer_commit_all(p->ring);
    else
        ad_spool_stage_commit_all(p->o.spool);
}

static uint64_t source_generation(ad_pipeline *p, const ad_ring_view *v)
{
    if (p->o.spool == NULL)
        return ad_ring_consumer_generation(p->ring);
    return ad_spool_stage_generation(p->o.spool, v);
}

/* ---- the batch and the commit point ---------------------------------------------------------- */

/*
 * Puts the mapped record p->asim into the batch (span NULL: one event; else an aggregate row).
 * The one place where records enter a batch.
 */
static ad_err batch_put(ad_pipeline *p, const ad_batch_span *span, ad_batch_add_result *res)
{
    ad_err err = ad_batch_add(p->batch, &p->asim, span, res);
    count(p, AD_EXP_LI_FIELDS_TRUNCATED, ad_batch_take_fields_truncated(p->batch));
    return err;
}

static void batch_reset(ad_pipeline *p)
{
    ad_batch_reset(p->batch);
    p->batch_first_ns = 0;
}

/*
 * Moves the committed cursor past everything consumed so far (records of acked batches,
 * skipped and filtered ones). The one place where the cursor moves past records.
 */
static void commit_consumed(ad_pipeline *p)
{
    if (p->have_last) {
        source_commit(p, &p->last);
        p->have_last = false;
    }
}

/* ---- filling ------------------------------------------------------------------------------ */

typedef enum consume_result { CONSUMED, NOT_CONSUMED } consume_result;

/* Decodes, filters, maps and adds one record. */
static ad_err consume(ad_pipeline *p, const ad_ring_view *v, consume_result *cr)
{
    *cr = CONSUMED;
    if (ad_record_decode(v->data, v->len, &p->ev) != AD_OK) {
        count(p, AD_EXP_RECORDS_CORRUPT, 1); /* invalid bytes: nothing can be sent for it */
    } else if (p->ev.hdr.sequence != v->seq) {
        /* The ring header's sequence was validated (increasing, checked header); the payload's
           copy was not. A mismatch means the payload changed after capture wrote it: counted
           and not sent, so a record id is never taken from bytes nobody vouches for. */
        count(p, AD_EXP_RECORDS_CORRUPT, 1);
    } else if (!ad_filter_keep(&p->filter, &p->ev)) {
        count(p, AD_EXP_RECORDS_FILTERED, 1);
    } else if (ad_asim_map(&p->ev, source_generation(p, v), p->o.host, &p->asim) != AD_OK) {
        count(p, AD_EXP_RECORDS_CORRUPT, 1); /* a provider this build cannot map */
    } else {
        ad_batch_add_result res;
        ad_err err = batch_put(p, NULL, &res);
        if (err != AD_OK)
            return err;
        if (res == AD_BATCH_FULL) {
            *cr = NOT_CONSUMED;
            return AD_OK;
        }
        if (res == AD_BATCH_TOO_LARGE) {
            uint64_t sup;
            count(p, AD_EXP_RECORDS_REJECTED, 1);
            if (ratelog_ok(p, AD_DMON_TOO_LARGE, &sup))
                ad_log_warn("record %llu alone exceeds batch.max_bytes; dropped (+%llu similar)",
                            (unsigned long long)v->seq, (unsigned long long)sup);
        } else {
            if (batch_records(p) == 1)
                p->batch_first_ns = now_ns(p);
        }
        /* Counted once, when the record leaves for a batch (a full batch maps it again). */
        if (p->asim.packet_malformed)
            count(p, AD_EXP_RESPONSE_PACKETS_MALFORMED, 1);
    }
    p->last = *v;
    p->have_last = true;
    return AD_OK;
}

/*
 * Consumes pending and newly peeked records until the batch is full (*full) or the ring has
 * nothing more (*drained).
 */
static ad_err fill(ad_pipeline *p, bool *full, bool *drained)
{
    *full = *drained = false;
    for (;;) {
        if (batch_records(p) >= p->batch->max_records) {
            *full = true;
            return AD_OK;
        }
        if (p->pend_count == 0) {
            /* Peek no more than the batch can take, so the ring's read position (which marks
               duplicates_possible after a restart) stays close to the batch's end. */
            size_t want = p->batch->max_records - batch_records(p);
            if (want > PEEK_MAX)
                want = PEEK_MAX;
            size_t n = 0;
            if (source_peek(p, p->pend, want, &n) != AD_OK || n == 0) {
                *drained = true;
                return AD_OK;
            }
            p->pend_head = 0;
            p->pend_count = n;
            p->last_data_ns = now_ns(p);
            ad_batch_set_observed_time(p->batch, p->env.wall_ns(p->env.ctx));
        }
        consume_result cr;
        ad_err err = consume(p, &p->pend[p->pend_head], &cr);
        if (err != AD_OK)
            return err;
        if (cr == NOT_CONSUMED) {
            *full = true;
            return AD_OK;
        }
        p->pend_head++;
        p->pend_count--;
    }
}

/* ---- delivering --------------------------------------------------------------------------- */

/* Sleeps ns between attempts: slices, heartbeat, stop check. */
static void backoff_wait(ad_pipeline *p, uint64_t ns)
{
    if (p->env.backoff_wait != NULL) {
        p->env.backoff_wait(p->env.ctx, ns);
        beat(p);
        return;
    }
    uint64_t end = now_ns(p) + ns;
    while (!stop_check(p)) {
        uint64_t now = now_ns(p);
        if (now >= end)
            break;
        uint64_t slice = end - now < AD_PIPELINE_SLICE_NS ? end - now : AD_PIPELINE_SLICE_NS;
        ad_sleep_ns(slice);
        beat(p);
    }
}

/* The batch is settled (acknowledged or given up): commit and start a new one. */
static void settle(ad_pipeline *p)
{
    commit_consumed(p);
    batch_reset(p);
}

/*
 * Sends the batch until it is acknowledged, rejected or given up. Returns AD_OK then; with a
 * stop request before that, returns AD_OK with the batch still unacknowledged (not committed:
 * the next start sends it again).
 */
static ad_err deliver(ad_pipeline *p)
{
    const uint8_t *data;
    size_t len;
    ad_err err = ad_batch_finish(p->batch, &data, &len);
    if (err != AD_OK)
        return err;
    uint32_t n = batch_records(p);
    p->t->batch_id = ++p->batch_seq; /* one id for all attempts of this batch */
    ad_retry retry;
    uint64_t first_attempt_ns = now_ns(p);
    ad_retry_start(&retry, &p->policy, first_attempt_ns / NS_PER_MS);
    for (;;) {
        ad_send_result res;
        err = ad_xport_send(p->t, data, len, &res);
        if (err != AD_OK) {
            ad_log_error("%s output failed: %s", p->t->ops->name, ad_strerror(err));
            return err;
        }
        count(p, AD_EXP_BYTES_SENT, res.wire_bytes);
        count(p, AD_EXP_TRANSPORT_FATAL_ERRORS, res.fatal_errors);
        ad_log_debug("batch of %u records (%llu bytes): attempt %u: %s%s%s", n,
                     (unsigned long long)len, retry.failures + 1,
                     res.status == AD_SEND_OK      ? "acknowledged"
                     : res.status == AD_SEND_RETRY ? "retry"
                                                   : "rejected",
                     res.message[0] ? ": " : "", res.message);
        uint64_t sup;
        if (res.response_too_large) /* dropped unread past the cap; retried below */
            count(p, AD_EXP_RESPONSES_TOO_LARGE, 1);
        /* An attempt cut short by a stop request says nothing about the receiver. */
        if (!(res.status == AD_SEND_RETRY && p->stopping))
            ad_dmon_attempt(&p->mon, &res, first_attempt_ns, now_ns(p), p->env.wall_ns(p->env.ctx));
        switch (res.status) {
        case AD_SEND_OK: {
            uint64_t rejected = res.rejected > n ? n : res.rejected;
            count(p, AD_EXP_BATCHES_OK, 1);
            count(p, AD_EXP_RECORDS_EXPORTED, n - rejected);
            count(p, AD_EXP_RECORDS_REJECTED, rejected);
            /* Partial success: MUST NOT retry; log the receiver's message (facts §2.3). */
            if ((rejected > 0 || res.message[0]) && ratelog_ok(p, AD_DMON_PARTIAL, &sup))
                ad_log_warn("receiver acknowledged a batch with %llu of %u records rejected%s%s "
                            "(partial success, not retried; +%llu similar)",
                            (unsigned long long)rejected, n, res.message[0] ? ": " : "",
                            res.message, (unsigned long long)sup);
            settle(p);
            return AD_OK;
        }
        case AD_SEND_REJECT:
            count(p, AD_EXP_BATCHES_FAILED, 1);
            count(p, AD_EXP_RECORDS_REJECTED, n);
            if (ratelog_ok(p, AD_DMON_REJECTED, &sup))
                ad_log_error("receiver rejected a batch of %u records (status %d)%s%s; not "
                             "retried (+%llu similar)",
                             n, res.code, res.message[0] ? ": " : "", res.message,
                             (unsigned long long)sup);
            settle(p);
            return AD_OK;
        case AD_SEND_RETRY:
            break;
        }
        /* Not delivered. At shutdown leave it in the ring for the next start. */
        if (stop_check(p))
            return AD_OK;
        count(p, AD_EXP_BATCHES_RETRIED, 1);
        uint64_t wait_ms;
        bool again = ad_retry_next(&retry, now_ns(p) / NS_PER_MS, res.retry_after_ms,
                                   p->env.random(p->env.ctx), &wait_ms);
        if (!again) {
            count(p, AD_EXP_BATCHES_FAILED, 1);
            count(p, AD_EXP_RECORDS_REJECTED, n);
            ad_log_error("giving up a batch of %u records after %u attempts (retry.max_elapsed): "
                         "%s",
                         n, retry.failures, res.message);
            settle(p);
            return AD_OK;
        }
        if (ratelog_ok(p, AD_DMON_RETRY, &sup)) {
            char why[64] = "";
            if (res.code != 0)
                snprintf(why, sizeof(why), " (status %d)", res.code);
            ad_log_warn("delivery failed%s%s%s; retrying in %llu ms (attempt %u; +%llu similar)",
                        why, res.message[0] ? ": " : "", res.message, (unsigned long long)wait_ms,
                        retry.failures + 1, (unsigned long long)sup);
        }
        ad_log_debug("retry wait %llu ms (retry_after %llu ms)", (unsigned long long)wait_ms,
                     (unsigned long long)res.retry_after_ms);
        backoff_wait(p, wait_ms * NS_PER_MS);
        if (stop_check(p))
            return AD_OK;
    }
}

/*
 * Waits for records. While records flow, the ring's own wait (spin, yield, sleeps of at most
 * 1 ms) keeps latency low; once nothing came for IDLE_AFTER_NS and nothing is pending, plain
 * sleeps of IDLE_POLL_NS keep an idle exporter near zero CPU (about 50 wake-ups a second
 * instead of about a thousand). The first record after a quiet spell waits at most that
 * long, well inside any batch.max_age worth having.
 */
static void ring_wait(ad_pipeline *p, uint64_t wait, bool idle)
{
    if (p->env.ring_wait != NULL)
        p->env.ring_wait(p->env.ctx, p->ring, wait);
    else if (idle)
        ad_sleep_ns(wait < IDLE_POLL_NS ? wait : IDLE_POLL_NS);
    else
        (void)ad_ring_consumer_wait(p->ring, wait);
}

/* ---- the loop ----------------------------------------------------------------------------- */

ad_err ad_pipeline_run(ad_pipeline *p)
{
    p->idle_exit = false;
    p->last_data_ns = now_ns(p);
    p->next_check_ns = p->last_data_ns + RING_CHECK_NS;
    uint64_t max_age_ns = p->cfg->batch.max_age_ms * NS_PER_MS;
    bool console = p->t->payload == AD_PAYLOAD_JSON_LINES;
    for (;;) {
        beat(p);
        if (stop_check(p)) {
            /* Flush what is in the batch once, within the grace period (pipeline.h). */
            if (batch_records(p) > 0 && now_ns(p) < p->stop_deadline_ns) {
                ad_err err = deliver(p);
                if (err != AD_OK)
                    return err;
            } else if (batch_records(p) == 0) {
                commit_consumed(p); /* only skipped or filtered records */
            }
            return AD_OK;
        }
        bool full, drained;
        ad_err err = fill(p, &full, &drained);
        if (err != AD_OK)
            return err;
        uint64_t now = now_ns(p);
        if (batch_records(p) > 0 && (full || (drained && (console || max_age_ns == 0)) ||
                                     now - p->batch_first_ns >= max_age_ns)) {
            err = deliver(p);
            if (err != AD_OK)
                return err;
            continue;
        }
        if (batch_records(p) == 0)
            commit_consumed(p);
        if (!drained)
            continue;
        if (batch_records(p) == 0 && p->pend_count == 0) {
            /* Nothing pending: release skipped pads and corrupt bytes, maybe stop. */
            source_commit_all(p);
            if (p->o.max_idle_ns && now - p->last_data_ns >= p->o.max_idle_ns) {
                p->idle_exit = true;
                return AD_OK;
            }
            if (now >= p->next_check_ns) {
                p->next_check_ns = now + RING_CHECK_NS;
                if (ad_ring_consumer_check(p->ring) == AD_ECLOSED)
                    return AD_ECLOSED;
            }
        }
        uint64_t wait = AD_PIPELINE_SLICE_NS;
        if (batch_records(p) > 0) {
            uint64_t due = p->batch_first_ns + max_age_ns;
            wait = due > now ? due - now : 0;
            if (wait > AD_PIPELINE_SLICE_NS)
                wait = AD_PIPELINE_SLICE_NS;
        }
        if (wait > 0)
            ring_wait(p, wait, batch_records(p) == 0 && now - p->last_data_ns >= IDLE_AFTER_NS);
    }
}

bool ad_pipeline_idle_exit(const ad_pipeline *p)
{
    return p->idle_exit;
}

ad_err ad_pipeline_create(const ad_pipeline_opts *opts, ad_pipeline **out)
{
    ad_pipeline *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return AD_ENOMEM;
    p->o = *opts;
    if (p->o.shutdown_grace_ns == 0)
        p->o.shutdown_grace_ns = AD_PIPELINE_SHUTDOWN_GRACE_NS;
    if (opts->env != NULL)
        p->env = *opts->env;
    if (p->env.mono_ns == NULL)
        p->env.mono_ns = real_mono;
    if (p->env.wall_ns == NULL)
        p->env.wall_ns = real_wall;
    if (p->env.random == NULL)
        p->env.random = real_random;
    if (p->env.stop_requested == NULL)
        p->env.stop_requested = real_stop;
    p->cfg = opts->cfg;
    p->ring = opts->ring;
    p->t = opts->transport;
    if (ad_filter_init(&p->filter, &p->cfg->filters,
                       p->o.metrics != NULL ? p->o.metrics->filter_hits : NULL) != AD_OK) {
        free(p);
        return AD_ENOMEM;
    }
    ad_retry_policy_from_config(&p->policy, p->cfg);
    ad_batch_opts bo = {
        .payload = p->t->payload,
        .max_records = p->cfg->batch.max_records,
        .max_bytes = (size_t)p->cfg->batch.max_bytes,
        .host_name = opts->host != NULL ? opts->host->fqdn : NULL,
        .instance_id = opts->instance_id,
        .attrs = p->cfg->resource.attrs,
        .attr_count = p->cfg->resource.attr_count,
    };
    ad_err err = ad_batch_create(&bo, &p->batch);
    if (err != AD_OK) {
        ad_filter_free(&p->filter);
        free(p);
        return err;
    }
    ad_dmon_init(&p->mon, p->ring, p->cfg->ring.name, p->o.metrics, p->cfg->log_summary_seconds);
    ad_xport_set_tick(p->t, pipeline_tick, p);
    ad_xport_set_count(p->t, pipeline_count, p);
    if (p->o.spool != NULL)
        ad_spool_stage_attach(p->o.spool, p->ring);
    *out = p;
    return AD_OK;
}

void ad_pipeline_destroy(ad_pipeline *p)
{
    if (p == NULL)
        return;
    ad_xport_set_tick(p->t, NULL, NULL);
    ad_xport_set_count(p->t, NULL, NULL);
    if (p->o.spool != NULL)
        ad_spool_stage_attach(p->o.spool, NULL);
    ad_batch_destroy(p->batch);
    ad_filter_free(&p->filter);
    free(p);
}
