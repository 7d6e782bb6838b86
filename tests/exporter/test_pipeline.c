/*
 * asimdns tests: exporter/pipeline.c against a real ring and a scripted fake transport, with a
 * fake clock (no test waits for real time; backoff waits are recorded, not slept).
 *
 * What is checked for each receiver answer: whether the batch is sent again, the backoff
 * bounds of each wait, the counters, and that the committed ring cursor never passes a record
 * whose batch was not acknowledged or deliberately given up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/host.h"
#include "common/record.h"
#include "exporter/otlp_decode.h"
#include "exporter/pipeline.h"
#include "exporter/transport.h"
#include "ipc/ring.h"
#include "ipc/ring_status.h"

#define MAX_CALLS 256
#define MAX_SEQ 20000
#define MS 1000000ULL

/* ---- scripted transport --------------------------------------------------------------- */

typedef struct call {
    uint32_t records;
    uint64_t first_seq, last_seq;
    uint64_t committed_pos; /* ring cursor when the batch was handed over */
    size_t len;
    uint64_t now_ns; /* fake clock at the call */
} call;

typedef struct fake_xport {
    ad_xport base;
    const ad_send_result *script; /* answers in order; the last one repeats */
    size_t script_len;
    call calls[MAX_CALLS];
    size_t ncalls;
    uint32_t delivered[MAX_SEQ + 1]; /* per sequence: times it was in an acknowledged batch */
    ad_ring_consumer *ring;
    struct fx *fx;
    int ticks_per_send; /* the send "waits": calls the tick hook this often, 100 ms apart */
    uint64_t beats[64]; /* exporter heartbeat seen after each tick */
    size_t nbeats;
    uint64_t events_acked; /* sum of EventCount over acknowledged batches (aggregation) */
} fake_xport;

/* ---- fixture -------------------------------------------------------------------------- */

typedef struct fx {
    char name[48];
    ad_ring_producer *p;
    ad_ring_consumer *c;
    ad_exporter_config cfg;
    ad_asim_host host;
    fake_xport t;
    /* fake world */
    uint64_t now;
    uint64_t waits[MAX_CALLS]; /* backoff waits, ns */
    size_t nwaits;
    size_t stop_after_calls; /* 0 = never */
    bool stop_flag;
    uint64_t stop_at_ns;    /* 0 = never: stop once the fake clock reaches it */
    uint64_t produce_at_ns; /* 0 = never: produce produce_n more records then (once) */
    uint32_t produce_n;
    ad_pipeline_env env;
} fx;

static fx F;
static unsigned ring_no;

static void produce_later(uint32_t n);

static uint64_t fake_mono(void *ctx)
{
    return ((fx *)ctx)->now;
}

static uint64_t fake_wall(void *ctx)
{
    return 1700000000000000000ULL + ((fx *)ctx)->now;
}

static void fake_backoff(void *ctx, uint64_t ns)
{
    fx *f = ctx;
    if (f->nwaits < MAX_CALLS)
        f->waits[f->nwaits++] = ns;
    f->now += ns;
}

static void fake_ring_wait(void *ctx, ad_ring_consumer *ring, uint64_t timeout_ns)
{
    (void)ring;
    fx *f = ctx;
    f->now += timeout_ns;
    if (f->produce_at_ns != 0 && f->now >= f->produce_at_ns) {
        f->produce_at_ns = 0;
        produce_later(f->produce_n);
    }
}

static uint32_t fake_random(void *ctx)
{
    (void)ctx;
    return 0x80000000u; /* the middle: waits equal the un-jittered backoff */
}

static bool fake_stop(void *ctx)
{
    fx *f = ctx;
    return f->stop_flag || (f->stop_after_calls && f->t.ncalls >= f->stop_after_calls) ||
           (f->stop_at_ns != 0 && f->now >= f->stop_at_ns);
}

static int collect_seq(const ad_otlp_record *rec, void *arg)
{
    call *c = arg;
    const ad_otlp_kv *kv = ad_otlp_record_find(rec, "asimdns.record_id");
    assert_non_null(kv);
    const char *dash = memchr(kv->value.str, '-', kv->value.len);
    assert_non_null(dash);
    uint64_t seq = strtoull(dash + 1, NULL, 10);
    if (c->records == 0)
        c->first_seq = seq;
    else
        assert_true(seq > c->last_seq); /* in ring order */
    c->last_seq = seq;
    c->records++;
    return 0;
}

