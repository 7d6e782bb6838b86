/* asimdns-exporter: the spool stage of the pipeline (spool_stage.h). */
#include "exporter/spool_stage.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define PUMP_PEEK 1024
#define PUMP_MAX_RECORDS 65536 /* per pump: bounds the time between heartbeats */
#define EXPIRE_INTERVAL_NS 1000000000ULL
/* While the spool holds a backlog, a log line about it this often. */
#define BACKLOG_LOG_INTERVAL_NS (60ULL * 1000000000ULL)

typedef enum stage_mode { MODE_SPOOL, MODE_RING } stage_mode;

struct ad_spool_stage {
    ad_spool *sp;
    ad_ring_consumer *ring;
    uint64_t held[AD_EXP__COUNT]; /* counts made while no ring was attached */
    stage_mode mode;
    bool read_failed;
    bool full_logged;
    uint64_t last_pump_ns;
    uint64_t next_expire_ns;
    uint64_t next_recover_ns;
    uint64_t next_backlog_log_ns;
    ad_ring_view views[PUMP_PEEK];
    /* Ring generations of the records the last spool-mode peek returned. */
    uint64_t *gens;
    size_t gen_cap;
    uint64_t gen_base_id;
    size_t gen_count;
    /* The block the spool reader handed out last, and how much of it was peeked. */
    const ad_spool_rec *recs;
    size_t rec_count, rec_pos;
};

static void stage_count(void *ctx, ad_exporter_counter c, uint64_t n)
{
    ad_spool_stage *st = ctx;
    if (st->ring != NULL)
        ad_ring_consumer_counter_add(st->ring, c, n);
    else
        st->held[c] += n;
}

/* The gauges in the cursor (ring.h ad_ring_spool_gauges): `asimdns status`, /metrics. */
static void publish(ad_spool_stage *st)
{
    if (st->ring == NULL)
        return;
    ad_ring_spool_gauges g = {
        .state = st->mode == MODE_SPOOL && !ad_spool_degraded(st->sp) ? AD_RING_SPOOL_ON
                                                                      : AD_RING_SPOOL_DEGRADED,
        .bytes = ad_spool_bytes(st->sp),
        .records = ad_spool_pending(st->sp),
        .segments = ad_spool_segments(st->sp),
        .oldest_ns = ad_spool_oldest_ns(st->sp),
    };
    ad_ring_consumer_spool_gauges(st->ring, &g);
}

ad_err ad_spool_stage_open(const ad_exporter_config *cfg, const ad_spool_fs *fs,
                           ad_spool_stage **out)
{
    ad_spool_stage *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return AD_ENOMEM;
    const ad_config_spool *c = &cfg->spool;
    ad_spool_opts o = {
        .dir = c->directory,
        .max_bytes = c->max_size,
        .max_age_ns = c->max_age_ms * 1000000ULL,
        .fsync = c->fsync == AD_CONFIG_SPOOL_FSYNC_ALWAYS     ? AD_SPOOL_FSYNC_ALWAYS
                 : c->fsync == AD_CONFIG_SPOOL_FSYNC_INTERVAL ? AD_SPOOL_FSYNC_INTERVAL
                                                              : AD_SPOOL_FSYNC_BATCH,
        .fsync_interval_ns = c->fsync_interval_ms * 1000000ULL,
        .compress = c->compression == AD_CONFIG_SPOOL_COMPRESSION_ZLIB,
        .full = c->full_policy == AD_CONFIG_SPOOL_FULL_DROP_OLDEST ? AD_SPOOL_FULL_DROP_OLDEST
                                                                   : AD_SPOOL_FULL_BLOCK,
        .fs = fs,
        .count = stage_count,
        .count_ctx = st,
    };
    char msg[512];
    ad_err err = ad_spool_open(&o, &st->sp, msg, sizeof(msg));
    if (err != AD_OK) {
        ad_log_error("%s (%s)", msg, ad_strerror(err));
        free(st);
        return err;
    }
    *out = st;
    return AD_OK;
}

void ad_spool_stage_close(ad_spool_stage *st)
{
    if (st == NULL)
        return;
    ad_spool_close(st->sp);
    free(st->gens);
    free(st);
}

