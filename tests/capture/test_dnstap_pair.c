/*
 * Unit tests for dnstap query/response pairing (capture/dnstap_pair.h): a response without
 * a query time gets its duration from the query; the key tells apart ports, ids, transports,
 * names and types; a response with its own duration keeps it; the table is bounded and counts
 * an eviction only when a recent unanswered query loses its slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "capture/dnstap_pair.h"

#define MS 1000000ull
#define T0 (1700000000ull * 1000000000ull)

static const uint8_t client_ip[4] = {127, 0, 0, 1};
static const uint8_t server_ip[4] = {127, 0, 0, 2};

/* An event as dnstap_decode makes it: queries client -> server, responses the other way. */
static ad_event make(bool response, uint16_t client_port, uint16_t xid, const char *qname,
                     uint32_t qtype, uint8_t transport)
{
    ad_event ev;
    ad_event_init(&ev);
    ad_addr *client = response ? &ev.hdr.dst : &ev.hdr.src;
    ad_addr *server = response ? &ev.hdr.src : &ev.hdr.dst;
    ad_addr_set_ipv4(client, client_ip, client_port);
    ad_addr_set_ipv4(server, server_ip, 53);
    ev.hdr.xid = xid;
    ev.hdr.qtype = qtype;
    ev.hdr.transport = transport;
    ev.hdr.present = AD_HAS_XID | AD_HAS_QTYPE | AD_HAS_TRANSPORT;
    if (response)
        ev.hdr.bits |= AD_BIT_RESPONSE;
    ad_event_set_str(&ev, AD_STR_QNAME, qname, strlen(qname));
    return ev;
}

static void test_pairs_and_sets_elapsed(void **state)
{
    (void)state;
    ad_dnstap_pair *p = ad_dnstap_pair_new(64);
    assert_non_null(p);
    ad_event q = make(false, 40000, 0x1234, "www.example.com.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, 1), AD_PAIR_STORED);
    assert_false(q.hdr.present & AD_HAS_ELAPSED); /* a query never gets a duration */
    /* Case differs (0x20 randomization): still the same question. */
    ad_event r = make(true, 40000, 0x1234, "WWW.Example.com.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &r, T0 + 7 * MS + 999, 2), AD_PAIR_MATCHED);
    assert_true(r.hdr.present & AD_HAS_ELAPSED);
    assert_true(r.hdr.present & AD_HAS_RESPONSE_TIME);
    assert_int_equal(r.hdr.elapsed_ms, 7);
    /* The query was forgotten: a second response finds nothing. */
    ad_event r2 = make(true, 40000, 0x1234, "www.example.com.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &r2, T0 + 8 * MS, 3), AD_PAIR_UNMATCHED);
    assert_false(r2.hdr.present & AD_HAS_ELAPSED);
    ad_dnstap_pair_free(p);
}

static void test_key_fields_matter(void **state)
{
    (void)state;
    ad_dnstap_pair *p = ad_dnstap_pair_new(64);
    ad_event q = make(false, 40000, 7, "a.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, 1), AD_PAIR_STORED);
    ad_event other[] = {
        make(true, 40001, 7, "a.example.", 1, AD_TRANSPORT_UDP),  /* port */
        make(true, 40000, 8, "a.example.", 1, AD_TRANSPORT_UDP),  /* DNS id */
        make(true, 40000, 7, "b.example.", 1, AD_TRANSPORT_UDP),  /* name */
        make(true, 40000, 7, "a.example.", 28, AD_TRANSPORT_UDP), /* type */
        make(true, 40000, 7, "a.example.", 1, AD_TRANSPORT_TCP),  /* transport */
    };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        assert_int_equal(ad_dnstap_pair_feed(p, &other[i], T0 + MS, 2), AD_PAIR_UNMATCHED);
        assert_false(other[i].hdr.present & AD_HAS_ELAPSED);
    }
    /* None of those consumed the query: its own response still finds it. */
    ad_event r = make(true, 40000, 7, "a.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &r, T0 + 2 * MS, 3), AD_PAIR_MATCHED);
    assert_int_equal(r.hdr.elapsed_ms, 2);
    ad_dnstap_pair_free(p);
}

static void test_own_duration_and_unusable_events(void **state)
{
    (void)state;
    ad_dnstap_pair *p = ad_dnstap_pair_new(64);
    ad_event q = make(false, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, 1), AD_PAIR_STORED);
    /* BIND and Knot Resolver put the query time in the response: that duration stays. */
    ad_event r = make(true, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    r.hdr.elapsed_ms = 42;
    r.hdr.present |= AD_HAS_ELAPSED;
    assert_int_equal(ad_dnstap_pair_feed(p, &r, T0 + 3 * MS, 2), AD_PAIR_MATCHED);
    assert_int_equal(r.hdr.elapsed_ms, 42);
    assert_false(r.hdr.present & AD_HAS_RESPONSE_TIME);
    /* A response time before the query's (a clock step) gives no duration. */
    assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, 3), AD_PAIR_STORED);
    ad_event early = make(true, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &early, T0 - MS, 4), AD_PAIR_MATCHED);
    assert_false(early.hdr.present & AD_HAS_ELAPSED);
    /* A response without a time of its own forgets the query but gets no duration. */
    assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, 5), AD_PAIR_STORED);
    ad_event untimed = make(true, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &untimed, 0, 6), AD_PAIR_MATCHED);
    assert_false(untimed.hdr.present & AD_HAS_ELAPSED);
    /* No DNS id (an unreadable header) or no question: nothing to pair on. */
    ad_event noid = make(false, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    noid.hdr.present &= ~(uint32_t)AD_HAS_XID;
    assert_int_equal(ad_dnstap_pair_feed(p, &noid, T0, 7), AD_PAIR_NONE);
    ad_event noq = make(false, 40000, 1, "a.example.", 1, AD_TRANSPORT_UDP);
    noq.hdr.present &= ~(uint32_t)AD_HAS_QTYPE;
    assert_int_equal(ad_dnstap_pair_feed(p, &noq, T0, 8), AD_PAIR_NONE);
    /* A query without a time cannot give a duration later. */
    assert_int_equal(ad_dnstap_pair_feed(p, &q, 0, 9), AD_PAIR_NONE);
    assert_int_equal(ad_dnstap_pair_feed(NULL, &q, T0, 10), AD_PAIR_NONE);
    ad_dnstap_pair_free(p);
    ad_dnstap_pair_free(NULL);
}

