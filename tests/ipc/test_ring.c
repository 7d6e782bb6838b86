/*
 * asimdns tests: ring unit tests (one process; a forked child where a second process is the
 * point). Each test uses its own ring name and removes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/record.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "ipc/ring.h"
#include "ipc/ring_layout.h"
#include "cli/status_render.h"
#include "health/ring_health.h"
#include "ipc/ring_status.h"
#include "tests/ipc/ring_test_util.h"

typedef struct ring_fixture {
    char name[64];
    ad_ring_config cfg;
    ad_ring_producer *p;
    ad_ring_consumer *c;
    char msg[512];
} ring_fixture;

static void fx_init(ring_fixture *fx, const char *tag, uint64_t capacity, uint32_t max_payload)
{
    memset(fx, 0, sizeof(*fx));
    rt_ring_name(fx->name, sizeof(fx->name), tag);
    ad_ring_unlink(fx->name, false);
    ad_ring_config_init(&fx->cfg, fx->name);
    fx->cfg.capacity = capacity;
    fx->cfg.max_payload = max_payload;
}

static void fx_open_producer(ring_fixture *fx)
{
    ad_err err = ad_ring_producer_open(&fx->cfg, &fx->p, fx->msg, sizeof(fx->msg));
    if (err != AD_OK) {
        fail_msg("producer open: %s: %s", ad_err_name(err), fx->msg);
    }
}

static void fx_open_consumer(ring_fixture *fx)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, fx->name);
    ad_err err = ad_ring_consumer_open(&cc, &fx->c, fx->msg, sizeof(fx->msg));
    if (err != AD_OK) {
        fail_msg("consumer open: %s: %s", ad_err_name(err), fx->msg);
    }
}

static void fx_done(ring_fixture *fx)
{
    ad_ring_consumer_close(fx->c);
    ad_ring_producer_close(fx->p);
    fx->c = NULL;
    fx->p = NULL;
    assert_int_equal(ad_ring_unlink(fx->name, false), AD_OK);
}

/* Byte i of a small-test payload for seq: any length, including 0. */
static uint8_t pat(uint64_t seq, size_t i)
{
    return (uint8_t)(seq * 131u + i * 7u + 1u);
}

static ad_err write_pat(ad_ring_producer *p, size_t len, uint64_t *seq)
{
    void *dst;
    ad_err err = ad_ring_producer_reserve(p, len, &dst, seq);
    if (err != AD_OK) {
        return err;
    }
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)dst)[i] = pat(*seq, i);
    }
    ad_ring_producer_commit(p, len);
    return AD_OK;
}

static void check_pat(const ad_ring_view *v, size_t want_len)
{
    assert_int_equal(v->len, want_len);
    for (size_t i = 0; i < v->len; i++) {
        if (((const uint8_t *)v->data)[i] != pat(v->seq, i)) {
            fail_msg("payload byte %zu of seq %llu differs", i, (unsigned long long)v->seq);
        }
    }
}

static uint64_t ccount(ring_fixture *fx, ad_exporter_counter e)
{
    return ad_ring_consumer_counter_get(fx->c, e);
}

static uint64_t pcount(ring_fixture *fx, ad_capture_counter e)
{
    return ad_ring_producer_counter_get(fx->p, e);
}

/* ---- configuration ------------------------------------------------------------------------ */

static void test_config_validation(void **state)
{
    ring_fixture fx;
    (void)state;
    assert_int_equal(ad_ring_name_check("main"), AD_OK);
    assert_int_equal(ad_ring_name_check("a.b_c-9"), AD_OK);
    assert_int_equal(ad_ring_name_check(""), AD_EINVAL);
    assert_int_equal(ad_ring_name_check("../x"), AD_EINVAL);
    assert_int_equal(ad_ring_name_check("a/b"), AD_EINVAL);
    assert_int_equal(ad_ring_name_check(".hidden"), AD_EINVAL);
    assert_int_equal(ad_ring_name_check("0123456789012345678901234567890123456789012345678"),
                     AD_EINVAL);

    fx_init(&fx, "cfg", 3 * 4096, 512);
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EINVAL);
    assert_non_null(strstr(fx.msg, "power of two"));
    fx.cfg.capacity = 4096;
    fx.cfg.max_payload = 1024; /* 16 + 1024 > 4096 / 4 */
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EINVAL);
    fx.cfg.max_payload = 1000;
    fx.cfg.data_mode = 0660; /* group-writable data would let the exporter write records */
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EINVAL);
    assert_non_null(strstr(fx.msg, "data mode"));
    fx.cfg.data_mode = 0640;
    fx.cfg.cursor_mode = 0666;
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EINVAL);
    fx.cfg.cursor_mode = 0660;
    fx_open_producer(&fx);
    fx_done(&fx);

    assert_string_equal(ad_capture_counter_name(AD_CAP_DROPPED_RING_FULL), "dropped_ring_full");
    assert_string_equal(ad_exporter_counter_name(AD_EXP_RECORDS_CORRUPT), "records_corrupt");
    assert_string_equal(ad_exporter_counter_name(AD_EXP_RECORDS_CORRUPT_RING),
                        "records_corrupt_ring");
    assert_string_equal(ad_exporter_counter_name(AD_EXP_RECORDS_CORRUPT_PAYLOAD),
                        "records_corrupt_payload");
    assert_string_equal(ad_exporter_counter_name(AD_EXP_RECORDS_UNMAPPABLE), "records_unmappable");
    assert_null(ad_capture_counter_name(AD_CAP__COUNT));
}

