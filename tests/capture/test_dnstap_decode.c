/*
 * Unit tests for capture/dnstap_decode: payloads packed by protobuf-c from hand-set fields,
 * one per mapping row (dnstap_decode.h), plus every degraded and rejected input. Each decoded
 * event must also encode as a valid record (common/record.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/dnstap_decode.h"
#include "dnstap.pb-c.h"

/* www.example.com IN A, id 0x1234, RD. */
static const uint8_t query_a[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
                                  0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                  'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};
/* Its answer: QR RD RA, NOERROR, one A 192.0.2.7. */
static const uint8_t response_a[] = {
    0x12, 0x34, 0x81, 0x80, 0,   1,   0,   1,    0,    0,   0,   0,   3, 'w', 'w', 'w', 7,
    'e',  'x',  'a',  'm',  'p', 'l', 'e', 3,    'c',  'o', 'm', 0,   0, 1,   0,   1,   0xc0,
    0x0c, 0,    1,    0,    1,   0,   0,   0x0e, 0x10, 0,   4,   192, 0, 2,   7};
/* NXDOMAIN, AA. */
static const uint8_t response_nx[] = {0x12, 0x34, 0x85, 0x83, 0,   1,   0,   0,   0,   0,   0,
                                      0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                      'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};

static const uint8_t client4[4] = {192, 0, 2, 10};
static const uint8_t server4[4] = {192, 0, 2, 1};
static const uint8_t client6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t server6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

typedef struct fixture {
    Dnstap__Dnstap d;
    Dnstap__Message m;
    uint8_t buf[2048];
    size_t len;
    ad_dnstap_event out;
} fixture;

static fixture fx;

static ProtobufCBinaryData bin(const void *p, size_t n)
{
    ProtobufCBinaryData b;
    b.data = (uint8_t *)(uintptr_t)p;
    b.len = n;
    return b;
}

/* A message of the given type from client4:53000 to server4:53 over UDP, with identity. */
static void base(Dnstap__Message__Type type)
{
    ad_dnstap_event_release(&fx.out);
    dnstap__dnstap__init(&fx.d);
    dnstap__message__init(&fx.m);
    fx.d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
    fx.d.message = &fx.m;
    fx.d.has_identity = 1;
    fx.d.identity = bin("ns1", 3);
    fx.d.has_version = 1;
    fx.d.version = bin("unbound 1.17.1", 14);
    fx.m.type = type;
    fx.m.has_socket_family = 1;
    fx.m.socket_family = DNSTAP__SOCKET_FAMILY__INET;
    fx.m.has_socket_protocol = 1;
    fx.m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
    fx.m.has_query_address = 1;
    fx.m.query_address = bin(client4, 4);
    fx.m.has_response_address = 1;
    fx.m.response_address = bin(server4, 4);
    fx.m.has_query_port = 1;
    fx.m.query_port = 53000;
    fx.m.has_response_port = 1;
    fx.m.response_port = 53;
}

static void set_query(const uint8_t *msg, size_t n)
{
    fx.m.has_query_message = 1;
    fx.m.query_message = bin(msg, n);
    fx.m.has_query_time_sec = 1;
    fx.m.query_time_sec = 1732528800;
    fx.m.has_query_time_nsec = 1;
    fx.m.query_time_nsec = 500000000;
}

static void set_response(const uint8_t *msg, size_t n)
{
    fx.m.has_response_message = 1;
    fx.m.response_message = bin(msg, n);
    fx.m.has_response_time_sec = 1;
    fx.m.response_time_sec = 1732528800;
    fx.m.has_response_time_nsec = 1;
    fx.m.response_time_nsec = 520000000;
}

static ad_err decode(void)
{
    fx.len = dnstap__dnstap__pack(&fx.d, fx.buf);
    assert_true(fx.len <= sizeof(fx.buf));
    ad_err err = ad_dnstap_decode(fx.buf, fx.len, &fx.out);
    if (err == AD_OK) {
        /* Always a valid record. */
        uint8_t rec[AD_RECORD_MAX_SIZE];
        size_t rl;
        assert_int_equal(ad_record_encode(&fx.out.ev, rec, sizeof(rec), &rl), AD_OK);
        ad_event back;
        assert_int_equal(ad_record_decode(rec, rl, &back), AD_OK);
    }
    return err;
}

static void assert_str(ad_str_slot slot, const char *want)
{
    const ad_bytes *b = &fx.out.ev.str[slot];
    assert_int_equal(b->len, strlen(want));
    if (b->len > 0)
        assert_memory_equal(b->ptr, want, b->len);
}

static void assert_addr4(const ad_addr *a, const uint8_t *bytes, int port)
{
    assert_int_equal(a->family, AD_FAMILY_IPV4);
    assert_memory_equal(a->bytes, bytes, 4);
    assert_int_equal(a->has_port, 1);
    assert_int_equal(a->port, port);
}

static void test_client_query(void **state)
{
    (void)state;
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    set_query(query_a, sizeof(query_a));
    assert_int_equal(decode(), AD_OK);
    const ad_record_hdr *h = &fx.out.ev.hdr;
    assert_int_equal(h->source, AD_SOURCE_DNSTAP);
    assert_int_equal(h->provider, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(h->event_id, 256);
    assert_int_equal(h->dnstap_type, 5);
    assert_addr4(&h->src, client4, 53000);
    assert_addr4(&h->dst, server4, 53);
    assert_int_equal(h->transport, AD_TRANSPORT_UDP);
    assert_true(h->present & AD_HAS_TRANSPORT);
    assert_true(h->time_ns == 1732528800500000000ull);
    assert_str(AD_STR_QNAME, "www.example.com.");
    assert_int_equal(h->qtype, 1);
    assert_int_equal(h->xid, 0x1234);
    assert_int_equal(h->dns_flags, 0x0100);
    assert_true(h->present & AD_HAS_QTYPE);
    assert_true(h->present & AD_HAS_XID);
    assert_true(h->bits & AD_BIT_RD);
    assert_false(h->bits & (AD_BIT_RESPONSE | AD_BIT_AA | AD_REC_PARTIAL));
    assert_false(h->present & (AD_HAS_RCODE | AD_HAS_ELAPSED));
    assert_str(AD_STR_IDENTITY, "ns1");
    assert_str(AD_STR_VERSION, "unbound 1.17.1");
    assert_int_equal(fx.out.ev.packet.len, sizeof(query_a));
    assert_memory_equal(fx.out.ev.packet.ptr, query_a, sizeof(query_a));
    assert_int_equal(fx.out.dns_err, AD_OK);
}

static void test_client_response_success(void **state)
{
    (void)state;
    base(DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    fx.m.socket_family = DNSTAP__SOCKET_FAMILY__INET6;
    fx.m.query_address = bin(client6, 16);
    fx.m.response_address = bin(server6, 16);
    fx.m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__TCP;
    set_query(query_a, sizeof(query_a));
    fx.m.has_query_message = 0;
    set_response(response_a, sizeof(response_a));
    assert_int_equal(decode(), AD_OK);
    const ad_record_hdr *h = &fx.out.ev.hdr;
    assert_int_equal(h->event_id, 257);
    assert_int_equal(h->dnstap_type, 6);
    /* sender = server, receiver = client */
    assert_int_equal(h->src.family, AD_FAMILY_IPV6);
    assert_memory_equal(h->src.bytes, server6, 16);
    assert_int_equal(h->src.port, 53);
    assert_memory_equal(h->dst.bytes, client6, 16);
    assert_int_equal(h->dst.port, 53000);
    assert_int_equal(h->transport, AD_TRANSPORT_TCP);
    assert_true(h->bits & AD_BIT_RESPONSE);
    assert_true(h->present & AD_HAS_RCODE);
    assert_int_equal(h->rcode, 0);
    /* The answers are the exporter's to format (DnsResponseName): the capture ships the raw
       response in the packet slot and no text. */
    assert_str(AD_STR_RESULTS, "");
    assert_int_equal(fx.out.ev.packet.len, sizeof(response_a));
    assert_memory_equal(fx.out.ev.packet.ptr, response_a, sizeof(response_a));
    assert_str(AD_STR_QNAME, "www.example.com.");
    assert_true(h->time_ns == 1732528800520000000ull);
    assert_true(h->present & AD_HAS_ELAPSED);
    assert_int_equal(h->elapsed_ms, 20);
    assert_false(h->bits & AD_REC_PARTIAL);
}

static void test_client_response_failure(void **state)
{
    (void)state;
    base(DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    set_response(response_nx, sizeof(response_nx));
    assert_int_equal(decode(), AD_OK);
    const ad_record_hdr *h = &fx.out.ev.hdr;
    assert_int_equal(h->event_id, 258);
    assert_int_equal(h->rcode, 3);
    assert_true(h->bits & AD_BIT_AA);
    assert_str(AD_STR_RESULTS, "");
    assert_false(h->present & AD_HAS_ELAPSED);
    assert_addr4(&h->src, server4, 53);
    assert_addr4(&h->dst, client4, 53000);
}

static void test_mapping_table(void **state)
{
    (void)state;
    static const struct {
        Dnstap__Message__Type type;
        bool response;
        const uint8_t *msg;
        size_t len;
        uint16_t id;
    } rows[] = {
        {DNSTAP__MESSAGE__TYPE__AUTH_QUERY, false, query_a, sizeof(query_a), 256},
        {DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE, true, response_a, sizeof(response_a), 257},
        {DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE, true, response_nx, sizeof(response_nx), 258},
        {DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY, false, query_a, sizeof(query_a), 260},
        {DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, true, response_a, sizeof(response_a), 261},
        {DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE, true, response_nx, sizeof(response_nx), 261},
        {DNSTAP__MESSAGE__TYPE__FORWARDER_QUERY, false, query_a, sizeof(query_a), 260},
        {DNSTAP__MESSAGE__TYPE__FORWARDER_RESPONSE, true, response_nx, sizeof(response_nx), 261},
        {DNSTAP__MESSAGE__TYPE__CLIENT_QUERY, false, query_a, sizeof(query_a), 256},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        base(rows[i].type);
        if (rows[i].response)
            set_response(rows[i].msg, rows[i].len);
        else
            set_query(rows[i].msg, rows[i].len);
        assert_int_equal(decode(), AD_OK);
        assert_int_equal(fx.out.ev.hdr.event_id, rows[i].id);
        assert_int_equal(fx.out.ev.hdr.dnstap_type, rows[i].type);
        assert_int_equal(!!(fx.out.ev.hdr.bits & AD_BIT_RESPONSE), rows[i].response);
        assert_int_equal(!!(fx.out.ev.hdr.present & AD_HAS_RCODE), rows[i].response);
        if (rows[i].response)
            assert_addr4(&fx.out.ev.hdr.src, server4, 53);
        else
            assert_addr4(&fx.out.ev.hdr.src, client4, 53000);
    }
    assert_int_equal(ad_dnstap_event_id(0), 0);
    assert_int_equal(ad_dnstap_event_id(99), 0);
}

static void test_unsupported(void **state)
{
    (void)state;
    for (int t = 9; t <= 14; t++) {
        base((Dnstap__Message__Type)t);
        set_query(query_a, sizeof(query_a));
        assert_int_equal(decode(), AD_EUNSUPP);
    }
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    fx.d.message = NULL;
    assert_int_equal(decode(), AD_EUNSUPP);
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    fx.d.type = (Dnstap__Dnstap__Type)2;
    assert_int_equal(decode(), AD_EUNSUPP);
}

static void test_malformed_payload(void **state)
{
    (void)state;
    ad_dnstap_event_release(&fx.out);
    assert_int_equal(ad_dnstap_decode((const uint8_t *)"", 0, &fx.out), AD_EFORMAT);
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ad_dnstap_decode(junk, sizeof(junk), &fx.out), AD_EFORMAT);
    /* A valid payload cut short. */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    set_query(query_a, sizeof(query_a));
    assert_int_equal(decode(), AD_OK);
    for (size_t n = 0; n + 1 < fx.len; n++) {
        ad_dnstap_event_release(&fx.out);
        ad_err err = ad_dnstap_decode(fx.buf, n, &fx.out);
        assert_true(err == AD_EFORMAT || err == AD_EUNSUPP || err == AD_OK);
    }
    ad_dnstap_event_release(&fx.out);
    /* Dnstap without the required type field: field 14 only. */
    const uint8_t no_type[] = {0x72, 0x02, 0x08, 0x05};
    assert_int_equal(ad_dnstap_decode(no_type, sizeof(no_type), &fx.out), AD_EFORMAT);
    ad_dnstap_event_release(&fx.out);
}

/* The status ad_dnstap_decode must give for what protobuf-c's generated unpack made of it. */
static ad_err expected_status(const Dnstap__Dnstap *pb)
{
    if (pb == NULL)
        return AD_EFORMAT;
    if (pb->type != DNSTAP__DNSTAP__TYPE__MESSAGE || pb->message == NULL)
        return AD_EUNSUPP;
    return ad_dnstap_event_id((uint32_t)pb->message->type) == 0 ? AD_EUNSUPP : AD_OK;
}

/*
 * The decoder's own protobuf wire walker against protobuf-c's unpack of the generated code, on
 * 60000 mutations (bytes changed, inserted, deleted, cut, fields appended) of valid payloads:
 * the same payloads rejected, the same status, and the same message type, times and DNS id.
 */
static void test_wire_walker_agrees_with_protobuf_c(void **state)
{
    (void)state;
    uint8_t seeds[4][2048];
    size_t seed_len[4];
    static const uint8_t zone[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    for (int k = 0; k < 4; k++) {
        base(k % 2 ? DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE : DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
        set_query(query_a, sizeof(query_a));
        if (k % 2)
            set_response(response_a, sizeof(response_a));
        if (k >= 2) {
            fx.m.has_query_zone = 1;
            fx.m.query_zone = bin(zone, sizeof(zone));
            fx.m.socket_family = DNSTAP__SOCKET_FAMILY__INET6;
            fx.m.query_address = bin(client6, 16);
            fx.m.response_address = bin(server6, 16);
        }
        seed_len[k] = dnstap__dnstap__pack(&fx.d, seeds[k]);
    }
    uint64_t x = 0x9e3779b97f4a7c15ULL;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    uint8_t buf[4096];
    unsigned rejected = 0, accepted = 0;
    for (int it = 0; it < 60000; it++) {
        int k = (int)(NEXT() % 4);
        size_t n = seed_len[k];
        memcpy(buf, seeds[k], n);
        int edits = 1 + (int)(NEXT() % 3);
        for (int e = 0; e < edits; e++) {
            size_t at = n ? (size_t)(NEXT() % n) : 0;
            switch (NEXT() % 5) {
            case 0: /* change a byte */
                if (n)
                    buf[at] = (uint8_t)NEXT();
                break;
            case 1: /* insert a byte */
                if (n + 1 < sizeof(buf)) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = (uint8_t)NEXT();
                    n++;
                }
                break;
            case 2: /* delete a byte */
                if (n) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                }
                break;
            case 3: /* cut */
                n = at;
                break;
            default: /* append a field: random tag byte and a few bytes */
                for (int j = 0, m = 1 + (int)(NEXT() % 4); j < m && n < sizeof(buf); j++)
                    buf[n++] = (uint8_t)NEXT();
                break;
            }
        }
        Dnstap__Dnstap *pb = dnstap__dnstap__unpack(NULL, n, buf);
        ad_err want = expected_status(pb);
        ad_err got = ad_dnstap_decode(buf, n, &fx.out);
        if (got != want) {
            for (size_t j = 0; j < n; j++)
                fprintf(stderr, "%02x%s", buf[j], j + 1 == n ? "\n" : " ");
            fail_msg("iteration %d (%zu bytes): decode %d, protobuf-c says %d", it, n, (int)got,
                     (int)want);
        }
        if (got == AD_OK) {
            const Dnstap__Message *m = pb->message;
            assert_int_equal(fx.out.ev.hdr.dnstap_type, (uint16_t)m->type);
            uint64_t qt = m->has_query_time_sec &&
                                  (!m->has_query_time_nsec || m->query_time_nsec < 1000000000u)
                              ? m->query_time_sec * 1000000000ull +
                                    (m->has_query_time_nsec ? m->query_time_nsec : 0)
                              : 0;
            if (m->has_query_time_sec &&
                m->query_time_sec > (UINT64_MAX - 1000000000ull) / 1000000000ull)
                qt = 0;
            assert_int_equal(fx.out.query_time_ns, qt);
            accepted++;
        } else if (got == AD_EFORMAT) {
            rejected++;
        }
        if (pb != NULL)
            dnstap__dnstap__free_unpacked(pb, NULL);
    }
#undef NEXT
    ad_dnstap_event_release(&fx.out);
    /* Both sides of the comparison were exercised. */
    assert_true(rejected > 1000);
    assert_true(accepted > 1000);
}

static void test_degraded(void **state)
{
    (void)state;
    /* Response without its message: 257, partial, no rcode. */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.ev.hdr.event_id, 257);
    assert_true(fx.out.ev.hdr.bits & AD_REC_PARTIAL);
    assert_false(fx.out.ev.hdr.present & AD_HAS_RCODE);
    assert_true(fx.out.ev.hdr.time_ns == 0);
    /* Query message shorter than a DNS header. */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    set_query(query_a, 11);
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.dns_err, AD_ETRUNC);
    assert_false(fx.out.dns.has_header);
    assert_true(fx.out.ev.hdr.bits & AD_REC_PARTIAL);
    assert_false(fx.out.ev.hdr.present & AD_HAS_XID);
    assert_int_equal(fx.out.ev.packet.len, 11);
    /* Question cut: header fields kept, no qname. */
    set_query(query_a, 20);
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.dns_err, AD_ETRUNC);
    assert_true(fx.out.dns.has_header);
    assert_true(fx.out.ev.hdr.present & AD_HAS_XID);
    assert_false(fx.out.ev.hdr.present & AD_HAS_QTYPE);
    assert_str(AD_STR_QNAME, "");
    /* Answer with bad RDATA: the capture reads only header and question, so the record is
       whole; the exporter finds the bad answer (and counts it). */
    uint8_t bad[sizeof(response_a)];
    memcpy(bad, response_a, sizeof(bad));
    bad[sizeof(bad) - 5] = 5; /* RDLENGTH 5 for A, past the end */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    set_response(bad, sizeof(bad));
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.dns_err, AD_OK);
    assert_false(fx.out.ev.hdr.bits & AD_REC_PARTIAL);
    assert_str(AD_STR_QNAME, "www.example.com.");
    assert_str(AD_STR_RESULTS, "");
    assert_int_equal(fx.out.ev.packet.len, sizeof(bad));
    /* Identity that is not UTF-8: left out, partial. */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    set_query(query_a, sizeof(query_a));
    fx.d.identity = bin("\xff\xfe", 2);
    assert_int_equal(decode(), AD_OK);
    assert_str(AD_STR_IDENTITY, "");
    assert_str(AD_STR_VERSION, "unbound 1.17.1");
    assert_true(fx.out.ev.hdr.bits & AD_REC_PARTIAL);
    /* Addresses of the wrong size for the family, ports out of range: left out. */
    base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    set_query(query_a, sizeof(query_a));
    fx.m.query_address = bin(client6, 16);
    fx.m.response_port = 70000;
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.ev.hdr.src.family, AD_FAMILY_NONE);
    assert_int_equal(fx.out.ev.hdr.dst.family, AD_FAMILY_IPV4);
    assert_int_equal(fx.out.ev.hdr.dst.has_port, 0);
    /* No family: inferred from the length. */
    fx.m.has_socket_family = 0;
    assert_int_equal(decode(), AD_OK);
    assert_int_equal(fx.out.ev.hdr.src.family, AD_FAMILY_IPV6);
    /* Bad nanoseconds: the time is not used; the response time is the fallback. */
    fx.m.query_time_nsec = 1000000000u;
    fx.m.has_response_time_sec = 1;
    fx.m.response_time_sec = 7;
    assert_int_equal(decode(), AD_OK);
    assert_true(fx.out.ev.hdr.time_ns == 7000000000ull);
    /* Seconds that overflow ns. */
    fx.m.query_time_sec = UINT64_MAX;
    fx.m.query_time_nsec = 0;
    fx.m.has_response_time_sec = 0;
    assert_int_equal(decode(), AD_OK);
    assert_true(fx.out.ev.hdr.time_ns == 0);
    ad_dnstap_event_release(&fx.out);
}

