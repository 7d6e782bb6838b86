/*
 * asimdns tests: the spool stage (exporter/spool_stage.h) between a real ring and a simulated
 * pipeline, its disk through the fault-injecting layer (spool_fault_fs.h), its clock ours.
 *
 * - Disk errors (ENOSPC, EIO, a short write, a failed fsync, a read-only file system) make the
 *   stage deliver straight from the ring, counted and logged, while the disk still fails; when
 *   the disk recovers the stage spools again. Record-id accounting: every id once, in order.
 * - After an outage the spool drains before newer records, and meanwhile newer records keep
 *   leaving the ring for the spool (the capture never waits on the drain).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/status_render.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "config/exporter_config.h"
#include "exporter/metrics.h"
#include "exporter/spool_stage.h"
#include "ipc/ring.h"
#include "ipc/ring_status.h"
#include "spool_fault_fs.h"
#include "spool_test_os.h"
#include "tests/support/test_os.h"

#define MAX_IDS 20000
#define MS 1000000ULL

typedef struct rig {
    char ring_name[64];
    ad_ring_producer *p;
    ad_ring_consumer *c;
    fault_fs f;
    ad_exporter_config cfg;
    ad_spool_stage *st;
    uint64_t mono;
    uint64_t produced;
    uint8_t seen[MAX_IDS + 1];
    uint64_t last_id, order_errors, dups;
    char log[1 << 15]; /* what the stage logged (ad_log_set_sink) */
    size_t log_len;
} rig;

static rig R; /* large: not on the stack */

static uint64_t ctr(ad_exporter_counter c)
{
    return ad_ring_consumer_counter_get(R.c, c);
}

static void log_sink(ad_log_level level, const char *msg, void *ctx)
{
    (void)level;
    (void)ctx;
    int n = snprintf(R.log + R.log_len, sizeof(R.log) - R.log_len, "%s\n", msg);
    if (n > 0 && R.log_len + (size_t)n < sizeof(R.log))
        R.log_len += (size_t)n;
}

/* max_size 0: 64 MiB (never full here). */
static void rig_open(const char *tag, uint64_t max_size, ad_config_spool_full full)
{
    memset(&R, 0, sizeof(R));
    snprintf(R.ring_name, sizeof(R.ring_name), "t-spst-%s-%ld", tag, test_os_pid());
    (void)ad_ring_unlink(R.ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, R.ring_name);
    rc.capacity = 1u << 20;
    char msg[512];
    if (ad_ring_producer_open(&rc, &R.p, msg, sizeof(msg)) != AD_OK)
        fail_msg("producer: %s", msg);
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, R.ring_name);
    if (ad_ring_consumer_open(&cc, &R.c, msg, sizeof(msg)) != AD_OK)
        fail_msg("consumer: %s", msg);
    fault_fs_init(&R.f);
    spool_test_fs_adjust(&R.f.base);
    char base[200];
    spool_test_base(base, sizeof(base));
    ad_config_spool *s = &R.cfg.spool;
    s->enabled = true;
    snprintf(s->directory, sizeof(s->directory), "%s/spool-stage-%s-%ld", base, tag, test_os_pid());
    s->max_size = max_size != 0 ? max_size : 64u << 20;
    s->fsync = AD_CONFIG_SPOOL_FSYNC_BATCH;
    s->full_policy = full;
    assert_int_equal(ad_spool_stage_open(&R.cfg, &R.f.table, &R.st), AD_OK);
    ad_spool_stage_attach(R.st, R.c);
    R.mono = 1000 * MS;
    ad_log_set_sink(log_sink, NULL);
}

/* Removes the spool directory's files and the directory. */
static int rm_cb(void *arg, const char *name)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/%s", (const char *)arg, name);
    (void)ad_spool_fs_os()->unlink(NULL, p);
    return 0;
}