/* ---- wrap-around with every size ---------------------------------------------------------- */

/*
 * Every payload size from 0 to the maximum (AD_RECORD_MAX_SIZE) goes through a 64 KiB ring,
 * in bursts, so the ring wraps hundreds of times with pads of many lengths.
 */
static void test_wrap_every_size(void **state)
{
    ring_fixture fx;
    ad_ring_view views[64];
    uint64_t next_read = 1, wraps_before;
    size_t len = 0, n;
    (void)state;

    fx_init(&fx, "wrap", 64 * 1024, AD_RECORD_MAX_SIZE);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    while (len <= AD_RECORD_MAX_SIZE) {
        unsigned burst = 1 + (unsigned)(len % 13);
        for (unsigned b = 0; b < burst && len <= AD_RECORD_MAX_SIZE; b++) {
            uint64_t seq;
            if (!ad_ring_producer_has_room(fx.p, len)) {
                break;
            }
            assert_int_equal(write_pat(fx.p, len, &seq), AD_OK);
            len++;
        }
        while (ad_ring_consumer_peek(fx.c, views, 64, &n) == AD_OK) {
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(views[i].seq, next_read);
                check_pat(&views[i], (size_t)(next_read - 1));
                next_read++;
            }
            ad_ring_consumer_commit(fx.c, &views[n - 1]);
        }
    }
    assert_int_equal(next_read, AD_RECORD_MAX_SIZE + 2);
    wraps_before = ad_ring_producer_position(fx.p) / (64 * 1024);
    assert_true(wraps_before > 400);
    assert_int_equal(pcount(&fx, AD_CAP_RECORDS_WRITTEN), AD_RECORD_MAX_SIZE + 1);
    assert_int_equal(pcount(&fx, AD_CAP_DROPPED_RING_FULL), 0);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_READ), AD_RECORD_MAX_SIZE + 1);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), 0);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 0);
    /* Oversized payloads are refused whatever the ring state. */
    uint64_t seq;
    assert_int_equal(write_pat(fx.p, AD_RECORD_MAX_SIZE + 1, &seq), AD_ERANGE);
    assert_int_equal(pcount(&fx, AD_CAP_DROPPED_TOO_LARGE), 1);
    fx_done(&fx);
}

/* ---- pad records -------------------------------------------------------------------------- */

/*
 * Writes records until the write offset is exactly `offset`, draining as it goes: each record
 * fills the room up to the target (or the area end), at most 528 bytes, never leaving a
 * remainder under 16 bytes; with only 8 bytes left, a 16-byte record pads and wraps.
 */
static void advance_to_offset(ring_fixture *fx, uint64_t cap, uint64_t offset)
{
    ad_ring_view v[16];
    size_t n;
    uint64_t seq;
    for (;;) {
        uint64_t off = ad_ring_producer_position(fx->p) & (cap - 1);
        uint64_t room, total;
        if (off == offset) {
            break;
        }
        room = off < offset ? offset - off : cap - off;
        if (room < 16) {
            total = 16;
        } else if (room <= 528) {
            total = room;
        } else {
            total = room - 528 >= 16 ? 528 : 512;
        }
        assert_int_equal(write_pat(fx->p, (size_t)(total - 16), &seq), AD_OK);
        while (ad_ring_consumer_peek(fx->c, v, 16, &n) == AD_OK) {
            ad_ring_consumer_commit(fx->c, &v[n - 1]);
        }
    }
}

