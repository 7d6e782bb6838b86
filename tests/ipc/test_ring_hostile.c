/*
 * asimdns tests: a hostile consumer. While this process produces records as fast as it can,
 * a child process (with the exporter's rights on the cursor object) writes random and
 * adversarial consumer positions, scribbles over the whole cursor page and truncates and
 * restores the cursor object. The producer must never crash, never write outside its record
 * area, keep exact counts (every sequence is written or counted as dropped), count the
 * impossible cursors, and serve an honest consumer again afterwards.
 *
 *   test_ring_hostile [SECONDS]
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

#define CAPACITY (16u * 1024u)
#define MAX_PAYLOAD 1024u

static double run_seconds = 2.0;

/* Start and end of this process's mapping whose path contains needle (from /proc/self/maps). */
static bool find_mapping(const char *needle, uintptr_t *start, uintptr_t *end)
{
    char line[512];
    bool found = false;
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL) {
        return false;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long a, b;
        if (strstr(line, needle) != NULL && sscanf(line, "%lx-%lx", &a, &b) == 2) {
            *start = a;
            *end = b;
            found = true;
            break;
        }
    }
    fclose(f);
    return found;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* The hostile exporter: runs until deadline (monotonic ns), then exits 0. */
static void hostile_child(const char *name, uint64_t deadline)
{
    size_t csize = 0, dsize = 0;
    int cfd = -1;
    uint64_t rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    uint64_t next_truncate = ad_time_mono_ns() + 100000000ULL;
    ad_ring_cursor *cur = rt_raw_map(name, "cursor", true, &csize, &cfd);
    const ad_ring_data_hdr *h = rt_raw_map(name, "data", false, &dsize, NULL);
    if (cur == NULL || h == NULL) {
        _exit(10);
    }
    while (ad_time_mono_ns() < deadline) {
        uint64_t p = ad_atomic_load_relaxed(&h->producer_pos);
        uint64_t r = xorshift(&rng);
        uint64_t v;
        if ((ad_time_mono_ns() / 1000000) % 5 == 0) {
            /* One millisecond in five, pose as an honest consumer so records get written
               (and overwritten) under the hostile values too, however busy the machine. */
            ad_atomic_store_relaxed(&cur->consumer_pos, p);
            continue;
        }
        switch (r % 16) {
        case 0:
            v = p + 8;
            break; /* ahead of the producer */
        case 1:
            v = p + CAPACITY;
            break;
        case 2:
            v = p - CAPACITY - 8;
            break; /* more than a ring behind */
        case 3:
            v = p - CAPACITY;
            break; /* valid: full */
        case 4:
            v = p;
            break; /* valid: empty (lets it overwrite) */
        case 5:
            v = p - 1;
            break; /* misaligned */
        case 6:
            v = p + 1;
            break;
        case 7:
            v = 0;
            break;
        case 8:
            v = UINT64_MAX;
            break;
        case 9:
            v = 1ULL << 63;
            break;
        case 10:
            v = xorshift(&rng);
            break;
        case 11:
            v = xorshift(&rng) & ~7ULL;
            break;
        case 12:
            v = p - (xorshift(&rng) % CAPACITY);
            break; /* plausible but mid-record */
        default:
            v = UINT64_MAX - (r & 0xff);
            break;
        }
        ad_atomic_store_relaxed(&cur->consumer_pos, v);
        if ((r & 0xff) == 0) {
            /* Scribble over the whole page, identity words included. */
            uint64_t *w = (uint64_t *)(void *)cur;
            for (size_t i = 0; i < csize / 8; i++) {
                w[i] = xorshift(&rng);
            }
        }
        if (ad_time_mono_ns() > next_truncate) {
            /* Shrink the object under the producer's mapping, then give it back. */
            if (ftruncate(cfd, 0) != 0) {
                _exit(11);
            }
            ad_sleep_ns(20000000);
            if (ftruncate(cfd, (off_t)csize) != 0) {
                _exit(12);
            }
            next_truncate = ad_time_mono_ns() + 300000000ULL;
        }
    }
    /* Leave an honest value behind: the producer's last 50 ms must find room. */
    ad_atomic_store_relaxed(&cur->consumer_pos, ad_atomic_load_relaxed(&h->producer_pos));
    _exit(0);
}

static uint8_t pattern(uint64_t seq, size_t i)
{
    return (uint8_t)(seq * 29u + i);
}

