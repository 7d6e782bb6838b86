/* asimdns-capture: heartbeat, stop check and pacing shared by the sources. */
#include "capture/source.h"

#include "common/sdnotify.h"
#include "common/stop.h"
#include "common/timeutil.h"

#define NS_PER_SEC 1000000000ULL
/* A paced source that may not send yet naps this long before asking again. */
#define PACER_NAP_NS 200000ULL

void ad_capture_ctx_init(ad_capture_ctx *ctx, ad_ring_producer *ring, const ad_capture_config *cfg)
{
    ctx->ring = ring;
    ctx->cfg = cfg;
    uint32_t secs = cfg->heartbeat_seconds ? cfg->heartbeat_seconds : 1;
    ctx->heartbeat_interval_ns = (uint64_t)secs * NS_PER_SEC;
    ad_ring_producer_heartbeat(ring, ad_time_now_ns());
    ctx->next_heartbeat_mono = ad_time_mono_ns() + ctx->heartbeat_interval_ns;
}

bool ad_capture_tick(ad_capture_ctx *ctx)
{
    uint64_t now = ad_time_mono_ns();
    if (now >= ctx->next_heartbeat_mono) {
        ad_ring_producer_heartbeat(ctx->ring, ad_time_now_ns());
        ctx->next_heartbeat_mono = now + ctx->heartbeat_interval_ns;
        /* The systemd watchdog sees the same liveness as `asimdns status`. */
        (void)ad_sd_notify("WATCHDOG=1");
    }
    return ad_stop_requested();
}

void ad_pacer_init(ad_pacer *p, uint64_t rate)
{
    p->rate = rate;
    p->start_mono = ad_time_mono_ns();
    p->sent = 0;
}

uint64_t ad_pacer_allow(ad_pacer *p, uint64_t max)
{
    if (p->rate == 0) {
        p->sent += max;
        return max;
    }
    uint64_t elapsed = ad_time_mono_ns() - p->start_mono;
    /* Split to avoid overflow: whole seconds, then the fraction. */
    uint64_t due = elapsed / NS_PER_SEC * p->rate + elapsed % NS_PER_SEC * p->rate / NS_PER_SEC;
    if (due <= p->sent) {
        ad_sleep_ns(PACER_NAP_NS);
        return 0;
    }
    uint64_t n = due - p->sent;
    if (n > max)
        n = max;
    p->sent += n;
    return n;
}
