/*
 * Unit tests for capture/fstrm (Frame Streams reader): every handshake path, fed with every
 * split of the byte stream (including byte by byte), and every malformed or unexpected frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/fstrm.h"

#define CT AD_FSTRM_CONTENT_TYPE

typedef struct stream {
    uint8_t b[4096];
    size_t n;
} stream;

static void put32(stream *s, uint32_t v)
{
    assert_true(s->n + 4 <= sizeof(s->b));
    s->b[s->n++] = (uint8_t)(v >> 24);
    s->b[s->n++] = (uint8_t)(v >> 16);
    s->b[s->n++] = (uint8_t)(v >> 8);
    s->b[s->n++] = (uint8_t)v;
}

static void putbytes(stream *s, const void *p, size_t n)
{
    assert_true(s->n + n <= sizeof(s->b));
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void ctrl(stream *s, uint32_t type, const char *ct)
{
    s->n += ad_fstrm_control(type, ct, s->b + s->n, sizeof(s->b) - s->n);
}

/* READY with several content types (fields given as NUL-separated list, "" ends). */
static void ready_multi(stream *s, const char *const *cts, size_t count)
{
    size_t body = 4;
    for (size_t i = 0; i < count; i++)
        body += 8 + strlen(cts[i]);
    put32(s, 0);
    put32(s, (uint32_t)body);
    put32(s, AD_FSTRM_CONTROL_READY);
    for (size_t i = 0; i < count; i++) {
        put32(s, AD_FSTRM_FIELD_CONTENT_TYPE);
        put32(s, (uint32_t)strlen(cts[i]));
        putbytes(s, cts[i], strlen(cts[i]));
    }
}

static void data(stream *s, const char *payload)
{
    put32(s, (uint32_t)strlen(payload));
    putbytes(s, payload, strlen(payload));
}

/* What feeding produced: a text trace like "R42 D:abc D:xy F12" and the final error. */
typedef struct result {
    char trace[512];
    ad_err err;
    const char *why;
} result;

static uint8_t frame_buf[64];

static void run(const stream *s, size_t split, size_t cap, result *res)
{
    ad_fstrm_reader r;
    ad_fstrm_reader_init(&r, frame_buf, cap);
    res->trace[0] = '\0';
    res->err = AD_OK;
    res->why = NULL;
    size_t pos = 0;
    while (pos < s->n) {
        size_t chunk = s->n - pos < split ? s->n - pos : split;
        size_t off = 0;
        while (off < chunk) {
            size_t used = 0;
            ad_fstrm_out out;
            ad_err err = ad_fstrm_feed(&r, s->b + pos + off, chunk - off, &used, &out);
            assert_true(used <= chunk - off);
            off += used;
            if (err != AD_OK) {
                assert_int_equal(r.state, AD_FSTRM_S_FAILED);
                assert_non_null(r.why);
                assert_int_equal(out.kind, AD_FSTRM_NEED_MORE);
                res->err = err;
                res->why = r.why;
                /* stays failed */
                size_t u2;
                assert_int_not_equal(ad_fstrm_feed(&r, s->b, 1, &u2, &out), AD_OK);
                return;
            }
            char item[80] = "";
            switch (out.kind) {
            case AD_FSTRM_NEED_MORE:
                assert_int_equal(off, chunk);
                break;
            case AD_FSTRM_DATA:
                snprintf(item, sizeof(item), "D:%.*s ", (int)out.len, (const char *)out.data);
                break;
            case AD_FSTRM_REPLY:
                snprintf(item, sizeof(item), "R%zu ", out.len);
                break;
            case AD_FSTRM_FINISHED:
                snprintf(item, sizeof(item), "F%zu ", out.len);
                break;
            }
            strncat(res->trace, item, sizeof(res->trace) - strlen(res->trace) - 1);
        }
        pos += chunk;
    }
}

/* Same trace and error for every split; returns the result of the whole-buffer feed. */
static void run_all_splits(const stream *s, size_t cap, result *whole)
{
    run(s, s->n > 0 ? s->n : 1, cap, whole);
    for (size_t split = 1; split < s->n; split++) {
        result r;
        run(s, split, cap, &r);
        assert_string_equal(r.trace, whole->trace);
        assert_int_equal(r.err, whole->err);
    }
}

