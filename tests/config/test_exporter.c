/*
 * asimdns tests: exporter.yaml semantics: defaults (anchored on facts/otlp-logs.md §3),
 * headers and headers_file, filters, resource attributes, transports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/dns_tables.h"
#include "tests/config/config_test_util.h"

static ad_exporter_config cfg;

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
    load_ok("exporter:\n  type: otlp_http\n");
    assert_string_equal(cfg.ring.name, "asimdns");
    assert_string_equal(cfg.ring.directory, "/run/asimdns");
    assert_string_equal(cfg.ring.expected_owner, ""); /* root on POSIX (exporter/main.c) */
    assert_int_equal(cfg.type, AD_EXPORTER_OTLP_HTTP);
    assert_string_equal(cfg.otlp_http.url, "http://localhost:4318/v1/logs");
    assert_string_equal(cfg.otlp_http.url_origin, "default");
    assert_int_equal(cfg.otlp_http.header_count, 0);
    assert_int_equal(cfg.otlp_http.compression, AD_COMPRESSION_GZIP);
    assert_true(cfg.otlp_http.timeout_ms == 10000);
    assert_false(cfg.otlp_http.tls.insecure_skip_verify);
    assert_int_equal(cfg.nng.mode, AD_NNG_REQ);
    assert_true(cfg.nng.timeout_ms == 10000);
    assert_true(cfg.nng.recv_max_size == 1 << 20);
    assert_int_equal(cfg.batch.max_records, 8192);
    assert_true(cfg.batch.max_bytes == 2 << 20);
    assert_true(cfg.batch.max_age_ms == 1000);
    assert_int_equal(cfg.batch.max_in_flight, 2);
    assert_int_equal(cfg.batch.compression_workers, 0);
    assert_true(cfg.retry.initial_interval_ms == 5000);
    assert_true(cfg.retry.max_interval_ms == 30000);
    assert_true(cfg.retry.max_elapsed_ms == 0);
    assert_true(cfg.retry.multiplier > 1.499 && cfg.retry.multiplier < 1.501);
    assert_true(cfg.retry.jitter > 0.499 && cfg.retry.jitter < 0.501);
    assert_int_equal(cfg.resource.attr_count, 0);
    assert_int_equal(cfg.filters.rule_count, 0);
    assert_string_equal(cfg.metrics.listen, "");
    assert_int_equal(cfg.log.summary_seconds, 60);
    assert_int_equal(cfg.log.level, AD_LOG_INFO);
    assert_string_equal(cfg.host_name, "");

    /* A file of only comments is empty, but a file with only defaults spelled out is fine. */
    load_ok("ring:\n  name: asimdns\n");
}

static void test_endpoints_from_file(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("otlp_http:\n  endpoint: http://collector:4318\n");
    assert_string_equal(cfg.otlp_http.url, "http://collector:4318/v1/logs");
    assert_string_equal(cfg.otlp_http.url_origin, "otlp_http.endpoint");
    load_ok("otlp_http:\n  endpoint: http://collector:4318/mycollector/\n");
    assert_string_equal(cfg.otlp_http.url, "http://collector:4318/mycollector/v1/logs");
    load_ok("otlp_http:\n  logs_endpoint: http://collector:4318\n");
    assert_string_equal(cfg.otlp_http.url, "http://collector:4318/");
    load_ok("otlp_http:\n  logs_endpoint: https://collector.example.com/v1/logs\n"
            "  endpoint: http://ignored:1\n");
    assert_string_equal(cfg.otlp_http.url, "https://collector.example.com/v1/logs");
    assert_string_equal(cfg.otlp_http.url_origin, "otlp_http.logs_endpoint");
}

