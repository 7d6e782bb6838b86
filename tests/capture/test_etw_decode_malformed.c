/*
 * asimdns tests: ETW decoders on malformed payloads. Every error path: truncation at every
 * byte offset, missing terminators, lengths beyond the payload, invalid UTF-16, bad address
 * text and SOCKADDRs, oversized payloads, missing pointer size, unknown events, bad arguments.
 * Each must give a documented error (with *out reset to the identity) or a clean record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/etw_decode.h"
#include "etw_test_util.h"
#include "etw_vector_builder.h"

#define FLAGS64 0x0240

static ad_vb vb;
static ad_decode_scratch scratch;
static ad_event ev;

/* The state after an error: only the identity fields. */
static void assert_identity_only(uint16_t id)
{
    assert_int_equal(ev.hdr.event_id, id);
    assert_int_equal(ev.hdr.present, 0);
    assert_int_equal(ev.hdr.bits, 0);
    assert_int_equal(ev.hdr.src.family, AD_FAMILY_NONE);
    assert_int_equal(ev.hdr.dst.family, AD_FAMILY_NONE);
    assert_int_equal(ev.hdr.iface.family, AD_FAMILY_NONE);
    for (unsigned s = 0; s < AD_STR__COUNT; s++)
        assert_int_equal(ev.str[s].len, 0);
    assert_int_equal(ev.packet.len, 0);
    assert_int_equal(scratch.diag.layout, AD_ETW_LAYOUT_NONE);
}

/* Field index of the field containing byte offset `cut` (or starting at it). */
static size_t field_at(const ad_vb *b, size_t cut)
{
    for (size_t i = 0; i < b->nfields; i++)
        if (cut < b->fields[i].end || (cut == b->fields[i].start && cut == b->fields[i].end))
            return i;
    return b->nfields;
}

/*
 * Copy to a heap buffer of exactly `len` bytes so ASan catches any read past the end. The
 * copy lives until the next call, since the record's views may point into it.
 */
static unsigned char *last_copy;

static ad_err decode_exact(ad_provider p, uint16_t id, uint8_t ver, uint16_t flags, const void *buf,
                           size_t len)
{
    free(last_copy);
    last_copy = malloc(len > 0 ? len : 1);
    assert_non_null(last_copy);
    if (len > 0)
        memcpy(last_copy, buf, len);
    return etw_test_decode(p, id, ver, flags, len > 0 ? last_copy : NULL, len, &ev, &scratch);
}

/* The brief's case: every byte offset of a full 257 payload, checked exactly. */
static void test_truncate_257_every_offset(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    size_t required = etw_test_required(257, vb.nfields);
    for (size_t cut = 0; cut <= vb.len; cut++) {
        /* keep the copy alive while ev's views point into it */
        unsigned char *copy = malloc(cut > 0 ? cut : 1);
        memcpy(copy, vb.buf, cut);
        ad_err err =
            etw_test_decode(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, copy, cut, &ev, &scratch);
        size_t k = field_at(&vb, cut); /* fields [0, k) are complete */
        if (k < required) {
            /* BufferSize read, PacketData short: a length beyond the payload */
            bool in_packet = vb.fields[k].kind == VB_PACKET;
            assert_int_equal(err, in_packet ? AD_ERANGE : AD_ETRUNC);
            assert_identity_only(257);
            assert_int_equal(scratch.diag.offset, vb.fields[k].start);
        } else {
            assert_int_equal(err, AD_OK);
            /* fields cut in the middle are absent; the rest as built */
            etw_test_check(&vb, cut, &v, AD_PROVIDER_DNS_SERVER, 257, 0, false, &ev);
            assert_int_equal(scratch.diag.trailing, cut - (k > 0 ? vb.fields[k - 1].end : 0));
        }
        free(copy);
    }
}

/* Every server and client event at every byte offset: an error or a record that encodes. */
static void sweep(ad_provider p, uint16_t id, uint8_t ver, unsigned *ok, unsigned *errs)
{
    for (size_t cut = 0; cut <= vb.len; cut++) {
        unsigned char *copy = malloc(cut > 0 ? cut : 1);
        memcpy(copy, vb.buf, cut);
        ad_err err = etw_test_decode(p, id, ver, FLAGS64, copy, cut, &ev, &scratch);
        if (err == AD_OK) {
            (*ok)++;
            etw_test_check_encodes(&ev);
            if (p == AD_PROVIDER_DNS_CLIENT)
                assert_int_equal(cut, vb.len); /* every client field is required */
        } else {
            (*errs)++;
            assert_true(err == AD_ETRUNC || err == AD_ERANGE || err == AD_EFORMAT ||
                        err == AD_EUTF);
            assert_identity_only(id);
        }
        free(copy);
    }
}

