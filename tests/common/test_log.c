/* Unit tests for the leveled logger: level filtering, text and JSON line formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "tests/support/test_os.h"

static char captured[4096];

/* Runs the logger with stderr sent to a temporary file and returns what it wrote. */
static const char *capture(void (*fn)(void))
{
    char path[512];
    test_os_temp_path(path, sizeof(path), "test-log", ".txt");
    int saved = test_os_stderr_to(path);
    assert_true(saved >= 0);
    fn();
    test_os_stderr_restore(saved);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(captured, 1, sizeof(captured) - 1, f);
    captured[n] = '\0';
    fclose(f);
    remove(path);
    return captured;
}

static void log_text_lines(void)
{
    ad_log_init("capture", AD_LOG_INFO, AD_LOG_TEXT);
    ad_log_debug("hidden %d", 1);
    ad_log_info("ring '%s' attached", "main");
    ad_log_error("bad %s", "thing");
}

static void log_json_line(void)
{
    ad_log_init("exporter", AD_LOG_WARN, AD_LOG_JSON);
    ad_log_info("hidden");
    ad_log_warn("quote \" and\nnewline");
}

static void test_text_format_and_levels(void **state)
{
    (void)state;
    const char *out = capture(log_text_lines);
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, "Z capture info: ring 'main' attached\n"));
    assert_non_null(strstr(out, "Z capture error: bad thing\n"));
    /* Lines start with an RFC 3339 UTC time. */
    assert_int_equal(out[4], '-');
    assert_int_equal(out[10], 'T');
}

static void test_json_format_escapes(void **state)
{
    (void)state;
    const char *out = capture(log_json_line);
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, "{\"time\":\""));
    assert_non_null(strstr(out, "\",\"level\":\"warn\",\"process\":\"exporter\","
                                "\"message\":\"quote \\\" and\\nnewline\"}\n"));
}

static void test_level_names(void **state)
{
    (void)state;
    ad_log_level level;
    assert_true(ad_log_level_parse("debug", &level));
    assert_int_equal(level, AD_LOG_DEBUG);
    assert_true(ad_log_level_parse("off", &level));
    assert_int_equal(level, AD_LOG_OFF);
    assert_false(ad_log_level_parse("verbose", &level));
    assert_string_equal(ad_log_level_name(AD_LOG_WARN), "warn");
    assert_string_equal(ad_log_level_name((ad_log_level)42), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_format_and_levels),
        cmocka_unit_test(test_json_format_escapes),
        cmocka_unit_test(test_level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