static void rig_close(void)
{
    ad_log_set_sink(NULL, NULL);
    ad_spool_stage_close(R.st);
    ad_ring_consumer_close(R.c);
    ad_ring_producer_close(R.p);
    (void)ad_ring_unlink(R.ring_name, false);
    (void)ad_spool_fs_os()->list(NULL, R.cfg.spool.directory, rm_cb, R.cfg.spool.directory);
    (void)spool_test_rmdir(R.cfg.spool.directory);
}

/* Whether the stage logged text since the rig opened. */
static bool logged(const char *text)
{
    return strstr(R.log, text) != NULL;
}

/* n records into the ring: each payload is its id (1, 2, ...). */
static void produce(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id = ++R.produced, seq;
        assert_true(id <= MAX_IDS);
        assert_int_equal(ad_ring_producer_write(R.p, &id, sizeof(id), &seq), AD_OK);
    }
}

/* The heartbeat: time passes, and the stage pumps the ring into the spool. */
static void tick(uint64_t ms)
{
    R.mono += ms * MS;
    ad_spool_stage_pump(R.st, R.mono, 1700000000ULL * 1000 * MS + R.mono, false);
}

/* One batch of at most max records, delivered and committed, built as the pipeline builds
   one (exporter/pipeline.c fill): peeks until it is full or nothing more comes, the first at
   a boundary (nothing consumed and unacknowledged). Returns its size. */
static size_t deliver_batch(size_t max)
{
    ad_ring_view v[64], last;
    size_t total = 0;
    for (;;) {
        size_t n = 0, want = max - total < 64 ? max - total : 64;
        if (want == 0)
            break;
        ad_spool_stage_peek(R.st, v, want, &n, total == 0, R.mono,
                            1700000000ULL * 1000 * MS + R.mono);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            uint64_t id;
            assert_int_equal(v[i].len, sizeof(id));
            memcpy(&id, v[i].data, sizeof(id));
            assert_true(id >= 1 && id <= R.produced);
            if (R.seen[id]++) {
                if (R.dups++ == 0)
                    print_message("first duplicate: id %llu\n", (unsigned long long)id);
            } else if (id < R.last_id) {
                R.order_errors++;
            }
            if (id > R.last_id)
                R.last_id = id;
        }
        last = v[n - 1];
        total += n;
    }
    if (total > 0)
        ad_spool_stage_commit(R.st, &last);
    else
        ad_spool_stage_commit_all(R.st);
    return total;
}

static void deliver_all(void)
{
    for (int guard = 0; guard < 10000; guard++) {
        if (deliver_batch(200) == 0 && R.last_id == R.produced)
            return;
        tick(1);
    }
    fail_msg("not all delivered: last id %llu of %llu", (unsigned long long)R.last_id,
             (unsigned long long)R.produced);
}

static void check_every_id_once(bool ordered)
{
    for (uint64_t id = 1; id <= R.produced; id++)
        if (R.seen[id] != 1)
            fail_msg("id %llu delivered %u times", (unsigned long long)id, R.seen[id]);
    assert_int_equal(R.dups, 0);
    if (ordered)
        assert_int_equal(R.order_errors, 0);
}

/* What `asimdns status` (text and JSON) and /metrics show of the ring now; *st filled. */
static char status_text[1 << 16], status_json[1 << 16], metrics_text[1 << 17];

