/*
 * asimdns tests: overlapped delivery (exporter/pipeline.h, delivery_lanes.h) against a real
 * ring and a scripted receiver on several lanes: the test answers each batch when and how it
 * chooses (out of order, one failure in the middle, a receiver that dies with several batches in
 * flight) and checks that the committed cursor only covers the acknowledged prefix, that no
 * record is lost and that duplicates stay within the documented bound (the batches in flight).
 *
 * The pipeline runs on a thread of its own with the real clock; every wait here is bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/host.h"
#include "common/record.h"
#include "exporter/otlp_decode.h"
#include "exporter/pipeline.h"
#include "exporter/spool.h"
#include "exporter/spool_fs.h"
#include "exporter/spool_stage.h"
#include "exporter/transport.h"
#include "ipc/ring.h"
#include "ipc/ring_status.h"
#include "spool_test_os.h"

#define LANES 4
#define BATCH 250
#define RECORDS 2000 /* 8 batches */
#define MAX_ATTEMPTS 64
#define WAIT_MS 10000 /* longest any step may take before the test fails */

typedef enum answer { PENDING = 0, ANSWER_OK, ANSWER_RETRY } answer;

typedef struct attempt {
    uint64_t first_seq, last_seq;
    uint32_t records;
    answer answer;
    bool taken; /* the sender saw its answer */
    uint64_t seqs[BATCH];
} attempt;

typedef struct lane_xport {
    ad_xport base;
} lane_xport;

static struct {
    nng_mtx *mtx;
    nng_cv *cv;
    attempt attempts[MAX_ATTEMPTS];
    unsigned nattempts;
    bool dead;                              /* the receiver died: every attempt from now on fails */
    unsigned compressing, most_compressing; /* inside the compression gate now, at most */
    uint32_t delivered[RECORDS + 1];
} R;

static char ring_name[48];
static ad_ring_producer *prod;
static ad_ring_consumer *cons;
static ad_exporter_config cfg;
static ad_asim_host host;
static lane_xport lanes[LANES];
static atomic_bool stop_flag;
static unsigned ring_no;

static int add_seq(const ad_otlp_record *rec, void *arg)
{
    attempt *a = arg;
    const ad_otlp_kv *kv = ad_otlp_record_find(rec, "asimdns.record_id");
    const char *dash = memchr(kv->value.str, '-', kv->value.len);
    uint64_t seq = strtoull(dash + 1, NULL, 10);
    if (a->records < BATCH)
        a->seqs[a->records] = seq;
    if (a->records++ == 0)
        a->first_seq = seq;
    a->last_seq = seq;
    return 0;
}

/* The receiver: registers the attempt, then waits for the test's answer (or the shutdown). */
static ad_err lane_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    attempt a;
    memset(&a, 0, sizeof(a));
    /* "Compress" inside the transport's gate, as otlp_http does (ad_xport_gzip). */
    if (t->gate != NULL)
        t->gate(t->gate_ctx, true);
    nng_mtx_lock(R.mtx);
    if (++R.compressing > R.most_compressing)
        R.most_compressing = R.compressing;
    nng_mtx_unlock(R.mtx);
    nng_msleep(2);
    nng_mtx_lock(R.mtx);
    R.compressing--;
    nng_mtx_unlock(R.mtx);
    if (t->gate != NULL)
        t->gate(t->gate_ctx, false);
    ad_otlp_request *req;
    if (ad_otlp_request_decode(data, len, &req) != AD_OK)
        return AD_EINVAL;
    (void)ad_otlp_request_foreach(req, add_seq, &a);
    ad_otlp_request_free(req);
    nng_mtx_lock(R.mtx);
    if (R.nattempts == MAX_ATTEMPTS) {
        nng_mtx_unlock(R.mtx);
        return AD_EINVAL;
    }
    unsigned i = R.nattempts++;
    R.attempts[i] = a;
    if (R.dead)
        R.attempts[i].answer = ANSWER_RETRY;
    nng_cv_wake(R.cv);
    while (R.attempts[i].answer == PENDING) {
        nng_mtx_unlock(R.mtx);
        bool go_on = t->tick == NULL || t->tick(t->tick_ctx);
        nng_mtx_lock(R.mtx);
        if (!go_on)
            break; /* the exporter gave up waiting (shutdown) */
        if (R.attempts[i].answer == PENDING)
            (void)nng_cv_until(R.cv, nng_clock() + 10);
    }
    answer ans = R.attempts[i].answer;
    R.attempts[i].taken = true;
    if (ans == ANSWER_OK) {
        for (uint32_t k = 0; k < R.attempts[i].records && k < BATCH; k++)
            R.delivered[R.attempts[i].seqs[k]]++;
    }
    nng_cv_wake(R.cv);
    nng_mtx_unlock(R.mtx);
    memset(res, 0, sizeof(*res));
    res->status = ans == ANSWER_OK ? AD_SEND_OK : AD_SEND_RETRY;
    res->wire_bytes = len;
    if (ans != ANSWER_OK)
        snprintf(res->message, sizeof(res->message), "scripted failure");
    return AD_OK;
}

