/*
 * asimdns-exporter: the threads that send batches while the pipeline encodes the next ones
 * (pipeline.h "Overlapped delivery").
 *
 * One lane = one thread + one transport of its own (its own connection or socket). The
 * pipeline hands a lane one finished batch at a time (ad_lanes_start); the lane compresses it
 * if its transport does (otlp_http, logs_ingestion gzip) and makes one attempt to send it, then
 * reports the outcome (ad_lanes_take). Policy stays with the pipeline thread: retries, counting,
 * logging and the commit. Counts a transport makes during an attempt are held in the lane and
 * handed over with the outcome, so only the pipeline thread writes the ring's counters.
 *
 * Every wait is bounded: the pipeline waits for outcomes in slices (ad_lanes_wait); a lane's
 * transport sees its tick hook return false once ad_lanes_abort was called, which ends a
 * running attempt within about AD_XPORT_TICK_MS (it reports RETRY); destroy joins the threads.
 * A lane waiting for a compression slot waits only for another lane's compression to end.
 */
#ifndef AD_EXPORTER_DELIVERY_LANES_H
#define AD_EXPORTER_DELIVERY_LANES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "exporter/transport.h"
#include "ipc/ring.h"

#define AD_LANES_MAX 16

/* One attempt's outcome. */
typedef struct ad_lane_outcome {
    unsigned lane;
    ad_err err; /* AD_OK: res says what happened; else a local failure (transport.h send) */
    ad_send_result res;
    uint64_t counts[AD_EXP__COUNT]; /* what the transport counted during the attempt */
} ad_lane_outcome;

typedef struct ad_lanes ad_lanes;

/*
 * Starts one thread per transport (n <= AD_LANES_MAX); takes over their tick, count and gate
 * hooks. At most compressors lanes compress at once (0 = no limit): compression is the CPU-heavy
 * part of an attempt, and more of it at once than there are cores only adds memory.
 */
ad_err ad_lanes_create(ad_xport *const *transports, unsigned n, unsigned compressors,
                       ad_lanes **out);

/* Aborts running attempts, joins the threads, gives the transports their hooks back (NULL). */
void ad_lanes_destroy(ad_lanes *l);

/* Whether lane i is free for a batch. */
bool ad_lanes_idle(ad_lanes *l, unsigned i);

/* Lane i (idle) sends data[len] (kept valid by the caller until the outcome is taken). */
void ad_lanes_start(ad_lanes *l, unsigned i, const uint8_t *data, size_t len, uint64_t batch_id);

/* Takes one finished attempt's outcome; false when none is waiting. */
bool ad_lanes_take(ad_lanes *l, ad_lane_outcome *out);

/* Waits until an outcome is waiting or timeout_ns passed. */
void ad_lanes_wait(ad_lanes *l, uint64_t timeout_ns);

/* Running and later attempts end at once (shutdown after the grace period). */
void ad_lanes_abort(ad_lanes *l);

#endif