void ad_spool_stage_attach(ad_spool_stage *st, ad_ring_consumer *ring)
{
    st->ring = ring;
    if (ring == NULL)
        return;
    for (int i = 0; i < AD_EXP__COUNT; i++) {
        if (st->held[i] != 0)
            ad_ring_consumer_counter_add(ring, (ad_exporter_counter)i, st->held[i]);
        st->held[i] = 0;
    }
    publish(st);
}

ad_spool *ad_spool_stage_spool(ad_spool_stage *st)
{
    return st->sp;
}

/* ---- ring -> spool ------------------------------------------------------------------------ */

static void full_changed(ad_spool_stage *st, bool full)
{
    if (full && !st->full_logged) {
        st->full_logged = true;
        stage_count(st, AD_EXP_SPOOL_FULL_EVENTS, 1);
        ad_log_warn("spool full (spool.max_size, full_policy block): records stay in the ring; "
                    "capture drops them when the ring fills");
    } else if (!full && st->full_logged) {
        st->full_logged = false;
        ad_log_info("spool has room again");
    }
}

static void pump(ad_spool_stage *st, uint64_t mono_ns, uint64_t wall_ns, bool force);

/* The spool's summary line, while it holds records to deliver (an outage, a drain). */
static void backlog_log(ad_spool_stage *st, uint64_t mono_ns, uint64_t wall_ns)
{
    uint64_t pending = ad_spool_pending(st->sp);
    if (pending == 0) {
        st->next_backlog_log_ns = 0;
        return;
    }
    if (st->next_backlog_log_ns == 0)
        st->next_backlog_log_ns = mono_ns + BACKLOG_LOG_INTERVAL_NS; /* not for a blip */
    if (mono_ns < st->next_backlog_log_ns)
        return;
    st->next_backlog_log_ns = mono_ns + BACKLOG_LOG_INTERVAL_NS;
    uint64_t oldest = ad_spool_oldest_ns(st->sp);
    ad_log_info("spool: %llu records (%llu bytes in %llu segments, oldest %.0f s) waiting for "
                "the receiver%s",
                (unsigned long long)pending, (unsigned long long)ad_spool_bytes(st->sp),
                (unsigned long long)ad_spool_segments(st->sp),
                oldest != 0 && wall_ns > oldest ? (double)(wall_ns - oldest) / 1e9 : 0.0,
                ad_spool_degraded(st->sp) ? "; spool degraded (disk errors)" : "");
}

void ad_spool_stage_pump(ad_spool_stage *st, uint64_t mono_ns, uint64_t wall_ns, bool force)
{
    pump(st, mono_ns, wall_ns, force);
    publish(st);
    backlog_log(st, mono_ns, wall_ns);
}

static void pump(ad_spool_stage *st, uint64_t mono_ns, uint64_t wall_ns, bool force)
{
    if (st->ring == NULL || st->mode != MODE_SPOOL || ad_spool_degraded(st->sp))
        return;
    if (!force && mono_ns - st->last_pump_ns < AD_SPOOL_PUMP_INTERVAL_NS)
        return;
    st->last_pump_ns = mono_ns;
    if (mono_ns >= st->next_expire_ns) {
        st->next_expire_ns = mono_ns + EXPIRE_INTERVAL_NS;
        ad_spool_expire(st->sp, wall_ns);
    }
    uint64_t gen = ad_ring_consumer_generation(st->ring);
    ad_ring_view last;
    bool have_last = false, all_taken = true, full = false, failed = false;
    size_t moved = 0;
    while (moved < PUMP_MAX_RECORDS && !full && !failed) {
        size_t n = 0;
        if (ad_ring_consumer_peek(st->ring, st->views, PUMP_PEEK, &n) != AD_OK || n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            const ad_ring_view *v = &st->views[i];
            if (ad_spool_has_ring_record(st->sp, gen, v->seq)) {
                /* Stored before a crash that came before the ring commit. */
                stage_count(st, AD_EXP_SPOOL_RING_DUPLICATES_SKIPPED, 1);
            } else {
                ad_err err = ad_spool_append(st->sp, gen, v->seq, v->data, v->len, wall_ns);
                if (err == AD_EFULL) {
                    full = true;
                } else if (err != AD_OK) {
                    failed = true;
                }
                if (full || failed) {
                    all_taken = false;
                    break;
                }
            }
            last = *v;
            have_last = true;
        }
        moved += n;
    }
    if (!failed && ad_spool_sync(st->sp, mono_ns) == AD_OK) {
        if (have_last)
            (void)ad_ring_consumer_commit(st->ring, &last);
        if (all_taken && moved < PUMP_MAX_RECORDS)
            ad_ring_consumer_commit_all(st->ring); /* pads and skipped bytes after last */
    }
    /* Whatever was peeked and not committed is read again (by the next pump or ring mode). */
    ad_ring_consumer_rewind(st->ring);
    full_changed(st, full);
}

