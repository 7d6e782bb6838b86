/*
 * asimdns: unit tests for the event record (common/record.h).
 *
 * Expected sizes, offsets and bytes are worked out by hand from the layout in record.h
 * (header 200 bytes, strings in slot order, packet, zero padding to 8), never taken from the
 * code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/record.h"

/* ---- a fully populated event ---- */

static const char *const full_strings[AD_STR__COUNT] = {
    "www.example.com.",                       /* 16 */
    "example.com",                            /* 11 */
    "default",                                /* 7 */
    "block-bad",                              /* 9 */
    ".",                                      /* 1 */
    "cs",                                     /* 2 */
    "blocked by policy",                      /* 17 */
    "{12345678-1234-1234-1234-123456789ABC}", /* 38 */
    "93.184.216.34;",                         /* 14 */
    "8.8.8.8",                                /* 7 */
    "eth0",                                   /* 4 */
    "\xC3\xA9\xE2\x98\x83\xF0\x9F\x98\x80",   /* 9: U+00E9 U+2603 U+1F600 */
    "ns1",                                    /* 3 */
    "BIND 9.18",                              /* 9 */
    "C:\\a.exe",                              /* 8 */
};
static const size_t full_lengths[AD_STR__COUNT] = {16, 11, 7, 9, 1, 2, 17, 38,
                                                   14, 7,  4, 9, 3, 9, 8};

/* A 33-byte DNS query for www.example.com AAAA (the 0xBE 0xEF id is not UTF-8, on purpose). */
static const unsigned char full_packet[33] = {0xBE, 0xEF, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 3,    'w',  'w',  'w',  7,    'e',
                                              'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',
                                              'm',  0x00, 0x00, 0x1C, 0x00, 0x01};

/* 200 + 155 string bytes + 33 packet bytes = 388, padded to 392. */
#define FULL_SIZE 392
#define FULL_BODY 388
#define FULL_PACKET_OFF 355

static void make_full_event(ad_event *ev)
{
    static const uint8_t src4[4] = {192, 0, 2, 10};
    static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
    static const uint8_t if4[4] = {10, 0, 0, 1};
    ad_event_init(ev);
    ad_record_hdr *h = &ev->hdr;
    h->source = AD_SOURCE_DNSTAP;
    h->provider = AD_PROVIDER_DNS_SERVER;
    h->event_version = 2;
    h->transport = AD_TRANSPORT_TCP;
    h->event_id = 256;
    h->dnstap_type = 5;
    h->present = AD_HAS_QTYPE | AD_HAS_RCODE | AD_HAS_XID | AD_HAS_DNS_FLAGS | AD_HAS_ELAPSED |
                 AD_HAS_TRANSPORT | AD_HAS_RD | AD_HAS_RESPONSE_TIME;
    h->bits = AD_BIT_RD | AD_BIT_RESPONSE | AD_REC_PARTIAL;
    h->time_ns = 0x0102030405060708ULL;
    h->sequence = 0x1112131415161718ULL;
    h->query_options = 0x8000000000000FFFULL;
    h->pid = 2244;
    h->tid = 3100;
    h->client_pid = 4321;
    h->qtype = 28;
    h->rcode = 3;
    h->status = 9003;
    h->xid = 0xBEEF;
    h->qxid = 0x1234;
    h->dns_flags = 0x8180;
    h->elapsed_ms = 17;
    h->interface_index = 12;
    h->network_index = 3;
    h->recursion_depth = 2;
    h->queries_attached = 1;
    ad_addr_set_ipv4(&h->src, src4, 53000);
    ad_addr_set_ipv6(&h->dst, dst6, 53);
    ad_addr_set_ipv4(&h->iface, if4, -1);
    for (int i = 0; i < AD_STR__COUNT; i++)
        ad_event_set_str(ev, (ad_str_slot)i, full_strings[i], full_lengths[i]);
    ev->packet.ptr = (const char *)full_packet;
    ev->packet.len = sizeof(full_packet);
}

/* Encodes the full event into buf (which must hold FULL_SIZE bytes). */
static void encode_full(unsigned char *buf, size_t cap)
{
    ad_event ev;
    make_full_event(&ev);
    size_t len = 0;
    assert_int_equal(ad_record_encode(&ev, buf, cap, &len), AD_OK);
    assert_int_equal(len, FULL_SIZE);
}

static void assert_view(const ad_bytes *view, const void *expect, size_t len)
{
    assert_int_equal(view->len, len);
    if (len > 0)
        assert_memory_equal(view->ptr, expect, len);
}

/* ---- round trips ---- */

