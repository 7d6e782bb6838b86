/* asimdns-exporter: the batch interface and the choice of encoding (batch.h). */
#include "exporter/batch.h"

#include "exporter/batch_impl.h"

ad_err ad_batch_create(const ad_batch_opts *opts, ad_batch **out)
{
    *out = NULL;
    switch (opts->payload) {
    case AD_PAYLOAD_OTLP:
        return ad__batch_otlp_create(opts, out);
    case AD_PAYLOAD_JSON_LINES:
    case AD_PAYLOAD_ASIM_ROWS:
        return ad__batch_lines_create(opts, out);
    }
    return AD_EINVAL;
}

void ad_batch_destroy(ad_batch *b)
{
    if (b != NULL)
        b->ops->destroy(b);
}

ad_err ad_batch_add(ad_batch *b, ad_asim *a, const ad_batch_span *span, ad_batch_add_result *res)
{
    *res = AD_BATCH_ADDED;
    if (b->count >= b->max_records) {
        *res = AD_BATCH_FULL;
        return AD_OK;
    }
    if (span != NULL) {
        ad_err err = ad_asim_set_span(a, span->count, span->first_ns, span->last_ns);
        if (err != AD_OK)
            return err;
    }
    ad_err err = b->ops->add(b, a, res);
    if (err == AD_OK && *res == AD_BATCH_ADDED)
        b->count++;
    return err;
}

void ad_batch_set_observed_time(ad_batch *b, uint64_t unix_ns)
{
    if (b->ops->set_observed_time != NULL)
        b->ops->set_observed_time(b, unix_ns);
}

ad_err ad_batch_finish(ad_batch *b, const uint8_t **data, size_t *len)
{
    return b->ops->finish(b, data, len);
}

void ad_batch_reset(ad_batch *b)
{
    b->ops->reset(b);
    b->count = 0;
}

uint64_t ad_batch_take_fields_truncated(ad_batch *b)
{
    uint64_t n = b->fields_truncated;
    b->fields_truncated = 0;
    return n;
}
