/*
 * asimdns-exporter: one JSON object per line behind the batch interface (batch.h): ASIM JSON
 * for the console, ASimDnsActivityLogs rows for the Logs Ingestion transport.
 *
 * Memory: the lines (at most max_bytes, or one line when a single record is larger) and one
 * line buffer of LINE_MAX_BYTES.
 */
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "exporter/asim_json.h"
#include "exporter/asim_rows.h"
#include "exporter/batch_impl.h"
#include "exporter/otlp_batch.h"

#define LINE_MAX_BYTES 65536 /* a row of the largest record, escaped */

typedef struct lines_batch {
    ad_batch base;
    bool rows; /* ASimDnsActivityLogs rows, else ASIM JSON */
    char *buf;
    size_t len;
    size_t cap;
    size_t max;
    char line[LINE_MAX_BYTES];
} lines_batch;

static ad_err reserve(lines_batch *l, size_t more)
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

static ad_err lines_add(ad_batch *b, const ad_asim *a, ad_batch_add_result *res)
{
    lines_batch *l = (lines_batch *)b;
    ad_strbuf sb;
    ad_strbuf_init(&sb, l->line, sizeof(l->line));
    if (l->rows)
        b->fields_truncated += ad_asim_row_write(a, 0, &sb);
    else
        ad_asim_json_write(a, &sb);
    ad_strbuf_putc(&sb, '\n');
    if (ad_strbuf_overflowed(&sb)) {
        *res = AD_BATCH_TOO_LARGE; /* never send a cut JSON object */
        return AD_OK;
    }
    /* An empty batch takes any line: console output never drops a record for its size. */
    if (b->count > 0 && l->len + sb.len > l->max) {
        *res = AD_BATCH_FULL;
        return AD_OK;
    }
    ad_err err = reserve(l, sb.len);
    if (err != AD_OK)
        return err;
    memcpy(l->buf + l->len, sb.data, sb.len);
    l->len += sb.len;
    return AD_OK;
}

static ad_err lines_finish(ad_batch *b, const uint8_t **data, size_t *len)
{
    lines_batch *l = (lines_batch *)b;
    *data = (const uint8_t *)l->buf;
    *len = l->len;
    return AD_OK;
}

static void lines_reset(ad_batch *b)
{
    ((lines_batch *)b)->len = 0;
}

static void lines_destroy(ad_batch *b)
{
    lines_batch *l = (lines_batch *)b;
    free(l->buf);
    free(l);
}

static const ad_batch_ops lines_ops = {
    .name = "json_lines",
    .add = lines_add,
    .finish = lines_finish,
    .reset = lines_reset,
    .destroy = lines_destroy,
};

ad_err ad__batch_lines_create(const ad_batch_opts *opts, ad_batch **out)
{
    lines_batch *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return AD_ENOMEM;
    l->base.ops = &lines_ops;
    l->base.max_records = opts->max_records ? opts->max_records : AD_OTLP_DEFAULT_MAX_RECORDS;
    l->rows = opts->payload == AD_PAYLOAD_ASIM_ROWS;
    l->max = opts->max_bytes ? opts->max_bytes : AD_OTLP_DEFAULT_MAX_BYTES;
    *out = &l->base;
    return AD_OK;
}
