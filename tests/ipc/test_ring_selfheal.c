/*
 * asimdns tests: property test of the ring's self-healing. For many seeds, one process runs a
 * capture (producer) and an exporter (consumer, re-attaching when told to, like
 * exporter/main.c) in lock-step, while a corrupter writes random damage into both shared
 * objects through its own mappings: header words (producer_pos, last_rec_pos, next_seq,
 * heartbeat, identity), record bytes, forged record headers that pass their check, cursor
 * words (consumer_pos, committed_seq, identity, epoch, counters), and truncations of the
 * cursor object. Deterministic (seeded, a fake clock: one step = 10 ms, a heartbeat every 8
 * steps), so a failure names the seed that reproduces it.
 *
 * Property, once the damage stops: within RECOVERY_STEPS (4 heartbeats) the pipeline is
 * healthy again by itself, i.e. for the VERIFY_STEPS that follow every record capture writes
 * is delivered exactly once, in order, with a contiguous sequence and its own payload, capture
 * drops nothing and counts no invalid cursor, and the exporter counters are plausible.
 * During the damage: no crash, no hang, no view longer than the maximum payload (under ASan).
 *
 *   test_ring_selfheal [SEEDS]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ring.h"
#include "ipc/ring_layout.h"
#include "ipc/ring_status.h"
#include "tests/ipc/ring_test_util.h"

#define CAPACITY 16384u
#define MAX_PAYLOAD 512u
#define HB_EVERY 8u
#define DAMAGE_STEPS 300u
#define RECOVERY_STEPS (4u * HB_EVERY)
#define VERIFY_STEPS 200u
#define STEP_NS 10000000ULL

static unsigned seeds = 150;

typedef struct world {
    char name[64];
    uint64_t rng;
    uint64_t now; /* fake wall clock */
    ad_ring_producer *p;
    ad_ring_consumer *c;
    ad_ring_data_hdr *h; /* the corrupter's mappings */
    size_t hsize;
    ad_ring_cursor *cur;
    size_t csize;
    int cursor_fd;
    unsigned reattaches;
} world;

static uint64_t rnd(world *w)
{
    uint64_t x = w->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return w->rng = x;
}

static void attach(world *w)
{
    ad_ring_consumer_config cc;
    char msg[512];
    ad_ring_consumer_config_init(&cc, w->name);
    cc.expected_owner = "root";
    if (ad_ring_consumer_open(&cc, &w->c, msg, sizeof(msg)) != AD_OK) {
        w->c = NULL; /* being repaired: try again next step, as the exporter does */
    }
}

static void produce(world *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t seq = ad_ring_producer_next_seq(w->p);
        uint32_t len = rt_len_for_seq(seq, 16, 300);
        void *dst;
        if (ad_ring_producer_reserve(w->p, len, &dst, &seq) == AD_OK) { /* drops when full */
            rt_payload_fill(dst, len, seq);
            ad_ring_producer_commit(w->p, len);
        }
    }
}

