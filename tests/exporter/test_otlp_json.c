/*
 * Unit tests for exporter/otlp_json.h. Expected texts are written by hand from the OTLP/JSON
 * rules in facts/otlp-logs.md §2.2 (lowerCamelCase keys, 64-bit integers as strings, enums as
 * numbers, hex ids, base64 bytes, NaN/Infinity strings).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "exporter/otlp_batch.h"
#include "exporter/otlp_json.h"

static char text[1 << 16];

static void expect_has(const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("JSON lacks %s\n%s", needle, text);
}

static void expect_lacks(const char *needle)
{
    if (strstr(text, needle))
        fail_msg("JSON has %s\n%s", needle, text);
}

/* Braces and brackets balance outside strings, and the text is one object. */
static void expect_balanced(void)
{
    int depth = 0;
    bool in_str = false;
    for (const char *p = text; *p; p++) {
        if (in_str) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_str = false;
            continue;
        }
        if (*p == '"')
            in_str = true;
        else if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        assert_true(depth >= 0);
        if (depth == 0)
            assert_true(p[1] == '\0');
    }
    assert_int_equal(depth, 0);
    assert_false(in_str);
}

static void test_json_from_batch(void **state)
{
    (void)state;
    ad_otlp_batch_opts o = {.host_name = "h", .instance_id = "i"};
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_OK);
    ad_asim a;
    memset(&a, 0, sizeof(a));
    a.time_ns = 1544712660300000000ULL;
    a.severity = AD_ASIM_SEVERITY_LOW;
    a.severity_number = 13;
    a.service_name = "windows_dns_server";
    strcpy(a.body, "say \"hi\"\n");
    a.body_len = strlen(a.body);
    a.attrs[0] = (ad_attr){.key = "DnsQuery", .kind = AD_ATTR_STR, .str = "a.b", .len = 3};
    a.attrs[1] = (ad_attr){.key = "SrcPortNumber", .kind = AD_ATTR_INT, .num = 53000};
    a.attrs[2] = (ad_attr){.key = "Neg", .kind = AD_ATTR_INT, .num = -5};
    a.attrs[3] = (ad_attr){.key = "DnsFlagsZ", .kind = AD_ATTR_BOOL, .num = 0};
    a.attrs[4] = (ad_attr){.key = "Zero", .kind = AD_ATTR_INT, .num = 0};
    a.nattrs = 5;
    assert_int_equal(ad_otlp_batch_add(b, &a, 1544712660300000001ULL), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);

    ad_strbuf sb;
    ad_strbuf_init(&sb, text, sizeof(text));
    assert_int_equal(ad_otlp_json_from_proto(data, len, &sb), AD_OK);
    expect_balanced();
    assert_memory_equal(text, "{\"resourceLogs\":[{\"resource\":{\"attributes\":[", 44);
    expect_has("{\"key\":\"service.name\",\"value\":{\"stringValue\":\"windows_dns_server\"}}");
    expect_has("{\"key\":\"host.name\",\"value\":{\"stringValue\":\"h\"}}");
    expect_has("{\"key\":\"service.instance.id\",\"value\":{\"stringValue\":\"i\"}}");
    expect_has(
        "\"scopeLogs\":[{\"scope\":{\"name\":\"asim.dns.events\",\"version\":\"" ASIMDNS_VERSION
        "\"},\"logRecords\":[{");
    expect_has("\"timeUnixNano\":\"1544712660300000000\"");
    expect_has("\"observedTimeUnixNano\":\"1544712660300000001\"");
    expect_has("\"severityNumber\":13,");
    expect_has("\"severityText\":\"Low\"");
    expect_has("\"body\":{\"stringValue\":\"say \\\"hi\\\"\\n\"}");
    expect_has("{\"key\":\"DnsQuery\",\"value\":{\"stringValue\":\"a.b\"}}");
    expect_has("{\"key\":\"SrcPortNumber\",\"value\":{\"intValue\":\"53000\"}}");
    expect_has("{\"key\":\"Neg\",\"value\":{\"intValue\":\"-5\"}}");
    expect_has("{\"key\":\"DnsFlagsZ\",\"value\":{\"boolValue\":false}}");
    expect_has("{\"key\":\"Zero\",\"value\":{\"intValue\":\"0\"}}");
    /* No snake_case keys, no enum names (facts §2.2). */
    expect_lacks("time_unix_nano");
    expect_lacks("resource_logs");
    expect_lacks("SEVERITY_NUMBER");
    expect_lacks("\"traceId\"");
    ad_otlp_batch_destroy(b);
}

