/* The batch interface (exporter/batch.h): the same add/finish/reset over each encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/synthetic.h"
#include "exporter/asim.h"
#include "exporter/batch.h"
#include "exporter/otlp_batch.h"

static ad_event ev;
static ad_asim_host host;

static void map_one(ad_asim *out, uint64_t seq)
{
    ad_synth gen;
    ad_synth_init(&gen, 7, AD_SYNTH_BOTH);
    ad_synth_next(&gen, 1732528800000000000ULL, &ev);
    ev.hdr.sequence = seq;
    ad_asim_host_init(&host, "dns01.example.com");
    assert_int_equal(ad_asim_map(&ev, 1, &host, out), AD_OK);
}

static ad_batch *new_batch(ad_payload payload, uint32_t max_records, size_t max_bytes)
{
    ad_batch_opts o = {.payload = payload, .max_records = max_records, .max_bytes = max_bytes};
    ad_batch *b = NULL;
    assert_int_equal(ad_batch_create(&o, &b), AD_OK);
    return b;
}

/* Every encoding: full at max_records, finish gives bytes, reset empties. */
static void full_at_max_records_for_every_encoding(void **state)
{
    (void)state;
    static ad_asim a;
    const ad_payload kinds[] = {AD_PAYLOAD_OTLP, AD_PAYLOAD_JSON_LINES, AD_PAYLOAD_ASIM_ROWS};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        ad_batch *b = new_batch(kinds[k], 3, 0);
        ad_batch_add_result r;
        for (uint64_t i = 0; i < 3; i++) {
            map_one(&a, i);
            assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
            assert_int_equal(r, AD_BATCH_ADDED);
        }
        assert_int_equal(ad_batch_count(b), 3);
        assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
        assert_int_equal(r, AD_BATCH_FULL);
        const uint8_t *data;
        size_t len;
        assert_int_equal(ad_batch_finish(b, &data, &len), AD_OK);
        assert_true(len > 0);
        ad_batch_reset(b);
        assert_int_equal(ad_batch_count(b), 0);
        assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
        assert_int_equal(r, AD_BATCH_ADDED);
        ad_batch_destroy(b);
    }
}

/* JSON lines: full by bytes, but an empty batch takes any line. */
static void lines_full_by_bytes(void **state)
{
    (void)state;
    static ad_asim a;
    map_one(&a, 1);
    ad_batch *b = new_batch(AD_PAYLOAD_JSON_LINES, 100, 10);
    ad_batch_add_result r;
    assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
    assert_int_equal(r, AD_BATCH_ADDED);
    assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
    assert_int_equal(r, AD_BATCH_FULL);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_batch_finish(b, &data, &len), AD_OK);
    assert_int_equal(data[len - 1], '\n');
    assert_non_null(memchr(data, '{', len));
    ad_batch_destroy(b);
}

/* OTLP: a record larger than max_bytes alone is too large, not full. */
static void otlp_record_too_large(void **state)
{
    (void)state;
    static ad_asim a;
    map_one(&a, 1);
    ad_batch *b = new_batch(AD_PAYLOAD_OTLP, 100, 64);
    ad_batch_add_result r;
    assert_int_equal(ad_batch_add(b, &a, NULL, &r), AD_OK);
    assert_int_equal(r, AD_BATCH_TOO_LARGE);
    assert_int_equal(ad_batch_count(b), 0);
    ad_batch_destroy(b);
}

/* An aggregate row: the span's count and times are what the batch writes. */
static void span_overrides_count_and_times(void **state)
{
    (void)state;
    static ad_asim a;
    map_one(&a, 1);
    ad_batch *b = new_batch(AD_PAYLOAD_JSON_LINES, 10, 0);
    ad_batch_span span = {
        .count = 42, .first_ns = 1732528800000000000ULL, .last_ns = 1732528805000000000ULL};
    ad_batch_add_result r;
    assert_int_equal(ad_batch_add(b, &a, &span, &r), AD_OK);
    assert_int_equal(r, AD_BATCH_ADDED);
    const uint8_t *data;
    size_t len;
    assert_int_equal(ad_batch_finish(b, &data, &len), AD_OK);
    char *text = calloc(1, len + 1);
    assert_non_null(text);
    memcpy(text, data, len);
    assert_non_null(strstr(text, "\"EventCount\":42"));
    assert_non_null(strstr(text, "\"EventEndTime\":\"2024-11-25T10:00:05"));
    free(text);
    ad_batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_at_max_records_for_every_encoding),
        cmocka_unit_test(lines_full_by_bytes),
        cmocka_unit_test(otlp_record_too_large),
        cmocka_unit_test(span_overrides_count_and_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
