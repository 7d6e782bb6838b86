/* asimdns-exporter: the aggregation stage of the pipeline (aggregate_stage.h). */
#include "exporter/aggregate_stage.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000ULL

struct ad_agg_stage {
    ad_agg *agg;
    const char *key[AD_CONFIG_MAX_AGG_KEYS];
    /* A row that left the aggregator and is not in a batch yet. */
    bool held;
    ad_agg_row row; /* row.rec points into rec */
    unsigned char rec[AD_RECORD_MAX_SIZE];
};

ad_err ad_agg_stage_create(const ad_config_aggregate *cfg, ad_agg_stage **out)
{
    *out = NULL;
    if (!cfg->enabled)
        return AD_OK;
    ad_agg_stage *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return AD_ENOMEM;
    for (uint32_t i = 0; i < cfg->key_count && i < AD_CONFIG_MAX_AGG_KEYS; i++)
        st->key[i] = cfg->key[i];
    ad_agg_opts o = {.window_ns = cfg->window_ms * NS_PER_MS,
                     .max_keys = cfg->max_keys,
                     .key = cfg->key_count ? st->key : NULL,
                     .key_count = cfg->key_count};
    ad_err err = ad_agg_create(&o, &st->agg);
    if (err != AD_OK) {
        free(st);
        return err;
    }
    *out = st;
    return AD_OK;
}

void ad_agg_stage_destroy(ad_agg_stage *st)
{
    if (st == NULL)
        return;
    ad_agg_destroy(st->agg);
    free(st);
}

static void hold(ad_agg_stage *st, const ad_agg_row *row)
{
    memcpy(st->rec, row->rec, row->len);
    st->row = *row;
    st->row.rec = st->rec;
    st->held = true;
}

ad_err ad_agg_stage_add(ad_agg_stage *st, const ad_asim *mapped, const ad_ring_view *v,
                        const ad_ring_view *before, uint64_t gen, uint64_t now_ns,
                        ad_agg_stage_counts *c)
{
    ad_agg_mark mark = {.pos = v->end_pos, .gen = gen};
    if (before != NULL) {
        mark.before_pos = before->end_pos;
        mark.before_seq = before->seq;
        mark.before_valid = true;
    }
    ad_err err = ad_agg_add(st->agg, mapped, v->data, v->len, &mark, now_ns);
    if (err == AD_EFULL) {
        if (st->held)
            return AD_EFULL;
        ad_agg_row row;
        if (!ad_agg_pop(st->agg, now_ns, AD_AGG_POP_OLDEST, &row))
            return AD_EFULL; /* cannot happen: full means rows are open */
        hold(st, &row);
        c->evictions++;
        err = ad_agg_add(st->agg, mapped, v->data, v->len, &mark, now_ns);
    }
    if (err == AD_OK)
        c->records_in++;
    return err;
}

bool ad_agg_stage_next(ad_agg_stage *st, uint64_t now_ns, bool flush, const ad_asim_host *host,
                       ad_event *ev, ad_asim *out, uint64_t *count, ad_agg_stage_counts *c)
{
    for (;;) {
        if (!st->held) {
            ad_agg_row row;
            if (!ad_agg_pop(st->agg, now_ns, flush ? AD_AGG_POP_ANY : AD_AGG_POP_DUE, &row))
                return false;
            hold(st, &row);
        }
        const ad_agg_row *r = &st->row;
        if (ad_record_decode(r->rec, r->len, ev) == AD_OK &&
            ad_asim_map(ev, r->mark.gen, host, out) == AD_OK &&
            ad_asim_set_span(out, r->count, r->first_ns, r->last_ns) == AD_OK) {
            *count = r->count;
            return true;
        }
        /* The copy mapped when it came in; if it no longer does, nothing can be sent. */
        c->rows_corrupt++;
        c->records_corrupt += r->count;
        st->held = false;
    }
}

void ad_agg_stage_taken(ad_agg_stage *st)
{
    st->held = false;
}

bool ad_agg_stage_empty(const ad_agg_stage *st)
{
    return !st->held && ad_agg_oldest_mark(st->agg) == NULL;
}

bool ad_agg_stage_gate(const ad_agg_stage *st, const ad_ring_view *last, ad_ring_view *out)
{
    /* The held row left the aggregator first, so it is older than every open row. */
    const ad_agg_mark *m = st->held ? &st->row.mark : ad_agg_oldest_mark(st->agg);
    if (m == NULL) {
        *out = *last;
        return true;
    }
    if (!m->before_valid)
        return false;
    *out = (ad_ring_view){.seq = m->before_seq, .end_pos = m->before_pos};
    return true;
}

void ad_agg_stage_get_stats(const ad_agg_stage *st, ad_agg_stats *s)
{
    ad_agg_get_stats(st->agg, s);
}
