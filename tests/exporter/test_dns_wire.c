/*
 * Unit tests for common/dns_wire (RFC 1035 §4.1 parser) and exporter/dns_answers: hand-built
 * messages for the good paths and every error path (short header, truncation, reserved label types,
 * long names, pointers out of range / forward / looping, bad RDATA, small buffers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/dns_wire.h"
#include "exporter/dns_answers.h"

#include "tests/support/dns_packet.h"

/* The rule the last failing call named (dns_wire.h's `why`). */
static const char *why;

/* call fails with code and names the rule text. */
#define expect_err(call, code, text)                                                               \
    do {                                                                                           \
        why = NULL;                                                                                \
        assert_int_equal((call), (code));                                                          \
        assert_non_null(why);                                                                      \
        assert_string_equal(why, (text));                                                          \
    } while (0)

static void test_query(void **state)
{
    (void)state;
    pkt p;
    header(&p, 0xbeef, 0x0120, 1, 0);
    putname(&p, "www.example.com");
    put16(&p, 28);
    put16(&p, 1);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_int_equal(m.hdr.id, 0xbeef);
    assert_int_equal(m.hdr.flags, 0x0120);
    assert_true(m.hdr.flags & AD_DNS_FLAG_RD);
    assert_int_equal(AD_DNS_OPCODE(m.hdr.flags), 0);
    assert_true(m.has_question);
    assert_string_equal(m.qname, "www.example.com.");
    assert_int_equal(m.qname_len, 16);
    assert_int_equal(m.qtype, 28);
    assert_int_equal(m.qclass, 1);
    assert_int_equal(m.answer_offset, p.n);
    char buf[64];
    size_t len = 99;
    bool trunc = true;
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, buf, sizeof(buf), &len, &trunc, &why),
                     AD_OK);
    assert_int_equal(len, 0);
    assert_false(trunc);
    assert_string_equal(buf, "");
}

static void test_root_and_no_question(void **state)
{
    (void)state;
    pkt p;
    header(&p, 1, 0, 1, 0);
    put8(&p, 0);
    put16(&p, 2);
    put16(&p, 1);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_string_equal(m.qname, ".");
    assert_int_equal(m.qtype, 2);

    header(&p, 2, 0x8000, 0, 0);
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_false(m.has_question);
    assert_int_equal(m.answer_offset, 12);
}

static void test_escapes(void **state)
{
    (void)state;
    pkt p;
    header(&p, 1, 0, 1, 0);
    const uint8_t label[] = {5, 'a', '.', ' ', 0xff, '\\', 0};
    putbytes(&p, label, sizeof(label));
    put16(&p, 1);
    put16(&p, 1);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_string_equal(m.qname, "a\\.\\032\\255\\\\.");
}

static void test_answers_summary(void **state)
{
    (void)state;
    pkt p;
    header(&p, 7, 0x8180, 1, 9);
    putname(&p, "www.example.com");
    put16(&p, 1);
    put16(&p, 1);
    /* CNAME -> "web.example.com." compressed: "web" + pointer to "example.com" at 16. */
    rr_head(&p, 5, 6);
    put8(&p, 3);
    putbytes(&p, "web", 3);
    put16(&p, 0xc010);
    rr_head(&p, 1, 4);
    putbytes(&p, "\xc0\x00\x02\x01", 4);
    rr_head(&p, 28, 16);
    putbytes(&p, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    rr_head(&p, 15, 4);
    put16(&p, 10);
    put16(&p, 0xc00c);
    rr_head(&p, 16, 8);
    putbytes(&p,
             "\x03"
             "a;b\x03xyz",
             8);
    rr_head(&p, 2, 2);
    put16(&p, 0xc010);
    rr_head(&p, 12, 1);
    put8(&p, 0);
    rr_head(&p, 99, 3);
    putbytes(&p, "abc", 3);
    rr_head(&p, 39, 2);
    put16(&p, 0xc018);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    char buf[512];
    size_t len;
    bool trunc;
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, buf, sizeof(buf), &len, &trunc, &why),
                     AD_OK);
    const char *want = "web.example.com.;192.0.2.1;2001:db8::1;10 www.example.com.;a\\;b "
                       "xyz;example.com.;.;TYPE99;com.";
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
    assert_false(trunc);

    /* A buffer that holds only the first two items: whole items, truncated set. */
    char small[30];
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, small, sizeof(small), &len, &trunc, &why),
                     AD_OK);
    assert_string_equal(small, "web.example.com.;192.0.2.1");
    assert_true(trunc);
    /* Too small for even the first item. */
    char tiny[4];
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, tiny, sizeof(tiny), &len, &trunc, &why),
                     AD_OK);
    assert_string_equal(tiny, "");
    assert_int_equal(len, 0);
    assert_true(trunc);
}

