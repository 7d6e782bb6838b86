/* asimdns-exporter: sending threads, one per transport (delivery_lanes.h). */
#include "exporter/delivery_lanes.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

typedef enum lane_state { LANE_IDLE = 0, LANE_BUSY, LANE_DONE } lane_state;

typedef struct lane {
    struct ad_lanes *owner;
    unsigned index;
    ad_xport *t;
    nng_thread *thr;
    /* Guarded by owner->mtx. */
    lane_state state;
    const uint8_t *data;
    size_t len;
    uint64_t batch_id;
    /* Written by the lane thread while BUSY, read by the pipeline once DONE (under mtx). */
    ad_lane_outcome out;
} lane;

struct ad_lanes {
    nng_mtx *mtx;
    nng_cv *work;         /* a lane has a batch, or quit */
    nng_cv *done;         /* a lane finished an attempt */
    nng_cv *gate;         /* a compression slot came free */
    unsigned compressors; /* compressions allowed at once; 0 = no limit */
    unsigned compressing;
    bool quit;
    atomic_bool abort;
    unsigned n;
    lane lanes[AD_LANES_MAX];
};

/* The transport's wait hook in a lane: nothing but the abort flag (the pipeline beats). */
static bool lane_tick(void *ctx)
{
    lane *ln = ctx;
    return !atomic_load(&ln->owner->abort);
}

/* The transport's counter hook: held with the outcome (only this thread writes it now). */
static void lane_count(void *ctx, ad_exporter_counter c, uint64_t n)
{
    lane *ln = ctx;
    if ((unsigned)c < AD_EXP__COUNT)
        ln->out.counts[c] += n;
}

/* The transport's compression gate: at most compressors at once. */
static void lane_gate(void *ctx, bool enter)
{
    ad_lanes *l = ((lane *)ctx)->owner;
    if (l->compressors == 0)
        return;
    nng_mtx_lock(l->mtx);
    if (enter) {
        while (l->compressing >= l->compressors)
            nng_cv_wait(l->gate);
        l->compressing++;
    } else {
        l->compressing--;
        nng_cv_wake1(l->gate);
    }
    nng_mtx_unlock(l->mtx);
}

static void lane_main(void *arg)
{
    lane *ln = arg;
    ad_lanes *l = ln->owner;
    nng_mtx_lock(l->mtx);
    for (;;) {
        while (!l->quit && ln->state != LANE_BUSY)
            nng_cv_wait(l->work);
        if (l->quit)
            break;
        const uint8_t *data = ln->data;
        size_t len = ln->len;
        ln->t->batch_id = ln->batch_id;
        memset(&ln->out, 0, sizeof(ln->out));
        ln->out.lane = ln->index;
        nng_mtx_unlock(l->mtx);
        ad_send_result res;
        ad_err err;
        if (atomic_load(&l->abort)) {
            memset(&res, 0, sizeof(res));
            res.status = AD_SEND_RETRY;
            err = AD_OK;
        } else {
            err = ad_xport_send(ln->t, data, len, &res);
        }
        nng_mtx_lock(l->mtx);
        ln->out.err = err;
        ln->out.res = res;
        ln->state = LANE_DONE;
        nng_cv_wake(l->done);
    }
    nng_mtx_unlock(l->mtx);
}

void ad_lanes_destroy(ad_lanes *l)
{
    if (l == NULL)
        return;
    if (l->mtx != NULL) {
        atomic_store(&l->abort, true);
        nng_mtx_lock(l->mtx);
        l->quit = true;
        nng_cv_wake(l->work);
        nng_mtx_unlock(l->mtx);
    }
    for (unsigned i = 0; i < l->n; i++) {
        if (l->lanes[i].thr != NULL)
            nng_thread_destroy(l->lanes[i].thr); /* joins */
        ad_xport_set_tick(l->lanes[i].t, NULL, NULL);
        ad_xport_set_count(l->lanes[i].t, NULL, NULL);
        ad_xport_set_gate(l->lanes[i].t, NULL, NULL);
    }
    if (l->gate != NULL)
        nng_cv_free(l->gate);
    if (l->work != NULL)
        nng_cv_free(l->work);
    if (l->done != NULL)
        nng_cv_free(l->done);
    if (l->mtx != NULL)
        nng_mtx_free(l->mtx);
    free(l);
}

ad_err ad_lanes_create(ad_xport *const *transports, unsigned n, unsigned compressors,
                       ad_lanes **out)
{
    if (n == 0 || n > AD_LANES_MAX)
        return AD_EINVAL;
    ad_lanes *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return AD_ENOMEM;
    atomic_init(&l->abort, false);
    l->compressors = compressors;
    if (nng_mtx_alloc(&l->mtx) != 0 || nng_cv_alloc(&l->work, l->mtx) != 0 ||
        nng_cv_alloc(&l->done, l->mtx) != 0 || nng_cv_alloc(&l->gate, l->mtx) != 0) {
        ad_lanes_destroy(l);
        return AD_ENOMEM;
    }
    for (unsigned i = 0; i < n; i++) {
        lane *ln = &l->lanes[i];
        ln->owner = l;
        ln->index = i;
        ln->t = transports[i];
        ad_xport_set_tick(ln->t, lane_tick, ln);
        ad_xport_set_count(ln->t, lane_count, ln);
        ad_xport_set_gate(ln->t, lane_gate, ln);
        l->n = i + 1;
        if (nng_thread_create(&ln->thr, lane_main, ln) != 0) {
            ad_lanes_destroy(l);
            return AD_ENOMEM;
        }
    }
    *out = l;
    return AD_OK;
}

bool ad_lanes_idle(ad_lanes *l, unsigned i)
{
    nng_mtx_lock(l->mtx);
    bool idle = l->lanes[i].state == LANE_IDLE;
    nng_mtx_unlock(l->mtx);
    return idle;
}

void ad_lanes_start(ad_lanes *l, unsigned i, const uint8_t *data, size_t len, uint64_t batch_id)
{
    nng_mtx_lock(l->mtx);
    lane *ln = &l->lanes[i];
    ln->data = data;
    ln->len = len;
    ln->batch_id = batch_id;
    ln->state = LANE_BUSY;
    nng_cv_wake(l->work);
    nng_mtx_unlock(l->mtx);
}

bool ad_lanes_take(ad_lanes *l, ad_lane_outcome *out)
{
    bool got = false;
    nng_mtx_lock(l->mtx);
    for (unsigned i = 0; i < l->n; i++) {
        if (l->lanes[i].state == LANE_DONE) {
            *out = l->lanes[i].out;
            l->lanes[i].state = LANE_IDLE;
            got = true;
            break;
        }
    }
    nng_mtx_unlock(l->mtx);
    return got;
}

void ad_lanes_wait(ad_lanes *l, uint64_t timeout_ns)
{
    nng_time until = nng_clock() + (nng_time)((timeout_ns + 999999u) / 1000000u);
    nng_mtx_lock(l->mtx);
    for (;;) {
        bool any = false;
        for (unsigned i = 0; i < l->n && !any; i++)
            any = l->lanes[i].state == LANE_DONE;
        if (any || nng_cv_until(l->done, until) == NNG_ETIMEDOUT)
            break;
    }
    nng_mtx_unlock(l->mtx);
}

void ad_lanes_abort(ad_lanes *l)
{
    atomic_store(&l->abort, true);
}