static void test_bidirectional(void **state)
{
    (void)state;
    stream s = {.n = 0};
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    data(&s, "abc");
    data(&s, "x");
    data(&s, "hello world");
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL);
    result r;
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    assert_string_equal(r.trace, "R42 D:abc D:x D:hello world F12 ");

    /* The ACCEPT and FINISH bytes themselves. */
    ad_fstrm_reader rd;
    ad_fstrm_reader_init(&rd, frame_buf, sizeof(frame_buf));
    ad_fstrm_out out;
    size_t used;
    assert_int_equal(ad_fstrm_feed(&rd, s.b, s.n, &used, &out), AD_OK);
    assert_int_equal(out.kind, AD_FSTRM_REPLY);
    uint8_t want[64];
    size_t wl = ad_fstrm_control(AD_FSTRM_CONTROL_ACCEPT, CT, want, sizeof(want));
    assert_int_equal(out.len, wl);
    assert_memory_equal(out.data, want, wl);
    assert_true(rd.bidirectional);
    size_t off = used;
    do {
        assert_int_equal(ad_fstrm_feed(&rd, s.b + off, s.n - off, &used, &out), AD_OK);
        off += used;
    } while (out.kind != AD_FSTRM_FINISHED);
    const uint8_t finish[12] = {0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5};
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.data, finish, 12);
    assert_int_equal(off, s.n);
    assert_int_equal(rd.frames, 3);
    assert_int_equal(rd.state, AD_FSTRM_S_DONE);
}

static void test_unidirectional(void **state)
{
    (void)state;
    stream s = {.n = 0};
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    assert_int_equal(s.n, 42); /* facts §1.3: 42-byte START header */
    data(&s, "q1");
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL);
    assert_int_equal(s.n, 42 + 6 + 12);
    result r;
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    assert_string_equal(r.trace, "D:q1 F0 ");
    /* START without a content type, no data. */
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, NULL);
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL);
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    assert_string_equal(r.trace, "F0 ");
}

static void test_ready_content_types(void **state)
{
    (void)state;
    stream s = {.n = 0};
    const char *offer[] = {"protobuf:other", CT, "x"};
    ready_multi(&s, offer, 3);
    ctrl(&s, AD_FSTRM_CONTROL_START, NULL);
    data(&s, "z");
    result r;
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    assert_string_equal(r.trace, "R42 D:z ");
    /* Not offered, or nothing offered. */
    s.n = 0;
    ready_multi(&s, offer, 1);
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_EUNSUPP);
    s.n = 0;
    ready_multi(&s, offer, 0);
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_EUNSUPP);
    /* A prefix of ours is not ours. */
    s.n = 0;
    const char *prefix[] = {"protobuf:dnstap.Dnsta"};
    ready_multi(&s, prefix, 1);
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_EUNSUPP);
}

static void test_start_content_types(void **state)
{
    (void)state;
    stream s = {.n = 0};
    result r;
    ctrl(&s, AD_FSTRM_CONTROL_START, "protobuf:other");
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_EUNSUPP);
    /* Two content types in START. */
    s.n = 0;
    put32(&s, 0);
    put32(&s, 4 + 2 * (8 + 22));
    put32(&s, AD_FSTRM_CONTROL_START);
    for (int i = 0; i < 2; i++) {
        put32(&s, AD_FSTRM_FIELD_CONTENT_TYPE);
        put32(&s, 22);
        putbytes(&s, CT, 22);
    }
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_EFORMAT);
    /* An unknown field type is skipped. */
    s.n = 0;
    put32(&s, 0);
    put32(&s, 4 + 8 + 3);
    put32(&s, AD_FSTRM_CONTROL_START);
    put32(&s, 77);
    put32(&s, 3);
    putbytes(&s, "abc", 3);
    data(&s, "ok");
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    assert_string_equal(r.trace, "D:ok ");
}