/* A response header with the question "q.example" A IN at offset 12 (pointer 0xc00c). */
static void response_head(pkt *p, unsigned ancount)
{
    header(p, 9, 0x8180, 1, ancount);
    putname(p, "q.example");
    put32(p, 0x00010001);
}

/* SOA and SRV rdata as in a zone file; TXT spaces and dots stay plain text (a TXT record such as
 * "v=spf1 mx -all" must read like that in DnsResponseName). */
static void test_soa_srv_txt_text(void **state)
{
    (void)state;
    pkt p;
    response_head(&p, 4);
    /* SOA: "ns1" + pointer to q.example (offset 12), "hostmaster" + pointer, 5 numbers */
    rr_head(&p, 6, 4 + 2 + 11 + 2 + 20);
    put8(&p, 3);
    putbytes(&p, "ns1", 3);
    put16(&p, 0xc00c);
    put8(&p, 10);
    putbytes(&p, "hostmaster", 10);
    put16(&p, 0xc00c);
    put32(&p, 2024010101UL);
    put32(&p, 3600);
    put32(&p, 600);
    put32(&p, 86400);
    put32(&p, 4294967295UL);
    /* SRV 10 60 5060 sip.example.com. */
    rr_head(&p, 33, 6 + 4 + 2);
    put16(&p, 10);
    put16(&p, 60);
    put16(&p, 5060);
    put8(&p, 3);
    putbytes(&p, "sip", 3);
    put16(&p, 0xc00c);
    /* TXT "v=spf1 mx -all" "a.b;c" */
    rr_head(&p, 16, 15 + 6);
    put8(&p, 14);
    putbytes(&p, "v=spf1 mx -all", 14);
    put8(&p, 5);
    putbytes(&p, "a.b;c", 5);
    /* TXT with a control byte and a quote, escaped as in RFC 1035 §5.1 */
    rr_head(&p, 16, 3);
    put8(&p, 2);
    putbytes(&p, "\x01\"", 2);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    char buf[512];
    size_t len;
    bool trunc;
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, buf, sizeof(buf), &len, &trunc, &why),
                     AD_OK);
    assert_string_equal(buf, "ns1.q.example. hostmaster.q.example. 2024010101 3600 600 86400 "
                             "4294967295;10 60 5060 sip.q.example.;v=spf1 mx -all a.b\\;c;"
                             "\\001\\\"");
    assert_false(trunc);
}

/* SOA and SRV whose RDATA does not hold what the type says are errors, not text. */
static void test_soa_srv_malformed(void **state)
{
    (void)state;
    static const struct {
        unsigned type, rdlen;
        const char *rdata;
    } cases[] = {
        {6, 3,
         "\x03"
         "ab"}, /* name runs past the RDATA */
        {6, 2 + 19,
         "\0\0"
         "0123456789012345678"}, /* 19 bytes of numbers, not 20 */
        {6, 2 + 21,
         "\0\0"
         "012345678901234567890"},   /* 21 */
        {33, 6, "\0\1\0\2\0\3"},     /* no target */
        {33, 8, "\0\1\0\2\0\3\0\0"}, /* bytes after the target */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pkt p;
        response_head(&p, 1);
        rr_head(&p, cases[i].type, cases[i].rdlen);
        putbytes(&p, cases[i].rdata, cases[i].rdlen);
        ad_dns_msg m;
        assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
        char buf[256];
        expect_err(ad_dns_answers_text(p.b, p.n, &m, buf, sizeof(buf), NULL, NULL, &why),
                   AD_EFORMAT, AD_DNS_WHY_RDATA);
    }
}

