/*
 * asimdns tests: hostile input stays bounded: size cap, alias bombs, deep nesting, node
 * count, over-long values, and tiny or missing error buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

static ad_capture_config cfg;

static void expect_error(const char *data, size_t len, const char *want)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    ad_err rc =
        ad_config_load_capture_mem("capture.yaml", data, len, test_getenv, &cfg, err, sizeof(err));
    assert_int_not_equal(rc, AD_OK);
    if (strstr(err, want) == NULL)
        fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_oversized_buffer(void **state)
{
    (void)state;
    size_t len = AD_CONFIG_MAX_FILE_BYTES + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, '#', len);
    expect_error(big, len, "capture.yaml:1:1: file larger than 1048576 bytes");
    free(big);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    static const char bomb[] = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                               "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                               "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                               "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                               "source: {type: etw, event_ids: *d}\n";
    expect_error(bomb, sizeof(bomb) - 1, "capture.yaml:1:4: anchors and aliases");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    char yaml[4096] = "";
    size_t n = 0;
    for (int depth = 0; depth < 12; depth++) {
        for (int i = 0; i < depth * 2; i++)
            yaml[n++] = ' ';
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "k%d:\n", depth);
    }
    expect_error(yaml, n, "nesting deeper than 10 levels");

    /* A million brackets stop at the depth limit, not at the end of the input. */
    size_t len = 1000000;
    char *brackets = malloc(len);
    assert_non_null(brackets);
    memset(brackets, '[', len);
    expect_error(brackets, len, "capture.yaml:1:11: nesting deeper than 10 levels");
    free(brackets);
}

static void test_node_count(void **state)
{
    (void)state;
    size_t cap = 200000, n = 0;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    n += (size_t)snprintf(yaml, cap, "source:\n  type: etw\n  event_ids: [");
    for (int i = 0; i < 30000; i++)
        n += (size_t)snprintf(yaml + n, cap - n, "%s1", i ? "," : "");
    n += (size_t)snprintf(yaml + n, cap - n, "]\n");
    expect_error(yaml, n, "too many YAML nodes");
    free(yaml);
}

static void test_long_values(void **state)
{
    (void)state;
    size_t len = 900000;
    char *yaml = malloc(len + 64);
    assert_non_null(yaml);
    int n = snprintf(yaml, 64, "source:\n  type: etw\n  session_name: ");
    memset(yaml + n, 'a', len);
    expect_error(yaml, (size_t)n + len, "capture.yaml:3:17: 'source.session_name' is longer than");
    /* A long unknown key is quoted only in part... */
    n = snprintf(yaml, 64, "source:\n  type: etw\n  ");
    memset(yaml + n, 'k', 1000);
    memcpy(yaml + n + 1000, ": 1\n", 4);
    char err[AD_CONFIG_ERR_MAX];
    assert_int_not_equal(ad_config_load_capture_mem("c.yaml", yaml, (size_t)n + 1004, test_getenv,
                                                    &cfg, err, sizeof(err)),
                         AD_OK);
    assert_non_null(strstr(err, "c.yaml:3:3: unknown key 'kkkk"));
    assert_non_null(strstr(err, "kkk...' in 'source'"));
    /* ...and YAML itself caps plain keys at 1024 characters. */
    memset(yaml + n, 'k', len);
    memcpy(yaml + n + len, ": 1\n", 4);
    assert_int_not_equal(ad_config_load_capture_mem("c.yaml", yaml, (size_t)n + len + 4,
                                                    test_getenv, &cfg, err, sizeof(err)),
                         AD_OK);
    assert_non_null(strstr(err, "YAML syntax error"));
    free(yaml);
}

static void test_small_error_buffers(void **state)
{
    (void)state;
    static const char yaml[] = "source:\n  type: etw\n  levle: 1\n";
    char err[8];
    memset(err, 'X', sizeof(err));
    assert_int_not_equal(ad_config_load_capture_mem("capture.yaml", yaml, sizeof(yaml) - 1,
                                                    test_getenv, &cfg, err, 5),
                         AD_OK);
    assert_string_equal(err, "capt");
    assert_int_equal(err[5], 'X'); /* nothing written past errlen */
    assert_int_not_equal(ad_config_load_capture_mem("capture.yaml", yaml, sizeof(yaml) - 1,
                                                    test_getenv, &cfg, NULL, 0),
                         AD_OK);
    /* NULL data of length 0 is an empty file. */
    char full[AD_CONFIG_ERR_MAX];
    assert_int_not_equal(
        ad_config_load_capture_mem("capture.yaml", NULL, 0, test_getenv, &cfg, full, sizeof(full)),
        AD_OK);
    assert_non_null(strstr(full, "empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oversized_buffer), cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_deep_nesting),     cmocka_unit_test(test_node_count),
        cmocka_unit_test(test_long_values),      cmocka_unit_test(test_small_error_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
