/*
 * Unit tests for capture/client_pair (DNS Client 3008 timed by its 3006) and the shared table
 * (capture/query_pair): matching by process, name (any case) and type; no match across
 * processes, types or names; evictions from a full set, silent reuse of stale entries; and,
 * through ad_capture_etw_event into a real ring, the duration on the record and the visible
 * client_pair_evictions counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/client_pair.h"
#include "capture/emit.h"
#include "etw_test_util.h"
#include "etw_vector_builder.h"
#include "ipc/ring.h"
#include "tests/support/test_os.h"

#define T0 1732528800000000000ull
#define MS 1000000ull
#define SEC (1000 * MS)

static void client(ad_event *ev, uint16_t id, uint32_t pid, const char *name, uint32_t qtype,
                   uint64_t t)
{
    ad_event_init(ev);
    ev->hdr.provider = AD_PROVIDER_DNS_CLIENT;
    ev->hdr.source = AD_SOURCE_REPLAY;
    ev->hdr.event_id = id;
    ev->hdr.pid = pid;
    ev->hdr.time_ns = t;
    ev->hdr.qtype = qtype;
    ev->hdr.present = AD_HAS_QTYPE;
    ad_event_set_str(ev, AD_STR_QNAME, name, strlen(name));
}

static void test_pairs_by_process_name_type(void **state)
{
    (void)state;
    ad_query_pair *p = ad_query_pair_new(64);
    assert_non_null(p);
    ad_event q, r;
    client(&q, 3006, 4120, "login.contoso.com", 1, T0);
    assert_int_equal(ad_client_pair_feed(p, &q, 1), AD_PAIR_STORED);
    assert_false(q.hdr.present & AD_HAS_ELAPSED);
    /* Another process, another type, another name: no match. */
    client(&r, 3008, 4121, "login.contoso.com", 1, T0 + 5 * MS);
    assert_int_equal(ad_client_pair_feed(p, &r, 2), AD_PAIR_UNMATCHED);
    client(&r, 3008, 4120, "login.contoso.com", 28, T0 + 5 * MS);
    assert_int_equal(ad_client_pair_feed(p, &r, 2), AD_PAIR_UNMATCHED);
    client(&r, 3008, 4120, "login.contoso.net", 1, T0 + 5 * MS);
    assert_int_equal(ad_client_pair_feed(p, &r, 2), AD_PAIR_UNMATCHED);
    assert_false(r.hdr.present & AD_HAS_ELAPSED);
    /* The same query (name case differs): 42 ms, once. */
    client(&r, 3008, 4120, "LOGIN.contoso.com", 1, T0 + 42 * MS + 999);
    assert_int_equal(ad_client_pair_feed(p, &r, 3), AD_PAIR_MATCHED);
    assert_true(r.hdr.present & AD_HAS_ELAPSED);
    assert_true(r.hdr.present & AD_HAS_RESPONSE_TIME);
    assert_int_equal(r.hdr.elapsed_ms, 42);
    client(&r, 3008, 4120, "login.contoso.com", 1, T0 + 50 * MS);
    assert_int_equal(ad_client_pair_feed(p, &r, 4), AD_PAIR_UNMATCHED);
    /* A completion stamped before its call (clock step): matched, no duration. */
    client(&q, 3006, 7, "a.example", 1, T0);
    assert_int_equal(ad_client_pair_feed(p, &q, 5), AD_PAIR_STORED);
    client(&r, 3008, 7, "a.example", 1, T0 - MS);
    assert_int_equal(ad_client_pair_feed(p, &r, 6), AD_PAIR_MATCHED);
    assert_false(r.hdr.present & AD_HAS_ELAPSED);
    /* Other events and other providers are left alone. */
    client(&q, 3020, 7, "a.example", 1, T0);
    assert_int_equal(ad_client_pair_feed(p, &q, 7), AD_PAIR_NONE);
    client(&q, 3006, 7, "a.example", 1, T0);
    q.hdr.provider = AD_PROVIDER_DNS_SERVER;
    assert_int_equal(ad_client_pair_feed(p, &q, 7), AD_PAIR_NONE);
    client(&q, 3006, 7, "a.example", 1, T0);
    q.hdr.present = 0;
    assert_int_equal(ad_client_pair_feed(p, &q, 7), AD_PAIR_NONE);
    ad_query_pair_free(p);
}

