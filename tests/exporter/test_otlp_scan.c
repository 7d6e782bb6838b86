/*
 * Unit tests for exporter/otlp_scan.h: the wire walk of ExportLogsServiceRequest (hand-written
 * byte vectors, malformed input), the record-id sequence parser and the sequence range set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exporter/otlp_batch.h"
#include "exporter/otlp_decode.h"
#include "exporter/otlp_scan.h"

#define ID_KEY "asimdns.record_id"

typedef struct ids {
    int n;
    char seen[8][32];
    int stop_at;
} ids;

static int collect(const char *id, size_t len, void *arg)
{
    ids *c = arg;
    if (c->n < 8) {
        if (id == NULL)
            strcpy(c->seen[c->n], "(none)");
        else
            snprintf(c->seen[c->n], sizeof(c->seen[0]), "%.*s", (int)len, id);
    }
    c->n++;
    return c->n == c->stop_at;
}

static ad_err scan(const uint8_t *m, size_t len, ids *c, ad_otlp_scan_counts *n)
{
    return ad_otlp_scan_request(m, len, ID_KEY, collect, c, n);
}

/*
 * One ResourceLogs {resource {}, ScopeLogs {scope {name "s"}, two LogRecords}}. Record 1:
 * time (fixed64), severity 9, attributes "a"=int 7 and the id "ab-12"; record 2: no id.
 */
static const uint8_t two_records[] = {
    0x0a, 0x41,                                          /* Request.resource_logs, 65 bytes */
    0x0a, 0x00,                                          /* ResourceLogs.resource {} */
    0x12, 0x3d,                                          /* ResourceLogs.scope_logs, 61 bytes */
    0x0a, 0x03, 0x0a, 0x01, 's',                         /* ScopeLogs.scope {name "s"} */
    0x12, 0x32,                                          /* LogRecord 1, 50 bytes */
    0x09, 1,    0,    0,    0,   0,    0,    0,    0,    /* time_unix_nano */
    0x10, 0x09,                                          /* severity_number 9 */
    0x32, 0x07, 0x0a, 0x01, 'a', 0x12, 0x02, 0x18, 0x07, /* KeyValue a = int 7 */
    0x32, 0x1c, 0x0a, 0x11, 'a', 's',  'i',  'm',  'd',  'n', 's', '.', 'r', 'e', 'c', 'o',
    'r',  'd',  '_',  'i',  'd', 0x12, 0x07, 0x0a, 0x05, 'a', 'b', '-', '1', '2', /* id "ab-12" */
    0x12, 0x02, 0x10, 0x11, /* LogRecord 2: severity 17 */
};

static void test_scan_valid(void **state)
{
    (void)state;
    ids c = {0};
    ad_otlp_scan_counts n;
    assert_int_equal(scan(two_records, sizeof(two_records), &c, &n), AD_OK);
    assert_int_equal(n.resource_logs, 1);
    assert_int_equal(n.scope_logs, 1);
    assert_int_equal(n.records, 2);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.seen[0], "ab-12");
    assert_string_equal(c.seen[1], "(none)");
    /* protobuf-c agrees this is a valid request with two records. */
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(two_records, sizeof(two_records), &req), AD_OK);
    assert_int_equal(ad_otlp_request_record_count(req), 2);
    ad_otlp_request_free(req);
    /* No id key: the same walk, ids NULL. */
    c = (ids){0};
    assert_int_equal(ad_otlp_scan_request(two_records, sizeof(two_records), NULL, collect, &c, &n),
                     AD_OK);
    assert_int_equal(n.records, 2);
    assert_string_equal(c.seen[0], "(none)");
}

static void test_scan_empty_and_unknown_fields(void **state)
{
    (void)state;
    ad_otlp_scan_counts n;
    assert_int_equal(ad_otlp_scan_request(NULL, 0, ID_KEY, NULL, NULL, &n), AD_OK);
    assert_int_equal(n.records, 0);
    /* Unknown fields of every valid wire type are skipped at every level. */
    static const uint8_t m[] = {
        0x10, 0x96, 0x01,                             /* Request field 2 varint 150 */
        0x19, 1,    2,    3,    4,    5,   6,   7, 8, /* field 3 fixed64 */
        0x25, 1,    2,    3,    4,                    /* field 4 fixed32 */
        0x0a, 0x0c,                                   /* resource_logs */
        0xa0, 0x06, 0x01,                             /* ResourceLogs field 100 varint */
        0x12, 0x07,                                   /* scope_logs */
        0x12, 0x05, 0xfa, 0x01, 0x02, 'x', 'y',       /* LogRecord with field 31 LEN */
    };
    assert_int_equal(ad_otlp_scan_request(m, sizeof(m), ID_KEY, NULL, NULL, &n), AD_OK);
    assert_int_equal(n.records, 1);
}

