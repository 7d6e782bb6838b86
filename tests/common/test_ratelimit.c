#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common/ratelimit.h"

static void first_line_passes_then_held_back_within_interval(void **state)
{
    (void)state;
    ad_ratelimit rl;
    ad_ratelimit_init(&rl, 1000);
    uint64_t held = 99;
    assert_true(ad_ratelimit_allow(&rl, 5000, &held));
    assert_int_equal(held, 0);
    assert_false(ad_ratelimit_allow(&rl, 5001, NULL));
    assert_false(ad_ratelimit_allow(&rl, 5999, NULL));
    assert_true(ad_ratelimit_allow(&rl, 6000, &held));
    assert_int_equal(held, 2);
    assert_false(ad_ratelimit_allow(&rl, 6500, NULL));
    assert_true(ad_ratelimit_allow(&rl, 9000, &held));
    assert_int_equal(held, 1);
}

static void time_zero_is_a_real_time(void **state)
{
    (void)state;
    ad_ratelimit rl;
    ad_ratelimit_init(&rl, 10);
    assert_true(ad_ratelimit_allow(&rl, 0, NULL));
    assert_false(ad_ratelimit_allow(&rl, 0, NULL));
    assert_true(ad_ratelimit_allow(&rl, 10, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_line_passes_then_held_back_within_interval),
        cmocka_unit_test(time_zero_is_a_real_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
