/*
 * Unit tests for the OTLP batch builder (exporter/otlp_batch.h).
 *
 * The wire test compares against bytes worked out by hand from the field tags in
 * facts/otlp-logs.md §1.1-§1.4; the round trips decode with protobuf-c (generated from the
 * project's .proto files), an implementation independent of the writer, and check that
 * protobuf-c packs the decoded message back to exactly our bytes (so our output is the
 * canonical encoding).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/synthetic.h"
#include "common/dns_tables.h"
#include "exporter/asim.h"
#include "exporter/otlp_batch.h"
#include "exporter/otlp_decode.h"

#if defined(_WIN32)
#define OS_TYPE "windows"
#else
#define OS_TYPE "linux"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */
/* ---------------------------------------------------------------------------------------- */

typedef struct bytes {
    uint8_t b[2048];
    size_t n;
} bytes;

static void put(bytes *x, const void *p, size_t n)
{
    assert_true(x->n + n <= sizeof(x->b));
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

#define PUT(x, ...)                                                                                \
    do {                                                                                           \
        const uint8_t lit_[] = {__VA_ARGS__};                                                      \
        put((x), lit_, sizeof(lit_));                                                              \
    } while (0)

static void put_text(bytes *x, const char *s)
{
    put(x, s, strlen(s));
}

static void expect_bytes(const uint8_t *got, size_t got_len, const bytes *want)
{
    if (got_len != want->n || memcmp(got, want->b, want->n) != 0) {
        size_t i = 0;
        while (i < got_len && i < want->n && got[i] == want->b[i])
            i++;
        fail_msg("bytes differ at offset %zu (got %zu bytes, want %zu)", i, got_len, want->n);
    }
}

static void str_attr(ad_attr *a, const char *key, const char *value)
{
    *a = (ad_attr){.key = key, .kind = AD_ATTR_STR, .str = value, .len = strlen(value)};
}

static void int_attr(ad_attr *a, const char *key, int64_t v)
{
    *a = (ad_attr){.key = key, .kind = AD_ATTR_INT, .num = v};
}

static void bool_attr(ad_attr *a, const char *key, int v)
{
    *a = (ad_attr){.key = key, .kind = AD_ATTR_BOOL, .num = v};
}

/* A small hand-made record (not through the mapping). */
static void tiny_asim(ad_asim *a, const char *service)
{
    memset(a, 0, sizeof(*a));
    a->time_ns = 0x0102030405060708ULL;
    a->severity = AD_ASIM_SEVERITY_INFORMATIONAL;
    a->severity_number = 9;
    a->service_name = service;
    a->body[0] = 'b';
    a->body_len = 1;
    str_attr(&a->attrs[0], "k", "v");
    int_attr(&a->attrs[1], "n", 300);
    bool_attr(&a->attrs[2], "t", 1);
    int_attr(&a->attrs[3], "m", -1);
    a->nattrs = 4;
}

static ad_otlp_batch *new_batch(uint32_t max_records, size_t max_bytes)
{
    ad_otlp_batch_opts o = {.max_records = max_records,
                            .max_bytes = max_bytes,
                            .host_name = "dns01.corp.contoso.com",
                            .instance_id = "inst-1"};
    ad_otlp_batch *b = NULL;
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_OK);
    return b;
}

/* protobuf-c must pack the decoded message back to exactly the bytes we wrote. */
static void expect_canonical(const ad_otlp_request *req, const uint8_t *data, size_t len)
{
    const ad_otlp_request_msg *m = ad_otlp_request_message(req);
    size_t n =
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__get_packed_size(m);
    assert_int_equal(n, len);
    uint8_t *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    assert_int_equal(
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__pack(m, buf), n);
    assert_memory_equal(buf, data, n);
    free(buf);
}

/* Finishes b, decodes the request with protobuf-c and checks it is the canonical encoding. */
static ad_otlp_request *finish_decode_canonical(ad_otlp_batch *b)
{
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    assert_int_equal(len, ad_otlp_batch_size(b));
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    expect_canonical(req, data, len);
    return req;
}

/* ---------------------------------------------------------------------------------------- */
/* Wire bytes by hand                                                                          */
/* ---------------------------------------------------------------------------------------- */

