/*
 * asimdns-exporter: the aggregation stage of the pipeline (config `aggregate:`, docs/CONFIG.md
 * "aggregate"), between the ASIM mapping and the batch:
 *
 *   mapped record --add--> open rows (exporter/aggregate.h) --next/taken--> batch
 *
 * A row leaves when its window is over, when max_keys rows are open and a new one must open
 * (the oldest leaves early: an eviction), or at shutdown (flush). A row that left but did not
 * fit into the batch is held and offered again first.
 *
 * At-least-once: every row keeps the last view consumed before its first record. The pipeline
 * commits through ad_agg_stage_gate, which never lets the cursor (or the spool's
 * acknowledgement) pass the first record of a held or open row. Rows leave in the order they
 * opened, which is ring order, so the gate only moves forward. After a crash the exporter
 * reads again from the oldest open row's first record: the duplicates are at most the records
 * read since then (about one window) plus the batch in flight.
 */
#ifndef AD_EXPORTER_AGGREGATE_STAGE_H
#define AD_EXPORTER_AGGREGATE_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/record.h"
#include "config/exporter_config.h"
#include "exporter/aggregate.h"
#include "exporter/asim.h"
#include "ipc/ring.h"

typedef struct ad_agg_stage ad_agg_stage;

/* What one call did, for the pipeline's counters (ring cursor counters aggregate_*). */
typedef struct ad_agg_stage_counts {
    uint64_t records_in;
    uint64_t evictions;
    uint64_t rows_corrupt; /* a held row whose copy no longer maps (cannot happen) */
    uint64_t records_corrupt;
} ad_agg_stage_counts;

/* *out = NULL when cfg->enabled is false. AD_EINVAL, AD_ENOMEM. */
ad_err ad_agg_stage_create(const ad_config_aggregate *cfg, ad_agg_stage **out);
void ad_agg_stage_destroy(ad_agg_stage *st);

/*
 * Takes the mapped record of view v (its generation gen). before: the last view consumed
 * before v and not committed yet, or NULL when everything before v is committed. When
 * max_keys rows are open, the oldest is taken out first and held (an eviction). AD_EFULL
 * when a row is already held and another would have to leave: send the held one first.
 */
ad_err ad_agg_stage_add(ad_agg_stage *st, const ad_asim *mapped, const ad_ring_view *v,
                        const ad_ring_view *before, uint64_t gen, uint64_t now_ns,
                        ad_agg_stage_counts *c);

/*
 * The next row to send: the held one, else the oldest row if it is due (flush: due or not).
 * Maps it into *out (string views into *ev and out) with EventCount, EventStartTime and
 * EventEndTime of the row; *count = its EventCount. The row stays held (offered again) until
 * ad_agg_stage_taken. false when there is none.
 */
bool ad_agg_stage_next(ad_agg_stage *st, uint64_t now_ns, bool flush, const ad_asim_host *host,
                       ad_event *ev, ad_asim *out, uint64_t *count, ad_agg_stage_counts *c);

/* The row ad_agg_stage_next gave went into the batch (or was given up). */
void ad_agg_stage_taken(ad_agg_stage *st);

/* No open and no held row: nothing consumed waits here. */
bool ad_agg_stage_empty(const ad_agg_stage *st);

/*
 * The commit allowed instead of last (the last view consumed): last itself when no row is
 * open or held, else the view before the oldest row's first record. false when nothing may
 * be committed (the oldest row's first record follows the committed cursor directly).
 */
bool ad_agg_stage_gate(const ad_agg_stage *st, const ad_ring_view *last, ad_ring_view *out);

void ad_agg_stage_get_stats(const ad_agg_stage *st, ad_agg_stats *s);

#endif
