/*
 * asimdns tests: ETW decoders, round trips. Every supported (event, version) is built from
 * field values by etw_vector_builder, decoded, and compared field by field; plus version
 * drift (trailing fields cut at every field boundary, legacy layouts), realistic vectors from
 * the facts, text/address handling and the API lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/etw_decode.h"
#include "etw_test_util.h"
#include "etw_vector_builder.h"

#define FLAGS64 0x0240 /* 64_BIT_HEADER | PROCESSOR_INDEX, as in facts §2.2 (S3) */
#define FLAGS32 0x0220

static ad_vb vb;
static ad_decode_scratch scratch;
static ad_event ev;

/*
 * A cut right after a BufferSize leaves its binary shorter than announced: a length beyond
 * the payload (AD_ERANGE), not drift. Any other cut inside the required fields: AD_ETRUNC.
 */
static ad_err cut_error(const ad_vb *b, size_t k)
{
    if (k > 0 && k < b->nfields && b->fields[k - 1].kind == VB_BUFSIZE &&
        b->fields[k].end > b->fields[k].start)
        return AD_ERANGE;
    return AD_ETRUNC;
}

static void server_roundtrip(uint16_t id, bool legacy, const ad_vb_values *v)
{
    assert_true(ad_vb_server_event(&vb, id, legacy, v));
    assert_false(vb.overflow);
    ad_err err =
        etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch);
    if (err != AD_OK) {
        print_error("event %u legacy %d: %s at %s+%u\n", id, legacy, ad_err_name(err),
                    scratch.diag.field ? scratch.diag.field : "-", scratch.diag.offset);
        fail();
    }
    etw_test_check(&vb, vb.len, v, AD_PROVIDER_DNS_SERVER, id, 0, legacy, &ev);
    assert_int_equal(scratch.diag.layout, legacy ? AD_ETW_LAYOUT_LEGACY : AD_ETW_LAYOUT_CURRENT);
    assert_int_equal(scratch.diag.trailing, 0);
    assert_null(scratch.diag.field);
}

static void test_server_all_events(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    for (uint16_t id = 256; id <= 291; id++)
        server_roundtrip(id, false, &v);

    /* Other values: TCP, all booleans flipped, IPv6 peers, port 0 (unknown). */
    v.tcp = 1;
    v.rd = 0;
    v.aa = 0;
    v.ad = 1;
    v.dnssec = 0;
    v.secure = 0;
    v.peer_ip = "2001:db8::53";
    v.iface_ip = "fe80::1";
    v.port = 0;
    v.rcode = 0;
    v.flags = 0x0100;
    for (uint16_t id = 256; id <= 291; id++)
        server_roundtrip(id, false, &v);
}

static void test_server_legacy_layouts(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    for (uint16_t id = 259; id <= 262; id++)
        server_roundtrip(id, true, &v);
    /* Values that make the shifted 2025 reading look plausible. */
    v.port = 53;
    v.flags = 0x0100;
    v.recursion_scope = "Default";
    for (uint16_t id = 259; id <= 262; id++)
        server_roundtrip(id, true, &v);
    for (uint16_t id = 259; id <= 262; id++)
        server_roundtrip(id, false, &v);
}

/* Cutting the payload at every field boundary: a partial record or AD_ETRUNC (facts §2.6). */
static void test_server_drift_every_boundary(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    for (uint16_t id = 256; id <= 291; id++) {
        assert_true(ad_vb_server_event(&vb, id, false, &v));
        size_t required = etw_test_required(id, vb.nfields);
        for (size_t k = 0; k <= vb.nfields; k++) {
            size_t cut = k == 0 ? 0 : vb.fields[k - 1].end;
            ad_err err =
                etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, vb.buf, cut, &ev, &scratch);
            if (id >= 259 && id <= 262 && err == AD_OK && (ev.hdr.bits & AD_REC_LEGACY_LAYOUT)) {
                /* A cut 2025 payload may read as a complete legacy one (e.g. 262 cut after
                 * RecursionScope); documented in etw_decode_server.c. */
                etw_test_check_encodes(&ev);
            } else if (k < required || cut_error(&vb, k) == AD_ERANGE) {
                if (err != cut_error(&vb, k)) {
                    print_error("event %u cut after %zu fields: %s\n", id, k, ad_err_name(err));
                    fail();
                }
                assert_int_equal(ev.hdr.present, 0);
                assert_int_equal(ev.hdr.event_id, id);
                assert_int_equal(scratch.diag.layout, AD_ETW_LAYOUT_NONE);
                assert_non_null(scratch.diag.field);
            } else {
                if (err != AD_OK) {
                    print_error("event %u cut after %zu fields: %s\n", id, k, ad_err_name(err));
                    fail();
                }
                etw_test_check(&vb, cut, &v, AD_PROVIDER_DNS_SERVER, id, 0, false, &ev);
                if (k < vb.nfields) {
                    assert_non_null(scratch.diag.field);
                    assert_int_equal(scratch.diag.offset, cut);
                }
            }
        }
    }
}