static void test_wire_bytes_tiny_request(void **state)
{
    (void)state;
    ad_otlp_batch_opts o = {.host_name = "h", .instance_id = "i"};
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_OK);
    ad_asim a;
    tiny_asim(&a, "s");
    assert_int_equal(ad_otlp_batch_add(b, &a, 0x1112131415161718ULL), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);

    /* Lengths worked out by hand; O and V are the os.type and version string lengths. */
    const size_t O = strlen(OS_TYPE), V = strlen(ASIMDNS_VERSION);
    const size_t R = 105 + O + V;      /* Resource content: the five KeyValue fields */
    const size_t SL = 110 + V;         /* ScopeLogs: scope field (21 + V) + record (89) */
    const size_t RL = 219 + O + 2 * V; /* ResourceLogs: (2 + R) + (2 + SL) */
    assert_true(R < 128 && SL < 128 && RL >= 128 && RL < 16384);

    bytes w = {.n = 0};
    /* ExportLogsServiceRequest.resource_logs = 1, LEN: tag 0x0a (§1.1), 2-byte varint. */
    PUT(&w, 0x0a, (uint8_t)((RL & 0x7f) | 0x80), (uint8_t)(RL >> 7));
    /* ResourceLogs.resource = 1: 0x0a (§1.2). Resource.attributes = 1: 0x0a (§1.4). */
    PUT(&w, 0x0a, (uint8_t)R);
    /* KeyValue{key = 1 (0x0a), value = 2 (0x12): AnyValue{string_value = 1 (0x0a)}} (§1.3) */
    PUT(&w, 0x0a, 0x13, 0x0a, 0x0c);
    put_text(&w, "service.name");
    PUT(&w, 0x12, 0x03, 0x0a, 0x01, 's');
    PUT(&w, 0x0a, 0x10, 0x0a, 0x09);
    put_text(&w, "host.name");
    PUT(&w, 0x12, 0x03, 0x0a, 0x01, 'h');
    PUT(&w, 0x0a, (uint8_t)(13 + O), 0x0a, 0x07);
    put_text(&w, "os.type");
    PUT(&w, 0x12, (uint8_t)(2 + O), 0x0a, (uint8_t)O);
    put_text(&w, OS_TYPE);
    PUT(&w, 0x0a, (uint8_t)(21 + V), 0x0a, 0x0f);
    put_text(&w, "service.version");
    PUT(&w, 0x12, (uint8_t)(2 + V), 0x0a, (uint8_t)V);
    put_text(&w, ASIMDNS_VERSION);
    PUT(&w, 0x0a, 0x1a, 0x0a, 0x13);
    put_text(&w, "service.instance.id");
    PUT(&w, 0x12, 0x03, 0x0a, 0x01, 'i');
    /* ResourceLogs.scope_logs = 2: 0x12. ScopeLogs.scope = 1: 0x0a; InstrumentationScope
     * name = 1 (0x0a), version = 2 (0x12) (§1.3). */
    PUT(&w, 0x12, (uint8_t)SL);
    PUT(&w, 0x0a, (uint8_t)(19 + V), 0x0a, 0x0f);
    put_text(&w, "asim.dns.events");
    PUT(&w, 0x12, (uint8_t)V);
    put_text(&w, ASIMDNS_VERSION);
    /* ScopeLogs.log_records = 2: 0x12, LogRecord of 87 bytes (§1.2). */
    PUT(&w, 0x12, 0x57);
    PUT(&w, 0x09, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01); /* time_unix_nano, fixed64 LE */
    PUT(&w, 0x10, 0x09);                                           /* severity_number INFO */
    PUT(&w, 0x1a, 0x0d);                                           /* severity_text */
    put_text(&w, "Informational");
    PUT(&w, 0x2a, 0x03, 0x0a, 0x01, 'b'); /* body = AnyValue{string_value "b"} */
    /* attributes = 6: 0x32. string: 0x0a; int_value = 3: 0x18 (300 = ac 02); bool_value =
     * 2: 0x10; int -1 is a 10-byte varint (§1.3 note). */
    PUT(&w, 0x32, 0x08, 0x0a, 0x01, 'k', 0x12, 0x03, 0x0a, 0x01, 'v');
    PUT(&w, 0x32, 0x08, 0x0a, 0x01, 'n', 0x12, 0x03, 0x18, 0xac, 0x02);
    PUT(&w, 0x32, 0x07, 0x0a, 0x01, 't', 0x12, 0x02, 0x10, 0x01);
    PUT(&w, 0x32, 0x10, 0x0a, 0x01, 'm', 0x12, 0x0b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x01);
    /* observed_time_unix_nano = 11, fixed64: tag 0x59 (§1.2). */
    PUT(&w, 0x59, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11);
    assert_int_equal(w.n, 3 + RL);

    expect_bytes(data, len, &w);
    assert_int_equal(ad_otlp_batch_size(b), len);

    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    expect_canonical(req, data, len);
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