static void test_hostile_cursor(void **state)
{
    char name[64], needle[96], msg[512];
    ad_ring_config cfg;
    ad_ring_consumer_config cc;
    ad_ring_producer *p = NULL;
    ad_ring_consumer *c = NULL;
    uintptr_t map_start = 0, map_end = 0;
    uint64_t rng = 12345, written = 0, full = 0, too_large = 0, iter = 0, first_seq, deadline;
    ad_ring_data_hdr snapshot;
    pid_t child;
    (void)state;

    rt_ring_name(name, sizeof(name), "hostile");
    ad_ring_config_init(&cfg, name);
    cfg.capacity = CAPACITY;
    cfg.max_payload = MAX_PAYLOAD;
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    snprintf(needle, sizeof(needle), "/asimdns-%s-data", name);
    assert_true(find_mapping(needle, &map_start, &map_end));
    assert_int_equal(map_end - map_start, AD_RING_HEADER_SIZE + CAPACITY);
    first_seq = ad_ring_producer_next_seq(p);
    {
        size_t sz = 0;
        const ad_ring_data_hdr *h = rt_raw_map(name, "data", false, &sz, NULL);
        assert_non_null(h);
        memcpy(&snapshot, h, sizeof(snapshot));
        munmap((void *)h, sz);
    }

    deadline = ad_time_mono_ns() + (uint64_t)(run_seconds * 1e9);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        hostile_child(name, deadline);
    }
    while (ad_time_mono_ns() < deadline + 50000000ULL) {
        size_t len = (size_t)(xorshift(&rng) % (MAX_PAYLOAD + 40));
        uint64_t seq;
        void *dst;
        ad_err err = ad_ring_producer_reserve(p, len, &dst, &seq);
        if (err == AD_OK) {
            uintptr_t a = (uintptr_t)dst;
            /* Every reservation lies inside the record area of our own mapping. */
            if (a < map_start + AD_RING_HEADER_SIZE || a + len > map_end) {
                fail_msg("reservation %p+%zu outside the record area", dst, len);
            }
            for (size_t i = 0; i < len; i++) {
                ((uint8_t *)dst)[i] = pattern(seq, i);
            }
            ad_ring_producer_commit(p, len);
            written++;
        } else if (err == AD_EFULL) {
            full++;
        } else {
            assert_int_equal(err, AD_ERANGE);
            too_large++;
        }
        if ((++iter & 1023) == 0) {
            ad_ring_producer_heartbeat(p, ad_time_now_ns());
        }
    }
    assert_int_equal(rt_wait(child, 10), 0);
    ad_ring_producer_heartbeat(p, ad_time_now_ns()); /* cursor has its size back: repair */

    print_message("hostile: %llu written, %llu dropped full, %llu too large, %llu invalid "
                  "cursors, %llu cursor faults\n",
                  (unsigned long long)written, (unsigned long long)full,
                  (unsigned long long)too_large,
                  (unsigned long long)ad_ring_producer_counter_get(p, AD_CAP_CURSOR_INVALID),
                  (unsigned long long)ad_ring_producer_counter_get(p, AD_CAP_CURSOR_FAULTS));

    /* Exact accounting: every sequence was either written or counted as a drop. */
    uint64_t seqs = ad_ring_producer_next_seq(p) - first_seq;
    assert_int_equal(seqs, written + full + too_large);
    assert_int_equal(ad_ring_producer_counter_get(p, AD_CAP_RECORDS_WRITTEN), written);
    assert_int_equal(ad_ring_producer_counter_get(p, AD_CAP_DROPPED_RING_FULL), full);
    assert_int_equal(ad_ring_producer_counter_get(p, AD_CAP_DROPPED_TOO_LARGE), too_large);
    assert_true(ad_ring_producer_counter_get(p, AD_CAP_CURSOR_INVALID) > 0);
    assert_true(ad_ring_producer_counter_get(p, AD_CAP_CURSOR_FAULTS) > 0);
    assert_true(written > 0);

    /* The header's identity and reserved bytes are untouched. */
    {
        size_t sz = 0;
        const ad_ring_data_hdr *h = rt_raw_map(name, "data", false, &sz, NULL);
        assert_non_null(h);
        assert_memory_equal(h, &snapshot, offsetof(ad_ring_data_hdr, producer_pos));
        for (size_t i = 0; i < sizeof(h->reserved); i++) {
            assert_int_equal(h->reserved[i], 0);
        }
        munmap((void *)h, sz);
    }

    /* Capture restarts (repairs the cursor identity); an honest exporter works again. */
    ad_ring_producer_close(p);
    p = NULL;
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    ad_ring_consumer_config_init(&cc, name);
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_OK);
    {
        ad_ring_view v[64];
        size_t n;
        uint64_t got = 0, seq = 0, start;
        while (ad_ring_consumer_peek(c, v, 64, &n) == AD_OK) {
        }
        ad_ring_consumer_commit_all(c);
        start = ad_ring_producer_next_seq(p);
        for (int i = 0; i < 100; i++) {
            void *dst;
            assert_int_equal(ad_ring_producer_reserve(p, 64, &dst, &seq), AD_OK);
            for (size_t k = 0; k < 64; k++) {
                ((uint8_t *)dst)[k] = pattern(seq, k);
            }
            ad_ring_producer_commit(p, 64);
            while (ad_ring_consumer_peek(c, v, 64, &n) == AD_OK) {
                for (size_t k = 0; k < n; k++) {
                    assert_int_equal(v[k].seq, start + got);
                    assert_int_equal(v[k].len, 64);
                    for (size_t b = 0; b < 64; b++) {
                        assert_int_equal(((const uint8_t *)v[k].data)[b], pattern(v[k].seq, b));
                    }
                    got++;
                }
                ad_ring_consumer_commit(c, &v[n - 1]);
            }
        }
        assert_int_equal(got, 100);
    }
    ad_ring_consumer_close(c);
    ad_ring_producer_close(p);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_cursor),
    };
    if (argc > 1) {
        run_seconds = strtod(argv[1], NULL);
    }
    return cmocka_run_group_tests(tests, NULL, rt_cleanup_rings);
}