static void test_full_round_trip_fields(void **state)
{
    unsigned char buf[FULL_SIZE];
    encode_full(buf, sizeof(buf));
    ad_event d;
    assert_int_equal(ad_record_decode(buf, sizeof(buf), &d), AD_OK);
    const ad_record_hdr *h = &d.hdr;
    assert_int_equal(h->version, 2);
    assert_int_equal(h->size, 392);
    assert_int_equal(h->source, 5);
    assert_int_equal(h->provider, 1);
    assert_int_equal(h->event_version, 2);
    assert_int_equal(h->transport, 2);
    assert_int_equal(h->event_id, 256);
    assert_int_equal(h->dnstap_type, 5);
    assert_int_equal(h->packet_len, 33);
    assert_int_equal(h->present, 0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x80000);
    assert_int_equal(h->bits, 0x1 | 0x20 | 0x400);
    assert_true(h->time_ns == 0x0102030405060708ULL);
    assert_true(h->sequence == 0x1112131415161718ULL);
    assert_true(h->query_options == 0x8000000000000FFFULL);
    assert_int_equal(h->pid, 2244);
    assert_int_equal(h->tid, 3100);
    assert_int_equal(h->client_pid, 4321);
    assert_int_equal(h->qtype, 28);
    assert_int_equal(h->rcode, 3);
    assert_int_equal(h->status, 9003);
    assert_int_equal(h->xid, 0xBEEF);
    assert_int_equal(h->qxid, 0x1234);
    assert_int_equal(h->dns_flags, 0x8180);
    assert_int_equal(h->elapsed_ms, 17);
    assert_int_equal(h->interface_index, 12);
    assert_int_equal(h->network_index, 3);
    assert_int_equal(h->recursion_depth, 2);
    assert_int_equal(h->queries_attached, 1);
    assert_int_equal(h->src.family, 4);
    assert_int_equal(h->src.has_port, 1);
    assert_int_equal(h->src.port, 53000);
    assert_memory_equal(h->src.bytes, "\xC0\x00\x02\x0A", 4);
    assert_int_equal(h->dst.family, 6);
    assert_int_equal(h->dst.port, 53);
    assert_memory_equal(h->dst.bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x53", 16);
    assert_int_equal(h->iface.family, 4);
    assert_int_equal(h->iface.has_port, 0);
    assert_int_equal(h->iface.port, 0);
    for (int i = 0; i < AD_STR__COUNT; i++) {
        assert_int_equal(h->str_len[i], full_lengths[i]);
        assert_view(&d.str[i], full_strings[i], full_lengths[i]);
    }
    assert_view(&d.packet, full_packet, 33);
    assert_int_equal(h->reserved0, 0);
    assert_int_equal(h->reserved1, 0);
    assert_int_equal(h->reserved2, 0);
}

/* Views must point into the decoded buffer, in slot order, not into a copy. */
static void test_full_views_point_into_buffer(void **state)
{
    unsigned char buf[FULL_SIZE];
    encode_full(buf, sizeof(buf));
    ad_event d;
    assert_int_equal(ad_record_decode(buf, sizeof(buf), &d), AD_OK);
    assert_ptr_equal(d.str[AD_STR_QNAME].ptr, (const char *)buf + 200);
    assert_ptr_equal(d.str[AD_STR_ZONE].ptr, (const char *)buf + 216);
    assert_ptr_equal(d.str[AD_STR_VERSION].ptr, (const char *)buf + 338);
    assert_ptr_equal(d.packet.ptr, (const char *)buf + FULL_PACKET_OFF);
}

/* The wire bytes at hand-computed offsets: little-endian, fields where record.h puts them. */
static void test_full_wire_bytes(void **state)
{
    unsigned char b[FULL_SIZE];
    encode_full(b, sizeof(b));
    assert_memory_equal(b + 0, "\x02\x00\x88\x01", 4);                   /* version 2, size 392 */
    assert_memory_equal(b + 4, "\x05\x01\x02\x02", 4);                   /* source .. transport */
    assert_memory_equal(b + 8, "\x00\x01\x05\x00\x21\x00\x00\x00", 8);   /* id, type, pkt, rsv */
    assert_memory_equal(b + 20, "\x21\x04\x00\x00", 4);                  /* bits */
    assert_memory_equal(b + 24, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);  /* time_ns */
    assert_memory_equal(b + 48, "\xC4\x08\x00\x00", 4);                  /* pid 2244 */
    assert_memory_equal(b + 104, "\x04\x01\x08\xCF\xC0\x00\x02\x0A", 8); /* src */
    assert_memory_equal(b + 124, "\x06\x01\x35\x00\x20\x01\x0d\xb8", 8); /* dst */
    assert_memory_equal(b + 164, "\x10\x00\x0B\x00\x07\x00", 6);         /* str_len[0..2] */
    assert_memory_equal(b + 192, "\x08\0\0\0\0\0\0\0", 8);               /* str_len[14], rsv */
    assert_memory_equal(b + 200, "www.example.com.example.com", 27);
    assert_memory_equal(b + 338, "BIND 9.18", 9);
    assert_memory_equal(b + 347, "C:\\a.exe", 8);
    assert_memory_equal(b + FULL_PACKET_OFF, full_packet, 33);
    assert_memory_equal(b + FULL_BODY, "\0\0\0\0", 4);
}

static void test_empty_round_trip(void **state)
{
    ad_event ev;
    ad_event_init(&ev);
    unsigned char buf[256];
    memset(buf, 0xAA, sizeof(buf));
    size_t len = 0;
    assert_int_equal(ad_record_encoded_size(&ev), 200);
    assert_int_equal(ad_record_encode(&ev, buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, 200);
    unsigned char expect[200] = {0x02, 0x00, 0xC8, 0x00};
    assert_memory_equal(buf, expect, 200);
    assert_int_equal(buf[200], 0xAA); /* nothing written past the record */

    ad_event d;
    memset(&d, 0x55, sizeof(d));
    assert_int_equal(ad_record_decode(buf, len, &d), AD_OK);
    assert_int_equal(d.hdr.size, 200);
    assert_int_equal(d.hdr.source, AD_SOURCE_UNKNOWN);
    assert_int_equal(d.hdr.src.family, AD_FAMILY_NONE);
    assert_int_equal(d.hdr.present, 0);
    for (int i = 0; i < AD_STR__COUNT; i++)
        assert_int_equal(d.str[i].len, 0);
    assert_int_equal(d.packet.len, 0);
}

/* Whatever the caller leaves in version, size, lengths and reserved fields is replaced. */
static void test_encode_ignores_computed_fields(void **state)
{
    ad_event ev;
    make_full_event(&ev);
    ev.hdr.version = 9;
    ev.hdr.size = 17;
    ev.hdr.packet_len = 1000;
    ev.hdr.str_len[0] = 999;
    ev.hdr.reserved0 = 1;
    ev.hdr.reserved1 = 2;
    ev.hdr.reserved2 = 3;
    unsigned char buf[FULL_SIZE];
    size_t len = 0;
    assert_int_equal(ad_record_encode(&ev, buf, sizeof(buf), &len), AD_OK);
    ad_event d;
    assert_int_equal(ad_record_decode(buf, len, &d), AD_OK);
    assert_int_equal(d.hdr.version, 2);
    assert_int_equal(d.hdr.size, 392);
    assert_int_equal(d.hdr.packet_len, 33);
    assert_int_equal(d.hdr.str_len[0], 16);
    assert_int_equal(d.hdr.reserved0, 0);
    assert_int_equal(d.hdr.reserved1, 0);
    assert_int_equal(d.hdr.reserved2, 0);
}

/* Bytes after hdr.size (the rest of a ring chunk) are not part of the record. */
static void test_decode_ignores_trailing_bytes(void **state)
{
    unsigned char buf[FULL_SIZE + 16];
    encode_full(buf, sizeof(buf));
    memset(buf + FULL_SIZE, 0xFF, 16);
    ad_event d;
    assert_int_equal(ad_record_decode(buf, sizeof(buf), &d), AD_OK);
    assert_int_equal(d.hdr.size, 392);
}

/* The packet is opaque bytes; only strings must be UTF-8. An empty string slot is fine. */
static void test_decode_packet_not_text(void **state)
{
    ad_event ev;
    make_full_event(&ev);
    static const unsigned char junk[3] = {0xFF, 0xFE, 0x80};
    ev.packet.ptr = (const char *)junk;
    ev.packet.len = 3;
    ad_event_set_str(&ev, AD_STR_ZONE, NULL, 0);
    unsigned char buf[512];
    size_t len = 0;
    assert_int_equal(ad_record_encode(&ev, buf, sizeof(buf), &len), AD_OK);
    assert_int_equal(len, 352); /* 200 + 144 + 3 = 347 -> 352 */
    ad_event d;
    assert_int_equal(ad_record_decode(buf, len, &d), AD_OK);
    assert_view(&d.packet, junk, 3);
    assert_int_equal(d.str[AD_STR_ZONE].len, 0);
}

/* ---- decoder rejections (each case changes one thing of a valid record) ---- */

static void put16(unsigned char *b, size_t off, uint16_t v)
{
    b[off] = (unsigned char)v;
    b[off + 1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[off + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static ad_err decode_len(const unsigned char *b, size_t len)
{
    ad_event d;
    return ad_record_decode(b, len, &d);
}

/* Hand offsets into the header (record.h layout). */
enum {
    OFF_VERSION = 0,
    OFF_SIZE = 2,
    OFF_SOURCE = 4,
    OFF_PROVIDER = 5,
    OFF_TRANSPORT = 7,
    OFF_DNSTAP_TYPE = 10,
    OFF_PACKET_LEN = 12,
    OFF_RESERVED0 = 14,
    OFF_PRESENT = 16,
    OFF_BITS = 20,
    OFF_SRC = 104,
    OFF_DST = 124,
    OFF_IFACE = 144,
    OFF_STR_LEN = 164,
    OFF_PROCESS_LEN = 192, /* version 2's 15th length: reserved in version 1 */
    OFF_RESERVED1 = 194,
    OFF_RESERVED2 = 196,
};

/* A valid record, n bytes at off replaced, decoded. */
static ad_err decode_with(size_t off, const char *bytes, size_t n)
{
    unsigned char b[FULL_SIZE];
    encode_full(b, sizeof(b));
    memcpy(b + off, bytes, n);
    return decode_len(b, sizeof(b));
}

static ad_err decode_with_byte(size_t off, unsigned char value)
{
    return decode_with(off, (const char *)&value, 1);
}

static void test_reject_short(void **state)
{
    unsigned char b[FULL_SIZE];
    encode_full(b, sizeof(b));
    ad_event d;
    assert_int_equal(ad_record_decode(NULL, 0, &d), AD_ETRUNC);
    assert_int_equal(decode_len(b, 0), AD_ETRUNC);
    assert_int_equal(decode_len(b, 199), AD_ETRUNC);
    assert_int_equal(decode_len(b, 200), AD_ETRUNC); /* below hdr.size */
    assert_int_equal(decode_len(b, 391), AD_ETRUNC); /* one byte short */
    assert_int_equal(decode_len(b, FULL_SIZE), AD_OK);
    assert_int_equal(ad_record_decode(b, FULL_SIZE, NULL), AD_EINVAL);
}

static void test_reject_version(void **state)
{
    assert_int_equal(decode_with_byte(OFF_VERSION, 0), AD_EVERSION);
    assert_int_equal(decode_with_byte(OFF_VERSION, 3), AD_EVERSION);
    assert_int_equal(decode_with_byte(OFF_VERSION + 1, 1), AD_EVERSION); /* 257 */
}

/*
 * Version 1 (before the AD_STR_PROCESS slot) still decodes: records a spool or a ring kept from
 * an older capture. Its 15th length was reserved, so it must be zero there.
 */
static void test_version1_accepted(void **state)
{
    (void)state;
    ad_event ev;
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_PROCESS, NULL, 0);
    unsigned char b[FULL_SIZE];
    size_t len = 0;
    assert_int_equal(ad_record_encode(&ev, b, sizeof(b), &len), AD_OK);
    assert_int_equal(b[OFF_VERSION], AD_RECORD_VERSION);
    b[OFF_VERSION] = 1;
    ad_event d;
    assert_int_equal(ad_record_decode(b, len, &d), AD_OK);
    assert_int_equal(d.hdr.version, AD_RECORD_VERSION);
    assert_int_equal(d.str[AD_STR_PROCESS].len, 0);
    assert_int_equal(d.str[AD_STR_VERSION].len, 9);
    /* A version-1 record with bytes in its reserved field: refused, as before. */
    assert_int_equal(decode_with_byte(OFF_VERSION, 1), AD_EFORMAT);
}

static void test_reject_size(void **state)
{
    static unsigned char b[9000];
    memset(b, 0, sizeof(b));
    encode_full(b, sizeof(b));
    put16(b, OFF_SIZE, 8200); /* over AD_RECORD_MAX_SIZE, even though len would allow it */
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    put16(b, OFF_SIZE, 0xFFFF);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    put16(b, OFF_SIZE, 393); /* not a multiple of 8 */
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    put16(b, OFF_SIZE, 388);
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    put16(b, OFF_SIZE, 192); /* below the header */
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    put16(b, OFF_SIZE, 0);
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    put16(b, OFF_SIZE, 400); /* 8 more than the lengths need: more than padding */
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    put16(b, OFF_SIZE, 384); /* 8 less: the lengths reach past size */
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
}

static void test_reject_reserved(void **state)
{
    assert_int_equal(decode_with_byte(OFF_RESERVED0, 1), AD_EFORMAT);
    assert_int_equal(decode_with_byte(OFF_RESERVED0 + 1, 0x80), AD_EFORMAT);
    assert_int_equal(decode_with_byte(OFF_RESERVED1, 1), AD_EFORMAT);
    assert_int_equal(decode_with_byte(OFF_RESERVED1 + 1, 1), AD_EFORMAT);
    assert_int_equal(decode_with_byte(OFF_RESERVED2, 1), AD_EFORMAT);
    assert_int_equal(decode_with_byte(OFF_RESERVED2 + 3, 0x80), AD_EFORMAT);
}

/* Undefined flag bits are reserved: present bits 20..31, bits 6, 7 and 12..31. */
static void test_reject_flag_bits(void **state)
{
    unsigned char b[FULL_SIZE];
    static const uint32_t bad_present[] = {1u << 20, 1u << 31};
    static const uint32_t bad_bits[] = {1u << 6, 1u << 7, 1u << 12, 1u << 31};
    for (size_t i = 0; i < sizeof(bad_present) / sizeof(bad_present[0]); i++) {
        encode_full(b, sizeof(b));
        put32(b, OFF_PRESENT, 0xFFFFFu | bad_present[i]);
        assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    }
    for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
        encode_full(b, sizeof(b));
        put32(b, OFF_BITS, 0x0F3Fu | bad_bits[i]);
        assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    }
    /* Every defined flag at once is fine. */
    encode_full(b, sizeof(b));
    put32(b, OFF_PRESENT, 0xFFFFFu);
    put32(b, OFF_BITS, 0x0F3Fu);
    assert_int_equal(decode_len(b, sizeof(b)), AD_OK);
}

static void test_reject_enums(void **state)
{
    assert_int_equal(decode_with_byte(OFF_SOURCE, 6), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_SOURCE, 255), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_PROVIDER, 3), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_PROVIDER, 200), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_TRANSPORT, 5), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_TRANSPORT, 255), AD_EINVAL);
    /* dnstap_type belongs to the dnstap source only (the full record is dnstap). */
    assert_int_equal(decode_with_byte(OFF_SOURCE, AD_SOURCE_ETW), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_DNSTAP_TYPE, 0), AD_OK);
    assert_int_equal(decode_with_byte(OFF_DNSTAP_TYPE, 14), AD_OK);
}

