/*
 * asimdns-exporter: the spool stage of the pipeline (docs/SPOOL.md):
 *
 *   ring --pump--> spool (exporter/spool.h) --peek--> batches --> transport --ack--> spool
 *
 * The pump copies ring records into the spool and commits the ring cursor only after the
 * spool released them (written and synced per spool.fsync). The pipeline reads its records
 * from the spool (ring order, a spool id per record) and acknowledges delivered ones to the
 * spool. The pump also runs from the pipeline's heartbeat, so while a batch is retried or
 * the spool drains, new ring records keep moving to disk and the capture never waits.
 *
 * When the disk fails (the spool degrades), the stage drains what the spool can still give
 * and then hands out ring records directly, as without a spool (ring mode); every few seconds
 * it tries the disk again and returns to spooling at the next batch boundary.
 */
#ifndef AD_EXPORTER_SPOOL_STAGE_H
#define AD_EXPORTER_SPOOL_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "config/exporter_config.h"
#include "exporter/spool.h"
#include "ipc/ring.h"

/* The pump runs at most this often from the heartbeat (a forced pump ignores it). */
#define AD_SPOOL_PUMP_INTERVAL_NS (10ULL * 1000000ULL)
/* How often a degraded spool tries the disk again. */
#define AD_SPOOL_RECOVER_INTERVAL_NS (5ULL * 1000000000ULL)

typedef struct ad_spool_stage ad_spool_stage;

/* Opens cfg->spool (fs NULL = the OS files); the error is logged. */
ad_err ad_spool_stage_open(const ad_exporter_config *cfg, const ad_spool_fs *fs,
                           ad_spool_stage **out);
void ad_spool_stage_close(ad_spool_stage *st);

/* The ring now read (NULL: none); counts made while detached are added to it. */
void ad_spool_stage_attach(ad_spool_stage *st, ad_ring_consumer *ring);

/* Ring -> spool; without force at most every AD_SPOOL_PUMP_INTERVAL_NS. */
void ad_spool_stage_pump(ad_spool_stage *st, uint64_t mono_ns, uint64_t wall_ns, bool force);

/*
 * The pipeline's record source. boundary: nothing is consumed and unacknowledged, so the
 * stage may switch between spool and ring mode. Views' end_pos is the spool id in spool mode.
 */
void ad_spool_stage_peek(ad_spool_stage *st, ad_ring_view *views, size_t max, size_t *n,
                         bool boundary, uint64_t mono_ns, uint64_t wall_ns);
/* Everything up to last was delivered or given up. */
void ad_spool_stage_commit(ad_spool_stage *st, const ad_ring_view *last);
/* Nothing pending in the pipeline: ring mode releases pads and skipped bytes. */
void ad_spool_stage_commit_all(ad_spool_stage *st);
/* The ring generation of a view the last peek returned. */
uint64_t ad_spool_stage_generation(const ad_spool_stage *st, const ad_ring_view *v);

ad_spool *ad_spool_stage_spool(ad_spool_stage *st);

#endif