static uint64_t seqs_buf[MAX_SEQ];
static size_t nseqs;
static uint64_t events_in_call; /* EventCount summed over the records of one request */

static int list_seq(const ad_otlp_record *rec, void *arg)
{
    (void)arg;
    const ad_otlp_kv *n = ad_otlp_record_find(rec, "EventCount");
    events_in_call += n != NULL ? (uint64_t)n->value.i : 1;
    const ad_otlp_kv *kv = ad_otlp_record_find(rec, "asimdns.record_id");
    const char *dash = memchr(kv->value.str, '-', kv->value.len);
    seqs_buf[nseqs++] = strtoull(dash + 1, NULL, 10);
    return 0;
}

static ad_err fake_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    fake_xport *x = (fake_xport *)t;
    assert_true(x->ncalls < MAX_CALLS);
    call *c = &x->calls[x->ncalls];
    memset(c, 0, sizeof(*c));
    c->committed_pos = ad_ring_consumer_committed_pos(x->ring);
    c->len = len;
    c->now_ns = x->fx->now;
    ad_otlp_request *req;
    assert_int_equal(ad_otlp_request_decode(data, len, &req), AD_OK);
    (void)ad_otlp_request_foreach(req, collect_seq, c);
    nseqs = 0;
    events_in_call = 0;
    (void)ad_otlp_request_foreach(req, list_seq, NULL);
    ad_otlp_request_free(req);
    for (int k = 0; k < x->ticks_per_send; k++) {
        x->fx->now += 100 * MS;
        if (t->tick != NULL)
            (void)t->tick(t->tick_ctx);
        static ad_ring_status st;
        char msg[128];
        if (x->nbeats < 64 &&
            /* the fixture's ring is in the default (Global\) name space on Windows */
            ad_ring_status_read(x->fx->name, true, &st, msg, sizeof(msg)) == AD_OK)
            x->beats[x->nbeats++] = st.exporter_heartbeat_ns;
    }
    size_t i = x->ncalls < x->script_len ? x->ncalls : x->script_len - 1;
    *res = x->script[i];
    res->wire_bytes = len;
    if (res->status == AD_SEND_OK) {
        x->events_acked += events_in_call;
        for (size_t k = 0; k < nseqs; k++) {
            assert_true(seqs_buf[k] <= MAX_SEQ);
            x->delivered[seqs_buf[k]]++;
        }
    }
    x->ncalls++;
    return AD_OK;
}

static void fake_destroy(ad_xport *t)
{
    (void)t;
}

static const ad_xport_ops fake_ops = {.name = "fake", .send = fake_send, .destroy = fake_destroy};

static const ad_send_result OK = {.status = AD_SEND_OK};
static const ad_send_result RETRY = {.status = AD_SEND_RETRY, .message = "down"};

static void set_script(const ad_send_result *script, size_t n)
{
    F.t.script = script;
    F.t.script_len = n;
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    snprintf(F.name, sizeof(F.name), "h7pl-%lu-%u", ad_process_id(), ring_no++);
    ad_ring_unlink(F.name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, F.name);
    rc.capacity = 16ULL << 20;
    char msg[256];
    if (ad_ring_producer_open(&rc, &F.p, msg, sizeof(msg)) != AD_OK)
        fail_msg("producer: %s", msg);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, F.name);
    if (ad_ring_consumer_open(&cc, &F.c, msg, sizeof(msg)) != AD_OK)
        fail_msg("consumer: %s", msg);
    F.cfg.type = AD_EXPORTER_NNG; /* any OTLP transport */
    F.cfg.batch.max_records = 1000;
    F.cfg.batch.max_bytes = 4u << 20;
    F.cfg.batch.max_age_ms = 200;
    F.cfg.retry.initial_interval_ms = 100;
    F.cfg.retry.max_interval_ms = 1000;
    F.cfg.retry.multiplier = 2.0;
    F.cfg.retry.jitter = 0.5;
    ad_asim_host_init(&F.host, "test-host.example.org");
    F.t.base.ops = &fake_ops;
    F.t.base.payload = AD_PAYLOAD_OTLP;
    F.t.ring = F.c;
    F.t.fx = &F;
    set_script(&OK, 1);
    F.env = (ad_pipeline_env){.mono_ns = fake_mono,
                              .wall_ns = fake_wall,
                              .backoff_wait = fake_backoff,
                              .ring_wait = fake_ring_wait,
                              .random = fake_random,
                              .stop_requested = fake_stop,
                              .ctx = &F};
    F.now = 1000 * MS;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ad_ring_consumer_close(F.c);
    ad_ring_producer_close(F.p);
    ad_ring_unlink(F.name, false);
    return 0;
}

