/*
 * asimdns tests: malformed configuration is refused with "FILE:LINE:COLUMN: message" where
 * LINE:COLUMN point at the offending key or value and the message names it.
 * One table row per distinct defect; each row states the exact position.
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

typedef struct bad_case {
    char schema; /* 'c' capture.yaml, 'e' exporter.yaml */
    const char *yaml;
    unsigned line, column;
    const char *names; /* the key (or the defect) the message must name */
} bad_case;

#define CAP "source:\n  type: etw\n"

static const bad_case bad_cases[] = {
    /* Keys and structure. */
    {'c', CAP "  buffer_sizee: 3\n", 3, 3, "unknown key 'buffer_sizee' in 'source'"},
    {'c', CAP "foo: 1\n", 3, 1, "unknown key 'foo' at the top level"},
    {'c', "source:\n  type: replay\n  replay:\n    file: a\n    speed: 2\n", 5, 5,
     "unknown key 'speed' in 'source.replay'"},
    {'e', "otlp_http:\n  tls:\n    ca: /x\n", 3, 5, "unknown key 'ca' in 'otlp_http.tls'"},
    {'e', "nng:\n  tls:\n    ca: /x\n", 3, 5, "unknown key 'ca' in 'nng.tls'"},
    {'e', "nng:\n  tls:\n    alpn: x\n", 3, 5, "unknown key 'alpn' in 'nng.tls'"},
    {'e', "nng:\n  tls: /x\n", 2, 8, "'nng.tls' must be a mapping"},
    {'e', "nng:\n  tls:\n    insecure_skip_verify: maybe\n", 3, 27,
     "'nng.tls.insecure_skip_verify'"},
    {'e', "nng:\n  tls:\n    ca_file: \"\"\n", 3, 14, "'nng.tls.ca_file'"},
    {'e', "nng:\n  tls:\n    server_name: \"a b\"\n", 3, 18, "'nng.tls.server_name'"},
    {'c', CAP "  level: 3\n  level: 4\n", 4, 3, "duplicate key 'level'"},
    {'e', "ring:\n  name: a\nring:\n  name: b\n", 3, 1, "duplicate key 'ring'"},
    {'c', "? [a]\n: b\n", 1, 3, "mapping key"},
    {'c', CAP "  type: etw\n", 3, 3, "duplicate key 'type'"},
    /* Wrong kind of node. */
    {'c', CAP "  level: [1]\n", 3, 10, "'source.level' must be a single value, found a list"},
    {'c', "source:\n  type:\n    a: 1\n", 3, 5, "'source.type' must be a single value"},
    {'c', "source: etw\n", 1, 9, "'source' must be a mapping, found a single value"},
    {'c', "source: [1]\n", 1, 9, "'source' must be a mapping, found a list"},
    {'c', CAP "  event_ids: 256\n", 3, 14, "'source.event_ids' must be a list"},
    {'c', CAP "  replay: 5\n", 3, 11, "'source.replay' must be a mapping"},
    {'e', "otlp_http:\n  headers: 5\n", 2, 12, "'otlp_http.headers' must be a mapping"},
    {'e', "otlp_http:\n  headers:\n    X: [1]\n", 3, 8, "'otlp_http.headers.X' must be a single"},
    {'c', "source:\n  type:\n", 2, 8, "'source.type' has no value"},
    /* Numbers, flags, ranges. */
    {'c', CAP "  level: 6\n", 3, 10, "'source.level' must be between 0 and 5"},
    {'c', CAP "  level: -1\n", 3, 10, "'source.level' must be a whole number"},
    {'c', CAP "  keywords: 0x10000000000000000\n", 3, 13, "'source.keywords'"},
    {'c', CAP "  keywords: 18446744073709551616\n", 3, 13, "'source.keywords'"},
    {'c', CAP "  match_all_keyword: 0xZZ\n", 3, 22, "'source.match_all_keyword'"},
    {'c', CAP "  buffer_size_kb: 2\n", 3, 19,
     "'source.buffer_size_kb' must be between 4 and 16384"},
    {'c', CAP "  event_ids: [1, 2, 70000]\n", 3, 21, "'source.event_ids[2]'"},
    {'c', CAP "  process_names:\n    cache_size: 0\n", 4, 17,
     "'source.process_names.cache_size' must be between 1 and 65536"},
    {'c', CAP "  process_names:\n    cache_size: 65537\n", 4, 17,
     "'source.process_names.cache_size' must be between 1 and 65536"},
    {'c', CAP "  process_names:\n    enabled: maybe\n", 4, 14, "'source.process_names.enabled'"},
    {'c', CAP "  process_names:\n    size: 5\n", 4, 5,
     "unknown key 'size' in 'source.process_names'"},
    {'c', "heartbeat_seconds: 0\n" CAP, 1, 20, "'heartbeat_seconds' must be between 1 and 60"},
    {'e', "batch:\n  max_records: 0\n", 2, 16, "'batch.max_records'"},
    {'e', "retry:\n  multiplier: 0.5\n", 2, 15, "'retry.multiplier' must be between 1 and 10"},
    {'e', "retry:\n  multiplier: 1,5\n", 2, 15, "'retry.multiplier' must be a decimal"},
    {'e', "retry:\n  jitter: 1.5\n", 2, 11, "'retry.jitter'"},
    /* Sizes and durations. */
    {'c', CAP "ring:\n  size: 64MB\n", 4, 9, "'ring.size' is not a size"},
    {'c', CAP "ring:\n  size: 100MiB\n", 4, 9, "'ring.size' must be a power of two"},
    {'c', CAP "ring:\n  size: 2GiB\n", 4, 9, "'ring.size' must be between 1MiB and 1GiB"},
    {'c', CAP "ring:\n  size: 99999999999999999999\n", 4, 9, "'ring.size' is too large"},
    {'e', "batch:\n  max_bytes: 32MiB\n", 2, 14,
     "'batch.max_bytes' must be between 1KiB and 16MiB"},
    {'e', "otlp_http:\n  timeout: 10x\n", 2, 12, "'otlp_http.timeout' is not a duration"},
    {'e', "otlp_http:\n  timeout: 10\n", 2, 12, "'otlp_http.timeout' is not a duration"},
    {'e', "batch:\n  max_age: 2m\n", 2, 12, "'batch.max_age' must be between"},
    {'e', "batch:\n  max_in_flight: 0\n", 2, 18, "'batch.max_in_flight' must be between 1 and 16"},
    {'e', "batch:\n  max_in_flight: 17\n", 2, 18, "'batch.max_in_flight' must be between 1 and 16"},
    {'e', "batch:\n  compression_workers: 17\n", 2, 24,
     "'batch.compression_workers' must be between 0 and 16"},
    /* Enumerations, booleans, modes, GUIDs, names. */
    {'c', "source:\n  type: etwx\n", 2, 9, "'source.type' must be one of etw, etl"},
    {'e', "otlp_http:\n  compression: zstd\n", 2, 16, "'otlp_http.compression'"},
    {'c', CAP "  replay:\n    loop: yes\n", 4, 11, "'source.replay.loop' must be true or false"},
    {'c', CAP "ring:\n  data_mode: 0648\n", 4, 14, "'ring.data_mode' must be octal"},
    {'c', CAP "ring:\n  data_mode: \"0660\"\n", 4, 14, "'ring.data_mode' must not let the group"},
    {'c', CAP "  dnstap:\n    socket_mode: \"0666\"\n", 4, 18, "'source.dnstap.socket_mode'"},
    {'c', CAP "  dnstap:\n    max_writers: 4\n    max_writers_per_user: 5\n", 5, 27,
     "'source.dnstap.max_writers_per_user' (5) must not exceed 'source.dnstap.max_writers' (4)"},
    {'c', CAP "  dnstap:\n    handshake_timeout: 0\n", 4, 24,
     "'source.dnstap.handshake_timeout' must be between"},
    {'c', CAP "  dnstap:\n    idle_timeout: 500ms\n", 4, 19,
     "'source.dnstap.idle_timeout' must be between"},
    {'c', CAP "  provider_guid: \"{EB79061A-A566-4698-9119-3ED2807060E}\"\n", 3, 18,
     "'source.provider_guid' is not a GUID"},
    {'c', CAP "  provider_guid: \"EB79061A_A566-4698-9119-3ED2807060E7\"\n", 3, 18,
     "'source.provider_guid'"},
    {'c', CAP "ring:\n  name: \"../x\"\n", 4, 9, "'ring.name'"},
    {'c', CAP "ring:\n  directory: run/asimdns\n", 4, 14, "'ring.directory' must be an absolute"},
    {'c', CAP "ring:\n  directory: /run/../tmp\n", 4, 14, "'ring.directory' must not contain"},
    {'e', "ring:\n  directory: /run/./x\n", 2, 14, "'ring.directory' must not contain"},
    {'c', CAP "  session_name: \"a\\x01b\"\n", 3, 17, "'source.session_name' contains a control"},
    {'c', CAP "  provider: \"Bad\\\\Name\"\n", 3, 13, "'source.provider'"},
    {'e', "host_name: \"a b\"\n", 1, 12, "'host_name'"},
    /* URLs and addresses. */
    {'e', "otlp_http:\n  endpoint: ftp://x\n", 2, 13, "'otlp_http.endpoint' must start with http"},
    {'e', "otlp_http:\n  endpoint: \"http://user:pw@h:4318\"\n", 2, 13,
     "'otlp_http.endpoint' must not carry user info"},
    {'e', "otlp_http:\n  logs_endpoint: \"http://h:99999/v1/logs\"\n", 2, 18,
     "'otlp_http.logs_endpoint' has an invalid port"},
    {'e', "otlp_http:\n  endpoint: \"http://h:4318/a?x=1\"\n", 2, 13, "'otlp_http.endpoint'"},
    {'e', "otlp_http:\n  endpoint: \"http:///v1\"\n", 2, 13, "'otlp_http.endpoint' has no host"},
    {'e', "nng:\n  url: http://x\n", 2, 8, "'nng.url' must start with tcp://"},
    {'e', "nng:\n  url: tcp://host\n", 2, 8, "'nng.url' needs a port"},
    {'e', "metrics:\n  listen: localhost\n", 2, 11, "'metrics.listen' needs a port"},
    {'e', "metrics:\n  listen: \"127.0.0.1:0\"\n", 2, 11, "'metrics.listen'"},
    {'e', "metrics:\n  listen: \"127.0.0.1:99999\"\n", 2, 11, "'metrics.listen'"},
    {'e', "metrics:\n  listen: [a, b]\n", 2, 11, "'metrics.listen'"},
    {'e', "metrics:\n  port: 9464\n", 2, 3, "unknown key 'port' in 'metrics'"},
    {'e', "metrics: \"127.0.0.1:9464\"\n", 1, 10, "'metrics' must be a mapping"},
    {'e', "log:\n  summary_seconds: 86401\n", 2, 20,
     "'log.summary_seconds' must be between 0 and 86400"},
    {'e', "log:\n  summary_seconds: -1\n", 2, 20, "'log.summary_seconds'"},
    {'e', "log:\n  summary_seconds: 1m\n", 2, 20, "'log.summary_seconds'"},
    {'e', "log:\n  summary: 60\n", 2, 3, "unknown key 'summary' in 'log'"},
    {'c', CAP "log:\n  summary_seconds: 86401\n", 4, 20,
     "'log.summary_seconds' must be between 0 and 86400"},
    /* Filter rules: the offending value, key or rule; the old form says what to write. */
    {'e', "filters:\n  - {name: t, dns_query_type: [A, AAAA, FOO]}\n", 2, 41,
     "'filters[0].dns_query_type' value 'FOO'"},
    {'e', "filters:\n  - {name: d, dns_query: [\"a..b\"]}\n", 2, 27,
     "'filters[0].dns_query' value 'a..b' has an empty label"},
    {'e', "filters:\n  - {name: d, dns_query: [\"a.*.b\"]}\n", 2, 27, "'*' inside the name"},
    {'e', "filters:\n  - {name: c, src_ip: [10.0.0.1/8]}\n", 2, 24, "bits set after the prefix"},
    {'e', "filters:\n  - {name: c, src_ip: [10.0.0.0/33]}\n", 2, 24,
     "prefix length that is not 0-32"},
    {'e', "filters:\n  - {name: c, dvc_ip: [\"2001:db8::/129\"]}\n", 2, 24, "not 0-128"},
    {'e', "filters:\n  - {name: c, dst_ip: [host.example]}\n", 2, 24, "not an IP address"},
    {'e', "filters:\n  - {name: e, event_ids: [65536]}\n", 2, 27, "event id 0-65535"},
    {'e', "filters:\n  - {name: e, network_protocol: SCTP}\n", 2, 33, "must be one of UDP, TCP"},
    {'e', "filters:\n  - {name: e, event_result: ok}\n", 2, 29, "must be one of Success"},
    {'e', "filters:\n  - {name: e, provider: dnsmasq}\n", 2, 25, "must be one of dns_server"},
    {'e', "filters:\n  - {name: e, event_result_details: [\"NX DOMAIN\"]}\n", 2, 38,
     "not a result name"},
    {'e', "filters:\n  - {name: e, action: allow}\n", 2, 23, "must be drop or keep"},
    {'e', "filters:\n  - {name: e, qtype: [A]}\n", 2, 15, "unknown key 'qtype' in 'filters[0]'"},
    {'e', "filters:\n  - {event_ids: [1]}\n", 2, 5, "'filters[0]' has no 'name'"},
    {'e', "filters:\n  - {name: x}\n  - {name: x}\n", 3, 12, "already the name of filters[0]"},
    {'e', "filters:\n  - {name: \"a b\"}\n", 2, 12, "'filters[0].name' must be"},
    {'e', "filters:\n  - {name: e, event_ids: []}\n", 2, 26, "empty list"},
    {'e', "filters:\n  - drop\n", 2, 5, "'filters[0]' must be a rule"},
    {'e', "filters:\n  event_ids:\n    exclude: [259]\n", 2, 3,
     "'filters.event_ids' is the old filter form"},
    {'e', "filters:\n  qtypes:\n    exclude: [ANY]\n", 2, 3, "dns_query_type: [ANY]"},
    {'e', "filters:\n  domains:\n    exclude: [x.com]\n", 2, 3, "**.x.com"},
    {'e', "filters: drop\n", 1, 10, "'filters' must be a list of rules"},
    /* Headers (values are secrets, names are not). */
    {'e', "otlp_http:\n  headers:\n    Authorization: \"Bearer x\\ny\"\n", 3, 20,
     "'otlp_http.headers.Authorization' contains a control"},
    {'e', "otlp_http:\n  headers:\n    Authorization: a\n    authorization: b\n", 4, 5,
     "'authorization' twice"},
    {'e', "otlp_http:\n  headers:\n    Content-Type: a\n", 3, 5, "'Content-Type' is a header"},
    {'e', "otlp_http:\n  headers:\n    \"Bad Name\": a\n", 3, 5, "'Bad Name'"},
    {'e', "otlp_http:\n  headers_file: /nonexistent/h\n", 2, 17, "'otlp_http.headers_file'"},
    /* Rules across keys. */
    {'c', "ring:\n  name: x\n", 1, 1, "missing 'source' section"},
    {'c', "source:\n  level: 3\n", 1, 1, "missing 'source.type'"},
    {'c', "source:\n  type: etl\n", 2, 9, "'source.etl_file' is required"},
    {'c', "source:\n  type: replay\n", 2, 9, "'source.replay.file' is required"},
    {'c',
     CAP "  provider: dns_client\n  provider_guid: \"{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}\"\n", 4,
     3, "'source.provider_guid', not both"},
    {'c', CAP "  keywords: 1\n  match_any_keyword: 2\n", 4, 3, "'source.match_any_keyword'"},
    {'c', CAP "  min_buffers: 200\n", 3, 16, "'source.min_buffers' (200) must not exceed"},
    {'e', "exporter:\n  type: nng\n", 2, 9, "'nng.url' is required"},
    {'e', "otlp_http:\n  tls:\n    cert_file: /a\n", 3, 5, "'otlp_http.tls.key_file'"},
    {'e', "nng:\n  tls:\n    cert_file: /a\n", 3, 5, "'nng.tls.key_file'"},
    {'e', "nng:\n  tls:\n    key_file: /a\n", 3, 5, "'nng.tls.cert_file'"},
    {'e', "retry:\n  initial_interval: 1m\n", 2, 21, "'retry.initial_interval' must not exceed"},
    /* Whole-file and YAML-level defects. */
    {'c', "", 1, 1, "empty"},
    {'c', "# only a comment\n\n", 1, 1, "empty"},
    {'e', "---\n", 2, 1, "empty"},
    {'c', "- a\n- b\n", 1, 1, "top level must be a mapping"},
    {'c', "hello\n", 1, 1, "top level must be a mapping"},
    {'c', "source:\n  type: etw\n\tlevel: 3\n", 3, 1, "tab character"},
    {'c', "source:\n  type: \"etw\xff\"\n", 2, 13, "invalid UTF-8"},
    {'c', "# caf\xc3\n", 1, 6, "invalid UTF-8"},
    {'c', "source:\n  type: etw\n  session_name: \"\xc3\xa9\xc3\xa9\x01\"\n", 3, 20,
     "control character U+0001"},
    {'c', "source: {type: etw\n", 2, 1, "YAML syntax error"},
    {'c', "source:\n  type: \"etw\n", 3, 1, "YAML syntax error"},
    {'c', "source:\n  type: etw\n bad: x\n", 3, 2, "YAML syntax error"},
    {'c', "source: &a\n  type: etw\n", 1, 9, "anchors and aliases"},
    {'c', CAP "ring: *x\n", 3, 7, "anchors and aliases"},
    {'c', "source:\n  type: !!str etw\n", 2, 9, "tags"},
    {'c', CAP "---\nfoo: 1\n", 3, 1, "more than one document"},
    {'c', "source:\n  type: \"etw\\0\"\n", 2, 9, "NUL character"},
    {'c', "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\n", 1, 11, "nesting deeper than 10"},
    /* Line ends and byte order marks do not shift positions. */
    {'c', "source:\r\n  type: etw\r\n  levle: 1\r\n", 3, 3, "unknown key 'levle'"},
    {'c', "\xef\xbb\xbfsource:\n  type: etw\n  levle: 1\n", 3, 3, "unknown key 'levle'"},
    /* Columns count characters, not bytes. */
    {'c', CAP "privileges: {user: \"\xc3\xa9\xc3\xa9\", levle: 1}\n", 3, 26,
     "unknown key 'levle' in 'privileges'"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    static ad_capture_config cap;
    static ad_exporter_config expcfg;
    unsigned failures = 0;
    test_env_set(NULL);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const bad_case *c = &bad_cases[i];
        char err[AD_CONFIG_ERR_MAX] = "";
        ad_err rc = c->schema == 'c' ? test_load_capture(c->yaml, &cap, err, sizeof(err))
                                     : test_load_exporter(c->yaml, &expcfg, err, sizeof(err));
        char prefix[64];
        snprintf(prefix, sizeof(prefix),
                 "%s:%u:%u: ", c->schema == 'c' ? "capture.yaml" : "exporter.yaml", c->line,
                 c->column);
        if (rc == AD_OK || strncmp(err, prefix, strlen(prefix)) != 0 ||
            strstr(err, c->names) == NULL) {
            print_error("case %zu: rc=%d\n  want: %s... naming \"%s\"\n  got:  %s\n", i, rc, prefix,
                        c->names, err);
            failures++;
        }
        /* One line, nothing after it. */
        assert_null(strchr(err, '\n'));
    }
    assert_int_equal(failures, 0);
}

static void test_case_count(void **state)
{
    (void)state;
    assert_true(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_case_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
