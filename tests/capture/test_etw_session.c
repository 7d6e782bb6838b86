/*
 * asimdns tests: the ETW session controller (capture/etw_session.c) over the fake ETW API
 * (fake_etw.c) and a real ring.
 *
 * Lifecycle: fresh start with the configured properties, a stale session stopped before the
 * new start, access denied reported with the groups that may run sessions, and STOP issued
 * exactly once on every way out (stop request from another thread, from the poll loop, from
 * SIGTERM; ProcessTrace returning early; enable and open failures). Data: every supported
 * event delivered through the callback lands in the ring and decodes to the builder's
 * values; RT_LostEvent, trace header and unknown-provider events are counted, not written;
 * loss counters are polled into the ring header; --record writes exactly the input lines.
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

#include "capture/etw_record.h"
#include "capture/etw_session.h"
#include "capture/replay_format.h"
#include "capture/source_table.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/strbuf.h"
#include "etw_test_util.h"
#include "fake_etw.h"
#include "ipc/ring.h"
#include "tests/support/test_os.h"

/* ---- fixtures ----------------------------------------------------------------------------- */

static char ring_name[64];
static ad_ring_producer *ring;
static ad_capture_config cfg;
static ad_capture_ctx ctx;
static fake_etw fake;
static ad_etw_settings set;
static ad_etw_session session;
static ad_vb vb;

static void ring_open(void)
{
    static unsigned counter;
    snprintf(ring_name, sizeof(ring_name), "t-etws-%ld-%u", test_os_pid(), counter++);
    (void)ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = 16u << 20;
    char msg[256] = "";
    ad_err err = ad_ring_producer_open(&rc, &ring, msg, sizeof(msg));
    if (err != AD_OK) {
        print_error("ring %s: %s\n", ring_name, msg);
        fail();
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.heartbeat_seconds = 1;
    ad_capture_ctx_init(&ctx, ring, &cfg);
}

static void ring_close(void)
{
    ad_ring_producer_close(ring);
    ring = NULL;
    (void)ad_ring_unlink(ring_name, false);
}

static int setup(void **state)
{
    (void)state;
    ring_open();
    fake_etw_init(&fake);
    ad_etw_settings_init(&set);
    /* Tests that count calls exactly must not see a loss poll they did not ask for; the
       loss tests set a short interval. */
    set.poll_ms = 60000;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_etw_free(&fake);
    ring_close();
    return 0;
}

/* stderr into a file while a run logs, to check what the operator is told. */
static char log_path[512];
static int saved_stderr = -1;
static char log_text[65536];

static void log_begin(void)
{
    test_os_temp_path(log_path, sizeof(log_path), "etws-log", "");
    saved_stderr = test_os_stderr_to(log_path);
    assert_true(saved_stderr >= 0);
}

static const char *log_end(void)
{
    test_os_stderr_restore(saved_stderr);
    saved_stderr = -1;
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    size_t n = fread(log_text, 1, sizeof(log_text) - 1, f);
    log_text[n] = 0;
    fclose(f);
    remove(log_path);
    fputs(log_text, stderr); /* keep it visible in the test output */
    return log_text;
}

static void hook_stop_session(fake_etw *f, unsigned n, void *arg)
{
    (void)f;
    (void)n;
    ad_etw_session_stop(arg); /* from the ProcessTrace thread */
}

/* ---- checks ------------------------------------------------------------------------------- */

static uint64_t counter(ad_capture_counter c)
{
    return ad_ring_producer_counter_get(ring, c);
}

/*
 * Reads every record back as the exporter would and calls fn with it, decoded, and the event
 * the fake delivered for it (events that make no record, such as RT_LostEvent notices, are
 * passed over). Every corpus event must have arrived. Returns the number of records.
 */
typedef void (*record_fn)(const fake_event *fe, const ad_event *ev, const ad_ring_view *view,
                          void *arg);

static size_t each_record(record_fn fn, void *arg)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    ad_ring_consumer *c = NULL;
    char msg[256] = "";
    if (ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)) != AD_OK) {
        print_error("consumer: %s\n", msg);
        fail();
    }
    size_t ev_i = 0, records = 0;
    for (;;) {
        ad_ring_view views[64];
        size_t n = 0;
        ad_err err = ad_ring_consumer_peek(c, views, 64, &n);
        if (err == AD_EEMPTY)
            break;
        assert_int_equal(err, AD_OK);
        for (size_t k = 0; k < n; k++) {
            while (ev_i < fake.nevents && fake.events[ev_i].corpus < 0)
                ev_i++;
            assert_true(ev_i < fake.nevents);
            ad_event ev;
            assert_int_equal(ad_record_decode(views[k].data, views[k].len, &ev), AD_OK);
            fn(&fake.events[ev_i++], &ev, &views[k], arg);
            records++;
        }
        ad_ring_consumer_commit_all(c);
    }
    while (ev_i < fake.nevents && fake.events[ev_i].corpus < 0)
        ev_i++;
    assert_int_equal(ev_i, fake.nevents); /* every corpus event arrived */
    ad_ring_consumer_close(c);
    return records;
}