/* Writes n DNS Server query records (event id alternating 256/257 when mixed); with
   payload_seq != NULL, the record's own sequence field says *payload_seq instead of the ring
   sequence (what a scribble on the record area does). */
static void produce_as(uint32_t n, bool mixed, const uint64_t *payload_seq)
{
    static const char *const names[] = {"www.example.com.", "mail.example.org.",
                                        "4.3.2.1.in-addr.arpa."};
    for (uint32_t i = 0; i < n; i++) {
        void *dst;
        uint64_t seq;
        assert_int_equal(ad_ring_producer_reserve(F.p, AD_RECORD_MAX_SIZE, &dst, &seq), AD_OK);
        ad_event ev;
        ad_event_init(&ev);
        ev.hdr.source = AD_SOURCE_SYNTHETIC;
        ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
        ev.hdr.event_id = (mixed && (seq & 1)) ? 257 : 256;
        ev.hdr.time_ns = 1732528800000000000ULL + seq;
        ev.hdr.sequence = payload_seq != NULL ? *payload_seq : seq;
        ev.hdr.present = AD_HAS_QTYPE;
        ev.hdr.qtype = 1;
        const char *q = names[seq % 3];
        ad_event_set_str(&ev, AD_STR_QNAME, q, strlen(q));
        size_t len;
        assert_int_equal(ad_record_encode(&ev, dst, AD_RECORD_MAX_SIZE, &len), AD_OK);
        ad_ring_producer_commit(F.p, len);
    }
}

static void produce(uint32_t n, bool mixed)
{
    produce_as(n, mixed, NULL);
}

static void produce_later(uint32_t n)
{
    produce(n, false);
}

/* A record the exporter cannot decode. */
static void produce_garbage(void)
{
    uint64_t seq;
    static const char junk[24] = "not a record at all....";
    assert_int_equal(ad_ring_producer_write(F.p, junk, sizeof(junk), &seq), AD_OK);
}

static ad_err run(uint64_t max_idle_ms)
{
    ad_pipeline_opts o = {.cfg = &F.cfg,
                          .ring = F.c,
                          .transport = &F.t.base,
                          .host = &F.host,
                          .instance_id = "test-instance",
                          .max_idle_ns = max_idle_ms * MS,
                          .env = &F.env};
    ad_pipeline *p;
    assert_int_equal(ad_pipeline_create(&o, &p), AD_OK);
    ad_err err = ad_pipeline_run(p);
    ad_pipeline_destroy(p);
    return err;
}

static uint64_t ctr(ad_exporter_counter c)
{
    return ad_ring_consumer_counter_get(F.c, c);
}

/* Every sequence 1..n was acknowledged exactly `times` times (0 = not at all). */
static void assert_delivered(uint64_t from, uint64_t to, uint32_t times)
{
    for (uint64_t s = from; s <= to; s++) {
        if (F.t.delivered[s] != times)
            fail_msg("sequence %llu delivered %u times, expected %u", (unsigned long long)s,
                     F.t.delivered[s], times);
    }
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_all_delivered(void **state)
{
    (void)state;
    produce(2500, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.ncalls, 3);
    assert_int_equal(F.t.calls[0].records, 1000);
    assert_int_equal(F.t.calls[1].records, 1000);
    assert_int_equal(F.t.calls[2].records, 500);
    assert_int_equal(F.t.calls[0].first_seq, 1);
    assert_int_equal(F.t.calls[2].last_seq, 2500);
    assert_delivered(1, 2500, 1);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 2500);
    assert_int_equal(ctr(AD_EXP_BATCHES_OK), 3);
    assert_int_equal(ctr(AD_EXP_BATCHES_RETRIED), 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_REJECTED), 0);
    assert_true(ctr(AD_EXP_BYTES_SENT) > 0);
    /* Each batch went out with the cursor at the end of the previous one. */
    assert_int_equal(F.t.calls[0].committed_pos, 0);
    assert_true(F.t.calls[1].committed_pos > F.t.calls[0].committed_pos);
    assert_true(F.t.calls[2].committed_pos > F.t.calls[1].committed_pos);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), ad_ring_producer_position(F.p));
}