static void test_truncate_all_events_every_offset(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    unsigned ok = 0, errs = 0;
    for (uint16_t id = 256; id <= 291; id++) {
        assert_true(ad_vb_server_event(&vb, id, false, &v));
        sweep(AD_PROVIDER_DNS_SERVER, id, 0, &ok, &errs);
        if (id >= 259 && id <= 262) {
            assert_true(ad_vb_server_event(&vb, id, true, &v));
            sweep(AD_PROVIDER_DNS_SERVER, id, 0, &ok, &errs);
        }
    }
    static const uint16_t audit[] = {513, 515, 519, 536, 569, 570, 586};
    for (size_t i = 0; i < sizeof audit / sizeof audit[0]; i++) {
        assert_true(ad_vb_audit_event(&vb, audit[i], &v));
        sweep(AD_PROVIDER_DNS_SERVER, audit[i], 0, &ok, &errs);
    }
    for (uint16_t id = 1013; id <= 3020; id++) {
        for (uint8_t ver = 0; ver <= 2; ver++) {
            if (!ad_vb_client_event(&vb, id, ver, 8, &v))
                continue;
            sweep(AD_PROVIDER_DNS_CLIENT, id, ver, &ok, &errs);
        }
    }
    assert_true(ok > 0 && errs > 0);
}

static void test_missing_terminators(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);

    /* ANSI QNAME (required) running to the end of the payload. */
    ad_vb_init(&vb);
    ad_vb_u8(&vb, VB_TCP, 0);
    ad_vb_ansi(&vb, VB_IFACE, "10.0.0.1");
    ad_vb_ansi(&vb, VB_PEER, "10.0.0.2");
    ad_vb_u8(&vb, VB_RD, 1);
    ad_vb_binary(&vb, VB_IGNORED, "google.es.", 10);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len),
                     AD_ETRUNC);
    assert_string_equal(scratch.diag.field, "QNAME");
    assert_identity_only(256);

    /* An IP text without terminator. */
    ad_vb_init(&vb);
    ad_vb_u8(&vb, VB_TCP, 0);
    ad_vb_binary(&vb, VB_IGNORED, "10.0.0.1", 8);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len),
                     AD_ETRUNC);
    assert_string_equal(scratch.diag.field, "InterfaceIP");

    /* UTF-16 Zone (required in 257) without terminator; odd trailing byte too. */
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    size_t zone_start = vb.fields[13].start;
    static const uint16_t units[] = {'a', 'b', 'c'};
    for (int odd = 0; odd <= 1; odd++) {
        vb.len = zone_start;
        vb.nfields = 13;
        ad_vb_utf16_units(&vb, VB_IGNORED, units, 3, false);
        if (odd)
            ad_vb_binary(&vb, VB_IGNORED, "\0", 1);
        assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len),
                         AD_ETRUNC);
        assert_string_equal(scratch.diag.field, "Zone");
        assert_int_equal(scratch.diag.offset, zone_start);
    }

    /* Optional GUID in 256 without terminator: partial record, GUID absent. */
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    size_t guid_start = vb.fields[12].start;
    vb.len = guid_start;
    vb.nfields = 12;
    ad_vb_utf16_units(&vb, VB_IGNORED, units, 3, false);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len), AD_OK);
    assert_true(ev.hdr.bits & AD_REC_PARTIAL);
    assert_int_equal(ev.str[AD_STR_GUID].len, 0);
    assert_true(etw_test_str_eq(ev.str[AD_STR_ADDITIONAL], v.additional));
    assert_string_equal(scratch.diag.field, "GUID");
    assert_int_equal(scratch.diag.trailing, 6);

    /* Client QueryName without terminator. */
    ad_vb_init(&vb);
    ad_vb_utf16_units(&vb, VB_IGNORED, units, 3, false);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_CLIENT, 3008, 0, FLAGS64, vb.buf, vb.len),
                     AD_ETRUNC);
    assert_string_equal(scratch.diag.field, "QueryName");
}

