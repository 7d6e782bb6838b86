/*
 * asimdns tests: scalar syntax of configuration values (numbers in hex and decimal, sizes,
 * durations, modes, GUIDs, decimals), the string checks and the line/column arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/cfg_input.h"
#include "config/cfg_text.h"
#include "config/cfg_value.h"

static void test_u64_hex_and_decimal(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(ad__cfg_parse_u64("0", &v));
    assert_int_equal(v, 0);
    assert_true(ad__cfg_parse_u64("63", &v));
    assert_int_equal(v, 63);
    assert_true(ad__cfg_parse_u64("0x3F", &v));
    assert_int_equal(v, 0x3F);
    assert_true(ad__cfg_parse_u64("0X3f", &v));
    assert_int_equal(v, 0x3F);
    assert_true(ad__cfg_parse_u64("0x8000000000000FFF", &v));
    assert_true(v == 0x8000000000000FFFULL);
    assert_true(ad__cfg_parse_u64("9223372036854779903", &v)); /* same value in decimal */
    assert_true(v == 0x8000000000000FFFULL);
    assert_true(ad__cfg_parse_u64("18446744073709551615", &v));
    assert_true(v == UINT64_MAX);
    assert_true(ad__cfg_parse_u64("0xFFFFFFFFFFFFFFFF", &v));
    assert_true(v == UINT64_MAX);
    assert_true(ad__cfg_parse_u64("0x0000000000000000001", &v)); /* leading zeros are fine */
    assert_int_equal(v, 1);

    static const char *const bad[] = {"",
                                      "-1",
                                      "+1",
                                      " 1",
                                      "1 ",
                                      "0x",
                                      "0xG",
                                      "1e3",
                                      "1.0",
                                      "18446744073709551616",
                                      "0x10000000000000000",
                                      "one",
                                      "0b1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ad__cfg_parse_u64(bad[i], &v))
            fail_msg("accepted '%s'", bad[i]);
    }
}

static void test_bool(void **state)
{
    (void)state;
    bool b;
    assert_true(ad__cfg_parse_bool("true", &b) && b);
    assert_true(ad__cfg_parse_bool("TRUE", &b) && b);
    assert_true(ad__cfg_parse_bool("False", &b) && !b);
    assert_false(ad__cfg_parse_bool("yes", &b));
    assert_false(ad__cfg_parse_bool("1", &b));
    assert_false(ad__cfg_parse_bool("", &b));
}

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t value;
    } good[] = {
        {"0", 0},
        {"4096", 4096},
        {"12B", 12},
        {"4KiB", 4096},
        {"64MiB", 64ULL << 20},
        {"64 MiB", 64ULL << 20},
        {"1GiB", 1ULL << 30},
        {"2TiB", 2ULL << 40},
        {"16777215TiB", 16777215ULL << 40},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        uint64_t v = 1;
        assert_int_equal(ad__cfg_parse_size(good[i].text, &v), AD_OK);
        assert_true(v == good[i].value);
    }
    static const char *const bad[] = {"",       "MiB", "64MB", "64mib", "64 ",  "64  MiB",
                                      "1.5MiB", "-1",  "64K",  "64KB",  "0x10", "64MiB "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v;
        if (ad__cfg_parse_size(bad[i], &v) != AD_EFORMAT)
            fail_msg("accepted size '%s'", bad[i]);
    }
    uint64_t v;
    assert_int_equal(ad__cfg_parse_size("16777216TiB", &v), AD_ERANGE);
    assert_int_equal(ad__cfg_parse_size("99999999999999999999", &v), AD_ERANGE);

    char buf[32];
    ad__cfg_format_size(64ULL << 20, buf, sizeof(buf));
    assert_string_equal(buf, "64MiB");
    ad__cfg_format_size(1536, buf, sizeof(buf));
    assert_string_equal(buf, "1536");
    ad__cfg_format_size(0, buf, sizeof(buf));
    assert_string_equal(buf, "0");
    ad__cfg_format_size(4096, buf, sizeof(buf));
    assert_string_equal(buf, "4KiB");
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t ms;
    } good[] = {
        {"0", 0},         {"0s", 0},       {"500ms", 500},         {"10s", 10000},   {"1m", 60000},
        {"1m30s", 90000}, {"2h", 7200000}, {"1h1m1s1ms", 3661001}, {"1500ms", 1500},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        uint64_t v = 7;
        assert_int_equal(ad__cfg_parse_duration_ms(good[i].text, &v), AD_OK);
        assert_true(v == good[i].ms);
    }
    static const char *const bad[] = {"",    "10",  "10x", "s",    "1.5s", "-1s",
                                      "10S", "1 s", "1d",  "10s ", "ms",   "1us"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v;
        if (ad__cfg_parse_duration_ms(bad[i], &v) != AD_EFORMAT)
            fail_msg("accepted duration '%s'", bad[i]);
    }
    uint64_t v;
    assert_int_equal(ad__cfg_parse_duration_ms("99999999999999999h", &v), AD_ERANGE);

    char buf[32];
    static const struct {
        uint64_t ms;
        const char *text;
    } fmt[] = {{0, "0s"}, {500, "500ms"}, {10000, "10s"}, {90000, "1m30s"}, {3600000, "1h"}};
    for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
        ad__cfg_format_duration(fmt[i].ms, buf, sizeof(buf));
        assert_string_equal(buf, fmt[i].text);
        assert_int_equal(ad__cfg_parse_duration_ms(buf, &v), AD_OK); /* round trip */
        assert_true(v == fmt[i].ms);
    }
}

