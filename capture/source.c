/* asimdns-capture: heartbeat and stop check shared by the sources. */
#include "capture/source.h"

#include "common/compiler.h"
#include "common/log.h"
#include "common/summary_line.h"
#include "common/sdnotify.h"
#include "common/stop.h"
#include "common/timeutil.h"

#define NS_PER_SEC 1000000000ULL

/* The summary line, in its order. */
static const ad_summary_item summary_items[] = {
    {"events in", {AD_CAP_EVENTS_IN, -1}, false},
    {"written", {AD_CAP_RECORDS_WRITTEN, -1}, false},
    {"dropped", {AD_CAP_DROPPED_RING_FULL, AD_CAP_DROPPED_TOO_LARGE}, false},
    {"decode errors", {AD_CAP_DECODE_ERRORS, -1}, false},
    {"ETW events lost", {AD_CAP_ETW_EVENTS_LOST, -1}, true},
};

static uint64_t ring_counter(const void *src, int idx)
{
    return ad_ring_producer_counter_get(src, (ad_capture_counter)idx);
}

void ad_capture_ctx_init(ad_capture_ctx *ctx, ad_ring_producer *ring, const ad_capture_config *cfg)
{
    ctx->ring = ring;
    ctx->cfg = cfg;
    uint32_t secs = cfg->heartbeat_seconds ? cfg->heartbeat_seconds : 1;
    ctx->heartbeat_interval_ns = (uint64_t)secs * NS_PER_SEC;
    ad_ring_producer_heartbeat(ring, ad_time_now_ns());
    ctx->next_heartbeat_mono = ad_time_mono_ns() + ctx->heartbeat_interval_ns;
    ctx->summary_interval_ns = (uint64_t)cfg->log.summary_seconds * NS_PER_SEC;
    ctx->next_summary_mono = ad_time_mono_ns() + ctx->summary_interval_ns;
    ctx->record_path = NULL;
    ad_summary_line_init(&ctx->summary, summary_items, AD_ARRAY_LEN(summary_items), ring_counter,
                         ring);
    ad_log_info("source %s started", ad_source_name(cfg->source.type));
}

/*
 * One line per period, also when nothing happened: an operator reading the log (journal or
 * Event Log) sees that the service is alive and what it did, without `asimdns status`.
 */
static void log_summary(ad_capture_ctx *ctx)
{
    char line[384];
    ad_summary_line_format(&ctx->summary, "summary", true, NULL, line, sizeof(line));
    ad_log_info("%s", line);
}

bool ad_capture_tick(ad_capture_ctx *ctx)
{
    uint64_t now = ad_time_mono_ns();
    if (now >= ctx->next_heartbeat_mono) {
        char msg[256] = "";
        if (ad_ring_producer_heartbeat_msg(ctx->ring, ad_time_now_ns(), msg, sizeof(msg)) !=
            AD_OK) /* a repair: counted by the ring, said here */
            ad_log_warn("ring: %s", msg);
        ctx->next_heartbeat_mono = now + ctx->heartbeat_interval_ns;
        /* The systemd watchdog sees the same liveness as `asimdns status`. */
        (void)ad_sd_notify("WATCHDOG=1");
        if (ctx->summary_interval_ns != 0 && now >= ctx->next_summary_mono) {
            log_summary(ctx);
            ctx->next_summary_mono = now + ctx->summary_interval_ns;
        }
    }
    return ad_stop_requested();
}
