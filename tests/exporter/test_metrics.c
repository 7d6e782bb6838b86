/*
 * asimdns tests (unit): the metrics rendering (exporter/metrics.c) on a hand-built ring
 * snapshot: family grouping, HELP/TYPE once, labels and escaping, counters named *_total,
 * every ring counter present, the histogram cumulative with +Inf = _count; readiness and
 * liveness rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/metrics.h"

#define SEC 1000000000ULL
#define NOW (1800000000ULL * SEC)

static ad_ring_status st;
static ad_metrics m;
static char out[256 * 1024];

static void snapshot(void)
{
    memset(&st, 0, sizeof(st));
    snprintf(st.name, sizeof(st.name), "unit");
    st.taken_ns = NOW;
    st.capacity = 1 << 20;
    st.generation = 42;
    st.capture_pid = 10;
    st.capture_alive = true;
    st.capture_heartbeat_ns = NOW - SEC / 2;
    st.capture_heartbeat_interval_ns = SEC;
    st.cursor_ok = true;
    st.cursor_valid = true;
    st.used_bytes = 4096;
    st.exporter_pid = 11;
    st.exporter_alive = true;
    st.exporter_heartbeat_ns = NOW - SEC / 10;
    st.exporter_heartbeat_interval_ns = SEC;
    st.last_ok_ns = NOW - SEC;
    for (unsigned i = 0; i < AD_CAP__COUNT; i++)
        st.capture_counters[i] = 1000 + i;
    for (unsigned i = 0; i < AD_EXP__COUNT; i++)
        st.exporter_counters[i] = 2000 + i;
    st.decode_errors[0] = (ad_ring_decode_count){.event_id = 256, .version = 0, .count = 7};
    st.decode_errors[1] = (ad_ring_decode_count){.other = true, .count = 3};
    st.decode_error_count = 2;
    ad_metrics_init(&m);
    ad_metrics_set_attached(&m, true, 42);
}

static const char *render(const ad_ring_status *ring, const char *ring_name)
{
    ad_procstat self = {.rss_bytes = 123456789, .cpu_seconds = 1.5};
    ad_metrics_view v = {.ring = ring,
                         .ring_name = ring_name,
                         .m = &m,
                         .self = &self,
                         .peer = NULL,
                         .version = "9.9.9"};
    ad_strbuf sb;
    ad_strbuf_init(&sb, out, sizeof(out));
    ad_metrics_render(&v, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    return out;
}

/* True when text holds line as a whole line. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = strstr(text, line); p != NULL; p = strstr(p + 1, line)) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    }
    return false;
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_counters_and_families(void **state)
{
    (void)state;
    snapshot();
    const char *t = render(&st, "unit");
    assert_true(has_line(t, "asimdns_events_in_total{component=\"capture\"} 1000"));
    assert_true(has_line(t, "asimdns_records_written_total{component=\"capture\"} 1001"));
    assert_true(has_line(
        t, "asimdns_records_dropped_total{component=\"capture\",reason=\"ring_full\"} 1002"));
    assert_true(has_line(
        t, "asimdns_records_dropped_total{component=\"capture\",reason=\"too_large\"} 1003"));
    assert_true(has_line(t, "asimdns_etw_events_lost_total{component=\"capture\"} 1006"));
    assert_true(has_line(t, "asimdns_etw_realtime_buffers_lost_total{component=\"capture\"} 1007"));
    assert_true(has_line(t, "asimdns_decode_errors_by_event_total{component=\"capture\","
                            "event_id=\"256\",version=\"0\"} 7"));
    assert_true(has_line(t, "asimdns_decode_errors_by_event_total{component=\"capture\","
                            "event_id=\"other\",version=\"\"} 3"));
    assert_true(has_line(t, "asimdns_records_exported_total{component=\"exporter\"} 2001"));
    assert_true(has_line(t, "asimdns_batches_total{component=\"exporter\",result=\"ok\"} 2003"));
    assert_true(
        has_line(t, "asimdns_batches_total{component=\"exporter\",result=\"failed\"} 2004"));
    assert_true(has_line(t, "asimdns_batch_retries_total{component=\"exporter\"} 2005"));
    assert_true(has_line(t, "asimdns_records_rejected_total{component=\"exporter\"} 2006"));
    assert_true(has_line(t, "asimdns_sequence_gaps_total{component=\"exporter\"} 2009"));
    assert_true(has_line(t, "asimdns_ring_used_bytes{component=\"capture\"} 4096"));
    assert_true(has_line(t, "asimdns_up{component=\"capture\"} 1"));
    assert_true(has_line(t, "asimdns_health{component=\"exporter\"} 0"));
    assert_true(has_line(t, "asimdns_process_resident_memory_bytes{component=\"exporter\"} "
                            "123456789.000"));
    assert_true(has_line(t, "asimdns_process_cpu_seconds_total{component=\"exporter\"} 1.5"));
    assert_true(has_line(t, "asimdns_build_info{component=\"exporter\",version=\"9.9.9\"} 1"));
    /* Every counter slot of both sides appears (by its status name when not renamed). */
    for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
        char v[32];
        snprintf(v, sizeof(v), "} %u\n", 1000 + i);
        assert_non_null(strstr(t, v));
    }
    for (unsigned i = 0; i < AD_EXP__COUNT; i++) {
        char v[32];
        snprintf(v, sizeof(v), "} %u\n", 2000 + i);
        assert_non_null(strstr(t, v));
    }
    /* One HELP and one TYPE per family, even for families with several samples. */
    assert_int_equal(count_of(t, "# TYPE asimdns_records_dropped_total counter\n"), 1);
    assert_int_equal(count_of(t, "# HELP asimdns_batches_total "), 1);
    assert_int_equal(count_of(t, "# TYPE asimdns_up gauge\n"), 1);
    /* Each family contiguous: after its TYPE line, no other family starts before its
       samples end; checked by walking the lines. */
    char seen[128][96];
    size_t nseen = 0;
    char cur[96] = "";
    for (const char *p = t; *p != '\0';) {
        const char *e = strchr(p, '\n');
        assert_non_null(e);
        if (*p != '#') {
            char fam[96];
            size_t k = 0;
            while (p + k < e && p[k] != '{' && p[k] != ' ' && k + 1 < sizeof(fam)) {
                fam[k] = p[k];
                k++;
            }
            fam[k] = '\0';
            /* histogram samples belong to their base family */
            char *suf = strstr(fam, "_seconds_");
            if (suf != NULL)
                suf[8] = '\0';
            if (strcmp(fam, cur) != 0) {
                for (size_t i = 0; i < nseen; i++)
                    assert_string_not_equal(seen[i], fam);
                assert_true(nseen < 128);
                snprintf(seen[nseen++], sizeof(seen[0]), "%s", fam);
                snprintf(cur, sizeof(cur), "%s", fam);
            }
            /* counters end in _total, every sample has a component */
            assert_non_null(strstr(p, "component=\""));
        } else if (strncmp(p, "# TYPE ", 7) == 0 && strstr(p, " counter\n") == e - 8) {
            assert_memory_equal(e - 14, "_total", 6);
        }
        p = e + 1;
    }
}

