/* asimdns-exporter: ring -> filters -> ASIM -> batch -> transport, at-least-once (pipeline.h). */
#include "exporter/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/log.h"
#include "common/ratelimit.h"
#include "common/sdnotify.h"
#include "common/record.h"
#include "common/stop.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "exporter/aggregate_stage.h"
#include "exporter/asim_json.h"
#include "exporter/asim_rows.h"
#include "exporter/filter.h"
#include "exporter/otlp_batch.h"
#include "exporter/retry.h"
#include "exporter/spool_stage.h"

#define PEEK_MAX 1024
#define LINE_MAX_BYTES 65536 /* a row of the largest record, escaped */
#define RING_CHECK_NS 1000000000ULL
#define NS_PER_MS 1000000ULL
#define IDLE_AFTER_NS 1000000000ULL /* quiet this long: poll by plain sleeps */
#define IDLE_POLL_NS (20ULL * NS_PER_MS)

/* JSON lines batch for the console (the OTLP one is exporter/otlp_batch.h). */
typedef struct json_lines {
    char *buf;
    size_t len;
    size_t cap;
    size_t max;
    uint32_t count;
} json_lines;

typedef enum add_result { ADD_OK, ADD_FULL, ADD_TOO_LARGE } add_result;

/* The counters of the periodic summary line, in the order it names them. */
enum { SUMMARY_N = 6 };
static const ad_exporter_counter summary_counters[SUMMARY_N] = {
    AD_EXP_RECORDS_EXPORTED, AD_EXP_BATCHES_OK,       AD_EXP_BATCHES_FAILED,
    AD_EXP_BATCHES_RETRIED,  AD_EXP_RECORDS_REJECTED, AD_EXP_SEQUENCE_GAPS};

struct ad_pipeline {
    ad_pipeline_opts o;
    ad_pipeline_env env;
    const ad_exporter_config *cfg;
    ad_ring_consumer *ring;
    ad_xport *t;
    ad_filter filter;
    ad_retry_policy policy;
    ad_agg_stage *agg; /* aggregate: stage (aggregate_stage.h); NULL = off */

    /* The batch being built or delivered. */
    ad_otlp_batch *otlp; /* AD_PAYLOAD_OTLP */
    json_lines lines;    /* AD_PAYLOAD_JSON_LINES */
    uint32_t max_records;
    uint32_t batch_records;
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
    char line[LINE_MAX_BYTES];

    uint64_t last_beat_ns;
    uint64_t last_watchdog_ns; /* last WATCHDOG=1 to systemd */
    uint64_t last_data_ns;
    uint64_t next_check_ns;
    bool stopping;
    uint64_t stop_deadline_ns;
    bool idle_exit;

    ad_ratelimit log_reject;
    ad_ratelimit log_partial;
    ad_ratelimit log_retry;
    ad_ratelimit log_drop;

