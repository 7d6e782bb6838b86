/*
 * The producer maps every page of the record area when it opens a ring (created or
 * re-attached), so streaming records through a fresh ring costs no page fault per page: the
 * first pass over the area runs as cheaply as every later one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/resource.h>

#include "tests/ipc/ring_test_util.h"

#define CAPACITY (16u << 20)
#define PAGES (CAPACITY / 4096u)
#define RECORD 1000u

static long minor_faults(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_minflt;
}

/* Writes records until about bytes of the area are used; returns the page faults it took. */
static long write_records(ad_ring_producer *p, uint64_t bytes)
{
    static uint8_t payload[RECORD];
    uint64_t seq, start = ad_ring_producer_position(p);
    long before = minor_faults();
    while (ad_ring_producer_position(p) - start < bytes)
        assert_int_equal(ad_ring_producer_write(p, payload, sizeof(payload), &seq), AD_OK);
    return minor_faults() - before;
}

static void test_first_pass_without_page_faults(void **state)
{
    (void)state;
    char name[64], msg[256] = "";
    rt_ring_name(name, sizeof(name), "prefault");
    ad_ring_config rc;
    ad_ring_config_init(&rc, name);
    rc.capacity = CAPACITY;
    ad_ring_producer *p;
    assert_int_equal(ad_ring_producer_open(&rc, &p, msg, sizeof(msg)), AD_OK);
    long created = write_records(p, CAPACITY / 2); /* half the pages, first touched here */
    ad_ring_producer_close(p);
    /* A new process's mapping of the same object (re-attach): its pages are new to it. */
    assert_int_equal(ad_ring_producer_open(&rc, &p, msg, sizeof(msg)), AD_OK);
    long attached = write_records(p, CAPACITY / 2 - 2 * RECORD);
    ad_ring_producer_close(p);
    print_message("page faults over %u pages: %ld after create, %ld after re-attach\n", PAGES / 2,
                  created, attached);
    assert_true(created < 64);
    assert_true(attached < 64);
    (void)ad_ring_unlink(name, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_pass_without_page_faults),
    };
    return cmocka_run_group_tests(tests, NULL, rt_cleanup_rings);
}