static void test_length_beyond_payload(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const uint32_t sizes[] = {28, 1000, 0x7FFFFFFFu, 0xFFFFFFFFu};
    static const uint16_t ids[] = {256, 257, 263, 275, 281};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        assert_true(ad_vb_server_event(&vb, ids[i], false, &v));
        size_t at = 0;
        for (size_t k = 0; k < vb.nfields; k++)
            if (vb.fields[k].kind == VB_BUFSIZE)
                at = vb.fields[k].start;
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            /* BufferSize larger than everything after it (27-byte packet + tail). */
            uint32_t size = sizes[s] == 28 ? (uint32_t)(vb.len - at - 4 + 1) : sizes[s];
            unsigned char copy[512];
            memcpy(copy, vb.buf, vb.len);
            copy[at] = (unsigned char)size;
            copy[at + 1] = (unsigned char)(size >> 8);
            copy[at + 2] = (unsigned char)(size >> 16);
            copy[at + 3] = (unsigned char)(size >> 24);
            assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, ids[i], 0, FLAGS64, copy, vb.len),
                             AD_ERANGE);
            assert_string_equal(scratch.diag.field, "PacketData");
            assert_identity_only(ids[i]);
        }
    }

    /* SOCKADDR AddressLength beyond the payload. */
    assert_true(ad_vb_client_event(&vb, 1015, 0, 8, &v));
    size_t at = vb.fields[1].start;
    vb.buf[at] = 200;
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_CLIENT, 1015, 0, FLAGS64, vb.buf, vb.len),
                     AD_ERANGE);
    assert_string_equal(scratch.diag.field, "Address");
}

static void test_invalid_utf16(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const struct {
        uint16_t units[4];
        size_t n;
    } bad[] = {
        {{'a', 0xD800, 'b'}, 3},       /* high surrogate, then not a low one */
        {{'a', 0xDC00}, 2},            /* lone low surrogate */
        {{0xD83D}, 1},                 /* high surrogate right before the terminator */
        {{0xD83D, 0xD83D, 0xDE00}, 3}, /* two highs */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* required Zone of 257 */
        assert_true(ad_vb_server_event(&vb, 257, false, &v));
        ad_vb tail = vb;
        vb.len = vb.fields[13].start;
        vb.nfields = 13;
        ad_vb_utf16_units(&vb, VB_IGNORED, bad[i].units, bad[i].n, true);
        ad_vb_binary(&vb, VB_IGNORED, tail.buf + tail.fields[13].end,
                     tail.len - tail.fields[13].end);
        assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len),
                         AD_EUTF);
        assert_string_equal(scratch.diag.field, "Zone");
        assert_identity_only(257);

        /* optional GUID of 256: still an error (not a cut, a bad string) */
        assert_true(ad_vb_server_event(&vb, 256, false, &v));
        vb.len = vb.fields[12].start;
        vb.nfields = 12;
        ad_vb_utf16_units(&vb, VB_IGNORED, bad[i].units, bad[i].n, true);
        assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len),
                         AD_EUTF);

        /* client QueryName */
        ad_vb_init(&vb);
        ad_vb_utf16_units(&vb, VB_IGNORED, bad[i].units, bad[i].n, true);
        ad_vb_u32(&vb, VB_IGNORED, 1);
        ad_vb_u64(&vb, VB_IGNORED, 0);
        assert_int_equal(decode_exact(AD_PROVIDER_DNS_CLIENT, 3000, 0, FLAGS64, vb.buf, vb.len),
                         AD_EUTF);
        assert_string_equal(scratch.diag.field, "QueryName");
    }
    /* A skipped string (StaleRecordsPresent) is not validated. */
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    vb.len = vb.fields[20].start;
    vb.nfields = 20;
    ad_vb_utf16_units(&vb, VB_IGNORED, bad[0].units, bad[0].n, true);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len), AD_OK);
    assert_int_equal(ev.hdr.bits & AD_REC_PARTIAL, 0);
}

static void test_bad_addresses_and_port(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const char *const bad[] = {"abc",   "300.1.1.1", "%12",       "[::1",
                                      "1.2.3", "fe80:::1",  "10.0.0.1 ", "\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v.peer_ip = bad[i];
        assert_true(ad_vb_server_event(&vb, 256, false, &v));
        assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len),
                         AD_EFORMAT);
        assert_string_equal(scratch.diag.field, "Source");
        assert_identity_only(256);
    }
    ad_vb_values_default(&v);
    v.iface_ip = "not-an-ip";
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len),
                     AD_EFORMAT);
    assert_string_equal(scratch.diag.field, "InterfaceIP");

    ad_vb_values_default(&v);
    v.port = 65536;
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len),
                     AD_ERANGE);
    assert_string_equal(scratch.diag.field, "Port");
    v.port = 65535;
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, vb.len), AD_OK);
    assert_int_equal(ev.hdr.src.port, 65535);
}

