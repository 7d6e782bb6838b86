/*
 * asimdns tests: exporter/aggregate.c. Window edges (by event time and by arrival), key
 * equality on the mapped ASIM values, the memory bound (refusal, eviction counted, bytes
 * held), the shutdown flush (every record counted exactly once), the ring position bound,
 * and the row's EventCount / EventStartTime / EventEndTime. The pipeline's stage
 * (exporter/aggregate_stage.c): the commit gate, the held (evicted) row, due rows by arrival
 * time; and the key names config accepts are written by the mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exporter/aggregate.h"
#include "exporter/aggregate_stage.h"
#include "exporter/asim_rows.h"

#define SEC 1000000000ull
#define T0 1732528800000000000ull
#define WINDOW (10 * SEC)

static ad_asim_host host;
static ad_asim mapped;
static unsigned char rec[AD_RECORD_MAX_SIZE];
static size_t rec_len;
static ad_agg *agg;

static int setup(void **state)
{
    (void)state;
    ad_asim_host_init(&host, "dns01.corp.example");
    ad_agg_opts o = {.window_ns = WINDOW, .max_keys = 4};
    return ad_agg_create(&o, &agg) == AD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ad_agg_destroy(agg);
    agg = NULL;
    return 0;
}

/* A 256 query from src with port, for qname and qtype at T0 + dt, encoded and mapped. */
static void make(const char *qname, uint32_t qtype, const char *src, int port, uint64_t dt)
{
    ad_event ev;
    ad_event_init(&ev);
    ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev.hdr.source = AD_SOURCE_ETW;
    ev.hdr.event_id = 256;
    ev.hdr.time_ns = T0 + dt;
    ev.hdr.present = AD_HAS_QTYPE;
    ev.hdr.qtype = qtype;
    ad_event_set_str(&ev, AD_STR_QNAME, qname, strlen(qname));
    if (src != NULL) {
        assert_int_equal(ad_addr_parse(&ev.hdr.src, src, strlen(src)), AD_OK);
        ev.hdr.src.has_port = 1;
        ev.hdr.src.port = (uint16_t)port;
    }
    assert_int_equal(ad_record_encode(&ev, rec, sizeof(rec), &rec_len), AD_OK);
    ad_event dec;
    assert_int_equal(ad_record_decode(rec, rec_len, &dec), AD_OK);
    assert_int_equal(ad_asim_map(&dec, 1, &host, &mapped), AD_OK);
}

static ad_err add(uint64_t pos, uint64_t now)
{
    return ad_agg_add(agg, &mapped, rec, rec_len, &(ad_agg_mark){.pos = pos}, now);
}

static void test_window_edges_by_event_time(void **state)
{
    (void)state;
    make("a.example", 1, "10.0.0.1", 1000, 0);
    assert_int_equal(add(1, 0), AD_OK);
    make("a.example", 1, "10.0.0.1", 1001, WINDOW - 1); /* last ns of the window: joins */
    assert_int_equal(add(2, 0), AD_OK);
    ad_agg_stats st;
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.open_rows, 1);
    make("a.example", 1, "10.0.0.1", 1002, WINDOW); /* first ns after: a new row */
    assert_int_equal(add(3, 0), AD_OK);
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.open_rows, 2);
    /* The first row is closed: due at once, though its arrival window has not passed. */
    ad_agg_row row;
    assert_true(ad_agg_pop(agg, 1, AD_AGG_POP_DUE, &row));
    assert_int_equal(row.count, 2);
    assert_int_equal(row.first_ns, T0);
    assert_int_equal(row.last_ns, T0 + WINDOW - 1);
    assert_int_equal(row.first_pos, 1);
    /* The second is not due until WINDOW after it arrived. */
    assert_false(ad_agg_pop(agg, WINDOW - 1, AD_AGG_POP_DUE, &row));
    assert_true(ad_agg_pop(agg, WINDOW, AD_AGG_POP_DUE, &row));
    assert_int_equal(row.count, 1);
    assert_int_equal(row.first_pos, 3);
    assert_false(ad_agg_pop(agg, 100 * WINDOW, AD_AGG_POP_ANY, &row));
}