/* 503/timeouts: the same batch again after growing waits; the cursor does not move meanwhile. */
static void test_retry_keeps_cursor_and_backs_off(void **state)
{
    (void)state;
    static const ad_send_result script[] = {{.status = AD_SEND_RETRY}, {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY}, {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY}, {.status = AD_SEND_OK}};
    set_script(script, 6);
    produce(1500, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.ncalls, 7); /* 6 for the first batch, 1 for the second */
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(F.t.calls[i].first_seq, 1);
        assert_int_equal(F.t.calls[i].records, 1000);
        assert_int_equal(F.t.calls[i].committed_pos, 0); /* nothing acknowledged yet */
    }
    assert_int_equal(F.t.calls[6].first_seq, 1001);
    assert_true(F.t.calls[6].committed_pos > 0);
    /* Waits: 100, 200, 400, 800, 1000 ms (middle random value = no jitter offset), each
       within d*(1 +- 0.5) by construction of the policy. */
    assert_int_equal(F.nwaits, 5);
    const uint64_t expect[] = {100, 200, 400, 800, 1000};
    for (size_t i = 0; i < 5; i++) {
        assert_in_range(F.waits[i], expect[i] * MS / 2, expect[i] * MS * 3 / 2);
        assert_in_range(F.waits[i], expect[i] * MS - MS, expect[i] * MS + MS);
        /* the attempt came only after the wait */
        assert_true(F.t.calls[i + 1].now_ns - F.t.calls[i].now_ns >= F.waits[i]);
    }
    assert_int_equal(ctr(AD_EXP_BATCHES_RETRIED), 5);
    assert_int_equal(ctr(AD_EXP_BATCHES_OK), 2);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 1500);
    assert_delivered(1, 1500, 1);
}

/* 429/503 with Retry-After: the wait is at least what the server asked for. */
static void test_retry_after_honoured(void **state)
{
    (void)state;
    static const ad_send_result script[] = {{.status = AD_SEND_RETRY, .retry_after_ms = 7000},
                                            {.status = AD_SEND_RETRY, .retry_after_ms = 10},
                                            {.status = AD_SEND_OK}};
    set_script(script, 3);
    produce(10, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.nwaits, 2);
    assert_int_equal(F.waits[0], 7000 * MS);         /* server's value > backoff */
    assert_in_range(F.waits[1], 100 * MS, 300 * MS); /* backoff > server's value */
    assert_delivered(1, 10, 1);
}

/* 400 and other statuses: no retry, records_rejected, cursor moves on. */
static void test_reject_moves_on(void **state)
{
    (void)state;
    static const ad_send_result script[] = {
        {.status = AD_SEND_REJECT, .code = 400, .message = "HTTP 400: bad data"},
        {.status = AD_SEND_OK}};
    set_script(script, 2);
    produce(1200, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.ncalls, 2);
    assert_int_equal(F.t.calls[1].first_seq, 1001); /* not sent again */
    assert_int_equal(F.nwaits, 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_REJECTED), 1000);
    assert_int_equal(ctr(AD_EXP_BATCHES_FAILED), 1);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 200);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), ad_ring_producer_position(F.p));
}

/* 200 with partial_success: never retried; rejected records counted. */
static void test_partial_success(void **state)
{
    (void)state;
    static const ad_send_result script[] = {
        {.status = AD_SEND_OK, .rejected = 7, .message = "7 records too old"}};
    set_script(script, 1);
    produce(100, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.ncalls, 1);
    assert_int_equal(ctr(AD_EXP_RECORDS_REJECTED), 7);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 93);
    assert_int_equal(ctr(AD_EXP_BATCHES_OK), 1);
    assert_int_equal(F.nwaits, 0);
}