static void test_headers_and_tls(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok(
        "otlp_http:\n  headers:\n    Authorization: \"Bearer abc\"\n    X-Tenant: dns\n"
        "  compression: none\n  timeout: 500ms\n"
        "  tls:\n    ca_file: /etc/ca.pem\n    cert_file: /etc/c.pem\n    key_file: /etc/k.pem\n"
        "    server_name: collector.example.com\n    insecure_skip_verify: false\n");
    assert_int_equal(cfg.otlp_http.header_count, 2);
    assert_string_equal(cfg.otlp_http.headers[0].name, "Authorization");
    assert_string_equal(cfg.otlp_http.headers[0].value, "Bearer abc");
    assert_string_equal(cfg.otlp_http.headers[1].name, "X-Tenant");
    assert_int_equal(cfg.otlp_http.compression, AD_COMPRESSION_NONE);
    assert_true(cfg.otlp_http.timeout_ms == 500);
    assert_string_equal(cfg.otlp_http.tls.key_file, "/etc/k.pem");
    assert_string_equal(cfg.otlp_http.tls.server_name, "collector.example.com");
    /* nng.tls has the same keys and is independent of otlp_http.tls. */
    assert_string_equal(cfg.nng.tls.ca_file, "");
    load_ok("exporter:\n  type: nng\nnng:\n  url: tls+tcp://127.0.0.1:5555\n"
            "  tls:\n    ca_file: /etc/nca.pem\n    cert_file: /etc/nc.pem\n"
            "    key_file: /etc/nk.pem\n    server_name: relay.example.com\n"
            "    insecure_skip_verify: true\n");
    assert_string_equal(cfg.nng.tls.ca_file, "/etc/nca.pem");
    assert_string_equal(cfg.nng.tls.cert_file, "/etc/nc.pem");
    assert_string_equal(cfg.nng.tls.key_file, "/etc/nk.pem");
    assert_string_equal(cfg.nng.tls.server_name, "relay.example.com");
    assert_true(cfg.nng.tls.insecure_skip_verify);
    assert_string_equal(cfg.otlp_http.tls.ca_file, "");
    /* The dump reads each section's own copy, too. */
    static test_dump dump;
    memset(&dump, 0, sizeof(dump));
    ad_config_dump_exporter(&cfg, test_dump_line, &dump);
    assert_non_null(strstr(dump.text, "nng.tls.ca_file: /etc/nca.pem\n"));
    assert_non_null(strstr(dump.text, "otlp_http.tls.ca_file: \"\"\n"));

    /* 16 headers fit, 17 do not. */
    char yaml[2048] = "otlp_http:\n  headers:\n";
    for (int i = 0; i < 17; i++) {
        char line[64];
        snprintf(line, sizeof(line), "    X-H%d: v\n", i);
        strcat(yaml, line);
        if (i == 15) {
            load_ok(yaml);
            assert_int_equal(cfg.otlp_http.header_count, 16);
        }
    }
    load_bad(yaml, "'otlp_http.headers' holds more than 16 entries");
}

static void test_headers_file(void **state)
{
    (void)state;
    test_env_set(NULL);
    static const char text[] = "# secrets for the collector\r\n"
                               "Authorization: Bearer s3cret\r\n"
                               "\n"
                               "   X-Api-Key :   k3y  \n"
                               "X-Empty:\n";
    const char *path = test_write_file("headers-ok.txt", text, sizeof(text) - 1);
    assert_non_null(path);
    char yaml[1200];
    snprintf(yaml, sizeof(yaml), "otlp_http:\n  headers:\n    X-Tenant: dns\n  headers_file: %s\n",
             path);
    load_ok(yaml);
    assert_int_equal(cfg.otlp_http.header_count, 4);
    assert_string_equal(cfg.otlp_http.headers[0].name, "X-Tenant");
    assert_string_equal(cfg.otlp_http.headers[1].name, "Authorization");
    assert_string_equal(cfg.otlp_http.headers[1].value, "Bearer s3cret");
    assert_string_equal(cfg.otlp_http.headers[2].name, "X-Api-Key");
    assert_string_equal(cfg.otlp_http.headers[2].value, "k3y");
    assert_string_equal(cfg.otlp_http.headers[3].value, "");

    /* A header in both places is ambiguous. */
    snprintf(yaml, sizeof(yaml),
             "otlp_http:\n  headers:\n    authorization: x\n  headers_file: %s\n", path);
    load_bad(yaml, "'Authorization' is set twice");

    /* Errors in the file give its own line and column, never the value. */
    static const char bad1[] = "X-A: 1\n  no colon s3cret\n";
    path = test_write_file("headers-bad.txt", bad1, strlen(bad1));
    snprintf(yaml, sizeof(yaml), "otlp_http:\n  headers_file: %s\n", path);
    char err[AD_CONFIG_ERR_MAX];
    assert_int_not_equal(test_load_exporter(yaml, &cfg, err, sizeof(err)), AD_OK);
    char prefix[1100];
    snprintf(prefix, sizeof(prefix), "%s:2:3: ", path);
    assert_memory_equal(err, prefix, strlen(prefix));
    assert_null(strstr(err, "s3cret"));

    path = test_write_file("headers-bad2.txt", "Host: s3cret\n", 13);
    snprintf(yaml, sizeof(yaml), "otlp_http:\n  headers_file: %s\n", path);
    assert_int_not_equal(test_load_exporter(yaml, &cfg, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "header the exporter sets itself"));
    assert_null(strstr(err, "s3cret"));
}

