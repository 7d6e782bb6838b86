/*
 * The synthetic source end to end into a real ring: a bounded run at a configured rate takes
 * as long as the rate says, writes every event (sequence 1..N, nothing dropped), and stamps
 * transactions with their own due times: increasing, all different, spread over the run and
 * within the wall-clock window of the run, although the pacer hands events out a tick's worth
 * at a time. And the generator's output for a seed is pinned: a hash of 20000 encoded
 * events per mix, the values the generator produced before its text was built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "capture/source.h"
#include "capture/synthetic.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "config/capture_config.h"
#include "ipc/ring.h"
#include "tests/support/test_os.h"

#define MS 1000000ULL
#define EVENTS 3000u
#define RATE 30000u /* 3000 events: 100 ms */
#define QUERY_RECEIVED 256

static ad_capture_config cfg;

static void test_rate_and_spread_timestamps(void **state)
{
    (void)state;
    char ring_name[64], msg[256] = "";
    snprintf(ring_name, sizeof(ring_name), "t-synth-%ld", test_os_pid());
    (void)ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = 4u << 20;
    ad_ring_producer *ring;
    assert_int_equal(ad_ring_producer_open(&rc, &ring, msg, sizeof(msg)), AD_OK);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    ad_ring_consumer *cons;
    assert_int_equal(ad_ring_consumer_open(&cc, &cons, msg, sizeof(msg)), AD_OK);

    cfg.heartbeat_seconds = 1;
    cfg.source.type = AD_SOURCE_SYNTHETIC;
    cfg.source.synthetic.seed = 7;
    cfg.source.synthetic.rate = RATE;
    cfg.source.synthetic.count = EVENTS;
    cfg.source.synthetic.mix = AD_MIX_DNS_SERVER;
    ad_capture_ctx ctx;
    ad_capture_ctx_init(&ctx, ring, &cfg);
    uint64_t wall0 = ad_time_now_ns(), mono0 = ad_time_mono_ns();
    assert_int_equal(ad_source_synthetic_run(&ctx), AD_OK);
    uint64_t took = ad_time_mono_ns() - mono0, wall1 = ad_time_now_ns();
    assert_true(took >= (uint64_t)EVENTS * 1000000000ULL / RATE - 1 * MS);
    assert_true(took < 30000 * MS);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN), EVENTS);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL), 0);

    uint64_t *t = calloc(EVENTS, sizeof(*t));
    assert_non_null(t);
    size_t queries = 0, records = 0;
    ad_ring_view v[64];
    size_t got;
    while (ad_ring_consumer_peek(cons, v, 64, &got) == AD_OK) {
        for (size_t i = 0; i < got; i++) {
            ad_event ev;
            assert_int_equal(ad_record_decode(v[i].data, v[i].len, &ev), AD_OK);
            assert_int_equal(v[i].seq, records + 1);
            records++;
            if (ev.hdr.event_id == QUERY_RECEIVED) /* the first event of a transaction */
                t[queries++] = ev.hdr.time_ns;
        }
        ad_ring_consumer_commit_all(cons);
    }
    assert_int_equal(records, EVENTS);
    assert_true(queries > EVENTS / 4);
    for (size_t i = 1; i < queries; i++) {
        if (t[i] <= t[i - 1])
            fail_msg("transaction %zu stamped %llu, not after %llu (stamped per burst?)", i,
                     (unsigned long long)t[i], (unsigned long long)t[i - 1]);
    }
    /* Spread over the run (30 us apart on average), inside its wall-clock window. */
    assert_true(t[queries - 1] - t[0] >= 80 * MS);
    assert_true(t[0] >= wall0 && t[queries - 1] <= wall1 + MS);
    free(t);
    ad_ring_consumer_close(cons);
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
}

/* FNV-1a over the encoded records of n events of seed, mix, 50 us apart. */
static uint64_t generator_hash(uint64_t seed, ad_synth_mix mix, unsigned n)
{
    static unsigned char buf[AD_RECORD_MAX_SIZE];
    ad_synth g;
    ad_synth_init(&g, seed, mix);
    uint64_t h = 1469598103934665603ULL;
    for (unsigned i = 0; i < n; i++) {
        ad_event ev;
        ad_synth_next(&g, 1700000000000000000ULL + (uint64_t)i * 50000, &ev);
        size_t len;
        assert_int_equal(ad_record_encode(&ev, buf, sizeof(buf), &len), AD_OK);
        for (size_t k = 0; k < len; k++)
            h = (h ^ buf[k]) * 1099511628211ULL;
    }
    return h;
}

static void test_generator_output_pinned(void **state)
{
    (void)state;
    assert_int_equal(generator_hash(7, AD_SYNTH_DNS_SERVER, 20000), 0xa5f464229b679442ULL);
    assert_int_equal(generator_hash(8, AD_SYNTH_DNS_CLIENT, 20000), 0xd325b2d253f2f983ULL);
    assert_int_equal(generator_hash(9, AD_SYNTH_BOTH, 20000), 0x8a15f9802ccc73e5ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_and_spread_timestamps),
        cmocka_unit_test(test_generator_output_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