static void lane_destroy(ad_xport *t)
{
    (void)t;
}

static const ad_xport_ops lane_ops = {
    .name = "scripted", .send = lane_send, .destroy = lane_destroy};

/* The attempt for the batch starting at first_seq that has no answer yet (waits for it). */
static unsigned pending(uint64_t first_seq)
{
    nng_time until = nng_clock() + WAIT_MS;
    nng_mtx_lock(R.mtx);
    for (;;) {
        for (unsigned i = 0; i < R.nattempts; i++) {
            if (R.attempts[i].first_seq == first_seq && R.attempts[i].answer == PENDING) {
                nng_mtx_unlock(R.mtx);
                return i;
            }
        }
        if (nng_cv_until(R.cv, until) == NNG_ETIMEDOUT) {
            nng_mtx_unlock(R.mtx);
            fail_msg("no attempt for the batch starting at %llu", (unsigned long long)first_seq);
        }
    }
}

static void answer_batch(uint64_t first_seq, answer ans)
{
    unsigned i = pending(first_seq);
    nng_mtx_lock(R.mtx);
    R.attempts[i].answer = ans;
    nng_cv_wake(R.cv);
    nng_mtx_unlock(R.mtx);
}

/* Answers every attempt, now and later, with ans until told otherwise. */
static void answer_all(answer ans)
{
    nng_mtx_lock(R.mtx);
    for (unsigned i = 0; i < R.nattempts; i++) {
        if (R.attempts[i].answer == PENDING)
            R.attempts[i].answer = ans;
    }
    nng_cv_wake(R.cv);
    nng_mtx_unlock(R.mtx);
}

static unsigned in_flight(void)
{
    nng_mtx_lock(R.mtx);
    unsigned n = 0;
    for (unsigned i = 0; i < R.nattempts; i++)
        n += R.attempts[i].answer == PENDING;
    nng_mtx_unlock(R.mtx);
    return n;
}

static void wait_in_flight(unsigned n)
{
    nng_time until = nng_clock() + WAIT_MS;
    while (in_flight() < n) {
        if (nng_clock() > until)
            fail_msg("%u batches in flight, expected %u", in_flight(), n);
        nng_msleep(2);
    }
}

/* The exporter cursor as another process sees it. */
static uint64_t cursor(void)
{
    static ad_ring_status st;
    char msg[128];
    assert_int_equal(ad_ring_status_read(ring_name, true, &st, msg, sizeof(msg)), AD_OK);
    return st.consumer_pos;
}

static uint64_t record_size;

/* Waits until the cursor covers exactly `records` records (it must never pass them). */
static void expect_cursor(uint64_t records)
{
    nng_time until = nng_clock() + WAIT_MS;
    uint64_t want = records * record_size;
    for (;;) {
        uint64_t pos = cursor();
        if (pos > want)
            fail_msg("cursor at record %llu, past the acknowledged prefix of %llu",
                     (unsigned long long)(pos / record_size), (unsigned long long)records);
        if (pos == want)
            return;
        if (nng_clock() > until)
            fail_msg("cursor at record %llu, expected %llu",
                     (unsigned long long)(pos / record_size), (unsigned long long)records);
        nng_msleep(2);
    }
}

/* The cursor stays where it is for a while (a later acknowledgement must not move it). */
static void expect_cursor_stays(uint64_t records)
{
    for (int i = 0; i < 25; i++) {
        assert_int_equal(cursor(), records * record_size);
        nng_msleep(2);
    }
}

