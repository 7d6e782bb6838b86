/*
 * asimdns tests: OTEL_EXPORTER_OTLP_* handling: URL construction as in facts/otlp-logs.md
 * §2.5, logs-specific over generic, empty = unset, and our precedence rule: what
 * exporter.yaml sets wins, the environment fills in the rest.
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

#define P "OTEL_EXPORTER_OTLP_"

static ad_exporter_config cfg;

static void load_env_ok(const char *const *env, const char *yaml)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    test_env_set(env);
    ad_err rc = test_load_exporter(yaml, &cfg, err, sizeof(err));
    test_env_set(NULL);
    if (rc != AD_OK)
        fail_msg("load failed: %s", err);
}

/* Loads with env and expects a failure whose message starts with want and lacks secret. */
static void load_env_bad(const char *const *env, const char *yaml, const char *want,
                         const char *secret)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    test_env_set(env);
    ad_err rc = test_load_exporter(yaml, &cfg, err, sizeof(err));
    test_env_set(NULL);
    assert_int_not_equal(rc, AD_OK);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("error '%s' does not start with '%s'", err, want);
    if (secret != NULL)
        assert_null(strstr(err, secret));
}

static void test_url_construction_table(void **state)
{
    (void)state;
    /* The table of facts/otlp-logs.md §2.5, plus the neighbours of each row. */
    static const struct {
        const char *var;
        const char *url;
    } cases[] = {
        {P "ENDPOINT=http://collector:4318", "http://collector:4318/v1/logs"},
        {P "ENDPOINT=http://collector:4318/mycollector/",
         "http://collector:4318/mycollector/v1/logs"},
        {P "LOGS_ENDPOINT=http://collector:4318", "http://collector:4318/"},
        {P "LOGS_ENDPOINT=https://collector.example.com/v1/logs",
         "https://collector.example.com/v1/logs"},
        {P "ENDPOINT=http://collector:4318/", "http://collector:4318/v1/logs"},
        {P "ENDPOINT=http://collector:4318/base", "http://collector:4318/base/v1/logs"},
        {P "ENDPOINT=https://collector.example.com", "https://collector.example.com/v1/logs"},
        {P "LOGS_ENDPOINT=http://collector:4318/custom/path", "http://collector:4318/custom/path"},
        {P "LOGS_ENDPOINT=http://[::1]:4318", "http://[::1]:4318/"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *env[] = {cases[i].var, NULL};
        load_env_ok(env, "ring: {name: asimdns}\n");
        assert_string_equal(cfg.otlp_http.url, cases[i].url);
        /* The origin names the variable used. */
        size_t n = strcspn(cases[i].var, "=");
        assert_int_equal(strncmp(cfg.otlp_http.url_origin, cases[i].var, n), 0);
    }
}

static void test_logs_specific_overrides_generic(void **state)
{
    (void)state;
    const char *env[] = {P "ENDPOINT=http://generic:4318", P "LOGS_ENDPOINT=http://logs:4318/x",
                         NULL};
    load_env_ok(env, "ring: {name: asimdns}\n");
    assert_string_equal(cfg.otlp_http.url, "http://logs:4318/x");
    assert_string_equal(cfg.otlp_http.url_origin, P "LOGS_ENDPOINT");

    /* An empty variable counts as unset. */
    const char *env2[] = {P "LOGS_ENDPOINT=", P "ENDPOINT=http://generic:4318", NULL};
    load_env_ok(env2, "ring: {name: asimdns}\n");
    assert_string_equal(cfg.otlp_http.url, "http://generic:4318/v1/logs");

    const char *env3[] = {P "LOGS_TIMEOUT=250", P "TIMEOUT=7000", P "COMPRESSION=none",
                          P "LOGS_COMPRESSION=gzip", NULL};
    load_env_ok(env3, "ring: {name: asimdns}\n");
    assert_true(cfg.otlp_http.timeout_ms == 250);
    assert_int_equal(cfg.otlp_http.compression, AD_COMPRESSION_GZIP);
}

static void test_file_wins_over_environment(void **state)
{
    (void)state;
    const char *env[] = {P "LOGS_ENDPOINT=http://env:4318/v1/logs",
                         P "ENDPOINT=http://env:4318",
                         P "TIMEOUT=1234",
                         P "COMPRESSION=none",
                         P "HEADERS=Authorization=env-token,X-Env=1",
                         P "CERTIFICATE=/env/ca.pem",
                         NULL};
    load_env_ok(env, "otlp_http:\n  endpoint: http://file:4318\n  timeout: 3s\n"
                     "  compression: gzip\n  headers:\n    authorization: file-token\n"
                     "  tls:\n    ca_file: /file/ca.pem\n");
    assert_string_equal(cfg.otlp_http.url, "http://file:4318/v1/logs");
    assert_string_equal(cfg.otlp_http.url_origin, "otlp_http.endpoint");
    assert_true(cfg.otlp_http.timeout_ms == 3000);
    assert_int_equal(cfg.otlp_http.compression, AD_COMPRESSION_GZIP);
    assert_string_equal(cfg.otlp_http.tls.ca_file, "/file/ca.pem");
    /* Headers merge by name: the file's Authorization stays, X-Env is added. */
    assert_int_equal(cfg.otlp_http.header_count, 2);
    assert_string_equal(cfg.otlp_http.headers[0].name, "authorization");
    assert_string_equal(cfg.otlp_http.headers[0].value, "file-token");
    assert_string_equal(cfg.otlp_http.headers[1].name, "X-Env");
    assert_string_equal(cfg.otlp_http.headers[1].value, "1");

    /* logs_endpoint in the file also shuts out both endpoint variables. */
    load_env_ok(env, "otlp_http:\n  logs_endpoint: http://file:4318/ingest\n");
    assert_string_equal(cfg.otlp_http.url, "http://file:4318/ingest");

    /* A variable the file overrides is not even validated. */
    const char *bad[] = {P "ENDPOINT=ftp://nope", P "TIMEOUT=soon", NULL};
    load_env_ok(bad, "otlp_http:\n  endpoint: http://file:4318\n  timeout: 1s\n");
}

static void test_environment_fills_in(void **state)
{
    (void)state;
    const char *env[] = {P "ENDPOINT=https://env.example.com:443",
                         P "TIMEOUT=2500",
                         P "COMPRESSION=NONE",
                         P "PROTOCOL=http/protobuf",
                         P "CERTIFICATE=/env/ca.pem",
                         P "CLIENT_CERTIFICATE=/env/c.pem",
                         P "LOGS_CLIENT_KEY=/env/k.pem",
                         NULL};
    load_env_ok(env, "ring: {name: asimdns}\n");
    assert_string_equal(cfg.otlp_http.url, "https://env.example.com:443/v1/logs");
    assert_true(cfg.otlp_http.timeout_ms == 2500);
    assert_int_equal(cfg.otlp_http.compression, AD_COMPRESSION_NONE);
    assert_string_equal(cfg.otlp_http.tls.ca_file, "/env/ca.pem");
    assert_string_equal(cfg.otlp_http.tls.cert_file, "/env/c.pem");
    assert_string_equal(cfg.otlp_http.tls.key_file, "/env/k.pem");
}

static void test_headers_variable(void **state)
{
    (void)state;
    const char *env[] = {P "HEADERS= api-key = s%3Dcr%2Ct ,Tenant=a%20b,,", NULL};
    load_env_ok(env, "ring: {name: asimdns}\n");
    assert_int_equal(cfg.otlp_http.header_count, 2);
    assert_string_equal(cfg.otlp_http.headers[0].name, "api-key");
    assert_string_equal(cfg.otlp_http.headers[0].value, "s=cr,t");
    assert_string_equal(cfg.otlp_http.headers[1].name, "Tenant");
    assert_string_equal(cfg.otlp_http.headers[1].value, "a b");

    /* The logs-specific variable replaces the generic one as a whole. */
    const char *env2[] = {P "HEADERS=A=1,B=2", P "LOGS_HEADERS=C=3", NULL};
    load_env_ok(env2, "ring: {name: asimdns}\n");
    assert_int_equal(cfg.otlp_http.header_count, 1);
    assert_string_equal(cfg.otlp_http.headers[0].name, "C");

    /* headers_file and the variable merge the same way: file first. */
    const char *path = test_write_file("env-headers.txt", "X-Key: from-file\n", 17);
    char yaml[1200];
    snprintf(yaml, sizeof(yaml), "otlp_http:\n  headers_file: %s\n", path);
    const char *env3[] = {P "HEADERS=x-key=from-env,Y=2", NULL};
    load_env_ok(env3, yaml);
    assert_int_equal(cfg.otlp_http.header_count, 2);
    assert_string_equal(cfg.otlp_http.headers[0].value, "from-file");
    assert_string_equal(cfg.otlp_http.headers[1].name, "Y");
}

static void test_bad_variables(void **state)
{
    (void)state;
    const char *yaml = "ring: {name: asimdns}\n";
    const char *e1[] = {P "ENDPOINT=collector:4318", NULL};
    load_env_bad(e1, yaml, P "ENDPOINT: must start with http:// or https://", NULL);
    const char *e2[] = {P "LOGS_ENDPOINT=http://u:p4ss@h/v1/logs", NULL};
    load_env_bad(e2, yaml, P "LOGS_ENDPOINT: must not carry user info", "p4ss");
    const char *e3[] = {P "HEADERS=Authorization", NULL};
    load_env_bad(e3, yaml, P "HEADERS: entry 1 is not key=value", NULL);
    const char *e4[] = {P "HEADERS=a=1,Authorization=t0k%zz", NULL};
    load_env_bad(e4, yaml, P "HEADERS: entry 2 has a bad %-escape", "t0k");
    const char *e5[] = {P "LOGS_HEADERS=Authorization=t0k%0Aen", NULL};
    load_env_bad(e5, yaml, P "LOGS_HEADERS: entry 1: value of header 'Authorization'", "t0k");
    const char *e6[] = {P "HEADERS=Content-Length=5", NULL};
    load_env_bad(e6, yaml, P "HEADERS: entry 1: header name is a header the exporter", NULL);
    const char *e7[] = {P "HEADERS=A=1,a=2", NULL};
    load_env_bad(e7, yaml, P "HEADERS: entry 2: header 'a' is set twice", NULL);
    const char *e8[] = {P "TIMEOUT=10s", NULL};
    load_env_bad(e8, yaml, P "TIMEOUT: must be a whole number of milliseconds", NULL);
    const char *e9[] = {P "LOGS_TIMEOUT=0x10", NULL};
    load_env_bad(e9, yaml, P "LOGS_TIMEOUT: must be a whole number", NULL);
    const char *e10[] = {P "TIMEOUT=3600001", NULL};
    load_env_bad(e10, yaml, P "TIMEOUT: must be at most 3600000", NULL);
    const char *e10b[] = {P "TIMEOUT=0", NULL}; /* no unbounded wait */
    load_env_bad(e10b, yaml, P "TIMEOUT: must be at least 1", NULL);
    const char *e11[] = {P "COMPRESSION=zstd", NULL};
    load_env_bad(e11, yaml, P "COMPRESSION: must be gzip or none", NULL);
    const char *e12[] = {P "LOGS_PROTOCOL=grpc", NULL};
    load_env_bad(e12, yaml, P "LOGS_PROTOCOL: only http/protobuf is supported", NULL);
    const char *e13[] = {P "CLIENT_CERTIFICATE=/c.pem", NULL};
    load_env_bad(e13, yaml, "exporter.yaml:1:1: 'otlp_http.tls.cert_file' and", NULL);
}

static void test_negative_timeout_is_ignored(void **state)
{
    (void)state;
    /* The specification: warn and use the default. */
    const char *env[] = {P "TIMEOUT=-5", NULL};
    load_env_ok(env, "ring: {name: asimdns}\n");
    assert_true(cfg.otlp_http.timeout_ms == 10000);
}

static void test_only_for_otlp_http(void **state)
{
    (void)state;
    const char *env[] = {P "ENDPOINT=not a url", P "HEADERS=broken", P "PROTOCOL=grpc", NULL};
    load_env_ok(env, "exporter: {type: console}\n");
    load_env_ok(env, "exporter: {type: nng}\nnng: {url: \"tcp://127.0.0.1:5555\"}\n");
    assert_int_equal(cfg.otlp_http.header_count, 0);
}

static void test_process_environment(void **state)
{
    (void)state;
    const char *path = getenv("PATH");
    assert_ptr_equal(ad_config_process_env("PATH"), path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_construction_table),
        cmocka_unit_test(test_logs_specific_overrides_generic),
        cmocka_unit_test(test_file_wins_over_environment),
        cmocka_unit_test(test_environment_fills_in),
        cmocka_unit_test(test_headers_variable),
        cmocka_unit_test(test_bad_variables),
        cmocka_unit_test(test_negative_timeout_is_ignored),
        cmocka_unit_test(test_only_for_otlp_http),
        cmocka_unit_test(test_process_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
