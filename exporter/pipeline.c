/* asimdns-exporter: ring -> filters -> ASIM -> batch -> transport, at-least-once (pipeline.h). */
#include "exporter/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/host.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/record.h"
#include "common/stop.h"
#include "common/timeutil.h"
#include "exporter/aggregate_stage.h"
#include "exporter/batch.h"
#include "exporter/delivery_lanes.h"
#include "exporter/delivery_monitor.h"
#include "exporter/filter.h"
#include "exporter/gather_wait.h"
#include "exporter/retry.h"
#include "exporter/spool_stage.h"

#define PEEK_MAX 1024
#define RING_CHECK_NS 1000000000ULL
#define NS_PER_MS 1000000ULL
#define IDLE_AFTER_NS 1000000000ULL /* quiet this long: poll by plain sleeps */
#define IDLE_POLL_NS (20ULL * NS_PER_MS)
/* The shortest gathering sleep bound (batch.max_age 0 or tiny). */
#define GATHER_MIN_CAP_NS (5ULL * NS_PER_MS)
#define LANES_POLL_NS (2ULL * NS_PER_MS) /* a flood: answers are taken at least this often */

/*
 * One batch from its first record to its acknowledgement. Slots are used in ring order, as a
 * circle: slots[head] is the oldest batch not yet settled, the one being filled (if any) is the
 * newest. Slot i is sent by lane i (its own transport).
 */
typedef enum slot_state {
    SLOT_FREE = 0,
    SLOT_FILLING, /* records go in */
    SLOT_WAITING, /* closed; its next attempt starts at not_before */
    SLOT_SENDING, /* an attempt is running on its lane */
    SLOT_SETTLED, /* acknowledged or given up: may be committed once the older ones are */
    SLOT_HELD     /* left unacknowledged at shutdown: never committed (sent again next start) */
} slot_state;

typedef struct slot {
    slot_state state;
    ad_batch *batch;
    uint64_t first_ns; /* mono time of the batch's first record */
    ad_ring_view last; /* last view consumed into this batch (kept, skipped or filtered) */
    bool have_last;
    uint64_t id;         /* numbers the batches handed to the transports */
    const uint8_t *data; /* finished bytes, valid until the batch is reset */
    size_t len;
    uint32_t n;
    uint64_t first_attempt_ns;
    uint64_t not_before;
    ad_retry retry;
    bool last_try; /* the running attempt started after the stop request */
} slot;

struct ad_pipeline {
    ad_pipeline_opts o;
    ad_pipeline_env env;
    const ad_exporter_config *cfg;
    ad_ring_consumer *ring;
    ad_xport *t;
    ad_filter filter;
    ad_retry_policy policy;

    /* The batches being built or delivered (batch.h: OTLP or JSON lines). */
    slot slots[AD_LANES_MAX];
    unsigned nslots;
    unsigned head; /* oldest slot in use */
    unsigned used; /* slots in use from head on */
    uint64_t batch_seq;
    ad_lanes *lanes; /* NULL: one slot, sent from this thread */

    /* Records peeked but not consumed yet (the record that did not fit, and those after it). */
    ad_ring_view pend[PEEK_MAX];
    size_t pend_head;
    size_t pend_count;

    ad_event ev;
    ad_asim asim;

    /* aggregate: (aggregate_stage.h); NULL = off. With it on, one batch is in flight at a time
       (its gate keeps the cursor behind every row not acknowledged yet, open or in the batch). */
    ad_agg_stage *agg;
    ad_ring_view prev; /* the last view consumed, whether committed or not */
    bool prev_valid;
    uint64_t committed_seq; /* sequence of the last view committed (valid with prev_valid) */

