/*
 * Unit tests for ASimDnsActivityLogs rows (exporter/asim_rows.h). Column names and types are
 * written by hand from Microsoft's table reference (docs/SENTINEL.md §5): int columns carry
 * JSON numbers, bool columns true/false, string columns text (also for a number), datetime
 * ISO 8601 text; TimeGenerated is the event time; the record id is EventOriginalUid; values
 * over 64 KB are cut at a UTF-8 boundary and named in AdditionalFields.asimdns_truncated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "exporter/asim.h"
#include "exporter/asim_rows.h"

static ad_asim a;
static char buf[256 * 1024];

static void add(const char *key, ad_attr_kind kind, const char *str, int64_t num)
{
    ad_attr *at = &a.attrs[a.nattrs++];
    at->key = key;
    at->kind = kind;
    at->str = str;
    at->len = str ? strlen(str) : 0;
    at->num = num;
}

static const char *write_row(size_t field_max, unsigned *cut)
{
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    *cut = ad_asim_row_write(&a, field_max, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    return buf;
}

static void expect_in(const char *row, const char *part)
{
    if (strstr(row, part) == NULL)
        fail_msg("row lacks %s: %s", part, row);
}

static void test_types(void **state)
{
    (void)state;
    memset(&a, 0, sizeof(a));
    a.time_ns = 1732528800123456700ULL; /* 2024-11-25T10:00:00.1234567Z */
    add("EventStartTime", AD_ATTR_STR, "2024-11-25T10:00:00.123456700Z", 0);
    add("EventOriginalType", AD_ATTR_STR, "256", 0);
    add("DnsQueryType", AD_ATTR_INT, NULL, 28);
    add("DnsFlagsRecursionDesired", AD_ATTR_BOOL, NULL, 1);
    add("SrcProcessId", AD_ATTR_INT, NULL, 4242); /* a string column */
    add("EventSchema", AD_ATTR_STR, "Dns", 0);    /* no such column */
    add("asimdns.record_id", AD_ATTR_STR, "00000000000000ab-7", 0);
    add("DnsFlagsZ", AD_ATTR_STR, "yes", 0); /* text for a bool column */
    unsigned cut;
    const char *row = write_row(0, &cut);
    assert_int_equal(cut, 0);
    expect_in(row, "{\"TimeGenerated\":\"2024-11-25T10:00:00.123456700Z\",");
    expect_in(row, "\"EventStartTime\":\"2024-11-25T10:00:00.123456700Z\"");
    expect_in(row, "\"EventOriginalType\":\"256\"");
    expect_in(row, "\"DnsQueryType\":28");
    expect_in(row, "\"DnsFlagsRecursionDesired\":true");
    expect_in(row, "\"SrcProcessId\":\"4242\"");
    expect_in(row, "\"EventOriginalUid\":\"00000000000000ab-7\"");
    expect_in(row, "\"AdditionalFields\":{\"EventSchema\":\"Dns\",\"DnsFlagsZ\":\"yes\"}");
    assert_null(strstr(row, "asimdns.record_id"));
    assert_int_equal(row[strlen(row) - 1], '}');
}

static void test_cut_at_64k(void **state)
{
    (void)state;
    size_t big = AD_ASIM_ROW_FIELD_MAX + 1000;
    char *s = malloc(big + 1);
    assert_non_null(s);
    memset(s, 'x', big);
    s[big] = '\0';
    memset(&a, 0, sizeof(a));
    add("DnsResponseName", AD_ATTR_STR, s, 0);
    add("DnsQuery", AD_ATTR_STR, "short.example", 0);
    unsigned cut;
    const char *row = write_row(0, &cut);
    assert_int_equal(cut, 1);
    const char *v = strstr(row, "\"DnsResponseName\":\"");
    assert_non_null(v);
    v += strlen("\"DnsResponseName\":\"");
    size_t n = strspn(v, "x");
    assert_int_equal(n, AD_ASIM_ROW_FIELD_MAX);
    expect_in(row, "\"AdditionalFields\":{\"asimdns_truncated\":[\"DnsResponseName\"]}");
    free(s);
}

static void test_cut_keeps_utf8_whole(void **state)
{
    (void)state;
    memset(&a, 0, sizeof(a));
    add("DnsQuery", AD_ATTR_STR, "abcd\xc3\xa9z", 0); /* "abcdéz": é is 2 bytes at 4..5 */
    unsigned cut;
    const char *row = write_row(5, &cut);
    assert_int_equal(cut, 1);
    expect_in(row, "\"DnsQuery\":\"abcd\"");
    row = write_row(6, &cut);
    expect_in(row, "\"DnsQuery\":\"abcd\xc3\xa9\"");
}

static void test_columns_sorted_and_found(void **state)
{
    (void)state;
    size_t n;
    const ad_column *c = ad_asim_row_columns(&n);
    assert_true(n > 100);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(c[i - 1].name, c[i].name) >= 0)
            fail_msg("columns out of order at %s", c[i].name);
    }
    for (size_t i = 0; i < n; i++)
        assert_ptr_equal(ad_asim_row_column(c[i].name), &c[i]);
    /* Spot checks against the table reference. */
    assert_int_equal(ad_asim_row_column("DnsNetworkDuration")->type, AD_COL_INT);
    assert_int_equal(ad_asim_row_column("DnsFlagsZ")->type, AD_COL_BOOL);
    assert_int_equal(ad_asim_row_column("SrcProcessId")->type, AD_COL_STRING);
    assert_int_equal(ad_asim_row_column("EventEndTime")->type, AD_COL_DATETIME);
    assert_int_equal(ad_asim_row_column("DstGeoLatitude")->type, AD_COL_REAL);
    assert_null(ad_asim_row_column("TenantId"));
    assert_null(ad_asim_row_column("EventSchema"));
    assert_string_equal(ad_column_type_name(AD_COL_BOOL), "boolean");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_cut_at_64k),
        cmocka_unit_test(test_cut_keeps_utf8_whole),
        cmocka_unit_test(test_columns_sorted_and_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
