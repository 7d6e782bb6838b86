/*
 * asimdns-exporter: reading OTLP logs messages with protobuf-c (generated from exporter/proto).
 *
 *   - ExportLogsServiceRequest -> a walk over its LogRecords in a flat, simple form (tests, the
 *     `asimdns sink`, the test receiver). Not on the exporter's hot path.
 *   - ExportLogsServiceResponse -> rejected_log_records and error_message, for the OTLP/HTTP
 *     and nng transports (facts/otlp-logs.md §1.1, §2.3), and its encoder for receivers.
 *
 * Input is treated as hostile: sizes are capped by the caller, the nesting depth is checked
 * on the wire before protobuf-c (which recurses without a limit) sees the bytes.
 */
#ifndef AD_EXPORTER_OTLP_DECODE_H
#define AD_EXPORTER_OTLP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest ad_otlp_request_msg;
typedef Opentelemetry__Proto__Common__V1__AnyValue ad_otlp_anyvalue_msg;
typedef Opentelemetry__Proto__Common__V1__KeyValue ad_otlp_keyvalue_msg;
typedef Opentelemetry__Proto__Logs__V1__LogRecord ad_otlp_logrecord_msg;

/* Deepest AnyValue/ArrayValue/KeyValueList nesting accepted (levels of messages in total). */
#define AD_OTLP_MAX_NESTING 64
/* Responses larger than this are refused without parsing (facts §2.1: 4 MiB RECOMMENDED). */
#define AD_OTLP_MAX_RESPONSE_BYTES (4u * 1024u * 1024u)
/* Attributes one decoded record or resource shows; the rest are counted in *_over. */
#define AD_OTLP_DECODE_MAX_ATTRS 128

typedef enum ad_otlp_kind {
    AD_OTLP_NONE = 0, /* AnyValue with nothing set, or no body */
    AD_OTLP_STR,
    AD_OTLP_BOOL,
    AD_OTLP_INT,
    AD_OTLP_DOUBLE,
    AD_OTLP_BYTES,
    AD_OTLP_ARRAY,   /* see raw */
    AD_OTLP_KVLIST,  /* see raw */
    AD_OTLP_STRINDEX /* string_value_strindex (Profiles only; i holds it) */
} ad_otlp_kind;

/* One AnyValue (facts §1.3). Views point into the decoded request. */
typedef struct ad_otlp_value {
    ad_otlp_kind kind;
    const char *str; /* STR (NUL-terminated too), BYTES */
    size_t len;
    int64_t i;                       /* INT; BOOL as 0/1; STRINDEX */
    double d;                        /* DOUBLE */
    const ad_otlp_anyvalue_msg *raw; /* the protobuf-c value (NULL for NONE) */
} ad_otlp_value;

typedef struct ad_otlp_kv {
    const char *key;
    ad_otlp_value value;
} ad_otlp_kv;

/* One LogRecord with its resource and scope, flattened. */
typedef struct ad_otlp_record {
    size_t resource_index;    /* ResourceLogs index in the request */
    size_t scope_index;       /* ScopeLogs index in its ResourceLogs */
    size_t record_index;      /* LogRecord index in its ScopeLogs */
    const char *service_name; /* resource attribute service.name (string), or NULL */
    const ad_otlp_kv *resource_attrs;
    size_t n_resource_attrs;
    size_t resource_attrs_over; /* beyond AD_OTLP_DECODE_MAX_ATTRS */
    const char *resource_schema_url;
    const char *scope_name; /* "" when the scope is unset */
    const char *scope_version;
    const char *scope_schema_url;
    uint64_t time_unix_nano;
    uint64_t observed_time_unix_nano;
    int severity_number;
    const char *severity_text;
    ad_otlp_value body;
    ad_otlp_kv attrs[AD_OTLP_DECODE_MAX_ATTRS];
    size_t nattrs;
    size_t attrs_over; /* beyond AD_OTLP_DECODE_MAX_ATTRS */
    uint32_t dropped_attributes_count;
    uint32_t flags;
    const uint8_t *trace_id; /* trace_id_len bytes (valid ids are 16) */
    size_t trace_id_len;
    const uint8_t *span_id; /* span_id_len bytes (valid ids are 8) */
    size_t span_id_len;
    const char *event_name;
    const ad_otlp_logrecord_msg *raw;
} ad_otlp_record;

/* Called per record; a non-zero return stops the walk and is passed back. */
typedef int (*ad_otlp_record_fn)(const ad_otlp_record *rec, void *ctx);

typedef struct ad_otlp_request ad_otlp_request;

/*
 * Decodes data[len] as an ExportLogsServiceRequest (or LogsData: the same bytes, facts
 * §1.2). AD_EFORMAT for malformed protobuf, AD_ERANGE when nested deeper than
 * AD_OTLP_MAX_NESTING, AD_ENOMEM. Memory use is a small multiple of len: cap len first.
 */
ad_err ad_otlp_request_decode(const void *data, size_t len, ad_otlp_request **out);

void ad_otlp_request_free(ad_otlp_request *req);

/* The protobuf-c message, for callers that want every detail. */
const ad_otlp_request_msg *ad_otlp_request_message(const ad_otlp_request *req);

/* LogRecords in the request, and ResourceLogs. */
size_t ad_otlp_request_record_count(const ad_otlp_request *req);
size_t ad_otlp_request_resource_count(const ad_otlp_request *req);

/*
 * Calls fn for every LogRecord in order. The record passed is valid during the call only.
 * Returns 0 after the last record, or fn's non-zero value.
 */
int ad_otlp_request_foreach(ad_otlp_request *req, ad_otlp_record_fn fn, void *ctx);

/* Fills *out from one AnyValue (NULL gives AD_OTLP_NONE). */
void ad_otlp_value_from(const ad_otlp_anyvalue_msg *v, ad_otlp_value *out);

/* The attribute key in a flattened record, or NULL. */
const ad_otlp_kv *ad_otlp_record_find(const ad_otlp_record *rec, const char *key);

/* ---------------------------------------------------------------------------------------- */
/* ExportLogsServiceResponse (facts §1.1, §2.3)                                               */
/* ---------------------------------------------------------------------------------------- */

#define AD_OTLP_ERROR_MESSAGE_MAX 512

typedef struct ad_otlp_response {
    /*
     * True when partial_success carries rejected records or a message (a warning when
     * rejected is 0). False = full success: empty body, partial_success unset or all zero.
     * Either way the request MUST NOT be retried (facts §2.3).
     */
    bool partial;
    int64_t rejected_log_records;
    char error_message[AD_OTLP_ERROR_MESSAGE_MAX]; /* cut at a UTF-8 boundary; "" if none */
    bool error_message_truncated;
} ad_otlp_response;

/*
 * Parses an HTTP 200 / nng reply body. An empty body is full success (facts §0). AD_ERANGE
 * when len > AD_OTLP_MAX_RESPONSE_BYTES (facts §2.1: the client MUST limit it; a non-
 * retryable error), AD_EFORMAT when the bytes are not a response; *out is then zeroed.
 */
ad_err ad_otlp_response_parse(const void *data, size_t len, ad_otlp_response *out);

/*
 * Encodes a response into buf[cap] for a receiver: rejected 0 and message NULL/"" give the
 * empty body (full success). AD_EFULL when cap is too small. *out_len gets the size.
 */
ad_err ad_otlp_response_encode(int64_t rejected, const char *error_message, uint8_t *buf,
                               size_t cap, size_t *out_len);

#endif
