/*
 * asimdns-exporter: a validating walk over the protobuf wire format of an
 * ExportLogsServiceRequest (facts/otlp-logs.md §1) that builds no message tree.
 *
 * Receivers that only count and check completeness (`asimdns sink --format count`, the test
 * receiver, benchmarks) use it instead of protobuf-c: decoding every attribute into a tree
 * costs several times what the exporter spends producing it. The walk descends only into
 * ResourceLogs -> ScopeLogs -> LogRecord -> attributes and, of those, looks only at the value of
 * one attribute key (asimdns.record_id); everything else is skipped by its wire type.
 *
 * Input is hostile. Rejected with an error: truncated varints or fixed fields, lengths past
 * the end of their message, varints longer than 10 bytes, field number 0, wire types 3, 4, 6
 * and 7 (groups and undefined types), and a known field of the levels walked arriving with
 * another wire type than the .proto gives it. Never reads outside [data, data + len).
 * Not examined (skipped by length, as a receiver that only counts needs): the inside of the
 * resource, the scope, the body and of an attribute whose encoding starts with a key that is
 * not the id key. Stricter than protobuf-c only on tags: field number 0 and numbers above
 * 2^29-1 are refused (the protobuf encoding forbids them; protobuf-c skips them as unknown).
 */
#ifndef AD_EXPORTER_OTLP_SCAN_H
#define AD_EXPORTER_OTLP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Called once per LogRecord, in wire order, with the string value of the attribute whose key
 * is the id key (id == NULL, id_len == 0 when the record has none, or the value is not a
 * string). A non-zero return stops the walk; ad_otlp_scan_request then returns AD_EINVAL.
 */
typedef int (*ad_otlp_scan_fn)(const char *id, size_t id_len, void *arg);

typedef struct ad_otlp_scan_counts {
    uint64_t resource_logs;
    uint64_t scope_logs;
    uint64_t records;
} ad_otlp_scan_counts;

/*
 * Walks data[0..len) as an ExportLogsServiceRequest. id_key NULL = look at no attribute (fn,
 * if given, gets NULL ids). counts (may be NULL) is filled even on failure with what was
 * walked so far. Returns AD_OK, AD_ETRUNC (a length or varint runs past its end), AD_EFORMAT
 * (another malformation, see above) or AD_EINVAL (fn stopped the walk).
 */
ad_err ad_otlp_scan_request(const uint8_t *data, size_t len, const char *id_key, ad_otlp_scan_fn fn,
                            void *arg, ad_otlp_scan_counts *counts);

/*
 * The sequence number of an asimdns.record_id ("<generation hex>-<sequence decimal>"), or
 * AD_EFORMAT when id is not of that form.
 */
ad_err ad_otlp_scan_record_seq(const char *id, size_t len, uint64_t *seq);

/*
 * A set of sequence numbers kept as sorted, disjoint, non-adjacent closed ranges: a receiver
 * checks that every record arrived with memory proportional to the gaps, not to the records
 * (in-order arrival keeps one range and adds in O(1)).
 */
typedef struct ad_seq_ranges {
    struct ad_seq_range {
        uint64_t lo, hi;
    } * r;
    size_t n, cap;
    uint64_t distinct;   /* numbers in the set */
    uint64_t duplicates; /* adds of a number already in the set */
} ad_seq_ranges;

void ad_seq_ranges_init(ad_seq_ranges *s);
void ad_seq_ranges_free(ad_seq_ranges *s);
/* Returns AD_OK (added or duplicate, counted) or AD_ENOMEM. */
ad_err ad_seq_ranges_add(ad_seq_ranges *s, uint64_t seq);
/* Numbers missing between the smallest and the largest in the set. */
uint64_t ad_seq_ranges_missing(const ad_seq_ranges *s);

/*
 * One request's sequence numbers, collected during its walk and added to a set only once the
 * request is known to be well-formed (the records of a refused request count as not received).
 */
typedef struct ad_seq_pending {
    uint64_t *seq;
    size_t n, cap;
    uint64_t no_id; /* records without a parsable record id */
    bool nomem;     /* a sequence number could not be kept */
} ad_seq_pending;

/* Forgets what the last request collected (keeps the memory). */
void ad_seq_pending_reset(ad_seq_pending *p);
/* An ad_otlp_scan_fn (arg: the ad_seq_pending); never stops the walk. */
int ad_seq_pending_collect(const char *id, size_t len, void *arg);
/* Adds what was collected to s: AD_OK, or AD_ENOMEM when some number was not kept. */
ad_err ad_seq_pending_commit(const ad_seq_pending *p, ad_seq_ranges *s);
void ad_seq_pending_free(ad_seq_pending *p);

#endif
