/* Unit tests for the shared service command line (common/service_args.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/service_args.h"

static const char *record;
static bool allow;
static const ad_service_opt opts[] = {{.name = "--record", .value = &record},
                                      {.name = "--allow-root", .flag = &allow}};

static int parse(int argc, const char **argv, ad_service_args *args)
{
    record = NULL;
    allow = false;
    return ad_service_args_parse(argc, (char **)argv, "prog", "usage\n", opts, 2, args);
}

static void test_accepts_config_check_and_extras(void **state)
{
    (void)state;
    ad_service_args args;
    const char *argv[] = {"prog", "--check", "-c", "a.yaml", "--record", "out.txt"};
    assert_int_equal(parse(6, argv, &args), -1);
    assert_string_equal(args.config_path, "a.yaml");
    assert_true(args.check);
    assert_string_equal(record, "out.txt");
    const char *argv2[] = {"prog", "--config", "b.yaml"};
    assert_int_equal(parse(3, argv2, &args), -1);
    assert_string_equal(args.config_path, "b.yaml");
    assert_false(args.check);
    assert_null(record);
}

/* A switch takes no value: it may stand anywhere, also twice, and the next word stays an
 * argument of its own. */
static void test_switch(void **state)
{
    (void)state;
    ad_service_args args;
    const char *argv[] = {"prog", "--allow-root", "-c", "x.yaml", "--allow-root"};
    assert_int_equal(parse(5, argv, &args), -1);
    assert_true(allow);
    assert_string_equal(args.config_path, "x.yaml");
    const char *without[] = {"prog", "-c", "x.yaml"};
    assert_int_equal(parse(3, without, &args), -1);
    assert_false(allow);
    const char *before_c[] = {"prog", "--allow-root", "-c"};
    assert_int_equal(parse(3, before_c, &args), 2); /* -c still needs its value */
}

static void test_usage_errors_and_early_exits(void **state)
{
    (void)state;
    ad_service_args args;
    const char *none[] = {"prog"};
    assert_int_equal(parse(1, none, &args), 2);
    const char *unknown[] = {"prog", "-c", "a", "--bogus"};
    assert_int_equal(parse(4, unknown, &args), 2);
    const char *missing[] = {"prog", "-c", "a", "--record"};
    assert_int_equal(parse(4, missing, &args), 2);
    const char *version[] = {"prog", "--version"};
    assert_int_equal(parse(2, version, &args), 0);
    const char *help[] = {"prog", "-h"};
    assert_int_equal(parse(2, help, &args), 0);
}

static void test_seconds(void **state)
{
    (void)state;
    unsigned long long ns = 7;
    assert_true(ad_service_parse_seconds("30", &ns));
    assert_true(ns == 30000000000ULL);
    assert_true(ad_service_parse_seconds("0", &ns));
    assert_true(ns == 0);
    assert_false(ad_service_parse_seconds("", &ns));
    assert_false(ad_service_parse_seconds("1.5", &ns));
    assert_false(ad_service_parse_seconds("-1", &ns));
    assert_false(ad_service_parse_seconds("99999999999999", &ns));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_config_check_and_extras),
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_usage_errors_and_early_exits),
        cmocka_unit_test(test_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