static void read_status(ad_ring_status *st)
{
    char msg[512];
    if (ad_ring_status_read(R.ring_name, false, st, msg, sizeof(msg)) != AD_OK)
        fail_msg("status: %s", msg);
    ad_strbuf sb;
    ad_strbuf_init(&sb, status_text, sizeof(status_text));
    ad_ring_status_format_text(st, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    ad_strbuf_init(&sb, status_json, sizeof(status_json));
    ad_ring_status_format_json(st, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    ad_metrics_view v = {.ring = st, .ring_name = R.ring_name, .version = "0"};
    ad_strbuf_init(&sb, metrics_text, sizeof(metrics_text));
    ad_metrics_render(&v, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
}

static void expect_in(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("\"%s\" not in:\n%s", needle, hay);
}

/* The disk fails (kind, errno or a short write, from its next call on), records keep coming;
   then it recovers. */
static void degrade_and_recover(const char *tag, fault_op kind, int err, bool short_write,
                                bool ordered)
{
    rig_open(tag, 0, AD_CONFIG_SPOOL_FULL_BLOCK);
    produce(300);
    deliver_all();
    uint64_t spooled = ctr(AD_EXP_SPOOL_RECORDS_WRITTEN);
    assert_int_equal(spooled, 300); /* spool mode: everything went through the disk */

    /* The disk fails for good: records still arrive, straight from the ring. */
    R.f.fail_kind = kind;
    R.f.fail_at = R.f.calls[kind] + 1;
    R.f.fail_errno = err;
    R.f.short_write = short_write;
    R.f.sticky = true;
    for (int round = 0; round < 20; round++) {
        produce(50);
        tick(20);
        deliver_all();
    }
    assert_true(R.f.faults > 0);
    assert_true(ctr(AD_EXP_SPOOL_DISK_ERRORS) >= 1);
    assert_int_equal(ctr(AD_EXP_SPOOL_DEGRADED), 1);
    assert_int_equal(ctr(AD_EXP_SPOOL_RECOVERIES), 0);
    assert_true(ad_spool_degraded(ad_spool_stage_spool(R.st)));
    assert_true(logged("delivering from the ring only"));
    assert_true(logged("spool unusable: delivering straight from the ring"));
    ad_ring_status rs;
    read_status(&rs);
    assert_int_equal(rs.spool.state, AD_RING_SPOOL_DEGRADED);
    expect_in(status_text, "DEGRADED (disk errors: delivering from the ring)");
    expect_in(status_json, "\"spool\":{\"state\":\"degraded\"");
    expect_in(metrics_text, "asimdns_spool_degraded{component=\"exporter\"} 1");
    expect_in(metrics_text, "asimdns_spool_degraded_total{component=\"exporter\"} 1");
    uint64_t written_degraded = ctr(AD_EXP_SPOOL_RECORDS_WRITTEN);
    /* The recovery probe comes every AD_SPOOL_RECOVER_INTERVAL_NS; a failing disk fails it. */
    R.mono += AD_SPOOL_RECOVER_INTERVAL_NS;
    produce(50);
    deliver_all();
    assert_int_equal(ctr(AD_EXP_SPOOL_RECOVERIES), 0);

    /* The disk recovers: after the next probe the stage spools again. */
    fault_fs_clear(&R.f);
    R.mono += AD_SPOOL_RECOVER_INTERVAL_NS;
    produce(300);
    deliver_all();
    assert_int_equal(ctr(AD_EXP_SPOOL_RECOVERIES), 1);
    assert_false(ad_spool_degraded(ad_spool_stage_spool(R.st)));
    assert_true(logged("disk usable again"));
    assert_true(ctr(AD_EXP_SPOOL_RECORDS_WRITTEN) >= written_degraded + 300);
    check_every_id_once(ordered);
    assert_int_equal(ctr(AD_EXP_RECORDS_LOST_SPOOL_CORRUPT), 0);
    rig_close();
}

static void test_enospc_degrades_to_ring_and_recovers(void **state)
{
    (void)state;
    degrade_and_recover("enospc", FAULT_WRITE, ENOSPC, false, true);
}

static void test_eio_degrades_to_ring_and_recovers(void **state)
{
    (void)state;
    degrade_and_recover("eio", FAULT_WRITE, EIO, false, true);
}

static void test_short_write_degrades_to_ring_and_recovers(void **state)
{
    (void)state;
    degrade_and_recover("short", FAULT_WRITE, 0, true, true);
}

static void test_fsync_failure_degrades_to_ring_and_recovers(void **state)
{
    (void)state;
    degrade_and_recover("fsync", FAULT_FSYNC, EIO, false, true);
}

/* Read-only file system: every call fails, reading too (the one case where spooled records
   may follow the ring's; none is lost). */
static void test_read_only_fs_degrades_to_ring_and_recovers(void **state)
{
    (void)state;
    degrade_and_recover("erofs", FAULT_ANY, EROFS, false, false);
}

/*
 * The receiver was down: 2000 records wait in the spool. While they drain, 20 new records
 * arrive per batch. The spooled ones are all delivered before any new one, and after every
 * heartbeat the ring is empty again: new records went to the spool behind the backlog, the
 * capture never waited.
 */
static void test_drain_before_new_records_while_pumping(void **state)
{
    (void)state;
    rig_open("drain", 0, AD_CONFIG_SPOOL_FULL_BLOCK);
    for (int i = 0; i < 20; i++) {
        produce(100);
        tick(20); /* receiver down: only the pump runs */
    }
    assert_int_equal(ctr(AD_EXP_SPOOL_RECORDS_WRITTEN), 2000);
    assert_int_equal(ad_ring_consumer_committed_pos(R.c), ad_ring_consumer_producer_pos(R.c));
    /* The backlog as an operator sees it: records, bytes, segments, the oldest's age. */
    ad_ring_status rs;
    read_status(&rs);
    assert_int_equal(rs.spool.state, AD_RING_SPOOL_ON);
    assert_int_equal(rs.spool.records, 2000);
    assert_true(rs.spool.bytes >= 2000 * (20 + 8) && rs.spool.segments >= 1);
    assert_true(rs.spool.oldest_ns != 0);
    char want[160];
    snprintf(want, sizeof(want), "2000 records, %llu bytes in %llu segments, oldest",
             (unsigned long long)rs.spool.bytes, (unsigned long long)rs.spool.segments);
    expect_in(status_text, want);
    snprintf(want, sizeof(want), "\"spool\":{\"state\":\"on\",\"bytes\":%llu,\"records\":2000,",
             (unsigned long long)rs.spool.bytes);
    expect_in(status_json, want);
    expect_in(metrics_text, "asimdns_spool_records{component=\"exporter\"} 2000");
    expect_in(metrics_text, "asimdns_spool_oldest_age_seconds{component=\"exporter\"}");
    snprintf(want, sizeof(want), "asimdns_spool_bytes{component=\"exporter\"} %llu",
             (unsigned long long)rs.spool.bytes);
    expect_in(metrics_text, want);
    expect_in(metrics_text, "asimdns_spool_records_written_total{component=\"exporter\"} 2000");
    uint64_t backlog = R.produced, batches = 0;
    while (R.last_id < R.produced) {
        produce(20);
        tick(20);
        assert_int_equal(ad_ring_consumer_committed_pos(R.c), ad_ring_consumer_producer_pos(R.c));
        size_t n = deliver_batch(200);
        assert_true(n > 0);
        batches++;
        if (R.last_id < backlog) /* still draining: nothing new has overtaken the backlog */
            for (uint64_t id = backlog + 1; id <= R.produced; id++)
                assert_int_equal(R.seen[id], 0);
        assert_true(batches < 1000);
    }
    /* 20 new per batch of 200 drained: the drain catches up, at full batch size. */
    assert_true(R.produced > backlog);
    check_every_id_once(true);
    assert_int_equal(ctr(AD_EXP_SPOOL_RECORDS_WRITTEN), R.produced);
    tick(20);
    read_status(&rs);
    assert_int_equal(rs.spool.records, 0);
    assert_int_equal(rs.spool.oldest_ns, 0);
    expect_in(status_text, "0 records");
    rig_close();
}

/*
 * A full spool, policy block: the pump stops taking records, which stay in the ring (the
 * capture counts drops only once the ring is full too); counted, logged and visible; once the
 * receiver takes the backlog everything arrives, nothing lost.
 */
static void test_full_block_keeps_records_in_the_ring(void **state)
{
    (void)state;
    rig_open("fullblock", 64 * 1024, AD_CONFIG_SPOOL_FULL_BLOCK);
    for (int i = 0; i < 40; i++) {
        produce(100);
        tick(20); /* receiver down */
    }
    assert_int_equal(ctr(AD_EXP_SPOOL_FULL_EVENTS), 1);
    assert_true(logged("spool full (spool.max_size, full_policy block)"));
    assert_true(ad_ring_consumer_committed_pos(R.c) < ad_ring_consumer_producer_pos(R.c));
    assert_true(ctr(AD_EXP_SPOOL_RECORDS_WRITTEN) < 4000);
    ad_ring_status rs;
    read_status(&rs);
    assert_true(rs.spool.bytes <= 64 * 1024 && rs.spool.records > 0);
    expect_in(metrics_text, "asimdns_spool_full_events_total{component=\"exporter\"} 1");
    /* The backlog's summary line, once a minute while it lasts. */
    assert_false(logged("waiting for the receiver"));
    tick(61 * 1000);
    assert_true(logged("records (") && logged("waiting for the receiver"));
    deliver_all();
    check_every_id_once(true);
    assert_int_equal(ctr(AD_EXP_RECORDS_LOST_SPOOL_FULL), 0);
    assert_true(logged("spool has room again"));
    rig_close();
}

/* A full spool, policy drop_oldest: the oldest segments go, their records counted as
   records_lost_spool_full (status, /metrics, log); every other record arrives, in order. */
static void test_full_drop_oldest_counts_and_shows_the_loss(void **state)
{
    (void)state;
    rig_open("fulldrop", 64 * 1024, AD_CONFIG_SPOOL_FULL_DROP_OLDEST);
    for (int i = 0; i < 40; i++) {
        produce(100);
        tick(20); /* receiver down */
    }
    uint64_t lost = ctr(AD_EXP_RECORDS_LOST_SPOOL_FULL);
    assert_true(lost > 0);
    assert_int_equal(ad_ring_consumer_committed_pos(R.c), ad_ring_consumer_producer_pos(R.c));
    assert_true(logged("records dropped (ids 1.."));
    ad_ring_status rs;
    read_status(&rs);
    char want[120];
    snprintf(want, sizeof(want),
             "asimdns_records_lost_spool_full_total{component=\"exporter\"} %llu",
             (unsigned long long)lost);
    expect_in(metrics_text, want);
    expect_in(status_text, "records_lost_spool_full");
    snprintf(want, sizeof(want), "\"records_lost_spool_full\":%llu", (unsigned long long)lost);
    expect_in(status_json, want);
    deliver_all();
    uint64_t got = 0;
    for (uint64_t id = 1; id <= R.produced; id++)
        got += R.seen[id];
    assert_int_equal(got + lost, R.produced); /* delivered or counted, never both */
    assert_int_equal(R.dups, 0);
    assert_int_equal(R.order_errors, 0);
    rig_close();
}

int main(void)
{
    ad_log_init("spool-stage-test", AD_LOG_INFO, AD_LOG_TEXT); /* the log is checked */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enospc_degrades_to_ring_and_recovers),
        cmocka_unit_test(test_eio_degrades_to_ring_and_recovers),
        cmocka_unit_test(test_short_write_degrades_to_ring_and_recovers),
        cmocka_unit_test(test_fsync_failure_degrades_to_ring_and_recovers),
        cmocka_unit_test(test_read_only_fs_degrades_to_ring_and_recovers),
        cmocka_unit_test(test_drain_before_new_records_while_pumping),
        cmocka_unit_test(test_full_block_keeps_records_in_the_ring),
        cmocka_unit_test(test_full_drop_oldest_counts_and_shows_the_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
