/* asimdns-capture: the synthetic source (seeded generator -> ring). */
#include "capture/emit.h"
#include "capture/source.h"
#include "capture/source_table.h"
#include "capture/synthetic.h"
#include "common/log.h"
#include "common/timeutil.h"

/* Events generated between two heartbeat/stop checks. */
#define SYNTH_BURST 256

ad_err ad_source_synthetic_run(ad_capture_ctx *ctx)
{
    const ad_capture_source *src = &ctx->cfg->source;
    static const ad_synth_mix mixes[] = {[AD_MIX_DNS_SERVER] = AD_SYNTH_DNS_SERVER,
                                         [AD_MIX_DNS_CLIENT] = AD_SYNTH_DNS_CLIENT,
                                         [AD_MIX_BOTH] = AD_SYNTH_BOTH};
    ad_synth gen;
    ad_synth_init(&gen, src->synthetic.seed, mixes[src->synthetic.mix]);
    ad_pacer pacer;
    ad_pacer_init(&pacer, src->synthetic.rate);
    uint64_t limit = src->synthetic.count, made = 0;
    ad_log_info("synthetic source: seed %llu, rate %llu/s, count %llu",
                (unsigned long long)src->synthetic.seed, (unsigned long long)src->synthetic.rate,
                (unsigned long long)limit);
    while (!ad_capture_tick(ctx)) {
        uint64_t want = SYNTH_BURST;
        if (limit != 0 && limit - made < want)
            want = limit - made;
        if (want == 0)
            break;
        uint64_t n = ad_pacer_allow(&pacer, want);
        if (n == 0)
            continue;
        /*
         * A paced burst holds the events due since the last one: each is stamped with its own
         * due time (wall clock = monotonic + the offset read now), as if sent one by one.
         */
        uint64_t wall = ad_time_now_ns();
        uint64_t to_wall = wall - ad_time_mono_ns(); /* modular: wall = mono + to_wall */
        uint64_t first = pacer.sent - n;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t t = pacer.rate != 0 ? ad_pacer_due_mono(&pacer, first + i) + to_wall : wall;
            ad_event ev;
            ad_synth_next(&gen, t, &ev);
            (void)ad_capture_emit(ctx->ring, &ev); /* drops are counted by the ring */
        }
        made += n;
    }
    ad_log_info("synthetic source: %llu events generated", (unsigned long long)made);
    return AD_OK;
}

static ad_err synthetic_run(ad_capture_ctx *ctx, void *state)
{
    (void)state;
    return ad_source_synthetic_run(ctx);
}

const ad_source_desc ad_source_synthetic = {
    .type = AD_SOURCE_SYNTHETIC,
    .name = "synthetic",
    .caps = AD_SOURCE_AVAILABLE,
    .run = synthetic_run,
};
