/*
 * Unit tests for exporter/otlp_decode.h: ExportLogsServiceResponse parsing and encoding
 * (facts/otlp-logs.md §1.1, §2.3) and hostile-input handling of the request decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "exporter/otlp_batch.h"
#include "exporter/otlp_decode.h"
#include "exporter/otlp_json.h"

/* facts §1.1 check: {partial_success{rejected_log_records:2, error_message:"x"}}. */
static const uint8_t partial_2_x[] = {0x0a, 0x05, 0x08, 0x02, 0x12, 0x01, 0x78};

static void test_response_empty_body_is_full_success(void **state)
{
    (void)state;
    ad_otlp_response r;
    memset(&r, 0xff, sizeof(r));
    assert_int_equal(ad_otlp_response_parse(NULL, 0, &r), AD_OK);
    assert_false(r.partial);
    assert_int_equal(r.rejected_log_records, 0);
    assert_string_equal(r.error_message, "");
}

static void test_response_partial_success(void **state)
{
    (void)state;
    ad_otlp_response r;
    assert_int_equal(ad_otlp_response_parse(partial_2_x, sizeof(partial_2_x), &r), AD_OK);
    assert_true(r.partial);
    assert_int_equal(r.rejected_log_records, 2);
    assert_string_equal(r.error_message, "x");
    assert_false(r.error_message_truncated);
}

static void test_response_partial_all_zero_is_success(void **state)
{
    (void)state;
    /* partial_success present but empty: "equivalent to it not being set" (facts §1.1). */
    static const uint8_t empty_ps[] = {0x0a, 0x00};
    ad_otlp_response r;
    assert_int_equal(ad_otlp_response_parse(empty_ps, sizeof(empty_ps), &r), AD_OK);
    assert_false(r.partial);
    /* A warning: rejected 0 with a message is still reported (facts §1.1). */
    static const uint8_t warn[] = {0x0a, 0x06, 0x12, 0x04, 's', 'l', 'o', 'w'};
    assert_int_equal(ad_otlp_response_parse(warn, sizeof(warn), &r), AD_OK);
    assert_true(r.partial);
    assert_int_equal(r.rejected_log_records, 0);
    assert_string_equal(r.error_message, "slow");
}

static void test_response_unknown_fields_ignored(void **state)
{
    (void)state;
    /* Field 9 (varint) before the known field: receivers of newer versions may add fields. */
    static const uint8_t msg[] = {0x48, 0x01, 0x0a, 0x02, 0x08, 0x07};
    ad_otlp_response r;
    assert_int_equal(ad_otlp_response_parse(msg, sizeof(msg), &r), AD_OK);
    assert_true(r.partial);
    assert_int_equal(r.rejected_log_records, 7);
}

static void test_response_malformed(void **state)
{
    (void)state;
    ad_otlp_response r;
    static const uint8_t truncated[] = {0x0a, 0x05, 0x08, 0x02};
    assert_int_equal(ad_otlp_response_parse(truncated, sizeof(truncated), &r), AD_EFORMAT);
    assert_false(r.partial);
    static const uint8_t bad_wire[] = {0x0f};
    assert_int_equal(ad_otlp_response_parse(bad_wire, sizeof(bad_wire), &r), AD_EFORMAT);
    static const char html[] = "<html>oops</html>";
    assert_int_equal(ad_otlp_response_parse(html, sizeof(html) - 1, &r), AD_EFORMAT);
}

static void test_response_too_large(void **state)
{
    (void)state;
    size_t n = AD_OTLP_MAX_RESPONSE_BYTES + 1;
    uint8_t *big = calloc(1, n);
    assert_non_null(big);
    ad_otlp_response r;
    assert_int_equal(ad_otlp_response_parse(big, n, &r), AD_ERANGE);
    free(big);
}

static void test_response_long_message_cut_at_utf8_boundary(void **state)
{
    (void)state;
    /* 510 ASCII bytes then "é" (c3 a9) then more: the cut must not split the character. */
    enum { TEXT = 600 };
    char text[TEXT + 1];
    memset(text, 'a', 510);
    text[510] = (char)0xc3;
    text[511] = (char)0xa9;
    memset(text + 512, 'b', TEXT - 512);
    text[TEXT] = '\0';
    uint8_t buf[700];
    size_t len;
    assert_int_equal(ad_otlp_response_encode(3, text, buf, sizeof(buf), &len), AD_OK);
    ad_otlp_response r;
    assert_int_equal(ad_otlp_response_parse(buf, len, &r), AD_OK);
    assert_true(r.partial);
    assert_true(r.error_message_truncated);
    assert_int_equal(r.rejected_log_records, 3);
    assert_int_equal(strlen(r.error_message), 510);
}