static void expect_error(const stream *s, ad_err err, const char *trace)
{
    result r;
    run_all_splits(s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, err);
    assert_string_equal(r.trace, trace);
}

static void test_wrong_order(void **state)
{
    (void)state;
    stream s = {.n = 0};
    data(&s, "early"); /* data before START */
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    data(&s, "early"); /* data between ACCEPT and START */
    expect_error(&s, AD_EFORMAT, "R42 ");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL); /* STOP before START */
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    expect_error(&s, AD_EFORMAT, "R42 ");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    expect_error(&s, AD_EFORMAT, "");
    static const uint32_t writer_must_not_send[] = {AD_FSTRM_CONTROL_ACCEPT,
                                                    AD_FSTRM_CONTROL_FINISH, 0, 6, 0xffffffffu};
    for (size_t i = 0; i < 5; i++) {
        s.n = 0;
        ctrl(&s, writer_must_not_send[i], NULL);
        expect_error(&s, AD_EFORMAT, "");
    }
    /* Bytes after STOP (a data frame, or a lone byte). */
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, NULL);
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL);
    data(&s, "late");
    expect_error(&s, AD_EFORMAT, "F0 ");
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, NULL);
    ctrl(&s, AD_FSTRM_CONTROL_STOP, NULL);
    putbytes(&s, "\0", 1);
    expect_error(&s, AD_EFORMAT, "F0 ");
}

static void test_malformed_control(void **state)
{
    (void)state;
    stream s = {.n = 0};
    put32(&s, 0);
    put32(&s, 0); /* control frame of length 0 */
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    put32(&s, 0);
    put32(&s, 3);
    putbytes(&s, "\0\0\0", 3); /* shorter than its type */
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    put32(&s, 0);
    put32(&s, AD_FSTRM_CONTROL_MAX + 1);
    expect_error(&s, AD_ERANGE, "");
    s.n = 0;
    put32(&s, 0);
    put32(&s, 4 + 5); /* field header cut */
    put32(&s, AD_FSTRM_CONTROL_START);
    putbytes(&s, "\0\0\0\1\0", 5);
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    put32(&s, 0);
    put32(&s, 4 + 8 + 2); /* field longer than the frame */
    put32(&s, AD_FSTRM_CONTROL_START);
    put32(&s, AD_FSTRM_FIELD_CONTENT_TYPE);
    put32(&s, 22);
    putbytes(&s, "pr", 2);
    expect_error(&s, AD_EFORMAT, "");
    s.n = 0;
    put32(&s, 0);
    put32(&s, 4 + 8);
    put32(&s, AD_FSTRM_CONTROL_START);
    put32(&s, AD_FSTRM_FIELD_CONTENT_TYPE);
    put32(&s, 0xffffffffu);
    expect_error(&s, AD_EFORMAT, "");
}

static void test_frame_limit(void **state)
{
    (void)state;
    stream s = {.n = 0};
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    char big[sizeof(frame_buf) + 2];
    memset(big, 'b', sizeof(big));
    big[sizeof(frame_buf)] = '\0';
    data(&s, big); /* exactly the limit */
    result r;
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_OK);
    big[sizeof(frame_buf)] = 'b';
    big[sizeof(frame_buf) + 1] = '\0';
    data(&s, big); /* one over */
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_ERANGE);
    /* A huge announced length fails at once, before its body arrives. */
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    put32(&s, 0x7fffffffu);
    run_all_splits(&s, sizeof(frame_buf), &r);
    assert_int_equal(r.err, AD_ERANGE);
    assert_string_equal(r.why, "data frame over the frame size limit");
    /* No buffer at all: every data frame is over the limit. */
    s.n = 0;
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    data(&s, "a");
    ad_fstrm_reader rd;
    ad_fstrm_reader_init(&rd, NULL, 100);
    ad_fstrm_out out;
    size_t used;
    assert_int_equal(ad_fstrm_feed(&rd, s.b, s.n, &used, &out), AD_ERANGE);
}

/*
 * A data frame whole in the bytes of one feed comes out as a view into them (no copy into the
 * reader's buffer); one split over feeds is assembled in the buffer.
 */
