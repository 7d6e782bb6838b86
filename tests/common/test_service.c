/*
 * asimdns tests: the OS-neutral service helpers (common/service.h) and the log sink
 * (common/log.h) the Windows Event Log hangs on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/service.h"
#include "tests/support/test_os.h"

static int fake_main_calls;
static int fake_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fake_main_calls++;
    return 0;
}

static const ad_service_info info = {
    .name = "asimdns-test",
    .display_name = "asimdns test",
    .description = "test",
    .default_account = "NT SERVICE\\asimdns-test",
    .privileges = "SeChangeNotifyPrivilege",
};

static void test_command_dispatch(void **state)
{
    (void)state;
    char a0[] = "prog", a1[] = "-c", a2[] = "x.yaml", s[] = "service", bogus[] = "bogus";
    char *plain[] = {a0, a1, a2, NULL};
    assert_int_equal(ad_service_command(3, plain, &info, fake_main), -1);
    char *only[] = {a0, NULL};
    assert_int_equal(ad_service_command(1, only, &info, fake_main), -1);
    /* `service` with an unknown subcommand is a usage error everywhere (POSIX: every
       subcommand, pointing at the systemd units). */
    char *bad[] = {a0, s, bogus, NULL};
    assert_int_equal(ad_service_command(3, bad, &info, fake_main), 2);
    assert_int_equal(fake_main_calls, 0);
    assert_false(ad_service_active());
}

/* Every usage error of install and remove is found before the service manager is asked (on
   POSIX every subcommand is one), so these change nothing on the system. */
static void test_install_usage_errors(void **state)
{
    (void)state;
    char existing[512];
    test_os_temp_path(existing, sizeof(existing), "test-service", ".yaml");
    FILE *f = fopen(existing, "wb");
    assert_non_null(f);
    fclose(f);
    char missing[600];
    snprintf(missing, sizeof(missing), "%s.missing", existing);
    char *const p = "prog", *const s = "service", *const in = "install", *const c = "-c";
    char *no_config[] = {p, s, in, "--start", "demand", NULL};
    char *bad_start[] = {p, s, in, "--start", "sometimes", c, existing, NULL};
    char *no_account[] = {p, s, in, c, existing, "--account", NULL};
    char *no_file[] = {p, s, in, c, missing, NULL};
    char *no_password[] = {p, s, in, c, existing, "--password-env", "ASIMDNS_TEST_UNSET", NULL};
    char *remove_extra[] = {p, s, "remove", "now", NULL};
    char **cases[] = {no_config, bad_start, no_account, no_file, no_password, remove_extra};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = 0;
        while (cases[i][argc] != NULL)
            argc++;
        assert_int_equal(ad_service_command(argc, cases[i], &info, fake_main), 2);
    }
    assert_int_equal(fake_main_calls, 0);
    remove(existing);
}

static void test_refuse_privileged(void **state)
{
    (void)state;
    assert_int_equal(ad_service_refuse_privileged("asimdns-test", true), -1);
    int rc = ad_service_refuse_privileged("asimdns-test", false);
    if (ad__service_privileged_identity() != NULL)
        assert_int_equal(rc, AD_SERVICE_EXIT_PRIVILEGED);
    else
        assert_int_equal(rc, -1);
}

static struct {
    int calls;
    ad_log_level level;
    char msg[256];
} seen;

static void sink(ad_log_level level, const char *msg, void *ctx)
{
    assert_ptr_equal(ctx, &seen);
    seen.calls++;
    seen.level = level;
    snprintf(seen.msg, sizeof(seen.msg), "%s", msg);
}

static void test_log_sink(void **state)
{
    (void)state;
    ad_log_init("test", AD_LOG_INFO, AD_LOG_JSON);
    ad_log_set_sink(sink, &seen);
    ad_log_debug("below the level %d", 1);
    assert_int_equal(seen.calls, 0);
    ad_log_warn("ring full: %s", "x");
    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.level, AD_LOG_WARN);
    /* The message alone: no time, tag or JSON framing. */
    assert_string_equal(seen.msg, "ring full: x");
    ad_log_set_sink(NULL, NULL);
    ad_log_error("after removal");
    assert_int_equal(seen.calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_dispatch),
        cmocka_unit_test(test_install_usage_errors),
        cmocka_unit_test(test_refuse_privileged),
        cmocka_unit_test(test_log_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
