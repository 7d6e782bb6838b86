/*
 * asimdns tests: capture.yaml semantics: every default, provider resolution and the
 * provider-dependent level/keyword defaults, hex and decimal keywords, sizes and modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

static ad_capture_config cfg;

static void load_ok(const char *yaml)
{
    test_capture_ok(yaml, &cfg);
}

static const ad_guid dns_server_guid = {
    0xEB79061A, 0xA566, 0x4698, {0x91, 0x19, 0x3E, 0xD2, 0x80, 0x70, 0x60, 0xE7}};
static const ad_guid dns_client_guid = {
    0x1C95126E, 0x7EEA, 0x49A9, {0xA3, 0xFE, 0xA3, 0x78, 0xB0, 0x3D, 0xDB, 0x4D}};

static void test_all_defaults(void **state)
{
    (void)state;
    load_ok("source:\n  type: etw\n");
    const ad_capture_source *s = &cfg.source;
    assert_int_equal(s->type, AD_SOURCE_ETW);
    assert_int_equal(s->provider, AD_PROVIDER_DNS_SERVER); /* no provider: DNS Server */
    assert_string_equal(s->provider_name, "Microsoft-Windows-DNSServer");
    assert_true(s->provider_guid_known);
    assert_memory_equal(&s->provider_guid, &dns_server_guid, sizeof(ad_guid));
    assert_int_equal(s->level, 4);
    assert_true(s->match_any_keyword == 0x3F);
    assert_true(s->match_all_keyword == 0);
    assert_int_equal(s->event_id_count, 0);
    assert_string_equal(s->session_name, "asimdns-capture");
    assert_int_equal(s->buffer_size_kb, 256);
    assert_int_equal(s->min_buffers, 16);
    assert_int_equal(s->max_buffers, 128);
    assert_int_equal(s->flush_seconds, 1);
    assert_string_equal(s->etl_file, "");
    assert_string_equal(s->replay.file, "");
    assert_true(s->replay.rate == 0);
    assert_false(s->replay.loop);
    assert_false(s->replay.strict);
    assert_true(s->synthetic.seed == 1);
    assert_true(s->synthetic.rate == 1000);
    assert_true(s->synthetic.count == 0);
    assert_int_equal(s->synthetic.mix, AD_MIX_BOTH);
    assert_string_equal(s->dnstap.socket_path, "/run/asimdns/dnstap.sock");
    assert_string_equal(s->dnstap.socket_owner, "");
    assert_string_equal(s->dnstap.socket_group, "");
    assert_int_equal(s->dnstap.socket_mode, 0660);
    assert_true(s->dnstap.max_frame_size == 256 * 1024);
    assert_int_equal(s->dnstap.max_writers, 64);
    assert_int_equal(s->dnstap.max_writers_per_user, 16);
    assert_true(s->dnstap.handshake_timeout_ms == 5000);
    assert_true(s->dnstap.idle_timeout_ms == 300000);
    assert_int_equal(s->dnstap.max_bad_frames, 8);
    assert_true(s->process_names.enabled);
    assert_int_equal(s->process_names.cache_size, 256);

    assert_string_equal(cfg.ring.name, "asimdns");
    assert_true(cfg.ring.size == 64ULL << 20);
    assert_int_equal(cfg.ring.data_mode, 0640);
    assert_int_equal(cfg.ring.cursor_mode, 0660);
    assert_string_equal(cfg.ring.group, "");
    assert_string_equal(cfg.ring.exporter_account, "");
    assert_false(cfg.ring.recreate_on_mismatch);
    assert_string_equal(cfg.privileges.user, "");
    assert_string_equal(cfg.privileges.group, "");
    assert_int_equal(cfg.log.level, AD_LOG_INFO);
    assert_int_equal(cfg.log.format, AD_LOG_TEXT);
    assert_int_equal(cfg.log.summary_seconds, 60);
    assert_int_equal(cfg.heartbeat_seconds, 1);
}