static void test_scan_id_value_forms(void **state)
{
    (void)state;
    ids c = {0};
    /* id attribute given as int (not a string): NULL; then a string; last one wins. */
    static const uint8_t m[] = {
        0x0a, 0x2a, 0x12, 0x28, 0x12, 0x26, /* R, S, LogRecord */
        0x32, 0x17, 0x0a, 0x11, 'a',  's',  'i',  'm',  'd',  'n',  's',  '.', 'r', 'e',
        'c',  'o',  'r',  'd',  '_',  'i',  'd',  0x12, 0x02, 0x18, 0x05,           /* id = int 5 */
        0x32, 0x0b, 0x0a, 0x01, 'x',  0x12, 0x06, 0x0a, 0x04, 'f',  '-',  '9', '9', /* x = "f-99" */
    };
    ad_otlp_scan_counts n;
    assert_int_equal(scan(m, sizeof(m), &c, &n), AD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.seen[0], "(none)");
}

/* Each vector is malformed in one way; the walk must refuse it with the given error. */
static void test_scan_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        uint8_t m[16];
        size_t len;
        ad_err want;
    } cases[] = {
        {"truncated tag varint", {0x8a}, 1, AD_ETRUNC},
        {"truncated length varint", {0x0a, 0x80}, 2, AD_ETRUNC},
        {"length past end", {0x0a, 0x05, 0x12, 0x00}, 4, AD_ETRUNC},
        {"nested length past its parent", {0x0a, 0x02, 0x12, 0x05, 0x00, 0x00, 0x00}, 7, AD_ETRUNC},
        {"varint of 11 bytes",
         {0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
         12,
         AD_EFORMAT},
        {"10th varint byte > 1",
         {0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
         11,
         AD_EFORMAT},
        {"field number 0", {0x02, 0x00}, 2, AD_EFORMAT},
        {"start group", {0x0b}, 1, AD_EFORMAT},
        {"end group", {0x0c}, 1, AD_EFORMAT},
        {"wire type 6", {0x0e}, 1, AD_EFORMAT},
        {"wire type 7", {0x0f}, 1, AD_EFORMAT},
        {"truncated fixed64", {0x19, 1, 2, 3}, 4, AD_ETRUNC},
        {"truncated fixed32", {0x1d, 1, 2}, 3, AD_ETRUNC},
        {"resource_logs as varint", {0x08, 0x01}, 2, AD_EFORMAT},
        {"scope_logs as fixed32", {0x0a, 0x05, 0x15, 1, 2, 3, 4}, 7, AD_EFORMAT},
        {"log_records as varint", {0x0a, 0x04, 0x12, 0x02, 0x10, 0x01}, 6, AD_EFORMAT},
        {"time_unix_nano as varint",
         {0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x08, 0x01},
         8,
         AD_EFORMAT},
        {"attributes as varint", {0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x30, 0x01}, 8, AD_EFORMAT},
        {"KeyValue key as varint",
         {0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x32, 0x02, 0x08, 0x01},
         10,
         AD_EFORMAT},
        {"truncated inside a KeyValue",
         {0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x32, 0x02, 0x0a, 0x05},
         10,
         AD_ETRUNC},
        {"field number above 2^29-1", {0xfa, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}, 7, AD_EFORMAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_otlp_scan_counts n;
        ad_err got = ad_otlp_scan_request(cases[i].m, cases[i].len, ID_KEY, NULL, NULL, &n);
        if (got != cases[i].want)
            fail_msg("%s: got %s, want %s", cases[i].what, ad_strerror(got),
                     ad_strerror(cases[i].want));
    }
    /* Every strict prefix of a valid request that cuts a field is refused. */
    for (size_t cut = 1; cut < sizeof(two_records); cut++) {
        ad_otlp_scan_counts n;
        assert_int_not_equal(ad_otlp_scan_request(two_records, cut, ID_KEY, NULL, NULL, &n), AD_OK);
    }
}

static void test_scan_callback_stops(void **state)
{
    (void)state;
    ids c = {.stop_at = 1};
    ad_otlp_scan_counts n;
    assert_int_equal(scan(two_records, sizeof(two_records), &c, &n), AD_EINVAL);
    assert_int_equal(c.n, 1);
    assert_int_equal(n.records, 1);
}

/* A batch from the exporter's own encoder: the walk finds every record and id. */
static void test_scan_exporter_batch(void **state)
{
    (void)state;
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(NULL, &b), AD_OK);
    ad_asim a;
    memset(&a, 0, sizeof(a));
    a.time_ns = 1;
    a.service_name = "svc";
    strcpy(a.body, "body");
    a.body_len = 4;
    char id[32];
    for (int i = 0; i < 5; i++) {
        int len = snprintf(id, sizeof(id), "1f-%d", 100 + i);
        a.attrs[0] = (ad_attr){.key = "s", .kind = AD_ATTR_STR, .str = "value", .len = 5};
        a.attrs[1] = (ad_attr){.key = ID_KEY, .kind = AD_ATTR_STR, .str = id, .len = (size_t)len};
        a.nattrs = 2;
        assert_int_equal(ad_otlp_batch_add(b, &a, 2), AD_OK);
    }
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    ids c = {0};
    ad_otlp_scan_counts n;
    assert_int_equal(scan(data, len, &c, &n), AD_OK);
    assert_int_equal(n.records, 5);
    assert_string_equal(c.seen[0], "1f-100");
    assert_string_equal(c.seen[4], "1f-104");
    ad_otlp_batch_destroy(b);
}

static void test_record_seq(void **state)
{
    (void)state;
    uint64_t s = 0;
    assert_int_equal(ad_otlp_scan_record_seq("587cbf928be46bda-1", 18, &s), AD_OK);
    assert_int_equal(s, 1);
    assert_int_equal(ad_otlp_scan_record_seq("AB-18446744073709551615", 23, &s), AD_OK);
    assert_true(s == UINT64_MAX);
    static const char *bad[] = {
        "", "-1", "ab-", "ab", "xy-1", "ab-1x", "ab-+1", "a-b-1", "ab-18446744073709551616"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ad_otlp_scan_record_seq(bad[i], strlen(bad[i]), &s), AD_EFORMAT);
    assert_int_equal(ad_otlp_scan_record_seq(NULL, 0, &s), AD_EFORMAT);
}

static void test_seq_ranges(void **state)
{
    (void)state;
    ad_seq_ranges r;
    ad_seq_ranges_init(&r);
    assert_int_equal(ad_seq_ranges_missing(&r), 0);
    for (uint64_t i = 1; i <= 1000; i++)
        assert_int_equal(ad_seq_ranges_add(&r, i), AD_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.distinct, 1000);
    assert_int_equal(ad_seq_ranges_missing(&r), 0);
    /* A gap, out-of-order fill, duplicates. */
    assert_int_equal(ad_seq_ranges_add(&r, 1005), AD_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(ad_seq_ranges_missing(&r), 4);
    assert_int_equal(ad_seq_ranges_add(&r, 1003), AD_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(ad_seq_ranges_add(&r, 1004), AD_OK); /* joins the next */
    assert_int_equal(ad_seq_ranges_add(&r, 1001), AD_OK); /* joins the previous */
    assert_int_equal(r.n, 2);
    assert_int_equal(ad_seq_ranges_add(&r, 1002), AD_OK); /* joins both */
    assert_int_equal(r.n, 1);
    assert_int_equal(ad_seq_ranges_missing(&r), 0);
    assert_int_equal(ad_seq_ranges_add(&r, 500), AD_OK);
    assert_int_equal(ad_seq_ranges_add(&r, 1005), AD_OK);
    assert_int_equal(r.duplicates, 2);
    assert_int_equal(r.distinct, 1005);
    /* Below the first range, many separate ranges (array growth), then filled. */
    for (uint64_t i = 0; i < 200; i++)
        assert_int_equal(ad_seq_ranges_add(&r, 10000 + 2 * i), AD_OK);
    assert_int_equal(r.n, 201);
    assert_int_equal(ad_seq_ranges_missing(&r), 10398 - (1005 + 200));
    for (uint64_t i = 1006; i < 10398; i++)
        assert_int_equal(ad_seq_ranges_add(&r, i), AD_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.distinct, 10398);
    assert_int_equal(ad_seq_ranges_missing(&r), 0);
    assert_int_equal(ad_seq_ranges_add(&r, 0), AD_OK);
    assert_int_equal(r.r[0].lo, 0);
    assert_int_equal(ad_seq_ranges_add(&r, UINT64_MAX), AD_OK);
    assert_int_equal(ad_seq_ranges_add(&r, UINT64_MAX), AD_OK);
    assert_int_equal(r.n, 2);
    ad_seq_ranges_free(&r);
}

/* A request's ids are collected, then committed to the set; records without an id counted. */
static void test_seq_pending(void **state)
{
    (void)state;
    ad_seq_pending pend = {0};
    ad_seq_ranges r;
    ad_seq_ranges_init(&r);
    assert_int_equal(ad_otlp_scan_request(two_records, sizeof(two_records), ID_KEY,
                                          ad_seq_pending_collect, &pend, NULL),
                     AD_OK);
    assert_int_equal(pend.n, 1);
    assert_int_equal(pend.seq[0], 12);
    assert_int_equal(pend.no_id, 1);
    assert_int_equal(r.distinct, 0); /* nothing in the set before the commit */
    assert_int_equal(ad_seq_pending_commit(&pend, &r), AD_OK);
    assert_int_equal(r.distinct, 1);
    /* A reset forgets the last request; an id not of the record-id form is not a number. */
    ad_seq_pending_reset(&pend);
    assert_int_equal(ad_seq_pending_collect("ab-13", 5, &pend), 0);
    assert_int_equal(ad_seq_pending_collect("ab-x", 4, &pend), 0);
    assert_int_equal(ad_seq_pending_collect(NULL, 0, &pend), 0);
    assert_int_equal(pend.n, 1);
    assert_int_equal(pend.no_id, 2);
    assert_int_equal(ad_seq_pending_commit(&pend, &r), AD_OK);
    assert_int_equal(r.distinct, 2);
    assert_int_equal(r.n, 1);
    /* A number that could not be kept makes the commit report it. */
    pend.nomem = true;
    assert_int_equal(ad_seq_pending_commit(&pend, &r), AD_ENOMEM);
    assert_int_equal(r.duplicates, 1);
    ad_seq_pending_free(&pend);
    ad_seq_ranges_free(&r);
}

/* Random corruptions of a real batch: never a crash or an out-of-bounds read (ASan build). */
static void test_scan_random_mutations(void **state)
{
    (void)state;
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(NULL, &b), AD_OK);
    ad_asim a;
    memset(&a, 0, sizeof(a));
    a.time_ns = 1;
    a.service_name = "svc";
    a.attrs[0] = (ad_attr){.key = ID_KEY, .kind = AD_ATTR_STR, .str = "a-1", .len = 3};
    a.attrs[1] = (ad_attr){.key = "i", .kind = AD_ATTR_INT, .num = -3};
    a.nattrs = 2;
    for (int i = 0; i < 3; i++)
        assert_int_equal(ad_otlp_batch_add(b, &a, 2), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    size_t ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t *m = malloc(len); /* exact size: ASan sees any read past the end */
        assert_non_null(m);
        memcpy(m, data, len);
        size_t mlen = len;
        for (int e = 0; e < 1 + iter % 4; e++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = (size_t)(x % mlen);
            if ((x >> 32) % 3 == 0)
                m[at] = (uint8_t)(x >> 40);
            else if ((x >> 32) % 3 == 1)
                m[at] ^= (uint8_t)(1u << ((x >> 40) % 8));
            else
                mlen = at + 1;
        }
        ids c = {0};
        ad_otlp_scan_counts n;
        ad_err err = scan(m, mlen, &c, &n);
        assert_true(err == AD_OK || err == AD_ETRUNC || err == AD_EFORMAT);
        if (err == AD_OK) {
            ok++;
            assert_int_equal(n.records, (uint64_t)c.n);
        }
        free(m);
    }
    assert_true(ok > 0);
    ad_otlp_batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_valid),
        cmocka_unit_test(test_scan_empty_and_unknown_fields),
        cmocka_unit_test(test_scan_id_value_forms),
        cmocka_unit_test(test_scan_malformed),
        cmocka_unit_test(test_scan_callback_stops),
        cmocka_unit_test(test_scan_exporter_batch),
        cmocka_unit_test(test_record_seq),
        cmocka_unit_test(test_seq_ranges),
        cmocka_unit_test(test_seq_pending),
        cmocka_unit_test(test_scan_random_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
