/*
 * asimdns tests: the logs_ingestion section of exporter.yaml (docs/CONFIG.md): required keys,
 * one secret source that is never the secret itself, https only for bearer-token targets,
 * the 1 MB request ceiling, defaults, and that --check's dump holds no secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

static ad_exporter_config cfg;

#define HEAD                                                                                       \
    "exporter: {type: logs_ingestion}\n"                                                           \
    "logs_ingestion:\n"                                                                            \
    "  endpoint: https://dce-1.westeurope-1.ingest.monitor.azure.com\n"                            \
    "  dcr_immutable_id: dcr-00112233445566778899aabbccddeeff\n"
#define SECRET_AUTH                                                                                \
    "  auth: {tenant_id: t-1, client_id: c-1, client_secret_env: ASIMDNS_LI_SECRET}\n"

static void load_ok(const char *yaml)
{
    test_exporter_ok(yaml, &cfg);
}

static void load_bad(const char *yaml, const char *expect)
{
    test_exporter_bad(yaml, &cfg, expect);
}

static void test_defaults(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok(HEAD SECRET_AUTH);
    assert_int_equal(cfg.type, AD_EXPORTER_LOGS_INGESTION);
    assert_string_equal(cfg.logs_ingestion.stream, "Custom-AsimDnsActivityLogs");
    assert_int_equal(cfg.logs_ingestion.compression, AD_COMPRESSION_GZIP);
    assert_true(cfg.logs_ingestion.max_request_bytes == 1000000);
    assert_true(cfg.logs_ingestion.timeout_ms == 30000);
    assert_int_equal(cfg.logs_ingestion.auth.method, AD_AZ_AUTH_CLIENT_SECRET);
    assert_int_equal(cfg.logs_ingestion.auth.cloud, AD_AZ_CLOUD_PUBLIC);
    assert_true(cfg.logs_ingestion.auth.refresh_before_ms == 300000);
}

static void test_required(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_bad("exporter: {type: logs_ingestion}\n", "'logs_ingestion.endpoint' is required");
    load_bad("exporter: {type: logs_ingestion}\nlogs_ingestion: {endpoint: https://x.example}\n",
             "'logs_ingestion.dcr_immutable_id' is required");
    load_bad(HEAD "  auth: {client_id: c, client_secret_env: S}\n",
             "'logs_ingestion.auth.tenant_id' is required");
    load_bad(HEAD "  auth: {method: client_certificate, tenant_id: t, client_id: c}\n",
             "'logs_ingestion.auth.certificate_file' is required");
    /* managed identity needs nothing else */
    load_ok(HEAD "  auth: {method: managed_identity, cloud: usgov}\n");
    assert_int_equal(cfg.logs_ingestion.auth.cloud, AD_AZ_CLOUD_USGOV);
    /* other exporter types ignore the section's rules */
    load_ok("exporter: {type: console}\n");
}

static void test_secret_sources(void **state)
{
    (void)state;
    test_env_set(NULL);
    /* The secret itself has no key: writing it in the YAML is an unknown key. */
    load_bad(HEAD "  auth: {tenant_id: t, client_id: c, client_secret: hunter2}\n",
             "client_secret");
    load_bad(HEAD "  auth: {tenant_id: t, client_id: c}\n", "exactly one of");
    load_bad(HEAD "  auth: {tenant_id: t, client_id: c, client_secret_env: S, "
                  "client_secret_file: /etc/x}\n",
             "exactly one of");
    load_bad(HEAD "  auth: {tenant_id: t, client_id: c, client_secret_env: \"not a name\"}\n",
             "environment variable name");
    load_ok(HEAD "  auth: {tenant_id: t, client_id: c, client_secret_file: /etc/asimdns/s}\n");
}

static void test_limits_and_schemes(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_bad("exporter: {type: logs_ingestion}\nlogs_ingestion: {endpoint: http://x.example}\n",
             "https://");
    load_bad(HEAD SECRET_AUTH "  max_request_bytes: 2MiB\n", "max_request_bytes");
    load_bad(HEAD "  auth: {tenant_id: t, client_id: c, client_secret_env: S, authority_host: "
                  "http://login.example}\n",
             "https://");
    load_bad(HEAD "  auth: {tenant_id: \"t/../x\", client_id: c, client_secret_env: S}\n",
             "letters, digits");
    load_ok(HEAD SECRET_AUTH "  max_request_bytes: 1048576\n");
}

static void test_dump_has_no_secret(void **state)
{
    (void)state;
    static const char *const env[] = {"ASIMDNS_LI_SECRET=very-secret-value", NULL};
    test_env_set(env);
    load_ok(HEAD SECRET_AUTH);
    test_dump d = {.len = 0};
    ad_config_dump_exporter(&cfg, test_dump_line, &d);
    assert_non_null(strstr(d.text, "logs_ingestion.auth.client_secret_env: ASIMDNS_LI_SECRET"));
    assert_null(strstr(d.text, "very-secret-value"));
}

static void test_example(void **state)
{
    (void)state;
    test_env_set(NULL);
    char err[AD_CONFIG_ERR_MAX] = "";
    if (ad_config_load_exporter(AD_SOURCE_DIR "/config/examples/exporter-sentinel.yaml",
                                test_getenv, &cfg, err, sizeof(err)) != AD_OK)
        fail_msg("example: %s", err);
    assert_int_equal(cfg.type, AD_EXPORTER_LOGS_INGESTION);
    assert_int_equal(cfg.logs_ingestion.auth.method, AD_AZ_AUTH_MANAGED_IDENTITY);
    assert_string_equal(cfg.logs_ingestion.stream, "Custom-AsimDnsActivityLogs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),           cmocka_unit_test(test_required),
        cmocka_unit_test(test_secret_sources),     cmocka_unit_test(test_limits_and_schemes),
        cmocka_unit_test(test_dump_has_no_secret), cmocka_unit_test(test_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