typedef struct ring_check {
    ad_source source;
    uint64_t next_seq;
} ring_check;

/* Identity (source, time, pid, tid, sequence) here, every decoded field through
   etw_test_check against the builder's values. */
static void check_record(const fake_event *fe, const ad_event *record, const ad_ring_view *view,
                         void *arg)
{
    ring_check *rc = arg;
    const fake_vec *vec = &fake.corpus[fe->corpus];
    ad_event ev = *record;
    assert_true(view->seq == rc->next_seq++);
    assert_true(ev.hdr.sequence == view->seq);
    assert_int_equal(ev.hdr.source, rc->source);
    assert_true(ev.hdr.time_ns == fe->ev.time_ns);
    assert_int_equal(ev.hdr.pid, fe->ev.pid);
    assert_int_equal(ev.hdr.tid, fe->ev.tid);
    /* etw_test_check expects the replay identity of the decoder tests. */
    ev.hdr.source = AD_SOURCE_REPLAY;
    ev.hdr.time_ns = ETW_TEST_TIME;
    ev.hdr.pid = ETW_TEST_PID;
    ev.hdr.tid = ETW_TEST_TID;
    ad_vb_values v;
    assert_true(fake_build(vec, &vb, &v));
    etw_test_check(&vb, vb.len, &v, vec->provider, vec->id, vec->version,
                   vec->kind == FAKE_VEC_LEGACY, &ev);
}

/* Every record against the event the fake delivered; returns the number of records. */
static size_t check_ring_records(ad_source source, uint64_t first_seq)
{
    ring_check rc = {source, first_seq};
    return each_record(check_record, &rc);
}

static size_t corpus_events(void)
{
    size_t n = 0;
    for (size_t i = 0; i < fake.nevents; i++)
        n += fake.events[i].corpus >= 0;
    return n;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

/* A fresh start: the configured properties go to StartTrace/EnableTraceEx2/OpenTrace, events
   reach the ring, a stop request from the ProcessTrace thread stops the session once. */
static void test_fresh_start(void **state)
{
    (void)state;
    fake_etw_add_corpus(&fake, 1);
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;
    set.event_ids[0] = 256;
    set.event_ids[1] = 257;
    set.event_id_count = 2;
    set.match_all_keyword = 0x10;
    uint64_t first = ad_ring_producer_next_seq(ring);

    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);

    assert_string_equal(fake_etw_log(&fake), "SQEOPXC");
    assert_int_equal(fake.starts, 1);
    assert_int_equal(fake.stops, 1);
    assert_int_equal(fake.closes, 1);
    /* StartTrace: DESIGN.md §1 mode, defaults 256 KB x 16..128, flush 1 s, stable name. */
    assert_string_equal(fake.last_name, "asimdns-capture");
    assert_int_equal(fake.last_props.log_file_mode,
                     AD_ETW_MODE_REAL_TIME | AD_ETW_MODE_INDEPENDENT_SESSION);
    assert_int_equal(fake.last_props.buffer_size_kb, 256);
    assert_int_equal(fake.last_props.min_buffers, 16);
    assert_int_equal(fake.last_props.max_buffers, 128);
    assert_int_equal(fake.last_props.flush_seconds, 1);
    /* EnableTraceEx2: DNS Server GUID, level 4, keywords 0x3F, the event-id filter. */
    const ad_provider_info *info = ad_provider_info_get(AD_PROVIDER_DNS_SERVER);
    assert_true(ad_guid_equal(&fake.last_enable.provider, &info->guid));
    assert_int_equal(fake.last_enable.level, 4);
    assert_true(fake.last_enable.match_any_keyword == 0x3F);
    assert_true(fake.last_enable.match_all_keyword == 0x10);
    assert_int_equal(fake.last_enable.event_id_count, 2);
    assert_int_equal(fake.last_event_ids[0], 256);
    assert_int_equal(fake.last_event_ids[1], 257);
    assert_string_equal(fake.open_session, "asimdns-capture");
    assert_string_equal(fake.open_file, "");

    size_t n = corpus_events();
    assert_true(n > 300);
    assert_int_equal(check_ring_records(AD_SOURCE_ETW, first), n);
    assert_int_equal(counter(AD_CAP_EVENTS_IN), n);
    assert_int_equal(counter(AD_CAP_RECORDS_WRITTEN), n);
    assert_int_equal(counter(AD_CAP_DECODE_ERRORS), 0);
    assert_int_equal(counter(AD_CAP_UNSUPPORTED_EVENTS), 0);
}