static void test_histogram(void **state)
{
    (void)state;
    snapshot();
    ad_metrics_observe_latency(&m, 500000);          /* 0.5 ms: first bucket */
    ad_metrics_observe_latency(&m, 1000000);         /* 1 ms: on the bound, still first */
    ad_metrics_observe_latency(&m, 30 * 1000000ULL); /* 30 ms: le 0.05 */
    ad_metrics_observe_latency(&m, 120 * SEC);       /* beyond the last bound: +Inf */
    const char *t = render(&st, "unit");
    assert_true(has_line(t, "# TYPE asimdns_delivery_latency_seconds histogram"));
    assert_true(has_line(
        t, "asimdns_delivery_latency_seconds_bucket{component=\"exporter\",le=\"0.001\"} 2"));
    assert_true(has_line(
        t, "asimdns_delivery_latency_seconds_bucket{component=\"exporter\",le=\"0.025\"} 2"));
    assert_true(has_line(
        t, "asimdns_delivery_latency_seconds_bucket{component=\"exporter\",le=\"0.05\"} 3"));
    assert_true(
        has_line(t, "asimdns_delivery_latency_seconds_bucket{component=\"exporter\",le=\"60\"} 3"));
    assert_true(has_line(
        t, "asimdns_delivery_latency_seconds_bucket{component=\"exporter\",le=\"+Inf\"} 4"));
    assert_true(has_line(t, "asimdns_delivery_latency_seconds_count{component=\"exporter\"} 4"));
    assert_true(
        has_line(t, "asimdns_delivery_latency_seconds_sum{component=\"exporter\"} 120.0315"));
}