static void test_nng_and_console(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("exporter: {type: nng}\nnng:\n  url: ipc:///run/asimdns/sink.ipc\n  mode: push\n"
            "  timeout: 1ms\n  recv_max_size: 64KiB\n");
    assert_int_equal(cfg.type, AD_EXPORTER_NNG);
    assert_string_equal(cfg.nng.url, "ipc:///run/asimdns/sink.ipc");
    assert_int_equal(cfg.nng.mode, AD_NNG_PUSH);
    assert_true(cfg.nng.timeout_ms == 1);
    assert_true(cfg.nng.recv_max_size == 64 << 10);
    /* Every wait is bounded: no "0 = no limit" (a receiver could hold the exporter for ever). */
    load_bad("exporter: {type: nng}\nnng: {url: 'tcp://127.0.0.1:1', timeout: 0}\n",
             "'nng.timeout' must be between");
    load_bad("otlp_http: {timeout: 0}\n", "'otlp_http.timeout' must be between");
    load_ok("exporter: {type: console}\n");
    assert_int_equal(cfg.type, AD_EXPORTER_CONSOLE);
    /* headers_file belongs to otlp_http: another type does not open it. */
    load_ok("exporter: {type: console}\notlp_http: {headers_file: /nonexistent/h}\n");
    assert_int_equal(cfg.otlp_http.header_count, 0);
}

static void test_batch_retry_limits(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("batch: {max_records: 1000000, max_bytes: 16MiB, max_age: 0, max_in_flight: 16, "
            "compression_workers: 2}\n"
            "retry: {initial_interval: 100ms, max_interval: 1m, max_elapsed: 5m, "
            "multiplier: 2, jitter: 0}\n");
    assert_int_equal(cfg.batch.max_records, 1000000);
    assert_true(cfg.batch.max_bytes == 16 << 20);
    assert_true(cfg.batch.max_age_ms == 0);
    assert_int_equal(cfg.batch.max_in_flight, 16);
    assert_int_equal(cfg.batch.compression_workers, 2);
    assert_true(cfg.retry.initial_interval_ms == 100);
    assert_true(cfg.retry.max_interval_ms == 60000);
    assert_true(cfg.retry.max_elapsed_ms == 300000);
    assert_true(cfg.retry.multiplier == 2.0);
    assert_true(cfg.retry.jitter == 0.0);
    load_bad("batch: {max_records: 1000001}\n",
             "'batch.max_records' must be between 1 and 1000000");
    load_bad("batch: {max_bytes: 17MiB}\n", "'batch.max_bytes'");
}

/* spool: off by default (exactly today's delivery), every key parsed, ranges enforced. */
static void test_spool(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("exporter: {type: console}\n");
    assert_false(cfg.spool.enabled);
    assert_string_equal(cfg.spool.directory, "/var/lib/asimdns/spool");
    assert_true(cfg.spool.max_size == 1ULL << 30);
    assert_true(cfg.spool.max_age_ms == 0);
    assert_int_equal(cfg.spool.fsync, AD_CONFIG_SPOOL_FSYNC_BATCH);
    assert_int_equal(cfg.spool.compression, AD_CONFIG_SPOOL_COMPRESSION_NONE);
    assert_int_equal(cfg.spool.full_policy, AD_CONFIG_SPOOL_FULL_BLOCK);
    load_ok("spool: {enabled: true, directory: /srv/spool, max_size: 10GiB, max_age: 2h, "
            "fsync: interval, fsync_interval: 250ms, compression: zlib, "
            "full_policy: drop_oldest}\n");
    assert_true(cfg.spool.enabled);
    assert_string_equal(cfg.spool.directory, "/srv/spool");
    assert_true(cfg.spool.max_size == 10ULL << 30);
    assert_true(cfg.spool.max_age_ms == 7200000);
    assert_int_equal(cfg.spool.fsync, AD_CONFIG_SPOOL_FSYNC_INTERVAL);
    assert_true(cfg.spool.fsync_interval_ms == 250);
    assert_int_equal(cfg.spool.compression, AD_CONFIG_SPOOL_COMPRESSION_ZLIB);
    assert_int_equal(cfg.spool.full_policy, AD_CONFIG_SPOOL_FULL_DROP_OLDEST);
    load_ok("spool: {fsync: always}\n");
    assert_int_equal(cfg.spool.fsync, AD_CONFIG_SPOOL_FSYNC_ALWAYS);
    load_bad("spool: {max_size: 100KiB}\n", "'spool.max_size'");
    load_bad("spool: {fsync: sometimes}\n", "'spool.fsync'");
    load_bad("spool: {full_policy: drop_newest}\n", "'spool.full_policy'");
    load_bad("spool: {directory: relative/dir}\n", "'spool.directory'");
    load_bad("spool: {compression: gzip}\n", "'spool.compression'");
}

/* aggregate: off by default, every key parsed, key names checked against the ASIM attributes
   the mapping writes, duplicates refused; errors name FILE:LINE:COLUMN of the bad value. */