static void produce(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        void *dst;
        uint64_t seq;
        assert_int_equal(ad_ring_producer_reserve(prod, AD_RECORD_MAX_SIZE, &dst, &seq), AD_OK);
        ad_event ev;
        ad_event_init(&ev);
        ev.hdr.source = AD_SOURCE_SYNTHETIC;
        ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
        ev.hdr.event_id = 256;
        ev.hdr.time_ns = 1732528800000000000ULL + seq;
        ev.hdr.sequence = seq;
        ev.hdr.present = AD_HAS_QTYPE;
        ev.hdr.qtype = 1;
        /* One length for every record: positions translate to record counts. */
        ad_event_set_str(&ev, AD_STR_QNAME, "www.example.com.", 16);
        size_t len;
        assert_int_equal(ad_record_encode(&ev, dst, AD_RECORD_MAX_SIZE, &len), AD_OK);
        ad_ring_producer_commit(prod, len);
    }
}

static bool env_stop(void *ctx)
{
    (void)ctx;
    return atomic_load(&stop_flag);
}

typedef struct run_args {
    ad_pipeline *p;
    ad_err err;
} run_args;

static void run_thread(void *arg)
{
    run_args *r = arg;
    r->err = ad_pipeline_run(r->p);
}

static ad_pipeline_env env = {.stop_requested = env_stop};
static ad_xport *lane_ptrs[LANES];
static ad_spool_stage *spool; /* NULL: records come straight from the ring */

static void start(run_args *r, nng_thread **thr)
{
    ad_pipeline_opts o = {.cfg = &cfg,
                          .ring = cons,
                          .transport = &lanes[0].base,
                          .lanes = lane_ptrs,
                          .lane_count = LANES,
                          .host = &host,
                          .instance_id = "lanes-test",
                          .shutdown_grace_ns = 300 * 1000000ULL,
                          .env = &env,
                          .spool = spool};
    atomic_store(&stop_flag, false);
    assert_int_equal(ad_pipeline_create(&o, &r->p), AD_OK);
    assert_int_equal(nng_thread_create(thr, run_thread, r), 0);
}

static void stop(run_args *r, nng_thread *thr)
{
    atomic_store(&stop_flag, true);
    nng_thread_destroy(thr); /* joins: the shutdown grace bounds it */
    assert_int_equal(r->err, AD_OK);
    ad_pipeline_destroy(r->p);
}

/* The spool stage on cfg.spool.directory (opened again: what a restarted exporter finds). */
static void spool_open(void)
{
    static ad_spool_fs fs; /* the OS file layer, adjusted where it runs (Wine: see
                              spool_test_win32.c) */
    fs = *ad_spool_fs_os();
    spool_test_fs_adjust(&fs);
    assert_int_equal(ad_spool_stage_open(&cfg, &fs, &spool), AD_OK);
}

static void spool_close(void)
{
    ad_spool_stage_close(spool);
    spool = NULL;
}

/* Records in the spool not acknowledged yet (the pipeline is stopped: no thread uses it). */
static uint64_t spool_pending(void)
{
    return ad_spool_pending(ad_spool_stage_spool(spool));
}

static int rm_cb(void *arg, const char *name)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", (const char *)arg, name);
    (void)ad_spool_fs_os()->unlink(NULL, path);
    return 0;
}

static void spool_remove(void)
{
    if (!cfg.spool.enabled)
        return;
    if (spool != NULL)
        spool_close();
    (void)ad_spool_fs_os()->list(NULL, cfg.spool.directory, rm_cb, cfg.spool.directory);
    (void)spool_test_rmdir(cfg.spool.directory);
}