/* A stop request while the receiver is away: nothing is committed; the next exporter sends
   the batch again (duplicates_possible counts what the predecessor had read). */
static void test_stop_while_retrying_then_restart(void **state)
{
    (void)state;
    set_script(&RETRY, 1);
    produce(1500, false);
    F.stop_after_calls = 4;
    assert_int_equal(run(0), AD_OK);
    assert_int_equal(F.t.ncalls, 5); /* 4, then one last attempt within the shutdown grace */
    assert_int_equal(F.nwaits, 3);   /* no backoff wait after the stop */
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), 0);
    assert_delivered(1, 1500, 0);

    /* Restart: a new consumer resumes at the committed cursor. */
    ad_ring_consumer_close(F.c);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, F.name);
    char msg[256];
    assert_int_equal(ad_ring_consumer_open(&cc, &F.c, msg, sizeof(msg)), AD_OK);
    F.t.ring = F.c;
    F.stop_after_calls = 0;
    F.t.ncalls = 0;
    set_script(&OK, 1);
    assert_int_equal(run(1000), AD_OK);
    assert_delivered(1, 1500, 1);
    assert_int_equal(F.t.calls[0].first_seq, 1);
    /* The predecessor had read the first batch: those may be duplicates downstream. */
    assert_int_equal(ctr(AD_EXP_DUPLICATES_POSSIBLE), 1000);
}

/* A stop request before anything was read: nothing is sent, nothing committed. */
static void test_stop_before_start(void **state)
{
    (void)state;
    produce(10, false);
    F.stop_flag = true;
    assert_int_equal(run(0), AD_OK);
    assert_int_equal(F.t.ncalls, 0);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), 0);
}

/* The ring wait hook raises the stop once a batch is pending. */
static void stop_on_wait(void *ctx, ad_ring_consumer *ring, uint64_t timeout_ns)
{
    fx *f = ctx;
    (void)ring;
    f->now += timeout_ns;
    f->stop_flag = true;
}

static void test_stop_during_max_age_flushes(void **state)
{
    (void)state;
    produce(10, false);
    F.cfg.batch.max_age_ms = 60000;
    F.env.ring_wait = stop_on_wait;
    assert_int_equal(run(0), AD_OK);
    assert_int_equal(F.t.ncalls, 1); /* flushed once at shutdown */
    assert_int_equal(F.t.calls[0].records, 10);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), ad_ring_producer_position(F.p));

    /* The same with a receiver that does not answer: nothing committed, no backoff wait. */
    produce(5, false);
    uint64_t before = ad_ring_consumer_committed_pos(F.c);
    F.stop_flag = false;
    set_script(&RETRY, 1);
    assert_int_equal(run(0), AD_OK);
    assert_int_equal(F.t.ncalls, 2);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), before);
    assert_int_equal(F.nwaits, 0);
}

/* max_age: a small batch is sent once its oldest record waited max_age (fake clock). */
static void test_max_age_flush(void **state)
{
    (void)state;
    produce(10, false);
    F.cfg.batch.max_age_ms = 500;
    uint64_t start = F.now;
    assert_int_equal(run(2000), AD_OK);
    assert_int_equal(F.t.ncalls, 1);
    assert_int_equal(F.t.calls[0].records, 10);
    assert_true(F.t.calls[0].now_ns - start >= 500 * MS);
    assert_true(F.t.calls[0].now_ns - start < 700 * MS);
}

/* max_bytes: every request stays within it; all records arrive. */
static void test_max_bytes(void **state)
{
    (void)state;
    F.cfg.batch.max_bytes = 16 * 1024;
    produce(1000, false);
    assert_int_equal(run(1000), AD_OK);
    assert_true(F.t.ncalls > 5);
    uint32_t total = 0;
    for (size_t i = 0; i < F.t.ncalls; i++) {
        assert_true(F.t.calls[i].len <= 16 * 1024);
        total += F.t.calls[i].records;
        if (i > 0)
            assert_int_equal(F.t.calls[i].first_seq, F.t.calls[i - 1].last_seq + 1);
    }
    assert_int_equal(total, 1000);
    assert_delivered(1, 1000, 1);
}

