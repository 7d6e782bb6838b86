/*
 * Unit tests for the capture's source table (capture/source_table.h): one row per source.type
 * with the configuration's name, the rows this build and OS can run marked available, and for
 * the others the error the capture gives, word for word as before the table existed.
 *
 * Built twice where the dnstap source is built: once as the capture links it, once with
 * capture/source_dnstap_absent.c linked in its place (AD_TEST_DNSTAP_ABSENT), the row a build
 * without the source has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/source_table.h"
#include "common/record.h"
#include "tests/support/test_os.h"

#if defined(ASIMDNS_HAVE_DNSTAP) && !defined(AD_TEST_DNSTAP_ABSENT)
#define BUILD_HAS_DNSTAP true
#else
#define BUILD_HAS_DNSTAP false
#endif

static const char needs_windows[] =
    "needs Windows (Event Tracing for Windows); on this system use the replay, synthetic or "
    "dnstap source (a file made with --record replays anywhere)";

static bool available(ad_source type)
{
    const ad_source_desc *d = ad_source_desc_find(type);
    assert_non_null(d);
    return (d->caps & AD_SOURCE_AVAILABLE) != 0;
}

/* Every source the configuration accepts has exactly one row, under the configuration's name. */
static void test_one_row_per_source(void **state)
{
    (void)state;
    assert_int_equal(ad_source_desc_count(), AD_SOURCE__COUNT - 1);
    for (int t = AD_SOURCE_UNKNOWN + 1; t < AD_SOURCE__COUNT; t++) {
        const ad_source_desc *d = ad_source_desc_find((ad_source)t);
        assert_non_null(d);
        assert_int_equal(d->type, t);
        assert_string_equal(d->name, ad_source_name((ad_source)t));
    }
    for (size_t i = 0; i < ad_source_desc_count(); i++) {
        const ad_source_desc *a = ad_source_desc_at(i);
        assert_non_null(a);
        assert_ptr_equal(ad_source_desc_find(a->type), a);
        for (size_t j = i + 1; j < ad_source_desc_count(); j++)
            assert_string_not_equal(a->name, ad_source_desc_at(j)->name);
    }
    assert_null(ad_source_desc_at(ad_source_desc_count()));
    assert_null(ad_source_desc_find(AD_SOURCE_UNKNOWN));
    assert_null(ad_source_desc_find(AD_SOURCE__COUNT));
}

/* A row either runs (and opens before the drop only with an open function) or says why not. */
static void test_rows_are_whole(void **state)
{
    (void)state;
    for (size_t i = 0; i < ad_source_desc_count(); i++) {
        const ad_source_desc *d = ad_source_desc_at(i);
        if (d->caps & AD_SOURCE_AVAILABLE) {
            assert_non_null(d->run);
            assert_null(d->unavailable);
            if (d->caps & AD_SOURCE_OPENS_PRIVILEGED)
                assert_non_null(d->open);
            if (d->close != NULL)
                assert_non_null(d->open);
        } else {
            assert_non_null(d->unavailable);
            assert_true(d->unavailable[0] != '\0');
            assert_null(d->open);
            assert_null(d->run);
            assert_null(d->close);
        }
    }
}

/* The rows this build has: the portable sources always, ETW on Windows, dnstap with protobuf-c
   on POSIX. */
static void test_what_this_build_has(void **state)
{
    (void)state;
    assert_true(available(AD_SOURCE_SYNTHETIC));
    assert_true(available(AD_SOURCE_REPLAY));
    assert_int_equal(available(AD_SOURCE_ETW), test_os_is_windows());
    assert_int_equal(available(AD_SOURCE_ETL), test_os_is_windows());
    assert_int_equal(available(AD_SOURCE_DNSTAP), BUILD_HAS_DNSTAP);
    /* Only the dnstap socket is set up with the privileges the capture starts with. */
    for (size_t i = 0; i < ad_source_desc_count(); i++) {
        const ad_source_desc *d = ad_source_desc_at(i);
        bool privileged = d->type == AD_SOURCE_DNSTAP && BUILD_HAS_DNSTAP;
        assert_int_equal((d->caps & AD_SOURCE_OPENS_PRIVILEGED) != 0, privileged);
    }
}

/* --record applies to the ETW sources only, also where they are missing (the error for the
   missing source is the clearer one there). */
static void test_record_caps(void **state)
{
    (void)state;
    for (size_t i = 0; i < ad_source_desc_count(); i++) {
        const ad_source_desc *d = ad_source_desc_at(i);
        bool etw = d->type == AD_SOURCE_ETW || d->type == AD_SOURCE_ETL;
        assert_int_equal((d->caps & AD_SOURCE_RECORDS) != 0, etw);
    }
}

/* The capture logs "source 'NAME' " + unavailable: the same words as before the table. */
static void test_missing_source_errors(void **state)
{
    (void)state;
    if (!test_os_is_windows()) {
        assert_string_equal(ad_source_desc_find(AD_SOURCE_ETW)->unavailable, needs_windows);
        assert_string_equal(ad_source_desc_find(AD_SOURCE_ETL)->unavailable, needs_windows);
    }
    if (!BUILD_HAS_DNSTAP)
        assert_string_equal(ad_source_desc_find(AD_SOURCE_DNSTAP)->unavailable,
                            "is not available in this build");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_per_source),    cmocka_unit_test(test_rows_are_whole),
        cmocka_unit_test(test_what_this_build_has),   cmocka_unit_test(test_record_caps),
        cmocka_unit_test(test_missing_source_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