static void test_reject_addresses(void **state)
{
    unsigned char b[FULL_SIZE];
    /* src is IPv4 192.0.2.10:53000: bytes 4..15 must stay zero. */
    assert_int_equal(decode_with_byte(OFF_SRC + 4 + 4, 1), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_SRC + 4 + 15, 1), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_SRC, 6), AD_OK); /* the same bytes as IPv6 are fine */
    assert_int_equal(decode_with_byte(OFF_SRC, 1), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_SRC, 5), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_SRC + 1, 2), AD_EINVAL); /* has_port 2 */
    /* dst is IPv6 with port 53: family 0 leaves bytes and a port behind. */
    assert_int_equal(decode_with_byte(OFF_DST, 0), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_DST, 7), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_DST + 1, 0), AD_EINVAL); /* port without has_port */
    /* iface is IPv4 without a port. */
    assert_int_equal(decode_with_byte(OFF_IFACE, 0xFF), AD_EINVAL);
    assert_int_equal(decode_with_byte(OFF_IFACE + 2, 1), AD_EINVAL); /* port, no has_port */
    assert_int_equal(decode_with_byte(OFF_IFACE + 1, 1), AD_OK);     /* port 0, known */

    /* Family none: every byte, the port and has_port must be zero. */
    encode_full(b, sizeof(b));
    memset(b + OFF_IFACE, 0, 20);
    assert_int_equal(decode_len(b, sizeof(b)), AD_OK);
    b[OFF_IFACE + 4 + 15] = 1;
    assert_int_equal(decode_len(b, sizeof(b)), AD_EINVAL);
    b[OFF_IFACE + 4 + 15] = 0;
    b[OFF_IFACE + 1] = 1;
    assert_int_equal(decode_len(b, sizeof(b)), AD_EINVAL);
    b[OFF_IFACE + 1] = 0;
    b[OFF_IFACE + 3] = 1;
    assert_int_equal(decode_len(b, sizeof(b)), AD_EINVAL);
}

