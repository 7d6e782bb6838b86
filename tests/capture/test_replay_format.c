/* Unit tests for the replay text format (DESIGN.md §4): parsing, every rejection, round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/replay_format.h"

static unsigned char ud[64];

static ad_err parse(const char *line, ad_etw_event_in *ev, ad_replay_line_kind *kind,
                    const char **why)
{
    return ad_replay_parse_line(line, strlen(line), ev, ud, sizeof(ud), kind, why);
}

static void test_design_example(void **state)
{
    (void)state;
    ad_etw_event_in ev;
    ad_replay_line_kind kind;
    const char *why;
    const char *line = "1732528800123456700 {EB79061A-A566-4698-9119-3ED2807060E7} 256 0 2244 "
                       "3100 0x0240 00313732\r";
    assert_int_equal(parse(line, &ev, &kind, &why), AD_OK);
    assert_int_equal(kind, AD_REPLAY_EVENT);
    assert_true(ev.time_ns == 1732528800123456700ULL);
    assert_int_equal(ev.provider, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(ev.source, AD_SOURCE_REPLAY);
    assert_int_equal(ev.event_id, 256);
    assert_int_equal(ev.version, 0);
    assert_int_equal(ev.pid, 2244);
    assert_int_equal(ev.tid, 3100);
    assert_int_equal(ev.header_flags, 0x0240);
    assert_int_equal(ev.userdata_len, 4);
    const unsigned char expect[4] = {0x00, 0x31, 0x37, 0x32};
    assert_memory_equal(ev.userdata, expect, 4);
}

static void test_provider_spellings_and_empty_userdata(void **state)
{
    (void)state;
    ad_etw_event_in ev;
    ad_replay_line_kind kind;
    const char *why;
    assert_int_equal(
        parse("1 {1c95126e-7eea-49a9-a3fe-a378b03ddb4d} 3008 1 4 5 40 -", &ev, &kind, &why), AD_OK);
    assert_int_equal(ev.provider, AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(ev.userdata_len, 0);
    assert_null(ev.userdata);
    assert_int_equal(ev.header_flags, 0x40);
    assert_int_equal(parse("1 Microsoft-Windows-DNSServer 257 0 1 1 0x40 ab", &ev, &kind, &why),
                     AD_OK);
    assert_int_equal(ev.provider, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(((const unsigned char *)ev.userdata)[0], 0xab);
}

static void test_comments_and_blank_lines(void **state)
{
    (void)state;
    ad_etw_event_in ev;
    ad_replay_line_kind kind;
    const char *why;
    assert_int_equal(parse("# recorded on dns01", &ev, &kind, &why), AD_OK);
    assert_int_equal(kind, AD_REPLAY_SKIP);
    assert_int_equal(parse("   \t ", &ev, &kind, &why), AD_OK);
    assert_int_equal(kind, AD_REPLAY_SKIP);
    assert_int_equal(parse("", &ev, &kind, &why), AD_OK);
    assert_int_equal(kind, AD_REPLAY_SKIP);
}

static void test_every_rejection(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        ad_err err;
        const char *why;
    } cases[] = {
        {"x1 dns_server 256 0 1 1 0x40 00", AD_EFORMAT, "bad TIMESTAMP_NS"},
        {"18446744073709551616 dns_server 256 0 1 1 0x40 00", AD_EFORMAT, "bad TIMESTAMP_NS"},
        {"1", AD_EFORMAT, "missing PROVIDER"},
        {"1 {00000000-0000-0000-0000-000000000000} 256 0 1 1 0x40 00", AD_EFORMAT,
         "unknown PROVIDER"},
        {"1 dns_server 65536 0 1 1 0x40 00", AD_EFORMAT, "bad EVENT_ID"},
        {"1 dns_server -1 0 1 1 0x40 00", AD_EFORMAT, "bad EVENT_ID"},
        {"1 dns_server 256 256 1 1 0x40 00", AD_EFORMAT, "bad VERSION"},
        {"1 dns_server 256 0 4294967296 1 0x40 00", AD_EFORMAT, "bad PID"},
        {"1 dns_server 256 0 1 x 0x40 00", AD_EFORMAT, "bad TID"},
        {"1 dns_server 256 0 1 1 0x10000 00", AD_EFORMAT, "bad HEADER_FLAGS"},
        {"1 dns_server 256 0 1 1 0xzz 00", AD_EFORMAT, "bad HEADER_FLAGS"},
        {"1 dns_server 256 0 1 1 0x40", AD_EFORMAT, "missing USERDATA_HEX"},
        {"1 dns_server 256 0 1 1 0x40 abc", AD_EFORMAT, "odd number of hex digits in USERDATA_HEX"},
        {"1 dns_server 256 0 1 1 0x40 0g", AD_EFORMAT, "non-hex character in USERDATA_HEX"},
        {"1 dns_server 256 0 1 1 0x40 00 extra", AD_EFORMAT, "extra field after USERDATA_HEX"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_etw_event_in ev;
        ad_replay_line_kind kind;
        const char *why = NULL;
        ad_err err = parse(cases[i].line, &ev, &kind, &why);
        if (err != cases[i].err || why == NULL || strcmp(why, cases[i].why) != 0)
            fail_msg("'%s': got %d '%s', expected '%s'", cases[i].line, err, why ? why : "(null)",
                     cases[i].why);
    }
    /* A NUL byte anywhere (a valid line around it, or in a comment) makes the line malformed. */
    static const char with_nul[][40] = {"1 dns_server 256 0 1\0 1 0x40 00", "# a comment\0"};
    static const size_t with_nul_len[] = {sizeof("1 dns_server 256 0 1\0 1 0x40 00") - 1,
                                          sizeof("# a comment\0") - 1};
    for (size_t i = 0; i < 2; i++) {
        ad_etw_event_in e;
        ad_replay_line_kind k;
        const char *w = NULL;
        assert_int_equal(
            ad_replay_parse_line(with_nul[i], with_nul_len[i], &e, ud, sizeof(ud), &k, &w),
            AD_EFORMAT);
        assert_string_equal(w, "NUL byte in the line");
    }
    /* More UserData than the caller's buffer holds is a range error, never an overflow. */
    char line[256] = "1 dns_server 256 0 1 1 0x40 ";
    for (int i = 0; i < 65; i++)
        strcat(line, "00");
    ad_etw_event_in ev;
    ad_replay_line_kind kind;
    const char *why;
    assert_int_equal(parse(line, &ev, &kind, &why), AD_ERANGE);
}