/* Sets F.cfg's filter rules from YAML (the loader's parse). */
static void set_filters(const char *yaml)
{
    static ad_exporter_config tmp;
    char err[AD_CONFIG_ERR_MAX] = "";
    assert_int_equal(
        ad_config_load_exporter_mem("t.yaml", yaml, strlen(yaml), NULL, &tmp, err, sizeof(err)),
        AD_OK);
    F.cfg.filters = tmp.filters;
}

/* Filters: dropped records counted, never sent, and committed with the batch. */
static void test_filters(void **state)
{
    (void)state;
    set_filters("filters:\n"
                "  - {name: no-257, event_ids: [257]}\n"
                "  - {name: no-reverse, dns_query: ['**.in-addr.arpa']}\n");
    produce(300, true);
    assert_int_equal(run(1000), AD_OK);
    uint64_t kept = 0;
    for (uint64_t s = 1; s <= 300; s++) {
        bool want = (s & 1) == 0 && s % 3 != 2;
        assert_int_equal(F.t.delivered[s], want ? 1 : 0);
        kept += want;
    }
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), kept);
    assert_int_equal(ctr(AD_EXP_RECORDS_FILTERED), 300 - kept);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), ad_ring_producer_position(F.p));
}

/* Only filtered records: committed without any send. */
static void test_all_filtered(void **state)
{
    (void)state;
    set_filters("filters:\n"
                "  - {name: only-999, action: keep, event_ids: [999]}\n"
                "  - {name: rest}\n");
    produce(50, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.ncalls, 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_FILTERED), 50);
    assert_int_equal(ad_ring_consumer_committed_pos(F.c), ad_ring_producer_position(F.p));
}

/* Undecodable records: counted, skipped, the rest delivered. */
static void test_corrupt_records_skipped(void **state)
{
    (void)state;
    produce(5, false);
    produce_garbage();
    produce(5, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT), 1);
    /* ... counted by its cause: a payload that does not decode, not damage in the ring. */
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT_PAYLOAD), 1);
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT_RING), 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_UNMAPPABLE), 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 10);
    assert_delivered(1, 5, 1);
    assert_int_equal(F.t.delivered[6], 0);
    assert_delivered(7, 11, 1);
}

/* Payload sequence fields scribbled (0, a repeat, far off): record ids still come from the
   ring header's validated sequence, never repeat, and the tampered records are counted as
   corrupt instead of being sent under a forged id. */
static void test_record_id_from_ring_header(void **state)
{
    (void)state;
    static const uint64_t scribbled[] = {0, 3, 17000000000000000000ULL, 8};
    produce(5, false);
    for (size_t i = 0; i < sizeof(scribbled) / sizeof(scribbled[0]); i++) {
        produce_as(1, false, &scribbled[i]);
        produce(2, false);
    }
    assert_int_equal(run(1000), AD_OK);
    /* collect_seq checked every batch is in ring order (ids increase: unique). */
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT), 4);
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT_PAYLOAD), 4);
    assert_int_equal(ctr(AD_EXP_RECORDS_CORRUPT_RING), 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 13);
    assert_delivered(1, 5, 1);
    for (uint64_t s = 6; s <= 17; s += 3) {
        assert_int_equal(F.t.delivered[s], 0); /* the scribbled one: not sent */
        assert_delivered(s + 1, s + 2, 1);     /* its neighbours: once, under their own id */
    }
    assert_int_equal(F.t.delivered[0], 0);
}

/* retry.max_elapsed: the batch is given up (counted), the next one goes on. */
static void test_max_elapsed_gives_up(void **state)
{
    (void)state;
    static const ad_send_result script[] = {{.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_OK}};
    set_script(script, 4);
    F.cfg.retry.max_elapsed_ms = 250; /* 100 + 200 would pass it at the second wait */
    produce(1100, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.calls[0].first_seq, 1);
    assert_int_equal(F.t.calls[1].first_seq, 1);
    assert_int_equal(F.t.calls[2].first_seq, 1001); /* given up after 2 attempts */
    assert_int_equal(ctr(AD_EXP_BATCHES_FAILED), 1);
    assert_int_equal(ctr(AD_EXP_RECORDS_REJECTED), 1000);
    assert_delivered(1001, 1100, 1);
}