/* facts §2.6: Server 2022 257 has no StaleRecordsPresent; S7 (2016) 256 ends at PacketData. */
static void test_server_known_drift(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    size_t cut = vb.fields[vb.nfields - 2].end;
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, cut, &ev, &scratch),
        AD_OK);
    assert_true(ev.hdr.bits & AD_REC_PARTIAL);
    assert_string_equal(scratch.diag.field, "StaleRecordsPresent");
    assert_true(etw_test_str_eq(ev.str[AD_STR_GUID], v.guid));
    assert_true(ev.hdr.present & AD_HAS_ELAPSED);

    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    cut = vb.fields[10].end; /* through PacketData */
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, cut, &ev, &scratch),
        AD_OK);
    assert_true(ev.hdr.bits & AD_REC_PARTIAL);
    assert_string_equal(scratch.diag.field, "AdditionalInfo");
    assert_int_equal(ev.str[AD_STR_GUID].len, 0);
    assert_int_equal(ev.packet.len, v.packet_len);
}

/* Values seen in real events (facts §2.5: S3, S6) through the raw writer API. */
static void test_server_realistic_vectors(void **state)
{
    (void)state;
    static const uint8_t pkt[] = {0x00, 0x07, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
                                  0x00, 0x06, 'g',  'o',  'o',  'g',  'l',  'e',  0x02, 'e',  's',
                                  0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
                                  0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 0x8e, 0xfa, 0xb8, 0x03};
    /* 257 RESPONSE_SUCCESS: XID=7, Flags=33152 (0x8180), Zone ..Cache, Scope Default */
    ad_vb_init(&vb);
    ad_vb_u8(&vb, VB_TCP, 0);
    ad_vb_ansi(&vb, VB_IFACE, "172.31.87.64");
    ad_vb_ansi(&vb, VB_PEER, "172.31.87.64");
    ad_vb_u8(&vb, VB_AA, 0);
    ad_vb_u8(&vb, VB_AD, 0);
    ad_vb_ansi(&vb, VB_QNAME, "google.es.");
    ad_vb_u32(&vb, VB_QTYPE, 1);
    ad_vb_u32(&vb, VB_XID, 7);
    ad_vb_u8(&vb, VB_DNSSEC, 0);
    ad_vb_u32(&vb, VB_RCODE, 0);
    ad_vb_u32(&vb, VB_PORT, 59560);
    ad_vb_u32(&vb, VB_FLAGS, 33152);
    ad_vb_utf16(&vb, VB_ZONE_SCOPE, "Default");
    ad_vb_utf16(&vb, VB_ZONE, "..Cache");
    ad_vb_utf16(&vb, VB_POLICY, "NULL");
    ad_vb_packet(&vb, pkt, sizeof pkt);
    ad_vb_utf16(&vb, VB_ADDITIONAL, ".");
    ad_vb_u32(&vb, VB_ELAPSED, 0);
    ad_vb_utf16(&vb, VB_GUID, "{BF629903-4288-435F-9182-470BEDF5C0A4}");
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 257, 0, 0x0240, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_true(ev.hdr.bits & AD_REC_PARTIAL); /* 2022: no StaleRecordsPresent */
    assert_int_equal(ev.hdr.xid, 7);
    assert_int_equal(ev.hdr.dns_flags, 0x8180);
    assert_int_equal(ev.hdr.transport, AD_TRANSPORT_UDP);
    assert_int_equal(ev.hdr.dst.port, 59560);
    assert_int_equal(ev.hdr.dst.has_port, 1);
    assert_int_equal(ev.hdr.src.has_port, 0);
    assert_int_equal(ev.hdr.src.family, AD_FAMILY_IPV4);
    static const uint8_t ip[4] = {172, 31, 87, 64};
    assert_memory_equal(ev.hdr.iface.bytes, ip, 4);
    assert_true(etw_test_str_eq(ev.str[AD_STR_QNAME], "google.es."));
    assert_true(etw_test_str_eq(ev.str[AD_STR_ZONE], "..Cache"));
    assert_true(etw_test_str_eq(ev.str[AD_STR_POLICY], "NULL"));
    assert_true(etw_test_str_eq(ev.str[AD_STR_ADDITIONAL], "."));
    assert_int_equal(ev.packet.len, sizeof pkt);
    /* XID and Flags agree with the packet header (facts §2.5). */
    assert_int_equal(((unsigned char)ev.packet.ptr[0] << 8) | (unsigned char)ev.packet.ptr[1],
                     ev.hdr.xid);
    assert_int_equal(((unsigned char)ev.packet.ptr[2] << 8) | (unsigned char)ev.packet.ptr[3],
                     ev.hdr.dns_flags);
    etw_test_check_encodes(&ev);

    /* 260 RECURSE_QUERY_OUT, S6: QXID=30291 equals the 256 XID; Port=0 means unknown. */
    ad_vb_values v;
    ad_vb_values_default(&v);
    v.qxid = 30291;
    v.xid = 40991;
    v.port = 0;
    v.peer_ip = "8.8.8.8";
    assert_true(ad_vb_server_event(&vb, 260, false, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 260, 0, 0x0240, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_int_equal(ev.hdr.qxid, 30291);
    assert_int_equal(ev.hdr.xid, 40991);
    assert_int_equal(ev.hdr.dst.has_port, 0);
    assert_int_equal(ev.hdr.dst.bytes[0], 8);
    assert_int_equal(ev.hdr.src.bytes[0], 172); /* the server itself sent it */
    assert_false(ev.hdr.bits & AD_REC_LEGACY_LAYOUT);
}

static void test_server_address_text(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const struct {
        const char *text;
        const char *canon; /* NULL: absent */
    } cases[] = {
        {"10.1.2.3", "10.1.2.3"},         {"fe80::1%12", "fe80::1"},
        {"[2001:db8::1]", "2001:db8::1"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
        {"0.0.0.0", "0.0.0.0"},           {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        v.peer_ip = cases[i].text;
        assert_true(ad_vb_server_event(&vb, 256, false, &v));
        assert_int_equal(
            etw_test_decode(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
            AD_OK);
        if (cases[i].canon == NULL) {
            assert_int_equal(ev.hdr.src.family, AD_FAMILY_NONE);
            assert_int_equal(ev.hdr.src.has_port, 0);
        } else {
            char text[AD_ADDR_TEXT_MAX];
            ad_addr_format(&ev.hdr.src, text, sizeof text);
            assert_string_equal(text, cases[i].canon);
            assert_int_equal(ev.hdr.src.port, v.port);
        }
        etw_test_check_encodes(&ev);
    }
}

static void test_server_ansi_text(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);

    /* Valid UTF-8 stays as it is (a view into UserData). */
    v.qname = "b\xc3\xbc"
              "cher.example.";
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_true(etw_test_str_eq(ev.str[AD_STR_QNAME], v.qname));
    assert_true(ev.str[AD_STR_QNAME].ptr >= (const char *)vb.buf &&
                ev.str[AD_STR_QNAME].ptr < (const char *)vb.buf + vb.len);

    /* Not UTF-8: read as Latin-1 (0xFC = u-umlaut, 0xE9 = e-acute). */
    v.qname = "b\xfc"
              "cher\xe9.";
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_true(etw_test_str_eq(ev.str[AD_STR_QNAME], "b\xc3\xbc"
                                                      "cher\xc3\xa9."));
    etw_test_check_encodes(&ev);
}

static void test_server_utf16_text(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    /* BMP, 3-byte and astral (surrogate pair) characters. */
    v.zone = "z\xc3\xa9ro-\xe2\x82\xac-\xf0\x9f\x98\x80.example";
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_true(etw_test_str_eq(ev.str[AD_STR_ZONE], v.zone));
    assert_int_equal(ev.hdr.bits & AD_REC_STR_TRUNCATED, 0);

    /* Long strings are cut at AD_RECORD_MAX_STR, on a character boundary. */
    static char long_zone[3 * 2000 + 1];
    for (int i = 0; i < 2000; i++)
        memcpy(long_zone + 3 * i, "\xe2\x82\xac", 3);
    long_zone[3 * 2000] = 0;
    v.zone = long_zone;
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_true(ev.hdr.bits & AD_REC_STR_TRUNCATED);
    assert_int_equal(ev.str[AD_STR_ZONE].len, (AD_RECORD_MAX_STR / 3) * 3);
    assert_memory_equal(ev.str[AD_STR_ZONE].ptr, long_zone, ev.str[AD_STR_ZONE].len);
    assert_true(etw_test_str_eq(ev.str[AD_STR_GUID], v.guid)); /* later strings still fine */
    etw_test_check_encodes(&ev);
}

static void test_server_trailing_bytes(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const uint8_t extra[5] = {1, 2, 3, 4, 5};
    for (uint16_t id = 256; id <= 291; id++) {
        assert_true(ad_vb_server_event(&vb, id, false, &v));
        size_t full = vb.len;
        ad_vb_binary(&vb, VB_IGNORED, extra, sizeof extra);
        assert_int_equal(
            etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
            AD_OK);
        vb.len = full; /* the extra bytes are not a field */
        vb.nfields--;
        if (!(id >= 259 && id <= 262))
            etw_test_check(&vb, full, &v, AD_PROVIDER_DNS_SERVER, id, 0, false, &ev);
        else
            etw_test_check_encodes(&ev);
        assert_int_equal(ev.hdr.bits & AD_REC_PARTIAL, 0);
        assert_int_equal(scratch.diag.trailing, sizeof extra);
    }
}

static void test_server_audit(void **state)
{
    (void)state;
    static const uint16_t ids[] = {513, 515, 516, 517, 518, 519, 520, 521, 536, 540, 569, 570, 586};
    ad_vb_values v;
    ad_vb_values_default(&v);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint16_t id = ids[i];
        assert_true(ad_vb_audit_event(&vb, id, &v));
        assert_int_equal(
            etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
            AD_OK);
        etw_test_check(&vb, vb.len, &v, AD_PROVIDER_DNS_SERVER, id, 0, false, &ev);
        assert_int_equal(scratch.diag.layout, AD_ETW_LAYOUT_AUDIT);
        /* Older builds without the trailing fields: a partial record. */
        for (size_t k = 1; k < vb.nfields; k++) {
            size_t cut = vb.fields[k - 1].end;
            ad_err err =
                etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, vb.buf, cut, &ev, &scratch);
            if (cut_error(&vb, k) == AD_ERANGE) {
                assert_int_equal(err, AD_ERANGE);
                continue;
            }
            assert_int_equal(err, AD_OK);
            etw_test_check(&vb, cut, &v, AD_PROVIDER_DNS_SERVER, id, 0, false, &ev);
        }
    }
    /* Every audit id with a template decodes an empty payload to an error or a record. */
    for (uint16_t id = 512; id <= 596; id++) {
        ad_err err =
            etw_test_decode(AD_PROVIDER_DNS_SERVER, id, 0, FLAGS64, NULL, 0, &ev, &scratch);
        bool supported = ad_etw_event_supported(AD_PROVIDER_DNS_SERVER, id);
        assert_int_equal(supported, !(id == 524 || id == 532 || id == 538 || id == 539));
        if (!supported)
            assert_int_equal(err, AD_EUNSUPP);
        else
            assert_true(err == AD_OK || err == AD_ETRUNC);
    }
}

static void client_roundtrip(uint16_t id, uint8_t version, unsigned ptr, const ad_vb_values *v)
{
    uint16_t flags = ptr == 4 ? FLAGS32 : FLAGS64;
    assert_false(vb.overflow);
    ad_err err =
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, id, version, flags, vb.buf, vb.len, &ev, &scratch);
    if (err != AD_OK) {
        print_error("client %u v%u ptr %u: %s at %s+%u\n", id, version, ptr, ad_err_name(err),
                    scratch.diag.field ? scratch.diag.field : "-", scratch.diag.offset);
        fail();
    }
    etw_test_check(&vb, vb.len, v, AD_PROVIDER_DNS_CLIENT, id, version, false, &ev);
    assert_int_equal(scratch.diag.layout, AD_ETW_LAYOUT_CURRENT);
    assert_int_equal(scratch.diag.trailing, 0);
}

static const uint16_t client_ids[] = {1013, 1014, 1015, 1016, 1017, 1018, 3000, 3001, 3002,
                                      3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011,
                                      3012, 3013, 3014, 3015, 3016, 3018, 3019, 3020};

static void test_client_all_versions(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    unsigned pairs = 0;
    for (size_t i = 0; i < sizeof client_ids / sizeof client_ids[0]; i++) {
        for (uint8_t ver = 0; ver <= 2; ver++) {
            for (unsigned ptr = 4; ptr <= 8; ptr += 4) {
                if (!ad_vb_client_event(&vb, client_ids[i], ver, ptr, &v))
                    continue;
                client_roundtrip(client_ids[i], ver, ptr, &v);
                pairs += ptr == 8;
            }
        }
    }
    assert_int_equal(pairs, 54); /* (event, version) pairs of facts §3.3/§3.4 covered */

    /* IPv4 SOCKADDRs, IPv6 server text, non-ASCII names. */
    static const uint8_t a4[4] = {192, 168, 2, 1};
    ad_addr_set_ipv4(&v.sock_peer, a4, 53);
    static const uint8_t a6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd};
    ad_addr_set_ipv6(&v.sock_result, a6, -1);
    v.server_ip = "fe80::1";
    v.qname = "stra\xc3\x9f"
              "e.example";
    v.local_addrs = "fe80::e440:4aab:776b:cdfa;192.168.2.103";
    for (size_t i = 0; i < sizeof client_ids / sizeof client_ids[0]; i++)
        for (uint8_t ver = 0; ver <= 2; ver++)
            if (ad_vb_client_event(&vb, client_ids[i], ver, 8, &v))
                client_roundtrip(client_ids[i], ver, 8, &v);
}