/* A oneof member is written even when zero/empty (facts §1.6), and empty strings survive. */
static void test_wire_zero_values_keep_type(void **state)
{
    (void)state;
    ad_otlp_batch *b = new_batch(0, 0);
    ad_asim a;
    memset(&a, 0, sizeof(a));
    a.service_name = "s";
    str_attr(&a.attrs[0], "e", "");
    int_attr(&a.attrs[1], "z", 0);
    bool_attr(&a.attrs[2], "f", 0);
    a.nattrs = 3;
    a.severity = AD_ASIM_SEVERITY__COUNT; /* no text */
    assert_int_equal(ad_otlp_batch_add(b, &a, 0), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    /* The record is the tail of the request: no time, severity, body or observed time. */
    bytes w = {.n = 0};
    PUT(&w, 0x12, 0x1b);
    PUT(&w, 0x32, 0x07, 0x0a, 0x01, 'e', 0x12, 0x02, 0x0a, 0x00);
    PUT(&w, 0x32, 0x07, 0x0a, 0x01, 'z', 0x12, 0x02, 0x18, 0x00);
    PUT(&w, 0x32, 0x07, 0x0a, 0x01, 'f', 0x12, 0x02, 0x10, 0x00);
    assert_true(len > w.n);
    expect_bytes(data + len - w.n, w.n, &w);

    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    expect_canonical(req, data, len);
    const Opentelemetry__Proto__Logs__V1__LogRecord *lr =
        ad_otlp_request_message(req)->resource_logs[0]->scope_logs[0]->log_records[0];
    assert_int_equal(lr->n_attributes, 3);
    assert_int_equal(lr->attributes[0]->value->value_case,
                     OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE);
    assert_int_equal(lr->attributes[1]->value->value_case,
                     OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE);
    assert_int_equal(lr->attributes[2]->value->value_case,
                     OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE);
    assert_null(lr->body);
    assert_int_equal(lr->time_unix_nano, 0);
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

/* ---------------------------------------------------------------------------------------- */
/* Round trips of mapped records                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Checks one decoded record against the ad_asim it came from. */
static void compare_record(const ad_asim *a, const ad_otlp_record *r, uint64_t observed)
{
    assert_int_equal(r->time_unix_nano, a->time_ns);
    assert_int_equal(r->observed_time_unix_nano, observed);
    assert_int_equal(r->severity_number, a->severity_number);
    assert_string_equal(r->severity_text, ad_asim_severity_name(a->severity));
    assert_int_equal(r->body.kind, AD_OTLP_STR);
    assert_int_equal(r->body.len, a->body_len);
    assert_memory_equal(r->body.str, a->body, a->body_len);
    assert_non_null(r->service_name);
    assert_string_equal(r->service_name, a->service_name);
    assert_string_equal(r->scope_name, "asim.dns.events");
    assert_string_equal(r->scope_version, ASIMDNS_VERSION);
    assert_int_equal(r->nattrs, a->nattrs);
    assert_int_equal(r->attrs_over, 0);
    for (unsigned i = 0; i < a->nattrs; i++) {
        const ad_attr *x = &a->attrs[i];
        const ad_otlp_kv *y = &r->attrs[i];
        assert_string_equal(y->key, x->key);
        switch (x->kind) {
        case AD_ATTR_STR:
            assert_int_equal(y->value.kind, AD_OTLP_STR);
            if (y->value.len != x->len || memcmp(y->value.str, x->str, x->len) != 0)
                fail_msg("%s: '%.*s' != '%s'", x->key, (int)x->len, x->str, y->value.str);
            break;
        case AD_ATTR_INT:
            assert_int_equal(y->value.kind, AD_OTLP_INT);
            assert_int_equal(y->value.i, x->num);
            break;
        case AD_ATTR_BOOL:
            assert_int_equal(y->value.kind, AD_OTLP_BOOL);
            assert_int_equal(y->value.i, x->num != 0);
            break;
        }
    }
}

static const char *res_str(const ad_otlp_record *r, const char *key)
{
    for (size_t i = 0; i < r->n_resource_attrs; i++) {
        if (strcmp(r->resource_attrs[i].key, key) == 0) {
            assert_int_equal(r->resource_attrs[i].value.kind, AD_OTLP_STR);
            return r->resource_attrs[i].value.str;
        }
    }
    return NULL;
}

static void expect_resource(const ad_otlp_record *r)
{
    /* Built-in order: service.name, host.name, os.type, service.version, service.instance.id. */
    assert_true(r->n_resource_attrs >= 5);
    assert_string_equal(r->resource_attrs[0].key, "service.name");
    assert_string_equal(r->resource_attrs[1].key, "host.name");
    assert_string_equal(r->resource_attrs[2].key, "os.type");
    assert_string_equal(r->resource_attrs[3].key, "service.version");
    assert_string_equal(r->resource_attrs[4].key, "service.instance.id");
    assert_string_equal(res_str(r, "host.name"), "dns01.corp.contoso.com");
    assert_string_equal(res_str(r, "os.type"), OS_TYPE);
    assert_string_equal(res_str(r, "service.version"), ASIMDNS_VERSION);
    assert_string_equal(res_str(r, "service.instance.id"), "inst-1");
}

static void v4(ad_addr *a, uint8_t a0, uint8_t a1, uint8_t a2, uint8_t a3, int port)
{
    const uint8_t b[4] = {a0, a1, a2, a3};
    ad_addr_set_ipv4(a, b, port);
}

enum { NMAPPED = 4 };
static ad_event mapped_ev[NMAPPED];
static ad_asim mapped[NMAPPED];
static ad_asim_host mapped_host; /* the Dvc* views point into it */

static void map_examples(void)
{
    ad_asim_host_init(&mapped_host, "dns01.corp.contoso.com");
    for (int i = 0; i < NMAPPED; i++) {
        ad_event *ev = &mapped_ev[i];
        ad_event_init(ev);
        ev->hdr.source = AD_SOURCE_REPLAY;
        ev->hdr.provider = AD_PROVIDER_DNS_SERVER;
        ev->hdr.time_ns = 1732528800123456700ULL + (uint64_t)i * 1000;
        ev->hdr.sequence = 42 + (uint64_t)i;
        ad_event_set_str(ev, AD_STR_QNAME, "www.contoso.com.", 16);
    }
    /* 0: query received over UDP, flags, GUID. */
    ad_event *ev = &mapped_ev[0];
    ev->hdr.event_id = 256;
    ev->hdr.present = AD_HAS_QTYPE | AD_HAS_XID | AD_HAS_DNS_FLAGS | AD_HAS_TRANSPORT | AD_HAS_RD;
    ev->hdr.qtype = 1;
    ev->hdr.xid = 30291;
    ev->hdr.dns_flags = 256;
    ev->hdr.bits = AD_BIT_RD;
    ev->hdr.transport = AD_TRANSPORT_UDP;
    v4(&ev->hdr.src, 10, 1, 2, 3, 53000);
    v4(&ev->hdr.dst, 10, 0, 0, 53, 53);
    ad_event_set_str(ev, AD_STR_GUID, "{A1B2}", 6);
    /* 1: failed response (SERVFAIL) over TCP. */
    ev = &mapped_ev[1];
    ev->hdr.event_id = 258;
    ev->hdr.present = AD_HAS_RCODE | AD_HAS_TRANSPORT | AD_HAS_ELAPSED;
    ev->hdr.rcode = 2;
    ev->hdr.elapsed_ms = 1234;
    ev->hdr.transport = AD_TRANSPORT_TCP;
    /* 2: DNS Client query completed with NXDOMAIN status. */
    ev = &mapped_ev[2];
    ev->hdr.provider = AD_PROVIDER_DNS_CLIENT;
    ev->hdr.event_id = 3008;
    ev->hdr.present = AD_HAS_QTYPE | AD_HAS_STATUS;
    ev->hdr.qtype = 28;
    ev->hdr.status = 9003;
    /* 3: a dnstap response (service dns_server). */
    ev = &mapped_ev[3];
    ev->hdr.source = AD_SOURCE_DNSTAP;
    ev->hdr.event_id = 257;
    ev->hdr.present = AD_HAS_RCODE;
    ev->hdr.rcode = 0;
    ad_event_set_str(ev, AD_STR_VERSION, "BIND 9.18", 9);
    for (int i = 0; i < NMAPPED; i++)
        assert_int_equal(ad_asim_map(&mapped_ev[i], 7, &mapped_host, &mapped[i]), AD_OK);
}

typedef struct walk {
    const ad_asim *expect[64];
    size_t n, next;
    uint64_t observed;
} walk;

static int walk_cb(const ad_otlp_record *r, void *ctx)
{
    walk *w = ctx;
    assert_true(w->next < w->n);
    compare_record(w->expect[w->next], r, w->observed);
    expect_resource(r);
    w->next++;
    return 0;
}

static void test_roundtrip_mapped_records(void **state)
{
    (void)state;
    map_examples();
    ad_otlp_batch *b = new_batch(0, 0);
    ad_otlp_batch_set_observed_time(b, 1732528801000000000ULL);
    /* All four, server ones first, so the decoded order is the added order per resource. */
    assert_int_equal(ad_otlp_batch_add(b, &mapped[0], 0), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &mapped[1], 0), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &mapped[2], 0), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &mapped[3], 0), AD_OK);
    assert_int_equal(ad_otlp_batch_count(b), 4);
    assert_int_equal(ad_otlp_batch_services(b), 3);
    ad_otlp_request *req = finish_decode_canonical(b);
    assert_int_equal(ad_otlp_request_record_count(req), 4);
    assert_int_equal(ad_otlp_request_resource_count(req), 3);
    const ad_otlp_request_msg *m = ad_otlp_request_message(req);
    for (size_t i = 0; i < m->n_resource_logs; i++) {
        assert_int_equal(m->resource_logs[i]->n_scope_logs, 1);
        assert_non_null(m->resource_logs[i]->resource);
    }
    walk w = {.expect = {&mapped[0], &mapped[1], &mapped[2], &mapped[3]},
              .n = 4,
              .observed = 1732528801000000000ULL};
    assert_int_equal(ad_otlp_request_foreach(req, walk_cb, &w), 0);
    assert_int_equal(w.next, 4);
    ad_otlp_request_free(req);

    /* Spot checks with values written by hand (facts/asim-dns.md §8 via test_asim.c). */
    assert_string_equal(mapped[0].service_name, "windows_dns_server");
    assert_string_equal(mapped[2].service_name, "windows_dns_client");
    assert_string_equal(mapped[3].service_name, "dns_server");
    assert_int_equal(mapped[1].severity_number, 13); /* Failure -> Low -> WARN */
    ad_otlp_batch_destroy(b);
}

