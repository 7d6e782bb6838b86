/*
 * asimdns tests: exporter/retry.c. Backoff bounds with the extreme and middle random values,
 * growth and cap, Retry-After (seconds and the three HTTP-date forms), max_elapsed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exporter/retry.h"

#define RND_MIN 0u
#define RND_MAX 0xffffffffu
#define RND_MID 0x80000000u

static ad_retry_policy policy(uint64_t initial, uint64_t max, double mult, double jitter,
                              uint64_t max_elapsed)
{
    ad_retry_policy p = {.initial_ms = initial,
                         .max_ms = max,
                         .multiplier = mult,
                         .jitter = jitter,
                         .max_elapsed_ms = max_elapsed};
    return p;
}

/* The Collector defaults (facts §3): 5 s, x1.5, +-50 %, 30 s cap. */
static void test_collector_defaults_sequence(void **state)
{
    (void)state;
    ad_retry_policy p = policy(5000, 30000, 1.5, 0.5, 0);
    ad_retry r;
    ad_retry_start(&r, &p, 0);
    /* Without jitter influence (middle random value) the waits are d = 5000 * 1.5^n, capped. */
    const uint64_t expect[] = {5000, 7500, 11250, 16875, 25312, 30000, 30000, 30000};
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        uint64_t wait;
        assert_true(ad_retry_next(&r, i * 1000, 0, RND_MID, &wait));
        assert_in_range(wait, expect[i] - 1, expect[i] + 1);
    }
    assert_int_equal(r.failures, 8);
}

/* Every wait lies in [d(1-j), d(1+j)] for the smallest and largest random values. */
static void test_jitter_bounds(void **state)
{
    (void)state;
    ad_retry_policy p = policy(1000, 8000, 2.0, 0.5, 0);
    ad_retry lo, hi;
    ad_retry_start(&lo, &p, 0);
    ad_retry_start(&hi, &p, 0);
    uint64_t d = 1000;
    for (int i = 0; i < 10; i++) {
        uint64_t wlo, whi;
        assert_true(ad_retry_next(&lo, 0, 0, RND_MIN, &wlo));
        assert_true(ad_retry_next(&hi, 0, 0, RND_MAX, &whi));
        assert_int_equal(wlo, d / 2);
        assert_in_range(whi, d * 3 / 2 - 1, d * 3 / 2);
        assert_true(wlo < whi);
        d = d * 2 > 8000 ? 8000 : d * 2;
    }
}

static void test_no_jitter_is_exact(void **state)
{
    (void)state;
    ad_retry_policy p = policy(100, 1000, 3.0, 0.0, 0);
    ad_retry r;
    ad_retry_start(&r, &p, 0);
    const uint64_t expect[] = {100, 300, 900, 1000, 1000};
    for (size_t i = 0; i < 5; i++) {
        uint64_t wait;
        assert_true(ad_retry_next(&r, 0, 0, RND_MAX, &wait));
        assert_int_equal(wait, expect[i]);
    }
}

/* Retry-After raises the wait, never lowers it; absurd values are capped. */
static void test_retry_after_max(void **state)
{
    (void)state;
    ad_retry_policy p = policy(2000, 30000, 1.5, 0.0, 0);
    ad_retry r;
    ad_retry_start(&r, &p, 0);
    uint64_t wait;
    assert_true(ad_retry_next(&r, 0, 10000, RND_MID, &wait));
    assert_int_equal(wait, 10000); /* server asked for more than the backoff */
    assert_true(ad_retry_next(&r, 0, 500, RND_MID, &wait));
    assert_int_equal(wait, 3000); /* backoff is larger: it wins */
    assert_true(ad_retry_next(&r, 0, UINT64_MAX / 2, RND_MID, &wait));
    assert_int_equal(wait, AD_RETRY_AFTER_CAP_MS);
}

/* max_elapsed: give up when the next attempt would start after it (facts §2.3). */
static void test_max_elapsed(void **state)
{
    (void)state;
    ad_retry_policy p = policy(1000, 1000, 1.0, 0.0, 2500);
    ad_retry r;
    ad_retry_start(&r, &p, 10000);
    uint64_t wait;
    assert_true(ad_retry_next(&r, 10000, 0, RND_MID, &wait));  /* next at 11000 */
    assert_true(ad_retry_next(&r, 11000, 0, RND_MID, &wait));  /* next at 12000 */
    assert_false(ad_retry_next(&r, 12000, 0, RND_MID, &wait)); /* 13000 > 12500 */
    assert_int_equal(wait, 1000);
    /* 0 = forever. */
    p.max_elapsed_ms = 0;
    ad_retry_start(&r, &p, 0);
    assert_true(ad_retry_next(&r, UINT64_MAX / 4, 0, RND_MID, &wait));
}