static void test_response_encode(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t len = 99;
    assert_int_equal(ad_otlp_response_encode(2, "x", buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, sizeof(partial_2_x));
    assert_memory_equal(buf, partial_2_x, len);
    /* Full success is the empty body. */
    assert_int_equal(ad_otlp_response_encode(0, NULL, buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, 0);
    assert_int_equal(ad_otlp_response_encode(0, "", buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, 0);
    assert_int_equal(ad_otlp_response_encode(2, "x", buf, 6, &len), AD_EFULL);
    /* Negative counts are int64 varints of 10 bytes (facts §1.3 note on int64). */
    assert_int_equal(ad_otlp_response_encode(-1, NULL, buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, 2 + 1 + 10);
}

/* ---------------------------------------------------------------------------------------- */
/* Request decoding of hostile input                                                          */
/* ---------------------------------------------------------------------------------------- */

static void test_request_empty(void **state)
{
    (void)state;
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(NULL, 0, &req), AD_OK);
    assert_int_equal(ad_otlp_request_record_count(req), 0);
    assert_int_equal(ad_otlp_request_resource_count(req), 0);
    ad_otlp_request_free(req);
}

static void test_request_malformed(void **state)
{
    (void)state;
    ad_otlp_request *req = (ad_otlp_request *)1;
    static const uint8_t truncated[] = {0x0a, 0x10, 0x0a};
    assert_int_equal(ad_otlp_request_decode(truncated, sizeof(truncated), &req), AD_EFORMAT);
    assert_null(req);
    static const uint8_t group[] = {0x0b, 0x0c};
    assert_int_equal(ad_otlp_request_decode(group, sizeof(group), &req), AD_EFORMAT);
    static const uint8_t field0[] = {0x02, 0x00};
    assert_int_equal(ad_otlp_request_decode(field0, sizeof(field0), &req), AD_EFORMAT);
    static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(ad_otlp_request_decode(long_varint, sizeof(long_varint), &req), AD_EFORMAT);
}

/* Builds Request{RL{SL{LR{body = AnyValue{array{AnyValue{array{...}}}}}}}} nested `levels`
 * ArrayValue levels deep, from the inside out. */
static size_t nested_request(uint8_t *buf, size_t cap, int levels)
{
    size_t pos = cap, len = 0;
#define PREPEND_HDR(tag, l)                                                                        \
    do {                                                                                           \
        size_t v_ = (l);                                                                           \
        uint8_t tmp_[11];                                                                          \
        size_t n_ = 0;                                                                             \
        tmp_[n_++] = (tag);                                                                        \
        do {                                                                                       \
            tmp_[n_++] = (uint8_t)((v_ & 0x7f) | (v_ >= 0x80 ? 0x80 : 0));                         \
            v_ >>= 7;                                                                              \
        } while (v_);                                                                              \
        pos -= n_;                                                                                 \
        memcpy(buf + pos, tmp_, n_);                                                               \
        len += n_;                                                                                 \
    } while (0)
    /* innermost AnyValue{int_value: 1} */
    buf[--pos] = 0x01;
    buf[--pos] = 0x18;
    len = 2;
    for (int i = 0; i < levels; i++) {
        PREPEND_HDR(0x0a, len); /* ArrayValue.values = 1 */
        PREPEND_HDR(0x2a, len); /* AnyValue.array_value = 5 */
    }
    PREPEND_HDR(0x2a, len); /* LogRecord.body = 5 */
    PREPEND_HDR(0x12, len); /* ScopeLogs.log_records = 2 */
    PREPEND_HDR(0x12, len); /* ResourceLogs.scope_logs = 2 */
    PREPEND_HDR(0x0a, len); /* Request.resource_logs = 1 */
#undef PREPEND_HDR
    memmove(buf, buf + pos, len);
    return len;
}

static void test_request_nesting_limit(void **state)
{
    (void)state;
    enum { CAP = 1 << 20 };
    uint8_t *buf = malloc(CAP);
    assert_non_null(buf);
    ad_otlp_request *req;
    /* A few levels decode fine. */
    size_t len = nested_request(buf, CAP, 5);
    assert_int_equal(ad_otlp_request_decode(buf, len, &req), AD_OK);
    assert_int_equal(ad_otlp_request_record_count(req), 1);
    ad_otlp_request_free(req);
    /* 100000 levels would exhaust protobuf-c's recursion: refused before it. */
    len = nested_request(buf, CAP, 100000);
    assert_int_equal(ad_otlp_request_decode(buf, len, &req), AD_ERANGE);
    free(buf);
}

typedef struct count_ctx {
    int n, stop_at;
} count_ctx;

static int count_cb(const ad_otlp_record *r, void *ctx)
{
    count_ctx *c = ctx;
    (void)r;
    return ++c->n == c->stop_at ? 42 : 0;
}

static void test_request_foreach_stops(void **state)
{
    (void)state;
    /* Request with one ResourceLogs, one ScopeLogs, three empty LogRecords. */
    static const uint8_t msg[] = {0x0a, 0x08, 0x12, 0x06, 0x12, 0x00, 0x12, 0x00, 0x12, 0x00};
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(msg, sizeof(msg), &req), AD_OK);
    assert_int_equal(ad_otlp_request_record_count(req), 3);
    count_ctx c = {0, 2};
    assert_int_equal(ad_otlp_request_foreach(req, count_cb, &c), 42);
    assert_int_equal(c.n, 2);
    c = (count_ctx){0, 0};
    assert_int_equal(ad_otlp_request_foreach(req, count_cb, &c), 0);
    assert_int_equal(c.n, 3);
    ad_otlp_request_free(req);
}

static int noop_cb(const ad_otlp_record *r, void *ctx)
{
    size_t *n = ctx;
    *n += r->nattrs + r->body.len;
    return 0;
}

/* Random corruptions of a valid request: decode, walk and JSON must never misbehave (run it
 * under ASan/UBSan: build-*-asan). */
static void test_request_random_mutations(void **state)
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
    a.attrs[0] = (ad_attr){.key = "s", .kind = AD_ATTR_STR, .str = "value", .len = 5};
    a.attrs[1] = (ad_attr){.key = "i", .kind = AD_ATTR_INT, .num = -3};
    a.attrs[2] = (ad_attr){.key = "b", .kind = AD_ATTR_BOOL, .num = 1};
    a.nattrs = 3;
    for (int i = 0; i < 3; i++)
        assert_int_equal(ad_otlp_batch_add(b, &a, 2), AD_OK);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_otlp_batch_finish(b, &data, &len), AD_OK);
    uint8_t *m = malloc(len);
    static char text[1 << 15];
    assert_non_null(m);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    size_t ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(m, data, len);
        size_t mlen = len;
        int edits = 1 + iter % 4;
        for (int e = 0; e < edits; e++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = (size_t)(x % mlen);
            switch ((x >> 32) % 3) {
            case 0:
                m[at] = (uint8_t)(x >> 40);
                break;
            case 1:
                m[at] ^= (uint8_t)(1u << ((x >> 40) % 8));
                break;
            default:
                mlen = at + 1; /* truncate */
                break;
            }
        }
        ad_otlp_request *req;
        if (ad_otlp_request_decode(m, mlen, &req) == AD_OK) {
            size_t sum = 0;
            assert_int_equal(ad_otlp_request_foreach(req, noop_cb, &sum), 0);
            ad_strbuf sb;
            ad_strbuf_init(&sb, text, sizeof(text));
            ad_err err = ad_otlp_json_write(ad_otlp_request_message(req), &sb);
            assert_true(err == AD_OK || err == AD_EFULL);
            ad_otlp_request_free(req);
            ok++;
        }
        ad_otlp_response resp;
        ad_err err = ad_otlp_response_parse(m, mlen, &resp);
        assert_true(err == AD_OK || err == AD_EFORMAT);
    }
    assert_true(ok > 0);
    free(m);
    ad_otlp_batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_empty_body_is_full_success),
        cmocka_unit_test(test_response_partial_success),
        cmocka_unit_test(test_response_partial_all_zero_is_success),
        cmocka_unit_test(test_response_unknown_fields_ignored),
        cmocka_unit_test(test_response_malformed),
        cmocka_unit_test(test_response_too_large),
        cmocka_unit_test(test_response_long_message_cut_at_utf8_boundary),
        cmocka_unit_test(test_response_encode),
        cmocka_unit_test(test_request_empty),
        cmocka_unit_test(test_request_malformed),
        cmocka_unit_test(test_request_nesting_limit),
        cmocka_unit_test(test_request_foreach_stops),
        cmocka_unit_test(test_request_random_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