static void test_reject_lengths(void **state)
{
    unsigned char b[FULL_SIZE];
    /* A string length over AD_RECORD_MAX_STR. */
    encode_full(b, sizeof(b));
    put16(b, OFF_STR_LEN, 1025);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    encode_full(b, sizeof(b));
    put16(b, OFF_STR_LEN + 2 * 13, 0xFFFF);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    /* A packet length over AD_RECORD_MAX_PACKET. */
    encode_full(b, sizeof(b));
    put16(b, OFF_PACKET_LEN, 2049);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    /* Lengths reaching past size: 4 more bytes fit the padding, 5 do not. */
    encode_full(b, sizeof(b));
    put16(b, OFF_PACKET_LEN, 37);
    assert_int_equal(decode_len(b, sizeof(b)), AD_OK);
    put16(b, OFF_PACKET_LEN, 38);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    encode_full(b, sizeof(b));
    put16(b, OFF_STR_LEN, 16 + 5);
    assert_int_equal(decode_len(b, sizeof(b)), AD_ERANGE);
    /* Lengths leaving more than padding before size. */
    encode_full(b, sizeof(b));
    put16(b, OFF_PACKET_LEN, 33 - 8);
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
    encode_full(b, sizeof(b));
    put16(b, OFF_STR_LEN + 2 * 7, 0); /* GUID: 38 bytes fewer */
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
}

static void test_reject_padding(void **state)
{
    for (size_t off = FULL_BODY; off < FULL_SIZE; off++)
        assert_int_equal(decode_with_byte(off, 1), AD_EFORMAT);
    /* One packet byte fewer: the last packet byte (0x01) becomes non-zero padding. */
    unsigned char b[FULL_SIZE];
    encode_full(b, sizeof(b));
    put16(b, OFF_PACKET_LEN, 32);
    assert_int_equal(decode_len(b, sizeof(b)), AD_EFORMAT);
}

static void test_reject_utf8(void **state)
{
    assert_int_equal(decode_with_byte(200, 0xFF), AD_EUTF);      /* qname */
    assert_int_equal(decode_with_byte(200, 0x80), AD_EUTF);      /* stray continuation */
    assert_int_equal(decode_with_byte(216 + 10, 0xC3), AD_EUTF); /* zone ends mid-character */
    assert_int_equal(decode_with_byte(338 + 8, 0xC3), AD_EUTF);  /* last slot, before packet */
    /* additional (offset 200 + 126 = 326) holds C3 A9 E2 98 83 F0 9F 98 80. */
    assert_int_equal(decode_with_byte(326, 0xC0), AD_EUTF);         /* overlong C0 A9 */
    assert_int_equal(decode_with(328, "\xED\xA0\x80", 3), AD_EUTF); /* U+D800, a surrogate */
    assert_int_equal(decode_with(328, "\xED\x9F\xBF", 3), AD_OK);   /* U+D7FF is fine */
    assert_int_equal(decode_with(328, "\xE0\x82\xAC", 3), AD_EUTF); /* overlong U+20AC */
    assert_int_equal(decode_with_byte(331, 0xF4), AD_EUTF);         /* F4 9F 98 80 > U+10FFFF */
    assert_int_equal(decode_with_byte(334, 0x41), AD_EUTF);         /* 4-byte sequence cut */
    assert_int_equal(decode_with_byte(326, 0xC3), AD_OK);           /* unchanged byte: valid */
    /* zone ends with C3 and zone_scope starts with A9: together "é", but a character may
     * not run from one slot into the next */
    assert_int_equal(decode_with(226, "\xC3\xA9", 2), AD_EUTF);
}

/* ---- peek_size ---- */

static void test_peek_size(void **state)
{
    static const unsigned char b[4] = {0x01, 0x00, 0x28, 0x01};
    size_t size = 7;
    assert_int_equal(ad_record_peek_size(b, 3, &size), AD_ETRUNC);
    assert_int_equal(size, 7);
    assert_int_equal(ad_record_peek_size(NULL, 0, &size), AD_ETRUNC);
    assert_int_equal(ad_record_peek_size(b, 4, &size), AD_OK);
    assert_int_equal(size, 296);
    unsigned char full[FULL_SIZE];
    encode_full(full, sizeof(full));
    assert_int_equal(ad_record_peek_size(full, sizeof(full), &size), AD_OK);
    assert_int_equal(size, 392);
}

/* ---- encoder errors ---- */

static ad_err encode_event(const ad_event *ev)
{
    static unsigned char buf[AD_RECORD_MAX_SIZE];
    size_t len = 0;
    return ad_record_encode(ev, buf, sizeof(buf), &len);
}

