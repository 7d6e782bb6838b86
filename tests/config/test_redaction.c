/*
 * asimdns tests: secrets (header values from the file, headers_file and the environment)
 * never appear in a dump, in --check output or in an error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

#define P "OTEL_EXPORTER_OTLP_"

static ad_exporter_config cfg;
static test_dump dump;

static void test_dump_redacts_every_header_source(void **state)
{
    (void)state;
    static const char hf[] = "X-From-File: file-s3cret\n";
    const char *path = test_write_file("redact-headers.txt", hf, sizeof(hf) - 1);
    char yaml[1400];
    snprintf(yaml, sizeof(yaml),
             "otlp_http:\n  endpoint: https://collector.example.com\n"
             "  headers:\n    Authorization: \"Bearer yaml-s3cret\"\n  headers_file: %s\n"
             "resource:\n  attributes:\n    team: dns\n",
             path);
    static const char *const env[] = {P "HEADERS=X-From-Env=env-s3cret", NULL};
    char err[AD_CONFIG_ERR_MAX];
    test_env_set(env);
    assert_int_equal(test_load_exporter(yaml, &cfg, err, sizeof(err)), AD_OK);
    test_env_set(NULL);
    assert_int_equal(cfg.otlp_http.header_count, 3);

    memset(&dump, 0, sizeof(dump));
    ad_config_dump_exporter(&cfg, test_dump_line, &dump);
    assert_null(strstr(dump.text, "s3cret"));
    assert_non_null(strstr(dump.text, "otlp_http.headers.Authorization: <redacted>\n"));
    assert_non_null(strstr(dump.text, "otlp_http.headers.X-From-File: <redacted>\n"));
    assert_non_null(strstr(dump.text, "otlp_http.headers.X-From-Env: <redacted>\n"));
    /* The path of headers_file is not secret; non-secret maps print their values. */
    assert_non_null(strstr(dump.text, "otlp_http.headers_file: "));
    assert_non_null(strstr(dump.text, "resource.attributes.team: dns\n"));
    assert_non_null(strstr(dump.text, "otlp_http.url: https://collector.example.com/v1/logs (from "
                                      "otlp_http.endpoint)\n"));

    /* The --check output is the same dump. */
    const char *cfg_path = test_write_file("redact-exporter.yaml", yaml, strlen(yaml));
    static char out_text[65536];
    FILE *out = tmpfile(), *errf = tmpfile();
    test_env_set(env);
    assert_int_equal(ad_config_check_exporter(cfg_path, test_getenv, out, errf), 0);
    test_env_set(NULL);
    rewind(out);
    size_t n = fread(out_text, 1, sizeof(out_text) - 1, out);
    out_text[n] = '\0';
    assert_null(strstr(out_text, "s3cret"));
    assert_non_null(strstr(out_text, "<redacted>"));
    fclose(out);
    fclose(errf);
}

static void test_errors_never_quote_secrets(void **state)
{
    (void)state;
    char err[AD_CONFIG_ERR_MAX];
    static char yaml[8192];
    test_env_set(NULL);

    /* A control character inside a header value. */
    assert_int_not_equal(test_load_exporter("otlp_http:\n  headers:\n    A: \"s3cret\\x07\"\n",
                                            &cfg, err, sizeof(err)),
                         AD_OK);
    assert_null(strstr(err, "s3cret"));

    /* An over-long header value. */
    int n = snprintf(yaml, sizeof(yaml), "otlp_http:\n  headers:\n    A: s3cret");
    memset(yaml + n, 'x', 5000);
    yaml[n + 5000] = '\0';
    assert_int_not_equal(test_load_exporter(yaml, &cfg, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "'otlp_http.headers.A' is longer than 4095 bytes"));
    assert_null(strstr(err, "s3cret"));

    /* A header value where a mapping is expected: still no value in the message. */
    assert_int_not_equal(
        test_load_exporter("otlp_http:\n  headers: s3cret\n", &cfg, err, sizeof(err)), AD_OK);
    assert_null(strstr(err, "s3cret"));

    /* Environment headers. */
    static const char *const env[] = {P "HEADERS=ok=1,Authorization=s3cret%", NULL};
    test_env_set(env);
    assert_int_not_equal(test_load_exporter("ring: {name: x}\n", &cfg, err, sizeof(err)), AD_OK);
    test_env_set(NULL);
    assert_null(strstr(err, "s3cret"));
}

static void test_capture_dump_format(void **state)
{
    (void)state;
    static ad_capture_config cap;
    char err[AD_CONFIG_ERR_MAX];
    test_env_set(NULL);
    assert_int_equal(test_load_capture("source:\n  type: etw\n  provider: dns_client\n"
                                       "  event_ids: [3006, 3008]\n",
                                       &cap, err, sizeof(err)),
                     AD_OK);
    memset(&dump, 0, sizeof(dump));
    ad_config_dump_capture(&cap, test_dump_line, &dump);
    static const char *const lines[] = {
        "source.type: etw\n",
        "source.provider: Microsoft-Windows-DNS-Client\n",
        "source.provider_guid: \"{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}\"\n",
        "source.level: 5\n",
        "source.keywords: 0x8000000000000FFF\n",
        "source.event_ids: [3006, 3008]\n",
        "ring.size: 64MiB\n",
        "ring.data_mode: \"0640\"\n",
        "source.dnstap.max_frame_size: 256KiB\n",
        "heartbeat_seconds: 1\n",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        if (strstr(dump.text, lines[i]) == NULL)
            fail_msg("dump lacks '%s'", lines[i]);
    }
    /* Aliases are not printed twice. */
    assert_null(strstr(dump.text, "match_any_keyword"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_redacts_every_header_source),
        cmocka_unit_test(test_errors_never_quote_secrets),
        cmocka_unit_test(test_capture_dump_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