/* A version above the highest known decodes with the highest template; extra bytes ignored. */
static void test_client_newer_version(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    assert_true(ad_vb_client_event(&vb, 3008, 0, 8, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3008, 1, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_int_equal(ev.hdr.event_version, 1);
    assert_int_equal(ev.hdr.status, v.status);

    assert_true(ad_vb_client_event(&vb, 3020, 2, 8, &v));
    ad_vb_u32(&vb, VB_IGNORED, 77); /* a field a v3 might append */
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3020, 3, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_int_equal(ev.hdr.client_pid, v.client_pid);
    assert_int_equal(scratch.diag.trailing, 4);

    /* 3010 has no v2: a v2 event uses the v1 template. */
    assert_true(ad_vb_client_event(&vb, 3010, 1, 8, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3010, 2, 0, vb.buf, vb.len, &ev, &scratch), AD_OK);
    assert_int_equal(ev.hdr.client_pid, v.client_pid);
}

/* facts §3.4 / S11: the real 1015 Address bytes: AF_INET6 (23), port 53, fe80::1, scope 10. */
static void test_client_s11_sockaddr(void **state)
{
    (void)state;
    static const uint8_t addr[28] = {0x17, 0x00, 0x00, 0x35, 0, 0, 0, 0, 0xfe, 0x80, 0,    0, 0, 0,
                                     0,    0,    0,    0,    0, 0, 0, 0, 0,    1,    0x0a, 0, 0, 0};
    ad_vb_init(&vb);
    ad_vb_utf16(&vb, VB_QNAME, "settings-win.data.microsoft.com");
    ad_vb_u32(&vb, VB_IGNORED, sizeof addr);
    ad_vb_binary(&vb, VB_IGNORED, addr, sizeof addr);
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 1015, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    char text[AD_ADDR_TEXT_MAX];
    ad_addr_format(&ev.hdr.dst, text, sizeof text);
    assert_string_equal(text, "fe80::1");
    assert_int_equal(ev.hdr.dst.port, 53);
    assert_int_equal(ev.hdr.src.family, AD_FAMILY_NONE);
    assert_true(etw_test_str_eq(ev.str[AD_STR_QNAME], "settings-win.data.microsoft.com"));
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_CLIENT, 1015), "DnsServerTimeout");
}

