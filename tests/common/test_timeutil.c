/*
 * asimdns: unit tests for common/timeutil.h (FILETIME and RFC 3339).
 *
 * Expected instants are worked out by hand: days since 1970-01-01 times 86400, e.g.
 * 2024-11-25 is 54 * 365 + 13 leap days + 329 = 20052 days -> 1732492800 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/timeutil.h"

#define NS 1000000000ULL

/* ---- FILETIME ---- */

static void test_filetime_epoch(void **state)
{
    assert_true(AD_FILETIME_UNIX_EPOCH == 116444736000000000ULL);
    uint64_t ns = 99;
    assert_int_equal(ad_filetime_to_unix_ns(116444736000000000ULL, &ns), AD_OK);
    assert_true(ns == 0);
    assert_int_equal(ad_filetime_to_unix_ns(116444736000000001ULL, &ns), AD_OK);
    assert_true(ns == 100);
    assert_true(ad_unix_ns_to_filetime(0) == 116444736000000000ULL);
}

static void test_filetime_below_epoch(void **state)
{
    uint64_t ns = 42;
    assert_int_equal(ad_filetime_to_unix_ns(116444735999999999ULL, &ns), AD_ERANGE);
    assert_int_equal(ad_filetime_to_unix_ns(0, &ns), AD_ERANGE);
    assert_true(ns == 42); /* untouched on error */
}

/* 2024-11-25T10:00:00.1234567Z: 17325288001234567 ticks after the epoch. */
static void test_filetime_known_instant(void **state)
{
    uint64_t ns = 0;
    assert_int_equal(ad_filetime_to_unix_ns(133770024001234567ULL, &ns), AD_OK);
    assert_true(ns == 1732528800123456700ULL);
    assert_true(ad_unix_ns_to_filetime(1732528800123456700ULL) == 133770024001234567ULL);
    /* sub-100 ns precision is truncated, not rounded */
    assert_true(ad_unix_ns_to_filetime(1732528800123456799ULL) == 133770024001234567ULL);
}

/* The largest FILETIME whose ns value fits u64: epoch + floor((2^64 - 1) / 100) ticks. */
static void test_filetime_overflow(void **state)
{
    uint64_t ns = 0;
    assert_int_equal(ad_filetime_to_unix_ns(300912176737095516ULL, &ns), AD_OK);
    assert_true(ns == 18446744073709551600ULL);
    assert_int_equal(ad_filetime_to_unix_ns(300912176737095517ULL, &ns), AD_ERANGE);
    assert_int_equal(ad_filetime_to_unix_ns(UINT64_MAX, &ns), AD_ERANGE);
}

/* ---- formatting ---- */

static void check_format(uint64_t ns, const char *expect)
{
    char buf[AD_RFC3339_MAX];
    memset(buf, 'x', sizeof(buf));
    size_t n = ad_time_format_rfc3339(ns, buf, sizeof(buf));
    assert_string_equal(buf, expect);
    assert_int_equal(n, strlen(expect));
}

static void test_format_epoch(void **state)
{
    check_format(0, "1970-01-01T00:00:00.000000000Z");
    check_format(1, "1970-01-01T00:00:00.000000001Z");
    check_format(86399 * NS + 999999999, "1970-01-01T23:59:59.999999999Z");
}

static void test_format_known_instant(void **state)
{
    check_format(1732528800123456700ULL, "2024-11-25T10:00:00.123456700Z");
    check_format(946684800 * NS, "2000-01-01T00:00:00.000000000Z");
}

/* 2024-02-29 = day 19782; 2000-02-29 = day 11016 (2000 is a leap year: divisible by 400). */
static void test_format_leap_days(void **state)
{
    check_format(1709164800 * NS, "2024-02-29T00:00:00.000000000Z");
    check_format(1709164800 * NS - 1, "2024-02-28T23:59:59.999999999Z");
    check_format(1709251200 * NS, "2024-03-01T00:00:00.000000000Z");
    check_format(951782400 * NS, "2000-02-29T00:00:00.000000000Z");
    check_format(1704067199 * NS, "2023-12-31T23:59:59.000000000Z");
}

/* 2100 is not a leap year: 2100-03-01 = day 47541 (4107542400 s) follows 02-28. */
static void test_format_year_2100(void **state)
{
    check_format(4102444800 * NS, "2100-01-01T00:00:00.000000000Z");
    check_format(4107542400 * NS, "2100-03-01T00:00:00.000000000Z");
    check_format(4107542400 * NS - 1, "2100-02-28T23:59:59.999999999Z");
}

/* 2^64 ns after the epoch is 2554-07-21T23:34:33.709551616Z. */
static void test_format_max(void **state)
{
    check_format(UINT64_MAX, "2554-07-21T23:34:33.709551615Z");
}

static void test_format_small_buffer(void **state)
{
    char buf[AD_RFC3339_MAX];
    assert_int_equal(ad_time_format_rfc3339(0, buf, AD_RFC3339_MAX - 1), 0);
    assert_int_equal(ad_time_format_rfc3339(0, buf, 0), 0);
    assert_true(AD_RFC3339_MAX >= 31); /* 30 characters and the NUL */
}

/* ---- parsing ---- */

static void check_parse(const char *text, uint64_t expect)
{
    uint64_t ns = 0;
    ad_err err = ad_time_parse_rfc3339(text, &ns);
    if (err != AD_OK)
        fail_msg("%s: %d", text, (int)err);
    if (ns != expect)
        fail_msg("%s: got %llu", text, (unsigned long long)ns);
}

