/*
 * asimdns: unit tests for common/strbuf.h (bounded builder, JSON escaping) and common/utf.h
 * (UTF-8 validation, UTF-16LE -> UTF-8). Expected bytes are written out by hand from the
 * Unicode encoding rules (e.g. U+20AC = E2 82 AC, U+1F600 = D83D DE00 = F0 9F 98 80).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "common/utf.h"

#define FFFD "\xEF\xBF\xBD"

/* ---- ad_strbuf ---- */

static void test_strbuf_basic(void **state)
{
    char buf[32];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    assert_string_equal(sb.data, "");
    assert_int_equal(sb.len, 0);
    ad_strbuf_puts(&sb, "abc");
    ad_strbuf_putc(&sb, '-');
    ad_strbuf_append(&sb, "xyz123", 3);
    ad_strbuf_printf(&sb, "[%d:%s]", 42, "q");
    assert_string_equal(buf, "abc-xyz[42:q]");
    assert_int_equal(sb.len, 13);
    assert_false(ad_strbuf_overflowed(&sb));
    ad_strbuf_reset(&sb);
    assert_string_equal(buf, "");
    assert_int_equal(sb.len, 0);
}

/* An append that does not fit is dropped whole, and everything after it too. */
static void test_strbuf_overflow(void **state)
{
    char buf[4];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_append(&sb, "abc", 3); /* exactly fills: 3 bytes + NUL */
    assert_false(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "abc");
    ad_strbuf_putc(&sb, 'd');
    assert_true(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "abc");
    assert_int_equal(sb.len, 3);
    ad_strbuf_append(&sb, "", 0); /* ignored once overflowed */
    assert_true(ad_strbuf_overflowed(&sb));

    ad_strbuf_reset(&sb);
    assert_false(ad_strbuf_overflowed(&sb));
    ad_strbuf_puts(&sb, "ab");
    ad_strbuf_puts(&sb, "cd"); /* would need 5 bytes: nothing of it is written */
    assert_string_equal(buf, "ab");
    assert_true(ad_strbuf_overflowed(&sb));
    ad_strbuf_putc(&sb, 'x'); /* would fit, but the builder stays overflowed */
    assert_string_equal(buf, "ab");
}

static void test_strbuf_capacity_one(void **state)
{
    char buf[1] = {'z'};
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    assert_int_equal(buf[0], '\0');
    ad_strbuf_putc(&sb, 'a');
    assert_true(ad_strbuf_overflowed(&sb));
    assert_int_equal(buf[0], '\0');
}

static void test_strbuf_printf_overflow(void **state)
{
    char buf[8];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_printf(&sb, "%d", 1234567); /* 7 characters: fits */
    assert_false(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "1234567");
    ad_strbuf_printf(&sb, "%d", 8);
    assert_true(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "1234567");

    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_puts(&sb, "ab");
    ad_strbuf_printf(&sb, "%s", "cdefghij"); /* partial output is taken back */
    assert_true(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "ab");
    assert_int_equal(sb.len, 2);
}

static void test_strbuf_integers(void **state)
{
    char buf[64];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_u64(&sb, 0);
    ad_strbuf_putc(&sb, ' ');
    ad_strbuf_u64(&sb, UINT64_MAX);
    assert_string_equal(buf, "0 18446744073709551615");
    ad_strbuf_reset(&sb);
    ad_strbuf_i64(&sb, INT64_MIN);
    ad_strbuf_putc(&sb, ' ');
    ad_strbuf_i64(&sb, -1);
    ad_strbuf_putc(&sb, ' ');
    ad_strbuf_i64(&sb, INT64_MAX);
    assert_string_equal(buf, "-9223372036854775808 -1 9223372036854775807");
}

/* ---- JSON escaping ---- */

static void check_escape(const char *in, size_t len, const char *expect)
{
    char buf[128];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_json_escape(&sb, in, len);
    assert_false(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, expect);
}

static void test_json_escape_quotes(void **state)
{
    check_escape("a\"b\\c/d", 7, "a\\\"b\\\\c/d");
    check_escape("plain text", 10, "plain text");
    check_escape("", 0, "");
}

static void test_json_escape_control(void **state)
{
    check_escape("\n\r\t", 3, "\\n\\r\\t");
    check_escape("\x01\x1f", 2, "\\u0001\\u001f");
    check_escape("a\0b", 3, "a\\u0000b");
    check_escape("\x7f", 1, "\x7f"); /* DEL needs no escape in JSON */
}