/* Fills a tiny table far beyond its size: evictions are reported, never more slots used. */
static void test_bounded_with_evictions(void **state)
{
    (void)state;
    ad_dnstap_pair *p = ad_dnstap_pair_new(4); /* one set of 4 */
    unsigned stored = 0, evicted = 0;
    for (uint16_t i = 0; i < 100; i++) {
        ad_event q = make(false, (uint16_t)(30000 + i), i, "x.example.", 1, AD_TRANSPORT_UDP);
        ad_dnstap_pair_result res = ad_dnstap_pair_feed(p, &q, T0 + i, 1000 + i);
        stored += res == AD_PAIR_STORED;
        evicted += res == AD_PAIR_EVICTED;
    }
    assert_int_equal(stored, 4);
    assert_int_equal(evicted, 96);
    /* The newest four are still there, the oldest were evicted. */
    ad_event r = make(true, 30099, 99, "x.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &r, T0 + 99 + 5 * MS, 2000), AD_PAIR_MATCHED);
    assert_int_equal(r.hdr.elapsed_ms, 5);
    ad_event old = make(true, 30000, 0, "x.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &old, T0 + 5 * MS, 2001), AD_PAIR_UNMATCHED);
    /* A retransmitted query (same key) reuses its slot: no eviction. */
    ad_event q98 = make(false, 30098, 98, "x.example.", 1, AD_TRANSPORT_UDP);
    assert_int_equal(ad_dnstap_pair_feed(p, &q98, T0 + 200, 2002), AD_PAIR_STORED);
    /* Unanswered queries older than the maximum age are replaced without an eviction. */
    uint64_t later = 2002 + AD_DNSTAP_PAIR_MAX_AGE_NS + 1;
    for (uint16_t i = 0; i < 4; i++) {
        ad_event q = make(false, (uint16_t)(20000 + i), i, "y.example.", 1, AD_TRANSPORT_UDP);
        assert_int_equal(ad_dnstap_pair_feed(p, &q, T0, later), AD_PAIR_STORED);
    }
    ad_dnstap_pair_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_and_sets_elapsed),
        cmocka_unit_test(test_key_fields_matter),
        cmocka_unit_test(test_own_duration_and_unusable_events),
        cmocka_unit_test(test_bounded_with_evictions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