/* One random piece of damage. */
static void damage(world *w)
{
    uint64_t r = rnd(w), v = rnd(w);
    ad_ring_data_hdr *h = w->h;
    ad_ring_cursor *cur = w->cur;
    uint8_t *area = (uint8_t *)h + AD_RING_HEADER_SIZE;
    uint64_t p = ad_atomic_load_relaxed(&h->producer_pos);
    struct stat st;
    if (r % 14 >= 8 && (fstat(w->cursor_fd, &st) != 0 || st.st_size < AD_RING_CURSOR_SIZE)) {
        return; /* still truncated: our own plain mapping would fault */
    }
    switch (r % 14) {
    case 0: {
        uint64_t bad[] = {p + 1, p + (1ULL << 40), p - 2 * CAPACITY, p ^ (v & 0xfff8), v};
        ad_atomic_store_relaxed(&h->producer_pos, bad[(r >> 8) % 5]);
        break;
    }
    case 1: {
        uint64_t l = ad_atomic_load_relaxed(&h->last_rec_pos);
        uint64_t bad[] = {l + (1ULL << 40), l + (v & 0x3ff8), l - (v & 0x3ff8), v};
        ad_atomic_store_relaxed(&h->last_rec_pos, bad[(r >> 8) % 4]);
        break;
    }
    case 2: /* both words, consistently: a forged position */
        ad_atomic_store_relaxed(&h->last_rec_pos,
                                ad_atomic_load_relaxed(&h->last_rec_pos) + (v & 0xfffff8));
        ad_atomic_store_relaxed(&h->producer_pos, p + (v & 0xfffff8));
        break;
    case 3:
        ad_atomic_store_relaxed((r >> 8) & 1 ? &h->next_seq : &h->heartbeat_ns, v);
        break;
    case 4:
        if ((r >> 8) & 1) {
            ad_atomic_store_relaxed(&h->magic, v);
        } else {
            h->generation ^= v | 1;
        }
        break;
    case 5:
    case 6: /* record bytes, mostly just behind the producer where unread records are */
        area[(p - (v % (CAPACITY / 2))) & (CAPACITY - 1)] ^= (uint8_t)(1u << (r >> 8) % 8);
        break;
    case 7: { /* a record header rewritten so that it passes its check, with a wild seq */
        uint64_t off = (p - (v % CAPACITY)) & (CAPACITY - 1) & ~7ULL;
        if (CAPACITY - off >= AD_RING_REC_HDR_SIZE) {
            ad_ring_rec_hdr rh;
            memcpy(&rh, area + off, sizeof(rh));
            rh.seq = (r >> 8) & 1 ? rh.seq + (v % 1000000) : v;
            rh.check = ad_ring_rec_check(rh.len, rh.type, rh.seq);
            memcpy(area + off, &rh, sizeof(rh));
        }
        break;
    }
    case 8: {
        uint64_t c = ad_atomic_load_relaxed(&cur->consumer_pos);
        uint64_t bad[] = {c + 8, p, v, c - CAPACITY, p + 8};
        ad_atomic_store_relaxed(&cur->consumer_pos, bad[(r >> 8) % 5]);
        break;
    }
    case 9:
        ad_atomic_store_relaxed((r >> 8) & 1 ? &cur->committed_seq : &cur->read_pos, v);
        break;
    case 10: {
        ad_atomic_u64 *words[] = {&cur->magic, &cur->cursor_epoch, &cur->counters_seal};
        ad_atomic_store_relaxed(words[(r >> 8) % 3], v);
        break;
    }
    case 11:
        ad_atomic_store_relaxed(&cur->counters[(r >> 8) % AD_EXP__COUNT], v);
        break;
    case 12: /* truncate -s0 then -s4096 */
        assert_int_equal(ftruncate(w->cursor_fd, 0), 0);
        assert_int_equal(ftruncate(w->cursor_fd, AD_RING_CURSOR_SIZE), 0);
        break;
    default: /* truncated, and left so: capture restores the size itself */
        assert_int_equal(ftruncate(w->cursor_fd, 0), 0);
        break;
    }
}

typedef struct verify {
    bool on;
    uint64_t first; /* first sequence written in the verify phase */
    uint64_t next;  /* the sequence the next delivered record must have (0: none seen) */
} verify;

/* The exporter's step: read everything, check, commit; re-attach when told to. */
static void consume(world *w, verify *vf, unsigned seed)
{
    ad_ring_view v[32];
    size_t n;
    if (w->c == NULL) {
        attach(w);
        if (w->c == NULL) {
            return;
        }
        w->reattaches++;
    }
    while (ad_ring_consumer_peek(w->c, v, 32, &n) == AD_OK) {
        for (size_t i = 0; i < n; i++) {
            if (v[i].len > MAX_PAYLOAD) {
                fail_msg("seed %u: view of %u bytes", seed, v[i].len);
            }
            if (!vf->on || v[i].seq < vf->first) {
                continue; /* written while damaged: anything but a crash is allowed */
            }
            if (vf->next != 0 && v[i].seq != vf->next) {
                fail_msg("seed %u: delivered seq %llu, expected %llu", seed,
                         (unsigned long long)v[i].seq, (unsigned long long)vf->next);
            }
            if (vf->next == 0 && v[i].seq != vf->first) {
                fail_msg("seed %u: first verified seq %llu, expected %llu", seed,
                         (unsigned long long)v[i].seq, (unsigned long long)vf->first);
            }
            if (!rt_payload_check(v[i].data, v[i].len, v[i].seq)) {
                fail_msg("seed %u: payload of seq %llu is not its own", seed,
                         (unsigned long long)v[i].seq);
            }
            vf->next = v[i].seq + 1;
        }
        (void)ad_ring_consumer_commit(w->c, &v[n - 1]);
    }
    ad_ring_consumer_commit_all(w->c);
}

static void heartbeat(world *w)
{
    ad_ring_producer_heartbeat(w->p, w->now);
    if (w->c != NULL) {
        ad_ring_consumer_heartbeat(w->c, w->now);
        if (ad_ring_consumer_check(w->c) == AD_ECLOSED) {
            ad_ring_consumer_close(w->c);
            w->c = NULL;
        }
    }
}