/* A session left behind under our name: stopped first (by name), then started afresh. */
static void test_stale_session_replaced(void **state)
{
    (void)state;
    atomic_store(&fake.session_exists, true); /* someone else's session with our name */
    fake_etw_add_corpus(&fake, 1);
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_OK);
    /* start (ALREADY_EXISTS), stop the old one, start again, ..., our stop at the end. */
    assert_string_equal(fake_etw_log(&fake), "SXSQEOPXC");
    assert_int_equal(fake.starts, 2);
    assert_int_equal(fake.stops, 2);
    assert_non_null(strstr(log, "already exists"));
    assert_non_null(strstr(log, "stopping it and starting a new one"));
    assert_int_equal(counter(AD_CAP_RECORDS_WRITTEN), corpus_events());
}

/* The stale session cannot be stopped (another account's): a clear error, nothing started. */
static void test_stale_session_not_stoppable(void **state)
{
    (void)state;
    atomic_store(&fake.session_exists, true);
    fake.stop_error = AD_ETW_ERROR_ACCESS_DENIED;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_EPERM);
    assert_string_equal(fake_etw_log(&fake), "SX");
    assert_non_null(strstr(log, "access denied"));
}

static void test_access_denied(void **state)
{
    (void)state;
    fake.start_error = AD_ETW_ERROR_ACCESS_DENIED;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_EPERM);
    /* Nothing of ours to stop, nothing enabled or opened. */
    assert_string_equal(fake_etw_log(&fake), "S");
    assert_non_null(strstr(log, "access denied"));
    assert_non_null(strstr(log, "Performance Log Users"));
    assert_non_null(strstr(log, "administrator"));
    assert_non_null(strstr(log, "asimdns-capture"));
}

/* Any other StartTrace failure: named, no stop. */
static void test_start_failure(void **state)
{
    (void)state;
    fake.start_error = AD_ETW_ERROR_NO_SYSTEM_RESOURCES;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_ESYS);
    assert_string_equal(fake_etw_log(&fake), "S");
    assert_non_null(strstr(log, "StartTrace"));
    assert_non_null(strstr(log, "(1450)"));
}

static void test_enable_failure(void **state)
{
    (void)state;
    fake.enable_error = AD_ETW_ERROR_ACCESS_DENIED;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_EPERM);
    assert_string_equal(fake_etw_log(&fake), "SQEX");
    assert_int_equal(fake.stops, 1);
    assert_non_null(strstr(log, "TRACELOG_GUID_ENABLE"));

    /* Another code: AD_ESYS, still one stop. */
    fake_etw_free(&fake);
    fake_etw_init(&fake);
    fake.enable_error = AD_ETW_ERROR_INVALID_PARAMETER;
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_ESYS);
    assert_string_equal(fake_etw_log(&fake), "SQEX");
}

static void test_open_failure(void **state)
{
    (void)state;
    fake.open_error = AD_ETW_ERROR_ACCESS_DENIED;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_EPERM);
    /* Not opened: no ProcessTrace, no CloseTrace; the session is stopped once. */
    assert_string_equal(fake_etw_log(&fake), "SQEOX");
    assert_non_null(strstr(log, "OpenTrace"));
}

/* ProcessTrace returns while the session should run (stopped from outside, say): an error,
   the session stopped once, the trace closed once. */
