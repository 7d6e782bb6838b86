/* asimdns-capture: rate pacing by ticks (pacer.h). */
#include "capture/pacer.h"

#include "common/timeutil.h"

#define NS_PER_SEC 1000000000ULL

void ad_pacer_init_at(ad_pacer *p, uint64_t rate, uint64_t start_mono)
{
    p->rate = rate < AD_PACER_MAX_RATE ? rate : AD_PACER_MAX_RATE;
    p->start_mono = start_mono;
    p->sent = 0;
    p->sleeps = 0;
}

void ad_pacer_init(ad_pacer *p, uint64_t rate)
{
    ad_pacer_init_at(p, rate, ad_time_mono_ns());
}

/* Events due elapsed ns after the start: floor(elapsed x rate / 1 s), split against overflow. */
static uint64_t due_count(uint64_t rate, uint64_t elapsed)
{
    return elapsed / NS_PER_SEC * rate + elapsed % NS_PER_SEC * rate / NS_PER_SEC;
}

/* The smallest elapsed time at which due_count reaches k: ceil(k x 1 s / rate). */
static uint64_t time_of_count(uint64_t rate, uint64_t k)
{
    return k / rate * NS_PER_SEC + (k % rate * NS_PER_SEC + rate - 1) / rate;
}

uint64_t ad_pacer_allow_at(ad_pacer *p, uint64_t now_mono, uint64_t max)
{
    if (p->rate == 0) {
        p->sent += max;
        return max;
    }
    uint64_t elapsed = now_mono > p->start_mono ? now_mono - p->start_mono : 0;
    uint64_t due = due_count(p->rate, elapsed);
    if (due <= p->sent)
        return 0;
    uint64_t n = due - p->sent;
    if (n > max)
        n = max;
    p->sent += n;
    return n;
}

uint64_t ad_pacer_wake_mono(const ad_pacer *p, uint64_t now_mono)
{
    if (p->rate == 0)
        return now_mono;
    uint64_t next = time_of_count(p->rate, p->sent + 1); /* elapsed ns when the next is due */
    uint64_t grid = (next + AD_PACER_TICK_NS - 1) / AD_PACER_TICK_NS * AD_PACER_TICK_NS;
    uint64_t wake = p->start_mono + grid;
    if (wake <= now_mono) /* allow_at was not asked at now_mono: do not spin */
        wake = now_mono + 1;
    if (wake - now_mono > AD_PACER_MAX_SLEEP_NS)
        wake = now_mono + AD_PACER_MAX_SLEEP_NS;
    return wake;
}

uint64_t ad_pacer_allow(ad_pacer *p, uint64_t max)
{
    uint64_t now = ad_time_mono_ns();
    uint64_t n = ad_pacer_allow_at(p, now, max);
    if (n == 0 && p->rate != 0) {
        ad_sleep_ns(ad_pacer_wake_mono(p, now) - now);
        p->sleeps++;
    }
    return n;
}

uint64_t ad_pacer_due_mono(const ad_pacer *p, uint64_t index)
{
    if (p->rate == 0)
        return p->start_mono;
    return p->start_mono + time_of_count(p->rate, index + 1);
}
