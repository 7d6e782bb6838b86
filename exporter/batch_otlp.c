/* asimdns-exporter: the OTLP protobuf encoding behind the batch interface (batch.h). */
#include <stdlib.h>

#include "exporter/batch_impl.h"
#include "exporter/otlp_batch.h"

typedef struct otlp_batch {
    ad_batch base;
    ad_otlp_batch *req;
} otlp_batch;

static ad_err otlp_add(ad_batch *b, const ad_asim *a, ad_batch_add_result *res)
{
    otlp_batch *o = (otlp_batch *)b;
    ad_err err = ad_otlp_batch_add(o->req, a, 0);
    if (err == AD_EFULL)
        *res = AD_BATCH_FULL;
    else if (err == AD_ERANGE)
        *res = AD_BATCH_TOO_LARGE;
    else if (err == AD_ENOMEM && b->count > 0)
        *res = AD_BATCH_FULL; /* send what we have; memory comes back with the reset */
    else
        return err;
    return AD_OK;
}

static void otlp_set_observed_time(ad_batch *b, uint64_t unix_ns)
{
    ad_otlp_batch_set_observed_time(((otlp_batch *)b)->req, unix_ns);
}

static ad_err otlp_finish(ad_batch *b, const uint8_t **data, size_t *len)
{
    return ad_otlp_batch_finish(((otlp_batch *)b)->req, data, len);
}

static void otlp_reset(ad_batch *b)
{
    ad_otlp_batch_reset(((otlp_batch *)b)->req);
}

static void otlp_destroy(ad_batch *b)
{
    otlp_batch *o = (otlp_batch *)b;
    ad_otlp_batch_destroy(o->req);
    free(o);
}

static const ad_batch_ops otlp_ops = {
    .name = "otlp",
    .add = otlp_add,
    .set_observed_time = otlp_set_observed_time,
    .finish = otlp_finish,
    .reset = otlp_reset,
    .destroy = otlp_destroy,
};

ad_err ad__batch_otlp_create(const ad_batch_opts *opts, ad_batch **out)
{
    otlp_batch *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return AD_ENOMEM;
    ad_otlp_batch_opts bo = {
        .max_records = opts->max_records,
        .max_bytes = opts->max_bytes,
        .host_name = opts->host_name,
        .instance_id = opts->instance_id,
        .attrs = opts->attrs,
        .attr_count = opts->attr_count,
    };
    ad_err err = ad_otlp_batch_create(&bo, &o->req);
    if (err != AD_OK) {
        free(o);
        return err;
    }
    o->base.ops = &otlp_ops;
    o->base.max_records = ad_otlp_batch_max_records(o->req);
    *out = &o->base;
    return AD_OK;
}