static void test_process_returns_early(void **state)
{
    (void)state;
    fake_etw_add_corpus(&fake, 1);
    fake.process_mode = FAKE_PT_EARLY;
    fake.process_early_rc = AD_ETW_OK;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_EIO);
    assert_int_equal(fake.stops, 1);
    assert_int_equal(fake.closes, 1);
    assert_false(atomic_load(&fake.session_exists));
    assert_non_null(strstr(log, "ProcessTrace returned"));
    /* What was delivered before is in the ring. */
    assert_int_equal(counter(AD_CAP_RECORDS_WRITTEN), corpus_events());

    /* With an error code. */
    fake_etw_free(&fake);
    fake_etw_init(&fake);
    fake.process_mode = FAKE_PT_EARLY;
    fake.process_early_rc = AD_ETW_ERROR_NOT_SUPPORTED;
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_EIO);
    assert_int_equal(fake.stops, 1);
    assert_int_equal(fake.closes, 1);
}

static void hook_stop_active_on_query(fake_etw *f, unsigned n, void *arg)
{
    (void)f;
    (void)arg;
    if (n == 2)
        ad_etw_session_stop_active(); /* the service-stop path, from the poll loop's thread */
}

/* A stop through ad_etw_session_stop_active, twice for good measure: one STOP. */
static void test_stop_active(void **state)
{
    (void)state;
    fake.on_loss_query = hook_stop_active_on_query;
    set.poll_ms = 10;
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);
    assert_int_equal(fake.stops, 1);
    assert_int_equal(fake.loss_queries, 2);
    assert_int_equal(fake.closes, 1);
    ad_etw_session_stop_active(); /* no session is active now: nothing happens */
    ad_etw_session_stop(&session);
    assert_int_equal(fake.stops, 1);
}

/* LogFileMode read back without INDEPENDENT_SESSION_MODE: a warning, the run goes on. */
static void test_independent_mode_dropped(void **state)
{
    (void)state;
    fake.mode_dropped = AD_ETW_MODE_INDEPENDENT_SESSION;
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_OK);
    assert_non_null(strstr(log, "without EVENT_TRACE_INDEPENDENT_SESSION_MODE"));
    assert_int_equal(fake.stops, 1);
}

/* ---- loss accounting ---------------------------------------------------------------------- */

typedef struct loss_check {
    uint64_t base[3];
    bool checked;
} loss_check;

static void hook_loss(fake_etw *f, unsigned n, void *arg)
{
    loss_check *lc = arg;
    if (n == 4) {
        /* The values of query 3 were published before query 4. */
        assert_true(counter(AD_CAP_ETW_EVENTS_LOST) == lc->base[0] + 3 * f->loss_step[0]);
        assert_true(counter(AD_CAP_ETW_REALTIME_BUFFERS_LOST) == lc->base[1] + 3 * f->loss_step[1]);
        assert_true(counter(AD_CAP_ETW_LOG_BUFFERS_LOST) == lc->base[2] + 3 * f->loss_step[2]);
        lc->checked = true;
    }
    if (n == 6)
        ad_etw_session_stop_active();
}

static void test_loss_counters(void **state)
{
    (void)state;
    loss_check lc = {{1000, 2000, 3000}, false};
    /* Counters left by an earlier run stay: the session's values are added to them. */
    ad_ring_producer_counter_set(ring, AD_CAP_ETW_EVENTS_LOST, lc.base[0]);
    ad_ring_producer_counter_set(ring, AD_CAP_ETW_REALTIME_BUFFERS_LOST, lc.base[1]);
    ad_ring_producer_counter_set(ring, AD_CAP_ETW_LOG_BUFFERS_LOST, lc.base[2]);
    fake.loss_step[0] = 5;
    fake.loss_step[1] = 2;
    fake.loss_step[2] = 1;
    fake.on_loss_query = hook_loss;
    fake.hook_arg = &lc;
    set.poll_ms = 10;
    fake_etw_add_trace_header(&fake);
    fake_etw_add_rt_lost(&fake, AD_ETW_RT_LOST_EVENT);
    fake_etw_add_corpus(&fake, 1);
    fake_etw_add_rt_lost(&fake, AD_ETW_RT_LOST_BUFFER);
    fake_etw_add_rt_lost(&fake, AD_ETW_RT_LOST_FILE);
    fake_etw_add_rt_lost(&fake, 0); /* not a loss notice */
    fake_etw_add_unknown(&fake);
    uint64_t first = ad_ring_producer_next_seq(ring);

    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_OK);

    assert_true(lc.checked);
    /* Growing losses are logged, but not at every poll. */
    const char *warn = strstr(log, "is losing events");
    assert_non_null(warn);
    assert_null(strstr(warn + 1, "is losing events"));
    assert_int_equal(fake.loss_queries, 6);
    assert_int_equal(fake.stops, 1);
    /* Final values from STOP: 6 queries + the STOP step. */
    assert_true(counter(AD_CAP_ETW_EVENTS_LOST) == 1000 + 7 * 5);
    assert_true(counter(AD_CAP_ETW_REALTIME_BUFFERS_LOST) == 2000 + 7 * 2);
    assert_true(counter(AD_CAP_ETW_LOG_BUFFERS_LOST) == 3000 + 7 * 1);
    assert_int_equal(counter(AD_CAP_ETW_RT_LOST_EVENTS), 3);
    /* The unknown provider's event counts as unsupported; header and notices count nowhere. */
    size_t n = corpus_events();
    assert_int_equal(counter(AD_CAP_UNSUPPORTED_EVENTS), 1);
    assert_int_equal(counter(AD_CAP_EVENTS_IN), n + 1);
    assert_int_equal(check_ring_records(AD_SOURCE_ETW, first), n);
}