    /* State changes worth one log line each (pipeline.h "Monitoring"). A recovery line is
       written only when the line about the trouble was (so the log never says "back" about
       something it did not report). */
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
    uint64_t next_state_ns;
    /* The periodic summary. */
    uint64_t summary_ns; /* 0 = off */
    uint64_t next_summary_ns;
    uint64_t summary_last[SUMMARY_N];
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

static void monitor(ad_pipeline *p, uint64_t now);

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
    monitor(p, now);
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

/* One kind of warning at most once per AD_PIPELINE_LOG_INTERVAL_NS on the pipeline's clock. */
static bool ratelog_ok(ad_pipeline *p, ad_ratelimit *r, uint64_t *suppressed)
{
    return ad_ratelimit_allow(r, now_ns(p), suppressed);
}

/* ---- the record source: the ring, or the spool stage in front of it (spool_stage.h) ------- */

static ad_err source_peek(ad_pipeline *p, ad_ring_view *views, size_t max, size_t *n)
{
    if (p->o.spool == NULL)
        return ad_ring_consumer_peek(p->ring, views, max, n);
    /* aggregate hook: records waiting in rows are consumed and unacknowledged too. */
    bool boundary =
        p->batch_records == 0 && !p->have_last && (p->agg == NULL || ad_agg_stage_empty(p->agg));
    ad_spool_stage_peek(p->o.spool, views, max, n, boundary, now_ns(p), p->env.wall_ns(p->env.ctx));
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

/* ---- the batch ---------------------------------------------------------------------------- */

static ad_err lines_reserve(json_lines *l, size_t more)
{
    if (l->len + more <= l->cap)
        return AD_OK;
    size_t cap = l->cap ? l->cap : 64 * 1024;
    while (cap < l->len + more)
        cap *= 2;
    char *b = realloc(l->buf, cap);
    if (b == NULL)
        return AD_ENOMEM;
    l->buf = b;
    l->cap = cap;
    return AD_OK;
}

/* Appends p->asim to the batch. */
static ad_err batch_add(ad_pipeline *p, add_result *res)
{
    *res = ADD_OK;
    if (p->batch_records >= p->max_records) {
        *res = ADD_FULL;
        return AD_OK;
    }
    if (p->otlp != NULL) {
        ad_err err = ad_otlp_batch_add(p->otlp, &p->asim, 0);
        if (err == AD_EFULL)
            *res = ADD_FULL;
        else if (err == AD_ERANGE)
            *res = ADD_TOO_LARGE;
        else if (err == AD_ENOMEM && p->batch_records > 0)
            *res = ADD_FULL; /* send what we have; memory comes back with the reset */
        else if (err != AD_OK)
            return err;
        return AD_OK;
    }
    ad_strbuf sb;
    ad_strbuf_init(&sb, p->line, sizeof(p->line));
    if (p->t->payload == AD_PAYLOAD_ASIM_ROWS)
        count(p, AD_EXP_LI_FIELDS_TRUNCATED, ad_asim_row_write(&p->asim, 0, &sb));
    else
        ad_asim_json_write(&p->asim, &sb);
    ad_strbuf_putc(&sb, '\n');
    if (ad_strbuf_overflowed(&sb)) {
        *res = ADD_TOO_LARGE; /* never send a cut JSON object */
        return AD_OK;
    }
    json_lines *l = &p->lines;
    /* An empty batch takes any line: console output never drops a record for its size. */
    if (l->count > 0 && l->len + sb.len > l->max) {
        *res = ADD_FULL;
        return AD_OK;
    }
    ad_err err = lines_reserve(l, sb.len);
    if (err != AD_OK)
        return err;
    memcpy(l->buf + l->len, sb.data, sb.len);
    l->len += sb.len;
    l->count++;
    return AD_OK;
}

static ad_err batch_finish(ad_pipeline *p, const uint8_t **data, size_t *len)
{
    if (p->otlp != NULL)
        return ad_otlp_batch_finish(p->otlp, data, len);
    *data = (const uint8_t *)p->lines.buf;
    *len = p->lines.len;
    return AD_OK;
}

static void batch_reset(ad_pipeline *p)
{
    if (p->otlp != NULL)
        ad_otlp_batch_reset(p->otlp);
    p->lines.len = 0;
    p->lines.count = 0;
    p->batch_records = 0;
    p->batch_first_ns = 0;
}

/* Moves the committed cursor past everything consumed so far (records of acked batches,
   skipped and filtered ones). */
static void commit_consumed(ad_pipeline *p)
{
    /* aggregate hook: the commit gate. Not past the first record of a row still open or held
       (aggregate_stage.h); what is consumed after it stays uncommitted (have_last). */
    if (p->have_last && p->agg != NULL && !ad_agg_stage_empty(p->agg)) {
        ad_ring_view gate;
        if (ad_agg_stage_gate(p->agg, &p->last, &gate))
            source_commit(p, &gate);
        return;
    }
    if (p->have_last) {
        source_commit(p, &p->last);
        p->have_last = false;
    }
}

/* ---- filling ------------------------------------------------------------------------------ */

typedef enum consume_result { CONSUMED, NOT_CONSUMED } consume_result;

/* After batch_add took (or refused as too large) a record or row. */
static void batch_added(ad_pipeline *p, add_result res, uint64_t seq)
{
    if (res == ADD_TOO_LARGE) {
        uint64_t sup;
        count(p, AD_EXP_RECORDS_REJECTED, 1);
        if (ratelog_ok(p, &p->log_drop, &sup))
            ad_log_warn("record %llu alone exceeds batch.max_bytes; dropped (+%llu similar)",
                        (unsigned long long)seq, (unsigned long long)sup);
    } else if (p->batch_records++ == 0) {
        p->batch_first_ns = now_ns(p);
    }
}

/* aggregate hook: the stage's counts into the cursor counters. */
static void agg_count(ad_pipeline *p, const ad_agg_stage_counts *c)
{
    count(p, AD_EXP_AGGREGATE_RECORDS_IN, c->records_in);
    count(p, AD_EXP_AGGREGATE_EVICTIONS, c->evictions);
    count(p, AD_EXP_RECORDS_CORRUPT, c->records_corrupt);
}

/*
 * aggregate hook: rows that are due (flush: every row) into the batch, oldest first, until
 * the batch is full (*full; the row that did not fit stays held).
 */
static ad_err agg_drain(ad_pipeline *p, bool flush, bool *full)
{
    *full = false;
    ad_agg_stage_counts c = {0};
    uint64_t n;
    ad_err err = AD_OK;
    while (ad_agg_stage_next(p->agg, now_ns(p), flush, p->o.host, &p->ev, &p->asim, &n, &c)) {
        add_result res;
        err = batch_add(p, &res);
        if (err != AD_OK)
            break;
        if (res == ADD_FULL) {
            *full = true;
            break;
        }
        batch_added(p, res, p->ev.hdr.sequence);
        ad_agg_stage_taken(p->agg);
        count(p, AD_EXP_AGGREGATE_ROWS_OUT, 1);
    }
    agg_count(p, &c);
    return err;
}

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
    } else if (p->agg != NULL) {
        /* aggregate hook: the record joins a row; rows reach the batch in agg_drain. */
        ad_agg_stage_counts c = {0};
        ad_err err = ad_agg_stage_add(p->agg, &p->asim, v, p->have_last ? &p->last : NULL,
                                      source_generation(p, v), now_ns(p), &c);
        agg_count(p, &c);
        if (err == AD_EFULL) {
            *cr = NOT_CONSUMED; /* a row waits for the batch: send that first */
            return AD_OK;
        }
        if (err != AD_OK)
            return err;
        if (p->asim.packet_malformed)
            count(p, AD_EXP_RESPONSE_PACKETS_MALFORMED, 1);
    } else {
        add_result res;
        ad_err err = batch_add(p, &res);
        if (err != AD_OK)
            return err;
        if (res == ADD_FULL) {
            *cr = NOT_CONSUMED;
            return AD_OK;
        }
        batch_added(p, res, v->seq);
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
        if (p->batch_records >= p->max_records) {
            *full = true;
            return AD_OK;
        }
        if (p->agg != NULL) { /* aggregate hook: rows whose window is over go first */
            ad_err err = agg_drain(p, false, full);
            if (err != AD_OK || *full)
                return err;
        }
        if (p->pend_count == 0) {
            /* Peek no more than the batch can take, so the ring's read position (which marks
               duplicates_possible after a restart) stays close to the batch's end. */
            size_t want = p->max_records - p->batch_records;
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
            if (p->otlp != NULL)
                ad_otlp_batch_set_observed_time(p->otlp, p->env.wall_ns(p->env.ctx));
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

/* ---- monitoring ---------------------------------------------------------------------------- */

/* Records one attempt's outcome: cursor and metrics state, latency, receiver up/down logs. */
static void attempt_outcome(ad_pipeline *p, const ad_send_result *res, uint64_t first_ns)
{
    uint64_t now = now_ns(p);
    uint64_t wall = p->env.wall_ns(p->env.ctx);
    bool ok = res->status == AD_SEND_OK;
    ad_ring_consumer_delivery(p->ring, ok, wall);
    if (p->o.metrics != NULL) {
        ad_metrics_delivery(p->o.metrics, ok, wall);
        if (ok)
            ad_metrics_observe_latency(p->o.metrics, now - first_ns);
    }
    /* A rejection is an answer: the receiver is there (the batch is counted and logged). */
    bool reachable = res->status != AD_SEND_RETRY;
    if (!reachable && !p->receiver_down) {
        uint64_t sup = 0;
        p->receiver_down = true;
        p->receiver_down_mono = now;
        p->receiver_down_attempts = 0;
        p->receiver_down_logged = ad_ratelimit_allow(&p->rl_receiver, now, &sup);
        if (p->receiver_down_logged) {
            char code[32] = "";
            if (res->code != 0)
                snprintf(code, sizeof(code), " (status %d)", res->code);
            ad_log_warn("receiver unavailable%s%s%s: keeping records in the ring and retrying "
                        "(+%llu earlier changes not logged)",
                        code, res->message[0] ? ": " : "", res->message, (unsigned long long)sup);
        }
    }
    if (!reachable)
        p->receiver_down_attempts++;
    if (reachable && p->receiver_down) {
        p->receiver_down = false;
        if (p->receiver_down_logged)
            ad_log_info("receiver back after %.1f s (%llu failed attempts)",
                        (double)(now - p->receiver_down_mono) / 1e9,
                        (unsigned long long)p->receiver_down_attempts);
    }
}

/* Ring use and capture drops (sequence gaps), about once a second. */
static void monitor_ring(ad_pipeline *p, uint64_t now)
{
    uint64_t cap = ad_ring_consumer_capacity(p->ring);
    uint64_t prod = ad_ring_consumer_producer_pos(p->ring);
    uint64_t cons = ad_ring_consumer_committed_pos(p->ring);
    uint64_t used = prod > cons ? prod - cons : 0;
    if (used > cap)
        used = cap; /* an untrusted word: never report more than the ring */
    double pct = cap ? 100.0 * (double)used / (double)cap : 0.0;
    if (!p->ring_full && used * 100u > cap * (uint64_t)AD_RING_FULL_WARN_PERCENT) {
        uint64_t sup = 0;
        p->ring_full = true;
        p->ring_full_logged = ad_ratelimit_allow(&p->rl_ring, now, &sup);
        if (p->ring_full_logged)
            ad_log_warn("ring '%s' is %.1f %% full: delivery is not keeping up; capture drops "
                        "records when it is full (+%llu earlier changes not logged)",
                        p->cfg->ring.name, pct, (unsigned long long)sup);
    } else if (p->ring_full && used * 200u < cap * (uint64_t)AD_RING_FULL_WARN_PERCENT) {
        /* Recovered below half the warning level, so a ring hovering at the mark does not
           produce a line each second. */
        p->ring_full = false;
        if (p->ring_full_logged)
            ad_log_info("ring '%s' recovered: %.1f %% used", p->cfg->ring.name, pct);
    }
    uint64_t gaps = ad_ring_consumer_counter_get(p->ring, AD_EXP_SEQUENCE_GAPS);
    if (gaps > p->gaps_seen) {
        uint64_t sup = 0;
        if (ad_ratelimit_allow(&p->rl_gaps, now, &sup))
            ad_log_warn("%llu records missing in the sequence (dropped by capture, ring full or "
                        "too large); %llu in all (+%llu lines not logged)",
                        (unsigned long long)(gaps - p->gaps_seen), (unsigned long long)gaps,
                        (unsigned long long)sup);
        p->gaps_seen = gaps;
    }
}

static void summary(ad_pipeline *p)
{
    uint64_t v[SUMMARY_N], d[SUMMARY_N];
    for (int i = 0; i < SUMMARY_N; i++) {
        v[i] = ad_ring_consumer_counter_get(p->ring, summary_counters[i]);
        d[i] = v[i] - p->summary_last[i];
        p->summary_last[i] = v[i];
    }
    ad_log_info("summary: %llu records exported (+%llu), %llu batches ok (+%llu), %llu failed "
                "(+%llu), %llu retries (+%llu), %llu records rejected (+%llu), %llu dropped by "
                "capture (+%llu); receiver %s",
                (unsigned long long)v[0], (unsigned long long)d[0], (unsigned long long)v[1],
                (unsigned long long)d[1], (unsigned long long)v[2], (unsigned long long)d[2],
                (unsigned long long)v[3], (unsigned long long)d[3], (unsigned long long)v[4],
                (unsigned long long)d[4], (unsigned long long)v[5], (unsigned long long)d[5],
                p->receiver_down ? "down" : "up");
}

static void monitor(ad_pipeline *p, uint64_t now)
{
    if (now >= p->next_state_ns) {
        p->next_state_ns = now + RING_CHECK_NS;
        monitor_ring(p, now);
    }
    if (p->summary_ns != 0 && now >= p->next_summary_ns) {
        if (p->next_summary_ns != 0)
            summary(p);
        p->next_summary_ns = now + p->summary_ns;
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
    ad_err err = batch_finish(p, &data, &len);
    if (err != AD_OK)
        return err;
    uint32_t n = p->batch_records;
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
            attempt_outcome(p, &res, first_attempt_ns);
        switch (res.status) {
        case AD_SEND_OK: {
            uint64_t rejected = res.rejected > n ? n : res.rejected;
            count(p, AD_EXP_BATCHES_OK, 1);
            count(p, AD_EXP_RECORDS_EXPORTED, n - rejected);
            count(p, AD_EXP_RECORDS_REJECTED, rejected);
            /* Partial success: MUST NOT retry; log the receiver's message (facts §2.3). */
            if ((rejected > 0 || res.message[0]) && ratelog_ok(p, &p->log_partial, &sup))
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
            if (ratelog_ok(p, &p->log_reject, &sup))
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
        if (ratelog_ok(p, &p->log_retry, &sup)) {
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

/*
 * aggregate hook: a stop request sends every open row, batch after batch, within the grace
 * period; the first batch not acknowledged ends it (its rows and those after stay in the ring).
 */
static ad_err agg_shutdown(ad_pipeline *p)
{
    for (;;) {
        bool full;
        ad_err err = agg_drain(p, true, &full);
        if (err != AD_OK)
            return err;
        if (p->batch_records == 0) {
            commit_consumed(p);
            return AD_OK;
        }
        if (now_ns(p) >= p->stop_deadline_ns)
            return AD_OK;
        err = deliver(p);
        if (err != AD_OK || p->batch_records > 0)
            return err;
    }
}

ad_err ad_pipeline_run(ad_pipeline *p)
{
    p->idle_exit = false;
    p->last_data_ns = now_ns(p);
    p->next_check_ns = p->last_data_ns + RING_CHECK_NS;
    uint64_t max_age_ns = p->cfg->batch.max_age_ms * NS_PER_MS;
    bool console = p->t->payload == AD_PAYLOAD_JSON_LINES;
    for (;;) {
        beat(p);
        if (stop_check(p) && p->agg != NULL)
            return agg_shutdown(p); /* aggregate hook: every open row is sent */
        if (stop_check(p)) {
            /* Flush what is in the batch once, within the grace period (pipeline.h). */
            if (p->batch_records > 0 && now_ns(p) < p->stop_deadline_ns) {
                ad_err err = deliver(p);
                if (err != AD_OK)
                    return err;
            } else if (p->batch_records == 0) {
                commit_consumed(p); /* only skipped or filtered records */
            }
            return AD_OK;
        }
        bool full, drained;
        ad_err err = fill(p, &full, &drained);
        if (err != AD_OK)
            return err;
        uint64_t now = now_ns(p);
        if (p->batch_records > 0 && (full || (drained && (console || max_age_ns == 0)) ||
                                     now - p->batch_first_ns >= max_age_ns)) {
            err = deliver(p);
            if (err != AD_OK)
                return err;
            continue;
        }
        if (p->batch_records == 0)
            commit_consumed(p);
        if (!drained)
            continue;
        /* aggregate hook: records waiting in rows are pending too. */
        if (p->batch_records == 0 && p->pend_count == 0 &&
            (p->agg == NULL || ad_agg_stage_empty(p->agg))) {
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
        if (p->batch_records > 0) {
            uint64_t due = p->batch_first_ns + max_age_ns;
            wait = due > now ? due - now : 0;
            if (wait > AD_PIPELINE_SLICE_NS)
                wait = AD_PIPELINE_SLICE_NS;
        }
        if (wait > 0)
            ring_wait(p, wait, p->batch_records == 0 && now - p->last_data_ns >= IDLE_AFTER_NS);
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
    /* aggregate hook */
    if (ad_agg_stage_create(&p->cfg->aggregate, &p->agg) != AD_OK) {
        ad_filter_free(&p->filter);
        free(p);
        return AD_ENOMEM;
    }
    p->max_records =
        p->cfg->batch.max_records ? p->cfg->batch.max_records : AD_OTLP_DEFAULT_MAX_RECORDS;
    if (p->t->payload == AD_PAYLOAD_OTLP) {
        ad_otlp_batch_opts bo = {
            .max_records = p->max_records,
            .max_bytes = (size_t)p->cfg->batch.max_bytes,
            .host_name = opts->host != NULL ? opts->host->fqdn : NULL,
            .instance_id = opts->instance_id,
            .attrs = p->cfg->resource.attrs,
            .attr_count = p->cfg->resource.attr_count,
        };
        ad_err err = ad_otlp_batch_create(&bo, &p->otlp);
        if (err != AD_OK) {
            ad_agg_stage_destroy(p->agg);
            ad_filter_free(&p->filter);
            free(p);
            return err;
        }
        p->max_records = ad_otlp_batch_max_records(p->otlp);
    } else {
        p->lines.max =
            p->cfg->batch.max_bytes ? (size_t)p->cfg->batch.max_bytes : AD_OTLP_DEFAULT_MAX_BYTES;
    }
    ad_ratelimit_init(&p->log_reject, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->log_partial, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->log_retry, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->log_drop, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->rl_receiver, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->rl_ring, AD_PIPELINE_LOG_INTERVAL_NS);
    ad_ratelimit_init(&p->rl_gaps, AD_PIPELINE_LOG_INTERVAL_NS);
    p->gaps_seen = ad_ring_consumer_counter_get(p->ring, AD_EXP_SEQUENCE_GAPS);
    p->summary_ns = (uint64_t)p->cfg->log_summary_seconds * 1000000000ULL;
    for (int i = 0; i < SUMMARY_N; i++)
        p->summary_last[i] = ad_ring_consumer_counter_get(p->ring, summary_counters[i]);
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
    ad_otlp_batch_destroy(p->otlp);
    ad_agg_stage_destroy(p->agg); /* aggregate hook */
    ad_filter_free(&p->filter);
    free(p->lines.buf);
    free(p);
}
