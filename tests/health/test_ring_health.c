/*
 * asimdns tests (unit): the rules of `asimdns status --check capture|exporter`
 * (ad_ring_status_check) on hand-built snapshots, and the heartbeat's "last interval" words
 * written by a real producer and read back by ad_ring_status_read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "health/ring_health.h"

#define SEC 1000000000ULL
#define NOW (1800000000ULL * SEC)

/* Both services running, fresh, delivering, ring 10 % used, interval recorded, no loss. */
static void healthy(ad_ring_status *st)
{
    memset(st, 0, sizeof(*st));
    snprintf(st->name, sizeof(st->name), "unit");
    st->taken_ns = NOW;
    st->capacity = 1 << 20;
    st->generation = 7;
    st->capture_pid = 100;
    st->capture_alive = true;
    st->capture_heartbeat_ns = NOW - SEC / 2;
    st->capture_prev_heartbeat_ns = NOW - SEC / 2 - SEC;
    st->capture_heartbeat_interval_ns = SEC;
    st->interval_valid = true;
    st->cursor_ok = true;
    st->cursor_valid = true;
    st->producer_pos = 200000;
    st->consumer_pos = 200000 - (1 << 20) / 10;
    st->used_bytes = (1 << 20) / 10;
    st->exporter_pid = 200;
    st->exporter_alive = true;
    st->exporter_heartbeat_ns = NOW - SEC / 10;
    st->exporter_heartbeat_interval_ns = SEC;
    st->generation_seen = 7;
    st->last_ok_ns = NOW - SEC;
}

static ad_ring_health check(const ad_ring_status *st, ad_ring_component c, char *why)
{
    return ad_ring_status_check(st, c, why, 512);
}

static void test_healthy(void **state)
{
    ad_ring_status st;
    char why[512];
    (void)state;
    healthy(&st);
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    assert_non_null(strstr(why, "capture pid 100 running"));
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_HEALTHY);
    assert_non_null(strstr(why, "delivering"));
    assert_int_equal(ad_ring_status_health(&st, why, 512), AD_RING_HEALTHY);
}

static void test_capture_down(void **state)
{
    ad_ring_status st;
    char why[512];
    (void)state;
    healthy(&st);
    st.capture_pid = 0; /* clean stop */
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DOWN);
    assert_non_null(strstr(why, "not running"));
    assert_int_equal(ad_ring_status_health(&st, why, 512), AD_RING_DOWN);
    healthy(&st);
    st.capture_alive = false; /* killed: the pid is still in the header */
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DOWN);
    assert_non_null(strstr(why, "pid 100 is gone"));
}

static void test_capture_stale(void **state)
{
    ad_ring_status st;
    char why[512];
    (void)state;
    healthy(&st);
    st.capture_heartbeat_ns = NOW - 3 * SEC; /* exactly 3 periods: not yet */
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    st.capture_heartbeat_ns = NOW - 3 * SEC - 1;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "capture heartbeat is 3.0 s old (period 1.0 s)"));
    /* The overall verdict follows the capture. */
    assert_int_equal(ad_ring_status_health(&st, why, 512), AD_RING_DEGRADED);

    /* heartbeat_seconds: 5 promised: 12 s is fresh, 16 s is stale. */
    healthy(&st);
    st.capture_heartbeat_interval_ns = 5 * SEC;
    st.capture_heartbeat_ns = NOW - 12 * SEC;
    st.capture_prev_heartbeat_ns = st.capture_heartbeat_ns - 5 * SEC;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    st.capture_heartbeat_ns = NOW - 16 * SEC;
    st.capture_prev_heartbeat_ns = st.capture_heartbeat_ns - 5 * SEC;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);

    /* A build that promises nothing is judged by its measured gap (capped at 60 s). */
    healthy(&st);
    st.capture_heartbeat_interval_ns = 0;
    st.capture_heartbeat_ns = NOW - 8 * SEC;
    st.capture_prev_heartbeat_ns = st.capture_heartbeat_ns - 4 * SEC;
    assert_int_equal(ad_ring_status_capture_period_ns(&st), 4 * SEC);
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    st.capture_prev_heartbeat_ns = st.capture_heartbeat_ns - 3600 * SEC;
    assert_int_equal(ad_ring_status_capture_period_ns(&st), AD_RING_MAX_HEARTBEAT_NS);
    st.capture_prev_heartbeat_ns = 0;
    assert_int_equal(ad_ring_status_capture_period_ns(&st), AD_RING_DEFAULT_HEARTBEAT_NS);
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
}

static void test_losses_rising(void **state)
{
    static const struct {
        ad_capture_counter c;
        const char *text;
    } cases[] = {
        {AD_CAP_DROPPED_RING_FULL, "5 records dropped (ring full) in the last 1.0 s"},
        {AD_CAP_DROPPED_TOO_LARGE, "5 records dropped (too large)"},
        {AD_CAP_ETW_EVENTS_LOST, "5 ETW events lost"},
        {AD_CAP_ETW_REALTIME_BUFFERS_LOST, "5 ETW real-time buffers lost"},
        {AD_CAP_ETW_LOG_BUFFERS_LOST, "5 ETW log buffers lost"},
        {AD_CAP_ETW_RT_LOST_EVENTS, "5 ETW real-time lost events"},
    };
    ad_ring_status st;
    char why[512];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        healthy(&st);
        st.capture_counters[cases[i].c] = 1000; /* old losses alone do not count */
        assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
        st.interval_delta[cases[i].c] = 5;
        assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
        assert_non_null(strstr(why, cases[i].text));
        /* The exporter is not judged by capture losses. */
        assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_HEALTHY);
        /* An interval the latest heartbeat did not close is not "the last interval". */
        st.interval_valid = false;
        assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    }
    /* Other counters rising (events, decode errors) are not losses of the ring. */
    healthy(&st);
    st.interval_delta[AD_CAP_EVENTS_IN] = 100;
    st.interval_delta[AD_CAP_RECORDS_WRITTEN] = 100;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
}

