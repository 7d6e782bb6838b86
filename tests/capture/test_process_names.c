/*
 * Unit tests for capture/process_names (the SrcProcessName cache) over a fake process lookup:
 * a hit costs no lookup, a gone process is a miss (and stays one for its start key), a reused
 * process id with another start key is looked up afresh, the bound evicts the least recently
 * used entry, events without a start key are never cached; and, through
 * ad_capture_etw_event_named into a real ring, only events logged in the requester's process
 * (DNS Client 3006, 3008) are looked up, the name lands in the record and every outcome in its
 * ring counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/emit.h"
#include "capture/process_names.h"
#include "etw_test_util.h"
#include "etw_vector_builder.h"
#include "ipc/ring.h"
#include "tests/support/test_os.h"

#define T0 1732528800000000000ull

/* ---- the fake lookup ---------------------------------------------------------------------- */

#define FAKE_PROCS 8

typedef struct fake_proc {
    uint32_t pid;
    const char *path; /* NULL: exists but unreadable */
} fake_proc;

typedef struct fake_lookup {
    ad_process_lookup api;
    fake_proc procs[FAKE_PROCS]; /* the "running" processes; pid 0 = free row */
    unsigned calls;
    uint32_t last_pid;
    uint64_t last_event_ns;
} fake_lookup;

static ad_process_lookup_result fake_image_path(void *impl, uint32_t pid, uint64_t event_ns,
                                                char *out, size_t cap, size_t *len)
{
    fake_lookup *f = impl;
    f->calls++;
    f->last_pid = pid;
    f->last_event_ns = event_ns;
    *len = 0;
    for (size_t i = 0; i < FAKE_PROCS; i++) {
        if (f->procs[i].pid != pid || pid == 0)
            continue;
        if (f->procs[i].path == NULL)
            return AD_PLOOKUP_FAILED;
        size_t n = strlen(f->procs[i].path);
        assert_true(n <= cap);
        memcpy(out, f->procs[i].path, n);
        *len = n;
        return AD_PLOOKUP_FOUND;
    }
    return AD_PLOOKUP_GONE;
}

static void fake_init(fake_lookup *f)
{
    memset(f, 0, sizeof(*f));
    f->api.impl = f;
    f->api.image_path = fake_image_path;
}

static void fake_run(fake_lookup *f, uint32_t pid, const char *path)
{
    for (size_t i = 0; i < FAKE_PROCS; i++) {
        if (f->procs[i].pid == pid || f->procs[i].pid == 0) {
            f->procs[i].pid = pid;
            f->procs[i].path = path;
            return;
        }
    }
    fail();
}

static void fake_exit(fake_lookup *f, uint32_t pid)
{
    for (size_t i = 0; i < FAKE_PROCS; i++) {
        if (f->procs[i].pid == pid)
            f->procs[i].pid = 0;
    }
}

static void assert_name(const ad_bytes *b, const char *expect)
{
    assert_int_equal(b->len, strlen(expect));
    assert_memory_equal(b->ptr, expect, b->len);
}

/* ---- the cache ---------------------------------------------------------------------------- */

