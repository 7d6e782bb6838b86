/*
 * Unit tests for capture/pacer: the configured rate is kept exactly over time (late wake-ups
 * caught up, never ahead of the rate), a paced source wakes at most once per tick instead of
 * per event, every event's due time is spread as if sent one by one and never after its
 * emission, slow rates still return to the caller's stop check, rate 0 never sleeps and huge
 * rates do not overflow. One test drives the pacer on a simulated clock, one on the real one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/pacer.h"
#include "common/timeutil.h"

#define MS 1000000ULL
#define SEC (1000 * MS)
#define START (7 * SEC)

/* A source on a simulated clock: sleeps end up to jitter_ns late, each event costs cost_ns. */
typedef struct sim {
    uint64_t now, wakes, rng;
    uint64_t last_due;  /* due time of the last event sent */
    uint64_t max_delay; /* longest time between an event's due time and its emission */
} sim;

static uint64_t sim_jitter(sim *s, uint64_t jitter_ns)
{
    s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return jitter_ns ? (s->rng >> 33) % jitter_ns : 0;
}

static void sim_run(ad_pacer *p, sim *s, uint64_t until, uint64_t jitter_ns, uint64_t cost_ns)
{
    while (s->now < until) {
        uint64_t n = ad_pacer_allow_at(p, s->now, 256);
        if (n == 0) {
            uint64_t wake = ad_pacer_wake_mono(p, s->now);
            assert_true(wake > s->now);
            assert_true(wake - s->now <= AD_PACER_MAX_SLEEP_NS);
            s->wakes++;
            s->now = wake + sim_jitter(s, jitter_ns);
            continue;
        }
        for (uint64_t i = p->sent - n; i < p->sent; i++) {
            uint64_t due = ad_pacer_due_mono(p, i);
            assert_true(due <= s->now); /* never sent before its time */
            assert_true(due > s->last_due || (i == 0 && s->last_due == 0));
            s->last_due = due;
            if (s->now - due > s->max_delay)
                s->max_delay = s->now - due;
            s->now += cost_ns;
        }
    }
}

static void test_rate_exact_and_one_wake_per_tick(void **state)
{
    (void)state;
    ad_pacer p;
    ad_pacer_init_at(&p, 20000, START);
    sim s = {.now = START, .rng = 1};
    sim_run(&p, &s, START + 10 * SEC, 300000 /* sleeps end up to 0.3 ms late */, 100);
    uint64_t elapsed = s.now - START;
    uint64_t expected = elapsed * 20000 / SEC;
    /* Never ahead of the rate; behind by at most the last tick and its lateness. */
    assert_true(p.sent <= expected);
    assert_true(p.sent + 20000 * (AD_PACER_TICK_NS + 300000) / SEC + 256 >= expected);
    assert_true(p.sent >= 199000);
    /* Ticks, not events: 10 s / 10 ms = 1000 wake-ups, where one per event would be 200000. */
    assert_true(s.wakes <= 10 * SEC / AD_PACER_TICK_NS + 1);
    assert_true(s.wakes >= 10 * SEC / AD_PACER_TICK_NS / 2);
    /* An event leaves within a tick (plus the lateness) of its due time. */
    assert_true(s.max_delay <= AD_PACER_TICK_NS + 300000 + 256 * 100);
    /* Due times are spread 50 us apart, as if paced one by one. */
    assert_int_equal(ad_pacer_due_mono(&p, 0), START + 50000);
    assert_int_equal(ad_pacer_due_mono(&p, 1) - ad_pacer_due_mono(&p, 0), 50000);
    assert_int_equal(ad_pacer_due_mono(&p, 19999), START + SEC);
}

