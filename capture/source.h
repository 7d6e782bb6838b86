/*
 * asimdns-capture: what every source shares: the ring, the configuration, the heartbeat and
 * stop check between events, and rate pacing (pacer.h).
 */
#ifndef AD_CAPTURE_SOURCE_H
#define AD_CAPTURE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/pacer.h"
#include "common/summary_line.h"
#include "config/capture_config.h"
#include "ipc/ring.h"

typedef struct ad_capture_ctx {
    ad_ring_producer *ring;
    const ad_capture_config *cfg;
    uint64_t heartbeat_interval_ns;
    uint64_t next_heartbeat_mono; /* monotonic ns of the next heartbeat */
    uint64_t summary_interval_ns; /* log.summary_seconds in ns; 0 = no summary line */
    uint64_t next_summary_mono;
    ad_summary_line summary; /* the counters at the last line (common/summary_line.h) */
    const char *record_path; /* --record FILE (sources with AD_SOURCE_RECORDS), or NULL */
} ad_capture_ctx;

/* Prepares ctx (no record_path), writes the first heartbeat and logs that the source starts. */
void ad_capture_ctx_init(ad_capture_ctx *ctx, ad_ring_producer *ring, const ad_capture_config *cfg);

/*
 * Called by sources between events (cheap: one clock read): writes the heartbeat when due and,
 * every log.summary_seconds, logs one line with the counters and their growth.
 * Returns true when the process should stop.
 */
bool ad_capture_tick(ad_capture_ctx *ctx);

/* The synthetic source: runs until stopped or cfg->source.synthetic.count events. */
ad_err ad_source_synthetic_run(ad_capture_ctx *ctx);

/*
 * The replay source: reads cfg->source.replay.file (looping when configured) at the configured
 * rate; malformed lines (NUL bytes and overlong lines included, each one line) are logged with
 * their line number and counted (replay_bad_lines), and stop the source only in strict mode
 * (AD_EFORMAT). Whatever the input (/dev/zero too), stop and the heartbeat are checked at least
 * every AD_LINE_CHUNK bytes. Looping over a file that gave no event is refused (AD_EEMPTY).
 */
ad_err ad_source_replay_run(ad_capture_ctx *ctx);

#endif