static void test_frames_as_views(void **state)
{
    (void)state;
    stream s = {.n = 0};
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    size_t at = s.n;
    data(&s, "abc");
    data(&s, "de");
    data(&s, "fghij");
    ad_fstrm_reader rd;
    ad_fstrm_reader_init(&rd, frame_buf, sizeof(frame_buf));
    ad_fstrm_out out;
    size_t used;
    /* START and the first frame in one feed: START is taken, then the frame as a view. */
    assert_int_equal(ad_fstrm_feed(&rd, s.b, s.n, &used, &out), AD_OK);
    assert_int_equal(out.kind, AD_FSTRM_DATA);
    assert_ptr_equal(out.data, s.b + at + 4);
    assert_int_equal(used, at + 4 + 3);
    at = used;
    assert_int_equal(ad_fstrm_feed(&rd, s.b + at, s.n - at, &used, &out), AD_OK);
    assert_int_equal(out.kind, AD_FSTRM_DATA);
    assert_ptr_equal(out.data, s.b + at + 4);
    assert_int_equal(out.len, 2);
    at += used;
    /* The last frame in two feeds: its first 6 bytes, then the rest. */
    assert_int_equal(ad_fstrm_feed(&rd, s.b + at, 6, &used, &out), AD_OK);
    assert_int_equal(out.kind, AD_FSTRM_NEED_MORE);
    assert_int_equal(used, 6);
    at += used;
    assert_int_equal(ad_fstrm_feed(&rd, s.b + at, s.n - at, &used, &out), AD_OK);
    assert_int_equal(out.kind, AD_FSTRM_DATA);
    assert_ptr_equal(out.data, frame_buf);
    assert_memory_equal(out.data, "fghij", 5);
    assert_int_equal(rd.frames, 3);
}

static void test_partial_and_empty(void **state)
{
    (void)state;
    ad_fstrm_reader rd;
    ad_fstrm_reader_init(&rd, frame_buf, sizeof(frame_buf));
    ad_fstrm_out out;
    size_t used = 99;
    assert_int_equal(ad_fstrm_feed(&rd, NULL, 0, &used, &out), AD_OK);
    assert_int_equal(used, 0);
    assert_int_equal(out.kind, AD_FSTRM_NEED_MORE);
    assert_int_equal(rd.state, AD_FSTRM_S_OPEN);
    /* A stream cut anywhere is simply incomplete. */
    stream s = {.n = 0};
    ctrl(&s, AD_FSTRM_CONTROL_READY, CT);
    ctrl(&s, AD_FSTRM_CONTROL_START, CT);
    data(&s, "abc");
    for (size_t cut = 0; cut < s.n; cut++) {
        stream t = s;
        t.n = cut;
        result r;
        run(&t, cut > 0 ? cut : 1, sizeof(frame_buf), &r);
        assert_int_equal(r.err, AD_OK);
    }
}

static void test_control_writer(void **state)
{
    (void)state;
    uint8_t b[64];
    assert_int_equal(ad_fstrm_control(AD_FSTRM_CONTROL_STOP, NULL, b, sizeof(b)), 12);
    assert_int_equal(ad_fstrm_control(AD_FSTRM_CONTROL_START, CT, b, sizeof(b)), 42);
    assert_int_equal(ad_fstrm_control(AD_FSTRM_CONTROL_START, CT, b, 41), 0);
    char huge[600];
    memset(huge, 'h', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    uint8_t big[1024];
    assert_int_equal(ad_fstrm_control(AD_FSTRM_CONTROL_START, huge, big, sizeof(big)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bidirectional),       cmocka_unit_test(test_unidirectional),
        cmocka_unit_test(test_ready_content_types), cmocka_unit_test(test_start_content_types),
        cmocka_unit_test(test_wrong_order),         cmocka_unit_test(test_malformed_control),
        cmocka_unit_test(test_frame_limit),         cmocka_unit_test(test_partial_and_empty),
        cmocka_unit_test(test_control_writer),      cmocka_unit_test(test_frames_as_views),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