static void test_bad_sockaddr(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[32];
        uint32_t n;
        ad_err want;
        uint8_t family;
    } cases[] = {
        {{2, 0, 0, 53, 10, 0, 0, 1}, 8, AD_OK, AD_FAMILY_IPV4},      /* minimal AF_INET */
        {{2, 0, 0, 53, 10, 0}, 6, AD_EFORMAT, 0},                    /* AF_INET cut */
        {{23, 0, 0, 53, 0, 0, 0, 0, 0xfe, 0x80}, 10, AD_EFORMAT, 0}, /* AF_INET6 cut */
        {{2}, 1, AD_EFORMAT, 0},                                     /* family cut */
        {{23, 0, 0}, 3, AD_EFORMAT, 0},                              /* port cut */
        {{99, 0, 1, 2, 3, 4, 5, 6}, 8, AD_OK, AD_FAMILY_NONE},       /* other family: absent */
        {{0, 0, 0, 0}, 4, AD_OK, AD_FAMILY_NONE},                    /* AF_UNSPEC: absent */
        {{0}, 0, AD_OK, AD_FAMILY_NONE},                             /* empty: absent */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ad_vb_init(&vb);
        ad_vb_utf16(&vb, VB_QNAME, "a.example");
        ad_vb_u32(&vb, VB_IGNORED, cases[i].n);
        ad_vb_binary(&vb, VB_IGNORED, cases[i].bytes, cases[i].n);
        ad_err err = decode_exact(AD_PROVIDER_DNS_CLIENT, 1015, 0, FLAGS64, vb.buf, vb.len);
        assert_int_equal(err, cases[i].want);
        if (err == AD_OK) {
            assert_int_equal(ev.hdr.dst.family, cases[i].family);
            etw_test_check_encodes(&ev);
        } else {
            assert_string_equal(scratch.diag.field, "Address");
        }
    }
}

static void test_oversized_payload(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    assert_true(ad_vb_server_event(&vb, 256, false, &v));
    size_t full = vb.len;
    memset(vb.buf + full, 0, AD_VB_CAP - full);
    /* The largest legal UserData: the template, then zeros (ignored trailing bytes). */
    assert_int_equal(
        decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, AD_ETW_MAX_USERDATA), AD_OK);
    assert_int_equal(scratch.diag.trailing, AD_ETW_MAX_USERDATA - full);
    /* Beyond what ETW can deliver. */
    assert_int_equal(
        decode_exact(AD_PROVIDER_DNS_SERVER, 256, 0, FLAGS64, vb.buf, AD_ETW_MAX_USERDATA + 1),
        AD_ERANGE);
    assert_identity_only(256);
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_CLIENT, 3008, 0, FLAGS64, vb.buf, 70000),
                     AD_ERANGE);

    /* A huge PacketData inside the limit: decoded; the encoder caps it later. */
    static uint8_t big[60000];
    memset(big, 0xAB, sizeof big);
    v.packet = big;
    v.packet_len = sizeof big;
    assert_true(ad_vb_server_event(&vb, 257, false, &v));
    assert_int_equal(decode_exact(AD_PROVIDER_DNS_SERVER, 257, 0, FLAGS64, vb.buf, vb.len), AD_OK);
    assert_int_equal(ev.packet.len, sizeof big);
}

static void test_pointer_size(void **state)
{
    (void)state;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static const uint16_t no_size[] = {0x0000, 0x0200, 0x0060};
    for (size_t i = 0; i < sizeof no_size / sizeof no_size[0]; i++) {
        assert_true(ad_vb_client_event(&vb, 3020, 2, 8, &v));
        assert_int_equal(etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3020, 2, no_size[i], vb.buf,
                                         vb.len, &ev, &scratch),
                         AD_EINVAL);
        assert_string_equal(scratch.diag.field, "QueryBlob");
        /* v0/v1 have no pointers: the flags do not matter */
        assert_true(ad_vb_client_event(&vb, 3020, 1, 8, &v));
        assert_int_equal(etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3020, 1, no_size[i], vb.buf,
                                         vb.len, &ev, &scratch),
                         AD_OK);
    }
    /* A 32-bit event read with 64-bit flags runs short: truncated. */
    assert_true(ad_vb_client_event(&vb, 3011, 2, 4, &v));
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3011, 2, 0x0040, vb.buf, vb.len, &ev, &scratch),
        AD_ETRUNC);
    assert_int_equal(
        etw_test_decode(AD_PROVIDER_DNS_CLIENT, 3011, 2, 0x0020, vb.buf, vb.len, &ev, &scratch),
        AD_OK);
}

