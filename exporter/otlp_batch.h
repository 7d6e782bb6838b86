/*
 * asimdns-exporter: OTLP logs batch builder. Encodes ASIM records (exporter/asim.h) straight
 * into the protobuf bytes of one opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest
 * (facts/otlp-logs.md §1), with no protobuf-c message tree on the hot path.
 *
 * Layout of the request (facts §1.1-§1.4):
 *   ExportLogsServiceRequest.resource_logs (1), one per service.name present in the batch:
 *     ResourceLogs.resource (1): Resource.attributes (1) = service.name, host.name, os.type,
 *       service.version, service.instance.id, then the configured attributes (facts §7)
 *     ResourceLogs.scope_logs (2), exactly one:
 *       ScopeLogs.scope (1) = {name "asim.dns.events", version ASIMDNS_VERSION}
 *       ScopeLogs.log_records (2), one per record, in the order they were added:
 *         time_unix_nano (1), severity_number (2), severity_text (3, the EventSeverity text),
 *         body (5, string), attributes (6, the ASIM list with string/int/bool AnyValues),
 *         observed_time_unix_nano (11)
 *
 * Memory is bounded by the limits, never by traffic: each service.name seen has a region that
 * grows (doubling) up to its header plus max_bytes and is kept for the next batches, and a
 * request with several services is assembled in one more buffer of at most max_bytes. The
 * worst case is (AD_OTLP_MAX_SERVICES + 1) x max_bytes; with the usual one or two services
 * it is 1-3 x max_bytes. One builder is used by one thread at a time.
 *
 * Usage: create once; per record call ad_otlp_batch_add(); on AD_EFULL call
 * ad_otlp_batch_finish(), send the bytes, ad_otlp_batch_reset(), and add the record again.
 */
#ifndef AD_EXPORTER_OTLP_BATCH_H
#define AD_EXPORTER_OTLP_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "config/exporter_config.h"
#include "exporter/asim.h"

/* Defaults and caps (facts §3: the Collector batch processor's 8192; docs/CONFIG.md). */
#define AD_OTLP_DEFAULT_MAX_RECORDS 8192u
#define AD_OTLP_DEFAULT_MAX_BYTES (4u * 1024u * 1024u)
/* Hard cap on max_bytes: 16 MiB, below the Collector receiver's 20 MiB (facts §0). */
#define AD_OTLP_MAX_BYTES_CAP (16u * 1024u * 1024u)
/* Hard cap on max_records (docs/CONFIG.md range). */
#define AD_OTLP_MAX_RECORDS_CAP 1000000u
/* Distinct service.name values (ResourceLogs) one batch holds; one more gives AD_EFULL. */
#define AD_OTLP_MAX_SERVICES 8

/* The scope every record is written under (DESIGN.md §5). */
#define AD_OTLP_SCOPE_NAME "asim.dns.events"

typedef struct ad_otlp_batch_opts {
    uint32_t max_records;  /* 0 = AD_OTLP_DEFAULT_MAX_RECORDS; capped at _CAP */
    size_t max_bytes;      /* encoded request bytes; 0 = default; capped at AD_OTLP_MAX_BYTES_CAP */
    const char *host_name; /* resource host.name; NULL or "" leaves it out */
    const char *instance_id; /* resource service.instance.id; NULL or "" leaves it out */
    /*
     * Configured resource attributes (string values), written after the built-in ones. A
     * configured key equal to host.name, os.type, service.version or service.instance.id
     * replaces the built-in value; service.name is per record and cannot be configured (such
     * an entry is ignored), and of repeated keys the first wins: keys stay unique (facts
     * §1.3). Copied at creation.
     */
    const ad_config_attr *attrs;
    uint32_t attr_count;
} ad_otlp_batch_opts;

typedef struct ad_otlp_batch ad_otlp_batch;

/*
 * Creates a builder (opts NULL = all defaults). AD_ENOMEM on allocation failure, AD_EINVAL
 * when a string is not valid UTF-8 (protobuf strings must be).
 */
ad_err ad_otlp_batch_create(const ad_otlp_batch_opts *opts, ad_otlp_batch **out);

/* Frees the builder and every buffer (NULL is fine). */
void ad_otlp_batch_destroy(ad_otlp_batch *b);

/* Empties the batch; buffers are kept for the next one. Invalidates finish()'s pointer. */
void ad_otlp_batch_reset(ad_otlp_batch *b);

/* observed_time_unix_nano used by ad_otlp_batch_add() calls that pass 0. Survives reset. */
void ad_otlp_batch_set_observed_time(ad_otlp_batch *b, uint64_t unix_ns);

/*
 * Appends one LogRecord for a (a->service_name NULL or "" counts as "unknown_service",
 * facts §7). observed_ns is its observed_time_unix_nano; 0 takes the batch's value from
 * ad_otlp_batch_set_observed_time(). Strings in a must be valid UTF-8 (the record decoder
 * guarantees it for mapped records); they are copied, so a may be reused at once.
 * Returns:
 *   AD_OK      appended;
 *   AD_EFULL   the batch is not empty and the record would pass max_records, max_bytes or
 *              AD_OTLP_MAX_SERVICES: finish, send, reset, then add it again;
 *   AD_ERANGE  the record alone (in a batch of its own) would exceed max_bytes: it can never
 *              be sent; count and drop it. The batch is unchanged;
 *   AD_ENOMEM  a buffer could not grow (the batch is unchanged);
 *   AD_EINVAL  finish() was called and reset() was not, or the service name is not UTF-8.
 */
ad_err ad_otlp_batch_add(ad_otlp_batch *b, const ad_asim *a, uint64_t observed_ns);

/* Records in the batch. */
uint32_t ad_otlp_batch_count(const ad_otlp_batch *b);

/* Exact size in bytes of the request finish() would return now (0 when empty). */
size_t ad_otlp_batch_size(const ad_otlp_batch *b);

/* Distinct service.name values (ResourceLogs) in the batch. */
unsigned ad_otlp_batch_services(const ad_otlp_batch *b);

/*
 * Completes the request and points *data and *len at its bytes, which stay valid and unchanged
 * until reset() or destroy(). Calling it again returns the same bytes. AD_EEMPTY when the
 * batch has no records (OTLP says not to send empty envelopes, facts §2.1), AD_ENOMEM when the
 * assembly buffer cannot be allocated (the batch stays intact; reset or retry).
 */
ad_err ad_otlp_batch_finish(ad_otlp_batch *b, const uint8_t **data, size_t *len);

/* The limits in effect after defaults and caps. */
uint32_t ad_otlp_batch_max_records(const ad_otlp_batch *b);
size_t ad_otlp_batch_max_bytes(const ad_otlp_batch *b);

#endif