static void test_modes(void **state)
{
    (void)state;
    uint32_t m;
    assert_true(ad__cfg_parse_mode("0640", &m));
    assert_int_equal(m, 0640);
    assert_true(ad__cfg_parse_mode("660", &m));
    assert_int_equal(m, 0660);
    assert_true(ad__cfg_parse_mode("0", &m));
    assert_int_equal(m, 0);
    assert_false(ad__cfg_parse_mode("0648", &m));
    assert_false(ad__cfg_parse_mode("4755", &m)); /* setuid bits make no sense here */
    assert_false(ad__cfg_parse_mode("00640", &m));
    assert_false(ad__cfg_parse_mode("", &m));
    assert_false(ad__cfg_parse_mode("rw-r-----", &m));
}

static void test_guid_format(void **state)
{
    (void)state;
    /* Parsing is common/dns_tables.h's; config prints GUIDs in dumps. */
    ad_guid g;
    char text[40];
    assert_true(ad_guid_parse("eb79061a-a566-4698-9119-3ed2807060e7", 36, &g));
    ad__cfg_format_guid(&g, text, sizeof(text));
    assert_string_equal(text, "{EB79061A-A566-4698-9119-3ED2807060E7}");
}

static void test_doubles(void **state)
{
    (void)state;
    double d;
    char buf[32];
    assert_true(ad__cfg_parse_double("1.5", &d));
    assert_true(d > 1.4999 && d < 1.5001);
    assert_true(ad__cfg_parse_double("2", &d));
    assert_true(d == 2.0);
    assert_true(ad__cfg_parse_double("0.25", &d));
    ad__cfg_format_double(d, buf, sizeof(buf));
    assert_string_equal(buf, "0.25");
    ad__cfg_format_double(1.5, buf, sizeof(buf));
    assert_string_equal(buf, "1.5");
    ad__cfg_format_double(10, buf, sizeof(buf));
    assert_string_equal(buf, "10");
    static const char *const bad[] = {"", ".5", "1.", "1,5", "-1", "1e3", "nan", "1.5x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ad__cfg_parse_double(bad[i], &d))
            fail_msg("accepted decimal '%s'", bad[i]);
    }
}

/* Runs a check on a copy (checks may normalize in place). */
static bool run_check(ad__cfg_check_fn fn, const char *text, char *out, size_t n)
{
    char why[128];
    snprintf(out, n, "%s", text);
    return fn(out, why, sizeof(why));
}