static void test_provider_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        ad_provider provider;
        const ad_guid *guid;
        unsigned level;
        uint64_t keywords;
    } cases[] = {
        {"source:\n  type: etw\n  provider: dns_server\n", AD_PROVIDER_DNS_SERVER, &dns_server_guid,
         4, 0x3F},
        {"source:\n  type: etw\n  provider: dns_client\n", AD_PROVIDER_DNS_CLIENT, &dns_client_guid,
         5, 0x8000000000000FFFULL},
        {"source:\n  type: etw\n  provider: Microsoft-Windows-DNSServer\n", AD_PROVIDER_DNS_SERVER,
         &dns_server_guid, 4, 0x3F},
        {"source:\n  type: etl\n  etl_file: a.etl\n  provider: microsoft-windows-dns-client\n",
         AD_PROVIDER_DNS_CLIENT, &dns_client_guid, 5, 0x8000000000000FFFULL},
        {"source:\n  type: etw\n  provider_guid: \"{eb79061a-a566-4698-9119-3ed2807060e7}\"\n",
         AD_PROVIDER_DNS_SERVER, &dns_server_guid, 4, 0x3F},
        {"source:\n  type: etw\n  provider_guid: 1C95126E-7EEA-49A9-A3FE-A378B03DDB4D\n",
         AD_PROVIDER_DNS_CLIENT, &dns_client_guid, 5, 0x8000000000000FFFULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_ok(cases[i].yaml);
        assert_int_equal(cfg.source.provider, cases[i].provider);
        assert_true(cfg.source.provider_guid_known);
        assert_memory_equal(&cfg.source.provider_guid, cases[i].guid, sizeof(ad_guid));
        assert_int_equal(cfg.source.level, cases[i].level);
        assert_true(cfg.source.match_any_keyword == cases[i].keywords);
    }
}

static void test_other_providers(void **state)
{
    (void)state;
    /* By name: capture resolves the GUID at run time. */
    load_ok("source:\n  type: etw\n  provider: Microsoft-Windows-Kernel-Process\n");
    assert_int_equal(cfg.source.provider, AD_PROVIDER_UNKNOWN);
    assert_string_equal(cfg.source.provider_name, "Microsoft-Windows-Kernel-Process");
    assert_false(cfg.source.provider_guid_known);
    assert_int_equal(cfg.source.level, 5);
    assert_true(cfg.source.match_any_keyword == UINT64_MAX);

    /* By GUID. */
    load_ok("source:\n  type: etw\n  provider_guid: \"{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}\"\n"
            "  level: 2\n  keywords: 0x10\n");
    assert_int_equal(cfg.source.provider, AD_PROVIDER_UNKNOWN);
    assert_string_equal(cfg.source.provider_name, "");
    assert_true(cfg.source.provider_guid_known);
    assert_int_equal(cfg.source.provider_guid.data1, 0x22FB2CD6);
    assert_int_equal(cfg.source.level, 2);
    assert_true(cfg.source.match_any_keyword == 0x10);
}

static void test_explicit_level_and_keywords_win(void **state)
{
    (void)state;
    load_ok("source:\n  type: etw\n  provider: dns_client\n  level: 0\n  keywords: 0\n");
    assert_int_equal(cfg.source.level, 0);
    assert_true(cfg.source.match_any_keyword == 0);
    load_ok("source:\n  type: etw\n  provider: dns_server\n  level: 5\n"
            "  match_any_keyword: 0xFFFFFFFF\n");
    assert_int_equal(cfg.source.level, 5);
    assert_true(cfg.source.match_any_keyword == 0xFFFFFFFFULL);
}