/*
 * Records whose LogRecord length takes 1, 2 and 3 varint bytes (the writer guesses 2 and moves
 * the record otherwise), attributes on both sides of the one-byte-lengths shortcut (key + value
 * < 122 bytes), a key longer than 127 bytes, keys given with and without key_len, an int of
 * 10 varint bytes: protobuf-c reads back every value and packs the same bytes.
 */
static void test_roundtrip_record_length_sizes(void **state)
{
    (void)state;
    static char huge[20000], key150[151], text[200];
    memset(huge, 'h', sizeof(huge));
    memset(key150, 'K', sizeof(key150) - 1);
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + i % 26);
    static ad_asim rec[6];
    tiny_asim(&rec[0], "s"); /* well under 128 bytes */
    rec[0].nattrs = 1;
    tiny_asim(&rec[1], "s"); /* 20 KB: a 3-byte length */
    rec[1].attrs[0] =
        (ad_attr){.key = "huge", .kind = AD_ATTR_STR, .str = huge, .len = sizeof(huge)};
    rec[1].attrs[4] = (ad_attr){.key = key150, .kind = AD_ATTR_STR, .str = "v", .len = 1};
    rec[1].nattrs = 5;
    tiny_asim(&rec[2], "s"); /* around the shortcut's edge, key_len given or measured */
    rec[2].attrs[0] =
        (ad_attr){.key = "kk", .key_len = 2, .kind = AD_ATTR_STR, .str = text, .len = 119};
    rec[2].attrs[1] = (ad_attr){.key = "kk", .kind = AD_ATTR_STR, .str = text, .len = 120};
    rec[2].attrs[2] =
        (ad_attr){.key = "kk", .key_len = 2, .kind = AD_ATTR_STR, .str = text, .len = 127};
    rec[2].attrs[3] = (ad_attr){.key = "kk", .kind = AD_ATTR_STR, .str = text, .len = 128};
    rec[2].attrs[4] = (ad_attr){.key = "yes", .key_len = 3, .kind = AD_ATTR_BOOL, .num = 7};
    rec[2].attrs[5] = (ad_attr){.key = "min", .key_len = 3, .kind = AD_ATTR_INT, .num = INT64_MIN};
    rec[2].attrs[6] = (ad_attr){.key = "no", .kind = AD_ATTR_BOOL, .num = 0};
    rec[2].attrs[7] = (ad_attr){.key = "s0", .kind = AD_ATTR_STR, .str = NULL, .len = 5};
    rec[2].nattrs = 8;
    tiny_asim(&rec[3], "s"); /* about 16 KiB: 2 or 3 length bytes */
    rec[3].attrs[0] = (ad_attr){.key = "huge", .kind = AD_ATTR_STR, .str = huge, .len = 16370};
    tiny_asim(&rec[4], "s");
    rec[4].attrs[0] = (ad_attr){.key = "huge", .kind = AD_ATTR_STR, .str = huge, .len = 16300};
    tiny_asim(&rec[5], "s"); /* 2 bytes again after the moves */
    rec[5].attrs[0] = (ad_attr){.key = "t", .kind = AD_ATTR_STR, .str = text, .len = 200};

    ad_otlp_batch *b = new_batch(0, 0);
    ad_otlp_batch_set_observed_time(b, 1732528801000000000ULL);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(ad_otlp_batch_add(b, &rec[i], 0), AD_OK);
    ad_otlp_request *req = finish_decode_canonical(b);
    /* compare_record wants the value a NULL string is written as: "". */
    rec[2].attrs[7].str = "";
    rec[2].attrs[7].len = 0;
    walk w = {.expect = {&rec[0], &rec[1], &rec[2], &rec[3], &rec[4], &rec[5]},
              .n = 6,
              .observed = 1732528801000000000ULL};
    assert_int_equal(ad_otlp_request_foreach(req, walk_cb, &w), 0);
    assert_int_equal(w.next, 6);
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