/* Loss queries failing: warned once, the run goes on and stops cleanly. */
static void test_loss_query_failing(void **state)
{
    (void)state;
    fake.query_error = AD_ETW_ERROR_ACCESS_DENIED;
    fake.on_loss_query = hook_stop_active_on_query;
    set.poll_ms = 10;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_OK);
    assert_int_equal(fake.loss_queries, 2);
    assert_int_equal(fake.stops, 1);
    const char *first = strstr(log, "querying the loss counters failed");
    assert_non_null(first);
    assert_null(strstr(first + 1, "querying the loss counters failed")); /* once, not per poll */
    assert_non_null(strstr(log, "cannot read the session properties back"));
}

/* ---- .etl files --------------------------------------------------------------------------- */

static void test_etl_file(void **state)
{
    (void)state;
    set.source = AD_SOURCE_ETL;
    snprintf(set.etl_file, sizeof(set.etl_file), "C:\\traces\\dns.etl");
    fake.process_mode = FAKE_PT_FILE;
    fake_etw_add_trace_header(&fake);
    fake_etw_add_corpus(&fake, 2);
    uint64_t first = ad_ring_producer_next_seq(ring);
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);
    /* No session of ours: open, process to the end, close. */
    assert_string_equal(fake_etw_log(&fake), "OPC");
    assert_string_equal(fake.open_file, "C:\\traces\\dns.etl");
    assert_string_equal(fake.open_session, "");
    assert_int_equal(check_ring_records(AD_SOURCE_ETL, first), corpus_events());
}

/* A stop request while a long file is read: CloseTrace ends ProcessTrace. */
static void test_etl_stop_request(void **state)
{
    (void)state;
    set.source = AD_SOURCE_ETL;
    snprintf(set.etl_file, sizeof(set.etl_file), "big.etl");
    fake.process_mode = FAKE_PT_BLOCK;
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;
    fake_etw_add_corpus(&fake, 1);
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);
    assert_string_equal(fake_etw_log(&fake), "OPC");
    assert_int_equal(fake.stops, 0);
}

static void test_etl_missing_file(void **state)
{
    (void)state;
    set.source = AD_SOURCE_ETL;
    snprintf(set.etl_file, sizeof(set.etl_file), "missing.etl");
    fake.open_error = AD_ETW_ERROR_FILE_NOT_FOUND;
    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_ESYS);
    assert_string_equal(fake_etw_log(&fake), "O");
    assert_non_null(strstr(log, "missing.etl"));
    assert_non_null(strstr(log, "file not found"));
}

/* ---- settings ----------------------------------------------------------------------------- */