static void test_catches_up_after_a_stall(void **state)
{
    (void)state;
    ad_pacer p;
    ad_pacer_init_at(&p, 1000, START);
    /* Nobody asked for 2.5 s: everything due is allowed at once (in chunks of max). */
    uint64_t now = START + 2500 * MS, got = 0, n;
    while ((n = ad_pacer_allow_at(&p, now, 256)) != 0) {
        assert_true(n <= 256);
        got += n;
    }
    assert_int_equal(got, 2500);
    assert_int_equal(ad_pacer_allow_at(&p, now + MS - 1, 256), 0);
    assert_int_equal(ad_pacer_allow_at(&p, now + MS, 256), 1);
}

static void test_uneven_rates_stay_exact(void **state)
{
    (void)state;
    /* 3/s and 7777/s: due times round up, so what is due at t is exactly floor(t x rate). */
    const uint64_t rates[] = {3, 7777, 999999};
    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        ad_pacer p;
        ad_pacer_init_at(&p, rates[r], 0);
        for (uint64_t i = 0; i < 5000; i++) {
            uint64_t due = ad_pacer_due_mono(&p, i);
            ad_pacer q;
            ad_pacer_init_at(&q, rates[r], 0);
            assert_int_equal(ad_pacer_allow_at(&q, due, UINT64_MAX), i + 1);
            ad_pacer_init_at(&q, rates[r], 0);
            assert_int_equal(ad_pacer_allow_at(&q, due - 1, UINT64_MAX), i);
        }
    }
}

static void test_slow_rate_returns_to_stop_check(void **state)
{
    (void)state;
    ad_pacer p;
    ad_pacer_init_at(&p, 1, START); /* one event a second */
    assert_int_equal(ad_pacer_allow_at(&p, START, 10), 0);
    assert_int_equal(ad_pacer_wake_mono(&p, START), START + AD_PACER_MAX_SLEEP_NS);
    assert_int_equal(ad_pacer_wake_mono(&p, START + SEC - 1), START + SEC);
    assert_int_equal(ad_pacer_allow_at(&p, START + SEC, 10), 1);
}

static void test_rate_zero_and_huge(void **state)
{
    (void)state;
    ad_pacer p;
    ad_pacer_init_at(&p, 0, START);
    assert_int_equal(ad_pacer_allow(&p, 256), 256);
    assert_int_equal(ad_pacer_allow(&p, 256), 256);
    assert_int_equal(p.sleeps, 0);
    assert_int_equal(ad_pacer_wake_mono(&p, START + 5), START + 5);
    ad_pacer_init_at(&p, UINT64_MAX, START);
    assert_int_equal(p.rate, AD_PACER_MAX_RATE);
    assert_int_equal(ad_pacer_allow_at(&p, START + 1000 * SEC, UINT64_MAX), 1000 * SEC);
    assert_int_equal(ad_pacer_due_mono(&p, 1000 * SEC - 1), START + 1000 * SEC);
}

/*
 * The real clock: 6000 events at 20000/s take at least 0.3 s (never faster than the rate) and
 * cost a sleep per tick, not per event or per short nap.
 */
static void test_real_clock_rate_and_sleeps(void **state)
{
    (void)state;
    ad_pacer p;
    ad_pacer_init(&p, 20000);
    uint64_t t0 = p.start_mono, sent = 0;
    while (sent < 6000)
        sent += ad_pacer_allow(&p, 6000 - sent);
    uint64_t elapsed = ad_time_mono_ns() - t0;
    assert_true(elapsed >= 300 * MS);
    assert_true(elapsed < 30 * SEC); /* bounded even on a loaded machine */
    print_message("6000 events at 20000/s: %.1f ms, %llu sleeps\n", (double)elapsed / MS,
                  (unsigned long long)p.sleeps);
    assert_true(p.sleeps <= elapsed / AD_PACER_TICK_NS + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_exact_and_one_wake_per_tick),
        cmocka_unit_test(test_catches_up_after_a_stall),
        cmocka_unit_test(test_uneven_rates_stay_exact),
        cmocka_unit_test(test_slow_rate_returns_to_stop_check),
        cmocka_unit_test(test_rate_zero_and_huge),
        cmocka_unit_test(test_real_clock_rate_and_sleeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