static void check_parse_err(const char *text, ad_err expect)
{
    uint64_t ns = 77;
    ad_err err = ad_time_parse_rfc3339(text, &ns);
    if (err != expect)
        fail_msg("%s: got %d, want %d", text, (int)err, (int)expect);
    assert_true(ns == 77);
}

static void test_parse_basic(void **state)
{
    check_parse("1970-01-01T00:00:00Z", 0);
    check_parse("2024-11-25T10:00:00Z", 1732528800 * NS);
    check_parse("2024-11-25T10:00:00.123456700Z", 1732528800123456700ULL);
    check_parse("2024-02-29T00:00:00Z", 1709164800 * NS);
    check_parse("2100-03-01T00:00:00Z", 4107542400 * NS);
}

static void test_parse_fractions(void **state)
{
    check_parse("2024-11-25T10:00:00.1Z", 1732528800100000000ULL);
    check_parse("2024-11-25T10:00:00.1234567Z", 1732528800123456700ULL);
    check_parse("2024-11-25T10:00:00.000000001Z", 1732528800000000001ULL);
    /* digits beyond nanoseconds are dropped, not rounded */
    check_parse("2024-11-25T10:00:00.1234567899Z", 1732528800123456789ULL);
}

static void test_parse_offsets_and_case(void **state)
{
    check_parse("2024-11-25T12:00:00+02:00", 1732528800 * NS);
    check_parse("2024-11-25T05:30:00-04:30", 1732528800 * NS);
    check_parse("2024-11-25T10:00:00+00:00", 1732528800 * NS);
    check_parse("2024-11-26T00:30:00.5+14:30", 1732528800500000000ULL);
    check_parse("2024-11-25t10:00:00z", 1732528800 * NS);
    check_parse("2024-11-25 10:00:00Z", 1732528800 * NS);
}

static void test_parse_limits(void **state)
{
    check_parse("2554-07-21T23:34:33.709551615Z", UINT64_MAX);
    check_parse_err("2554-07-21T23:34:33.709551616Z", AD_ERANGE);
    check_parse_err("2555-01-01T00:00:00Z", AD_ERANGE);
    check_parse_err("1969-12-31T23:59:59Z", AD_ERANGE);
    check_parse_err("1970-01-01T00:00:00+00:01", AD_ERANGE); /* 1969 in UTC */
    check_parse("1970-01-01T00:00:00-00:01", 60 * NS);
}

static void test_parse_bad_ranges(void **state)
{
    check_parse_err("2024-13-01T00:00:00Z", AD_ERANGE);
    check_parse_err("2024-00-01T00:00:00Z", AD_ERANGE);
    check_parse_err("2024-01-00T00:00:00Z", AD_ERANGE);
    check_parse_err("2024-01-32T00:00:00Z", AD_ERANGE);
    check_parse_err("2024-04-31T00:00:00Z", AD_ERANGE);
    check_parse_err("2023-02-29T00:00:00Z", AD_ERANGE);
    check_parse_err("2100-02-29T00:00:00Z", AD_ERANGE);
    check_parse_err("2024-11-25T24:00:00Z", AD_ERANGE);
    check_parse_err("2024-11-25T10:60:00Z", AD_ERANGE);
    check_parse_err("2024-11-25T10:00:61Z", AD_ERANGE);
    check_parse_err("2024-11-25T10:00:00+24:00", AD_ERANGE);
    check_parse_err("2024-11-25T10:00:00+01:60", AD_ERANGE);
}

static void test_parse_bad_syntax(void **state)
{
    static const char *const bad[] = {
        "",
        "2024",
        "2024-11-25",
        "2024-11-25T10:00:00",
        "2024-11-25T10:00Z",
        "2024-11-25T10:00:00.Z",
        "2024-1-25T10:00:00Z",
        "24-11-25T10:00:00Z",
        "2024/11/25T10:00:00Z",
        "2024-11-25X10:00:00Z",
        "2024-11-25T10:00:00Zjunk",
        "2024-11-25T10:00:00Z ",
        " 2024-11-25T10:00:00Z",
        "2024-11-25T10:00:00+0200",
        "2024-11-25T10:00:00+02",
        "2024-11-25T10:00:00UTC",
        "2024-11-25T1a:00:00Z",
        "+2024-11-25T10:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check_parse_err(bad[i], AD_EFORMAT);
}

/* What the formatter writes, the parser reads back exactly. */
static void test_format_parse_round_trip(void **state)
{
    static const uint64_t values[] = {0, 1, 1732528800123456700ULL, 4107542400 * NS - 1,
                                      UINT64_MAX};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char buf[AD_RFC3339_MAX];
        assert_true(ad_time_format_rfc3339(values[i], buf, sizeof(buf)) > 0);
        check_parse(buf, values[i]);
    }
}

/* The clocks only need to be sane: after 2020 and monotonic. */
static void test_clocks(void **state)
{
    assert_true(ad_time_now_ns() > 1577836800 * NS);
    uint64_t a = ad_time_mono_ns();
    ad_sleep_ns(1000000);
    uint64_t b = ad_time_mono_ns();
    assert_true(b >= a + 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filetime_epoch),
        cmocka_unit_test(test_filetime_below_epoch),
        cmocka_unit_test(test_filetime_known_instant),
        cmocka_unit_test(test_filetime_overflow),
        cmocka_unit_test(test_format_epoch),
        cmocka_unit_test(test_format_known_instant),
        cmocka_unit_test(test_format_leap_days),
        cmocka_unit_test(test_format_year_2100),
        cmocka_unit_test(test_format_max),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_fractions),
        cmocka_unit_test(test_parse_offsets_and_case),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_parse_bad_ranges),
        cmocka_unit_test(test_parse_bad_syntax),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