static void test_bad_settings(void **state)
{
    (void)state;
    set.session_name[0] = 0;
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_EINVAL);
    ad_etw_settings_init(&set);
    set.event_id_count = AD_ETW_MAX_EVENT_IDS + 1;
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_EINVAL);
    ad_etw_settings_init(&set);
    set.source = AD_SOURCE_ETL; /* without a file */
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_EINVAL);
    ad_etw_settings_init(&set);
    assert_int_equal(ad_etw_session_run(&session, &set, NULL, &ctx, NULL), AD_EUNSUPP);
    /* Only the Windows build has the real API table, so only there are the sources available
       (tests/capture/test_source_table.c checks the rows in detail). */
    assert_int_equal((ad_source_etw.caps & AD_SOURCE_AVAILABLE) != 0, test_os_is_windows());
    assert_int_equal((ad_source_etl.caps & AD_SOURCE_AVAILABLE) != 0, test_os_is_windows());
    /* The GUIDs the callback classifies by, against their documented text (facts §B.2). */
    static const char rt_lost[] = "{6A399AE0-4BC6-4DE9-870B-3657F8947E7E}";
    static const char trace[] = "{68FDD900-4A3E-11D1-84F4-0000F80464E3}";
    ad_guid g;
    assert_true(ad_guid_parse(rt_lost, strlen(rt_lost), &g));
    assert_true(ad_guid_equal(&g, &ad_etw_rt_lost_event_guid));
    assert_true(ad_guid_parse(trace, strlen(trace), &g));
    assert_true(ad_guid_equal(&g, &ad_etw_event_trace_guid));
    assert_string_equal(fake_etw_log(&fake), "");
}

/* ---- SIGTERM ------------------------------------------------------------------------------ */

static void hook_sigterm(fake_etw *f, unsigned n, void *arg)
{
    (void)f;
    (void)n;
    (void)arg;
    /* as the operator's kill would; the handler only raises the stop flag */
    assert_true(test_os_raise_stop());
}

static int sigterm_child(void *arg)
{
    (void)arg;
    ad_stop_install();
    fake_etw_add_corpus(&fake, 1);
    fake.after_delivery = hook_sigterm;
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    int ok = rc == AD_OK && fake.stops == 1 && fake.closes == 1 && ad_stop_requested() &&
             counter(AD_CAP_RECORDS_WRITTEN) == corpus_events();
    return ok ? 0 : 1;
}

/* The real signal path, in a child: the global stop flag cannot be lowered again. */
static void test_sigterm(void **state)
{
    (void)state;
    if (test_os_is_windows())
        skip(); /* no fork, and a console event would reach every process on the console */
    assert_int_equal(test_os_run_in_child(sigterm_child, NULL), 0);
}

/* ---- process names (SrcProcessName) ------------------------------------------------------ */

/* A fake process lookup: every process id runs C:\apps\app<pid>.exe, but gone_pid has exited. */
typedef struct name_lookup {
    ad_process_lookup api;
    uint32_t gone_pid;
    atomic_uint calls;
} name_lookup;

static ad_process_lookup_result name_image_path(void *impl, uint32_t pid, uint64_t event_ns,
                                                char *out, size_t cap, size_t *len)
{
    name_lookup *l = impl;
    (void)event_ns;
    atomic_fetch_add(&l->calls, 1);
    *len = 0;
    if (pid == l->gone_pid)
        return AD_PLOOKUP_GONE;
    *len = (size_t)snprintf(out, cap, "C:\\apps\\app%u.exe", (unsigned)pid);
    return AD_PLOOKUP_FOUND;
}

static void name_lookup_init(name_lookup *l, uint32_t gone_pid)
{
    memset(l, 0, sizeof(*l));
    l->api.impl = l;
    l->api.image_path = name_image_path;
    l->gone_pid = gone_pid;
    atomic_init(&l->calls, 0);
}

static bool requester_event(const ad_etw_raw_event *ev)
{
    return ev->provider == AD_PROVIDER_DNS_CLIENT && (ev->event_id == 3006 || ev->event_id == 3008);
}

/* Gives every delivered event the start key ETW would attach: one per process id. */
static void set_start_keys(uint64_t base)
{
    for (size_t i = 0; i < fake.nevents; i++)
        fake.events[i].ev.process_start_key = base != 0 ? base + fake.events[i].ev.pid : 0;
}

typedef struct names_check {
    bool named;
    uint32_t gone_pid;
    size_t requesters;
} names_check;

static void check_record_name(const fake_event *fe, const ad_event *ev, const ad_ring_view *view,
                              void *arg)
{
    names_check *nc = arg;
    const ad_etw_raw_event *raw = &fe->ev;
    (void)view;
    assert_int_equal(ev->hdr.event_id, raw->event_id);
    char want[64] = "";
    if (requester_event(raw)) {
        nc->requesters++;
        if (nc->named && raw->pid != nc->gone_pid)
            snprintf(want, sizeof(want), "C:\\apps\\app%u.exe", (unsigned)raw->pid);
    }
    assert_true(etw_test_str_eq(ev->str[AD_STR_PROCESS], want));
}