static void test_unsupported_and_arguments(void **state)
{
    (void)state;
    static const uint16_t server_bad[] = {0,   1,   255, 292, 300,  511,  524,
                                          532, 538, 539, 597, 1000, 65535};
    for (size_t i = 0; i < sizeof server_bad / sizeof server_bad[0]; i++) {
        assert_int_equal(etw_test_decode(AD_PROVIDER_DNS_SERVER, server_bad[i], 0, FLAGS64, "x", 1,
                                         &ev, &scratch),
                         AD_EUNSUPP);
        assert_identity_only(server_bad[i]);
    }
    static const uint16_t client_bad[] = {0, 1000, 1012, 1019, 2999, 3017, 3021, 3023, 60101};
    for (size_t i = 0; i < sizeof client_bad / sizeof client_bad[0]; i++)
        assert_int_equal(etw_test_decode(AD_PROVIDER_DNS_CLIENT, client_bad[i], 0, FLAGS64, "x", 1,
                                         &ev, &scratch),
                         AD_EUNSUPP);
    assert_int_equal(etw_test_decode(AD_PROVIDER_UNKNOWN, 256, 0, FLAGS64, "x", 1, &ev, &scratch),
                     AD_EUNSUPP);
    assert_int_equal(etw_test_decode((ad_provider)77, 256, 0, FLAGS64, "x", 1, &ev, &scratch),
                     AD_EUNSUPP);

    /* Arguments */
    ad_etw_event_in in;
    memset(&in, 0, sizeof in);
    in.provider = AD_PROVIDER_DNS_SERVER;
    in.event_id = 256;
    assert_int_equal(ad_etw_decode(NULL, &ev, &scratch), AD_EINVAL);
    assert_int_equal(ad_etw_decode(&in, NULL, &scratch), AD_EINVAL);
    assert_int_equal(ad_etw_decode(&in, &ev, NULL), AD_EINVAL);
    assert_int_equal(ad_etw_decode_server(&in, &ev, NULL), AD_EINVAL);
    assert_int_equal(ad_etw_decode_client(NULL, &ev, &scratch), AD_EINVAL);
    in.userdata = NULL;
    in.userdata_len = 5;
    assert_int_equal(ad_etw_decode(&in, &ev, &scratch), AD_EINVAL);
    in.userdata_len = 0;
    assert_int_equal(ad_etw_decode(&in, &ev, &scratch), AD_ETRUNC);
    assert_string_equal(scratch.diag.field, "TCP");
    in.event_id = 540; /* an audit event without payload */
    assert_int_equal(ad_etw_decode(&in, &ev, &scratch), AD_OK);
    assert_int_equal(ev.hdr.event_id, 540);
}

/* Random bytes for every supported event: never a crash, records always encode. */
static void test_random_payloads(void **state)
{
    (void)state;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    static unsigned char buf[600];
    for (int round = 0; round < 20000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            /* mostly small bytes and NULs, so strings end and lengths stay small */
            unsigned r = (unsigned)(rng >> 32);
            buf[i] = (r & 3) == 0 ? 0 : (r & 4) ? (unsigned char)('0' + r % 10) : (unsigned char)r;
        }
        size_t len = (size_t)(rng % sizeof buf);
        bool client = (rng >> 20) & 1;
        uint16_t id =
            client ? (uint16_t)((rng >> 24) & 1 ? 1013 + (rng >> 30) % 6 : 3000 + (rng >> 30) % 21)
                   : (uint16_t)((rng >> 24) & 1 ? 256 + (rng >> 30) % 36 : 512 + (rng >> 30) % 85);
        uint8_t ver = (uint8_t)((rng >> 40) % 4);
        ad_err err = decode_exact(client ? AD_PROVIDER_DNS_CLIENT : AD_PROVIDER_DNS_SERVER, id, ver,
                                  (rng >> 44) & 1 ? 0x20 : 0x40, buf, len);
        if (err == AD_OK) {
            /* views point into freed memory now; only the header is checked */
            assert_int_equal(ev.hdr.event_id, id);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncate_257_every_offset),
        cmocka_unit_test(test_truncate_all_events_every_offset),
        cmocka_unit_test(test_missing_terminators),
        cmocka_unit_test(test_length_beyond_payload),
        cmocka_unit_test(test_invalid_utf16),
        cmocka_unit_test(test_bad_addresses_and_port),
        cmocka_unit_test(test_bad_sockaddr),
        cmocka_unit_test(test_oversized_payload),
        cmocka_unit_test(test_pointer_size),
        cmocka_unit_test(test_unsupported_and_arguments),
        cmocka_unit_test(test_random_payloads),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(last_copy);
    return failed;
}