static void step(world *w, unsigned t, bool damaging, verify *vf, unsigned seed)
{
    w->now += STEP_NS;
    produce(w, (unsigned)(rnd(w) % 6));
    if (damaging && rnd(w) % 3 == 0) {
        damage(w);
    }
    consume(w, vf, seed);
    if (t % HB_EVERY == 0) {
        heartbeat(w);
    }
}

static void run_seed(unsigned seed)
{
    world w;
    verify vf = {0};
    ad_ring_config cfg;
    char msg[512];
    memset(&w, 0, sizeof(w));
    w.rng = 0x9e3779b97f4a7c15ULL * (seed + 1);
    w.now = 1700000000000000000ULL;
    rt_ring_name(w.name, sizeof(w.name), "heal");
    ad_ring_config_init(&cfg, w.name);
    cfg.capacity = CAPACITY;
    cfg.max_payload = MAX_PAYLOAD;
    if (ad_ring_producer_open(&cfg, &w.p, msg, sizeof(msg)) != AD_OK) {
        fail_msg("producer open: %s", msg);
    }
    attach(&w);
    assert_non_null(w.c);
    w.h = rt_raw_map(w.name, "data", true, &w.hsize, NULL);
    w.cur = rt_raw_map(w.name, "cursor", true, &w.csize, &w.cursor_fd);
    assert_non_null(w.h);
    assert_non_null(w.cur);

    unsigned t = 0;
    for (; t < DAMAGE_STEPS; t++) {
        step(&w, t, true, &vf, seed);
    }
    /* Damage over (a truncated cursor stays so until capture restores it). */
    for (unsigned end = t + RECOVERY_STEPS; t < end; t++) {
        step(&w, t, false, &vf, seed);
    }
    uint64_t drops = ad_ring_producer_counter_get(w.p, AD_CAP_DROPPED_RING_FULL);
    uint64_t invalid = ad_ring_producer_counter_get(w.p, AD_CAP_CURSOR_INVALID);
    vf.on = true;
    vf.first = ad_ring_producer_next_seq(w.p);
    for (unsigned end = t + VERIFY_STEPS; t < end; t++) {
        step(&w, t, false, &vf, seed);
    }
    if (w.c == NULL) {
        fail_msg("seed %u: the exporter could not attach again", seed);
    }
    consume(&w, &vf, seed);
    uint64_t last = ad_ring_producer_next_seq(w.p);
    if (vf.next != last) {
        fail_msg("seed %u: delivered up to seq %llu of %llu (first verified %llu)", seed,
                 (unsigned long long)vf.next - 1, (unsigned long long)last - 1,
                 (unsigned long long)vf.first);
    }
    if (ad_ring_producer_counter_get(w.p, AD_CAP_DROPPED_RING_FULL) != drops ||
        ad_ring_producer_counter_get(w.p, AD_CAP_CURSOR_INVALID) != invalid) {
        fail_msg("seed %u: capture still dropping after recovery", seed);
    }
    ad_ring_status *st = malloc(sizeof(*st));
    assert_non_null(st);
    assert_int_equal(ad_ring_status_read(w.name, false, st, msg, sizeof(msg)), AD_OK);
    for (unsigned i = 0; i < AD_EXP__COUNT; i++) {
        if (st->exporter_counters[i] > (1ULL << 41)) {
            fail_msg("seed %u: status shows %s = %llu", seed, ad_exporter_counter_name(i),
                     (unsigned long long)st->exporter_counters[i]);
        }
    }
    free(st);
    munmap(w.h, w.hsize);
    munmap(w.cur, w.csize);
    close(w.cursor_fd);
    ad_ring_consumer_close(w.c);
    ad_ring_producer_close(w.p);
    assert_int_equal(ad_ring_unlink(w.name, false), AD_OK);
}

static void test_recovers_from_random_damage(void **state)
{
    (void)state;
    for (unsigned seed = 0; seed < seeds; seed++) {
        run_seed(seed);
    }
    print_message("%u seeds: every one healthy within %u steps (%u heartbeats) after the "
                  "damage stopped\n",
                  seeds, RECOVERY_STEPS, RECOVERY_STEPS / HB_EVERY);
}

static char ring_dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(ring_dir, sizeof(ring_dir), "/run/adipc-selfheal-%ld", (long)getpid());
    return ad_ring_set_directory(ring_dir) == AD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    rt_cleanup_rings(state);
    rmdir(ring_dir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        seeds = (unsigned)strtoul(argv[1], NULL, 10);
    }
    ad_log_init("selfheal", AD_LOG_ERROR, AD_LOG_TEXT); /* thousands of repairs: quiet */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_from_random_damage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
