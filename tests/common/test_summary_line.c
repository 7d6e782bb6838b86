#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/compiler.h"
#include "common/summary_line.h"

static uint64_t counters[4];

static uint64_t get(const void *src, int idx)
{
    assert_ptr_equal(src, counters);
    return ((const uint64_t *)src)[idx];
}

static const ad_summary_item items[] = {
    {"in", {0, -1}, false},
    {"dropped", {1, 2}, false}, /* two counters summed */
    {"lost", {3, -1}, true},    /* total only */
};

static void changes_since_the_previous_line(void **state)
{
    (void)state;
    memset(counters, 0, sizeof(counters));
    counters[0] = 5;
    ad_summary_line s;
    ad_summary_line_init(&s, items, AD_ARRAY_LEN(items), get, counters);
    counters[0] = 12;
    counters[1] = 2;
    counters[2] = 3;
    counters[3] = 7;
    char line[256];
    ad_summary_line_format(&s, "summary", true, "; receiver up", line, sizeof(line));
    assert_string_equal(line, "summary: 12 in (+7), 5 dropped (+5), 7 lost; receiver up");
    counters[0] = 13;
    ad_summary_line_format(&s, "summary", true, NULL, line, sizeof(line));
    assert_string_equal(line, "summary: 13 in (+1), 5 dropped (+0), 7 lost");
}

static void totals_leave_the_base_alone(void **state)
{
    (void)state;
    memset(counters, 0, sizeof(counters));
    ad_summary_line s;
    ad_summary_line_init(&s, items, AD_ARRAY_LEN(items), get, counters);
    counters[0] = 4;
    char line[256];
    ad_summary_line_format(&s, "detaching", false, NULL, line, sizeof(line));
    assert_string_equal(line, "detaching: 4 in, 0 dropped, 0 lost");
    ad_summary_line_format(&s, "summary", true, NULL, line, sizeof(line));
    assert_string_equal(line, "summary: 4 in (+4), 0 dropped (+0), 0 lost");
}

static void a_short_buffer_is_cut_and_terminated(void **state)
{
    (void)state;
    memset(counters, 0, sizeof(counters));
    ad_summary_line s;
    ad_summary_line_init(&s, items, AD_ARRAY_LEN(items), get, counters);
    char line[12];
    memset(line, 'x', sizeof(line));
    ad_summary_line_format(&s, "summary", true, "; tail", line, sizeof(line));
    assert_string_equal(line, "summary: 0 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changes_since_the_previous_line),
        cmocka_unit_test(totals_leave_the_base_alone),
        cmocka_unit_test(a_short_buffer_is_cut_and_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