static void test_earlier_event_extends_start(void **state)
{
    (void)state;
    make("a.example", 1, "10.0.0.1", 1, 5 * SEC);
    assert_int_equal(add(1, 0), AD_OK);
    make("a.example", 1, "10.0.0.1", 1, 2 * SEC); /* out of order */
    assert_int_equal(add(2, 0), AD_OK);
    ad_agg_row row;
    assert_true(ad_agg_pop(agg, 0, AD_AGG_POP_ANY, &row));
    assert_int_equal(row.count, 2);
    assert_int_equal(row.first_ns, T0 + 2 * SEC);
    assert_int_equal(row.last_ns, T0 + 5 * SEC);
}

static void test_key_equality(void **state)
{
    (void)state;
    make("a.example", 1, "10.0.0.1", 1000, 0);
    assert_int_equal(add(1, 0), AD_OK);
    make("a.example", 1, "10.0.0.1", 2000, 1); /* SrcPortNumber is not in the key */
    assert_int_equal(add(2, 0), AD_OK);
    make("b.example", 1, "10.0.0.1", 1000, 2); /* DnsQuery differs */
    assert_int_equal(add(3, 0), AD_OK);
    make("a.example", 28, "10.0.0.1", 1000, 3); /* DnsQueryType differs */
    assert_int_equal(add(4, 0), AD_OK);
    make("a.example", 1, NULL, 0, 4); /* SrcIpAddr absent vs present */
    assert_int_equal(add(5, 0), AD_OK);
    make("a.example", 1, NULL, 0, 5); /* absent in both: equal */
    assert_int_equal(add(6, 0), AD_OK);
    ad_agg_stats st;
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.open_rows, 4);
    assert_int_equal(st.records_in, 6);
    uint64_t counts[4], n = 0;
    ad_agg_row row;
    while (ad_agg_pop(agg, 0, AD_AGG_POP_ANY, &row))
        counts[n++] = row.count;
    assert_int_equal(n, 4);
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], 1);
    assert_int_equal(counts[2], 1);
    assert_int_equal(counts[3], 2);
}

static void test_custom_key(void **state)
{
    (void)state;
    static const char *const key[] = {"DnsQuery"};
    ad_agg *a;
    ad_agg_opts o = {.window_ns = WINDOW, .max_keys = 4, .key = key, .key_count = 1};
    assert_int_equal(ad_agg_create(&o, &a), AD_OK);
    make("a.example", 1, "10.0.0.1", 1, 0);
    assert_int_equal(ad_agg_add(a, &mapped, rec, rec_len, &(ad_agg_mark){.pos = 1}, 0), AD_OK);
    make("a.example", 28, "10.0.0.2", 1, 1); /* other type and client: same key */
    assert_int_equal(ad_agg_add(a, &mapped, rec, rec_len, &(ad_agg_mark){.pos = 2}, 0), AD_OK);
    ad_agg_stats st;
    ad_agg_get_stats(a, &st);
    assert_int_equal(st.open_rows, 1);
    ad_agg_destroy(a);
    ad_agg_opts bad = {.window_ns = 0, .max_keys = 4};
    assert_int_equal(ad_agg_create(&bad, &a), AD_EINVAL);
}

static void test_memory_bound(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "n%d.example", i);
        make(name, 1, "10.0.0.1", 1, (uint64_t)i);
        assert_int_equal(add((uint64_t)i + 1, 0), AD_OK);
    }
    ad_agg_stats st;
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.open_rows, 4);
    assert_true(st.bytes_held >= 4 * rec_len);
    make("n9.example", 1, "10.0.0.1", 1, 9);
    assert_int_equal(add(10, 0), AD_EFULL); /* a fifth key: refused */
    make("n1.example", 1, "10.0.0.1", 1, 9);
    assert_int_equal(add(11, 0), AD_OK); /* an open key still joins */
    ad_agg_row row;
    uint64_t pos;
    assert_true(ad_agg_oldest_pos(agg, &pos));
    assert_int_equal(pos, 1);
    assert_true(ad_agg_pop(agg, 0, AD_AGG_POP_OLDEST, &row));
    assert_int_equal(row.first_pos, 1);
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.evictions, 1);
    assert_true(ad_agg_oldest_pos(agg, &pos));
    assert_int_equal(pos, 2);
    make("n9.example", 1, "10.0.0.1", 1, 9);
    assert_int_equal(add(12, 0), AD_OK);
    /* A due row popped for room is not an eviction. */
    assert_true(ad_agg_pop(agg, WINDOW, AD_AGG_POP_OLDEST, &row));
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.evictions, 1);
}

