/*
 * asimdns-exporter: where batches go. One small interface, one file per transport:
 *
 *   transport_http.c     otlp_http: POST <url>, protobuf body, gzip, TLS (facts/otlp-logs.md §2)
 *   transport_nng.c      nng: req (acknowledged) or push (fire and forget) (facts §6)
 *   transport_console.c  console: ASIM JSON lines on stdout
 *   transport_kafka.c    kafka: librdkafka producer, one topic (builds with AD_HAVE_KAFKA)
 *   transport_logs_ingestion.c  logs_ingestion: Microsoft Sentinel Logs Ingestion API
 *
 * A transport delivers one encoded batch per send() and sorts the outcome into the three
 * answers the pipeline acts on (the tri-state of facts §2.3): acknowledged (possibly with a
 * partial-success report), retry later (possibly with the receiver's Retry-After), or rejected
 * for good. A send() blocks for at most the configured per-attempt timeout; while it waits it
 * calls the tick hook about every AD_XPORT_TICK_MS so the pipeline can keep its heartbeat
 * fresh and cut the wait short at shutdown.
 */
#ifndef AD_EXPORTER_TRANSPORT_H
#define AD_EXPORTER_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "config/exporter_config.h"
#include "ipc/ring.h"

#define AD_XPORT_TICK_MS 100
#define AD_SEND_MESSAGE_MAX 512

typedef enum ad_send_status {
    AD_SEND_OK = 0, /* acknowledged: commit; rejected > 0 for a partial success */
    AD_SEND_RETRY,  /* not delivered now (no answer, connection error, 429/502/503/504) */
    AD_SEND_REJECT  /* refused for good (any other status): count, log, commit, move on */
} ad_send_status;

typedef struct ad_send_result {
    ad_send_status status;
    uint64_t retry_after_ms; /* RETRY: the receiver's Retry-After; 0 = none given */
    uint64_t rejected;       /* OK: records the receiver rejected (partial success) */
    uint64_t wire_bytes;     /* bytes handed to the network in this attempt (after gzip) */
    int code;                /* HTTP status when there was one, else 0 */
    bool response_too_large; /* RETRY: the answer's body was over the limit (otlp_http) */
    /* Errors that need an operator (authentication, authorization, a fatal producer state);
       the pipeline counts them in transport_fatal_errors. */
    uint32_t fatal_errors;
    /* The receiver's message (partial success error_message, google.rpc.Status message) or
       the local error text; printable ASCII only, "" = none. Never contains header values. */
    char message[AD_SEND_MESSAGE_MAX];
} ad_send_result;

/* What a transport wants in a batch. */
typedef enum ad_payload {
    AD_PAYLOAD_OTLP = 0,   /* serialized ExportLogsServiceRequest (exporter/otlp_batch.h) */
    AD_PAYLOAD_JSON_LINES, /* ASIM JSON objects, one per line (exporter/asim_json.h) */
    AD_PAYLOAD_ASIM_ROWS   /* ASimDnsActivityLogs rows, one per line (exporter/asim_rows.h) */
} ad_payload;

/* Called while a send waits; returning false abandons the attempt (it then reports RETRY). */
typedef bool (*ad_xport_tick_fn)(void *ctx);

/* Adds n to an exporter counter (the pipeline's, which reach status and /metrics). */
typedef void (*ad_xport_count_fn)(void *ctx, ad_exporter_counter c, uint64_t n);

/* Entered (enter true) before and left after each compression: limits how many run at once. */
typedef void (*ad_xport_gate_fn)(void *ctx, bool enter);

typedef struct ad_xport ad_xport;

typedef struct ad_xport_ops {
    const char *name;
    /*
     * Delivers data[len] once and fills *res. Returns AD_OK whenever *res says what happened
     * (also for network failures); any other value is a local failure the exporter cannot get
     * past (console output closed) and stops it.
     */
    ad_err (*send)(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res);
    void (*destroy)(ad_xport *t);
    /* Optional: t, another lane of the exporter first belongs to, uses first's shared state
       from now on (logs_ingestion: the token cache). */
    void (*share)(ad_xport *t, ad_xport *first);
} ad_xport_ops;

/* Every transport starts with this header. */
struct ad_xport {
    const ad_xport_ops *ops;
    ad_payload payload;
    ad_xport_tick_fn tick; /* NULL = none */
    void *tick_ctx;
    ad_xport_count_fn count; /* NULL = none */
    void *count_ctx;
    ad_xport_gate_fn gate; /* NULL = none */
    void *gate_ctx;
    /* Set by the pipeline before each send: the same value for every attempt of one batch,
       a new one for the next batch (0 = unknown). A transport that delivers a batch in
       several requests resumes a retried batch after the parts already acknowledged. */
    uint64_t batch_id;
};

/*
 * Creates the transport cfg->type names; cfg must outlive it (headers are read from it on
 * every request). Errors (bad URL, unreadable TLS file) are described in err; nothing is sent
 * yet (connections are made on the first send).
 */
ad_err ad_xport_create(const ad_exporter_config *cfg, ad_xport **out, char *err, size_t errlen);

ad_err ad_xport_http_create(const ad_exporter_config *cfg, ad_xport **out, char *err,
                            size_t errlen);
ad_err ad_xport_nng_create(const ad_exporter_config *cfg, ad_xport **out, char *err, size_t errlen);
ad_err ad_xport_kafka_create(const ad_exporter_config *cfg, ad_xport **out, char *err,
                             size_t errlen);
ad_err ad_xport_logs_ingestion_create(const ad_exporter_config *cfg, ad_xport **out, char *err,
                                      size_t errlen);
/* Console lines go to out (stdout in the exporter). */
ad_err ad_xport_console_create(FILE *out, ad_xport **out_t);

/*
 * How many transports of cfg's kind the pipeline drives at once (batch.max_in_flight for
 * otlp_http, nng req and logs_ingestion, with or without the spool; 1 for console, nng push and
 * kafka, which keeps its own queue of messages in flight). The pipeline keeps one batch in
 * flight while aggregation is on (pipeline.c).
 */
unsigned ad_xport_lanes(const ad_exporter_config *cfg);

/*
 * n transports of cfg's kind, one per lane (n <= ad_xport_lanes), sharing what the lanes of
 * one exporter share (ops share). On failure none is left and err says why.
 */
ad_err ad_xport_create_lanes(const ad_exporter_config *cfg, ad_xport **out, unsigned n, char *err,
                             size_t errlen);

/* Installs the wait hook. */
void ad_xport_set_tick(ad_xport *t, ad_xport_tick_fn fn, void *ctx);

/* Installs the counter hook, and counts through it (nothing without one). */
void ad_xport_set_count(ad_xport *t, ad_xport_count_fn fn, void *ctx);
void ad_xport_count(ad_xport *t, ad_exporter_counter c, uint64_t n);

/* Installs the compression gate. */
void ad_xport_set_gate(ad_xport *t, ad_xport_gate_fn fn, void *ctx);

/* gzip of in[len] into out[cap] (exporter/gzip.h) inside the compression gate. */
struct ad_gzip;
ad_err ad_xport_gzip(ad_xport *t, struct ad_gzip *gz, const void *in, size_t len, void *out,
                     size_t cap, size_t *out_len);

/* Clears *res and calls t->ops->send. */
ad_err ad_xport_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res);

void ad_xport_destroy(ad_xport *t);

/*
 * Copies text[len] into res->message as printable ASCII (other bytes become '?'), so a
 * receiver's message cannot inject control characters into our logs.
 */
void ad_send_result_message(ad_send_result *res, const char *text, size_t len);

#endif