static void test_hex_and_decimal_keywords(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        uint64_t expect;
    } cases[] = {
        {"0x3F", 0x3F},
        {"63", 0x3F},
        {"0x8000000000000FFF", 0x8000000000000FFFULL},
        {"9223372036854779903", 0x8000000000000FFFULL},
        {"0xFFFFFFFFFFFFFFFF", UINT64_MAX},
        {"18446744073709551615", UINT64_MAX},
        {"\"0x4000000000000000\"", 0x4000000000000000ULL}, /* quoted works too */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char yaml[256];
        snprintf(yaml, sizeof(yaml),
                 "source:\n  type: etw\n  keywords: %s\n  match_all_keyword: %s\n", cases[i].value,
                 cases[i].value);
        load_ok(yaml);
        assert_true(cfg.source.match_any_keyword == cases[i].expect);
        assert_true(cfg.source.match_all_keyword == cases[i].expect);
    }
}

static void test_event_ids(void **state)
{
    (void)state;
    load_ok("source:\n  type: etw\n  event_ids: [256, 0x101, 65535]\n");
    assert_int_equal(cfg.source.event_id_count, 3);
    assert_int_equal(cfg.source.event_ids[0], 256);
    assert_int_equal(cfg.source.event_ids[1], 257);
    assert_int_equal(cfg.source.event_ids[2], 65535);
    load_ok("source:\n  type: etw\n  event_ids:\n    - 3006\n    - 3008\n");
    assert_int_equal(cfg.source.event_id_count, 2);
    load_ok("source:\n  type: etw\n  event_ids: []\n");
    assert_int_equal(cfg.source.event_id_count, 0);
    load_ok("source:\n  type: etw\n  event_ids:\n");
    assert_int_equal(cfg.source.event_id_count, 0);

    /* 64 ids fit (EVENT_FILTER_EVENT_ID's limit); 65 do not. */
    char yaml[1024] = "source:\n  type: etw\n  event_ids: [";
    for (int i = 0; i < 65; i++) {
        char n[16];
        snprintf(n, sizeof(n), "%s%d", i ? ", " : "", 256 + i);
        strcat(yaml, n);
        if (i == 63) {
            char ok[1100];
            snprintf(ok, sizeof(ok), "%s]\n", yaml);
            load_ok(ok);
            assert_int_equal(cfg.source.event_id_count, 64);
        }
    }
    strcat(yaml, "]\n");
    char err[AD_CONFIG_ERR_MAX];
    assert_int_not_equal(test_load_capture(yaml, &cfg, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "'source.event_ids' holds more than 64 entries"));
}

static void test_sources(void **state)
{
    (void)state;
    load_ok("source:\n  type: replay\n  replay:\n    file: /tmp/x.txt\n    rate: 100\n"
            "    loop: true\n    strict: TRUE\n");
    assert_int_equal(cfg.source.type, AD_SOURCE_REPLAY);
    assert_string_equal(cfg.source.replay.file, "/tmp/x.txt");
    assert_true(cfg.source.replay.rate == 100);
    assert_true(cfg.source.replay.loop);
    assert_true(cfg.source.replay.strict);

    load_ok("source:\n  type: synthetic\n  synthetic: {seed: 0xDEADBEEF, rate: 0, count: 10, "
            "mix: dns_client}\n");
    assert_int_equal(cfg.source.type, AD_SOURCE_SYNTHETIC);
    assert_true(cfg.source.synthetic.seed == 0xDEADBEEF);
    assert_true(cfg.source.synthetic.rate == 0);
    assert_true(cfg.source.synthetic.count == 10);
    assert_int_equal(cfg.source.synthetic.mix, AD_MIX_DNS_CLIENT);

    load_ok("source:\n  type: dnstap\n  dnstap:\n    socket_path: /run/x.sock\n"
            "    socket_owner: root\n    socket_group: bind\n    socket_mode: \"0620\"\n"
            "    max_frame_size: 1MiB\n    max_writers: 4\n");
    assert_int_equal(cfg.source.type, AD_SOURCE_DNSTAP);
    assert_string_equal(cfg.source.dnstap.socket_group, "bind");
    assert_int_equal(cfg.source.dnstap.socket_mode, 0620);
    assert_true(cfg.source.dnstap.max_frame_size == 1 << 20);
    assert_int_equal(cfg.source.dnstap.max_writers, 4);
    /* The per-user default follows a max_writers below it. */
    assert_int_equal(cfg.source.dnstap.max_writers_per_user, 4);

    load_ok("source:\n  type: dnstap\n  dnstap:\n    max_writers: 8\n    max_writers_per_user: 2\n"
            "    handshake_timeout: 250ms\n    idle_timeout: 90s\n    max_bad_frames: 0\n");
    assert_int_equal(cfg.source.dnstap.max_writers_per_user, 2);
    assert_true(cfg.source.dnstap.handshake_timeout_ms == 250);
    assert_true(cfg.source.dnstap.idle_timeout_ms == 90000);
    assert_int_equal(cfg.source.dnstap.max_bad_frames, 0);

    load_ok("source:\n  type: etw\n  provider: dns_client\n  process_names:\n"
            "    enabled: false\n    cache_size: 65536\n");
    assert_false(cfg.source.process_names.enabled);
    assert_int_equal(cfg.source.process_names.cache_size, 65536);
    load_ok("source:\n  type: etw\n  process_names: {cache_size: 1}\n");
    assert_true(cfg.source.process_names.enabled);
    assert_int_equal(cfg.source.process_names.cache_size, 1);

    load_ok("source:\n  type: etl\n  etl_file: 'C:\\dns\\trace.etl'\n");
    assert_string_equal(cfg.source.etl_file, "C:\\dns\\trace.etl");
}