static void test_pad_records(void **state)
{
    const uint64_t cap = 4096;
    ring_fixture fx;
    ad_ring_view v[4];
    size_t n;
    uint64_t seq, before;
    (void)state;

    fx_init(&fx, "pad", cap, 1000);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);

    /* Tail of 8 bytes: only a pad header fits; the 16-byte record goes to offset 0. */
    advance_to_offset(&fx, cap, cap - 8);
    before = ad_ring_producer_position(fx.p);
    assert_int_equal(write_pat(fx.p, 0, &seq), AD_OK);
    assert_int_equal(ad_ring_producer_position(fx.p), before + 8 + 16);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 4, &n), AD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].seq, seq);
    assert_int_equal(v[0].end_pos, before + 8 + 16);
    check_pat(&v[0], 0);
    ad_ring_consumer_commit(fx.c, &v[0]);

    /* Tail of 16 bytes: an empty record fits exactly, no pad. */
    advance_to_offset(&fx, cap, cap - 16);
    before = ad_ring_producer_position(fx.p);
    assert_int_equal(write_pat(fx.p, 0, &seq), AD_OK);
    assert_int_equal(ad_ring_producer_position(fx.p), before + 16);
    assert_int_equal(ad_ring_producer_position(fx.p) & (cap - 1), 0);

    /* Tail of 24 bytes and a 17-byte payload (40 bytes): a 24-byte pad, record at 0. */
    advance_to_offset(&fx, cap, cap - 24);
    before = ad_ring_producer_position(fx.p);
    assert_int_equal(write_pat(fx.p, 17, &seq), AD_OK);
    assert_int_equal(ad_ring_producer_position(fx.p), before + 24 + 40);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 4, &n), AD_OK);
    assert_int_equal(v[n - 1].seq, seq);
    check_pat(&v[n - 1], 17);

    /* The maximum payload wrapping over a long tail. */
    advance_to_offset(&fx, cap, cap - 1000);
    before = ad_ring_producer_position(fx.p);
    ad_ring_consumer_commit_all(fx.c);
    assert_int_equal(write_pat(fx.p, 1000, &seq), AD_OK);
    assert_int_equal(ad_ring_producer_position(fx.p), before + 1000 + 1016);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 4, &n), AD_OK);
    assert_int_equal(v[n - 1].seq, seq);
    check_pat(&v[n - 1], 1000);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), 0);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 0);
    fx_done(&fx);
}

/* ---- full ring ------------------------------------------------------------------------------ */

static void test_full_ring_drops(void **state)
{
    ring_fixture fx;
    ad_ring_view v[64];
    size_t n, total = 0;
    uint64_t seq, fit = 0;
    void *dst;
    (void)state;

    fx_init(&fx, "full", 4096, 1000);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    /* 100-byte payloads take 120 bytes: 34 fit (4080), the 35th would need a pad + 120. */
    while (write_pat(fx.p, 100, &seq) == AD_OK) {
        fit++;
        assert_int_equal(seq, fit);
    }
    assert_int_equal(fit, 34);
    assert_int_equal(seq, 35); /* the failed write consumed sequence 35 */
    for (int i = 0; i < 9; i++) {
        assert_int_equal(write_pat(fx.p, 100, &seq), AD_EFULL);
        assert_int_equal(seq, 36 + i);
    }
    /* try_reserve neither consumes a sequence nor counts a drop. */
    assert_int_equal(ad_ring_producer_try_reserve(fx.p, 100, &dst, &seq), AD_EFULL);
    assert_int_equal(seq, 45);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), 45);
    assert_int_equal(pcount(&fx, AD_CAP_DROPPED_RING_FULL), 10);
    assert_int_equal(pcount(&fx, AD_CAP_RECORDS_WRITTEN), 34);
    /* A too-large record is dropped and numbered too. */
    assert_int_equal(write_pat(fx.p, 1001, &seq), AD_ERANGE);
    assert_int_equal(seq, 45);
    assert_int_equal(pcount(&fx, AD_CAP_DROPPED_TOO_LARGE), 1);

    while (ad_ring_consumer_peek(fx.c, v, 64, &n) == AD_OK) {
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(v[i].seq, total + 1);
            check_pat(&v[i], 100);
            total++;
        }
        ad_ring_consumer_commit(fx.c, &v[n - 1]);
    }
    assert_int_equal(total, 34);
    /* Room again: the next record carries 46, and the consumer counts the 11 missing. */
    assert_int_equal(write_pat(fx.p, 100, &seq), AD_OK);
    assert_int_equal(seq, 46);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].seq, 46);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 11);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS),
                     pcount(&fx, AD_CAP_DROPPED_RING_FULL) + pcount(&fx, AD_CAP_DROPPED_TOO_LARGE));
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), 0);
    fx_done(&fx);
}

/* ---- reserve / commit / cancel, peek / rewind / commit ----------------------------------- */

