/*
 * asimdns tests: the ring between real processes (ipc_ring_producer / ipc_ring_consumer).
 *
 *   test_ring_xproc PRODUCER CONSUMER [RECORDS]
 *
 * 1. RECORDS (default 10 million) self-checking records pass from one process to the other:
 *    the consumer verifies every sequence is exactly the next one and every payload checksum.
 * 2. The consumer is killed with SIGKILL three times; each new consumer must start exactly at
 *    the record after the committed cursor and still see every record.
 * 3. The producer is killed with SIGKILL twice; each new producer re-attaches and continues
 *    the sequence with no gap and no repeat (the consumer checks it across the restarts).
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
#include "ipc/ring_status.h"
#include "tests/ipc/ring_test_util.h"

static const char *producer_bin;
static const char *consumer_bin;
static unsigned long long total_records = 10000000ULL;

static pid_t start_producer(const char *name, unsigned long long until)
{
    char until_s[32];
    snprintf(until_s, sizeof(until_s), "%llu", until);
    char *argv[] = {(char *)producer_bin, (char *)name, "--until-seq", until_s, NULL};
    pid_t pid = rt_spawn(argv);
    assert_true(pid > 0);
    return pid;
}

static pid_t start_consumer(const char *name, unsigned long long until, unsigned long long first)
{
    char until_s[32], first_s[32];
    snprintf(until_s, sizeof(until_s), "%llu", until);
    snprintf(first_s, sizeof(first_s), "%llu", first);
    char *argv[] = {
        (char *)consumer_bin, (char *)name, "--until-seq", until_s, "--expect-first", first_s,
        "--timeout",          "90",         NULL};
    pid_t pid = rt_spawn(argv);
    assert_true(pid > 0);
    return pid;
}

static void read_status(const char *name, ad_ring_status *st)
{
    char msg[256];
    ad_err err = ad_ring_status_read(name, false, st, msg, sizeof(msg));
    if (err != AD_OK) {
        fail_msg("status %s: %s", ad_err_name(err), msg);
    }
}

/* Polls the status until field(st) >= target (the ring may not exist yet). */
static void wait_status(const char *name, bool committed, uint64_t target)
{
    uint64_t end = ad_time_mono_ns() + 60ULL * 1000000000ULL;
    ad_ring_status st;
    char msg[256];
    for (;;) {
        if (ad_ring_status_read(name, false, &st, msg, sizeof(msg)) == AD_OK) {
            uint64_t v = committed ? st.committed_seq : st.next_seq;
            if (v >= target) {
                return;
            }
        }
        if (ad_time_mono_ns() > end) {
            fail_msg("timeout waiting for %s >= %llu", committed ? "committed_seq" : "next_seq",
                     (unsigned long long)target);
        }
        ad_sleep_ns(50000);
    }
}

static void test_many_records(void **state)
{
    char name[64];
    uint64_t t0 = ad_time_mono_ns();
    pid_t prod, cons;
    ad_ring_status st;
    (void)state;

    rt_ring_name(name, sizeof(name), "many");
    prod = start_producer(name, total_records);
    cons = start_consumer(name, total_records, 1);
    assert_int_equal(rt_wait(cons, 100), 0);
    assert_int_equal(rt_wait(prod, 10), 0);
    read_status(name, &st);
    assert_int_equal(st.next_seq, total_records + 1);
    assert_int_equal(st.committed_seq, total_records);
    assert_int_equal(st.capture_counters[AD_CAP_RECORDS_WRITTEN], total_records);
    assert_int_equal(st.capture_counters[AD_CAP_DROPPED_RING_FULL], 0);
    assert_int_equal(st.exporter_counters[AD_EXP_RECORDS_READ], total_records);
    assert_int_equal(st.exporter_counters[AD_EXP_RECORDS_CORRUPT], 0);
    assert_int_equal(st.exporter_counters[AD_EXP_SEQUENCE_GAPS], 0);
    print_message("%llu records in %.2f s (%.1f M records/s incl. process start)\n", total_records,
                  (double)(ad_time_mono_ns() - t0) / 1e9,
                  (double)total_records / ((double)(ad_time_mono_ns() - t0) / 1e3));
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

static void test_consumer_killed_resumes_at_cursor(void **state)
{
    const unsigned long long n = total_records / 4;
    char name[64];
    pid_t prod, cons;
    ad_ring_status st;
    (void)state;

    rt_ring_name(name, sizeof(name), "ckill");
    prod = start_producer(name, n);
    cons = start_consumer(name, n, 1);
    for (int k = 1; k <= 3; k++) {
        wait_status(name, true, n * (uint64_t)k / 5);
        assert_int_equal(kill(cons, SIGKILL), 0);
        assert_int_equal(rt_wait(cons, 10), 128 + SIGKILL);
        read_status(name, &st);
        /* The new consumer must begin exactly after what the dead one committed. */
        cons = start_consumer(name, n, st.committed_seq + 1);
    }
    assert_int_equal(rt_wait(cons, 100), 0);
    assert_int_equal(rt_wait(prod, 10), 0);
    read_status(name, &st);
    assert_int_equal(st.committed_seq, n);
    assert_int_equal(st.exporter_attaches, 4);
    assert_int_equal(st.exporter_counters[AD_EXP_SEQUENCE_GAPS], 0);
    assert_int_equal(st.exporter_counters[AD_EXP_RECORDS_CORRUPT], 0);
    print_message("re-read after kills (duplicates_possible): %llu\n",
                  (unsigned long long)st.exporter_counters[AD_EXP_DUPLICATES_POSSIBLE]);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

static void test_producer_killed_continues_sequence(void **state)
{
    const unsigned long long n = total_records / 4;
    char name[64];
    pid_t prod, cons;
    ad_ring_status st;
    uint64_t gen;
    (void)state;

    rt_ring_name(name, sizeof(name), "pkill");
    cons = start_consumer(name, n, 1); /* checks every sequence across the restarts */
    prod = start_producer(name, n);
    wait_status(name, false, 2);
    read_status(name, &st);
    gen = st.generation;
    for (int k = 1; k <= 2; k++) {
        wait_status(name, false, n * (uint64_t)k / 3);
        assert_int_equal(kill(prod, SIGKILL), 0);
        assert_int_equal(rt_wait(prod, 10), 128 + SIGKILL);
        prod = start_producer(name, n);
    }
    assert_int_equal(rt_wait(prod, 100), 0);
    assert_int_equal(rt_wait(cons, 100), 0);
    read_status(name, &st);
    assert_int_equal(st.generation, gen);
    assert_int_equal(st.capture_attaches, 3);
    assert_int_equal(st.next_seq, n + 1);
    assert_int_equal(st.committed_seq, n);
    assert_int_equal(st.exporter_counters[AD_EXP_SEQUENCE_GAPS], 0);
    assert_int_equal(st.exporter_counters[AD_EXP_RECORDS_CORRUPT], 0);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_records),
        cmocka_unit_test(test_consumer_killed_resumes_at_cursor),
        cmocka_unit_test(test_producer_killed_continues_sequence),
    };
    if (argc < 3) {
        fprintf(stderr, "usage: %s PRODUCER CONSUMER [RECORDS]\n", argv[0]);
        return 2;
    }
    producer_bin = argv[1];
    consumer_bin = argv[2];
    if (argc > 3) {
        total_records = strtoull(argv[3], NULL, 10);
    }
    return cmocka_run_group_tests(tests, NULL, rt_cleanup_rings);
}