static void test_txt_shortened(void **state)
{
    (void)state;
    pkt p;
    header(&p, 7, 0x8180, 1, 1);
    putname(&p, "t");
    put16(&p, 16);
    put16(&p, 1);
    rr_head(&p, 16, 101);
    put8(&p, 100);
    for (int i = 0; i < 100; i++)
        put8(&p, 'a' + i % 26);
    ad_dns_msg m;
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    char buf[256];
    size_t len;
    assert_int_equal(ad_dns_answers_text(p.b, p.n, &m, buf, sizeof(buf), &len, NULL, &why), AD_OK);
    assert_int_equal(len, AD_DNS_TXT_SUMMARY_MAX + 3);
    assert_memory_equal(buf, "abcdefghij", 10);
    assert_string_equal(buf + AD_DNS_TXT_SUMMARY_MAX, "...");
}

static void test_short_header(void **state)
{
    (void)state;
    uint8_t b[11] = {0};
    ad_dns_msg m;
    expect_err(ad_dns_parse(b, sizeof(b), &m, &why), AD_ETRUNC, AD_DNS_WHY_SHORT_HEADER);
    expect_err(ad_dns_parse(b, 0, &m, &why), AD_ETRUNC, AD_DNS_WHY_SHORT_HEADER);
    expect_err(ad_dns_parse(NULL, 40, &m, &why), AD_ETRUNC, AD_DNS_WHY_SHORT_HEADER);
}

static void test_truncated_question(void **state)
{
    (void)state;
    pkt p;
    ad_dns_msg m;
    header(&p, 1, 0, 1, 0); /* no question bytes */
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    put8(&p, 3);
    putbytes(&p, "ab", 2); /* label cut */
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    put8(&p, 'c'); /* no root label */
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    put8(&p, 0);
    put16(&p, 1); /* qclass missing */
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    put16(&p, 1);
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    /* qdcount 2 with one question. */
    p.b[5] = 2;
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    /* Pointer cut after its first byte. */
    header(&p, 1, 0, 1, 0);
    put8(&p, 0xc0);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_ETRUNC, AD_DNS_WHY_TRUNC);
}

static void test_label_types(void **state)
{
    (void)state;
    pkt p;
    ad_dns_msg m;
    static const unsigned bad[] = {64, 0x40, 0x7f, 0x80, 0xbf};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        header(&p, 1, 0, 1, 0);
        put8(&p, bad[i]);
        for (int k = 0; k < 200; k++)
            put8(&p, 'x');
        put8(&p, 0);
        put32(&p, 0x00010001);
        expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_LABEL);
    }
    /* 63 is the longest legal label. */
    header(&p, 1, 0, 1, 0);
    put8(&p, 63);
    for (int k = 0; k < 63; k++)
        put8(&p, 'x');
    put8(&p, 0);
    put32(&p, 0x00010001);
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_int_equal(m.qname_len, 64);
}

static void put_long_name(pkt *p, int wire_len)
{
    /* labels of 63 then a remainder, total wire length (with root) = wire_len */
    int left = wire_len - 1;
    while (left > 0) {
        int l = left - 1 > 63 ? 63 : left - 1;
        put8(p, (unsigned)l);
        for (int k = 0; k < l; k++)
            put8(p, 'n');
        left -= l + 1;
    }
    put8(p, 0);
}

static void test_name_length(void **state)
{
    (void)state;
    pkt p;
    ad_dns_msg m;
    header(&p, 1, 0, 1, 0);
    put_long_name(&p, 255);
    put32(&p, 0x00010001);
    assert_int_equal(ad_dns_parse(p.b, p.n, &m, &why), AD_OK);
    assert_int_equal(m.qname_len, 254);
    header(&p, 1, 0, 1, 0);
    put_long_name(&p, 257);
    put32(&p, 0x00010001);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_NAME_LEN);
    /* Over 255 only through compression: 200 bytes here + 200 via a pointer. */
    header(&p, 1, 0, 2, 0);
    put_long_name(&p, 200);
    put32(&p, 0x00010001);
    put8(&p, 63);
    for (int k = 0; k < 63; k++)
        put8(&p, 'y');
    put16(&p, 0xc00c);
    put32(&p, 0x00010001);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_NAME_LEN);
}