/* ---- the pipeline's source ---------------------------------------------------------------- */

static void choose_mode(ad_spool_stage *st, uint64_t mono_ns)
{
    bool degraded = ad_spool_degraded(st->sp);
    if (st->mode == MODE_SPOOL && degraded &&
        (st->read_failed || (!ad_spool_has_unread(st->sp) && st->rec_pos == st->rec_count))) {
        st->mode = MODE_RING;
        st->next_recover_ns = mono_ns + AD_SPOOL_RECOVER_INTERVAL_NS;
        ad_ring_consumer_rewind(st->ring);
        ad_log_warn("spool unusable: delivering straight from the ring");
    } else if (st->mode == MODE_RING && mono_ns >= st->next_recover_ns) {
        st->next_recover_ns = mono_ns + AD_SPOOL_RECOVER_INTERVAL_NS;
        if (ad_spool_recover(st->sp) == AD_OK) {
            st->mode = MODE_SPOOL;
            st->read_failed = false;
            ad_ring_consumer_rewind(st->ring);
        }
    }
}

void ad_spool_stage_peek(ad_spool_stage *st, ad_ring_view *views, size_t max, size_t *n,
                         bool boundary, uint64_t mono_ns, uint64_t wall_ns)
{
    *n = 0;
    if (st->ring == NULL)
        return;
    if (boundary)
        choose_mode(st, mono_ns);
    if (st->mode == MODE_RING) {
        if (ad_ring_consumer_peek(st->ring, views, max, n) != AD_OK)
            *n = 0;
        return;
    }
    if (st->rec_pos == st->rec_count) {
        if (!ad_spool_has_unread(st->sp))
            ad_spool_stage_pump(st, mono_ns, wall_ns, true);
        size_t got = 0;
        ad_err err = ad_spool_read(st->sp, &st->recs, &got);
        if (err == AD_EIO)
            st->read_failed = true;
        if (err != AD_OK || got == 0)
            return;
        st->rec_pos = 0;
        st->rec_count = got;
    }
    /* The rest of a block stays here for the next peek: its records remain valid until the
       next spool read, which happens only once they are all handed out. */
    size_t got = st->rec_count - st->rec_pos;
    if (got > max)
        got = max;
    if (got > st->gen_cap) {
        uint64_t *g = realloc(st->gens, got * sizeof(*g));
        if (g == NULL)
            return;
        st->gens = g;
        st->gen_cap = got;
    }
    const ad_spool_rec *recs = st->recs + st->rec_pos;
    st->gen_base_id = recs[0].id;
    st->gen_count = got;
    for (size_t i = 0; i < got; i++) {
        views[i] = (ad_ring_view){.seq = recs[i].ring_seq,
                                  .end_pos = recs[i].id,
                                  .data = recs[i].data,
                                  .len = recs[i].len};
        st->gens[i] = recs[i].ring_generation;
    }
    st->rec_pos += got;
    *n = got;
}

void ad_spool_stage_commit(ad_spool_stage *st, const ad_ring_view *last)
{
    if (st->mode == MODE_RING) {
        (void)ad_ring_consumer_commit(st->ring, last);
        return;
    }
    (void)ad_spool_ack(st->sp, last->end_pos);
}

void ad_spool_stage_commit_all(ad_spool_stage *st)
{
    if (st->mode == MODE_RING && st->ring != NULL)
        ad_ring_consumer_commit_all(st->ring);
}

uint64_t ad_spool_stage_generation(const ad_spool_stage *st, const ad_ring_view *v)
{
    if (st->mode == MODE_SPOOL && v->end_pos >= st->gen_base_id &&
        v->end_pos - st->gen_base_id < st->gen_count)
        return st->gens[v->end_pos - st->gen_base_id];
    return ad_ring_consumer_generation(st->ring);
}