static void test_encode_full_buffer(void **state)
{
    ad_event ev;
    make_full_event(&ev);
    unsigned char buf[FULL_SIZE];
    size_t len = 12345;
    assert_int_equal(ad_record_encode(&ev, buf, 391, &len), AD_EFULL);
    assert_int_equal(ad_record_encode(&ev, buf, 0, &len), AD_EFULL);
    assert_int_equal(len, 12345);
    assert_int_equal(ad_record_encode(&ev, buf, 392, &len), AD_OK);
    assert_int_equal(len, 392);
    assert_int_equal(ad_record_encode(&ev, buf, 392, NULL), AD_OK);
    assert_int_equal(ad_record_encode(NULL, buf, 392, &len), AD_EINVAL);
}

static void test_encode_rejects_bad_values(void **state)
{
    ad_event ev;
    make_full_event(&ev);
    ev.hdr.source = AD_SOURCE__COUNT;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.provider = AD_PROVIDER__COUNT;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.transport = 200;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.source = AD_SOURCE_ETW; /* keeps dnstap_type 5 */
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.present |= 1u << 20;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.bits |= 1u << 7;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.dst.family = 2;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.src.bytes[4] = 1; /* IPv4 with stray bytes */
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.hdr.iface.has_port = 2;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_REASON, NULL, 3);
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    make_full_event(&ev);
    ev.packet.ptr = NULL;
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    /* a NULL view longer than the cap: refused, and encoded_size does not touch it */
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_QNAME, NULL, 2000);
    assert_int_equal(encode_event(&ev), AD_EINVAL);
    assert_true(ad_record_encoded_size(&ev) <= AD_RECORD_MAX_SIZE);
}

static void test_encode_rejects_bad_utf8(void **state)
{
    ad_event ev;
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_ZONE, "x\xC3", 2); /* with the next slot: "x" + "é" ... */
    ad_event_set_str(&ev, AD_STR_ZONE_SCOPE, "\xA9y", 2);
    assert_int_equal(encode_event(&ev), AD_EUTF); /* ... but each slot alone is not UTF-8 */
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_QNAME, "bad\xFFname", 8);
    assert_int_equal(encode_event(&ev), AD_EUTF);
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_VERSION, "x\xE2\x82", 3); /* truncated U+20AC */
    assert_int_equal(encode_event(&ev), AD_EUTF);
    make_full_event(&ev);
    ad_event_set_str(&ev, AD_STR_IDENTITY, "\xED\xA0\x80", 3); /* encoded surrogate */
    assert_int_equal(encode_event(&ev), AD_EUTF);
}

/* ---- capping ---- */

static char long_text[AD_RECORD_MAX_SIZE * 2];
static unsigned char out_buf[AD_RECORD_MAX_SIZE];

static void fill_ascii(void)
{
    memset(long_text, 'a', sizeof(long_text));
}

/* Encodes ev, checks the size against both ad_record_encoded_size and expect, decodes. */
static void encode_decode(const ad_event *ev, size_t expect, ad_event *d)
{
    size_t len = 0;
    assert_int_equal(ad_record_encoded_size(ev), expect);
    assert_int_equal(ad_record_encode(ev, out_buf, sizeof(out_buf), &len), AD_OK);
    assert_int_equal(len, expect);
    assert_int_equal(ad_record_decode(out_buf, len, d), AD_OK);
}

static void test_cap_string_exact_fit(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    ad_event_set_str(&ev, AD_STR_QNAME, long_text, 1024);
    encode_decode(&ev, 1224, &d); /* 200 + 1024 */
    assert_int_equal(d.str[AD_STR_QNAME].len, 1024);
    assert_int_equal(d.hdr.bits, 0);
}

static void test_cap_string(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    ev.hdr.bits = AD_BIT_AA;
    ad_event_set_str(&ev, AD_STR_RESULTS, long_text, 1500);
    encode_decode(&ev, 1224, &d);
    assert_int_equal(d.str[AD_STR_RESULTS].len, 1024);
    assert_int_equal(d.hdr.bits, AD_BIT_AA | AD_REC_STR_TRUNCATED);
}

/* A cut never splits a UTF-8 character: it backs up to the character's first byte. */
static void test_cap_string_utf8_boundary(void **state)
{
    static const struct {
        const char *tail; /* placed so that it straddles byte 1024 */
        size_t at;        /* where the tail starts */
        size_t expect;    /* kept length */
    } cases[] = {
        {"\xC3\xA9zz", 1023, 1023},         /* 2-byte character at 1023..1024 */
        {"\xE2\x82\xACzz", 1022, 1022},     /* 3 bytes at 1022..1024 */
        {"\xE2\x82\xACzz", 1023, 1023},     /* 3 bytes at 1023..1025 */
        {"\xF0\x9F\x98\x80zz", 1021, 1021}, /* 4 bytes at 1021..1024 */
        {"\xF0\x9F\x98\x80zz", 1023, 1023}, /* 4 bytes at 1023..1026 */
        {"\xE2\x82\xACzz", 1021, 1024},     /* ends at 1023: nothing split */
        {"\xC3\xA9zz", 1024, 1024},         /* starts at the cut */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fill_ascii();
        memcpy(long_text + cases[i].at, cases[i].tail, strlen(cases[i].tail));
        ad_event ev, d;
        ad_event_init(&ev);
        ad_event_set_str(&ev, AD_STR_QNAME, long_text, 1100);
        size_t expect_size = 200 + ((cases[i].expect + 7) & ~(size_t)7);
        encode_decode(&ev, expect_size, &d);
        assert_int_equal(d.str[AD_STR_QNAME].len, cases[i].expect);
        assert_int_equal(d.hdr.bits, AD_REC_STR_TRUNCATED);
    }
}

/* Only what is kept must be UTF-8: bad bytes beyond the cut do not matter. */
static void test_cap_checks_kept_text_only(void **state)
{
    fill_ascii();
    long_text[1024] = (char)0xFF;
    ad_event ev, d;
    ad_event_init(&ev);
    ad_event_set_str(&ev, AD_STR_QNAME, long_text, 1030);
    encode_decode(&ev, 1224, &d);
    assert_int_equal(d.str[AD_STR_QNAME].len, 1024);
    long_text[1023] = (char)0xFF;
    assert_int_equal(encode_event(&ev), AD_EUTF);
    fill_ascii();
}

static void test_cap_packet(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    ev.packet.ptr = long_text;
    ev.packet.len = 2048;
    encode_decode(&ev, 2248, &d);
    assert_int_equal(d.hdr.bits, 0);
    ev.packet.len = 3000;
    encode_decode(&ev, 2248, &d);
    assert_int_equal(d.packet.len, 2048);
    assert_int_equal(d.hdr.bits, AD_REC_PACKET_TRUNCATED);
}