static void test_ring_nearly_full(void **state)
{
    ad_ring_status st;
    char why[512];
    (void)state;
    healthy(&st);
    st.used_bytes = st.capacity / 100 * 80; /* at the mark: fine */
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);
    st.used_bytes = st.capacity / 100 * 81;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "ring is 81.0 % full"));
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "ring is 81.0 % full"));
    /* Several reasons are all named. */
    st.interval_delta[AD_CAP_DROPPED_RING_FULL] = 3;
    st.capture_heartbeat_ns = NOW - 10 * SEC;
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "heartbeat is 10.0 s old"));
    assert_non_null(strstr(why, "; 3 records dropped (ring full)"));
    assert_non_null(strstr(why, "; ring is 81.0 % full"));
}

static void test_exporter_states(void **state)
{
    ad_ring_status st;
    char why[512];
    (void)state;
    healthy(&st);
    st.exporter_pid = 0;
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DOWN);
    assert_non_null(strstr(why, "exporter is not attached"));
    /* Overall: capture fine, exporter away: degraded (the ring keeps the records). */
    assert_int_equal(ad_ring_status_health(&st, why, 512), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "exporter is not attached"));

    healthy(&st);
    st.exporter_alive = false;
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DOWN);
    assert_non_null(strstr(why, "exporter pid 200 is gone"));

    healthy(&st);
    st.cursor_ok = false;
    snprintf(st.cursor_error, sizeof(st.cursor_error), "no permission");
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DOWN);
    assert_non_null(strstr(why, "cursor unreadable: no permission"));

    healthy(&st);
    st.exporter_heartbeat_ns = NOW - 4 * SEC;
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "exporter heartbeat is 4.0 s old"));
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_HEALTHY);

    healthy(&st);
    st.failing_since_ns = NOW - 2 * SEC;
    st.delivery_failures = 4;
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "failing to deliver for 2.0 s (4 failed attempts)"));

    healthy(&st);
    st.cursor_valid = false;
    assert_int_equal(check(&st, AD_RING_EXPORTER, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "impossible"));
}

/* A real producer's heartbeats fill the interval words; status reads them back. */
static void test_interval_from_ring(void **state)
{
    char name[64], msg[256], why[512];
    ad_ring_config cfg;
    ad_ring_producer *p;
    static ad_ring_status st;
    uint64_t seq;
    uint8_t rec[100] = {0};
    (void)state;
    snprintf(name, sizeof(name), "t-stchk-%d", (int)getpid());
    (void)ad_ring_unlink(name, false);
    ad_ring_config_init(&cfg, name);
    cfg.capacity = 8192;
    cfg.max_payload = 512;
    cfg.global_namespace = false;
    cfg.heartbeat_interval_ns = 2 * SEC;
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    uint64_t t0 = ad_time_now_ns();
    ad_ring_producer_heartbeat(p, t0);
    /* Fill the ring until writes drop, between two heartbeats. */
    for (int i = 0; i < 200; i++)
        (void)ad_ring_producer_write(p, rec, sizeof(rec), &seq);
    uint64_t dropped = ad_ring_producer_counter_get(p, AD_CAP_DROPPED_RING_FULL);
    assert_true(dropped > 0);
    ad_ring_producer_heartbeat(p, t0 + 1);
    assert_int_equal(ad_ring_status_read(name, false, &st, msg, sizeof(msg)), AD_OK);
    assert_int_equal(st.capture_heartbeat_interval_ns, 2 * SEC);
    assert_true(st.interval_valid);
    assert_int_equal(st.capture_prev_heartbeat_ns, t0);
    assert_int_equal(st.interval_delta[AD_CAP_DROPPED_RING_FULL], dropped);
    assert_int_equal(check(&st, AD_RING_CAPTURE, why), AD_RING_DEGRADED);
    assert_non_null(strstr(why, "records dropped (ring full)"));
    /* The next interval has no new drops: healthy again as far as losses go. */
    ad_ring_producer_heartbeat(p, t0 + 2);
    assert_int_equal(ad_ring_status_read(name, false, &st, msg, sizeof(msg)), AD_OK);
    assert_int_equal(st.interval_delta[AD_CAP_DROPPED_RING_FULL], 0);
    assert_true(st.capture_alive);
    ad_ring_producer_close(p);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_capture_down),
        cmocka_unit_test(test_capture_stale),
        cmocka_unit_test(test_losses_rising),
        cmocka_unit_test(test_ring_nearly_full),
        cmocka_unit_test(test_exporter_states),
        cmocka_unit_test(test_interval_from_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