static void test_shutdown_flush_counts_every_record(void **state)
{
    (void)state;
    uint64_t added = 0;
    char name[32];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "n%d.example", i % 7);
        make(name, 1, "10.0.0.1", 1, (uint64_t)i * SEC / 3);
        ad_err rc = add((uint64_t)i + 1, (uint64_t)i);
        ad_agg_row row;
        uint64_t sum = 0;
        while (rc == AD_EFULL) {
            assert_true(ad_agg_pop(agg, (uint64_t)i, AD_AGG_POP_OLDEST, &row));
            sum += row.count;
            rc = add((uint64_t)i + 1, (uint64_t)i);
        }
        assert_int_equal(rc, AD_OK);
        added += 1;
        added -= sum; /* what is still held */
    }
    uint64_t held = 0;
    ad_agg_row row;
    while (ad_agg_pop(agg, 0, AD_AGG_POP_ANY, &row))
        held += row.count;
    assert_int_equal(held, added);
    ad_agg_stats st;
    ad_agg_get_stats(agg, &st);
    assert_int_equal(st.open_rows, 0);
    assert_int_equal(st.bytes_held, 0);
    assert_false(ad_agg_oldest_pos(agg, &held));
}

static void test_row_span(void **state)
{
    (void)state;
    make("a.example", 1, "10.0.0.1", 1, 0);
    assert_int_equal(ad_asim_set_span(&mapped, 7, T0, T0 + 9 * SEC + 500000000ull), AD_OK);
    const ad_attr *c = ad_asim_find(&mapped, "EventCount");
    assert_non_null(c);
    assert_int_equal(c->num, 7);
    const ad_attr *s = ad_asim_find(&mapped, "EventStartTime");
    const ad_attr *e = ad_asim_find(&mapped, "EventEndTime");
    assert_non_null(s);
    assert_non_null(e);
    assert_memory_equal(s->str, "2024-11-25T10:00:00", 19);
    assert_memory_equal(e->str, "2024-11-25T10:00:09.5", 21);
}

/* ---- the pipeline's stage ----------------------------------------------------------------- */

static ad_ring_view view_of(uint64_t seq)
{
    return (ad_ring_view){.seq = seq, .end_pos = seq * 64, .data = rec, .len = (uint32_t)rec_len};
}

static ad_agg_stage *stage_new(uint32_t max_keys)
{
    ad_config_aggregate c = {.enabled = true, .window_ms = 10000, .max_keys = max_keys};
    ad_agg_stage *st;
    assert_int_equal(ad_agg_stage_create(&c, &st), AD_OK);
    assert_non_null(st);
    return st;
}

/* The gate: nothing past the view before the oldest row's first record; everything once no
   row is open; nothing at all when that row's first record follows the committed cursor. */
static void test_stage_gate(void **state)
{
    (void)state;
    ad_config_aggregate off = {.enabled = false};
    ad_agg_stage *none = (ad_agg_stage *)&off;
    assert_int_equal(ad_agg_stage_create(&off, &none), AD_OK);
    assert_null(none);

    ad_agg_stage *st = stage_new(8);
    ad_agg_stage_counts c = {0};
    ad_ring_view v1 = view_of(1), v2 = view_of(2), v3 = view_of(3), out;
    make("a.example", 1, "10.0.0.1", 1, 0);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v1, NULL, 7, 0, &c), AD_OK);
    assert_false(ad_agg_stage_gate(st, &v1, &out)); /* row a opened right at the cursor */
    make("b.example", 1, "10.0.0.1", 1, 1);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v2, &v1, 7, 0, &c), AD_OK);
    make("a.example", 1, "10.0.0.1", 1, 2);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v3, &v2, 7, 0, &c), AD_OK);
    assert_int_equal(c.records_in, 3);
    assert_false(ad_agg_stage_gate(st, &v3, &out));
    /* Row a leaves (due by arrival time): the gate is the view before row b's first record. */
    ad_event ev;
    ad_asim row;
    uint64_t n;
    assert_false(ad_agg_stage_next(st, WINDOW - 1, false, &host, &ev, &row, &n, &c));
    assert_true(ad_agg_stage_next(st, WINDOW, false, &host, &ev, &row, &n, &c));
    assert_int_equal(n, 2);
    assert_int_equal(ad_asim_find(&row, "EventCount")->num, 2);
    assert_int_equal(ev.hdr.sequence, 0);
    assert_false(ad_agg_stage_gate(st, &v3, &out)); /* not taken yet: still held */
    ad_agg_stage_taken(st);
    assert_true(ad_agg_stage_gate(st, &v3, &out));
    assert_int_equal(out.end_pos, v1.end_pos);
    assert_int_equal(out.seq, 1);
    assert_true(ad_agg_stage_next(st, WINDOW, true, &host, &ev, &row, &n, &c));
    ad_agg_stage_taken(st);
    assert_true(ad_agg_stage_empty(st));
    assert_true(ad_agg_stage_gate(st, &v3, &out));
    assert_int_equal(out.end_pos, v3.end_pos);
    ad_agg_stage_destroy(st);
}