/* facts §3.5 / S11: 3008 with its real values. */
static void test_client_s11_query_completed(void **state)
{
    (void)state;
    ad_vb_init(&vb);
    ad_vb_utf16(&vb, VB_QNAME, "cdn.xplosion.de");
    ad_vb_u32(&vb, VB_QTYPE, 28);
    ad_vb_u64(&vb, VB_QUERY_OPTIONS, 2392538375938048ull);
    ad_vb_u32(&vb, VB_STATUS, 0);
    ad_vb_utf16(&vb, VB_RESULTS, "2600:9000:20c3:3600:e:29d5:db00:93a1;::ffff:18.66.192.123;");
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3008, 0, FLAGS64, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
    assert_int_equal(ev.hdr.qtype, 28);
    assert_true(ev.hdr.query_options == 2392538375938048ull);
    assert_int_equal(ev.hdr.status, 0);
    assert_true(ev.hdr.present & AD_HAS_STATUS);
    assert_true(etw_test_str_eq(ev.str[AD_STR_RESULTS],
                                "2600:9000:20c3:3600:e:29d5:db00:93a1;::ffff:18.66.192.123;"));
    assert_true(ev.hdr.bits & AD_BIT_RESPONSE);
    etw_test_check_encodes(&ev);
}

static void test_client_server_text(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    /* A list: kept as text, the first entry is the peer. A name: text only. */
    static const struct {
        const char *text;
        const char *peer;
    } cases[] = {{"192.168.0.1;10.0.0.1", "192.168.0.1"}, {"dns.example", NULL}, {"", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ad_vb_init(&vb);
        ad_vb_utf16(&vb, VB_QNAME, "a.example");
        ad_vb_u32(&vb, VB_QTYPE, 1);
        ad_vb_utf16(&vb, VB_IGNORED, cases[i].text);
        assert_int_equal(etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3010, 0, FLAGS64, vb.buf, vb.len,
                                         &ev, &scratch),
                         AD_OK);
        assert_true(etw_test_str_eq(ev.str[AD_STR_SERVERS], cases[i].text));
        if (cases[i].peer == NULL) {
            assert_int_equal(ev.hdr.dst.family, AD_FAMILY_NONE);
        } else {
            char text[AD_ADDR_TEXT_MAX];
            ad_addr_format(&ev.hdr.dst, text, sizeof text);
            assert_string_equal(text, cases[i].peer);
        }
        etw_test_check_encodes(&ev);
    }
}