static void test_aggregate(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("exporter: {type: console}\n");
    assert_false(cfg.aggregate.enabled);
    assert_true(cfg.aggregate.window_ms == 10000);
    assert_int_equal(cfg.aggregate.max_keys, 65536);
    assert_int_equal(cfg.aggregate.key_count, 0);
    load_ok("aggregate:\n  enabled: true\n  window: 2s\n  max_keys: 100\n"
            "  key: [DnsQuery, SrcIpAddr, EventResultDetails]\n");
    assert_true(cfg.aggregate.enabled);
    assert_true(cfg.aggregate.window_ms == 2000);
    assert_int_equal(cfg.aggregate.max_keys, 100);
    assert_int_equal(cfg.aggregate.key_count, 3);
    assert_string_equal(cfg.aggregate.key[0], "DnsQuery");
    assert_string_equal(cfg.aggregate.key[2], "EventResultDetails");
    load_bad("aggregate:\n  key: [DnsQuery, dnsquery]\n", "exporter.yaml:2:19: ");
    load_bad("aggregate:\n  key: [DnsQuery, EventCount]\n", "not an ASIM attribute");
    load_bad("aggregate:\n  key: [TimeGenerated]\n", "exporter.yaml:2:9: ");
    load_bad("aggregate:\n  key: [SrcIpAddr, DnsQuery, SrcIpAddr]\n",
             "exporter.yaml:2:30: 'aggregate.key' lists 'SrcIpAddr' twice");
    load_bad("aggregate: {window: 10ms}\n", "'aggregate.window'");
    load_bad("aggregate: {window: 2h}\n", "'aggregate.window'");
    load_bad("aggregate: {max_keys: 0}\n", "'aggregate.max_keys'");
    load_bad("aggregate: {keys: [DnsQuery]}\n", "exporter.yaml:1:13: ");
}

static void test_filters_resource_metrics(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("filters:\n"
            "  - {name: keep-corp, action: keep, dns_query: [\"*.Corp.Example.\", example.org]}\n"
            "  - name: no-ptr\n"
            "    event_ids: [256, 0x103]\n"
            "    dns_query_type: [a, AAAA, 65, https, PTR]\n"
            "    src_ip: 10.0.0.0/8\n"
            "    dvc_ip: [\"2001:db8::/32\", 192.0.2.1]\n"
            "    event_result: failure\n"
            "    event_result_details: [NXDOMAIN]\n"
            "    network_protocol: udp\n"
            "    provider: dns_server\n"
            "  - {name: rest}\n"
            "resource:\n  attributes:\n    deployment.environment: prod\n    tier: 1\n"
            "metrics:\n  listen: \"[::1]:9464\"\n"
            "log:\n  summary_seconds: 0\n"
            "host_name: dns-01.corp.example\n");
    assert_int_equal(cfg.log.summary_seconds, 0);
    const ad_config_filters *f = &cfg.filters;
    assert_int_equal(f->rule_count, 3);
    assert_string_equal(f->rules[0].name, "keep-corp");
    assert_true(f->rules[0].keep);
    assert_int_equal(f->rules[0].count, 2);
    assert_int_equal(f->values[0].kind, AD_NAME_SUBDOMAINS);
    assert_string_equal(f->text + f->values[0].text, "corp.example");
    assert_int_equal(f->values[1].kind, AD_NAME_EXACT);
    assert_false(f->rules[1].keep);
    assert_int_equal(f->rules[1].count, 14);
    const ad_config_filter_value *v = &f->values[f->rules[1].first];
    assert_int_equal(v[1].num, 259);
    assert_int_equal(v[2].field, AD_FF_QTYPE);
    assert_int_equal(v[2].num, 1);
    assert_int_equal(v[3].num, 28);
    assert_int_equal(v[5].num, 65);
    assert_int_equal(v[6].num, 12);
    assert_int_equal(v[7].field, AD_FF_SRC_IP);
    assert_int_equal(v[7].prefix, 104);
    assert_int_equal(v[7].addr[10], 0xff);
    assert_int_equal(v[7].addr[12], 10);
    assert_int_equal(v[8].prefix, 32);
    assert_int_equal(v[9].prefix, 128);
    assert_int_equal(v[10].num, AD_ASIM_RESULT_FAILURE);
    assert_int_equal(v[12].num, AD_TRANSPORT_UDP);
    assert_int_equal(v[13].num, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(f->rules[2].count, 0);
    assert_int_equal(cfg.resource.attr_count, 2);
    assert_string_equal(cfg.resource.attrs[0].key, "deployment.environment");
    assert_string_equal(cfg.resource.attrs[1].value, "1");
    assert_string_equal(cfg.metrics.listen, "[::1]:9464");
    assert_string_equal(cfg.host_name, "dns-01.corp.example");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_endpoints_from_file),
        cmocka_unit_test(test_headers_and_tls),
        cmocka_unit_test(test_headers_file),
        cmocka_unit_test(test_nng_and_console),
        cmocka_unit_test(test_batch_retry_limits),
        cmocka_unit_test(test_spool),
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_filters_resource_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