/* 7 strings of 1000 (7000) and a 1500-byte packet: 8700 > 8192, so the packet goes. */
static void test_cap_drop_packet(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    for (int i = 0; i < 7; i++)
        ad_event_set_str(&ev, (ad_str_slot)i, long_text, 1000);
    ev.packet.ptr = long_text;
    ev.packet.len = 1500;
    encode_decode(&ev, 7200, &d);
    assert_int_equal(d.packet.len, 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(d.str[i].len, 1000);
    assert_int_equal(d.hdr.bits, AD_REC_PACKET_TRUNCATED);
}

/* Strings of 7 * 1024 + 824 = 7992 fill 8192 exactly; one packet byte more drops it. */
static void test_cap_exact_max_size(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    for (int i = 0; i < 7; i++)
        ad_event_set_str(&ev, (ad_str_slot)i, long_text, 1024);
    ad_event_set_str(&ev, AD_STR_GUID, long_text, 824);
    encode_decode(&ev, 8192, &d);
    assert_int_equal(d.hdr.bits, 0);
    ev.packet.ptr = long_text;
    ev.packet.len = 1;
    encode_decode(&ev, 8192, &d);
    assert_int_equal(d.hdr.bits, AD_REC_PACKET_TRUNCATED);
    assert_int_equal(d.packet.len, 0);
    assert_int_equal(d.str[AD_STR_GUID].len, 824);
}

/* All 15 slots at 1500 bytes: each cut to 1024, then leveled to floor(7992 / 15) = 532. */
static void test_cap_level_all(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    for (int i = 0; i < AD_STR__COUNT; i++)
        ad_event_set_str(&ev, (ad_str_slot)i, long_text, 1500);
    ev.packet.ptr = long_text;
    ev.packet.len = 100;
    encode_decode(&ev, 8184, &d); /* 200 + 15 * 532 = 8180 -> 8184 */
    for (int i = 0; i < AD_STR__COUNT; i++)
        assert_int_equal(d.str[i].len, 532);
    assert_int_equal(d.packet.len, 0);
    assert_int_equal(d.hdr.bits, AD_REC_STR_TRUNCATED | AD_REC_PACKET_TRUNCATED);
}

/* 9 long strings of 1000 and 6 of 10: only the long ones shrink, to (7992 - 60) / 9 = 881. */
static void test_cap_level_longest_only(void **state)
{
    fill_ascii();
    ad_event ev, d;
    ad_event_init(&ev);
    for (int i = 0; i < AD_STR__COUNT; i++)
        ad_event_set_str(&ev, (ad_str_slot)i, long_text, i % 2 == 0 || i < 2 ? 1000 : 10);
    /* slots 0, 1, 2, 4, 6, 8, 10, 12, 14 are long (9); 3, 5, 7, 9, 11, 13 short (6) */
    encode_decode(&ev, 8192, &d); /* 200 + 9 * 881 + 60 = 8189 -> 8192 */
    for (int i = 0; i < AD_STR__COUNT; i++)
        assert_int_equal(d.str[i].len, i % 2 == 0 || i < 2 ? 881 : 10);
    assert_int_equal(d.hdr.bits, AD_REC_STR_TRUNCATED);
}

/*
 * Leveling also respects characters. 4-byte characters only in the first 14 slots: the first
 * cut keeps 1024 (256 characters); the level is floor(7992 / 14) = 570, which falls inside a
 * character, so 568 (142 characters).
 */
static void test_cap_level_utf8(void **state)
{
    for (size_t i = 0; i + 4 <= sizeof(long_text); i += 4)
        memcpy(long_text + i, "\xF0\x9F\x98\x80", 4);
    ad_event ev, d;
    ad_event_init(&ev);
    for (int i = 0; i < 14; i++)
        ad_event_set_str(&ev, (ad_str_slot)i, long_text, 1500);
    encode_decode(&ev, 8152, &d); /* 200 + 14 * 568 = 8152 */
    for (int i = 0; i < 14; i++)
        assert_int_equal(d.str[i].len, 568);
    assert_int_equal(d.hdr.bits, AD_REC_STR_TRUNCATED);
}

/* ---- names and event helpers ---- */

static void test_names(void **state)
{
    assert_string_equal(ad_source_name(AD_SOURCE_UNKNOWN), "unknown");
    assert_string_equal(ad_source_name(AD_SOURCE_ETW), "etw");
    assert_string_equal(ad_source_name(AD_SOURCE_ETL), "etl");
    assert_string_equal(ad_source_name(AD_SOURCE_REPLAY), "replay");
    assert_string_equal(ad_source_name(AD_SOURCE_SYNTHETIC), "synthetic");
    assert_string_equal(ad_source_name(AD_SOURCE_DNSTAP), "dnstap");
    assert_string_equal(ad_source_name(AD_SOURCE__COUNT), "invalid");
    assert_string_equal(ad_source_name((ad_source)7), "invalid");
    assert_string_equal(ad_provider_name(AD_PROVIDER_UNKNOWN), "unknown");
    assert_string_equal(ad_provider_name(AD_PROVIDER_DNS_SERVER), "dns_server");
    assert_string_equal(ad_provider_name(AD_PROVIDER_DNS_CLIENT), "dns_client");
    assert_string_equal(ad_provider_name(AD_PROVIDER__COUNT), "invalid");
    assert_string_equal(ad_transport_name(AD_TRANSPORT_UNKNOWN), "unknown");
    assert_string_equal(ad_transport_name(AD_TRANSPORT_UDP), "udp");
    assert_string_equal(ad_transport_name(AD_TRANSPORT_TCP), "tcp");
    assert_string_equal(ad_transport_name(AD_TRANSPORT_DOT), "dot");
    assert_string_equal(ad_transport_name(AD_TRANSPORT_DOH), "doh");
    assert_string_equal(ad_transport_name(AD_TRANSPORT__COUNT), "invalid");
    assert_string_equal(ad_transport_name((ad_transport)7), "invalid");
}

static void test_event_init_and_set_str(void **state)
{
    ad_event ev;
    memset(&ev, 0x5A, sizeof(ev));
    ad_event_init(&ev);
    assert_int_equal(ev.hdr.version, 2);
    assert_int_equal(ev.hdr.present, 0);
    assert_int_equal(ev.hdr.bits, 0);
    assert_int_equal(ev.hdr.src.family, 0);
    assert_true(ev.hdr.time_ns == 0);
    for (int i = 0; i < AD_STR__COUNT; i++) {
        assert_null(ev.str[i].ptr);
        assert_int_equal(ev.str[i].len, 0);
    }
    assert_null(ev.packet.ptr);
    const char *text = "zone.example";
    ad_event_set_str(&ev, AD_STR_ZONE, text, 4);
    assert_ptr_equal(ev.str[AD_STR_ZONE].ptr, text);
    assert_int_equal(ev.str[AD_STR_ZONE].len, 4);
    ad_event copy = ev;
    ad_event_set_str(&ev, AD_STR__COUNT, text, 4); /* out of range: ignored */
    assert_memory_equal(&copy, &ev, sizeof(ev));
}

static void test_addr_set(void **state)
{
    static const uint8_t v4[4] = {192, 0, 2, 1};
    uint8_t v6[16];
    for (int i = 0; i < 16; i++)
        v6[i] = (uint8_t)(0xF0 + i);
    ad_addr a;
    memset(&a, 0x77, sizeof(a));
    ad_addr_set_ipv4(&a, v4, 53);
    assert_int_equal(a.family, 4);
    assert_int_equal(a.has_port, 1);
    assert_int_equal(a.port, 53);
    assert_memory_equal(a.bytes, "\xC0\x00\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    ad_addr_set_ipv4(&a, v4, -1);
    assert_int_equal(a.has_port, 0);
    assert_int_equal(a.port, 0);
    ad_addr_set_ipv4(&a, v4, 0);
    assert_int_equal(a.has_port, 1);
    assert_int_equal(a.port, 0);
    ad_addr_set_ipv4(&a, v4, 65535);
    assert_int_equal(a.port, 65535);
    ad_addr_set_ipv4(&a, v4, 65536);
    assert_int_equal(a.has_port, 0);
    assert_int_equal(a.port, 0);
    ad_addr_set_ipv6(&a, v6, 853);
    assert_int_equal(a.family, 6);
    assert_int_equal(a.has_port, 1);
    assert_int_equal(a.port, 853);
    assert_memory_equal(a.bytes, v6, 16);
}

/* ---- address parsing and formatting ---- */

typedef struct addr_case {
    const char *text;
    int family; /* 0: must be rejected */
    uint8_t bytes[16];
} addr_case;

static const addr_case parse_ok[] = {
    {"0.0.0.0", 4, {0}},
    {"255.255.255.255", 4, {255, 255, 255, 255}},
    {"10.0.0.1", 4, {10, 0, 0, 1}},
    {"192.0.2.33", 4, {192, 0, 2, 33}},
    {"::", 6, {0}},
    {"::1", 6, {[15] = 1}},
    {"1::", 6, {0, 1}},
    {"fe80::1", 6, {0xfe, 0x80, [15] = 1}},
    {"FE80::ABCD", 6, {0xfe, 0x80, [14] = 0xab, 0xcd}},
    {"2001:db8::2:1", 6, {0x20, 0x01, 0x0d, 0xb8, [13] = 2, [15] = 1}},
    {"1:2:3:4:5:6:7:8", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"1:2:3:4:5:6:7::", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}},
    {"::2:3:4:5:6:7:8", 6, {0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"1:2:3::6:7:8", 6, {0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 6, 0, 7, 0, 8}},
    {"0000:0000:0000:0000:0000:0000:0000:0001", 6, {[15] = 1}},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     6,
     {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}},
    {"::ffff:1.2.3.4", 6, {[10] = 0xff, 0xff, 1, 2, 3, 4}},
    {"::FFFF:192.0.2.128", 6, {[10] = 0xff, 0xff, 192, 0, 2, 128}},
    {"64:ff9b::192.0.2.33", 6, {0, 0x64, 0xff, 0x9b, [12] = 192, 0, 2, 33}},
    {"1:2:3:4:5:6:1.2.3.4", 6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4}},
    {"::1.2.3.4", 6, {[12] = 1, 2, 3, 4}},
    {"0:0:0:0:0:ffff:255.255.255.255", 6, {[10] = 0xff, 0xff, 255, 255, 255, 255}},
};