/*
 * Reads the ring back: with named, a requester event (3006, 3008) carries its process's image
 * path, or none when that process was gone; every other event none. Returns the requester
 * events.
 */
static size_t check_process_names(bool named, uint32_t gone_pid)
{
    names_check nc = {named, gone_pid, 0};
    (void)each_record(check_record_name, &nc);
    return nc.requesters;
}

/* A live DNS Client session over rounds of the corpus, named through lk (processes get
   start keys from key_base, none when 0), stopped once the events are delivered. */
static void names_setup(name_lookup *lk, uint32_t gone_pid, unsigned rounds, uint64_t key_base)
{
    name_lookup_init(lk, gone_pid);
    fake_etw_add_corpus(&fake, rounds);
    set_start_keys(key_base);
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;
    set.provider_guid = ad_provider_info_get(AD_PROVIDER_DNS_CLIENT)->guid;
    set.process_lookup = &lk->api;
}

/* Distinct process ids among the requester events. */
static size_t requester_processes(void)
{
    uint32_t seen[64];
    size_t n = 0;
    for (size_t i = 0; i < fake.nevents; i++) {
        const ad_etw_raw_event *ev = &fake.events[i].ev;
        size_t k = 0;
        while (k < n && seen[k] != ev->pid)
            k++;
        if (requester_event(ev) && k == n) {
            assert_true(n < 64);
            seen[n++] = ev->pid;
        }
    }
    return n;
}

/*
 * A live DNS Client session: EnableTraceEx2 asks for process start keys; 3006 and 3008 get
 * their process's image path, looked up once per (process, start key); a process already
 * gone is a counted miss; no other event is looked up.
 */
static void test_process_names_live(void **state)
{
    (void)state;
    const uint32_t gone = fake_pid(3);
    name_lookup lk;
    names_setup(&lk, gone, 2, 0x7000);
    set.process_cache_size = 16;

    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);

    assert_true(fake.last_enable.process_start_key);
    size_t requesters = check_process_names(true, gone);
    size_t processes = requester_processes();
    assert_true(requesters > 2 * processes); /* most answers come from the cache */
    assert_int_equal(atomic_load(&lk.calls), processes);
    assert_int_equal(counter(AD_CAP_PROCESS_LOOKUPS), processes);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_HITS), requesters - processes);
    assert_int_equal(counter(AD_CAP_PROCESS_LOOKUP_MISSES), 1);
    assert_int_equal(counter(AD_CAP_PROCESS_LOOKUP_FAILURES), 0);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_EVICTIONS), 0);
    assert_null(session.names); /* freed with the run */
}

/* A cache smaller than the processes: evictions, counted, and the names still right. */
static void test_process_names_evictions(void **state)
{
    (void)state;
    name_lookup lk;
    names_setup(&lk, 0, 2, 0x7000);
    set.process_cache_size = 1;

    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);

    size_t requesters = check_process_names(true, 0);
    uint64_t lookups = counter(AD_CAP_PROCESS_LOOKUPS);
    assert_true(lookups > requester_processes());
    assert_int_equal(atomic_load(&lk.calls), lookups);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_HITS) + lookups, requesters);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_EVICTIONS), lookups - 1);
}

/* Windows that refuses the start key: enabled without it, every requester event looked up. */
static void test_process_names_without_start_key(void **state)
{
    (void)state;
    name_lookup lk;
    names_setup(&lk, 0, 1, 0);
    fake.start_key_error = AD_ETW_ERROR_INVALID_PARAMETER;

    log_begin();
    ad_err rc = ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL);
    const char *log = log_end();
    assert_int_equal(rc, AD_OK);
    assert_string_equal(fake_etw_log(&fake), "SQEEOPXC");
    assert_false(fake.last_enable.process_start_key);
    assert_non_null(strstr(log, "refused the process start key"));
    size_t requesters = check_process_names(true, 0);
    assert_int_equal(atomic_load(&lk.calls), requesters);
    assert_int_equal(counter(AD_CAP_PROCESS_LOOKUPS), requesters);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_HITS), 0);
}

/*
 * No start key asked for and nothing looked up: for the DNS Server provider (none of its
 * events runs in a requester's process), with process names turned off, and for .etl files
 * (their processes are long gone). Case 0, 1, 2 in that order.
 */