static void test_bounded_with_evictions(void **state)
{
    (void)state;
    ad_query_pair *p = ad_query_pair_new(4); /* one set of four */
    assert_non_null(p);
    ad_event q, r;
    char name[32];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "n%d.example", i);
        client(&q, 3006, 1, name, 1, T0 + (uint64_t)i);
        assert_int_equal(ad_client_pair_feed(p, &q, 10 + (uint64_t)i), AD_PAIR_STORED);
    }
    /* A fifth pending query pushes out the oldest (n0): an eviction. */
    client(&q, 3006, 1, "n4.example", 1, T0 + 4);
    assert_int_equal(ad_client_pair_feed(p, &q, 20), AD_PAIR_EVICTED);
    client(&r, 3008, 1, "n0.example", 1, T0 + SEC);
    assert_int_equal(ad_client_pair_feed(p, &r, 21), AD_PAIR_UNMATCHED);
    client(&r, 3008, 1, "n1.example", 1, T0 + SEC);
    assert_int_equal(ad_client_pair_feed(p, &r, 22), AD_PAIR_MATCHED);
    /* The same query again reuses its slot: no eviction. */
    client(&q, 3006, 1, "n4.example", 1, T0 + 5);
    assert_int_equal(ad_client_pair_feed(p, &q, 23), AD_PAIR_STORED);
    /* Entries older than the maximum age are replaced silently. */
    client(&q, 3006, 1, "n5.example", 1, T0 + 6);
    assert_int_equal(ad_client_pair_feed(p, &q, 24), AD_PAIR_STORED); /* n1's freed slot */
    client(&q, 3006, 1, "n6.example", 1, T0 + 7);
    assert_int_equal(ad_client_pair_feed(p, &q, 25), AD_PAIR_EVICTED);
    client(&q, 3006, 1, "n7.example", 1, T0 + 8);
    assert_int_equal(ad_client_pair_feed(p, &q, 30 + AD_CLIENT_PAIR_MAX_AGE_NS), AD_PAIR_STORED);
    ad_query_pair_free(p);
}

static ad_err feed(ad_ring_producer *ring, uint16_t id, const char *name, uint64_t t)
{
    static ad_decode_scratch scratch;
    static ad_vb vb;
    ad_etw_event_in in;
    etw_test_client_input(&vb, id, name, 4120, t, AD_SOURCE_REPLAY, &in);
    return ad_capture_etw_event(ring, &in, &scratch);
}

static void test_capture_path_and_counter(void **state)
{
    (void)state;
    char ring_name[64];
    snprintf(ring_name, sizeof(ring_name), "t-cpair-%ld", test_os_pid());
    ad_ring_producer *ring;
    ad_ring_consumer *cons;
    etw_test_ring_open(ring_name, 16u << 20, &ring, &cons);

    /* A paired 3006/3008: the 3008's record carries 250 ms. */
    assert_int_equal(feed(ring, 3006, "paired.example", T0), AD_OK);
    assert_int_equal(feed(ring, 3008, "paired.example", T0 + 250 * MS), AD_OK);
    ad_ring_view v[2];
    size_t got = 0;
    ad_event ev;
    assert_int_equal(ad_ring_consumer_peek(cons, v, 2, &got), AD_OK);
    assert_int_equal(got, 2);
    assert_int_equal(ad_record_decode(v[1].data, v[1].len, &ev), AD_OK);
    assert_int_equal(ev.hdr.event_id, 3008);
    assert_true(ev.hdr.present & AD_HAS_ELAPSED);
    assert_int_equal(ev.hdr.elapsed_ms, 250);

    /* Far more pending queries than the table holds: evictions, counted on the ring. */
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_CLIENT_PAIR_EVICTIONS), 0);
    for (unsigned i = 0; i < 2 * AD_CLIENT_PAIR_SLOTS; i++) {
        char name[32];
        snprintf(name, sizeof(name), "p%u.example", i);
        (void)feed(ring, 3006, name, T0 + i);
    }
    uint64_t evicted = ad_ring_producer_counter_get(ring, AD_CAP_CLIENT_PAIR_EVICTIONS);
    assert_true(evicted >= AD_CLIENT_PAIR_SLOTS);
    assert_string_equal(ad_capture_counter_name(AD_CAP_CLIENT_PAIR_EVICTIONS),
                        "client_pair_evictions");

    etw_test_ring_close(ring_name, ring, cons);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_by_process_name_type),
        cmocka_unit_test(test_bounded_with_evictions),
        cmocka_unit_test(test_capture_path_and_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