/* max_keys open rows: the oldest is held (an eviction) and offered first; while it is held a
   second eviction is refused (AD_EFULL) instead of dropping it. */
static void test_stage_eviction_held(void **state)
{
    (void)state;
    ad_agg_stage *st = stage_new(1);
    ad_agg_stage_counts c = {0};
    ad_ring_view v1 = view_of(1), v2 = view_of(2), v3 = view_of(3), out;
    make("a.example", 1, "10.0.0.1", 1, 0);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v1, NULL, 7, 0, &c), AD_OK);
    make("b.example", 1, "10.0.0.1", 1, 1);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v2, &v1, 7, 0, &c), AD_OK);
    assert_int_equal(c.evictions, 1);
    assert_false(ad_agg_stage_gate(st, &v2, &out)); /* the held row a is the oldest */
    make("c.example", 1, "10.0.0.1", 1, 2);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v3, &v2, 7, 0, &c), AD_EFULL);
    ad_event ev;
    ad_asim row;
    uint64_t n;
    assert_true(ad_agg_stage_next(st, 0, false, &host, &ev, &row, &n, &c)); /* held: not due */
    assert_memory_equal(ad_asim_find(&row, "DnsQuery")->str, "a.example", 9);
    ad_agg_stage_taken(st);
    assert_true(ad_agg_stage_gate(st, &v2, &out));
    assert_int_equal(out.end_pos, v1.end_pos);
    assert_int_equal(ad_agg_stage_add(st, &mapped, &v3, &v2, 7, 0, &c), AD_OK);
    assert_int_equal(c.evictions, 2);
    assert_int_equal(c.records_in, 3);
    ad_agg_stage_destroy(st);
}

/* Every key name the config accepts is written by the mapping: an ASIM DNS column, or (for
   the two that go to AdditionalFields) seen in a mapped response with a reason; none of
   those aggregation sets itself; the default key is accepted. */
static void test_config_key_names_are_mapped(void **state)
{
    (void)state;
    ad_event ev;
    ad_event_init(&ev);
    ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev.hdr.source = AD_SOURCE_ETW;
    ev.hdr.event_id = 257; /* response */
    ev.hdr.time_ns = T0;
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_RCODE;
    ev.hdr.qtype = 1;
    ev.hdr.rcode = 3;
    ad_event_set_str(&ev, AD_STR_QNAME, "a.example", 9);
    ad_event_set_str(&ev, AD_STR_REASON, "policy", 6);
    assert_int_equal(ad_record_encode(&ev, rec, sizeof(rec), &rec_len), AD_OK);
    ad_event dec;
    assert_int_equal(ad_record_decode(rec, rec_len, &dec), AD_OK);
    assert_int_equal(ad_asim_map(&dec, 1, &host, &mapped), AD_OK);
    unsigned n = 0;
    for (const char *const *a = ad_config_aggregate_attrs; *a != NULL; a++, n++) {
        if (ad_asim_row_column(*a) == NULL && ad_asim_find(&mapped, *a) == NULL)
            fail_msg("aggregate.key accepts %s, which the mapping does not write", *a);
        assert_true(strcmp(*a, "EventCount") != 0 && strcmp(*a, "EventStartTime") != 0 &&
                    strcmp(*a, "EventEndTime") != 0);
    }
    unsigned dn;
    const char *const *def = ad_agg_default_key(&dn);
    for (unsigned i = 0; i < dn; i++) {
        const char *const *a = ad_config_aggregate_attrs;
        while (*a != NULL && strcmp(*a, def[i]) != 0)
            a++;
        if (*a == NULL)
            fail_msg("default key attribute %s is not accepted by config", def[i]);
    }
    assert_true(n > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_window_edges_by_event_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_event_extends_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_equality, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_flush_counts_every_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_span, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_gate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_eviction_held, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_key_names_are_mapped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