/* Per-record observed times win over the batch's. */
static void test_observed_time_per_record(void **state)
{
    (void)state;
    map_examples();
    ad_otlp_batch *b = new_batch(0, 0);
    ad_otlp_batch_set_observed_time(b, 5);
    assert_int_equal(ad_otlp_batch_add(b, &mapped[0], 0), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &mapped[1], 77), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    const Opentelemetry__Proto__Logs__V1__ScopeLogs *sl =
        ad_otlp_request_message(req)->resource_logs[0]->scope_logs[0];
    assert_int_equal(sl->n_log_records, 2);
    assert_int_equal(sl->log_records[0]->observed_time_unix_nano, 5);
    assert_int_equal(sl->log_records[1]->observed_time_unix_nano, 77);
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

/* Realistic records from the synthetic generator: encode, decode (ring path), map, batch. */
enum { NSYNTH = 3000, REC_SLOT = 1024 };

typedef struct synth_set {
    uint8_t *recs; /* NSYNTH slots of REC_SLOT bytes */
    size_t lens[NSYNTH];
    ad_asim_host host;
    ad_event ev;
    ad_asim asim;
    /* walk state: per service the index of the next record to compare */
    size_t cursor[4];
    const char *names[4];
    size_t first, last; /* records [first, last) are in the batch */
    uint64_t observed;
    size_t seen;
} synth_set;

static void synth_map(synth_set *s, size_t i, ad_asim *out)
{
    assert_int_equal(ad_record_decode(s->recs + i * REC_SLOT, s->lens[i], &s->ev), AD_OK);
    assert_int_equal(ad_asim_map(&s->ev, 99, &s->host, out), AD_OK);
}

static int synth_cb(const ad_otlp_record *r, void *ctx)
{
    synth_set *s = ctx;
    static ad_asim a;
    /* Find which service this is and its next record in added order. */
    int k = 0;
    while (k < 4 && s->names[k] && strcmp(s->names[k], r->service_name) != 0)
        k++;
    assert_true(k < 4);
    if (!s->names[k]) {
        s->names[k] = r->service_name;
        s->cursor[k] = s->first;
    }
    for (;;) {
        assert_true(s->cursor[k] < s->last);
        synth_map(s, s->cursor[k]++, &a);
        if (strcmp(a.service_name, r->service_name) == 0)
            break;
    }
    compare_record(&a, r, s->observed);
    expect_resource(r);
    s->seen++;
    return 0;
}

static void test_roundtrip_synthetic_batches(void **state)
{
    (void)state;
    synth_set *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->recs = malloc((size_t)NSYNTH * REC_SLOT);
    assert_non_null(s->recs);
    ad_asim_host_init(&s->host, "dns01.corp.contoso.com");
    ad_synth gen;
    ad_synth_init(&gen, 12345, AD_SYNTH_BOTH);
    for (size_t i = 0; i < NSYNTH; i++) {
        ad_event ev;
        ad_synth_next(&gen, 1732528800000000000ULL, &ev);
        ev.hdr.sequence = i;
        assert_int_equal(ad_record_encode(&ev, s->recs + i * REC_SLOT, REC_SLOT, &s->lens[i]),
                         AD_OK);
    }
    /* Small limits so that several batches are cut, by count and by bytes. */
    ad_otlp_batch *b = new_batch(1000, 300000);
    s->observed = 1732528900000000000ULL;
    ad_otlp_batch_set_observed_time(b, s->observed);
    size_t i = 0, batches = 0, by_bytes = 0;
    while (i < NSYNTH) {
        s->first = i;
        for (; i < NSYNTH; i++) {
            synth_map(s, i, &s->asim);
            ad_err err = ad_otlp_batch_add(b, &s->asim, 0);
            if (err == AD_EFULL)
                break;
            assert_int_equal(err, AD_OK);
            assert_true(ad_otlp_batch_size(b) <= 300000);
        }
        s->last = i;
        if (ad_otlp_batch_count(b) < 1000)
            by_bytes += i < NSYNTH;
        ad_otlp_request *req = finish_decode_canonical(b);
        assert_int_equal(ad_otlp_request_record_count(req), s->last - s->first);
        memset(s->names, 0, sizeof(s->names));
        s->seen = 0;
        assert_int_equal(ad_otlp_request_foreach(req, synth_cb, s), 0);
        assert_int_equal(s->seen, s->last - s->first);
        ad_otlp_request_free(req);
        ad_otlp_batch_reset(b);
        batches++;
    }
    assert_true(batches >= 3);
    assert_true(by_bytes >= 1);
    ad_otlp_batch_destroy(b);
    free(s->recs);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Limits                                                                                     */
/* ---------------------------------------------------------------------------------------- */

static void test_limit_max_records(void **state)
{
    (void)state;
    ad_otlp_batch *b = new_batch(3, 0);
    ad_asim a;
    tiny_asim(&a, "s");
    for (int i = 0; i < 3; i++)
        assert_int_equal(ad_otlp_batch_add(b, &a, 0), AD_OK);
    size_t before = ad_otlp_batch_size(b);
    assert_int_equal(ad_otlp_batch_add(b, &a, 0), AD_EFULL);
    assert_int_equal(ad_otlp_batch_count(b), 3);
    assert_int_equal(ad_otlp_batch_size(b), before);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    assert_int_equal(ad_otlp_request_record_count(req), 3);
    ad_otlp_request_free(req);
    ad_otlp_batch_reset(b);
    assert_int_equal(ad_otlp_batch_count(b), 0);
    assert_int_equal(ad_otlp_batch_size(b), 0);
    assert_int_equal(ad_otlp_batch_add(b, &a, 0), AD_OK);
    ad_otlp_batch_destroy(b);
}

static void test_limit_max_bytes(void **state)
{
    (void)state;
    ad_asim a;
    tiny_asim(&a, "s");
    /* Measure one and two records, then allow exactly two. */
    ad_otlp_batch *b = new_batch(0, 0);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    size_t one = ad_otlp_batch_size(b);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    size_t two = ad_otlp_batch_size(b);
    ad_otlp_batch_destroy(b);
    assert_true(two > one);

    b = new_batch(0, two);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_EFULL);
    assert_int_equal(ad_otlp_batch_size(b), two);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    assert_int_equal(len, two);
    ad_otlp_batch_destroy(b);

    /* One byte less: the second record no longer fits. */
    b = new_batch(0, two - 1);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_EFULL);
    ad_otlp_batch_destroy(b);
}

