/*
 * Unit tests for exporter/li_pack.h: JSON arrays of rows never exceed their limit (the Logs
 * Ingestion API refuses calls over 1 MB), fill it exactly when the rows fit to the byte, take
 * a lone row up to the hard maximum, and report a row that can never be sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exporter/li_pack.h"

static const char rows[] = "{\"a\":1}\n{\"b\":22}\n\n{\"c\":333}\n";
static char out[256];

static size_t pack(size_t off, size_t limit, size_t hard, size_t *end, uint32_t *n)
{
    return ad_li_pack((const uint8_t *)rows, strlen(rows), off, limit, hard, out, end, n);
}

static void test_exact_fit(void **state)
{
    (void)state;
    size_t end;
    uint32_t n;
    /* "[{"a":1},{"b":22}]" is 18 bytes: a limit of 18 takes both rows, 17 only the first. */
    size_t len = pack(0, 18, 100, &end, &n);
    assert_int_equal(n, 2);
    assert_int_equal(len, 18);
    assert_memory_equal(out, "[{\"a\":1},{\"b\":22}]", 18);
    len = pack(0, 17, 100, &end, &n);
    assert_int_equal(n, 1);
    assert_int_equal(len, 9);
    assert_int_equal(end, 8); /* after the first newline */
}

static void test_never_over_limit(void **state)
{
    (void)state;
    for (size_t limit = 9; limit < 40; limit++) {
        size_t off = 0, end, len;
        uint32_t n, total = 0;
        while ((len = pack(off, limit, limit, &end, &n)) > 0) {
            assert_true(len <= limit);
            assert_int_equal(out[0], '[');
            assert_int_equal(out[len - 1], ']');
            total += n;
            off = end;
        }
        if (limit >= 11) /* "[{"c":333}]" */
            assert_int_equal(total, 3);
    }
}

static void test_lone_row_and_too_large(void **state)
{
    (void)state;
    size_t end;
    uint32_t n;
    /* A lowered limit still lets one row go when it fits the hard maximum. */
    size_t len = pack(0, 2, 100, &end, &n);
    assert_int_equal(n, 1);
    assert_int_equal(len, 9);
    /* A row over the hard maximum is not taken; end points at it. */
    assert_int_equal(pack(0, 8, 8, &end, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(end, 0);
    /* Only empty lines left. */
    assert_int_equal(ad_li_pack((const uint8_t *)"\n\n", 2, 0, 100, 100, out, &end, &n), 0);
    assert_int_equal(end, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_fit),
        cmocka_unit_test(test_never_over_limit),
        cmocka_unit_test(test_lone_row_and_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