static const char *const parse_bad[] = {
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "1.2.3.256",
    "01.2.3.4",
    "1.2.3.00",
    "1..2.3",
    ".1.2.3",
    "1.2.3.",
    "1.2.3.4 ",
    " 1.2.3.4",
    "a.b.c.d",
    "1.2.3.-4",
    "1234.1.1.1",
    "0x1.2.3.4",
    ":",
    ":::",
    ":1",
    "1:",
    ":1::",
    "1::2::3",
    "1:::2",
    "12345::",
    "g::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "1:2:3:4::5:6:7:8",
    "fe80::1%eth0",
    "fe80::1%",
    "fe80::1%1",
    "[::1]",
    "::1.2.3",
    "::1.2.3.4.5",
    "::256.1.1.1",
    "::01.2.3.4",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "::1.2.3.4:",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::ffff:1.2.3.4%eth0",
    "1.2.3.4/24",
    "::1/128",
    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550",
};

static void test_addr_parse_ok(void **state)
{
    for (size_t i = 0; i < sizeof(parse_ok) / sizeof(parse_ok[0]); i++) {
        ad_addr a;
        memset(&a, 0xEE, sizeof(a));
        a.has_port = 1;
        a.port = 5353;
        const char *t = parse_ok[i].text;
        if (ad_addr_parse(&a, t, strlen(t)) != AD_OK)
            fail_msg("rejected %s", t);
        assert_int_equal(a.family, parse_ok[i].family);
        size_t n = parse_ok[i].family == 4 ? 4 : 16;
        assert_memory_equal(a.bytes, parse_ok[i].bytes, n);
        assert_int_equal(a.has_port, 1); /* port untouched */
        assert_int_equal(a.port, 5353);
    }
}