static void test_reserve_commit_rewind(void **state)
{
    ring_fixture fx;
    ad_ring_view v[8], bogus;
    size_t n;
    uint64_t seq, seq2;
    void *dst;
    (void)state;

    fx_init(&fx, "rcr", 8192, 1024);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    /* Reserve big, commit small; cancel gives the sequence back. */
    assert_int_equal(ad_ring_producer_reserve(fx.p, 1024, &dst, &seq), AD_OK);
    memset(dst, 'x', 10);
    ad_ring_producer_commit(fx.p, 10);
    assert_int_equal(ad_ring_producer_position(fx.p), 32);
    assert_int_equal(ad_ring_producer_reserve(fx.p, 50, &dst, &seq2), AD_OK);
    assert_int_equal(seq2, seq + 1);
    ad_ring_producer_cancel(fx.p);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), seq + 1);
    assert_int_equal(ad_ring_producer_write(fx.p, "hello", 5, &seq2), AD_OK);
    assert_int_equal(seq2, seq + 1);

    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 8, &n), AD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].len, 10);
    assert_memory_equal(v[1].data, "hello", 5);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 8, &n), AD_EEMPTY);
    /* Commit the first, rewind: the second is read again. */
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 8, &n), AD_EEMPTY);
    ad_ring_consumer_rewind(fx.c);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 1, &n), AD_OK);
    assert_int_equal(ad_ring_consumer_commit(fx.c, &v[0]), AD_OK);
    ad_ring_consumer_rewind(fx.c);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 8, &n), AD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].seq, seq2);
    /* A view from nowhere is refused. */
    bogus = v[0];
    bogus.end_pos += 8;
    assert_int_equal(ad_ring_consumer_commit(fx.c, &bogus), AD_EINVAL);
    bogus.end_pos = 3;
    assert_int_equal(ad_ring_consumer_commit(fx.c, &bogus), AD_EINVAL);
    assert_int_equal(ad_ring_consumer_commit(fx.c, &v[0]), AD_OK);
    assert_int_equal(ad_ring_consumer_committed_pos(fx.c), ad_ring_producer_position(fx.p));
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 0);
    /* Wait times out on an idle ring, returns at once when a record is there. */
    assert_int_equal(ad_ring_consumer_wait(fx.c, 2000000), AD_ETIMEDOUT);
    assert_int_equal(ad_ring_producer_write(fx.p, "x", 1, &seq), AD_OK);
    assert_int_equal(ad_ring_consumer_wait(fx.c, 2000000), AD_OK);
    fx_done(&fx);
}

/* ---- sequence continuity and re-attach ---------------------------------------------------- */

static void test_reattach_continues(void **state)
{
    ring_fixture fx;
    ad_ring_view v[64];
    size_t n;
    uint64_t seq, gen;
    (void)state;

    fx_init(&fx, "reatt", 16384, 1024);
    fx_open_producer(&fx);
    gen = ad_ring_producer_generation(fx.p);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
    }
    ad_ring_producer_counter_add(fx.p, AD_CAP_EVENTS_IN, 10);
    /* Capture restarts: same ring, same generation, sequence and counters continue. */
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    fx_open_producer(&fx);
    assert_int_equal(ad_ring_producer_generation(fx.p), gen);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), 11);
    assert_int_equal(pcount(&fx, AD_CAP_EVENTS_IN), 10);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
    }
    assert_int_equal(seq, 15);

    /* The exporter reads 15, commits the first 8, then restarts. */
    fx_open_consumer(&fx);
    assert_int_equal(ad_ring_consumer_generation(fx.c), gen);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 15);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].seq, i + 1);
        check_pat(&v[i], 40);
    }
    assert_int_equal(ad_ring_consumer_commit(fx.c, &v[7]), AD_OK);
    ad_ring_consumer_close(fx.c);
    fx.c = NULL;
    fx_open_consumer(&fx);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 7);
    assert_int_equal(v[0].seq, 9); /* continues at the committed cursor */
    assert_int_equal(ccount(&fx, AD_EXP_DUPLICATES_POSSIBLE), 7);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 0);
    ad_ring_consumer_commit_all(fx.c);

    /* Capture restarts after dropping records: the gap survives the restart. */
    while (write_pat(fx.p, 900, &seq) == AD_OK) {
    }
    uint64_t dropped = pcount(&fx, AD_CAP_DROPPED_RING_FULL);
    assert_int_equal(dropped, 1);
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    fx_open_producer(&fx);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), seq + 1);
    ad_ring_consumer_commit_all(fx.c);
    while (ad_ring_consumer_peek(fx.c, v, 64, &n) == AD_OK) {
        ad_ring_consumer_commit(fx.c, &v[n - 1]);
    }
    assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(v[n - 1].seq, seq);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), dropped);
    fx_done(&fx);
}

