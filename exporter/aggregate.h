/*
 * asimdns-exporter: aggregation of identical events into one row (ASIM EventCount,
 * EventStartTime, EventEndTime).
 *
 * Records whose mapped ASIM values are equal on the key attributes (default: EventType,
 * EventSubType, DnsQuery, DnsQueryType, SrcIpAddr, DvcIpAddr, EventResultDetails,
 * DnsResponseName; an attribute absent from both records counts as equal) and whose event
 * times lie within window_ns of the first one's become one row: the first record's values
 * with EventCount = n, EventStartTime = the earliest and EventEndTime = the latest event time.
 * A record at or after first + window starts a new row and closes the old one.
 *
 * Memory is bounded: at most max_keys open rows, each holding a copy of its first record.
 * When full, ad_agg_add refuses; the caller pops the oldest row (counted as an eviction) and
 * adds again. Rows are popped in the order they were opened, which is ring order: the ring
 * position of the oldest open row (ad_agg_oldest_pos) is as far as the consumer cursor may go
 * while rows are open (at-least-once: a record is only passed once its row was acknowledged).
 * Rows become due window_ns (monotonic) after they opened, or at once when closed.
 */
#ifndef AD_EXPORTER_AGGREGATE_H
#define AD_EXPORTER_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "exporter/asim.h"

#define AD_AGG_MAX_KEY_ATTRS 16

typedef struct ad_agg_opts {
    uint64_t window_ns;
    uint32_t max_keys;
    const char *const *key; /* attribute names; NULL = the default list */
    unsigned key_count;
} ad_agg_opts;

/* Where a row's first record came from, kept with the row: its ring position (pos), and for
   the consumer the point it may commit up to while the row is open (the record before it,
   when before_valid) and the generation of its record id. */
typedef struct ad_agg_mark {
    uint64_t pos;
    uint64_t before_pos, before_seq;
    bool before_valid;
    uint64_t gen;
} ad_agg_mark;

/* One row handed out by ad_agg_pop: rec (the first record's bytes) stays valid until the
   next call on the aggregator. */
typedef struct ad_agg_row {
    const void *rec;
    size_t len;
    uint64_t count;
    uint64_t first_ns, last_ns; /* event times (Unix ns) */
    uint64_t first_pos;         /* ring position of the row's first record (mark.pos) */
    ad_agg_mark mark;
} ad_agg_row;

typedef struct ad_agg_stats {
    uint64_t records_in; /* records added */
    uint64_t rows_out;   /* rows popped */
    uint64_t evictions;  /* rows popped early because max_keys rows were open */
    uint64_t open_rows;  /* rows open now */
    uint64_t bytes_held; /* bytes of record copies and keys held now */
} ad_agg_stats;

typedef struct ad_agg ad_agg;

/* The default key attribute names (count in *count). */
const char *const *ad_agg_default_key(unsigned *count);

/* AD_EINVAL for a zero window or max_keys, or more than AD_AGG_MAX_KEY_ATTRS names. */
ad_err ad_agg_create(const ad_agg_opts *opts, ad_agg **out);
void ad_agg_destroy(ad_agg *a);

/*
 * Adds the record rec[len] at ring position mark->pos, mapped into *mapped, arriving at monotonic
 * now_ns. Returns AD_OK, AD_EFULL when max_keys rows are open and the record opens a new one
 * (pop the oldest, then add again), AD_EINVAL for a record above AD_RECORD_MAX_SIZE, AD_ENOMEM.
 */
ad_err ad_agg_add(ad_agg *a, const ad_asim *mapped, const void *rec, size_t len,
                  const ad_agg_mark *mark, uint64_t now_ns);

/* How ad_agg_pop chooses. */
typedef enum ad_agg_pop_mode {
    AD_AGG_POP_DUE = 0, /* the oldest row if it is due (window over or closed) */
    AD_AGG_POP_OLDEST,  /* the oldest row, due or not (memory bound: counted as an eviction) */
    AD_AGG_POP_ANY,     /* the oldest row, due or not, not counted (shutdown flush) */
} ad_agg_pop_mode;

/* Pops one row into *row; false when there is none (of that mode). */
bool ad_agg_pop(ad_agg *a, uint64_t now_ns, ad_agg_pop_mode mode, ad_agg_row *row);

/* The ring position of the oldest open row's first record; false when no row is open. */
bool ad_agg_oldest_pos(const ad_agg *a, uint64_t *pos);
/* The oldest open row's mark, or NULL when no row is open. */
const ad_agg_mark *ad_agg_oldest_mark(const ad_agg *a);

void ad_agg_get_stats(const ad_agg *a, ad_agg_stats *st);

#endif