static void test_limit_oversized_record(void **state)
{
    (void)state;
    ad_asim a;
    tiny_asim(&a, "s");
    ad_otlp_batch *b = new_batch(0, 0);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    size_t one = ad_otlp_batch_size(b);
    ad_otlp_batch_destroy(b);

    /* A record of 1000 bytes of attribute text cannot fit a 600-byte request. */
    static char big[1000];
    memset(big, 'x', sizeof(big));
    ad_asim fat;
    tiny_asim(&fat, "s");
    fat.attrs[0] = (ad_attr){.key = "big", .kind = AD_ATTR_STR, .str = big, .len = sizeof(big)};
    b = new_batch(0, 600);
    assert_true(one <= 600);
    assert_int_equal(ad_otlp_batch_add(b, &fat, 1), AD_ERANGE); /* empty batch */
    assert_int_equal(ad_otlp_batch_count(b), 0);
    assert_int_equal(ad_otlp_batch_size(b), 0);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    assert_int_equal(ad_otlp_batch_add(b, &fat, 1), AD_ERANGE); /* non-empty: still never fits */
    assert_int_equal(ad_otlp_batch_count(b), 1);
    assert_int_equal(ad_otlp_batch_size(b), one);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    assert_int_equal(len, one);
    ad_otlp_batch_destroy(b);
}