/* Capture dies right after publishing a record, before next_seq is stored. */
static void test_crash_between_publish_and_next_seq(void **state)
{
    ring_fixture fx;
    ad_ring_data_hdr *h;
    size_t size = 0;
    uint64_t seq;
    (void)state;

    fx_init(&fx, "crash", 8192, 512);
    fx_open_producer(&fx);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(write_pat(fx.p, 24, &seq), AD_OK);
    }
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    h = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(h);
    ad_atomic_store_relaxed(&h->next_seq, 7); /* as if the last store never happened */
    munmap(h, size);
    fx_open_producer(&fx);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), 8); /* recovered from the record */
    fx_done(&fx);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static void test_version_and_capacity_mismatch(void **state)
{
    ring_fixture fx;
    ad_ring_consumer_config cc;
    ad_ring_data_hdr *h;
    size_t size = 0;
    uint64_t gen, seq;
    (void)state;

    fx_init(&fx, "ver", 8192, 512);
    fx_open_producer(&fx);
    gen = ad_ring_producer_generation(fx.p);
    assert_int_equal(write_pat(fx.p, 24, &seq), AD_OK);
    ad_ring_producer_close(fx.p);
    fx.p = NULL;

    /* Another layout version in the header: both sides refuse, naming the versions. */
    h = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(h);
    h->layout_version = AD_RING_LAYOUT_VERSION + 1;
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EVERSION);
    assert_non_null(strstr(fx.msg, "layout version 2"));
    ad_ring_consumer_config_init(&cc, fx.name);
    assert_int_equal(ad_ring_consumer_open(&cc, &fx.c, fx.msg, sizeof(fx.msg)), AD_EVERSION);
    assert_non_null(strstr(fx.msg, "layout version"));
    /* A foreign magic is refused as well. */
    h->layout_version = AD_RING_LAYOUT_VERSION;
    ad_atomic_store_relaxed(&h->magic, 0x1234);
    assert_int_equal(ad_ring_consumer_open(&cc, &fx.c, fx.msg, sizeof(fx.msg)), AD_EVERSION);
    assert_non_null(strstr(fx.msg, "not an asimdns ring"));
    ad_atomic_store_relaxed(&h->magic, AD_RING_MAGIC);
    munmap(h, size);

    /* Another capacity in the configuration: refused, unless recreate is set. */
    fx.cfg.capacity = 16384;
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EVERSION);
    assert_non_null(strstr(fx.msg, "capacity 8192"));
    fx.cfg.recreate_on_mismatch = true;
    fx_open_producer(&fx);
    assert_int_not_equal(ad_ring_producer_generation(fx.p), gen);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), 1);
    assert_int_equal(ad_ring_producer_capacity(fx.p), 16384);

    /* A version mismatch with recreate set: replaced too. */
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    h = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(h);
    h->layout_version = 99;
    munmap(h, size);
    fx_open_producer(&fx);
    assert_int_equal(ad_ring_producer_next_seq(fx.p), 1);
    fx_open_consumer(&fx);
    fx_done(&fx);
}

static void test_second_producer_and_consumer_refused(void **state)
{
    ring_fixture fx;
    ad_ring_consumer_config cc;
    ad_ring_consumer *c2 = NULL;
    int ready[2], go[2];
    pid_t pid;
    char b = 0;
    (void)state;

    fx_init(&fx, "dup", 8192, 512);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Another process holds both ends of the ring. */
        ad_ring_producer *p = NULL;
        ad_ring_consumer *c = NULL;
        ad_ring_consumer_config ccc;
        if (ad_ring_producer_open(&fx.cfg, &p, NULL, 0) != AD_OK) {
            _exit(1);
        }
        ad_ring_consumer_config_init(&ccc, fx.name);
        if (ad_ring_consumer_open(&ccc, &c, NULL, 0) != AD_OK) {
            _exit(2);
        }
        if (write(ready[1], "r", 1) != 1 || read(go[0], &b, 1) != 1) {
            _exit(3);
        }
        _exit(0);
    }
    assert_int_equal(read(ready[0], &b, 1), 1);
    assert_int_equal(ad_ring_producer_open(&fx.cfg, &fx.p, fx.msg, sizeof(fx.msg)), AD_EEXIST);
    assert_non_null(strstr(fx.msg, "in use by capture pid"));
    ad_ring_consumer_config_init(&cc, fx.name);
    assert_int_equal(ad_ring_consumer_open(&cc, &c2, fx.msg, sizeof(fx.msg)), AD_EEXIST);
    assert_non_null(strstr(fx.msg, "in use by exporter pid"));
    /* Once that process is gone (killed, not closed), both re-attach. */
    kill(pid, SIGKILL);
    assert_int_equal(rt_wait(pid, 10), 128 + SIGKILL);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    fx_done(&fx);
}

/* ---- hostile cursor, corrupt records (single process, deterministic) --------------------- */

static void test_cursor_values_validated(void **state)
{
    ring_fixture fx;
    ad_ring_cursor *cur;
    size_t size = 0;
    uint64_t seq, pos, invalid;
    (void)state;

    fx_init(&fx, "curval", 4096, 512);
    fx_open_producer(&fx);
    cur = rt_raw_map(fx.name, "cursor", true, &size, NULL);
    assert_non_null(cur);
    while (write_pat(fx.p, 200, &seq) == AD_OK) {
    }
    pos = ad_ring_producer_position(fx.p);
    const uint64_t bad[] = {pos + 8, pos + 4096, 3, pos - 4, UINT64_MAX, pos - 4096 - 8};
    for (size_t i = 0; i < AD_ARRAY_LEN(bad); i++) {
        invalid = pcount(&fx, AD_CAP_CURSOR_INVALID);
        ad_atomic_store_release(&cur->consumer_pos, bad[i]);
        assert_int_equal(write_pat(fx.p, 200, &seq), AD_EFULL);
        assert_int_equal(pcount(&fx, AD_CAP_CURSOR_INVALID), invalid + 1);
        assert_int_equal(ad_ring_producer_position(fx.p), pos);
    }
    /* Behind by less than a ring is valid (still full); equal to the producer: empty. */
    invalid = pcount(&fx, AD_CAP_CURSOR_INVALID);
    ad_atomic_store_release(&cur->consumer_pos, 0);
    assert_int_equal(write_pat(fx.p, 200, &seq), AD_EFULL);
    ad_atomic_store_release(&cur->consumer_pos, pos);
    assert_int_equal(write_pat(fx.p, 200, &seq), AD_OK);
    assert_int_equal(pcount(&fx, AD_CAP_CURSOR_INVALID), invalid);
    munmap(cur, size);
    fx_done(&fx);
}