static void test_hit_miss_and_reuse(void **state)
{
    (void)state;
    fake_lookup f;
    fake_init(&f);
    fake_run(&f, 4120, "C:\\Program Files\\curl\\curl.exe");
    ad_process_names *n = ad_process_names_new(16, &f.api);
    assert_non_null(n);
    ad_bytes name;

    /* First sight: one lookup, with the event's time for the reuse check. */
    assert_int_equal(ad_process_names_resolve(n, 4120, 0x1001, T0, &name), AD_PNAME_LOOKUP);
    assert_name(&name, "C:\\Program Files\\curl\\curl.exe");
    assert_int_equal(f.calls, 1);
    assert_true(f.last_event_ns == T0);
    /* Again (the 3008 of the same query): from the cache, even after the process exited. */
    fake_exit(&f, 4120);
    assert_int_equal(ad_process_names_resolve(n, 4120, 0x1001, T0 + 1, &name), AD_PNAME_HIT);
    assert_name(&name, "C:\\Program Files\\curl\\curl.exe");
    assert_int_equal(f.calls, 1);

    /* The id reused by another program: another start key, a fresh lookup, the new name. */
    fake_run(&f, 4120, "C:\\Windows\\System32\\ping.exe");
    assert_int_equal(ad_process_names_resolve(n, 4120, 0x2002, T0 + 2, &name), AD_PNAME_LOOKUP);
    assert_name(&name, "C:\\Windows\\System32\\ping.exe");
    assert_int_equal(f.calls, 2);
    /* ... and the old process keeps its own name. */
    assert_int_equal(ad_process_names_resolve(n, 4120, 0x1001, T0 + 3, &name), AD_PNAME_HIT);
    assert_name(&name, "C:\\Program Files\\curl\\curl.exe");

    /* A process gone before its first event was seen: a miss, remembered for its key. */
    assert_int_equal(ad_process_names_resolve(n, 777, 0x3003, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_GONE);
    assert_int_equal(name.len, 0);
    assert_int_equal(ad_process_names_resolve(n, 777, 0x3003, T0, &name), AD_PNAME_HIT);
    assert_int_equal(name.len, 0);
    assert_int_equal(f.calls, 3);
    /* An unreadable process: a failure, not a miss. */
    fake_run(&f, 8, NULL);
    assert_int_equal(ad_process_names_resolve(n, 8, 0x4004, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_FAILED);
    assert_int_equal(name.len, 0);
    assert_int_equal(ad_process_names_count(n), 4);
    ad_process_names_free(n);
}

/* Without a start key the id alone could name an earlier process: looked up every time. */
static void test_no_start_key_not_cached(void **state)
{
    (void)state;
    fake_lookup f;
    fake_init(&f);
    fake_run(&f, 50, "C:\\a.exe");
    ad_process_names *n = ad_process_names_new(4, &f.api);
    assert_non_null(n);
    ad_bytes name;
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(ad_process_names_resolve(n, 50, 0, T0, &name), AD_PNAME_LOOKUP);
        assert_name(&name, "C:\\a.exe");
        assert_int_equal(f.calls, i);
    }
    fake_run(&f, 50, "C:\\b.exe");
    assert_int_equal(ad_process_names_resolve(n, 50, 0, T0, &name), AD_PNAME_LOOKUP);
    assert_name(&name, "C:\\b.exe");
    fake_exit(&f, 50);
    assert_int_equal(ad_process_names_resolve(n, 50, 0, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_GONE);
    assert_int_equal(ad_process_names_count(n), 0);
    ad_process_names_free(n);
}

/* At the bound the least recently used entry goes (an eviction); the others stay. */
static void test_eviction_at_bound(void **state)
{
    (void)state;
    fake_lookup f;
    fake_init(&f);
    static const char *const paths[5] = {"C:\\p0.exe", "C:\\p1.exe", "C:\\p2.exe", "C:\\p3.exe",
                                         "C:\\p4.exe"};
    for (uint32_t p = 0; p < 5; p++)
        fake_run(&f, 100 + p, paths[p]);
    ad_process_names *n = ad_process_names_new(4, &f.api);
    assert_non_null(n);
    ad_bytes name;
    for (uint32_t p = 0; p < 4; p++)
        assert_int_equal(ad_process_names_resolve(n, 100 + p, 1 + p, T0, &name), AD_PNAME_LOOKUP);
    assert_int_equal(ad_process_names_count(n), 4);
    /* p0 used again: now p1 is the least recently used. */
    assert_int_equal(ad_process_names_resolve(n, 100, 1, T0, &name), AD_PNAME_HIT);
    assert_int_equal(ad_process_names_resolve(n, 104, 5, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_EVICTED);
    assert_name(&name, "C:\\p4.exe");
    assert_int_equal(ad_process_names_count(n), 4);
    unsigned calls = f.calls;
    assert_int_equal(ad_process_names_resolve(n, 100, 1, T0, &name), AD_PNAME_HIT);
    assert_name(&name, "C:\\p0.exe");
    assert_int_equal(ad_process_names_resolve(n, 102, 3, T0, &name), AD_PNAME_HIT);
    assert_int_equal(ad_process_names_resolve(n, 103, 4, T0, &name), AD_PNAME_HIT);
    assert_int_equal(f.calls, calls);
    /* p1 was the one pushed out: asked again, pushing out the next least recent (p4). */
    assert_int_equal(ad_process_names_resolve(n, 101, 2, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_EVICTED);
    assert_name(&name, "C:\\p1.exe");
    assert_int_equal(ad_process_names_resolve(n, 104, 5, T0, &name),
                     AD_PNAME_LOOKUP | AD_PNAME_EVICTED);
    /* Many more processes than entries: the chains stay consistent (every name right). */
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t p = 0; p < 5; p++) {
            (void)ad_process_names_resolve(n, 100 + p, 1 + p, T0, &name);
            assert_name(&name, paths[p]);
        }
    }
    assert_int_equal(ad_process_names_count(n), 4);
    ad_process_names_free(n);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    fake_lookup f;
    fake_init(&f);
    assert_null(ad_process_names_new(0, &f.api));
    assert_null(ad_process_names_new(AD_PROCESS_NAMES_MAX_CAPACITY + 1, &f.api));
    assert_null(ad_process_names_new(4, NULL));
    ad_process_lookup empty = {0};
    assert_null(ad_process_names_new(4, &empty));
    ad_process_names_free(NULL);
}

/* ---- through the capture's event path ----------------------------------------------------- */

static ad_decode_scratch scratch;
static ad_vb vb;

static ad_err feed(ad_ring_producer *ring, ad_process_names *names, uint16_t id, uint32_t pid,
                   uint64_t start_key)
{
    ad_etw_event_in in;
    etw_test_client_input(&vb, id, "login.contoso.com", pid, T0, AD_SOURCE_ETW, &in);
    return ad_capture_etw_event_named(ring, &in, &scratch, names, start_key);
}

static void test_capture_path_and_counters(void **state)
{
    (void)state;
    char ring_name[64];
    snprintf(ring_name, sizeof(ring_name), "t-pnames-%ld", test_os_pid());
    ad_ring_producer *ring;
    ad_ring_consumer *cons;
    etw_test_ring_open(ring_name, 1u << 20, &ring, &cons);

    fake_lookup f;
    fake_init(&f);
    fake_run(&f, 4120, "C:\\Windows\\System32\\curl.exe");
    fake_run(&f, 1500, "C:\\Windows\\System32\\svchost.exe");
    ad_process_names *n = ad_process_names_new(1, &f.api);
    assert_non_null(n);

    /* 3006 and 3008 of one process: one lookup, one hit. 3020 (Dnscache's svchost) and the
       other client events: never looked up, whatever their process. */
    assert_int_equal(feed(ring, n, 3006, 4120, 0x77), AD_OK);
    assert_int_equal(feed(ring, n, 3020, 1500, 0x99), AD_OK);
    assert_int_equal(feed(ring, n, 3009, 1500, 0x99), AD_OK);
    assert_int_equal(feed(ring, n, 3008, 4120, 0x77), AD_OK);
    assert_int_equal(f.calls, 1);
    /* A gone process, and (cache of one) the eviction it causes. */
    assert_int_equal(feed(ring, n, 3008, 999, 0x55), AD_OK);
    /* Without a cache: no lookup at all (replay, .etl files). */
    assert_int_equal(feed(ring, NULL, 3006, 4120, 0x77), AD_OK);
    assert_int_equal(f.calls, 2);

    static const char *const expect[6] = {"C:\\Windows\\System32\\curl.exe", "", "",
                                          "C:\\Windows\\System32\\curl.exe", "", ""};
    ad_ring_view v[8];
    size_t got = 0;
    assert_int_equal(ad_ring_consumer_peek(cons, v, 8, &got), AD_OK);
    assert_int_equal(got, 6);
    for (size_t i = 0; i < got; i++) {
        ad_event ev;
        assert_int_equal(ad_record_decode(v[i].data, v[i].len, &ev), AD_OK);
        assert_int_equal(ev.str[AD_STR_PROCESS].len, strlen(expect[i]));
        assert_memory_equal(ev.str[AD_STR_PROCESS].ptr, expect[i], strlen(expect[i]));
    }
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_PROCESS_LOOKUPS), 2);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_PROCESS_CACHE_HITS), 1);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_PROCESS_LOOKUP_MISSES), 1);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_PROCESS_LOOKUP_FAILURES), 0);
    assert_int_equal(ad_ring_producer_counter_get(ring, AD_CAP_PROCESS_CACHE_EVICTIONS), 1);
    assert_string_equal(ad_capture_counter_name(AD_CAP_PROCESS_LOOKUPS), "process_lookups");
    assert_string_equal(ad_capture_counter_name(AD_CAP_PROCESS_CACHE_HITS), "process_cache_hits");
    assert_string_equal(ad_capture_counter_name(AD_CAP_PROCESS_LOOKUP_MISSES),
                        "process_lookup_misses");
    assert_string_equal(ad_capture_counter_name(AD_CAP_PROCESS_LOOKUP_FAILURES),
                        "process_lookup_failures");
    assert_string_equal(ad_capture_counter_name(AD_CAP_PROCESS_CACHE_EVICTIONS),
                        "process_cache_evictions");

    ad_process_names_free(n);
    etw_test_ring_close(ring_name, ring, cons);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_miss_and_reuse),
        cmocka_unit_test(test_no_start_key_not_cached),
        cmocka_unit_test(test_eviction_at_bound),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_capture_path_and_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