static void test_transport_and_zone(void **state)
{
    (void)state;
    static const struct {
        Dnstap__SocketProtocol p;
        uint8_t t;
    } rows[] = {
        {DNSTAP__SOCKET_PROTOCOL__UDP, AD_TRANSPORT_UDP},
        {DNSTAP__SOCKET_PROTOCOL__TCP, AD_TRANSPORT_TCP},
        {DNSTAP__SOCKET_PROTOCOL__DOT, AD_TRANSPORT_DOT},
        {DNSTAP__SOCKET_PROTOCOL__DOH, AD_TRANSPORT_DOH},
        {DNSTAP__SOCKET_PROTOCOL__DNSCryptUDP, AD_TRANSPORT_UDP},
        {DNSTAP__SOCKET_PROTOCOL__DNSCryptTCP, AD_TRANSPORT_TCP},
        {DNSTAP__SOCKET_PROTOCOL__DOQ, AD_TRANSPORT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        base(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
        set_query(query_a, sizeof(query_a));
        fx.m.socket_protocol = rows[i].p;
        assert_int_equal(decode(), AD_OK);
        assert_int_equal(fx.out.ev.hdr.transport, rows[i].t);
        assert_int_equal(!!(fx.out.ev.hdr.present & AD_HAS_TRANSPORT),
                         rows[i].t != AD_TRANSPORT_UNKNOWN);
    }
    base(DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
    set_query(query_a, sizeof(query_a));
    fx.m.has_query_zone = 1;
    fx.m.query_zone = bin(query_a + 16, sizeof(query_a) - 16 - 4); /* "example.com." */
    assert_int_equal(decode(), AD_OK);
    assert_str(AD_STR_ZONE, "example.com.");
    fx.m.query_zone = bin("\x05"
                          "ab",
                          3);
    assert_int_equal(decode(), AD_OK);
    assert_str(AD_STR_ZONE, "");
    assert_true(fx.out.ev.hdr.bits & AD_REC_PARTIAL);
    ad_dnstap_event_release(&fx.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_query),
        cmocka_unit_test(test_client_response_success),
        cmocka_unit_test(test_client_response_failure),
        cmocka_unit_test(test_mapping_table),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_malformed_payload),
        cmocka_unit_test(test_wire_walker_agrees_with_protobuf_c),
        cmocka_unit_test(test_degraded),
        cmocka_unit_test(test_transport_and_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