static void test_ring_and_misc(void **state)
{
    (void)state;
    static const struct {
        const char *size;
        uint64_t bytes;
    } sizes[] = {{"1MiB", 1 << 20},
                 {"1048576", 1 << 20},
                 {"1024KiB", 1 << 20},
                 {"1GiB", 1 << 30},
                 {"256 MiB", 256u << 20}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char yaml[128];
        snprintf(yaml, sizeof(yaml), "source: {type: etw}\nring:\n  size: %s\n", sizes[i].size);
        load_ok(yaml);
        assert_true(cfg.ring.size == sizes[i].bytes);
    }
    load_ok("source: {type: etw}\nring:\n  name: r1\n  data_mode: \"0600\"\n"
            "  cursor_mode: 0620\n  group: asimdns\n  recreate_on_mismatch: true\n"
            "  exporter_account: \"NT SERVICE\\\\asimdns-exporter\"\n"
            "privileges:\n  user: nobody\n  group: nogroup\n"
            "log:\n  level: debug\n  format: json\n  summary_seconds: 0\nheartbeat_seconds: 60\n");
    assert_string_equal(cfg.ring.name, "r1");
    assert_int_equal(cfg.ring.data_mode, 0600);
    assert_int_equal(cfg.ring.cursor_mode, 0620);
    assert_true(cfg.ring.recreate_on_mismatch);
    assert_string_equal(cfg.ring.exporter_account, "NT SERVICE\\asimdns-exporter");
    assert_string_equal(cfg.privileges.user, "nobody");
    assert_int_equal(cfg.log.level, AD_LOG_DEBUG);
    assert_int_equal(cfg.log.format, AD_LOG_JSON);
    assert_int_equal(cfg.log.summary_seconds, 0);
    assert_int_equal(cfg.heartbeat_seconds, 60);

    /* Empty sections are allowed and mean "all defaults". */
    load_ok("source:\n  type: etw\nring:\nprivileges: {}\nlog: ~\n");
    assert_string_equal(cfg.ring.name, "asimdns");
}

static void test_capture_ignores_environment(void **state)
{
    (void)state;
    static const char *const env[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=http://x:1", NULL};
    test_env_set(env);
    load_ok("source:\n  type: etw\n");
    test_env_set(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_defaults),
        cmocka_unit_test(test_provider_defaults),
        cmocka_unit_test(test_other_providers),
        cmocka_unit_test(test_explicit_level_and_keywords_win),
        cmocka_unit_test(test_hex_and_decimal_keywords),
        cmocka_unit_test(test_event_ids),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_ring_and_misc),
        cmocka_unit_test(test_capture_ignores_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