static void test_api_lookups(void **state)
{
    (void)state;
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_SERVER, 256), "QUERY_RECEIVED");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_SERVER, 291), "RECURSE_QUERY_TIMEOUT");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_SERVER, 515), "AUDIT");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_SERVER, 292), "UNKNOWN");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_CLIENT, 3008), "QueryCompleted");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_DNS_CLIENT, 3017), "UNKNOWN");
    assert_string_equal(ad_etw_event_name(AD_PROVIDER_UNKNOWN, 256), "UNKNOWN");
    unsigned server = 0, client = 0;
    for (unsigned id = 0; id <= 65535; id++) {
        server += ad_etw_event_supported(AD_PROVIDER_DNS_SERVER, (uint16_t)id);
        client += ad_etw_event_supported(AD_PROVIDER_DNS_CLIENT, (uint16_t)id);
    }
    assert_int_equal(server, 36 + 81);
    assert_int_equal(client, 26);
    assert_false(ad_etw_event_supported(AD_PROVIDER_UNKNOWN, 256));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_all_events),
        cmocka_unit_test(test_server_legacy_layouts),
        cmocka_unit_test(test_server_drift_every_boundary),
        cmocka_unit_test(test_server_known_drift),
        cmocka_unit_test(test_server_realistic_vectors),
        cmocka_unit_test(test_server_address_text),
        cmocka_unit_test(test_server_ansi_text),
        cmocka_unit_test(test_server_utf16_text),
        cmocka_unit_test(test_server_trailing_bytes),
        cmocka_unit_test(test_server_audit),
        cmocka_unit_test(test_client_all_versions),
        cmocka_unit_test(test_client_newer_version),
        cmocka_unit_test(test_client_s11_sockaddr),
        cmocka_unit_test(test_client_s11_query_completed),
        cmocka_unit_test(test_client_server_text),
        cmocka_unit_test(test_api_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