static void test_pointers(void **state)
{
    (void)state;
    pkt p;
    ad_dns_msg m;
    /* Out of range. */
    header(&p, 1, 0, 1, 0);
    put16(&p, 0xc000 | 500);
    put32(&p, 0x00010001);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_PTR_RANGE);
    /* Forward (to the qtype bytes after it). */
    header(&p, 1, 0, 1, 0);
    put16(&p, 0xc00e);
    put32(&p, 0x00010001);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_PTR_FORWARD);
    /* To itself. */
    header(&p, 1, 0, 1, 0);
    put16(&p, 0xc00c);
    put32(&p, 0x00010001);
    expect_err(ad_dns_parse(p.b, p.n, &m, &why), AD_EFORMAT, AD_DNS_WHY_PTR_FORWARD);
    /*
     * Backwards from the pointer but into the run that led to it: at 14 "a" "b" then a
     * pointer at 18 back to 14; the name starts at 20 with a pointer to 14.
     */
    header(&p, 1, 0, 0, 0);
    put16(&p, 0);
    put8(&p, 1);
    put8(&p, 'a');
    put8(&p, 1);
    put8(&p, 'b');
    put16(&p, 0xc00e);
    put16(&p, 0xc00e);
    char text[AD_DNS_NAME_TEXT_MAX];
    size_t off = 20, tl;
    expect_err(ad_dns_read_name(p.b, p.n, &off, text, sizeof(text), &tl, &why), AD_EFORMAT,
               AD_DNS_WHY_PTR_FORWARD);
    assert_string_equal(text, "");
    /* A chain of backward pointers longer than AD_DNS_MAX_JUMPS. */
    header(&p, 1, 0, 0, 0);
    put8(&p, 0); /* offset 12: root */
    for (unsigned k = 0; k < AD_DNS_MAX_JUMPS + 2; k++) {
        unsigned here = (unsigned)p.n;
        put16(&p, 0xc000 | (k == 0 ? 12 : here - 2));
    }
    off = p.n - 2;
    expect_err(ad_dns_read_name(p.b, p.n, &off, text, sizeof(text), &tl, &why), AD_EFORMAT,
               AD_DNS_WHY_PTR_LOOP);
    /* Exactly AD_DNS_MAX_JUMPS jumps is fine. */
    off = 13 + 2 * (AD_DNS_MAX_JUMPS - 1);
    assert_int_equal(ad_dns_read_name(p.b, p.n, &off, text, sizeof(text), &tl, &why), AD_OK);
    assert_string_equal(text, ".");
    assert_int_equal(off, 13 + 2 * AD_DNS_MAX_JUMPS);
}

static void test_read_name_space(void **state)
{
    (void)state;
    pkt p;
    header(&p, 1, 0, 1, 0);
    putname(&p, "abc.de");
    char text[7];
    size_t off = 12, tl;
    expect_err(ad_dns_read_name(p.b, p.n, &off, text, sizeof(text), &tl, &why), AD_EFULL,
               AD_DNS_WHY_SPACE);
    assert_int_equal(off, 12);
    char ok[8];
    assert_int_equal(ad_dns_read_name(p.b, p.n, &off, ok, sizeof(ok), &tl, &why), AD_OK);
    assert_string_equal(ok, "abc.de.");
    assert_int_equal(off, p.n);
    expect_err(ad_dns_read_name(p.b, p.n, &off, NULL, 0, &tl, &why), AD_EFULL, AD_DNS_WHY_SPACE);
}

/*
 * Every byte value as a 3-byte label "x<c>y" reads as ad_dns_escape_byte says, both into a
 * roomy buffer (the direct copy) and into one of exactly the text's size (checked pieces),
 * and one byte less is AD_EFULL.
 */
static void test_every_label_byte(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        const uint8_t name[] = {3, 'x', (uint8_t)c, 'y', 0};
        char want[16] = "x", esc[4];
        size_t el = ad_dns_escape_byte((uint8_t)c, false, esc);
        memcpy(want + 1, esc, el);
        memcpy(want + 1 + el, "y.", 3);
        char roomy[64], tight[16];
        size_t off = 0, tl = 0;
        assert_int_equal(
            ad_dns_read_name(name, sizeof(name), &off, roomy, sizeof(roomy), &tl, &why), AD_OK);
        assert_string_equal(roomy, want);
        assert_int_equal(tl, strlen(want));
        off = 0;
        assert_int_equal(
            ad_dns_read_name(name, sizeof(name), &off, tight, strlen(want) + 1, &tl, &why), AD_OK);
        assert_string_equal(tight, want);
        off = 0;
        expect_err(ad_dns_read_name(name, sizeof(name), &off, tight, strlen(want), &tl, &why),
                   AD_EFULL, AD_DNS_WHY_SPACE);
    }
}