static void test_limit_defaults_and_caps(void **state)
{
    (void)state;
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(NULL, &b), AD_OK);
    assert_int_equal(ad_otlp_batch_max_records(b), 8192);
    assert_int_equal(ad_otlp_batch_max_bytes(b), 4u * 1024 * 1024);
    ad_otlp_batch_destroy(b);
    ad_otlp_batch_opts o = {.max_records = 5000000, .max_bytes = (size_t)1 << 30};
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_OK);
    assert_int_equal(ad_otlp_batch_max_records(b), AD_OTLP_MAX_RECORDS_CAP);
    assert_int_equal(ad_otlp_batch_max_bytes(b), AD_OTLP_MAX_BYTES_CAP);
    assert_true(ad_otlp_batch_max_bytes(b) <= 16u * 1024 * 1024);
    ad_otlp_batch_destroy(b);
}

/* A full default batch stays within 4 MiB and memory stays bounded across many batches. */
static void test_limit_fill_default_batch(void **state)
{
    (void)state;
    map_examples();
    ad_otlp_batch *b = new_batch(0, 0);
    for (int round = 0; round < 3; round++) {
        uint32_t n = 0;
        ad_err err;
        while ((err = ad_otlp_batch_add(b, &mapped[n % NMAPPED], 1)) == AD_OK)
            n++;
        assert_int_equal(err, AD_EFULL);
        assert_true(n > 1000);
        assert_true(ad_otlp_batch_size(b) <= AD_OTLP_DEFAULT_MAX_BYTES);
        const uint8_t *data;
        size_t len;
        assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
        assert_true(len <= AD_OTLP_DEFAULT_MAX_BYTES);
        ad_otlp_request *req;
        assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
        assert_int_equal(ad_otlp_request_record_count(req), n);
        ad_otlp_request_free(req);
        ad_otlp_batch_reset(b);
    }
    ad_otlp_batch_destroy(b);
}

/* ---------------------------------------------------------------------------------------- */
/* Services, life cycle, resource options                                                     */
/* ---------------------------------------------------------------------------------------- */

static void test_multiple_services(void **state)
{
    (void)state;
    ad_otlp_batch *b = new_batch(0, 0);
    ad_asim a;
    const char *order[] = {"svc-b", "svc-a", "svc-b", "svc-c", "svc-a", "svc-b"};
    char name_buf[16]; /* the same pointer with changing content must still be told apart */
    for (size_t i = 0; i < 6; i++) {
        snprintf(name_buf, sizeof(name_buf), "%s", order[i]);
        tiny_asim(&a, name_buf);
        a.time_ns = 1000 + i;
        assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    }
    assert_int_equal(ad_otlp_batch_services(b), 3);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    expect_canonical(req, data, len);
    const ad_otlp_request_msg *m = ad_otlp_request_message(req);
    assert_int_equal(m->n_resource_logs, 3);
    /* First-appearance order; records keep their order inside each resource. */
    const char *want_names[] = {"svc-b", "svc-a", "svc-c"};
    const uint64_t want_times[3][3] = {{1000, 1002, 1005}, {1001, 1004, 0}, {1003, 0, 0}};
    const size_t want_n[] = {3, 2, 1};
    for (size_t r = 0; r < 3; r++) {
        const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = m->resource_logs[r];
        assert_string_equal(rl->resource->attributes[0]->key, "service.name");
        assert_string_equal(rl->resource->attributes[0]->value->string_value, want_names[r]);
        assert_int_equal(rl->n_scope_logs, 1);
        assert_string_equal(rl->scope_logs[0]->scope->name, "asim.dns.events");
        assert_int_equal(rl->scope_logs[0]->n_log_records, want_n[r]);
        for (size_t i = 0; i < want_n[r]; i++)
            assert_int_equal(rl->scope_logs[0]->log_records[i]->time_unix_nano, want_times[r][i]);
    }
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

static void test_too_many_services(void **state)
{
    (void)state;
    ad_otlp_batch *b = new_batch(0, 0);
    ad_asim a;
    char names[AD_OTLP_MAX_SERVICES + 1][16];
    for (int i = 0; i < AD_OTLP_MAX_SERVICES; i++) {
        snprintf(names[i], sizeof(names[i]), "svc%d", i);
        tiny_asim(&a, names[i]);
        assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    }
    snprintf(names[AD_OTLP_MAX_SERVICES], 16, "svc%d", AD_OTLP_MAX_SERVICES);
    tiny_asim(&a, names[AD_OTLP_MAX_SERVICES]);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_EFULL);
    /* After a flush the new name recycles a cached slot. */
    ad_otlp_batch_reset(b);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    tiny_asim(&a, names[0]);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    expect_canonical(req, data, len);
    const ad_otlp_request_msg *m = ad_otlp_request_message(req);
    assert_int_equal(m->n_resource_logs, 2);
    assert_string_equal(m->resource_logs[0]->resource->attributes[0]->value->string_value,
                        names[AD_OTLP_MAX_SERVICES]);
    assert_string_equal(m->resource_logs[1]->resource->attributes[0]->value->string_value,
                        names[0]);
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);
}