static void test_corrupt_header_resync(void **state)
{
    ring_fixture fx;
    ad_ring_view v[64];
    uint8_t *data;
    size_t size = 0, n;
    uint64_t seq;
    (void)state;

    fx_init(&fx, "corr", 8192, 512);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    data = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(data);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK); /* 56 bytes each */
    }
    /* Flip one bit in the length of record 4 (offset 3 * 56). */
    data[AD_RING_HEADER_SIZE + 3 * 56] ^= 0x04;
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), 1);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT_RING), 1); /* the ring's own cause */
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT_PAYLOAD), 0);
    assert_int_equal(ccount(&fx, AD_EXP_RESYNCS), 1);
    assert_int_equal(ccount(&fx, AD_EXP_BYTES_SKIPPED_CORRUPT), 7 * 56);
    assert_int_equal(ad_ring_consumer_read_pos(fx.c), ad_ring_producer_position(fx.p));
    ad_ring_consumer_commit_all(fx.c);
    /* The next record arrives; the 7 skipped ones count as lost to corruption, not drops. */
    assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(v[0].seq, 11);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_LOST_CORRUPT), 7);
    assert_int_equal(ccount(&fx, AD_EXP_SEQUENCE_GAPS), 0);
    ad_ring_consumer_commit(fx.c, &v[0]);

    /* Bad type, bad pad, length past the producer, sequence going back: all resync (to
       the end of the record after the damaged one, where capture confirmably is). */
    const size_t base = AD_RING_HEADER_SIZE;
    for (int k = 0; k < 4; k++) {
        uint64_t at = ad_ring_producer_position(fx.p) & 8191;
        ad_ring_rec_hdr h;
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
        memcpy(&h, data + base + at, sizeof(h));
        if (k == 0) {
            h.type = 0x1111;
        } else if (k == 1) {
            h.type = AD_RING_REC_PAD;
            h.check = ad_ring_rec_check(h.len, AD_RING_REC_PAD, 0);
        } else if (k == 2) {
            h.len = 400;
            h.check = ad_ring_rec_check(h.len, h.type, h.seq);
        } else {
            h.seq = 1;
            h.check = ad_ring_rec_check(h.len, h.type, h.seq);
        }
        memcpy(data + base + at, &h, sizeof(h));
        uint64_t before = ccount(&fx, AD_EXP_RESYNCS);
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ccount(&fx, AD_EXP_RESYNCS), before + 1);
        assert_int_equal(ad_ring_consumer_read_pos(fx.c), ad_ring_producer_position(fx.p));
        /* Nothing was pending: the skipped bytes are released at once. */
        assert_int_equal(ad_ring_consumer_committed_pos(fx.c), ad_ring_producer_position(fx.p));
    }

    /* A damaged last record cannot be confirmed: the reader waits before it (counted once)
       instead of jumping; the next record lets it resync. */
    {
        uint64_t at = ad_ring_producer_position(fx.p) & 8191;
        uint64_t corrupt0 = ccount(&fx, AD_EXP_RECORDS_CORRUPT);
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
        data[base + at + 1] ^= 0x80;
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), corrupt0 + 1);
        assert_int_equal(ad_ring_consumer_read_pos(fx.c), ad_ring_producer_position(fx.p) - 56);
        assert_int_equal(ad_ring_consumer_wait(fx.c, 1000000), AD_ETIMEDOUT); /* no spinning */
        assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ad_ring_consumer_read_pos(fx.c), ad_ring_producer_position(fx.p));
    }

    /* Damaged producer positions are never followed: misaligned, more than a ring ahead,
       or ahead within a ring (stale bytes there fail validation). Each counted once. */
    ad_ring_data_hdr *hdr = (ad_ring_data_hdr *)data;
    uint64_t good = ad_atomic_load_relaxed(&hdr->producer_pos);
    const uint64_t bogus[] = {good + 3, good + 3 * 8192, good + 64};
    for (size_t i = 0; i < AD_ARRAY_LEN(bogus); i++) {
        uint64_t corrupt = ccount(&fx, AD_EXP_RECORDS_CORRUPT);
        ad_atomic_store_relaxed(&hdr->producer_pos, bogus[i]);
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_EEMPTY);
        assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), corrupt + 1);
        assert_int_equal(ad_ring_consumer_read_pos(fx.c), good);
        ad_ring_consumer_commit_all(fx.c);
        assert_true(ad_ring_consumer_committed_pos(fx.c) <= good);
    }
    /* Capture writes again (restoring its position): the reader goes on. */
    assert_int_equal(write_pat(fx.p, 40, &seq), AD_OK);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].seq, seq);
    check_pat(&v[0], 40);
    munmap(data, size);
    fx_done(&fx);
}