static void test_format_then_parse(void **state)
{
    (void)state;
    const unsigned char data[5] = {0x01, 0xfe, 0x00, 0x7f, 0x80};
    ad_etw_event_in in = {.provider = AD_PROVIDER_DNS_CLIENT,
                          .source = AD_SOURCE_ETW,
                          .event_id = 3020,
                          .version = 2,
                          .header_flags = 0x0020,
                          .pid = 4294967295u,
                          .tid = 7,
                          .time_ns = 18446744073709551615ULL,
                          .userdata = data,
                          .userdata_len = sizeof(data)};
    char buf[512];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_replay_format_line(&in, &sb);
    assert_string_equal(buf, "18446744073709551615 {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D} 3020 2 "
                             "4294967295 7 0x0020 01fe007f80\n");
    ad_etw_event_in out;
    ad_replay_line_kind kind;
    const char *why;
    assert_int_equal(ad_replay_parse_line(buf, sb.len - 1, &out, ud, sizeof(ud), &kind, &why),
                     AD_OK);
    assert_int_equal(out.event_id, 3020);
    assert_int_equal(out.version, 2);
    assert_int_equal(out.pid, 4294967295u);
    assert_true(out.time_ns == 18446744073709551615ULL);
    assert_int_equal(out.userdata_len, 5);
    assert_memory_equal(out.userdata, data, 5);
    ad_strbuf_reset(&sb);
    in.userdata_len = 0;
    ad_replay_format_line(&in, &sb);
    assert_non_null(strstr(buf, " 0x0020 -\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_provider_spellings_and_empty_userdata),
        cmocka_unit_test(test_comments_and_blank_lines),
        cmocka_unit_test(test_every_rejection),
        cmocka_unit_test(test_format_then_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