static int setup(void **state)
{
    (void)state;
    memset(&R, 0, sizeof(R));
    assert_int_equal(nng_mtx_alloc(&R.mtx), 0);
    assert_int_equal(nng_cv_alloc(&R.cv, R.mtx), 0);
    snprintf(ring_name, sizeof(ring_name), "h7ln-%lu-%u", ad_process_id(), ring_no++);
    ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = 16ULL << 20;
    char msg[256];
    if (ad_ring_producer_open(&rc, &prod, msg, sizeof(msg)) != AD_OK)
        fail_msg("producer: %s", msg);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    if (ad_ring_consumer_open(&cc, &cons, msg, sizeof(msg)) != AD_OK)
        fail_msg("consumer: %s", msg);
    memset(&cfg, 0, sizeof(cfg));
    cfg.type = AD_EXPORTER_OTLP_HTTP;
    cfg.batch.max_records = BATCH;
    cfg.batch.max_bytes = 4u << 20;
    cfg.batch.max_age_ms = 50;
    cfg.batch.max_in_flight = LANES;
    cfg.batch.compression_workers = 1;
    cfg.retry.initial_interval_ms = 5;
    cfg.retry.max_interval_ms = 20;
    cfg.retry.multiplier = 2.0;
    cfg.retry.jitter = 0.1;
    ad_asim_host_init(&host, "lanes.example.org");
    for (int i = 0; i < LANES; i++) {
        memset(&lanes[i], 0, sizeof(lanes[i]));
        lanes[i].base.ops = &lane_ops;
        lanes[i].base.payload = AD_PAYLOAD_OTLP;
        lane_ptrs[i] = &lanes[i].base;
    }
    uint64_t before = ad_ring_consumer_producer_pos(cons);
    produce(RECORDS);
    record_size = (ad_ring_consumer_producer_pos(cons) - before) / RECORDS;
    assert_true(record_size > 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    spool_remove();
    ad_ring_consumer_close(cons);
    ad_ring_producer_close(prod);
    ad_ring_unlink(ring_name, false);
    nng_cv_free(R.cv);
    nng_mtx_free(R.mtx);
    return 0;
}

static void expect_all_delivered_once(void)
{
    for (uint64_t s = 1; s <= RECORDS; s++) {
        if (R.delivered[s] != 1)
            fail_msg("record %llu delivered %u times", (unsigned long long)s, R.delivered[s]);
    }
}

/* Every record arrived at least once: returns how many arrived more than once. */
static uint64_t duplicates_none_lost(void)
{
    uint64_t dups = 0;
    for (uint64_t s = 1; s <= RECORDS; s++) {
        if (R.delivered[s] == 0)
            fail_msg("record %llu lost", (unsigned long long)s);
        dups += R.delivered[s] - 1;
    }
    return dups;
}

static void set_dead(bool dead)
{
    nng_mtx_lock(R.mtx);
    R.dead = dead;
    nng_mtx_unlock(R.mtx);
}

/* The receiver dies (every attempt fails from now on) and the exporter is asked to stop. */
static void receiver_dies_then_stop(void)
{
    set_dead(true);
    answer_all(ANSWER_RETRY);
    atomic_store(&stop_flag, true);
    answer_all(ANSWER_RETRY); /* the last attempts within the grace fail too (R.dead) */
}

/* Batches k = 0.. start at sequence 1 + k * BATCH. */
static uint64_t batch(unsigned k)
{
    return 1 + (uint64_t)k * BATCH;
}

/*
 * Four batches in flight answered 3, 1, 4, then 2 fails once and is acknowledged on its retry:
 * the cursor follows the acknowledged prefix only; then the rest, and every record arrives once.
 */
static void test_out_of_order_acks_commit_the_prefix(void **state)
{
    (void)state;
    run_args r;
    nng_thread *thr;
    start(&r, &thr);
    wait_in_flight(LANES);
    expect_cursor(0);
    answer_batch(batch(2), ANSWER_OK); /* the third: nothing before it is acknowledged */
    expect_cursor_stays(0);
    answer_batch(batch(0), ANSWER_OK);
    expect_cursor(BATCH);
    answer_batch(batch(3), ANSWER_OK);
    expect_cursor_stays(BATCH);
    answer_batch(batch(1), ANSWER_RETRY); /* a failure in the middle */
    expect_cursor_stays(BATCH);
    answer_batch(batch(1), ANSWER_OK); /* its retry */
    expect_cursor(4 * BATCH);
    for (unsigned k = 4; k < RECORDS / BATCH; k++)
        answer_batch(batch(k), ANSWER_OK);
    expect_cursor(RECORDS);
    stop(&r, thr);
    expect_all_delivered_once();
    assert_int_equal(ad_ring_consumer_counter_get(cons, AD_EXP_BATCHES_OK), RECORDS / BATCH);
    assert_int_equal(ad_ring_consumer_counter_get(cons, AD_EXP_BATCHES_RETRIED), 1);
    assert_int_equal(ad_ring_consumer_counter_get(cons, AD_EXP_RECORDS_EXPORTED), RECORDS);
    assert_int_equal(R.most_compressing, 1); /* batch.compression_workers: 1 */
}

/*
 * The receiver acknowledges batches 2 and 4 of four in flight, then dies; the exporter stops.
 * Nothing is committed (batch 1 never was acknowledged). The next exporter, with a receiver
 * that works, delivers everything: nothing lost, and the duplicates are the acknowledged
 * batches that were in flight, within the bound of batch.max_in_flight batches.
 */
static void test_receiver_dies_with_batches_in_flight(void **state)
{
    (void)state;
    run_args r;
    nng_thread *thr;
    start(&r, &thr);
    wait_in_flight(LANES);
    answer_batch(batch(1), ANSWER_OK);
    answer_batch(batch(3), ANSWER_OK);
    expect_cursor_stays(0);
    receiver_dies_then_stop();
    stop(&r, thr);
    assert_int_equal(cursor(), 0);

    /* Restart against a receiver that answers everything. */
    set_dead(false);
    ad_ring_consumer_close(cons);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    char msg[256];
    assert_int_equal(ad_ring_consumer_open(&cc, &cons, msg, sizeof(msg)), AD_OK);
    start(&r, &thr);
    for (unsigned k = 0; k < RECORDS / BATCH; k++)
        answer_batch(batch(k), ANSWER_OK);
    expect_cursor(RECORDS);
    stop(&r, thr);
    uint64_t dups = duplicates_none_lost();
    assert_int_equal(dups, 2 * BATCH); /* batches 2 and 4, acknowledged before the death */
    assert_true(dups <= (uint64_t)LANES * BATCH);
}

/*
 * With the disk spool: the records go ring -> spool and the batches come from the spool; four
 * in flight are answered 3, 1, 4 (2 is not), then the receiver dies. The spool is acknowledged
 * over the prefix only (batch 1): a restarted exporter (the spool opened again) sends batches 2
 * to 8, so the duplicates are exactly batches 3 and 4, within batch.max_in_flight batches, and
 * nothing is lost.
 */
static void test_spool_acknowledged_over_the_prefix_only(void **state)
{
    (void)state;
    char base[200];
    spool_test_base(base, sizeof(base));
    cfg.spool.enabled = true;
    snprintf(cfg.spool.directory, sizeof(cfg.spool.directory), "%s/lanes-spool-%lu", base,
             ad_process_id());
    cfg.spool.max_size = 64u << 20;
    cfg.spool.fsync = AD_CONFIG_SPOOL_FSYNC_BATCH;
    spool_remove(); /* a folder a crashed run left */
    spool_open();
    run_args r;
    nng_thread *thr;
    start(&r, &thr);
    wait_in_flight(LANES);
    answer_batch(batch(2), ANSWER_OK);
    answer_batch(batch(0), ANSWER_OK);
    answer_batch(batch(3), ANSWER_OK);
    receiver_dies_then_stop();
    stop(&r, thr);
    assert_int_equal(spool_pending(), RECORDS - BATCH); /* not past batch 2 */

    spool_close();
    set_dead(false);
    spool_open();
    start(&r, &thr);
    for (unsigned k = 1; k < RECORDS / BATCH; k++)
        answer_batch(batch(k), ANSWER_OK);
    nng_time until = nng_clock() + WAIT_MS;
    /* Batches 1, 3 and 4 before the restart, 2 to 8 after it. */
    while (ad_ring_consumer_counter_get(cons, AD_EXP_RECORDS_EXPORTED) < RECORDS + 2 * BATCH) {
        if (nng_clock() > until)
            fail_msg(
                "records_exported %llu, expected %u",
                (unsigned long long)ad_ring_consumer_counter_get(cons, AD_EXP_RECORDS_EXPORTED),
                RECORDS + 2 * BATCH);
        nng_msleep(2);
    }
    stop(&r, thr);
    assert_int_equal(spool_pending(), 0);
    uint64_t dups = duplicates_none_lost();
    assert_int_equal(dups, 2 * BATCH); /* batches 3 and 4, acknowledged after the gap */
    assert_true(dups <= (uint64_t)LANES * BATCH);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* a failure's message shows even if the run then dies */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_out_of_order_acks_commit_the_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receiver_dies_with_batches_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_acknowledged_over_the_prefix_only, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