static void run_names_off(int which)
{
    name_lookup lk;
    names_setup(&lk, 0, 1, 0x7000);
    if (which == 0)
        set.provider_guid = ad_provider_info_get(AD_PROVIDER_DNS_SERVER)->guid;
    if (which == 1)
        set.process_cache_size = 0;
    if (which == 2) {
        set.source = AD_SOURCE_ETL;
        snprintf(set.etl_file, sizeof(set.etl_file), "%s", "C:\\trace.etl");
        fake.process_mode = FAKE_PT_FILE;
    }
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, NULL), AD_OK);
    assert_false(fake.last_enable.process_start_key);
    assert_true(check_process_names(false, 0) > 0);
    assert_int_equal(atomic_load(&lk.calls), 0);
    assert_int_equal(counter(AD_CAP_PROCESS_LOOKUPS), 0);
    assert_int_equal(counter(AD_CAP_PROCESS_CACHE_HITS), 0);
}

static void test_process_names_server_provider(void **state)
{
    (void)state;
    run_names_off(0);
}

static void test_process_names_turned_off(void **state)
{
    (void)state;
    run_names_off(1);
}

static void test_process_names_etl(void **state)
{
    (void)state;
    run_names_off(2);
}

/* ---- --record ----------------------------------------------------------------------------- */

static void test_record(void **state)
{
    (void)state;
    /* The input: corpus events as replay lines, enough to fill the record buffer more than
       once (the "flush when full" path). */
    size_t cap = 8u << 20, len = 0;
    char *input = malloc(cap);
    assert_non_null(input);
    size_t lines = 0;
    while (len <= 2 * AD_ETW_RECORD_BUFFER) {
        for (size_t c = 0; c < fake.ncorpus; c++) {
            const fake_vec *vec = &fake.corpus[c];
            ad_vb_values v;
            assert_true(fake_build(vec, &vb, &v));
            ad_etw_event_in in;
            memset(&in, 0, sizeof(in));
            in.provider = vec->provider;
            in.event_id = vec->id;
            in.version = vec->version;
            in.header_flags = fake_header_flags(vec);
            in.pid = fake_pid(lines);
            in.tid = fake_tid(lines);
            in.time_ns = fake_time(lines);
            in.userdata = vb.buf;
            in.userdata_len = vb.len;
            ad_strbuf sb;
            ad_strbuf_init(&sb, input + len, cap - len);
            ad_replay_format_line(&in, &sb);
            assert_false(ad_strbuf_overflowed(&sb));
            input[len + sb.len - 1] = 0; /* the parser takes a line without its newline */
            assert_true(fake_etw_add_line(&fake, input + len));
            input[len + sb.len - 1] = '\n';
            len += sb.len;
            lines++;
        }
    }
    fake_etw_add_rt_lost(&fake, AD_ETW_RT_LOST_EVENT); /* not an event of a provider */
    fake_etw_add_unknown(&fake);                       /* cannot be named in the format */
    fake.after_delivery = hook_stop_session;
    fake.hook_arg = &session;

    char path[512];
    test_os_temp_path(path, sizeof(path), "etws-record", ".txt");
    ad_etw_recorder rec;
    assert_int_equal(ad_etw_recorder_open(&rec, path), AD_OK);
    assert_int_equal(ad_etw_session_run(&session, &set, &fake.api, &ctx, &rec), AD_OK);
    assert_int_equal(ad_etw_recorder_close(&rec), AD_OK);
    assert_int_equal(rec.lines, lines);
    assert_int_equal(rec.skipped, 1);

    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got = fread(out, 1, cap, f);
    fclose(f);
    remove(path);
    /* One comment line, then exactly the input. */
    assert_true(got > 0 && out[0] == '#');
    char *body = memchr(out, '\n', got);
    assert_non_null(body);
    body++;
    assert_int_equal((size_t)(out + got - body), len);
    assert_memory_equal(body, input, len);
    assert_int_equal(counter(AD_CAP_RECORDS_WRITTEN), lines);
    free(out);
    free(input);
}

int main(void)
{
    ad_log_init("capture", AD_LOG_INFO, AD_LOG_TEXT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_session_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_session_not_stoppable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enable_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_returns_early, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_active, setup, teardown),
        cmocka_unit_test_setup_teardown(test_independent_mode_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_query_failing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etl_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etl_stop_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etl_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_evictions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_without_start_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_server_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_turned_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_names_etl, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