/* Idle exit only when nothing is pending: a receiver that stays away keeps the exporter up. */
static void test_idle_needs_nothing_pending(void **state)
{
    (void)state;
    static const ad_send_result script[] = {{.status = AD_SEND_RETRY}, {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY}, {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_RETRY}, {.status = AD_SEND_RETRY},
                                            {.status = AD_SEND_OK}};
    set_script(script, 7);
    F.cfg.retry.max_interval_ms = 1000;
    produce(3, false);
    assert_int_equal(run(500), AD_OK); /* the waits add up to far more than 500 ms */
    assert_int_equal(F.t.ncalls, 7);
    assert_delivered(1, 3, 1);
}

/* Console: JSON lines, one per record, the same as before the pipeline existed. */
static void test_console_lines(void **state)
{
    (void)state;
    FILE *out = tmpfile();
    assert_non_null(out);
    ad_xport *con;
    assert_int_equal(ad_xport_console_create(out, &con), AD_OK);
    produce(25, false);
    ad_pipeline_opts o = {.cfg = &F.cfg,
                          .ring = F.c,
                          .transport = con,
                          .host = &F.host,
                          .max_idle_ns = 1000 * MS,
                          .env = &F.env};
    ad_pipeline *p;
    assert_int_equal(ad_pipeline_create(&o, &p), AD_OK);
    assert_int_equal(ad_pipeline_run(p), AD_OK);
    assert_true(ad_pipeline_idle_exit(p));
    ad_pipeline_destroy(p);
    ad_xport_destroy(con);
    rewind(out);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof(line), out) != NULL) {
        n++;
        char want[64];
        snprintf(want, sizeof(want), "-%d\"", n);
        assert_non_null(strstr(line, "\"asimdns.record_id\":"));
        assert_non_null(strstr(line, want));
        assert_int_equal(line[0], '{');
    }
    fclose(out);
    assert_int_equal(n, 25);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 25);
}

/* Capture drops (a record too large for the ring) show as sequence gaps; the rest arrives. */
static void test_sequence_gaps_counted(void **state)
{
    (void)state;
    produce(5, false);
    void *dst;
    uint64_t seq;
    assert_int_equal(ad_ring_producer_reserve(F.p, AD_RING_MAX_PAYLOAD_LIMIT + 1, &dst, &seq),
                     AD_ERANGE); /* dropped by the capture side: sequence 6 is consumed */
    produce(5, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(ctr(AD_EXP_SEQUENCE_GAPS), 1);
    assert_delivered(1, 5, 1);
    assert_int_equal(F.t.delivered[6], 0);
    assert_delivered(7, 11, 1);
}

/* A send that takes long (a slow receiver): the heartbeat keeps moving while it waits. */
static void test_heartbeat_fresh_during_send(void **state)
{
    (void)state;
    F.t.ticks_per_send = 30; /* 3 s of fake waiting */
    produce(10, false);
    assert_int_equal(run(1000), AD_OK);
    assert_int_equal(F.t.nbeats, 30);
    for (size_t i = 1; i < F.t.nbeats; i++)
        assert_true(F.t.beats[i] > F.t.beats[i - 1]); /* stored on every 100 ms tick */
}

/* ---- aggregation (aggregate: in exporter.yaml, exporter/aggregate_stage.h) ---------------- */

static void aggregate_on(uint32_t max_keys)
{
    F.cfg.aggregate.enabled = true;
    F.cfg.aggregate.window_ms = 10000;
    F.cfg.aggregate.max_keys = max_keys;
}

/* Records equal on the key within the window leave as one row each, once the window is over;
   the EventCounts add up to the records, the cursor ends past all of them. */
static void test_aggregate_rows_at_window_end(void **state)
{
    (void)state;
    aggregate_on(64);
    uint64_t start = F.now;
    produce(300, false); /* three names: three rows */
    assert_int_equal(run(100), AD_OK);
    assert_int_equal(F.t.ncalls, 1);
    assert_int_equal(F.t.calls[0].records, 3);
    assert_true(F.t.calls[0].now_ns >= start + 10000 * MS);
    assert_true(F.t.events_acked == 300);
    assert_int_equal(ctr(AD_EXP_AGGREGATE_RECORDS_IN), 300);
    assert_int_equal(ctr(AD_EXP_AGGREGATE_ROWS_OUT), 3);
    assert_int_equal(ctr(AD_EXP_AGGREGATE_EVICTIONS), 0);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), 3);
    assert_true(ad_ring_consumer_committed_pos(F.c) == ad_ring_consumer_read_pos(F.c));
}