    uint64_t last_beat_ns;
    uint64_t last_watchdog_ns; /* last WATCHDOG=1 to systemd */
    uint64_t last_data_ns;
    ad_gather gather; /* how long a wait may gather records (gather_wait.h) */
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
        char msg[256] = "";
        if (ad_ring_consumer_heartbeat_msg(p->ring, p->env.wall_ns(p->env.ctx), msg, sizeof(msg)) !=
            AD_OK) /* a repair, counted */
            ad_log_warn("ring %s: %s", p->cfg->ring.name, msg);
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

/* ---- the slots ----------------------------------------------------------------------------- */

static slot *slot_at(ad_pipeline *p, unsigned k)
{
    return &p->slots[(p->head + k) % p->nslots];
}

static unsigned slot_index(const ad_pipeline *p, const slot *s)
{
    return (unsigned)(s - p->slots);
}

/* The slot being filled, or NULL. */
static slot *filling(ad_pipeline *p)
{
    if (p->used == 0)
        return NULL;
    slot *s = slot_at(p, p->used - 1);
    return s->state == SLOT_FILLING ? s : NULL;
}

/* The slot being filled, or a new one; NULL when all are in flight. */
static slot *filling_or_new(ad_pipeline *p)
{
    slot *s = filling(p);
    if (s != NULL || p->used == p->nslots)
        return s;
    s = slot_at(p, p->used++);
    s->state = SLOT_FILLING;
    s->have_last = false;
    s->first_ns = 0;
    return s;
}

/* Nothing consumed and unacknowledged: at most an empty slot being filled, no aggregate row. */
static bool nothing_pending(ad_pipeline *p)
{
    if (p->agg != NULL && !ad_agg_stage_empty(p->agg))
        return false;
    if (p->used == 0)
        return true;
    slot *s = filling(p);
    return p->used == 1 && s != NULL && ad_batch_count(s->batch) == 0 && !s->have_last;
}

/* ---- the record source: the ring, or the spool stage in front of it (spool_stage.h) ------- */

static ad_err source_peek(ad_pipeline *p, ad_ring_view *views, size_t max, size_t *n)
{
    if (p->o.spool == NULL)
        return ad_ring_consumer_peek(p->ring, views, max, n);
    ad_spool_stage_peek(p->o.spool, views, max, n, nothing_pending(p), now_ns(p),
                        p->env.wall_ns(p->env.ctx));
    return *n > 0 ? AD_OK : AD_EEMPTY;
}

static void source_commit(ad_pipeline *p, const ad_ring_view *last)
{
    if (p->o.spool == NULL)
        (void)ad_ring_consumer_commit(p->ring, last);
    else
        ad_spool_stage_commit(p->o.spool, last);
    p->committed_seq = last->seq;
}

static void source_commit_all(ad_pipeline *p)
{
    if (p->o.spool == NULL)
        ad_ring_consumer_commit_all(p->ring);
    else
        ad_spool_stage_commit_all(p->o.spool);
    p->prev_valid = false;
}

static uint64_t source_generation(ad_pipeline *p, const ad_ring_view *v)
{
    if (p->o.spool == NULL)
        return ad_ring_consumer_generation(p->ring);
    return ad_spool_stage_generation(p->o.spool, v);
}

/* ---- the batch and the commit point ---------------------------------------------------------- */

/*
 * Puts the mapped record p->asim into batch s (span NULL: one event; else an aggregate row).
 * The one place where records enter a batch.
 */
static ad_err batch_put(ad_pipeline *p, slot *s, const ad_batch_span *span,
                        ad_batch_add_result *res)
{
    ad_err err = ad_batch_add(s->batch, &p->asim, span, res);
    count(p, AD_EXP_LI_FIELDS_TRUNCATED, ad_batch_take_fields_truncated(s->batch));
    return err;
}

/*
 * Moves the committed cursor past the records of slot s (acked, given up, skipped or filtered).
 * The one place where the cursor moves past records; callers pass slots in ring order only.
 */
static void commit_slot(ad_pipeline *p, slot *s)
{
    if (!s->have_last)
        return;
    ad_ring_view to = s->last;
    if (p->agg != NULL && !ad_agg_stage_empty(p->agg)) {
        /* The aggregate gate: not past the first record of a row still open or held. */
        ad_ring_view gate;
        if (!ad_agg_stage_gate(p->agg, &s->last, &gate))
            return;
        if (gate.seq < to.seq)
            to = gate;
    }
    source_commit(p, &to);
    s->have_last = false;
}

/*
 * Commits the settled batches at the head, oldest first, up to the first one not settled:
 * the cursor moves only over a contiguous acknowledged prefix, whatever order the answers
 * came in. A slot being filled at the head has its skipped and filtered records committed.
 */
static void commit_prefix(ad_pipeline *p)
{
    while (p->used > 0) {
        slot *s = slot_at(p, 0);
        if (s->state == SLOT_FILLING && ad_batch_count(s->batch) == 0) {
            commit_slot(p, s);
            return;
        }
        if (s->state != SLOT_SETTLED)
            return;
        commit_slot(p, s);
        ad_batch_reset(s->batch);
        s->state = SLOT_FREE;
        p->head = (p->head + 1) % p->nslots;
        p->used--;
    }
}

/* ---- filling ------------------------------------------------------------------------------ */

typedef enum consume_result { CONSUMED, NOT_CONSUMED } consume_result;

/* After batch_put took (or refused as too large) the record or row with sequence seq. */
static void batch_added(ad_pipeline *p, slot *s, ad_batch_add_result res, uint64_t seq)
{
    if (res == AD_BATCH_TOO_LARGE) {
        uint64_t sup;
        count(p, AD_EXP_RECORDS_REJECTED, 1);
        if (ratelog_ok(p, AD_DMON_TOO_LARGE, &sup))
            ad_log_warn("record %llu alone exceeds batch.max_bytes; dropped (+%llu similar)",
                        (unsigned long long)seq, (unsigned long long)sup);
    } else if (ad_batch_count(s->batch) == 1) {
        s->first_ns = now_ns(p);
    }
}

/* The aggregate stage's counts into the cursor counters. */
static void agg_count(ad_pipeline *p, const ad_agg_stage_counts *c)
{
    count(p, AD_EXP_AGGREGATE_RECORDS_IN, c->records_in);
    count(p, AD_EXP_AGGREGATE_EVICTIONS, c->evictions);
    count(p, AD_EXP_RECORDS_CORRUPT, c->records_corrupt);
}

/*
 * Aggregate rows that are due (flush: every row) into batch s, oldest first, until the batch
 * is full (*full; the row that did not fit stays held in the stage).
 */
static ad_err agg_drain(ad_pipeline *p, slot *s, bool flush, bool *full)
{
    *full = false;
    ad_agg_stage_counts c = {0};
    uint64_t n;
    ad_err err = AD_OK;
    while (ad_agg_stage_next(p->agg, now_ns(p), flush, p->o.host, &p->ev, &p->asim, &n, &c)) {
        ad_batch_add_result res;
        err = batch_put(p, s, NULL, &res);
        if (err != AD_OK)
            break;
        if (res == AD_BATCH_FULL) {
            *full = true;
            break;
        }
        batch_added(p, s, res, p->ev.hdr.sequence);
        ad_agg_stage_taken(p->agg);
        count(p, AD_EXP_AGGREGATE_ROWS_OUT, 1);
    }
    agg_count(p, &c);
    return err;
}

/* Decodes, filters, maps and adds one record to batch s. */
static ad_err consume(ad_pipeline *p, slot *s, const ad_ring_view *v, consume_result *cr)
{
    *cr = CONSUMED;
    if (ad_record_decode(v->data, v->len, &p->ev) != AD_OK) {
        count(p, AD_EXP_RECORDS_CORRUPT, 1); /* invalid bytes: nothing can be sent for it */
        count(p, AD_EXP_RECORDS_CORRUPT_PAYLOAD, 1);
    } else if (p->ev.hdr.sequence != v->seq) {
        /* The ring header's sequence was validated (increasing, checked header); the payload's
           copy was not. A mismatch means the payload changed after capture wrote it: counted
           and not sent, so a record id is never taken from bytes nobody vouches for. */
        count(p, AD_EXP_RECORDS_CORRUPT, 1);
        count(p, AD_EXP_RECORDS_CORRUPT_PAYLOAD, 1);
    } else if (!ad_filter_keep(&p->filter, &p->ev)) {
        count(p, AD_EXP_RECORDS_FILTERED, 1);
    } else if (ad_asim_map(&p->ev, source_generation(p, v), p->o.host, &p->asim) != AD_OK) {
        count(p, AD_EXP_RECORDS_CORRUPT, 1); /* a provider this build cannot map */
        count(p, AD_EXP_RECORDS_UNMAPPABLE, 1);
    } else if (p->agg != NULL) {
        /* The record joins a row; rows reach the batch in agg_drain. */
        bool uncommitted = p->prev_valid && p->prev.seq != p->committed_seq;
        ad_agg_stage_counts c = {0};
        ad_err err = ad_agg_stage_add(p->agg, &p->asim, v, uncommitted ? &p->prev : NULL,
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
        ad_batch_add_result res;
        ad_err err = batch_put(p, s, NULL, &res);
        if (err != AD_OK)
            return err;
        if (res == AD_BATCH_FULL) {
            *cr = NOT_CONSUMED;
            return AD_OK;
        }
        batch_added(p, s, res, v->seq);
        /* Counted once, when the record leaves for a batch (a full batch maps it again). */
        if (p->asim.packet_malformed)
            count(p, AD_EXP_RESPONSE_PACKETS_MALFORMED, 1);
    }
    s->last = *v;
    s->have_last = true;
    p->prev = *v;
    p->prev_valid = true;
    return AD_OK;
}

/*
 * Consumes pending and newly peeked records into s until the batch is full (*full) or the
 * ring has nothing more (*drained).
 */
static ad_err fill(ad_pipeline *p, slot *s, bool *full, bool *drained)
{
    *full = *drained = false;
    for (;;) {
        uint32_t have = ad_batch_count(s->batch);
        if (have >= s->batch->max_records) {
            *full = true;
            return AD_OK;
        }
        if (p->agg != NULL) { /* aggregate rows whose window is over go first */
            ad_err err = agg_drain(p, s, false, full);
            if (err != AD_OK || *full)
                return err;
        }
        if (p->pend_count == 0) {
            /* Peek no more than the batch can take, so the ring's read position (which marks
               duplicates_possible after a restart) stays close to the batch's end. */
            size_t want = s->batch->max_records - have;
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
            ad_batch_set_observed_time(s->batch, p->env.wall_ns(p->env.ctx));
        }
        consume_result cr;
        ad_err err = consume(p, s, &p->pend[p->pend_head], &cr);
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

/* Closes the batch being filled: its bytes are final, its first attempt is due now. */
static ad_err close_batch(ad_pipeline *p, slot *s)
{
    ad_err err = ad_batch_finish(s->batch, &s->data, &s->len);
    if (err != AD_OK)
        return err;
    s->n = ad_batch_count(s->batch);
    s->id = ++p->batch_seq; /* one id for all attempts of this batch */
    s->first_attempt_ns = now_ns(p);
    s->not_before = s->first_attempt_ns;
    ad_retry_start(&s->retry, &p->policy, s->first_attempt_ns / NS_PER_MS);
    s->state = SLOT_WAITING;
    return AD_OK;
}

/* The batch is settled (acknowledged or given up): committed with the ones before it. */
static void settle(ad_pipeline *p, slot *s)
{
    s->state = SLOT_SETTLED;
    commit_prefix(p);
}

/* Acts on one attempt's outcome for batch s: count, log, settle or schedule the next attempt. */
static ad_err attempt_done(ad_pipeline *p, slot *s, ad_err err, const ad_send_result *r)
{
    if (err != AD_OK) {
        ad_log_error("%s output failed: %s", p->t->ops->name, ad_strerror(err));
        return err;
    }
    const ad_send_result res = *r;
    uint32_t n = s->n;
    count(p, AD_EXP_BYTES_SENT, res.wire_bytes);
    count(p, AD_EXP_TRANSPORT_FATAL_ERRORS, res.fatal_errors);
    ad_log_debug("batch %llu of %u records (%llu bytes): attempt %u: %s%s%s",
                 (unsigned long long)s->id, n, (unsigned long long)s->len, s->retry.failures + 1,
                 res.status == AD_SEND_OK      ? "acknowledged"
                 : res.status == AD_SEND_RETRY ? "retry"
                                               : "rejected",
                 res.message[0] ? ": " : "", res.message);
    uint64_t sup;
    if (res.response_too_large) /* dropped unread past the cap; retried below */
        count(p, AD_EXP_RESPONSES_TOO_LARGE, 1);
    /* An attempt cut short by a stop request says nothing about the receiver. */
    if (!(res.status == AD_SEND_RETRY && p->stopping))
        ad_dmon_attempt(&p->mon, &res, s->first_attempt_ns, now_ns(p), p->env.wall_ns(p->env.ctx));
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
                        (unsigned long long)rejected, n, res.message[0] ? ": " : "", res.message,
                        (unsigned long long)sup);
        settle(p, s);
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
        settle(p, s);
        return AD_OK;
    case AD_SEND_RETRY:
        break;
    }
    /* Not delivered. At shutdown one last attempt (shut_down), then it stays in the ring for
       the next start. */
    if (stop_check(p)) {
        s->state = s->last_try ? SLOT_HELD : SLOT_WAITING;
        s->not_before = now_ns(p);
        return AD_OK;
    }
    count(p, AD_EXP_BATCHES_RETRIED, 1);
    uint64_t wait_ms;
    bool again = ad_retry_next(&s->retry, now_ns(p) / NS_PER_MS, res.retry_after_ms,
                               p->env.random(p->env.ctx), &wait_ms);
    if (!again) {
        count(p, AD_EXP_BATCHES_FAILED, 1);
        count(p, AD_EXP_RECORDS_REJECTED, n);
        ad_log_error("giving up a batch of %u records after %u attempts (retry.max_elapsed): %s", n,
                     s->retry.failures, res.message);
        settle(p, s);
        return AD_OK;
    }
    if (ratelog_ok(p, AD_DMON_RETRY, &sup)) {
        char why[64] = "";
        if (res.code != 0)
            snprintf(why, sizeof(why), " (status %d)", res.code);
        ad_log_warn("delivery failed%s%s%s; retrying in %llu ms (attempt %u; +%llu similar)", why,
                    res.message[0] ? ": " : "", res.message, (unsigned long long)wait_ms,
                    s->retry.failures + 1, (unsigned long long)sup);
    }
    ad_log_debug("retry wait %llu ms (retry_after %llu ms)", (unsigned long long)wait_ms,
                 (unsigned long long)res.retry_after_ms);
    s->state = SLOT_WAITING;
    s->not_before = now_ns(p) + wait_ms * NS_PER_MS;
    return AD_OK;
}

/* Takes the outcomes the lanes have finished. */
static ad_err reap(ad_pipeline *p)
{
    if (p->lanes == NULL)
        return AD_OK;
    ad_lane_outcome out;
    while (ad_lanes_take(p->lanes, &out)) {
        for (int c = 0; c < AD_EXP__COUNT; c++)
            count(p, (ad_exporter_counter)c, out.counts[c]);
        ad_err err = attempt_done(p, &p->slots[out.lane], out.err, &out.res);
        if (err != AD_OK)
            return err;
    }
    return AD_OK;
}

/* Starts every attempt that is due, oldest batch first. */
static ad_err start_due(ad_pipeline *p)
{
    for (unsigned k = 0; k < p->used; k++) {
        slot *s = slot_at(p, k);
        if (s->state != SLOT_WAITING || now_ns(p) < s->not_before)
            continue;
        s->last_try = p->stopping;
        if (p->lanes != NULL) {
            s->state = SLOT_SENDING;
            ad_lanes_start(p->lanes, slot_index(p, s), s->data, s->len, s->id);
            continue;
        }
        /* One slot: the attempt runs here, with the pipeline's tick and counter hooks. */
        s->state = SLOT_SENDING;
        p->t->batch_id = s->id;
        ad_send_result res;
        ad_err err = ad_xport_send(p->t, s->data, s->len, &res);
        err = attempt_done(p, s, err, &res);
        if (err != AD_OK)
            return err;
        return AD_OK; /* the slot array may have moved on */
    }
    return AD_OK;
}

/* Heartbeat, answers in, due attempts out, the acknowledged prefix committed. */
static ad_err deliver_step(ad_pipeline *p)
{
    beat(p);
    ad_err err = reap(p);
    if (err == AD_OK)
        err = start_due(p);
    if (err != AD_OK)
        return err;
    commit_prefix(p);
    return AD_OK;
}

/* The earliest not_before of a waiting batch (UINT64_MAX: none). */
static uint64_t next_due(ad_pipeline *p)
{
    uint64_t due = UINT64_MAX;
    for (unsigned k = 0; k < p->used; k++) {
        slot *s = slot_at(p, k);
        if (s->state == SLOT_WAITING && s->not_before < due)
            due = s->not_before;
    }
    return due;
}

static bool any_sending(ad_pipeline *p)
{
    for (unsigned k = 0; k < p->used; k++) {
        if (slot_at(p, k)->state == SLOT_SENDING)
            return true;
    }
    return false;
}

/* Every slot is in flight: waits for an answer or the next due retry, at most a slice. */
static void wait_for_slots(ad_pipeline *p)
{
    uint64_t now = now_ns(p);
    uint64_t due = next_due(p);
    uint64_t wait = due > now ? due - now : 0;
    if (p->lanes == NULL) {
        if (wait > 0)
            backoff_wait(p, wait);
        return;
    }
    if (wait == 0)
        return; /* a retry is due: start it */
    ad_lanes_wait(p->lanes, wait < AD_PIPELINE_SLICE_NS ? wait : AD_PIPELINE_SLICE_NS);
}

/*
 * A stop request: the batch being built and every batch waiting for a retry get one attempt
 * within the grace period, batches in flight may still be acknowledged until then; whatever is
 * not acknowledged stays uncommitted (the next start sends it again).
 */
static ad_err shut_down(ad_pipeline *p)
{
    slot *f = filling(p);
    if (f != NULL && ad_batch_count(f->batch) > 0 && now_ns(p) < p->stop_deadline_ns) {
        ad_err err = close_batch(p, f);
        if (err != AD_OK)
            return err;
    }
    /* Every batch waiting for a retry gets one last attempt now, without backoff. */
    for (unsigned k = 0; k < p->used; k++) {
        slot *s = slot_at(p, k);
        if (s->state == SLOT_WAITING)
            s->not_before = now_ns(p);
    }
    for (;;) {
        ad_err err = deliver_step(p);
        if (err != AD_OK)
            return err;
        bool open = any_sending(p) || next_due(p) != UINT64_MAX;
        if (!open)
            break;
        if (now_ns(p) >= p->stop_deadline_ns) {
            if (p->lanes != NULL)
                ad_lanes_abort(p->lanes); /* running attempts end as RETRY within a tick */
            for (unsigned k = 0; k < p->used; k++) {
                if (slot_at(p, k)->state == SLOT_WAITING)
                    slot_at(p, k)->state = SLOT_HELD; /* no time left to try */
            }
            if (!any_sending(p))
                break;
        }
        if (p->lanes != NULL)
            ad_lanes_wait(p->lanes, AD_PIPELINE_SLICE_NS);
    }
    commit_prefix(p); /* a batch being filled with only skipped or filtered records */
    return AD_OK;
}

/*
 * How long the pipeline may wait before reading the ring again (gather_wait.h): wait (already
 * bounded by the batch's max_age, the next retry and the heartbeat slice), at most a tenth of
 * batch.max_age (a record waits in the ring before its batch's age starts), and short enough
 * that the ring cannot fill meanwhile. 0 = a flood: the ring's own wait.
 */
static uint64_t gather_slice(ad_pipeline *p, uint64_t now, uint64_t wait, uint64_t max_age_ns)
{
    uint64_t cap = max_age_ns / 10;
    if (cap < GATHER_MIN_CAP_NS)
        cap = GATHER_MIN_CAP_NS;
    if (cap > wait)
        cap = wait;
    return ad_gather_slice(&p->gather, now, ad_ring_consumer_read_pos(p->ring),
                           ad_ring_consumer_capacity(p->ring), cap);
}

/*
 * Waits for records. At the rates a DNS server usually sees, plain sleeps of slice gather
 * them (at 20k events/s and the default 1 s max_age about 10 wake-ups a second, each taking
 * ~2000 records). While records flood in (slice 0) the ring's own wait (spin, yield, sleeps of
 * at most 1 ms) reads them before the ring fills. Once nothing came for IDLE_AFTER_NS and
 * nothing is pending, sleeps of IDLE_POLL_NS keep an idle exporter near zero CPU.
 */
static void ring_wait(ad_pipeline *p, uint64_t wait, uint64_t slice, bool idle)
{
    if (p->env.ring_wait != NULL)
        p->env.ring_wait(p->env.ctx, p->ring, wait);
    else if (idle)
        ad_sleep_ns(wait < IDLE_POLL_NS ? wait : IDLE_POLL_NS);
    else if (slice > 0)
        ad_sleep_ns(slice);
    else
        (void)ad_ring_consumer_wait(p->ring, wait);
}

/* ---- the loop ----------------------------------------------------------------------------- */

/*
 * A stop request with aggregation on: every open row is sent, batch after batch, within the
 * grace period; the first batch not acknowledged ends it (its rows and those after stay in the
 * ring: the gate kept the cursor behind them).
 */
static ad_err agg_shutdown(ad_pipeline *p)
{
    for (;;) {
        slot *s = filling_or_new(p);
        if (s == NULL)
            break; /* a batch still in flight: shut_down settles it */
        bool full;
        ad_err err = agg_drain(p, s, true, &full);
        if (err != AD_OK)
            return err;
        if (!full || now_ns(p) >= p->stop_deadline_ns)
            break;
        err = close_batch(p, s);
        if (err == AD_OK)
            err = deliver_step(p);
        if (err != AD_OK)
            return err;
        if (p->used > 0)
            break; /* not acknowledged */
    }
    return shut_down(p);
}

ad_err ad_pipeline_run(ad_pipeline *p)
{
    p->idle_exit = false;
    p->last_data_ns = now_ns(p);
    p->next_check_ns = p->last_data_ns + RING_CHECK_NS;
    uint64_t max_age_ns = p->cfg->batch.max_age_ms * NS_PER_MS;
    bool console = p->t->payload == AD_PAYLOAD_JSON_LINES;
    for (;;) {
        ad_err err = deliver_step(p);
        if (err != AD_OK)
            return err;
        if (stop_check(p))
            return p->agg != NULL ? agg_shutdown(p) : shut_down(p);
        /* fill */
        slot *s = filling_or_new(p);
        if (s == NULL) {
            wait_for_slots(p);
            continue;
        }
        bool full, drained;
        err = fill(p, s, &full, &drained);
        if (err != AD_OK)
            return err;
        uint64_t now = now_ns(p);
        uint32_t n = ad_batch_count(s->batch);
        if (n > 0 && (full || (drained && (console || max_age_ns == 0)) ||
                      now - s->first_ns >= max_age_ns)) {
            err = close_batch(p, s);
            if (err != AD_OK)
                return err;
            continue;
        }
        commit_prefix(p);
        if (!drained)
            continue;
        if (nothing_pending(p) && p->pend_count == 0) {
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
        if (n > 0) {
            uint64_t due = s->first_ns + max_age_ns;
            wait = due > now ? due - now : 0;
        }
        uint64_t retry_due = next_due(p);
        if (retry_due != UINT64_MAX && retry_due - (retry_due > now ? now : retry_due) < wait)
            wait = retry_due > now ? retry_due - now : 0;
        if (wait > AD_PIPELINE_SLICE_NS)
            wait = AD_PIPELINE_SLICE_NS;
        if (wait == 0)
            continue;
        /* Nothing to read: sleep until an answer comes (a lane wakes the wait) or it is time
           to read the ring again. */
        uint64_t slice = gather_slice(p, now, wait, max_age_ns);
        if (p->lanes != NULL && any_sending(p))
            ad_lanes_wait(p->lanes,
                          slice > 0 ? slice : (wait < LANES_POLL_NS ? wait : LANES_POLL_NS));
        else
            ring_wait(p, wait, slice,
                      n == 0 && p->used <= 1 && now - p->last_data_ns >= IDLE_AFTER_NS);
    }
}

bool ad_pipeline_idle_exit(const ad_pipeline *p)
{
    return p->idle_exit;
}

/* batch.compression_workers; 0 = one per processor. */
static unsigned compressors(const ad_exporter_config *cfg)
{
    return cfg->batch.compression_workers ? cfg->batch.compression_workers : ad_cpu_count();
}

static void free_slots(ad_pipeline *p)
{
    for (unsigned i = 0; i < AD_LANES_MAX; i++) {
        ad_batch_destroy(p->slots[i].batch);
        p->slots[i].batch = NULL;
    }
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
    if (ad_agg_stage_create(&p->cfg->aggregate, &p->agg) != AD_OK) {
        ad_filter_free(&p->filter);
        free(p);
        return AD_ENOMEM;
    }
    p->nslots = opts->lane_count >= 2 && p->agg == NULL ? opts->lane_count : 1;
    if (p->nslots > AD_LANES_MAX)
        p->nslots = AD_LANES_MAX;
    ad_batch_opts bo = {
        .payload = p->t->payload,
        .max_records = p->cfg->batch.max_records,
        .max_bytes = (size_t)p->cfg->batch.max_bytes,
        .host_name = opts->host != NULL ? opts->host->fqdn : NULL,
        .instance_id = opts->instance_id,
        .attrs = p->cfg->resource.attrs,
        .attr_count = p->cfg->resource.attr_count,
    };
    ad_err err = AD_OK;
    for (unsigned i = 0; i < p->nslots && err == AD_OK; i++)
        err = ad_batch_create(&bo, &p->slots[i].batch);
    if (err == AD_OK && p->nslots >= 2)
        err = ad_lanes_create(opts->lanes, p->nslots, compressors(p->cfg), &p->lanes);
    if (err != AD_OK) {
        free_slots(p);
        ad_agg_stage_destroy(p->agg);
        ad_filter_free(&p->filter);
        free(p);
        return err;
    }
    ad_dmon_init(&p->mon, p->ring, p->cfg->ring.name, p->o.metrics, p->cfg->log.summary_seconds);
    if (p->lanes == NULL) {
        ad_xport_set_tick(p->t, pipeline_tick, p);
        ad_xport_set_count(p->t, pipeline_count, p);
    }
    if (p->o.spool != NULL)
        ad_spool_stage_attach(p->o.spool, p->ring);
    *out = p;
    return AD_OK;
}

void ad_pipeline_destroy(ad_pipeline *p)
{
    if (p == NULL)
        return;
    if (p->lanes != NULL) {
        ad_lanes_destroy(p->lanes); /* joins: no lane reads a batch after this */
    } else {
        ad_xport_set_tick(p->t, NULL, NULL);
        ad_xport_set_count(p->t, NULL, NULL);
    }
    if (p->o.spool != NULL)
        ad_spool_stage_attach(p->o.spool, NULL);
    free_slots(p);
    ad_agg_stage_destroy(p->agg);
    ad_filter_free(&p->filter);
    free(p);
}