static void test_addr_parse_ipv4_clears_tail(void **state)
{
    ad_addr a;
    memset(&a, 0xEE, sizeof(a));
    assert_int_equal(ad_addr_parse(&a, "1.2.3.4", 7), AD_OK);
    assert_memory_equal(a.bytes, "\x01\x02\x03\x04\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_addr_parse_bad(void **state)
{
    for (size_t i = 0; i < sizeof(parse_bad) / sizeof(parse_bad[0]); i++) {
        ad_addr a, before;
        memset(&a, 0x3C, sizeof(a));
        before = a;
        const char *t = parse_bad[i];
        if (ad_addr_parse(&a, t, strlen(t)) != AD_EFORMAT)
            fail_msg("accepted %s", t);
        assert_memory_equal(&a, &before, sizeof(a)); /* untouched on failure */
    }
}

/* Only len bytes are read; NUL is just a bad character; long text is refused early. */
static void test_addr_parse_bounds(void **state)
{
    ad_addr a;
    assert_int_equal(ad_addr_parse(&a, "10.0.0.1xyz", 8), AD_OK);
    assert_memory_equal(a.bytes, "\x0A\x00\x00\x01", 4);
    assert_int_equal(ad_addr_parse(&a, "10.0.0.1", 6), AD_EFORMAT); /* "10.0.0" */
    assert_int_equal(ad_addr_parse(&a, "::1\0", 4), AD_EFORMAT);
    assert_int_equal(ad_addr_parse(&a, "1.2.3.4\0", 8), AD_EFORMAT);
    assert_int_equal(ad_addr_parse(&a, "", 0), AD_EFORMAT);
    assert_int_equal(ad_addr_parse(&a, NULL, 0), AD_EFORMAT);
    /* 45 characters is the longest valid text (six groups of four and a dotted quad). */
    static const char longest[] = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    assert_int_equal(strlen(longest), 45);
    assert_int_equal(ad_addr_parse(&a, longest, 45), AD_OK);
    static const char padded[] = "0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    assert_int_equal(ad_addr_parse(&a, padded, 46), AD_EFORMAT);
}

typedef struct format_case {
    int family;
    uint8_t bytes[16];
    const char *text;
} format_case;

static const format_case format_cases[] = {
    {4, {0, 0, 0, 0}, "0.0.0.0"},
    {4, {255, 255, 255, 255}, "255.255.255.255"},
    {4, {10, 0, 0, 1}, "10.0.0.1"},
    {4, {192, 168, 100, 9}, "192.168.100.9"},
    {6, {0}, "::"},
    {6, {[15] = 1}, "::1"},
    {6, {0, 1}, "1::"},
    {6, {0xfe, 0x80, [15] = 1}, "fe80::1"},
    /* RFC 5952 4.1: no leading zeros; 4.3: lowercase */
    {6, {0x20, 0x01, 0x0d, 0xb8, [12] = 0x0A, 0xBC, 0x00, 0x0F}, "2001:db8::abc:f"},
    /* 4.2.1: the longest run */
    {6, {0x20, 0x01, 0x0d, 0xb8, [13] = 2, [15] = 1}, "2001:db8::2:1"},
    {6, {0x20, 0x01, 0, 0, 0, 0, 0, 1, [15] = 1}, "2001:0:0:1::1"},
    /* 4.2.2: a single zero group is not compressed */
    {6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, "2001:db8:0:1:1:1:1:1"},
    /* 4.2.3: equal runs, the first is compressed */
    {6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, "2001:db8::1:0:0:1"},
    {6, {0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}, "1:0:0:2::3"},
    {6, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "1::"},
    {6, {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, "0:1:0:1:0:1:0:1"},
    {6, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}, "1:2:3:4:5:6:7:0"},
    {6, {0, 0, 0, 0, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}, "::3:4:5:6:7:8"},
    {6,
     {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    /* 5: IPv4-mapped in mixed notation */
    {6, {[10] = 0xff, 0xff, 192, 0, 2, 1}, "::ffff:192.0.2.1"},
    {6, {[10] = 0xff, 0xff, 0, 0, 0, 0}, "::ffff:0.0.0.0"},
    /* other embedded forms stay hexadecimal */
    {6, {[12] = 192, 0, 2, 1}, "::c000:201"},
    {6, {0, 0x64, 0xff, 0x9b, [12] = 192, 0, 2, 33}, "64:ff9b::c000:221"},
    {6, {[10] = 0xff, 0xfe, 192, 0, 2, 1}, "::fffe:c000:201"},
};

static void test_addr_format(void **state)
{
    for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
        ad_addr a;
        memset(&a, 0, sizeof(a));
        a.family = (uint8_t)format_cases[i].family;
        memcpy(a.bytes, format_cases[i].bytes, 16);
        char buf[AD_ADDR_TEXT_MAX];
        size_t n = ad_addr_format(&a, buf, sizeof(buf));
        assert_string_equal(buf, format_cases[i].text);
        assert_int_equal(n, strlen(format_cases[i].text));
        /* and the text parses back to the same bytes */
        ad_addr back;
        assert_int_equal(ad_addr_parse(&back, buf, n), AD_OK);
        assert_int_equal(back.family, a.family);
        assert_memory_equal(back.bytes, a.bytes, 16);
    }
}

static void test_addr_format_limits(void **state)
{
    ad_addr a;
    static const uint8_t v4[4] = {255, 255, 255, 255};
    ad_addr_set_ipv4(&a, v4, 80);
    char buf[AD_ADDR_TEXT_MAX];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(ad_addr_format(&a, buf, 15), 0); /* 15 chars need 16 bytes */
    assert_string_equal(buf, "");
    assert_int_equal(ad_addr_format(&a, buf, 16), 15);
    assert_string_equal(buf, "255.255.255.255");
    assert_int_equal(ad_addr_format(&a, buf, 0), 0);

    memset(&a, 0, sizeof(a)); /* family none */
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(ad_addr_format(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    a.family = 5;
    assert_int_equal(ad_addr_format(&a, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    assert_int_equal(ad_addr_format(NULL, buf, sizeof(buf)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_round_trip_fields),
        cmocka_unit_test(test_full_views_point_into_buffer),
        cmocka_unit_test(test_full_wire_bytes),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_encode_ignores_computed_fields),
        cmocka_unit_test(test_decode_ignores_trailing_bytes),
        cmocka_unit_test(test_decode_packet_not_text),
        cmocka_unit_test(test_reject_short),
        cmocka_unit_test(test_reject_version),
        cmocka_unit_test(test_version1_accepted),
        cmocka_unit_test(test_reject_size),
        cmocka_unit_test(test_reject_reserved),
        cmocka_unit_test(test_reject_flag_bits),
        cmocka_unit_test(test_reject_enums),
        cmocka_unit_test(test_reject_addresses),
        cmocka_unit_test(test_reject_lengths),
        cmocka_unit_test(test_reject_padding),
        cmocka_unit_test(test_reject_utf8),
        cmocka_unit_test(test_peek_size),
        cmocka_unit_test(test_encode_full_buffer),
        cmocka_unit_test(test_encode_rejects_bad_values),
        cmocka_unit_test(test_encode_rejects_bad_utf8),
        cmocka_unit_test(test_cap_string_exact_fit),
        cmocka_unit_test(test_cap_string),
        cmocka_unit_test(test_cap_string_utf8_boundary),
        cmocka_unit_test(test_cap_packet),
        cmocka_unit_test(test_cap_drop_packet),
        cmocka_unit_test(test_cap_exact_max_size),
        cmocka_unit_test(test_cap_level_all),
        cmocka_unit_test(test_cap_level_longest_only),
        cmocka_unit_test(test_cap_level_utf8),
        cmocka_unit_test(test_cap_checks_kept_text_only),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_event_init_and_set_str),
        cmocka_unit_test(test_addr_set),
        cmocka_unit_test(test_addr_parse_ok),
        cmocka_unit_test(test_addr_parse_ipv4_clears_tail),
        cmocka_unit_test(test_addr_parse_bad),
        cmocka_unit_test(test_addr_parse_bounds),
        cmocka_unit_test(test_addr_format),
        cmocka_unit_test(test_addr_format_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