/* max_keys bounds the open rows: the oldest leaves early (counted), nothing is lost. */
static void test_aggregate_memory_bound(void **state)
{
    (void)state;
    aggregate_on(2);
    produce(300, false); /* names cycle over three keys: every record past the second evicts */
    assert_int_equal(run(100), AD_OK);
    assert_true(F.t.events_acked == 300);
    uint64_t rows = ctr(AD_EXP_AGGREGATE_ROWS_OUT);
    assert_int_equal(ctr(AD_EXP_AGGREGATE_EVICTIONS), rows - 2);
    assert_int_equal(ctr(AD_EXP_RECORDS_EXPORTED), rows);
    assert_true(ad_ring_consumer_committed_pos(F.c) == ad_ring_consumer_read_pos(F.c));
}

/* A stop request sends every open row at once (no wait for the window). */
static void test_aggregate_shutdown_flush(void **state)
{
    (void)state;
    aggregate_on(64);
    produce(30, false);
    F.stop_at_ns = F.now + 1000 * MS;
    assert_int_equal(run(0), AD_OK);
    assert_int_equal(F.t.ncalls, 1);
    assert_int_equal(F.t.calls[0].records, 3);
    assert_true(F.t.calls[0].now_ns < F.stop_at_ns + 10000 * MS);
    assert_true(F.t.events_acked == 30);
    assert_true(ad_ring_consumer_committed_pos(F.c) == ad_ring_consumer_read_pos(F.c));
}

/*
 * At-least-once: rows of the first window are delivered, rows of the second are open when the
 * receiver goes away and the exporter stops. The cursor stays before the second window's first
 * record; the next run reads that window again and every event is counted exactly once.
 */
static void test_aggregate_cursor_waits_for_open_rows(void **state)
{
    (void)state;
    static const ad_send_result script[] = {{.status = AD_SEND_OK}, {.status = AD_SEND_RETRY}};
    set_script(script, 2);
    aggregate_on(64);
    produce(30, false);
    uint64_t first_window_end = 0;
    F.produce_at_ns = F.now + 12000 * MS; /* after the first rows left */
    F.produce_n = 30;
    F.stop_at_ns = F.now + 15000 * MS; /* the second window's rows are open */
    assert_int_equal(run(0), AD_OK);
    assert_true(F.t.ncalls >= 2);
    assert_true(F.t.events_acked == 30);
    /* The cursor is exactly after record 30: records 31..60 are only in unacknowledged rows. */
    ad_ring_view v[64];
    size_t n = 0;
    ad_ring_consumer_rewind(F.c);
    assert_int_equal(ad_ring_consumer_peek(F.c, v, 64, &n), AD_OK);
    assert_int_equal(n, 30);
    assert_int_equal(v[0].seq, 31);
    first_window_end = ad_ring_consumer_committed_pos(F.c);
    ad_ring_consumer_rewind(F.c);
    /* Restart with the receiver back. */
    set_script(&OK, 1);
    F.t.ncalls = 0;
    F.stop_at_ns = 0;
    assert_int_equal(run(100), AD_OK);
    assert_true(F.t.events_acked == 60);
    assert_true(ad_ring_consumer_committed_pos(F.c) > first_window_end);
    assert_true(ad_ring_consumer_committed_pos(F.c) == ad_ring_consumer_read_pos(F.c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_keeps_cursor_and_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_honoured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_moves_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_while_retrying_then_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_before_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_during_max_age_flushes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_age_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_filtered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_records_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_id_from_ring_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_elapsed_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_needs_nothing_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_gaps_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_fresh_during_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_rows_at_window_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_memory_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_shutdown_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_cursor_waits_for_open_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