static void test_string_checks(void **state)
{
    (void)state;
    char buf[300];
    static const char *const urls_ok[] = {
        "http://localhost:4318", "https://collector.example.com/v1/logs", "HTTP://h/",
        "http://[::1]:4318/x/y", "http://10.0.0.1:80/otlp/v1/logs"};
    for (size_t i = 0; i < sizeof(urls_ok) / sizeof(urls_ok[0]); i++)
        assert_true(run_check(ad__cfg_check_http_url, urls_ok[i], buf, sizeof(buf)));
    static const char *const urls_bad[] = {
        "",           "localhost:4318", "ftp://h",        "http://",      "http://:80",
        "http://h:",  "http://h:0",     "http://h:65536", "http://u@h",   "http://h/a b",
        "http://h#f", "http://[::1",    "http://h/\"x\"", "https://h?q=1"};
    for (size_t i = 0; i < sizeof(urls_bad) / sizeof(urls_bad[0]); i++) {
        if (run_check(ad__cfg_check_http_url, urls_bad[i], buf, sizeof(buf)))
            fail_msg("accepted URL '%s'", urls_bad[i]);
    }

    assert_true(run_check(ad__cfg_check_nng_url, "tcp://127.0.0.1:5555", buf, sizeof(buf)));
    assert_true(run_check(ad__cfg_check_nng_url, "tls+tcp://relay:5555", buf, sizeof(buf)));
    assert_true(run_check(ad__cfg_check_nng_url, "ipc:///tmp/asimdns.ipc", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_nng_url, "ipc://", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_nng_url, "tcp://h", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_nng_url, "inproc://x", buf, sizeof(buf)));

    assert_true(run_check(ad__cfg_check_listen, "127.0.0.1:9464", buf, sizeof(buf)));
    assert_true(run_check(ad__cfg_check_listen, "[::1]:9464", buf, sizeof(buf)));
    assert_true(run_check(ad__cfg_check_listen, "", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_listen, ":9464", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_listen, "h:70000", buf, sizeof(buf)));

    assert_true(run_check(ad__cfg_check_domain, "*.Example.COM.", buf, sizeof(buf)));
    assert_string_equal(buf, "example.com");
    assert_true(run_check(ad__cfg_check_domain, ".corp.local", buf, sizeof(buf)));
    assert_string_equal(buf, "corp.local");
    assert_false(run_check(ad__cfg_check_domain, "a..b", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_domain, ".", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_domain, "a b.com", buf, sizeof(buf)));
    char longlabel[80];
    memset(longlabel, 'a', 64);
    memcpy(longlabel + 64, ".com", 5);
    assert_false(run_check(ad__cfg_check_domain, longlabel, buf, sizeof(buf)));

    assert_true(run_check(ad__cfg_check_header_name, "X-Api-Key", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_header_name, "content-length", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_header_name, "Bad:Name", buf, sizeof(buf)));

    assert_true(run_check(ad__cfg_check_ring_name, "asimdns-1.test_x", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_ring_name, "a/b", buf, sizeof(buf)));
    assert_false(run_check(ad__cfg_check_ring_name, "-x", buf, sizeof(buf)));
}

static void test_input_positions(void **state)
{
    (void)state;
    uint32_t line, column;
    char why[96];
    /* CRLF is one break; CR alone is a break; columns count characters. */
    static const char text[] = "a\r\nb\rc\n\xc3\xa9x";
    size_t len = sizeof(text) - 1;
    assert_true(ad__cfg_input_valid(text, len, &line, &column, why, sizeof(why)));
    ad__cfg_input_position(text, len, 3, &line, &column); /* 'b' */
    assert_int_equal(line, 2);
    assert_int_equal(column, 1);
    ad__cfg_input_position(text, len, 5, &line, &column); /* 'c' */
    assert_int_equal(line, 3);
    ad__cfg_input_position(text, len, 9, &line, &column); /* 'x' after a 2-byte character */
    assert_int_equal(line, 4);
    assert_int_equal(column, 2);
    assert_int_equal(ad__cfg_input_offset(text, len, 4, 2), 9);
    assert_int_equal(ad__cfg_input_offset(text, len, 9, 1), len);

    assert_false(ad__cfg_input_valid("ab\n\x7f", 4, &line, &column, why, sizeof(why)));
    assert_int_equal(line, 2);
    assert_int_equal(column, 1);
    assert_false(ad__cfg_input_valid("a\0b", 3, &line, &column, why, sizeof(why)));
    assert_int_equal(column, 2);
    /* Overlong encoding and a lone surrogate are not UTF-8. */
    assert_false(ad__cfg_input_valid("\xc0\xaf", 2, &line, &column, why, sizeof(why)));
    assert_false(ad__cfg_input_valid("\xed\xa0\x80", 3, &line, &column, why, sizeof(why)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64_hex_and_decimal),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_guid_format),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_string_checks),
        cmocka_unit_test(test_input_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
