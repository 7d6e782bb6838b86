/*
 * asimdns tests: every shipped example in config/examples loads cleanly through the file
 * API, and the --check helpers print OK + the effective configuration, or the error.
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

static ad_capture_config capcfg;
static ad_exporter_config expcfg;

static const char *example(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/config/examples/%s", AD_SOURCE_DIR, name);
    return path;
}

static void load_capture_example(const char *name)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    if (ad_config_load_capture(example(name), test_getenv, &capcfg, err, sizeof(err)) != AD_OK)
        fail_msg("%s: %s", name, err);
}

static void load_exporter_example(const char *name)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    if (ad_config_load_exporter(example(name), test_getenv, &expcfg, err, sizeof(err)) != AD_OK)
        fail_msg("%s: %s", name, err);
}

static void test_capture_examples(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_capture_example("capture-dns-server.yaml");
    assert_int_equal(capcfg.source.type, AD_SOURCE_ETW);
    assert_int_equal(capcfg.source.provider, AD_PROVIDER_DNS_SERVER);
    assert_true(capcfg.source.match_any_keyword == 0x3F);

    load_capture_example("capture-dns-client.yaml");
    assert_int_equal(capcfg.source.provider, AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(capcfg.source.level, 5);
    assert_true(capcfg.source.match_any_keyword == 0x8000000000000FFFULL);
    assert_int_equal(capcfg.source.event_id_count, 3);

    load_capture_example("capture-dnstap.yaml");
    assert_int_equal(capcfg.source.type, AD_SOURCE_DNSTAP);
    assert_string_equal(capcfg.ring.group, "asimdns-exporter");

    load_capture_example("capture-synthetic.yaml");
    assert_int_equal(capcfg.source.type, AD_SOURCE_SYNTHETIC);
    assert_true(capcfg.source.synthetic.seed == 42);
}

static void test_exporter_examples(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_exporter_example("exporter-otlp-http.yaml");
    assert_int_equal(expcfg.type, AD_EXPORTER_OTLP_HTTP);
    assert_string_equal(expcfg.otlp_http.url, "http://localhost:4318/v1/logs");
    assert_string_equal(expcfg.metrics.listen, "127.0.0.1:9464");

    load_exporter_example("exporter-nng.yaml");
    assert_int_equal(expcfg.type, AD_EXPORTER_NNG);
    assert_string_equal(expcfg.nng.url, "tcp://127.0.0.1:5555");

    load_exporter_example("exporter-console.yaml");
    assert_int_equal(expcfg.type, AD_EXPORTER_CONSOLE);
}

/* Reads a whole tmpfile back into buf. */
static void slurp(FILE *f, char *buf, size_t cap)
{
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
}

static void test_check_helpers(void **state)
{
    (void)state;
    static char out_text[65536], err_text[4096];
    static const char *const captures[] = {"capture-dns-server.yaml", "capture-dns-client.yaml",
                                           "capture-dnstap.yaml", "capture-synthetic.yaml"};
    static const char *const exporters[] = {"exporter-otlp-http.yaml", "exporter-nng.yaml",
                                            "exporter-console.yaml"};
    test_env_set(NULL);
    for (size_t i = 0; i < 7; i++) {
        FILE *out = tmpfile(), *err = tmpfile();
        assert_non_null(out);
        assert_non_null(err);
        int rc = i < 4 ? ad_config_check_capture(example(captures[i]), test_getenv, out, err)
                       : ad_config_check_exporter(example(exporters[i - 4]), test_getenv, out, err);
        slurp(out, out_text, sizeof(out_text));
        slurp(err, err_text, sizeof(err_text));
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out_text, ": OK\n"));
        assert_non_null(strstr(out_text, "log.level: "));
        assert_string_equal(err_text, "");
        fclose(out);
        fclose(err);
    }

    const char *bad = test_write_file("bad-capture.yaml", "source:\n  type: etw\n  lvl: 1\n", 28);
    FILE *out = tmpfile(), *err = tmpfile();
    assert_int_equal(ad_config_check_capture(bad, test_getenv, out, err), 1);
    slurp(out, out_text, sizeof(out_text));
    slurp(err, err_text, sizeof(err_text));
    assert_string_equal(out_text, "");
    char want[1200];
    snprintf(want, sizeof(want), "%s:3:3: unknown key 'lvl' in 'source'\n", bad);
    assert_string_equal(err_text, want);
    fclose(out);
    fclose(err);
}

static void test_file_errors(void **state)
{
    (void)state;
    char err[AD_CONFIG_ERR_MAX];
    char path[1024];
    snprintf(path, sizeof(path), "%s/does-not-exist.yaml", AD_TEST_TMP_DIR);
    assert_int_equal(ad_config_load_capture(path, test_getenv, &capcfg, err, sizeof(err)),
                     AD_ENOENT);
    assert_non_null(strstr(err, "does-not-exist.yaml: cannot open"));

    /* Exactly the limit loads; one byte more does not. */
    size_t limit = AD_CONFIG_MAX_FILE_BYTES;
    char *big = malloc(limit + 2);
    assert_non_null(big);
    static const char head[] = "source:\n  type: etw\n";
    memset(big, '#', limit + 1);
    memcpy(big, head, sizeof(head) - 1);
    big[limit - 1] = '\n';
    const char *p = test_write_file("limit.yaml", big, limit);
    assert_int_equal(ad_config_load_capture(p, test_getenv, &capcfg, err, sizeof(err)), AD_OK);
    big[limit] = '\n';
    p = test_write_file("over-limit.yaml", big, limit + 1);
    assert_int_equal(ad_config_load_capture(p, test_getenv, &capcfg, err, sizeof(err)), AD_ERANGE);
    assert_non_null(strstr(err, "over-limit.yaml:1:1: file larger than 1048576 bytes"));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_examples),
        cmocka_unit_test(test_exporter_examples),
        cmocka_unit_test(test_check_helpers),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