static void test_lifecycle(void **state)
{
    (void)state;
    ad_otlp_batch *b = new_batch(0, 0);
    const uint8_t *data, *again;
    size_t len, len2;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_EEMPTY);
    ad_asim a;
    tiny_asim(&a, NULL); /* no service name: unknown_service (facts §7) */
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    assert_int_equal(ad_otlp_batch_finish(b, &again, &len2), AD_OK);
    assert_ptr_equal(data, again);
    assert_int_equal(len, len2);
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_EINVAL);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    assert_string_equal(ad_otlp_request_message(req)
                            ->resource_logs[0]
                            ->resource->attributes[0]
                            ->value->string_value,
                        "unknown_service");
    ad_otlp_request_free(req);
    ad_otlp_batch_reset(b);
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_EEMPTY);
    ad_otlp_batch_destroy(b);
    ad_otlp_batch_destroy(NULL);
}

static void set_attr(ad_config_attr *c, const char *k, const char *v)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->key, sizeof(c->key), "%s", k);
    snprintf(c->value, sizeof(c->value), "%s", v);
}

static void test_configured_resource_attributes(void **state)
{
    (void)state;
    ad_config_attr attrs[5];
    set_attr(&attrs[0], "deployment.environment.name", "prod");
    set_attr(&attrs[1], "service.name", "ignored");               /* per record, not configurable */
    set_attr(&attrs[2], "host.name", "override");                 /* replaces the built-in value */
    set_attr(&attrs[3], "deployment.environment.name", "second"); /* first wins */
    set_attr(&attrs[4], "team", "dns");
    ad_otlp_batch_opts o = {.host_name = "os-host", .attrs = attrs, .attr_count = 5};
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_OK);
    ad_asim a;
    tiny_asim(&a, "svc");
    assert_int_equal(ad_otlp_batch_add(b, &a, 1), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    const Opentelemetry__Proto__Resource__V1__Resource *res =
        ad_otlp_request_message(req)->resource_logs[0]->resource;
    /* service.name, host.name, os.type, service.version (no instance id given), then the
     * configured ones not already present. */
    const char *keys[] = {
        "service.name", "host.name", "os.type", "service.version", "deployment.environment.name",
        "team"};
    const char *vals[] = {"svc", "override", OS_TYPE, ASIMDNS_VERSION, "prod", "dns"};
    assert_int_equal(res->n_attributes, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(res->attributes[i]->key, keys[i]);
        assert_string_equal(res->attributes[i]->value->string_value, vals[i]);
    }
    ad_otlp_request_free(req);
    ad_otlp_batch_destroy(b);

    /* Invalid UTF-8 is refused: protobuf strings must be UTF-8. */
    set_attr(&attrs[0], "bad", "\xc3\x28");
    o.attr_count = 1;
    b = NULL;
    assert_int_equal(ad_otlp_batch_create(&o, &b), AD_EINVAL);
    assert_null(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_bytes_tiny_request),
        cmocka_unit_test(test_wire_zero_values_keep_type),
        cmocka_unit_test(test_roundtrip_mapped_records),
        cmocka_unit_test(test_observed_time_per_record),
        cmocka_unit_test(test_roundtrip_record_length_sizes),
        cmocka_unit_test(test_roundtrip_synthetic_batches),
        cmocka_unit_test(test_limit_max_records),
        cmocka_unit_test(test_limit_max_bytes),
        cmocka_unit_test(test_limit_oversized_record),
        cmocka_unit_test(test_limit_defaults_and_caps),
        cmocka_unit_test(test_limit_fill_default_batch),
        cmocka_unit_test(test_multiple_services),
        cmocka_unit_test(test_too_many_services),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_configured_resource_attributes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
