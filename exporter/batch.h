/*
 * asimdns-exporter: the batch the pipeline fills, one interface for every encoding.
 *
 *   ad_batch_add     appends one mapped record (optionally as an aggregate row)
 *   ad_batch_finish  the encoded bytes to hand to the transport
 *   ad_batch_reset   empties it for the next batch (buffers are kept)
 *
 * Behind it sit the encodings a transport asks for (transport.h ad_payload):
 *   AD_PAYLOAD_OTLP        an ExportLogsServiceRequest (exporter/otlp_batch.h)
 *   AD_PAYLOAD_JSON_LINES  ASIM JSON objects, one per line (exporter/asim_json.h)
 *   AD_PAYLOAD_ASIM_ROWS   ASimDnsActivityLogs rows, one per line (exporter/asim_rows.h)
 * A new encoding is one ad_batch_ops table and one case in ad_batch_create.
 *
 * Memory is bounded by max_bytes (each encoding's own header explains its worst case). One
 * batch is used by one thread at a time; the bytes finish() returns stay valid and unchanged
 * until reset() or destroy(), so another thread may compress or send them meanwhile.
 */
#ifndef AD_EXPORTER_BATCH_H
#define AD_EXPORTER_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "config/exporter_config.h"
#include "exporter/asim.h"
#include "exporter/transport.h"

typedef enum ad_batch_add_result {
    AD_BATCH_ADDED = 0,
    AD_BATCH_FULL,     /* the batch is not empty and cannot take it: deliver, reset, add again */
    AD_BATCH_TOO_LARGE /* the record alone exceeds max_bytes: it can never be sent (drop, count) */
} ad_batch_add_result;

/*
 * An aggregate row (exporter/aggregate.h): the record stands for count events between first_ns
 * and last_ns (Unix ns), written as EventCount, EventStartTime and EventEndTime.
 */
typedef struct ad_batch_span {
    uint64_t count;
    uint64_t first_ns;
    uint64_t last_ns;
} ad_batch_span;

typedef struct ad_batch_opts {
    ad_payload payload;
    uint32_t max_records;        /* 0 = AD_OTLP_DEFAULT_MAX_RECORDS */
    size_t max_bytes;            /* 0 = AD_OTLP_DEFAULT_MAX_BYTES */
    const char *host_name;       /* OTLP resource host.name; NULL = none */
    const char *instance_id;     /* OTLP resource service.instance.id; NULL = none */
    const ad_config_attr *attrs; /* OTLP resource attributes (copied) */
    uint32_t attr_count;
} ad_batch_opts;

typedef struct ad_batch ad_batch;

/* The operations one encoding provides (ad_batch is their first member). */
typedef struct ad_batch_ops {
    const char *name;
    /* Appends a; *res says whether it went in. Other than AD_OK: a failure to stop on. */
    ad_err (*add)(ad_batch *b, const ad_asim *a, ad_batch_add_result *res);
    /* The observed time for records added from now on (OTLP observed_time_unix_nano). */
    void (*set_observed_time)(ad_batch *b, uint64_t unix_ns);
    ad_err (*finish)(ad_batch *b, const uint8_t **data, size_t *len);
    void (*reset)(ad_batch *b);
    void (*destroy)(ad_batch *b);
} ad_batch_ops;

struct ad_batch {
    const ad_batch_ops *ops;
    uint32_t max_records; /* in effect after defaults and caps */
    uint32_t count;       /* records in the batch */
    /* Fields the Logs Ingestion rows had to cut (asim_rows.h), since the last take. */
    uint64_t fields_truncated;
};

/* Creates the batch for opts->payload. AD_ENOMEM, or AD_EINVAL for a non-UTF-8 attribute. */
ad_err ad_batch_create(const ad_batch_opts *opts, ad_batch **out);
void ad_batch_destroy(ad_batch *b);

/*
 * Appends a (span NULL: as mapped; else an aggregate row: a's EventCount, EventStartTime and
 * EventEndTime are overwritten first). AD_BATCH_FULL also when max_records is reached, and
 * when memory ran short while the batch holds records (send them; memory returns on reset).
 */
ad_err ad_batch_add(ad_batch *b, ad_asim *a, const ad_batch_span *span, ad_batch_add_result *res);

void ad_batch_set_observed_time(ad_batch *b, uint64_t unix_ns);

/* The encoded batch; valid until reset() or destroy(). AD_EEMPTY when it holds no record. */
ad_err ad_batch_finish(ad_batch *b, const uint8_t **data, size_t *len);

void ad_batch_reset(ad_batch *b);

static inline uint32_t ad_batch_count(const ad_batch *b)
{
    return b->count;
}

/* Returns the fields cut since the last call and starts counting again. */
uint64_t ad_batch_take_fields_truncated(ad_batch *b);

#endif