static void test_json_every_value_kind(void **state)
{
    (void)state;
    /* A request built with protobuf-c that uses what the batch builder never writes. */
    Opentelemetry__Proto__Common__V1__AnyValue
        dbl = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        nan_v = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        ninf = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        byt = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        arr = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        kvl = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        empty = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT,
        inner = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__INIT;
    dbl.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
    dbl.double_value = 0.1;
    nan_v.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
    nan_v.double_value = NAN;
    ninf.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
    ninf.double_value = -INFINITY;
    static uint8_t raw[] = {0x00, 0x01, 0xfe, 0xff};
    byt.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE;
    byt.bytes_value.data = raw;
    byt.bytes_value.len = sizeof(raw);
    inner.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    inner.string_value = "x";
    Opentelemetry__Proto__Common__V1__AnyValue *vals[] = {&inner, &empty};
    Opentelemetry__Proto__Common__V1__ArrayValue av =
        OPENTELEMETRY__PROTO__COMMON__V1__ARRAY_VALUE__INIT;
    av.n_values = 2;
    av.values = vals;
    arr.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE;
    arr.array_value = &av;
    Opentelemetry__Proto__Common__V1__KeyValue ikv =
        OPENTELEMETRY__PROTO__COMMON__V1__KEY_VALUE__INIT;
    ikv.key = "in";
    ikv.value = &inner;
    Opentelemetry__Proto__Common__V1__KeyValue *ikvs[] = {&ikv};
    Opentelemetry__Proto__Common__V1__KeyValueList kl =
        OPENTELEMETRY__PROTO__COMMON__V1__KEY_VALUE_LIST__INIT;
    kl.n_values = 1;
    kl.values = ikvs;
    kvl.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE;
    kvl.kvlist_value = &kl;

    Opentelemetry__Proto__Common__V1__KeyValue kv[6];
    Opentelemetry__Proto__Common__V1__AnyValue *kvv[6] = {&dbl, &nan_v, &ninf, &byt, &arr, &kvl};
    const char *keys[6] = {"d", "n", "i", "b", "a", "k"};
    Opentelemetry__Proto__Common__V1__KeyValue *kvp[6];
    for (int i = 0; i < 6; i++) {
        opentelemetry__proto__common__v1__key_value__init(&kv[i]);
        kv[i].key = (char *)keys[i];
        kv[i].value = kvv[i];
        kvp[i] = &kv[i];
    }
    static uint8_t tid[16] = {0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03,
                              0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c};
    static uint8_t sid[8] = {0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74};
    Opentelemetry__Proto__Logs__V1__LogRecord lr = OPENTELEMETRY__PROTO__LOGS__V1__LOG_RECORD__INIT;
    lr.n_attributes = 6;
    lr.attributes = kvp;
    lr.flags = 1;
    lr.dropped_attributes_count = 3;
    lr.trace_id.data = tid;
    lr.trace_id.len = 16;
    lr.span_id.data = sid;
    lr.span_id.len = 8;
    lr.event_name = "dns.query";
    Opentelemetry__Proto__Logs__V1__LogRecord *lrs[] = {&lr};
    Opentelemetry__Proto__Logs__V1__ScopeLogs sl = OPENTELEMETRY__PROTO__LOGS__V1__SCOPE_LOGS__INIT;
    sl.n_log_records = 1;
    sl.log_records = lrs;
    sl.schema_url = "https://example/s";
    Opentelemetry__Proto__Logs__V1__ScopeLogs *sls[] = {&sl};
    Opentelemetry__Proto__Logs__V1__ResourceLogs rl =
        OPENTELEMETRY__PROTO__LOGS__V1__RESOURCE_LOGS__INIT;
    rl.n_scope_logs = 1;
    rl.scope_logs = sls;
    Opentelemetry__Proto__Logs__V1__ResourceLogs *rls[] = {&rl};
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest req =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_REQUEST__INIT;
    req.n_resource_logs = 1;
    req.resource_logs = rls;

    size_t n =
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__get_packed_size(
            &req);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    opentelemetry__proto__collector__logs__v1__export_logs_service_request__pack(&req, buf);
    ad_strbuf sb;
    ad_strbuf_init(&sb, text, sizeof(text));
    assert_int_equal(ad_otlp_json_from_proto(buf, n, &sb), AD_OK);
    free(buf);
    expect_balanced();
    expect_has("{\"key\":\"d\",\"value\":{\"doubleValue\":0.1}}");
    expect_has("{\"key\":\"n\",\"value\":{\"doubleValue\":\"NaN\"}}");
    expect_has("{\"key\":\"i\",\"value\":{\"doubleValue\":\"-Infinity\"}}");
    expect_has("{\"key\":\"b\",\"value\":{\"bytesValue\":\"AAH+/w==\"}}");
    expect_has(
        "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"},{}]}}}");
    expect_has("{\"key\":\"k\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"in\",\"value\":{"
               "\"stringValue\":\"x\"}}]}}}");
    expect_has("\"droppedAttributesCount\":3");
    expect_has("\"flags\":1");
    expect_has("\"traceId\":\"5b8efff798038103d269b633813fc60c\"");
    expect_has("\"spanId\":\"eee19b7ec3c1b174\"");
    expect_has("\"eventName\":\"dns.query\"");
    expect_has("\"schemaUrl\":\"https://example/s\"");
    expect_lacks("\"timeUnixNano\""); /* 0 = default, left out */
    expect_lacks("\"resource\"");     /* unset */
}

static void test_json_overflow_and_errors(void **state)
{
    (void)state;
    static const uint8_t one_record[] = {0x0a, 0x04, 0x12, 0x02, 0x12, 0x00};
    char small[16];
    ad_strbuf sb;
    ad_strbuf_init(&sb, small, sizeof(small));
    assert_int_equal(ad_otlp_json_from_proto(one_record, sizeof(one_record), &sb), AD_EFULL);
    ad_strbuf_init(&sb, text, sizeof(text));
    assert_int_equal(ad_otlp_json_from_proto(one_record, sizeof(one_record), &sb), AD_OK);
    assert_string_equal(text, "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{}]}]}]}");
    static const uint8_t broken[] = {0x0a, 0x09};
    ad_strbuf_init(&sb, text, sizeof(text));
    assert_int_equal(ad_otlp_json_from_proto(broken, sizeof(broken), &sb), AD_EFORMAT);
    ad_strbuf_init(&sb, text, sizeof(text));
    assert_int_equal(ad_otlp_json_from_proto(NULL, 0, &sb), AD_OK);
    assert_string_equal(text, "{\"resourceLogs\":[]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_from_batch),
        cmocka_unit_test(test_json_every_value_kind),
        cmocka_unit_test(test_json_overflow_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