/* A response with one answer whose head/RDATA is set up by fn. */
static ad_err answers_of(pkt *p, char *buf, size_t cap)
{
    ad_dns_msg m;
    ad_err err = ad_dns_parse(p->b, p->n, &m, &why);
    if (err != AD_OK)
        return err;
    size_t len;
    bool trunc;
    return ad_dns_answers_text(p->b, p->n, &m, buf, cap, &len, &trunc, &why);
}

static void test_bad_answers(void **state)
{
    (void)state;
    pkt p;
    char buf[256];
    /* ancount 1, no answer bytes. */
    response_head(&p, 1);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    /* Fixed RR fields cut. */
    response_head(&p, 1);
    put16(&p, 0xc00c);
    put16(&p, 1);
    put16(&p, 1);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    /* RDLENGTH past the end. */
    response_head(&p, 1);
    rr_head(&p, 1, 4);
    put16(&p, 0x0102);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_ETRUNC, AD_DNS_WHY_TRUNC);
    /* A with 5 bytes, AAAA with 4. */
    response_head(&p, 1);
    rr_head(&p, 1, 5);
    putbytes(&p, "12345", 5);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    response_head(&p, 1);
    rr_head(&p, 28, 4);
    putbytes(&p, "1234", 4);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    /* CNAME whose name runs past its RDATA, and one that ends before it. */
    response_head(&p, 1);
    rr_head(&p, 5, 3);
    putbytes(&p,
             "\x03"
             "abc\x00",
             5);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    response_head(&p, 1);
    rr_head(&p, 5, 3);
    putbytes(&p, "\x00xx", 3);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    /* CNAME with a bad pointer. */
    response_head(&p, 1);
    rr_head(&p, 5, 2);
    put16(&p, 0xc000 | 900);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_PTR_RANGE);
    /* MX too short. */
    response_head(&p, 1);
    rr_head(&p, 15, 2);
    put16(&p, 5);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    /* TXT string overrunning, and empty TXT. */
    response_head(&p, 1);
    rr_head(&p, 16, 3);
    putbytes(&p,
             "\x05"
             "ab",
             3);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    response_head(&p, 1);
    rr_head(&p, 16, 0);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    /* Owner name with a reserved label type. */
    response_head(&p, 1);
    put8(&p, 0x80);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_LABEL);
    /* The item before an error stays. */
    response_head(&p, 2);
    rr_head(&p, 1, 4);
    putbytes(&p, "\x0a\x00\x00\x01", 4);
    rr_head(&p, 1, 3);
    putbytes(&p, "abc", 3);
    expect_err(answers_of(&p, buf, sizeof(buf)), AD_EFORMAT, AD_DNS_WHY_RDATA);
    assert_string_equal(buf, "10.0.0.1");
}

static void test_every_prefix(void **state)
{
    (void)state;
    /* Every prefix of a valid response parses or fails cleanly (sanitizers watch). */
    pkt p;
    header(&p, 7, 0x8180, 1, 2);
    putname(&p, "www.example.com");
    put32(&p, 0x00010001);
    rr_head(&p, 5, 6);
    put8(&p, 3);
    putbytes(&p, "web", 3);
    put16(&p, 0xc010);
    rr_head(&p, 16, 4);
    putbytes(&p, "\x03xyz", 4);
    for (size_t n = 0; n <= p.n; n++) {
        ad_dns_msg m;
        char buf[128];
        ad_err err = ad_dns_parse(p.b, n, &m, &why);
        if (err == AD_OK)
            err = ad_dns_answers_text(p.b, n, &m, buf, sizeof(buf), NULL, NULL, &why);
        if (n == p.n)
            assert_int_equal(err, AD_OK);
        else
            assert_int_not_equal(err, AD_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_root_and_no_question),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_answers_summary),
        cmocka_unit_test(test_soa_srv_txt_text),
        cmocka_unit_test(test_soa_srv_malformed),
        cmocka_unit_test(test_txt_shortened),
        cmocka_unit_test(test_short_header),
        cmocka_unit_test(test_truncated_question),
        cmocka_unit_test(test_label_types),
        cmocka_unit_test(test_name_length),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_read_name_space),
        cmocka_unit_test(test_every_label_byte),
        cmocka_unit_test(test_bad_answers),
        cmocka_unit_test(test_every_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