static void test_ring_missing_and_escaping(void **state)
{
    (void)state;
    snapshot();
    const char *t = render(NULL, "we\"ird\\name\n");
    assert_true(has_line(t, "asimdns_ring_readable{component=\"exporter\",ring=\"we\\\"ird\\\\name"
                            "\\n\"} 0"));
    assert_null(strstr(t, "asimdns_events_in_total"));
    assert_non_null(strstr(t, "asimdns_delivery_latency_seconds_count"));
    assert_non_null(strstr(t, "asimdns_process_resident_memory_bytes"));
    /* No cursor: capture's side only. */
    snapshot();
    st.cursor_ok = false;
    t = render(&st, "unit");
    assert_non_null(strstr(t, "asimdns_events_in_total"));
    assert_null(strstr(t, "asimdns_records_exported_total"));
    assert_null(strstr(t, "asimdns_up{component=\"exporter\"}"));
}

static void test_ready_and_alive(void **state)
{
    char why[256];
    (void)state;
    snapshot();
    assert_true(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    assert_false(ad_metrics_ready(&m, NULL, NOW, 5 * SEC, why, sizeof(why)));
    assert_non_null(strstr(why, "cannot be read"));
    /* Deliveries failing: ready within the retry window, not after it. */
    ad_metrics_delivery(&m, false, NOW - 2 * SEC);
    ad_metrics_delivery(&m, false, NOW - 1 * SEC); /* keeps the first failure's time */
    assert_true(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    assert_false(ad_metrics_ready(&m, &st, NOW + 3 * SEC, 5 * SEC, why, sizeof(why)));
    assert_non_null(strstr(why, "deliveries failing for 5.0 s"));
    ad_metrics_delivery(&m, true, NOW);
    assert_true(ad_metrics_ready(&m, &st, NOW + 3 * SEC, 5 * SEC, why, sizeof(why)));
    /* Capture stale or gone. */
    st.capture_heartbeat_ns = NOW - 4 * SEC;
    assert_false(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    assert_non_null(strstr(why, "capture heartbeat"));
    snapshot();
    st.capture_pid = 0;
    assert_false(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    assert_non_null(strstr(why, "capture is not running"));
    /* Not attached, or attached to another generation. */
    snapshot();
    ad_metrics_set_attached(&m, false, 0);
    assert_false(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    ad_metrics_set_attached(&m, true, 41);
    assert_false(ad_metrics_ready(&m, &st, NOW, 5 * SEC, why, sizeof(why)));
    assert_non_null(strstr(why, "recreated"));
    /* Liveness. */
    ad_metrics_beat(&m, 100 * SEC);
    assert_true(ad_metrics_alive(&m, 110 * SEC, 30 * SEC));
    assert_false(ad_metrics_alive(&m, 131 * SEC, 30 * SEC));
}

/* One sample per filter rule, a rule that never matched shown at 0, HELP/TYPE once. */
static void test_filter_rule_counters(void **state)
{
    (void)state;
    snapshot();
    static ad_config_filters f;
    memset(&f, 0, sizeof(f));
    snprintf(f.rules[0].name, sizeof(f.rules[0].name), "no-ptr");
    snprintf(f.rules[1].name, sizeof(f.rules[1].name), "never");
    snprintf(f.rules[2].name, sizeof(f.rules[2].name), "keep-corp");
    f.rules[2].keep = true;
    f.rule_count = 3;
    m.filters = &f;
    ad_atomic_add_relaxed(&m.filter_hits[0], 5);
    ad_atomic_add_relaxed(&m.filter_hits[2], 2);
    const char *t = render(&st, "unit");
    assert_true(has_line(t, "asimdns_filter_rule_matches_total{component=\"exporter\",rule="
                            "\"no-ptr\",action=\"drop\"} 5"));
    assert_true(has_line(t, "asimdns_filter_rule_matches_total{component=\"exporter\",rule="
                            "\"never\",action=\"drop\"} 0"));
    assert_true(has_line(t, "asimdns_filter_rule_matches_total{component=\"exporter\",rule="
                            "\"keep-corp\",action=\"keep\"} 2"));
    assert_int_equal(count_of(t, "# TYPE asimdns_filter_rule_matches_total counter\n"), 1);
    m.filters = NULL;
    t = render(&st, "unit");
    assert_null(strstr(t, "asimdns_filter_rule_matches_total"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_rule_counters),
        cmocka_unit_test(test_counters_and_families),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_ring_missing_and_escaping),
        cmocka_unit_test(test_ready_and_alive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
