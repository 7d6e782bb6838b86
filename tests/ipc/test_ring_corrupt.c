/*
 * asimdns tests: corrupt records. A producer process writes self-checking records; a second
 * process flips bytes in the data object (record area, and now and then the producer
 * position and other header words) while this process consumes. The consumer must never
 * crash or hand out a record that breaks the ring's promises (length <= max payload,
 * sequence increasing); its corruption and resync counters must move; once the flipping
 * stops it must deliver clean records again.
 *
 *   test_ring_corrupt PRODUCER [SECONDS]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "ipc/ring_layout.h"
#include "tests/ipc/ring_test_util.h"

#define CAPACITY (256u * 1024u)

static const char *producer_bin;
static double run_seconds = 2.0;

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Flips random bytes until deadline, then exits 0. */
static void corrupter_child(const char *name, uint64_t deadline)
{
    size_t size = 0;
    uint64_t rng = 0x243f6a8885a308d3ULL ^ (uint64_t)getpid();
    uint8_t *data = rt_raw_map(name, "data", true, &size, NULL);
    ad_ring_data_hdr *h = (ad_ring_data_hdr *)(void *)data;
    if (data == NULL || size != AD_RING_HEADER_SIZE + CAPACITY) {
        _exit(10);
    }
    while (ad_time_mono_ns() < deadline) {
        uint64_t r = xorshift(&rng);
        if ((r & 0x3ff) == 0) {
            /* Header words: the producer position (misaligned, far ahead, behind). */
            uint64_t p = ad_atomic_load_relaxed(&h->producer_pos);
            uint64_t bad[] = {p + 3, p + 64 * CAPACITY, p - 2 * CAPACITY, p ^ (r & 0xfff8)};
            ad_atomic_store_relaxed(&h->producer_pos, bad[(r >> 10) & 3]);
        } else if ((r & 0x3ff) == 1) {
            data[512 + (r >> 20) % (AD_RING_HEADER_SIZE - 512)] ^= (uint8_t)(r >> 12);
        } else {
            /* Prefer the region just behind the producer, where unread records are. */
            uint64_t p = ad_atomic_load_relaxed(&h->producer_pos);
            uint64_t back = (r >> 16) % (CAPACITY / 4);
            size_t off = (size_t)((p - back) & (CAPACITY - 1));
            uint8_t bit = (uint8_t)(1u << ((r >> 8) & 7));
            data[AD_RING_HEADER_SIZE + off] ^= bit;
        }
        ad_sleep_ns(20000);
    }
    _exit(0);
}

static void test_corrupt_records(void **state)
{
    char name[64], msg[512], secs[32];
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    ad_ring_view v[256];
    uint64_t good = 0, bad = 0, last_seq = 0, deadline, clean_run = 0;
    pid_t prod, corrupter;
    ad_err err;
    (void)state;

    rt_ring_name(name, sizeof(name), "corrupt");
    snprintf(secs, sizeof(secs), "%.1f", run_seconds + 120.0); /* killed when done */
    char *argv[] = {(char *)producer_bin, name, "--drop", "--capacity", "262144",
                    "--seconds",          secs, NULL};
    prod = rt_spawn(argv);
    assert_true(prod > 0);
    ad_ring_consumer_config_init(&cc, name);
    for (int i = 0; (err = ad_ring_consumer_open(&cc, &c, msg, sizeof(msg))) != AD_OK; i++) {
        if (i > 5000) {
            fail_msg("consumer open: %s", msg);
        }
        ad_sleep_ns(1000000);
    }

    deadline = ad_time_mono_ns() + (uint64_t)(run_seconds * 1e9);
    corrupter = fork();
    assert_true(corrupter >= 0);
    if (corrupter == 0) {
        corrupter_child(name, deadline);
    }
    /* Phase 1 while bytes flip; phase 2 after the flipping stopped, until 1000 intact records
       in a row arrived (records written before the stop may still carry flipped bytes). */
    uint64_t give_up = deadline + 60ULL * 1000000000ULL;
    bool flipping = true;
    for (;;) {
        size_t n = 0;
        uint64_t now = ad_time_mono_ns();
        if (flipping && now >= deadline) {
            assert_int_equal(rt_wait(corrupter, 10), 0);
            flipping = false;
            clean_run = 0;
        }
        if (!flipping && (clean_run >= 1000 || now > give_up)) {
            break;
        }
        if (ad_ring_consumer_peek(c, v, 256, &n) != AD_OK) {
            ad_ring_consumer_wait(c, 10000000);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            /* What the ring promises even under corruption. */
            assert_true(v[i].len <= ad_ring_consumer_max_payload(c));
            assert_true(v[i].seq > last_seq);
            last_seq = v[i].seq;
            if (rt_payload_check(v[i].data, v[i].len, v[i].seq)) {
                good++;
                clean_run++;
            } else {
                bad++; /* payload bytes flipped: the exporter's decoder rejects these */
                clean_run = 0;
            }
        }
        ad_ring_consumer_commit(c, &v[n - 1]);
        ad_ring_consumer_heartbeat(c, ad_time_now_ns());
    }
    kill(prod, SIGKILL);
    assert_int_equal(rt_wait(prod, 10), 128 + SIGKILL);

    print_message("corrupt: good %llu, bad payload %llu, records_corrupt %llu, resyncs %llu, "
                  "bytes skipped %llu, lost %llu, clean run at end %llu\n",
                  (unsigned long long)good, (unsigned long long)bad,
                  (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_RECORDS_CORRUPT),
                  (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_RESYNCS),
                  (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_BYTES_SKIPPED_CORRUPT),
                  (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_RECORDS_LOST_CORRUPT),
                  (unsigned long long)clean_run);
    assert_true(ad_ring_consumer_counter_get(c, AD_EXP_RECORDS_CORRUPT) > 0);
    assert_true(ad_ring_consumer_counter_get(c, AD_EXP_RESYNCS) > 0);
    assert_true(good > 1000);
    assert_true(clean_run >= 1000); /* recovered: the last records were all intact */
    ad_ring_consumer_close(c);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrupt_records),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: %s PRODUCER [SECONDS]\n", argv[0]);
        return 2;
    }
    producer_bin = argv[1];
    if (argc > 2) {
        run_seconds = strtod(argv[2], NULL);
    }
    return cmocka_run_group_tests(tests, NULL, rt_cleanup_rings);
}
