/*
 * asimdns tests: exporter/gather_wait.c. The pipeline's gathering sleep: as long as the caller
 * allows at a trickle, short after a quiet interval, bounded by the ring filling at the
 * measured rate, and "the ring's own wait" (0) for a flood into a small ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exporter/gather_wait.h"

#define MS 1000000ULL
#define MIB (1024ULL * 1024ULL)

/* 20k events/s of ~250 bytes into the default 256 MiB ring: sleep the whole cap (100 ms),
   about 10 wake-ups a second instead of one per 5 ms. */
static void test_trickle_sleeps_the_whole_cap(void **state)
{
    (void)state;
    ad_gather g = {0};
    uint64_t pos = 0, now = 1000 * MS;
    (void)ad_gather_slice(&g, now, pos, 256 * MIB, 100 * MS);
    for (int i = 0; i < 20; i++) {
        now += 100 * MS;
        pos += 2000 * 250; /* 2000 records in 100 ms */
        assert_int_equal(ad_gather_slice(&g, now, pos, 256 * MIB, 100 * MS), 100 * MS);
    }
    /* The cap the caller gives (time left to max_age, the next retry) is kept. */
    now += 100 * MS;
    pos += 2000 * 250;
    assert_int_equal(ad_gather_slice(&g, now, pos, 256 * MIB, 7 * MS), 7 * MS);
}

/* The first decision and one after an interval without records: at most the quiet poll. */
static void test_quiet_polls_briefly(void **state)
{
    (void)state;
    ad_gather g = {0};
    assert_int_equal(ad_gather_slice(&g, 5 * MS, 4096, 256 * MIB, 100 * MS), AD_GATHER_QUIET_NS);
    assert_int_equal(ad_gather_slice(&g, 105 * MS, 4096, 256 * MIB, 100 * MS), AD_GATHER_QUIET_NS);
    assert_int_equal(ad_gather_slice(&g, 125 * MS, 4096, 256 * MIB, 3 * MS), 3 * MS);
}

/* At the measured rate an eighth of the ring fills in 40 ms: the sleep ends before that. */
static void test_ring_fill_bounds_the_sleep(void **state)
{
    (void)state;
    ad_gather g = {0};
    (void)ad_gather_slice(&g, 0, 0, 8 * MIB, 100 * MS);
    /* 1 MiB (an eighth of 8 MiB) per 40 ms: 2.5 MiB in 100 ms. */
    uint64_t s = ad_gather_slice(&g, 100 * MS, 5 * MIB / 2, 8 * MIB, 100 * MS);
    assert_true(s >= 39 * MS && s <= 40 * MS);
}

/* A flood into a small ring (an eighth fills in well under a millisecond): 0, the ring's own
   wait; and back to sleeping when the rate falls. */
static void test_flood_uses_the_ring_wait(void **state)
{
    (void)state;
    ad_gather g = {0};
    (void)ad_gather_slice(&g, 0, 0, 1 * MIB, 100 * MS);
    assert_int_equal(ad_gather_slice(&g, 10 * MS, 20 * MIB, 1 * MIB, 100 * MS), 0);
    assert_int_equal(ad_gather_slice(&g, 110 * MS, 20 * MIB + 1000, 1 * MIB, 100 * MS), 100 * MS);
}

/* Huge rates and positions neither overflow nor wrap into a long sleep. */
static void test_extremes(void **state)
{
    (void)state;
    ad_gather g = {0};
    (void)ad_gather_slice(&g, 1, UINT64_MAX / 2, 1 * MIB, 100 * MS);
    assert_int_equal(ad_gather_slice(&g, 2, UINT64_MAX, 1 * MIB, 100 * MS), 0);
    /* A clock that did not move counts as no measurement. */
    assert_int_equal(ad_gather_slice(&g, 2, UINT64_MAX, 1 * MIB, 100 * MS), AD_GATHER_QUIET_NS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trickle_sleeps_the_whole_cap),
        cmocka_unit_test(test_quiet_polls_briefly),
        cmocka_unit_test(test_ring_fill_bounds_the_sleep),
        cmocka_unit_test(test_flood_uses_the_ring_wait),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