/*
 * The ring is full and producer_pos gets damaged: capture cannot commit (so cannot rewrite
 * it) until the exporter frees space. The exporter reads around the damaged word (up to the
 * end of the last record, which it can confirm) instead of waiting for capture forever, and
 * capture's heartbeat republishes the word.
 */
static void test_damaged_producer_pos_when_full(void **state)
{
    ring_fixture fx;
    ad_ring_view v[64];
    ad_ring_data_hdr *hdr;
    size_t size = 0, n, got = 0;
    uint64_t seq, good;
    (void)state;

    fx_init(&fx, "dmgfull", 4096, 512);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    hdr = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(hdr);
    while (write_pat(fx.p, 100, &seq) == AD_OK) {
    }
    good = ad_atomic_load_relaxed(&hdr->producer_pos);
    ad_atomic_store_relaxed(&hdr->producer_pos, good + 5);
    while (ad_ring_consumer_peek(fx.c, v, 64, &n) == AD_OK) {
        for (size_t i = 0; i < n; i++) {
            check_pat(&v[i], 100);
        }
        got += n;
        ad_ring_consumer_commit(fx.c, &v[n - 1]);
    }
    assert_int_equal(got, 34);
    assert_int_equal(ad_ring_consumer_committed_pos(fx.c), good);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT), 1);
    assert_int_equal(ccount(&fx, AD_EXP_RECORDS_CORRUPT_RING), 1);
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    assert_int_equal(ad_atomic_load_relaxed(&hdr->producer_pos), good);
    assert_int_equal(write_pat(fx.p, 100, &seq), AD_OK);
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 64, &n), AD_OK);
    assert_int_equal(v[0].seq, seq);
    munmap(hdr, size);
    fx_done(&fx);
}

/* The exporter truncates the cursor object: capture reads zeros, survives, repairs. */
static void test_cursor_truncated(void **state)
{
    ring_fixture fx;
    int fd = -1;
    size_t size = 0;
    void *cur;
    uint64_t seq;
    (void)state;

    fx_init(&fx, "trunc", 4096, 512);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    cur = rt_raw_map(fx.name, "cursor", true, &size, &fd);
    assert_non_null(cur);
    munmap(cur, size);
    assert_int_equal(ftruncate(fd, 0), 0);
    /* Fill the ring so the producer must look at the (now missing) cursor page. */
    for (int i = 0; i < 100; i++) {
        (void)write_pat(fx.p, 200, &seq);
    }
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    assert_int_equal(pcount(&fx, AD_CAP_CURSOR_FAULTS), 1);
    assert_int_equal(ftruncate(fd, AD_RING_CURSOR_SIZE), 0);
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    assert_int_equal(pcount(&fx, AD_CAP_CURSOR_FAULTS), 1);
    close(fd);
    /* The consumer's own mapping faulted too; the ring still tells it to re-open. */
    ad_ring_consumer_close(fx.c);
    fx.c = NULL;
    fx_done(&fx);
}

/* ---- counters, status ----------------------------------------------------------------------- */

static void test_decode_error_table(void **state)
{
    ring_fixture fx;
    ad_ring_status st;
    (void)state;

    fx_init(&fx, "dec", 4096, 512);
    fx_open_producer(&fx);
    for (uint16_t id = 0; id < 40; id++) {
        ad_ring_producer_decode_error(fx.p, (uint16_t)(256 + id), (uint8_t)(id & 1));
    }
    ad_ring_producer_decode_error(fx.p, 256, 0);
    ad_ring_producer_counter_set(fx.p, AD_CAP_ETW_EVENTS_LOST, 77);
    assert_int_equal(pcount(&fx, AD_CAP_DECODE_ERRORS), 41);
    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    assert_int_equal(st.decode_error_count, AD_RING_DECODE_SLOTS);
    assert_int_equal(st.decode_errors[0].event_id, 256);
    assert_int_equal(st.decode_errors[0].count, 2);
    assert_int_equal(st.decode_errors[1].event_id, 257);
    assert_int_equal(st.decode_errors[1].version, 1);
    assert_true(st.decode_errors[AD_RING_DECODE_SLOTS - 1].other);
    assert_int_equal(st.decode_errors[AD_RING_DECODE_SLOTS - 1].count, 40 - 31);
    assert_int_equal(st.capture_counters[AD_CAP_ETW_EVENTS_LOST], 77);
    fx_done(&fx);
}