static void test_json_escape_utf8(void **state)
{
    check_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14,
                 "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    check_escape("\xFF", 1, FFFD);
    check_escape("a\xC3", 2, "a" FFFD);                       /* cut sequence */
    check_escape("\xC0\x80", 2, FFFD FFFD);                   /* overlong NUL */
    check_escape("\xED\xA0\x80", 3, FFFD FFFD FFFD);          /* encoded surrogate */
    check_escape("\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* above U+10FFFF */
    check_escape("\x80x", 2, FFFD "x");                       /* stray continuation */
}

/* An escape that does not fit is not written half. */
static void test_json_escape_overflow(void **state)
{
    char buf[3];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_json_escape(&sb, "a\"", 2); /* "a" fits, "\\\"" does not */
    assert_true(ad_strbuf_overflowed(&sb));
    assert_string_equal(buf, "a");

    char small[6];
    ad_strbuf_init(&sb, small, sizeof(small));
    ad_strbuf_json_escape(&sb, "\x01", 1); /* \u0001 needs 6 + NUL */
    assert_true(ad_strbuf_overflowed(&sb));
    assert_string_equal(small, "");
}

static void test_json_string(void **state)
{
    char buf[32];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_strbuf_json_string(&sb, "say \"hi\"\n", 9);
    assert_string_equal(buf, "\"say \\\"hi\\\"\\n\"");
    ad_strbuf_reset(&sb);
    ad_strbuf_json_string(&sb, "", 0);
    assert_string_equal(buf, "\"\"");
}

/* ---- UTF-8 validation ---- */

static void test_utf8_prefix_len(void **state)
{
    static const struct {
        const char *s;
        size_t len;
        size_t expect;
    } cases[] = {
        {"", 0, 0},
        {"A", 1, 1},
        {"\x7f", 1, 1},
        {"\xC3\xA9", 2, 2},         /* U+00E9 */
        {"\xC2\x80", 2, 2},         /* U+0080, smallest 2-byte */
        {"\xDF\xBF", 2, 2},         /* U+07FF */
        {"\xE0\xA0\x80", 3, 3},     /* U+0800 */
        {"\xE2\x82\xAC", 3, 3},     /* U+20AC */
        {"\xED\x9F\xBF", 3, 3},     /* U+D7FF, just below surrogates */
        {"\xEE\x80\x80", 3, 3},     /* U+E000, just above */
        {"\xEF\xBF\xBF", 3, 3},     /* U+FFFF */
        {"\xF0\x90\x80\x80", 4, 4}, /* U+10000 */
        {"\xF0\x9F\x98\x80", 4, 4}, /* U+1F600 */
        {"\xF4\x8F\xBF\xBF", 4, 4}, /* U+10FFFF */
        {"\xC3\xA9", 1, 0},         /* cut by len */
        {"\xC2", 1, 0},
        {"\x80", 1, 0}, /* continuation first */
        {"\xBF", 1, 0},
        {"\xC0\x80", 2, 0},         /* overlong */
        {"\xC1\xBF", 2, 0},         /* overlong */
        {"\xE0\x80\x80", 3, 0},     /* overlong */
        {"\xE0\x9F\xBF", 3, 0},     /* overlong U+07FF */
        {"\xF0\x8F\xBF\xBF", 4, 0}, /* overlong U+FFFF */
        {"\xED\xA0\x80", 3, 0},     /* U+D800 */
        {"\xED\xBF\xBF", 3, 0},     /* U+DFFF */
        {"\xF4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0}, /* lead byte never valid */
        {"\xFF", 1, 0},
        {"\xC3\x28", 2, 0}, /* second byte not a continuation */
        {"\xE2\x82\x28", 3, 0},
        {"\xF0\x9F\x98\x28", 4, 0},
        {"\xE2\x82\xAC\xAC", 4, 3}, /* only the first character counts */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t got = ad_utf8_valid_prefix_len(cases[i].s, cases[i].len);
        if (got != cases[i].expect)
            fail_msg("case %zu: got %zu, want %zu", i, got, cases[i].expect);
    }
}

static void test_utf8_valid(void **state)
{
    assert_true(ad_utf8_valid("", 0));
    assert_true(ad_utf8_valid("www.example.com.", 16));
    assert_true(ad_utf8_valid("a\0b", 3));
    assert_true(ad_utf8_valid("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z", 10));
    assert_false(ad_utf8_valid("abc\xFF", 4));
    assert_false(ad_utf8_valid("abc\xE2\x82", 5)); /* cut at the end */
    assert_true(ad_utf8_valid("abc\xE2\x82", 3));  /* ... unless len stops before */
    assert_false(ad_utf8_valid("\xED\xA0\x80", 3));
}

/* ---- UTF-16LE -> UTF-8 ---- */

static ad_err to_utf8(const unsigned char *src, size_t units, char *dst, size_t cap, size_t *n)
{
    return ad_utf16le_to_utf8(src, units, dst, cap, n);
}

static void test_utf16_basic(void **state)
{
    static const unsigned char src[] = {'A', 0, 0xE9, 0x00, 0xAC, 0x20, 0xFF, 0xFF};
    char out[16];
    size_t n = 99;
    assert_int_equal(to_utf8(src, 4, out, sizeof(out), &n), AD_OK);
    assert_int_equal(n, 9);
    assert_memory_equal(out, "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF", 9);
    assert_int_equal(to_utf8(src, 0, out, sizeof(out), &n), AD_OK);
    assert_int_equal(n, 0);
    /* U+0000 and U+007F stay one byte; U+0080 and U+07FF are two; U+0800 three. */
    static const unsigned char edges[] = {0, 0, 0x7F, 0, 0x80, 0, 0xFF, 0x07, 0x00, 0x08};
    assert_int_equal(to_utf8(edges, 5, out, sizeof(out), &n), AD_OK);
    assert_int_equal(n, 9);
    assert_memory_equal(out, "\x00\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80", 9);
}

static void test_utf16_surrogate_pairs(void **state)
{
    /* U+1F600 = D83D DE00; U+10000 = D800 DC00; U+10FFFF = DBFF DFFF */
    static const unsigned char src[] = {0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8,
                                        0x00, 0xDC, 0xFF, 0xDB, 0xFF, 0xDF};
    char out[16];
    size_t n = 0;
    assert_int_equal(to_utf8(src, 6, out, sizeof(out), &n), AD_OK);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "\xF0\x9F\x98\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", 12);
}

static void test_utf16_unpaired(void **state)
{
    char out[16];
    size_t n = 0;
    static const unsigned char high_at_end[] = {'a', 0, 0x3D, 0xD8};
    assert_int_equal(to_utf8(high_at_end, 2, out, sizeof(out), &n), AD_EUTF);
    static const unsigned char high_then_char[] = {0x3D, 0xD8, 'a', 0};
    assert_int_equal(to_utf8(high_then_char, 2, out, sizeof(out), &n), AD_EUTF);
    static const unsigned char high_high[] = {0x3D, 0xD8, 0x3D, 0xD8};
    assert_int_equal(to_utf8(high_high, 2, out, sizeof(out), &n), AD_EUTF);
    static const unsigned char low_alone[] = {0x00, 0xDE, 'a', 0};
    assert_int_equal(to_utf8(low_alone, 2, out, sizeof(out), &n), AD_EUTF);
    static const unsigned char low_then_high[] = {0x00, 0xDC, 0x00, 0xD8};
    assert_int_equal(to_utf8(low_then_high, 2, out, sizeof(out), &n), AD_EUTF);
    /* the pair's second half lies beyond units: unpaired within the given length */
    static const unsigned char pair[] = {0x3D, 0xD8, 0x00, 0xDE};
    assert_int_equal(to_utf8(pair, 1, out, sizeof(out), &n), AD_EUTF);
}

static void test_utf16_room(void **state)
{
    static const unsigned char src[] = {0xAC, 0x20, 0xAC, 0x20}; /* two U+20AC */
    char out[8];
    size_t n = 0;
    assert_int_equal(to_utf8(src, 2, out, 5, &n), AD_EFULL);
    assert_int_equal(to_utf8(src, 2, out, 0, &n), AD_EFULL);
    assert_int_equal(to_utf8(src, 2, out, 6, &n), AD_OK);
    assert_int_equal(n, 6);
    static const unsigned char emoji[] = {0x3D, 0xD8, 0x00, 0xDE};
    assert_int_equal(to_utf8(emoji, 2, out, 3, &n), AD_EFULL);
    assert_int_equal(to_utf8(emoji, 2, out, 4, &n), AD_OK);
}

/* ETW data need not be 2-byte aligned. */
static void test_utf16_unaligned(void **state)
{
    static const unsigned char raw[] = {0xAA, 'h', 0, 'i', 0, 0xE9, 0};
    char out[8];
    size_t n = 0;
    assert_int_equal(to_utf8(raw + 1, 3, out, sizeof(out), &n), AD_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "hi\xC3\xA9", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf_basic),         cmocka_unit_test(test_strbuf_overflow),
        cmocka_unit_test(test_strbuf_capacity_one),  cmocka_unit_test(test_strbuf_printf_overflow),
        cmocka_unit_test(test_strbuf_integers),      cmocka_unit_test(test_json_escape_quotes),
        cmocka_unit_test(test_json_escape_control),  cmocka_unit_test(test_json_escape_utf8),
        cmocka_unit_test(test_json_escape_overflow), cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_utf8_prefix_len),      cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf16_basic),          cmocka_unit_test(test_utf16_surrogate_pairs),
        cmocka_unit_test(test_utf16_unpaired),       cmocka_unit_test(test_utf16_room),
        cmocka_unit_test(test_utf16_unaligned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