static void test_start_resets(void **state)
{
    (void)state;
    ad_retry_policy p = policy(100, 10000, 2.0, 0.0, 0);
    ad_retry r;
    ad_retry_start(&r, &p, 0);
    uint64_t wait;
    for (int i = 0; i < 5; i++)
        assert_true(ad_retry_next(&r, 0, 0, 0, &wait));
    assert_int_equal(wait, 1600);
    ad_retry_start(&r, &p, 0);
    assert_true(ad_retry_next(&r, 0, 0, 0, &wait));
    assert_int_equal(wait, 100);
    assert_int_equal(r.failures, 1);
}

static void test_policy_from_config(void **state)
{
    (void)state;
    static ad_exporter_config cfg;
    cfg.retry.initial_interval_ms = 5000;
    cfg.retry.max_interval_ms = 30000;
    cfg.retry.max_elapsed_ms = 0;
    cfg.retry.multiplier = 1.5;
    cfg.retry.jitter = 0.5;
    ad_retry_policy p;
    ad_retry_policy_from_config(&p, &cfg);
    assert_int_equal(p.initial_ms, 5000);
    assert_int_equal(p.max_ms, 30000);
    assert_int_equal(p.max_elapsed_ms, 0);
    assert_true(p.multiplier == 1.5 && p.jitter == 0.5);
}

/* ---- Retry-After ------------------------------------------------------------------------ */

/* 1994-11-06T08:49:37Z, the RFC 7231 example date. */
#define EXAMPLE_S 784111777ULL

static void test_retry_after_seconds(void **state)
{
    (void)state;
    uint64_t d;
    assert_int_equal(ad_retry_after_parse("120", 0, &d), AD_OK);
    assert_int_equal(d, 120000);
    assert_int_equal(ad_retry_after_parse(" 0 ", 0, &d), AD_OK);
    assert_int_equal(d, 0);
    assert_int_equal(ad_retry_after_parse("99999999999999999999999", 0, &d), AD_OK);
    assert_true(d > 0);
    assert_int_equal(ad_retry_after_parse("", 0, &d), AD_EFORMAT);
    assert_int_equal(ad_retry_after_parse("-5", 0, &d), AD_EFORMAT);
    assert_int_equal(ad_retry_after_parse("1.5", 0, &d), AD_EFORMAT);
    assert_int_equal(ad_retry_after_parse("12abc", 0, &d), AD_EFORMAT);
    assert_int_equal(ad_retry_after_parse(NULL, 0, &d), AD_EFORMAT);
}

static void test_retry_after_dates(void **state)
{
    (void)state;
    uint64_t d;
    uint64_t now_ms = (EXAMPLE_S - 30) * 1000;
    assert_int_equal(ad_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now_ms, &d), AD_OK);
    assert_int_equal(d, 30000);
    assert_int_equal(ad_retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", now_ms, &d), AD_OK);
    assert_int_equal(d, 30000);
    assert_int_equal(ad_retry_after_parse("Sun Nov  6 08:49:37 1994", now_ms, &d), AD_OK);
    assert_int_equal(d, 30000);
    /* In the past: retry now. */
    assert_int_equal(
        ad_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", (EXAMPLE_S + 99) * 1000, &d), AD_OK);
    assert_int_equal(d, 0);
    /* A leap day and a date after 2038. */
    assert_int_equal(ad_retry_after_parse("Thu, 29 Feb 2024 00:00:00 GMT", 0, &d), AD_OK);
    assert_int_equal(d, 1709164800ULL * 1000);
    assert_int_equal(ad_retry_after_parse("Fri, 01 Jan 2100 00:00:00 GMT", 0, &d), AD_OK);
    assert_int_equal(d, 4102444800ULL * 1000);
}

static void test_retry_after_bad_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Sun, 06 Nov 1994 08:49:37",       /* no GMT */
        "Sun, 06 Foo 1994 08:49:37 GMT",   /* month */
        "Sun, 06 Nov 1994 25:49:37 GMT",   /* hour */
        "Sun, 06 Nov 1994 08:49 GMT",      /* seconds missing */
        "Sun, 32 Nov 1994 08:49:37 GMT",   /* day */
        "Sun, 06 Nov 1994 08:49:37 GMT x", /* trailing text */
        "Su, 06 Nov 1994 08:49:37 GMT",    /* day name */
        "tomorrow",
        "Sun Nov  6 08:49:37",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t d = 7;
        if (ad_retry_after_parse(bad[i], 0, &d) != AD_EFORMAT)
            fail_msg("accepted '%s'", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collector_defaults_sequence),
        cmocka_unit_test(test_jitter_bounds),
        cmocka_unit_test(test_no_jitter_is_exact),
        cmocka_unit_test(test_retry_after_max),
        cmocka_unit_test(test_max_elapsed),
        cmocka_unit_test(test_start_resets),
        cmocka_unit_test(test_policy_from_config),
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_dates),
        cmocka_unit_test(test_retry_after_bad_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