static void test_status(void **state)
{
    ring_fixture fx;
    ad_ring_status st;
    ad_ring_view v[8];
    char buf[16384], why[256];
    ad_strbuf sb;
    size_t n;
    uint64_t seq;
    (void)state;

    assert_int_equal(ad_ring_status_read("t-missing-ring", false, &st, buf, sizeof(buf)),
                     AD_ENOENT);
    fx_init(&fx, "status", 8192, 512);
    fx_open_producer(&fx);
    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    assert_int_equal(ad_ring_status_health(&st, why, sizeof(why)),
                     AD_RING_DEGRADED); /* no exporter yet */
    assert_non_null(strstr(why, "exporter is not attached"));
    fx_open_consumer(&fx);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(write_pat(fx.p, 100, &seq), AD_OK);
    }
    assert_int_equal(ad_ring_consumer_peek(fx.c, v, 1, &n), AD_OK);
    ad_ring_consumer_commit(fx.c, &v[0]);
    ad_ring_producer_counter_add(fx.p, AD_CAP_EVENTS_IN, 3);
    ad_ring_consumer_counter_add(fx.c, AD_EXP_BATCHES_OK, 1);
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    ad_ring_consumer_heartbeat(fx.c, ad_time_now_ns());

    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    assert_true(st.consistent);
    assert_true(st.cursor_ok);
    assert_true(st.cursor_valid);
    assert_int_equal(st.capacity, 8192);
    assert_int_equal(st.producer_pos, 3 * 120);
    assert_int_equal(st.consumer_pos, 120);
    assert_int_equal(st.used_bytes, 240);
    assert_int_equal(st.next_seq, 4);
    assert_int_equal(st.committed_seq, 1);
    assert_int_equal(st.capture_pid, (uint64_t)getpid());
    assert_int_equal(st.exporter_pid, (uint64_t)getpid());
    assert_int_equal(st.generation, ad_ring_producer_generation(fx.p));
    assert_int_equal(st.generation_seen, st.generation);
    assert_int_equal(st.capture_counters[AD_CAP_EVENTS_IN], 3);
    assert_int_equal(st.capture_counters[AD_CAP_RECORDS_WRITTEN], 3);
    assert_int_equal(st.exporter_counters[AD_EXP_BATCHES_OK], 1);
    assert_int_equal(ad_ring_status_health(&st, why, sizeof(why)), AD_RING_HEALTHY);

    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_ring_status_format_text(&st, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    assert_non_null(strstr(buf, "health            healthy"));
    assert_non_null(strstr(buf, "capacity          8192 bytes"));
    assert_non_null(strstr(buf, "used              240 bytes"));
    assert_non_null(strstr(buf, "heartbeat 0.0 s ago"));
    assert_non_null(strstr(buf, "dropped_ring_full"));
    assert_non_null(strstr(buf, "dnstap_writers_dropped"));
    assert_non_null(strstr(buf, "duplicates_possible"));

    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_ring_status_format_json(&st, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    assert_non_null(strstr(buf, "\"health\":\"healthy\""));
    assert_non_null(strstr(buf, "\"capacity\":8192,"));
    assert_non_null(strstr(buf, "\"used_bytes\":240,"));
    assert_non_null(strstr(buf, "\"events_in\":3"));
    assert_non_null(strstr(buf, "\"batches_ok\":1"));
    assert_non_null(strstr(buf, "\"heartbeat_age_ns\":"));
    /* Balanced braces and brackets, ends with the object. */
    int depth = 0;
    for (const char *q = buf; *q != '\0'; q++) {
        depth += (*q == '{' || *q == '[') - (*q == '}' || *q == ']');
        assert_true(depth >= 0);
    }
    assert_int_equal(depth, 0);
    assert_int_equal(buf[strlen(buf) - 1], '}');

    /* Capture gone: down. */
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    assert_int_equal(ad_ring_status_health(&st, why, sizeof(why)), AD_RING_DOWN);
    fx_done(&fx);
}

static void test_consumer_check_detects_recreate(void **state)
{
    ring_fixture fx;
    (void)state;
    fx_init(&fx, "check", 8192, 512);
    fx_open_producer(&fx);
    fx_open_consumer(&fx);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_OK);
    ad_ring_producer_close(fx.p);
    fx.p = NULL;
    assert_int_equal(ad_ring_unlink(fx.name, false), AD_OK);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_ECLOSED);
    fx_open_producer(&fx); /* new generation under the same name */
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_ECLOSED);
    fx_done(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_wrap_every_size),
        cmocka_unit_test(test_pad_records),
        cmocka_unit_test(test_full_ring_drops),
        cmocka_unit_test(test_reserve_commit_rewind),
        cmocka_unit_test(test_reattach_continues),
        cmocka_unit_test(test_crash_between_publish_and_next_seq),
        cmocka_unit_test(test_version_and_capacity_mismatch),
        cmocka_unit_test(test_second_producer_and_consumer_refused),
        cmocka_unit_test(test_cursor_values_validated),
        cmocka_unit_test(test_corrupt_header_resync),
        cmocka_unit_test(test_damaged_producer_pos_when_full),
        cmocka_unit_test(test_cursor_truncated),
        cmocka_unit_test(test_decode_error_table),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_consumer_check_detects_recreate),
    };
    return cmocka_run_group_tests(tests, NULL, rt_cleanup_rings);
}
